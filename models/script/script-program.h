/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SCRIPT_PROGRAM_H
#define PORTLAB_SCRIPT_PROGRAM_H

#include "ports/port-sysctls.h"

#include <cstdint>
#include <string>
#include <vector>

namespace portlab
{

struct TcpSocketView;
struct TimeWaitEntry;
struct UdpSocketView;

/**
 * \ingroup portlab-script
 * \brief What a statement does.
 */
enum class ScriptVerb
{
    HOST,        //!< host NAME [timewait_hz=HZ]
    LINK,        //!< link A B ADDR_A ADDR_B [DELAY] [rate=RATE] [loss=P]
    SYSCTL,      //!< sysctl HOST|* KEY=VALUE
    TCP,         //!< tcp HOST SOCK [OPTION...]
    UDP,         //!< udp HOST SOCK [OPTION...]
    SETSOCKOPT,  //!< setsockopt SOCK OPTION [VALUE]
    GETSOCKOPT,  //!< getsockopt SOCK OPTION
    BIND,        //!< bind SOCK ADDR:PORT
    LISTEN,      //!< listen SOCK [BACKLOG]
    CONNECT,     //!< connect SOCK ADDR:PORT
    ACCEPT,      //!< accept LISTENER SOCK
    SEND,        //!< send SOCK BYTES
    SENDTO,      //!< sendto SOCK ADDR:PORT BYTES
    RECV,        //!< recv SOCK
    RECVFROM,    //!< recvfrom SOCK
    SHUTDOWN,    //!< shutdown SOCK rd|wr|rdwr
    CLOSE,       //!< close SOCK
    WAIT,        //!< wait DURATION
    STATE,       //!< state SOCK
    PORT,        //!< port SOCK
    GETSOCKNAME, //!< getsockname SOCK
    GETPEERNAME, //!< getpeername SOCK
    SS,          //!< ss HOST [rows [tcp|udp]]
    COUNTERS     //!< counters HOST [NAME...]
};

/**
 * \ingroup portlab-script
 * \brief A socket option a script may set or read, by its Linux name.
 */
enum class ScriptOption
{
    SO_REUSEADDR_,            //!< 0 or 1
    SO_REUSEPORT_,            //!< 0 or 1
    SO_LINGER_,               //!< "off" or a time in whole seconds ("0" for an abortive close)
    IP_BIND_ADDRESS_NO_PORT_, //!< 0 or 1
    IP_LOCAL_PORT_RANGE_,     //!< LO-HI (0-0: the host's range)
    SO_BINDTODEVICE_,         //!< a device name: lo, or ethN (the Nth link of the host, from 0)
    O_NONBLOCK_,              //!< 0 or 1 (fcntl)
    SO_ERROR_                 //!< read only: the pending error, cleared by reading it
};

/**
 * \ingroup portlab-script
 * \brief An IPv4 address and port as written in a script.
 */
struct ScriptEndpoint
{
    uint32_t address{0}; //!< host byte order
    uint16_t port{0};    //!< port
};

/**
 * \ingroup portlab-script
 * \brief One statement, validated.
 */
struct ScriptStatement
{
    int line{0};                       //!< 1-based line in the script
    std::string text;                  //!< the statement as written (words joined by one space)
    ScriptVerb verb{ScriptVerb::WAIT}; //!< what it does
    std::vector<std::string> names;    //!< host and socket names, in the order written
    ScriptEndpoint endpoint;           //!< bind, connect, sendto
    ScriptEndpoint endpoint2;          //!< link: the second host's address (first in endpoint)
    uint64_t bytes{0};                 //!< send, sendto
    int64_t nanoseconds{0};            //!< wait; link delay
    uint64_t rateBps{0};               //!< link rate= in bits per second (0: none given)
    double loss{0};                    //!< link loss= as a probability (0: none given)
    int64_t number{-1};                //!< listen backlog (-1: none given); host timewait_hz
    ScriptOption option{ScriptOption::SO_ERROR_}; //!< setsockopt, getsockopt
    /// setsockopt's value; sysctl's KEY=VALUE; shutdown's how; ss: "" (counts per state),
    /// "all", "tcp" or "udp" (rows)
    std::string value;
    /// sysctl: the setting, parsed once here (its text is VALUE as written)
    SysctlSetting sysctl;
    /// tcp/udp creation options: reuseaddr reuseport linger0 nonblock, "uid=N", "linger=S";
    /// counters: the counter names (none: all of them)
    std::vector<std::string> options;
    bool hasExpectation{false}; //!< "-> EXPECTED" given
    /// EXPECTED, words joined by one space; an expectation block (`ss HOST rows ->` followed
    /// by `| ROW` lines) has one line per row, joined by '\n'
    std::string expected;
};

/**
 * \ingroup portlab-script
 * \brief A parsed script.
 */
struct ScriptProgram
{
    std::string name;                        //!< file name, for messages
    std::vector<ScriptStatement> statements; //!< every statement, in order
};

/**
 * \ingroup portlab-script
 * \brief The outcome of one script line that checks something.
 */
struct ScriptCheck
{
    int line{0};          //!< 1-based line
    std::string text;     //!< the statement
    std::string expected; //!< what the script expects
    std::string got;      //!< what happened (`ss HOST rows`: one line per row)
    bool ok{false};       //!< they agree (ScriptResultMatches; the time plays no part)
    int64_t timeNs{0};    //!< when it happened: simulated time, or real time since the start
};

/**
 * \ingroup portlab-script
 * \brief The time a check line carries, as `portlab script` prints it: seconds with six
 * decimals in brackets, "[  0.010000]" (simulated time on the model, real time since the
 * script started on the kernel). Only printed, never compared.
 * \param ns nanoseconds \return the text
 */
std::string ScriptTimeText(int64_t ns);

/**
 * \ingroup portlab-script
 * \brief Does a result agree with an expectation? "*" matches anything; "ADDR:*" any port of
 * ADDR (a getsockname of an ephemeral port); "LO-HI" a port number in that range (a `port`
 * of an ephemeral port); anything else must be equal. A result of several words or lines
 * (`ss HOST rows`, `counters`) also agrees word by word: the same number of lines and of
 * words in each, each word agreeing by the rules above or as "ADDR:LO-HI" (a port of ADDR in
 * the range) or "NAME=*" (any number).
 * \param expected the expectation \param got the result \return whether they agree
 */
bool ScriptResultMatches(const std::string& expected, const std::string& got);

/// \ingroup portlab-script
/// The most bytes one send may carry: Linux's MAX_RW_COUNT (INT_MAX & PAGE_MASK).
constexpr uint64_t SCRIPT_MAX_SEND_BYTES = 2147479552;
/// \ingroup portlab-script
/// The longest wait (simulated time stays far from ns-3's 64-bit nanosecond limit).
constexpr int64_t SCRIPT_MAX_WAIT_NS = int64_t(1000000) * 1000000000;
/// \ingroup portlab-script
/// The longest one-way link delay.
constexpr int64_t SCRIPT_MAX_LINK_DELAY_NS = int64_t(60) * 1000000000;
/// \ingroup portlab-script
/// The most statements one script may hold.
constexpr size_t SCRIPT_MAX_STATEMENTS = 100000;

/**
 * \ingroup portlab-script
 * \brief Parse and validate a socket script; nothing runs.
 *
 * Every error names the line, the statement and what is allowed: an unknown verb, a wrong
 * number of arguments, an option, address, port, size, duration or expectation that is not
 * allowed, a name used before it is declared, a host or link after the first socket call.
 * \param text the script
 * \param name its name in messages
 * \return the program
 * \throws ConfigError
 */
ScriptProgram ParseScript(const std::string& text, const std::string& name);

/**
 * \ingroup portlab-script
 * \param verb a verb \return its name as written in scripts
 */
const char* ScriptVerbName(ScriptVerb verb);

/**
 * \ingroup portlab-script
 * \param option an option \return its Linux name
 */
const char* ScriptOptionName(ScriptOption option);

/**
 * \ingroup portlab-script
 * \param e a Linux errno value (0 for success) \return "ok" or its name ("EADDRINUSE")
 */
std::string ScriptErrnoName(int e);

/**
 * \ingroup portlab-script
 * \brief What `ss HOST` prints: TCP sockets counted per state, in one fixed order (LISTEN,
 * ESTAB, SYN-SENT, SYN-RECV, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, LAST-ACK, CLOSING,
 * TIME-WAIT, then any other), "none" when there are none.
 * \param states one `ss` state name per socket ("ESTAB", "TIME-WAIT" ...)
 * \return e.g. "LISTEN=1 TIME-WAIT=2"
 */
std::string ScriptSsText(const std::vector<std::string>& states);

/**
 * \ingroup portlab-script
 * \brief One socket as `ss HOST rows` prints it (the columns of Linux `ss -tuan`).
 */
struct ScriptSsRow
{
    std::string netid;     //!< "tcp" or "udp"
    std::string state;     //!< ss's state name: LISTEN, ESTAB, TIME-WAIT, UNCONN ...
    uint64_t recvQ{0};     //!< Recv-Q
    uint64_t sendQ{0};     //!< Send-Q
    uint32_t localAddr{0}; //!< local address, host byte order
    uint16_t localPort{0}; //!< local port
    uint32_t peerAddr{0};  //!< peer address (0.0.0.0 when not connected)
    uint16_t peerPort{0};  //!< peer port (0, printed "*", when not connected)
};

/**
 * \ingroup portlab-script
 * \brief What `ss HOST rows` prints: one line per socket, "tcp LISTEN 0 4096
 * 127.0.0.1:8888 0.0.0.0:*" (netid, state, Recv-Q, Send-Q, local, peer; port 0 is "*"),
 * sorted by netid (tcp, then udp), local address, local port, peer address, peer port, then
 * state and queues (numerically), so that both interpreters print the same order; "none"
 * when there are none.
 * \param rows the sockets, in any order
 * \return the lines joined by '\n'
 */
std::string ScriptSsRowsText(std::vector<ScriptSsRow> rows);

/**
 * \ingroup portlab-script
 * \brief The `ss` row of a TCP socket of a port table, queues 0 (each interpreter knows its
 * own queues).
 * \param v the socket \return its row
 */
ScriptSsRow ScriptSsTcpRow(const TcpSocketView& v);

/**
 * \ingroup portlab-script
 * \brief The `ss` row of a TIME_WAIT entry: TIME-WAIT, or FIN-WAIT-2 for an orphan's FIN_WAIT2
 * entry, as ss lists a timewait sock by its substate; queues 0.
 * \param tw the entry \return its row
 */
ScriptSsRow ScriptSsTimeWaitRow(const TimeWaitEntry& tw);

/**
 * \ingroup portlab-script
 * \brief The `ss` row of a UDP socket of a port table: ESTAB with its peer once connected,
 * else UNCONN with peer 0.0.0.0:*; queues 0.
 * \param v the socket \return its row
 */
ScriptSsRow ScriptSsUdpRow(const UdpSocketView& v);

/**
 * \ingroup portlab-script
 * \brief The check of one statement with an expectation, as every interpreter reports it.
 * \param s the statement \param got what happened \param timeNs when
 * \return the check, ok when ScriptResultMatches(s.expected, got)
 */
ScriptCheck ScriptCheckOf(const ScriptStatement& s, const std::string& got, int64_t timeNs);

/**
 * \ingroup portlab-script
 * \return the counters `counters HOST` may name, in the order it prints them (LinuxMib's)
 */
std::vector<std::string> ScriptCounterNames();

/**
 * \ingroup portlab-script
 * \param e an endpoint \return "A.B.C.D:PORT"
 */
std::string ScriptEndpointText(const ScriptEndpoint& e);

} // namespace portlab

#endif // PORTLAB_SCRIPT_PROGRAM_H
