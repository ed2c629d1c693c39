/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "link/point-to-point-link-builder.h"

#include "link/stream-numbers.h"

#include "ns3/error-model.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/pointer.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("PointToPointLinkBuilder");

NetDeviceContainer
PointToPointLinkBuilder::Join(Ptr<Node> a, Ptr<Node> b, const Parameters& p)
{
    NS_LOG_FUNCTION(this << a << b << p.rate << p.delay << p.loss);
    m_helper.SetDeviceAttribute("DataRate", DataRateValue(p.rate));
    m_helper.SetChannelAttribute("Delay", TimeValue(p.delay));
    m_helper.SetDeviceAttribute("TxQueueLimit", UintegerValue(LINK_TX_QUEUE_FRAMES));
    NetDeviceContainer devs = m_helper.Install(a, b);
    if (p.loss > 0)
    {
        for (uint32_t side = 0; side < 2; ++side)
        {
            Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
            em->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
            em->SetRate(p.loss);
            em->AssignStreams(portlab::StreamNumbers::LINK_LOSS + 2 * int64_t(m_links) + side);
            devs.Get(side)->SetAttribute("ReceiveErrorModel", PointerValue(em));
        }
    }
    ++m_links;
    return devs;
}

uint32_t
PointToPointLinkBuilder::AddInterface(Ptr<NetDevice> dev,
                                      const std::vector<Ipv4Address>& addresses,
                                      Ipv4Mask mask)
{
    Ptr<Ipv4> ipv4 = dev->GetNode()->GetObject<Ipv4>();
    NS_ABORT_MSG_IF(!ipv4, "PointToPointLinkBuilder::AddInterface: the node has no IPv4 stack");
    const int32_t i = ipv4->AddInterface(dev);
    for (const Ipv4Address& a : addresses)
    {
        ipv4->AddAddress(i, Ipv4InterfaceAddress(a, mask));
    }
    ipv4->SetMetric(i, 1);
    ipv4->SetUp(i);
    return static_cast<uint32_t>(i);
}

void
PointToPointLinkBuilder::EnablePcap(const std::string& file, Ptr<NetDevice> dev)
{
    m_helper.EnablePcap(file, dev, false, true);
}

} // namespace ns3
