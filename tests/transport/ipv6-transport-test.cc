/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The transport over ns-3's IPv6 (LinuxStackHelper::SetIpv6): two dual-stack nodes on one
// point-to-point link, 10.1.1.1/2001:db8::1 and 10.1.1.2/2001:db8::2 (addresses are usable
// after ns-3's 1 s duplicate address detection, so traffic starts at 2 s).

#include "golden-compare.h"
#include "ports/port-types.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"
#include "transport/linux-tcp-header.h"
#include "transport/linux-tcp-l4-protocol.h"
#include "transport/linux-tcp-socket.h"
#include "transport/linux-udp-l4-protocol.h"
#include "transport/linux-udp-socket.h"
#include "udp-delivery-cases.h"

#include "ns3/applications-module.h"
#include "ns3/boolean.h"
#include "ns3/core-module.h"
#include "ns3/inet-socket-address.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

using namespace ns3;
using portlab::Errno;

namespace
{

/// Two nodes on one link with both families and the Linux stack.
struct DualStackPair
{
    NodeContainer nodes;
    Ipv4InterfaceContainer v4;
    Ipv6InterfaceContainer v6;

    explicit DualStackPair(LinuxStackHelper stack = LinuxStackHelper())
    {
        nodes.Create(2);
        PointToPointHelper p2p;
        p2p.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
        p2p.SetChannelAttribute("Delay", StringValue("1ms"));
        NetDeviceContainer devices = p2p.Install(nodes);
        stack.SetIpv6(true);
        stack.Install(nodes);
        Ipv4AddressHelper a4;
        a4.SetBase("10.1.1.0", "255.255.255.0");
        v4 = a4.Assign(devices);
        Ipv6AddressHelper a6;
        a6.SetBase(Ipv6Address("2001:db8::"), Ipv6Prefix(64));
        v6 = a6.Assign(devices);
    }

    ~DualStackPair()
    {
        Simulator::Destroy();
    }

    Ipv6Address Addr6(uint32_t i) const
    {
        return v6.GetAddress(i, 1); // 0 is the link-local address
    }
};

Ptr<LinuxUdpSocket>
UdpOn(Ptr<Node> node)
{
    Ptr<LinuxUdpSocket> s =
        DynamicCast<LinuxUdpSocket>(Socket::CreateSocket(node, UdpSocketFactory::GetTypeId()));
    EXPECT_TRUE(s) << "the node's UdpSocketFactory should create LinuxUdpSocket objects";
    return s;
}

/// What one receiving socket got: the senders' addresses, as RecvFrom gave them.
struct Inbox
{
    std::vector<Address> from;
};

void
Collect(Ptr<LinuxUdpSocket> s, Inbox* box)
{
    s->SetRecvCallback(Callback<void, Ptr<Socket>>([box](Ptr<Socket> sock) {
        Address from;
        while (sock->RecvFrom(from))
        {
            box->from.push_back(from);
        }
    }));
}

void
SendAt(double t, Ptr<LinuxUdpSocket> s, Address to)
{
    Simulator::Schedule(Seconds(t), [s, to]() { s->SendTo(Create<Packet>(20), 0, to); });
}

} // namespace

TEST(Ipv6Transport, StockUdpEchoOverIpv6EchoesEveryPacketWhenBindv6onlyLetsBothBindsSucceed)
{
    // UdpEchoServer binds 0.0.0.0:9 and then [::]:9; Linux refuses the second with the
    // default net.ipv6.bindv6only=0 ([::] overlaps 0.0.0.0), so the server host sets it to 1,
    // as a Linux host running this program would have to.
    LinuxStackHelper serverStack;
    serverStack.SetSysctl("net.ipv6.bindv6only", "1");
    NodeContainer nodes;
    nodes.Create(2);
    PointToPointHelper p2p;
    NetDeviceContainer devices = p2p.Install(nodes);
    LinuxStackHelper clientStack;
    clientStack.SetIpv6(true);
    serverStack.SetIpv6(true);
    clientStack.Install(nodes.Get(0));
    serverStack.Install(nodes.Get(1));
    Ipv6AddressHelper a6;
    a6.SetBase(Ipv6Address("2001:db8::"), Ipv6Prefix(64));
    Ipv6InterfaceContainer v6 = a6.Assign(devices);

    UdpEchoServerHelper server(9);
    ApplicationContainer s = server.Install(nodes.Get(1));
    s.Start(Seconds(1));
    UdpEchoClientHelper client(v6.GetAddress(1, 1), 9);
    client.SetAttribute("MaxPackets", UintegerValue(3));
    client.SetAttribute("Interval", TimeValue(MilliSeconds(100)));
    ApplicationContainer c = client.Install(nodes.Get(0));
    c.Start(Seconds(2));
    uint32_t echoed = 0;
    c.Get(0)->TraceConnectWithoutContext(
        "RxWithAddresses",
        Callback<void, Ptr<const Packet>, const Address&, const Address&>(
            [&echoed](Ptr<const Packet>, const Address& from, const Address&) {
                EXPECT_TRUE(Inet6SocketAddress::IsMatchingType(from))
                    << "the echo should come back over IPv6";
                ++echoed;
            }));
    Simulator::Stop(Seconds(4));
    Simulator::Run();
    EXPECT_EQ(echoed, 3u) << "UdpEchoClient should get its 3 packets back over IPv6";
    Simulator::Destroy();
}

