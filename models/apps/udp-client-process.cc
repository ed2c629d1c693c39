/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "apps/udp-client-process.h"

#include "transport/linux-errno-name.h"

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/inet-socket-address.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/udp-socket-factory.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("UdpClientProcess");
NS_OBJECT_ENSURE_REGISTERED(UdpClientProcess);

TypeId
UdpClientProcess::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::UdpClientProcess")
            .SetParent<Application>()
            .SetGroupName("Portlab")
            .AddConstructor<UdpClientProcess>()
            .AddAttribute("Remote",
                          "Server address and port (when Remotes is empty)",
                          AddressValue(),
                          MakeAddressAccessor(&UdpClientProcess::m_remote),
                          MakeAddressChecker())
            .AddAttribute("Remotes",
                          "Destination set, round-robin: \"10.0.0.1:53,10.0.0.2:53\"; when "
                          "empty, Remote is the only destination",
                          StringValue(""),
                          MakeStringAccessor(&UdpClientProcess::SetRemotesText,
                                             &UdpClientProcess::GetRemotesText),
                          MakeStringChecker())
            .AddAttribute("Protocol",
                          "The socket factory",
                          TypeIdValue(UdpSocketFactory::GetTypeId()),
                          MakeTypeIdAccessor(&UdpClientProcess::m_protocol),
                          MakeTypeIdChecker())
            // From one per 11.6 days (as TcpClientProcess::Rate) to 10M/s.
            .AddAttribute("Rate",
                          "Datagrams per second",
                          DoubleValue(100),
                          MakeDoubleAccessor(&UdpClientProcess::m_rate),
                          MakeDoubleChecker<double>(1e-6, 1e7))
            .AddAttribute("Poisson",
                          "Poisson sends (exponential gaps); false: constant gaps of 1/Rate",
                          BooleanValue(false),
                          MakeBooleanAccessor(&UdpClientProcess::m_poisson),
                          MakeBooleanChecker())
            .AddAttribute("MaxDatagrams",
                          "Stop after this many send attempts (0: until the app stops)",
                          UintegerValue(0),
                          MakeUintegerAccessor(&UdpClientProcess::m_maxDatagrams),
                          MakeUintegerChecker<uint64_t>(0, 1000000000))
            .AddAttribute("RequestSize",
                          "Bytes of each request datagram",
                          UintegerValue(100),
                          MakeUintegerAccessor(&UdpClientProcess::m_requestSize),
                          MakeUintegerChecker<uint32_t>(0, 65507))
            .AddAttribute("Connected",
                          "connect() one socket per destination once and send(); false: one "
                          "socket and sendto() per datagram",
                          BooleanValue(false),
                          MakeBooleanAccessor(&UdpClientProcess::m_connected),
                          MakeBooleanChecker())
            .AddAttribute("BindBeforeSend",
                          "bind(0) each socket before its first connect() or send",
                          BooleanValue(false),
                          MakeBooleanAccessor(&UdpClientProcess::m_bindBeforeSend),
                          MakeBooleanChecker())
            .AddTraceSource("Tx",
                            "A request was sent (payload, destination)",
                            MakeTraceSourceAccessor(&UdpClientProcess::m_txTrace),
                            "ns3::Packet::AddressTracedCallback")
            .AddTraceSource("Rx",
                            "An answer arrived (payload, sender)",
                            MakeTraceSourceAccessor(&UdpClientProcess::m_rxTrace),
                            "ns3::Packet::AddressTracedCallback")
            .AddTraceSource("Error",
                            "A call failed: call (bind, connect, send, recv) and Linux's errno",
                            MakeTraceSourceAccessor(&UdpClientProcess::m_errorTrace),
                            "ns3::UdpClientProcess::ErrorTracedCallback");
    return tid;
}

UdpClientProcess::UdpClientProcess()
{
    NS_LOG_FUNCTION(this);
}

UdpClientProcess::~UdpClientProcess()
{
    NS_LOG_FUNCTION(this);
}

