/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef ARRIVAL_GAPS_H
#define ARRIVAL_GAPS_H

#include "ns3/nstime.h"
#include "ns3/ptr.h"
#include "ns3/random-variable-stream.h"

#include <cstdint>

namespace ns3
{

/**
 * \ingroup portlab-apps
 * \brief The gaps between a client's arrivals (connections or datagrams): constant 1/rate, or
 * exponential with that mean (Poisson arrivals) drawn from one seeded stream.
 */
class ArrivalGaps
{
  public:
    ArrivalGaps();

    /// \param stream the stream of the exponential gaps \return streams used (1)
    int64_t AssignStreams(int64_t stream);

    /**
     * Fix the law of the gaps, at the client's start.
     * \param rate arrivals per second (> 0)
     * \param poisson exponential gaps (else constant)
     */
    void Start(double rate, bool poisson);

    /// \return the time to the next arrival
    Time Next() const;

  private:
    Ptr<ExponentialRandomVariable> m_exponential; //!< Poisson gaps
    double m_rate{1};                             //!< arrivals per second
    bool m_poisson{false};                        //!< exponential (else constant) gaps
};

} // namespace ns3

#endif // ARRIVAL_GAPS_H
