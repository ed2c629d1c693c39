/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "cli/portlab-cli.h"

#include "collect/atomic-directory.h"
#include "collect/run-collector.h"
#include "collect/study.h"
#include "collect/sweep.h"
#include "ports/port-sysctls.h"
#include "scenario/linux-predictor.h"
#include "script/kernel-script.h"
#include "script/socket-script.h"

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
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
    "               results/study/report.md ('portlab study' too)\n"
    "  run S        run scenario S once: results/S/<run>/\n"
    "  list         the scenarios and the question each answers\n"
    "  sweep S      run S over every combination of --vary values, in parallel\n"
    "  collect DIR  merge a sweep's finished points into DIR/points.csv and its figure\n"
    "  plot DIR     redraw the figures of a run or a sweep\n"
    "  script FILE  run a socket script and check its expectations\n"
    "  keys         every key a scenario file may set\n"
    "  sysctls      every host setting with its Linux default\n"
    "  help [CMD]   this text, or CMD's ('portlab CMD --help' is the same)\n"
    "\n"
    "'portlab help CMD' or 'portlab CMD --help' describes each; 'portlab --version' prints\n"
    "the version. list, keys, sysctls and run take --json (JSON on stdout); run, sweep and\n"
    "the study take --progress (progress lines on stderr even when it is not a terminal)\n"
    "and end with a one-line summary on stderr.\n"
    "\n"
    "Verdicts: each expectation's Linux value names its source: linux-model (derived from\n"
    "the hosts' sysctls and the workload), recorded (a Linux recording) or scenario (typed\n"
    "by the author). A typed value that depends on a key this run changed (--set, --vary)\n"
    "is 'not checked', never a mismatch.\n"
    "\n"
    "Exit status (run, sweep, script and the study): 0 every checked verdict matches Linux\n"
    "(or none is checked), 1 a checked verdict differs (or sweep points failed to run),\n"
    "2 bad input.\n";

/// The version line of 'portlab --version'.
std::string
VersionLine()
{
    return std::string("portlab ") + PORTLAB_VERSION + " (ns-3 3.37, Linux 6.18 port rules)";
}

/// Seconds since \p start.
double
Since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// "12.3 s"
std::string
Seconds(double s)
{
    std::ostringstream o;
    o << std::fixed << std::setprecision(1) << s << " s";
    return o.str();
}

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
        std::string allowed;
        for (const auto& o : opts.options())
        {
            const std::string name = o->canonical_display_name(po::command_line_style::allow_long);
            bool positional = false;
            for (unsigned i = 0; i < pos.max_total_count() && i < 8; ++i)
            {
                positional = positional || pos.name_for_position(i) == o->long_name();
            }
            if (name.rfind("--", 0) == 0 && !positional)
            {
                allowed += (allowed.empty() ? "" : ", ") + name;
            }
        }
        err << "portlab" << (cmd.empty() ? "" : " " + cmd) << ": " << e.what()
            << "; allowed: " << allowed << " ('portlab help" << (cmd.empty() ? "" : " " + cmd)
            << "')\n";
        return EXIT_USAGE;
    }
    return -1;
}

/// Refuses an option that only makes sense with another.
void
Needs(const po::variables_map& vm, const char* option, const char* needed)
{
    if (vm.count(option) && !vm.count(needed))
    {
        throw ConfigError(std::string("--") + option + " applies to --" + needed +
                          "; allowed: give --" + needed + " too, or leave --" + option + " out");
    }
}

