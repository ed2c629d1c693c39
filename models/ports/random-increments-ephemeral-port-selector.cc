/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/random-increments-ephemeral-port-selector.h"

#include <stdexcept>

namespace portlab
{

RandomIncrementsEphemeralPortSelector::RandomIncrementsEphemeralPortSelector(RandomSource& rng,
                                                                             uint64_t secret,
                                                                             uint32_t n)
    : PortOrderSelector(secret),
      m_rng(rng),
      m_n(n)
{
    if (n == 0)
    {
        throw std::invalid_argument("random-increments: N must be at least 1");
    }
    // "next_ephemeral = random() % 65536" at boot: drawn from the boot-time secret, so that
    // making the selector takes nothing from the random stream.
    m_next[0] = static_cast<uint32_t>(Mix64(secret ^ 0x5a5a) & 0xffff);
    m_next[1] = static_cast<uint32_t>(Mix64(secret ^ 0xa5a5) & 0xffff);
}

uint16_t
RandomIncrementsEphemeralPortSelector::Choose(const Request& r, PortCandidateCheck& check)
{
    uint32_t& next = m_next[r.table];
    uint32_t offset = 0;
    for (uint32_t count = r.size; count > 0; --count)
    {
        next += m_rng.Below(m_n) + 1;
        offset = next % r.size;
        auto port = static_cast<uint16_t>(r.low + offset);
        if (check.Usable(port, r.relaxed))
        {
            return port;
        }
    }
    // Ports the random walk stepped over: every one is tried before giving up.
    return ScanUp(r, offset + 1 == r.size ? 0 : offset + 1, check);
}

} // namespace portlab
