/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-port-space.h"

#include "ports/timer-wheel.h"
#include "transport/stream-random-source.h"

#include "ns3/abort.h"
#include "ns3/ipv4.h"
#include "ns3/ipv6.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/object-factory.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/type-id.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxPortSpace");
NS_OBJECT_ENSURE_REGISTERED(LinuxPortSpace);

namespace
{
/**
 * The accessor of a sysctl attribute, made from its descriptor: an integer setting takes and
 * gives a UintegerValue, a port setting a StringValue ("LOW HIGH", "8080,9000-9010"). Both
 * end in LinuxPortSpace::SetSysctl; a value the descriptor rejects is a fatal error with its
 * one-line message.
 */
class SysctlAccessor : public AttributeAccessor
{
  public:
    /// \param d the setting (from the static table, so it outlives the accessor)
    explicit SysctlAccessor(const portlab::SysctlDescriptor& d)
        : m_d(d)
    {
    }

    bool Set(ObjectBase* object, const AttributeValue& value) const override
    {
        auto* ports = dynamic_cast<LinuxPortSpace*>(object);
        if (ports == nullptr)
        {
            return false;
        }
        try
        {
            portlab::SysctlSetting setting;
            if (m_d.kind == portlab::SysctlKind::INT)
            {
                const auto* v = dynamic_cast<const UintegerValue*>(&value);
                if (v == nullptr)
                {
                    return false;
                }
                setting.descriptor = &m_d;
                setting.value.number = static_cast<int64_t>(v->Get());
                setting.text = std::to_string(v->Get());
            }
            else
            {
                const auto* v = dynamic_cast<const StringValue*>(&value);
                if (v == nullptr)
                {
                    return false;
                }
                setting.descriptor = &m_d;
                setting.value = m_d.Parse(v->Get());
                setting.text = v->Get();
            }
            ports->SetSysctl(setting);
        }
        catch (const portlab::SysctlError& e)
        {
            NS_FATAL_ERROR(e.what());
        }
        return true;
    }

    bool Get(const ObjectBase* object, AttributeValue& value) const override
    {
        const auto* ports = dynamic_cast<const LinuxPortSpace*>(object);
        if (ports == nullptr)
        {
            return false;
        }
        const portlab::PortSysctls& s = ports->Sysctls();
        switch (m_d.kind)
        {
        case portlab::SysctlKind::INT: {
            auto* v = dynamic_cast<UintegerValue*>(&value);
            if (v == nullptr)
            {
                return false;
            }
            v->Set(static_cast<uint64_t>(s.*(m_d.member)));
            return true;
        }
        case portlab::SysctlKind::PORT_RANGE:
        case portlab::SysctlKind::PORT_LIST: {
            auto* v = dynamic_cast<StringValue*>(&value);
            if (v == nullptr)
            {
                return false;
            }
            v->Set(AttributeText(m_d, s));
            return true;
        }
        }
        return false;
    }

    bool HasGetter() const override
    {
        return true;
    }

    bool HasSetter() const override
    {
        return true;
    }

    /// \param d a port setting \param s settings \return its value as the attribute writes it
    static std::string AttributeText(const portlab::SysctlDescriptor& d,
                                     const portlab::PortSysctls& s)
    {
        if (d.kind == portlab::SysctlKind::PORT_RANGE)
        {
            return std::to_string(s.ipLocalPortRangeLow) + " " +
                   std::to_string(s.ipLocalPortRangeHigh); // "LOW HIGH", as it is set
        }
        return d.Get(s);
    }

