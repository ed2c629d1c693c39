/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-nat-helper.h"

#include "ipv4/linux-ipv4-l3-protocol.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/ip-l4-protocol.h"
#include "ns3/ipv6.h"
#include "ns3/log.h"

#include <exception>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxNatHelper");

LinuxNatHelper::LinuxNatHelper()
{
    m_factory.SetTypeId(LinuxNatGateway::GetTypeId());
}

void
LinuxNatHelper::AddRule(const LinuxNatRule& rule)
{
    m_rules.push_back(rule);
}

void
LinuxNatHelper::SetSysctl(const std::string& name, const std::string& value)
{
    portlab::ConntrackSysctls check;
    try
    {
        check.Set(name, value);
    }
    catch (const std::exception& e)
    {
        NS_FATAL_ERROR(e.what());
    }
    m_sysctls.emplace_back(name, value);
}

void
LinuxNatHelper::SetAttribute(const std::string& name, const AttributeValue& value)
{
    m_factory.Set(name, value);
}

Ptr<LinuxNatGateway>
LinuxNatHelper::Install(Ptr<Node> node) const
{
    NS_LOG_FUNCTION(this << node);
    Ptr<LinuxIpv4L3Protocol> ipv4 = node->GetObject<LinuxIpv4L3Protocol>();
    NS_ABORT_MSG_IF(!ipv4,
                    "LinuxNatHelper::Install: node " << node->GetId()
                                                     << " has no LinuxIpv4L3Protocol (install "
                                                        "LinuxStackHelper first)");
    // The filter sees what arrives on the devices LinuxIpv4L3Protocol takes over: links
    // without ARP on an IPv4-only node (PointToPointLinkBuilder's). Another device would
    // forward without NAT, silently: refuse it.
    NS_ABORT_MSG_IF(node->GetObject<Ipv6>(),
                    "LinuxNatHelper::Install: node " << node->GetId()
                                                     << " has IPv6; the gateway is IPv4-only");
    for (uint32_t i = 0; i < ipv4->GetNInterfaces(); ++i)
    {
        Ptr<NetDevice> dev = ipv4->GetNetDevice(i);
        NS_ABORT_MSG_IF(dev->NeedsArp(),
                        "LinuxNatHelper::Install: node "
                            << node->GetId() << " interface " << i
                            << " needs ARP; the gateway needs point-to-point links without ARP "
                               "(PointToPointLinkBuilder)");
    }
    ipv4->SetAttribute("IpForward", BooleanValue(true)); // net.ipv4.ip_forward=1
    Ptr<LinuxNatGateway> gateway = m_factory.Create<LinuxNatGateway>();
    gateway->SetIpv4(ipv4);
    for (const LinuxNatRule& rule : m_rules)
    {
        gateway->AddRule(rule);
    }
    for (const auto& [name, value] : m_sysctls)
    {
        gateway->SetSysctl(name, value);
    }
    node->AggregateObject(gateway);
    ipv4->SetNetfilter(gateway);
    return gateway;
}

} // namespace ns3
