/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-udp-l4-protocol.h"

#include "ipv4/linux-route.h"
#include "transport/linux-port-space.h"
#include "transport/linux-udp-socket-factory.h"
#include "transport/linux-udp-socket.h"

#include "ns3/abort.h"
#include "ns3/icmpv4.h"
#include "ns3/ipv4-interface.h"
#include "ns3/ipv4-route.h"
#include "ns3/ipv4.h"
#include "ns3/ipv6-header.h"
#include "ns3/ipv6-interface.h"
#include "ns3/ipv6-route.h"
#include "ns3/ipv6.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/object-map.h"
#include "ns3/packet.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/udp-header.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxUdpL4Protocol");
NS_OBJECT_ENSURE_REGISTERED(LinuxUdpL4Protocol);

const uint8_t LinuxUdpL4Protocol::PROT_NUMBER = 17;

namespace
{
/**
 * \brief Removes the UDP header from \p packet and checks its checksum over the pseudo-header
 * of \p header (udp4_csum_init()/udp6_csum_init() and udp_lib_checksum_complete() in
 * __udp4_lib_rcv() and __udp6_lib_rcv()): one prologue for both address families.
 * \tparam IpHeader Ipv4Header or Ipv6Header
 * \param packet the datagram, its UDP header first; the header is removed
 * \param header the IP header it came with
 * \param udpHeader set to the removed header
 * \return false if the checksum is bad (the datagram is then dropped)
 */
template <typename IpHeader>
bool
UdpLibChecksumComplete(Ptr<Packet> packet, const IpHeader& header, UdpHeader& udpHeader)
{
    if (Node::ChecksumEnabled())
    {
        udpHeader.EnableChecksums();
    }
    udpHeader.InitializeChecksum(header.GetSource(),
                                 header.GetDestination(),
                                 LinuxUdpL4Protocol::PROT_NUMBER);
    packet->RemoveHeader(udpHeader);
    if (!udpHeader.IsChecksumOk())
    {
        NS_LOG_INFO("bad UDP checksum: dropped");
        return false;
    }
    return true;
}

/**
 * \brief The errno Linux's __udp4_lib_err() stores in a connected socket's sk_err (no
 * IP_RECVERR): only "hard" errors of icmp_err_convert[] count; the others (and those
 * portlab::Errno cannot name: ENOPROTOOPT, EHOSTDOWN, ENONET, EPROTO) give OK.
 * \param type ICMP type
 * \param code ICMP code
 * \return the error, or OK when the socket is not told
 */
portlab::Errno
HardIcmpError(uint8_t type, uint8_t code)
{
    using portlab::Errno;
    if (type != Icmpv4Header::ICMPV4_DEST_UNREACH)
    {
        return Errno::OK; // time exceeded, source quench: soft; redirect: route only
    }
    switch (code)
    {
    case Icmpv4DestinationUnreachable::ICMPV4_PORT_UNREACHABLE:
        return Errno::CONNREFUSED;
    case 6: // ICMP_NET_UNKNOWN
    case 9: // ICMP_NET_ANO
        return Errno::NETUNREACH;
    case 10: // ICMP_HOST_ANO
    case 13: // ICMP_PKT_FILTERED
    case 14: // ICMP_PREC_VIOLATION
    case 15: // ICMP_PREC_CUTOFF
        return Errno::HOSTUNREACH;
    default:
        return Errno::OK;
    }
}

/**
 * \brief The errno __udp6_lib_err() stores in a connected socket's sk_err (icmpv6_err_convert
 * without IPV6_RECVERR): destination unreachable is a hard error (no route ENETUNREACH,
 * administratively prohibited, policy and reject route EACCES, beyond scope and address
 * unreachable EHOSTUNREACH, port unreachable ECONNREFUSED); the soft ones (time exceeded,
 * packet too big) and parameter problems (EPROTO, which portlab::Errno cannot name) give OK.
 * \param type ICMPv6 type
 * \param code ICMPv6 code
 * \return the errno, or OK when the socket is not told
 */
portlab::Errno
HardIcmpv6Error(uint8_t type, uint8_t code)
{
    using portlab::Errno;
    if (type != 1) // ICMPV6_DEST_UNREACH
    {
        return Errno::OK;
    }
    switch (code)
    {
    case 0: // ICMPV6_NOROUTE
        return Errno::NETUNREACH;
    case 1: // ICMPV6_ADM_PROHIBITED
    case 5: // ICMPV6_POLICY_FAIL
    case 6: // ICMPV6_REJECT_ROUTE
        return Errno::ACCES;
    case 2: // ICMPV6_NOT_NEIGHBOUR (beyond scope)
    case 3: // ICMPV6_ADDR_UNREACH
        return Errno::HOSTUNREACH;
    case 4: // ICMPV6_PORT_UNREACH
        return Errno::CONNREFUSED;
    default:
        return Errno::OK;
    }
}
} // namespace

