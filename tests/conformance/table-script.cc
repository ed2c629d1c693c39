/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "table-script.h"

#include "ports/port-table-snapshot.h"
#include "table-driver.h"

#include <deque>
#include <map>
#include <memory>
#include <string>

namespace portlab
{

namespace
{

/// A socket name of the script.
struct TableSocket
{
    bool tcp{true};
    SocketId id{INVALID_ID};
    bool closed{false}; //!< closed by the script (or never made): its calls are EBADF
};

/// One UDP datagram waiting in a socket's receive queue.
struct Datagram
{
    uint64_t bytes;
    Ipv4 from;
    uint16_t fromPort;
};

class TableWorld
{
  public:
    TableWorld(const ScriptProgram& program, uint64_t seed)
        : m_program(program),
          m_h(seed)
    {
    }

    std::vector<ScriptCheck> Run()
    {
        std::vector<ScriptCheck> checks;
        for (const ScriptStatement& s : m_program.statements)
        {
            m_statement = &s;
            std::string got = Do(s);
            if (s.hasExpectation)
            {
                checks.push_back(ScriptCheckOf(s, got, m_h.Now()));
            }
        }
        return checks;
    }

  private:
    [[noreturn]] void Unsupported(const std::string& why) const
    {
        throw TableScriptUnsupported(m_program.name + ":" + std::to_string(m_statement->line) +
                                     ": '" + m_statement->text +
                                     "' is beyond the table-level interpreter: " + why);
    }

    std::string Do(const ScriptStatement& s)
    {
        switch (s.verb)
        {
        case ScriptVerb::HOST:
            if (m_hosts++ > 0)
            {
                Unsupported("one host only");
            }
            if (s.number > 0)
            {
                Unsupported("hz");
            }
            return "ok";
        case ScriptVerb::LINK:
            Unsupported("links need packets");
        case ScriptVerb::SYSCTL:
            s.sysctl.ApplyTo(m_h.Host().Sysctls());
            return "ok";
        case ScriptVerb::TCP:
        case ScriptVerb::UDP:
            return NewSocket(s);
        case ScriptVerb::WAIT:
            m_h.Sleep(s.nanoseconds);
            return "ok";
        case ScriptVerb::SS:
            return s.value.empty() ? SsCounts() : SsRows(s.value);
        case ScriptVerb::COUNTERS:
            Unsupported("the SNMP counters are the transport's");
        default:
            break;
        }
        TableSocket& k = m_names[s.names[0]];
        if (k.closed || k.id == INVALID_ID)
        {
            if (s.verb == ScriptVerb::ACCEPT)
            {
                m_names[s.names[1]] = TableSocket{true, INVALID_ID, true};
            }
            return "EBADF";
        }
        return k.tcp ? Tcp(s, k) : Udp(s, k);
    }

    std::string NewSocket(const ScriptStatement& s)
    {
        const bool tcp = s.verb == ScriptVerb::TCP;
        TableSocket k{tcp, tcp ? m_h.Tcp().Open() : m_h.Udp().Open(), false};
        for (const std::string& o : s.options)
        {
            if (o == "reuseaddr")
            {
                SetReuse(k, true, true);
            }
            else if (o == "reuseport")
            {
                SetReuse(k, false, true);
            }
            else if (o.rfind("uid=", 0) == 0)
            {
                const auto uid = static_cast<uint32_t>(std::stoul(o.substr(4)));
                tcp ? m_h.Tcp().SetUid(k.id, uid) : m_h.Udp().SetUid(k.id, uid);
            }
            else if (o == "nonblock" && !tcp)
            {
                // UDP calls here never block anyway.
            }
            else
            {
                Unsupported("socket option '" + o + "'");
            }
        }
        m_names[s.names[1]] = k;
        return "ok";
    }

