/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_TCP_L4_PROTOCOL_H
#define LINUX_TCP_L4_PROTOCOL_H

#include "ports/tcp-port-table.h"
#include "transport/linux-flow-path.h"
#include "transport/linux-port-space.h"
#include "transport/linux-tcp-header.h"

#include "ns3/ip-l4-protocol.h"
#include "ns3/ipv4-header.h"
#include "ns3/ipv6-address.h"
#include "ns3/node.h"
#include "ns3/random-variable-stream.h"
#include "ns3/sequence-number.h"
#include "ns3/tcp-header.h"
#include "ns3/traced-callback.h"

#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ns3
{

class Node;
class Socket;
class LinuxTcpSocket;
class Ipv4Interface;
class Ipv4Route;

/**
 * \ingroup portlab-transport
 * \brief The two ends of a TCP segment or connection, local first: IPv4 addresses, or for a
 * native-IPv6 one its IPv6 addresses with the 127.0.0.6 placeholder (LOOPBACK4_IPV6) as the
 * IPv4 pair, as Linux's inet_rcv_saddr/inet_daddr of such a socket.
 */
struct TcpEndpoints
{
    Ipv4Address local;   //!< local IPv4 address (the placeholder for native IPv6)
    Ipv4Address remote;  //!< remote IPv4 address (the placeholder for native IPv6)
    bool native6{false}; //!< a native-IPv6 4-tuple (sent and received over Ipv6L3Protocol)
    Ipv6Address local6;  //!< local IPv6 address (native6)
    Ipv6Address remote6; //!< remote IPv6 address (native6)

    /// \param l local \param r remote \return IPv4 ends
    static TcpEndpoints V4(Ipv4Address l, Ipv4Address r);
    /// \param l local \param r remote \return native-IPv6 ends
    static TcpEndpoints V6(Ipv6Address l, Ipv6Address r);
    /// \return the local address as the ISN and timestamp-offset hashes take it: the IPv4
    /// address, or the IPv6 one folded to 32 bits (secure_tcpv6_seq hashes all 128)
    Ipv4Address HashLocal() const;
    /// \return the remote address as HashLocal() gives the local one
    Ipv4Address HashRemote() const;
};

/**
 * \ingroup portlab-transport
 * \brief TCP (protocol 6) whose every bind, connect and demultiplexing decision is made by
 * the Linux port model (portlab::TcpPortTable).
 *
 * Segments carry ns3::TcpHeader's bytes with the timestamps option (LinuxTcpHeader), so pcap
 * traces open in Wireshark.
 * TIME_WAIT connections are table entries, not sockets: this class answers their segments
 * (§4.4: reopen by a newer SYN, RST assassination unless tcp_rfc1337, re-ACK of a
 * retransmitted FIN with the timer restarted) and the node's LinuxPortSpace expires them
 * with one timer.
 */
class LinuxTcpL4Protocol : public IpL4Protocol
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();
    static const uint8_t PROT_NUMBER; //!< 6

    LinuxTcpL4Protocol();
    ~LinuxTcpL4Protocol() override;

    /// \param node the node
    void SetNode(Ptr<Node> node);

    /// \return a new TCP socket on this node
    Ptr<Socket> CreateSocket();

    /// \return the node's port space
    Ptr<LinuxPortSpace> GetPortSpace() const
    {
        return m_ports;
    }

    /// \return the TCP port table
    portlab::TcpPortTable& Table();

    /// \return the node
    Ptr<Node> GetNode() const
    {
        return m_node;
    }

    /**
     * \brief Send a segment.
     * \param payload the data (may be empty)
     * \param header the TCP header (ports, sequence numbers, flags, options)
     * \param src source address
     * \param dst destination address
     * \param route the route (nullptr: route now)
     */
    void SendSegment(Ptr<Packet> payload,
                     LinuxTcpHeader header,
                     Ipv4Address src,
                     Ipv4Address dst,
                     Ptr<Ipv4Route> route = nullptr);

    /**
     * \brief Send a segment built on a packet nobody else holds (no copy is made).
     * \param packet the data; the header is added to it
     * \param header the TCP header
     * \param src source address
     * \param dst destination address
     * \param route the route (nullptr: route now)
     */
    void SendPacket(Ptr<Packet> packet,
                    LinuxTcpHeader header,
                    Ipv4Address src,
                    Ipv4Address dst,
                    Ptr<Ipv4Route> route);

    /**
     * \brief Send a segment with an ns3::TcpHeader (every option kept).
     * \param payload the data (may be empty)
     * \param header the TCP header
     * \param src source address
     * \param dst destination address
     * \param route the route (nullptr: route now)
     */
    void SendSegment(Ptr<Packet> payload,
                     const TcpHeader& header,
                     Ipv4Address src,
                     Ipv4Address dst,
                     Ptr<Ipv4Route> route = nullptr);

    /**
     * \brief The RST that answers a segment for no socket (tcp_v4_send_reset(),
     * tcp_v6_send_reset()): seq = the segment's ACK if it has one, else seq 0 and an ACK of
     * everything it occupied; none for an RST.
     * \param in the segment
     * \param payloadSize its payload bytes
     * \param out receives the RST
     * \return false when the segment is an RST (never answered)
     */
    static bool ResetFor(const LinuxTcpHeader& in, uint32_t payloadSize, LinuxTcpHeader& out);

    /**
     * \brief Send a segment over IPv6 (tcp_v6_send_*; checksums are not computed over IPv6).
     * \param p payload, owned (the header is added to it)
     * \param header the header
     * \param src source address
     * \param dst destination address
     */
    void SendPacket6(Ptr<Packet> p, LinuxTcpHeader header, Ipv6Address src, Ipv6Address dst);

    /**
     * \brief Send a fresh packet between two ends of either family.
     * \param p payload, owned
     * \param header the header
     * \param ends local and remote ends
     * \param route the IPv4 route, if cached (IPv4 ends only)
     */
    void SendTo(Ptr<Packet> p,
                const LinuxTcpHeader& header,
                const TcpEndpoints& ends,
                Ptr<Ipv4Route> route = nullptr);

    /**
     * \brief SendResetFor() for a segment that arrived between \p ends (either family).
     * \param in the segment
     * \param payloadSize its payload bytes
     * \param ends its destination (local) and source (remote)
     */
    void SendResetTo(const LinuxTcpHeader& in, uint32_t payloadSize, const TcpEndpoints& ends);

    /**
     * \brief Answer a segment that has no connection with an RST (RFC 793 reset generation).
     * \param in the offending header
     * \param payloadSize its data length
     * \param local our address
     * \param remote its source
     */
    void SendResetFor(const LinuxTcpHeader& in,
                      uint32_t payloadSize,
                      Ipv4Address local,
                      Ipv4Address remote);

    /// \param id socket handle \param s the socket object (null: forget it)
    void Register(portlab::SocketId id, Ptr<LinuxTcpSocket> s);

    /// \param id socket handle \return its object, or null
    Ptr<LinuxTcpSocket> Lookup(portlab::SocketId id) const;

    /**
     * \brief The flow transport's receive: a segment sent by a node's SendPacket in flow mode
     * arrives here at the time its link gives, with its header as sent and its data, and is
     * demultiplexed exactly as a packet's (DeliverSegment).
     * \param h the header \param payload the data (the receiver's own)
     * \param src source address \param dst destination address
     * \param ifIndex the Linux ifindex it arrives on
     */
    void ReceiveFlowSegment(const LinuxTcpHeader& h,
                            Ptr<Packet> payload,
                            Ipv4Address src,
                            Ipv4Address dst,
                            uint32_t ifIndex);

    /// \param transport how segments travel (the `Transport` attribute)
    void SetTransport(LinuxTransport transport);
    /// \return how segments travel
    LinuxTransport GetTransport() const;

    /// \return a random 32-bit value (ISNs)
    uint32_t Random32();

    /**
     * \brief The TSval offset of a connection (and of the ACKs of its TIME_WAIT):
     * portlab::SecureTcpTsOff() with the host's tcp_timestamps and portlab.tcp_ts_offset, keyed
     * by the host's secret (drawn the first time an offset is keyed).
     * \param local local address \param localPort local port
     * \param remote remote address \param remotePort remote port
     * \return the offset (0 with tcp_timestamps 2 or portlab.tcp_ts_offset 0)
     */
    uint32_t TimestampOffset(Ipv4Address local,
                             uint16_t localPort,
                             Ipv4Address remote,
                             uint16_t remotePort);

    /**
     * \brief tcp_v4_init_seq() -> secure_tcp_seq(): the ISN of a connection, a keyed hash of
     * its 4-tuple plus a clock that ticks every 64 ns. Successive connections of one 4-tuple
     * get later ISNs, so a SYN reopening a TIME_WAIT is "after" it even without timestamps.
     * \param local our address \param localPort our port
     * \param remote the peer's address \param remotePort its port
     * \return the ISN
     */
    uint32_t InitialSequence(Ipv4Address local,
                             uint16_t localPort,
                             Ipv4Address remote,
                             uint16_t remotePort);

    /**
     * \param stream first stream index
     * \return streams used
     */
    int64_t AssignStreams(int64_t stream);

    /// \return the current timestamp clock (ms) before any per-connection offset
    static uint32_t TcpClockMs();

    // IpL4Protocol
    /// IpL4Protocol: 6.
    /// \return the IP protocol number
    int GetProtocolNumber() const override;
    /// IpL4Protocol: a segment from IPv4, to its connection, TIME_WAIT entry or listener as
    /// the port table looks it up (Linux's __inet_lookup_skb()); an RST answers it otherwise.
    /// \param p the segment, transport header included \param header its IPv4 header
    /// \param incomingInterface where it arrived
    /// \return RX_OK, RX_CSUM_FAILED, or RX_ENDPOINT_CLOSED (no socket: an RST, no ICMP)
    IpL4Protocol::RxStatus Receive(Ptr<Packet> p,
                                   const Ipv4Header& header,
                                   Ptr<Ipv4Interface> incomingInterface) override;
    /// IpL4Protocol: IPv6 is not supported (RX_ENDPOINT_UNREACH).
    /// \param p unused \param header unused \param incomingInterface unused
    /// \return RX_ENDPOINT_UNREACH
    IpL4Protocol::RxStatus Receive(Ptr<Packet> p,
                                   const Ipv6Header& header,
                                   Ptr<Ipv6Interface> incomingInterface) override;
    /// IpL4Protocol: ignored (Linux treats ICMP errors for TCP as soft errors but in SYN_SENT;
    /// the studies depend on RSTs).
    /// \param icmpSource the router or host that sent the ICMP message \param icmpTtl its TTL
    /// \param icmpType ICMP type \param icmpCode ICMP code \param icmpInfo ICMP info field
    /// \param payloadSource quoted source \param payloadDestination quoted destination
    /// \param payload the quoted datagram's first 8 bytes (the transport header)
    void ReceiveIcmp(Ipv4Address icmpSource,
                     uint8_t icmpTtl,
                     uint8_t icmpType,
                     uint8_t icmpCode,
                     uint32_t icmpInfo,
                     Ipv4Address payloadSource,
                     Ipv4Address payloadDestination,
                     const uint8_t payload[8]) override;
    /// IpL4Protocol: sets where segments go down (Ipv4::Send).
    /// \param cb the callback
    void SetDownTarget(IpL4Protocol::DownTargetCallback cb) override;
    /// IpL4Protocol: IPv6 is not supported (a fatal error).
    /// \param cb unused
    void SetDownTarget6(IpL4Protocol::DownTargetCallback6 cb) override;
    /// IpL4Protocol: where segments go down.
    /// \return the callback
    IpL4Protocol::DownTargetCallback GetDownTarget() const override;
    /// IpL4Protocol: Ipv6::Send (null without LinuxStackHelper::SetIpv6).
    /// \return the callback
    IpL4Protocol::DownTargetCallback6 GetDownTarget6() const override;

    /// TracedCallback for segments: the header, local address, remote address.
    typedef void (*SegmentTracedCallback)(const TcpHeader&, Ipv4Address, Ipv4Address);

  protected:
    /// ns3::Object::NotifyNewAggregate(): once on a node with IPv4 and a LinuxPortSpace, adds
    /// the socket factory and inserts itself into IPv4.
    void NotifyNewAggregate() override;
    /// ns3::Object::DoDispose(): disposes every socket (each points back at the protocol),
    /// then drops the node and the port space.
    void DoDispose() override;

  private:
    /**
     * \brief The socket dispatch of tcp_v4_rcv() and tcp_v6_rcv() (tcp_rcv_established() or
     * tcp_rcv_state_process(), tcp_timewait_state_process(), the listener's SYN handling):
     * one for both address families.
     * \param found what the port table's lookup found
     * \param h the header \param packet the data
     * \param ends the segment's local and remote addresses
     * \param ifIndex the Linux ifindex it arrived on
     * \return true if a socket or TIME_WAIT entry took the segment; false if none did (the
     * caller answers with an RST)
     */
    bool DeliverToSocket(const portlab::TcpLookup& found,
                         const LinuxTcpHeader& h,
                         const Ptr<Packet>& packet,
                         const TcpEndpoints& ends,
                         uint32_t ifIndex);

    /**
     * \brief tcp_v4_rcv() after the header is parsed, for both transports: the segment to its
     * connection, TIME_WAIT entry or listener as the port table looks it up, else an RST.
     * \param h the header \param payload the data
     * \param local the destination address \param remote the source address
     * \param ifIndex the Linux ifindex it arrived on
     * \return RX_OK, or RX_ENDPOINT_CLOSED (no socket: an RST)
     */
    IpL4Protocol::RxStatus DeliverSegment(const LinuxTcpHeader& h,
                                          const Ptr<Packet>& payload,
                                          Ipv4Address local,
                                          Ipv4Address remote,
                                          uint32_t ifIndex);
    /**
     * \brief SendPacket in flow mode: the segment, not serialised, reaches the far end's
     * ReceiveFlowSegment when its link says (the path found once per address pair).
     * \param p the data \param header the header \param src source \param dst destination
     * \param route the socket's route (null: route now)
     */
    void SendFlow(Ptr<Packet> p,
                  const LinuxTcpHeader& header,
                  Ipv4Address src,
                  Ipv4Address dst,
                  Ptr<Ipv4Route> route);

    /**
     * \brief What every segment sent, packet or flow, counts: an RST is an OutRst and fires
     * RstSent.
     * \param header the segment's header \param src source \param dst destination
     */
    void CountSent(const LinuxTcpHeader& header, Ipv4Address src, Ipv4Address dst);

    void ProcessTimeWait(portlab::TimeWaitId tw,
                         const LinuxTcpHeader& h,
                         Ptr<Packet> payload,
                         const TcpEndpoints& ends,
                         uint32_t ifIndex);
    /**
     * \brief tcp_timewait_check_oow_rate_limit(): may the TIME_WAIT answer this segment with
     * an ACK now (portlab::TcpOowRateLimited() with tcp_invalid_ratelimit)? Notes the time
     * when it may.
     * \param tw the entry \param h the segment \param payloadSize its data bytes
     * \return true if the ACK goes
     */
    bool TimeWaitOowAckAllowed(const portlab::TimeWaitEntry& tw,
                               const LinuxTcpHeader& h,
                               uint32_t payloadSize);

    void SendTimeWaitAck(const portlab::TimeWaitEntry& tw,
                         uint32_t tsEcho,
                         const TcpEndpoints& ends);

    /**
     * \brief A segment for a timewait sock in the FIN_WAIT2 substate (an orphan waiting for
     * the peer's FIN): the FIN makes it a TIME_WAIT; new data, a SYN or anything else in
     * window without an ACK resets; out of window is ACKed.
     * \param id the entry
     * \param h header
     * \param payload data
     * \param ends its destination (local) and source (remote)
     * \param pawsReject the timestamp failed PAWS
     * \param tsVal its TSval (0 without one)
     */
    void ProcessFinWait2(portlab::TimeWaitId id,
                         const LinuxTcpHeader& h,
                         Ptr<Packet> payload,
                         const TcpEndpoints& ends,
                         bool pawsReject,
                         uint32_t tsVal);
    /// \return whether m_prototype still has the attribute defaults (re-baselines the
    /// reference counts after a false alarm)
    bool PrototypeCurrent();
    /// Record the reference counts of m_prototypeDefaults.
    void BaselinePrototypeDefaults();

    /**
     * A socket with the attribute defaults, built by CreateObject; CreateSocket copies it
     * (CreateObject's attribute construction was a fifth of the churn run time).
     */
    Ptr<LinuxTcpSocket> m_prototype;
    /// The attributes' initial values when m_prototype was built: Config::SetDefault
    /// replaces them, and then the prototype is built again.
    std::vector<Ptr<const AttributeValue>> m_prototypeDefaults;
    /// Their reference counts then. Config::SetDefault replaces an initial value in ns-3's
    /// TypeId registry, which drops the registry's reference to the old one: a count that
    /// moved is the cheap sign (a few loads per socket, not a copy of every attribute's
    /// description) that the defaults must be compared in full.
    std::vector<uint32_t> m_prototypeRefCounts;

    Ptr<Node> m_node;                                   //!< the node
    Ptr<LinuxPortSpace> m_ports;                        //!< its port space
    IpL4Protocol::DownTargetCallback m_downTarget;      //!< Ipv4::Send
    IpL4Protocol::DownTargetCallback6 m_downTarget6;    //!< Ipv6::Send (LinuxStackHelper::SetIpv6)
    std::vector<Ptr<LinuxTcpSocket>> m_sockets;         //!< by SocketId
    Ptr<UniformRandomVariable> m_rng;                   //!< ISNs, offsets
    bool m_checksum{false};                             //!< compute checksums
    LinuxTransport m_transport{LINUX_TRANSPORT_PACKET}; //!< the Transport attribute
    /// flow transport: the path of each (source, destination) address pair, found once
    std::unordered_map<uint64_t, LinuxFlowPath> m_flowPaths;
    Ptr<Packet> m_emptyPayload;   //!< flow transport: the data of every empty segment
    uint64_t m_isnSecret{0};      //!< net_secret for secure_tcp_seq()
    bool m_isnSecretDrawn{false}; //!< m_isnSecret drawn
    uint64_t m_tsSecret{0};       //!< key of the offsets (drawn on first use)
    bool m_tsSecretDrawn{false};  //!< m_tsSecret is set

    /// tw_last_oow_ack_time of the TIME_WAITs that sent a rate-limited ACK, by 4-tuple
    /// (addresses, ports): the TIME_WAIT's entry stamp (a later TIME_WAIT of the 4-tuple starts
    /// afresh) and when. Pruned of entries older than tcp_invalid_ratelimit as it grows.
    std::map<std::pair<uint64_t, uint32_t>, std::pair<portlab::TimeNs, portlab::TimeNs>>
        m_twLastOowAck;
    TracedCallback<const TcpHeader&, Ipv4Address, Ipv4Address> m_rstSent;     //!< RST sent
    TracedCallback<const TcpHeader&, Ipv4Address, Ipv4Address> m_noSocket;    //!< unmatched
    TracedCallback<const TcpHeader&, Ipv4Address, Ipv4Address> m_rstReceived; //!< RST in
};

} // namespace ns3

#endif // LINUX_TCP_L4_PROTOCOL_H
