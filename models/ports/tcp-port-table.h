/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_TCP_PORT_TABLE_H
#define PORTLAB_TCP_PORT_TABLE_H

#include "ports/ephemeral-port-selector.h"
#include "ports/four-tuple-index.h"
#include "ports/huge-page-allocator.h"
#include "ports/local-addresses.h"
#include "ports/port-counters.h"
#include "ports/port-map.h"
#include "ports/port-sysctls.h"
#include "ports/port-types.h"
#include "ports/rcv-saddr.h"

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

namespace portlab
{

/// A socket's handle in a port table.
using SocketId = uint32_t;
/// A TIME_WAIT entry's handle.
using TimeWaitId = uint32_t;
/// The invalid handle.
constexpr uint32_t INVALID_ID = UINT32_MAX;

/**
 * \ingroup portlab-ports
 * \brief What the transport knows when a connection enters TIME_WAIT.
 */
struct TimeWaitInfo
{
    uint32_t sndNxt{0};       //!< next sequence number to send (the new ISN derives from it)
    uint32_t rcvNxt{0};       //!< next expected sequence number
    uint32_t tsRecent{0};     //!< peer's most recent timestamp value
    bool hasTimestamps{true}; //!< tw_ts_recent_stamp != 0: see TcpTwTimestamps()
    bool finWait2{false};     //!< FIN_WAIT2 substate (orphan waiting for the peer's FIN)
    TimeNs timeout{0};        //!< lifetime; 0 = the TIME_WAIT length (portlab.tcp_timewait_len)
};

/**
 * \ingroup portlab-ports
 * \brief A TIME_WAIT entry: 48 bytes, no timer of its own.
 */
struct TimeWaitEntry
{
    FourTuple tuple;     //!< the connection
    uint32_t sndNxt;     //!< tw_snd_nxt
    uint32_t rcvNxt;     //!< tw_rcv_nxt
    uint32_t tsRecent;   //!< tw_ts_recent
    TimeNs expiry;       //!< when the entry dies
    TimeNs entryStamp;   //!< tw_entry_stamp (tcp_tw_reuse_delay counts from here)
    uint32_t generation; //!< bumped on reschedule and reuse (stale queue items are skipped)
    uint16_t boundDev;   //!< tw_bound_dev_if
    uint8_t flags;       //!< TW_* bits
    uint8_t ext;         //!< TWX_* bits
};

/// TimeWaitEntry::flags bits.
enum : uint8_t
{
    TW_LIVE = 1,          //!< slot in use
    TW_REUSE = 2,         //!< tw_reuse (SO_REUSEADDR of the dead socket)
    TW_REUSEPORT = 4,     //!< tw_reuseport
    TW_TIMESTAMPS = 8,    //!< tw_ts_recent_stamp != 0
    TW_FIN_WAIT2 = 16,    //!< FIN_WAIT2 substate
    TW_CONNECT_BIND = 32, //!< port came from connect() autobind (tw_connect_bind)
    TW_INET6 = 64,        //!< an AF_INET6 socket's (v4-mapped 4-tuple: tcp_v4 TIME_WAIT)
    TW_V6ONLY = 128,      //!< tw_ipv6only
};

/// TimeWaitEntry::ext bits.
enum : uint8_t
{
    /// a native-IPv6 4-tuple: tuple.localAddr is the 127.0.0.6 placeholder, tuple.remoteAddr
    /// indexes the table's IPv6 key slab (TcpPortTable::TimeWaitKey6)
    TWX_NATIVE6 = 1,
};

/**
 * \ingroup portlab-ports
 * \brief Result of TCP demultiplexing (Linux's __inet_lookup_skb).
 */
struct TcpLookup
{
    /// What was found.
    enum Kind : uint8_t
    {
        NONE,       //!< no socket: the transport answers with RST
        CONNECTION, //!< an established/request/closing socket (exact 4-tuple)
        TIME_WAIT,  //!< a TIME_WAIT entry (exact 4-tuple)
        LISTENER,   //!< a listening socket
    } kind{NONE};   //!< what was found

    uint32_t id{INVALID_ID}; //!< SocketId or TimeWaitId
};

/**
 * \ingroup portlab-ports
 * \brief The outcome of a successful connect() at the table layer.
 */
struct TcpConnectResult
{
    uint16_t localPort{0};        //!< the port used
    Ipv4 localAddr{0};            //!< the source address used
    bool tookOverTimeWait{false}; //!< a TIME_WAIT 4-tuple was taken over (TimeWaitRecycled)
    uint32_t isnHint{0};          //!< with a takeover: TcpTwIsn() of the TIME_WAIT
    uint32_t tsRecent{0};         //!< with a takeover: the TIME_WAIT's ts_recent
};

/**
 * \ingroup portlab-ports
 * \brief Everything about a live socket that a snapshot shows.
 */
struct TcpSocketView
{
    SocketId id;       //!< handle
    TcpState state;    //!< state
    FourTuple tuple;   //!< local (0.0.0.0 = wildcard) and remote ends
    bool reuseAddr;    //!< SO_REUSEADDR
    bool reusePort;    //!< SO_REUSEPORT
    uint32_t uid;      //!< owner uid
    uint32_t boundDev; //!< SO_BINDTODEVICE ifindex (0 = none)
};

/**
 * \ingroup portlab-ports
 * \brief Receives the table's observable events (the ns-3 glue turns them into traces).
 */
class TcpPortObserver
{
  public:
    virtual ~TcpPortObserver() = default;

