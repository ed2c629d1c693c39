/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "collect/sweep.h"

#include "collect/atomic-directory.h"
#include "collect/run-collector.h"
#include "plots/csv-table.h"
#include "plots/figure.h"
#include "scenario/port-guess-meter.h"
#include "scenario/scenario-spec.h"
#include "util/run-summary.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace portlab
{

namespace
{

std::string
PointName(const SweepPlan& plan, const std::vector<std::string>& values)
{
    std::vector<std::string> keyValues;
    for (size_t i = 0; i < values.size(); ++i)
    {
        keyValues.push_back(plan.vary[i].first + "=" + values[i]);
    }
    return SafeFileName(keyValues);
}

std::string
Num(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.10g", v);
    return buf;
}

/// Leading number of "500/s", "10ms" ...; false if there is none.
bool
LeadingNumber(const std::string& s, double& v, std::string& unit)
{
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    if (end == s.c_str())
    {
        return false;
    }
    unit = std::string(end);
    return true;
}

/// A CSV field, quoted when it holds a comma, quote or newline (RFC 4180).
std::string
CsvField(const std::string& field)
{
    if (field.find_first_of(",\"\n") == std::string::npos)
    {
        return field;
    }
    std::string out = "\"";
    for (char c : field)
    {
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return out + "\"";
}

} // namespace

double
StudentT975(size_t n)
{
    static const double t[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                               2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                               2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                               2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
    size_t df = n < 2 ? 1 : n - 1;
    return df <= 30 ? t[df - 1] : 1.960;
}

std::string
ShellQuote(const std::string& s)
{
    std::string out = "'";
    for (char c : s)
    {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

std::vector<SweepPlan::Point>
SweepPlan::Points() const
{
    std::vector<Point> out;
    std::vector<size_t> idx(vary.size(), 0);
    while (true)
    {
        std::vector<std::string> values;
        std::vector<std::string> ov = overrides;
        for (size_t i = 0; i < vary.size(); ++i)
        {
            values.push_back(vary[i].second[idx[i]]);
            ov.push_back(vary[i].first + "=" + values.back());
        }
        for (uint32_t s = 0; s < seeds; ++s)
        {
            Point p;
            p.values = values;
            p.seed = firstSeed + s;
            p.dir = dir + "/points/" + PointName(*this, values) + "/seed-" + std::to_string(p.seed);
            p.overrides = ov;
            out.push_back(p);
        }
        size_t k = vary.size();
        while (k > 0)
        {
            --k;
            if (++idx[k] < vary[k].second.size())
            {
                break;
            }
            idx[k] = 0;
            if (k == 0)
            {
                return out;
            }
        }
        if (vary.empty())
        {
            return out;
        }
    }
}

Json
SweepPlan::ToJson() const
{
    Json j = Json::object();
    j["scenario"] = scenario;
    j["set"] = overrides;
    Json v = Json::array();
    for (const auto& [k, values] : vary)
    {
        Json e = Json::object();
        e["key"] = k;
        e["values"] = values;
        v.push_back(e);
    }
    j["vary"] = v;
    j["seeds"] = static_cast<uint64_t>(seeds);
    j["first_seed"] = firstSeed;
    j["y"] = y;
    return j;
}

namespace
{

/// A string member of sweep.json, printable.
std::string
PlanString(const Json& v, const std::string& field)
{
    if (!v.is_string())
    {
        throw ConfigError("'" + field + "' is " + DumpJson(v).substr(0, 40) +
                          "; allowed: a string");
    }
    if (HasControlCharacter(v.get<std::string>()))
    {
        throw ConfigError("'" + field + "' holds control characters; allowed: printable text");
    }
    return v.get<std::string>();
}

/// A member of a sweep.json object, or an error naming it.
const Json&
PlanMember(const Json& object, const std::string& key, const std::string& where)
{
    const Json* v = JsonMember(object, key);
    if (v == nullptr)
    {
        throw ConfigError("no '" + key + "' in " + where + "; allowed: " +
                          (where == "the plan" ? "an object with scenario, set, vary, seeds, "
                                                 "first_seed, y"
                                               : "an object with key and values"));
    }
    return *v;
}

/// An array member of sweep.json.
const Json&
PlanArray(const Json& v, const std::string& field)
{
    if (!v.is_array())
    {
        throw ConfigError("'" + field + "' is " + DumpJson(v).substr(0, 40) +
                          "; allowed: an array");
    }
    return v;
}

/// An integer member of sweep.json within [min, max].
int64_t
PlanInteger(const Json& v, const std::string& field, int64_t min, int64_t max)
{
    bool outside = !v.is_number_integer() ||
                   (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)) ||
                   v.get<int64_t>() < min || v.get<int64_t>() > max;
    if (outside)
    {
        throw ConfigError("'" + field + "' is " + DumpJson(v).substr(0, 40) +
                          "; allowed: an integer from " + std::to_string(min) + " to " +
                          std::to_string(max));
    }
    return v.get<int64_t>();
}

} // namespace

SweepPlan
SweepPlan::FromJson(const Json& j, const std::string& dir)
{
    SweepPlan p;
    if (!j.is_object())
    {
        throw ConfigError("the plan is not a JSON object; allowed: an object with scenario, "
                          "set, vary, seeds, first_seed, y");
    }
    p.scenario = PlanString(PlanMember(j, "scenario", "the plan"), "scenario");
    if (p.scenario.empty())
    {
        throw ConfigError("'scenario' is empty; allowed: a scenario name or FILE.ini[:NAME]");
    }
    for (const auto& o : PlanArray(PlanMember(j, "set", "the plan"), "set"))
    {
        p.overrides.push_back(PlanString(o, "set"));
    }
    uint64_t runs = 1;
    for (const auto& e : PlanArray(PlanMember(j, "vary", "the plan"), "vary"))
    {
        std::string key = PlanString(PlanMember(e, "key", "a 'vary' entry"), "vary key");
        std::vector<std::string> values;
        for (const auto& x : PlanArray(PlanMember(e, "values", "a 'vary' entry"), "values"))
        {
            values.push_back(PlanString(x, "values of " + key));
        }
        if (key.empty() || values.empty())
        {
            throw ConfigError("a 'vary' entry has an empty key or no values; allowed: a key "
                              "and at least one value");
        }
        runs *= values.size();
        if (runs > MAX_SWEEP_RUNS)
        {
            throw ConfigError("the plan has more than " + std::to_string(MAX_SWEEP_RUNS) +
                              " points; allowed: at most " + std::to_string(MAX_SWEEP_RUNS));
        }
        p.vary.emplace_back(key, values);
    }
    if (p.vary.empty())
    {
        throw ConfigError("'vary' is empty; allowed: at least one key with values");
    }
    p.seeds = static_cast<uint32_t>(
        PlanInteger(PlanMember(j, "seeds", "the plan"), "seeds", 1, MAX_SWEEP_SEEDS));
    if (runs * p.seeds > MAX_SWEEP_RUNS)
    {
        throw ConfigError("the plan has " + std::to_string(runs * p.seeds) +
                          " runs; allowed: at most " + std::to_string(MAX_SWEEP_RUNS));
    }
    p.firstSeed = PlanInteger(PlanMember(j, "first_seed", "the plan"),
                              "first_seed",
                              0,
                              INT64_MAX - MAX_SWEEP_SEEDS);
    p.y = PlanString(PlanMember(j, "y", "the plan"), "y");
    p.dir = dir;
    return p;
}

SweepPlan
MakeSweepPlan(const std::string& scenario,
              const std::vector<std::string>& overrides,
              const std::vector<std::string>& vary,
              uint32_t seeds,
              uint64_t firstSeed,
              const std::string& y,
              const std::string& dir)
{
    SweepPlan plan;
    plan.scenario = scenario;
    plan.overrides = overrides;
    plan.seeds = seeds;
    plan.firstSeed = firstSeed;
    if (seeds < 1 || seeds > MAX_SWEEP_SEEDS)
    {
        throw ConfigError("--seeds " + std::to_string(seeds) + " is not allowed; allowed: 1.." +
                          std::to_string(MAX_SWEEP_SEEDS));
    }
    // Every string ends up in a job line for a shell: no control characters (a newline would
    // start another command).
    for (const auto& [what, list] :
         {std::make_pair("--set", overrides), std::make_pair("--vary", vary)})
    {
        for (const auto& v : list)
        {
            if (HasControlCharacter(v))
            {
                throw ConfigError(std::string(what) + " value holds a control character " +
                                  "(newline, tab, ...); allowed: printable text");
            }
        }
    }
    if (HasControlCharacter(scenario) || HasControlCharacter(dir) || HasControlCharacter(y))
    {
        throw ConfigError("the scenario, --out or --y holds a control character; allowed: "
                          "printable text");
    }
    std::set<std::string> keys;
    uint64_t runs = seeds;
    for (const auto& v : vary)
    {
        size_t eq = v.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 >= v.size())
        {
            throw ConfigError("--vary '" + v + "' is not allowed; allowed: KEY=V1,V2,...");
        }
        std::string key = v.substr(0, eq);
        std::vector<std::string> values;
        std::stringstream in(v.substr(eq + 1));
        std::string x;
        while (std::getline(in, x, ','))
        {
            size_t b = x.find_first_not_of(' ');
            size_t e = x.find_last_not_of(' ');
            if (b == std::string::npos)
            {
                throw ConfigError("--vary '" + v + "' has an empty value; allowed: KEY=V1,V2,...");
            }
            values.push_back(x.substr(b, e - b + 1));
        }
        if (!keys.insert(key).second)
        {
            throw ConfigError("--vary names '" + key + "' twice; allowed: each key once");
        }
        std::set<std::string> distinct(values.begin(), values.end());
        if (distinct.size() != values.size())
        {
            throw ConfigError("--vary '" + key + "' lists a value twice; allowed: each value once");
        }
        runs *= values.size();
        if (runs > MAX_SWEEP_RUNS)
        {
            throw ConfigError("the sweep would have more than " + std::to_string(MAX_SWEEP_RUNS) +
                              " runs (points x seeds); allowed: at most " +
                              std::to_string(MAX_SWEEP_RUNS) + " (split it into several sweeps)");
        }
        plan.vary.emplace_back(key, values);
    }
    if (plan.vary.empty())
    {
        throw ConfigError("a sweep needs at least one --vary KEY=V1,V2,...");
    }
    ScenarioSpec base = LoadScenario(scenario, overrides);
    for (const auto& p : plan.Points())
    {
        if (p.seed == plan.firstSeed)
        {
            try
            {
                LoadScenario(scenario, p.overrides);
            }
            catch (const ConfigError& e)
            {
                throw ConfigError(std::string(e.what()) + " (in the sweep point " +
                                  PointName(plan, p.values) + ")");
            }
        }
    }
    plan.y = y;
    if (!plan.y.empty())
    {
        try
        {
            CheckMetricName(base, plan.y);
        }
        catch (const ConfigError& e)
        {
            throw ConfigError(std::string("--y: ") + e.what());
        }
    }
    if (plan.y.empty())
    {
        for (const auto& a : base.apps)
        {
            if (plan.y.empty() && a.type == AppType::TCP_CLIENT)
            {
                plan.y = a.name + ".steady_success_rate";
            }
            else if (plan.y.empty() && a.type == AppType::UDP_CLIENT)
            {
                plan.y = a.name + ".success_rate";
            }
        }
        if (plan.y.empty())
        {
            throw ConfigError("scenario '" + base.name +
                              "' has no client app; name the metric to plot with --y "
                              "SUBJECT.METRIC");
        }
    }
    std::vector<std::string> keyNames;
    for (const auto& [k, values] : plan.vary)
    {
        keyNames.push_back(k);
    }
    plan.dir = dir.empty() ? "results/" + base.name + "/sweep-" + SafeFileName(keyNames) : dir;
    CheckSweepDirectory(plan.dir);
    return plan;
}

namespace
{

/// Write sweep.json, refusing to mix two different sweeps in one directory.
void
WritePlan(const SweepPlan& plan)
{
    PrepareSweepDirectory(plan.dir);
    std::string path = plan.dir + "/sweep.json";
    std::string text = DumpJsonPretty(plan.ToJson()) + "\n";
    if (fs::exists(fs::symlink_status(path)))
    {
        std::string old = ReadWholeFile(path);
        if (old != text)
        {
            throw ConfigError(plan.dir + " holds a different sweep (its sweep.json differs); "
                                         "give another --out or remove it");
        }
        return;
    }
    WriteFileAtomically(path, text);
}

std::vector<std::string>
RunArgs(const SweepPlan& plan, const SweepPlan::Point& p, const std::string& self)
{
    std::vector<std::string> a = {self, "run", plan.scenario};
    for (const auto& o : p.overrides)
    {
        a.push_back("--set");
        a.push_back(o);
    }
    a.push_back("--seed");
    a.push_back(std::to_string(p.seed));
    a.push_back("--out");
    a.push_back(p.dir);
    a.push_back("--no-figures");
    a.push_back("--quiet");
    return a;
}

} // namespace

namespace
{

/// Refuse to replace a file that is not a job list portlab wrote.
void
CheckReplaceableJobList(const std::string& file)
{
    const std::string allowed = "allowed: a new file, an empty file or an earlier job list";
    struct stat st;
    if (lstat(file.c_str(), &st) != 0)
    {
        if (errno == ENOENT)
        {
            return;
        }
        throw OutputError("cannot use '" + file + "' for the job list: " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
    {
        throw OutputError("'" + file + "' is " +
                          (S_ISLNK(st.st_mode)   ? "a symbolic link"
                           : S_ISDIR(st.st_mode) ? "a directory"
                                                 : "not a regular file") +
                          ", not a job list; " + allowed);
    }
    std::string text = ReadWholeFile(file);
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
    {
        // A job line: [cd 'ROOT' && ]'PATH' 'run' ... (every word single-quoted).
        if (line.rfind("cd '", 0) == 0 && line.find("' && '") != std::string::npos)
        {
            line = line.substr(line.find("' && '") + 5);
        }
        size_t end =
            line.size() > 1 && line[0] == '\'' ? line.find("' 'run' '", 1) : std::string::npos;
        if (end == std::string::npos)
        {
            throw OutputError("'" + file + "' exists and is not a portlab job list, and " +
                              "portlab never replaces other files; " + allowed);
        }
    }
}

} // namespace

namespace
{

bool
EndsInIni(const std::string& p)
{
    return p.size() > 4 && p.compare(p.size() - 4, 4, ".ini") == 0;
}

/// \p path relative to the working directory; a ConfigError if it lies outside it.
std::string
InsideWorkingDirectory(const std::string& path, const std::string& what)
{
    std::error_code ec;
    fs::path cwd = fs::weakly_canonical(fs::current_path(), ec);
    fs::path full = fs::weakly_canonical(fs::absolute(path), ec);
    fs::path rel = full.lexically_relative(cwd);
    if (ec || rel.empty() || *rel.begin() == ".." || rel.is_absolute())
    {
        throw ConfigError(what + " '" + path + "' is outside the working directory '" +
                          cwd.string() +
                          "'; with --remote-root, allowed: a path inside it (job lines name "
                          "it relative to the remote root)");
    }
    return rel.string();
}

} // namespace

std::vector<std::string>
JobLines(const SweepPlan& plan, const JobTarget& target)
{
    if (HasControlCharacter(target.portlab) || HasControlCharacter(target.remoteRoot))
    {
        throw ConfigError("portlab's path or the remote root holds a control character; "
                          "allowed: printable paths");
    }
    if (target.portlab.empty())
    {
        throw ConfigError("--remote-portlab '' is not allowed; allowed: a path or a name on the "
                          "remote PATH");
    }
    std::string scenario = plan.scenario;
    std::string prefix;
    if (!target.remoteRoot.empty())
    {
        // A scenario given as a path (as FindScenario() tells them apart) is named relative to
        // the root; a name is looked up there, among that machine's scenarios.
        std::error_code ec;
        size_t colon = scenario.rfind(':');
        if (fs::exists(fs::symlink_status(scenario, ec)) || EndsInIni(scenario))
        {
            scenario = InsideWorkingDirectory(scenario, "the scenario file");
        }
        else if (colon != std::string::npos && EndsInIni(scenario.substr(0, colon)))
        {
            scenario = InsideWorkingDirectory(scenario.substr(0, colon), "the scenario file") +
                       scenario.substr(colon);
        }
        InsideWorkingDirectory(plan.dir, "--out");
        prefix = "cd " + ShellQuote(target.remoteRoot) + " && ";
    }
    SweepPlan there = plan;
    there.scenario = scenario;
    std::vector<std::string> lines;
    for (const auto& p : plan.Points())
    {
        if (fs::exists(p.dir + "/summary.json"))
        {
            continue;
        }
        SweepPlan::Point q = p;
        if (!target.remoteRoot.empty())
        {
            q.dir = InsideWorkingDirectory(p.dir, "--out");
        }
        std::string line = prefix;
        bool first = true;
        for (const auto& a : RunArgs(there, q, target.portlab))
        {
            line += (first ? "" : " ") + ShellQuote(a);
            first = false;
        }
        lines.push_back(line);
    }
    return lines;
}

size_t
EmitJobs(const SweepPlan& plan, const std::string& self, const std::string& file)
{
    return EmitJobs(plan, JobTarget{self, ""}, file);
}

size_t
EmitJobs(const SweepPlan& plan, const JobTarget& target, const std::string& file)
{
    if (HasControlCharacter(file))
    {
        throw ConfigError("the job list's path holds a control character; allowed: a "
                          "printable path");
    }
    // Every line is made (and every path checked) before anything is written.
    std::vector<std::string> lines = JobLines(plan, target);
    CheckReplaceableJobList(file);
    WritePlan(plan);
    std::string text;
    for (const auto& l : lines)
    {
        text += l + "\n";
    }
    WriteFileAtomically(file, text);
    return lines.size();
}

int
RunSweep(const SweepPlan& plan,
         const std::string& self,
         unsigned jobs,
         bool progress,
         bool terminal)
{
    WritePlan(plan);
    std::vector<SweepPlan::Point> todo;
    size_t skipped = 0;
    auto points = plan.Points();
    for (const auto& p : points)
    {
        if (fs::exists(p.dir + "/summary.json"))
        {
            ++skipped;
        }
        else
        {
            todo.push_back(p);
        }
    }
    // Logs go to a fresh private directory (mkdtemp), so no planted link is ever followed.
    std::string tmpl = plan.dir + "/.logs-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr)
    {
        throw std::runtime_error("cannot create '" + tmpl + "': " + std::strerror(errno));
    }
    std::string logs = buf.data();
    SignalCleanupGuard logsGuard(logs);
    std::map<pid_t, std::pair<SweepPlan::Point, std::string>> running;
    size_t next = 0;
    size_t done = 0;
    int failed = 0;
    auto start = std::chrono::steady_clock::now();
    double lastLine = -1e9;
    auto report = [&](bool last = false) {
        if (!progress)
        {
            return;
        }
        double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        // Not a terminal (a log, a pipe): whole lines, at most one every 2 s, and the last.
        if (!terminal && !last && wall - lastLine < 2)
        {
            return;
        }
        lastLine = wall;
        double eta = done > 0 ? wall / done * (todo.size() - done) : 0;
        std::fprintf(stderr,
                     terminal ? "\rsweep: %zu/%zu runs done (%zu already done), %zu running, "
                                "%.0f s, ETA %.0f s   "
                              : "sweep: %zu/%zu runs done (%zu already done), %zu running, "
                                "%.0f s, ETA %.0f s\n",
                     done + skipped,
                     points.size(),
                     skipped,
                     running.size(),
                     wall,
                     eta);
    };
    while (next < todo.size() || !running.empty())
    {
        while (next < todo.size() && running.size() < jobs)
        {
            const auto& p = todo[next++];
            std::vector<std::string> args = RunArgs(plan, p, self);
            std::string log = logs + "/run-" + std::to_string(next) + ".log";
            pid_t pid = fork();
            if (pid == 0)
            {
                int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
                if (fd >= 0)
                {
                    dup2(fd, 1);
                    dup2(fd, 2);
                    close(fd);
                }
                std::vector<char*> argv;
                for (auto& a : args)
                {
                    argv.push_back(const_cast<char*>(a.c_str()));
                }
                argv.push_back(nullptr);
                execv(self.c_str(), argv.data());
                _exit(127);
            }
            if (pid < 0)
            {
                throw std::runtime_error("fork failed");
            }
            running[pid] = {p, log};
        }
        report();
        int status = 0;
        pid_t pid = wait(&status);
        if (pid < 0)
        {
            break;
        }
        auto it = running.find(pid);
        if (it == running.end())
        {
            continue;
        }
        ++done;
        // A run that differs from Linux exits 1 but is a finished point (its summary.json
        // says so, and the sweep counts it as differing); only other exits are failures.
        const bool finished = WIFEXITED(status) && (WEXITSTATUS(status) == 0 ||
                                                    (WEXITSTATUS(status) == 1 &&
                                                     fs::exists(it->second.first.dir +
                                                                "/summary.json")));
        bool ok = finished;
        if (!ok)
        {
            ++failed;
            std::string text;
            try
            {
                text = ReadWholeFile(it->second.second);
            }
            catch (const std::exception&)
            {
            }
            std::fprintf(stderr,
                         "\nsweep: the run for %s failed:\n%s\n",
                         it->second.first.dir.c_str(),
                         text.c_str());
        }
        std::error_code ec;
        fs::remove(it->second.second, ec);
        running.erase(it);
    }
    report(true);
    if (progress && terminal)
    {
        std::fprintf(stderr, "\n");
    }
    std::error_code ec;
    fs::remove_all(logs, ec);
    std::vector<std::string> missing;
    CollectSweep(plan.dir, &missing);
    return failed;
}

namespace
{

/// The plan of sweep directory DIR, validated; errors name the file.
SweepPlan
ReadPlan(std::string dir)
{
    while (dir.size() > 1 && dir.back() == '/')
    {
        dir.pop_back();
    }
    std::string path = dir + "/sweep.json";
    if (!fs::exists(fs::symlink_status(path)))
    {
        throw std::runtime_error("'" + dir + "' is not a sweep directory (no sweep.json); " +
                                 "allowed: a directory made by portlab sweep");
    }
    Json j = ReadJsonFile(path);
    try
    {
        return SweepPlan::FromJson(j, dir);
    }
    catch (const ConfigError& e)
    {
        throw ConfigError(path + ": " + e.what());
    }
}

} // namespace

std::vector<std::string>
CollectSweep(const std::string& dir, std::vector<std::string>* missing)
{
    SweepPlan plan = ReadPlan(dir);
    auto points = plan.Points();
    std::vector<std::map<std::string, double>> values(points.size());
    std::vector<bool> have(points.size(), false);
    std::set<std::string> metricNames;
    for (size_t i = 0; i < points.size(); ++i)
    {
        std::string s = points[i].dir + "/summary.json";
        if (!fs::exists(s))
        {
            if (missing != nullptr)
            {
                missing->push_back(points[i].dir);
            }
            continue;
        }
        values[i] = SummaryNumbers(ReadJsonFile(s), s);
        for (const auto& [k, v] : values[i])
        {
            if (k != "matches_linux")
            {
                metricNames.insert(k);
            }
        }
        have[i] = true;
    }
    std::vector<std::string> cols(metricNames.begin(), metricNames.end());
    std::ostringstream csv;
    for (const auto& [k, v] : plan.vary)
    {
        csv << CsvField(k) << ",";
    }
    csv << "seed,matches_linux";
    for (const auto& c : cols)
    {
        csv << "," << CsvField(c);
    }
    csv << "\n";
    auto row = [&](const std::vector<std::string>& vs,
                   const std::string& seed,
                   const std::map<std::string, double>& m) {
        for (const auto& v : vs)
        {
            csv << CsvField(v) << ",";
        }
        csv << seed << "," << (m.count("matches_linux") ? Num(m.at("matches_linux")) : "");
        for (const auto& c : cols)
        {
            csv << "," << (m.count(c) ? Num(m.at(c)) : "");
        }
        csv << "\n";
    };
    for (size_t i = 0; i < points.size(); i += plan.seeds)
    {
        std::vector<std::map<std::string, double>> runs;
        for (size_t s = 0; s < plan.seeds; ++s)
        {
            if (have[i + s])
            {
                row(points[i].values, std::to_string(points[i + s].seed), values[i + s]);
                runs.push_back(values[i + s]);
            }
        }
        if (runs.empty())
        {
            continue;
        }
        std::map<std::string, double> mean;
        std::map<std::string, double> ci;
        std::vector<std::string> all = cols;
        all.push_back("matches_linux");
        for (const auto& c : all)
        {
            std::vector<double> xs;
            for (const auto& r : runs)
            {
                if (r.count(c))
                {
                    xs.push_back(r.at(c));
                }
            }
            if (xs.empty())
            {
                continue;
            }
            double m = 0;
            for (double x : xs)
            {
                m += x;
            }
            m /= xs.size();
            double var = 0;
            for (double x : xs)
            {
                var += (x - m) * (x - m);
            }
            double half = xs.size() > 1
                              ? StudentT975(xs.size()) * std::sqrt(var / (xs.size() - 1)) /
                                    std::sqrt(double(xs.size()))
                              : 0;
            mean[c] = m;
            ci[c] = half;
        }
        row(points[i].values, "mean", mean);
        row(points[i].values, "ci95", ci);
    }
    WriteFileAtomically(dir + "/points.csv", csv.str());
    std::vector<std::string> written = {dir + "/points.csv"};
    for (const auto& f : PlotSweep(dir))
    {
        written.push_back(f);
    }
    return written;
}

std::vector<std::string>
PlotSweep(const std::string& dirIn, const SweepPlotOptions& options)
{
    std::string dir = dirIn;
    while (dir.size() > 1 && dir.back() == '/')
    {
        dir.pop_back();
    }
    SweepPlan plan = ReadPlan(dir);
    std::string stem = dir + "/sweep";
    if (!options.y.empty() && options.y != plan.y)
    {
        plan.y = options.y;
        stem += "-" + options.y;
    }
    CsvTable t = ReadCsv(dir + "/points.csv");
    std::vector<std::string> written;
    if (!t.Has(plan.y))
    {
        return written; // the metric is in no finished point yet
    }
    const std::vector<std::string>& seed = t.Column("seed");
    const std::vector<std::string>& yText = t.Column(plan.y);
    std::vector<const std::vector<std::string>*> keyCols;
    for (const auto& [k, values] : plan.vary)
    {
        keyCols.push_back(&t.Column(k));
    }
    // A cell of points.csv as a number; "abc" or "1x" is an error naming the cell.
    auto number = [&](size_t row, const std::string& column, const std::string& s) {
        char* end = nullptr;
        double v = std::strtod(s.c_str(), &end);
        if (s.empty() || end == s.c_str() || *end != '\0' || !std::isfinite(v))
        {
            throw std::runtime_error(dir + "/points.csv: column '" + column + "', row " +
                                     std::to_string(row + 2) + ": '" + s +
                                     "' is not a number; allowed: a points.csv written by "
                                     "portlab collect");
        }
        return v;
    };
    Figure f;
    std::string xKey = plan.vary[0].first;
    std::string unit;
    std::string tableUnit;
    f.xLabel = ScenarioKeyAxisLabel(xKey, tableUnit);
    f.yLabel = plan.y;
    f.title = options.title.empty() ? plan.scenario + ": " + plan.y + " vs " + f.xLabel
                                    : options.title;
    f.logY = options.logY;
    // A numeric axis when every value is a number with the same plain unit ("10/s", "2ms");
    // otherwise (ranges such as "40000 40099", algorithm names) one evenly spaced, labelled
    // tick per value in the order the sweep lists them.
    const std::vector<std::string>& xValues = plan.vary[0].second;
    bool categorical = false;
    for (const auto& v : xValues)
    {
        double x = 0;
        std::string u;
        categorical = categorical || !LeadingNumber(v, x, u) ||
                      u.find_first_of(" \t0123456789,") != std::string::npos ||
                      (!unit.empty() && u != unit);
        unit = u;
    }
    if (categorical)
    {
        unit.clear();
        bool longText = false;
        for (size_t k = 0; k < xValues.size(); ++k)
        {
            f.xTics.push_back(Tic{double(k), xValues[k]});
            longText = longText || xValues[k].size() > 12;
        }
        f.xMin = -0.5;
        f.xMax = xValues.size() - 0.5;
        f.xTicAngle = longText && xValues.size() > 4 ? 20 : 0;
    }
    // Linux's value of the metric at each point (a verdict on it in the point's summary.json),
    // keyed by the point's values; the source is the verdict's ("linux-model": derived).
    std::map<std::vector<std::string>, double> linuxAt;
    std::string linuxSource;
    for (const auto& p : plan.Points())
    {
        std::string path = p.dir + "/summary.json";
        if (linuxAt.count(p.values) || !fs::exists(path))
        {
            continue;
        }
        Json j = ReadJsonFile(path);
        if (!j.is_object() || !j.contains("verdicts") || !j["verdicts"].is_array())
        {
            continue;
        }
        for (const auto& v : j["verdicts"])
        {
            if (!v.is_object() || !v.contains("expect") || !v.contains("linux") ||
                !v["expect"].is_string() || !v["linux"].is_string() ||
                (v["expect"] != plan.y && v["expect"] != "expect." + plan.y))
            {
                continue;
            }
            std::string text = v["linux"];
            char* end = nullptr;
            double value = std::strtod(text.c_str(), &end);
            // "0.556 +- 0.02 (why)" or "1": the leading number; a condition ("> 0") or words
            // are not a value to draw.
            if (end == text.c_str() || (*end != '\0' && *end != ' ') || !std::isfinite(value))
            {
                continue;
            }
            linuxAt[p.values] = value;
            if (v.contains("source") && v["source"].is_string())
            {
                linuxSource = v["source"];
            }
        }
    }
    std::map<std::string, size_t> seriesIndex;
    std::map<std::string, Series> linuxSeries;
    std::vector<std::string> titles;
    for (size_t i = 0; i < t.Rows(); ++i)
    {
        if (seed[i] != "mean" || yText[i].empty())
        {
            continue; // a seed's row, or a point that did not measure the metric
        }
        double x = 0;
        std::string u;
        const std::string& xText = (*keyCols[0])[i];
        if (categorical)
        {
            auto at = std::find(xValues.begin(), xValues.end(), xText);
            if (at == xValues.end())
            {
                continue; // a value the plan no longer lists
            }
            x = at - xValues.begin();
        }
        else if (!LeadingNumber(xText, x, u))
        {
            return written; // cannot happen: the plan's values were checked above
        }
        std::string title;
        std::vector<std::string> values;
        for (size_t k = 0; k < plan.vary.size(); ++k)
        {
            values.push_back((*keyCols[k])[i]);
            if (k == 0)
            {
                continue;
            }
            std::string key = plan.vary[k].first;
            title += (title.empty() ? "" : ", ") + key.substr(key.rfind('.') + 1) + "=" +
                     (*keyCols[k])[i];
        }
        if (!seriesIndex.count(title))
        {
            seriesIndex[title] = f.series.size();
            f.series.push_back(Series{});
            f.series.back().title = title;
            titles.push_back(title);
        }
        Series& s = f.series[seriesIndex[title]];
        s.x.push_back(x);
        double y = number(i, plan.y, yText[i]);
        s.y.push_back(y);
        if (linuxAt.count(values))
        {
            Series& l = linuxSeries[title];
            l.x.push_back(x);
            l.y.push_back(linuxAt.at(values));
        }
        if (plan.seeds > 1)
        {
            // The ci95 row follows its mean row.
            double half = i + 1 < t.Rows() && seed[i + 1] == "ci95" && !yText[i + 1].empty()
                              ? number(i + 1, plan.y, yText[i + 1])
                              : 0;
            s.yLow.push_back(y - half);
            s.yHigh.push_back(y + half);
        }
    }
    // Linux's curves, black and dashed, drawn last so they stay visible where the measured
    // lines coincide with them (the gaps of the dashes show the markers). When several
    // series share one Linux curve (the second vary key does not change Linux's value), it is
    // drawn once.
    std::vector<Series> linuxCurves;
    for (const auto& title : titles)
    {
        if (!linuxSeries.count(title))
        {
            continue;
        }
        Series l = linuxSeries.at(title);
        bool same = false;
        for (const auto& c : linuxCurves)
        {
            same = same || (c.x == l.x && c.y == l.y);
        }
        if (same)
        {
            continue;
        }
        l.title = "Linux (" + (linuxSource.empty() ? std::string("verdicts") : linuxSource) +
                  ")" + (title.empty() ? "" : ", " + title);
        l.dashed = true;
        l.colour = "#000000";
        linuxCurves.push_back(l);
    }
    if (linuxCurves.size() == 1)
    {
        linuxCurves[0].title =
            "Linux (" + (linuxSource.empty() ? std::string("verdicts") : linuxSource) + ")";
    }
    if (!linuxCurves.empty())
    {
        for (auto& s : f.series)
        {
            s.pointSize = 1.4;
            s.title = (s.title.empty() ? "portlab" : s.title);
        }
        f.series.insert(f.series.end(), linuxCurves.begin(), linuxCurves.end());
    }
    if (!tableUnit.empty() && (unit.empty() || unit == "/s" || unit == "s"))
    {
        f.xLabel += " (" + tableUnit + ")";
    }
    else if (!unit.empty())
    {
        f.xLabel += " (" + (unit[0] == '/' ? "1" + unit : unit) + ")";
    }
    if (plan.y.find("rate") != std::string::npos && plan.y.find("steady_rate") == std::string::npos)
    {
        f.yLabel += " (fraction)";
        f.yMin = 0;
        f.yMax = 1.05;
    }
    else if (plan.y.find("steady_rate") != std::string::npos)
    {
        f.yLabel += " (connections/s)";
    }
    else if (plan.y.size() > std::strlen(PortGuessMeter::METRIC) &&
             plan.y.compare(plan.y.size() - std::strlen(PortGuessMeter::METRIC),
                            std::string::npos,
                            PortGuessMeter::METRIC) == 0)
    {
        f.yLabel += " (probability)";
    }
    if (f.series.empty())
    {
        return written;
    }
    return RenderFigure(f, stem);
}

} // namespace portlab
