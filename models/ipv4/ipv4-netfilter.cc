/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ipv4/ipv4-netfilter.h"

#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("Ipv4Netfilter");

NS_OBJECT_ENSURE_REGISTERED(Ipv4Netfilter);

TypeId
Ipv4Netfilter::GetTypeId()
{
    static TypeId tid = TypeId("ns3::Ipv4Netfilter").SetParent<Object>().SetGroupName("Portlab");
    return tid;
}

} // namespace ns3
