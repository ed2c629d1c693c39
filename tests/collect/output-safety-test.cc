/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Output safety: portlab never destroys a user's data. `--out` replaces only what portlab
 * wrote; no file is opened through a planted link; job lists cannot be made to run other
 * commands; every sweep point has its own directory; interrupted, killed and failed runs leave
 * nothing behind; damaged results files are named in a one-line error, never a crash.
 */

#include "collect/atomic-directory.h"
#include "collect/sweep.h"
#include "temp-dir.h"

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <set>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace
{

using namespace portlab;

const std::string PORTLAB = PORTLAB_BINARY;

/// What a command printed and its exit status.
struct Outcome
{
    int status{-1};
    std::string output; //!< stdout and stderr
};

/// Run a shell command in DIR.
Outcome
Shell(const std::string& dir, const std::string& cmd)
{
    std::string log = dir + "/../" + fs::path(dir).filename().string() + ".log";
    int rc = std::system(("cd '" + dir + "' && " + cmd + " > '" + log + "' 2>&1").c_str());
    Outcome o;
    o.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    std::ifstream in(log);
    o.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    fs::remove(log);
    return o;
}

void
WriteText(const std::string& path, const std::string& text)
{
    std::ofstream(path) << text;
}

std::string
ReadText(const std::string& path)
{
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Lines of text.
size_t
Lines(const std::string& text)
{
    size_t n = 0;
    for (char c : text)
    {
        n += c == '\n';
    }
    return n;
}

/// A quick run's arguments (the smallest question scenario, without figures).
const std::string QUICK = PORTLAB + " run tcp-udp-same-port --no-figures -q";

// --- item 1: --out replaces only what portlab wrote -----------------------------------------

TEST(OutputSafety, RunRefusesToReplaceADirectoryPortlabDidNotWrite)
{
    TempDir tmp("safety");
    fs::create_directory(tmp.Path() + "/mine");
    WriteText(tmp.Path() + "/mine/thesis.tex", "precious");
    Outcome o = Shell(tmp.Path(), QUICK + " --out mine");
    EXPECT_EQ(o.status, 2) << "a directory portlab did not write is bad --out input: " << o.output;
    EXPECT_EQ(Lines(o.output), 1u) << "one line of error: " << o.output;
    EXPECT_NE(o.output.find("'mine' is not a portlab results directory"), std::string::npos)
        << o.output;
    EXPECT_EQ(ReadText(tmp.Path() + "/mine/thesis.tex"), "precious")
        << "the user's file must survive";
    EXPECT_EQ(std::distance(fs::directory_iterator(tmp.Path()), fs::directory_iterator()), 1)
        << "nothing else may be written";
}

TEST(OutputSafety, RunRefusesTheWorkingDirectoryItsAncestorsAndTheRoot)
{
    TempDir tmp("safety");
    fs::create_directories(tmp.Path() + "/a/b");
    WriteText(tmp.Path() + "/a/b/keep", "x");
    // Even a directory that holds a marker is refused when it is the working directory.
    WriteText(tmp.Path() + "/a/b/.portlab-results", "portlab run\n");
    for (const std::string& out : {std::string("."),
                                   std::string(".."),
                                   std::string("../.."),
                                   std::string("/"),
                                   tmp.Path() + "/a"})
    {
        Outcome o = Shell(tmp.Path() + "/a/b", QUICK + " --out '" + out + "'");
        EXPECT_EQ(o.status, 2) << "--out " << out << " must be refused: " << o.output;
        EXPECT_EQ(Lines(o.output), 1u) << o.output;
        EXPECT_TRUE(o.output.find("working directory") != std::string::npos ||
                    o.output.find("root directory") != std::string::npos)
            << "--out " << out << ": the error should say why: " << o.output;
    }
    EXPECT_EQ(ReadText(tmp.Path() + "/a/b/keep"), "x");
}

TEST(OutputSafety, RunRefusesAFileASymlinkAndTheScenarioFileAsOut)
{
    TempDir tmp("safety");
    fs::copy(std::string(PORTLAB_SCENARIO_DIR) + "/tcp-udp-same-port.ini", tmp.Path() + "/s.ini");
    std::string scenario = ReadText(tmp.Path() + "/s.ini");
    Outcome o = Shell(tmp.Path(), PORTLAB + " run s.ini --no-figures -q --out s.ini");
    EXPECT_EQ(o.status, 2) << o.output;
    EXPECT_NE(o.output.find("not a directory"), std::string::npos) << o.output;
    EXPECT_EQ(ReadText(tmp.Path() + "/s.ini"), scenario) << "the scenario file must survive";

    fs::create_directory(tmp.Path() + "/target");
    WriteText(tmp.Path() + "/target/data", "keep");
    fs::create_directory_symlink("target", tmp.Path() + "/link");
    o = Shell(tmp.Path(), PORTLAB + " run s.ini --no-figures -q --out link");
    EXPECT_EQ(o.status, 2) << o.output;
    EXPECT_NE(o.output.find("symbolic link"), std::string::npos) << o.output;
    EXPECT_EQ(ReadText(tmp.Path() + "/target/data"), "keep");
    EXPECT_TRUE(fs::is_symlink(tmp.Path() + "/link")) << "the link itself must stay";
}

TEST(OutputSafety, RunReplacesItsOwnResultsAndFillsAnEmptyDirectory)
{
    TempDir tmp("safety");
    fs::create_directory(tmp.Path() + "/empty");
    Outcome o = Shell(tmp.Path(), QUICK + " --out empty");
    EXPECT_EQ(o.status, 0) << "an empty directory holds nothing to lose: " << o.output;
    EXPECT_TRUE(fs::exists(tmp.Path() + "/empty/summary.json"));
    EXPECT_TRUE(fs::is_regular_file(tmp.Path() + "/empty/" + RESULTS_MARKER))
        << "results carry the marker";
    WriteText(tmp.Path() + "/empty/stale", "from an older run");
    o = Shell(tmp.Path(), QUICK + " --out empty");
    EXPECT_EQ(o.status, 0) << "portlab's own results are replaced: " << o.output;
    EXPECT_FALSE(fs::exists(tmp.Path() + "/empty/stale")) << "replaced whole, not merged";
    EXPECT_TRUE(fs::exists(tmp.Path() + "/empty/summary.json"));
}

TEST(OutputSafety, StudyAndSweepRefuseADirectoryPortlabDidNotWrite)
{
    TempDir tmp("safety");
    fs::create_directory(tmp.Path() + "/mine");
    WriteText(tmp.Path() + "/mine/notes", "keep");
    Outcome o = Shell(tmp.Path(), PORTLAB + " --no-figures --out mine");
    EXPECT_EQ(o.status, 2) << "the study's --out is checked too: " << o.output;
    EXPECT_NE(o.output.find("not a portlab results directory"), std::string::npos) << o.output;
    o = Shell(tmp.Path(),
              PORTLAB + " sweep tcp-udp-same-port --vary app.tcp_load.rate=1/s,2/s "
                        "--out mine");
    EXPECT_EQ(o.status, 2) << "the sweep's --out is checked too: " << o.output;
    EXPECT_NE(o.output.find("not a portlab sweep directory"), std::string::npos) << o.output;
    o = Shell(tmp.Path(),
              PORTLAB + " sweep tcp-udp-same-port --vary app.tcp_load.rate=1/s,2/s "
                        "--out mine --emit-jobs jobs.txt");
    EXPECT_EQ(o.status, 2) << "and before a job list is written: " << o.output;
    EXPECT_FALSE(fs::exists(tmp.Path() + "/jobs.txt"));
    EXPECT_EQ(ReadText(tmp.Path() + "/mine/notes"), "keep");
    EXPECT_EQ(std::distance(fs::directory_iterator(tmp.Path() + "/mine"), fs::directory_iterator()),
              1)
        << "nothing may be added to the user's directory";
}

// --- item 2: no file is opened through a planted link ---------------------------------------

TEST(OutputSafety, AtomicWriteNeverFollowsAPlantedLink)
{
    TempDir tmp("safety");
    WriteText(tmp.Path() + "/victim", "keep");
    std::string file = tmp.Path() + "/jobs.txt";
    // The names the writer used to use: FILE.partial-PID (and a few guesses at others).
    for (const std::string& name : {file + ".partial-" + std::to_string(getpid()),
                                    file + ".tmp-" + std::to_string(getpid()),
                                    file + ".tmp"})
    {
        fs::create_symlink(tmp.Path() + "/victim", name);
    }
    WriteFileAtomically(file, "new content\n");
    EXPECT_EQ(ReadText(tmp.Path() + "/victim"), "keep") << "a planted link must not be followed";
    EXPECT_EQ(ReadText(file), "new content\n");
    // A link planted at the destination itself is replaced, not written through.
    fs::remove(file);
    fs::create_symlink(tmp.Path() + "/victim", file);
    WriteFileAtomically(file, "again\n");
    EXPECT_EQ(ReadText(tmp.Path() + "/victim"), "keep");
    EXPECT_FALSE(fs::is_symlink(file));
}

TEST(OutputSafety, SweepLogsNeverFollowAPlantedLink)
{
    TempDir tmp("safety");
    WriteText(tmp.Path() + "/victim", "keep");
    const std::string sweep = PORTLAB + " sweep tcp-udp-same-port --vary "
                                        "app.tcp_load.rate=100/s,200/s --jobs 1 --set duration=1s "
                                        "--set snapshots=1s --set app.tcp_load.stop=0.9s "
                                        "--set app.udp_load.stop=0.9s --out S";
    // A first sweep makes S a sweep directory; then plant links where logs used to go.
    Outcome o = Shell(tmp.Path(), sweep);
    ASSERT_EQ(o.status, 0) << o.output;
    fs::remove_all(tmp.Path() + "/S/points");
    fs::create_directories(tmp.Path() + "/S/.logs");
    for (int i = 1; i <= 2; ++i)
    {
        fs::create_symlink(tmp.Path() + "/victim",
                           tmp.Path() + "/S/.logs/run-" + std::to_string(i) + ".log");
    }
    o = Shell(tmp.Path(), sweep);
    ASSERT_EQ(o.status, 0) << o.output;
    EXPECT_EQ(ReadText(tmp.Path() + "/victim"), "keep") << "the sweep truncated a link's target";
    for (const auto& e : fs::directory_iterator(tmp.Path() + "/S"))
    {
        EXPECT_EQ(e.path().filename().string().rfind(".logs-", 0), std::string::npos)
            << "a finished sweep removes its private log directory: " << e.path();
    }
}

// --- item 3: job lines cannot be split or made to run other commands -------------------------

TEST(OutputSafety, JobListRejectsControlCharactersAndQuotesEveryWord)
{
    TempDir tmp("safety");
    Outcome o = Shell(tmp.Path(),
                      PORTLAB + " sweep tcp-udp-same-port --vary "
                                "\"$(printf 'app.tcp_load.rate=1/s,2/s\\ntouch PWNED')\" "
                                "--out S --emit-jobs jobs.txt");
    EXPECT_EQ(o.status, 2) << "a newline in a value must be refused: " << o.output;
    EXPECT_NE(o.output.find("control character"), std::string::npos) << o.output;
    EXPECT_FALSE(fs::exists(tmp.Path() + "/jobs.txt"));
    EXPECT_FALSE(fs::exists(tmp.Path() + "/S"));

    o = Shell(tmp.Path(),
              PORTLAB + " sweep tcp-udp-same-port --vary "
                        "'app.tcp_load.rate=1/s,2/s' --set 'description=x; touch PWNED "
                        "`touch PWNED` $(touch PWNED)' --out S --emit-jobs jobs.txt");
    ASSERT_EQ(o.status, 0) << o.output;
    EXPECT_EQ(Lines(ReadText(tmp.Path() + "/jobs.txt")), 2u) << "one line per point";
    // Run the lines through the shell with a stand-in for portlab: nothing else may run.
    std::string jobs = ReadText(tmp.Path() + "/jobs.txt");
    size_t first = jobs.find("' 'run'");
    ASSERT_NE(first, std::string::npos) << jobs;
    std::string replaced;
    for (size_t at = 0; at < jobs.size();)
    {
        size_t nl = jobs.find('\n', at);
        std::string line = jobs.substr(at, nl - at);
        replaced += "true " + line.substr(line.find("' 'run'") + 1) + "\n";
        at = nl + 1;
    }
    WriteText(tmp.Path() + "/check.sh", replaced);
    EXPECT_EQ(Shell(tmp.Path(), "sh check.sh").status, 0);
    EXPECT_FALSE(fs::exists(tmp.Path() + "/PWNED")) << "a job line ran a planted command";
}

TEST(OutputSafety, JobListNeverReplacesAnotherFile)
{
    TempDir tmp("safety");
    WriteText(tmp.Path() + "/README.md", "keep");
    Outcome o = Shell(tmp.Path(),
                      PORTLAB + " sweep tcp-udp-same-port --vary "
                                "app.tcp_load.rate=1/s,2/s --out S --emit-jobs README.md");
    EXPECT_EQ(o.status, 2) << o.output;
    EXPECT_NE(o.output.find("not a portlab job list"), std::string::npos) << o.output;
    EXPECT_EQ(ReadText(tmp.Path() + "/README.md"), "keep");
    // An earlier job list is replaced.
    o = Shell(tmp.Path(),
              PORTLAB + " sweep tcp-udp-same-port --vary app.tcp_load.rate=1/s,2/s "
                        "--out S --emit-jobs jobs.txt");
    ASSERT_EQ(o.status, 0) << o.output;
    o = Shell(tmp.Path(),
              PORTLAB + " sweep tcp-udp-same-port --vary app.tcp_load.rate=1/s,2/s "
                        "--out S --emit-jobs jobs.txt");
    EXPECT_EQ(o.status, 0) << "a job list portlab wrote may be written again: " << o.output;
}

// --- item 4: one directory per point ---------------------------------------------------------

TEST(OutputSafety, DistinctSettingsGetDistinctDirectoryNames)
{
    EXPECT_NE(SafeFileName({"expect.x.y=>= 400"}), SafeFileName({"expect.x.y=<= 400"}));
    EXPECT_NE(SafeFileName({"k=600/s"}), SafeFileName({"k=600_s"}));
    EXPECT_NE(SafeFileName({"k=a b"}), SafeFileName({"k=a+b"}));
    EXPECT_NE(SafeFileName({"a=1,b=2"}), SafeFileName({"a=1", "b=2"}));
    EXPECT_EQ(SafeFileName({"app.load.rate=600/s", "x=32768 60999"}),
              "app.load.rate=600%2Fs,x=32768+60999")
        << "names stay readable";
    // Random settings over a hostile alphabet: no two share a name, and each is one component.
    std::mt19937 rng(1);
    const std::string alphabet = "ab_ +%/=,.<>~-\\\"'";
    std::map<std::string, std::vector<std::string>> seen;
    for (int i = 0; i < 20000; ++i)
    {
        std::vector<std::string> kv;
        int n = 1 + rng() % 2;
        for (int k = 0; k < n; ++k)
        {
            std::string v;
            int len = rng() % 6;
            for (int c = 0; c < len; ++c)
            {
                v += alphabet[rng() % alphabet.size()];
            }
            kv.push_back("k" + std::to_string(k) + "=" + v);
        }
        std::string name = SafeFileName(kv);
        EXPECT_EQ(name.find('/'), std::string::npos) << name;
        auto [it, fresh] = seen.emplace(name, kv);
        EXPECT_TRUE(fresh || it->second == kv) << "two settings share the name " << name;
    }
    std::string longValue(1000, 'x');
    std::string a = SafeFileName({"k=" + longValue + "a"});
    std::string b = SafeFileName({"k=" + longValue + "b"});
    EXPECT_LE(a.size(), 200u) << "names fit in a path component";
    EXPECT_NE(a, b) << "long names keep a hash of the whole";
}

TEST(OutputSafety, SweepPointsWithValuesThatLookAlikeRunSeparately)
{
    TempDir tmp("safety");
    Outcome o = Shell(tmp.Path(),
                      PORTLAB + " sweep tcp-udp-same-port --vary 'description=a<b,a>b' "
                                "--set duration=1s --set snapshots=1s --set app.tcp_load.stop=0.9s "
                                "--set app.udp_load.stop=0.9s --y tcp_load.completed --jobs 1 "
                                "--out S");
    ASSERT_EQ(o.status, 0) << o.output;
    size_t dirs =
        std::distance(fs::directory_iterator(tmp.Path() + "/S/points"), fs::directory_iterator());
    EXPECT_EQ(dirs, 2u) << "two values, two point directories";
}

// --- items 14, 15: stray and stale partial directories, failed runs --------------------------

TEST(OutputSafety, AStrayPartialNameDoesNotBreakRunsAndIsLeftAlone)
{
    TempDir tmp("safety");
    fs::create_directory(tmp.Path() + "/out.partial-abc");
    WriteText(tmp.Path() + "/out.partial-abc/mine", "keep");
    WriteText(tmp.Path() + "/out.partial-12x", "keep");
    Outcome o = Shell(tmp.Path(), QUICK + " --out out");
    EXPECT_EQ(o.status, 0) << o.output;
    EXPECT_EQ(ReadText(tmp.Path() + "/out.partial-abc/mine"), "keep")
        << "what does not have portlab's partial form is not portlab's";
    EXPECT_TRUE(fs::exists(tmp.Path() + "/out.partial-12x"));
}

TEST(OutputSafety, APartialDirectoryOfAZombieIsCleanedByTheNextRun)
{
    TempDir tmp("safety");
    pid_t child = fork();
    if (child == 0)
    {
        _exit(0);
    }
    ASSERT_GT(child, 0);
    usleep(100000); // the child is now a zombie: this process has not waited for it
    std::string stale = tmp.Path() + "/out.partial-" + std::to_string(child) + "-Ab3xYz";
    fs::create_directory(stale);
    WriteText(stale + "/" + RESULTS_MARKER, "portlab run\n");
    {
        AtomicDirectory d(tmp.Path() + "/out");
        d.Commit();
    }
    EXPECT_FALSE(fs::exists(stale)) << "a zombie's partial directory should be removed";
    waitpid(child, nullptr, 0);
}

TEST(OutputSafety, AFailedRunLeavesNoDirectoryItCreated)
{
    TempDir tmp("safety");
    {
        AtomicDirectory d(tmp.Path() + "/results/s/seed-1");
        d.Write("summary.json", "{}");
    }
    EXPECT_FALSE(fs::exists(tmp.Path() + "/results"))
        << "parents created for a run that failed should be removed again";
    fs::create_directory(tmp.Path() + "/results");
    WriteText(tmp.Path() + "/results/other", "x");
    {
        AtomicDirectory d(tmp.Path() + "/results/s/seed-1");
    }
    EXPECT_TRUE(fs::exists(tmp.Path() + "/results/other")) << "only what it created";
    EXPECT_FALSE(fs::exists(tmp.Path() + "/results/s"));
}

TEST(OutputSafety, ASignalRemovesThePartialDirectoryAndEndsTheProcess)
{
    TempDir tmp("safety");
    for (int sig : {SIGINT, SIGTERM, SIGHUP})
    {
        std::string dir = tmp.Path() + "/run-" + std::to_string(sig);
        pid_t child = fork();
        if (child == 0)
        {
            AtomicDirectory d(dir);
            d.Write("ss/host-at-1s.txt", "half written");
            raise(sig);
            _exit(0); // not reached
        }
        int status = 0;
        waitpid(child, &status, 0);
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig)
            << "the process should still end by signal " << sig;
        for (const auto& e : fs::directory_iterator(tmp.Path()))
        {
            ADD_FAILURE() << "signal " << sig << " left " << e.path();
        }
    }
}

TEST(OutputSafety, AKilledRunOfTheCliLeavesNoPartialDirectory)
{
    TempDir tmp("safety");
    std::string cmd = "cd '" + tmp.Path() + "' && exec " + PORTLAB +
                      " run timewait-exhaustion --no-figures -q --out tw";
    pid_t child = fork();
    if (child == 0)
    {
        execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    // Wait until the run has started writing, then interrupt it.
    for (int i = 0; i < 200 && fs::is_empty(tmp.Path()); ++i)
    {
        usleep(20000);
    }
    usleep(200000);
    kill(child, SIGINT);
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status)) << "the run should have been interrupted";
    for (const auto& e : fs::directory_iterator(tmp.Path()))
    {
        ADD_FAILURE() << "an interrupted run left " << e.path();
    }
}

