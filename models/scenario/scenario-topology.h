/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SCENARIO_TOPOLOGY_H
#define PORTLAB_SCENARIO_TOPOLOGY_H

#include "scenario/scenario-spec.h"

#include "ns3/address.h"
#include "ns3/ipv4-address.h"
#include "ns3/node-container.h"
#include "ns3/node.h"

#include <map>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-scenario
 * \brief A scenario's hosts and links on ns-3: a node per host with Linux's stack
 * (LinuxStackHelper, with the host's sysctls and port selector), the groups in `links` joined
 * host by host with the one PointToPointLinkBuilder, and the addresses (10.0.L.0/24 for
 * link L). Resolves the scenario's addresses (`addrN`, app names, `HOST[.addrN]:PORT`).
 */
class ScenarioTopology
{
  public:
    /// One host.
    struct Host
    {
        std::string name;                    //!< "client1"
        std::string group;                   //!< "client"
        ns3::Ptr<ns3::Node> node;            //!< its node
        std::vector<ns3::Ipv4Address> addrs; //!< all its addresses, addr1 first
        /// peer host index -> its address on that link
        std::map<uint32_t, ns3::Ipv4Address> peerAddr;
        bool portSelectorNamed{false}; //!< the scenario names its port selector
    };

    /**
     * \brief Build the hosts and links.
     * \param spec the scenario
     * \param pcapPrefix when not empty and the scenario asks for pcap: capture file prefix
     */
    ScenarioTopology(const ScenarioSpec& spec, const std::string& pcapPrefix);

    /// \return the hosts, in creation order (groups in file order, then index)
    const std::vector<Host>& Hosts() const
    {
        return m_hosts;
    }

    /// \return every host's node, in Hosts() order
    ns3::NodeContainer Nodes() const;

    /// \param on a group or host name \return the indexes of its hosts
    std::vector<uint32_t> HostsOf(const std::string& on) const;

    /**
     * \param host a host index
     * \param bind a server's bind ("*:80", "addr2:80", "10.0.1.2:80")
     * \return the address and port it binds on that host
     * \throws ConfigError when the host has no such address
     */
    ns3::Address BindAddress(uint32_t host, const std::string& bind) const;

    /**
     * \param from a host index
     * \param list destinations: server app names (every host of the app) or
     *        HOST[.addrN]:PORT
     * \return the addresses \p from reaches them at (a peer's address on their shared link)
     * \throws ConfigError when a destination has no address \p from can reach
     */
    std::vector<ns3::Address> Destinations(uint32_t from,
                                           const std::vector<std::string>& list) const;

  private:
    void BuildHosts();
    void BuildLinks(const std::string& pcapPrefix);
    ns3::Ipv4Address Resolve(uint32_t host, const std::string& addr) const;

    const ScenarioSpec& m_spec;                  //!< the scenario
    std::vector<Host> m_hosts;                   //!< the hosts
    std::map<std::string, uint32_t> m_hostIndex; //!< host name -> index
};

} // namespace portlab

#endif // PORTLAB_SCENARIO_TOPOLOGY_H
