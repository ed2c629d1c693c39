/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Cost per port-table operation as the tables grow from 10^3 to 10^6 entries. The target is
 * flat cost: within 2x from 10^3 to 10^6. Run:
 *   build/bench/portlab-bench-ports --benchmark_repetitions=5 --benchmark_report_aggregates_only
 * The summary at the end prints the median per operation and size and the 10^6 / 10^3 ratio.
 */

#include "ports/host-port-space.h"

#include <benchmark/benchmark.h>
#include <map>
#include <memory>

namespace
{

using namespace portlab;

constexpr Ipv4 SERVER_ADDR = 0x0a000001; // 10.0.0.1
constexpr Ipv4 CLIENT_ADDR = 0x0a000002; // 10.0.0.2
constexpr Ipv4 PEERS = 0x0b000000;       // 11.0.0.0/8: remote hosts
constexpr uint16_t SERVICE_PORT = 80;
constexpr uint16_t PEER_PORTS = 4096; // remote ports per remote host

/// A busy server: a listener on port 80 and N TIME_WAIT entries left by connections to it.
std::unique_ptr<HostPortSpace>
BusyServer(int64_t n)
{
    auto host = std::make_unique<HostPortSpace>(1);
    host->Sysctls().tcpMaxTwBuckets = n + 1;
    host->Addresses().Add(SERVER_ADDR);
    auto& tcp = host->Tcp();
    SocketId l = tcp.Open();
    tcp.Bind(l, ADDR_ANY, SERVICE_PORT);
    tcp.Listen(l, 4096);
    for (int64_t i = 0; i < n; ++i)
    {
        Ipv4 peer = PEERS + static_cast<Ipv4>(i / PEER_PORTS);
        auto port = static_cast<uint16_t>(1024 + i % PEER_PORTS);
        SocketId c = tcp.CreateChild(l, SERVER_ADDR, peer, port, TcpState::ESTABLISHED);
        tcp.EnterTimeWait(c, 0, TimeWaitInfo{});
        tcp.Destroy(c);
    }
    return host;
}

/// A busy client: N TIME_WAIT entries from connect() towards N different destinations.
std::unique_ptr<HostPortSpace>
BusyClient(int64_t n)
{
    auto host = std::make_unique<HostPortSpace>(2);
    host->Sysctls().tcpMaxTwBuckets = n + 1;
    host->Addresses().Add(CLIENT_ADDR);
    auto& tcp = host->Tcp();
    for (int64_t i = 0; i < n; ++i)
    {
        SocketId c = tcp.Open();
        TcpConnectResult r;
        tcp.Connect(c, CLIENT_ADDR, PEERS + static_cast<Ipv4>(i), SERVICE_PORT, 0, r);
        tcp.SetState(c, TcpState::ESTABLISHED);
        tcp.EnterTimeWait(c, 0, TimeWaitInfo{});
        tcp.Destroy(c);
    }
    return host;
}

template <class Make>
HostPortSpace&
Cached(std::map<int64_t, std::unique_ptr<HostPortSpace>>& cache, int64_t n, Make make)
{
    auto& slot = cache[n];
    if (!slot)
    {
        cache.clear(); // keep one population in memory at a time
        cache[n] = make(n);
        return *cache[n];
    }
    return *slot;
}

std::map<int64_t, std::unique_ptr<HostPortSpace>> g_servers;
std::map<int64_t, std::unique_ptr<HostPortSpace>> g_clients;

void
BM_BindExplicit(benchmark::State& state)
{
    HostPortSpace& host = Cached(g_servers, state.range(0), BusyServer);
    auto& tcp = host.Tcp();
    uint32_t i = 0;
    for (auto _ : state)
    {
        SocketId s = tcp.Open();
        Errno e = tcp.Bind(s, SERVER_ADDR, static_cast<uint16_t>(2000 + (i++ % 1000)));
        benchmark::DoNotOptimize(e);
        tcp.Destroy(s);
    }
    state.counters["entries"] = static_cast<double>(tcp.ConnectionCount());
}

void
BM_BindExplicitOnBusyPort(benchmark::State& state)
{
    // bind() to the port that holds all N TIME_WAIT entries: one owner class, not N owners.
    HostPortSpace& host = Cached(g_servers, state.range(0), BusyServer);
    auto& tcp = host.Tcp();
    for (auto _ : state)
    {
        SocketId s = tcp.Open();
        Errno e = tcp.Bind(s, SERVER_ADDR, SERVICE_PORT);
        benchmark::DoNotOptimize(e);
        tcp.Destroy(s);
    }
}

void
BM_BindZero(benchmark::State& state)
{
    HostPortSpace& host = Cached(g_servers, state.range(0), BusyServer);
    auto& tcp = host.Tcp();
    for (auto _ : state)
    {
        SocketId s = tcp.Open();
        Errno e = tcp.Bind(s, ADDR_ANY, 0);
        benchmark::DoNotOptimize(e);
        tcp.Destroy(s);
    }
}

void
BM_ConnectSelect(benchmark::State& state)
{
    HostPortSpace& host = Cached(g_clients, state.range(0), BusyClient);
    auto& tcp = host.Tcp();
    uint32_t i = 0;
    for (auto _ : state)
    {
        SocketId s = tcp.Open();
        TcpConnectResult r;
        Errno e = tcp.Connect(s, CLIENT_ADDR, PEERS + (i++ % (1u << 22)), SERVICE_PORT + 1, 0, r);
        benchmark::DoNotOptimize(e);
        tcp.Destroy(s);
    }
    state.counters["entries"] = static_cast<double>(tcp.ConnectionCount());
}

void
BM_DemuxLookup(benchmark::State& state)
{
    HostPortSpace& host = Cached(g_servers, state.range(0), BusyServer);
    auto& tcp = host.Tcp();
    const int64_t n = state.range(0);
    uint64_t i = 0;
    for (auto _ : state)
    {
        // Every lookup a cold one: half hit TIME_WAIT entries anywhere in the table, half miss
        // (and reach the listener). At 10^6 entries each costs a trip to DRAM.
        int64_t k = static_cast<int64_t>(Mix64(i++) % static_cast<uint64_t>(2 * n));
        Ipv4 peer = PEERS + static_cast<Ipv4>(k / PEER_PORTS);
        auto port = static_cast<uint16_t>(1024 + k % PEER_PORTS);
        TcpLookup r = tcp.Lookup(SERVER_ADDR, SERVICE_PORT, peer, port);
        benchmark::DoNotOptimize(r);
    }
    // TIME_WAIT slab + expiry queue + 4-tuple index + socket slab, per entry.
    state.counters["table_bytes_per_entry"] =
        static_cast<double>(tcp.MemoryBytes()) / static_cast<double>(n);
}

void
BM_DemuxActive(benchmark::State& state)
{
    // What a simulation does per packet: segments of 1,024 live connections and SYNs from new
    // clients, with N idle TIME_WAIT entries in the same table.
    constexpr uint32_t ACTIVE = 1024;
    constexpr Ipv4 ACTIVE_PEERS = 0x0d000000; // 13.0.0.0/8
    HostPortSpace& host = Cached(g_servers, state.range(0), BusyServer);
    auto& tcp = host.Tcp();
    if (tcp.Lookup(SERVER_ADDR, SERVICE_PORT, ACTIVE_PEERS, 1024).kind != TcpLookup::CONNECTION)
    {
        SocketId l = tcp.Lookup(SERVER_ADDR, SERVICE_PORT, 1, 1).id;
        for (uint32_t k = 0; k < ACTIVE; ++k)
        {
            tcp.CreateChild(l,
                            SERVER_ADDR,
                            ACTIVE_PEERS,
                            static_cast<uint16_t>(1024 + k),
                            TcpState::ESTABLISHED);
        }
    }
    uint64_t i = 0;
    for (auto _ : state)
    {
        uint64_t r = Mix64(i++);
        TcpLookup found = (r & 1) ? tcp.Lookup(SERVER_ADDR,
                                               SERVICE_PORT,
                                               ACTIVE_PEERS,
                                               static_cast<uint16_t>(1024 + (r >> 1) % ACTIVE))
                                  : tcp.Lookup(SERVER_ADDR,
                                               SERVICE_PORT,
                                               0x0e000000 + (r >> 40),
                                               static_cast<uint16_t>(r >> 16));
        benchmark::DoNotOptimize(found);
    }
}

void
BM_TimeWaitEnterAndKill(benchmark::State& state)
{
    // A connection enters TIME_WAIT and an RST kills it, with N other entries alive.
    HostPortSpace& host = Cached(g_servers, state.range(0), BusyServer);
    auto& tcp = host.Tcp();
    SocketId l = tcp.Lookup(SERVER_ADDR, SERVICE_PORT, 1, 1).id;
    uint32_t i = 0;
    for (auto _ : state)
    {
        Ipv4 peer = 0x0c000000 + (i / PEER_PORTS);
        auto port = static_cast<uint16_t>(1024 + i++ % PEER_PORTS);
        SocketId c = tcp.CreateChild(l, SERVER_ADDR, peer, port, TcpState::ESTABLISHED);
        TimeWaitId tw = tcp.EnterTimeWait(c, 0, TimeWaitInfo{});
        tcp.Destroy(c);
        tcp.KillTimeWait(tw);
    }
}

#define PORTLAB_SIZES Arg(1000)->Arg(10000)->Arg(100000)->Arg(1000000)

BENCHMARK(BM_BindExplicit)->PORTLAB_SIZES;
BENCHMARK(BM_BindExplicitOnBusyPort)->PORTLAB_SIZES;
BENCHMARK(BM_BindZero)->PORTLAB_SIZES;
BENCHMARK(BM_DemuxLookup)->PORTLAB_SIZES;
BENCHMARK(BM_DemuxActive)->PORTLAB_SIZES;
BENCHMARK(BM_TimeWaitEnterAndKill)->PORTLAB_SIZES;
BENCHMARK(BM_ConnectSelect)->PORTLAB_SIZES;

} // namespace

BENCHMARK_MAIN();