TEST(Ipv6Transport, DualStackWildcardAfterIpv4WildcardIsAddressInUseByDefault)
{
    DualStackPair net;
    Ptr<LinuxUdpSocket> v4 = UdpOn(net.nodes.Get(1));
    Ptr<LinuxUdpSocket> v6 = UdpOn(net.nodes.Get(1));
    ASSERT_EQ(v4->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9)), 0);
    EXPECT_EQ(v6->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 9)), -1)
        << "[::]:9 should collide with 0.0.0.0:9 when IPV6_V6ONLY is off";
    EXPECT_EQ(v6->GetLinuxErrno(), Errno::ADDRINUSE);
    EXPECT_TRUE(v6->IsInet6()) << "an Inet6SocketAddress should make the socket AF_INET6";
    EXPECT_EQ(v6->SetIpv6Only(true), 0)
        << "IPV6_V6ONLY should still be settable after a bind that failed (inet_num is 0)";
    EXPECT_EQ(v6->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 9)), 0)
        << "[::]:9 v6only should bind next to 0.0.0.0:9";
}

TEST(Ipv6Transport, Ipv6OnlyFollowsLinuxErrnoRules)
{
    DualStackPair net;
    Ptr<LinuxUdpSocket> inet = UdpOn(net.nodes.Get(0));
    EXPECT_EQ(inet->SetIpv6Only(true), -1);
    EXPECT_EQ(inet->GetLinuxErrno(), Errno::NOPROTOOPT)
        << "IPV6_V6ONLY on an AF_INET socket should be ENOPROTOOPT";
    EXPECT_FALSE(inet->SetAttributeFailSafe("Ipv6Only", BooleanValue(true)))
        << "the Ipv6Only attribute should refuse an AF_INET socket";

    Ptr<LinuxUdpSocket> s = UdpOn(net.nodes.Get(0));
    ASSERT_EQ(s->OpenInet6(), 0);
    EXPECT_FALSE(s->GetIpv6Only()) << "the default should be net.ipv6.bindv6only (0)";
    EXPECT_TRUE(s->SetAttributeFailSafe("Ipv6Only", BooleanValue(true)));
    EXPECT_TRUE(s->GetIpv6Only());
    ASSERT_EQ(s->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 4000)), 0);
    EXPECT_EQ(s->SetIpv6Only(true), -1);
    EXPECT_EQ(s->GetLinuxErrno(), Errno::INVAL)
        << "IPV6_V6ONLY after bind should be EINVAL even with the value unchanged";

    Ptr<LinuxUdpSocket> native = UdpOn(net.nodes.Get(0));
    ASSERT_EQ(native->Bind(Inet6SocketAddress(net.Addr6(0), 4001)), 0);
    EXPECT_TRUE(native->GetIpv6Only()) << "binding a native IPv6 address should force V6ONLY";

    Ptr<LinuxUdpSocket> connected = UdpOn(net.nodes.Get(0));
    ASSERT_EQ(connected->Connect(Inet6SocketAddress(net.Addr6(1), 4002)), 0);
    EXPECT_EQ(connected->SetIpv6Only(false), -1);
    EXPECT_EQ(connected->GetLinuxErrno(), Errno::INVAL)
        << "IPV6_V6ONLY after connect (autobind) should be EINVAL";
}

TEST(Ipv6Transport, DualStackSocketReceivesIpv4AsMappedAndV6OnlyNeverDoes)
{
    DualStackPair net;
    Ptr<LinuxUdpSocket> dual = UdpOn(net.nodes.Get(1));
    ASSERT_EQ(dual->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 9000)), 0);
    Ptr<LinuxUdpSocket> only = UdpOn(net.nodes.Get(1));
    ASSERT_EQ(only->OpenInet6(), 0);
    ASSERT_EQ(only->SetIpv6Only(true), 0);
    ASSERT_EQ(only->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 9001)), 0);
    Inbox dualBox;
    Inbox onlyBox;
    Collect(dual, &dualBox);
    Collect(only, &onlyBox);
    uint32_t noPort = 0;
    net.nodes.Get(1)->GetObject<LinuxUdpL4Protocol>()->TraceConnectWithoutContext(
        "NoPort",
        Callback<void, Ipv4Address, uint16_t, Ipv4Address, uint16_t>(
            [&noPort](Ipv4Address, uint16_t, Ipv4Address, uint16_t) { ++noPort; }));

    Ptr<LinuxUdpSocket> c4 = UdpOn(net.nodes.Get(0));
    Ptr<LinuxUdpSocket> c6 = UdpOn(net.nodes.Get(0));
    SendAt(2, c4, InetSocketAddress(net.v4.GetAddress(1), 9000));
    SendAt(2, c4, InetSocketAddress(net.v4.GetAddress(1), 9001));
    SendAt(2, c6, Inet6SocketAddress(net.Addr6(1), 9001));
    Simulator::Stop(Seconds(3));
    Simulator::Run();

    ASSERT_EQ(dualBox.from.size(), 1u) << "[::]:9000 should receive the IPv4 datagram";
    ASSERT_TRUE(Inet6SocketAddress::IsMatchingType(dualBox.from[0]))
        << "an AF_INET6 socket should see its IPv4 sender as an Inet6SocketAddress";
    Address c4Name;
    c4->GetSockName(c4Name);
    Inet6SocketAddress sender = Inet6SocketAddress::ConvertFrom(dualBox.from[0]);
    EXPECT_EQ(sender.GetIpv6(), Ipv6Address::MakeIpv4MappedAddress(net.v4.GetAddress(0)))
        << "the IPv4 sender should show as ::ffff:10.1.1.1";
    EXPECT_EQ(sender.GetPort(), InetSocketAddress::ConvertFrom(c4Name).GetPort());
    ASSERT_EQ(onlyBox.from.size(), 1u)
        << "[::]:9001 v6only should get the IPv6 datagram and never the IPv4 one";
    EXPECT_EQ(Inet6SocketAddress::ConvertFrom(onlyBox.from[0]).GetIpv6(), net.Addr6(0));
    EXPECT_EQ(noPort, 1u) << "the IPv4 datagram to the v6only port should find no socket";
}

