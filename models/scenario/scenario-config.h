/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SCENARIO_CONFIG_H
#define PORTLAB_SCENARIO_CONFIG_H

#include <cstdint>
#include <list>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-scenario
 * \brief A configuration error: the message names where, what and what is allowed.
 */
class ConfigError : public std::runtime_error
{
  public:
    /// \param what the full message
    explicit ConfigError(const std::string& what)
        : std::runtime_error(what)
    {
    }
};

/**
 * \ingroup portlab-scenario
 * \brief Parsers for values with units. Each throws ConfigError with a message of the form
 * "'<text>' is not <kind>; allowed: <forms>" (callers add file, line and key).
 */
namespace units
{

/// \param text e.g. "60s", "10ms", "1.5min", "250us" \return nanoseconds (>= 0)
int64_t ParseDurationNs(const std::string& text);

/// \param text e.g. "1Gbps", "10Mbps", "500kbps", "1000bps" \return bits per second (> 0)
double ParseBitRate(const std::string& text);

/// \param text e.g. "100B", "1KB" (1000), "64KiB" (1024), "1MB" \return bytes (>= 0)
uint64_t ParseBytes(const std::string& text);

/// \param text e.g. "1000/s", "1000", "2.5k/s" \return events per second (> 0)
double ParseRate(const std::string& text);

/// \param text an integer \param min smallest allowed \param max largest allowed \return it
int64_t ParseInteger(const std::string& text, int64_t min, int64_t max);

/// \param text a real number or percentage ("0.01", "1%") \return it as a fraction in [0, 1]
double ParseProbability(const std::string& text);

/// \param text "true"/"false"/"yes"/"no"/"on"/"off"/"1"/"0" \return the boolean
bool ParseBool(const std::string& text);

} // namespace units

/**
 * \ingroup portlab-scenario
 * \brief Where a value came from, for error messages.
 */
struct ValueOrigin
{
    std::string file; //!< file name, or "--set" for a command-line override
    int line{0};      //!< 1-based line (0 for overrides)
};

/**
 * \ingroup portlab-scenario
 * \brief The scenarios of one INI file: `[scenario NAME]` sections whose keys may come from
 * the section it `extends` (recursively), then command-line overrides.
 *
 * The file is read with Boost.Program_options (parse_config_file); a light scan of the same
 * text records the line of every key and section so errors can name it.
 */
class ScenarioFile
{
  public:
    /// Scenario files larger than this are refused unread (1 MiB).
    static constexpr uint64_t MAX_FILE_BYTES = 1048576;

    /**
     * \brief Read a file.
     * \param path the file
     * \return its scenarios
     * \throws ConfigError (unreadable file, a directory, a FIFO or device or anything else that
     *         is not a regular file (refused without reading it), a file over MAX_FILE_BYTES,
     *         syntax error, duplicate key, a section that is not `[scenario NAME]`)
     */
    static ScenarioFile Load(const std::string& path);

    /**
     * \brief Parse text as if it were a file. A UTF-8 byte order mark at the start is skipped,
     * and a line whose first non-blank character is ';' is a comment, as '#' is (the INI
     * convention of Windows, Python's configparser and OMNeT++/INET).
     * \param text INI text
     * \param name the name errors use for it
     * \return the scenarios
     * \throws ConfigError
     */
    static ScenarioFile Parse(const std::string& text, const std::string& name);

    /// \return scenario names in file order
    std::vector<std::string> Names() const;

    /**
     * \brief A scenario's keys after `extends` is resolved (the child's keys win).
     * \param name scenario name
     * \return key -> value, with the key's origin in \p origins
     * \param origins receives where each value came from
     * \throws ConfigError for an unknown name, an unknown parent or an `extends` cycle
     */
    std::map<std::string, std::string> Resolve(const std::string& name,
                                               std::map<std::string, ValueOrigin>* origins) const;

    /**
     * \brief A scenario's keys after `extends` and command-line overrides. An override of
     * `extends` itself replaces the scenario's parent (a scenario of the same file; empty: no
     * parent) before the chain is resolved, and the run records it as a parameter; every other
     * override is applied as ApplyOverrides() does.
     * \param name scenario name
     * \param overrides "key=value" strings (the command line's --set)
     * \param origins receives where each value came from
     * \return key -> value
     * \throws ConfigError as Resolve() and ApplyOverrides() do (an unknown parent given with
     *         --set extends=NAME is named as coming from --set)
     */
    std::map<std::string, std::string> ResolveWithOverrides(
        const std::string& name,
        const std::vector<std::string>& overrides,
        std::map<std::string, ValueOrigin>* origins) const;

    /**
     * \brief Where a parent this file does not define is looked up: `extends = NAME` (or
     * --set extends=NAME) may name a scenario of another file, e.g. a shipped one. Its own
     * chain is resolved within its file.
     * \param lookup returns the file that defines NAME, or nothing (a ConfigError it throws,
     *        e.g. for a name two files define, is passed on)
     * \param where how errors name where else was looked ("the shipped scenarios in DIR")
     */
    void SetParentLookup(std::function<std::optional<ScenarioFile>(const std::string&)> lookup,
                         const std::string& where);

  private:
    /// One section.
    struct Section
    {
        std::string name;                        //!< scenario name
        int line{0};                             //!< header line
        std::map<std::string, std::string> keys; //!< its own keys
        std::map<std::string, int> lines;        //!< key -> line
    };

    /**
     * \brief The chain name, parent, grandparent, ... (the child first).
     * \param name scenario name
     * \param parent when not null, the parent to use instead of the scenario's own `extends`
     * \return the sections
     */
    std::vector<std::pair<const Section*, const std::string*>> Chain(
        const std::string& name,
        const std::string* parent) const;

    std::string m_file;              //!< name for errors
    std::vector<Section> m_sections; //!< in file order
    /// see SetParentLookup()
    std::function<std::optional<ScenarioFile>(const std::string&)> m_lookup;
    std::string m_lookupWhere; //!< see SetParentLookup()
    /// the files parents were found in (a list: the sections' addresses stay put)
    mutable std::list<ScenarioFile> m_outside;
};

/**
 * \ingroup portlab-scenario
 * \brief Apply `key=value` overrides (the command line's --set) on top of resolved keys.
 * \param keys resolved keys (modified)
 * \param origins their origins (modified)
 * \param overrides "key=value" strings
 * \throws ConfigError for an override without '=' or with an empty key, and for `extends`
 *         (it changes the chain the keys came from: ScenarioFile::ResolveWithOverrides()
 *         applies it; here it would be recorded and ignored)
 */
void ApplyOverrides(std::map<std::string, std::string>& keys,
                    std::map<std::string, ValueOrigin>& origins,
                    const std::vector<std::string>& overrides);

/**
 * \ingroup portlab-scenario
 * \brief Format an error about one value: "<file>:<line>: key '<key>' = '<value>': <why>".
 * \param origin where the value came from
 * \param key the key
 * \param value the value
 * \param why what is wrong and what is allowed
 * \return the message
 */
std::string DescribeValueError(const ValueOrigin& origin,
                               const std::string& key,
                               const std::string& value,
                               const std::string& why);

} // namespace portlab

#endif // PORTLAB_SCENARIO_CONFIG_H
