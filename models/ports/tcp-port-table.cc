/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/tcp-port-table.h"

#include "ports/free-slots.h"
#include "ports/tcp-time-wait-rules.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>

namespace portlab
{

// IPv4 entries must not grow with IPv6 (issue 14): a TIME_WAIT entry stays 48 bytes (its
// family and tw_ipv6only are two bits of its flags), and a socket record grows by 4 bytes
// (44 -> 48) for its V6Ref and ipv6only.
static_assert(sizeof(TimeWaitEntry) == 48, "a TIME_WAIT entry is 48 bytes");
static_assert(sizeof(FourTuple) == 12, "an IPv4 4-tuple is 12 bytes");

/// bind(0)'s candidate test: reserved ports skipped, then the conflict rule with
/// reuseport_ok=false (inet_csk_find_open_port).
class TcpPortTable::BindCheck : public PortCandidateCheck
{
  public:
    BindCheck(const TcpPortTable& table, const OwnerClass& s)
        : m_table(table),
          m_s(s)
    {
    }

    bool Usable(uint16_t port, bool relaxed) override
    {
        if (m_table.m_sysctls.ipLocalReservedPorts.Contains(port))
        {
            return false;
        }
        return !m_table.Conflict(port, m_s, relaxed, false);
    }

  private:
    const TcpPortTable& m_table;
    const OwnerClass& m_s;
};

/// connect()'s candidate test (__inet_hash_connect): reserved ports skipped, ports with an
/// explicitly bound owner never shared, 4-tuple unique (or a TIME_WAIT takeover allowed).
class TcpPortTable::ConnectCheck : public PortCandidateCheck
{
  public:
    ConnectCheck(const TcpPortTable& table, FourTuple t, TimeNs now, const FourTuple6* key6)
        : m_table(table),
          m_tuple(t),
          m_now(now),
          m_shortcut(key6 == nullptr && table.ConnectScanShortcut(t)),
          m_native(key6 != nullptr)
    {
        if (key6 != nullptr)
        {
            m_key6 = *key6;
        }
    }

    bool Usable(uint16_t port, bool) override
    {
        if (m_native)
        {
            // __inet_hash_connect() with __inet6_check_established(): the same port rules,
            // the native-IPv6 4-tuple index.
            m_key6.localPort = port;
            if (m_table.m_sysctls.ipLocalReservedPorts.Contains(port) ||
                !m_table.ConnectMayShare(port))
            {
                return false;
            }
            m_takeover = INVALID_ID;
            return m_table.CheckEstablished(m_key6, false, m_now, m_takeover);
        }
        if (m_ports == nullptr && m_shortcut && ++m_scanned == SCAN_BEFORE_BITMAP)
        {
            m_ports = m_table.DestinationBitmap(m_tuple);
        }
        if (m_ports != nullptr && ((m_ports->bits[port >> 6] >> (port & 63)) & 1))
        {
            return false; // the 4-tuple is taken and cannot be taken over: as CheckEstablished
        }
        m_tuple.localPort = port;
        m_table.m_ehash.Prefetch(m_tuple); // overlaps with the bind-bucket check below
        if (m_table.m_sysctls.ipLocalReservedPorts.Contains(port) || !m_table.ConnectMayShare(port))
        {
            return false;
        }
        m_takeover = INVALID_ID;
        return m_table.CheckEstablished(m_tuple, false, m_now, m_takeover);
    }

    TimeWaitId Takeover() const
    {
        return m_takeover;
    }

  private:
    /// Candidates one connect() checks the slow way before it asks for the bitmap.
    static constexpr uint32_t SCAN_BEFORE_BITMAP = 256;

