/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tcp-client-process.h"

#include "linux-errno-name.h"

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/inet-socket-address.h"
#include "ns3/log.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/tcp-socket-factory.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TcpClientProcess");
NS_OBJECT_ENSURE_REGISTERED(TcpClientProcess);

TypeId
TcpClientProcess::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::TcpClientProcess")
            .SetParent<Application>()
            .SetGroupName("Portlab")
            .AddConstructor<TcpClientProcess>()
            .AddAttribute("Remote",
                          "Server address and port",
                          AddressValue(),
                          MakeAddressAccessor(&TcpClientProcess::m_remote),
                          MakeAddressChecker())
            .AddAttribute("Protocol",
                          "The socket factory",
                          TypeIdValue(TcpSocketFactory::GetTypeId()),
                          MakeTypeIdAccessor(&TcpClientProcess::m_protocol),
                          MakeTypeIdChecker())
            .AddAttribute("Rate",
                          "Connection arrivals per second (> 0)",
                          DoubleValue(100),
                          MakeDoubleAccessor(&TcpClientProcess::m_rate),
                          MakeDoubleChecker<double>(1e-9))
            .AddAttribute("Poisson",
                          "Poisson arrivals (exponential gaps); false: constant gaps of 1/Rate",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TcpClientProcess::m_poisson),
                          MakeBooleanChecker())
            .AddAttribute("MaxConnections",
                          "Stop opening connections after this many (0: until the app stops)",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TcpClientProcess::m_maxConnections),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("RequestSize",
                          "Request bytes",
                          UintegerValue(100),
                          MakeUintegerAccessor(&TcpClientProcess::m_requestSize),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("ResponseSize",
                          "Response bytes expected before the exchange counts as complete",
                          UintegerValue(100),
                          MakeUintegerAccessor(&TcpClientProcess::m_responseSize),
                          MakeUintegerChecker<uint32_t>(0))
            .AddAttribute("ClosePolicy",
                          "Who closes first: ClientFirst (after the response), ServerFirst (the "
                          "client closes on the server's FIN), Linger0 (the client resets)",
                          EnumValue(CLOSE_CLIENT_FIRST),
                          MakeEnumAccessor(&TcpClientProcess::m_policy),
                          MakeClosePolicyChecker())
            .AddAttribute("BindBeforeConnect",
                          "bind(0) before connect(): the port is then never shared by 4-tuple",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TcpClientProcess::m_bindBeforeConnect),
                          MakeBooleanChecker())
            .AddAttribute("BindAddressNoPort",
                          "IP_BIND_ADDRESS_NO_PORT with BindBeforeConnect: the port is chosen at "
                          "connect() and may be shared",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TcpClientProcess::m_bindAddressNoPort),
                          MakeBooleanChecker())
            .AddTraceSource("Result",
                            "Each connection's outcome: \"ok\" or Linux's errno name",
                            MakeTraceSourceAccessor(&TcpClientProcess::m_resultTrace),
                            "ns3::TcpClientProcess::ResultTracedCallback")
            .AddTraceSource("Complete",
                            "A request/response exchange completed",
                            MakeTraceSourceAccessor(&TcpClientProcess::m_completeTrace),
                            "ns3::TracedCallback::Void");
    return tid;
}

TcpClientProcess::TcpClientProcess()
    : m_gap(CreateObject<ExponentialRandomVariable>()),
      m_onConnected(MakeCallback(&TcpClientProcess::ConnectionSucceeded, this)),
      m_onConnectFailed(MakeCallback(&TcpClientProcess::ConnectionFailed, this)),
      m_onRead(MakeCallback(&TcpClientProcess::HandleRead, this)),
      m_onPeerClose(MakeCallback(&TcpClientProcess::HandlePeerClose, this))
{
    NS_LOG_FUNCTION(this);
}

TcpClientProcess::~TcpClientProcess()
{
    NS_LOG_FUNCTION(this);
}

int64_t
TcpClientProcess::AssignStreams(int64_t stream)
{
    m_gap->SetStream(stream);
    return 1;
}

