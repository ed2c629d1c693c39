/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "script/script-generator.h"

#include "scenario/scenario-config.h"
#include "script/socket-script.h"

#include <map>
#include <random>
#include <sstream>

namespace portlab
{

namespace
{

/// A socket the generator has made.
struct GenSocket
{
    std::string name;
    std::string host;
    bool tcp{true};
    bool closed{false};
};

/// Builds one script.
class Generator
{
  public:
    Generator(uint64_t seed, const ScriptGeneratorOptions& o)
        : m_rng(seed),
          m_options(o)
    {
    }

    std::string Make()
    {
        Line("host h");
        m_hosts.push_back("h");
        if (m_options.twoHosts && Chance(0.35))
        {
            Line("host r");
            Line("link h r 10.0.0.1 10.0.0.2");
            m_hosts.push_back("r");
        }
        if (m_options.sysctls)
        {
            Sysctls();
        }
        int calls = Between(m_options.minCalls, m_options.maxCalls);
        for (int i = 0; i < calls; ++i)
        {
            Call();
        }
        for (const auto& h : m_hosts)
        {
            Line("ss " + h + " -> *");
        }
        return m_text.str();
    }

  private:
    bool Chance(double p)
    {
        return std::uniform_real_distribution<double>(0, 1)(m_rng) < p;
    }

    int Between(int lo, int hi)
    {
        return std::uniform_int_distribution<int>(lo, hi)(m_rng);
    }

    template <typename T>
    const T& Pick(const std::vector<T>& v)
    {
        return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(m_rng)];
    }

    void Line(const std::string& s)
    {
        m_text << s << "\n";
    }

    void Settle()
    {
        Line("wait 20ms");
    }

    void Sysctls()
    {
        for (const auto& h : m_hosts)
        {
            if (Chance(0.45))
            {
                int first = 40000 + Between(0, 3) * 10;
                Line("sysctl " + h + " net.ipv4.ip_local_port_range=" + std::to_string(first) +
                     " " + std::to_string(first + Between(0, 3)));
            }
            if (Chance(0.5))
            {
                Line("sysctl " + h + " net.ipv4.tcp_tw_reuse=" + std::to_string(Between(0, 2)));
            }
            if (Chance(0.2))
            {
                Line("sysctl " + h + " net.ipv4.tcp_timestamps=0");
            }
            if (Chance(0.15))
            {
                Line("sysctl " + h +
                     " net.ipv4.tcp_max_tw_buckets=" + std::to_string(Between(0, 3)));
            }
        }
    }

    std::vector<std::string> LocalAddresses(const std::string& host)
    {
        if (host == "h")
        {
            std::vector<std::string> a{"0.0.0.0", "127.0.0.1", "127.0.0.1", "127.0.0.2"};
            if (m_hosts.size() > 1)
            {
                a.push_back("10.0.0.1");
            }
            return a;
        }
        return {"0.0.0.0", "10.0.0.2", "127.0.0.1"};
    }

    std::vector<std::string> Destinations(const std::string& host)
    {
        if (host == "h")
        {
            std::vector<std::string> d{"127.0.0.1:8000",
                                       "127.0.0.1:8000",
                                       "127.0.0.1:8001",
                                       "127.0.0.2:8000",
                                       "127.0.0.1:9"};
            if (m_hosts.size() > 1)
            {
                d.insert(d.end(),
                         {"10.0.0.2:8000", "10.0.0.2:8000", "10.0.0.2:9", "10.0.0.1:8000"});
            }
            return d;
        }
        return {"10.0.0.1:8000", "10.0.0.1:8001", "10.0.0.1:9", "127.0.0.1:8000"};
    }

    /// A socket to act on: mostly open ones, sometimes a closed one (EBADF).
    GenSocket* Existing(bool tcpOnly = false)
    {
        std::vector<GenSocket*> open;
        std::vector<GenSocket*> closed;
        for (auto& s : m_sockets)
        {
            if (tcpOnly && !s.tcp)
            {
                continue;
            }
            (s.closed ? closed : open).push_back(&s);
        }
        if (!closed.empty() && (open.empty() || Chance(0.04)))
        {
            return Pick(closed);
        }
        return open.empty() ? nullptr : Pick(open);
    }

