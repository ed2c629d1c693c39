/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_GOLDEN_OVER_LINK_H
#define PORTLAB_GOLDEN_OVER_LINK_H

#include "golden-script.h"
#include "script/script-program.h"

#include <cstdint>
#include <vector>

namespace portlab
{

/**
 * \brief A one-host golden case moved onto two hosts, "client" and "server", joined by
 * point-to-point links with a 1 ms delay: the same script, with each socket on the side it
 * plays and each loopback address rewritten.
 *
 * - A socket is the server's when, before its name is declared again, it listens, accepts or
 *   binds a port other than 0 (an accepted socket is the server's too); every other socket is
 *   the client's.
 * - 127.0.0.N becomes 10.1.N.2 (the server's end of link N) as a destination and as a
 *   server socket's own address, and 10.1.N.1 (the client's end) as a client socket's own
 *   address; 0.0.0.0 stays. Link N exists for each N the script names.
 * - On one host a call's packets are processed before it returns (a connect's final ACK
 *   reaches the listener, a close's FIN its peer): over the links the same happens during a
 *   `wait 10ms` put after each call that sends (connect, send, sendto, shutdown, close).
 * - `sysctl h` sets both hosts; `ss h` becomes `ss server` then `ss client`, and
 *   RunGoldenScriptOverLink() adds the two up into one result, as `ss` on the one host of
 *   the probe listed both ends of each connection.
 */
struct GoldenOverLink
{
    ScriptProgram program;         //!< the two-host script
    std::vector<int> originalLine; //!< by line of `program` (from 1, at index line - 1): g's line
};

/**
 * \brief Rewrite a one-host golden case for two hosts (see GoldenOverLink).
 * \param g the case
 * \return the two-host script
 * \throws std::invalid_argument when g is not one host over loopback (a second host, a
 *         link, an address outside 127.0.0.0/8 other than 0.0.0.0)
 */
GoldenOverLink GoldenScriptOverLink(const GoldenScript& g);

/**
 * \brief Run a case on two hosts and fold its checks as the one-host run's: each check carries
 * g's line, and the two `ss` of one `ss h` are one.
 * \param g the case
 * \param b the transport (RunSocketScript) or the live kernel (RunKernelScript: two network
 *        namespaces joined by veth pairs)
 * \param seed the simulation's seed (transport)
 * \return the run
 * \throws std::invalid_argument as GoldenScriptOverLink, or for the table backend (its
 *         interpreter has one host); ConfigError, KernelScriptUnavailable
 */
GoldenRun RunGoldenScriptOverLink(const GoldenScript& g, GoldenBackend b, uint64_t seed);

} // namespace portlab

#endif // PORTLAB_GOLDEN_OVER_LINK_H
