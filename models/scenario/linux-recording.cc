/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/linux-recording.h"

#include "scenario/linux-predictor.h"
#include "scenario/scenario-config.h"
#include "util/json-text.h"

#include <ns3/log.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

NS_LOG_COMPONENT_DEFINE("PortlabLinuxRecording");

namespace portlab
{

namespace fs = std::filesystem;

namespace
{

/// One recording: case -> result object.
using Recording = std::map<std::string, Json>;

std::string
Joined(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& n : names)
    {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out.empty() ? "(none)" : out;
}

Recording
LoadRecording(const std::string& path, const std::string& key)
{
    std::ifstream in(path);
    Recording r;
    std::string line;
    size_t number = 0;
    while (std::getline(in, line))
    {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
        {
            continue;
        }
        try
        {
            Json j = ParseJson(line);
            if (!j.is_object() || !j.contains("case") || !j["case"].is_string() ||
                !j.contains("result") || !j["result"].is_object())
            {
                throw JsonError("not {\"case\": NAME, \"result\": {...}}");
            }
            r[j["case"].get<std::string>()] = j["result"];
        }
        catch (const JsonError& e)
        {
            throw ConfigError(key + ": recording " + path + " line " + std::to_string(number) +
                              ": " + e.what());
        }
    }
    return r;
}

} // namespace

std::vector<std::string>
RecordingNames(const std::string& dir)
{
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    {
        const fs::path p = it->path();
        if (p.extension() == ".jsonl")
        {
            out.push_back(p.stem().string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

void
ResolveRecordedExpectations(ScenarioSpec& spec, const std::string& dir)
{
    std::map<std::string, Recording> loaded;
    for (auto& e : spec.expectations)
    {
        if (e.kind != Expectation::RECORDED)
        {
            continue;
        }
        const std::vector<std::string> names = RecordingNames(dir);
        if (std::find(names.begin(), names.end(), e.recording) == names.end())
        {
            throw ConfigError(e.key + ": no recording '" + e.recording + "' in " + dir +
                              "; allowed: " + Joined(names));
        }
        auto it = loaded.find(e.recording);
        if (it == loaded.end())
        {
            it = loaded
                     .emplace(
                         e.recording,
                         LoadRecording((fs::path(dir) / (e.recording + ".jsonl")).string(), e.key))
                     .first;
        }
        const Recording& r = it->second;
        auto c = r.find(e.recordedCase);
        if (c == r.end())
        {
            std::vector<std::string> cases;
            for (const auto& [n, v] : r)
            {
                cases.push_back(n);
            }
            throw ConfigError(e.key + ": recording '" + e.recording + "' has no case '" +
                              e.recordedCase + "'; allowed: " + Joined(cases));
        }
        if (!c->second.contains(e.recordedKey))
        {
            std::vector<std::string> keys;
            for (const auto& [k, v] : c->second.items())
            {
                keys.push_back("'" + k + "'");
            }
            throw ConfigError(e.key + ": case '" + e.recordedCase + "' of recording '" +
                              e.recording + "' has no key '" + e.recordedKey +
                              "'; allowed: " + Joined(keys));
        }
        const Json& v = c->second[e.recordedKey];
        if (v.is_string())
        {
            e.text = v.get<std::string>();
            e.recordedNumber = false;
        }
        else if (v.is_number())
        {
            e.value = v.get<double>();
            e.text = FormatNumber(e.value);
            e.recordedNumber = true;
        }
        else
        {
            throw ConfigError(e.key + ": the value of '" + e.recordedKey + "' in case '" +
                              e.recordedCase + "' of recording '" + e.recording + "' is " +
                              DumpJson(v) + "; allowed: a string or a number");
        }
        NS_LOG_INFO(e.key << " = " << e.text << " (recorded)");
    }
}

} // namespace portlab
