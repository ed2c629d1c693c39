/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// TcpClientProcess load shapes: closed loop (Concurrency) and round-robin destinations.

#include "apps/process-helper.h"
#include "apps/tcp-client-process.h"
#include "apps/tcp-server-process.h"
#include "process-test-network.h"

#include <vector>

namespace portlab
{
namespace
{

using namespace ns3;

class TcpClientLoad : public ProcessTestNetwork
{
  protected:
    Ptr<TcpServerProcess> Server(uint16_t port)
    {
        TcpServerProcessHelper h(Any(port));
        return DynamicCast<TcpServerProcess>(h.Install(nodes.Get(1)).Get(0));
    }
};

TEST_F(TcpClientLoad, ClosedLoopKeepsExactlyConcurrencyConnectionsInFlight)
{
    Chain(2);
    Server(80);
    TcpClientProcessHelper h(Inet("10.1.1.2", 80));
    h.SetAttribute("Concurrency", UintegerValue(4));
    h.SetAttribute("Rate", DoubleValue(1)); // unused in a closed loop
    ApplicationContainer apps = h.Install(nodes.Get(0));
    apps.Start(Seconds(0.1));
    apps.Stop(Seconds(1.5));
    auto c = DynamicCast<TcpClientProcess>(apps.Get(0));
    std::vector<size_t> open;
    for (double t : {0.2, 0.4567, 0.8, 1.0013, 1.4})
    {
        Simulator::Schedule(Seconds(t), [&open, c]() { open.push_back(c->GetOpen()); });
    }
    Simulator::Stop(Seconds(2));
    Simulator::Run();
    EXPECT_EQ(open, std::vector<size_t>(5, 4)) << "4 connections open at every sample";
    EXPECT_EQ(c->GetMaxOpen(), 4u) << "never more than Concurrency";
    EXPECT_GT(c->GetCompleted(), 400u) << "each slot reopens at once: ~3 RTTs per connection";
    EXPECT_EQ(c->GetCompleted(), c->GetAttempted() - c->GetOpen())
        << "every finished connection completed its exchange";
    EXPECT_TRUE(c->GetFailures().empty());
}

TEST_F(TcpClientLoad, ClosedLoopFailuresRetryAfterRetryGap)
{
    Chain(2); // no server: every connection is refused
    TcpClientProcessHelper h(Inet("10.1.1.2", 80));
    h.SetAttribute("Concurrency", UintegerValue(2));
    h.SetAttribute("RetryGap", TimeValue(MilliSeconds(10)));
    ApplicationContainer apps = h.Install(nodes.Get(0));
    apps.Start(Seconds(0.1));
    apps.Stop(Seconds(0.2));
    auto c = DynamicCast<TcpClientProcess>(apps.Get(0));
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    // Each slot: SYN, RST after 2 ms, 10 ms gap: one attempt per 12 ms for 100 ms.
    EXPECT_GE(c->GetAttempted(), 16u);
    EXPECT_LE(c->GetAttempted(), 18u) << "failures wait RetryGap, they do not spin";
    EXPECT_EQ(c->GetFailures().at("ECONNREFUSED"), c->GetAttempted() - c->GetOpen());
}

TEST_F(TcpClientLoad, RoundRobinAlternatesOverTwoDestinations)
{
    Chain(2);
    Ptr<TcpServerProcess> s80 = Server(80);
    Ptr<TcpServerProcess> s81 = Server(81);
    std::vector<uint16_t> order;
    for (Ptr<TcpServerProcess> s : {s80, s81})
    {
        uint16_t port = s == s80 ? 80 : 81;
        s->TraceConnectWithoutContext(
            "Accept",
            Callback<void, Ptr<Socket>, const Address&>(
                [&order, port](Ptr<Socket>, const Address&) { order.push_back(port); }));
    }
    TcpClientProcessHelper h{Address()}; // Remote unset: Remotes decides
    h.SetAttribute("Remotes", StringValue("10.1.1.2:80, 10.1.1.2:81"));
    h.SetAttribute("MaxConnections", UintegerValue(10));
    ApplicationContainer apps = h.Install(nodes.Get(0));
    apps.Start(Seconds(0.1));
    auto c = DynamicCast<TcpClientProcess>(apps.Get(0));
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    EXPECT_EQ(c->GetCompleted(), 10u);
    EXPECT_EQ(s80->GetServed(), 5u);
    EXPECT_EQ(s81->GetServed(), 5u);
    EXPECT_EQ(order, (std::vector<uint16_t>{80, 81, 80, 81, 80, 81, 80, 81, 80, 81}))
        << "destinations taken in the order listed, in turn";
    StringValue text;
    c->GetAttribute("Remotes", text);
    EXPECT_EQ(text.Get(), "10.1.1.2:80,10.1.1.2:81");
}

TEST_F(TcpClientLoad, AddRemoteExtendsTheRotationAndRemoteStillWorksAlone)
{
    Chain(2);
    Ptr<TcpServerProcess> s80 = Server(80);
    Ptr<TcpServerProcess> s81 = Server(81);
    TcpClientProcessHelper h(Inet("10.1.1.2", 80));
    h.SetAttribute("MaxConnections", UintegerValue(6));
    ApplicationContainer apps = h.Install(NodeContainer(nodes.Get(0), nodes.Get(0)));
    apps.Start(Seconds(0.1));
    auto rr = DynamicCast<TcpClientProcess>(apps.Get(1));
    rr->AddRemote(Inet("10.1.1.2", 81));
    rr->AddRemote(Inet("10.1.1.2", 81));
    rr->AddRemote(Inet("10.1.1.2", 80));
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    EXPECT_EQ(s80->GetServed(), 6u + 2u) << "6 via Remote alone, 2 of 6 via the list";
    EXPECT_EQ(s81->GetServed(), 4u);
}

} // namespace
} // namespace portlab
