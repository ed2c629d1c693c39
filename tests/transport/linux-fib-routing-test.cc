/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * LinuxFibRouting: the hash-indexed routing table must answer every lookup as ns-3's
 * Ipv4StaticRouting answers it (longest prefix, metric, table order, output device), stay in
 * step with interfaces going down and up and addresses coming and going, and route every host
 * of a many-hosts star; LinuxIpv4L3Protocol's address index must name the interface ns-3's
 * walk names.
 */

#include "ipv4/linux-fib-routing-helper.h"
#include "ipv4/linux-fib-routing.h"
#include "ipv4/linux-ipv4-l3-protocol.h"
#include "ipv4/linux-route.h"
#include "link/lean-point-to-point-helper.h"
#include "transport/linux-stack-helper.h"

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <gtest/gtest.h>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace
{

using namespace ns3;

/// A node with the Linux stack, the given routing, and \p links SimpleNetDevice interfaces
/// (interface i >= 1 is 10.0.i.1/24, up).
Ptr<Node>
MakeHost(const Ipv4RoutingHelper& routing, uint32_t links)
{
    Ptr<Node> node = CreateObject<Node>();
    LinuxStackHelper stack;
    stack.SetRoutingHelper(routing);
    stack.Install(node);
    Ptr<Ipv4> ipv4 = node->GetObject<Ipv4>();
    for (uint32_t l = 1; l <= links; ++l)
    {
        Ptr<SimpleNetDevice> dev = CreateObject<SimpleNetDevice>();
        dev->SetAddress(Mac48Address::Allocate());
        node->AddDevice(dev);
        dev->SetChannel(CreateObject<SimpleChannel>());
        uint32_t i = ipv4->AddInterface(dev);
        ipv4->AddAddress(i,
                         Ipv4InterfaceAddress(Ipv4Address((10u << 24) | (l << 8) | 1),
                                              Ipv4Mask("255.255.255.0")));
        ipv4->SetUp(i);
    }
    return node;
}

/// A route as text: "none", or "dst via gw src S if I".
std::string
Describe(Ptr<Ipv4> ipv4, Ptr<Ipv4Route> route)
{
    if (!route)
    {
        return "none";
    }
    std::ostringstream s;
    s << route->GetDestination() << " via " << route->GetGateway() << " src " << route->GetSource()
      << " if " << ipv4->GetInterfaceForDevice(route->GetOutputDevice());
    return s.str();
}

/// The route RouteOutput() gives \p ipv4 to \p dst (through \p oifIndex when not 0).
std::string
RouteTo(Ptr<Ipv4> ipv4, Ipv4Address dst, uint32_t oifIndex = 0)
{
    Ipv4Header h;
    h.SetDestination(dst);
    Socket::SocketErrno err;
    Ptr<NetDevice> oif = oifIndex ? ipv4->GetNetDevice(oifIndex) : nullptr;
    return Describe(ipv4, ipv4->GetRoutingProtocol()->RouteOutput(nullptr, h, oif, err));
}

class LinuxFibRoutingTest : public ::testing::Test
{
  protected:
    void TearDown() override
    {
        Simulator::Destroy();
    }
};

TEST_F(LinuxFibRoutingTest, LongestPrefixWinsOverShorterRoutesAndTheDefault)
{
    Ptr<Node> node = MakeHost(LinuxFibRoutingHelper(), 3);
    Ptr<Ipv4> ipv4 = node->GetObject<Ipv4>();
    Ptr<LinuxFibRouting> fib = LinuxFibRoutingHelper::GetFibRouting(ipv4);
    ASSERT_NE(fib, nullptr) << "the helper installs a LinuxFibRouting on the node";
    fib->SetDefaultRoute(Ipv4Address("10.0.1.254"), 1);
    fib->AddNetworkRouteTo(Ipv4Address("192.168.0.0"),
                           Ipv4Mask("255.255.0.0"),
                           Ipv4Address("10.0.2.254"),
                           2);
    fib->AddNetworkRouteTo(Ipv4Address("192.168.7.0"),
                           Ipv4Mask("255.255.255.0"),
                           Ipv4Address("10.0.3.254"),
                           3);
    fib->AddHostRouteTo(Ipv4Address("192.168.7.9"), Ipv4Address("10.0.1.253"), 1);
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address("192.168.7.9")),
              "192.168.7.9 via 10.0.1.253 src 10.0.1.1 if 1")
        << "a /32 beats the /24 and /16 that also match";
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address("192.168.7.10")),
              "192.168.7.0 via 10.0.3.254 src 10.0.3.1 if 3")
        << "the /24 beats the /16";
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address("192.168.8.1")),
              "192.168.0.0 via 10.0.2.254 src 10.0.2.1 if 2")
        << "the /16 beats the default route";
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address("10.0.2.7")), "10.0.2.0 via 0.0.0.0 src 10.0.2.1 if 2")
        << "a connected /24 is a direct route out of its interface";
}

