/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_RANDOM_EPHEMERAL_PORT_SELECTOR_H
#define PORTLAB_RANDOM_EPHEMERAL_PORT_SELECTOR_H

#include "ports/ephemeral-port-selector.h"

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief RFC 6056 section 3.3.1, Algorithm 1 ("simple port randomization"): each search
 * starts at a port drawn uniformly from the range and goes upwards, wrapping, until a port is
 * usable.
 *
 * Used by FreeBSD with net.inet.ip.portrange.randomized=1 (its default; in_pcb_lport draws a
 * random start, then counts up) and NetBSD's `random_start` (which counts down). Every
 * choice is independent of the previous one, so an observer cannot guess the next port
 * (1 in the range's size); but ports freed recently are as likely as old ones to be chosen
 * again, so the 4-tuple reuse cycle is short.
 */
class RandomEphemeralPortSelector : public PortOrderSelector
{
  public:
    /**
     * \param rng random source (must outlive the selector)
     * \param secret per-host secret
     */
    RandomEphemeralPortSelector(RandomSource& rng, uint64_t secret);

    const char* Name() const override
    {
        return "random";
    }

  protected:
    uint16_t Choose(const Request& r, PortCandidateCheck& check) override;

  private:
    RandomSource& m_rng; //!< random source
};

} // namespace portlab

#endif // PORTLAB_RANDOM_EPHEMERAL_PORT_SELECTOR_H
