/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "linux-route.h"

#include "ns3/ipv4-routing-protocol.h"
#include "ns3/log.h"
#include "ns3/loopback-net-device.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxRoute");

Ptr<Ipv4Route>
LinuxRouteOutput(Ptr<Ipv4> ipv4,
                 Ipv4Address dst,
                 Ipv4Address src,
                 uint32_t boundDevice,
                 Socket::SocketErrno& err)
{
    err = Socket::ERROR_NOTERROR;
    bool loopbackBlock = portlab::IsLoopback(dst.Get());
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
        Ptr<Ipv4Route> route = Create<Ipv4Route>();
        route->SetDestination(dst);
        route->SetGateway(Ipv4Address::GetZero());
        route->SetOutputDevice(ipv4->GetNetDevice(0));
        Ipv4Address source = src;
        if (source == Ipv4Address::GetAny())
        {
            source = loopbackBlock ? Ipv4Address("127.0.0.1") : dst;
        }
        route->SetSource(source);
        return route;
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
    if (route && src != Ipv4Address::GetAny())
    {
        route->SetSource(src);
    }
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
    case Errno::CONNREFUSED:
    case Errno::CONNRESET:
    case Errno::TIMEDOUT:
        return Socket::ERROR_NOTCONN;
    case Errno::PIPE:
        return Socket::ERROR_SHUTDOWN;
    case Errno::OPNOTSUPP:
        return Socket::ERROR_OPNOTSUPP;
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
