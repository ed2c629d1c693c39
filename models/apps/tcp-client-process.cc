/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "apps/tcp-client-process.h"

#include "transport/linux-errno-name.h"

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/inet-socket-address.h"
#include "ns3/log.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/tcp-socket-factory.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/uinteger.h"

#include <algorithm>

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
            .AddAttribute("Remotes",
                          "Destination set, round-robin: \"10.0.0.1:80,10.0.0.2:80\"; when "
                          "empty, Remote is the only destination",
                          StringValue(""),
                          MakeStringAccessor(&TcpClientProcess::SetRemotesText,
                                             &TcpClientProcess::GetRemotesText),
                          MakeStringChecker())
            .AddAttribute("Concurrency",
                          "Closed loop: keep this many connections in flight, opening a new one "
                          "when one ends (Rate and Poisson are then unused); 0 = open loop",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TcpClientProcess::m_concurrency),
                          MakeUintegerChecker<uint32_t>(0, 100000))
            .AddAttribute("RetryGap",
                          "Closed loop: wait this long after a failed connection before opening "
                          "its replacement (> 0, so failures cannot loop in zero time)",
                          TimeValue(MilliSeconds(1)),
                          MakeTimeAccessor(&TcpClientProcess::m_retryGap),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("RequestsPerConnection",
                          "Request/response exchanges on one connection before the close policy "
                          "applies",
                          UintegerValue(1),
                          MakeUintegerAccessor(&TcpClientProcess::m_requestsPerConnection),
                          MakeUintegerChecker<uint32_t>(1, 100000))
            .AddAttribute("Protocol",
                          "The socket factory",
                          TypeIdValue(TcpSocketFactory::GetTypeId()),
                          MakeTypeIdAccessor(&TcpClientProcess::m_protocol),
                          MakeTypeIdChecker())
            // From one arrival per 11.6 days (below, no second arrival falls within the longest
            // scenario, 100,000 s; and Poisson gaps must stay within ns-3's time) to 10M/s.
            .AddAttribute("Rate",
                          "Connection arrivals per second",
                          DoubleValue(100),
                          MakeDoubleAccessor(&TcpClientProcess::m_rate),
                          MakeDoubleChecker<double>(1e-6, 1e7))
            .AddAttribute("Poisson",
                          "Poisson arrivals (exponential gaps); false: constant gaps of 1/Rate",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TcpClientProcess::m_poisson),
                          MakeBooleanChecker())
            .AddAttribute("MaxConnections",
                          "Stop opening connections after this many (0: until the app stops)",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TcpClientProcess::m_maxConnections),
                          MakeUintegerChecker<uint64_t>(0, 1000000000))
            .AddAttribute("RequestSize",
                          "Request bytes",
                          UintegerValue(100),
                          MakeUintegerAccessor(&TcpClientProcess::m_requestSize),
                          MakeUintegerChecker<uint32_t>(1, 1000000))
            .AddAttribute("ResponseSize",
                          "Response bytes expected before an exchange counts as complete",
                          UintegerValue(100),
                          MakeUintegerAccessor(&TcpClientProcess::m_responseSize),
                          MakeUintegerChecker<uint32_t>(0, 1000000))
            .AddAttribute("ClosePolicy",
                          "Who closes first: client-first (after the response), server-first (the "
                          "client closes on the server's FIN), linger0 (the client resets)",
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
            .AddTraceSource("Abort",
                            "An established connection failed before its last exchange "
                            "(ECONNRESET, ETIMEDOUT, ...): Linux's errno name",
                            MakeTraceSourceAccessor(&TcpClientProcess::m_abortTrace),
                            "ns3::TcpClientProcess::ResultTracedCallback")
            .AddTraceSource("Established",
                            "A connection was established: its local and remote address",
                            MakeTraceSourceAccessor(&TcpClientProcess::m_establishedTrace),
                            "ns3::TcpClientProcess::EstablishedTracedCallback")
            .AddTraceSource("Complete",
                            "A request/response exchange completed",
                            MakeTraceSourceAccessor(&TcpClientProcess::m_completeTrace),
                            "ns3::TracedCallback::Void")
            .AddTraceSource(
                "Attempt",
                "A connection was started (socket, bind, connect), whatever its outcome",
                MakeTraceSourceAccessor(&TcpClientProcess::m_attemptTrace),
                "ns3::TracedCallback::Void")
            .AddTraceSource("Incomplete",
                            "A connection closed before its last request/response exchange",
                            MakeTraceSourceAccessor(&TcpClientProcess::m_incompleteTrace),
                            "ns3::TracedCallback::Void");
    return tid;
}

TcpClientProcess::TcpClientProcess()
    : m_onConnected(MakeCallback(&TcpClientProcess::ConnectionSucceeded, this)),
      m_onConnectFailed(MakeCallback(&TcpClientProcess::ConnectionFailed, this)),
      m_onRead(MakeCallback(&TcpClientProcess::HandleRead, this)),
      m_onPeerClose(MakeCallback(&TcpClientProcess::HandlePeerClose, this)),
      m_onErrorClose(MakeCallback(&TcpClientProcess::HandleErrorClose, this))
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
    return m_gaps.AssignStreams(stream);
}

void
TcpClientProcess::SetRemotes(const std::vector<Address>& remotes)
{
    m_remotes.Set(remotes);
}

void
TcpClientProcess::AddRemote(const Address& remote)
{
    m_remotes.Add(remote);
}

