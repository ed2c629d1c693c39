/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-tcp-socket.h"

#include "ipv4/linux-route.h"
#include "ports/ephemeral-port-selector.h"
#include "ports/tcp-retransmit-rules.h"
#include "ports/tcp-time-wait-rules.h"
#include "transport/linux-tcp-l4-protocol.h"

#include "ns3/boolean.h"
#include "ns3/inet-socket-address.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/integer.h"
#include "ns3/ipv4.h"
#include "ns3/ipv6-header.h"
#include "ns3/ipv6-route.h"
#include "ns3/ipv6-routing-protocol.h"
#include "ns3/ipv6.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

namespace
{
/// TCP_TIMEOUT_MIN: 2 jiffies (include/net/tcp.h).
constexpr uint32_t TCP_TIMEOUT_MIN_JIFFIES = 2;
} // namespace

NS_LOG_COMPONENT_DEFINE("LinuxTcpSocket");
NS_OBJECT_ENSURE_REGISTERED(LinuxTcpSocket);

using portlab::Errno;
using portlab::TcpState;

namespace
{
const Time TCP_RTO_MIN = MilliSeconds(200);                    //!< include/net/tcp.h
const Time TCP_RTO_MAX = NanoSeconds(portlab::TCP_RTO_MAX_NS); //!< include/net/tcp.h
constexpr uint32_t MAX_WINDOW = 65535;                         //!< no window scaling
constexpr uint32_t ORPHAN_RETRIES_ALIVE = 8;                   //!< tcp_orphan_retries 0 means 8
} // namespace

TypeId
LinuxTcpSocket::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LinuxTcpSocket")
            .SetParent<TcpSocket>()
            .SetGroupName("Portlab")
            .AddConstructor<LinuxTcpSocket>()
            .AddAttribute(
                "ReuseAddr",
                "SO_REUSEADDR: share a port with other SO_REUSEADDR sockets that are "
                "not listening, and with TIME_WAIT entries of such sockets",
                BooleanValue(false),
                MakeBooleanAccessor(&LinuxTcpSocket::SetReuseAddr, &LinuxTcpSocket::GetReuseAddr),
                MakeBooleanChecker())
            .AddAttribute(
                "ReusePort",
                "SO_REUSEPORT: share a port with other SO_REUSEPORT sockets of the same "
                "owner uid; listeners form a group balanced by 4-tuple hash",
                BooleanValue(false),
                MakeBooleanAccessor(&LinuxTcpSocket::SetReusePort, &LinuxTcpSocket::GetReusePort),
                MakeBooleanChecker())
            .AddAttribute("Ipv6Only",
                          "IPV6_V6ONLY: an AF_INET6 socket that sets it neither conflicts with "
                          "IPv4 nor receives it. Its initial value is net.ipv6.bindv6only's at "
                          "socket(AF_INET6), whatever this attribute's default; binding a "
                          "native IPv6 address forces it on; accepted sockets inherit it. "
                          "Setting it fails (SetAttributeFailSafe false; GetLinuxErrno tells) "
                          "with ENOPROTOOPT on an AF_INET socket and EINVAL once the socket "
                          "has a port",
                          BooleanValue(false),
                          MakeBooleanAccessor(&LinuxTcpSocket::SetIpv6OnlyAttribute,
                                              &LinuxTcpSocket::GetIpv6Only),
                          MakeBooleanChecker())
            .AddAttribute("Uid",
                          "Owner uid (SO_REUSEPORT needs equal uids; uid 0 may bind ports below "
                          "ip_unprivileged_port_start)",
                          UintegerValue(0),
                          MakeUintegerAccessor(&LinuxTcpSocket::SetUid, &LinuxTcpSocket::GetUid),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("BoundDevice",
                          "SO_BINDTODEVICE: Linux ifindex (1 = loopback, ns-3 interface i is "
                          "ifindex i+1); 0 = none",
                          UintegerValue(0),
                          MakeUintegerAccessor(&LinuxTcpSocket::SetBoundDevice,
                                               &LinuxTcpSocket::GetBoundDevice),
                          MakeUintegerChecker<uint32_t>(0, 65535))
            .AddAttribute("BindAddressNoPort",
                          "IP_BIND_ADDRESS_NO_PORT: bind(addr, 0) defers the port to connect(), "
                          "which may then share it by 4-tuple",
                          BooleanValue(false),
                          MakeBooleanAccessor(&LinuxTcpSocket::SetBindAddressNoPort,
                                              &LinuxTcpSocket::GetBindAddressNoPort),
                          MakeBooleanChecker())
            .AddAttribute("LocalPortRange",
                          "IP_LOCAL_PORT_RANGE as \"LO HI\" (either 0 = the host's end; ends "
                          "outside ip_local_port_range are ignored); empty = unset",
                          StringValue(""),
                          MakeStringAccessor(&LinuxTcpSocket::SetLocalPortRange,
                                             &LinuxTcpSocket::GetLocalPortRange),
                          MakeStringChecker())
            .AddAttribute("NonBlocking",
                          "O_NONBLOCK. On (the default: ns-3's Connect() returns at once, as a "
                          "non-blocking connect() in an event-driven program), the outcome "
                          "waits in sock->state SS_CONNECTING for a later connect() call. Off, "
                          "Connect() acts as a blocking connect() returning at the "
                          "ConnectionSucceeded/Failed callback: SS_CONNECTED, or the error "
                          "returned and the socket disconnected",
                          BooleanValue(true),
                          MakeBooleanAccessor(&LinuxTcpSocket::m_nonBlocking),
                          MakeBooleanChecker())
            .AddAttribute("Linger",
                          "SO_LINGER l_onoff; with LingerTime 0, close() sends RST and leaves no "
                          "TIME_WAIT",
                          BooleanValue(false),
                          MakeBooleanAccessor(&LinuxTcpSocket::m_lingerOn),
                          MakeBooleanChecker())
            .AddAttribute("LingerTime",
                          "SO_LINGER l_linger",
                          TimeValue(Seconds(0)),
                          MakeTimeAccessor(&LinuxTcpSocket::m_lingerTime),
                          MakeTimeChecker(Seconds(0)))
            .AddAttribute("Backlog",
                          "listen() backlog (negative: net.core.somaxconn); clamped to somaxconn",
                          IntegerValue(-1),
                          MakeIntegerAccessor(&LinuxTcpSocket::m_backlogRequest),
                          MakeIntegerChecker<int64_t>())
            .AddAttribute("InitialRto",
                          "Initial retransmission timeout of SYN and SYN-ACK (Linux's "
                          "TCP_TIMEOUT_INIT, 1 s). ns-3's ConnTimeout attribute is not used: its "
                          "3 s default is not Linux's",
                          TimeValue(Seconds(1)),
                          MakeTimeAccessor(&LinuxTcpSocket::m_initialRto),
                          MakeTimeChecker(MilliSeconds(1)))
            .AddAttribute("SynCount",
                          "TCP_SYNCNT: SYN retransmissions before connect() gives up (0 = the "
                          "host's net.ipv4.tcp_syn_retries, read when each SYN timer fires). "
                          "ns-3's SynRetries attribute is not used: its default 6 would hide "
                          "the sysctl",
                          UintegerValue(0),
                          MakeUintegerAccessor(&LinuxTcpSocket::m_synCount),
                          MakeUintegerChecker<uint32_t>(0, 127))
            .AddAttribute("AutoAccept",
                          "Hand each established connection to the application at once (ns-3's "
                          "usual behaviour). false: connections wait in the accept queue, "
                          "bounded by the backlog, until Accept()",
                          BooleanValue(true),
                          MakeBooleanAccessor(&LinuxTcpSocket::m_autoAccept),
                          MakeBooleanChecker())
            .AddTraceSource("State",
                            "TCP state changes (old, new)",
                            MakeTraceSourceAccessor(&LinuxTcpSocket::m_stateTrace),
                            "ns3::LinuxTcpSocket::StateTracedCallback")
            .AddTraceSource("Result",
                            "Result of bind, listen and connect, with Linux's errno",
                            MakeTraceSourceAccessor(&LinuxTcpSocket::m_resultTrace),
                            "ns3::LinuxTcpSocket::ResultTracedCallback")
            .AddTraceSource("LinuxErrno",
                            "Every failure, with Linux's errno (ECONNREFUSED, ECONNRESET, ...)",
                            MakeTraceSourceAccessor(&LinuxTcpSocket::m_errnoTrace),
                            "ns3::TracedValueCallback::Uint8")
            .AddTraceSource("ListenDrop",
                            "A listener dropped a handshake: 1 SYN queue full, 2 accept queue "
                            "full, 3 final ACK with the accept queue full",
                            MakeTraceSourceAccessor(&LinuxTcpSocket::m_dropTrace),
                            "ns3::TracedValueCallback::Uint32");
    return tid;
}

LinuxTcpSocket::LinuxTcpSocket()
    : m_txBuffer(Create<Packet>())
{
    NS_LOG_FUNCTION(this);
}

LinuxTcpSocket::LinuxTcpSocket(const LinuxTcpSocket& l)
    : TcpSocket(l),
      m_reuseAddr(l.m_reuseAddr),
      m_reusePort(l.m_reusePort),
      m_uid(l.m_uid),
      m_boundDev(l.m_boundDev),
      m_bindAddressNoPort(l.m_bindAddressNoPort),
      m_rangeLo(l.m_rangeLo),
      m_rangeHi(l.m_rangeHi),
      m_nonBlocking(l.m_nonBlocking),
      m_lingerOn(l.m_lingerOn),
      m_lingerTime(l.m_lingerTime),
      m_autoAccept(l.m_autoAccept),
      m_backlogRequest(l.m_backlogRequest),
      m_sndBufSize(l.m_sndBufSize),
      m_rcvBufSize(l.m_rcvBufSize),
      m_segSize(l.m_segSize),
      m_connTimeout(l.m_connTimeout),
      m_initialRto(l.m_initialRto),
      m_synRetries(l.m_synRetries),
      m_synCount(l.m_synCount),
      m_dataRetries(l.m_dataRetries),
      m_delAckTimeout(l.m_delAckTimeout),
      m_delAckCount(l.m_delAckCount),
      m_noDelay(l.m_noDelay),
      m_persistTimeout(l.m_persistTimeout),
      m_txBuffer(Create<Packet>())
{
    m_inet6 = l.m_inet6; // accepted sockets have their listener's family
    // The other socket's application callbacks are not this one's.
    SetConnectCallback(MakeNullCallback<void, Ptr<Socket>>(),
                       MakeNullCallback<void, Ptr<Socket>>());
    SetCloseCallbacks(MakeNullCallback<void, Ptr<Socket>>(), MakeNullCallback<void, Ptr<Socket>>());
    SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                      MakeNullCallback<void, Ptr<Socket>, const Address&>());
    SetDataSentCallback(MakeNullCallback<void, Ptr<Socket>, uint32_t>());
    SetSendCallback(MakeNullCallback<void, Ptr<Socket>, uint32_t>());
    SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
}

