/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * LinuxIpv4L3Protocol: the short path for a host's own unicast datagrams must put exactly the
 * bytes on the wire that ns-3's Ipv4L3Protocol puts there, and leave to Ipv4L3Protocol every
 * packet it does not handle.
 */

#include "ipv4/linux-ipv4-l3-protocol.h"
#include "link/lean-point-to-point-helper.h"
#include "link/point-to-point-link.h"
#include "transport/linux-stack-helper.h"
#include "transport/linux-tcp-socket.h"
#include "transport/linux-udp-socket.h"

#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <vector>

namespace
{

using namespace ns3;

/// Every frame a device started to transmit: time in ns and the frame's bytes in hex.
struct Wire
{
    std::vector<std::string> frames; //!< "node time bytes"

    void Watch(Ptr<NetDevice> device, uint32_t node)
    {
        device->TraceConnectWithoutContext(
            "PhyTxBegin",
            Callback<void, Ptr<const Packet>>([this, node](Ptr<const Packet> p) {
                std::vector<uint8_t> bytes(p->GetSize());
                p->CopyData(bytes.data(), bytes.size());
                std::ostringstream line;
                line << node << ' ' << Simulator::Now().GetNanoSeconds() << ' ';
                for (uint8_t b : bytes)
                {
                    line << std::hex << int(b >> 4) << int(b & 15);
                }
                frames.push_back(line.str());
            }));
    }
};

/// IP protocol numbers of the frames on a wire (PPP header of 2 bytes, then IPv4).
std::vector<int>
Protocols(const Wire& wire)
{
    std::vector<int> protocols;
    for (const std::string& f : wire.frames)
    {
        std::string hex = f.substr(f.rfind(' ') + 1);
        protocols.push_back(std::stoi(hex.substr(2 * (2 + 9), 2), nullptr, 16));
    }
    return protocols;
}

/// Two Linux-stack nodes over a 1 ms link: 10.1.1.1 and 10.1.1.2.
class LinuxIpv4 : public ::testing::Test
{
  protected:
    /// \param fastPath the IPv4 short path \param queueDisc a pfifo_fast root queue disc on
    /// each device \param stockDevice ns-3's PointToPointNetDevice instead of the lean one
    /// \param lossy 10% of frames lost on receive
    void Build(bool fastPath, bool queueDisc = false, bool stockDevice = false, bool lossy = false)
    {
        RngSeedManager::SetSeed(1);
        RngSeedManager::SetRun(1);
        nodes.Create(2);
        LinuxStackHelper stack;
        stack.Install(nodes);
        for (uint32_t i = 0; i < 2; ++i)
        {
            Stack(i)->SetFastPath(fastPath);
        }
        if (stockDevice)
        {
            PointToPointHelper p2p;
            p2p.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
            p2p.SetChannelAttribute("Delay", StringValue("1ms"));
            p2p.SetQueue("ns3::DropTailQueue",
                         "MaxSize",
                         StringValue(std::to_string(LINK_TX_QUEUE_FRAMES) + "p"));
            p2p.DisableFlowControl();
            devices = p2p.Install(nodes);
            Ipv4AddressHelper addr;
            addr.SetBase("10.1.1.0", "255.255.255.0");
            addr.Assign(devices);
        }
        else
        {
            devices = LinkPointToPoint(nodes, "100Mbps", "1ms");
        }
        if (lossy)
        {
            for (uint32_t i = 0; i < 2; ++i)
            {
                Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
                em->SetAttribute("ErrorRate", DoubleValue(0.1));
                em->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
                em->AssignStreams(50 + i);
                devices.Get(i)->SetAttribute("ReceiveErrorModel", PointerValue(em));
            }
        }
        if (queueDisc)
        {
            TrafficControlHelper tch;
            tch.SetRootQueueDisc("ns3::PfifoFastQueueDisc");
            qdiscs = tch.Install(devices);
        }
        Ipv4GlobalRoutingHelper::PopulateRoutingTables();
        stack.AssignStreams(nodes, 3);
        wire.Watch(devices.Get(0), 0);
        wire.Watch(devices.Get(1), 1);
        // ns-3 initialises nodes (traffic control scans its devices) at time 0.
        Simulator::Stop(Seconds(0));
        Simulator::Run();
    }

    void TearDown() override
    {
        Simulator::Destroy();
    }

    /// End this simulation and forget its nodes and frames, for another Build().
    void Restart()
    {
        Simulator::Destroy();
        nodes = NodeContainer();
        wire = Wire();
    }

