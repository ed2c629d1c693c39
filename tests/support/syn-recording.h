/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The SYN retransmission recording (tests/data/kernel-checks/syn-linear-timeouts.jsonl, made by
 * syn-linear-timeouts.py on Linux 6.18.44, CONFIG_HZ=250) and the one comparison the port-level
 * and the ns-3 tests make with it.
 */

#ifndef PORTLAB_TESTS_SYN_RECORDING_H
#define PORTLAB_TESTS_SYN_RECORDING_H

#include "ports/port-types.h"
#include "ports/timer-wheel.h"
#include "util/json-text.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace portlab
{

/// One recorded connect() to a peer that drops every SYN.
struct SynRecord
{
    uint32_t synRetries{0};    //!< net.ipv4.tcp_syn_retries
    int64_t linearTimeouts{0}; //!< net.ipv4.tcp_syn_linear_timeouts
    std::string result;        //!< connect()'s errno name
    TimeNs gaveUp{0};          //!< connect() returned, from the first SYN
    std::vector<TimeNs> synAt; //!< each SYN, from the first
};

/// The recording's CONFIG_HZ and its pairs.
struct SynRecording
{
    uint32_t hz{0};               //!< the recording kernel's CONFIG_HZ
    std::vector<SynRecord> pairs; //!< one per (tcp_syn_retries, tcp_syn_linear_timeouts)
};

/// \return the recording; throws if it cannot be read
inline SynRecording
LoadSynRecording()
{
    const std::string path = std::string(PORTLAB_KERNEL_CHECKS_DIR) + "/syn-linear-timeouts.jsonl";
    std::ifstream in(path);
    if (!in)
    {
        throw std::runtime_error("cannot read " + path);
    }
    SynRecording r;
    std::string line;
    while (std::getline(in, line))
    {
        const Json j = ParseJson(line);
        if (j.contains("config_hz"))
        {
            r.hz = j.at("config_hz").get<uint32_t>();
            continue;
        }
        SynRecord s;
        s.synRetries = j.at("tcp_syn_retries").get<uint32_t>();
        s.linearTimeouts = j.at("tcp_syn_linear_timeouts").get<int64_t>();
        s.result = j.at("result").get<std::string>();
        s.gaveUp = j.at("gave_up_ms").get<int64_t>() * NS_PER_MS;
        for (const auto& ms : j.at("syn_ms"))
        {
            s.synAt.push_back(ms.get<int64_t>() * NS_PER_MS);
        }
        r.pairs.push_back(s);
    }
    return r;
}

/// What the recording's clocks add: the packet socket and the connect() return are read by a
/// Python thread in user space (a few ms), and the kernel rounds each delay up to jiffies.
constexpr TimeNs SYN_RECORDING_NOISE = 15 * NS_PER_MS;

/**
 * The model's time for an event (a SYN, the give-up) agrees with the recorded one when the
 * kernel is no earlier (less SYN_RECORDING_NOISE) and no later than the timer wheel allows:
 * each of the timers before it may fire up to its level's granularity plus a jiffy late
 * (TimerWheelGranularity() with the recording's CONFIG_HZ). `delays` are the model's timer
 * delays up to the event.
 * \return "" if they agree, else what is wrong
 */
inline std::string
SynTimeDisagreement(TimeNs model, TimeNs recorded, const std::vector<TimeNs>& delays, uint32_t hz)
{
    TimeNs slack = SYN_RECORDING_NOISE;
    for (TimeNs d : delays)
    {
        slack += TimerWheelGranularity(d, hz) + NS_PER_SECOND / hz;
    }
    if (recorded + SYN_RECORDING_NOISE >= model && recorded <= model + slack)
    {
        return "";
    }
    std::ostringstream o;
    o << "the model says " << model / NS_PER_MS << " ms, Linux took " << recorded / NS_PER_MS
      << " ms (it may be 0 to " << slack / NS_PER_MS << " ms later than the model)";
    return o.str();
}

/**
 * Compares a whole schedule (SYN times and give-up, from the first SYN) with a recorded pair.
 * \return "" if every SYN and the give-up agree (SynTimeDisagreement()), else what is wrong
 */
inline std::string
SynScheduleDisagreement(const std::vector<TimeNs>& synAt,
                        TimeNs gaveUp,
                        const SynRecord& rec,
                        uint32_t hz)
{
    std::ostringstream o;
    o << "tcp_syn_retries=" << rec.synRetries << " tcp_syn_linear_timeouts=" << rec.linearTimeouts
      << ": ";
    if (synAt.size() != rec.synAt.size())
    {
        o << "the model sends " << synAt.size() << " SYNs, Linux sent " << rec.synAt.size();
        return o.str();
    }
    std::vector<TimeNs> delays;
    for (size_t i = 1; i <= synAt.size(); ++i)
    {
        const TimeNs model = i < synAt.size() ? synAt[i] : gaveUp;
        const TimeNs recorded = i < synAt.size() ? rec.synAt[i] : rec.gaveUp;
        delays.push_back(model - synAt[i - 1]);
        const std::string why = SynTimeDisagreement(model, recorded, delays, hz);
        if (!why.empty())
        {
            o << (i < synAt.size() ? "SYN " + std::to_string(i) : std::string("give-up")) << ": "
              << why;
            return o.str();
        }
    }
    return "";
}

} // namespace portlab

#endif // PORTLAB_TESTS_SYN_RECORDING_H
