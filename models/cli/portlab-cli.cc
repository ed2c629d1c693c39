/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "portlab-cli.h"

#include "atomic-directory.h"
#include "kernel-script.h"
#include "linux-predictor.h"
#include "port-sysctls.h"
#include "run-collector.h"
#include "socket-script.h"
#include "study.h"
#include "sweep.h"

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <filesystem>
#include <iomanip>
#include <thread>
#include <unistd.h>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace portlab
{

namespace
{

const char* const TOP_HELP =
    "Usage: portlab [COMMAND] [OPTIONS]\n"
    "\n"
    "portlab answers questions about TCP and UDP ports by experiment on simulated hosts\n"
    "with Linux 6.18's port rules (ns-3, packet level).\n"
    "\n"
    "Commands:\n"
    "  (none)       the default study: the five port questions, answered in\n"
    "               results/study/report.md\n"
    "  run S        run scenario S once: results/S/<run>/\n"
    "  list         the scenarios and the question each answers\n"
    "  sweep S      run S over every combination of --vary values, in parallel\n"
    "  collect DIR  merge a sweep's finished points into DIR/points.csv and its figure\n"
    "  plot DIR     redraw the figures of a run or a sweep\n"
    "  script FILE  run a socket script and check its expectations\n"
    "  keys         every key a scenario file may set\n"
    "  sysctls      every host setting with its Linux default\n"
    "\n"
    "'portlab COMMAND --help' describes each.\n"
    "\n"
    "Verdicts: each expectation's Linux value names its source: linux-model (derived from\n"
    "the hosts' sysctls and the workload), recorded (a Linux recording) or scenario (typed\n"
    "by the author). A typed value that depends on a key this run changed (--set, --vary)\n"
    "is 'not checked', never a mismatch.\n"
    "\n"
    "Exit status (run, sweep, script and the study): 0 every checked verdict matches Linux\n"
    "(or none is checked), 1 a checked verdict differs (or sweep points failed to run),\n"
    "2 bad input.\n";

/// The largest socket script read (a script is a page of text; /dev/zero is not one).
constexpr size_t MAX_SCRIPT_BYTES = size_t(1) << 20;

/// Parse a subcommand's options; returns -1 to continue, else an exit status.
int
Parse(int argc,
      char** argv,
      const po::options_description& opts,
      const po::positional_options_description& pos,
      po::variables_map& vm,
      const std::string& cmd,
      std::ostream& out,
      std::ostream& err)
{
    try
    {
        po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
        if (vm.count("help"))
        {
            out << opts << "\n";
            return EXIT_OK;
        }
        po::notify(vm);
    }
    catch (const po::error& e)
    {
        err << "portlab " << cmd << ": " << e.what() << "\n\n" << opts << "\n";
        return EXIT_USAGE;
    }
    return -1;
}

/// An integer option given as text: Boost would wrap "-1" into an unsigned type silently.
uint64_t
Count(const po::variables_map& vm, const char* option, uint64_t fallback, int64_t min, int64_t max)
{
    if (!vm.count(option))
    {
        return fallback;
    }
    const std::string& text = vm[option].as<std::string>();
    try
    {
        return static_cast<uint64_t>(units::ParseInteger(text, min, max));
    }
    catch (const ConfigError& e)
    {
        throw ConfigError(std::string("--") + option + " '" + text + "' is not allowed; " +
                          "allowed: an integer from " + std::to_string(min) + " to " +
                          std::to_string(max));
    }
}

std::string
Self()
{
    std::error_code ec;
    fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? "portlab" : p.string();
}

bool
StderrIsTerminal()
{
    return isatty(2) == 1;
}

int
CmdRun(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    std::string scenario;
    std::vector<std::string> sets;
    uint64_t seed = 0;
    std::string dir;
    po::options_description opts(
        "Usage: portlab run SCENARIO [--set KEY=VALUE ...] [--seed N] [--out DIR]\n\n"
        "Runs one scenario (a name from 'portlab list', FILE.ini or FILE.ini:NAME) and writes\n"
        "DIR (default results/SCENARIO/[KEY=VALUE,...-]seed-N): summary.json, timeseries.csv,\n"
        "ss/HOST-at-Ts.txt, figures (sockets, connects: .png .svg .pdf), pcap/ if asked.\n"
        "The directory appears whole when the run ends, or not at all.\n\nOptions");
    opts.add_options()("help,h", "print this help")("scenario",
                                                    po::value<std::string>(&scenario),
                                                    "the scenario")(
        "set",
        po::value<std::vector<std::string>>(&sets)->composing(),
        "override a scenario key, e.g. --set app.load.rate=800/s (repeatable; 'portlab keys')")(
        "seed",
        po::value<std::string>(),
        "random seed (default: the scenario's, else 1)")("out",
                                                         po::value<std::string>(&dir),
                                                         "results directory")(
        "no-figures",
        "skip figures (sweeps draw their own)")("quiet,q", "print nothing on success");
    po::positional_options_description pos;
    pos.add("scenario", 1);
    po::variables_map vm;
    int rc = Parse(argc, argv, opts, pos, vm, "run", out, err);
    if (rc >= 0)
    {
        return rc;
    }
    if (scenario.empty())
    {
        err << "portlab run: no SCENARIO given; 'portlab list' shows them\n";
        return EXIT_USAGE;
    }
    ScenarioSpec spec = LoadScenario(scenario, sets);
    seed = Count(vm, "seed", spec.seed, 0, INT64_MAX);
    for (const auto& w : LinuxPredictor(spec).Warnings())
    {
        err << "portlab run: warning: " << w << "\n";
    }
    if (dir.empty())
    {
        dir = DefaultRunDirectory(spec.name, sets, seed);
    }
    RunWriteOptions wo;
    wo.figures = !vm.count("no-figures");
    wo.progress = StderrIsTerminal() && !vm.count("quiet");
    RunResult r = RunAndWrite(spec, seed, dir, wo);
    if (!vm.count("quiet"))
    {
        out << spec.name << ": " << spec.question << "\n  Linux: " << spec.linuxAnswer << "\n";
        size_t unchecked = 0;
        for (const auto& v : r.verdicts)
        {
            out << "  " << std::left << std::setw(12) << v.Status() << v.key.substr(7) << " ["
                << VerdictSourceName(v.source) << "]: ";
            if (v.checked)
            {
                out << "Linux " << v.expected << ", simulated " << v.measured << "\n";
            }
            else
            {
                ++unchecked;
                out << v.note << " (scenario: " << v.expected << "); simulated " << v.measured
                    << "\n";
            }
        }
        out << "  matches Linux: " << (r.matchesLinux ? "yes" : "NO") << " ("
            << r.verdicts.size() - unchecked << " checked";
        if (unchecked > 0)
        {
            out << ", " << unchecked << " not checked";
        }
        out << ")\n  results: " << dir << "\n";
    }
    return r.matchesLinux ? EXIT_OK : EXIT_MISMATCH;
}

int
CmdList(std::ostream& out)
{
    for (const auto& [name, file, question] : ListScenarios())
    {
        out << std::left << std::setw(38) << name << " " << question << "\n";
    }
    return EXIT_OK;
}

int
CmdSweep(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    std::string scenario;
    std::vector<std::string> sets;
    std::vector<std::string> vary;
    uint32_t seeds = 1;
    uint64_t firstSeed = 1;
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    std::string dir;
    std::string y;
    std::string emit;
    po::options_description opts(
        "Usage: portlab sweep SCENARIO --vary KEY=V1,V2,... [--vary ...] [--seeds K]\n"
        "                     [--jobs J] [--set KEY=VALUE ...] [--out DIR] [--y METRIC]\n"
        "                     [--emit-jobs FILE]\n\n"
        "Runs every combination of the --vary values (first key slowest) with K seeds, as\n"
        "parallel 'portlab run' processes, into DIR/points/KEY=V,.../seed-S (default DIR:\n"
        "results/SCENARIO/sweep-KEYS). A rerun skips finished points. Then writes\n"
        "DIR/points.csv (a row per point and seed, then mean and ci95 rows) and DIR/sweep.png\n"
        "/.svg/.pdf: METRIC against the first key, a line per value of the others, error bars\n"
        "= 95% confidence intervals across seeds.\n"
        "--emit-jobs FILE writes one command per unfinished point instead of running them:\n"
        "  parallel < FILE     (GNU parallel; add --sshloginfile for several machines)\n"
        "then 'portlab collect DIR' merges them.\n\nOptions");
    opts.add_options()("help,h", "print this help")("scenario",
                                                    po::value<std::string>(&scenario),
                                                    "the scenario")(
        "vary",
        po::value<std::vector<std::string>>(&vary)->composing(),
        "KEY=V1,V2,... (repeatable)")("seeds", po::value<std::string>(), "seeds per point (1)")(
        "first-seed",
        po::value<std::string>(),
        "first seed (1)")("jobs,j",
                          po::value<std::string>(),
                          "processes at once (default: all cores)")(
        "set",
        po::value<std::vector<std::string>>(&sets)->composing(),
        "override a key at every point (repeatable)")("out",
                                                      po::value<std::string>(&dir),
                                                      "sweep directory")(
        "y",
        po::value<std::string>(&y),
        "metric to plot, SUBJECT.METRIC (default: the first "
        "client's steady_success_rate)")("emit-jobs",
                                         po::value<std::string>(&emit),
                                         "write the job list to FILE and stop");
    po::positional_options_description pos;
    pos.add("scenario", 1);
    po::variables_map vm;
    int rc = Parse(argc, argv, opts, pos, vm, "sweep", out, err);
    if (rc >= 0)
    {
        return rc;
    }
    if (scenario.empty())
    {
        err << "portlab sweep: no SCENARIO given; 'portlab list' shows them\n";
        return EXIT_USAGE;
    }
    seeds = Count(vm, "seeds", 1, 1, 1000);
    firstSeed = Count(vm, "first-seed", 1, 0, INT64_MAX);
    jobs = Count(vm, "jobs", jobs, 1, 1024);
    SweepPlan plan = MakeSweepPlan(scenario, sets, vary, seeds, firstSeed, y, dir);
    if (seeds > 1 && !LinuxPredictor(LoadScenario(scenario, sets)).HasRandomness())
    {
        err << "portlab sweep: warning: --seeds " << seeds
            << " but nothing in the scenario is random (no Poisson arrivals, link loss, named "
               "port selector or SO_REUSEPORT group): every seed gives the same result, ci95 "
               "is 0 and the sweep takes "
            << seeds << " times as long\n";
    }
    if (!emit.empty())
    {
        size_t n = EmitJobs(plan, Self(), emit);
        out << emit << ": " << n << " commands for " << plan.dir << "\n  run them: parallel < "
            << emit << "\n  then:     portlab collect " << plan.dir << "\n";
        return EXIT_OK;
    }
    int failed = RunSweep(plan, Self(), jobs, StderrIsTerminal());
    out << plan.dir << "/points.csv: " << plan.Points().size() << " runs";
    if (failed > 0)
    {
        out << ", " << failed << " FAILED (rerun the same command to retry them)";
    }
    // Points whose verdicts differ from Linux (not-checked verdicts never count).
    size_t differ = 0;
    std::string first;
    for (const auto& p : plan.Points())
    {
        const std::string summary = p.dir + "/summary.json";
        if (!fs::exists(summary))
        {
            continue;
        }
        Json j = ReadJsonFile(summary);
        if (j.contains("matches_linux") && j["matches_linux"] == false)
        {
            first = first.empty() ? p.dir : first;
            ++differ;
        }
    }
    if (differ > 0)
    {
        out << ", " << differ << " differ from Linux (e.g. " << first << ")";
    }
    out << "\n";
    return failed == 0 && differ == 0 ? EXIT_OK : EXIT_MISMATCH;
}

int
CmdCollect(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    std::string dir;
    po::options_description opts("Usage: portlab collect DIR\n\n"
                                 "Merges a sweep's finished points (from 'portlab sweep' or its "
                                 "--emit-jobs list) into DIR/points.csv and draws its figure.\n\n"
                                 "Options");
    opts.add_options()("help,h", "print this help")("dir", po::value<std::string>(&dir), "DIR");
    po::positional_options_description pos;
    pos.add("dir", 1);
    po::variables_map vm;
    int rc = Parse(argc, argv, opts, pos, vm, "collect", out, err);
    if (rc >= 0)
    {
        return rc;
    }
    if (dir.empty())
    {
        err << "portlab collect: no DIR given\n";
        return EXIT_USAGE;
    }
    std::vector<std::string> missing;
    auto files = CollectSweep(dir, &missing);
    for (const auto& f : files)
    {
        out << f << "\n";
    }
    if (!missing.empty())
    {
        err << "portlab collect: " << missing.size() << " runs not finished yet, e.g. "
            << missing.front() << "\n";
        return EXIT_MISMATCH;
    }
    return EXIT_OK;
}

int
CmdPlot(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    std::string dir;
    SweepPlotOptions sweepOptions;
    po::options_description opts(
        "Usage: portlab plot DIR [--y METRIC] [--log-y] [--title TEXT]\n\n"
        "Redraws the figures of a run (from its timeseries.csv) or a sweep (from its "
        "points.csv). For a sweep, --y draws another metric of its points.csv into "
        "DIR/sweep-METRIC.{png,svg,pdf}.\n\nOptions");
    opts.add_options()("help,h", "print this help")("dir", po::value<std::string>(&dir), "DIR")(
        "y",
        po::value<std::string>(&sweepOptions.y),
        "sweeps: the metric to draw, SUBJECT.METRIC (default: the sweep's)")(
        "log-y",
        po::bool_switch(&sweepOptions.logY),
        "sweeps: logarithmic y axis")("title",
                                      po::value<std::string>(&sweepOptions.title),
                                      "sweeps: the figure's title");
    po::positional_options_description pos;
    pos.add("dir", 1);
    po::variables_map vm;
    int rc = Parse(argc, argv, opts, pos, vm, "plot", out, err);
    if (rc >= 0)
    {
        return rc;
    }
    if (dir.empty())
    {
        err << "portlab plot: no DIR given\n";
        return EXIT_USAGE;
    }
    const bool sweepOnly =
        !sweepOptions.y.empty() || sweepOptions.logY || !sweepOptions.title.empty();
    const bool isSweep = fs::exists(fs::path(dir) / "sweep.json");
    if (sweepOnly && !isSweep)
    {
        err << "portlab plot: --y, --log-y and --title apply to a sweep directory; '" << dir
            << "' is not one (no sweep.json)\n";
        return EXIT_USAGE;
    }
    std::vector<std::string> files = sweepOnly ? PlotSweep(dir, sweepOptions) : PlotDirectory(dir);
    for (const auto& f : files)
    {
        out << f << "\n";
    }
    if (files.empty())
    {
        err << "portlab plot: no figure for " << dir
            << ": nothing in it can be drawn on a numeric axis (a sweep whose first --vary "
               "key is not a number, or a metric no point measured); its CSV is the result\n";
    }
    return EXIT_OK;
}

int
CmdScript(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    std::string file;
    uint64_t seed = 1;
    po::options_description opts(
        "Usage: portlab script FILE [--seed N] [--kernel]\n\n"
        "Runs a socket script (grammar: models/script/script-program.h and the README) and "
        "prints each check; exits 1 on a mismatch (expected vs got), 2 on a malformed script.\n"
        "--kernel runs it on the live Linux kernel instead, with real sockets in fresh network "
        "namespaces (root only).\n\nOptions");
    opts.add_options()("help,h",
                       "print this help")("seed", po::value<std::string>(), "random seed (1)")(
        "kernel",
        "run on the live kernel (root)")("file", po::value<std::string>(&file), "the script");
    po::positional_options_description pos;
    pos.add("file", 1);
    po::variables_map vm;
    int rc = Parse(argc, argv, opts, pos, vm, "script", out, err);
    if (rc >= 0)
    {
        return rc;
    }
    if (file.empty())
    {
        err << "portlab script: no FILE given\n";
        return EXIT_USAGE;
    }
    seed = Count(vm, "seed", 1, 0, INT64_MAX);
    std::string text = ReadWholeFile(file, MAX_SCRIPT_BYTES);
    std::vector<ScriptCheck> checks = vm.count("kernel") ? RunKernelScript(ParseScript(text, file))
                                                         : RunSocketScript(text, file, seed);
    // A result of several lines (ss HOST rows) is printed as the script writes an expectation
    // block: one "| ROW" line each.
    auto block = [](const std::string& result) {
        std::string b;
        size_t start = 0;
        while (start <= result.size())
        {
            size_t nl = result.find('\n', start);
            b += "\n    | " + result.substr(start, nl == std::string::npos ? nl : nl - start);
            if (nl == std::string::npos)
            {
                break;
            }
            start = nl + 1;
        }
        return b;
    };
    auto shown = [&](const std::string& result) {
        return result.find('\n') == std::string::npos ? " " + result : block(result);
    };
    int failed = 0;
    for (const auto& c : checks)
    {
        out << file << ":" << c.line << ": " << ScriptTimeText(c.timeNs) << " " << c.text << " ->";
        if (c.ok)
        {
            out << shown(c.got) << "\n";
        }
        else
        {
            ++failed;
            out << " MISMATCH: expected" << shown(c.expected)
                << (c.expected.find('\n') == std::string::npos ? "," : "\n   ") << " got"
                << shown(c.got) << "\n";
        }
    }
    out << "script: " << (checks.size() - failed) << " passed, " << failed << " failed\n";
    return failed == 0 ? EXIT_OK : EXIT_MISMATCH;
}

int
CmdStudy(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    StudyOptions so;
    po::options_description opts(
        "Usage: portlab [--seed N] [--out DIR] [--set sysctl.NAME=VALUE ...]\n\n"
        "The default study: runs the five question scenarios (tcp-udp-same-port,\n"
        "multi-listener, server-restart, client-port-reuse, timewait-exhaustion) and writes\n"
        "DIR/report.md (default results/study) answering each question with the measured\n"
        "evidence, verdicts against Linux and figures; each run's files are in DIR/SCENARIO/.\n"
        "\nOptions");
    std::vector<std::string> sets;
    opts.add_options()("help,h", "print this help (and 'portlab help' lists the commands)")(
        "seed",
        po::value<std::string>(),
        "random seed (1)")("out",
                           po::value<std::string>(&so.dir)->default_value("results/study"),
                           "directory")("set",
                                        po::value<std::vector<std::string>>(&sets)->composing(),
                                        "a host setting for every host of every scenario, e.g. "
                                        "--set sysctl.net.ipv4.tcp_tw_reuse=1")("no-figures",
                                                                                "skip figures");
    po::positional_options_description pos;
    po::variables_map vm;
    int rc = Parse(argc, argv, opts, pos, vm, "", out, err);
    if (rc >= 0)
    {
        if (rc == EXIT_OK)
        {
            out << TOP_HELP;
        }
        return rc;
    }
    for (const auto& s : sets)
    {
        if (s.rfind("sysctl.", 0) != 0)
        {
            err << "portlab: --set '" << s
                << "' is not allowed for the study; allowed: sysctl.NAME=VALUE (use 'portlab "
                   "run' to change other keys)\n";
            return EXIT_USAGE;
        }
    }
    so.seed = Count(vm, "seed", 1, 0, INT64_MAX);
    so.overrides = sets;
    so.figures = !vm.count("no-figures");
    so.progress = StderrIsTerminal();
    return RunStudy(so, out) ? EXIT_OK : EXIT_MISMATCH;
}

} // namespace

int
PortlabMain(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    std::string cmd = argc > 1 ? argv[1] : "";
    try
    {
        if (cmd == "run")
        {
            return CmdRun(argc - 1, argv + 1, out, err);
        }
        if (cmd == "list")
        {
            return CmdList(out);
        }
        if (cmd == "sweep")
        {
            return CmdSweep(argc - 1, argv + 1, out, err);
        }
        if (cmd == "collect")
        {
            return CmdCollect(argc - 1, argv + 1, out, err);
        }
        if (cmd == "plot")
        {
            return CmdPlot(argc - 1, argv + 1, out, err);
        }
        if (cmd == "script")
        {
            return CmdScript(argc - 1, argv + 1, out, err);
        }
        if (cmd == "help")
        {
            out << TOP_HELP;
            return EXIT_OK;
        }
        if (cmd == "keys")
        {
            for (const auto& [k, h] : ScenarioKeyHelp())
            {
                out << std::left << std::setw(30) << k << " " << h << "\n";
            }
            return EXIT_OK;
        }
        if (cmd == "sysctls")
        {
            PortSysctls defaults;
            for (const auto& name : PortSysctls::Names())
            {
                out << name << " = " << defaults.Get(name) << "\n    " << PortSysctls::Help(name)
                    << "\n";
            }
            return EXIT_OK;
        }
        if (!cmd.empty() && cmd[0] != '-')
        {
            err << "portlab: unknown command '" << cmd
                << "'; allowed: run, list, sweep, collect, plot, script, keys, sysctls, help "
                   "(or none: the default study)\n";
            return EXIT_USAGE;
        }
        return CmdStudy(argc, argv, out, err);
    }
    catch (const ConfigError& e)
    {
        err << "portlab " << cmd << ": " << e.what() << "\n";
        return EXIT_USAGE;
    }
    catch (const SysctlError& e)
    {
        err << "portlab " << cmd << ": " << e.what() << "\n";
        return EXIT_USAGE;
    }
    catch (const std::exception& e)
    {
        err << "portlab " << cmd << ": " << e.what() << "\n";
        return EXIT_USAGE;
    }
}

} // namespace portlab