LinuxTcpSocket::~LinuxTcpSocket()
{
    NS_LOG_FUNCTION(this);
}

void
LinuxTcpSocket::DoDispose()
{
    CancelRetransmit();
    StopTimer(m_finWait2Event);
    m_listener = nullptr;
    m_acceptQueue.clear();
    m_pending.clear();
    m_tcp = nullptr;
    m_route = nullptr;
    TcpSocket::DoDispose();
}

void
LinuxTcpSocket::Setup(Ptr<LinuxTcpL4Protocol> tcp, portlab::SocketId id)
{
    m_tcp = tcp;
    m_id = id;
    ApplyOptions();
}

portlab::TcpPortTable&
LinuxTcpSocket::Table() const
{
    return m_tcp->Table();
}

void
LinuxTcpSocket::ApplyOptions()
{
    if (!m_tcp || m_id == portlab::INVALID_ID)
    {
        return;
    }
    Table().SetReuseAddr(m_id, m_reuseAddr);
    Table().SetReusePort(m_id, m_reusePort);
    Table().SetUid(m_id, m_uid);
    Table().SetBoundDevice(m_id, m_boundDev);
    Table().SetBindAddressNoPort(m_id, m_bindAddressNoPort);
    Table().SetLocalPortRange(m_id, m_rangeLo, m_rangeHi);
}

void
LinuxTcpSocket::SetReuseAddr(bool on)
{
    m_reuseAddr = on;
    ApplyOptions();
}

bool
LinuxTcpSocket::GetReuseAddr() const
{
    return m_reuseAddr;
}

void
LinuxTcpSocket::SetReusePort(bool on)
{
    m_reusePort = on;
    ApplyOptions();
}

bool
LinuxTcpSocket::GetReusePort() const
{
    return m_reusePort;
}

void
LinuxTcpSocket::SetUid(uint32_t uid)
{
    m_uid = uid;
    ApplyOptions();
}

uint32_t
LinuxTcpSocket::GetUid() const
{
    return m_uid;
}

void
LinuxTcpSocket::SetBoundDevice(uint32_t ifindex)
{
    m_boundDev = ifindex;
    ApplyOptions();
}

uint32_t
LinuxTcpSocket::GetBoundDevice() const
{
    return m_boundDev;
}

void
LinuxTcpSocket::SetBindAddressNoPort(bool on)
{
    m_bindAddressNoPort = on;
    ApplyOptions();
}

bool
LinuxTcpSocket::GetBindAddressNoPort() const
{
    return m_bindAddressNoPort;
}

void
LinuxTcpSocket::SetLocalPortRange(std::string range)
{
    if (range.empty())
    {
        m_rangeLo = m_rangeHi = 0;
        ApplyOptions();
        return;
    }
    unsigned lo = 0;
    unsigned hi = 0;
    char extra = 0;
    if (std::sscanf(range.c_str(), "%u %u %c", &lo, &hi, &extra) != 2 || lo > 65535 || hi > 65535 ||
        !portlab::LocalPortRangeValid(static_cast<uint16_t>(lo), static_cast<uint16_t>(hi)))
    {
        NS_FATAL_ERROR("LinuxTcpSocket LocalPortRange: '"
                       << range << "' is not allowed; allowed: \"LO HI\" with 0 <= LO, HI <= "
                       << "65535 and LO <= HI when both are non-zero, or empty");
    }
    m_rangeLo = static_cast<uint16_t>(lo);
    m_rangeHi = static_cast<uint16_t>(hi);
    ApplyOptions();
}

std::string
LinuxTcpSocket::GetLocalPortRange() const
{
    if (m_rangeLo == 0 && m_rangeHi == 0)
    {
        return "";
    }
    return std::to_string(m_rangeLo) + " " + std::to_string(m_rangeHi);
}

bool
LinuxTcpSocket::Released() const
{
    // close() gave the descriptor back: every later call on it finds no file (fdget() fails)
    // and gets EBADF, whatever the connection still does as an orphan.
    return m_orphan || m_id == portlab::INVALID_ID || !m_tcp;
}

Errno
LinuxTcpSocket::TakeSocketError()
{
    // sock_error(): report sk_err once and clear it.
    Errno e = m_sockError;
    m_sockError = Errno::OK;
    if (e != Errno::OK)
    {
        m_linuxErrno = e;
    }
    return e;
}

int
LinuxTcpSocket::Fail(Errno e, const char* call)
{
    Result(call, e);
    return -1;
}

void
LinuxTcpSocket::Result(const char* call, Errno e)
{
    NS_LOG_INFO(this << " " << call << ": " << (e == Errno::OK ? "ok" : portlab::ErrnoName(e)));
    if (!m_resultTrace.IsEmpty())
    {
        m_resultTrace(call, e); // the std::string ("connect-established") only for a sink
    }
    if (e != Errno::OK)
    {
        m_linuxErrno = e;
        m_errnoTrace(e);
    }
}

void
LinuxTcpSocket::SetState(TcpState s)
{
    TcpState old = m_state;
    m_state = s;
    if (old != s)
    {
        StateChanged(old, s);
    }
    switch (s)
    {
    case TcpState::ESTABLISHED:
    case TcpState::FIN_WAIT1:
    case TcpState::FIN_WAIT2:
    case TcpState::CLOSE_WAIT:
    case TcpState::LAST_ACK:
    case TcpState::CLOSING:
        Table().SetState(m_id, s);
        break;
    default:
        break;
    }
}

void
LinuxTcpSocket::StateChanged(TcpState old, TcpState now)
{
    NS_LOG_INFO(this << " " << portlab::TcpStateName(old) << " -> " << portlab::TcpStateName(now));
    m_stateTrace(old, now);
    // tcp_set_state(): CurrEstab counts ESTABLISHED and CLOSE_WAIT sockets; going from either
    // straight to CLOSE is an EstabReset.
    auto established = [](TcpState s) {
        return s == TcpState::ESTABLISHED || s == TcpState::CLOSE_WAIT;
    };
    if (!established(old) && established(now))
    {
        Count(LinuxMib::TCP_CURR_ESTAB);
    }
    else if (established(old) && !established(now))
    {
        Count(LinuxMib::TCP_CURR_ESTAB, -1);
        if (now == TcpState::CLOSE)
        {
            Count(LinuxMib::TCP_ESTAB_RESETS);
        }
    }
}

void
LinuxTcpSocket::Count(LinuxMib::Counter c, int64_t delta) const
{
    if (m_tcp && m_tcp->GetPortSpace())
    {
        m_tcp->GetPortSpace()->Count(c, delta);
    }
}

void
LinuxTcpSocket::ListenDropped(uint32_t why)
{
    // tcp_conn_request() and tcp_v4_syn_recv_sock(): a full accept queue is an overflow;
    // every drop (tcp_listendrop()) is a ListenDrop.
    if (why != 1)
    {
        Count(LinuxMib::TCP_EXT_LISTEN_OVERFLOWS);
    }
    Count(LinuxMib::TCP_EXT_LISTEN_DROPS);
    m_dropTrace(why);
}

uint32_t
LinuxTcpSocket::GetSsRecvQueue() const
{
    if (m_state == TcpState::LISTEN)
    {
        return static_cast<uint32_t>(m_acceptQueue.size()); // sk_ack_backlog
    }
    if (m_state == TcpState::SYN_RECV && m_listener)
    {
        return 0; // a request sock
    }
    return m_rxSize + (m_finReceived && !m_finRead ? 1 : 0);
}

uint32_t
LinuxTcpSocket::GetSsSendQueue() const
{
    if (m_state == TcpState::LISTEN)
    {
        return m_id == portlab::INVALID_ID ? 0 : Table().GetBacklog(m_id); // sk_max_ack_backlog
    }
    if (m_state == TcpState::SYN_RECV && m_listener)
    {
        return 0; // a request sock
    }
    uint32_t q = m_txBuffer->GetSize();
    if (m_state == TcpState::SYN_SENT || m_state == TcpState::SYN_RECV)
    {
        ++q; // the SYN
    }
    if (m_shutdownSend && (m_state == TcpState::FIN_WAIT1 || m_state == TcpState::CLOSING ||
                           m_state == TcpState::LAST_ACK))
    {
        ++q; // the FIN
    }
    return q;
}

// ---------------------------------------------------------------------------------------------
// ns3::Socket API

enum Socket::SocketErrno
LinuxTcpSocket::GetErrno() const
{
    return ToNs3Errno(m_linuxErrno);
}

enum Socket::SocketType
LinuxTcpSocket::GetSocketType() const
{
    return NS3_SOCK_STREAM;
}

Ptr<Node>
LinuxTcpSocket::GetNode() const
{
    return m_tcp ? m_tcp->GetNode() : nullptr;
}

int
LinuxTcpSocket::Bind()
{
    return Bind(InetSocketAddress(Ipv4Address::GetAny(), 0));
}

int
LinuxTcpSocket::Bind6()
{
    return Bind(Inet6SocketAddress(Ipv6Address::GetAny(), 0));
}

int
LinuxTcpSocket::OpenInet6()
{
    NS_LOG_FUNCTION(this);
    if (Released())
    {
        return Fail(Errno::BADF, "socket");
    }
    if (m_inet6)
    {
        return 0;
    }
    if (!GetNode()->GetObject<Ipv6>())
    {
        return Fail(Errno::AFNOSUPPORT, "socket");
    }
    if (m_state != TcpState::CLOSE || Table().GetTuple(m_id).localPort != 0 ||
        m_sockState != SockState::UNCONNECTED)
    {
        return Fail(Errno::INVAL, "socket"); // an AF_INET socket in use stays one
    }
    // socket(AF_INET6) in place of the factory's AF_INET one: a new table entry.
    Table().Destroy(m_id);
    m_tcp->Register(m_id, nullptr);
    m_id = Table().OpenInet6();
    m_tcp->Register(m_id, this);
    m_inet6 = true;
    ApplyOptions();
    return 0;
}

