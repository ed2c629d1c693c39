/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_LOCAL_ADDRESSES_H
#define PORTLAB_LOCAL_ADDRESSES_H

#include "ports/port-types.h"

#include <algorithm>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief The addresses a host owns: 127.0.0.0/8 always (Linux routes the whole block to lo)
 * plus the addresses of its interfaces. bind() also accepts what Linux's
 * inet_addr_valid_or_nonlocal() accepts besides local addresses: multicast (224.0.0.0/4), the
 * limited broadcast and the interfaces' subnet broadcasts. Anything else is EADDRNOTAVAIL.
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

    /// \param addr a subnet broadcast address of one of the interfaces
    void AddBroadcast(Ipv4 addr)
    {
        if (std::find(m_broadcasts.begin(), m_broadcasts.end(), addr) == m_broadcasts.end())
        {
            m_broadcasts.push_back(addr);
        }
    }

    /// \param addr an address \return true if \p addr is local to the host
    bool Contains(Ipv4 addr) const
    {
        return IsLoopback(addr) || std::find(m_addrs.begin(), m_addrs.end(), addr) != m_addrs.end();
    }

    /// \param addr an address \return true if bind() may use it (local, multicast, broadcast)
    bool Bindable(Ipv4 addr) const
    {
        return Contains(addr) || (addr >> 28) == 0xe || addr == 0xffffffffu ||
               std::find(m_broadcasts.begin(), m_broadcasts.end(), addr) != m_broadcasts.end();
    }

    /// \return the interface addresses (loopback block excluded), in the order added
    const std::vector<Ipv4>& Interfaces() const
    {
        return m_addrs;
    }

  private:
    std::vector<Ipv4> m_addrs;      //!< interface addresses
    std::vector<Ipv4> m_broadcasts; //!< interface subnet broadcasts
};

} // namespace portlab

#endif // PORTLAB_LOCAL_ADDRESSES_H
