/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/scenario-topology.h"

#include "link/point-to-point-link-builder.h"
#include "transport/linux-stack-helper.h"
#include "transport/port-selector.h"

#include "ns3/inet-socket-address.h"
#include "ns3/log.h"

NS_LOG_COMPONENT_DEFINE("PortlabScenarioTopology");

namespace portlab
{

ScenarioTopology::ScenarioTopology(const ScenarioSpec& spec, const std::string& pcapPrefix)
    : m_spec(spec)
{
    BuildHosts();
    BuildLinks(pcapPrefix);
}

ns3::NodeContainer
ScenarioTopology::Nodes() const
{
    ns3::NodeContainer all;
    for (const auto& h : m_hosts)
    {
        all.Add(h.node);
    }
    return all;
}

std::vector<uint32_t>
ScenarioTopology::HostsOf(const std::string& on) const
{
    std::vector<uint32_t> out;
    auto it = m_hostIndex.find(on);
    if (it != m_hostIndex.end())
    {
        out.push_back(it->second);
        return out;
    }
    for (uint32_t i = 0; i < m_hosts.size(); ++i)
    {
        if (m_hosts[i].group == on)
        {
            out.push_back(i);
        }
    }
    return out;
}

void
ScenarioTopology::BuildHosts()
{
    for (const auto& g : m_spec.groups)
    {
        for (uint32_t i = 1; i <= g.count; ++i)
        {
            Host h;
            h.name = g.name + std::to_string(i);
            h.group = g.name;
            h.node = ns3::CreateObject<ns3::Node>();
            m_hostIndex[h.name] = m_hosts.size();
            m_hosts.push_back(h);
        }
    }
    // One stack helper per group, and one per host that has sysctls or a port selector of its
    // own.
    auto stackFor = [this](const HostGroupSpec& g, uint32_t index) {
        ns3::LinuxStackHelper stack;
        stack.UseFibRouting(); // route lookups that do not grow with the hosts
        stack.SetTransport(m_spec.transport);
        for (const auto& setting : HostSysctls(m_spec, g, index))
        {
            stack.SetSysctl(setting);
        }
        std::string selector = HostPortSelector(m_spec, g, index);
        ns3::TypeId tid;
        if (!selector.empty() && ns3::PortSelector::LookupByName(selector, tid))
        {
            stack.SetPortSelector(tid.GetName());
        }
        return stack;
    };
    for (const auto& g : m_spec.groups)
    {
        ns3::LinuxStackHelper groupStack = stackFor(g, 0);
        for (uint32_t i = 1; i <= g.count; ++i)
        {
            uint32_t index = m_hostIndex.at(g.name + std::to_string(i));
            ns3::Ptr<ns3::Node> node = m_hosts[index].node;
            if (g.hostSysctls.count(i) || g.hostPortSelectors.count(i))
            {
                stackFor(g, i).Install(node);
            }
            else
            {
                groupStack.Install(node);
            }
            m_hosts[index].portSelectorNamed = !HostPortSelector(m_spec, g, i).empty();
        }
    }
}

void
ScenarioTopology::BuildLinks(const std::string& pcapPrefix)
{
    ns3::PointToPointLinkBuilder builder;
    ns3::PointToPointLinkBuilder::Parameters params;
    params.rate = ns3::DataRate(m_spec.linkRate);
    params.delay = ns3::Time(m_spec.linkDelay);
    params.loss = m_spec.linkLoss;
    auto addrCount = [&](const std::string& group) {
        for (const auto& g : m_spec.groups)
        {
            if (g.name == group)
            {
                return g.addresses;
            }
        }
        return 1u;
    };
    for (const auto& [ga, gb] : m_spec.links)
    {
        for (uint32_t a : HostsOf(ga))
        {
            for (uint32_t b : HostsOf(gb))
            {
                uint32_t link = builder.Links() + 1;
                uint32_t net = (10u << 24) + (link << 8); // 10.0.1.0/24, 10.0.2.0/24, ...
                ns3::NetDeviceContainer devs =
                    builder.Join(m_hosts[a].node, m_hosts[b].node, params);
                for (uint32_t side = 0; side < 2; ++side)
                {
                    Host& h = m_hosts[side == 0 ? a : b];
                    const uint32_t n = addrCount(h.group);
                    for (uint32_t k = 0; k < n; ++k)
                    {
                        h.addrs.push_back(ns3::Ipv4Address(net + 1 + side + 2 * k));
                    }
                    ns3::PointToPointLinkBuilder::AddInterface(
                        devs.Get(side),
                        std::vector<ns3::Ipv4Address>(h.addrs.end() - n, h.addrs.end()),
                        ns3::Ipv4Mask("/24"));
                }
                m_hosts[a].peerAddr[b] = ns3::Ipv4Address(net + 2);
                m_hosts[b].peerAddr[a] = ns3::Ipv4Address(net + 1);
                if (m_spec.pcap && !pcapPrefix.empty())
                {
                    // One capture per link end: HOST-PEER.pcap.
                    for (uint32_t side = 0; side < 2; ++side)
                    {
                        const Host& me = m_hosts[side == 0 ? a : b];
                        const Host& peer = m_hosts[side == 0 ? b : a];
                        builder.EnablePcap(pcapPrefix + me.name + "-" + peer.name + ".pcap",
                                           devs.Get(side));
                    }
                }
            }
        }
    }
}

ns3::Ipv4Address
ScenarioTopology::Resolve(uint32_t host, const std::string& addr) const
{
    if (addr == "*")
    {
        return ns3::Ipv4Address::GetAny();
    }
    if (addr.compare(0, 4, "addr") == 0)
    {
        uint32_t n = std::stoul(addr.substr(4));
        const Host& h = m_hosts[host];
        if (n == 0 || n > h.addrs.size())
        {
            throw ConfigError("host " + h.name + " has " + std::to_string(h.addrs.size()) +
                              " addresses; '" + addr +
                              "' does not exist (give its group more "
                              "links or group.G.addresses)");
        }
        return h.addrs[n - 1];
    }
    return ns3::Ipv4Address(addr.c_str());
}

ns3::Address
ScenarioTopology::BindAddress(uint32_t host, const std::string& bind) const
{
    size_t c = bind.rfind(':');
    return ns3::InetSocketAddress(Resolve(host, bind.substr(0, c)), std::stoul(bind.substr(c + 1)));
}

std::vector<ns3::Address>
ScenarioTopology::Destinations(uint32_t from, const std::vector<std::string>& list) const
{
    std::vector<ns3::Address> out;
    auto towards = [&](uint32_t to) {
        const Host& me = m_hosts[from];
        auto it = me.peerAddr.find(to);
        if (it != me.peerAddr.end())
        {
            return it->second;
        }
        const Host& h = m_hosts[to];
        if (h.addrs.empty())
        {
            throw ConfigError("host " + h.name + " has no links, so " + me.name +
                              " cannot reach it; add its group to 'links'");
        }
        return h.addrs[0];
    };
    for (const auto& d : list)
    {
        size_t colon = d.rfind(':');
        if (colon == std::string::npos)
        {
            const AppSpec* target = nullptr;
            for (const auto& a : m_spec.apps)
            {
                if (a.name == d)
                {
                    target = &a;
                }
            }
            size_t bc = target->bind.rfind(':');
            std::string addr = target->bind.substr(0, bc);
            uint16_t port = std::stoul(target->bind.substr(bc + 1));
            for (uint32_t h : HostsOf(target->on))
            {
                ns3::Ipv4Address a = addr == "*" ? towards(h) : Resolve(h, addr);
                out.push_back(ns3::InetSocketAddress(a, port));
            }
            continue;
        }
        std::string host = d.substr(0, colon);
        uint16_t port = std::stoul(d.substr(colon + 1));
        size_t dot = host.find('.');
        uint32_t h = m_hostIndex.at(host.substr(0, dot));
        ns3::Ipv4Address a =
            dot == std::string::npos ? towards(h) : Resolve(h, host.substr(dot + 1));
        out.push_back(ns3::InetSocketAddress(a, port));
    }
    return out;
}

} // namespace portlab
