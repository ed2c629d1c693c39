/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/port-guess-meter.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

TEST(PortGuessMeter, ConsecutivePortsAreAlwaysGuessed)
{
    PortGuessMeter m;
    for (uint16_t p = 49152; p < 49252; ++p)
    {
        m.Observe(p);
    }
    EXPECT_EQ(m.Guesses(), 99u);
    EXPECT_EQ(m.Hits(), 99u) << "+1 is the first guess and stays the most frequent step";
    EXPECT_DOUBLE_EQ(m.Probability(), 1.0);
}

TEST(PortGuessMeter, TheObserverLearnsTheMostFrequentStep)
{
    PortGuessMeter m;
    uint16_t p = 40000;
    for (int i = 0; i < 100; ++i)
    {
        m.Observe(p);
        p = static_cast<uint16_t>(p + (i % 4 == 3 ? 7 : 2)); // +2 three times in four
    }
    // 99 steps, 75 of them +2. The first guess is +1 (a miss); from then on +2: every +2
    // step but the first is guessed, no +7 step is.
    EXPECT_EQ(m.Guesses(), 99u);
    EXPECT_EQ(m.Hits(), 75u - 1u);
}

TEST(PortGuessMeter, NoGuessBeforeTheSecondPort)
{
    PortGuessMeter m;
    EXPECT_EQ(m.Probability(), 0.0);
    m.Observe(1000);
    EXPECT_EQ(m.Guesses(), 0u);
    EXPECT_EQ(m.Probability(), 0.0);
}

} // namespace
} // namespace portlab
