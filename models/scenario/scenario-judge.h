/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SCENARIO_JUDGE_H
#define PORTLAB_SCENARIO_JUDGE_H

#include "scenario/linux-predictor.h"
#include "scenario/scenario-runner.h"
#include "scenario/scenario-spec.h"

#include <map>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-scenario
 * \brief Compare a run's metrics with Linux: one verdict per expectation. Linux's value is
 * the predictor's where it models the metric (unless the command line states it), else as
 * the scenario wrote it, when no override of this run can have changed it.
 * \param spec the scenario
 * \param measured the run's metrics ("SUBJECT.METRIC" -> value)
 * \param predictor Linux's predictor for \p spec
 * \return the verdicts, in the order of spec.expectations
 */
std::vector<Verdict> JudgeVerdicts(const ScenarioSpec& spec,
                                   const std::map<std::string, MetricValue>& measured,
                                   const LinuxPredictor& predictor);

/**
 * \ingroup portlab-scenario
 * \param verdicts verdicts
 * \return whether every checked verdict matches Linux
 */
bool MatchesLinux(const std::vector<Verdict>& verdicts);

} // namespace portlab

#endif // PORTLAB_SCENARIO_JUDGE_H
