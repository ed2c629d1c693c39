/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_MIB_H
#define LINUX_MIB_H

#include <array>
#include <cstdint>
#include <string>

namespace ns3
{

/**
 * \ingroup portlab-transport
 * \brief One host's Linux SNMP and netstat counters (/proc/net/snmp, /proc/net/netstat: per
 * network namespace in Linux), by their `nstat` names.
 *
 * Only counters the transport reproduces exactly are here; each is counted where Linux 6.18
 * counts it:
 * - TcpActiveOpens: tcp_connect(), a SYN sent by connect();
 * - TcpPassiveOpens: tcp_create_openreq_child(), a listener's handshake completed (a final
 *   ACK that found the accept queue full makes no child);
 * - TcpAttemptFails: tcp_done() of a connect in SYN_SENT (refused, timed out; closing it
 *   is not a failure);
 * - TcpEstabResets: tcp_set_state(TCP_CLOSE) from ESTABLISHED or CLOSE_WAIT (a reset sent or
 *   received, an abortive close);
 * - TcpCurrEstab: sockets in ESTABLISHED or CLOSE_WAIT now (a gauge);
 * - TcpOutRsts: every RST sent (tcp_v4_send_reset, tcp_send_active_reset);
 * - TcpExtTW, TcpExtTWKilled: inet_twsk_schedule(): a timewait sock (TIME_WAIT, or an
 *   orphan's FIN_WAIT2) armed for more than 4 s, or for at most 4 s;
 * - TcpExtTWRecycled: connect() took over a TIME_WAIT 4-tuple (__inet_check_established);
 * - TcpExtTCPTimeWaitOverflow: a connection closed without TIME_WAIT (tcp_max_tw_buckets);
 * - TcpExtListenOverflows: a SYN or final ACK that found the accept queue full;
 * - TcpExtListenDrops: every SYN or final ACK a listener dropped (the overflows included);
 * - UdpNoPorts: a unicast datagram for which no socket was found;
 * - UdpInDatagrams: a datagram the application read (udp_recvmsg(), not its arrival);
 * - UdpOutDatagrams: a datagram sent (udp_send_skb()).
 *
 * LinuxPortSpace owns one (LinuxPortSpace::Mib()); the transport counts with
 * LinuxPortSpace::Count(), which also fires its `Mib` trace source.
 */
class LinuxMib
{
  public:
    /// The counters, in the order `counters HOST` prints them.
    enum Counter
    {
        TCP_ACTIVE_OPENS,           //!< TcpActiveOpens
        TCP_PASSIVE_OPENS,          //!< TcpPassiveOpens
        TCP_ATTEMPT_FAILS,          //!< TcpAttemptFails
        TCP_ESTAB_RESETS,           //!< TcpEstabResets
        TCP_CURR_ESTAB,             //!< TcpCurrEstab (a gauge)
        TCP_OUT_RSTS,               //!< TcpOutRsts
        TCP_EXT_TW,                 //!< TcpExtTW
        TCP_EXT_TW_KILLED,          //!< TcpExtTWKilled
        TCP_EXT_TW_RECYCLED,        //!< TcpExtTWRecycled
        TCP_EXT_TIME_WAIT_OVERFLOW, //!< TcpExtTCPTimeWaitOverflow
        TCP_EXT_LISTEN_OVERFLOWS,   //!< TcpExtListenOverflows
        TCP_EXT_LISTEN_DROPS,       //!< TcpExtListenDrops
        UDP_NO_PORTS,               //!< UdpNoPorts
        UDP_IN_DATAGRAMS,           //!< UdpInDatagrams
        UDP_OUT_DATAGRAMS,          //!< UdpOutDatagrams
        COUNT                       //!< how many there are
    };

    /// \param c a counter \return its nstat name ("TcpActiveOpens")
    static const char* Name(Counter c);

    /**
     * \param name an nstat name
     * \param c receives the counter
     * \return whether \p name is one of them
     */
    static bool Find(const std::string& name, Counter& c);

    /// \param c a counter \param delta added to it (-1 for a gauge going down)
    void Add(Counter c, int64_t delta)
    {
        m_values[c] += delta;
    }

    /// \param c a counter \return its value
    int64_t Get(Counter c) const
    {
        return m_values[c];
    }

  private:
    std::array<int64_t, COUNT> m_values{}; //!< the values
};

} // namespace ns3

#endif // LINUX_MIB_H
