/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The pluggable ephemeral port algorithms: each one's order, and that every one of them
 * keeps Linux's rules other than the order (range, reserved ports, per-socket range,
 * 4-tuple uniqueness under TIME_WAIT) and finds every free port.
 */

#include "ports/hash-ephemeral-port-selector.h"
#include "ports/random-ephemeral-port-selector.h"
#include "ports/random-increments-ephemeral-port-selector.h"
#include "ports/sequential-ephemeral-port-selector.h"
#include "table-driver.h"

#include <gtest/gtest.h>
#include <set>

namespace portlab
{
namespace
{

/// Accepts every port not in `taken`, takes what it accepts, records the candidates.
class TakingCheck : public PortCandidateCheck
{
  public:
    std::set<uint16_t> taken;
    std::vector<uint16_t> tried;

    bool Usable(uint16_t port, bool) override
    {
        tried.push_back(port);
        return taken.insert(port).second;
    }
};

/// \return the steps between consecutive ports, modulo the range size
std::vector<uint32_t>
Steps(const std::vector<uint16_t>& ports, const EphemeralRange& r)
{
    const uint32_t size = uint32_t{r.high} - r.low + 1;
    std::vector<uint32_t> out;
    for (size_t i = 1; i < ports.size(); ++i)
    {
        out.push_back((ports[i] + size - ports[i - 1]) % size);
    }
    return out;
}

TEST(SequentialPortSelector, ConnectCountsUpFromTheLowEndWithoutGapsWhilePortsAreFree)
{
    SequentialEphemeralPortSelector sel(1);
    EphemeralRange r{49152, 65535, false};
    TakingCheck check;
    for (uint32_t i = 0; i < 100; ++i)
    {
        EXPECT_EQ(sel.SelectConnectPort(r, 1, 2 + i % 3, 80, 0, check), 49152 + i)
            << "destinations do not matter";
    }
    EXPECT_EQ(check.tried.size(), 100u) << "each port was the first candidate";
}

TEST(SequentialPortSelector, SkipsATakenPortAndWrapsAtTheHighEnd)
{
    SequentialEphemeralPortSelector sel(1);
    EphemeralRange r{40000, 40003, false};
    TakingCheck check;
    check.taken = {40001};
    EXPECT_EQ(sel.SelectConnectPort(r, 1, 2, 80, 0, check), 40000);
    EXPECT_EQ(sel.SelectConnectPort(r, 1, 2, 80, 0, check), 40002);
    EXPECT_EQ(sel.SelectConnectPort(r, 1, 2, 80, 0, check), 40003);
    check.taken.erase(40000);
    EXPECT_EQ(sel.SelectConnectPort(r, 1, 2, 80, 0, check), 40000) << "wrapped";
    EXPECT_EQ(sel.SelectConnectPort(r, 1, 2, 80, 0, check), 0) << "all taken";
}

TEST(SequentialPortSelector, TcpAndUdpKeepSeparateCursors)
{
    SequentialEphemeralPortSelector sel(1);
    EphemeralRange r{40000, 40099, false};
    TakingCheck tcp;
    TakingCheck udp;
    EXPECT_EQ(sel.SelectConnectPort(r, 1, 2, 80, 0, tcp), 40000);
    EXPECT_EQ(sel.SelectBindPort(r, false, false, tcp), 40001) << "bind(0) shares TCP's";
    EXPECT_EQ(sel.SelectUdpPort(r, udp), 40000) << "UDP has its own, as ns-3's demuxes";
}

TEST(RandomIncrementsPortSelector, EachStepIsBetweenOneAndN)
{
    SplitMixRandom rng(4);
    const uint32_t n = 10;
    RandomIncrementsEphemeralPortSelector sel(rng, 77, n);
    EphemeralRange r{32768, 60999, false};
    TakingCheck check;
    std::vector<uint16_t> ports;
    for (int i = 0; i < 2000; ++i)
    {
        ports.push_back(sel.SelectConnectPort(r, 1, 2, 80, 0, check));
    }
    std::set<uint32_t> seen;
    for (uint32_t s : Steps(ports, r))
    {
        ASSERT_GE(s, 1u);
        ASSERT_LE(s, n);
        seen.insert(s);
    }
    EXPECT_EQ(seen.size(), n) << "every step in [1, N] occurs";
}

TEST(RandomIncrementsPortSelector, FindsTheOnePortTheRandomWalkSteppedOver)
{
    // With N = 500 over 100 ports, 100 random steps miss a given port often; the search goes
    // on through the whole range.
    for (uint64_t seed = 1; seed <= 50; ++seed)
    {
        SplitMixRandom rng(seed);
        RandomIncrementsEphemeralPortSelector sel(rng, seed, 500);
        EphemeralRange r{40000, 40099, false};
        TakingCheck check;
        for (uint32_t p = 40000; p <= 40099; ++p)
        {
            check.taken.insert(static_cast<uint16_t>(p));
        }
        check.taken.erase(40042);
        ASSERT_EQ(sel.SelectConnectPort(r, 1, 2, 80, 0, check), 40042) << "seed " << seed;
    }
}

TEST(HashPortSelector, SameDestinationGetsConsecutivePorts)
{
    HashEphemeralPortSelector sel(1234);
    EphemeralRange r;
    TakingCheck check;
    std::vector<uint16_t> ports;
    for (int i = 0; i < 50; ++i)
    {
        ports.push_back(sel.SelectConnectPort(r, 1, 2, 80, 0, check));
    }
    for (uint32_t s : Steps(ports, r))
    {
        EXPECT_EQ(s, 1u);
    }
}

TEST(HashPortSelector, DifferentDestinationsStartAtDifferentOffsets)
{
    EphemeralRange r;
    std::set<uint16_t> first;
    for (uint16_t dport = 80; dport < 90; ++dport)
    {
        HashEphemeralPortSelector sel(1234); // hint 0 each time: the offset alone
        TakingCheck check;
        first.insert(sel.SelectConnectPort(r, 1, 2, dport, 0, check));
    }
    EXPECT_EQ(first.size(), 10u);
    // One host: the shared hint moves every destination's sequence by one per connect().
    HashEphemeralPortSelector sel(1234);
    TakingCheck check;
    uint16_t a1 = sel.SelectConnectPort(r, 1, 2, 80, 0, check);
    uint16_t b1 = sel.SelectConnectPort(r, 1, 3, 80, 0, check);
    uint16_t a2 = sel.SelectConnectPort(r, 1, 2, 80, 0, check);
    EXPECT_NE(b1, a1 + 1) << "another destination is not next in line";
    EXPECT_EQ(a2, a1 + 2) << "the hint advanced once for each connect()";
}

TEST(RandomPortSelector, StartsAnywhereAndThenCountsUp)
{
    SplitMixRandom rng(9);
    RandomEphemeralPortSelector sel(rng, 9);
    EphemeralRange r{40000, 40999, false};
    std::set<uint16_t> starts;
    for (int i = 0; i < 20; ++i)
    {
        TakingCheck check;
        starts.insert(sel.SelectConnectPort(r, 1, 2, 80, 0, check));
    }
    EXPECT_GE(starts.size(), 19u) << "independent uniform starts";
    TakingCheck check;
    for (uint32_t p = 40000; p <= 40999; ++p)
    {
        check.taken.insert(static_cast<uint16_t>(p));
    }
    EXPECT_EQ(sel.SelectConnectPort(r, 1, 2, 80, 0, check), 0);
    ASSERT_EQ(check.tried.size(), 1000u);
    auto steps = Steps(check.tried, r);
    for (uint32_t s : steps)
    {
        EXPECT_EQ(s, 1u);
    }
}

/// Every algorithm, by name.
class EveryAlgorithm : public ::testing::TestWithParam<std::string>
{
};

TEST_P(EveryAlgorithm, FindsTheLastFreePortOfTheRangeAndTriesEveryPortBeforeGivingUp)
{
    EphemeralRange r{40000, 40099, false}; // 100 ports: even, so Linux tries all of them too
    for (uint16_t free : {40000, 40001, 40050, 40098, 40099})
    {
        SplitMixRandom rng(free);
        auto sel = MakeEphemeralPortSelector(GetParam(), rng, 5);
        ASSERT_NE(sel, nullptr);
        TakingCheck check;
        for (uint32_t p = 40000; p <= 40099; ++p)
        {
            check.taken.insert(static_cast<uint16_t>(p));
        }
        check.taken.erase(free);
        EXPECT_EQ(sel->SelectConnectPort(r, 1, 2, 80, 0, check), free) << "connect()";
        check.taken.erase(free);
        EXPECT_EQ(sel->SelectBindPort(r, false, false, check), free) << "bind(0)";
        check.taken.erase(free);
        EXPECT_EQ(sel->SelectUdpPort(r, check), free) << "UDP";
        check.tried.clear();
        EXPECT_EQ(sel->SelectConnectPort(r, 1, 2, 80, 0, check), 0);
        EXPECT_EQ(std::set<uint16_t>(check.tried.begin(), check.tried.end()).size(), 100u);
    }
}

TEST_P(EveryAlgorithm, ExhaustsAtTheSameCountUnderTimeWaitAndFreesOnExpiry)
{
    TableDriver h(11);
    h.Host().UseSelector([name = GetParam()](RandomSource& rng, uint64_t secret) {
        return MakeEphemeralPortSelector(name, rng, secret);
    });
    EXPECT_EQ(h.Host().Selector().Name(), GetParam());
    h.Sysctl("ip_local_port_range", "40000 40099");
    h.Sysctl("ip_local_reserved_ports", "40010-40019");
    h.Sysctl("tcp_tw_reuse", "0");
    h.Listener(LO1, 8888);
    auto fill = [&]() {
        uint32_t ok = 0;
        for (;;)
        {
            SocketId c = h.Tcp().Open();
            SocketId a = INVALID_ID;
            if (h.Connect(c, LO1, 8888, &a) != Errno::OK)
            {
                h.Tcp().Destroy(c);
                return ok;
            }
            uint16_t port = h.Tcp().GetTuple(c).localPort;
            EXPECT_TRUE(port >= 40000 && port <= 40099 && (port < 40010 || port > 40019)) << port;
            h.CloseInOrder(c, a, NS_PER_MS); // the client closes first: TIME_WAIT
            ++ok;
        }
    };
    EXPECT_EQ(fill(), 90u) << "every non-reserved port of the range, then EADDRNOTAVAIL";
    h.Sleep(61 * NS_PER_SECOND);
    EXPECT_EQ(fill(), 90u) << "all free again after the TIME_WAITs";
}

TEST_P(EveryAlgorithm, HonoursThePerSocketRange)
{
    TableDriver h(12);
    h.Host().UseSelector([name = GetParam()](RandomSource& rng, uint64_t secret) {
        return MakeEphemeralPortSelector(name, rng, secret);
    });
    h.Listener(LO1, 8888);
    for (int i = 0; i < 10; ++i)
    {
        SocketId c = h.Tcp().Open();
        ASSERT_EQ(h.Tcp().SetLocalPortRange(c, 50000, 50009), Errno::OK);
        ASSERT_EQ(h.Connect(c, LO1, 8888), Errno::OK);
        uint16_t port = h.Tcp().GetTuple(c).localPort;
        EXPECT_TRUE(port >= 50000 && port <= 50009) << port;
    }
    SocketId c = h.Tcp().Open();
    ASSERT_EQ(h.Tcp().SetLocalPortRange(c, 50000, 50009), Errno::OK);
    EXPECT_EQ(h.Connect(c, LO1, 8888), Errno::ADDRNOTAVAIL);
}

TEST_P(EveryAlgorithm, SameSeedGivesTheSamePorts)
{
    auto run = [name = GetParam()](uint64_t seed) {
        HostPortSpace host(seed, [name](RandomSource& rng, uint64_t secret) {
            return MakeEphemeralPortSelector(name, rng, secret);
        });
        std::vector<uint16_t> ports;
        for (int i = 0; i < 200; ++i)
        {
            SocketId c = host.Tcp().Open();
            TcpConnectResult r;
            EXPECT_EQ(host.Tcp().Connect(c, LO1, LO1, static_cast<uint16_t>(80 + i % 7), 0, r),
                      Errno::OK);
            ports.push_back(r.localPort);
            SocketId u = host.Udp().Open();
            EXPECT_EQ(host.Udp().Bind(u, ADDR_ANY, 0), Errno::OK);
            ports.push_back(host.Udp().GetTuple(u).localPort);
        }
        return ports;
    };
    EXPECT_EQ(run(3), run(3));
}

INSTANTIATE_TEST_SUITE_P(PortSelectors,
                         EveryAlgorithm,
                         ::testing::ValuesIn(EphemeralPortSelectorNames()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                             std::string n = p.param;
                             for (char& c : n)
                             {
                                 c = c == '-' ? '_' : c;
                             }
                             return n;
                         });

} // namespace
} // namespace portlab
