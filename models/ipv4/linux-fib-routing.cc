/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ipv4/linux-fib-routing.h"

#include "ns3/abort.h"
#include "ns3/ipv4-route.h"
#include "ns3/log.h"
#include "ns3/names.h"
#include "ns3/node.h"
#include "ns3/output-stream-wrapper.h"
#include "ns3/simulator.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxFibRouting");

NS_OBJECT_ENSURE_REGISTERED(LinuxFibRouting);

TypeId
LinuxFibRouting::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LinuxFibRouting")
                            .SetParent<Ipv4RoutingProtocol>()
                            .SetGroupName("Portlab")
                            .AddConstructor<LinuxFibRouting>();
    return tid;
}

LinuxFibRouting::LinuxFibRouting()
{
    NS_LOG_FUNCTION(this);
}

LinuxFibRouting::~LinuxFibRouting()
{
    NS_LOG_FUNCTION(this);
}

void
LinuxFibRouting::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_routes.clear();
    m_buckets.clear();
    m_masks.clear();
    m_ipv4 = nullptr;
    Ipv4RoutingProtocol::DoDispose();
}

void
LinuxFibRouting::Append(const Ipv4RoutingTableEntry& entry, uint32_t metric)
{
    const uint32_t mask = entry.GetDestNetworkMask().Get();
    std::vector<uint64_t>& bucket = m_buckets[Key(mask, entry.GetDestNetwork().Get())];
    for (uint64_t seq : bucket)
    {
        const Route& r = m_routes.at(seq);
        // Ipv4StaticRouting::LookupRoute(): the same route is not added twice.
        if (r.entry.GetDest() == entry.GetDest() &&
            r.entry.GetDestNetworkMask() == entry.GetDestNetworkMask() &&
            r.entry.GetGateway() == entry.GetGateway() &&
            r.entry.GetInterface() == entry.GetInterface() && r.metric == metric)
        {
            return;
        }
    }
    const uint64_t seq = m_nextSeq++;
    m_routes.emplace(seq, Route{entry, metric});
    bucket.push_back(seq);
    auto use = std::find_if(m_masks.begin(), m_masks.end(), [mask](const MaskUse& m) {
        return m.mask == mask;
    });
    if (use != m_masks.end())
    {
        ++use->routes;
        return;
    }
    MaskUse added{mask, entry.GetDestNetworkMask().GetPrefixLength(), 1};
    auto at = std::find_if(m_masks.begin(), m_masks.end(), [&added](const MaskUse& m) {
        return m.length < added.length;
    });
    m_masks.insert(at, added);
}

void
LinuxFibRouting::Erase(uint64_t seq)
{
    auto it = m_routes.find(seq);
    if (it == m_routes.end())
    {
        return;
    }
    const uint32_t mask = it->second.entry.GetDestNetworkMask().Get();
    const uint64_t key = Key(mask, it->second.entry.GetDestNetwork().Get());
    auto bucket = m_buckets.find(key);
    if (bucket != m_buckets.end())
    {
        auto& seqs = bucket->second;
        seqs.erase(std::remove(seqs.begin(), seqs.end(), seq), seqs.end());
        if (seqs.empty())
        {
            m_buckets.erase(bucket);
        }
    }
    auto use = std::find_if(m_masks.begin(), m_masks.end(), [mask](const MaskUse& m) {
        return m.mask == mask;
    });
    if (use != m_masks.end() && --use->routes == 0)
    {
        m_masks.erase(use);
    }
    m_routes.erase(it);
}

void
LinuxFibRouting::AddNetworkRouteTo(Ipv4Address network,
                                   Ipv4Mask networkMask,
                                   Ipv4Address nextHop,
                                   uint32_t interface,
                                   uint32_t metric)
{
    NS_LOG_FUNCTION(this << network << networkMask << nextHop << interface << metric);
    Append(Ipv4RoutingTableEntry::CreateNetworkRouteTo(network, networkMask, nextHop, interface),
           metric);
}

