/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_PORT_COUNTERS_H
#define PORTLAB_PORT_COUNTERS_H

#include "ports/port-types.h"

#include <array>
#include <cstdint>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief Attempts, successes and failures by errno of one kind of call.
 */
struct CallCounter
{
    uint64_t attempts{0};                                             //!< calls made
    uint64_t ok{0};                                                   //!< calls that succeeded
    std::array<uint64_t, static_cast<size_t>(Errno::COUNT)> failed{}; //!< failures by errno

    /// \param e the call's result \return \p e (so calls can be wrapped)
    Errno Count(Errno e)
    {
        ++attempts;
        if (e == Errno::OK)
        {
            ++ok;
        }
        else
        {
            ++failed[static_cast<size_t>(e)];
        }
        return e;
    }

    /// \param e an errno \return failures with \p e
    uint64_t Failed(Errno e) const
    {
        return failed[static_cast<size_t>(e)];
    }
};

/**
 * \ingroup portlab-ports
 * \brief What a TCP port table counts (Linux MIB names in brackets).
 */
struct TcpPortCounters
{
    CallCounter bind;             //!< bind() calls
    CallCounter listen;           //!< listen() calls
    CallCounter connect;          //!< connect() calls
    uint64_t timeWaitCreated{0};  //!< entries created
    uint64_t timeWaitExpired{0};  //!< entries that lived their full time
    uint64_t timeWaitRecycled{0}; //!< taken over by connect() [TimeWaitRecycled]
    uint64_t timeWaitKilled{0};   //!< killed by RST or a new SYN
    uint64_t timeWaitOverflow{0}; //!< skipped for tcp_max_tw_buckets [TCPTimeWaitOverflow]
};

/**
 * \ingroup portlab-ports
 * \brief What a UDP port table counts.
 */
struct UdpPortCounters
{
    CallCounter bind;      //!< bind() calls (explicit and port 0)
    CallCounter connect;   //!< connect() calls
    uint64_t delivered{0}; //!< datagrams matched to a socket
    uint64_t noPort{0};    //!< unicast datagrams with no socket [UDP NoPorts]
};

} // namespace portlab

#endif // PORTLAB_PORT_COUNTERS_H
