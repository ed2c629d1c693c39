/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "nat/conntrack-table.h"

#include "ports/free-slots.h"

#include <algorithm>
#include <tuple>

namespace portlab
{

namespace
{

/// get_conntrack_index's values (TCP_SYN_SET ... TCP_NONE_SET).
enum TcpIndex : uint8_t
{
    TCP_SYN_SET = 0,
    TCP_SYNACK_SET = 1,
    TCP_FIN_SET = 2,
    TCP_ACK_SET = 3,
    TCP_RST_SET = 4,
    TCP_NONE_SET = 5,
};

constexpr uint8_t sNO = static_cast<uint8_t>(TcpCtState::NONE);
constexpr uint8_t sSS = static_cast<uint8_t>(TcpCtState::SYN_SENT);
constexpr uint8_t sSR = static_cast<uint8_t>(TcpCtState::SYN_RECV);
constexpr uint8_t sES = static_cast<uint8_t>(TcpCtState::ESTABLISHED);
constexpr uint8_t sFW = static_cast<uint8_t>(TcpCtState::FIN_WAIT);
constexpr uint8_t sCW = static_cast<uint8_t>(TcpCtState::CLOSE_WAIT);
constexpr uint8_t sLA = static_cast<uint8_t>(TcpCtState::LAST_ACK);
constexpr uint8_t sTW = static_cast<uint8_t>(TcpCtState::TIME_WAIT);
constexpr uint8_t sCL = static_cast<uint8_t>(TcpCtState::CLOSE);
constexpr uint8_t sS2 = static_cast<uint8_t>(TcpCtState::SYN_SENT2);
constexpr uint8_t sIV = static_cast<uint8_t>(TcpCtState::MAX);
constexpr uint8_t sIG = static_cast<uint8_t>(TcpCtState::IGNORE);

/// tcp_conntracks[dir][index][state] of nf_conntrack_proto_tcp.c.
constexpr uint8_t TCP_CONNTRACKS[2][6][10] = {
    {
        /*            sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
        /*syn*/ {sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2},
        /*synack*/ {sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR},
        /*fin*/ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
        /*ack*/ {sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV},
        /*rst*/ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
        /*none*/ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
    },
    {
        /*            sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
        /*syn*/ {sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2},
        /*synack*/ {sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR},
        /*fin*/ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
        /*ack*/ {sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG},
        /*rst*/ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
        /*none*/ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
    },
};

/// get_conntrack_index
uint8_t
GetConntrackIndex(const TcpSegment& s)
{
    if (s.rst)
    {
        return TCP_RST_SET;
    }
    if (s.syn)
    {
        return s.ack ? TCP_SYNACK_SET : TCP_SYN_SET;
    }
    if (s.fin)
    {
        return TCP_FIN_SET;
    }
    if (s.ack)
    {
        return TCP_ACK_SET;
    }
    return TCP_NONE_SET;
}

// tcpFlags byte: IP_CT_TCP_FLAG_CLOSE_INIT per direction, last_dir, last_index.
constexpr uint8_t TF_CLOSE_INIT_ORIG = 1 << 0;
constexpr uint8_t TF_CLOSE_INIT_REPLY = 1 << 1;
constexpr uint8_t TF_LAST_DIR = 1 << 2;
constexpr unsigned TF_LAST_INDEX_SHIFT = 3;

constexpr int64_t HZ = NS_PER_SECOND / CT_JIFFY_NS; // 250
constexpr uint32_t NF_NAT_MAX_ATTEMPTS = 128;
constexpr unsigned NF_NAT_HARDER_THRESH = 32;
constexpr int NF_CT_EVICTION_RANGE = 8;
constexpr uint32_t MIN_CHAINLEN = 50;
constexpr uint32_t MAX_CHAINLEN = 80 - MIN_CHAINLEN;
constexpr int64_t GC_SCAN_INTERVAL_MAX = 60 * HZ;
constexpr int64_t GC_SCAN_INTERVAL_MIN = 1 * HZ;
constexpr int64_t GC_SCAN_INTERVAL_CLAMP = 300 * HZ;
constexpr int64_t GC_SCAN_INITIAL_COUNT = 100;
constexpr uint32_t GC_SCAN_EXPIRED_MAX = 64000u / HZ;

uint32_t
Jiffies(TimeNs now)
{
    return static_cast<uint32_t>(now / CT_JIFFY_NS);
}

bool
InAddrRange(Ipv4 a, const NatRange& r)
{
    return a >= r.minAddr && a <= r.maxAddr;
}

/// l4proto_in_range (source manip)
bool
PortInRange(uint16_t p, const NatRange& r)
{
    return p >= r.minPort && p <= r.maxPort;
}

/// nf_in_range: the tuple's source is inside the range
bool
NfInRange(const CtTuple& t, const NatRange& r)
{
    if ((r.flags & NatRange::MAP_IPS) && !InAddrRange(t.src, r))
    {
        return false;
    }
    if (!(r.flags & NatRange::PROTO_SPECIFIED))
    {
        return true;
    }
    return PortInRange(t.sport, r);
}

} // namespace

ConntrackTable::ConntrackTable(const ConntrackSysctls& sysctls,
                               RandomSource& random,
                               uint64_t secret)
    : m_sysctls(sysctls),
      m_random(random),
      m_secret(secret)
{
    Rehash();
}

void
ConntrackTable::SetSysctl(const std::string& name, const std::string& value)
{
    const int64_t buckets = m_sysctls.buckets;
    m_sysctls.Set(name, value);
    if (m_sysctls.buckets != buckets)
    {
        Rehash();
    }
}

void
ConntrackTable::Rehash()
{
    m_hash.assign(static_cast<size_t>(m_sysctls.buckets), NONE);
    m_bySource.assign(static_cast<size_t>(m_sysctls.buckets), NONE);
    for (uint32_t ref = 0; ref < m_entries.size(); ++ref)
    {
        Entry& e = m_entries[ref];
        if (e.proto == 0)
        {
            continue;
        }
        if (e.status & ST_CONFIRMED)
        {
            HashInsert(ref);
        }
        if (e.status & ST_SRC_NAT_DONE)
        {
            uint32_t& head = m_bySource[BySrcBucket(e.src, e.sport, e.proto)];
            e.nextBySrc = head;
            head = ref;
        }
    }
}

uint32_t
ConntrackTable::HashRaw(const CtTuple& t) const
{
    const uint64_t a = (static_cast<uint64_t>(t.src) << 32 | t.dst) ^ m_secret;
    const uint64_t b =
        static_cast<uint64_t>(t.sport) << 24 | static_cast<uint64_t>(t.dport) << 8 | t.proto;
    return static_cast<uint32_t>(Mix64(a ^ Mix64(b + m_secret)) >> 32);
}

uint32_t
ConntrackTable::Bucket(uint32_t hash) const
{
    return ReciprocalScale(hash, static_cast<uint32_t>(m_hash.size()));
}

uint32_t
ConntrackTable::BySrcBucket(Ipv4 src, uint16_t sport, uint8_t proto) const
{
    const uint64_t k =
        (static_cast<uint64_t>(src) << 32 | static_cast<uint64_t>(sport) << 8 | proto) ^ ~m_secret;
    return ReciprocalScale(static_cast<uint32_t>(Mix64(k) >> 32),
                           static_cast<uint32_t>(m_bySource.size()));
}

CtTuple
ConntrackTable::TupleOf(const Entry& e, CtDir dir) const
{
    if (dir == CtDir::ORIGINAL)
    {
        return CtTuple{e.src, e.dst, e.sport, e.dport, e.proto};
    }
    return CtTuple{e.dst, e.natAddr, e.dport, e.natPort, e.proto};
}

void
ConntrackTable::HashInsert(uint32_t ref)
{
    Entry& e = m_entries[ref];
    for (unsigned d = 0; d < 2; ++d)
    {
        const uint32_t node = ref << 1 | d;
        const uint32_t hash = HashRaw(TupleOf(e, static_cast<CtDir>(d)));
        uint32_t& head = m_hash[Bucket(hash)];
        m_links[node] = Link{head, hash}; // hlist_nulls_add_head
        head = node;
    }
}

void
ConntrackTable::Unlink(uint32_t& head, uint32_t node)
{
    for (uint32_t* link = &head; *link != NONE; link = &NextOf(*link))
    {
        if (*link == node)
        {
            *link = NextOf(node);
            NextOf(node) = NONE;
            return;
        }
    }
}

void
ConntrackTable::BySrcUnlink(uint32_t ref)
{
    const Entry& e = m_entries[ref];
    for (uint32_t* link = &m_bySource[BySrcBucket(e.src, e.sport, e.proto)]; *link != NONE;
         link = &m_entries[*link].nextBySrc)
    {
        if (*link == ref)
        {
            *link = m_entries[ref].nextBySrc;
            return;
        }
    }
}

void
ConntrackTable::Destroy(uint32_t ref)
{
    Entry& e = m_entries[ref];
    if (e.proto == 0)
    {
        return;
    }
    if ((e.status & ST_CONFIRMED) && m_onDestroy)
    {
        m_onDestroy(View(ref));
    }
    if (e.status & ST_CONFIRMED)
    {
        for (uint32_t node = ref << 1; node <= (ref << 1 | 1); ++node)
        {
            Unlink(m_hash[Bucket(m_links[node].hash)], node);
        }
    }
    if (e.status & ST_SRC_NAT_DONE)
    {
        BySrcUnlink(ref);
    }
    e = Entry{};
    m_free.push_back(ref);
    --m_count;
}

void
ConntrackTable::Kill(uint32_t ref)
{
    Destroy(ref);
}

void
ConntrackTable::Refresh(Entry& e, TimeNs now, TimeNs timeout)
{
    if (!(e.status & ST_FIXED_TIMEOUT))
    {
        e.expires = now + timeout;
    }
}

bool
ConntrackTable::Find(TimeNs now, const CtTuple& tuple, uint32_t& ref, CtDir& dir)
{
    const uint32_t hash = HashRaw(tuple);
    uint32_t& head = m_hash[Bucket(hash)];
restart:
    for (uint32_t node = head; node != NONE; node = NextOf(node))
    {
        const Entry& e = m_entries[node >> 1];
        if (Expired(e, now))
        {
            Destroy(node >> 1); // nf_ct_gc_expired
            goto restart;
        }
        if (m_links[node].hash == hash && TupleOf(e, static_cast<CtDir>(node & 1)) == tuple)
        {
            ref = node >> 1;
            dir = static_cast<CtDir>(node & 1);
            return true;
        }
    }
    return false;
}

bool
ConntrackTable::EarlyDrop(TimeNs now, uint32_t hash)
{
    const auto hsize = static_cast<uint32_t>(m_hash.size());
    uint32_t bucket = 0;
    for (int i = 0; i < NF_CT_EVICTION_RANGE; ++i)
    {
        bucket = i == 0 ? ReciprocalScale(hash, hsize) : (bucket + 1) % hsize;
        uint64_t drops = 0;
    restart: // early_drop_list
        for (uint32_t node = m_hash[bucket]; node != NONE; node = NextOf(node))
        {
            const uint32_t ref = node >> 1;
            const Entry& e = m_entries[ref];
            if (Expired(e, now))
            {
                Destroy(ref);
                goto restart;
            }
            if ((e.status & (ST_ASSURED | ST_DYING)) != 0)
            {
                continue;
            }
            Destroy(ref);
            ++drops;
            goto restart;
        }
        if (drops != 0)
        {
            m_counters.earlyDrop += drops;
            return true;
        }
    }
    return false;
}

uint32_t
ConntrackTable::InitConntrack(TimeNs now, const CtTuple& tuple)
{
    ++m_count; // __nf_conntrack_alloc counts first
    if (m_sysctls.max != 0 && m_count > static_cast<size_t>(m_sysctls.max))
    {
        if (!EarlyDrop(now, HashRaw(tuple)))
        {
            m_gcEarlyDrop = true;
            --m_count;
            return NONE; // "nf_conntrack: table full, dropping packet"
        }
    }
    const uint32_t ref = TakeFreeSlot(m_entries, m_free);
    if (m_links.size() < 2 * m_entries.size())
    {
        m_links.resize(2 * m_entries.capacity());
    }
    Entry& e = m_entries[ref];
    e = Entry{};
    e.src = tuple.src;
    e.dst = tuple.dst;
    e.sport = tuple.sport;
    e.dport = tuple.dport;
    e.natAddr = tuple.src;
    e.natPort = tuple.sport;
    e.proto = tuple.proto;
    e.expires = now;
    return ref;
}

ConntrackTable::L4Verdict
ConntrackTable::TcpPacket(TimeNs now, uint32_t ref, CtDir dir, const TcpSegment& seg)
{
    Entry& e = m_entries[ref];
    const auto d = static_cast<unsigned>(dir);
    const uint8_t index = GetConntrackIndex(seg);
    const uint8_t oldState = e.state;
    const bool isNew = !(e.status & ST_CONFIRMED) && oldState == sNO;
    uint8_t newState = TCP_CONNTRACKS[d][index][oldState];
    const uint8_t lastIndex = e.tcpFlags >> TF_LAST_INDEX_SHIFT;
    const unsigned lastDir = (e.tcpFlags & TF_LAST_DIR) ? 1 : 0;

    if (isNew) // tcp_new
    {
        if (newState >= sIV)
        {
            return L4Verdict::INVALID;
        }
        if (newState != sSS && m_sysctls.tcpLoose == 0)
        {
            return L4Verdict::INVALID;
        }
        e.aux = seg.End(); // seen[0].td_end
    }

    switch (newState)
    {
    case sSS:
        if (oldState < sTW)
        {
            break;
        }
        if ((e.tcpFlags & (TF_CLOSE_INIT_ORIG | TF_CLOSE_INIT_REPLY)) != 0 ||
            (lastDir == d && lastIndex == TCP_RST_SET))
        {
            Destroy(ref); // reopen: delete and look up again
            return L4Verdict::REPEAT;
        }
        [[fallthrough]];
    case sIG:
        e.tcpFlags =
            static_cast<uint8_t>((e.tcpFlags & (TF_CLOSE_INIT_ORIG | TF_CLOSE_INIT_REPLY)) |
                                 (d ? TF_LAST_DIR : 0) | index << TF_LAST_INDEX_SHIFT);
        return L4Verdict::ACCEPT; // ignored: state and timeout kept
    case sIV:
        return L4Verdict::INVALID;
    default:
        break;
    }

    // tcp_in_window is not modelled (as with be_liberal): the original direction's end moves on.
    if (dir == CtDir::ORIGINAL && static_cast<int32_t>(seg.End() - e.aux) > 0)
    {
        e.aux = seg.End();
    }
    e.tcpFlags = static_cast<uint8_t>((e.tcpFlags & (TF_CLOSE_INIT_ORIG | TF_CLOSE_INIT_REPLY)) |
                                      (d ? TF_LAST_DIR : 0) | index << TF_LAST_INDEX_SHIFT);
    e.state = newState;
    if (oldState != newState && newState == sFW)
    {
        e.tcpFlags |= d ? TF_CLOSE_INIT_REPLY : TF_CLOSE_INIT_ORIG;
    }
    TimeNs timeout = index == TCP_RST_SET ? m_sysctls.TcpTimeout(TcpCtState::CLOSE)
                                          : m_sysctls.TcpTimeout(static_cast<TcpCtState>(newState));
    if (!(e.status & ST_SEEN_REPLY))
    {
        if (seg.rst) // only reply is a RST: delete at once
        {
            Destroy(ref);
            return L4Verdict::KILLED;
        }
        if (index == TCP_SYN_SET && oldState == sSS)
        {
            return L4Verdict::ACCEPT; // do not renew timeout on SYN retransmit
        }
        const TimeNs unack = m_sysctls.tcpTimeoutUnacknowledged * NS_PER_SECOND;
        if (newState == sES && timeout > unack)
        {
            timeout = unack;
        }
    }
    else if (!(e.status & ST_ASSURED) && (oldState == sSR || oldState == sES) && newState == sES)
    {
        e.status |= ST_ASSURED;
    }
    Refresh(e, now, timeout);
    return L4Verdict::ACCEPT;
}

ConntrackTable::L4Verdict
ConntrackTable::UdpPacket(TimeNs now, uint32_t ref)
{
    Entry& e = m_entries[ref];
    if (!(e.status & ST_CONFIRMED))
    {
        e.aux = Jiffies(now) + 2 * HZ; // stream_ts
    }
    TimeNs extra = m_sysctls.udpTimeout * NS_PER_SECOND;
    if (e.status & ST_SEEN_REPLY)
    {
        bool stream = false;
        if (static_cast<int32_t>(e.aux - Jiffies(now)) < 0) // time_after(jiffies, stream_ts)
        {
            extra = m_sysctls.udpTimeoutStream * NS_PER_SECOND;
            stream = !(e.status & ST_ASSURED);
        }
        Refresh(e, now, extra);
        if (stream)
        {
            e.status |= ST_ASSURED;
        }
    }
    else
    {
        Refresh(e, now, extra);
    }
    return L4Verdict::ACCEPT;
}

ConntrackTable::Result
ConntrackTable::NfConntrackIn(TimeNs now, const CtTuple& tuple, const TcpSegment& seg)
{
    Result r;
    for (int repeat = 0; repeat < 4; ++repeat)
    {
        uint32_t ref = NONE;
        CtDir dir = CtDir::ORIGINAL;
        const bool found = Find(now, tuple, ref, dir);
        if (found)
        {
            const Entry& e = m_entries[ref];
            r.out = dir == CtDir::ORIGINAL ? TupleOf(e, CtDir::REPLY).Inverted()
                                           : TupleOf(e, CtDir::ORIGINAL).Inverted();
        }
        else
        {
            ref = InitConntrack(now, tuple);
            if (ref == NONE)
            {
                ++m_counters.drop;
                r.verdict = Verdict::DROP;
                r.reason = DropReason::TABLE_FULL;
                return r;
            }
            r.out = tuple;
        }
        const L4Verdict v =
            tuple.proto == CT_PROTO_TCP ? TcpPacket(now, ref, dir, seg) : UdpPacket(now, ref);
        switch (v)
        {
        case L4Verdict::REPEAT:
            continue;
        case L4Verdict::INVALID:
            if (!found)
            {
                Destroy(ref);
            }
            ++m_counters.invalid;
            r.verdict = Verdict::UNTRACKED;
            r.out = tuple;
            return r;
        case L4Verdict::KILLED:
            r.dir = dir;
            return r;
        case L4Verdict::ACCEPT:
            if (dir == CtDir::REPLY)
            {
                m_entries[ref].status |= ST_SEEN_REPLY;
            }
            r.ref = ref;
            r.dir = dir;
            r.created = !found;
            return r;
        }
    }
    ++m_counters.invalid;
    r.verdict = Verdict::UNTRACKED;
    r.out = tuple;
    return r;
}

ConntrackTable::Result
ConntrackTable::Forward(TimeNs now,
                        const CtTuple& tuple,
                        const TcpSegment& seg,
                        const NatRange* snat)
{
    Result r = NfConntrackIn(now, tuple, seg);
    if (r.verdict != Verdict::ACCEPT || !r.created)
    {
        return r;
    }
    if (snat != nullptr)
    {
        NfNatSetupInfo(now, r.ref, *snat);
    }
    else
    {
        NfNatAllocNullBinding(now, r.ref);
    }
    r.out = TupleOf(m_entries[r.ref], CtDir::REPLY).Inverted();
    if (!NfConntrackConfirm(now, r.ref))
    {
        r.verdict = Verdict::DROP;
        r.reason = DropReason::INSERT_FAILED;
        r.ref = NONE;
        r.created = false;
    }
    return r;
}

void
ConntrackTable::NfNatSetupInfo(TimeNs now, uint32_t ref, const NatRange& range)
{
    const CtTuple curr = TupleOf(m_entries[ref], CtDir::REPLY).Inverted();
    const CtTuple chosen = GetUniqueTuple(now, curr, range, ref);
    Entry& e = m_entries[ref];
    if (chosen != curr)
    {
        e.natAddr = chosen.src; // nf_conntrack_alter_reply
        e.natPort = chosen.sport;
        e.status |= ST_SRC_NAT;
    }
    uint32_t& head = m_bySource[BySrcBucket(e.src, e.sport, e.proto)];
    e.nextBySrc = head;
    head = ref;
    e.status |= ST_SRC_NAT_DONE;
}

void
ConntrackTable::NfNatAllocNullBinding(TimeNs now, uint32_t ref)
{
    const Ipv4 own = m_entries[ref].src;
    NatRange range;
    range.flags = NatRange::MAP_IPS;
    range.minAddr = own;
    range.maxAddr = own;
    NfNatSetupInfo(now, ref, range);
}

bool
ConntrackTable::NfConntrackConfirm(TimeNs now, uint32_t ref)
{
    (void)now;
    const Entry& e = m_entries[ref];
    const uint32_t maxChainLen = MIN_CHAINLEN + m_random.Below(MAX_CHAINLEN);
    uint32_t clash = NONE;
    for (unsigned d = 0; d < 2 && clash == NONE; ++d)
    {
        const CtTuple t = TupleOf(e, static_cast<CtDir>(d));
        const uint32_t hash = HashRaw(t);
        uint32_t chainLen = 0;
        for (uint32_t node = m_hash[Bucket(hash)]; node != NONE; node = NextOf(node))
        {
            // nf_ct_key_equal: confirmed entries only, expired or not
            if (m_links[node].hash == hash &&
                TupleOf(m_entries[node >> 1], static_cast<CtDir>(node & 1)) == t)
            {
                clash = node >> 1;
                break;
            }
            if (chainLen++ > maxChainLen)
            {
                ++m_counters.chainTooLong;
                ++m_counters.insertFailed;
                Destroy(ref);
                return false;
            }
        }
    }
    if (clash == NONE)
    {
        m_entries[ref].status |= ST_CONFIRMED;
        HashInsert(ref);
        return true;
    }
    // nf_ct_resolve_clash: only UDP (allow_clash) merges, and only the same flow
    const Entry& winner = m_entries[clash];
    if (e.proto == CT_PROTO_UDP && !(winner.status & ST_DYING) &&
        TupleOf(winner, CtDir::ORIGINAL) == TupleOf(e, CtDir::ORIGINAL) &&
        TupleOf(winner, CtDir::REPLY) == TupleOf(e, CtDir::REPLY))
    {
        ++m_counters.clashResolve;
        Destroy(ref);
        return false;
    }
    ++m_counters.drop;
    ++m_counters.insertFailed;
    Destroy(ref);
    return false;
}

uint32_t
ConntrackTable::FindTaken(TimeNs now, const CtTuple& tuple, uint32_t ignored)
{
    const uint32_t hash = HashRaw(tuple);
    uint32_t& head = m_hash[Bucket(hash)];
    const CtTuple ignoredOrig = TupleOf(m_entries[ignored], CtDir::ORIGINAL);
restart:
    for (uint32_t node = head; node != NONE; node = NextOf(node))
    {
        const uint32_t ref = node >> 1;
        if (ref == ignored)
        {
            continue;
        }
        const Entry& e = m_entries[ref];
        if (Expired(e, now))
        {
            Destroy(ref); // nf_ct_gc_expired
            goto restart;
        }
        if (m_links[node].hash == hash && TupleOf(e, static_cast<CtDir>(node & 1)) == tuple)
        {
            if (TupleOf(e, CtDir::ORIGINAL) == ignoredOrig)
            {
                continue; // same flow: left to clash resolution
            }
            ++m_counters.found;
            return ref;
        }
    }
    return NONE;
}

bool
ConntrackTable::NfNatUsedTuple(TimeNs now, const CtTuple& tuple, uint32_t ignored)
{
    return FindTaken(now, tuple.Inverted(), ignored) != NONE; // nf_conntrack_tuple_taken
}

bool
ConntrackTable::NfSeqHasAdvanced(uint32_t newTdEnd, uint32_t oldTdEnd)
{
    return static_cast<int32_t>(newTdEnd - oldTdEnd) > 0;
}

bool
ConntrackTable::NfNatUsedTupleHarder(TimeNs now,
                                     const CtTuple& tuple,
                                     uint32_t ignored,
                                     unsigned attemptsLeft)
{
    const Entry& self = m_entries[ignored];
    if (attemptsLeft > NF_NAT_HARDER_THRESH || tuple.proto != CT_PROTO_TCP || self.state != sSS)
    {
        return NfNatUsedTuple(now, tuple, ignored);
    }
    uint32_t ref = NONE;
    CtDir dir = CtDir::ORIGINAL;
    if (!Find(now, tuple.Inverted(), ref, dir)) // nf_conntrack_find_get
    {
        return false;
    }
    if (dir == CtDir::ORIGINAL || ref == ignored)
    {
        return true;
    }
    const Entry& old = m_entries[ref];
    // nf_nat_may_kill: TIME_WAIT or CLOSE, SNATed, not fixed-timeout or dying
    if (old.state < sTW || (old.status & (ST_FIXED_TIMEOUT | ST_DYING)) != 0 ||
        !(old.status & ST_SRC_NAT))
    {
        return true;
    }
    if (!NfSeqHasAdvanced(m_entries[ignored].aux, old.aux))
    {
        return true;
    }
    Destroy(ref); // nf_ct_kill
    return false;
}

bool
ConntrackTable::FindAppropriateSrc(const CtTuple& orig,
                                   CtTuple& result,
                                   const NatRange& range) const
{
    for (uint32_t ref = m_bySource[BySrcBucket(orig.src, orig.sport, orig.proto)]; ref != NONE;
         ref = m_entries[ref].nextBySrc)
    {
        const Entry& e = m_entries[ref];
        if (e.proto == orig.proto && e.src == orig.src && e.sport == orig.sport) // same_src
        {
            result = orig;
            result.src = e.natAddr;
            result.sport = e.natPort;
            if (NfInRange(result, range))
            {
                return true;
            }
        }
    }
    return false;
}

void
ConntrackTable::FindBestIpsProto(CtTuple& tuple, const NatRange& range)
{
    if (!(range.flags & NatRange::MAP_IPS))
    {
        return;
    }
    if (range.minAddr == range.maxAddr)
    {
        tuple.src = range.minAddr;
        return;
    }
    const uint32_t words[4] = {RawAddrWord(tuple.src), 0, 0, 0};
    const uint32_t j =
        Jhash2(words, 4, (range.flags & NatRange::PERSISTENT) ? 0 : RawAddrWord(tuple.dst));
    const uint32_t dist = range.maxAddr - range.minAddr + 1;
    tuple.src = range.minAddr + ReciprocalScale(j, dist);
}

void
ConntrackTable::NfNatL4protoUniqueTuple(TimeNs now,
                                        CtTuple& tuple,
                                        const NatRange& range,
                                        uint32_t ct)
{
    uint32_t min = 0;
    uint32_t rangeSize = 0;
    if (!(range.flags & NatRange::PROTO_SPECIFIED))
    {
        if (tuple.sport < 1024)
        {
            if (tuple.sport < 512)
            {
                min = 1;
                rangeSize = 511 - min + 1;
            }
            else
            {
                min = 600;
                rangeSize = 1023 - min + 1;
            }
        }
        else
        {
            min = 1024;
            rangeSize = 65535 - 1024 + 1;
        }
    }
    else
    {
        uint32_t lo = range.minPort;
        uint32_t hi = range.maxPort;
        if (hi < lo)
        {
            std::swap(lo, hi);
        }
        min = lo;
        rangeSize = hi - lo + 1;
    }
    auto off = static_cast<uint16_t>(m_random.NextU32()); // get_random_u16 (SNAT)
    uint32_t attempts = std::min(rangeSize, NF_NAT_MAX_ATTEMPTS);
    for (;;)
    {
        for (uint32_t i = 0; i < attempts; ++i, ++off)
        {
            tuple.sport = static_cast<uint16_t>(min + off % rangeSize);
            if (!NfNatUsedTupleHarder(now, tuple, ct, attempts - i))
            {
                return;
            }
        }
        if (attempts >= rangeSize || attempts < 16)
        {
            return;
        }
        attempts /= 2;
        off = static_cast<uint16_t>(m_random.NextU32());
    }
}

CtTuple
ConntrackTable::GetUniqueTuple(TimeNs now, const CtTuple& orig, const NatRange& range, uint32_t ct)
{
    CtTuple tuple = orig;
    if (!(range.flags & NatRange::PROTO_RANDOM_ALL))
    {
        if (NfInRange(orig, range))
        {
            if (!NfNatUsedTuple(now, orig, ct))
            {
                return orig;
            }
        }
        else if (FindAppropriateSrc(orig, tuple, range))
        {
            if (!NfNatUsedTuple(now, tuple, ct))
            {
                return tuple;
            }
        }
    }
    tuple = orig;
    FindBestIpsProto(tuple, range);
    if (!(range.flags & NatRange::PROTO_RANDOM_ALL))
    {
        if (range.flags & NatRange::PROTO_SPECIFIED)
        {
            if (PortInRange(tuple.sport, range) &&
                (range.minPort == range.maxPort || !NfNatUsedTuple(now, tuple, ct)))
            {
                return tuple;
            }
        }
        else if (!NfNatUsedTuple(now, tuple, ct))
        {
            return tuple;
        }
    }
    NfNatL4protoUniqueTuple(now, tuple, range, ct);
    return tuple;
}

TimeNs
ConntrackTable::GcWorker(TimeNs now)
{
    const auto hsize = static_cast<uint32_t>(m_hash.size());
    if (m_gcNextBucket == 0 || m_gcNextBucket >= hsize)
    {
        m_gcNextBucket = 0;
        m_gcAvgTimeout = GC_SCAN_INTERVAL_MAX;
        m_gcCount = GC_SCAN_INITIAL_COUNT;
        m_gcStart = now;
    }
    int64_t nextRun = m_gcAvgTimeout;
    int64_t count = m_gcCount;
    const size_t max95 = m_gcEarlyDrop ? static_cast<size_t>(m_sysctls.max / 100 * 95) : 0;
    uint32_t expiredCount = 0;
    for (uint32_t i = m_gcNextBucket; i < hsize; ++i)
    {
        uint32_t next = NONE;
        for (uint32_t node = m_hash[i]; node != NONE; node = next)
        {
            const uint32_t ref = node >> 1;
            const Entry& e = m_entries[ref];
            // deleting this entry unlinks both its nodes: step over its other one
            next = NextOf(node);
            if (next != NONE && (next >> 1) == ref)
            {
                next = NextOf(next);
            }
            if (expiredCount > GC_SCAN_EXPIRED_MAX)
            {
                m_gcNextBucket = i;
                m_gcAvgTimeout = nextRun;
                m_gcCount = count;
                const int64_t delta = (now - m_gcStart) / CT_JIFFY_NS;
                return (delta < GC_SCAN_INTERVAL_MAX ? 1 : 0) * CT_JIFFY_NS;
            }
            if (Expired(e, now))
            {
                Destroy(ref);
                ++expiredCount;
                continue;
            }
            int64_t expires = std::clamp<int64_t>((e.expires - now) / CT_JIFFY_NS,
                                                  GC_SCAN_INTERVAL_MIN,
                                                  GC_SCAN_INTERVAL_CLAMP);
            expires = (expires - nextRun) / ++count;
            nextRun += expires;
            if (max95 == 0 || m_count < max95)
            {
                continue;
            }
            const auto st = static_cast<TcpCtState>(e.state);
            const bool canEarlyDrop =
                !(e.status & ST_ASSURED) ||
                (e.proto == CT_PROTO_TCP &&
                 (st == TcpCtState::FIN_WAIT || st == TcpCtState::CLOSE_WAIT ||
                  st == TcpCtState::LAST_ACK || st == TcpCtState::TIME_WAIT ||
                  st == TcpCtState::CLOSE));
            if (canEarlyDrop)
            {
                Destroy(ref);
                ++expiredCount;
                continue;
            }
        }
    }
    m_gcNextBucket = 0;
    nextRun = std::clamp<int64_t>(nextRun, GC_SCAN_INTERVAL_MIN, GC_SCAN_INTERVAL_MAX);
    const int64_t delta = std::max<int64_t>((now - m_gcStart) / CT_JIFFY_NS, 1);
    nextRun = nextRun > delta ? nextRun - delta : 1;
    m_gcEarlyDrop = false;
    return nextRun * CT_JIFFY_NS;
}

ConntrackTable::EntryView
ConntrackTable::View(uint32_t ref) const
{
    const Entry& e = m_entries[ref];
    EntryView v;
    v.original = TupleOf(e, CtDir::ORIGINAL);
    v.reply = TupleOf(e, CtDir::REPLY);
    v.state = e.proto == CT_PROTO_TCP ? static_cast<TcpCtState>(e.state) : TcpCtState::NONE;
    v.seenReply = (e.status & ST_SEEN_REPLY) != 0;
    v.assured = (e.status & ST_ASSURED) != 0;
    v.srcNat = (e.status & ST_SRC_NAT) != 0;
    v.expires = e.expires;
    v.tdEnd = e.proto == CT_PROTO_TCP ? e.aux : 0;
    return v;
}

std::vector<ConntrackTable::EntryView>
ConntrackTable::Entries(TimeNs now)
{
    std::vector<EntryView> out;
    for (uint32_t ref = 0; ref < m_entries.size(); ++ref)
    {
        const Entry& e = m_entries[ref];
        if (e.proto == 0 || !(e.status & ST_CONFIRMED))
        {
            continue;
        }
        if (Expired(e, now))
        {
            Destroy(ref); // ctnetlink_dump_table evicts what it passes
            continue;
        }
        out.push_back(View(ref));
    }
    std::sort(out.begin(), out.end(), [](const EntryView& a, const EntryView& b) {
        return std::make_tuple(a.original.proto, a.original.ToString()) <
               std::make_tuple(b.original.proto, b.original.ToString());
    });
    return out;
}

std::string
ConntrackTable::Snapshot(TimeNs now)
{
    std::string text;
    auto tuple = [](const CtTuple& t) {
        return "src=" + FormatIpv4(t.src) + " dst=" + FormatIpv4(t.dst) +
               " sport=" + std::to_string(t.sport) + " dport=" + std::to_string(t.dport) + " ";
    };
    for (const EntryView& v : Entries(now))
    {
        const bool tcp = v.original.proto == CT_PROTO_TCP;
        std::string proto = tcp ? "tcp" : "udp";
        proto.resize(8, ' ');
        text += proto + " " + std::to_string(v.original.proto) + " " +
                std::to_string((v.expires - now) / NS_PER_SECOND) + " ";
        if (tcp)
        {
            text += std::string(TcpCtStateName(v.state)) + " ";
        }
        text += tuple(v.original);
        if (!v.seenReply)
        {
            text += "[UNREPLIED] ";
        }
        text += tuple(v.reply);
        if (v.assured)
        {
            text += "[ASSURED] ";
        }
        text += "mark=0 use=1\n";
    }
    return text;
}

size_t
ConntrackTable::MemoryBytes() const
{
    return m_entries.capacity() * sizeof(Entry) + m_links.capacity() * sizeof(Link) +
           m_free.capacity() * sizeof(uint32_t) +
           (m_hash.capacity() + m_bySource.capacity()) * sizeof(uint32_t);
}

} // namespace portlab
