/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Fuzz target: `portlab sweep` arguments on a shipped scenario. MakeSweepPlan parses the
// --vary strings, checks every point's scenario and picks the metric; nothing is written (the
// plan's directory is only named). Input: one argument a line, "set KEY=VALUE" for --set,
// "y METRIC" for --y, anything else a --vary string. The documented error channel is
// ConfigError; nothing else is caught.

#include "fuzz-support.h"
#include "scenario-config.h"
#include "sweep.h"

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
    }
    catch (const ConfigError&)
    {
    }
    return 0;
}