bool
LinuxTcpSocket::IsInet6() const
{
    return m_inet6;
}

int
LinuxTcpSocket::EnsureInet6(const Address& address)
{
    return m_inet6 ? 0 : OpenInet6();
}

int
LinuxTcpSocket::SetIpv6Only(bool on)
{
    NS_LOG_FUNCTION(this << on);
    if (Released())
    {
        return Fail(Errno::BADF, "setsockopt");
    }
    if (!m_inet6)
    {
        return Fail(Errno::NOPROTOOPT, "setsockopt"); // IPPROTO_IPV6 on an AF_INET socket
    }
    const Errno e = Table().SetV6Only(m_id, on);
    return e == Errno::OK ? 0 : Fail(e, "setsockopt");
}

bool
LinuxTcpSocket::GetIpv6Only() const
{
    return m_inet6 && m_tcp && m_id != portlab::INVALID_ID && Table().V6Only(m_id);
}

bool
LinuxTcpSocket::SetIpv6OnlyAttribute(bool on)
{
    if (!m_tcp)
    {
        return true; // construction, or the factory's prototype: net.ipv6.bindv6only decides
    }
    return SetIpv6Only(on) == 0;
}

int
LinuxTcpSocket::Bind(const Address& address)
{
    NS_LOG_FUNCTION(this << address);
    if (Released())
    {
        return Fail(Errno::BADF, "bind");
    }
    if (Inet6SocketAddress::IsMatchingType(address))
    {
        if (EnsureInet6(address) != 0)
        {
            return -1;
        }
        Inet6SocketAddress a6 = Inet6SocketAddress::ConvertFrom(address);
        m_tcp->GetPortSpace()->RefreshAddresses();
        Errno e6 = Table().Bind(m_id,
                                portlab::InetAddress::V6(LinuxPortSpace::ToPortlab6(a6.GetIpv6())),
                                a6.GetPort());
        if (e6 != Errno::OK)
        {
            return Fail(e6, "bind");
        }
        m_local = LinuxPortSpace::ToNs3(Table().GetTuple(m_id).localAddr);
        m_localPort = Table().GetTuple(m_id).localPort;
        Result("bind", e6);
        return 0;
    }
    if (!InetSocketAddress::IsMatchingType(address))
    {
        return Fail(Errno::INVAL, "bind");
    }
    if (m_inet6)
    {
        return Fail(Errno::INVAL, "bind"); // inet6_bind(): an AF_INET sockaddr is too short
    }
    InetSocketAddress a = InetSocketAddress::ConvertFrom(address);
    m_tcp->GetPortSpace()->RefreshAddresses();
    Errno e = Table().Bind(m_id, a.GetIpv4().Get(), a.GetPort());
    if (e != Errno::OK)
    {
        return Fail(e, "bind");
    }
    m_local = a.GetIpv4();
    m_localPort = Table().GetTuple(m_id).localPort;
    Result("bind", e);
    return 0;
}

int
LinuxTcpSocket::Listen()
{
    NS_LOG_FUNCTION(this);
    if (Released())
    {
        return Fail(Errno::BADF, "listen");
    }
    if (m_sockState != SockState::UNCONNECTED)
    {
        // inet_listen(): "if (sock->state != SS_UNCONNECTED ...) goto out" (EINVAL), also
        // once a reset or a timeout took the connection to CLOSE, and after a non-blocking
        // connect() whose outcome no connect() call has collected.
        return Fail(Errno::INVAL, "listen");
    }
    Errno e = Table().Listen(m_id, m_backlogRequest);
    if (e != Errno::OK)
    {
        return Fail(e, "listen");
    }
    m_localPort = Table().GetTuple(m_id).localPort;
    SetState(TcpState::LISTEN);
    Result("listen", e);
    return 0;
}

int
LinuxTcpSocket::Connect(const Address& address)
{
    NS_LOG_FUNCTION(this << address);
    if (Released())
    {
        return Fail(Errno::BADF, "connect");
    }
    const bool inet6Address = Inet6SocketAddress::IsMatchingType(address);
    if (!InetSocketAddress::IsMatchingType(address) && !inet6Address)
    {
        return Fail(Errno::INVAL, "connect");
    }
    // __inet_stream_connect(), by sock->state.
    switch (m_sockState)
    {
    case SockState::DISCONNECTING:
        return Fail(Errno::INVAL, "connect"); // "default: err = -EINVAL"
    case SockState::CONNECTED:
        return Fail(Errno::ISCONN, "connect"); // even after a reset
    case SockState::CONNECTING:
        // The outcome of an earlier connect(): still in progress (EALREADY); failed
        // ("sock_error": sk_err once, else ECONNABORTED, and tcp_disconnect()); or
        // established since, whatever the address: SS_CONNECTED, and 0.
        if (m_state == TcpState::SYN_SENT || m_state == TcpState::SYN_RECV)
        {
            return Fail(Errno::ALREADY, "connect");
        }
        if (m_state == TcpState::CLOSE)
        {
            Errno e = TakeSocketError();
            m_sockState = SockState::UNCONNECTED;
            Disconnect();
            return Fail(e == Errno::OK ? Errno::CONNABORTED : e, "connect");
        }
        m_sockState = SockState::CONNECTED;
        Result("connect", Errno::OK);
        return 0;
    case SockState::UNCONNECTED:
        if (m_state != TcpState::CLOSE)
        {
            // "err = -EISCONN; if (sk->sk_state != TCP_CLOSE) goto out;" (a listener), before
            // any route is looked up.
            return Fail(Errno::ISCONN, "connect");
        }
        break;
    }
    if (inet6Address && EnsureInet6(address) != 0)
    {
        return -1;
    }
    if (!inet6Address && m_inet6)
    {
        return Fail(Errno::INVAL, "connect"); // tcp_v6_connect(): sockaddr_in too short
    }
    const Inet6SocketAddress a6 = inet6Address ? Inet6SocketAddress::ConvertFrom(address)
                                               : Inet6SocketAddress(Ipv6Address::GetAny(), 0);
    portlab::TcpConnectResult r;
    if (inet6Address && !a6.GetIpv6().IsIpv4MappedAddress())
    {
        // tcp_v6_connect() to a native IPv6 peer: ip6_dst_lookup_flow() chooses the source
        // (the bound address if any), __inet6_hash_connect() the port.
        Ptr<Ipv6> ipv6 = GetNode()->GetObject<Ipv6>();
        Address boundName;
        GetSockName(boundName);
        const Ipv6Address bound = Inet6SocketAddress::ConvertFrom(boundName).GetIpv6();
        const bool boundNative = !bound.IsAny() && !bound.IsIpv4MappedAddress();
        Ipv6Header header;
        header.SetDestination(a6.GetIpv6());
        if (boundNative)
        {
            header.SetSource(bound);
        }
        Socket::SocketErrno routeErr = ERROR_NOTERROR;
        Ptr<Ipv6Route> route = ipv6->GetRoutingProtocol()->RouteOutput(Create<Packet>(),
                                                                       header,
                                                                       m_boundnetdevice,
                                                                       routeErr);
        if (!route)
        {
            return Fail(Errno::NETUNREACH, "connect");
        }
        const Ipv6Address source = boundNative ? bound : route->GetSource();
        m_tcp->GetPortSpace()->RefreshAddresses();
        Errno e6 =
            Table().Connect(m_id,
                            portlab::InetAddress::V6(LinuxPortSpace::ToPortlab6(source)),
                            portlab::InetAddress::V6(LinuxPortSpace::ToPortlab6(a6.GetIpv6())),
                            a6.GetPort(),
                            LinuxPortSpace::Now(),
                            r);
        if (e6 != Errno::OK)
        {
            return Fail(e6, "connect");
        }
        m_native6 = true;
        m_local6 = source;
        m_remote6 = a6.GetIpv6();
        m_local = Ipv4Address(portlab::LOOPBACK4_IPV6); // inet_rcv_saddr, inet_daddr
        m_remote = Ipv4Address(portlab::LOOPBACK4_IPV6);
        m_localPort = r.localPort;
        m_remotePort = a6.GetPort();
        m_route = nullptr;
    }
    else
    {
        // tcp_v4_connect(), also for an AF_INET6 socket and a v4-mapped peer (the table
        // answers ENETUNREACH on a v6-only one).
        const Ipv4Address dst = inet6Address ? a6.GetIpv6().GetIpv4MappedAddress()
                                             : InetSocketAddress::ConvertFrom(address).GetIpv4();
        const uint16_t dport =
            inet6Address ? a6.GetPort() : InetSocketAddress::ConvertFrom(address).GetPort();
        Ptr<Ipv4> ipv4 = GetNode()->GetObject<Ipv4>();
        Ipv4Address bound = LinuxPortSpace::ToNs3(Table().GetTuple(m_id).localAddr);
        Errno routeErr = Errno::OK;
        Ptr<Ipv4Route> route = TcpV4ConnectRoute(ipv4, dst, bound, m_boundDev, routeErr);
        if (!route)
        {
            return Fail(routeErr, "connect");
        }
        const Ipv4Address peer = route->GetDestination(); // 0.0.0.0 is the local host
        Errno e = Table().Connect(m_id,
                                  route->GetSource().Get(),
                                  peer.Get(),
                                  dport,
                                  LinuxPortSpace::Now(),
                                  r);
        if (e != Errno::OK)
        {
            return Fail(e, "connect");
        }
        m_native6 = false;
        m_local = LinuxPortSpace::ToNs3(r.localAddr);
        m_localPort = r.localPort;
        m_remote = peer;
        m_remotePort = dport;
        route->SetSource(m_local);
        m_route = route;
    }
    m_sockError = Errno::OK; // tcp_connect_init(): sk_err = 0; sk_shutdown stays as it is
    const TcpEndpoints ends = Ends();
    const int64_t ts = m_tcp->GetPortSpace()->Host().Sysctls().tcpTimestamps;
    m_tsOk = portlab::TcpSynOffersTimestamps(ts); // until the SYN-ACK says whether the peer does
    m_tsOffset =
        m_tcp->TimestampOffset(ends.HashLocal(), m_localPort, ends.HashRemote(), m_remotePort);
    if (r.tookOverTimeWait)
    {
        m_tsRecent = r.tsRecent;
    }
    m_iss = SequenceNumber32(r.tookOverTimeWait ? r.isnHint
                                                : m_tcp->InitialSequence(ends.HashLocal(),
                                                                         m_localPort,
                                                                         ends.HashRemote(),
                                                                         m_remotePort));
    m_sndUna = m_iss;
    m_sndNxt = m_iss + 1;
    m_rto = m_initialRto;
    m_retries = 0;
    m_synStart = Simulator::Now();
    m_state = TcpState::SYN_SENT;
    m_sockState = SockState::CONNECTING;
    m_blockingConnect = !m_nonBlocking;
    StateChanged(TcpState::CLOSE, TcpState::SYN_SENT);
    Count(LinuxMib::TCP_ACTIVE_OPENS); // tcp_connect()
    Result("connect", Errno::OK);
    SendFlags(TcpHeader::SYN);
    ArmRetransmit();
    return 0;
}

