/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_UDP_L4_PROTOCOL_H
#define LINUX_UDP_L4_PROTOCOL_H

#include "ports/udp-port-table.h"

#include "ns3/ip-l4-protocol.h"
#include "ns3/ipv4-address.h"
#include "ns3/ipv6-address.h"
#include "ns3/ptr.h"
#include "ns3/traced-callback.h"

#include <unordered_map>
#include <vector>

namespace ns3
{

class Ipv4;
class Ipv4Interface;
class Ipv4Route;
class Ipv6;
class Ipv6Route;
class LinuxPortSpace;
class LinuxUdpSocket;
class Node;
class Packet;
class Socket;

/**
 * \ingroup portlab-transport
 * \brief UDP (protocol 17) whose port decisions are Linux's: every bind, autobind and
 * connect, and the choice of the socket that receives each datagram, come from the node's
 * portlab::UdpPortTable (LinuxPortSpace::Host().Udp()), not from ns-3's Ipv4EndPointDemux.
 *
 * Aggregating it to a node that has an Ipv4 inserts it into the Ipv4 as protocol 17 and
 * aggregates a LinuxUdpSocketFactory, so `Socket::CreateSocket(node,
 * UdpSocketFactory::GetTypeId())` and the stock UDP applications get LinuxUdpSocket objects.
 * LinuxStackHelper does this after the node has a LinuxPortSpace.
 *
 * Receive path (Linux's __udp4_lib_rcv): the checksum is verified when Node::ChecksumEnabled();
 * unicast goes to the one socket UdpPortTable::Deliver() names; broadcast and multicast go to
 * every socket UdpPortTable::DeliverAll() names. A unicast datagram no socket wants is
 * reported to Ipv4L3Protocol as RX_ENDPOINT_UNREACH, and Ipv4L3Protocol sends the ICMP port
 * unreachable (with the original UDP header); broadcast and multicast with no socket are
 * dropped silently.
 *
 * ICMP errors (Linux's __udp4_lib_err without IP_RECVERR) reach only connected sockets whose
 * 4-tuple matches the quoted datagram, and only the "hard" ones: port unreachable becomes a
 * pending ECONNREFUSED, reported once by that socket's next receive or send.
 *
 * IPv6 is not supported: the IPv6 entry points abort.
 */
class LinuxUdpL4Protocol : public IpL4Protocol
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    static const uint8_t PROT_NUMBER; //!< IANA protocol number of UDP (17)

    LinuxUdpL4Protocol();
    ~LinuxUdpL4Protocol() override;

    LinuxUdpL4Protocol(const LinuxUdpL4Protocol&) = delete;
    LinuxUdpL4Protocol& operator=(const LinuxUdpL4Protocol&) = delete;

    /**
     * \brief Create a LinuxUdpSocket on this node (socket(AF_INET, SOCK_DGRAM, 0)).
     * \return the socket, open in the port table but not bound
     */
    Ptr<Socket> CreateSocket();

    /**
     * \brief Send a datagram: add the UDP header (checksummed if Node::ChecksumEnabled()) and
     * hand it to Ipv4::Send.
     * \param packet payload
     * \param saddr source address
     * \param daddr destination address
     * \param sport source port
     * \param dport destination port
     * \param route the route (nullptr: Ipv4 routes it)
     */
    void Send(Ptr<Packet> packet,
              Ipv4Address saddr,
              Ipv4Address daddr,
              uint16_t sport,
              uint16_t dport,
              Ptr<Ipv4Route> route);

    /**
     * \brief Send a datagram over IPv6 (udp_v6_send_skb: the UDP header, then Ipv6::Send).
     * \param packet the payload
     * \param saddr source address
     * \param daddr destination address
     * \param sport source port
     * \param dport destination port
     * \param route the route (source selected by the IPv6 routing)
     */
    void Send6(Ptr<Packet> packet,
               Ipv6Address saddr,
               Ipv6Address daddr,
               uint16_t sport,
               uint16_t dport,
               Ptr<Ipv6Route> route);

    /**
     * \brief socket(AF_INET6) for a socket created as AF_INET and still without a port: its
     * table entry is replaced by an AF_INET6 one (IPV6_V6ONLY from net.ipv6.bindv6only now).
     * \param id the socket's AF_INET handle
     * \return its new handle
     */
    portlab::SocketId ReopenInet6(portlab::SocketId id);

    /// \return true if the node has IPv6 (LinuxStackHelper::SetIpv6) and this is registered
    bool HasIpv6() const;

    /// \return the node's UDP port table
    portlab::UdpPortTable& Table();

    /// \return the node's port space (refreshes addresses, owns the table)
    Ptr<LinuxPortSpace> GetPortSpace() const;

    /// \return the node this protocol is aggregated to
    Ptr<Node> GetNode() const;

    /**
     * \brief A socket closed: it leaves the table and this protocol's socket list.
     * \param id the socket's table handle
     */
    void ReleaseSocket(portlab::SocketId id);

    /**
     * \brief A socket connected (or re-connected): index it under its 4-tuple so ICMP errors
     * find it.
     * \param id the socket's table handle
     */
    void IndexConnected(portlab::SocketId id);

    /// \return the number of open sockets
    size_t GetNSockets() const;

