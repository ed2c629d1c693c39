/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/tcp-time-wait-rules.h"
#include "table-driver.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

class TcpTimeWait : public ::testing::Test
{
  protected:
    TableDriver h{31};
    TcpPortTable& tcp = h.Tcp();

    /// One connection to 127.0.0.1:8888 that the client closes first. \return its port
    uint16_t ClientClosesFirst()
    {
        SocketId c = tcp.Open();
        SocketId a = INVALID_ID;
        EXPECT_EQ(h.Connect(c, LO1, 8888, &a), Errno::OK);
        uint16_t port = tcp.GetTuple(c).localPort;
        h.CloseInOrder(c, a, 2 * NS_PER_MS);
        return port;
    }
};

TEST_F(TcpTimeWait, TheActiveCloserHoldsTheFourTupleForSixtySeconds)
{
    h.Sysctl("ip_local_port_range", "40000 40000");
    h.Sysctl("tcp_tw_reuse", "0");
    h.Listener(LO1, 8888);
    ClientClosesFirst();
    TimeNs entered = h.Now() - 2 * NS_PER_MS;
    EXPECT_EQ(tcp.TimeWaitCount(), 1u);
    EXPECT_EQ(tcp.NextTimeWaitExpiry(), entered + 60 * NS_PER_SECOND);
    SocketId c = tcp.Open();
    EXPECT_EQ(h.Connect(c, LO1, 8888), Errno::ADDRNOTAVAIL);
    h.Sleep(entered + 60 * NS_PER_SECOND - h.Now() - 1);
    EXPECT_EQ(h.Connect(c, LO1, 8888), Errno::ADDRNOTAVAIL) << "1 ns before expiry";
    h.Sleep(1);
    EXPECT_EQ(tcp.TimeWaitCount(), 0u);
    EXPECT_EQ(h.Connect(c, LO1, 8888), Errno::OK) << "free at exactly 60 s";
    EXPECT_EQ(tcp.Counters().timeWaitExpired, 1u);
}

TEST_F(TcpTimeWait, TwReuseTakesOverOnlyAfterTheDelayAndWithTimestamps)
{
    h.Sysctl("ip_local_port_range", "40000 40000");
    h.Sysctl("tcp_tw_reuse", "1");
    h.Listener(LO1, 8888);
    ClientClosesFirst();
    TimeNs entered = h.Now() - 2 * NS_PER_MS;
    SocketId c = tcp.Open();
    h.Sleep(entered + NS_PER_SECOND - h.Now());
    EXPECT_EQ(h.Connect(c, LO1, 8888), Errno::ADDRNOTAVAIL) << "exactly 1000 ms: not after";
    h.Sleep(NS_PER_MS);
    TcpConnectResult r;
    ASSERT_EQ(tcp.Connect(c, LO1, LO1, 8888, h.Now(), r), Errno::OK);
    EXPECT_TRUE(r.tookOverTimeWait);
    EXPECT_EQ(r.isnHint, 1000u + 65535u + 2u) << "new ISN = tw_snd_nxt + 65535 + 2";
    EXPECT_EQ(tcp.TimeWaitCount(), 0u);
    EXPECT_EQ(tcp.Counters().timeWaitRecycled, 1u);

    TableDriver noTs(32);
    noTs.Sysctl("ip_local_port_range", "40000 40000");
    noTs.Sysctl("tcp_tw_reuse", "1");
    noTs.Sysctl("tcp_timestamps", "0");
    noTs.Listener(LO1, 8888);
    SocketId c1 = noTs.Tcp().Open();
    SocketId a1 = INVALID_ID;
    ASSERT_EQ(noTs.Connect(c1, LO1, 8888, &a1), Errno::OK);
    noTs.CloseInOrder(c1, a1, 2 * NS_PER_MS);
    noTs.Sleep(5 * NS_PER_SECOND);
    SocketId c2 = noTs.Tcp().Open();
    EXPECT_EQ(noTs.Connect(c2, LO1, 8888), Errno::ADDRNOTAVAIL)
        << "without timestamps a TIME_WAIT is never taken over";
}

