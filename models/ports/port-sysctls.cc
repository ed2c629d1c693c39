/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "port-sysctls.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <sstream>

namespace portlab
{

namespace
{

/// How a setting is stored and checked.
enum class Kind
{
    INT,        //!< an int64 member with [min, max]
    PORT_RANGE, //!< ip_local_port_range
    PORT_LIST,  //!< ip_local_reserved_ports
};

/// One setting's descriptor.
struct Descriptor
{
    const char* fullName;         //!< e.g. "net.ipv4.tcp_tw_reuse"
    Kind kind;                    //!< storage kind
    int64_t PortSysctls::*member; //!< for INT
    int64_t min;                  //!< for INT
    int64_t max;                  //!< for INT
    const char* allowed;          //!< human text of the allowed values
    const char* help;             //!< meaning
};

const Descriptor DESCRIPTORS[] = {
    {"net.ipv4.ip_local_port_range",
     Kind::PORT_RANGE,
     nullptr,
     0,
     0,
     "two ports \"LOW HIGH\" with ip_unprivileged_port_start <= LOW <= HIGH <= 65535",
     "ephemeral port range for bind(0) and connect(); default 32768 60999"},
    {"net.ipv4.ip_local_reserved_ports",
     Kind::PORT_LIST,
     nullptr,
     0,
     0,
     "comma-separated ports 1-65535 and ranges A-B with A <= B, or empty",
     "ports skipped by automatic assignment (not by explicit bind); default empty"},
    {"net.ipv4.ip_unprivileged_port_start",
     Kind::INT,
     &PortSysctls::ipUnprivilegedPortStart,
     0,
     65535,
     "an integer from 0 to 65535",
     "binding a lower port needs CAP_NET_BIND_SERVICE (uid 0 here); default 1024"},
    {"net.ipv4.ip_autobind_reuse",
     Kind::INT,
     &PortSysctls::ipAutobindReuse,
     0,
     1,
     "0 or 1",
     "bind(0) may share a port with SO_REUSEADDR owners after the range is exhausted; "
     "default 0"},
    {"net.ipv4.tcp_tw_reuse",
     Kind::INT,
     &PortSysctls::tcpTwReuse,
     0,
     2,
     "0 (off), 1 (on), 2 (loopback only)",
     "connect() may take over a TIME_WAIT 4-tuple (timestamps required); default 2"},
    {"net.ipv4.tcp_tw_reuse_delay",
     Kind::INT,
     &PortSysctls::tcpTwReuseDelayMs,
     1,
     INT_MAX,
     "milliseconds from 1 to 2147483647",
     "age a TIME_WAIT must reach before tcp_tw_reuse takes it over; default 1000"},
    {"net.ipv4.tcp_max_tw_buckets",
     Kind::INT,
     &PortSysctls::tcpMaxTwBuckets,
     0,
     INT_MAX,
     "an integer from 0 to 2147483647",
     "most TIME_WAIT entries; past it a closing socket skips TIME_WAIT; default 262144"},
    {"net.ipv4.tcp_fin_timeout",
     Kind::INT,
     &PortSysctls::tcpFinTimeoutS,
     1,
     86400,
     "seconds from 1 to 86400",
     "lifetime of an orphaned FIN_WAIT2 socket; default 60"},
    {"net.ipv4.tcp_timestamps",
     Kind::INT,
     &PortSysctls::tcpTimestamps,
     0,
     2,
     "0 (off), 1 (on), 2 (on without random offset)",
     "TCP timestamps option (RFC 7323); default 1"},
    {"net.ipv4.tcp_rfc1337",
     Kind::INT,
     &PortSysctls::tcpRfc1337,
     0,
     1,
     "0 or 1",
     "1 ignores RST in TIME_WAIT (no assassination); default 0"},
    {"net.core.somaxconn",
     Kind::INT,
     &PortSysctls::somaxconn,
     0,
     INT_MAX,
     "an integer from 0 to 2147483647",
     "upper bound on the listen() backlog; default 4096"},
    {"net.ipv4.tcp_abort_on_overflow",
     Kind::INT,
     &PortSysctls::tcpAbortOnOverflow,
     0,
     1,
     "0 or 1",
     "1 resets a handshake whose final ACK finds the accept queue full; default 0"},
    {"net.ipv4.tcp_syncookies",
     Kind::INT,
     &PortSysctls::tcpSyncookies,
     0,
     2,
     "0 (off), 1 (on SYN queue overflow), 2 (always)",
     "SYN cookies; default 1"},
    {"net.ipv4.tcp_max_syn_backlog",
     Kind::INT,
     &PortSysctls::tcpMaxSynBacklog,
     1,
     INT_MAX,
     "an integer from 1 to 2147483647",
     "only used by the no-syncookies last-quarter drop rule; default 4096"},
    {"net.ipv4.tcp_migrate_req",
     Kind::INT,
     &PortSysctls::tcpMigrateReq,
     0,
     1,
     "0 or 1",
     "migrate pending connections of a closed SO_REUSEPORT listener; default 0"},
    {"net.ipv4.tcp_syn_retries",
     Kind::INT,
     &PortSysctls::tcpSynRetries,
     1,
     127,
     "an integer from 1 to 127",
     "SYN retransmissions before connect() fails with ETIMEDOUT; default 6"},
    {"net.ipv4.tcp_syn_linear_timeouts",
     Kind::INT,
     &PortSysctls::tcpSynLinearTimeouts,
     0,
     127,
     "an integer from 0 to 127",
     "SYN retransmissions 1 s apart before the timeout doubles (and added to "
     "tcp_syn_retries); default 4"},
    {"net.ipv4.tcp_synack_retries",
     Kind::INT,
     &PortSysctls::tcpSynackRetries,
     0,
     255,
     "an integer from 0 to 255",
     "SYN-ACK retransmissions of a pending connection; default 5"},
    {"net.ipv4.tcp_orphan_retries",
     Kind::INT,
     &PortSysctls::tcpOrphanRetries,
     0,
     255,
     "an integer from 0 to 255 (0 means 8)",
     "retransmissions of an orphaned socket's FIN; default 0"},
    {"net.ipv4.tcp_invalid_ratelimit",
     Kind::INT,
     &PortSysctls::tcpInvalidRatelimitMs,
     0,
     INT_MAX,
     "milliseconds from 0 to 2147483647",
     "minimum gap between ACKs answering out-of-window segments; default 500"},
    {"portlab.tcp_timewait_len",
     Kind::INT,
     &PortSysctls::timewaitLenMs,
     1,
     INT_MAX,
     "milliseconds from 1 to 2147483647",
     "TIME_WAIT length (not a Linux sysctl: TCP_TIMEWAIT_LEN is fixed at 60 s); default 60000"},
};

const Descriptor*
Find(const std::string& name)
{
    for (const auto& d : DESCRIPTORS)
    {
        std::string full = d.fullName;
        if (name == full)
        {
            return &d;
        }
        if (name == full.substr(full.rfind('.') + 1))
        {
            return &d;
        }
    }
    return nullptr;
}

std::string
AllNames()
{
    std::string out;
    for (const auto& d : DESCRIPTORS)
    {
        out += out.empty() ? "" : ", ";
        out += d.fullName;
    }
    return out;
}

[[noreturn]] void
Fail(const Descriptor& d, const std::string& value)
{
    throw SysctlError(std::string(d.fullName) + ": value '" + value +
                      "' is not allowed; allowed: " + d.allowed);
}

bool
ParseInt(const std::string& text, int64_t& out)
{
    if (text.empty())
    {
        return false;
    }
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || end == text.c_str())
    {
        return false;
    }
    while (*end == ' ' || *end == '\t')
    {
        ++end;
    }
    if (*end != '\0' || text[0] == ' ' || text[0] == '\t')
    {
        return false;
    }
    out = v;
    return true;
}

/// Split on spaces/tabs, dropping empty pieces.
std::vector<std::string>
SplitWords(const std::string& text)
{
    std::vector<std::string> words;
    std::istringstream in(text);
    std::string w;
    while (in >> w)
    {
        words.push_back(w);
    }
    return words;
}

} // namespace