/// Refuses two options that contradict each other.
void
Excludes(const po::variables_map& vm, const char* a, const char* b)
{
    if (vm.count(a) && vm.count(b))
    {
        throw ConfigError(std::string("--") + a + " and --" + b +
                          " cannot be given together; allowed: one of them");
    }
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

/// \return --transport's value ("packet" when absent); any other than packet or flow is a
/// ConfigError naming both
std::string
TransportOption(const po::variables_map& vm)
{
    const std::string t = vm.count("transport") ? vm["transport"].as<std::string>() : "packet";
    if (t != "packet" && t != "flow")
    {
        throw ConfigError("--transport '" + t + "' is not a transport; allowed: packet, flow");
    }
    return t;
}

int
CmdRun(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    std::string scenario;
    std::vector<std::string> sets;
    uint64_t seed = 0;
    std::string dir;
    po::options_description opts(
        "Usage: portlab run SCENARIO [--set KEY=VALUE ...] [--seed N] [--out DIR] [--json]\n"
        "                   [--progress] [--no-figures] [--quiet] [--transport packet|flow]\n\n"
        "Runs one scenario (a name from 'portlab list', FILE.ini or FILE.ini:NAME) and writes\n"
        "DIR (default results/SCENARIO/[KEY=VALUE,...-]seed-N): summary.json, timeseries.csv,\n"
        "ss/HOST-at-Ts.txt, figures (sockets, connects: .png .svg .pdf), pcap/ if asked.\n"
        "The directory appears whole when the run ends, or not at all. A one-line summary\n"
        "ends on stderr. --json prints summary.json (the same bytes) on stdout instead of the\n"
        "verdicts.\n\nOptions");
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
        "json",
        "print summary.json on stdout")("progress",
                                        "progress lines on stderr even when it is not a "
                                        "terminal (a line at most every 2 s)")(
        "no-figures",
        "skip figures (sweeps draw their own)")("quiet,q", "print nothing on success")(
        "transport",
        po::value<std::string>(),
        "the TCP transport, packet or flow (as --set transport=...)");
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
        err << "portlab run: no SCENARIO given; allowed: a name from 'portlab list', FILE.ini or "
               "FILE.ini:NAME\n";
        return EXIT_USAGE;
    }
    Excludes(vm, "json", "quiet");
    Excludes(vm, "progress", "quiet");
    if (vm.count("transport"))
    {
        sets.push_back("transport=" + TransportOption(vm));
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
    const bool quiet = vm.count("quiet") > 0;
    RunWriteOptions wo;
    wo.figures = !vm.count("no-figures");
    wo.terminal = StderrIsTerminal();
    wo.progress = !quiet && (wo.terminal || vm.count("progress"));
    auto start = std::chrono::steady_clock::now();
    RunResult r = RunAndWrite(spec, seed, dir, wo);
    size_t agree = 0;
    for (const auto& v : r.verdicts)
    {
        agree += v.matches ? 1 : 0;
    }
    if (vm.count("json"))
    {
        out << ReadWholeFile(dir + "/summary.json");
    }
    else if (!quiet)
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
                out << v.note << " (" << VerdictSourceName(v.source) << ": " << v.expected
                    << "); simulated " << v.measured << "\n";
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
    if (!quiet)
    {
        err << "portlab run: " << spec.name << " seed " << seed << ": "
            << (r.matchesLinux ? "matches Linux" : "DIFFERS from Linux") << " (" << agree << " of "
            << r.verdicts.size() << " expectations), " << Seconds(Since(start)) << "; results in "
            << dir << "\n";
    }
    return r.matchesLinux ? EXIT_OK : EXIT_MISMATCH;
}

/// The options of list, keys and sysctls: --json and --help.
int
ParseListing(int argc,
             char** argv,
             const std::string& cmd,
             const std::string& usage,
             bool& json,
             std::ostream& out,
             std::ostream& err)
{
    po::options_description opts(usage + "\n\nOptions");
    opts.add_options()("help,h", "print this help")("json", "print a JSON array on stdout");
    po::positional_options_description pos;
    po::variables_map vm;
    int rc = Parse(argc, argv, opts, pos, vm, cmd, out, err);
    json = vm.count("json") > 0;
    return rc;
}

/// A listing command (list, keys, sysctls): its rows as JSON objects, printed as one JSON array
/// with --json, else each by \p text.
int
Listing(int argc,
        char** argv,
        const std::string& cmd,
        const std::string& usage,
        const std::function<Json()>& rows,
        const std::function<void(std::ostream&, const Json&)>& text,
        std::ostream& out,
        std::ostream& err)
{
    bool json = false;
    int rc = ParseListing(argc, argv, cmd, usage, json, out, err);
    if (rc >= 0)
    {
        return rc;
    }
    const Json all = rows();
    if (json)
    {
        out << DumpJsonPretty(all) << "\n";
        return EXIT_OK;
    }
    for (const Json& row : all)
    {
        text(out, row);
    }
    return EXIT_OK;
}

int
CmdList(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    return Listing(
        argc,
        argv,
        "list",
        "Usage: portlab list [--json]\n\n"
        "The scenarios portlab finds ($PORTLAB_SCENARIOS, ./scenarios or the\n"
        "shipped ones), each with the question it answers. --json: objects with\n"
        "name, file and question (or error, for a scenario that does not load).",
        [] {
            Json all = Json::array();
            for (const auto& [name, file, question] : ListScenarios())
            {
                Json j = Json::object();
                j["name"] = name;
                j["file"] = file;
                if (question.rfind("ERROR: ", 0) == 0)
                {
                    j["error"] = question.substr(7);
                }
                else
                {
                    j["question"] = question;
                }
                all.push_back(j);
            }
            return all;
        },
        [](std::ostream& o, const Json& j) {
            const std::string question = j.contains("error")
                                             ? "ERROR: " + j["error"].get<std::string>()
                                             : j["question"].get<std::string>();
            o << std::left << std::setw(38) << j["name"].get<std::string>() << " " << question
              << "\n";
        },
        out,
        err);
}