    Ptr<LinuxIpv4L3Protocol> Stack(uint32_t node)
    {
        return nodes.Get(node)->GetObject<LinuxIpv4L3Protocol>();
    }

    Ptr<Socket> Make(uint32_t node, TypeId factory)
    {
        return Socket::CreateSocket(nodes.Get(node), factory);
    }

    /// A TCP request/response with the client closing first, a TCP SYN to a closed port, a
    /// UDP datagram answered, and one to a closed port. \return what the applications saw
    std::string Workload()
    {
        std::ostringstream seen;
        Ptr<Socket> listener = Make(1, TcpSocketFactory::GetTypeId());
        listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), 80));
        listener->Listen();
        listener->SetAcceptCallback(
            MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
            Callback<void, Ptr<Socket>, const Address&>([&seen](Ptr<Socket> s, const Address&) {
                s->SetRecvCallback(Callback<void, Ptr<Socket>>([&seen](Ptr<Socket> a) {
                    Ptr<Packet> p = a->Recv();
                    seen << "server got " << (p ? p->GetSize() : 0) << "; ";
                    if (p && p->GetSize() > 0)
                    {
                        a->Send(Create<Packet>(200));
                    }
                    else
                    {
                        a->Close();
                    }
                }));
            }));
        Ptr<Socket> client = Make(0, TcpSocketFactory::GetTypeId());
        client->SetConnectCallback(
            Callback<void, Ptr<Socket>>([](Ptr<Socket> c) { c->Send(Create<Packet>(100)); }),
            Callback<void, Ptr<Socket>>([&seen](Ptr<Socket>) { seen << "connect failed; "; }));
        client->SetRecvCallback(Callback<void, Ptr<Socket>>([&seen](Ptr<Socket> c) {
            Ptr<Packet> p = c->Recv();
            seen << "client got " << (p ? p->GetSize() : 0) << "; ";
            c->Close();
        }));
        client->Connect(InetSocketAddress(Ipv4Address("10.1.1.2"), 80));

        Ptr<Socket> refused = Make(0, TcpSocketFactory::GetTypeId());
        refused->SetConnectCallback(
            Callback<void, Ptr<Socket>>([&seen](Ptr<Socket>) { seen << "closed port accepted; "; }),
            Callback<void, Ptr<Socket>>([&seen](Ptr<Socket> s) {
                seen << "closed port: errno " << s->GetErrno() << "; ";
            }));
        Simulator::Schedule(MilliSeconds(50), [refused]() {
            refused->Connect(InetSocketAddress(Ipv4Address("10.1.1.2"), 81));
        });

        Ptr<Socket> echo = Make(1, UdpSocketFactory::GetTypeId());
        echo->Bind(InetSocketAddress(Ipv4Address::GetAny(), 7));
        echo->SetRecvCallback(Callback<void, Ptr<Socket>>([](Ptr<Socket> s) {
            Address from;
            Ptr<Packet> p = s->RecvFrom(from);
            s->SendTo(p, 0, from);
        }));
        Ptr<Socket> udp = Make(0, UdpSocketFactory::GetTypeId());
        udp->SetRecvCallback(Callback<void, Ptr<Socket>>([&seen](Ptr<Socket> s) {
            Ptr<Packet> p = s->Recv();
            seen << "udp reply " << (p ? p->GetSize() : 0) << " errno " << s->GetErrno() << "; ";
        }));
        Simulator::Schedule(MilliSeconds(100), [udp]() {
            udp->SendTo(Create<Packet>(32), 0, InetSocketAddress(Ipv4Address("10.1.1.2"), 7));
            udp->SendTo(Create<Packet>(32), 0, InetSocketAddress(Ipv4Address("10.1.1.2"), 9));
        });
        Simulator::Stop(Seconds(2));
        Simulator::Run();
        return seen.str();
    }

    NodeContainer nodes;
    NetDeviceContainer devices;
    QueueDiscContainer qdiscs;
    Wire wire;
};

TEST_F(LinuxIpv4, FastPathPutsTheSameBytesOnTheWireAtTheSameTimesAsNs3sPath)
{
    Build(false);
    std::string slowSeen = Workload();
    std::vector<std::string> slowFrames = wire.frames;
    EXPECT_EQ(Stack(0)->GetFastSent() + Stack(1)->GetFastSent(), 0u)
        << "with FastPath false no datagram should take the short path";
    Restart();
    Build(true);
    std::string fastSeen = Workload();

    ASSERT_GT(slowFrames.size(), 10u) << "the workload should exchange a dozen or more frames";
    EXPECT_EQ(wire.frames, slowFrames)
        << "every frame (time and bytes, IPv4 identification and checksum included) should be "
           "the same with and without the short path";
    EXPECT_EQ(fastSeen, slowSeen) << "the applications should see the same with both paths";
    EXPECT_NE(fastSeen.find("client got 200"), std::string::npos) << fastSeen;
    EXPECT_NE(fastSeen.find("udp reply 32"), std::string::npos) << fastSeen;
}

