/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/scenario-resources.h"

#include "ns3/log.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <sys/resource.h>

NS_LOG_COMPONENT_DEFINE("PortlabScenarioResources");

namespace portlab
{

namespace
{

// Measured per-unit costs (see ResourceEstimate).
constexpr double BASE_BYTES = 32.0 * 1024 * 1024; //!< an empty run's peak RSS (20 MB) and slack
constexpr double BYTES_PER_HOST = 16.0 * 1024;
constexpr double BYTES_PER_LINK = 6.0 * 1024;
constexpr double BYTES_PER_HELD_CONNECTION = 512;
constexpr double BYTES_PER_SAMPLE = 256;
constexpr double BYTES_PER_SNAPSHOT_LINE = 128; //!< one `ss` line, kept until written
constexpr double EVENTS_PER_TCP_CONNECTION = 25;
constexpr double EVENTS_PER_EXCHANGE = 4; //!< each further keep-alive request/response
constexpr double EVENTS_PER_DATAGRAM = 6;
constexpr double TIME_WAIT_S = 61; //!< TIME_WAIT (60 s) and the closing handshake
constexpr double PORTS_PER_DESTINATION = 65536;
constexpr uint32_t SNAPSHOT_HOSTS_PER_GROUP = 8; //!< as the runner (ss/ files per group)
constexpr double FIXED_OUTPUT_FILES = 8;         //!< summary, timeseries, 6 figures

/// "12345678" -> "12,345,678"; large numbers as "1.2e+10".
std::string
Count(double v)
{
    std::ostringstream o;
    if (v >= 1e12)
    {
        o << std::setprecision(2) << v;
        return o.str();
    }
    std::string digits = std::to_string(static_cast<uint64_t>(std::llround(v)));
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i)
    {
        if (i > 0 && (digits.size() - i) % 3 == 0)
        {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

std::string
Bytes(double b)
{
    std::ostringstream o;
    o << std::fixed << std::setprecision(1);
    if (b >= 1024.0 * 1024 * 1024 * 1024)
    {
        o << b / (1024.0 * 1024 * 1024 * 1024) << " TiB";
    }
    else if (b >= 1024.0 * 1024 * 1024)
    {
        o << b / (1024.0 * 1024 * 1024) << " GiB";
    }
    else
    {
        o << b / (1024.0 * 1024) << " MiB";
    }
    return o.str();
}

double
GroupSize(const ScenarioSpec& spec, const std::string& on)
{
    for (const auto& g : spec.groups)
    {
        if (g.name == on)
        {
            return g.count;
        }
    }
    return 1; // one host
}

double
Seconds(int64_t ns)
{
    return static_cast<double>(ns) / 1e9;
}

} // namespace

ResourceEstimate
EstimateResources(const ScenarioSpec& spec)
{
    NS_LOG_FUNCTION(spec.name);
    ResourceEstimate e;
    double snapshotHosts = 0;
    for (const auto& g : spec.groups)
    {
        e.hosts += g.count;
        snapshotHosts += std::min(g.count, SNAPSHOT_HOSTS_PER_GROUP);
    }
    for (const auto& [a, b] : spec.links)
    {
        e.links += static_cast<uint64_t>(GroupSize(spec, a)) * GroupSize(spec, b);
    }
    bool proxied = std::any_of(spec.apps.begin(), spec.apps.end(), [](const AppSpec& a) {
        return a.type == AppType::TCP_PROXY;
    });
    const double delayS = Seconds(std::stoll(spec.linkDelay)); // "NNNns"
    const double bps = std::stod(spec.linkRate);               // "NNNbps"
    for (const auto& a : spec.apps)
    {
        if (a.type != AppType::TCP_CLIENT && a.type != AppType::UDP_CLIENT)
        {
            continue;
        }
        double end = Seconds(a.stopNs >= 0 ? std::min(a.stopNs, spec.durationNs) : spec.durationNs);
        double active = std::max(0.0, end - Seconds(a.startNs));
        double rate = a.Number("rate");
        if (a.Number("concurrency") > 0)
        {
            // Closed loop: each slot opens a connection as the last one ends (handshake,
            // exchanges and close: about 4 one-way delays and the bytes on the wire).
            double bits = 8.0 * (a.Number("request") + a.Number("response") + 400) *
                          a.Number("requests_per_connection");
            double lifetime = std::max(1e-6, 4 * delayS + bits / bps);
            rate = a.Number("concurrency") / lifetime;
        }
        double instances = GroupSize(spec, a.on);
        double opened = rate * active;
        if (a.Number("connections") > 0)
        {
            opened = std::min(opened, static_cast<double>(a.Number("connections")));
        }
        e.connections += instances * opened;
        if (a.type == AppType::UDP_CLIENT)
        {
            e.events += instances * opened * EVENTS_PER_DATAGRAM;
            continue;
        }
        double perConnection = EVENTS_PER_TCP_CONNECTION +
                               EVENTS_PER_EXCHANGE * (a.Number("requests_per_connection") - 1.0);
        e.events += instances * opened * perConnection * (proxied ? 2 : 1);
        double held = std::min({rate * std::min(active, TIME_WAIT_S),
                                opened,
                                PORTS_PER_DESTINATION * std::max<size_t>(1, a.to.size())}) +
                      a.Number("concurrency");
        e.heldConnections += instances * held * (proxied ? 2 : 1);
    }
    double intervals = std::floor(static_cast<double>(spec.durationNs) / spec.intervalNs) + 1;
    e.samples = intervals * e.hosts;
    double snapshots = static_cast<double>(spec.snapshotsNs.size());
    e.events += e.samples + snapshots * e.hosts;
    e.openFiles = spec.pcap ? 2 * e.links : 0;
    e.outputFiles = FIXED_OUTPUT_FILES + snapshots * snapshotHosts + e.openFiles;
    e.memoryBytes = BASE_BYTES + e.hosts * BYTES_PER_HOST + e.links * BYTES_PER_LINK +
                    e.heldConnections * BYTES_PER_HELD_CONNECTION + e.samples * BYTES_PER_SAMPLE +
                    snapshots * e.heldConnections * BYTES_PER_SNAPSHOT_LINE;
    return e;
}

ResourceLimits
DefaultResourceLimits()
{
    ResourceLimits l;

    struct rlimit r
    {
    };

    uint64_t soft = getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY
                        ? static_cast<uint64_t>(r.rlim_cur)
                        : UINT64_MAX;
    l.openFiles = soft > OPEN_FILES_MARGIN ? soft - OPEN_FILES_MARGIN : 0;
    return l;
}

void
CheckResources(const ScenarioSpec& spec, const ResourceLimits& limits)
{
    ResourceEstimate e = EstimateResources(spec);
    NS_LOG_FUNCTION(spec.name << e.memoryBytes << e.events);
    const std::string who = "scenario '" + spec.name + "' ";
    auto refuse = [&](const std::string& what) {
        throw ConfigError(who + what + "; the run was not started");
    };
    if (e.links > limits.links)
    {
        refuse("needs " + Count(e.links) +
               " links (each pair in 'links' is fully meshed: count x count); allowed: at most " +
               Count(limits.links) + " links");
    }
    if (e.hosts > limits.hosts)
    {
        refuse("has " + Count(e.hosts) + " hosts (group.G.count summed); allowed: at most " +
               Count(limits.hosts) + " hosts");
    }
    if (e.openFiles > limits.openFiles)
    {
        struct rlimit r
        {
        };

        getrlimit(RLIMIT_NOFILE, &r);
        refuse("with pcap = true keeps " + Count(e.openFiles) + " pcap files open at once (2 per " +
               "link, " + Count(e.links) + " links), but only " + Count(limits.openFiles) +
               " file descriptors are available (RLIMIT_NOFILE " +
               (r.rlim_cur == RLIM_INFINITY ? std::string("unlimited")
                                            : Count(static_cast<double>(r.rlim_cur))) +
               " minus " + std::to_string(OPEN_FILES_MARGIN) +
               " kept back); allowed: pcap = false, fewer links, or a higher 'ulimit -n'");
    }
    if (e.outputFiles > limits.outputFiles)
    {
        refuse("would write about " + Count(e.outputFiles) +
               " files (ss snapshots x hosts, pcap files); allowed: at most " +
               Count(limits.outputFiles) + " files per run");
    }
    if (e.events > limits.events)
    {
        refuse("needs about " + Count(e.events) + " simulator events (" + Count(e.connections) +
               " connections or datagrams: rate x duration, and timeseries rows); allowed: at "
               "most " +
               Count(limits.events) + " (about 3 hours at 1M events/s)");
    }
    if (e.memoryBytes > limits.memoryBytes)
    {
        std::ostringstream why;
        why << "needs about " << Bytes(e.memoryBytes) << " of memory (" << Count(e.hosts)
            << " hosts x 16 KiB, " << Count(e.links) << " links x 6 KiB, "
            << Count(e.heldConnections) << " connections held x 512 B, " << Count(e.samples)
            << " timeseries rows (duration / interval x hosts) x 256 B); allowed: at most "
            << Bytes(limits.memoryBytes);
        refuse(why.str());
    }
}

std::vector<std::pair<std::string, std::string>>
ResourceLimitsHelp()
{
    ResourceLimits l = DefaultResourceLimits();
    return {
        {"(limit) hosts", "at most " + Count(l.hosts) + " hosts in all groups"},
        {"(limit) links", "at most " + Count(l.links) + " links (linked groups are fully meshed)"},
        {"(limit) memory",
         "estimated peak at most " + Bytes(l.memoryBytes) +
             ": 16 KiB/host, 6 KiB/link, 512 B/connection held, 256 B/timeseries row"},
        {"(limit) events",
         "at most " + Count(l.events) + " simulator events (about 25 per TCP connection)"},
        {"(limit) files", "at most " + Count(l.outputFiles) + " files written per run"},
        {"(limit) open files",
         "pcap = true keeps 2 files per link open: at most RLIMIT_NOFILE minus " +
             std::to_string(OPEN_FILES_MARGIN) + " (now " + Count(l.openFiles) + ")"},
    };
}

} // namespace portlab
