/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_UDP_PORT_TABLE_H
#define PORTLAB_UDP_PORT_TABLE_H

#include "ports/ephemeral-port-selector.h"
#include "ports/local-addresses.h"
#include "ports/port-counters.h"
#include "ports/port-sysctls.h"
#include "ports/port-types.h"
#include "ports/rcv-saddr.h"
#include "ports/tcp-port-table.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief A UDP socket as a snapshot shows it.
 */
struct UdpSocketView
{
    SocketId id;       //!< handle
    FourTuple tuple;   //!< local end; remote end once connected
    bool connected;    //!< connect() was called
    bool reuseAddr;    //!< SO_REUSEADDR
    bool reusePort;    //!< SO_REUSEPORT
    uint32_t uid;      //!< owner uid
    uint32_t boundDev; //!< SO_BINDTODEVICE
};

/**
 * \ingroup portlab-ports
 * \brief One host's UDP port space, as Linux 6.18 keeps it (reference §7).
 *
 * Independent of the TCP table: the same port number can be bound in both. Sockets sit in a
 * per-port list (conflict checks), in a per-(address, port) chain in Linux's order (new
 * sockets at the head), and, once connected with a specific local address, in a 4-tuple
 * index (hash4).
 */
class UdpPortTable
{
  public:
    /**
     * \param sysctls the host's settings
     * \param addresses the host's local addresses
     * \param selector ephemeral port algorithm
     * \param secret per-host hash secret
     */
    UdpPortTable(const PortSysctls& sysctls,
                 const LocalAddresses& addresses,
                 EphemeralPortSelector& selector,
                 uint64_t secret);

    UdpPortTable(const UdpPortTable&) = delete;
    UdpPortTable& operator=(const UdpPortTable&) = delete;

    /// \param selector the ephemeral port algorithm from now on (must outlive the table)
    void SetSelector(EphemeralPortSelector& selector)
    {
        m_selector = &selector;
    }

    /// \return a new unbound socket
    SocketId Open();

    /// \return a new unbound AF_INET6 socket, IPV6_V6ONLY from net.ipv6.bindv6only now
    SocketId OpenInet6();

    /**
     * \brief setsockopt(IPPROTO_IPV6, IPV6_V6ONLY).
     * \param id socket \param on the value
     * \return OK; ENOPROTOOPT on AF_INET; EINVAL once the socket has a port
     */
    Errno SetV6Only(SocketId id, bool on);

    /// \param id socket \return getsockopt(IPV6_V6ONLY) (false for AF_INET)
    bool V6Only(SocketId id) const
    {
        return m_sockets[id].ipv6only;
    }

    /// \param id socket \param on SO_REUSEADDR
    void SetReuseAddr(SocketId id, bool on);
    /// \param id socket \param on SO_REUSEPORT
    void SetReusePort(SocketId id, bool on);
    /// \param id socket \param uid owner uid
    void SetUid(SocketId id, uint32_t uid);
    /// \param id socket \param ifindex SO_BINDTODEVICE (0 = none)
    void SetBoundDevice(SocketId id, uint32_t ifindex);
    /**
     * \param id socket \param lo low end (0 = host's) \param hi high end (0 = host's)
     * \return EINVAL if lo > hi with both non-zero
     */
    Errno SetLocalPortRange(SocketId id, uint16_t lo, uint16_t hi);

    /**
     * \brief bind() (udp_lib_get_port): explicit port, or 0 for an ephemeral one.
     * \param id socket
     * \param addr local address (0 = wildcard)
     * \param port port (0 = pick one)
     * \return OK, EINVAL, EADDRNOTAVAIL, EACCES, EADDRINUSE
     */
    Errno Bind(SocketId id, Ipv4 addr, uint16_t port);

    /**
     * \brief bind() with an address of either family (udp_v6_get_port for AF_INET6; the
     * address rules of Inet6BindAddress()).
     * \param id socket \param addr the address \param port port (0 = pick one)
     * \return as Bind(), and EAFNOSUPPORT (IPv6 address on AF_INET), EINVAL (IPv4 address on
     *         AF_INET6, mapped on v6-only, link-local without a device)
     */
    Errno Bind(SocketId id, const InetAddress& addr, uint16_t port);

    /**
     * \brief connect() (__ip4_datagram_connect): autobinds (EAGAIN when no port is free),
     * fixes a wildcard local address to the source address, no 4-tuple uniqueness check.
     * \param id socket
     * \param sourceAddr the source address routing chose
     * \param remoteAddr destination
     * \param remotePort destination port
     * \return OK or EAGAIN
     */
    Errno Connect(SocketId id, Ipv4 sourceAddr, Ipv4 remoteAddr, uint16_t remotePort);

