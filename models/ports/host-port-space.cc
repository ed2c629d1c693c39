/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "host-port-space.h"

#include <stdexcept>

namespace portlab
{

namespace
{
uint64_t
DrawSecret(RandomSource& rng)
{
    uint64_t hi = rng.NextU32();
    return (hi << 32) | rng.NextU32();
}
} // namespace

HostPortSpace::HostPortSpace(uint64_t seed, const SelectorFactory& selector)
    : HostPortSpace(std::make_unique<SplitMixRandom>(seed), selector)
{
}

HostPortSpace::HostPortSpace(std::unique_ptr<RandomSource> rng, const SelectorFactory& selector)
    : m_rng(std::move(rng)),
      m_secret(DrawSecret(*m_rng)),
      m_selector(MakeSelector(selector)),
      m_tcp(m_sysctls, m_addresses, *m_selector, Mix64(m_secret ^ 1)),
      m_udp(m_sysctls, m_addresses, *m_selector, Mix64(m_secret ^ 2))
{
}

std::unique_ptr<EphemeralPortSelector>
HostPortSpace::MakeSelector(const SelectorFactory& make)
{
    std::unique_ptr<EphemeralPortSelector> s =
        make ? make(*m_rng, m_secret)
             : std::make_unique<LinuxEphemeralPortSelector>(*m_rng, m_secret);
    if (!s)
    {
        throw std::invalid_argument("HostPortSpace: the port selector factory made no selector");
    }
    return s;
}

void
HostPortSpace::UseSelector(const SelectorFactory& selector)
{
    std::unique_ptr<EphemeralPortSelector> s = MakeSelector(selector);
    m_tcp.SetSelector(*s);
    m_udp.SetSelector(*s);
    m_selector = std::move(s);
}

} // namespace portlab
