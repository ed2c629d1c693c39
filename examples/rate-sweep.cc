/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A sweep driven from C++: where is the knee of connect() success against the offered rate?
 *
 * For each rate, one short simulation of a client that opens connections to one server and
 * closes each first (so each leaves a TIME_WAIT holding its 4-tuple for 60 s), with a small
 * ephemeral range; beside it, Linux's arithmetic for the same sysctls from the one function
 * that holds it (portlab::ConnectCapacityPerSecond, models/ports/tcp-time-wait-rules.h).
 *
 * Linux's answer: every connect() succeeds up to (ports) / 60 s new connections per second;
 * beyond, connect() fails with EADDRNOTAVAIL and the success rate falls as capacity / rate.
 *
 *   rate-sweep --ports=60 --rates=0.5,1,2,4 --duration=60
 *
 * Each point lasts one TIME_WAIT period (60 s) or less, so no TIME_WAIT expires within it and
 * Linux's success rate is min(1, ports / (rate x duration)).
 */

#include "apps/process-helper.h"
#include "apps/tcp-client-process.h"
#include "link/point-to-point-link.h"
#include "ports/tcp-time-wait-rules.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

using namespace ns3;

namespace
{

/// One point of the sweep: the connect() success rate a client reaches at \p rate.
double
RunPoint(uint32_t ports, double rate, double duration, uint32_t seed)
{
    RngSeedManager::SetSeed(1);
    RngSeedManager::SetRun(seed);
    NodeContainer nodes; // 10.1.1.1 client, 10.1.1.2 server
    nodes.Create(2);
    LinuxStackHelper stack;
    stack.SetSysctl("net.ipv4.ip_local_port_range", "40000 " + std::to_string(40000 + ports - 1));
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
    const double success =
        p->GetAttempted() == 0 ? 1.0 : double(p->GetConnected()) / double(p->GetAttempted());
    Simulator::Destroy();
    return success;
}

} // namespace

int
main(int argc, char** argv)
{
    uint32_t ports = 60;
    std::string rates = "0.5,1,2,4";
    double duration = 60;
    uint32_t seed = 1;
    CommandLine cmd(__FILE__);
    cmd.Usage("Sweep a client's connection rate from C++: connect() success against Linux's "
              "TIME_WAIT arithmetic.");
    cmd.AddValue("ports", "ephemeral ports of the client (ip_local_port_range 40000 ...)", ports);
    cmd.AddValue("rates", "offered rates to sweep, connections/s, comma-separated", rates);
    cmd.AddValue("duration",
                 "seconds of connections per point (up to 60: one TIME_WAIT period)",
                 duration);
    cmd.AddValue("seed", "the runs' seed", seed);
    cmd.Parse(argc, argv);
    if (duration <= 0 || duration > 60 || ports == 0 || ports > 28232)
    {
        std::cerr << "rate-sweep: --duration must be in (0, 60] s and --ports in 1..28232\n";
        return 2;
    }

    // Linux's capacity for these sysctls: one destination, ports chosen by connect(),
    // timestamps on, a link address (not loopback).
    portlab::PortSysctls sys;
    sys.Set("net.ipv4.ip_local_port_range", "40000 " + std::to_string(40000 + ports - 1));
    const portlab::PortCapacity cap = portlab::ConnectCapacityPerSecond(sys, 1, false, true, false);
    std::cout << "rate-sweep: " << ports << " ports, one destination, " << duration
              << " s a point; Linux's capacity " << std::fixed << std::setprecision(3)
              << cap.perSecond << " connections/s\n";
    std::cout << "rate success linux\n";
    std::stringstream list(rates);
    std::string item;
    while (std::getline(list, item, ','))
    {
        const double rate = std::stod(item);
        const double simulated = RunPoint(ports, rate, duration, seed);
        // Within one TIME_WAIT period no port comes back: at most `held` connections succeed.
        const double linux = std::min(1.0, double(cap.held) / (rate * duration));
        std::cout << std::setprecision(2) << rate << " " << std::setprecision(3) << simulated << " "
                  << linux << "\n";
    }
    return 0;
}
