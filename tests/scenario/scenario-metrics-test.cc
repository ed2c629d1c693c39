/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Metric names are declared once (ScenarioMetrics): what a run writes and what an
// expectation may name are the same names.

#include "apps/tcp-client-process.h"
#include "apps/tcp-proxy-process.h"
#include "apps/tcp-server-process.h"
#include "client-server-keys.h"
#include "scenario/app-installer.h"
#include "scenario/scenario-metrics.h"
#include "scenario/scenario-runner.h"
#include "scenario/scenario-spec.h"
#include "scenario/scenario-topology.h"

#include "ns3/simulator.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

/// A short run with every app type: a client to a proxy to a server, and UDP.
RunResult
RunEveryAppType(ScenarioSpec& spec)
{
    std::map<std::string, std::string> keys =
        ClientServerKeys("2s",
                         {{"app.web.type", "tcp-server"},
                          {"app.web.on", "server"},
                          {"app.web.bind", "*:80"},
                          {"app.px.type", "tcp-proxy"},
                          {"app.px.on", "server"},
                          {"app.px.bind", "*:8080"},
                          {"app.px.upstream", "web"},
                          {"app.load.type", "tcp-client"},
                          {"app.load.on", "client"},
                          {"app.load.to", "px, web, server1:81"},
                          {"app.dns.type", "udp-server"},
                          {"app.dns.on", "server"},
                          {"app.dns.bind", "*:53"},
                          {"app.ask.type", "udp-client"},
                          {"app.ask.on", "client"},
                          {"app.ask.to", "dns"}});
    spec = ParseScenario("metrics", keys, {});
    return RunScenario(spec, RunOptions{});
}

TEST(ScenarioMetrics, EveryMetricARunWritesIsOneAnExpectationMayName)
{
    ScenarioSpec spec;
    RunResult r = RunEveryAppType(spec);
    ASSERT_FALSE(r.metrics.empty());
    for (const auto& [name, value] : r.metrics)
    {
        EXPECT_NO_THROW(CheckMetricName(spec, name))
            << "the run wrote " << name << ", which the metric table does not declare";
    }
    EXPECT_TRUE(r.metrics.count("load.failed.ECONNREFUSED"))
        << "connects to a closed port should give a failed.ERRNO count";
}

TEST(ScenarioMetrics, EveryAppMetricDeclaredIsWrittenForItsType)
{
    ScenarioSpec spec;
    RunResult r = RunEveryAppType(spec);
    for (const auto& a : spec.apps)
    {
        for (const auto& m : AppMetricNames(a.type))
        {
            EXPECT_TRUE(r.metrics.count(a.name + "." + m))
                << AppTypeName(a.type) << " declares " << m << " but the run of " << a.name
                << " did not write it";
        }
    }
}

