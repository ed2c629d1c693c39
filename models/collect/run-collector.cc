/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "run-collector.h"

#include "atomic-directory.h"
#include "csv-table.h"
#include "figure.h"
#include "sweep.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
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

} // namespace

std::string
ScenarioDirectory()
{
    const char* env = std::getenv("PORTLAB_SCENARIOS");
    if (env != nullptr && *env != '\0')
    {
        return env;
    }
    if (fs::is_directory("scenarios") && !IniFiles("scenarios").empty())
    {
        return "scenarios";
    }
    return PORTLAB_SOURCE_DIR "/scenarios";
}

std::vector<std::tuple<std::string, std::string, std::string>>
ListScenarios()
{
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    for (const auto& f : IniFiles(ScenarioDirectory()))
    {
        ScenarioFile file = ScenarioFile::Load(f);
        for (const auto& n : file.Names())
        {
            auto keys = file.Resolve(n, nullptr);
            out.emplace_back(n, f, keys.count("question") ? keys.at("question") : "");
        }
    }
    return out;
}

ScenarioRef
FindScenario(const std::string& ref)
{
    size_t ini = ref.find(".ini");
    if (ini != std::string::npos)
    {
        std::string file = ref.substr(0, ini + 4);
        std::string name = ini + 4 < ref.size() && ref[ini + 4] == ':' ? ref.substr(ini + 5) : "";
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
    std::string known;
    for (const auto& f : IniFiles(ScenarioDirectory()))
    {
        ScenarioFile file = ScenarioFile::Load(f);
        for (const auto& n : file.Names())
        {
            if (n == ref)
            {
                return ScenarioRef{f, n};
            }
            known += (known.empty() ? "" : ", ") + n;
        }
    }
    throw ConfigError("no scenario named '" + ref + "' in " + ScenarioDirectory() + "; known: " +
                      (known.empty() ? "(none)" : known) + " (or give FILE.ini[:NAME])");
}

ScenarioSpec
LoadScenario(const std::string& ref, const std::vector<std::string>& overrides)
{
    ScenarioRef r = FindScenario(ref);
    ScenarioFile file = ScenarioFile::Load(r.file);
    std::map<std::string, ValueOrigin> origins;
    auto keys = file.Resolve(r.name, &origins);
    ApplyOverrides(keys, origins, overrides);
    return ParseScenario(r.name, keys, origins);
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

std::vector<std::string>
PlotRun(const std::string& csvPath, const std::string& stemPrefix, const std::string& scenario)
{
    CsvTable t = ReadCsv(csvPath);
    std::vector<std::string> written;
    if (t.Rows() == 0)
    {
        throw std::runtime_error(csvPath + ": no rows (a truncated file?); allowed: a "
                                 "timeseries.csv written by portlab run");
    }
    const std::vector<std::string>& host = t.Column("host");
    std::vector<double> time = t.Numbers("time_s");
    std::vector<double> tw = t.Numbers("tcp_time_wait");
    std::vector<double> est = t.Numbers("tcp_established");
    std::vector<std::string> hosts;
    for (const auto& h : host)
    {
        if (std::find(hosts.begin(), hosts.end(), h) == hosts.end())
        {
            hosts.push_back(h);
        }
    }
    // Sockets over time: TIME_WAIT and connections of the busiest hosts.
    Figure sockets;
    sockets.title = scenario + ": sockets per host";
    sockets.xLabel = "simulated time (s)";
    sockets.yLabel = "sockets";
    sockets.steps = true;
    std::vector<std::pair<double, std::string>> busy;
    for (const auto& h : hosts)
    {
        double peak = 0;
        for (size_t i = 0; i < t.Rows(); ++i)
        {
            if (host[i] == h)
            {
                peak = std::max(peak, tw[i] + est[i]);
            }
        }
        busy.emplace_back(-peak, h);
    }
    std::stable_sort(busy.begin(), busy.end());
    for (size_t b = 0; b < busy.size() && b < 4; ++b)
    {
        if (busy[b].first == 0)
        {
            continue;
        }
        for (const auto* col : {&tw, &est})
        {
            Series s;
            s.title = busy[b].second + (col == &tw ? " TIME-WAIT" : " connections");
            for (size_t i = 0; i < t.Rows(); ++i)
            {
                if (host[i] == busy[b].second)
                {
                    s.x.push_back(time[i]);
                    s.y.push_back((*col)[i]);
                }
            }
            sockets.series.push_back(s);
        }
    }
    if (!sockets.series.empty())
    {
        for (const auto& f : RenderFigure(sockets, stemPrefix + "sockets"))
        {
            written.push_back(f);
        }
    }
    // connect() outcomes per second, summed over hosts.
    Figure connects;
    connects.title = scenario + ": connect() outcomes";
    connects.xLabel = "simulated time (s)";
    connects.yLabel = "connects per second";
    std::vector<std::string> cols = {"connects_ok"};
    for (const auto& c : t.Header())
    {
        if (c.rfind("failed_", 0) == 0)
        {
            cols.push_back(c);
        }
    }
    for (const auto& c : cols)
    {
        std::vector<double> v = t.Numbers(c);
        std::map<double, double> sum;
        double total = 0;
        for (size_t i = 0; i < t.Rows(); ++i)
        {
            sum[time[i]] += v[i];
            total += v[i];
        }
        if (total == 0)
        {
            continue;
        }
        Series s;
        s.title = c == "connects_ok" ? "established" : c.substr(7);
        double prev = 0;
        for (const auto& [x, n] : sum)
        {
            double dt = x - prev;
            prev = x;
            s.x.push_back(x);
            s.y.push_back(dt > 0 ? n / dt : n);
        }
        connects.series.push_back(s);
    }
    if (!connects.series.empty())
    {
        for (const auto& f : RenderFigure(connects, stemPrefix + "connects"))
        {
            written.push_back(f);
        }
    }
    return written;
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
    if (options.progress)
    {
        ro.progress = [&](const RunProgress& p) {
            double wall =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
            double frac = p.durationNs > 0 ? double(p.simNs) / p.durationNs : 1;
            double eta = frac > 0 ? wall / frac - wall : 0;
            std::fprintf(
                stderr,
                "\r%s: sim %.1f/%.1f s, %llu connects, %.0f connects/wall-s, ETA %.0f s   ",
                spec.name.c_str(),
                p.simNs / 1e9,
                p.durationNs / 1e9,
                static_cast<unsigned long long>(p.connections),
                wall > 0 ? p.connections / wall : 0.0,
                eta);
        };
    }
    RunResult r = RunScenario(spec, ro);
    if (options.progress)
    {
        std::fprintf(stderr, "\n");
    }
    out.Write("summary.json", r.Summary(spec).DumpPretty() + "\n");
    out.Write("timeseries.csv", r.TimeseriesCsv());
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
            JsonValue s = ReadJsonFile(d + "summary.json");
            const JsonValue* name = s.IsObject() ? s.Find("scenario") : nullptr;
            if (name == nullptr || !name->IsString())
            {
                throw std::runtime_error("'" + d + "summary.json' has no scenario name; " +
                                         "allowed: a summary.json written by portlab run");
            }
            scenario = name->AsString();
        }
        return PlotRun(d + "timeseries.csv", d, scenario);
    }
    throw std::runtime_error("'" + dir +
                             "' holds neither a run (timeseries.csv) nor a sweep (points.csv)");
}

} // namespace portlab
