/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_ROUTE_H
#define LINUX_ROUTE_H

#include "ports/port-types.h"

#include "ns3/ipv4-address.h"
#include "ns3/ipv4-route.h"
#include "ns3/ipv4.h"
#include "ns3/socket.h"

namespace ns3
{

/**
 * \ingroup portlab-ipv4
 * \brief Route an outgoing packet as Linux's ip_route_output_key_hash_rcu() does for a host
 * with connected and host routes only (what portlab's hosts have: no default route, no
 * multicast routes):
 * - destination 0.0.0.0 means the bound source, or 127.0.0.1, through lo (the route's
 *   destination says which);
 * - an own address or any of 127.0.0.0/8 goes out through the loopback device (source
 *   127.0.0.1 for 127/8, the address itself otherwise);
 * - multicast (224.0.0.0/4) and limited broadcast (255.255.255.255) have a route only with an
 *   output device (SO_BINDTODEVICE, not lo); class E (240.0.0.0/4) and 0.0.0.0/8 never have
 *   one. These never reach ns-3's routing, whose static routing cannot take them;
 * - anything else asks the node's routing protocol.
 * \param ipv4 the node's IPv4
 * \param dst destination
 * \param src the socket's bound address (0.0.0.0 = let routing choose)
 * \param boundDevice SO_BINDTODEVICE ifindex of the socket's node device (0 = any)
 * \param err receives ERROR_NOROUTETOHOST when there is no route
 * \return the route, its destination the one packets go to (\p dst, or what 0.0.0.0 means),
 * or nullptr (Linux: ENETUNREACH)
 */
Ptr<Ipv4Route> LinuxRouteOutput(Ptr<Ipv4> ipv4,
                                Ipv4Address dst,
                                Ipv4Address src,
                                uint32_t boundDevice,
                                Socket::SocketErrno& err);

/**
 * \ingroup portlab-ipv4
 * \brief Whether Linux's route to \p dst is a broadcast one (RTCF_BROADCAST): the limited
 * broadcast 255.255.255.255, or the subnet broadcast of one of the node's addresses (the
 * "broadcast" entries fib_add_ifaddr() puts in the local table).
 * \param ipv4 the node's IPv4
 * \param dst destination
 * \return true for a broadcast destination
 */
bool LinuxIsBroadcastRoute(Ptr<Ipv4> ipv4, Ipv4Address dst);

/**
 * \ingroup portlab-ipv4
 * \brief The route of a TCP connect(), as tcp_v4_connect() takes it from ip_route_connect():
 * no route is ENETUNREACH, and so is a multicast or broadcast route (RTCF_MULTICAST |
 * RTCF_BROADCAST), before any port is chosen.
 * \param ipv4 the node's IPv4
 * \param dst destination (0.0.0.0: see LinuxRouteOutput; the route's destination is the peer)
 * \param src the socket's bound address (0.0.0.0 = let routing choose)
 * \param boundDevice SO_BINDTODEVICE ifindex (0 = any)
 * \param err receives OK or ENETUNREACH
 * \return the route, or nullptr with err set
 */
Ptr<Ipv4Route> TcpV4ConnectRoute(Ptr<Ipv4> ipv4,
                                 Ipv4Address dst,
                                 Ipv4Address src,
                                 uint32_t boundDevice,
                                 portlab::Errno& err);

/**
 * \ingroup portlab-ipv4
 * \brief The ns-3 errno closest to a Linux one (ns-3's list lacks ECONNREFUSED and others:
 * the sockets expose the Linux value too).
 * \param e a Linux errno
 * \return ns-3's SocketErrno
 */
Socket::SocketErrno ToNs3Errno(portlab::Errno e);

/**
 * \ingroup portlab-ipv4
 * \brief The interface index Linux would report (ifindex) for an ns-3 interface number:
 * ns-3's interface 0 is the loopback (Linux's ifindex 1), interface i is ifindex i + 1.
 * \param interface ns-3 IPv4 interface number
 * \return the ifindex
 */
inline uint32_t
IfIndexOf(uint32_t interface)
{
    return interface + 1;
}

} // namespace ns3

#endif // LINUX_ROUTE_H
