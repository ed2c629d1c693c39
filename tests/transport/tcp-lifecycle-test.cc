/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * TCP connection lifecycle over real ns-3 packets on LinuxStackHelper nodes.
 */

#include "link/lean-point-to-point-helper.h"
#include "link/point-to-point-link.h"
#include "ports/tcp-retransmit-rules.h"
#include "syn-recording.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"
#include "transport/linux-tcp-l4-protocol.h"
#include "transport/linux-tcp-socket.h"
#include "util/json-text.h"

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/pcap-file.h"
#include "ns3/point-to-point-module.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace portlab
{
namespace
{

using namespace ns3;

/// Two nodes over a 1 ms point-to-point link: 10.1.1.1 (client) and 10.1.1.2 (server).
class TcpLifecycle : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        RngSeedManager::SetSeed(1);
        RngSeedManager::SetRun(1);
        nodes.Create(2);
        stack.Install(nodes);
        devs = LinkPointToPoint(nodes, "1Gbps", "1ms");
        Ipv4GlobalRoutingHelper::PopulateRoutingTables();
        stack.AssignStreams(nodes, 7);
        RunFor(Seconds(0)); // ns-3 initialises nodes (traffic control, devices) at time 0
    }

    void TearDown() override
    {
        Simulator::Destroy();
    }

    static void RunFor(Time t)
    {
        Simulator::Stop(t);
        Simulator::Run();
    }

    Ptr<LinuxTcpSocket> Tcp(uint32_t node)
    {
        return DynamicCast<LinuxTcpSocket>(
            Socket::CreateSocket(nodes.Get(node), TcpSocketFactory::GetTypeId()));
    }

    Ptr<LinuxTcpSocket> Listener(uint16_t port, bool autoAccept = true)
    {
        Ptr<LinuxTcpSocket> l = Tcp(1);
        l->SetAttribute("AutoAccept", BooleanValue(autoAccept));
        EXPECT_EQ(l->Bind(InetSocketAddress(Ipv4Address::GetAny(), port)), 0);
        EXPECT_EQ(l->Listen(), 0);
        l->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                             Callback<void, Ptr<Socket>, const Address&>(
                                 [this](Ptr<Socket> s, const Address&) { accepted.push_back(s); }));
        return l;
    }

    portlab::TcpPortTable& Table(uint32_t node)
    {
        return nodes.Get(node)->GetObject<LinuxPortSpace>()->Host().Tcp();
    }

    void Sysctl(const std::string& name, const std::string& value)
    {
        for (uint32_t i = 0; i < nodes.GetN(); ++i)
        {
            nodes.Get(i)->GetObject<LinuxPortSpace>()->Host().Sysctls().Set(name, value);
        }
    }

    /// Record when node 0's TIME_WAIT entries enter and expire.
    void WatchTimeWait(Time& entered, Time& expired)
    {
        Ptr<LinuxPortSpace> ports = nodes.Get(0)->GetObject<LinuxPortSpace>();
        using Tw = Callback<void, Ipv4Address, uint16_t, Ipv4Address, uint16_t>;
        ports->TraceConnectWithoutContext(
            "TimeWaitEnter",
            Tw([&entered](Ipv4Address, uint16_t, Ipv4Address, uint16_t) {
                entered = Simulator::Now();
            }));
        ports->TraceConnectWithoutContext(
            "TimeWaitExpire",
            Tw([&expired](Ipv4Address, uint16_t, Ipv4Address, uint16_t) {
                expired = Simulator::Now();
            }));
    }

    /// Connect to server:80, then the client closes first and the server after it: the
    /// client ends in TIME_WAIT. \return node 0's TIME_WAIT entry
    portlab::TimeWaitEntry ClientClosesFirst()
    {
        Ptr<LinuxTcpSocket> c = Tcp(0);
        c->Connect(InetSocketAddress(server, 80));
        RunFor(MilliSeconds(10));
        c->Close();
        RunFor(MilliSeconds(10));
        accepted.at(accepted.size() - 1)->Close();
        RunFor(MilliSeconds(10));
        portlab::TimeWaitEntry tw{};
        Table(0).ForEach([](const portlab::TcpSocketView&) {},
                         [&tw](const portlab::TimeWaitEntry& e) { tw = e; });
        return tw;
    }

    NodeContainer nodes;
    LinuxStackHelper stack;
    NetDeviceContainer devs;
    std::vector<Ptr<Socket>> accepted;
    const Ipv4Address server{"10.1.1.2"};
};

TEST_F(TcpLifecycle, SocketsCreatedAfterConfigSetDefaultSeeTheNewDefaults)
{
    // Sockets are copied from a prototype; a default changed after it was built must still
    // reach the sockets created from then on, for LinuxTcpSocket's own attributes and for
    // those it inherits from ns3::TcpSocket, and a default changed back must too.
    IntegerValue backlog;
    UintegerValue sndBuf;
    Tcp(0)->GetAttribute("Backlog", backlog);
    Tcp(0)->GetAttribute("SndBufSize", sndBuf);
    int64_t oldBacklog = backlog.Get();
    uint64_t oldSndBuf = sndBuf.Get();
    Config::SetDefault("ns3::LinuxTcpSocket::Backlog", IntegerValue(oldBacklog + 7));
    Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(oldSndBuf + 1000));
    Tcp(0)->GetAttribute("Backlog", backlog);
    Tcp(0)->GetAttribute("SndBufSize", sndBuf);
    EXPECT_EQ(backlog.Get(), oldBacklog + 7) << "a new socket should take the new Backlog default";
    EXPECT_EQ(sndBuf.Get(), oldSndBuf + 1000)
        << "a new socket should take the new SndBufSize default";
    Config::SetDefault("ns3::LinuxTcpSocket::Backlog", IntegerValue(oldBacklog));
    Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(oldSndBuf));
    Tcp(0)->GetAttribute("Backlog", backlog);
    Tcp(0)->GetAttribute("SndBufSize", sndBuf);
    EXPECT_EQ(backlog.Get(), oldBacklog) << "the restored Backlog default should apply again";
    EXPECT_EQ(sndBuf.Get(), oldSndBuf) << "the restored SndBufSize default should apply again";
}

TEST_F(TcpLifecycle, SimultaneousCloseLeavesBothSidesInTimeWait)
{
    Listener(80);
    Ptr<LinuxTcpSocket> c = Tcp(0);
    ASSERT_EQ(c->Connect(InetSocketAddress(server, 80)), 0);
    RunFor(MilliSeconds(10));
    ASSERT_EQ(accepted.size(), 1u);
    c->Close();
    accepted[0]->Close(); // both FINs cross on the wire
    RunFor(MilliSeconds(10));
    EXPECT_EQ(Table(0).TimeWaitCount(), 1u) << "the client went CLOSING -> TIME_WAIT";
    EXPECT_EQ(Table(1).TimeWaitCount(), 1u) << "and so did the server";
}

TEST_F(TcpLifecycle, ClientTimeWaitLastsExactlySixtySecondsByDefault)
{
    Listener(80);
    Time entered;
    Time expired;
    WatchTimeWait(entered, expired);
    ClientClosesFirst();
    RunFor(Seconds(70));
    ASSERT_FALSE(entered.IsZero());
    EXPECT_EQ(expired - entered, Seconds(60)) << "TIME_WAIT is 60 s, no timer rounding";
    EXPECT_EQ(Table(0).TimeWaitCount(), 0u);
}

TEST_F(TcpLifecycle, TimerWheelRoundingForHz250EndsTimeWaitWithinTheKernelsWindow)
{
    nodes.Get(0)->GetObject<LinuxPortSpace>()->SetAttribute("Hz", UintegerValue(250));
    Listener(80);
    Time entered;
    Time expired;
    WatchTimeWait(entered, expired);
    RunFor(MilliSeconds(1234)); // an arbitrary phase against the wheel
    ClientClosesFirst();
    RunFor(Seconds(70));
    Time lived = expired - entered;
    // HZ=250: 15000 jiffies lands in wheel level 3, granularity 512 jiffies (2.048 s).
    EXPECT_GT(lived, Seconds(60));
    EXPECT_LE(lived, Seconds(60) + MilliSeconds(2048));
}

