/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_TCP_TIME_WAIT_RULES_H
#define PORTLAB_TCP_TIME_WAIT_RULES_H

#include "ports/port-sysctls.h"
#include "ports/port-types.h"

#include <cstdint>

/**
 * \file
 * \ingroup portlab-ports
 * Linux's TIME_WAIT rules, each in exactly one function: the takeover decision
 * (tcp_twsk_unique), the ISN after a TIME_WAIT, which connections may have a TIME_WAIT taken
 * over at all (timestamps), and the connection rate a client's ports sustain while its
 * TIME_WAITs hold them. The port table, the ns-3 transport, TableDriver and the scenario
 * predictor all call these; nothing else restates them.
 */

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief What tcp_twsk_unique() reads of a TIME_WAIT entry.
 */
struct TcpTwskFacts
{
    bool timestamps{false}; //!< tw_ts_recent_stamp != 0 (see TcpTwTimestamps())
    bool finWait2{false};   //!< tw_substate == TCP_FIN_WAIT2 (an orphan's timewait sock)
    bool loopback{false};   //!< loopback as tcp_tw_reuse=2 sees it (see TcpTwskLoopback())
    TimeNs entryStamp{0};   //!< tw_entry_stamp: entry into TIME_WAIT (or the FIN in FIN_WAIT2)
};

/**
 * \ingroup portlab-ports
 * \brief The loopback test of tcp_twsk_unique() for tcp_tw_reuse=2: the entry is bound to
 * "lo" (tw_bound_dev_if == LOOPBACK_IFINDEX), or its remote or local address is in 127/8.
 *
 * Not "the route goes through lo": a connection to one of the host's own non-127 addresses
 * travels over lo but is not loopback here (the kernel's comment: "Still does not detect
 * *everything* that goes through lo").
 * \param daddr tw_daddr, the remote address \param rcvSaddr tw_rcv_saddr, the local address
 * \param boundDev tw_bound_dev_if (0: none)
 * \return true if tcp_tw_reuse=2 applies to the entry
 */
inline bool
TcpTwskLoopback(Ipv4 daddr, Ipv4 rcvSaddr, uint32_t boundDev)
{
    return boundDev == LOOPBACK_IFINDEX || IsLoopback(daddr) || IsLoopback(rcvSaddr);
}

/**
 * \ingroup portlab-ports
 * \brief TcpTwskLoopback() for an AF_INET6 entry (tw_family == AF_INET6): `::1`, or a
 * v4-mapped 127/8 address, on either side (ipv6_addr_loopback, ipv6_addr_v4mapped_loopback),
 * or bound to "lo". fd00::1 configured on lo is not loopback here.
 * \param daddr tw_v6_daddr \param rcvSaddr tw_v6_rcv_saddr \param boundDev tw_bound_dev_if
 * \return true if tcp_tw_reuse=2 applies to the entry
 */
inline bool
TcpTwskLoopback(const Ipv6& daddr, const Ipv6& rcvSaddr, uint32_t boundDev)
{
    auto loopback6 = [](const Ipv6& a) {
        if (ClassifyIpv6(a) == Ipv6Class::MAPPED)
        {
            return IsLoopback(MappedIpv4(a));
        }
        Ipv6 one;
        one.bytes[15] = 1;
        return a == one;
    };
    return boundDev == LOOPBACK_IFINDEX || loopback6(daddr) || loopback6(rcvSaddr);
}

/**
 * \ingroup portlab-ports
 * \brief tcp_twsk_unique()'s `reuse` after its first two tests: tcp_tw_reuse (0 off, 1 on,
 * 2 loopback only), off for a FIN_WAIT2 entry, off at 2 for an entry that is not loopback.
 * \param tcpTwReuse net.ipv4.tcp_tw_reuse \param finWait2 the entry's FIN_WAIT2 substate
 * \param loopback TcpTwskLoopback() of the entry
 * \return true if the delay test decides (false: only an explicitly bound port takes over)
 */
inline bool
TcpTwskReuse(int64_t tcpTwReuse, bool finWait2, bool loopback)
{
    if (finWait2)
    {
        return false;
    }
    return tcpTwReuse == 1 || (tcpTwReuse == 2 && loopback);
}