// --- items 10, 12, 16: damaged and hostile input files ---------------------------------------

TEST(OutputSafety, InputFilesMustBeRegularAndBounded)
{
    TempDir tmp("safety");
    EXPECT_THROW(ReadWholeFile("/dev/zero"), std::runtime_error) << "a device is no input";
    EXPECT_THROW(ReadWholeFile(tmp.Path()), std::runtime_error) << "nor a directory";
    std::string fifo = tmp.Path() + "/fifo";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_THROW(ReadWholeFile(fifo), std::runtime_error) << "nor a FIFO (without waiting)";
    WriteText(tmp.Path() + "/big", std::string(2000, 'x'));
    try
    {
        ReadWholeFile(tmp.Path() + "/big", 1000);
        ADD_FAILURE() << "a file over the bound should be refused";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_NE(std::string(e.what()).find("2000 bytes; allowed: at most 1000"),
                  std::string::npos)
            << e.what();
    }
    Outcome o = Shell(tmp.Path(), PORTLAB + " script /dev/zero");
    EXPECT_EQ(o.status, 2) << o.output;
    EXPECT_NE(o.output.find("not a regular file"), std::string::npos) << o.output;
    o = Shell(tmp.Path(), PORTLAB + " script ./");
    EXPECT_EQ(o.status, 2) << "a directory is not a script: " << o.output;
    EXPECT_NE(o.output.find("is a directory"), std::string::npos) << o.output;
}