TEST(Ipv6Transport, AfInetBeatsAfInet6BetweenWildcardsForIpv4WhateverTheBindOrder)
{
    for (bool v4First : {true, false})
    {
        DualStackPair net;
        Ptr<LinuxUdpSocket> w4 = UdpOn(net.nodes.Get(1));
        Ptr<LinuxUdpSocket> w6 = UdpOn(net.nodes.Get(1));
        w4->SetAttribute("ReuseAddr", BooleanValue(true));
        w6->SetAttribute("ReuseAddr", BooleanValue(true));
        auto bind4 = [&]() { return w4->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9000)); };
        auto bind6 = [&]() { return w6->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 9000)); };
        ASSERT_EQ(v4First ? bind4() : bind6(), 0);
        ASSERT_EQ(v4First ? bind6() : bind4(), 0) << "both set SO_REUSEADDR: both should bind";
        Inbox box4;
        Inbox box6;
        Collect(w4, &box4);
        Collect(w6, &box6);
        Ptr<LinuxUdpSocket> c = UdpOn(net.nodes.Get(0));
        Ptr<LinuxUdpSocket> c6 = UdpOn(net.nodes.Get(0));
        for (int k = 0; k < 5; ++k)
        {
            SendAt(2 + 0.01 * k, c, InetSocketAddress(net.v4.GetAddress(1), 9000));
            SendAt(2 + 0.01 * k, c6, Inet6SocketAddress(net.Addr6(1), 9000));
        }
        Simulator::Stop(Seconds(3));
        Simulator::Run();
        EXPECT_EQ(box4.from.size(), 5u)
            << "every IPv4 datagram should go to 0.0.0.0 (AF_INET scores higher), bound "
            << (v4First ? "first" : "second");
        ASSERT_EQ(box6.from.size(), 5u) << "every IPv6 datagram should go to [::]";
        for (const Address& a : box6.from)
        {
            EXPECT_EQ(Inet6SocketAddress::ConvertFrom(a).GetIpv6(), net.Addr6(0));
        }
    }
}

TEST(Ipv6Transport, ConnectedUdpSocketGetsConnRefusedFromIcmpv6PortUnreachable)
{
    DualStackPair net;
    Ptr<LinuxUdpSocket> s = UdpOn(net.nodes.Get(0));
    ASSERT_EQ(s->Connect(Inet6SocketAddress(net.Addr6(1), 7777)), 0);
    Address peer;
    ASSERT_EQ(s->GetPeerName(peer), 0);
    EXPECT_EQ(Inet6SocketAddress::ConvertFrom(peer).GetIpv6(), net.Addr6(1));
    Address local;
    s->GetSockName(local);
    EXPECT_EQ(Inet6SocketAddress::ConvertFrom(local).GetIpv6(), net.Addr6(0))
        << "connect() should fix the source address routing chose";
    Errno seen = Errno::OK;
    bool woken = false;
    s->SetRecvCallback(Callback<void, Ptr<Socket>>([&](Ptr<Socket> sock) {
        if (woken)
        {
            return;
        }
        woken = true;
        EXPECT_EQ(sock->Recv(), nullptr) << "the error should come before any data";
        seen = DynamicCast<LinuxUdpSocket>(sock)->GetLinuxErrno();
    }));
    Simulator::Schedule(Seconds(2), [s]() { s->Send(Create<Packet>(10)); });
    Simulator::Stop(Seconds(3));
    Simulator::Run();
    EXPECT_TRUE(woken) << "the ICMPv6 port unreachable should wake the connected socket";
    EXPECT_EQ(seen, Errno::CONNREFUSED) << "ICMPv6 port unreachable should be ECONNREFUSED";
}

TEST(Ipv6Transport, DualStackSocketConnectingToMappedPeerGoesOverIpv4)
{
    DualStackPair net;
    Ptr<LinuxUdpSocket> server = UdpOn(net.nodes.Get(1));
    ASSERT_EQ(server->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9000)), 0);
    Inbox box;
    Collect(server, &box);
    Ptr<LinuxUdpSocket> c = UdpOn(net.nodes.Get(0));
    const Ipv6Address mapped = Ipv6Address::MakeIpv4MappedAddress(net.v4.GetAddress(1));
    ASSERT_EQ(c->Connect(Inet6SocketAddress(mapped, 9000)), 0);
    Address name;
    Address peer;
    c->GetSockName(name);
    c->GetPeerName(peer);
    EXPECT_EQ(Inet6SocketAddress::ConvertFrom(name).GetIpv6(),
              Ipv6Address::MakeIpv4MappedAddress(net.v4.GetAddress(0)))
        << "getsockname() should show the IPv4 source as ::ffff:10.1.1.1";
    EXPECT_EQ(Inet6SocketAddress::ConvertFrom(peer).GetIpv6(), mapped);
    Simulator::Schedule(Seconds(2), [c]() { c->Send(Create<Packet>(10)); });
    Simulator::Stop(Seconds(3));
    Simulator::Run();
    ASSERT_EQ(box.from.size(), 1u) << "the AF_INET server should get the datagram over IPv4";
    ASSERT_TRUE(InetSocketAddress::IsMatchingType(box.from[0]));
    EXPECT_EQ(InetSocketAddress::ConvertFrom(box.from[0]).GetIpv4(), net.v4.GetAddress(0))
        << "the server should see a plain IPv4 peer";

    Ptr<LinuxUdpSocket> only = UdpOn(net.nodes.Get(0));
    ASSERT_EQ(only->OpenInet6(), 0);
    ASSERT_EQ(only->SetIpv6Only(true), 0);
    EXPECT_EQ(only->Connect(Inet6SocketAddress(mapped, 9000)), -1);
    EXPECT_EQ(only->GetLinuxErrno(), Errno::NETUNREACH)
        << "a v6-only socket connecting to a v4-mapped peer should get ENETUNREACH";
}

