/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-udp-socket.h"

#include "ipv4/linux-route.h"
#include "transport/linux-port-space.h"
#include "transport/linux-udp-l4-protocol.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/inet-socket-address.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/ipv4-interface.h"
#include "ns3/ipv4-packet-info-tag.h"
#include "ns3/ipv4-route.h"
#include "ns3/ipv4.h"
#include "ns3/ipv6-header.h"
#include "ns3/ipv6-interface.h"
#include "ns3/ipv6-route.h"
#include "ns3/ipv6-routing-protocol.h"
#include "ns3/ipv6.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/string.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/uinteger.h"

#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxUdpSocket");
NS_OBJECT_ENSURE_REGISTERED(LinuxUdpSocket);

namespace
{
/// Largest UDP payload in one IPv4 datagram: 65535 - 20 (IPv4 header) - 8 (UDP header).
constexpr uint32_t MAX_IPV4_UDP_PAYLOAD_BYTES = 65507;
/// Largest UDP payload in one IPv6 datagram without jumbograms: 65535 - 8 (UDP header).
constexpr uint32_t MAX_IPV6_UDP_PAYLOAD_BYTES = 65527;
} // namespace

TypeId
LinuxUdpSocket::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LinuxUdpSocket")
            .SetParent<UdpSocket>()
            .SetGroupName("Portlab")
            .AddConstructor<LinuxUdpSocket>()
            .AddAttribute(
                "ReuseAddr",
                "SO_REUSEADDR: for UDP, two sockets that both set it may bind the same "
                "port and address, wildcard included; unicast then goes to the most "
                "recently bound of equally matching sockets",
                BooleanValue(false),
                MakeBooleanAccessor(&LinuxUdpSocket::SetReuseAddr, &LinuxUdpSocket::GetReuseAddr),
                MakeBooleanChecker())
            .AddAttribute(
                "ReusePort",
                "SO_REUSEPORT: sockets of the same Uid that set it before bind() share "
                "the address and port as a group; unicast is spread over the group by "
                "a hash of the 4-tuple",
                BooleanValue(false),
                MakeBooleanAccessor(&LinuxUdpSocket::SetReusePort, &LinuxUdpSocket::GetReusePort),
                MakeBooleanChecker())
            .AddAttribute("Uid",
                          "The owning user id: SO_REUSEPORT groups need equal uids, and a uid "
                          "other than 0 cannot bind below ip_unprivileged_port_start (EACCES)",
                          UintegerValue(0),
                          MakeUintegerAccessor(&LinuxUdpSocket::SetUid, &LinuxUdpSocket::GetUid),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("BoundDevice",
                          "SO_BINDTODEVICE as a Linux ifindex: ns-3 IPv4 interface + 1 (1 = lo, "
                          "2 = the first device); 0 = not bound. Datagrams from other devices "
                          "are not delivered to the socket, and it sends out of this device",
                          UintegerValue(0),
                          MakeUintegerAccessor(&LinuxUdpSocket::SetBoundDevice,
                                               &LinuxUdpSocket::GetBoundDevice),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("LocalPortRange",
                          "IP_LOCAL_PORT_RANGE as \"LO HI\" (0-65535 each; 0 = the host's end "
                          "of net.ipv4.ip_local_port_range; empty = \"0 0\"): this socket's "
                          "ephemeral ports, intersected with the host's range. LO > HI with "
                          "both set is EINVAL and leaves the range unchanged",
                          StringValue(""),
                          MakeStringAccessor(&LinuxUdpSocket::SetLocalPortRangeText,
                                             &LinuxUdpSocket::GetLocalPortRangeText),
                          MakeStringChecker())
            .AddAttribute("Ipv6Only",
                          "IPV6_V6ONLY: an AF_INET6 socket that sets it neither conflicts with "
                          "IPv4 nor receives it. Its initial value is net.ipv6.bindv6only's at "
                          "socket(AF_INET6), whatever this attribute's default; binding a "
                          "native IPv6 address forces it on. Setting it fails (SetAttribute"
                          "FailSafe false; GetLinuxErrno tells) with ENOPROTOOPT on an AF_INET "
                          "socket and EINVAL once the socket has a port",
                          BooleanValue(false),
                          MakeBooleanAccessor(&LinuxUdpSocket::SetIpv6OnlyAttribute,
                                              &LinuxUdpSocket::GetIpv6Only),
                          MakeBooleanChecker())
            .AddTraceSource("Bind",
                            "bind() result (portlab::Errno as uint8, 0 = OK) and the address",
                            MakeTraceSourceAccessor(&LinuxUdpSocket::m_bindTrace),
                            "ns3::LinuxUdpSocket::BindTracedCallback")
            .AddTraceSource("LinuxErrno",
                            "A call failed, with the errno Linux would set (EAGAIN from an "
                            "empty receive queue included)",
                            MakeTraceSourceAccessor(&LinuxUdpSocket::m_linuxErrnoTrace),
                            "ns3::LinuxUdpSocket::LinuxErrnoTracedCallback")
            .AddTraceSource("Rx",
                            "A datagram was queued for the application, with its source",
                            MakeTraceSourceAccessor(&LinuxUdpSocket::m_rxTrace),
                            "ns3::Packet::AddressTracedCallback")
            .AddTraceSource("Drop",
                            "A datagram was dropped: the receive buffer (RcvBufSize) was full",
                            MakeTraceSourceAccessor(&LinuxUdpSocket::m_dropTrace),
                            "ns3::Packet::TracedCallback");
    return tid;
}

LinuxUdpSocket::LinuxUdpSocket()
{
    NS_LOG_FUNCTION(this);
}

LinuxUdpSocket::~LinuxUdpSocket()
{
    NS_LOG_FUNCTION(this);
}

void
LinuxUdpSocket::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_rxQueue.clear();
    m_rxAvailable = 0;
    m_node = nullptr;
    m_udp = nullptr;
    UdpSocket::DoDispose();
}

