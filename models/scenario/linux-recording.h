/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_LINUX_RECORDING_H
#define PORTLAB_LINUX_RECORDING_H

#include "scenario/scenario-spec.h"

#include <string>
#include <vector>

/**
 * \file
 * \ingroup portlab-scenario
 * Expectations whose Linux value is a recording made on a Linux kernel
 * (`expect.S.M = recorded RECORDING CASE KEY`): the recordings portlab ships (share/portlab/
 * recordings, one JSON object per line: {"case": NAME, "result": {KEY: VALUE, ...}}) and the
 * lookup that fills such an expectation in.
 */

namespace portlab
{

/**
 * \ingroup portlab-scenario
 * \brief The recordings in a directory: RECORDING.jsonl files.
 * \param dir the directory
 * \return their names without ".jsonl", sorted
 */
std::vector<std::string> RecordingNames(const std::string& dir);

/**
 * \ingroup portlab-scenario
 * \brief Fill in every `recorded` expectation of a scenario from the recordings in dir: the
 * value recorded under its case and key becomes the expected words (a string) or number.
 * \param spec the scenario (its RECORDED expectations are filled in)
 * \param dir the recordings directory
 * \throws ConfigError, one line naming the expectation and what is allowed, when the
 * recording, the case or the key does not exist or the value is not a string or a number
 */
void ResolveRecordedExpectations(ScenarioSpec& spec, const std::string& dir);

} // namespace portlab

#endif // PORTLAB_LINUX_RECORDING_H
