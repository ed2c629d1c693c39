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

Ipv6Class
ClassifyIpv6(const Ipv6& a)
{
    for (size_t i = 0; i < 10; ++i)
    {
        if (a.bytes[i] != 0)
        {
            return Ipv6Class::OTHER;
        }
    }
    if (a.bytes[10] == 0xff && a.bytes[11] == 0xff)
    {
        return Ipv6Class::MAPPED;
    }
    if (a.bytes[10] == 0 && a.bytes[11] == 0 && a.bytes[12] == 0 && a.bytes[13] == 0 &&
        a.bytes[14] == 0 && a.bytes[15] == 0)
    {
        return Ipv6Class::ANY;
    }
    return Ipv6Class::OTHER;
}

Ipv4
MappedIpv4(const Ipv6& a)
{
    return (static_cast<Ipv4>(a.bytes[12]) << 24) | (static_cast<Ipv4>(a.bytes[13]) << 16) |
           (static_cast<Ipv4>(a.bytes[14]) << 8) | a.bytes[15];
}

Ipv6
MakeMappedIpv6(Ipv4 v4)
{
    Ipv6 a;
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    a.bytes[12] = static_cast<uint8_t>(v4 >> 24);
    a.bytes[13] = static_cast<uint8_t>(v4 >> 16);
    a.bytes[14] = static_cast<uint8_t>(v4 >> 8);
    a.bytes[15] = static_cast<uint8_t>(v4);
    return a;
}

bool
Ipv6NeedsScopeId(const Ipv6& a)
{
    if (a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80)
    {
        return true; // fe80::/10, link-local unicast
    }
    // Multicast with interface-local (1) or link-local (2) scope.
    return a.bytes[0] == 0xff && ((a.bytes[1] & 0x0f) == 1 || (a.bytes[1] & 0x0f) == 2);
}

bool
ParseIpv6(const std::string& text, Ipv6& out)
{
    // Groups before and after a "::"; a dotted quad may end the text.
    std::array<uint16_t, 8> head{};
    std::array<uint16_t, 8> tail{};
    size_t nHead = 0;
    size_t nTail = 0;
    bool compressed = false;
    size_t i = 0;
    if (text.size() >= 2 && text[0] == ':' && text[1] == ':')
    {
        compressed = true;
        i = 2;
    }
    else if (!text.empty() && text[0] == ':')
    {
        return false;
    }
    while (i < text.size())
    {
        size_t end = text.find(':', i);
        std::string part = text.substr(i, end == std::string::npos ? std::string::npos : end - i);
        auto& groups = compressed ? tail : head;
        size_t& n = compressed ? nTail : nHead;
        if (part.find('.') != std::string::npos)
        {
            Ipv4 v4;
            if (end != std::string::npos || n + 2 > 8 || !ParseIpv4(part, v4))
            {
                return false;
            }
            groups[n++] = static_cast<uint16_t>(v4 >> 16);
            groups[n++] = static_cast<uint16_t>(v4 & 0xffff);
            i = text.size();
            break;
        }
        if (part.empty() || part.size() > 4 || n >= 8)
        {
            return false;
        }
        uint32_t g = 0;
        for (char c : part)
        {
            int d = (c >= '0' && c <= '9')   ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : -1;
            if (d < 0)
            {
                return false;
            }
            g = g * 16 + static_cast<uint32_t>(d);
        }
        groups[n++] = static_cast<uint16_t>(g);
        if (end == std::string::npos)
        {
            i = text.size();
            break;
        }
        i = end + 1;
        if (i < text.size() && text[i] == ':')
        {
            if (compressed)
            {
                return false; // a second "::"
            }
            compressed = true;
            ++i;
        }
        else if (i == text.size())
        {
            return false; // a trailing single ':'
        }
    }
    if (compressed ? nHead + nTail > 7 : nHead != 8)
    {
        return false;
    }
    std::array<uint16_t, 8> all{};
    for (size_t k = 0; k < nHead; ++k)
    {
        all[k] = head[k];
    }
    for (size_t k = 0; k < nTail; ++k)
    {
        all[8 - nTail + k] = tail[k];
    }
    for (size_t k = 0; k < 8; ++k)
    {
        out.bytes[2 * k] = static_cast<uint8_t>(all[k] >> 8);
        out.bytes[2 * k + 1] = static_cast<uint8_t>(all[k] & 0xff);
    }
    return true;
}

std::string
FormatIpv6(const Ipv6& a)
{
    if (ClassifyIpv6(a) == Ipv6Class::MAPPED)
    {
        return "::ffff:" + FormatIpv4(MappedIpv4(a));
    }
    std::array<uint16_t, 8> g{};
    for (size_t k = 0; k < 8; ++k)
    {
        g[k] = static_cast<uint16_t>((a.bytes[2 * k] << 8) | a.bytes[2 * k + 1]);
    }
    // The longest run of two or more zero groups (the first of equal runs) becomes "::".
    int bestAt = -1;
    int bestLen = 1;
    for (int k = 0; k < 8;)
    {
        int len = 0;
        while (k + len < 8 && g[k + len] == 0)
        {
            ++len;
        }
        if (len > bestLen)
        {
            bestAt = k;
            bestLen = len;
        }
        k += len > 0 ? len : 1;
    }
    std::string out;
    char buf[8];
    for (int k = 0; k < 8; ++k)
    {
        if (k == bestAt)
        {
            out += "::";
            k += bestLen - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':')
        {
            out += ':';
        }
        std::snprintf(buf, sizeof(buf), "%x", g[k]);
        out += buf;
    }
    return out;
}

bool
ParseInetAddress(const std::string& text, InetAddress& out)
{
    Ipv4 v4;
    if (ParseIpv4(text, v4))
    {
        out = InetAddress::V4(v4);
        return true;
    }
    std::string t = text;
    if (t.size() >= 2 && t.front() == '[' && t.back() == ']')
    {
        t = t.substr(1, t.size() - 2);
    }
    uint32_t scope = 0;
    size_t pct = t.find('%');
    if (pct != std::string::npos)
    {
        std::string digits = t.substr(pct + 1);
        if (digits.empty() || digits.size() > 9 ||
            digits.find_first_not_of("0123456789") != std::string::npos)
        {
            return false;
        }
        scope = static_cast<uint32_t>(std::stoul(digits));
        t = t.substr(0, pct);
    }
    Ipv6 v6;
    if (!ParseIpv6(t, v6))
    {
        return false;
    }
    out = InetAddress::V6(v6, scope);
    return true;
}

std::string
FormatInetAddress(const InetAddress& a)
{
    if (!a.inet6)
    {
        return FormatIpv4(a.v4);
    }
    std::string s = FormatIpv6(a.v6);
    if (a.scopeId != 0)
    {
        s += "%" + std::to_string(a.scopeId);
    }
    return s;
}

namespace
{
const std::array<const char*, static_cast<size_t>(Errno::COUNT)> ERRNO_NAMES = {
    "ok",           "EADDRINUSE",   "EADDRNOTAVAIL", "EINVAL",       "EACCES",      "EAGAIN",
    "EISCONN",      "ECONNREFUSED", "ECONNRESET",    "ETIMEDOUT",    "EPIPE",       "ENOTCONN",
    "EOPNOTSUPP",   "EALREADY",     "EINPROGRESS",   "EHOSTUNREACH", "ENETUNREACH", "EBADF",
    "EDESTADDRREQ", "ECONNABORTED", "ENOPROTOOPT",   "EAFNOSUPPORT",
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
