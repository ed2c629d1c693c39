/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_PORT_QUESTIONS_H
#define PORTLAB_PORT_QUESTIONS_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief One of the mission's questions, answered by an experiment on the port tables.
 */
struct PortQuestionAnswer
{
    std::string question;              //!< the question
    std::string linuxAnswer;           //!< what Linux does (the expectation)
    std::vector<std::string> evidence; //!< each call made and its result, in order
    bool matchesLinux{false};          //!< the experiment's outcome equals linuxAnswer
    std::string ssTable;               //!< the host's sockets at the end, as `ss -tan` lists them
};

/**
 * \ingroup portlab-ports
 * \brief Run the five port questions as table-level experiments on fresh simulated hosts.
 * \param seed random seed of every host
 * \param sysctls settings applied to every host first (name, value)
 * \return one answer per question, in the mission's order
 * \throws SysctlError for a bad setting
 */
std::vector<PortQuestionAnswer> AnswerPortQuestions(
    uint64_t seed,
    const std::vector<std::pair<std::string, std::string>>& sysctls = {});

} // namespace portlab

#endif // PORTLAB_PORT_QUESTIONS_H