TEST_F(TcpTimeWait, TwReuseTwoAppliesToLoopbackOnly)
{
    Ipv4 local = 0x0a000001;
    Ipv4 remote = 0x0a000002;
    h.Host().Addresses().Add(local);
    h.Sysctl("ip_local_port_range", "40000 40000");
    ASSERT_EQ(h.Host().Sysctls().tcpTwReuse, 2);
    SocketId c = tcp.Open();
    TcpConnectResult r;
    ASSERT_EQ(tcp.Connect(c, local, remote, 80, 0, r), Errno::OK);
    tcp.SetState(c, TcpState::ESTABLISHED);
    tcp.EnterTimeWait(c, 0, TimeWaitInfo{});
    tcp.Destroy(c);
    SocketId d = tcp.Open();
    EXPECT_EQ(tcp.Connect(d, local, remote, 80, 5 * NS_PER_SECOND, r), Errno::ADDRNOTAVAIL)
        << "tcp_tw_reuse=2 does not reuse a TIME_WAIT towards a non-loopback peer";
    h.Sysctl("tcp_tw_reuse", "1");
    EXPECT_EQ(tcp.Connect(d, local, remote, 80, 5 * NS_PER_SECOND, r), Errno::OK);
}

TEST_F(TcpTimeWait, TwReuseTwoTakesOverALoopbackTimeWaitAfterTheDelay)
{
    h.Sysctl("ip_local_port_range", "40000 40000");
    ASSERT_EQ(h.Host().Sysctls().tcpTwReuse, 2) << "Linux's default";
    h.Listener(LO1, 8888);
    ClientClosesFirst(); // 127.0.0.1 -> 127.0.0.1:8888
    TimeNs entered = h.Now() - 2 * NS_PER_MS;
    SocketId c = tcp.Open();
    h.Sleep(entered + NS_PER_SECOND - h.Now());
    EXPECT_EQ(h.Connect(c, LO1, 8888), Errno::ADDRNOTAVAIL) << "exactly 1000 ms: not after";
    h.Sleep(1);
    TcpConnectResult r;
    ASSERT_EQ(tcp.Connect(c, LO1, LO1, 8888, h.Now(), r), Errno::OK);
    EXPECT_TRUE(r.tookOverTimeWait);
    EXPECT_EQ(r.isnHint, TcpTwIsn(1000));
}

TEST_F(TcpTimeWait, TwReuseDelayFollowsItsSysctl)
{
    h.Sysctl("ip_local_port_range", "40000 40000");
    h.Sysctl("tcp_tw_reuse", "1");
    h.Sysctl("tcp_tw_reuse_delay", "5000");
    h.Listener(LO1, 8888);
    ClientClosesFirst();
    TimeNs entered = h.Now() - 2 * NS_PER_MS;
    SocketId c = tcp.Open();
    h.Sleep(entered + 5 * NS_PER_SECOND - h.Now());
    EXPECT_EQ(h.Connect(c, LO1, 8888), Errno::ADDRNOTAVAIL) << "5 s: not after the delay";
    h.Sleep(1);
    EXPECT_EQ(h.Connect(c, LO1, 8888), Errno::OK);
    EXPECT_EQ(tcp.Counters().timeWaitRecycled, 1u);
}

TEST_F(TcpTimeWait, AnExplicitlyBoundPortTakesOverATimeWaitWhateverTwReuseSays)
{
    h.Sysctl("tcp_tw_reuse", "0");
    h.Listener(LO1, 8888);
    SocketId old = h.TcpSocket(true);
    ASSERT_EQ(tcp.Bind(old, LO1, 45000), Errno::OK);
    SocketId acc = INVALID_ID;
    ASSERT_EQ(h.Connect(old, LO1, 8888, &acc), Errno::OK);
    h.CloseInOrder(old, acc, 2 * NS_PER_MS);
    SocketId plain = tcp.Open();
    EXPECT_EQ(tcp.Bind(plain, LO1, 45000), Errno::ADDRINUSE) << "the TIME_WAIT holds the port";
    SocketId fresh = h.TcpSocket(true);
    ASSERT_EQ(tcp.Bind(fresh, LO1, 45000), Errno::OK) << "both SO_REUSEADDR";
    TcpConnectResult r;
    ASSERT_EQ(tcp.Connect(fresh, LO1, LO1, 8888, h.Now(), r), Errno::OK)
        << "bound port + TIME_WAIT with timestamps: taken over despite tcp_tw_reuse=0 (twp NULL)";
    EXPECT_TRUE(r.tookOverTimeWait);
    EXPECT_EQ(tcp.TimeWaitCount(), 0u);
}

TEST_F(TcpTimeWait, MaxTwBucketsClosesTheRestWithoutTimeWait)
{
    h.Sysctl("tcp_max_tw_buckets", "5");
    h.Listener(LO1, 8888);
    for (int i = 0; i < 12; ++i)
    {
        ClientClosesFirst();
    }
    EXPECT_EQ(tcp.TimeWaitCount(), 5u);
    EXPECT_EQ(tcp.Counters().timeWaitOverflow, 7u);
    EXPECT_EQ(tcp.Counters().timeWaitCreated, 5u);
    EXPECT_EQ(tcp.PortsInUse(), 6u) << "the listener's port and five TIME_WAIT ports";
}