    /**
     * \brief connect() of an AF_INET6 socket to a native IPv6 peer (__ip6_datagram_connect):
     * autobinds (EAGAIN), fixes a `::` local address to the source routing chose (its v4 field
     * becomes the 127.0.0.6 placeholder, as does inet_daddr), no 4-tuple uniqueness check. A
     * v4-mapped peer is Connect() on the embedded addresses instead.
     * \param id socket
     * \param source the IPv6 source address routing chose (an address of the host)
     * \param remote destination
     * \param remotePort destination port
     * \return OK, EAFNOSUPPORT (AF_INET socket), EAGAIN, EADDRNOTAVAIL (source not local)
     */
    Errno Connect6(SocketId id, const Ipv6& source, const Ipv6& remote, uint16_t remotePort);

    /// \param id socket \return the native IPv6 peer of a Connect6() socket, else nullptr
    const Ipv6* Peer6(SocketId id) const
    {
        auto it = m_peer6.find(id);
        return it == m_peer6.end() ? nullptr : &it->second;
    }

    /// \param id socket \return its native IPv6 local address (`::` unless bound or connected
    /// to one; meaningful for AF_INET6 sockets that are neither v4-mapped nor AF_INET)
    Ipv6 Local6(SocketId id) const
    {
        const V6Ref r = m_sockets[id].v6;
        return r >= V6_FIRST_OTHER ? m_addresses.Ipv6Of(r) : Ipv6{};
    }

    /**
     * \brief Autobind before sendto() on an unbound socket (inet_autobind).
     * \param id socket
     * \return OK (already bound or bound now) or EAGAIN
     */
    Errno Autobind(SocketId id);

    /// \brief close(): the socket leaves every table. \param id socket
    void Close(SocketId id);

    /**
     * \brief Unicast delivery (__udp4_lib_lookup): exact connected 4-tuple first, then the
     * chain of the destination address (any match there beats a wildcard socket), then the
     * wildcard chain; highest compute_score() wins, ties to the chain head (the most recently
     * bound); an SO_REUSEPORT group picks a member by a hash of the 4-tuple.
     * \param localAddr destination address
     * \param localPort destination port
     * \param remoteAddr source address
     * \param remotePort source port
     * \param inDevice ifindex the datagram arrived on
     * \return the receiving socket, or INVALID_ID (ICMP port unreachable)
     */
    SocketId Deliver(Ipv4 localAddr,
                     uint16_t localPort,
                     Ipv4 remoteAddr,
                     uint16_t remotePort,
                     uint32_t inDevice = 0);

    /**
     * \brief Unicast delivery of an IPv6 datagram (__udp6_lib_lookup): only AF_INET6 sockets
     * that are neither v4-mapped nor AF_INET qualify; the chain of the exact destination
     * address first, then `::` (v6-only and dual-stack alike); compute_score() otherwise as
     * for IPv4 (a connected peer and a bound device count), reuseport groups as there.
     * \param localAddr destination address
     * \param localPort destination port
     * \param remoteAddr source address
     * \param remotePort source port
     * \param inDevice ifindex the datagram arrived on
     * \return the receiving socket, or INVALID_ID (ICMPv6 port unreachable)
     */
    SocketId Deliver6(const Ipv6& localAddr,
                      uint16_t localPort,
                      const Ipv6& remoteAddr,
                      uint16_t remotePort,
                      uint32_t inDevice = 0);

    /**
     * \brief Multicast/broadcast delivery: every matching socket gets a copy.
     * \param localAddr destination address
     * \param localPort destination port
     * \param remoteAddr source address
     * \param remotePort source port
     * \param inDevice ifindex
     * \return the receiving sockets (empty: dropped silently)
     */
    std::vector<SocketId> DeliverAll(Ipv4 localAddr,
                                     uint16_t localPort,
                                     Ipv4 remoteAddr,
                                     uint16_t remotePort,
                                     uint32_t inDevice = 0) const;

    /// \param id socket \return a snapshot of it
    UdpSocketView View(SocketId id) const;

    /// \param id socket \return its local and remote ends
    const FourTuple& GetTuple(SocketId id) const
    {
        return m_sockets[id].tuple;
    }

    /// \param id socket \return its local address with its family (what getsockname shows)
    RcvSaddr LocalRcvSaddr(SocketId id) const
    {
        const auto& s = m_sockets[id];
        return RcvSaddr{s.tuple.localAddr, s.v6, s.ipv6only};
    }

    /// \param fn called with a UdpSocketView for each bound socket, in handle order
    template <class Fn>
    void ForEach(Fn fn) const
    {
        for (SocketId id = 0; id < m_sockets.size(); ++id)
        {
            if (m_sockets[id].inUse && m_sockets[id].tuple.localPort != 0)
            {
                fn(View(id));
            }
        }
    }

