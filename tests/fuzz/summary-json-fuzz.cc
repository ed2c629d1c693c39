/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Fuzz target: a run's summary.json as the collectors read it: ParseJson, then
// SummaryNumbers and SummaryScenario, which CollectSweep and PlotDirectory call. The documented
// error channels are JsonError (malformed text) and their runtime_error (a summary they
// refuse); nothing else is caught.

#include "fuzz-support.h"
#include "util/json-text.h"
#include "util/run-summary.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace
{

/// Inputs beyond this are not tried (summaries of the shipped scenarios are a few KiB).
constexpr size_t MAX_INPUT = 16384;

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace portlab;
    if (size > MAX_INPUT)
    {
        return -1;
    }
    Json j;
    try
    {
        j = ParseJson(fuzz::InputText(data, size));
        DumpJson(j);
    }
    catch (const JsonError&)
    {
        return 0;
    }
    // What collect and plot take from it; a summary they refuse is a runtime_error.
    try
    {
        SummaryNumbers(j, "summary.json");
    }
    catch (const std::runtime_error&)
    {
    }
    try
    {
        SummaryScenario(j, "summary.json");
    }
    catch (const std::runtime_error&)
    {
    }
    return 0;
}