ReservedPorts
ReservedPorts::Parse(const std::string& text)
{
    ReservedPorts r;
    std::string body;
    for (char c : text)
    {
        if (c != ' ' && c != '\t')
        {
            body += c;
        }
    }
    if (body.empty())
    {
        return r;
    }
    std::istringstream in(body);
    std::string item;
    auto fail = [&](const std::string& why) {
        throw SysctlError("net.ipv4.ip_local_reserved_ports: value '" + text +
                          "' is not allowed (" + why +
                          "); allowed: comma-separated ports 1-65535 and ranges A-B with "
                          "A <= B, or empty");
    };
    while (std::getline(in, item, ','))
    {
        if (item.empty())
        {
            fail("empty element");
        }
        auto dash = item.find('-');
        int64_t a = 0;
        int64_t b = 0;
        if (dash == std::string::npos)
        {
            if (!ParseInt(item, a))
            {
                fail("'" + item + "' is not a port");
            }
            b = a;
        }
        else if (!ParseInt(item.substr(0, dash), a) || !ParseInt(item.substr(dash + 1), b))
        {
            fail("'" + item + "' is not a range A-B");
        }
        if (a < 1 || b > 65535 || a > b)
        {
            fail("'" + item + "' is outside 1-65535 or reversed");
        }
        for (int64_t p = a; p <= b; ++p)
        {
            r.Add(static_cast<uint16_t>(p));
        }
    }
    return r;
}

