/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SCENARIO_RUNNER_H
#define PORTLAB_SCENARIO_RUNNER_H

#include "scenario/linux-predictor.h"
#include "scenario/scenario-metrics.h"
#include "scenario/scenario-spec.h"
#include "util/json-text.h"

#include "ns3/node-container.h"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-scenario
 * \brief One expectation compared with the run.
 */
struct Verdict
{
    std::string key;      //!< "expect.web.bind"
    std::string expected; //!< Linux's value: derived, recorded or as written
    std::string measured; //!< what the run gave
    bool matches{false};  //!< the run agrees with Linux (meaningful when checked)
    bool checked{true};   //!< false: Linux's value is not known for this run (see note)
    VerdictSource source{VerdictSource::SCENARIO}; //!< where the Linux value comes from
    std::string note; //!< why it is not checked ("depends on KEY, which this run changed")

    /// \return "ok", "DIFFERS" or "not checked"
    std::string Status() const;
};

/// Errno columns of timeseries.csv, in order; a last column, "other", collects the rest.
extern const std::array<const char*, 6> TIMESERIES_ERRNOS;

/// Failure columns of timeseries.csv: TIMESERIES_ERRNOS, then "other".
using FailureCounts = std::array<uint64_t, std::tuple_size_v<decltype(TIMESERIES_ERRNOS)> + 1>;

/**
 * \ingroup portlab-scenario
 * \brief One host over one interval.
 */
struct HostSample
{
    int64_t timeNs{0};         //!< end of the interval
    uint32_t host{0};          //!< index into RunResult::hosts
    uint64_t tcpPortsInUse{0}; //!< TCP ports with an owner (bound, listening, connected, TW)
    uint64_t udpSockets{0};    //!< UDP sockets
    uint64_t established{0};   //!< TCP connections (not TIME_WAIT)
    uint64_t timeWait{0};      //!< TIME_WAIT entries
    uint64_t attempted{0};     //!< connects started in the interval (clients, proxy upstream)
    uint64_t succeeded{0};     //!< of which established
    FailureCounts failed{};    //!< failures by TIMESERIES_ERRNOS + other
    uint64_t listenDrops{0};   //!< handshakes dropped by full SYN/accept queues
    /// TIME_WAITs of connections the host accepted (local port bound by one of its servers or
    /// proxies); the rest of timeWait are of connections it opened
    uint64_t timeWaitInbound{0};
};

/**
 * \ingroup portlab-scenario
 * \brief One bind() of a server or proxy process: its first, and each restart attempt.
 */
struct BindAttempt
{
    int64_t timeNs{0};    //!< when
    std::string app;      //!< the app
    uint32_t host{0};     //!< index into RunResult::hosts
    uint32_t process{0};  //!< the process's index on its host (0 unless `processes` > 1)
    std::string protocol; //!< "tcp" or "udp"
    std::string local;    //!< the address bound, as the scenario gives it ("*:80", "addr1:80")
    std::string result;   //!< "ok" or Linux's errno name
};

/**
 * \ingroup portlab-scenario
 * \brief One process (app instance) at the end of the run: what it handled. Counters that do
 * not apply to its type are 0.
 */
struct ProcessRecord
{
    std::string app;        //!< the app
    std::string type;       //!< "tcp-server", "tcp-client", ...
    uint32_t host{0};       //!< index into RunResult::hosts
    uint32_t process{0};    //!< index on its host
    std::string bind;       //!< its first bind() result ("ok", "EADDRINUSE"); empty for clients
    uint64_t accepted{0};   //!< TCP servers and proxies: connections accepted
    uint64_t served{0};     //!< TCP servers: connections served; proxies: relayed
    uint64_t received{0};   //!< UDP servers: datagrams received
    uint64_t answered{0};   //!< UDP servers: datagrams answered; UDP clients: answers received
    uint64_t attempted{0};  //!< clients: connects (datagrams) started; proxies: upstream connects
    uint64_t connected{0};  //!< clients and proxies (upstream): connects established
    uint64_t failed{0};     //!< clients and proxies (upstream): connects failed
    uint64_t localPorts{0}; //!< TCP clients: distinct local ports of established connections
};

/**
 * \ingroup portlab-scenario
 * \brief One TCP client process's established connections towards one destination.
 */
