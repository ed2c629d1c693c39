/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-tcp-l4-protocol.h"

#include "ipv4/linux-route.h"
#include "ports/tcp-time-wait-rules.h"
#include "transport/linux-tcp-socket-factory.h"
#include "transport/linux-tcp-socket.h"

#include "ns3/abort.h"
#include "ns3/enum.h"
#include "ns3/ipv4-interface.h"
#include "ns3/ipv4-route.h"
#include "ns3/ipv4.h"
#include "ns3/ipv6-header.h"
#include "ns3/ipv6-interface.h"
#include "ns3/ipv6-route.h"
#include "ns3/ipv6.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/trace-source-accessor.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxTcpL4Protocol");
NS_OBJECT_ENSURE_REGISTERED(LinuxTcpL4Protocol);

TcpEndpoints
TcpEndpoints::V4(Ipv4Address l, Ipv4Address r)
{
    TcpEndpoints e;
    e.local = l;
    e.remote = r;
    return e;
}

TcpEndpoints
TcpEndpoints::V6(Ipv6Address l, Ipv6Address r)
{
    TcpEndpoints e;
    e.local = Ipv4Address(portlab::LOOPBACK4_IPV6);
    e.remote = Ipv4Address(portlab::LOOPBACK4_IPV6);
    e.native6 = true;
    e.local6 = l;
    e.remote6 = r;
    return e;
}

namespace
{
/// \param a an IPv6 address \return its four 32-bit words mixed into one
Ipv4Address
Fold(const Ipv6Address& a)
{
    uint8_t b[16];
    a.GetBytes(b);
    uint64_t hi = 0;
    uint64_t lo = 0;
    for (int i = 0; i < 8; ++i)
    {
        hi = (hi << 8) | b[i];
        lo = (lo << 8) | b[8 + i];
    }
    return Ipv4Address(static_cast<uint32_t>(portlab::Mix64(hi ^ portlab::Mix64(lo))));
}
} // namespace

Ipv4Address
TcpEndpoints::HashLocal() const
{
    return native6 ? Fold(local6) : local;
}

Ipv4Address
TcpEndpoints::HashRemote() const
{
    return native6 ? Fold(remote6) : remote;
}

const uint8_t LinuxTcpL4Protocol::PROT_NUMBER = 6;

TypeId
LinuxTcpL4Protocol::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LinuxTcpL4Protocol")
            .SetParent<IpL4Protocol>()
            .SetGroupName("Portlab")
            .AddConstructor<LinuxTcpL4Protocol>()
            .AddAttribute(
                "Transport",
                "How segments travel: packet (ns3::Packets through IPv4 and the "
                "devices) or flow (no packets: each segment is one event at the time "
                "its link gives, with the same port decisions; refused, with the "
                "reason, where that would not be exact: loss, a full queue, traced "
                "frames, more than one link)",
                EnumValue(LINUX_TRANSPORT_PACKET),
                MakeEnumAccessor(&LinuxTcpL4Protocol::SetTransport,
                                 &LinuxTcpL4Protocol::GetTransport),
                MakeEnumChecker(LINUX_TRANSPORT_PACKET, "packet", LINUX_TRANSPORT_FLOW, "flow"))
            .AddTraceSource("RstSent",
                            "An RST left this node (header, local, remote)",
                            MakeTraceSourceAccessor(&LinuxTcpL4Protocol::m_rstSent),
                            "ns3::LinuxTcpL4Protocol::SegmentTracedCallback")
            .AddTraceSource("RstReceived",
                            "An RST arrived at this node (header, local, remote)",
                            MakeTraceSourceAccessor(&LinuxTcpL4Protocol::m_rstReceived),
                            "ns3::LinuxTcpL4Protocol::SegmentTracedCallback")
            .AddTraceSource("NoSocket",
                            "A segment matched no connection, TIME_WAIT or listener",
                            MakeTraceSourceAccessor(&LinuxTcpL4Protocol::m_noSocket),
                            "ns3::LinuxTcpL4Protocol::SegmentTracedCallback");
    return tid;
}

LinuxTcpL4Protocol::LinuxTcpL4Protocol()
    : m_rng(CreateObject<UniformRandomVariable>())
{
    NS_LOG_FUNCTION(this);
}

LinuxTcpL4Protocol::~LinuxTcpL4Protocol()
{
    NS_LOG_FUNCTION(this);
}

void
LinuxTcpL4Protocol::SetNode(Ptr<Node> node)
{
    m_node = node;
}

