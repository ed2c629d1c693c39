/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/scenario-metrics.h"

#include "scenario/port-guess-meter.h"
#include "transport/linux-port-space.h"

#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/socket.h"

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

std::string
ProcessCounters::BindResult() const
{
    return binds.empty() ? "" : binds.back().second;
}

void
WatchProcess(AppType type, ns3::Ptr<ns3::Application> app, ProcessCounters& c)
{
    using ns3::Callback;
    using Void = Callback<void>;
    using Text = Callback<void, std::string>;
    using Accept = Callback<void, ns3::Ptr<ns3::Socket>, const ns3::Address&>;
    using SocketOnly = Callback<void, ns3::Ptr<ns3::Socket>>;
    using Datagram = Callback<void, ns3::Ptr<const ns3::Packet>, const ns3::Address&>;
    ProcessCounters* k = &c;
    // A listener's bind() results; "listen: ERRNO" (listen() failing after a bind) is not one.
    auto bind = Text([k](std::string r) {
        if (r.compare(0, 8, "listen: ") != 0)
        {
            k->binds.emplace_back(ns3::Simulator::Now().GetNanoSeconds(), r);
        }
    });
    auto outcome = Text([k](std::string r) { r == "ok" ? ++k->connected : ++k->failures[r]; });
    switch (type)
    {
    case AppType::TCP_SERVER:
        app->TraceConnectWithoutContext("Bind", bind);
        app->TraceConnectWithoutContext(
            "Accept",
            Accept([k](ns3::Ptr<ns3::Socket>, const ns3::Address&) { ++k->accepted; }));
        app->TraceConnectWithoutContext("Served",
                                        SocketOnly([k](ns3::Ptr<ns3::Socket>) { ++k->served; }));
        app->TraceConnectWithoutContext("Restart", Void([k]() { k->restarting = true; }));
        app->TraceConnectWithoutContext("Listening", Callback<void, bool>([k](bool on) {
                                            k->listening = on;
                                            if (on && k->restarting)
                                            {
                                                k->restarting = false;
                                                k->restartedAtNs =
                                                    ns3::Simulator::Now().GetNanoSeconds();
                                            }
                                        }));
        break;
    case AppType::UDP_SERVER:
        app->TraceConnectWithoutContext("Bind", bind);
        app->TraceConnectWithoutContext(
            "Rx",
            Datagram([k](ns3::Ptr<const ns3::Packet>, const ns3::Address&) { ++k->received; }));
        app->TraceConnectWithoutContext(
            "Tx",
            Datagram([k](ns3::Ptr<const ns3::Packet>, const ns3::Address&) { ++k->answered; }));
        break;
    case AppType::TCP_PROXY:
        app->TraceConnectWithoutContext("Bind", bind);
        app->TraceConnectWithoutContext(
            "Accept",
            Accept([k](ns3::Ptr<ns3::Socket>, const ns3::Address&) { ++k->accepted; }));
        app->TraceConnectWithoutContext("Relayed",
                                        SocketOnly([k](ns3::Ptr<ns3::Socket>) { ++k->relayed; }));
        app->TraceConnectWithoutContext("UpstreamAttempt", Void([k]() { ++k->attempted; }));
        app->TraceConnectWithoutContext("UpstreamResult", outcome);
        break;
    case AppType::TCP_CLIENT:
        app->TraceConnectWithoutContext("Attempt", Void([k]() { ++k->attempted; }));
        app->TraceConnectWithoutContext("Result", outcome);
        app->TraceConnectWithoutContext("Complete", Void([k]() { ++k->completed; }));
        app->TraceConnectWithoutContext("Incomplete", Void([k]() { ++k->incomplete; }));
        app->TraceConnectWithoutContext("Abort", Text([k](std::string r) { ++k->aborted[r]; }));
        break;
    case AppType::UDP_CLIENT:
        app->TraceConnectWithoutContext(
            "Tx",
            Datagram([k](ns3::Ptr<const ns3::Packet>, const ns3::Address&) { ++k->sent; }));
        app->TraceConnectWithoutContext(
            "Rx",
            Datagram([k](ns3::Ptr<const ns3::Packet>, const ns3::Address&) { ++k->received; }));
        app->TraceConnectWithoutContext("Error",
                                        Callback<void, std::string, std::string>(
                                            [k](std::string, std::string e) { ++k->failures[e]; }));
        break;
    }
}

uint64_t
TotalCount(const std::map<std::string, uint64_t>& counts)
{
    uint64_t n = 0;
    for (const auto& [e, c] : counts)
    {
        n += c;
    }
    return n;
}

namespace
{

/// \param to counts to add to \param from counts by errno
void
AddCounts(std::map<std::string, uint64_t>& to, const std::map<std::string, uint64_t>& from)
{
    for (const auto& [e, c] : from)
    {
        to[e] += c;
    }
}

/// "ok ok EADDRINUSE" from a list of results.
std::string
Join(const std::vector<std::string>& words)
{
    std::string s;
    for (const auto& w : words)
    {
        s += (s.empty() ? "" : " ") + w;
    }
    return s.empty() ? "none" : s;
}

} // namespace

