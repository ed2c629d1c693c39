/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "script/socket-script.h"

#include "link/point-to-point-link-builder.h"
#include "link/stream-numbers.h"
#include "ports/port-table-snapshot.h"
#include "ports/port-types.h"
#include "scenario/scenario-config.h"
#include "transport/linux-errno-name.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"
#include "transport/linux-tcp-l4-protocol.h"
#include "transport/linux-tcp-socket.h"
#include "transport/linux-udp-l4-protocol.h"
#include "transport/linux-udp-socket.h"

#include "ns3/boolean.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <map>
#include <set>

NS_LOG_COMPONENT_DEFINE("SocketScript");

namespace portlab
{

using namespace ns3;

namespace
{

/// The longest a blocking connect may wait (tcp_syn_retries 127 with linear timeouts ends
/// long before; a connect still pending then is reported as it stands).
const Time CONNECT_LIMIT = Seconds(3600);

/// A socket of the script.
struct ScriptSocket
{
    Ptr<Socket> socket;   //!< the socket (null when an accept failed)
    bool tcp{true};       //!< TCP or UDP
    bool nonblock{false}; //!< O_NONBLOCK
    bool closed{false};   //!< closed by the script: its calls are EBADF
};

/// The script's world: hosts, sockets and the simulation.
class World
{
  public:
    /// \param program the script \param transport the hosts' TCP transport
    World(const ScriptProgram& program, const std::string& transport)
        : m_program(program),
          m_transport(transport)
    {
    }

    ~World()
    {
        m_sockets.clear();
        Simulator::Destroy();
    }

    World(const World&) = delete;
    World& operator=(const World&) = delete;

    /// What the kernel does before a call returns to the program: the softirq work its
    /// packets started on a local device (loopback delivery, a handshake with a local
    /// listener) runs to the end; only that takes no simulated time.
    void AfterCall()
    {
        if (m_started)
        {
            Settle();
        }
    }

