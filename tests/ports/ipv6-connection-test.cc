/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Native-IPv6 connections at table level: connect() of AF_INET6 sockets to IPv6 peers, the
 * ephemeral range shared with IPv4, IPv6 TIME_WAIT entries under the same TIME_WAIT rules,
 * their 127.0.0.6 placeholder in bind conflicts, IPv6 listener lookup, and what an IPv6
 * TIME_WAIT entry costs. References are to linux-ipv6-dualstack.md in the shared references.
 */

#include "table-driver.h"

#include <gtest/gtest.h>
#include <iostream>

namespace portlab
{
namespace
{

constexpr uint16_t PORT = 8888;

InetAddress
Addr(const char* text)
{
    InetAddress a;
    EXPECT_TRUE(ParseInetAddress(text, a)) << text;
    return a;
}

class Ipv6Connection : public ::testing::Test
{
  protected:
    Ipv6Connection()
    {
        Ipv6 ula;
        EXPECT_TRUE(ParseIpv6("fd00::1", ula));
        h.Host().Addresses().AddIpv6(ula, LOOPBACK_IFINDEX);
    }

    /// A listener of the address's family bound to \p addr:\p port.
    SocketId Listen(const char* addr,
                    bool v6only = false,
                    uint16_t port = PORT,
                    bool reusePort = false)
    {
        InetAddress a = Addr(addr);
        SocketId s = a.inet6 ? h.TcpSocket6(false, reusePort) : h.TcpSocket(false, reusePort);
        if (v6only)
        {
            EXPECT_EQ(tcp.SetV6Only(s, true), Errno::OK);
        }
        EXPECT_EQ(tcp.Bind(s, a, port), Errno::OK) << addr;
        EXPECT_EQ(tcp.Listen(s, DEFAULT_BACKLOG), Errno::OK) << addr;
        return s;
    }

