/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_APP_OPTIONS_H
#define PORTLAB_APP_OPTIONS_H

#include "ns3/attribute.h"
#include "ns3/type-id.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace portlab
{

/// The longest run a scenario may ask for: 100,000 s of simulated time (ns). Every duration
/// a scenario writes, a run's or an app option's, is at most this.
constexpr int64_t MAX_DURATION_NS = 100000LL * 1000000000LL;

/**
 * \ingroup portlab-scenario
 * \brief What kind of process an app is.
 */
enum class AppType
{
    TCP_SERVER, //!< listens, answers requests, may restart
    TCP_CLIENT, //!< opens connections (open or closed loop)
    UDP_SERVER, //!< answers datagrams
    UDP_CLIENT, //!< sends request datagrams
    TCP_PROXY,  //!< reverse proxy: one upstream connection per request
};

/// \return every app type, in the order scenario help lists them
const std::vector<AppType>& AppTypes();

/// \param t a type \return its scenario name ("tcp-server", ...)
std::string AppTypeName(AppType t);

/// \param t a type \return the TypeId of the ns-3 Application that runs it
ns3::TypeId AppTypeId(AppType t);

/**
 * \ingroup portlab-scenario
 * \brief How a scenario file writes an option's value (its units); the range, default and
 * meaning are the app attribute's.
 */
enum class AppOptionKind
{
    BOOL,     //!< true/false (yes/no, on/off, 1/0)
    INTEGER,  //!< a whole number
    BYTES,    //!< a size with an optional unit (100B, 1KB, 1MB)
    RATE,     //!< per second (500/s, 2.5k/s)
    DURATION, //!< a time with a unit (5s, 100ms), at most the longest run
    WORD,     //!< one of the attribute's names, or of the row's own words
};

/**
 * \ingroup portlab-scenario
 * \brief One scenario app key (`app.A.KEY`) and the app attribute it sets, per app type.
 *
 * This table is the one place a scenario option is declared: parsing (ParseAppOption()),
 * the help `portlab keys` prints (AppOptionHelp()), reading a value back (AppSpec::Number()
 * and friends) and installing it (AppInstaller) all go through it, and the range, default
 * and help come from the attribute's TypeId.
 */
struct AppOption
{
    const char* key;                                         //!< scenario key ("rate")
    AppOptionKind kind;                                      //!< how the value is written
    std::vector<std::pair<AppType, const char*>> attributes; //!< app type -> its attribute
    /// WORD options whose spelling is not the attribute's: (scenario word, attribute text)
    std::vector<std::pair<const char*, const char*>> words;
    const char* note; //!< what the key means in a scenario beyond the attribute ("" if nothing)
};

/// \return every option, in the order `portlab keys` lists them
const std::vector<AppOption>& AppOptions();

/// \param key a scenario key ("rate") \return its option, or nullptr
const AppOption* FindAppOption(const std::string& key);

/**
 * \param option an option
 * \param type an app type
 * \return the name of the attribute the option sets on that type, or nullptr if it sets none
 */
const char* AppOptionAttribute(const AppOption& option, AppType type);

/**
 * \brief The attribute an option sets on an app type, from the TypeId.
 * \param option an option
 * \param type an app type; for a type the option does not apply to, the option's first
 *        attribute (its value is then that attribute's default)
 * \return the attribute's information (checker, initial value, help)
 */
ns3::TypeId::AttributeInformation AppOptionInfo(const AppOption& option, AppType type);

/**
 * \brief Parse a scenario value of an option for an app type, and check it with the
 * attribute's checker.
 * \param option the option
 * \param type an app type it applies to
 * \param text the value as written ("2.5k/s")
 * \return the value as the attribute's text ("2500")
 * \throws ConfigError saying what is wrong and what is allowed (the checker's range)
 */
std::string ParseAppOption(const AppOption& option, AppType type, const std::string& text);

/**
 * \param option an option
 * \return its help: the attribute's help, the allowed values from its checker, the scenario
 *         note, and the app types with the attribute each sets
 */
std::string AppOptionHelp(const AppOption& option);

/**
 * \brief An option's value as its attribute holds it.
 * \param option the option
 * \param type an app type
 * \param text the attribute's text (ParseAppOption()), or empty for its default
 * \return the value (a checked copy of the attribute's)
 */
ns3::Ptr<ns3::AttributeValue> AppOptionValue(const AppOption& option,
                                             AppType type,
                                             const std::string& text);

} // namespace portlab

#endif // PORTLAB_APP_OPTIONS_H