    std::string Run(const ScriptStatement& s)
    {
        switch (s.verb)
        {
        case ScriptVerb::HOST: {
            Ptr<Node> n = CreateObject<Node>();
            LinuxStackHelper stack;
            stack.UseFibRouting();
            stack.SetTransport(m_transport);
            stack.Install(n);
            if (s.number >= 0)
            {
                n->GetObject<LinuxPortSpace>()->SetAttribute("Hz", UintegerValue(s.number));
            }
            m_hosts[s.names[0]] = n;
            m_hostOrder.push_back(s.names[0]);
            return "ok";
        }
        case ScriptVerb::LINK: {
            PointToPointLinkBuilder::Parameters p;
            p.rate = DataRate(s.rateBps != 0 ? s.rateBps : uint64_t(10000000000));
            p.delay = NanoSeconds(s.nanoseconds);
            p.loss = s.loss; // each end loses arriving packets: once per direction, as netem
            NetDeviceContainer d = m_links.Join(m_hosts[s.names[0]], m_hosts[s.names[1]], p);
            PointToPointLinkBuilder::AddInterface(d.Get(0), {Ipv4Address(s.endpoint.address)});
            PointToPointLinkBuilder::AddInterface(d.Get(1), {Ipv4Address(s.endpoint2.address)});
            return "ok";
        }
        case ScriptVerb::SYSCTL: {
            for (const auto& [name, node] : m_hosts)
            {
                if (s.names[0] == "*" || s.names[0] == name)
                {
                    node->GetObject<LinuxPortSpace>()->SetSysctl(s.sysctl);
                }
            }
            return "ok";
        }
        default:
            break;
        }
        Start();
        switch (s.verb)
        {
        case ScriptVerb::TCP:
        case ScriptVerb::UDP:
            return NewSocket(s);
        case ScriptVerb::WAIT:
            Advance(NanoSeconds(s.nanoseconds));
            return "ok";
        case ScriptVerb::SS: {
            if (!s.value.empty())
            {
                return SsRows(m_hosts[s.names[0]], s.value);
            }
            std::vector<std::string> states;
            for (const SsRow& r :
                 SnapshotSockets(m_hosts[s.names[0]]->GetObject<LinuxPortSpace>()->Host(),
                                 true,
                                 false))
            {
                states.push_back(r.state);
            }
            return ScriptSsText(states);
        }
        case ScriptVerb::COUNTERS: {
            const LinuxMib& mib = m_hosts[s.names[0]]->GetObject<LinuxPortSpace>()->Mib();
            std::vector<std::string> names = s.options.empty() ? ScriptCounterNames() : s.options;
            std::string out;
            for (const auto& n : names)
            {
                LinuxMib::Counter c;
                LinuxMib::Find(n, c);
                out += (out.empty() ? "" : " ") + n + "=" + std::to_string(mib.Get(c));
            }
            return out;
        }
        default:
            break;
        }
        ScriptSocket& k = m_sockets[s.names[0]];
        if (k.closed || !k.socket)
        {
            // The name's descriptor is closed (or was never made): Linux's fdget() finds
            // nothing.
            if (s.verb == ScriptVerb::ACCEPT)
            {
                m_sockets[s.names[1]] = ScriptSocket{nullptr, true, false, true};
            }
            return "EBADF";
        }
        Ptr<Socket> sock = k.socket;
        switch (s.verb)
        {
        case ScriptVerb::SETSOCKOPT:
            return SetOption(k, s.option, s.value);
        case ScriptVerb::GETSOCKOPT:
            return GetOption(k, s.option);
        case ScriptVerb::BIND:
            return Result(sock, sock->Bind(Endpoint(s.endpoint)));
        case ScriptVerb::LISTEN:
            if (s.number >= 0 && k.tcp)
            {
                sock->SetAttribute("Backlog", IntegerValue(s.number));
            }
            return Result(sock, sock->Listen());
        case ScriptVerb::CONNECT:
            return Connect(k, s);
        case ScriptVerb::ACCEPT: {
            Ptr<LinuxTcpSocket> l = DynamicCast<LinuxTcpSocket>(sock);
            if (!l)
            {
                m_sockets[s.names[1]] = ScriptSocket{nullptr, true, false, true};
                return "EOPNOTSUPP"; // accept() on a datagram socket
            }
            Ptr<LinuxTcpSocket> c = l->Accept();
            if (!c)
            {
                m_sockets[s.names[1]] = ScriptSocket{nullptr, true, false, true};
                return ErrnoName(l->GetLinuxErrno());
            }
            m_sockets[s.names[1]] = ScriptSocket{c, true, false, false};
            return "ok";
        }
        case ScriptVerb::SEND:
            return Send(k, s, nullptr);
        case ScriptVerb::SENDTO: {
            InetSocketAddress to = Endpoint(s.endpoint);
            return Send(k, s, &to);
        }
        case ScriptVerb::RECV: {
            uint64_t bytes = 0;
            while (Ptr<Packet> p = sock->Recv())
            {
                if (p->GetSize() == 0)
                {
                    return bytes > 0 ? std::to_string(bytes) + " bytes" : "eof";
                }
                bytes += p->GetSize();
            }
            return bytes > 0 ? std::to_string(bytes) + " bytes" : SocketErrnoName(sock);
        }
        case ScriptVerb::RECVFROM: {
            Address from;
            Ptr<Packet> p = sock->RecvFrom(from);
            if (!p)
            {
                return SocketErrnoName(sock);
            }
            // tcp_recvmsg() fills in no address: recvfrom() on a stream socket says nothing
            // about where the bytes came from (msg_namelen 0).
            return std::to_string(p->GetSize()) + " bytes from " +
                   (k.tcp ? std::string("0.0.0.0:0") : Text(from));
        }
        case ScriptVerb::SHUTDOWN: {
            const bool rd = s.value == "rd" || s.value == "rdwr";
            const bool wr = s.value == "wr" || s.value == "rdwr";
            if (Ptr<LinuxTcpSocket> t = DynamicCast<LinuxTcpSocket>(sock))
            {
                return Result(sock, t->Shutdown(rd, wr));
            }
            Ptr<LinuxUdpSocket> u = DynamicCast<LinuxUdpSocket>(sock);
            return Result(sock, u->Shutdown(rd, wr));
        }
        case ScriptVerb::CLOSE:
            k.closed = true;
            return Result(sock, sock->Close());
        case ScriptVerb::STATE: {
            Ptr<LinuxTcpSocket> t = DynamicCast<LinuxTcpSocket>(sock);
            return TcpStateName(t->GetTcpState());
        }
        case ScriptVerb::PORT:
        case ScriptVerb::GETSOCKNAME: {
            Address a;
            if (sock->GetSockName(a) != 0)
            {
                return SocketErrnoName(sock);
            }
            return s.verb == ScriptVerb::PORT
                       ? std::to_string(InetSocketAddress::ConvertFrom(a).GetPort())
                       : Text(a);
        }
        case ScriptVerb::GETPEERNAME: {
            Address a;
            return sock->GetPeerName(a) == 0 ? Text(a) : "ENOTCONN";
        }
        default:
            break;
        }
        return "?";
    }

