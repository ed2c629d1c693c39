/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-udp-socket-factory.h"

#include "transport/linux-udp-l4-protocol.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/socket.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxUdpSocketFactory");
NS_OBJECT_ENSURE_REGISTERED(LinuxUdpSocketFactory);

TypeId
LinuxUdpSocketFactory::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LinuxUdpSocketFactory")
                            .SetParent<UdpSocketFactory>()
                            .SetGroupName("Portlab")
                            .AddConstructor<LinuxUdpSocketFactory>();
    return tid;
}

LinuxUdpSocketFactory::LinuxUdpSocketFactory()
{
    NS_LOG_FUNCTION(this);
}

LinuxUdpSocketFactory::~LinuxUdpSocketFactory()
{
    NS_LOG_FUNCTION(this);
}

void
LinuxUdpSocketFactory::SetUdp(Ptr<LinuxUdpL4Protocol> udp)
{
    NS_LOG_FUNCTION(this << udp);
    m_udp = udp;
}

Ptr<Socket>
LinuxUdpSocketFactory::CreateSocket()
{
    NS_LOG_FUNCTION(this);
    NS_ABORT_MSG_IF(!m_udp,
                    "LinuxUdpSocketFactory::CreateSocket: no LinuxUdpL4Protocol (node disposed, "
                    "or the factory was aggregated by hand without SetUdp)");
    return m_udp->CreateSocket();
}

void
LinuxUdpSocketFactory::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_udp = nullptr;
    UdpSocketFactory::DoDispose();
}

} // namespace ns3
