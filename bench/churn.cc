/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * bench/churn: one connection-churn workload on four systems in one run.
 *   portlab  LinuxStackHelper, client and server nodes over a 1 ms point-to-point link
 *   flow     the same with LinuxStackHelper::SetTransport("flow"): no packets, the same port
 *            decisions
 *   native   ns-3's own TCP (InternetStackHelper) and PointToPointHelper's devices, same
 *            topology and applications
 *   portlab6 as portlab, over ns-3's IPv6 (LinuxStackHelper::SetIpv6; 2001:db8::/64, AF_INET6
 *            sockets on both ends): the IPv6 figure beside the IPv4 one
 *   kernel   the real Linux kernel: real sockets on loopback in a private network namespace
 * Workload: connection arrivals at rate R, 100-byte request, 100-byte response, the client
 * closes first. Each measurement runs in a forked child (wall time and peak RSS are its own);
 * a child that exceeds the time limit is killed and reported as not finished. The runs of the
 * systems alternate (run 1 of each, then run 2 of each, ...), so load on the machine that
 * changes over time falls on all of them alike.
 *
 *   churn [--sizes 10000,100000,1000000] [--runs 3] [--rate 1000]
 *         [--systems portlab,flow,portlab6,native,kernel]
 *         [--limit-seconds 600]
 */

#include "apps/tcp-client-process.h"
#include "apps/tcp-server-process.h"
#include "link/point-to-point-link.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sstream>
#include <string>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace ns3;

