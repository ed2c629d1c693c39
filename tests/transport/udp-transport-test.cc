/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// LinuxUdpL4Protocol / LinuxUdpSocket in small ns-3 topologies: two nodes over a
// point-to-point link (10.1.1.0/24) or one node alone over its loopback.

#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"
#include "transport/linux-udp-l4-protocol.h"
#include "transport/linux-udp-socket-factory.h"
#include "transport/linux-udp-socket.h"

#include "ns3/applications-module.h"
#include "ns3/boolean.h"
#include "ns3/core-module.h"
#include "ns3/inet-socket-address.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <gtest/gtest.h>
#include <set>
#include <vector>

using namespace ns3;
using portlab::Errno;

namespace
{

/// Two nodes on one point-to-point link, 10.1.1.1 and 10.1.1.2, with the Linux stack.
struct TwoNodes
{
    NodeContainer nodes;
    Ipv4InterfaceContainer interfaces;

    explicit TwoNodes(const LinuxStackHelper& stack = LinuxStackHelper())
    {
        nodes.Create(2);
        PointToPointHelper p2p;
        p2p.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
        p2p.SetChannelAttribute("Delay", StringValue("1ms"));
        NetDeviceContainer devices = p2p.Install(nodes);
        stack.Install(nodes);
        Ipv4AddressHelper addresses;
        addresses.SetBase("10.1.1.0", "255.255.255.0");
        interfaces = addresses.Assign(devices);
    }
};

/// One node with only its loopback interface (127.0.0.1), with the Linux stack.
Ptr<Node>
LoneNode(const LinuxStackHelper& stack = LinuxStackHelper())
{
    Ptr<Node> node = CreateObject<Node>();
    stack.Install(node);
    return node;
}

/// A UDP socket from the node's UdpSocketFactory, as applications create them.
Ptr<LinuxUdpSocket>
UdpSocketOn(Ptr<Node> node)
{
    Ptr<Socket> socket = Socket::CreateSocket(node, UdpSocketFactory::GetTypeId());
    Ptr<LinuxUdpSocket> udp = DynamicCast<LinuxUdpSocket>(socket);
    EXPECT_TRUE(udp) << "the node's UdpSocketFactory should create LinuxUdpSocket objects";
    return udp;
}

/// Counts ICMP packets a node's IPv4 transmits: Ipv4L3Protocol's Tx plus LinuxIpv4L3Protocol's
/// FastTx, which together show every datagram sent.
uint32_t*
CountIcmpSentBy(Ptr<Node> node, uint32_t* counter)
{
    Callback<void, Ptr<const Packet>, Ptr<Ipv4>, uint32_t> count(
        [counter](Ptr<const Packet> p, Ptr<Ipv4>, uint32_t) {
            Ipv4Header ip;
            p->PeekHeader(ip);
            if (ip.GetProtocol() == Icmpv4L4Protocol::PROT_NUMBER)
            {
                ++*counter;
            }
        });
    Ptr<Ipv4L3Protocol> ipv4 = node->GetObject<Ipv4L3Protocol>();
    ipv4->TraceConnectWithoutContext("Tx", count);
    EXPECT_TRUE(ipv4->TraceConnectWithoutContext("FastTx", count))
        << "the Linux stack's IPv4 should offer the FastTx trace source";
    return counter;
}

/// What a connected socket saw when it was woken up after sending to a closed port.
struct WakeUp
{
    bool woken{false};                                    //!< receive callback ran
    bool gotData{false};                                  //!< the first Recv returned a packet
    Errno first{Errno::OK};                               //!< errno after the first Recv
    Socket::SocketErrno firstNs3{Socket::ERROR_NOTERROR}; //!< GetErrno() after it
    Errno second{Errno::OK};                              //!< errno after a second Recv
};

/// Sends one datagram from a connected socket to a port nobody bound; records the wake-up.
void
ExpectConnRefusedOnNextRecv(Ptr<Node> client, Ipv4Address server, Ptr<Node> serverNode)
{
    Ptr<LinuxUdpSocket> socket = UdpSocketOn(client);
    ASSERT_EQ(socket->Connect(InetSocketAddress(server, 7777)), 0) << "connect() should succeed";
    WakeUp w;
    socket->SetRecvCallback(Callback<void, Ptr<Socket>>([&w](Ptr<Socket> s) {
        if (w.woken)
        {
            return;
        }
        w.woken = true;
        Ptr<LinuxUdpSocket> ls = DynamicCast<LinuxUdpSocket>(s);
        w.gotData = ls->Recv() != nullptr;
        w.first = ls->GetLinuxErrno();
        w.firstNs3 = ls->GetErrno();
        ls->Recv();
        w.second = ls->GetLinuxErrno();
    }));
    uint32_t noPort = 0;
    serverNode->GetObject<LinuxUdpL4Protocol>()->TraceConnectWithoutContext(
        "NoPort",
        Callback<void, Ipv4Address, uint16_t, Ipv4Address, uint16_t>(
            [&noPort](Ipv4Address, uint16_t, Ipv4Address, uint16_t dport) {
                noPort += dport == 7777 ? 1 : 0;
            }));
    uint32_t icmp = 0;
    CountIcmpSentBy(serverNode, &icmp);
    int sent = -2;
    Simulator::Schedule(Seconds(1), [socket, &sent]() { sent = socket->Send(Create<Packet>(32)); });
    Simulator::Run();

    EXPECT_EQ(sent, 32) << "the datagram should leave (the error comes back later)";
    EXPECT_EQ(noPort, 1u) << "the receiving UDP should report one datagram with no socket";
    EXPECT_EQ(icmp, 1u) << "exactly one ICMP port unreachable should be sent";
    EXPECT_TRUE(w.woken) << "the ICMP error should wake the socket's reader";
    EXPECT_FALSE(w.gotData) << "no data should be returned, only the error";
    EXPECT_EQ(w.first, Errno::CONNREFUSED)
        << "the next Recv should fail with ECONNREFUSED, got " << portlab::ErrnoName(w.first);
    EXPECT_EQ(w.firstNs3, Socket::ERROR_NOTCONN) << "ns-3's nearest errno for ECONNREFUSED";
    EXPECT_EQ(w.second, Errno::AGAIN)
        << "the error is reported once: the Recv after it sees an empty queue (EAGAIN)";
}

/// Per-socket datagram counts and the set of source ports seen.
struct Counts
{
    std::vector<uint32_t> perSocket; //!< datagrams read by socket i
    std::set<uint16_t> sourcePorts;  //!< distinct sender ports
};

/// Makes socket i count what it reads into c.perSocket[i].
void
CountReads(Ptr<Socket> socket, size_t i, Counts& c)
{
    socket->SetRecvCallback(Callback<void, Ptr<Socket>>([i, &c](Ptr<Socket> s) {
        Address from;
        while (Ptr<Packet> p = s->RecvFrom(from))
        {
            ++c.perSocket[i];
            c.sourcePorts.insert(InetSocketAddress::ConvertFrom(from).GetPort());
        }
    }));
}

/// Three sockets with the given options bound to 127.0.0.1:9000; 60 senders, one datagram each.
Counts
SixtySendersToThreeSockets(const std::string& option)
{
    Ptr<Node> node = LoneNode();
    Counts c;
    c.perSocket.assign(3, 0);
    std::vector<Ptr<LinuxUdpSocket>> receivers;
    for (size_t i = 0; i < 3; ++i)
    {
        Ptr<LinuxUdpSocket> s = UdpSocketOn(node);
        s->SetAttribute(option, BooleanValue(true));
        EXPECT_EQ(s->Bind(InetSocketAddress(Ipv4Address("127.0.0.1"), 9000)), 0)
            << option << " socket " << i << " should bind 127.0.0.1:9000, got "
            << portlab::ErrnoName(s->GetLinuxErrno());
        CountReads(s, i, c);
        receivers.push_back(s);
    }
    for (int k = 0; k < 60; ++k)
    {
        Ptr<LinuxUdpSocket> sender = UdpSocketOn(node);
        Simulator::Schedule(MilliSeconds(10 + k), [sender]() {
            sender->SendTo(Create<Packet>(20),
                           0,
                           InetSocketAddress(Ipv4Address("127.0.0.1"), 9000));
        });
    }
    Simulator::Run();
    Simulator::Destroy();
    return c;
}

} // namespace

