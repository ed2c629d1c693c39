/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-tcp-socket-factory.h"

#include "transport/linux-tcp-l4-protocol.h"

#include "ns3/log.h"
#include "ns3/socket.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxTcpSocketFactory");
NS_OBJECT_ENSURE_REGISTERED(LinuxTcpSocketFactory);

TypeId
LinuxTcpSocketFactory::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LinuxTcpSocketFactory")
                            .SetParent<TcpSocketFactory>()
                            .SetGroupName("Portlab")
                            .AddConstructor<LinuxTcpSocketFactory>();
    return tid;
}

void
LinuxTcpSocketFactory::SetTcp(Ptr<LinuxTcpL4Protocol> tcp)
{
    m_tcp = tcp;
}

Ptr<Socket>
LinuxTcpSocketFactory::CreateSocket()
{
    NS_LOG_FUNCTION(this);
    return m_tcp->CreateSocket();
}

void
LinuxTcpSocketFactory::DoDispose()
{
    m_tcp = nullptr;
    TcpSocketFactory::DoDispose();
}

} // namespace ns3
