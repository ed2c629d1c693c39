/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_LINUX_NAT_HELPER_H
#define PORTLAB_LINUX_NAT_HELPER_H

#include "transport/linux-nat-gateway.h"

#include "ns3/node.h"
#include "ns3/object-factory.h"

#include <string>
#include <utility>
#include <vector>

namespace ns3
{

/**
 * \ingroup portlab-transport
 * \brief Makes a node with LinuxStackHelper's stack a Linux NAT gateway: ip_forward=1 on
 * every interface, and a LinuxNatGateway (conntrack + the SNAT/MASQUERADE rules given here)
 * as its IPv4 packet filter, aggregated to the node.
 *
 * \code
 *   LinuxNatHelper nat;
 *   LinuxNatRule rule;            // masquerade to :40000-40003 on interface 2
 *   rule.outInterface = 2;
 *   rule.protocol = 6;
 *   rule.minPort = 40000;
 *   rule.maxPort = 40003;
 *   nat.AddRule(rule);
 *   nat.SetSysctl("net.netfilter.nf_conntrack_tcp_timeout_time_wait", "2");
 *   Ptr<LinuxNatGateway> gw = nat.Install(gatewayNode);
 * \endcode
 */
class LinuxNatHelper
{
  public:
    LinuxNatHelper();

    /// \brief A POSTROUTING rule for every gateway installed from now on. \param rule the rule
    void AddRule(const LinuxNatRule& rule);

    /**
     * \brief A conntrack setting for every gateway installed from now on, checked here.
     * \param name Linux name (net.netfilter.nf_conntrack_*) \param value its value
     * \note a bad name or value is a fatal error naming the setting and what is allowed
     */
    void SetSysctl(const std::string& name, const std::string& value);

    /**
     * \brief An attribute of the gateways installed from now on (HashSecret, GcWorker).
     * \param name the attribute \param value its value
     */
    void SetAttribute(const std::string& name, const AttributeValue& value);

    /**
     * \brief Make \p node a gateway. The node must have LinuxIpv4L3Protocol (LinuxStackHelper)
     * and its interfaces, so that the rules' interface indices mean what they say, all on
     * links without ARP (PointToPointLinkBuilder's) and no IPv6: others are a fatal error.
     * \param node the node \return its gateway
     */
    Ptr<LinuxNatGateway> Install(Ptr<Node> node) const;

  private:
    ObjectFactory m_factory;                                    //!< makes the gateways
    std::vector<LinuxNatRule> m_rules;                          //!< rules, in order
    std::vector<std::pair<std::string, std::string>> m_sysctls; //!< settings, in order
};

} // namespace ns3

#endif // PORTLAB_LINUX_NAT_HELPER_H