int64_t
UdpClientProcess::AssignStreams(int64_t stream)
{
    return m_gaps.AssignStreams(stream);
}

void
UdpClientProcess::SetRemotes(const std::vector<Address>& remotes)
{
    m_remotes.Set(remotes);
}

void
UdpClientProcess::AddRemote(const Address& remote)
{
    m_remotes.Add(remote);
}

void
UdpClientProcess::SetRemotesText(std::string text)
{
    m_remotes.Set(ParseRemoteList(text));
}

std::string
UdpClientProcess::GetRemotesText() const
{
    return FormatRemoteList(m_remotes.Get());
}

void
UdpClientProcess::DoDispose()
{
    m_next.Cancel();
    m_sockets.clear();
    Application::DoDispose();
}

Ptr<Socket>
UdpClientProcess::NewSocket()
{
    Ptr<Socket> s = Socket::CreateSocket(GetNode(), m_protocol);
    s->SetRecvCallback(MakeCallback(&UdpClientProcess::HandleRead, this));
    if (m_bindBeforeSend && s->Bind() != 0)
    {
        Error("bind", s);
    }
    return s;
}

void
UdpClientProcess::StartApplication()
{
    NS_LOG_FUNCTION(this);
    NS_ABORT_MSG_IF(!m_remotes.Valid(m_remote),
                    "UdpClientProcess: neither Remote nor Remotes is set");
    m_gaps.Start(m_rate, m_poisson);
    if (m_connected)
    {
        size_t n = m_remotes.Get().empty() ? 1 : m_remotes.Get().size();
        for (size_t i = 0; i < n; ++i)
        {
            Address to = m_remotes.Next(m_remote);
            Ptr<Socket> s = NewSocket();
            if (s->Connect(to) != 0)
            {
                Error("connect", s);
            }
            m_sockets.push_back(s);
            m_targets.push_back(to);
        }
    }
    else
    {
        m_sockets.push_back(NewSocket());
    }
    SendOne();
}

void
UdpClientProcess::StopApplication()
{
    NS_LOG_FUNCTION(this);
    m_next.Cancel();
    for (Ptr<Socket> s : m_sockets)
    {
        s->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
        s->Close();
    }
    m_sockets.clear();
    m_targets.clear();
}

void
UdpClientProcess::ScheduleNext()
{
    m_next = Simulator::Schedule(m_gaps.Next(), &UdpClientProcess::SendOne, this);
}

void
UdpClientProcess::SendOne()
{
    Ptr<Packet> p = Create<Packet>(m_requestSize);
    int r;
    Address to;
    Ptr<Socket> s;
    if (m_connected)
    {
        s = m_sockets[m_nextSocket];
        to = m_targets[m_nextSocket];
        m_nextSocket = (m_nextSocket + 1) % m_sockets.size();
        r = s->Send(p);
    }
    else
    {
        s = m_sockets.front();
        to = m_remotes.Next(m_remote);
        r = s->SendTo(p, 0, to);
    }
    ++m_attempts;
    if (r < 0)
    {
        Error("send", s);
    }
    else
    {
        ++m_sent;
        m_txTrace(p, to);
    }
    if (m_maxDatagrams == 0 || m_attempts < m_maxDatagrams)
    {
        ScheduleNext();
    }
}

void
UdpClientProcess::HandleRead(Ptr<Socket> s)
{
    Address from;
    while (true)
    {
        Ptr<Packet> p = s->RecvFrom(from);
        if (!p)
        {
            if (!RecvFailure(s).empty())
            {
                Error("recv", s);
            }
            return;
        }
        ++m_received;
        m_rxTrace(p, from);
    }
}

void
UdpClientProcess::Error(const std::string& call, Ptr<Socket> s)
{
    std::string e = SocketErrnoName(s);
    NS_LOG_INFO(call << ": " << e);
    ++m_errors[e];
    m_errorTrace(call, e);
}

} // namespace ns3
