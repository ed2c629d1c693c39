/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "table-driver.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

class TcpBind : public ::testing::Test
{
  protected:
    TableDriver h{11};
    TcpPortTable& tcp = h.Tcp();
};

TEST_F(TcpBind, TwoPlainSocketsCannotBindTheSameAddressAndPort)
{
    SocketId a = tcp.Open();
    SocketId b = tcp.Open();
    ASSERT_EQ(tcp.Bind(a, LO1, 8888), Errno::OK);
    EXPECT_EQ(tcp.Bind(b, LO1, 8888), Errno::ADDRINUSE);
}

TEST_F(TcpBind, DifferentSpecificAddressesShareAPort)
{
    SocketId a = tcp.Open();
    SocketId b = tcp.Open();
    ASSERT_EQ(tcp.Bind(a, LO1, 8888), Errno::OK);
    EXPECT_EQ(tcp.Bind(b, LO2, 8888), Errno::OK);
    EXPECT_EQ(tcp.OwnerCount(8888), 2u);
}

TEST_F(TcpBind, ManyDistinctOwnersOfOnePortComeAndGo)
{
    // Six addresses on one port: more owner kinds than a bucket keeps inline.
    std::vector<SocketId> socks;
    for (Ipv4 a = 1; a <= 6; ++a)
    {
        SocketId s = tcp.Open();
        ASSERT_EQ(tcp.Bind(s, 0x7f000000 + a, 8888), Errno::OK);
        socks.push_back(s);
    }
    EXPECT_EQ(tcp.OwnerCount(8888), 6u);
    SocketId any = tcp.Open();
    EXPECT_EQ(tcp.Bind(any, ADDR_ANY, 8888), Errno::ADDRINUSE);
    for (size_t i : {3u, 0u, 5u, 1u, 4u})
    {
        tcp.Destroy(socks[i]);
    }
    EXPECT_EQ(tcp.OwnerCount(8888), 1u);
    SocketId again = tcp.Open();
    EXPECT_EQ(tcp.Bind(again, 0x7f000003, 8888), Errno::ADDRINUSE) << "127.0.0.3 still owns it";
    EXPECT_EQ(tcp.Bind(again, 0x7f000004, 8888), Errno::OK) << "127.0.0.4 was released";
    tcp.Destroy(socks[2]);
    tcp.Destroy(again);
    EXPECT_EQ(tcp.PortsInUse(), 0u);
    EXPECT_EQ(tcp.Bind(any, ADDR_ANY, 8888), Errno::OK);
}

TEST_F(TcpBind, WildcardOverlapsEverySpecificAddressInBothOrders)
{
    SocketId a = tcp.Open();
    SocketId b = tcp.Open();
    ASSERT_EQ(tcp.Bind(a, ADDR_ANY, 8888), Errno::OK);
    EXPECT_EQ(tcp.Bind(b, LO2, 8888), Errno::ADDRINUSE);
    SocketId c = tcp.Open();
    SocketId d = tcp.Open();
    ASSERT_EQ(tcp.Bind(c, LO1, 9999), Errno::OK);
    EXPECT_EQ(tcp.Bind(d, ADDR_ANY, 9999), Errno::ADDRINUSE);
}

TEST_F(TcpBind, ReuseAddrNeedsBothSocketsAndANonListeningOwner)
{
    SocketId a = h.TcpSocket(true);
    SocketId b = h.TcpSocket(true);
    SocketId c = h.TcpSocket(false);
    ASSERT_EQ(tcp.Bind(a, LO1, 8888), Errno::OK);
    EXPECT_EQ(tcp.Bind(c, LO1, 8888), Errno::ADDRINUSE) << "the new socket lacks SO_REUSEADDR";
    ASSERT_EQ(tcp.Listen(a, 10), Errno::OK);
    EXPECT_EQ(tcp.Bind(b, LO1, 8888), Errno::ADDRINUSE) << "a LISTEN owner blocks SO_REUSEADDR";
}