TEST(Ipv6Transport, TcpSegmentOverIpv6ForNoSocketIsAnsweredWithReset)
{
    DualStackPair net;
    Ptr<Ipv6L3Protocol> client = net.nodes.Get(0)->GetObject<Ipv6L3Protocol>();
    std::vector<LinuxTcpHeader> got;
    net.nodes.Get(1)->GetObject<Ipv6L3Protocol>()->TraceConnectWithoutContext(
        "Tx",
        Callback<void, Ptr<const Packet>, Ptr<Ipv6>, uint32_t>(
            [&got](Ptr<const Packet> p, Ptr<Ipv6>, uint32_t) {
                Ptr<Packet> copy = p->Copy();
                Ipv6Header ip;
                copy->RemoveHeader(ip);
                if (ip.GetNextHeader() == LinuxTcpL4Protocol::PROT_NUMBER)
                {
                    LinuxTcpHeader h;
                    copy->RemoveHeader(h);
                    got.push_back(h);
                }
            }));
    const Ipv6Address src = net.Addr6(0);
    const Ipv6Address dst = net.Addr6(1);
    Simulator::Schedule(Seconds(2), [client, src, dst]() {
        LinuxTcpHeader syn;
        syn.SetSourcePort(40000);
        syn.SetDestinationPort(80);
        syn.SetSequenceNumber(SequenceNumber32(1000));
        syn.SetFlags(TcpHeader::SYN);
        Ptr<Packet> p = Create<Packet>();
        p->AddHeader(syn);
        client->Send(p, src, dst, LinuxTcpL4Protocol::PROT_NUMBER, nullptr);
    });
    Simulator::Stop(Seconds(3));
    Simulator::Run();
    ASSERT_EQ(got.size(), 1u) << "the server should answer the SYN for a closed port once";
    EXPECT_EQ(got[0].GetFlags(), TcpHeader::RST | TcpHeader::ACK)
        << "a SYN without ACK should be answered by RST|ACK";
    EXPECT_EQ(got[0].GetAckNumber(), SequenceNumber32(1001));
    EXPECT_EQ(got[0].GetSourcePort(), 80);
    EXPECT_EQ(got[0].GetDestinationPort(), 40000);
}

namespace
{

Ptr<LinuxTcpSocket>
TcpOn(Ptr<Node> node)
{
    Ptr<LinuxTcpSocket> s =
        DynamicCast<LinuxTcpSocket>(Socket::CreateSocket(node, TcpSocketFactory::GetTypeId()));
    EXPECT_TRUE(s) << "the node's TcpSocketFactory should create LinuxTcpSocket objects";
    return s;
}

/// What a listener accepted: the peers and the accepted sockets.
struct Accepted
{
    std::vector<Address> peers;
    std::vector<Ptr<Socket>> sockets;
};

void
AcceptInto(Ptr<LinuxTcpSocket> listener, Accepted* a)
{
    listener->SetAcceptCallback(
        MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
        Callback<void, Ptr<Socket>, const Address&>([a](Ptr<Socket> s, const Address& from) {
            a->peers.push_back(from);
            a->sockets.push_back(s);
        }));
}

/// Outcome of a client's connect(): established, or the errno it failed with.
struct Outcome
{
    bool connected{false};
    bool failed{false};
    Errno error{Errno::OK};
};

void
ConnectAt(double t, Ptr<LinuxTcpSocket> c, Address to, Outcome* o)
{
    c->SetConnectCallback(Callback<void, Ptr<Socket>>([o](Ptr<Socket>) { o->connected = true; }),
                          Callback<void, Ptr<Socket>>([o](Ptr<Socket> s) {
                              o->failed = true;
                              o->error = DynamicCast<LinuxTcpSocket>(s)->GetLinuxErrno();
                          }));
    Simulator::Schedule(Seconds(t), [c, to]() { c->Connect(to); });
}

} // namespace

TEST(Ipv6Transport, StockBulkSendDeliversOneMegabyteToPacketSinkOverIpv6)
{
    DualStackPair net;
    PacketSinkHelper sink("ns3::TcpSocketFactory", Inet6SocketAddress(Ipv6Address::GetAny(), 9));
    ApplicationContainer s = sink.Install(net.nodes.Get(1));
    s.Start(Seconds(1));
    BulkSendHelper bulk("ns3::TcpSocketFactory", Inet6SocketAddress(net.Addr6(1), 9));
    bulk.SetAttribute("MaxBytes", UintegerValue(1000000));
    ApplicationContainer c = bulk.Install(net.nodes.Get(0));
    c.Start(Seconds(2));
    std::vector<Address> froms;
    s.Get(0)->TraceConnectWithoutContext("Rx",
                                         Callback<void, Ptr<const Packet>, const Address&>(
                                             [&froms](Ptr<const Packet>, const Address& from) {
                                                 if (froms.empty())
                                                 {
                                                     froms.push_back(from);
                                                 }
                                             }));
    Simulator::Stop(Seconds(20));
    Simulator::Run();
    EXPECT_EQ(DynamicCast<PacketSink>(s.Get(0))->GetTotalRx(), 1000000u)
        << "PacketSink should receive BulkSend's 1 MB over IPv6";
    ASSERT_FALSE(froms.empty());
    ASSERT_TRUE(Inet6SocketAddress::IsMatchingType(froms[0]));
    EXPECT_EQ(Inet6SocketAddress::ConvertFrom(froms[0]).GetIpv6(), net.Addr6(0))
        << "the sink should see the client's IPv6 address";
}