    /// \param tw the new entry
    virtual void TimeWaitEntered(const TimeWaitEntry& tw)
    {
    }

    /// \param tw the entry that expired
    virtual void TimeWaitExpired(const TimeWaitEntry& tw)
    {
    }

    /// \param tw the entry a connect() took over
    virtual void TimeWaitTakenOver(const TimeWaitEntry& tw)
    {
    }

    /// \param tw the entry killed by RST or a new SYN
    virtual void TimeWaitKilled(const TimeWaitEntry& tw)
    {
    }

    /// \param tuple the connection that closed without TIME_WAIT (tcp_max_tw_buckets)
    virtual void TimeWaitOverflow(const FourTuple& tuple)
    {
    }

    /// \param tuple a connect() whose local port the ephemeral port algorithm chose
    virtual void ConnectPortChosen(const FourTuple& tuple)
    {
    }
};

/**
 * \ingroup portlab-ports
 * \brief One host's TCP port space, as Linux 6.18 keeps it.
 *
 * - The bind table (Linux's bhash/bhash2) maps a port to its owners. Owners that the
 *   conflict rule cannot tell apart (same address, device, uid, reuse flags, LISTEN /
 *   TIME_WAIT / other, connect-bound or not) are one counted class, so a bind() costs
 *   O(distinct kinds of owner), not O(connections on the port), and the bucket's "created by
 *   connect()" state is recomputed exactly when owners leave (the 6.18 behaviour).
 * - The connection table (ehash) maps every 4-tuple, TIME_WAIT entries included, to its
 *   owner in O(1).
 * - TIME_WAIT entries expire in FIFO order from one queue; the transport needs one timer per
 *   host (NextTimeWaitExpiry / ExpireTimeWaits).
 *
 * Rules and their sources: bind conflict §1.3-1.5 (Conflict), bind(0) §2 (Bind), connect()
 * §3 (Connect, CheckEstablished, TimeWaitUnique), TIME_WAIT §4.2-4.4 (EnterTimeWait),
 * listeners and SO_REUSEPORT §5-6 (Listen, Lookup) of docs/linux-port-semantics in the
 * project's references.
 */
class TcpPortTable
{
  public:
    /**
     * \param sysctls the host's settings (read on every call, so changes apply at once)
     * \param addresses the host's local addresses
     * \param selector ephemeral port algorithm
     * \param secret per-host hash secret
     */
    TcpPortTable(const PortSysctls& sysctls,
                 const LocalAddresses& addresses,
                 EphemeralPortSelector& selector,
                 uint64_t secret);

    TcpPortTable(const TcpPortTable&) = delete;
    TcpPortTable& operator=(const TcpPortTable&) = delete;

    /// \param selector the ephemeral port algorithm from now on (must outlive the table)
    void SetSelector(EphemeralPortSelector& selector)
    {
        m_selector = &selector;
    }

    /// \param observer receives events (may be null)
    void SetObserver(TcpPortObserver* observer)
    {
        m_observer = observer;
    }

    /**
     * \brief Whether connect() may keep per-destination port bitmaps to shorten its scans at
     * exhaustion (default true). The answers are the same either way; only the time differs.
     * \param enabled false scans the slow way, and drops the bitmaps kept so far
     */
    void SetConnectScanBitmaps(bool enabled)
    {
        m_scanBitmaps = enabled;
        if (!enabled)
        {
            m_destinationPorts.clear();
        }
    }

    /// \return how many destination bitmaps are kept now
    size_t ConnectScanBitmaps() const
    {
        return m_destinationPorts.size();
    }

    // --- socket life ---------------------------------------------------------------------

    /// \return a new socket in CLOSE state, unbound
    SocketId Open();

    /**
     * \brief socket(AF_INET6, SOCK_STREAM): like Open(), with IPV6_V6ONLY from
     * net.ipv6.bindv6only as it is now (inet6_create).
     * \return the socket
     */
    SocketId OpenInet6();

    /**
     * \brief setsockopt(IPPROTO_IPV6, IPV6_V6ONLY) (do_ipv6_setsockopt).
     * \param id socket
     * \param on the value
     * \return OK; ENOPROTOOPT on an AF_INET socket; EINVAL once the socket has a port (bind,
     *         listen's autobind or connect), even for the value it has
     */
    Errno SetV6Only(SocketId id, bool on);

    /// \param id socket \return getsockopt(IPV6_V6ONLY) (false for AF_INET)
    bool V6Only(SocketId id) const
    {
        return m_sockets[id].ipv6only;
    }

    /// \param id socket \return its local address as the overlap rule sees it
    RcvSaddr LocalRcvSaddr(SocketId id) const
    {
        const SocketRecord& s = m_sockets[id];
        return RcvSaddr{s.tuple.localAddr, s.v6, s.ipv6only};
    }

