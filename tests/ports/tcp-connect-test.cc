/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "table-driver.h"

#include <gtest/gtest.h>
#include <set>

namespace portlab
{
namespace
{

class TcpConnect : public ::testing::Test
{
  protected:
    TableDriver h{21};
    TcpPortTable& tcp = h.Tcp();
};

TEST_F(TcpConnect, ReusesALocalPortTowardsDifferentDestinations)
{
    h.Sysctl("ip_local_port_range", "40000 40000");
    h.Listener(LO1, 8888);
    h.Listener(LO2, 8888);
    h.Listener(LO1, 9999);
    SocketId a = tcp.Open();
    SocketId b = tcp.Open();
    SocketId c = tcp.Open();
    SocketId d = tcp.Open();
    ASSERT_EQ(h.Connect(a, LO1, 8888), Errno::OK);
    ASSERT_EQ(h.Connect(b, LO2, 8888), Errno::OK);
    ASSERT_EQ(h.Connect(c, LO1, 9999), Errno::OK);
    EXPECT_EQ(tcp.GetTuple(a).localPort, 40000);
    EXPECT_EQ(tcp.GetTuple(b).localPort, 40000);
    EXPECT_EQ(tcp.GetTuple(c).localPort, 40000);
    EXPECT_EQ(h.Connect(d, LO1, 8888), Errno::ADDRNOTAVAIL)
        << "the 4-tuple towards 127.0.0.1:8888 is taken and there is no other port";
    EXPECT_EQ(tcp.GetState(d), TcpState::CLOSE);
    EXPECT_EQ(tcp.Counters().connect.Failed(Errno::ADDRNOTAVAIL), 1u);
}

TEST_F(TcpConnect, ExplicitBindBeforeConnectTakesPortSharingAway)
{
    h.Sysctl("ip_local_port_range", "40000 40001");
    h.Listener(LO1, 8888);
    h.Listener(LO2, 8888);
    SocketId a = tcp.Open();
    SocketId b = tcp.Open();
    SocketId c = tcp.Open();
    ASSERT_EQ(tcp.Bind(a, ADDR_ANY, 0), Errno::OK);
    ASSERT_EQ(h.Connect(a, LO1, 8888), Errno::OK);
    ASSERT_EQ(tcp.Bind(b, ADDR_ANY, 0), Errno::OK);
    ASSERT_EQ(h.Connect(b, LO2, 8888), Errno::OK);
    EXPECT_EQ(tcp.Bind(c, ADDR_ANY, 0), Errno::ADDRINUSE);
    // and connect() without bind() cannot share those explicitly bound ports either
    SocketId d = tcp.Open();
    EXPECT_EQ(h.Connect(d, LO2, 8888), Errno::ADDRNOTAVAIL);
}

TEST_F(TcpConnect, AnExplicitBindOnAnotherAddressBlocksSharingUntilItCloses)
{
    // tcp_port_share.c (6.18): connect() may only share ports all of whose owners came
    // from connect(); the bucket reverts when the explicit owner goes.
    h.Sysctl("ip_local_port_range", "40000 40000");
    h.Listener(LO1, 8888);
    h.Listener(LO1, 9999);
    SocketId a = tcp.Open();
    ASSERT_EQ(h.Connect(a, LO1, 8888), Errno::OK);
    SocketId x = tcp.Open();
    ASSERT_EQ(tcp.Bind(x, LO2, 40000), Errno::OK) << "another address: no bind conflict";
    SocketId b = tcp.Open();
    EXPECT_EQ(h.Connect(b, LO1, 9999), Errno::ADDRNOTAVAIL);
    tcp.Destroy(x);
    EXPECT_EQ(h.Connect(b, LO1, 9999), Errno::OK);
}

TEST_F(TcpConnect, ConnectPrefersEvenPortsThenOdd)
{
    h.Sysctl("ip_local_port_range", "40000 40009");
    h.Listener(LO1, 8888);
    std::vector<uint16_t> ports;
    for (int i = 0; i < 10; ++i)
    {
        SocketId c = tcp.Open();
        ASSERT_EQ(h.Connect(c, LO1, 8888), Errno::OK);
        ports.push_back(tcp.GetTuple(c).localPort);
    }
    for (int i = 0; i < 5; ++i)
    {
        EXPECT_EQ(ports[i] % 2, 0) << "the first five connections take the even ports";
    }
    for (int i = 5; i < 10; ++i)
    {
        EXPECT_EQ(ports[i] % 2, 1) << "then the odd ones";
    }
    EXPECT_EQ(std::set<uint16_t>(ports.begin(), ports.end()).size(), 10u);
    SocketId c = tcp.Open();
    EXPECT_EQ(h.Connect(c, LO1, 8888), Errno::ADDRNOTAVAIL);
}

TEST_F(TcpConnect, PerSocketRangeScansAtStepOneWithNoParityPreference)
{
    h.Listener(LO1, 8888);
    for (int i = 0; i < 3; ++i)
    {
        SocketId c = tcp.Open();
        ASSERT_EQ(tcp.SetLocalPortRange(c, 50000, 50002), Errno::OK);
        ASSERT_EQ(h.Connect(c, LO1, 8888), Errno::OK) << "all three ports of the range serve";
    }
    SocketId c = tcp.Open();
    tcp.SetLocalPortRange(c, 50000, 50002);
    EXPECT_EQ(h.Connect(c, LO1, 8888), Errno::ADDRNOTAVAIL);
}

TEST_F(TcpConnect, BindAddressNoPortDefersThePortToConnect)
{
    h.Sysctl("ip_local_port_range", "40000 40000");
    Ipv4 a2 = 0x0a000002;
    Ipv4 a3 = 0x0a000003;
    h.Host().Addresses().Add(a2);
    h.Host().Addresses().Add(a3);
    h.Listener(LO1, 8888);
    SocketId a = tcp.Open();
    SocketId b = tcp.Open();
    tcp.SetBindAddressNoPort(a, true);
    tcp.SetBindAddressNoPort(b, true);
    ASSERT_EQ(tcp.Bind(a, a2, 0), Errno::OK);
    ASSERT_EQ(tcp.Bind(b, a3, 0), Errno::OK);
    EXPECT_EQ(tcp.GetTuple(a).localPort, 0) << "getsockname() says port 0 until connect()";
    TcpConnectResult r;
    ASSERT_EQ(tcp.Connect(a, LO1, LO1, 8888, h.Now(), r), Errno::OK);
    ASSERT_EQ(tcp.Connect(b, LO1, LO1, 8888, h.Now(), r), Errno::OK);
    EXPECT_EQ(tcp.GetTuple(a).localPort, 40000);
    EXPECT_EQ(tcp.GetTuple(b).localPort, 40000) << "different source addresses share the port";
    EXPECT_EQ(tcp.GetTuple(b).localAddr, a3);
}

TEST_F(TcpConnect, ConnectOnAConnectedSocketIsRefused)
{
    h.Listener(LO1, 8888);
    SocketId c = tcp.Open();
    TcpConnectResult r;
    ASSERT_EQ(tcp.Connect(c, LO1, LO1, 8888, 0, r), Errno::OK);
    EXPECT_EQ(tcp.Connect(c, LO1, LO1, 8888, 0, r), Errno::ALREADY);
    tcp.SetState(c, TcpState::ESTABLISHED);
    EXPECT_EQ(tcp.Connect(c, LO1, LO1, 8888, 0, r), Errno::ISCONN);
}

TEST_F(TcpConnect, ClosingAConnectedSocketReleasesItsAutoboundPort)
{
    h.Sysctl("ip_local_port_range", "40000 40000");
    h.Listener(LO1, 8888);
    SocketId c = tcp.Open();
    ASSERT_EQ(h.Connect(c, LO1, 8888), Errno::OK);
    EXPECT_EQ(tcp.PortsInUse(), 2u);
    tcp.Destroy(c);
    EXPECT_EQ(tcp.OwnerCount(40000), 0u);
    SocketId d = tcp.Open();
    EXPECT_EQ(tcp.Bind(d, ADDR_ANY, 0), Errno::OK);
}

TEST_F(TcpConnect, OnePortServesManyDestinationsWithoutScanning)
{
    // 4-tuple uniqueness through the connection table: 2,000 destinations from one port.
    h.Sysctl("ip_local_port_range", "40000 40000");
    for (uint32_t d = 0; d < 2000; ++d)
    {
        Ipv4 dst = 0x0b000000 + d;
        SocketId c = tcp.Open();
        TcpConnectResult r;
        ASSERT_EQ(tcp.Connect(c, 0x0a000001, dst, 80, 0, r), Errno::OK);
        ASSERT_EQ(r.localPort, 40000);
    }
    EXPECT_EQ(tcp.ConnectionCount(), 2000u);
    EXPECT_EQ(tcp.OwnerCount(40000), 2000u);
}

} // namespace
} // namespace portlab
