/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_PORT_TYPES_H
#define PORTLAB_PORT_TYPES_H

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
