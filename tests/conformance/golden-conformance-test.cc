/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Every case recorded on a real Linux 6.18 kernel that the port tables can express is
 * replayed on the model and must agree.
 */

#include "golden-compare.h"
#include "model-cases.h"

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

bool
Contains(const std::vector<std::string>& v, const std::string& s)
{
    return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(GoldenConformance, EveryRecordedCaseIsReplayedByTheModelOrTheTransport)
{
    auto model = ModelCaseNames();
    auto transport = TransportOnlyCaseNames();
    for (const auto& [name, result] : LoadGoldens())
    {
        EXPECT_TRUE(Contains(model, name) || Contains(transport, name))
            << "recorded case '" << name << "' is replayed nowhere";
    }
}

TEST(GoldenConformance, ModelAgreesWithEveryTableLevelLinuxCase)
{
    GoldenReport report;
    auto model = ModelCaseNames();
    int recorded = 0;
    for (const auto& [name, expected] : LoadGoldens())
    {
        if (!Contains(model, name))
        {
            continue;
        }
        ++recorded;
        CompareGoldenCase(name, expected, RunModelCase(name, SEED), report);
    }
    std::cout << report.Summary();
    EXPECT_EQ(recorded, static_cast<int>(model.size()))
        << "every model case should have a recording";
    EXPECT_GE(report.total, 240 + static_cast<int>(model.size()) - 1)
        << "all 240 bind_matrix pairs and every other table-level case should be compared";
    EXPECT_EQ(report.agree, report.total) << "the model must agree with Linux on every case:\n"
                                          << report.Summary();
}

TEST(GoldenConformance, ModelAgreesWithLinuxUnderOtherSeeds)
{
    // Randomness (port offsets, hash secrets) must not change any deterministic outcome.
    for (uint64_t seed : {2, 3, 17, 12345})
    {
        GoldenReport report;
        auto model = ModelCaseNames();
        for (const auto& [name, expected] : LoadGoldens())
        {
            if (Contains(model, name))
            {
                CompareGoldenCase(name, expected, RunModelCase(name, seed), report);
            }
        }
        EXPECT_EQ(report.agree, report.total) << "seed " << seed << ":\n" << report.Summary();
    }
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
    Json arr = Json::array();
    for (int n : {100, 100, 100, 100})
    {
        arr.push_back(n);
    }
    spread["accepted_per_listener"] = arr;
    Json skewed = Json::object();
    Json arr2 = Json::array();
    for (int n : {400, 0, 0, 0})
    {
        arr2.push_back(n);
    }
    skewed["accepted_per_listener"] = arr2;
    CompareGoldenCase("tcp_reuseport_balance", spread, skewed, report);
    EXPECT_EQ(report.total, 2);
    EXPECT_EQ(report.agree, 0) << report.Summary();
}

} // namespace
} // namespace portlab
