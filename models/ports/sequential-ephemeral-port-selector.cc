/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/sequential-ephemeral-port-selector.h"

namespace portlab
{

SequentialEphemeralPortSelector::SequentialEphemeralPortSelector(uint64_t secret)
    : PortOrderSelector(secret)
{
}

uint16_t
SequentialEphemeralPortSelector::Choose(const Request& r, PortCandidateCheck& check)
{
    uint32_t& next = m_next[r.table];
    // A cursor outside the range (the range changed, or it passed the high end) restarts at
    // the low end.
    uint32_t start = next >= r.low && next - r.low < r.size ? next - r.low : 0;
    uint16_t port = ScanUp(r, start, check);
    if (port != 0)
    {
        next = uint32_t{port} + 1;
    }
    return port;
}

} // namespace portlab
