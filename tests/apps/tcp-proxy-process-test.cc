/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// TcpProxyProcess: client (10.1.1.1) -> proxy (10.1.1.2 | 10.1.2.1) -> server (10.1.2.2).

#include "apps/process-helper.h"
#include "apps/tcp-client-process.h"
#include "apps/tcp-proxy-process.h"
#include "apps/tcp-server-process.h"
#include "process-test-network.h"

namespace portlab
{
namespace
{

using namespace ns3;

class TcpProxy : public ProcessTestNetwork
{
  protected:
    void Build()
    {
        Chain(3);
        TcpServerProcessHelper sh(Any(8080));
        server = DynamicCast<TcpServerProcess>(sh.Install(nodes.Get(2)).Get(0));
        TcpProxyProcessHelper ph(Any(80), Inet("10.1.2.2", 8080));
        proxy = DynamicCast<TcpProxyProcess>(ph.Install(nodes.Get(1)).Get(0));
    }

    Ptr<TcpClientProcess> Client(uint64_t n)
    {
        TcpClientProcessHelper h(Inet("10.1.1.2", 80));
        h.SetAttribute("MaxConnections", UintegerValue(n));
        ApplicationContainer apps = h.Install(nodes.Get(0));
        apps.Start(Seconds(0.1));
        return DynamicCast<TcpClientProcess>(apps.Get(0));
    }

    Ptr<TcpServerProcess> server;
    Ptr<TcpProxyProcess> proxy;
};

TEST_F(TcpProxy, RelaysEveryRequestOverItsOwnUpstreamConnection)
{
    Build();
    Ptr<TcpClientProcess> c = Client(20);
    Simulator::Stop(Seconds(2));
    Simulator::Run();
    EXPECT_EQ(proxy->GetBindResult(), "ok");
    EXPECT_EQ(c->GetCompleted(), 20u) << "every client got its response through the proxy";
    EXPECT_EQ(proxy->GetAccepted(), 20u);
    EXPECT_EQ(proxy->GetUpstreamAttempted(), 20u) << "one upstream connection per request";
    EXPECT_EQ(proxy->GetUpstreamConnected(), 20u);
    EXPECT_EQ(proxy->GetRelayed(), 20u);
    EXPECT_EQ(server->GetServed(), 20u);
    EXPECT_TRUE(proxy->GetUpstreamFailures().empty());
    EXPECT_EQ(Tcp(1).TimeWaitCount(), 20u) << "the proxy closed each upstream first";
    EXPECT_EQ(Tcp(2).TimeWaitCount(), 0u);
    EXPECT_EQ(Tcp(0).TimeWaitCount(), 20u) << "the client closed first towards the proxy";
    EXPECT_EQ(proxy->GetOpen() + proxy->GetUpstreamOpen(), 0u);
}

TEST_F(TcpProxy, ATinyEphemeralRangeOnTheProxyGivesUpstreamEaddrnotavail)
{
    Build();
    PortSpace(1)->SetAttribute("ip_local_port_range", StringValue("40000 40004"));
    PortSpace(1)->SetAttribute("tcp_tw_reuse", UintegerValue(0));
    std::vector<std::string> results;
    proxy->TraceConnectWithoutContext(
        "UpstreamResult",
        Callback<void, std::string>([&results](std::string r) { results.push_back(r); }));
    Ptr<TcpClientProcess> c = Client(20);
    Simulator::Stop(Seconds(2));
    Simulator::Run();
    EXPECT_EQ(c->GetConnected(), 20u) << "client -> proxy is unaffected";
    EXPECT_TRUE(c->GetFailures().empty());
    EXPECT_EQ(proxy->GetUpstreamConnected(), 5u) << "five ports, each then in TIME_WAIT";
    ASSERT_EQ(proxy->GetUpstreamFailures().count("EADDRNOTAVAIL"), 1u);
    EXPECT_EQ(proxy->GetUpstreamFailures().at("EADDRNOTAVAIL"), 15u);
    EXPECT_EQ(results.size(), 20u);
    EXPECT_EQ(proxy->GetRelayed(), 5u);
    EXPECT_EQ(c->GetCompleted(), 5u);
    EXPECT_EQ(c->GetIncomplete(), 15u) << "the proxy reset the clients it could not serve";
}

TEST_F(TcpProxy, UpstreamsRoundRobinAndKeepAliveClients)
{
    Chain(3);
    TcpServerProcessHelper sh(Any(8080));
    auto a = DynamicCast<TcpServerProcess>(sh.Install(nodes.Get(2)).Get(0));
    TcpServerProcessHelper sh2(Any(8081));
    auto b = DynamicCast<TcpServerProcess>(sh2.Install(nodes.Get(2)).Get(0));
    TcpProxyProcessHelper ph(Any(80), Address());
    ph.SetAttribute("Upstreams", StringValue("10.1.2.2:8080,10.1.2.2:8081"));
    ph.SetAttribute("RequestsPerConnection", UintegerValue(2));
    auto p = DynamicCast<TcpProxyProcess>(ph.Install(nodes.Get(1)).Get(0));
    TcpClientProcessHelper ch(Inet("10.1.1.2", 80));
    ch.SetAttribute("MaxConnections", UintegerValue(5));
    ch.SetAttribute("RequestsPerConnection", UintegerValue(2));
    ApplicationContainer capps = ch.Install(nodes.Get(0));
    capps.Start(Seconds(0.1));
    auto c = DynamicCast<TcpClientProcess>(capps.Get(0));
    Simulator::Stop(Seconds(2));
    Simulator::Run();
    EXPECT_EQ(c->GetCompleted(), 10u) << "2 exchanges on each of 5 client connections";
    EXPECT_EQ(p->GetAccepted(), 5u);
    EXPECT_EQ(p->GetUpstreamConnected(), 10u) << "a new upstream per request";
    EXPECT_EQ(a->GetServed(), 5u);
    EXPECT_EQ(b->GetServed(), 5u);
}

TEST_F(TcpProxy, ARefusedUpstreamIsCountedAndTheClientReset)
{
    Chain(3); // no server
    TcpProxyProcessHelper ph(Any(80), Inet("10.1.2.2", 8080));
    auto p = DynamicCast<TcpProxyProcess>(ph.Install(nodes.Get(1)).Get(0));
    Ptr<TcpClientProcess> c = Client(3);
    Simulator::Stop(Seconds(1));
    Simulator::Run();
    EXPECT_EQ(p->GetUpstreamFailures().at("ECONNREFUSED"), 3u);
    EXPECT_EQ(c->GetConnected(), 3u);
    EXPECT_EQ(c->GetIncomplete(), 3u);
    EXPECT_EQ(p->GetOpen() + p->GetUpstreamOpen(), 0u);
}

} // namespace
} // namespace portlab
