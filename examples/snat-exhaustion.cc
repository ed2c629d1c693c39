/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Question: how many connections fit through a source NAT gateway's port range?
 *
 * Clients behind a Linux gateway (masquerade to a range of ports) hold connections open to
 * one server. Every connection needs its own NAT port towards that destination, whichever
 * client opened it: the range is shared by all clients.
 *
 * Linux's answer (recorded: tcp_exhaust_established_two_hosts): as many live connections as
 * ports per destination. The next SYN finds no free tuple, is dropped at conntrack confirm
 * (insert_failed, silently: the client sees no error) and connect() ends in ETIMEDOUT after
 * its retries, every client looking healthy.
 *
 *   snat-exhaustion --clients=2 --connections=3 --ports=4   connected 4 of 6; ETIMEDOUT 2
 */

#include "ipv4/linux-fib-routing-helper.h"
#include "link/point-to-point-link-builder.h"
#include "transport/linux-nat-helper.h"
#include "transport/linux-stack-helper.h"
#include "transport/linux-tcp-socket.h"

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <iostream>

using namespace ns3;

int
main(int argc, char** argv)
{
    uint32_t clients = 2;
    uint32_t connections = 3;
    uint32_t ports = 4;
    uint32_t synRetries = 1;
    CommandLine cmd(__FILE__);
    cmd.Usage("Clients behind a masquerading gateway hold connections to one server: how many "
              "fit through its port range?");
    cmd.AddValue("clients", "client hosts (1-200)", clients);
    cmd.AddValue("connections", "connections each client holds open", connections);
    cmd.AddValue("ports", "NAT ports (masquerade to :40000-...)", ports);
    cmd.AddValue("syn-retries", "net.ipv4.tcp_syn_retries of the clients", synRetries);
    cmd.Parse(argc, argv);
    if (clients < 1 || clients > 200)
    {
        std::cerr << "snat-exhaustion: --clients=" << clients << " is not allowed (1-200)\n";
        return 2;
    }
    if (connections < 1 || connections > 1000)
    {
        std::cerr << "snat-exhaustion: --connections=" << connections
                  << " is not allowed (1-1000)\n";
        return 2;
    }
    if (ports < 1 || ports > 25536)
    {
        std::cerr << "snat-exhaustion: --ports=" << ports << " is not allowed (1-25536)\n";
        return 2;
    }

    LinuxStackHelper stack;
    stack.UseFibRouting();
    LinuxStackHelper clientStack = stack;
    clientStack.SetSysctl("net.ipv4.tcp_syn_retries", std::to_string(synRetries));
    Ptr<Node> gateway = CreateObject<Node>();
    Ptr<Node> server = CreateObject<Node>();
    stack.Install(gateway);
    stack.Install(server);
    PointToPointLinkBuilder links;
    PointToPointLinkBuilder::Parameters p;
    p.delay = MicroSeconds(50);
    NodeContainer clientNodes;
    for (uint32_t i = 0; i < clients; ++i) // client i: 10.1.i.2, its gateway 10.1.i.1
    {
        Ptr<Node> c = CreateObject<Node>();
        clientStack.Install(c);
        clientNodes.Add(c);
        NetDeviceContainer d = links.Join(c, gateway, p);
        const std::string net = "10.1." + std::to_string(i) + ".";
        uint32_t cif =
            PointToPointLinkBuilder::AddInterface(d.Get(0), {Ipv4Address((net + "2").c_str())});
        PointToPointLinkBuilder::AddInterface(d.Get(1), {Ipv4Address((net + "1").c_str())});
        LinuxFibRoutingHelper::GetFibRouting(c->GetObject<Ipv4>())
            ->SetDefaultRoute(Ipv4Address((net + "1").c_str()), cif);
    }
    NetDeviceContainer d = links.Join(server, gateway, p); // server 10.2.0.2, gateway 10.2.0.1
    uint32_t sif = PointToPointLinkBuilder::AddInterface(d.Get(0), {Ipv4Address("10.2.0.2")});
    uint32_t out = PointToPointLinkBuilder::AddInterface(d.Get(1), {Ipv4Address("10.2.0.1")});
    LinuxFibRoutingHelper::GetFibRouting(server->GetObject<Ipv4>())
        ->SetDefaultRoute(Ipv4Address("10.2.0.1"), sif);
    stack.AssignStreams(NodeContainer(gateway, server), 1);
    clientStack.AssignStreams(clientNodes, 100);

    LinuxNatHelper nat; // oifname <out> meta l4proto tcp masquerade to :40000-...
    LinuxNatRule rule;
    rule.outInterface = static_cast<int32_t>(out);
    rule.protocol = 6;
    rule.minPort = 40000;
    rule.maxPort = static_cast<uint16_t>(40000 + ports - 1);
    nat.AddRule(rule);
    Ptr<LinuxNatGateway> gw = nat.Install(gateway);
    gw->AssignStreams(1000);

    Ptr<Socket> listener = Socket::CreateSocket(server, TcpSocketFactory::GetTypeId());
    listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), 80));
    listener->Listen();

    uint32_t connected = 0;
    uint32_t timedOut = 0;
    std::vector<Ptr<Socket>> sockets;
    for (uint32_t k = 0; k < connections; ++k)
    {
        for (uint32_t i = 0; i < clients; ++i)
        {
            Ptr<Socket> s = Socket::CreateSocket(clientNodes.Get(i), TcpSocketFactory::GetTypeId());
            s->SetConnectCallback(
                Callback<void, Ptr<Socket>>([&connected](Ptr<Socket>) { ++connected; }),
                Callback<void, Ptr<Socket>>([&timedOut](Ptr<Socket> f) {
                    timedOut +=
                        DynamicCast<LinuxTcpSocket>(f)->GetLinuxErrno() == portlab::Errno::TIMEDOUT
                            ? 1
                            : 0;
                }));
            Simulator::Schedule(MilliSeconds(100 + k * clients + i), [s]() {
                s->Connect(InetSocketAddress(Ipv4Address("10.2.0.2"), 80));
            });
            sockets.push_back(s);
        }
    }
    Simulator::Stop(Seconds(300));
    Simulator::Run();
    const portlab::CtCounters& c = gw->Counters();
    std::cout << "connected " << connected << " of " << clients * connections << "; ETIMEDOUT "
              << timedOut << "\n"
              << "conntrack -S: insert_failed=" << c.insertFailed << " drop=" << c.drop << "\n"
              << "conntrack -L:\n"
              << gw->Snapshot();
    Simulator::Destroy();
    return 0;
}
