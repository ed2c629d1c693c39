/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario-metrics.h"

#include "port-guess-meter.h"

#include <algorithm>

namespace portlab
{

const std::vector<MetricDecl>&
ScenarioMetrics()
{
    using T = AppType;
    const std::vector<AppType> servers = {T::TCP_SERVER, T::UDP_SERVER, T::TCP_PROXY};
    static const std::vector<MetricDecl> table = {
        {Metric::BIND, "bind", servers},
        {Metric::ACCEPTED, "accepted", {T::TCP_SERVER, T::TCP_PROXY}},
        {Metric::SERVED, "served", {T::TCP_SERVER}},
        {Metric::RECEIVED, "received", {T::UDP_SERVER}},
        {Metric::ANSWERED, "answered", {T::UDP_SERVER, T::UDP_CLIENT}},
        {Metric::RELAYED, "relayed", {T::TCP_PROXY}},
        {Metric::SHARE_MIN, "share_min", servers},
        {Metric::SHARE_MAX, "share_max", servers},
        {Metric::LISTENERS, "listeners", {T::TCP_SERVER}},
        {Metric::RESTART_BINDS, "restart_binds", {T::TCP_SERVER}},
        {Metric::RESTART_FIRST, "restart_first", {T::TCP_SERVER}},
        {Metric::RESTART_WAIT, "restart_wait", {T::TCP_SERVER}},
        {Metric::UPSTREAM_ATTEMPTED, "upstream_attempted", {T::TCP_PROXY}},
        {Metric::UPSTREAM_CONNECTED, "upstream_connected", {T::TCP_PROXY}},
        {Metric::UPSTREAM_SUCCESS_RATE, "upstream_success_rate", {T::TCP_PROXY}},
        {Metric::UPSTREAM_ERRORS, "upstream_errors", {T::TCP_PROXY}},
        {Metric::STEADY_UPSTREAM_SUCCESS_RATE, "steady_upstream_success_rate", {T::TCP_PROXY}},
        {Metric::ATTEMPTED, "attempted", {T::TCP_CLIENT}},
        {Metric::CONNECTED, "connected", {T::TCP_CLIENT}},
        {Metric::COMPLETED, "completed", {T::TCP_CLIENT}},
        {Metric::INCOMPLETE, "incomplete", {T::TCP_CLIENT}},
        {Metric::SENT, "sent", {T::UDP_CLIENT}},
        {Metric::SUCCESS_RATE, "success_rate", {T::TCP_CLIENT, T::UDP_CLIENT}},
        {Metric::STEADY_SUCCESS_RATE, "steady_success_rate", {T::TCP_CLIENT}},
        {Metric::STEADY_RATE, "steady_rate", {T::TCP_CLIENT}},
        {Metric::ERRORS, "errors", {T::TCP_CLIENT, T::UDP_CLIENT}},
        {Metric::TIMEWAIT, "timewait", {}},
        {Metric::TIMEWAIT_PEAK, "timewait_peak", {}},
        {Metric::TW_OVERFLOW, "tw_overflow", {}},
        {Metric::TW_RECYCLED, "tw_recycled", {}},
        {Metric::PORTS_SHARED, "ports_shared", {}},
        {Metric::MAX_PEERS_PER_PORT, "max_peers_per_port", {}},
        {Metric::LISTEN_DROPS, "listen_drops", {}},
        {Metric::PORT_GUESS, PortGuessMeter::METRIC, {}},
    };
    return table;
}

std::string
MetricName(Metric m)
{
    for (const auto& d : ScenarioMetrics())
    {
        if (d.id == m)
        {
            return d.name;
        }
    }
    return "?";
}

std::set<std::string>
AppMetricNames(AppType t)
{
    std::set<std::string> out;
    for (const auto& d : ScenarioMetrics())
    {
        if (std::find(d.apps.begin(), d.apps.end(), t) != d.apps.end())
        {
            out.insert(d.name);
        }
    }
    return out;
}

std::set<std::string>
HostMetricNames()
{
    std::set<std::string> out;
    for (const auto& d : ScenarioMetrics())
    {
        if (d.apps.empty())
        {
            out.insert(d.name);
        }
    }
    return out;
}

bool
HasErrnoCountMetrics(AppType t)
{
    return t == AppType::TCP_CLIENT || t == AppType::UDP_CLIENT;
}

} // namespace portlab
