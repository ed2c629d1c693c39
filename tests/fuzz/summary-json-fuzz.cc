/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Fuzz target: a run's summary.json as the collectors read it: JsonValue::Parse, then the
// members `portlab collect` takes (every number in "metrics", "matches_linux") and the one
// `portlab plot` takes ("scenario"). The documented error channel is JsonError (malformed
// text, a missing member or one of the wrong type); nothing else is caught.

#include "fuzz-support.h"
#include "json-value.h"

#include <map>

namespace
{

/// Inputs beyond this are not tried (summaries of the shipped scenarios are a few KiB).
constexpr size_t MAX_INPUT = 16384;

/// What CollectSweep keeps of one point's summary.
std::map<std::string, double>
CollectedValues(const portlab::JsonValue& j)
{
    std::map<std::string, double> values;
    for (const auto& [k, v] : j.At("metrics").Members())
    {
        if (v.IsNumber())
        {
            values[k] = v.AsDouble();
        }
    }
    values["matches_linux"] = j.At("matches_linux").AsBool() ? 1 : 0;
    return values;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace portlab;
    if (size > MAX_INPUT)
    {
        return -1;
    }
    JsonValue j;
    try
    {
        j = JsonValue::Parse(fuzz::InputText(data, size));
        j.Dump();
    }
    catch (const JsonError&)
    {
        return 0;
    }
    try
    {
        j.At("scenario").AsString();
    }
    catch (const JsonError&)
    {
    }
    try
    {
        CollectedValues(j);
    }
    catch (const JsonError&)
    {
    }
    return 0;
}
