/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "nat/conntrack-types.h"

namespace portlab
{

std::string
CtTuple::ToString() const
{
    return FormatIpv4(src) + ":" + std::to_string(sport) + ">" + FormatIpv4(dst) + ":" +
           std::to_string(dport);
}

const char*
TcpCtStateName(TcpCtState s)
{
    switch (s)
    {
    case TcpCtState::NONE:
        return "NONE";
    case TcpCtState::SYN_SENT:
        return "SYN_SENT";
    case TcpCtState::SYN_RECV:
        return "SYN_RECV";
    case TcpCtState::ESTABLISHED:
        return "ESTABLISHED";
    case TcpCtState::FIN_WAIT:
        return "FIN_WAIT";
    case TcpCtState::CLOSE_WAIT:
        return "CLOSE_WAIT";
    case TcpCtState::LAST_ACK:
        return "LAST_ACK";
    case TcpCtState::TIME_WAIT:
        return "TIME_WAIT";
    case TcpCtState::CLOSE:
        return "CLOSE";
    case TcpCtState::SYN_SENT2:
        return "SYN_SENT2";
    case TcpCtState::MAX:
        return "INVALID";
    case TcpCtState::IGNORE:
        return "IGNORE";
    }
    return "?";
}

NatRange
NatRange::Masquerade(Ipv4 outAddr, uint16_t minPort, uint16_t maxPort, uint8_t extraFlags)
{
    return Snat(outAddr, outAddr, minPort, maxPort, extraFlags);
}

NatRange
NatRange::Snat(Ipv4 minAddr, Ipv4 maxAddr, uint16_t minPort, uint16_t maxPort, uint8_t extraFlags)
{
    NatRange r;
    r.flags = static_cast<uint8_t>(MAP_IPS | extraFlags);
    r.minAddr = minAddr;
    r.maxAddr = maxAddr;
    if (minPort != 0 || maxPort != 0)
    {
        r.flags |= PROTO_SPECIFIED;
        r.minPort = minPort;
        r.maxPort = maxPort;
    }
    return r;
}

std::string
CtCounters::ToString() const
{
    return "cpu=0 found=" + std::to_string(found) + " invalid=" + std::to_string(invalid) +
           " insert=" + std::to_string(insert) + " insert_failed=" + std::to_string(insertFailed) +
           " drop=" + std::to_string(drop) + " early_drop=" + std::to_string(earlyDrop) +
           " error=" + std::to_string(error) + " search_restart=" + std::to_string(searchRestart) +
           " clash_resolve=" + std::to_string(clashResolve) +
           " chaintoolong=" + std::to_string(chainTooLong);
}

namespace
{

inline uint32_t
Rol32(uint32_t x, unsigned k)
{
    return (x << k) | (x >> (32 - k));
}

/// __jhash_mix
inline void
JhashMix(uint32_t& a, uint32_t& b, uint32_t& c)
{
    a -= c;
    a ^= Rol32(c, 4);
    c += b;
    b -= a;
    b ^= Rol32(a, 6);
    a += c;
    c -= b;
    c ^= Rol32(b, 8);
    b += a;
    a -= c;
    a ^= Rol32(c, 16);
    c += b;
    b -= a;
    b ^= Rol32(a, 19);
    a += c;
    c -= b;
    c ^= Rol32(b, 4);
    b += a;
}

/// __jhash_final
inline void
JhashFinal(uint32_t& a, uint32_t& b, uint32_t& c)
{
    c ^= b;
    c -= Rol32(b, 14);
    a ^= c;
    a -= Rol32(c, 11);
    b ^= a;
    b -= Rol32(a, 25);
    c ^= b;
    c -= Rol32(b, 16);
    a ^= c;
    a -= Rol32(c, 4);
    b ^= a;
    b -= Rol32(a, 14);
    c ^= b;
    c -= Rol32(b, 24);
}

} // namespace

uint32_t
Jhash2(const uint32_t* k, size_t length, uint32_t initval)
{
    uint32_t a = 0xdeadbeef + (static_cast<uint32_t>(length) << 2) + initval; // JHASH_INITVAL
    uint32_t b = a;
    uint32_t c = a;
    while (length > 3)
    {
        a += k[0];
        b += k[1];
        c += k[2];
        JhashMix(a, b, c);
        length -= 3;
        k += 3;
    }
    switch (length)
    {
    case 3:
        c += k[2];
        [[fallthrough]];
    case 2:
        b += k[1];
        [[fallthrough]];
    case 1:
        a += k[0];
        JhashFinal(a, b, c);
        break;
    default:
        break;
    }
    return c;
}

} // namespace portlab
