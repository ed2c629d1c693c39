/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "linux-predictor.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <limits>
#include <set>
#include <sstream>

namespace portlab
{

std::string
FormatNumber(double v)
{
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
    {
        return std::to_string(static_cast<int64_t>(v));
    }
    std::ostringstream o;
    o << std::setprecision(6) << v;
    return o.str();
}

std::string
VerdictSourceName(VerdictSource s)
{
    switch (s)
    {
    case VerdictSource::LINUX_MODEL:
        return "linux-model";
    case VerdictSource::RECORDED:
        return "recorded";
    case VerdictSource::SCENARIO:
        return "scenario";
    }
    return "scenario";
}

namespace
{

/// Relative tolerance of a derived rate (the knee's arithmetic against a packet-level run).
constexpr double RATE_TOLERANCE = 0.02;

/// The group part of a host or group name ("server2" -> "server").
std::string
GroupOf(const std::string& on)
{
    size_t d = on.find_first_of("0123456789");
    return d == std::string::npos ? on : on.substr(0, d);
}

bool
StartsWith(const std::string& s, const std::string& p)
{
    return s.compare(0, p.size(), p) == 0;
}

/// Result of integrating one flow at one scale of its offered rate.
struct Integral
{
    double attempts{0};
    double successes{0};
    double windowAttempts{0};
    double windowSuccesses{0};
    double peakHeld{0};
    std::vector<double> served;
};

} // namespace

LinuxPredictor::LinuxPredictor(const ScenarioSpec& spec)
    : m_spec(spec)
{
    const double duration = spec.durationNs / 1e9;
    // 1 ms steps (a TIME_WAIT is held 1 s or more), at most 2 million of them.
    m_dt = std::max(0.001, duration / 2e6);
    m_steps = static_cast<size_t>(std::ceil(duration / m_dt));
}

const AppSpec*
LinuxPredictor::App(const std::string& name) const
{
    for (const auto& a : m_spec.apps)
    {
        if (a.name == name)
        {
            return &a;
        }
    }
    return nullptr;
}

uint32_t
LinuxPredictor::HostsOf(const std::string& on) const
{
    for (const auto& g : m_spec.groups)
    {
        if (g.name == on)
        {
            return g.count;
        }
    }
    return 1; // one host ("server2")
}

PortSysctls
LinuxPredictor::SysctlsOf(const std::string& on, uint32_t index) const
{
    PortSysctls sys;
    std::string group = GroupOf(on);
    if (group != on)
    {
        index = static_cast<uint32_t>(std::strtoul(on.c_str() + group.size(), nullptr, 10));
    }
    for (const auto& g : m_spec.groups)
    {
        if (g.name == group)
        {
            for (const auto& setting : HostSysctls(m_spec, g, index))
            {
                setting.ApplyTo(sys);
            }
        }
    }
    return sys;
}

std::vector<const AppSpec*>
LinuxPredictor::Destinations(const AppSpec& app) const
{
    std::vector<const AppSpec*> out;
    const auto& list = app.type == AppType::TCP_PROXY ? app.upstream : app.to;
    for (const auto& d : list)
    {
        out.push_back(App(d)); // nullptr: HOST[.addrN]:PORT
    }
    return out;
}

const ConnectFlow&
LinuxPredictor::Flow(const std::string& app) const
{
    return Compute(app, 0);
}

const ConnectFlow&
LinuxPredictor::Compute(const std::string& name, int depth) const
{
    auto found = m_flows.find(name);
    if (found != m_flows.end())
    {
        return found->second;
    }
    ConnectFlow& f = m_flows[name]; // unmodelled until filled (also breaks cycles)
    const AppSpec* a = App(name);
    if (a == nullptr || depth > 16 ||
        (a->type != AppType::TCP_CLIENT && a->type != AppType::TCP_PROXY))
    {
        return f;
    }
    // Out of the model: closed loops, a connection limit, ports from bind(0) (EADDRINUSE
    // from bind, not connect), another connecting app sharing the hosts' ports.
    if (a->Number("concurrency") > 0 || a->Number("connections") > 0 ||
        (a->Number("bind_before_connect") != 0 && a->Number("bind_address_no_port") == 0))
    {
        return f;
    }
    for (const auto& b : m_spec.apps)
    {
        if (&b != a && (b.type == AppType::TCP_CLIENT || b.type == AppType::TCP_PROXY) &&
            (b.on == a->on || GroupOf(b.on) == a->on || b.on == GroupOf(a->on)))
        {
            return f;
        }
    }
    const PortSysctls sys = SysctlsOf(a->on, 1);
    const double duration = m_spec.durationNs / 1e9;
    const double warmup = m_spec.warmupNs / 1e9;

    // Destinations, by what tcp_twsk_unique() sees of their TIME_WAITs.
    std::map<std::pair<bool, bool>, uint64_t> kinds; // (timestamps, loopback) -> destinations
    uint64_t destinations = 0;
    bool clean = m_spec.linkLoss == 0;
    bool policyKnown = true;
    auto add = [&](const PortSysctls& server, bool loopback) {
        const bool tstampOk = TcpTstampOk(
            sys.tcpTimestamps,
            TcpTstampOk(server.tcpTimestamps, TcpSynOffersTimestamps(sys.tcpTimestamps)));
        ++kinds[{TcpTwTimestamps(tstampOk, true), loopback}];
    };
    const auto& list = a->type == AppType::TCP_PROXY ? a->upstream : a->to;
    for (const auto& dname : list)
    {
        const AppSpec* t = App(dname);
        if (t == nullptr)
        {
            ++destinations; // HOST[.addrN]:PORT: a listener there is not known
            add(SysctlsOf(dname.substr(0, dname.find_first_of(".:")), 1), false);
            clean = false;
            policyKnown = false;
            continue;
        }
        if ((t->type != AppType::TCP_SERVER && t->type != AppType::TCP_PROXY) ||
            t->Has("restart_at") || t->stopNs >= 0 || t->Number("accept_stop") >= 0 ||
            t->Number("backlog") >= 0 || t->startNs > a->startNs)
        {
            clean = false;
        }
        if (t->type == AppType::TCP_PROXY)
        {
            f.proxies.push_back(t->name); // clean only if the proxy's upstream never fails
        }
        // The proxy closes its upstream connections first whatever it says to its clients.
        const std::string peerClose = t->Word("close");
        if (a->type == AppType::TCP_CLIENT && peerClose != a->Word("close"))
        {
            policyKnown = false;
        }
        Ipv4 bound = ADDR_ANY;
        const bool loopback =
            ParseIpv4(t->bind.substr(0, t->bind.rfind(':')), bound) && IsLoopback(bound);
        if (GroupOf(t->on) != t->on)
        {
            ++destinations;
            add(SysctlsOf(t->on, 1), loopback);
            continue;
        }
        for (const auto& g : m_spec.groups)
        {
            if (g.name == t->on)
            {
                destinations += g.count;
                for (uint32_t i = 1; i <= g.count; ++i)
                {
                    add(SysctlsOf(t->on, i), loopback);
                }
            }
        }
    }
    if (destinations == 0 || (a->type == AppType::TCP_CLIENT && !policyKnown))
    {
        return f;
    }

    // Offered connects per host per step.
    std::vector<double> offered(m_steps, 0.0);
    double peak = 0;
    bool poisson = false;
    if (a->type == AppType::TCP_CLIENT)
    {
        const double start = a->startNs / 1e9;
        const double stop = a->stopNs < 0 ? duration : a->stopNs / 1e9;
        const double rate = a->Number("rate");
        for (size_t i = 0; i < m_steps; ++i)
        {
            const double t = i * m_dt;
            offered[i] = (t >= start && t < stop) ? rate * m_dt : 0;
        }
        peak = rate;
        poisson = a->Number("arrivals") != 0;
    }
    else
    {
        // What the proxy's clients (and proxies) deliver: their successes, not their offer.
        const uint32_t mine = HostsOf(a->on);
        bool any = false;
        for (const auto& c : m_spec.apps)
        {
            const bool client = c.type == AppType::TCP_CLIENT &&
                                std::find(c.to.begin(), c.to.end(), a->name) != c.to.end();
            const bool proxy = c.type == AppType::TCP_PROXY &&
                               std::find(c.upstream.begin(), c.upstream.end(), a->name) !=
                                   c.upstream.end();
            if (!client && !proxy)
            {
                continue;
            }
            const ConnectFlow& in = Compute(c.name, depth + 1);
            if (!in.modelled)
            {
                return f;
            }
            any = true;
            // Round robin over the sender's destination hosts: this proxy's hosts' share.
            const auto& dl = client ? c.to : c.upstream;
            uint64_t total = 0;
            uint64_t here = 0;
            for (const auto& d : dl)
            {
                const AppSpec* t = App(d);
                uint64_t n = t == nullptr ? 1 : HostsOf(t->on);
                total += n;
                here += (t == a) ? n : 0;
            }
            const double perRequest = client ? c.Number("requests_per_connection") : 1;
            const double k = HostsOf(c.on) * perRequest * double(here) / double(total) / mine;
            for (size_t i = 0; i < m_steps; ++i)
            {
                offered[i] += k * in.served[i];
            }
            peak += k * std::min(in.offered, in.capacity);
            poisson = poisson || (client && c.Number("arrivals") != 0);
        }
        if (!any)
        {
            return f;
        }
    }

    // The TIME_WAITs and the capacity they leave.
    const bool portFromBind =
        a->Number("bind_before_connect") != 0 && a->Number("bind_address_no_port") == 0;
    const bool timewait = a->type == AppType::TCP_PROXY || a->Word("close") == "client-first";
    const PortCapacity all = ConnectCapacityPerSecond(sys, destinations, portFromBind, false, false);
    std::vector<std::pair<PortCapacity, uint64_t>> parts;
    if (kinds.size() <= 1)
    {
        const bool ts = !kinds.empty() && kinds.begin()->first.first;
        const bool lo = !kinds.empty() && kinds.begin()->first.second;
        parts.emplace_back(ConnectCapacityPerSecond(sys, destinations, portFromBind, ts, lo),
                           destinations);
    }
    else
    {
        for (const auto& [kind, n] : kinds)
        {
            parts.emplace_back(ConnectCapacityPerSecond(sys, n, false, kind.first, kind.second), n);
        }
    }
    const bool unlimited = !timewait || all.overflow;
    std::ostringstream why;
    // Round robin: the capacity is reached when the first kind of destination runs out of
    // its share.
    double capacity = std::numeric_limits<double>::infinity();
    for (const auto& [c, n] : parts)
    {
        capacity = std::min(capacity, c.perSecond * destinations / double(n));
    }
    if (!timewait)
    {
        why << (a->Word("close") == "linger0" ? "linger0: no TIME_WAIT"
                                              : "the server closes first: no "
                                                "client TIME_WAIT");
    }
    else if (all.overflow)
    {
        why << "tcp_max_tw_buckets " << sys.tcpMaxTwBuckets << " < " << all.held
            << " ports the TIME_WAITs would hold";
    }
    else
    {
        for (size_t i = 0; i < parts.size(); ++i)
        {
            const auto& [c, n] = parts[i];
            why << (i > 0 ? "; " : "");
            if (c.takeover)
            {
                why << "tcp_tw_reuse=" << sys.tcpTwReuse
                    << (sys.tcpTwReuse == 2 ? " (loopback)" : "")
                    << " with timestamps: connect() takes TIME_WAITs over after "
                       "tcp_tw_reuse_delay, ";
            }
            why << c.held << " ports";
            if (!portFromBind)
            {
                why << " (" << c.ports << " x " << n << " destinations)";
            }
            why << " / " << FormatNumber(c.holdS) << " s = " << FormatNumber(c.perSecond)
                << " conn/s";
        }
    }
    why << " vs " << FormatNumber(peak) << "/s offered"
        << (a->type == AppType::TCP_PROXY ? " (what its clients' connects deliver)" : "")
        << (HostsOf(a->on) > 1 ? " per host" : "");
    if (unlimited)
    {
        capacity = std::numeric_limits<double>::infinity();
    }
    else if (peak > 0)
    {
        double served = 0;
        for (const auto& [c, n] : parts)
        {
            served += std::min(c.perSecond, peak * n / double(destinations));
        }
        f.steady = std::min(1.0, served / peak);
    }

    auto integrate = [&](double scale) {
        Integral r;
        r.served.assign(m_steps, 0.0);
        std::vector<double> held(m_steps, 0.0);
        for (const auto& [c, n] : parts)
        {
            const double share = double(n) / double(destinations);
            const size_t lag = std::max<size_t>(1, size_t(std::llround(c.holdS / m_dt)));
            std::vector<double> taken(m_steps, 0.0);
            double inUse = 0;
            for (size_t i = 0; i < m_steps; ++i)
            {
                if (i >= lag)
                {
                    inUse -= taken[i - lag];
                }
                const double want = offered[i] * share * scale;
                const double got =
                    unlimited ? want : std::max(0.0, std::min(want, double(c.held) - inUse));
                taken[i] = got;
                inUse += got;
                held[i] += inUse;
                r.served[i] += got;
                r.attempts += want;
                r.successes += got;
                if (i * m_dt >= warmup)
                {
                    r.windowAttempts += want;
                    r.windowSuccesses += got;
                }
            }
        }
        for (double h : held)
        {
            r.peakHeld = std::max(r.peakHeld, h);
        }
        return r;
    };
    Integral mid = integrate(1.0);
    // Whether connects fail must be clear of the knee: the same answer a little below and a
    // little above the offered rate (more margin for Poisson arrivals).
    double hold = parts.front().first.holdS;
    const double band =
        0.01 + (poisson ? 4.0 / std::sqrt(std::max(1.0, peak * std::max(hold, 1.0))) : 0.0);
    Integral lo = integrate(1.0 - band);
    Integral hi = integrate(1.0 + band);
    auto fails = [](const Integral& r) { return r.attempts - r.successes >= 0.5; };
    auto windowFails = [](const Integral& r) {
        return r.windowAttempts - r.windowSuccesses >= 0.5;
    };
    f.decidable = fails(lo) == fails(mid) && fails(mid) == fails(hi) &&
                  windowFails(lo) == windowFails(hi);
    f.modelled = true;
    f.clean = clean;
    f.timewait = timewait;
    f.unlimited = unlimited;
    f.offered = peak;
    f.capacity = capacity;
    f.holdS = hold;
    f.attempts = mid.attempts;
    f.successes = mid.successes;
    f.windowAttempts = mid.windowAttempts;
    f.windowSuccesses = mid.windowSuccesses;
    f.peakHeld = mid.peakHeld;
    f.served = std::move(mid.served);
    f.why = why.str();
    return f;
}

bool
LinuxPredictor::Clean(const std::string& app, int depth) const
{
    const ConnectFlow& f = Compute(app, 0);
    if (!f.modelled || !f.clean || depth > 16)
    {
        return false;
    }
    for (const auto& p : f.proxies)
    {
        const ConnectFlow& up = Compute(p, 0);
        if (!Clean(p, depth + 1) || !up.decidable || up.attempts - up.successes >= 0.5)
        {
            return false; // a failing upstream closes or resets its clients' connections
        }
    }
    return true;
}

double
LinuxPredictor::SteadySuccess(const AppSpec& app, std::string* why) const
{
    const ConnectFlow& f = Compute(app.name, 0);
    if (f.modelled)
    {
        *why = f.why;
        return f.steady;
    }
    // Outside the flow model (closed loops, bind-before-connect, shared hosts): the knee's
    // arithmetic for this app alone at its own rate.
    const PortSysctls sys = SysctlsOf(app.on, 1);
    uint64_t destinations = 0;
    std::pair<bool, bool> kind{false, false};
    for (const AppSpec* t : Destinations(app))
    {
        if (t == nullptr)
        {
            ++destinations;
            continue;
        }
        destinations += GroupOf(t->on) != t->on ? 1 : HostsOf(t->on);
        const PortSysctls server = SysctlsOf(t->on, 1);
        Ipv4 bound = ADDR_ANY;
        kind.second =
            ParseIpv4(t->bind.substr(0, t->bind.rfind(':')), bound) && IsLoopback(bound);
        kind.first = TcpTstampOk(
            sys.tcpTimestamps,
            TcpTstampOk(server.tcpTimestamps, TcpSynOffersTimestamps(sys.tcpTimestamps)));
    }
    const bool portFromBind =
        app.Number("bind_before_connect") != 0 && app.Number("bind_address_no_port") == 0;
    std::ostringstream o;
    if (app.type == AppType::TCP_CLIENT && app.Word("close") != "client-first")
    {
        *why = "the server closes first: no client TIME_WAIT";
        return 1.0;
    }
    const PortCapacity c =
        ConnectCapacityPerSecond(sys, destinations, portFromBind, kind.first, kind.second);
    if (c.overflow)
    {
        o << "tcp_max_tw_buckets " << sys.tcpMaxTwBuckets << " < " << c.held
          << " ports the TIME_WAITs would hold";
        *why = o.str();
        return 1.0;
    }
    if (c.takeover)
    {
        o << "tcp_tw_reuse=" << sys.tcpTwReuse << (sys.tcpTwReuse == 2 ? " (loopback)" : "")
          << " with timestamps: connect() takes TIME_WAITs over after tcp_tw_reuse_delay, ";
    }
    o << c.held << " ports";
    if (!portFromBind)
    {
        o << " (" << c.ports << " x " << destinations << " destinations)";
    }
    o << " / " << FormatNumber(c.holdS) << " s = " << FormatNumber(c.perSecond) << " conn/s vs "
      << FormatNumber(app.Number("rate")) << "/s offered";
    *why = o.str();
    if (app.Number("concurrency") > 0)
    {
        return 1.0;
    }
    return std::min(1.0, c.perSecond / app.Number("rate"));
}

LinuxPrediction
LinuxPredictor::Predict(const std::string& subject, const std::string& metric) const
{
    LinuxPrediction p;
    p.expect.subject = subject;
    p.expect.metric = metric;
    p.expect.key = "expect." + subject + "." + metric;
    auto rate = [&](const ConnectFlow& f, double attempts, double successes, const char* over) {
        p.derived = true;
        p.why = f.why + over;
        if (attempts < 0.5)
        {
            p.expect.kind = Expectation::NUMBER;
            p.expect.value = 0; // nothing resolved: the metric is 0
            return;
        }
        const double v = successes / attempts;
        if (f.decidable && v == 1.0)
        {
            p.expect.kind = Expectation::NUMBER;
            p.expect.value = 1;
            return;
        }
        p.expect.kind = Expectation::TOLERANCE;
        p.expect.value = v;
        p.expect.tol = RATE_TOLERANCE;
        p.expect.relative = true;
    };
    auto errors = [&](const ConnectFlow& f) {
        if (!Clean(subject, 0))
        {
            return;
        }
        p.derived = true;
        p.why = f.why;
        p.expect.kind = Expectation::WORDS;
        p.expect.text = f.attempts - f.successes >= 0.5 ? "EADDRNOTAVAIL" : "none";
        if (!f.decidable)
        {
            p.decidable = false;
            p.notChecked = "on the knee: " + f.why + ", within the margin where arrivals decide";
        }
    };
    const AppSpec* app = App(subject);
    if (app != nullptr)
    {
        const ConnectFlow& f = Compute(subject, 0);
        if (!f.modelled)
        {
            return p;
        }
        const std::string window = ", over [" + FormatNumber(m_spec.warmupNs / 1e9) + " s, " +
                                   FormatNumber(m_spec.durationNs / 1e9) + " s]";
        const std::string whole = ", over the whole run";
        if (app->type == AppType::TCP_CLIENT)
        {
            if (metric == "steady_success_rate")
            {
                rate(f, f.windowAttempts, f.windowSuccesses, window.c_str());
            }
            else if (metric == "success_rate" && Clean(subject, 0))
            {
                rate(f, f.attempts, f.successes, whole.c_str());
            }
            else if (metric == "errors")
            {
                errors(f);
            }
        }
        else if (app->type == AppType::TCP_PROXY)
        {
            if (metric == "steady_upstream_success_rate")
            {
                rate(f, f.windowAttempts, f.windowSuccesses, window.c_str());
            }
            else if (metric == "upstream_success_rate" && Clean(subject, 0))
            {
                rate(f, f.attempts, f.successes, whole.c_str());
            }
            else if (metric == "upstream_errors")
            {
                errors(f);
            }
        }
        return p;
    }
    if (metric != "timewait_peak")
    {
        return p;
    }
    // A host's TIME_WAITs: its connecting apps that close first hold them; servers that close
    // first would too (not derived).
    const std::string group = GroupOf(subject);
    double held = 0;
    std::string why;
    for (const auto& a : m_spec.apps)
    {
        if (a.on != subject && a.on != group)
        {
            continue;
        }
        switch (a.type)
        {
        case AppType::UDP_CLIENT:
        case AppType::UDP_SERVER:
            break;
        case AppType::TCP_SERVER:
            if (a.Word("close") == "server-first")
            {
                return p;
            }
            // Its clients must agree that they close (or reset) first.
            for (const auto& c : m_spec.apps)
            {
                if (c.type == AppType::TCP_CLIENT &&
                    std::find(c.to.begin(), c.to.end(), a.name) != c.to.end() &&
                    c.Word("close") != a.Word("close"))
                {
                    return p;
                }
            }
            break;
        case AppType::TCP_PROXY:
        case AppType::TCP_CLIENT: {
            if (a.type == AppType::TCP_PROXY && a.Word("close") == "server-first")
            {
                return p;
            }
            const ConnectFlow& f = Compute(a.name, 0);
            if (!f.modelled)
            {
                return p;
            }
            if (!f.timewait)
            {
                why += (why.empty() ? "" : "; ") + a.name + ": " + f.why;
                break;
            }
            if (f.unlimited || f.holdS != SysctlsOf(a.on, 1).timewaitLenMs / 1000.0)
            {
                return p; // overflow or takeovers: the count depends on the table
            }
            held += f.peakHeld;
            why += (why.empty() ? "" : "; ") + a.name + ": " + f.why;
            break;
        }
        }
    }
    p.derived = true;
    p.why = why.empty() ? "no app on the host closes first" : why;
    if (held == 0)
    {
        p.expect.kind = Expectation::NUMBER;
        p.expect.value = 0;
        return p;
    }
    // Sampled at interval ends; the last few milliseconds' connections are not in TIME_WAIT
    // yet.
    p.expect.kind = Expectation::TOLERANCE;
    p.expect.value = std::round(held);
    p.expect.tol = std::max(RATE_TOLERANCE * held, 5.0);
    p.expect.relative = false;
    return p;
}

std::vector<std::string>
LinuxPredictor::Involved(const std::string& subject) const
{
    // Apps connected to the subject through to/upstream, in either direction.
    std::set<std::string> apps;
    std::vector<std::string> todo;
    if (App(subject) != nullptr)
    {
        todo.push_back(subject);
    }
    else
    {
        for (const auto& a : m_spec.apps)
        {
            if (a.on == subject || a.on == GroupOf(subject))
            {
                todo.push_back(a.name);
            }
        }
    }
    while (!todo.empty())
    {
        std::string n = todo.back();
        todo.pop_back();
        if (!apps.insert(n).second)
        {
            continue;
        }
        const AppSpec* a = App(n);
        for (const auto& d : a->type == AppType::TCP_PROXY ? a->upstream : a->to)
        {
            if (App(d) != nullptr)
            {
                todo.push_back(d);
            }
        }
        for (const auto& b : m_spec.apps)
        {
            const auto& l = b.type == AppType::TCP_PROXY ? b.upstream : b.to;
            if (std::find(l.begin(), l.end(), n) != l.end())
            {
                todo.push_back(b.name);
            }
        }
    }
    std::vector<std::string> out(apps.begin(), apps.end());
    return out;
}

std::string
LinuxPredictor::OverrideAffecting(const Expectation& e) const
{
    const std::vector<std::string> apps = Involved(e.subject);
    std::set<std::string> groups;
    groups.insert(GroupOf(e.subject));
    for (const auto& n : apps)
    {
        const AppSpec* a = App(n);
        groups.insert(GroupOf(a->on));
        for (const auto& d : a->type == AppType::TCP_PROXY ? a->upstream : a->to)
        {
            groups.insert(GroupOf(d.substr(0, d.find_first_of(".:")))); // HOST[.addrN]:PORT
        }
    }
    // Keys this run changed: --set ones, and keys whose value comes from another file than
    // the expectation's (a user's file that extends a shipped scenario).
    std::set<std::string> changed = m_spec.overridden;
    auto file = [this](const std::string& key) {
        auto it = m_spec.keyFile.find(key);
        return it == m_spec.keyFile.end() ? std::string() : it->second;
    };
    const std::string expectFile = file(e.key);
    if (!expectFile.empty())
    {
        for (const auto& [k, f] : m_spec.keyFile)
        {
            if (f != expectFile)
            {
                changed.insert(k);
            }
        }
    }
    for (const auto& k : changed)
    {
        if (k == "description" || k == "question" || k == "linux_answer" || k == "seed" ||
            k == "pcap" || StartsWith(k, "expect."))
        {
            continue;
        }
        if (StartsWith(k, "app."))
        {
            std::string a = k.substr(4, k.find('.', 4) - 4);
            if (std::find(apps.begin(), apps.end(), a) == apps.end())
            {
                continue;
            }
        }
        else if (StartsWith(k, "group.") || StartsWith(k, "host."))
        {
            size_t s = k.find('.') + 1;
            std::string g = GroupOf(k.substr(s, k.find('.', s) - s));
            if (!groups.count(g))
            {
                continue;
            }
        }
        return k;
    }
    return "";
}

std::vector<std::string>
LinuxPredictor::Warnings() const
{
    std::vector<std::string> out;
    for (const auto& a : m_spec.apps)
    {
        if ((a.type == AppType::TCP_CLIENT || a.type == AppType::UDP_CLIENT) &&
            a.Number("concurrency") == 0 && HostsOf(a.on) > 1)
        {
            out.push_back("app." + a.name + ".rate = " + FormatNumber(a.Number("rate")) +
                          "/s is per host: the " + std::to_string(HostsOf(a.on)) +
                          " hosts of group " + a.on + " offer " +
                          FormatNumber(a.Number("rate") * HostsOf(a.on)) + "/s in all");
        }
    }
    std::set<std::string> warned;
    for (const auto& e : m_spec.expectations)
    {
        if (!StartsWith(e.metric, "steady_") || warned.count(e.subject) || App(e.subject) == nullptr)
        {
            continue;
        }
        const ConnectFlow& f = Compute(e.subject, 0);
        if (!f.modelled || f.unlimited || f.attempts - f.successes < 0.5)
        {
            continue; // ports never run out: any window gives the same value
        }
        const double warmup = m_spec.warmupNs / 1e9;
        const double window = (m_spec.durationNs - m_spec.warmupNs) / 1e9;
        const double periods = window / f.holdS;
        const bool whole = periods >= 1 - 1e-9 && std::fabs(periods - std::round(periods)) < 1e-6;
        if (whole && warmup >= f.holdS)
        {
            continue;
        }
        warned.insert(e.subject);
        std::ostringstream o;
        o << e.subject << "." << e.metric << ": the steady window [" << FormatNumber(warmup)
          << " s, " << FormatNumber(warmup + window) << " s] ";
        if (warmup < f.holdS)
        {
            o << "starts before the first TIME_WAITs end (" << FormatNumber(f.holdS) << " s)";
        }
        else
        {
            o << "is " << FormatNumber(window) << " s, not a whole number of TIME_WAIT periods ("
              << FormatNumber(f.holdS) << " s)";
        }
        o << ", so it measures a transient; its Linux value is integrated over the same window. "
             "A steady value needs warmup >= "
          << FormatNumber(f.holdS) << "s and duration = warmup + k x " << FormatNumber(f.holdS)
          << "s (e.g. duration="
          << FormatNumber(std::max(warmup, f.holdS) + f.holdS * std::max(1.0, std::round(periods)))
          << "s" << (warmup < f.holdS ? " warmup=" + FormatNumber(f.holdS + 5) + "s" : "") << ")";
        out.push_back(o.str());
    }
    return out;
}

bool
LinuxPredictor::HasRandomness() const
{
    if (m_spec.linkLoss > 0 || !m_spec.portSelector.empty())
    {
        return true;
    }
    for (const auto& g : m_spec.groups)
    {
        if (!g.portSelector.empty() || !g.hostPortSelectors.empty())
        {
            return true;
        }
    }
    uint32_t reuseport = 0;
    for (const auto& a : m_spec.apps)
    {
        if (a.Number("arrivals") != 0)
        {
            return true;
        }
        if (a.Number("reuseport") != 0)
        {
            reuseport += a.processes * HostsOf(a.on);
        }
    }
    return reuseport > 1;
}

} // namespace portlab