void
LinuxUdpSocket::Attach(Ptr<Node> node, Ptr<LinuxUdpL4Protocol> udp, portlab::SocketId id)
{
    NS_LOG_FUNCTION(this << node << udp << id);
    NS_ABORT_MSG_IF(m_udp, "LinuxUdpSocket::Attach: socket already attached");
    m_node = node;
    m_udp = udp;
    m_id = id;
    ApplyOptions();
}

void
LinuxUdpSocket::ApplyOptions()
{
    portlab::UdpPortTable& table = m_udp->Table();
    table.SetReuseAddr(m_id, m_reuseAddr);
    table.SetReusePort(m_id, m_reusePort);
    table.SetUid(m_id, m_uid);
    table.SetLocalPortRange(m_id, m_rangeLo, m_rangeHi); // validated by the setter
    ApplyBoundDevice();
}

portlab::SocketId
LinuxUdpSocket::GetSocketId() const
{
    return m_id;
}

portlab::Errno
LinuxUdpSocket::GetLinuxErrno() const
{
    return m_linuxErrno;
}

bool
LinuxUdpSocket::IsConnected() const
{
    return m_connected;
}

Socket::SocketErrno
LinuxUdpSocket::GetErrno() const
{
    return m_errno;
}

Socket::SocketType
LinuxUdpSocket::GetSocketType() const
{
    return NS3_SOCK_DGRAM;
}

Ptr<Node>
LinuxUdpSocket::GetNode() const
{
    return m_node;
}

int
LinuxUdpSocket::Fail(portlab::Errno e) const
{
    return Fail(e, ToNs3Errno(e));
}

int
LinuxUdpSocket::Fail(portlab::Errno e, SocketErrno ns3Errno) const
{
    NS_LOG_LOGIC(this << " fails with " << portlab::ErrnoName(e));
    m_linuxErrno = e;
    m_errno = ns3Errno;
    m_linuxErrnoTrace(e);
    return -1;
}

bool
LinuxUdpSocket::CheckClosed()
{
    if (m_closed || !m_udp)
    {
        Fail(portlab::Errno::BADF, ERROR_BADF); // the descriptor is gone: fdget() fails
        return true;
    }
    return false;
}

portlab::Errno
LinuxUdpSocket::TakeSocketError()
{
    portlab::Errno e = m_pendingError;
    m_pendingError = portlab::Errno::OK;
    return e;
}

bool
LinuxUdpSocket::ReportPendingError()
{
    if (m_pendingError == portlab::Errno::OK)
    {
        return false;
    }
    // sock_error(): report sk_err once and clear it.
    portlab::Errno e = m_pendingError;
    m_pendingError = portlab::Errno::OK;
    Fail(e);
    return true;
}

void
LinuxUdpSocket::SetPendingError(portlab::Errno e)
{
    NS_LOG_FUNCTION(this << portlab::ErrnoName(e));
    if (m_closed)
    {
        return;
    }
    m_pendingError = e;
    NotifyDataRecv(); // sk_error_report(): readers wake up and see the error
}

// --- socket options ------------------------------------------------------------------------

int
LinuxUdpSocket::OpenInet6()
{
    NS_LOG_FUNCTION(this);
    if (CheckClosed())
    {
        return -1;
    }
    if (m_inet6)
    {
        return 0;
    }
    if (!m_udp->HasIpv6())
    {
        return Fail(portlab::Errno::AFNOSUPPORT, ERROR_AFNOSUPPORT);
    }
    if (m_udp->Table().GetTuple(m_id).localPort != 0 || m_connected || m_ipv6Inert)
    {
        return Fail(portlab::Errno::INVAL); // an AF_INET socket with a port stays one
    }
    m_id = m_udp->ReopenInet6(m_id);
    m_inet6 = true;
    ApplyOptions();
    return 0;
}

bool
LinuxUdpSocket::IsInet6() const
{
    return m_inet6;
}

int
LinuxUdpSocket::EnsureInet6(const Address& address)
{
    if (m_inet6)
    {
        return 0;
    }
    if (!m_udp->HasIpv6())
    {
        return -1; // the caller keeps ns-3's old inert IPv6 socket
    }
    return OpenInet6();
}

int
LinuxUdpSocket::SetIpv6Only(bool on)
{
    NS_LOG_FUNCTION(this << on);
    if (CheckClosed())
    {
        return -1;
    }
    if (!m_inet6)
    {
        return Fail(portlab::Errno::NOPROTOOPT); // level IPPROTO_IPV6 on an AF_INET socket
    }
    const portlab::Errno e = m_udp->Table().SetV6Only(m_id, on);
    return e == portlab::Errno::OK ? 0 : Fail(e);
}

bool
LinuxUdpSocket::GetIpv6Only() const
{
    return m_udp && !m_closed && m_inet6 && m_udp->Table().V6Only(m_id);
}

bool
LinuxUdpSocket::SetIpv6OnlyAttribute(bool on)
{
    if (!m_udp)
    {
        return true; // construction: the value comes from net.ipv6.bindv6only
    }
    return SetIpv6Only(on) == 0;
}

void
LinuxUdpSocket::SetReuseAddr(bool on)
{
    NS_LOG_FUNCTION(this << on);
    m_reuseAddr = on;
    if (m_udp && !m_closed)
    {
        m_udp->Table().SetReuseAddr(m_id, on);
    }
}

bool
LinuxUdpSocket::GetReuseAddr() const
{
    return m_reuseAddr;
}

void
LinuxUdpSocket::SetReusePort(bool on)
{
    NS_LOG_FUNCTION(this << on);
    m_reusePort = on;
    if (m_udp && !m_closed)
    {
        m_udp->Table().SetReusePort(m_id, on);
    }
}

bool
LinuxUdpSocket::GetReusePort() const
{
    return m_reusePort;
}