/// One recorded pair replayed on the model: SYN times and the give-up, from the first SYN.
struct ModelSynSchedule
{
    std::vector<TimeNs> synAt; //!< each SYN, from the first
    TimeNs gaveUp{0};          //!< ETIMEDOUT, from the first SYN
    Errno error{Errno::OK};    //!< connect()'s error
};

/// Replays every recorded (tcp_syn_retries, tcp_syn_linear_timeouts) pair of
/// tests/data/kernel-checks/syn-linear-timeouts.jsonl against a peer that drops every SYN, on a
/// client host with CONFIG_HZ \p hz (LinuxPortSpace Hz; 0 = exact timers).
class SynSchedules : public TcpLifecycle
{
  protected:
    std::vector<ModelSynSchedule> Replay(const SynRecording& rec, uint32_t hz)
    {
        nodes.Get(0)->GetObject<LinuxPortSpace>()->SetAttribute("Hz", UintegerValue(hz));
        Ptr<RateErrorModel> drop = CreateObject<RateErrorModel>();
        drop->SetAttribute("ErrorRate", DoubleValue(1.0));
        drop->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
        devs.Get(1)->SetAttribute("ReceiveErrorModel", PointerValue(drop));
        std::vector<Time> sent;
        devs.Get(0)->TraceConnectWithoutContext(
            "MacTx",
            Callback<void, Ptr<const Packet>>(
                [&sent](Ptr<const Packet>) { sent.push_back(Simulator::Now()); }));
        std::vector<ModelSynSchedule> out;
        for (const SynRecord& r : rec.pairs)
        {
            Sysctl("net.ipv4.tcp_syn_retries", std::to_string(r.synRetries));
            Sysctl("net.ipv4.tcp_syn_linear_timeouts", std::to_string(r.linearTimeouts));
            Ptr<LinuxTcpSocket> c = Tcp(0);
            Time failedAt;
            c->SetConnectCallback(MakeNullCallback<void, Ptr<Socket>>(),
                                  Callback<void, Ptr<Socket>>(
                                      [&failedAt](Ptr<Socket>) { failedAt = Simulator::Now(); }));
            sent.clear();
            const Time start = Simulator::Now();
            EXPECT_EQ(c->Connect(InetSocketAddress(server, 80)), 0);
            RunFor(Seconds(200));
            ModelSynSchedule m;
            for (Time t : sent)
            {
                m.synAt.push_back((t - start).GetNanoSeconds());
            }
            const TimeNs first = m.synAt.empty() ? 0 : m.synAt.front(); // as the recording counts
            for (TimeNs& t : m.synAt)
            {
                t -= first;
            }
            m.gaveUp = (failedAt - start).GetNanoSeconds() - first;
            m.error = c->GetLinuxErrno();
            out.push_back(m);
            // An arbitrary phase against the wheel for the next pair, as the recording had.
            RunFor(MilliSeconds(137));
        }
        return out;
    }
};

TEST_F(SynSchedules, SynRetransmissionsFollowTheLinuxRecordingForEveryRecordedPair)
{
    // tests/data/kernel-checks/syn-linear-timeouts.jsonl: Linux 6.18.44 (CONFIG_HZ=250), a peer
    // that drops every SYN, tcp_syn_retries 1-6 x tcp_syn_linear_timeouts 0, 2, 4, 8. With
    // exact timers (Hz 0) each SYN and the ETIMEDOUT must come when the kernel's, less its
    // timer-wheel lateness (SynScheduleDisagreement()): e.g. 6 and 4 give SYNs at 0, 1, 2, 3, 4,
    // 5, 7, 11, 19, 35, 67 s and ETIMEDOUT at 131 s in the model, 134.9 s on the kernel, whose
    // 64 s timer lands in a wheel level of 2.048 s granularity.
    const SynRecording rec = LoadSynRecording();
    ASSERT_FALSE(rec.pairs.empty());
    const std::vector<ModelSynSchedule> model = Replay(rec, 0);
    for (size_t i = 0; i < rec.pairs.size(); ++i)
    {
        ASSERT_FALSE(model[i].synAt.empty());
        EXPECT_EQ(SynScheduleDisagreement(model[i].synAt, model[i].gaveUp, rec.pairs[i], rec.hz),
                  "");
        EXPECT_EQ(model[i].error, Errno::TIMEDOUT)
            << "connect() should fail with ETIMEDOUT, as Linux's did";
    }
}

TEST_F(SynSchedules, WithTheRecordingKernelsHzTheGiveUpTimesLoseTheirLagBehindLinux)
{
    // Linux's retransmission timer is a timer_list: each timer fires up to its wheel level's
    // granularity late (32 ms for 1 s at HZ=250, 2.048 s for 32-64 s), so its give-up times run
    // behind the exact schedule (6/4: 134.9 s against 131 s). With Hz=250 the model's timers
    // are rounded the same way: for each of the 24 recorded pairs its give-up must be no earlier
    // than the exact one (TcpSynSentSchedule()) and nearer Linux's, and the mean lag behind
    // Linux's must shrink to under a third of the exact schedule's (measured: 1225 ms -> 225 ms;
    // the rest is the wheel's phase, which differs per boot).
    const SynRecording rec = LoadSynRecording();
    ASSERT_FALSE(rec.pairs.empty());
    const std::vector<ModelSynSchedule> wheel = Replay(rec, rec.hz);
    double lagExact = 0;
    double lagWheel = 0;
    for (size_t i = 0; i < rec.pairs.size(); ++i)
    {
        const SynRecord& r = rec.pairs[i];
        ASSERT_EQ(wheel[i].synAt.size(), r.synAt.size())
            << "tcp_syn_retries=" << r.synRetries << " linear=" << r.linearTimeouts
            << ": as many SYNs as Linux sent";
        EXPECT_EQ(wheel[i].error, Errno::TIMEDOUT);
        const TimeNs exact = TcpSynSentSchedule(r.synRetries, r.linearTimeouts).gaveUpAt;
        EXPECT_GE(wheel[i].gaveUp, exact)
            << "the wheel never fires a timer early (pair " << i << ")";
        EXPECT_LT(std::abs(r.gaveUp - wheel[i].gaveUp), r.gaveUp - exact)
            << "tcp_syn_retries=" << r.synRetries << " linear=" << r.linearTimeouts
            << ": with the kernel's HZ the give-up should be nearer Linux's than the exact one";
        lagExact += static_cast<double>(r.gaveUp - exact) / NS_PER_MS;
        lagWheel += static_cast<double>(r.gaveUp - wheel[i].gaveUp) / NS_PER_MS;
        std::cout << "tcp_syn_retries=" << r.synRetries << " linear=" << r.linearTimeouts
                  << ": Linux " << r.gaveUp / NS_PER_MS << " ms, exact " << exact / NS_PER_MS
                  << " ms, Hz=" << rec.hz << " " << wheel[i].gaveUp / NS_PER_MS << " ms\n";
    }
    lagExact /= static_cast<double>(rec.pairs.size());
    lagWheel /= static_cast<double>(rec.pairs.size());
    std::cout << "mean lag of Linux's give-up behind the model: exact timers " << lagExact
              << " ms, Hz=" << rec.hz << " " << lagWheel << " ms\n";
    EXPECT_GT(lagExact, 0) << "Linux gives up later than the exact schedule";
    EXPECT_LT(std::abs(lagWheel), lagExact / 3)
        << "with the kernel's HZ the model should carry the wheel's lateness";
}

