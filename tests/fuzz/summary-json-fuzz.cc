/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Fuzz target: a run's summary.json as the collectors read it: JsonValue::Parse, then, as
// CollectSweep and PlotDirectory do, the members they take once their types are checked
// (every number in "metrics", "matches_linux", "scenario"). The documented error channel is
// JsonError (malformed text); nothing else is caught.

#include "fuzz-support.h"
#include "json-value.h"

#include <map>

namespace
{

/// Inputs beyond this are not tried (summaries of the shipped scenarios are a few KiB).
constexpr size_t MAX_INPUT = 16384;

/// What CollectSweep keeps of one point's summary (nothing if it would refuse it).
std::map<std::string, double>
CollectedValues(const portlab::JsonValue& j)
{
    using portlab::JsonValue;
    std::map<std::string, double> values;
    const JsonValue* metrics = j.IsObject() ? j.Find("metrics") : nullptr;
    const JsonValue* matches = j.IsObject() ? j.Find("matches_linux") : nullptr;
    if (metrics == nullptr || !metrics->IsObject() || matches == nullptr ||
        matches->GetType() != JsonValue::Type::BOOL)
    {
        return values;
    }
    for (const auto& [k, v] : metrics->Members())
    {
        if (v.IsNumber())
        {
            values[k] = v.AsDouble();
        }
    }
    values["matches_linux"] = matches->AsBool() ? 1 : 0;
    return values;
}

/// The scenario name PlotDirectory takes ("" if it would refuse the summary).
std::string
ScenarioName(const portlab::JsonValue& j)
{
    const portlab::JsonValue* name = j.IsObject() ? j.Find("scenario") : nullptr;
    return name != nullptr && name->IsString() ? name->AsString() : "";
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
    ScenarioName(j);
    CollectedValues(j);
    return 0;
}
