/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/port-selector.h"

#include "ports/hash-ephemeral-port-selector.h"
#include "ports/random-ephemeral-port-selector.h"
#include "ports/sequential-ephemeral-port-selector.h"

#include "ns3/log.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("PortSelector");
NS_OBJECT_ENSURE_REGISTERED(PortSelector);
NS_OBJECT_ENSURE_REGISTERED(LinuxPortSelector);
NS_OBJECT_ENSURE_REGISTERED(RandomPortSelector);
NS_OBJECT_ENSURE_REGISTERED(HashPortSelector);
NS_OBJECT_ENSURE_REGISTERED(RandomIncrementsPortSelector);
NS_OBJECT_ENSURE_REGISTERED(SequentialPortSelector);

TypeId
PortSelector::GetTypeId()
{
    static TypeId tid = TypeId("ns3::PortSelector").SetParent<Object>().SetGroupName("Portlab");
    return tid;
}

bool
PortSelector::LookupByName(const std::string& name, TypeId& tid)
{
    if (name == "linux")
    {
        tid = LinuxPortSelector::GetTypeId();
    }
    else if (name == "random")
    {
        tid = RandomPortSelector::GetTypeId();
    }
    else if (name == "hash")
    {
        tid = HashPortSelector::GetTypeId();
    }
    else if (name == "random-increments")
    {
        tid = RandomIncrementsPortSelector::GetTypeId();
    }
    else if (name == "sequential")
    {
        tid = SequentialPortSelector::GetTypeId();
    }
    else
    {
        return false;
    }
    return true;
}

TypeId
LinuxPortSelector::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LinuxPortSelector")
                            .SetParent<PortSelector>()
                            .SetGroupName("Portlab")
                            .AddConstructor<LinuxPortSelector>();
    return tid;
}

std::unique_ptr<portlab::EphemeralPortSelector>
LinuxPortSelector::Make(portlab::RandomSource& rng, uint64_t secret) const
{
    NS_LOG_FUNCTION(this);
    return std::make_unique<portlab::LinuxEphemeralPortSelector>(rng, secret);
}

TypeId
RandomPortSelector::GetTypeId()
{
    static TypeId tid = TypeId("ns3::RandomPortSelector")
                            .SetParent<PortSelector>()
                            .SetGroupName("Portlab")
                            .AddConstructor<RandomPortSelector>();
    return tid;
}

std::unique_ptr<portlab::EphemeralPortSelector>
RandomPortSelector::Make(portlab::RandomSource& rng, uint64_t secret) const
{
    NS_LOG_FUNCTION(this);
    return std::make_unique<portlab::RandomEphemeralPortSelector>(rng, secret);
}

TypeId
HashPortSelector::GetTypeId()
{
    static TypeId tid = TypeId("ns3::HashPortSelector")
                            .SetParent<PortSelector>()
                            .SetGroupName("Portlab")
                            .AddConstructor<HashPortSelector>();
    return tid;
}

std::unique_ptr<portlab::EphemeralPortSelector>
HashPortSelector::Make(portlab::RandomSource& /* rng */, uint64_t secret) const
{
    NS_LOG_FUNCTION(this);
    return std::make_unique<portlab::HashEphemeralPortSelector>(secret);
}

TypeId
RandomIncrementsPortSelector::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::RandomIncrementsPortSelector")
            .SetParent<PortSelector>()
            .SetGroupName("Portlab")
            .AddConstructor<RandomIncrementsPortSelector>()
            .AddAttribute("N",
                          "RFC 6056 Algorithm 5's N: each candidate is the previous one plus a "
                          "random step in [1, N]. Small N: a long port reuse cycle but a next "
                          "port guessed with probability about 1/N; the RFC suggests 500",
                          UintegerValue(portlab::RandomIncrementsEphemeralPortSelector::DEFAULT_N),
                          MakeUintegerAccessor(&RandomIncrementsPortSelector::m_n),
                          MakeUintegerChecker<uint32_t>(1, 65535));
    return tid;
}

std::unique_ptr<portlab::EphemeralPortSelector>
RandomIncrementsPortSelector::Make(portlab::RandomSource& rng, uint64_t secret) const
{
    NS_LOG_FUNCTION(this << m_n);
    return std::make_unique<portlab::RandomIncrementsEphemeralPortSelector>(rng, secret, m_n);
}

TypeId
SequentialPortSelector::GetTypeId()
{
    static TypeId tid = TypeId("ns3::SequentialPortSelector")
                            .SetParent<PortSelector>()
                            .SetGroupName("Portlab")
                            .AddConstructor<SequentialPortSelector>();
    return tid;
}

std::unique_ptr<portlab::EphemeralPortSelector>
SequentialPortSelector::Make(portlab::RandomSource& /* rng */, uint64_t secret) const
{
    NS_LOG_FUNCTION(this);
    return std::make_unique<portlab::SequentialEphemeralPortSelector>(secret);
}

} // namespace ns3
