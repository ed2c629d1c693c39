/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/ephemeral-port-selector.h"

#include "ports/hash-ephemeral-port-selector.h"
#include "ports/random-ephemeral-port-selector.h"
#include "ports/random-increments-ephemeral-port-selector.h"
#include "ports/sequential-ephemeral-port-selector.h"

#include <algorithm>

namespace portlab
{

EphemeralRange
SocketPortRange(uint16_t hostLow, uint16_t hostHigh, uint16_t sockLo, uint16_t sockHi)
{
    EphemeralRange r;
    r.low = hostLow;
    r.high = hostHigh;
    if (sockLo != 0 || sockHi != 0)
    {
        if (r.low <= sockLo && sockLo <= r.high)
        {
            r.low = sockLo;
        }
        if (r.low <= sockHi && sockHi <= r.high)
        {
            r.high = sockHi;
        }
        r.perSocket = true;
    }
    return r;
}

LinuxEphemeralPortSelector::LinuxEphemeralPortSelector(RandomSource& rng,
                                                       uint64_t secret,
                                                       size_t denseAfter)
    : m_rng(rng),
      m_secret(secret),
      m_denseAfter(denseAfter)
{
}

uint32_t
LinuxEphemeralPortSelector::Initial(uint32_t index) const
{
    // get_random_sleepable_once() fills the table with random words: a keyed hash of the
    // index is indistinguishable and needs no storage.
    return static_cast<uint32_t>(Mix64(m_secret ^ (0xa5a5000000000000ULL | index)));
}

uint32_t
LinuxEphemeralPortSelector::Perturb(uint32_t index) const
{
    if (!m_perturbDense.empty())
    {
        return m_perturbDense[index];
    }
    auto it = m_perturbDelta.find(index);
    return Initial(index) + (it == m_perturbDelta.end() ? 0 : it->second);
}

void
LinuxEphemeralPortSelector::Advance(uint32_t index, uint32_t by)
{
    if (!m_perturbDense.empty())
    {
        m_perturbDense[index] += by;
        return;
    }
    m_perturbDelta[index] += by;
    if (m_perturbDelta.size() > m_denseAfter)
    {
        std::vector<uint32_t> dense(TABLE_PERTURB_SIZE);
        for (uint32_t i = 0; i < TABLE_PERTURB_SIZE; ++i)
        {
            dense[i] = Perturb(i);
        }
        m_perturbDense.swap(dense);
        m_perturbDelta = {};
    }
}

uint16_t
LinuxEphemeralPortSelector::SelectConnectPort(const EphemeralRange& range,
                                              Ipv4 localAddr,
                                              Ipv4 remoteAddr,
                                              uint16_t remotePort,
                                              TimeNs now,
                                              PortCandidateCheck& check)
{
    // inet_sk_port_offset(): siphash(saddr, daddr, dport, jiffies / (10 * HZ), net_secret)
    uint64_t epoch = static_cast<uint64_t>(now / PORT_SHUFFLE_PERIOD);
    uint64_t portOffset = Mix64(m_secret ^ ((static_cast<uint64_t>(localAddr) << 32) | remoteAddr));
    portOffset = Mix64(portOffset ^ (static_cast<uint64_t>(remotePort) << 48) ^ epoch);

    const bool localPorts = range.perSocket;
    const uint32_t step = localPorts ? 1 : 2;
    const uint32_t low = range.low;
    const uint32_t high = static_cast<uint32_t>(range.high) + 1; // exclusive
    uint32_t remaining = high - low;
    if (!localPorts && remaining > 1)
    {
        remaining &= ~1U;
    }
    const uint32_t index = static_cast<uint32_t>(portOffset & (TABLE_PERTURB_SIZE - 1));
    uint32_t offset = Perturb(index) + static_cast<uint32_t>(portOffset >> 32);
    offset %= remaining;
    if (!localPorts)
    {
        offset &= ~1U; // first pass: ports of low's parity (even by default)
    }
    for (;;)
    {
        uint32_t port = low + offset;
        for (uint32_t i = 0; i < remaining; i += step, port += step)
        {
            if (port >= high)
            {
                port -= remaining;
            }
            if (check.Usable(static_cast<uint16_t>(port), false))
            {
                // Add a little randomness to the next choice: on low contention the
                // randomness is maximal, on high contention it may be none.
                uint32_t advance = std::max(i, m_rng.Below(8) * step) + step;
                Advance(index, advance);
                return static_cast<uint16_t>(port);
            }
        }
        if (localPorts)
        {
            return 0;
        }
        ++offset;
        if (!((offset & 1) && remaining > 1))
        {
            return 0;
        }
    }
}

uint16_t
LinuxEphemeralPortSelector::SelectBindPort(const EphemeralRange& range,
                                           bool reuseAddr,
                                           bool autobindReuse,
                                           PortCandidateCheck& check)
{
    bool relax = false;
    for (;;) // ports_exhausted:
    {
        int attemptHalf = reuseAddr ? 1 : 0;
        for (;;) // other_half_scan:
        {
            uint32_t low = range.low;
            uint32_t high = static_cast<uint32_t>(range.high) + 1;
            if (high - low < 4)
            {
                attemptHalf = 0;
            }
            if (attemptHalf != 0)
            {
                uint32_t half = low + (((high - low) >> 2) << 1);
                if (attemptHalf == 1)
                {
                    high = half;
                }
                else
                {
                    low = half;
                }
            }
            uint32_t remaining = high - low;
            if (remaining > 1)
            {
                remaining &= ~1U;
            }
            // inet_csk_get_port() favours the parity opposite to connect()'s.
            uint32_t offset = m_rng.Below(remaining) | 1U;
            for (;;) // other_parity_scan:
            {
                uint32_t port = low + offset;
                for (uint32_t i = 0; i < remaining; i += 2, port += 2)
                {
                    if (port >= high)
                    {
                        port -= remaining;
                    }
                    if (check.Usable(static_cast<uint16_t>(port), relax))
                    {
                        return static_cast<uint16_t>(port);
                    }
                }
                --offset;
                if (offset & 1)
                {
                    break;
                }
            }
            if (attemptHalf == 1)
            {
                attemptHalf = 2;
                continue;
            }
            break;
        }
        if (autobindReuse && !relax)
        {
            relax = true;
            continue;
        }
        return 0;
    }
}

uint16_t
LinuxEphemeralPortSelector::SelectUdpPort(const EphemeralRange& range, PortCandidateCheck& check)
{
    const uint32_t low = range.low;
    const uint32_t high = range.high;
    const uint32_t remaining = high - low + 1;
    uint32_t rand = m_rng.NextU32();
    uint16_t first = static_cast<uint16_t>(ReciprocalScale(rand, remaining) + low);
    // Force the stride to an odd multiple of the hash size: full coverage of each chain.
    auto stride = static_cast<uint16_t>((rand | 1) * UDP_HASH_SLOTS);
    const uint32_t chains = UDP_HASH_SLOTS;
    for (uint32_t c = 0; c < chains; ++c, ++first)
    {
        uint16_t snum = first;
        do
        {
            if (low <= snum && snum <= high && check.Usable(snum, false))
            {
                return snum;
            }
            snum = static_cast<uint16_t>(snum + stride);
        } while (snum != first);
    }
    return 0;
}

PortOrderSelector::PortOrderSelector(uint64_t secret)
    : m_secret(secret)
{
}

uint16_t
PortOrderSelector::SelectConnectPort(const EphemeralRange& range,
                                     Ipv4 localAddr,
                                     Ipv4 remoteAddr,
                                     uint16_t remotePort,
                                     TimeNs /* now */,
                                     PortCandidateCheck& check)
{
    // secure_ipv4_port_ephemeral(saddr, daddr, dport) before Linux 4.6: no time epoch.
    uint64_t key = Mix64(m_secret ^ ((static_cast<uint64_t>(localAddr) << 32) | remoteAddr));
    key = Mix64(key ^ (static_cast<uint64_t>(remotePort) << 48));
    Request r{range.low, static_cast<uint32_t>(range.high) - range.low + 1, key, 0, false};
    return Choose(r, check);
}

uint16_t
PortOrderSelector::SelectBindPort(const EphemeralRange& range,
                                  bool /* reuseAddr */,
                                  bool autobindReuse,
                                  PortCandidateCheck& check)
{
    Request r{range.low, static_cast<uint32_t>(range.high) - range.low + 1, 0, 0, false};
    uint16_t port = Choose(r, check);
    if (port == 0 && autobindReuse)
    {
        r.relaxed = true;
        port = Choose(r, check);
    }
    return port;
}

uint16_t
PortOrderSelector::SelectUdpPort(const EphemeralRange& range, PortCandidateCheck& check)
{
    Request r{range.low, static_cast<uint32_t>(range.high) - range.low + 1, 0, 1, false};
    return Choose(r, check);
}

uint16_t
PortOrderSelector::ScanUp(const Request& r,
                          uint32_t start,
                          PortCandidateCheck& check,
                          uint32_t* tries)
{
    uint32_t offset = start;
    for (uint32_t i = 1; i <= r.size; ++i)
    {
        auto port = static_cast<uint16_t>(r.low + offset);
        if (check.Usable(port, r.relaxed))
        {
            if (tries != nullptr)
            {
                *tries = i;
            }
            return port;
        }
        if (++offset == r.size)
        {
            offset = 0;
        }
    }
    return 0;
}

const std::vector<std::string>&
EphemeralPortSelectorNames()
{
    static const std::vector<std::string> names = {"linux",
                                                   "random",
                                                   "hash",
                                                   "random-increments",
                                                   "sequential"};
    return names;
}

std::unique_ptr<EphemeralPortSelector>
MakeEphemeralPortSelector(const std::string& name, RandomSource& rng, uint64_t secret)
{
    if (name == "linux")
    {
        return std::make_unique<LinuxEphemeralPortSelector>(rng, secret);
    }
    if (name == "random")
    {
        return std::make_unique<RandomEphemeralPortSelector>(rng, secret);
    }
    if (name == "hash")
    {
        return std::make_unique<HashEphemeralPortSelector>(secret);
    }
    if (name == "random-increments")
    {
        return std::make_unique<RandomIncrementsEphemeralPortSelector>(rng, secret);
    }
    if (name == "sequential")
    {
        return std::make_unique<SequentialEphemeralPortSelector>(secret);
    }
    return nullptr;
}

} // namespace portlab
