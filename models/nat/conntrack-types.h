/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_CONNTRACK_TYPES_H
#define PORTLAB_CONNTRACK_TYPES_H

#include "ports/port-types.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace portlab
{

/// One jiffy of the recorded kernel (CONFIG_HZ=250): conntrack's clock tick.
constexpr TimeNs CT_JIFFY_NS = 4 * NS_PER_MS;

/// IPPROTO_TCP.
constexpr uint8_t CT_PROTO_TCP = 6;
/// IPPROTO_UDP.
constexpr uint8_t CT_PROTO_UDP = 17;

/**
 * \ingroup portlab-nat
 * \brief A conntrack tuple (struct nf_conntrack_tuple, IPv4): protocol, source and destination.
 */
struct CtTuple
{
    Ipv4 src{0};       //!< source address
    Ipv4 dst{0};       //!< destination address
    uint16_t sport{0}; //!< source port
    uint16_t dport{0}; //!< destination port
    uint8_t proto{0};  //!< CT_PROTO_TCP or CT_PROTO_UDP

    /// \param o another tuple \return true if all five fields are equal (nf_ct_tuple_equal)
    bool operator==(const CtTuple& o) const
    {
        return src == o.src && dst == o.dst && sport == o.sport && dport == o.dport &&
               proto == o.proto;
    }

    /// \param o another tuple \return true if any field differs
    bool operator!=(const CtTuple& o) const
    {
        return !(*this == o);
    }

    /// \return the tuple an answer carries (nf_ct_invert_tuple): source and destination swapped
    CtTuple Inverted() const
    {
        return CtTuple{dst, src, dport, sport, proto};
    }

    /// \return "10.1.0.2:4000>10.2.0.2:80" (as nat_probe.py writes an original tuple)
    std::string ToString() const;
};

/**
 * \ingroup portlab-nat
 * \brief A direction of a conntrack entry (enum ip_conntrack_dir).
 */
enum class CtDir : uint8_t
{
    ORIGINAL = 0, //!< as the first packet went
    REPLY = 1,    //!< the answer
};

/**
 * \ingroup portlab-nat
 * \brief TCP conntrack states (enum tcp_conntrack), in the kernel's order: nf_nat_may_kill
 * compares them (state >= TIME_WAIT).
 */
enum class TcpCtState : uint8_t
{
    NONE = 0,        //!< no state yet
    SYN_SENT = 1,    //!< SYN seen in the original direction
    SYN_RECV = 2,    //!< SYN-ACK seen
    ESTABLISHED = 3, //!< ACK of the SYN-ACK seen
    FIN_WAIT = 4,    //!< a FIN seen
    CLOSE_WAIT = 5,  //!< the FIN acknowledged
    LAST_ACK = 6,    //!< FINs seen in both directions
    TIME_WAIT = 7,   //!< last ACK seen
    CLOSE = 8,       //!< RST seen
    SYN_SENT2 = 9,   //!< simultaneous open (TCP_CONNTRACK_LISTEN's slot)
    MAX = 10,        //!< sIV in the transition table: invalid packet
    IGNORE = 11,     //!< sIG: packet ignored, state kept
};

/// \param s a state \return its name as conntrack -L prints it ("ESTABLISHED")
const char* TcpCtStateName(TcpCtState s);

/**
 * \ingroup portlab-nat
 * \brief What conntrack needs of a TCP segment: its flags, sequence numbers and length.
 */
struct TcpSegment
{
    bool syn{false};     //!< SYN flag
    bool ack{false};     //!< ACK flag
    bool fin{false};     //!< FIN flag
    bool rst{false};     //!< RST flag
    uint32_t seq{0};     //!< sequence number
    uint32_t ackSeq{0};  //!< acknowledgment number
    uint32_t payload{0}; //!< payload bytes

    /// \return seq + payload + SYN + FIN (segment_seq_plus_len: the sequence end)
    uint32_t End() const
    {
        return seq + payload + (syn ? 1u : 0u) + (fin ? 1u : 0u);
    }
};

/**
 * \ingroup portlab-nat
 * \brief A NAT rule's range (struct nf_nat_range2, IPv4): addresses, ports and flags, as
 * `snat to A1-A2:P1-P2 [random|fully-random|persistent]` or masquerade give it.
 */
struct NatRange
{
    /// NF_NAT_RANGE_MAP_IPS: addresses given (masquerade always sets it).
    static constexpr uint8_t MAP_IPS = 1 << 0;
    /// NF_NAT_RANGE_PROTO_SPECIFIED: a port range given.
    static constexpr uint8_t PROTO_SPECIFIED = 1 << 1;
    /// NF_NAT_RANGE_PROTO_RANDOM: `random`.
    static constexpr uint8_t PROTO_RANDOM = 1 << 2;
    /// NF_NAT_RANGE_PERSISTENT: `persistent`.
    static constexpr uint8_t PERSISTENT = 1 << 3;
    /// NF_NAT_RANGE_PROTO_RANDOM_FULLY: `fully-random`.
    static constexpr uint8_t PROTO_RANDOM_FULLY = 1 << 4;
    /// NF_NAT_RANGE_PROTO_RANDOM_ALL: either random flag.
    static constexpr uint8_t PROTO_RANDOM_ALL = PROTO_RANDOM | PROTO_RANDOM_FULLY;

    uint8_t flags{0};    //!< the NF_NAT_RANGE_* flags above
    Ipv4 minAddr{0};     //!< first address (with MAP_IPS)
    Ipv4 maxAddr{0};     //!< last address (with MAP_IPS)
    uint16_t minPort{0}; //!< first port (with PROTO_SPECIFIED)
    uint16_t maxPort{0}; //!< last port (with PROTO_SPECIFIED)

    /**
     * \brief `masquerade [to :P1-P2] [flags]` leaving through an interface whose address is
     * \p outAddr (nf_nat_masquerade_ipv4: the range's addresses become that address).
     * \param outAddr the outgoing interface's address
     * \param minPort first port, 0 for no port range
     * \param maxPort last port, 0 for no port range
     * \param extraFlags PROTO_RANDOM, PROTO_RANDOM_FULLY and/or PERSISTENT
     * \return the range
     */
    static NatRange Masquerade(Ipv4 outAddr,
                               uint16_t minPort = 0,
                               uint16_t maxPort = 0,
                               uint8_t extraFlags = 0);

    /**
     * \brief `snat to A1-A2[:P1-P2] [flags]`.
     * \param minAddr first address \param maxAddr last address
     * \param minPort first port, 0 for no port range \param maxPort last port
     * \param extraFlags PROTO_RANDOM, PROTO_RANDOM_FULLY and/or PERSISTENT
     * \return the range
     */
    static NatRange Snat(Ipv4 minAddr,
                         Ipv4 maxAddr,
                         uint16_t minPort = 0,
                         uint16_t maxPort = 0,
                         uint8_t extraFlags = 0);
};

/**
 * \ingroup portlab-nat
 * \brief The per-namespace statistics `conntrack -S` prints (struct ip_conntrack_stat).
 */
struct CtCounters
{
    uint64_t found{0};         //!< nf_conntrack_tuple_taken found the tuple in use
    uint64_t invalid{0};       //!< packets conntrack could not track
    uint64_t insert{0};        //!< ctnetlink inserts (0 for forwarded traffic)
    uint64_t insertFailed{0};  //!< confirm found a clash (insert_failed)
    uint64_t drop{0};          //!< packets dropped (table full, insert failure)
    uint64_t earlyDrop{0};     //!< entries freed by early_drop to make room
    uint64_t error{0};         //!< ICMP errors (never counted here)
    uint64_t searchRestart{0}; //!< lookups restarted (never counted here: no concurrency)
    uint64_t clashResolve{0};  //!< UDP clashes merged (clash_resolve)
    uint64_t chainTooLong{0};  //!< inserts refused for a too long hash chain (chaintoolong)

    /// \return one line as `conntrack -S` prints a CPU's: "cpu=0 found=0 invalid=0 ..."
    std::string ToString() const;
};

/**
 * \ingroup portlab-nat
 * \brief Linux's jhash2 (lookup3 by Bob Jenkins, include/linux/jhash.h), bit for bit.
 * \param k the 32-bit words
 * \param length how many
 * \param initval the seed
 * \return the hash
 */
uint32_t Jhash2(const uint32_t* k, size_t length, uint32_t initval);

/**
 * \ingroup portlab-nat
 * \brief An IPv4 address as the kernel's u32 view of its network-order bytes on a
 * little-endian machine (what jhash2 over a union nf_inet_addr reads).
 * \param a an address in host order (10.1.0.2 == 0x0a010002)
 * \return the raw word (0x0200010a)
 */
inline uint32_t
RawAddrWord(Ipv4 a)
{
    return __builtin_bswap32(a);
}

} // namespace portlab

#endif // PORTLAB_CONNTRACK_TYPES_H