TEST_F(TcpLifecycle, TcpSynRetriesDecidesWhenConnectGivesUpEvenWhenSetAfterTheSocket)
{
    // Measured on Linux 6.18 (tests/data/kernel-checks/syn-retries.out): ETIMEDOUT after 3, 7
    // and 19 s for tcp_syn_retries 1, 2 and 3. Linux reads the sysctl when the SYN timer
    // fires, so a socket created before the setting follows it too.
    Ptr<RateErrorModel> drop = CreateObject<RateErrorModel>();
    drop->SetAttribute("ErrorRate", DoubleValue(1.0));
    drop->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
    devs.Get(1)->SetAttribute("ReceiveErrorModel", PointerValue(drop));
    for (const auto& [retries, giveUp] : std::vector<std::pair<int, int>>{{1, 3}, {2, 7}, {3, 19}})
    {
        Ptr<LinuxTcpSocket> c = Tcp(0);
        Sysctl("net.ipv4.tcp_syn_retries", std::to_string(retries));
        const Time start = Simulator::Now();
        Time failedAt;
        c->SetConnectCallback(
            MakeNullCallback<void, Ptr<Socket>>(),
            Callback<void, Ptr<Socket>>([&failedAt](Ptr<Socket>) { failedAt = Simulator::Now(); }));
        ASSERT_EQ(c->Connect(InetSocketAddress(server, 80)), 0);
        RunFor(Seconds(40));
        EXPECT_EQ(failedAt - start, Seconds(giveUp))
            << "with tcp_syn_retries=" << retries << " connect() should give up after " << giveUp
            << " s, as Linux 6.18 does";
        EXPECT_EQ(c->GetLinuxErrno(), Errno::TIMEDOUT);
    }
    // TCP_SYNCNT (the SynCount attribute) wins over the sysctl.
    Ptr<LinuxTcpSocket> c = Tcp(0);
    c->SetAttribute("SynCount", UintegerValue(1));
    const Time start = Simulator::Now();
    ASSERT_EQ(c->Connect(InetSocketAddress(server, 80)), 0);
    RunFor(Seconds(2) + MilliSeconds(999));
    EXPECT_EQ(c->GetTcpState(), TcpState::SYN_SENT);
    RunFor(MilliSeconds(1));
    EXPECT_EQ(Simulator::Now() - start, Seconds(3));
    EXPECT_EQ(c->GetTcpState(), TcpState::CLOSE) << "TCP_SYNCNT 1 should give up after 3 s";
}

TEST_F(TcpLifecycle, EveryCallOnAClosedSocketFailsWithEbadfInsteadOfCrashing)
{
    // Linux: a closed descriptor is EBADF for every call (closed-and-odd-addresses.out).
    Listener(80);
    for (bool connected : {false, true})
    {
        Ptr<LinuxTcpSocket> c = Tcp(0);
        if (connected)
        {
            ASSERT_EQ(c->Connect(InetSocketAddress(server, 80)), 0);
            RunFor(MilliSeconds(10));
        }
        ASSERT_EQ(c->Close(), 0);
        const std::string when = connected ? " after closing a connection" : " after close()";
        EXPECT_EQ(c->Bind(InetSocketAddress(Ipv4Address::GetAny(), 0)), -1) << "bind" << when;
        EXPECT_EQ(c->GetLinuxErrno(), Errno::BADF) << "bind should be EBADF" << when;
        EXPECT_EQ(c->Listen(), -1) << "listen" << when;
        EXPECT_EQ(c->Connect(InetSocketAddress(server, 80)), -1) << "connect" << when;
        EXPECT_EQ(Ptr<Socket>(c)->Send(Create<Packet>(10)), -1) << "send" << when;
        EXPECT_EQ(Ptr<Socket>(c)->Recv(), nullptr) << "recv" << when;
        EXPECT_EQ(c->Accept(), nullptr) << "accept" << when;
        EXPECT_EQ(c->ShutdownSend(), -1) << "shutdown" << when;
        Address a;
        EXPECT_EQ(c->GetSockName(a), -1) << "getsockname" << when;
        EXPECT_EQ(c->Close(), -1) << "a second close" << when;
        EXPECT_EQ(c->GetLinuxErrno(), Errno::BADF) << "every call should be EBADF" << when;
        RunFor(MilliSeconds(10));
    }
}

TEST_F(TcpLifecycle, ASocketResetByItsPeerAnswersLaterCallsAsLinuxDoes)
{
    // Linux 6.18 (closed-and-odd-addresses.out): after an RST the socket is CLOSE but still
    // open: the error comes once (ECONNRESET), then send is EPIPE and recv EOF; bind may take
    // a new port (the old one went back), listen is EINVAL and connect EISCONN (still
    // SS_CONNECTED); getsockname keeps the old port.
    Ptr<LinuxTcpSocket> l = Listener(80);
    l->SetAttribute("Linger", BooleanValue(true)); // children copy SO_LINGER 0
    Ptr<LinuxTcpSocket> c = Tcp(0);
    c->SetAttribute("NonBlocking", BooleanValue(false)); // the recording's connect() blocked
    ASSERT_EQ(c->Connect(InetSocketAddress(server, 80)), 0);
    RunFor(MilliSeconds(10));
    ASSERT_EQ(accepted.size(), 1u);
    Address before;
    c->GetSockName(before);
    accepted[0]->Close(); // SO_LINGER 0: RST
    RunFor(MilliSeconds(10));
    ASSERT_EQ(c->GetTcpState(), TcpState::CLOSE);
    Address after;
    EXPECT_EQ(c->GetSockName(after), 0);
    EXPECT_EQ(InetSocketAddress::ConvertFrom(after).GetPort(),
              InetSocketAddress::ConvertFrom(before).GetPort())
        << "getsockname should keep the port after a reset";
    EXPECT_EQ(Ptr<Socket>(c)->Send(Create<Packet>(1)), -1);
    EXPECT_EQ(c->GetLinuxErrno(), Errno::CONNRESET) << "the first send reports the reset";
    EXPECT_EQ(Ptr<Socket>(c)->Send(Create<Packet>(1)), -1);
    EXPECT_EQ(c->GetLinuxErrno(), Errno::PIPE) << "the next send is EPIPE";
    Ptr<Packet> p = Ptr<Socket>(c)->Recv();
    ASSERT_NE(p, nullptr) << "recv after the reported reset should be EOF";
    EXPECT_EQ(p->GetSize(), 0u);
    EXPECT_EQ(c->Listen(), -1);
    EXPECT_EQ(c->GetLinuxErrno(), Errno::INVAL) << "listen on a once-connected socket is EINVAL";
    EXPECT_EQ(c->Connect(InetSocketAddress(server, 80)), -1);
    EXPECT_EQ(c->GetLinuxErrno(), Errno::ISCONN) << "connect again is EISCONN";
    EXPECT_EQ(c->Bind(InetSocketAddress(Ipv4Address("10.1.1.1"), 0)), 0)
        << "bind takes a new port: the connect()-chosen one was given back";
    EXPECT_EQ(c->Close(), 0);
}

TEST_F(TcpLifecycle, ARefusedConnectLeavesASocketThatMayConnectListenOrBind)
{
    // ns-3's Connect() is a non-blocking connect(). Linux 6.18 after a refused one
    // (tests/data/kernel-checks/nonblocking-connect.out): SO_ERROR reports the refusal once;
    // tcp_done() shut the socket down, so send is EPIPE and recv EOF; the socket is still
    // SS_CONNECTING, so listen is EINVAL and the next connect() collects the outcome
    // (ECONNABORTED once the error was read) and disconnects; the one after goes out.
    Listener(80);
    Ptr<LinuxTcpSocket> c = Tcp(0);
    ASSERT_EQ(c->Connect(InetSocketAddress(server, 81)), 0);
    RunFor(MilliSeconds(10));
    ASSERT_EQ(c->GetTcpState(), TcpState::CLOSE);
    EXPECT_EQ(c->TakeSocketError(), Errno::CONNREFUSED) << "SO_ERROR reports the refusal once";
    EXPECT_EQ(c->TakeSocketError(), Errno::OK);
    EXPECT_EQ(Ptr<Socket>(c)->Send(Create<Packet>(1)), -1);
    EXPECT_EQ(c->GetLinuxErrno(), Errno::PIPE);
    Ptr<Packet> eof = Ptr<Socket>(c)->Recv();
    ASSERT_NE(eof, nullptr) << "tcp_done() shut the socket down: recv is EOF";
    EXPECT_EQ(eof->GetSize(), 0u);
    EXPECT_EQ(c->Connect(InetSocketAddress(server, 80)), -1);
    EXPECT_EQ(c->GetLinuxErrno(), Errno::CONNABORTED)
        << "the next connect collects the outcome, whose error was already read";
    ASSERT_EQ(c->Connect(InetSocketAddress(server, 80)), 0) << "the one after goes out";
    RunFor(MilliSeconds(10));
    EXPECT_EQ(c->GetTcpState(), TcpState::ESTABLISHED);

    Ptr<LinuxTcpSocket> r = Tcp(0);
    ASSERT_EQ(r->Connect(InetSocketAddress(server, 81)), 0);
    RunFor(MilliSeconds(10));
    EXPECT_EQ(r->Listen(), -1) << "a refused connect nobody collected is still SS_CONNECTING";
    EXPECT_EQ(r->GetLinuxErrno(), Errno::INVAL);
    EXPECT_EQ(r->Connect(InetSocketAddress(server, 81)), -1);
    EXPECT_EQ(r->GetLinuxErrno(), Errno::CONNREFUSED) << "connect() reports the refusal";
    EXPECT_EQ(r->Listen(), 0) << "and leaves the socket unconnected: listen is allowed";
    EXPECT_EQ(r->GetTcpState(), TcpState::LISTEN);
}