  private:
    /// `ss HOST rows [tcp|udp]`: the sockets the port tables list, with their queues.
    static std::string SsRows(Ptr<Node> n, const std::string& which)
    {
        std::vector<ScriptSsRow> rows;
        portlab::HostPortSpace& host = n->GetObject<LinuxPortSpace>()->Host();
        if (which != "udp")
        {
            Ptr<LinuxTcpL4Protocol> tcp = n->GetObject<LinuxTcpL4Protocol>();
            host.Tcp().ForEach(
                [&](const portlab::TcpSocketView& v) {
                    ScriptSsRow r = ScriptSsTcpRow(v);
                    if (Ptr<LinuxTcpSocket> k = tcp->Lookup(v.id))
                    {
                        r.recvQ = k->GetSsRecvQueue();
                        r.sendQ = k->GetSsSendQueue();
                    }
                    rows.push_back(r);
                },
                [&](const portlab::TimeWaitEntry& tw) { rows.push_back(ScriptSsTimeWaitRow(tw)); });
        }
        if (which != "tcp")
        {
            Ptr<LinuxUdpL4Protocol> udp = n->GetObject<LinuxUdpL4Protocol>();
            host.Udp().ForEach([&](const portlab::UdpSocketView& v) {
                ScriptSsRow r = ScriptSsUdpRow(v);
                if (Ptr<LinuxUdpSocket> k = udp->Find(v.id))
                {
                    r.recvQ = k->GetRxAvailable(); // payload bytes (Linux: their memory)
                }
                rows.push_back(r);
            });
        }
        return ScriptSsRowsText(rows);
    }

    std::string NewSocket(const ScriptStatement& s)
    {
        bool tcp = s.verb == ScriptVerb::TCP;
        Ptr<Node> n = m_hosts[s.names[0]];
        Ptr<Socket> k = Socket::CreateSocket(n,
                                             tcp ? TcpSocketFactory::GetTypeId()
                                                 : UdpSocketFactory::GetTypeId());
        ScriptSocket sk{k, tcp, false, false};
        if (tcp)
        {
            // A script accepts when it says so: connections wait in the accept queue.
            k->SetAttribute("AutoAccept", BooleanValue(false));
        }
        for (const auto& o : s.options)
        {
            if (o == "reuseaddr")
            {
                k->SetAttribute("ReuseAddr", BooleanValue(true));
            }
            else if (o == "reuseport")
            {
                k->SetAttribute("ReusePort", BooleanValue(true));
            }
            else if (o == "linger0")
            {
                k->SetAttribute("Linger", BooleanValue(true));
                k->SetAttribute("LingerTime", TimeValue(Seconds(0)));
            }
            else if (o == "nonblock")
            {
                sk.nonblock = true;
            }
            else if (o.rfind("uid=", 0) == 0)
            {
                k->SetAttribute("Uid", UintegerValue(std::stoul(o.substr(4))));
            }
        }
        m_sockets[s.names[1]] = sk;
        return "ok";
    }

    /// connect(): a blocking TCP connect runs the simulation until the kernel decides.
    std::string Connect(ScriptSocket& k, const ScriptStatement& s)
    {
        Ptr<LinuxTcpSocket> t = DynamicCast<LinuxTcpSocket>(k.socket);
        if (k.socket->Connect(Endpoint(s.endpoint)) != 0)
        {
            return SocketErrnoName(k.socket);
        }
        if (!t)
        {
            return "ok";
        }
        if (k.nonblock)
        {
            // A new connect() is under way (EINPROGRESS), or this call saw an earlier one's
            // success (0).
            return t->GetTcpState() == TcpState::SYN_SENT ? "EINPROGRESS" : "ok";
        }
        // A blocking connect() sleeps in inet_wait_for_connect() until the handshake ends (a
        // state change away from SYN_SENT and SYN_RECV stops the run at that event). The
        // woken thread runs once the softirq work in flight on local devices is done (a
        // connection to itself may have gone on to close), then goes on in
        // __inet_stream_connect(): calling connect() again on the socket, which the runner
        // keeps in ns-3's non-blocking mode, does exactly that (SS_CONNECTED and 0, or
        // sk_err, ECONNABORTED without one, and a disconnect).
        bool decided = false;
        auto watch = MakeBoundCallback(&World::Decided, &decided);
        t->TraceConnectWithoutContext("State", watch);
        EventId limit = Simulator::Schedule(CONNECT_LIMIT, &World::StopNow);
        while (!decided &&
               (t->GetTcpState() == TcpState::SYN_SENT || t->GetTcpState() == TcpState::SYN_RECV) &&
               !limit.IsExpired())
        {
            Simulator::Run();
            ThrowLatchedFlowRefusal();
        }
        limit.Cancel();
        t->TraceDisconnectWithoutContext("State", watch);
        Settle();
        if (t->GetTcpState() == TcpState::SYN_SENT || t->GetTcpState() == TcpState::SYN_RECV)
        {
            return "EINPROGRESS";
        }
        return t->Connect(Endpoint(s.endpoint)) == 0 ? "ok" : SocketErrnoName(t);
    }

