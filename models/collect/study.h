/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_STUDY_H
#define PORTLAB_STUDY_H

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace portlab
{

/// The scenarios of the default study, one per question, in the order the report asks them.
extern const std::vector<std::string> STUDY_SCENARIOS;

/**
 * \ingroup portlab-collect
 * \brief What the default study runs and where it writes.
 */
struct StudyOptions
{
    std::string dir{"results/study"};   //!< replaced whole when the study finishes
    uint64_t seed{1};                   //!< seed of every run
    std::vector<std::string> overrides; //!< --set applied to every scenario that has the key
    bool figures{true};                 //!< draw figures
    bool progress{false};               //!< progress on stderr
    bool terminal{true};                //!< stderr is a terminal (see RunWriteOptions)
};

/**
 * \ingroup portlab-collect
 * \brief Run the five question scenarios and write DIR/report.md (Markdown with figures)
 * answering each question with the measured evidence, and each run's results under DIR/.
 * \param options what to run
 * \param terminal receives a short answer per question
 * \return true if every verdict matched Linux
 */
bool RunStudy(const StudyOptions& options, std::ostream& terminal);

} // namespace portlab

#endif // PORTLAB_STUDY_H