void
LinuxTcpL4Protocol::NotifyNewAggregate()
{
    NS_LOG_FUNCTION(this);
    Ptr<Node> node = GetObject<Node>();
    Ptr<Ipv4> ipv4 = GetObject<Ipv4>();
    if (!m_node && node && ipv4)
    {
        m_node = node;
        m_ports = GetObject<LinuxPortSpace>();
        NS_ABORT_MSG_IF(!m_ports, "LinuxTcpL4Protocol needs a LinuxPortSpace on the node");
        m_checksum = Node::ChecksumEnabled();
        Ptr<LinuxTcpSocketFactory> factory = CreateObject<LinuxTcpSocketFactory>();
        factory->SetTcp(this);
        node->AggregateObject(factory);
        ipv4->Insert(this);
        SetDownTarget(MakeCallback(&Ipv4::Send, ipv4));
    }
    Ptr<Ipv6> ipv6 = GetObject<Ipv6>();
    if (m_node && ipv6 && m_downTarget6.IsNull())
    {
        ipv6->Insert(this);
        SetDownTarget6(MakeCallback(&Ipv6::Send, ipv6));
    }
    IpL4Protocol::NotifyNewAggregate();
}

void
LinuxTcpL4Protocol::DoDispose()
{
    NS_LOG_FUNCTION(this);
    // Sockets and the protocol point at each other: dispose the sockets to break the cycles.
    std::vector<Ptr<LinuxTcpSocket>> sockets;
    sockets.swap(m_sockets);
    for (auto& s : sockets)
    {
        if (s)
        {
            s->Dispose();
        }
    }
    m_node = nullptr;
    m_ports = nullptr;
    m_prototype = nullptr;
    m_prototypeDefaults.clear();
    m_flowPaths.clear();
    m_emptyPayload = nullptr;
    m_downTarget.Nullify();
    m_downTarget6.Nullify(); // it holds the node's Ipv6L3Protocol, which holds this
    IpL4Protocol::DoDispose();
}

portlab::TcpPortTable&
LinuxTcpL4Protocol::Table()
{
    return m_ports->Host().Tcp();
}

namespace
{
/// \return the initial values of every LinuxTcpSocket attribute, its parents' included
std::vector<Ptr<const AttributeValue>>
SocketAttributeDefaults()
{
    std::vector<Ptr<const AttributeValue>> defaults;
    for (TypeId t = LinuxTcpSocket::GetTypeId(); t != Object::GetTypeId(); t = t.GetParent())
    {
        for (std::size_t i = 0; i < t.GetAttributeN(); ++i)
        {
            defaults.push_back(t.GetAttribute(i).initialValue);
        }
    }
    return defaults;
}
} // namespace

Ptr<Socket>
LinuxTcpL4Protocol::CreateSocket()
{
    NS_LOG_FUNCTION(this);
    if (!m_prototype || !PrototypeCurrent())
    {
        m_prototype = CreateObject<LinuxTcpSocket>();
        m_prototypeDefaults = SocketAttributeDefaults();
        BaselinePrototypeDefaults();
    }
    Ptr<LinuxTcpSocket> s = CopyObject<LinuxTcpSocket>(m_prototype);
    portlab::SocketId id = Table().Open();
    s->Setup(this, id);
    Register(id, s);
    return s;
}

void
LinuxTcpL4Protocol::BaselinePrototypeDefaults()
{
    m_prototypeRefCounts.clear();
    for (const Ptr<const AttributeValue>& v : m_prototypeDefaults)
    {
        m_prototypeRefCounts.push_back(v ? v->GetReferenceCount() : 0);
    }
}

bool
LinuxTcpL4Protocol::PrototypeCurrent()
{
    bool moved = false;
    for (std::size_t k = 0; k < m_prototypeDefaults.size() && !moved; ++k)
    {
        const Ptr<const AttributeValue>& v = m_prototypeDefaults[k];
        moved = (v ? v->GetReferenceCount() : 0) != m_prototypeRefCounts[k];
    }
    if (!moved)
    {
        return true;
    }
    if (SocketAttributeDefaults() != m_prototypeDefaults)
    {
        return false;
    }
    BaselinePrototypeDefaults(); // a reference taken or dropped elsewhere: nothing changed
    return true;
}

void
LinuxTcpL4Protocol::Register(portlab::SocketId id, Ptr<LinuxTcpSocket> s)
{
    if (id >= m_sockets.size())
    {
        m_sockets.resize(id + 1);
    }
    m_sockets[id] = s;
}