namespace
{

constexpr uint32_t REQUEST_BYTES = 100;
constexpr uint32_t RESPONSE_BYTES = 100;
constexpr uint16_t SERVER_PORT = 80;

/// What one run reports back to the parent.
struct Outcome
{
    bool finished{false};  //!< completed within the limit
    double wallSeconds{0}; //!< wall time of the workload
    uint64_t completed{0}; //!< connections completed
    uint64_t failed{0};    //!< connections that failed
    double peakRssMb{0};   //!< the child's peak RSS
};

/// The workload on ns-3 (portlab's stack, packet or flow transport, over IPv4 or IPv6, or
/// ns-3's own).
/// \return completed, failed
std::pair<uint64_t, uint64_t>
RunNs3(const std::string& system, uint64_t n, double rate)
{
    const bool portlab = system != "native";
    const bool ipv6 = system == "portlab6";
    RngSeedManager::SetSeed(1);
    RngSeedManager::SetRun(1);
    NodeContainer nodes;
    nodes.Create(2);
    if (portlab)
    {
        LinuxStackHelper stack;
        // A range large enough that 60 s TIME_WAITs at the offered rate do not exhaust it
        // towards one destination (see the README's Performance section).
        stack.SetSysctl("net.ipv4.ip_local_port_range", "1024 65535");
        stack.SetSysctl("net.ipv4.tcp_tw_reuse", "1");
        stack.SetTransport(system == "flow" ? "flow" : "packet");
        if (ipv6)
        {
            // Addresses usable at once (no 1 s duplicate address detection on the link).
            Config::SetDefault("ns3::Icmpv6L4Protocol::DAD", BooleanValue(false));
            stack.SetIpv6(true);
        }
        stack.Install(nodes);
        stack.AssignStreams(nodes, 1);
    }
    else
    {
        InternetStackHelper stack;
        stack.Install(nodes);
    }
    Ipv6Address server6;
    if (portlab)
    {
        NetDeviceContainer devs = LinkPointToPoint(nodes, "10Gbps", "1ms");
        if (ipv6)
        {
            Ipv6AddressHelper addr6;
            addr6.SetBase(Ipv6Address("2001:db8::"), Ipv6Prefix(64));
            server6 = addr6.Assign(devs).GetAddress(1, 1); // 0 is the link-local one
        }
    }
    else
    {
        // Stock ns-3 throughout: PointToPointHelper's devices, with the same rate, delay and
        // queue depth as LinkPointToPoint and, like it, no queue disc.
        PointToPointHelper p2p;
        p2p.SetDeviceAttribute("DataRate", StringValue("10Gbps"));
        p2p.SetChannelAttribute("Delay", StringValue("1ms"));
        p2p.SetQueue("ns3::DropTailQueue",
                     "MaxSize",
                     StringValue(std::to_string(LINK_TX_QUEUE_FRAMES) + "p"));
        p2p.DisableFlowControl();
        NetDeviceContainer devs = p2p.Install(nodes);
        Ipv4AddressHelper addr;
        addr.SetBase("10.1.1.0", "255.255.255.0");
        addr.Assign(devs);
    }
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    Ptr<TcpServerProcess> server = CreateObject<TcpServerProcess>();
    server->SetAttribute("Local",
                         ipv6
                             ? AddressValue(Inet6SocketAddress(Ipv6Address::GetAny(), SERVER_PORT))
                             : AddressValue(InetSocketAddress(Ipv4Address::GetAny(), SERVER_PORT)));
    server->SetAttribute("RequestSize", UintegerValue(REQUEST_BYTES));
    server->SetAttribute("ResponseSize", UintegerValue(RESPONSE_BYTES));
    nodes.Get(1)->AddApplication(server);
    Ptr<TcpClientProcess> client = CreateObject<TcpClientProcess>();
    client->SetAttribute(
        "Remote",
        ipv6 ? AddressValue(Inet6SocketAddress(server6, SERVER_PORT))
             : AddressValue(InetSocketAddress(Ipv4Address("10.1.1.2"), SERVER_PORT)));
    client->SetAttribute("Rate", DoubleValue(rate));
    client->SetAttribute("MaxConnections", UintegerValue(n));
    client->SetAttribute("RequestSize", UintegerValue(REQUEST_BYTES));
    client->SetAttribute("ResponseSize", UintegerValue(RESPONSE_BYTES));
    nodes.Get(0)->AddApplication(client);
    client->SetStartTime(Seconds(0.1));
    Simulator::Stop(Seconds(0.1 + static_cast<double>(n) / rate + 5));
    Simulator::Run();
    uint64_t failed = 0;
    for (const auto& [e, count] : client->GetFailures())
    {
        failed += count;
    }
    uint64_t completed = client->GetCompleted();
    Simulator::Destroy();
    return {completed, failed};
}

bool
Must(bool ok, const char* what)
{
    if (!ok)
    {
        std::fprintf(stderr, "churn: kernel: %s failed: %s\n", what, std::strerror(errno));
    }
    return ok;
}

bool
ReadFull(int fd, char* buf, size_t n)
{
    size_t got = 0;
    while (got < n)
    {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0)
        {
            return false;
        }
        got += static_cast<size_t>(r);
    }
    return true;
}

