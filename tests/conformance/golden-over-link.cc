/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "golden-over-link.h"

#include "script/kernel-script.h"
#include "script/socket-script.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

namespace portlab
{

namespace
{

constexpr uint32_t LOOPBACK_NET = 0x7f000000; // 127.0.0.0/8
constexpr uint32_t LINK_NET = 0x0a010000;     // 10.1.0.0/16: link N is 10.1.N.0/24

/// The one-way delay of each link.
constexpr const char* LINK_DELAY = "1ms";
/// How long the packets of a call take to settle over a link (five round trips).
constexpr const char* LINK_SETTLE = "10ms";

enum class Side
{
    CLIENT,
    SERVER,
};

const char*
HostName(Side side)
{
    return side == Side::SERVER ? "server" : "client";
}

/// Does the socket a statement declares (socket `name`, declared at index `at`) serve?
bool
Serves(const ScriptProgram& p, size_t at, const std::string& name)
{
    for (size_t j = at + 1; j < p.statements.size(); ++j)
    {
        const ScriptStatement& s = p.statements[j];
        const bool declares = (s.verb == ScriptVerb::TCP || s.verb == ScriptVerb::UDP ||
                               s.verb == ScriptVerb::ACCEPT) &&
                              s.names[1] == name;
        if (declares)
        {
            return false;
        }
        if (s.names.empty() || s.names[0] != name)
        {
            continue;
        }
        if (s.verb == ScriptVerb::LISTEN || s.verb == ScriptVerb::ACCEPT ||
            (s.verb == ScriptVerb::BIND && s.endpoint.port != 0))
        {
            return true;
        }
    }
    return false;
}

/// 127.0.0.N -> N (0 for 0.0.0.0).
uint32_t
LoopbackIndex(const ScriptEndpoint& e, const std::string& name)
{
    if (e.address == 0)
    {
        return 0;
    }
    if ((e.address & 0xff000000) != LOOPBACK_NET || (e.address & 0x00ffff00) != 0 ||
        (e.address & 0xff) == 0)
    {
        throw std::invalid_argument(name + ": " + ScriptEndpointText(e) +
                                    " is not 127.0.0.N or 0.0.0.0: not a one-host case");
    }
    return e.address & 0xff;
}

/// The endpoint on the link: N's server end (1) or client end (2).
std::string
OnLink(const ScriptEndpoint& e, Side side, const std::string& name)
{
    const uint32_t n = LoopbackIndex(e, name);
    ScriptEndpoint r = e;
    if (n != 0)
    {
        r.address = LINK_NET | (n << 8) | (side == Side::SERVER ? 2 : 1);
    }
    return ScriptEndpointText(r);
}

std::vector<std::string>
Words(const std::string& text)
{
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;)
    {
        words.push_back(w);
    }
    return words;
}

/// The sum of two `ss HOST` counts ("LISTEN=1 TIME-WAIT=2", "none"), in ss's order.
std::string
AddSsCounts(const std::string& a, const std::string& b)
{
    std::vector<std::string> states;
    for (const auto* text : {&a, &b})
    {
        for (const auto& w : Words(*text))
        {
            const auto eq = w.find('=');
            if (eq == std::string::npos)
            {
                continue; // "none"
            }
            states.insert(states.end(), std::stoul(w.substr(eq + 1)), w.substr(0, eq));
        }
    }
    return ScriptSsText(states);
}

/// Two `ss HOST rows` lists as one: the server's rows, then the client's.
std::string
JoinSsRows(const std::string& server, const std::string& client)
{
    if (client == "none")
    {
        return server;
    }
    return server == "none" ? client : server + "\n" + client;
}

} // namespace

