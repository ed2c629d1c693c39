/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef STREAM_RANDOM_SOURCE_H
#define STREAM_RANDOM_SOURCE_H

#include "ports/random-source.h"

#include "ns3/random-variable-stream.h"

#include <cstdint>

namespace ns3
{

/**
 * \ingroup portlab-transport
 * \brief portlab::RandomSource over an ns-3 random stream, so that the plain C++ models
 * (port tables, conntrack) draw from a stream that AssignStreams fixes.
 */
class StreamRandomSource : public portlab::RandomSource
{
  public:
    /// \param rng the ns-3 stream to draw from
    explicit StreamRandomSource(Ptr<UniformRandomVariable> rng)
        : m_rng(rng)
    {
    }

    /// \return a value uniform on [0, 2^32), from the ns-3 stream
    uint32_t NextU32() override
    {
        return m_rng->GetInteger(0, UINT32_MAX);
    }

  private:
    Ptr<UniformRandomVariable> m_rng; //!< the ns-3 stream
};

} // namespace ns3

#endif // STREAM_RANDOM_SOURCE_H