void
LinuxFibRouting::AddNetworkRouteTo(Ipv4Address network,
                                   Ipv4Mask networkMask,
                                   uint32_t interface,
                                   uint32_t metric)
{
    NS_LOG_FUNCTION(this << network << networkMask << interface << metric);
    Append(Ipv4RoutingTableEntry::CreateNetworkRouteTo(network, networkMask, interface), metric);
}

void
LinuxFibRouting::AddHostRouteTo(Ipv4Address dest,
                                Ipv4Address nextHop,
                                uint32_t interface,
                                uint32_t metric)
{
    AddNetworkRouteTo(dest, Ipv4Mask::GetOnes(), nextHop, interface, metric);
}

void
LinuxFibRouting::AddHostRouteTo(Ipv4Address dest, uint32_t interface, uint32_t metric)
{
    AddNetworkRouteTo(dest, Ipv4Mask::GetOnes(), interface, metric);
}

void
LinuxFibRouting::SetDefaultRoute(Ipv4Address nextHop, uint32_t interface, uint32_t metric)
{
    AddNetworkRouteTo(Ipv4Address("0.0.0.0"), Ipv4Mask::GetZero(), nextHop, interface, metric);
}

uint32_t
LinuxFibRouting::GetNRoutes() const
{
    return static_cast<uint32_t>(m_routes.size());
}

std::map<uint64_t, LinuxFibRouting::Route>::const_iterator
LinuxFibRouting::At(uint32_t index) const
{
    NS_ABORT_MSG_IF(index >= m_routes.size(),
                    "LinuxFibRouting: route index " << index << " out of range; the table holds "
                                                    << m_routes.size());
    return std::next(m_routes.begin(), index);
}

Ipv4RoutingTableEntry
LinuxFibRouting::GetRoute(uint32_t index) const
{
    return At(index)->second.entry;
}

uint32_t
LinuxFibRouting::GetMetric(uint32_t index) const
{
    return At(index)->second.metric;
}

void
LinuxFibRouting::RemoveRoute(uint32_t index)
{
    NS_LOG_FUNCTION(this << index);
    Erase(At(index)->first);
}

Ptr<Ipv4Route>
LinuxFibRouting::Lookup(Ipv4Address dest, Ptr<NetDevice> oif) const
{
    NS_LOG_FUNCTION(this << dest << oif);
    if (dest.IsLocalMulticast())
    {
        // As Ipv4StaticRouting: link-local multicast leaves through the given device.
        NS_ASSERT_MSG(oif, "link-local multicast needs an output device");
        Ptr<Ipv4Route> route = Create<Ipv4Route>();
        route->SetDestination(dest);
        route->SetGateway(Ipv4Address::GetZero());
        route->SetOutputDevice(oif);
        route->SetSource(m_ipv4->GetAddress(m_ipv4->GetInterfaceForDevice(oif), 0).GetLocal());
        return route;
    }
    const Route* best = nullptr;
    size_t m = 0;
    while (m < m_masks.size() && !best)
    {
        // Every mask of this prefix length (more than one only for non-contiguous masks):
        // their routes compete as one list in table order.
        const uint16_t length = m_masks[m].length;
        uint64_t bestSeq = 0;
        for (; m < m_masks.size() && m_masks[m].length == length; ++m)
        {
            auto bucket = m_buckets.find(Key(m_masks[m].mask, dest.Get()));
            if (bucket == m_buckets.end())
            {
                continue;
            }
            for (uint64_t seq : bucket->second)
            {
                const Route& r = m_routes.at(seq);
                if (oif && oif != m_ipv4->GetNetDevice(r.entry.GetInterface()))
                {
                    continue;
                }
                // LookupStatic(): a /32 ends the walk at the first match; for shorter prefixes
                // a later route with a metric no higher replaces the one found.
                bool better;
                if (!best)
                {
                    better = true;
                }
                else if (length == 32)
                {
                    better = seq < bestSeq;
                }
                else
                {
                    better = r.metric < best->metric || (r.metric == best->metric && seq > bestSeq);
                }
                if (better)
                {
                    best = &r;
                    bestSeq = seq;
                }
            }
        }
    }
    if (!best)
    {
        NS_LOG_LOGIC("no route to " << dest);
        return nullptr;
    }
    const uint32_t interface = best->entry.GetInterface();
    Ptr<Ipv4Route> route = Create<Ipv4Route>();
    route->SetDestination(best->entry.GetDest());
    route->SetSource(m_ipv4->SourceAddressSelection(interface, best->entry.GetDest()));
    route->SetGateway(best->entry.GetGateway());
    route->SetOutputDevice(m_ipv4->GetNetDevice(interface));
    return route;
}

