/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Fuzz target: a results CSV (a run's timeseries.csv, a sweep's points.csv) as `portlab plot`
// reads it: ReadCsv, then the columns the figures take, as text and as numbers. ReadCsv only
// reads files, so each input goes through a file in the target's private temporary directory.
// The documented error channels: std::runtime_error from ReadCsv and Numbers (a field that is
// not a number), std::out_of_range from Column for a column that does not exist; nothing else
// is caught.

#include "fuzz-support.h"
#include "plots/csv-table.h"

#include <stdexcept>

namespace
{

using namespace portlab;

/// Inputs beyond this are not tried (one run's timeseries of a shipped scenario is ~1 KiB).
constexpr size_t MAX_INPUT = 16384;

/// Columns PlotRun and PlotSweep read by name.
const std::vector<std::string> NAMED_COLUMNS =
    {"host", "time_s", "tcp_time_wait", "tcp_established", "connects_ok", "seed"};

/// Read every column as text and as numbers, as the figures do.
void
ReadColumns(const CsvTable& t)
{
    for (const auto& c : t.Header())
    {
        t.Column(c);
        try
        {
            t.Numbers(c);
        }
        catch (const std::runtime_error&)
        {
        }
    }
    for (const auto& c : NAMED_COLUMNS)
    {
        try
        {
            t.Numbers(c);
        }
        catch (const std::out_of_range&)
        {
        }
        catch (const std::runtime_error&)
        {
        }
    }
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > MAX_INPUT)
    {
        return -1;
    }
    std::string path = fuzz::WritePrivateFile("input.csv", fuzz::InputText(data, size));
    try
    {
        ReadColumns(ReadCsv(path));
    }
    catch (const std::runtime_error&)
    {
    }
    return 0;
}
