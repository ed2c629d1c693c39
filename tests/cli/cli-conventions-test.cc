/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The command line's conventions (issue 12 item 6, issue 13 item 6): --version; 'help CMD' and
// 'CMD --help' for every command; --json on list, keys, sysctls and run; progress on stderr
// when asked even without a terminal and a one-line summary always; a user's file extending a
// shipped scenario; job lists that run on another machine (GNU parallel --sshloginfile with a
// local, ssh-less "machine"); the manual page and bash completion made from the same text.

#include "cli/portlab-cli.h"
#include "collect/run-collector.h"
#include "ports/port-sysctls.h"
#include "scenario/scenario-config.h"
#include "temp-dir.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace portlab
{
namespace
{

const std::string PORTLAB = PORTLAB_BINARY;

/// What one in-process 'portlab ARGS' did.
struct Outcome
{
    int rc{-1};      //!< exit status
    std::string out; //!< stdout
    std::string err; //!< stderr
};

Outcome
Portlab(std::vector<std::string> args)
{
    args.insert(args.begin(), "portlab");
    std::vector<char*> argv;
    for (auto& a : args)
    {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::ostringstream out;
    std::ostringstream err;
    Outcome o;
    o.rc = PortlabMain(static_cast<int>(args.size()), argv.data(), out, err);
    o.out = out.str();
    o.err = err.str();
    return o;
}

std::string
Read(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void
Write(const std::string& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

int
Shell(const std::string& command)
{
    int st = std::system(command.c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

size_t
Lines(const std::string& s)
{
    size_t n = 0;
    for (char c : s)
    {
        n += c == '\n' ? 1 : 0;
    }
    return n;
}

/// A short run of tcp-udp-same-port (about 1 s of simulated time).
const std::string SHORT = " --set duration=1s --set snapshots=1s --set app.tcp_load.stop=0.9s "
                          "--set app.udp_load.stop=0.9s --set 'expect.tcp_load.completed=>=1' "
                          "--set 'expect.udp_load.answered=>=1'";

const std::vector<std::string> COMMANDS =
    {"run", "list", "sweep", "collect", "plot", "script", "keys", "sysctls", "study", "help"};

TEST(CliVersion, PrintsOneVersionLineAndExitsZero)
{
    Outcome o = Portlab({"--version"});
    EXPECT_EQ(o.rc, EXIT_OK);
    EXPECT_EQ(o.out.rfind("portlab 0.", 0), 0u) << o.out;
    EXPECT_NE(o.out.find("ns-3 3.37"), std::string::npos) << o.out;
    EXPECT_EQ(Lines(o.out), 1u) << o.out;
    EXPECT_EQ(o.err, "");
    EXPECT_EQ(Portlab({"--version", "extra"}).rc, EXIT_USAGE);
}

TEST(CliHelp, HelpCommandAndDashDashHelpPrintTheSameTextForEveryCommand)
{
    for (const auto& c : COMMANDS)
    {
        Outcome viaHelp = Portlab({"help", c});
        Outcome viaOption = Portlab({c, "--help"});
        Outcome viaShort = Portlab({c, "-h"});
        EXPECT_EQ(viaHelp.rc, EXIT_OK) << c << ": " << viaHelp.err;
        EXPECT_EQ(viaOption.rc, EXIT_OK) << c << ": " << viaOption.err;
        EXPECT_EQ(viaHelp.out, viaOption.out) << c;
        EXPECT_EQ(viaShort.out, viaOption.out) << c;
        EXPECT_NE(viaHelp.out.find("Usage: portlab"), std::string::npos) << c << viaHelp.out;
        EXPECT_EQ(viaHelp.err, "") << c;
    }
}

TEST(CliHelp, TopLevelHelpListsEveryCommand)
{
    Outcome o = Portlab({"help"});
    EXPECT_EQ(o.rc, EXIT_OK);
    for (const auto& c : COMMANDS)
    {
        EXPECT_NE(o.out.find(c == "study" ? "'portlab study'" : "\n  " + c + " "),
                  std::string::npos)
            << c << " missing from:\n"
            << o.out;
    }
}

TEST(CliHelp, UnknownHelpTopicIsRefusedNamingTheCommands)
{
    Outcome o = Portlab({"help", "frobnicate"});
    EXPECT_EQ(o.rc, EXIT_USAGE);
    EXPECT_NE(o.err.find("unknown command 'frobnicate'; allowed: run, list"), std::string::npos)
        << o.err;
    EXPECT_EQ(Lines(o.err), 1u) << o.err;
}

TEST(CliHelp, ManPageIsRoffMadeFromEveryCommandsHelp)
{
    Outcome o = Portlab({"help", "--man"});
    ASSERT_EQ(o.rc, EXIT_OK) << o.err;
    EXPECT_EQ(o.out.rfind(".TH PORTLAB 1 ", 0), 0u);
    for (const char* section : {".SH NAME",
                                ".SH SYNOPSIS",
                                ".SH DESCRIPTION",
                                ".SH COMMANDS",
                                ".SH EXIT STATUS",
                                ".SH ENVIRONMENT"})
    {
        EXPECT_NE(o.out.find(section), std::string::npos) << section;
    }
    for (const auto& c : COMMANDS)
    {
        if (c != "help")
        {
            EXPECT_NE(o.out.find(".SS \"portlab " + c + "\""), std::string::npos) << c;
        }
    }
    // The run section carries run's own help text, escaped for roff.
    EXPECT_NE(o.out.find("\\-\\-emit\\-jobs FILE writes one command"), std::string::npos);
    EXPECT_NE(o.out.find("\\-\\-json"), std::string::npos);
    if (Shell("command -v man > /dev/null 2>&1") == 0)
    {
        TempDir tmp("cli");
        Write(tmp.Path() + "/portlab.1", o.out);
        EXPECT_EQ(Shell("MANWIDTH=80 man -l " + tmp.Path() + "/portlab.1 > " + tmp.Path() +
                        "/out.txt 2> " + tmp.Path() + "/err.txt"),
                  0)
            << Read(tmp.Path() + "/err.txt");
        EXPECT_NE(Read(tmp.Path() + "/out.txt").find("portlab run"), std::string::npos);
    }
}

TEST(CliHelp, BuiltManPageIsTheOutputOfHelpMan)
{
    std::string built = Read(PORTLAB_MAN_PAGE);
    ASSERT_FALSE(built.empty()) << PORTLAB_MAN_PAGE << " should be made by the build";
    EXPECT_EQ(built, Portlab({"help", "--man"}).out);
}

TEST(CliJson, ListPrintsAnArrayOfScenariosWithTheirQuestions)
{
    Outcome o = Portlab({"list", "--json"});
    ASSERT_EQ(o.rc, EXIT_OK) << o.err;
    auto j = nlohmann::json::parse(o.out);
    ASSERT_TRUE(j.is_array());
    EXPECT_EQ(j.size(), ListScenarios().size());
    bool found = false;
    for (const auto& s : j)
    {
        EXPECT_TRUE(s.contains("name") && s.contains("file")) << s.dump();
        if (s["name"] == "tcp-udp-same-port")
        {
            found = true;
            EXPECT_EQ(s["question"], "Can TCP and UDP bind the same port?");
        }
    }
    EXPECT_TRUE(found) << o.out;
}

TEST(CliJson, KeysAndSysctlsPrintArraysMatchingTheirTextListings)
{
    Outcome keys = Portlab({"keys", "--json"});
    ASSERT_EQ(keys.rc, EXIT_OK) << keys.err;
    auto k = nlohmann::json::parse(keys.out);
    ASSERT_TRUE(k.is_array());
    EXPECT_EQ(k.size(), Lines(Portlab({"keys"}).out));
    EXPECT_TRUE(k[0].contains("key") && k[0].contains("help"));

    Outcome sysctls = Portlab({"sysctls", "--json"});
    ASSERT_EQ(sysctls.rc, EXIT_OK) << sysctls.err;
    auto s = nlohmann::json::parse(sysctls.out);
    ASSERT_TRUE(s.is_array());
    EXPECT_EQ(s.size() * 2, Lines(Portlab({"sysctls"}).out));
    bool range = false;
    for (const auto& x : s)
    {
        if (x["name"] == "net.ipv4.ip_local_port_range")
        {
            range = true;
            EXPECT_EQ(x["default"], PortSysctls().Get("net.ipv4.ip_local_port_range"));
        }
    }
    EXPECT_TRUE(range);
}

TEST(CliJson, ListingsRefuseUnknownOptionsInOneLine)
{
    Outcome o = Portlab({"keys", "--jsno"});
    EXPECT_EQ(o.rc, EXIT_USAGE);
    EXPECT_NE(o.err.find("portlab keys: unrecognised option '--jsno'; allowed: --help, --json"),
              std::string::npos)
        << o.err;
    EXPECT_EQ(Lines(o.err), 1u) << o.err;
}

TEST(CliRun, JsonPrintsSummaryJsonAndProgressGoesToStderrWithoutATerminal)
{
    TempDir tmp("cli");
    const std::string cmd =
        "cd " + tmp.Path() + " && " + PORTLAB + " run tcp-udp-same-port" + SHORT + " --no-figures";
    ASSERT_EQ(Shell(cmd + " --out R --json --progress > out.json 2> err.txt"), 0)
        << Read(tmp.Path() + "/err.txt");
    const std::string json = Read(tmp.Path() + "/out.json");
    EXPECT_EQ(json, Read(tmp.Path() + "/R/summary.json"))
        << "--json prints summary.json's bytes on stdout";
    EXPECT_NO_THROW(nlohmann::json::parse(json));
    const std::string err = Read(tmp.Path() + "/err.txt");
    EXPECT_EQ(err.find('\r'), std::string::npos) << "no carriage returns into a file: " << err;
    EXPECT_NE(err.find("tcp-udp-same-port: sim 1.0/1.0 s"), std::string::npos)
        << "--progress prints whole progress lines even when stderr is a file:\n"
        << err;
    const std::string last = err.substr(err.rfind('\n', err.size() - 2) + 1);
    EXPECT_EQ(last.rfind("portlab run: tcp-udp-same-port seed 1: matches Linux", 0), 0u) << err;
    EXPECT_NE(last.find("results in R"), std::string::npos) << last;

    // Without --progress and without a terminal: only the summary line.
    ASSERT_EQ(Shell(cmd + " --out R2 > out.txt 2> err2.txt"), 0);
    EXPECT_EQ(Lines(Read(tmp.Path() + "/err2.txt")), 1u) << Read(tmp.Path() + "/err2.txt");
    EXPECT_NE(Read(tmp.Path() + "/out.txt").find("matches Linux: yes"), std::string::npos);
    // --quiet: nothing at all.
    ASSERT_EQ(Shell(cmd + " --out R3 --quiet > out3.txt 2> err3.txt"), 0);
    EXPECT_EQ(Read(tmp.Path() + "/out3.txt") + Read(tmp.Path() + "/err3.txt"), "");
}

TEST(CliExtends, UserFileExtendsAShippedScenarioByName)
{
    TempDir tmp("cli");
    const std::string file = tmp.Path() + "/mine.ini";
    Write(file,
          "[scenario mine]\nextends = tcp-udp-same-port\nduration = 2s\n"
          "question = Does my variant still share port 5000?\n");
    ScenarioSpec spec = LoadScenario(file, {});
    EXPECT_EQ(spec.name, "mine");
    EXPECT_EQ(spec.keys.at("duration"), "2s") << "the user's keys win";
    EXPECT_EQ(spec.keys.at("app.tcp.bind"), "*:5000") << "the shipped scenario's keys are kept";
    EXPECT_EQ(spec.question, "Does my variant still share port 5000?");

    // It runs, as any scenario does, from the command line.
    Outcome o = Portlab({"run", file, "--out", tmp.Path() + "/out", "--no-figures", "--json"});
    EXPECT_EQ(o.rc, EXIT_OK) << o.err;
    auto summary = nlohmann::json::parse(o.out);
    EXPECT_EQ(summary["scenario"], "mine");

    // A shipped scenario that itself extends another of its file keeps its whole chain.
    Write(file, "[scenario mine]\nextends = timewait-exhaustion-tw-reuse\nduration = 70s\n");
    ScenarioSpec chained = LoadScenario(file, {});
    EXPECT_EQ(chained.keys.at("duration"), "70s");
    EXPECT_TRUE(chained.keys.count("app.load.rate")) << "keys of timewait-exhaustion itself";

    // A name neither here nor shipped: one line naming both places looked in.
    Write(file, "[scenario mine]\nextends = no-such-base\nduration = 2s\n");
    Outcome bad = Portlab({"run", file});
    EXPECT_EQ(bad.rc, EXIT_USAGE);
    EXPECT_NE(bad.err.find("mine.ini:2: no scenario named 'no-such-base'; known: mine in this "
                           "file, or a shipped scenario in"),
              std::string::npos)
        << bad.err;
    EXPECT_EQ(Lines(bad.err), 1u) << bad.err;
}

TEST(CliSweep, JobListWithRemoteRootRunsOnASecondMachineThroughSshloginfile)
{
    if (Shell("command -v parallel > /dev/null") != 0)
    {
        GTEST_SKIP() << "GNU parallel is not installed";
    }
    // Machine A: this working directory. Machine B: its own home, its own portlab on its PATH
    // and the project directory (a shared file system) mounted at another path. Its "ssh" runs
    // the command there, without a network.
    TempDir tmp("cli");
    const std::string a = tmp.Path() + "/machine-a/project";
    const std::string b = tmp.Path() + "/machine-b";
    fs::create_directories(a);
    fs::create_directories(b + "/home");
    fs::create_directories(b + "/bin");
    fs::create_directories(b + "/mnt");
    fs::create_symlink(a, b + "/mnt/project");
    fs::create_symlink(PORTLAB, b + "/bin/portlab");
    fs::copy_file(PORTLAB_SCENARIO_DIR "/tcp-udp-same-port.ini", a + "/mine.ini");
    Write(b + "/fake-ssh",
          "#!/bin/sh\n"
          "# ssh HOST COMMAND, on 'machine B': skip ssh's options, then run COMMAND there.\n"
          "while [ $# -gt 0 ]; do\n"
          "  case $1 in\n"
          "    --) shift; break ;;\n"
          "    -[lpoiSOFcDLRJEbmW]) shift 2 ;;\n"
          "    -*) shift ;;\n"
          "    *) echo \"$1\" >> " +
              b +
              "/hosts-used; shift; break ;;\n"
              "  esac\n"
              "done\n"
              "[ \"$1\" = -- ] && shift\n"
              "cd " +
              b + "/home && HOME=" + b + "/home PATH=" + b +
              "/bin:/usr/bin:/bin "
              "PORTLAB_SCENARIOS= exec /bin/sh -c \"$*\"\n");
    fs::permissions(b + "/fake-ssh", fs::perms::owner_all);
    Write(a + "/hosts", "1/" + b + "/fake-ssh machine-b\n");

    const std::string sweep = " sweep mine.ini --vary app.tcp_load.rate=100/s,200/s" + SHORT;
    ASSERT_EQ(Shell("cd " + a + " && " + PORTLAB + sweep + " --out E --emit-jobs jobs.txt " +
                    "--remote-root " + b + "/mnt/project > emit.txt 2> emit-err.txt"),
              0)
        << Read(a + "/emit-err.txt");
    const std::string jobs = Read(a + "/jobs.txt");
    EXPECT_EQ(Lines(jobs), 2u) << jobs;
    EXPECT_EQ(jobs.find(a), std::string::npos) << "no path of machine A in the jobs:\n" << jobs;
    EXPECT_EQ(jobs.find(PORTLAB), std::string::npos) << "not A's binary:\n" << jobs;
    EXPECT_EQ(jobs.rfind("cd '" + b + "/mnt/project' && 'portlab' 'run' 'mine.ini'", 0), 0u)
        << jobs;

    // The README's example, from machine A: every job runs on machine B. A login shell always
    // has $SHELL; GNU parallel needs it for remote jobs (without it, it runs nothing and exits 0),
    // and CI runs the suite without it.
    ASSERT_EQ(Shell("cd " + a + " && SHELL=/bin/sh parallel --will-cite --sshloginfile hosts < " +
                    "jobs.txt > " + "parallel.txt 2>&1"),
              0)
        << Read(a + "/parallel.txt");
    EXPECT_NE(Read(b + "/hosts-used").find("machine-b"), std::string::npos)
        << "the jobs should have gone through machine B's ssh";
    ASSERT_EQ(Shell("cd " + a + " && " + PORTLAB + " collect E > collect.txt 2>&1"), 0)
        << Read(a + "/collect.txt") << "parallel printed:\n"
        << Read(a + "/parallel.txt");

    // The same sweep run here gives the same points.csv.
    ASSERT_EQ(
        Shell("cd " + a + " && " + PORTLAB + sweep + " --out L --jobs 2 > l.txt 2> " + "l-err.txt"),
        0)
        << Read(a + "/l-err.txt");
    EXPECT_EQ(Read(a + "/E/points.csv"), Read(a + "/L/points.csv"));
    const std::string err = Read(a + "/l-err.txt");
    EXPECT_EQ(err.rfind("portlab sweep: 2 runs (0 already done, 2 run now, 0 failed)", 0), 0u)
        << "the sweep's one-line summary: " << err;

    // Emitting again replaces the earlier list (it is a job list) and names only what is left.
    ASSERT_EQ(Shell("cd " + a + " && " + PORTLAB + sweep + " --out E --emit-jobs jobs.txt " +
                    "--remote-root /elsewhere --remote-portlab /opt/portlab/bin/portlab > " +
                    "/dev/null 2>&1"),
              0);
    EXPECT_EQ(Read(a + "/jobs.txt"), "") << "every point is done";
}

TEST(CliSweep, ProgressLinesWithoutATerminal)
{
    TempDir tmp("cli");
    ASSERT_EQ(Shell("cd " + tmp.Path() + " && " + PORTLAB +
                    " sweep tcp-udp-same-port --vary app.tcp_load.rate=100/s,200/s --jobs 2 " +
                    "--progress --out S" + SHORT + " > out.txt 2> err.txt"),
              0)
        << Read(tmp.Path() + "/err.txt");
    const std::string err = Read(tmp.Path() + "/err.txt");
    EXPECT_EQ(err.find('\r'), std::string::npos) << err;
    EXPECT_NE(err.find("sweep: 2/2 runs done (0 already done), 0 running"), std::string::npos)
        << err;
    EXPECT_NE(err.find("\nportlab sweep: 2 runs"), std::string::npos) << err;
}

TEST(CliCompletion, CompletesCommandsScenariosOptionsAndSetKeys)
{
    if (Shell("command -v bash > /dev/null") != 0)
    {
        GTEST_SKIP() << "no bash";
    }
    TempDir tmp("cli");
    fs::create_directories(tmp.Path() + "/bin");
    fs::create_symlink(PORTLAB, tmp.Path() + "/bin/portlab");
    auto complete = [&](const std::string& words, int cword) {
        Write(tmp.Path() + "/t.sh",
              "source '" PORTLAB_COMPLETION "'\n"
              "PATH='" +
                  tmp.Path() +
                  "/bin':$PATH\n"
                  "COMP_WORDS=(" +
                  words + ")\nCOMP_CWORD=" + std::to_string(cword) +
                  "\n_portlab\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n");
        Shell("bash " + tmp.Path() + "/t.sh > " + tmp.Path() + "/r.txt 2>&1");
        return "\n" + Read(tmp.Path() + "/r.txt");
    };
    std::string r = complete("portlab ''", 1);
    for (const char* c : {"\nrun\n", "\nsweep\n", "\nsysctls\n", "\nhelp\n", "\nstudy\n"})
    {
        EXPECT_NE(r.find(c), std::string::npos) << c << " in:" << r;
    }
    r = complete("portlab run tcp-u", 2);
    EXPECT_NE(r.find("\ntcp-udp-same-port\n"), std::string::npos) << r;
    r = complete("portlab sweep x --remote", 3);
    EXPECT_NE(r.find("\n--remote-root\n"), std::string::npos) << r;
    EXPECT_NE(r.find("\n--remote-portlab\n"), std::string::npos) << r;
    r = complete("portlab run x --set link.", 4);
    EXPECT_NE(r.find("\nlink.loss=\n"), std::string::npos) << r;
    r = complete("portlab --ver", 1);
    EXPECT_NE(r.find("\n--version\n"), std::string::npos) << r;
    r = complete("portlab help sys", 2);
    EXPECT_EQ(r, "\nsysctls\n");
}

} // namespace
} // namespace portlab

int
main(int argc, char** argv)
{
    setenv("PORTLAB_SCENARIOS", PORTLAB_SCENARIO_DIR, 1);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
