/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/linux-predictor.h"

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
    std::vector<double> timewaits;
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

bool
LinuxPredictor::Delivered(const AppSpec& target,
                          int depth,
                          bool requests,
                          std::vector<double>& perStep,
                          double* peak,
                          bool* poisson) const
{
    perStep.assign(m_steps, 0.0);
    const uint32_t mine = HostsOf(target.on);
    bool any = false;
    for (const auto& c : m_spec.apps)
    {
        const bool client = c.type == AppType::TCP_CLIENT &&
                            std::find(c.to.begin(), c.to.end(), target.name) != c.to.end();
        const bool proxy =
            c.type == AppType::TCP_PROXY &&
            std::find(c.upstream.begin(), c.upstream.end(), target.name) != c.upstream.end();
        if (!client && !proxy)
        {
            continue;
        }
        const ConnectFlow& in = Compute(c.name, depth + 1);
        if (!in.modelled)
        {
            return false;
        }
        any = true;
        // Round robin over the sender's destination hosts: the target's hosts' share.
        const auto& dl = client ? c.to : c.upstream;
        uint64_t total = 0;
        uint64_t here = 0;
        for (const auto& d : dl)
        {
            const AppSpec* t = App(d);
            uint64_t n = t == nullptr ? 1 : HostsOf(t->on);
            total += n;
            here += (t == &target) ? n : 0;
        }
        const double perRequest = client && requests ? c.Number("requests_per_connection") : 1;
        const double k = HostsOf(c.on) * perRequest * double(here) / double(total) / mine;
        for (size_t i = 0; i < m_steps; ++i)
        {
            perStep[i] += k * in.served[i];
        }
        *peak += k * std::min(in.offered, in.capacity);
        *poisson = *poisson || (client && (c.Number("arrivals") != 0));
    }
    return any;
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
    // from bind, not connect), another connecting app sharing the hosts' ports while either
    // leaves TIME_WAITs.
    if (a->Number("concurrency") > 0 || a->Number("connections") > 0 ||
        ((a->Number("bind_before_connect") != 0) && !(a->Number("bind_address_no_port") != 0)))
    {
        return f;
    }
    // A client that leaves no TIME_WAIT holds a port only while connected, and TIME_WAITs
    // block only their own destinations: such apps may share a host towards other
    // destinations.
    auto holdsNone = [](const AppSpec& x) {
        return x.type == AppType::TCP_CLIENT && x.Word("close") != "client-first";
    };
    for (const auto& b : m_spec.apps)
    {
        if (&b == a || (b.type != AppType::TCP_CLIENT && b.type != AppType::TCP_PROXY) ||
            !(b.on == a->on || GroupOf(b.on) == a->on || b.on == GroupOf(a->on)))
        {
            continue;
        }
        bool overlap = false;
        for (const AppSpec* d : Destinations(b))
        {
            for (const AppSpec* e : Destinations(*a))
            {
                overlap = overlap || d == nullptr || e == nullptr || d->on == e->on ||
                          GroupOf(d->on) == e->on || d->on == GroupOf(e->on);
            }
        }
        if (overlap || !(holdsNone(*a) || holdsNone(b)))
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
            (t->Has("restart_at") ? t->Ns("restart_at") : -1) >= 0 || t->stopNs >= 0 ||
            t->Ns("accept_stop") >= 0 || t->Number("backlog") >= 0 || t->startNs > a->startNs)
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
        for (size_t i = 0; i < m_steps; ++i)
        {
            const double t = i * m_dt;
            offered[i] = (t >= start && t < stop) ? a->Number("rate") * m_dt : 0;
        }
        peak = a->Number("rate");
        poisson = (a->Number("arrivals") != 0);
    }
    else
    {
        // What the proxy's clients (and proxies) deliver: their successes, not their offer.
        if (!Delivered(*a, depth, true, offered, &peak, &poisson))
        {
            return f;
        }
    }

    // The TIME_WAITs and the capacity they leave.
    const bool portFromBind =
        (a->Number("bind_before_connect") != 0) && !(a->Number("bind_address_no_port") != 0);
    const bool timewait = a->type == AppType::TCP_PROXY || a->Word("close") == "client-first";
    const PortCapacity all =
        ConnectCapacityPerSecond(sys, destinations, portFromBind, false, false);
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
        r.timewaits.assign(m_steps, 0.0);
        std::vector<double> held(m_steps, 0.0);
        for (const auto& [c, n] : parts)
        {
            const double share = double(n) / double(destinations);
            const size_t lag = std::max<size_t>(1, size_t(std::llround(c.holdS / m_dt)));
            const size_t twLag = std::max<size_t>(1, size_t(std::llround(c.timewaitS / m_dt)));
            std::vector<double> taken(m_steps, 0.0);
            double inUse = 0;
            double inTimeWait = 0; // closed within the TIME_WAIT length
            for (size_t i = 0; i < m_steps; ++i)
            {
                if (i >= lag)
                {
                    inUse -= taken[i - lag];
                }
                if (i >= twLag)
                {
                    inTimeWait -= taken[i - twLag];
                }
                const double want = offered[i] * share * scale;
                const double got =
                    unlimited ? want : std::max(0.0, std::min(want, double(c.held) - inUse));
                taken[i] = got;
                inUse += got;
                inTimeWait += got;
                held[i] += inUse;
                // A takeover ends a TIME_WAIT early: each 4-tuple holds at most one, so the
                // count stays at what the TIME_WAITs hold when connect() comes back to them.
                r.timewaits[i] += timewait ? std::min(inTimeWait, double(c.held)) : 0.0;
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
    f.decidable =
        fails(lo) == fails(mid) && fails(mid) == fails(hi) && windowFails(lo) == windowFails(hi);
    f.modelled = true;
    f.clean = clean;
    f.timewait = timewait;
    f.unlimited = unlimited;
    f.offered = peak;
    f.capacity = capacity;
    f.holdS = hold;
    f.takeover =
        std::any_of(parts.begin(), parts.end(), [](const auto& c) { return c.first.takeover; });
    f.attempts = mid.attempts;
    f.successes = mid.successes;
    f.windowAttempts = mid.windowAttempts;
    f.windowSuccesses = mid.windowSuccesses;
    f.peakHeld = mid.peakHeld;
    f.served = std::move(mid.served);
    f.timewaits = std::move(mid.timewaits);
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
        kind.second = ParseIpv4(t->bind.substr(0, t->bind.rfind(':')), bound) && IsLoopback(bound);
        kind.first = TcpTstampOk(
            sys.tcpTimestamps,
            TcpTstampOk(server.tcpTimestamps, TcpSynOffersTimestamps(sys.tcpTimestamps)));
    }
    const bool portFromBind =
        (app.Number("bind_before_connect") != 0) && !(app.Number("bind_address_no_port") != 0);
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
    std::vector<double> count;
    std::string why;
    bool poisson = false;
    if (!HostTimeWaits(subject, count, &why, &poisson))
    {
        p.why = why; // the reason it is not derived
        return p;
    }
    double held = 0;
    for (double c : count)
    {
        held = std::max(held, c);
    }
    p.derived = true;
    p.why = why.empty() ? "no app on the host closes first" : why;
    if (held < 0.5)
    {
        p.expect.kind = Expectation::NUMBER;
        p.expect.value = 0;
        return p;
    }
    // Sampled at interval ends; the last few milliseconds' connections are not in TIME_WAIT
    // yet. With Poisson arrivals the count in a TIME_WAIT length is itself a Poisson count
    // (standard deviation sqrt(held)), and the peak is its largest sample: 4 deviations.
    p.expect.kind = Expectation::TOLERANCE;
    p.expect.value = std::round(held);
    p.expect.tol =
        std::max({RATE_TOLERANCE * held, 5.0, poisson ? std::ceil(4.0 * std::sqrt(held)) : 0.0});
    p.expect.relative = false;
    return p;
}