  private:
    const portlab::SysctlDescriptor& m_d; //!< the setting
};

/// \param tid LinuxPortSpace's TypeId \return it with one attribute per sysctl descriptor
TypeId
AddSysctlAttributes(TypeId tid)
{
    const portlab::PortSysctls defaults;
    for (const auto& d : portlab::SysctlDescriptors())
    {
        if (d.kind == portlab::SysctlKind::INT)
        {
            tid.AddAttribute(d.ShortName(),
                             d.Help(),
                             UintegerValue(static_cast<uint64_t>(defaults.*(d.member))),
                             Create<SysctlAccessor>(d),
                             MakeUintegerChecker<uint64_t>(static_cast<uint64_t>(d.min),
                                                           static_cast<uint64_t>(d.max)));
        }
        else
        {
            tid.AddAttribute(d.ShortName(),
                             d.Help(),
                             StringValue(SysctlAccessor::AttributeText(d, defaults)),
                             Create<SysctlAccessor>(d),
                             MakeStringChecker());
        }
    }
    return tid;
}
} // namespace

TypeId
LinuxPortSpace::GetTypeId()
{
    static TypeId tid =
        AddSysctlAttributes(TypeId("ns3::LinuxPortSpace")
                                .SetParent<Object>()
                                .SetGroupName("Portlab")
                                .AddConstructor<LinuxPortSpace>())
            .AddAttribute("Hz",
                          "CONFIG_HZ of the modelled kernel: the TIME_WAIT and retransmission "
                          "timers fire when Linux's timer wheel would (e.g. 250: a 60 s "
                          "TIME_WAIT ends 60-62.048 s after entry, a 1 s SYN timer 1-1.036 s "
                          "later) and TCP_TIMEOUT_MIN is 2 of its jiffies (8 ms at 250); "
                          "0 = exact timers and 1 ms jiffies, as HZ=1000 without rounding",
                          UintegerValue(0),
                          MakeUintegerAccessor(&LinuxPortSpace::SetHz),
                          MakeUintegerChecker<uint32_t>(0, 10000))
            .AddAttribute("TimeWaitHz",
                          "The former name of Hz (it rounds every jiffy timer now, not only "
                          "TIME_WAIT)",
                          UintegerValue(0),
                          MakeUintegerAccessor(&LinuxPortSpace::SetHz),
                          MakeUintegerChecker<uint32_t>(0, 10000),
                          TypeId::DEPRECATED,
                          "use Hz")
            .AddAttribute("PortSelector",
                          "The ephemeral port algorithm: a subclass of ns3::PortSelector "
                          "(LinuxPortSelector, Linux 6.18's, the default; RandomPortSelector, "
                          "HashPortSelector, RandomIncrementsPortSelector, "
                          "SequentialPortSelector). It orders the candidate ports only: every "
                          "other port rule stays Linux's. Made with the subclass's attribute "
                          "defaults; its state starts afresh when set",
                          TypeIdValue(LinuxPortSelector::GetTypeId()),
                          MakeTypeIdAccessor(&LinuxPortSpace::SetPortSelectorType,
                                             &LinuxPortSpace::GetPortSelectorType),
                          MakeTypeIdChecker())
            .AddTraceSource("ConnectPortChosen",
                            "connect() chose a local port with the ephemeral port algorithm "
                            "(not when the socket had a port already)",
                            MakeTraceSourceAccessor(&LinuxPortSpace::m_portChosen),
                            "ns3::LinuxPortSpace::FourTupleTracedCallback")
            .AddTraceSource("TimeWaitEnter",
                            "A connection entered TIME_WAIT",
                            MakeTraceSourceAccessor(&LinuxPortSpace::m_twEnter),
                            "ns3::LinuxPortSpace::TimeWaitTracedCallback")
            .AddTraceSource("TimeWaitExpire",
                            "A TIME_WAIT entry lived its full time",
                            MakeTraceSourceAccessor(&LinuxPortSpace::m_twExpire),
                            "ns3::LinuxPortSpace::TimeWaitTracedCallback")
            .AddTraceSource("TimeWaitTakeover",
                            "connect() took over a TIME_WAIT 4-tuple (tcp_tw_reuse)",
                            MakeTraceSourceAccessor(&LinuxPortSpace::m_twTakeover),
                            "ns3::LinuxPortSpace::TimeWaitTracedCallback")
            .AddTraceSource("TimeWaitKill",
                            "A TIME_WAIT entry was killed by an RST or a new SYN",
                            MakeTraceSourceAccessor(&LinuxPortSpace::m_twKill),
                            "ns3::LinuxPortSpace::TimeWaitTracedCallback")
            .AddTraceSource("TimeWaitOverflow",
                            "A connection closed without TIME_WAIT (tcp_max_tw_buckets)",
                            MakeTraceSourceAccessor(&LinuxPortSpace::m_twOverflow),
                            "ns3::LinuxPortSpace::TimeWaitTracedCallback")
            .AddTraceSource("Mib",
                            "A Linux SNMP/netstat counter of the host changed (LinuxMib)",
                            MakeTraceSourceAccessor(&LinuxPortSpace::m_mibTrace),
                            "ns3::LinuxPortSpace::MibTracedCallback");
    return tid;
}

