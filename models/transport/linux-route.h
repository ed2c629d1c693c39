/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_ROUTE_H
#define LINUX_ROUTE_H

#include "port-types.h"

#include "ns3/ipv4-address.h"
#include "ns3/ipv4-route.h"
#include "ns3/ipv4.h"
#include "ns3/socket.h"

namespace ns3
{

/**
 * \ingroup portlab-transport
 * \brief Route an outgoing packet as Linux does for the cases ns-3 lacks: a destination that
 * is one of the node's own addresses or in 127.0.0.0/8 goes out through the loopback device
 * (source 127.0.0.1 for 127/8, the address itself otherwise); anything else asks the node's
 * routing protocol.
 * \param ipv4 the node's IPv4
 * \param dst destination
 * \param src the socket's bound address (0.0.0.0 = let routing choose)
 * \param boundDevice SO_BINDTODEVICE ifindex of the socket's node device (0 = any)
 * \param err receives ERROR_NOROUTETOHOST when there is no route
 * \return the route, or nullptr
 */
Ptr<Ipv4Route> LinuxRouteOutput(Ptr<Ipv4> ipv4,
                                Ipv4Address dst,
                                Ipv4Address src,
                                uint32_t boundDevice,
                                Socket::SocketErrno& err);

/**
 * \ingroup portlab-transport
 * \brief The ns-3 errno closest to a Linux one (ns-3's list lacks ECONNREFUSED and others:
 * the sockets expose the Linux value too).
 * \param e a Linux errno
 * \return ns-3's SocketErrno
 */
Socket::SocketErrno ToNs3Errno(portlab::Errno e);

/**
 * \ingroup portlab-transport
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