WarmupCounts
CountAtWarmup(const std::vector<MeasuredProcess>& processes)
{
    WarmupCounts warm;
    for (const auto& in : processes)
    {
        if (in.app->type == AppType::TCP_CLIENT || in.app->type == AppType::TCP_PROXY)
        {
            // Resolved connects (established or refused): those in flight count later.
            const ProcessCounters& c = *in.counters;
            warm[in.app->name].first += c.connected + TotalCount(c.failures);
            warm[in.app->name].second += c.connected;
        }
    }
    return warm;
}

std::map<std::string, MetricValue>
MeasureMetrics(const ScenarioSpec& spec,
               const std::vector<MeasuredProcess>& processes,
               const WarmupCounts& warm,
               const std::vector<MeasuredHost>& hosts)
{
    std::map<std::string, MetricValue> r;
    auto num = [&](const std::string& k, double v) { r[k] = MetricValue{true, v, ""}; };
    auto words = [&](const std::string& k, const std::string& w) {
        r[k] = MetricValue{false, 0, w};
    };
    auto warmOf = [&](const std::string& app) {
        auto it = warm.find(app);
        return it == warm.end() ? std::pair<uint64_t, uint64_t>{0, 0} : it->second;
    };
    // A client's failures: `errors` (the errno names seen) and `failed.ERRNO` counts.
    auto errorMetrics = [&](const std::string& p, const std::map<std::string, uint64_t>& errors) {
        std::vector<std::string> names;
        for (const auto& [e, n] : errors)
        {
            names.push_back(e);
            num(p + FAILED_METRIC_PREFIX + e, n);
        }
        words(p + MetricName(Metric::ERRORS), Join(names));
    };
    for (const auto& a : spec.apps)
    {
        const std::string p = a.name + ".";
        std::vector<const MeasuredProcess*> mine;
        for (const auto& in : processes)
        {
            if (in.app == &a)
            {
                mine.push_back(&in);
            }
        }
        std::vector<std::string> binds;
        std::vector<double> shares;
        double total = 0;
        switch (a.type)
        {
        case AppType::TCP_SERVER: {
            uint64_t accepted = 0;
            uint64_t served = 0;
            uint64_t listeners = 0;
            std::vector<std::string> restart;
            double wait = -1;
            for (const auto* in : mine)
            {
                const ProcessCounters& s = *in->counters;
                const auto& history = s.binds;
                binds.push_back(history.empty() ? "none" : history.front().second);
                accepted += s.accepted;
                served += s.served;
                shares.push_back(s.accepted);
                listeners += s.listening ? 1 : 0;
                for (size_t i = 1; i < history.size(); ++i)
                {
                    if (restart.empty() || restart.back() != history[i].second)
                    {
                        restart.push_back(history[i].second);
                    }
                }
                if (a.Has("restart_at") && s.restartedAtNs >= 0)
                {
                    wait = std::max(
                        wait,
                        (ns3::NanoSeconds(s.restartedAtNs) - ns3::NanoSeconds(a.Ns("restart_at")))
                            .GetSeconds());
                }
            }
            total = accepted;
            num(p + MetricName(Metric::ACCEPTED), accepted);
            num(p + MetricName(Metric::SERVED), served);
            num(p + MetricName(Metric::LISTENERS), listeners);
            words(p + MetricName(Metric::RESTART_BINDS), Join(restart));
            words(p + MetricName(Metric::RESTART_FIRST),
                  restart.empty() ? "none" : restart.front());
            num(p + MetricName(Metric::RESTART_WAIT), wait);
            break;
        }
        case AppType::UDP_SERVER: {
            uint64_t received = 0;
            uint64_t answered = 0;
            for (const auto* in : mine)
            {
                const ProcessCounters& s = *in->counters;
                binds.push_back(s.BindResult().empty() ? "none" : s.BindResult());
                received += s.received;
                answered += s.answered;
                shares.push_back(s.received);
            }
            total = received;
            num(p + MetricName(Metric::RECEIVED), received);
            num(p + MetricName(Metric::ANSWERED), answered);
            break;
        }
        case AppType::TCP_PROXY: {
            uint64_t accepted = 0;
            uint64_t relayed = 0;
            uint64_t attempted = 0;
            uint64_t connected = 0;
            std::map<std::string, uint64_t> errors;
            for (const auto* in : mine)
            {
                const ProcessCounters& x = *in->counters;
                binds.push_back(x.BindResult().empty() ? "none" : x.BindResult());
                accepted += x.accepted;
                relayed += x.relayed;
                attempted += x.attempted;
                connected += x.connected;
                shares.push_back(x.accepted);
                AddCounts(errors, x.failures);
            }
            total = accepted;
            num(p + MetricName(Metric::ACCEPTED), accepted);
            num(p + MetricName(Metric::RELAYED), relayed);
            num(p + MetricName(Metric::UPSTREAM_ATTEMPTED), attempted);
            num(p + MetricName(Metric::UPSTREAM_CONNECTED), connected);
            uint64_t resolved = connected + TotalCount(errors);
            num(p + MetricName(Metric::UPSTREAM_SUCCESS_RATE),
                resolved ? double(connected) / resolved : 0);
            std::vector<std::string> names;
            for (const auto& [e, n] : errors)
            {
                names.push_back(e);
            }
            words(p + MetricName(Metric::UPSTREAM_ERRORS), Join(names));
            auto w = warmOf(a.name);
            double dA = double(resolved) - double(w.first);
            double dC = double(connected) - double(w.second);
            num(p + MetricName(Metric::STEADY_UPSTREAM_SUCCESS_RATE), dA > 0 ? dC / dA : 0);
            break;
        }
        case AppType::TCP_CLIENT: {
            uint64_t attempted = 0;
            uint64_t connected = 0;
            uint64_t completed = 0;
            uint64_t incomplete = 0;
            uint64_t refused = 0;
            std::map<std::string, uint64_t> errors;
            for (const auto* in : mine)
            {
                const ProcessCounters& c = *in->counters;
                attempted += c.attempted;
                connected += c.connected;
                completed += c.completed;
                incomplete += c.incomplete;
                refused += TotalCount(c.failures);
                AddCounts(errors, c.failures);
                AddCounts(errors, c.aborted);
            }
            num(p + MetricName(Metric::ATTEMPTED), attempted);
            num(p + MetricName(Metric::CONNECTED), connected);
            num(p + MetricName(Metric::COMPLETED), completed);
            num(p + MetricName(Metric::INCOMPLETE), incomplete);
            // Connects still in flight when the run ends count neither way.
            uint64_t resolved = connected + refused;
            num(p + MetricName(Metric::SUCCESS_RATE), resolved ? double(connected) / resolved : 0);
            auto w = warmOf(a.name);
            double dA = double(resolved) - double(w.first);
            double dC = double(connected) - double(w.second);
            num(p + MetricName(Metric::STEADY_SUCCESS_RATE), dA > 0 ? dC / dA : 0);
            num(p + MetricName(Metric::STEADY_RATE),
                dC / ((spec.durationNs - spec.warmupNs) / 1e9));
            errorMetrics(p, errors);
            break;
        }
        case AppType::UDP_CLIENT: {
            uint64_t sent = 0;
            uint64_t answered = 0;
            std::map<std::string, uint64_t> errors;
            for (const auto* in : mine)
            {
                const ProcessCounters& c = *in->counters;
                sent += c.sent;
                answered += c.received;
                AddCounts(errors, c.failures);
            }
            num(p + MetricName(Metric::SENT), sent);
            num(p + MetricName(Metric::ANSWERED), answered);
            num(p + MetricName(Metric::SUCCESS_RATE), sent ? double(answered) / sent : 0);
            errorMetrics(p, errors);
            break;
        }
        }
        if (!binds.empty())
        {
            words(p + MetricName(Metric::BIND), Join(binds));
        }
        if (!shares.empty())
        {
            double lo = 1;
            double hi = 0;
            for (double s : shares)
            {
                double f = total > 0 ? s / total : 0;
                lo = std::min(lo, f);
                hi = std::max(hi, f);
            }
            num(p + MetricName(Metric::SHARE_MIN), total > 0 ? lo : 0);
            num(p + MetricName(Metric::SHARE_MAX), hi);
        }
    }
    for (const auto& h : hosts)
    {
        const std::string p = h.name + ".";
        auto ports = h.node->GetObject<ns3::LinuxPortSpace>();
        const auto& tcp = ports->Host().Tcp();
        num(p + MetricName(Metric::TIMEWAIT), tcp.TimeWaitCount());
        num(p + MetricName(Metric::TIMEWAIT_PEAK), h.twPeak);
        num(p + MetricName(Metric::TW_OVERFLOW), tcp.Counters().timeWaitOverflow);
        num(p + MetricName(Metric::TW_RECYCLED), tcp.Counters().timeWaitRecycled);
        num(p + MetricName(Metric::PORTS_SHARED), h.portsShared);
        num(p + MetricName(Metric::MAX_PEERS_PER_PORT), h.maxPeersPerPort);
        if (h.listens)
        {
            num(p + MetricName(Metric::LISTEN_DROPS),
                ports->Mib().Get(ns3::LinuxMib::TCP_EXT_LISTEN_DROPS));
        }
        if (h.portGuess != nullptr && h.portGuess->Guesses() > 0)
        {
            num(p + MetricName(Metric::PORT_GUESS), h.portGuess->Probability());
        }
    }
    return r;
}

} // namespace portlab
