/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "config-error-of.h"
#include "scenario/scenario-config.h"
#include "scenario/scenario-spec.h"

#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <future>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace portlab
{
namespace
{

using test::ErrorOf;
using test::Has;

TEST(Units, DurationsRatesSizesAndProbabilitiesParseWithTheirUnits)
{
    EXPECT_EQ(units::ParseDurationNs("60s"), 60000000000);
    EXPECT_EQ(units::ParseDurationNs("10ms"), 10000000);
    EXPECT_EQ(units::ParseDurationNs("1.5min"), 90000000000);
    EXPECT_EQ(units::ParseDurationNs(" 250us "), 250000);
    EXPECT_DOUBLE_EQ(units::ParseBitRate("1Gbps"), 1e9);
    EXPECT_DOUBLE_EQ(units::ParseBitRate("2.5Mbps"), 2.5e6);
    EXPECT_EQ(units::ParseBytes("64KiB"), 65536u);
    EXPECT_EQ(units::ParseBytes("1KB"), 1000u);
    EXPECT_DOUBLE_EQ(units::ParseRate("2.5k/s"), 2500);
    EXPECT_DOUBLE_EQ(units::ParseRate("470"), 470);
    EXPECT_DOUBLE_EQ(units::ParseProbability("1%"), 0.01);
    EXPECT_EQ(units::ParseInteger("40000", 1, 65535), 40000);
    EXPECT_TRUE(units::ParseBool("yes"));
    EXPECT_FALSE(units::ParseBool("off"));
}

TEST(Units, ABadValueIsAnErrorThatSaysWhatIsAllowed)
{
    std::string e = ErrorOf([] { units::ParseDurationNs("60"); });
    EXPECT_TRUE(Has(e, "'60' is not a duration") && Has(e, "ms, s, min")) << e;
    EXPECT_TRUE(Has(ErrorOf([] { units::ParseDurationNs("-1s"); }), "not a duration"));
    EXPECT_TRUE(Has(ErrorOf([] { units::ParseBitRate("1GB"); }), "bps, kbps, Mbps, Gbps"));
    EXPECT_TRUE(Has(ErrorOf([] { units::ParseBitRate("0Mbps"); }), "not a bit rate"));
    EXPECT_TRUE(Has(ErrorOf([] { units::ParseBytes("1.5B"); }), "whole number of bytes"));
    EXPECT_TRUE(Has(ErrorOf([] { units::ParseRate("0"); }), "a number > 0"));
    EXPECT_TRUE(Has(ErrorOf([] { units::ParseRate("10/min"); }), "not a rate"));
    EXPECT_TRUE(Has(ErrorOf([] { units::ParseProbability("150%"); }), "0% to 100%"));
    EXPECT_TRUE(Has(ErrorOf([] { units::ParseInteger("70000", 1, 65535); }), "1 to 65535"));
    EXPECT_TRUE(Has(ErrorOf([] { units::ParseInteger("12abc", 0, 9); }), "whole number"));
    EXPECT_TRUE(Has(ErrorOf([] { units::ParseBool("maybe"); }), "true, false"));
}

const char* FILE_TEXT = R"(# two scenarios, one extending the other
[scenario base]
description = a client and a server
duration = 60s
link.delay = 1ms

[scenario fast]
extends = base
link.delay = 100us   # overrides base
clients = 4
)";

TEST(ScenarioFile, ExtendsInheritsKeysAndTheChildWins)
{
    ScenarioFile f = ScenarioFile::Parse(FILE_TEXT, "t.ini");
    EXPECT_EQ(f.Names(), (std::vector<std::string>{"base", "fast"}));
    std::map<std::string, ValueOrigin> origins;
    auto keys = f.Resolve("fast", &origins);
    EXPECT_EQ(keys.at("duration"), "60s") << "inherited from base";
    EXPECT_EQ(keys.at("link.delay"), "100us") << "the child's value, comment stripped";
    EXPECT_EQ(keys.at("clients"), "4");
    EXPECT_EQ(keys.count("extends"), 0u);
    EXPECT_EQ(origins.at("duration").line, 4);
    EXPECT_EQ(origins.at("link.delay").line, 9);
}

TEST(ScenarioFile, OverridesWinAndAreNamedAsSuch)
{
    ScenarioFile f = ScenarioFile::Parse(FILE_TEXT, "t.ini");
    std::map<std::string, ValueOrigin> origins;
    auto keys = f.Resolve("fast", &origins);
    ApplyOverrides(keys, origins, {"clients=8", "sysctl.net.ipv4.tcp_tw_reuse = 1"});
    EXPECT_EQ(keys.at("clients"), "8");
    EXPECT_EQ(keys.at("sysctl.net.ipv4.tcp_tw_reuse"), "1");
    EXPECT_EQ(DescribeValueError(origins.at("clients"), "clients", "8", "too many"),
              "--set: key 'clients' = '8': too many");
    EXPECT_EQ(DescribeValueError(origins.at("duration"), "duration", "60s", "x"),
              "t.ini:4: key 'duration' = '60s': x");
    EXPECT_TRUE(Has(ErrorOf([&] { ApplyOverrides(keys, origins, {"clients"}); }), "KEY=VALUE"));
}

TEST(ScenarioFile, MalformedFilesAreErrorsNamingFileAndLine)
{
    auto err = [](const std::string& text) {
        return ErrorOf([&] { ScenarioFile::Parse(text, "bad.ini"); });
    };
    EXPECT_TRUE(Has(err("[server]\nx = 1\n"), "bad.ini:1: section '[server]'"))
        << err("[server]\nx = 1\n");
    EXPECT_TRUE(Has(err("x = 1\n"), "bad.ini:1: key 'x' comes before any [scenario NAME]"));
    EXPECT_TRUE(Has(err("[scenario a]\nthis is not a setting\n"), "bad.ini:2:"));
    EXPECT_TRUE(Has(err("[scenario a]\nx = 1\nx = 2\n"), "set twice") &&
                Has(err("[scenario a]\nx = 1\nx = 2\n"), "bad.ini:3:"));
    EXPECT_TRUE(Has(err("[scenario a]\n[scenario a]\n"), "defined twice"));
    EXPECT_TRUE(Has(err("[scenario ]\n"), "[scenario NAME]"));
    EXPECT_TRUE(Has(ErrorOf([] { ScenarioFile::Load("/nonexistent/x.ini"); }), "cannot read"));
    // Boost would file the keys of "[scenario a.b]" under a scenario 'a'.
    EXPECT_TRUE(Has(err("[scenario a]\n[scenario a.b]\nx = 1\n"),
                    "bad.ini:2: scenario name 'a.b' is not allowed"));
}

TEST(ScenarioSpec, ARunShorterThanTheDefaultIntervalSamplesAtItsEnd)
{
    std::map<std::string, std::string> keys{{"description", "d"},
                                            {"question", "q"},
                                            {"linux_answer", "a"},
                                            {"duration", "500ms"},
                                            {"group.h.count", "1"}};
    ScenarioSpec s = ParseScenario("short", keys, {});
    EXPECT_EQ(s.intervalNs, 500000000) << "the 1s default, clamped to the run";
    keys["interval"] = "1s";
    EXPECT_TRUE(Has(ErrorOf([&] { ParseScenario("short", keys, {}); }),
                    "key 'interval' = '1s': longer than the duration"));
}

TEST(ScenarioSpec, PortSelectorIsChosenPerHostThenGroupThenScenario)
{
    std::map<std::string, std::string> keys{{"description", "d"},
                                            {"question", "q"},
                                            {"linux_answer", "a"},
                                            {"duration", "1s"},
                                            {"group.client.count", "3"},
                                            {"group.server.count", "1"},
                                            {"port_selector", "random"},
                                            {"group.client.port_selector", "hash"},
                                            {"host.client2.port_selector", "sequential"}};
    ScenarioSpec s = ParseScenario("sel", keys, {});
    const HostGroupSpec& client = s.groups[0];
    const HostGroupSpec& server = s.groups[1];
    EXPECT_EQ(HostPortSelector(s, client, 1), "hash");
    EXPECT_EQ(HostPortSelector(s, client, 2), "sequential");
    EXPECT_EQ(HostPortSelector(s, server, 1), "random");
    keys.erase("port_selector");
    EXPECT_EQ(HostPortSelector(ParseScenario("sel", keys, {}), server, 1), "")
        << "not named: Linux's, and no port_guess metric";
}

TEST(ScenarioSpec, AnUnknownPortSelectorIsAnErrorListingTheAlgorithms)
{
    std::map<std::string, std::string> keys{{"description", "d"},
                                            {"question", "q"},
                                            {"linux_answer", "a"},
                                            {"duration", "1s"},
                                            {"group.h.count", "1"}};
    for (const char* key : {"port_selector", "group.h.port_selector", "host.h1.port_selector"})
    {
        auto bad = keys;
        bad[key] = "bsd";
        std::string e = ErrorOf([&] { ParseScenario("sel", bad, {}); });
        EXPECT_TRUE(Has(e,
                        std::string("key '") + key +
                            "' = 'bsd': unknown port selector; allowed: linux, random, hash, "
                            "random-increments, sequential"))
            << e;
        EXPECT_EQ(e.find('\n'), std::string::npos) << "one line";
    }
}

TEST(ScenarioFile, UnknownScenariosAndExtendsCyclesAreErrors)
{
    ScenarioFile f = ScenarioFile::Parse("[scenario a]\nextends = b\n[scenario b]\nextends = a\n"
                                         "[scenario c]\nextends = nowhere\n",
                                         "c.ini");
    EXPECT_TRUE(Has(ErrorOf([&] { f.Resolve("a", nullptr); }), "cycle"));
    std::string e = ErrorOf([&] { f.Resolve("c", nullptr); });
    EXPECT_TRUE(Has(e, "c.ini:6: no scenario named 'nowhere'") && Has(e, "known: a, b, c")) << e;
    EXPECT_TRUE(Has(ErrorOf([&] { f.Resolve("zzz", nullptr); }), "no scenario named 'zzz'"));
}

/// A fresh temporary directory, removed afterwards.
class TempDir
{
  public:
    TempDir()
    {
        std::string pattern = std::filesystem::temp_directory_path().string() + "/pl-cfg-XXXXXX";
        m_path = mkdtemp(pattern.data());
    }

    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }

    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    /// \param name a file name \return its path in the directory
    std::string Path(const std::string& name) const
    {
        return m_path + "/" + name;
    }

  private:
    std::string m_path;
};