Ptr<Ipv4Route>
LinuxFibRouting::RouteOutput(Ptr<Packet> p,
                             const Ipv4Header& header,
                             Ptr<NetDevice> oif,
                             Socket::SocketErrno& sockerr)
{
    NS_LOG_FUNCTION(this << p << header << oif);
    Ptr<Ipv4Route> route = Lookup(header.GetDestination(), oif);
    sockerr = route ? Socket::ERROR_NOTERROR : Socket::ERROR_NOROUTETOHOST;
    return route;
}

bool
LinuxFibRouting::RouteInput(Ptr<const Packet> p,
                            const Ipv4Header& header,
                            Ptr<const NetDevice> idev,
                            UnicastForwardCallback ucb,
                            MulticastForwardCallback mcb,
                            LocalDeliverCallback lcb,
                            ErrorCallback ecb)
{
    NS_LOG_FUNCTION(this << p << header << idev);
    NS_ASSERT(m_ipv4->GetInterfaceForDevice(idev) >= 0);
    const uint32_t iif = m_ipv4->GetInterfaceForDevice(idev);
    if (header.GetDestination().IsMulticast())
    {
        return false; // no multicast routes: other protocols may have one
    }
    if (m_ipv4->IsDestinationAddress(header.GetDestination(), iif))
    {
        if (lcb.IsNull())
        {
            return false;
        }
        lcb(p, header, iif);
        return true;
    }
    if (!m_ipv4->IsForwarding(iif))
    {
        ecb(p, header, Socket::ERROR_NOROUTETOHOST);
        return true;
    }
    Ptr<Ipv4Route> route = Lookup(header.GetDestination());
    if (!route)
    {
        return false;
    }
    ucb(route, p, header);
    return true;
}

void
LinuxFibRouting::NotifyInterfaceUp(uint32_t interface)
{
    NS_LOG_FUNCTION(this << interface);
    // A route to each of the interface's networks, as ifconfig (and Ipv4StaticRouting) adds.
    for (uint32_t j = 0; j < m_ipv4->GetNAddresses(interface); ++j)
    {
        Ipv4InterfaceAddress a = m_ipv4->GetAddress(interface, j);
        if (a.GetLocal() != Ipv4Address() && a.GetMask() != Ipv4Mask() &&
            a.GetMask() != Ipv4Mask::GetOnes())
        {
            AddNetworkRouteTo(a.GetLocal().CombineMask(a.GetMask()), a.GetMask(), interface);
        }
    }
}

void
LinuxFibRouting::NotifyInterfaceDown(uint32_t interface)
{
    NS_LOG_FUNCTION(this << interface);
    // Every route through the interface goes, static ones too.
    std::vector<uint64_t> gone;
    for (const auto& [seq, r] : m_routes)
    {
        if (r.entry.GetInterface() == interface)
        {
            gone.push_back(seq);
        }
    }
    for (uint64_t seq : gone)
    {
        Erase(seq);
    }
}

