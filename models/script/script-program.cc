/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "script/script-program.h"

#include "ports/port-sysctls.h"
#include "ports/port-types.h"
#include "ports/tcp-port-table.h"
#include "ports/udp-port-table.h"
#include "scenario/scenario-config.h"
#include "transport/linux-mib.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace portlab
{

namespace
{

/// A verb's name, arity (words after it) and usage.
struct VerbInfo
{
    ScriptVerb verb;
    size_t min;
    size_t max;
    const char* usage;
};

const std::map<std::string, VerbInfo>&
Verbs()
{
    static const std::map<std::string, VerbInfo> verbs{
        {"host", {ScriptVerb::HOST, 1, 2, "host NAME [hz=HZ]"}},
        {"link", {ScriptVerb::LINK, 4, 7, "link HOST HOST ADDR ADDR [DELAY] [rate=RATE] [loss=P]"}},
        {"sysctl", {ScriptVerb::SYSCTL, 2, 3, "sysctl HOST|* KEY=VALUE"}},
        {"tcp", {ScriptVerb::TCP, 2, 8, "tcp HOST SOCK [OPTION...]"}},
        {"udp", {ScriptVerb::UDP, 2, 7, "udp HOST SOCK [OPTION...]"}},
        {"setsockopt", {ScriptVerb::SETSOCKOPT, 2, 3, "setsockopt SOCK OPTION [VALUE]"}},
        {"getsockopt", {ScriptVerb::GETSOCKOPT, 2, 2, "getsockopt SOCK OPTION"}},
        {"bind", {ScriptVerb::BIND, 2, 2, "bind SOCK ADDR:PORT"}},
        {"listen", {ScriptVerb::LISTEN, 1, 2, "listen SOCK [BACKLOG]"}},
        {"connect", {ScriptVerb::CONNECT, 2, 2, "connect SOCK ADDR:PORT"}},
        {"accept", {ScriptVerb::ACCEPT, 2, 2, "accept LISTENER SOCK"}},
        {"send", {ScriptVerb::SEND, 2, 2, "send SOCK BYTES"}},
        {"sendto", {ScriptVerb::SENDTO, 3, 3, "sendto SOCK ADDR:PORT BYTES"}},
        {"recv", {ScriptVerb::RECV, 1, 1, "recv SOCK"}},
        {"recvfrom", {ScriptVerb::RECVFROM, 1, 1, "recvfrom SOCK"}},
        {"shutdown", {ScriptVerb::SHUTDOWN, 2, 2, "shutdown SOCK rd|wr|rdwr"}},
        {"close", {ScriptVerb::CLOSE, 1, 1, "close SOCK"}},
        {"wait", {ScriptVerb::WAIT, 1, 1, "wait DURATION"}},
        {"state", {ScriptVerb::STATE, 1, 1, "state SOCK"}},
        {"port", {ScriptVerb::PORT, 1, 1, "port SOCK"}},
        {"getsockname", {ScriptVerb::GETSOCKNAME, 1, 1, "getsockname SOCK"}},
        {"getpeername", {ScriptVerb::GETPEERNAME, 1, 1, "getpeername SOCK"}},
        {"ss", {ScriptVerb::SS, 1, 3, "ss HOST [rows [tcp|udp]]"}},
        {"counters", {ScriptVerb::COUNTERS, 1, 16, "counters HOST [NAME...]"}},
    };
    return verbs;
}

const std::map<std::string, ScriptOption>&
Options()
{
    static const std::map<std::string, ScriptOption> options{
        {"SO_REUSEADDR", ScriptOption::SO_REUSEADDR_},
        {"SO_REUSEPORT", ScriptOption::SO_REUSEPORT_},
        {"SO_LINGER", ScriptOption::SO_LINGER_},
        {"IP_BIND_ADDRESS_NO_PORT", ScriptOption::IP_BIND_ADDRESS_NO_PORT_},
        {"IP_LOCAL_PORT_RANGE", ScriptOption::IP_LOCAL_PORT_RANGE_},
        {"SO_BINDTODEVICE", ScriptOption::SO_BINDTODEVICE_},
        {"O_NONBLOCK", ScriptOption::O_NONBLOCK_},
        {"SO_ERROR", ScriptOption::SO_ERROR_},
    };
    return options;
}

std::vector<std::string>
Words(const std::string& s)
{
    std::vector<std::string> w;
    std::istringstream in(s);
    std::string x;
    while (in >> x)
    {
        w.push_back(x);
    }
    return w;
}

bool
IsNumber(const std::string& w)
{
    return !w.empty() && w.size() <= 9 && w.find_first_not_of("0123456789") == std::string::npos;
}

bool
IsName(const std::string& w)
{
    return !w.empty() && w.size() <= 64 &&
           w.find_first_not_of(
               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
               std::string::npos;
}

/// Is \p w the name of a Linux errno value?
bool
IsErrnoName(const std::string& w)
{
    for (int e = 1; e < 134; ++e)
    {
        if (w == ScriptErrnoName(e))
        {
            return true;
        }
    }
    return false;
}

/// The ss state names a row may show (TCP's, and UDP's UNCONN).
const std::vector<std::string>&
SsStates()
{
    static const std::vector<std::string> states{"LISTEN",
                                                 "ESTAB",
                                                 "SYN-SENT",
                                                 "SYN-RECV",
                                                 "FIN-WAIT-1",
                                                 "FIN-WAIT-2",
                                                 "CLOSE-WAIT",
                                                 "LAST-ACK",
                                                 "CLOSING",
                                                 "TIME-WAIT",
                                                 "UNCONN"};
    return states;
}

/// Is \p w a port pattern: a port, "*" or LO-HI?
bool
IsPortPattern(const std::string& w)
{
    if (w == "*")
    {
        return true;
    }
    if (IsNumber(w))
    {
        return std::stoul(w) <= 65535;
    }
    auto dash = w.find('-');
    return dash != std::string::npos && IsNumber(w.substr(0, dash)) &&
           IsNumber(w.substr(dash + 1)) && std::stoul(w.substr(0, dash)) <= 65535 &&
           std::stoul(w.substr(dash + 1)) <= 65535;
}

/// Why \p row can never be a line of `ss HOST rows` ("" if it can).
std::string
SsRowError(const std::string& row)
{
    auto w = Words(row);
    if (w.size() != 6)
    {
        return "a row is 6 fields (NETID STATE RECV-Q SEND-Q LOCAL PEER), got " +
               std::to_string(w.size());
    }
    if (w[0] != "tcp" && w[0] != "udp" && w[0] != "*")
    {
        return "netid '" + w[0] + "': allowed tcp, udp or *";
    }
    if (w[1] != "*" && std::find(SsStates().begin(), SsStates().end(), w[1]) == SsStates().end())
    {
        std::string all;
        for (const auto& x : SsStates())
        {
            all += (all.empty() ? "" : ", ") + x;
        }
        return "state '" + w[1] + "': allowed " + all + " or *";
    }
    for (int i = 2; i < 4; ++i)
    {
        if (w[i] != "*" && !IsNumber(w[i]))
        {
            return "queue '" + w[i] + "': allowed a whole number or *";
        }
    }
    for (int i = 4; i < 6; ++i)
    {
        auto colon = w[i].rfind(':');
        Ipv4 a = 0;
        if (w[i] != "*" && (colon == std::string::npos || !ParseIpv4(w[i].substr(0, colon), a) ||
                            !IsPortPattern(w[i].substr(colon + 1))))
        {
            return "address '" + w[i] + "': allowed ADDR:PORT, ADDR:*, ADDR:LO-HI or *";
        }
    }
    return "";
}

std::string
JoinKeys(const std::map<std::string, VerbInfo>& m)
{
    std::string out;
    for (const auto& [k, v] : m)
    {
        out += (out.empty() ? "" : ", ") + k;
    }
    return out;
}

/// Parses one statement; errors name the line.
class StatementParser
{
  public:
    StatementParser(const std::string& script, int line, const std::string& text)
        : m_prefix(script + ":" + std::to_string(line) + ": '" + text + "': ")
    {
    }

    [[noreturn]] void Fail(const std::string& why) const
    {
        throw ConfigError(m_prefix + why);
    }

    ScriptEndpoint Endpoint(const std::string& text) const
    {
        auto colon = text.rfind(':');
        if (colon == std::string::npos)
        {
            Fail("'" + text + "' is not ADDR:PORT; allowed: e.g. 10.0.0.1:80 or 0.0.0.0:0");
        }
        ScriptEndpoint e;
        e.address = Address(text.substr(0, colon));
        std::string port = text.substr(colon + 1);
        if (!IsNumber(port) || std::stoul(port) > 65535)
        {
            Fail("port '" + port +
                 "' is not allowed here; allowed: a whole number from 0 to "
                 "65535");
        }
        e.port = static_cast<uint16_t>(std::stoul(port));
        return e;
    }

    uint32_t Address(const std::string& text) const
    {
        Ipv4 a = 0;
        if (!ParseIpv4(text, a))
        {
            Fail("'" + text + "' is not an IPv4 address; allowed: A.B.C.D");
        }
        return a;
    }

    /// A duration from 0 to \p max nanoseconds; \p what names it in the error.
    int64_t Duration(const std::string& text, int64_t max, const std::string& what) const
    {
        int64_t ns = 0;
        try
        {
            ns = units::ParseDurationNs(text);
        }
        catch (const ConfigError& e)
        {
            Fail(e.what());
        }
        if (ns < 0 || ns > max)
        {
            Fail(what + " '" + text + "' is out of range; allowed: 0 to " +
                 std::to_string(max / 1000000000) + "s");
        }
        return ns;
    }

    /// The byte count of `send`: 0 to SCRIPT_MAX_SEND_BYTES, plain or with a unit.
    uint64_t Bytes(const std::string& text) const
    {
        const std::string most =
            std::to_string(SCRIPT_MAX_SEND_BYTES) + " bytes (Linux's MAX_RW_COUNT)";
        const std::string allowed = "allowed: 0 to " + most + ", e.g. 100, 100B, 64KiB";
        // Digits alone are bytes. Too many digits for 64 bits is out of range, not a wrap.
        const bool plain = text.find_first_not_of("0123456789") == std::string::npos;
        if (plain && text.size() > 19)
        {
            Fail("size '" + text + "' is out of range; " + allowed);
        }
        uint64_t bytes = 0;
        try
        {
            bytes = units::ParseBytes(plain ? text + "B" : text);
        }
        catch (const ConfigError& e)
        {
            Fail(std::string(e.what()) + ", at most " + most);
        }
        if (bytes > SCRIPT_MAX_SEND_BYTES)
        {
            Fail("size '" + text + "' is out of range; " + allowed);
        }
        return bytes;
    }

    int64_t Integer(const std::string& text, int64_t min, int64_t max, const char* what) const
    {
        if (!IsNumber(text) || std::stoll(text) < min || std::stoll(text) > max)
        {
            Fail(std::string(what) + " '" + text +
                 "' is not allowed; allowed: a whole number "
                 "from " +
                 std::to_string(min) + " to " + std::to_string(max));
        }
        return std::stoll(text);
    }

    /// The value of setsockopt OPTION VALUE, checked; returned normalised.
    std::string OptionValue(ScriptOption o, const std::string& v) const
    {
        switch (o)
        {
        case ScriptOption::SO_REUSEADDR_:
        case ScriptOption::SO_REUSEPORT_:
        case ScriptOption::IP_BIND_ADDRESS_NO_PORT_:
        case ScriptOption::O_NONBLOCK_:
            if (v != "0" && v != "1")
            {
                Fail("value '" + v + "' is not allowed for " + ScriptOptionName(o) +
                     "; allowed: 0 or 1");
            }
            return v;
        case ScriptOption::SO_LINGER_:
            if (v == "off")
            {
                return v;
            }
            return std::to_string(Integer(v, 0, 3600, "SO_LINGER time"));
        case ScriptOption::IP_LOCAL_PORT_RANGE_: {
            auto dash = v.find('-');
            if (dash == std::string::npos)
            {
                Fail("value '" + v +
                     "' is not allowed for IP_LOCAL_PORT_RANGE; allowed: LO-HI "
                     "(0-65535 each; 0-0 for the host's range)");
            }
            int64_t lo = Integer(v.substr(0, dash), 0, 65535, "IP_LOCAL_PORT_RANGE low port");
            int64_t hi = Integer(v.substr(dash + 1), 0, 65535, "IP_LOCAL_PORT_RANGE high port");
            return std::to_string(lo) + "-" + std::to_string(hi);
        }
        case ScriptOption::SO_BINDTODEVICE_:
            if (!IsName(v) || v.size() > 15)
            {
                Fail("value '" + v +
                     "' is not allowed for SO_BINDTODEVICE; allowed: a device "
                     "name (lo, eth0, eth1, ...)");
            }
            return v;
        case ScriptOption::SO_ERROR_:
            Fail("SO_ERROR can only be read (getsockopt)");
        }
        Fail("unknown option");
    }

    /// Why \p expected can never be a result of \p s ("" if it can).
    std::string ExpectationError(const ScriptStatement& s, const std::string& expected) const
    {
        if (expected == "*")
        {
            return "";
        }
        auto w = Words(expected);
        switch (s.verb)
        {
        case ScriptVerb::STATE: {
            std::string states;
            for (int i = 1; i <= 11; ++i)
            {
                const char* n = TcpStateName(static_cast<TcpState>(i));
                if (expected == n)
                {
                    return "";
                }
                states += std::string(states.empty() ? "" : ", ") + n;
            }
            if (IsErrnoName(expected))
            {
                return "";
            }
            return "allowed after 'state': a TCP state (" + states + "), an errno name or *";
        }
        case ScriptVerb::PORT:
            return (IsNumber(expected) && std::stoull(expected) <= 65535) ||
                           IsErrnoName(expected) || IsPortRange(expected)
                       ? ""
                       : "allowed after 'port': a port number 0..65535, a range LO-HI, an "
                         "errno name or *";
        case ScriptVerb::SS: {
            if (!s.value.empty())
            {
                if (expected == "none")
                {
                    return "";
                }
                std::istringstream rows(expected);
                std::string row;
                int n = 0;
                while (std::getline(rows, row))
                {
                    ++n;
                    std::string why = SsRowError(row);
                    if (!why.empty())
                    {
                        return "row " + std::to_string(n) + ": " + why +
                               "; allowed after 'ss HOST rows': none, * or rows (one a '|' line "
                               "below 'ss HOST rows ->')";
                    }
                }
                return "";
            }
            std::string states;
            for (int i = 1; i <= 11; ++i)
            {
                states += std::string(states.empty() ? "" : ", ") +
                          SsStateName(static_cast<TcpState>(i)) + "=N";
            }
            const std::string allowed =
                "allowed after 'ss': none, or STATE=N words (" + states + ", UDP=N) or *";
            if (expected == "none")
            {
                return "";
            }
            for (const auto& x : w)
            {
                size_t eq = x.find('=');
                bool known = eq != std::string::npos && x.substr(0, eq) == "UDP";
                for (int i = 1; i <= 11 && eq != std::string::npos; ++i)
                {
                    known = known || x.substr(0, eq) == SsStateName(static_cast<TcpState>(i));
                }
                if (!known || !IsNumber(x.substr(eq + 1)))
                {
                    return allowed;
                }
            }
            return "";
        }
        case ScriptVerb::COUNTERS: {
            for (const auto& x : w)
            {
                size_t eq = x.find('=');
                ns3::LinuxMib::Counter c;
                std::string value = eq == std::string::npos ? "" : x.substr(eq + 1);
                if (eq == std::string::npos || !ns3::LinuxMib::Find(x.substr(0, eq), c) ||
                    (value != "*" && !(IsNumber(value) || (value.size() > 1 && value[0] == '-' &&
                                                           IsNumber(value.substr(1))))))
                {
                    return "allowed after 'counters': NAME=N words (NAME one of the counters it "
                           "prints, N a number or *) or *";
                }
            }
            return "";
        }
        case ScriptVerb::RECV:
            if (expected == "eof" || IsErrnoName(expected) ||
                (w.size() == 2 && IsNumber(w[0]) && w[1] == "bytes"))
            {
                return "";
            }
            return "allowed after 'recv': 'N bytes', eof, an errno name or *";
        case ScriptVerb::RECVFROM:
            if (IsErrnoName(expected) || (w.size() == 4 && IsNumber(w[0]) && w[1] == "bytes" &&
                                          w[2] == "from" && IsEndpointPattern(w[3])))
            {
                return "";
            }
            return "allowed after 'recvfrom': 'N bytes from ADDR:PORT', an errno name or *";
        case ScriptVerb::GETSOCKNAME:
        case ScriptVerb::GETPEERNAME:
            return IsErrnoName(expected) || IsEndpointPattern(expected)
                       ? ""
                       : std::string("allowed after '") + ScriptVerbName(s.verb) +
                             "': ADDR:PORT (PORT may be *), an errno name or *";
        case ScriptVerb::GETSOCKOPT:
            if (s.option == ScriptOption::SO_ERROR_)
            {
                return expected == "ok" || IsErrnoName(expected)
                           ? ""
                           : "allowed after 'getsockopt SO_ERROR': ok, an errno name or *";
            }
            if (IsErrnoName(expected))
            {
                return "";
            }
            try
            {
                OptionValue(s.option, expected);
                return "";
            }
            catch (const ConfigError&)
            {
                return std::string("allowed after 'getsockopt ") + ScriptOptionName(s.option) +
                       "': a value setsockopt takes, an errno name or *";
            }
        default:
            return expected == "ok" || IsErrnoName(expected)
                       ? ""
                       : std::string("allowed after '") + ScriptVerbName(s.verb) +
                             "': ok, an errno name (EADDRINUSE, ECONNREFUSED, ...) or *";
        }
    }

    static bool IsPortRange(const std::string& w)
    {
        auto dash = w.find('-');
        return dash != std::string::npos && IsNumber(w.substr(0, dash)) &&
               IsNumber(w.substr(dash + 1)) && std::stoul(w.substr(0, dash)) <= 65535 &&
               std::stoul(w.substr(dash + 1)) <= 65535;
    }

    static bool IsEndpointPattern(const std::string& w)
    {
        auto colon = w.rfind(':');
        Ipv4 a = 0;
        return colon != std::string::npos && ParseIpv4(w.substr(0, colon), a) &&
               (w.substr(colon + 1) == "*" ||
                (IsNumber(w.substr(colon + 1)) && std::stoul(w.substr(colon + 1)) <= 65535));
    }

  private:
    std::string m_prefix;
};

} // namespace

const char*
ScriptVerbName(ScriptVerb verb)
{
    for (const auto& [name, info] : Verbs())
    {
        if (info.verb == verb)
        {
            return name.c_str();
        }
    }
    return "?";
}

const char*
ScriptOptionName(ScriptOption option)
{
    for (const auto& [name, o] : Options())
    {
        if (o == option)
        {
            return name.c_str();
        }
    }
    return "?";
}

std::string
ScriptErrnoName(int e)
{
    if (e == 0)
    {
        return "ok";
    }
    const char* n = strerrorname_np(e);
    return n != nullptr ? n : "E" + std::to_string(e);
}

namespace
{
bool ScriptWordMatches(const std::string& expected, const std::string& got);
bool ScriptLineMatches(const std::string& expected, const std::string& got);

std::vector<std::string>
Lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l))
    {
        lines.push_back(l);
    }
    return lines;
}