struct DestinationRecord
{
    std::string app;         //!< the client app
    uint32_t host{0};        //!< index into RunResult::hosts
    uint32_t process{0};     //!< index on its host
    std::string destination; //!< "10.0.1.2:80"
    std::string server;      //!< the host that owns the destination address, or ""
    uint64_t connections{0}; //!< connections established
    uint64_t localPorts{0};  //!< distinct local ports they used
};

/**
 * \ingroup portlab-scenario
 * \brief Everything a run measured. The runner does no I/O: collectors write this out.
 */
struct RunResult
{
    std::string scenario;            //!< scenario name
    uint64_t seed{0};                //!< the seed
    std::vector<std::string> hosts;  //!< host names, in creation order
    std::vector<HostSample> samples; //!< per interval, per host
    /// (time ns, host name, `ss -tuan` text)
    std::vector<std::tuple<int64_t, std::string, std::string>> snapshots;
    std::map<std::string, MetricValue> metrics;  //!< "SUBJECT.METRIC" -> value
    std::vector<Verdict> verdicts;               //!< one per expectation
    bool matchesLinux{true};                     //!< every checked verdict matches
    uint64_t events{0};                          //!< simulator events executed (not in outputs)
    uint64_t snapshotHostsOmitted{0};            //!< hosts left out of snapshots (large groups)
    std::vector<BindAttempt> binds;              //!< every server bind(), in time order
    std::vector<ProcessRecord> processes;        //!< every process, in app order
    std::vector<DestinationRecord> destinations; //!< per TCP client process and destination

    /// \param spec the scenario \return summary.json's content (deterministic)
    Json Summary(const ScenarioSpec& spec) const;
    /// \return timeseries.csv's content
    std::string TimeseriesCsv() const;
    /// \return binds.csv's content: one row per BindAttempt
    std::string BindsCsv() const;
    /// \return processes.csv's content: one row per ProcessRecord
    std::string ProcessesCsv() const;
    /// \return destinations.csv's content: one row per DestinationRecord
    std::string DestinationsCsv() const;
};

/**
 * \ingroup portlab-scenario
 * \brief Progress of a running scenario (for a terminal).
 */
struct RunProgress
{
    int64_t simNs{0};        //!< simulated time reached
    int64_t durationNs{0};   //!< simulated time to reach
    uint64_t connections{0}; //!< connects attempted so far (all hosts)
};

/**
 * \ingroup portlab-scenario
 * \brief How to run.
 */
struct RunOptions
{
    uint64_t seed{1};       //!< random seed
    std::string pcapPrefix; //!< when set and the scenario asks for pcap: file prefix
    std::function<void(const RunProgress&)> progress; //!< called once per interval if set
    /// called once the hosts, links and apps exist, just before the simulation runs (to
    /// connect trace sinks, e.g. the LinuxPortSpace ones); \p nodes are the hosts in order
    std::function<void(const ns3::NodeContainer& nodes)> beforeRun;
};

/**
 * \ingroup portlab-scenario
 * \brief Build the scenario's hosts, links and apps on ns-3, run it, measure, judge.
 * \param spec the scenario
 * \param options seed and hooks
 * \return what was measured and the verdicts
 */
RunResult RunScenario(const ScenarioSpec& spec, const RunOptions& options);

/**
 * \ingroup portlab-scenario
 * \brief LinuxPredictor::SteadySuccess() for one app. The success rate Linux's TIME_WAIT
 * arithmetic predicts for a TCP client app that
 * closes first: min(1, capacity / rate), capacity from ConnectCapacityPerSecond() (usable
 * ports x distinct destinations, or ports alone with bind-before-connect, over the TIME_WAIT
 * length, or over tcp_tw_reuse_delay where TcpTwskUnique() lets connect() take TIME_WAITs
 * over: tcp_tw_reuse 1, or 2 towards 127/8, with timestamps at both ends); 1 when
 * tcp_max_tw_buckets is below what the TIME_WAITs would hold. Destinations of different kinds
 * (loopback or not, timestamps or not) each serve at most their round-robin share.
 * \param spec the scenario
 * \param app the client (or proxy: its upstream) app
 * \param why receives the arithmetic, for the verdict
 * \return the predicted fraction of connects that succeed
 */
double PredictTimeWaitSuccess(const ScenarioSpec& spec, const AppSpec& app, std::string* why);

} // namespace portlab

#endif // PORTLAB_SCENARIO_RUNNER_H
