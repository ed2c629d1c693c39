/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Issue 16, item 2: the flow transport makes the packet transport's port decisions. Each
 * shipped scenario (at its reference-digest length), each socket script and a fixed set of
 * generated workloads runs in both modes; the port-decision trace (every LinuxPortSpace
 * ConnectPortChosen and TimeWait* event with its time, node and 4-tuple), the ss snapshots,
 * metrics, verdicts and the run's CSVs must be the same text. Where the flow transport
 * refuses, it must say why in one line.
 */

#include "collect/run-collector.h"
#include "link/point-to-point-link.h"
#include "scenario-digest-cases.h"
#include "scenario/scenario-runner.h"
#include "scenario/scenario-spec.h"
#include "script/socket-script.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"

#include "ns3/applications-module.h"
#include "ns3/internet-module.h"
#include "ns3/node.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

namespace portlab
{
namespace
{

namespace fs = std::filesystem;

/// Shipped scenarios the flow transport refuses, and a word its reason must hold.
const std::map<std::string, std::string> REFUSED_SCENARIOS = {
    // UDP datagrams and TCP segments on one wire at the same time.
    {"tcp-udp-same-port", "share a link's wire"},
};

/// The port-decision trace of a run: one line per LinuxPortSpace event, in order.
class PortDecisionTrace
{
  public:
    /// Connect to every node's port space. \param nodes the hosts
    void Connect(const ns3::NodeContainer& nodes)
    {
        for (uint32_t i = 0; i < nodes.GetN(); ++i)
        {
            ns3::Ptr<ns3::LinuxPortSpace> ports = nodes.Get(i)->GetObject<ns3::LinuxPortSpace>();
            for (const char* source : {"ConnectPortChosen",
                                       "TimeWaitEnter",
                                       "TimeWaitExpire",
                                       "TimeWaitTakeover",
                                       "TimeWaitKill",
                                       "TimeWaitOverflow"})
            {
                std::string name = source;
                std::ostringstream* out = &m_out;
                ports->TraceConnectWithoutContext(
                    source,
                    ns3::Callback<void, ns3::Ipv4Address, uint16_t, ns3::Ipv4Address, uint16_t>(
                        [out,
                         name,
                         i](ns3::Ipv4Address la, uint16_t lp, ns3::Ipv4Address ra, uint16_t rp) {
                            *out << ns3::Simulator::Now().GetNanoSeconds() << " " << i << " "
                                 << name << " " << la << ":" << lp << " " << ra << ":" << rp
                                 << "\n";
                        }));
            }
        }
    }

    /// \return the trace text
    std::string Text() const
    {
        return m_out.str();
    }