/// Can expected rows [i..] be matched to distinct unused got rows? (backtracking)
bool
AssignRows(const std::vector<std::string>& expected,
           const std::vector<std::string>& got,
           size_t i,
           std::vector<bool>& used,
           int& budget)
{
    if (i == expected.size())
    {
        return true;
    }
    for (size_t j = 0; j < got.size() && --budget > 0; ++j)
    {
        if (!used[j] && ScriptLineMatches(expected[i], got[j]))
        {
            used[j] = true;
            if (AssignRows(expected, got, i + 1, used, budget))
            {
                return true;
            }
            used[j] = false;
        }
    }
    return false;
}
} // namespace

bool
ScriptResultMatches(const std::string& expected, const std::string& got)
{
    if (ScriptWordMatches(expected, got))
    {
        return true;
    }
    if (expected.find('\n') == std::string::npos)
    {
        // One line of several words (counters): word by word.
        return expected.find(' ') != std::string::npos && got.find('\n') == std::string::npos &&
               ScriptLineMatches(expected, got);
    }
    // An expectation block: as many rows, each expected row matching a row of its own, in any
    // order (ephemeral ports, which order the rows, are random).
    const auto e = Lines(expected);
    const auto g = Lines(got);
    if (e.size() != g.size())
    {
        return false;
    }
    std::vector<bool> used(g.size(), false);
    int budget = 1000000; // a bound on the search; rows are few
    return AssignRows(e, g, 0, used, budget);
}

