/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-nat-gateway.h"

#include "transport/linux-tcp-header.h"
#include "transport/stream-random-source.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/ipv4-routing-protocol.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/simulator.h"
#include "ns3/tcp-header.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/udp-header.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxNatGateway");

NS_OBJECT_ENSURE_REGISTERED(LinuxNatGateway);

namespace
{
/// The gc worker's first run after the table's first entry (conntrack_gc_work_init: HZ).
constexpr int64_t GC_FIRST_RUN_NS = portlab::NS_PER_SECOND;

/// \param t a tuple \return it as "tcp 10.1.0.2:4000>10.2.0.2:80" for logs
std::string
Text(const portlab::CtTuple& t)
{
    return std::string(t.proto == portlab::CT_PROTO_TCP ? "tcp " : "udp ") + t.ToString();
}

/**
 * \brief Read a datagram's tuple and TCP part.
 * \return false if it is neither TCP nor UDP or too short for its header
 */
bool
Parse(Ptr<const Packet> payload,
      Ipv4Address src,
      Ipv4Address dst,
      uint8_t proto,
      portlab::CtTuple& t,
      portlab::TcpSegment& seg)
{
    t.src = src.Get();
    t.dst = dst.Get();
    t.proto = proto;
    if (proto == portlab::CT_PROTO_TCP)
    {
        if (payload->GetSize() < 20)
        {
            return false;
        }
        LinuxTcpHeader h;
        payload->PeekHeader(h);
        t.sport = h.GetSourcePort();
        t.dport = h.GetDestinationPort();
        const uint8_t f = h.GetFlags();
        seg.syn = (f & TcpHeader::SYN) != 0;
        seg.ack = (f & TcpHeader::ACK) != 0;
        seg.fin = (f & TcpHeader::FIN) != 0;
        seg.rst = (f & TcpHeader::RST) != 0;
        seg.seq = h.GetSequenceNumber().GetValue();
        seg.ackSeq = h.GetAckNumber().GetValue();
        seg.payload = payload->GetSize() - h.GetSerializedSize();
        return true;
    }
    if (proto == portlab::CT_PROTO_UDP)
    {
        if (payload->GetSize() < 8)
        {
            return false;
        }
        UdpHeader h;
        payload->PeekHeader(h);
        t.sport = h.GetSourcePort();
        t.dport = h.GetDestinationPort();
        return true;
    }
    return false;
}

/// Rewrite a segment's or datagram's ports to \p out's, with checksums for its addresses.
void
RewritePorts(Ptr<Packet> payload, const portlab::CtTuple& out)
{
    const bool checksum = Node::ChecksumEnabled();
    const Ipv4Address src(out.src);
    const Ipv4Address dst(out.dst);
    if (out.proto == portlab::CT_PROTO_TCP)
    {
        LinuxTcpHeader h;
        payload->RemoveHeader(h);
        h.SetSourcePort(out.sport);
        h.SetDestinationPort(out.dport);
        if (checksum)
        {
            h.EnableChecksums();
            h.InitializeChecksum(src, dst, portlab::CT_PROTO_TCP);
        }
        payload->AddHeader(h);
        return;
    }
    UdpHeader h;
    payload->RemoveHeader(h);
    h.SetSourcePort(out.sport);
    h.SetDestinationPort(out.dport);
    if (checksum)
    {
        h.EnableChecksums();
        h.InitializeChecksum(src, dst, portlab::CT_PROTO_UDP);
    }
    payload->AddHeader(h);
}
} // namespace

TypeId
LinuxNatGateway::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LinuxNatGateway")
            .SetParent<Ipv4Netfilter>()
            .SetGroupName("Portlab")
            .AddConstructor<LinuxNatGateway>()
            .AddAttribute("HashSecret",
                          "The conntrack and NAT hash key (Linux draws it at boot); 0 draws it "
                          "from the gateway's random stream when the table is made.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&LinuxNatGateway::m_secret),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("GcWorker",
                          "Whether conntrack's gc worker runs (at the cadence it asks for, "
                          "while the table holds entries); false leaves expired entries until a "
                          "lookup or a dump passes them.",
                          BooleanValue(true),
                          MakeBooleanAccessor(&LinuxNatGateway::m_gcEnabled),
                          MakeBooleanChecker())
            .AddTraceSource("MappingCreated",
                            "A conntrack entry confirmed: its ORIGINAL and REPLY tuples (the "
                            "REPLY destination is the NAT address and port)",
                            MakeTraceSourceAccessor(&LinuxNatGateway::m_created),
                            "ns3::LinuxNatGateway::MappingCallback")
            .AddTraceSource("MappingDestroyed",
                            "A conntrack entry deleted (expired and reaped, evicted by a SYN "
                            "that took its tuple over, killed by a RST, reopened): its tuples",
                            MakeTraceSourceAccessor(&LinuxNatGateway::m_destroyed),
                            "ns3::LinuxNatGateway::MappingCallback")
            .AddTraceSource("InsertFailed",
                            "A new flow's first datagram dropped because NAT found no free "
                            "tuple (conntrack -S insert_failed and drop): its tuple",
                            MakeTraceSourceAccessor(&LinuxNatGateway::m_insertFailed),
                            "ns3::LinuxNatGateway::DropCallback")
            .AddTraceSource("TableFull",
                            "A new flow's first datagram dropped because nf_conntrack_max "
                            "entries exist and none could be early-dropped (conntrack -S "
                            "drop): its tuple",
                            MakeTraceSourceAccessor(&LinuxNatGateway::m_tableFull),
                            "ns3::LinuxNatGateway::DropCallback");
    return tid;
}

