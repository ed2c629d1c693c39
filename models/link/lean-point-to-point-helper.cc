/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "link/lean-point-to-point-helper.h"

#include "link/lean-point-to-point-channel.h"
#include "link/lean-point-to-point-net-device.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/mac48-address.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LeanPointToPointHelper");

LeanPointToPointHelper::LeanPointToPointHelper()
{
    m_deviceFactory.SetTypeId(LeanPointToPointNetDevice::GetTypeId());
    m_channelFactory.SetTypeId(LeanPointToPointChannel::GetTypeId());
}

void
LeanPointToPointHelper::SetDeviceAttribute(const std::string& name, const AttributeValue& value)
{
    m_deviceFactory.Set(name, value);
}

void
LeanPointToPointHelper::SetChannelAttribute(const std::string& name, const AttributeValue& value)
{
    m_channelFactory.Set(name, value);
}

NetDeviceContainer
LeanPointToPointHelper::Install(Ptr<Node> a, Ptr<Node> b)
{
    NS_LOG_FUNCTION(this << a << b);
    Ptr<LeanPointToPointNetDevice> devA = m_deviceFactory.Create<LeanPointToPointNetDevice>();
    devA->SetAddress(Mac48Address::Allocate());
    a->AddDevice(devA);
    Ptr<LeanPointToPointNetDevice> devB = m_deviceFactory.Create<LeanPointToPointNetDevice>();
    devB->SetAddress(Mac48Address::Allocate());
    b->AddDevice(devB);
    Ptr<LeanPointToPointChannel> channel = m_channelFactory.Create<LeanPointToPointChannel>();
    devA->Attach(channel);
    devB->Attach(channel);
    NetDeviceContainer devices;
    devices.Add(devA);
    devices.Add(devB);
    return devices;
}

NetDeviceContainer
LeanPointToPointHelper::Install(NodeContainer pair)
{
    NS_ABORT_MSG_IF(pair.GetN() != 2,
                    "LeanPointToPointHelper::Install: a link joins exactly two nodes, not "
                        << pair.GetN());
    return Install(pair.Get(0), pair.Get(1));
}

void
LeanPointToPointHelper::EnablePcapInternal(std::string prefix,
                                           Ptr<NetDevice> nd,
                                           bool /* promiscuous */,
                                           bool explicitFilename)
{
    Ptr<LeanPointToPointNetDevice> device = DynamicCast<LeanPointToPointNetDevice>(nd);
    if (!device)
    {
        NS_LOG_INFO("EnablePcapInternal: device " << nd << " is not a LeanPointToPointNetDevice");
        return;
    }
    PcapHelper pcap;
    std::string filename = explicitFilename ? prefix : pcap.GetFilenameFromDevice(prefix, device);
    Ptr<PcapFileWrapper> file = pcap.CreateFile(filename, std::ios::out, PcapHelper::DLT_PPP);
    pcap.HookDefaultSink<LeanPointToPointNetDevice>(device, "PromiscSniffer", file);
}

} // namespace ns3