void
LinuxUdpSocket::SetUid(uint32_t uid)
{
    NS_LOG_FUNCTION(this << uid);
    m_uid = uid;
    if (m_udp && !m_closed)
    {
        m_udp->Table().SetUid(m_id, uid);
    }
}

uint32_t
LinuxUdpSocket::GetUid() const
{
    return m_uid;
}

void
LinuxUdpSocket::SetBoundDevice(uint32_t ifindex)
{
    NS_LOG_FUNCTION(this << ifindex);
    m_boundDev = ifindex;
    if (m_udp && !m_closed)
    {
        ApplyBoundDevice();
    }
}

uint32_t
LinuxUdpSocket::GetBoundDevice() const
{
    return m_boundDev;
}

void
LinuxUdpSocket::ApplyBoundDevice()
{
    Ptr<Ipv4> ipv4 = m_node->GetObject<Ipv4>();
    NS_ABORT_MSG_IF(m_boundDev > ipv4->GetNInterfaces(),
                    "LinuxUdpSocket attribute BoundDevice="
                        << m_boundDev << ": node " << m_node->GetId() << " has ifindex 1 (lo) to "
                        << ipv4->GetNInterfaces() << "; 0 = not bound");
    m_boundnetdevice = m_boundDev == 0 ? nullptr : ipv4->GetNetDevice(m_boundDev - 1);
    m_udp->Table().SetBoundDevice(m_id, m_boundDev);
}

void
LinuxUdpSocket::BindToNetDevice(Ptr<NetDevice> netdevice)
{
    NS_LOG_FUNCTION(this << netdevice);
    uint32_t ifindex = 0;
    if (netdevice)
    {
        NS_ABORT_MSG_IF(!m_node || netdevice->GetNode() != m_node,
                        "LinuxUdpSocket::BindToNetDevice: the device is not on the socket's node");
        int32_t interface = m_node->GetObject<Ipv4>()->GetInterfaceForDevice(netdevice);
        NS_ABORT_MSG_IF(interface < 0,
                        "LinuxUdpSocket::BindToNetDevice: the device has no IPv4 interface");
        ifindex = IfIndexOf(static_cast<uint32_t>(interface));
    }
    Socket::BindToNetDevice(netdevice);
    SetBoundDevice(ifindex);
}

int
LinuxUdpSocket::SetLocalPortRange(uint16_t lo, uint16_t hi)
{
    NS_LOG_FUNCTION(this << lo << hi);
    if (!portlab::LocalPortRangeValid(lo, hi))
    {
        return Fail(portlab::Errno::INVAL);
    }
    m_rangeLo = lo;
    m_rangeHi = hi;
    if (m_udp && !m_closed)
    {
        portlab::Errno e = m_udp->Table().SetLocalPortRange(m_id, lo, hi);
        if (e != portlab::Errno::OK)
        {
            return Fail(e);
        }
    }
    return 0;
}

bool
LinuxUdpSocket::SetLocalPortRangeText(std::string text)
{
    unsigned long lo = 0;
    unsigned long hi = 0;
    if (text.find_first_not_of(" \t") != std::string::npos)
    {
        std::istringstream in(text);
        std::string rest;
        NS_ABORT_MSG_IF(!(in >> lo >> hi) || (in >> rest) || lo > 65535 || hi > 65535 ||
                            text.find('-') != std::string::npos,
                        "LinuxUdpSocket attribute LocalPortRange=\""
                            << text << "\": expected \"LO HI\" with 0 <= LO, HI <= 65535 "
                            << "(0 = the host's end), or empty");
    }
    return SetLocalPortRange(static_cast<uint16_t>(lo), static_cast<uint16_t>(hi)) == 0;
}

std::string
LinuxUdpSocket::GetLocalPortRangeText() const
{
    if (m_rangeLo == 0 && m_rangeHi == 0)
    {
        return "";
    }
    return std::to_string(m_rangeLo) + " " + std::to_string(m_rangeHi);
}

void
LinuxUdpSocket::SetRcvBufSize(uint32_t size)
{
    m_rcvBufSize = size;
}

uint32_t
LinuxUdpSocket::GetRcvBufSize() const
{
    return m_rcvBufSize;
}

void
LinuxUdpSocket::SetIpMulticastTtl(uint8_t ipTtl)
{
    m_ipMulticastTtl = ipTtl;
}

uint8_t
LinuxUdpSocket::GetIpMulticastTtl() const
{
    return m_ipMulticastTtl;
}

void
LinuxUdpSocket::SetIpMulticastIf(int32_t ipIf)
{
    m_ipMulticastIf = ipIf;
}

int32_t
LinuxUdpSocket::GetIpMulticastIf() const
{
    return m_ipMulticastIf;
}

void
LinuxUdpSocket::SetIpMulticastLoop(bool loop)
{
    m_ipMulticastLoop = loop;
}

bool
LinuxUdpSocket::GetIpMulticastLoop() const
{
    return m_ipMulticastLoop;
}

void
LinuxUdpSocket::SetMtuDiscover(bool discover)
{
    m_mtuDiscover = discover;
}

bool
LinuxUdpSocket::GetMtuDiscover() const
{
    return m_mtuDiscover;
}

bool
LinuxUdpSocket::SetAllowBroadcast(bool allowBroadcast)
{
    NS_LOG_FUNCTION(this << allowBroadcast);
    m_allowBroadcast = allowBroadcast;
    return true;
}

bool
LinuxUdpSocket::GetAllowBroadcast() const
{
    return m_allowBroadcast;
}

int
LinuxUdpSocket::MulticastJoinGroup(uint32_t interface, const Address& groupAddress)
{
    NS_LOG_FUNCTION(this << interface << groupAddress);
    NS_LOG_WARN("LinuxUdpSocket: multicast group membership is not modelled");
    return Fail(portlab::Errno::OPNOTSUPP);
}