LinuxNatGateway::LinuxNatGateway()
    : m_rng(CreateObject<UniformRandomVariable>())
{
    NS_LOG_FUNCTION(this);
}

LinuxNatGateway::~LinuxNatGateway()
{
    NS_LOG_FUNCTION(this);
}

void
LinuxNatGateway::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_gcEvent.Cancel();
    m_ipv4 = nullptr;
    Ipv4Netfilter::DoDispose();
}

void
LinuxNatGateway::SetIpv4(Ptr<Ipv4> ipv4)
{
    m_ipv4 = ipv4;
}

void
LinuxNatGateway::AddRule(const LinuxNatRule& rule)
{
    NS_ABORT_MSG_IF(rule.protocol != 0 && rule.protocol != portlab::CT_PROTO_TCP &&
                        rule.protocol != portlab::CT_PROTO_UDP,
                    "NAT rule: protocol " << unsigned(rule.protocol)
                                          << " is not allowed (6 tcp, 17 udp, 0 both)");
    NS_ABORT_MSG_IF((rule.minPort == 0) != (rule.maxPort == 0) || rule.minPort > rule.maxPort,
                    "NAT rule: port range " << rule.minPort << "-" << rule.maxPort
                                            << " is not allowed (1-65535, first <= last, or "
                                               "0-0 for none)");
    NS_ABORT_MSG_IF(!rule.masquerade && (rule.minAddress.Get() == 0 ||
                                         rule.minAddress.Get() > rule.maxAddress.Get()),
                    "NAT rule: snat address range " << rule.minAddress << "-" << rule.maxAddress
                                                    << " is not allowed (first <= last, "
                                                       "not 0.0.0.0)");
    NS_ABORT_MSG_IF(rule.flags &
                        ~(portlab::NatRange::PROTO_RANDOM_ALL | portlab::NatRange::PERSISTENT),
                    "NAT rule: flags " << unsigned(rule.flags)
                                       << " are not allowed (random, fully-random, persistent)");
    m_rules.push_back(rule);
}

void
LinuxNatGateway::SetSysctl(const std::string& name, const std::string& value)
{
    if (m_table)
    {
        m_table->SetSysctl(name, value);
    }
    else
    {
        m_sysctls.Set(name, value);
    }
}

portlab::ConntrackTable&
LinuxNatGateway::Table()
{
    if (!m_table)
    {
        m_random = std::make_unique<StreamRandomSource>(m_rng);
        uint64_t secret = m_secret;
        if (secret == 0)
        {
            secret = (uint64_t(m_random->NextU32()) << 32) | m_random->NextU32();
        }
        m_table = std::make_unique<portlab::ConntrackTable>(m_sysctls, *m_random, secret);
        m_table->SetDestroyCallback([this](const portlab::ConntrackTable::EntryView& v) {
            NS_LOG_LOGIC("destroyed " << Text(v.original) << " reply " << v.reply.ToString());
            m_destroyed(v.original, v.reply);
        });
    }
    return *m_table;
}

const portlab::CtCounters&
LinuxNatGateway::Counters()
{
    return Table().Counters();
}

std::string
LinuxNatGateway::Snapshot()
{
    return Table().Snapshot(Simulator::Now().GetNanoSeconds());
}

size_t
LinuxNatGateway::Count()
{
    return Table().Count();
}

int64_t
LinuxNatGateway::AssignStreams(int64_t stream)
{
    m_rng->SetStream(stream);
    return 1;
}

