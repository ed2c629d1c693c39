/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_RUN_COLLECTOR_H
#define PORTLAB_RUN_COLLECTOR_H

#include "scenario/scenario-runner.h"
#include "scenario/scenario-spec.h"

#include <cstdint>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-collect
 * \brief Where scenario files are looked up: $PORTLAB_SCENARIOS if set, else ./scenarios if
 * it exists, else an installed portlab's share/portlab/scenarios (found from the executable's
 * own path), else the source tree's scenarios/.
 * \return the directory
 */
std::string ScenarioDirectory();

/**
 * \brief Where Linux recordings (RECORDING.jsonl) that expectations name are read from:
 * $PORTLAB_RECORDINGS, else share/portlab/recordings beside an installed portlab binary,
 * else the source tree's tests/data.
 * \return the directory
 */
std::string RecordingDirectory();

/**
 * \ingroup portlab-collect
 * \brief A scenario found by name.
 */
struct ScenarioRef
{
    std::string file; //!< the INI file
    std::string name; //!< the scenario in it
};

/**
 * \ingroup portlab-collect
 * \brief Find a scenario: "NAME" (searched in every *.ini of ScenarioDirectory()),
 * "FILE.ini" (its first scenario) or "FILE.ini:NAME".
 * \param ref what the user typed
 * \return the file and name
 * \throws ConfigError listing the known scenarios if none matches
 */
ScenarioRef FindScenario(const std::string& ref);

/**
 * \ingroup portlab-collect
 * \brief Every scenario of ScenarioDirectory(): (name, file, question).
 * \return them in file order
 */
std::vector<std::tuple<std::string, std::string, std::string>> ListScenarios();

/**
 * \ingroup portlab-collect
 * \brief Load, resolve, override and validate a scenario.
 * \param ref as for FindScenario()
 * \param overrides "key=value" strings (the command line's --set)
 * \return the validated scenario
 * \throws ConfigError naming file, line, key, value and what is allowed
 */
ScenarioSpec LoadScenario(const std::string& ref, const std::vector<std::string>& overrides);

/**
 * \ingroup portlab-collect
 * \brief The default results directory of a run: results/SCENARIO/seed-N, with the overrides
 * in the name when there are any (results/SCENARIO/KEY=VALUE,...-seed-N).
 * \param scenario scenario name
 * \param overrides the --set strings
 * \param seed the seed
 * \return the directory
 */
std::string DefaultRunDirectory(const std::string& scenario,
                                const std::vector<std::string>& overrides,
                                uint64_t seed);

/**
 * \ingroup portlab-collect
 * \brief What to write for a run.
 */
struct RunWriteOptions
{
    bool figures{true};   //!< PNG + SVG (+ PDF) figures
    bool progress{false}; //!< progress line on stderr
    /// stderr is a terminal: progress rewrites one line; else a whole line at most every 2 s
    bool terminal{true};
};

/**
 * \ingroup portlab-collect
 * \brief Run a scenario and write its results directory atomically: summary.json,
 * timeseries.csv, ss/HOST-at-Ts.txt, pcap/ (when the scenario asks), figures.
 * \param spec the scenario
 * \param seed the seed
 * \param dir the results directory (replaced whole when the run finishes)
 * \param options what to write
 * \return what the run measured
 */
RunResult RunAndWrite(const ScenarioSpec& spec,
                      uint64_t seed,
                      const std::string& dir,
                      const RunWriteOptions& options);

/**
 * \ingroup portlab-collect
 * \brief (Re)draw a run's figures from its timeseries.csv, or a sweep's from its points.csv.
 * \param dir a run or sweep directory
 * \return files written
 * \throws std::runtime_error if DIR holds neither
 */
std::vector<std::string> PlotDirectory(const std::string& dir);

/**
 * \ingroup portlab-collect
 * \brief The figures of one run (sockets, connects), drawn from its timeseries.csv.
 * \param csvPath the timeseries.csv file
 * \param stemPrefix path prefix of the figure files ("DIR/")
 * \param scenario the scenario name, for titles
 * \return files written
 */
std::vector<std::string> PlotRun(const std::string& csvPath,
                                 const std::string& stemPrefix,
                                 const std::string& scenario);

} // namespace portlab

#endif // PORTLAB_RUN_COLLECTOR_H