TEST_F(TcpBind, ReusePortNeedsTheSameOwnerUid)
{
    SocketId a = h.TcpSocket(false, true);
    SocketId b = h.TcpSocket(false, true);
    SocketId c = h.TcpSocket(false, true);
    tcp.SetUid(a, 1000);
    tcp.SetUid(b, 1000);
    tcp.SetUid(c, 1001);
    ASSERT_EQ(tcp.Bind(a, LO1, 8888), Errno::OK);
    ASSERT_EQ(tcp.Listen(a, 10), Errno::OK);
    EXPECT_EQ(tcp.Bind(b, LO1, 8888), Errno::OK);
    EXPECT_EQ(tcp.Bind(c, LO1, 8888), Errno::ADDRINUSE) << "SO_REUSEPORT across uids";
}

TEST_F(TcpBind, DifferentBoundDevicesNeverConflict)
{
    SocketId a = tcp.Open();
    SocketId b = tcp.Open();
    tcp.SetBoundDevice(a, 2);
    tcp.SetBoundDevice(b, 3);
    ASSERT_EQ(tcp.Bind(a, ADDR_ANY, 8888), Errno::OK);
    EXPECT_EQ(tcp.Bind(b, ADDR_ANY, 8888), Errno::OK);
    SocketId c = tcp.Open(); // no device: overlaps both
    EXPECT_EQ(tcp.Bind(c, ADDR_ANY, 8888), Errno::ADDRINUSE);
}

TEST_F(TcpBind, ListenRechecksThePortAndCanFail)
{
    SocketId a = h.TcpSocket(true);
    SocketId b = h.TcpSocket(true);
    ASSERT_EQ(tcp.Bind(a, LO1, 8888), Errno::OK);
    ASSERT_EQ(tcp.Bind(b, LO1, 8888), Errno::OK);
    EXPECT_EQ(tcp.Listen(a, 10), Errno::OK);
    EXPECT_EQ(tcp.Listen(b, 10), Errno::ADDRINUSE);
    EXPECT_EQ(tcp.GetState(b), TcpState::CLOSE) << "a failed listen() leaves the socket closed";
    EXPECT_EQ(tcp.OwnerCount(8888), 2u) << "and still bound";
}

TEST_F(TcpBind, BindErrorsComeInLinuxOrder)
{
    SocketId a = tcp.Open();
    Ipv4 foreign = 0;
    ParseIpv4("192.0.2.1", foreign);
    EXPECT_EQ(tcp.Bind(a, foreign, 8888), Errno::ADDRNOTAVAIL) << "not a local address";
    tcp.SetUid(a, 1000);
    EXPECT_EQ(tcp.Bind(a, LO1, 80), Errno::ACCES) << "unprivileged bind below 1024";
    EXPECT_EQ(tcp.Bind(a, LO1, 8080), Errno::OK);
    EXPECT_EQ(tcp.Bind(a, LO1, 8081), Errno::INVAL) << "already bound";
    h.Host().Addresses().Add(foreign);
    SocketId b = tcp.Open();
    EXPECT_EQ(tcp.Bind(b, foreign, 8888), Errno::OK) << "an interface address is local";
}

TEST_F(TcpBind, ExplicitPortIsHeldUntilTheSocketIsDestroyed)
{
    SocketId a = h.Listener(LO1, 8888);
    tcp.SetClosed(a);
    SocketId b = tcp.Open();
    EXPECT_EQ(tcp.Bind(b, LO1, 8888), Errno::ADDRINUSE) << "SOCK_BINDPORT_LOCK keeps the port";
    tcp.Destroy(a);
    EXPECT_EQ(tcp.Bind(b, LO1, 8888), Errno::OK);
}

TEST_F(TcpBind, BindZeroPicksOddPortsAndExhaustsWithEaddrinuse)
{
    h.Sysctl("ip_local_port_range", "40000 40009");
    int bound = 0;
    for (int i = 0; i < 10; ++i)
    {
        SocketId s = tcp.Open();
        ASSERT_EQ(tcp.Bind(s, ADDR_ANY, 0), Errno::OK);
        uint16_t p = tcp.GetTuple(s).localPort;
        EXPECT_GE(p, 40000);
        EXPECT_LE(p, 40009);
        if (i < 5)
        {
            EXPECT_EQ(p % 2, 1) << "bind(0) uses the odd ports first";
        }
        ++bound;
    }
    EXPECT_EQ(bound, 10);
    SocketId s = tcp.Open();
    EXPECT_EQ(tcp.Bind(s, ADDR_ANY, 0), Errno::ADDRINUSE);
    EXPECT_EQ(tcp.Counters().bind.Failed(Errno::ADDRINUSE), 1u);
}