LinuxPortSpace::LinuxPortSpace()
    : m_rng(CreateObject<UniformRandomVariable>()),
      m_selector(CreateObject<LinuxPortSelector>())
{
    NS_LOG_FUNCTION(this);
    m_host = std::make_unique<portlab::HostPortSpace>(std::make_unique<StreamRandomSource>(m_rng),
                                                      SelectorFactory());
    m_host->SetTcpObserver(this);
}

portlab::HostPortSpace::SelectorFactory
LinuxPortSpace::SelectorFactory() const
{
    Ptr<PortSelector> selector = m_selector;
    return [selector](portlab::RandomSource& rng, uint64_t secret) {
        return selector->Make(rng, secret);
    };
}

void
LinuxPortSpace::SetPortSelectorType(TypeId tid)
{
    NS_LOG_FUNCTION(this << tid.GetName());
    if (tid == m_selector->GetInstanceTypeId())
    {
        return; // the attribute's initial value, or no change: keep the algorithm's state
    }
    NS_ABORT_MSG_UNLESS(tid.IsChildOf(PortSelector::GetTypeId()) && tid.HasConstructor(),
                        "LinuxPortSpace::PortSelector: " << tid.GetName()
                                                         << " is not a ns3::PortSelector");
    ObjectFactory factory;
    factory.SetTypeId(tid);
    m_selector = factory.Create<PortSelector>();
    m_host->UseSelector(SelectorFactory());
}

TypeId
LinuxPortSpace::GetPortSelectorType() const
{
    return m_selector->GetInstanceTypeId();
}

LinuxPortSpace::~LinuxPortSpace()
{
    NS_LOG_FUNCTION(this);
}

void
LinuxPortSpace::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_twTimer.Cancel();
    m_host->SetTcpObserver(nullptr);
    Object::DoDispose();
}

portlab::TimeNs
LinuxPortSpace::Now()
{
    return Simulator::Now().GetNanoSeconds();
}

void
LinuxPortSpace::SetSysctl(const portlab::SysctlSetting& setting)
{
    NS_LOG_FUNCTION(this << setting.Name() << setting.text);
    setting.ApplyTo(m_host->Sysctls());
}

void
LinuxPortSpace::SetHz(uint32_t hz)
{
    m_hz = hz;
}

void
LinuxPortSpace::RefreshAddresses()
{
    Ptr<Ipv4> ipv4 = GetObject<Ipv4>();
    if (!ipv4)
    {
        return;
    }
    for (uint32_t i = 0; i < ipv4->GetNInterfaces(); ++i)
    {
        for (uint32_t j = 0; j < ipv4->GetNAddresses(i); ++j)
        {
            Ipv4InterfaceAddress a = ipv4->GetAddress(i, j);
            m_host->Addresses().Add(a.GetLocal().Get());
            if (a.GetMask() != Ipv4Mask::GetOnes())
            {
                m_host->Addresses().AddBroadcast(a.GetBroadcast().Get());
            }
        }
    }
    Ptr<Ipv6> ipv6 = GetObject<Ipv6>();
    if (!ipv6)
    {
        return;
    }
    for (uint32_t i = 0; i < ipv6->GetNInterfaces(); ++i)
    {
        for (uint32_t j = 0; j < ipv6->GetNAddresses(i); ++j)
        {
            const Ipv6Address a = ipv6->GetAddress(i, j).GetAddress();
            if (!a.IsAny() && !a.IsLocalhost())
            {
                m_host->Addresses().AddIpv6(ToPortlab6(a), i + 1); // ifindex: interface + 1
            }
        }
    }
}

