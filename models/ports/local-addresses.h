/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_LOCAL_ADDRESSES_H
#define PORTLAB_LOCAL_ADDRESSES_H

#include "port-types.h"

#include <algorithm>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief The addresses a host owns: 127.0.0.0/8 always (Linux routes the whole block to lo)
 * plus the addresses of its interfaces. bind() to anything else is EADDRNOTAVAIL.
 */
class LocalAddresses
{
  public:
    /// \param addr an interface address to add (no-op if present)
    void Add(Ipv4 addr)
    {
        if (!IsLoopback(addr) && !Contains(addr))
        {
            m_addrs.push_back(addr);
        }
    }

    /// \param addr an address \return true if \p addr is local to the host
    bool Contains(Ipv4 addr) const
    {
        return IsLoopback(addr) || std::find(m_addrs.begin(), m_addrs.end(), addr) != m_addrs.end();
    }

    /// \return the interface addresses (loopback block excluded), in the order added
    const std::vector<Ipv4>& Interfaces() const
    {
        return m_addrs;
    }

  private:
    std::vector<Ipv4> m_addrs; //!< interface addresses
};

} // namespace portlab

#endif // PORTLAB_LOCAL_ADDRESSES_H