TEST_F(TcpLifecycle, ABlockingConnectThatFailsReturnsTheErrorAndLeavesTheSocketUnconnected)
{
    // With NonBlocking off, Connect() is a blocking connect(): at the failure it returns the
    // error (sock_error() takes sk_err) and disconnects (SS_UNCONNECTED), so SO_ERROR is
    // clear and listen() is allowed at once; on success it is SS_CONNECTED: connect() again
    // is EISCONN (a non-blocking socket's next connect() would return 0 once).
    Listener(80);
    Ptr<LinuxTcpSocket> r = Tcp(0);
    r->SetAttribute("NonBlocking", BooleanValue(false));
    ASSERT_EQ(r->Connect(InetSocketAddress(server, 81)), 0);
    RunFor(MilliSeconds(10));
    EXPECT_EQ(r->GetLinuxErrno(), Errno::CONNREFUSED) << "the connect() returns the refusal";
    EXPECT_EQ(r->TakeSocketError(), Errno::OK) << "which it took from sk_err";
    EXPECT_EQ(r->Listen(), 0) << "the socket is unconnected again: listen is allowed";

    Ptr<LinuxTcpSocket> c = Tcp(0);
    c->SetAttribute("NonBlocking", BooleanValue(false));
    ASSERT_EQ(c->Connect(InetSocketAddress(server, 80)), 0);
    RunFor(MilliSeconds(10));
    ASSERT_EQ(c->GetTcpState(), TcpState::ESTABLISHED);
    EXPECT_EQ(c->Connect(InetSocketAddress(server, 80)), -1);
    EXPECT_EQ(c->GetLinuxErrno(), Errno::ISCONN) << "a blocking connect() left SS_CONNECTED";

    Ptr<LinuxTcpSocket> n = Tcp(0); // NonBlocking, the default
    ASSERT_EQ(n->Connect(InetSocketAddress(server, 80)), 0);
    RunFor(MilliSeconds(10));
    ASSERT_EQ(n->GetTcpState(), TcpState::ESTABLISHED);
    EXPECT_EQ(n->Connect(InetSocketAddress(server, 9)), 0)
        << "the first connect() after a non-blocking one's handshake returns 0";
    EXPECT_EQ(n->Connect(InetSocketAddress(server, 80)), -1);
    EXPECT_EQ(n->GetLinuxErrno(), Errno::ISCONN) << "and only the next is EISCONN";
}

TEST_F(TcpLifecycle, ConnectToMulticastOrBroadcastIsEnetunreachInsteadOfCrashing)
{
    // tcp_v4_connect(): a multicast or broadcast route is ENETUNREACH; Linux 6.18 answers so
    // for 224.0.0.1, 239.1.2.3, 255.255.255.255, the subnet broadcast and class E
    // (closed-and-odd-addresses.out).
    for (const char* dst : {"224.0.0.1", "239.1.2.3", "255.255.255.255", "10.1.1.255", "240.0.0.1"})
    {
        Ptr<LinuxTcpSocket> c = Tcp(0);
        EXPECT_EQ(c->Connect(InetSocketAddress(Ipv4Address(dst), 80)), -1)
            << "connect to " << dst << " should fail at once";
        EXPECT_EQ(c->GetLinuxErrno(), Errno::NETUNREACH)
            << "connect to " << dst << " should be ENETUNREACH";
    }
    // bind() to a multicast or broadcast address is allowed (inet_addr_valid_or_nonlocal()).
    for (const char* a : {"224.0.0.1", "255.255.255.255", "10.1.1.255"})
    {
        EXPECT_EQ(Tcp(0)->Bind(InetSocketAddress(Ipv4Address(a), 7000)), 0)
            << "bind to " << a << " should succeed as on Linux";
    }
    // Destination 0.0.0.0 is this host (ip_route_output_key_hash_rcu()).
    Listener(80);
    Ptr<LinuxTcpSocket> local = Tcp(1);
    ASSERT_EQ(local->Connect(InetSocketAddress(Ipv4Address::GetAny(), 80)), 0);
    RunFor(MilliSeconds(10));
    EXPECT_EQ(local->GetTcpState(), TcpState::ESTABLISHED)
        << "connect to 0.0.0.0:80 should reach the host's own listener";
}

TEST_F(TcpLifecycle, RefusedConnectionIsEconnrefused)
{
    Ptr<LinuxTcpSocket> c = Tcp(0);
    bool failed = false;
    c->SetConnectCallback(MakeNullCallback<void, Ptr<Socket>>(),
                          Callback<void, Ptr<Socket>>([&failed](Ptr<Socket>) { failed = true; }));
    ASSERT_EQ(c->Connect(InetSocketAddress(server, 81)), 0);
    RunFor(MilliSeconds(10));
    EXPECT_TRUE(failed);
    EXPECT_EQ(c->GetLinuxErrno(), Errno::CONNREFUSED);
}

TEST_F(TcpLifecycle, NewerSynReopensAServerSideTimeWait)
{
    // tcp_timestamps 1 (Linux 6.18.44: an offset per 4-tuple, so one 4-tuple's timestamps keep
    // rising) and 2 (no offset): either way the new SYN of the same 4-tuple is newer. Recorded
    // (tests/data/kernel-checks/timewait-syn-timestamps.jsonl, "same_tuple"): 10 of 10 taken at
    // once, server ISN tw_snd_nxt + 65537.
    for (const char* ts : {"1", "2"})
    {
        if (std::string(ts) == "2")
        {
            TearDown();
            accepted.clear();
            nodes = NodeContainer();
            SetUp();
        }
        Sysctl("tcp_timestamps", ts);
        Listener(80);
        Ptr<LinuxTcpSocket> c = Tcp(0);
        ASSERT_EQ(c->Bind(InetSocketAddress(Ipv4Address::GetAny(), 45000)), 0);
        c->Connect(InetSocketAddress(server, 80));
        RunFor(MilliSeconds(10));
        accepted.at(0)->Close(); // the server closes first: the TIME_WAIT is on the server
        RunFor(MilliSeconds(10));
        c->Close();
        RunFor(MilliSeconds(10));
        ASSERT_EQ(Table(1).TimeWaitCount(), 1u);
        Ptr<LinuxTcpSocket> again = Tcp(0);
        ASSERT_EQ(again->Bind(InetSocketAddress(Ipv4Address::GetAny(), 45000)), 0);
        ASSERT_EQ(again->Connect(InetSocketAddress(server, 80)), 0);
        RunFor(MilliSeconds(10));
        EXPECT_EQ(again->GetTcpState(), TcpState::ESTABLISHED)
            << "tcp_timestamps=" << ts << ": a SYN with a newer timestamp reopens the 4-tuple";
        EXPECT_EQ(Table(1).TimeWaitCount(), 0u);
        EXPECT_EQ(Table(1).Counters().timeWaitKilled, 1u);
        EXPECT_EQ(accepted.size(), 2u);
    }
}