/// Make a finished two-point sweep in DIR/S (quick settings).
void
MakeSweep(const std::string& dir)
{
    Outcome o = Shell(dir,
                      PORTLAB + " sweep tcp-udp-same-port --vary app.tcp_load.rate=100/s,200/s "
                                "--jobs 1 --set duration=1s --set snapshots=1s "
                                "--set app.tcp_load.stop=0.9s --set app.udp_load.stop=0.9s "
                                "--out S");
    ASSERT_EQ(o.status, 0) << o.output;
}

TEST(OutputSafety, CollectRefusesAMalformedPlanNamingTheField)
{
    TempDir tmp("safety");
    MakeSweep(tmp.Path());
    std::string plan = ReadText(tmp.Path() + "/S/sweep.json");

    struct Case
    {
        std::string from, to, expected;
    };

    for (const Case& c : {Case{"\"seeds\": 1", "\"seeds\": -1", "'seeds' is -1"},
                          Case{"\"seeds\": 1", "\"seeds\": 100000000", "'seeds' is 100000000"},
                          Case{"\"seeds\": 1", "\"seeds\": \"1\"", "'seeds' is \"1\""},
                          Case{"\"100/s\",", "", "values"}})
    {
        std::string bad = plan;
        size_t at = bad.find(c.from);
        ASSERT_NE(at, std::string::npos) << c.from << " in " << plan;
        bad.replace(at, c.from.size(), c.to);
        if (c.from == "\"100/s\",")
        {
            // Leave the values list empty.
            size_t v = bad.find("\"200/s\"");
            bad.replace(v, 7, "");
        }
        WriteText(tmp.Path() + "/S/sweep.json", bad);
        Outcome o = Shell(tmp.Path(), PORTLAB + " collect S");
        EXPECT_EQ(o.status, 2) << c.to << ": " << o.output;
        EXPECT_NE(o.output.find("S/sweep.json"), std::string::npos)
            << "the error should name the file: " << o.output;
        EXPECT_NE(o.output.find(c.expected), std::string::npos) << o.output;
        EXPECT_EQ(Lines(o.output), 1u) << o.output;
    }
}

