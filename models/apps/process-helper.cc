/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "apps/process-helper.h"

#include "apps/tcp-client-process.h"
#include "apps/tcp-proxy-process.h"
#include "apps/tcp-server-process.h"
#include "apps/udp-client-process.h"
#include "apps/udp-server-process.h"

#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ProcessHelper");

ProcessHelper::ProcessHelper(TypeId tid)
{
    m_factory.SetTypeId(tid);
}

void
ProcessHelper::SetAttribute(const std::string& name, const AttributeValue& value)
{
    m_factory.Set(name, value);
}

ApplicationContainer
ProcessHelper::Install(Ptr<Node> node) const
{
    Ptr<Application> app = m_factory.Create<Application>();
    node->AddApplication(app);
    return ApplicationContainer(app);
}

ApplicationContainer
ProcessHelper::Install(NodeContainer c) const
{
    ApplicationContainer apps;
    for (auto i = c.Begin(); i != c.End(); ++i)
    {
        apps.Add(Install(*i));
    }
    return apps;
}

int64_t
ProcessHelper::AssignStreams(ApplicationContainer apps, int64_t stream)
{
    int64_t used = 0;
    for (auto i = apps.Begin(); i != apps.End(); ++i)
    {
        if (Ptr<TcpClientProcess> t = DynamicCast<TcpClientProcess>(*i))
        {
            used += t->AssignStreams(stream + used);
        }
        else if (Ptr<UdpClientProcess> u = DynamicCast<UdpClientProcess>(*i))
        {
            used += u->AssignStreams(stream + used);
        }
    }
    return used;
}

TcpServerProcessHelper::TcpServerProcessHelper(const Address& local)
    : ProcessHelper(TcpServerProcess::GetTypeId())
{
    SetAttribute("Local", AddressValue(local));
}

TcpClientProcessHelper::TcpClientProcessHelper(const Address& remote)
    : ProcessHelper(TcpClientProcess::GetTypeId())
{
    SetAttribute("Remote", AddressValue(remote));
}

UdpServerProcessHelper::UdpServerProcessHelper(const Address& local)
    : ProcessHelper(UdpServerProcess::GetTypeId())
{
    SetAttribute("Local", AddressValue(local));
}

UdpClientProcessHelper::UdpClientProcessHelper(const Address& remote)
    : ProcessHelper(UdpClientProcess::GetTypeId())
{
    SetAttribute("Remote", AddressValue(remote));
}

TcpProxyProcessHelper::TcpProxyProcessHelper(const Address& local, const Address& upstream)
    : ProcessHelper(TcpProxyProcess::GetTypeId())
{
    SetAttribute("Local", AddressValue(local));
    SetAttribute("Upstream", AddressValue(upstream));
}

} // namespace ns3