TEST(Ipv6Transport, DualStackListenerAcceptsIpv4ClientAsMappedPeer)
{
    DualStackPair net;
    Ptr<LinuxTcpSocket> l = TcpOn(net.nodes.Get(1));
    ASSERT_EQ(l->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 80)), 0);
    ASSERT_EQ(l->Listen(), 0);
    Accepted a;
    AcceptInto(l, &a);
    Ptr<LinuxTcpSocket> c = TcpOn(net.nodes.Get(0));
    Outcome o;
    ConnectAt(2, c, InetSocketAddress(net.v4.GetAddress(1), 80), &o);
    Simulator::Stop(Seconds(3));
    Simulator::Run();
    ASSERT_TRUE(o.connected) << "an IPv4 client should reach the dual-stack [::]:80 listener";
    ASSERT_EQ(a.peers.size(), 1u);
    Address clientName;
    c->GetSockName(clientName);
    ASSERT_TRUE(InetSocketAddress::IsMatchingType(clientName));
    ASSERT_TRUE(Inet6SocketAddress::IsMatchingType(a.peers[0]))
        << "accept() on an AF_INET6 listener should give an Inet6SocketAddress";
    EXPECT_EQ(Inet6SocketAddress::ConvertFrom(a.peers[0]).GetIpv6(),
              Ipv6Address::MakeIpv4MappedAddress(net.v4.GetAddress(0)))
        << "the IPv4 client should show as ::ffff:10.1.1.1";
    EXPECT_EQ(Inet6SocketAddress::ConvertFrom(a.peers[0]).GetPort(),
              InetSocketAddress::ConvertFrom(clientName).GetPort());
    Address childName;
    a.sockets[0]->GetSockName(childName);
    EXPECT_EQ(Inet6SocketAddress::ConvertFrom(childName).GetIpv6(),
              Ipv6Address::MakeIpv4MappedAddress(net.v4.GetAddress(1)))
        << "the accepted socket's own address should be ::ffff:10.1.1.2";
    Address clientPeer;
    c->GetPeerName(clientPeer);
    EXPECT_EQ(InetSocketAddress::ConvertFrom(clientPeer).GetIpv4(), net.v4.GetAddress(1))
        << "the client should see a plain IPv4 server";
}

TEST(Ipv6Transport, V6OnlyListenerRefusesIpv4AndAcceptsIpv6)
{
    DualStackPair net;
    Ptr<LinuxTcpSocket> l = TcpOn(net.nodes.Get(1));
    ASSERT_EQ(l->OpenInet6(), 0);
    ASSERT_TRUE(l->SetAttributeFailSafe("Ipv6Only", BooleanValue(true)));
    ASSERT_EQ(l->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 80)), 0);
    ASSERT_EQ(l->Listen(), 0);
    Accepted a;
    AcceptInto(l, &a);
    Ptr<LinuxTcpSocket> c4 = TcpOn(net.nodes.Get(0));
    Ptr<LinuxTcpSocket> c6 = TcpOn(net.nodes.Get(0));
    Outcome o4;
    Outcome o6;
    ConnectAt(2, c4, InetSocketAddress(net.v4.GetAddress(1), 80), &o4);
    ConnectAt(2, c6, Inet6SocketAddress(net.Addr6(1), 80), &o6);
    Simulator::Stop(Seconds(3));
    Simulator::Run();
    EXPECT_TRUE(o4.failed && !o4.connected) << "a v6-only listener should never see IPv4";
    EXPECT_EQ(o4.error, Errno::CONNREFUSED) << "the IPv4 client should get ECONNREFUSED";
    EXPECT_TRUE(o6.connected) << "the IPv6 client should be accepted";
    ASSERT_EQ(a.peers.size(), 1u);
    EXPECT_EQ(Inet6SocketAddress::ConvertFrom(a.peers[0]).GetIpv6(), net.Addr6(0));
    EXPECT_TRUE(DynamicCast<LinuxTcpSocket>(a.sockets[0])->GetIpv6Only())
        << "the accepted socket should inherit IPV6_V6ONLY from its listener";
}