size_t
LinuxUdpL4Protocol::TupleHash::operator()(const portlab::FourTuple& t) const
{
    return static_cast<size_t>(
        portlab::Mix64((static_cast<uint64_t>(t.localAddr) << 32 | t.remoteAddr) ^
                       portlab::Mix64(static_cast<uint64_t>(t.localPort) << 16 | t.remotePort)));
}

TypeId
LinuxUdpL4Protocol::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LinuxUdpL4Protocol")
            .SetParent<IpL4Protocol>()
            .SetGroupName("Portlab")
            .AddConstructor<LinuxUdpL4Protocol>()
            .AddAttribute("SocketList",
                          "The open UDP sockets, indexed by their handle in the node's UDP port "
                          "table (e.g. /NodeList/0/$ns3::LinuxUdpL4Protocol/SocketList/*/Rx)",
                          ObjectMapValue(),
                          MakeObjectMapAccessor(&LinuxUdpL4Protocol::m_sockets),
                          MakeObjectMapChecker<LinuxUdpSocket>())
            .AddTraceSource("NoPort",
                            "A unicast datagram no socket wanted (Linux's UDP NoPorts; an ICMP "
                            "port unreachable follows)",
                            MakeTraceSourceAccessor(&LinuxUdpL4Protocol::m_noPortTrace),
                            "ns3::LinuxUdpL4Protocol::NoPortTracedCallback")
            .AddTraceSource("IgnoredMulti",
                            "A broadcast or multicast datagram no socket wanted, dropped "
                            "silently (Linux's UDP IgnoredMulti)",
                            MakeTraceSourceAccessor(&LinuxUdpL4Protocol::m_ignoredMultiTrace),
                            "ns3::LinuxUdpL4Protocol::NoPortTracedCallback")
            .AddTraceSource("Deliver",
                            "A datagram was handed to a socket (once per receiving socket)",
                            MakeTraceSourceAccessor(&LinuxUdpL4Protocol::m_deliverTrace),
                            "ns3::LinuxUdpL4Protocol::DeliverTracedCallback");
    return tid;
}

LinuxUdpL4Protocol::LinuxUdpL4Protocol()
{
    NS_LOG_FUNCTION(this);
}

LinuxUdpL4Protocol::~LinuxUdpL4Protocol()
{
    NS_LOG_FUNCTION(this);
}

void
LinuxUdpL4Protocol::NotifyNewAggregate()
{
    NS_LOG_FUNCTION(this);
    Ptr<Node> node = GetObject<Node>();
    Ptr<Ipv4> ipv4 = GetObject<Ipv4>();
    if (!m_ports)
    {
        m_ports = GetObject<LinuxPortSpace>();
    }
    if (!m_node && node && ipv4)
    {
        m_node = node;
        m_ipv4 = ipv4;
        Ptr<LinuxUdpSocketFactory> factory = CreateObject<LinuxUdpSocketFactory>();
        factory->SetUdp(this);
        node->AggregateObject(factory); // re-enters this method with m_node set
    }
    if (ipv4 && m_downTarget.IsNull())
    {
        ipv4->Insert(this);
        SetDownTarget(MakeCallback(&Ipv4::Send, ipv4));
    }
    Ptr<Ipv6> ipv6 = GetObject<Ipv6>();
    if (ipv6 && m_downTarget6.IsNull())
    {
        m_ipv6 = ipv6;
        ipv6->Insert(this);
        SetDownTarget6(MakeCallback(&Ipv6::Send, ipv6));
    }
    IpL4Protocol::NotifyNewAggregate();
}

