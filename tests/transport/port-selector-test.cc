/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * LinuxPortSpace's PortSelector attribute: the algorithm is chosen by TypeId, survives
 * AssignStreams, and draws its randomness from the node's assigned stream.
 */

#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"
#include "transport/port-selector.h"

#include "ns3/core-module.h"
#include "ns3/network-module.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

using namespace ns3;

/// \return the ports of \p n connect()s from \p node's table to one destination
std::vector<uint16_t>
ConnectPorts(Ptr<Node> node, int n)
{
    HostPortSpace& host = node->GetObject<LinuxPortSpace>()->Host();
    std::vector<uint16_t> ports;
    for (int i = 0; i < n; ++i)
    {
        SocketId c = host.Tcp().Open();
        TcpConnectResult r;
        EXPECT_EQ(host.Tcp().Connect(c, 0x0a000001, 0x0a000002, 80, 0, r), Errno::OK);
        ports.push_back(r.localPort);
    }
    return ports;
}

TEST(PortSelectorAttribute, LinuxIsTheDefault)
{
    Ptr<Node> node = CreateObject<Node>();
    LinuxStackHelper().Install(node);
    auto ports = node->GetObject<LinuxPortSpace>();
    EXPECT_EQ(ports->GetPortSelector()->GetInstanceTypeId(), LinuxPortSelector::GetTypeId());
    EXPECT_STREQ(ports->Host().Selector().Name(), "linux");
    Simulator::Destroy();
}

TEST(PortSelectorAttribute, HelperChoosesTheAlgorithmAndAssignStreamsKeepsIt)
{
    NodeContainer nodes;
    nodes.Create(1);
    LinuxStackHelper stack;
    stack.SetPortSelector("ns3::SequentialPortSelector");
    stack.Install(nodes);
    stack.AssignStreams(nodes, 3);
    EXPECT_STREQ(nodes.Get(0)->GetObject<LinuxPortSpace>()->Host().Selector().Name(), "sequential");
    EXPECT_EQ(ConnectPorts(nodes.Get(0), 3), (std::vector<uint16_t>{32768, 32769, 32770}));
    Simulator::Destroy();
}

TEST(PortSelectorAttribute, ConfigDefaultsReachTheAlgorithmsParameters)
{
    Config::SetDefault("ns3::LinuxPortSpace::PortSelector",
                       TypeIdValue(RandomIncrementsPortSelector::GetTypeId()));
    Config::SetDefault("ns3::RandomIncrementsPortSelector::N", UintegerValue(3));
    Ptr<Node> node = CreateObject<Node>();
    LinuxStackHelper().Install(node);
    auto ports = ConnectPorts(node, 100);
    for (size_t i = 1; i < ports.size(); ++i)
    {
        int step = (ports[i] - ports[i - 1] + 28232) % 28232; // modulo the default range
        EXPECT_TRUE(step >= 1 && step <= 3) << step;
    }
    Config::Reset();
    Simulator::Destroy();
}

TEST(PortSelectorAttribute, TheSameStreamGivesTheSamePorts)
{
    auto run = [](int64_t stream) {
        NodeContainer nodes;
        nodes.Create(1);
        LinuxStackHelper stack;
        stack.SetPortSelector("ns3::RandomPortSelector");
        stack.Install(nodes);
        stack.AssignStreams(nodes, stream);
        auto ports = ConnectPorts(nodes.Get(0), 50);
        Simulator::Destroy();
        return ports;
    };
    EXPECT_EQ(run(5), run(5));
    EXPECT_NE(run(5), run(6));
}

TEST(PortSelectorAttribute, LookupByNameKnowsEveryScenarioName)
{
    for (const auto& name : EphemeralPortSelectorNames())
    {
        TypeId tid;
        ASSERT_TRUE(PortSelector::LookupByName(name, tid)) << name;
        ObjectFactory f;
        f.SetTypeId(tid);
        SplitMixRandom rng(1);
        EXPECT_EQ(f.Create<PortSelector>()->Make(rng, 1)->Name(), name);
    }
    TypeId tid;
    EXPECT_FALSE(PortSelector::LookupByName("bsd", tid));
}

} // namespace
} // namespace portlab