TEST(ScenarioFile, ALineStartingWithSemicolonIsACommentAsInOtherIniReaders)
{
    std::string e = ErrorOf([] {
        ScenarioFile f =
            ScenarioFile::Parse("; a comment, as Windows, configparser and INET write them\n"
                                "[scenario a]\n  ; an indented one\nduration = 2s\n",
                                "semi.ini");
        EXPECT_EQ(f.Resolve("a", nullptr).at("duration"), "2s");
        EXPECT_EQ(f.Resolve("a", nullptr).size(), 1u) << "the ';' lines set nothing";
    });
    EXPECT_EQ(e, "") << "a line starting with ';' should be a comment, not an error";
}

TEST(ScenarioFile, AUtf8ByteOrderMarkAtTheStartIsSkipped)
{
    std::string e = ErrorOf([] {
        ScenarioFile f = ScenarioFile::Parse("\xEF\xBB\xBF# saved by an editor that writes a BOM\n"
                                             "[scenario a]\nduration = 2s\n",
                                             "bom.ini");
        EXPECT_EQ(f.Names(), std::vector<std::string>{"a"});
    });
    EXPECT_EQ(e, "") << "a UTF-8 byte order mark at the start should be skipped";
    // The line numbers of errors stay those of the file.
    EXPECT_TRUE(Has(ErrorOf([] { ScenarioFile::Parse("\xEF\xBB\xBF[scenario a]\nx\n", "b.ini"); }),
                    "b.ini:2:"));
}

