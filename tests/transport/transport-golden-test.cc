/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The recorded Linux cases, end to end over real ns-3 packets: the golden scripts
 * (tests/data/golden-scripts) on one host over loopback as the probe ran them, through
 * RunSocketScript; and the same scripts with a client host and a server host over
 * point-to-point links (RunGoldenScriptOverLink).
 */

#include "golden-compare.h"
#include "golden-over-link.h"
#include "golden-script.h"

#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace portlab
{
namespace
{

std::vector<std::pair<std::string, Json>>
LoadGoldens()
{
    std::ifstream in(PORTLAB_GOLDEN_FILE);
    std::stringstream buf;
    buf << in.rdbuf();
    return ParseGoldenLines(buf.str());
}

TEST(TransportGolden, EveryGoldenScriptRunsOverLoopbackPackets)
{
    auto scripts = LoadGoldenScripts(PORTLAB_GOLDEN_SCRIPTS_DIR);
    EXPECT_EQ(scripts.size(), LoadGoldens().size());
    for (const auto& g : scripts)
    {
        EXPECT_TRUE(GoldenRunsOn(g, GoldenBackend::TRANSPORT)) << g.name;
    }
}

/// The golden cases that one way of running them compared with their recordings, bind_matrix's
/// 240 pairs apart from the other cases.
struct GoldenTally
{
    int cases{0};            //!< scripts run
    GoldenReport report;     //!< every case but bind_matrix
    GoldenReport bindMatrix; //!< bind_matrix's pairs
};

/// Run every golden script but `skip` with `run` and compare each with its recording.
GoldenTally
CompareEveryGoldenScript(const std::function<GoldenRun(const GoldenScript&)>& run,
                         const std::string& skip = "")
{
    GoldenTally t;
    std::map<std::string, Json> goldens;
    for (const auto& [name, expected] : LoadGoldens())
    {
        goldens[name] = expected;
    }
    for (const auto& g : LoadGoldenScripts(PORTLAB_GOLDEN_SCRIPTS_DIR))
    {
        if (g.name == skip)
        {
            continue;
        }
        ++t.cases;
        CompareGoldenRun(g.name,
                         goldens.at(g.name),
                         run(g),
                         g.name == "bind_matrix" ? t.bindMatrix : t.report);
    }
    return t;
}

/// Print a tally and expect `scripts` scripts run, `cases` cases besides bind_matrix's 240
/// pairs, every one agreeing with Linux.
void
ExpectEveryCaseAgrees(const GoldenTally& t, const std::string& where, int scripts, int cases)
{
    std::cout << where << ": " << t.report.Summary();
    std::cout << where << ", bind_matrix pairs: " << t.bindMatrix.Summary();
    EXPECT_EQ(t.cases, scripts) << where << ": golden scripts run";
    EXPECT_EQ(t.report.total, cases) << where << ": cases compared besides bind_matrix";
    EXPECT_EQ(t.bindMatrix.total, 240) << where << ": bind_matrix pairs compared";
    EXPECT_EQ(t.report.agree, t.report.total) << where << ": " << t.report.Summary();
    EXPECT_EQ(t.bindMatrix.agree, t.bindMatrix.total) << where << ": " << t.bindMatrix.Summary();
}

TEST(TransportGolden, OneHostOverLoopbackAgreesWithLinux)
{
    const GoldenTally t = CompareEveryGoldenScript(
        [](const GoldenScript& g) { return RunGoldenScript(g, GoldenBackend::TRANSPORT, 1); });
    ExpectEveryCaseAgrees(t, "over loopback", 23, 22);
}

TEST(TransportGolden, TheTwoHostFormPutsServingSocketsOnTheServerAndTheRestOnTheClient)
{
    const GoldenScript g = ParseGoldenScript("host h\n"
                                             "tcp h l\n"
                                             "bind l 127.0.0.2:8888 -> ok\n"
                                             "listen l -> ok\n"
                                             "udp h u\n"
                                             "bind u 127.0.0.1:0 -> ok\n"
                                             "tcp h c\n"
                                             "connect c 127.0.0.2:8888 -> ok\n"
                                             "accept l a -> ok\n"
                                             "ss h -> *   #= set \"ss\"\n",
                                             "two-host-form");
    std::string text;
    for (const auto& s : GoldenScriptOverLink(g).program.statements)
    {
        text += s.text + "\n";
    }
    EXPECT_EQ(text,
              "host client\nhost server\n"
              "link client server 10.1.1.1 10.1.1.2 1ms\n"
              "link client server 10.1.2.1 10.1.2.2 1ms\n"
              "tcp server l\nbind l 10.1.2.2:8888\nlisten l\n"
              "udp client u\nbind u 10.1.1.1:0\n"
              "tcp client c\nconnect c 10.1.2.2:8888\nwait 10ms\n"
              "accept l a\nss server\nss client\n")
        << "a listener and its accepted socket serve; a socket binding port 0 or connecting is "
           "the client's; 127.0.0.N is link N's server end as a destination";
    const GoldenRun run = RunGoldenScriptOverLink(g, GoldenBackend::TRANSPORT, 1);
    EXPECT_TRUE(run.problems.empty()) << run.problems.front();
    EXPECT_EQ(run.result.dump(), R"({"ss":{"LISTEN":1,"ESTAB":2}})")
        << "`ss h` counts both hosts' sockets, as the one host listed both ends";
}

TEST(TransportGolden, TwoHostsOverAPointToPointLinkAgreeWithLinux)
{
    // tcp_tw_reuse=2 reuses a TIME_WAIT only for a loopback connection (tcp_twsk_unique()):
    // between two hosts that case is Linux's tcp_tw_reuse=0, and is compared with that
    // recording in the next test, not with its own.
    const GoldenTally t = CompareEveryGoldenScript(
        [](const GoldenScript& g) {
            return RunGoldenScriptOverLink(g, GoldenBackend::TRANSPORT, 1);
        },
        "tw_exhaust_one_dest_reuse2_loopback");
    ExpectEveryCaseAgrees(t, "over p2p", 22, 21);
}

TEST(TransportGolden, TwoHostsWithTcpTwReuse2ExhaustAsLinuxWithTcpTwReuse0)
{
    GoldenReport report;
    for (const auto& g : LoadGoldenScripts(PORTLAB_GOLDEN_SCRIPTS_DIR))
    {
        if (g.name != "tw_exhaust_one_dest_reuse2_loopback")
        {
            continue;
        }
        for (const auto& [name, expected] : LoadGoldens())
        {
            if (name == "tw_exhaust_one_dest_reuse0")
            {
                CompareGoldenRun(name,
                                 expected,
                                 RunGoldenScriptOverLink(g, GoldenBackend::TRANSPORT, 1),
                                 report);
            }
        }
    }
    EXPECT_EQ(report.total, 1) << "the tcp_tw_reuse=2 script and the tcp_tw_reuse=0 recording";
    EXPECT_EQ(report.agree, report.total)
        << "between two hosts tcp_tw_reuse=2 reuses no TIME_WAIT, as 0: " << report.Summary();
}

} // namespace
} // namespace portlab