int
LinuxTcpSocket::ShutdownSend()
{
    return Shutdown(false, true);
}

int
LinuxTcpSocket::ShutdownRecv()
{
    if (m_state == TcpState::SYN_SENT && !Released())
    {
        // ns-3's stacks only mark the socket here, and stock applications rely on it
        // (BulkSendApplication calls ShutdownRecv() right after Connect()); shutdown(2) in
        // SYN_SENT would abandon the connect (Shutdown() does that, as Linux).
        m_rcvShutdown = true;
        return 0;
    }
    return Shutdown(true, false);
}

int
LinuxTcpSocket::Shutdown(bool rd, bool wr)
{
    NS_LOG_FUNCTION(this << rd << wr);
    if (Released())
    {
        return Fail(Errno::BADF, "shutdown");
    }
    // inet_shutdown(). A connect() whose outcome no call has seen: SS_DISCONNECTING while it
    // is pending or after it failed (connect() then gives EINVAL), else SS_CONNECTED.
    if (m_sockState == SockState::CONNECTING)
    {
        m_sockState = m_state == TcpState::SYN_SENT || m_state == TcpState::SYN_RECV ||
                              m_state == TcpState::CLOSE
                          ? SockState::DISCONNECTING
                          : SockState::CONNECTED;
    }
    if ((m_state == TcpState::LISTEN && rd) || m_state == TcpState::SYN_SENT)
    {
        // "case TCP_LISTEN: if (!(how & RCV_SHUTDOWN)) break; fallthrough; case TCP_SYN_SENT:
        // err = sk->sk_prot->disconnect(sk, O_NONBLOCK); sock->state = SS_UNCONNECTED": a
        // listener stops listening, a connecting socket gives up (sk_err ECONNRESET); either
        // is left unconnected in CLOSE, its port given back unless bind() chose it.
        Disconnect();
        m_sockState = SockState::UNCONNECTED;
        return 0;
    }
    if (m_state == TcpState::LISTEN)
    {
        return 0; // SHUT_WR on a listener does nothing
    }
    // "case TCP_CLOSE: err = -ENOTCONN; fallthrough; default: sk->sk_shutdown |= how": the
    // bits are set even on a socket that never connected (a later connect() keeps them).
    if (rd)
    {
        m_rcvShutdown = true;
    }
    if (wr)
    {
        m_shutdownSend = true;
    }
    if (m_state == TcpState::CLOSE)
    {
        return Fail(Errno::NOTCONN, "shutdown"); // inet_shutdown(): TCP_CLOSE is ENOTCONN
    }
    if (wr)
    {
        // tcp_shutdown(): a FIN where the connection can send one.
        if (m_state == TcpState::ESTABLISHED)
        {
            SetState(TcpState::FIN_WAIT1);
        }
        else if (m_state == TcpState::CLOSE_WAIT)
        {
            SetState(TcpState::LAST_ACK);
        }
        SendData();
    }
    return 0;
}

int
LinuxTcpSocket::Close()
{
    NS_LOG_FUNCTION(this);
    Ptr<LinuxTcpSocket> self(this);
    if (Released())
    {
        return Fail(Errno::BADF, "close");
    }
    m_orphan = true;
    m_rcvShutdown = true; // tcp_close(): sk_shutdown = SHUTDOWN_MASK
    switch (m_state)
    {
    case TcpState::CLOSE:
        Release();
        return 0;
    case TcpState::LISTEN:
        StopListening();
        CloseDown(false, Errno::OK);
        return 0;
    case TcpState::SYN_SENT:
        CloseDown(false, Errno::OK);
        return 0;
    default:
        break;
    }
    const bool needReset = m_state == TcpState::ESTABLISHED || m_state == TcpState::CLOSE_WAIT ||
                           m_state == TcpState::FIN_WAIT1 || m_state == TcpState::FIN_WAIT2 ||
                           m_state == TcpState::SYN_RECV;
    if (m_rxSize > 0 || (m_lingerOn && m_lingerTime.IsZero()))
    {
        // Unread data at close (RFC 2525) or SO_LINGER 0: RST, straight to CLOSE.
        if (m_rxSize > 0 || needReset)
        {
            SendReset();
        }
        CloseDown(false, Errno::OK);
        return 0;
    }
    m_shutdownSend = true;
    if (m_state == TcpState::ESTABLISHED)
    {
        SetState(TcpState::FIN_WAIT1);
    }
    else if (m_state == TcpState::CLOSE_WAIT)
    {
        SetState(TcpState::LAST_ACK);
    }
    else if (m_state == TcpState::FIN_WAIT2)
    {
        EnterTimeWait(true); // an orphan in FIN_WAIT2: a timewait sock in that substate
        return 0;
    }
    SendData();
    return 0;
}

uint32_t
LinuxTcpSocket::GetTxAvailable() const
{
    return m_sndBufSize > m_txBuffer->GetSize() ? m_sndBufSize - m_txBuffer->GetSize() : 0;
}

int
LinuxTcpSocket::Send(Ptr<Packet> p, uint32_t)
{
    NS_LOG_FUNCTION(this << p);
    if (Released())
    {
        return Fail(Errno::BADF, "send");
    }
    if (m_shutdownSend || (m_state != TcpState::ESTABLISHED && m_state != TcpState::CLOSE_WAIT &&
                           m_state != TcpState::SYN_SENT && m_state != TcpState::SYN_RECV))
    {
        // tcp_sendmsg_locked(): sk_stream_wait_connect() or sk_stream_error(): a pending
        // error once (sock_error()), else EPIPE (a socket never connected included).
        Errno e = TakeSocketError();
        m_linuxErrno = e != Errno::OK ? e : Errno::PIPE;
        m_errnoTrace(m_linuxErrno);
        return -1;
    }
    if (p->GetSize() > GetTxAvailable())
    {
        return -1; // ns-3 reports a full send buffer as ERROR_MSGSIZE; the caller retries
    }
    m_txBuffer->AddAtEnd(p);
    if (m_state == TcpState::ESTABLISHED || m_state == TcpState::CLOSE_WAIT)
    {
        SendData();
    }
    return static_cast<int>(p->GetSize());
}

int
LinuxTcpSocket::SendTo(Ptr<Packet> p, uint32_t flags, const Address&)
{
    return Send(p, flags);
}

uint32_t
LinuxTcpSocket::GetRxAvailable() const
{
    return m_rxSize;
}

Ptr<Packet>
LinuxTcpSocket::Recv(uint32_t maxSize, uint32_t)
{
    if (Released())
    {
        Fail(Errno::BADF, "recv");
        return nullptr;
    }
    if (m_rxSize == 0)
    {
        // tcp_recvmsg_locked() with nothing queued, in its order: a listener is ENOTCONN;
        // SOCK_DONE (a FIN arrived) is EOF; a pending error is reported once; RCV_SHUTDOWN
        // (tcp_done() after a reset) is EOF; TCP_CLOSE is ENOTCONN; else EAGAIN.
        if (m_state == TcpState::LISTEN)
        {
            Fail(Errno::NOTCONN, "recv");
            return nullptr;
        }
        if (m_finReceived)
        {
            m_finRead = true;        // tcp_recvmsg() found the FIN: copied_seq moves past it
            return Create<Packet>(); // EOF: SOCK_DONE comes before any error
        }
        if (TakeSocketError() != Errno::OK)
        {
            m_errnoTrace(m_linuxErrno);
            return nullptr; // the error in GetLinuxErrno()
        }
        if (m_rcvShutdown)
        {
            return Create<Packet>(); // EOF
        }
        if (m_state == TcpState::CLOSE)
        {
            Fail(Errno::NOTCONN, "recv");
            return nullptr;
        }
        Fail(Errno::AGAIN, "recv"); // nothing yet (a blocking recv would wait)
        return nullptr;
    }
    if (m_rxBuffer.size() == 1 && m_rxBuffer.front()->GetSize() <= maxSize)
    {
        // The common case: one segment waits and fits. Hand it over as it is.
        Ptr<Packet> out = m_rxBuffer.front();
        m_rxBuffer.pop_front();
        m_rxSize -= out->GetSize();
        return out;
    }
    Ptr<Packet> out = Create<Packet>();
    while (!m_rxBuffer.empty() && out->GetSize() < maxSize)
    {
        Ptr<Packet> front = m_rxBuffer.front();
        uint32_t want = maxSize - out->GetSize();
        if (front->GetSize() <= want)
        {
            out->AddAtEnd(front);
            m_rxBuffer.pop_front();
        }
        else
        {
            out->AddAtEnd(front->CreateFragment(0, want));
            front->RemoveAtStart(want);
        }
    }
    m_rxSize -= out->GetSize();
    return out;
}

Ptr<Packet>
LinuxTcpSocket::RecvFrom(uint32_t maxSize, uint32_t flags, Address& fromAddress)
{
    Ptr<Packet> p = Recv(maxSize, flags);
    if (p)
    {
        fromAddress = PeerAddress();
    }
    return p;
}