TEST_F(TcpLifecycle, RetransmittedFinIsReackedAndRestartsTheTimerThenRstAssassinates)
{
    Listener(80);
    portlab::TimeWaitEntry tw = ClientClosesFirst();
    ASSERT_EQ(Table(0).TimeWaitCount(), 1u);
    const TimeNs firstExpiry = tw.expiry;
    RunFor(Seconds(5));
    // The server's FIN again, as if our last ACK had been lost.
    TcpHeader fin;
    fin.SetSourcePort(80);
    fin.SetDestinationPort(tw.tuple.localPort);
    fin.SetSequenceNumber(SequenceNumber32(tw.rcvNxt - 1));
    fin.SetAckNumber(SequenceNumber32(tw.sndNxt));
    fin.SetFlags(TcpHeader::FIN | TcpHeader::ACK);
    Ptr<LinuxTcpL4Protocol> serverTcp = nodes.Get(1)->GetObject<LinuxTcpL4Protocol>();
    serverTcp->SendSegment(nullptr, fin, server, Ipv4Address("10.1.1.1"));
    RunFor(MicroSeconds(1500)); // the FIN has arrived; the ACK is on its way back
    portlab::TimeWaitEntry after{};
    Table(0).ForEach([](const portlab::TcpSocketView&) {},
                     [&after](const portlab::TimeWaitEntry& e) { after = e; });
    ASSERT_EQ(Table(0).TimeWaitCount(), 1u);
    EXPECT_GT(after.expiry, firstExpiry + 4 * NS_PER_SECOND) << "the timer restarted at 60 s";
    // The server has no connection any more, so it answers our ACK with an RST, which is in
    // window: TIME_WAIT assassination (tcp_rfc1337 = 0).
    RunFor(MilliSeconds(5));
    EXPECT_EQ(Table(0).TimeWaitCount(), 0u);
    EXPECT_EQ(Table(0).Counters().timeWaitKilled, 1u);
}

TEST_F(TcpLifecycle, Rfc1337KeepsTimeWaitAliveAgainstRst)
{
    Sysctl("tcp_rfc1337", "1");
    Listener(80);
    portlab::TimeWaitEntry tw = ClientClosesFirst();
    TcpHeader rst;
    rst.SetSourcePort(80);
    rst.SetDestinationPort(tw.tuple.localPort);
    rst.SetSequenceNumber(SequenceNumber32(tw.rcvNxt));
    rst.SetFlags(TcpHeader::RST);
    nodes.Get(1)->GetObject<LinuxTcpL4Protocol>()->SendSegment(nullptr,
                                                               rst,
                                                               server,
                                                               Ipv4Address("10.1.1.1"));
    RunFor(MilliSeconds(5));
    EXPECT_EQ(Table(0).TimeWaitCount(), 1u) << "tcp_rfc1337=1 ignores RST in TIME_WAIT";
}

/// A SYN meeting a server TIME_WAIT of its 4-tuple with an unrelated TSval, on a client host
/// with CONFIG_HZ \p hz: connect() must complete after [earliest, latest] when resent.
class SynIntoTimeWait : public TcpLifecycle
{
  protected:
    void Check(uint32_t hz, Time earliest, Time latest)
    {
        // A SYN that meets a server TIME_WAIT of its 4-tuple with a TSval of another offset, as
        // when another client behind a NAT gets the same public port: recorded on Linux 6.18.44
        // (tests/data/kernel-checks/timewait-syn-timestamps.jsonl, "other_tuples"), the TIME_WAIT
        // took the SYN at once iff its TSval was newer than ts_recent (11 of 24), else it answered
        // with a bare ACK, the client sent an RST (killing the TIME_WAIT) and its SYN again
        // TCP_TIMEOUT_MIN later, which a listener took (13 of 24, connect() 9.1-15.5 ms at HZ=250).
        // Here the client's first connection of each 4-tuple has an offset (portlab.tcp_ts_offset
        // 2) and its second none (0): an unrelated TSval, older about half the time.
        nodes.Get(0)->GetObject<LinuxPortSpace>()->SetAttribute("Hz", UintegerValue(hz));
        Listener(80);
        uint32_t rstSent = 0;
        nodes.Get(0)->GetObject<LinuxTcpL4Protocol>()->TraceConnectWithoutContext(
            "RstSent",
            Callback<void, const TcpHeader&, Ipv4Address, Ipv4Address>(
                [&rstSent](const TcpHeader&, Ipv4Address, Ipv4Address) { ++rstSent; }));
        int immediate = 0;
        int resent = 0;
        for (uint16_t port = 45000; port < 45016; ++port)
        {
            Sysctl("portlab.tcp_ts_offset", "2");
            Ptr<LinuxTcpSocket> c = Tcp(0);
            ASSERT_EQ(c->Bind(InetSocketAddress(Ipv4Address::GetAny(), port)), 0);
            c->Connect(InetSocketAddress(server, 80));
            RunFor(MilliSeconds(10));
            accepted.back()->Close(); // the server closes first: the TIME_WAIT is on the server
            RunFor(MilliSeconds(10));
            c->Close();
            RunFor(MilliSeconds(500));
            uint32_t tsRecent = 0;
            bool found = false;
            Table(1).ForEach([](const portlab::TcpSocketView&) {},
                             [&](const portlab::TimeWaitEntry& e) {
                                 if (e.tuple.remotePort == port)
                                 {
                                     tsRecent = e.tsRecent;
                                     found = true;
                                 }
                             });
            ASSERT_TRUE(found) << "port " << port << ": the server should hold the TIME_WAIT";
            const size_t timeWaits = Table(1).TimeWaitCount();
            Sysctl("portlab.tcp_ts_offset", "0");
            const bool newer =
                static_cast<int32_t>(LinuxTcpL4Protocol::TcpClockMs() - tsRecent) > 0;
            const uint32_t rstBefore = rstSent;
            const size_t acceptedBefore = accepted.size();
            Ptr<LinuxTcpSocket> again = Tcp(0);
            Time connected;
            again->SetConnectCallback(Callback<void, Ptr<Socket>>([&connected](Ptr<Socket>) {
                                          connected = Simulator::Now();
                                      }),
                                      MakeNullCallback<void, Ptr<Socket>>());
            ASSERT_EQ(again->Bind(InetSocketAddress(Ipv4Address::GetAny(), port)), 0);
            const Time start = Simulator::Now();
            ASSERT_EQ(again->Connect(InetSocketAddress(server, 80)), 0);
            RunFor(MilliSeconds(100));
            ASSERT_EQ(again->GetTcpState(), TcpState::ESTABLISHED)
                << "port " << port << ": the connection should succeed either way, as on Linux";
            EXPECT_EQ(accepted.size(), acceptedBefore + 1);
            EXPECT_EQ(Table(1).TimeWaitCount(), timeWaits - 1) << "the 4-tuple's TIME_WAIT is gone";
            if (newer)
            {
                ++immediate;
                EXPECT_EQ(rstSent, rstBefore)
                    << "port " << port << ": a newer TSval is taken at once";
                EXPECT_LT(connected - start, MilliSeconds(3))
                    << "one round trip over the 1 ms link";
            }
            else
            {
                ++resent;
                EXPECT_EQ(rstSent, rstBefore + 1)
                    << "port " << port << ": an older TSval gets an ACK, which the client resets";
                EXPECT_GE(connected - start, earliest);
                EXPECT_LE(connected - start, latest)
                    << "port " << port << ": SYN and ACK, TCP_TIMEOUT_MIN (2 jiffies at HZ=" << hz
                    << ", on the timer wheel), then SYN and SYN-ACK";
            }
            again->Close();
            accepted.back()->Close();
            RunFor(Seconds(1));
        }
        EXPECT_GT(immediate, 0) << "some of 16 unrelated offsets should give a newer TSval";
        EXPECT_GT(resent, 0) << "some of 16 unrelated offsets should give an older TSval";
    }
};

