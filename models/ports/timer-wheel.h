/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_TIMER_WHEEL_H
#define PORTLAB_TIMER_WHEEL_H

#include "ports/port-types.h"

#include <cstdint>

/**
 * \file
 * \ingroup portlab-ports
 * Linux's timer wheel (kernel/time/timer.c, calc_wheel_index()): a timer armed `delta` jiffies
 * ahead goes to the level whose range holds delta (6 bits per level, each level 8 times
 * coarser) and fires at the next multiple of that level's granularity after its expiry. So a
 * kernel timer (TIME_WAIT, the TCP retransmit timer) fires up to one granularity late: with
 * CONFIG_HZ=250, 32 ms for a 1 s timer, 256 ms for 4-16 s, 2.048 s for 17-131 s.
 */

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief calc_wheel_index()'s level for a timer `deltaJiffies` ahead: the largest level whose
 * start (LVL_START(n) = 63 << 3(n-1)) delta reaches, at most LVL_DEPTH - 1 (8).
 * \param deltaJiffies jiffies from now to the expiry
 * \return the level (0: exact to the jiffy)
 */
inline int
TimerWheelLevel(uint64_t deltaJiffies)
{
    constexpr int LVL_CLK_SHIFT = 3;
    constexpr int LVL_BITS = 6;
    constexpr int LVL_DEPTH = 9;
    int lvl = 0;
    while (lvl + 1 < LVL_DEPTH &&
           deltaJiffies >= (((uint64_t{1} << LVL_BITS) - 1) << (lvl * LVL_CLK_SHIFT)))
    {
        ++lvl;
    }
    return lvl;
}

/**
 * \ingroup portlab-ports
 * \brief The granularity of the level a timer `delay` ahead lands in: how late it may fire.
 * \param delay the timer's delay \param hz CONFIG_HZ (> 0)
 * \return the granularity (8^level jiffies)
 */
inline TimeNs
TimerWheelGranularity(TimeNs delay, uint32_t hz)
{
    const TimeNs jiffy = NS_PER_SECOND / hz;
    const uint64_t delta = static_cast<uint64_t>((delay + jiffy - 1) / jiffy);
    return static_cast<TimeNs>(uint64_t{1} << (3 * TimerWheelLevel(delta))) * jiffy;
}

/**
 * \ingroup portlab-ports
 * \brief When a timer armed at `now` for the absolute time `t` fires: t in jiffies (rounded
 * up), then to the next multiple of its level's granularity after it (calc_index(): `(expires
 * >> LVL_SHIFT(lvl)) + 1`, so a level-0 timer fires one jiffy after its expiry, e.g.
 * TCP_TIMEOUT_MIN's 2 jiffies 2-3 jiffies after it is armed).
 * \param now the time it is armed \param t its expiry \param hz CONFIG_HZ (> 0)
 * \return the time it fires
 */
inline TimeNs
TimerWheelExpiry(TimeNs now, TimeNs t, uint32_t hz)
{
    const TimeNs jiffy = NS_PER_SECOND / hz;
    const uint64_t nowJ = static_cast<uint64_t>(now / jiffy);
    const uint64_t delta = static_cast<uint64_t>((t - now + jiffy - 1) / jiffy);
    uint64_t expires = nowJ + delta;
    const int shift = 3 * TimerWheelLevel(delta);
    expires = ((expires >> shift) + 1) << shift;
    return static_cast<TimeNs>(expires) * jiffy;
}

} // namespace portlab

#endif // PORTLAB_TIMER_WHEEL_H
