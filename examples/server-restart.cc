/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Question: why does a restarted server fail with "Address already in use", and does
 * SO_REUSEADDR fix it?
 *
 * A web server on *:80 serves 10 connections a second for 2 s and closes each one first, so
 * each leaves a TIME_WAIT on the server. It is then restarted: the listener closes and a new
 * socket calls bind(*:80) again, once a second until it succeeds.
 *
 * Linux's answer: the server's TIME_WAIT connections still own port 80, so bind() fails with
 * EADDRINUSE until the last of them expires, 60 s later. SO_REUSEADDR fixes it only when both
 * the old socket (its TIME_WAITs inherit the setting) and the new one set it.
 *
 *   server-restart                          restart bind(): EADDRINUSE ... after 60 s
 *   server-restart --reuseaddr=1            restart bind(): ok
 *   server-restart --reuseaddr=1 --old=0    only the new socket sets it: EADDRINUSE
 */

#include "apps/process-helper.h"
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
    bool reuseAddr = false;
    bool old = true;
    CommandLine cmd(__FILE__);
    cmd.Usage("A server that closed connections first is restarted: does bind() succeed?");
    cmd.AddValue("reuseaddr", "SO_REUSEADDR on the restarted (new) listener", reuseAddr);
    cmd.AddValue("old", "SO_REUSEADDR on the old listener too, when --reuseaddr is set", old);
    cmd.Parse(argc, argv);

    NodeContainer nodes; // 10.1.1.1 client, 10.1.1.2 server
    nodes.Create(2);
    LinuxStackHelper stack;
    stack.Install(nodes);
    stack.AssignStreams(nodes, 1);
    LinkPointToPoint(nodes, "1Gbps", "1ms");

    TcpServerProcessHelper server(InetSocketAddress(Ipv4Address::GetAny(), 80));
    server.SetAttribute("ReuseAddr", BooleanValue(reuseAddr && old));
    server.SetAttribute("RestartReuseAddr", StringValue(reuseAddr ? "true" : "false"));
    server.SetAttribute("ClosePolicy", StringValue("server-first"));
    server.SetAttribute("RestartAt", TimeValue(Seconds(3)));
    ApplicationContainer s = server.Install(nodes.Get(1));

    TcpClientProcessHelper client(InetSocketAddress("10.1.1.2", 80));
    client.SetAttribute("Rate", DoubleValue(10));
    client.SetAttribute("ClosePolicy", StringValue("server-first"));
    ApplicationContainer c = client.Install(nodes.Get(0));
    c.Stop(Seconds(2));

    Simulator::Stop(Seconds(70));
    Simulator::Run();

    auto p = DynamicCast<TcpServerProcess>(s.Get(0));
    const auto& binds = p->GetBindHistory(); // the first bind, then each after the restart
    std::cout << "server-restart: SO_REUSEADDR old " << (reuseAddr && old ? "on" : "off")
              << ", new " << (reuseAddr ? "on" : "off") << "; " << p->GetServed()
              << " connections served and closed by the server\n";
    std::cout << "restart bind(): " << (binds.size() > 1 ? binds[1].second : "none") << "\n";
    if (p->GetRestartedAt() >= Seconds(0))
    {
        std::cout << "bind() succeeded at " << p->GetRestartedAt().GetSeconds() << " s, "
                  << p->GetRestartBindAttempts() << " attempt(s) after the restart at 3 s\n";
    }
    Simulator::Destroy();
    return 0;
}