TEST(LinuxUdp, EchoClientAndServerRoundTripEveryPacketOverPointToPoint)
{
    GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
    TwoNodes net;
    EXPECT_TRUE(DynamicCast<LinuxUdpSocketFactory>(net.nodes.Get(1)->GetObject<UdpSocketFactory>()))
        << "LinuxUdpL4Protocol should aggregate its factory as the node's UdpSocketFactory";

    const uint32_t packets = 5;
    UdpEchoServerHelper server(9);
    ApplicationContainer serverApps = server.Install(net.nodes.Get(1));
    serverApps.Start(Seconds(0.5));
    serverApps.Stop(Seconds(20));
    UdpEchoClientHelper client(net.interfaces.GetAddress(1), 9);
    client.SetAttribute("MaxPackets", UintegerValue(packets));
    client.SetAttribute("Interval", TimeValue(Seconds(1)));
    client.SetAttribute("PacketSize", UintegerValue(100));
    ApplicationContainer clientApps = client.Install(net.nodes.Get(0));
    clientApps.Start(Seconds(1));
    clientApps.Stop(Seconds(20));

    uint32_t serverRx = 0;
    uint32_t clientRx = 0;
    uint32_t delivered = 0;
    serverApps.Get(0)->TraceConnectWithoutContext(
        "Rx",
        Callback<void, Ptr<const Packet>>(
            [&serverRx](Ptr<const Packet> p) { serverRx += p->GetSize() == 100 ? 1 : 0; }));
    clientApps.Get(0)->TraceConnectWithoutContext(
        "Rx",
        Callback<void, Ptr<const Packet>>(
            [&clientRx](Ptr<const Packet> p) { clientRx += p->GetSize() == 100 ? 1 : 0; }));
    net.nodes.Get(1)->GetObject<LinuxUdpL4Protocol>()->TraceConnectWithoutContext(
        "Deliver",
        Callback<void, Ipv4Address, uint16_t, Ipv4Address, uint16_t, uint32_t>(
            [&delivered](Ipv4Address, uint16_t, Ipv4Address, uint16_t dport, uint32_t) {
                delivered += dport == 9 ? 1 : 0;
            }));

    Simulator::Run();
    EXPECT_EQ(serverRx, packets) << "the echo server should receive every request";
    EXPECT_EQ(clientRx, packets) << "the echo client should receive every reply";
    EXPECT_EQ(delivered, packets) << "the port table should deliver every request to port 9";
    Simulator::Destroy();
    GlobalValue::Bind("ChecksumEnabled", BooleanValue(false));
}

