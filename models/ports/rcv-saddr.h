/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_RCV_SADDR_H
#define PORTLAB_RCV_SADDR_H

#include "ports/port-types.h"

#include <cstdint>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief Which IPv6 local address a socket has, in two bytes: V6_NONE for an AF_INET socket,
 * V6_ANY (`::`), V6_MAPPED (\::ffff:a.b.c.d: the IPv4 address is the socket's v4 field), or
 * V6_FIRST_OTHER + i for the host's i-th IPv6 address (LocalAddresses::FindIpv6). Two sockets
 * have the same native IPv6 address exactly when their refs are equal.
 */
using V6Ref = uint16_t;

constexpr V6Ref V6_NONE = 0;        //!< an AF_INET socket
constexpr V6Ref V6_ANY = 1;         //!< AF_INET6, `::`
constexpr V6Ref V6_MAPPED = 2;      //!< AF_INET6, \::ffff:a.b.c.d (any a.b.c.d, 0.0.0.0 included)
constexpr V6Ref V6_FIRST_OTHER = 3; //!< AF_INET6, the host's first native IPv6 address

/**
 * \ingroup portlab-ports
 * \brief A socket's local address as the overlap rule sees it (Linux's sk_rcv_saddr,
 * sk_v6_rcv_saddr and sk_ipv6only).
 */
struct RcvSaddr
{
    Ipv4 v4{0};           //!< sk_rcv_saddr: 0, the (embedded) IPv4 address, or LOOPBACK4_IPV6
    V6Ref v6{V6_NONE};    //!< sk_v6_rcv_saddr, and the family (V6_NONE: AF_INET)
    bool ipv6only{false}; //!< sk_ipv6only
};

/**
 * \ingroup portlab-ports
 * \brief ipv6_addr_type() of a socket's v6 address; an AF_INET socket compares as MAPPED
 * (inet6_rcv_saddr() is NULL for it).
 * \param v6 the ref
 * \return its class
 */
inline Ipv6Class
ClassOfV6Ref(V6Ref v6)
{
    return v6 == V6_ANY ? Ipv6Class::ANY
                        : (v6 == V6_NONE || v6 == V6_MAPPED ? Ipv6Class::MAPPED : Ipv6Class::OTHER);
}

/**
 * \ingroup portlab-ports
 * \brief Linux's inet_rcv_saddr_equal() with ipv4_rcv_saddr_equal() and
 * ipv6_rcv_saddr_equal() (net/ipv4/inet_connection_sock.c): whether the local addresses of
 * \p sk (the socket being bound or listened) and \p sk2 (an owner of the port) overlap.
 * The only place the overlap rule lives, for TCP binds, listen()'s re-check, TIME_WAIT
 * owners and UDP binds.
 *
 * - AF_INET \p sk: a v6-only \p sk2 never overlaps; equal IPv4 addresses or a wildcard on
 *   either side (when \p matchWildcard) do. The IPv4 field of a native-IPv6 \p sk2 is the
 *   127.0.0.6 placeholder, and Linux 6.18 keeps it in its own bhash2 bucket: only the
 *   AF_INET wildcard meets it (reference §4.3, §5.2).
 * - AF_INET6 \p sk: two mapped sides compare as IPv4 (a v6-only \p sk2 never); `::` meets `::`
 *   always; a wildcard `::` meets everything except a mapped address on the other side when
 *   that wildcard is v6-only; otherwise only the same native IPv6 address.
 *
 * \param sk the socket asking
 * \param sk2 the owner
 * \param matchWildcard a wildcard on either side matches a specific address (true for every
 *        bind and listen check)
 * \return true if the two overlap
 */
inline bool
InetRcvSaddrEqual(const RcvSaddr& sk, const RcvSaddr& sk2, bool matchWildcard)
{
    if (sk.v6 == V6_NONE)
    {
        // ipv4_rcv_saddr_equal()
        if (sk2.ipv6only)
        {
            return false;
        }
        if (sk2.v6 >= V6_FIRST_OTHER)
        {
            return matchWildcard && sk.v4 == ADDR_ANY; // the placeholder's own bucket (§4.3)
        }
        return sk.v4 == sk2.v4 || (matchWildcard && (sk.v4 == ADDR_ANY || sk2.v4 == ADDR_ANY));
    }
    // ipv6_rcv_saddr_equal()
    const Ipv6Class t1 = ClassOfV6Ref(sk.v6);
    const Ipv6Class t2 = ClassOfV6Ref(sk2.v6);
    if (t1 == Ipv6Class::MAPPED && t2 == Ipv6Class::MAPPED)
    {
        return !sk2.ipv6only &&
               (sk.v4 == sk2.v4 || (matchWildcard && (sk.v4 == ADDR_ANY || sk2.v4 == ADDR_ANY)));
    }
    if (t1 == Ipv6Class::ANY && t2 == Ipv6Class::ANY)
    {
        return true;
    }
    if (t2 == Ipv6Class::ANY && matchWildcard && !(sk2.ipv6only && t1 == Ipv6Class::MAPPED))
    {
        return true;
    }
    if (t1 == Ipv6Class::ANY && matchWildcard && !(sk.ipv6only && t2 == Ipv6Class::MAPPED))
    {
        return true;
    }
    return t1 == Ipv6Class::OTHER && sk.v6 == sk2.v6;
}

class LocalAddresses;

/**
 * \ingroup portlab-ports
 * \brief The address part of __inet6_bind() (net/ipv6/af_inet6.c), shared by TCP and UDP:
 * what an AF_INET6 socket's local address becomes, after the family, port and "already
 * bound" checks of its caller.
 *
 * - `::`: v4 field 0, ipv6only unchanged.
 * - \::ffff:a.b.c.d: EINVAL on a v6-only socket; EADDRNOTAVAIL if a.b.c.d is not bindable
 *   (inet_addr_valid_or_nonlocal); the v4 field is a.b.c.d.
 * - any other address: a link-local one takes a non-zero scope id as the bound device and
 *   needs a device (EINVAL); the host (that device, for link-local) must have it
 *   (EADDRNOTAVAIL); the v4 field is the 127.0.0.6 placeholder and ipv6only is forced on.
 *   IPv6 multicast binds (allowed for UDP in Linux) are not modelled: EADDRNOTAVAIL.
 *
 * \param addr the AF_INET6 address
 * \param ipv6only the socket's IPV6_V6ONLY before the bind
 * \param addresses the host's addresses
 * \param boundDev the socket's bound device, overridden by a link-local scope id
 * \param out receives the local address (v4 field, V6Ref, ipv6only) on success
 * \return OK, EINVAL or EADDRNOTAVAIL
 */
Errno Inet6BindAddress(const InetAddress& addr,
                       bool ipv6only,
                       const LocalAddresses& addresses,
                       uint32_t& boundDev,
                       RcvSaddr& out);

} // namespace portlab

#endif // PORTLAB_RCV_SADDR_H