void
LinuxUdpL4Protocol::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_sockets.clear();
    m_connected.clear();
    m_connectedTuple.clear();
    m_node = nullptr;
    m_ipv4 = nullptr;
    m_ipv6 = nullptr;
    m_ports = nullptr;
    m_downTarget.Nullify();
    m_downTarget6.Nullify();
    IpL4Protocol::DoDispose();
}

int
LinuxUdpL4Protocol::GetProtocolNumber() const
{
    return PROT_NUMBER;
}

portlab::UdpPortTable&
LinuxUdpL4Protocol::Table()
{
    NS_ABORT_MSG_IF(!m_ports,
                    "LinuxUdpL4Protocol: the node has no LinuxPortSpace (install the stack "
                    "with LinuxStackHelper, or aggregate a LinuxPortSpace first)");
    return m_ports->Host().Udp();
}

Ptr<LinuxPortSpace>
LinuxUdpL4Protocol::GetPortSpace() const
{
    return m_ports;
}

Ptr<Node>
LinuxUdpL4Protocol::GetNode() const
{
    return m_node;
}

size_t
LinuxUdpL4Protocol::GetNSockets() const
{
    return m_sockets.size();
}

Ptr<Socket>
LinuxUdpL4Protocol::CreateSocket()
{
    NS_LOG_FUNCTION(this);
    NS_ABORT_MSG_IF(!m_node,
                    "LinuxUdpL4Protocol::CreateSocket: not aggregated to a node with "
                    "an Ipv4 (or already disposed)");
    Ptr<LinuxUdpSocket> socket = CreateObject<LinuxUdpSocket>();
    portlab::SocketId id = Table().Open();
    socket->Attach(m_node, this, id);
    m_sockets[id] = socket;
    return socket;
}

portlab::SocketId
LinuxUdpL4Protocol::ReopenInet6(portlab::SocketId id)
{
    NS_LOG_FUNCTION(this << id);
    Ptr<LinuxUdpSocket> socket = Find(id);
    NS_ABORT_MSG_IF(!socket, "LinuxUdpL4Protocol::ReopenInet6: no socket " << id);
    UnindexConnected(id);
    Table().Close(id);
    m_sockets.erase(id);
    portlab::SocketId id6 = Table().OpenInet6();
    m_sockets[id6] = socket;
    return id6;
}

bool
LinuxUdpL4Protocol::HasIpv6() const
{
    return !m_downTarget6.IsNull();
}

Ptr<LinuxUdpSocket>
LinuxUdpL4Protocol::Find(portlab::SocketId id) const
{
    auto it = m_sockets.find(id);
    return it == m_sockets.end() ? nullptr : it->second;
}

void
LinuxUdpL4Protocol::ReleaseSocket(portlab::SocketId id)
{
    NS_LOG_FUNCTION(this << id);
    UnindexConnected(id);
    if (m_ports && m_sockets.count(id) != 0)
    {
        Table().Close(id);
    }
    m_sockets.erase(id);
}

void
LinuxUdpL4Protocol::IndexConnected(portlab::SocketId id)
{
    NS_LOG_FUNCTION(this << id);
    UnindexConnected(id);
    const portlab::FourTuple& t = Table().GetTuple(id);
    m_connected[t].push_back(id);
    m_connectedTuple[id] = t;
}

void
LinuxUdpL4Protocol::UnindexConnected(portlab::SocketId id)
{
    auto it = m_connectedTuple.find(id);
    if (it == m_connectedTuple.end())
    {
        return;
    }
    auto c = m_connected.find(it->second);
    if (c != m_connected.end())
    {
        auto& ids = c->second;
        ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
        if (ids.empty())
        {
            m_connected.erase(c);
        }
    }
    m_connectedTuple.erase(it);
}