TEST(ScenarioMetrics, CountsFromTracesEqualTheProcessesOwnCounts)
{
    // A client to a proxy to a server whose port 81 is closed half the time: failures,
    // refusals and completions all happen.
    ScenarioSpec spec = ParseScenario("traces",
                                      ClientServerKeys("2s",
                                                       {{"app.web.type", "tcp-server"},
                                                        {"app.web.on", "server"},
                                                        {"app.web.bind", "*:80"},
                                                        {"app.web.restart_at", "1s"},
                                                        {"app.px.type", "tcp-proxy"},
                                                        {"app.px.on", "server"},
                                                        {"app.px.bind", "*:8080"},
                                                        {"app.px.upstream", "web, server1:81"},
                                                        {"app.load.type", "tcp-client"},
                                                        {"app.load.on", "client"},
                                                        {"app.load.to", "px, server1:81"}}),
                                      {});
    ScenarioTopology topology(spec, "");
    std::map<std::string, ns3::Ptr<ns3::Application>> apps;
    std::map<std::string, ProcessCounters> counters;
    for (const auto& a : spec.apps)
    {
        uint32_t h = topology.HostsOf(a.on).front();
        apps[a.name] =
            AppInstaller(a, spec.durationNs)
                .Install(topology.Hosts()[h].node,
                         a.bind.empty() ? ns3::Address() : topology.BindAddress(h, a.bind),
                         topology.Destinations(h, a.to.empty() ? a.upstream : a.to));
        WatchProcess(a.type, apps[a.name], counters[a.name]);
    }
    ns3::Simulator::Stop(ns3::Seconds(2.5));
    ns3::Simulator::Run();
    auto client = ns3::DynamicCast<ns3::TcpClientProcess>(apps["load"]);
    const ProcessCounters& c = counters["load"];
    EXPECT_GT(c.attempted, 0u);
    EXPECT_EQ(c.attempted, client->GetAttempted()) << "Attempt trace";
    EXPECT_EQ(c.connected, client->GetConnected()) << "Result \"ok\" traces";
    EXPECT_EQ(c.failures, client->GetFailures()) << "Result errno traces";
    EXPECT_FALSE(c.failures.empty()) << "port 81 is closed: refusals expected";
    EXPECT_EQ(c.completed, client->GetCompleted()) << "Complete trace";
    EXPECT_EQ(c.incomplete, client->GetIncomplete()) << "Incomplete trace";
    EXPECT_EQ(c.aborted, client->GetAborted()) << "Abort trace";
    auto proxy = ns3::DynamicCast<ns3::TcpProxyProcess>(apps["px"]);
    const ProcessCounters& x = counters["px"];
    EXPECT_EQ(x.BindResult(), proxy->GetBindResult());
    EXPECT_EQ(x.accepted, proxy->GetAccepted());
    EXPECT_EQ(x.relayed, proxy->GetRelayed());
    EXPECT_EQ(x.attempted, proxy->GetUpstreamAttempted()) << "UpstreamAttempt trace";
    EXPECT_EQ(x.connected, proxy->GetUpstreamConnected());
    EXPECT_EQ(x.failures, proxy->GetUpstreamFailures());
    auto server = ns3::DynamicCast<ns3::TcpServerProcess>(apps["web"]);
    const ProcessCounters& s = counters["web"];
    ASSERT_EQ(s.binds.size(), server->GetBindHistory().size()) << "one bind, then the restart's";
    for (size_t i = 0; i < s.binds.size(); ++i)
    {
        EXPECT_EQ(s.binds[i].first, server->GetBindHistory()[i].first.GetNanoSeconds());
        EXPECT_EQ(s.binds[i].second, server->GetBindHistory()[i].second);
    }
    EXPECT_EQ(s.accepted, server->GetAccepted());
    EXPECT_EQ(s.served, server->GetServed());
    EXPECT_EQ(s.listening, server->IsListening()) << "Listening trace";
    EXPECT_EQ(s.restartedAtNs, server->GetRestartedAt().GetNanoSeconds())
        << "restart, then listening";
    EXPECT_GE(s.restartedAtNs, 1000000000) << "the restart at 1s should have bound again";
    ns3::Simulator::Destroy();
}

TEST(ScenarioMetrics, ListenDropsCountWhatAFullAcceptQueueDrops)
{
    // A server that stops accepting at 1 s with a backlog of 2: the queue fills and every
    // further handshake is dropped (TcpExtListenDrops). The host metric and the time series
    // count the same drops; a host without a listener has no such metric.
    std::map<std::string, std::string> keys = ClientServerKeys("3s",
                                                               {{"app.web.type", "tcp-server"},
                                                                {"app.web.on", "server"},
                                                                {"app.web.bind", "*:80"},
                                                                {"app.web.backlog", "2"},
                                                                {"app.web.accept_stop", "1s"},
                                                                {"app.load.type", "tcp-client"},
                                                                {"app.load.on", "client"},
                                                                {"app.load.rate", "20/s"},
                                                                {"app.load.to", "web"}});
    ScenarioSpec spec = ParseScenario("drops", keys, {});
    RunResult r = RunScenario(spec, RunOptions{});
    ASSERT_TRUE(r.metrics.count("server1.listen_drops"))
        << "a host with a listener reports listen_drops";
    EXPECT_FALSE(r.metrics.count("client1.listen_drops"))
        << "a host without a listener has no listen_drops";
    const double drops = r.metrics.at("server1.listen_drops").number;
    EXPECT_GT(drops, 0) << "20 connects/s into a stopped listener with backlog 2 must drop";
    uint64_t sampled = 0;
    for (const auto& s : r.samples)
    {
        sampled += s.listenDrops;
    }
    EXPECT_EQ(double(sampled), drops)
        << "the time series' listen_drops per interval should add up to the host's total";
}

} // namespace
} // namespace portlab