/// The workload on the running kernel over loopback (one thread, as fast as it goes).
std::pair<uint64_t, uint64_t>
RunKernel(uint64_t n)
{
    // A private network namespace with lo up: nothing touches the host's stack.
    if (!Must(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET)"))
    {
        return {0, n};
    }
    int ctl = socket(AF_INET, SOCK_DGRAM, 0);
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    ioctl(ctl, SIOCGIFFLAGS, &ifr);
    ifr.ifr_flags |= IFF_UP;
    Must(ioctl(ctl, SIOCSIFFLAGS, &ifr) == 0, "bring lo up");
    close(ctl);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(8888);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (!Must(bind(ls, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0, "bind") ||
        !Must(listen(ls, 4096) == 0, "listen"))
    {
        return {0, n};
    }
    char buf[RESPONSE_BYTES > REQUEST_BYTES ? RESPONSE_BYTES : REQUEST_BYTES] = {};
    uint64_t completed = 0;
    uint64_t failed = 0;
    for (uint64_t i = 0; i < n; ++i)
    {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(c, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0)
        {
            ++failed;
            close(c);
            continue;
        }
        int a = accept(ls, nullptr, nullptr);
        bool ok =
            write(c, buf, REQUEST_BYTES) == REQUEST_BYTES && ReadFull(a, buf, REQUEST_BYTES) &&
            write(a, buf, RESPONSE_BYTES) == RESPONSE_BYTES && ReadFull(c, buf, RESPONSE_BYTES);
        close(c); // the client closes first
        close(a);
        ok ? ++completed : ++failed;
    }
    close(ls);
    return {completed, failed};
}

/// Run one measurement in a child. \return its outcome
Outcome
Measure(const std::string& system, uint64_t n, double rate, int limitSeconds)
{
    int fds[2];
    if (pipe(fds) != 0)
    {
        return {};
    }
    pid_t pid = fork();
    if (pid == 0)
    {
        close(fds[0]);
        alarm(static_cast<unsigned>(limitSeconds));
        auto t0 = std::chrono::steady_clock::now();
        std::pair<uint64_t, uint64_t> r =
            system == "kernel" ? RunKernel(n) : RunNs3(system, n, rate);
        double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        char line[128];
        int len = std::snprintf(line,
                                sizeof(line),
                                "%.6f %llu %llu\n",
                                wall,
                                static_cast<unsigned long long>(r.first),
                                static_cast<unsigned long long>(r.second));
        if (write(fds[1], line, static_cast<size_t>(len)) != len)
        {
            _exit(2);
        }
        _exit(0);
    }
    close(fds[1]);
    std::string text;
    char buf[256];
    ssize_t got;
    while ((got = read(fds[0], buf, sizeof(buf))) > 0)
    {
        text.append(buf, static_cast<size_t>(got));
    }
    close(fds[0]);
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    Outcome o;
    o.peakRssMb = static_cast<double>(ru.ru_maxrss) / 1024.0;
    unsigned long long completed = 0;
    unsigned long long failed = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
        std::sscanf(text.c_str(), "%lf %llu %llu", &o.wallSeconds, &completed, &failed) == 3)
    {
        o.finished = true;
        o.completed = completed;
        o.failed = failed;
    }
    return o;
}

std::vector<std::string>
Split(const std::string& s)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
    {
        if (!item.empty())
        {
            out.push_back(item);
        }
    }
    return out;
}

double
Median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

[[noreturn]] void
Usage(const std::string& why)
{
    std::fprintf(stderr,
                 "churn: %s\nusage: churn [--sizes N,N,...] [--runs K] [--rate R] "
                 "[--systems portlab,flow,portlab6,native,kernel] [--limit-seconds S]\n",
                 why.c_str());
    std::exit(2);
}

} // namespace

