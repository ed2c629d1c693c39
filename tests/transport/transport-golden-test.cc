/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The recorded Linux cases, end to end over real ns-3 packets: the golden scripts
 * (tests/data/golden-scripts) on one host over loopback as the probe ran them, through
 * RunSocketScript; and a client and a server over a point-to-point link (transport-cases).
 */

#include "golden-compare.h"
#include "golden-script.h"
#include "transport-cases.h"

#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
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

TEST(TransportGolden, OneHostOverLoopbackAgreesWithLinux)
{
    GoldenReport report;
    GoldenReport bindMatrix;
    int cases = 0;
    auto goldens = LoadGoldens();
    for (const auto& g : LoadGoldenScripts(PORTLAB_GOLDEN_SCRIPTS_DIR))
    {
        for (const auto& [name, expected] : goldens)
        {
            if (name == g.name)
            {
                ++cases;
                CompareGoldenRun(name,
                                 expected,
                                 RunGoldenScript(g, GoldenBackend::TRANSPORT, 1),
                                 name == "bind_matrix" ? bindMatrix : report);
            }
        }
    }
    std::cout << "over loopback: " << report.Summary();
    std::cout << "over loopback, bind_matrix pairs: " << bindMatrix.Summary();
    EXPECT_EQ(cases, 23);
    EXPECT_EQ(report.total, 22);
    EXPECT_EQ(bindMatrix.total, 240);
    EXPECT_EQ(report.agree, report.total) << report.Summary();
    EXPECT_EQ(bindMatrix.agree, bindMatrix.total) << bindMatrix.Summary();
}

TEST(TransportGolden, TwoHostsOverAPointToPointLinkAgreeWithLinux)
{
    GoldenReport report;
    auto names = TransportCaseNames(Topology::P2P);
    for (const auto& [name, expected] : LoadGoldens())
    {
        if (std::find(names.begin(), names.end(), name) != names.end())
        {
            CompareGoldenCase(name, expected, RunTransportCase(name, Topology::P2P, 1), report);
        }
    }
    std::cout << "over p2p: " << report.Summary();
    EXPECT_GE(report.total, 21);
    EXPECT_EQ(report.agree, report.total) << report.Summary();
}

} // namespace
} // namespace portlab
