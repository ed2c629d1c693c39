/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Fuzz target: socket scripts (`portlab script`), parsed and run on ns-3 by RunSocketScript.
// Each input is one whole simulation, so inputs are kept small and their simulated time
// bounded: a script whose `wait` statements add up to more than MAX_WAIT is not run (the
// harness reads the durations with the scenario units parser, as the script does). Run it
// with -timeout=20 (build.sh fuzz does). The documented error channel is ConfigError; nothing
// else is caught.

#include "fuzz-support.h"
#include "scenario/scenario-config.h"
#include "script/socket-script.h"

#include <sstream>

namespace
{

using namespace portlab;

/// Inputs beyond this are not tried (the shipped scripts are under 1 KiB).
constexpr size_t MAX_INPUT = 2048;

/// Simulated time a script may wait in total: enough for a TIME_WAIT (60 s) to end.
constexpr int64_t MAX_WAIT_NS = 150'000'000'000;

/// \param text a script \return the simulated time its `wait` statements add up to (a wait
/// the script parser would reject counts 0: the script fails before it runs)
int64_t
TotalWaitNs(const std::string& text)
{
    int64_t total = 0;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
    {
        line = line.substr(0, line.find('#'));
        line = line.substr(0, line.find("->"));
        std::istringstream words(line);
        std::string verb;
        std::string duration;
        if (!(words >> verb >> duration) || verb != "wait")
        {
            continue;
        }
        try
        {
            total += std::min(units::ParseDurationNs(duration), MAX_WAIT_NS + 1);
        }
        catch (const ConfigError&)
        {
        }
        if (total > MAX_WAIT_NS)
        {
            return total;
        }
    }
    return total;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > MAX_INPUT)
    {
        return -1;
    }
    std::string text = fuzz::InputText(data, size);
    if (TotalWaitNs(text) > MAX_WAIT_NS)
    {
        return -1;
    }
    try
    {
        RunSocketScript(text, "fuzz.pcs", 1);
    }
    catch (const ConfigError&)
    {
    }
    return 0;
}