Ptr<LinuxTcpSocket>
LinuxTcpL4Protocol::Lookup(portlab::SocketId id) const
{
    return id < m_sockets.size() ? m_sockets[id] : nullptr;
}

uint32_t
LinuxTcpL4Protocol::Random32()
{
    return m_rng->GetInteger(0, UINT32_MAX);
}

uint32_t
LinuxTcpL4Protocol::TimestampOffset(Ipv4Address local,
                                    uint16_t localPort,
                                    Ipv4Address remote,
                                    uint16_t remotePort)
{
    const auto& sysctls = m_ports->Host().Sysctls();
    const auto key = static_cast<portlab::TsOffsetKey>(sysctls.tcpTsOffset);
    if (!m_tsSecretDrawn && portlab::TcpTsOffsetKeyed(sysctls.tcpTimestamps, key))
    {
        m_tsSecret = (static_cast<uint64_t>(Random32()) << 32) | Random32();
        m_tsSecretDrawn = true;
    }
    portlab::FourTuple t;
    t.localAddr = local.Get();
    t.localPort = localPort;
    t.remoteAddr = remote.Get();
    t.remotePort = remotePort;
    return portlab::SecureTcpTsOff(m_tsSecret, t, sysctls.tcpTimestamps, key);
}

uint32_t
LinuxTcpL4Protocol::InitialSequence(Ipv4Address local,
                                    uint16_t localPort,
                                    Ipv4Address remote,
                                    uint16_t remotePort)
{
    if (!m_isnSecretDrawn)
    {
        m_isnSecret = (static_cast<uint64_t>(Random32()) << 32) | Random32();
        m_isnSecretDrawn = true;
    }
    uint64_t addrs = (static_cast<uint64_t>(local.Get()) << 32) | remote.Get();
    uint64_t ports = (static_cast<uint64_t>(localPort) << 16) | remotePort;
    uint32_t hash =
        static_cast<uint32_t>(portlab::Mix64(portlab::Mix64(m_isnSecret ^ addrs) ^ ports));
    return hash + static_cast<uint32_t>(Simulator::Now().GetNanoSeconds() >> 6);
}

int64_t
LinuxTcpL4Protocol::AssignStreams(int64_t stream)
{
    m_rng->SetStream(stream);
    return 1;
}

uint32_t
LinuxTcpL4Protocol::TcpClockMs()
{
    return static_cast<uint32_t>(Simulator::Now().GetMilliSeconds());
}

int
LinuxTcpL4Protocol::GetProtocolNumber() const
{
    return PROT_NUMBER;
}

void
LinuxTcpL4Protocol::SendSegment(Ptr<Packet> payload,
                                const TcpHeader& header,
                                Ipv4Address src,
                                Ipv4Address dst,
                                Ptr<Ipv4Route> route)
{
    SendSegment(payload, LinuxTcpHeader(header), src, dst, route);
}

void
LinuxTcpL4Protocol::SendSegment(Ptr<Packet> payload,
                                LinuxTcpHeader header,
                                Ipv4Address src,
                                Ipv4Address dst,
                                Ptr<Ipv4Route> route)
{
    if (m_transport == LINUX_TRANSPORT_FLOW && (!payload || payload->GetSize() == 0))
    {
        // Receivers only ask an empty segment's size, so one empty packet serves them all.
        if (!m_emptyPayload)
        {
            m_emptyPayload = Create<Packet>();
        }
        SendFlow(m_emptyPayload, header, src, dst, route);
        return;
    }
    SendPacket(payload ? payload->Copy() : Create<Packet>(), header, src, dst, route);
}

void
LinuxTcpL4Protocol::SendPacket(Ptr<Packet> p,
                               LinuxTcpHeader header,
                               Ipv4Address src,
                               Ipv4Address dst,
                               Ptr<Ipv4Route> route)
{
    if (m_transport == LINUX_TRANSPORT_FLOW)
    {
        SendFlow(p, header, src, dst, route);
        return;
    }
    if (!route)
    {
        Socket::SocketErrno err;
        route = LinuxRouteOutput(m_node->GetObject<Ipv4>(), dst, src, 0, err);
        if (!route)
        {
            NS_LOG_LOGIC("no route to " << dst << ": segment dropped");
            return;
        }
    }
    if (m_checksum)
    {
        header.EnableChecksums();
        header.InitializeChecksum(src, dst, PROT_NUMBER);
    }
    CountSent(header, src, dst);
    p->AddHeader(header);
    m_downTarget(p, src, dst, PROT_NUMBER, route);
}

