/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "study.h"

#include "atomic-directory.h"
#include "run-collector.h"

#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace portlab
{

const std::vector<std::string> STUDY_SCENARIOS = {"tcp-udp-same-port",
                                                  "multi-listener",
                                                  "server-restart",
                                                  "client-port-reuse",
                                                  "timewait-exhaustion"};

bool
RunStudy(const StudyOptions& options, std::ostream& terminal)
{
    // Validate everything before anything is written.
    std::vector<ScenarioSpec> specs;
    for (const auto& name : STUDY_SCENARIOS)
    {
        specs.push_back(LoadScenario(name, options.overrides));
    }
    AtomicDirectory out(options.dir);
    std::ostringstream md;
    md << "# portlab study: five questions about TCP and UDP ports\n\n"
       << "Each question is answered by an experiment on simulated hosts that follow Linux "
          "6.18's port rules (ns-3 3.37, packet level), seed "
       << options.seed
       << ". Each expectation below is what the Linux kernel does; the simulated column is "
          "what the run measured. Reproduce with `portlab` (this report) or `portlab run "
          "SCENARIO --seed "
       << options.seed << "` (one question).\n\n";
    bool all = true;
    int n = 0;
    for (const auto& spec : specs)
    {
        RunWriteOptions wo;
        wo.figures = options.figures;
        wo.progress = options.progress;
        RunResult r = RunAndWrite(spec, options.seed, out.Path(spec.name), wo);
        all = all && r.matchesLinux;
        size_t agree = 0;
        for (const auto& v : r.verdicts)
        {
            agree += v.matches ? 1 : 0;
        }
        ++n;
        terminal << n << ". " << spec.question << "\n   Linux: " << spec.linuxAnswer
                 << "\n   portlab: " << (r.matchesLinux ? "matches" : "DIFFERS") << " (" << agree
                 << "/" << r.verdicts.size() << " expectations; results in " << options.dir << "/"
                 << spec.name << ")\n";
        md << "## " << n << ". " << spec.question << "\n\n"
           << "**Linux:** " << spec.linuxAnswer << "\n\n"
           << "**Experiment (`" << spec.name << "`):** " << spec.description << "\n\n"
           << "**Verdict:** " << (r.matchesLinux ? "the simulation matches Linux" : "MISMATCH")
           << " (" << agree << " of " << r.verdicts.size() << " expectations).\n\n"
           << "| expectation | Linux | simulated | |\n|---|---|---|---|\n";
        for (const auto& v : r.verdicts)
        {
            md << "| `" << v.key.substr(7) << "` | " << v.expected << " | " << v.measured << " | "
               << (v.matches ? "ok" : "**differs**") << " |\n";
        }
        md << "\n";
        for (const char* fig : {"sockets", "connects"})
        {
            if (fs::exists(out.Path(spec.name + "/" + fig + ".png")))
            {
                md << "![" << spec.name << " " << fig << "](" << spec.name << "/" << fig
                   << ".png)\n\n";
            }
        }
        md << "Files: [`summary.json`](" << spec.name << "/summary.json), [`timeseries.csv`]("
           << spec.name << "/timeseries.csv), `ss` snapshots in `" << spec.name << "/ss/`.\n\n";
    }
    md << (all ? "All five answers match Linux.\n" : "Some answers do not match Linux.\n");
    out.Write("report.md", md.str());
    out.Commit();
    terminal << (all ? "All five answers match Linux." : "Some answers do not match Linux.")
             << " Report: " << options.dir << "/report.md\n";
    return all;
}

} // namespace portlab