    void SetReuse(const TableSocket& k, bool addr, bool on)
    {
        if (k.tcp)
        {
            addr ? m_h.Tcp().SetReuseAddr(k.id, on) : m_h.Tcp().SetReusePort(k.id, on);
        }
        else
        {
            addr ? m_h.Udp().SetReuseAddr(k.id, on) : m_h.Udp().SetReusePort(k.id, on);
        }
    }

    std::string SetOption(const ScriptStatement& s, const TableSocket& k)
    {
        switch (s.option)
        {
        case ScriptOption::SO_REUSEADDR_:
        case ScriptOption::SO_REUSEPORT_:
            SetReuse(k, s.option == ScriptOption::SO_REUSEADDR_, s.value == "1");
            return "ok";
        case ScriptOption::IP_BIND_ADDRESS_NO_PORT_:
            if (!k.tcp)
            {
                return "ok"; // Linux accepts it on UDP sockets and ignores it
            }
            m_h.Tcp().SetBindAddressNoPort(k.id, s.value == "1");
            return "ok";
        case ScriptOption::IP_LOCAL_PORT_RANGE_: {
            const auto dash = s.value.find('-');
            const auto lo = static_cast<uint16_t>(std::stoul(s.value.substr(0, dash)));
            const auto hi = static_cast<uint16_t>(std::stoul(s.value.substr(dash + 1)));
            return ErrnoName(k.tcp ? m_h.Tcp().SetLocalPortRange(k.id, lo, hi)
                                   : m_h.Udp().SetLocalPortRange(k.id, lo, hi));
        }
        default:
            Unsupported("this socket option");
        }
    }

    /// The source address the loopback route gives, unless the socket is bound to one.
    static Ipv4 Source(const FourTuple& t)
    {
        return t.localAddr != ADDR_ANY ? t.localAddr : LO1;
    }

    std::string Tcp(const ScriptStatement& s, TableSocket& k)
    {
        TcpPortTable& t = m_h.Tcp();
        switch (s.verb)
        {
        case ScriptVerb::SETSOCKOPT:
            return SetOption(s, k);
        case ScriptVerb::BIND:
            return ErrnoName(t.Bind(k.id, s.endpoint.address, s.endpoint.port));
        case ScriptVerb::LISTEN:
            return ErrnoName(
                t.Listen(k.id, s.number >= 0 ? s.number : m_h.Host().Sysctls().somaxconn));
        case ScriptVerb::CONNECT: {
            if (!IsLoopback(s.endpoint.address))
            {
                Unsupported("one host reaches only its loopback addresses");
            }
            SocketId child = INVALID_ID;
            SocketId listener = INVALID_ID;
            Errno e = m_h.Connect(k.id, s.endpoint.address, s.endpoint.port, &child, &listener);
            if (e == Errno::OK)
            {
                auto& queue = m_accept[listener];
                if (queue.size() >= t.GetBacklog(listener) + 1)
                {
                    Unsupported("an accept-queue overflow (the SYN dropped and retried)");
                }
                queue.push_back(child);
                m_peer[k.id] = child;
                m_peer[child] = k.id;
            }
            return ErrnoName(e);
        }
        case ScriptVerb::ACCEPT: {
            auto& queue = m_accept[k.id];
            if (t.GetState(k.id) != TcpState::LISTEN)
            {
                m_names[s.names[1]] = TableSocket{true, INVALID_ID, true};
                return "EINVAL";
            }
            if (queue.empty())
            {
                m_names[s.names[1]] = TableSocket{true, INVALID_ID, true};
                return "EAGAIN";
            }
            m_names[s.names[1]] = TableSocket{true, queue.front(), false};
            queue.pop_front();
            return "ok";
        }
        case ScriptVerb::CLOSE:
            k.closed = true;
            CloseTcp(k.id);
            return "ok";
        case ScriptVerb::STATE:
            return TcpStateName(t.GetState(k.id));
        case ScriptVerb::PORT:
            return std::to_string(t.GetTuple(k.id).localPort);
        case ScriptVerb::GETSOCKNAME: {
            const FourTuple& tu = t.GetTuple(k.id);
            return ScriptEndpointText({tu.localAddr, tu.localPort});
        }
        case ScriptVerb::GETPEERNAME: {
            const FourTuple& tu = t.GetTuple(k.id);
            return t.GetState(k.id) == TcpState::ESTABLISHED ||
                           t.GetState(k.id) == TcpState::CLOSE_WAIT
                       ? ScriptEndpointText({tu.remoteAddr, tu.remotePort})
                       : "ENOTCONN";
        }
        default:
            Unsupported("TCP data, shutdown and the other calls need packets");
        }
    }

