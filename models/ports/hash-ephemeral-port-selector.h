/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_HASH_EPHEMERAL_PORT_SELECTOR_H
#define PORTLAB_HASH_EPHEMERAL_PORT_SELECTOR_H

#include "ports/ephemeral-port-selector.h"

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief RFC 6056 section 3.3.3, Algorithm 3 ("simple hash-based"), as Linux's
 * __inet_hash_connect() did it before 4.6: a keyed hash of (source address, destination
 * address, destination port) gives a per-destination offset; one host-wide counter (Linux's
 * `static u32 hint`) is added to it, and the search counts up from there:
 *
 *     offset = hint + F(saddr, daddr, dport, secret)
 *     for i = 1 .. remaining: port = low + (i + offset) % remaining
 *     on success: hint += i
 *
 * Connections to one destination therefore get consecutive ports (predictable to anyone who
 * saw one of them), while different destinations start at unrelated offsets (an off-path
 * observer who sees his own connection's port learns nothing about other destinations').
 * Linux 4.6 added the even/odd split; 5.18 replaced the single hint by a 65,536-entry table
 * with random increments (LinuxEphemeralPortSelector, RFC 6056 Algorithm 4). bind(0) and UDP
 * have no destination: they use F(0, 0, 0), i.e. the host's one sequence.
 */
class HashEphemeralPortSelector : public PortOrderSelector
{
  public:
    /// \param secret per-host secret (Linux: net_secret)
    explicit HashEphemeralPortSelector(uint64_t secret);

    const char* Name() const override
    {
        return "hash";
    }

  protected:
    uint16_t Choose(const Request& r, PortCandidateCheck& check) override;

  private:
    uint32_t m_hint[2]{0, 0}; //!< the counter, per table (TCP, UDP)
};

} // namespace portlab

#endif // PORTLAB_HASH_EPHEMERAL_PORT_SELECTOR_H
