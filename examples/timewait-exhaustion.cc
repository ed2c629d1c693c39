/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Question: do a client's TIME_WAITs exhaust its ports?
 *
 * A client opens connections to one server at a constant rate and closes each first, so each
 * leaves a TIME_WAIT on the client for 60 s holding its 4-tuple. Towards one destination the
 * client can then sustain at most (ephemeral ports) / 60 s new connections per second.
 *
 * Linux's answer: yes, towards the same destination. Once every port holds a TIME_WAIT,
 * connect() fails with EADDRNOTAVAIL until one expires; net.ipv4.tcp_tw_reuse=1 lets
 * connect() take over a TIME_WAIT older than 1 s instead.
 *
 *   timewait-exhaustion --ports=100 --rate=10 --duration=30   connected 100 of 300
 *   timewait-exhaustion --tw-reuse=1                          connected 300 of 300
 */

#include "apps/process-helper.h"
#include "apps/tcp-client-process.h"
#include "link/point-to-point-link.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <iomanip>
#include <iostream>

using namespace ns3;

int
main(int argc, char** argv)
{
    uint32_t ports = 100;
    double rate = 10;
    double duration = 30;
    uint32_t twReuse = 0;
    CommandLine cmd(__FILE__);
    cmd.Usage("A client opens connections at a constant rate: do its TIME_WAITs run it out of "
              "ports?");
    cmd.AddValue("ports", "ephemeral ports of the client (ip_local_port_range 40000 ...)", ports);
    cmd.AddValue("rate", "new connections per second", rate);
    cmd.AddValue("duration", "seconds of connections", duration);
    cmd.AddValue("tw-reuse", "net.ipv4.tcp_tw_reuse of the client (0, 1 or 2)", twReuse);
    cmd.Parse(argc, argv);

    NodeContainer nodes; // 10.1.1.1 client, 10.1.1.2 server
    nodes.Create(2);
    LinuxStackHelper stack;
    stack.SetSysctl("net.ipv4.ip_local_port_range",
                    "40000 " + std::to_string(40000 + ports - 1));
    stack.SetSysctl("net.ipv4.tcp_tw_reuse", std::to_string(twReuse));
    stack.Install(nodes);
    stack.AssignStreams(nodes, 1);
    LinkPointToPoint(nodes, "1Gbps", "1ms");

    TcpServerProcessHelper server(InetSocketAddress(Ipv4Address::GetAny(), 80));
    server.Install(nodes.Get(1));
    TcpClientProcessHelper client(InetSocketAddress("10.1.1.2", 80));
    client.SetAttribute("Rate", DoubleValue(rate));
    ApplicationContainer c = client.Install(nodes.Get(0));
    c.Stop(Seconds(duration));

    Simulator::Stop(Seconds(duration + 1));
    Simulator::Run();
    auto p = DynamicCast<TcpClientProcess>(c.Get(0));
    auto portSpace = nodes.Get(0)->GetObject<LinuxPortSpace>();
    std::cout << "timewait-exhaustion: " << ports << " ports, " << rate << " connections/s for "
              << duration << " s, tcp_tw_reuse=" << twReuse << "\n";
    std::cout << "connected " << p->GetConnected() << " of " << p->GetAttempted();
    for (const auto& [error, count] : p->GetFailures())
    {
        std::cout << "; " << error << " " << count;
    }
    std::cout << "\nclient TIME_WAITs at the end: " << portSpace->Host().Tcp().TimeWaitCount()
              << "; Linux's arithmetic: at most " << ports << " ports / 60 s = " << std::fixed
              << std::setprecision(2) << ports / 60.0
              << " new connections/s to one destination without tcp_tw_reuse\n";
    Simulator::Destroy();
    return 0;
}
