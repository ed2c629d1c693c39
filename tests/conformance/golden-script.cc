/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "golden-script.h"

#include "scenario/scenario-config.h"
#include "script/kernel-script.h"
#include "script/socket-script.h"
#include "table-script.h"

#include <algorithm>
#include <cctype>
#include <dirent.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace portlab
{

namespace
{

/// Reads the words and JSON strings of one `#=` annotation.
class AnnotationReader
{
  public:
    AnnotationReader(std::string text, std::string where)
        : m_text(std::move(text)),
          m_where(std::move(where))
    {
    }

    [[noreturn]] void Fail(const std::string& what) const
    {
        throw ConfigError(m_where + ": " + what + " in the annotation '#=" + m_text +
                          "'; allowed: set \"K\" [\"T\"], append \"K\" \"T\", count \"K\" [I], "
                          "first-fail \"K\", parity \"K\", steps \"K\", listen-queues \"K\" "
                          "(';' between them), or on a line of its own const \"K\" JSON or "
                          "runs-on table|transport|kernel...");
    }

    bool AtEnd()
    {
        SkipSpace();
        return m_pos >= m_text.size();
    }

    char Peek()
    {
        SkipSpace();
        return m_pos < m_text.size() ? m_text[m_pos] : '\0';
    }

    std::string Word()
    {
        SkipSpace();
        size_t start = m_pos;
        while (m_pos < m_text.size() && !std::isspace(static_cast<unsigned char>(m_text[m_pos])) &&
               m_text[m_pos] != ';')
        {
            ++m_pos;
        }
        if (start == m_pos)
        {
            Fail("a word is missing");
        }
        return m_text.substr(start, m_pos - start);
    }

    std::string String()
    {
        if (Peek() != '"')
        {
            Fail("a \"quoted\" key or text is missing");
        }
        size_t start = m_pos++;
        while (m_pos < m_text.size() && m_text[m_pos] != '"')
        {
            m_pos += m_text[m_pos] == '\\' ? 2 : 1;
        }
        if (m_pos >= m_text.size())
        {
            Fail("an unterminated string");
        }
        ++m_pos;
        try
        {
            return ParseJson(m_text.substr(start, m_pos - start)).get<std::string>();
        }
        catch (const std::exception&)
        {
            Fail("a bad string");
        }
    }

    std::string Rest()
    {
        SkipSpace();
        std::string rest = m_text.substr(m_pos);
        m_pos = m_text.size();
        return rest;
    }

    void EndOfOp()
    {
        if (AtEnd())
        {
            return;
        }
        if (m_text[m_pos] != ';')
        {
            Fail("'" + m_text.substr(m_pos) + "' is unexpected");
        }
        ++m_pos;
    }

  private:
    void SkipSpace()
    {
        while (m_pos < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_pos])))
        {
            ++m_pos;
        }
    }

    std::string m_text;
    std::string m_where;
    size_t m_pos{0};
};

bool
IsErrnoName(const std::string& s)
{
    return s.size() > 1 && s[0] == 'E' && std::all_of(s.begin() + 1, s.end(), [](char c) {
               return std::isupper(static_cast<unsigned char>(c)) ||
                      std::isdigit(static_cast<unsigned char>(c));
           });
}

std::string
Fill(const std::string& tmpl, const std::string& got)
{
    std::string out = tmpl;
    auto at = out.find("{}");
    return at == std::string::npos ? out : out.replace(at, 2, got);
}

/// "LISTEN=1 TIME-WAIT=10" (or "none") as the probe's {"LISTEN": 1, "TIME-WAIT": 10}.
bool
SsCountsJson(const std::string& text, Json& out)
{
    out = Json::object();
    if (text == "none")
    {
        return true;
    }
    std::istringstream in(text);
    std::string word;
    while (in >> word)
    {
        auto eq = word.find('=');
        if (eq == std::string::npos || eq + 1 >= word.size())
        {
            return false;
        }
        try
        {
            out[word.substr(0, eq)] = std::stoi(word.substr(eq + 1));
        }
        catch (const std::exception&)
        {
            return false;
        }
    }
    return true;
}

bool
PortNumber(const std::string& s, int& port)
{
    if (s.empty() || s.size() > 5 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    {
        return false;
    }
    port = std::stoi(s);
    return port <= 65535;
}

} // namespace

const char*
GoldenBackendName(GoldenBackend b)
{
    switch (b)
    {
    case GoldenBackend::TABLE:
        return "table";
    case GoldenBackend::TRANSPORT:
        return "transport";
    case GoldenBackend::KERNEL:
        return "kernel";
    }
    return "?";
}

