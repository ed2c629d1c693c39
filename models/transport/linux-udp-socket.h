/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_UDP_SOCKET_H
#define LINUX_UDP_SOCKET_H

#include "ports/port-types.h"
#include "ports/tcp-port-table.h"

#include "ns3/address.h"
#include "ns3/ipv4-address.h"
#include "ns3/ipv4-header.h"
#include "ns3/ipv6-address.h"
#include "ns3/traced-callback.h"
#include "ns3/udp-socket.h"

#include <deque>
#include <string>
#include <utility>

namespace ns3
{

class Ipv4;
class Ipv4Interface;
class Ipv4Route;
class Ipv6Header;
class Ipv6Interface;
class Ipv6Route;
class LinuxUdpL4Protocol;
class Node;
class Packet;

/**
 * \ingroup portlab-transport
 * \brief A UDP socket with Linux's port semantics (created by LinuxUdpL4Protocol).
 *
 * bind(), the implicit bind of an unbound socket's first send or connect (EAGAIN when no
 * ephemeral port is free), connect() and the choice of the socket that receives a datagram
 * all go through the node's portlab::UdpPortTable. Socket options are attributes: ReuseAddr
 * (SO_REUSEADDR), ReusePort (SO_REUSEPORT), Uid (the owner, for SO_REUSEPORT groups and
 * privileged ports), BoundDevice (SO_BINDTODEVICE, a Linux ifindex: ns-3 interface + 1) and
 * LocalPortRange (IP_LOCAL_PORT_RANGE); each applies to the table at once.
 *
 * Errors carry Linux's errno: GetLinuxErrno() and the "LinuxErrno" trace source; GetErrno()
 * is the nearest ns-3 value (ToNs3Errno), or the exact ns-3 one for the few conditions
 * portlab::Errno does not name (EBADF, EMSGSIZE, EAFNOSUPPORT: GetLinuxErrno() is then INVAL).
 *
 * Like Linux, a connected socket that received an ICMP port unreachable for its 4-tuple
 * fails its next Recv/RecvFrom or Send/SendTo once with ECONNREFUSED (sk_err, cleared when
 * reported); the socket's receive callback is invoked when the error arrives so that a
 * receive-driven application sees it.
 *
 * Differences from Linux kept for ns-3 applications: Bind(Inet6SocketAddress) succeeds but
 * leaves the socket inert (the stack has no IPv6; ns-3's UdpEchoServer binds an IPv6 socket
 * and aborts if that fails); GetRxAvailable() is the total queued payload (ns-3's meaning,
 * Linux's FIONREAD gives the first datagram's size); the receive buffer counts payload bytes
 * (Linux counts skb truesize) and, as in Linux, admits a datagram into an empty queue even if
 * it is larger than the buffer. Multicast group membership is not modelled.
 */
class LinuxUdpSocket : public UdpSocket
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    LinuxUdpSocket();
    ~LinuxUdpSocket() override;

    LinuxUdpSocket(const LinuxUdpSocket&) = delete;
    LinuxUdpSocket& operator=(const LinuxUdpSocket&) = delete;

    /**
     * \brief Attach to a node's UDP (called once by LinuxUdpL4Protocol::CreateSocket);
     * applies the socket options to the table.
     * \param node the node
     * \param udp the node's UDP
     * \param id the socket's handle in the UDP port table
     */
    void Attach(Ptr<Node> node, Ptr<LinuxUdpL4Protocol> udp, portlab::SocketId id);

    /// \return the socket's handle in the node's UDP port table (INVALID_ID once closed)
    portlab::SocketId GetSocketId() const;

    /// \return the errno Linux would have set for the last failed call (OK if none failed)
    portlab::Errno GetLinuxErrno() const;

    /**
     * \brief getsockopt(SO_ERROR): the pending error (an ICMP error on a connected socket);
     * reading it clears it, as sock_error() does.
     * \return the pending error, or OK
     */
    portlab::Errno TakeSocketError();

    /// \return true once Connect() succeeded
    bool IsConnected() const;

    /**
     * \brief IP_LOCAL_PORT_RANGE: the socket's own ephemeral range, intersected with the
     * host's (the "LocalPortRange" attribute calls this).
     * \param lo low end (0 = the host's)
     * \param hi high end (0 = the host's)
     * \return 0, or -1 with EINVAL if both are set and lo > hi (the range is then unchanged)
     */
    int SetLocalPortRange(uint16_t lo, uint16_t hi);

