/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// UdpServerProcess and UdpClientProcess on portlab's UDP.

#include "apps/process-helper.h"
#include "apps/udp-client-process.h"
#include "apps/udp-server-process.h"
#include "process-test-network.h"

namespace portlab
{
namespace
{

using namespace ns3;

class UdpProcess : public ProcessTestNetwork
{
  protected:
    Ptr<UdpServerProcess> Server(bool reuseAddr = false, bool reusePort = false)
    {
        UdpServerProcessHelper h(Any(5353));
        h.SetAttribute("ReuseAddr", BooleanValue(reuseAddr));
        h.SetAttribute("ReusePort", BooleanValue(reusePort));
        return DynamicCast<UdpServerProcess>(h.Install(nodes.Get(1)).Get(0));
    }

    Ptr<UdpClientProcess> MakeClient(bool connected, uint64_t n, uint16_t port = 5353)
    {
        UdpClientProcessHelper h(Inet("10.1.1.2", port));
        h.SetAttribute("Connected", BooleanValue(connected));
        h.SetAttribute("MaxDatagrams", UintegerValue(n));
        ApplicationContainer apps = h.Install(nodes.Get(0));
        apps.Start(Seconds(0.1));
        ProcessHelper::AssignStreams(apps, 20);
        return DynamicCast<UdpClientProcess>(apps.Get(0));
    }
};

TEST_F(UdpProcess, EveryRequestGetsItsResponseWithSendto)
{
    Chain(2);
    Ptr<UdpServerProcess> s = Server();
    Ptr<UdpClientProcess> c = MakeClient(false, 20);
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    EXPECT_EQ(s->GetBindResult(), "ok");
    EXPECT_EQ(c->GetSent(), 20u);
    EXPECT_EQ(s->GetReceived(), 20u);
    EXPECT_EQ(s->GetAnswered(), 20u);
    EXPECT_EQ(c->GetReceived(), 20u) << "each request answered back to its sender";
    EXPECT_TRUE(c->GetErrors().empty());
}

TEST_F(UdpProcess, EveryRequestGetsItsResponseOnAConnectedSocket)
{
    Chain(2);
    Ptr<UdpServerProcess> s = Server();
    Ptr<UdpClientProcess> c = MakeClient(true, 20);
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    EXPECT_EQ(s->GetAnswered(), 20u);
    EXPECT_EQ(c->GetReceived(), 20u);
    EXPECT_TRUE(c->GetErrors().empty());
}

TEST_F(UdpProcess, AConnectedClientSeesEconnrefusedFromPortUnreachable)
{
    Chain(2); // no server
    Ptr<UdpClientProcess> c = MakeClient(true, 5);
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    ASSERT_EQ(c->GetErrors().count("ECONNREFUSED"), 1u)
        << "Linux reports the ICMP error on a connected socket";
    EXPECT_EQ(c->GetErrors().at("ECONNREFUSED"), 5u) << "once per refused datagram";
    EXPECT_EQ(c->GetReceived(), 0u);
}

TEST_F(UdpProcess, AnUnconnectedClientIgnoresPortUnreachable)
{
    Chain(2);
    Ptr<UdpClientProcess> c = MakeClient(false, 5);
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    EXPECT_EQ(c->GetSent(), 5u);
    EXPECT_TRUE(c->GetErrors().empty()) << "an unconnected socket is not told";
}

TEST_F(UdpProcess, TwoServersOnOnePortWithoutReuseGetEaddrinuseForTheSecond)
{
    Chain(2);
    Ptr<UdpServerProcess> a = Server();
    Ptr<UdpServerProcess> b = Server();
    Simulator::Stop(Seconds(0.1));
    Simulator::Run();
    EXPECT_EQ(a->GetBindResult(), "ok");
    EXPECT_EQ(b->GetBindResult(), "EADDRINUSE");
}

TEST_F(UdpProcess, TwoServersOnOnePortWithReusePortBothBind)
{
    Chain(2);
    Ptr<UdpServerProcess> a = Server(false, true);
    Ptr<UdpServerProcess> b = Server(false, true);
    Ptr<UdpClientProcess> c = MakeClient(false, 10);
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    EXPECT_EQ(a->GetBindResult(), "ok");
    EXPECT_EQ(b->GetBindResult(), "ok") << "SO_REUSEPORT on both, same owner";
    EXPECT_EQ(a->GetReceived() + b->GetReceived(), 10u) << "each datagram to one of the group";
    EXPECT_EQ(c->GetReceived(), 10u);
}

TEST_F(UdpProcess, RoundRobinOverTwoServerPorts)
{
    Chain(2);
    UdpServerProcessHelper h(Any(5353));
    auto a = DynamicCast<UdpServerProcess>(h.Install(nodes.Get(1)).Get(0));
    UdpServerProcessHelper h2(Any(5354));
    auto b = DynamicCast<UdpServerProcess>(h2.Install(nodes.Get(1)).Get(0));
    for (bool connected : {false, true})
    {
        UdpClientProcessHelper ch{Address()};
        ch.SetAttribute("Remotes", StringValue("10.1.1.2:5353,10.1.1.2:5354"));
        ch.SetAttribute("Connected", BooleanValue(connected));
        ch.SetAttribute("MaxDatagrams", UintegerValue(6));
        ch.Install(nodes.Get(0)).Start(Seconds(0.1));
    }
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    EXPECT_EQ(a->GetAnswered(), 6u) << "3 of each client's 6 datagrams";
    EXPECT_EQ(b->GetAnswered(), 6u);
}

TEST_F(UdpProcess, PoissonSendsAreReproducibleForAStream)
{
    std::vector<uint64_t> sent;
    for (int run = 0; run < 2; ++run)
    {
        Chain(2);
        Server();
        UdpClientProcessHelper h(Inet("10.1.1.2", 5353));
        h.SetAttribute("Poisson", BooleanValue(true));
        h.SetAttribute("Rate", DoubleValue(200));
        ApplicationContainer apps = h.Install(nodes.Get(0));
        apps.Start(Seconds(0.1));
        ProcessHelper::AssignStreams(apps, 7);
        Simulator::Stop(Seconds(0.6));
        Simulator::Run();
        sent.push_back(DynamicCast<UdpClientProcess>(apps.Get(0))->GetSent());
        Simulator::Destroy();
        nodes = NodeContainer();
    }
    EXPECT_EQ(sent[0], sent[1]) << "same stream, same arrivals";
    EXPECT_NE(sent[0], 100u) << "Poisson, not the constant 200/s";
}

} // namespace
} // namespace portlab