void
LinuxTcpL4Protocol::CountSent(const LinuxTcpHeader& header, Ipv4Address src, Ipv4Address dst)
{
    if (header.GetFlags() & TcpHeader::RST)
    {
        // tcp_v4_send_reset() and tcp_send_active_reset(): every RST is an OutRst.
        m_ports->Count(LinuxMib::TCP_OUT_RSTS);
        if (!m_rstSent.IsEmpty())
        {
            m_rstSent(header.ToTcpHeader(), src, dst);
        }
    }
}

void
LinuxTcpL4Protocol::SendFlow(Ptr<Packet> p,
                             const LinuxTcpHeader& header,
                             Ipv4Address src,
                             Ipv4Address dst,
                             Ptr<Ipv4Route> route)
{
    const uint64_t key = (static_cast<uint64_t>(src.Get()) << 32) | dst.Get();
    auto it = m_flowPaths.find(key);
    if (it == m_flowPaths.end())
    {
        bool found = false;
        LinuxFlowPath path;
        try
        {
            path = FindFlowPath(m_node, src, dst, route, found);
        }
        catch (const LinuxFlowRefusal& e)
        {
            // Not thrown through the event being run (LatchFlowRefusal()).
            LeanPointToPointNetDevice::LatchFlowRefusal(e.what());
            return;
        }
        if (!found)
        {
            NS_LOG_LOGIC("no route to " << dst << ": segment dropped");
            return; // as SendPacket: not kept, a route may appear
        }
        it = m_flowPaths.emplace(key, path).first;
    }
    const LinuxFlowPath& path = it->second;
    CountSent(header, src, dst);
    Time delay; // the loopback delivers after 0 s
    if (path.device)
    {
        std::string refusal;
        // The IPv4 header (20 bytes, no options) and the TCP header as serialised.
        delay = path.device->SendFlowFrame(20 + header.GetSerializedSize() + p->GetSize(), refusal);
        if (!refusal.empty())
        {
            LeanPointToPointNetDevice::LatchFlowRefusal(LinuxFlowRefusal(refusal).what());
            return;
        }
    }
    if (path.peer)
    {
        Simulator::ScheduleWithContext(path.peerNodeId,
                                       delay,
                                       &LinuxTcpL4Protocol::ReceiveFlowSegment,
                                       path.peer,
                                       header,
                                       p,
                                       src,
                                       dst,
                                       path.peerIfIndex);
    }
}

void
LinuxTcpL4Protocol::ReceiveFlowSegment(const LinuxTcpHeader& h,
                                       Ptr<Packet> payload,
                                       Ipv4Address src,
                                       Ipv4Address dst,
                                       uint32_t ifIndex)
{
    DeliverSegment(h, payload, dst, src, ifIndex);
}

void
LinuxTcpL4Protocol::SetTransport(LinuxTransport transport)
{
    m_transport = transport;
    m_flowPaths.clear();
}

LinuxTransport
LinuxTcpL4Protocol::GetTransport() const
{
    return m_transport;
}

bool
LinuxTcpL4Protocol::ResetFor(const LinuxTcpHeader& in, uint32_t payloadSize, LinuxTcpHeader& rst)
{
    if (in.GetFlags() & TcpHeader::RST)
    {
        return false; // never answer an RST
    }
    rst = LinuxTcpHeader();
    rst.SetSourcePort(in.GetDestinationPort());
    rst.SetDestinationPort(in.GetSourcePort());
    if (in.GetFlags() & TcpHeader::ACK)
    {
        rst.SetSequenceNumber(in.GetAckNumber());
        rst.SetFlags(TcpHeader::RST);
    }
    else
    {
        uint32_t len = payloadSize + ((in.GetFlags() & TcpHeader::SYN) ? 1 : 0) +
                       ((in.GetFlags() & TcpHeader::FIN) ? 1 : 0);
        rst.SetSequenceNumber(SequenceNumber32(0));
        rst.SetAckNumber(in.GetSequenceNumber() + SequenceNumber32(len));
        rst.SetFlags(TcpHeader::RST | TcpHeader::ACK);
    }
    rst.SetWindowSize(0);
    return true;
}

void
LinuxTcpL4Protocol::SendResetFor(const LinuxTcpHeader& in,
                                 uint32_t payloadSize,
                                 Ipv4Address local,
                                 Ipv4Address remote)
{
    LinuxTcpHeader rst;
    if (ResetFor(in, payloadSize, rst))
    {
        SendSegment(nullptr, rst, local, remote);
    }
}

