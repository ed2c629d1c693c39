/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Finding scenarios: paths as given (FILE.ini, FILE.ini:NAME), names in the scenarios
// directory (a name in two files, a broken file), `--set extends`, and the shipped scenarios
// against the resource limits.

#include "collect/run-collector.h"
#include "config-error-of.h"
#include "scenario/scenario-resources.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <unistd.h>

namespace fs = std::filesystem;

namespace portlab
{
namespace
{

const char* VALID = R"([scenario NAME]
description = d
question = QUESTION
linux_answer = a
duration = 2s
group.client.count = 1
group.server.count = 1
links = client-server
app.srv.type = tcp-server
app.srv.on = server
app.srv.bind = *:80
app.cli.type = tcp-client
app.cli.on = client
app.cli.to = srv
app.cli.rate = 10/s
)";

/// A valid scenario named \p name whose question is \p question.
std::string
Valid(const std::string& name, const std::string& question = "q")
{
    std::string s = VALID;
    s.replace(s.find("NAME"), 4, name);
    s.replace(s.find("QUESTION"), 8, question);
    return s;
}

/// A temporary directory that is also the scenarios directory ($PORTLAB_SCENARIOS).
class Dir
{
  public:
    Dir()
    {
        std::string pattern = fs::temp_directory_path().string() + "/pl-lookup-XXXXXX";
        m_path = mkdtemp(pattern.data());
        setenv("PORTLAB_SCENARIOS", m_path.c_str(), 1);
    }

    ~Dir()
    {
        unsetenv("PORTLAB_SCENARIOS");
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }

    Dir(const Dir&) = delete;
    Dir& operator=(const Dir&) = delete;

    /// Write \p text to \p name (parents created) \return its path
    std::string Write(const std::string& name, const std::string& text) const
    {
        std::string p = m_path + "/" + name;
        fs::create_directories(fs::path(p).parent_path());
        std::ofstream(p) << text;
        return p;
    }