bool
LinuxUdpL4Protocol::IsBroadcastOrMulticast(Ipv4Address dst, Ptr<Ipv4Interface> interface) const
{
    if (dst.IsBroadcast() || dst.IsMulticast())
    {
        return true;
    }
    for (uint32_t i = 0; i < interface->GetNAddresses(); ++i)
    {
        Ipv4InterfaceAddress a = interface->GetAddress(i);
        if (dst.IsSubnetDirectedBroadcast(a.GetMask()) &&
            dst.CombineMask(a.GetMask()) == a.GetLocal().CombineMask(a.GetMask()))
        {
            return true;
        }
    }
    return false;
}

IpL4Protocol::RxStatus
LinuxUdpL4Protocol::Receive(Ptr<Packet> packet,
                            const Ipv4Header& header,
                            Ptr<Ipv4Interface> incomingInterface)
{
    NS_LOG_FUNCTION(this << packet << header << incomingInterface);
    UdpHeader udpHeader;
    if (!UdpLibChecksumComplete(packet, header, udpHeader))
    {
        return IpL4Protocol::RX_CSUM_FAILED;
    }

    const Ipv4Address src = header.GetSource();
    const Ipv4Address dst = header.GetDestination();
    const uint16_t sport = udpHeader.GetSourcePort();
    const uint16_t dport = udpHeader.GetDestinationPort();
    const int32_t interface = m_ipv4->GetInterfaceForDevice(incomingInterface->GetDevice());
    const uint32_t ifindex = interface >= 0 ? IfIndexOf(static_cast<uint32_t>(interface)) : 0;
    portlab::UdpPortTable& table = Table();

    if (IsBroadcastOrMulticast(dst, incomingInterface))
    {
        // __udp4_lib_mcast_deliver(): every matching socket gets a copy.
        std::vector<portlab::SocketId> ids = table.DeliverAll(LinuxPortSpace::ToPortlab(dst),
                                                              dport,
                                                              LinuxPortSpace::ToPortlab(src),
                                                              sport,
                                                              ifindex);
        if (ids.empty())
        {
            NS_LOG_LOGIC("broadcast/multicast " << dst << ":" << dport << " with no socket");
            m_ignoredMultiTrace(src, sport, dst, dport);
            return IpL4Protocol::RX_OK; // dropped silently, no ICMP
        }
        for (portlab::SocketId id : ids)
        {
            Ptr<LinuxUdpSocket> socket = Find(id);
            if (socket)
            {
                m_deliverTrace(src, sport, dst, dport, id);
                socket->ForwardUp(packet->Copy(), header, sport, incomingInterface);
            }
        }
        return IpL4Protocol::RX_OK;
    }

    portlab::SocketId id = table.Deliver(LinuxPortSpace::ToPortlab(dst),
                                         dport,
                                         LinuxPortSpace::ToPortlab(src),
                                         sport,
                                         ifindex);
    if (id == portlab::INVALID_ID)
    {
        NS_LOG_LOGIC("no socket for " << dst << ":" << dport << " from " << src << ":" << sport);
        m_ports->Count(LinuxMib::UDP_NO_PORTS); // __udp4_lib_rcv()
        m_noPortTrace(src, sport, dst, dport);
        // Ipv4L3Protocol::LocalDeliver() answers RX_ENDPOINT_UNREACH with the ICMP port
        // unreachable, quoting its copy of the datagram taken before the UDP header was removed.
        return IpL4Protocol::RX_ENDPOINT_UNREACH;
    }
    Ptr<LinuxUdpSocket> socket = Find(id);
    if (!socket)
    {
        NS_LOG_WARN("table socket " << id << " has no LinuxUdpSocket: datagram discarded");
        return IpL4Protocol::RX_OK;
    }
    m_deliverTrace(src, sport, dst, dport, id);
    socket->ForwardUp(packet, header, sport, incomingInterface);
    return IpL4Protocol::RX_OK;
}

