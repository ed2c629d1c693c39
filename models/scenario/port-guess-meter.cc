/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/port-guess-meter.h"

namespace portlab
{

void
PortGuessMeter::Observe(uint16_t port)
{
    if (m_havePrevious)
    {
        ++m_guesses;
        if (port == static_cast<uint16_t>(m_previous + m_bestStep))
        {
            ++m_hits;
        }
        auto step = static_cast<uint16_t>(port - m_previous);
        uint32_t count = ++m_steps[step];
        if (count > m_bestCount)
        {
            m_bestCount = count;
            m_bestStep = step;
        }
    }
    m_previous = port;
    m_havePrevious = true;
}

} // namespace portlab
