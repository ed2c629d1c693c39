/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/scenario-judge.h"

#include <algorithm>
#include <cmath>

namespace portlab
{

std::vector<Verdict>
JudgeVerdicts(const ScenarioSpec& spec,
              const std::map<std::string, MetricValue>& measured,
              const LinuxPredictor& predictor)
{
    std::vector<Verdict> verdicts;
    for (const auto& written : spec.expectations)
    {
        Verdict v;
        v.key = written.key;
        std::string name = written.subject + "." + written.metric;
        auto it = measured.find(name);
        MetricValue m;
        if (it != measured.end())
        {
            m = it->second;
        }
        else if (written.metric.compare(0, 7, "failed.") == 0)
        {
            m = MetricValue{true, 0, ""}; // no failure of that kind
        }
        else
        {
            m = MetricValue{false, 0, "none"};
        }
        v.measured = m.ToString();
        // Linux's value: derived by the predictor where it models the metric, unless the
        // command line states it; else as the scenario wrote it, when no override of this run
        // can have changed it.
        Expectation e = written;
        std::string why;
        const bool typedHere = written.origin.file == "--set";
        LinuxPrediction p;
        if (!typedHere && written.kind != Expectation::RECORDED)
        {
            p = predictor.Predict(written.subject, written.metric);
        }
        if (written.kind == Expectation::RECORDED)
        {
            // Recorded on Linux under the scenario's own settings: an override of a key the
            // subject depends on leaves it unverifiable, as a typed value.
            v.source = VerdictSource::RECORDED;
            why = "recorded: " + written.recording + " " + written.recordedCase + " " +
                  written.recordedKey;
            e.kind = written.recordedNumber ? Expectation::NUMBER : Expectation::WORDS;
            const std::string dep = typedHere ? "" : predictor.OverrideAffecting(written);
            if (!dep.empty())
            {
                v.checked = false;
                v.note = "depends on " + dep + ", which this run changed";
            }
        }
        else if (p.derived)
        {
            v.source = VerdictSource::LINUX_MODEL;
            why = p.why;
            if (written.kind == Expectation::PREDICTION && p.expect.kind != Expectation::WORDS)
            {
                e.value = p.expect.value; // the author's tolerance around the derived value
            }
            else
            {
                e = p.expect;
                e.key = written.key;
            }
            if (!p.decidable)
            {
                v.checked = false;
                v.note = p.notChecked;
            }
        }
        else if (written.kind == Expectation::PREDICTION && !typedHere)
        {
            v.source = VerdictSource::LINUX_MODEL;
            const AppSpec* app = nullptr;
            for (const auto& a : spec.apps)
            {
                app = a.name == written.subject ? &a : app;
            }
            e.value = predictor.SteadySuccess(*app, &why);
        }
        else
        {
            v.source = VerdictSource::SCENARIO;
            const std::string dep = typedHere ? "" : predictor.OverrideAffecting(written);
            if (!dep.empty())
            {
                v.checked = false;
                v.note = "depends on " + dep + ", which this run changed";
            }
        }
        switch (e.kind)
        {
        case Expectation::WORDS:
        case Expectation::RECORDED: // read as WORDS or NUMBER above
            v.expected = e.text;
            v.matches = !m.isNumber && m.words == e.text;
            break;
        case Expectation::NUMBER: {
            v.expected = e.op == "=" ? FormatNumber(e.value) : e.op + " " + FormatNumber(e.value);
            double x = m.number;
            v.matches =
                m.isNumber && ((e.op == "=" && x == e.value) || (e.op == ">=" && x >= e.value) ||
                               (e.op == "<=" && x <= e.value) || (e.op == ">" && x > e.value) ||
                               (e.op == "<" && x < e.value));
            break;
        }
        case Expectation::TOLERANCE:
        case Expectation::PREDICTION: {
            double tol = e.relative ? e.tol * std::fabs(e.value) : e.tol;
            v.expected = FormatNumber(e.value) + " +- " + FormatNumber(tol);
            v.matches = m.isNumber && std::fabs(m.number - e.value) <= tol + 1e-12;
            break;
        }
        }
        if (!why.empty())
        {
            v.expected += " (" + why + ")";
        }
        if (!v.checked)
        {
            v.matches = false;
        }
        verdicts.push_back(v);
    }
    return verdicts;
}

bool
MatchesLinux(const std::vector<Verdict>& verdicts)
{
    return std::all_of(verdicts.begin(), verdicts.end(), [](const Verdict& v) {
        return !v.checked || v.matches;
    });
}

} // namespace portlab
