/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Cost per conntrack/NAT operation as the table grows from 10^3 to 10^6 entries (with
 * nf_conntrack_buckets = entries, Linux's default ratio). The target is flat cost. Run:
 *   build/bench/portlab-bench-conntrack --benchmark_repetitions=5
 * --benchmark_report_aggregates_only Each result carries bytes_per_entry: the table's bytes
 * (entries, free list, both hashes' bucket heads) over its entries.
 */

#include "nat/conntrack-table.h"

#include <benchmark/benchmark.h>
#include <map>
#include <memory>

namespace
{

using namespace portlab;

constexpr Ipv4 NAT_ADDR = 0xc0000201; // 192.0.2.1
constexpr Ipv4 CLIENTS = 0x0a000000;  // 10.0.0.0/8
constexpr Ipv4 SERVERS = 0x64400000;  // 100.64.0.0/10
constexpr uint32_t DESTINATIONS = 997;

/// The i-th background flow: a UDP flow from one of many clients to one of 997 servers.
CtTuple
Flow(uint32_t i)
{
    return CtTuple{CLIENTS + (i >> 10),
                   SERVERS + i % DESTINATIONS,
                   static_cast<uint16_t>(1024 + (i & 1023)),
                   53,
                   CT_PROTO_UDP};
}

/// A gateway table holding n live UDP mappings (masquerade, ports kept where unique).
struct Busy
{
    explicit Busy(int64_t n)
        : random(1),
          table(Settings(n), random, 7),
          rule(NatRange::Masquerade(NAT_ADDR)),
          size(static_cast<uint32_t>(n))
    {
        for (uint32_t i = 0; i < size; ++i)
        {
            table.Forward(NS_PER_SECOND, Flow(i), TcpSegment{}, &rule);
        }
    }

    static ConntrackSysctls Settings(int64_t n)
    {
        ConntrackSysctls s;
        s.max = 0;
        s.buckets = std::max<int64_t>(1024, n);
        s.udpTimeout = 1000000; // background flows never expire while measured
        return s;
    }

    SplitMixRandom random; //!< the table's randomness
    ConntrackTable table;  //!< the table
    NatRange rule;         //!< masquerade
    uint32_t size;         //!< background flows
    // BM_ConntrackEvictionSmallRange's connections go on where the last run stopped
    uint32_t isn{1000};            //!< next client ISN - 100000
    uint16_t port{1024};           //!< next client port
    TimeNs now{2 * NS_PER_SECOND}; //!< its clock
};

std::map<int64_t, std::unique_ptr<Busy>> g_busy;

Busy&
Cached(int64_t n)
{
    auto& slot = g_busy[n];
    if (!slot)
    {
        slot = std::make_unique<Busy>(n);
    }
    return *slot;
}

void
Report(benchmark::State& state, const ConntrackTable& t)
{
    state.counters["entries"] = static_cast<double>(t.Count());
    state.counters["insert_failed"] = static_cast<double>(t.Counters().insertFailed);
    state.counters["invalid"] = static_cast<double>(t.Counters().invalid);
    state.counters["bytes_per_entry"] =
        static_cast<double>(t.MemoryBytes()) / static_cast<double>(std::max<size_t>(1, t.Count()));
}

void
BM_ConntrackInsertWithNatChoice(benchmark::State& state)
{
    // A new TCP flow's SYN: lookup miss, allocation, SYN_SENT, a fully-random port search in
    // 10000-60000, confirm; then the entry is deleted so the table stays at N.
    Busy& b = Cached(state.range(0));
    const NatRange rule =
        NatRange::Masquerade(NAT_ADDR, 10000, 60000, NatRange::PROTO_RANDOM_FULLY);
    SplitMixRandom pick(3);
    TcpSegment syn;
    syn.syn = true;
    for (auto _ : state)
    {
        const uint32_t r = pick.NextU32();
        const CtTuple t{0xac100000 + (r >> 16),
                        SERVERS + r % DESTINATIONS,
                        static_cast<uint16_t>(1024 + (r & 0x3fff)),
                        443,
                        CT_PROTO_TCP};
        const auto res = b.table.Forward(2 * NS_PER_SECOND, t, syn, &rule);
        if (res.ref != ConntrackTable::NONE)
        {
            b.table.Kill(res.ref);
        }
    }
    Report(state, b.table);
}

void
BM_ConntrackLookup(benchmark::State& state)
{
    // A packet of an existing flow (original direction): lookup and UDP state update.
    Busy& b = Cached(state.range(0));
    SplitMixRandom pick(4);
    for (auto _ : state)
    {
        const auto res =
            b.table.Forward(2 * NS_PER_SECOND, Flow(pick.Below(b.size)), TcpSegment{}, &b.rule);
        benchmark::DoNotOptimize(res);
    }
    Report(state, b.table);
}

void
BM_ConntrackExpireAndReap(benchmark::State& state)
{
    // N UDP mappings time out together; the gc worker runs (each run reaps at most 256 and
    // asks to run again a jiffy later) until the table is empty. Time per entry reaped.
    const int64_t n = state.range(0);
    for (auto _ : state)
    {
        state.PauseTiming();
        SplitMixRandom random(5);
        ConntrackSysctls s = Busy::Settings(n);
        s.udpTimeout = 30;
        ConntrackTable table(s, random, 9);
        const NatRange rule = NatRange::Masquerade(NAT_ADDR);
        for (uint32_t i = 0; i < n; ++i)
        {
            table.Forward(0, Flow(i), TcpSegment{}, &rule);
        }
        state.ResumeTiming();
        TimeNs now = 31 * NS_PER_SECOND;
        while (table.Count() != 0)
        {
            now += table.GcWorker(now);
        }
    }
    state.SetItemsProcessed(state.iterations() * n);
}

void
BM_ConntrackEvictionSmallRange(benchmark::State& state)
{
    // Back-to-back connections through a 32-port range to one server, each closed by the
    // client: every new SYN (sequence advanced) evicts a TIME_WAIT holder, beside N other
    // entries. One iteration = one connection: SYN, SYN-ACK, ACK, FIN, ACK, FIN, ACK.
    Busy& b = Cached(state.range(0));
    const NatRange rule = NatRange::Masquerade(NAT_ADDR, 40000, 40031);
    const CtTuple server{0, 0xc6336401, 0, 443, CT_PROTO_TCP}; // 198.51.100.1:443
    uint32_t& isn = b.isn;
    uint16_t& port = b.port;
    TimeNs& now = b.now;
    auto seg = [](bool syn, bool ack, bool fin, uint32_t seq) {
        TcpSegment s;
        s.syn = syn;
        s.ack = ack;
        s.fin = fin;
        s.seq = seq;
        return s;
    };
    for (auto _ : state)
    {
        const CtTuple o{0x0ac80001, server.dst, port, server.dport, CT_PROTO_TCP};
        port = static_cast<uint16_t>(port == 65535 ? 1024 : port + 1);
        isn += 100000;
        const auto r = b.table.Forward(now, o, seg(true, false, false, isn), &rule);
        const CtTuple back = r.out.Inverted();
        b.table.Forward(now, back, seg(true, true, false, 7), nullptr);
        b.table.Forward(now, o, seg(false, true, false, isn + 1), nullptr);
        b.table.Forward(now, o, seg(false, true, true, isn + 1), nullptr);
        b.table.Forward(now, back, seg(false, true, false, 8), nullptr);
        b.table.Forward(now, back, seg(false, true, true, 8), nullptr);
        b.table.Forward(now, o, seg(false, true, false, isn + 2), nullptr);
        now += NS_PER_MS;
    }
    Report(state, b.table);
}

#define PORTLAB_SIZES Arg(1000)->Arg(10000)->Arg(100000)->Arg(1000000)

BENCHMARK(BM_ConntrackInsertWithNatChoice)->PORTLAB_SIZES;
BENCHMARK(BM_ConntrackLookup)->PORTLAB_SIZES;
BENCHMARK(BM_ConntrackEvictionSmallRange)->PORTLAB_SIZES;
BENCHMARK(BM_ConntrackExpireAndReap)->PORTLAB_SIZES->Iterations(3)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