    int OpenCount() const
    {
        int n = 0;
        for (const auto& s : m_sockets)
        {
            n += s.closed ? 0 : 1;
        }
        return n;
    }

    void Create()
    {
        GenSocket s;
        s.name = "s" + std::to_string(m_sockets.size());
        s.host = Pick(m_hosts);
        s.tcp = !m_options.udp || Chance(0.75);
        std::string line = std::string(s.tcp ? "tcp " : "udp ") + s.host + " " + s.name;
        if (Chance(0.3))
        {
            line += " reuseaddr";
        }
        if (Chance(0.15))
        {
            line += " reuseport";
        }
        if (s.tcp && Chance(0.15))
        {
            line += " linger0";
        }
        if (m_options.extended && Chance(0.2))
        {
            line += " nonblock";
        }
        Line(line + " -> *");
        m_sockets.push_back(s);
    }

    /// The calls of ScriptGeneratorOptions::extended.
    void ExtendedCall(GenSocket* s)
    {
        switch (Between(0, 7))
        {
        case 0:
            Line("shutdown " + s->name + " " + Pick(std::vector<std::string>{"rd", "wr", "rdwr"}) +
                 " -> *");
            Settle();
            break;
        case 1:
            Line("getsockname " + s->name + " -> *");
            break;
        case 2:
            Line("getpeername " + s->name + " -> *");
            break;
        case 3:
            Line("getsockopt " + s->name + " SO_ERROR -> *");
            break;
        case 4:
            Line("setsockopt " + s->name + " " +
                 Pick(std::vector<std::string>{"SO_REUSEADDR 1",
                                               "SO_REUSEPORT 1",
                                               "SO_LINGER 0",
                                               "O_NONBLOCK 1",
                                               "O_NONBLOCK 0"}) +
                 " -> *");
            break;
        case 5:
            Line("sendto " + s->name + " " + Pick(Destinations(s->host)) + " " +
                 std::to_string(Between(1, 50)) + " -> *");
            Settle();
            break;
        case 6:
            Line("recvfrom " + s->name + " -> *");
            break;
        default:
            Line("port " + s->name + " -> *");
            break;
        }
    }

    void Call()
    {
        if (m_options.extended && !m_sockets.empty() && Chance(0.25))
        {
            GenSocket* s = Existing();
            if (s != nullptr)
            {
                ExtendedCall(s);
                return;
            }
        }
        if (m_sockets.empty() || (OpenCount() < m_options.maxSockets && Chance(0.22)))
        {
            Create();
            return;
        }
        double r = std::uniform_real_distribution<double>(0, 1)(m_rng);
        GenSocket* s = Existing();
        if (s == nullptr)
        {
            Create();
            return;
        }
        if (r < 0.17)
        {
            int port = Pick(std::vector<int>{0, 8000, 8000, 8001});
            Line("bind " + s->name + " " + Pick(LocalAddresses(s->host)) + ":" +
                 std::to_string(port) + " -> *");
        }
        else if (r < 0.27)
        {
            GenSocket* t = Existing(true);
            if (t != nullptr)
            {
                std::string backlog =
                    m_options.extended && Chance(0.4) ? " " + std::to_string(Between(0, 2)) : "";
                Line("listen " + t->name + backlog + " -> *");
            }
        }
        else if (r < 0.45)
        {
            Line("connect " + s->name + " " + Pick(Destinations(s->host)) + " -> *");
            Settle();
        }
        else if (r < 0.57)
        {
            GenSocket* l = Existing(true);
            if (l != nullptr)
            {
                GenSocket a;
                a.name = "s" + std::to_string(m_sockets.size());
                a.host = l->host;
                a.tcp = true;
                Line("accept " + l->name + " " + a.name + " -> *");
                m_sockets.push_back(a);
            }
        }
        else if (r < 0.66)
        {
            Line("send " + s->name + " " + std::to_string(Between(1, 100)) + " -> *");
            Settle();
        }
        else if (r < 0.74)
        {
            Line("recv " + s->name + " -> *");
        }
        else if (r < 0.84)
        {
            Line("close " + s->name + " -> *");
            s->closed = true;
            Settle();
        }
        else if (r < 0.88)
        {
            Line(m_options.longWaits && Chance(0.3) ? "wait 1100ms" : "wait 50ms");
        }
        else if (r < 0.93 && s->tcp)
        {
            Line("state " + s->name + " -> *");
        }
        else if (r < 0.97)
        {
            Line("port " + s->name + " -> *");
        }
        else
        {
            Line("ss " + s->host + " -> *");
        }
    }

