/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_TCP_SOCKET_H
#define LINUX_TCP_SOCKET_H

#include "ports/port-types.h"
#include "ports/tcp-port-table.h"
#include "transport/linux-mib.h"
#include "transport/linux-tcp-header.h"

#include "ns3/event-id.h"
#include "ns3/ipv4-address.h"
#include "ns3/ipv6-address.h"
#include "ns3/nstime.h"
#include "ns3/sequence-number.h"
#include "ns3/tcp-header.h"
#include "ns3/tcp-socket.h"
#include "ns3/traced-callback.h"

#include <deque>

namespace ns3
{

class LinuxTcpL4Protocol;
class Ipv4Route;
struct TcpEndpoints;

/**
 * \ingroup portlab-transport
 * \brief A TCP socket with Linux's port semantics and connection lifecycle.
 *
 * A connection-lifecycle TCP, not a congestion-control one: three-way handshake with SYN
 * and SYN-ACK retransmission (1 s initial RTO, exponential backoff after the first
 * tcp_syn_linear_timeouts SYNs, tcp_syn_retries or TCP_SYNCNT / tcp_synack_retries), data with a
 * fixed window and go-back-N retransmission on timeout, FIN teardown in every order (simultaneous
 * close leaves both sides in TIME_WAIT), RST for SO_LINGER 0 and for unread data at close, orphan
 * FIN_WAIT2 timeout (tcp_fin_timeout), SYN and accept queues bounded by the backlog with Linux's
 * drop behaviour (tcp_abort_on_overflow, tcp_syncookies), and SO_REUSEPORT listener close that
 * loses or migrates (tcp_migrate_req) its pending connections.
 *
 * Socket options are attributes: ReuseAddr, ReusePort, Linger/LingerTime, BindAddressNoPort,
 * LocalPortRange, Uid, BoundDevice. ns-3's SocketErrno has no ECONNREFUSED, ECONNRESET or
 * ETIMEDOUT: GetLinuxErrno() and the "LinuxErrno" trace source give Linux's value.
 */
class LinuxTcpSocket : public TcpSocket
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    LinuxTcpSocket();

    /**
     * \brief Another socket's options and parameters (every attribute), with fresh state, no
     * callbacks and no trace sinks: a child for a listener (what Linux's sk_clone does), or a
     * new socket cloned from LinuxTcpL4Protocol's prototype. Much cheaper than CreateObject,
     * which constructs every attribute again.
     * \param other the listening socket, or the prototype
     */
    LinuxTcpSocket(const LinuxTcpSocket& other);

    ~LinuxTcpSocket() override;

    /**
     * \brief Attach to the protocol (done by LinuxTcpL4Protocol::CreateSocket).
     * \param tcp the protocol
     * \param id the socket's handle in the port table
     */
    void Setup(Ptr<LinuxTcpL4Protocol> tcp, portlab::SocketId id);

    /// \return the Linux errno of the last failure (OK if none)
    portlab::Errno GetLinuxErrno() const
    {
        return m_linuxErrno;
    }

    /**
     * \brief getsockopt(SO_ERROR): the pending error (sk_err) a reset, a refused or timed-out
     * connect left, which the next send() or recv() would report; reading it clears it, as
     * sock_error() does.
     * \return the pending error, or OK
     */
    portlab::Errno TakeSocketError();

    /// \return the state as Linux names it
    portlab::TcpState GetTcpState() const
    {
        return m_state;
    }

    /**
     * \brief The Recv-Q `ss` shows: a listener's accept queue length; otherwise the bytes
     * received and not yet read (rcv_nxt - copied_seq, so a FIN not yet read as EOF counts 1).
     * \return the queue
     */
    uint32_t GetSsRecvQueue() const;

    /**
     * \brief The Send-Q `ss` shows: a listener's backlog (sk_max_ack_backlog); otherwise the
     * bytes not yet acknowledged (write_seq - snd_una: a SYN or FIN not yet acknowledged
     * counts 1). A connection in SYN_RECV that a listener made shows 0 and 0 (Linux lists
     * its request sock).
     * \return the queue
     */
    uint32_t GetSsSendQueue() const;

    /// \return the handle in the port table
    portlab::SocketId GetId() const
    {
        return m_id;
    }

    /**
     * \brief With AutoAccept false: take the oldest established connection off the accept
     * queue (accept()).
     * \return the connection, or null if the queue is empty
     */
    Ptr<LinuxTcpSocket> Accept();

