/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_RANDOM_SOURCE_H
#define PORTLAB_RANDOM_SOURCE_H

#include "ports/port-types.h"

#include <cstdint>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief Where the port model gets its random numbers (Linux: get_random_u32()).
 *
 * Injected so that tests and simulations are reproducible: the ns-3 glue adapts an
 * ns3::RandomVariableStream (with AssignStreams), tests use SplitMixRandom with a seed.
 */
class RandomSource
{
  public:
    virtual ~RandomSource() = default;

    /// \return a uniformly distributed 32-bit value
    virtual uint32_t NextU32() = 0;

    /**
     * \brief Linux's get_random_u32_below(n).
     * \param n exclusive bound, > 0
     * \return a value uniform on [0, n)
     */
    uint32_t Below(uint32_t n)
    {
        return ReciprocalScale(NextU32(), n);
    }
};

/**
 * \ingroup portlab-ports
 * \brief A small deterministic generator (SplitMix64): same seed, same sequence, on every
 * platform.
 */
class SplitMixRandom : public RandomSource
{
  public:
    /// \param seed the seed
    explicit SplitMixRandom(uint64_t seed)
        : m_state(seed)
    {
    }

    uint32_t NextU32() override
    {
        m_state += 0x9e3779b97f4a7c15ULL;
        uint64_t z = m_state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return static_cast<uint32_t>((z ^ (z >> 31)) >> 32);
    }

  private:
    uint64_t m_state; //!< generator state
};

} // namespace portlab

#endif // PORTLAB_RANDOM_SOURCE_H