TEST(LinuxUdp, EchoClientAndServerRoundTripOverLoopbackOnOneNode)
{
    Ptr<Node> node = LoneNode();
    UdpEchoServerHelper server(7);
    ApplicationContainer serverApps = server.Install(node);
    serverApps.Start(Seconds(0.5));
    UdpEchoClientHelper client(Ipv4Address("127.0.0.1"), 7);
    client.SetAttribute("MaxPackets", UintegerValue(3));
    client.SetAttribute("Interval", TimeValue(MilliSeconds(100)));
    ApplicationContainer clientApps = client.Install(node);
    clientApps.Start(Seconds(1));
    uint32_t clientRx = 0;
    clientApps.Get(0)->TraceConnectWithoutContext(
        "Rx",
        Callback<void, Ptr<const Packet>>([&clientRx](Ptr<const Packet>) { ++clientRx; }));
    Simulator::Stop(Seconds(10));
    Simulator::Run();
    EXPECT_EQ(clientRx, 3u) << "3 requests to 127.0.0.1:7 should come back as 3 replies";
    Simulator::Destroy();
}

TEST(LinuxUdp, ConnectedSocketGetsConnRefusedOnNextRecvAfterPortUnreachableOverPointToPoint)
{
    TwoNodes net;
    ExpectConnRefusedOnNextRecv(net.nodes.Get(0), net.interfaces.GetAddress(1), net.nodes.Get(1));
    Simulator::Destroy();
}

TEST(LinuxUdp, ConnectedSocketGetsConnRefusedOnNextRecvAfterPortUnreachableOverLoopback)
{
    Ptr<Node> node = LoneNode();
    ExpectConnRefusedOnNextRecv(node, Ipv4Address("127.0.0.1"), node);
    Simulator::Destroy();
}

