/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_PORT_TYPES_H
#define PORTLAB_PORT_TYPES_H

#include <array>
#include <cstdint>
#include <string>

namespace portlab
{

/// Simulated time in nanoseconds (ns-3's default Time resolution).
using TimeNs = int64_t;

/// One second in TimeNs units.
constexpr TimeNs NS_PER_SECOND = 1000000000;
/// One millisecond in TimeNs units.
constexpr TimeNs NS_PER_MS = 1000000;

/// An IPv4 address in host byte order (127.0.0.1 == 0x7f000001); 0 is INADDR_ANY.
using Ipv4 = uint32_t;

/// INADDR_ANY, the wildcard address.
constexpr Ipv4 ADDR_ANY = 0;

/// Linux's LOOPBACK_IFINDEX: the interface index of "lo".
constexpr uint32_t LOOPBACK_IFINDEX = 1;

/**
 * \ingroup portlab-ports
 * \brief Parse dotted-quad text into an Ipv4.
 * \param text e.g. "127.0.0.1"
 * \param out receives the address on success
 * \return true if \p text is a valid dotted-quad address
 */
bool ParseIpv4(const std::string& text, Ipv4& out);

/**
 * \ingroup portlab-ports
 * \brief Format an Ipv4 as dotted-quad text.
 * \param addr the address
 * \return e.g. "127.0.0.1"
 */
std::string FormatIpv4(Ipv4 addr);

/// LOOPBACK4_IPV6, 127.0.0.6: the IPv4 local address Linux gives an AF_INET6 socket bound to,
/// or connected from, a native IPv6 address (neither `::` nor \::ffff:a.b.c.d).
constexpr Ipv4 LOOPBACK4_IPV6 = 0x7f000006;

/**
 * \ingroup portlab-ports
 * \brief An IPv6 address, 16 bytes in network order.
 */
struct Ipv6
{
    std::array<uint8_t, 16> bytes{}; //!< the address, most significant byte first

    /// \param o another address \return true if all 16 bytes are equal
    bool operator==(const Ipv6& o) const
    {
        return bytes == o.bytes;
    }

    /// \param o another address \return true if any byte differs
    bool operator!=(const Ipv6& o) const
    {
        return bytes != o.bytes;
    }
};

/**
 * \ingroup portlab-ports
 * \brief The three classes of ipv6_addr_type() that the port rules tell apart.
 */
enum class Ipv6Class : uint8_t
{
    ANY,    //!< `::`
    MAPPED, //!< \::ffff:a.b.c.d, \::ffff:0.0.0.0 included
    OTHER,  //!< every other address (`::1`, ULA, global, link-local)
};

/**
 * \ingroup portlab-ports
 * \brief ipv6_addr_type() reduced to the classes the port rules use.
 * \param a the address
 * \return ANY, MAPPED or OTHER
 */
Ipv6Class ClassifyIpv6(const Ipv6& a);

/**
 * \ingroup portlab-ports
 * \brief The embedded IPv4 address of a v4-mapped address.
 * \param a an address of class MAPPED
 * \return a.b.c.d of \::ffff:a.b.c.d
 */
Ipv4 MappedIpv4(const Ipv6& a);

/**
 * \ingroup portlab-ports
 * \brief ipv6_addr_set_v4mapped(): \::ffff:a.b.c.d.
 * \param v4 the IPv4 address
 * \return the v4-mapped address
 */
Ipv6 MakeMappedIpv6(Ipv4 v4);

/**
 * \ingroup portlab-ports
 * \brief __ipv6_addr_needs_scope_id(): link-local unicast (fe80::/10) and interface- or
 * link-local multicast addresses need an interface.
 * \param a the address
 * \return true if a bind needs a scope id or a bound device
 */
bool Ipv6NeedsScopeId(const Ipv6& a);

/**
 * \ingroup portlab-ports
 * \brief Parse IPv6 text (RFC 4291 forms, "::" compression, a trailing dotted quad).
 * \param text e.g. "::1", "fd00::1", "::ffff:127.0.0.1"
 * \param out receives the address on success
 * \return true if \p text is a valid IPv6 address
 */
bool ParseIpv6(const std::string& text, Ipv6& out);

/**
 * \ingroup portlab-ports
 * \brief Format an IPv6 address as inet_ntop() does (RFC 5952: longest zero run as "::",
 * lower case; v4-mapped with a dotted quad).
 * \param a the address
 * \return e.g. "::1", "::ffff:127.0.0.1"
 */
std::string FormatIpv6(const Ipv6& a);

/**
 * \ingroup portlab-ports
 * \brief A socket address of either family: what bind() and connect() take.
 */
struct InetAddress
{
    bool inet6{false};   //!< AF_INET6 (then v6 and scopeId count), else AF_INET (v4)
    Ipv4 v4{0};          //!< the AF_INET address
    Ipv6 v6{};           //!< the AF_INET6 address
    uint32_t scopeId{0}; //!< sin6_scope_id (an interface index; 0 = none)

    /// \param a an IPv4 address \return it as an AF_INET address
    static InetAddress V4(Ipv4 a)
    {
        InetAddress r;
        r.v4 = a;
        return r;
    }