void
LinuxTcpL4Protocol::SendPacket6(Ptr<Packet> p,
                                LinuxTcpHeader header,
                                Ipv6Address src,
                                Ipv6Address dst)
{
    if (header.GetFlags() & TcpHeader::RST)
    {
        m_ports->Count(LinuxMib::TCP_OUT_RSTS); // tcp_v6_send_reset(), tcp_send_active_reset()
    }
    p->AddHeader(header);
    NS_ABORT_MSG_IF(m_downTarget6.IsNull(),
                    "LinuxTcpL4Protocol: no IPv6 on the node (LinuxStackHelper::SetIpv6)");
    m_downTarget6(p, src, dst, PROT_NUMBER, nullptr); // Ipv6L3Protocol routes it
}

void
LinuxTcpL4Protocol::SendTo(Ptr<Packet> p,
                           const LinuxTcpHeader& header,
                           const TcpEndpoints& ends,
                           Ptr<Ipv4Route> route)
{
    if (ends.native6)
    {
        SendPacket6(p, header, ends.local6, ends.remote6);
    }
    else
    {
        SendPacket(p, header, ends.local, ends.remote, route);
    }
}

void
LinuxTcpL4Protocol::SendResetTo(const LinuxTcpHeader& in,
                                uint32_t payloadSize,
                                const TcpEndpoints& ends)
{
    LinuxTcpHeader rst;
    if (ResetFor(in, payloadSize, rst))
    {
        SendTo(Create<Packet>(), rst, ends);
    }
}

IpL4Protocol::RxStatus
LinuxTcpL4Protocol::Receive(Ptr<Packet> packet,
                            const Ipv4Header& ip,
                            Ptr<Ipv4Interface> incomingInterface)
{
    NS_LOG_FUNCTION(this << packet << ip << incomingInterface);
    LinuxTcpHeader h;
    if (m_checksum)
    {
        h.EnableChecksums();
        h.InitializeChecksum(ip.GetSource(), ip.GetDestination(), PROT_NUMBER);
    }
    packet->RemoveHeader(h);
    if (m_checksum && !h.IsChecksumOk())
    {
        return IpL4Protocol::RX_CSUM_FAILED;
    }
    Ptr<Ipv4> ipv4 = m_node->GetObject<Ipv4>();
    uint32_t ifIndex = IfIndexOf(
        static_cast<uint32_t>(ipv4->GetInterfaceForDevice(incomingInterface->GetDevice())));
    return DeliverSegment(h, packet, ip.GetDestination(), ip.GetSource(), ifIndex);
}

bool
LinuxTcpL4Protocol::DeliverToSocket(const portlab::TcpLookup& found,
                                    const LinuxTcpHeader& h,
                                    const Ptr<Packet>& packet,
                                    const TcpEndpoints& ends,
                                    uint32_t ifIndex)
{
    switch (found.kind)
    {
    case portlab::TcpLookup::CONNECTION: {
        Ptr<LinuxTcpSocket> s = Lookup(found.id);
        if (s)
        {
            s->ProcessSegment(h, packet, ends);
            return true;
        }
        break;
    }
    case portlab::TcpLookup::TIME_WAIT:
        ProcessTimeWait(found.id, h, packet, ends, ifIndex);
        return true;
    case portlab::TcpLookup::LISTENER: {
        Ptr<LinuxTcpSocket> s = Lookup(found.id);
        if (s)
        {
            s->ProcessListen(h, packet, ends);
            return true;
        }
        break;
    }
    case portlab::TcpLookup::NONE:
        break;
    }
    return false;
}

IpL4Protocol::RxStatus
LinuxTcpL4Protocol::DeliverSegment(const LinuxTcpHeader& h,
                                   const Ptr<Packet>& packet,
                                   Ipv4Address local,
                                   Ipv4Address remote,
                                   uint32_t ifIndex)
{
    if ((h.GetFlags() & TcpHeader::RST) && !m_rstReceived.IsEmpty())
    {
        m_rstReceived(h.ToTcpHeader(), local, remote);
    }
    portlab::TcpLookup found = Table().Lookup(local.Get(),
                                              h.GetDestinationPort(),
                                              remote.Get(),
                                              h.GetSourcePort(),
                                              ifIndex);
    if (DeliverToSocket(found, h, packet, TcpEndpoints::V4(local, remote), ifIndex))
    {
        return IpL4Protocol::RX_OK;
    }
    if (!m_noSocket.IsEmpty())
    {
        m_noSocket(h.ToTcpHeader(), local, remote);
    }
    SendResetFor(h, packet->GetSize(), local, remote);
    // Linux's tcp_v4_rcv answers a segment for no socket with the RST alone. RX_ENDPOINT_UNREACH
    // would make Ipv4L3Protocol send an ICMP port unreachable as well.
    return IpL4Protocol::RX_ENDPOINT_CLOSED;
}

