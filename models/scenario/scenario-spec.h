/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SCENARIO_SPEC_H
#define PORTLAB_SCENARIO_SPEC_H

#include "ports/port-sysctls.h"
#include "scenario/app-options.h"
#include "scenario/scenario-config.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-scenario
 * \brief A group of identical hosts ("client" with count 3 gives client1..client3).
 */
struct HostGroupSpec
{
    std::string name;                   //!< group name (letters, digits, '-')
    uint32_t count{1};                  //!< hosts in the group
    uint32_t addresses{1};              //!< addresses on each of the host's links (primary + extra)
    std::vector<SysctlSetting> sysctls; //!< for every host of the group, parsed
    /// host index (1-based) -> sysctls for that host only (applied after the group's)
    std::map<uint32_t, std::vector<SysctlSetting>> hostSysctls;
    std::string portSelector; //!< `group.G.port_selector` ("" = not named here)
    /// host index (1-based) -> `host.Gn.port_selector`
    std::map<uint32_t, std::string> hostPortSelectors;
};

/**
 * \ingroup portlab-scenario
 * \brief One app: a process (or several identical ones) on every host of a group or on one
 * host.
 */
struct AppSpec
{
    std::string name;                  //!< its name in the scenario
    AppType type{AppType::TCP_SERVER}; //!< kind of process
    std::string on;                    //!< group name or host name ("server1")
    int64_t startNs{0};                //!< when it starts
    int64_t stopNs{-1};                //!< when it stops (-1: the end of the run)
    uint32_t processes{1};             //!< identical processes per host (a reuseport group)
    std::string bind;            //!< servers: "*:80", "addr2:80", "127.0.0.1:80", "10.0.0.1:80"
    std::vector<std::string> to; //!< clients: app names or "host[.addrN]:port"
    std::vector<std::string> upstream; //!< proxy: app names or "host[.addrN]:port"
    /// The options the scenario sets (AppOptions() keys), each as its app attribute's text,
    /// checked by the attribute's checker; an option not here has the attribute's default.
    std::map<std::string, std::string> options;

    /// \param key an AppOptions() key \return whether the scenario sets it
    bool Has(const std::string& key) const;
    /// \param key an AppOptions() key \return its value as a number (a time in seconds, a
    /// boolean as 0 or 1)
    double Number(const std::string& key) const;
    /// \param key an AppOptions() key of a time attribute \return its value in nanoseconds
    int64_t Ns(const std::string& key) const;
    /// \param key an AppOptions() key \return its value as the attribute writes it
    /// ("client-first", "true")
    std::string Word(const std::string& key) const;
};

/**
 * \ingroup portlab-scenario
 * \brief One `expect.SUBJECT.METRIC = VALUE` line: what Linux does, to compare with the run.
 *
 * VALUE is an errno name or "ok" (string metrics), a list of them separated by spaces, a
 * number with an optional comparison (`>= 0.99`, `<= 10`, `= 3`), a number with a tolerance
 * (`0.5 +- 0.1`, `470.5 +- 2%`), or `linux-tw-capacity +- 2%`: the success rate Linux's
 * TIME_WAIT arithmetic predicts for a client app (see PredictTimeWaitSuccess()).
 */
struct Expectation
{
    std::string key;     //!< the whole key ("expect.web.bind")
    std::string subject; //!< an app or host name
    std::string metric;  //!< a metric of it
    std::string text;    //!< the value as written

    /// The form of the expected value.
    enum Kind
    {
        WORDS,      //!< words compared literally
        NUMBER,     //!< op + value
        TOLERANCE,  //!< value +- tol
        PREDICTION, //!< linux-tw-capacity +- tol
        RECORDED    //!< recorded RECORDING CASE KEY: a value recorded on Linux
    } kind{WORDS};  //!< which form

    std::string op{"="};  //!< "=", ">=", "<=", ">", "<"
    double value{0};      //!< the number
    double tol{0};        //!< tolerance (absolute, or relative when relative is set)
    bool relative{false}; //!< tol is a fraction of the value
    ValueOrigin origin;   //!< where it was written

    std::string recording;      //!< RECORDED: the recording's name (its .jsonl file)
    std::string recordedCase;   //!< RECORDED: the case in it
    std::string recordedKey;    //!< RECORDED: the key of the case's result
    bool recordedNumber{false}; //!< RECORDED: the value is a number (value), else words
                                //!< (text); filled in by ResolveRecordedExpectations()
};

/**
 * \ingroup portlab-scenario
 * \brief A scenario after parsing and validation: everything needed to build and run it.
 */