int
LinuxTcpSocket::GetSockName(Address& address) const
{
    Ipv4Address addr = m_local;
    uint16_t port = m_localPort;
    int rc = 0;
    if (Released())
    {
        rc = -1; // EBADF: the descriptor is gone
    }
    else if (m_id != portlab::INVALID_ID)
    {
        const portlab::FourTuple& t = Table().GetTuple(m_id);
        addr = LinuxPortSpace::ToNs3(t.localAddr);
        // inet_getname() reads inet_sport, which keeps the last port after TCP_CLOSE gave it
        // back (inet_put_port() clears only inet_num); the address is the table's rcv_saddr,
        // which stays after a reset and goes only when a connect() collects a failure
        // (tcp_disconnect()'s inet_reset_saddr(): TcpPortTable::ResetSource).
        port = (t.localPort == 0 && m_state == TcpState::CLOSE && m_localPort != 0) ? m_localPort
                                                                                    : t.localPort;
    }
    if (!m_inet6)
    {
        address = InetSocketAddress(addr, port);
        return rc;
    }
    // inet6_getname(): sk_v6_rcv_saddr (`::`, a v4-mapped or a native address).
    Ipv6Address a6 = Ipv6Address::MakeIpv4MappedAddress(addr);
    if (m_native6)
    {
        a6 = m_local6;
    }
    else if (rc == 0 && m_id != portlab::INVALID_ID)
    {
        const portlab::RcvSaddr r = Table().LocalRcvSaddr(m_id);
        if (r.v6 == portlab::V6_ANY)
        {
            a6 = Ipv6Address::GetAny();
        }
        else if (r.v6 >= portlab::V6_FIRST_OTHER)
        {
            a6 = LinuxPortSpace::ToNs3(m_tcp->GetPortSpace()->Host().Addresses().Ipv6Of(r.v6));
        }
    }
    address = Inet6SocketAddress(a6, port);
    return rc;
}

int
LinuxTcpSocket::GetPeerName(Address& address) const
{
    // inet_getname(): "if (!inet->inet_dport || ((1 << sk->sk_state) & (TCPF_CLOSE |
    // TCPF_SYN_SENT)) ...) return -ENOTCONN" (a refused or reset socket has no peer).
    if (m_remotePort == 0 || m_state == TcpState::CLOSE || m_state == TcpState::SYN_SENT ||
        m_state == TcpState::LISTEN)
    {
        return -1; // a listener has no peer (tcp_disconnect() cleared inet_dport)
    }
    address = PeerAddress();
    return 0;
}

bool
LinuxTcpSocket::SetAllowBroadcast(bool allowBroadcast)
{
    return !allowBroadcast;
}

bool
LinuxTcpSocket::GetAllowBroadcast() const
{
    return false;
}

Ptr<LinuxTcpSocket>
LinuxTcpSocket::Accept()
{
    if (Released())
    {
        Fail(Errno::BADF, "accept");
        return nullptr;
    }
    if (m_state != TcpState::LISTEN)
    {
        Fail(Errno::INVAL, "accept"); // inet_accept(): not a listener
        return nullptr;
    }
    if (m_acceptQueue.empty())
    {
        Fail(Errno::AGAIN, "accept"); // nothing queued (a blocking accept would wait)
        return nullptr;
    }
    Ptr<LinuxTcpSocket> child = m_acceptQueue.front();
    m_acceptQueue.pop_front();
    child->m_listener = nullptr;
    return child;
}

// ---------------------------------------------------------------------------------------------
// Segments out

void
LinuxTcpSocket::StopTimer(EventId& timer)
{
    // Cancel() leaves the event in the scheduler until its time comes: a cancelled 60 s
    // FIN_WAIT2 timer per connection would cost as much memory as its TIME_WAIT entry.
    if (timer.IsRunning())
    {
        Simulator::Remove(timer);
    }
}

uint32_t
LinuxTcpSocket::TsVal() const
{
    return LinuxTcpL4Protocol::TcpClockMs() + m_tsOffset;
}

uint16_t
LinuxTcpSocket::AdvertisedWindow() const
{
    uint32_t room = m_rcvBufSize > m_rxSize ? m_rcvBufSize - m_rxSize : 0;
    return static_cast<uint16_t>(std::min(room, MAX_WINDOW));
}

LinuxTcpHeader
LinuxTcpSocket::MakeHeader(uint8_t flags, SequenceNumber32 seq) const
{
    LinuxTcpHeader h;
    h.SetSourcePort(m_localPort);
    h.SetDestinationPort(m_remotePort);
    h.SetSequenceNumber(seq);
    h.SetFlags(flags);
    if (flags & TcpHeader::ACK)
    {
        h.SetAckNumber(m_rcvNxt);
    }
    h.SetWindowSize(AdvertisedWindow());
    if (m_tsOk && !(flags & TcpHeader::RST))
    {
        h.SetTimestamp(TsVal(), (flags & TcpHeader::ACK) ? m_tsRecent : 0);
    }
    return h;
}

void
LinuxTcpSocket::Transmit(Ptr<Packet> p, const LinuxTcpHeader& h)
{
    if (m_native6)
    {
        m_tcp->SendPacket6(p, h, m_local6, m_remote6);
        return;
    }
    m_tcp->SendPacket(p, h, m_local, m_remote, m_route);
}

TcpEndpoints
LinuxTcpSocket::Ends() const
{
    return m_native6 ? TcpEndpoints::V6(m_local6, m_remote6) : TcpEndpoints::V4(m_local, m_remote);
}

Address
LinuxTcpSocket::Present(Ipv4Address addr, uint16_t port) const
{
    if (!m_inet6)
    {
        return InetSocketAddress(addr, port);
    }
    return Inet6SocketAddress(Ipv6Address::MakeIpv4MappedAddress(addr), port);
}

Address
LinuxTcpSocket::PeerAddress() const
{
    return m_native6 ? Address(Inet6SocketAddress(m_remote6, m_remotePort))
                     : Present(m_remote, m_remotePort);
}

void
LinuxTcpSocket::SendFlags(uint8_t flags)
{
    SequenceNumber32 seq = m_sndNxt;
    if (flags & TcpHeader::SYN)
    {
        seq = m_iss;
    }
    Transmit(Create<Packet>(), MakeHeader(flags, seq));
}

void
LinuxTcpSocket::SendReset()
{
    LinuxTcpHeader h = MakeHeader(TcpHeader::RST | TcpHeader::ACK, m_sndNxt);
    Transmit(Create<Packet>(), h);
}

void
LinuxTcpSocket::SendData()
{
    if (m_state != TcpState::ESTABLISHED && m_state != TcpState::CLOSE_WAIT &&
        m_state != TcpState::FIN_WAIT1 && m_state != TcpState::LAST_ACK &&
        m_state != TcpState::CLOSING)
    {
        return;
    }
    const uint32_t total = m_txBuffer->GetSize();
    for (;;)
    {
        uint32_t inFlight = m_sndNxt - m_sndUna;
        if (m_finSent)
        {
            break;
        }
        if (inFlight >= total)
        {
            break;
        }
        uint32_t window = std::max<uint32_t>(std::min(m_sndWnd, m_sndBufSize), 1);
        if (inFlight >= window)
        {
            break;
        }
        uint32_t len = std::min({m_segSize, total - inFlight, window - inFlight});
        Ptr<Packet> payload = m_txBuffer->CreateFragment(inFlight, len);
        LinuxTcpHeader h = MakeHeader(TcpHeader::ACK | TcpHeader::PSH, m_sndNxt);
        Transmit(payload, h); // a fresh fragment
        m_sndNxt += len;
        ArmRetransmit();
    }
    MaybeSendFin();
}

void
LinuxTcpSocket::MaybeSendFin()
{
    if (!m_shutdownSend || m_finSent)
    {
        return;
    }
    if (m_state != TcpState::FIN_WAIT1 && m_state != TcpState::LAST_ACK &&
        m_state != TcpState::CLOSING)
    {
        return;
    }
    if (static_cast<uint32_t>(m_sndNxt - m_sndUna) < m_txBuffer->GetSize())
    {
        return; // data first
    }
    LinuxTcpHeader h = MakeHeader(TcpHeader::FIN | TcpHeader::ACK, m_sndNxt);
    Transmit(Create<Packet>(), h);
    m_sndNxt += 1;
    m_finSent = true;
    ArmRetransmit();
}

void
LinuxTcpSocket::ArmRetransmit()
{
    bool outstanding =
        m_sndNxt != m_sndUna || m_state == TcpState::SYN_SENT || m_state == TcpState::SYN_RECV;
    if (!outstanding)
    {
        StopRetransmit();
        return;
    }
    if (m_retxArmed)
    {
        return; // running: it keeps its deadline
    }
    m_retxArmed = true;
    m_retxDeadline = RetransmitDeadline(m_rto);
    if (m_retxEvent.IsRunning())
    {
        if (TimeStep(m_retxEvent.GetTs()) <= m_retxDeadline)
        {
            return; // the pending event comes first and moves itself to the deadline
        }
        Simulator::Remove(m_retxEvent);
    }
    m_retxEvent = Simulator::Schedule(m_retxDeadline - Simulator::Now(),
                                      &LinuxTcpSocket::RetransmitTimer,
                                      this);
}

void
LinuxTcpSocket::ArmRetransmitIn(Time delay)
{
    m_retxArmed = true;
    m_retxDeadline = RetransmitDeadline(delay);
    if (m_retxEvent.IsRunning())
    {
        Simulator::Remove(m_retxEvent);
    }
    m_retxEvent = Simulator::Schedule(m_retxDeadline - Simulator::Now(),
                                      &LinuxTcpSocket::RetransmitTimer,
                                      this);
}

Time
LinuxTcpSocket::RetransmitDeadline(Time delay) const
{
    // inet_csk_reset_xmit_timer() -> sk_reset_timer(): a timer_list, so the timer wheel's
    // rounding for the host's CONFIG_HZ (LinuxPortSpace::RoundTimer) applies.
    const Time at = Simulator::Now() + delay;
    if (!m_tcp || !m_tcp->GetPortSpace())
    {
        return at;
    }
    return NanoSeconds(m_tcp->GetPortSpace()->RoundTimer(at.GetNanoSeconds()));
}

void
LinuxTcpSocket::StopRetransmit()
{
    // Lazy: the event stays in the scheduler and does nothing when it fires, or moves itself
    // to a later deadline. Stopping and restarting the timer on every ACK cost a Remove and
    // a Schedule each.
    m_retxArmed = false;
}

void
LinuxTcpSocket::CancelRetransmit()
{
    m_retxArmed = false;
    StopTimer(m_retxEvent); // the event holds a plain pointer to this socket
}

void
LinuxTcpSocket::RetransmitTimer()
{
    if (!m_retxArmed)
    {
        return;
    }
    const Time now = Simulator::Now();
    if (now < m_retxDeadline)
    {
        m_retxEvent =
            Simulator::Schedule(m_retxDeadline - now, &LinuxTcpSocket::RetransmitTimer, this);
        return;
    }
    m_retxArmed = false;
    Retransmit();
}