  private:
    std::ostringstream m_out;
};

/// What a run decided, as text: the trace, then every output the run writes.
struct RunText
{
    std::string trace;   //!< the port-decision trace
    std::string results; //!< summary.json, CSVs, ss snapshots
};

/// Run \p spec with \p transport. \return its text
RunText
RunIn(ScenarioSpec spec, const std::string& transport)
{
    const ScenarioSpec asGiven = spec;
    spec.transport = transport;
    PortDecisionTrace trace;
    RunOptions options;
    options.seed = 1;
    options.beforeRun = [&trace](const ns3::NodeContainer& nodes) { trace.Connect(nodes); };
    RunResult r = RunScenario(spec, options);
    std::ostringstream results;
    // The summary of the spec as given: the transport is the one thing allowed to differ.
    results << r.Summary(asGiven).dump(2) << "\n"
            << r.TimeseriesCsv() << r.BindsCsv() << r.ProcessesCsv() << r.DestinationsCsv();
    for (const auto& [t, host, text] : r.snapshots)
    {
        results << "ss " << host << " at " << t << "\n" << text;
    }
    return RunText{trace.Text(), results.str()};
}

/// \return "" if \p packet and \p flow are the same text, else their first differing line
/// (the texts run to megabytes: gtest's own diff of them would not fit in memory)
std::string
FirstDifference(const std::string& packet, const std::string& flow)
{
    if (packet == flow)
    {
        return "";
    }
    std::istringstream a(packet);
    std::istringstream b(flow);
    std::string la;
    std::string lb;
    for (size_t line = 1;; ++line)
    {
        const bool ga = static_cast<bool>(std::getline(a, la));
        const bool gb = static_cast<bool>(std::getline(b, lb));
        if (!ga || !gb || la != lb)
        {
            return "first difference at line " + std::to_string(line) + ": packet '" +
                   (ga ? la : "<end>") + "', flow '" + (gb ? lb : "<end>") + "'";
        }
    }
}

class ShippedScenario : public ::testing::TestWithParam<DigestCase>
{
};

TEST_P(ShippedScenario, FlowTransportMakesThePacketTransportsPortDecisions)
{
    const DigestCase& c = GetParam();
    ScenarioSpec spec = LoadScenario(c.scenario, c.overrides);
    auto refused = REFUSED_SCENARIOS.find(c.scenario);
    if (refused != REFUSED_SCENARIOS.end())
    {
        try
        {
            RunIn(spec, "flow");
            ADD_FAILURE() << c.scenario << ": the flow transport should refuse it ("
                          << refused->second << ")";
        }
        catch (const std::runtime_error& e)
        {
            const std::string why = e.what();
            EXPECT_NE(why.find("flow transport refused: "), std::string::npos) << why;
            EXPECT_NE(why.find(refused->second), std::string::npos)
                << "the refusal should name the reason '" << refused->second << "': " << why;
            EXPECT_EQ(why.find('\n'), std::string::npos) << "one line: " << why;
        }
        return;
    }
    RunText packet = RunIn(spec, "packet");
    RunText flow = RunIn(spec, "flow");
    EXPECT_FALSE(packet.trace.empty())
        << c.scenario << ": a TCP scenario should choose ports or enter TIME_WAIT";
    EXPECT_EQ(FirstDifference(packet.trace, flow.trace), "")
        << c.scenario
        << ": the flow transport should make the same port decisions at the same "
           "times (connect ports, TIME_WAIT enter/expire/takeover/kill/overflow)";
    EXPECT_EQ(FirstDifference(packet.results, flow.results), "")
        << c.scenario
        << ": the flow transport should give the same metrics, verdicts, "
           "timeseries and ss snapshots";
}

INSTANTIATE_TEST_SUITE_P(Scenarios,
                         ShippedScenario,
                         ::testing::ValuesIn(ReadDigests()),
                         DigestName);

/// Every socket script the project ships.
std::vector<std::string>
SocketScripts()
{
    std::vector<std::string> out;
    for (const char* dir : {PORTLAB_SCRIPTS_DIR, PORTLAB_GOLDEN_SCRIPTS_DIR})
    {
        for (const auto& e : fs::directory_iterator(dir))
        {
            if (e.path().extension() == ".pcs")
            {
                out.push_back(e.path().string());
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// \return every check of a script's run as text (line, result, simulated time)
std::string
ScriptText(const std::vector<ScriptCheck>& checks)
{
    std::ostringstream o;
    for (const auto& c : checks)
    {
        o << c.line << " " << c.timeNs << " " << c.text << " -> " << c.got << "\n";
    }
    return o.str();
}

class SocketScript : public ::testing::TestWithParam<std::string>
{
};

TEST_P(SocketScript, FlowTransportGivesEveryCallTheSameResultAtTheSameTime)
{
    std::ifstream in(GetParam());
    std::stringstream text;
    text << in.rdbuf();
    const std::string packet = ScriptText(RunSocketScript(text.str(), GetParam(), 1, "packet"));
    std::string flow;
    try
    {
        flow = ScriptText(RunSocketScript(text.str(), GetParam(), 1, "flow"));
    }
    catch (const std::runtime_error& e)
    {
        // Only a lossy link may be refused (the link builder puts an error model on it).
        const std::string why = e.what();
        EXPECT_NE(why.find("error model (loss)"), std::string::npos)
            << GetParam() << ": only a lossy link should be refused: " << why;
        EXPECT_NE(text.str().find("loss"), std::string::npos)
            << GetParam() << " has no lossy link, yet the flow transport refused it: " << why;
        return;
    }
    EXPECT_FALSE(packet.empty()) << GetParam() << ": a script should have checks";
    EXPECT_EQ(FirstDifference(packet, flow), "")
        << GetParam() << ": every call should give the same result at the same time";
}

std::string
ScriptName(const ::testing::TestParamInfo<std::string>& info)
{
    std::string n = fs::path(info.param).parent_path().filename().string() + "_" +
                    fs::path(info.param).stem().string();
    for (char& ch : n)
    {
        ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    }
    return n;
}

INSTANTIATE_TEST_SUITE_P(Scripts, SocketScript, ::testing::ValuesIn(SocketScripts()), ScriptName);

/// A generated workload: clients and servers, a rate, a port range, a close order,
/// tcp_tw_reuse, drawn from \p seed.
std::map<std::string, std::string>
GeneratedKeys(uint32_t seed)
{
    std::mt19937 rng(seed);
    auto pick = [&rng](uint32_t lo, uint32_t hi) {
        return std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
    };
    const uint32_t rangeStart = 32768 + pick(0, 1000);
    const std::vector<std::string> closes = {"client-first", "server-first", "linger0"};
    const std::vector<std::string> rates = {"1Gbps", "10Mbps", "100Mbps"};
    std::map<std::string, std::string> keys = {
        {"description", "generated"},
        {"question", "q"},
        {"linux_answer", "a"},
        {"duration", std::to_string(pick(4, 12)) + "s"},
        {"snapshots", "1s, 2s, 3s"},
        {"group.client.count", std::to_string(pick(1, 3))},
        {"group.server.count", std::to_string(pick(1, 3))},
        {"links", "client-server"},
        {"link.rate", rates[pick(0, 2)]},
        {"link.delay", std::to_string(pick(0, 3000)) + "us"},
        {"sysctl.net.ipv4.ip_local_port_range",
         std::to_string(rangeStart) + " " + std::to_string(rangeStart + pick(50, 3000))},
        {"sysctl.net.ipv4.tcp_tw_reuse", std::to_string(pick(0, 2))},
        {"app.web.type", "tcp-server"},
        {"app.web.on", "server"},
        {"app.web.bind", "*:80"},
        {"app.web.close", closes[pick(0, 2)]},
        {"app.load.type", "tcp-client"},
        {"app.load.on", "client"},
        {"app.load.to", "web"},
        {"app.load.rate", std::to_string(pick(20, 900)) + "/s"},
        {"app.load.close", closes[pick(0, 2)]},
    };
    if (pick(0, 1) == 1)
    {
        keys["sysctl.net.ipv4.tcp_max_tw_buckets"] = std::to_string(pick(10, 2000));
    }
    return keys;
}

class GeneratedWorkload : public ::testing::TestWithParam<uint32_t>
{
};

TEST_P(GeneratedWorkload, FlowTransportMakesThePacketTransportsPortDecisions)
{
    const std::map<std::string, std::string> keys = GeneratedKeys(GetParam());
    ScenarioSpec spec = ParseScenario("generated-" + std::to_string(GetParam()), keys, {});
    RunText packet = RunIn(spec, "packet");
    RunText flow = RunIn(spec, "flow");
    std::ostringstream shown;
    for (const auto& [k, v] : keys)
    {
        shown << " " << k << "=" << v;
    }
    EXPECT_FALSE(packet.trace.empty()) << "the workload should choose ports:" << shown.str();
    EXPECT_EQ(FirstDifference(packet.trace, flow.trace), "")
        << "the same port decisions at the same times expected for" << shown.str();
    EXPECT_EQ(FirstDifference(packet.results, flow.results), "")
        << "the same metrics, timeseries and ss snapshots expected for" << shown.str();
}

INSTANTIATE_TEST_SUITE_P(Seeds, GeneratedWorkload, ::testing::Range(1u, 25u));

/// Stock BulkSend -> PacketSink, \p bytes over a \p rate link. \return every chunk the sink
/// received, as "time size" lines, then the port-decision trace
std::string
BulkTransfer(const std::string& transport, uint32_t bytes, const std::string& rate)
{
    ns3::RngSeedManager::SetSeed(1);
    ns3::RngSeedManager::SetRun(1);
    ns3::NodeContainer nodes;
    nodes.Create(2);
    ns3::LinuxStackHelper stack;
    stack.SetTransport(transport);
    stack.Install(nodes);
    stack.AssignStreams(nodes, 1);
    ns3::LinkPointToPoint(nodes, rate, "2ms");
    ns3::Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    ns3::PacketSinkHelper sink("ns3::TcpSocketFactory",
                               ns3::InetSocketAddress(ns3::Ipv4Address::GetAny(), 9));
    ns3::ApplicationContainer sinkApp = sink.Install(nodes.Get(1));
    ns3::BulkSendHelper bulk("ns3::TcpSocketFactory",
                             ns3::InetSocketAddress(ns3::Ipv4Address("10.1.1.2"), 9));
    bulk.SetAttribute("MaxBytes", ns3::UintegerValue(bytes));
    ns3::ApplicationContainer bulkApp = bulk.Install(nodes.Get(0));
    std::ostringstream rx;
    sinkApp.Get(0)->TraceConnectWithoutContext(
        "Rx",
        ns3::Callback<void, ns3::Ptr<const ns3::Packet>, const ns3::Address&>(
            [&rx](ns3::Ptr<const ns3::Packet> p, const ns3::Address&) {
                rx << ns3::Simulator::Now().GetNanoSeconds() << " " << p->GetSize() << "\n";
            }));
    PortDecisionTrace trace;
    trace.Connect(nodes);
    sinkApp.Start(ns3::Seconds(0));
    bulkApp.Start(ns3::Seconds(0.1));
    ns3::Simulator::Stop(ns3::Seconds(30));
    ns3::Simulator::Run();
    rx << "total " << ns3::DynamicCast<ns3::PacketSink>(sinkApp.Get(0))->GetTotalRx() << "\n";
    ns3::Simulator::Destroy();
    return rx.str() + trace.Text();
}

TEST(FlowTransport, StockBulkSendQueuesBackToBackSegmentsAsPacketsDo)
{
    // 1 MB through a 10 Mbit/s link: full windows of back-to-back segments wait for the wire,
    // so every chunk's arrival time depends on the link's FIFO.
    const std::string packet = BulkTransfer("packet", 1000000, "10Mbps");
    const std::string flow = BulkTransfer("flow", 1000000, "10Mbps");
    EXPECT_NE(packet.find("total 1000000\n"), std::string::npos)
        << "the sink should receive every byte on the packet transport";
    EXPECT_EQ(FirstDifference(packet, flow), "")
        << "the sink should receive the same chunks at the same times on the flow transport";
}

TEST(FlowTransport, RefusesLossAndPcapInTheScenarioWithOneLine)
{
    for (const auto& [key, value] :
         std::map<std::string, std::string>{{"link.loss", "1%"}, {"pcap", "true"}})
    {
        std::map<std::string, std::string> keys = GeneratedKeys(1);
        keys["transport"] = "flow";
        keys[key] = value;
        try
        {
            ParseScenario("refused", keys, {});
            ADD_FAILURE() << "transport = flow with " << key << " = " << value
                          << " should be refused before the run";
        }
        catch (const ConfigError& e)
        {
            const std::string why = e.what();
            EXPECT_NE(why.find(key), std::string::npos)
                << "the refusal should name " << key << ": " << why;
            EXPECT_EQ(why.find('\n'), std::string::npos) << "one line: " << why;
        }
    }
}

TEST(FlowTransport, RefusesAQueueThatWouldOverflowAtRunTime)
{
    // 900 SYNs/s into a 1 kbit/s link that sends 2 frames/s: its 10240-frame transmit queue
    // is full after about 11 s, and a packet would be dropped there.
    std::map<std::string, std::string> keys = GeneratedKeys(1);
    keys["link.rate"] = "1kbps";
    keys["duration"] = "15s";
    keys["app.load.rate"] = "900/s";
    keys["group.client.count"] = "1";
    keys["sysctl.net.ipv4.ip_local_port_range"] = "1024 65535";
    ScenarioSpec spec = ParseScenario("overflow", keys, {});
    try
    {
        RunIn(spec, "flow");
        ADD_FAILURE() << "a queue that would overflow should be refused";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_NE(std::string(e.what()).find("TxQueueLimit"), std::string::npos)
            << "the refusal should name the queue limit: " << e.what();
    }
    // The next run starts from a clean simulator.
    RunText again = RunIn(ParseScenario("after", GeneratedKeys(2), {}), "flow");
    EXPECT_FALSE(again.trace.empty()) << "a run after a refused one should run";
}

} // namespace
} // namespace portlab

int
main(int argc, char** argv)
{
    setenv("PORTLAB_SCENARIOS", PORTLAB_SCENARIO_DIR, 1);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