int64_t
LinuxPortSpace::AssignStreams(int64_t stream)
{
    // The host draws its secret (hashes, port offsets) from m_rng when it is first needed, so
    // fixing the stream now lets the seed alone decide every random choice of the port model.
    NS_ABORT_MSG_IF(m_host->SecretDrawn(),
                    "LinuxPortSpace::AssignStreams: call it before any socket is created (the "
                    "host's secret is drawn already)");
    m_rng->SetStream(stream);
    return 1;
}

portlab::TimeNs
LinuxPortSpace::RoundTimer(portlab::TimeNs t) const
{
    if (m_hz == 0)
    {
        return t;
    }
    return portlab::TimerWheelExpiry(Now(), t, m_hz);
}

Time
LinuxPortSpace::Jiffies(uint32_t n) const
{
    return NanoSeconds(static_cast<int64_t>(n) * portlab::NS_PER_SECOND /
                       (m_hz == 0 ? 1000 : m_hz));
}

void
LinuxPortSpace::ArmTimeWaitTimer()
{
    portlab::TimeNs next = m_host->Tcp().NextTimeWaitExpiry();
    if (next < 0)
    {
        return;
    }
    if (m_twTimer.IsRunning() && m_twTimerAt <= next)
    {
        return; // already due no later than the earliest entry
    }
    m_twTimer.Cancel();
    m_twTimerAt = next;
    m_twTimer = Simulator::Schedule(NanoSeconds(std::max<portlab::TimeNs>(0, next - Now())),
                                    &LinuxPortSpace::ExpireTimeWaits,
                                    this);
}

void
LinuxPortSpace::ExpireTimeWaits()
{
    m_host->Tcp().ExpireTimeWaits(Now());
    m_twTimerAt = -1;
    ArmTimeWaitTimer();
}

void
LinuxPortSpace::Emit(const TracedCallback<Ipv4Address, uint16_t, Ipv4Address, uint16_t>& trace,
                     const portlab::FourTuple& t)
{
    trace(ToNs3(t.localAddr), t.localPort, ToNs3(t.remoteAddr), t.remotePort);
}

void
LinuxPortSpace::TimeWaitEntered(const portlab::TimeWaitEntry& tw)
{
    Emit(m_twEnter, tw.tuple);
}

void
LinuxPortSpace::TimeWaitExpired(const portlab::TimeWaitEntry& tw)
{
    Emit(m_twExpire, tw.tuple);
}

void
LinuxPortSpace::Count(LinuxMib::Counter c, int64_t delta)
{
    m_mib.Add(c, delta);
    m_mibTrace(LinuxMib::Name(c), m_mib.Get(c));
}

void
LinuxPortSpace::TimeWaitTakenOver(const portlab::TimeWaitEntry& tw)
{
    Count(LinuxMib::TCP_EXT_TW_RECYCLED); // __inet_check_established(): TIMEWAITRECYCLED
    Emit(m_twTakeover, tw.tuple);
}

void
LinuxPortSpace::TimeWaitKilled(const portlab::TimeWaitEntry& tw)
{
    Emit(m_twKill, tw.tuple);
}

void
LinuxPortSpace::TimeWaitOverflow(const portlab::FourTuple& t)
{
    Count(LinuxMib::TCP_EXT_TIME_WAIT_OVERFLOW); // tcp_time_wait(): no timewait sock
    Emit(m_twOverflow, t);
}

void
LinuxPortSpace::ConnectPortChosen(const portlab::FourTuple& t)
{
    Emit(m_portChosen, t);
}

} // namespace ns3
