/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "apps/tcp-proxy-process.h"

#include "transport/linux-errno-name.h"

#include "ns3/boolean.h"
#include "ns3/enum.h"
#include "ns3/inet-socket-address.h"
#include "ns3/integer.h"
#include "ns3/log.h"
#include "ns3/packet.h"
#include "ns3/string.h"
#include "ns3/tcp-socket-factory.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TcpProxyProcess");
NS_OBJECT_ENSURE_REGISTERED(TcpProxyProcess);

TypeId
TcpProxyProcess::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::TcpProxyProcess")
            .SetParent<Application>()
            .SetGroupName("Portlab")
            .AddConstructor<TcpProxyProcess>()
            .AddAttribute("Local",
                          "Address and port to listen on",
                          AddressValue(InetSocketAddress(Ipv4Address::GetAny(), 80)),
                          MakeAddressAccessor(&TcpProxyProcess::m_local),
                          MakeAddressChecker())
            .AddAttribute("Protocol",
                          "The socket factory (TcpSocketFactory), listener and upstreams",
                          TypeIdValue(TcpSocketFactory::GetTypeId()),
                          MakeTypeIdAccessor(&TcpProxyProcess::m_protocol),
                          MakeTypeIdChecker())
            .AddAttribute("ReuseAddr",
                          "SO_REUSEADDR on the listener",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TcpProxyProcess::m_reuseAddr),
                          MakeBooleanChecker())
            .AddAttribute("Backlog",
                          "listen() backlog; negative means net.core.somaxconn",
                          IntegerValue(-1),
                          MakeIntegerAccessor(&TcpProxyProcess::m_backlog),
                          MakeIntegerChecker<int64_t>(-1, 65535))
            .AddAttribute("Upstream",
                          "Upstream server address and port (when Upstreams is empty)",
                          AddressValue(),
                          MakeAddressAccessor(&TcpProxyProcess::m_upstream),
                          MakeAddressChecker())
            .AddAttribute("Upstreams",
                          "Upstream set, round-robin: \"10.0.0.1:80,10.0.0.2:80\"; when empty, "
                          "Upstream is the only one",
                          StringValue(""),
                          MakeStringAccessor(&TcpProxyProcess::SetUpstreamsText,
                                             &TcpProxyProcess::GetUpstreamsText),
                          MakeStringChecker())
            .AddAttribute("RequestSize",
                          "Bytes of each client request (forwarded upstream as is)",
                          UintegerValue(100),
                          MakeUintegerAccessor(&TcpProxyProcess::m_requestSize),
                          MakeUintegerChecker<uint32_t>(1, 1000000))
            .AddAttribute("ResponseSize",
                          "Bytes of each upstream response (relayed to the client as is)",
                          UintegerValue(100),
                          MakeUintegerAccessor(&TcpProxyProcess::m_responseSize),
                          MakeUintegerChecker<uint32_t>(0, 1000000))
            .AddAttribute("RequestsPerConnection",
                          "Requests relayed on one client connection before its close policy "
                          "applies",
                          UintegerValue(1),
                          MakeUintegerAccessor(&TcpProxyProcess::m_requestsPerConnection),
                          MakeUintegerChecker<uint32_t>(1, 100000))
            .AddAttribute("ClosePolicy",
                          "Who closes the client connection: client-first (the proxy closes on "
                          "the client's FIN), server-first (after the last response), linger0 "
                          "(after the last response, with RST). Upstreams are always closed "
                          "by the proxy first.",
                          EnumValue(CLOSE_CLIENT_FIRST),
                          MakeEnumAccessor(&TcpProxyProcess::m_policy),
                          MakeClosePolicyChecker())
            .AddAttribute("UpstreamBindBeforeConnect",
                          "bind(0) the upstream socket before connect(): the port is then "
                          "never shared by 4-tuple",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TcpProxyProcess::m_bindBeforeConnect),
                          MakeBooleanChecker())
            .AddAttribute("UpstreamBindAddressNoPort",
                          "IP_BIND_ADDRESS_NO_PORT with UpstreamBindBeforeConnect: the port is "
                          "chosen at connect() and may be shared",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TcpProxyProcess::m_bindAddressNoPort),
                          MakeBooleanChecker())
            .AddTraceSource("Bind",
                            "Result of the listener's bind(): \"ok\" or Linux's errno name",
                            MakeTraceSourceAccessor(&TcpProxyProcess::m_bindTrace),
                            "ns3::TcpProxyProcess::ResultTracedCallback")
            .AddTraceSource("Accept",
                            "A client connection was accepted",
                            MakeTraceSourceAccessor(&TcpProxyProcess::m_acceptTrace),
                            "ns3::Socket::TracedCallback")
            .AddTraceSource("UpstreamResult",
                            "Each upstream connection's outcome: \"ok\" when established, else "
                            "Linux's errno name (\"EOF\": closed before the full response)",
                            MakeTraceSourceAccessor(&TcpProxyProcess::m_upResultTrace),
                            "ns3::TcpProxyProcess::ResultTracedCallback")
            .AddTraceSource("Relayed",
                            "A response was relayed to a client",
                            MakeTraceSourceAccessor(&TcpProxyProcess::m_relayedTrace),
                            "ns3::Socket::TracedCallback")
            .AddTraceSource("UpstreamAttempt",
                            "An upstream connection was started, whatever its outcome",
                            MakeTraceSourceAccessor(&TcpProxyProcess::m_upAttemptTrace),
                            "ns3::TracedCallback::Void");
    return tid;
}

