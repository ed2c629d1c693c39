/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ipv4/linux-route.h"

#include "ns3/ipv4-routing-protocol.h"
#include "ns3/log.h"
#include "ns3/loopback-net-device.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxRoute");

namespace
{

/// A route through \p dev from \p source to \p dst, without a lookup.
Ptr<Ipv4Route>
DirectRoute(Ipv4Address dst, Ipv4Address source, Ptr<NetDevice> dev)
{
    Ptr<Ipv4Route> route = Create<Ipv4Route>();
    route->SetDestination(dst);
    route->SetGateway(Ipv4Address::GetZero());
    route->SetOutputDevice(dev);
    route->SetSource(source);
    return route;
}

} // namespace

Ptr<Ipv4Route>
LinuxRouteOutput(Ptr<Ipv4> ipv4,
                 Ipv4Address dst,
                 Ipv4Address src,
                 uint32_t boundDevice,
                 Socket::SocketErrno& err)
{
    err = Socket::ERROR_NOTERROR;
    if (dst == Ipv4Address::GetAny())
    {
        // "if (!fl4->daddr) { fl4->daddr = fl4->saddr; if (!fl4->daddr) fl4->daddr =
        // fl4->saddr = htonl(INADDR_LOOPBACK); dev_out = net->loopback_dev; ...}"
        dst = src == Ipv4Address::GetAny() ? Ipv4Address("127.0.0.1") : src;
    }
    const uint32_t d = dst.Get();
    const bool multicast = (d >> 28) == 0xe;
    const bool limitedBroadcast = dst.IsBroadcast();
    if (multicast || limitedBroadcast || (d >> 28) == 0xf || (d >> 24) == 0)
    {
        // Multicast and limited broadcast leave through the output device without a lookup;
        // with none, the FIB has no route for them here. Class E and 0/8 are martians.
        if ((multicast || limitedBroadcast) && boundDevice > 1 &&
            boundDevice - 1 < ipv4->GetNInterfaces())
        {
            const uint32_t i = boundDevice - 1;
            Ipv4Address source = src;
            if (source == Ipv4Address::GetAny() && ipv4->GetNAddresses(i) > 0)
            {
                source = ipv4->GetAddress(i, 0).GetLocal();
            }
            return DirectRoute(dst, source, ipv4->GetNetDevice(i));
        }
        NS_LOG_LOGIC("no route to " << dst);
        err = Socket::ERROR_NOROUTETOHOST;
        return nullptr;
    }
    bool loopbackBlock = portlab::IsLoopback(d);
    int32_t ownIf = ipv4->GetInterfaceForAddress(dst);
    if (loopbackBlock && ownIf < 0)
    {
        // Linux's "local 127.0.0.0/8 dev lo" route: every 127/8 address is local. ns-3's
        // loopback owns only 127.0.0.1, so claim the address there before first use, or IP
        // would drop the packet instead of delivering it.
        ipv4->AddAddress(0, Ipv4InterfaceAddress(dst, Ipv4Mask("255.0.0.0")));
    }
    if (loopbackBlock || ownIf >= 0)
    {
        // Linux routes every local address (and all of 127/8) through lo.
        Ipv4Address source = src;
        if (source == Ipv4Address::GetAny())
        {
            source = loopbackBlock ? Ipv4Address("127.0.0.1") : dst;
        }
        if (portlab::IsLoopback(source.Get()) && ipv4->GetInterfaceForAddress(source) < 0)
        {
            // The same for a 127/8 source (a socket bound to 127.0.0.2): replies to it, an
            // ICMP error among them, must be delivered too.
            ipv4->AddAddress(0, Ipv4InterfaceAddress(source, Ipv4Mask("255.0.0.0")));
        }
        return DirectRoute(dst, source, ipv4->GetNetDevice(0));
    }
    if (portlab::IsLoopback(src.Get()))
    {
        // __mkroute_output(): "if (ipv4_is_loopback(fl4->saddr) && !(dev_out->flags &
        // IFF_LOOPBACK) ...) return ERR_PTR(-EINVAL)": a 127/8 source never leaves through
        // another device (a socket bound to 127.0.0.1 cannot reach the link).
        NS_LOG_LOGIC("source " << src << " cannot leave through a link to " << dst);
        err = Socket::ERROR_INVAL;
        return nullptr;
    }
    Ptr<NetDevice> oif = nullptr;
    if (boundDevice > 1 && boundDevice - 1 < ipv4->GetNInterfaces())
    {
        oif = ipv4->GetNetDevice(boundDevice - 1);
    }
    Ipv4Header header;
    header.SetDestination(dst);
    header.SetSource(src);
    Ptr<Ipv4Route> route = ipv4->GetRoutingProtocol()->RouteOutput(nullptr, header, oif, err);
    if (route)
    {
        route->SetDestination(dst); // ns-3 puts the matching entry's network there
        if (src != Ipv4Address::GetAny())
        {
            route->SetSource(src);
        }
    }
    return route;
}