int
LinuxUdpSocket::MulticastLeaveGroup(uint32_t interface, const Address& groupAddress)
{
    NS_LOG_FUNCTION(this << interface << groupAddress);
    NS_LOG_WARN("LinuxUdpSocket: multicast group membership is not modelled");
    return Fail(portlab::Errno::OPNOTSUPP);
}

// --- bind, connect, close ------------------------------------------------------------------

int
LinuxUdpSocket::Bind(const Address& address)
{
    NS_LOG_FUNCTION(this << address);
    if (CheckClosed())
    {
        return -1;
    }
    if (Inet6SocketAddress::IsMatchingType(address) && m_udp->HasIpv6())
    {
        if (EnsureInet6(address) != 0)
        {
            m_bindTrace(static_cast<uint8_t>(m_linuxErrno), address);
            return -1;
        }
        Inet6SocketAddress a6 = Inet6SocketAddress::ConvertFrom(address);
        m_udp->GetPortSpace()->RefreshAddresses();
        const portlab::Errno e =
            m_udp->Table().Bind(m_id,
                                portlab::InetAddress::V6(LinuxPortSpace::ToPortlab6(a6.GetIpv6())),
                                a6.GetPort());
        m_bindTrace(static_cast<uint8_t>(e), address);
        return e == portlab::Errno::OK ? 0 : Fail(e);
    }
    if (Inet6SocketAddress::IsMatchingType(address))
    {
        // No IPv6 on this node (LinuxStackHelper::SetIpv6 off); ns-3 applications
        // (UdpEchoServer) bind an IPv6 socket next to the IPv4 one and abort if that fails,
        // so accept it and keep the socket inert.
        NS_LOG_WARN("LinuxUdpSocket: the node has no IPv6; the socket stays inert");
        if (m_ipv6Inert || m_udp->Table().GetTuple(m_id).localPort != 0)
        {
            m_bindTrace(static_cast<uint8_t>(portlab::Errno::INVAL), address);
            return Fail(portlab::Errno::INVAL);
        }
        m_ipv6Inert = true;
        m_bindTrace(static_cast<uint8_t>(portlab::Errno::OK), address);
        return 0;
    }
    if (m_inet6 && InetSocketAddress::IsMatchingType(address))
    {
        // inet6_bind(): an AF_INET sockaddr on an AF_INET6 socket.
        m_bindTrace(static_cast<uint8_t>(portlab::Errno::INVAL), address);
        return Fail(portlab::Errno::INVAL);
    }
    if (!InetSocketAddress::IsMatchingType(address) || m_ipv6Inert)
    {
        return Fail(portlab::Errno::INVAL, ERROR_AFNOSUPPORT);
    }
    InetSocketAddress transport = InetSocketAddress::ConvertFrom(address);
    if (transport.GetTos() != 0)
    {
        SetIpTos(transport.GetTos());
    }
    m_udp->GetPortSpace()->RefreshAddresses();
    portlab::Errno e = m_udp->Table().Bind(m_id,
                                           LinuxPortSpace::ToPortlab(transport.GetIpv4()),
                                           transport.GetPort());
    m_bindTrace(static_cast<uint8_t>(e), address);
    if (e != portlab::Errno::OK)
    {
        return Fail(e);
    }
    NS_LOG_LOGIC(this << " bound to " << transport.GetIpv4() << ":"
                      << m_udp->Table().GetTuple(m_id).localPort);
    return 0;
}

int
LinuxUdpSocket::Bind()
{
    NS_LOG_FUNCTION(this);
    return Bind(InetSocketAddress(Ipv4Address::GetAny(), 0));
}

int
LinuxUdpSocket::Bind6()
{
    NS_LOG_FUNCTION(this);
    if (!m_udp || !m_udp->HasIpv6())
    {
        NS_LOG_WARN("LinuxUdpSocket: the node has no IPv6 (LinuxStackHelper::SetIpv6)");
        return Fail(portlab::Errno::AFNOSUPPORT, ERROR_AFNOSUPPORT);
    }
    return Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 0));
}

int
LinuxUdpSocket::Connect(const Address& address)
{
    NS_LOG_FUNCTION(this << address);
    if (CheckClosed())
    {
        return -1;
    }
    if (Inet6SocketAddress::IsMatchingType(address) && !m_ipv6Inert)
    {
        if (EnsureInet6(address) != 0)
        {
            if (!m_udp->HasIpv6())
            {
                Fail(portlab::Errno::AFNOSUPPORT, ERROR_AFNOSUPPORT);
            }
            NotifyConnectionFailed();
            return -1;
        }
        Inet6SocketAddress a6 = Inet6SocketAddress::ConvertFrom(address);
        if (a6.GetIpv6().IsIpv4MappedAddress())
        {
            // __ip6_datagram_connect(): a v4-mapped peer is __ip4_datagram_connect()
            // (ENETUNREACH on a v6-only socket, from the table).
            return ConnectV4(a6.GetIpv6().GetIpv4MappedAddress(), a6.GetPort(), 0);
        }
        return ConnectV6(a6.GetIpv6(), a6.GetPort());
    }
    if (!InetSocketAddress::IsMatchingType(address) || m_ipv6Inert)
    {
        return ConnectFailed(portlab::Errno::INVAL, ERROR_AFNOSUPPORT);
    }
    InetSocketAddress transport = InetSocketAddress::ConvertFrom(address);
    if (m_inet6 && GetIpv6Only())
    {
        // ip6_datagram_connect(): an AF_INET sockaddr on a v6-only socket.
        return ConnectFailed(portlab::Errno::AFNOSUPPORT, ERROR_AFNOSUPPORT);
    }
    return ConnectV4(transport.GetIpv4(), transport.GetPort(), transport.GetTos());
}

int
LinuxUdpSocket::ConnectFailed(portlab::Errno e)
{
    Fail(e);
    NotifyConnectionFailed();
    return -1;
}

