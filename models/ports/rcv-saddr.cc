/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/rcv-saddr.h"

#include "ports/local-addresses.h"

namespace portlab
{

Errno
Inet6BindAddress(const InetAddress& addr,
                 bool ipv6only,
                 const LocalAddresses& addresses,
                 uint32_t& boundDev,
                 RcvSaddr& out)
{
    out = RcvSaddr{ADDR_ANY, V6_ANY, ipv6only};
    switch (ClassifyIpv6(addr.v6))
    {
    case Ipv6Class::ANY:
        return Errno::OK;
    case Ipv6Class::MAPPED:
        if (ipv6only)
        {
            return Errno::INVAL;
        }
        out.v4 = MappedIpv4(addr.v6);
        out.v6 = V6_MAPPED;
        return out.v4 == ADDR_ANY || addresses.Bindable(out.v4) ? Errno::OK : Errno::ADDRNOTAVAIL;
    case Ipv6Class::OTHER:
        break;
    }
    const bool needsScope = Ipv6NeedsScopeId(addr.v6);
    if (needsScope && addr.scopeId != 0)
    {
        boundDev = addr.scopeId; // the scope id overrides SO_BINDTODEVICE
    }
    if (needsScope && boundDev == 0)
    {
        return Errno::INVAL;
    }
    out.v6 = addresses.FindIpv6(addr.v6, needsScope ? boundDev : 0);
    if (out.v6 == V6_NONE)
    {
        return Errno::ADDRNOTAVAIL;
    }
    out.v4 = LOOPBACK4_IPV6;
    out.ipv6only = true; // neither ANY nor MAPPED: __inet6_bind forces IPV6_V6ONLY
    return Errno::OK;
}

} // namespace portlab
