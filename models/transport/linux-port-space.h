/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_PORT_SPACE_H
#define LINUX_PORT_SPACE_H

#include "ports/host-port-space.h"
#include "transport/linux-mib.h"
#include "transport/port-selector.h"

#include "ns3/event-id.h"
#include "ns3/ipv4-address.h"
#include "ns3/ipv6-address.h"
#include "ns3/nstime.h"
#include "ns3/object.h"
#include "ns3/random-variable-stream.h"
#include "ns3/traced-callback.h"

#include <memory>

namespace ns3
{

class Node;

/**
 * \ingroup portlab-transport
 * \brief A node's Linux port space: its sysctls as attributes under their Linux names, the
 * TCP and UDP port tables (portlab::HostPortSpace), and the node's single TIME_WAIT timer.
 *
 * Aggregated to the node by LinuxStackHelper; LinuxTcpL4Protocol and LinuxUdpL4Protocol find
 * it there. Settings are reachable by Config paths, e.g.
 * `/NodeList/0/$ns3::LinuxPortSpace/tcp_tw_reuse`.
 *
 * The sysctl attributes are made from portlab::SysctlDescriptors(), one per descriptor: named
 * by its short name, with its help and default, an integer one (UintegerValue) checked to the
 * descriptor's [min, max], the two port settings as strings. Every way of setting a sysctl
 * (these attributes, LinuxStackHelper::SetSysctl, scenario keys, socket scripts) ends in
 * SetSysctl().
 */
class LinuxPortSpace : public Object, public portlab::TcpPortObserver
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    LinuxPortSpace();
    ~LinuxPortSpace() override;

    /// \return the port tables
    portlab::HostPortSpace& Host()
    {
        return *m_host;
    }

    /// \return the node's settings
    const portlab::PortSysctls& Sysctls() const
    {
        return m_host->Sysctls();
    }

    /**
     * \brief Set one sysctl, already parsed: the one path every setting takes to this node
     * (the sysctl attributes' setter calls it too).
     * \param setting the setting (portlab::SysctlSetting::Parse)
     * \throws portlab::SysctlError if another setting forbids the value (an
     *         ip_local_port_range below ip_unprivileged_port_start); nothing changes then
     */
    void SetSysctl(const portlab::SysctlSetting& setting);

    /// \return the host's SNMP and netstat counters
    const LinuxMib& Mib() const
    {
        return m_mib;
    }

    /**
     * \brief Count an event in the host's counters (the one place the transport counts), and
     * fire the `Mib` trace source.
     * \param c the counter
     * \param delta added to it (-1: a gauge going down)
     */
    void Count(LinuxMib::Counter c, int64_t delta = 1);

    /**
     * TracedCallback signature for counter changes.
     * \param name the counter's nstat name
     * \param value its new value
     */
    typedef void (*MibTracedCallback)(const std::string& name, int64_t value);

    /// \return the current simulated time in portlab's units (ns)
    static portlab::TimeNs Now();

    /// \param t a portlab time \return it as ns3::Time
    static Time ToTime(portlab::TimeNs t)
    {
        return NanoSeconds(t);
    }

    /// \param a an ns-3 address \return portlab's form
    static portlab::Ipv4 ToPortlab(Ipv4Address a)
    {
        return a.Get();
    }

    /// \param a an ns-3 IPv6 address \return portlab's form
    static portlab::Ipv6 ToPortlab6(const Ipv6Address& a)
    {
        portlab::Ipv6 r;
        a.GetBytes(r.bytes.data());
        return r;
    }

    /// \param a portlab's IPv6 address \return ns-3's
    static Ipv6Address ToNs3(const portlab::Ipv6& a)
    {
        return Ipv6Address(const_cast<uint8_t*>(a.bytes.data()));
    }

    /// \param a ns-3's IPv4 address \return portlab's
    static Ipv4Address ToNs3(portlab::Ipv4 a)
    {
        return Ipv4Address(a);
    }

    /**
     * \brief Learn the node's interface addresses (bind() accepts them as local).
     * Called by the L4 protocols before each bind, so addresses assigned at any time count.
     */
    void RefreshAddresses();

    /**
     * \brief (Re)arm the node's one TIME_WAIT timer for the earliest expiry. The TCP layer
     * calls this after entering or rescheduling an entry.
     */
    void ArmTimeWaitTimer();