IpL4Protocol::RxStatus
LinuxUdpL4Protocol::Receive(Ptr<Packet> packet,
                            const Ipv6Header& header,
                            Ptr<Ipv6Interface> incomingInterface)
{
    NS_LOG_FUNCTION(this << packet << header << incomingInterface);
    UdpHeader udpHeader;
    if (!UdpLibChecksumComplete(packet, header, udpHeader))
    {
        return IpL4Protocol::RX_CSUM_FAILED;
    }
    const Ipv6Address src = header.GetSource();
    const Ipv6Address dst = header.GetDestination();
    const uint16_t sport = udpHeader.GetSourcePort();
    const uint16_t dport = udpHeader.GetDestinationPort();
    const int32_t interface = m_ipv6->GetInterfaceForDevice(incomingInterface->GetDevice());
    const uint32_t ifindex = interface >= 0 ? static_cast<uint32_t>(interface) + 1 : 0;
    // __udp6_lib_rcv() -> __udp6_lib_lookup(): IPv6 multicast delivery is not modelled.
    portlab::SocketId id = Table().Deliver6(LinuxPortSpace::ToPortlab6(dst),
                                            dport,
                                            LinuxPortSpace::ToPortlab6(src),
                                            sport,
                                            ifindex);
    if (id == portlab::INVALID_ID)
    {
        NS_LOG_LOGIC("no socket for [" << dst << "]:" << dport << " from [" << src
                                       << "]:" << sport);
        m_ports->Count(LinuxMib::UDP_NO_PORTS);
        // Ipv6L3Protocol::LocalDeliver() answers with the ICMPv6 port unreachable
        // (icmpv6_send(ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH) in __udp6_lib_rcv()).
        return dst.IsMulticast() ? IpL4Protocol::RX_OK : IpL4Protocol::RX_ENDPOINT_UNREACH;
    }
    Ptr<LinuxUdpSocket> socket = Find(id);
    if (!socket)
    {
        NS_LOG_WARN("table socket " << id << " has no LinuxUdpSocket: datagram discarded");
        return IpL4Protocol::RX_OK;
    }
    socket->ForwardUp6(packet, header, sport, incomingInterface);
    return IpL4Protocol::RX_OK;
}

void
LinuxUdpL4Protocol::ReceiveIcmp(Ipv4Address icmpSource,
                                uint8_t icmpTtl,
                                uint8_t icmpType,
                                uint8_t icmpCode,
                                uint32_t icmpInfo,
                                Ipv4Address payloadSource,
                                Ipv4Address payloadDestination,
                                const uint8_t payload[8])
{
    NS_LOG_FUNCTION(this << icmpSource << +icmpTtl << +icmpType << +icmpCode << icmpInfo
                         << payloadSource << payloadDestination);
    // The quoted datagram is one this node sent: its UDP header names our port first.
    const uint16_t sport = static_cast<uint16_t>(payload[0] << 8 | payload[1]);
    const uint16_t dport = static_cast<uint16_t>(payload[2] << 8 | payload[3]);
    const portlab::Errno e = HardIcmpError(icmpType, icmpCode);
    if (e == portlab::Errno::OK)
    {
        NS_LOG_LOGIC("ICMP type " << +icmpType << " code " << +icmpCode
                                  << " is not reported to UDP sockets");
        return;
    }
    portlab::FourTuple t;
    t.localAddr = LinuxPortSpace::ToPortlab(payloadSource);
    t.localPort = sport;
    t.remoteAddr = LinuxPortSpace::ToPortlab(payloadDestination);
    t.remotePort = dport;
    auto it = m_connected.find(t);
    if (it == m_connected.end() || it->second.empty())
    {
        NS_LOG_LOGIC("no connected socket " << payloadSource << ":" << sport << " -> "
                                            << payloadDestination << ":" << dport);
        return;
    }
    // Linux's hash4 chain has the most recently connected socket first.
    Ptr<LinuxUdpSocket> socket = Find(it->second.back());
    if (socket)
    {
        socket->SetPendingError(e);
    }
}

