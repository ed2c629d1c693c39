/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Question: can a client reuse a local port for connections to different servers?
 *
 * The client host has only 10 ephemeral ports (ip_local_port_range 40000 40009) and opens 30
 * connections, round-robin to three server addresses. Each ends with the client closing first,
 * so every 4-tuple stays in TIME_WAIT for 60 s: the 30 connections need 30 distinct 4-tuples.
 *
 * Linux's answer: yes, when connect() chooses the port: a port is shared by connections to
 * different destinations (4-tuples differ), so 10 ports x 3 servers give 30. bind() before
 * connect() must choose the port alone and never shares it: 10 connections, then EADDRINUSE.
 * IP_BIND_ADDRESS_NO_PORT defers that choice to connect(): 30 again.
 *
 *   client-port-reuse --mode=connect        connected 30 of 30
 *   client-port-reuse --mode=bind           connected 10 of 30; EADDRINUSE 20
 *   client-port-reuse --mode=bind-no-port   connected 30 of 30
 */

#include "apps/process-helper.h"
#include "apps/tcp-client-process.h"
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
    std::string mode = "connect";
    uint32_t connections = 30;
    CommandLine cmd(__FILE__);
    cmd.Usage("10 local ports, 3 servers: how many connections can the client open?");
    cmd.AddValue("mode",
                 "connect (the port chosen by connect), bind (bind(0) before connect) or "
                 "bind-no-port (bind with IP_BIND_ADDRESS_NO_PORT)",
                 mode);
    cmd.AddValue("connections", "connections to open", connections);
    cmd.Parse(argc, argv);
    if (mode != "connect" && mode != "bind" && mode != "bind-no-port")
    {
        std::cerr << "client-port-reuse: --mode must be connect, bind or bind-no-port\n";
        return 2;
    }

    NodeContainer nodes; // client, server: three links, the server at 10.1.{1,2,3}.2
    nodes.Create(2);
    LinuxStackHelper stack;
    stack.SetSysctl("net.ipv4.ip_local_port_range", "40000 40009");
    stack.Install(nodes);
    stack.AssignStreams(nodes, 1);
    for (const char* net : {"10.1.1.0", "10.1.2.0", "10.1.3.0"})
    {
        LinkPointToPoint(nodes, "1Gbps", "1ms", net);
    }

    TcpServerProcessHelper server(InetSocketAddress(Ipv4Address::GetAny(), 80));
    server.Install(nodes.Get(1));

    TcpClientProcessHelper client(InetSocketAddress("10.1.1.2", 80));
    client.SetAttribute("Remotes", StringValue("10.1.1.2:80,10.1.2.2:80,10.1.3.2:80"));
    client.SetAttribute("Rate", DoubleValue(100));
    client.SetAttribute("MaxConnections", UintegerValue(connections));
    client.SetAttribute("BindBeforeConnect", BooleanValue(mode != "connect"));
    client.SetAttribute("BindAddressNoPort", BooleanValue(mode == "bind-no-port"));
    ApplicationContainer c = client.Install(nodes.Get(0));

    Simulator::Stop(Seconds(5));
    Simulator::Run();
    auto p = DynamicCast<TcpClientProcess>(c.Get(0));
    std::cout << "client-port-reuse: mode " << mode << ", 10 local ports, 3 servers\n";
    std::cout << "connected " << p->GetConnected() << " of " << p->GetAttempted();
    for (const auto& [error, count] : p->GetFailures())
    {
        std::cout << "; " << error << " " << count;
    }
    std::cout << "\n";
    Simulator::Destroy();
    return 0;
}