    /**
     * \brief shutdown(): inet_shutdown() and tcp_shutdown(). SHUT_RD on a listener stops it
     * (tcp_disconnect); on a closed socket ENOTCONN; SHUT_WR sends a FIN where one can go.
     * \param rd SHUT_RD \param wr SHUT_WR
     * \return 0, or -1 with the errno
     */
    int Shutdown(bool rd, bool wr);

    /// \return connections waiting in the accept queue
    uint32_t GetAcceptQueueLength() const
    {
        return static_cast<uint32_t>(m_acceptQueue.size());
    }

    /// \return handshakes in progress (SYN queue)
    uint32_t GetSynQueueLength() const
    {
        return static_cast<uint32_t>(m_pending.size());
    }

    /**
     * \brief Process a segment the protocol demultiplexed to this socket.
     * \param h header
     * \param payload data
     * \param ends the segment's destination (local) and source (remote), either family
     */
    void ProcessSegment(const LinuxTcpHeader& h, Ptr<Packet> payload, const TcpEndpoints& ends);

    /**
     * \brief A SYN (or other segment) for this listening socket.
     * \param h header
     * \param payload data
     * \param ends the segment's destination (local) and source (remote), either family: a
     *        native-IPv6 SYN makes a native-IPv6 child (tcp_v6_syn_recv_sock)
     * \param isn ISN to use (0: choose one), set when a SYN reopens a TIME_WAIT
     */
    void ProcessListen(const LinuxTcpHeader& h,
                       Ptr<Packet> payload,
                       const TcpEndpoints& ends,
                       uint32_t isn = 0);

    /**
     * \brief socket(AF_INET6): make this socket, created as AF_INET by ns-3's factory, an
     * AF_INET6 one while it has no port (IPV6_V6ONLY from net.ipv6.bindv6only now). Done by
     * itself at the first Bind6() or Inet6SocketAddress given to Bind or Connect. Accepted
     * sockets have their listener's family.
     * \return 0, or -1: EAFNOSUPPORT (the node has no IPv6), EINVAL (it has a port or a
     *         connection already), EBADF (closed)
     */
    int OpenInet6();

    /// \return true if the socket is AF_INET6
    bool IsInet6() const;

    /**
     * \brief setsockopt(IPPROTO_IPV6, IPV6_V6ONLY) (do_ipv6_setsockopt).
     * \param on the value
     * \return 0, or -1: ENOPROTOOPT (AF_INET socket), EINVAL (the socket has a port: after
     *         bind, listen's autobind or connect, even with the value unchanged)
     */
    int SetIpv6Only(bool on);

    /// \return getsockopt(IPV6_V6ONLY): false for an AF_INET socket
    bool GetIpv6Only() const;

