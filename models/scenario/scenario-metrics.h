/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SCENARIO_METRICS_H
#define PORTLAB_SCENARIO_METRICS_H

#include "app-options.h"

#include <set>
#include <string>
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
    LISTEN_DROPS,       //!< handshakes dropped by full queues (declared; not yet measured)
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

} // namespace portlab

#endif // PORTLAB_SCENARIO_METRICS_H
