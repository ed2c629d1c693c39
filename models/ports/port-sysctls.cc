/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/port-sysctls.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <sstream>

namespace portlab
{

namespace
{

std::string
AllNames()
{
    std::string out;
    for (const auto& d : SysctlDescriptors())
    {
        out += out.empty() ? "" : ", ";
        out += d.fullName;
    }
    return out;
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

const std::vector<SysctlDescriptor>&
SysctlDescriptors()
{
    // The one table: every setting, in the order `portlab sysctls` and the LinuxPortSpace
    // attributes list them. A local static, as LinuxPortSpace::GetTypeId may run during
    // static initialisation.
    static const std::vector<SysctlDescriptor> table = {
        {"net.ipv4.ip_local_port_range",
         SysctlKind::PORT_RANGE,
         nullptr,
         0,
         0,
         "two ports \"LOW HIGH\" with ip_unprivileged_port_start <= LOW <= HIGH <= 65535",
         "ephemeral port range for bind(0) and connect(); default 32768 60999"},
        {"net.ipv4.ip_local_reserved_ports",
         SysctlKind::PORT_LIST,
         nullptr,
         0,
         0,
         "comma-separated ports 1-65535 and ranges A-B with A <= B, or empty",
         "ports skipped by automatic assignment (not by explicit bind); default empty"},
        {"net.ipv4.ip_unprivileged_port_start",
         SysctlKind::INT,
         &PortSysctls::ipUnprivilegedPortStart,
         0,
         65535,
         "an integer from 0 to 65535",
         "binding a lower port needs CAP_NET_BIND_SERVICE (uid 0 here); default 1024"},
        {"net.ipv4.ip_autobind_reuse",
         SysctlKind::INT,
         &PortSysctls::ipAutobindReuse,
         0,
         1,
         "0 or 1",
         "bind(0) may share a port with SO_REUSEADDR owners after the range is exhausted; "
         "default 0"},
        {"net.ipv4.tcp_tw_reuse",
         SysctlKind::INT,
         &PortSysctls::tcpTwReuse,
         0,
         2,
         "0 (off), 1 (on), 2 (loopback only)",
         "connect() may take over a TIME_WAIT 4-tuple (timestamps required); default 2"},
        {"net.ipv4.tcp_tw_reuse_delay",
         SysctlKind::INT,
         &PortSysctls::tcpTwReuseDelayMs,
         1,
         INT_MAX,
         "milliseconds from 1 to 2147483647",
         "age a TIME_WAIT must reach before tcp_tw_reuse takes it over; default 1000"},
        {"net.ipv4.tcp_max_tw_buckets",
         SysctlKind::INT,
         &PortSysctls::tcpMaxTwBuckets,
         0,
         INT_MAX,
         "an integer from 0 to 2147483647",
         "most TIME_WAIT entries; past it a closing socket skips TIME_WAIT; default 262144"},
        {"net.ipv4.tcp_fin_timeout",
         SysctlKind::INT,
         &PortSysctls::tcpFinTimeoutS,
         1,
         86400,
         "seconds from 1 to 86400",
         "lifetime of an orphaned FIN_WAIT2 socket; default 60"},
        {"net.ipv4.tcp_timestamps",
         SysctlKind::INT,
         &PortSysctls::tcpTimestamps,
         0,
         2,
         "0 (off), 1 (on), 2 (on without random offset)",
         "TCP timestamps option (RFC 7323); default 1"},
        {"net.ipv4.tcp_rfc1337",
         SysctlKind::INT,
         &PortSysctls::tcpRfc1337,
         0,
         1,
         "0 or 1",
         "1 ignores RST in TIME_WAIT (no assassination); default 0"},
        {"net.core.somaxconn",
         SysctlKind::INT,
         &PortSysctls::somaxconn,
         0,
         INT_MAX,
         "an integer from 0 to 2147483647",
         "upper bound on the listen() backlog; default 4096"},
        {"net.ipv4.tcp_abort_on_overflow",
         SysctlKind::INT,
         &PortSysctls::tcpAbortOnOverflow,
         0,
         1,
         "0 or 1",
         "1 resets a handshake whose final ACK finds the accept queue full; default 0"},
        {"net.ipv4.tcp_syncookies",
         SysctlKind::INT,
         &PortSysctls::tcpSyncookies,
         0,
         2,
         "0 (off), 1 (on SYN queue overflow), 2 (always)",
         "SYN cookies; default 1"},
        {"net.ipv4.tcp_max_syn_backlog",
         SysctlKind::INT,
         &PortSysctls::tcpMaxSynBacklog,
         1,
         INT_MAX,
         "an integer from 1 to 2147483647",
         "only used by the no-syncookies last-quarter drop rule; default 4096"},
        {"net.ipv4.tcp_migrate_req",
         SysctlKind::INT,
         &PortSysctls::tcpMigrateReq,
         0,
         1,
         "0 or 1",
         "migrate pending connections of a closed SO_REUSEPORT listener; default 0"},
        {"net.ipv4.tcp_syn_retries",
         SysctlKind::INT,
         &PortSysctls::tcpSynRetries,
         1,
         127,
         "an integer from 1 to 127",
         "SYN retransmissions before connect() fails with ETIMEDOUT; default 6"},
        {"net.ipv4.tcp_syn_linear_timeouts",
         SysctlKind::INT,
         &PortSysctls::tcpSynLinearTimeouts,
         0,
         127,
         "an integer from 0 to 127",
         "SYN retransmissions 1 s apart before the timeout doubles (and added to "
         "tcp_syn_retries); default 4"},
        {"net.ipv4.tcp_synack_retries",
         SysctlKind::INT,
         &PortSysctls::tcpSynackRetries,
         0,
         255,
         "an integer from 0 to 255",
         "SYN-ACK retransmissions of a pending connection; default 5"},
        {"net.ipv4.tcp_orphan_retries",
         SysctlKind::INT,
         &PortSysctls::tcpOrphanRetries,
         0,
         255,
         "an integer from 0 to 255 (0 means 8)",
         "retransmissions of an orphaned socket's FIN; default 0"},
        {"net.ipv4.tcp_invalid_ratelimit",
         SysctlKind::INT,
         &PortSysctls::tcpInvalidRatelimitMs,
         0,
         INT_MAX,
         "milliseconds from 0 to 2147483647",
         "minimum gap between ACKs answering out-of-window segments; default 500"},
        {"portlab.tcp_timewait_len",
         SysctlKind::INT,
         &PortSysctls::timewaitLenMs,
         1,
         INT_MAX,
         "milliseconds from 1 to 2147483647",
         "TIME_WAIT length (not a Linux sysctl: TCP_TIMEWAIT_LEN is fixed at 60 s); default 60000"},
        {"portlab.tcp_ts_offset",
         SysctlKind::INT,
         &PortSysctls::tcpTsOffset,
         0,
         2,
         "0 (none), 1 (per address pair) or 2 (per 4-tuple)",
         "what keys the random offset in the TSvals of a tcp_timestamps=1 connection (not a "
         "Linux sysctl: it depends on the kernel version): 2 the 4-tuple, as Linux 6.18.44 "
         "with 165573e41f2f; 1 the address pair, as Linux from 28ee1b746f49 (2017) until then; 0 "
         "none, one clock for all connections of the host, as tcp_timestamps=2 is; default 2"},
        {"net.ipv6.bindv6only",
         SysctlKind::INT,
         &PortSysctls::bindv6only,
         0,
         1,
         "0 or 1",
         "the IPV6_V6ONLY of AF_INET6 sockets created from now on (inet6_create); default 0"},
    };
    return table;
}

const SysctlDescriptor&
LookupSysctl(const std::string& name)
{
    for (const auto& d : SysctlDescriptors())
    {
        if (d.Matches(name))
        {
            return d;
        }
    }
    throw SysctlError("unknown setting '" + name + "'; known settings: " + AllNames());
}

std::string
SysctlDescriptor::ShortName() const
{
    std::string full = fullName;
    return full.substr(full.rfind('.') + 1);
}

bool
SysctlDescriptor::IsLinux() const
{
    return std::string(fullName).rfind("portlab.", 0) != 0;
}

bool
SysctlDescriptor::Matches(const std::string& name) const
{
    const std::string full = fullName;
    return name == full ||
           (!name.empty() && name.size() < full.size() &&
            full.compare(full.size() - name.size() - 1, std::string::npos, "." + name) == 0);
}

std::string
SysctlDescriptor::Help() const
{
    return std::string(meaning) + "; allowed: " + allowed;
}

void
SysctlDescriptor::Fail(const std::string& text) const
{
    throw SysctlError(std::string(fullName) + ": value '" + text +
                      "' is not allowed; allowed: " + allowed);
}

SysctlValue
SysctlDescriptor::Parse(const std::string& text) const
{
    SysctlValue v;
    switch (kind)
    {
    case SysctlKind::INT:
        if (!ParseInt(text, v.number) || v.number < min || v.number > max)
        {
            Fail(text);
        }
        break;
    case SysctlKind::PORT_RANGE: {
        auto words = SplitWords(text);
        if (words.size() != 2 || !ParseInt(words[0], v.number) || !ParseInt(words[1], v.high) ||
            v.number > v.high || v.number < 1 || v.high > 65535)
        {
            Fail(text);
        }
        break;
    }
    case SysctlKind::PORT_LIST:
        v.ports = ReservedPorts::Parse(text);
        break;
    }
    return v;
}

void
SysctlDescriptor::Apply(const SysctlValue& value,
                        const std::string& text,
                        PortSysctls& sysctls) const
{
    switch (kind)
    {
    case SysctlKind::INT:
        if (value.number < min || value.number > max)
        {
            Fail(text);
        }
        sysctls.*member = value.number;
        return;
    case SysctlKind::PORT_RANGE:
        // Linux (ipv4_local_port_range()): the low end may not be privileged.
        if (value.number > value.high || value.number < sysctls.ipUnprivilegedPortStart ||
            value.number < 1 || value.high > 65535)
        {
            Fail(text);
        }
        sysctls.ipLocalPortRangeLow = static_cast<uint16_t>(value.number);
        sysctls.ipLocalPortRangeHigh = static_cast<uint16_t>(value.high);
        return;
    case SysctlKind::PORT_LIST:
        sysctls.ipLocalReservedPorts = value.ports;
        return;
    }
}

std::string
SysctlDescriptor::Get(const PortSysctls& sysctls) const
{
    switch (kind)
    {
    case SysctlKind::INT:
        return std::to_string(sysctls.*member);
    case SysctlKind::PORT_RANGE:
        return std::to_string(sysctls.ipLocalPortRangeLow) + "\t" +
               std::to_string(sysctls.ipLocalPortRangeHigh);
    case SysctlKind::PORT_LIST:
        return sysctls.ipLocalReservedPorts.ToString();
    }
    return "";
}

SysctlSetting
SysctlSetting::Parse(const std::string& name, const std::string& text)
{
    SysctlSetting s;
    s.descriptor = &LookupSysctl(name);
    s.value = s.descriptor->Parse(text);
    s.text = text;
    return s;
}

void
PortSysctls::Set(const std::string& name, const std::string& value)
{
    SysctlSetting::Parse(name, value).ApplyTo(*this);
}

std::string
PortSysctls::Get(const std::string& name) const
{
    return LookupSysctl(name).Get(*this);
}

std::vector<std::string>
PortSysctls::Names()
{
    std::vector<std::string> names;
    for (const auto& d : SysctlDescriptors())
    {
        names.emplace_back(d.fullName);
    }
    return names;
}

std::string
PortSysctls::Help(const std::string& name)
{
    return LookupSysctl(name).Help();
}

} // namespace portlab
