/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SOCKET_SCRIPT_H
#define PORTLAB_SOCKET_SCRIPT_H

#include "script/script-program.h"

#include <cstdint>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-script
 * \brief Run a socket script on simulated hosts with portlab's Linux stack (ns-3).
 *
 * Grammar (one statement a line; `#` starts a comment; NAME is [A-Za-z0-9_-]+; the parser is
 * ParseScript, shared with the live-kernel interpreter RunKernelScript):
 * \verbatim
 *   host NAME [timewait_hz=HZ]         a host with its own lo; timewait_hz: the TIME_WAIT
 *                                      timer's CONFIG_HZ (0: exactly 60 s; the kernel has
 *                                      its own)
 *   link A B ADDR_A ADDR_B [DELAY] [rate=RATE] [loss=P]
 *                                      a point-to-point link (/24), default 1ms and 10Gbps;
 *                                      rate= 1kbps..100Gbps; loss= a probability below 1
 *                                      (0.01 or 1%) each way, ns-3 error models with streams
 *                                      from the seed; the devices are ethN on each host, in
 *                                      link order (kernel: netem, refused without it)
 *   sysctl HOST|* KEY=VALUE            a host setting, Linux names (the value may be two
 *                                      words, as ip_local_port_range's)
 *   tcp HOST SOCK [OPTION...]          a TCP socket; options: reuseaddr reuseport linger0
 *                                      nonblock uid=N
 *   udp HOST SOCK [OPTION...]          a UDP socket; options: reuseaddr reuseport nonblock
 *                                      uid=N
 *   setsockopt SOCK OPTION VALUE       SO_REUSEADDR 0|1, SO_REUSEPORT 0|1, SO_LINGER off|SECS,
 *                                      IP_BIND_ADDRESS_NO_PORT 0|1, IP_LOCAL_PORT_RANGE LO-HI,
 *                                      SO_BINDTODEVICE lo|ethN, O_NONBLOCK 0|1
 *   getsockopt SOCK OPTION             the same options, and SO_ERROR (ok or the pending
 *                                      errno, which reading clears)
 *   bind SOCK ADDR:PORT                bind (port 0: an ephemeral port)
 *   listen SOCK [BACKLOG]              backlog default: net.core.somaxconn
 *   connect SOCK ADDR:PORT             blocking: returns when the kernel decides (the
 *                                      handshake, a refusal, a timeout); nonblock: at once
 *                                      (EINPROGRESS, then EALREADY while it is pending)
 *   accept LISTENER SOCK               the oldest connection in the accept queue; EAGAIN
 *                                      when it is empty (a script never waits in accept)
 *   send SOCK BYTES                    send BYTES bytes (UDP: one datagram)
 *   sendto SOCK ADDR:PORT BYTES        one datagram to ADDR:PORT
 *   recv SOCK                          everything readable now: "N bytes", eof or an errno
 *   recvfrom SOCK                      one datagram: "N bytes from ADDR:PORT" or an errno
 *                                      (a TCP socket reports no address: 0.0.0.0:0)
 *   shutdown SOCK rd|wr|rdwr
 *   close SOCK                         the name's later calls give EBADF; the name may then
 *                                      be declared again
 *   wait DURATION                      advance time (10ms, 1.5s, 66s ...)
 *   state SOCK                         the TCP state (ESTABLISHED, CLOSE ...)
 *   port SOCK                          the socket's local port
 *   getsockname SOCK, getpeername SOCK ADDR:PORT, or an errno
 *   ss HOST                            TCP sockets per state, as "LISTEN=1 TIME-WAIT=2"
 *   ss HOST rows [tcp|udp]             one row per socket as ss -tuan shows it:
 *                                      "tcp LISTEN 0 4096 127.0.0.1:80 0.0.0.0:*" (netid,
 *                                      state, Recv-Q, Send-Q, local, peer), in the order of
 *                                      ScriptSsRowsText; "none" when there are none
 *   counters HOST [NAME...]            Linux SNMP/netstat counters, "TcpActiveOpens=1 ...",
 *                                      in the order named (none: all; the names: LinuxMib)
 * \endverbatim
 * Rows are expected as a block: `ss HOST rows ->` with nothing after it, then one line
 * `| NETID STATE RECV-Q SEND-Q LOCAL PEER` per row; each expected row matches a row of its
 * own, in any order, and there must be as many. Every check carries the simulated time its
 * call ran (ScriptCheck::timeNs; printed, never compared).
 * Any statement may end with `-> EXPECTED`: a call's result ("ok" or an errno name such as
 * EADDRINUSE), or the exact text the observation gives. `*` matches anything, `ADDR:*` any
 * port, `LO-HI` a port in the range; in results of several words also `ADDR:LO-HI` and
 * `NAME=*` (ScriptResultMatches). Sizes: send 0 to 2147479552 bytes (Linux's
 * MAX_RW_COUNT); waits 0 to 1,000,000 s; link delays 0 to 60 s.
 *
 * \param text the script
 * \param name its name in error messages
 * \param seed the simulation's random seed
 * \param transport the hosts' TCP transport: "packet" or "flow" (LinuxStackHelper::SetTransport)
 * \return one entry per statement with an expectation, in order
 * \throws ConfigError naming the line for a statement that is not in the grammar, an unknown
 *         host or socket, a bad address, duration, size or setting (then nothing runs)
 */
std::vector<ScriptCheck> RunSocketScript(const std::string& text,
                                         const std::string& name,
                                         uint64_t seed = 1,
                                         const std::string& transport = "packet");

/**
 * \ingroup portlab-script
 * \brief Run a parsed script on simulated hosts (see the other overload).
 * \param program the script
 * \param seed the simulation's random seed
 * \param transport the hosts' TCP transport: "packet" or "flow"
 * \return one entry per statement with an expectation, in order
 * \throws ns3::LinuxFlowRefusal where the flow transport would not be exact (a lossy link)
 */
std::vector<ScriptCheck> RunSocketScript(const ScriptProgram& program,
                                         uint64_t seed = 1,
                                         const std::string& transport = "packet");

} // namespace portlab

#endif // PORTLAB_SOCKET_SCRIPT_H
