/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Fuzz target: `portlab sweep` arguments on a shipped scenario. MakeSweepPlan parses the
// --vary strings, checks every point's scenario and picks the metric; nothing is written (the
// plan's directory is only named). Input: one argument a line, "set KEY=VALUE" for --set,
// "y METRIC" for --y, "remote DIR" for --remote-root, "portlab PATH" for --remote-portlab,
// anything else a --vary string. The plan's job lines (JobLines: nothing is written) must be
// one line each, start with 'cd ROOT && ' when a root is given, and name no path outside the
// working directory. The documented error channel is ConfigError; nothing else is caught.

#include "collect/sweep.h"
#include "fuzz-support.h"
#include "scenario/scenario-config.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

namespace
{

using namespace portlab;

/// Inputs beyond this are not tried (a command line is short).
constexpr size_t MAX_INPUT = 2048;

/// The scenario every plan is for: groups, several apps and expectations.
const std::string SCENARIO = PORTLAB_FUZZ_SCENARIO;

/// The arguments of one sweep command line.
struct SweepArguments
{
    std::vector<std::string> sets; //!< --set
    std::vector<std::string> vary; //!< --vary
    std::string y;                 //!< --y
    JobTarget target{"portlab", ""}; //!< --remote-portlab, --remote-root
};

/// \param text the input \return the arguments it encodes
SweepArguments
ReadArguments(const std::string& text)
{
    SweepArguments args;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
    {
        if (line.rfind("set ", 0) == 0)
        {
            args.sets.push_back(line.substr(4));
        }
        else if (line.rfind("y ", 0) == 0)
        {
            args.y = line.substr(2);
        }
        else if (line.rfind("remote ", 0) == 0)
        {
            args.target.remoteRoot = line.substr(7);
        }
        else if (line.rfind("portlab ", 0) == 0)
        {
            args.target.portlab = line.substr(8);
        }
        else
        {
            args.vary.push_back(line);
        }
    }
    return args;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > MAX_INPUT)
    {
        return -1;
    }
    SweepArguments args = ReadArguments(fuzz::InputText(data, size));
    try
    {
        SweepPlan plan = MakeSweepPlan(SCENARIO, args.sets, args.vary, 2, 1, args.y, "");
        plan.Points();
        DumpJson(plan.ToJson());
        for (const auto& line : JobLines(plan, args.target))
        {
            if (line.find('\n') != std::string::npos ||
                (!args.target.remoteRoot.empty() &&
                 line.rfind("cd " + ShellQuote(args.target.remoteRoot) + " && ", 0) != 0) ||
                (!args.target.remoteRoot.empty() && line.find("'--out' '/") != std::string::npos))
            {
                std::abort();
            }
        }
    }
    catch (const ConfigError&)
    {
    }
    return 0;
}