TEST(Ipv6Transport, AfInetListenerBeatsAfInet6ForIpv4WhateverTheBindOrder)
{
    for (bool v4First : {true, false})
    {
        DualStackPair net;
        Ptr<LinuxTcpSocket> l4 = TcpOn(net.nodes.Get(1));
        Ptr<LinuxTcpSocket> l6 = TcpOn(net.nodes.Get(1));
        l4->SetAttribute("ReusePort", BooleanValue(true));
        l6->SetAttribute("ReusePort", BooleanValue(true));
        auto up4 = [&]() {
            return l4->Bind(InetSocketAddress(Ipv4Address::GetAny(), 80)) == 0 && l4->Listen() == 0;
        };
        auto up6 = [&]() {
            return l6->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 80)) == 0 &&
                   l6->Listen() == 0;
        };
        ASSERT_TRUE(v4First ? up4() : up6());
        ASSERT_TRUE(v4First ? up6() : up4()) << "SO_REUSEPORT on both: both should listen";
        Accepted a4;
        Accepted a6;
        AcceptInto(l4, &a4);
        AcceptInto(l6, &a6);
        std::vector<Ptr<LinuxTcpSocket>> clients;
        std::vector<Outcome> outcomes(10);
        for (int k = 0; k < 10; ++k)
        {
            clients.push_back(TcpOn(net.nodes.Get(0)));
            Address to = k % 2 == 0 ? Address(InetSocketAddress(net.v4.GetAddress(1), 80))
                                    : Address(Inet6SocketAddress(net.Addr6(1), 80));
            ConnectAt(2 + 0.01 * k, clients.back(), to, &outcomes[k]);
        }
        Simulator::Stop(Seconds(3));
        Simulator::Run();
        EXPECT_EQ(a4.peers.size(), 5u) << "every IPv4 client should reach 0.0.0.0:80, bound "
                                       << (v4First ? "first" : "second");
        EXPECT_EQ(a6.peers.size(), 5u) << "every IPv6 client should reach [::]:80";
        for (const Address& p : a6.peers)
        {
            EXPECT_EQ(Inet6SocketAddress::ConvertFrom(p).GetIpv6(), net.Addr6(0))
                << "only native IPv6 peers should reach [::]:80";
        }
    }
}

TEST(Ipv6Transport, Ipv6TimeWaitOfDualStackServerBlocksIpv4WildcardRestartOnly)
{
    DualStackPair net;
    Ptr<LinuxTcpSocket> l = TcpOn(net.nodes.Get(1));
    ASSERT_EQ(l->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 8888)), 0);
    ASSERT_EQ(l->Listen(), 0);
    Accepted a;
    AcceptInto(l, &a);
    Ptr<LinuxTcpSocket> c = TcpOn(net.nodes.Get(0));
    Outcome o;
    ConnectAt(2, c, Inet6SocketAddress(net.Addr6(1), 8888), &o);
    // The server closes first (its side enters TIME_WAIT), the client answers, the listener
    // goes.
    Simulator::Schedule(Seconds(2.5), [&a]() {
        ASSERT_EQ(a.sockets.size(), 1u);
        a.sockets[0]->Close();
    });
    Simulator::Schedule(Seconds(2.6), [c]() { c->Close(); });
    Simulator::Schedule(Seconds(2.7), [l]() { l->Close(); });
    std::vector<std::pair<std::string, int>> binds;
    Ptr<Node> server = net.nodes.Get(1);
    Simulator::Schedule(Seconds(3), [&binds, server, &net]() {
        auto tryBind = [&](const std::string& what, const Address& addr) {
            Ptr<LinuxTcpSocket> s = TcpOn(server);
            binds.emplace_back(what, s->Bind(addr) == 0 ? 0 : static_cast<int>(s->GetLinuxErrno()));
            s->Close();
        };
        tryBind("0.0.0.0", InetSocketAddress(Ipv4Address::GetAny(), 8888));
        tryBind("10.1.1.2", InetSocketAddress(net.v4.GetAddress(1), 8888));
        tryBind("[::]", Inet6SocketAddress(Ipv6Address::GetAny(), 8888));
        tryBind(
            "[::ffff:0.0.0.0]",
            Inet6SocketAddress(Ipv6Address::MakeIpv4MappedAddress(Ipv4Address::GetAny()), 8888));
    });
    Simulator::Stop(Seconds(4));
    Simulator::Run();
    ASSERT_TRUE(o.connected);
    EXPECT_EQ(server->GetObject<LinuxTcpL4Protocol>()->Table().TimeWaitCount(), 1u)
        << "the server, closing first, should hold the IPv6 connection's TIME_WAIT";
    ASSERT_EQ(binds.size(), 4u);
    const int inUse = static_cast<int>(Errno::ADDRINUSE);
    EXPECT_EQ(binds[0].second, inUse)
        << "the native-IPv6 TIME_WAIT's 127.0.0.6 placeholder should block 0.0.0.0:8888";
    EXPECT_EQ(binds[1].second, 0) << "a specific IPv4 address should bind next to it";
    EXPECT_EQ(binds[2].second, inUse) << "[::]:8888 should be blocked by the IPv6 TIME_WAIT";
    EXPECT_EQ(binds[3].second, 0)
        << "::ffff:0.0.0.0 compares by IPv6 class (MAPPED vs OTHER): it should bind";
}

