/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SOCKET_SCRIPT_H
#define PORTLAB_SOCKET_SCRIPT_H

#include "scenario-config.h"
#include "script-program.h"

#include <string>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-scenario
 * \brief Run a socket script: timed socket calls on named simulated hosts, each with an
 * optional expected result, in the spirit of packetdrill.
 *
 * Grammar (one statement a line; `#` starts a comment; NAME is [A-Za-z0-9_-]+):
 * \verbatim
 *   host NAME                          a host with portlab's Linux stack (and its lo)
 *   link NAME NAME ADDR ADDR [DELAY]   a point-to-point link (/24), delay 0..60s, default 1ms
 *   sysctl NAME KEY=VALUE              a host setting, Linux names ("*" = every host);
 *                                      the value may be two words (ip_local_port_range)
 *   tcp NAME SOCK [OPTION...]          a TCP socket; options: reuseaddr reuseport linger0
 *   udp NAME SOCK [OPTION...]          a UDP socket; options: reuseaddr reuseport
 *   bind SOCK ADDR:PORT                bind (port 0: ephemeral)
 *   listen SOCK
 *   connect SOCK ADDR:PORT             TCP: waits for the handshake (10 ms); UDP: at once
 *   accept LISTENER SOCK               the oldest connection the listener accepted
 *   send SOCK BYTES                    send BYTES bytes (UDP: one datagram): 0..2147479552
 *                                      (MAX_RW_COUNT), for TCP at most the free send buffer
 *   recv SOCK                          everything readable: "N bytes", "eof" or an errno
 *   close SOCK                         later calls on SOCK give EBADF (the name may be reused)
 *   wait DURATION                      advance simulated time (10ms, 1.5s, 61s ...), 0..1000000s
 *   state SOCK                         the TCP state (ESTABLISHED, CLOSE ...)
 *   port SOCK                          the socket's local port
 *   ss NAME                            TCP sockets per state, as "LISTEN=1 TIME-WAIT=2"
 * \endverbatim
 * Any statement may end with `-> EXPECTED`: a call's result ("ok" or an errno name such as
 * EADDRINUSE), or the exact text `state`, `port`, `recv` and `ss` produce (`state` and `port`
 * of a closed socket: EBADF). A check whose expectation is `*` always passes and only records
 * the result.
 *
 * \param text the script
 * \param name its name in error messages
 * \param seed the simulation's random seed
 * \return one entry per line with an expectation, in order
 * \throws ConfigError naming the line for a statement that is not in the grammar, an unknown
 *         host or socket, a bad address, an out-of-range size or duration, or a bad setting
 */
std::vector<ScriptCheck> RunSocketScript(const std::string& text,
                                         const std::string& name,
                                         uint64_t seed = 1);

} // namespace portlab

#endif // PORTLAB_SOCKET_SCRIPT_H
