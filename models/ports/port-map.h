/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_PORT_MAP_H
#define PORTLAB_PORT_MAP_H

#include "ports/free-slots.h"

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief A map from a port number to a value (Linux's bhash), as a two-level radix table.
 *
 * Finding a port is two loads from small arrays, with no hashing and no pointer chase into
 * scattered nodes; values live contiguously. A host pays 2 KiB plus 1 KiB per 256-port page
 * it touches (at most 111 pages for the default ephemeral range), so thousands of hosts stay
 * cheap while a busy one still finds any port in a couple of cache hits.
 *
 * \tparam V value type (default-constructible; a removed value is reset to V{})
 */
template <class V>
class PortMap
{
  public:
    /// \param port a port \return its value, or nullptr if absent
    V* Find(uint16_t port)
    {
        const auto& page = m_pages[port >> 8];
        if (!page)
        {
            return nullptr;
        }
        uint32_t i = (*page)[port & 0xff];
        return i == NONE ? nullptr : &m_values[i];
    }

    /// \param port a port \return its value, or nullptr if absent
    const V* Find(uint16_t port) const
    {
        return const_cast<PortMap*>(this)->Find(port);
    }

    /// \param port a port \return its value, created (V{}) if absent
    V& GetOrCreate(uint16_t port)
    {
        auto& page = m_pages[port >> 8];
        if (!page)
        {
            page = std::make_unique<Page>();
            page->fill(NONE);
        }
        uint32_t& slot = (*page)[port & 0xff];
        if (slot == NONE)
        {
            slot = TakeFreeSlot(m_values, m_free); // Erase() left a freed value V{}
            ++m_size;
        }
        return m_values[slot];
    }

    /// \param port a port whose value is removed (no-op if absent)
    void Erase(uint16_t port)
    {
        auto& page = m_pages[port >> 8];
        if (!page || (*page)[port & 0xff] == NONE)
        {
            return;
        }
        uint32_t& slot = (*page)[port & 0xff];
        m_values[slot] = V{};
        m_free.push_back(slot);
        slot = NONE;
        --m_size;
    }

    /// \return ports present
    size_t Size() const
    {
        return m_size;
    }

  private:
    static constexpr uint32_t NONE = UINT32_MAX; //!< empty slot
    using Page = std::array<uint32_t, 256>;      //!< value indices of 256 ports

    std::array<std::unique_ptr<Page>, 256> m_pages; //!< by port >> 8
    std::vector<V> m_values;                        //!< values
    std::vector<uint32_t> m_free;                   //!< free value slots
    size_t m_size{0};                               //!< ports present
};

} // namespace portlab

#endif // PORTLAB_PORT_MAP_H