std::string
ReservedPorts::ToString() const
{
    std::string out;
    for (uint32_t p = 1; p <= 65535; ++p)
    {
        if (!Contains(static_cast<uint16_t>(p)))
        {
            continue;
        }
        uint32_t q = p;
        while (q + 1 <= 65535 && Contains(static_cast<uint16_t>(q + 1)))
        {
            ++q;
        }
        out += out.empty() ? "" : ",";
        out += std::to_string(p);
        if (q > p)
        {
            out += "-" + std::to_string(q);
        }
        p = q;
    }
    return out;
}

void
PortSysctls::Set(const std::string& name, const std::string& value)
{
    const Descriptor* d = Find(name);
    if (d == nullptr)
    {
        throw SysctlError("unknown setting '" + name + "'; known settings: " + AllNames());
    }
    switch (d->kind)
    {
    case Kind::INT: {
        int64_t v = 0;
        if (!ParseInt(value, v) || v < d->min || v > d->max)
        {
            Fail(*d, value);
        }
        this->*(d->member) = v;
        return;
    }
    case Kind::PORT_RANGE: {
        auto words = SplitWords(value);
        int64_t lo = 0;
        int64_t hi = 0;
        if (words.size() != 2 || !ParseInt(words[0], lo) || !ParseInt(words[1], hi) || lo > hi ||
            lo < ipUnprivilegedPortStart || lo < 1 || hi > 65535)
        {
            Fail(*d, value);
        }
        ipLocalPortRangeLow = static_cast<uint16_t>(lo);
        ipLocalPortRangeHigh = static_cast<uint16_t>(hi);
        return;
    }
    case Kind::PORT_LIST:
        ipLocalReservedPorts = ReservedPorts::Parse(value);
        return;
    }
}

std::string
PortSysctls::Get(const std::string& name) const
{
    const Descriptor* d = Find(name);
    if (d == nullptr)
    {
        throw SysctlError("unknown setting '" + name + "'; known settings: " + AllNames());
    }
    switch (d->kind)
    {
    case Kind::INT:
        return std::to_string(this->*(d->member));
    case Kind::PORT_RANGE:
        return std::to_string(ipLocalPortRangeLow) + "\t" + std::to_string(ipLocalPortRangeHigh);
    case Kind::PORT_LIST:
        return ipLocalReservedPorts.ToString();
    }
    return "";
}

std::vector<std::string>
PortSysctls::Names()
{
    std::vector<std::string> names;
    for (const auto& d : DESCRIPTORS)
    {
        names.emplace_back(d.fullName);
    }
    return names;
}

std::string
PortSysctls::Help(const std::string& name)
{
    const Descriptor* d = Find(name);
    if (d == nullptr)
    {
        throw SysctlError("unknown setting '" + name + "'; known settings: " + AllNames());
    }
    return std::string(d->help) + "; allowed: " + d->allowed;
}

} // namespace portlab