GoldenOverLink
GoldenScriptOverLink(const GoldenScript& g)
{
    const ScriptProgram& p = g.program;
    uint32_t links = 1;
    for (const auto& s : p.statements)
    {
        if (s.verb == ScriptVerb::LINK)
        {
            throw std::invalid_argument(g.name + ": it has a link: not a one-host case");
        }
        if (s.verb == ScriptVerb::BIND || s.verb == ScriptVerb::CONNECT ||
            s.verb == ScriptVerb::SENDTO)
        {
            links = std::max(links, LoopbackIndex(s.endpoint, g.name));
        }
    }

    GoldenOverLink out;
    std::string text;
    auto emit = [&](const std::string& line, const ScriptStatement& from, bool check = true) {
        text += line;
        out.originalLine.push_back(from.line);
        if (check && from.hasExpectation)
        {
            if (from.expected.find('\n') == std::string::npos)
            {
                text += " -> " + from.expected;
            }
            else
            {
                text += " ->";
                std::istringstream rows(from.expected);
                for (std::string row; std::getline(rows, row);)
                {
                    text += "\n| " + row;
                    out.originalLine.push_back(from.line);
                }
            }
        }
        text += "\n";
    };
    auto join = [](const std::vector<std::string>& words) {
        std::string line;
        for (const auto& w : words)
        {
            line += (line.empty() ? "" : " ") + w;
        }
        return line;
    };

    std::map<std::string, Side> side; // by socket name, as last declared
    bool hostSeen = false;
    for (size_t i = 0; i < p.statements.size(); ++i)
    {
        const ScriptStatement& s = p.statements[i];
        std::vector<std::string> w = Words(s.text);
        switch (s.verb)
        {
        case ScriptVerb::HOST:
            if (hostSeen)
            {
                throw std::invalid_argument(g.name + ": a second host: not a one-host case");
            }
            hostSeen = true;
            emit("host client", s, false);
            emit("host server", s, false);
            for (uint32_t n = 1; n <= links; ++n)
            {
                const std::string net = "10.1." + std::to_string(n) + ".";
                emit("link client server " + net + "1 " + net + "2 " + LINK_DELAY, s, false);
            }
            continue;
        case ScriptVerb::SYSCTL:
            w[1] = "*";
            break;
        case ScriptVerb::TCP:
        case ScriptVerb::UDP:
            side[s.names[1]] = Serves(p, i, s.names[1]) ? Side::SERVER : Side::CLIENT;
            w[1] = HostName(side[s.names[1]]);
            break;
        case ScriptVerb::ACCEPT:
            side[s.names[1]] = side[s.names[0]];
            break;
        case ScriptVerb::BIND:
            w[2] = OnLink(s.endpoint, side[s.names[0]], g.name);
            break;
        case ScriptVerb::CONNECT:
        case ScriptVerb::SENDTO:
            w[2] = OnLink(s.endpoint, Side::SERVER, g.name);
            break;
        case ScriptVerb::SS:
            w[1] = HostName(Side::SERVER);
            emit(join(w), s);
            w[1] = HostName(Side::CLIENT);
            break;
        case ScriptVerb::COUNTERS:
            throw std::invalid_argument(g.name + ": counters are per host: no two-host form");
        default:
            break;
        }
        emit(join(w), s);
        if (s.verb == ScriptVerb::CONNECT || s.verb == ScriptVerb::SEND ||
            s.verb == ScriptVerb::SENDTO || s.verb == ScriptVerb::SHUTDOWN ||
            s.verb == ScriptVerb::CLOSE)
        {
            emit("wait " + std::string(LINK_SETTLE), s, false);
        }
    }
    out.program = ParseScript(text, g.name + " over a link");
    return out;
}

GoldenRun
RunGoldenScriptOverLink(const GoldenScript& g, GoldenBackend b, uint64_t seed)
{
    if (b == GoldenBackend::TABLE)
    {
        throw std::invalid_argument(g.name + ": the table-level interpreter has one host");
    }
    const GoldenOverLink moved = GoldenScriptOverLink(g);
    std::map<int, const ScriptStatement*> original;
    for (const auto& s : g.program.statements)
    {
        original[s.line] = &s;
    }
    std::vector<ScriptCheck> checks;
    const std::vector<ScriptCheck> run = b == GoldenBackend::KERNEL
                                             ? RunKernelScript(moved.program)
                                             : RunSocketScript(moved.program, seed);
    for (const ScriptCheck& c : run)
    {
        const ScriptStatement& s = *original.at(moved.originalLine.at(c.line - 1));
        if (!checks.empty() && checks.back().line == s.line && s.verb == ScriptVerb::SS)
        {
            // `ss client` after `ss server`: one `ss h`.
            const std::string got = s.value.empty() ? AddSsCounts(checks.back().got, c.got)
                                                    : JoinSsRows(checks.back().got, c.got);
            checks.back() = ScriptCheckOf(s, got, c.timeNs);
            continue;
        }
        checks.push_back(ScriptCheckOf(s, c.got, c.timeNs));
    }
    return FoldGoldenChecks(g, checks);
}

} // namespace portlab
