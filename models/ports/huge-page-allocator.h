/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_HUGE_PAGE_ALLOCATOR_H
#define PORTLAB_HUGE_PAGE_ALLOCATOR_H

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace portlab
{

/// Arrays at least this large are placed on transparent huge pages.
constexpr size_t HUGE_PAGE_BYTES = size_t{2} << 20;

/**
 * \ingroup portlab-ports
 * \brief std::allocator, except that arrays of 2 MiB or more are 2 MiB-aligned and advised
 * MADV_HUGEPAGE.
 *
 * The connection table of a busy host is tens of megabytes accessed at random; on 4 KiB pages
 * nearly every lookup also misses the TLB (and in a virtual machine pays a two-level page
 * walk). Where transparent huge pages are "madvise" (Debian's default) or "always", this
 * makes those walks rare; elsewhere it is only an aligned allocation.
 *
 * \tparam T element type
 */
template <class T>
struct HugePageAllocator
{
    using value_type = T; //!< element type

    HugePageAllocator() = default;

    /// Rebinding constructor.
    template <class U>
    HugePageAllocator(const HugePageAllocator<U>&)
    {
    }

    /// \param n elements \return storage for them
    T* allocate(size_t n)
    {
        size_t bytes = n * sizeof(T);
        if (bytes < HUGE_PAGE_BYTES)
        {
            return std::allocator<T>().allocate(n);
        }
        size_t rounded = (bytes + HUGE_PAGE_BYTES - 1) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
        void* p = std::aligned_alloc(HUGE_PAGE_BYTES, rounded);
        if (p == nullptr)
        {
            throw std::bad_alloc();
        }
#ifdef MADV_HUGEPAGE
        madvise(p, rounded, MADV_HUGEPAGE);
#endif
        return static_cast<T*>(p);
    }

    /// \param p storage from allocate \param n its element count
    void deallocate(T* p, size_t n)
    {
        if (n * sizeof(T) < HUGE_PAGE_BYTES)
        {
            std::allocator<T>().deallocate(p, n);
        }
        else
        {
            std::free(p);
        }
    }

    /// \return true: all instances are interchangeable
    template <class U>
    bool operator==(const HugePageAllocator<U>&) const
    {
        return true;
    }

    /// \return false
    template <class U>
    bool operator!=(const HugePageAllocator<U>&) const
    {
        return false;
    }
};

} // namespace portlab

#endif // PORTLAB_HUGE_PAGE_ALLOCATOR_H
