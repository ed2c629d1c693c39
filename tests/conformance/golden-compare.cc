/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "golden-compare.h"

#include <cmath>
#include <sstream>

namespace portlab
{

namespace
{

/// Tolerance for a hash spread: each share within this fraction of the mean.
constexpr double TCP_REUSEPORT_TOLERANCE = 0.30;
constexpr double UDP_REUSEPORT_TOLERANCE = 0.50;
/// UDP bind(0) has no parity preference: each parity gets at least this share of 50 draws.
constexpr int UDP_MIN_PER_PARITY = 10;

void
Record(GoldenReport& report,
       const std::string& name,
       bool ok,
       const std::string& expected,
       const std::string& got,
       const std::string& rule)
{
    ++report.total;
    if (ok)
    {
        ++report.agree;
    }
    else
    {
        report.mismatches.push_back(GoldenMismatch{name, expected, got, rule});
    }
}

/// Each element within tol of the mean of `expected`'s total, same length and same total.
bool
SpreadAgrees(const JsonValue& expected, const JsonValue& got, double tol)
{
    if (!expected.IsArray() || !got.IsArray() || expected.Items().size() != got.Items().size() ||
        expected.Items().empty())
    {
        return false;
    }
    int64_t total = 0;
    int64_t gotTotal = 0;
    for (const auto& v : expected.Items())
    {
        total += v.AsInt();
    }
    for (const auto& v : got.Items())
    {
        gotTotal += v.AsInt();
    }
    if (total != gotTotal)
    {
        return false;
    }
    double mean = static_cast<double>(total) / static_cast<double>(expected.Items().size());
    for (const auto& v : got.Items())
    {
        if (std::fabs(static_cast<double>(v.AsInt()) - mean) > tol * mean)
        {
            return false;
        }
    }
    return true;
}

std::string
Percent(double f)
{
    return std::to_string(static_cast<int>(std::lround(f * 100))) + "%";
}

} // namespace

std::string
GoldenReport::Summary() const
{
    std::ostringstream out;
    out << agree << " of " << total << " golden cases agree\n";
    for (const auto& m : mismatches)
    {
        out << "  DISAGREE " << m.caseName << ": Linux " << m.expected << ", got " << m.got << " ("
            << m.rule << ")\n";
    }
    return out.str();
}

void
CompareGoldenCase(const std::string& name,
                  const JsonValue& expected,
                  const JsonValue& got,
                  GoldenReport& report)
{
    const std::string exact = "exact";
    if (name == "bind_matrix")
    {
        for (const auto& [pair, value] : expected.Members())
        {
            const JsonValue* g = got.Find(pair);
            Record(report,
                   "bind_matrix: " + pair,
                   g != nullptr && *g == value,
                   value.Dump(),
                   g ? g->Dump() : "nothing",
                   exact);
        }
        return;
    }
    if (name == "udp_reuse_delivery")
    {
        const JsonValue* ra = got.Find("reuseaddr");
        const JsonValue* rp = got.Find("reuseport");
        bool ok = ra != nullptr && *ra == expected.At("reuseaddr") && rp != nullptr &&
                  SpreadAgrees(expected.At("reuseport"), *rp, UDP_REUSEPORT_TOLERANCE);
        Record(report,
               name,
               ok,
               expected.Dump(),
               got.Dump(),
               "reuseaddr exact (most recently bound gets all); reuseport: same total, each "
               "socket within " +
                   Percent(UDP_REUSEPORT_TOLERANCE) + " of an even share");
        return;
    }
    if (name == "tcp_reuseport_balance")
    {
        const JsonValue* g = got.Find("accepted_per_listener");
        bool ok = g != nullptr &&
                  SpreadAgrees(expected.At("accepted_per_listener"), *g, TCP_REUSEPORT_TOLERANCE);
        Record(report,
               name,
               ok,
               expected.Dump(),
               got.Dump(),
               "same total, each listener within " + Percent(TCP_REUSEPORT_TOLERANCE) +
                   " of an even share");
        return;
    }
    if (name == "ephemeral_parity")
    {
        bool ok = true;
        for (const char* key : {"connect", "bind0", "range"})
        {
            const JsonValue* g = got.Find(key);
            ok = ok && g != nullptr && *g == expected.At(key);
        }
        const JsonValue* u = got.Find("udp_bind0");
        ok = ok && u != nullptr && u->At("even").AsInt() >= UDP_MIN_PER_PARITY &&
             u->At("odd").AsInt() >= UDP_MIN_PER_PARITY;
        const JsonValue* steps = got.Find("connect_sequential_steps");
        const int draws =
            expected.At("connect").At("even").AsInt() + expected.At("connect").At("odd").AsInt();
        ok = ok && steps != nullptr && steps->AsInt() < draws / 2;
        Record(report,
               name,
               ok,
               expected.Dump(),
               got.Dump(),
               "connect/bind0 parity and range exact; UDP bind(0) both parities (>= " +
                   std::to_string(UDP_MIN_PER_PARITY) +
                   " each); connect() not sequential (< half the steps are +1/+2)");
        return;
    }
    Record(report, name, got == expected, expected.Dump(), got.Dump(), exact);
}

JsonValue
ParityJson(const std::vector<int>& ports)
{
    int even = 0;
    for (int p : ports)
    {
        even += p % 2 == 0 ? 1 : 0;
    }
    JsonValue o = JsonValue::Object();
    o.Set("even", even);
    o.Set("odd", static_cast<int>(ports.size()) - even);
    return o;
}

int
SequentialSteps(const std::vector<int>& ports)
{
    int steps = 0;
    for (size_t i = 1; i < ports.size(); ++i)
    {
        int d = ports[i] - ports[i - 1];
        steps += (d == 1 || d == 2) ? 1 : 0;
    }
    return steps;
}

std::vector<std::pair<std::string, JsonValue>>
ParseGoldenLines(const std::string& text)
{
    std::vector<std::pair<std::string, JsonValue>> out;
    std::istringstream in(text);
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line))
    {
        ++lineNo;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
        {
            continue;
        }
        try
        {
            JsonValue v = JsonValue::Parse(line);
            out.emplace_back(v.At("case").AsString(), v.At("result"));
        }
        catch (const JsonError& e)
        {
            throw JsonError("line " + std::to_string(lineNo) + ": " + e.what());
        }
    }
    return out;
}

} // namespace portlab
