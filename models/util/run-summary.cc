/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "util/run-summary.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace portlab
{

std::map<std::string, double>
SummaryNumbers(const Json& summary, const std::string& path)
{
    const Json* metrics = JsonMember(summary, "metrics");
    const Json* matches = JsonMember(summary, "matches_linux");
    if (metrics == nullptr || !metrics->is_object() || matches == nullptr || !matches->is_boolean())
    {
        throw std::runtime_error("'" + path + "' lacks 'metrics' (an object) or " +
                                 "'matches_linux' (true or false); allowed: a summary.json " +
                                 "written by portlab run (rerun that point: delete its " +
                                 "directory and run the sweep again)");
    }
    std::map<std::string, double> values;
    for (const auto& [k, v] : metrics->items())
    {
        if (v.is_number())
        {
            values[k] = v.get<double>();
        }
    }
    values["matches_linux"] = matches->get<bool>() ? 1 : 0;
    return values;
}

std::string
SummaryScenario(const Json& summary, const std::string& path)
{
    const Json* name = JsonMember(summary, "scenario");
    if (name == nullptr || !name->is_string())
    {
        throw std::runtime_error("'" + path + "' has no scenario name; allowed: a summary.json "
                                 "written by portlab run");
    }
    return name->get<std::string>();
}

} // namespace portlab
