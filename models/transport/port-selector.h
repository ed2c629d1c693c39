/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORT_SELECTOR_H
#define PORT_SELECTOR_H

#include "ports/random-increments-ephemeral-port-selector.h"

#include "ns3/object.h"

#include <memory>
#include <string>

namespace ns3
{

/**
 * \ingroup portlab-transport
 * \brief An ephemeral port selection algorithm, chosen per node by LinuxPortSpace's
 * `PortSelector` attribute (a TypeId, as TcpL4Protocol's `SocketType` chooses the congestion
 * control): `Config::SetDefault("ns3::LinuxPortSpace::PortSelector",
 * TypeIdValue(RandomPortSelector::GetTypeId()))`.
 *
 * Each subclass makes the plain-C++ algorithm (models/ports) for one host from the host's
 * random source, which LinuxPortSpace::AssignStreams fixes, and its secret. The algorithm only
 * orders the candidate ports; every Linux rule that is not about the order (reserved ports,
 * ip_local_port_range and IP_LOCAL_PORT_RANGE, bind(0) and connect() differences, 4-tuple
 * uniqueness, TIME_WAIT takeover) applies to all of them.
 */
class PortSelector : public Object
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    /**
     * \brief Make the algorithm for one host.
     * \param rng the host's random source (outlives the algorithm)
     * \param secret the host's secret
     * \return the algorithm
     */
    virtual std::unique_ptr<portlab::EphemeralPortSelector> Make(portlab::RandomSource& rng,
                                                                 uint64_t secret) const = 0;

    /**
     * \brief The TypeId of an algorithm by its scenario name (portlab::EphemeralPortSelectorNames).
     * \param name linux, random, hash, random-increments or sequential
     * \param tid receives the TypeId
     * \return false for an unknown name
     */
    static bool LookupByName(const std::string& name, TypeId& tid);
};

/**
 * \ingroup portlab-transport
 * \brief Linux 6.18's algorithm, the default (portlab::LinuxEphemeralPortSelector): RFC 6056
 * Algorithm 4 (double hash, a 65,536-entry perturbation table) with the even/odd split of
 * Linux 4.6, random increments and a 10-second resalting of the per-destination offset.
 */
class LinuxPortSelector : public PortSelector
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    std::unique_ptr<portlab::EphemeralPortSelector> Make(portlab::RandomSource& rng,
                                                         uint64_t secret) const override;
};

/**
 * \ingroup portlab-transport
 * \brief RFC 6056 Algorithm 1, simple port randomization (FreeBSD's default):
 * portlab::RandomEphemeralPortSelector.
 */
class RandomPortSelector : public PortSelector
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    std::unique_ptr<portlab::EphemeralPortSelector> Make(portlab::RandomSource& rng,
                                                         uint64_t secret) const override;
};

/**
 * \ingroup portlab-transport
 * \brief RFC 6056 Algorithm 3, simple hash-based (Linux before 4.6):
 * portlab::HashEphemeralPortSelector.
 */
class HashPortSelector : public PortSelector
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    std::unique_ptr<portlab::EphemeralPortSelector> Make(portlab::RandomSource& rng,
                                                         uint64_t secret) const override;
};

/**
 * \ingroup portlab-transport
 * \brief RFC 6056 Algorithm 5, random increments of at most N (NetBSD's `randinc`):
 * portlab::RandomIncrementsEphemeralPortSelector.
 */
class RandomIncrementsPortSelector : public PortSelector
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    std::unique_ptr<portlab::EphemeralPortSelector> Make(portlab::RandomSource& rng,
                                                         uint64_t secret) const override;

  private:
    uint32_t m_n{portlab::RandomIncrementsEphemeralPortSelector::DEFAULT_N}; //!< largest step
};

/**
 * \ingroup portlab-transport
 * \brief Sequential allocation, as ns-3's own Ipv4EndPointDemux and traditional BSD:
 * portlab::SequentialEphemeralPortSelector.
 */
class SequentialPortSelector : public PortSelector
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    std::unique_ptr<portlab::EphemeralPortSelector> Make(portlab::RandomSource& rng,
                                                         uint64_t secret) const override;
};

} // namespace ns3

#endif // PORT_SELECTOR_H