TEST(OutputSafety, CollectNamesACorruptSummary)
{
    TempDir tmp("safety");
    MakeSweep(tmp.Path());
    std::string summary;
    for (const auto& e : fs::recursive_directory_iterator(tmp.Path() + "/S/points"))
    {
        if (e.path().filename() == "summary.json")
        {
            summary = e.path().string();
            break;
        }
    }
    ASSERT_FALSE(summary.empty());
    for (const std::string& text : {std::string("{\"metrics\": {"),
                                    std::string("[1, 2]"),
                                    std::string("{\"metrics\": 3, \"matches_linux\": true}")})
    {
        WriteText(summary, text);
        Outcome o = Shell(tmp.Path(), PORTLAB + " collect S");
        EXPECT_EQ(o.status, 2) << text << ": " << o.output;
        EXPECT_NE(o.output.find(fs::relative(summary, tmp.Path()).string()), std::string::npos)
            << "the error should name the damaged file: " << o.output;
    }
}

TEST(OutputSafety, PlotRefusesTruncatedAndNonNumericTables)
{
    TempDir tmp("safety");
    MakeSweep(tmp.Path());
    std::string csv = ReadText(tmp.Path() + "/S/points.csv");
    WriteText(tmp.Path() + "/S/points.csv", csv.substr(0, csv.find('\n') + 1) + "100/s,1");
    Outcome o = Shell(tmp.Path(), PORTLAB + " plot S");
    EXPECT_EQ(o.status, 2) << "a truncated row is an error: " << o.output;
    EXPECT_NE(o.output.find("points.csv"), std::string::npos) << o.output;

    // "abc" where a number belongs is an error, not a 0.
    std::string bad = csv;
    size_t mean = bad.find(",mean,");
    ASSERT_NE(mean, std::string::npos);
    size_t end = bad.find('\n', mean);
    size_t lastComma = bad.rfind(',', end);
    bad.replace(lastComma + 1, end - lastComma - 1, "abc");
    // Plot the metric in that last column.
    std::string header = csv.substr(0, csv.find('\n'));
    std::string metric = header.substr(header.rfind(',') + 1);
    std::string plan = ReadText(tmp.Path() + "/S/sweep.json");
    size_t y = plan.find("\"y\": \"");
    plan.replace(y, plan.find('"', y + 6) - y + 1, "\"y\": \"" + metric + "\"");
    WriteText(tmp.Path() + "/S/sweep.json", plan);
    WriteText(tmp.Path() + "/S/points.csv", bad);
    o = Shell(tmp.Path(), PORTLAB + " plot S");
    EXPECT_EQ(o.status, 2) << "'abc' is not a number: " << o.output;
    EXPECT_NE(o.output.find("'abc' is not a number"), std::string::npos) << o.output;

    fs::create_directory(tmp.Path() + "/run");
    WriteText(tmp.Path() + "/run/timeseries.csv", "time_s,host,tcp_time_wait\n");
    o = Shell(tmp.Path(), PORTLAB + " plot run");
    EXPECT_EQ(o.status, 2) << "a table with no rows draws nothing and says so: " << o.output;
    EXPECT_NE(o.output.find("no rows"), std::string::npos) << o.output;
}

TEST(OutputSafety, SweepsWithTooManyRunsAreRefusedBeforeAnythingIsWritten)
{
    TempDir tmp("safety");
    std::string values;
    for (int i = 1; i <= 1000; ++i)
    {
        values += (i > 1 ? "," : "") + std::to_string(i) + "/s";
    }
    std::string durations;
    for (int i = 1; i <= 1000; ++i)
    {
        durations += (i > 1 ? "," : "") + std::to_string(i + 10) + "s";
    }
    Outcome o = Shell(tmp.Path(),
                      PORTLAB + " sweep tcp-udp-same-port --vary app.tcp_load.rate=" + values +
                          " --vary duration=" + durations + " --out S");
    EXPECT_EQ(o.status, 2) << o.output;
    EXPECT_NE(o.output.find("allowed: at most 100000"), std::string::npos) << o.output;
    EXPECT_FALSE(fs::exists(tmp.Path() + "/S"));
}

} // namespace

int
main(int argc, char** argv)
{
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