TEST_F(LinuxFibRoutingTest, DefaultRouteTakesWhatNothingLongerMatchesAndNoneMeansNoRoute)
{
    Ptr<Node> node = MakeHost(LinuxFibRoutingHelper(), 2);
    Ptr<Ipv4> ipv4 = node->GetObject<Ipv4>();
    Ptr<LinuxFibRouting> fib = LinuxFibRoutingHelper::GetFibRouting(ipv4);
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address("172.16.0.1")), "none")
        << "without a default route a foreign network has no route";
    fib->SetDefaultRoute(Ipv4Address("10.0.2.254"), 2, 5);
    fib->SetDefaultRoute(Ipv4Address("10.0.1.254"), 1, 3);
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address("172.16.0.1")), "0.0.0.0 via 10.0.1.254 src 10.0.1.1 if 1")
        << "of two default routes the lower metric wins";
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address("172.16.0.1"), 2),
              "0.0.0.0 via 10.0.2.254 src 10.0.2.1 if 2")
        << "an output device restricts the lookup to the routes through it";
}

TEST_F(LinuxFibRoutingTest, InterfaceDownRemovesItsRoutesAndUpRestoresTheConnectedOne)
{
    Ptr<Node> node = MakeHost(LinuxFibRoutingHelper(), 2);
    Ptr<Ipv4> ipv4 = node->GetObject<Ipv4>();
    Ptr<LinuxFibRouting> fib = LinuxFibRoutingHelper::GetFibRouting(ipv4);
    fib->AddHostRouteTo(Ipv4Address("10.9.9.9"), Ipv4Address("10.0.2.254"), 2);
    fib->AddNetworkRouteTo(Ipv4Address("10.0.0.0"), Ipv4Mask("255.0.0.0"), 1);
    ipv4->SetDown(2);
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address("10.0.2.7")), "10.0.0.0 via 0.0.0.0 src 10.0.1.1 if 1")
        << "with interface 2 down its connected /24 is gone and the /8 through 1 remains";
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address("10.9.9.9")), "10.0.0.0 via 0.0.0.0 src 10.0.1.1 if 1")
        << "the host route through the down interface is gone too";
    ipv4->SetUp(2);
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address("10.0.2.7")), "10.0.2.0 via 0.0.0.0 src 10.0.2.1 if 2")
        << "up again, the interface's connected route is back";
    ipv4->AddAddress(2, Ipv4InterfaceAddress(Ipv4Address("10.5.0.1"), Ipv4Mask("255.255.0.0")));
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address("10.5.3.3")), "10.5.0.0 via 0.0.0.0 src 10.5.0.1 if 2")
        << "a new address on an up interface brings its network's route";
    ipv4->RemoveAddress(2, Ipv4Address("10.5.0.1"));
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address("10.5.3.3")), "10.0.0.0 via 0.0.0.0 src 10.0.1.1 if 1")
        << "removing the address removes its network's route";
}