GoldenScript
ParseGoldenScript(const std::string& text, const std::string& name)
{
    GoldenScript g;
    g.name = name;
    g.program = ParseScript(text, name + ".pcs");
    g.backends = {GoldenBackend::TABLE, GoldenBackend::TRANSPORT, GoldenBackend::KERNEL};
    std::map<int, const ScriptStatement*> byLine;
    for (const auto& s : g.program.statements)
    {
        byLine[s.line] = &s;
    }
    std::set<std::string> seen;
    auto note = [&](const std::string& key) {
        if (seen.insert(key).second)
        {
            g.keys.push_back(key);
        }
    };
    std::istringstream in(text);
    std::string raw;
    int lineNo = 0;
    while (std::getline(in, raw))
    {
        ++lineNo;
        auto hash = raw.find('#');
        if (hash == std::string::npos || raw.compare(hash, 2, "#=") != 0)
        {
            continue;
        }
        const std::string where = name + ".pcs:" + std::to_string(lineNo);
        AnnotationReader r(raw.substr(hash + 2), where);
        const bool alone = raw.find_first_not_of(" \t") == hash;
        if (alone)
        {
            std::string op = r.Word();
            if (op == "runs-on")
            {
                g.backends.clear();
                std::istringstream words(r.Rest());
                std::string w;
                while (words >> w)
                {
                    if (w == "table" || w == "transport" || w == "kernel")
                    {
                        g.backends.push_back(w == "table"       ? GoldenBackend::TABLE
                                             : w == "transport" ? GoldenBackend::TRANSPORT
                                                                : GoldenBackend::KERNEL);
                    }
                    else
                    {
                        r.Fail("unknown interpreter '" + w + "'");
                    }
                }
            }
            else if (op == "const")
            {
                GoldenFold f;
                f.op = op;
                f.key = r.String();
                try
                {
                    f.value = ParseJson(r.Rest());
                }
                catch (const JsonError&)
                {
                    r.Fail("a bad JSON value");
                }
                note(f.key);
                g.constants.push_back(f);
            }
            else
            {
                r.Fail("'" + op + "' on a line of its own");
            }
            continue;
        }
        auto st = byLine.find(lineNo);
        if (st == byLine.end() || !st->second->hasExpectation)
        {
            throw ConfigError(where + ": an annotation on a line that checks nothing; allowed "
                                      "on a statement with '-> EXPECTED'");
        }
        while (!r.AtEnd())
        {
            GoldenFold f;
            f.op = r.Word();
            f.key = r.String();
            if (f.op == "set")
            {
                if (r.Peek() == '"')
                {
                    f.text = r.String();
                }
                f.countForm = f.text.empty() && st->second->verb == ScriptVerb::SS &&
                              st->second->value.empty();
            }
            else if (f.op == "append")
            {
                f.text = r.String();
            }
            else if (f.op == "count")
            {
                if (std::isdigit(static_cast<unsigned char>(r.Peek())))
                {
                    f.index = std::stoi(r.Word());
                }
            }
            else if (f.op != "first-fail" && f.op != "parity" && f.op != "steps" &&
                     f.op != "listen-queues")
            {
                r.Fail("unknown operation '" + f.op + "'");
            }
            r.EndOfOp();
            note(f.key);
            g.folds[lineNo].push_back(f);
        }
    }
    return g;
}

std::vector<GoldenScript>
LoadGoldenScripts(const std::string& dir)
{
    std::vector<std::string> files;
    DIR* d = opendir(dir.c_str());
    if (d == nullptr)
    {
        throw std::runtime_error("cannot read the directory " + dir);
    }
    while (dirent* e = readdir(d))
    {
        std::string f = e->d_name;
        if (f.size() > 4 && f.compare(f.size() - 4, 4, ".pcs") == 0)
        {
            files.push_back(f);
        }
    }
    closedir(d);
    std::sort(files.begin(), files.end());
    std::vector<GoldenScript> out;
    for (const auto& f : files)
    {
        std::ifstream in(dir + "/" + f);
        std::stringstream buf;
        buf << in.rdbuf();
        out.push_back(ParseGoldenScript(buf.str(), f.substr(0, f.size() - 4)));
    }
    return out;
}

bool
GoldenRunsOn(const GoldenScript& g, GoldenBackend b)
{
    return std::find(g.backends.begin(), g.backends.end(), b) != g.backends.end();
}