TEST_F(LinuxIpv4, UnicastTcpAndUdpTakeTheShortPathBothWays)
{
    Build(true);
    Workload();
    uint64_t onWire = wire.frames.size();
    uint64_t fastSent = Stack(0)->GetFastSent() + Stack(1)->GetFastSent();
    uint64_t fastReceived = Stack(0)->GetFastReceived() + Stack(1)->GetFastReceived();
    // Every frame is unicast TCP, UDP or ICMP between the two hosts: all take the short path
    // out; all but the ICMP error (delivered to Icmpv4L4Protocol, also a transport) in.
    EXPECT_EQ(fastSent, onWire) << "every datagram on the wire should have been sent on the "
                                   "short path";
    EXPECT_EQ(fastReceived, onWire) << "every datagram on the wire should have been received "
                                       "on the short path";
}

TEST_F(LinuxIpv4, TcpSegmentForAClosedPortGetsAnRstAndNoIcmpAsInLinux)
{
    Build(true);
    std::string seen = Workload();
    std::vector<int> protocols = Protocols(wire);
    int icmp = 0;
    for (int p : protocols)
    {
        icmp += p == 1 ? 1 : 0;
    }
    // Linux's tcp_v4_rcv answers a segment for no socket with an RST only; the one ICMP port
    // unreachable is for the UDP datagram to port 9.
    EXPECT_EQ(icmp, 1) << "only the UDP datagram to a closed port should draw an ICMP error";
    EXPECT_NE(seen.find("closed port: errno"), std::string::npos)
        << "the SYN to a closed port should fail: " << seen;
}

TEST_F(LinuxIpv4, TxAndFastTxTogetherShowWhatTxAloneShowsWithoutTheShortPath)
{
    auto countTx = [this](bool fast) {
        Build(fast);
        auto counter = std::make_shared<uint32_t>(0);
        Callback<void, Ptr<const Packet>, Ptr<ns3::Ipv4>, uint32_t> count(
            [counter](Ptr<const Packet>, Ptr<ns3::Ipv4>, uint32_t) { ++*counter; });
        for (uint32_t i = 0; i < 2; ++i)
        {
            Stack(i)->TraceConnectWithoutContext("Tx", count);
            Stack(i)->TraceConnectWithoutContext("FastTx", count);
        }
        Workload();
        Restart();
        return *counter;
    };
    uint32_t slow = countTx(false);
    uint32_t fast = countTx(true);
    EXPECT_GT(slow, 10u);
    EXPECT_EQ(fast, slow) << "Tx plus FastTx should count every datagram Tx counts on ns-3's path";
}

TEST_F(LinuxIpv4, BroadcastAndRawSocketsTakeNs3sPath)
{
    Build(true);
    uint32_t ns3Rx = 0;
    Stack(1)->TraceConnectWithoutContext(
        "Rx",
        Callback<void, Ptr<const Packet>, Ptr<ns3::Ipv4>, uint32_t>(
            [&ns3Rx](Ptr<const Packet>, Ptr<ns3::Ipv4>, uint32_t) { ++ns3Rx; }));
    Ptr<Socket> sink = Make(1, UdpSocketFactory::GetTypeId());
    sink->Bind(InetSocketAddress(Ipv4Address::GetAny(), 7));
    uint32_t delivered = 0;
    sink->SetRecvCallback(Callback<void, Ptr<Socket>>([&delivered](Ptr<Socket> s) {
        while (s->Recv())
        {
            ++delivered;
        }
    }));
    Ptr<Socket> udp = Make(0, UdpSocketFactory::GetTypeId());
    udp->SetAllowBroadcast(true);
    Simulator::Schedule(MilliSeconds(10), [udp]() {
        udp->SendTo(Create<Packet>(10), 0, InetSocketAddress(Ipv4Address("10.1.1.255"), 7));
    });
    Ptr<Socket> raw;
    Simulator::Schedule(MilliSeconds(20),
                        [this, &raw]() { raw = Make(1, Ipv4RawSocketFactory::GetTypeId()); });
    Simulator::Schedule(MilliSeconds(30), [udp]() {
        udp->SendTo(Create<Packet>(10), 0, InetSocketAddress(Ipv4Address("10.1.1.2"), 7));
    });
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    EXPECT_EQ(delivered, 2u) << "both datagrams should reach the socket on port 7";
    EXPECT_EQ(ns3Rx, 2u) << "the subnet broadcast, and the unicast while a raw socket is open, "
                            "should both go through Ipv4L3Protocol::Receive";
    EXPECT_EQ(Stack(1)->GetFastReceived(), 0u);
}

