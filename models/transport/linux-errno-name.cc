/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-errno-name.h"

#include "transport/linux-tcp-socket.h"
#include "transport/linux-udp-socket.h"

namespace ns3
{

std::string
SocketErrnoName(Ptr<Socket> socket)
{
    if (Ptr<LinuxTcpSocket> t = DynamicCast<LinuxTcpSocket>(socket))
    {
        return portlab::ErrnoName(t->GetLinuxErrno());
    }
    if (Ptr<LinuxUdpSocket> u = DynamicCast<LinuxUdpSocket>(socket))
    {
        return portlab::ErrnoName(u->GetLinuxErrno());
    }
    switch (socket->GetErrno())
    {
    case Socket::ERROR_NOTERROR:
        return "ok";
    case Socket::ERROR_ISCONN:
        return "EISCONN";
    case Socket::ERROR_NOTCONN:
        return "ENOTCONN";
    case Socket::ERROR_MSGSIZE:
        return "EMSGSIZE";
    case Socket::ERROR_AGAIN:
        return "EAGAIN";
    case Socket::ERROR_SHUTDOWN:
        return "EPIPE";
    case Socket::ERROR_OPNOTSUPP:
        return "EOPNOTSUPP";
    case Socket::ERROR_AFNOSUPPORT:
        return "EAFNOSUPPORT";
    case Socket::ERROR_INVAL:
        return "EINVAL";
    case Socket::ERROR_BADF:
        return "EBADF";
    case Socket::ERROR_NOROUTETOHOST:
        return "EHOSTUNREACH";
    case Socket::ERROR_NODEV:
        return "ENODEV";
    case Socket::ERROR_ADDRNOTAVAIL:
        return "EADDRNOTAVAIL";
    case Socket::ERROR_ADDRINUSE:
        return "EADDRINUSE";
    default:
        return "E?";
    }
}

std::string
RecvFailure(Ptr<Socket> socket)
{
    std::string e = SocketErrnoName(socket);
    return e == "EAGAIN" || e == "ok" ? "" : e;
}

} // namespace ns3
