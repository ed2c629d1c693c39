/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Resource estimates and the values that reach ns-3: a scenario that would need too much, or a
// value ns-3 would abort on, is refused by ParseScenario with the estimate and the limit.

#include "client-server-keys.h"
#include "scenario/scenario-resources.h"
#include "scenario/scenario-spec.h"

#include <chrono>
#include <gtest/gtest.h>
#include <sys/resource.h>

namespace portlab
{
namespace
{

/// A valid client-server scenario; tests change keys of it.
std::map<std::string, std::string>
Base()
{
    return ClientServerKeys("10s",
                            {{"app.srv.type", "tcp-server"},
                             {"app.srv.on", "server"},
                             {"app.srv.bind", "*:80"},
                             {"app.cli.type", "tcp-client"},
                             {"app.cli.on", "client"},
                             {"app.cli.to", "srv"},
                             {"app.cli.rate", "100/s"}});
}

/// ParseScenario's error ("" if it accepts), and how long it took.
std::string
Refusal(const std::map<std::string, std::string>& keys, double* seconds = nullptr)
{
    auto t0 = std::chrono::steady_clock::now();
    std::string error;
    try
    {
        ParseScenario("r", keys, {});
    }
    catch (const ConfigError& e)
    {
        error = e.what();
    }
    if (seconds != nullptr)
    {
        *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    return error;
}

bool
Has(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

TEST(ScenarioResources, TheEstimateCountsHostsLinksConnectionsRowsAndFiles)
{
    auto keys = Base();
    keys["group.client.count"] = "10";
    keys["group.server.count"] = "3";
    keys["interval"] = "500ms";
    keys["snapshots"] = "2s, 5s";
    keys["pcap"] = "true";
    ResourceEstimate e = EstimateResources(ParseScenario("r", keys, {}));
    EXPECT_EQ(e.hosts, 13u);
    EXPECT_EQ(e.links, 30u) << "client-server is fully meshed: 10 x 3";
    EXPECT_DOUBLE_EQ(e.connections, 10 * 100 * 10.0) << "10 clients x 100/s x 10 s";
    EXPECT_DOUBLE_EQ(e.heldConnections, 10 * 100 * 10.0) << "all in TIME_WAIT at the end";
    EXPECT_DOUBLE_EQ(e.samples, 21 * 13.0) << "21 sample times (0 s to 10 s) x 13 hosts";
    EXPECT_EQ(e.openFiles, 60u) << "a pcap file per link end";
    EXPECT_DOUBLE_EQ(e.outputFiles, 8 + 3 * 11.0 + 60) << "fixed files, ss files, pcaps";
    EXPECT_DOUBLE_EQ(e.events, 10000 * 25.0 + 21 * 13.0 + 3 * 13.0);
    EXPECT_DOUBLE_EQ(e.memoryBytes,
                     32.0 * 1024 * 1024 + 13 * 16384.0 + 30 * 6144.0 + 10000 * 512.0 +
                         21 * 13 * 256.0 + 3 * 10000 * 128.0);
    // TIME_WAIT holds a connection for 60 s: a longer run holds no more.
    keys["duration"] = "300s";
    keys.erase("snapshots");
    EXPECT_DOUBLE_EQ(EstimateResources(ParseScenario("r", keys, {})).heldConnections,
                     10 * 100 * 61.0);
}

TEST(ScenarioResources, TenToTheTenLinksAreRefusedAtOnceNamingEstimateAndLimit)
{
    auto keys = Base();
    keys["group.client.count"] = "100000";
    keys["group.server.count"] = "100000";
    double s = 0;
    std::string e = Refusal(keys, &s);
    EXPECT_TRUE(Has(e, "needs 10,000,000,000 links") && Has(e, "allowed: at most 1,000,000 links"))
        << "10^5 x 10^5 fully meshed hosts should be refused naming the links and the limit: " << e;
    EXPECT_LT(s, 5) << "the refusal should come before anything is built";
}

TEST(ScenarioResources, AHundredGroupsOfTenToTheFiveHostsAreRefused)
{
    auto keys = Base();
    for (char a = 'a'; a < 'a' + 10; ++a)
    {
        for (char b = 'a'; b < 'a' + 10; ++b)
        {
            keys[std::string("group.g") + a + b + ".count"] = "100000";
        }
    }
    double s = 0;
    std::string e = Refusal(keys, &s);
    EXPECT_TRUE(Has(e, "has 10,000,002 hosts") && Has(e, "allowed: at most 100,000 hosts"))
        << "10^7 hosts should be refused naming the count and the limit: " << e;
    EXPECT_LT(s, 5);
}

TEST(ScenarioResources, OneMillisecondSamplesOver1000sOf100HostsAreRefusedForMemory)
{
    auto keys = Base();
    keys["group.client.count"] = "100";
    keys["interval"] = "1ms";
    keys["duration"] = "1000s";
    std::string e = Refusal(keys);
    EXPECT_TRUE(Has(e, "GiB of memory") && Has(e, "101,000,101 timeseries rows") &&
                Has(e, "allowed: at most 8.0 GiB"))
        << "10^8 timeseries rows should be refused naming the memory and the limit: " << e;
}

TEST(ScenarioResources, TenMillionConnectionsPerSecondFor100000sAreRefusedForEvents)
{
    auto keys = Base();
    keys["app.cli.rate"] = "10M/s";
    keys["duration"] = "100000s";
    std::string e = Refusal(keys);
    EXPECT_TRUE(Has(e, "simulator events") && Has(e, "allowed: at most 10,000,000,000"))
        << "10^12 connections should be refused naming the events and the limit: " << e;
}

TEST(ScenarioResources, PcapWithMoreFilesThanDescriptorsIsRefusedNamingBoth)
{
    struct rlimit old
    {
    };

    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
    struct rlimit low = old;
    low.rlim_cur = std::min<rlim_t>(1024, old.rlim_cur);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    auto keys = Base();
    keys["pcap"] = "true";
    keys["group.client.count"] = "600";
    std::string e = Refusal(keys);
    setrlimit(RLIMIT_NOFILE, &old);
    std::string available = low.rlim_cur == 1024 ? "only 960 file descriptors" : "file descriptors";
    EXPECT_TRUE(Has(e, "keeps 1,200 pcap files open at once") && Has(e, available))
        << "1,200 pcap files under 'ulimit -n 1024' should be refused naming both numbers: " << e;
    keys["pcap"] = "false";
    EXPECT_EQ(Refusal(keys), "") << "without pcap the same scenario needs no descriptors";
}

TEST(ScenarioResources, ARateBelowWhatTheProcessesAcceptIsRefusedNotAborted)
{
    auto keys = Base();
    keys["app.cli.rate"] = "1e-10/s"; // below the Rate attribute's minimum, 1e-6
    std::string e = Refusal(keys);
    EXPECT_TRUE(Has(e,
                    "key 'app.cli.rate' = '1e-10/s': out of range; allowed: 0.000001/s to "
                    "10000000/s"))
        << "a rate ns-3 cannot take should be refused with the allowed range: " << e;
    keys["app.cli.rate"] = "0.000001/s";
    EXPECT_EQ(Refusal(keys), "");
}

} // namespace
} // namespace portlab
