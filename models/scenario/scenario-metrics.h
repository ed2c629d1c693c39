/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SCENARIO_METRICS_H
#define PORTLAB_SCENARIO_METRICS_H

#include "scenario/app-options.h"
#include "scenario/port-guess-meter.h"
#include "scenario/scenario-spec.h"

#include "ns3/application.h"
#include "ns3/node.h"

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
 * \brief A metric a scenario run measures, of an app ("web.accepted") or of a host
 * ("client1.timewait"). The runner writes metrics by these ids, expectations are checked
 * against the same table: a name is written once, in ScenarioMetrics().
 */
enum class Metric
{
    // apps
    BIND,                         //!< servers: first bind() result of each process
    ACCEPTED,                     //!< TCP servers, proxies: connections accepted
    SERVED,                       //!< TCP servers: connections served
    RECEIVED,                     //!< UDP servers: datagrams received
    ANSWERED,                     //!< UDP servers and clients: datagrams answered
    RELAYED,                      //!< proxies: requests relayed
    SHARE_MIN,                    //!< servers: smallest process share
    SHARE_MAX,                    //!< servers: largest process share
    LISTENERS,                    //!< TCP servers: processes listening at the end
    RESTART_BINDS,                //!< TCP servers: results of the restart's binds
    RESTART_FIRST,                //!< TCP servers: the restart's first bind result
    RESTART_WAIT,                 //!< TCP servers: seconds from the restart to listening
    UPSTREAM_ATTEMPTED,           //!< proxies: upstream connects started
    UPSTREAM_CONNECTED,           //!< proxies: upstream connects established
    UPSTREAM_SUCCESS_RATE,        //!< proxies: established / resolved upstream connects
    UPSTREAM_ERRORS,              //!< proxies: errno names of failed upstream connects
    STEADY_UPSTREAM_SUCCESS_RATE, //!< proxies: UPSTREAM_SUCCESS_RATE after the warmup
    ATTEMPTED,                    //!< TCP clients: connects started
    CONNECTED,                    //!< TCP clients: connects established
    COMPLETED,                    //!< TCP clients: connections completed
    INCOMPLETE,                   //!< TCP clients: connections that failed later
    SENT,                         //!< UDP clients: datagrams sent
    SUCCESS_RATE,                 //!< clients: established (answered) / resolved (sent)
    STEADY_SUCCESS_RATE,          //!< TCP clients: SUCCESS_RATE after the warmup
    STEADY_RATE,                  //!< TCP clients: connections per second after the warmup
    ERRORS,                       //!< clients: errno names of failures
    // hosts
    TIMEWAIT,           //!< TIME_WAIT entries at the end
    TIMEWAIT_PEAK,      //!< largest TIME_WAIT count sampled
    TW_OVERFLOW,        //!< TIME_WAITs not created (tcp_max_tw_buckets)
    TW_RECYCLED,        //!< TIME_WAITs taken over by connect()
    PORTS_SHARED,       //!< largest count of local ports with >= 2 connections
    MAX_PEERS_PER_PORT, //!< largest count of peers on one local port
    LISTEN_DROPS,       //!< handshakes a listener dropped (TcpExtListenDrops), per listening host
    PORT_GUESS,         //!< chance of guessing the next connect() port (PortGuessMeter)
};

/**
 * \ingroup portlab-scenario
 * \brief One metric: its name and whose it is.
 */
struct MetricDecl
{
    Metric id;                 //!< the metric
    const char* name;          //!< its name after "SUBJECT."
    std::vector<AppType> apps; //!< app types that have it (empty: a host metric)
};

/// \return every metric, apps' first
const std::vector<MetricDecl>& ScenarioMetrics();

/// \param m a metric \return its name ("steady_success_rate")
std::string MetricName(Metric m);

/// \param t an app type \return the names of its metrics (without failed.ERRNO)
std::set<std::string> AppMetricNames(AppType t);

/// \return the names of a host's metrics
std::set<std::string> HostMetricNames();

/// Clients also count failures by errno: "failed.EADDRNOTAVAIL" (this prefix, then the name).
constexpr const char* FAILED_METRIC_PREFIX = "failed.";

/// \param t an app type \return whether it has failed.ERRNO metrics (clients)
bool HasErrnoCountMetrics(AppType t);

/**
 * \ingroup portlab-scenario
 * \brief A measured value: a number, or words (bind results, errno names).
 */