int
LinuxUdpSocket::ConnectFailed(portlab::Errno e, SocketErrno ns3Errno)
{
    Fail(e, ns3Errno);
    NotifyConnectionFailed();
    return -1;
}

int
LinuxUdpSocket::ConnectSucceeded()
{
    m_connected = true;
    m_udp->IndexConnected(m_id);
    NotifyConnectionSucceeded();
    return 0;
}

int
LinuxUdpSocket::ConnectV4(Ipv4Address dst, uint16_t dport, uint8_t tos)
{
    portlab::UdpPortTable& table = m_udp->Table();
    // inet_dgram_connect(): autobind first (EAGAIN), then __ip4_datagram_connect().
    if (table.Autobind(m_id) != portlab::Errno::OK)
    {
        return ConnectFailed(portlab::Errno::AGAIN);
    }
    // __ip4_datagram_connect(): sk_dst_reset(), then ip_route_connect() on inet->cork.fl,
    // which keeps this destination even when the lookup fails (a later send() on a cached
    // route goes there: see Send()).
    m_cachedRoute = nullptr;
    m_cachedRoute6 = nullptr;
    m_peerIs6 = false;
    m_corkAddress = dst;
    m_corkPort = dport;
    portlab::Errno why = portlab::Errno::OK;
    Ptr<Ipv4Route> route = Route(dst, LinuxPortSpace::ToNs3(table.GetTuple(m_id).localAddr), why);
    if (!route)
    {
        return ConnectFailed(why);
    }
    m_corkAddress = route->GetDestination();
    if (IsBroadcast(dst, route) && !m_allowBroadcast)
    {
        return ConnectFailed(portlab::Errno::ACCES);
    }
    const Ipv4Address peer = route->GetDestination(); // 0.0.0.0 is the local host
    portlab::Errno e = table.Connect(m_id,
                                     LinuxPortSpace::ToPortlab(route->GetSource()),
                                     LinuxPortSpace::ToPortlab(peer),
                                     dport);
    if (e != portlab::Errno::OK)
    {
        return ConnectFailed(e);
    }
    if (tos != 0)
    {
        SetIpTos(tos);
    }
    m_peerAddress = peer;
    m_peerPort = dport;
    m_cachedRoute = route; // sk_dst_set()
    return ConnectSucceeded();
}

int
LinuxUdpSocket::ConnectV6(Ipv6Address dst, uint16_t dport)
{
    portlab::UdpPortTable& table = m_udp->Table();
    if (table.Autobind(m_id) != portlab::Errno::OK)
    {
        return ConnectFailed(portlab::Errno::AGAIN);
    }
    m_cachedRoute = nullptr;
    m_cachedRoute6 = nullptr;
    portlab::Errno why = portlab::Errno::OK;
    Ptr<Ipv6Route> route = Route6(dst, why);
    if (!route)
    {
        return ConnectFailed(why);
    }
    m_udp->GetPortSpace()->RefreshAddresses();
    const portlab::Errno e = table.Connect6(m_id,
                                            LinuxPortSpace::ToPortlab6(route->GetSource()),
                                            LinuxPortSpace::ToPortlab6(dst),
                                            dport);
    if (e != portlab::Errno::OK)
    {
        return ConnectFailed(e);
    }
    m_peerIs6 = true;
    m_peerAddress6 = dst;
    m_peerPort = dport;
    m_cachedRoute6 = route;
    return ConnectSucceeded();
}

int
LinuxUdpSocket::Listen()
{
    NS_LOG_FUNCTION(this);
    return Fail(portlab::Errno::OPNOTSUPP);
}

int
LinuxUdpSocket::Close()
{
    NS_LOG_FUNCTION(this);
    if (CheckClosed())
    {
        return -1;
    }
    Ptr<LinuxUdpSocket> self(this); // the protocol may hold the last reference
    m_closed = true;
    m_shutdownSend = true;
    m_connected = false;
    m_rxQueue.clear();
    m_rxAvailable = 0;
    m_udp->ReleaseSocket(m_id);
    m_id = portlab::INVALID_ID;
    return 0;
}

int
LinuxUdpSocket::ShutdownSend()
{
    return Shutdown(false, true);
}

int
LinuxUdpSocket::ShutdownRecv()
{
    return Shutdown(true, false);
}

int
LinuxUdpSocket::Shutdown(bool rd, bool wr)
{
    NS_LOG_FUNCTION(this << rd << wr);
    if (CheckClosed())
    {
        return -1;
    }
    // inet_shutdown(): "case TCP_CLOSE: err = -ENOTCONN; fallthrough; default:
    // sk->sk_shutdown |= how": the bits are set on an unconnected socket too, which gets
    // ENOTCONN. SEND_SHUTDOWN makes every later send EPIPE (sock_alloc_send_pskb());
    // RCV_SHUTDOWN only stops a blocking recv() from waiting (and ns-3's Recv() never waits):
    // datagrams are still queued and read, udp_queue_rcv_skb() does not look at it.
    m_shutdownSend = m_shutdownSend || wr;
    return m_connected ? 0 : Fail(portlab::Errno::NOTCONN);
}

int
LinuxUdpSocket::GetSockName(Address& address) const
{
    NS_LOG_FUNCTION(this);
    if (m_closed || !m_udp)
    {
        address = InetSocketAddress(Ipv4Address::GetAny(), 0);
        return Fail(portlab::Errno::BADF, ERROR_BADF);
    }
    address = LocalAddress();
    return 0;
}