void
LinuxFibRouting::NotifyAddAddress(uint32_t interface, Ipv4InterfaceAddress address)
{
    NS_LOG_FUNCTION(this << interface << address.GetLocal());
    if (!m_ipv4->IsUp(interface))
    {
        return;
    }
    if (address.GetLocal() != Ipv4Address() && address.GetMask() != Ipv4Mask())
    {
        AddNetworkRouteTo(address.GetLocal().CombineMask(address.GetMask()),
                          address.GetMask(),
                          interface);
    }
}

void
LinuxFibRouting::NotifyRemoveAddress(uint32_t interface, Ipv4InterfaceAddress address)
{
    NS_LOG_FUNCTION(this << interface << address.GetLocal());
    if (!m_ipv4->IsUp(interface))
    {
        return;
    }
    const Ipv4Mask mask = address.GetMask();
    const Ipv4Address network = address.GetLocal().CombineMask(mask);
    auto bucket = m_buckets.find(Key(mask.Get(), network.Get()));
    if (bucket == m_buckets.end())
    {
        return;
    }
    // The network routes through the interface to this network, whatever their gateway.
    std::vector<uint64_t> gone;
    for (uint64_t seq : bucket->second)
    {
        const Ipv4RoutingTableEntry& e = m_routes.at(seq).entry;
        if (e.GetInterface() == interface && e.IsNetwork() && e.GetDestNetwork() == network &&
            e.GetDestNetworkMask() == mask)
        {
            gone.push_back(seq);
        }
    }
    for (uint64_t seq : gone)
    {
        Erase(seq);
    }
}

void
LinuxFibRouting::SetIpv4(Ptr<Ipv4> ipv4)
{
    NS_LOG_FUNCTION(this << ipv4);
    NS_ASSERT(!m_ipv4 && ipv4);
    m_ipv4 = ipv4;
    for (uint32_t i = 0; i < m_ipv4->GetNInterfaces(); ++i)
    {
        if (m_ipv4->IsUp(i))
        {
            NotifyInterfaceUp(i);
        }
        else
        {
            NotifyInterfaceDown(i);
        }
    }
}

void
LinuxFibRouting::PrintRoutingTable(Ptr<OutputStreamWrapper> stream, Time::Unit unit) const
{
    std::ostream* os = stream->GetStream();
    std::ios oldState(nullptr);
    oldState.copyfmt(*os);
    *os << std::resetiosflags(std::ios::adjustfield) << std::setiosflags(std::ios::left);
    Ptr<Node> node = m_ipv4->GetObject<Node>();
    *os << "Node: " << node->GetId() << ", Time: " << Now().As(unit)
        << ", Local time: " << node->GetLocalTime().As(unit) << ", LinuxFibRouting table"
        << std::endl;
    if (!m_routes.empty())
    {
        *os << "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface"
            << std::endl;
        for (const auto& [seq, r] : m_routes)
        {
            std::ostringstream dest;
            std::ostringstream gw;
            std::ostringstream mask;
            std::ostringstream flags;
            dest << r.entry.GetDest();
            gw << r.entry.GetGateway();
            mask << r.entry.GetDestNetworkMask();
            flags << "U" << (r.entry.IsHost() ? "HS" : r.entry.IsGateway() ? "GS" : "");
            *os << std::setw(16) << dest.str() << std::setw(16) << gw.str() << std::setw(16)
                << mask.str() << std::setw(6) << flags.str() << std::setw(7) << r.metric
                << "-      -   ";
            Ptr<NetDevice> dev = m_ipv4->GetNetDevice(r.entry.GetInterface());
            std::string name = Names::FindName(dev);
            if (!name.empty())
            {
                *os << name;
            }
            else
            {
                *os << r.entry.GetInterface();
            }
            *os << std::endl;
        }
    }
    *os << std::endl;
    (*os).copyfmt(oldState);
}

} // namespace ns3
