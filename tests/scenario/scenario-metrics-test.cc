/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Metric names are declared once (ScenarioMetrics): what a run writes and what an
// expectation may name are the same names.

#include "scenario-metrics.h"
#include "scenario-runner.h"
#include "scenario-spec.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

/// A short run with every app type: a client to a proxy to a server, and UDP.
RunResult
RunEveryAppType(ScenarioSpec& spec)
{
    std::map<std::string, std::string> keys{{"description", "d"},
                                            {"question", "q"},
                                            {"linux_answer", "a"},
                                            {"duration", "2s"},
                                            {"group.client.count", "1"},
                                            {"group.server.count", "1"},
                                            {"links", "client-server"},
                                            {"app.web.type", "tcp-server"},
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
                                            {"app.ask.to", "dns"}};
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

} // namespace
} // namespace portlab
