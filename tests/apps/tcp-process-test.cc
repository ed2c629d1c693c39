/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "apps/tcp-client-process.h"
#include "apps/tcp-server-process.h"
#include "link/point-to-point-link.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

using namespace ns3;

/// A client node and a server node over a 1 ms link, on portlab's stack or ns-3's own.
class TcpProcess : public ::testing::Test
{
  protected:
    void Build(bool portlabStack,
               const std::vector<std::pair<std::string, std::string>>& sysctls = {})
    {
        RngSeedManager::SetSeed(1);
        RngSeedManager::SetRun(1);
        nodes.Create(2);
        if (portlabStack)
        {
            LinuxStackHelper stack;
            for (const auto& [k, v] : sysctls)
            {
                stack.SetSysctl(k, v);
            }
            stack.Install(nodes);
            stack.AssignStreams(nodes, 1);
        }
        else
        {
            InternetStackHelper stack;
            stack.Install(nodes);
        }
        LinkPointToPoint(nodes, "1Gbps", "1ms");
        Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    }

    void TearDown() override
    {
        Simulator::Destroy();
    }

    Ptr<TcpServerProcess> Server(const std::string& policy = "client-first")
    {
        Ptr<TcpServerProcess> s = CreateObject<TcpServerProcess>();
        s->SetAttribute("Local", AddressValue(InetSocketAddress(Ipv4Address::GetAny(), 80)));
        s->SetAttribute("ClosePolicy", StringValue(policy));
        nodes.Get(1)->AddApplication(s);
        s->SetStartTime(Seconds(0));
        return s;
    }

    Ptr<TcpClientProcess> Client(double rate,
                                 uint64_t n,
                                 const std::string& policy = "client-first")
    {
        Ptr<TcpClientProcess> c = CreateObject<TcpClientProcess>();
        c->SetAttribute("Remote", AddressValue(InetSocketAddress(Ipv4Address("10.1.1.2"), 80)));
        c->SetAttribute("Rate", DoubleValue(rate));
        c->SetAttribute("MaxConnections", UintegerValue(n));
        c->SetAttribute("ClosePolicy", StringValue(policy));
        nodes.Get(0)->AddApplication(c);
        c->SetStartTime(Seconds(0.1));
        return c;
    }

    portlab::TcpPortTable& Table(uint32_t node)
    {
        return nodes.Get(node)->GetObject<LinuxPortSpace>()->Host().Tcp();
    }

    NodeContainer nodes;
};

TEST_F(TcpProcess, FiftyRequestsCompleteAndLeaveClientTimeWaits)
{
    Build(true);
    Ptr<TcpServerProcess> s = Server();
    Ptr<TcpClientProcess> c = Client(100, 50);
    Simulator::Stop(Seconds(5));
    Simulator::Run();
    EXPECT_EQ(s->GetBindResult(), "ok");
    EXPECT_EQ(c->GetAttempted(), 50u);
    EXPECT_EQ(c->GetCompleted(), 50u) << "every request got its 100-byte response";
    EXPECT_EQ(s->GetServed(), 50u);
    EXPECT_EQ(Table(0).TimeWaitCount(), 50u) << "the client closed first";
    EXPECT_EQ(Table(1).TimeWaitCount(), 0u);
    EXPECT_EQ(c->GetOpen() + s->GetOpen(), 0u) << "nothing left open";
}

TEST_F(TcpProcess, TheSameProcessesRunOnNs3sOwnTcp)
{
    Build(false);
    Ptr<TcpServerProcess> s = Server();
    Ptr<TcpClientProcess> c = Client(100, 50);
    Simulator::Stop(Seconds(5));
    Simulator::Run();
    EXPECT_EQ(c->GetCompleted(), 50u);
    EXPECT_EQ(s->GetServed(), 50u);
}

TEST_F(TcpProcess, ClientTimeWaitsExhaustASmallRangeWithEaddrnotavail)
{
    Build(true, {{"ip_local_port_range", "40000 40009"}, {"tcp_tw_reuse", "0"}});
    Server();
    Ptr<TcpClientProcess> c = Client(100, 30);
    Simulator::Stop(Seconds(5));
    Simulator::Run();
    EXPECT_EQ(c->GetCompleted(), 10u) << "ten ports, each held by a TIME_WAIT for 60 s";
    ASSERT_EQ(c->GetFailures().count("EADDRNOTAVAIL"), 1u);
    EXPECT_EQ(c->GetFailures().at("EADDRNOTAVAIL"), 20u);
}

TEST_F(TcpProcess, ServerFirstPutsTheTimeWaitOnTheServer)
{
    Build(true);
    Server("server-first");
    Ptr<TcpClientProcess> c = Client(100, 20, "server-first");
    Simulator::Stop(Seconds(5));
    Simulator::Run();
    EXPECT_EQ(c->GetCompleted(), 20u);
    EXPECT_EQ(Table(1).TimeWaitCount(), 20u);
    EXPECT_EQ(Table(0).TimeWaitCount(), 0u);
}

TEST_F(TcpProcess, LingerZeroLeavesNoTimeWaitAnywhere)
{
    Build(true);
    Server();
    Ptr<TcpClientProcess> c = Client(100, 20, "linger0");
    Simulator::Stop(Seconds(5));
    Simulator::Run();
    EXPECT_EQ(c->GetCompleted(), 20u);
    EXPECT_EQ(Table(0).TimeWaitCount() + Table(1).TimeWaitCount(), 0u);
    EXPECT_EQ(Table(1).ConnectionCount(), 0u) << "the server's side was reset";
}

TEST_F(TcpProcess, ARefusedClientCountsEconnrefused)
{
    Build(true);
    Ptr<TcpClientProcess> c = Client(100, 5);
    Simulator::Stop(Seconds(2));
    Simulator::Run();
    ASSERT_EQ(c->GetFailures().count("ECONNREFUSED"), 1u);
    EXPECT_EQ(c->GetFailures().at("ECONNREFUSED"), 5u);
}

} // namespace
} // namespace portlab