GoldenRun
FoldGoldenChecks(const GoldenScript& g, const std::vector<ScriptCheck>& checks)
{
    GoldenRun run;
    run.result = Json::object();
    std::map<std::string, std::vector<int>> ports;
    std::map<std::string, int> seen; // first-fail: lines of the key so far
    // Keys in the order the script first names them; counts start at 0, first-fail at null.
    for (const auto& key : g.keys)
    {
        run.result[key] = nullptr;
    }
    for (const auto& [line, folds] : g.folds)
    {
        for (const GoldenFold& f : folds)
        {
            if (f.op == "count" && f.index < 0)
            {
                run.result[f.key] = 0;
            }
            else if (f.op == "count")
            {
                Json& a = run.result[f.key];
                if (!a.is_array())
                {
                    a = Json::array();
                }
                while (static_cast<int>(a.size()) <= f.index)
                {
                    a.push_back(0);
                }
            }
        }
    }
    for (const GoldenFold& c : g.constants)
    {
        run.result[c.key] = c.value;
    }
    for (const ScriptCheck& c : checks)
    {
        const std::string at = g.name + ".pcs:" + std::to_string(c.line) + " '" + c.text + "'";
        if (!c.ok)
        {
            run.problems.push_back(at + " expected " + c.expected + ", got " + c.got);
        }
        auto it = g.folds.find(c.line);
        if (it == g.folds.end())
        {
            continue;
        }
        const bool success = !IsErrnoName(c.got);
        for (const GoldenFold& f : it->second)
        {
            Json& v = run.result[f.key];
            if (f.op == "set" && f.countForm)
            {
                if (!SsCountsJson(c.got, v))
                {
                    run.problems.push_back(at + " gave '" + c.got + "', not ss counts");
                }
            }
            else if (f.op == "set")
            {
                v = f.text.empty() ? c.got : Fill(f.text, c.got);
            }
            else if (f.op == "append")
            {
                v = (v.is_string() ? v.get<std::string>() : std::string()) + Fill(f.text, c.got);
            }
            else if (f.op == "count")
            {
                Json& n = f.index < 0 ? v : v[f.index];
                n = n.get<int64_t>() + (success ? 1 : 0);
            }
            else if (f.op == "first-fail")
            {
                int index = seen[f.key]++;
                if (v.is_null() && !success)
                {
                    v = Json::array({index, c.got});
                }
            }
            else if (f.op == "parity" || f.op == "steps")
            {
                int port = 0;
                if (PortNumber(c.got, port))
                {
                    ports[f.key].push_back(port);
                }
                else
                {
                    run.problems.push_back(at + " gave '" + c.got + "', not a port");
                }
            }
            else if (f.op == "listen-queues")
            {
                v = Json::array();
                std::istringstream rows(c.got);
                std::string row;
                while (std::getline(rows, row))
                {
                    std::istringstream words(row);
                    std::string netid;
                    std::string state;
                    int64_t recvQ = 0;
                    if (words >> netid >> state >> recvQ && state == "LISTEN")
                    {
                        v.push_back(recvQ);
                    }
                }
            }
        }
    }
    for (const auto& [line, folds] : g.folds)
    {
        for (const GoldenFold& f : folds)
        {
            if (f.op == "parity")
            {
                run.result[f.key] = ParityJson(ports[f.key]);
            }
            else if (f.op == "steps")
            {
                run.result[f.key] = SequentialSteps(ports[f.key]);
            }
        }
    }
    return run;
}

GoldenRun
RunGoldenScript(const GoldenScript& g, GoldenBackend b, uint64_t seed)
{
    switch (b)
    {
    case GoldenBackend::TABLE:
        return FoldGoldenChecks(g, RunTableScript(g.program, seed));
    case GoldenBackend::TRANSPORT:
        return FoldGoldenChecks(g, RunSocketScript(g.program, seed));
    case GoldenBackend::KERNEL:
        return FoldGoldenChecks(g, RunKernelScript(g.program));
    }
    throw std::logic_error("unknown backend");
}

void
CompareGoldenRun(const std::string& name,
                 const Json& expected,
                 const GoldenRun& run,
                 GoldenReport& report)
{
    const int agreed = report.agree;
    CompareGoldenCase(name, expected, run.result, report);
    if (!run.problems.empty())
    {
        report.agree = agreed; // the case disagrees as a whole
        std::string got;
        for (const auto& p : run.problems)
        {
            got += (got.empty() ? "" : "; ") + p;
        }
        report.mismatches.push_back(
            GoldenMismatch{name, "every check of its script to hold", got, "the script's checks"});
    }
}

} // namespace portlab