struct MetricValue
{
    bool isNumber{true}; //!< which of the two it holds
    double number{0};    //!< the number
    std::string words;   //!< the words ("ok EADDRINUSE")

    /// \return the value as summary.json and verdicts print it
    std::string ToString() const;
};

/// \param counts counts by errno \return their sum
uint64_t TotalCount(const std::map<std::string, uint64_t>& counts);

/**
 * \ingroup portlab-scenario
 * \brief What a process did, counted from its traces (WatchProcess()); a counter its type
 * has no trace for stays 0.
 */
struct ProcessCounters
{
    /// bind() results of its listener or socket, with their times (ns)
    std::vector<std::pair<int64_t, std::string>> binds;
    bool listening{false};     //!< TCP servers: listening now
    bool restarting{false};    //!< TCP servers: closed for a restart, not yet listening again
    int64_t restartedAtNs{-1}; //!< TCP servers: listening again after the restart (-1: not)
    uint64_t accepted{0};      //!< TCP servers, proxies: connections accepted
    uint64_t served{0};        //!< TCP servers: responses sent
    uint64_t received{0};      //!< UDP: datagrams received (servers) or answers (clients)
    uint64_t answered{0};      //!< UDP servers: answers sent
    uint64_t relayed{0};       //!< proxies: responses relayed
    uint64_t attempted{0};     //!< TCP clients, proxies (upstream): connects started
    uint64_t connected{0};     //!< TCP clients, proxies (upstream): connects established
    uint64_t completed{0};     //!< TCP clients: exchanges completed
    uint64_t incomplete{0};    //!< TCP clients: connections closed before their last exchange
    uint64_t sent{0};          //!< UDP clients: datagrams sent
    /// TCP clients and proxies: failed connects; UDP clients: failed calls; by errno
    std::map<std::string, uint64_t> failures;
    std::map<std::string, uint64_t> aborted; //!< TCP clients: established, then failed

    /// \return the last bind() result, "" if none
    std::string BindResult() const;
};

/**
 * \ingroup portlab-scenario
 * \brief Count what a process does from its trace sources.
 * \param type the app's type (which traces it has)
 * \param app the process
 * \param counters where to count; must outlive the process's run
 */
void WatchProcess(AppType type, ns3::Ptr<ns3::Application> app, ProcessCounters& counters);

/**
 * \ingroup portlab-scenario
 * \brief One process of a run, as its metrics see it.
 */
struct MeasuredProcess
{
    const AppSpec* app;              //!< its app
    uint32_t host;                   //!< its host's index
    const ProcessCounters* counters; //!< what it did
};

/**
 * \ingroup portlab-scenario
 * \brief One host of a run, with what the run tracked of it over time.
 */
struct MeasuredHost
{
    std::string name;                //!< "client1"
    ns3::Ptr<ns3::Node> node;        //!< its node (its port tables at the end)
    uint64_t twPeak;                 //!< largest TIME_WAIT count sampled
    uint64_t portsShared;            //!< largest count of shared local ports
    uint64_t maxPeersPerPort;        //!< largest count of peers on one port
    const PortGuessMeter* portGuess; //!< when the scenario names its port selector
    bool listens;                    //!< a server or proxy of the scenario listens on it
};

/// Per app: (resolved connects, established connects) at the warmup.
using WarmupCounts = std::map<std::string, std::pair<uint64_t, uint64_t>>;

/**
 * \ingroup portlab-scenario
 * \param processes the run's processes
 * \return what the steady metrics count from: TCP clients' and proxies' (upstream) connects
 */
WarmupCounts CountAtWarmup(const std::vector<MeasuredProcess>& processes);

/**
 * \ingroup portlab-scenario
 * \brief The run's metrics, written under the names of ScenarioMetrics().
 * \param spec the scenario
 * \param processes its processes, in app order
 * \param warm the counts at the warmup (CountAtWarmup())
 * \param hosts its hosts
 * \return "SUBJECT.METRIC" -> value
 */
std::map<std::string, MetricValue> MeasureMetrics(const ScenarioSpec& spec,
                                                  const std::vector<MeasuredProcess>& processes,
                                                  const WarmupCounts& warm,
                                                  const std::vector<MeasuredHost>& hosts);

} // namespace portlab

#endif // PORTLAB_SCENARIO_METRICS_H
