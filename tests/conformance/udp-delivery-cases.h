/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_UDP_DELIVERY_CASES_H
#define PORTLAB_UDP_DELIVERY_CASES_H

#include "util/json-text.h"

#include <string>
#include <vector>

namespace portlab
{

/// One socket of a udp_delivery_dualstack sub-case, as linux_probe_v6.py's udp_delivery()
/// opens it (all bound to port 9000, in order).
struct UdpDeliverySocket
{
    std::string label;     //!< the recording's name for it ("[::]#1/rp")
    std::string address;   //!< what it binds: "::", "0.0.0.0", "::ffff:127.0.0.1", ...
    bool v6only{false};    //!< IPV6_V6ONLY before bind
    bool reuseAddr{false}; //!< SO_REUSEADDR
    bool reusePort{false}; //!< SO_REUSEPORT
};

/// One sub-case: its key in the recording, its sockets, and how many datagrams go to
/// 127.0.0.1:9000 and then to [::1]:9000, each from a new socket (a new source port).
struct UdpDeliveryCase
{
    std::string name;                       //!< the key in the recording
    std::vector<UdpDeliverySocket> sockets; //!< bound in this order
    int datagrams{40};                      //!< per family
};

/// \return the sub-cases of linux_probe_v6.py's udp_delivery_dualstack(), in its order
std::vector<UdpDeliveryCase> UdpDeliveryCases();

/**
 * \brief A udp_delivery_dualstack result as compared: exact ("bind" results, and the
 * datagrams each socket got by the sender's address form: "v4", "v4mapped", "v6"), except in
 * the interleaved reuseport sub-case, where which group member gets a datagram follows Linux's
 * per-boot hash secret: there each socket's counts become "some", and the per-family totals
 * are kept.
 * \param result the recorded result, or the model's
 * \return the comparable form
 */
Json UdpDeliveryComparable(const Json& result);

} // namespace portlab

#endif // PORTLAB_UDP_DELIVERY_CASES_H
