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