int
CmdKeys(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    return Listing(
        argc,
        argv,
        "keys",
        "Usage: portlab keys [--json]\n\n"
        "Every key a scenario file (or --set) may set, with what it means and\n"
        "what it allows. --json: objects with key and help.",
        [] {
            Json all = Json::array();
            for (const auto& [k, h] : ScenarioKeyHelp())
            {
                all.push_back(Json{{"key", k}, {"help", h}});
            }
            return all;
        },
        [](std::ostream& o, const Json& j) {
            o << std::left << std::setw(30) << j["key"].get<std::string>() << " "
              << j["help"].get<std::string>() << "\n";
        },
        out,
        err);
}

int
CmdSysctls(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    return Listing(
        argc,
        argv,
        "sysctls",
        "Usage: portlab sysctls [--json]\n\n"
        "Every host setting (sysctl) portlab models, with its Linux default and\n"
        "what it does; set them with sysctl.NAME, group.G.sysctl.NAME or\n"
        "host.H.sysctl.NAME. --json: objects with name, default and help.",
        [] {
            PortSysctls defaults;
            Json all = Json::array();
            for (const auto& name : PortSysctls::Names())
            {
                all.push_back(Json{{"name", name},
                                   {"default", defaults.Get(name)},
                                   {"help", PortSysctls::Help(name)}});
            }
            return all;
        },
        [](std::ostream& o, const Json& j) {
            o << j["name"].get<std::string>() << " = " << j["default"].get<std::string>()
              << "\n    " << j["help"].get<std::string>() << "\n";
        },
        out,
        err);
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
        "                     [--progress] [--emit-jobs FILE [--remote-root DIR]\n"
        "                     [--remote-portlab PATH]]\n\n"
        "Runs every combination of the --vary values (first key slowest) with K seeds, as\n"
        "parallel 'portlab run' processes, into DIR/points/KEY=V,.../seed-S (default DIR:\n"
        "results/SCENARIO/sweep-KEYS). A rerun skips finished points. Then writes\n"
        "DIR/points.csv (a row per point and seed, then mean and ci95 rows) and DIR/sweep.png\n"
        "/.svg/.pdf: METRIC against the first key, a line per value of the others, error bars\n"
        "= 95% confidence intervals across seeds.\n"
        "--emit-jobs FILE writes one command per unfinished point instead of running them:\n"
        "  parallel < FILE     (GNU parallel; add --sshloginfile for several machines)\n"
        "then 'portlab collect DIR' merges them. For other machines, --remote-root DIR names\n"
        "this working directory as they see it (shared or copied): each line starts with\n"
        "'cd DIR &&' and names its results and scenario file relative to it, and starts\n"
        "--remote-portlab PATH (default with --remote-root: 'portlab' on their PATH).\n"
        "A one-line summary ends on stderr.\n\nOptions");
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
                                         "write the job list to FILE and stop")(
        "remote-root",
        po::value<std::string>(),
        "with --emit-jobs: this working directory's path on the machines that run the jobs")(
        "remote-portlab",
        po::value<std::string>(),
        "with --emit-jobs: the portlab executable there (default: this one's path; with "
        "--remote-root: 'portlab')")("progress",
                                     "progress lines on stderr even when it is not a terminal "
                                     "(a line at most every 2 s)");
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
    Needs(vm, "remote-root", "emit-jobs");
    Needs(vm, "remote-portlab", "emit-jobs");
    Excludes(vm, "progress", "emit-jobs");
    for (const char* o : {"remote-root", "remote-portlab"})
    {
        if (vm.count(o) && vm[o].as<std::string>().empty())
        {
            throw ConfigError(std::string("--") + o +
                              " '' is not allowed; allowed: a path (or for --remote-portlab a "
                              "name on the remote PATH)");
        }
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
        JobTarget target;
        target.remoteRoot = vm.count("remote-root") ? vm["remote-root"].as<std::string>() : "";
        target.portlab = vm.count("remote-portlab")  ? vm["remote-portlab"].as<std::string>()
                         : target.remoteRoot.empty() ? Self()
                                                     : std::string("portlab");
        size_t n = EmitJobs(plan, target, emit);
        out << emit << ": " << n << " commands for " << plan.dir << "\n  run them: parallel < "
            << emit << "\n  then:     portlab collect " << plan.dir << "\n";
        return EXIT_OK;
    }
    auto start = std::chrono::steady_clock::now();
    const bool terminal = StderrIsTerminal();
    size_t already = 0;
    for (const auto& p : plan.Points())
    {
        already += fs::exists(p.dir + "/summary.json") ? 1 : 0;
    }
    int failed = RunSweep(plan, Self(), jobs, terminal || vm.count("progress"), terminal);
    const size_t runs = plan.Points().size();
    out << plan.dir << "/points.csv: " << runs << " runs";
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
    err << "portlab sweep: " << runs << " runs (" << already << " already done, "
        << runs - already - failed << " run now, " << failed << " failed), "
        << (differ > 0 ? std::to_string(differ) + " differ from Linux, " : std::string())
        << Seconds(Since(start)) << "; points in " << plan.dir << "/points.csv\n";
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
        "Usage: portlab script FILE [--seed N] [--kernel] [--transport packet|flow]\n\n"
        "Runs a socket script (grammar: models/script/script-program.h and the README) and "
        "prints each check; exits 1 on a mismatch (expected vs got), 2 on a malformed script.\n"
        "--kernel runs it on the live Linux kernel instead, with real sockets in fresh network "
        "namespaces (root only).\n\nOptions");
    opts.add_options()("help,h", "print this help")(
        "seed",
        po::value<std::string>(),
        "random seed (1)")("kernel", "run on the live kernel (root)")(
        "transport",
        po::value<std::string>(),
        "the hosts' TCP transport: packet (default) or flow")("file",
                                                              po::value<std::string>(&file),
                                                              "the script");
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
    const std::string transport = TransportOption(vm);
    Excludes(vm, "kernel", "transport");
    std::string text = ReadWholeFile(file, MAX_SCRIPT_BYTES);
    std::vector<ScriptCheck> checks = vm.count("kernel")
                                          ? RunKernelScript(ParseScript(text, file))
                                          : RunSocketScript(text, file, seed, transport);
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
        "Progress goes to stderr when it is a terminal or with --progress, and a one-line\n"
        "summary ends there.\n\nOptions");
    std::vector<std::string> sets;
    opts.add_options()("help,h", "print this help (and 'portlab help' lists the commands)")(
        "seed",
        po::value<std::string>(),
        "random seed (1)")("out",
                           po::value<std::string>(&so.dir)->default_value("results/study"),
                           "directory")("set",
                                        po::value<std::vector<std::string>>(&sets)->composing(),
                                        "a host setting for every host of every scenario, e.g. "
                                        "--set sysctl.net.ipv4.tcp_tw_reuse=1")(
        "progress",
        "progress lines on stderr even when it is not a terminal")("no-figures", "skip figures");
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
    so.terminal = StderrIsTerminal();
    so.progress = so.terminal || vm.count("progress");
    auto start = std::chrono::steady_clock::now();
    bool all = RunStudy(so, out);
    err << "portlab study: "
        << (all ? "every answer matches Linux" : "some answers DIFFER from Linux") << ", "
        << Seconds(Since(start)) << "; report in " << so.dir << "/report.md\n";
    return all ? EXIT_OK : EXIT_MISMATCH;
}

