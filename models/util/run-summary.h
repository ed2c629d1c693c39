/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_RUN_SUMMARY_H
#define PORTLAB_RUN_SUMMARY_H

#include "util/json-text.h"

#include <map>
#include <string>

namespace portlab
{

/**
 * \ingroup portlab-util
 * \brief What `portlab collect` takes from a run's summary.json: every numeric metric, and
 * `matches_linux` as 1 or 0.
 * \param summary the parsed file
 * \param path its path, for the error
 * \return metric name -> value
 * \throws std::runtime_error naming \p path when "metrics" is not an object or
 *         "matches_linux" not a boolean
 */
std::map<std::string, double> SummaryNumbers(const Json& summary, const std::string& path);

/**
 * \ingroup portlab-util
 * \brief The scenario name of a run's summary.json (what `portlab plot` titles figures with).
 * \param summary the parsed file
 * \param path its path, for the error
 * \return the name
 * \throws std::runtime_error naming \p path when "scenario" is not a string
 */
std::string SummaryScenario(const Json& summary, const std::string& path);

} // namespace portlab

#endif // PORTLAB_RUN_SUMMARY_H
