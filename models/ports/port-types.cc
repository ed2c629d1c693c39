/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/port-types.h"

#include <array>
#include <cstdio>

namespace portlab
{

bool
ParseIpv4(const std::string& text, Ipv4& out)
{
    uint32_t value = 0;
    int parts = 0;
    size_t i = 0;
    while (parts < 4)
    {
        if (i >= text.size() || text[i] < '0' || text[i] > '9')
        {
            return false;
        }
        uint32_t octet = 0;
        size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9')
        {
            octet = octet * 10 + static_cast<uint32_t>(text[i] - '0');
            ++i;
            if (++digits > 3 || octet > 255)
            {
                return false;
            }
        }
        value = (value << 8) | octet;
        ++parts;
        if (parts < 4)
        {
            if (i >= text.size() || text[i] != '.')
            {
                return false;
            }
            ++i;
        }
    }
    if (i != text.size())
    {
        return false;
    }
    out = value;
    return true;
}

std::string
FormatIpv4(Ipv4 addr)
{
    char buf[16];
    std::snprintf(buf,
                  sizeof(buf),
                  "%u.%u.%u.%u",
                  (addr >> 24) & 0xff,
                  (addr >> 16) & 0xff,
                  (addr >> 8) & 0xff,
                  addr & 0xff);
    return buf;
}

namespace
{
const std::array<const char*, static_cast<size_t>(Errno::COUNT)> ERRNO_NAMES = {
    "ok",
    "EADDRINUSE",
    "EADDRNOTAVAIL",
    "EINVAL",
    "EACCES",
    "EAGAIN",
    "EISCONN",
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "EPIPE",
    "ENOTCONN",
    "EOPNOTSUPP",
    "EALREADY",
    "EINPROGRESS",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "EBADF",
    "EDESTADDRREQ",
    "ECONNABORTED",
};
} // namespace

const char*
ErrnoName(Errno e)
{
    auto i = static_cast<size_t>(e);
    return i < ERRNO_NAMES.size() ? ERRNO_NAMES[i] : "E?";
}

bool
ParseErrno(const std::string& name, Errno& out)
{
    for (size_t i = 0; i < ERRNO_NAMES.size(); ++i)
    {
        if (name == ERRNO_NAMES[i])
        {
            out = static_cast<Errno>(i);
            return true;
        }
    }
    return false;
}

const char*
SsStateName(TcpState s)
{
    switch (s)
    {
    case TcpState::ESTABLISHED:
        return "ESTAB";
    case TcpState::SYN_SENT:
        return "SYN-SENT";
    case TcpState::SYN_RECV:
        return "SYN-RECV";
    case TcpState::FIN_WAIT1:
        return "FIN-WAIT-1";
    case TcpState::FIN_WAIT2:
        return "FIN-WAIT-2";
    case TcpState::TIME_WAIT:
        return "TIME-WAIT";
    case TcpState::CLOSE:
        return "UNCONN";
    case TcpState::CLOSE_WAIT:
        return "CLOSE-WAIT";
    case TcpState::LAST_ACK:
        return "LAST-ACK";
    case TcpState::LISTEN:
        return "LISTEN";
    case TcpState::CLOSING:
        return "CLOSING";
    }
    return "UNKNOWN";
}

const char*
TcpStateName(TcpState s)
{
    switch (s)
    {
    case TcpState::ESTABLISHED:
        return "ESTABLISHED";
    case TcpState::SYN_SENT:
        return "SYN_SENT";
    case TcpState::SYN_RECV:
        return "SYN_RECV";
    case TcpState::FIN_WAIT1:
        return "FIN_WAIT1";
    case TcpState::FIN_WAIT2:
        return "FIN_WAIT2";
    case TcpState::TIME_WAIT:
        return "TIME_WAIT";
    case TcpState::CLOSE:
        return "CLOSE";
    case TcpState::CLOSE_WAIT:
        return "CLOSE_WAIT";
    case TcpState::LAST_ACK:
        return "LAST_ACK";
    case TcpState::LISTEN:
        return "LISTEN";
    case TcpState::CLOSING:
        return "CLOSING";
    }
    return "UNKNOWN";
}

uint32_t
HashFourTuple(const FourTuple& t, uint64_t secret)
{
    uint64_t a = (static_cast<uint64_t>(t.localAddr) << 32) | t.remoteAddr;
    uint64_t b = (static_cast<uint64_t>(t.localPort) << 16) | t.remotePort;
    uint64_t h = Mix64(a ^ secret);
    h = Mix64(h ^ b ^ (secret >> 7));
    return static_cast<uint32_t>(h ^ (h >> 32));
}

} // namespace portlab