    // ns3::Socket
    /// Socket: the last error as ns-3's errno (GetLinuxErrno() gives Linux's).
    /// \return the error
    enum SocketErrno GetErrno() const override;
    /// Socket: NS3_SOCK_STREAM.
    /// \return NS3_SOCK_STREAM
    enum SocketType GetSocketType() const override;
    /// Socket: the node the socket is on (nullptr once disposed).
    /// \return the node
    Ptr<Node> GetNode() const override;
    /// Socket: bind(2) to 0.0.0.0 and an ephemeral port.
    /// \return 0, or -1 with the error in GetErrno()
    int Bind() override;
    /// Socket: IPv6 is not supported (-1, EOPNOTSUPP; EBADF once closed).
    /// \return -1
    int Bind6() override;
    /// Socket: bind(2) to an InetSocketAddress, decided by the port table (EADDRINUSE, ...).
    /// \param address the local address and port (0: an ephemeral port)
    /// \return 0, or -1 with the error in GetErrno()
    int Bind(const Address& address) override;
    /// Socket: close(2) as tcp_close(): a FIN (or an RST with unread data or SO_LINGER 0);
    /// the connection lives on as an orphan, then TIME_WAIT; EBADF for every later call.
    /// \return 0, or -1 with the error in GetErrno()
    int Close() override;
    /// Socket: shutdown(SHUT_WR), as Shutdown(false, true): a FIN after the queued data.
    /// \return 0, or -1 with the error in GetErrno()
    int ShutdownSend() override;
    /// Socket: shutdown(SHUT_RD), as Shutdown(true, false); in SYN_SENT it only marks the
    /// socket, as ns-3's stacks do (BulkSendApplication calls it right after Connect()).
    /// \return 0, or -1 with the error in GetErrno()
    int ShutdownRecv() override;
    /// Socket: connect(2) as tcp_v4_connect(): an ephemeral port chosen by the port model
    /// (EADDRNOTAVAIL when none is free), then the SYN; the outcome arrives through the
    /// connection callbacks.
    /// \param address the peer's InetSocketAddress
    /// \return 0, or -1 with the error in GetErrno()
    int Connect(const Address& address) override;
    /// Socket: listen(2) as inet_listen(): the port table's listener rules (EADDRINUSE, ...).
    /// \return 0, or -1 with the error in GetErrno()
    int Listen() override;
    /// Socket: free space in the send buffer (SndBufSize), in bytes.
    /// \return bytes
    uint32_t GetTxAvailable() const override;
    /// Socket: send(2): queues p and sends what the window allows; EPIPE after shutdown.
    /// \param p the data \param flags ignored
    /// \return the bytes queued, or -1 (the error in GetErrno())
    int Send(Ptr<Packet> p, uint32_t flags) override;
    /// Socket: as Send(); the address is ignored, as Linux ignores it on a stream socket.
    /// \param p the data \param flags ignored \param toAddress ignored
    /// \return as Send()
    int SendTo(Ptr<Packet> p, uint32_t flags, const Address& toAddress) override;
    /// Socket: bytes received in order and not yet read.
    /// \return bytes
    uint32_t GetRxAvailable() const override;
    /// Socket: recv(2) as tcp_recvmsg(): up to maxSize bytes; an empty packet at EOF; nullptr
    /// with ENOTCONN, a pending error (once) or EAGAIN.
    /// \param maxSize the most bytes to return \param flags ignored
    /// \return the data, or nullptr (the error in GetErrno())
    Ptr<Packet> Recv(uint32_t maxSize, uint32_t flags) override;
    /// Socket: as Recv(), and the peer's address.
    /// \param maxSize the most bytes to return \param flags ignored
    /// \param[out] fromAddress the peer's InetSocketAddress \return as Recv()
    Ptr<Packet> RecvFrom(uint32_t maxSize, uint32_t flags, Address& fromAddress) override;
    /// Socket: getsockname(2) as inet_getname() (the last port stays after TCP_CLOSE).
    /// \param[out] address the local InetSocketAddress
    /// \return 0, or -1 once closed (Linux's EBADF)
    int GetSockName(Address& address) const override;
    /// Socket: getpeername(2): -1 in LISTEN, SYN_SENT and CLOSE (Linux's ENOTCONN).
    /// \param[out] address the peer's InetSocketAddress
    /// \return 0, or -1
    int GetPeerName(Address& address) const override;
    /// Socket: TCP has no broadcast: false when asked to allow it.
    /// \param allowBroadcast SO_BROADCAST \return whether it was accepted (only false is)
    bool SetAllowBroadcast(bool allowBroadcast) override;
    /// Socket: false.
    /// \return whether broadcast is allowed
    bool GetAllowBroadcast() const override;

    /// TracedCallback signature for state changes.
    typedef void (*StateTracedCallback)(portlab::TcpState oldState, portlab::TcpState newState);
    /// TracedCallback signature for call results: call name ("bind", ...) and Linux errno.
    typedef void (*ResultTracedCallback)(std::string call, portlab::Errno result);

  protected:
    /// ns3::Object::DoDispose(): cancels the timers; drops the listener, queues, protocol, route.
    void DoDispose() override;