TEST(Ipv6Transport, RecordedUdpDeliveryDualstackAgreesOverPackets)
{
    // linux_probe_v6.py's udp_delivery_dualstack() over ns-3 packets on one node's loopback:
    // each sub-case's sockets bound to port 9000, then datagrams to 127.0.0.1 and to ::1, each
    // from a new socket, counted by the form RecvFrom gives the sender in.
    std::ifstream in(PORTLAB_DUALSTACK_GOLDEN_FILE);
    std::stringstream text;
    text << in.rdbuf();
    portlab::Json recorded;
    for (const auto& [name, result] : portlab::ParseGoldenLines(text.str()))
    {
        recorded = name == "udp_delivery_dualstack" ? result : recorded;
    }
    ASSERT_TRUE(recorded.is_object()) << "the recording should hold udp_delivery_dualstack";
    int agreed = 0;
    for (const portlab::UdpDeliveryCase& c : portlab::UdpDeliveryCases())
    {
        LinuxStackHelper stack;
        stack.SetIpv6(true);
        Ptr<Node> node = CreateObject<Node>();
        stack.Install(node);
        portlab::Json bind = portlab::Json::object();
        portlab::Json got = portlab::Json::object();
        std::vector<std::pair<std::string, Ptr<LinuxUdpSocket>>> sockets;
        for (const portlab::UdpDeliverySocket& k : c.sockets)
        {
            Ptr<LinuxUdpSocket> s = UdpOn(node);
            s->SetAttribute("ReuseAddr", BooleanValue(k.reuseAddr));
            s->SetAttribute("ReusePort", BooleanValue(k.reusePort));
            int rc = 0;
            if (k.address.find(':') != std::string::npos)
            {
                ASSERT_EQ(s->OpenInet6(), 0);
                if (k.v6only)
                {
                    ASSERT_EQ(s->SetIpv6Only(true), 0);
                }
                // (ns-3's Ipv6Address text parser does not read a trailing dotted quad.)
                portlab::Ipv6 a6;
                ASSERT_TRUE(portlab::ParseIpv6(k.address, a6)) << k.address;
                rc = s->Bind(Inet6SocketAddress(LinuxPortSpace::ToNs3(a6), 9000));
            }
            else
            {
                rc = s->Bind(InetSocketAddress(Ipv4Address(k.address.c_str()), 9000));
            }
            bind[k.label] = rc == 0 ? "ok" : portlab::ErrnoName(s->GetLinuxErrno());
            got[k.label] = portlab::Json::object();
            sockets.emplace_back(k.label, s);
        }
        for (int i = 0; i < c.datagrams; ++i)
        {
            for (const Address& to : {Address(InetSocketAddress(Ipv4Address("127.0.0.1"), 9000)),
                                      Address(Inet6SocketAddress(Ipv6Address("::1"), 9000))})
            {
                Ptr<LinuxUdpSocket> sender = UdpOn(node);
                sender->SendTo(Create<Packet>(1), 0, to);
                sender->Close();
            }
        }
        Simulator::Stop(Seconds(1));
        Simulator::Run();
        for (auto& [label, s] : sockets)
        {
            Address from;
            while (s->RecvFrom(from))
            {
                const std::string form =
                    InetSocketAddress::IsMatchingType(from) ? "v4"
                    : Inet6SocketAddress::ConvertFrom(from).GetIpv6().IsIpv4MappedAddress()
                        ? "v4mapped"
                        : "v6";
                portlab::Json& n = got[label][form];
                n = n.is_null() ? 1 : n.get<int>() + 1;
            }
        }
        Simulator::Destroy();
        // The recording counted IPv4 datagrams before IPv6 ones: the same key order here.
        for (auto& [label, counts] : got.items())
        {
            portlab::Json ordered = portlab::Json::object();
            for (const char* form : {"v4", "v4mapped", "v6"})
            {
                if (counts.contains(form))
                {
                    ordered[form] = counts[form];
                }
            }
            counts = ordered;
        }
        const portlab::Json model{
            {c.name, portlab::Json{{"bind", bind}, {"received (by source address form)", got}}}};
        const portlab::Json linux{{c.name, recorded.at(c.name)}};
        EXPECT_EQ(portlab::UdpDeliveryComparable(model).dump(),
                  portlab::UdpDeliveryComparable(linux).dump())
            << c.name << ": the datagrams should reach the sockets Linux 6.18 delivered them to";
        agreed += portlab::UdpDeliveryComparable(model) == portlab::UdpDeliveryComparable(linux);
    }
    std::cout << agreed << " of " << portlab::UdpDeliveryCases().size()
              << " recorded udp_delivery_dualstack sub-cases agree over packets\n";
}

