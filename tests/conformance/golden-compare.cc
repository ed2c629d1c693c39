/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "golden-compare.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

namespace portlab
{

namespace
{

/// Tolerance for a hash spread: each share within this fraction of the mean. The recorded TCP
/// case spreads 400 connections over 4 listeners: a count's standard deviation is
/// sqrt(400 x 1/4 x 3/4) = 8.7 around 100, so 0.45 is 5.2 standard deviations. 0.30 (3.5) was
/// exceeded by the live kernel itself ([85, 88, 96, 131] on 6.18.44): a kernel that agreed with
/// its own recording failed the comparison about once in a few hundred runs.
constexpr double TCP_REUSEPORT_TOLERANCE = 0.45;
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

/// Equal values, objects regardless of key order (nlohmann::json keeps its keys sorted); an
/// integer equals a real of the same value.
bool
Same(const Json& a, const Json& b)
{
    return nlohmann::json(a) == nlohmann::json(b);
}

/// Each element within tol of the mean of `expected`'s total, same length and same total.
bool
SpreadAgrees(const Json& expected, const Json& got, double tol)
{
    if (!expected.is_array() || !got.is_array() || expected.size() != got.size() ||
        expected.empty())
    {
        return false;
    }
    int64_t total = 0;
    int64_t gotTotal = 0;
    for (const auto& v : expected)
    {
        total += v.get<int64_t>();
    }
    for (const auto& v : got)
    {
        gotTotal += v.get<int64_t>();
    }
    if (total != gotTotal)
    {
        return false;
    }
    double mean = static_cast<double>(total) / static_cast<double>(expected.size());
    for (const auto& v : got)
    {
        if (std::fabs(static_cast<double>(v.get<int64_t>()) - mean) > tol * mean)
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
                  const Json& expected,
                  const Json& got,
                  GoldenReport& report)
{
    const std::string exact = "exact";
    if (name == "bind_matrix" || name == "listen_matrix" || name == "mapped_any_pairs")
    {
        // One case per pair (the dual-stack recording adds the last two).
        for (const auto& [pair, value] : expected.items())
        {
            const Json* g = JsonMember(got, pair);
            Record(report,
                   name + ": " + pair,
                   g != nullptr && Same(*g, value),
                   DumpJson(value),
                   g ? DumpJson(*g) : "nothing",
                   exact);
        }
        return;
    }
    if (name == "udp_reuse_delivery")
    {
        const Json* ra = JsonMember(got, "reuseaddr");
        const Json* rp = JsonMember(got, "reuseport");
        bool ok = ra != nullptr && Same(*ra, expected.at("reuseaddr")) && rp != nullptr &&
                  SpreadAgrees(expected.at("reuseport"), *rp, UDP_REUSEPORT_TOLERANCE);
        Record(report,
               name,
               ok,
               DumpJson(expected),
               DumpJson(got),
               "reuseaddr exact (most recently bound gets all); reuseport: same total, each "
               "socket within " +
                   Percent(UDP_REUSEPORT_TOLERANCE) + " of an even share");
        return;
    }
    if (name == "tcp_reuseport_balance")
    {
        const Json* g = JsonMember(got, "accepted_per_listener");
        bool ok = g != nullptr &&
                  SpreadAgrees(expected.at("accepted_per_listener"), *g, TCP_REUSEPORT_TOLERANCE);
        Record(report,
               name,
               ok,
               DumpJson(expected),
               DumpJson(got),
               "same total, each listener within " + Percent(TCP_REUSEPORT_TOLERANCE) +
                   " of an even share");
        return;
    }
    if (name == "ephemeral_parity")
    {
        bool ok = true;
        for (const char* key : {"connect", "bind0", "range"})
        {
            const Json* g = JsonMember(got, key);
            ok = ok && g != nullptr && Same(*g, expected.at(key));
        }
        const Json* u = JsonMember(got, "udp_bind0");
        ok = ok && u != nullptr && u->at("even").get<int64_t>() >= UDP_MIN_PER_PARITY &&
             u->at("odd").get<int64_t>() >= UDP_MIN_PER_PARITY;
        const Json* steps = JsonMember(got, "connect_sequential_steps");
        const int draws = expected.at("connect").at("even").get<int64_t>() +
                          expected.at("connect").at("odd").get<int64_t>();
        ok = ok && steps != nullptr && steps->get<int64_t>() < draws / 2;
        Record(report,
               name,
               ok,
               DumpJson(expected),
               DumpJson(got),
               "connect/bind0 parity and range exact; UDP bind(0) both parities (>= " +
                   std::to_string(UDP_MIN_PER_PARITY) +
                   " each); connect() not sequential (< half the steps are +1/+2)");
        return;
    }
    Record(report, name, Same(got, expected), DumpJson(expected), DumpJson(got), exact);
}

Json
ParityJson(const std::vector<int>& ports)
{
    int even = 0;
    for (int p : ports)
    {
        even += p % 2 == 0 ? 1 : 0;
    }
    Json o = Json::object();
    o["even"] = even;
    o["odd"] = static_cast<int>(ports.size()) - even;
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

std::vector<std::pair<std::string, Json>>
ParseGoldenLines(const std::string& text)
{
    std::vector<std::pair<std::string, Json>> out;
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
            Json v = ParseJson(line);
            out.emplace_back(v.at("case").get<std::string>(), v.at("result"));
        }
        catch (const JsonError& e)
        {
            throw JsonError("line " + std::to_string(lineNo) + ": " + e.what());
        }
        catch (const Json::exception& e) // no "case" or "result", or a case that is no string
        {
            throw JsonError("line " + std::to_string(lineNo) + ": " + e.what());
        }
    }
    return out;
}

} // namespace portlab