    // ns3::TcpSocket attributes
    /// TcpSocket attribute SndBufSize: sets the send buffer (bytes).
    /// \param size bytes
    void SetSndBufSize(uint32_t size) override;
    /// TcpSocket attribute SndBufSize: the send buffer (bytes).
    /// \return bytes
    uint32_t GetSndBufSize() const override;
    /// TcpSocket attribute RcvBufSize: sets the receive buffer (bytes).
    /// \param size bytes
    void SetRcvBufSize(uint32_t size) override;
    /// TcpSocket attribute RcvBufSize: the receive buffer (bytes).
    /// \return bytes
    uint32_t GetRcvBufSize() const override;
    /// TcpSocket attribute SegmentSize: sets the MSS (bytes, at least 1).
    /// \param size bytes
    void SetSegSize(uint32_t size) override;
    /// TcpSocket attribute SegmentSize: the MSS (bytes).
    /// \return bytes
    uint32_t GetSegSize() const override;
    /// TcpSocket attribute InitialSlowStartThreshold: ignored (no congestion control).
    /// \param threshold ignored
    void SetInitialSSThresh(uint32_t threshold) override;
    /// TcpSocket attribute InitialSlowStartThreshold: UINT32_MAX.
    /// \return the value
    uint32_t GetInitialSSThresh() const override;
    /// TcpSocket attribute InitialCwnd: ignored (no congestion control).
    /// \param cwnd ignored
    void SetInitialCwnd(uint32_t cwnd) override;
    /// TcpSocket attribute InitialCwnd: the largest window, in segments.
    /// \return the value
    uint32_t GetInitialCwnd() const override;
    /// TcpSocket attribute ConnTimeout: stored and reported, not used (see InitialRto).
    /// \param timeout the timeout
    void SetConnTimeout(Time timeout) override;
    /// TcpSocket attribute ConnTimeout: as set.
    /// \return the timeout
    Time GetConnTimeout() const override;
    /// TcpSocket attribute ConnCount: sets the SYN retransmissions.
    /// \param count retransmissions
    void SetSynRetries(uint32_t count) override;
    /// TcpSocket attribute ConnCount: the SYN retransmissions.
    /// \return retransmissions
    uint32_t GetSynRetries() const override;
    /// TcpSocket attribute DataRetries: sets the data retransmissions.
    /// \param retries retransmissions
    void SetDataRetries(uint32_t retries) override;
    /// TcpSocket attribute DataRetries: the data retransmissions.
    /// \return retransmissions
    uint32_t GetDataRetries() const override;
    /// TcpSocket attribute DelAckTimeout: sets the delayed-ACK timeout.
    /// \param timeout the timeout
    void SetDelAckTimeout(Time timeout) override;
    /// TcpSocket attribute DelAckTimeout: the delayed-ACK timeout.
    /// \return the timeout
    Time GetDelAckTimeout() const override;
    /// TcpSocket attribute DelAckCount: sets the segments per delayed ACK.
    /// \param count segments
    void SetDelAckMaxCount(uint32_t count) override;
    /// TcpSocket attribute DelAckCount: the segments per delayed ACK.
    /// \return segments
    uint32_t GetDelAckMaxCount() const override;
    /// TcpSocket attribute TcpNoDelay: sets TCP_NODELAY.
    /// \param noDelay whether set
    void SetTcpNoDelay(bool noDelay) override;
    /// TcpSocket attribute TcpNoDelay: TCP_NODELAY.
    /// \return whether set
    bool GetTcpNoDelay() const override;
    /// TcpSocket attribute PersistTimeout: sets the persist timeout.
    /// \param timeout the timeout
    void SetPersistTimeout(Time timeout) override;
    /// TcpSocket attribute PersistTimeout: the persist timeout.
    /// \return the timeout
    Time GetPersistTimeout() const override;

  private:
    /// Linux's sock->state (socket_state): what connect(), listen() and shutdown() look at,
    /// beside the TCP state.
    enum class SockState : uint8_t
    {
        UNCONNECTED,  //!< SS_UNCONNECTED
        CONNECTING,   //!< SS_CONNECTING
        CONNECTED,    //!< SS_CONNECTED
        DISCONNECTING //!< SS_DISCONNECTING (shutdown() met a failed or pending connect)
    };

    portlab::TcpPortTable& Table() const;
    bool Released() const;
    int Fail(portlab::Errno e, const char* call);
    void Result(const char* call, portlab::Errno e);
    void SetState(portlab::TcpState s);
    void StateChanged(portlab::TcpState old, portlab::TcpState now);
    void Count(LinuxMib::Counter c, int64_t delta = 1) const;
    void ListenDropped(uint32_t why);
    void ApplyOptions();
    void SetReuseAddr(bool on);
    bool GetReuseAddr() const;
    void SetReusePort(bool on);
    bool GetReusePort() const;
    void SetUid(uint32_t uid);
    uint32_t GetUid() const;
    void SetBoundDevice(uint32_t ifindex);
    uint32_t GetBoundDevice() const;
    void SetBindAddressNoPort(bool on);
    bool GetBindAddressNoPort() const;
    void SetLocalPortRange(std::string range);
    std::string GetLocalPortRange() const;