    /**
     * \brief A datagram for this socket (called by LinuxUdpL4Protocol).
     * \param packet payload (UDP header removed)
     * \param header its IPv4 header
     * \param sport source port
     * \param incomingInterface the interface it arrived on
     */
    void ForwardUp(Ptr<Packet> packet,
                   const Ipv4Header& header,
                   uint16_t sport,
                   Ptr<Ipv4Interface> incomingInterface);

    /**
     * \brief socket(AF_INET6): make this socket, created as AF_INET by ns-3's factory, an
     * AF_INET6 one while it has no port (IPV6_V6ONLY from net.ipv6.bindv6only now). Done by
     * itself at the first Bind6() or Inet6SocketAddress given to Bind, Connect or SendTo.
     * \return 0, or -1: EAFNOSUPPORT (the node has no IPv6), EINVAL (it has a port already),
     *         EBADF (closed)
     */
    int OpenInet6();

    /// \return true if the socket is AF_INET6
    bool IsInet6() const;

    /**
     * \brief setsockopt(IPPROTO_IPV6, IPV6_V6ONLY) (do_ipv6_setsockopt).
     * \param on the value
     * \return 0, or -1: ENOPROTOOPT (AF_INET socket), EINVAL (the socket has a port: after
     *         bind, connect or a send's autobind, even with the value unchanged)
     */
    int SetIpv6Only(bool on);

    /// \return getsockopt(IPV6_V6ONLY): false for an AF_INET socket
    bool GetIpv6Only() const;

    /**
     * \brief Queue a datagram that arrived over IPv6 (the sender as Inet6SocketAddress).
     * \param packet the payload
     * \param header its IPv6 header
     * \param sport the sender's port
     * \param incomingInterface the interface it arrived on
     */
    void ForwardUp6(Ptr<Packet> packet,
                    const Ipv6Header& header,
                    uint16_t sport,
                    Ptr<Ipv6Interface> incomingInterface);

    /**
     * \brief An ICMP error for this (connected) socket (Linux: sk_err); reported by the next
     * receive or send, then cleared.
     * \param e the error
     */
    void SetPendingError(portlab::Errno e);

    // The convenience overloads of Socket (Send(p), Recv(), RecvFrom(from), ...) stay visible.
    using Socket::Recv;
    using Socket::RecvFrom;
    using Socket::Send;
    using Socket::SendTo;

