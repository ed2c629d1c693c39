/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * bench/timewait-memory: resident memory per TIME_WAIT entry with N live entries (target:
 * <= 128 bytes at 10^6). Two measurements, each in a forked child so that it starts clean:
 *   table      entries made directly in a host's port table (what every TIME_WAIT costs)
 *   transport  entries left by real connections over ns-3 (the client closes first), so
 *              sockets, packets and the simulator are included in the figure
 *
 *   timewait-memory [--entries 1000000] [--transport-entries 1000000]
 */

#include "apps/tcp-client-process.h"
#include "apps/tcp-server-process.h"
#include "link/point-to-point-link.h"
#include "ports/host-port-space.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace ns3;

namespace
{

/// \return this process's resident set size in bytes (/proc/self/statm)
double
RssBytes()
{
    std::ifstream in("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    in >> pages >> resident;
    return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

/// N TIME_WAIT entries in one host's table: a busy server's connections from many clients.
double
TablePerEntry(uint64_t n)
{
    auto host = std::make_unique<portlab::HostPortSpace>(1);
    host->Sysctls().tcpMaxTwBuckets = static_cast<int64_t>(n) + 1;
    host->Addresses().Add(0x0a000001);
    auto& tcp = host->Tcp();
    portlab::SocketId l = tcp.Open();
    tcp.Bind(l, portlab::ADDR_ANY, 80);
    tcp.Listen(l, 4096);
    double before = RssBytes();
    for (uint64_t i = 0; i < n; ++i)
    {
        portlab::Ipv4 peer = 0x0b000000 + static_cast<portlab::Ipv4>(i / 50000);
        auto port = static_cast<uint16_t>(1024 + i % 50000);
        portlab::SocketId c =
            tcp.CreateChild(l, 0x0a000001, peer, port, portlab::TcpState::ESTABLISHED);
        tcp.EnterTimeWait(c, 0, portlab::TimeWaitInfo{});
        tcp.Destroy(c);
    }
    double after = RssBytes();
    if (tcp.TimeWaitCount() != n)
    {
        std::fprintf(stderr,
                     "timewait-memory: expected %llu entries, have %zu\n",
                     static_cast<unsigned long long>(n),
                     tcp.TimeWaitCount());
        return -1;
    }
    return (after - before) / static_cast<double>(n);
}

/// N TIME_WAIT entries left by real connections: the client closes first, towards 50 server
/// ports, so that no destination holds more than 20,000 of its 64,512 ports in TIME_WAIT. (Past
/// half, Linux's connect() walks every port of the preferred parity before the others: each
/// connect then checks ~32,000 candidates. portlab reproduces that, but it is not what this
/// benchmark measures.)
double
TransportPerEntry(uint64_t n)
{
    constexpr uint16_t PORTS = 50;
    constexpr double RATE = 25000; // connections per simulated second, all clients together
    NodeContainer nodes;
    nodes.Create(2);
    LinuxStackHelper stack;
    stack.SetSysctl("net.ipv4.ip_local_port_range", "1024 65535");
    stack.SetSysctl("net.ipv4.tcp_tw_reuse", "0");
    stack.SetSysctl("net.ipv4.tcp_max_tw_buckets", std::to_string(n + 1));
    stack.Install(nodes);
    stack.AssignStreams(nodes, 1);
    LinkPointToPoint(nodes, "10Gbps", "1ms");
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    for (uint16_t p = 0; p < PORTS; ++p)
    {
        Ptr<TcpServerProcess> server = CreateObject<TcpServerProcess>();
        server->SetAttribute("Local",
                             AddressValue(InetSocketAddress(Ipv4Address::GetAny(), 8000 + p)));
        nodes.Get(1)->AddApplication(server);
        Ptr<TcpClientProcess> client = CreateObject<TcpClientProcess>();
        client->SetAttribute("Remote",
                             AddressValue(InetSocketAddress(Ipv4Address("10.1.1.2"), 8000 + p)));
        client->SetAttribute("Rate", DoubleValue(RATE / PORTS));
        client->SetAttribute("MaxConnections", UintegerValue(n / PORTS));
        nodes.Get(0)->AddApplication(client);
        client->SetStartTime(Seconds(1));
    }
    Simulator::Stop(Seconds(0.5));
    Simulator::Run();
    double before = RssBytes();
    // Well inside the 60 s TIME_WAIT of the first connection.
    Simulator::Stop(Seconds(static_cast<double>(n) / RATE + 2));
    Simulator::Run();
    double after = RssBytes();
    size_t tw = nodes.Get(0)->GetObject<LinuxPortSpace>()->Host().Tcp().TimeWaitCount();
    Simulator::Destroy();
    if (tw != n / PORTS * PORTS)
    {
        std::fprintf(stderr,
                     "timewait-memory: expected %llu client TIME_WAITs, have %zu\n",
                     static_cast<unsigned long long>(n / PORTS * PORTS),
                     tw);
        return -1;
    }
    return (after - before) / static_cast<double>(tw);
}

/// Run \p fn in a child and return what it printed as a double.
template <class Fn>
double
InChild(Fn fn)
{
    int fds[2];
    if (pipe(fds) != 0)
    {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0)
    {
        close(fds[0]);
        double v = fn();
        char line[64];
        int len = std::snprintf(line, sizeof(line), "%.3f\n", v);
        _exit(write(fds[1], line, static_cast<size_t>(len)) == len ? 0 : 1);
    }
    close(fds[1]);
    char buf[64] = {};
    ssize_t got = read(fds[0], buf, sizeof(buf) - 1);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return got > 0 ? std::atof(buf) : -1;
}

} // namespace

int
main(int argc, char** argv)
{
    uint64_t entries = 1000000;
    uint64_t transportEntries = 1000000;
    for (int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if ((a == "--entries" || a == "--transport-entries") && i + 1 < argc)
        {
            (a == "--entries" ? entries : transportEntries) = std::stoull(argv[++i]);
        }
        else
        {
            std::fprintf(stderr,
                         "timewait-memory: unknown argument '%s'\nusage: timewait-memory "
                         "[--entries N] [--transport-entries N]\n",
                         a.c_str());
            return 2;
        }
    }
    double table = InChild([&] { return TablePerEntry(entries); });
    std::printf("table:     %9llu TIME_WAIT entries: %6.1f bytes of RSS each (target <= 128)\n",
                static_cast<unsigned long long>(entries),
                table);
    double transport = InChild([&] { return TransportPerEntry(transportEntries); });
    std::printf("transport: %9llu TIME_WAIT entries: %6.1f bytes of RSS each (whole simulation)\n",
                static_cast<unsigned long long>(transportEntries),
                transport);
    return table < 0 || transport < 0 ? 1 : 0;
}