    /// \param id socket \param on SO_REUSEADDR
    void SetReuseAddr(SocketId id, bool on);
    /// \param id socket \param on SO_REUSEPORT
    void SetReusePort(SocketId id, bool on);
    /// \param id socket \param uid owner uid (0 = root, which may bind privileged ports)
    void SetUid(SocketId id, uint32_t uid);
    /// \param id socket \param ifindex SO_BINDTODEVICE (0 = none)
    void SetBoundDevice(SocketId id, uint32_t ifindex);
    /// \param id socket \param on IP_BIND_ADDRESS_NO_PORT
    void SetBindAddressNoPort(SocketId id, bool on);

    /**
     * \brief IP_LOCAL_PORT_RANGE: lo | hi << 16, 0 = unset.
     * \param id socket
     * \param lo low end (0 = keep the host's)
     * \param hi high end (0 = keep the host's)
     * \return EINVAL if lo > hi with both non-zero, else OK
     */
    Errno SetLocalPortRange(SocketId id, uint16_t lo, uint16_t hi);

    /**
     * \brief bind(): explicit port or 0 (ephemeral).
     * \param id socket
     * \param addr local address (0 = wildcard)
     * \param port local port (0 = pick one)
     * \return OK, EINVAL (already bound), EADDRNOTAVAIL (not a local address), EACCES
     *         (privileged port), EADDRINUSE (conflict or range exhausted)
     */
    Errno Bind(SocketId id, Ipv4 addr, uint16_t port);

    /**
     * \brief bind() with an address of either family: inet_bind() for AF_INET sockets,
     * __inet6_bind() for AF_INET6 ones (reference linux-ipv6-dualstack §3). A v4-mapped
     * address binds as its IPv4 address; any other non-wildcard IPv6 address sets
     * IPV6_V6ONLY (restored if the port is taken) and the 127.0.0.6 placeholder; a link-local
     * one needs a scope id or a bound device, and the scope id becomes the bound device.
     * \param id socket
     * \param addr the address
     * \param port local port (0 = pick one)
     * \return as Bind(), and: EAFNOSUPPORT (IPv6 address, AF_INET socket), EINVAL (IPv4
     *         sockaddr on an AF_INET6 socket; mapped address on a v6-only socket; multicast;
     *         link-local without a device), EADDRNOTAVAIL (not an address of the host, or
     *         not on the scope's interface)
     */
    Errno Bind(SocketId id, const InetAddress& addr, uint16_t port);

    /**
     * \brief listen(): re-checks the port as LISTEN (can fail with EADDRINUSE), autobinds an
     * unbound socket, joins an SO_REUSEPORT group.
     * \param id socket
     * \param backlog requested backlog (negative: somaxconn); clamped to somaxconn
     * \return OK, EINVAL, EADDRINUSE
     */
    Errno Listen(SocketId id, int64_t backlog);

    /**
     * \brief connect() at the table layer: chooses the local port (or checks the bound one),
     * enforces 4-tuple uniqueness, takes over a TIME_WAIT when allowed, hashes the socket
     * in SYN_SENT.
     * \param id socket
     * \param sourceAddr the source address routing chose (used if the socket has none)
     * \param remoteAddr destination
     * \param remotePort destination port
     * \param now current time
     * \param result receives the port and any takeover
     * \return OK, EADDRNOTAVAIL (no port / 4-tuple in use), EISCONN, EALREADY
     */
    Errno Connect(SocketId id,
                  Ipv4 sourceAddr,
                  Ipv4 remoteAddr,
                  uint16_t remotePort,
                  TimeNs now,
                  TcpConnectResult& result);

    /**
     * \brief connect() with a destination of either family (tcp_v4_connect, tcp_v6_connect).
     * A v4-mapped destination is the IPv4 Connect() on the embedded addresses. A native IPv6
     * destination gets a native-IPv6 4-tuple (its own index, IPv4's is untouched) whose port
     * comes from the one ephemeral range and the same selector and checks as IPv4's
     * (__inet_hash_connect with __inet6_check_established); the socket's IPv4 fields become
     * the 127.0.0.6 placeholder, so bind() conflicts see it as every native-IPv6 owner.
     * \param id socket
     * \param sourceAddr the source address routing chose (used if the socket has none)
     * \param remoteAddr destination (`::` means `::1`, as in Linux)
     * \param remotePort destination port
     * \param now current time
     * \param result receives the port and any takeover (localAddr: the placeholder for IPv6)
     * \return as the IPv4 Connect(), and: EAFNOSUPPORT (IPv6 destination on an AF_INET
     *         socket, or on a socket bound to a v4-mapped address), EINVAL (IPv4 sockaddr on an
     *         AF_INET6 socket), EADDRNOTAVAIL (IPv6 source not an address of the host)
     */
    Errno Connect(SocketId id,
                  const InetAddress& sourceAddr,
                  const InetAddress& remoteAddr,
                  uint16_t remotePort,
                  TimeNs now,
                  TcpConnectResult& result);

    /**
     * \brief A listener's new connection (the child socket Linux creates at the final ACK):
     * owns the listener's port and inherits its reuse flags, uid and device.
     * \param listener the listening socket
     * \param localAddr the address the SYN was sent to
     * \param remoteAddr the client's address
     * \param remotePort the client's port
     * \param state SYN_RECV or ESTABLISHED
     * \return the child, or INVALID_ID if the 4-tuple is taken
     */
    SocketId CreateChild(SocketId listener,
                         Ipv4 localAddr,
                         Ipv4 remoteAddr,
                         uint16_t remotePort,
                         TcpState state);

