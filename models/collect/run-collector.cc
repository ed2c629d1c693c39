/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "collect/run-collector.h"

#include "collect/atomic-directory.h"
#include "collect/sweep.h"
#include "plots/csv-table.h"
#include "plots/figure.h"
#include "scenario/linux-recording.h"
#include "util/run-summary.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace portlab
{

namespace
{

std::vector<std::string>
IniFiles(const std::string& dir)
{
    std::vector<std::string> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
    {
        if (e.path().extension() == ".ini")
        {
            files.push_back(e.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

/// The scenario files of a directory: those that load, and those that do not.
struct Catalog
{
    std::vector<std::pair<std::string, ScenarioFile>> files;  //!< (path, file), sorted by path
    std::vector<std::pair<std::string, std::string>> broken;  //!< (path, its one-line error)
    std::map<std::string, std::vector<std::string>> defining; //!< scenario name -> its files
};

/// Loads every *.ini of \p dir. A file that does not load is kept aside with its error; the
/// others are still used.
Catalog
LoadCatalog(const std::string& dir)
{
    Catalog c;
    for (const auto& path : IniFiles(dir))
    {
        try
        {
            ScenarioFile f = ScenarioFile::Load(path);
            for (const auto& n : f.Names())
            {
                c.defining[n].push_back(path);
            }
            c.files.emplace_back(path, std::move(f));
        }
        catch (const ConfigError& e)
        {
            std::string line = e.what();
            line = line.substr(0, line.find('\n'));
            c.broken.emplace_back(path, line);
        }
    }
    return c;
}

/// Reports each file that did not load on stderr, one line each, once per process: for a
/// list, or a run that goes on with another file (a run that fails says only its error).
void
ReportBroken(const Catalog& c)
{
    static std::set<std::string> reported;
    for (const auto& [path, error] : c.broken)
    {
        if (reported.insert(path).second)
        {
            std::cerr << "portlab: skipping a broken scenario file: " << error << "\n";
        }
    }
}

/// Whether \p path, a file that did not load, has a `[scenario NAME]` header line. Only a
/// regular file within ScenarioFile::MAX_FILE_BYTES is read.
bool
DeclaresScenario(const std::string& path, const std::string& name)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec) || fs::file_size(path, ec) > ScenarioFile::MAX_FILE_BYTES)
    {
        return false;
    }
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
    {
        size_t b = line.find_first_not_of(" \t");
        size_t e = line.find_last_not_of(" \t\r");
        if (b == std::string::npos || line[b] != '[' || line[e] != ']')
        {
            continue;
        }
        std::istringstream words(line.substr(b + 1, e - b - 1));
        std::string word;
        std::string scenario;
        if (words >> word >> scenario && word == "scenario" && scenario == name && !(words >> word))
        {
            return true;
        }
    }
    return false;
}

/// The error for a scenario name that two or more files define.
std::string
DefinedTwice(const std::string& name, const std::vector<std::string>& files)
{
    std::string list;
    for (size_t i = 0; i < files.size(); ++i)
    {
        list += (i == 0 ? "" : i + 1 == files.size() ? " and " : ", ") + files[i];
    }
    return "scenario '" + name + "' is defined in both " + list +
           "; allowed: one file per scenario name (rename one, or give FILE.ini:" + name + ")";
}

/**
 * Where portlab's shipped data is: $ENV if set; else \p local when it holds the data (the
 * working directory of a checkout); else FROM_BIN beside an installed portlab binary
 * (PREFIX/bin/portlab finds PREFIX/share/portlab/..., wherever PREFIX has been copied to);
 * else \p source, the source tree's copy.
 * \param env the environment variable that overrides
 * \param local a directory relative to the working directory, or nullptr
 * \param fromBin the installed directory relative to the binary's directory
 * \param holds whether a directory holds the data
 * \param source the source tree's directory
 * \return the directory
 */
std::string
DataDirectory(const char* env,
              const char* local,
              const char* fromBin,
              const std::function<bool(const std::string&)>& holds,
              const std::string& source)
{
    const char* value = std::getenv(env);
    if (value != nullptr && *value != '\0')
    {
        return value;
    }
    if (local != nullptr && holds(local))
    {
        return local;
    }
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
    {
        fs::path installed = exe.parent_path() / fromBin;
        if (holds(installed.string()))
        {
            return installed.lexically_normal().string();
        }
    }
    return source;
}

} // namespace

std::string
ScenarioDirectory()
{
    return DataDirectory(
        "PORTLAB_SCENARIOS",
        "scenarios",
        PORTLAB_SCENARIOS_FROM_BIN,
        [](const std::string& dir) {
            std::error_code ec;
            return fs::is_directory(dir, ec) && !IniFiles(dir).empty();
        },
        PORTLAB_SOURCE_DIR "/scenarios");
}

std::vector<std::tuple<std::string, std::string, std::string>>
ListScenarios()
{
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    Catalog c = LoadCatalog(ScenarioDirectory());
    ReportBroken(c);
    for (const auto& [path, file] : c.files)
    {
        for (const auto& n : file.Names())
        {
            const auto& files = c.defining.at(n);
            if (files.size() > 1)
            {
                if (files.front() == path)
                {
                    out.emplace_back(n, path, "ERROR: " + DefinedTwice(n, files));
                }
                continue;
            }
            std::string question;
            try
            {
                auto keys = file.Resolve(n, nullptr);
                question = keys.count("question") ? keys.at("question") : "";
            }
            catch (const ConfigError& e)
            {
                question = std::string("ERROR: ") + e.what();
            }
            out.emplace_back(n, path, question);
        }
    }
    return out;
}

ScenarioRef
FindScenario(const std::string& ref)
{
    // A path: the whole of REF when it names something that exists or ends in ".ini", else
    // FILE.ini:NAME split at the last ':' (so directories and names may hold ".ini" and ':').
    std::string file;
    std::string name;
    size_t colon = ref.rfind(':');
    auto endsInIni = [](const std::string& p) {
        return p.size() > 4 && p.compare(p.size() - 4, 4, ".ini") == 0;
    };
    std::error_code ec;
    if (fs::exists(fs::symlink_status(ref, ec)) || endsInIni(ref))
    {
        file = ref;
    }
    else if (colon != std::string::npos && endsInIni(ref.substr(0, colon)))
    {
        file = ref.substr(0, colon);
        name = ref.substr(colon + 1);
        if (name.empty())
        {
            throw ConfigError("'" + ref +
                              "' names no scenario after ':'; allowed: FILE.ini or FILE.ini:NAME");
        }
    }
    if (!file.empty())
    {
        if (!endsInIni(file))
        {
            throw ConfigError("'" + file +
                              "' is not a scenario file: scenario files end in .ini; allowed: "
                              "FILE.ini, FILE.ini:NAME or a scenario name ('portlab list')");
        }
        ScenarioFile f = ScenarioFile::Load(file);
        if (name.empty())
        {
            if (f.Names().empty())
            {
                throw ConfigError(file + ": no [scenario NAME] section");
            }
            name = f.Names().front();
        }
        return ScenarioRef{file, name};
    }
    Catalog c = LoadCatalog(ScenarioDirectory());
    auto it = c.defining.find(ref);
    if (it != c.defining.end() && it->second.size() > 1)
    {
        throw ConfigError(DefinedTwice(ref, it->second));
    }
    if (it != c.defining.end())
    {
        ReportBroken(c);
        return ScenarioRef{it->second.front(), ref};
    }
    // A broken file that has a [scenario REF] header: its own error is the answer.
    for (const auto& [path, error] : c.broken)
    {
        if (DeclaresScenario(path, ref))
        {
            throw ConfigError(error);
        }
    }
    std::string known;
    for (const auto& [n, files] : c.defining)
    {
        known += (known.empty() ? "" : ", ") + n;
    }
    std::string skipped;
    for (const auto& [path, error] : c.broken)
    {
        skipped += (skipped.empty() ? "; skipped broken files: " : ", ") + path;
    }
    throw ConfigError("no scenario named '" + ref + "' in " + ScenarioDirectory() + "; known: " +
                      (known.empty() ? "(none)" : known) + " (or give FILE.ini[:NAME])" + skipped);
}

ScenarioSpec
LoadScenario(const std::string& ref, const std::vector<std::string>& overrides)
{
    ScenarioRef r = FindScenario(ref);
    ScenarioFile file = ScenarioFile::Load(r.file);
    // A user's file may extend a shipped scenario: a parent it does not define is looked up
    // by name in the scenarios directory, as 'portlab run NAME' would find it.
    const std::string dir = ScenarioDirectory();
    file.SetParentLookup(
        [dir](const std::string& name) -> std::optional<ScenarioFile> {
            Catalog c = LoadCatalog(dir);
            auto it = c.defining.find(name);
            if (it == c.defining.end())
            {
                return std::nullopt;
            }
            if (it->second.size() > 1)
            {
                throw ConfigError(DefinedTwice(name, it->second));
            }
            for (auto& [path, f] : c.files)
            {
                if (path == it->second.front())
                {
                    return f;
                }
            }
            return std::nullopt;
        },
        "a shipped scenario in " + dir + " ('portlab list')");
    std::map<std::string, ValueOrigin> origins;
    auto keys = file.ResolveWithOverrides(r.name, overrides, &origins);
    ScenarioSpec spec = ParseScenario(r.name, keys, origins);
    ResolveRecordedExpectations(spec, RecordingDirectory());
    return spec;
}

std::string
RecordingDirectory()
{
    return DataDirectory(
        "PORTLAB_RECORDINGS",
        nullptr,
        PORTLAB_RECORDINGS_FROM_BIN,
        [](const std::string& dir) { return !RecordingNames(dir).empty(); },
        PORTLAB_SOURCE_DIR "/tests/data");
}

std::string
DefaultRunDirectory(const std::string& scenario,
                    const std::vector<std::string>& overrides,
                    uint64_t seed)
{
    std::vector<std::string> sorted = overrides;
    std::sort(sorted.begin(), sorted.end());
    std::string tag = SafeFileName(sorted);
    return "results/" + scenario + "/" + (tag.empty() ? "" : tag + "-") + "seed-" +
           std::to_string(seed);
}

RunResult
RunAndWrite(const ScenarioSpec& spec,
            uint64_t seed,
            const std::string& dir,
            const RunWriteOptions& options)
{
    AtomicDirectory out(dir);
    RunOptions ro;
    ro.seed = seed;
    if (spec.pcap)
    {
        fs::create_directories(out.Path("pcap"));
        ro.pcapPrefix = out.Path("pcap/");
    }
    auto wallStart = std::chrono::steady_clock::now();
    double lastLine = -1e9;
    if (options.progress)
    {
        ro.progress = [&](const RunProgress& p) {
            double wall =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
            // Not a terminal (a log, a pipe): whole lines, at most one every 2 s, and the end.
            if (!options.terminal && p.simNs < p.durationNs && wall - lastLine < 2)
            {
                return;
            }
            lastLine = wall;
            double frac = p.durationNs > 0 ? double(p.simNs) / p.durationNs : 1;
            double eta = frac > 0 ? wall / frac - wall : 0;
            std::fprintf(
                stderr,
                options.terminal
                    ? "\r%s: sim %.1f/%.1f s, %llu connects, %.0f connects/wall-s, ETA %.0f s   "
                    : "%s: sim %.1f/%.1f s, %llu connects, %.0f connects/wall-s, ETA %.0f s\n",
                spec.name.c_str(),
                p.simNs / 1e9,
                p.durationNs / 1e9,
                static_cast<unsigned long long>(p.connections),
                wall > 0 ? p.connections / wall : 0.0,
                eta);
        };
    }
    RunResult r = RunScenario(spec, ro);
    if (options.progress && options.terminal)
    {
        std::fprintf(stderr, "\n");
    }
    out.Write("summary.json", DumpJsonPretty(r.Summary(spec)) + "\n");
    out.Write("timeseries.csv", r.TimeseriesCsv());
    out.Write("binds.csv", r.BindsCsv());
    out.Write("processes.csv", r.ProcessesCsv());
    out.Write("destinations.csv", r.DestinationsCsv());
    for (const auto& [t, host, text] : r.snapshots)
    {
        std::ostringstream name;
        name << "ss/" << host << "-at-" << std::setprecision(9) << t / 1e9 << "s.txt";
        out.Write(name.str(), text);
    }
    if (options.figures)
    {
        PlotRun(out.Path("timeseries.csv"), out.Path(""), spec.name);
    }
    out.Commit();
    return r;
}

std::vector<std::string>
PlotDirectory(const std::string& dir)
{
    std::string d = dir.empty() || dir.back() == '/' ? dir : dir + "/";
    if (fs::exists(d + "points.csv"))
    {
        return PlotSweep(d);
    }
    if (fs::exists(d + "timeseries.csv"))
    {
        std::string scenario = fs::path(dir).lexically_normal().parent_path().filename().string();
        if (fs::exists(d + "summary.json"))
        {
            scenario = SummaryScenario(ReadJsonFile(d + "summary.json"), d + "summary.json");
        }
        return PlotRun(d + "timeseries.csv", d, scenario);
    }
    throw std::runtime_error("'" + dir +
                             "' holds neither a run (timeseries.csv) nor a sweep (points.csv)");
}

} // namespace portlab
