/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/hash-ephemeral-port-selector.h"

namespace portlab
{

HashEphemeralPortSelector::HashEphemeralPortSelector(uint64_t secret)
    : PortOrderSelector(secret)
{
}

uint16_t
HashEphemeralPortSelector::Choose(const Request& r, PortCandidateCheck& check)
{
    uint32_t& hint = m_hint[r.table];
    const uint32_t offset = hint + static_cast<uint32_t>(r.key);
    uint32_t tries = 0;
    // Candidate i (1-based) is low + (i + offset) % remaining.
    uint16_t port =
        ScanUp(r, static_cast<uint32_t>((uint64_t{offset} + 1) % r.size), check, &tries);
    if (port != 0)
    {
        hint += tries;
    }
    return port;
}

} // namespace portlab