TEST(LinuxUdp, PortUnreachableMakesTheNextSendFailOnceWithConnRefused)
{
    Ptr<Node> node = LoneNode();
    Ptr<LinuxUdpSocket> socket = UdpSocketOn(node);
    ASSERT_EQ(socket->Connect(InetSocketAddress(Ipv4Address("127.0.0.1"), 7777)), 0);
    std::vector<int> results;
    std::vector<Errno> errnos;
    auto send = [socket, &results, &errnos]() {
        results.push_back(socket->Send(Create<Packet>(10)));
        errnos.push_back(socket->GetLinuxErrno());
    };
    Simulator::Schedule(Seconds(1), send);
    Simulator::Schedule(Seconds(2), send);
    Simulator::Schedule(Seconds(3), send);
    Simulator::Run();
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0], 10) << "the first datagram is sent";
    EXPECT_EQ(results[1], -1) << "the send after the ICMP error fails";
    EXPECT_EQ(errnos[1], Errno::CONNREFUSED) << "with ECONNREFUSED";
    EXPECT_EQ(results[2], 10) << "the error is cleared once reported: the next send works";
    Simulator::Destroy();
}

TEST(LinuxUdp, UnconnectedSocketIsNotToldAboutPortUnreachable)
{
    Ptr<Node> node = LoneNode();
    Ptr<LinuxUdpSocket> socket = UdpSocketOn(node);
    bool woken = false;
    socket->SetRecvCallback(Callback<void, Ptr<Socket>>([&woken](Ptr<Socket>) { woken = true; }));
    Simulator::Schedule(Seconds(1), [socket]() {
        socket->SendTo(Create<Packet>(10), 0, InetSocketAddress(Ipv4Address("127.0.0.1"), 7777));
    });
    int second = 0;
    Simulator::Schedule(Seconds(2), [socket, &second]() {
        second = socket->SendTo(Create<Packet>(10),
                                0,
                                InetSocketAddress(Ipv4Address("127.0.0.1"), 7777));
    });
    Simulator::Run();
    EXPECT_FALSE(woken) << "Linux reports ICMP errors to connected UDP sockets only";
    EXPECT_EQ(second, 10) << "so a later sendto() is unaffected";
    Simulator::Destroy();
}

TEST(LinuxUdp, ReuseAddrSocketsOnOneAddressAllUnicastGoesToTheMostRecentlyBound)
{
    Counts c = SixtySendersToThreeSockets("ReuseAddr");
    EXPECT_EQ(c.perSocket, (std::vector<uint32_t>{0, 0, 60}))
        << "equally scored SO_REUSEADDR sockets: the chain head (last bound) gets every datagram";
    EXPECT_EQ(c.sourcePorts.size(), 60u) << "60 senders should autobind 60 distinct ports";
}

TEST(LinuxUdp, ReusePortGroupSpreadsDatagramsOverItsMembersByFourTupleHash)
{
    Counts c = SixtySendersToThreeSockets("ReusePort");
    uint32_t total = 0;
    for (size_t i = 0; i < c.perSocket.size(); ++i)
    {
        EXPECT_GE(c.perSocket[i], 10u) << "SO_REUSEPORT member " << i << " should get its share";
        EXPECT_LE(c.perSocket[i], 30u) << "SO_REUSEPORT member " << i << " should get its share";
        total += c.perSocket[i];
    }
    EXPECT_EQ(total, 60u) << "every datagram should reach one member";
}

TEST(LinuxUdp, TcpAndUdpCanBindTheSamePort)
{
    Ptr<Node> node = LoneNode();
    if (!node->GetObject<TcpSocketFactory>())
    {
        Simulator::Destroy();
        GTEST_SKIP() << "the stack has no TCP yet";
    }
    InetSocketAddress addr(Ipv4Address("127.0.0.1"), 9000);
    Ptr<Socket> tcp = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
    ASSERT_EQ(tcp->Bind(addr), 0) << "TCP should bind 127.0.0.1:9000";
    Ptr<LinuxUdpSocket> udp = UdpSocketOn(node);
    EXPECT_EQ(udp->Bind(addr), 0) << "UDP's port space is separate from TCP's (reference 7.3)";
    Ptr<LinuxUdpSocket> udp2 = UdpSocketOn(node);
    EXPECT_EQ(udp2->Bind(addr), -1) << "while UDP's own conflicts still apply";
    EXPECT_EQ(udp2->GetLinuxErrno(), Errno::ADDRINUSE);
    Ptr<Socket> tcp2 = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
    EXPECT_EQ(tcp2->Bind(addr), -1) << "and TCP's";
    EXPECT_EQ(tcp2->GetErrno(), Socket::ERROR_ADDRINUSE);
    Simulator::Destroy();
}

