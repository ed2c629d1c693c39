/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/udp-port-table.h"

#include "ports/four-tuple-index.h"
#include "ports/free-slots.h"

#include <algorithm>

namespace portlab
{

/// Ephemeral candidate test: reserved ports skipped, then the §7.1 conflict rule.
class UdpPortTable::PortCheck : public PortCandidateCheck
{
  public:
    PortCheck(const UdpPortTable& table, const Record& s, SocketId self)
        : m_table(table),
          m_s(s),
          m_self(self)
    {
    }

    bool Usable(uint16_t port, bool) override
    {
        return !m_table.m_sysctls.ipLocalReservedPorts.Contains(port) &&
               !m_table.Conflict(m_s, m_self, port);
    }

  private:
    const UdpPortTable& m_table;
    const Record& m_s;
    SocketId m_self;
};

UdpPortTable::UdpPortTable(const PortSysctls& sysctls,
                           const LocalAddresses& addresses,
                           EphemeralPortSelector& selector,
                           uint64_t secret)
    : m_sysctls(sysctls),
      m_addresses(addresses),
      m_selector(&selector),
      m_secret(secret)
{
}

SocketId
UdpPortTable::Open()
{
    const SocketId id = TakeFreeSlot(m_sockets, m_free);
    m_sockets[id] = Record{};
    m_sockets[id].inUse = true;
    return id;
}

SocketId
UdpPortTable::OpenInet6()
{
    const SocketId id = Open();
    m_sockets[id].v6 = V6_ANY;
    m_sockets[id].ipv6only = m_sysctls.bindv6only != 0;
    return id;
}

Errno
UdpPortTable::SetV6Only(SocketId id, bool on)
{
    Record& s = m_sockets[id];
    if (s.v6 == V6_NONE)
    {
        return Errno::NOPROTOOPT;
    }
    if (s.tuple.localPort != 0)
    {
        return Errno::INVAL;
    }
    s.ipv6only = on;
    return Errno::OK;
}

void
UdpPortTable::SetReuseAddr(SocketId id, bool on)
{
    m_sockets[id].reuseAddr = on;
}

void
UdpPortTable::SetReusePort(SocketId id, bool on)
{
    m_sockets[id].reusePort = on;
}

void
UdpPortTable::SetUid(SocketId id, uint32_t uid)
{
    m_sockets[id].uid = uid;
}

void
UdpPortTable::SetBoundDevice(SocketId id, uint32_t ifindex)
{
    m_sockets[id].boundDev = ifindex;
}

Errno
UdpPortTable::SetLocalPortRange(SocketId id, uint16_t lo, uint16_t hi)
{
    if (!LocalPortRangeValid(lo, hi))
    {
        return Errno::INVAL;
    }
    m_sockets[id].rangeLo = lo;
    m_sockets[id].rangeHi = hi;
    return Errno::OK;
}

bool
UdpPortTable::Conflict(const Record& s, SocketId self, uint16_t port) const
{
    // udp_lib_lport_inuse() (reference §7.1).
    auto it = m_byPort.find(port);
    if (it == m_byPort.end())
    {
        return false;
    }
    for (SocketId oid : it->second)
    {
        const Record& o = m_sockets[oid];
        if (oid == self)
        {
            continue;
        }
        if (o.reuseAddr && s.reuseAddr)
        {
            continue; // both SO_REUSEADDR: never a conflict for UDP
        }
        if (o.boundDev != 0 && s.boundDev != 0 && o.boundDev != s.boundDev)
        {
            continue;
        }
        if (!InetRcvSaddrEqual(RcvSaddr{s.tuple.localAddr, s.v6, s.ipv6only},
                               RcvSaddr{o.tuple.localAddr, o.v6, o.ipv6only},
                               true))
        {
            continue;
        }
        if (o.reusePort && s.reusePort && s.group == INVALID_ID && o.uid == s.uid)
        {
            continue;
        }
        return true;
    }
    return false;
}

void
UdpPortTable::Hash(SocketId id)
{
    Record& s = m_sockets[id];
    m_byPort[s.tuple.localPort].push_back(id);
    auto& chain = m_chains[ChainKey(s.tuple.localAddr, s.tuple.localPort)];
    if (s.reusePort && s.v6 != V6_NONE)
    {
        chain.push_back(id); // udp_lib_get_port(): AF_INET6 reuseport sockets at the tail
    }
    else
    {
        chain.insert(chain.begin(), id); // all others at the head of hslot2
    }
}

void
UdpPortTable::Unhash(SocketId id)
{
    Record& s = m_sockets[id];
    auto remove = [id](std::vector<SocketId>& v) {
        v.erase(std::remove(v.begin(), v.end(), id), v.end());
        return v.empty();
    };
    auto p = m_byPort.find(s.tuple.localPort);
    if (p != m_byPort.end() && remove(p->second))
    {
        m_byPort.erase(p);
    }
    auto c = m_chains.find(ChainKey(s.tuple.localAddr, s.tuple.localPort));
    if (c != m_chains.end() && remove(c->second))
    {
        m_chains.erase(c);
    }
    if (s.inHash4)
    {
        auto range = m_hash4.equal_range(Hash4Key(s.tuple));
        for (auto it = range.first; it != range.second; ++it)
        {
            if (it->second == id)
            {
                m_hash4.erase(it);
                break;
            }
        }
        s.inHash4 = false;
    }
}

void
UdpPortTable::JoinGroup(SocketId id)
{
    // udp_reuseport_add_sock(): same port, family, ipv6only, device, uid, exact address,
    // reuseport set.
    Record& s = m_sockets[id];
    if (!s.reusePort)
    {
        return;
    }
    auto c = m_chains.find(ChainKey(s.tuple.localAddr, s.tuple.localPort));
    if (c != m_chains.end())
    {
        for (SocketId oid : c->second)
        {
            const Record& o = m_sockets[oid];
            if (oid != id && o.reusePort && o.group != INVALID_ID && o.boundDev == s.boundDev &&
                o.uid == s.uid && o.v6 == s.v6 && o.ipv6only == s.ipv6only)
            {
                s.group = o.group;
                m_groups[o.group].socks.push_back(id);
                return;
            }
        }
    }
    if (!m_freeGroups.empty())
    {
        s.group = m_freeGroups.back();
        m_freeGroups.pop_back();
        m_groups[s.group] = Group{};
    }
    else
    {
        s.group = static_cast<uint32_t>(m_groups.size());
        m_groups.emplace_back();
    }
    m_groups[s.group].socks.assign(1, id);
}

void
UdpPortTable::LeaveGroup(SocketId id)
{
    Record& s = m_sockets[id];
    if (s.group == INVALID_ID)
    {
        return;
    }
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

Errno
UdpPortTable::Bind(SocketId id, const InetAddress& addr, uint16_t port)
{
    Record& s = m_sockets[id];
    if (!addr.inet6)
    {
        return s.v6 == V6_NONE ? Bind(id, addr.v4, port) : m_counters.bind.Count(Errno::INVAL);
    }
    if (s.v6 == V6_NONE)
    {
        return m_counters.bind.Count(Errno::AFNOSUPPORT);
    }
    // __inet6_bind(), in its order.
    if (port != 0 && port < m_sysctls.ipUnprivilegedPortStart && s.uid != 0)
    {
        return m_counters.bind.Count(Errno::ACCES);
    }
    if (s.tuple.localPort != 0)
    {
        return m_counters.bind.Count(Errno::INVAL);
    }
    RcvSaddr local;
    Errno e = Inet6BindAddress(addr, s.ipv6only, m_addresses, s.boundDev, local);
    if (e != Errno::OK)
    {
        return m_counters.bind.Count(e);
    }
    const bool savedV6only = s.ipv6only;
    s.tuple.localAddr = local.v4;
    s.v6 = local.v6;
    s.ipv6only = local.ipv6only;
    e = BindPort(id, port);
    if (e != Errno::OK)
    {
        s.ipv6only = savedV6only;
        s.v6 = V6_ANY;
    }
    return m_counters.bind.Count(e);
}

Errno
UdpPortTable::Bind(SocketId id, Ipv4 addr, uint16_t port)
{
    Record& s = m_sockets[id];
    if (s.v6 != V6_NONE)
    {
        return m_counters.bind.Count(Errno::INVAL); // a sockaddr_in is too short for AF_INET6
    }
    if (addr != ADDR_ANY && !m_addresses.Bindable(addr))
    {
        return m_counters.bind.Count(Errno::ADDRNOTAVAIL);
    }
    if (port != 0 && port < m_sysctls.ipUnprivilegedPortStart && s.uid != 0)
    {
        return m_counters.bind.Count(Errno::ACCES);
    }
    if (s.tuple.localPort != 0)
    {
        return m_counters.bind.Count(Errno::INVAL);
    }
    s.tuple.localAddr = addr;
    return m_counters.bind.Count(BindPort(id, port));
}

Errno
UdpPortTable::BindPort(SocketId id, uint16_t port)
{
    Record& s = m_sockets[id];
    if (port == 0)
    {
        EphemeralRange r = SocketPortRange(m_sysctls.ipLocalPortRangeLow,
                                           m_sysctls.ipLocalPortRangeHigh,
                                           s.rangeLo,
                                           s.rangeHi);
        PortCheck check(*this, s, id);
        port = m_selector->SelectUdpPort(r, check);
    }
    else if (Conflict(s, id, port))
    {
        port = 0;
    }
    if (port == 0)
    {
        s.tuple.localAddr = ADDR_ANY;
        return Errno::ADDRINUSE;
    }
    s.tuple.localPort = port;
    JoinGroup(id);
    Hash(id);
    return Errno::OK;
}

Errno
UdpPortTable::Autobind(SocketId id)
{
    if (m_sockets[id].tuple.localPort != 0)
    {
        return Errno::OK;
    }
    Errno e =
        m_sockets[id].v6 == V6_NONE ? Bind(id, ADDR_ANY, 0) : Bind(id, InetAddress::V6(Ipv6{}), 0);
    return e == Errno::OK ? Errno::OK : Errno::AGAIN;
}

Errno
UdpPortTable::Connect(SocketId id, Ipv4 sourceAddr, Ipv4 remoteAddr, uint16_t remotePort)
{
    if (m_sockets[id].v6 != V6_NONE && m_sockets[id].ipv6only)
    {
        // __ip6_datagram_connect(): a v4-mapped destination on a v6-only socket.
        return m_counters.connect.Count(Errno::NETUNREACH);
    }
    if (Autobind(id) != Errno::OK)
    {
        return m_counters.connect.Count(Errno::AGAIN);
    }
    Record& s = m_sockets[id];
    if (s.v6 != V6_NONE)
    {
        m_peer6.erase(id); // no longer a native-IPv6 peer
    }
    if (s.inHash4)
    {
        auto range = m_hash4.equal_range(Hash4Key(s.tuple));
        for (auto it = range.first; it != range.second; ++it)
        {
            if (it->second == id)
            {
                m_hash4.erase(it);
                break;
            }
        }
        s.inHash4 = false;
    }
    if (s.tuple.localAddr == ADDR_ANY)
    {
        // The wildcard local address becomes the source address: rehash to its chain.
        Unhash(id);
        LeaveGroup(id);
        s.tuple.localAddr = sourceAddr;
        if (s.v6 != V6_NONE)
        {
            s.v6 = V6_MAPPED; // __ip4_datagram_connect() for an AF_INET6 socket: ::ffff:source
        }
        Hash(id);
    }
    s.tuple.remoteAddr = remoteAddr;
    s.tuple.remotePort = remotePort;
    s.connected = true;
    if (s.group != INVALID_ID)
    {
        m_groups[s.group].hasConns = true;
        LeaveGroup(id); // udp_lib_hash4(): connected sockets leave the group
    }
    m_hash4.emplace(Hash4Key(s.tuple), id);
    s.inHash4 = true;
    return m_counters.connect.Count(Errno::OK);
}

Errno
UdpPortTable::Connect6(SocketId id, const Ipv6& source, const Ipv6& remote, uint16_t remotePort)
{
    if (m_sockets[id].v6 == V6_NONE || m_sockets[id].v6 == V6_MAPPED)
    {
        // AF_INET, or bound to a v4-mapped address (as TCP's recorded EAFNOSUPPORT).
        return m_counters.connect.Count(Errno::AFNOSUPPORT);
    }
    const V6Ref src =
        m_sockets[id].v6 >= V6_FIRST_OTHER ? m_sockets[id].v6 : m_addresses.FindIpv6(source, 0);
    if (src < V6_FIRST_OTHER)
    {
        return m_counters.connect.Count(Errno::ADDRNOTAVAIL);
    }
    if (Autobind(id) != Errno::OK)
    {
        return m_counters.connect.Count(Errno::AGAIN);
    }
    Record& s = m_sockets[id];
    if (s.inHash4)
    {
        auto range = m_hash4.equal_range(Hash4Key(s.tuple));
        for (auto it = range.first; it != range.second; ++it)
        {
            if (it->second == id)
            {
                m_hash4.erase(it);
                break;
            }
        }
        s.inHash4 = false;
    }
    if (s.v6 != src)
    {
        // ip6_datagram_dst_update(): a `::` local address becomes the source, with the
        // placeholder as its IPv4 side: rehash to that chain.
        Unhash(id);
        LeaveGroup(id);
        s.tuple.localAddr = LOOPBACK4_IPV6;
        s.v6 = src;
        Hash(id);
    }
    s.tuple.remoteAddr = LOOPBACK4_IPV6; // inet_daddr of a native-IPv6 peer
    s.tuple.remotePort = remotePort;
    s.connected = true;
    if (s.group != INVALID_ID)
    {
        m_groups[s.group].hasConns = true;
        LeaveGroup(id);
    }
    m_peer6[id] = remote;
    return m_counters.connect.Count(Errno::OK);
}

void
UdpPortTable::Close(SocketId id)
{
    m_peer6.erase(id);
    Record& s = m_sockets[id];
    if (s.tuple.localPort != 0)
    {
        Unhash(id);
        LeaveGroup(id);
    }
    s = Record{};
    m_free.push_back(id);
}

int
UdpPortTable::Score(const Record& s,
                    Ipv4 localAddr,
                    Ipv4 remoteAddr,
                    uint16_t remotePort,
                    uint32_t inDevice) const
{
    // compute_score() (reference §7.2) for an IPv4 datagram: a v6-only socket never takes
    // it; AF_INET scores 2, AF_INET6 1.
    if (s.tuple.localAddr != localAddr || s.ipv6only)
    {
        return -1;
    }
    int score = s.v6 == V6_NONE ? 2 : 1;
    if (s.tuple.remoteAddr != ADDR_ANY)
    {
        if (s.tuple.remoteAddr != remoteAddr)
        {
            return -1;
        }
        score += 4;
    }
    if (s.tuple.remotePort != 0)
    {
        if (s.tuple.remotePort != remotePort)
        {
            return -1;
        }
        score += 4;
    }
    if (!UdpSkBoundDevEq(s, inDevice))
    {
        return -1;
    }
    if (s.boundDev != 0)
    {
        score += 4;
    }
    return score;
}

template <class ScoreFn>
SocketId
UdpPortTable::LookupChainWith(uint64_t chainKey, uint32_t reuseportHash, ScoreFn score) const
{
    auto c = m_chains.find(chainKey);
    if (c == m_chains.end())
    {
        return INVALID_ID;
    }
    // udp4_lib_lookup2(), udp6_lib_lookup2()
    SocketId result = INVALID_ID;
    int badness = 0;
    for (SocketId id : c->second)
    {
        const Record& s = m_sockets[id];
        int sc = score(id);
        if (sc <= badness)
        {
            continue;
        }
        badness = sc;
        result = id;
        if (s.connected || s.group == INVALID_ID)
        {
            continue;
        }
        const Group& g = m_groups[s.group];
        // reuseport_select_sock_by_hash(): first non-connected member from the hash's slot.
        uint32_t n = static_cast<uint32_t>(g.socks.size());
        uint32_t i = ReciprocalScale(reuseportHash, n);
        SocketId chosen = INVALID_ID;
        for (uint32_t k = 0; k < n; ++k)
        {
            SocketId cand = g.socks[(i + k) % n];
            if (!m_sockets[cand].connected)
            {
                chosen = cand;
                break;
            }
        }
        if (chosen == INVALID_ID)
        {
            continue;
        }
        if (!g.hasConns)
        {
            return chosen;
        }
        result = chosen; // the group has connections: keep scoring against the choice
        badness = score(chosen);
    }
    return result;
}

SocketId
UdpPortTable::LookupChain(Ipv4 chainAddr, const FourTuple& t, uint32_t inDevice) const
{
    return LookupChainWith(
        ChainKey(chainAddr, t.localPort),
        HashFourTuple(t, m_secret ^ 0x0dd5eedULL),
        [this, chainAddr, &t, inDevice](SocketId id) {
            return Score(m_sockets[id], chainAddr, t.remoteAddr, t.remotePort, inDevice);
        });
}

int
UdpPortTable::Score6(SocketId id,
                     V6Ref localAddr,
                     const Ipv6& remoteAddr,
                     uint16_t remotePort,
                     uint32_t inDevice) const
{
    // compute_score() of net/ipv6/udp.c: AF_INET6 only, the v6 address of the chain's slot
    // (a v4-mapped socket never takes IPv6), then the connected peer and the device.
    const Record& s = m_sockets[id];
    if (s.v6 != localAddr)
    {
        return -1;
    }
    int score = 1;
    if (s.tuple.remotePort != 0)
    {
        const Ipv6* peer = Peer6(id);
        if (s.tuple.remotePort != remotePort || !peer || *peer != remoteAddr)
        {
            return -1;
        }
        score += 8;
    }
    if (!UdpSkBoundDevEq(s, inDevice))
    {
        return -1;
    }
    if (s.boundDev != 0)
    {
        score += 4;
    }
    return score;
}

SocketId
UdpPortTable::Deliver(Ipv4 localAddr,
                      uint16_t localPort,
                      Ipv4 remoteAddr,
                      uint16_t remotePort,
                      uint32_t inDevice)
{
    FourTuple t{localAddr, remoteAddr, localPort, remotePort};
    auto range = m_hash4.equal_range(Hash4Key(t));
    for (auto it = range.first; it != range.second; ++it)
    {
        const Record& s = m_sockets[it->second];
        if (s.tuple == t && (s.boundDev == 0 || s.boundDev == inDevice))
        {
            ++m_counters.delivered;
            return it->second;
        }
    }
    SocketId r = LookupChain(localAddr, t, inDevice);
    if (r == INVALID_ID && localAddr != ADDR_ANY)
    {
        r = LookupChain(ADDR_ANY, t, inDevice);
    }
    if (r == INVALID_ID)
    {
        ++m_counters.noPort;
    }
    else
    {
        ++m_counters.delivered;
    }
    return r;
}

SocketId
UdpPortTable::Deliver6(const Ipv6& localAddr,
                       uint16_t localPort,
                       const Ipv6& remoteAddr,
                       uint16_t remotePort,
                       uint32_t inDevice)
{
    FourTuple6 t6{remoteAddr, 0, localPort, remotePort};
    const uint32_t hash = HashFourTuple(t6, m_secret ^ 0x0dd5eedULL);
    SocketId r = INVALID_ID;
    // The exact slot: every native-IPv6 bound socket has the 127.0.0.6 placeholder as its v4
    // field, so they share one chain per port; the v6 ref picks the address.
    const V6Ref exact = m_addresses.FindIpv6(localAddr, 0);
    if (exact >= V6_FIRST_OTHER)
    {
        r = LookupChainWith(ChainKey(LOOPBACK4_IPV6, localPort), hash, [&](SocketId id) {
            return Score6(id, exact, remoteAddr, remotePort, inDevice);
        });
    }
    if (r == INVALID_ID)
    {
        r = LookupChainWith(ChainKey(ADDR_ANY, localPort), hash, [&](SocketId id) {
            return Score6(id, V6_ANY, remoteAddr, remotePort, inDevice);
        });
    }
    if (r == INVALID_ID)
    {
        ++m_counters.noPort;
    }
    else
    {
        ++m_counters.delivered;
    }
    return r;
}

std::vector<SocketId>
UdpPortTable::DeliverAll(Ipv4 localAddr,
                         uint16_t localPort,
                         Ipv4 remoteAddr,
                         uint16_t remotePort,
                         uint32_t inDevice) const
{
    // __udp_is_mcast_sock(): port matches, bound address is the destination or wildcard,
    // connected peer matches, device matches, not v6-only (IPv4 multicast and broadcast).
    std::vector<SocketId> out;
    auto it = m_byPort.find(localPort);
    if (it == m_byPort.end())
    {
        return out;
    }
    for (SocketId id : it->second)
    {
        const Record& s = m_sockets[id];
        if (s.ipv6only || (s.tuple.localAddr != ADDR_ANY && s.tuple.localAddr != localAddr) ||
            (s.tuple.remoteAddr != ADDR_ANY && s.tuple.remoteAddr != remoteAddr) ||
            (s.tuple.remotePort != 0 && s.tuple.remotePort != remotePort) ||
            !UdpSkBoundDevEq(s, inDevice))
        {
            continue;
        }
        out.push_back(id);
    }
    std::sort(out.begin(), out.end());
    return out;
}

UdpSocketView
UdpPortTable::View(SocketId id) const
{
    const Record& s = m_sockets[id];
    return UdpSocketView{id, s.tuple, s.connected, s.reuseAddr, s.reusePort, s.uid, s.boundDev};
}

} // namespace portlab
