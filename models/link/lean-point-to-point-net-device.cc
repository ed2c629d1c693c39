/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "link/lean-point-to-point-net-device.h"

#include "link/lean-point-to-point-channel.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/pointer.h"
#include "ns3/ppp-header.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <stdexcept>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LeanPointToPointNetDevice");

NS_OBJECT_ENSURE_REGISTERED(LeanPointToPointNetDevice);

namespace
{
constexpr uint16_t PPP_IPV4 = 0x0021;   //!< PPP protocol number of IPv4
constexpr uint16_t PPP_IPV6 = 0x0057;   //!< PPP protocol number of IPv6
constexpr uint16_t ETHER_IPV4 = 0x0800; //!< EtherType of IPv4
constexpr uint16_t ETHER_IPV6 = 0x86DD; //!< EtherType of IPv6
} // namespace

TypeId
LeanPointToPointNetDevice::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LeanPointToPointNetDevice")
            .SetParent<NetDevice>()
            .SetGroupName("Portlab")
            .AddConstructor<LeanPointToPointNetDevice>()
            .AddAttribute("Mtu",
                          "The MAC-level Maximum Transmission Unit, in bytes (68 to 65535)",
                          UintegerValue(1500),
                          MakeUintegerAccessor(&LeanPointToPointNetDevice::SetMtu,
                                               &LeanPointToPointNetDevice::GetMtu),
                          MakeUintegerChecker<uint16_t>(68))
            .AddAttribute("Address",
                          "The MAC address of this device",
                          Mac48AddressValue(Mac48Address("ff:ff:ff:ff:ff:ff")),
                          MakeMac48AddressAccessor(&LeanPointToPointNetDevice::m_address),
                          MakeMac48AddressChecker())
            .AddAttribute("DataRate",
                          "The transmission rate (more than 0 bit/s)",
                          DataRateValue(DataRate("32768b/s")),
                          MakeDataRateAccessor(&LeanPointToPointNetDevice::SetDataRate,
                                               &LeanPointToPointNetDevice::GetDataRate),
                          MakeDataRateChecker())
            .AddAttribute("ReceiveErrorModel",
                          "The error model that decides which received frames are lost",
                          PointerValue(),
                          MakePointerAccessor(&LeanPointToPointNetDevice::m_receiveErrorModel),
                          MakePointerChecker<ErrorModel>())
            .AddAttribute("InterframeGap",
                          "The time to wait after each frame before the next (at least 0)",
                          TimeValue(Seconds(0)),
                          MakeTimeAccessor(&LeanPointToPointNetDevice::m_interframeGap),
                          MakeTimeChecker(Seconds(0)))
            .AddAttribute("TxQueueLimit",
                          "Frames the transmit queue holds while one is on the wire (1 to "
                          "10,000,000); a frame that finds it full is dropped (MacTxDrop). "
                          "100 as ns-3's DropTailQueue default",
                          UintegerValue(100),
                          MakeUintegerAccessor(&LeanPointToPointNetDevice::m_queueLimit),
                          MakeUintegerChecker<uint32_t>(1, 10000000))
            .AddTraceSource("MacTx",
                            "A frame from the upper layer, PPP header added, before queueing",
                            MakeTraceSourceAccessor(&LeanPointToPointNetDevice::m_macTxTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("MacTxDrop",
                            "A frame dropped before transmission (queue full or no link)",
                            MakeTraceSourceAccessor(&LeanPointToPointNetDevice::m_macTxDropTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource(
                "MacPromiscRx",
                "A frame received, passed to a promiscuous receiver",
                MakeTraceSourceAccessor(&LeanPointToPointNetDevice::m_macPromiscRxTrace),
                "ns3::Packet::TracedCallback")
            .AddTraceSource("MacRx",
                            "A frame received, passed up the stack",
                            MakeTraceSourceAccessor(&LeanPointToPointNetDevice::m_macRxTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("PhyTxBegin",
                            "A frame begins transmission",
                            MakeTraceSourceAccessor(&LeanPointToPointNetDevice::m_phyTxBeginTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("PhyTxEnd",
                            "A frame ends transmission",
                            MakeTraceSourceAccessor(&LeanPointToPointNetDevice::m_phyTxEndTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("PhyTxDrop",
                            "A frame dropped during transmission (never, on this device)",
                            MakeTraceSourceAccessor(&LeanPointToPointNetDevice::m_phyTxDropTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("PhyRxEnd",
                            "A frame received whole",
                            MakeTraceSourceAccessor(&LeanPointToPointNetDevice::m_phyRxEndTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("PhyRxDrop",
                            "A frame lost to the receive error model",
                            MakeTraceSourceAccessor(&LeanPointToPointNetDevice::m_phyRxDropTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("Sniffer",
                            "A frame sent or received (non-promiscuous capture)",
                            MakeTraceSourceAccessor(&LeanPointToPointNetDevice::m_snifferTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource(
                "PromiscSniffer",
                "A frame sent or received (promiscuous capture; pcap)",
                MakeTraceSourceAccessor(&LeanPointToPointNetDevice::m_promiscSnifferTrace),
                "ns3::Packet::TracedCallback");
    return tid;
}

LeanPointToPointNetDevice::LeanPointToPointNetDevice()
{
    NS_LOG_FUNCTION(this);
}

LeanPointToPointNetDevice::~LeanPointToPointNetDevice()
{
    NS_LOG_FUNCTION(this);
}

void
LeanPointToPointNetDevice::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_node = nullptr;
    m_channel = nullptr;
    m_receiveErrorModel = nullptr;
    m_currentPkt = nullptr;
    m_queue.clear();
    m_rxCallback =
        MakeNullCallback<bool, Ptr<NetDevice>, Ptr<const Packet>, uint16_t, const Address&>();
    m_promiscCallback = NetDevice::PromiscReceiveCallback();
    NetDevice::DoDispose();
}

void
LeanPointToPointNetDevice::SetDataRate(DataRate bps)
{
    m_bps = bps;
    m_txTimes.clear();
}

DataRate
LeanPointToPointNetDevice::GetDataRate() const
{
    return m_bps;
}

void
LeanPointToPointNetDevice::SetReceiveErrorModel(Ptr<ErrorModel> em)
{
    m_receiveErrorModel = em;
}

Time
LeanPointToPointNetDevice::TxTime(uint32_t bytes)
{
    if (bytes >= m_txTimes.size())
    {
        m_txTimes.resize(bytes + 1, NanoSeconds(-1)); // negative: not computed yet
    }
    if (m_txTimes[bytes].IsStrictlyNegative())
    {
        m_txTimes[bytes] = m_bps.CalculateBytesTxTime(bytes); // ns-3's own arithmetic
    }
    return m_txTimes[bytes];
}

bool
LeanPointToPointNetDevice::Attach(Ptr<LeanPointToPointChannel> ch)
{
    NS_LOG_FUNCTION(this << ch);
    m_channel = ch;
    m_channel->Attach(this);
    // Up once attached, as ns-3's PointToPointNetDevice.
    m_linkUp = true;
    m_linkChangeCallbacks();
    return true;
}

std::string
LeanPointToPointNetDevice::FlowRefusal() const
{
    if (!m_linkUp || !m_channel || m_channel->GetNDevices() != 2)
    {
        return "a device is not attached to a two-ended link";
    }
    if (m_receiveErrorModel)
    {
        return "a link has a receive error model (loss)";
    }
    if (!m_macTxTrace.IsEmpty() || !m_macRxTrace.IsEmpty() || !m_snifferTrace.IsEmpty() ||
        !m_promiscSnifferTrace.IsEmpty() || !m_phyTxBeginTrace.IsEmpty() ||
        !m_phyTxEndTrace.IsEmpty() || !m_phyRxEndTrace.IsEmpty() || !m_promiscCallback.IsNull())
    {
        return "a link's frames are traced (pcap, ascii or a frame trace sink)";
    }
    return "";
}

Time
LeanPointToPointNetDevice::SendFlowFrame(uint32_t ipBytes, std::string& refusal)
{
    const Time now = Simulator::Now();
    if (m_busy || !m_queue.empty())
    {
        refusal = "a packet (UDP, ICMP) and flow segments would share a link's wire";
        return Time(-1);
    }
    while (!m_flowStarts.empty() && m_flowStarts.front() < now)
    {
        m_flowStarts.pop_front();
    }
    // As Send: a frame that finds TxQueueLimit frames waiting is dropped. Frames starting
    // exactly now are still counted, so a tie is refused rather than guessed.
    if (m_flowStarts.size() >= m_queueLimit)
    {
        refusal = "a link's transmit queue would reach its limit (TxQueueLimit " +
                  std::to_string(m_queueLimit) + " frames) and drop";
        return Time(-1);
    }
    const Time start = std::max(now, m_flowBusyUntil);
    if (start > now)
    {
        m_flowStarts.push_back(start);
    }
    const Time txTime = TxTime(ipBytes + 2); // the PPP header
    m_flowBusyUntil = start + txTime + m_interframeGap;
    return (start - now) + txTime + m_channel->GetDelay();
}

namespace
{
/// LatchFlowRefusal()'s message ("" = none)
std::string g_flowRefusal;
} // namespace

void
LeanPointToPointNetDevice::LatchFlowRefusal(const std::string& message)
{
    if (g_flowRefusal.empty())
    {
        g_flowRefusal = message;
        Simulator::Stop();
    }
}

std::string
LeanPointToPointNetDevice::TakeFlowRefusal()
{
    std::string message;
    message.swap(g_flowRefusal);
    return message;
}

bool
LeanPointToPointNetDevice::Send(Ptr<Packet> packet, const Address& dest, uint16_t protocolNumber)
{
    if (m_flowBusyUntil.IsStrictlyPositive() && m_flowBusyUntil > Simulator::Now())
    {
        // The same words as SendFlowFrame's refusal, the other way round.
        LatchFlowRefusal("flow transport refused: a packet (UDP, ICMP) and flow segments would "
                         "share a link's wire; use transport = packet");
        return false;
    }
    NS_LOG_FUNCTION(this << packet << dest << protocolNumber);
    if (!m_linkUp)
    {
        m_macTxDropTrace(packet);
        return false;
    }
    PppHeader ppp;
    switch (protocolNumber)
    {
    case ETHER_IPV4:
        ppp.SetProtocol(PPP_IPV4);
        break;
    case ETHER_IPV6:
        ppp.SetProtocol(PPP_IPV6);
        break;
    default:
        NS_FATAL_ERROR("LeanPointToPointNetDevice::Send: protocol 0x"
                       << std::hex << protocolNumber
                       << " has no PPP number (IPv4 0x0800 and IPv6 0x86DD are carried)");
    }
    packet->AddHeader(ppp);
    m_macTxTrace(packet);
    // As ns-3's device: into the queue, and straight out again if the wire is idle.
    if (!m_busy)
    {
        m_snifferTrace(packet);
        m_promiscSnifferTrace(packet);
        TransmitStart(packet);
        return true;
    }
    if (m_queue.size() >= m_queueLimit)
    {
        m_macTxDropTrace(packet);
        return false;
    }
    m_queue.push_back(packet);
    return true;
}

bool
LeanPointToPointNetDevice::SendFrom(Ptr<Packet> /* packet */,
                                    const Address& /* source */,
                                    const Address& /* dest */,
                                    uint16_t /* protocolNumber */)
{
    return false; // as ns-3's PointToPointNetDevice: SupportsSendFrom() is false
}

void
LeanPointToPointNetDevice::TransmitStart(Ptr<Packet> p)
{
    NS_ASSERT_MSG(!m_busy, "LeanPointToPointNetDevice: the wire must be idle to transmit");
    m_busy = true;
    m_currentPkt = p;
    m_phyTxBeginTrace(p);
    Time txTime = TxTime(p->GetSize());
    // The same two events in the same order as ns-3's device and channel schedule them.
    Simulator::Schedule(txTime + m_interframeGap,
                        &LeanPointToPointNetDevice::TransmitComplete,
                        this);
    m_channel->TransmitStart(p, this, txTime);
}

void
LeanPointToPointNetDevice::TransmitComplete()
{
    NS_ASSERT_MSG(m_busy, "LeanPointToPointNetDevice: TransmitComplete while idle");
    m_busy = false;
    m_phyTxEndTrace(m_currentPkt);
    m_currentPkt = nullptr;
    if (m_queue.empty())
    {
        return;
    }
    Ptr<Packet> p = m_queue.front();
    m_queue.pop_front();
    m_snifferTrace(p);
    m_promiscSnifferTrace(p);
    TransmitStart(p);
}

void
LeanPointToPointNetDevice::Receive(Ptr<Packet> packet)
{
    if (m_receiveErrorModel && m_receiveErrorModel->IsCorrupt(packet))
    {
        m_phyRxDropTrace(packet);
        return;
    }
    m_snifferTrace(packet);
    m_promiscSnifferTrace(packet);
    m_phyRxEndTrace(packet);
    bool traced = !m_macRxTrace.IsEmpty() || !m_promiscCallback.IsNull();
    Ptr<Packet> original = traced ? packet->Copy() : nullptr; // trace sinks see whole frames
    PppHeader ppp;
    packet->RemoveHeader(ppp);
    uint16_t protocol = 0;
    switch (ppp.GetProtocol())
    {
    case PPP_IPV4:
        protocol = ETHER_IPV4;
        break;
    case PPP_IPV6:
        protocol = ETHER_IPV6;
        break;
    default:
        NS_FATAL_ERROR("LeanPointToPointNetDevice::Receive: PPP protocol 0x"
                       << std::hex << ppp.GetProtocol() << " is neither IPv4 nor IPv6");
    }
    if (m_remote.IsInvalid())
    {
        Ptr<LeanPointToPointNetDevice> peer = m_channel->GetPeer(this);
        m_remote = peer ? peer->GetAddress() : Address();
    }
    if (!m_promiscCallback.IsNull())
    {
        m_macPromiscRxTrace(original);
        m_promiscCallback(this, packet, protocol, m_remote, GetAddress(), NetDevice::PACKET_HOST);
    }
    if (original)
    {
        m_macRxTrace(original);
    }
    m_rxCallback(this, packet, protocol, m_remote);
}

void
LeanPointToPointNetDevice::SetIfIndex(const uint32_t index)
{
    m_ifIndex = index;
}

uint32_t
LeanPointToPointNetDevice::GetIfIndex() const
{
    return m_ifIndex;
}

Ptr<Channel>
LeanPointToPointNetDevice::GetChannel() const
{
    return m_channel;
}

void
LeanPointToPointNetDevice::SetAddress(Address address)
{
    m_address = Mac48Address::ConvertFrom(address);
}

Address
LeanPointToPointNetDevice::GetAddress() const
{
    return m_address;
}

bool
LeanPointToPointNetDevice::SetMtu(const uint16_t mtu)
{
    m_mtu = mtu;
    return true;
}

uint16_t
LeanPointToPointNetDevice::GetMtu() const
{
    return m_mtu;
}

bool
LeanPointToPointNetDevice::IsLinkUp() const
{
    return m_linkUp;
}

void
LeanPointToPointNetDevice::AddLinkChangeCallback(Callback<void> callback)
{
    m_linkChangeCallbacks.ConnectWithoutContext(callback);
}

bool
LeanPointToPointNetDevice::IsBroadcast() const
{
    return true;
}

Address
LeanPointToPointNetDevice::GetBroadcast() const
{
    return Mac48Address::GetBroadcast();
}

bool
LeanPointToPointNetDevice::IsMulticast() const
{
    return true;
}

Address
LeanPointToPointNetDevice::GetMulticast(Ipv4Address) const
{
    return Mac48Address("01:00:5e:00:00:00");
}

Address
LeanPointToPointNetDevice::GetMulticast(Ipv6Address) const
{
    return Mac48Address("33:33:00:00:00:00");
}

bool
LeanPointToPointNetDevice::IsPointToPoint() const
{
    return true;
}

bool
LeanPointToPointNetDevice::IsBridge() const
{
    return false;
}

Ptr<Node>
LeanPointToPointNetDevice::GetNode() const
{
    return m_node;
}

void
LeanPointToPointNetDevice::SetNode(Ptr<Node> node)
{
    m_node = node;
}

bool
LeanPointToPointNetDevice::NeedsArp() const
{
    return false;
}

void
LeanPointToPointNetDevice::SetReceiveCallback(NetDevice::ReceiveCallback cb)
{
    m_rxCallback = cb;
}

void
LeanPointToPointNetDevice::SetPromiscReceiveCallback(PromiscReceiveCallback cb)
{
    m_promiscCallback = cb;
}

bool
LeanPointToPointNetDevice::SupportsSendFrom() const
{
    return false;
}

} // namespace ns3