void
LinuxTcpSocket::Retransmit()
{
    NS_LOG_FUNCTION(this);
    Ptr<LinuxTcpSocket> self(this);
    const auto& sysctls = m_tcp->GetPortSpace()->Host().Sysctls();
    if (m_state == TcpState::SYN_SENT && SynSentTimedOut())
    {
        CloseDown(true, Errno::TIMEDOUT);
        return;
    }
    ++m_retries;
    uint32_t limit = m_dataRetries;
    if (m_state == TcpState::SYN_SENT)
    {
        limit = UINT32_MAX; // decided above
    }
    else if (m_state == TcpState::SYN_RECV)
    {
        limit = static_cast<uint32_t>(sysctls.tcpSynackRetries);
    }
    else if (m_orphan)
    {
        limit = sysctls.tcpOrphanRetries != 0 ? static_cast<uint32_t>(sysctls.tcpOrphanRetries)
                                              : ORPHAN_RETRIES_ALIVE;
    }
    if (m_retries > limit)
    {
        CloseDown(true, Errno::TIMEDOUT);
        return;
    }
    if (portlab::TcpRetransmitBacksOff(m_state == TcpState::SYN_SENT,
                                       m_retries,
                                       sysctls.tcpSynLinearTimeouts))
    {
        m_rto = std::min(m_rto * 2, TCP_RTO_MAX);
    }
    if (m_state == TcpState::SYN_SENT)
    {
        SendFlags(TcpHeader::SYN);
    }
    else if (m_state == TcpState::SYN_RECV)
    {
        SendFlags(TcpHeader::SYN | TcpHeader::ACK);
    }
    else
    {
        // Go back N: everything from the oldest unacknowledged byte, then the FIN.
        m_sndNxt = m_sndUna;
        m_finSent = false;
        SendData();
    }
    ArmRetransmit();
}

void
LinuxTcpSocket::ConnectSucceeded()
{
    // The handshake of connect() is done: the application is told and data may go. A
    // blocking connect() returns 0 now (__inet_stream_connect(): SS_CONNECTED); after a
    // non-blocking one, sock->state stays SS_CONNECTING until a connect() call sees it.
    if (m_blockingConnect && m_sockState == SockState::CONNECTING)
    {
        m_sockState = SockState::CONNECTED;
    }
    Result("connect-established", Errno::OK);
    NotifyConnectionSucceeded();
    SendData();
}

bool
LinuxTcpSocket::SynSentTimedOut() const
{
    // tcp_write_timeout() for TCP_SYN_SENT, read when the timer fires: retry_until is
    // TCP_SYNCNT or tcp_syn_retries; tcp_timeout_init() is the InitialRto attribute.
    const auto& sysctls = m_tcp->GetPortSpace()->Host().Sysctls();
    const uint32_t retryUntil =
        m_synCount != 0 ? m_synCount : static_cast<uint32_t>(sysctls.tcpSynRetries);
    return portlab::TcpSynSentWriteTimeout(m_retries,
                                           retryUntil,
                                           sysctls.tcpSynLinearTimeouts,
                                           (Simulator::Now() - m_synStart).GetNanoSeconds(),
                                           m_initialRto.GetNanoSeconds());
}

// ---------------------------------------------------------------------------------------------
// Segments in

bool
LinuxTcpSocket::InWindow(SequenceNumber32 seq) const
{
    uint32_t off = seq - m_rcvNxt;
    return off <= std::max<uint32_t>(AdvertisedWindow(), 1);
}

void
LinuxTcpSocket::NoteTimestamp(const LinuxTcpHeader& h)
{
    if (!m_tsOk || !h.HasTimestamp())
    {
        return;
    }
    if (static_cast<int32_t>(h.GetSequenceNumber() - m_rcvNxt) <= 0)
    {
        m_tsRecent = h.GetTsVal();
        m_tsSeen = true;
    }
    uint32_t echo = h.GetTsEcr();
    if ((h.GetFlags() & TcpHeader::ACK) && echo != 0)
    {
        // RTT sample from the echoed timestamp (RFC 6298 estimator, Linux's 200 ms floor).
        Time r = MilliSeconds(static_cast<int32_t>(TsVal() - echo));
        if (r.IsNegative())
        {
            return;
        }
        if (m_srtt.IsZero())
        {
            m_srtt = r;
            m_rttvar = r / 2;
        }
        else
        {
            Time diff = m_srtt > r ? m_srtt - r : r - m_srtt;
            m_rttvar = (m_rttvar * 3 + diff) / 4;
            m_srtt = (m_srtt * 7 + r) / 8;
        }
        m_rto = std::max(TCP_RTO_MIN, m_srtt + std::max(MilliSeconds(1), m_rttvar * 4));
        m_rto = std::min(m_rto, TCP_RTO_MAX);
    }
}

void
LinuxTcpSocket::ProcessSegment(const LinuxTcpHeader& h,
                               Ptr<Packet> payload,
                               const TcpEndpoints& ends)
{
    NS_LOG_FUNCTION(this << h);
    Ptr<LinuxTcpSocket> self(this);
    const uint8_t flags = h.GetFlags();
    if (m_state == TcpState::SYN_SENT)
    {
        if (flags & TcpHeader::RST)
        {
            if ((flags & TcpHeader::ACK) && h.GetAckNumber() == m_iss + 1)
            {
                CloseDown(true, Errno::CONNREFUSED);
            }
            return;
        }
        if ((flags & TcpHeader::ACK) && h.GetAckNumber() != m_iss + 1)
        {
            // tcp_rcv_synsent_state_process(): an unacceptable ACK (a TIME_WAIT's or an old
            // connection's answer to our SYN) is reset, and if no SYN was retransmitted yet
            // the SYN goes again after TCP_TIMEOUT_MIN (2 jiffies).
            if (m_retries == 0)
            {
                ArmRetransmitIn(m_tcp->GetPortSpace()->Jiffies(TCP_TIMEOUT_MIN_JIFFIES));
            }
            m_tcp->SendResetTo(h, payload->GetSize(), ends);
            return;
        }
        if ((flags & TcpHeader::SYN) && (flags & TcpHeader::ACK) && h.GetAckNumber() == m_iss + 1)
        {
            m_rcvNxt = h.GetSequenceNumber() + 1;
            m_sndUna = m_iss + 1;
            m_sndWnd = h.GetWindowSize();
            m_tsOk = m_tsOk && h.HasTimestamp();
            NoteTimestamp(h);
            StopRetransmit();
            m_retries = 0;
            SetState(TcpState::ESTABLISHED);
            SendFlags(TcpHeader::ACK);
            ConnectSucceeded();
        }
        else if ((flags & TcpHeader::SYN) && !(flags & TcpHeader::ACK))
        {
            // tcp_rcv_synsent_state_process(), simultaneous open: "if (th->syn) {...
            // tcp_set_state(sk, TCP_SYN_RECV); ... tcp_send_synack(sk)". A socket that
            // connects to its own address and port meets its own SYN here, and its own SYN-ACK
            // then completes the handshake: it ends ESTABLISHED, connected to itself.
            m_rcvNxt = h.GetSequenceNumber() + 1;
            m_sndWnd = h.GetWindowSize();
            m_tsOk = m_tsOk && h.HasTimestamp();
            NoteTimestamp(h);
            SetState(TcpState::SYN_RECV);
            SendFlags(TcpHeader::SYN | TcpHeader::ACK);
        }
        return;
    }
    if (flags & TcpHeader::RST)
    {
        if (!InWindow(h.GetSequenceNumber()))
        {
            return;
        }
        if (m_state == TcpState::SYN_RECV)
        {
            CloseDown(false, Errno::OK); // the request just goes away
            return;
        }
        // tcp_reset(): ECONNRESET, but EPIPE in CLOSE_WAIT (the peer had finished sending).
        CloseDown(true, m_state == TcpState::CLOSE_WAIT ? Errno::PIPE : Errno::CONNRESET);
        return;
    }
    if (m_state == TcpState::SYN_RECV)
    {
        if ((flags & TcpHeader::SYN) && !(flags & TcpHeader::ACK))
        {
            SendFlags(TcpHeader::SYN | TcpHeader::ACK); // retransmitted SYN
            return;
        }
        if (!(flags & TcpHeader::ACK) || h.GetAckNumber() != m_iss + 1)
        {
            return;
        }
        Ptr<LinuxTcpSocket> l(m_listener);
        if (l && l->m_acceptQueue.size() > l->Table().GetBacklog(l->m_id))
        {
            // tcp_check_req(): the accept queue is full at the final ACK.
            l->ListenDropped(3);
            if (m_tcp->GetPortSpace()->Host().Sysctls().tcpAbortOnOverflow != 0)
            {
                SendReset();
                CloseDown(false, Errno::OK);
            }
            // Otherwise the ACK is dropped; SYN-ACK retransmissions go on.
            return;
        }
        m_sndUna = m_iss + 1;
        m_sndWnd = h.GetWindowSize();
        NoteTimestamp(h);
        StopRetransmit();
        m_retries = 0;
        m_rto = m_initialRto;
        if (l)
        {
            Count(LinuxMib::TCP_PASSIVE_OPENS); // tcp_create_openreq_child()
        }
        SetState(TcpState::ESTABLISHED);
        if (l)
        {
            l->ChildEstablished(this);
        }
        else if (m_sockState == SockState::CONNECTING)
        {
            ConnectSucceeded(); // the active side of a simultaneous open
        }
        if (!l && m_shutdownSend)
        {
            // tcp_rcv_state_process(), TCP_SYN_RECV: "if (sk->sk_shutdown & SEND_SHUTDOWN)
            // tcp_shutdown(sk, SEND_SHUTDOWN)": a shutdown(SHUT_WR) made before the
            // simultaneous open completed sends its FIN now.
            SetState(TcpState::FIN_WAIT1);
            SendData();
        }
        if (payload->GetSize() == 0 && !(flags & TcpHeader::FIN))
        {
            return;
        }
    }
    if (flags & TcpHeader::SYN)
    {
        SendFlags(TcpHeader::ACK); // a SYN in a synchronized state: (challenge) ACK
        return;
    }
    NoteTimestamp(h);
    if (flags & TcpHeader::ACK)
    {
        ProcessAck(h);
        if (m_id == portlab::INVALID_ID)
        {
            return; // released (LAST_ACK completed)
        }
    }
    if (payload->GetSize() > 0)
    {
        ProcessData(h, payload);
    }
    if ((flags & TcpHeader::FIN) && m_id != portlab::INVALID_ID &&
        h.GetSequenceNumber() + payload->GetSize() == m_rcvNxt && !m_finReceived)
    {
        ProcessFin();
    }
    else if ((flags & TcpHeader::FIN) && m_finReceived && m_id != portlab::INVALID_ID)
    {
        SendFlags(TcpHeader::ACK); // retransmitted FIN
    }
}

