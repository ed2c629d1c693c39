/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_CONNTRACK_SYSCTLS_H
#define PORTLAB_CONNTRACK_SYSCTLS_H

#include "nat/conntrack-types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-nat
 * \brief The conntrack settings under their Linux names (net.netfilter.nf_conntrack_*), with
 * Linux 6.18's defaults as a fresh network namespace has them (recorded: environment case).
 *
 * Timeouts are whole seconds as /proc/sys shows them; a changed timeout applies when an entry
 * is next refreshed, as on Linux. Set() rejects unknown names and out-of-range values with
 * one line naming the setting and what is allowed (SysctlError).
 */
struct ConntrackSysctls
{
    int64_t max{262144};                   //!< nf_conntrack_max (0: no limit)
    int64_t buckets{262144};               //!< nf_conntrack_buckets (hash table size)
    int64_t tcpTimeoutSynSent{120};        //!< nf_conntrack_tcp_timeout_syn_sent
    int64_t tcpTimeoutSynRecv{60};         //!< nf_conntrack_tcp_timeout_syn_recv
    int64_t tcpTimeoutEstablished{432000}; //!< nf_conntrack_tcp_timeout_established
    int64_t tcpTimeoutFinWait{120};        //!< nf_conntrack_tcp_timeout_fin_wait
    int64_t tcpTimeoutCloseWait{60};       //!< nf_conntrack_tcp_timeout_close_wait
    int64_t tcpTimeoutLastAck{30};         //!< nf_conntrack_tcp_timeout_last_ack
    int64_t tcpTimeoutTimeWait{120};       //!< nf_conntrack_tcp_timeout_time_wait
    int64_t tcpTimeoutClose{10};           //!< nf_conntrack_tcp_timeout_close
    int64_t tcpTimeoutUnacknowledged{300}; //!< nf_conntrack_tcp_timeout_unacknowledged
    int64_t tcpLoose{1};                   //!< nf_conntrack_tcp_loose (pick up mid-stream)
    int64_t udpTimeout{30};                //!< nf_conntrack_udp_timeout
    int64_t udpTimeoutStream{120};         //!< nf_conntrack_udp_timeout_stream

    /**
     * \brief Change a setting.
     * \param name its full name (net.netfilter.nf_conntrack_udp_timeout) or the part after
     *        "net.netfilter." (nf_conntrack_udp_timeout)
     * \param value a decimal integer in the setting's range
     * \throws SysctlError (one line: the setting, the value, what is allowed)
     */
    void Set(const std::string& name, const std::string& value);

    /// \param name a setting's name (as for Set) \return its value \throws SysctlError
    std::string Get(const std::string& name) const;

    /// \return every setting's full name
    static std::vector<std::string> Names();

    /// \param s a TCP state \return its timeout in nanoseconds (SYN_SENT2 uses syn_sent)
    TimeNs TcpTimeout(TcpCtState s) const;
};

} // namespace portlab

#endif // PORTLAB_CONNTRACK_SYSCTLS_H
