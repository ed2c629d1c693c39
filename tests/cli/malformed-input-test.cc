/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The malformed-input corpus (tests/data/malformed/cases.txt): every case must be refused with
// exit status 2 and one clear message naming what is wrong, must not crash or abort (it runs
// in this process, so an NS_FATAL_ERROR or an uncaught exception ends the whole test), and
// must leave nothing behind: no results/ at all, no half-written "*.partial*" directory.

#include "cli/portlab-cli.h"
#include "collect/run-collector.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace portlab
{
namespace
{

const std::string CORPUS_DIR = PORTLAB_MALFORMED_DIR;
const std::string MANIFEST = CORPUS_DIR + "/cases.txt";

/// One line of the manifest.
struct MalformedCase
{
    std::string name;              //!< test name
    std::vector<std::string> args; //!< the command line after 'portlab', {dir} expanded
    std::string expected;          //!< a piece of the error message
    int line{0};                   //!< its line in cases.txt
};

std::string
Trim(const std::string& s)
{
    size_t b = s.find_first_not_of(" \t\r");
    size_t e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string
ExpandDir(std::string s)
{
    for (size_t at = s.find("{dir}"); at != std::string::npos; at = s.find("{dir}", at))
    {
        s.replace(at, 5, CORPUS_DIR);
        at += CORPUS_DIR.size();
    }
    return s;
}

/// Reads cases.txt: "NAME | ARGS | EXPECTED" lines; '#' lines and blank lines are skipped.
std::vector<MalformedCase>
LoadCases()
{
    std::vector<MalformedCase> cases;
    std::ifstream in(MANIFEST);
    std::string raw;
    int lineNo = 0;
    while (std::getline(in, raw))
    {
        ++lineNo;
        std::string line = Trim(raw);
        if (line.empty() || line[0] == '#')
        {
            continue;
        }
        size_t a = line.find('|');
        size_t b = a == std::string::npos ? a : line.find('|', a + 1);
        MalformedCase c;
        c.line = lineNo;
        if (b == std::string::npos)
        {
            // Kept as a case that fails with a message pointing at the line.
            c.name = "bad_manifest_line_" + std::to_string(lineNo);
            c.expected = "";
            cases.push_back(c);
            continue;
        }
        c.name = Trim(line.substr(0, a));
        std::istringstream words(ExpandDir(line.substr(a + 1, b - a - 1)));
        for (std::string w; words >> w;)
        {
            c.args.push_back(w);
        }
        c.expected = ExpandDir(Trim(line.substr(b + 1)));
        cases.push_back(c);
    }
    return cases;
}

/// Every path under \p dir, relative to it, recursively.
std::vector<std::string>
Entries(const std::string& dir)
{
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
    {
        out.push_back(fs::relative(it->path(), dir).string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string
Join(const std::vector<std::string>& v, const std::string& sep)
{
    std::string s;
    for (const auto& x : v)
    {
        s += (s.empty() ? "" : sep) + x;
    }
    return s;
}

/// Runs `portlab ARGS` in-process from a fresh temporary directory.
class InTempDir
{
  public:
    InTempDir()
    {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern =
            std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/portlab-malformed-XXXXXX";
        std::vector<char> buf(pattern.begin(), pattern.end());
        buf.push_back('\0');
        if (mkdtemp(buf.data()) == nullptr)
        {
            throw std::runtime_error("mkdtemp failed for " + pattern);
        }
        m_dir = buf.data();
        m_old = fs::current_path();
        fs::current_path(m_dir);
    }

    ~InTempDir()
    {
        std::error_code ec;
        fs::current_path(m_old, ec);
        fs::remove_all(m_dir, ec);
    }

    InTempDir(const InTempDir&) = delete;
    InTempDir& operator=(const InTempDir&) = delete;

    const std::string& Dir() const
    {
        return m_dir;
    }

  private:
    std::string m_dir;
    fs::path m_old;
};

/// Test names and failure messages show a case by its NAME, not as bytes.
void
PrintTo(const MalformedCase& c, std::ostream* os)
{
    *os << c.name;
}

class MalformedInput : public ::testing::TestWithParam<MalformedCase>
{
};

TEST_P(MalformedInput, Rejected)
{
    const MalformedCase& c = GetParam();
    ASSERT_FALSE(c.args.empty()) << MANIFEST << ":" << c.line
                                 << ": not 'NAME | ARGS | EXPECTED-SUBSTRING'";
    ASSERT_FALSE(c.expected.empty()) << MANIFEST << ":" << c.line << ": no EXPECTED-SUBSTRING";
    setenv("PORTLAB_SCENARIOS", PORTLAB_SCENARIOS_DIR, 1);
    const auto corpusBefore = Entries(CORPUS_DIR);

    std::vector<std::string> argStrings{"portlab"};
    argStrings.insert(argStrings.end(), c.args.begin(), c.args.end());
    std::vector<char*> argv;
    for (auto& s : argStrings)
    {
        argv.push_back(s.data());
    }
    argv.push_back(nullptr);

    std::ostringstream out;
    std::ostringstream err;
    int rc = -1;
    std::vector<std::string> left;
    {
        InTempDir tmp;
        rc = PortlabMain(static_cast<int>(argStrings.size()), argv.data(), out, err);
        left = Entries(tmp.Dir());
    }
    const std::string e = err.str();
    const std::string command = Join(argStrings, " ");
    const std::string firstLine = e.substr(0, e.find('\n'));

    EXPECT_EQ(rc, EXIT_USAGE) << c.name << " should be rejected with exit 2\n  command: " << command
                              << "\n  stderr: " << e << "\n  stdout: " << out.str();
    EXPECT_NE(e.find(c.expected), std::string::npos)
        << c.name << ": the error does not say '" << c.expected << "'\n  command: " << command
        << "\n  whole error text: " << e;
    // One clear message: it leads the error output, starts with the command's name, and no
    // crash handler or ns-3 fatal-error text follows it.
    EXPECT_FALSE(e.empty()) << c.name << ": nothing on stderr";
    EXPECT_EQ(e.rfind("portlab", 0), 0u) << c.name << ": error text: " << e;
    EXPECT_NE(firstLine.find(c.expected), std::string::npos)
        << c.name << ": the first line of the error should say what is wrong: " << e;
    for (const char* bad : {"terminate called",
                            "what():",
                            "NS_FATAL",
                            "NS_ASSERT",
                            "map::at",
                            "basic_string",
                            "std::"})
    {
        EXPECT_EQ(e.find(bad), std::string::npos)
            << c.name << ": an internal error leaked into the message ('" << bad << "'): " << e;
    }
    EXPECT_EQ(out.str().find("results:"), std::string::npos)
        << c.name << ": stdout claims results: " << out.str();
    // Nothing written: no results/ at all, and in particular no half-written directory.
    EXPECT_TRUE(left.empty()) << c.name << " left files behind in its working directory: "
                              << Join(left, ", ");
    for (const auto& p : left)
    {
        EXPECT_EQ(p.find(".partial"), std::string::npos) << c.name << " left " << p;
    }
    EXPECT_EQ(Entries(CORPUS_DIR), corpusBefore) << c.name << " wrote into " << CORPUS_DIR;
}

std::string
CaseName(const ::testing::TestParamInfo<MalformedCase>& info)
{
    return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, MalformedInput, ::testing::ValuesIn(LoadCases()), CaseName);

TEST(MalformedCorpus, HasAtLeast36DistinctlyNamedCases)
{
    auto cases = LoadCases();
    EXPECT_GE(cases.size(), 36u) << MANIFEST;
    std::set<std::string> names;
    for (const auto& c : cases)
    {
        EXPECT_TRUE(names.insert(c.name).second)
            << MANIFEST << ":" << c.line << ": '" << c.name << "' is used twice";
        EXPECT_FALSE(c.name.empty()) << MANIFEST << ":" << c.line;
        EXPECT_TRUE(std::all_of(
            c.name.begin(),
            c.name.end(),
            [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; }))
            << MANIFEST << ":" << c.line << ": '" << c.name
            << "' is not a test name (letters, digits, '_')";
    }
}

TEST(MalformedCorpus, EveryFileInTheCorpusIsUsedByACase)
{
    std::string all;
    for (const auto& c : LoadCases())
    {
        all += Join(c.args, " ") + "\n";
    }
    for (const auto& e : fs::directory_iterator(CORPUS_DIR))
    {
        std::string ext = e.path().extension().string();
        if (ext == ".ini" || ext == ".pcs")
        {
            EXPECT_NE(all.find(e.path().string()), std::string::npos)
                << e.path() << " is in the corpus but no case in cases.txt uses it";
        }
    }
}

TEST(MalformedCorpus, TheBaseTheScenarioFilesChangeIsValid)
{
    // Each *.ini is valid-base.ini with one defect: the base itself must load cleanly, so the
    // error a case sees is its own defect's.
    setenv("PORTLAB_SCENARIOS", PORTLAB_SCENARIOS_DIR, 1);
    ScenarioSpec spec = LoadScenario(CORPUS_DIR + "/valid-base.ini", {});
    EXPECT_EQ(spec.name, "m");
    EXPECT_EQ(spec.apps.size(), 2u);
}

} // namespace
} // namespace portlab