    static void Decided(bool* decided, TcpState, TcpState now)
    {
        if (now != TcpState::SYN_SENT && now != TcpState::SYN_RECV)
        {
            *decided = true;
            Simulator::Stop();
        }
    }

    static void StopNow()
    {
        Simulator::Stop();
    }

    std::string Send(ScriptSocket& k, const ScriptStatement& s, const InetSocketAddress* to)
    {
        Ptr<LinuxTcpSocket> t = DynamicCast<LinuxTcpSocket>(k.socket);
        if (t && t->GetTxAvailable() < s.bytes &&
            (t->GetTcpState() == TcpState::ESTABLISHED || t->GetTcpState() == TcpState::CLOSE_WAIT))
        {
            if (k.nonblock)
            {
                return "EAGAIN";
            }
            // A blocking send() of more than the send buffer would wait; the script does
            // not: it is a statement it cannot run, not a result.
            throw ConfigError(m_program.name + ":" + std::to_string(s.line) + ": '" + s.text +
                              "': size is more than the " + std::to_string(t->GetTxAvailable()) +
                              " bytes free in the send buffer; allowed: 0 to " +
                              std::to_string(t->GetTxAvailable()) + " bytes here");
        }
        Ptr<Packet> p = Create<Packet>(static_cast<uint32_t>(s.bytes));
        int rc = to != nullptr ? k.socket->SendTo(p, 0, *to) : k.socket->Send(p);
        return rc >= 0 ? "ok" : SocketErrnoName(k.socket);
    }

    std::string SetOption(ScriptSocket& k, ScriptOption o, const std::string& v)
    {
        Ptr<Socket> sock = k.socket;
        bool on = v == "1";
        switch (o)
        {
        case ScriptOption::SO_REUSEADDR_:
            sock->SetAttribute("ReuseAddr", BooleanValue(on));
            return "ok";
        case ScriptOption::SO_REUSEPORT_:
            sock->SetAttribute("ReusePort", BooleanValue(on));
            return "ok";
        case ScriptOption::IP_BIND_ADDRESS_NO_PORT_:
            if (!k.tcp)
            {
                return "ok"; // accepted and unused by UDP, as on Linux
            }
            sock->SetAttribute("BindAddressNoPort", BooleanValue(on));
            return "ok";
        case ScriptOption::SO_LINGER_:
            if (!k.tcp)
            {
                return "ok";
            }
            sock->SetAttribute("Linger", BooleanValue(v != "off"));
            sock->SetAttribute("LingerTime", TimeValue(Seconds(v == "off" ? 0 : std::stoi(v))));
            return "ok";
        case ScriptOption::IP_LOCAL_PORT_RANGE_: {
            auto dash = v.find('-');
            sock->SetAttribute("LocalPortRange",
                               StringValue(v.substr(0, dash) + " " + v.substr(dash + 1)));
            return "ok";
        }
        case ScriptOption::SO_BINDTODEVICE_: {
            uint32_t ifindex = 0;
            if (v == "lo")
            {
                ifindex = 1;
            }
            else if (v.rfind("eth", 0) == 0 && v.size() > 3 &&
                     v.find_first_not_of("0123456789", 3) == std::string::npos &&
                     std::stoul(v.substr(3)) + 1 <
                         sock->GetNode()->GetObject<ns3::Ipv4>()->GetNInterfaces())
            {
                ifindex = static_cast<uint32_t>(std::stoul(v.substr(3))) + 2;
            }
            else
            {
                return "ENODEV";
            }
            sock->SetAttribute("BoundDevice", UintegerValue(ifindex));
            return "ok";
        }
        case ScriptOption::O_NONBLOCK_:
            k.nonblock = on;
            return "ok";
        case ScriptOption::SO_ERROR_:
            break;
        }
        return "ENOPROTOOPT";
    }

