/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_FOUR_TUPLE_INDEX_H
#define PORTLAB_FOUR_TUPLE_INDEX_H

#include "ports/huge-page-allocator.h"
#include "ports/port-types.h"
#include "ports/rcv-saddr.h"

#include <cstdint>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief A native-IPv6 connection's 4-tuple: 22 bytes. The local address is one of the host's
 * own IPv6 addresses (a V6Ref, see rcv-saddr.h), the remote one any IPv6 address. Kept apart
 * from FourTuple so that the IPv4 key stays 12 bytes.
 */
struct FourTuple6
{
    Ipv6 remoteAddr;        //!< remote address
    V6Ref localAddr{0};     //!< local address (V6_FIRST_OTHER + i: the host's i-th)
    uint16_t localPort{0};  //!< local port
    uint16_t remotePort{0}; //!< remote port

    /// \param o another tuple \return true if all four fields are equal
    bool operator==(const FourTuple6& o) const
    {
        return remoteAddr == o.remoteAddr && localAddr == o.localAddr && localPort == o.localPort &&
               remotePort == o.remotePort;
    }
};

/**
 * \ingroup portlab-ports
 * \brief HashFourTuple() for a native-IPv6 4-tuple.
 * \param t the 4-tuple
 * \param secret per-host secret
 * \return the hash
 */
inline uint32_t
HashFourTuple(const FourTuple6& t, uint64_t secret)
{
    uint64_t hi = 0;
    uint64_t lo = 0;
    for (int i = 0; i < 8; ++i)
    {
        hi = (hi << 8) | t.remoteAddr.bytes[i];
        lo = (lo << 8) | t.remoteAddr.bytes[8 + i];
    }
    uint64_t x = Mix64(secret ^ hi);
    x = Mix64(x ^ lo);
    x = Mix64(x ^ (static_cast<uint64_t>(t.localAddr) << 32) ^
              (static_cast<uint64_t>(t.localPort) << 16) ^ t.remotePort);
    return static_cast<uint32_t>(x >> 32);
}

/**
 * \ingroup portlab-ports
 * \brief An open-addressing hash index from a 4-tuple (FourTuple, or FourTuple6 for native
 * IPv6) to a 32-bit reference (Linux's ehash).
 *
 * With a million entries the table is far larger than any cache, so it is laid out for few
 * memory accesses: each 16-byte slot holds the key itself and the reference (a hit touches
 * one slot and nothing else), and a parallel array of 1-byte tags (7 hash bits and an
 * occupied bit; 2 MiB at a million entries, so it stays in cache) answers most misses
 * without touching the slots at all. Linear probing, load factor at most 3/4, backward-shift
 * deletion (no tombstones), so lookups stay O(1) however many entries come and go. A million
 * entries cost 23-45 bytes each here.
 */
template <class Key>
class BasicFourTupleIndex
{
  public:
    /// The reference returned when a key is absent.
    static constexpr uint32_t NONE = UINT32_MAX;

    /// \param secret keys the hash (per host)
    explicit BasicFourTupleIndex(uint64_t secret)
        : m_secret(secret)
    {
    }

    /// \param key the 4-tuple \return its reference or NONE
    uint32_t Find(const Key& key) const
    {
        size_t i = 0;
        return Locate(key, i) ? m_slots[i].ref : NONE;
    }

    /**
     * \brief Start fetching the memory a lookup of \p key will touch, so that the lookup can
     * overlap with other work (connect() checks the bind bucket meanwhile).
     * \param key the 4-tuple
     */
    void Prefetch(const Key& key) const
    {
        if (m_size != 0)
        {
            size_t i = Home(HashOf(key));
            __builtin_prefetch(&m_tags[i]);
            __builtin_prefetch(&m_slots[i], 1);
        }
    }

    /**
     * \brief Add a key that is not present.
     * \param key the 4-tuple (must be absent)
     * \param ref its reference (not NONE)
     */
    void Insert(const Key& key, uint32_t ref)
    {
        if ((m_size + 1) * 4 > m_slots.size() * 3)
        {
            Grow();
        }
        Place(Slot{key, ref});
        ++m_size;
    }

    /**
     * \brief Point a present key at another reference (socket -> TIME_WAIT entry).
     * \param key the 4-tuple
     * \param ref the new reference
     * \return false if the key is absent
     */
    bool Replace(const Key& key, uint32_t ref)
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
    bool Erase(const Key& key)
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
            if (m_tags[j] == 0)
            {
                break;
            }
            size_t home = Home(HashOf(m_slots[j].key));
            bool between = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
            if (!between)
            {
                m_slots[i] = m_slots[j];
                m_tags[i] = m_tags[j];
                i = j;
            }
        }
        m_slots[i].ref = NONE;
        m_tags[i] = 0;
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
        return m_slots.capacity() * sizeof(Slot) + m_tags.capacity();
    }

  private:
    /// One slot: the key and its reference (NONE = empty).
    struct Slot
    {
        Key key;      //!< the 4-tuple
        uint32_t ref; //!< reference, NONE when empty
    };

    uint32_t HashOf(const Key& key) const
    {
        return HashFourTuple(key, m_secret);
    }

    size_t Home(uint32_t hash) const
    {
        return hash & m_mask;
    }

    /// \param hash a key's hash \return its tag: occupied bit and the hash's top 7 bits
    static uint8_t TagOf(uint32_t hash)
    {
        return static_cast<uint8_t>(0x80 | (hash >> 25));
    }

    bool Locate(const Key& key, size_t& at) const
    {
        if (m_size == 0)
        {
            return false;
        }
        uint32_t h = HashOf(key);
        uint8_t tag = TagOf(h);
        // A miss is usually followed by an Insert of the same key (connect(), a new child):
        // start fetching its slot now so that the store does not wait for memory later.
        __builtin_prefetch(&m_slots[Home(h)], 1);
        for (size_t i = Home(h);; i = (i + 1) & m_mask)
        {
            uint8_t t = m_tags[i];
            if (t == 0)
            {
                return false;
            }
            if (t == tag && m_slots[i].key == key)
            {
                at = i;
                return true;
            }
        }
    }

    void Place(const Slot& slot)
    {
        uint32_t h = HashOf(slot.key);
        size_t i = Home(h);
        while (m_tags[i] != 0)
        {
            i = (i + 1) & m_mask;
        }
        m_slots[i] = slot;
        m_tags[i] = TagOf(h);
    }

    void Grow()
    {
        std::vector<Slot, HugePageAllocator<Slot>> old;
        old.swap(m_slots);
        size_t cap = old.empty() ? 64 : old.size() * 2;
        m_slots.assign(cap, Slot{Key{}, NONE});
        m_tags.assign(cap, 0);
        m_mask = cap - 1;
        for (const Slot& s : old)
        {
            if (s.ref != NONE)
            {
                Place(s);
            }
        }
    }

    uint64_t m_secret;                                  //!< hash key
    std::vector<Slot, HugePageAllocator<Slot>> m_slots; //!< the table
    std::vector<uint8_t, HugePageAllocator<uint8_t>>
        m_tags;       //!< per slot: 0 empty, else 0x80 | top 7 hash bits
    size_t m_mask{0}; //!< capacity - 1
    size_t m_size{0}; //!< keys present
};

/// The IPv4 connection table: 12-byte keys, 16-byte slots.
using FourTupleIndex = BasicFourTupleIndex<FourTuple>;
/// The native-IPv6 connection table: 22-byte keys, 28-byte slots.
using FourTupleIndex6 = BasicFourTupleIndex<FourTuple6>;

} // namespace portlab

#endif // PORTLAB_FOUR_TUPLE_INDEX_H
