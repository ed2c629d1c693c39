/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Question: do stock ns-3 applications run on portlab's Linux stack unchanged?
 *
 * ns-3's own BulkSendApplication sends BYTES to a PacketSink over a point-to-point link built
 * with ns-3's PointToPointHelper and Ipv4AddressHelper. The only line that differs from an
 * ns-3 tutorial program is LinuxStackHelper instead of InternetStackHelper (--native=1 runs
 * the same program on ns-3's own stack for comparison).
 *
 * Answer: yes: LinuxStackHelper installs the node's TcpSocketFactory and UdpSocketFactory,
 * so every application that creates sockets through them gets Linux's port semantics.
 *
 *   bulk-send --bytes=1000000   PacketSink received 1000000 of 1000000 bytes
 */

#include "transport/linux-stack-helper.h"

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <iostream>

using namespace ns3;

int
main(int argc, char** argv)
{
    uint64_t bytes = 1000000;
    bool native = false;
    CommandLine cmd(__FILE__);
    cmd.Usage("BulkSend to PacketSink, on portlab's stack (or ns-3's own with --native=1)");
    cmd.AddValue("bytes", "bytes BulkSend sends", bytes);
    cmd.AddValue("native", "use ns-3's InternetStackHelper instead of LinuxStackHelper", native);
    cmd.Parse(argc, argv);

    NodeContainer nodes;
    nodes.Create(2);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
    p2p.SetChannelAttribute("Delay", StringValue("5ms"));
    NetDeviceContainer devices = p2p.Install(nodes);
    if (native)
    {
        InternetStackHelper().Install(nodes);
    }
    else
    {
        LinuxStackHelper().Install(nodes); // the one changed line
    }
    Ipv4AddressHelper address("10.1.1.0", "255.255.255.0");
    Ipv4InterfaceContainer interfaces = address.Assign(devices);

    PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 9));
    ApplicationContainer sinkApp = sink.Install(nodes.Get(1));
    BulkSendHelper source("ns3::TcpSocketFactory", InetSocketAddress(interfaces.GetAddress(1), 9));
    source.SetAttribute("MaxBytes", UintegerValue(bytes));
    source.Install(nodes.Get(0));

    Simulator::Stop(Seconds(10));
    Simulator::Run();
    std::cout << "bulk-send on " << (native ? "ns-3's InternetStackHelper" : "LinuxStackHelper")
              << ": PacketSink received " << DynamicCast<PacketSink>(sinkApp.Get(0))->GetTotalRx()
              << " of " << bytes << " bytes\n";
    Simulator::Destroy();
    return 0;
}