void
LinuxUdpL4Protocol::ReceiveIcmp(Ipv6Address icmpSource,
                                uint8_t icmpTtl,
                                uint8_t icmpType,
                                uint8_t icmpCode,
                                uint32_t icmpInfo,
                                Ipv6Address payloadSource,
                                Ipv6Address payloadDestination,
                                const uint8_t payload[8])
{
    NS_LOG_FUNCTION(this << icmpSource << +icmpTtl << +icmpType << +icmpCode << icmpInfo
                         << payloadSource << payloadDestination);
    // __udp6_lib_err(): the socket the quoted datagram came from; only a connected one
    // (its peer is the quoted destination) is told of a hard error.
    const uint16_t sport = static_cast<uint16_t>(payload[0] << 8 | payload[1]);
    const uint16_t dport = static_cast<uint16_t>(payload[2] << 8 | payload[3]);
    const portlab::Errno e = HardIcmpv6Error(icmpType, icmpCode);
    if (e == portlab::Errno::OK)
    {
        return;
    }
    const portlab::Ipv6 local = LinuxPortSpace::ToPortlab6(payloadSource);
    const portlab::Ipv6 remote = LinuxPortSpace::ToPortlab6(payloadDestination);
    portlab::UdpPortTable& table = Table();
    Ptr<LinuxUdpSocket> target;
    for (const auto& [id, socket] : m_sockets)
    {
        const portlab::FourTuple& t = table.GetTuple(id);
        const portlab::Ipv6* peer = table.Peer6(id);
        if (peer && *peer == remote && t.localPort == sport && t.remotePort == dport &&
            table.Local6(id) == local && (!target || id > target->GetSocketId()))
        {
            target = socket; // the most recently opened, as the head of Linux's hash chain
        }
    }
    if (target)
    {
        target->SetPendingError(e);
    }
}

void
LinuxUdpL4Protocol::Send(Ptr<Packet> packet,
                         Ipv4Address saddr,
                         Ipv4Address daddr,
                         uint16_t sport,
                         uint16_t dport,
                         Ptr<Ipv4Route> route)
{
    NS_LOG_FUNCTION(this << packet << saddr << daddr << sport << dport << route);
    UdpHeader udpHeader;
    if (Node::ChecksumEnabled())
    {
        udpHeader.EnableChecksums();
        udpHeader.InitializeChecksum(saddr, daddr, PROT_NUMBER);
    }
    udpHeader.SetSourcePort(sport);
    udpHeader.SetDestinationPort(dport);
    packet->AddHeader(udpHeader);
    NS_ABORT_MSG_IF(m_downTarget.IsNull(), "LinuxUdpL4Protocol::Send: no Ipv4 down target");
    m_downTarget(packet, saddr, daddr, PROT_NUMBER, route);
}

void
LinuxUdpL4Protocol::Send6(Ptr<Packet> packet,
                          Ipv6Address saddr,
                          Ipv6Address daddr,
                          uint16_t sport,
                          uint16_t dport,
                          Ptr<Ipv6Route> route)
{
    NS_LOG_FUNCTION(this << packet << saddr << daddr << sport << dport << route);
    UdpHeader udpHeader;
    if (Node::ChecksumEnabled())
    {
        udpHeader.EnableChecksums();
        udpHeader.InitializeChecksum(saddr, daddr, PROT_NUMBER);
    }
    udpHeader.SetSourcePort(sport);
    udpHeader.SetDestinationPort(dport);
    packet->AddHeader(udpHeader);
    NS_ABORT_MSG_IF(m_downTarget6.IsNull(),
                    "LinuxUdpL4Protocol::Send6: no IPv6 (LinuxStackHelper::SetIpv6(true))");
    m_downTarget6(packet, saddr, daddr, PROT_NUMBER, route);
}

void
LinuxUdpL4Protocol::SetDownTarget(IpL4Protocol::DownTargetCallback cb)
{
    NS_LOG_FUNCTION(this);
    m_downTarget = cb;
}

void
LinuxUdpL4Protocol::SetDownTarget6(IpL4Protocol::DownTargetCallback6 cb)
{
    NS_LOG_FUNCTION(this);
    m_downTarget6 = cb;
}

IpL4Protocol::DownTargetCallback
LinuxUdpL4Protocol::GetDownTarget() const
{
    return m_downTarget;
}

IpL4Protocol::DownTargetCallback6
LinuxUdpL4Protocol::GetDownTarget6() const
{
    return m_downTarget6;
}

} // namespace ns3
