/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/random-ephemeral-port-selector.h"

namespace portlab
{

RandomEphemeralPortSelector::RandomEphemeralPortSelector(RandomSource& rng, uint64_t secret)
    : PortOrderSelector(secret),
      m_rng(rng)
{
}

uint16_t
RandomEphemeralPortSelector::Choose(const Request& r, PortCandidateCheck& check)
{
    // next_ephemeral = min_ephemeral + (random() % num_ephemeral), then count up.
    return ScanUp(r, m_rng.Below(r.size), check);
}

} // namespace portlab
