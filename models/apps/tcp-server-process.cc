/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tcp-server-process.h"

#include "linux-errno-name.h"

#include "ns3/boolean.h"
#include "ns3/enum.h"
#include "ns3/inet-socket-address.h"
#include "ns3/integer.h"
#include "ns3/log.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/tcp-socket-factory.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TcpServerProcess");
NS_OBJECT_ENSURE_REGISTERED(TcpServerProcess);

TypeId
TcpServerProcess::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::TcpServerProcess")
            .SetParent<Application>()
            .SetGroupName("Portlab")
            .AddConstructor<TcpServerProcess>()
            .AddAttribute("Local",
                          "Address and port to listen on",
                          AddressValue(InetSocketAddress(Ipv4Address::GetAny(), 80)),
                          MakeAddressAccessor(&TcpServerProcess::m_local),
                          MakeAddressChecker())
            .AddAttribute("Protocol",
                          "The socket factory (TcpSocketFactory: ns-3's or portlab's, whichever "
                          "the node's stack installed)",
                          TypeIdValue(TcpSocketFactory::GetTypeId()),
                          MakeTypeIdAccessor(&TcpServerProcess::m_protocol),
                          MakeTypeIdChecker())
            .AddAttribute("ReuseAddr",
                          "SO_REUSEADDR on the listener",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TcpServerProcess::m_reuseAddr),
                          MakeBooleanChecker())
            .AddAttribute("ReusePort",
                          "SO_REUSEPORT on the listener",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TcpServerProcess::m_reusePort),
                          MakeBooleanChecker())
            .AddAttribute("Backlog",
                          "listen() backlog; negative means net.core.somaxconn",
                          IntegerValue(-1),
                          MakeIntegerAccessor(&TcpServerProcess::m_backlog),
                          MakeIntegerChecker<int64_t>())
            .AddAttribute("RequestSize",
                          "Bytes of request to read before answering",
                          UintegerValue(100),
                          MakeUintegerAccessor(&TcpServerProcess::m_requestSize),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("ResponseSize",
                          "Bytes of response",
                          UintegerValue(100),
                          MakeUintegerAccessor(&TcpServerProcess::m_responseSize),
                          MakeUintegerChecker<uint32_t>(0))
            .AddAttribute("ClosePolicy",
                          "Who closes first: ClientFirst (the server closes on the client's "
                          "FIN), ServerFirst (after replying), Linger0 (after replying, with RST)",
                          EnumValue(CLOSE_CLIENT_FIRST),
                          MakeEnumAccessor(&TcpServerProcess::m_policy),
                          MakeClosePolicyChecker())
            .AddTraceSource("Bind",
                            "Result of bind(): \"ok\" or Linux's errno name",
                            MakeTraceSourceAccessor(&TcpServerProcess::m_bindTrace),
                            "ns3::TcpServerProcess::BindTracedCallback")
            .AddTraceSource("Accept",
                            "A connection was accepted",
                            MakeTraceSourceAccessor(&TcpServerProcess::m_acceptTrace),
                            "ns3::Socket::TracedCallback");
    return tid;
}

TcpServerProcess::TcpServerProcess()
    : m_onRead(MakeCallback(&TcpServerProcess::HandleRead, this)),
      m_onPeerClose(MakeCallback(&TcpServerProcess::HandlePeerClose, this))
{
    NS_LOG_FUNCTION(this);
}

TcpServerProcess::~TcpServerProcess()
{
    NS_LOG_FUNCTION(this);
}

void
TcpServerProcess::DoDispose()
{
    m_listener = nullptr;
    m_conns.clear();
    Application::DoDispose();
}

void
TcpServerProcess::StartApplication()
{
    NS_LOG_FUNCTION(this);
    m_listener = Socket::CreateSocket(GetNode(), m_protocol);
    m_listener->SetAttributeFailSafe("ReuseAddr", BooleanValue(m_reuseAddr));
    m_listener->SetAttributeFailSafe("ReusePort", BooleanValue(m_reusePort));
    m_listener->SetAttributeFailSafe("Backlog", IntegerValue(m_backlog));
    if (m_listener->Bind(m_local) != 0)
    {
        m_bindResult = SocketErrnoName(m_listener);
        m_bindTrace(m_bindResult);
        return;
    }
    m_bindResult = "ok";
    m_bindTrace(m_bindResult);
    if (m_listener->Listen() != 0)
    {
        m_bindTrace("listen: " + SocketErrnoName(m_listener));
        return;
    }
    m_listener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                  MakeCallback(&TcpServerProcess::HandleAccept, this));
}

void
TcpServerProcess::StopApplication()
{
    NS_LOG_FUNCTION(this);
    if (m_listener)
    {
        m_listener->Close();
        m_listener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                      MakeNullCallback<void, Ptr<Socket>, const Address&>());
        m_listener = nullptr;
    }
}

void
TcpServerProcess::HandleAccept(Ptr<Socket> s, const Address& from)
{
    ++m_accepted;
    m_acceptTrace(s, from);
    Conn& c = m_conns[PeekPointer(s)];
    c.socket = s;
    s->SetRecvCallback(m_onRead);
    s->SetCloseCallbacks(m_onPeerClose, m_onPeerClose);
}

void
TcpServerProcess::HandleRead(Ptr<Socket> s)
{
    auto it = m_conns.find(PeekPointer(s));
    if (it == m_conns.end())
    {
        return;
    }
    Conn& c = it->second;
    while (Ptr<Packet> p = s->Recv())
    {
        if (p->GetSize() == 0)
        {
            break; // EOF: the peer closed
        }
        c.received += p->GetSize();
    }
    if (!c.replied && c.received >= m_requestSize)
    {
        c.replied = true;
        if (m_responseSize > 0)
        {
            s->Send(Create<Packet>(m_responseSize));
        }
        ++m_served;
        if (m_policy != CLOSE_CLIENT_FIRST)
        {
            Finish(s, m_policy == CLOSE_LINGER_ZERO);
        }
    }
}

void
TcpServerProcess::HandlePeerClose(Ptr<Socket> s)
{
    if (m_conns.count(PeekPointer(s)))
    {
        HandleRead(s); // whatever is left
        if (m_conns.count(PeekPointer(s)))
        {
            Finish(s, false);
        }
    }
}

void
TcpServerProcess::Finish(Ptr<Socket> s, bool rst)
{
    DetachAndClose(s, rst);
    m_conns.erase(PeekPointer(s));
}

} // namespace ns3
