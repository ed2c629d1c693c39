/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Stock ns-3 OnOffApplication and PacketSink on portlab's Linux stack, over UDP and TCP: the
 * applications use ns-3's socket factories, which LinuxStackHelper serves with its Linux
 * sockets, so they run unchanged.
 *
 *   onoff --protocol=udp --rate=1Mbps --seconds=1     sink received 124000 bytes (124 packets
 *                                                     of 1000: the one due at the stop is not sent)
 *   onoff --protocol=tcp
 */

#include "link/point-to-point-link.h"
#include "transport/linux-stack-helper.h"

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <iostream>

using namespace ns3;

int
main(int argc, char** argv)
{
    std::string protocol = "udp";
    std::string rate = "1Mbps";
    double seconds = 1;
    CommandLine cmd(__FILE__);
    cmd.Usage("Stock OnOffApplication -> PacketSink on LinuxStackHelper.");
    cmd.AddValue("protocol", "udp or tcp", protocol);
    cmd.AddValue("rate", "the OnOff sender's rate while on (always on here)", rate);
    cmd.AddValue("seconds", "how long the sender sends", seconds);
    cmd.Parse(argc, argv);
    if (protocol != "udp" && protocol != "tcp")
    {
        std::cerr << "onoff: --protocol must be udp or tcp, not '" << protocol << "'\n";
        return 2;
    }
    const std::string factory =
        protocol == "udp" ? "ns3::UdpSocketFactory" : "ns3::TcpSocketFactory";

    NodeContainer nodes; // 10.1.1.1 sender, 10.1.1.2 sink
    nodes.Create(2);
    LinuxStackHelper().Install(nodes);
    LinkPointToPoint(nodes, "100Mbps", "1ms");

    PacketSinkHelper sink(factory, InetSocketAddress(Ipv4Address::GetAny(), 9));
    ApplicationContainer s = sink.Install(nodes.Get(1));
    OnOffHelper onoff(factory, InetSocketAddress("10.1.1.2", 9));
    onoff.SetConstantRate(DataRate(rate), 1000);
    ApplicationContainer o = onoff.Install(nodes.Get(0));
    o.Start(Seconds(0.5));
    o.Stop(Seconds(0.5 + seconds));
    Simulator::Stop(Seconds(seconds + 3));
    Simulator::Run();
    std::cout << "onoff over " << protocol << " at " << rate << " for " << seconds
              << " s: sink received " << DynamicCast<PacketSink>(s.Get(0))->GetTotalRx()
              << " bytes\n";
    Simulator::Destroy();
    return 0;
}