bool
LinuxTcpL4Protocol::TimeWaitOowAckAllowed(const portlab::TimeWaitEntry& tw,
                                          const LinuxTcpHeader& h,
                                          uint32_t payloadSize)
{
    const uint8_t flags = h.GetFlags();
    const bool dataWithoutSyn =
        (payloadSize != 0 || (flags & TcpHeader::FIN)) && !(flags & TcpHeader::SYN);
    const auto key =
        std::make_pair((static_cast<uint64_t>(tw.tuple.localAddr) << 32) | tw.tuple.remoteAddr,
                       (static_cast<uint32_t>(tw.tuple.localPort) << 16) | tw.tuple.remotePort);
    const portlab::TimeNs now = LinuxPortSpace::Now();
    const int64_t ratelimitMs = m_ports->Host().Sysctls().tcpInvalidRatelimitMs;
    auto it = m_twLastOowAck.find(key);
    // A note left by an earlier TIME_WAIT of the 4-tuple does not count (tw_last_oow_ack_time
    // starts at 0 in each timewait sock).
    const bool sentBefore = it != m_twLastOowAck.end() && it->second.first == tw.entryStamp;
    if (portlab::TcpOowRateLimited(dataWithoutSyn,
                                   sentBefore,
                                   sentBefore ? it->second.second : 0,
                                   now,
                                   ratelimitMs))
    {
        return false;
    }
    if (!dataWithoutSyn)
    {
        m_twLastOowAck[key] = std::make_pair(tw.entryStamp, now);
        if (m_twLastOowAck.size() > 1024 && m_twLastOowAck.size() > 2 * Table().TimeWaitCount())
        {
            for (auto e = m_twLastOowAck.begin(); e != m_twLastOowAck.end();)
            {
                e = now - e->second.second >= ratelimitMs * portlab::NS_PER_MS
                        ? m_twLastOowAck.erase(e)
                        : std::next(e);
            }
        }
    }
    return true;
}

void
LinuxTcpL4Protocol::SendTimeWaitAck(const portlab::TimeWaitEntry& tw,
                                    uint32_t tsEcho,
                                    const TcpEndpoints& ends)
{
    LinuxTcpHeader ack;
    ack.SetSourcePort(tw.tuple.localPort);
    ack.SetDestinationPort(tw.tuple.remotePort);
    ack.SetSequenceNumber(SequenceNumber32(tw.sndNxt));
    ack.SetAckNumber(SequenceNumber32(tw.rcvNxt));
    ack.SetFlags(TcpHeader::ACK);
    ack.SetWindowSize(0);
    if (tw.flags & portlab::TW_TIMESTAMPS)
    {
        // tcp_tw_tsval(): the clock plus the connection's offset (tw_ts_offset), which
        // TimestampOffset() gives again from the 4-tuple.
        // (A native-IPv6 entry's tuple addresses are the placeholder and a slab index: its
        // segment's ends give the addresses.)
        const bool v6 = (tw.ext & portlab::TWX_NATIVE6) != 0;
        ack.SetTimestamp(
            TcpClockMs() +
                TimestampOffset(v6 ? ends.HashLocal() : LinuxPortSpace::ToNs3(tw.tuple.localAddr),
                                tw.tuple.localPort,
                                v6 ? ends.HashRemote() : LinuxPortSpace::ToNs3(tw.tuple.remoteAddr),
                                tw.tuple.remotePort),
            tsEcho);
    }
    if (tw.ext & portlab::TWX_NATIVE6)
    {
        SendPacket6(Create<Packet>(), ack, ends.local6, ends.remote6);
        return;
    }
    SendSegment(nullptr,
                ack,
                LinuxPortSpace::ToNs3(tw.tuple.localAddr),
                LinuxPortSpace::ToNs3(tw.tuple.remoteAddr));
}

