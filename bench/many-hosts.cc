/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * bench/many-hosts: H client hosts against one server (targets: 10,000 hosts in <= 4 GB peak
 * RSS; 10^5 hosts x 10 connections in <= 8 GB and <= 5 min). A star of point-to-point links
 * (PointToPointLinkBuilder, 1 Gb/s, 1 ms, one /30 per host in 10.0.0.0/8, static default
 * routes); every client opens K request/response connections at a constant rate, closing
 * first. Addresses are given to the interfaces directly: ns-3's Ipv4AddressHelper checks each
 * new address against every one it handed out before (quadratic in the hosts).
 * --routing says which table routes: LinuxFibRouting (hash lookups, the default) or ns-3's
 * Ipv4StaticRouting (a walk over the server's 10,000 connected routes per lookup); both take
 * the same routes.
 *
 * --transport packet|flow says which transport carries the segments (the flow transport makes
 * the same port decisions without packets: LinuxStackHelper::SetTransport).
 *
 *   many-hosts [--hosts 10000 (1..4194304)] [--connections 5] [--rate 10] [--routing fib|static]
 *              [--transport packet|flow]
 */

#include "apps/tcp-client-process.h"
#include "apps/tcp-server-process.h"
#include "ipv4/linux-fib-routing-helper.h"
#include "link/point-to-point-link-builder.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <sys/resource.h>

using namespace ns3;

/// One /30 per host in 10.0.0.0/8.
constexpr uint32_t kMaxHosts = (1u << 24) / 4;

int
main(int argc, char** argv)
{
    uint32_t hosts = 10000;
    uint32_t perHost = 5;
    double rate = 10;
    std::string routing = "fib";
    std::string transport = "packet";
    for (int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if (i + 1 < argc && (a == "--hosts" || a == "--connections" || a == "--rate" ||
                             a == "--routing" || a == "--transport"))
        {
            std::string v = argv[++i];
            if (a == "--hosts")
            {
                hosts = static_cast<uint32_t>(std::stoul(v));
            }
            else if (a == "--connections")
            {
                perHost = static_cast<uint32_t>(std::stoul(v));
            }
            else if (a == "--transport")
            {
                transport = v;
            }
            else if (a == "--routing")
            {
                routing = v;
            }
            else
            {
                rate = std::stod(v);
            }
            continue;
        }
        std::fprintf(
            stderr,
            "many-hosts: unknown argument '%s'\nusage: many-hosts [--hosts H] "
            "[--connections K] [--rate R] [--routing fib|static] [--transport packet|flow]\n",
            a.c_str());
        return 2;
    }
    if (hosts < 1 || hosts > kMaxHosts || perHost < 1 || rate <= 0)
    {
        std::fprintf(stderr,
                     "many-hosts: --hosts must be 1..%u (one /30 per host in "
                     "10.0.0.0/8), --connections >= 1, --rate > 0\n",
                     kMaxHosts);
        return 2;
    }
    if (transport != "packet" && transport != "flow")
    {
        std::fprintf(stderr,
                     "many-hosts: --transport '%s' is not a transport; allowed: packet, flow\n",
                     transport.c_str());
        return 2;
    }
    if (routing != "fib" && routing != "static")
    {
        std::fprintf(stderr,
                     "many-hosts: --routing '%s' is not a routing; allowed: fib, static\n",
                     routing.c_str());
        return 2;
    }
    auto t0 = std::chrono::steady_clock::now();
    RngSeedManager::SetSeed(1);
    NodeContainer server;
    server.Create(1);
    NodeContainer clients;
    clients.Create(hosts);
    LinuxStackHelper stack;
    stack.SetTransport(transport);
    Ipv4StaticRoutingHelper staticRouting;
    LinuxFibRoutingHelper fibRouting;
    if (routing == "fib")
    {
        stack.SetRoutingHelper(fibRouting);
    }
    else
    {
        stack.SetRoutingHelper(staticRouting);
    }
    stack.Install(server);
    stack.Install(clients);
    PointToPointLinkBuilder links;
    PointToPointLinkBuilder::Parameters link;
    link.rate = DataRate("1Gbps");
    link.delay = MilliSeconds(1);
    const Ipv4Mask mask("255.255.255.252");
    std::vector<Ipv4Address> serverSide(hosts);
    for (uint32_t h = 0; h < hosts; ++h)
    {
        NetDeviceContainer d = links.Join(clients.Get(h), server.Get(0), link);
        // 10.a.b.c/30 per link: the client is .1, the server .2
        const uint32_t base = (10u << 24) + h * 4;
        PointToPointLinkBuilder::AddInterface(d.Get(0), {Ipv4Address(base + 1)}, mask);
        PointToPointLinkBuilder::AddInterface(d.Get(1), {Ipv4Address(base + 2)}, mask);
        serverSide[h] = Ipv4Address(base + 2);
        Ptr<Ipv4> clientIp = clients.Get(h)->GetObject<Ipv4>();
        if (routing == "fib")
        {
            LinuxFibRoutingHelper::GetFibRouting(clientIp)->SetDefaultRoute(serverSide[h], 1);
        }
        else
        {
            staticRouting.GetStaticRouting(clientIp)->SetDefaultRoute(serverSide[h], 1);
        }
    }
    stack.AssignStreams(server, 1);
    stack.AssignStreams(clients, 2);
    Ptr<TcpServerProcess> srv = CreateObject<TcpServerProcess>();
    srv->SetAttribute("Local", AddressValue(InetSocketAddress(Ipv4Address::GetAny(), 80)));
    server.Get(0)->AddApplication(srv);
    std::vector<Ptr<TcpClientProcess>> apps;
    for (uint32_t h = 0; h < hosts; ++h)
    {
        Ptr<TcpClientProcess> c = CreateObject<TcpClientProcess>();
        c->SetAttribute("Remote", AddressValue(InetSocketAddress(serverSide[h], 80)));
        c->SetAttribute("Rate", DoubleValue(rate));
        c->SetAttribute("MaxConnections", UintegerValue(perHost));
        clients.Get(h)->AddApplication(c);
        // Spread the first arrivals over one gap so the hosts do not all start at once.
        c->SetStartTime(Seconds(0.1 + static_cast<double>(h) / hosts / rate));
        apps.push_back(c);
    }
    auto built = std::chrono::steady_clock::now();
    Simulator::Stop(Seconds(0.1 + perHost / rate + 5));
    Simulator::Run();
    auto ran = std::chrono::steady_clock::now();
    uint64_t completed = 0;
    uint64_t attempted = 0;
    for (const auto& c : apps)
    {
        completed += c->GetCompleted();
        attempted += c->GetAttempted();
    }
    size_t serverConns = server.Get(0)->GetObject<LinuxPortSpace>()->Host().Tcp().ConnectionCount();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("many-hosts: %u client hosts x %u connections at %g/s each, 1 server, %s "
                "routing, %s transport\n",
                hosts,
                perHost,
                rate,
                routing.c_str(),
                transport.c_str());
    std::printf("  build %.2f s, run %.2f s wall; %llu of %llu exchanges completed; "
                "server connections left %zu\n",
                std::chrono::duration<double>(built - t0).count(),
                std::chrono::duration<double>(ran - built).count(),
                static_cast<unsigned long long>(completed),
                static_cast<unsigned long long>(attempted),
                serverConns);
    std::printf("  peak RSS %.1f MB (%.1f KB per host; target: 10,000 hosts in <= 4096 MB)\n",
                static_cast<double>(ru.ru_maxrss) / 1024.0,
                static_cast<double>(ru.ru_maxrss) / hosts);
    Simulator::Destroy();
    return completed == attempted ? 0 : 1;
}