void
LinuxTcpSocket::ProcessAck(const LinuxTcpHeader& h)
{
    SequenceNumber32 ack = h.GetAckNumber();
    m_sndWnd = h.GetWindowSize();
    if (ack > m_sndUna && ack <= m_sndNxt)
    {
        uint32_t acked = ack - m_sndUna;
        uint32_t dataAcked = std::min(acked, m_txBuffer->GetSize());
        m_txBuffer->RemoveAtStart(dataAcked);
        m_sndUna = ack;
        m_retries = 0;
        StopRetransmit();
        ArmRetransmit();
        if (dataAcked > 0)
        {
            NotifyDataSent(dataAcked);
            NotifySend(GetTxAvailable());
        }
    }
    const bool finAcked = m_finSent && m_sndUna == m_sndNxt;
    if (!finAcked)
    {
        SendData();
        return;
    }
    switch (m_state)
    {
    case TcpState::FIN_WAIT1:
        SetState(TcpState::FIN_WAIT2);
        if (m_orphan)
        {
            EnterTimeWait(true); // tcp_rcv_state_process(): an orphan's FIN was acked
        }
        break;
    case TcpState::CLOSING:
        EnterTimeWait();
        break;
    case TcpState::LAST_ACK:
        CloseDown(false, Errno::OK);
        break;
    default:
        break;
    }
}

void
LinuxTcpSocket::ProcessData(const LinuxTcpHeader& h, Ptr<Packet> payload)
{
    if (h.GetSequenceNumber() != m_rcvNxt || m_finReceived)
    {
        SendFlags(TcpHeader::ACK); // out of order or duplicate: (dup) ACK, drop
        return;
    }
    if (m_rcvShutdown && (m_state == TcpState::FIN_WAIT1 || m_state == TcpState::FIN_WAIT2))
    {
        // tcp_rcv_state_process(), step 7: in FIN_WAIT1/2 "if (sk->sk_shutdown &
        // RCV_SHUTDOWN)" new data is answered with RST and tcp_reset() (ECONNRESET): a closed
        // socket, or one shut for reading. In ESTABLISHED, SHUT_RD data is queued and readable.
        m_rcvNxt += payload->GetSize();
        SendReset();
        CloseDown(true, Errno::CONNRESET);
        return;
    }
    uint32_t room = m_rcvBufSize > m_rxSize ? m_rcvBufSize - m_rxSize : 0;
    if (payload->GetSize() > room)
    {
        SendFlags(TcpHeader::ACK); // beyond the window: drop, the sender retransmits
        return;
    }
    m_rcvNxt += payload->GetSize();
    m_rxBuffer.push_back(payload);
    m_rxSize += payload->GetSize();
    SendFlags(TcpHeader::ACK);
    NotifyDataRecv();
}

void
LinuxTcpSocket::ProcessFin()
{
    m_rcvNxt += 1;
    m_finReceived = true;
    SendFlags(TcpHeader::ACK);
    switch (m_state)
    {
    case TcpState::ESTABLISHED:
        SetState(TcpState::CLOSE_WAIT);
        if (!m_closeNotified)
        {
            m_closeNotified = true;
            NotifyNormalClose();
        }
        NotifyDataRecv(); // readers see EOF
        break;
    case TcpState::FIN_WAIT1:
        if (m_finSent && m_sndUna == m_sndNxt)
        {
            EnterTimeWait();
        }
        else
        {
            SetState(TcpState::CLOSING); // simultaneous close
        }
        break;
    case TcpState::FIN_WAIT2:
        EnterTimeWait();
        break;
    default:
        break;
    }
}

void
LinuxTcpSocket::EnterTimeWait(bool finWait2)
{
    NS_LOG_FUNCTION(this << finWait2);
    Ptr<LinuxTcpSocket> self(this);
    CancelRetransmit();
    StopTimer(m_finWait2Event);
    Ptr<LinuxPortSpace> ports = m_tcp->GetPortSpace();
    const portlab::TimeNs now = LinuxPortSpace::Now();
    portlab::TimeWaitInfo info;
    info.sndNxt = m_sndNxt.GetValue();
    info.rcvNxt = m_rcvNxt.GetValue();
    info.tsRecent = m_tsRecent;
    info.hasTimestamps = portlab::TcpTwTimestamps(m_tsOk, m_tsSeen);
    // tcp_close() and tcp_rcv_state_process() park an orphan in FIN_WAIT2 with
    // tcp_time_wait(sk, TCP_FIN_WAIT2, tcp_fin_time(sk)): a timewait sock that holds the
    // 4-tuple, counts against tcp_max_tw_buckets (past it the connection just closes) and
    // waits tcp_fin_timeout for the peer's FIN.
    info.finWait2 = finWait2;
    const portlab::TimeNs length =
        finWait2 ? ports->Host().Sysctls().tcpFinTimeoutS * 1000 * portlab::NS_PER_MS
                 : ports->Host().Sysctls().TimewaitLen();
    info.timeout = ports->RoundTimer(now + length) - now;
    TcpState old = m_state;
    if (Table().EnterTimeWait(m_id, now, info) != portlab::INVALID_ID)
    {
        // inet_twsk_schedule(): a timewait sock armed for at most 4 s counts as killed.
        Count(length > 4 * portlab::NS_PER_SECOND ? LinuxMib::TCP_EXT_TW
                                                  : LinuxMib::TCP_EXT_TW_KILLED);
    }
    ports->ArmTimeWaitTimer();
    m_state = TcpState::CLOSE;
    StateChanged(old, finWait2 ? TcpState::CLOSE : TcpState::TIME_WAIT);
    if (!m_closeNotified)
    {
        m_closeNotified = true;
        NotifyNormalClose();
    }
    if (m_orphan)
    {
        Release();
    }
}

void
LinuxTcpSocket::Disconnect()
{
    NS_LOG_FUNCTION(this);
    Ptr<LinuxTcpSocket> self(this);
    const TcpState old = m_state;
    NS_ASSERT_MSG(old == TcpState::LISTEN || old == TcpState::SYN_SENT || old == TcpState::CLOSE,
                  "Disconnect() is for a listener, a connecting or a closed socket");
    if (old == TcpState::LISTEN)
    {
        StopListening(); // inet_csk_listen_stop()
    }
    else if (old == TcpState::SYN_SENT)
    {
        // "else if (old_state == TCP_SYN_SENT) sk->sk_err = ECONNRESET": no RST goes out.
        CancelRetransmit();
        Table().SetClosed(m_id);
        m_linuxErrno = Errno::CONNRESET;
        m_sockError = Errno::CONNRESET;
        m_errnoTrace(Errno::CONNRESET);
    }
    m_state = TcpState::CLOSE;
    if (old != TcpState::CLOSE)
    {
        StateChanged(old, TcpState::CLOSE);
    }
    // "sk->sk_shutdown = 0; sock_reset_flag(sk, SOCK_DONE); inet->inet_dport = 0;" and the
    // queues purged; inet_reset_saddr() unless bind() chose the address.
    m_rcvShutdown = false;
    m_shutdownSend = false;
    m_finReceived = false;
    m_finSent = false;
    m_remotePort = 0;
    m_rxBuffer.clear();
    m_rxSize = 0;
    m_txBuffer->RemoveAtStart(m_txBuffer->GetSize());
    Table().ResetSource(m_id);
}

void
LinuxTcpSocket::CloseDown(bool notifyError, Errno e)
{
    NS_LOG_FUNCTION(this << notifyError << portlab::ErrnoName(e));
    Ptr<LinuxTcpSocket> self(this);
    CancelRetransmit();
    StopTimer(m_finWait2Event);
    TcpState old = m_state;
    if (m_id != portlab::INVALID_ID)
    {
        Table().SetClosed(m_id);
    }
    m_state = TcpState::CLOSE;
    if (old != TcpState::CLOSE)
    {
        StateChanged(old, TcpState::CLOSE);
    }
    if (old == TcpState::SYN_SENT && e != Errno::OK)
    {
        Count(LinuxMib::TCP_ATTEMPT_FAILS); // tcp_done() of a refused or timed-out connect
    }
    if (e != Errno::OK)
    {
        m_linuxErrno = e;
        m_sockError = e; // sk_err, until a call reports it
        m_errnoTrace(e);
    }
    // tcp_done(): sk_shutdown = SHUTDOWN_MASK, so recv() gives EOF. A failed connect() that a
    // connect() call then collects is disconnected (tcp_disconnect() clears the mask): see
    // Connect(); a blocking connect() is exactly that.
    m_rcvShutdown = true;
    if ((old == TcpState::SYN_SENT || old == TcpState::SYN_RECV) && !m_orphan &&
        m_blockingConnect && m_sockState == SockState::CONNECTING)
    {
        // A blocking connect() wakes to the failure and returns it ("sock_error":
        // sock_error() takes sk_err), then disconnects: SS_UNCONNECTED, ready to connect,
        // listen or bind again. The error stays in GetLinuxErrno() for the callback.
        m_sockError = Errno::OK;
        m_sockState = SockState::UNCONNECTED;
        Disconnect();
    }
    if (m_listener)
    {
        // A child that never reached the application.
        m_listener->ForgetPending(this);
        m_listener = nullptr;
        m_orphan = true;
    }
    if (!m_orphan)
    {
        if (old == TcpState::SYN_SENT)
        {
            if (e != Errno::OK)
            {
                Result("connect-established", e);
            }
            NotifyConnectionFailed();
        }
        else if (!m_closeNotified && old != TcpState::LISTEN && old != TcpState::CLOSE)
        {
            m_closeNotified = true;
            if (notifyError)
            {
                NotifyErrorClose();
            }
            else
            {
                NotifyNormalClose();
            }
        }
        if (notifyError)
        {
            NotifyDataRecv(); // a blocked reader wakes up to the error
        }
    }
    if (m_orphan)
    {
        Release();
    }
}