void
LinuxTcpL4Protocol::ProcessTimeWait(portlab::TimeWaitId id,
                                    const LinuxTcpHeader& h,
                                    Ptr<Packet> payload,
                                    const TcpEndpoints& ends,
                                    uint32_t ifIndex)
{
    // tcp_timewait_state_process() (reference §4.4).
    const portlab::TimeWaitEntry tw = Table().GetTimeWait(id); // copy: the entry may go
    const uint8_t flags = h.GetFlags();
    const uint32_t seq = h.GetSequenceNumber().GetValue();
    uint32_t tsVal = 0;
    bool hasTs = h.HasTimestamp();
    if (hasTs)
    {
        tsVal = h.GetTsVal();
    }
    const bool twHasTs = (tw.flags & portlab::TW_TIMESTAMPS) != 0;
    const bool pawsReject = portlab::TcpTwPawsReject(hasTs, twHasTs, tsVal, tw.tsRecent);
    const portlab::TimeNs now = LinuxPortSpace::Now();

    if (tw.flags & portlab::TW_FIN_WAIT2)
    {
        ProcessFinWait2(id, h, payload, ends, pawsReject, tsVal);
        return;
    }
    if ((flags & TcpHeader::SYN) && !(flags & (TcpHeader::RST | TcpHeader::ACK)) &&
        portlab::TcpTwSynAccepted(seq, tw.rcvNxt, hasTs, twHasTs, tsVal, tw.tsRecent))
    {
        // A new SYN: if a listener exists the TIME_WAIT dies and the SYN reopens the
        // 4-tuple with ISN TcpTwIsn() (tw_snd_nxt + 65535 + 2).
        // The listener the SYN would reach (the reuseport choice hashes the real 4-tuple).
        portlab::TcpLookup l = ends.native6
                                   ? Table().FindListener6(LinuxPortSpace::ToPortlab6(ends.local6),
                                                           tw.tuple.localPort,
                                                           LinuxPortSpace::ToPortlab6(ends.remote6),
                                                           tw.tuple.remotePort,
                                                           ifIndex)
                                   : Table().FindListener(tw.tuple.localAddr,
                                                          tw.tuple.localPort,
                                                          tw.tuple.remoteAddr,
                                                          tw.tuple.remotePort,
                                                          ifIndex);
        Ptr<LinuxTcpSocket> listener = Lookup(l.id);
        if (l.kind == portlab::TcpLookup::LISTENER && listener)
        {
            const uint32_t isn = portlab::TcpTwIsn(tw.sndNxt);
            Table().KillTimeWait(id);
            listener->ProcessListen(h, payload, ends, isn);
            return;
        }
        SendTimeWaitAck(tw, tsVal, ends);
        return;
    }
    const bool inWindow = !pawsReject && seq == tw.rcvNxt;
    if (flags & TcpHeader::RST)
    {
        if (inWindow && m_ports->Host().Sysctls().tcpRfc1337 == 0)
        {
            Table().KillTimeWait(id); // TIME_WAIT assassination
        }
        return; // RFC 1337 on, or out of window: ignored
    }
    if (inWindow && (flags & TcpHeader::ACK) && !(flags & (TcpHeader::SYN | TcpHeader::FIN)) &&
        payload->GetSize() == 0)
    {
        Table().RescheduleTimeWait(id, now); // a bare in-window ACK restarts the timer
        m_ports->ArmTimeWaitTimer();
        return;
    }
    // Anything else (a retransmitted FIN above all): ACK it, restart the timer if it had an
    // ACK or was a PAWS reject.
    if (pawsReject || (flags & TcpHeader::ACK))
    {
        Table().RescheduleTimeWait(id, now);
        m_ports->ArmTimeWaitTimer();
    }
    if (TimeWaitOowAckAllowed(tw, h, payload->GetSize()))
    {
        SendTimeWaitAck(tw, tsVal, ends);
    }
}