namespace
{

/// One line, word by word.
bool
ScriptLineMatches(const std::string& el, const std::string& gl)
{
    {
        auto ew = Words(el);
        auto gw = Words(gl);
        if (ew.size() != gw.size())
        {
            return false;
        }
        for (size_t i = 0; i < ew.size(); ++i)
        {
            if (!ScriptWordMatches(ew[i], gw[i]))
            {
                // "ADDR:LO-HI": a port of ADDR in the range
                auto ec = ew[i].rfind(':');
                auto gc = gw[i].rfind(':');
                if (ec == std::string::npos || gc == std::string::npos ||
                    ew[i].compare(0, ec, gw[i], 0, gc) != 0 ||
                    ew[i].find('-', ec) == std::string::npos ||
                    !ScriptWordMatches(ew[i].substr(ec + 1), gw[i].substr(gc + 1)))
                {
                    // "NAME=*": any number
                    auto eq = ew[i].find('=');
                    if (eq == std::string::npos || ew[i].substr(eq + 1) != "*" ||
                        gw[i].compare(0, eq + 1, ew[i], 0, eq + 1) != 0 || gw[i].size() == eq + 1)
                    {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}

/// ScriptResultMatches's rules for one result.
bool
ScriptWordMatches(const std::string& expected, const std::string& got)
{
    if (expected == "*" || expected == got)
    {
        return true;
    }
    // "LO-HI": a port in that range (an ephemeral port, whose value Linux randomises)
    auto dash = expected.find('-');
    if (dash != std::string::npos && dash > 0 &&
        expected.find_first_not_of("0123456789-") == std::string::npos && !got.empty() &&
        got.size() <= 5 && got.find_first_not_of("0123456789") == std::string::npos)
    {
        unsigned long lo = std::stoul(expected.substr(0, dash));
        unsigned long hi = std::stoul(expected.substr(dash + 1));
        unsigned long v = std::stoul(got);
        return v >= lo && v <= hi;
    }
    // "A.B.C.D:*" (also at the end of "N bytes from A.B.C.D:*")
    if (expected.size() >= 2 && expected.compare(expected.size() - 2, 2, ":*") == 0)
    {
        std::string prefix = expected.substr(0, expected.size() - 1);
        return got.size() > prefix.size() && got.compare(0, prefix.size(), prefix) == 0 &&
               got.find_first_not_of("0123456789", prefix.size()) == std::string::npos;
    }
    return false;
}

} // namespace

std::string
ScriptTimeText(int64_t ns)
{
    char buf[48];
    std::snprintf(buf,
                  sizeof(buf),
                  "[%3" PRId64 ".%06" PRId64 "]",
                  ns / 1000000000,
                  (ns % 1000000000) / 1000);
    return buf;
}

std::string
ScriptSsRowsText(std::vector<ScriptSsRow> rows)
{
    auto stateRank = [](const std::string& st) {
        return std::find(SsStates().begin(), SsStates().end(), st) - SsStates().begin();
    };
    std::sort(rows.begin(), rows.end(), [&](const ScriptSsRow& a, const ScriptSsRow& b) {
        return std::make_tuple(a.netid != "tcp",
                               a.localAddr,
                               a.localPort,
                               a.peerAddr,
                               a.peerPort,
                               stateRank(a.state),
                               a.recvQ,
                               a.sendQ) < std::make_tuple(b.netid != "tcp",
                                                          b.localAddr,
                                                          b.localPort,
                                                          b.peerAddr,
                                                          b.peerPort,
                                                          stateRank(b.state),
                                                          b.recvQ,
                                                          b.sendQ);
    });
    std::string out;
    for (const auto& r : rows)
    {
        out += (out.empty() ? "" : "\n") + r.netid + " " + r.state + " " + std::to_string(r.recvQ) +
               " " + std::to_string(r.sendQ) + " " + FormatIpv4(r.localAddr) + ":" +
               (r.localPort == 0 ? std::string("*") : std::to_string(r.localPort)) + " " +
               FormatIpv4(r.peerAddr) + ":" +
               (r.peerPort == 0 ? std::string("*") : std::to_string(r.peerPort));
    }
    return out.empty() ? "none" : out;
}

std::vector<std::string>
ScriptCounterNames()
{
    std::vector<std::string> names;
    for (int i = 0; i < ns3::LinuxMib::COUNT; ++i)
    {
        names.push_back(ns3::LinuxMib::Name(static_cast<ns3::LinuxMib::Counter>(i)));
    }
    return names;
}

std::string
ScriptSsText(const std::vector<std::string>& states)
{
    // ss's state names in its order (SsStates(); a TCP state is never UNCONN).
    const std::vector<std::string>& order = SsStates();
    std::map<std::string, int> counts;
    for (const auto& s : states)
    {
        ++counts[s];
    }
    std::string out;
    for (const auto& name : order)
    {
        auto it = counts.find(name);
        if (it != counts.end())
        {
            out += (out.empty() ? "" : " ") + name + "=" + std::to_string(it->second);
            counts.erase(it);
        }
    }
    for (const auto& [name, n] : counts)
    {
        out += (out.empty() ? "" : " ") + name + "=" + std::to_string(n);
    }
    return out.empty() ? "none" : out;
}

std::string
ScriptEndpointText(const ScriptEndpoint& e)
{
    return FormatIpv4(e.address) + ":" + std::to_string(e.port);
}

ScriptProgram
ParseScript(const std::string& text, const std::string& name)
{
    ScriptProgram program;
    program.name = name;
    std::set<std::string> hosts;
    std::set<std::string> sockets;
    std::map<std::string, std::string> socketKind; // "tcp" or "udp"
    std::map<std::string, PortSysctls> hostSysctls;
    std::set<std::string> closedNames; // a closed name may name a new socket
    bool started = false;

    // Lines, comments removed, with the "| ROW" lines of an expectation block gathered under
    // the statement they follow.
    struct Line
    {
        int no;
        std::string text;
        std::vector<std::string> rows;
        int firstRowLine{0};
    };

    std::vector<Line> lines;
    {
        std::istringstream in(text);
        std::string raw;
        int lineNo = 0;
        int lastStatement = -1; // index in lines of the last statement (-1: none)
        while (std::getline(in, raw))
        {
            ++lineNo;
            std::string line = raw.substr(0, raw.find('#'));
            if (line.find('\0') != std::string::npos)
            {
                throw ConfigError(name + ":" + std::to_string(lineNo) +
                                  ": a NUL byte; allowed: a text file");
            }
            auto first = line.find_first_not_of(" \t\r");
            if (first != std::string::npos && line[first] == '|')
            {
                std::string row;
                for (const auto& w : Words(line.substr(first + 1)))
                {
                    row += (row.empty() ? "" : " ") + w;
                }
                if (lastStatement < 0)
                {
                    throw ConfigError(name + ":" + std::to_string(lineNo) +
                                      ": a '| ROW' line continues an expectation block; allowed "
                                      "only below 'ss HOST rows [tcp|udp] ->'");
                }
                if (row.empty())
                {
                    throw ConfigError(name + ":" + std::to_string(lineNo) +
                                      ": an empty row; allowed: '| NETID STATE RECV-Q SEND-Q "
                                      "LOCAL PEER'");
                }
                Line& owner = lines[lastStatement];
                if (owner.rows.empty())
                {
                    owner.firstRowLine = lineNo;
                }
                owner.rows.push_back(row);
                continue;
            }
            lines.push_back(Line{lineNo, line, {}, 0});
            if (first != std::string::npos)
            {
                lastStatement = static_cast<int>(lines.size()) - 1;
            }
        }
    }
    for (const Line& logical : lines)
    {
        const int lineNo = logical.no;
        std::string line = logical.text;
        ScriptStatement s;
        s.line = lineNo;
        auto arrow = line.find("->");
        auto blockError = [&]() {
            return ConfigError(name + ":" + std::to_string(logical.firstRowLine) +
                               ": a '| ROW' line continues an expectation block; allowed only "
                               "below 'ss HOST rows [tcp|udp] ->' with nothing after the '->'");
        };
        if (arrow != std::string::npos)
        {
            auto exp = Words(line.substr(arrow + 2));
            auto before = Words(line.substr(0, arrow));
            const bool rowsStatement =
                before.size() >= 3 && before[0] == "ss" && before[2] == "rows";
            if (exp.empty() && logical.rows.empty())
            {
                throw ConfigError(name + ":" + std::to_string(lineNo) +
                                  ": '->' needs an expected result after it" +
                                  (rowsStatement ? " (or '| ROW' lines below it)" : ""));
            }
            if (!logical.rows.empty() && (!exp.empty() || !rowsStatement))
            {
                throw blockError();
            }
            s.hasExpectation = true;
            for (const auto& e : exp)
            {
                s.expected += (s.expected.empty() ? "" : " ") + e;
            }
            for (const auto& r : logical.rows)
            {
                s.expected += (s.expected.empty() ? "" : "\n") + r;
            }
            line = line.substr(0, arrow);
        }
        else if (!logical.rows.empty())
        {
            throw blockError();
        }
        auto words = Words(line);
        if (words.empty())
        {
            if (s.hasExpectation)
            {
                throw ConfigError(name + ":" + std::to_string(lineNo) +
                                  ": an expectation needs a statement before '->'");
            }
            continue;
        }
        if (program.statements.size() >= SCRIPT_MAX_STATEMENTS)
        {
            throw ConfigError(name + ":" + std::to_string(lineNo) + ": more than " +
                              std::to_string(SCRIPT_MAX_STATEMENTS) +
                              " statements; allowed: at most " +
                              std::to_string(SCRIPT_MAX_STATEMENTS));
        }
        for (const auto& w : words)
        {
            s.text += (s.text.empty() ? "" : " ") + w;
        }
        auto verb = Verbs().find(words[0]);
        if (verb == Verbs().end())
        {
            throw ConfigError(name + ":" + std::to_string(lineNo) + ": unknown statement '" +
                              words[0] + "'; allowed: " + JoinKeys(Verbs()));
        }
        const VerbInfo& info = verb->second;
        s.verb = info.verb;
        StatementParser p(name, lineNo, s.text);
        size_t args = words.size() - 1;
        if (args < info.min || args > info.max)
        {
            throw ConfigError(
                name + ":" + std::to_string(lineNo) + ": '" + words[0] + "' takes " +
                std::to_string(info.min) +
                (info.max != info.min ? " to " + std::to_string(info.max) : std::string()) +
                " arguments, got " + std::to_string(args) + "; usage: " + info.usage);
        }
        auto host = [&](const std::string& h) {
            if (!hosts.count(h))
            {
                p.Fail("no host named '" + h + "' (declare it with: host " + h + ")");
            }
            s.names.push_back(h);
        };
        auto sock = [&](const std::string& k) {
            if (!sockets.count(k))
            {
                p.Fail("no socket named '" + k + "'");
            }
            s.names.push_back(k);
        };
        auto newSock = [&](const std::string& k, const std::string& kind) {
            if (!IsName(k))
            {
                p.Fail("'" + k + "' is not a name; allowed: letters, digits, '_' and '-'");
            }
            if (sockets.count(k) && !closedNames.count(k))
            {
                p.Fail("socket '" + k + "' already exists (close it first to reuse the name)");
            }
            sockets.insert(k);
            closedNames.erase(k);
            socketKind[k] = kind;
            s.names.push_back(k);
        };
        switch (s.verb)
        {
        case ScriptVerb::HOST:
            if (started)
            {
                p.Fail("hosts and links come before the first socket call");
            }
            if (!IsName(words[1]) || words[1] == "*")
            {
                p.Fail("'" + words[1] + "' is not a name; allowed: letters, digits, '_' and '-'");
            }
            if (hosts.count(words[1]))
            {
                p.Fail("host '" + words[1] + "' is declared twice");
            }
            hosts.insert(words[1]);
            s.names.push_back(words[1]);
            if (args == 2)
            {
                // hz=HZ; timewait_hz=HZ is its former spelling (it rounded TIME_WAIT only).
                const std::string& w = words[2];
                const size_t eq = w.find('=');
                const std::string key = w.substr(0, eq);
                if (eq == std::string::npos || (key != "hz" && key != "timewait_hz"))
                {
                    p.Fail("unknown host attribute '" + w + "'; allowed: hz=HZ");
                }
                const std::string value = w.substr(eq + 1);
                s.number = p.Integer(value, 0, 10000, "hz");
            }
            break;
        case ScriptVerb::LINK:
            if (started)
            {
                p.Fail("hosts and links come before the first socket call");
            }
            host(words[1]);
            host(words[2]);
            if (words[1] == words[2])
            {
                p.Fail("a link joins two different hosts");
            }
            s.endpoint.address = p.Address(words[3]);
            s.endpoint2.address = p.Address(words[4]);
            s.nanoseconds = 1000000;
            for (size_t i = 5; i < words.size(); ++i)
            {
                const std::string& w = words[i];
                if (w.rfind("rate=", 0) == 0 && s.rateBps == 0)
                {
                    double bps = 0;
                    try
                    {
                        bps = units::ParseBitRate(w.substr(5));
                    }
                    catch (const ConfigError& e)
                    {
                        p.Fail(std::string("rate: ") + e.what());
                    }
                    if (bps < 1000 || bps > 100e9 || bps != static_cast<double>(uint64_t(bps)))
                    {
                        p.Fail("rate '" + w.substr(5) +
                               "' is out of range; allowed: a whole number of bits per second "
                               "from 1kbps to 100Gbps");
                    }
                    s.rateBps = static_cast<uint64_t>(bps);
                }
                else if (w.rfind("loss=", 0) == 0 && s.loss == 0)
                {
                    try
                    {
                        s.loss = units::ParseProbability(w.substr(5));
                    }
                    catch (const ConfigError& e)
                    {
                        p.Fail(std::string("loss: ") + e.what());
                    }
                    if (s.loss >= 1)
                    {
                        p.Fail("loss '" + w.substr(5) +
                               "' is out of range; allowed: 0 to less than 1 (or 0% to less than "
                               "100%)");
                    }
                }
                else if (i == 5 && w.find('=') == std::string::npos)
                {
                    s.nanoseconds = p.Duration(w, SCRIPT_MAX_LINK_DELAY_NS, "delay");
                }
                else
                {
                    p.Fail("'" + w +
                           "' is not allowed here; allowed after the addresses: DELAY (first), "
                           "rate=RATE (e.g. 10Mbps), loss=P (e.g. 0.01 or 1%), each once");
                }
            }
            break;
        case ScriptVerb::SYSCTL: {
            if (words[1] != "*")
            {
                host(words[1]);
            }
            else
            {
                s.names.push_back("*");
            }
            std::string setting = words[2] + (args == 3 ? " " + words[3] : "");
            size_t eq = setting.find('=');
            if (eq == std::string::npos)
            {
                p.Fail("the setting must be KEY=VALUE");
            }
            // Parse once, validate as each host would take it (settings may depend on earlier
            // ones), and write the full Linux name.
            try
            {
                s.sysctl = SysctlSetting::Parse(setting.substr(0, eq), setting.substr(eq + 1));
            }
            catch (const SysctlError& e)
            {
                p.Fail(e.what());
            }
            for (const auto& h : hosts)
            {
                if (words[1] == "*" || words[1] == h)
                {
                    try
                    {
                        s.sysctl.ApplyTo(hostSysctls[h]);
                    }
                    catch (const SysctlError& e)
                    {
                        p.Fail(e.what());
                    }
                }
            }
            s.value = s.sysctl.Name() + "=" + s.sysctl.text;
            break;
        }
        case ScriptVerb::TCP:
        case ScriptVerb::UDP: {
            started = true;
            host(words[1]);
            bool tcp = s.verb == ScriptVerb::TCP;
            newSock(words[2], tcp ? "tcp" : "udp");
            for (size_t i = 3; i < words.size(); ++i)
            {
                const std::string& o = words[i];
                bool ok = o == "reuseaddr" || o == "reuseport" || o == "nonblock" ||
                          (tcp && o == "linger0");
                if (o.rfind("uid=", 0) == 0)
                {
                    p.Integer(o.substr(4), 0, 65535, "uid");
                    ok = true;
                }
                if (!ok)
                {
                    p.Fail("unknown option '" + o + "'; allowed: reuseaddr, reuseport, nonblock, " +
                           (tcp ? "linger0, " : "") + "uid=N");
                }
                s.options.push_back(o);
            }
            break;
        }
        case ScriptVerb::SETSOCKOPT:
        case ScriptVerb::GETSOCKOPT: {
            sock(words[1]);
            auto o = Options().find(words[2]);
            if (o == Options().end())
            {
                std::string allowed;
                for (const auto& [n, x] : Options())
                {
                    allowed += (allowed.empty() ? "" : ", ") + n;
                }
                p.Fail("unknown option '" + words[2] + "'; allowed: " + allowed);
            }
            s.option = o->second;
            if (s.verb == ScriptVerb::SETSOCKOPT)
            {
                if (args != 3)
                {
                    p.Fail("setsockopt needs a value; usage: setsockopt SOCK OPTION VALUE");
                }
                s.value = p.OptionValue(s.option, words[3]);
            }
            break;
        }
        case ScriptVerb::BIND:
        case ScriptVerb::CONNECT:
            sock(words[1]);
            s.endpoint = p.Endpoint(words[2]);
            break;
        case ScriptVerb::LISTEN:
            sock(words[1]);
            if (args == 2)
            {
                s.number = p.Integer(words[2], 0, 65535, "backlog");
            }
            break;
        case ScriptVerb::ACCEPT:
            sock(words[1]);
            newSock(words[2], "tcp");
            break;
        case ScriptVerb::SEND:
            sock(words[1]);
            s.bytes = p.Bytes(words[2]);
            break;
        case ScriptVerb::SENDTO:
            sock(words[1]);
            s.endpoint = p.Endpoint(words[2]);
            s.bytes = p.Bytes(words[3]);
            break;
        case ScriptVerb::SHUTDOWN:
            sock(words[1]);
            if (words[2] != "rd" && words[2] != "wr" && words[2] != "rdwr")
            {
                p.Fail("'" + words[2] + "' is not allowed; allowed: rd, wr, rdwr");
            }
            s.value = words[2];
            break;
        case ScriptVerb::WAIT:
            s.nanoseconds = p.Duration(words[1], SCRIPT_MAX_WAIT_NS, "wait");
            break;
        case ScriptVerb::STATE:
            sock(words[1]);
            if (socketKind[words[1]] != "tcp")
            {
                p.Fail("state needs a TCP socket");
            }
            break;
        case ScriptVerb::SS:
            host(words[1]);
            if (args >= 2 && words[2] != "rows")
            {
                p.Fail("'" + words[2] +
                       "' is not allowed; allowed: ss HOST, ss HOST rows, ss HOST "
                       "rows tcp, ss HOST rows udp");
            }
            if (args == 3 && words[3] != "tcp" && words[3] != "udp")
            {
                p.Fail("'" + words[3] + "' is not allowed after 'rows'; allowed: tcp or udp");
            }
            s.value = args == 1 ? "" : args == 2 ? "all" : words[3];
            break;
        case ScriptVerb::COUNTERS:
            host(words[1]);
            for (size_t i = 2; i < words.size(); ++i)
            {
                ns3::LinuxMib::Counter c;
                if (!ns3::LinuxMib::Find(words[i], c))
                {
                    std::string all;
                    for (const auto& n : ScriptCounterNames())
                    {
                        all += (all.empty() ? "" : ", ") + n;
                    }
                    p.Fail("unknown counter '" + words[i] + "'; allowed: " + all);
                }
                if (std::find(s.options.begin(), s.options.end(), words[i]) != s.options.end())
                {
                    p.Fail("counter '" + words[i] + "' is named twice");
                }
                s.options.push_back(words[i]);
            }
            break;
        case ScriptVerb::CLOSE:
            sock(words[1]);
            closedNames.insert(words[1]);
            break;
        case ScriptVerb::RECV:
        case ScriptVerb::RECVFROM:
        case ScriptVerb::PORT:
        case ScriptVerb::GETSOCKNAME:
        case ScriptVerb::GETPEERNAME:
            sock(words[1]);
            break;
        }
        if (s.hasExpectation)
        {
            std::string why = p.ExpectationError(s, s.expected);
            if (!why.empty())
            {
                std::string shown = s.expected; // one line: rows as "| ROW | ROW"
                for (size_t nl = shown.find('\n'); nl != std::string::npos; nl = shown.find('\n'))
                {
                    shown.replace(nl, 1, " | ");
                }
                throw ConfigError(name + ":" + std::to_string(lineNo) + ": '" + s.text + " -> " +
                                  shown + "': '" + shown + "' is not a result it can give; " + why);
            }
        }
        program.statements.push_back(s);
    }
    return program;
}

ScriptSsRow
ScriptSsTcpRow(const TcpSocketView& v)
{
    return ScriptSsRow{"tcp",
                       SsStateName(v.state),
                       0,
                       0,
                       v.tuple.localAddr,
                       v.tuple.localPort,
                       v.tuple.remoteAddr,
                       v.tuple.remotePort};
}

ScriptSsRow
ScriptSsTimeWaitRow(const TimeWaitEntry& tw)
{
    return ScriptSsRow{
        "tcp",
        SsStateName((tw.flags & TW_FIN_WAIT2) ? TcpState::FIN_WAIT2 : TcpState::TIME_WAIT),
        0,
        0,
        tw.tuple.localAddr,
        tw.tuple.localPort,
        tw.tuple.remoteAddr,
        tw.tuple.remotePort};
}

ScriptSsRow
ScriptSsUdpRow(const UdpSocketView& v)
{
    return ScriptSsRow{"udp",
                       v.connected ? "ESTAB" : "UNCONN",
                       0,
                       0,
                       v.tuple.localAddr,
                       v.tuple.localPort,
                       v.connected ? v.tuple.remoteAddr : 0,
                       v.connected ? v.tuple.remotePort : uint16_t(0)};
}

ScriptCheck
ScriptCheckOf(const ScriptStatement& s, const std::string& got, int64_t timeNs)
{
    ScriptCheck c;
    c.line = s.line;
    c.text = s.text;
    c.expected = s.expected;
    c.got = got;
    c.ok = ScriptResultMatches(s.expected, got);
    c.timeNs = timeNs;
    return c;
}

} // namespace portlab
