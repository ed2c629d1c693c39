/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// TcpServerProcess restarts (listener closed, new bind retried) and keep-alive connections.

#include "apps/process-helper.h"
#include "apps/tcp-client-process.h"
#include "apps/tcp-server-process.h"
#include "process-test-network.h"

namespace portlab
{
namespace
{

using namespace ns3;

class TcpServerRestart : public ProcessTestNetwork
{
  protected:
    Ptr<TcpServerProcess> Server(const std::string& policy, bool reuseAddr)
    {
        TcpServerProcessHelper h(Any(80));
        h.SetAttribute("ClosePolicy", StringValue(policy));
        h.SetAttribute("ReuseAddr", BooleanValue(reuseAddr));
        h.SetAttribute("RestartAt", TimeValue(Seconds(1)));
        ApplicationContainer apps = h.Install(nodes.Get(1));
        return DynamicCast<TcpServerProcess>(apps.Get(0));
    }

    Ptr<TcpClientProcess> Client(const std::string& policy, uint64_t n, double rate)
    {
        TcpClientProcessHelper h(Inet("10.1.1.2", 80));
        h.SetAttribute("ClosePolicy", StringValue(policy));
        h.SetAttribute("MaxConnections", UintegerValue(n));
        h.SetAttribute("Rate", DoubleValue(rate));
        ApplicationContainer apps = h.Install(nodes.Get(0));
        apps.Start(Seconds(0.1));
        ProcessHelper::AssignStreams(apps, 10);
        return DynamicCast<TcpClientProcess>(apps.Get(0));
    }
};

TEST_F(TcpServerRestart, WithReuseAddrAndClientClosingFirstTheNewBindSucceedsAtOnce)
{
    Chain(2);
    Ptr<TcpServerProcess> s = Server("client-first", true);
    Ptr<TcpClientProcess> c = Client("client-first", 150, 100); // 0.1 s to 1.6 s
    uint64_t acceptedAfterRestart = 0;
    s->TraceConnectWithoutContext(
        "Accept",
        Callback<void, Ptr<Socket>, const Address&>([&](Ptr<Socket>, const Address&) {
            acceptedAfterRestart += Simulator::Now() > Seconds(1) ? 1 : 0;
        }));
    Simulator::Stop(Seconds(3));
    Simulator::Run();
    const auto& h = s->GetBindHistory();
    ASSERT_EQ(h.size(), 2u) << "the first bind and one bind after the restart";
    EXPECT_EQ(h[0].second, "ok");
    EXPECT_EQ(h[1].second, "ok") << "SO_REUSEADDR on both listeners, no server TIME_WAIT";
    EXPECT_EQ(h[1].first, Seconds(1)) << "RestartDelay 0: bound when the old one closed";
    EXPECT_EQ(s->GetRestartBindAttempts(), 1u);
    EXPECT_EQ(s->GetRestartedAt(), Seconds(1));
    EXPECT_GT(acceptedAfterRestart, 50u) << "the new listener serves the later connections";
    EXPECT_GE(c->GetCompleted(), 148u) << "at most a handshake in flight at 1 s is lost";
}

TEST_F(TcpServerRestart, WithoutReuseAddrServerTimeWaitsGiveEaddrinuseUntilTheyExpire)
{
    Chain(2);
    Ptr<TcpServerProcess> s = Server("server-first", false);
    Ptr<TcpClientProcess> c = Client("server-first", 20, 100); // 0.1 s to 0.3 s
    Simulator::Stop(Seconds(65));
    Simulator::Run();
    EXPECT_EQ(c->GetCompleted(), 20u);
    const auto& h = s->GetBindHistory();
    ASSERT_GE(h.size(), 3u);
    EXPECT_EQ(h[1].second, "EADDRINUSE") << "the server's TIME_WAITs hold port 80";
    EXPECT_EQ(h.back().second, "ok") << "bound once the 60 s TIME_WAITs expired";
    for (size_t i = 1; i + 1 < h.size(); ++i)
    {
        EXPECT_EQ(h[i].second, "EADDRINUSE") << "attempt " << i << " at " << h[i].first;
    }
    EXPECT_GE(s->GetRestartedAt(), Seconds(60.1)) << "not before the last TIME_WAIT ends";
    EXPECT_LE(s->GetRestartedAt(), Seconds(61.4)) << "within one RestartRetryInterval of it";
    EXPECT_EQ(s->GetRestartBindAttempts(), h.size() - 1);
    EXPECT_TRUE(s->IsListening());
}

TEST_F(TcpServerRestart, RestartMaxAttemptsGivesUp)
{
    Chain(2);
    Ptr<TcpServerProcess> s = Server("server-first", false);
    s->SetAttribute("RestartMaxAttempts", UintegerValue(3));
    Client("server-first", 5, 100);
    Simulator::Stop(Seconds(10));
    Simulator::Run();
    EXPECT_EQ(s->GetRestartBindAttempts(), 3u) << "three attempts, then no more";
    EXPECT_EQ(s->GetRestartedAt(), Seconds(-1)) << "never bound again";
    EXPECT_FALSE(s->IsListening());
}

TEST_F(TcpServerRestart, KeepAliveThreeRequestsPerConnectionGiveThreeExchangesEach)
{
    Chain(2);
    TcpServerProcessHelper sh(Any(80));
    sh.SetAttribute("RequestsPerConnection", UintegerValue(3));
    auto s = DynamicCast<TcpServerProcess>(sh.Install(nodes.Get(1)).Get(0));
    TcpClientProcessHelper ch(Inet("10.1.1.2", 80));
    ch.SetAttribute("RequestsPerConnection", UintegerValue(3));
    ch.SetAttribute("MaxConnections", UintegerValue(10));
    ApplicationContainer capps = ch.Install(nodes.Get(0));
    capps.Start(Seconds(0.1));
    auto c = DynamicCast<TcpClientProcess>(capps.Get(0));
    Simulator::Stop(Seconds(2));
    Simulator::Run();
    EXPECT_EQ(c->GetConnected(), 10u);
    EXPECT_EQ(s->GetAccepted(), 10u);
    EXPECT_EQ(c->GetCompleted(), 30u) << "3 exchanges on each of the 10 connections";
    EXPECT_EQ(s->GetServed(), 30u);
    EXPECT_EQ(c->GetIncomplete(), 0u);
    EXPECT_EQ(Tcp(0).TimeWaitCount(), 10u) << "one TIME_WAIT per connection, not per exchange";
}

TEST_F(TcpServerRestart, KeepAliveServerFirstClosesAfterTheLastResponse)
{
    Chain(2);
    TcpServerProcessHelper sh(Any(80));
    sh.SetAttribute("RequestsPerConnection", UintegerValue(3));
    sh.SetAttribute("ClosePolicy", StringValue("server-first"));
    auto s = DynamicCast<TcpServerProcess>(sh.Install(nodes.Get(1)).Get(0));
    TcpClientProcessHelper ch(Inet("10.1.1.2", 80));
    ch.SetAttribute("RequestsPerConnection", UintegerValue(3));
    ch.SetAttribute("ClosePolicy", StringValue("server-first"));
    ch.SetAttribute("MaxConnections", UintegerValue(10));
    ApplicationContainer capps = ch.Install(nodes.Get(0));
    capps.Start(Seconds(0.1));
    auto c = DynamicCast<TcpClientProcess>(capps.Get(0));
    Simulator::Stop(Seconds(2));
    Simulator::Run();
    EXPECT_EQ(c->GetCompleted(), 30u);
    EXPECT_EQ(c->GetIncomplete(), 0u) << "the server waited for the third request";
    EXPECT_EQ(Tcp(1).TimeWaitCount(), 10u) << "the server closed first, once per connection";
}

} // namespace
} // namespace portlab