TEST(LinuxUdp, SecondBindToTheSameAddressAndPortFailsWithAddrInUse)
{
    Ptr<Node> node = LoneNode();
    Ptr<LinuxUdpSocket> a = UdpSocketOn(node);
    Ptr<LinuxUdpSocket> b = UdpSocketOn(node);
    std::vector<uint8_t> results;
    b->TraceConnectWithoutContext(
        "Bind",
        Callback<void, uint8_t, const Address&>(
            [&results](uint8_t r, const Address&) { results.push_back(r); }));
    InetSocketAddress addr(Ipv4Address("127.0.0.1"), 9000);
    ASSERT_EQ(a->Bind(addr), 0) << "the first bind should succeed";
    EXPECT_EQ(b->Bind(addr), -1) << "a second bind without SO_REUSEADDR should fail";
    EXPECT_EQ(b->GetLinuxErrno(), Errno::ADDRINUSE)
        << "with EADDRINUSE, got " << portlab::ErrnoName(b->GetLinuxErrno());
    EXPECT_EQ(b->GetErrno(), Socket::ERROR_ADDRINUSE) << "ns-3's errno should say so too";
    EXPECT_EQ(results, std::vector<uint8_t>{static_cast<uint8_t>(Errno::ADDRINUSE)})
        << "the Bind trace should report the failure";
    Ptr<LinuxUdpSocket> wildcard = UdpSocketOn(node);
    EXPECT_EQ(wildcard->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9000)), -1)
        << "the wildcard overlaps 127.0.0.1: EADDRINUSE as well";
    EXPECT_EQ(wildcard->GetLinuxErrno(), Errno::ADDRINUSE);
    Simulator::Destroy();
}

TEST(LinuxUdp, BindToAnAddressTheNodeDoesNotOwnFailsWithAddrNotAvail)
{
    TwoNodes net;
    Ptr<LinuxUdpSocket> s = UdpSocketOn(net.nodes.Get(0));
    EXPECT_EQ(s->Bind(InetSocketAddress(Ipv4Address("10.1.1.2"), 9000)), -1)
        << "10.1.1.2 belongs to the other node";
    EXPECT_EQ(s->GetLinuxErrno(), Errno::ADDRNOTAVAIL)
        << "expected EADDRNOTAVAIL, got " << portlab::ErrnoName(s->GetLinuxErrno());
    EXPECT_EQ(s->GetErrno(), Socket::ERROR_ADDRNOTAVAIL);
    EXPECT_EQ(s->Bind(InetSocketAddress(Ipv4Address("10.1.1.1"), 9000)), 0)
        << "the node's own interface address is local";
    Simulator::Destroy();
}

TEST(LinuxUdp, PortZeroBindPicksAnEphemeralPortInsideTheSocketsLocalPortRange)
{
    Ptr<Node> node = LoneNode();
    Ptr<LinuxUdpSocket> plain = UdpSocketOn(node);
    ASSERT_EQ(plain->Bind(), 0);
    Address name;
    plain->GetSockName(name);
    uint16_t port = InetSocketAddress::ConvertFrom(name).GetPort();
    EXPECT_GE(port, 32768) << "default net.ipv4.ip_local_port_range is 32768-60999";
    EXPECT_LE(port, 60999) << "default net.ipv4.ip_local_port_range is 32768-60999";

    Ptr<LinuxUdpSocket> ranged = UdpSocketOn(node);
    ranged->SetAttribute("LocalPortRange", StringValue("40000 40009"));
    ASSERT_EQ(ranged->Bind(), 0);
    ranged->GetSockName(name);
    port = InetSocketAddress::ConvertFrom(name).GetPort();
    EXPECT_GE(port, 40000) << "IP_LOCAL_PORT_RANGE 40000-40009 should bound the choice";
    EXPECT_LE(port, 40009) << "IP_LOCAL_PORT_RANGE 40000-40009 should bound the choice";

    Ptr<LinuxUdpSocket> bad = UdpSocketOn(node);
    EXPECT_FALSE(bad->SetAttributeFailSafe("LocalPortRange", StringValue("50000 40000")))
        << "LO > HI should be refused";
    EXPECT_EQ(bad->GetLinuxErrno(), Errno::INVAL) << "with EINVAL, as setsockopt() does";
    StringValue kept;
    bad->GetAttribute("LocalPortRange", kept);
    EXPECT_EQ(kept.Get(), "") << "a refused range leaves the old one";
    Simulator::Destroy();
}

