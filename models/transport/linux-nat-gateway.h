/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_LINUX_NAT_GATEWAY_H
#define PORTLAB_LINUX_NAT_GATEWAY_H

#include "ipv4/ipv4-netfilter.h"
#include "nat/conntrack-table.h"

#include "ns3/event-id.h"
#include "ns3/ipv4-address.h"
#include "ns3/ipv4.h"
#include "ns3/nstime.h"
#include "ns3/random-variable-stream.h"
#include "ns3/traced-callback.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup portlab-transport
 * \brief One source NAT rule of a gateway's POSTROUTING chain, as nftables writes it:
 * `oifname IF [ip saddr NET] meta l4proto P (masquerade | snat to A1-A2)[ to :P1-P2] [flags]`.
 */
struct LinuxNatRule
{
    int32_t outInterface{-1};                  //!< IPv4 interface packets leave through; -1: any
    uint8_t protocol{0};                       //!< 6 (tcp), 17 (udp) or 0 for both
    Ipv4Address source{Ipv4Address::GetAny()}; //!< `ip saddr` network
    Ipv4Mask sourceMask{Ipv4Mask::GetZero()};  //!< its mask (0: any source)
    bool masquerade{true};                     //!< masquerade (the out interface's first address)
    Ipv4Address minAddress;                    //!< snat: first address
    Ipv4Address maxAddress;                    //!< snat: last address
    uint16_t minPort{0};                       //!< first port, 0 for no port range
    uint16_t maxPort{0};                       //!< last port
    uint8_t flags{0}; //!< portlab::NatRange::PROTO_RANDOM, PROTO_RANDOM_FULLY, PERSISTENT
};

/**
 * \ingroup portlab-transport
 * \brief A Linux gateway's connection tracking and source NAT on an ns-3 node (netfilter's
 * nf_conntrack and nf_nat, with nftables SNAT/MASQUERADE rules in POSTROUTING).
 *
 * Installed by LinuxNatHelper as the node's Ipv4Netfilter, on a node that forwards
 * (net.ipv4.ip_forward=1). Every TCP and UDP datagram the node receives goes through
 * portlab::ConntrackTable::Forward() before routing: a forwarded datagram of a new flow gets
 * the first rule matching its output interface, protocol and source (nf_nat_setup_info), a
 * datagram for this node or of its own sockets a null binding (its tuple kept unless that
 * clashes, so the gateway's own connections and the NAT mappings never share a 4-tuple), and
 * answers are translated back (the REPLY tuple's lookup). Addresses, ports and checksums are
 * rewritten as the table decides. A datagram the table refuses (no free tuple: insert_failed;
 * nf_conntrack_max reached: drop) is dropped silently, as Linux drops it. Time is the
 * simulator's clock; entries expire lazily and a gc worker runs at the cadence
 * ConntrackTable::GcWorker() asks for while the table holds entries.
 */
class LinuxNatGateway : public Ipv4Netfilter
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    LinuxNatGateway();
    ~LinuxNatGateway() override;

    /**
     * TracedCallback signature of a mapping (conntrack entry) created or destroyed.
     * \param original the ORIGINAL tuple (as the first packet went)
     * \param reply the REPLY tuple (its destination is the NAT address and port)
     */
    typedef void (*MappingCallback)(const portlab::CtTuple& original,
                                    const portlab::CtTuple& reply);

    /**
     * TracedCallback signature of a dropped datagram.
     * \param tuple the datagram's tuple as it arrived
     */
    typedef void (*DropCallback)(const portlab::CtTuple& tuple);

    /// \param ipv4 the node's IPv4 (LinuxIpv4L3Protocol), for routing lookups and addresses
    void SetIpv4(Ptr<Ipv4> ipv4);

    /// \brief Append a rule to POSTROUTING (first match wins). \param rule the rule
    void AddRule(const LinuxNatRule& rule);

    /// \return the rules, in order
    const std::vector<LinuxNatRule>& Rules() const
    {
        return m_rules;
    }

    /**
     * \brief A conntrack setting under its Linux name (net.netfilter.nf_conntrack_*).
     * \param name the name \param value its value
     * \throws portlab::SysctlError for an unknown name or a value out of range
     */
    void SetSysctl(const std::string& name, const std::string& value);

    /// \return the conntrack table (made at the first use)
    portlab::ConntrackTable& Table();

    /// \return the counters `conntrack -S` shows
    const portlab::CtCounters& Counters();

    /// \return `conntrack -L` now (reaps the expired entries it passes, as a dump does)
    std::string Snapshot();

    /// \return nf_conntrack_count now (expired entries not yet reaped included)
    size_t Count();

    /**
     * \param stream first random stream index \return streams used (1)
     */
    int64_t AssignStreams(int64_t stream);

    // Ipv4Netfilter
    bool Received(Ptr<Packet> payload, Ipv4Header& ip, uint32_t iif) override;
    bool LocalOut(Ptr<Packet> payload,
                  Ipv4Address& source,
                  Ipv4Address destination,
                  uint8_t protocol) override;

  protected:
    /// ns3::Object::DoDispose(): cancels the gc worker.
    void DoDispose() override;

  private:
    /**
     * \brief The first rule a new flow leaving through \p oif matches, as a NAT range.
     * \param t the flow's tuple \param oif output interface \param range set to the range
     * \return whether a rule matched
     */
    bool MatchRule(const portlab::CtTuple& t, int32_t oif, portlab::NatRange& range) const;

    /**
     * \brief One datagram through the table; rewrites it as the table translates it.
     * \param payload the segment or datagram \param src its source (rewritten)
     * \param dst its destination (rewritten) \param proto protocol \param t its tuple
     * \param seg its TCP part \param snat the matching rule's range, or nullptr
     * \return false if dropped
     */
    bool Track(Ptr<Packet> payload,
               Ipv4Address& src,
               Ipv4Address& dst,
               const portlab::CtTuple& t,
               const portlab::TcpSegment& seg,
               const portlab::NatRange* snat);

    /// Run the gc worker and schedule its next run while the table holds entries.
    void Gc();
    /// Start the gc worker if it is idle and the table holds entries.
    void WakeGc();

    Ptr<Ipv4> m_ipv4;                                 //!< the node's IPv4
    std::vector<LinuxNatRule> m_rules;                //!< POSTROUTING rules
    portlab::ConntrackSysctls m_sysctls;              //!< settings before the table exists
    Ptr<UniformRandomVariable> m_rng;                 //!< get_random_*
    std::unique_ptr<portlab::RandomSource> m_random;  //!< m_rng as a RandomSource
    std::unique_ptr<portlab::ConntrackTable> m_table; //!< the table
    uint64_t m_secret{0};                             //!< HashSecret
    bool m_gcEnabled{true};                           //!< GcWorker
    EventId m_gcEvent;                                //!< the gc worker's next run
    Time m_gcDelay;                                   //!< the worker's last asked delay
    TracedCallback<const portlab::CtTuple&, const portlab::CtTuple&> m_created;   //!< trace
    TracedCallback<const portlab::CtTuple&, const portlab::CtTuple&> m_destroyed; //!< trace
    TracedCallback<const portlab::CtTuple&> m_insertFailed;                       //!< trace
    TracedCallback<const portlab::CtTuple&> m_tableFull;                          //!< trace
};

} // namespace ns3

#endif // PORTLAB_LINUX_NAT_GATEWAY_H
