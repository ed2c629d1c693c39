/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-stack-helper.h"

#include "ipv4/linux-fib-routing-helper.h"
#include "ipv4/linux-ipv4-l3-protocol.h"
#include "transport/linux-port-space.h"
#include "transport/linux-tcp-l4-protocol.h"
#include "transport/linux-udp-l4-protocol.h"
#include "transport/port-selector.h"

#include "ns3/abort.h"
#include "ns3/arp-l3-protocol.h"
#include "ns3/boolean.h"
#include "ns3/icmpv4-l4-protocol.h"
#include "ns3/icmpv6-l4-protocol.h"
#include "ns3/ipv4-global-routing-helper.h"
#include "ns3/ipv4-l3-protocol.h"
#include "ns3/ipv4-list-routing-helper.h"
#include "ns3/ipv4-static-routing-helper.h"
#include "ns3/ipv6-l3-protocol.h"
#include "ns3/ipv6-static-routing-helper.h"
#include "ns3/log.h"
#include "ns3/node-list.h"
#include "ns3/object-factory.h"
#include "ns3/packet-socket-factory.h"
#include "ns3/traffic-control-layer.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxStackHelper");

namespace
{
/// \param fib LinuxFibRouting (Ipv4StaticRouting's table and answers, hashed), else ns-3's
/// Ipv4StaticRouting (as InternetStackHelper) \return it, then global routing, as a list
Ipv4RoutingHelper*
ListRouting(bool fib)
{
    Ipv4GlobalRoutingHelper globalRouting;
    Ipv4ListRoutingHelper list;
    if (fib)
    {
        list.Add(LinuxFibRoutingHelper(), 0);
    }
    else
    {
        list.Add(Ipv4StaticRoutingHelper(), 0);
    }
    list.Add(globalRouting, -10);
    return list.Copy();
}

template <class T>
Ptr<T>
CreateAndAggregate(Ptr<Node> node)
{
    Ptr<T> existing = node->GetObject<T>();
    if (existing)
    {
        return existing;
    }
    Ptr<T> object = CreateObject<T>();
    node->AggregateObject(object);
    return object;
}
} // namespace

LinuxStackHelper::LinuxStackHelper()
    : m_routing(ListRouting(false))
{
}

LinuxStackHelper::~LinuxStackHelper()
{
    delete m_routing;
}

LinuxStackHelper::LinuxStackHelper(const LinuxStackHelper& o)
    : m_routing(o.m_routing->Copy()),
      m_sysctls(o.m_sysctls),
      m_portSelector(o.m_portSelector),
      m_transport(o.m_transport),
      m_ipv6(o.m_ipv6)
{
}

LinuxStackHelper&
LinuxStackHelper::operator=(const LinuxStackHelper& o)
{
    if (this != &o)
    {
        delete m_routing;
        m_routing = o.m_routing->Copy();
        m_sysctls = o.m_sysctls;
        m_portSelector = o.m_portSelector;
        m_transport = o.m_transport;
        m_ipv6 = o.m_ipv6;
    }
    return *this;
}

void
LinuxStackHelper::SetSysctl(const std::string& name, const std::string& value)
{
    try
    {
        portlab::SysctlSetting setting = portlab::SysctlSetting::Parse(name, value);
        portlab::PortSysctls probe; // what depends on other settings, as on a default host
        setting.ApplyTo(probe);
        m_sysctls.push_back(std::move(setting));
    }
    catch (const portlab::SysctlError& e)
    {
        NS_FATAL_ERROR("LinuxStackHelper::SetSysctl: " << e.what());
    }
}

void
LinuxStackHelper::SetSysctl(const portlab::SysctlSetting& setting)
{
    m_sysctls.push_back(setting);
}

void
LinuxStackHelper::SetPortSelector(const std::string& typeName)
{
    TypeId tid;
    NS_ABORT_MSG_UNLESS(TypeId::LookupByNameFailSafe(typeName, &tid) &&
                            tid.IsChildOf(PortSelector::GetTypeId()) && tid.HasConstructor(),
                        "LinuxStackHelper::SetPortSelector: '"
                            << typeName
                            << "' is not a port selector; allowed: ns3::LinuxPortSelector, "
                               "ns3::RandomPortSelector, ns3::HashPortSelector, "
                               "ns3::RandomIncrementsPortSelector, ns3::SequentialPortSelector");
    m_portSelector = typeName;
}

void
LinuxStackHelper::SetTransport(const std::string& name)
{
    NS_ABORT_MSG_UNLESS(name == "packet" || name == "flow",
                        "LinuxStackHelper::SetTransport: '" << name
                                                            << "' is not a transport; allowed: "
                                                               "packet, flow");
    m_transport = name;
}

