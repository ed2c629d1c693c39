/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "link/lean-point-to-point-channel.h"

#include "link/lean-point-to-point-net-device.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/simulator.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LeanPointToPointChannel");

NS_OBJECT_ENSURE_REGISTERED(LeanPointToPointChannel);

TypeId
LeanPointToPointChannel::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LeanPointToPointChannel")
            .SetParent<Channel>()
            .SetGroupName("Portlab")
            .AddConstructor<LeanPointToPointChannel>()
            .AddAttribute("Delay",
                          "Propagation delay through the channel (at least 0)",
                          TimeValue(Seconds(0)),
                          MakeTimeAccessor(&LeanPointToPointChannel::m_delay),
                          MakeTimeChecker(Seconds(0)))
            .AddTraceSource("TxRxPointToPoint",
                            "A frame put on the wire (frame, source device, destination "
                            "device, transmission time, arrival time of its last bit)",
                            MakeTraceSourceAccessor(&LeanPointToPointChannel::m_txrxTrace),
                            "ns3::LeanPointToPointChannel::TxRxAnimationCallback");
    return tid;
}

LeanPointToPointChannel::LeanPointToPointChannel()
{
    NS_LOG_FUNCTION(this);
}

LeanPointToPointChannel::~LeanPointToPointChannel()
{
    NS_LOG_FUNCTION(this);
}

void
LeanPointToPointChannel::DoDispose()
{
    m_ends = {};
    m_nDevices = 0;
    Channel::DoDispose();
}

void
LeanPointToPointChannel::Attach(Ptr<LeanPointToPointNetDevice> device)
{
    NS_LOG_FUNCTION(this << device);
    NS_ABORT_MSG_IF(m_nDevices >= 2, "LeanPointToPointChannel: only two devices may attach");
    m_ends[m_nDevices++] = device;
}

void
LeanPointToPointChannel::TransmitStart(Ptr<const Packet> p,
                                       LeanPointToPointNetDevice* src,
                                       Time txTime)
{
    NS_ASSERT_MSG(m_nDevices == 2, "LeanPointToPointChannel: a frame needs two attached ends");
    Ptr<LeanPointToPointNetDevice> dst = m_ends[m_ends[0] == src ? 1 : 0];
    Time arrival = txTime + m_delay;
    Simulator::ScheduleWithContext(dst->GetNode()->GetId(),
                                   arrival,
                                   &LeanPointToPointNetDevice::Receive,
                                   dst,
                                   p->Copy());
    if (!m_txrxTrace.IsEmpty())
    {
        m_txrxTrace(p, Ptr<NetDevice>(src), dst, txTime, arrival);
    }
}

Ptr<LeanPointToPointNetDevice>
LeanPointToPointChannel::GetPeer(const LeanPointToPointNetDevice* device) const
{
    if (m_nDevices < 2)
    {
        return nullptr;
    }
    return m_ends[0] == device ? m_ends[1] : m_ends[0];
}

std::size_t
LeanPointToPointChannel::GetNDevices() const
{
    return m_nDevices;
}

Ptr<NetDevice>
LeanPointToPointChannel::GetDevice(std::size_t i) const
{
    return i < m_nDevices ? Ptr<NetDevice>(m_ends[i]) : nullptr;
}

} // namespace ns3