TEST(ScenarioFile, ADirectoryIsRefusedAsADirectoryNotAsAFileWithoutSections)
{
    TempDir tmp;
    std::filesystem::create_directory(tmp.Path("d.ini"));
    std::string e = ErrorOf([&] { ScenarioFile::Load(tmp.Path("d.ini")); });
    EXPECT_TRUE(Has(e, "d.ini: is a directory, not a file")) << "the error should say that the "
                                                                "path is a directory: "
                                                             << e;
}

TEST(ScenarioFile, AFifoIsRefusedWithoutBeingRead)
{
    TempDir tmp;
    const std::string fifo = tmp.Path("f.ini");
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    // Load in another thread: one that opens the FIFO to read it blocks until a writer comes.
    auto load =
        std::async(std::launch::async, [&] { return ErrorOf([&] { ScenarioFile::Load(fifo); }); });
    bool blocked = load.wait_for(std::chrono::seconds(5)) != std::future_status::ready;
    if (blocked)
    {
        int fd = open(fifo.c_str(), O_WRONLY); // the blocked reader gets an empty file
        close(fd);
    }
    std::string e = load.get();
    EXPECT_FALSE(blocked) << "Load blocked opening a FIFO; it should refuse it without reading";
    EXPECT_TRUE(Has(e, "f.ini: is a FIFO, not a file; it was not read"))
        << "a FIFO should be refused without being read: " << e;
    EXPECT_TRUE(Has(ErrorOf([] { ScenarioFile::Load("/dev/zero"); }), "/dev/zero: is a device"))
        << "a device should be refused without being read";
}

TEST(ScenarioFile, AFileOverOneMebibyteIsRefused)
{
    TempDir tmp;
    {
        std::ofstream big(tmp.Path("big.ini"));
        big << "[scenario a]\nduration = 2s\n" << std::string(ScenarioFile::MAX_FILE_BYTES, '#');
    }
    std::string e = ErrorOf([&] { ScenarioFile::Load(tmp.Path("big.ini")); });
    EXPECT_TRUE(Has(e, "big.ini: is 1048603 bytes; allowed: a scenario file of at most 1048576"))
        << "a scenario file over 1 MiB should be refused, naming its size and the bound: " << e;
}

} // namespace
} // namespace portlab
