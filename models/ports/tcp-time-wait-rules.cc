/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/tcp-time-wait-rules.h"

namespace portlab
{

PortCapacity
ConnectCapacityPerSecond(const PortSysctls& sys,
                         uint64_t destinations,
                         bool portFromBind,
                         bool timestamps,
                         bool loopback)
{
    PortCapacity c;
    for (uint32_t p = sys.ipLocalPortRangeLow; p <= sys.ipLocalPortRangeHigh; ++p)
    {
        c.ports += sys.ipLocalReservedPorts.Contains(p) ? 0 : 1;
    }
    c.held = portFromBind ? c.ports : c.ports * destinations;
    c.overflow = static_cast<uint64_t>(sys.tcpMaxTwBuckets) < c.held;
    c.timewaitS = sys.timewaitLenMs / 1000.0;
    // A TIME_WAIT that connect() could take over at the last moment before it expires can be
    // taken over from the delay on; bind(0) takes none over.
    TcpTwskFacts tw;
    tw.timestamps = timestamps;
    tw.loopback = loopback;
    c.takeover = !portFromBind && TcpTwskUnique(tw, false, sys.TimewaitLen() - 1, sys);
    c.holdS = c.takeover ? TcpTwReuseThreshold(0, sys.tcpTwReuseDelayMs) /
                               static_cast<double>(NS_PER_SECOND)
                         : c.timewaitS;
    c.perSecond = c.held / c.holdS;
    return c;
}

} // namespace portlab