    std::mt19937_64 m_rng;
    ScriptGeneratorOptions m_options;
    std::ostringstream m_text;
    std::vector<std::string> m_hosts;
    std::vector<GenSocket> m_sockets;
};

} // namespace

std::string
GenerateScript(uint64_t seed, const ScriptGeneratorOptions& options)
{
    return Generator(seed, options).Make();
}

namespace
{

/// For each line with a check: the ephemeral range of the host of the statement's socket (or
/// host) when it runs, from the script's sysctls (Linux's default otherwise).
std::map<int, std::pair<int, int>>
RangesByLine(const std::string& text)
{
    std::map<int, std::pair<int, int>> out;
    ScriptProgram program = ParseScript(text, "recorded");
    std::map<std::string, std::pair<int, int>> hostRange;
    std::map<std::string, std::string> socketHost;
    for (const auto& s : program.statements)
    {
        if (s.verb == ScriptVerb::HOST)
        {
            hostRange[s.names[0]] = {32768, 60999};
        }
        else if (s.verb == ScriptVerb::SYSCTL &&
                 s.sysctl.descriptor->kind == SysctlKind::PORT_RANGE)
        {
            const std::pair<int, int> r{static_cast<int>(s.sysctl.value.number),
                                        static_cast<int>(s.sysctl.value.high)};
            for (auto& [h, range] : hostRange)
            {
                if (s.names[0] == "*" || s.names[0] == h)
                {
                    range = r;
                }
            }
        }
        else if (s.verb == ScriptVerb::TCP || s.verb == ScriptVerb::UDP)
        {
            socketHost[s.names[1]] = s.names[0];
        }
        else if (s.verb == ScriptVerb::ACCEPT)
        {
            socketHost[s.names[1]] = socketHost[s.names[0]];
        }
        if (!s.names.empty())
        {
            auto h = socketHost.count(s.names[0]) ? socketHost[s.names[0]] : s.names[0];
            if (hostRange.count(h))
            {
                out[s.line] = hostRange[h];
            }
        }
    }
    return out;
}

/// The expectation that covers every run's result of one check.
std::string
Covering(const std::string& verb,
         const std::vector<std::string>& results,
         std::pair<int, int> range,
         bool* varied)
{
    bool same = true;
    for (const auto& r : results)
    {
        same = same && r == results[0];
    }
    auto inRange = [&](const std::string& r) {
        return !r.empty() && r.find_first_not_of("0123456789") == std::string::npos &&
               r.size() <= 5 && std::stoi(r) >= range.first && std::stoi(r) <= range.second;
    };
    if (verb == "port")
    {
        // An ephemeral port: Linux chooses it at random (per-boot secrets, perturbation), so
        // only its range is a rule.
        bool all = true;
        for (const auto& r : results)
        {
            all = all && inRange(r);
        }
        if (all)
        {
            *varied = !same;
            return std::to_string(range.first) + "-" + std::to_string(range.second);
        }
    }
    // An address with an ephemeral port (getsockname, getpeername, recvfrom): its port is
    // Linux's random choice, so only the address is a rule.
    const std::string& first = results[0];
    const size_t colon = first.rfind(':');
    if (verb != "port" && colon != std::string::npos && inRange(first.substr(colon + 1)))
    {
        std::string prefix = first.substr(0, colon + 1);
        bool all = true;
        for (const auto& r : results)
        {
            all =
                all && r.compare(0, prefix.size(), prefix) == 0 && inRange(r.substr(prefix.size()));
        }
        if (all)
        {
            *varied = !same;
            return prefix + "*";
        }
    }
    if (same)
    {
        *varied = false;
        return results[0];
    }
    *varied = true;
    // "A.B.C.D:PORT" (getsockname, recvfrom) that differ only in an ephemeral port.
    std::string prefix = results[0].substr(0, results[0].rfind(':') + 1);
    bool portsOnly = !prefix.empty();
    for (const auto& r : results)
    {
        portsOnly = portsOnly && r.compare(0, prefix.size(), prefix) == 0 &&
                    inRange(r.substr(prefix.size()));
    }
    return portsOnly ? prefix + "*" : "*";
}

} // namespace