    void SendFlags(uint8_t flags);
    void SendData();
    LinuxTcpHeader MakeHeader(uint8_t flags, SequenceNumber32 seq) const;
    uint16_t AdvertisedWindow() const;
    void ArmRetransmit();
    void StopRetransmit();
    /// (Re)start the retransmission timer to fire after \p delay.
    void ArmRetransmitIn(Time delay);
    /// \return when a retransmission timer armed now for \p delay fires (timer-wheel rounding)
    Time RetransmitDeadline(Time delay) const;
    void CancelRetransmit();
    static void StopTimer(EventId& timer);
    void RetransmitTimer();
    void Retransmit();
    bool SynSentTimedOut() const;
    /// The handshake of our connect() completed (SYN-ACK, or a simultaneous open).
    void ConnectSucceeded();
    void ProcessAck(const LinuxTcpHeader& h);
    void ProcessData(const LinuxTcpHeader& h, Ptr<Packet> payload);
    void ProcessFin();
    void ReceivedReset();
    /// tcp_time_wait(): the connection passes to a TIME_WAIT entry; with \p finWait2, an
    /// orphan in FIN_WAIT2 passes to an entry in the FIN_WAIT2 substate for tcp_fin_timeout.
    void EnterTimeWait(bool finWait2 = false);
    void CloseDown(bool notifyError, portlab::Errno e);
    /// tcp_disconnect(): back to an unconnected TCP_CLOSE socket (a listener stops, a live
    /// connection is reset, a SYN_SENT one gets sk_err ECONNRESET); sk_shutdown and SOCK_DONE
    /// cleared, the peer forgotten, an automatic source address reset (inet_reset_saddr()).
    void Disconnect();
    void Release();
    void SendReset();
    void MaybeSendFin();
    void ChildEstablished(Ptr<LinuxTcpSocket> child);
    void ForgetPending(LinuxTcpSocket* child);
    void StopListening();
    /// \return this connection's ends (TcpEndpoints), for the ISN and timestamp hashes
    TcpEndpoints Ends() const;
    /// Send a fresh packet to the peer over the connection's family.
    /// \param p payload (owned) \param h header
    void Transmit(Ptr<Packet> p, const LinuxTcpHeader& h);
    /// \param addr an IPv4 address (of the connection) \param port a port
    /// \return it as this socket's family shows it (::ffff:a.b.c.d on AF_INET6)
    Address Present(Ipv4Address addr, uint16_t port) const;
    /// \return the peer as getpeername() gives it
    Address PeerAddress() const;
    /// \param on IPV6_V6ONLY \return false if refused (the Ipv6Only attribute)
    bool SetIpv6OnlyAttribute(bool on);
    /// \param address an Inet6SocketAddress \return 0 if AF_INET6 now (else -1, errno set)
    int EnsureInet6(const Address& address);
    bool InWindow(SequenceNumber32 seq) const;
    void NoteTimestamp(const LinuxTcpHeader& h);
    uint32_t TsVal() const;

    Ptr<LinuxTcpL4Protocol> m_tcp;                       //!< protocol
    portlab::SocketId m_id{portlab::INVALID_ID};         //!< table handle
    portlab::TcpState m_state{portlab::TcpState::CLOSE}; //!< state
    portlab::Errno m_linuxErrno{portlab::Errno::OK};     //!< last error
    Ipv4Address m_local;                                 //!< local address (once known)
    uint16_t m_localPort{0};                             //!< local port
    Ipv4Address m_remote;                                //!< peer address
    uint16_t m_remotePort{0};                            //!< peer port
    Ptr<Ipv4Route> m_route;                              //!< cached route
    bool m_inet6{false};         //!< AF_INET6 (accepted sockets: the listener's family)
    bool m_native6{false};       //!< connected over IPv6 (m_local/m_remote are 127.0.0.6 then)
    Ipv6Address m_local6;        //!< local IPv6 address of a native-IPv6 connection
    Ipv6Address m_remote6;       //!< peer IPv6 address of a native-IPv6 connection
    bool m_orphan{false};        //!< the application closed it
    bool m_shutdownSend{false};  //!< SEND_SHUTDOWN in sk_shutdown
    bool m_finSent{false};       //!< our FIN went out
    bool m_finReceived{false};   //!< peer's FIN arrived
    bool m_finRead{false};       //!< a recv() reported the peer's FIN as EOF (copied_seq passed it)
    bool m_closeNotified{false}; //!< app told of the close
    /// sock->state: SS_CONNECTING from connect() until a connect() call (a blocking one when
    /// the handshake ends) or shutdown() sees the outcome; SS_CONNECTED stays after a reset.
    SockState m_sockState{SockState::UNCONNECTED};
    bool m_blockingConnect{false}; //!< the pending connect() was a blocking one
    bool m_rcvShutdown{false};     //!< RCV_SHUTDOWN in sk_shutdown (tcp_done(), SHUT_RD, close())
    portlab::Errno m_sockError{portlab::Errno::OK}; //!< sk_err: reported once by a call