bool
LinuxNatGateway::MatchRule(const portlab::CtTuple& t, int32_t oif, portlab::NatRange& range) const
{
    for (const LinuxNatRule& r : m_rules)
    {
        if ((r.outInterface >= 0 && r.outInterface != oif) ||
            (r.protocol != 0 && r.protocol != t.proto) ||
            !r.sourceMask.IsMatch(Ipv4Address(t.src), r.source))
        {
            continue;
        }
        if (r.masquerade)
        {
            // nf_nat_masquerade_ipv4: the address the output interface would give a new
            // connection (its primary address).
            if (oif < 0 || m_ipv4->GetNAddresses(oif) == 0)
            {
                return false;
            }
            range = portlab::NatRange::Masquerade(m_ipv4->GetAddress(oif, 0).GetLocal().Get(),
                                                  r.minPort,
                                                  r.maxPort,
                                                  r.flags);
        }
        else
        {
            range = portlab::NatRange::Snat(r.minAddress.Get(),
                                            r.maxAddress.Get(),
                                            r.minPort,
                                            r.maxPort,
                                            r.flags);
        }
        return true;
    }
    return false;
}

bool
LinuxNatGateway::Track(Ptr<Packet> payload,
                       Ipv4Address& src,
                       Ipv4Address& dst,
                       const portlab::CtTuple& t,
                       const portlab::TcpSegment& seg,
                       const portlab::NatRange* snat)
{
    using Verdict = portlab::ConntrackTable::Verdict;
    using Reason = portlab::ConntrackTable::DropReason;
    portlab::ConntrackTable& table = Table();
    const portlab::ConntrackTable::Result r =
        table.Forward(Simulator::Now().GetNanoSeconds(), t, seg, snat);
    if (r.verdict == Verdict::DROP)
    {
        NS_LOG_LOGIC(
            "drop " << Text(t)
                    << (r.reason == Reason::TABLE_FULL ? " (table full)" : " (insert failed)"));
        if (r.reason == Reason::TABLE_FULL)
        {
            m_tableFull(t);
        }
        else
        {
            m_insertFailed(t);
        }
        WakeGc();
        return false;
    }
    if (r.verdict == Verdict::UNTRACKED)
    {
        return true;
    }
    if (r.created)
    {
        const portlab::ConntrackTable::EntryView v = table.View(r.ref);
        NS_LOG_LOGIC("created " << Text(v.original) << " reply " << v.reply.ToString());
        m_created(v.original, v.reply);
        WakeGc();
    }
    if (r.out != t)
    {
        RewritePorts(payload, r.out);
        src = Ipv4Address(r.out.src);
        dst = Ipv4Address(r.out.dst);
    }
    return true;
}

bool
LinuxNatGateway::Received(Ptr<Packet> payload, Ipv4Header& ip, uint32_t iif)
{
    portlab::CtTuple t;
    portlab::TcpSegment seg;
    if (!Parse(payload, ip.GetSource(), ip.GetDestination(), ip.GetProtocol(), t, seg))
    {
        return true;
    }
    // POSTROUTING's rules apply to datagrams leaving through an interface: routing first
    // (for a new flow the destination is not translated before it, no DNAT rules here).
    portlab::NatRange range;
    const portlab::NatRange* snat = nullptr;
    if (!m_ipv4->IsDestinationAddress(ip.GetDestination(), iif))
    {
        Socket::SocketErrno err = Socket::ERROR_NOTERROR;
        Ptr<Ipv4Route> route = m_ipv4->GetRoutingProtocol()->RouteOutput(payload, ip, nullptr, err);
        if (!route)
        {
            // Routing drops it: Linux's entry, never confirmed, goes with the packet.
            return true;
        }
        if (MatchRule(t, m_ipv4->GetInterfaceForDevice(route->GetOutputDevice()), range))
        {
            snat = &range;
        }
    }
    Ipv4Address src = ip.GetSource();
    Ipv4Address dst = ip.GetDestination();
    if (!Track(payload, src, dst, t, seg, snat))
    {
        return false;
    }
    ip.SetSource(src);
    ip.SetDestination(dst);
    return true;
}

bool
LinuxNatGateway::LocalOut(Ptr<Packet> payload,
                          Ipv4Address& source,
                          Ipv4Address destination,
                          uint8_t protocol)
{
    portlab::CtTuple t;
    portlab::TcpSegment seg;
    if (!Parse(payload, source, destination, protocol, t, seg))
    {
        return true;
    }
    Ipv4Address dst = destination;
    return Track(payload, source, dst, t, seg, nullptr); // a null binding: dst stays
}

void
LinuxNatGateway::WakeGc()
{
    if (!m_gcEnabled || m_gcEvent.IsRunning() || !m_table || m_table->Count() == 0)
    {
        return;
    }
    const Time delay = m_gcDelay.IsZero() ? NanoSeconds(GC_FIRST_RUN_NS) : m_gcDelay;
    m_gcEvent = Simulator::Schedule(delay, &LinuxNatGateway::Gc, this);
}

void
LinuxNatGateway::Gc()
{
    m_gcDelay = NanoSeconds(m_table->GcWorker(Simulator::Now().GetNanoSeconds()));
    WakeGc();
}

} // namespace ns3
