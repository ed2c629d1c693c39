/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_HOST_PORT_SPACE_H
#define PORTLAB_HOST_PORT_SPACE_H

#include "ports/ephemeral-port-selector.h"
#include "ports/local-addresses.h"
#include "ports/port-sysctls.h"
#include "ports/random-source.h"
#include "ports/tcp-port-table.h"
#include "ports/udp-port-table.h"

#include <functional>
#include <memory>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief One host's (network namespace's) port state: its settings, its addresses, and
 * separate TCP and UDP tables sharing only the range and reserved-port settings (§7.3).
 *
 * The per-host secret is drawn from the random source once, when first needed (the first
 * call to Tcp(), Udp(), Selector() or Random()); settings and addresses may be changed
 * before that without drawing it, so a caller can still choose the random source's stream.
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

    ~HostPortSpace();

    /**
     * \brief Replace the ephemeral port algorithm (its state starts afresh; the secret and
     * the random source stay).
     * \param selector the new algorithm's factory (empty: Linux's)
     */
    void UseSelector(const SelectorFactory& selector);

    /// \return the ephemeral port algorithm (draws the secret if not yet drawn)
    EphemeralPortSelector& Selector()
    {
        return *Keyed().selector;
    }

    /// \return true once the secret has been drawn (the tables exist)
    bool SecretDrawn() const
    {
        return m_keyed != nullptr;
    }

    /**
     * \brief The TCP table's observer, kept for the table if it is not made yet.
     * \param observer receives events (may be null)
     */
    void SetTcpObserver(TcpPortObserver* observer);

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

    /// \return the local addresses
    const LocalAddresses& Addresses() const
    {
        return m_addresses;
    }

    /// \return the TCP table (draws the secret if not yet drawn)
    TcpPortTable& Tcp()
    {
        return Keyed().tcp;
    }

    /// \return the TCP table (draws the secret if not yet drawn)
    const TcpPortTable& Tcp() const
    {
        return Keyed().tcp;
    }

    /// \return the UDP table (draws the secret if not yet drawn)
    UdpPortTable& Udp()
    {
        return Keyed().udp;
    }

    /// \return the UDP table (draws the secret if not yet drawn)
    const UdpPortTable& Udp() const
    {
        return Keyed().udp;
    }

    /// \return the random source (the secret is drawn from it first)
    RandomSource& Random()
    {
        Keyed();
        return *m_rng;
    }

  private:
    /// What the secret decides, made together when it is drawn: the algorithm and the tables.
    struct KeyedState
    {
        uint64_t secret;                                 //!< per-host secret (net_secret)
        std::unique_ptr<EphemeralPortSelector> selector; //!< ephemeral algorithm
        TcpPortTable tcp;                                //!< TCP
        UdpPortTable udp;                                //!< UDP

        /// \param host the host \param s the secret \param sel the algorithm
        KeyedState(const HostPortSpace& host,
                   uint64_t s,
                   std::unique_ptr<EphemeralPortSelector> sel);
    };

    /// \return the keyed state, drawn and made on first use
    KeyedState& Keyed() const
    {
        if (!m_keyed)
        {
            DrawSecret();
        }
        return *m_keyed;
    }

    /// Draw the secret and make what it decides (once).
    void DrawSecret() const;

    /// \param make a factory (empty: Linux's) \param secret the host's secret
    /// \return the algorithm it makes
    std::unique_ptr<EphemeralPortSelector> MakeSelector(const SelectorFactory& make,
                                                        uint64_t secret) const;

    std::unique_ptr<RandomSource> m_rng;         //!< randomness
    SelectorFactory m_selectorFactory;           //!< the algorithm (empty: Linux's)
    PortSysctls m_sysctls;                       //!< settings
    LocalAddresses m_addresses;                  //!< addresses
    TcpPortObserver* m_tcpObserver{nullptr};     //!< the TCP table's observer
    mutable std::unique_ptr<KeyedState> m_keyed; //!< made on first use (Keyed())
};

} // namespace portlab

#endif // PORTLAB_HOST_PORT_SPACE_H