/**
 * \ingroup portlab-ports
 * \brief tcp_twsk_unique()'s reuse_thresh: tw_entry_stamp + tcp_tw_reuse_delay. A TIME_WAIT
 * can be taken over only strictly after it (time_after32).
 * \param entryStamp tw_entry_stamp \param tcpTwReuseDelayMs net.ipv4.tcp_tw_reuse_delay (ms)
 * \return the threshold
 */
inline TimeNs
TcpTwReuseThreshold(TimeNs entryStamp, int64_t tcpTwReuseDelayMs)
{
    return entryStamp + tcpTwReuseDelayMs * NS_PER_MS;
}

/**
 * \ingroup portlab-ports
 * \brief tcp_twsk_unique() (reference §3.3): may connect() take this TIME_WAIT's 4-tuple over?
 *
 * Timestamps are required. A socket whose port was chosen before connect() (bind(port) or
 * bind(0); the kernel's twp == NULL) takes over any entry with timestamps, whatever
 * tcp_tw_reuse, the delay and the FIN_WAIT2 substate say. A port connect() chooses itself
 * takes over only with TcpTwskReuse() and strictly after TcpTwReuseThreshold().
 * \param tw the entry \param explicitPort the socket had its port before connect()
 * \param now the time of the connect() \param sys net.ipv4.tcp_tw_reuse and
 * net.ipv4.tcp_tw_reuse_delay
 * \return true if the 4-tuple may be taken over (the new ISN is then TcpTwIsn())
 */
inline bool
TcpTwskUnique(const TcpTwskFacts& tw, bool explicitPort, TimeNs now, const PortSysctls& sys)
{
    const bool reuse = TcpTwskReuse(sys.tcpTwReuse, tw.finWait2, tw.loopback);
    if (!tw.timestamps)
    {
        return false;
    }
    if (explicitPort)
    {
        return true; // twp == NULL: the bound-port quirk ignores tcp_tw_reuse and the delay
    }
    return reuse && now > TcpTwReuseThreshold(tw.entryStamp, sys.tcpTwReuseDelayMs);
}

/**
 * \ingroup portlab-ports
 * \brief The ISN after a TIME_WAIT, both for connect() taking one over (tcp_twsk_unique:
 * write_seq) and for a new SYN that reopens one towards a listener
 * (tcp_timewait_state_process: tw_isn): tw_snd_nxt + 65535 + 2, and 1 instead of 0.
 * \param twSndNxt the TIME_WAIT's tw_snd_nxt
 * \return the new connection's initial sequence number (never 0)
 */
inline uint32_t
TcpTwIsn(uint32_t twSndNxt)
{
    const uint32_t isn = twSndNxt + 65535u + 2u;
    return isn == 0 ? 1 : isn;
}

/**
 * \ingroup portlab-ports
 * \brief tcp_syn_options(): a SYN (or SYN-ACK) offers timestamps when the host's
 * net.ipv4.tcp_timestamps is 1 or 2.
 * \param tcpTimestamps net.ipv4.tcp_timestamps
 * \return true if the host offers timestamps
 */
inline bool
TcpSynOffersTimestamps(int64_t tcpTimestamps)
{
    return tcpTimestamps != 0;
}

/**
 * \ingroup portlab-ports
 * \brief tp->rx_opt.tstamp_ok: a connection uses timestamps when this host offers them and the
 * peer's SYN or SYN-ACK carried the option.
 * \param tcpTimestamps this host's net.ipv4.tcp_timestamps
 * \param peerOffered the peer's SYN or SYN-ACK carried a timestamp option
 * \return true if the connection uses timestamps
 */
inline bool
TcpTstampOk(int64_t tcpTimestamps, bool peerOffered)
{
    return TcpSynOffersTimestamps(tcpTimestamps) && peerOffered;
}

/**
 * \ingroup portlab-ports
 * \brief tcp_timewait_state_process()'s paws_reject: the segment carries a timestamp, the
 * TIME_WAIT kept one (tw_ts_recent_stamp) and the segment's TSval is older than tw_ts_recent
 * (tcp_paws_reject() with a window of 0).
 * \param segHasTs the segment carries a timestamp option \param twHasTs TW_TIMESTAMPS
 * \param tsVal the segment's TSval \param tsRecent tw_ts_recent
 * \return true if PAWS rejects the segment
 */
inline bool
TcpTwPawsReject(bool segHasTs, bool twHasTs, uint32_t tsVal, uint32_t tsRecent)
{
    return segHasTs && twHasTs && static_cast<int32_t>(tsVal - tsRecent) < 0;
}