    // IpL4Protocol
    /// IpL4Protocol: 17.
    /// \return the IP protocol number
    int GetProtocolNumber() const override;
    /// IpL4Protocol: a datagram from IPv4, to the socket UdpPortTable::Deliver() picks (to
    /// every matching socket if broadcast or multicast); none: RX_ENDPOINT_UNREACH, so that
    /// IPv4 answers with ICMP port unreachable.
    /// \param p the datagram, transport header included \param header its IPv4 header
    /// \param incomingInterface where it arrived
    /// \return RX_OK, RX_CSUM_FAILED or RX_ENDPOINT_UNREACH
    enum IpL4Protocol::RxStatus Receive(Ptr<Packet> p,
                                        const Ipv4Header& header,
                                        Ptr<Ipv4Interface> incomingInterface) override;
    /// IpL4Protocol: IPv6 is not supported (a fatal error).
    /// \param p unused \param header unused \param incomingInterface unused
    /// \return RX_ENDPOINT_UNREACH
    enum IpL4Protocol::RxStatus Receive(Ptr<Packet> p,
                                        const Ipv6Header& header,
                                        Ptr<Ipv6Interface> incomingInterface) override;
    /// IpL4Protocol: an ICMP error quoting a datagram this node sent; a hard one (destination
    /// unreachable: port unreachable is ECONNREFUSED) becomes the pending error of the
    /// connected socket it concerns.
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
    /// IpL4Protocol: IPv6 is not supported (a fatal error).
    /// \param icmpSource unused \param icmpTtl unused \param icmpType unused \param icmpCode unused
    /// \param icmpInfo unused \param payloadSource unused \param payloadDestination unused
    /// \param payload unused
    void ReceiveIcmp(Ipv6Address icmpSource,
                     uint8_t icmpTtl,
                     uint8_t icmpType,
                     uint8_t icmpCode,
                     uint32_t icmpInfo,
                     Ipv6Address payloadSource,
                     Ipv6Address payloadDestination,
                     const uint8_t payload[8]) override;
    /// IpL4Protocol: sets where datagrams go down (Ipv4::Send).
    /// \param cb the callback
    void SetDownTarget(IpL4Protocol::DownTargetCallback cb) override;
    /// IpL4Protocol: IPv6 is not supported (a fatal error).
    /// \param cb unused
    void SetDownTarget6(IpL4Protocol::DownTargetCallback6 cb) override;
    /// IpL4Protocol: where datagrams go down.
    /// \return the callback
    IpL4Protocol::DownTargetCallback GetDownTarget() const override;
    /// IpL4Protocol: IPv6 is not supported (a fatal error).
    /// \return nothing (a fatal error)
    IpL4Protocol::DownTargetCallback6 GetDownTarget6() const override;

    /**
     * TracedCallback signature for a datagram no socket wanted.
     * \param src source address \param sport source port
     * \param dst destination address \param dport destination port
     */
    typedef void (*NoPortTracedCallback)(Ipv4Address src,
                                         uint16_t sport,
                                         Ipv4Address dst,
                                         uint16_t dport);

    /**
     * TracedCallback signature for a datagram handed to a socket.
     * \param src source address \param sport source port
     * \param dst destination address \param dport destination port
     * \param socket the receiving socket's table handle
     */
    typedef void (*DeliverTracedCallback)(Ipv4Address src,
                                          uint16_t sport,
                                          Ipv4Address dst,
                                          uint16_t dport,
                                          uint32_t socket);

    /// \param id a socket's handle in the port table \return it, or nullptr if it is not open
    Ptr<LinuxUdpSocket> Find(portlab::SocketId id) const;

  protected:
    /// ns3::Object::DoDispose(): forgets the sockets and drops the node, IPv4 and port space.
    void DoDispose() override;
    /// ns3::Object::NotifyNewAggregate(): once on a node with IPv4, adds the socket factory
    /// and inserts itself into IPv4.
    void NotifyNewAggregate() override;

  private:
    /// 4-tuple hash for the connected-socket index.
    struct TupleHash
    {
        size_t operator()(const portlab::FourTuple& t) const;
    };

    /// \param id a socket: remove it from the connected index
    void UnindexConnected(portlab::SocketId id);
    /// \param dst destination \param interface incoming interface
    /// \return true for limited, subnet-directed broadcast and multicast destinations
    bool IsBroadcastOrMulticast(Ipv4Address dst, Ptr<Ipv4Interface> interface) const;

    Ptr<Node> m_node;                                                     //!< the node
    Ptr<Ipv4> m_ipv4;                                                     //!< the node's IPv4
    Ptr<LinuxPortSpace> m_ports;                                          //!< the node's port space
    IpL4Protocol::DownTargetCallback m_downTarget;                        //!< Ipv4::Send
    Ptr<Ipv6> m_ipv6;                                                     //!< the node's IPv6
    IpL4Protocol::DownTargetCallback6 m_downTarget6;                      //!< Ipv6::Send
    std::unordered_map<portlab::SocketId, Ptr<LinuxUdpSocket>> m_sockets; //!< open sockets
    /// connected sockets by 4-tuple, in connect order (the last is Linux's hash4 head)
    std::unordered_map<portlab::FourTuple, std::vector<portlab::SocketId>, TupleHash> m_connected;
    std::unordered_map<portlab::SocketId, portlab::FourTuple> m_connectedTuple; //!< index keys

    TracedCallback<Ipv4Address, uint16_t, Ipv4Address, uint16_t> m_noPortTrace;       //!< NoPort
    TracedCallback<Ipv4Address, uint16_t, Ipv4Address, uint16_t> m_ignoredMultiTrace; //!< ditto
    TracedCallback<Ipv4Address, uint16_t, Ipv4Address, uint16_t, uint32_t> m_deliverTrace; //!< rx
};

} // namespace ns3

#endif // LINUX_UDP_L4_PROTOCOL_H