  private:
    std::string m_path;
};

using test::ErrorOf;
using test::Has;

TEST(ScenarioLookup, ABackupFileIsRefusedInsteadOfRunningTheIniItsNameStartsWith)
{
    Dir d;
    d.Write("bk.ini", Valid("bk"));
    std::string bak = d.Write("bk.ini.bak", Valid("old"));
    std::string e = ErrorOf([&] { FindScenario(bak); });
    EXPECT_TRUE(Has(e, "bk.ini.bak' is not a scenario file: scenario files end in .ini"))
        << "'run bk.ini.bak' should be refused, not run bk.ini; got: '" << e << "'";
}

TEST(ScenarioLookup, AFileInADirectoryNamedDotIniIsTheFileGiven)
{
    Dir d;
    d.Write("dd.ini", Valid("outer"));
    std::string inner = d.Write("dd.ini.d/s.ini", Valid("inner"));
    ScenarioRef r;
    std::string e = ErrorOf([&] { r = FindScenario(inner); });
    EXPECT_EQ(r.file, inner) << "the path given should be read, not dd.ini; error: " << e;
    EXPECT_EQ(r.name, "inner");
    r = FindScenario(inner + ":inner");
    EXPECT_EQ(r.file, inner) << "FILE.ini:NAME splits at the last ':'";
    EXPECT_EQ(r.name, "inner");
}

TEST(ScenarioLookup, ANameDefinedInTwoFilesIsAnErrorNamingBothAndListedAsOne)
{
    Dir d;
    std::string a = d.Write("a.ini", Valid("same", "from a"));
    std::string b = d.Write("b.ini", Valid("same", "from b"));
    std::string e = ErrorOf([&] { FindScenario("same"); });
    EXPECT_TRUE(Has(e, "scenario 'same' is defined in both " + a + " and " + b))
        << "a name in two files should be an error naming both, not a silent first pick: '" << e
        << "'";
    auto list = ListScenarios();
    ASSERT_EQ(list.size(), 1u) << "listed once";
    EXPECT_TRUE(Has(std::get<2>(list[0]), "ERROR: scenario 'same' is defined in both"))
        << "portlab list should show it: " << std::get<2>(list[0]);
    EXPECT_EQ(FindScenario(b + ":same").file, b) << "FILE.ini:NAME still picks one";
}

TEST(ScenarioLookup, ABrokenFileIsSkippedByListAndByRunsOfOtherScenarios)
{
    Dir d;
    d.Write("a-broken.ini", "[scenario broken]\nthis is not a setting\n");
    std::string good = d.Write("b-good.ini", Valid("good", "still here?"));
    std::vector<std::tuple<std::string, std::string, std::string>> list;
    std::string e = ErrorOf([&] { list = ListScenarios(); });
    EXPECT_EQ(e, "") << "one broken file should not break list";
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(std::get<0>(list[0]), "good");
    ScenarioRef r;
    e = ErrorOf([&] { r = FindScenario("good"); });
    EXPECT_EQ(e, "") << "one broken file should not break runs of the others";
    EXPECT_EQ(r.file, good);
    // Its own scenario still gives its error.
    e = ErrorOf([&] { FindScenario("broken"); });
    EXPECT_TRUE(Has(e, "a-broken.ini:2: 'this is not a setting' is not a setting")) << e;
    // An unknown name says which files were skipped.
    EXPECT_TRUE(Has(ErrorOf([&] { FindScenario("nosuch"); }), "skipped broken files:"));
}

TEST(ScenarioLookup, SetExtendsResolvesTheNewParent)
{
    Dir d;
    std::string f = d.Write("e.ini",
                            Valid("base") + "\n[scenario other]\nextends = base\nduration = 5s\n"
                                            "\n[scenario child]\nextends = base\n"
                                            "question = child\n");
    ScenarioSpec s = LoadScenario(f + ":child", {"extends=other"});
    EXPECT_EQ(s.durationNs, 5000000000) << "--set extends=other should take other's duration";
    EXPECT_EQ(s.question, "child") << "the child's own keys still win";
    EXPECT_EQ(s.keys.at("extends"), "other") << "and the run records it";
    std::string e = ErrorOf([&] { LoadScenario(f + ":child", {"extends=nosuch"}); });
    EXPECT_TRUE(Has(e, "--set: key 'extends' = 'nosuch': no scenario named 'nosuch'"))
        << "an unknown parent given with --set should be an error, not ignored: '" << e << "'";
}

TEST(ScenarioLookup, TheShippedScenariosAreWellInsideTheResourceLimits)
{
    setenv("PORTLAB_SCENARIOS", PORTLAB_SCENARIOS_DIR, 1);
    ResourceLimits limits = DefaultResourceLimits();
    // The cluster scenarios are the scale study of issue 16 (3,000 pods, 3.6e7 connections):
    // they must fit in half of every limit; every other shipped scenario in a tenth.
    const std::set<std::string> scale{"cluster", "cluster-services-close-first"};
    for (const auto& [name, file, question] : ListScenarios())
    {
        ResourceEstimate e = EstimateResources(LoadScenario(name, {}));
        const uint64_t share = scale.count(name) ? 2 : 10;
        EXPECT_LT(e.memoryBytes, limits.memoryBytes / share)
            << name << " should need less than 1/" << share << " of the memory limit";
        EXPECT_LT(e.events, limits.events / share)
            << name << " should need less than 1/" << share << " of the event limit";
        EXPECT_LT(e.links, limits.links / share)
            << name << " should need less than 1/" << share << " of the link limit";
    }
    // bench/many-hosts: 10,000 client hosts x 5 connections against one server.
    ScenarioSpec many = LoadScenario("tcp-udp-same-port",
                                     {"group.client.count=10000", "app.tcp_load.connections=5"});
    ResourceEstimate e = EstimateResources(many);
    EXPECT_LT(e.memoryBytes, limits.memoryBytes / 4);
    unsetenv("PORTLAB_SCENARIOS");
}

} // namespace
} // namespace portlab
