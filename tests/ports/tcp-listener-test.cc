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

class TcpListener : public ::testing::Test
{
  protected:
    TableDriver h{51};
    TcpPortTable& tcp = h.Tcp();
};

TEST_F(TcpListener, ASpecificAddressListenerBeatsAWildcardOne)
{
    // reuseport_addr_any.c: SO_REUSEPORT lets them coexist; the specific one still wins.
    SocketId any = h.Listener(ADDR_ANY, 8888, DEFAULT_BACKLOG, true);
    SocketId lo2 = h.Listener(LO2, 8888, DEFAULT_BACKLOG, true);
    EXPECT_EQ(tcp.Lookup(LO2, 8888, LO1, 40000).id, lo2);
    EXPECT_EQ(tcp.Lookup(LO1, 8888, LO1, 40000).id, any);
    EXPECT_EQ(tcp.Lookup(LO1, 8889, LO1, 40000).kind, TcpLookup::NONE) << "no socket: RST";
}

TEST_F(TcpListener, ConnectionsAreFoundBeforeListeners)
{
    SocketId l = h.Listener(LO1, 8888);
    SocketId c = tcp.Open();
    SocketId child = INVALID_ID;
    ASSERT_EQ(h.Connect(c, LO1, 8888, &child), Errno::OK);
    uint16_t port = tcp.GetTuple(c).localPort;
    TcpLookup toServer = tcp.Lookup(LO1, 8888, LO1, port);
    EXPECT_EQ(toServer.kind, TcpLookup::CONNECTION);
    EXPECT_EQ(toServer.id, child);
    TcpLookup toClient = tcp.Lookup(LO1, port, LO1, 8888);
    EXPECT_EQ(toClient.id, c);
    EXPECT_EQ(tcp.Lookup(LO1, 8888, LO1, port + 1).id, l);
}

TEST_F(TcpListener, BoundDeviceMustMatchTheIncomingInterface)
{
    SocketId onDev2 = tcp.Open();
    SocketId onDev3 = tcp.Open();
    tcp.SetBoundDevice(onDev2, 2);
    tcp.SetBoundDevice(onDev3, 3);
    ASSERT_EQ(tcp.Bind(onDev2, ADDR_ANY, 8888), Errno::OK);
    ASSERT_EQ(tcp.Bind(onDev3, ADDR_ANY, 8888), Errno::OK) << "different devices never conflict";
    ASSERT_EQ(tcp.Listen(onDev2, 10), Errno::OK);
    ASSERT_EQ(tcp.Listen(onDev3, 10), Errno::OK);
    EXPECT_EQ(tcp.Lookup(LO1, 8888, LO1, 1234, 2).id, onDev2);
    EXPECT_EQ(tcp.Lookup(LO1, 8888, LO1, 1234, 3).id, onDev3);
    EXPECT_EQ(tcp.Lookup(LO1, 8888, LO1, 1234, 4).kind, TcpLookup::NONE)
        << "a segment on another interface finds no listener";
}

TEST_F(TcpListener, ReuseportGroupSpreadsConnectionsByFourTupleHash)
{
    std::vector<SocketId> ls;
    for (int i = 0; i < 4; ++i)
    {
        ls.push_back(h.Listener(LO1, 8888, 1024, true));
    }
    std::map<SocketId, int> n;
    for (int i = 0; i < 4000; ++i)
    {
        SocketId c = tcp.Open();
        SocketId l = INVALID_ID;
        ASSERT_EQ(h.Connect(c, LO1, 8888, nullptr, &l), Errno::OK);
        ++n[l];
    }
    for (SocketId l : ls)
    {
        EXPECT_NEAR(n[l], 1000, 150) << "each of four listeners gets a quarter within 15%";
    }
    // deterministic: the same 4-tuple always reaches the same listener
    EXPECT_EQ(tcp.Lookup(LO1, 8888, 0x7f000009, 5555).id,
              tcp.Lookup(LO1, 8888, 0x7f000009, 5555).id);
}