    /// \param a an IPv6 address \param scope sin6_scope_id \return it as an AF_INET6 address
    static InetAddress V6(const Ipv6& a, uint32_t scope = 0)
    {
        InetAddress r;
        r.inet6 = true;
        r.v6 = a;
        r.scopeId = scope;
        return r;
    }
};

/**
 * \ingroup portlab-ports
 * \brief Parse "a.b.c.d" (AF_INET), or an IPv6 address, bare or in brackets, with an optional
 * numeric scope ("fe80::1%2", "[::1]").
 * \param text the text
 * \param out receives the address on success
 * \return true if \p text is valid
 */
bool ParseInetAddress(const std::string& text, InetAddress& out);

/**
 * \ingroup portlab-ports
 * \brief Format an address: "a.b.c.d" for AF_INET, the IPv6 text (with "%scope" when set)
 * for AF_INET6.
 * \param a the address
 * \return the text
 */
std::string FormatInetAddress(const InetAddress& a);

/**
 * \ingroup portlab-ports
 * \brief Whether \p addr is in 127.0.0.0/8 (Linux's ipv4_is_loopback).
 * \param addr the address
 * \return true for loopback addresses
 */
inline bool
IsLoopback(Ipv4 addr)
{
    return (addr >> 24) == 127;
}

/**
 * \ingroup portlab-ports
 * \brief The result of a socket call, named after Linux's errno values.
 *
 * ns-3's Socket::SocketErrno lacks most of these; the transport maps them where it can.
 */
enum class Errno : uint8_t
{
    OK = 0,       //!< success
    ADDRINUSE,    //!< address (port) already in use
    ADDRNOTAVAIL, //!< no local address/port, or 4-tuple taken (connect)
    INVAL,        //!< invalid argument or socket state
    ACCES,        //!< privileged port without CAP_NET_BIND_SERVICE
    AGAIN,        //!< implicit autobind failed (UDP)
    ISCONN,       //!< already connected
    CONNREFUSED,  //!< RST in reply to SYN, or ICMP port unreachable
    CONNRESET,    //!< connection reset by peer
    TIMEDOUT,     //!< retransmissions exhausted
    PIPE,         //!< write after shutdown
    NOTCONN,      //!< not connected
    OPNOTSUPP,    //!< operation not supported
    ALREADY,      //!< connect already in progress
    INPROGRESS,   //!< non-blocking connect started
    HOSTUNREACH,  //!< no route
    NETUNREACH,   //!< network unreachable
    BADF,         //!< not an open descriptor (a call after close())
    DESTADDRREQ,  //!< send() on an unconnected datagram socket
    CONNABORTED,  //!< a failed connect whose error was already read (sock_error() gave 0)
    NOPROTOOPT,   //!< IPV6_V6ONLY on an AF_INET socket
    AFNOSUPPORT,  //!< an address of the other family
    COUNT         //!< number of values (not an errno)
};

/**
 * \ingroup portlab-ports
 * \brief Linux's name for an Errno ("ok" for success, as the recorded goldens write it).
 * \param e the value
 * \return "ok", "EADDRINUSE", ...
 */
const char* ErrnoName(Errno e);

/**
 * \ingroup portlab-ports
 * \brief Parse an errno name ("EADDRINUSE", "ok").
 * \param name the name
 * \param out receives the value
 * \return true if \p name is known
 */
bool ParseErrno(const std::string& name, Errno& out);

/**
 * \ingroup portlab-ports
 * \brief TCP socket states with Linux's numbering and `ss` names.
 */
enum class TcpState : uint8_t
{
    ESTABLISHED = 1,
    SYN_SENT = 2,
    SYN_RECV = 3,
    FIN_WAIT1 = 4,
    FIN_WAIT2 = 5,
    TIME_WAIT = 6,
    CLOSE = 7,
    CLOSE_WAIT = 8,
    LAST_ACK = 9,
    LISTEN = 10,
    CLOSING = 11,
};

/**
 * \ingroup portlab-ports
 * \brief The state name as `ss -tan` prints it ("ESTAB", "TIME-WAIT", "LISTEN", ...).
 * \param s the state
 * \return the `ss` column text
 */
const char* SsStateName(TcpState s);

/**
 * \ingroup portlab-ports
 * \brief Linux's kernel name of the state ("TCP_ESTABLISHED" without the prefix).
 * \param s the state
 * \return "ESTABLISHED", "TIME_WAIT", ...
 */
const char* TcpStateName(TcpState s);

/**
 * \ingroup portlab-ports
 * \brief A connection's 4-tuple, local side first.
 */
struct FourTuple
{
    Ipv4 localAddr{0};      //!< local address
    Ipv4 remoteAddr{0};     //!< remote address
    uint16_t localPort{0};  //!< local port
    uint16_t remotePort{0}; //!< remote port

    /// \param o another tuple
    /// \return true if all four fields are equal
    bool operator==(const FourTuple& o) const
    {
        return localAddr == o.localAddr && remoteAddr == o.remoteAddr && localPort == o.localPort &&
               remotePort == o.remotePort;
    }
};

/**
 * \ingroup portlab-ports
 * \brief A well-mixed 32-bit hash of a 4-tuple under a secret (Linux uses a keyed jhash,
 * random per boot; any uniform keyed hash reproduces its statistics).
 * \param t the 4-tuple
 * \param secret per-host secret
 * \return the hash
 */
uint32_t HashFourTuple(const FourTuple& t, uint64_t secret);

/**
 * \ingroup portlab-ports
 * \brief 64-bit finaliser (SplitMix64's), used for keyed hashes.
 * \param x input
 * \return mixed value
 */
inline uint64_t
Mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/**
 * \ingroup portlab-ports
 * \brief Linux's reciprocal_scale: maps a 32-bit value uniformly onto [0, n).
 * \param value the value
 * \param n the range size
 * \return ((u64)value * n) >> 32
 */
inline uint32_t
ReciprocalScale(uint32_t value, uint32_t n)
{
    return static_cast<uint32_t>((static_cast<uint64_t>(value) * n) >> 32);
}

} // namespace portlab

#endif // PORTLAB_PORT_TYPES_H