TEST(LinuxUdp, SendtoFromAnUnboundSocketFailsWithEagainWhenNoEphemeralPortIsFree)
{
    LinuxStackHelper stack;
    stack.SetSysctl("net.ipv4.ip_local_port_range", "40000 40001");
    Ptr<Node> node = LoneNode(stack);
    Ptr<LinuxUdpSocket> a = UdpSocketOn(node);
    Ptr<LinuxUdpSocket> b = UdpSocketOn(node);
    ASSERT_EQ(a->Bind(), 0);
    ASSERT_EQ(b->Bind(), 0);
    Ptr<LinuxUdpSocket> c = UdpSocketOn(node);
    EXPECT_EQ(c->SendTo(Create<Packet>(1), 0, InetSocketAddress(Ipv4Address("127.0.0.1"), 9)), -1)
        << "both ephemeral ports are taken: the implicit bind fails";
    EXPECT_EQ(c->GetLinuxErrno(), Errno::AGAIN)
        << "autobind failure is EAGAIN, got " << portlab::ErrnoName(c->GetLinuxErrno());
    EXPECT_EQ(c->GetErrno(), Socket::ERROR_AGAIN);
    Simulator::Destroy();
}

TEST(LinuxUdp, SendToAnUnroutableDestinationFailsWithNoRouteToHost)
{
    TwoNodes net;
    Ptr<LinuxUdpSocket> s = UdpSocketOn(net.nodes.Get(0));
    EXPECT_EQ(s->SendTo(Create<Packet>(1), 0, InetSocketAddress(Ipv4Address("192.168.7.7"), 9)),
              -1);
    EXPECT_EQ(s->GetLinuxErrno(), Errno::NETUNREACH);
    EXPECT_EQ(s->GetErrno(), Socket::ERROR_NOROUTETOHOST);
    Simulator::Destroy();
}

TEST(LinuxUdp, SubnetBroadcastNeedsSoBroadcastAndReachesEveryMatchingSocket)
{
    TwoNodes net;
    Counts c;
    c.perSocket.assign(2, 0);
    for (size_t i = 0; i < 2; ++i)
    {
        Ptr<LinuxUdpSocket> r = UdpSocketOn(net.nodes.Get(1));
        r->SetAttribute("ReuseAddr", BooleanValue(true));
        ASSERT_EQ(r->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9000)), 0);
        CountReads(r, i, c);
    }
    uint32_t icmp = 0;
    CountIcmpSentBy(net.nodes.Get(1), &icmp);
    Ptr<LinuxUdpSocket> s = UdpSocketOn(net.nodes.Get(0));
    std::vector<int> sent;
    Errno refused = Errno::OK;
    Simulator::Schedule(Seconds(1), [s, &sent, &refused]() {
        InetSocketAddress bcast(Ipv4Address("10.1.1.255"), 9000);
        sent.push_back(s->SendTo(Create<Packet>(8), 0, bcast));
        refused = s->GetLinuxErrno();
        s->SetAllowBroadcast(true);
        sent.push_back(s->SendTo(Create<Packet>(8), 0, bcast));
        sent.push_back(
            s->SendTo(Create<Packet>(8), 0, InetSocketAddress(Ipv4Address("10.1.1.255"), 9001)));
    });
    Simulator::Run();
    EXPECT_EQ(sent, (std::vector<int>{-1, 8, 8}))
        << "broadcast needs SO_BROADCAST; with it, broadcasts to bound and unbound ports leave";
    EXPECT_EQ(refused, Errno::ACCES) << "broadcast without SO_BROADCAST is EACCES in Linux";
    EXPECT_EQ(c.perSocket, (std::vector<uint32_t>{1, 1}))
        << "every SO_REUSEADDR socket on the port gets its own copy of a broadcast";
    EXPECT_EQ(icmp, 0u) << "a broadcast with no socket is dropped silently, no ICMP";
    Simulator::Destroy();
}

