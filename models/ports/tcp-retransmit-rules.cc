/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/tcp-retransmit-rules.h"

#include <algorithm>

namespace portlab
{

TimeNs
TcpModelTimeout(uint32_t boundary, TimeNs rtoBase)
{
    // linear_backoff_thresh = ilog2(TCP_RTO_MAX / rto_base)
    uint32_t thresh = 0;
    while (thresh < 62 && (TCP_RTO_MAX_NS / rtoBase) >> (thresh + 1) != 0)
    {
        ++thresh;
    }
    if (boundary <= thresh)
    {
        return ((TimeNs{2} << boundary) - 1) * rtoBase;
    }
    return ((TimeNs{2} << thresh) - 1) * rtoBase +
           static_cast<TimeNs>(boundary - thresh) * TCP_RTO_MAX_NS;
}

bool
TcpSynSentWriteTimeout(uint32_t retransmits,
                       uint32_t retryUntil,
                       int64_t synLinearTimeouts,
                       TimeNs sinceFirstSyn,
                       TimeNs rtoBase)
{
    // max_retransmits = retry_until + tcp_syn_linear_timeouts (SYN_SENT only)
    if (static_cast<int64_t>(retransmits) >= static_cast<int64_t>(retryUntil) + synLinearTimeouts)
    {
        return true;
    }
    // retransmits_timed_out(sk, retry_until, 0)
    return retransmits != 0 && sinceFirstSyn >= TcpModelTimeout(retryUntil, rtoBase);
}

bool
TcpRetransmitBacksOff(bool synSent, uint32_t backoff, int64_t synLinearTimeouts)
{
    return !synSent || static_cast<int64_t>(backoff) > synLinearTimeouts;
}

TcpSynSchedule
TcpSynSentSchedule(uint32_t retryUntil, int64_t synLinearTimeouts, TimeNs rtoBase)
{
    TcpSynSchedule s;
    s.synAt.push_back(0);
    TimeNs now = 0;
    TimeNs rto = rtoBase;
    uint32_t retransmits = 0;
    for (;;)
    {
        now += rto; // the retransmit timer fires
        if (TcpSynSentWriteTimeout(retransmits, retryUntil, synLinearTimeouts, now, rtoBase))
        {
            s.gaveUpAt = now;
            return s;
        }
        ++retransmits;
        s.synAt.push_back(now);
        if (TcpRetransmitBacksOff(true, retransmits, synLinearTimeouts))
        {
            rto = std::min(rto * 2, TCP_RTO_MAX_NS);
        }
    }
}

} // namespace portlab
