/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/tcp-time-wait-rules.h"
#include "util/json-text.h"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace portlab
{
namespace
{

constexpr Ipv4 LINK_LOCAL = 0x0a000101;  // 10.0.1.1
constexpr Ipv4 LINK_REMOTE = 0x0a000102; // 10.0.1.2
constexpr Ipv4 LOOPBACK = 0x7f000001;    // 127.0.0.1

/// A TIME_WAIT with timestamps that entered at t = 10 s.
TcpTwskFacts
Entry(bool loopback)
{
    TcpTwskFacts tw;
    tw.timestamps = true;
    tw.loopback = loopback;
    tw.entryStamp = 10 * NS_PER_SECOND;
    return tw;
}

PortSysctls
WithTwReuse(int64_t reuse, int64_t delayMs = 1000)
{
    PortSysctls sys;
    sys.tcpTwReuse = reuse;
    sys.tcpTwReuseDelayMs = delayMs;
    return sys;
}

const TimeNs LATE = 30 * NS_PER_SECOND; // well past any delay used below

TEST(TcpTwskUnique, TwReuseZeroNeverLetsAnEphemeralConnectTakeOver)
{
    EXPECT_FALSE(TcpTwskUnique(Entry(false), false, LATE, WithTwReuse(0)));
    EXPECT_FALSE(TcpTwskUnique(Entry(true), false, LATE, WithTwReuse(0)));
}

TEST(TcpTwskUnique, TwReuseOneTakesOverAnyEntryStrictlyAfterTheDelay)
{
    const TimeNs threshold = 10 * NS_PER_SECOND + 1000 * NS_PER_MS;
    EXPECT_FALSE(TcpTwskUnique(Entry(false), false, threshold, WithTwReuse(1)))
        << "exactly tw_entry_stamp + tcp_tw_reuse_delay: not after it";
    EXPECT_TRUE(TcpTwskUnique(Entry(false), false, threshold + 1, WithTwReuse(1)));
    EXPECT_TRUE(TcpTwskUnique(Entry(true), false, threshold + 1, WithTwReuse(1)));
}

TEST(TcpTwskUnique, TheDelayCountsFromTheEntryStampAndFollowsTheSysctl)
{
    const PortSysctls sys = WithTwReuse(1, 5000);
    EXPECT_FALSE(TcpTwskUnique(Entry(false), false, 15 * NS_PER_SECOND, sys));
    EXPECT_TRUE(TcpTwskUnique(Entry(false), false, 15 * NS_PER_SECOND + 1, sys));
    EXPECT_EQ(TcpTwReuseThreshold(10 * NS_PER_SECOND, 5000), 15 * NS_PER_SECOND);
}

TEST(TcpTwskUnique, TwReuseTwoTakesOverLoopbackEntriesOnly)
{
    EXPECT_TRUE(TcpTwskUnique(Entry(true), false, LATE, WithTwReuse(2)));
    EXPECT_FALSE(TcpTwskUnique(Entry(false), false, LATE, WithTwReuse(2)))
        << "the default tcp_tw_reuse=2 leaves TIME_WAITs towards a link alone";
    EXPECT_FALSE(
        TcpTwskUnique(Entry(true), false, 10 * NS_PER_SECOND + NS_PER_SECOND, WithTwReuse(2)))
        << "loopback still waits for the delay";
}

TEST(TcpTwskUnique, WithoutTimestampsNothingIsTakenOverNotEvenByABoundPort)
{
    TcpTwskFacts tw = Entry(true);
    tw.timestamps = false;
    EXPECT_FALSE(TcpTwskUnique(tw, false, LATE, WithTwReuse(1)));
    EXPECT_FALSE(TcpTwskUnique(tw, true, LATE, WithTwReuse(1)));
}

TEST(TcpTwskUnique, ABoundPortTakesOverWhateverTwReuseTheDelayAndFinWait2Say)
{
    TcpTwskFacts tw = Entry(false);
    tw.finWait2 = true;
    EXPECT_TRUE(TcpTwskUnique(tw, true, tw.entryStamp, WithTwReuse(0)))
        << "twp == NULL: only the timestamps count";
}

TEST(TcpTwskUnique, AFinWait2EntryIsNeverTakenOverByAnEphemeralConnect)
{
    TcpTwskFacts tw = Entry(true);
    tw.finWait2 = true;
    EXPECT_FALSE(TcpTwskUnique(tw, false, LATE, WithTwReuse(1)));
    EXPECT_FALSE(TcpTwskUnique(tw, false, LATE, WithTwReuse(2)));
}

TEST(TcpTwskLoopback, AnAddressIn127Slash8OrBindingToLoIsLoopback)
{
    EXPECT_TRUE(TcpTwskLoopback(LOOPBACK, LOOPBACK, 0));
    EXPECT_TRUE(TcpTwskLoopback(0x7f000002, LINK_LOCAL, 0)) << "remote address 127.0.0.2";
    EXPECT_TRUE(TcpTwskLoopback(LINK_REMOTE, 0x7f0000fe, 0)) << "local address in 127/8";
    EXPECT_TRUE(TcpTwskLoopback(LINK_REMOTE, LINK_LOCAL, LOOPBACK_IFINDEX)) << "SO_BINDTODEVICE lo";
    EXPECT_FALSE(TcpTwskLoopback(LINK_REMOTE, LINK_LOCAL, 2));
}

TEST(TcpTwskLoopback, AConnectionToTheHostsOwnLinkAddressIsNotLoopback)
{
    // It travels over lo, but the kernel looks at the addresses and the bound device only.
    EXPECT_FALSE(TcpTwskLoopback(LINK_LOCAL, LINK_LOCAL, 0));
}

TEST(TcpTwIsn, IsTwSndNxtPlus65537AndNeverZero)
{
    EXPECT_EQ(TcpTwIsn(1000), 1000u + 65535u + 2u);
    EXPECT_EQ(TcpTwIsn(0xffffffffu), 65536u) << "wraps modulo 2^32";
    EXPECT_EQ(TcpTwIsn(0u - 65537u), 1u) << "0 becomes 1";
}

TEST(TcpTwTimestamps, AnEntryHasTimestampsOnlyIfBothEndsOfferedThemAndOneWasSeen)
{
    EXPECT_TRUE(TcpSynOffersTimestamps(1));
    EXPECT_TRUE(TcpSynOffersTimestamps(2)) << "2: timestamps without the random offset";
    EXPECT_FALSE(TcpSynOffersTimestamps(0));
    EXPECT_TRUE(TcpTwTimestamps(TcpTstampOk(1, true), true));
    EXPECT_FALSE(TcpTwTimestamps(TcpTstampOk(0, true), true)) << "this host's tcp_timestamps=0";
    EXPECT_FALSE(TcpTwTimestamps(TcpTstampOk(1, false), true)) << "the peer's SYN had none";
    EXPECT_FALSE(TcpTwTimestamps(TcpTstampOk(1, true), false)) << "no ts_recent recorded";
}

TEST(ConnectCapacityPerSecond, UsablePortsTimesDestinationsOverTheTimeWaitLength)
{
    PortSysctls sys = WithTwReuse(0);
    sys.ipLocalPortRangeLow = 40000;
    sys.ipLocalPortRangeHigh = 40999;
    sys.ipLocalReservedPorts = ReservedPorts::Parse("40000-40099");
    PortCapacity c = ConnectCapacityPerSecond(sys, 3, false, true, false);
    EXPECT_EQ(c.ports, 900u) << "reserved ports are never chosen";
    EXPECT_EQ(c.held, 2700u);
    EXPECT_FALSE(c.takeover);
    EXPECT_FALSE(c.overflow);
    EXPECT_DOUBLE_EQ(c.holdS, 60.0);
    EXPECT_DOUBLE_EQ(c.perSecond, 2700 / 60.0);
    EXPECT_EQ(ConnectCapacityPerSecond(sys, 3, true, true, false).held, 900u)
        << "bind(0) before connect(): a TIME_WAIT holds its port towards every destination";
}

TEST(ConnectCapacityPerSecond, ATakeoverFreesA4TupleAfterTheDelayInsteadOfTheTimeWaitLength)
{
    PortSysctls sys = WithTwReuse(1, 2000);
    sys.ipLocalPortRangeLow = 40000;
    sys.ipLocalPortRangeHigh = 40999;
    PortCapacity c = ConnectCapacityPerSecond(sys, 1, false, true, false);
    EXPECT_TRUE(c.takeover);
    EXPECT_DOUBLE_EQ(c.holdS, 2.0);
    EXPECT_DOUBLE_EQ(c.perSecond, 500.0);
    EXPECT_FALSE(ConnectCapacityPerSecond(sys, 1, false, false, false).takeover)
        << "without timestamps";
    EXPECT_FALSE(ConnectCapacityPerSecond(sys, 1, true, true, false).takeover)
        << "bind(0) takes no TIME_WAIT over";
    sys.tcpTwReuseDelayMs = 60000;
    EXPECT_FALSE(ConnectCapacityPerSecond(sys, 1, false, true, false).takeover)
        << "a delay as long as the TIME_WAIT: the entry expires first";
    sys.tcpTwReuse = 2;
    sys.tcpTwReuseDelayMs = 1000;
    EXPECT_FALSE(ConnectCapacityPerSecond(sys, 1, false, true, false).takeover);
    EXPECT_TRUE(ConnectCapacityPerSecond(sys, 1, false, true, true).takeover) << "loopback";
}

TEST(ConnectCapacityPerSecond, FewerTwBucketsThanHeldPortsMeansNoLimit)
{
    PortSysctls sys;
    sys.ipLocalPortRangeLow = 40000;
    sys.ipLocalPortRangeHigh = 40999;
    sys.tcpMaxTwBuckets = 999;
    EXPECT_TRUE(ConnectCapacityPerSecond(sys, 1, false, true, false).overflow);
    sys.tcpMaxTwBuckets = 1000;
    EXPECT_FALSE(ConnectCapacityPerSecond(sys, 1, false, true, false).overflow);
}

/// The lines of tests/data/kernel-checks/timewait-syn-timestamps.jsonl (Linux 6.18.44) whose
/// "check" is `check`.
std::vector<Json>
TimeWaitRecording(const std::string& check)
{
    const std::string path =
        std::string(PORTLAB_KERNEL_CHECKS_DIR) + "/timewait-syn-timestamps.jsonl";
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    std::vector<Json> out;
    std::string line;
    while (std::getline(in, line))
    {
        Json j = ParseJson(line);
        if (j.at("check") == check)
        {
            out.push_back(j);
        }
    }
    return out;
}

TEST(TcpTimeWaitRules, TsOffsetsArePerFourTupleAsTheRecordedKernelsAre)
{
    // 16 SYNs from distinct ports of one client within a ms: with tcp_timestamps 1 the
    // recorded TSvals are spread over the 32-bit space (per 4-tuple offsets; an offset per
    // address pair would give one value), with 2 they are the clock (no offset).
    const FourTuple base{0x0a090001, 0x0a090002, 0, 80};
    for (const Json& rec : TimeWaitRecording("offsets"))
    {
        const int64_t ts = rec.at("tcp_timestamps").get<int64_t>();
        std::vector<int64_t> recorded;
        std::vector<int64_t> model;
        for (const auto& syn : rec.at("syns"))
        {
            recorded.push_back(syn.at(2).get<int64_t>());
            FourTuple t = base;
            t.localPort = syn.at(0).get<uint16_t>();
            model.push_back(SecureTcpTsOff(0x5eed, t, ts, TsOffsetKey::FOUR_TUPLE));
        }
        ASSERT_GE(recorded.size(), 8u);
        const auto spread = [](const std::vector<int64_t>& v) {
            return *std::max_element(v.begin(), v.end()) - *std::min_element(v.begin(), v.end());
        };
        const int64_t wide = int64_t{1} << 30; // 16 uniform 32-bit values span more w.p. ~1
        if (ts == 1)
        {
            EXPECT_GT(spread(recorded), wide) << "the recording: unrelated TSvals";
            EXPECT_GT(spread(model), wide) << "per 4-tuple offsets should be unrelated";
        }
        else
        {
            EXPECT_LE(spread(recorded), 2) << "the recording: one clock, within 2 ms";
            EXPECT_EQ(spread(model), 0) << "tcp_timestamps=2 has no offset";
        }
    }
    const FourTuple a{0x0a090001, 0x0a090002, 40000, 80};
    FourTuple b = a;
    b.localPort = 40001;
    EXPECT_EQ(SecureTcpTsOff(7, a, 1, TsOffsetKey::FOUR_TUPLE),
              SecureTcpTsOff(7, a, 1, TsOffsetKey::FOUR_TUPLE))
        << "one 4-tuple keeps its offset, so its TSvals keep rising";
    EXPECT_NE(SecureTcpTsOff(7, a, 1, TsOffsetKey::FOUR_TUPLE),
              SecureTcpTsOff(7, b, 1, TsOffsetKey::FOUR_TUPLE));
    EXPECT_EQ(SecureTcpTsOff(7, a, 1, TsOffsetKey::ADDRESS_PAIR),
              SecureTcpTsOff(7, b, 1, TsOffsetKey::ADDRESS_PAIR))
        << "per address pair, the ports do not count";
    EXPECT_EQ(SecureTcpTsOff(7, a, 1, TsOffsetKey::NONE), 0u);
    EXPECT_EQ(SecureTcpTsOff(7, a, 0, TsOffsetKey::FOUR_TUPLE), 0u);
}

TEST(TcpTimeWaitRules, ATimeWaitTakesASynIffItsTimestampIsNewerAsRecorded)
{
    // Every recorded SYN into a server TIME_WAIT (same 4-tuple, and other 4-tuples behind an
    // snat): "immediate" (SYN-ACK) iff its TSval was newer than ts_recent, else "fast_retry"
    // (bare ACK, RST, SYN again). With timestamps the TSval decides whatever the sequence.
    int rounds = 0;
    int rejected = 0;
    for (const std::string check : {"same_tuple", "other_tuples"})
    {
        for (const Json& rec : TimeWaitRecording(check))
        {
            const uint32_t tsVal = rec.at("syn_tsval").get<uint32_t>();
            const uint32_t tsRecent = rec.at("ts_recent").get<uint32_t>();
            const bool immediate = rec.at("class") == "immediate";
            ASSERT_TRUE(immediate || rec.at("class") == "fast_retry") << rec.dump();
            for (uint32_t seq : {1000u, 0x90000000u}) // after and before tw_rcv_nxt
            {
                EXPECT_EQ(TcpTwSynAccepted(seq, 5000, true, true, tsVal, tsRecent), immediate)
                    << check << " round " << rec.at("round") << " (" << rec.at("segments")
                    << "), seq " << seq;
            }
            ++rounds;
            rejected += immediate ? 0 : 1;
        }
    }
    EXPECT_GE(rounds, 30);
    EXPECT_GT(rejected, 0) << "the recording should hold some rejected SYNs";
    EXPECT_TRUE(TcpTwSynAccepted(6000, 5000, false, true, 0, 0))
        << "without a timestamp the sequence decides";
    EXPECT_FALSE(TcpTwSynAccepted(4000, 5000, false, true, 0, 0));
}

TEST(TcpTimeWaitRules, OutOfWindowAcksOfATimeWaitAreRateLimitedExceptForDataAndFins)
{
    // tcp_oow_rate_limited(): one ACK per tcp_invalid_ratelimit for SYNs and bare ACKs; a
    // segment with data or a FIN (and no SYN) always gets its ACK; the first one always goes.
    EXPECT_FALSE(TcpOowRateLimited(false, false, 0, 5 * NS_PER_MS, 500)) << "the first ACK goes";
    EXPECT_TRUE(TcpOowRateLimited(false, true, 0, 499 * NS_PER_MS, 500))
        << "a SYN 499 ms after the last ACK gets none";
    EXPECT_FALSE(TcpOowRateLimited(false, true, 0, 500 * NS_PER_MS, 500))
        << "500 ms after the last ACK the next goes";
    EXPECT_FALSE(TcpOowRateLimited(true, true, 0, 1 * NS_PER_MS, 500))
        << "a retransmitted FIN is always ACKed";
    EXPECT_FALSE(TcpOowRateLimited(false, true, 0, 1 * NS_PER_MS, 0)) << "0 turns the limit off";
}

} // namespace
} // namespace portlab
