/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_FIB_ROUTING_HELPER_H
#define LINUX_FIB_ROUTING_HELPER_H

#include "ipv4/linux-fib-routing.h"

#include "ns3/ipv4-routing-helper.h"

namespace ns3
{

/**
 * \ingroup portlab-ipv4
 * \brief Creates a LinuxFibRouting for each node: give it to
 * LinuxStackHelper::SetRoutingHelper() (or to an Ipv4ListRoutingHelper) where
 * Ipv4StaticRoutingHelper would go.
 */
class LinuxFibRoutingHelper : public Ipv4RoutingHelper
{
  public:
    /// \return a copy of this helper (Ipv4RoutingHelper::Copy())
    LinuxFibRoutingHelper* Copy() const override;
    /// \param node the node \return a new LinuxFibRouting for it
    Ptr<Ipv4RoutingProtocol> Create(Ptr<Node> node) const override;
    /**
     * \brief The node's LinuxFibRouting, alone or in an Ipv4ListRouting.
     * \param ipv4 the node's IPv4
     * \return the routing protocol, or nullptr when the node has none
     */
    static Ptr<LinuxFibRouting> GetFibRouting(Ptr<Ipv4> ipv4);
};

} // namespace ns3

#endif // LINUX_FIB_ROUTING_HELPER_H