TEST_F(SynIntoTimeWait, ASynWithAnOlderTimestampIsAckedResetAndResentAfterTcpTimeoutMin)
{
    // Exact timers (Hz 0): two 1 ms round trips and TCP_TIMEOUT_MIN of 2 ms (1 ms jiffies).
    Check(0, MilliSeconds(6), MilliSeconds(6) + MicroSeconds(999));
}

TEST_F(SynIntoTimeWait, AtHz250TheResentSynWaitsTwoToThreeJiffiesAsTheRecordingKernelDid)
{
    // CONFIG_HZ=250, the recording kernel's: TCP_TIMEOUT_MIN is 2 jiffies (8 ms) and a level-0
    // timer fires one jiffy after its expiry, so 8-12 ms after the ACK (the kernel's connect()
    // took 9.1-15.5 ms over a veth pair, with a user-space clock), plus two 1 ms round trips.
    Check(250, MilliSeconds(12), MilliSeconds(16));
}

TEST_F(TcpLifecycle, WithRfc1337AnOlderSynNeverGetsThroughAndTheTimeWaitAcksAtMostTwiceASecond)
{
    // Recorded on Linux 6.18.44 (timewait-syn-timestamps.jsonl, "rfc1337": server
    // tcp_rfc1337=1, client tcp_syn_retries=2, a SYN older than the TIME_WAIT's ts_recent):
    // SYNs at 0, 11, 1019, 2043, 3063, 4092, 6111 ms, ETIMEDOUT at 10.27 s; the TIME_WAIT
    // answered every SYN with an ACK (which the client reset, in vain) except the one 11 ms
    // after the first: tcp_invalid_ratelimit (500 ms) holds its ACK back.
    const auto rec = [] {
        std::ifstream in(std::string(PORTLAB_KERNEL_CHECKS_DIR) + "/timewait-syn-timestamps.jsonl");
        std::string line;
        while (std::getline(in, line))
        {
            const Json j = ParseJson(line);
            if (j.at("check") == "rfc1337" && j.at("result") == "ETIMEDOUT")
            {
                return j;
            }
        }
        return Json();
    }();
    ASSERT_FALSE(rec.is_null()) << "the recording should hold a refused connect() with rfc1337";
    std::vector<TimeNs> recSyns;
    size_t recAcks = 0;
    for (const auto& seg : rec.at("segments"))
    {
        if (seg.at(1) == "c:S")
        {
            recSyns.push_back(static_cast<TimeNs>(seg.at(0).get<double>() * NS_PER_MS));
        }
        recAcks += seg.at(1) == "s:A" ? 1 : 0;
    }
    SynRecord want;
    want.synRetries = 2;
    want.linearTimeouts = 4;
    want.synAt = recSyns;
    want.gaveUp = static_cast<TimeNs>(rec.at("connect_ms").get<double>() * NS_PER_MS);

    Listener(80);
    nodes.Get(1)->GetObject<LinuxPortSpace>()->Host().Sysctls().Set("tcp_rfc1337", "1");
    nodes.Get(0)->GetObject<LinuxPortSpace>()->Host().Sysctls().Set("tcp_syn_retries", "2");
    // Segments as they leave each node: (time, TCP flags).
    std::vector<std::pair<Time, uint8_t>> fromClient;
    std::vector<std::pair<Time, uint8_t>> fromServer;
    auto log = [](std::vector<std::pair<Time, uint8_t>>& to) {
        return Callback<void, Ptr<const Packet>>([&to](Ptr<const Packet> p) {
            Ptr<Packet> c = p->Copy();
            PppHeader ppp;
            Ipv4Header ip;
            TcpHeader tcp;
            c->RemoveHeader(ppp);
            c->RemoveHeader(ip);
            c->PeekHeader(tcp);
            to.emplace_back(Simulator::Now(), tcp.GetFlags());
        });
    };
    devs.Get(0)->TraceConnectWithoutContext("MacTx", log(fromClient));
    devs.Get(1)->TraceConnectWithoutContext("MacTx", log(fromServer));
    for (uint16_t port = 45000; port < 45032; ++port)
    {
        Sysctl("portlab.tcp_ts_offset", "2");
        Ptr<LinuxTcpSocket> c = Tcp(0);
        ASSERT_EQ(c->Bind(InetSocketAddress(Ipv4Address::GetAny(), port)), 0);
        c->Connect(InetSocketAddress(server, 80));
        RunFor(MilliSeconds(10));
        accepted.back()->Close();
        RunFor(MilliSeconds(10));
        c->Close();
        RunFor(MilliSeconds(500));
        uint32_t tsRecent = 0;
        Table(1).ForEach([](const portlab::TcpSocketView&) {},
                         [&](const portlab::TimeWaitEntry& e) {
                             if (e.tuple.remotePort == port)
                             {
                                 tsRecent = e.tsRecent;
                             }
                         });
        Sysctl("portlab.tcp_ts_offset", "0");
        if (static_cast<int32_t>(LinuxTcpL4Protocol::TcpClockMs() - tsRecent) > 0)
        {
            continue; // a newer TSval: taken at once; look for an older one
        }
        const size_t timeWaits = Table(1).TimeWaitCount();
        fromClient.clear();
        fromServer.clear();
        Ptr<LinuxTcpSocket> again = Tcp(0);
        Time failedAt;
        again->SetConnectCallback(
            MakeNullCallback<void, Ptr<Socket>>(),
            Callback<void, Ptr<Socket>>([&failedAt](Ptr<Socket>) { failedAt = Simulator::Now(); }));
        ASSERT_EQ(again->Bind(InetSocketAddress(Ipv4Address::GetAny(), port)), 0);
        const Time start = Simulator::Now();
        ASSERT_EQ(again->Connect(InetSocketAddress(server, 80)), 0);
        RunFor(Seconds(20));
        EXPECT_EQ(again->GetLinuxErrno(), Errno::TIMEDOUT)
            << "with tcp_rfc1337 the RST cannot clear the TIME_WAIT: connect() times out";
        EXPECT_EQ(Table(1).TimeWaitCount(), timeWaits) << "the TIME_WAIT survives";
        std::vector<TimeNs> syns;
        for (const auto& [t, flags] : fromClient)
        {
            if (flags == TcpHeader::SYN)
            {
                syns.push_back((t - start).GetNanoSeconds());
            }
        }
        EXPECT_EQ(SynScheduleDisagreement(syns, (failedAt - start).GetNanoSeconds(), want, 250),
                  "");
        EXPECT_EQ(fromServer.size(), recAcks)
            << "the TIME_WAIT should ACK every SYN but the one TCP_TIMEOUT_MIN after the first "
               "(tcp_invalid_ratelimit), as Linux did";
        return;
    }
    FAIL() << "none of 32 unrelated offsets gave an older TSval";
}

TEST_F(TcpLifecycle, WithoutTimestampsTheNewIsnReopensAServerSideTimeWaitEveryTime)
{
    // tcp_v4_init_seq(): the ISN is a keyed hash of the 4-tuple plus a 64 ns clock, so the new
    // SYN's sequence is after the old connection's and the TIME_WAIT takes it at once
    // (tcp_timewait_state_process: "after(seq, rcv_nxt)"); Linux 6.18 does so every time. A
    // random ISN would be rejected about half the time (ACK, RST, resend).
    Sysctl("tcp_timestamps", "0");
    Listener(80);
    for (uint16_t port = 45000; port < 45016; ++port) // 16 4-tuples: 16 unrelated ISN pairs
    {
        Ptr<LinuxTcpSocket> c = Tcp(0);
        ASSERT_EQ(c->Bind(InetSocketAddress(Ipv4Address::GetAny(), port)), 0);
        c->Connect(InetSocketAddress(server, 80));
        RunFor(MilliSeconds(10));
        accepted.back()->Close();
        RunFor(MilliSeconds(10));
        c->Close();
        RunFor(Seconds(5)); // time passes: the new ISN must still be later
        ASSERT_EQ(Table(1).TimeWaitCount(), 1u);
        Ptr<LinuxTcpSocket> again = Tcp(0);
        ASSERT_EQ(again->Bind(InetSocketAddress(Ipv4Address::GetAny(), port)), 0);
        ASSERT_EQ(again->Connect(InetSocketAddress(server, 80)), 0);
        RunFor(MilliSeconds(3)); // one round trip over the 1 ms link; no time for a resend
        EXPECT_EQ(again->GetTcpState(), TcpState::ESTABLISHED)
            << "port " << port << ": without timestamps the SYN is after the TIME_WAIT's sequence";
        EXPECT_EQ(Table(1).TimeWaitCount(), 0u) << "port " << port << ": the SYN took it over";
        again->Close();
        accepted.back()->Close();
        RunFor(Seconds(1));
    }
}

