/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "nat/conntrack-sysctls.h"

#include "ports/port-sysctls.h"

#include <cerrno>
#include <cstdlib>

namespace portlab
{

namespace
{

/// proc_dointvec_jiffies accepts 0 .. INT_MAX / HZ seconds.
constexpr int64_t MAX_TIMEOUT_S = 2147483647 / 250;

/// One setting: its name, its field, its range.
struct Descriptor
{
    const char* name;                 //!< full name
    int64_t ConntrackSysctls::*field; //!< where it lives
    int64_t min;                      //!< smallest allowed
    int64_t max;                      //!< largest allowed
};

const std::vector<Descriptor>&
Descriptors()
{
    using S = ConntrackSysctls;
    static const std::vector<Descriptor> table = {
        {"net.netfilter.nf_conntrack_max", &S::max, 0, 2147483647},
        {"net.netfilter.nf_conntrack_buckets", &S::buckets, 1, 1 << 30},
        {"net.netfilter.nf_conntrack_tcp_timeout_syn_sent",
         &S::tcpTimeoutSynSent,
         0,
         MAX_TIMEOUT_S},
        {"net.netfilter.nf_conntrack_tcp_timeout_syn_recv",
         &S::tcpTimeoutSynRecv,
         0,
         MAX_TIMEOUT_S},
        {"net.netfilter.nf_conntrack_tcp_timeout_established",
         &S::tcpTimeoutEstablished,
         0,
         MAX_TIMEOUT_S},
        {"net.netfilter.nf_conntrack_tcp_timeout_fin_wait",
         &S::tcpTimeoutFinWait,
         0,
         MAX_TIMEOUT_S},
        {"net.netfilter.nf_conntrack_tcp_timeout_close_wait",
         &S::tcpTimeoutCloseWait,
         0,
         MAX_TIMEOUT_S},
        {"net.netfilter.nf_conntrack_tcp_timeout_last_ack",
         &S::tcpTimeoutLastAck,
         0,
         MAX_TIMEOUT_S},
        {"net.netfilter.nf_conntrack_tcp_timeout_time_wait",
         &S::tcpTimeoutTimeWait,
         0,
         MAX_TIMEOUT_S},
        {"net.netfilter.nf_conntrack_tcp_timeout_close", &S::tcpTimeoutClose, 0, MAX_TIMEOUT_S},
        {"net.netfilter.nf_conntrack_tcp_timeout_unacknowledged",
         &S::tcpTimeoutUnacknowledged,
         0,
         MAX_TIMEOUT_S},
        {"net.netfilter.nf_conntrack_tcp_loose", &S::tcpLoose, 0, 1},
        {"net.netfilter.nf_conntrack_udp_timeout", &S::udpTimeout, 0, MAX_TIMEOUT_S},
        {"net.netfilter.nf_conntrack_udp_timeout_stream", &S::udpTimeoutStream, 0, MAX_TIMEOUT_S},
    };
    return table;
}

const Descriptor&
Lookup(const std::string& name)
{
    for (const auto& d : Descriptors())
    {
        const std::string full = d.name;
        if (name == full || "net.netfilter." + name == full)
        {
            return d;
        }
    }
    std::string known;
    for (const auto& n : ConntrackSysctls::Names())
    {
        known += (known.empty() ? "" : ", ") + n;
    }
    throw SysctlError("unknown conntrack setting '" + name + "'; known settings: " + known);
}

} // namespace

void
ConntrackSysctls::Set(const std::string& name, const std::string& value)
{
    const Descriptor& d = Lookup(name);
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || errno != 0 || v < d.min || v > d.max)
    {
        throw SysctlError(std::string(d.name) + ": value '" + value +
                          "' is not allowed; allowed: an integer from " + std::to_string(d.min) +
                          " to " + std::to_string(d.max));
    }
    this->*d.field = v;
}

std::string
ConntrackSysctls::Get(const std::string& name) const
{
    return std::to_string(this->*Lookup(name).field);
}

std::vector<std::string>
ConntrackSysctls::Names()
{
    std::vector<std::string> names;
    for (const auto& d : Descriptors())
    {
        names.emplace_back(d.name);
    }
    return names;
}

TimeNs
ConntrackSysctls::TcpTimeout(TcpCtState s) const
{
    int64_t seconds = 0;
    switch (s)
    {
    case TcpCtState::SYN_SENT:
    case TcpCtState::SYN_SENT2:
        seconds = tcpTimeoutSynSent;
        break;
    case TcpCtState::SYN_RECV:
        seconds = tcpTimeoutSynRecv;
        break;
    case TcpCtState::ESTABLISHED:
        seconds = tcpTimeoutEstablished;
        break;
    case TcpCtState::FIN_WAIT:
        seconds = tcpTimeoutFinWait;
        break;
    case TcpCtState::CLOSE_WAIT:
        seconds = tcpTimeoutCloseWait;
        break;
    case TcpCtState::LAST_ACK:
        seconds = tcpTimeoutLastAck;
        break;
    case TcpCtState::TIME_WAIT:
        seconds = tcpTimeoutTimeWait;
        break;
    case TcpCtState::CLOSE:
        seconds = tcpTimeoutClose;
        break;
    default:
        seconds = 0;
        break;
    }
    return seconds * NS_PER_SECOND;
}

} // namespace portlab