TEST_F(TcpTimeWait, ServerSideTimeWaitBlocksARestartUnlessBothSetReuseAddr)
{
    for (bool oldReuse : {false, true})
    {
        for (bool newReuse : {false, true})
        {
            TableDriver s(40);
            SocketId ls = s.TcpSocket(oldReuse);
            ASSERT_EQ(s.Tcp().Bind(ls, LO1, 8888), Errno::OK);
            ASSERT_EQ(s.Tcp().Listen(ls, 10), Errno::OK);
            SocketId c = s.Tcp().Open();
            SocketId a = INVALID_ID;
            ASSERT_EQ(s.Connect(c, LO1, 8888, &a), Errno::OK);
            s.CloseInOrder(a, c, NS_PER_MS); // the server closes first
            s.Tcp().Destroy(ls);
            SocketId fresh = s.TcpSocket(newReuse);
            Errno want = oldReuse && newReuse ? Errno::OK : Errno::ADDRINUSE;
            EXPECT_EQ(s.Tcp().Bind(fresh, LO1, 8888), want)
                << "old SO_REUSEADDR=" << oldReuse << " new SO_REUSEADDR=" << newReuse;
            s.Sleep(60 * NS_PER_SECOND);
            EXPECT_EQ(s.Tcp().Bind(fresh, LO1, 8888), want == Errno::OK ? Errno::INVAL : Errno::OK)
                << "after 60 s the TIME_WAIT is gone";
        }
    }
}

TEST_F(TcpTimeWait, RescheduledEntriesExpireInOrderFromOneQueue)
{
    h.Listener(LO1, 8888);
    ClientClosesFirst(); // entry A at t0
    h.Sleep(10 * NS_PER_SECOND);
    ClientClosesFirst(); // entry B at t0 + 10 s
    TimeNs first = tcp.NextTimeWaitExpiry();
    // A retransmitted FIN restarts A's timer (§4.4): it now outlives B.
    TcpLookup lk = TcpLookup{};
    tcp.ForEach([](const TcpSocketView&) {},
                [&](const TimeWaitEntry& tw) {
                    if (lk.kind == TcpLookup::NONE)
                    {
                        lk = tcp.Lookup(tw.tuple.localAddr,
                                        tw.tuple.localPort,
                                        tw.tuple.remoteAddr,
                                        tw.tuple.remotePort);
                    }
                });
    ASSERT_EQ(lk.kind, TcpLookup::TIME_WAIT);
    tcp.RescheduleTimeWait(lk.id, h.Now());
    TimeNs second = tcp.NextTimeWaitExpiry();
    EXPECT_GT(second, first) << "the stale queue item for A is skipped";
    h.Sleep(second - h.Now());
    EXPECT_EQ(tcp.TimeWaitCount(), 1u) << "B expired, A was restarted";
    h.Sleep(60 * NS_PER_SECOND);
    EXPECT_EQ(tcp.TimeWaitCount(), 0u);
    EXPECT_EQ(tcp.NextTimeWaitExpiry(), -1);
}

TEST_F(TcpTimeWait, KillingAnEntryFreesItsPortAndFourTuple)
{
    h.Sysctl("ip_local_port_range", "40000 40000");
    h.Sysctl("tcp_tw_reuse", "0");
    h.Listener(LO1, 8888);
    uint16_t port = ClientClosesFirst();
    TcpLookup lk = tcp.Lookup(LO1, port, LO1, 8888);
    ASSERT_EQ(lk.kind, TcpLookup::TIME_WAIT);
    tcp.KillTimeWait(lk.id); // RST assassination
    EXPECT_EQ(tcp.TimeWaitCount(), 0u);
    EXPECT_EQ(tcp.Lookup(LO1, port, LO1, 8888).kind, TcpLookup::NONE);
    SocketId c = tcp.Open();
    EXPECT_EQ(h.Connect(c, LO1, 8888), Errno::OK);
    EXPECT_EQ(tcp.Counters().timeWaitKilled, 1u);
}

TEST_F(TcpTimeWait, TimeWaitEntriesAreSmall)
{
    EXPECT_LE(sizeof(TimeWaitEntry), 48u) << "studies hold millions of TIME_WAIT entries";
}

} // namespace
} // namespace portlab