TEST(LinuxUdp, SocketBoundToLoopbackDeviceDoesNotReceiveFromThePointToPointLink)
{
    TwoNodes net;
    Ptr<LinuxUdpSocket> lo = UdpSocketOn(net.nodes.Get(1));
    lo->SetAttribute("BoundDevice", UintegerValue(1));
    ASSERT_EQ(lo->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9000)), 0);
    Ptr<LinuxUdpSocket> eth = UdpSocketOn(net.nodes.Get(1));
    eth->SetAttribute("BoundDevice", UintegerValue(2));
    eth->SetAttribute("ReuseAddr", BooleanValue(false));
    ASSERT_EQ(eth->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9000)), 0)
        << "different SO_BINDTODEVICE devices do not conflict";
    Counts c;
    c.perSocket.assign(2, 0);
    CountReads(lo, 0, c);
    CountReads(eth, 1, c);
    Ptr<LinuxUdpSocket> s = UdpSocketOn(net.nodes.Get(0));
    Simulator::Schedule(Seconds(1), [s]() {
        s->SendTo(Create<Packet>(8), 0, InetSocketAddress(Ipv4Address("10.1.1.2"), 9000));
    });
    Simulator::Run();
    EXPECT_EQ(c.perSocket, (std::vector<uint32_t>{0, 1}))
        << "the datagram arrives on ifindex 2: only the socket bound to it receives";
    Simulator::Destroy();
}

TEST(LinuxUdp, ConnectFixesTheWildcardLocalAddressAndReceivesOnlyFromThePeer)
{
    TwoNodes net;
    Ptr<LinuxUdpSocket> s = UdpSocketOn(net.nodes.Get(0));
    ASSERT_EQ(s->Connect(InetSocketAddress(net.interfaces.GetAddress(1), 5000)), 0);
    Address name;
    s->GetSockName(name);
    EXPECT_EQ(InetSocketAddress::ConvertFrom(name).GetIpv4(), Ipv4Address("10.1.1.1"))
        << "connect() should fill in the source address routing chose";
    Address peer;
    ASSERT_EQ(s->GetPeerName(peer), 0);
    EXPECT_EQ(InetSocketAddress::ConvertFrom(peer).GetPort(), 5000);
    Counts c;
    c.perSocket.assign(1, 0);
    CountReads(s, 0, c);
    uint16_t localPort = InetSocketAddress::ConvertFrom(name).GetPort();
    Ptr<LinuxUdpSocket> fromPeer = UdpSocketOn(net.nodes.Get(1));
    ASSERT_EQ(fromPeer->Bind(InetSocketAddress(Ipv4Address::GetAny(), 5000)), 0);
    Ptr<LinuxUdpSocket> stranger = UdpSocketOn(net.nodes.Get(1));
    Simulator::Schedule(Seconds(1), [=]() {
        InetSocketAddress to(Ipv4Address("10.1.1.1"), localPort);
        fromPeer->SendTo(Create<Packet>(4), 0, to);
        stranger->SendTo(Create<Packet>(4), 0, to);
    });
    Simulator::Run();
    EXPECT_EQ(c.perSocket[0], 1u) << "only the peer's datagram matches the connected 4-tuple";
    Simulator::Destroy();
}

TEST(LinuxUdp, ListenIsNotSupportedAndClosedSocketsReportBadFileDescriptor)
{
    Ptr<Node> node = LoneNode();
    Ptr<LinuxUdpSocket> s = UdpSocketOn(node);
    EXPECT_EQ(s->Listen(), -1);
    EXPECT_EQ(s->GetErrno(), Socket::ERROR_OPNOTSUPP);
    EXPECT_EQ(s->GetLinuxErrno(), Errno::OPNOTSUPP);
    ASSERT_EQ(s->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9000)), 0);
    Ptr<LinuxUdpL4Protocol> udp = node->GetObject<LinuxUdpL4Protocol>();
    size_t open = udp->GetNSockets();
    EXPECT_EQ(s->Close(), 0);
    EXPECT_EQ(udp->GetNSockets(), open - 1) << "close() releases the socket";
    EXPECT_EQ(s->Close(), -1);
    EXPECT_EQ(s->GetErrno(), Socket::ERROR_BADF);
    Ptr<LinuxUdpSocket> again = UdpSocketOn(node);
    EXPECT_EQ(again->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9000)), 0)
        << "a closed socket's port is free at once (UDP has no TIME_WAIT)";
    Simulator::Destroy();
}

