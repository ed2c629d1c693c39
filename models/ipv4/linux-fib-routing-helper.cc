/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ipv4/linux-fib-routing-helper.h"

#include "ns3/ipv4-list-routing.h"
#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxFibRoutingHelper");

LinuxFibRoutingHelper*
LinuxFibRoutingHelper::Copy() const
{
    return new LinuxFibRoutingHelper(*this);
}

Ptr<Ipv4RoutingProtocol>
LinuxFibRoutingHelper::Create(Ptr<Node> node) const
{
    NS_LOG_FUNCTION(this << node);
    return CreateObject<LinuxFibRouting>();
}

Ptr<LinuxFibRouting>
LinuxFibRoutingHelper::GetFibRouting(Ptr<Ipv4> ipv4)
{
    Ptr<Ipv4RoutingProtocol> protocol = ipv4->GetRoutingProtocol();
    if (Ptr<LinuxFibRouting> fib = DynamicCast<LinuxFibRouting>(protocol))
    {
        return fib;
    }
    if (Ptr<Ipv4ListRouting> list = DynamicCast<Ipv4ListRouting>(protocol))
    {
        for (uint32_t i = 0; i < list->GetNRoutingProtocols(); ++i)
        {
            int16_t priority;
            if (Ptr<LinuxFibRouting> fib =
                    DynamicCast<LinuxFibRouting>(list->GetRoutingProtocol(i, priority)))
            {
                return fib;
            }
        }
    }
    return nullptr;
}

} // namespace ns3
