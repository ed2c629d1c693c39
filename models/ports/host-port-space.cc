/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "host-port-space.h"

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

HostPortSpace::HostPortSpace(uint64_t seed)
    : HostPortSpace(std::make_unique<SplitMixRandom>(seed))
{
}

HostPortSpace::HostPortSpace(std::unique_ptr<RandomSource> rng)
    : m_rng(std::move(rng)),
      m_secret(DrawSecret(*m_rng)),
      m_selector(*m_rng, m_secret),
      m_tcp(m_sysctls, m_addresses, m_selector, Mix64(m_secret ^ 1)),
      m_udp(m_sysctls, m_addresses, m_selector, Mix64(m_secret ^ 2))
{
}

} // namespace portlab
