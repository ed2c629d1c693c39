/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_FIB_ROUTING_H
#define LINUX_FIB_ROUTING_H

#include "ns3/ipv4-address.h"
#include "ns3/ipv4-routing-protocol.h"
#include "ns3/ipv4-routing-table-entry.h"
#include "ns3/ipv4.h"

#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

namespace ns3
{

/**
 * \ingroup portlab-ipv4
 * \brief ns-3's static unicast routing (Ipv4StaticRouting) with a lookup whose cost does not
 * grow with the number of routes: the same table, the same connected routes added and removed
 * as interfaces come up, go down and gain or lose addresses, and the same answer to every
 * lookup, found by one hash probe per prefix length present instead of a walk over the list.
 *
 * Ipv4StaticRouting walks its route list for every packet it routes: a server with one
 * point-to-point link per client host (10,000 of them) spends most of a run there. This class
 * keeps the list (for GetRoute(), RemoveRoute() and PrintRoutingTable()) and an index of it:
 * for every network mask present, a hash of (destination & mask) to the routes with that mask,
 * in table order. A lookup probes the masks from the longest prefix down and stops at the
 * first length with a usable route (one on the requested output device, if one is given),
 * choosing among that length's routes exactly as Ipv4StaticRouting::LookupStatic does: for a
 * /32 the first in table order, otherwise the lowest metric, the last in table order among
 * equals. Adding a route that is already in the table (same destination, mask, gateway,
 * interface and metric) adds nothing, as in Ipv4StaticRouting.
 *
 * What it does not do: multicast routes (RouteInput() leaves multicast datagrams to other
 * protocols, as Ipv4StaticRouting does when it has none). Install it with
 * LinuxFibRoutingHelper, alone or in an Ipv4ListRouting.
 */
class LinuxFibRouting : public Ipv4RoutingProtocol
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    LinuxFibRouting();
    ~LinuxFibRouting() override;

    LinuxFibRouting(const LinuxFibRouting&) = delete;
    LinuxFibRouting& operator=(const LinuxFibRouting&) = delete;

    /**
     * \brief Add a route to a network through a gateway (Ipv4StaticRouting::AddNetworkRouteTo).
     * \param network the destination network \param networkMask its mask
     * \param nextHop the gateway \param interface the output interface
     * \param metric the metric (lower wins among routes of one prefix length)
     */
    void AddNetworkRouteTo(Ipv4Address network,
                           Ipv4Mask networkMask,
                           Ipv4Address nextHop,
                           uint32_t interface,
                           uint32_t metric = 0);
    /**
     * \brief Add a route to a directly connected network.
     * \param network the destination network \param networkMask its mask
     * \param interface the output interface \param metric the metric
     */
    void AddNetworkRouteTo(Ipv4Address network,
                           Ipv4Mask networkMask,
                           uint32_t interface,
                           uint32_t metric = 0);
    /**
     * \brief Add a host (/32) route through a gateway.
     * \param dest the host \param nextHop the gateway \param interface the output interface
     * \param metric the metric
     */
    void AddHostRouteTo(Ipv4Address dest,
                        Ipv4Address nextHop,
                        uint32_t interface,
                        uint32_t metric = 0);
    /**
     * \brief Add a host (/32) route to a directly connected host.
     * \param dest the host \param interface the output interface \param metric the metric
     */
    void AddHostRouteTo(Ipv4Address dest, uint32_t interface, uint32_t metric = 0);
    /**
     * \brief Add a default route (0.0.0.0/0).
     * \param nextHop the gateway \param interface the output interface \param metric the metric
     */
    void SetDefaultRoute(Ipv4Address nextHop, uint32_t interface, uint32_t metric = 0);

    /// \return how many routes the table holds
    uint32_t GetNRoutes() const;
    /// \param index a route's position in table order (< GetNRoutes()) \return the route
    Ipv4RoutingTableEntry GetRoute(uint32_t index) const;
    /// \param index a route's position in table order (< GetNRoutes()) \return its metric
    uint32_t GetMetric(uint32_t index) const;
    /// Remove a route. \param index its position in table order (< GetNRoutes())
    void RemoveRoute(uint32_t index);

    /**
     * \brief The unicast route to \p dest, as Ipv4StaticRouting::LookupStatic finds it.
     * \param dest the destination
     * \param oif when not null, only routes through this device count
     * \return the route (destination: the matching entry's destination, as ns-3 sets it), or
     * nullptr
     */
    Ptr<Ipv4Route> Lookup(Ipv4Address dest, Ptr<NetDevice> oif = nullptr) const;

