/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Every case recorded on a real Linux 6.18 kernel, described once as a socket script
 * (tests/data/golden-scripts), is run on the port tables alone (the table-level interpreter,
 * through TableDriver) and must agree with the recording.
 */

#include "golden-compare.h"
#include "golden-script.h"
#include "scenario/scenario-config.h"
#include "table-script.h"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace portlab
{
namespace
{

constexpr uint64_t SEED = 1;

std::vector<std::pair<std::string, Json>>
LoadGoldens()
{
    std::ifstream in(PORTLAB_GOLDEN_FILE);
    if (!in)
    {
        throw std::runtime_error(std::string("cannot read ") + PORTLAB_GOLDEN_FILE);
    }
    std::stringstream buf;
    buf << in.rdbuf();
    return ParseGoldenLines(buf.str());
}

const std::vector<GoldenScript>&
Scripts()
{
    static const std::vector<GoldenScript> scripts = LoadGoldenScripts(PORTLAB_GOLDEN_SCRIPTS_DIR);
    return scripts;
}

const GoldenScript*
Find(const std::string& name)
{
    for (const auto& g : Scripts())
    {
        if (g.name == name)
        {
            return &g;
        }
    }
    return nullptr;
}

/// Every recorded case whose script runs on the tables, run there with \p seed.
GoldenReport
ReplayOnTheTables(uint64_t seed, int* cases = nullptr)
{
    GoldenReport report;
    for (const auto& [name, expected] : LoadGoldens())
    {
        const GoldenScript* g = Find(name);
        if (g != nullptr && GoldenRunsOn(*g, GoldenBackend::TABLE))
        {
            CompareGoldenRun(name,
                             expected,
                             RunGoldenScript(*g, GoldenBackend::TABLE, seed),
                             report);
            if (cases != nullptr)
            {
                ++*cases;
            }
        }
    }
    return report;
}

TEST(GoldenConformance, EveryRecordedCaseIsDescribedByOneScriptAndEveryScriptIsRecorded)
{
    auto goldens = LoadGoldens();
    for (const auto& [name, result] : goldens)
    {
        EXPECT_NE(Find(name), nullptr) << "recorded case '" << name << "' has no golden script";
    }
    for (const auto& g : Scripts())
    {
        bool recorded = std::any_of(goldens.begin(), goldens.end(), [&](const auto& c) {
            return c.first == g.name;
        });
        EXPECT_TRUE(recorded) << "golden script '" << g.name << "' has no recording";
    }
    EXPECT_EQ(Scripts().size(), goldens.size());
}

TEST(GoldenConformance, PortTablesAgreeWithEveryTableLevelLinuxCase)
{
    int cases = 0;
    GoldenReport report = ReplayOnTheTables(SEED, &cases);
    std::cout << report.Summary();
    EXPECT_EQ(cases, 21) << "every recorded case but the two that need packets";
    EXPECT_EQ(report.total, 240 + cases - 1)
        << "all 240 bind_matrix pairs and every other table-level case should be compared";
    EXPECT_EQ(report.agree, report.total) << "the model must agree with Linux on every case:\n"
                                          << report.Summary();
}

TEST(GoldenConformance, PortTablesAgreeWithLinuxUnderOtherSeeds)
{
    // Randomness (port offsets, hash secrets) must not change any deterministic outcome.
    for (uint64_t seed : {2, 3, 17, 12345})
    {
        GoldenReport report = ReplayOnTheTables(seed);
        EXPECT_EQ(report.agree, report.total) << "seed " << seed << ":\n" << report.Summary();
    }
}

TEST(GoldenConformance, CasesThatNeedPacketsAreBeyondTheTables)
{
    // `#= runs-on transport kernel` is honest: the tables alone cannot run these scripts.
    int packetOnly = 0;
    for (const auto& g : Scripts())
    {
        if (!GoldenRunsOn(g, GoldenBackend::TABLE))
        {
            ++packetOnly;
            EXPECT_THROW(RunTableScript(g.program), TableScriptUnsupported) << g.name;
        }
    }
    EXPECT_EQ(packetOnly, 2); // linger_zero_no_timewait, refused_tcp_and_udp
}

TEST(GoldenConformance, AWrongRecordedResultMakesTheScriptedCaseDisagree)
{
    // The scripts' results are really compared: flip one recorded answer of each kind.
    for (const std::string name : {"bind_matrix",
                                   "server_restart_old0_servercloses_new1",
                                   "tw_exhaust_one_dest_reuse1",
                                   "client_port_reuse",
                                   "udp_reuse_delivery",
                                   "ephemeral_parity"})
    {
        Json expected;
        for (const auto& [n, r] : LoadGoldens())
        {
            if (n == name)
            {
                expected = r;
            }
        }
        ASSERT_FALSE(expected.is_null()) << name;
        if (name == "bind_matrix")
        {
            expected["tcp 0.0.0.0/none then 0.0.0.0/none"] = "ok"; // Linux: EADDRINUSE
        }
        else if (name == "server_restart_old0_servercloses_new1")
        {
            expected["bind"] = "ok"; // Linux: EADDRINUSE
        }
        else if (name == "tw_exhaust_one_dest_reuse1")
        {
            expected["first_fail"][0] = 9; // Linux: the 11th connect (index 10) fails
        }
        else if (name == "client_port_reuse")
        {
            expected["connect#2 127.0.0.2:8888"] = "ok local=40001";
        }
        else if (name == "udp_reuse_delivery")
        {
            expected["reuseaddr"] = Json::array({60, 0, 0}); // Linux: the last bound gets all
        }
        else
        {
            expected["bind0"]["even"] = 1; // Linux: bind(0) picks odd ports
        }
        GoldenReport report;
        CompareGoldenRun(name,
                         expected,
                         RunGoldenScript(*Find(name), GoldenBackend::TABLE, SEED),
                         report);
        EXPECT_LT(report.agree, report.total) << name << ": " << report.Summary();
        EXPECT_FALSE(report.mismatches.empty()) << name;
    }
}

TEST(GoldenConformance, AFailingScriptCheckMakesTheCaseDisagree)
{
    // A setup call that must succeed (`-> ok`) and fails spoils the case, whatever it records.
    GoldenScript g = ParseGoldenScript("host h\n"
                                       "tcp h a\n"
                                       "tcp h b\n"
                                       "bind a 127.0.0.1:8888 -> ok\n"
                                       "bind b 127.0.0.1:8888 -> ok   # EADDRINUSE\n"
                                       "listen a 1 -> *   #= set \"listen\"\n",
                                       "broken_setup");
    Json expected = Json::object();
    expected["listen"] = "ok";
    GoldenReport report;
    GoldenRun run = RunGoldenScript(g, GoldenBackend::TABLE, SEED);
    EXPECT_EQ(run.result, expected); // the recorded part agrees ...
    CompareGoldenRun("broken_setup", expected, run, report);
    EXPECT_EQ(report.total, 1);
    EXPECT_EQ(report.agree, 0) << report.Summary(); // ... but the case does not
}

TEST(GoldenConformance, AnnotationsFoldChecksIntoTheProbesShape)
{
    GoldenScript g = ParseGoldenScript(
        "host h\n"
        "tcp h l\n"
        "bind l 127.0.0.1:8888 -> *        #= set \"bind\" \"bind={}\"\n"
        "listen l 4 -> *                   #= append \"bind\" \" listen={}\"; count \"n\"\n"
        "tcp h c\n"
        "connect c 127.0.0.1:9 -> *        #= count \"n\"; first-fail \"ff\"; count \"a\" 1\n"
        "ss h -> *                         #= set \"ss\"\n"
        "#= const \"range\" [\"1\", \"2\"]\n",
        "fold");
    GoldenRun run = RunGoldenScript(g, GoldenBackend::TABLE, SEED);
    EXPECT_TRUE(run.problems.empty());
    EXPECT_EQ(DumpJson(run.result),
              R"({"bind": "bind=ok listen=ok", "n": 1, "ff": [0, "ECONNREFUSED"], "a": [0, 0], )"
              R"("ss": {"LISTEN": 1}, "range": ["1", "2"]})");
    EXPECT_THROW(ParseGoldenScript("host h\ntcp h a   #= set \"x\"\n", "nocheck"), ConfigError);
    EXPECT_THROW(ParseGoldenScript("host h\ntcp h a\nport a -> *  #= sum \"x\"\n", "op"),
                 ConfigError);
}

TEST(GoldenConformance, ComparisonDetectsADisagreement)
{
    // The comparator must not be a rubber stamp.
    GoldenReport report;
    Json expected = Json::object();
    expected["bind"] = "EADDRINUSE";
    Json got = Json::object();
    got["bind"] = "ok";
    CompareGoldenCase("server_restart_old0_servercloses_new1", expected, got, report);
    Json spread = Json::object();
    spread["accepted_per_listener"] = Json::array({100, 100, 100, 100});
    Json skewed = Json::object();
    skewed["accepted_per_listener"] = Json::array({400, 0, 0, 0});
    CompareGoldenCase("tcp_reuseport_balance", spread, skewed, report);
    EXPECT_EQ(report.total, 2);
    EXPECT_EQ(report.agree, 0) << report.Summary();
}

} // namespace
} // namespace portlab