bool
LinuxPredictor::HostTimeWaits(const std::string& subject,
                              std::vector<double>& perStep,
                              std::string* why,
                              bool* poisson) const
{
    // A host's TIME_WAITs: its connecting apps that close first hold one per connection
    // (ConnectFlow::timewaits), a server or proxy that closes first one per accepted
    // connection, each for this host's TIME_WAIT length; tcp_max_tw_buckets caps the sum.
    const std::string group = GroupOf(subject);
    const PortSysctls sys = SysctlsOf(subject, 1);
    const size_t twLag =
        std::max<size_t>(1, size_t(std::llround(sys.timewaitLenMs / 1000.0 / m_dt)));
    perStep.assign(m_steps, 0.0);
    std::ostringstream o;
    auto note = [&](const std::string& line) { o << (o.tellp() > 0 ? "; " : "") << line; };
    auto fail = [&](const std::string& reason) {
        *why = reason;
        return false;
    };
    for (const auto& a : m_spec.apps)
    {
        if (a.on != subject && a.on != group)
        {
            continue;
        }
        if (a.type == AppType::UDP_CLIENT || a.type == AppType::UDP_SERVER)
        {
            continue;
        }
        if (a.type == AppType::TCP_CLIENT || a.type == AppType::TCP_PROXY)
        {
            const ConnectFlow& f = Compute(a.name, 0);
            if (!f.modelled)
            {
                return fail(a.name + " is outside the connect() model");
            }
            if (f.timewait && !f.unlimited && f.takeover)
            {
                // Which TIME_WAITs are taken over is where connect()'s randomly advanced port
                // scan (__inet_hash_connect) lands: how many stay is not a sum of holds.
                return fail(a.name + ": connect() takes TIME_WAITs over where its randomly "
                                     "perturbed port scan lands, so how many stay is not "
                                     "derived");
            }
            note(a.name + ": " + f.why);
            *poisson = *poisson || (f.timewait && a.Number("arrivals") != 0);
            for (size_t i = 0; f.timewait && i < m_steps; ++i)
            {
                perStep[i] += f.timewaits[i];
            }
        }
        if (a.type == AppType::TCP_CLIENT)
        {
            continue;
        }
        // Accepted connections: who closes them, and how many arrive.
        const bool closesFirst = a.Word("close") == "server-first";
        uint64_t tuples = 0; // distinct 4-tuples its clients can connect from
        for (const auto& c : m_spec.apps)
        {
            const bool client = c.type == AppType::TCP_CLIENT &&
                                std::find(c.to.begin(), c.to.end(), a.name) != c.to.end();
            const bool proxy =
                c.type == AppType::TCP_PROXY &&
                std::find(c.upstream.begin(), c.upstream.end(), a.name) != c.upstream.end();
            if (proxy && closesFirst)
            {
                return fail(a.name + " closes first towards proxy " + c.name +
                            ", which also closes its upstream connections first: not modelled");
            }
            if (!client)
            {
                continue;
            }
            if (c.Word("close") != a.Word("close"))
            {
                return fail(c.name + " and " + a.name + " disagree on who closes first");
            }
            // Every connect reaches an accept(): no restart, stop or backlog while it offers.
            const int64_t until = c.stopNs < 0 ? m_spec.durationNs : c.stopNs;
            for (int64_t t :
                 {(a.Has("restart_at") ? a.Ns("restart_at") : -1), a.stopNs, a.Ns("accept_stop")})
            {
                if (closesFirst && t >= 0 && t < until)
                {
                    return fail(a.name + " stops accepting while " + c.name +
                                " connects: its accepted connections are not modelled");
                }
            }
            if (closesFirst && (a.Number("backlog") >= 0 || m_spec.linkLoss > 0))
            {
                return fail(a.name + ": a backlog or link loss drops connects: not modelled");
            }
            tuples += ConnectCapacityPerSecond(SysctlsOf(c.on, 1), 1, false, false, false).ports *
                      HostsOf(c.on);
        }
        if (!closesFirst)
        {
            continue;
        }
        std::vector<double> accepted;
        double peak = 0;
        if (!Delivered(a, 0, false, accepted, &peak, poisson))
        {
            return fail(a.name + ": its clients are outside the connect() model");
        }
        if (a.type == AppType::TCP_PROXY)
        {
            // A client whose upstream connect fails is reset (no TIME_WAIT): only the
            // connections whose upstream succeeded close here first.
            const ConnectFlow& up = Compute(a.name, 0);
            if (up.attempts - up.successes >= 0.5)
            {
                for (const auto& c : m_spec.apps)
                {
                    if (std::find(c.to.begin(), c.to.end(), a.name) != c.to.end() &&
                        c.Number("requests_per_connection") != 1)
                    {
                        return fail(a.name + ": which of " + c.name +
                                    "'s connections see an upstream failure among their "
                                    "requests is not modelled");
                    }
                }
                accepted = up.served;
            }
        }
        double inTimeWait = 0;
        double most = 0;
        for (size_t i = 0; i < m_steps; ++i)
        {
            inTimeWait += accepted[i] - (i >= twLag ? accepted[i - twLag] : 0.0);
            perStep[i] += inTimeWait;
            most = std::max(most, inTimeWait);
        }
        // A client that comes back to a 4-tuple still in TIME_WAIT here reopens it
        // (tcp_timewait_state_process). connect()'s randomly perturbed port scan comes back
        // to a share that grows with how many of its 4-tuples a TIME_WAIT length fills: below
        // 5% the count stays within 2% of one per connection; above, it is not derived.
        if (most > 0.05 * double(tuples))
        {
            return fail(a.name + ": its clients' connections within its TIME_WAIT length fill "
                                 "more than 5% of their 4-tuples, so their port scan comes "
                                 "back to some that are still in TIME_WAIT here and the SYN "
                                 "reopens them (tcp_timewait_state_process): a share not "
                                 "derived");
        }
        note(a.name + " closes first: one TIME_WAIT per accepted connection for " +
             FormatNumber(sys.timewaitLenMs / 1000.0) + " s, at most " + FormatNumber(peak) +
             "/s accepted");
    }
    bool capped = false;
    for (double& c : perStep)
    {
        capped = capped || c > double(sys.tcpMaxTwBuckets);
        c = std::min(c, double(sys.tcpMaxTwBuckets));
    }
    if (capped)
    {
        note("tcp_max_tw_buckets " + std::to_string(sys.tcpMaxTwBuckets) +
             " caps the host's TIME_WAITs");
    }
    *why = o.str();
    return true;
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
            k == "pcap" || k == "transport" || StartsWith(k, "expect."))
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
        if (!StartsWith(e.metric, "steady_") || warned.count(e.subject) ||
            App(e.subject) == nullptr)
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
        if ((a.Number("arrivals") != 0))
        {
            return true;
        }
        if ((a.Number("reuseport") != 0))
        {
            reuseport += a.processes * HostsOf(a.on);
        }
    }
    return reuseport > 1;
}

} // namespace portlab
