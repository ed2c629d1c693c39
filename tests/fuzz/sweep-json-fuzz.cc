/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Fuzz target: a sweep directory's sweep.json as `portlab collect` and `portlab plot` read it:
// ParseJson, SweepPlan::FromJson, then the plan's points (each point's results
// directory; nothing is read or written there). The documented error channels: JsonError
// (malformed text) and ConfigError (FromJson: a field that is wrong); nothing else is caught.

#include "collect/sweep.h"
#include "fuzz-support.h"
#include "scenario/scenario-config.h"
#include "util/json-text.h"

#include <nlohmann/json.hpp>

namespace
{

/// Inputs beyond this are not tried (a sweep.json is a few hundred bytes).
constexpr size_t MAX_INPUT = 8192;

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace portlab;
    if (size > MAX_INPUT)
    {
        return -1;
    }
    try
    {
        SweepPlan plan = SweepPlan::FromJson(ParseJson(fuzz::InputText(data, size)), "sweep");
        plan.Points();
        DumpJsonPretty(plan.ToJson());
    }
    catch (const JsonError&)
    {
    }
    catch (const ConfigError&)
    {
    }
    return 0;
}