void
LinuxStackHelper::UseFibRouting()
{
    delete m_routing;
    m_routing = ListRouting(true);
}

void
LinuxStackHelper::SetRoutingHelper(const Ipv4RoutingHelper& routing)
{
    delete m_routing;
    m_routing = routing.Copy();
}

void
LinuxStackHelper::SetIpv6(bool enable)
{
    m_ipv6 = enable;
}

void
LinuxStackHelper::Install(Ptr<Node> node) const
{
    NS_LOG_FUNCTION(this << node);
    NS_ABORT_MSG_IF(node->GetObject<Ipv4>() && !node->GetObject<LinuxPortSpace>(),
                    "LinuxStackHelper::Install: node " << node->GetId()
                                                       << " already has another IPv4 stack");
    Ptr<ArpL3Protocol> arp = CreateAndAggregate<ArpL3Protocol>(node);
    Ptr<LinuxIpv4L3Protocol> ipv4 = CreateAndAggregate<LinuxIpv4L3Protocol>(node);
    // net.ipv4.ip_forward = 0, Linux's default: a host delivers what is addressed to it and
    // forwards nothing (ns-3's IpForward default would send a packet for an unused address of
    // a link back and forth until its TTL ran out).
    ipv4->SetAttribute("IpForward", BooleanValue(false));
    CreateAndAggregate<Icmpv4L4Protocol>(node);
    if (!ipv4->GetRoutingProtocol())
    {
        ipv4->SetRoutingProtocol(m_routing->Create(node));
    }
    Ptr<TrafficControlLayer> tc = CreateAndAggregate<TrafficControlLayer>(node);
    if (m_ipv6)
    {
        // As InternetStackHelper does; the L4s below register with it when aggregated.
        Ptr<Ipv6L3Protocol> ipv6 = CreateAndAggregate<Ipv6L3Protocol>(node);
        CreateAndAggregate<Icmpv6L4Protocol>(node);
        if (!ipv6->GetRoutingProtocol())
        {
            ipv6->SetRoutingProtocol(Ipv6StaticRoutingHelper().Create(node));
        }
        ipv6->RegisterExtensions();
        ipv6->RegisterOptions();
    }
    Ptr<LinuxPortSpace> ports = CreateAndAggregate<LinuxPortSpace>(node);
    if (!m_portSelector.empty())
    {
        ports->SetAttribute("PortSelector", TypeIdValue(TypeId::LookupByName(m_portSelector)));
    }
    for (const auto& setting : m_sysctls)
    {
        ports->SetSysctl(setting);
    }
    CreateAndAggregate<LinuxUdpL4Protocol>(node);
    Ptr<LinuxTcpL4Protocol> tcp = CreateAndAggregate<LinuxTcpL4Protocol>(node);
    tcp->SetTransport(m_transport == "flow" ? LINUX_TRANSPORT_FLOW : LINUX_TRANSPORT_PACKET);
    if (!node->GetObject<PacketSocketFactory>())
    {
        node->AggregateObject(CreateObject<PacketSocketFactory>());
    }
    arp->SetTrafficControl(tc);
}

void
LinuxStackHelper::Install(NodeContainer c) const
{
    for (auto i = c.Begin(); i != c.End(); ++i)
    {
        Install(*i);
    }
}

void
LinuxStackHelper::InstallAll() const
{
    Install(NodeContainer::GetGlobal());
}

int64_t
LinuxStackHelper::AssignStreams(NodeContainer c, int64_t stream)
{
    int64_t current = stream;
    for (auto i = c.Begin(); i != c.End(); ++i)
    {
        Ptr<LinuxPortSpace> ports = (*i)->GetObject<LinuxPortSpace>();
        if (ports)
        {
            current += ports->AssignStreams(current);
        }
        Ptr<ArpL3Protocol> arp = (*i)->GetObject<ArpL3Protocol>();
        if (arp)
        {
            current += arp->AssignStreams(current);
        }
        Ptr<LinuxTcpL4Protocol> tcp = (*i)->GetObject<LinuxTcpL4Protocol>();
        if (tcp)
        {
            current += tcp->AssignStreams(current);
        }
        Ptr<Icmpv6L4Protocol> icmpv6 = (*i)->GetObject<Icmpv6L4Protocol>();
        if (icmpv6)
        {
            current += icmpv6->AssignStreams(current); // only with SetIpv6(true)
        }
    }
    return current - stream;
}

} // namespace ns3