TEST(LinuxUdp, EveryCallOnAClosedSocketFailsWithLinuxsEbadf)
{
    // Linux: a closed descriptor is EBADF (tests/data/kernel-checks/closed-and-odd-addresses.out).
    Ptr<Node> node = LoneNode();
    Ptr<LinuxUdpSocket> s = UdpSocketOn(node);
    ASSERT_EQ(s->Close(), 0);
    const InetSocketAddress lo(Ipv4Address("127.0.0.1"), 9000);
    EXPECT_EQ(s->Bind(lo), -1);
    EXPECT_EQ(s->GetLinuxErrno(), Errno::BADF) << "bind after close() should be EBADF";
    EXPECT_EQ(s->Connect(lo), -1);
    EXPECT_EQ(s->Send(Create<Packet>(1), 0), -1);
    EXPECT_EQ(s->SendTo(Create<Packet>(1), 0, lo), -1);
    EXPECT_EQ(s->Recv(), nullptr);
    Address a;
    EXPECT_EQ(s->GetSockName(a), -1) << "getsockname after close() should fail";
    EXPECT_EQ(s->Close(), -1);
    EXPECT_EQ(s->GetLinuxErrno(), Errno::BADF) << "every call after close() should be EBADF";
    EXPECT_EQ(s->GetErrno(), Socket::ERROR_BADF);
    Simulator::Destroy();
}

TEST(LinuxUdp, ConnectOrSendToMulticastIsEnetunreachAndToBroadcastEaccesInsteadOfCrashing)
{
    // Linux 6.18 on a host with one /24 and no default route (closed-and-odd-addresses.out):
    // multicast and 255.255.255.255 have no route (ENETUNREACH), the subnet broadcast needs
    // SO_BROADCAST (EACCES), 0.0.0.0 is this host, send() after a failed connect() is
    // EDESTADDRREQ; bind() to multicast or broadcast is allowed.
    TwoNodes net;
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    Ptr<Node> n = net.nodes.Get(0);
    for (const char* dst : {"224.0.0.1", "239.1.2.3", "255.255.255.255", "240.0.0.1"})
    {
        Ptr<LinuxUdpSocket> s = UdpSocketOn(n);
        EXPECT_EQ(s->Connect(InetSocketAddress(Ipv4Address(dst), 7001)), -1)
            << "connect to " << dst << " should fail";
        EXPECT_EQ(s->GetLinuxErrno(), Errno::NETUNREACH)
            << "connect to " << dst << " should be ENETUNREACH";
        EXPECT_EQ(s->Send(Create<Packet>(1), 0), -1);
        EXPECT_EQ(s->GetLinuxErrno(), Errno::DESTADDRREQ)
            << "send after a failed connect should be EDESTADDRREQ";
        EXPECT_EQ(s->SendTo(Create<Packet>(1), 0, InetSocketAddress(Ipv4Address(dst), 7001)), -1);
        EXPECT_EQ(s->GetLinuxErrno(), Errno::NETUNREACH)
            << "sendto " << dst << " should be ENETUNREACH";
    }
    Ptr<LinuxUdpSocket> b = UdpSocketOn(n);
    EXPECT_EQ(b->Connect(InetSocketAddress(Ipv4Address("10.1.1.255"), 7001)), -1);
    EXPECT_EQ(b->GetLinuxErrno(), Errno::ACCES) << "the subnet broadcast needs SO_BROADCAST";
    Ptr<LinuxUdpSocket> any = UdpSocketOn(n);
    EXPECT_EQ(any->Connect(InetSocketAddress(Ipv4Address::GetAny(), 7001)), 0)
        << "connect to 0.0.0.0 should be allowed: it means this host";
    Address peer;
    ASSERT_EQ(any->GetPeerName(peer), 0);
    EXPECT_EQ(InetSocketAddress::ConvertFrom(peer).GetIpv4(), Ipv4Address("127.0.0.1"));
    for (const char* a : {"224.0.0.1", "255.255.255.255", "10.1.1.255"})
    {
        EXPECT_EQ(UdpSocketOn(n)->Bind(InetSocketAddress(Ipv4Address(a), 7000)), 0)
            << "bind to " << a << " should succeed as on Linux";
    }
    Simulator::Destroy();
}