/**
 * \ingroup portlab-ports
 * \brief tcp_timewait_state_process(): does a SYN (no RST, no ACK) reopen the TIME_WAIT's
 * 4-tuple (TCP_TW_SYN: a listener takes it, ISN TcpTwIsn())? Only without paws_reject, and if
 * its sequence is after tw_rcv_nxt or its TSval newer than tw_ts_recent. With timestamps on
 * both sides the TSval decides; otherwise the answer is a bare ACK (and a Linux client in
 * SYN_SENT resets it and sends its SYN again TCP_TIMEOUT_MIN later).
 * \param seq the SYN's sequence \param rcvNxt tw_rcv_nxt
 * \param segHasTs the SYN carries a timestamp \param twHasTs TW_TIMESTAMPS
 * \param tsVal the SYN's TSval \param tsRecent tw_ts_recent
 * \return true if the SYN reopens the 4-tuple
 */
inline bool
TcpTwSynAccepted(uint32_t seq,
                 uint32_t rcvNxt,
                 bool segHasTs,
                 bool twHasTs,
                 uint32_t tsVal,
                 uint32_t tsRecent)
{
    if (TcpTwPawsReject(segHasTs, twHasTs, tsVal, tsRecent))
    {
        return false;
    }
    return static_cast<int32_t>(seq - rcvNxt) > 0 ||
           (segHasTs && twHasTs && static_cast<int32_t>(tsRecent - tsVal) < 0);
}

/**
 * \ingroup portlab-ports
 * \brief tcp_oow_rate_limited() as tcp_timewait_check_oow_rate_limit() calls it for the ACK a
 * TIME_WAIT (or FIN_WAIT2 timewait sock) would send to an out-of-window segment or a rejected
 * SYN: a segment with data or a FIN and no SYN always gets its ACK; any other is answered at
 * most once per net.ipv4.tcp_invalid_ratelimit (tw_last_oow_ack_time; none sent yet: no limit).
 * \param dataWithoutSyn the segment's sequence space is not empty and it has no SYN
 * \param sentBefore this TIME_WAIT sent such an ACK before \param last when
 * \param now the time \param ratelimitMs net.ipv4.tcp_invalid_ratelimit (ms)
 * \return true if the ACK is skipped (TCPACKSkippedTimeWait); false: send it and note `now`
 */
inline bool
TcpOowRateLimited(bool dataWithoutSyn,
                  bool sentBefore,
                  TimeNs last,
                  TimeNs now,
                  int64_t ratelimitMs)
{
    if (dataWithoutSyn || !sentBefore)
    {
        return false;
    }
    const TimeNs elapsed = now - last;
    return elapsed >= 0 && elapsed < ratelimitMs * NS_PER_MS;
}

/**
 * \ingroup portlab-ports
 * \brief What keys the offset Linux adds to the ms clock in a connection's TSvals (the
 * host's portlab.tcp_ts_offset).
 */
enum class TsOffsetKey : int64_t
{
    NONE = 0,         //!< no offset: one clock for every connection of the host
    ADDRESS_PAIR = 1, //!< per (saddr, daddr): Linux from 28ee1b746f49 (2017) to 165573e41f2f
    FOUR_TUPLE = 2,   //!< per 4-tuple, from the ISN's siphash: Linux 6.18.44 (165573e41f2f)
};

/**
 * \ingroup portlab-ports
 * \brief Whether connections get a TSval offset at all: tcp_timestamps 1 (tcp_connect_init()
 * and tcp_conn_request() ask for one only then) and a host whose kernel keys one.
 * \param tcpTimestamps net.ipv4.tcp_timestamps \param key portlab.tcp_ts_offset
 * \return true if SecureTcpTsOff() hashes (and needs the host's secret)
 */
inline bool
TcpTsOffsetKeyed(int64_t tcpTimestamps, TsOffsetKey key)
{
    return tcpTimestamps == 1 && key != TsOffsetKey::NONE;
}

/**
 * \ingroup portlab-ports
 * \brief tcp_v4_init_ts_off() -> secure_tcp_ts_off(): the offset in every TSval of a
 * connection (and of its TIME_WAIT's ACKs, tcp_tw_tsval()). tcp_timestamps=2 has none
 * (tcp_timestamps 1 only calls it); otherwise a keyed hash of what `key` names, so
 * connections of one 4-tuple share an offset (their TSvals keep rising) and, with FOUR_TUPLE,
 * two connections of different 4-tuples have unrelated TSvals: a SYN from another 4-tuple
 * that meets a TIME_WAIT behind a NAT is "newer" than its ts_recent about half the time.
 * \param secret the host's secret \param t the connection (local and remote as this host sees
 * them) \param tcpTimestamps net.ipv4.tcp_timestamps \param key portlab.tcp_ts_offset
 * \return the offset
 */