    /**
     * \brief CreateChild() for a native-IPv6 SYN (tcp_v6_syn_recv_sock): the child has the
     * listener's ipv6only and the 127.0.0.6 placeholder as its IPv4 address.
     * \param listener the listening socket (AF_INET6)
     * \param localAddr the host's address the SYN was sent to
     * \param remoteAddr the client's address
     * \param remotePort the client's port
     * \param state SYN_RECV or ESTABLISHED
     * \return the child, or INVALID_ID if the 4-tuple is taken or \p localAddr is not the host's
     */
    SocketId CreateChild6(SocketId listener,
                          const Ipv6& localAddr,
                          const Ipv6& remoteAddr,
                          uint16_t remotePort,
                          TcpState state);

    /**
     * \brief Record a state change among the connected states (ESTABLISHED, FIN_WAIT1, ...).
     * \param id socket
     * \param state new state (not LISTEN, TIME_WAIT or CLOSE: see Listen, EnterTimeWait,
     * SetClosed)
     */
    void SetState(SocketId id, TcpState state);

    /**
     * \brief tcp_time_wait(): the socket's 4-tuple and port pass to a TIME_WAIT entry, unless
     * tcp_max_tw_buckets is reached (then the connection just closes: TCPTimeWaitOverflow).
     * The socket goes to CLOSE as with SetClosed.
     * \param id socket (hashed in the connection table)
     * \param now current time
     * \param info sequence/timestamp state for §4.4 and tcp_tw_reuse
     * \return the entry, or INVALID_ID on overflow
     */
    TimeWaitId EnterTimeWait(SocketId id, TimeNs now, const TimeWaitInfo& info);

    /**
     * \brief tcp_set_state(TCP_CLOSE): unhash from the connection table and the listeners,
     * leave an SO_REUSEPORT group, release the port unless bind() chose it explicitly
     * (SOCK_BINDPORT_LOCK: held until Destroy).
     * \param id socket
     */
    void SetClosed(SocketId id);

    /// \brief The socket is gone (close() of the file): releases everything. \param id socket
    void Destroy(SocketId id);

    /**
     * \brief tcp_disconnect()'s inet_reset_saddr(): a closed socket whose local address was
     * chosen by connect() (not given to bind(): SOCK_BINDADDR_LOCK) forgets it, so a later
     * listen() or connect() starts from the wildcard again.
     * \param id socket (in CLOSE)
     */
    void ResetSource(SocketId id);

    // --- TIME_WAIT -----------------------------------------------------------------------

    /// \param tw entry \return the entry
    const TimeWaitEntry& GetTimeWait(TimeWaitId tw) const
    {
        return m_tw[tw];
    }

    /**
     * \brief Restart an entry's timer (bare ACK or retransmitted FIN in TIME_WAIT, §4.4).
     * \param tw entry
     * \param now current time
     */
    void RescheduleTimeWait(TimeWaitId tw, TimeNs now);

    /**
     * \brief tcp_timewait_state_process(), FIN_WAIT2 substate: the peer's FIN arrived; the
     * entry becomes a true TIME_WAIT for the TIME_WAIT length from now.
     * \param tw entry (TW_FIN_WAIT2)
     * \param rcvNxt tw_rcv_nxt after the FIN
     * \param tsRecent the FIN's TSval (when \p hasTimestamp)
     * \param hasTimestamp the FIN carried a timestamp
     * \param now current time
     * \param timeout the TIME_WAIT's length from now (the caller's timer rounding applied)
     */
    void FinWait2ToTimeWait(TimeWaitId tw,
                            uint32_t rcvNxt,
                            uint32_t tsRecent,
                            bool hasTimestamp,
                            TimeNs now,
                            TimeNs timeout);

    /**
     * \brief Kill an entry (RST assassination, or a new SYN reopening the 4-tuple).
     * \param tw entry
     */
    void KillTimeWait(TimeWaitId tw);

    /**
     * \brief Remove every entry whose time has come.
     * \param now current time
     * \return how many expired
     */
    size_t ExpireTimeWaits(TimeNs now);

    /// \return when the next entry expires, or -1 if none
    TimeNs NextTimeWaitExpiry();

    /// \return live TIME_WAIT entries
    size_t TimeWaitCount() const
    {
        return m_twCount - m_fw2Count;
    }

    /// \return timewait socks in the FIN_WAIT2 substate (orphans waiting for the peer's FIN);
    /// they count against tcp_max_tw_buckets with the TIME_WAIT entries
    size_t FinWait2Count() const
    {
        return m_fw2Count;
    }

    // --- lookups -------------------------------------------------------------------------

    /**
     * \brief Demultiplex an incoming segment: exact 4-tuple first (connections and
     * TIME_WAIT), then listeners (specific address beats wildcard; a bound device must
     * match; an SO_REUSEPORT group picks a member by a hash of the 4-tuple).
     * \param localAddr the segment's destination address
     * \param localPort destination port
     * \param remoteAddr source address
     * \param remotePort source port
     * \param inDevice ifindex the segment arrived on
     * \return what was found
     */
    TcpLookup Lookup(Ipv4 localAddr,
                     uint16_t localPort,
                     Ipv4 remoteAddr,
                     uint16_t remotePort,
                     uint32_t inDevice = 0) const;

