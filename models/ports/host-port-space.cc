/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/host-port-space.h"

#include <stdexcept>

namespace portlab
{

namespace
{
uint64_t
NextSecret(RandomSource& rng)
{
    uint64_t hi = rng.NextU32();
    return (hi << 32) | rng.NextU32();
}
} // namespace

HostPortSpace::HostPortSpace(uint64_t seed, const SelectorFactory& selector)
    : HostPortSpace(std::make_unique<SplitMixRandom>(seed), selector)
{
}

HostPortSpace::KeyedState::KeyedState(const HostPortSpace& host,
                                      uint64_t s,
                                      std::unique_ptr<EphemeralPortSelector> sel)
    : secret(s),
      selector(std::move(sel)),
      tcp(host.m_sysctls, host.m_addresses, *selector, Mix64(secret ^ 1)),
      udp(host.m_sysctls, host.m_addresses, *selector, Mix64(secret ^ 2))
{
}

HostPortSpace::HostPortSpace(std::unique_ptr<RandomSource> rng, const SelectorFactory& selector)
    : m_rng(std::move(rng)),
      m_selectorFactory(selector)
{
}

HostPortSpace::~HostPortSpace() = default;

void
HostPortSpace::DrawSecret() const
{
    if (m_keyed)
    {
        return;
    }
    // The secret first, then the algorithm (which may draw from the source too).
    uint64_t secret = NextSecret(*m_rng);
    m_keyed = std::make_unique<KeyedState>(*this, secret, MakeSelector(m_selectorFactory, secret));
    m_keyed->tcp.SetObserver(m_tcpObserver);
}

void
HostPortSpace::SetTcpObserver(TcpPortObserver* observer)
{
    m_tcpObserver = observer;
    if (m_keyed)
    {
        m_keyed->tcp.SetObserver(observer);
    }
}

std::unique_ptr<EphemeralPortSelector>
HostPortSpace::MakeSelector(const SelectorFactory& make, uint64_t secret) const
{
    std::unique_ptr<EphemeralPortSelector> s =
        make ? make(*m_rng, secret) : std::make_unique<LinuxEphemeralPortSelector>(*m_rng, secret);
    if (!s)
    {
        throw std::invalid_argument("HostPortSpace: the port selector factory made no selector");
    }
    return s;
}

void
HostPortSpace::UseSelector(const SelectorFactory& selector)
{
    m_selectorFactory = selector;
    if (!m_keyed)
    {
        return; // made with the secret, when first needed
    }
    std::unique_ptr<EphemeralPortSelector> s = MakeSelector(selector, m_keyed->secret);
    m_keyed->tcp.SetSelector(*s);
    m_keyed->udp.SetSelector(*s);
    m_keyed->selector = std::move(s);
}

} // namespace portlab
