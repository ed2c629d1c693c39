/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Scenario runs end to end: every scenario file validates and matches its reference digest,
 * reruns are byte-identical, results appear atomically, and the TIME_WAIT knee lands where
 * Linux's arithmetic puts it and moves as the range, the destinations and tcp_tw_reuse say.
 */

#include "collect/atomic-directory.h"
#include "collect/run-collector.h"
#include "scenario-digest-cases.h"
#include "scenario/scenario-spec.h"
#include "temp-dir.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iomanip>
#include <map>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace
{

using namespace portlab;

/// Every file under dir: relative path -> bytes.
std::map<std::string, std::string>
Files(const std::string& dir)
{
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
    {
        if (e.is_regular_file())
        {
            out[fs::relative(e.path(), dir).string()] = ReadWholeFile(e.path().string());
        }
    }
    return out;
}

/// FNV-1a 64 over (name, NUL, bytes, NUL) of every file, in name order.
std::string
Digest(const std::map<std::string, std::string>& files)
{
    uint64_t h = 1469598103934665603ULL;
    auto mix = [&](const std::string& s) {
        for (char c : s)
        {
            h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        }
        h = (h ^ 0) * 1099511628211ULL;
    };
    for (const auto& [name, bytes] : files)
    {
        if (name == RESULTS_MARKER)
        {
            continue; // bookkeeping (which directories portlab may replace), not a result
        }
        mix(name);
        mix(bytes);
    }
    std::ostringstream o;
    o << std::hex << std::setw(16) << std::setfill('0') << h;
    return o.str();
}

class ScenarioDigest : public ::testing::TestWithParam<DigestCase>
{
};

TEST_P(ScenarioDigest, ShortRunMatchesTheCommittedReferenceDigest)
{
    const DigestCase& c = GetParam();
    TempDir tmp;
    ScenarioSpec spec = LoadScenario(c.scenario, c.overrides);
    RunWriteOptions wo;
    wo.figures = false;
    RunResult r = RunAndWrite(spec, 1, tmp.Path() + "/run", wo);
    EXPECT_TRUE(r.matchesLinux) << c.scenario << " should match Linux at its reference settings";
    std::string got = Digest(Files(tmp.Path() + "/run"));
    EXPECT_EQ(got, c.digest)
        << c.scenario << " (seed 1, " << c.overrides.size()
        << " overrides) should reproduce its reference outputs byte for byte; if the change "
           "of behaviour is intended, update tests/data/scenario-digests.txt with the new digest "
        << got << "\n"
        << ReadWholeFile(tmp.Path() + "/run/summary.json");
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioDigest, ::testing::ValuesIn(ReadDigests()), DigestName);

TEST(ScenarioFiles, EveryScenarioHasADigestAndValidates)
{
    std::set<std::string> withDigest;
    for (const auto& c : ReadDigests())
    {
        withDigest.insert(c.scenario);
    }
    auto all = ListScenarios();
    EXPECT_GE(all.size(), 7u) << "the seven question scenarios should be in scenarios/";
    for (const auto& [name, file, question] : all)
    {
        EXPECT_TRUE(withDigest.count(name)) << name << " should have a reference digest";
        EXPECT_FALSE(question.empty()) << name << " should state its question";
        ScenarioSpec s = LoadScenario(name, {});
        EXPECT_FALSE(s.linuxAnswer.empty()) << name << " should state Linux's answer";
        EXPECT_FALSE(s.expectations.empty()) << name << " should judge its outcome";
    }
}

TEST(ScenarioRun, SameSeedGivesByteIdenticalResultsIncludingFigures)
{
    TempDir tmp;
    ScenarioSpec spec = LoadScenario("multi-listener", {"duration=3s", "app.load.stop=2.5s"});
    RunAndWrite(spec, 7, tmp.Path() + "/a", RunWriteOptions{});
    RunAndWrite(spec, 7, tmp.Path() + "/b", RunWriteOptions{});
    auto a = Files(tmp.Path() + "/a");
    auto b = Files(tmp.Path() + "/b");
    EXPECT_TRUE(a.count("sockets.png") && a.count("sockets.svg") && a.count("summary.json") &&
                a.count("timeseries.csv") && a.count("binds.png") && a.count("shares.svg") &&
                a.count("processes.csv"))
        << "a run should write summary.json, timeseries.csv and its figures";
    ASSERT_EQ(a.size(), b.size()) << "two runs with one seed should write the same files";
    for (const auto& [name, bytes] : a)
    {
        EXPECT_TRUE(bytes == b[name]) << name << " should be byte-identical across reruns";
    }
    RunAndWrite(spec, 8, tmp.Path() + "/c", RunWriteOptions{});
    EXPECT_NE(ReadWholeFile(tmp.Path() + "/a/timeseries.csv"),
              ReadWholeFile(tmp.Path() + "/c/timeseries.csv"))
        << "another seed should give other Poisson arrivals";
}

/// A scenario, overrides that shorten it, and the figures that show its answer.
struct AnswerFigures
{
    std::string scenario;
    std::vector<std::string> overrides;
    std::vector<std::string> figures;
    std::vector<std::string> texts; //!< drawn in those figures' SVGs
};

class ScenarioFigures : public ::testing::TestWithParam<AnswerFigures>
{
};

TEST_P(ScenarioFigures, RunDrawsItsAnswerFiguresAndPlotRedrawsThemByteIdentical)
{
    const AnswerFigures& p = GetParam();
    TempDir tmp;
    ScenarioSpec spec = LoadScenario(p.scenario, p.overrides);
    RunAndWrite(spec, 1, tmp.Path() + "/run", RunWriteOptions{});
    auto first = Files(tmp.Path() + "/run");
    for (const char* table : {"binds.csv", "processes.csv", "destinations.csv"})
    {
        EXPECT_TRUE(first.count(table)) << p.scenario << " should write " << table;
    }
    std::string svgs;
    for (const auto& f : p.figures)
    {
        for (const char* ext : {".png", ".svg"})
        {
            EXPECT_TRUE(first.count(f + ext)) << p.scenario << " should draw " << f << ext;
        }
        svgs += first[f + ".svg"];
    }
    for (const auto& text : p.texts)
    {
        EXPECT_NE(svgs.find(text), std::string::npos)
            << p.scenario << "'s figures should show '" << text << "'";
    }
    // `portlab plot DIR` draws the same bytes from the CSV files.
    for (const auto& f : p.figures)
    {
        fs::remove(tmp.Path() + "/run/" + f + ".png");
    }
    PlotDirectory(tmp.Path() + "/run");
    auto again = Files(tmp.Path() + "/run");
    for (const auto& [name, bytes] : first)
    {
        EXPECT_TRUE(again[name] == bytes) << name << " should redraw byte-identical";
    }
}

INSTANTIATE_TEST_SUITE_P(
    Answers,
    ScenarioFigures,
    ::testing::Values(
        AnswerFigures{"server-restart",
                      {},
                      {"binds", "sockets", "connects"},
                      {"EADDRINUSE for 60 s, then ok",
                       "SO_REUSEADDR old yes / new yes",
                       "ok at once",
                       "bind() EADDRINUSE"}},
        AnswerFigures{
            "multi-listener",
            {"duration=3s", "app.load.stop=2.5s"},
            {"binds", "shares"},
            {"same_addr (server1) TCP addr1:80", "EADDRINUSE", "even share", "process 4"}},
        AnswerFigures{
            "client-port-reuse",
            {},
            {"destinations"},
            {"distinct local ports they used", "plain (client1): all", "connects that failed"}},
        AnswerFigures{"tcp-udp-same-port",
                      {},
                      {"served", "binds"},
                      {"UDP server: datagrams answered", "bind() EADDRINUSE: no socket"}},
        AnswerFigures{"reuseport-rolling-restart",
                      {},
                      {"connects"},
                      {"ECONNRESET", "old closes its listener (4.0 s)"}},
        AnswerFigures{"proxy-upstream",
                      {"duration=8s",
                       "warmup=4s",
                       "snapshots=4s",
                       "expect.proxy.steady_upstream_success_rate=1",
                       "expect.proxy.upstream_errors=none"},
                      {"sockets", "connects"},
                      {"TIME-WAIT upstream (connections it opened)",
                       "TIME-WAIT downstream (connections it accepted)",
                       "proxy to its upstream: established",
                       "client: established"}},
        // Where TIME-WAIT piles up, per host group: on the pods that close first, none on
        // the services; and the other way round when the services close first.
        AnswerFigures{"cluster",
                      {"group.pod.count=30", "duration=70s", "snapshots=60s"},
                      {"groups", "sockets", "connects"},
                      {"pod (30 hosts): busiest host",
                       "svc (10 hosts): busiest host",
                       "svc: mean per host (0 in all at 70 s)",
                       "established (no connect failed)"}},
        AnswerFigures{"cluster-services-close-first",
                      {"group.pod.count=30",
                       "duration=70s",
                       "snapshots=60s",
                       "group.svc.sysctl.net.ipv4.tcp_max_tw_buckets=2000"},
                      {"groups"},
                      {"pod: mean per host (0 in all at 70 s)", "svc (10 hosts): busiest host"}}),
    [](const ::testing::TestParamInfo<AnswerFigures>& param) {
        std::string name;
        for (char c : param.param.scenario)
        {
            name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
        }
        return name;
    });

TEST(ScenarioRun, EstablishedConnectionsResetLaterCountAsFailuresInTheTimeseries)
{
    TempDir tmp;
    ScenarioSpec spec = LoadScenario("reuseport-rolling-restart", {});
    RunResult r = RunAndWrite(spec, 1, tmp.Path() + "/run", RunWriteOptions{false, false});
    uint64_t resets = 0;
    for (const auto& s : r.samples)
    {
        resets += s.failed[3]; // TIMESERIES_ERRNOS[3]
    }
    ASSERT_STREQ(TIMESERIES_ERRNOS[3], "ECONNRESET");
    EXPECT_EQ(double(resets), r.metrics.at("load.failed.ECONNRESET").number)
        << "every reset the client saw should be in timeseries.csv's failed_ECONNRESET";
    EXPECT_GE(resets, 50u);
}

TEST(ScenarioRun, PcapOptionWritesOneCapturePerLinkEnd)
{
    TempDir tmp;
    ScenarioSpec spec = LoadScenario("client-port-reuse", {"pcap=true"});
    RunWriteOptions wo;
    wo.figures = false;
    RunAndWrite(spec, 1, tmp.Path() + "/run", wo);
    size_t captures = 0;
    for (const auto& e : fs::directory_iterator(tmp.Path() + "/run/pcap"))
    {
        ++captures;
        std::string bytes = ReadWholeFile(e.path().string());
        ASSERT_GT(bytes.size(), 24u) << e.path() << " should hold packets after its header";
        uint32_t magic = 0;
        std::memcpy(&magic, bytes.data(), 4);
        EXPECT_EQ(magic, 0xa1b2c3d4u) << e.path() << " should be a pcap file";
    }
    EXPECT_EQ(captures, 18u) << "3 clients x 3 servers = 9 links, one capture at each end";
}

TEST(ScenarioRun, ResultsAppearWholeOrNotAtAll)
{
    TempDir tmp;
    std::string dir = tmp.Path() + "/results/x/seed-1";
    {
        AtomicDirectory d(dir);
        d.Write("summary.json", "{}");
        EXPECT_FALSE(fs::exists(dir)) << "nothing should be visible before Commit()";
    }
    EXPECT_FALSE(fs::exists(dir)) << "an abandoned run should leave no results directory";
    for (const auto& e : fs::recursive_directory_iterator(tmp.Path()))
    {
        EXPECT_EQ(e.path().string().find(".partial"), std::string::npos)
            << "an abandoned run should leave no partial directory: " << e.path();
    }
    {
        AtomicDirectory d(dir);
        d.Write("summary.json", "{\"v\": 1}");
        d.Commit();
    }
    {
        AtomicDirectory d(dir);
        d.Write("summary.json", "{\"v\": 2}");
        // not committed: the old results stay
    }
    EXPECT_EQ(ReadWholeFile(dir + "/summary.json"), "{\"v\": 1}")
        << "an interrupted rerun should leave the previous results intact";
}

// --- the TIME_WAIT knee ----------------------------------------------------------------------

/// Successful connections per second in the steady window of timewait-exhaustion.
struct KneePoint
{
    double offered;
    double successRate;
    double rate;
};

KneePoint
RunKnee(double offered, std::vector<std::string> overrides)
{
    std::ostringstream r;
    r << "app.load.rate=" << offered << "/s";
    overrides.push_back(r.str());
    ScenarioSpec spec = LoadScenario("timewait-exhaustion", overrides);
    RunResult res = RunScenario(spec, RunOptions{});
    return KneePoint{offered,
                     res.metrics.at("load.steady_success_rate").number,
                     res.metrics.at("load.steady_rate").number};
}

/// The knee a sweep finds: the plateau of successful connections per second among the
/// saturated points (fewer than 99% of connects succeed); 0 if none saturates.
double
FindKnee(const std::vector<KneePoint>& sweep)
{
    double sum = 0;
    int n = 0;
    for (const auto& p : sweep)
    {
        if (p.successRate < 0.99)
        {
            sum += p.rate;
            ++n;
        }
    }
    return n > 0 ? sum / n : 0;
}

std::vector<KneePoint>
Sweep(const std::vector<double>& rates, const std::vector<std::string>& overrides)
{
    std::vector<KneePoint> out;
    for (double r : rates)
    {
        out.push_back(RunKnee(r, overrides));
    }
    return out;
}

const std::string SMALL_RANGE = "group.client.sysctl.net.ipv4.ip_local_port_range=40000 40999";

TEST(TimeWaitKnee, SmallRangeKneeIsRangeOverSixtySeconds)
{
    auto sweep = Sweep({10, 25, 40}, {SMALL_RANGE});
    EXPECT_NEAR(sweep[0].successRate, 1.0, 1e-9) << "below the knee every connect succeeds";
    double knee = FindKnee(sweep);
    EXPECT_NEAR(knee, 1000 / 60.0, 0.02 * 1000 / 60.0)
        << "1000 ports towards one destination should sustain 1000 / 60 s connections/s";
}

TEST(TimeWaitKnee, KneeScalesWithTheRange)
{
    double knee =
        FindKnee(Sweep({25, 50}, {"group.client.sysctl.net.ipv4.ip_local_port_range=40000 41999"}));
    EXPECT_NEAR(knee, 2000 / 60.0, 0.02 * 2000 / 60.0)
        << "doubling the range to 2000 ports should double the knee";
}

TEST(TimeWaitKnee, KneeScalesWithTheDestinations)
{
    double knee = FindKnee(Sweep({45, 60}, {SMALL_RANGE, "group.server.count=2"}));
    EXPECT_NEAR(knee, 2 * 1000 / 60.0, 0.02 * 2 * 1000 / 60.0)
        << "two destinations should give each port two 4-tuples: twice the knee";
}

TEST(TimeWaitKnee, TcpTwReuseRemovesTheKnee)
{
    auto p = RunKnee(40, {SMALL_RANGE, "group.client.sysctl.net.ipv4.tcp_tw_reuse=1"});
    EXPECT_NEAR(p.successRate, 1.0, 1e-9)
        << "tcp_tw_reuse=1 should let connect() take over TIME_WAITs older than 1 s";
    auto q = RunKnee(40, {SMALL_RANGE, "group.client.sysctl.net.ipv4.tcp_tw_reuse=2"});
    EXPECT_LT(q.successRate, 0.5) << "tcp_tw_reuse=2 applies to loopback only, not to a link";
}

/// The predictor's answer and the simulated steady success at \p offered connections/s.
std::pair<double, double>
PredictedAndSimulated(double offered, std::vector<std::string> overrides)
{
    overrides.push_back("app.load.rate=" + std::to_string(offered) + "/s");
    ScenarioSpec spec = LoadScenario("timewait-exhaustion", overrides);
    const AppSpec* load = nullptr;
    for (const auto& a : spec.apps)
    {
        load = a.name == "load" ? &a : load;
    }
    std::string why;
    double want = PredictTimeWaitSuccess(spec, *load, &why);
    RunResult res = RunScenario(spec, RunOptions{});
    return {want, res.metrics.at("load.steady_success_rate").number};
}

TEST(TimeWaitKnee, PredictionTakesTwReuseTwoOnLoopbackIntoAccount)
{
    // The web server on the client, bound to 127.0.0.1: tcp_tw_reuse=2 (the default) applies.
    auto [want, got] =
        PredictedAndSimulated(40, {SMALL_RANGE, "app.web.on=client", "app.web.bind=127.0.0.1:80"});
    EXPECT_DOUBLE_EQ(want, 1.0) << "1000 ports / 1 s, not / 60 s";
    EXPECT_NEAR(got, want, 0.02 * want);
}

TEST(TimeWaitKnee, PredictionTakesTheTwReuseDelayIntoAccount)
{
    auto [want, got] =
        PredictedAndSimulated(40,
                              {SMALL_RANGE,
                               "group.client.sysctl.net.ipv4.tcp_tw_reuse=1",
                               "group.client.sysctl.net.ipv4.tcp_tw_reuse_delay=30000"});
    EXPECT_NEAR(want, 1000 / 30.0 / 40, 1e-12) << "1000 ports / 30 s";
    EXPECT_NEAR(got, want, 0.02 * want);
}

TEST(TimeWaitKnee, PredictionKnowsBindBeforeConnectGetsNothingFromTwReuse)
{
    auto [want, got] = PredictedAndSimulated(40,
                                             {SMALL_RANGE,
                                              "group.client.sysctl.net.ipv4.tcp_tw_reuse=1",
                                              "app.load.bind_before_connect=true"});
    EXPECT_NEAR(want, 1000 / 60.0 / 40, 1e-12) << "bind(0) takes no TIME_WAIT over";
    EXPECT_NEAR(got, want, 0.02 * want);
}

TEST(TimeWaitKnee, DefaultRangeToOneDestinationKneesAt470PerSecond)
{
    auto sweep = Sweep({400, 600}, {});
    EXPECT_NEAR(sweep[0].successRate, 1.0, 1e-9) << "400/s is below the knee: all succeed";
    double knee = FindKnee(sweep);
    EXPECT_NEAR(knee, 28232 / 60.0, 0.02 * 28232 / 60.0)
        << "the default range (28232 ports) to one destination should knee at 470.5/s";
}

TEST(PortSelectorSweep, EveryAlgorithmHasTheSameKneeAndItsOwnPredictability)
{
    TempDir tmp;
    const std::string portlab = PORTLAB_BINARY;
    const std::string d = tmp.Path() + "/S";
    ASSERT_EQ(std::system((portlab +
                           " sweep port-selectors --vary app.load.rate=20/s,50/s "
                           "--vary port_selector=linux,random,sequential --jobs 2 --out " +
                           d + " > /dev/null")
                              .c_str()),
              0);
    ASSERT_EQ(std::system(
                  (portlab + " plot " + d + " --y client1.port_guess --log-y > /dev/null").c_str()),
              0);
    EXPECT_TRUE(fs::exists(d + "/sweep-client1.port_guess.png")) << "the other metric's figure";
    EXPECT_NE(std::system((portlab + " plot " + d + "/points/app.load.rate=20%2Fs,port_selector=" +
                           "linux/seed-1 --y client1.port_guess 2> /dev/null")
                              .c_str()),
              0)
        << "--y is for sweeps";
    std::map<std::string, std::pair<double, double>> at; // "rate selector" -> (success, guess)
    std::istringstream csv(ReadWholeFile(d + "/points.csv"));
    std::string line;
    std::getline(csv, line);
    std::vector<std::string> header;
    std::stringstream hs(line);
    for (std::string h; std::getline(hs, h, ',');)
    {
        header.push_back(h);
    }
    while (std::getline(csv, line))
    {
        std::vector<std::string> cells;
        std::stringstream ls(line);
        for (std::string c; std::getline(ls, c, ',');)
        {
            cells.push_back(c);
        }
        std::map<std::string, std::string> row;
        for (size_t i = 0; i < header.size() && i < cells.size(); ++i)
        {
            row[header[i]] = cells[i];
        }
        if (row["seed"] == "1")
        {
            at[row["app.load.rate"] + " " + row["port_selector"]] = {
                std::stod(row["load.steady_success_rate"]),
                std::stod(row["client1.port_guess"])};
        }
    }
    ASSERT_EQ(at.size(), 6u);
    for (const char* sel : {"linux", "random", "sequential"})
    {
        EXPECT_EQ(at[std::string("20/s ") + sel].first, 1.0) << sel << " below the knee";
        EXPECT_EQ(at[std::string("50/s ") + sel].first, at["50/s linux"].first)
            << sel << ": the order of candidates cannot move the knee";
    }
    EXPECT_NEAR(at["50/s linux"].first, 2000 / 60.0 / 50, 0.02 * 2000 / 60.0 / 50);
    EXPECT_GT(at["20/s sequential"].second, 0.99) << "the next port is the previous plus one";
    EXPECT_NEAR(at["20/s linux"].second, 1 / 8.0, 0.04) << "steps of 2, 4, ... 16";
    EXPECT_LT(at["20/s random"].second, 0.01);
}

// --- sweeps as processes ---------------------------------------------------------------------

int
Shell(const std::string& cmd)
{
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

size_t
DataRows(const std::string& csv)
{
    size_t n = 0;
    for (char c : csv)
    {
        n += c == '\n' ? 1 : 0;
    }
    return n - 1;
}

TEST(Sweep, RunsPointsInParallelResumesAndMatchesItsEmittedJobList)
{
    TempDir tmp;
    const std::string portlab = PORTLAB_BINARY;
    const std::string args = " sweep tcp-udp-same-port --vary app.tcp_load.rate=100/s,200/s "
                             "--seeds 2 --jobs 2 --set duration=1s --set snapshots=1s "
                             "--set app.tcp_load.stop=0.9s --set app.udp_load.stop=0.9s "
                             "--set 'expect.tcp_load.completed=>=1' "
                             "--set 'expect.udp_load.answered=>=1'";
    ASSERT_EQ(Shell("cd " + tmp.Path() + " && " + portlab + args + " --out S > /dev/null"), 0)
        << "the sweep should run";
    std::string points = ReadWholeFile(tmp.Path() + "/S/points.csv");
    EXPECT_EQ(DataRows(points), 8u) << "2 points x 2 seeds, plus a mean and a ci95 row per point:\n"
                                    << points;
    EXPECT_NE(points.find("tcp_load.success_rate"), std::string::npos)
        << "points.csv should hold the metrics";
    EXPECT_TRUE(fs::exists(tmp.Path() + "/S/sweep.png") && fs::exists(tmp.Path() + "/S/sweep.svg"))
        << "the sweep should draw its figure";

    // A kill leaves finished points whole: remove one and rerun; only it runs again.
    std::string one = tmp.Path() + "/S/points/app.tcp_load.rate=100%2Fs/seed-1";
    std::string other = tmp.Path() + "/S/points/app.tcp_load.rate=200%2Fs/seed-2/summary.json";
    ASSERT_TRUE(fs::exists(one)) << "point directories are named KEY=VALUE/seed-S";
    auto before = fs::last_write_time(other);
    fs::remove_all(one);
    ASSERT_EQ(Shell("cd " + tmp.Path() + " && " + portlab + args + " --out S > /dev/null"), 0);
    EXPECT_TRUE(fs::exists(one + "/summary.json")) << "the missing point should run again";
    EXPECT_EQ(fs::last_write_time(other), before) << "finished points should not run again";
    EXPECT_EQ(ReadWholeFile(tmp.Path() + "/S/points.csv"), points)
        << "the resumed sweep should give the same points.csv";

    // The job list runs unchanged under GNU parallel (or sh), then collect merges it.
    ASSERT_EQ(Shell("cd " + tmp.Path() + " && " + portlab + args +
                    " --out E --emit-jobs jobs.txt > /dev/null"),
              0);
    EXPECT_EQ(DataRows("header\n" + ReadWholeFile(tmp.Path() + "/jobs.txt")), 4u)
        << "one command per point and seed";
    bool parallel = Shell("command -v parallel > /dev/null") == 0;
    ASSERT_EQ(Shell("cd " + tmp.Path() + " && " +
                    (parallel ? "parallel --will-cite < jobs.txt" : "sh jobs.txt") +
                    " > /dev/null"),
              0)
        << "the emitted commands should run as they are";
    ASSERT_EQ(Shell("cd " + tmp.Path() + " && " + portlab + " collect E > /dev/null"), 0);
    EXPECT_EQ(ReadWholeFile(tmp.Path() + "/E/points.csv"), points)
        << "jobs run elsewhere and collected should give the same points.csv as the sweep";
}

} // namespace

int
main(int argc, char** argv)
{
    setenv("PORTLAB_SCENARIOS", PORTLAB_SCENARIO_DIR, 1);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

TEST(Sweep, AxisLabelsNameTheKeyAndFallBackToIt)
{
    std::string unit;
    EXPECT_EQ(portlab::ScenarioKeyAxisLabel("app.load.rate", unit), "offered rate");
    EXPECT_EQ(unit, "connections/s");
    EXPECT_EQ(
        portlab::ScenarioKeyAxisLabel("group.client.sysctl.net.ipv4.ip_local_port_range", unit),
        "ephemeral ports (ip_local_port_range)");
    EXPECT_EQ(unit, "");
    EXPECT_EQ(portlab::ScenarioKeyAxisLabel("group.server.count", unit), "hosts in group server");
    EXPECT_EQ(portlab::ScenarioKeyAxisLabel("app.load.arrivals", unit), "app.load.arrivals")
        << "a key the table does not name is its own label";
}

TEST(Sweep, NonNumericValuesAreDrawnAsLabelledCategories)
{
    TempDir tmp;
    const std::string portlab = PORTLAB_BINARY;
    const std::string args =
        " sweep tcp-udp-same-port --vary 'sysctl.net.ipv4.ip_local_port_range=40000 40099,"
        "40000 40999' --seeds 1 --jobs 2 --set duration=1s --set snapshots=1s "
        "--set app.tcp_load.stop=0.9s --set app.udp_load.stop=0.9s "
        "--set 'expect.tcp_load.completed=>=1' --set 'expect.udp_load.answered=>=1' "
        "--y tcp_load.success_rate";
    ASSERT_EQ(Shell("cd " + tmp.Path() + " && " + portlab + args + " --out S > /dev/null"), 0)
        << "the sweep should run";
    ASSERT_TRUE(fs::exists(tmp.Path() + "/S/sweep.svg")) << "a range axis should be drawn";
    std::string svg = ReadWholeFile(tmp.Path() + "/S/sweep.svg");
    EXPECT_NE(svg.find("ephemeral ports (ip_local_port_range)"), std::string::npos)
        << "the x axis should be named as people read it";
    EXPECT_NE(svg.find("40000 40099"), std::string::npos) << "each value should be a tick";
    EXPECT_NE(svg.find("40000 40999"), std::string::npos) << "each value should be a tick";
}