TcpProxyProcess::TcpProxyProcess()
{
    NS_LOG_FUNCTION(this);
}

TcpProxyProcess::~TcpProxyProcess()
{
    NS_LOG_FUNCTION(this);
}

void
TcpProxyProcess::SetUpstreams(const std::vector<Address>& upstreams)
{
    m_upstreamSet.Set(upstreams);
}

void
TcpProxyProcess::AddUpstream(const Address& upstream)
{
    m_upstreamSet.Add(upstream);
}

void
TcpProxyProcess::SetUpstreamsText(std::string text)
{
    m_upstreamSet.Set(ParseRemoteList(text));
}

std::string
TcpProxyProcess::GetUpstreamsText() const
{
    return FormatRemoteList(m_upstreamSet.Get());
}

void
TcpProxyProcess::DoDispose()
{
    m_listener = nullptr;
    m_clients.clear();
    m_upstreams.clear();
    Application::DoDispose();
}

void
TcpProxyProcess::StartApplication()
{
    NS_LOG_FUNCTION(this);
    NS_ABORT_MSG_IF(!m_upstreamSet.Valid(m_upstream),
                    "TcpProxyProcess: neither Upstream nor Upstreams is set");
    Ptr<Socket> s = Socket::CreateSocket(GetNode(), m_protocol);
    s->SetAttributeFailSafe("ReuseAddr", BooleanValue(m_reuseAddr));
    s->SetAttributeFailSafe("Backlog", IntegerValue(m_backlog));
    m_bindResult = s->Bind(m_local) == 0 ? "ok" : SocketErrnoName(s);
    m_bindTrace(m_bindResult);
    if (m_bindResult != "ok")
    {
        s->Close();
        return;
    }
    if (s->Listen() != 0)
    {
        m_bindTrace("listen: " + SocketErrnoName(s));
        s->Close();
        return;
    }
    s->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                         MakeCallback(&TcpProxyProcess::HandleAccept, this));
    m_listener = s;
}

void
TcpProxyProcess::StopApplication()
{
    NS_LOG_FUNCTION(this);
    if (m_listener)
    {
        m_listener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                      MakeNullCallback<void, Ptr<Socket>, const Address&>());
        m_listener->Close();
        m_listener = nullptr;
    }
}

void
TcpProxyProcess::HandleAccept(Ptr<Socket> s, const Address& from)
{
    ++m_accepted;
    m_acceptTrace(s, from);
    m_clients[PeekPointer(s)].socket = s;
    s->SetRecvCallback(MakeCallback(&TcpProxyProcess::ClientRead, this));
    s->SetCloseCallbacks(MakeCallback(&TcpProxyProcess::ClientClose, this),
                         MakeCallback(&TcpProxyProcess::ClientClose, this));
}

void
TcpProxyProcess::ClientRead(Ptr<Socket> s)
{
    auto it = m_clients.find(PeekPointer(s));
    if (it == m_clients.end())
    {
        return;
    }
    while (Ptr<Packet> p = s->Recv())
    {
        if (p->GetSize() == 0)
        {
            break;
        }
        it->second.received += p->GetSize();
    }
    TryForward(s);
}

void
TcpProxyProcess::ClientClose(Ptr<Socket> s)
{
    if (m_clients.count(PeekPointer(s)))
    {
        ClientRead(s);
        if (m_clients.count(PeekPointer(s)))
        {
            FinishClient(s, false);
        }
    }
}

void
TcpProxyProcess::TryForward(Ptr<Socket> client)
{
    auto it = m_clients.find(PeekPointer(client));
    if (it == m_clients.end())
    {
        return;
    }
    Client& c = it->second;
    if (c.upstream || c.served >= m_requestsPerConnection || c.received < m_requestSize)
    {
        return;
    }
    c.received -= m_requestSize;
    OpenUpstream(client);
}

