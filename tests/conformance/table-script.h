/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_TABLE_SCRIPT_H
#define PORTLAB_TABLE_SCRIPT_H

#include "script/script-program.h"

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace portlab
{

/**
 * \brief A statement the table-level interpreter cannot model (it needs packets, a second
 * host or a link): the message names the line and why.
 */
class TableScriptUnsupported : public std::runtime_error
{
  public:
    using std::runtime_error::runtime_error;
};

/**
 * \brief Run a socket script on one host's port tables alone, through TableDriver: no ns-3,
 * no packets, time advanced only by `wait`.
 *
 * The third interpreter of the script language, beside RunSocketScript (the transport) and
 * RunKernelScript (the live kernel), and a test stand-in like TableDriver: it plays the
 * transport's part at table level so that the port model can be held to the recorded Linux
 * cases by itself. It understands one `host` over its own loopback addresses (127/8);
 * `sysctl`; `tcp` and `udp` sockets with reuseaddr, reuseport, nonblock and uid=N;
 * `setsockopt` SO_REUSEADDR, SO_REUSEPORT, IP_BIND_ADDRESS_NO_PORT, IP_LOCAL_PORT_RANGE;
 * `bind`, `listen`; a blocking TCP `connect` (the handshake at once: the listener found by
 * demux gets a child in its accept queue, or ECONNREFUSED), UDP `connect`; `accept` (EAGAIN
 * when the queue is empty); `close` (a listener resets its queued children; an established
 * socket's FIN puts it in FIN_WAIT2 and its peer in CLOSE_WAIT; the peer's close then puts
 * the first in TIME_WAIT); UDP `send`, `sendto`, `recv` and `recvfrom` (delivery by the UDP
 * table's lookup, one datagram per call); `wait`; `state`, `port`, `getsockname`,
 * `getpeername`; `ss HOST` and `ss HOST rows` (a listener's Recv-Q its accept queue, its
 * Send-Q its backlog; other TCP queues 0; UDP Recv-Q the queued payload bytes). Anything
 * else throws TableScriptUnsupported before it runs.
 *
 * \param program the parsed script
 * \param seed the host's random seed
 * \return one check per statement with an expectation, in order (timeNs: the table's time)
 * \throws TableScriptUnsupported
 */
std::vector<ScriptCheck> RunTableScript(const ScriptProgram& program, uint64_t seed = 1);

} // namespace portlab

#endif // PORTLAB_TABLE_SCRIPT_H