void
LinuxTcpSocket::Release()
{
    if (m_id == portlab::INVALID_ID)
    {
        return;
    }
    Ptr<LinuxTcpSocket> self(this);
    portlab::SocketId id = m_id;
    m_id = portlab::INVALID_ID;
    CancelRetransmit();
    StopTimer(m_finWait2Event);
    m_tcp->Table().Destroy(id);
    m_tcp->Register(id, nullptr); // no per-connection object stays behind
    m_txBuffer = Create<Packet>();
    m_rxBuffer.clear();
}

// ---------------------------------------------------------------------------------------------
// Listening

void
LinuxTcpSocket::ProcessListen(const LinuxTcpHeader& h,
                              Ptr<Packet> payload,
                              const TcpEndpoints& ends,
                              uint32_t isn)
{
    NS_LOG_FUNCTION(this << h);
    const uint8_t flags = h.GetFlags();
    if (flags & TcpHeader::RST)
    {
        return;
    }
    if ((flags & TcpHeader::ACK) || !(flags & TcpHeader::SYN))
    {
        m_tcp->SendResetTo(h, payload->GetSize(), ends); // no such request
        return;
    }
    const auto& sysctls = m_tcp->GetPortSpace()->Host().Sysctls();
    const uint32_t backlog = Table().GetBacklog(m_id);
    if (isn == 0)
    {
        // tcp_conn_request(), in its order.
        bool synQueueFull = m_pending.size() > backlog;
        if ((sysctls.tcpSyncookies == 2 || synQueueFull) && sysctls.tcpSyncookies == 0)
        {
            ListenDropped(1);
            return;
        }
    }
    if (m_acceptQueue.size() > backlog)
    {
        ListenDropped(2);
        return;
    }
    if (isn == 0 && sysctls.tcpSyncookies == 0 &&
        sysctls.tcpMaxSynBacklog - static_cast<int64_t>(m_pending.size()) <
            sysctls.tcpMaxSynBacklog / 4)
    {
        ListenDropped(1);
        return;
    }
    const Ipv4Address local = ends.local;
    const Ipv4Address remote = ends.remote;
    if (!NotifyConnectionRequest(ends.native6
                                     ? Address(Inet6SocketAddress(ends.remote6, h.GetSourcePort()))
                                     : Present(remote, h.GetSourcePort())))
    {
        m_tcp->SendResetTo(h, payload->GetSize(), ends);
        return;
    }
    portlab::SocketId id = ends.native6
                               ? Table().CreateChild6(m_id,
                                                      LinuxPortSpace::ToPortlab6(ends.local6),
                                                      LinuxPortSpace::ToPortlab6(ends.remote6),
                                                      h.GetSourcePort(),
                                                      TcpState::SYN_RECV)
                               : Table().CreateChild(m_id,
                                                     local.Get(),
                                                     remote.Get(),
                                                     h.GetSourcePort(),
                                                     TcpState::SYN_RECV);
    if (id == portlab::INVALID_ID)
    {
        return;
    }
    Ptr<LinuxTcpSocket> child = CopyObject<LinuxTcpSocket>(this);
    child->m_tcp = m_tcp;
    child->m_id = id;
    m_tcp->Register(id, child);
    child->m_local = local;
    child->m_localPort = m_localPort;
    child->m_remote = remote;
    child->m_remotePort = h.GetSourcePort();
    child->m_native6 = ends.native6;
    child->m_local6 = ends.local6;
    child->m_remote6 = ends.remote6;
    if (!ends.native6)
    {
        Socket::SocketErrno err;
        child->m_route =
            LinuxRouteOutput(GetNode()->GetObject<Ipv4>(), remote, local, m_boundDev, err);
    }
    child->m_listener = this;
    child->m_sockState = SockState::CONNECTED; // inet_accept() hands it over as SS_CONNECTED
    child->m_nonBlocking = true;               // as a new socket: ns-3's calls never wait
    child->m_state = TcpState::SYN_RECV;
    child->StateChanged(TcpState::LISTEN, TcpState::SYN_RECV);
    child->m_rcvNxt = h.GetSequenceNumber() + 1;
    child->m_sndWnd = h.GetWindowSize();
    const int64_t ts = sysctls.tcpTimestamps;
    child->m_tsOk = portlab::TcpTstampOk(ts, h.HasTimestamp());
    child->m_tsOffset =
        m_tcp->TimestampOffset(ends.HashLocal(), m_localPort, ends.HashRemote(), h.GetSourcePort());
    if (child->m_tsOk)
    {
        child->m_tsRecent = h.GetTsVal();
        child->m_tsSeen = true;
    }
    child->m_iss = SequenceNumber32(isn != 0 ? isn
                                             : m_tcp->InitialSequence(ends.HashLocal(),
                                                                      m_localPort,
                                                                      ends.HashRemote(),
                                                                      h.GetSourcePort()));
    child->m_sndUna = child->m_iss;
    child->m_sndNxt = child->m_iss + 1;
    child->m_rto = m_initialRto;
    m_pending.push_back(child);
    child->SendFlags(TcpHeader::SYN | TcpHeader::ACK);
    child->ArmRetransmit();
}

void
LinuxTcpSocket::ForgetPending(LinuxTcpSocket* child)
{
    auto it = std::find_if(m_pending.begin(), m_pending.end(), [child](const auto& p) {
        return PeekPointer(p) == child;
    });
    if (it != m_pending.end())
    {
        m_pending.erase(it);
    }
}

void
LinuxTcpSocket::ChildEstablished(Ptr<LinuxTcpSocket> child)
{
    ForgetPending(PeekPointer(child));
    if (m_autoAccept)
    {
        child->m_listener = nullptr;
        NotifyNewConnectionCreated(child, child->PeerAddress());
    }
    else
    {
        m_acceptQueue.push_back(child);
    }
}

void
LinuxTcpSocket::StopListening()
{
    // inet_csk_listen_stop(): requests and unaccepted children go with the listener, unless
    // tcp_migrate_req moves them to another member of its SO_REUSEPORT group.
    const bool migrate = m_tcp->GetPortSpace()->Host().Sysctls().tcpMigrateReq != 0 && m_reusePort;
    std::vector<Ptr<LinuxTcpSocket>> children(m_pending.begin(), m_pending.end());
    children.insert(children.end(), m_acceptQueue.begin(), m_acceptQueue.end());
    m_pending.clear();
    m_acceptQueue.clear();
    Table().SetClosed(m_id); // leaves the group first, so lookups find the survivors
    for (const Ptr<LinuxTcpSocket>& child : children)
    {
        Ptr<LinuxTcpSocket> target;
        if (migrate)
        {
            portlab::TcpLookup l =
                child->m_native6
                    ? Table().FindListener6(LinuxPortSpace::ToPortlab6(child->m_local6),
                                            child->m_localPort,
                                            LinuxPortSpace::ToPortlab6(child->m_remote6),
                                            child->m_remotePort,
                                            m_boundDev)
                    : Table().FindListener(child->m_local.Get(),
                                           child->m_localPort,
                                           child->m_remote.Get(),
                                           child->m_remotePort,
                                           m_boundDev);
            target = l.kind == portlab::TcpLookup::LISTENER ? m_tcp->Lookup(l.id) : nullptr;
        }
        if (target)
        {
            child->m_listener = PeekPointer(target);
            if (child->m_state == TcpState::SYN_RECV)
            {
                target->m_pending.push_back(child);
            }
            else
            {
                target->ChildEstablished(child);
            }
            continue;
        }
        child->m_listener = nullptr;
        child->m_orphan = true;
        child->SendReset();
        child->CloseDown(false, Errno::OK);
    }
}

// ---------------------------------------------------------------------------------------------
// TcpSocket attributes

void
LinuxTcpSocket::SetSndBufSize(uint32_t size)
{
    m_sndBufSize = size;
}

uint32_t
LinuxTcpSocket::GetSndBufSize() const
{
    return m_sndBufSize;
}

void
LinuxTcpSocket::SetRcvBufSize(uint32_t size)
{
    m_rcvBufSize = size;
}

uint32_t
LinuxTcpSocket::GetRcvBufSize() const
{
    return m_rcvBufSize;
}

void
LinuxTcpSocket::SetSegSize(uint32_t size)
{
    m_segSize = std::max<uint32_t>(size, 1);
}

uint32_t
LinuxTcpSocket::GetSegSize() const
{
    return m_segSize;
}

void
LinuxTcpSocket::SetInitialSSThresh(uint32_t)
{
}

uint32_t
LinuxTcpSocket::GetInitialSSThresh() const
{
    return UINT32_MAX;
}

void
LinuxTcpSocket::SetInitialCwnd(uint32_t)
{
}

uint32_t
LinuxTcpSocket::GetInitialCwnd() const
{
    return MAX_WINDOW / m_segSize;
}

void
LinuxTcpSocket::SetConnTimeout(Time timeout)
{
    m_connTimeout = timeout; // reported, not used: see the InitialRto attribute
}

Time
LinuxTcpSocket::GetConnTimeout() const
{
    return m_connTimeout;
}

void
LinuxTcpSocket::SetSynRetries(uint32_t count)
{
    m_synRetries = count;
}

uint32_t
LinuxTcpSocket::GetSynRetries() const
{
    return m_synRetries;
}

void
LinuxTcpSocket::SetDataRetries(uint32_t retries)
{
    m_dataRetries = retries;
}

uint32_t
LinuxTcpSocket::GetDataRetries() const
{
    return m_dataRetries;
}

void
LinuxTcpSocket::SetDelAckTimeout(Time timeout)
{
    m_delAckTimeout = timeout;
}

Time
LinuxTcpSocket::GetDelAckTimeout() const
{
    return m_delAckTimeout;
}

void
LinuxTcpSocket::SetDelAckMaxCount(uint32_t count)
{
    m_delAckCount = count;
}

uint32_t
LinuxTcpSocket::GetDelAckMaxCount() const
{
    return m_delAckCount;
}

void
LinuxTcpSocket::SetTcpNoDelay(bool noDelay)
{
    m_noDelay = noDelay;
}

bool
LinuxTcpSocket::GetTcpNoDelay() const
{
    return m_noDelay;
}

void
LinuxTcpSocket::SetPersistTimeout(Time timeout)
{
    m_persistTimeout = timeout;
}

Time
LinuxTcpSocket::GetPersistTimeout() const
{
    return m_persistTimeout;
}

} // namespace ns3