Address
LinuxUdpSocket::LocalAddress() const
{
    const portlab::UdpPortTable& table = m_udp->Table();
    const portlab::FourTuple& t = table.GetTuple(m_id);
    if (!m_inet6)
    {
        return InetSocketAddress(LinuxPortSpace::ToNs3(t.localAddr), t.localPort);
    }
    // inet6_getname(): sk_v6_rcv_saddr; a v4-mapped one shows its IPv4 address mapped.
    const portlab::RcvSaddr r = table.LocalRcvSaddr(m_id);
    Ipv6Address a = Ipv6Address::GetAny();
    if (r.v6 == portlab::V6_MAPPED)
    {
        a = Ipv6Address::MakeIpv4MappedAddress(LinuxPortSpace::ToNs3(r.v4));
    }
    else if (r.v6 >= portlab::V6_FIRST_OTHER)
    {
        a = LinuxPortSpace::ToNs3(table.Local6(m_id));
    }
    return Inet6SocketAddress(a, t.localPort);
}

int
LinuxUdpSocket::GetPeerName(Address& address) const
{
    NS_LOG_FUNCTION(this);
    if (!m_connected)
    {
        return Fail(portlab::Errno::NOTCONN);
    }
    if (m_inet6)
    {
        address = Inet6SocketAddress(m_peerIs6 ? m_peerAddress6
                                               : Ipv6Address::MakeIpv4MappedAddress(m_peerAddress),
                                     m_peerPort);
        return 0;
    }
    InetSocketAddress inet(m_peerAddress, m_peerPort);
    inet.SetTos(GetIpTos());
    address = inet;
    return 0;
}

// --- send ----------------------------------------------------------------------------------

Ptr<Ipv4Route>
LinuxUdpSocket::Route(Ipv4Address dst, Ipv4Address src, portlab::Errno& why) const
{
    why = portlab::Errno::NETUNREACH;
    Ptr<Ipv4> ipv4 = m_node->GetObject<Ipv4>();
    if (dst.IsBroadcast())
    {
        // ip_route_output_key_hash_rcu(): limited broadcast leaves through the bound device,
        // or the device owning the bound source address, without a route lookup.
        int32_t interface = -1;
        if (m_boundDev != 0)
        {
            interface = static_cast<int32_t>(m_boundDev - 1);
        }
        else if (src != Ipv4Address::GetAny())
        {
            interface = ipv4->GetInterfaceForAddress(src);
        }
        if (interface >= 0)
        {
            Ptr<Ipv4Route> route = Create<Ipv4Route>();
            route->SetDestination(dst);
            route->SetGateway(Ipv4Address::GetZero());
            route->SetOutputDevice(ipv4->GetNetDevice(static_cast<uint32_t>(interface)));
            Ipv4Address source = src;
            if (source == Ipv4Address::GetAny() &&
                ipv4->GetNAddresses(static_cast<uint32_t>(interface)) > 0)
            {
                source = ipv4->GetAddress(static_cast<uint32_t>(interface), 0).GetLocal();
            }
            route->SetSource(source);
            return route;
        }
    }
    Socket::SocketErrno err;
    Ptr<Ipv4Route> route = LinuxRouteOutput(ipv4, dst, src, m_boundDev, err);
    if (!route && err == Socket::ERROR_INVAL)
    {
        why = portlab::Errno::INVAL;
    }
    return route;
}

bool
LinuxUdpSocket::IsBroadcast(Ipv4Address dst, Ptr<Ipv4Route> route) const
{
    return LinuxIsBroadcastRoute(m_node->GetObject<Ipv4>(), route ? route->GetDestination() : dst);
}

int
LinuxUdpSocket::Send(Ptr<Packet> p, uint32_t flags)
{
    NS_LOG_FUNCTION(this << p << flags);
    if (CheckClosed() || !SendPrepare())
    {
        return -1;
    }
    if (!m_connected)
    {
        return Fail(portlab::Errno::DESTADDRREQ); // udp_sendmsg(): no address, not connected
    }
    // udp_sendmsg(), connected: the cached route with inet->cork.fl's destination; without
    // one, a lookup for the peer, which is then cached. After a connect() whose route failed,
    // the second send() goes to that connect()'s address on the old route: on Linux a local
    // route delivers it here, to no socket (UdpNoPorts); here, as ip_forward is 0, it is
    // dropped: only that counter differs.
    if (m_peerIs6)
    {
        return DoSendTo6(p, m_peerAddress6, m_peerPort, m_cachedRoute6, true);
    }
    if (m_cachedRoute)
    {
        return DoSendTo(p, m_corkAddress, m_corkPort, 0, m_cachedRoute, true);
    }
    return DoSendTo(p, m_peerAddress, m_peerPort, 0, nullptr, true);
}

int
LinuxUdpSocket::SendTo(Ptr<Packet> p, uint32_t flags, const Address& address)
{
    NS_LOG_FUNCTION(this << p << flags << address);
    if (CheckClosed())
    {
        return -1;
    }
    if (Inet6SocketAddress::IsMatchingType(address) && !m_ipv6Inert)
    {
        if (EnsureInet6(address) != 0)
        {
            return m_udp->HasIpv6() ? -1 : Fail(portlab::Errno::AFNOSUPPORT, ERROR_AFNOSUPPORT);
        }
        if (!SendPrepare())
        {
            return -1;
        }
        Inet6SocketAddress a6 = Inet6SocketAddress::ConvertFrom(address);
        if (!a6.GetIpv6().IsIpv4MappedAddress())
        {
            return DoSendTo6(p, a6.GetIpv6(), a6.GetPort());
        }
        if (GetIpv6Only())
        {
            return Fail(portlab::Errno::NETUNREACH); // udpv6_sendmsg(): v4-mapped, v6-only
        }
        return DoSendTo(p, a6.GetIpv6().GetIpv4MappedAddress(), a6.GetPort(), 0);
    }
    if (!SendPrepare())
    {
        return -1;
    }
    if (!InetSocketAddress::IsMatchingType(address))
    {
        return Fail(portlab::Errno::INVAL, ERROR_AFNOSUPPORT);
    }
    InetSocketAddress transport = InetSocketAddress::ConvertFrom(address);
    if (m_inet6 && GetIpv6Only())
    {
        return Fail(portlab::Errno::NETUNREACH); // udpv6_sendmsg(): AF_INET on v6-only
    }
    return DoSendTo(p, transport.GetIpv4(), transport.GetPort(), transport.GetTos());
}