TEST_F(TcpListener, ClosingAGroupMemberMovesTheLastMemberIntoItsSlot)
{
    std::vector<SocketId> ls;
    for (int i = 0; i < 3; ++i)
    {
        ls.push_back(h.Listener(LO1, 8888, 1024, true));
    }
    tcp.Destroy(ls[0]);
    for (int p = 1; p < 2000; ++p)
    {
        SocketId got = tcp.Lookup(LO1, 8888, LO1, static_cast<uint16_t>(p)).id;
        ASSERT_TRUE(got == ls[1] || got == ls[2]) << "a closed listener receives nothing";
    }
}

TEST_F(TcpListener, ReuseportListenersWithDifferentUidsCannotShare)
{
    SocketId a = h.TcpSocket(false, true);
    tcp.SetUid(a, 1000);
    ASSERT_EQ(tcp.Bind(a, LO1, 8888), Errno::OK);
    ASSERT_EQ(tcp.Listen(a, 10), Errno::OK);
    SocketId b = h.TcpSocket(false, true);
    tcp.SetUid(b, 1001);
    EXPECT_EQ(tcp.Bind(b, LO1, 8888), Errno::ADDRINUSE);
}

TEST_F(TcpListener, BacklogIsClampedToSomaxconn)
{
    h.Sysctl("somaxconn", "100");
    SocketId a = tcp.Open();
    ASSERT_EQ(tcp.Bind(a, LO1, 8888), Errno::OK);
    ASSERT_EQ(tcp.Listen(a, 5000), Errno::OK);
    EXPECT_EQ(tcp.GetBacklog(a), 100u);
    ASSERT_EQ(tcp.Listen(a, 7), Errno::OK) << "listen() again updates the backlog";
    EXPECT_EQ(tcp.GetBacklog(a), 7u);
    SocketId b = tcp.Open();
    ASSERT_EQ(tcp.Bind(b, LO1, 8889), Errno::OK);
    ASSERT_EQ(tcp.Listen(b, -1), Errno::OK);
    EXPECT_EQ(tcp.GetBacklog(b), 100u) << "a negative backlog means somaxconn";
}

TEST_F(TcpListener, ListenOnAnUnboundSocketPicksAnEphemeralPort)
{
    SocketId a = tcp.Open();
    ASSERT_EQ(tcp.Listen(a, 10), Errno::OK);
    uint16_t p = tcp.GetTuple(a).localPort;
    EXPECT_GE(p, 32768);
    EXPECT_LE(p, 60999);
    EXPECT_EQ(tcp.Lookup(LO1, p, LO1, 1).id, a);
}

TEST_F(TcpListener, SnapshotListsSocketsAsSsDoes)
{
    h.Listener(LO1, 8888);
    SocketId c = tcp.Open();
    SocketId a = INVALID_ID;
    ASSERT_EQ(h.Connect(c, LO1, 8888, &a), Errno::OK);
    SocketId bound = tcp.Open();
    ASSERT_EQ(tcp.Bind(bound, LO1, 7000), Errno::OK);
    std::string text = FormatSs(SnapshotSockets(h.Host()));
    EXPECT_NE(text.find("LISTEN"), std::string::npos) << text;
    EXPECT_NE(text.find("127.0.0.1:8888"), std::string::npos) << text;
    EXPECT_EQ(text.find(":7000"), std::string::npos) << "a bound-only TCP socket is not listed\n"
                                                     << text;
    auto counts = CountTcpStates(h.Host());
    ASSERT_EQ(counts.size(), 2u);
    EXPECT_EQ(counts[0], (std::pair<std::string, int>{"LISTEN", 1}));
    EXPECT_EQ(counts[1], (std::pair<std::string, int>{"ESTAB", 2}));
}

} // namespace
} // namespace portlab