TEST_F(LinuxIpv4, ARootQueueDiscStillSeesEveryDatagramSentOnTheShortPath)
{
    Build(true, true);
    uint32_t enqueued = 0;
    qdiscs.Get(0)->TraceConnectWithoutContext(
        "Enqueue",
        Callback<void, Ptr<const QueueDiscItem>>(
            [&enqueued](Ptr<const QueueDiscItem>) { ++enqueued; }));
    std::string seen = Workload();
    EXPECT_NE(seen.find("client got 200"), std::string::npos) << seen;
    EXPECT_GT(Stack(0)->GetFastSent(), 0u);
    EXPECT_EQ(enqueued, Stack(0)->GetFastSent())
        << "every datagram node 0 sent should have passed through its root queue disc";
}

TEST_F(LinuxIpv4, LeanDevicePutsTheSameFramesOnTheWireAtTheSameTimesAsNs3sDevice)
{
    for (bool lossy : {false, true})
    {
        Build(true, false, true, lossy);
        std::string stockSeen = Workload();
        std::vector<std::string> stockFrames = wire.frames;
        Restart();

        Build(true, false, false, lossy);
        std::string leanSeen = Workload();
        ASSERT_GT(stockFrames.size(), 10u);
        EXPECT_EQ(wire.frames, stockFrames)
            << "LeanPointToPointNetDevice should start every frame at the time ns-3's "
               "PointToPointNetDevice does, with the same bytes"
            << (lossy ? " (10% loss on receive, same error-model streams)" : "");
        EXPECT_EQ(leanSeen, stockSeen) << "the applications should see the same on both devices";
        Restart();
    }
}

/// Ten datagrams handed at once to a 1 Mb/s device whose queue holds 3.
/// \return (frames dropped by the device, datagrams delivered)
std::pair<uint32_t, uint32_t>
BurstIntoAShortQueue(bool stockDevice)
{
    NodeContainer nodes;
    nodes.Create(2);
    LinuxStackHelper().Install(nodes);
    NetDeviceContainer devices;
    if (stockDevice)
    {
        PointToPointHelper p2p;
        p2p.SetDeviceAttribute("DataRate", StringValue("1Mbps"));
        p2p.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("3p"));
        p2p.DisableFlowControl();
        devices = p2p.Install(nodes);
    }
    else
    {
        LeanPointToPointHelper p2p;
        p2p.SetDeviceAttribute("DataRate", StringValue("1Mbps"));
        p2p.SetDeviceAttribute("TxQueueLimit", UintegerValue(3));
        devices = p2p.Install(nodes);
    }
    Ipv4AddressHelper addr;
    addr.SetBase("10.1.1.0", "255.255.255.0");
    addr.Assign(devices);
    uint32_t dropped = 0;
    devices.Get(0)->TraceConnectWithoutContext(
        "MacTxDrop",
        Callback<void, Ptr<const Packet>>([&dropped](Ptr<const Packet>) { ++dropped; }));
    Ptr<Socket> sink = Socket::CreateSocket(nodes.Get(1), UdpSocketFactory::GetTypeId());
    sink->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9));
    uint32_t delivered = 0;
    sink->SetRecvCallback(Callback<void, Ptr<Socket>>([&delivered](Ptr<Socket> s) {
        while (s->Recv())
        {
            ++delivered;
        }
    }));
    Ptr<Socket> src = Socket::CreateSocket(nodes.Get(0), UdpSocketFactory::GetTypeId());
    Simulator::Schedule(MilliSeconds(1), [src]() {
        for (int i = 0; i < 10; ++i)
        {
            src->SendTo(Create<Packet>(1000), 0, InetSocketAddress(Ipv4Address("10.1.1.2"), 9));
        }
    });
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    Simulator::Destroy();
    return {dropped, delivered};
}

TEST(LeanPointToPoint, AFullTransmitQueueDropsAsNs3sDeviceDoes)
{
    auto [stockDropped, stockDelivered] = BurstIntoAShortQueue(true);
    auto [leanDropped, leanDelivered] = BurstIntoAShortQueue(false);
    EXPECT_EQ(stockDropped, 6u) << "ns-3's device: one frame on the wire, 3 queued, 6 dropped";
    EXPECT_EQ(leanDropped, stockDropped)
        << "the lean device should drop (and fire MacTxDrop) exactly as ns-3's device does";
    EXPECT_EQ(leanDelivered, stockDelivered);
    EXPECT_EQ(leanDelivered, 4u);
}