    /**
     * \brief Demultiplex an incoming IPv6 segment (__inet6_lookup): the native-IPv6 4-tuple
     * index first, then AF_INET6 listeners on the exact address, then on `::` (v6-only or
     * not); AF_INET and v4-mapped listeners never take it.
     * \param localAddr the segment's destination address
     * \param localPort destination port
     * \param remoteAddr source address
     * \param remotePort source port
     * \param inDevice ifindex the segment arrived on
     * \return what was found
     */
    TcpLookup Lookup6(const Ipv6& localAddr,
                      uint16_t localPort,
                      const Ipv6& remoteAddr,
                      uint16_t remotePort,
                      uint32_t inDevice = 0) const;

    /**
     * \param tw a TIME_WAIT entry with TWX_NATIVE6
     * \return its native-IPv6 4-tuple
     */
    const FourTuple6& TimeWaitKey6(TimeWaitId tw) const
    {
        return m_tw6Keys[m_tw[tw].tuple.remoteAddr];
    }

    /**
     * \param e a TIME_WAIT entry with TWX_NATIVE6 (as ForEach() gives it)
     * \return its native-IPv6 4-tuple
     */
    const FourTuple6& TimeWaitKey6(const TimeWaitEntry& e) const
    {
        return m_tw6Keys[e.tuple.remoteAddr];
    }

    /**
     * \param id socket
     * \return its native-IPv6 4-tuple (getpeername's address), or null if it has none (not
     *         connected, or connected over IPv4)
     */
    const FourTuple6* SocketKey6(SocketId id) const
    {
        auto it = m_sockKeys6.find(id);
        return it == m_sockKeys6.end() ? nullptr : &it->second;
    }

    /// \return bytes one native-IPv6 TIME_WAIT entry adds beyond the 48-byte entry: its key
    /// in the side slab and one free-list word (the index slot comes on top, see MemoryBytes)
    static constexpr size_t TimeWaitKey6Bytes()
    {
        return sizeof(FourTuple6) + sizeof(uint32_t);
    }

    /**
     * \brief The listener a SYN with this 4-tuple would reach, ignoring connections and
     * TIME_WAIT entries (used to migrate requests of a closed SO_REUSEPORT listener).
     * \param localAddr destination address
     * \param localPort destination port
     * \param remoteAddr source address
     * \param remotePort source port
     * \param inDevice ifindex
     * \return LISTENER with its id, or NONE
     */
    TcpLookup FindListener(Ipv4 localAddr,
                           uint16_t localPort,
                           Ipv4 remoteAddr,
                           uint16_t remotePort,
                           uint32_t inDevice = 0) const;

    /**
     * \brief The listener part of Lookup6(): the one a native-IPv6 SYN for this 4-tuple would
     * reach (inet6_lhash2_lookup), ignoring connections and TIME_WAIT.
     * \param localAddr destination address
     * \param localPort destination port
     * \param remoteAddr source address
     * \param remotePort source port
     * \param inDevice ifindex
     * \return LISTENER with its id, or NONE
     */
    TcpLookup FindListener6(const Ipv6& localAddr,
                            uint16_t localPort,
                            const Ipv6& remoteAddr,
                            uint16_t remotePort,
                            uint32_t inDevice = 0) const;

    /// \param id socket \return its state
    TcpState GetState(SocketId id) const
    {
        return m_sockets[id].state;
    }

    /// \param id socket \return local (and, once connected, remote) ends
    const FourTuple& GetTuple(SocketId id) const
    {
        return m_sockets[id].tuple;
    }

    /// \param id a listening socket \return its backlog after clamping
    uint32_t GetBacklog(SocketId id) const
    {
        return m_sockets[id].backlog;
    }

    /// \param id socket \return a snapshot of it
    TcpSocketView View(SocketId id) const;

    /**
     * \brief Visit every live socket (not CLOSE) and every TIME_WAIT entry, in handle order.
     * \param socketFn called with each TcpSocketView
     * \param timeWaitFn called with each TimeWaitEntry
     */
    template <class SocketFn, class TimeWaitFn>
    void ForEach(SocketFn socketFn, TimeWaitFn timeWaitFn) const
    {
        for (SocketId id = 0; id < m_sockets.size(); ++id)
        {
            if (m_sockets[id].inUse && m_sockets[id].state != TcpState::CLOSE)
            {
                socketFn(View(id));
            }
        }
        for (const auto& tw : m_tw)
        {
            if (tw.flags & TW_LIVE)
            {
                timeWaitFn(tw);
            }
        }
    }

    // --- gauges and counters -------------------------------------------------------------

    /// \return ports with at least one owner (bound, listening, connected or TIME_WAIT)
    size_t PortsInUse() const
    {
        return m_buckets.Size();
    }

    /// \return open sockets (any state but freed)
    size_t SocketCount() const
    {
        return m_sockets.size() - m_freeSockets.size();
    }

