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

/// What one connect() returned.
struct ConnectOutcome
{
    Errno error;   //!< errno
    uint16_t port; //!< local port chosen (0 on failure)
    bool tookOver; //!< a TIME_WAIT was taken over

    bool operator==(const ConnectOutcome& o) const
    {
        return error == o.error && port == o.port && tookOver == o.tookOver;
    }
};

/// A client churning through a 600-port range towards two remote servers and one loopback
/// one, 25 connections per simulated second for 150 s: most it closes first (TIME_WAIT), some
/// the server closes first, some stay open; entries expire as time passes. With
/// \p bindOneToLo, one of them is bound to lo: with tcp_tw_reuse=2 its TIME_WAIT may be taken
/// over although its addresses are not loopback, so from then on no bitmap may decide. \return
/// every connect()'s outcome, in order, and (in \p bitmapsSeen) the most bitmaps kept at once
std::vector<ConnectOutcome>
ChurnThroughASmallRange(bool bitmaps,
                        const std::string& twReuse,
                        bool bindOneToLo,
                        size_t& bitmapsSeen)
{
    TableDriver h{77};
    TcpPortTable& tcp = h.Tcp();
    tcp.SetConnectScanBitmaps(bitmaps);
    h.Sysctl("ip_local_port_range", "40000 40599");
    h.Sysctl("tcp_tw_reuse", twReuse);
    const Ipv4 self = 0x0a000001;                         // 10.0.0.1
    const Ipv4 servers[] = {0x0a000002, 0x0a000003, LO2}; // 10.0.0.2, 10.0.0.3, lo
    std::vector<ConnectOutcome> out;
    bitmapsSeen = 0;
    for (int i = 0; i < 3750; ++i)
    {
        SocketId c = tcp.Open();
        if (bindOneToLo && i == 1201) // a connection the client closes first, to 10.0.0.2
        {
            tcp.SetBoundDevice(c, LOOPBACK_IFINDEX);
        }
        Ipv4 dst = servers[i % 7 == 0 ? 2 : i % 3 == 0 ? 1 : 0];
        TcpConnectResult r;
        Errno e = tcp.Connect(c, dst == LO2 ? LO1 : self, dst, 80, h.Now(), r);
        out.push_back({e, e == Errno::OK ? r.localPort : uint16_t(0), r.tookOverTimeWait});
        bitmapsSeen = std::max(bitmapsSeen, tcp.ConnectScanBitmaps());
        if (e != Errno::OK)
        {
            tcp.Destroy(c);
        }
        else if (i % 11 == 0)
        {
            tcp.SetState(c, TcpState::ESTABLISHED); // stays open
        }
        else if (i % 5 == 0)
        {
            tcp.SetState(c, TcpState::ESTABLISHED); // the server closes first: no TIME_WAIT
            tcp.SetState(c, TcpState::CLOSE_WAIT);
            tcp.SetState(c, TcpState::LAST_ACK);
            tcp.SetClosed(c);
            tcp.Destroy(c);
        }
        else
        {
            tcp.SetState(c, TcpState::ESTABLISHED); // the client closes first: TIME_WAIT
            tcp.SetState(c, TcpState::FIN_WAIT1);
            tcp.SetState(c, TcpState::FIN_WAIT2);
            TimeWaitInfo info;
            info.hasTimestamps = true;
            info.tsRecent = static_cast<uint32_t>(h.Now() / NS_PER_MS);
            tcp.EnterTimeWait(c, h.Now(), info);
            tcp.Destroy(c);
        }
        h.Sleep(40 * NS_PER_MS);
    }
    return out;
}

TEST(TcpConnectScan, DestinationBitmapsGiveTheSamePortsErrorsAndTakeoversAsTheFullScan)
{
    struct Variant
    {
        std::string twReuse;
        bool bindOneToLo;
        bool bitmapsExpected;
    };

    for (const Variant& v : {Variant{"0", false, true},
                             Variant{"2", false, true},
                             Variant{"2", true, true},
                             Variant{"1", false, false}})
    {
        size_t slowBitmaps = 0;
        size_t fastBitmaps = 0;
        std::vector<ConnectOutcome> slow =
            ChurnThroughASmallRange(false, v.twReuse, v.bindOneToLo, slowBitmaps);
        std::vector<ConnectOutcome> fast =
            ChurnThroughASmallRange(true, v.twReuse, v.bindOneToLo, fastBitmaps);
        std::string label =
            "tcp_tw_reuse=" + v.twReuse + (v.bindOneToLo ? ", a socket bound to lo" : "");
        ASSERT_EQ(fast.size(), slow.size());
        size_t refused = 0;
        for (size_t i = 0; i < slow.size(); ++i)
        {
            ASSERT_EQ(fast[i], slow[i])
                << label << ": connect() #" << i << " should give the same errno, port and "
                << "takeover with destination bitmaps as with the full scan (slow: "
                << ErrnoName(slow[i].error) << " port " << slow[i].port
                << ", fast: " << ErrnoName(fast[i].error) << " port " << fast[i].port << ")";
            refused += slow[i].error == Errno::ADDRNOTAVAIL ? 1 : 0;
        }
        EXPECT_EQ(slowBitmaps, 0u) << label << ": the full scan keeps no bitmaps";
        if (v.bitmapsExpected)
        {
            EXPECT_GT(refused, 100u) << label << ": the range should be exhausted often";
            EXPECT_GT(fastBitmaps, 0u) << label << ": long scans should have built bitmaps";
        }
        else
        {
            EXPECT_EQ(fastBitmaps, 0u)
                << label << ": TIME_WAITs may be taken over, so no bitmap may decide";
        }
    }
}

} // namespace
} // namespace portlab