    // Socket
    /// Socket: the last error as ns-3's errno (GetLinuxErrno() gives Linux's).
    /// \return the error
    enum SocketErrno GetErrno() const override;
    /// Socket: NS3_SOCK_DGRAM.
    /// \return NS3_SOCK_DGRAM
    enum SocketType GetSocketType() const override;
    /// Socket: the node the socket is on.
    /// \return the node
    Ptr<Node> GetNode() const override;
    /// Socket: bind(2) to 0.0.0.0 and an ephemeral port.
    /// \return 0, or -1 with the error in GetErrno()
    int Bind() override;
    /// Socket: IPv6 is not supported (-1, EINVAL).
    /// \return -1
    int Bind6() override;
    /// Socket: bind(2) to an InetSocketAddress, decided by the port table (EADDRINUSE,
    /// EADDRNOTAVAIL, ...). An Inet6SocketAddress leaves the socket inert: ns-3 applications
    /// bind an IPv6 socket beside the IPv4 one and abort if that fails.
    /// \param address the local address and port (0: an ephemeral port)
    /// \return 0, or -1 with the error in GetErrno()
    int Bind(const Address& address) override;
    /// Socket: close(2): releases the port and drops queued datagrams; then EBADF for every call.
    /// \return 0, or -1 with the error in GetErrno()
    int Close() override;
    /// Socket: shutdown(SHUT_WR), as Shutdown(false, true).
    /// \return 0, or -1 with the error in GetErrno()
    int ShutdownSend() override;
    /// Socket: shutdown(SHUT_RD), as Shutdown(true, false).
    /// \return 0, or -1 with the error in GetErrno()
    int ShutdownRecv() override;
    /**
     * \brief shutdown(2) with both directions at once, as inet_shutdown() does it.
     * \param rd SHUT_RD \param wr SHUT_WR
     * \return 0, or -1 (ENOTCONN on an unconnected socket, which still takes the bits)
     */
    int Shutdown(bool rd, bool wr);
    /// Socket: connect(2) as Linux's inet_dgram_connect(): bind(0) first if unbound (EAGAIN
    /// when no port is free), then route and fix the peer; incoming datagrams from others no
    /// longer reach the socket.
    /// \param address the peer's InetSocketAddress
    /// \return 0, or -1 with the error in GetErrno()
    int Connect(const Address& address) override;
    /// Socket: EOPNOTSUPP, as for any datagram socket.
    /// \return 0, or -1 with the error in GetErrno()
    int Listen() override;
    /// Socket: the largest UDP payload over IPv4 (no send buffer is modelled).
    /// \return bytes
    uint32_t GetTxAvailable() const override;
    /// Socket: send(2) to the connected peer; EDESTADDRREQ when not connected.
    /// \param p the payload \param flags ignored
    /// \return the bytes sent, or -1 (the error in GetErrno())
    int Send(Ptr<Packet> p, uint32_t flags) override;
    /// Socket: sendto(2) to an InetSocketAddress (bind(0) first if unbound).
    /// \param p the payload \param flags ignored \param address the destination
    /// \return the bytes sent, or -1 (the error in GetErrno())
    int SendTo(Ptr<Packet> p, uint32_t flags, const Address& address) override;
    /// Socket: bytes of the datagrams queued for reading.
    /// \return bytes
    uint32_t GetRxAvailable() const override;
    /// Socket: recv(2), as RecvFrom() without the address.
    /// \param maxSize the most bytes to return \param flags ignored
    /// \return the data, or nullptr (the error in GetErrno())
    Ptr<Packet> Recv(uint32_t maxSize, uint32_t flags) override;
    /// Socket: recvfrom(2): a pending error (ICMP) first, then the oldest datagram, cut to
    /// maxSize (the rest is lost, as with MSG_TRUNC); nullptr and EAGAIN when none is queued.
    /// \param maxSize the most bytes to return \param flags ignored
    /// \param[out] fromAddress the sender's InetSocketAddress
    /// \return the datagram, or nullptr (the error in GetErrno())
    Ptr<Packet> RecvFrom(uint32_t maxSize, uint32_t flags, Address& fromAddress) override;
    /// Socket: getsockname(2): the bound address and port (0.0.0.0:0 before bind).
    /// \param[out] address the local InetSocketAddress
    /// \return 0, or -1 with the error in GetErrno()
    int GetSockName(Address& address) const override;
    /// Socket: getpeername(2): the connected peer, or -1 with ENOTCONN.
    /// \param[out] address the peer's InetSocketAddress
    /// \return 0, or -1 with the error in GetErrno()
    int GetPeerName(Address& address) const override;
    /// Socket: SO_BINDTODEVICE: the port table sees the device's interface index (nullptr: none).
    /// \param netdevice a device of the socket's node, or nullptr
    void BindToNetDevice(Ptr<NetDevice> netdevice) override;
    /// Socket: SO_BROADCAST (sending to a broadcast address needs it, as on Linux).
    /// \param allowBroadcast SO_BROADCAST \return true
    bool SetAllowBroadcast(bool allowBroadcast) override;
    /// Socket: whether SO_BROADCAST is set.
    /// \return whether broadcast is allowed
    bool GetAllowBroadcast() const override;

    // UdpSocket
    /// UdpSocket: group membership is not modelled (-1, EOPNOTSUPP).
    /// \param interface unused \param groupAddress unused \return -1
    int MulticastJoinGroup(uint32_t interface, const Address& groupAddress) override;
    /// UdpSocket: group membership is not modelled (-1, EOPNOTSUPP).
    /// \param interface unused \param groupAddress unused \return -1
    int MulticastLeaveGroup(uint32_t interface, const Address& groupAddress) override;

    /**
     * TracedCallback signature for bind() results.
     * \param result the portlab::Errno value (0 = OK)
     * \param address the address asked for
     */
    typedef void (*BindTracedCallback)(uint8_t result, const Address& address);

    /**
     * TracedCallback signature for failures.
     * \param e Linux's errno for the failed call
     */
    typedef void (*LinuxErrnoTracedCallback)(portlab::Errno e);

  protected:
    /// ns3::Object::DoDispose(): drops the receive queue, node and protocol.
    void DoDispose() override;

  private:
    // UdpSocket attribute accessors
    void SetRcvBufSize(uint32_t size) override;
    uint32_t GetRcvBufSize() const override;
    void SetIpMulticastTtl(uint8_t ipTtl) override;
    uint8_t GetIpMulticastTtl() const override;
    void SetIpMulticastIf(int32_t ipIf) override;
    int32_t GetIpMulticastIf() const override;
    void SetIpMulticastLoop(bool loop) override;
    bool GetIpMulticastLoop() const override;
    void SetMtuDiscover(bool discover) override;
    bool GetMtuDiscover() const override;

