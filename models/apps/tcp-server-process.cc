/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "apps/tcp-server-process.h"

#include "transport/linux-errno-name.h"

#include "ns3/boolean.h"
#include "ns3/enum.h"
#include "ns3/inet-socket-address.h"
#include "ns3/integer.h"
#include "ns3/log.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
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
                          MakeIntegerChecker<int64_t>(-1, 65535))
            .AddAttribute("RequestSize",
                          "Bytes of request to read before answering",
                          UintegerValue(100),
                          MakeUintegerAccessor(&TcpServerProcess::m_requestSize),
                          MakeUintegerChecker<uint32_t>(1, 1000000))
            .AddAttribute("ResponseSize",
                          "Bytes of response",
                          UintegerValue(100),
                          MakeUintegerAccessor(&TcpServerProcess::m_responseSize),
                          MakeUintegerChecker<uint32_t>(0, 1000000))
            .AddAttribute("ClosePolicy",
                          "Who closes first: client-first (the server closes on the client's "
                          "FIN), server-first (after replying), linger0 (after replying, with RST)",
                          EnumValue(CLOSE_CLIENT_FIRST),
                          MakeEnumAccessor(&TcpServerProcess::m_policy),
                          MakeClosePolicyChecker())
            .AddAttribute("RequestsPerConnection",
                          "Request/response exchanges on one connection before the close "
                          "policy applies (server-first closes after the last response)",
                          UintegerValue(1),
                          MakeUintegerAccessor(&TcpServerProcess::m_requestsPerConnection),
                          MakeUintegerChecker<uint32_t>(1, 100000))
            .AddAttribute("RestartAt",
                          "Restart the process at this simulation time: close the listener, "
                          "then bind a new one; 0 (or a time before the start) = never",
                          TimeValue(Seconds(0)),
                          MakeTimeAccessor(&TcpServerProcess::m_restartAt),
                          MakeTimeChecker(Seconds(0)))
            .AddAttribute("RestartDelay",
                          "Time between closing the old listener and the new bind()",
                          TimeValue(Seconds(0)),
                          MakeTimeAccessor(&TcpServerProcess::m_restartDelay),
                          MakeTimeChecker(Seconds(0)))
            .AddAttribute("RestartReuseAddr",
                          "SO_REUSEADDR on the restarted listener: Same (as ReuseAddr), true, "
                          "false",
                          EnumValue(RESTART_REUSE_SAME),
                          MakeEnumAccessor(&TcpServerProcess::m_restartReuse),
                          MakeEnumChecker(RESTART_REUSE_SAME,
                                          "Same",
                                          RESTART_REUSE_ON,
                                          "true",
                                          RESTART_REUSE_OFF,
                                          "false"))
            .AddAttribute("RestartRetryInterval",
                          "Time between bind() attempts of the restarted listener (> 0)",
                          TimeValue(Seconds(1)),
                          MakeTimeAccessor(&TcpServerProcess::m_restartRetry),
                          MakeTimeChecker(MilliSeconds(1), Hours(1)))
            .AddAttribute("RestartMaxAttempts",
                          "bind() attempts after the restart before giving up (0: until the "
                          "application stops)",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TcpServerProcess::m_restartMaxAttempts),
                          MakeUintegerChecker<uint32_t>(0, 1000000))
            .AddAttribute("AcceptStop",
                          "From this time the process stops calling accept() (busy or "
                          "draining): established connections wait in the accept queue, "
                          "bounded by the backlog (portlab's TCP). Negative: never",
                          TimeValue(Seconds(-1)),
                          MakeTimeAccessor(&TcpServerProcess::m_acceptStop),
                          MakeTimeChecker())
            .AddTraceSource("Bind",
                            "Result of bind(): \"ok\" or Linux's errno name",
                            MakeTraceSourceAccessor(&TcpServerProcess::m_bindTrace),
                            "ns3::TcpServerProcess::BindTracedCallback")
            .AddTraceSource("Accept",
                            "A connection was accepted",
                            MakeTraceSourceAccessor(&TcpServerProcess::m_acceptTrace),
                            "ns3::Socket::TracedCallback")
            .AddTraceSource("Served",
                            "A response was sent on a connection",
                            MakeTraceSourceAccessor(&TcpServerProcess::m_servedTrace),
                            "ns3::Socket::TracedCallback")
            .AddTraceSource("Restart",
                            "The listener was closed for a restart",
                            MakeTraceSourceAccessor(&TcpServerProcess::m_restartTrace),
                            "ns3::TracedCallback::Void")
            .AddTraceSource("Listening",
                            "The process began (true) or stopped (false) listening",
                            MakeTraceSourceAccessor(&TcpServerProcess::m_listeningTrace),
                            "ns3::TcpServerProcess::ListeningTracedCallback")
            .AddTraceSource("ListenDrop",
                            "The listener dropped a handshake (portlab's TCP): 1 SYN queue full, "
                            "2 accept queue full, 3 final ACK with the accept queue full",
                            MakeTraceSourceAccessor(&TcpServerProcess::m_listenDropTrace),
                            "ns3::TcpServerProcess::ListenDropTracedCallback");
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
    m_restartEvent.Cancel();
    m_acceptStopEvent.Cancel();
    m_listener = nullptr;
    m_conns.clear();
    Application::DoDispose();
}

