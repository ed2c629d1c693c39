/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SWEEP_H
#define PORTLAB_SWEEP_H

#include "util/json-text.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace portlab
{

/// \ingroup portlab-collect
/// The most runs (points x seeds) one sweep may have.
constexpr uint64_t MAX_SWEEP_RUNS = 100000;
/// \ingroup portlab-collect
/// The most seeds per point.
constexpr uint32_t MAX_SWEEP_SEEDS = 1000;

/**
 * \ingroup portlab-collect
 * \brief A sweep: a scenario run at every combination of some keys' values, with K seeds.
 *
 * The plan is kept in DIR/sweep.json; each point and seed is an ordinary run whose results
 * directory is DIR/points/KEY=VALUE,.../seed-S. A point whose summary.json exists is done
 * (results directories appear atomically), so a rerun after a kill only runs what is missing.
 */
struct SweepPlan
{
    std::string scenario;               //!< scenario reference as given
    std::vector<std::string> overrides; //!< --set applied to every point
    std::vector<std::pair<std::string, std::vector<std::string>>> vary; //!< key -> values
    uint32_t seeds{1};                                                  //!< seeds per point
    uint64_t firstSeed{1}; //!< seeds are firstSeed .. firstSeed + seeds - 1
    std::string y;         //!< metric plotted ("SUBJECT.METRIC")
    std::string dir;       //!< sweep directory

    /// One run of the sweep.
    struct Point
    {
        std::vector<std::string> values;    //!< one per vary key
        uint64_t seed{1};                   //!< its seed
        std::string dir;                    //!< its results directory
        std::vector<std::string> overrides; //!< base overrides + KEY=VALUE of this point
    };

    /// \return every point, first vary key slowest, seeds fastest
    std::vector<Point> Points() const;
    /// \return sweep.json's content
    Json ToJson() const;
    /**
     * \brief Read and validate a plan.
     * \param j sweep.json's content \param dir the sweep directory \return the plan
     * \throws ConfigError naming the field that is wrong and what is allowed
     */
    static SweepPlan FromJson(const Json& j, const std::string& dir);
};

/**
 * \ingroup portlab-collect
 * \brief Build a plan and check every point's scenario before anything is written.
 * \param scenario scenario reference
 * \param overrides --set strings
 * \param vary "KEY=V1,V2,..." strings
 * \param seeds seeds per point (>= 1)
 * \param firstSeed first seed
 * \param y metric to plot ("" = the scenario's first client success rate)
 * \param dir sweep directory ("" = results/SCENARIO/sweep-KEYS)
 * \return the plan
 * \throws ConfigError naming what is wrong (bad --vary, a point whose scenario is invalid)
 */
SweepPlan MakeSweepPlan(const std::string& scenario,
                        const std::vector<std::string>& overrides,
                        const std::vector<std::string>& vary,
                        uint32_t seeds,
                        uint64_t firstSeed,
                        const std::string& y,
                        const std::string& dir);

/**
 * \ingroup portlab-collect
 * \brief Run the points that are not done yet as parallel `portlab run` processes, then
 * collect.
 * \param plan the plan
 * \param self path of the portlab executable
 * \param jobs processes at once (>= 1)
 * \param progress print progress on stderr
 * \param terminal stderr is a terminal: progress rewrites one line; else it prints a line at
 *        most every 2 seconds and as runs finish
 * \return the number of points that failed (0: all done and collected)
 */
int RunSweep(const SweepPlan& plan,
             const std::string& self,
             unsigned jobs,
             bool progress,
             bool terminal = true);

/**
 * \ingroup portlab-collect
 * \brief Write sweep.json and one shell command per point not yet done to FILE, for GNU
 * parallel (`parallel < FILE`, also with --sshloginfile) or a Slurm array. Every word of a
 * line is quoted for the shell, and no word holds a control character. An existing FILE is
 * replaced only when it is empty or a job list itself (each line a quoted `portlab run`).
 * \param plan the plan
 * \param self path of the portlab executable
 * \param file the job list
 * \return the number of commands written
 */
size_t EmitJobs(const SweepPlan& plan, const std::string& self, const std::string& file);

/**
 * \ingroup portlab-collect
 * \brief Where the jobs of a job list run: which portlab they start and from which directory.
 */
struct JobTarget
{
    /// The portlab executable as the machines running the jobs name it (a path there, or a
    /// name on their PATH).
    std::string portlab;
    /// "" runs each job from the directory the list is run in, with the paths as given. Else
    /// the path, on the machines running the jobs, of this working directory (a shared or
    /// copied project directory): each line starts with `cd ROOT &&`, and the results
    /// directories and a scenario file are named relative to it (so they must lie inside the
    /// working directory).
    std::string remoteRoot;
};

/**
 * \ingroup portlab-collect
 * \brief The job list's lines for the points not done yet, without writing anything.
 * \param plan the plan
 * \param target the executable and directory the lines name
 * \return one shell command a line, each word quoted for sh
 * \throws ConfigError for a control character in a path, or with a remote root a path (--out,
 *         a scenario file) outside the working directory
 */
std::vector<std::string> JobLines(const SweepPlan& plan, const JobTarget& target);

/**
 * \ingroup portlab-collect
 * \brief EmitJobs() for jobs that run elsewhere: the lines of JobLines(), checked before
 * anything is written.
 * \param plan the plan
 * \param target the executable and directory the lines name
 * \param file the job list
 * \return the number of commands written
 */
size_t EmitJobs(const SweepPlan& plan, const JobTarget& target, const std::string& file);

/**
 * \ingroup portlab-collect
 * \brief Merge a sweep's finished points into points.csv (a row per point and seed, then a
 * `mean` and a `ci95` row per point: the mean and the half-width of its 95% confidence
 * interval, Student's t) and draw its figure.
 * \param dir sweep directory (with sweep.json)
 * \param missing receives points not finished yet
 * \return files written
 */
std::vector<std::string> CollectSweep(const std::string& dir, std::vector<std::string>* missing);

/**
 * \ingroup portlab-collect
 * \brief How to draw a sweep's figure other than with its plan's metric.
 */
struct SweepPlotOptions
{
    std::string y;     //!< metric ("" = the plan's --y); another one goes to sweep-METRIC.*
    bool logY{false};  //!< logarithmic y axis
    std::string title; //!< figure title ("" = "SCENARIO: METRIC vs KEY")
};

/**
 * \ingroup portlab-collect
 * \brief Draw a sweep's figure from its points.csv and sweep.json.
 * \param dir sweep directory
 * \param options metric, axis and title (default: the plan's metric, as `portlab sweep` drew)
 * \return files written
 */
std::vector<std::string> PlotSweep(const std::string& dir,
                                   const SweepPlotOptions& options = SweepPlotOptions{});

/// \param n samples (>= 2) \return Student's t quantile 0.975 for n - 1 degrees of freedom
double StudentT975(size_t n);

/// \param s a shell word \return it single-quoted for sh
std::string ShellQuote(const std::string& s);

} // namespace portlab

#endif // PORTLAB_SWEEP_H