inline uint32_t
SecureTcpTsOff(uint64_t secret, const FourTuple& t, int64_t tcpTimestamps, TsOffsetKey key)
{
    if (!TcpTsOffsetKeyed(tcpTimestamps, key))
    {
        return 0;
    }
    const uint64_t pair = (static_cast<uint64_t>(t.localAddr) << 32) | t.remoteAddr;
    if (key == TsOffsetKey::ADDRESS_PAIR)
    {
        return static_cast<uint32_t>(Mix64(secret ^ pair));
    }
    const uint64_t ports = (static_cast<uint64_t>(t.localPort) << 16) | t.remotePort;
    return static_cast<uint32_t>(Mix64(Mix64(secret ^ pair) ^ ports));
}

/**
 * \ingroup portlab-ports
 * \brief Timestamp eligibility for a TIME_WAIT takeover. tcp_time_wait() copies
 * rx_opt.ts_recent_stamp into tw_ts_recent_stamp, which tcp_twsk_unique() requires to be
 * non-zero: the connection used timestamps and recorded one of the peer's.
 * \param tstampOk the connection used timestamps (TcpTstampOk())
 * \param tsRecentSeen a peer timestamp was recorded (ts_recent_stamp set)
 * \return TcpTwskFacts::timestamps for the entry the connection leaves
 */
inline bool
TcpTwTimestamps(bool tstampOk, bool tsRecentSeen)
{
    return tstampOk && tsRecentSeen;
}

/**
 * \ingroup portlab-ports
 * \brief How many connections per second one client sustains towards a set of destinations
 * when it closes first and each connection leaves a TIME_WAIT: see ConnectCapacityPerSecond().
 */
struct PortCapacity
{
    uint64_t ports{0};    //!< ip_local_port_range minus ip_local_reserved_ports
    uint64_t held{0};     //!< what the TIME_WAITs can hold: ports x destinations, or ports
    bool takeover{false}; //!< connect() takes a TIME_WAIT over (TcpTwskUnique())
    bool overflow{false}; //!< tcp_max_tw_buckets < held: TIME_WAITs never block connect()
    double timewaitS{0};  //!< the TIME_WAIT length (s)
    double holdS{0};      //!< how long a TIME_WAIT keeps its 4-tuple from a new connect()
    double perSecond{0};  //!< held / holdS (meaningless with overflow)
};

/**
 * \ingroup portlab-ports
 * \brief The TIME_WAIT arithmetic for one client host that closes its connections first.
 *
 * Every usable ephemeral port can be in TIME_WAIT once per destination (address, port), so
 * held = ports x destinations. With the port from bind(0) before connect() (no
 * IP_BIND_ADDRESS_NO_PORT) a TIME_WAIT blocks its port towards every destination: bind(0)
 * skips ports with TIME_WAITs and takes none over (held = ports, and tcp_tw_reuse does not
 * help; ip_autobind_reuse's relaxed pass is not modelled here). Each held 4-tuple comes free
 * after the TIME_WAIT length, or, when connect() chooses the port and TcpTwskUnique() lets it
 * take the entry over, after tcp_tw_reuse_delay. With tcp_max_tw_buckets below held, closing
 * connections past the limit skip TIME_WAIT and ports never run out.
 * \param sys the client host's settings
 * \param destinations distinct (address, port) destinations
 * \param portFromBind the port comes from bind(0) before connect()
 * \param timestamps the connections leave TIME_WAITs with timestamps (TcpTwTimestamps())
 * \param loopback the TIME_WAITs are loopback for tcp_tw_reuse=2 (TcpTwskLoopback())
 * \return the arithmetic, with perSecond = held / holdS connections per second
 */
PortCapacity ConnectCapacityPerSecond(const PortSysctls& sys,
                                      uint64_t destinations,
                                      bool portFromBind,
                                      bool timestamps,
                                      bool loopback);

} // namespace portlab

#endif // PORTLAB_TCP_TIME_WAIT_RULES_H