bool
LinuxUdpSocket::SendPrepare()
{
    // inet_sendmsg() -> inet_send_prepare(): an unbound socket gets an ephemeral port before
    // udp_sendmsg() looks at anything, so even a send() that fails with EDESTADDRREQ binds.
    if (!m_ipv6Inert && m_udp->Table().Autobind(m_id) != portlab::Errno::OK)
    {
        Fail(portlab::Errno::AGAIN);
        return false;
    }
    return true;
}

int
LinuxUdpSocket::DoSendTo(Ptr<Packet> p,
                         Ipv4Address dst,
                         uint16_t dport,
                         uint8_t tos,
                         Ptr<Ipv4Route> cached,
                         bool connected)
{
    NS_LOG_FUNCTION(this << p << dst << dport << +tos);
    if (m_ipv6Inert)
    {
        return Fail(portlab::Errno::INVAL, ERROR_AFNOSUPPORT);
    }
    portlab::UdpPortTable& table = m_udp->Table();
    if (p->GetSize() > MAX_IPV4_UDP_PAYLOAD_BYTES)
    {
        return Fail(portlab::Errno::INVAL, ERROR_MSGSIZE);
    }
    if (dport == 0)
    {
        return Fail(portlab::Errno::INVAL);
    }
    const portlab::FourTuple& tuple = table.GetTuple(m_id);
    const uint16_t sport = tuple.localPort;
    portlab::Errno why = portlab::Errno::OK;
    Ptr<Ipv4Route> route = cached;
    if (!route)
    {
        route = Route(dst, LinuxPortSpace::ToNs3(tuple.localAddr), why);
        if (!route)
        {
            return Fail(why);
        }
        if (connected)
        {
            m_cachedRoute = route; // "if (connected) sk_dst_set(sk, dst_clone(&rt->dst))"
        }
    }
    if (IsBroadcast(dst, route) && !m_allowBroadcast)
    {
        return Fail(portlab::Errno::ACCES);
    }
    // sock_alloc_send_pskb(): a pending ICMP error first, then SHUT_WR.
    if (ReportPendingError())
    {
        return -1;
    }
    if (m_shutdownSend)
    {
        return Fail(portlab::Errno::PIPE);
    }

    if (tos == 0)
    {
        tos = GetIpTos();
    }
    uint8_t priority = GetPriority();
    if (tos != 0)
    {
        SocketIpTosTag tosTag;
        tosTag.SetTos(tos);
        p->ReplacePacketTag(tosTag);
        priority = IpTos2Priority(tos);
    }
    if (priority != 0)
    {
        SocketPriorityTag priorityTag;
        priorityTag.SetPriority(priority);
        p->ReplacePacketTag(priorityTag);
    }
    if (m_ipMulticastTtl != 0 && dst.IsMulticast())
    {
        SocketIpTtlTag ttlTag;
        ttlTag.SetTtl(m_ipMulticastTtl);
        p->ReplacePacketTag(ttlTag);
    }
    else if (IsManualIpTtl() && GetIpTtl() != 0 && !dst.IsMulticast() && !dst.IsBroadcast())
    {
        SocketIpTtlTag ttlTag;
        ttlTag.SetTtl(GetIpTtl());
        p->ReplacePacketTag(ttlTag);
    }
    SocketSetDontFragmentTag dfTag;
    if (!p->PeekPacketTag(dfTag))
    {
        if (m_mtuDiscover)
        {
            dfTag.Enable();
        }
        else
        {
            dfTag.Disable();
        }
        p->AddPacketTag(dfTag);
    }

    const uint32_t size = p->GetSize();
    // The destination is the flow's: a cached route's own may be another (see Connect()).
    m_udp->Send(p->Copy(),
                route->GetSource(),
                cached ? dst : route->GetDestination(),
                sport,
                dport,
                route);
    m_udp->GetPortSpace()->Count(LinuxMib::UDP_OUT_DATAGRAMS); // udp_send_skb()
    NotifyDataSent(size);
    NotifySend(GetTxAvailable());
    return static_cast<int>(size);
}

Ptr<Ipv6Route>
LinuxUdpSocket::Route6(Ipv6Address dst, portlab::Errno& why) const
{
    why = portlab::Errno::NETUNREACH;
    Ptr<Ipv6> ipv6 = m_node->GetObject<Ipv6>();
    Ipv6Header header;
    header.SetDestination(dst);
    const Address local = LocalAddress();
    const Ipv6Address bound = Inet6SocketAddress::ConvertFrom(local).GetIpv6();
    if (!bound.IsAny() && !bound.IsIpv4MappedAddress())
    {
        header.SetSource(bound);
    }
    Socket::SocketErrno err = ERROR_NOTERROR;
    Ptr<Ipv6Route> route =
        ipv6->GetRoutingProtocol()->RouteOutput(Create<Packet>(), header, m_boundnetdevice, err);
    if (route && !bound.IsAny() && !bound.IsIpv4MappedAddress())
    {
        route->SetSource(bound); // the bound address is the source (ip6_datagram_flow_key_init)
    }
    return route;
}