void
TcpServerProcess::StartApplication()
{
    NS_LOG_FUNCTION(this);
    OpenListener(m_reuseAddr);
    if (!m_acceptStop.IsNegative())
    {
        m_acceptStopEvent = Simulator::Schedule(std::max(m_acceptStop - Simulator::Now(), Time(0)),
                                                &TcpServerProcess::StopAccepting,
                                                this);
    }
    if (m_restartAt > Simulator::Now())
    {
        m_restartEvent =
            Simulator::Schedule(m_restartAt - Simulator::Now(), &TcpServerProcess::Restart, this);
    }
}

void
TcpServerProcess::StopApplication()
{
    NS_LOG_FUNCTION(this);
    m_restartEvent.Cancel();
    m_acceptStopEvent.Cancel();
    CloseListener();
}

void
TcpServerProcess::StopAccepting()
{
    NS_LOG_FUNCTION(this);
    m_accepting = false;
    if (m_listener)
    {
        m_listener->SetAttributeFailSafe("AutoAccept", BooleanValue(false));
    }
}

bool
TcpServerProcess::OpenListener(bool reuseAddr)
{
    Ptr<Socket> s = Socket::CreateSocket(GetNode(), m_protocol);
    s->SetAttributeFailSafe("ReuseAddr", BooleanValue(reuseAddr));
    s->SetAttributeFailSafe("ReusePort", BooleanValue(m_reusePort));
    s->SetAttributeFailSafe("Backlog", IntegerValue(m_backlog));
    s->SetAttributeFailSafe("AutoAccept", BooleanValue(m_accepting));
    m_bindResult = s->Bind(m_local) == 0 ? "ok" : SocketErrnoName(s);
    m_bindHistory.emplace_back(Simulator::Now(), m_bindResult);
    NS_LOG_INFO("bind " << m_bindResult);
    m_bindTrace(m_bindResult);
    if (m_bindResult != "ok")
    {
        s->Close();
        return false;
    }
    if (s->Listen() != 0)
    {
        m_bindTrace("listen: " + SocketErrnoName(s));
        s->Close();
        return false;
    }
    s->TraceConnectWithoutContext("ListenDrop",
                                  MakeCallback(&TcpServerProcess::HandleListenDrop, this));
    s->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                         MakeCallback(&TcpServerProcess::HandleAccept, this));
    m_listener = s;
    m_listeningTrace(true);
    return true;
}

void
TcpServerProcess::CloseListener()
{
    if (m_listener)
    {
        m_listener->TraceDisconnectWithoutContext(
            "ListenDrop",
            MakeCallback(&TcpServerProcess::HandleListenDrop, this));
        m_listener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                      MakeNullCallback<void, Ptr<Socket>, const Address&>());
        m_listener->Close();
        m_listener = nullptr;
        m_listeningTrace(false);
    }
}

void
TcpServerProcess::Restart()
{
    NS_LOG_FUNCTION(this);
    CloseListener();
    m_restartTrace();
    m_restartEvent = Simulator::Schedule(m_restartDelay, &TcpServerProcess::RestartBind, this);
}

void
TcpServerProcess::RestartBind()
{
    ++m_restartAttempts;
    bool reuse =
        m_restartReuse == RESTART_REUSE_SAME ? m_reuseAddr : m_restartReuse == RESTART_REUSE_ON;
    if (OpenListener(reuse))
    {
        m_restartedAt = Simulator::Now();
        return;
    }
    if (m_restartMaxAttempts == 0 || m_restartAttempts < m_restartMaxAttempts)
    {
        m_restartEvent = Simulator::Schedule(m_restartRetry, &TcpServerProcess::RestartBind, this);
    }
}

void
TcpServerProcess::HandleListenDrop(uint32_t reason)
{
    ++m_listenDrops;
    m_listenDropTrace(reason);
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
    while (c.replied < m_requestsPerConnection && c.received >= m_requestSize)
    {
        c.received -= m_requestSize;
        ++c.replied;
        if (m_responseSize > 0)
        {
            s->Send(Create<Packet>(m_responseSize));
        }
        ++m_served;
        m_servedTrace(s);
        if (c.replied == m_requestsPerConnection && m_policy != CLOSE_CLIENT_FIRST)
        {
            Finish(s, m_policy == CLOSE_LINGER_ZERO);
            return;
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