/// One command of 'portlab COMMAND'.
struct Command
{
    const char* name;                                      //!< as typed
    int (*run)(int, char**, std::ostream&, std::ostream&); //!< argv[0] is the name
};

int CmdHelp(int argc, char** argv, std::ostream& out, std::ostream& err);

/// Every command, in the order help lists them ('study' is also the default).
const std::vector<Command>&
Commands()
{
    static const std::vector<Command> commands = {{"run", CmdRun},
                                                  {"list", CmdList},
                                                  {"sweep", CmdSweep},
                                                  {"collect", CmdCollect},
                                                  {"plot", CmdPlot},
                                                  {"script", CmdScript},
                                                  {"keys", CmdKeys},
                                                  {"sysctls", CmdSysctls},
                                                  {"study", CmdStudy},
                                                  {"help", CmdHelp}};
    return commands;
}

const Command*
FindCommand(const std::string& name)
{
    for (const auto& c : Commands())
    {
        if (name == c.name)
        {
            return &c;
        }
    }
    return nullptr;
}

std::string
CommandNames()
{
    std::string names;
    for (const auto& c : Commands())
    {
        names += (names.empty() ? "" : ", ") + std::string(c.name);
    }
    return names;
}

/// The text of 'portlab CMD --help'.
std::string
CommandHelp(const Command& c)
{
    std::string name = c.name;
    std::string help = "--help";
    char* argv[] = {name.data(), help.data(), nullptr};
    std::ostringstream out;
    std::ostringstream err;
    c.run(2, argv, out, err);
    return out.str();
}