void
LinuxTcpL4Protocol::ProcessFinWait2(portlab::TimeWaitId id,
                                    const LinuxTcpHeader& h,
                                    Ptr<Packet> payload,
                                    const TcpEndpoints& ends,
                                    bool pawsReject,
                                    uint32_t tsVal)
{
    // tcp_timewait_state_process() for the FIN_WAIT2 substate: "Just repeat all the checks of
    // tcp_rcv_state_process()".
    const portlab::TimeWaitEntry tw = Table().GetTimeWait(id);
    const uint8_t flags = h.GetFlags();
    const uint32_t seq = h.GetSequenceNumber().GetValue();
    const uint32_t end = seq + payload->GetSize() + ((flags & TcpHeader::SYN) ? 1 : 0) +
                         ((flags & TcpHeader::FIN) ? 1 : 0);
    auto before = [](uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; };
    // tcp_in_window(seq, end_seq, tw_rcv_nxt, tw_rcv_nxt + tw_rcv_wnd)
    const bool inWindow = !before(end, tw.rcvNxt) && before(seq, tw.rcvNxt + 65535u);
    auto resetAndKill = [&]() {
        // TCP_TW_RST: tcp_v4_send_reset(), and the timewait sock is descheduled.
        SendResetTo(h, payload->GetSize(), ends);
        Table().KillTimeWait(id);
    };
    if (pawsReject || !inWindow)
    {
        if (TimeWaitOowAckAllowed(tw, h, payload->GetSize()))
        {
            SendTimeWaitAck(tw, tsVal, ends); // out of window: an ACK, rate-limited
        }
        return;
    }
    if (flags & TcpHeader::RST)
    {
        Table().KillTimeWait(id);
        return;
    }
    if ((flags & TcpHeader::SYN) && !before(seq, tw.rcvNxt))
    {
        resetAndKill();
        return;
    }
    if (!(flags & TcpHeader::ACK) || !before(tw.rcvNxt, end) || end == seq)
    {
        return; // a duplicate ACK
    }
    if (!(flags & TcpHeader::FIN) || end != tw.rcvNxt + 1)
    {
        resetAndKill(); // new data after the half-duplex close
        return;
    }
    // The FIN: a true TIME_WAIT from now.
    const portlab::TimeNs now = LinuxPortSpace::Now();
    const portlab::TimeNs length = m_ports->Host().Sysctls().TimewaitLen();
    Table().FinWait2ToTimeWait(id,
                               end,
                               tsVal,
                               h.HasTimestamp(),
                               now,
                               m_ports->RoundTimer(now + length) - now);
    m_ports->ArmTimeWaitTimer();
    SendTimeWaitAck(Table().GetTimeWait(id), tsVal, ends);
}

IpL4Protocol::RxStatus
LinuxTcpL4Protocol::Receive(Ptr<Packet> packet,
                            const Ipv6Header& ip,
                            Ptr<Ipv6Interface> incomingInterface)
{
    NS_LOG_FUNCTION(this << packet);
    // tcp_v6_rcv() (checksums are not modelled over IPv6).
    LinuxTcpHeader h;
    packet->RemoveHeader(h);
    Ptr<Ipv6> ipv6 = m_node->GetObject<Ipv6>();
    const int32_t interface = ipv6->GetInterfaceForDevice(incomingInterface->GetDevice());
    const uint32_t ifIndex = interface >= 0 ? static_cast<uint32_t>(interface) + 1 : 0;
    const TcpEndpoints ends = TcpEndpoints::V6(ip.GetDestination(), ip.GetSource());
    portlab::TcpLookup found = Table().Lookup6(LinuxPortSpace::ToPortlab6(ends.local6),
                                               h.GetDestinationPort(),
                                               LinuxPortSpace::ToPortlab6(ends.remote6),
                                               h.GetSourcePort(),
                                               ifIndex);
    if (DeliverToSocket(found, h, packet, ends, ifIndex))
    {
        return IpL4Protocol::RX_OK;
    }
    // no_tcp_socket: tcp_v6_send_reset() alone (the NoSocket trace carries IPv4 addresses:
    // it does not fire for IPv6).
    SendResetTo(h, packet->GetSize(), ends);
    return IpL4Protocol::RX_ENDPOINT_CLOSED;
}

void
LinuxTcpL4Protocol::ReceiveIcmp(Ipv4Address,
                                uint8_t,
                                uint8_t,
                                uint8_t,
                                uint32_t,
                                Ipv4Address,
                                Ipv4Address,
                                const uint8_t[8])
{
    // Linux treats ICMP errors for TCP as soft errors (except during SYN_SENT); RST is what
    // the studies here depend on, so ICMP is ignored.
}

void
LinuxTcpL4Protocol::SetDownTarget(IpL4Protocol::DownTargetCallback cb)
{
    m_downTarget = cb;
}

void
LinuxTcpL4Protocol::SetDownTarget6(IpL4Protocol::DownTargetCallback6 cb)
{
    m_downTarget6 = cb;
}

IpL4Protocol::DownTargetCallback
LinuxTcpL4Protocol::GetDownTarget() const
{
    return m_downTarget;
}

IpL4Protocol::DownTargetCallback6
LinuxTcpL4Protocol::GetDownTarget6() const
{
    return m_downTarget6;
}

} // namespace ns3
