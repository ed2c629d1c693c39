/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_STACK_HELPER_H
#define LINUX_STACK_HELPER_H

#include "ports/port-sysctls.h"

#include "ns3/ipv4-routing-helper.h"
#include "ns3/node-container.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{

/**
 * \ingroup portlab-transport
 * \brief Installs an IPv4 stack whose TCP and UDP have Linux's port semantics; a one-line
 * replacement for InternetStackHelper:
 *
 * \code
 *   LinuxStackHelper stack;                        // instead of InternetStackHelper
 *   stack.SetSysctl("net.ipv4.tcp_tw_reuse", "1"); // optional, Linux names
 *   stack.Install(nodes);
 * \endcode
 *
 * Each node gets ARP, LinuxIpv4L3Protocol (ns-3's Ipv4L3Protocol with a short path for
 * a host's own unicast datagrams; its loopback too), Icmpv4L4Protocol, list routing
 * (Ipv4StaticRouting then global, as InternetStackHelper, so Ipv4StaticRoutingHelper works on
 * it; UseFibRouting() puts LinuxFibRouting in static routing's place: the same table and
 * answers from a hash, whatever the number of routes), TrafficControlLayer, a LinuxPortSpace
 * holding the sysctls and port tables, LinuxUdpL4Protocol and LinuxTcpL4Protocol (protocol numbers
 * 17 and 6) and their socket factories, so stock applications (PacketSink, BulkSend, OnOff,
 * UdpEcho) run on it unchanged. IPv6 is not installed.
 */
class LinuxStackHelper
{
  public:
    LinuxStackHelper();
    ~LinuxStackHelper();
    /// A copy with its own copy of the routing helper, and the same sysctls and port selector.
    /// \param o the helper to copy
    LinuxStackHelper(const LinuxStackHelper& o);
    /// Becomes a copy of o (its own copy of the routing helper).
    /// \param o the helper to copy
    /// \return this helper
    LinuxStackHelper& operator=(const LinuxStackHelper& o);

    /**
     * \brief A sysctl for every node installed from now on: parsed here, once
     * (portlab::SysctlSetting::Parse, and checked against Linux's other defaults), applied
     * by Install through LinuxPortSpace::SetSysctl.
     * \param name Linux name, with or without "net.ipv4."/"net.core."
     * \param value as `sysctl -w` takes it
     * \note a bad name or value is a fatal error naming the setting and what is allowed
     */
    void SetSysctl(const std::string& name, const std::string& value);

    /**
     * \brief A sysctl, already parsed (a scenario's), for every node installed from now on.
     * \param setting the setting
     */
    void SetSysctl(const portlab::SysctlSetting& setting);

    /**
     * \brief The ephemeral port algorithm of every node installed from now on (the
     * LinuxPortSpace `PortSelector` attribute; default Linux 6.18's).
     * \param typeName a subclass of ns3::PortSelector, e.g. "ns3::RandomPortSelector"
     * \note an unknown type is a fatal error listing the algorithms
     */
    void SetPortSelector(const std::string& typeName);

    /**
     * \brief Route with LinuxFibRouting, then global, on every node installed from now on:
     * Ipv4StaticRouting's table and answers, looked up in a hash (cost independent of the
     * number of routes and interfaces). Static routes are then added through
     * LinuxFibRoutingHelper::GetFibRouting (Ipv4StaticRoutingHelper::GetStaticRouting finds
     * none). portlab's scenarios, socket scripts and benchmarks use it.
     */
    void UseFibRouting();

    /**
     * \brief How the TCP of every node installed from now on carries segments (the
     * LinuxTcpL4Protocol `Transport` attribute): "packet" (the default: ns3::Packets through
     * IPv4 and the devices) or "flow" (no packets: each segment one event at the time its
     * lean point-to-point link gives, every port decision made by the same code; refused with
     * a LinuxFlowRefusal naming the reason where that would not be exact).
     * \param name "packet" or "flow"
     * \note any other name is a fatal error listing the two
     */
    void SetTransport(const std::string& name);

    /// \param routing the IPv4 routing to install instead of Ipv4StaticRouting + global
    void SetRoutingHelper(const Ipv4RoutingHelper& routing);

    /**
     * \brief Also install IPv6 on every node installed from now on: ns-3's Ipv6L3Protocol,
     * Icmpv6L4Protocol and Ipv6StaticRouting, with portlab's TCP and UDP registered with it
     * as well as with IPv4 (sockets of family AF_INET6, Inet6SocketAddress). Off by default,
     * so that IPv4-only programs pay nothing for it.
     * \param enable true to install IPv6
     */
    void SetIpv6(bool enable);

    /// \param node a node to equip
    void Install(Ptr<Node> node) const;
    /// \param c nodes to equip
    void Install(NodeContainer c) const;
    /// Equip every node.
    void InstallAll() const;

    /**
     * \param c nodes
     * \param stream first stream index
     * \return streams used
     */
    int64_t AssignStreams(NodeContainer c, int64_t stream);

  private:
    Ipv4RoutingHelper* m_routing;                  //!< routing to install
    std::vector<portlab::SysctlSetting> m_sysctls; //!< settings to apply, in order
    std::string m_portSelector;        //!< PortSelector TypeId name ("" = the attribute's default)
    std::string m_transport{"packet"}; //!< the TCP's Transport attribute
    bool m_ipv6{false};                //!< install IPv6 as well
};

} // namespace ns3

#endif // LINUX_STACK_HELPER_H