TEST_F(LinuxFibRoutingTest, TwentyThousandHostRoutesEachResolveToTheirOwnGateway)
{
    Ptr<Node> node = MakeHost(LinuxFibRoutingHelper(), 2);
    Ptr<Ipv4> ipv4 = node->GetObject<Ipv4>();
    Ptr<LinuxFibRouting> fib = LinuxFibRoutingHelper::GetFibRouting(ipv4);
    const uint32_t n = 20000;
    for (uint32_t h = 0; h < n; ++h)
    {
        fib->AddHostRouteTo(Ipv4Address((20u << 24) + h),
                            Ipv4Address((10u << 24) | (1 << 8) | (2 + h % 200)),
                            1);
    }
    fib->AddNetworkRouteTo(Ipv4Address("20.0.0.0"),
                           Ipv4Mask("255.0.0.0"),
                           Ipv4Address("10.0.2.9"),
                           2);
    EXPECT_EQ(fib->GetNRoutes(), n + 4)
        << "20,000 host routes, the /8, two connected /24s and the loopback's 127/8";
    for (uint32_t h = 0; h < n; ++h)
    {
        Ipv4Address dst((20u << 24) + h);
        std::ostringstream want;
        want << dst << " via " << Ipv4Address((10u << 24) | (1 << 8) | (2 + h % 200))
             << " src 10.0.1.1 if 1";
        ASSERT_EQ(RouteTo(ipv4, dst), want.str()) << "host " << h << " takes its own /32";
    }
    EXPECT_EQ(RouteTo(ipv4, Ipv4Address((20u << 24) + n)),
              "20.0.0.0 via 10.0.2.9 src 10.0.2.1 if 2")
        << "an address without a host route falls to the /8";
}

