/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_TABLE_DRIVER_H
#define PORTLAB_TABLE_DRIVER_H

#include "ports/host-port-space.h"
#include "ports/port-table-snapshot.h"
#include "ports/tcp-time-wait-rules.h"

#include <stdexcept>
#include <string>

namespace portlab
{

constexpr Ipv4 LO1 = 0x7f000001;         //!< 127.0.0.1
constexpr Ipv4 LO2 = 0x7f000002;         //!< 127.0.0.2
constexpr int64_t DEFAULT_BACKLOG = 128; //!< backlog when none is given (Python's listen())

/**
 * \brief A test stand-in (tests only, not part of the library): drives one host's tables as
 * the transport does, for the port model's unit tests and the table-level script interpreter
 * (tests/conformance/table-script.h): connect() plus the handshake (the listener found by demux
 * gets a child), FIN exchange in either order with TIME_WAIT for the active closer, simulated time
 * that expires TIME_WAIT entries as it advances. Everything runs over the host's own addresses
 * (loopback).
 */
class TableDriver
{
  public:
    /// \param seed the host's random seed
    explicit TableDriver(uint64_t seed)
        : m_host(seed)
    {
    }

    /// \return the host
    HostPortSpace& Host()
    {
        return m_host;
    }

    /// \return the host's TCP table
    TcpPortTable& Tcp()
    {
        return m_host.Tcp();
    }

    /// \return the host's UDP table
    UdpPortTable& Udp()
    {
        return m_host.Udp();
    }

    /// \return the simulated time
    TimeNs Now() const
    {
        return m_now;
    }

    /// \brief Advance time by \p dt, expiring TIME_WAIT entries. \param dt the step
    void Sleep(TimeNs dt)
    {
        m_now += dt;
        m_host.Tcp().ExpireTimeWaits(m_now);
    }

    /// \param name a setting \param value its value \throws SysctlError when bad
    void Sysctl(const std::string& name, const std::string& value)
    {
        m_host.Sysctls().Set(name, value);
    }

    /// \param reuseAddr SO_REUSEADDR \param reusePort SO_REUSEPORT \return a new TCP socket
    SocketId TcpSocket(bool reuseAddr = false, bool reusePort = false)
    {
        SocketId s = Tcp().Open();
        Tcp().SetReuseAddr(s, reuseAddr);
        Tcp().SetReusePort(s, reusePort);
        return s;
    }

    /// \param reuseAddr SO_REUSEADDR \param reusePort SO_REUSEPORT
    /// \return a new AF_INET6 TCP socket (IPV6_V6ONLY from net.ipv6.bindv6only)
    SocketId TcpSocket6(bool reuseAddr = false, bool reusePort = false)
    {
        SocketId s = Tcp().OpenInet6();
        Tcp().SetReuseAddr(s, reuseAddr);
        Tcp().SetReusePort(s, reusePort);
        return s;
    }

    /// \param reuseAddr SO_REUSEADDR \param reusePort SO_REUSEPORT
    /// \return a new AF_INET6 UDP socket (IPV6_V6ONLY from net.ipv6.bindv6only)
    SocketId UdpSocket6(bool reuseAddr = false, bool reusePort = false)
    {
        SocketId s = Udp().OpenInet6();
        Udp().SetReuseAddr(s, reuseAddr);
        Udp().SetReusePort(s, reusePort);
        return s;
    }

    /// \param reuseAddr SO_REUSEADDR \param reusePort SO_REUSEPORT \return a new UDP socket
    SocketId UdpSocket(bool reuseAddr = false, bool reusePort = false)
    {
        SocketId s = Udp().Open();
        Udp().SetReuseAddr(s, reuseAddr);
        Udp().SetReusePort(s, reusePort);
        return s;
    }

    /**
     * \brief A listener bound to addr:port (bind() then listen()).
     * \param addr address \param port port \param backlog listen backlog
     * \param reusePort SO_REUSEPORT
     * \return the listener \throws std::logic_error if either call fails
     */
    SocketId Listener(Ipv4 addr,
                      uint16_t port,
                      int64_t backlog = DEFAULT_BACKLOG,
                      bool reusePort = false)
    {
        SocketId s = TcpSocket(false, reusePort);
        Require(Tcp().Bind(s, addr, port), "listener bind");
        Require(Tcp().Listen(s, backlog), "listener listen");
        return s;
    }