    /// \return entries in the connection tables of both families (connections + TIME_WAIT)
    size_t ConnectionCount() const
    {
        return m_ehash.Size() + m_ehash6.Size();
    }

    /// \return the counters
    const TcpPortCounters& Counters() const
    {
        return m_counters;
    }

    /// \return bytes held by the TIME_WAIT slab, the queue and the 4-tuple index
    size_t MemoryBytes() const;

    /// \param port a port \return owners of the port (sockets and TIME_WAIT entries)
    uint32_t OwnerCount(uint16_t port) const;

  private:
    /// A TIME_WAIT entry ends (\p expired: its timer ran out; else killed, by a takeover, an
    /// RST or a listener's SYN): counted and observed as such (a FIN_WAIT2 entry is neither),
    /// taken out of the index and freed.
    void RetireTimeWait(TimeWaitId tw, bool expired);

    /// Owner classes of a bind bucket.
    enum class OwnerKind : uint8_t
    {
        BOUND,     //!< any socket not listening (bound, connecting, connected, closing)
        LISTEN,    //!< a listener
        TIME_WAIT, //!< a TIME_WAIT entry
    };

    /// Owners the conflict rule cannot tell apart, counted.
    struct OwnerClass
    {
        Ipv4 addr;             //!< rcv_saddr (0 = wildcard)
        uint32_t dev;          //!< bound device
        uint32_t uid;          //!< owner uid (0 for TIME_WAIT: never compared)
        OwnerKind kind;        //!< state class
        bool reuse : 1;        //!< sk_reuse / tw_reuse
        bool reusePort : 1;    //!< sk_reuseport / tw_reuseport
        bool connectBound : 1; //!< port from connect() autobind
        bool ipv6only : 1;     //!< sk_ipv6only / tw_ipv6only (one byte for the four flags,
                               //!< so a class stays 20 bytes with the V6Ref)
        V6Ref v6;              //!< family and IPv6 address (V6_NONE: AF_INET)
        uint32_t count;        //!< how many owners

        /// \param o another class \return true if the keys match (count aside)
        bool SameKey(const OwnerClass& o) const
        {
            return addr == o.addr && dev == o.dev && uid == o.uid && kind == o.kind &&
                   reuse == o.reuse && reusePort == o.reusePort && connectBound == o.connectBound &&
                   v6 == o.v6 && ipv6only == o.ipv6only;
        }

        /// \return the address as InetRcvSaddrEqual() takes it
        RcvSaddr Saddr() const
        {
            return RcvSaddr{addr, v6, ipv6only};
        }
    };

    /// A port's owners: a few distinct classes inline, more on the heap.
    class BindBucket
    {
      public:
        /// \return first class
        OwnerClass* begin()
        {
            return m_heap.empty() ? m_inline : m_heap.data();
        }

        /// \return past the last class
        OwnerClass* end()
        {
            return begin() + size();
        }

        /// \return first class
        const OwnerClass* begin() const
        {
            return m_heap.empty() ? m_inline : m_heap.data();
        }

        /// \return past the last class
        const OwnerClass* end() const
        {
            return begin() + size();
        }

        /// \return number of classes
        size_t size() const
        {
            return m_heap.empty() ? m_count : m_heap.size();
        }

        /// \param c a class to add
        void push_back(const OwnerClass& c)
        {
            if (m_heap.empty() && m_count < INLINE)
            {
                m_inline[m_count++] = c;
                return;
            }
            if (m_heap.empty())
            {
                m_heap.assign(m_inline, m_inline + m_count);
                m_count = 0;
            }
            m_heap.push_back(c);
        }

        /// \param i index of a class to remove (the last one takes its place)
        void RemoveAt(size_t i)
        {
            OwnerClass* b = begin();
            b[i] = b[size() - 1];
            if (m_heap.empty())
            {
                --m_count;
            }
            else
            {
                m_heap.pop_back();
            }
        }

      private:
        static constexpr uint8_t INLINE = 3; //!< classes stored without allocation
        OwnerClass m_inline[INLINE]{};       //!< inline classes
        uint8_t m_count{0};                  //!< inline classes in use
        std::vector<OwnerClass> m_heap;      //!< all classes once more than INLINE
    };

    /// A socket's record.
    struct SocketRecord
    {
        FourTuple tuple;                 //!< local (rcv_saddr, inet_num) and remote ends
        uint32_t uid{0};                 //!< owner uid
        uint32_t boundDev{0};            //!< SO_BINDTODEVICE
        uint32_t backlog{0};             //!< listen backlog
        uint32_t group{INVALID_ID};      //!< SO_REUSEPORT group of a listener
        uint16_t rangeLo{0};             //!< IP_LOCAL_PORT_RANGE low (0 = unset)
        uint16_t rangeHi{0};             //!< IP_LOCAL_PORT_RANGE high (0 = unset)
        TcpState state{TcpState::CLOSE}; //!< state
        bool inUse{false};               //!< slot allocated
        bool reuseAddr{false};           //!< SO_REUSEADDR
        bool reusePort{false};           //!< SO_REUSEPORT
        bool bindAddressNoPort{false};   //!< IP_BIND_ADDRESS_NO_PORT
        bool portLocked{false};          //!< SOCK_BINDPORT_LOCK: port given to bind()
        bool addrLocked{false};          //!< SOCK_BINDADDR_LOCK: address given to bind()
        bool owning{false};              //!< counted in the port's bind bucket
        bool hashed{false};              //!< in the connection table
        bool connectBound{false};        //!< port from connect() autobind
        bool ipv6only{false};            //!< sk_ipv6only (AF_INET6 only)
        V6Ref v6{V6_NONE};               //!< family and IPv6 local address (rcv-saddr.h)
    };