    const TcpPortTable& m_table;
    FourTuple m_tuple;
    TimeNs m_now;
    TimeWaitId m_takeover{INVALID_ID};
    bool m_shortcut;                          //!< the bitmap's answer is exact here
    bool m_native;                            //!< a native-IPv6 connect()
    FourTuple6 m_key6;                        //!< its 4-tuple (m_native)
    uint32_t m_scanned{0};                    //!< candidates checked so far
    const DestinationPorts* m_ports{nullptr}; //!< the destination's bitmap, once asked for
};

namespace
{
/// Destination bitmaps one table keeps (8 KiB each); the least recently used goes first.
constexpr size_t MAX_DESTINATION_BITMAPS = 64;
} // namespace

bool
TcpPortTable::ConnectScanShortcut(const FourTuple& t) const
{
    // TimeWaitUnique() refuses every TIME_WAIT to a connect() that chose no port itself when
    // TcpTwskReuse() is off for the entry. A FIN_WAIT2 entry is refused anyway. The others'
    // loopback-ness comes from their addresses (this 4-tuple's) and their bound device;
    // entries bound to lo exist only if some socket was bound to it.
    if (!m_scanBitmaps)
    {
        return false;
    }
    return !TcpTwskReuse(
        m_sysctls.tcpTwReuse,
        false,
        TcpTwskLoopback(t.remoteAddr, t.localAddr, m_loopbackBound ? LOOPBACK_IFINDEX : 0));
}

const TcpPortTable::DestinationPorts*
TcpPortTable::DestinationBitmap(const FourTuple& t) const
{
    auto key = DestinationOf(t);
    auto it = m_destinationPorts.find(key);
    if (it == m_destinationPorts.end())
    {
        if (m_destinationPorts.size() >= MAX_DESTINATION_BITMAPS)
        {
            auto oldest = m_destinationPorts.begin();
            for (auto i = m_destinationPorts.begin(); i != m_destinationPorts.end(); ++i)
            {
                if (i->second.lastUse < oldest->second.lastUse)
                {
                    oldest = i;
                }
            }
            m_destinationPorts.erase(oldest);
        }
        DestinationPorts ports;
        FourTuple probe = t;
        for (uint32_t port = 0; port < 65536; ++port)
        {
            probe.localPort = static_cast<uint16_t>(port);
            if (m_ehash.Find(probe) != FourTupleIndex::NONE)
            {
                ports.bits[port >> 6] |= uint64_t{1} << (port & 63);
                ++ports.count;
            }
        }
        it = m_destinationPorts.emplace(key, std::move(ports)).first;
    }
    it->second.lastUse = ++m_destinationUse;
    return &it->second;
}

void
TcpPortTable::IndexInsert(const FourTuple& t, uint32_t ref)
{
    m_ehash.Insert(t, ref);
    if (!m_destinationPorts.empty())
    {
        auto it = m_destinationPorts.find(DestinationOf(t));
        if (it != m_destinationPorts.end())
        {
            uint64_t& word = it->second.bits[t.localPort >> 6];
            uint64_t bit = uint64_t{1} << (t.localPort & 63);
            it->second.count += (word & bit) ? 0 : 1;
            word |= bit;
        }
    }
}

void
TcpPortTable::IndexErase(const FourTuple& t)
{
    m_ehash.Erase(t);
    if (!m_destinationPorts.empty())
    {
        auto it = m_destinationPorts.find(DestinationOf(t));
        if (it != m_destinationPorts.end())
        {
            uint64_t& word = it->second.bits[t.localPort >> 6];
            uint64_t bit = uint64_t{1} << (t.localPort & 63);
            if (word & bit)
            {
                word &= ~bit;
                if (--it->second.count == 0)
                {
                    m_destinationPorts.erase(it); // nothing left towards it
                }
            }
        }
    }
}

TcpPortTable::TcpPortTable(const PortSysctls& sysctls,
                           const LocalAddresses& addresses,
                           EphemeralPortSelector& selector,
                           uint64_t secret)
    : m_sysctls(sysctls),
      m_addresses(addresses),
      m_selector(&selector),
      m_secret(secret),
      m_ehash(secret),
      m_ehash6(secret ^ 0x6666666666666666ULL)
{
    static_assert(sizeof(SocketRecord) == SOCKET_RECORD_BYTES,
                  "a socket record is 48 bytes (44 before IPv6: +4 for V6Ref and ipv6only)");
    static_assert(sizeof(OwnerClass) == 20, "an owner class stays 20 bytes with IPv6");
}

// ---------------------------------------------------------------------------------------------
// Bind buckets

TcpPortTable::OwnerClass
TcpPortTable::ClassOf(const SocketRecord& s) const
{
    OwnerClass c{};
    c.addr = s.tuple.localAddr;
    c.dev = s.boundDev;
    c.uid = s.uid;
    c.kind = s.state == TcpState::LISTEN ? OwnerKind::LISTEN : OwnerKind::BOUND;
    c.reuse = s.reuseAddr;
    c.reusePort = s.reusePort;
    c.connectBound = s.connectBound;
    c.ipv6only = s.ipv6only;
    c.v6 = s.v6;
    c.count = 1;
    return c;
}

void
TcpPortTable::AddOwner(uint16_t port, const OwnerClass& key)
{
    BindBucket& bucket = m_buckets.GetOrCreate(port);
    for (auto& c : bucket)
    {
        if (c.SameKey(key))
        {
            ++c.count;
            return;
        }
    }
    OwnerClass c = key;
    c.count = 1;
    bucket.push_back(c);
}

void
TcpPortTable::RemoveOwner(uint16_t port, const OwnerClass& key)
{
    BindBucket* bucket = m_buckets.Find(port);
    if (bucket == nullptr)
    {
        throw std::logic_error("TcpPortTable: releasing an owner of an empty port");
    }
    OwnerClass* classes = bucket->begin();
    for (size_t i = 0; i < bucket->size(); ++i)
    {
        if (classes[i].SameKey(key))
        {
            if (--classes[i].count == 0)
            {
                bucket->RemoveAt(i);
                if (bucket->size() == 0)
                {
                    m_buckets.Erase(port);
                }
            }
            return;
        }
    }
    throw std::logic_error("TcpPortTable: releasing an owner the port does not have");
}

void
TcpPortTable::Own(SocketId id)
{
    SocketRecord& s = m_sockets[id];
    assert(!s.owning && s.tuple.localPort != 0);
    AddOwner(s.tuple.localPort, ClassOf(s));
    s.owning = true;
}

void
TcpPortTable::Unown(SocketId id)
{
    SocketRecord& s = m_sockets[id];
    if (s.owning)
    {
        RemoveOwner(s.tuple.localPort, ClassOf(s));
        s.owning = false;
    }
}

bool
TcpPortTable::Conflict(uint16_t port, const OwnerClass& s, bool relax, bool reuseportOk) const
{
    // inet_bind_conflict() (reference §1.4) against every owner whose address overlaps
    // (inet_rcv_saddr_equal with match_wildcard, §1.5; both families: InetRcvSaddrEqual) on a
    // compatible device.
    const BindBucket* bucket = m_buckets.Find(port);
    if (bucket == nullptr)
    {
        return false;
    }
    for (const OwnerClass& o : *bucket)
    {
        if (s.dev != 0 && o.dev != 0 && s.dev != o.dev)
        {
            continue;
        }
        if (!InetRcvSaddrEqual(s.Saddr(), o.Saddr(), true))
        {
            continue;
        }
        bool conflict;
        if (s.reuse && o.reuse && o.kind != OwnerKind::LISTEN)
        {
            conflict = !relax || (!reuseportOk && s.reusePort && o.reusePort &&
                                  (o.kind == OwnerKind::TIME_WAIT || s.uid == o.uid));
        }
        else
        {
            conflict = !reuseportOk || !s.reusePort || !o.reusePort ||
                       (o.kind != OwnerKind::TIME_WAIT && s.uid != o.uid);
        }
        if (conflict)
        {
            return true;
        }
    }
    return false;
}

bool
TcpPortTable::ConnectMayShare(uint16_t port) const
{
    // A bucket whose owners all got the port from connect() has fastreuse == -1; any owner
    // that bound explicitly (bind(port), bind(0), listen autobind, accepted child) makes it
    // >= 0 and connect() skips the port (6.18 recomputes this when owners leave).
    const BindBucket* bucket = m_buckets.Find(port);
    if (bucket == nullptr)
    {
        return true;
    }
    for (const OwnerClass& o : *bucket)
    {
        if (!o.connectBound)
        {
            return false;
        }
    }
    return true;
}

uint32_t
TcpPortTable::OwnerCount(uint16_t port) const
{
    const BindBucket* bucket = m_buckets.Find(port);
    uint32_t n = 0;
    if (bucket != nullptr)
    {
        for (const auto& c : *bucket)
        {
            n += c.count;
        }
    }
    return n;
}

EphemeralRange
TcpPortTable::RangeFor(const SocketRecord& s) const
{
    return SocketPortRange(m_sysctls.ipLocalPortRangeLow,
                           m_sysctls.ipLocalPortRangeHigh,
                           s.rangeLo,
                           s.rangeHi);
}

// ---------------------------------------------------------------------------------------------
// Socket calls

SocketId
TcpPortTable::Open()
{
    if (m_freeSockets.empty() && m_sockets.size() >= TW_REF)
    {
        throw std::length_error("TcpPortTable: too many sockets");
    }
    const SocketId id = TakeFreeSlot(m_sockets, m_freeSockets);
    m_sockets[id] = SocketRecord{};
    m_sockets[id].inUse = true;
    return id;
}

SocketId
TcpPortTable::OpenInet6()
{
    const SocketId id = Open();
    m_sockets[id].v6 = V6_ANY;
    m_sockets[id].ipv6only = m_sysctls.bindv6only != 0;
    return id;
}

Errno
TcpPortTable::SetV6Only(SocketId id, bool on)
{
    SocketRecord& s = m_sockets[id];
    if (s.v6 == V6_NONE)
    {
        return Errno::NOPROTOOPT;
    }
    if (s.tuple.localPort != 0)
    {
        return Errno::INVAL; // inet_num != 0
    }
    s.ipv6only = on;
    return Errno::OK;
}

template <class Change>
void
TcpPortTable::ChangeOwnerKey(SocketId id, Change change)
{
    // The field is part of the socket's owner class: leave the bucket, change, rejoin.
    SocketRecord& s = m_sockets[id];
    bool was = s.owning;
    Unown(id);
    change(s);
    if (was)
    {
        Own(id);
    }
}

void
TcpPortTable::SetReuseAddr(SocketId id, bool on)
{
    ChangeOwnerKey(id, [on](SocketRecord& s) { s.reuseAddr = on; });
}

void
TcpPortTable::SetReusePort(SocketId id, bool on)
{
    ChangeOwnerKey(id, [on](SocketRecord& s) { s.reusePort = on; });
}

void
TcpPortTable::SetUid(SocketId id, uint32_t uid)
{
    ChangeOwnerKey(id, [uid](SocketRecord& s) { s.uid = uid; });
}

void
TcpPortTable::SetBoundDevice(SocketId id, uint32_t ifindex)
{
    if (ifindex == LOOPBACK_IFINDEX)
    {
        m_loopbackBound = true; // see ConnectScanShortcut
    }
    ChangeOwnerKey(id, [ifindex](SocketRecord& s) { s.boundDev = ifindex; });
}

void
TcpPortTable::SetBindAddressNoPort(SocketId id, bool on)
{
    m_sockets[id].bindAddressNoPort = on;
}

Errno
TcpPortTable::SetLocalPortRange(SocketId id, uint16_t lo, uint16_t hi)
{
    if (!LocalPortRangeValid(lo, hi))
    {
        return Errno::INVAL;
    }
    m_sockets[id].rangeLo = lo;
    m_sockets[id].rangeHi = hi;
    return Errno::OK;
}

Errno
TcpPortTable::Bind(SocketId id, const InetAddress& addr, uint16_t port)
{
    SocketRecord& s = m_sockets[id];
    if (!addr.inet6)
    {
        // An AF_INET6 socket given a sockaddr_in: addr_len < SIN6_LEN_RFC2133.
        return s.v6 == V6_NONE ? Bind(id, addr.v4, port) : m_counters.bind.Count(Errno::INVAL);
    }
    if (s.v6 == V6_NONE)
    {
        return m_counters.bind.Count(Errno::AFNOSUPPORT); // __inet_bind: sin_family
    }
    // __inet6_bind(), in its order.
    if (addr.v6.bytes[0] == 0xff)
    {
        return m_counters.bind.Count(Errno::INVAL); // multicast on SOCK_STREAM
    }
    if (port != 0 && port < m_sysctls.ipUnprivilegedPortStart && s.uid != 0)
    {
        return m_counters.bind.Count(Errno::ACCES);
    }
    if (s.state != TcpState::CLOSE || s.tuple.localPort != 0)
    {
        return m_counters.bind.Count(Errno::INVAL);
    }
    RcvSaddr local;
    Errno e = Inet6BindAddress(addr, s.ipv6only, m_addresses, s.boundDev, local);
    if (e != Errno::OK)
    {
        return m_counters.bind.Count(e);
    }
    const bool wasLocked = s.addrLocked;
    const bool savedV6only = s.ipv6only;
    s.tuple.localAddr = local.v4;
    s.v6 = local.v6;
    s.ipv6only = local.ipv6only;
    s.addrLocked = local.v6 != V6_ANY;
    e = BindPort(id, port, wasLocked);
    if (e != Errno::OK)
    {
        s.ipv6only = savedV6only;
        s.v6 = V6_ANY;
    }
    return m_counters.bind.Count(e);
}

Errno
TcpPortTable::Bind(SocketId id, Ipv4 addr, uint16_t port)
{
    SocketRecord& s = m_sockets[id];
    if (s.v6 != V6_NONE)
    {
        return m_counters.bind.Count(Errno::INVAL); // a sockaddr_in is too short for AF_INET6
    }
    // __inet_bind(), in its order.
    if (addr != ADDR_ANY && !m_addresses.Bindable(addr))
    {
        return m_counters.bind.Count(Errno::ADDRNOTAVAIL);
    }
    if (port != 0 && port < m_sysctls.ipUnprivilegedPortStart && s.uid != 0)
    {
        return m_counters.bind.Count(Errno::ACCES);
    }
    if (s.state != TcpState::CLOSE || s.tuple.localPort != 0)
    {
        return m_counters.bind.Count(Errno::INVAL);
    }
    // SOCK_BINDADDR_LOCK comes only with success: get_port() failing resets the address
    // ("inet->inet_saddr = inet->inet_rcv_saddr = 0") and leaves sk_userlocks as it was.
    const bool wasLocked = s.addrLocked;
    s.tuple.localAddr = addr;
    s.addrLocked = addr != ADDR_ANY;
    return m_counters.bind.Count(BindPort(id, port, wasLocked));
}

Errno
TcpPortTable::BindPort(SocketId id, uint16_t port, bool wasLocked)
{
    SocketRecord& s = m_sockets[id];
    if (port == 0 && s.bindAddressNoPort)
    {
        return Errno::OK; // the port is chosen at connect()
    }
    OwnerClass me = ClassOf(s);
    if (port == 0)
    {
        BindCheck check(*this, me);
        port = m_selector->SelectBindPort(RangeFor(s),
                                          s.reuseAddr,
                                          m_sysctls.ipAutobindReuse != 0,
                                          check);
        if (port == 0)
        {
            s.tuple.localAddr = ADDR_ANY;
            s.addrLocked = wasLocked;
            return Errno::ADDRINUSE;
        }
    }
    else
    {
        if (Conflict(port, me, true, true))
        {
            s.tuple.localAddr = ADDR_ANY;
            s.addrLocked = wasLocked;
            return Errno::ADDRINUSE;
        }
        s.portLocked = true;
    }
    s.tuple.localPort = port;
    s.connectBound = false;
    Own(id);
    return Errno::OK;
}

Errno
TcpPortTable::Listen(SocketId id, int64_t backlog)
{
    SocketRecord& s = m_sockets[id];
    // __sys_listen_socket(): (unsigned) backlog clamped to somaxconn.
    uint64_t b = static_cast<uint64_t>(backlog < 0 ? INT64_MAX : backlog);
    uint32_t clamped = static_cast<uint32_t>(std::min<uint64_t>(b, m_sysctls.somaxconn));
    if (s.state == TcpState::LISTEN)
    {
        s.backlog = clamped; // listen() again only updates the backlog
        return m_counters.listen.Count(Errno::OK);
    }
    if (s.state != TcpState::CLOSE)
    {
        return m_counters.listen.Count(Errno::INVAL);
    }
    // inet_csk_listen_start(): state becomes LISTEN, then get_port() runs again.
    if (s.tuple.localPort == 0)
    {
        s.state = TcpState::LISTEN;
        OwnerClass me = ClassOf(s);
        BindCheck check(*this, me);
        uint16_t port = m_selector->SelectBindPort(RangeFor(s),
                                                   s.reuseAddr,
                                                   m_sysctls.ipAutobindReuse != 0,
                                                   check);
        if (port == 0)
        {
            s.state = TcpState::CLOSE;
            return m_counters.listen.Count(Errno::ADDRINUSE);
        }
        s.tuple.localPort = port;
        s.connectBound = false;
    }
    else
    {
        Unown(id); // S itself is never its own conflict
        s.state = TcpState::LISTEN;
        if (Conflict(s.tuple.localPort, ClassOf(s), true, true))
        {
            s.state = TcpState::CLOSE;
            Own(id);
            return m_counters.listen.Count(Errno::ADDRINUSE);
        }
    }
    s.backlog = clamped;
    Own(id);
    AddListener(id);
    return m_counters.listen.Count(Errno::OK);
}

bool
TcpPortTable::TimeWaitUnique(const TimeWaitEntry& tw, bool explicitPort, TimeNs now) const
{
    TcpTwskFacts facts;
    facts.timestamps = (tw.flags & TW_TIMESTAMPS) != 0;
    facts.finWait2 = (tw.flags & TW_FIN_WAIT2) != 0;
    if (tw.ext & TWX_NATIVE6)
    {
        const FourTuple6& k = m_tw6Keys[tw.tuple.remoteAddr];
        facts.loopback =
            TcpTwskLoopback(k.remoteAddr, m_addresses.Ipv6Of(k.localAddr), tw.boundDev);
    }
    else
    {
        facts.loopback = TcpTwskLoopback(tw.tuple.remoteAddr, tw.tuple.localAddr, tw.boundDev);
    }
    facts.entryStamp = tw.entryStamp;
    return TcpTwskUnique(facts, explicitPort, now, m_sysctls);
}

bool
TcpPortTable::CheckEstablished(const FourTuple& t,
                               bool explicitPort,
                               TimeNs now,
                               TimeWaitId& tw) const
{
    return EstablishedFree(m_ehash.Find(t), explicitPort, now, tw);
}

bool
TcpPortTable::CheckEstablished(const FourTuple6& t,
                               bool explicitPort,
                               TimeNs now,
                               TimeWaitId& tw) const
{
    return EstablishedFree(m_ehash6.Find(t), explicitPort, now, tw); // __inet6_check_established
}

bool
TcpPortTable::EstablishedFree(uint32_t ref, bool explicitPort, TimeNs now, TimeWaitId& tw) const
{
    // __inet_check_established(): the 4-tuple must be unused, or be a TIME_WAIT that
    // tcp_twsk_unique() lets us take over.
    tw = INVALID_ID;
    if (ref == FourTupleIndex::NONE)
    {
        return true;
    }
    if ((ref & TW_REF) && TimeWaitUnique(m_tw[ref & ~TW_REF], explicitPort, now))
    {
        tw = ref & ~TW_REF;
        return true;
    }
    return false;
}

Errno
TcpPortTable::Connect(SocketId id,
                      Ipv4 sourceAddr,
                      Ipv4 remoteAddr,
                      uint16_t remotePort,
                      TimeNs now,
                      TcpConnectResult& result)
{
    SocketRecord& s = m_sockets[id];
    if (s.state == TcpState::SYN_SENT)
    {
        return m_counters.connect.Count(Errno::ALREADY);
    }
    if (s.state != TcpState::CLOSE)
    {
        return m_counters.connect.Count(Errno::ISCONN);
    }
    if (s.v6 != V6_NONE && s.ipv6only)
    {
        // tcp_v6_connect(): a v4-mapped destination on a v6-only socket (also any socket
        // bound to a native IPv6 address, which bind() made v6-only).
        return m_counters.connect.Count(Errno::NETUNREACH);
    }
    const Ipv4 boundAddr = s.tuple.localAddr;
    FourTuple t;
    t.localAddr = boundAddr != ADDR_ANY ? boundAddr : sourceAddr;
    t.remoteAddr = remoteAddr;
    t.remotePort = remotePort;
    TimeWaitId takeover = INVALID_ID;
    bool newPort = false;
    if (s.tuple.localPort != 0)
    {
        // The socket has a port (bind(port) or bind(0)): only the 4-tuple is checked, and a
        // TIME_WAIT with timestamps is taken over whatever tcp_tw_reuse says (twp == NULL).
        t.localPort = s.tuple.localPort;
        if (!CheckEstablished(t, true, now, takeover))
        {
            return m_counters.connect.Count(Errno::ADDRNOTAVAIL);
        }
    }
    else
    {
        ConnectCheck check(*this, t, now, nullptr);
        uint16_t port = m_selector->SelectConnectPort(RangeFor(s),
                                                      t.localAddr,
                                                      remoteAddr,
                                                      remotePort,
                                                      now,
                                                      check);
        if (port == 0)
        {
            return m_counters.connect.Count(Errno::ADDRNOTAVAIL);
        }
        t.localPort = port;
        takeover = check.Takeover();
        newPort = true;
    }

    return FinishConnect(id,
                         t,
                         nullptr,
                         s.v6 != V6_NONE ? V6_MAPPED : V6_NONE,
                         takeover,
                         newPort,
                         result);
}

Errno
TcpPortTable::FinishConnect(SocketId id,
                            const FourTuple& t,
                            const FourTuple6* key6,
                            V6Ref v6,
                            TimeWaitId takeover,
                            bool newPort,
                            TcpConnectResult& result)
{
    SocketRecord& s = m_sockets[id];
    result = TcpConnectResult{};
    result.localPort = t.localPort;
    result.localAddr = t.localAddr;
    if (takeover != INVALID_ID)
    {
        const TimeWaitEntry& tw = m_tw[takeover];
        result.tookOverTimeWait = true;
        result.isnHint = TcpTwIsn(tw.sndNxt);
        result.tsRecent = tw.tsRecent;
        ++m_counters.timeWaitRecycled;
        if (m_observer)
        {
            m_observer->TimeWaitTakenOver(tw);
        }
        UnhashTimeWait(takeover);
        FreeTimeWait(takeover);
    }
    // Hash in the bind table (rehash if the address was wildcard) and the connection table.
    Unown(id);
    s.tuple = t;
    s.v6 = v6; // tcp_v6_connect() -> tcp_v4_connect(): ::ffff:source; native: the source
    if (newPort)
    {
        s.connectBound = true;
    }
    s.state = TcpState::SYN_SENT;
    Own(id);
    if (key6 != nullptr)
    {
        m_ehash6.Insert(*key6, id);
        m_sockKeys6[id] = *key6;
    }
    else
    {
        IndexInsert(t, id);
    }
    s.hashed = true;
    if (newPort && m_observer)
    {
        m_observer->ConnectPortChosen(t);
    }
    return m_counters.connect.Count(Errno::OK);
}

namespace
{
/// The IPv6 addresses as inet6_sk_port_offset() feeds them to the port offset's keyed hash,
/// folded to the 32 bits the selector takes (the offset is a keyed hash either way).
Ipv4
FoldIpv6(const Ipv6& a)
{
    uint64_t hi = 0;
    uint64_t lo = 0;
    for (int i = 0; i < 8; ++i)
    {
        hi = (hi << 8) | a.bytes[i];
        lo = (lo << 8) | a.bytes[8 + i];
    }
    return static_cast<Ipv4>(Mix64(hi ^ Mix64(lo)));
}
} // namespace

Errno
TcpPortTable::Connect(SocketId id,
                      const InetAddress& sourceAddr,
                      const InetAddress& remoteAddr,
                      uint16_t remotePort,
                      TimeNs now,
                      TcpConnectResult& result)
{
    SocketRecord& s = m_sockets[id];
    if (!remoteAddr.inet6)
    {
        // tcp_v6_connect(): a sockaddr_in is shorter than SIN6_LEN_RFC2133.
        return s.v6 == V6_NONE ? Connect(id, sourceAddr.v4, remoteAddr.v4, remotePort, now, result)
                               : m_counters.connect.Count(Errno::INVAL);
    }
    if (s.v6 == V6_NONE)
    {
        return m_counters.connect.Count(Errno::AFNOSUPPORT); // tcp_v4_connect: sin_family
    }
    Ipv6 remote = remoteAddr.v6;
    Ipv6Class cls = ClassifyIpv6(remote);
    if (cls == Ipv6Class::ANY)
    {
        remote = Ipv6{};
        remote.bytes[15] = 1; // connect to `::` means `::1`
        cls = Ipv6Class::OTHER;
    }
    if (cls == Ipv6Class::MAPPED)
    {
        const Ipv4 src = sourceAddr.inet6 ? (ClassifyIpv6(sourceAddr.v6) == Ipv6Class::MAPPED
                                                 ? MappedIpv4(sourceAddr.v6)
                                                 : ADDR_ANY)
                                          : sourceAddr.v4;
        return Connect(id, src, MappedIpv4(remote), remotePort, now, result);
    }
    if (s.state == TcpState::SYN_SENT)
    {
        return m_counters.connect.Count(Errno::ALREADY);
    }
    if (s.state != TcpState::CLOSE)
    {
        return m_counters.connect.Count(Errno::ISCONN);
    }
    if (s.v6 == V6_MAPPED)
    {
        // Recorded (v6_socket_connects_v4mapped): a socket bound to ::ffff:127.0.0.1 cannot
        // reach a native IPv6 address.
        return m_counters.connect.Count(Errno::AFNOSUPPORT);
    }
    if (Ipv6NeedsScopeId(remote) && remoteAddr.scopeId == 0 && s.boundDev == 0)
    {
        return m_counters.connect.Count(Errno::INVAL);
    }
    FourTuple6 key;
    key.remoteAddr = remote;
    key.remotePort = remotePort;
    key.localAddr = s.v6 >= V6_FIRST_OTHER ? s.v6 : m_addresses.FindIpv6(sourceAddr.v6, 0);
    if (key.localAddr == V6_NONE)
    {
        return m_counters.connect.Count(Errno::ADDRNOTAVAIL); // no such source on this host
    }
    FourTuple t;
    t.localAddr = LOOPBACK4_IPV6; // inet_rcv_saddr of a native-IPv6 connection
    t.remoteAddr = LOOPBACK4_IPV6;
    t.remotePort = remotePort;
    TimeWaitId takeover = INVALID_ID;
    bool newPort = false;
    if (s.tuple.localPort != 0)
    {
        key.localPort = s.tuple.localPort;
        if (!CheckEstablished(key, true, now, takeover))
        {
            return m_counters.connect.Count(Errno::ADDRNOTAVAIL);
        }
    }
    else
    {
        ConnectCheck check(*this, t, now, &key);
        uint16_t port = m_selector->SelectConnectPort(RangeFor(s),
                                                      FoldIpv6(m_addresses.Ipv6Of(key.localAddr)),
                                                      FoldIpv6(remote),
                                                      remotePort,
                                                      now,
                                                      check);
        if (port == 0)
        {
            return m_counters.connect.Count(Errno::ADDRNOTAVAIL);
        }
        key.localPort = port;
        takeover = check.Takeover();
        newPort = true;
    }
    t.localPort = key.localPort;
    return FinishConnect(id, t, &key, key.localAddr, takeover, newPort, result);
}

SocketId
TcpPortTable::CreateChild(SocketId listener,
                          Ipv4 localAddr,
                          Ipv4 remoteAddr,
                          uint16_t remotePort,
                          TcpState state)
{
    FourTuple t{localAddr, remoteAddr, m_sockets[listener].tuple.localPort, remotePort};
    if (m_ehash.Find(t) != FourTupleIndex::NONE)
    {
        return INVALID_ID;
    }
    // tcp_v6_syn_recv_sock() over tcp_v4_syn_recv_sock(): an IPv4 child of an AF_INET6
    // listener is AF_INET6 with v4-mapped addresses.
    return NewChild(listener,
                    t,
                    nullptr,
                    m_sockets[listener].v6 != V6_NONE ? V6_MAPPED : V6_NONE,
                    state);
}

SocketId
TcpPortTable::CreateChild6(SocketId listener,
                           const Ipv6& localAddr,
                           const Ipv6& remoteAddr,
                           uint16_t remotePort,
                           TcpState state)
{
    const FourTuple6 key =
        Ehash6Key(localAddr, m_sockets[listener].tuple.localPort, remoteAddr, remotePort);
    if (key.localAddr == V6_NONE || m_ehash6.Find(key) != FourTupleIndex6::NONE)
    {
        return INVALID_ID;
    }
    FourTuple t{LOOPBACK4_IPV6, LOOPBACK4_IPV6, key.localPort, remotePort};
    return NewChild(listener, t, &key, key.localAddr, state);
}

SocketId
TcpPortTable::NewChild(SocketId listener,
                       const FourTuple& t,
                       const FourTuple6* key6,
                       V6Ref v6,
                       TcpState state)
{
    const SocketRecord l = m_sockets[listener]; // copy: Open() may reallocate
    SocketId id = Open();
    SocketRecord& c = m_sockets[id];
    c.tuple = t;
    c.uid = l.uid;
    c.boundDev = l.boundDev;
    c.reuseAddr = l.reuseAddr;
    c.reusePort = l.reusePort;
    c.v6 = v6;
    c.ipv6only = l.ipv6only; // the listener's ipv6only

    // sk_clone_lock(): the child has no SOCK_BINDPORT_LOCK of its own, so a child that reaches
    // CLOSE (a reset) gives its port back, and may bind() again.
    c.portLocked = false;
    c.state = state;
    Own(id);
    if (key6 != nullptr)
    {
        m_ehash6.Insert(*key6, id);
        m_sockKeys6[id] = *key6;
    }
    else
    {
        IndexInsert(t, id);
    }
    c.hashed = true;
    return id;
}

void
TcpPortTable::SetState(SocketId id, TcpState state)
{
    SocketRecord& s = m_sockets[id];
    if (state == TcpState::LISTEN || state == TcpState::TIME_WAIT || state == TcpState::CLOSE ||
        s.state == TcpState::LISTEN || !s.hashed)
    {
        throw std::logic_error(std::string("TcpPortTable::SetState: ") + TcpStateName(s.state) +
                               " -> " + TcpStateName(state) +
                               " is not a transition among connected states");
    }
    s.state = state;
}

void
TcpPortTable::SetClosed(SocketId id)
{
    SocketRecord& s = m_sockets[id];
    if (s.state == TcpState::CLOSE)
    {
        return;
    }
    if (s.hashed)
    {
        UnhashSocket(id);
    }
    if (s.state == TcpState::LISTEN)
    {
        RemoveListener(id);
    }
    Unown(id);
    s.state = TcpState::CLOSE;
    s.tuple.remoteAddr = ADDR_ANY;
    s.tuple.remotePort = 0;
    if (s.portLocked)
    {
        Own(id); // SOCK_BINDPORT_LOCK: the port stays with the socket until it is destroyed
    }
    else
    {
        s.tuple.localPort = 0;
        s.connectBound = false;
    }
}

void
TcpPortTable::ResetSource(SocketId id)
{
    SocketRecord& s = m_sockets[id];
    if (s.state != TcpState::CLOSE || s.addrLocked || s.tuple.localAddr == ADDR_ANY)
    {
        return;
    }
    // A socket still holding its port (SOCK_BINDPORT_LOCK) moves to the wildcard's owner
    // class (inet_bhash2_reset_saddr()).
    const bool owning = s.owning;
    if (owning)
    {
        Unown(id);
    }
    s.tuple.localAddr = ADDR_ANY;
    if (s.v6 != V6_NONE)
    {
        s.v6 = V6_ANY;
    }
    if (owning)
    {
        Own(id);
    }
}

void
TcpPortTable::Destroy(SocketId id)
{
    SetClosed(id);
    Unown(id);
    m_sockets[id] = SocketRecord{};
    m_freeSockets.push_back(id);
}

// ---------------------------------------------------------------------------------------------
// TIME_WAIT

TimeWaitId
TcpPortTable::EnterTimeWait(SocketId id, TimeNs now, const TimeWaitInfo& info)
{
    SocketRecord& s = m_sockets[id];
    if (!s.hashed)
    {
        throw std::logic_error("TcpPortTable::EnterTimeWait: socket is not connected");
    }
    // inet_twsk_alloc() fails once tcp_max_tw_buckets entries exist: tcp_time_wait() then
    // just closes (TCPTimeWaitOverflow), freeing the port and 4-tuple at once.
    if (static_cast<int64_t>(m_twCount) >= m_sysctls.tcpMaxTwBuckets)
    {
        ++m_counters.timeWaitOverflow;
        if (m_observer)
        {
            m_observer->TimeWaitOverflow(s.tuple);
        }
        SetClosed(id);
        return INVALID_ID;
    }
    // A reused entry keeps its generation: queue items of its last life stay stale.
    const TimeWaitId tw = TakeFreeSlot(m_tw, m_freeTw);
    TimeWaitEntry& e = m_tw[tw];
    e.tuple = s.tuple;
    e.sndNxt = info.sndNxt;
    e.rcvNxt = info.rcvNxt;
    e.tsRecent = info.tsRecent;
    e.entryStamp = now;
    e.expiry = now + (info.timeout > 0 ? info.timeout : m_sysctls.TimewaitLen());
    e.generation++;
    e.boundDev = static_cast<uint16_t>(s.boundDev);
    e.flags = TW_LIVE | (s.reuseAddr ? TW_REUSE : 0) | (s.reusePort ? TW_REUSEPORT : 0) |
              (info.hasTimestamps ? TW_TIMESTAMPS : 0) | (info.finWait2 ? TW_FIN_WAIT2 : 0) |
              (s.connectBound ? TW_CONNECT_BIND : 0) | (s.v6 != V6_NONE ? TW_INET6 : 0) |
              (s.ipv6only ? TW_V6ONLY : 0);
    e.ext = 0;
    auto key6 = m_sockKeys6.empty() ? m_sockKeys6.end() : m_sockKeys6.find(id);
    if (key6 != m_sockKeys6.end())
    {
        // A native-IPv6 4-tuple: its key goes to the side slab, the entry keeps the ports,
        // the placeholder and the slab index (so the 48-byte entry serves both families).
        const uint32_t slot = TakeFreeSlot(m_tw6Keys, m_freeTw6Keys);
        m_tw6Keys[slot] = key6->second;
        e.tuple.remoteAddr = slot;
        e.ext = TWX_NATIVE6;
        m_ehash6.Replace(key6->second, tw | TW_REF);
        m_sockKeys6.erase(key6);
    }
    else
    {
        m_ehash.Replace(s.tuple, tw | TW_REF);
    }
    ++m_twCount;
    if (info.finWait2)
    {
        ++m_fw2Count; // a FIN_WAIT2 timewait sock: TIME_WAIT (and its trace) starts at the FIN
    }
    else
    {
        ++m_counters.timeWaitCreated;
    }

    // The entry takes the socket's place in the bind bucket (and, above, the connection table).
    AddOwner(e.tuple.localPort, TimeWaitClass(e));
    s.hashed = false;
    (info.finWait2 ? m_fw2Queue : m_twQueue).emplace_back(tw, e.generation);
    if (m_observer && !info.finWait2)
    {
        m_observer->TimeWaitEntered(e);
    }
    SetClosed(id);
    return tw;
}

TcpPortTable::OwnerClass
TcpPortTable::TimeWaitClass(const TimeWaitEntry& e) const
{
    OwnerClass twClass{};
    twClass.addr = e.tuple.localAddr;
    twClass.dev = e.boundDev;
    twClass.kind = OwnerKind::TIME_WAIT;
    twClass.reuse = (e.flags & TW_REUSE) != 0;
    twClass.reusePort = (e.flags & TW_REUSEPORT) != 0;
    twClass.connectBound = (e.flags & TW_CONNECT_BIND) != 0;
    twClass.ipv6only = (e.flags & TW_V6ONLY) != 0;
    // tw_family and tw_v6_rcv_saddr: a native entry's local address is in its key.
    twClass.v6 = (e.ext & TWX_NATIVE6)  ? m_tw6Keys[e.tuple.remoteAddr].localAddr
                 : (e.flags & TW_INET6) ? V6_MAPPED
                                        : V6_NONE;
    return twClass;
}

void
TcpPortTable::UnhashSocket(SocketId id)
{
    SocketRecord& s = m_sockets[id];
    auto key6 = m_sockKeys6.empty() ? m_sockKeys6.end() : m_sockKeys6.find(id);
    if (key6 != m_sockKeys6.end())
    {
        m_ehash6.Erase(key6->second);
        m_sockKeys6.erase(key6);
    }
    else
    {
        IndexErase(s.tuple);
    }
    s.hashed = false;
}

void
TcpPortTable::UnhashTimeWait(TimeWaitId tw)
{
    const TimeWaitEntry& e = m_tw[tw];
    if (e.ext & TWX_NATIVE6)
    {
        m_ehash6.Erase(m_tw6Keys[e.tuple.remoteAddr]);
    }
    else
    {
        IndexErase(e.tuple);
    }
}

void
TcpPortTable::FreeTimeWait(TimeWaitId tw)
{
    TimeWaitEntry& e = m_tw[tw];
    RemoveOwner(e.tuple.localPort, TimeWaitClass(e));
    if (e.ext & TWX_NATIVE6)
    {
        m_freeTw6Keys.push_back(e.tuple.remoteAddr);
        e.ext = 0;
    }
    if (e.flags & TW_FIN_WAIT2)
    {
        --m_fw2Count;
    }
    e.flags = 0;
    e.generation++; // queue items for this slot are now stale
    --m_twCount;
    m_freeTw.push_back(tw);
}

void
TcpPortTable::RescheduleTimeWait(TimeWaitId tw, TimeNs now)
{
    ScheduleTimeWait(tw, now + m_sysctls.TimewaitLen());
}

void
TcpPortTable::ScheduleTimeWait(TimeWaitId tw, TimeNs expiry)
{
    TimeWaitEntry& e = m_tw[tw];
    e.expiry = expiry;
    e.generation++; // the entry's earlier queue item is now stale
    m_twQueue.emplace_back(tw, e.generation);
}

void
TcpPortTable::KillTimeWait(TimeWaitId tw)
{
    RetireTimeWait(tw, false);
}

void
TcpPortTable::RetireTimeWait(TimeWaitId tw, bool expired)
{
    // Counted and observed as a TIME_WAIT ending, unless it is an orphan's FIN_WAIT2 entry.
    if (!(m_tw[tw].flags & TW_FIN_WAIT2))
    {
        ++(expired ? m_counters.timeWaitExpired : m_counters.timeWaitKilled);
        if (m_observer)
        {
            if (expired)
            {
                m_observer->TimeWaitExpired(m_tw[tw]);
            }
            else
            {
                m_observer->TimeWaitKilled(m_tw[tw]);
            }
        }
    }
    UnhashTimeWait(tw);
    FreeTimeWait(tw);
}

namespace
{

/// The expiry of a queue's first live entry (stale items dropped), or -1.
template <typename Queue, typename Entries>
TimeNs
FrontExpiry(Queue& q, const Entries& tw)
{
    while (!q.empty())
    {
        auto [id, gen] = q.front();
        if (tw[id].generation == gen && (tw[id].flags & TW_LIVE))
        {
            return tw[id].expiry;
        }
        q.pop_front();
    }
    return -1;
}

} // namespace

std::deque<std::pair<TimeWaitId, uint32_t>>*
TcpPortTable::DueQueue()
{
    TimeNs a = FrontExpiry(m_twQueue, m_tw);
    TimeNs b = FrontExpiry(m_fw2Queue, m_tw);
    if (a < 0 && b < 0)
    {
        return nullptr;
    }
    return (b < 0 || (a >= 0 && a <= b)) ? &m_twQueue : &m_fw2Queue;
}

TimeNs
TcpPortTable::NextTimeWaitExpiry()
{
    auto* q = DueQueue();
    return q == nullptr ? -1 : m_tw[q->front().first].expiry;
}

size_t
TcpPortTable::ExpireTimeWaits(TimeNs now)
{
    size_t n = 0;
    for (auto* q = DueQueue(); q != nullptr && m_tw[q->front().first].expiry <= now; q = DueQueue())
    {
        TimeWaitId tw = q->front().first;
        q->pop_front();
        RetireTimeWait(tw, true);
        ++n;
    }
    return n;
}

void
TcpPortTable::FinWait2ToTimeWait(TimeWaitId tw,
                                 uint32_t rcvNxt,
                                 uint32_t tsRecent,
                                 bool hasTimestamp,
                                 TimeNs now,
                                 TimeNs timeout)
{
    TimeWaitEntry& e = m_tw[tw];
    e.flags &= static_cast<uint8_t>(~TW_FIN_WAIT2);
    --m_fw2Count;
    ++m_counters.timeWaitCreated;
    e.rcvNxt = rcvNxt;
    e.entryStamp = now; // tw_entry_stamp: the TIME_WAIT starts now
    if (hasTimestamp)
    {
        e.tsRecent = tsRecent;
    }
    ScheduleTimeWait(tw, now + timeout);
    if (m_observer)
    {
        m_observer->TimeWaitEntered(e);
    }
}

// ---------------------------------------------------------------------------------------------
// Listeners and lookups

void
TcpPortTable::AddListener(SocketId id)
{
    SocketRecord& s = m_sockets[id];
    auto& bucket = m_listeners[ListenKey(s.tuple.localAddr, s.tuple.localPort)];
    if (s.reusePort)
    {
        // inet_reuseport_add_sock(): join a listener with the same family, ipv6only, device,
        // uid, exact address and port, reuseport set; otherwise start a group.
        for (SocketId other : bucket)
        {
            const SocketRecord& o = m_sockets[other];
            if (o.reusePort && o.boundDev == s.boundDev && o.uid == s.uid &&
                o.group != INVALID_ID && o.v6 == s.v6 && o.ipv6only == s.ipv6only)
            {
                s.group = o.group;
                m_groups[o.group].socks.push_back(id);
                break;
            }
        }
        if (s.group == INVALID_ID)
        {
            if (!m_freeGroups.empty())
            {
                s.group = m_freeGroups.back();
                m_freeGroups.pop_back();
            }
            else
            {
                s.group = static_cast<uint32_t>(m_groups.size());
                m_groups.emplace_back();
            }
            m_groups[s.group].socks.assign(1, id);
        }
    }
    if (s.reusePort && s.v6 != V6_NONE)
    {
        bucket.push_back(id); // __inet_hash(): AF_INET6 reuseport listeners at the tail
    }
    else
    {
        bucket.insert(bucket.begin(), id); // all others at the head of lhash2
    }
}

void
TcpPortTable::RemoveListener(SocketId id)
{
    SocketRecord& s = m_sockets[id];
    auto it = m_listeners.find(ListenKey(s.tuple.localAddr, s.tuple.localPort));
    if (it != m_listeners.end())
    {
        auto& v = it->second;
        v.erase(std::remove(v.begin(), v.end(), id), v.end());
        if (v.empty())
        {
            m_listeners.erase(it);
        }
    }
    if (s.group != INVALID_ID)
    {
        // reuseport_detach_sock(): the last member fills the hole.
        auto& socks = m_groups[s.group].socks;
        auto pos = std::find(socks.begin(), socks.end(), id);
        if (pos != socks.end())
        {
            *pos = socks.back();
            socks.pop_back();
        }
        if (socks.empty())
        {
            m_freeGroups.push_back(s.group);
        }
        s.group = INVALID_ID;
    }
}

template <class HashFn>
uint32_t
TcpPortTable::LookupListener(Ipv4 addr, uint16_t port, HashFn hash, uint32_t inDevice, V6Ref want6)
    const
{
    auto it = m_listeners.find(ListenKey(addr, port));
    if (it == m_listeners.end())
    {
        return INVALID_ID;
    }
    // inet_lhash2_lookup(): best compute_score() wins; the first reuseport socket with a
    // better score ends the search through its group.
    uint32_t result = INVALID_ID;
    int hiScore = 0;
    for (SocketId id : it->second)
    {
        const SocketRecord& s = m_sockets[id];
        if (s.boundDev != 0 && s.boundDev != inDevice)
        {
            continue;
        }
        int score;
        if (want6 == V6_NONE)
        {
            if (s.ipv6only)
            {
                continue; // compute_score(): a v6-only socket never takes IPv4
            }
            score = (s.boundDev != 0 ? 2 : 1) + (s.v6 == V6_NONE ? 1 : 0); // + 1: AF_INET
        }
        else
        {
            if (s.v6 != want6)
            {
                continue; // inet6 compute_score(): AF_INET6 and the same sk_v6_rcv_saddr
            }
            score = s.boundDev != 0 ? 2 : 1;
        }
        if (score > hiScore)
        {
            if (s.group != INVALID_ID)
            {
                const auto& socks = m_groups[s.group].socks;
                return socks[ReciprocalScale(hash(), static_cast<uint32_t>(socks.size()))];
            }
            result = id;
            hiScore = score;
        }
    }
    return result;
}

TcpLookup
TcpPortTable::FindListener(Ipv4 localAddr,
                           uint16_t localPort,
                           Ipv4 remoteAddr,
                           uint16_t remotePort,
                           uint32_t inDevice) const
{
    FourTuple t{localAddr, remoteAddr, localPort, remotePort};
    auto hash = [this, &t] { return HashFourTuple(t, m_secret ^ 0x5eed5eedULL); };
    TcpLookup r;
    uint32_t l = LookupListener(localAddr, localPort, hash, inDevice, V6_NONE);
    if (l == INVALID_ID)
    {
        l = LookupListener(ADDR_ANY, localPort, hash, inDevice, V6_NONE);
    }
    if (l != INVALID_ID)
    {
        r.kind = TcpLookup::LISTENER;
        r.id = l;
    }
    return r;
}

FourTuple6
TcpPortTable::Ehash6Key(const Ipv6& localAddr,
                        uint16_t localPort,
                        const Ipv6& remoteAddr,
                        uint16_t remotePort) const
{
    FourTuple6 key;
    key.remoteAddr = remoteAddr;
    key.localAddr = m_addresses.FindIpv6(localAddr, 0);
    key.localPort = localPort;
    key.remotePort = remotePort;
    return key;
}

TcpLookup
TcpPortTable::Lookup(Ipv4 localAddr,
                     uint16_t localPort,
                     Ipv4 remoteAddr,
                     uint16_t remotePort,
                     uint32_t inDevice) const
{
    FourTuple t{localAddr, remoteAddr, localPort, remotePort};
    uint32_t ref = m_ehash.Find(t);
    if (ref != FourTupleIndex::NONE)
    {
        return EstablishedHit(ref);
    }
    return FindListener(localAddr, localPort, remoteAddr, remotePort, inDevice);
}

TcpLookup
TcpPortTable::Lookup6(const Ipv6& localAddr,
                      uint16_t localPort,
                      const Ipv6& remoteAddr,
                      uint16_t remotePort,
                      uint32_t inDevice) const
{
    const FourTuple6 key = Ehash6Key(localAddr, localPort, remoteAddr, remotePort);
    if (key.localAddr == V6_NONE)
    {
        return TcpLookup{}; // not addressed to this host
    }
    uint32_t ref = m_ehash6.Find(key);
    if (ref != FourTupleIndex6::NONE)
    {
        return EstablishedHit(ref);
    }
    return FindListener6(localAddr, localPort, remoteAddr, remotePort, inDevice);
}

TcpLookup
TcpPortTable::FindListener6(const Ipv6& localAddr,
                            uint16_t localPort,
                            const Ipv6& remoteAddr,
                            uint16_t remotePort,
                            uint32_t inDevice) const
{
    TcpLookup r;
    const FourTuple6 key = Ehash6Key(localAddr, localPort, remoteAddr, remotePort);
    if (key.localAddr == V6_NONE)
    {
        return r;
    }
    // inet6_lhash2_lookup(): the exact address (its listeners sit under the 127.0.0.6
    // placeholder, filtered by V6Ref), then `::`.
    auto hash = [this, &key] { return HashFourTuple(key, m_secret ^ 0x5eed5eedULL); };
    uint32_t l = LookupListener(LOOPBACK4_IPV6, localPort, hash, inDevice, key.localAddr);
    if (l == INVALID_ID)
    {
        l = LookupListener(ADDR_ANY, localPort, hash, inDevice, V6_ANY);
    }
    if (l != INVALID_ID)
    {
        r.kind = TcpLookup::LISTENER;
        r.id = l;
    }
    return r;
}

TcpSocketView
TcpPortTable::View(SocketId id) const
{
    const SocketRecord& s = m_sockets[id];
    return TcpSocketView{id, s.state, s.tuple, s.reuseAddr, s.reusePort, s.uid, s.boundDev};
}

size_t
TcpPortTable::MemoryBytes() const
{
    return m_tw.capacity() * sizeof(TimeWaitEntry) + m_freeTw.capacity() * sizeof(TimeWaitId) +
           (m_twQueue.size() + m_fw2Queue.size()) * sizeof(std::pair<TimeWaitId, uint32_t>) +
           m_ehash.MemoryBytes() + m_sockets.capacity() * sizeof(SocketRecord) +
           m_ehash6.MemoryBytes() + m_tw6Keys.capacity() * sizeof(FourTuple6) +
           m_freeTw6Keys.capacity() * sizeof(uint32_t) +
           m_sockKeys6.size() * (sizeof(std::pair<const SocketId, FourTuple6>) + 2 * sizeof(void*));
}

} // namespace portlab