std::string
RecordExpectations(const std::string& text,
                   const std::vector<std::vector<ScriptCheck>>& runs,
                   int* unstable)
{
    std::map<int, std::string> result;
    int varied = 0;
    auto ranges = RangesByLine(text);
    if (!runs.empty())
    {
        for (size_t i = 0; i < runs[0].size(); ++i)
        {
            const ScriptCheck& c = runs[0][i];
            std::vector<std::string> results;
            for (const auto& run : runs)
            {
                results.push_back(i < run.size() ? run[i].got : "(missing)");
            }
            bool v = false;
            std::string verb = c.text.substr(0, c.text.find(' '));
            result[c.line] = Covering(verb, results, ranges[c.line], &v);
            varied += v ? 1 : 0;
        }
    }
    if (unstable != nullptr)
    {
        *unstable = varied;
    }
    std::istringstream in(text);
    std::ostringstream out;
    std::string line;
    int n = 0;
    while (std::getline(in, line))
    {
        ++n;
        auto arrow = line.find("->");
        auto it = result.find(n);
        if (arrow != std::string::npos && it != result.end())
        {
            line = line.substr(0, arrow) + "-> " + it->second;
        }
        out << line << "\n";
    }
    return out.str();
}

std::vector<RecordedScript>
ParseRecording(const std::string& text)
{
    std::vector<RecordedScript> out;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    while (std::getline(in, line))
    {
        ++n;
        if (line.rfind("### seed ", 0) == 0)
        {
            std::string seed = line.substr(9);
            if (seed.empty() || seed.size() > 19 ||
                seed.find_first_not_of("0123456789") != std::string::npos)
            {
                throw ConfigError("recording line " + std::to_string(n) + ": '" + line +
                                  "' is not '### seed N'");
            }
            out.push_back(RecordedScript{std::stoull(seed), ""});
        }
        else if (!out.empty())
        {
            out.back().text += line + "\n";
        }
        else if (!line.empty())
        {
            throw ConfigError("recording line " + std::to_string(n) +
                              ": text before the first '### seed N' line");
        }
    }
    return out;
}

std::vector<std::string>
ModelDisagreements(const RecordedScript& script)
{
    std::string name = "seed-" + std::to_string(script.seed);
    std::vector<std::string> out;
    std::vector<ScriptCheck> checks;
    try
    {
        checks = RunSocketScript(script.text, name, 1);
    }
    catch (const std::exception& e)
    {
        out.push_back(name + ": the model refused the script: " + e.what());
        return out;
    }
    for (const auto& c : checks)
    {
        if (!ScriptResultMatches(c.expected, c.got))
        {
            out.push_back(name + ":" + std::to_string(c.line) + ": " + c.text + ": Linux " +
                          c.expected + ", portlab " + c.got);
        }
    }
    return out;
}

} // namespace portlab
