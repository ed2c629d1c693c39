/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_ERRNO_NAME_H
#define LINUX_ERRNO_NAME_H

#include "ns3/socket.h"

#include <string>

namespace ns3
{

/**
 * \ingroup portlab-transport
 * \brief The Linux errno name of a socket's last failure: exact for portlab's sockets
 * (LinuxTcpSocket, LinuxUdpSocket), the nearest Linux name of ns-3's SocketErrno for others.
 * \param socket the socket
 * \return "EADDRINUSE", "ECONNREFUSED", ... or "ok"
 */
std::string SocketErrnoName(Ptr<Socket> socket);

/**
 * \ingroup portlab-transport
 * \brief Why a Recv() or RecvFrom() that returned no packet did so.
 * \param socket the socket
 * \return its Linux errno name when the call failed, or "" when there was only nothing to read
 * (EAGAIN, or no error recorded)
 */
std::string RecvFailure(Ptr<Socket> socket);

} // namespace ns3

#endif // LINUX_ERRNO_NAME_H
