/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_LOCAL_ADDRESSES_H
#define PORTLAB_LOCAL_ADDRESSES_H

#include "ports/port-types.h"
#include "ports/rcv-saddr.h"

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

    /**
     * \brief Add an IPv6 address on an interface (no-op if already there). `::1` on lo is
     * always present.
     * \param addr a native IPv6 address (neither `::` nor v4-mapped)
     * \param ifindex the interface it is on
     */
    void AddIpv6(const Ipv6& addr, uint32_t ifindex)
    {
        for (const auto& e : m_v6)
        {
            if (e.addr == addr && e.ifindex == ifindex)
            {
                return;
            }
        }
        m_v6.push_back(LocalIpv6{addr, ifindex});
    }

    /**
     * \brief The ref of a native IPv6 address of the host (rcv-saddr.h): the same for every
     * interface that has it.
     * \param addr the address
     * \param ifindex the interface it must be on (0: any)
     * \return its V6Ref, or V6_NONE if the host (that interface) does not have it
     */
    V6Ref FindIpv6(const Ipv6& addr, uint32_t ifindex) const
    {
        V6Ref first = V6_NONE;
        bool onDevice = false;
        for (size_t i = 0; i < m_v6.size(); ++i)
        {
            if (m_v6[i].addr == addr)
            {
                if (first == V6_NONE)
                {
                    first = static_cast<V6Ref>(V6_FIRST_OTHER + i);
                }
                onDevice = onDevice || ifindex == 0 || m_v6[i].ifindex == ifindex;
            }
        }
        return onDevice ? first : V6_NONE;
    }

    /// \param ref a ref FindIpv6 returned \return the address
    const Ipv6& Ipv6Of(V6Ref ref) const
    {
        return m_v6.at(ref - V6_FIRST_OTHER).addr;
    }

    /// \return the interface addresses (loopback block excluded), in the order added
    const std::vector<Ipv4>& Interfaces() const
    {
        return m_addrs;
    }

  private:
    /// An IPv6 address and its interface.
    struct LocalIpv6
    {
        Ipv6 addr;        //!< the address
        uint32_t ifindex; //!< its interface
    };

    /// \return `::1` on lo
    static LocalIpv6 Loopback6()
    {
        Ipv6 a;
        a.bytes[15] = 1;
        return LocalIpv6{a, LOOPBACK_IFINDEX};
    }

    std::vector<LocalIpv6> m_v6{Loopback6()}; //!< IPv6 addresses, `::1` first
    std::vector<Ipv4> m_addrs;                //!< interface addresses
    std::vector<Ipv4> m_broadcasts;           //!< interface subnet broadcasts
};

} // namespace portlab

#endif // PORTLAB_LOCAL_ADDRESSES_H
