/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SEQUENTIAL_EPHEMERAL_PORT_SELECTOR_H
#define PORTLAB_SEQUENTIAL_EPHEMERAL_PORT_SELECTOR_H

#include "ports/ephemeral-port-selector.h"

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief Sequential allocation, the traditional BSD one that RFC 6056 section 2.2 describes
 * and ns-3's own Ipv4EndPointDemux::AllocateEphemeralPort() uses: a per-protocol cursor
 * counts up from the range's low end, wrapping, and each search starts just after the port
 * chosen last.
 *
 * Differences from ns-3's demux: the range is the host's ip_local_port_range (ns-3's is fixed
 * at 49152-65535; set `ip_local_port_range = 49152 65535` to compare), and the first port is
 * the range's low end (ns-3 increments its cursor, initialised to 49152, before the first
 * use, so its first port is 49153). A port is usable under Linux's rules (4-tuple sharing
 * between destinations included), where ns-3 refuses any port with an endpoint.
 *
 * The next port is always the previous one plus one while ports are free: fully predictable.
 */
class SequentialEphemeralPortSelector : public PortOrderSelector
{
  public:
    /// \param secret per-host secret (unused by the order; kept for the common base)
    explicit SequentialEphemeralPortSelector(uint64_t secret);

    const char* Name() const override
    {
        return "sequential";
    }

  protected:
    uint16_t Choose(const Request& r, PortCandidateCheck& check) override;

  private:
    uint32_t m_next[2]{0, 0}; //!< next port to try, per table (TCP, UDP); 0: the low end
};

} // namespace portlab

#endif // PORTLAB_SEQUENTIAL_EPHEMERAL_PORT_SELECTOR_H