    /**
     * \brief connect() plus the handshake: the listener found by demux gets a child in its
     * accept queue (no listener: RST, ECONNREFUSED). The source address is 127.0.0.1, as
     * Linux's local route for 127/8 chooses.
     * \param c the client socket \param dst destination \param port destination port
     * \param child receives the server's child (optional)
     * \param listener receives the listener that took the SYN (optional)
     * \return connect()'s result, or CONNREFUSED
     */
    Errno Connect(SocketId c,
                  Ipv4 dst,
                  uint16_t port,
                  SocketId* child = nullptr,
                  SocketId* listener = nullptr)
    {
        TcpConnectResult r;
        Errno e = Tcp().Connect(c, LO1, dst, port, m_now, r);
        if (e != Errno::OK)
        {
            return e;
        }
        TcpLookup lk = Tcp().Lookup(dst, port, r.localAddr, r.localPort);
        if (lk.kind != TcpLookup::LISTENER)
        {
            Tcp().SetClosed(c); // RST in reply to the SYN
            return Errno::CONNREFUSED;
        }
        SocketId ch =
            Tcp().CreateChild(lk.id, dst, r.localAddr, r.localPort, TcpState::ESTABLISHED);
        Tcp().SetState(c, TcpState::ESTABLISHED);
        if (child != nullptr)
        {
            *child = ch;
        }
        if (listener != nullptr)
        {
            *listener = lk.id;
        }
        return Errno::OK;
    }

    /**
     * \brief An AF_INET6 socket's connect() to one of this host's addresses, and the
     * accept() at the other end. A native IPv6 destination is reached from itself as source
     * (the loopback route's choice, as `ss` shows in the recording) and looked up among IPv6
     * sockets; a v4-mapped one goes the IPv4 way of Connect().
     * \param c client socket (AF_INET6)
     * \param dst destination
     * \param port destination port
     * \param child receives the accepted child (if not null)
     * \param listener receives the listener that took the SYN (if not null)
     * \return OK, CONNREFUSED (no listener: RST), or the connect() error
     */
    Errno Connect6(SocketId c,
                   const InetAddress& dst,
                   uint16_t port,
                   SocketId* child = nullptr,
                   SocketId* listener = nullptr)
    {
        if (dst.inet6 && ClassifyIpv6(dst.v6) == Ipv6Class::MAPPED)
        {
            return Connect(c, MappedIpv4(dst.v6), port, child, listener);
        }
        TcpConnectResult r;
        Errno e = Tcp().Connect(c, dst, dst, port, m_now, r);
        if (e != Errno::OK)
        {
            return e;
        }
        TcpLookup lk = Tcp().Lookup6(dst.v6, port, dst.v6, r.localPort);
        if (lk.kind != TcpLookup::LISTENER)
        {
            Tcp().SetClosed(c); // RST in reply to the SYN
            return Errno::CONNREFUSED;
        }
        SocketId ch = Tcp().CreateChild6(lk.id, dst.v6, dst.v6, r.localPort, TcpState::ESTABLISHED);
        Tcp().SetState(c, TcpState::ESTABLISHED);
        if (child != nullptr)
        {
            *child = ch;
        }
        if (listener != nullptr)
        {
            *listener = lk.id;
        }
        return Errno::OK;
    }

    /**
     * \brief The active close of an established pair: \p first sends its FIN and, once it is
     * acknowledged, waits in FIN_WAIT2; \p second is in CLOSE_WAIT.
     * \param first the active closer \param second its peer
     */
    void ActiveClose(SocketId first, SocketId second)
    {
        Tcp().SetState(first, TcpState::FIN_WAIT1);
        Tcp().SetState(first, TcpState::FIN_WAIT2);
        Tcp().SetState(second, TcpState::CLOSE_WAIT);
    }

    /**
     * \brief The passive close that follows ActiveClose(): \p second (CLOSE_WAIT) sends its
     * FIN, \p first enters TIME_WAIT, \p second goes LAST_ACK -> CLOSE; both are destroyed.
     * \param second the passive closer \param first the active closer, in FIN_WAIT2
     */
    void PassiveClose(SocketId second, SocketId first)
    {
        Tcp().SetState(second, TcpState::LAST_ACK);
        TimeWaitInfo info;
        info.sndNxt = 1000;
        info.rcvNxt = 2000;
        info.tsRecent = static_cast<uint32_t>(m_now / NS_PER_MS);
        // Both ends are this host: its SYN offers timestamps as its SYN-ACK does.
        const int64_t ts = m_host.Sysctls().tcpTimestamps;
        info.hasTimestamps = TcpTwTimestamps(TcpTstampOk(ts, TcpSynOffersTimestamps(ts)), true);
        Tcp().EnterTimeWait(first, m_now, info);
        Tcp().Destroy(first);
        Tcp().SetClosed(second);
        Tcp().Destroy(second);
    }

    /**
     * \brief `first.close(); sleep(gap); second.close(); sleep(gap)`: the first closer ends in
     * TIME_WAIT, the second goes LAST_ACK -> CLOSE; both sockets are destroyed.
     * \param first the active closer \param second the passive closer \param gap the pause
     */
    void CloseInOrder(SocketId first, SocketId second, TimeNs gap)
    {
        ActiveClose(first, second);
        Sleep(gap);
        PassiveClose(second, first);
        Sleep(gap);
    }

  private:
    static void Require(Errno e, const char* what)
    {
        if (e != Errno::OK)
        {
            throw std::logic_error(std::string("model case setup failed: ") + what + ": " +
                                   ErrnoName(e));
        }
    }

    HostPortSpace m_host;
    TimeNs m_now{0};
};

} // namespace portlab

#endif // PORTLAB_TABLE_DRIVER_H
