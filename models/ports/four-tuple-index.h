/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_FOUR_TUPLE_INDEX_H
#define PORTLAB_FOUR_TUPLE_INDEX_H

#include "port-types.h"

#include <cstdint>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief An open-addressing hash index from a 4-tuple to a 32-bit reference (Linux's ehash).
 *
 * Each slot is 8 bytes (the key's hash and the reference); the key itself lives in the
 * record the reference names and is read through a resolver, so a million entries cost about
 * 11-21 bytes each here. Linear probing, load factor at most 3/4, backward-shift deletion
 * (no tombstones), so lookups stay O(1) however many entries come and go.
 *
 * \tparam Resolver callable `const FourTuple& (uint32_t ref)`
 */
template <class Resolver>
class FourTupleIndex
{
  public:
    /// The reference returned when a key is absent.
    static constexpr uint32_t NONE = UINT32_MAX;

    /**
     * \param resolver maps a reference to its key
     * \param secret keys the hash (per host)
     */
    FourTupleIndex(Resolver resolver, uint64_t secret)
        : m_resolver(resolver),
          m_secret(secret)
    {
    }

    /// \param key the 4-tuple \return its reference or NONE
    uint32_t Find(const FourTuple& key) const
    {
        if (m_slots.empty())
        {
            return NONE;
        }
        uint32_t h = HashFourTuple(key, m_secret);
        for (size_t i = h & m_mask;; i = (i + 1) & m_mask)
        {
            const Slot& s = m_slots[i];
            if (s.ref == NONE)
            {
                return NONE;
            }
            if (s.hash == h && m_resolver(s.ref) == key)
            {
                return s.ref;
            }
        }
    }

    /**
     * \brief Add a key that is not present.
     * \param key the 4-tuple (must be absent)
     * \param ref its reference
     */
    void Insert(const FourTuple& key, uint32_t ref)
    {
        if ((m_size + 1) * 4 > m_slots.size() * 3)
        {
            Grow();
        }
        Place(HashFourTuple(key, m_secret), ref);
        ++m_size;
    }

    /**
     * \brief Point a present key at another reference (socket -> TIME_WAIT entry).
     * \param key the 4-tuple
     * \param ref the new reference
     * \return false if the key is absent
     */
    bool Replace(const FourTuple& key, uint32_t ref)
    {
        size_t i = 0;
        if (!Locate(key, i))
        {
            return false;
        }
        m_slots[i].ref = ref;
        return true;
    }

    /// \param key the 4-tuple \return false if it was absent
    bool Erase(const FourTuple& key)
    {
        size_t i = 0;
        if (!Locate(key, i))
        {
            return false;
        }
        // Backward-shift deletion keeps every probe chain unbroken.
        size_t j = i;
        for (;;)
        {
            j = (j + 1) & m_mask;
            if (m_slots[j].ref == NONE)
            {
                break;
            }
            size_t home = m_slots[j].hash & m_mask;
            bool between = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
            if (!between)
            {
                m_slots[i] = m_slots[j];
                i = j;
            }
        }
        m_slots[i].ref = NONE;
        --m_size;
        return true;
    }

    /// \return number of keys
    size_t Size() const
    {
        return m_size;
    }

    /// \return bytes held by the slot array
    size_t MemoryBytes() const
    {
        return m_slots.capacity() * sizeof(Slot);
    }

  private:
    /// One slot: the key's hash and its reference (NONE = empty).
    struct Slot
    {
        uint32_t hash; //!< the key's hash
        uint32_t ref;  //!< reference, NONE when empty
    };

    bool Locate(const FourTuple& key, size_t& at) const
    {
        if (m_slots.empty())
        {
            return false;
        }
        uint32_t h = HashFourTuple(key, m_secret);
        for (size_t i = h & m_mask;; i = (i + 1) & m_mask)
        {
            const Slot& s = m_slots[i];
            if (s.ref == NONE)
            {
                return false;
            }
            if (s.hash == h && m_resolver(s.ref) == key)
            {
                at = i;
                return true;
            }
        }
    }

    void Place(uint32_t hash, uint32_t ref)
    {
        size_t i = hash & m_mask;
        while (m_slots[i].ref != NONE)
        {
            i = (i + 1) & m_mask;
        }
        m_slots[i] = Slot{hash, ref};
    }

    void Grow()
    {
        std::vector<Slot> old;
        old.swap(m_slots);
        size_t cap = old.empty() ? 64 : old.size() * 2;
        m_slots.assign(cap, Slot{0, NONE});
        m_mask = cap - 1;
        for (const Slot& s : old)
        {
            if (s.ref != NONE)
            {
                Place(s.hash, s.ref);
            }
        }
    }

    Resolver m_resolver;       //!< reference -> key
    uint64_t m_secret;         //!< hash key
    std::vector<Slot> m_slots; //!< the table
    size_t m_mask{0};          //!< capacity - 1
    size_t m_size{0};          //!< keys present
};

} // namespace portlab

#endif // PORTLAB_FOUR_TUPLE_INDEX_H