  public:
    /// Bytes of one socket record (the slab's element).
    static constexpr size_t SOCKET_RECORD_BYTES = 48;

  private:
    /// SO_REUSEPORT group of listeners.
    struct ReuseportGroup
    {
        std::vector<SocketId> socks; //!< members in join order
    };

    class BindCheck;
    class ConnectCheck;

    static constexpr uint32_t TW_REF = 0x80000000u; //!< marks a TIME_WAIT reference

    /**
     * \brief What an established-hash hit is (__inet_lookup_established() returns a full
     * socket or a TIME_WAIT one): the one decoding of an ehash reference for both families.
     * \param ref a reference found in m_ehash or m_ehash6
     * \return a CONNECTION or TIME_WAIT result naming it
     */
    static TcpLookup EstablishedHit(uint32_t ref)
    {
        TcpLookup r;
        r.kind = (ref & TW_REF) ? TcpLookup::TIME_WAIT : TcpLookup::CONNECTION;
        r.id = ref & ~TW_REF;
        return r;
    }

    /**
     * \brief The key of an IPv6 4-tuple in m_ehash6: the local address as this host's V6Ref.
     * \param localAddr local address \param localPort local port
     * \param remoteAddr remote address \param remotePort remote port
     * \return the key; its localAddr is V6_NONE when \p localAddr is not this host's
     */
    FourTuple6 Ehash6Key(const Ipv6& localAddr,
                         uint16_t localPort,
                         const Ipv6& remoteAddr,
                         uint16_t remotePort) const;

    OwnerClass ClassOf(const SocketRecord& s) const;
    /// inet_csk_get_port() for bind(): the port (explicit or chosen) for the address already
    /// set on \p s; on failure the address is reset and EADDRINUSE returned.
    Errno BindPort(SocketId id, uint16_t port, bool wasLocked);
    void AddOwner(uint16_t port, const OwnerClass& key);
    void RemoveOwner(uint16_t port, const OwnerClass& key);
    void Own(SocketId id);
    void Unown(SocketId id);
    template <class Change>
    void ChangeOwnerKey(SocketId id, Change change);
    bool Conflict(uint16_t port, const OwnerClass& s, bool relax, bool reuseportOk) const;
    bool ConnectMayShare(uint16_t port) const;
    EphemeralRange RangeFor(const SocketRecord& s) const;
    bool CheckEstablished(const FourTuple& t, bool explicitPort, TimeNs now, TimeWaitId& tw) const;
    bool CheckEstablished(const FourTuple6& t, bool explicitPort, TimeNs now, TimeWaitId& tw) const;
    bool EstablishedFree(uint32_t ref, bool explicitPort, TimeNs now, TimeWaitId& tw) const;
    /// connect()'s common tail: take over \p takeover (if any), hash \p id with 4-tuple \p t
    /// (and \p key6 for native IPv6) in SYN_SENT.
    Errno FinishConnect(SocketId id,
                        const FourTuple& t,
                        const FourTuple6* key6,
                        V6Ref v6,
                        TimeWaitId takeover,
                        bool newPort,
                        TcpConnectResult& result);
    /// A new child of \p listener with 4-tuple \p t (and \p key6 for native IPv6).
    SocketId NewChild(SocketId listener,
                      const FourTuple& t,
                      const FourTuple6* key6,
                      V6Ref v6,
                      TcpState state);
    /// Erase a socket's 4-tuple from the index of its family.
    void UnhashSocket(SocketId id);
    /// Erase a TIME_WAIT entry's 4-tuple from the index of its family.
    void UnhashTimeWait(TimeWaitId tw);
    /// \param e an entry \return its owner class in the bind bucket
    OwnerClass TimeWaitClass(const TimeWaitEntry& e) const;
    bool TimeWaitUnique(const TimeWaitEntry& tw, bool explicitPort, TimeNs now) const;
    void FreeTimeWait(TimeWaitId tw);
    /// Queue a TIME_WAIT entry (not FIN_WAIT2) to expire at \p expiry.
    void ScheduleTimeWait(TimeWaitId tw, TimeNs expiry);
    /// \return the queue whose first live entry expires first (stale items dropped), or null
    std::deque<std::pair<TimeWaitId, uint32_t>>* DueQueue();
    void AddListener(SocketId id);
    void RemoveListener(SocketId id);

    static uint64_t ListenKey(Ipv4 addr, uint16_t port)
    {
        return (static_cast<uint64_t>(addr) << 16) | port;
    }

