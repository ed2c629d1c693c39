/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Replays inputs through a fuzz target's LLVMFuzzerTestOneInput without libFuzzer, so every
// build (gcc Release, ASan + UBSan) runs the seed corpora and the crash regressions as CTest
// tests:
//
//   portlab-fuzz-replay-TARGET [--known-crashes FILE] PATH...
//
// A PATH is a regular file or a directory (its regular files, recursively, in name order).
// Each input's path is printed before it runs, so a crash leaves it in the log. An input
// listed in FILE (lines "TARGET/NAME | SIGNATURE | REASON", see
// tests/data/fuzz/known-crashes.txt) is not run: the reason is printed and, if nothing else
// ran, the exit status is 77 (CTest: skipped).
// As libFuzzer does with -timeout=20 -rss_limit_mb=2048, an input that runs longer than 20 s
// or grows the process beyond 2048 MB aborts it (a hang or a memory blow-up is a failure).

#include "fuzz-support.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace
{

/// Exit status CTest reports as "skipped" (SKIP_RETURN_CODE).
constexpr int EXIT_SKIPPED = 77;

/// Seconds one input may run, as libFuzzer's -timeout=20 in ./build.sh fuzz.
constexpr int INPUT_TIMEOUT_S = 20;

/// Resident memory the process may reach, as libFuzzer's -rss_limit_mb in ./build.sh fuzz.
constexpr long RSS_LIMIT_MB = 2048;

/// When the current input started (steady clock, ms); 0 between inputs.
std::atomic<long long> g_inputStartMs{0};

/// \return the steady clock in ms
long long
NowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// \return the process's resident memory in MB (0 if unknown)
long
ResidentMb()
{
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

/// Abort the process when an input runs too long or the process grows too large.
void
Watchdog()
{
    while (true)
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        long long start = g_inputStartMs.load();
        if (start != 0 && NowMs() - start > INPUT_TIMEOUT_S * 1000LL)
        {
            std::cerr << "replay: TIMEOUT: the input ran longer than " << INPUT_TIMEOUT_S << " s"
                      << std::endl;
            std::abort();
        }
        long rss = ResidentMb();
        if (rss > RSS_LIMIT_MB)
        {
            std::cerr << "replay: OUT OF MEMORY: " << rss << " MB resident, limit " << RSS_LIMIT_MB
                      << " MB" << std::endl;
            std::abort();
        }
    }
}

/// \param s text \return it without leading and trailing blanks
std::string
Trim(const std::string& s)
{
    size_t b = s.find_first_not_of(" \t\r");
    size_t e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/**
 * \param path known-crashes.txt
 * \return "TARGET/NAME" -> reason, for every line that is not blank or a comment
 */
std::map<std::string, std::string>
ReadKnownCrashes(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
    {
        throw std::runtime_error(path + ": cannot open for reading");
    }
    std::map<std::string, std::string> known;
    std::string line;
    while (std::getline(in, line))
    {
        line = Trim(line);
        if (line.empty() || line[0] == '#')
        {
            continue;
        }
        size_t bar1 = line.find('|');
        size_t bar2 = bar1 == std::string::npos ? bar1 : line.find('|', bar1 + 1);
        if (bar2 == std::string::npos)
        {
            throw std::runtime_error(path + ": '" + line +
                                     "' is not 'TARGET/NAME | SIGNATURE | REASON'");
        }
        known.emplace(Trim(line.substr(0, bar1)), Trim(line.substr(bar2 + 1))); // first wins
    }
    return known;
}

/// \param path an input \return "TARGET/NAME": its directory's name and its own
std::string
RegressionKey(const fs::path& path)
{
    return path.parent_path().filename().string() + "/" + path.filename().string();
}

/// \param paths files and directories \return the files, directories expanded in name order
std::vector<fs::path>
ExpandInputs(const std::vector<std::string>& paths)
{
    std::vector<fs::path> files;
    for (const auto& p : paths)
    {
        if (!fs::is_directory(p))
        {
            if (!fs::is_regular_file(p))
            {
                throw std::runtime_error(p + ": not a regular file (an input must be one)");
            }
            files.emplace_back(p);
            continue;
        }
        std::vector<fs::path> inDir;
        for (const auto& e : fs::recursive_directory_iterator(p))
        {
            if (e.is_regular_file())
            {
                inDir.push_back(e.path());
            }
        }
        std::sort(inDir.begin(), inDir.end());
        files.insert(files.end(), inDir.begin(), inDir.end());
    }
    return files;
}

/// Run one input through the target.
void
Replay(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        throw std::runtime_error(path.string() + ": cannot open for reading");
    }
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::cout << "replaying " << path.string() << " (" << bytes.size() << " bytes)" << std::endl;
    g_inputStartMs = NowMs();
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    g_inputStartMs = 0;
}

} // namespace

int
main(int argc, char** argv)
{
    std::vector<std::string> paths;
    std::map<std::string, std::string> known;
    std::vector<fs::path> files;
    try
    {
        for (int i = 1; i < argc; ++i)
        {
            std::string a = argv[i];
            if (a == "--known-crashes" && i + 1 < argc)
            {
                known = ReadKnownCrashes(argv[++i]);
            }
            else
            {
                paths.push_back(a);
            }
        }
        files = ExpandInputs(paths);
    }
    catch (const std::exception& e)
    {
        std::cerr << "replay: " << e.what() << "\n";
        return 1;
    }
    if (files.empty())
    {
        std::cerr << "replay: no inputs (usage: " << argv[0]
                  << " [--known-crashes FILE] PATH...)\n";
        return 1;
    }
    // An exception escaping the target is not caught here: like libFuzzer, the process
    // aborts and the test fails.
    std::thread(Watchdog).detach();
    size_t ran = 0;
    for (const auto& f : files)
    {
        auto k = known.find(RegressionKey(f));
        if (k != known.end())
        {
            std::cout << "SKIPPED " << f.string()
                      << ": a known crash, listed in known-crashes.txt: " << k->second << std::endl;
            continue;
        }
        Replay(f);
        ++ran;
    }
    std::cout << "replayed " << ran << " of " << files.size() << " inputs" << std::endl;
    return ran == 0 ? EXIT_SKIPPED : 0;
}
