/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The recorded Linux cases, end to end over real ns-3 packets: one host over loopback as the
 * probe ran them, and a client and a server over a point-to-point link.
 */

#include "golden-compare.h"
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

GoldenReport
Replay(Topology topology)
{
    GoldenReport report;
    auto names = TransportCaseNames(topology);
    for (const auto& [name, expected] : LoadGoldens())
    {
        if (std::find(names.begin(), names.end(), name) != names.end())
        {
            CompareGoldenCase(name, expected, RunTransportCase(name, topology, 1), report);
        }
    }
    return report;
}

TEST(TransportGolden, EveryRecordedCaseButTheBindMatrixRunsOverLoopbackPackets)
{
    auto names = TransportCaseNames(Topology::LOOPBACK);
    for (const auto& [name, result] : LoadGoldens())
    {
        if (name != "bind_matrix")
        {
            EXPECT_NE(std::find(names.begin(), names.end(), name), names.end())
                << "recorded case '" << name << "' has no packet-level replay";
        }
    }
}

TEST(TransportGolden, OneHostOverLoopbackAgreesWithLinux)
{
    GoldenReport report = Replay(Topology::LOOPBACK);
    std::cout << "over loopback: " << report.Summary();
    EXPECT_GE(report.total, 22);
    EXPECT_EQ(report.agree, report.total) << report.Summary();
}

TEST(TransportGolden, TwoHostsOverAPointToPointLinkAgreeWithLinux)
{
    GoldenReport report = Replay(Topology::P2P);
    std::cout << "over p2p: " << report.Summary();
    EXPECT_GE(report.total, 21);
    EXPECT_EQ(report.agree, report.total) << report.Summary();
}

} // namespace
} // namespace portlab