    std::string GetOption(ScriptSocket& k, ScriptOption o)
    {
        Ptr<Socket> sock = k.socket;
        auto flag = [&](const char* attribute) {
            BooleanValue b;
            sock->GetAttribute(attribute, b);
            return std::string(b.Get() ? "1" : "0");
        };
        switch (o)
        {
        case ScriptOption::SO_REUSEADDR_:
            return flag("ReuseAddr");
        case ScriptOption::SO_REUSEPORT_:
            return flag("ReusePort");
        case ScriptOption::IP_BIND_ADDRESS_NO_PORT_:
            return k.tcp ? flag("BindAddressNoPort") : "0";
        case ScriptOption::SO_LINGER_: {
            if (!k.tcp || flag("Linger") == "0")
            {
                return "off";
            }
            TimeValue t;
            sock->GetAttribute("LingerTime", t);
            return std::to_string(static_cast<int64_t>(t.Get().GetSeconds()));
        }
        case ScriptOption::IP_LOCAL_PORT_RANGE_: {
            StringValue r;
            sock->GetAttribute("LocalPortRange", r);
            std::string text = r.Get();
            auto space = text.find(' ');
            return space == std::string::npos
                       ? "0-0"
                       : text.substr(0, space) + "-" + text.substr(space + 1);
        }
        case ScriptOption::SO_BINDTODEVICE_: {
            UintegerValue i;
            sock->GetAttribute("BoundDevice", i);
            return i.Get() == 0 ? "" : i.Get() == 1 ? "lo" : "eth" + std::to_string(i.Get() - 2);
        }
        case ScriptOption::O_NONBLOCK_:
            return k.nonblock ? "1" : "0";
        case ScriptOption::SO_ERROR_: {
            Ptr<LinuxTcpSocket> t = DynamicCast<LinuxTcpSocket>(sock);
            if (t)
            {
                return ErrnoName(t->TakeSocketError());
            }
            Ptr<LinuxUdpSocket> u = DynamicCast<LinuxUdpSocket>(sock);
            return u ? ErrnoName(u->TakeSocketError()) : "ok";
        }
        }
        return "ENOPROTOOPT";
    }

    static std::string Result(Ptr<Socket> sock, int rc)
    {
        return rc >= 0 ? "ok" : SocketErrnoName(sock);
    }

    static InetSocketAddress Endpoint(const ScriptEndpoint& e)
    {
        return InetSocketAddress(Ipv4Address(e.address), e.port);
    }

    static std::string Text(const Address& a)
    {
        InetSocketAddress i = InetSocketAddress::ConvertFrom(a);
        return FormatIpv4(i.GetIpv4().Get()) + ":" + std::to_string(i.GetPort());
    }

    void Start()
    {
        if (m_started)
        {
            return;
        }
        m_started = true;
        NodeContainer all;
        for (const auto& n : m_hostOrder)
        {
            all.Add(m_hosts[n]);
        }
        LinuxStackHelper().AssignStreams(all, StreamNumbers::STACK);
        Ipv4GlobalRoutingHelper::PopulateRoutingTables();
        Advance(Seconds(0)); // ns-3 initialises nodes at time 0
    }

    /// Run what is due now: on Linux the segments a call sends over lo are processed before
    /// the call returns (the final ACK of a loopback handshake reaches the listener).
    static void Settle()
    {
        for (int round = 0; round < 8; ++round)
        {
            Advance(Seconds(0));
        }
    }

    static void Advance(Time t)
    {
        Simulator::Stop(t);
        Simulator::Run();
        ThrowLatchedFlowRefusal();
    }

    const ScriptProgram& m_program;
    std::string m_transport; //!< the hosts' TCP transport
    bool m_started{false};
    PointToPointLinkBuilder m_links; //!< the script's links, in order
    std::map<std::string, Ptr<Node>> m_hosts;
    std::vector<std::string> m_hostOrder;
    std::map<std::string, ScriptSocket> m_sockets;
};

} // namespace

std::vector<ScriptCheck>
RunSocketScript(const ScriptProgram& program, uint64_t seed, const std::string& transport)
{
    RngSeedManager::SetSeed(1);
    RngSeedManager::SetRun(seed);
    World world(program, transport);
    std::vector<ScriptCheck> checks;
    for (const auto& s : program.statements)
    {
        std::string got;
        try
        {
            got = world.Run(s);
            world.AfterCall();
        }
        catch (const SysctlError& e)
        {
            throw ConfigError(program.name + ":" + std::to_string(s.line) + ": '" + s.text +
                              "': " + e.what());
        }
        if (s.hasExpectation)
        {
            checks.push_back(ScriptCheckOf(s, got, Simulator::Now().GetNanoSeconds()));
        }
    }
    return checks;
}

std::vector<ScriptCheck>
RunSocketScript(const std::string& text,
                const std::string& name,
                uint64_t seed,
                const std::string& transport)
{
    // Parse every line first: a script with a syntax error runs nothing.
    return RunSocketScript(ParseScript(text, name), seed, transport);
}

} // namespace portlab