TEST_F(TcpLifecycle, AcceptQueueOverflowDropsTheFinalAckOrResetsWithAbortOnOverflow)
{
    for (bool abort : {false, true})
    {
        if (abort)
        {
            TearDown();
            accepted.clear();
            nodes = NodeContainer();
            SetUp();
            Sysctl("tcp_abort_on_overflow", "1");
        }
        Ptr<LinuxTcpSocket> l = Tcp(1);
        l->SetAttribute("AutoAccept", BooleanValue(false));
        l->SetAttribute("Backlog", IntegerValue(1));
        ASSERT_EQ(l->Bind(InetSocketAddress(Ipv4Address::GetAny(), 80)), 0);
        ASSERT_EQ(l->Listen(), 0);
        std::vector<Ptr<LinuxTcpSocket>> clients;
        for (int i = 0; i < 5; ++i)
        {
            clients.push_back(Tcp(0));
            clients.back()->Connect(InetSocketAddress(server, 80)); // all SYNs at once
        }
        RunFor(MilliSeconds(20));
        EXPECT_EQ(l->GetAcceptQueueLength(), 2u) << "backlog 1 holds backlog + 1 connections";
        int reset = 0;
        for (const auto& c : clients)
        {
            reset += c->GetLinuxErrno() == Errno::CONNRESET ? 1 : 0;
        }
        if (abort)
        {
            EXPECT_EQ(reset, 3) << "tcp_abort_on_overflow=1 resets the three that did not fit";
            continue;
        }
        EXPECT_EQ(reset, 0) << "by default the final ACK is dropped, the handshake stays open";
        // The application drains the queue; SYN-ACK retransmissions complete the rest.
        int taken = 0;
        for (int t = 0; t < 100; ++t)
        {
            while (l->Accept())
            {
                ++taken;
            }
            RunFor(MilliSeconds(100));
        }
        EXPECT_EQ(taken, 5) << "every connection is eventually accepted";
    }
}

TEST_F(TcpLifecycle, ClosingAReuseportListenerLosesItsQueueUnlessTcpMigrateReq)
{
    for (bool migrate : {false, true})
    {
        if (migrate)
        {
            TearDown();
            accepted.clear();
            nodes = NodeContainer();
            SetUp();
            Sysctl("tcp_migrate_req", "1");
        }
        std::vector<Ptr<LinuxTcpSocket>> ls;
        for (int i = 0; i < 2; ++i)
        {
            Ptr<LinuxTcpSocket> l = Tcp(1);
            l->SetAttribute("AutoAccept", BooleanValue(false));
            l->SetAttribute("ReusePort", BooleanValue(true));
            ASSERT_EQ(l->Bind(InetSocketAddress(Ipv4Address::GetAny(), 80)), 0);
            ASSERT_EQ(l->Listen(), 0);
            ls.push_back(l);
        }
        std::vector<Ptr<LinuxTcpSocket>> clients;
        for (int i = 0; i < 40; ++i)
        {
            clients.push_back(Tcp(0));
            clients.back()->Connect(InetSocketAddress(server, 80));
        }
        RunFor(MilliSeconds(20));
        uint32_t onFirst = ls[0]->GetAcceptQueueLength();
        ASSERT_GT(onFirst, 0u);
        ASSERT_EQ(onFirst + ls[1]->GetAcceptQueueLength(), 40u);
        ls[0]->Close();
        RunFor(MilliSeconds(20));
        int reset = 0;
        for (const auto& c : clients)
        {
            reset += c->GetLinuxErrno() == Errno::CONNRESET ? 1 : 0;
        }
        if (migrate)
        {
            EXPECT_EQ(reset, 0);
            EXPECT_EQ(ls[1]->GetAcceptQueueLength(), 40u) << "children migrated to the survivor";
        }
        else
        {
            EXPECT_EQ(reset, static_cast<int>(onFirst)) << "the closed listener's queue gets RST";
            EXPECT_EQ(ls[1]->GetAcceptQueueLength(), 40u - onFirst);
        }
    }
}

TEST_F(TcpLifecycle, HandshakesAndTeardownsCompleteOverALossyLink)
{
    for (uint32_t i = 0; i < 2; ++i)
    {
        Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
        em->SetAttribute("ErrorRate", DoubleValue(0.1));
        em->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
        em->SetAttribute(
            "RanVar",
            StringValue("ns3::UniformRandomVariable[Stream=" + std::to_string(50 + i) + "]"));
        devs.Get(i)->SetAttribute("ReceiveErrorModel", PointerValue(em));
    }
    Ptr<LinuxTcpSocket> l = Listener(80);
    std::vector<uint32_t> received;
    std::vector<Ptr<LinuxTcpSocket>> clients;
    for (int i = 0; i < 20; ++i)
    {
        Ptr<LinuxTcpSocket> c = Tcp(0);
        // Send and close once connected (close() during SYN_SENT would abort the attempt).
        c->SetConnectCallback(Callback<void, Ptr<Socket>>([](Ptr<Socket> s) {
                                  s->Send(Create<Packet>(3000), 0);
                                  s->Close();
                              }),
                              MakeNullCallback<void, Ptr<Socket>>());
        c->Connect(InetSocketAddress(server, 80));
        clients.push_back(c);
    }
    RunFor(Seconds(300));
    uint32_t bytes = 0;
    for (const auto& a : accepted)
    {
        while (Ptr<Packet> p = a->Recv(100000, 0))
        {
            if (p->GetSize() == 0)
            {
                break;
            }
            bytes += p->GetSize();
        }
        a->Close();
    }
    RunFor(Seconds(300));
    EXPECT_EQ(accepted.size(), 20u) << "every handshake completes despite 10% loss";
    EXPECT_EQ(bytes, 20u * 3000u) << "every byte arrives, in order";
    EXPECT_EQ(Table(0).SocketCount(), 0u) << "every client socket is gone after teardown";
    EXPECT_EQ(Table(1).ConnectionCount(), 0u) << "no server connection is left behind";
}

TEST_F(TcpLifecycle, BulkSendDeliversExactlyNBytesToPacketSink)
{
    const uint32_t n = 1000000;
    PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 9));
    ApplicationContainer sinkApp = sink.Install(nodes.Get(1));
    BulkSendHelper bulk("ns3::TcpSocketFactory", InetSocketAddress(server, 9));
    bulk.SetAttribute("MaxBytes", UintegerValue(n));
    ApplicationContainer bulkApp = bulk.Install(nodes.Get(0));
    sinkApp.Start(Seconds(0));
    bulkApp.Start(Seconds(0.1));
    RunFor(Seconds(30));
    EXPECT_EQ(DynamicCast<PacketSink>(sinkApp.Get(0))->GetTotalRx(), n);
}

