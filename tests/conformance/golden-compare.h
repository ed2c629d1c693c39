/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_GOLDEN_COMPARE_H
#define PORTLAB_GOLDEN_COMPARE_H

#include "util/json-text.h"

#include <string>
#include <utility>
#include <vector>

namespace portlab
{

/**
 * \brief One disagreement between recorded Linux behaviour and what was observed.
 */
struct GoldenMismatch
{
    std::string caseName; //!< case (for a matrix: "bind_matrix: <pair>")
    std::string expected; //!< what Linux did
    std::string got;      //!< what was observed
    std::string rule;     //!< how the two were compared
};

/**
 * \brief The tally of a comparison. Every pair of bind_matrix, listen_matrix and
 * mapped_any_pairs counts as one case.
 */
struct GoldenReport
{
    int agree{0};                           //!< cases that agree
    int total{0};                           //!< cases compared
    std::vector<GoldenMismatch> mismatches; //!< the others

    /// \return "N of M golden cases agree" plus one line per mismatch
    std::string Summary() const;
};

/**
 * \brief Compare one case. Exact where Linux is deterministic (errno results, counts,
 * parity); by property where it is random per boot (hash spreads: every member receives a
 * share within the stated tolerance and the total is exact; UDP bind(0) has both parities;
 * connect() does not allocate sequentially).
 * \param name the case
 * \param expected the recorded result
 * \param got the observed result
 * \param report receives the outcome
 */
void CompareGoldenCase(const std::string& name,
                       const Json& expected,
                       const Json& got,
                       GoldenReport& report);

/**
 * \brief The probe's parity summary of a list of ports.
 * \param ports port numbers
 * \return {"even": N, "odd": M}
 */
Json ParityJson(const std::vector<int>& ports);

/**
 * \brief The probe's "connect_sequential_steps": consecutive picks 1 or 2 apart.
 * \param ports ports in the order connect() chose them
 * \return how many steps were +1 or +2
 */
int SequentialSteps(const std::vector<int>& ports);

/**
 * \brief Parse a recording: one `{"case": NAME, "result": ...}` object per line.
 * \param text the file's contents
 * \return (name, result) pairs in file order
 * \throws JsonError naming the line
 */
std::vector<std::pair<std::string, Json>> ParseGoldenLines(const std::string& text);

} // namespace portlab

#endif // PORTLAB_GOLDEN_COMPARE_H