    /// close() of a TCP socket, as far as the tables see it (the FIN or RST exchange at once).
    void CloseTcp(SocketId id)
    {
        TcpPortTable& t = m_h.Tcp();
        const TcpState state = t.GetState(id);
        auto peer = m_peer.find(id);
        if (state == TcpState::LISTEN)
        {
            // Connections nobody accepted are reset: their clients go to CLOSE.
            for (SocketId child : m_accept[id])
            {
                Unpair(child, true);
                t.Destroy(child);
            }
            m_accept.erase(id);
            t.Destroy(id);
            return;
        }
        if (peer == m_peer.end())
        {
            t.Destroy(id);
            return;
        }
        const SocketId other = peer->second;
        if (state == TcpState::ESTABLISHED && t.GetState(other) == TcpState::ESTABLISHED)
        {
            m_h.ActiveClose(id, other); // the orphan waits in FIN_WAIT2 for the peer's FIN
            return;
        }
        if (state == TcpState::CLOSE_WAIT && t.GetState(other) == TcpState::FIN_WAIT2)
        {
            m_peer.erase(id);
            m_peer.erase(other);
            m_h.PassiveClose(id, other);
            return;
        }
        Unsupported(std::string("a close in TCP state ") + TcpStateName(state));
    }

    /// Forget a pair; with \p reset the peer receives an RST and goes to CLOSE.
    void Unpair(SocketId id, bool reset)
    {
        auto peer = m_peer.find(id);
        if (peer == m_peer.end())
        {
            return;
        }
        const SocketId other = peer->second;
        m_peer.erase(id);
        m_peer.erase(other);
        if (reset)
        {
            m_h.Tcp().SetClosed(other);
        }
    }