    // Socket-option attributes
    void SetReuseAddr(bool on);
    bool GetReuseAddr() const;
    void SetReusePort(bool on);
    bool GetReusePort() const;
    void SetUid(uint32_t uid);
    uint32_t GetUid() const;
    void SetBoundDevice(uint32_t ifindex);
    uint32_t GetBoundDevice() const;
    bool SetLocalPortRangeText(std::string text);
    std::string GetLocalPortRangeText() const;

    /// \brief SO_BINDTODEVICE to the table and m_boundnetdevice (node known)
    void ApplyBoundDevice();

    /// The socket options kept here, applied to a new table entry (Attach, OpenInet6).
    void ApplyOptions();

    /// \param on IPV6_V6ONLY \return false if the table refused it (the Ipv6Only attribute)
    bool SetIpv6OnlyAttribute(bool on);

    /// \return the local address as getsockname() gives it (Inet6SocketAddress on AF_INET6)
    Address LocalAddress() const;

    /// \param address an AF_INET6 sockaddr \return 0 when the socket is AF_INET6 now, else -1
    int EnsureInet6(const Address& address);

    /**
     * \brief __ip4_datagram_connect() (also for an AF_INET6 socket and a v4-mapped peer).
     * \param dst destination \param dport its port \param tos the address's TOS
     * \return 0 or -1
     */
    int ConnectV4(Ipv4Address dst, uint16_t dport, uint8_t tos);

    /**
     * \brief __ip6_datagram_connect() for a native IPv6 peer.
     * \param dst destination \param dport its port \return 0 or -1
     */
    int ConnectV6(Ipv6Address dst, uint16_t dport);

    /**
     * \brief ip6_dst_lookup_flow(): a route for \p dst through the IPv6 routing, the bound
     * native address (if any) as the source.
     * \param dst destination
     * \param why receives ENETUNREACH when there is no route
     * \return the route, or nullptr
     */
    Ptr<Ipv6Route> Route6(Ipv6Address dst, portlab::Errno& why) const;

    /**
     * \brief udpv6_sendmsg() to a native IPv6 destination.
     * \param p payload \param dst destination \param dport its port
     * \param cached a connected socket's route \param connected the socket's own peer
     * \return bytes sent or -1
     */
    int DoSendTo6(Ptr<Packet> p,
                  Ipv6Address dst,
                  uint16_t dport,
                  Ptr<Ipv6Route> cached = nullptr,
                  bool connected = false);

    /// \param packet a datagram \param from its sender: queue it (or drop it, buffer full)
    void Enqueue(Ptr<Packet> packet, const Address& from);

    /**
     * \brief Record a failure.
     * \param e Linux's errno
     * \return -1
     */
    int Fail(portlab::Errno e) const;

    /**
     * \brief Record a failure whose ns-3 errno is more precise than ToNs3Errno(e).
     * \param e nearest Linux errno portlab names
     * \param ns3Errno the ns-3 errno
     * \return -1
     */
    int Fail(portlab::Errno e, SocketErrno ns3Errno) const;

    /**
     * \brief A connect() that failed: the failure recorded and the callback told (the one
     * ending of ConnectV4()'s and ConnectV6()'s error paths).
     * \param e Linux's errno
     * \return -1
     */
    int ConnectFailed(portlab::Errno e);

    /**
     * \brief A connect() that failed with an ns-3 errno more precise than ToNs3Errno(e).
     * \param e nearest Linux errno portlab names
     * \param ns3Errno the ns-3 errno
     * \return -1
     */
    int ConnectFailed(portlab::Errno e, SocketErrno ns3Errno);

    /**
     * \brief A connect() that succeeded, once the peer and route are set: the socket marked
     * connected, indexed for ICMP errors, and the callback told.
     * \return 0
     */
    int ConnectSucceeded();

    /// \return true (and the error recorded) if an ICMP error was pending
    bool ReportPendingError();

    /// \return true if the socket was closed (and EBADF recorded)
    bool CheckClosed();

    /**
     * \brief Route a datagram as Linux does, including limited broadcast out of the bound
     * device or the bound address's device.
     * \param dst destination
     * \param src bound local address (0.0.0.0 = routing chooses)
     * \param why receives the errno when there is no route: EINVAL when the lookup refused
     *        the source (a 127/8 source towards a link), else ENETUNREACH
     * \return the route, or nullptr
     */
    Ptr<Ipv4Route> Route(Ipv4Address dst, Ipv4Address src, portlab::Errno& why) const;