    /**
     * \brief Use a fixed stream for the port model's randomness, the per-host secret
     * included. Must be called before the secret is drawn: before the node's first socket is
     * created (or anything else reaches Host().Tcp(), Udp() or Selector()).
     * \param stream first stream index
     * \return number of streams used (1)
     */
    int64_t AssignStreams(int64_t stream);

    /// TracedCallback signature for TIME_WAIT events: local, local port, remote, remote port.
    typedef void (*TimeWaitTracedCallback)(Ipv4Address, uint16_t, Ipv4Address, uint16_t);

    /// TracedCallback signature for a connection's 4-tuple: local, local port, remote, port.
    typedef void (*FourTupleTracedCallback)(Ipv4Address, uint16_t, Ipv4Address, uint16_t);

    /// \return the node's ephemeral port algorithm (the `PortSelector` attribute's object)
    Ptr<PortSelector> GetPortSelector() const
    {
        return m_selector;
    }

    // portlab::TcpPortObserver
    void TimeWaitEntered(const portlab::TimeWaitEntry& tw) override;
    void TimeWaitExpired(const portlab::TimeWaitEntry& tw) override;
    void TimeWaitTakenOver(const portlab::TimeWaitEntry& tw) override;
    void TimeWaitKilled(const portlab::TimeWaitEntry& tw) override;
    void TimeWaitOverflow(const portlab::FourTuple& tuple) override;
    void ConnectPortChosen(const portlab::FourTuple& tuple) override;

  protected:
    /// ns3::Object::DoDispose(): cancels the TIME_WAIT timer and detaches from the TCP table.
    void DoDispose() override;

  private:
    void SetHz(uint32_t hz);
    void SetPortSelectorType(TypeId tid);
    TypeId GetPortSelectorType() const;
    /// \return a factory for the host's algorithm (the current PortSelector)
    portlab::HostPortSpace::SelectorFactory SelectorFactory() const;
    void ExpireTimeWaits();
    static void Emit(const TracedCallback<Ipv4Address, uint16_t, Ipv4Address, uint16_t>& trace,
                     const portlab::FourTuple& t);

    Ptr<UniformRandomVariable> m_rng;               //!< randomness
    Ptr<PortSelector> m_selector;                   //!< ephemeral port algorithm
    std::unique_ptr<portlab::HostPortSpace> m_host; //!< the tables
    EventId m_twTimer;                              //!< the node's TIME_WAIT timer
    portlab::TimeNs m_twTimerAt{-1};                //!< when it fires
    uint32_t m_hz{0};                               //!< CONFIG_HZ (0 = exact timers)

    LinuxMib m_mib;                                                         //!< the host's counters
    TracedCallback<const std::string&, int64_t> m_mibTrace;                 //!< a counter changed
    TracedCallback<Ipv4Address, uint16_t, Ipv4Address, uint16_t> m_twEnter; //!< entered
    TracedCallback<Ipv4Address, uint16_t, Ipv4Address, uint16_t> m_twExpire;   //!< expired
    TracedCallback<Ipv4Address, uint16_t, Ipv4Address, uint16_t> m_twTakeover; //!< reused
    TracedCallback<Ipv4Address, uint16_t, Ipv4Address, uint16_t> m_twKill;     //!< killed
    TracedCallback<Ipv4Address, uint16_t, Ipv4Address, uint16_t> m_twOverflow; //!< skipped
    TracedCallback<Ipv4Address, uint16_t, Ipv4Address, uint16_t> m_portChosen; //!< connect()

  public:
    /**
     * \brief When a jiffy timer (TIME_WAIT, retransmission) armed now for `t` fires: Linux's
     * timer wheel rounds it up to its level's granularity for the host's CONFIG_HZ (attribute
     * Hz; with 250 a 60 s timer fires 60-62.048 s later, a 1 s one 1-1.036 s later). Hz 0: `t`.
     * \param t a timeout \return when it fires
     */
    portlab::TimeNs RoundTimer(portlab::TimeNs t) const;
    /**
     * \brief A duration in jiffies of the host's CONFIG_HZ (Hz 0: a HZ=1000 kernel's).
     * \param n jiffies \return their length
     */
    Time Jiffies(uint32_t n) const;
};

} // namespace ns3

#endif // LINUX_PORT_SPACE_H
