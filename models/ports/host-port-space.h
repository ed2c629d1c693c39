/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_HOST_PORT_SPACE_H
#define PORTLAB_HOST_PORT_SPACE_H

#include "ephemeral-port-selector.h"
#include "local-addresses.h"
#include "port-sysctls.h"
#include "random-source.h"
#include "tcp-port-table.h"
#include "udp-port-table.h"

#include <functional>
#include <memory>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief One host's (network namespace's) port state: its settings, its addresses, and
 * separate TCP and UDP tables sharing only the range and reserved-port settings (§7.3).
 */
class HostPortSpace
{
  public:
    /**
     * \brief Makes a host's ephemeral port algorithm from the host's random source and
     * secret (drawn first, so the algorithm does not change the secret).
     */
    using SelectorFactory =
        std::function<std::unique_ptr<EphemeralPortSelector>(RandomSource& rng, uint64_t secret)>;

    /**
     * \brief A host whose randomness comes from a SplitMixRandom with \p seed.
     * \param seed the seed (Linux: boot-time randomness)
     * \param selector its ephemeral port algorithm (empty: Linux's)
     */
    explicit HostPortSpace(uint64_t seed, const SelectorFactory& selector = {});

    /**
     * \brief A host with an injected random source.
     * \param rng the source (owned)
     * \param selector its ephemeral port algorithm (empty: Linux's)
     */
    explicit HostPortSpace(std::unique_ptr<RandomSource> rng, const SelectorFactory& selector = {});

    /**
     * \brief Replace the ephemeral port algorithm (its state starts afresh; the secret and
     * the random source stay).
     * \param selector the new algorithm's factory (empty: Linux's)
     */
    void UseSelector(const SelectorFactory& selector);

    /// \return the ephemeral port algorithm
    EphemeralPortSelector& Selector()
    {
        return *m_selector;
    }

    HostPortSpace(const HostPortSpace&) = delete;
    HostPortSpace& operator=(const HostPortSpace&) = delete;

    /// \return the settings (changes apply to the next call)
    PortSysctls& Sysctls()
    {
        return m_sysctls;
    }

    /// \return the settings
    const PortSysctls& Sysctls() const
    {
        return m_sysctls;
    }

    /// \return the local addresses
    LocalAddresses& Addresses()
    {
        return m_addresses;
    }

    /// \return the TCP table
    TcpPortTable& Tcp()
    {
        return m_tcp;
    }

    /// \return the TCP table
    const TcpPortTable& Tcp() const
    {
        return m_tcp;
    }

    /// \return the UDP table
    UdpPortTable& Udp()
    {
        return m_udp;
    }

    /// \return the UDP table
    const UdpPortTable& Udp() const
    {
        return m_udp;
    }

    /// \return the random source
    RandomSource& Random()
    {
        return *m_rng;
    }

  private:
    /// \param make a factory (empty: Linux's) \return the algorithm it makes
    std::unique_ptr<EphemeralPortSelector> MakeSelector(const SelectorFactory& make);

    std::unique_ptr<RandomSource> m_rng;               //!< randomness
    uint64_t m_secret;                                 //!< per-host secret (net_secret)
    PortSysctls m_sysctls;                             //!< settings
    LocalAddresses m_addresses;                        //!< addresses
    std::unique_ptr<EphemeralPortSelector> m_selector; //!< ephemeral algorithm
    TcpPortTable m_tcp;                                //!< TCP
    UdpPortTable m_udp;                                //!< UDP
};

} // namespace portlab

#endif // PORTLAB_HOST_PORT_SPACE_H
