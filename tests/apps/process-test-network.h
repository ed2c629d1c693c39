/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PROCESS_TEST_NETWORK_H
#define PROCESS_TEST_NETWORK_H

#include "link/point-to-point-link.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <gtest/gtest.h>
#include <string>

namespace portlab
{

/**
 * Nodes in a chain on portlab's stack, each hop a 1 Gbps, 1 ms point-to-point link:
 * hop i is 10.1.(i+1).0/24, node i is .1 on its right hop and node i+1 is .2 on it
 * (two nodes: 10.1.1.1 and 10.1.1.2; three: the middle one is 10.1.1.2 and 10.1.2.1).
 */
class ProcessTestNetwork : public ::testing::Test
{
  protected:
    void Chain(uint32_t n)
    {
        ns3::RngSeedManager::SetSeed(1);
        ns3::RngSeedManager::SetRun(1);
        nodes.Create(n);
        ns3::LinuxStackHelper stack;
        stack.Install(nodes);
        stack.AssignStreams(nodes, 1);
        for (uint32_t i = 0; i + 1 < n; ++i)
        {
            ns3::LinkPointToPoint(ns3::NodeContainer(nodes.Get(i), nodes.Get(i + 1)),
                                  "1Gbps",
                                  "1ms",
                                  "10.1." + std::to_string(i + 1) + ".0");
        }
        ns3::Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    }

    void TearDown() override
    {
        ns3::Simulator::Destroy();
    }

    /// \return node \p i's port space (its sysctls are attributes)
    ns3::Ptr<ns3::LinuxPortSpace> PortSpace(uint32_t i)
    {
        return nodes.Get(i)->GetObject<ns3::LinuxPortSpace>();
    }

    /// \return node \p i's TCP port table
    portlab::TcpPortTable& Tcp(uint32_t i)
    {
        return PortSpace(i)->Host().Tcp();
    }

    static ns3::Address Inet(const char* ip, uint16_t port)
    {
        return ns3::InetSocketAddress(ns3::Ipv4Address(ip), port);
    }

    static ns3::Address Any(uint16_t port)
    {
        return ns3::InetSocketAddress(ns3::Ipv4Address::GetAny(), port);
    }

    ns3::NodeContainer nodes;
};

} // namespace portlab

#endif // PROCESS_TEST_NETWORK_H