TEST(LeanPointToPoint, SendFromIsRefusedAsOnNs3sDevice)
{
    NodeContainer nodes;
    nodes.Create(2);
    NetDeviceContainer stock = PointToPointHelper().Install(nodes);
    NetDeviceContainer lean = LeanPointToPointHelper().Install(nodes);
    for (Ptr<NetDevice> d : {stock.Get(0), lean.Get(0)})
    {
        EXPECT_FALSE(d->SupportsSendFrom()) << d->GetInstanceTypeId().GetName();
        EXPECT_FALSE(
            d->SendFrom(Create<Packet>(10), d->GetAddress(), lean.Get(1)->GetAddress(), 0x0800))
            << d->GetInstanceTypeId().GetName()
            << " should refuse SendFrom, as it does not support it";
    }
    Simulator::Destroy();
}

/// UDP echo from \p from to \p to:7 on a node that has a point-to-point link and an
/// Ethernet (ARP) link, in either order. \return replies received and short-path receives
std::pair<uint32_t, uint64_t>
EchoOverMixedLinks(bool ethernetFirst)
{
    NodeContainer nodes;
    nodes.Create(3); // 0 -p2p- 1 -csma- 2
    LinuxStackHelper().Install(nodes);
    auto p2p = [&nodes]() {
        return LinkPointToPoint(NodeContainer(nodes.Get(0), nodes.Get(1)),
                                "100Mbps",
                                "1ms",
                                "10.1.1.0");
    };
    auto csma = [&nodes]() {
        CsmaHelper helper;
        NetDeviceContainer d = helper.Install(NodeContainer(nodes.Get(1), nodes.Get(2)));
        Ipv4AddressHelper addr;
        addr.SetBase("10.2.2.0", "255.255.255.0");
        addr.Assign(d);
    };
    if (ethernetFirst)
    {
        csma();
        p2p();
    }
    else
    {
        p2p();
        csma();
    }
    Ptr<Socket> echo = Socket::CreateSocket(nodes.Get(1), UdpSocketFactory::GetTypeId());
    echo->Bind(InetSocketAddress(Ipv4Address::GetAny(), 7));
    echo->SetRecvCallback(Callback<void, Ptr<Socket>>([](Ptr<Socket> s) {
        Address from;
        while (Ptr<Packet> p = s->RecvFrom(from))
        {
            s->SendTo(p, 0, from);
        }
    }));
    uint32_t replies = 0;
    std::vector<Ptr<Socket>> clients;
    for (auto [node, server] : {std::pair<uint32_t, const char*>{0, "10.1.1.2"}, {2, "10.2.2.1"}})
    {
        Ptr<Socket> c = Socket::CreateSocket(nodes.Get(node), UdpSocketFactory::GetTypeId());
        c->SetRecvCallback(Callback<void, Ptr<Socket>>([&replies](Ptr<Socket> s) {
            while (s->Recv())
            {
                ++replies;
            }
        }));
        Ipv4Address to(server);
        Simulator::Schedule(MilliSeconds(10), [c, to]() {
            c->SendTo(Create<Packet>(20), 0, InetSocketAddress(to, 7));
            c->SendTo(Create<Packet>(20), 0, InetSocketAddress(to, 7));
        });
        clients.push_back(c);
    }
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    uint64_t fast = nodes.Get(1)->GetObject<LinuxIpv4L3Protocol>()->GetFastReceived();
    Simulator::Destroy();
    return {replies, fast};
}

TEST(LinuxIpv4Devices, ANodeWithAPointToPointAndAnArpLinkDeliversOnBothInEitherOrder)
{
    // Point-to-point first: that device takes the short path, the Ethernet one keeps ns-3's.
    auto [replies, fast] = EchoOverMixedLinks(false);
    EXPECT_EQ(replies, 4u) << "two echoes over each link should come back, each exactly once";
    EXPECT_EQ(fast, 2u) << "the two requests over the point-to-point link should take the "
                           "short path at the middle node, the Ethernet ones not";
    // Ethernet first: once a device keeps ns-3's registration, later ones keep theirs too.
    std::tie(replies, fast) = EchoOverMixedLinks(true);
    EXPECT_EQ(replies, 4u) << "two echoes over each link should come back, each exactly once";
    EXPECT_EQ(fast, 0u) << "after an Ethernet device, no device should take the short path";
}

} // namespace
