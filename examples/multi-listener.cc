/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Question: can several server processes listen on one TCP port (SO_REUSEPORT)?
 *
 * LISTENERS server processes on one host each bind *:80 and listen; a client then opens
 * CONNECTIONS connections from as many source ports.
 *
 * Linux's answer: without SO_REUSEPORT only the first bind() succeeds, the others get
 * EADDRINUSE. With SO_REUSEPORT on every socket (and one owner uid) all bind, and the kernel
 * spreads new connections over the group by a hash of the 4-tuple: each listener gets about
 * an equal share.
 *
 *   multi-listener --reuseport=1 --listeners=4   bind(*:80): ok ok ok ok; accepted: ~100 each
 *   multi-listener --reuseport=0                 bind(*:80): ok EADDRINUSE EADDRINUSE ...
 */

#include "apps/process-helper.h"
#include "apps/tcp-client-process.h"
#include "apps/tcp-server-process.h"
#include "link/point-to-point-link.h"
#include "transport/linux-stack-helper.h"

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <iostream>

using namespace ns3;

int
main(int argc, char** argv)
{
    bool reusePort = true;
    uint32_t listeners = 4;
    uint32_t connections = 400;
    CommandLine cmd(__FILE__);
    cmd.Usage("Several processes listen on *:80: who binds, and how are connections shared?");
    cmd.AddValue("reuseport", "SO_REUSEPORT on every listener", reusePort);
    cmd.AddValue("listeners", "server processes on the host", listeners);
    cmd.AddValue("connections", "connections the client opens", connections);
    cmd.Parse(argc, argv);

    NodeContainer nodes; // 10.1.1.1 client, 10.1.1.2 server
    nodes.Create(2);
    LinuxStackHelper stack;
    stack.Install(nodes);
    stack.AssignStreams(nodes, 1);
    LinkPointToPoint(nodes, "1Gbps", "1ms");

    TcpServerProcessHelper server(InetSocketAddress(Ipv4Address::GetAny(), 80));
    server.SetAttribute("ReusePort", BooleanValue(reusePort));
    ApplicationContainer servers;
    for (uint32_t i = 0; i < listeners; ++i)
    {
        servers.Add(server.Install(nodes.Get(1)));
    }
    TcpClientProcessHelper client(InetSocketAddress("10.1.1.2", 80));
    client.SetAttribute("Rate", DoubleValue(1000));
    client.SetAttribute("MaxConnections", UintegerValue(connections));
    ApplicationContainer c = client.Install(nodes.Get(0));
    c.Start(Seconds(0.1));

    Simulator::Stop(Seconds(2));
    Simulator::Run();
    std::cout << "multi-listener: " << listeners << " processes, SO_REUSEPORT "
              << (reusePort ? "on" : "off") << "\nbind(*:80):";
    for (uint32_t i = 0; i < servers.GetN(); ++i)
    {
        std::cout << " " << DynamicCast<TcpServerProcess>(servers.Get(i))->GetBindResult();
    }
    std::cout << "\naccepted:";
    for (uint32_t i = 0; i < servers.GetN(); ++i)
    {
        std::cout << " " << DynamicCast<TcpServerProcess>(servers.Get(i))->GetAccepted();
    }
    std::cout << " (of " << DynamicCast<TcpClientProcess>(c.Get(0))->GetConnected()
              << " connections)\n";
    Simulator::Destroy();
    return 0;
}
