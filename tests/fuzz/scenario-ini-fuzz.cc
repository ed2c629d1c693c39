/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Fuzz target: scenario INI text plus --set overrides, through everything `portlab run` does
// before the simulation starts: ScenarioFile::Parse, ResolveWithOverrides (extends and --set,
// as LoadScenario does), ParseScenario (with its resource limits), then the per-host sysctls and
// the TIME_WAIT prediction the runner computes from the spec. Input: the INI text, then optionally
// a line "%%" and one KEY=VALUE override a line. The documented error channel is ConfigError;
// nothing else is caught.

#include "fuzz-support.h"
#include "scenario/scenario-config.h"
#include "scenario/scenario-runner.h"
#include "scenario/scenario-spec.h"

#include <algorithm>

namespace
{

using namespace portlab;

/// Inputs beyond this are not tried: a scenario file is small, and longer ones only slow down.
constexpr size_t MAX_INPUT = 16384;

/// Host indexes per group whose sysctls are computed (groups can have thousands of hosts).
constexpr uint32_t MAX_HOSTS_PER_GROUP = 4;

/// What the runner derives from a valid spec without running it.
void
Interpret(const ScenarioSpec& spec)
{
    for (const auto& g : spec.groups)
    {
        for (uint32_t i = 0; i <= std::min(g.count, MAX_HOSTS_PER_GROUP); ++i)
        {
            HostSysctls(spec, g, i);
        }
    }
    for (const auto& e : spec.expectations)
    {
        if (e.kind != Expectation::PREDICTION)
        {
            continue;
        }
        for (const auto& a : spec.apps)
        {
            if (a.name == e.subject)
            {
                std::string why;
                PredictTimeWaitSuccess(spec, a, &why);
            }
        }
    }
}

/// Resolve, override and parse one scenario of the file.
void
ParseOne(const ScenarioFile& file, const std::string& name, const std::vector<std::string>& sets)
{
    std::map<std::string, ValueOrigin> origins;
    auto keys = file.ResolveWithOverrides(name, sets, &origins);
    Interpret(ParseScenario(name, keys, origins));
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > MAX_INPUT)
    {
        return -1;
    }
    fuzz::SplitInput input = fuzz::SplitAtSeparator(fuzz::InputText(data, size));
    ScenarioFile file;
    try
    {
        file = ScenarioFile::Parse(input.head, "fuzz.ini");
    }
    catch (const ConfigError&)
    {
        return 0;
    }
    for (const auto& name : file.Names())
    {
        try
        {
            ParseOne(file, name, input.lines);
        }
        catch (const ConfigError&)
        {
        }
    }
    return 0;
}
