/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/scenario-runner.h"

#include "apps/tcp-client-process.h"
#include "apps/tcp-proxy-process.h"
#include "apps/tcp-server-process.h"
#include "apps/udp-client-process.h"
#include "apps/udp-server-process.h"
#include "link/point-to-point-link-builder.h"
#include "link/stream-numbers.h"
#include "ports/port-table-snapshot.h"
#include "ports/port-types.h"
#include "ports/tcp-time-wait-rules.h"
#include "scenario/app-installer.h"
#include "scenario/port-guess-meter.h"
#include "scenario/scenario-judge.h"
#include "scenario/scenario-metrics.h"
#include "scenario/scenario-topology.h"
#include "transport/linux-flow-path.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"
#include "transport/port-selector.h"

#include "ns3/inet-socket-address.h"
#include "ns3/log.h"
#include "ns3/nstime.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

NS_LOG_COMPONENT_DEFINE("PortlabScenarioRunner");

namespace portlab
{

const std::array<const char*, 6> TIMESERIES_ERRNOS =
    {"EADDRNOTAVAIL", "EADDRINUSE", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH"};

namespace
{

using ns3::Ptr;

/// Hosts beyond this many per group are left out of `ss` snapshots.
constexpr uint32_t SNAPSHOT_HOSTS_PER_GROUP = 8;

/// What the run measures of one host (ScenarioTopology::Hosts() has the same order).
struct Host
{
    std::string name;    //!< "client1"
    Ptr<ns3::Node> node; //!< its node
    bool snapshot{true}; //!< included in `ss` snapshots
    // Counters for the current interval and in total.
    uint64_t attempted{0};          //!< connects started (interval)
    uint64_t succeeded{0};          //!< connects established (interval)
    FailureCounts failed{};         //!< failures (interval)
    uint64_t listenDrops{0};        //!< (interval)
    int64_t listenDropsSeen{0};     //!< its TcpExtListenDrops at the last sample
    uint64_t totalAttempted{0};     //!< connects started (run)
    uint64_t twPeak{0};             //!< largest TIME_WAIT count seen
    uint64_t maxPeersPerPort{0};    //!< largest distinct peers per local port seen
    uint64_t portsShared{0};        //!< largest count of local ports with >= 2 connections
    bool portSelectorNamed{false};  //!< the scenario names its port selector
    PortGuessMeter portGuess;       //!< predictability of its connect() ports
    std::set<uint16_t> serverPorts; //!< TCP ports its servers and proxies bind
    bool tracesInbound{false};      //!< timeWaitInbound is counted from TIME_WAIT traces
    uint64_t timeWaitInbound{0};    //!< TIME_WAITs on serverPorts (when tracesInbound)
};

/// A TCP client process's connections towards one destination.
struct DestinationCount
{
    uint64_t connections{0};  //!< established
    std::set<uint16_t> ports; //!< local ports they used
};

/// One app instance (a process).
struct Instance
{
    const AppSpec* spec;                       //!< its app
    uint32_t host;                             //!< host index
    std::shared_ptr<ProcessCounters> counters; //!< what it did, from its traces
    uint32_t process{0};                       //!< index among its app's processes on the host
    /// TCP clients: (destination address, port) -> connections
    std::map<std::pair<uint32_t, uint16_t>, DestinationCount> destinations{};
};

class World
{
  public:
    World(const ScenarioSpec& spec, const RunOptions& options)
        : m_spec(spec),
          m_options(options)
    {
    }

    RunResult Run();

  private:
    void InitHosts();
    void BuildApps();
    void CountResult(uint32_t host, const std::string& result);
    void CountAbort(uint32_t host, const std::string& result);
    void CountEstablished(size_t index, const ns3::Address& local, const ns3::Address& remote);
    void TraceTimeWaits();
    void CollectTables(RunResult& r) const;
    void Sample();
    void Snapshot();
    std::vector<MeasuredProcess> Processes() const;

    const ScenarioSpec& m_spec;
    const RunOptions& m_options;
    std::unique_ptr<ScenarioTopology> m_topo;
    std::vector<Host> m_hosts;
    std::vector<Instance> m_instances;
    WarmupCounts m_warm; //!< app -> (resolved, ok) at warmup
    RunResult m_result;
};

void
World::InitHosts()
{
    std::map<std::string, uint32_t> perGroup;
    const auto& hosts = m_topo->Hosts();
    for (uint32_t i = 0; i < hosts.size(); ++i)
    {
        Host h;
        h.name = hosts[i].name;
        h.node = hosts[i].node;
        h.snapshot = perGroup[hosts[i].group]++ < SNAPSHOT_HOSTS_PER_GROUP;
        if (!h.snapshot)
        {
            ++m_result.snapshotHostsOmitted;
        }
        h.portSelectorNamed = hosts[i].portSelectorNamed;
        m_hosts.push_back(h);
        m_result.hosts.push_back(h.name);
    }
    for (uint32_t i = 0; i < m_hosts.size(); ++i)
    {
        if (m_hosts[i].portSelectorNamed)
        {
            m_hosts[i].node->GetObject<ns3::LinuxPortSpace>()->TraceConnectWithoutContext(
                "ConnectPortChosen",
                ns3::Callback<void, ns3::Ipv4Address, uint16_t, ns3::Ipv4Address, uint16_t>(
                    [this, i](ns3::Ipv4Address, uint16_t port, ns3::Ipv4Address, uint16_t) {
                        m_hosts[i].portGuess.Observe(port);
                    }));
        }
    }
}

void
World::CountAbort(uint32_t host, const std::string& result)
{
    // An established connection that failed (ECONNRESET from a closing listener's queue):
    // counted with the failures of its interval, not as a second attempt.
    Host& h = m_hosts[host];
    for (size_t i = 0; i < TIMESERIES_ERRNOS.size(); ++i)
    {
        if (result == TIMESERIES_ERRNOS[i])
        {
            ++h.failed[i];
            return;
        }
    }
    ++h.failed.back();
}

void
World::CountResult(uint32_t host, const std::string& result)
{
    Host& h = m_hosts[host];
    ++h.attempted;
    ++h.totalAttempted;
    if (result == "ok")
    {
        ++h.succeeded;
        return;
    }
    for (size_t i = 0; i < TIMESERIES_ERRNOS.size(); ++i)
    {
        if (result == TIMESERIES_ERRNOS[i])
        {
            ++h.failed[i];
            return;
        }
    }
    ++h.failed.back(); // other
}

void
World::BuildApps()
{
    int64_t stream = StreamNumbers::APPS;
    for (const auto& a : m_spec.apps)
    {
        const AppInstaller installer(a, m_spec.durationNs);
        for (uint32_t h : m_topo->HostsOf(a.on))
        {
            const ns3::Address local =
                a.bind.empty() ? ns3::Address() : m_topo->BindAddress(h, a.bind);
            const std::vector<ns3::Address> remotes =
                m_topo->Destinations(h, a.type == AppType::TCP_PROXY ? a.upstream : a.to);
            for (uint32_t p = 0; p < a.processes; ++p)
            {
                Ptr<ns3::Application> app = installer.Install(m_hosts[h].node, local, remotes);
                stream += ns3::ProcessHelper::AssignStreams(ns3::ApplicationContainer(app), stream);
                const size_t index = m_instances.size();
                m_instances.push_back(Instance{&a, h, std::make_shared<ProcessCounters>(), p});
                WatchProcess(a.type, app, *m_instances.back().counters);
                if (a.type == AppType::TCP_CLIENT)
                {
                    app->TraceConnectWithoutContext(
                        "Result",
                        ns3::Callback<void, std::string>(
                            [this, h](std::string r) { CountResult(h, r); }));
                    app->TraceConnectWithoutContext(
                        "Abort",
                        ns3::Callback<void, std::string>(
                            [this, h](std::string r) { CountAbort(h, r); }));
                    app->TraceConnectWithoutContext(
                        "Established",
                        ns3::Callback<void, const ns3::Address&, const ns3::Address&>(
                            [this, index](const ns3::Address& from, const ns3::Address& to) {
                                CountEstablished(index, from, to);
                            }));
                }
                if (a.type == AppType::TCP_PROXY)
                {
                    app->TraceConnectWithoutContext(
                        "UpstreamResult",
                        ns3::Callback<void, std::string>(
                            [this, h](std::string r) { CountResult(h, r); }));
                }
            }
        }
    }
}

void
World::CountEstablished(size_t index, const ns3::Address& local, const ns3::Address& remote)
{
    if (!ns3::InetSocketAddress::IsMatchingType(remote) ||
        !ns3::InetSocketAddress::IsMatchingType(local))
    {
        return;
    }
    auto r = ns3::InetSocketAddress::ConvertFrom(remote);
    auto& d = m_instances[index].destinations[{r.GetIpv4().Get(), r.GetPort()}];
    ++d.connections;
    d.ports.insert(ns3::InetSocketAddress::ConvertFrom(local).GetPort());
}

void
World::Sample()
{
    int64_t now = ns3::Simulator::Now().GetNanoSeconds();
    RunProgress progress;
    progress.simNs = now;
    progress.durationNs = m_spec.durationNs;
    for (uint32_t i = 0; i < m_hosts.size(); ++i)
    {
        Host& h = m_hosts[i];
        auto ports = h.node->GetObject<ns3::LinuxPortSpace>();
        const auto& tcp = ports->Host().Tcp();
        HostSample s;
        s.timeNs = now;
        s.host = i;
        s.tcpPortsInUse = tcp.PortsInUse();
        s.timeWait = tcp.TimeWaitCount();
        s.established = tcp.ConnectionCount() - tcp.TimeWaitCount();
        s.udpSockets = ports->Host().Udp().SocketCount();
        s.attempted = h.attempted;
        s.succeeded = h.succeeded;
        s.failed = h.failed;
        // TcpExtListenDrops as nstat shows it: every SYN or final ACK a listener dropped.
        const int64_t drops = ports->Mib().Get(ns3::LinuxMib::TCP_EXT_LISTEN_DROPS);
        h.listenDrops = drops - h.listenDropsSeen;
        h.listenDropsSeen = drops;
        s.listenDrops = h.listenDrops;
        s.timeWaitInbound = h.tracesInbound         ? h.timeWaitInbound
                            : h.serverPorts.empty() ? 0
                                                    : s.timeWait;
        h.attempted = h.succeeded = h.listenDrops = 0;
        h.failed.fill(0);
        h.twPeak = std::max<uint64_t>(h.twPeak, s.timeWait);
        progress.connections += h.totalAttempted;
        m_result.samples.push_back(s);
    }
    if (m_options.progress)
    {
        m_options.progress(progress);
    }
    if (now + m_spec.intervalNs <= m_spec.durationNs)
    {
        ns3::Simulator::Schedule(ns3::NanoSeconds(m_spec.intervalNs), &World::Sample, this);
    }
}

void
World::Snapshot()
{
    int64_t now = ns3::Simulator::Now().GetNanoSeconds();
    for (auto& h : m_hosts)
    {
        auto ports = h.node->GetObject<ns3::LinuxPortSpace>();
        std::vector<SsRow> rows = SnapshotSockets(ports->Host());
        // Local ports shared by several connections, and peers per port.
        std::map<std::string, std::set<std::string>> peers;
        for (const auto& r : rows)
        {
            if (r.netid == "tcp" && r.state != "LISTEN")
            {
                peers[r.local.substr(r.local.rfind(':'))].insert(r.peer);
            }
        }
        uint64_t shared = 0;
        for (const auto& [port, set] : peers)
        {
            shared += set.size() >= 2 ? 1 : 0;
            h.maxPeersPerPort = std::max<uint64_t>(h.maxPeersPerPort, set.size());
        }
        h.portsShared = std::max(h.portsShared, shared);
        if (h.snapshot)
        {
            m_result.snapshots.emplace_back(now, h.name, FormatSs(rows));
        }
    }
}

void
World::TraceTimeWaits()
{
    // Which hosts accept connections (servers, proxies) and which open them (clients,
    // proxies). Only a host that does both needs its TIME_WAITs told apart one by one.
    std::set<uint32_t> opens;
    for (const auto& in : m_instances)
    {
        const AppType t = in.spec->type;
        if (t == AppType::TCP_SERVER || t == AppType::TCP_PROXY)
        {
            const std::string& b = in.spec->bind;
            m_hosts[in.host].serverPorts.insert(
                static_cast<uint16_t>(std::stoul(b.substr(b.rfind(':') + 1))));
        }
        if (t == AppType::TCP_CLIENT || t == AppType::TCP_PROXY)
        {
            opens.insert(in.host);
        }
    }
    for (uint32_t i : opens)
    {
        Host& h = m_hosts[i];
        if (h.serverPorts.empty())
        {
            continue;
        }
        h.tracesInbound = true;
        auto ports = h.node->GetObject<ns3::LinuxPortSpace>();
        using TwCallback =
            ns3::Callback<void, ns3::Ipv4Address, uint16_t, ns3::Ipv4Address, uint16_t>;
        auto count = [this, i](int64_t delta) {
            return TwCallback(
                [this, i, delta](ns3::Ipv4Address, uint16_t port, ns3::Ipv4Address, uint16_t) {
                    Host& host = m_hosts[i];
                    if (host.serverPorts.count(port))
                    {
                        host.timeWaitInbound += delta;
                    }
                });
        };
        ports->TraceConnectWithoutContext("TimeWaitEnter", count(1));
        for (const char* gone : {"TimeWaitExpire", "TimeWaitTakeover", "TimeWaitKill"})
        {
            ports->TraceConnectWithoutContext(gone, count(-1));
        }
    }
}

/// A TCP client process's destinations.csv rows. \return the distinct local ports it used
uint64_t
CollectDestinations(const Instance& in, const std::map<uint32_t, std::string>& owner, RunResult& r)
{
    std::set<uint16_t> ports;
    for (const auto& [dest, count] : in.destinations)
    {
        ports.insert(count.ports.begin(), count.ports.end());
        DestinationRecord d;
        d.app = in.spec->name;
        d.host = in.host;
        d.process = in.process;
        std::ostringstream addr;
        ns3::Ipv4Address(dest.first).Print(addr);
        d.destination = addr.str() + ":" + std::to_string(dest.second);
        auto o = owner.find(dest.first);
        d.server = o == owner.end() ? "" : o->second;
        d.connections = count.connections;
        d.localPorts = count.ports.size();
        r.destinations.push_back(d);
    }
    return ports.size();
}

void
World::CollectTables(RunResult& r) const
{
    // Which host owns each address, to name a destination's server.
    std::map<uint32_t, std::string> owner;
    for (const auto& h : m_topo->Hosts())
    {
        for (const auto& a : h.addrs)
        {
            owner[a.Get()] = h.name;
        }
    }
    for (const auto& in : m_instances)
    {
        const AppSpec& a = *in.spec;
        ProcessRecord p;
        p.app = a.name;
        p.host = in.host;
        p.process = in.process;
        auto bindAt = [&](int64_t ns, const std::string& protocol, const std::string& result) {
            r.binds.push_back(
                BindAttempt{ns, a.name, in.host, in.process, protocol, a.bind, result});
        };
        const ProcessCounters& c = *in.counters;
        p.type = AppTypeName(a.type);
        switch (a.type)
        {
        case AppType::TCP_SERVER:
            p.bind = c.binds.empty() ? "none" : c.binds.front().second;
            for (const auto& [ns, result] : c.binds)
            {
                bindAt(ns, "tcp", result);
            }
            p.accepted = c.accepted;
            p.served = c.served;
            break;
        case AppType::UDP_SERVER:
        case AppType::TCP_PROXY:
            p.bind = c.BindResult().empty() ? "none" : c.BindResult();
            if (!c.BindResult().empty())
            {
                bindAt(a.startNs, a.type == AppType::UDP_SERVER ? "udp" : "tcp", p.bind);
            }
            p.received = c.received;
            p.answered = c.answered;
            p.accepted = c.accepted;
            p.served = c.relayed;
            p.attempted = c.attempted;
            p.connected = c.connected;
            p.failed = TotalCount(c.failures);
            break;
        case AppType::TCP_CLIENT:
            p.attempted = c.attempted;
            p.connected = c.connected;
            p.failed = TotalCount(c.failures);
            p.localPorts = CollectDestinations(in, owner, r);
            break;
        case AppType::UDP_CLIENT:
            p.attempted = c.sent;
            p.answered = c.received;
            p.failed = TotalCount(c.failures);
            break;
        }
        r.processes.push_back(p);
    }
    std::stable_sort(r.binds.begin(), r.binds.end(), [](const auto& x, const auto& y) {
        return x.timeNs < y.timeNs;
    });
}

std::vector<MeasuredProcess>
World::Processes() const
{
    std::vector<MeasuredProcess> out;
    for (const auto& in : m_instances)
    {
        out.push_back(MeasuredProcess{in.spec, in.host, in.counters.get()});
    }
    return out;
}

RunResult
World::Run()
{
    ns3::RngSeedManager::SetSeed(1);
    ns3::RngSeedManager::SetRun(m_options.seed);
    m_result.scenario = m_spec.name;
    m_result.seed = m_options.seed;
    m_topo = std::make_unique<ScenarioTopology>(m_spec, m_options.pcapPrefix);
    InitHosts();
    ns3::LinuxStackHelper().AssignStreams(m_topo->Nodes(), StreamNumbers::STACK);
    BuildApps();
    TraceTimeWaits();
    ns3::Simulator::Schedule(ns3::NanoSeconds(m_spec.intervalNs), &World::Sample, this);
    for (int64_t t : m_spec.snapshotsNs)
    {
        // Just before the end's stop, so that a snapshot at the duration sees the last state.
        ns3::Simulator::Schedule(ns3::NanoSeconds(t), &World::Snapshot, this);
    }
    ns3::Simulator::Schedule(ns3::NanoSeconds(m_spec.warmupNs),
                             [this]() { m_warm = CountAtWarmup(Processes()); });
    ns3::Simulator::Stop(ns3::NanoSeconds(m_spec.durationNs) + ns3::NanoSeconds(1));
    if (m_options.beforeRun)
    {
        m_options.beforeRun(m_topo->Nodes());
    }
    ns3::Simulator::Run();
    ns3::ThrowLatchedFlowRefusal();
    m_result.events = ns3::Simulator::GetEventCount();
    std::vector<MeasuredHost> hosts;
    for (const auto& h : m_hosts)
    {
        hosts.push_back(MeasuredHost{h.name,
                                     h.node,
                                     h.twPeak,
                                     h.portsShared,
                                     h.maxPeersPerPort,
                                     h.portSelectorNamed ? &h.portGuess : nullptr,
                                     !h.serverPorts.empty()});
    }
    m_result.metrics = MeasureMetrics(m_spec, Processes(), m_warm, hosts);
    CollectTables(m_result);
    m_result.verdicts = JudgeVerdicts(m_spec, m_result.metrics, LinuxPredictor(m_spec));
    m_result.matchesLinux = MatchesLinux(m_result.verdicts);
    m_instances.clear();
    m_hosts.clear();
    m_topo.reset();
    ns3::Simulator::Destroy();
    return std::move(m_result);
}

} // namespace

std::string
MetricValue::ToString() const
{
    return isNumber ? FormatNumber(number) : words;
}

std::string
Verdict::Status() const
{
    return !checked ? "not checked" : matches ? "ok" : "DIFFERS";
}

double
PredictTimeWaitSuccess(const ScenarioSpec& spec, const AppSpec& app, std::string* why)
{
    return LinuxPredictor(spec).SteadySuccess(app, why);
}

RunResult
RunScenario(const ScenarioSpec& spec, const RunOptions& options)
{
    World w(spec, options);
    try
    {
        return w.Run();
    }
    catch (...)
    {
        // A run the flow transport refused mid-way: the next run starts from a clean simulator.
        ns3::Simulator::Destroy();
        throw;
    }
}

Json
RunResult::Summary(const ScenarioSpec& spec) const
{
    Json s = Json::object();
    s["scenario"] = scenario;
    s["description"] = spec.description;
    s["question"] = spec.question;
    s["linux_answer"] = spec.linuxAnswer;
    s["seed"] = seed;
    Json versions = Json::object();
    versions["portlab"] = PORTLAB_VERSION;
    versions["ns3"] = "3.37";
    versions["linux_reference"] = "6.18";
    s["versions"] = versions;
    Json params = Json::object();
    for (const auto& [k, v] : spec.keys)
    {
        if (k != "description" && k != "question" && k != "linux_answer")
        {
            params[k] = v;
        }
    }
    s["parameters"] = params;
    s["hosts"] = hosts;
    Json m = Json::object();
    for (const auto& [k, v] : metrics)
    {
        if (v.isNumber)
        {
            m[k] = v.number;
        }
        else
        {
            m[k] = v.words;
        }
    }
    s["metrics"] = m;
    Json vs = Json::array();
    for (const auto& v : verdicts)
    {
        Json o = Json::object();
        o["expect"] = v.key;
        o["linux"] = v.expected;
        o["simulated"] = v.measured;
        o["source"] = VerdictSourceName(v.source);
        o["checked"] = v.checked;
        if (v.checked)
        {
            o["matches"] = v.matches;
        }
        else
        {
            o["matches"] = nullptr;
            o["not_checked"] = v.note;
        }
        vs.push_back(o);
    }
    s["verdicts"] = vs;
    s["matches_linux"] = matchesLinux;
    if (snapshotHostsOmitted > 0)
    {
        s["snapshot_hosts_omitted"] = snapshotHostsOmitted;
    }
    return s;
}

std::string
RunResult::TimeseriesCsv() const
{
    std::ostringstream o;
    o << "time_s,host,tcp_ports_in_use,tcp_established,tcp_time_wait,udp_sockets,"
         "connects_attempted,connects_ok";
    for (const char* e : TIMESERIES_ERRNOS)
    {
        o << ",failed_" << e;
    }
    o << ",failed_other,listen_drops,tcp_time_wait_inbound\n";
    for (const auto& s : samples)
    {
        o << FormatNumber(s.timeNs / 1e9) << "," << hosts[s.host] << "," << s.tcpPortsInUse << ","
          << s.established << "," << s.timeWait << "," << s.udpSockets << "," << s.attempted << ","
          << s.succeeded;
        for (uint64_t f : s.failed)
        {
            o << "," << f;
        }
        o << "," << s.listenDrops << "," << s.timeWaitInbound << "\n";
    }
    return o.str();
}

namespace
{

/// A CSV field: quoted when it holds a comma, a quote or a line break.
std::string
CsvField(const std::string& v)
{
    if (v.find_first_of(",\"\r\n") == std::string::npos)
    {
        return v;
    }
    std::string q = "\"";
    for (char c : v)
    {
        q += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return q + "\"";
}

} // namespace

std::string
RunResult::BindsCsv() const
{
    std::ostringstream o;
    o << "time_s,app,host,process,protocol,local,result\n";
    for (const auto& b : binds)
    {
        o << FormatNumber(b.timeNs / 1e9) << "," << CsvField(b.app) << "," << hosts[b.host] << ","
          << b.process << "," << b.protocol << "," << CsvField(b.local) << "," << b.result << "\n";
    }
    return o.str();
}

std::string
RunResult::ProcessesCsv() const
{
    std::ostringstream o;
    o << "app,type,host,process,bind,accepted,served,received,answered,attempted,connected,"
         "failed,local_ports\n";
    for (const auto& p : processes)
    {
        o << CsvField(p.app) << "," << p.type << "," << hosts[p.host] << "," << p.process << ","
          << p.bind << "," << p.accepted << "," << p.served << "," << p.received << ","
          << p.answered << "," << p.attempted << "," << p.connected << "," << p.failed << ","
          << p.localPorts << "\n";
    }
    return o.str();
}

std::string
RunResult::DestinationsCsv() const
{
    std::ostringstream o;
    o << "app,host,process,destination,server,connections,local_ports\n";
    for (const auto& d : destinations)
    {
        o << CsvField(d.app) << "," << hosts[d.host] << "," << d.process << "," << d.destination
          << "," << d.server << "," << d.connections << "," << d.localPorts << "\n";
    }
    return o.str();
}

} // namespace portlab
