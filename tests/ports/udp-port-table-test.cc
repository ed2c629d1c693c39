/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "table-driver.h"

#include <gtest/gtest.h>
#include <map>

namespace portlab
{
namespace
{

class UdpTable : public ::testing::Test
{
  protected:
    TableDriver h{61};
    UdpPortTable& udp = h.Udp();
};

TEST_F(UdpTable, BothReuseAddrAlwaysShareEvenWithTheWildcard)
{
    SocketId a = h.UdpSocket(true);
    SocketId b = h.UdpSocket(true);
    SocketId c = h.UdpSocket(false);
    ASSERT_EQ(udp.Bind(a, ADDR_ANY, 9000), Errno::OK);
    EXPECT_EQ(udp.Bind(b, LO1, 9000), Errno::OK);
    EXPECT_EQ(udp.Bind(c, LO1, 9000), Errno::ADDRINUSE);
}

TEST_F(UdpTable, TheMostRecentlyBoundReuseAddrSocketGetsUnicast)
{
    SocketId s[3];
    for (auto& x : s)
    {
        x = h.UdpSocket(true);
        ASSERT_EQ(udp.Bind(x, LO1, 9000), Errno::OK);
    }
    for (uint16_t p = 1000; p < 1060; ++p)
    {
        EXPECT_EQ(udp.Deliver(LO1, 9000, LO1, p), s[2]);
    }
    udp.Close(s[2]);
    EXPECT_EQ(udp.Deliver(LO1, 9000, LO1, 1), s[1]);
}

TEST_F(UdpTable, ASpecificAddressSocketBeatsAConnectedWildcardOne)
{
    SocketId any = h.UdpSocket(true);
    SocketId spec = h.UdpSocket(true);
    ASSERT_EQ(udp.Bind(any, ADDR_ANY, 9000), Errno::OK);
    ASSERT_EQ(udp.Bind(spec, LO1, 9000), Errno::OK);
    EXPECT_EQ(udp.Deliver(LO1, 9000, LO2, 5), spec);
    EXPECT_EQ(udp.Deliver(LO2, 9000, LO2, 5), any) << "other destination: wildcard chain";
}

TEST_F(UdpTable, AConnectedSocketReceivesOnlyFromItsPeer)
{
    SocketId srv = h.UdpSocket(true);
    SocketId conn = h.UdpSocket(true);
    ASSERT_EQ(udp.Bind(srv, LO1, 9000), Errno::OK);
    ASSERT_EQ(udp.Bind(conn, LO1, 9000), Errno::OK);
    ASSERT_EQ(udp.Connect(conn, LO1, LO2, 7000), Errno::OK);
    EXPECT_EQ(udp.Deliver(LO1, 9000, LO2, 7000), conn) << "exact 4-tuple wins";
    EXPECT_EQ(udp.Deliver(LO1, 9000, LO2, 7001), srv);
}

TEST_F(UdpTable, NoSocketMeansPortUnreachable)
{
    EXPECT_EQ(udp.Deliver(LO1, 7777, LO1, 5), INVALID_ID);
    EXPECT_EQ(udp.Counters().noPort, 1u);
}

TEST_F(UdpTable, ReuseportGroupSpreadsDatagramsByFourTupleHash)
{
    SocketId s[3];
    for (auto& x : s)
    {
        x = h.UdpSocket(false, true);
        ASSERT_EQ(udp.Bind(x, LO1, 9000), Errno::OK);
    }
    std::map<SocketId, int> n;
    for (uint16_t p = 20000; p < 23000; ++p)
    {
        ++n[udp.Deliver(LO1, 9000, LO1, p)];
    }
    for (auto x : s)
    {
        EXPECT_NEAR(n[x], 1000, 150);
    }
}

TEST_F(UdpTable, ConnectAutobindsAndFixesTheSourceAddress)
{
    SocketId c = udp.Open();
    ASSERT_EQ(udp.Connect(c, LO1, LO2, 53), Errno::OK);
    EXPECT_NE(udp.GetTuple(c).localPort, 0);
    EXPECT_EQ(udp.GetTuple(c).localAddr, LO1);
    EXPECT_EQ(udp.Deliver(LO1, udp.GetTuple(c).localPort, LO2, 53), c);
}

TEST_F(UdpTable, ExhaustedAutobindIsEagain)
{
    h.Sysctl("ip_local_port_range", "40000 40001");
    SocketId a = udp.Open();
    SocketId b = udp.Open();
    SocketId c = udp.Open();
    ASSERT_EQ(udp.Bind(a, ADDR_ANY, 0), Errno::OK);
    ASSERT_EQ(udp.Bind(b, ADDR_ANY, 0), Errno::OK);
    EXPECT_EQ(udp.Connect(c, LO1, LO2, 53), Errno::AGAIN);
    EXPECT_EQ(udp.Bind(c, ADDR_ANY, 0), Errno::ADDRINUSE);
}

TEST_F(UdpTable, BindAcceptsMulticastAndBroadcastAddressesAsLinuxDoes)
{
    h.Host().Addresses().Add(0x0a010101);
    h.Host().Addresses().AddBroadcast(0x0a0101ff);
    SocketId m = udp.Open();
    SocketId b = udp.Open();
    SocketId sb = udp.Open();
    SocketId other = udp.Open();
    EXPECT_EQ(udp.Bind(m, 0xe0000001, 5353), Errno::OK) << "224.0.0.1";
    EXPECT_EQ(udp.Bind(b, 0xffffffff, 67), Errno::OK) << "255.255.255.255";
    EXPECT_EQ(udp.Bind(sb, 0x0a0101ff, 520), Errno::OK) << "the subnet broadcast 10.1.1.255";
    EXPECT_EQ(udp.Bind(other, 0x0a0202ff, 520), Errno::ADDRNOTAVAIL) << "not ours";
}

TEST_F(UdpTable, BroadcastReachesEveryMatchingSocket)
{
    SocketId a = h.UdpSocket(true);
    SocketId b = h.UdpSocket(true);
    ASSERT_EQ(udp.Bind(a, ADDR_ANY, 9000), Errno::OK);
    ASSERT_EQ(udp.Bind(b, ADDR_ANY, 9000), Errno::OK);
    auto all = udp.DeliverAll(0xffffffff, 9000, LO2, 5);
    EXPECT_EQ(all.size(), 2u);
}

} // namespace
} // namespace portlab
