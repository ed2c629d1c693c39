/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// A table-level stand-in for the recorded topology (clients -- gateway -- servers): connections
// and datagrams as the packets the gateway's conntrack sees, driven through
// ConntrackTable::Forward with explicit times. Endpoints are not modelled beyond what the
// recorded cases need (handshake, close by either side, RST, SYN retransmissions).

#ifndef PORTLAB_TESTS_NAT_REPLAY_H
#define PORTLAB_TESTS_NAT_REPLAY_H

#include "nat/conntrack-table.h"
#include "ports/random-source.h"
#include "ports/tcp-retransmit-rules.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace portlab
{
namespace nattest
{

/// \param text "a.b.c.d" \return the address
inline Ipv4
Ip(const std::string& text)
{
    Ipv4 a = 0;
    if (!ParseIpv4(text, a))
    {
        throw std::invalid_argument("not an IPv4 address: " + text);
    }
    return a;
}

/// \param seconds a time in seconds \return nanoseconds
inline TimeNs
Sec(double seconds)
{
    return static_cast<TimeNs>(seconds * 1e9 + 0.5);
}

/// One TCP connection through the gateway.
struct Conn
{
    CtTuple orig;       //!< client -> server, before NAT
    CtTuple out;        //!< after NAT (the server sees it)
    uint32_t isn{0};    //!< client ISN
    uint32_t srvIsn{0}; //!< server ISN
    bool ok{false};     //!< established
    TimeNs elapsed{0};  //!< from the first SYN to the accepted one
    int synsDropped{0}; //!< SYNs the gateway dropped
};

/// The gateway: one table, one egress rule, and the endpoints' random ISNs.
class Gateway
{
  public:
    /// \param sysctls conntrack settings \param rule the egress SNAT rule (nullptr: none)
    /// \param seed seeds the table's and the endpoints' randomness
    Gateway(const ConntrackSysctls& sysctls, const NatRange* rule, uint64_t seed)
        : m_rng(seed),
          m_isn(seed ^ 0x5eed),
          m_table(sysctls, m_rng, seed * 0x9e3779b97f4a7c15ULL + 1),
          m_hasRule(rule != nullptr)
    {
        if (rule != nullptr)
        {
            m_rule = *rule;
        }
    }

    /// \return the table
    ConntrackTable& Table()
    {
        return m_table;
    }

    /// \return a fresh ISN (independent per 4-tuple, as Linux's keyed hash gives)
    uint32_t NextIsn()
    {
        return m_isn.NextU32();
    }

    /// \param t time \param tuple packet tuple \param seg TCP part \return the table's verdict
    ConntrackTable::Result Packet(TimeNs t, const CtTuple& tuple, const TcpSegment& seg)
    {
        return m_table.Forward(t, tuple, seg, m_hasRule ? &m_rule : nullptr);
    }

    /**
     * \brief connect(): SYNs on Linux's schedule until one passes the gateway, then SYN-ACK
     * and ACK (or, with \p refused, a RST; with !\p answers, silence).
     * \param t first SYN \param orig the 4-tuple \param synRetries tcp_syn_retries
     * \param timeout connect() gives up after this long (0: the SYN schedule's give-up)
     * \param answers the server answers \param refused the server answers with RST
     * \param isn the ISN to use (0: a fresh one)
     * \return the connection
     */
    Conn Connect(TimeNs t,
                 const CtTuple& orig,
                 uint32_t synRetries,
                 TimeNs timeout = 0,
                 bool answers = true,
                 bool refused = false,
                 uint32_t isn = 0)
    {
        Conn c;
        c.orig = orig;
        c.isn = isn != 0 ? isn : NextIsn();
        c.srvIsn = NextIsn();
        const TcpSynSchedule s = TcpSynSentSchedule(synRetries, 4);
        for (TimeNs at : s.synAt)
        {
            if (timeout != 0 && at >= timeout)
            {
                break;
            }
            TcpSegment syn;
            syn.syn = true;
            syn.seq = c.isn;
            const auto r = Packet(t + at, orig, syn);
            if (r.verdict != ConntrackTable::Verdict::ACCEPT)
            {
                ++c.synsDropped;
                continue;
            }
            c.out = r.out;
            if (!answers)
            {
                continue;
            }
            if (refused)
            {
                TcpSegment rst;
                rst.rst = true;
                rst.ack = true;
                rst.ackSeq = c.isn + 1;
                Packet(t + at, c.out.Inverted(), rst);
                return c;
            }
            TcpSegment synAck;
            synAck.syn = true;
            synAck.ack = true;
            synAck.seq = c.srvIsn;
            synAck.ackSeq = c.isn + 1;
            Packet(t + at, c.out.Inverted(), synAck);
            TcpSegment ack;
            ack.ack = true;
            ack.seq = c.isn + 1;
            ack.ackSeq = c.srvIsn + 1;
            Packet(t + at, orig, ack);
            c.ok = true;
            c.elapsed = at;
            return c;
        }
        return c;
    }

    /// \brief The client's FIN and the server's ACK (half-close). \param t time \param c conn
    void ClientFin(TimeNs t, const Conn& c)
    {
        Packet(t, c.orig, Seg(false, true, c.isn + 1, c.srvIsn + 1));
        Packet(t, c.out.Inverted(), Seg(false, false, c.srvIsn + 1, c.isn + 2));
    }

    /// \brief The server's FIN and the client's ACK. \param t time \param c conn
    void ServerFin(TimeNs t, const Conn& c, bool clientFinned)
    {
        const uint32_t cSeq = c.isn + (clientFinned ? 2 : 1);
        Packet(t, c.out.Inverted(), Seg(false, true, c.srvIsn + 1, cSeq));
        Packet(t, c.orig, Seg(false, false, cSeq, c.srvIsn + 2));
    }

    /// \brief Close, client first. \param t time \param c conn
    void CloseClientFirst(TimeNs t, const Conn& c)
    {
        ClientFin(t, c);
        ServerFin(t, c, true);
    }

    /// \brief Close, server first. \param t time \param c conn
    void CloseServerFirst(TimeNs t, const Conn& c)
    {
        Packet(t, c.out.Inverted(), Seg(false, true, c.srvIsn + 1, c.isn + 1));
        Packet(t, c.orig, Seg(false, false, c.isn + 1, c.srvIsn + 2));
        Packet(t, c.orig, Seg(false, true, c.isn + 1, c.srvIsn + 2));
        Packet(t, c.out.Inverted(), Seg(false, false, c.srvIsn + 2, c.isn + 2));
    }

    /// \brief The server aborts (RST). \param t time \param c conn
    void ServerReset(TimeNs t, const Conn& c)
    {
        TcpSegment rst;
        rst.rst = true;
        rst.seq = c.srvIsn + 1;
        Packet(t, c.out.Inverted(), rst);
    }

    /// \param t time \param orig datagram's tuple \return the verdict
    ConntrackTable::Result UdpSend(TimeNs t, const CtTuple& orig)
    {
        return Packet(t, orig, TcpSegment{});
    }

  private:
    static TcpSegment Seg(bool syn, bool fin, uint32_t seq, uint32_t ackSeq)
    {
        TcpSegment s;
        s.syn = syn;
        s.fin = fin;
        s.ack = true;
        s.seq = seq;
        s.ackSeq = ackSeq;
        return s;
    }

    SplitMixRandom m_rng;   //!< the table's randomness
    SplitMixRandom m_isn;   //!< the endpoints' ISNs
    ConntrackTable m_table; //!< the gateway's table
    NatRange m_rule;        //!< egress rule
    bool m_hasRule;         //!< a rule is set
};

/// \param t proto \param src "ip" \param sport port \param dst "ip" \param dport port
/// \return the tuple
inline CtTuple
Tuple(uint8_t proto, const std::string& src, uint16_t sport, const std::string& dst, uint16_t dport)
{
    return CtTuple{Ip(src), Ip(dst), sport, dport, proto};
}

} // namespace nattest
} // namespace portlab

#endif // PORTLAB_TESTS_NAT_REPLAY_H