    /// \return ports with at least one bound socket
    size_t PortsInUse() const
    {
        return m_byPort.size();
    }

    /// \return open sockets
    size_t SocketCount() const
    {
        return m_sockets.size() - m_free.size();
    }

    /// \return the counters
    const UdpPortCounters& Counters() const
    {
        return m_counters;
    }

  private:
    /// A socket's record.
    struct Record
    {
        FourTuple tuple;            //!< local and remote ends
        uint32_t uid{0};            //!< owner uid
        uint32_t boundDev{0};       //!< SO_BINDTODEVICE
        uint32_t group{INVALID_ID}; //!< SO_REUSEPORT group
        uint16_t rangeLo{0};        //!< IP_LOCAL_PORT_RANGE low
        uint16_t rangeHi{0};        //!< IP_LOCAL_PORT_RANGE high
        bool inUse{false};          //!< slot allocated
        bool reuseAddr{false};      //!< SO_REUSEADDR
        bool reusePort{false};      //!< SO_REUSEPORT
        bool connected{false};      //!< sk_state == TCP_ESTABLISHED
        bool inHash4{false};        //!< in the 4-tuple index
        bool ipv6only{false};       //!< sk_ipv6only (AF_INET6 only)
        V6Ref v6{V6_NONE};          //!< family and IPv6 local address (rcv-saddr.h)
    };

    /// SO_REUSEPORT group.
    struct Group
    {
        std::vector<SocketId> socks; //!< members in join order
        bool hasConns{false};        //!< a member connected (reuseport_has_conns, sticky)
    };

    class PortCheck;

    bool Conflict(const Record& s, SocketId self, uint16_t port) const;
    /// udp_lib_get_port() for the address already set on the socket; resets it on failure.
    Errno BindPort(SocketId id, uint16_t port);
    void Hash(SocketId id);
    void Unhash(SocketId id);
    void JoinGroup(SocketId id);
    void LeaveGroup(SocketId id);

    /**
     * \brief udp_sk_bound_dev_eq(): a socket bound to no device takes datagrams from every
     * device, one bound with SO_BINDTODEVICE only those arriving on it. The one place this
     * rule lives for compute_score() of both families and __udp_is_mcast_sock().
     * \param s the socket \param inDevice the ifindex the datagram arrived on
     * \return whether \p s may take it
     */
    static bool UdpSkBoundDevEq(const Record& s, uint32_t inDevice)
    {
        return s.boundDev == 0 || s.boundDev == inDevice;
    }

    int Score(const Record& s,
              Ipv4 localAddr,
              Ipv4 remoteAddr,
              uint16_t remotePort,
              uint32_t inDevice) const;
    int Score6(SocketId id,
               V6Ref localAddr,
               const Ipv6& remoteAddr,
               uint16_t remotePort,
               uint32_t inDevice) const;
    SocketId LookupChain(Ipv4 chainAddr, const FourTuple& t, uint32_t inDevice) const;
    /// udp4_lib_lookup2() / udp6_lib_lookup2() over one chain, with the family's score.
    template <class ScoreFn>
    SocketId LookupChainWith(uint64_t chainKey, uint32_t reuseportHash, ScoreFn score) const;

    static uint64_t ChainKey(Ipv4 addr, uint16_t port)
    {
        return (static_cast<uint64_t>(addr) << 16) | port;
    }

    static uint64_t Hash4Key(const FourTuple& t)
    {
        return (static_cast<uint64_t>(t.localAddr) << 32 | t.remoteAddr) ^
               (static_cast<uint64_t>(t.localPort) << 16 | t.remotePort) * 0x9e3779b97f4a7c15ULL;
    }

    const PortSysctls& m_sysctls;                                 //!< settings
    const LocalAddresses& m_addresses;                            //!< local addresses
    EphemeralPortSelector* m_selector;                            //!< ephemeral algorithm
    uint64_t m_secret;                                            //!< hash secret
    std::vector<Record> m_sockets;                                //!< socket slab
    std::vector<SocketId> m_free;                                 //!< free slots
    std::unordered_map<uint16_t, std::vector<SocketId>> m_byPort; //!< port -> sockets
    std::unordered_map<uint64_t, std::vector<SocketId>> m_chains; //!< (addr, port), head first
    std::unordered_multimap<uint64_t, SocketId> m_hash4;          //!< connected 4-tuples
    std::vector<Group> m_groups;                                  //!< reuseport groups
    std::vector<uint32_t> m_freeGroups;                           //!< free group slots
    UdpPortCounters m_counters;                                   //!< counters
    std::unordered_map<SocketId, Ipv6> m_peer6; //!< native IPv6 peers (kept out of Record)
};

} // namespace portlab

#endif // PORTLAB_UDP_PORT_TABLE_H
