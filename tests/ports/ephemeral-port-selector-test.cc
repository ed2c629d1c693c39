/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/ephemeral-port-selector.h"

#include <gtest/gtest.h>
#include <set>

namespace portlab
{
namespace
{

/// Accepts every port not in `taken` and records the order of candidates.
class RecordingCheck : public PortCandidateCheck
{
  public:
    std::set<uint16_t> taken;
    std::vector<uint16_t> tried;

    bool Usable(uint16_t port, bool) override
    {
        tried.push_back(port);
        return taken.count(port) == 0;
    }
};

TEST(LinuxEphemeralPortSelector, ConnectTriesEveryPortOfTheRangeOnceWhenAllAreTaken)
{
    SplitMixRandom rng(1);
    LinuxEphemeralPortSelector sel(rng, 99);
    RecordingCheck check;
    EphemeralRange r{40000, 40099, false};
    for (uint32_t p = 40000; p <= 40099; ++p)
    {
        check.taken.insert(static_cast<uint16_t>(p));
    }
    EXPECT_EQ(sel.SelectConnectPort(r, 1, 2, 80, 0, check), 0);
    EXPECT_EQ(check.tried.size(), 100u);
    EXPECT_EQ(std::set<uint16_t>(check.tried.begin(), check.tried.end()).size(), 100u);
    for (size_t i = 0; i < 50; ++i)
    {
        EXPECT_EQ(check.tried[i] % 2, 0) << "even ports first";
    }
}

TEST(LinuxEphemeralPortSelector, ConnectOffsetIsPerDestinationAndMovesAfterEachSuccess)
{
    SplitMixRandom rng(2);
    LinuxEphemeralPortSelector sel(rng, 7);
    EphemeralRange r;
    RecordingCheck c1;
    RecordingCheck c2;
    uint16_t a = sel.SelectConnectPort(r, 1, 2, 80, 0, c1);
    uint16_t b = sel.SelectConnectPort(r, 1, 2, 80, 0, c2);
    EXPECT_NE(a, b) << "the perturbation entry advanced";
    int64_t step = static_cast<int64_t>(b) - a;
    EXPECT_GE(step, 2);
    EXPECT_LE(step, 16) << "advance is max(i, random(8)*2) + 2 with i = 0";
    EXPECT_EQ(sel.TouchedPerturbEntries(), 1u);
    RecordingCheck c3;
    sel.SelectConnectPort(r, 1, 3, 80, 0, c3);
    EXPECT_EQ(sel.TouchedPerturbEntries(), 2u) << "another destination, another entry";
}

TEST(LinuxEphemeralPortSelector, BindZeroWithReuseAddrTriesLowerHalfThenUpper)
{
    SplitMixRandom rng(3);
    LinuxEphemeralPortSelector sel(rng, 5);
    RecordingCheck check;
    EphemeralRange r{40000, 40099, false};
    for (uint32_t p = 40000; p <= 40099; ++p)
    {
        check.taken.insert(static_cast<uint16_t>(p));
    }
    EXPECT_EQ(sel.SelectBindPort(r, true, false, check), 0);
    ASSERT_EQ(check.tried.size(), 100u);
    for (size_t i = 0; i < 50; ++i)
    {
        EXPECT_LT(check.tried[i], 40050);
    }
    for (size_t i = 0; i < 25; ++i)
    {
        EXPECT_EQ(check.tried[i] % 2, 1) << "odd ports first";
    }
}

TEST(LinuxEphemeralPortSelector, UdpCoversTheWholeRange)
{
    SplitMixRandom rng(4);
    LinuxEphemeralPortSelector sel(rng, 5);
    RecordingCheck check;
    EphemeralRange r{40000, 40999, false};
    for (uint32_t p = 40000; p <= 40999; ++p)
    {
        check.taken.insert(static_cast<uint16_t>(p));
    }
    EXPECT_EQ(sel.SelectUdpPort(r, check), 0);
    EXPECT_EQ(std::set<uint16_t>(check.tried.begin(), check.tried.end()).size(), 1000u);
}

TEST(LinuxEphemeralPortSelector, DenseAndSparsePerturbationTablesChooseTheSamePorts)
{
    // A busy host switches to the dense table; the choices must not change when it does.
    SplitMixRandom rngA(9);
    SplitMixRandom rngB(9);
    LinuxEphemeralPortSelector a(rngA, 77);
    LinuxEphemeralPortSelector b(rngB, 77, SIZE_MAX); // stays sparse
    EphemeralRange r;
    for (uint32_t d = 0; d < 3 * LinuxEphemeralPortSelector::DENSE_AFTER; ++d)
    {
        RecordingCheck ca;
        RecordingCheck cb;
        ASSERT_EQ(a.SelectConnectPort(r, 1, 0x0c000000 + d, 80, 0, ca),
                  b.SelectConnectPort(r, 1, 0x0c000000 + d, 80, 0, cb));
    }
    ASSERT_EQ(a.TouchedPerturbEntries(), LinuxEphemeralPortSelector::TABLE_PERTURB_SIZE)
        << "a busy host uses the dense table";
    ASSERT_LT(b.TouchedPerturbEntries(), LinuxEphemeralPortSelector::TABLE_PERTURB_SIZE)
        << "the reference stays sparse";
    for (uint32_t d = 0; d < 1000; ++d)
    {
        RecordingCheck ca;
        RecordingCheck cb;
        EXPECT_EQ(a.SelectConnectPort(r, 1, 0x0d000000 + d, 80, 0, ca),
                  b.SelectConnectPort(r, 1, 0x0d000000 + d, 80, 0, cb));
    }
}

} // namespace
} // namespace portlab
