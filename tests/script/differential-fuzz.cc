/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The differential fuzzer: random socket scripts run on the live kernel and on portlab, every
 * deterministic result compared.
 *
 *   portlab-differential-fuzz check  FIRST LAST [--extended]   fresh seeds: kernel vs model
 *   portlab-differential-fuzz record FIRST LAST FILE    kernel results as expectations, in FILE
 *   portlab-differential-fuzz replay FILE               the model against a recorded FILE
 *
 * Each sequence runs three times on the kernel; a check whose result varied between them is
 * compared nowhere (Linux is not deterministic there), except that an ephemeral port is
 * compared by its range and an address with an ephemeral port by its address. `check` and `replay`
 * print each disagreement and "N of M fuzz sequences agree"; they exit 1 if any disagrees. `check`
 * and `record` need root (network namespaces).
 */

#include "collect/atomic-directory.h"
#include "script/kernel-script.h"
#include "script/script-generator.h"
#include "script/socket-script.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

using namespace portlab;

namespace
{

/// Kernel runs per sequence: a result that differs between them is not a rule.
constexpr int KERNEL_RUNS = 3;

/// Run a recorded script on the model; print its disagreements; \return whether it agrees.
bool
ModelAgrees(const RecordedScript& s, std::ostream& report)
{
    auto d = ModelDisagreements(s);
    for (const auto& line : d)
    {
        report << line << "\n";
    }
    return d.empty();
}

/// The script of a seed with its kernel results as expectations.
std::string
Record(uint64_t seed, bool extended, int* unstable)
{
    ScriptGeneratorOptions options;
    options.extended = extended;
    std::string text = GenerateScript(seed, options);
    ScriptProgram program = ParseScript(text, "seed-" + std::to_string(seed));
    std::vector<std::vector<ScriptCheck>> runs;
    for (int r = 0; r < KERNEL_RUNS; ++r)
    {
        runs.push_back(RunKernelScript(program));
    }
    return RecordExpectations(text, runs, unstable);
}

int
Usage()
{
    std::cerr << "usage: portlab-differential-fuzz check FIRST LAST [--extended] | record FIRST "
                 "LAST FILE [--extended] | replay FILE\n";
    return 2;
}

} // namespace

int
main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty())
    {
        return Usage();
    }
    try
    {
        if (args[0] == "replay" && args.size() == 2)
        {
            auto corpus = ParseRecording(ReadWholeFile(args[1]));
            size_t agree = 0;
            for (const auto& s : corpus)
            {
                agree += ModelAgrees(s, std::cout) ? 1 : 0;
            }
            std::cout << agree << " of " << corpus.size() << " fuzz sequences agree\n";
            return agree == corpus.size() ? 0 : 1;
        }
        bool extended = !args.empty() && args.back() == "--extended";
        if (extended)
        {
            args.pop_back();
        }
        if ((args[0] == "check" && args.size() == 3) || (args[0] == "record" && args.size() == 4))
        {
            uint64_t first = std::stoull(args[1]);
            uint64_t last = std::stoull(args[2]);
            std::ofstream out;
            if (args[0] == "record")
            {
                out.open(args[3], std::ios::app);
            }
            size_t agree = 0;
            size_t total = 0;
            int unstableChecks = 0;
            for (uint64_t seed = first; seed <= last; ++seed)
            {
                int unstable = 0;
                RecordedScript s{seed, Record(seed, extended, &unstable)};
                unstableChecks += unstable;
                ++total;
                agree += ModelAgrees(s, std::cout) ? 1 : 0;
                if (out.is_open())
                {
                    out << "### seed " << seed << "\n" << s.text;
                }
                if (total % 50 == 0)
                {
                    std::cerr << total << " sequences, " << agree << " agree\n";
                }
            }
            std::cout
                << agree << " of " << total << " fuzz sequences agree (seeds " << first << " to "
                << last << "; " << unstableChecks
                << " checks varied between kernel runs and were compared only by what is stable)\n";
            return agree == total ? 0 : 1;
        }
    }
    catch (const std::exception& e)
    {
        std::cerr << "portlab-differential-fuzz: " << e.what() << "\n";
        return 2;
    }
    return Usage();
}
