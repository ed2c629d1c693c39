/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "run-summary.h"

#include <stdexcept>

namespace portlab
{

std::map<std::string, double>
SummaryNumbers(const JsonValue& summary, const std::string& path)
{
    const JsonValue* metrics = summary.IsObject() ? summary.Find("metrics") : nullptr;
    const JsonValue* matches = summary.IsObject() ? summary.Find("matches_linux") : nullptr;
    if (metrics == nullptr || !metrics->IsObject() || matches == nullptr ||
        matches->GetType() != JsonValue::Type::BOOL)
    {
        throw std::runtime_error("'" + path + "' lacks 'metrics' (an object) or " +
                                 "'matches_linux' (true or false); allowed: a summary.json " +
                                 "written by portlab run (rerun that point: delete its " +
                                 "directory and run the sweep again)");
    }
    std::map<std::string, double> values;
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

std::string
SummaryScenario(const JsonValue& summary, const std::string& path)
{
    const JsonValue* name = summary.IsObject() ? summary.Find("scenario") : nullptr;
    if (name == nullptr || !name->IsString())
    {
        throw std::runtime_error("'" + path + "' has no scenario name; allowed: a summary.json "
                                 "written by portlab run");
    }
    return name->AsString();
}

} // namespace portlab
