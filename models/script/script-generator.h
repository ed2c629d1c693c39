/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SCRIPT_GENERATOR_H
#define PORTLAB_SCRIPT_GENERATOR_H

#include "script/script-program.h"

#include <cstdint>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-script
 * \brief What random scripts may contain.
 */
struct ScriptGeneratorOptions
{
    int minCalls{8};      //!< socket calls per script, at least
    int maxCalls{24};     //!< and at most
    int maxSockets{6};    //!< sockets open at once, at most
    bool twoHosts{true};  //!< sometimes a second host over a link
    bool udp{true};       //!< UDP sockets too
    bool sysctls{true};   //!< tiny port ranges, tcp_tw_reuse, tcp_timestamps, max_tw_buckets
    bool longWaits{true}; //!< sometimes wait past tcp_tw_reuse's 1 s delay
    /// also non-blocking sockets, listen backlogs, shutdown, setsockopt/getsockopt,
    /// getsockname/getpeername, sendto/recvfrom (off: the calls the recorded corpus has)
    bool extended{false};
};

/**
 * \ingroup portlab-script
 * \brief A random socket script for differential testing against the live kernel.
 *
 * Deterministic in the seed. Every call ends in `-> *`, so running it records each result;
 * calls that put packets on the wire are followed by a short wait so that both sides have
 * settled before the next call (a result that depends on microsecond timing is not a port
 * rule). The sequences mix TCP and UDP; bind, listen, connect to listeners, to closed ports
 * and to the other host, accept, send, recv, close in any order, resets with SO_LINGER 0,
 * short waits and waits past tcp_tw_reuse's delay; with tiny ephemeral ranges and random
 * tcp_tw_reuse, tcp_timestamps and tcp_max_tw_buckets.
 * \param seed the seed
 * \param options what may appear
 * \return the script's text
 */
std::string GenerateScript(uint64_t seed, const ScriptGeneratorOptions& options = {});

/**
 * \ingroup portlab-script
 * \brief Make the results of one or more kernel runs of a script its expectations: a check
 * whose result was the same in every run expects that result, one that varied expects `*`
 * (Linux itself is not deterministic there: random ephemeral ports, timing).
 * \param text the script (its checks in the order the runs list them)
 * \param runs the checks of each kernel run (at least one)
 * \param unstable receives the number of checks that varied
 * \return the script with `-> RESULT` on every check
 */
std::string RecordExpectations(const std::string& text,
                               const std::vector<std::vector<ScriptCheck>>& runs,
                               int* unstable = nullptr);

/**
 * \ingroup portlab-script
 * \brief One script of a recording: its seed and its text with the kernel's results.
 */
struct RecordedScript
{
    uint64_t seed{0}; //!< the generator's seed
    std::string text; //!< the script, expectations included
};

/**
 * \ingroup portlab-script
 * \brief Read a recording: scripts each after a line "### seed N".
 * \param text the recording
 * \return its scripts, in order
 * \throws ConfigError for text before the first "### seed" line or a bad seed
 */
std::vector<RecordedScript> ParseRecording(const std::string& text);

/**
 * \ingroup portlab-script
 * \brief Run a recorded script on the model and list where it disagrees with the kernel.
 * \param script the recorded script
 * \return one line per disagreement ("seed-N:LINE: STATEMENT: Linux X, portlab Y"), or the
 *         model's refusal; empty when every check agrees
 */
std::vector<std::string> ModelDisagreements(const RecordedScript& script);

} // namespace portlab

#endif // PORTLAB_SCRIPT_GENERATOR_H