TEST_F(TcpBind, BindZeroWithReuseAddrSearchesTheLowerHalfFirst)
{
    h.Sysctl("ip_local_port_range", "40000 40099");
    for (int i = 0; i < 20; ++i)
    {
        SocketId s = h.TcpSocket(true);
        ASSERT_EQ(tcp.Bind(s, ADDR_ANY, 0), Errno::OK);
        EXPECT_LT(tcp.GetTuple(s).localPort, 40050) << "lower half first for SO_REUSEADDR";
    }
}

TEST_F(TcpBind, BindZeroSkipsReservedPorts)
{
    h.Sysctl("ip_local_port_range", "40000 40003");
    h.Sysctl("ip_local_reserved_ports", "40001-40002");
    SocketId a = tcp.Open();
    SocketId b = tcp.Open();
    SocketId c = tcp.Open();
    ASSERT_EQ(tcp.Bind(a, ADDR_ANY, 0), Errno::OK);
    ASSERT_EQ(tcp.Bind(b, ADDR_ANY, 0), Errno::OK);
    EXPECT_EQ(tcp.Bind(c, ADDR_ANY, 0), Errno::ADDRINUSE);
    EXPECT_EQ(tcp.GetTuple(a).localPort + tcp.GetTuple(b).localPort, 40000 + 40003);
    EXPECT_EQ(tcp.Bind(c, ADDR_ANY, 40001), Errno::OK) << "an explicit bind may use them";
}

TEST_F(TcpBind, AutobindReuseSharesAnExhaustedRangeAmongReuseAddrSockets)
{
    // reuseaddr_ports_exhausted.c: one port, both SO_REUSEADDR.
    h.Sysctl("ip_local_port_range", "32768 32768");
    SocketId a = h.TcpSocket(true);
    SocketId b = h.TcpSocket(true);
    ASSERT_EQ(tcp.Bind(a, ADDR_ANY, 0), Errno::OK);
    EXPECT_EQ(tcp.Bind(b, ADDR_ANY, 0), Errno::ADDRINUSE) << "ip_autobind_reuse=0";
    h.Sysctl("ip_autobind_reuse", "1");
    EXPECT_EQ(tcp.Bind(b, ADDR_ANY, 0), Errno::OK) << "relaxed second pass";
    SocketId c = h.TcpSocket(true, true);
    SocketId d = h.TcpSocket(true, true);
    tcp.Destroy(a);
    tcp.Destroy(b);
    ASSERT_EQ(tcp.Bind(c, ADDR_ANY, 0), Errno::OK);
    EXPECT_EQ(tcp.Bind(d, ADDR_ANY, 0), Errno::ADDRINUSE)
        << "both SO_REUSEADDR and SO_REUSEPORT with the same uid still fails";
}

TEST_F(TcpBind, PerSocketRangeNarrowsTheHostRange)
{
    SocketId s = tcp.Open();
    EXPECT_EQ(tcp.SetLocalPortRange(s, 50010, 50000), Errno::INVAL);
    ASSERT_EQ(tcp.SetLocalPortRange(s, 50000, 50001), Errno::OK);
    ASSERT_EQ(tcp.Bind(s, ADDR_ANY, 0), Errno::OK);
    EXPECT_GE(tcp.GetTuple(s).localPort, 50000);
    EXPECT_LE(tcp.GetTuple(s).localPort, 50001);
    SocketId t = tcp.Open();
    ASSERT_EQ(tcp.SetLocalPortRange(t, 10, 40000), Errno::OK);
    ASSERT_EQ(tcp.Bind(t, ADDR_ANY, 0), Errno::OK);
    EXPECT_GE(tcp.GetTuple(t).localPort, 32768) << "a low end outside the host range is ignored";
    EXPECT_LE(tcp.GetTuple(t).localPort, 40000);
}

TEST_F(TcpBind, TcpAndUdpHaveSeparatePortSpaces)
{
    SocketId t = h.Listener(ADDR_ANY, 8888);
    SocketId u = h.Udp().Open();
    EXPECT_EQ(h.Udp().Bind(u, ADDR_ANY, 8888), Errno::OK);
    EXPECT_EQ(h.Tcp().PortsInUse(), 1u);
    EXPECT_EQ(h.Udp().PortsInUse(), 1u);
    (void)t;
}

} // namespace
} // namespace portlab
