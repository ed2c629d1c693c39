/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_FREE_SLOTS_H
#define PORTLAB_FREE_SLOTS_H

#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief Take a slot of a table that keeps its freed slots for reuse: the slot freed last, or
 * else a new value-initialised one at the end. A reused slot keeps what it held: resetting it
 * is the caller's choice.
 * \tparam T a slot's type \tparam Alloc the table's allocator \tparam Id an index type
 * \param slots the table
 * \param free the indices of its free slots (the last one is taken)
 * \return the slot's index
 */
template <class T, class Alloc, class Id>
Id
TakeFreeSlot(std::vector<T, Alloc>& slots, std::vector<Id>& free)
{
    if (!free.empty())
    {
        const Id id = free.back();
        free.pop_back();
        return id;
    }
    slots.emplace_back();
    return static_cast<Id>(slots.size() - 1);
}

} // namespace portlab

#endif // PORTLAB_FREE_SLOTS_H
