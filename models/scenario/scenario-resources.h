/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SCENARIO_RESOURCES_H
#define PORTLAB_SCENARIO_RESOURCES_H

#include "scenario/scenario-spec.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-scenario
 * \brief What a run of a scenario would need, estimated before anything is built.
 *
 * The per-unit costs were measured on the Release build (peak RSS of `portlab run`, November
 * 2026): 16 KiB per host (10,000 and 20,000 hosts without links), 6 KiB per link (100 x 100
 * and 200 x 100 meshes), 512 bytes per connection held (TIME_WAIT or open, both ends: 2,000/s
 * and 4,000/s for 60 s), 256 bytes per timeseries row (20,000 hosts x 200 intervals), 25
 * simulator events per connection.
 */
struct ResourceEstimate
{
    uint64_t hosts{0};         //!< hosts in all groups
    uint64_t links{0};         //!< point-to-point links (each linked group pair fully meshed)
    double connections{0};     //!< connections (or datagrams) opened over the whole run
    double heldConnections{0}; //!< connections held at once at most (open or in TIME_WAIT)
    double samples{0};         //!< timeseries rows: intervals x hosts
    double events{0};          //!< simulator events (and per-host samples)
    double outputFiles{0};     //!< files written: summary, timeseries, ss snapshots, pcaps
    uint64_t openFiles{0};     //!< file descriptors open at once during the run (pcap files)
    double memoryBytes{0};     //!< peak memory
};

/**
 * \ingroup portlab-scenario
 * \brief What a run may need; a scenario whose estimate exceeds one is refused.
 */
struct ResourceLimits
{
    uint64_t hosts{100000};                 //!< hosts in all groups (the per-group maximum)
    uint64_t links{1000000};                //!< links (the 10.0.0.0/8-upward address plan)
    double memoryBytes{8.0 * (1ULL << 30)}; //!< 8 GiB
    double events{1e10};                    //!< about 3 hours of wall time at 1M events/s
    double outputFiles{100000};             //!< files in one results directory
    uint64_t openFiles{0};                  //!< descriptors available (see DefaultResourceLimits)
};

/**
 * \ingroup portlab-scenario
 * \brief Estimate what a run of \p spec needs.
 * \param spec a parsed scenario
 * \return the estimate
 */
ResourceEstimate EstimateResources(const ScenarioSpec& spec);

/**
 * \ingroup portlab-scenario
 * \brief The limits a run is held to: the fixed ones of ResourceLimits, and openFiles from
 * getrlimit(RLIMIT_NOFILE)'s soft limit minus a margin of OPEN_FILES_MARGIN descriptors (the
 * process's own: standard streams, results being written, figures).
 * \return the limits
 */
ResourceLimits DefaultResourceLimits();

/// Descriptors kept back from RLIMIT_NOFILE for the process's own use.
constexpr uint64_t OPEN_FILES_MARGIN = 64;

/**
 * \ingroup portlab-scenario
 * \brief Refuse a scenario whose estimate exceeds a limit.
 * \param spec a parsed scenario
 * \param limits the limits
 * \throws ConfigError naming the resource, the estimate, the limit and the keys that drive it
 */
void CheckResources(const ScenarioSpec& spec, const ResourceLimits& limits);

/**
 * \ingroup portlab-scenario
 * \brief The limits, for `portlab keys`.
 * \return (name, description) pairs
 */
std::vector<std::pair<std::string, std::string>> ResourceLimitsHelp();

} // namespace portlab

#endif // PORTLAB_SCENARIO_RESOURCES_H
