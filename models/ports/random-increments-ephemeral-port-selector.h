/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_RANDOM_INCREMENTS_EPHEMERAL_PORT_SELECTOR_H
#define PORTLAB_RANDOM_INCREMENTS_EPHEMERAL_PORT_SELECTOR_H

#include "ports/ephemeral-port-selector.h"

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief RFC 6056 section 3.3.5, Algorithm 5 ("random-increments"): one host-wide counter
 * advances by a random step in [1, N] before each candidate:
 *
 *     next_ephemeral = random() % 65536        (at boot)
 *     repeat num_ephemeral times:
 *         next_ephemeral += random() % N + 1
 *         port = min_ephemeral + next_ephemeral % num_ephemeral
 *
 * N trades predictability (an observer who saw one port guesses the next with probability
 * about 1/N) against the port reuse cycle (the mean step N/2 walks the range in about
 * 2 x range / N connections). NetBSD offers it as `randinc` (rfc6056(7)); the RFC suggests
 * N = 500.
 *
 * The RFC's loop tries num_ephemeral random candidates, which can miss a free port (each
 * pass over the range lands on a given port with probability about 2 / (N + 1)); so that
 * exhaustion does not come earlier than with the other algorithms, when that loop finds
 * nothing the search goes on upwards from its last candidate through the whole range.
 */
class RandomIncrementsEphemeralPortSelector : public PortOrderSelector
{
  public:
    /// The RFC's suggested N.
    static constexpr uint32_t DEFAULT_N = 500;

    /**
     * \param rng random source (must outlive the selector)
     * \param secret per-host secret (the counter's initial value is drawn from it)
     * \param n the largest step (>= 1)
     */
    RandomIncrementsEphemeralPortSelector(RandomSource& rng,
                                          uint64_t secret,
                                          uint32_t n = DEFAULT_N);

    const char* Name() const override
    {
        return "random-increments";
    }

    /// \return N, the largest step
    uint32_t MaxStep() const
    {
        return m_n;
    }

  protected:
    uint16_t Choose(const Request& r, PortCandidateCheck& check) override;

  private:
    RandomSource& m_rng; //!< random source
    uint32_t m_n;        //!< largest step
    uint32_t m_next[2];  //!< next_ephemeral, per table (TCP, UDP)
};

} // namespace portlab

#endif // PORTLAB_RANDOM_INCREMENTS_EPHEMERAL_PORT_SELECTOR_H