    // Ipv4RoutingProtocol
    /**
     * \brief Lookup() for a locally sent datagram.
     * \param p the packet (unused) \param header its IPv4 header (the destination counts)
     * \param oif when not null, only routes through this device count
     * \param sockerr ERROR_NOTERROR, or ERROR_NOROUTETOHOST without a route
     * \return the route, or nullptr
     */
    Ptr<Ipv4Route> RouteOutput(Ptr<Packet> p,
                               const Ipv4Header& header,
                               Ptr<NetDevice> oif,
                               Socket::SocketErrno& sockerr) override;
    /**
     * \brief A received datagram, as Ipv4StaticRouting::RouteInput() takes it: multicast is
     * left to other protocols; one of the node's addresses is delivered locally; with
     * forwarding off the error callback gets ERROR_NOROUTETOHOST; else Lookup() forwards it.
     * \param p the packet \param header its IPv4 header \param idev the input device
     * \param ucb unicast forwarding \param mcb multicast forwarding (unused)
     * \param lcb local delivery \param ecb error
     * \return whether this protocol handled the datagram
     */
    bool RouteInput(Ptr<const Packet> p,
                    const Ipv4Header& header,
                    Ptr<const NetDevice> idev,
                    UnicastForwardCallback ucb,
                    MulticastForwardCallback mcb,
                    LocalDeliverCallback lcb,
                    ErrorCallback ecb) override;
    /// Adds a route to each network of the interface's addresses (not /32s).
    /// \param interface the interface that came up
    void NotifyInterfaceUp(uint32_t interface) override;
    /// Removes every route through the interface, static ones too.
    /// \param interface the interface that went down
    void NotifyInterfaceDown(uint32_t interface) override;
    /// On an up interface, adds a route to the address's network.
    /// \param interface the interface \param address the new address
    void NotifyAddAddress(uint32_t interface, Ipv4InterfaceAddress address) override;
    /// On an up interface, removes the network routes through it to the address's network.
    /// \param interface the interface \param address the removed address
    void NotifyRemoveAddress(uint32_t interface, Ipv4InterfaceAddress address) override;
    /// Takes the node's IPv4 and the connected routes of its interfaces that are up.
    /// \param ipv4 the node's IPv4
    void SetIpv4(Ptr<Ipv4> ipv4) override;
    /// The table as `route -n` prints it, in Ipv4StaticRouting's layout.
    /// \param stream where to print \param unit the time unit of the header line
    void PrintRoutingTable(Ptr<OutputStreamWrapper> stream,
                           Time::Unit unit = Time::S) const override;

  protected:
    /// ns3::Object::DoDispose(): drops the table and the node's IPv4.
    void DoDispose() override;

  private:
    /// One route of the table.
    struct Route
    {
        Ipv4RoutingTableEntry entry; //!< destination, mask, gateway, interface
        uint32_t metric{0};          //!< its metric
    };

    /// One mask present in the table.
    struct MaskUse
    {
        uint32_t mask{0};   //!< the mask
        uint16_t length{0}; //!< Ipv4Mask::GetPrefixLength() of it
        uint32_t routes{0}; //!< how many routes have it
    };

    /// Append a route unless the same one is there. \param entry the route \param metric metric
    void Append(const Ipv4RoutingTableEntry& entry, uint32_t metric);
    /// Remove one route. \param seq its sequence number
    void Erase(uint64_t seq);

    /// \param mask a mask \param network an address \return the index key of their bucket
    static uint64_t Key(uint32_t mask, uint32_t network)
    {
        return (uint64_t(mask) << 32) | (network & mask);
    }

    /// \param index a position in table order \return that route's entry in m_routes
    std::map<uint64_t, Route>::const_iterator At(uint32_t index) const;

    Ptr<Ipv4> m_ipv4;                                              //!< the node's IPv4
    uint64_t m_nextSeq{0};                                         //!< next route's number
    std::map<uint64_t, Route> m_routes;                            //!< the table, in order
    std::unordered_map<uint64_t, std::vector<uint64_t>> m_buckets; //!< (mask, net) -> routes
    std::vector<MaskUse> m_masks; //!< masks present, longest prefix first
};

} // namespace ns3

#endif // LINUX_FIB_ROUTING_H
