/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport-cases.h"

#include "golden-case-names.h"
#include "golden-compare.h"
#include "link/point-to-point-link.h"
#include "ports/port-table-snapshot.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"
#include "transport/linux-tcp-socket.h"
#include "transport/linux-udp-socket.h"

#include "ns3/boolean.h"
#include "ns3/core-module.h"
#include "ns3/inet-socket-address.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace portlab
{

using namespace ns3;

namespace
{

constexpr uint16_t PORT = 8888;
constexpr uint16_t UDP_PORT = 9000;
constexpr uint16_t CLOSED_PORT = 7777;
const Time SETTLE = MilliSeconds(50); // the probe's time.sleep(0.05)
const Time GAP = MilliSeconds(2);     // the probe's time.sleep(0.002)
const Time HANDSHAKE = MilliSeconds(10);

/// A fresh simulation: one node over loopback, or a client and a server over a p2p link.
class Sim
{
  public:
    Sim(Topology topology, uint64_t seed)
    {
        RngSeedManager::SetSeed(1);
        RngSeedManager::SetRun(seed);
        LinuxStackHelper stack;
        if (topology == Topology::LOOPBACK)
        {
            m_nodes.Create(1);
            stack.Install(m_nodes);
            client = server = m_nodes.Get(0);
            serverAddr = Ipv4Address("127.0.0.1");
            serverAddr2 = Ipv4Address("127.0.0.2");
        }
        else
        {
            m_nodes.Create(2);
            stack.Install(m_nodes);
            LinkPointToPoint(m_nodes, "10Gbps", "1ms");
            // A second server address on the same interface, like 127.0.0.2 on lo.
            Ptr<ns3::Ipv4> ipv4 = m_nodes.Get(1)->GetObject<ns3::Ipv4>();
            ipv4->AddAddress(1, Ipv4InterfaceAddress("10.1.1.3", "255.255.255.0"));
            Ipv4GlobalRoutingHelper::PopulateRoutingTables();
            client = m_nodes.Get(0);
            server = m_nodes.Get(1);
            serverAddr = Ipv4Address("10.1.1.2");
            serverAddr2 = Ipv4Address("10.1.1.3");
        }
        LinuxStackHelper().AssignStreams(m_nodes, 100);
        RunFor(Seconds(0)); // ns-3 initialises nodes (traffic control, devices) at time 0
    }

    ~Sim()
    {
        Simulator::Destroy();
    }

    Sim(const Sim&) = delete;
    Sim& operator=(const Sim&) = delete;

    static void RunFor(Time t)
    {
        Simulator::Stop(t);
        Simulator::Run();
    }

    void Sysctl(const std::string& name, const std::string& value)
    {
        for (uint32_t i = 0; i < m_nodes.GetN(); ++i)
        {
            m_nodes.Get(i)->GetObject<LinuxPortSpace>()->Host().Sysctls().Set(name, value);
        }
    }

    static Ptr<LinuxTcpSocket> Tcp(Ptr<Node> n, bool reuseAddr = false, bool reusePort = false)
    {
        Ptr<Socket> s = Socket::CreateSocket(n, TcpSocketFactory::GetTypeId());
        s->SetAttribute("ReuseAddr", BooleanValue(reuseAddr));
        s->SetAttribute("ReusePort", BooleanValue(reusePort));
        return DynamicCast<LinuxTcpSocket>(s);
    }

    static Ptr<LinuxUdpSocket> Udp(Ptr<Node> n, bool reuseAddr = false, bool reusePort = false)
    {
        Ptr<Socket> s = Socket::CreateSocket(n, UdpSocketFactory::GetTypeId());
        s->SetAttribute("ReuseAddr", BooleanValue(reuseAddr));
        s->SetAttribute("ReusePort", BooleanValue(reusePort));
        return DynamicCast<LinuxUdpSocket>(s);
    }

    /// A listener that keeps every connection it accepts.
    Ptr<LinuxTcpSocket> Listen(Ipv4Address addr,
                               uint16_t port,
                               bool reuseAddr = false,
                               bool reusePort = false)
    {
        Ptr<LinuxTcpSocket> l = Tcp(server, reuseAddr, reusePort);
        if (l->Bind(InetSocketAddress(addr, port)) != 0 || l->Listen() != 0)
        {
            throw std::logic_error("transport case setup: listener on " + std::to_string(port) +
                                   " failed: " + ErrnoName(l->GetLinuxErrno()));
        }
        Socket* key = PeekPointer(l); // not a Ptr: the socket would own itself
        l->SetAcceptCallback(
            MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
            Callback<void, Ptr<Socket>, const Address&>(
                [this, key](Ptr<Socket> s, const Address&) { accepted[key].push_back(s); }));
        return l;
    }

    /// connect() and let the handshake finish; the result of connect() itself.
    static std::string Connect(Ptr<LinuxTcpSocket> c, Ipv4Address addr, uint16_t port)
    {
        if (c->Connect(InetSocketAddress(addr, port)) != 0)
        {
            return ErrnoName(c->GetLinuxErrno());
        }
        RunFor(HANDSHAKE);
        if (c->GetTcpState() != TcpState::ESTABLISHED)
        {
            return ErrnoName(c->GetLinuxErrno() == Errno::OK ? Errno::INPROGRESS
                                                             : c->GetLinuxErrno());
        }
        return "ok";
    }

    Ptr<Socket> TakeAccepted(Ptr<LinuxTcpSocket> l)
    {
        auto& v = accepted[PeekPointer(l)];
        if (v.empty())
        {
            throw std::logic_error("transport case: nothing was accepted");
        }
        Ptr<Socket> s = v.front();
        v.erase(v.begin());
        return s;
    }

    /// TCP sockets per `ss` state over every node (Linux's probe had one namespace).
    Json Ss() const
    {
        std::map<std::string, int> order;
        Json ss = Json::object();
        std::vector<std::pair<std::string, int>> total;
        for (uint32_t i = 0; i < m_nodes.GetN(); ++i)
        {
            for (const auto& [state, n] :
                 CountTcpStates(m_nodes.Get(i)->GetObject<LinuxPortSpace>()->Host()))
            {
                ss[state] = static_cast<int64_t>(n) + ss.value(state, int64_t(0));
            }
        }
        return ss;
    }

    Ptr<Node> client;
    Ptr<Node> server;
    Ipv4Address serverAddr;
    Ipv4Address serverAddr2;
    std::map<Socket*, std::vector<Ptr<Socket>>> accepted;

  private:
    NodeContainer m_nodes;
};

Json
TcpAndUdpSamePort(Sim& s)
{
    Ptr<LinuxTcpSocket> t = Sim::Tcp(s.server);
    Ptr<LinuxUdpSocket> u = Sim::Udp(s.server);
    Json r = Json::object();
    r["tcp_bind"] = t->Bind(InetSocketAddress(Ipv4Address::GetAny(), PORT)) == 0
                        ? "ok"
                        : ErrnoName(t->GetLinuxErrno());
    r["tcp_listen"] = t->Listen() == 0 ? "ok" : ErrnoName(t->GetLinuxErrno());
    r["udp_bind"] = u->Bind(InetSocketAddress(Ipv4Address::GetAny(), PORT)) == 0
                        ? "ok"
                        : ErrnoName(u->GetLinuxErrno());
    return r;
}

Json
ServerRestart(Sim& s, bool oldReuse, bool serverCloses, bool newReuse)
{
    Ptr<LinuxTcpSocket> ls = s.Listen(s.serverAddr, PORT, oldReuse);
    Ptr<LinuxTcpSocket> c = Sim::Tcp(s.client);
    Sim::Connect(c, s.serverAddr, PORT);
    Ptr<Socket> a = s.TakeAccepted(ls);
    Ptr<Socket> first = serverCloses ? a : Ptr<Socket>(c);
    Ptr<Socket> second = serverCloses ? Ptr<Socket>(c) : a;
    first->Close();
    Sim::RunFor(SETTLE);
    second->Close();
    Sim::RunFor(SETTLE);
    ls->Close();
    Json r = Json::object();
    Json ss = s.Ss();
    Ptr<LinuxTcpSocket> fresh = Sim::Tcp(s.server, newReuse);
    r["bind"] = fresh->Bind(InetSocketAddress(s.serverAddr, PORT)) == 0
                    ? "ok"
                    : ErrnoName(fresh->GetLinuxErrno());
    r["ss"] = ss;
    return r;
}

Json
ListenConflictAfterSharedBind(Sim& s)
{
    Ptr<LinuxTcpSocket> s1 = Sim::Tcp(s.server, true);
    Ptr<LinuxTcpSocket> s2 = Sim::Tcp(s.server, true);
    auto res = [](Ptr<LinuxTcpSocket> k, int rc) {
        return rc == 0 ? std::string("ok") : std::string(ErrnoName(k->GetLinuxErrno()));
    };
    Json r = Json::object();
    r["bind1"] = res(s1, s1->Bind(InetSocketAddress(s.serverAddr, PORT)));
    r["bind2"] = res(s2, s2->Bind(InetSocketAddress(s.serverAddr, PORT)));
    r["listen1"] = res(s1, s1->Listen());
    r["listen2"] = res(s2, s2->Listen());
    return r;
}

Json
ClientPortReuse(Sim& s, bool loopback)
{
    s.Sysctl("ip_local_port_range", "40000 40000");
    const Ipv4Address a1 = s.serverAddr;
    const Ipv4Address a2 = s.serverAddr2;
    s.Listen(a1, 8888);
    s.Listen(a2, 8888);
    s.Listen(a1, 9999);
    Json res = Json::object();
    const std::pair<Ipv4Address, uint16_t> dests[] = {{a1, 8888},
                                                      {a2, 8888},
                                                      {a1, 9999},
                                                      {a1, 8888}};
    // Keys name the probe's loopback addresses, so that results compare with the recording.
    const char* names[] = {"127.0.0.1:8888", "127.0.0.2:8888", "127.0.0.1:9999", "127.0.0.1:8888"};
    std::vector<Ptr<LinuxTcpSocket>> keep;
    for (int i = 0; i < 4; ++i)
    {
        Ptr<LinuxTcpSocket> c = Sim::Tcp(s.client);
        std::string v = Sim::Connect(c, dests[i].first, dests[i].second);
        if (v == "ok")
        {
            Address local;
            c->GetSockName(local);
            v += " local=" + std::to_string(InetSocketAddress::ConvertFrom(local).GetPort());
        }
        res["connect#" + std::to_string(i + 1) + " " + names[i]] = v;
        keep.push_back(c);
    }
    Ptr<LinuxTcpSocket> b = Sim::Tcp(s.client);
    res["bind(0) with the one port in use by connections"] =
        b->Bind() == 0 ? "ok" : ErrnoName(b->GetLinuxErrno());
    (void)loopback;
    return res;
}

Json
ClientBindThenConnect(Sim& s)
{
    s.Sysctl("ip_local_port_range", "40000 40001");
    s.Listen(s.serverAddr, PORT);
    s.Listen(s.serverAddr2, PORT);
    Json res = Json::object();
    std::vector<Ptr<LinuxTcpSocket>> keep;
    const std::pair<Ipv4Address, const char*> dests[] = {{s.serverAddr, "127.0.0.1"},
                                                         {s.serverAddr2, "127.0.0.2"},
                                                         {s.serverAddr, "127.0.0.1"}};
    for (const auto& [addr, name] : dests)
    {
        Ptr<LinuxTcpSocket> c = Sim::Tcp(s.client);
        bool bound = c->Bind() == 0;
        std::string rb = bound ? "ok" : ErrnoName(c->GetLinuxErrno());
        std::string rc = bound ? Sim::Connect(c, addr, PORT) : "-";
        res[std::string("bind(0)+connect ") + name] = "bind=" + rb + " connect=" + rc;
        keep.push_back(c);
    }
    return res;
}

Json
TwExhaust(Sim& s, int twReuse, int nports, int ndest, double waitS)
{
    s.Sysctl("ip_local_port_range", "40000 " + std::to_string(40000 + nports - 1));
    s.Sysctl("tcp_tw_reuse", std::to_string(twReuse));
    std::vector<Ptr<LinuxTcpSocket>> ls;
    for (int d = 0; d < ndest; ++d)
    {
        ls.push_back(s.Listen(s.serverAddr, static_cast<uint16_t>(PORT + d)));
    }
    int ok = 0;
    Json firstFail;
    for (int i = 0; i < nports * ndest + 3; ++i)
    {
        Ptr<LinuxTcpSocket> c = Sim::Tcp(s.client);
        std::string r = Sim::Connect(c, s.serverAddr, static_cast<uint16_t>(PORT + (i % ndest)));
        if (r == "ok")
        {
            ++ok;
            Ptr<Socket> a = s.TakeAccepted(ls[i % ndest]);
            c->Close();
            Sim::RunFor(GAP);
            a->Close();
            Sim::RunFor(HANDSHAKE);
        }
        else
        {
            if (firstFail.is_null())
            {
                firstFail = Json::array();
                firstFail.push_back(i);
                firstFail.push_back(r);
            }
            c->Close();
        }
    }
    Json res = Json::object();
    res["ok_before_wait"] = ok;
    res["first_fail"] = firstFail;
    res["ss"] = s.Ss();
    if (waitS > 0)
    {
        Sim::RunFor(Seconds(waitS));
        Ptr<LinuxTcpSocket> c = Sim::Tcp(s.client);
        char key[64];
        std::snprintf(key, sizeof(key), "connect_after_%gs", waitS);
        res[key] = Sim::Connect(c, s.serverAddr, PORT);
    }
    return res;
}

Json
LingerZeroNoTimewait(Sim& s)
{
    Ptr<LinuxTcpSocket> ls = s.Listen(s.serverAddr, PORT);
    Ptr<LinuxTcpSocket> c = Sim::Tcp(s.client);
    Sim::Connect(c, s.serverAddr, PORT);
    Ptr<LinuxTcpSocket> a = DynamicCast<LinuxTcpSocket>(s.TakeAccepted(ls));
    c->SetAttribute("Linger", BooleanValue(true));
    c->SetAttribute("LingerTime", TimeValue(Seconds(0)));
    c->Close();
    Sim::RunFor(SETTLE);
    Ptr<Packet> p = a->Recv(10, 0);
    std::string peer = p ? "eof" : ErrnoName(a->GetLinuxErrno());
    Json res = Json::object();
    res["ss"] = s.Ss();
    res["peer_recv"] = peer;
    return res;
}

Json
MaxTwBuckets(Sim& s)
{
    s.Sysctl("tcp_max_tw_buckets", "5");
    Ptr<LinuxTcpSocket> ls = s.Listen(s.serverAddr, PORT);
    for (int i = 0; i < 12; ++i)
    {
        Ptr<LinuxTcpSocket> c = Sim::Tcp(s.client);
        Sim::Connect(c, s.serverAddr, PORT);
        Ptr<Socket> a = s.TakeAccepted(ls);
        c->Close();
        Sim::RunFor(GAP);
        a->Close();
        Sim::RunFor(HANDSHAKE);
    }
    Sim::RunFor(SETTLE);
    Json res = Json::object();
    res["ss"] = s.Ss();
    return res;
}

Json
RefusedTcpAndUdp(Sim& s)
{
    Ptr<LinuxTcpSocket> c = Sim::Tcp(s.client);
    Json res = Json::object();
    res["tcp_connect_no_listener"] = Sim::Connect(c, s.serverAddr, CLOSED_PORT);
    Ptr<LinuxUdpSocket> u = Sim::Udp(s.client);
    u->Connect(InetSocketAddress(s.serverAddr, CLOSED_PORT));
    u->Send(Create<Packet>(1), 0);
    Sim::RunFor(SETTLE);
    Ptr<Packet> p = u->Recv(10, 0);
    res["udp_recv_after_send_to_unbound"] = p ? "ok" : ErrnoName(u->GetLinuxErrno());
    return res;
}

Json
UdpReuseDelivery(Sim& s)
{
    Json res = Json::object();
    for (bool reusePort : {false, true})
    {
        std::vector<Ptr<LinuxUdpSocket>> socks;
        std::vector<int> counts(3, 0);
        for (int i = 0; i < 3; ++i)
        {
            socks.push_back(Sim::Udp(s.server, !reusePort, reusePort));
            socks.back()->Bind(InetSocketAddress(s.serverAddr, UDP_PORT));
        }
        for (int i = 0; i < 60; ++i)
        {
            Ptr<LinuxUdpSocket> c = Sim::Udp(s.client);
            c->Bind();
            c->SendTo(Create<Packet>(1), 0, InetSocketAddress(s.serverAddr, UDP_PORT));
            Sim::RunFor(MilliSeconds(3));
            c->Close();
        }
        Sim::RunFor(SETTLE);
        Json arr = Json::array();
        for (int j = 0; j < 3; ++j)
        {
            while (socks[j]->Recv(10, 0))
            {
                ++counts[j];
            }
            arr.push_back(counts[j]);
            socks[j]->Close();
        }
        res[reusePort ? "reuseport" : "reuseaddr"] = arr;
    }
    return res;
}

Json
TcpReuseportBalance(Sim& s)
{
    std::vector<Ptr<LinuxTcpSocket>> ls;
    for (int i = 0; i < 4; ++i)
    {
        ls.push_back(s.Listen(s.serverAddr, PORT, false, true));
    }
    std::vector<Ptr<LinuxTcpSocket>> conns;
    for (int i = 0; i < 400; ++i)
    {
        conns.push_back(Sim::Tcp(s.client));
        conns.back()->Connect(InetSocketAddress(s.serverAddr, PORT));
    }
    Sim::RunFor(SETTLE);
    Json counts = Json::array();
    for (const auto& l : ls)
    {
        counts.push_back(static_cast<int64_t>(s.accepted[PeekPointer(l)].size()));
    }
    Json res = Json::object();
    res["accepted_per_listener"] = counts;
    return res;
}

Json
EphemeralParity(Sim& s)
{
    s.Listen(s.serverAddr, PORT);
    std::vector<int> conn;
    std::vector<int> bind;
    std::vector<int> udp;
    std::vector<Ptr<Socket>> keep;
    auto portOf = [](Ptr<Socket> k) {
        Address a;
        k->GetSockName(a);
        return static_cast<int>(InetSocketAddress::ConvertFrom(a).GetPort());
    };
    for (int i = 0; i < 50; ++i)
    {
        Ptr<LinuxTcpSocket> c = Sim::Tcp(s.client);
        Sim::Connect(c, s.serverAddr, PORT);
        conn.push_back(portOf(c));
        keep.push_back(c);
    }
    for (int i = 0; i < 50; ++i)
    {
        Ptr<LinuxTcpSocket> b = Sim::Tcp(s.client);
        b->Bind();
        bind.push_back(portOf(b));
        keep.push_back(b);
    }
    for (int i = 0; i < 50; ++i)
    {
        Ptr<LinuxUdpSocket> u = Sim::Udp(s.client);
        u->Bind();
        udp.push_back(portOf(u));
        keep.push_back(u);
    }
    const auto& sys = s.client->GetObject<LinuxPortSpace>()->Host().Sysctls();
    Json range = Json::array();
    range.push_back(std::to_string(sys.ipLocalPortRangeLow));
    range.push_back(std::to_string(sys.ipLocalPortRangeHigh));
    Json res = Json::object();
    res["connect"] = ParityJson(conn);
    res["bind0"] = ParityJson(bind);
    res["udp_bind0"] = ParityJson(udp);
    res["connect_sequential_steps"] = SequentialSteps(conn);
    res["range"] = range;
    return res;
}

using CaseFn = std::function<Json(Sim&)>;

struct Case
{
    std::string name;
    CaseFn fn;
    bool overP2p; //!< Linux's answer holds between two hosts too
};

const std::vector<Case>&
Cases()
{
    static const std::vector<Case> cases = [] {
        std::vector<Case> v;
        v.push_back({"tcp_and_udp_same_port", TcpAndUdpSamePort, true});
        for (bool oldReuse : {false, true})
        {
            for (bool server : {true, false})
            {
                for (bool newReuse : {false, true})
                {
                    std::string name = ServerRestartCaseName(oldReuse, server, newReuse);
                    v.push_back(
                        {name,
                         [=](Sim& s) { return ServerRestart(s, oldReuse, server, newReuse); },
                         true});
                }
            }
        }
        v.push_back({"listen_conflict_after_shared_bind", ListenConflictAfterSharedBind, true});
        v.push_back({"client_port_reuse", [](Sim& s) { return ClientPortReuse(s, true); }, true});
        v.push_back({"client_bind_then_connect", ClientBindThenConnect, true});
        v.push_back({"tw_exhaust_one_dest_reuse0",
                     [](Sim& s) { return TwExhaust(s, 0, 10, 1, 1.5); },
                     true});
        v.push_back({"tw_exhaust_one_dest_reuse1",
                     [](Sim& s) { return TwExhaust(s, 1, 10, 1, 1.5); },
                     true});
        // tcp_tw_reuse=2 reuses loopback TIME_WAITs only: Linux's answer differs between hosts.
        v.push_back({"tw_exhaust_one_dest_reuse2_loopback",
                     [](Sim& s) { return TwExhaust(s, 2, 10, 1, 1.5); },
                     false});
        v.push_back(
            {"tw_exhaust_two_dest_reuse0", [](Sim& s) { return TwExhaust(s, 0, 10, 2, 0); }, true});
        v.push_back({"linger_zero_no_timewait", LingerZeroNoTimewait, true});
        v.push_back({"max_tw_buckets", MaxTwBuckets, true});
        v.push_back({"refused_tcp_and_udp", RefusedTcpAndUdp, true});
        v.push_back({"udp_reuse_delivery", UdpReuseDelivery, true});
        v.push_back({"tcp_reuseport_balance", TcpReuseportBalance, true});
        v.push_back({"ephemeral_parity", EphemeralParity, true});
        return v;
    }();
    return cases;
}

} // namespace

std::vector<std::string>
TransportCaseNames(Topology topology)
{
    std::vector<std::string> names;
    for (const auto& c : Cases())
    {
        if (topology == Topology::LOOPBACK || c.overP2p)
        {
            names.push_back(c.name);
        }
    }
    return names;
}

Json
RunTransportCase(const std::string& name, Topology topology, uint64_t seed)
{
    for (const auto& c : Cases())
    {
        if (c.name == name)
        {
            Sim sim(topology, seed);
            return c.fn(sim);
        }
    }
    throw std::invalid_argument("no transport case named '" + name + "'");
}

} // namespace portlab