/// Applies the same random route changes to an Ipv4StaticRouting host and a LinuxFibRouting
/// host and compares their tables and answers after each change.
TEST_F(LinuxFibRoutingTest, DecidesAsIpv4StaticRoutingOnRandomTablesAndChanges)
{
    const uint32_t links = 4;
    Ptr<Node> a = MakeHost(Ipv4StaticRoutingHelper(), links);
    Ptr<Node> b = MakeHost(LinuxFibRoutingHelper(), links);
    Ptr<Ipv4> ipA = a->GetObject<Ipv4>();
    Ptr<Ipv4> ipB = b->GetObject<Ipv4>();
    Ptr<Ipv4StaticRouting> st = Ipv4StaticRoutingHelper().GetStaticRouting(ipA);
    Ptr<LinuxFibRouting> fib = LinuxFibRoutingHelper::GetFibRouting(ipB);
    std::mt19937 rng(16);
    auto pick = [&rng](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
    // A small space, so that routes overlap: 10.0.0.0/22 and 10.0.{1..4}.0/24's gateways.
    auto addr = [&pick]() { return Ipv4Address((10u << 24) | pick(1024)); };
    const uint16_t lengths[] = {0, 8, 16, 22, 23, 24, 24, 25, 28, 30, 32, 32};
    for (uint32_t step = 0; step < 600; ++step)
    {
        uint32_t op = pick(20);
        uint32_t ifc = 1 + pick(links);
        uint32_t metric = pick(3);
        if (op < 12)
        {
            uint16_t len = lengths[pick(12)];
            Ipv4Mask mask(len == 0 ? 0u : ~0u << (32 - len));
            Ipv4Address net = addr();
            if (pick(2) != 0)
            {
                Ipv4Address gw((10u << 24) | (ifc << 8) | (2 + pick(3)));
                st->AddNetworkRouteTo(net, mask, gw, ifc, metric);
                fib->AddNetworkRouteTo(net, mask, gw, ifc, metric);
            }
            else
            {
                st->AddNetworkRouteTo(net, mask, ifc, metric);
                fib->AddNetworkRouteTo(net, mask, ifc, metric);
            }
        }
        else if (op < 14 && st->GetNRoutes() > 0)
        {
            uint32_t index = pick(st->GetNRoutes());
            st->RemoveRoute(index);
            fib->RemoveRoute(index);
        }
        else if (op == 14)
        {
            ipA->SetDown(ifc);
            ipB->SetDown(ifc);
        }
        else if (op == 15)
        {
            ipA->SetUp(ifc);
            ipB->SetUp(ifc);
        }
        else if (op == 16)
        {
            Ipv4InterfaceAddress extra(Ipv4Address((10u << 24) | (ifc << 8) | 100),
                                       Ipv4Mask(~0u << (32 - lengths[3 + pick(9)])));
            ipA->AddAddress(ifc, extra);
            ipB->AddAddress(ifc, extra);
        }
        else if (op == 17 && ipA->GetNAddresses(ifc) > 1)
        {
            ipA->RemoveAddress(ifc, 1);
            ipB->RemoveAddress(ifc, 1);
        }
        else if (op >= 18)
        {
            Ipv4Address gw((10u << 24) | (ifc << 8) | 254);
            st->SetDefaultRoute(gw, ifc, metric);
            fib->SetDefaultRoute(gw, ifc, metric);
        }
        ASSERT_EQ(st->GetNRoutes(), fib->GetNRoutes())
            << "step " << step << ": both tables hold the same number of routes";
        for (uint32_t r = 0; r < st->GetNRoutes(); ++r)
        {
            std::ostringstream want;
            std::ostringstream got;
            want << st->GetRoute(r) << " metric " << st->GetMetric(r);
            got << fib->GetRoute(r) << " metric " << fib->GetMetric(r);
            ASSERT_EQ(got.str(), want.str()) << "step " << step << ": route " << r << " in order";
        }
        for (uint32_t q = 0; q < 40; ++q)
        {
            Ipv4Address dst = pick(8) == 0 ? Ipv4Address((172u << 24) + pick(65536)) : addr();
            uint32_t oif = pick(3) == 0 ? 1 + pick(links) : 0;
            ASSERT_EQ(RouteTo(ipB, dst, oif), RouteTo(ipA, dst, oif))
                << "step " << step << ": the route to " << dst << " (oif " << oif
                << ") is Ipv4StaticRouting's";
        }
    }
}

TEST_F(LinuxFibRoutingTest, AddressIndexNamesTheInterfaceNs3sWalkNames)
{
    Ptr<Node> node = MakeHost(LinuxFibRoutingHelper(), 5);
    Ptr<Ipv4> ipv4 = node->GetObject<Ipv4>();
    auto walk = [&ipv4](Ipv4Address x) {
        for (uint32_t i = 0; i < ipv4->GetNInterfaces(); ++i)
        {
            for (uint32_t j = 0; j < ipv4->GetNAddresses(i); ++j)
            {
                if (ipv4->GetAddress(i, j).GetLocal() == x)
                {
                    return static_cast<int32_t>(i);
                }
            }
        }
        return -1;
    };
    std::mt19937 rng(7);
    for (uint32_t step = 0; step < 400; ++step)
    {
        uint32_t ifc = rng() % 6;
        Ipv4Address x((10u << 24) | (rng() % 8));
        if (rng() % 3 != 0)
        {
            ipv4->AddAddress(ifc, Ipv4InterfaceAddress(x, Ipv4Mask("255.255.255.0")));
        }
        else
        {
            ipv4->RemoveAddress(ifc, x);
        }
        for (uint32_t k = 0; k < 8; ++k)
        {
            Ipv4Address probe((10u << 24) | k);
            ASSERT_EQ(ipv4->GetInterfaceForAddress(probe), walk(probe))
                << "step " << step << ": " << probe
                << " is found on the lowest interface holding it";
        }
        ASSERT_EQ(ipv4->GetInterfaceForAddress(Ipv4Address("127.0.0.1")), 0)
            << "the loopback's address, given without AddAddress(), is indexed too";
        ASSERT_EQ(ipv4->GetInterfaceForAddress(Ipv4Address("10.0.3.1")), 3)
            << "each link's address is found on its interface";
    }
}

/// The many-hosts star (bench/many-hosts): a server with one /30 link per client; every
/// client's connect route and the server's reply route reach the right link.
TEST_F(LinuxFibRoutingTest, ManyHostsStarRoutesEveryHostThroughItsOwnLink)
{
    const uint32_t hosts = 600;
    NodeContainer server;
    server.Create(1);
    NodeContainer clients;
    clients.Create(hosts);
    LinuxStackHelper stack;
    stack.SetRoutingHelper(LinuxFibRoutingHelper());
    stack.Install(server);
    stack.Install(clients);
    LeanPointToPointHelper p2p;
    Ipv4AddressHelper addr;
    std::vector<Ipv4Address> serverSide(hosts);
    std::vector<Ipv4Address> clientSide(hosts);
    std::vector<Ptr<NetDevice>> serverDev(hosts);
    for (uint32_t h = 0; h < hosts; ++h)
    {
        NetDeviceContainer d = p2p.Install(clients.Get(h), server.Get(0));
        addr.SetBase(Ipv4Address((10u << 24) + h * 4), "255.255.255.252");
        Ipv4InterfaceContainer ifs = addr.Assign(d);
        clientSide[h] = ifs.GetAddress(0);
        serverSide[h] = ifs.GetAddress(1);
        serverDev[h] = d.Get(1);
        LinuxFibRoutingHelper::GetFibRouting(clients.Get(h)->GetObject<Ipv4>())
            ->SetDefaultRoute(serverSide[h], 1);
    }
    Ptr<Ipv4> sip = server.Get(0)->GetObject<Ipv4>();
    EXPECT_EQ(LinuxFibRoutingHelper::GetFibRouting(sip)->GetNRoutes(), hosts + 1)
        << "the server has one connected /30 per client link, and the loopback's 127/8";
    for (uint32_t h = 0; h < hosts; ++h)
    {
        portlab::Errno err;
        Ptr<Ipv4> cip = clients.Get(h)->GetObject<Ipv4>();
        Ptr<Ipv4Route> out = TcpV4ConnectRoute(cip, serverSide[h], Ipv4Address::GetAny(), 0, err);
        ASSERT_NE(out, nullptr) << "client " << h << " can connect to its server address";
        EXPECT_EQ(out->GetSource(), clientSide[h]) << "client " << h << " sends from its address";
        EXPECT_EQ(out->GetOutputDevice(), cip->GetNetDevice(1)) << "client " << h;
        Socket::SocketErrno serr;
        Ptr<Ipv4Route> back = LinuxRouteOutput(sip, clientSide[h], serverSide[h], 0, serr);
        ASSERT_NE(back, nullptr) << "the server has a route back to client " << h;
        EXPECT_EQ(back->GetOutputDevice(), serverDev[h])
            << "the server answers client " << h << " through that client's link";
        EXPECT_EQ(back->GetGateway(), Ipv4Address::GetZero())
            << "client " << h << " is on a connected network";
        EXPECT_EQ(sip->GetInterfaceForAddress(serverSide[h]),
                  sip->GetInterfaceForDevice(serverDev[h]))
            << "the server's address on link " << h << " belongs to that link's interface";
    }
}

/// LinuxStackHelper is a drop-in InternetStackHelper: by default ns-3's Ipv4StaticRouting is
/// where Ipv4StaticRoutingHelper looks for it (user code adds routes that way); UseFibRouting()
/// puts LinuxFibRouting in its place, as portlab's scenarios and scripts do.
TEST_F(LinuxFibRoutingTest, StackHelperKeepsStaticRoutingUnlessAskedForTheFib)
{
    NodeContainer nodes;
    nodes.Create(2);
    LinuxStackHelper plain;
    plain.Install(nodes.Get(0));
    LinuxStackHelper fast;
    fast.UseFibRouting();
    fast.Install(nodes.Get(1));
    Ptr<Ipv4> a = nodes.Get(0)->GetObject<Ipv4>();
    Ptr<Ipv4> b = nodes.Get(1)->GetObject<Ipv4>();
    EXPECT_NE(Ipv4StaticRoutingHelper().GetStaticRouting(a), nullptr)
        << "a default LinuxStackHelper node has ns-3's static routing, as InternetStackHelper";
    EXPECT_EQ(LinuxFibRoutingHelper::GetFibRouting(a), nullptr)
        << "and no LinuxFibRouting unless asked";
    EXPECT_NE(LinuxFibRoutingHelper::GetFibRouting(b), nullptr)
        << "UseFibRouting() installs LinuxFibRouting";
    EXPECT_EQ(Ipv4StaticRoutingHelper().GetStaticRouting(b), nullptr)
        << "in static routing's place";
}

} // namespace