bool
LinuxIsBroadcastRoute(Ptr<Ipv4> ipv4, Ipv4Address dst)
{
    if (dst.IsBroadcast())
    {
        return true;
    }
    for (uint32_t i = 0; i < ipv4->GetNInterfaces(); ++i)
    {
        for (uint32_t j = 0; j < ipv4->GetNAddresses(i); ++j)
        {
            Ipv4InterfaceAddress a = ipv4->GetAddress(i, j);
            if (a.GetMask() != Ipv4Mask::GetOnes() && a.GetMask() != Ipv4Mask("255.255.255.254") &&
                dst == a.GetBroadcast())
            {
                return true;
            }
        }
    }
    return false;
}

Ptr<Ipv4Route>
TcpV4ConnectRoute(Ptr<Ipv4> ipv4,
                  Ipv4Address dst,
                  Ipv4Address src,
                  uint32_t boundDevice,
                  portlab::Errno& err)
{
    Socket::SocketErrno routeErr;
    Ptr<Ipv4Route> route = LinuxRouteOutput(ipv4, dst, src, boundDevice, routeErr);
    if (!route && routeErr == Socket::ERROR_INVAL)
    {
        err = portlab::Errno::INVAL; // the lookup refused the source
        return nullptr;
    }
    // "if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) { ip_rt_put(rt); return
    // -ENETUNREACH; }"
    if (!route || route->GetDestination().IsMulticast() ||
        LinuxIsBroadcastRoute(ipv4, route->GetDestination()))
    {
        err = portlab::Errno::NETUNREACH;
        return nullptr;
    }
    err = portlab::Errno::OK;
    return route;
}

Socket::SocketErrno
ToNs3Errno(portlab::Errno e)
{
    using portlab::Errno;
    switch (e)
    {
    case Errno::OK:
        return Socket::ERROR_NOTERROR;
    case Errno::ADDRINUSE:
        return Socket::ERROR_ADDRINUSE;
    case Errno::ADDRNOTAVAIL:
        return Socket::ERROR_ADDRNOTAVAIL;
    case Errno::INVAL:
    case Errno::ACCES:
        return Socket::ERROR_INVAL;
    case Errno::AGAIN:
    case Errno::ALREADY:
    case Errno::INPROGRESS:
        return Socket::ERROR_AGAIN;
    case Errno::ISCONN:
        return Socket::ERROR_ISCONN;
    case Errno::NOTCONN:
    case Errno::CONNABORTED:
    case Errno::CONNREFUSED:
    case Errno::CONNRESET:
    case Errno::TIMEDOUT:
        return Socket::ERROR_NOTCONN;
    case Errno::PIPE:
        return Socket::ERROR_SHUTDOWN;
    case Errno::OPNOTSUPP:
    case Errno::NOPROTOOPT:
        return Socket::ERROR_OPNOTSUPP;
    case Errno::AFNOSUPPORT:
        return Socket::ERROR_AFNOSUPPORT;
    case Errno::HOSTUNREACH:
    case Errno::NETUNREACH:
        return Socket::ERROR_NOROUTETOHOST;
    case Errno::BADF:
        return Socket::ERROR_BADF;
    case Errno::DESTADDRREQ:
        return Socket::ERROR_NOTCONN;
    case Errno::COUNT:
        break;
    }
    return Socket::ERROR_INVAL;
}

} // namespace ns3