struct ScenarioSpec
{
    std::string name;                  //!< scenario name
    std::string description;           //!< what it shows
    std::string question;              //!< the question it answers
    std::string linuxAnswer;           //!< Linux's answer
    int64_t durationNs{0};             //!< simulated time
    int64_t intervalNs{1000000000};    //!< timeseries interval
    int64_t warmupNs{0};               //!< steady-state window starts here
    std::vector<int64_t> snapshotsNs;  //!< `ss` snapshot times (the end is always added)
    bool pcap{false};                  //!< write pcap files
    std::string transport{"packet"};   //!< the TCP's transport: packet or flow
    uint64_t seed{1};                  //!< default seed
    std::string linkRate{"1Gbps"};     //!< every link's rate
    std::string linkDelay{"1ms"};      //!< every link's one-way delay
    double linkLoss{0};                //!< every link's packet loss probability
    std::vector<HostGroupSpec> groups; //!< host groups in file order
    std::vector<std::pair<std::string, std::string>> links; //!< group pairs, fully meshed
    std::vector<SysctlSetting> sysctls;                     //!< for every host, parsed
    std::string portSelector;                //!< `port_selector` for every host ("" = not named)
    std::vector<AppSpec> apps;               //!< in name order
    std::vector<Expectation> expectations;   //!< in key order
    std::map<std::string, std::string> keys; //!< every resolved key (the run's parameters)
    std::set<std::string> overridden;        //!< keys this run set with --set (or a sweep)
    /// The file each key's value comes from ("--set" for an override): a typed expectation
    /// from one file does not hold for keys another file (a user's scenario extending a
    /// shipped one) changed.
    std::map<std::string, std::string> keyFile;
};

/**
 * \ingroup portlab-scenario
 * \brief Parse and validate a scenario's resolved keys.
 * \param name scenario name
 * \param keys resolved keys (after extends and overrides)
 * \param origins where each key came from
 * \return the scenario
 * \throws ConfigError naming file, line, key, value and what is allowed: unknown keys, bad
 *         units, impossible values, references to undefined groups, hosts or apps
 */
ScenarioSpec ParseScenario(const std::string& name,
                           const std::map<std::string, std::string>& keys,
                           const std::map<std::string, ValueOrigin>& origins);

/**
 * \ingroup portlab-scenario
 * \brief The sysctls of one host in the order they apply: every host's (`sysctl.NAME`), its
 * group's (`group.G.sysctl.NAME`), then its own (`host.Gn.sysctl.NAME`).
 * \param spec the scenario
 * \param group the host's group
 * \param index the host's 1-based index in the group (0: the group's settings only)
 * \return the settings as parsed from the scenario, later ones winning
 */
std::vector<SysctlSetting> HostSysctls(const ScenarioSpec& spec,
                                       const HostGroupSpec& group,
                                       uint32_t index);

/**
 * \ingroup portlab-scenario
 * \brief The ephemeral port algorithm of one host: its own `host.Gn.port_selector`, else its
 * group's, else the scenario's `port_selector`.
 * \param spec the scenario
 * \param group the host's group
 * \param index the host's 1-based index in the group (0: the group's setting only)
 * \return one of EphemeralPortSelectorNames(), or "" when the scenario names none (Linux's)
 */
std::string HostPortSelector(const ScenarioSpec& spec, const HostGroupSpec& group, uint32_t index);

/**
 * \ingroup portlab-scenario
 * \brief Check a metric name ("SUBJECT.METRIC") against a scenario's apps and hosts.
 * \param spec the scenario
 * \param name the metric
 * \throws ConfigError naming the metric and what is allowed
 */
void CheckMetricName(const ScenarioSpec& spec, const std::string& name);

/**
 * \ingroup portlab-scenario
 * \brief Every key a scenario may set, with what it allows (for `--help` and errors).
 * \return (key pattern, description) pairs
 */
std::vector<std::pair<std::string, std::string>> ScenarioKeyHelp();

/**
 * \ingroup portlab-scenario
 * \brief A figure axis label for a scenario key, as people name it, e.g. "offered rate" for
 * app.load.rate or "ephemeral ports (ip_local_port_range)" for a host's
 * net.ipv4.ip_local_port_range; the key itself when the table has no name for it.
 * \param key a key as `--vary` takes it, e.g. "app.load.rate"
 * \param unit set to the unit the axis is in when the name implies one (e.g.
 *        "connections/s" for a rate), else left empty
 * \return the label, without a unit
 */
std::string ScenarioKeyAxisLabel(const std::string& key, std::string& unit);

} // namespace portlab

#endif // PORTLAB_SCENARIO_SPEC_H
