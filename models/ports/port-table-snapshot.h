/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_PORT_TABLE_SNAPSHOT_H
#define PORTLAB_PORT_TABLE_SNAPSHOT_H

#include "ports/host-port-space.h"

#include <string>
#include <utility>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief One socket as `ss -tuan` lists it.
 */
struct SsRow
{
    std::string netid; //!< "tcp" or "udp"
    std::string state; //!< "LISTEN", "ESTAB", "TIME-WAIT", "UNCONN" (UDP) ...
    std::string local; //!< "addr:port": "0.0.0.0:8888"; AF_INET6 "[::1]:80", "*:80" for `::`
                       //!< unless v6-only ("[::]:80"), "[::ffff:1.2.3.4]:80" (ss's format)
    std::string peer;  //!< "addr:port": "0.0.0.0:*", "*:*" or "[::]:*" when not connected
};

/**
 * \ingroup portlab-ports
 * \brief The host's sockets as `ss -tuan` would list them: TCP listeners and connections,
 * TIME_WAIT entries, then UDP sockets (TCP sockets that are only bound are not listed, as
 * in Linux, where they are in no lookup table that ss dumps).
 * \param host the host
 * \param tcp include TCP
 * \param udp include UDP
 * \return rows in a stable order
 */
std::vector<SsRow> SnapshotSockets(const HostPortSpace& host, bool tcp = true, bool udp = true);

/**
 * \ingroup portlab-ports
 * \brief Counts of TCP sockets per `ss` state name, in order of first appearance (what the
 * recorded goldens call "ss").
 * \param host the host
 * \return (state, count) pairs
 */
std::vector<std::pair<std::string, int>> CountTcpStates(const HostPortSpace& host);

/**
 * \ingroup portlab-ports
 * \brief Format rows as `ss` does (aligned columns with a header line).
 * \param rows the rows
 * \return the text
 */
std::string FormatSs(const std::vector<SsRow>& rows);

} // namespace portlab

#endif // PORTLAB_PORT_TABLE_SNAPSHOT_H