/// \p text for roff: a literal block line by line.
std::string
Roff(const std::string& text)
{
    std::string r;
    bool lineStart = true;
    for (char ch : text)
    {
        if (lineStart && (ch == '.' || ch == '\''))
        {
            r += "\\&";
        }
        if (ch == '\\')
        {
            r += "\\e";
        }
        else if (ch == '-')
        {
            r += "\\-";
        }
        else
        {
            r += ch;
        }
        lineStart = ch == '\n';
    }
    return r;
}

/// portlab(1): the same text as 'portlab help' and every 'portlab help CMD', as roff.
std::string
ManPage()
{
    std::ostringstream m;
    m << ".TH PORTLAB 1 \"\" \"portlab " << PORTLAB_VERSION << "\" \"User Commands\"\n"
      << ".SH NAME\nportlab \\- TCP and UDP port questions answered by experiment on simulated "
         "hosts with Linux's port rules\n"
      << ".SH SYNOPSIS\n.B portlab\n[\\fICOMMAND\\fR] [\\fIOPTIONS\\fR]\n"
      << ".SH DESCRIPTION\n.nf\n"
      << Roff(TOP_HELP) << ".fi\n.SH COMMANDS\n";
    for (const auto& c : Commands())
    {
        if (std::string(c.name) == "help")
        {
            continue;
        }
        m << ".SS \"portlab " << c.name << "\"\n.nf\n" << Roff(CommandHelp(c)) << ".fi\n";
    }
    m << ".SH ENVIRONMENT\n.TP\n.B PORTLAB_SCENARIOS\nthe directory of scenario files "
         "(default: ./scenarios if it exists, else the installed share/portlab/scenarios)\n"
      << ".SH EXIT STATUS\n0 ok, 1 a disagreement with Linux (or failed sweep points), 2 bad "
         "input (a one\\-line error on stderr; nothing is written)\n"
      << ".SH SEE ALSO\nThe README of portlab; \\fBportlab help\\fR \\fICOMMAND\\fR prints "
         "each section above.\n";
    return m.str();
}

int
CmdHelp(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    std::string topic;
    po::options_description opts(
        "Usage: portlab help [COMMAND] [--man]\n\n"
        "Prints the list of commands, or COMMAND's help (the same as 'portlab COMMAND --help').\n"
        "--man prints the manual page portlab(1), made from the same text, as roff.\n\nOptions");
    opts.add_options()("help,h", "print this help")(
        "man",
        "print portlab(1) as roff")("topic", po::value<std::string>(&topic), "COMMAND");
    po::positional_options_description pos;
    pos.add("topic", 1);
    po::variables_map vm;
    int rc = Parse(argc, argv, opts, pos, vm, "help", out, err);
    if (rc >= 0)
    {
        return rc;
    }
    if (vm.count("man"))
    {
        if (!topic.empty())
        {
            throw ConfigError("--man prints the whole manual page; allowed: 'portlab help --man' "
                              "without a COMMAND");
        }
        out << ManPage();
        return EXIT_OK;
    }
    if (topic.empty())
    {
        out << TOP_HELP;
        return EXIT_OK;
    }
    const Command* c = FindCommand(topic);
    if (c == nullptr)
    {
        err << "portlab help: unknown command '" << topic << "'; allowed: " << CommandNames()
            << "\n";
        return EXIT_USAGE;
    }
    out << CommandHelp(*c);
    return EXIT_OK;
}

} // namespace

int
PortlabMain(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    std::string cmd = argc > 1 ? argv[1] : "";
    try
    {
        if (cmd == "--version")
        {
            if (argc > 2)
            {
                err << "portlab: --version takes nothing after it; allowed: 'portlab "
                       "--version'\n";
                return EXIT_USAGE;
            }
            out << VersionLine() << "\n";
            return EXIT_OK;
        }
        if (const Command* c = FindCommand(cmd))
        {
            return c->run(argc - 1, argv + 1, out, err);
        }
        if (!cmd.empty() && cmd[0] != '-')
        {
            err << "portlab: unknown command '" << cmd << "'; allowed: " << CommandNames()
                << " (or none: the default study)\n";
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
