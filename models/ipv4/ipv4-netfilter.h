/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_IPV4_NETFILTER_H
#define PORTLAB_IPV4_NETFILTER_H

#include "ns3/ipv4-address.h"
#include "ns3/ipv4-header.h"
#include "ns3/ipv4-route.h"
#include "ns3/object.h"
#include "ns3/packet.h"

#include <cstdint>

namespace ns3
{

/**
 * \ingroup portlab-ipv4
 * \brief Where LinuxIpv4L3Protocol lets a packet filter see and rewrite datagrams, as
 * Linux's netfilter hooks do (NF_INET_PRE_ROUTING through NF_INET_POST_ROUTING).
 *
 * LinuxIpv4L3Protocol::SetNetfilter() installs one. Received() sees every unfragmented TCP or
 * UDP datagram arriving on a device LinuxIpv4L3Protocol took over (lean point-to-point
 * links), before the routing decision, and LocalOut() every TCP or UDP datagram the node's own
 * sockets send, before it leaves. Either may rewrite addresses and ports (and must leave the
 * headers consistent, checksums included) or drop the datagram. What it decides is its own:
 * LinuxNatGateway (models/transport) is the connection tracking and source NAT one.
 */
class Ipv4Netfilter : public Object
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    /**
     * \brief A datagram arrived (PREROUTING, and for a forwarded one FORWARD and POSTROUTING).
     * \param payload the transport segment or datagram (IPv4 header removed, padding trimmed);
     *        may be rewritten in place
     * \param ip its IPv4 header; may be rewritten
     * \param iif the IPv4 interface it arrived on
     * \return false to drop it silently
     */
    virtual bool Received(Ptr<Packet> payload, Ipv4Header& ip, uint32_t iif) = 0;

    /**
     * \brief A datagram of this node's own (OUTPUT and POSTROUTING).
     * \param payload the transport segment or datagram; may be rewritten in place
     * \param source its source address; may be rewritten
     * \param destination its destination address
     * \param protocol the IP protocol number
     * \return false to drop it silently
     */
    virtual bool LocalOut(Ptr<Packet> payload,
                          Ipv4Address& source,
                          Ipv4Address destination,
                          uint8_t protocol) = 0;
};

} // namespace ns3

#endif // PORTLAB_IPV4_NETFILTER_H
