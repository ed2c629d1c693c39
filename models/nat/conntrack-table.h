/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_CONNTRACK_TABLE_H
#define PORTLAB_CONNTRACK_TABLE_H

#include "nat/conntrack-sysctls.h"
#include "nat/conntrack-types.h"
#include "ports/huge-page-allocator.h"
#include "ports/random-source.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-nat
 * \brief One network namespace's connection tracking table with source NAT, as Linux 6.18's
 * nf_conntrack and nf_nat do it.
 *
 * Each entry holds an ORIGINAL tuple (as the first packet went) and a REPLY tuple (what the
 * answer must look like; SNAT rewrites its destination). Like the kernel the table is a hash of
 * nf_conntrack_buckets chains holding both tuples of every confirmed entry, plus the NAT's
 * by-source hash; expired entries stay (and count against nf_conntrack_max) until a lookup
 * walks over them, GcWorker() runs or a dump (Entries(), Snapshot()) passes. An entry is 40
 * bytes, plus 16 bytes of chain links (next node and hash, per tuple) and 8 bytes of bucket
 * heads when nf_conntrack_buckets equals the number of entries (Linux's default ratio); a
 * chain walk compares stored hashes and reads only the matching entry.
 *
 * Per packet (what a gateway calls): Forward() = NfConntrackIn (find or create, TCP/UDP state
 * machine) + NfNatSetupInfo or NfNatAllocNullBinding for a new flow + NfConntrackConfirm. Time
 * is an explicit argument in nanoseconds; randomness (port search offsets, chain limits) comes
 * from the injected RandomSource, so the same seed gives the same table.
 */
class ConntrackTable
{
  public:
    /// No entry.
    static constexpr uint32_t NONE = UINT32_MAX;

    /// What happens to a packet.
    enum class Verdict : uint8_t
    {
        ACCEPT,    //!< tracked (and translated): forward Result::out
        DROP,      //!< dropped (Result::reason says why)
        UNTRACKED, //!< invalid for conntrack (-NF_ACCEPT): passes untouched, no entry
    };

    /// Why a packet was dropped.
    enum class DropReason : uint8_t
    {
        NONE,          //!< not dropped
        TABLE_FULL,    //!< nf_conntrack_max reached and early_drop found no victim
        INSERT_FAILED, //!< confirm found the tuple taken (NAT found no unique tuple)
    };

    /// The outcome of one packet.
    struct Result
    {
        Verdict verdict{Verdict::ACCEPT};    //!< what to do with the packet
        DropReason reason{DropReason::NONE}; //!< why it was dropped
        uint32_t ref{NONE};                  //!< the entry (NONE if none or already deleted)
        CtDir dir{CtDir::ORIGINAL};          //!< the packet's direction in the entry
        bool created{false};                 //!< a new entry was created (and confirmed)
        CtTuple out;                         //!< the packet's tuple after NAT
    };

    /// A read-only view of an entry.
    struct EntryView
    {
        CtTuple original;                   //!< ORIGINAL tuple
        CtTuple reply;                      //!< REPLY tuple
        TcpCtState state{TcpCtState::NONE}; //!< TCP state (NONE for UDP)
        bool seenReply{false};              //!< IPS_SEEN_REPLY (else [UNREPLIED])
        bool assured{false};                //!< IPS_ASSURED
        bool srcNat{false};                 //!< IPS_SRC_NAT (the NAT changed the tuple)
        TimeNs expires{0};                  //!< when it times out
        uint32_t tdEnd{0};                  //!< TCP: highest original-direction sequence end
    };

    /**
     * \param sysctls the settings (nf_conntrack_buckets sizes the hash)
     * \param random the random source (get_random_u16 for port search, chain limits)
     * \param secret the hash key (Linux: random per boot)
     */
    ConntrackTable(const ConntrackSysctls& sysctls, RandomSource& random, uint64_t secret);

    /**
     * \brief Have \p callback told of every confirmed entry the table deletes (expired and
     * reaped, evicted, killed, dumped): what a gateway's "mapping destroyed" trace reports.
     * \param callback called with the entry's view just before it goes; empty for none
     */
    void SetDestroyCallback(std::function<void(const EntryView&)> callback)
    {
        m_onDestroy = std::move(callback);
    }

    /// \return the settings
    const ConntrackSysctls& Sysctls() const
    {
        return m_sysctls;
    }

    /**
     * \brief Change a setting (ConntrackSysctls::Set); a new nf_conntrack_buckets rehashes.
     * \param name the setting \param value its value \throws SysctlError
     */
    void SetSysctl(const std::string& name, const std::string& value);

    /**
     * \brief One forwarded packet through PREROUTING conntrack, POSTROUTING SNAT and confirm.
     * \param now the time
     * \param tuple the packet's tuple as it arrived
     * \param seg its TCP flags and sequence (ignored for UDP)
     * \param snat the SNAT/masquerade rule it matches on egress, nullptr for none (a new flow
     *        then gets a null binding: its source kept unless that clashes)
     * \return the verdict and the translated tuple
     */
    Result Forward(TimeNs now, const CtTuple& tuple, const TcpSegment& seg, const NatRange* snat);

    /**
     * \brief nf_conntrack_in: find the packet's entry (reaping expired ones on the way) or
     * create an unconfirmed one (full table: early_drop), and run the protocol's state machine
     * (a SYN on a closed entry deletes it and looks up again, -NF_REPEAT).
     * \param now the time \param tuple the packet's tuple \param seg its TCP part
     * \return verdict, entry and direction; out is the translation of an existing entry
     */
    Result NfConntrackIn(TimeNs now, const CtTuple& tuple, const TcpSegment& seg);

    /**
     * \brief nf_nat_setup_info for SNAT: choose the tuple (GetUniqueTuple), rewrite the REPLY
     * tuple, set IPS_SRC_NAT if it changed, add the entry to the by-source hash.
     * \param now the time \param ref an unconfirmed entry \param range the rule's range
     */
    void NfNatSetupInfo(TimeNs now, uint32_t ref, const NatRange& range);

    /// \brief nf_nat_alloc_null_binding: SNAT to the entry's own source address.
    /// \param now the time \param ref an unconfirmed entry
    void NfNatAllocNullBinding(TimeNs now, uint32_t ref);

    /**
     * \brief __nf_conntrack_confirm: insert both tuples, or fail if either is taken (TCP and
     * different UDP flows: drop and insert_failed; the same UDP flow: merged, clash_resolve)
     * or a chain is too long (chaintoolong). A failed entry is deleted.
     * \param now the time \param ref an unconfirmed entry \return true if inserted
     */
    bool NfConntrackConfirm(TimeNs now, uint32_t ref);

    /**
     * \brief get_unique_tuple (SNAT): keep the original tuple or an existing mapping of the
     * same source, else pick the address (FindBestIpsProto), keep the port if unused, else
     * search (NfNatL4protoUniqueTuple).
     * \param now the time \param orig the ORIGINAL tuple \param range the rule's range
     * \param ct the entry being set up \return the new ORIGINAL-side tuple (source rewritten)
     */
    CtTuple GetUniqueTuple(TimeNs now, const CtTuple& orig, const NatRange& range, uint32_t ct);

    /**
     * \brief nf_nat_used_tuple: is the candidate's REPLY tuple (its inverse) already held by
     * another live entry? (nf_conntrack_tuple_taken: skips \p ignored, reaps expired entries,
     * ignores an entry of the same flow.)
     * \param now the time \param tuple candidate ORIGINAL-side tuple \param ignored the entry
     * being set up \return true if taken
     */
    bool NfNatUsedTuple(TimeNs now, const CtTuple& tuple, uint32_t ignored);

    /**
     * \brief nf_nat_used_tuple_harder: in a round's last 32 probes, for a TCP entry in
     * SYN_SENT, evict a REPLY-direction holder in TIME_WAIT/CLOSE with IPS_SRC_NAT whose
     * sequence the new SYN has passed (NfSeqHasAdvanced), and report the tuple free.
     * \param now the time \param tuple candidate \param ignored the entry being set up
     * \param attemptsLeft probes left in this round \return true if taken
     */
    bool NfNatUsedTupleHarder(TimeNs now,
                              const CtTuple& tuple,
                              uint32_t ignored,
                              unsigned attemptsLeft);

    /**
     * \brief nf_seq_has_advanced: (s32)(new td_end - old td_end) > 0.
     * \param newTdEnd the new entry's original-direction end (ISN + 1)
     * \param oldTdEnd the old entry's \return true if the new is after the old
     */
    static bool NfSeqHasAdvanced(uint32_t newTdEnd, uint32_t oldTdEnd);

    /**
     * \brief find_appropriate_src: an entry of the same (proto, source address, source port)
     * in the by-source hash whose NAT address:port is in \p range gives its mapping.
     * \param orig the ORIGINAL tuple \param result set to the mapping towards orig's destination
     * \param range the rule's range \return true if found
     */
    bool FindAppropriateSrc(const CtTuple& orig, CtTuple& result, const NatRange& range) const;

    /**
     * \brief find_best_ips_proto (IPv4, SNAT): one address, or with several
     * min + ((u64)jhash2(source, persistent ? 0 : destination) * count >> 32).
     * \param tuple its source address is set \param range the rule's range
     */
    static void FindBestIpsProto(CtTuple& tuple, const NatRange& range);

    /**
     * \brief nf_nat_l4proto_unique_tuple: probe min + (off + i) % size from a random off
     * (get_random_u16), rounds of min(size,128) then halving to 16 with a new off, each probe
     * NfNatUsedTupleHarder; without a port range the original port's class (1-511, 600-1023,
     * 1024-65535). Nothing free: the last probe is left (confirm then fails).
     * \param now the time \param tuple its source port is set \param range the rule's range
     * \param ct the entry being set up
     */
    void NfNatL4protoUniqueTuple(TimeNs now, CtTuple& tuple, const NatRange& range, uint32_t ct);

    /**
     * \brief ____nf_conntrack_find: the confirmed entry holding \p tuple in either direction;
     * expired entries met in its chain are reaped.
     * \param now the time \param tuple the tuple \param ref set to the entry
     * \param dir set to the direction \return true if found
     */
    bool Find(TimeNs now, const CtTuple& tuple, uint32_t& ref, CtDir& dir);

    /// \brief nf_ct_kill: delete an entry now. \param ref the entry
    void Kill(uint32_t ref);

    /**
     * \brief One run of gc_worker: reap expired entries (at most 256 per run, then it asks to
     * run again a jiffy later), and, if a full table asked for it, early-drop non-ASSURED and
     * closing entries while the count is >= 95% of nf_conntrack_max (max / 100 * 95).
     * \param now the time
     * \return the delay until the next run (1 to 60 s from the average remaining timeout)
     */
    TimeNs GcWorker(TimeNs now);

    /// \return nf_conntrack_count: entries, including expired ones not yet reaped
    size_t Count() const
    {
        return m_count;
    }

    /// \return the conntrack -S counters
    const CtCounters& Counters() const
    {
        return m_counters;
    }

    /// \param ref an entry \return its view
    EntryView View(uint32_t ref) const;

    /**
     * \brief What `conntrack -L` shows: the live entries, sorted by protocol and ORIGINAL
     * tuple; like a ctnetlink dump it reaps the expired entries it passes.
     * \param now the time \return the entries
     */
    std::vector<EntryView> Entries(TimeNs now);

    /**
     * \brief `conntrack -L` as text, one line per entry in Linux's format ("tcp      6 431999
     * ESTABLISHED src=... [ASSURED] mark=0 use=1"), reaping as Entries() does.
     * \param now the time \return the lines
     */
    std::string Snapshot(TimeNs now);

    /// \return bytes held by entries, free-slot list and both hashes' bucket heads
    size_t MemoryBytes() const;

    /// Bytes of one entry.
    static constexpr size_t ENTRY_BYTES = 40;

  private:
    /// One entry (struct nf_conn reduced to what the rules read): 40 bytes.
    struct Entry
    {
        TimeNs expires{0};        //!< absolute timeout
        Ipv4 src{0};              //!< ORIGINAL source
        Ipv4 dst{0};              //!< ORIGINAL destination
        Ipv4 natAddr{0};          //!< REPLY destination (the NAT address)
        uint32_t aux{0};          //!< TCP: seen[0].td_end; UDP: stream_ts in jiffies
        uint32_t nextBySrc{NONE}; //!< by-source chain link
        uint16_t sport{0};        //!< ORIGINAL source port
        uint16_t dport{0};        //!< ORIGINAL destination port
        uint16_t natPort{0};      //!< REPLY destination port
        uint8_t proto{0};         //!< protocol, 0 for a free slot
        uint8_t state{0};         //!< TcpCtState
        uint8_t status{0};        //!< ST_* bits
        uint8_t tcpFlags{0};      //!< CLOSE_INIT per direction, last_dir, last_index
    };

    static_assert(sizeof(Entry) == ENTRY_BYTES, "a conntrack entry is 40 bytes");

    static constexpr uint8_t ST_SEEN_REPLY = 1 << 0;    //!< IPS_SEEN_REPLY
    static constexpr uint8_t ST_ASSURED = 1 << 1;       //!< IPS_ASSURED
    static constexpr uint8_t ST_CONFIRMED = 1 << 2;     //!< IPS_CONFIRMED (in the hash)
    static constexpr uint8_t ST_SRC_NAT = 1 << 3;       //!< IPS_SRC_NAT
    static constexpr uint8_t ST_SRC_NAT_DONE = 1 << 4;  //!< IPS_SRC_NAT_DONE (in by-source)
    static constexpr uint8_t ST_DYING = 1 << 5;         //!< IPS_DYING
    static constexpr uint8_t ST_FIXED_TIMEOUT = 1 << 6; //!< IPS_FIXED_TIMEOUT

    /// What the protocol's packet handler decided.
    enum class L4Verdict : uint8_t
    {
        ACCEPT,  //!< tracked
        KILLED,  //!< tracked, and the entry deleted (RST answering a SYN)
        INVALID, //!< -NF_ACCEPT
        REPEAT,  //!< -NF_REPEAT: entry deleted, look up again
    };

    L4Verdict TcpPacket(TimeNs now, uint32_t ref, CtDir dir, const TcpSegment& seg);
    L4Verdict UdpPacket(TimeNs now, uint32_t ref);
    uint32_t InitConntrack(TimeNs now, const CtTuple& tuple);
    bool EarlyDrop(TimeNs now, uint32_t hash);
    void Destroy(uint32_t ref);

    bool Expired(const Entry& e, TimeNs now) const
    {
        return e.expires <= now;
    }

    void Refresh(Entry& e, TimeNs now, TimeNs timeout);
    CtTuple TupleOf(const Entry& e, CtDir dir) const;
    uint32_t HashRaw(const CtTuple& t) const;
    uint32_t Bucket(uint32_t hash) const;
    uint32_t BySrcBucket(Ipv4 src, uint16_t sport, uint8_t proto) const;
    void HashInsert(uint32_t ref);
    void Unlink(uint32_t& head, uint32_t node);
    void BySrcUnlink(uint32_t ref);

    uint32_t& NextOf(uint32_t node)
    {
        return m_links[node].next;
    }

    /// A tuple's place in its hash chain: the next node and the tuple's hash, kept apart from
    /// the entries so a chain walk reads an entry only when the hashes match.
    struct Link
    {
        uint32_t next{NONE}; //!< next node in the bucket
        uint32_t hash{0};    //!< HashRaw of this node's tuple
    };

    uint32_t FindTaken(TimeNs now, const CtTuple& tuple, uint32_t ignored);
    void Rehash();

    ConntrackSysctls m_sysctls;                             //!< settings
    RandomSource& m_random;                                 //!< get_random_*
    uint64_t m_secret;                                      //!< hash key
    std::vector<Entry, HugePageAllocator<Entry>> m_entries; //!< entries by reference
    std::vector<Link, HugePageAllocator<Link>> m_links;     //!< per node (ref << 1 | dir)
    std::vector<uint32_t> m_free;                           //!< free references
    std::vector<uint32_t, HugePageAllocator<uint32_t>>
        m_hash; //!< bucket heads: node = ref << 1 | dir
    std::vector<uint32_t, HugePageAllocator<uint32_t>> m_bySource; //!< by-source bucket heads: ref
    size_t m_count{0};                                             //!< nf_conntrack_count
    CtCounters m_counters;                                         //!< conntrack -S
    bool m_gcEarlyDrop{false};                                     //!< conntrack_gc_work.early_drop
    uint32_t m_gcNextBucket{0}; //!< where the interrupted gc run resumes
    int64_t m_gcAvgTimeout{0};  //!< gc_work.avg_timeout (jiffies)
    int64_t m_gcCount{0};       //!< gc_work.count
    TimeNs m_gcStart{0};        //!< gc_work.start_time

    std::function<void(const EntryView&)> m_onDestroy; //!< told of deleted confirmed entries
};

} // namespace portlab

#endif // PORTLAB_CONNTRACK_TABLE_H