void
TcpProxyProcess::OpenUpstream(Ptr<Socket> client)
{
    ++m_upAttempted;
    m_upAttemptTrace();
    Address to = m_upstreamSet.Next(m_upstream);
    Ptr<Socket> up = Socket::CreateSocket(GetNode(), m_protocol);
    if (m_bindBeforeConnect)
    {
        up->SetAttributeFailSafe("BindAddressNoPort", BooleanValue(m_bindAddressNoPort));
        if (up->Bind() != 0)
        {
            UpstreamFail(up, client, SocketErrnoName(up));
            return;
        }
    }
    up->SetConnectCallback(MakeCallback(&TcpProxyProcess::UpstreamConnected, this),
                           MakeCallback(&TcpProxyProcess::UpstreamConnectFailed, this));
    up->SetRecvCallback(MakeCallback(&TcpProxyProcess::UpstreamRead, this));
    up->SetCloseCallbacks(MakeCallback(&TcpProxyProcess::UpstreamNormalClose, this),
                          MakeCallback(&TcpProxyProcess::UpstreamErrorClose, this));
    if (up->Connect(to) != 0)
    {
        UpstreamFail(up, client, SocketErrnoName(up)); // EADDRNOTAVAIL: no port left
        return;
    }
    m_upstreams[PeekPointer(up)] = Upstream{up, client, 0};
    m_clients[PeekPointer(client)].upstream = up;
}

void
TcpProxyProcess::UpstreamConnected(Ptr<Socket> up)
{
    if (!m_upstreams.count(PeekPointer(up)))
    {
        return;
    }
    ++m_upConnected;
    m_upResultTrace("ok");
    up->Send(Create<Packet>(m_requestSize));
    if (m_responseSize == 0)
    {
        UpstreamDone(up);
    }
}

void
TcpProxyProcess::UpstreamConnectFailed(Ptr<Socket> up)
{
    auto it = m_upstreams.find(PeekPointer(up));
    if (it != m_upstreams.end())
    {
        UpstreamFail(up, it->second.client, SocketErrnoName(up)); // ECONNREFUSED, ETIMEDOUT
    }
}

void
TcpProxyProcess::UpstreamRead(Ptr<Socket> up)
{
    auto it = m_upstreams.find(PeekPointer(up));
    if (it == m_upstreams.end())
    {
        return;
    }
    while (Ptr<Packet> p = up->Recv())
    {
        if (p->GetSize() == 0)
        {
            break;
        }
        it->second.got += p->GetSize();
    }
    if (m_responseSize > 0 && it->second.got >= m_responseSize)
    {
        UpstreamDone(up);
    }
}

void
TcpProxyProcess::UpstreamNormalClose(Ptr<Socket> up)
{
    UpstreamRead(up);
    auto it = m_upstreams.find(PeekPointer(up));
    if (it != m_upstreams.end())
    {
        UpstreamFail(up, it->second.client, "EOF");
    }
}

void
TcpProxyProcess::UpstreamErrorClose(Ptr<Socket> up)
{
    auto it = m_upstreams.find(PeekPointer(up));
    if (it != m_upstreams.end())
    {
        UpstreamFail(up, it->second.client, SocketErrnoName(up)); // ECONNRESET, ...
    }
}

void
TcpProxyProcess::UpstreamFail(Ptr<Socket> up, Ptr<Socket> client, const std::string& why)
{
    NS_LOG_INFO("upstream " << why);
    ++m_upFailures[why];
    m_upResultTrace(why);
    DetachAndClose(up, false);
    m_upstreams.erase(PeekPointer(up));
    auto it = m_clients.find(PeekPointer(client));
    if (it != m_clients.end())
    {
        it->second.upstream = nullptr;
        FinishClient(client, true);
    }
}

void
TcpProxyProcess::UpstreamDone(Ptr<Socket> up)
{
    auto it = m_upstreams.find(PeekPointer(up));
    Ptr<Socket> client = it->second.client;
    DetachAndClose(up, false); // the proxy closes first: the TIME_WAIT stays here
    m_upstreams.erase(it);
    auto ct = m_clients.find(PeekPointer(client));
    if (ct == m_clients.end())
    {
        return;
    }
    Client& c = ct->second;
    c.upstream = nullptr;
    if (m_responseSize > 0)
    {
        client->Send(Create<Packet>(m_responseSize));
    }
    ++c.served;
    ++m_relayed;
    m_relayedTrace(client);
    if (c.served >= m_requestsPerConnection)
    {
        if (m_policy != CLOSE_CLIENT_FIRST)
        {
            FinishClient(client, m_policy == CLOSE_LINGER_ZERO);
        }
        return;
    }
    TryForward(client);
}

void
TcpProxyProcess::FinishClient(Ptr<Socket> client, bool rst)
{
    auto it = m_clients.find(PeekPointer(client));
    if (it != m_clients.end() && it->second.upstream)
    {
        Ptr<Socket> up = it->second.upstream;
        DetachAndClose(up, false); // the client left: abandon its request
        m_upstreams.erase(PeekPointer(up));
    }
    DetachAndClose(client, rst);
    m_clients.erase(PeekPointer(client));
}

} // namespace ns3