int
LinuxUdpSocket::DoSendTo6(Ptr<Packet> p,
                          Ipv6Address dst,
                          uint16_t dport,
                          Ptr<Ipv6Route> cached,
                          bool connected)
{
    NS_LOG_FUNCTION(this << p << dst << dport);
    portlab::UdpPortTable& table = m_udp->Table();
    if (table.LocalRcvSaddr(m_id).v6 == portlab::V6_MAPPED)
    {
        return Fail(portlab::Errno::AFNOSUPPORT); // bound to IPv4 in disguise
    }
    if (p->GetSize() > MAX_IPV6_UDP_PAYLOAD_BYTES)
    {
        return Fail(portlab::Errno::INVAL, ERROR_MSGSIZE);
    }
    if (dport == 0)
    {
        return Fail(portlab::Errno::INVAL);
    }
    portlab::Errno why = portlab::Errno::OK;
    Ptr<Ipv6Route> route = cached;
    if (!route)
    {
        route = Route6(dst, why);
        if (!route)
        {
            return Fail(why);
        }
        if (connected)
        {
            m_cachedRoute6 = route;
        }
    }
    if (ReportPendingError())
    {
        return -1;
    }
    if (m_shutdownSend)
    {
        return Fail(portlab::Errno::PIPE);
    }
    const uint8_t priority = GetPriority();
    if (priority != 0)
    {
        SocketPriorityTag priorityTag;
        priorityTag.SetPriority(priority);
        p->ReplacePacketTag(priorityTag);
    }
    const uint32_t size = p->GetSize();
    m_udp->Send6(p->Copy(), route->GetSource(), dst, table.GetTuple(m_id).localPort, dport, route);
    m_udp->GetPortSpace()->Count(LinuxMib::UDP_OUT_DATAGRAMS);
    NotifyDataSent(size);
    NotifySend(GetTxAvailable());
    return static_cast<int>(size);
}

uint32_t
LinuxUdpSocket::GetTxAvailable() const
{
    // No send buffer is modelled; one datagram can carry this much.
    return MAX_IPV4_UDP_PAYLOAD_BYTES;
}

// --- receive -------------------------------------------------------------------------------

void
LinuxUdpSocket::ForwardUp(Ptr<Packet> packet,
                          const Ipv4Header& header,
                          uint16_t sport,
                          Ptr<Ipv4Interface> incomingInterface)
{
    NS_LOG_FUNCTION(this << packet << header << sport);
    if (m_closed)
    {
        return;
    }
    if (IsRecvPktInfo())
    {
        Ipv4PacketInfoTag tag;
        packet->RemovePacketTag(tag);
        tag.SetAddress(header.GetDestination());
        tag.SetTtl(header.GetTtl());
        tag.SetRecvIf(incomingInterface->GetDevice()->GetIfIndex());
        packet->AddPacketTag(tag);
    }
    if (IsIpRecvTos())
    {
        SocketIpTosTag tosTag;
        tosTag.SetTos(header.GetTos());
        packet->ReplacePacketTag(tosTag);
    }
    if (IsIpRecvTtl())
    {
        SocketIpTtlTag ttlTag;
        ttlTag.SetTtl(header.GetTtl());
        packet->ReplacePacketTag(ttlTag);
    }
    SocketPriorityTag priorityTag;
    packet->RemovePacketTag(priorityTag);
    // udpv6_recvmsg() shows an IPv4 sender to an AF_INET6 socket as ::ffff:a.b.c.d.
    Enqueue(packet,
            m_inet6
                ? Address(Inet6SocketAddress(Ipv6Address::MakeIpv4MappedAddress(header.GetSource()),
                                             sport))
                : Address(InetSocketAddress(header.GetSource(), sport)));
}

void
LinuxUdpSocket::ForwardUp6(Ptr<Packet> packet,
                           const Ipv6Header& header,
                           uint16_t sport,
                           Ptr<Ipv6Interface> incomingInterface)
{
    NS_LOG_FUNCTION(this << packet << sport);
    if (m_closed)
    {
        return;
    }
    SocketPriorityTag priorityTag;
    packet->RemovePacketTag(priorityTag);
    Enqueue(packet, Inet6SocketAddress(header.GetSource(), sport));
}

void
LinuxUdpSocket::Enqueue(Ptr<Packet> packet, const Address& from)
{
    // __udp_enqueue_schedule_skb(): a datagram that does not fit is dropped unless the queue
    // is empty.
    const uint32_t size = packet->GetSize();
    if (!m_rxQueue.empty() && static_cast<uint64_t>(m_rxAvailable) + size > m_rcvBufSize)
    {
        NS_LOG_LOGIC(this << " receive buffer full (" << m_rxAvailable << " of " << m_rcvBufSize
                          << " bytes): drop");
        m_dropTrace(packet);
        return;
    }
    m_rxQueue.emplace_back(packet, from);
    m_rxAvailable += size;
    m_rxTrace(packet, from);
    NotifyDataRecv();
}

uint32_t
LinuxUdpSocket::GetRxAvailable() const
{
    return m_rxAvailable;
}

Ptr<Packet>
LinuxUdpSocket::Recv(uint32_t maxSize, uint32_t flags)
{
    NS_LOG_FUNCTION(this << maxSize << flags);
    Address from;
    return RecvFrom(maxSize, flags, from);
}

Ptr<Packet>
LinuxUdpSocket::RecvFrom(uint32_t maxSize, uint32_t flags, Address& fromAddress)
{
    NS_LOG_FUNCTION(this << maxSize << flags);
    if (CheckClosed())
    {
        return nullptr;
    }
    // __skb_recv_udp(): a pending error is reported before any queued datagram.
    if (ReportPendingError())
    {
        return nullptr;
    }
    if (m_rxQueue.empty())
    {
        Fail(portlab::Errno::AGAIN);
        return nullptr;
    }
    Ptr<Packet> p = m_rxQueue.front().first;
    fromAddress = m_rxQueue.front().second;
    m_rxQueue.pop_front();
    m_rxAvailable -= p->GetSize();
    m_udp->GetPortSpace()->Count(LinuxMib::UDP_IN_DATAGRAMS); // udp_recvmsg(): read, not arrived
    if (p->GetSize() > maxSize)
    {
        p = p->CreateFragment(0, maxSize); // MSG_TRUNC: the rest of the datagram is lost
    }
    return p;
}

} // namespace ns3