    /**
     * \brief inet_send_prepare(): autobind an unbound socket before any send checks.
     * \return false (errno EAGAIN) when no ephemeral port is free
     */
    bool SendPrepare();

    /// \param dst destination \param route its route \return true if \p dst is a broadcast
    bool IsBroadcast(Ipv4Address dst, Ptr<Ipv4Route> route) const;

    /**
     * \brief sendto(): autobind, route, send.
     * \param p payload \param dst destination \param dport destination port
     * \param tos the address's TOS (0 = socket's)
     * \param cached a connected socket's cached route (sk_dst), used instead of a lookup
     * \param connected send() on a connected socket: a route looked up is cached
     * \return bytes sent or -1
     */
    int DoSendTo(Ptr<Packet> p,
                 Ipv4Address dst,
                 uint16_t dport,
                 uint8_t tos,
                 Ptr<Ipv4Route> cached = nullptr,
                 bool connected = false);

    Ptr<Node> m_node;                            //!< the node
    Ptr<LinuxUdpL4Protocol> m_udp;               //!< the node's UDP
    portlab::SocketId m_id{portlab::INVALID_ID}; //!< table handle

    bool m_reuseAddr{false}; //!< SO_REUSEADDR
    bool m_reusePort{false}; //!< SO_REUSEPORT
    uint32_t m_uid{0};       //!< owner uid
    uint32_t m_boundDev{0};  //!< SO_BINDTODEVICE ifindex
    uint16_t m_rangeLo{0};   //!< IP_LOCAL_PORT_RANGE low
    uint16_t m_rangeHi{0};   //!< IP_LOCAL_PORT_RANGE high

    mutable portlab::Errno m_linuxErrno{portlab::Errno::OK}; //!< last failure, Linux's name
    mutable SocketErrno m_errno{ERROR_NOTERROR};             //!< last failure, ns-3's name
    portlab::Errno m_pendingError{portlab::Errno::OK};       //!< sk_err (ICMP)

    bool m_connected{false};   //!< connect() succeeded
    Ipv4Address m_peerAddress; //!< connected peer
    uint16_t m_peerPort{0};    //!< connected peer port
    /// sk_dst_cache: the route a connected socket's send() reuses; connect() resets it, the
    /// first send() after looks it up again
    Ptr<Ipv4Route> m_cachedRoute;
    /// inet->cork.fl: the flow connect() last routed, even one whose route failed; a send()
    /// on the cached route goes to its address and port
    Ipv4Address m_corkAddress;
    uint16_t m_corkPort{0};        //!< the cork flow's port
    bool m_closed{false};          //!< Close() called
    bool m_ipv6Inert{false};       //!< bound to an IPv6 address on a node without IPv6: inert
    bool m_inet6{false};           //!< AF_INET6
    bool m_peerIs6{false};         //!< connected to a native IPv6 peer
    Ipv6Address m_peerAddress6;    //!< that peer
    Ptr<Ipv6Route> m_cachedRoute6; //!< its route (sk_dst_cache)
    bool m_shutdownSend{false};    //!< SHUT_WR
    bool m_allowBroadcast{false};  //!< SO_BROADCAST

    std::deque<std::pair<Ptr<Packet>, Address>> m_rxQueue; //!< received datagrams, sources
    uint32_t m_rxAvailable{0};                             //!< queued payload bytes
    uint32_t m_rcvBufSize{131072};                         //!< SO_RCVBUF (payload bytes)
    uint8_t m_ipMulticastTtl{0};                           //!< IP_MULTICAST_TTL (0 = default)
    int32_t m_ipMulticastIf{-1};                           //!< IP_MULTICAST_IF
    bool m_ipMulticastLoop{false};                         //!< IP_MULTICAST_LOOP
    bool m_mtuDiscover{false};                             //!< IP_MTU_DISCOVER (DF bit)

    TracedCallback<uint8_t, const Address&> m_bindTrace;         //!< bind() results
    TracedCallback<portlab::Errno> m_linuxErrnoTrace;            //!< failures
    TracedCallback<Ptr<const Packet>, const Address&> m_rxTrace; //!< datagrams queued
    TracedCallback<Ptr<const Packet>> m_dropTrace;               //!< receive-buffer drops
};

} // namespace ns3

#endif // LINUX_UDP_SOCKET_H