    // options (attributes)
    bool m_reuseAddr{false};         //!< SO_REUSEADDR
    bool m_reusePort{false};         //!< SO_REUSEPORT
    uint32_t m_uid{0};               //!< owner uid
    uint32_t m_boundDev{0};          //!< SO_BINDTODEVICE ifindex
    bool m_bindAddressNoPort{false}; //!< IP_BIND_ADDRESS_NO_PORT
    uint16_t m_rangeLo{0};           //!< IP_LOCAL_PORT_RANGE low
    uint16_t m_rangeHi{0};           //!< IP_LOCAL_PORT_RANGE high
    bool m_nonBlocking{true};        //!< O_NONBLOCK
    bool m_lingerOn{false};          //!< SO_LINGER l_onoff
    Time m_lingerTime;               //!< SO_LINGER l_linger
    bool m_autoAccept{true};         //!< hand connections to the app as they establish
    int64_t m_backlogRequest{-1};    //!< listen() backlog (-1 = somaxconn)

    // TcpSocket attributes
    uint32_t m_sndBufSize{131072};          //!< send buffer
    uint32_t m_rcvBufSize{131072};          //!< receive buffer (fixed window)
    uint32_t m_segSize{1448};               //!< MSS
    Time m_connTimeout{Seconds(3)};         //!< ns-3's ConnTimeout (kept for the API)
    Time m_initialRto{Seconds(1)};          //!< TCP_TIMEOUT_INIT
    uint32_t m_synRetries{6};               //!< ns-3's SynRetries (kept for the API)
    uint32_t m_synCount{0};                 //!< TCP_SYNCNT (0 = tcp_syn_retries)
    Time m_synStart;                        //!< first SYN sent (tp->retrans_stamp)
    uint32_t m_dataRetries{15};             //!< tcp_retries2
    Time m_delAckTimeout{MilliSeconds(40)}; //!< kept for the API (ACKs go out at once)
    uint32_t m_delAckCount{1};              //!< kept for the API
    bool m_noDelay{true};                   //!< kept for the API
    Time m_persistTimeout{Seconds(6)};      //!< kept for the API

    // sequence state
    SequenceNumber32 m_iss;    //!< initial send sequence
    SequenceNumber32 m_sndUna; //!< oldest unacknowledged
    SequenceNumber32 m_sndNxt; //!< next to send
    uint32_t m_sndWnd{65535};  //!< peer's window
    SequenceNumber32 m_rcvNxt; //!< next expected
    bool m_tsOk{false};        //!< timestamps in use on this connection
    uint32_t m_tsOffset{0};    //!< per-connection timestamp offset
    uint32_t m_tsRecent{0};    //!< peer's latest TSval
    bool m_tsSeen{false};      //!< a TSval was received

    Ptr<Packet> m_txBuffer;             //!< bytes from m_sndUna on (sent and unsent)
    std::deque<Ptr<Packet>> m_rxBuffer; //!< in-order received data
    uint32_t m_rxSize{0};               //!< bytes in m_rxBuffer

    // timers
    EventId m_retxEvent;     //!< retransmission timer event (may be due before m_retxDeadline)
    Time m_retxDeadline;     //!< when the retransmission timer expires, if m_retxArmed
    bool m_retxArmed{false}; //!< the retransmission timer runs
    Time m_rto{Seconds(1)};  //!< current RTO
    uint32_t m_retries{0};   //!< retransmissions of the current segment
    Time m_srtt;             //!< smoothed RTT
    Time m_rttvar;           //!< RTT variation
    EventId m_finWait2Event; //!< orphan FIN_WAIT2 timeout

    // listener / child
    LinuxTcpSocket* m_listener{nullptr};           //!< child: its listener (not owned: the
                                                   //!< listener owns its children)
    std::deque<Ptr<LinuxTcpSocket>> m_acceptQueue; //!< listener: established, not accepted
    std::vector<Ptr<LinuxTcpSocket>> m_pending;    //!< listener: children in SYN_RECV

    TracedCallback<portlab::TcpState, portlab::TcpState> m_stateTrace; //!< state changes
    TracedCallback<std::string, portlab::Errno> m_resultTrace;         //!< call results
    TracedCallback<portlab::Errno> m_errnoTrace;                       //!< failures
    TracedCallback<uint32_t> m_dropTrace; //!< listener drops (1 SYN queue, 2 accept queue)
};

} // namespace ns3

#endif // LINUX_TCP_SOCKET_H
