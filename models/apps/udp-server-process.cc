/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "apps/udp-server-process.h"

#include "transport/linux-errno-name.h"

#include "ns3/boolean.h"
#include "ns3/inet-socket-address.h"
#include "ns3/log.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/udp-socket-factory.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("UdpServerProcess");
NS_OBJECT_ENSURE_REGISTERED(UdpServerProcess);

TypeId
UdpServerProcess::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::UdpServerProcess")
            .SetParent<Application>()
            .SetGroupName("Portlab")
            .AddConstructor<UdpServerProcess>()
            .AddAttribute("Local",
                          "Address and port to bind",
                          AddressValue(InetSocketAddress(Ipv4Address::GetAny(), 53)),
                          MakeAddressAccessor(&UdpServerProcess::m_local),
                          MakeAddressChecker())
            .AddAttribute("Protocol",
                          "The socket factory (UdpSocketFactory: ns-3's or portlab's)",
                          TypeIdValue(UdpSocketFactory::GetTypeId()),
                          MakeTypeIdAccessor(&UdpServerProcess::m_protocol),
                          MakeTypeIdChecker())
            .AddAttribute("ReuseAddr",
                          "SO_REUSEADDR on the socket",
                          BooleanValue(false),
                          MakeBooleanAccessor(&UdpServerProcess::m_reuseAddr),
                          MakeBooleanChecker())
            .AddAttribute("ReusePort",
                          "SO_REUSEPORT on the socket",
                          BooleanValue(false),
                          MakeBooleanAccessor(&UdpServerProcess::m_reusePort),
                          MakeBooleanChecker())
            .AddAttribute("RequestSize",
                          "Smallest datagram answered (smaller ones are counted, not answered)",
                          UintegerValue(100),
                          MakeUintegerAccessor(&UdpServerProcess::m_requestSize),
                          MakeUintegerChecker<uint32_t>(0, 65507))
            .AddAttribute("ResponseSize",
                          "Bytes of each answer datagram",
                          UintegerValue(100),
                          MakeUintegerAccessor(&UdpServerProcess::m_responseSize),
                          MakeUintegerChecker<uint32_t>(0, 65507))
            .AddTraceSource("Bind",
                            "Result of bind(): \"ok\" or Linux's errno name",
                            MakeTraceSourceAccessor(&UdpServerProcess::m_bindTrace),
                            "ns3::UdpServerProcess::BindTracedCallback")
            .AddTraceSource("Rx",
                            "A datagram was received (payload, sender)",
                            MakeTraceSourceAccessor(&UdpServerProcess::m_rxTrace),
                            "ns3::Packet::AddressTracedCallback")
            .AddTraceSource("Tx",
                            "An answer was sent (payload, destination)",
                            MakeTraceSourceAccessor(&UdpServerProcess::m_txTrace),
                            "ns3::Packet::AddressTracedCallback");
    return tid;
}

UdpServerProcess::UdpServerProcess()
{
    NS_LOG_FUNCTION(this);
}

UdpServerProcess::~UdpServerProcess()
{
    NS_LOG_FUNCTION(this);
}

void
UdpServerProcess::DoDispose()
{
    m_socket = nullptr;
    Application::DoDispose();
}

void
UdpServerProcess::StartApplication()
{
    NS_LOG_FUNCTION(this);
    Ptr<Socket> s = Socket::CreateSocket(GetNode(), m_protocol);
    s->SetAttributeFailSafe("ReuseAddr", BooleanValue(m_reuseAddr));
    s->SetAttributeFailSafe("ReusePort", BooleanValue(m_reusePort));
    m_bindResult = s->Bind(m_local) == 0 ? "ok" : SocketErrnoName(s);
    NS_LOG_INFO("bind " << m_bindResult);
    m_bindTrace(m_bindResult);
    if (m_bindResult != "ok")
    {
        s->Close();
        return;
    }
    s->SetRecvCallback(MakeCallback(&UdpServerProcess::HandleRead, this));
    m_socket = s;
}

void
UdpServerProcess::StopApplication()
{
    NS_LOG_FUNCTION(this);
    if (m_socket)
    {
        m_socket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
        m_socket->Close();
        m_socket = nullptr;
    }
}

void
UdpServerProcess::HandleRead(Ptr<Socket> s)
{
    Address from;
    while (true)
    {
        Ptr<Packet> p = s->RecvFrom(from);
        if (!p)
        {
            std::string e = RecvFailure(s);
            if (!e.empty())
            {
                ++m_errors[e];
            }
            return;
        }
        ++m_received;
        m_rxTrace(p, from);
        if (p->GetSize() < m_requestSize)
        {
            continue;
        }
        Ptr<Packet> answer = Create<Packet>(m_responseSize);
        if (s->SendTo(answer, 0, from) < 0)
        {
            ++m_errors[SocketErrnoName(s)];
            continue;
        }
        ++m_answered;
        m_txTrace(answer, from);
    }
}

} // namespace ns3