    std::string Udp(const ScriptStatement& s, TableSocket& k)
    {
        UdpPortTable& u = m_h.Udp();
        switch (s.verb)
        {
        case ScriptVerb::SETSOCKOPT:
            return SetOption(s, k);
        case ScriptVerb::BIND:
            return ErrnoName(u.Bind(k.id, s.endpoint.address, s.endpoint.port));
        case ScriptVerb::CONNECT:
            if (!IsLoopback(s.endpoint.address))
            {
                Unsupported("one host reaches only its loopback addresses");
            }
            return ErrnoName(u.Connect(k.id, LO1, s.endpoint.address, s.endpoint.port));
        case ScriptVerb::SEND:
        case ScriptVerb::SENDTO: {
            const UdpSocketView v = u.View(k.id);
            if (s.verb == ScriptVerb::SEND && !v.connected)
            {
                return "EDESTADDRREQ";
            }
            const ScriptEndpoint to = s.verb == ScriptVerb::SEND
                                          ? ScriptEndpoint{v.tuple.remoteAddr, v.tuple.remotePort}
                                          : s.endpoint;
            if (!IsLoopback(to.address))
            {
                Unsupported("one host reaches only its loopback addresses");
            }
            if (u.GetTuple(k.id).localPort == 0)
            {
                Errno e = u.Autobind(k.id);
                if (e != Errno::OK)
                {
                    return ErrnoName(e);
                }
            }
            const FourTuple& from = u.GetTuple(k.id);
            const Ipv4 src = Source(from);
            SocketId to_id = u.Deliver(to.address, to.port, src, from.localPort);
            if (to_id == INVALID_ID)
            {
                if (v.connected)
                {
                    Unsupported("ICMP port unreachable needs packets");
                }
                return "ok"; // dropped, as an unconnected sender never learns
            }
            m_queue[to_id].push_back(Datagram{s.bytes, src, from.localPort});
            return "ok";
        }
        case ScriptVerb::RECV:
        case ScriptVerb::RECVFROM: {
            auto& q = m_queue[k.id];
            if (q.empty())
            {
                return "EAGAIN";
            }
            Datagram d = q.front();
            q.pop_front();
            return std::to_string(d.bytes) + " bytes" +
                   (s.verb == ScriptVerb::RECVFROM
                        ? " from " + ScriptEndpointText({d.from, d.fromPort})
                        : std::string());
        }
        case ScriptVerb::CLOSE:
            k.closed = true;
            u.Close(k.id);
            m_queue.erase(k.id);
            return "ok";
        case ScriptVerb::PORT:
            return std::to_string(u.GetTuple(k.id).localPort);
        case ScriptVerb::GETSOCKNAME: {
            const FourTuple& tu = u.GetTuple(k.id);
            return ScriptEndpointText({tu.localAddr, tu.localPort});
        }
        case ScriptVerb::GETPEERNAME: {
            const UdpSocketView v = u.View(k.id);
            return v.connected ? ScriptEndpointText({v.tuple.remoteAddr, v.tuple.remotePort})
                               : "ENOTCONN";
        }
        case ScriptVerb::LISTEN:
        case ScriptVerb::ACCEPT:
            if (s.verb == ScriptVerb::ACCEPT)
            {
                m_names[s.names[1]] = TableSocket{true, INVALID_ID, true};
            }
            return "EOPNOTSUPP";
        default:
            Unsupported("this call on a UDP socket");
        }
    }

    std::string SsCounts()
    {
        std::vector<std::string> states;
        for (const SsRow& r : SnapshotSockets(m_h.Host(), true, false))
        {
            states.push_back(r.state);
        }
        return ScriptSsText(states);
    }

    std::string SsRows(const std::string& which)
    {
        std::vector<ScriptSsRow> rows;
        if (which != "udp")
        {
            m_h.Tcp().ForEach(
                [&](const TcpSocketView& v) {
                    ScriptSsRow r = ScriptSsTcpRow(v);
                    if (v.state == TcpState::LISTEN)
                    {
                        auto q = m_accept.find(v.id);
                        r.recvQ = q == m_accept.end() ? 0 : q->second.size();
                        r.sendQ = m_h.Tcp().GetBacklog(v.id);
                    }
                    rows.push_back(r);
                },
                [&](const TimeWaitEntry& tw) { rows.push_back(ScriptSsTimeWaitRow(tw)); });
        }
        if (which != "tcp")
        {
            m_h.Udp().ForEach([&](const UdpSocketView& v) {
                ScriptSsRow r = ScriptSsUdpRow(v);
                for (const Datagram& d : m_queue[v.id])
                {
                    r.recvQ += d.bytes;
                }
                rows.push_back(r);
            });
        }
        return ScriptSsRowsText(rows);
    }

    const ScriptProgram& m_program;
    const ScriptStatement* m_statement{nullptr};
    TableDriver m_h;
    int m_hosts{0};
    std::map<std::string, TableSocket> m_names;
    std::map<SocketId, std::deque<SocketId>> m_accept; //!< listener -> children not accepted
    std::map<SocketId, SocketId> m_peer;               //!< the two ends of each connection
    std::map<SocketId, std::deque<Datagram>> m_queue;  //!< UDP receive queues
};

} // namespace

std::vector<ScriptCheck>
RunTableScript(const ScriptProgram& program, uint64_t seed)
{
    TableWorld world(program, seed);
    return world.Run();
}

} // namespace portlab
