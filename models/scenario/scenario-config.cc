/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/scenario-config.h"

#include <boost/program_options.hpp>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>

namespace portlab
{

namespace
{

std::string
Trim(const std::string& s)
{
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos)
    {
        return "";
    }
    size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

/// Split "12.5ms" into 12.5 and "ms"; false if there is no leading number.
bool
SplitNumber(const std::string& text, double& number, std::string& unit)
{
    std::string t = Trim(text);
    if (t.empty())
    {
        return false;
    }
    errno = 0;
    char* end = nullptr;
    number = std::strtod(t.c_str(), &end);
    if (end == t.c_str() || errno != 0 || !std::isfinite(number))
    {
        return false;
    }
    unit = Trim(std::string(end));
    return true;
}

[[noreturn]] void
Bad(const std::string& text, const std::string& kind, const std::string& allowed)
{
    throw ConfigError("'" + text + "' is not " + kind + "; allowed: " + allowed);
}

constexpr const char* SECTION_PREFIX = "scenario ";

/// The text both passes of ScenarioFile::Parse read: a UTF-8 byte order mark at the start
/// removed, and every line whose first non-blank character is ';' (a comment) emptied, so that
/// line numbers stay and Boost.Program_options, which knows only '#', never sees it.
std::string
WithoutBomAndSemicolonComments(const std::string& text)
{
    const std::string bom = "\xEF\xBB\xBF";
    std::string in = text.compare(0, bom.size(), bom) == 0 ? text.substr(bom.size()) : text;
    std::string out;
    out.reserve(in.size());
    size_t start = 0;
    while (start < in.size())
    {
        size_t end = in.find('\n', start);
        size_t stop = end == std::string::npos ? in.size() : end;
        size_t first = in.find_first_not_of(" \t", start);
        if (first >= stop || in[first] != ';')
        {
            out.append(in, start, stop - start);
        }
        if (end != std::string::npos)
        {
            out += '\n';
        }
        start = stop + 1;
    }
    return out;
}

} // namespace

namespace units
{

int64_t
ParseDurationNs(const std::string& text)
{
    const char* allowed = "a number >= 0 with a unit: ns, us, ms, s, min, h (e.g. 10ms, 60s)";
    double n = 0;
    std::string u;
    if (!SplitNumber(text, n, u) || n < 0)
    {
        Bad(text, "a duration", allowed);
    }
    static const std::map<std::string, double> scale{{"ns", 1},
                                                     {"us", 1e3},
                                                     {"ms", 1e6},
                                                     {"s", 1e9},
                                                     {"min", 60e9},
                                                     {"h", 3600e9}};
    auto it = scale.find(u);
    if (it == scale.end())
    {
        Bad(text, "a duration", allowed);
    }
    double ns = n * it->second;
    if (ns > 9.2e18)
    {
        Bad(text, "a duration", "at most about 292 years");
    }
    return static_cast<int64_t>(std::llround(ns));
}

double
ParseBitRate(const std::string& text)
{
    const char* allowed = "a number > 0 with a unit: bps, kbps, Mbps, Gbps (e.g. 1Gbps)";
    double n = 0;
    std::string u;
    if (!SplitNumber(text, n, u) || n <= 0)
    {
        Bad(text, "a bit rate", allowed);
    }
    static const std::map<std::string, double> scale{{"bps", 1},
                                                     {"kbps", 1e3},
                                                     {"Mbps", 1e6},
                                                     {"Gbps", 1e9}};
    auto it = scale.find(u);
    if (it == scale.end())
    {
        Bad(text, "a bit rate", allowed);
    }
    return n * it->second;
}

uint64_t
ParseBytes(const std::string& text)
{
    const char* allowed = "a whole number of bytes >= 0 with a unit: B, KB, MB, GB, KiB, MiB, GiB";
    double n = 0;
    std::string u;
    if (!SplitNumber(text, n, u) || n < 0)
    {
        Bad(text, "a size", allowed);
    }
    static const std::map<std::string, double> scale{{"B", 1},
                                                     {"KB", 1e3},
                                                     {"MB", 1e6},
                                                     {"GB", 1e9},
                                                     {"KiB", 1024.0},
                                                     {"MiB", 1048576.0},
                                                     {"GiB", 1073741824.0}};
    auto it = scale.find(u);
    if (it == scale.end())
    {
        Bad(text, "a size", allowed);
    }
    double b = n * it->second;
    if (b != std::floor(b) || b > 1.8e19)
    {
        Bad(text, "a size", allowed);
    }
    return static_cast<uint64_t>(b);
}

double
ParseRate(const std::string& text)
{
    const char* allowed = "a number > 0, optionally with k or M and /s (e.g. 1000, 1000/s, 2.5k/s)";
    double n = 0;
    std::string u;
    if (!SplitNumber(text, n, u) || n <= 0)
    {
        Bad(text, "a rate", allowed);
    }
    static const std::map<std::string, double> scale{{"", 1},
                                                     {"/s", 1},
                                                     {"k", 1e3},
                                                     {"k/s", 1e3},
                                                     {"M", 1e6},
                                                     {"M/s", 1e6}};
    auto it = scale.find(u);
    if (it == scale.end())
    {
        Bad(text, "a rate", allowed);
    }
    return n * it->second;
}

int64_t
ParseInteger(const std::string& text, int64_t min, int64_t max)
{
    std::string t = Trim(text);
    std::string allowed =
        "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || errno != 0 || v < min || v > max)
    {
        Bad(text, "allowed here", allowed);
    }
    return v;
}

double
ParseProbability(const std::string& text)
{
    const char* allowed = "a number from 0 to 1, or a percentage from 0% to 100%";
    double n = 0;
    std::string u;
    if (!SplitNumber(text, n, u) || (u != "" && u != "%"))
    {
        Bad(text, "a probability", allowed);
    }
    double p = u == "%" ? n / 100 : n;
    if (p < 0 || p > 1)
    {
        Bad(text, "a probability", allowed);
    }
    return p;
}

bool
ParseBool(const std::string& text)
{
    std::string t = Trim(text);
    if (t == "true" || t == "yes" || t == "on" || t == "1")
    {
        return true;
    }
    if (t == "false" || t == "no" || t == "off" || t == "0")
    {
        return false;
    }
    Bad(text, "a boolean", "true, false, yes, no, on, off, 1, 0");
}

} // namespace units

ScenarioFile
ScenarioFile::Load(const std::string& path)
{
    // What the path is, before anything is read: a FIFO would block and /dev/zero never ends.
    struct stat st
    {
    };

    if (::stat(path.c_str(), &st) != 0)
    {
        throw ConfigError(path + ": cannot read the file");
    }
    const std::string allowed = "; allowed: a scenario file (a regular file, FILE.ini)";
    if (S_ISDIR(st.st_mode))
    {
        throw ConfigError(path + ": is a directory, not a file" + allowed);
    }
    if (!S_ISREG(st.st_mode))
    {
        std::string kind = S_ISFIFO(st.st_mode)                         ? "a FIFO"
                           : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                           : S_ISSOCK(st.st_mode)                       ? "a socket"
                                                                        : "not a regular file";
        throw ConfigError(path + ": is " + kind + ", not a file; it was not read" + allowed);
    }
    const std::string tooBig = " bytes; allowed: a scenario file of at most " +
                               std::to_string(MAX_FILE_BYTES) + " bytes (1 MiB)";
    if (static_cast<uint64_t>(st.st_size) > MAX_FILE_BYTES)
    {
        throw ConfigError(path + ": is " + std::to_string(st.st_size) + tooBig);
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        throw ConfigError(path + ": cannot read the file");
    }
    // Read at most one byte past the bound: the file may have grown since stat().
    std::string text(MAX_FILE_BYTES + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    if (in.bad())
    {
        throw ConfigError(path + ": cannot read the file");
    }
    if (text.size() > MAX_FILE_BYTES)
    {
        throw ConfigError(path + ": is more than " + std::to_string(MAX_FILE_BYTES) + tooBig);
    }
    return Parse(text, path);
}

ScenarioFile
ScenarioFile::Parse(const std::string& rawText, const std::string& name)
{
    const std::string text = WithoutBomAndSemicolonComments(rawText);
    ScenarioFile f;
    f.m_file = name;
    // Pass 1: our own scan, for line numbers and the errors Program_options cannot locate.
    std::istringstream lines(text);
    std::string raw;
    int lineNo = 0;
    Section* current = nullptr;
    std::set<std::string> names;
    while (std::getline(lines, raw))
    {
        ++lineNo;
        std::string line = raw;
        size_t hash = line.find('#');
        if (hash != std::string::npos)
        {
            line = line.substr(0, hash); // Program_options ends every line at '#'
        }
        line = Trim(line);
        if (line.empty() || line[0] == ';')
        {
            continue;
        }
        if (line[0] == '[')
        {
            std::string header = line.back() == ']' ? Trim(line.substr(1, line.size() - 2)) : "";
            if (header.compare(0, 9, SECTION_PREFIX) != 0 || Trim(header.substr(9)).empty())
            {
                throw ConfigError(name + ":" + std::to_string(lineNo) + ": section '" + line +
                                  "' is not allowed; allowed: [scenario NAME]");
            }
            std::string scenario = Trim(header.substr(9));
            if (scenario.find('.') != std::string::npos)
            {
                // Boost reads "[scenario a.b]" + "k = v" as key "scenario a.b.k" and splits it
                // at the first '.', which would file the keys under a scenario named 'a'.
                throw ConfigError(name + ":" + std::to_string(lineNo) + ": scenario name '" +
                                  scenario + "' is not allowed; allowed: a name without '.'");
            }
            if (!names.insert(scenario).second)
            {
                throw ConfigError(name + ":" + std::to_string(lineNo) + ": scenario '" + scenario +
                                  "' is defined twice");
            }
            f.m_sections.push_back(Section{scenario, lineNo, {}, {}});
            current = &f.m_sections.back();
            continue;
        }
        size_t eq = line.find('=');
        if (eq == std::string::npos || Trim(line.substr(0, eq)).empty())
        {
            throw ConfigError(name + ":" + std::to_string(lineNo) + ": '" + Trim(raw) +
                              "' is not a setting; allowed: KEY = VALUE, [scenario NAME], "
                              "# comment");
        }
        if (current == nullptr)
        {
            throw ConfigError(name + ":" + std::to_string(lineNo) + ": key '" +
                              Trim(line.substr(0, eq)) +
                              "' comes before any [scenario NAME] section");
        }
        std::string key = Trim(line.substr(0, eq));
        if (current->lines.count(key))
        {
            throw ConfigError(name + ":" + std::to_string(lineNo) + ": key '" + key +
                              "' is set twice in scenario '" + current->name + "' (first on line " +
                              std::to_string(current->lines[key]) + ")");
        }
        current->lines[key] = lineNo;
    }
    // Pass 2: the values, as Boost.Program_options reads them.
    namespace po = boost::program_options;
    std::istringstream in(text);
    po::options_description none;
    po::parsed_options parsed(&none);
    try
    {
        parsed = po::parse_config_file(in, none, true);
    }
    catch (const po::error& e)
    {
        throw ConfigError(name + ": " + e.what());
    }
    for (const auto& o : parsed.options)
    {
        const std::string& full = o.string_key;
        size_t dot = full.find('.', 9);
        if (full.compare(0, 9, SECTION_PREFIX) != 0 || dot == std::string::npos)
        {
            throw ConfigError(name + ": key '" + full + "' is outside a [scenario NAME] section");
        }
        std::string scenario = Trim(full.substr(9, dot - 9));
        std::string key = full.substr(dot + 1);
        for (auto& s : f.m_sections)
        {
            if (s.name == scenario)
            {
                s.keys[key] = o.value.empty() ? "" : Trim(o.value.front());
            }
        }
    }
    return f;
}

std::vector<std::string>
ScenarioFile::Names() const
{
    std::vector<std::string> out;
    for (const auto& s : m_sections)
    {
        out.push_back(s.name);
    }
    return out;
}

void
ScenarioFile::SetParentLookup(std::function<std::optional<ScenarioFile>(const std::string&)> lookup,
                              const std::string& where)
{
    m_lookup = std::move(lookup);
    m_lookupWhere = where;
}

std::vector<std::pair<const ScenarioFile::Section*, const std::string*>>
ScenarioFile::Chain(const std::string& name, const std::string* parent) const
{
    std::vector<std::pair<const Section*, const std::string*>> chain;
    std::set<std::string> seen;
    std::string next = name;
    int fromLine = 0;
    while (!next.empty())
    {
        const Section* found = nullptr;
        for (const auto& s : m_sections)
        {
            if (s.name == next)
            {
                found = &s;
            }
        }
        if (found == nullptr && !chain.empty() && m_lookup)
        {
            // A parent from elsewhere (a shipped scenario): the rest of the chain is its file's.
            std::optional<ScenarioFile> other = m_lookup(next);
            if (other)
            {
                m_outside.push_back(std::move(*other));
                for (const auto& link : m_outside.back().Chain(next, nullptr))
                {
                    chain.push_back(link);
                }
                return chain;
            }
        }
        if (found == nullptr)
        {
            std::string known;
            for (const auto& s : m_sections)
            {
                known += (known.empty() ? "" : ", ") + s.name;
            }
            std::string elsewhere =
                m_lookup && !chain.empty() ? " in this file, or " + m_lookupWhere : "";
            if (chain.size() == 1 && parent != nullptr)
            {
                throw ConfigError(DescribeValueError(ValueOrigin{"--set", 0},
                                                     "extends",
                                                     *parent,
                                                     "no scenario named '" + next + "' in " +
                                                         m_file + "; allowed: " + known +
                                                         elsewhere));
            }
            std::string where = chain.empty() ? m_file : m_file + ":" + std::to_string(fromLine);
            throw ConfigError(where + ": no scenario named '" + next + "'; known: " + known +
                              elsewhere);
        }
        if (!seen.insert(next).second)
        {
            if (chain.size() == 1 && parent != nullptr)
            {
                throw ConfigError(DescribeValueError(ValueOrigin{"--set", 0},
                                                     "extends",
                                                     *parent,
                                                     "'extends' makes a cycle through scenario '" +
                                                         next + "'; allowed: another scenario"));
            }
            throw ConfigError(m_file + ":" + std::to_string(fromLine) +
                              ": 'extends' makes a cycle "
                              "through scenario '" +
                              next + "'");
        }
        chain.emplace_back(found, &m_file);
        auto ext = found->keys.find("extends");
        next = ext == found->keys.end() ? "" : ext->second;
        fromLine = ext == found->keys.end() ? 0 : found->lines.at("extends");
        if (chain.size() == 1 && parent != nullptr)
        {
            next = *parent;
        }
    }
    return chain;
}

std::map<std::string, std::string>
ScenarioFile::Resolve(const std::string& name, std::map<std::string, ValueOrigin>* origins) const
{
    return ResolveWithOverrides(name, {}, origins);
}

std::map<std::string, std::string>
ScenarioFile::ResolveWithOverrides(const std::string& name,
                                   const std::vector<std::string>& overrides,
                                   std::map<std::string, ValueOrigin>* origins) const
{
    std::vector<std::string> others;
    bool replaced = false;
    std::string parent;
    for (const auto& o : overrides)
    {
        size_t eq = o.find('=');
        if (eq != std::string::npos && Trim(o.substr(0, eq)) == "extends")
        {
            replaced = true; // the last one wins, as for every other key
            parent = Trim(o.substr(eq + 1));
        }
        else
        {
            others.push_back(o);
        }
    }
    m_outside.clear();
    auto chain = Chain(name, replaced ? &parent : nullptr);
    std::map<std::string, std::string> keys;
    std::map<std::string, ValueOrigin> where;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    {
        for (const auto& [k, v] : it->first->keys)
        {
            if (k != "extends")
            {
                keys[k] = v;
                where[k] = ValueOrigin{*it->second, it->first->lines.at(k)};
            }
        }
    }
    if (replaced)
    {
        keys["extends"] = parent; // a parameter of the run: summary.json records it
        where["extends"] = ValueOrigin{"--set", 0};
    }
    ApplyOverrides(keys, where, others);
    if (origins != nullptr)
    {
        for (const auto& [k, o] : where)
        {
            (*origins)[k] = o;
        }
    }
    return keys;
}

void
ApplyOverrides(std::map<std::string, std::string>& keys,
               std::map<std::string, ValueOrigin>& origins,
               const std::vector<std::string>& overrides)
{
    for (const auto& o : overrides)
    {
        size_t eq = o.find('=');
        if (eq == std::string::npos || Trim(o.substr(0, eq)).empty())
        {
            throw ConfigError("--set '" + o + "' is not allowed; allowed: KEY=VALUE");
        }
        std::string key = Trim(o.substr(0, eq));
        if (key == "extends")
        {
            throw ConfigError("--set '" + o +
                              "': 'extends' changes which scenario the keys come from, so it "
                              "cannot be applied to keys already resolved; allowed: give it to "
                              "ScenarioFile::ResolveWithOverrides (as 'portlab run' does)");
        }
        keys[key] = Trim(o.substr(eq + 1));
        origins[key] = ValueOrigin{"--set", 0};
    }
}

std::string
DescribeValueError(const ValueOrigin& origin,
                   const std::string& key,
                   const std::string& value,
                   const std::string& why)
{
    std::string where =
        origin.line > 0 ? origin.file + ":" + std::to_string(origin.line) : origin.file;
    return where + ": key '" + key + "' = '" + value + "': " + why;
}

} // namespace portlab
