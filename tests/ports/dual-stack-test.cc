/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * IPv6 and dual-stack at table level: the address type, InetRcvSaddrEqual's rules that the
 * bind matrix cannot show (the 127.0.0.6 placeholder, match_wildcard = false), IPV6_V6ONLY
 * and net.ipv6.bindv6only, and which socket IPv4 traffic reaches when both families listen.
 * References are to linux-ipv6-dualstack.md (§) in the project's shared references.
 */

#include "ports/rcv-saddr.h"
#include "table-driver.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <vector>

namespace portlab
{
namespace
{

constexpr uint16_t PORT = 8888;

Ipv6
V6(const char* text)
{
    Ipv6 a;
    EXPECT_TRUE(ParseIpv6(text, a)) << text;
    return a;
}

InetAddress
Addr(const char* text)
{
    InetAddress a;
    EXPECT_TRUE(ParseInetAddress(text, a)) << text;
    return a;
}

TEST(Ipv6Text, ParseAndFormatRoundTripInInetNtopForm)
{
    for (const char* t : {"::",
                          "::1",
                          "fd00::1",
                          "::ffff:127.0.0.1",
                          "fe80::1",
                          "2001:db8::1:0:0:1",
                          "1:2:3:4:5:6:7:8",
                          "ff02::1"})
    {
        EXPECT_EQ(FormatIpv6(V6(t)), t)
            << "formatting the parse of " << t << " should give it back";
    }
    EXPECT_EQ(FormatIpv6(V6("2001:DB8:0:0:1:0:0:1")), "2001:db8::1:0:0:1")
        << "the longest zero run is compressed, in lower case";
    EXPECT_EQ(FormatIpv6(V6("0:0:0:0:0:ffff:7f00:1")), "::ffff:127.0.0.1");
}

TEST(Ipv6Text, MalformedAddressesAreRejected)
{
    Ipv6 a;
    for (const char* t : {"",
                          ":",
                          ":::",
                          "1::2::3",
                          "12345::",
                          "::ffff:1.2.3",
                          "1:2:3:4:5:6:7:8:9",
                          "1:2:3:4:5:6:7",
                          "g::1",
                          "1:",
                          "::1.2.3.4:1"})
    {
        EXPECT_FALSE(ParseIpv6(t, a)) << "'" << t << "' is not an IPv6 address";
    }
}

TEST(Ipv6Text, InetAddressTakesEitherFamilyBracketsAndANumericScope)
{
    InetAddress a = Addr("[fe80::1%2]");
    EXPECT_TRUE(a.inet6);
    EXPECT_EQ(a.scopeId, 2u);
    EXPECT_EQ(FormatInetAddress(a), "fe80::1%2");
    EXPECT_FALSE(Addr("127.0.0.1").inet6);
    EXPECT_EQ(Addr("127.0.0.1").v4, LO1);
    InetAddress bad;
    EXPECT_FALSE(ParseInetAddress("fe80::1%eth0", bad)) << "only numeric scope ids are taken";
}

TEST(Ipv6Text, ClassesFollowIpv6AddrType)
{
    EXPECT_EQ(ClassifyIpv6(V6("::")), Ipv6Class::ANY);
    EXPECT_EQ(ClassifyIpv6(V6("::ffff:0.0.0.0")), Ipv6Class::MAPPED);
    EXPECT_EQ(MappedIpv4(V6("::ffff:127.0.0.1")), LO1);
    EXPECT_EQ(ClassifyIpv6(V6("::1")), Ipv6Class::OTHER);
    EXPECT_EQ(ClassifyIpv6(V6("::127.0.0.1")), Ipv6Class::OTHER) << "v4-compatible is not mapped";
    EXPECT_TRUE(Ipv6NeedsScopeId(V6("fe80::1")));
    EXPECT_TRUE(Ipv6NeedsScopeId(V6("ff02::1")));
    EXPECT_FALSE(Ipv6NeedsScopeId(V6("fd00::1")));
}

// --- InetRcvSaddrEqual: what the matrices cannot show ---------------------------------------

/// A native-IPv6 socket that is not v6-only: an accepted child of [::], or a default client.
constexpr RcvSaddr NATIVE_V6{LOOPBACK4_IPV6, V6_FIRST_OTHER, false};

TEST(RcvSaddrEqual, ThePlaceholderOfANativeV6SocketMeetsOnlyTheIpv4Wildcard)
{
    // §4.3: 0.0.0.0 collides with it; ::ffff:0.0.0.0, 127.0.0.1 and 127.0.0.6 do not.
    EXPECT_TRUE(InetRcvSaddrEqual(RcvSaddr{ADDR_ANY, V6_NONE, false}, NATIVE_V6, true));
    EXPECT_FALSE(InetRcvSaddrEqual(RcvSaddr{LO1, V6_NONE, false}, NATIVE_V6, true));
    EXPECT_FALSE(InetRcvSaddrEqual(RcvSaddr{LOOPBACK4_IPV6, V6_NONE, false}, NATIVE_V6, true))
        << "a specific IPv4 bind searches its own bhash2 bucket, never the placeholder's";
    EXPECT_FALSE(InetRcvSaddrEqual(RcvSaddr{ADDR_ANY, V6_MAPPED, false}, NATIVE_V6, true));
    RcvSaddr v6only = NATIVE_V6;
    v6only.ipv6only = true;
    EXPECT_FALSE(InetRcvSaddrEqual(RcvSaddr{ADDR_ANY, V6_NONE, false}, v6only, true))
        << "a v6-only owner never overlaps an IPv4 socket";
}

TEST(RcvSaddrEqual, WithoutMatchWildcardOnlyTheSameAddressOverlaps)
{
    const RcvSaddr any6{ADDR_ANY, V6_ANY, false};
    const RcvSaddr lo4{LO1, V6_NONE, false};
    const RcvSaddr mapped{LO1, V6_MAPPED, false};
    EXPECT_FALSE(InetRcvSaddrEqual(any6, lo4, false));
    EXPECT_TRUE(InetRcvSaddrEqual(mapped, lo4, false)) << "::ffff:127.0.0.1 is 127.0.0.1";
    EXPECT_TRUE(InetRcvSaddrEqual(any6, any6, false)) << ":: always meets ::";
    EXPECT_TRUE(InetRcvSaddrEqual(any6, lo4, true));
}

// --- IPV6_V6ONLY and net.ipv6.bindv6only --------------------------------------------------

class DualStackTable : public ::testing::Test
{
  protected:
    TableDriver h{71};
    TcpPortTable& tcp = h.Tcp();
    UdpPortTable& udp = h.Udp();
};

TEST_F(DualStackTable, BindingANativeV6AddressSetsV6OnlyAndAFailedBindRestoresIt)
{
    SocketId a = h.TcpSocket6();
    ASSERT_EQ(tcp.Bind(a, Addr("::1"), PORT), Errno::OK);
    EXPECT_TRUE(tcp.V6Only(a)) << "__inet6_bind forces IPV6_V6ONLY for ::1";
    SocketId b = h.TcpSocket6();
    ASSERT_EQ(tcp.Bind(b, Addr("::ffff:127.0.0.1"), PORT + 1), Errno::OK);
    EXPECT_FALSE(tcp.V6Only(b)) << "a v4-mapped bind leaves it";
    SocketId c = h.TcpSocket6();
    EXPECT_EQ(tcp.Bind(c, Addr("::1"), PORT), Errno::ADDRINUSE);
    EXPECT_FALSE(tcp.V6Only(c)) << "get_port failing restores the old value";
}

TEST_F(DualStackTable, V6OnlyCanBeSetOnlyWhileTheSocketHasNoPort)
{
    SocketId l = h.TcpSocket();
    ASSERT_EQ(tcp.Bind(l, ADDR_ANY, PORT), Errno::OK);
    ASSERT_EQ(tcp.Listen(l, DEFAULT_BACKLOG), Errno::OK);
    EXPECT_EQ(tcp.SetV6Only(l, true), Errno::NOPROTOOPT) << "AF_INET has no IPV6_V6ONLY";
    SocketId s = h.TcpSocket6();
    EXPECT_EQ(tcp.Bind(s, Addr("::"), PORT), Errno::ADDRINUSE);
    EXPECT_EQ(tcp.SetV6Only(s, true), Errno::OK) << "the usual fix: allowed after a failed bind";
    ASSERT_EQ(tcp.Bind(s, Addr("::"), PORT), Errno::OK);
    EXPECT_EQ(tcp.Listen(s, DEFAULT_BACKLOG), Errno::OK);
    EXPECT_EQ(tcp.SetV6Only(s, true), Errno::INVAL) << "EINVAL once bound, even for the same value";
    SocketId auto6 = h.TcpSocket6();
    ASSERT_EQ(tcp.Listen(auto6, DEFAULT_BACKLOG), Errno::OK);
    EXPECT_EQ(tcp.SetV6Only(auto6, true), Errno::INVAL) << "listen()'s autobind gave it a port";
    SocketId u = h.UdpSocket6();
    ASSERT_EQ(udp.Connect(u, LO1, LO1, 53), Errno::OK);
    EXPECT_EQ(udp.SetV6Only(u, true), Errno::INVAL) << "connect()'s autobind gave it a port";
}

TEST_F(DualStackTable, BindV6OnlyIsTheDefaultOfSocketsCreatedAfterIt)
{
    SocketId before = h.TcpSocket6();
    h.Sysctl("net.ipv6.bindv6only", "1");
    SocketId after = h.TcpSocket6();
    EXPECT_FALSE(tcp.V6Only(before));
    EXPECT_TRUE(tcp.V6Only(after));
    EXPECT_TRUE(udp.V6Only(h.UdpSocket6()));
    ASSERT_EQ(tcp.Bind(after, Addr("::"), PORT), Errno::OK);
    EXPECT_EQ(tcp.Bind(h.TcpSocket(), ADDR_ANY, PORT), Errno::OK)
        << "[::] v6only and 0.0.0.0 coexist";
    EXPECT_EQ(tcp.Bind(h.TcpSocket6(), Addr("::ffff:127.0.0.1"), PORT + 1), Errno::INVAL);
    TcpConnectResult r;
    EXPECT_EQ(tcp.Connect(h.TcpSocket6(), LO1, LO1, PORT, 0, r), Errno::NETUNREACH);
    EXPECT_THROW(h.Sysctl("net.ipv6.bindv6only", "2"), SysctlError);
}

TEST_F(DualStackTable, AddressFamiliesAreCheckedBeforeAnythingElse)
{
    EXPECT_EQ(tcp.Bind(h.TcpSocket(), Addr("::1"), PORT), Errno::AFNOSUPPORT);
    EXPECT_EQ(tcp.Bind(h.TcpSocket6(), LO1, PORT), Errno::INVAL) << "a sockaddr_in is too short";
    EXPECT_EQ(tcp.Bind(h.TcpSocket6(), Addr("2001:db8::1"), PORT), Errno::ADDRNOTAVAIL);
    EXPECT_EQ(tcp.Bind(h.TcpSocket6(), Addr("::ffff:10.9.9.9"), PORT), Errno::ADDRNOTAVAIL);
    EXPECT_EQ(tcp.Bind(h.TcpSocket6(), Addr("ff02::1"), PORT), Errno::INVAL) << "multicast, TCP";
    EXPECT_EQ(udp.Bind(h.UdpSocket6(), Addr("ff02::1"), PORT), Errno::INVAL) << "needs a scope";
}

TEST_F(DualStackTable, ALinkLocalScopeIsTheBoundDeviceAndPartOfTheConflictKey)
{
    h.Host().Addresses().AddIpv6(V6("fe80::1"), 2);
    h.Host().Addresses().AddIpv6(V6("fe80::1"), 3);
    EXPECT_EQ(tcp.Bind(h.TcpSocket6(), Addr("fe80::1"), PORT), Errno::INVAL) << "no scope id";
    SocketId a = h.TcpSocket6();
    ASSERT_EQ(tcp.Bind(a, Addr("fe80::1%2"), PORT), Errno::OK);
    EXPECT_EQ(tcp.View(a).boundDev, 2u);
    EXPECT_EQ(tcp.Bind(h.TcpSocket6(), Addr("fe80::1%3"), PORT), Errno::OK);
    EXPECT_EQ(tcp.Bind(h.TcpSocket6(), Addr("fe80::1%2"), PORT), Errno::ADDRINUSE);
    EXPECT_EQ(tcp.Bind(h.TcpSocket6(), Addr("::"), PORT), Errno::ADDRINUSE)
        << "a device-less [::] conflicts with every device";
    EXPECT_EQ(tcp.Bind(h.TcpSocket6(), Addr("fe80::2%2"), PORT + 1), Errno::ADDRNOTAVAIL);
}

// --- which socket IPv4 traffic reaches (§8.1, §10.2) ---------------------------------------

TEST_F(DualStackTable, BetweenWildcardListenersAfInetTakesIpv4WhateverTheBindOrder)
{
    for (bool v4First : {true, false})
    {
        TableDriver d(5);
        SocketId v4 = INVALID_ID;
        SocketId v6 = INVALID_ID;
        for (int i = 0; i < 2; ++i)
        {
            if ((i == 0) == v4First)
            {
                v4 = d.TcpSocket(false, true);
                ASSERT_EQ(d.Tcp().Bind(v4, ADDR_ANY, PORT), Errno::OK);
                ASSERT_EQ(d.Tcp().Listen(v4, DEFAULT_BACKLOG), Errno::OK);
            }
            else
            {
                v6 = d.TcpSocket6(false, true);
                ASSERT_EQ(d.Tcp().Bind(v6, Addr("::"), PORT), Errno::OK);
                ASSERT_EQ(d.Tcp().Listen(v6, DEFAULT_BACKLOG), Errno::OK);
            }
        }
        for (uint16_t client = 40000; client < 40040; ++client)
        {
            TcpLookup lk = d.Tcp().Lookup(LO1, PORT, LO1, client);
            ASSERT_EQ(lk.kind, TcpLookup::LISTENER);
            EXPECT_EQ(lk.id, v4) << "reuseport groups are per family; 0.0.0.0 scores higher ("
                                 << (v4First ? "0.0.0.0" : "[::]") << " bound first)";
        }
    }
}

TEST_F(DualStackTable, AV6OnlyListenerNeverTakesIpv4AndAMappedOneDoes)
{
    SocketId v6only = h.TcpSocket6();
    ASSERT_EQ(tcp.SetV6Only(v6only, true), Errno::OK);
    ASSERT_EQ(tcp.Bind(v6only, Addr("::"), PORT), Errno::OK);
    ASSERT_EQ(tcp.Listen(v6only, DEFAULT_BACKLOG), Errno::OK);
    EXPECT_EQ(h.Connect(h.TcpSocket(), LO1, PORT), Errno::CONNREFUSED);
    SocketId lo6 = h.TcpSocket6();
    ASSERT_EQ(tcp.Bind(lo6, Addr("::1"), PORT + 1), Errno::OK);
    ASSERT_EQ(tcp.Listen(lo6, DEFAULT_BACKLOG), Errno::OK);
    EXPECT_EQ(h.Connect(h.TcpSocket(), LOOPBACK4_IPV6, PORT + 1), Errno::CONNREFUSED)
        << "the 127.0.0.6 placeholder of a [::1] listener is no IPv4 address";
    SocketId wild4 = h.Listener(ADDR_ANY, PORT + 2);
    SocketId mapped = h.TcpSocket6();
    EXPECT_EQ(tcp.Bind(mapped, Addr("::ffff:127.0.0.1"), PORT + 2), Errno::ADDRINUSE)
        << "0.0.0.0 listening: the mapped bind overlaps it";
    (void)wild4;
    SocketId m2 = h.TcpSocket6();
    ASSERT_EQ(tcp.Bind(m2, Addr("::ffff:127.0.0.1"), PORT + 3), Errno::OK);
    ASSERT_EQ(tcp.Listen(m2, DEFAULT_BACKLOG), Errno::OK);
    SocketId child = INVALID_ID;
    ASSERT_EQ(h.Connect(h.TcpSocket(), LO1, PORT + 3, &child), Errno::OK);
    EXPECT_EQ(tcp.LocalRcvSaddr(child).v6, V6_MAPPED) << "the child is AF_INET6, v4-mapped";
    EXPECT_FALSE(tcp.V6Only(child));
}

TEST_F(DualStackTable, UdpIpv4GoesToAfInetBetweenWildcardsAndNeverToV6Only)
{
    for (bool v4First : {true, false})
    {
        TableDriver d(6);
        SocketId v4 = d.UdpSocket(true);
        SocketId v6 = d.UdpSocket6(true);
        if (v4First)
        {
            ASSERT_EQ(d.Udp().Bind(v4, ADDR_ANY, 9000), Errno::OK);
            ASSERT_EQ(d.Udp().Bind(v6, Addr("::"), 9000), Errno::OK);
        }
        else
        {
            ASSERT_EQ(d.Udp().Bind(v6, Addr("::"), 9000), Errno::OK);
            ASSERT_EQ(d.Udp().Bind(v4, ADDR_ANY, 9000), Errno::OK);
        }
        EXPECT_EQ(d.Udp().Deliver(LO1, 9000, LO1, 5000), v4) << "AF_INET scores 2, AF_INET6 1";
    }
    SocketId only6 = h.UdpSocket6();
    ASSERT_EQ(udp.SetV6Only(only6, true), Errno::OK);
    ASSERT_EQ(udp.Bind(only6, Addr("::"), 9001), Errno::OK);
    EXPECT_EQ(udp.Deliver(LO1, 9001, LO1, 5000), INVALID_ID) << "v6-only never receives IPv4";
    EXPECT_TRUE(udp.DeliverAll(0xffffffffu, 9001, LO1, 5000).empty())
        << "nor IPv4 broadcast (__udp_is_mcast_sock)";
    SocketId dual = h.UdpSocket6();
    ASSERT_EQ(udp.Bind(dual, Addr("::"), 9002), Errno::OK);
    EXPECT_EQ(udp.Deliver(LO1, 9002, LO1, 5000), dual) << "alone, [::] receives IPv4";
}

TEST_F(DualStackTable, Ipv4BroadcastReachesAfInetAndDualStackSocketsButNotV6Only)
{
    // tests/data/kernel-checks/dual-stack-broadcast.out (Linux 6.18): one datagram to
    // 10.1.1.255 reaches 0.0.0.0 and [::], not [::] v6only (the dual-stack probe records
    // unicast only).
    SocketId v4 = h.UdpSocket(true);
    SocketId dual = h.UdpSocket6(true);
    SocketId only6 = h.UdpSocket6(true);
    ASSERT_EQ(udp.SetV6Only(only6, true), Errno::OK);
    ASSERT_EQ(udp.Bind(v4, ADDR_ANY, 9000), Errno::OK);
    ASSERT_EQ(udp.Bind(dual, Addr("::"), 9000), Errno::OK);
    ASSERT_EQ(udp.Bind(only6, Addr("::"), 9000), Errno::OK);
    std::vector<SocketId> got = udp.DeliverAll(0x0a0101ff, 9000, 0x0a010101, 5000);
    std::vector<SocketId> want{v4, dual};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << "0.0.0.0 and the dual-stack [::] get a copy, the v6-only one none";
}

} // namespace
} // namespace portlab
