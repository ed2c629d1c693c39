/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_UDP_SOCKET_H
#define LINUX_UDP_SOCKET_H

#include "port-types.h"
#include "tcp-port-table.h"

#include "ns3/address.h"
#include "ns3/ipv4-address.h"
#include "ns3/ipv4-header.h"
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
    enum SocketErrno GetErrno() const override;
    enum SocketType GetSocketType() const override;
    Ptr<Node> GetNode() const override;
    int Bind() override;
    int Bind6() override;
    int Bind(const Address& address) override;
    int Close() override;
    int ShutdownSend() override;
    int ShutdownRecv() override;
    /**
     * \brief shutdown(2) with both directions at once, as inet_shutdown() does it.
     * \param rd SHUT_RD \param wr SHUT_WR
     * \return 0, or -1 (ENOTCONN on an unconnected socket, which still takes the bits)
     */
    int Shutdown(bool rd, bool wr);
    int Connect(const Address& address) override;
    int Listen() override;
    uint32_t GetTxAvailable() const override;
    int Send(Ptr<Packet> p, uint32_t flags) override;
    int SendTo(Ptr<Packet> p, uint32_t flags, const Address& address) override;
    uint32_t GetRxAvailable() const override;
    Ptr<Packet> Recv(uint32_t maxSize, uint32_t flags) override;
    Ptr<Packet> RecvFrom(uint32_t maxSize, uint32_t flags, Address& fromAddress) override;
    int GetSockName(Address& address) const override;
    int GetPeerName(Address& address) const override;
    void BindToNetDevice(Ptr<NetDevice> netdevice) override;
    bool SetAllowBroadcast(bool allowBroadcast) override;
    bool GetAllowBroadcast() const override;

    // UdpSocket
    int MulticastJoinGroup(uint32_t interface, const Address& groupAddress) override;
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

    bool m_connected{false};      //!< connect() succeeded
    Ipv4Address m_peerAddress;    //!< connected peer
    uint16_t m_peerPort{0};       //!< connected peer port
    /// sk_dst_cache: the route a connected socket's send() reuses; connect() resets it, the
    /// first send() after looks it up again
    Ptr<Ipv4Route> m_cachedRoute;
    /// inet->cork.fl: the flow connect() last routed, even one whose route failed; a send()
    /// on the cached route goes to its address and port
    Ipv4Address m_corkAddress;
    uint16_t m_corkPort{0}; //!< the cork flow's port
    bool m_closed{false};         //!< Close() called
    bool m_ipv6Inert{false};      //!< bound to an IPv6 address: inert
    bool m_shutdownSend{false};   //!< SHUT_WR
    bool m_allowBroadcast{false}; //!< SO_BROADCAST

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