TEST(Ipv6Transport, UdpSocketErrorsAgreeWithTheKernelCheck)
{
    // The steps of tests/data/kernel-checks/ipv6-udp-socket-errors.py, on one node's loopback
    // (127.0.0.1, ::1), against what it recorded on Linux 6.18.
    std::ifstream in(std::string(PORTLAB_KERNEL_CHECKS_DIR) + "/ipv6-udp-socket-errors.jsonl");
    std::map<std::string, std::string> linux;
    for (std::string line; std::getline(in, line);)
    {
        const portlab::Json j = portlab::Json::parse(line);
        linux[j.at("case").get<std::string>()] = j.at("result").get<std::string>();
    }
    ASSERT_EQ(linux.size(), 15u) << "the kernel check should hold 15 lines";

    LinuxStackHelper stack;
    stack.SetIpv6(true);
    Ptr<Node> node = CreateObject<Node>();
    stack.Install(node);
    std::map<std::string, std::string> model;
    auto result = [](Ptr<LinuxUdpSocket> s, int rc) {
        return rc >= 0 ? std::string("ok") : std::string(portlab::ErrnoName(s->GetLinuxErrno()));
    };
    const Ipv6Address lo6("::1");
    const Ipv6Address mapped = Ipv6Address::MakeIpv4MappedAddress(Ipv4Address("127.0.0.1"));

    Ptr<LinuxUdpSocket> s4 = UdpOn(node);
    model["IPV6_V6ONLY on AF_INET"] = result(s4, s4->SetIpv6Only(true));
    Ptr<LinuxUdpSocket> s = UdpOn(node);
    s->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 5000));
    model["IPV6_V6ONLY after bind (same value 0)"] = result(s, s->SetIpv6Only(false));
    Ptr<LinuxUdpSocket> c = UdpOn(node);
    c->Connect(Inet6SocketAddress(lo6, 5001));
    model["IPV6_V6ONLY after connect"] = result(c, c->SetIpv6Only(true));
    Ptr<LinuxUdpSocket> t = UdpOn(node);
    t->SendTo(Create<Packet>(1), 0, Inet6SocketAddress(lo6, 5001));
    model["IPV6_V6ONLY after sendto autobind"] = result(t, t->SetIpv6Only(true));
    Ptr<LinuxUdpSocket> a = UdpOn(node);
    a->Bind(InetSocketAddress(Ipv4Address::GetAny(), 5002));
    Ptr<LinuxUdpSocket> f = UdpOn(node);
    model["bind [::]:5002 next to 0.0.0.0:5002"] =
        result(f, f->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 5002)));
    model["IPV6_V6ONLY after that failed bind"] = result(f, f->SetIpv6Only(true));
    model["bind [::]:5002 v6only then"] =
        result(f, f->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 5002)));
    Ptr<LinuxUdpSocket> d = UdpOn(node);
    model["dual-stack connect ::ffff:127.0.0.1"] =
        result(d, d->Connect(Inet6SocketAddress(mapped, 5003)));
    Ptr<LinuxUdpSocket> o = UdpOn(node);
    o->OpenInet6();
    o->SetIpv6Only(true);
    model["v6only connect ::ffff:127.0.0.1"] =
        result(o, o->Connect(Inet6SocketAddress(mapped, 5003)));
    Ptr<LinuxUdpSocket> o2 = UdpOn(node);
    o2->OpenInet6();
    o2->SetIpv6Only(true);
    model["v6only sendto ::ffff:127.0.0.1"] =
        result(o2, o2->SendTo(Create<Packet>(1), 0, Inet6SocketAddress(mapped, 5003)));
    Ptr<LinuxUdpSocket> m = UdpOn(node);
    m->Bind(Inet6SocketAddress(mapped, 0));
    model["bound ::ffff:127.0.0.1, connect ::1"] =
        result(m, m->Connect(Inet6SocketAddress(lo6, 5003)));
    Ptr<LinuxUdpSocket> m2 = UdpOn(node);
    m2->Bind(Inet6SocketAddress(mapped, 0));
    model["bound ::ffff:127.0.0.1, sendto ::1"] =
        result(m2, m2->SendTo(Create<Packet>(1), 0, Inet6SocketAddress(lo6, 5003)));
    Ptr<LinuxUdpSocket> r = UdpOn(node);
    r->Connect(Inet6SocketAddress(lo6, 5009));
    r->Send(Create<Packet>(1));
    Simulator::Stop(Seconds(0.1));
    Simulator::Run();
    model["connected to a closed [::1] port: recv after ICMPv6"] = result(r, r->Recv() ? 0 : -1);
    model["the next recv"] = result(r, r->Recv() ? 0 : -1);
    Simulator::Destroy();

    for (const auto& [step, expected] : linux)
    {
        if (step == "kernel")
        {
            continue;
        }
        ASSERT_EQ(model.count(step), 1u)
            << "the test should run the recorded step '" << step << "'";
        EXPECT_EQ(model[step], expected) << step << ": Linux 6.18 gave " << expected;
    }
}

TEST(Ipv6Transport, ClosedV6OnlyReuseportListenerMigratesItsIpv6ChildrenWithTcpMigrateReq)
{
    // tcp_migrate_req for native-IPv6 children: the survivor is found by the IPv6 lookup
    // (v6-only listeners, which an IPv4 lookup of the 127.0.0.6 placeholder would not find).
    LinuxStackHelper stack;
    stack.SetSysctl("net.ipv4.tcp_migrate_req", "1");
    DualStackPair net(stack);
    std::vector<Ptr<LinuxTcpSocket>> ls;
    for (int i = 0; i < 2; ++i)
    {
        Ptr<LinuxTcpSocket> l = TcpOn(net.nodes.Get(1));
        l->SetAttribute("AutoAccept", BooleanValue(false));
        l->SetAttribute("ReusePort", BooleanValue(true));
        ASSERT_EQ(l->OpenInet6(), 0);
        ASSERT_EQ(l->SetIpv6Only(true), 0);
        ASSERT_EQ(l->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 80)), 0);
        ASSERT_EQ(l->Listen(), 0);
        ls.push_back(l);
    }
    std::vector<Ptr<LinuxTcpSocket>> clients;
    for (int i = 0; i < 40; ++i)
    {
        clients.push_back(TcpOn(net.nodes.Get(0)));
        Ptr<LinuxTcpSocket> c = clients.back();
        Simulator::Schedule(Seconds(2),
                            [c, &net]() { c->Connect(Inet6SocketAddress(net.Addr6(1), 80)); });
    }
    uint32_t onFirst = 0;
    Simulator::Schedule(Seconds(2.1), [&]() {
        onFirst = ls[0]->GetAcceptQueueLength();
        ls[0]->Close();
    });
    Simulator::Stop(Seconds(2.2));
    Simulator::Run();
    ASSERT_GT(onFirst, 0u) << "the hash should spread the 40 IPv6 connections over both";
    int reset = 0;
    for (const auto& c : clients)
    {
        reset += c->GetLinuxErrno() == Errno::CONNRESET ? 1 : 0;
    }
    EXPECT_EQ(reset, 0) << "with tcp_migrate_req no IPv6 child should be reset";
    EXPECT_EQ(ls[1]->GetAcceptQueueLength(), 40u)
        << "the closed listener's IPv6 children should migrate to the survivor";
}