void
TcpClientProcess::SetRemotesText(std::string text)
{
    m_remotes.Set(ParseRemoteList(text));
}

std::string
TcpClientProcess::GetRemotesText() const
{
    return FormatRemoteList(m_remotes.Get());
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
    NS_ABORT_MSG_IF(!m_remotes.Valid(m_remote),
                    "TcpClientProcess: neither Remote nor Remotes is set");
    m_running = true;
    m_gaps.Start(m_rate, m_poisson);
    if (m_concurrency == 0)
    {
        NewConnection();
        return;
    }
    for (uint32_t i = 0; i < m_concurrency && !Exhausted(); ++i)
    {
        NewConnection();
    }
}

void
TcpClientProcess::StopApplication()
{
    NS_LOG_FUNCTION(this);
    m_running = false;
    m_next.Cancel();
}

bool
TcpClientProcess::Exhausted() const
{
    return m_maxConnections != 0 && m_attempted >= m_maxConnections;
}

void
TcpClientProcess::ScheduleNext()
{
    if (m_concurrency != 0 || Exhausted())
    {
        return;
    }
    m_next = Simulator::Schedule(m_gaps.Next(), &TcpClientProcess::NewConnection, this);
}

void
TcpClientProcess::Replace(bool afterFailure)
{
    if (m_concurrency == 0 || !m_running || Exhausted())
    {
        return;
    }
    if (afterFailure)
    {
        Simulator::Schedule(m_retryGap, &TcpClientProcess::NewConnection, this);
    }
    else
    {
        NewConnection();
    }
}

void
TcpClientProcess::NewConnection()
{
    if (!m_running || Exhausted())
    {
        return;
    }
    ++m_attempted;
    m_attemptTrace();
    ScheduleNext();
    Address remote = m_remotes.Next(m_remote);
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
    s->SetCloseCallbacks(m_onPeerClose, m_onErrorClose);
    if (s->Connect(remote) != 0)
    {
        Fail(s, SocketErrnoName(s)); // EADDRNOTAVAIL: no port or 4-tuple left
        return;
    }
    m_conns[PeekPointer(s)].socket = s;
    m_maxOpen = std::max(m_maxOpen, m_conns.size());
}

void
TcpClientProcess::Fail(Ptr<Socket> s, const std::string& why)
{
    ++m_failures[why];
    m_resultTrace(why);
    DetachAndClose(s, false);
    m_conns.erase(PeekPointer(s));
    Replace(true);
}

void
TcpClientProcess::ConnectionSucceeded(Ptr<Socket> s)
{
    ++m_connected;
    if (!m_resultTrace.IsEmpty())
    {
        m_resultTrace("ok");
    }
    if (!m_establishedTrace.IsEmpty())
    {
        Address local;
        Address remote;
        s->GetSockName(local);
        s->GetPeerName(remote);
        m_establishedTrace(local, remote);
    }
    SendRequest(s);
}

void
TcpClientProcess::SendRequest(Ptr<Socket> s)
{
    s->Send(Create<Packet>(m_requestSize));
    if (m_responseSize == 0)
    {
        ExchangeDone(s);
    }
}

void
TcpClientProcess::ExchangeDone(Ptr<Socket> s)
{
    auto it = m_conns.find(PeekPointer(s));
    if (it == m_conns.end())
    {
        return;
    }
    ++m_completed;
    m_completeTrace();
    it->second.got = 0;
    if (++it->second.done < m_requestsPerConnection)
    {
        SendRequest(s);
        return;
    }
    if (m_policy != CLOSE_SERVER_FIRST)
    {
        Finish(s, m_policy == CLOSE_LINGER_ZERO);
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
    uint32_t fresh = 0;
    while (Ptr<Packet> p = s->Recv())
    {
        if (p->GetSize() == 0)
        {
            break;
        }
        fresh += p->GetSize();
    }
    if (m_responseSize == 0)
    {
        return; // exchanges complete when sent
    }
    // Responses arrive in order: each ResponseSize bytes completes one exchange.
    while (fresh > 0)
    {
        it = m_conns.find(PeekPointer(s));
        if (it == m_conns.end() || it->second.done >= m_requestsPerConnection)
        {
            return;
        }
        uint32_t need = m_responseSize - it->second.got;
        uint32_t take = std::min(need, fresh);
        it->second.got += take;
        fresh -= take;
        if (it->second.got < m_responseSize)
        {
            return;
        }
        ExchangeDone(s);
    }
}

void
TcpClientProcess::HandleErrorClose(Ptr<Socket> s)
{
    auto it = m_conns.find(PeekPointer(s));
    if (it != m_conns.end() && it->second.done < m_requestsPerConnection)
    {
        std::string why = SocketErrnoName(s);
        ++m_aborted[why]; // ECONNRESET, ETIMEDOUT ... after connect()
        m_abortTrace(why);
    }
    HandlePeerClose(s);
}

void
TcpClientProcess::HandlePeerClose(Ptr<Socket> s)
{
    if (m_conns.count(PeekPointer(s)))
    {
        HandleRead(s);
        auto it = m_conns.find(PeekPointer(s));
        if (it != m_conns.end())
        {
            if (it->second.done < m_requestsPerConnection)
            {
                ++m_incomplete;
                m_incompleteTrace();
            }
            Finish(s, false);
        }
    }
}

void
TcpClientProcess::Finish(Ptr<Socket> s, bool rst)
{
    DetachAndClose(s, rst);
    m_conns.erase(PeekPointer(s));
    Replace(false);
}

} // namespace ns3