void
TcpClientProcess::DoDispose()
{
    m_next.Cancel();
    m_conns.clear();
    Application::DoDispose();
}

void
TcpClientProcess::StartApplication()
{
    NS_LOG_FUNCTION(this);
    NS_ABORT_MSG_IF(m_remote.IsInvalid(), "TcpClientProcess: the Remote attribute is not set");
    m_gap->SetAttribute("Mean", DoubleValue(1.0 / m_rate));
    NewConnection();
}

void
TcpClientProcess::StopApplication()
{
    NS_LOG_FUNCTION(this);
    m_next.Cancel();
}

void
TcpClientProcess::ScheduleNext()
{
    if (m_maxConnections != 0 && m_attempted >= m_maxConnections)
    {
        return;
    }
    double gap = m_poisson ? m_gap->GetValue() : 1.0 / m_rate;
    m_next = Simulator::Schedule(Seconds(gap), &TcpClientProcess::NewConnection, this);
}

void
TcpClientProcess::NewConnection()
{
    ++m_attempted;
    ScheduleNext();
    Ptr<Socket> s = Socket::CreateSocket(GetNode(), m_protocol);
    if (m_bindBeforeConnect)
    {
        s->SetAttributeFailSafe("BindAddressNoPort", BooleanValue(m_bindAddressNoPort));
        if (s->Bind() != 0)
        {
            Fail(s, SocketErrnoName(s));
            return;
        }
    }
    s->SetConnectCallback(m_onConnected, m_onConnectFailed);
    s->SetRecvCallback(m_onRead);
    s->SetCloseCallbacks(m_onPeerClose, m_onPeerClose);
    if (s->Connect(m_remote) != 0)
    {
        Fail(s, SocketErrnoName(s)); // EADDRNOTAVAIL: no port or 4-tuple left
        return;
    }
    m_conns[PeekPointer(s)] = {s, 0};
}

void
TcpClientProcess::Fail(Ptr<Socket> s, const std::string& why)
{
    ++m_failures[why];
    m_resultTrace(why);
    Finish(s, false);
}

void
TcpClientProcess::ConnectionSucceeded(Ptr<Socket> s)
{
    ++m_connected;
    if (!m_resultTrace.IsEmpty())
    {
        m_resultTrace("ok");
    }
    s->Send(Create<Packet>(m_requestSize));
    if (m_responseSize == 0)
    {
        ++m_completed;
        m_completeTrace();
        if (m_policy != CLOSE_SERVER_FIRST)
        {
            Finish(s, m_policy == CLOSE_LINGER_ZERO);
        }
    }
}

void
TcpClientProcess::ConnectionFailed(Ptr<Socket> s)
{
    Fail(s, SocketErrnoName(s)); // ECONNREFUSED, ETIMEDOUT, ...
}

void
TcpClientProcess::HandleRead(Ptr<Socket> s)
{
    auto it = m_conns.find(PeekPointer(s));
    if (it == m_conns.end())
    {
        return;
    }
    uint32_t& got = it->second.second;
    bool wasComplete = got >= m_responseSize;
    while (Ptr<Packet> p = s->Recv())
    {
        if (p->GetSize() == 0)
        {
            break;
        }
        got += p->GetSize();
    }
    if (!wasComplete && got >= m_responseSize)
    {
        ++m_completed;
        m_completeTrace();
        if (m_policy != CLOSE_SERVER_FIRST)
        {
            Finish(s, m_policy == CLOSE_LINGER_ZERO);
        }
    }
}

void
TcpClientProcess::HandlePeerClose(Ptr<Socket> s)
{
    if (m_conns.count(PeekPointer(s)))
    {
        HandleRead(s);
        if (m_conns.count(PeekPointer(s)))
        {
            Finish(s, false);
        }
    }
}

void
TcpClientProcess::Finish(Ptr<Socket> s, bool rst)
{
    DetachAndClose(s, rst);
    m_conns.erase(PeekPointer(s));
}

} // namespace ns3