    TableDriver h{17};
    TcpPortTable& tcp = h.Tcp();
};

TEST_F(Ipv6Connection, KeysAndTimeWaitEntriesOfIpv4DoNotGrow)
{
    EXPECT_EQ(sizeof(FourTuple), 12u) << "the IPv4 4-tuple index key stays 12 bytes";
    EXPECT_EQ(sizeof(TimeWaitEntry), 48u) << "a TIME_WAIT entry (either family) stays 48 bytes";
    EXPECT_EQ(sizeof(FourTuple6), 22u) << "a native-IPv6 key: 16 + 2 (V6Ref) + 2 + 2 bytes";
}

TEST_F(Ipv6Connection, OneEphemeralRangeServesBothFamiliesWithDistinct4Tuples)
{
    h.Sysctl("net.ipv4.ip_local_port_range", "40000 40000");
    Listen("127.0.0.1");
    Listen("::1");
    Listen("fd00::1");
    SocketId c4 = h.TcpSocket();
    ASSERT_EQ(h.Connect(c4, LO1, PORT), Errno::OK);
    SocketId c6 = h.TcpSocket6();
    ASSERT_EQ(h.Connect6(c6, Addr("::1"), PORT), Errno::OK);
    SocketId c6b = h.TcpSocket6();
    ASSERT_EQ(h.Connect6(c6b, Addr("fd00::1"), PORT), Errno::OK);
    EXPECT_EQ(tcp.GetTuple(c4).localPort, 40000);
    EXPECT_EQ(tcp.GetTuple(c6).localPort, 40000) << "the IPv6 4-tuple differs from the IPv4 one";
    EXPECT_EQ(tcp.GetTuple(c6b).localPort, 40000);
    EXPECT_EQ(h.Connect6(h.TcpSocket6(), Addr("::1"), PORT), Errno::ADDRNOTAVAIL)
        << "the one port is taken towards [::1]:8888";
    EXPECT_EQ(h.Connect(h.TcpSocket(), LO1, PORT), Errno::ADDRNOTAVAIL);
    EXPECT_EQ(tcp.ConnectionCount(), 6u) << "three connections, both ends each";
}

TEST_F(Ipv6Connection, ANativeTimeWaitOfADualStackSocketBlocksOnlyTheIpv4Wildcard)
{
    // The 127.0.0.6 placeholder: tw_rcv_saddr of a native-IPv6 entry meets 0.0.0.0 only.
    SocketId l = Listen("::");
    SocketId c = h.TcpSocket6();
    SocketId child = INVALID_ID;
    ASSERT_EQ(h.Connect6(c, Addr("::1"), PORT, &child), Errno::OK);
    h.CloseInOrder(child, c, 50 * NS_PER_MS); // the server closes first: its TIME_WAIT
    tcp.Destroy(l);                           // and the listener is gone
    ASSERT_EQ(tcp.TimeWaitCount(), 1u);
    auto bind = [this](const char* addr) {
        InetAddress a = Addr(addr);
        SocketId s = a.inet6 ? h.TcpSocket6() : h.TcpSocket();
        Errno e = tcp.Bind(s, a, PORT);
        tcp.Destroy(s);
        return e;
    };
    EXPECT_EQ(bind("0.0.0.0"), Errno::ADDRINUSE) << "the placeholder meets the IPv4 wildcard";
    EXPECT_EQ(bind("127.0.0.1"), Errno::OK);
    EXPECT_EQ(bind("127.0.0.6"), Errno::OK) << "an explicit 127.0.0.6 has its own bucket";
    EXPECT_EQ(bind("::ffff:0.0.0.0"), Errno::OK);
    EXPECT_EQ(bind("::1"), Errno::ADDRINUSE);
    h.Sleep(61 * NS_PER_SECOND);
    EXPECT_EQ(tcp.TimeWaitCount(), 0u) << "the entry expires after the TIME_WAIT length";
    EXPECT_EQ(bind("0.0.0.0"), Errno::OK) << "and releases its port";
    EXPECT_EQ(bind("::1"), Errno::OK);
    EXPECT_EQ(tcp.ConnectionCount(), 0u) << "and its 4-tuple";
}

TEST_F(Ipv6Connection, TcpTwReuseTakesOverAnIpv6TimeWaitOnlyAfterTheDelay)
{
    h.Sysctl("net.ipv4.ip_local_port_range", "40000 40000");
    h.Sysctl("net.ipv4.tcp_tw_reuse", "1");
    Listen("fd00::1");
    SocketId c = h.TcpSocket6();
    SocketId child = INVALID_ID;
    ASSERT_EQ(h.Connect6(c, Addr("fd00::1"), PORT, &child), Errno::OK);
    h.CloseInOrder(c, child, 2 * NS_PER_MS); // the client closes first: its TIME_WAIT
    ASSERT_EQ(tcp.TimeWaitCount(), 1u);
    EXPECT_EQ(h.Connect6(h.TcpSocket6(), Addr("fd00::1"), PORT), Errno::ADDRNOTAVAIL)
        << "within tcp_tw_reuse_delay (1 s) the entry is not taken over";
    h.Sleep(NS_PER_SECOND);
    EXPECT_EQ(h.Connect6(h.TcpSocket6(), Addr("fd00::1"), PORT), Errno::OK)
        << "after it, tcp_tw_reuse=1 lets connect() take the 4-tuple over";
    EXPECT_EQ(tcp.Counters().timeWaitRecycled, 1u);
    EXPECT_EQ(tcp.TimeWaitCount(), 0u);
}

TEST_F(Ipv6Connection, LoopbackForTcpTwReuse2IsColonColonOneNotAnAddressOnLo)
{
    EXPECT_TRUE(TcpTwskLoopback(Addr("::1").v6, Addr("fd00::1").v6, 0));
    EXPECT_TRUE(TcpTwskLoopback(Addr("fd00::1").v6, Addr("::ffff:127.0.0.2").v6, 0))
        << "a v4-mapped 127/8 address is loopback";
    EXPECT_FALSE(TcpTwskLoopback(Addr("fd00::1").v6, Addr("fd00::1").v6, 0))
        << "fd00::1 on lo is not loopback here";
    EXPECT_TRUE(TcpTwskLoopback(Addr("fd00::1").v6, Addr("fd00::1").v6, LOOPBACK_IFINDEX));
}

TEST_F(Ipv6Connection, Ipv6SegmentsReachOnlyAfInet6ListenersOfTheirAddress)
{
    const Ipv6 lo6 = Addr("::1").v6;
    const Ipv6 peer = Addr("fd00::1").v6;
    Listen("0.0.0.0");
    Listen("::ffff:127.0.0.1", false, PORT + 1);
    EXPECT_EQ(tcp.Lookup6(lo6, PORT, peer, 50000).kind, TcpLookup::NONE)
        << "AF_INET listeners never take IPv6";
    EXPECT_EQ(tcp.Lookup6(lo6, PORT + 1, peer, 50000).kind, TcpLookup::NONE)
        << "v4-mapped listeners never take IPv6";
    SocketId any6 = Listen("::", true, PORT, true);
    TcpLookup r = tcp.Lookup6(lo6, PORT, peer, 50000);
    EXPECT_EQ(r.kind, TcpLookup::LISTENER) << "a v6-only [::] takes IPv6";
    EXPECT_EQ(r.id, any6);
    SocketId exact = Listen("::1", false, PORT, true); // SO_REUSEPORT: may share with [::]
    EXPECT_EQ(tcp.Lookup6(lo6, PORT, peer, 50000).id, exact) << "the exact address beats ::";
    EXPECT_EQ(tcp.Lookup6(peer, PORT, lo6, 50000).id, any6) << "fd00::1 reaches only ::";
    EXPECT_EQ(tcp.Lookup6(Addr("2001:db8::1").v6, PORT, lo6, 50000).kind, TcpLookup::NONE)
        << "an address the host does not have reaches nothing";
}

TEST_F(Ipv6Connection, AnIpv6TimeWaitEntryCostsItsEntryKeyAndIndexSlot)
{
    // Measured: TIME_WAIT memory (MemoryBytes: entry slab, free lists, queue, both indexes)
    // per entry, N client-side entries of each family, on one host.
    constexpr int N = 20000;
    auto perEntry = [](bool v6) {
        TableDriver d(5);
        d.Sysctl("net.ipv4.ip_local_port_range", "10000 60999");
        SocketId l = v6 ? d.TcpSocket6() : d.TcpSocket();
        d.Tcp().Bind(l, v6 ? Addr("::1") : Addr("127.0.0.1"), PORT);
        d.Tcp().Listen(l, DEFAULT_BACKLOG);
        const size_t before = d.Tcp().MemoryBytes();
        for (int i = 0; i < N; ++i)
        {
            SocketId c = v6 ? d.TcpSocket6() : d.TcpSocket();
            SocketId child = INVALID_ID;
            Errno e =
                v6 ? d.Connect6(c, Addr("::1"), PORT, &child) : d.Connect(c, LO1, PORT, &child);
            EXPECT_EQ(e, Errno::OK);
            d.ActiveClose(c, child);
            d.PassiveClose(child, c);
        }
        EXPECT_EQ(d.Tcp().TimeWaitCount(), static_cast<size_t>(N));
        return static_cast<double>(d.Tcp().MemoryBytes() - before) / N;
    };
    const double b4 = perEntry(false);
    const double b6 = perEntry(true);
    std::cout << "bytes per TIME_WAIT entry at " << N << " entries: IPv4 " << b4 << ", IPv6 " << b6
              << "\n";
    // The layout's bounds: entry 48, queue item 8, index slot (16 + 1 tag for IPv4, 28 + 1
    // for IPv6) at a load between 3/8 and 3/4, IPv6 key 22 in the side slab; vectors' spare
    // capacity at most doubles a slab.
    EXPECT_GE(b6, 48 + 8 + 22 + 29 * 4 / 3.0) << "an IPv6 entry has its key and a wider slot";
    EXPECT_LE(b6, 2 * (48 + 22 + 8) + 29 * 8 / 3.0 + 8);
    EXPECT_GT(b6, b4) << "an IPv6 entry costs more than an IPv4 one";
}

} // namespace
} // namespace portlab