TEST_F(TcpLifecycle, PcapShowsTheHandshakeAndTeardownInOrder)
{
    char dir[] = "/tmp/portlab-pcap-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    std::string file = std::string(dir) + "/conn.pcap";
    LeanPointToPointHelper().EnablePcap(file, devs.Get(0), false, true);
    Listener(80);
    Ptr<LinuxTcpSocket> c = Tcp(0);
    c->Connect(InetSocketAddress(server, 80));
    RunFor(MilliSeconds(10));
    c->Close();
    RunFor(MilliSeconds(10));
    accepted.at(0)->Close();
    RunFor(MilliSeconds(10));
    // Drop every reference to the devices so the capture file is closed (and flushed).
    c = nullptr;
    accepted.clear();
    devs = NetDeviceContainer();
    nodes = NodeContainer();
    Simulator::Destroy();
    // pcap: 24-byte file header, then per packet a 16-byte record header (incl_len at +8).
    std::ifstream in(file, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GE(bytes.size(), 24u) << "cannot read " << file;
    std::vector<std::string> seen;
    for (size_t off = 24; off + 16 <= bytes.size();)
    {
        uint32_t incl = 0;
        std::memcpy(&incl, &bytes[off + 8], 4);
        const auto* pkt = reinterpret_cast<const uint8_t*>(&bytes[off + 16]);
        off += 16 + incl;
        const uint8_t* ip = pkt + 2; // PPP header
        if (incl < 2 + 20 || ip[9] != 6)
        {
            continue;
        }
        const uint8_t* tcp = ip + (ip[0] & 0x0f) * 4;
        uint8_t fl = tcp[13];
        std::string flags;
        flags += (fl & 0x02) ? "S" : "";
        flags += (fl & 0x01) ? "F" : "";
        flags += (fl & 0x04) ? "R" : "";
        flags += (fl & 0x10) ? "A" : "";
        seen.push_back(flags);
    }
    std::remove(file.c_str());
    rmdir(dir);
    std::vector<std::string> want{"S", "SA", "A", "FA", "A", "FA", "A"};
    EXPECT_EQ(seen, want) << "SYN, SYN-ACK, ACK, FIN, ACK, FIN, ACK";
}

TEST_F(TcpLifecycle, AnOrphanInFinWait2GivesUpAfterTcpFinTimeout)
{
    Sysctl("tcp_fin_timeout", "30");
    Listener(80);
    Ptr<LinuxTcpSocket> c = Tcp(0);
    c->Connect(InetSocketAddress(server, 80));
    RunFor(MilliSeconds(10));
    c->Close(); // the server never closes: the client waits in FIN_WAIT2
    RunFor(Seconds(29));
    EXPECT_EQ(Table(0).ConnectionCount(), 1u) << "still in FIN_WAIT2 before tcp_fin_timeout";
    RunFor(Seconds(2));
    EXPECT_EQ(Table(0).ConnectionCount(), 0u) << "gone after tcp_fin_timeout (30 s)";
    EXPECT_EQ(Table(0).TimeWaitCount(), 0u);
}

TEST_F(TcpLifecycle, ClosingWithUnreadDataSendsRstAndSkipsTimeWait)
{
    Listener(80);
    Ptr<LinuxTcpSocket> c = Tcp(0);
    c->Connect(InetSocketAddress(server, 80));
    RunFor(MilliSeconds(10));
    c->Send(Create<Packet>(100), 0);
    RunFor(MilliSeconds(10));
    ASSERT_EQ(accepted.size(), 1u);
    accepted[0]->Close(); // 100 bytes never read (RFC 2525)
    RunFor(MilliSeconds(10));
    EXPECT_EQ(c->GetLinuxErrno(), Errno::CONNRESET);
    EXPECT_EQ(Table(1).TimeWaitCount(), 0u);
    EXPECT_EQ(Table(0).TimeWaitCount(), 0u);
}

TEST_F(TcpLifecycle, TwReuseTakesOverOnlyAfterTheDelayAndOnlyWithTimestamps)
{
    for (const char* ts : {"1", "0"})
    {
        if (std::string(ts) == "0")
        {
            TearDown();
            accepted.clear();
            nodes = NodeContainer();
            SetUp();
        }
        Sysctl("tcp_timestamps", ts);
        Sysctl("tcp_tw_reuse", "1");
        Sysctl("ip_local_port_range", "40000 40000");
        Listener(80);
        Ptr<LinuxTcpSocket> c = Tcp(0);
        c->Connect(InetSocketAddress(server, 80));
        RunFor(MilliSeconds(10));
        c->Close();
        RunFor(MilliSeconds(5));
        accepted.back()->Close();
        RunFor(MilliSeconds(5)); // the client is in TIME_WAIT since about now
        Ptr<LinuxTcpSocket> early = Tcp(0);
        RunFor(MilliSeconds(900));
        EXPECT_EQ(early->Connect(InetSocketAddress(server, 80)), -1)
            << "before tcp_tw_reuse_delay (1000 ms) the TIME_WAIT holds";
        EXPECT_EQ(early->GetLinuxErrno(), Errno::ADDRNOTAVAIL);
        RunFor(MilliSeconds(200));
        Ptr<LinuxTcpSocket> late = Tcp(0);
        if (std::string(ts) == "1")
        {
            EXPECT_EQ(late->Connect(InetSocketAddress(server, 80)), 0)
                << "after the delay, with timestamps, the TIME_WAIT is taken over";
            RunFor(MilliSeconds(10));
            EXPECT_EQ(late->GetTcpState(), TcpState::ESTABLISHED);
        }
        else
        {
            EXPECT_EQ(late->Connect(InetSocketAddress(server, 80)), -1)
                << "without timestamps a TIME_WAIT is never taken over";
        }
    }
}

TEST_F(TcpLifecycle, ANodeConnectsToItsOwnAddressAsLinuxDoes)
{
    Ptr<LinuxTcpSocket> l = Tcp(0);
    ASSERT_EQ(l->Bind(InetSocketAddress(Ipv4Address::GetAny(), 7000)), 0);
    ASSERT_EQ(l->Listen(), 0);
    Ptr<LinuxTcpSocket> c = Tcp(0);
    ASSERT_EQ(c->Connect(InetSocketAddress(Ipv4Address("10.1.1.1"), 7000)), 0);
    RunFor(MilliSeconds(10));
    EXPECT_EQ(c->GetTcpState(), TcpState::ESTABLISHED) << "own addresses route through lo";
    Address local;
    c->GetSockName(local);
    EXPECT_EQ(InetSocketAddress::ConvertFrom(local).GetIpv4(), Ipv4Address("10.1.1.1"));
}

TEST_F(TcpLifecycle, SysctlsAreAttributesReachableByConfigPaths)
{
    Config::Set("/NodeList/*/$ns3::LinuxPortSpace/tcp_tw_reuse", UintegerValue(0));
    Config::Set("/NodeList/1/$ns3::LinuxPortSpace/ip_local_port_range", StringValue("50000 50100"));
    EXPECT_EQ(nodes.Get(0)->GetObject<LinuxPortSpace>()->Host().Sysctls().tcpTwReuse, 0);
    EXPECT_EQ(nodes.Get(1)->GetObject<LinuxPortSpace>()->Host().Sysctls().ipLocalPortRangeLow,
              50000);
    EXPECT_EQ(nodes.Get(0)->GetObject<LinuxPortSpace>()->Host().Sysctls().ipLocalPortRangeLow,
              32768);
}

TEST_F(TcpLifecycle, FourReuseportListenersShare400ConnectionsWithinFifteenPercent)
{
    std::vector<Ptr<LinuxTcpSocket>> ls;
    std::vector<int> counts(4, 0);
    for (int i = 0; i < 4; ++i)
    {
        Ptr<LinuxTcpSocket> l = Tcp(1);
        l->SetAttribute("ReusePort", BooleanValue(true));
        ASSERT_EQ(l->Bind(InetSocketAddress(Ipv4Address::GetAny(), 80)), 0);
        ASSERT_EQ(l->Listen(), 0);
        l->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                             Callback<void, Ptr<Socket>, const Address&>(
                                 [&counts, i](Ptr<Socket>, const Address&) { ++counts[i]; }));
        ls.push_back(l);
    }
    std::vector<Ptr<LinuxTcpSocket>> clients;
    for (int i = 0; i < 400; ++i)
    {
        clients.push_back(Tcp(0));
        clients.back()->Connect(InetSocketAddress(server, 80));
    }
    RunFor(MilliSeconds(50));
    for (int n : counts)
    {
        EXPECT_NEAR(n, 100, 15) << "each listener gets 100 +- 15%";
    }
}

} // namespace
} // namespace portlab