int
main(int argc, char** argv)
{
    std::vector<uint64_t> sizes{10000, 100000, 1000000};
    std::vector<std::string> systems{"portlab", "native", "kernel"};
    int runs = 3;
    double rate = 1000;
    int limit = 600;
    for (int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
            {
                Usage(a + " needs a value");
            }
            return argv[++i];
        };
        try
        {
            if (a == "--sizes")
            {
                sizes.clear();
                for (const auto& s : Split(value()))
                {
                    sizes.push_back(std::stoull(s));
                }
            }
            else if (a == "--runs")
            {
                runs = std::stoi(value());
            }
            else if (a == "--rate")
            {
                rate = std::stod(value());
            }
            else if (a == "--systems")
            {
                systems = Split(value());
            }
            else if (a == "--limit-seconds")
            {
                limit = std::stoi(value());
            }
            else
            {
                Usage("unknown option '" + a + "'");
            }
        }
        catch (const std::exception&)
        {
            Usage("bad value for " + a);
        }
    }
    if (runs < 1 || rate <= 0 || limit < 1 || sizes.empty())
    {
        Usage("--runs, --rate and --limit-seconds must be positive, --sizes non-empty");
    }
    for (const auto& s : systems)
    {
        if (s != "portlab" && s != "flow" && s != "portlab6" && s != "native" && s != "kernel")
        {
            Usage("unknown system '" + s + "'; allowed: portlab, flow, portlab6, native, kernel");
        }
    }
    std::printf("churn: %g conn/s offered, %u-byte request, %u-byte response, client closes first; "
                "median of %d runs\n\n",
                rate,
                REQUEST_BYTES,
                RESPONSE_BYTES,
                runs);
    std::printf("%-8s %9s %9s %12s %14s %10s %s\n",
                "system",
                "N",
                "wall s",
                "conn/wall s",
                "completed",
                "peak MB",
                "note");
    std::map<std::pair<std::string, uint64_t>, double> speed;
    for (uint64_t n : sizes)
    {
        // The systems take turns, run by run, so that a load on the shared machine that comes
        // and goes falls on all of them alike.
        std::map<std::string, std::vector<double>> walls;
        std::map<std::string, std::vector<double>> rss;
        std::map<std::string, Outcome> last;
        std::map<std::string, bool> stopped;
        for (int r = 0; r < runs; ++r)
        {
            for (const auto& system : systems)
            {
                if (stopped[system])
                {
                    continue;
                }
                Outcome o = Measure(system, n, rate, limit);
                if (!o.finished)
                {
                    stopped[system] = true;
                    continue;
                }
                last[system] = o;
                walls[system].push_back(o.wallSeconds);
                rss[system].push_back(o.peakRssMb);
            }
        }
        for (const auto& system : systems)
        {
            if (stopped[system])
            {
                std::printf("%-8s %9llu %9s %12s %14s %10s did not finish within %d s\n",
                            system.c_str(),
                            static_cast<unsigned long long>(n),
                            "-",
                            "-",
                            "-",
                            "-",
                            limit);
                continue;
            }
            const Outcome& o = last[system];
            double wall = Median(walls[system]);
            double cps = static_cast<double>(o.completed + o.failed) / wall;
            speed[{system, n}] = cps;
            std::printf("%-8s %9llu %9.2f %12.0f %14llu %10.1f %s\n",
                        system.c_str(),
                        static_cast<unsigned long long>(n),
                        wall,
                        cps,
                        static_cast<unsigned long long>(o.completed),
                        Median(rss[system]),
                        o.failed ? ("failed " + std::to_string(o.failed)).c_str() : "");
        }
        std::fflush(stdout);
    }
    std::printf("\n");
    for (uint64_t n : sizes)
    {
        auto p = speed.find({"portlab", n});
        if (p == speed.end())
        {
            continue;
        }
        for (const char* other : {"portlab6", "native", "kernel"})
        {
            auto o = speed.find({other, n});
            if (o != speed.end())
            {
                std::printf("N=%llu: portlab / %s = %.2fx\n",
                            static_cast<unsigned long long>(n),
                            other,
                            p->second / o->second);
            }
        }
    }
    for (uint64_t n : sizes)
    {
        auto f = speed.find({"flow", n});
        for (const char* other : {"portlab", "kernel"})
        {
            auto o = speed.find({other, n});
            if (f != speed.end() && o != speed.end())
            {
                std::printf("N=%llu: flow / %s = %.2fx\n",
                            static_cast<unsigned long long>(n),
                            other,
                            f->second / o->second);
            }
        }
    }
    for (const char* system : {"portlab", "flow"})
    {
        auto first = speed.find({system, sizes.front()});
        auto lastSize = speed.find({system, sizes.back()});
        if (first != speed.end() && lastSize != speed.end() && sizes.size() > 1)
        {
            std::printf("%s rate at N=%llu / at N=%llu = %.2f\n",
                        system,
                        static_cast<unsigned long long>(sizes.back()),
                        static_cast<unsigned long long>(sizes.front()),
                        lastSize->second / first->second);
        }
    }
    return 0;
}
