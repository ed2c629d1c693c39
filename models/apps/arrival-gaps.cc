/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "apps/arrival-gaps.h"

#include "ns3/double.h"
#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ArrivalGaps");

ArrivalGaps::ArrivalGaps()
    : m_exponential(CreateObject<ExponentialRandomVariable>())
{
}

int64_t
ArrivalGaps::AssignStreams(int64_t stream)
{
    m_exponential->SetStream(stream);
    return 1;
}

void
ArrivalGaps::Start(double rate, bool poisson)
{
    NS_LOG_FUNCTION(this << rate << poisson);
    m_rate = rate;
    m_poisson = poisson;
    m_exponential->SetAttribute("Mean", DoubleValue(1.0 / rate));
}

Time
ArrivalGaps::Next() const
{
    return Seconds(m_poisson ? m_exponential->GetValue() : 1.0 / m_rate);
}

} // namespace ns3