    /// inet_lhash2_lookup() over the listeners keyed (\p addr, \p port): for IPv4 when
    /// \p want6 is V6_NONE, else for IPv6 among AF_INET6 listeners whose V6Ref is \p want6;
    /// \p hash gives the 4-tuple's hash when a reuseport group decides.
    template <class HashFn>
    uint32_t LookupListener(Ipv4 addr, uint16_t port, HashFn hash, uint32_t inDevice, V6Ref want6)
        const;

    /**
     * Which local ports the connection table holds towards one destination (local address,
     * remote address and port): a copy of part of m_ehash, kept only for destinations whose
     * connect() scans grew long. At exhaustion Linux's __inet_hash_connect() walks every port
     * of the range, and each candidate costs a bind-bucket lookup, a 4-tuple probe and a
     * TIME_WAIT entry read: three cache misses. Where no TIME_WAIT can be taken over (see
     * ConnectScanShortcut), a port whose bit is set is refused at once, with the same answer.
     */
    struct DestinationPorts
    {
        std::vector<uint64_t> bits = std::vector<uint64_t>(65536 / 64); //!< one bit per port
        uint32_t count{0};                                              //!< bits set
        uint64_t lastUse{0};                                            //!< for eviction
    };

    /// \param t a 4-tuple \return its destination's key (local and remote address, remote port)
    static std::pair<uint64_t, uint16_t> DestinationOf(const FourTuple& t)
    {
        return {(static_cast<uint64_t>(t.localAddr) << 32) | t.remoteAddr, t.remotePort};
    }

    /// Hash of a destination key.
    struct DestinationHash
    {
        /// \param k key \return hash
        size_t operator()(const std::pair<uint64_t, uint16_t>& k) const
        {
            return std::hash<uint64_t>()(k.first * 0x9E3779B97F4A7C15ULL ^ k.second);
        }
    };

    /// Insert into the connection table (and its destination bitmap, if one is kept).
    void IndexInsert(const FourTuple& t, uint32_t ref);
    /// Erase from the connection table (and its destination bitmap, if one is kept).
    void IndexErase(const FourTuple& t);
    /// \param t destination (local port ignored) \return whether connect() towards it may
    /// refuse a port from the bitmap alone: no TIME_WAIT there can be taken over
    bool ConnectScanShortcut(const FourTuple& t) const;
    /// \param t destination (local port ignored) \return its bitmap, built now if needed
    const DestinationPorts* DestinationBitmap(const FourTuple& t) const;

    const PortSysctls& m_sysctls;                                         //!< settings
    const LocalAddresses& m_addresses;                                    //!< local addresses
    EphemeralPortSelector* m_selector;                                    //!< ephemeral algorithm
    uint64_t m_secret;                                                    //!< hash secret
    TcpPortObserver* m_observer{nullptr};                                 //!< events
    std::vector<SocketRecord, HugePageAllocator<SocketRecord>> m_sockets; //!< socket slab
    std::vector<SocketId> m_freeSockets;                                  //!< free socket slots
    std::vector<TimeWaitEntry, HugePageAllocator<TimeWaitEntry>> m_tw;    //!< TIME_WAIT slab
    std::vector<TimeWaitId> m_freeTw;                                     //!< free TIME_WAIT slots
    size_t m_twCount{0};  //!< live timewait entries (TIME_WAIT and FIN_WAIT2 substates)
    size_t m_fw2Count{0}; //!< live entries in the FIN_WAIT2 substate
    /// FIFO of (entry, generation); stale items are skipped.
    std::deque<std::pair<TimeWaitId, uint32_t>> m_twQueue;
    /// FIN_WAIT2 entries expire after tcp_fin_timeout, which may differ from the TIME_WAIT
    /// length: their own FIFO keeps each queue in expiry order.
    std::deque<std::pair<TimeWaitId, uint32_t>> m_fw2Queue;
    PortMap<BindBucket> m_buckets; //!< bind table
    FourTupleIndex m_ehash;        //!< connection table
    FourTupleIndex6 m_ehash6;      //!< native-IPv6 connection table
    /// native-IPv6 4-tuples of hashed sockets (few, next to the 48-byte socket records)
    std::unordered_map<SocketId, FourTuple6> m_sockKeys6;
    std::vector<FourTuple6> m_tw6Keys;   //!< native-IPv6 TIME_WAIT 4-tuples (side slab)
    std::vector<uint32_t> m_freeTw6Keys; //!< free side-slab slots
    /// Listeners by (address, port), most recent first (lhash2 order).
    std::unordered_map<uint64_t, std::vector<SocketId>> m_listeners;
    std::vector<ReuseportGroup> m_groups; //!< reuseport groups
    std::vector<uint32_t> m_freeGroups;   //!< free group slots
    TcpPortCounters m_counters;           //!< counters
    /// Destination bitmaps (a cache of m_ehash, so mutable), at most MAX_DESTINATION_BITMAPS.
    mutable std::unordered_map<std::pair<uint64_t, uint16_t>, DestinationPorts, DestinationHash>
        m_destinationPorts;
    mutable uint64_t m_destinationUse{0}; //!< use counter for eviction
    bool m_loopbackBound{false};          //!< a socket was ever bound to lo (SO_BINDTODEVICE)
    bool m_scanBitmaps{true};             //!< SetConnectScanBitmaps
};

} // namespace portlab

#endif // PORTLAB_TCP_PORT_TABLE_H
