/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_TCP_RETRANSMIT_RULES_H
#define PORTLAB_TCP_RETRANSMIT_RULES_H

#include "ports/port-types.h"

#include <cstdint>
#include <vector>

/**
 * \file
 * \ingroup portlab-ports
 * Linux's SYN retransmission rules (net/ipv4/tcp_timer.c), each in exactly one function: the
 * time budget of a number of retransmissions (tcp_model_timeout), when a connect() in SYN_SENT
 * gives up (tcp_write_timeout with retransmits_timed_out) and whether a retransmission doubles
 * the RTO (tcp_retransmit_timer's backoff step with net.ipv4.tcp_syn_linear_timeouts). The
 * ns-3 TCP socket's retransmit timer calls the last two; TcpSynSentSchedule() strings them
 * together for the predictor and the tests.
 */

namespace portlab
{

/// TCP_TIMEOUT_INIT (include/net/tcp.h): the first RTO of a SYN, and tcp_timeout_init()'s
/// value without a BPF program.
constexpr TimeNs TCP_TIMEOUT_INIT_NS = NS_PER_SECOND;
/// TCP_RTO_MAX (include/net/tcp.h): the largest RTO.
constexpr TimeNs TCP_RTO_MAX_NS = 120 * NS_PER_SECOND;

/**
 * \ingroup portlab-ports
 * \brief tcp_model_timeout(): how long `boundary` retransmissions take when the RTO starts at
 * `rtoBase` and doubles each time up to TCP_RTO_MAX: with linear_backoff_thresh =
 * ilog2(TCP_RTO_MAX / rtoBase), ((2 << boundary) - 1) * rtoBase while boundary is at most the
 * threshold, else ((2 << thresh) - 1) * rtoBase + (boundary - thresh) * TCP_RTO_MAX.
 *
 * It knows nothing of tcp_syn_linear_timeouts: with the default 4 a connect() that only
 * retransmits 1 s apart at first still gives up after tcp_model_timeout(tcp_syn_retries).
 * \param boundary the number of retransmissions (tcp_syn_retries, TCP_SYNCNT, tcp_retries2)
 * \param rtoBase the first RTO (tcp_timeout_init() in SYN_SENT / SYN_RECV); must be > 0
 * \return the time budget, from the first transmission
 */
TimeNs TcpModelTimeout(uint32_t boundary, TimeNs rtoBase);

/**
 * \ingroup portlab-ports
 * \brief tcp_write_timeout() for a socket in SYN_SENT, run each time the retransmit timer
 * fires, before it retransmits: it gives up once icsk_retransmits reaches retry_until +
 * tcp_syn_linear_timeouts, or once retransmits_timed_out(): at least one retransmission went
 * and the time since the first SYN (retrans_stamp, set by tcp_connect()) reached
 * TcpModelTimeout(retry_until, tcp_timeout_init()).
 * \param retransmits icsk_retransmits: the SYN retransmissions so far
 * \param retryUntil TCP_SYNCNT if set, else net.ipv4.tcp_syn_retries
 * \param synLinearTimeouts net.ipv4.tcp_syn_linear_timeouts
 * \param sinceFirstSyn the time since the first SYN left
 * \param rtoBase tcp_timeout_init() (TCP_TIMEOUT_INIT, 1 s)
 * \return true if connect() fails now with ETIMEDOUT
 */
bool TcpSynSentWriteTimeout(uint32_t retransmits,
                            uint32_t retryUntil,
                            int64_t synLinearTimeouts,
                            TimeNs sinceFirstSyn,
                            TimeNs rtoBase);

/**
 * \ingroup portlab-ports
 * \brief tcp_retransmit_timer()'s backoff step after a retransmission: the RTO doubles (up to
 * TCP_RTO_MAX) unless the socket is in SYN_SENT and this was one of the first
 * tcp_syn_linear_timeouts retransmissions ("icsk_backoff > tcp_syn_linear_timeouts", with
 * icsk_backoff already counting this one).
 * \param synSent the socket is in SYN_SENT
 * \param backoff icsk_backoff after this retransmission (1 for the first)
 * \param synLinearTimeouts net.ipv4.tcp_syn_linear_timeouts
 * \return true if the RTO doubles
 */
bool TcpRetransmitBacksOff(bool synSent, uint32_t backoff, int64_t synLinearTimeouts);

/**
 * \ingroup portlab-ports
 * \brief What a connect() to a peer that never answers does: when each SYN leaves and when it
 * gives up (ETIMEDOUT), both from the first SYN.
 */
struct TcpSynSchedule
{
    std::vector<TimeNs> synAt; //!< the first SYN (0) and each retransmission
    TimeNs gaveUpAt{0};        //!< when tcp_write_timeout() ends the attempt
};

/**
 * \ingroup portlab-ports
 * \brief The nominal SYN_SENT schedule: TcpSynSentWriteTimeout() and TcpRetransmitBacksOff()
 * run at each timer expiry, the RTO starting at rtoBase. The kernel's timer wheel fires each
 * timer up to 1/8 of its delay late, so a live kernel is that much later.
 * \param retryUntil TCP_SYNCNT or net.ipv4.tcp_syn_retries
 * \param synLinearTimeouts net.ipv4.tcp_syn_linear_timeouts
 * \param rtoBase the first RTO (TCP_TIMEOUT_INIT_NS)
 * \return the SYN times and the give-up time
 */
TcpSynSchedule TcpSynSentSchedule(uint32_t retryUntil,
                                  int64_t synLinearTimeouts,
                                  TimeNs rtoBase = TCP_TIMEOUT_INIT_NS);

} // namespace portlab

#endif // PORTLAB_TCP_RETRANSMIT_RULES_H
