/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The SYN retransmission rules of tcp_timer.c against the kernel's own arithmetic and against
 * the recording of Linux 6.18 (tests/data/kernel-checks/syn-linear-timeouts.jsonl).
 */

#include "ports/tcp-retransmit-rules.h"
#include "syn-recording.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

TEST(TcpRetransmitRules, TcpModelTimeoutIsTheDoublingSumUpToTcpRtoMax)
{
    // Documentation/networking/ip-sysctl.rst: tcp_syn_retries 6 "corresponds to 63 seconds
    // till the last retransmission ... the final timeout ... after 127 seconds".
    EXPECT_EQ(TcpModelTimeout(6, TCP_TIMEOUT_INIT_NS), 127 * NS_PER_SECOND);
    EXPECT_EQ(TcpModelTimeout(1, TCP_TIMEOUT_INIT_NS), 3 * NS_PER_SECOND);
    // Past linear_backoff_thresh = ilog2(120 / 1) = 6 each retransmission adds TCP_RTO_MAX.
    EXPECT_EQ(TcpModelTimeout(8, TCP_TIMEOUT_INIT_NS), (127 + 240) * NS_PER_SECOND);
    // tcp_retries2 15 from TCP_RTO_MIN (200 ms): thresh ilog2(600) = 9, 1023 * 0.2 s + 6 * 120 s.
    EXPECT_EQ(TcpModelTimeout(15, 200 * NS_PER_MS), 924600 * NS_PER_MS)
        << "tcp_retries2=15 should give up after 924.6 s, as tcp_model_timeout() computes";
}

TEST(TcpRetransmitRules, SynLinearTimeoutsKeepTheFirstRetransmissionsOneSecondApart)
{
    // tcp_syn_linear_timeouts 4: retransmissions 1 to 4 keep the 1 s RTO, the 5th doubles it.
    const TcpSynSchedule s = TcpSynSentSchedule(6, 4);
    const std::vector<TimeNs> want{0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67};
    ASSERT_EQ(s.synAt.size(), want.size()) << "tcp_syn_retries 6 + 4 linear: 11 SYNs";
    for (size_t i = 0; i < want.size(); ++i)
    {
        EXPECT_EQ(s.synAt[i], want[i] * NS_PER_SECOND) << "SYN " << i;
    }
    EXPECT_EQ(s.gaveUpAt, 131 * NS_PER_SECOND)
        << "the count limit (6 + 4 retransmissions) should end it at 67 + 64 s, past the 127 s "
           "of tcp_model_timeout()";
    EXPECT_FALSE(TcpRetransmitBacksOff(true, 4, 4));
    EXPECT_TRUE(TcpRetransmitBacksOff(true, 5, 4));
    EXPECT_TRUE(TcpRetransmitBacksOff(false, 1, 4)) << "linear timeouts are for SYN_SENT only";
}

TEST(TcpRetransmitRules, GiveUpIsWhicheverComesFirstOfCountAndTimeBudget)
{
    // tcp_syn_retries 2, linear 8: the time budget (7 s) ends it after 7 SYNs 1 s apart;
    // linear 2: the count (2 + 2 = 4 retransmissions) ends it at 9 s, past the budget's 7 s
    // because the check only runs when the timer fires.
    EXPECT_EQ(TcpSynSentSchedule(2, 8).gaveUpAt, 7 * NS_PER_SECOND);
    EXPECT_EQ(TcpSynSentSchedule(2, 8).synAt.size(), 7U);
    EXPECT_EQ(TcpSynSentSchedule(2, 2).gaveUpAt, 9 * NS_PER_SECOND);
    EXPECT_EQ(TcpSynSentSchedule(2, 2).synAt.size(), 5U);
    EXPECT_FALSE(TcpSynSentWriteTimeout(0, 1, 0, 10 * NS_PER_SECOND, TCP_TIMEOUT_INIT_NS))
        << "retransmits_timed_out() is false before the first retransmission";
}

TEST(TcpRetransmitRules, SynScheduleMatchesTheLinuxRecordingForEveryRecordedPair)
{
    const SynRecording rec = LoadSynRecording();
    ASSERT_GT(rec.hz, 0U) << "the recording should state its CONFIG_HZ";
    ASSERT_GE(rec.pairs.size(), 12U);
    for (const SynRecord& r : rec.pairs)
    {
        EXPECT_EQ(r.result, "ETIMEDOUT");
        const TcpSynSchedule s = TcpSynSentSchedule(r.synRetries, r.linearTimeouts);
        EXPECT_EQ(SynScheduleDisagreement(s.synAt, s.gaveUpAt, r, rec.hz), "");
    }
}

} // namespace
} // namespace portlab
