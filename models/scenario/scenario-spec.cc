/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/scenario-spec.h"

#include "ports/ephemeral-port-selector.h"
#include "ports/port-sysctls.h"
#include "ports/port-types.h"
#include "scenario/port-guess-meter.h"
#include "scenario/scenario-metrics.h"
#include "scenario/scenario-resources.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/integer.h"
#include "ns3/nstime.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <set>
#include <sstream>

namespace portlab
{

namespace
{

constexpr int64_t NS_PER_S = 1000000000;

std::string
Trim(const std::string& s)
{
    size_t b = s.find_first_not_of(" \t\r\n");
    size_t e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// Split on commas and blanks, dropping empty pieces.
std::vector<std::string>
SplitList(const std::string& s)
{
    std::vector<std::string> out;
    std::string cur;
    for (char c : s)
    {
        if (c == ',' || std::isspace(static_cast<unsigned char>(c)))
        {
            if (!cur.empty())
            {
                out.push_back(cur);
            }
            cur.clear();
        }
        else
        {
            cur += c;
        }
    }
    if (!cur.empty())
    {
        out.push_back(cur);
    }
    return out;
}

bool
IsGroupName(const std::string& s)
{
    if (s.empty() || s.size() > 32 || !std::islower(static_cast<unsigned char>(s[0])))
    {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) || c == '_';
    });
}

bool
IsAppName(const std::string& s)
{
    if (s.empty() || s.size() > 32 || !std::islower(static_cast<unsigned char>(s[0])))
    {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) ||
               std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

bool
IsErrnoWord(const std::string& w)
{
    if (w == "ok")
    {
        return true;
    }
    for (size_t i = 0; i < static_cast<size_t>(Errno::COUNT); ++i)
    {
        if (w == ErrnoName(static_cast<Errno>(i)))
        {
            return true;
        }
    }
    return false;
}

std::string
ErrnoWords()
{
    std::string s = "ok";
    for (size_t i = 1; i < static_cast<size_t>(Errno::COUNT); ++i)
    {
        s += std::string(", ") + ErrnoName(static_cast<Errno>(i));
    }
    return s;
}

/// Parses "PORT" in [0, 65535].
bool
ParsePort(const std::string& s, uint32_t& port)
{
    if (s.empty() || s.size() > 5 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c); }))
    {
        return false;
    }
    port = static_cast<uint32_t>(std::stoul(s));
    return port <= 65535;
}

bool
IsDottedQuad(const std::string& s)
{
    int parts = 0;
    std::stringstream in(s);
    std::string p;
    while (std::getline(in, p, '.'))
    {
        uint32_t v = 0;
        if (!ParsePort(p, v) || v > 255 || p.size() > 3)
        {
            return false;
        }
        ++parts;
    }
    return parts == 4 && s.back() != '.';
}

/// "addrN" -> N (1-based), 0 if not of that form.
uint32_t
AddrIndex(const std::string& s)
{
    if (s.size() < 5 || s.compare(0, 4, "addr") != 0)
    {
        return 0;
    }
    std::string n = s.substr(4);
    uint32_t v = 0;
    if (!ParsePort(n, v) || v == 0 || v > 16)
    {
        return 0;
    }
    return v;
}

/// One key's parse context.
struct Ctx
{
    const std::map<std::string, ValueOrigin>* origins;
    std::string key;
    std::string value;

    [[noreturn]] void Fail(const std::string& why) const
    {
        auto it = origins->find(key);
        ValueOrigin o = it == origins->end() ? ValueOrigin{"scenario", 0} : it->second;
        throw ConfigError(DescribeValueError(o, key, value, why));
    }

    ValueOrigin Origin() const
    {
        auto it = origins->find(key);
        return it == origins->end() ? ValueOrigin{"scenario", 0} : it->second;
    }

    /// Run a units parser and attach file/line/key to its error.
    template <typename F>
    auto Units(F f) const -> decltype(f(value))
    {
        try
        {
            return f(value);
        }
        catch (const ConfigError& e)
        {
            Fail(e.what());
        }
    }

    int64_t Duration(int64_t min, int64_t max) const
    {
        int64_t v = Units(units::ParseDurationNs);
        if (v < min || v > max)
        {
            std::ostringstream why;
            why << "out of range; allowed: " << min / 1e9 << "s to " << max / 1e9 << "s";
            Fail(why.str());
        }
        return v;
    }

    int64_t Integer(int64_t min, int64_t max) const
    {
        return Units([&](const std::string& t) { return units::ParseInteger(t, min, max); });
    }

    bool Bool() const
    {
        return Units(units::ParseBool);
    }

    uint64_t Bytes(uint64_t min, uint64_t max) const
    {
        uint64_t v = Units(units::ParseBytes);
        if (v < min || v > max)
        {
            Fail("out of range; allowed: " + std::to_string(min) + "B to " + std::to_string(max) +
                 "B");
        }
        return v;
    }
};

/// Parses "*:PORT", "addrN:PORT", "127.0.0.1:PORT" or "A.B.C.D:PORT".
void
CheckBind(const Ctx& c)
{
    size_t colon = c.value.rfind(':');
    uint32_t port = 0;
    const std::string allowed = "allowed: '*:PORT' (wildcard), 'addrN:PORT' (the host's Nth "
                                "address, N >= 1), 'A.B.C.D:PORT'; PORT 0..65535";
    if (colon == std::string::npos || !ParsePort(c.value.substr(colon + 1), port))
    {
        c.Fail("not an address:port; " + allowed);
    }
    std::string a = c.value.substr(0, colon);
    if (a != "*" && AddrIndex(a) == 0 && !IsDottedQuad(a))
    {
        c.Fail("'" + a + "' is not an address; " + allowed);
    }
}

/// \return the value of a `port_selector` key, checked against the algorithms' names
std::string
ParsePortSelector(const Ctx& c)
{
    std::string allowed;
    for (const auto& n : EphemeralPortSelectorNames())
    {
        if (c.value == n)
        {
            return n;
        }
        allowed += (allowed.empty() ? "" : ", ") + n;
    }
    c.Fail("unknown port selector; allowed: " + allowed);
}

/// \return a `sysctl.NAME` key's setting, parsed once here (and checked as on a host with
/// Linux's other defaults); later stages take it as parsed
SysctlSetting
ParseSysctl(const Ctx& c, const std::string& name)
{
    try
    {
        SysctlSetting setting = SysctlSetting::Parse(name, c.value);
        PortSysctls probe;
        setting.ApplyTo(probe);
        return setting;
    }
    catch (const SysctlError& e)
    {
        c.Fail(e.what());
    }
}

/// A structural app key (what the app is, where it runs, whom it talks to, how many and
/// when): parsed here; every other app key is an AppOptions() row, an app attribute.
struct AppKey
{
    const char* name;
    std::vector<AppType> types;
    const char* help;
    std::function<void(const Ctx&, AppSpec&)> parse;
};

const std::vector<AppType> SERVERS = {AppType::TCP_SERVER, AppType::UDP_SERVER, AppType::TCP_PROXY};
const std::vector<AppType> CLIENTS = {AppType::TCP_CLIENT, AppType::UDP_CLIENT};

const std::vector<AppKey>&
StructuralAppKeys()
{
    static const std::vector<AppKey> keys = {
        {"type",
         AppTypes(),
         "tcp-server, tcp-client, udp-server, udp-client or tcp-proxy",
         [](const Ctx&, AppSpec&) {}},
        {"on",
         AppTypes(),
         "a host group or one host (GROUPn)",
         [](const Ctx& c, AppSpec& a) { a.on = c.value; }},
        {"start",
         AppTypes(),
         "when the process starts (a duration, default 0s)",
         [](const Ctx& c, AppSpec& a) { a.startNs = c.Duration(0, MAX_DURATION_NS); }},
        {"stop",
         AppTypes(),
         "when it stops (a duration; default the end of the run)",
         [](const Ctx& c, AppSpec& a) { a.stopNs = c.Duration(0, MAX_DURATION_NS); }},
        {"processes",
         SERVERS,
         "identical processes per host, 1..64 (with reuseport: a reuseport group)",
         [](const Ctx& c, AppSpec& a) { a.processes = c.Integer(1, 64); }},
        {"bind",
         SERVERS,
         "'*:PORT', 'addrN:PORT' or 'A.B.C.D:PORT'",
         [](const Ctx& c, AppSpec& a) {
             CheckBind(c);
             a.bind = c.value;
         }},
        {"to",
         CLIENTS,
         "destinations: server app names or HOST[.addrN]:PORT, separated by commas",
         [](const Ctx& c, AppSpec& a) {
             a.to = SplitList(c.value);
             if (a.to.empty())
             {
                 c.Fail("empty; allowed: server app names or HOST[.addrN]:PORT");
             }
         }},
        {"upstream",
         {AppType::TCP_PROXY},
         "upstream servers: app names or HOST[.addrN]:PORT, separated by commas",
         [](const Ctx& c, AppSpec& a) {
             a.upstream = SplitList(c.value);
             if (a.upstream.empty())
             {
                 c.Fail("empty; allowed: server app names or HOST[.addrN]:PORT");
             }
         }},
    };
    return keys;
}

/// \return the app keys a type allows: its structural keys, then its options
std::vector<std::string>
AppKeysOf(AppType type)
{
    std::vector<std::string> out;
    for (const auto& k : StructuralAppKeys())
    {
        if (std::find(k.types.begin(), k.types.end(), type) != k.types.end())
        {
            out.emplace_back(k.name);
        }
    }
    for (const auto& o : AppOptions())
    {
        if (AppOptionAttribute(o, type) != nullptr)
        {
            out.emplace_back(o.key);
        }
    }
    return out;
}

/// Parse one `app.A.KEY` line of an app of a known type into \p spec.
void
ParseAppKey(const std::string& param, const Ctx& c, AppSpec& spec)
{
    for (const auto& k : StructuralAppKeys())
    {
        if (param == k.name &&
            std::find(k.types.begin(), k.types.end(), spec.type) != k.types.end())
        {
            k.parse(c, spec);
            return;
        }
    }
    const AppOption* option = FindAppOption(param);
    if (option != nullptr && AppOptionAttribute(*option, spec.type) != nullptr)
    {
        spec.options[param] =
            c.Units([&](const std::string& v) { return ParseAppOption(*option, spec.type, v); });
        return;
    }
    std::string allowed;
    for (const auto& k : AppKeysOf(spec.type))
    {
        allowed += (allowed.empty() ? "" : ", ") + k;
    }
    c.Fail("unknown key for a " + AppTypeName(spec.type) + "; allowed: " + allowed);
}

AppType
ParseAppType(const Ctx& c)
{
    for (AppType t : AppTypes())
    {
        if (AppTypeName(t) == c.value)
        {
            return t;
        }
    }
    c.Fail("unknown app type; allowed: tcp-server, tcp-client, udp-server, udp-client, tcp-proxy");
}

/// \return whether \p metric is failed.ERRNO with a known ERRNO, and \p t has those
bool
IsErrnoCountMetric(AppType t, const std::string& metric)
{
    const std::string prefix = FAILED_METRIC_PREFIX;
    return HasErrnoCountMetrics(t) && metric.compare(0, prefix.size(), prefix) == 0 &&
           IsErrnoWord(metric.substr(prefix.size()));
}

Expectation
ParseExpectation(const Ctx& c, const std::string& subject, const std::string& metric)
{
    Expectation e;
    e.key = c.key;
    e.subject = subject;
    e.metric = metric;
    e.text = c.value;
    e.origin = c.Origin();
    const std::string allowed =
        "allowed: 'ok' or errno names (EADDRINUSE ...), a number with an optional "
        "comparison ('>= 0.99', '<= 5', '= 3'), 'VALUE +- TOL' or 'VALUE +- TOL%', "
        "'linux-tw-capacity +- TOL%', 'recorded RECORDING CASE KEY'";
    std::vector<std::string> words = SplitList(c.value);
    if (words.empty())
    {
        c.Fail("empty; " + allowed);
    }
    if (words.front() == "recorded")
    {
        if (words.size() < 4)
        {
            c.Fail("'" + c.value +
                   "' names no recording, case and key; allowed: 'recorded RECORDING CASE KEY' "
                   "(e.g. 'recorded linux-6.18-probe tcp_and_udp_same_port tcp_bind')");
        }
        e.kind = Expectation::RECORDED;
        e.recording = words[1];
        e.recordedCase = words[2];
        for (size_t i = 3; i < words.size(); ++i)
        {
            e.recordedKey += (i > 3 ? " " : "") + words[i];
        }
        return e;
    }
    auto number = [&](const std::string& s, double& out) {
        try
        {
            size_t used = 0;
            out = std::stod(s, &used);
            return used == s.size() && std::isfinite(out);
        }
        catch (const std::exception&)
        {
            return false;
        }
    };
    size_t pm = c.value.find("+-");
    if (pm != std::string::npos)
    {
        std::string lhs = Trim(c.value.substr(0, pm));
        std::string rhs = Trim(c.value.substr(pm + 2));
        if (!rhs.empty() && rhs.back() == '%')
        {
            e.relative = true;
            rhs.pop_back();
        }
        if (!number(rhs, e.tol) || e.tol < 0)
        {
            c.Fail("tolerance '" + rhs + "' is not a number >= 0; " + allowed);
        }
        if (e.relative)
        {
            e.tol /= 100.0;
        }
        if (lhs == "linux-tw-capacity")
        {
            if (metric != "steady_success_rate" && metric != "success_rate" &&
                metric != "steady_upstream_success_rate")
            {
                c.Fail("linux-tw-capacity predicts a success rate; allowed only for "
                       "success_rate, steady_success_rate and steady_upstream_success_rate");
            }
            e.kind = Expectation::PREDICTION;
            return e;
        }
        if (!number(lhs, e.value))
        {
            c.Fail("'" + lhs + "' is not a number; " + allowed);
        }
        e.kind = Expectation::TOLERANCE;
        return e;
    }
    std::string first = words[0];
    for (const char* op : {">=", "<=", "=", ">", "<"})
    {
        if (first.compare(0, std::string(op).size(), op) == 0)
        {
            std::string rest = Trim(c.value.substr(c.value.find(op) + std::string(op).size()));
            if (!number(rest, e.value))
            {
                c.Fail("'" + rest + "' is not a number; " + allowed);
            }
            e.op = op;
            e.kind = Expectation::NUMBER;
            return e;
        }
    }
    if (words.size() == 1 && number(first, e.value))
    {
        e.kind = Expectation::NUMBER;
        return e;
    }
    for (const auto& w : words)
    {
        if (!IsErrnoWord(w) && w != "none")
        {
            c.Fail("'" + w + "' is not a result; " + allowed + "; results: " + ErrnoWords() +
                   ", none");
        }
    }
    e.kind = Expectation::WORDS;
    e.text.clear();
    for (const auto& w : words)
    {
        e.text += (e.text.empty() ? "" : " ") + w;
    }
    return e;
}

bool
StartsWith(const std::string& s, const std::string& p)
{
    return s.compare(0, p.size(), p) == 0;
}

/// Parses a scenario's keys section by section: globals, links, sysctls, groups and hosts,
/// apps, expectations (ParseScenario()).
class ScenarioParser
{
  public:
    ScenarioParser(const std::string& name,
                   const std::map<std::string, std::string>& keys,
                   const std::map<std::string, ValueOrigin>& origins)
        : m_keys(keys),
          m_origins(origins)
    {
        m_s.name = name;
        m_s.keys = keys;
    }

    ScenarioSpec Parse()
    {
        RecordOrigins();
        for (const auto& [k, v] : m_keys)
        {
            Sort(Ctx{&m_origins, k, v});
        }
        CheckGlobals();
        FinishGroups();
        ParseHostKeys();
        CheckLinks();
        ParseApps();
        CheckDestinations();
        ParseExpectations();
        CheckResources(m_s, DefaultResourceLimits());
        return m_s;
    }

  private:
    /// Which keys this run overrides, and the file each key comes from.
    void RecordOrigins()
    {
        for (const auto& [k, o] : m_origins)
        {
            if (o.file == "--set" && m_keys.count(k))
            {
                m_s.overridden.insert(k);
            }
            if (m_keys.count(k))
            {
                m_s.keyFile[k] = o.file;
            }
        }
    }

    /// Parse a key of the sections parsed on their own, or keep it for a later section.
    void Sort(const Ctx& c)
    {
        const std::string& k = c.key;
        if (ParseGlobal(c) || ParseLink(c) || ParseHostDefaults(c))
        {
            return;
        }
        if (StartsWith(k, "group."))
        {
            ParseGroupKey(c);
        }
        else if (StartsWith(k, "host."))
        {
            m_hostCtx.push_back(c);
        }
        else if (StartsWith(k, "app."))
        {
            CollectAppKey(c);
        }
        else if (StartsWith(k, "expect."))
        {
            m_expectCtx.push_back(c);
        }
        else if (k != "extends")
        {
            c.Fail("unknown key; allowed: description, question, linux_answer, duration, "
                   "interval, warmup, snapshots, pcap, transport, seed, link.rate, link.delay, "
                   "link.loss, "
                   "links, sysctl.NAME, port_selector, group.G.count, group.G.addresses, "
                   "group.G.sysctl.NAME, group.G.port_selector, host.Gn.sysctl.NAME, "
                   "host.Gn.port_selector, app.A.KEY, expect.SUBJECT.METRIC");
        }
    }

    /// The scenario's texts, times, pcap and seed. \return whether \p c is one of them
    bool ParseGlobal(const Ctx& c)
    {
        const std::string& k = c.key;
        if (k == "description" || k == "question" || k == "linux_answer")
        {
            (k == "description" ? m_s.description
             : k == "question"  ? m_s.question
                                : m_s.linuxAnswer) = c.value;
        }
        else if (k == "duration" || k == "interval")
        {
            (k == "duration" ? m_s.durationNs : m_s.intervalNs) =
                c.Duration(1000000, MAX_DURATION_NS);
        }
        else if (k == "warmup")
        {
            m_s.warmupNs = c.Duration(0, MAX_DURATION_NS);
        }
        else if (k == "snapshots")
        {
            for (const auto& t : SplitList(c.value))
            {
                m_s.snapshotsNs.push_back(
                    c.Units([&](const std::string&) { return units::ParseDurationNs(t); }));
            }
        }
        else if (k == "pcap")
        {
            m_s.pcap = c.Bool();
        }
        else if (k == "transport")
        {
            if (c.value != "packet" && c.value != "flow")
            {
                c.Fail("not a transport; allowed: packet, flow");
            }
            m_s.transport = c.value;
        }
        else if (k == "seed")
        {
            m_s.seed = c.Integer(0, INT64_MAX);
        }
        else
        {
            return false;
        }
        return true;
    }

    /// link.rate, link.delay, link.loss and links. \return whether \p c is one of them
    bool ParseLink(const Ctx& c)
    {
        const std::string& k = c.key;
        if (k == "link.rate")
        {
            double bps = c.Units(units::ParseBitRate);
            if (bps < 1000 || bps > 1e12)
            {
                c.Fail("out of range; allowed: 1kbps to 1Tbps");
            }
            m_s.linkRate = std::to_string(static_cast<uint64_t>(bps)) + "bps";
        }
        else if (k == "link.delay")
        {
            m_s.linkDelay = std::to_string(c.Duration(0, 10 * NS_PER_S)) + "ns";
        }
        else if (k == "link.loss")
        {
            m_s.linkLoss = c.Units(units::ParseProbability);
            if (m_s.linkLoss >= 1)
            {
                c.Fail("out of range; allowed: a probability in [0, 1)");
            }
        }
        else if (k == "links")
        {
            for (const auto& l : SplitList(c.value))
            {
                size_t dash = l.find('-');
                if (dash == std::string::npos || dash == 0 || dash + 1 >= l.size())
                {
                    c.Fail("'" + l +
                           "' is not a link; allowed: GROUP-GROUP pairs, e.g. "
                           "'client-server, client-proxy'");
                }
                m_s.links.emplace_back(l.substr(0, dash), l.substr(dash + 1));
            }
        }
        else
        {
            return false;
        }
        return true;
    }

    /// Every host's sysctl.NAME and port_selector. \return whether \p c is one of them
    bool ParseHostDefaults(const Ctx& c)
    {
        if (StartsWith(c.key, "sysctl."))
        {
            m_s.sysctls.push_back(ParseSysctl(c, c.key.substr(7)));
            return true;
        }
        if (c.key == "port_selector")
        {
            m_s.portSelector = ParsePortSelector(c);
            return true;
        }
        return false;
    }

    /// group.G.count, group.G.addresses, group.G.sysctl.NAME, group.G.port_selector
    void ParseGroupKey(const Ctx& c)
    {
        const std::string allowed = "unknown key; allowed: group.G.count, group.G.addresses, "
                                    "group.G.sysctl.NAME, group.G.port_selector";
        std::string rest = c.key.substr(6);
        size_t dot = rest.find('.');
        if (dot == std::string::npos)
        {
            c.Fail(allowed);
        }
        HostGroupSpec& g = Group(rest.substr(0, dot), c);
        std::string field = rest.substr(dot + 1);
        if (field == "count")
        {
            g.count = c.Integer(1, 100000);
        }
        else if (field == "addresses")
        {
            g.addresses = c.Integer(1, 16);
        }
        else if (StartsWith(field, "sysctl."))
        {
            g.sysctls.push_back(ParseSysctl(c, field.substr(7)));
        }
        else if (field == "port_selector")
        {
            g.portSelector = ParsePortSelector(c);
        }
        else
        {
            c.Fail(allowed);
        }
    }

    /// \return group \p g, made on its first key (in file order)
    HostGroupSpec& Group(const std::string& g, const Ctx& c)
    {
        if (!IsGroupName(g))
        {
            c.Fail("group name '" + g + "' is not allowed; allowed: lower-case letters and '_'");
        }
        if (!m_groups.count(g))
        {
            m_groupOrder.push_back(g);
            m_groups[g].name = g;
        }
        return m_groups[g];
    }

    /// Keep an app.A.KEY line for ParseApps(), once A is a valid name.
    void CollectAppKey(const Ctx& c)
    {
        std::string rest = c.key.substr(4);
        size_t dot = rest.find('.');
        if (dot == std::string::npos || dot + 1 >= rest.size())
        {
            c.Fail("unknown key; allowed: app.NAME.KEY (see 'portlab keys')");
        }
        std::string app = rest.substr(0, dot);
        if (!IsAppName(app))
        {
            c.Fail("app name '" + app +
                   "' is not allowed; allowed: lower-case letters, digits, '_', '-', "
                   "starting with a letter");
        }
        m_appKeys[app].emplace(rest.substr(dot + 1), c);
    }

    /// The required keys, and the run's times against its duration.
    void CheckGlobals()
    {
        std::string missing;
        for (const char* required : {"description", "question", "linux_answer", "duration"})
        {
            if (!m_keys.count(required))
            {
                missing += (missing.empty() ? "" : ", ") + std::string(required);
            }
        }
        if (!missing.empty())
        {
            throw ConfigError(File() + ": scenario '" + m_s.name +
                              "' lacks required keys: " + missing);
        }
        if (!m_keys.count("interval"))
        {
            m_s.intervalNs = std::min(m_s.intervalNs, m_s.durationNs); // 1s, in a shorter run
        }
        if (m_s.intervalNs > m_s.durationNs)
        {
            At("interval").Fail("longer than the duration; allowed: 1ms up to the duration");
        }
        if (m_s.warmupNs >= m_s.durationNs)
        {
            At("warmup").Fail(
                "not before the end of the run; allowed: 0s up to less than the duration");
        }
        auto& snaps = m_s.snapshotsNs;
        if (!snaps.empty() && *std::max_element(snaps.begin(), snaps.end()) > m_s.durationNs)
        {
            At("snapshots")
                .Fail("a time after the end of the run; allowed: times from 0s to the duration");
        }
        std::sort(snaps.begin(), snaps.end());
        snaps.erase(std::unique(snaps.begin(), snaps.end()), snaps.end());
        if (snaps.empty() || snaps.back() != m_s.durationNs)
        {
            snaps.push_back(m_s.durationNs);
        }
        // What the flow transport cannot give exactly is refused before the run.
        if (m_s.transport == "flow" && m_s.pcap)
        {
            At("transport")
                .Fail("flow has no packets to capture; allowed: pcap = false, or "
                      "transport = packet");
        }
        if (m_s.transport == "flow" && m_s.linkLoss > 0)
        {
            At("transport")
                .Fail("flow cannot lose segments; allowed: link.loss = 0, or "
                      "transport = packet");
        }
    }

    /// The groups in file order, and the list errors name them by.
    void FinishGroups()
    {
        for (const auto& g : m_groupOrder)
        {
            m_s.groups.push_back(m_groups[g]);
            m_groupList += (m_groupList.empty() ? "" : ", ") + g + " (" + g + "1.." + g +
                           std::to_string(m_groups[g].count) + ")";
        }
        if (m_s.groups.empty())
        {
            throw ConfigError(File() + ": scenario '" + m_s.name +
                              "' has no hosts; allowed: group.G.count = N for each host group");
        }
    }

    /// \return the group of host \p h ("client3": a group name and a 1-based index), with
    /// \p index set; nullptr if there is no such host
    HostGroupSpec* FindHost(const std::string& h, uint32_t& index)
    {
        size_t d = h.find_first_of("0123456789");
        if (d == std::string::npos || d == 0)
        {
            return nullptr;
        }
        auto it = m_groups.find(h.substr(0, d));
        uint32_t n = 0;
        if (it == m_groups.end() || !ParsePort(h.substr(d), n) || n == 0 || n > it->second.count ||
            h[d] == '0')
        {
            return nullptr;
        }
        index = n;
        for (auto& g : m_s.groups)
        {
            if (g.name == it->first)
            {
                return &g;
            }
        }
        return nullptr;
    }

    /// host.Gn.sysctl.NAME and host.Gn.port_selector.
    void ParseHostKeys()
    {
        for (const auto& c : m_hostCtx)
        {
            std::string rest = c.key.substr(5);
            size_t dot = rest.find('.');
            uint32_t index = 0;
            HostGroupSpec* g =
                dot == std::string::npos ? nullptr : FindHost(rest.substr(0, dot), index);
            if (g != nullptr && rest.substr(dot + 1) == "port_selector")
            {
                g->hostPortSelectors[index] = ParsePortSelector(c);
                continue;
            }
            if (g == nullptr || rest.compare(dot + 1, 7, "sysctl.") != 0)
            {
                c.Fail("not host.HOST.sysctl.NAME or host.HOST.port_selector with a defined "
                       "host; hosts: " +
                       m_groupList);
            }
            g->hostSysctls[index].push_back(ParseSysctl(c, rest.substr(dot + 8)));
        }
    }

    /// Links join two different, defined groups.
    void CheckLinks()
    {
        for (const auto& [a, b] : m_s.links)
        {
            if (!m_groups.count(a) || !m_groups.count(b))
            {
                At("links").Fail("'" + (m_groups.count(a) ? b : a) +
                                 "' is not a host group; groups: " + m_groupList);
            }
            if (a == b)
            {
                At("links").Fail(
                    "a group linked to itself; allowed: links between two different groups");
            }
        }
    }

    /// Every app, from its keys (in name order).
    void ParseApps()
    {
        for (const auto& [app, params] : m_appKeys)
        {
            m_s.apps.push_back(ParseApp(app, params));
        }
    }

    /// \return app \p app from its keys, checked
    AppSpec ParseApp(const std::string& app, const std::map<std::string, Ctx>& params)
    {
        AppSpec spec;
        spec.name = app;
        auto type = params.find("type");
        if (type == params.end())
        {
            const Ctx& any = params.begin()->second;
            any.Fail("app '" + app + "' has no app." + app +
                     ".type; allowed types: tcp-server, tcp-client, udp-server, udp-client, "
                     "tcp-proxy");
        }
        spec.type = ParseAppType(type->second);
        for (const auto& [param, c] : params)
        {
            ParseAppKey(param, c, spec);
        }
        CheckAppNeeds(spec, params);
        CheckAppTimes(spec, params);
        return spec;
    }

    /// The keys an app's type needs: on (a defined group or host), bind, to, upstream.
    void CheckAppNeeds(const AppSpec& spec, const std::map<std::string, Ctx>& params)
    {
        auto need = [&](const std::string& param, bool present) {
            if (!present)
            {
                params.at("type").Fail("a " + AppTypeName(spec.type) + " needs app." + spec.name +
                                       "." + param);
            }
        };
        need("on", params.count("on") > 0);
        uint32_t index = 0;
        if (!m_groups.count(spec.on) && FindHost(spec.on, index) == nullptr)
        {
            params.at("on").Fail("not a host group or host; groups: " + m_groupList);
        }
        const bool server = spec.type == AppType::TCP_SERVER || spec.type == AppType::UDP_SERVER ||
                            spec.type == AppType::TCP_PROXY;
        need("bind", !server || !spec.bind.empty());
        const bool client = spec.type == AppType::TCP_CLIENT || spec.type == AppType::UDP_CLIENT;
        need("to", !client || !spec.to.empty());
        need("upstream", spec.type != AppType::TCP_PROXY || !spec.upstream.empty());
    }

    /// An app's stop and restart come after its start; IP_BIND_ADDRESS_NO_PORT needs a bind.
    void CheckAppTimes(const AppSpec& spec, const std::map<std::string, Ctx>& params)
    {
        const std::string after =
            "not after app." + spec.name + ".start; allowed: a time after the start";
        if (spec.stopNs >= 0 && spec.stopNs <= spec.startNs)
        {
            params.at("stop").Fail(after);
        }
        if (spec.Has("restart_at") && spec.Ns("restart_at") <= spec.startNs)
        {
            params.at("restart_at").Fail(after);
        }
        if (spec.Has("bind_address_no_port") && spec.Number("bind_address_no_port") != 0 &&
            spec.Number("bind_before_connect") == 0)
        {
            params.at("bind_address_no_port")
                .Fail("needs app." + spec.name +
                      ".bind_before_connect = true (it changes what bind() does)");
        }
    }

    /// Destinations name server apps the client can reach, or HOST[.addrN]:PORT.
    void CheckDestinations()
    {
        for (const auto& a : m_s.apps)
        {
            if (!a.to.empty())
            {
                CheckDestinationList(a, a.to, "to");
            }
            if (!a.upstream.empty())
            {
                CheckDestinationList(a, a.upstream, "upstream");
            }
        }
    }

    void CheckDestinationList(const AppSpec& a,
                              const std::vector<std::string>& list,
                              const std::string& param)
    {
        const Ctx c = At("app." + a.name + "." + param);
        for (const auto& d : list)
        {
            size_t colon = d.rfind(':');
            if (colon == std::string::npos)
            {
                CheckDestinationApp(c, a, d);
                continue;
            }
            uint32_t port = 0;
            std::string host = d.substr(0, colon);
            size_t dot = host.find('.');
            uint32_t index = 0;
            if (!ParsePort(d.substr(colon + 1), port) || port == 0 ||
                FindHost(host.substr(0, dot), index) == nullptr ||
                (dot != std::string::npos && AddrIndex(host.substr(dot + 1)) == 0))
            {
                c.Fail("'" + d +
                       "' is not a destination; allowed: server app names or "
                       "HOST[.addrN]:PORT with a defined host and PORT 1..65535; "
                       "hosts: " +
                       m_groupList);
            }
        }
    }

    /// Destination \p d of app \p a names an app \p a can reach.
    void CheckDestinationApp(const Ctx& c, const AppSpec& a, const std::string& d) const
    {
        const AppSpec* target = App(d);
        if (target == nullptr)
        {
            c.Fail("'" + d + "' is not an app; allowed: server app names or HOST[.addrN]:PORT");
        }
        bool tcp = a.type == AppType::TCP_CLIENT || a.type == AppType::TCP_PROXY;
        bool ok = tcp ? (target->type == AppType::TCP_SERVER || target->type == AppType::TCP_PROXY)
                      : target->type == AppType::UDP_SERVER;
        if (!ok)
        {
            c.Fail("'" + d + "' is a " + AppTypeName(target->type) + "; a " + AppTypeName(a.type) +
                   " can only reach " + (tcp ? "tcp-server or tcp-proxy" : "udp-server") + " apps");
        }
    }

    /// \return app \p name, or nullptr
    const AppSpec* App(const std::string& name) const
    {
        for (const auto& a : m_s.apps)
        {
            if (a.name == name)
            {
                return &a;
            }
        }
        return nullptr;
    }

    /// expect.SUBJECT.METRIC, checked against the metrics of the subject (ScenarioMetrics()).
    void ParseExpectations()
    {
        for (const auto& c : m_expectCtx)
        {
            std::string rest = c.key.substr(7);
            size_t dot = rest.find('.');
            if (dot == std::string::npos)
            {
                c.Fail("not expect.SUBJECT.METRIC; SUBJECT is an app or host name");
            }
            std::string subject = rest.substr(0, dot);
            std::string metric = rest.substr(dot + 1);
            const AppSpec* app = App(subject);
            CheckExpectedMetric(c, app, subject, metric);
            Expectation e = ParseExpectation(c, subject, metric);
            if (e.kind == Expectation::PREDICTION &&
                (app == nullptr ||
                 (app->type != AppType::TCP_CLIENT && app->type != AppType::TCP_PROXY)))
            {
                c.Fail("linux-tw-capacity applies to tcp-client and tcp-proxy apps only");
            }
            m_s.expectations.push_back(e);
        }
    }

    /// \p metric is one of \p subject's (the app \p app, or else a host).
    void CheckExpectedMetric(const Ctx& c,
                             const AppSpec* app,
                             const std::string& subject,
                             const std::string& metric)
    {
        uint32_t index = 0;
        if (app == nullptr && FindHost(subject, index) == nullptr)
        {
            c.Fail("'" + subject + "' is not an app or host of this scenario");
        }
        const std::set<std::string> allowed =
            app != nullptr ? AppMetricNames(app->type) : HostMetricNames();
        if (allowed.count(metric) || (app != nullptr && IsErrnoCountMetric(app->type, metric)))
        {
            return;
        }
        std::string list;
        for (const auto& m : allowed)
        {
            list += (list.empty() ? "" : ", ") + m;
        }
        if (app != nullptr && HasErrnoCountMetrics(app->type))
        {
            list += std::string(", ") + FAILED_METRIC_PREFIX + "ERRNO";
        }
        c.Fail("unknown metric '" + metric + "'; allowed: " + list);
    }

    /// \return the context of key \p key (which is set)
    Ctx At(const std::string& key) const
    {
        return Ctx{&m_origins, key, m_keys.at(key)};
    }

    /// \return the file the scenario comes from, for errors about no key in particular
    std::string File() const
    {
        return m_origins.empty() ? "scenario" : m_origins.begin()->second.file;
    }

    const std::map<std::string, std::string>& m_keys;
    const std::map<std::string, ValueOrigin>& m_origins;
    ScenarioSpec m_s;
    std::map<std::string, HostGroupSpec> m_groups;
    std::vector<std::string> m_groupOrder;
    std::string m_groupList; //!< "client (client1..client3), server (server1..server1)"
    std::vector<Ctx> m_hostCtx;
    std::map<std::string, std::map<std::string, Ctx>> m_appKeys; // app -> param -> ctx
    std::vector<Ctx> m_expectCtx;
};

} // namespace

ScenarioSpec
ParseScenario(const std::string& name,
              const std::map<std::string, std::string>& keys,
              const std::map<std::string, ValueOrigin>& origins)
{
    return ScenarioParser(name, keys, origins).Parse();
}

bool
AppSpec::Has(const std::string& key) const
{
    return options.count(key) > 0;
}

namespace
{

/// \return the value of an option of \p a: the scenario's, else the attribute's default
ns3::Ptr<ns3::AttributeValue>
OptionValue(const AppSpec& a, const std::string& key, const AppOption*& option)
{
    option = FindAppOption(key);
    NS_ABORT_MSG_UNLESS(option != nullptr, "no app option " << key);
    auto it = a.options.find(key);
    return AppOptionValue(*option, a.type, it == a.options.end() ? "" : it->second);
}

} // namespace

double
AppSpec::Number(const std::string& key) const
{
    const AppOption* option = nullptr;
    ns3::Ptr<ns3::AttributeValue> v = OptionValue(*this, key, option);
    if (auto d = ns3::DynamicCast<ns3::DoubleValue>(v))
    {
        return d->Get();
    }
    if (auto u = ns3::DynamicCast<ns3::UintegerValue>(v))
    {
        return static_cast<double>(u->Get());
    }
    if (auto i = ns3::DynamicCast<ns3::IntegerValue>(v))
    {
        return static_cast<double>(i->Get());
    }
    if (auto t = ns3::DynamicCast<ns3::TimeValue>(v))
    {
        return t->Get().GetSeconds();
    }
    if (auto b = ns3::DynamicCast<ns3::BooleanValue>(v))
    {
        return b->Get() ? 1 : 0;
    }
    // An enum standing for a boolean (RestartReuseAddr: Same, true, false).
    return Word(key) == "true" ? 1 : 0;
}

int64_t
AppSpec::Ns(const std::string& key) const
{
    const AppOption* option = nullptr;
    ns3::Ptr<ns3::AttributeValue> v = OptionValue(*this, key, option);
    auto t = ns3::DynamicCast<ns3::TimeValue>(v);
    NS_ABORT_MSG_UNLESS(t, "app option " << key << " is not a time");
    return t->Get().GetNanoSeconds();
}

std::string
AppSpec::Word(const std::string& key) const
{
    const AppOption* option = nullptr;
    ns3::Ptr<ns3::AttributeValue> v = OptionValue(*this, key, option);
    return v->SerializeToString(AppOptionInfo(*option, type).checker);
}

std::vector<SysctlSetting>
HostSysctls(const ScenarioSpec& spec, const HostGroupSpec& group, uint32_t index)
{
    std::vector<SysctlSetting> out = spec.sysctls;
    out.insert(out.end(), group.sysctls.begin(), group.sysctls.end());
    auto own = group.hostSysctls.find(index);
    if (own != group.hostSysctls.end())
    {
        out.insert(out.end(), own->second.begin(), own->second.end());
    }
    return out;
}

std::string
HostPortSelector(const ScenarioSpec& spec, const HostGroupSpec& group, uint32_t index)
{
    auto own = group.hostPortSelectors.find(index);
    if (own != group.hostPortSelectors.end())
    {
        return own->second;
    }
    return group.portSelector.empty() ? spec.portSelector : group.portSelector;
}

void
CheckMetricName(const ScenarioSpec& spec, const std::string& name)
{
    size_t dot = name.find('.');
    std::string subject = dot == std::string::npos ? name : name.substr(0, dot);
    std::string metric = dot == std::string::npos ? "" : name.substr(dot + 1);
    std::set<std::string> allowed;
    bool client = false;
    bool found = false;
    for (const auto& a : spec.apps)
    {
        if (a.name == subject)
        {
            allowed = AppMetricNames(a.type);
            client = HasErrnoCountMetrics(a.type);
            found = true;
        }
    }
    for (const auto& g : spec.groups)
    {
        for (uint32_t i = 1; i <= g.count && !found; ++i)
        {
            if (subject == g.name + std::to_string(i))
            {
                allowed = HostMetricNames();
                found = true;
            }
        }
    }
    if (!found)
    {
        std::string apps;
        for (const auto& a : spec.apps)
        {
            apps += (apps.empty() ? "" : ", ") + a.name;
        }
        throw ConfigError("metric '" + name + "': '" + subject + "' is not an app or host of " +
                          spec.name + "; allowed: APP.METRIC (apps: " + apps + ") or HOST.METRIC");
    }
    if (allowed.count(metric) || (client && IsErrnoCountMetric(AppType::TCP_CLIENT, metric)))
    {
        return;
    }
    std::string list;
    for (const auto& m : allowed)
    {
        list += (list.empty() ? "" : ", ") + m;
    }
    throw ConfigError("metric '" + name + "' is not one of " + subject + "'s; allowed: " + list +
                      (client ? std::string(", ") + FAILED_METRIC_PREFIX + "ERRNO" : ""));
}

std::vector<std::pair<std::string, std::string>>
ScenarioKeyHelp()
{
    std::vector<std::pair<std::string, std::string>> out = {
        {"description", "what the scenario shows (required)"},
        {"question", "the question it answers (required)"},
        {"linux_answer", "Linux's answer, from the kernel (required)"},
        {"duration", "simulated time, e.g. 30s, 2min (required)"},
        {"interval", "timeseries interval (default 1s)"},
        {"warmup", "steady-state metrics count from here (default 0s)"},
        {"snapshots", "times of `ss` snapshots, e.g. '5s, 10s' (the end is always taken)"},
        {"pcap", "write a pcap per link end (default false)"},
        {"transport",
         "packet (default) or flow: no packets, each segment one event timed by its link, the "
         "same port decisions; refused where it would not be exact (loss, pcap, a full queue)"},
        {"seed", "default seed (--seed wins)"},
        {"link.rate", "every link's rate, e.g. 1Gbps (default 1Gbps)"},
        {"link.delay", "every link's one-way delay, e.g. 1ms (default 1ms)"},
        {"link.loss", "every link's loss probability, e.g. 0.01 or 1% (default 0)"},
        {"links", "group pairs joined host by host, e.g. 'client-server, client-proxy'"},
        {"sysctl.NAME", "a sysctl for every host, Linux name (net.ipv4.tcp_tw_reuse)"},
        {"group.G.count", "hosts in group G: G1..Gn (1..100000)"},
        {"group.G.addresses", "addresses per link of each host in G (1..16)"},
        {"group.G.sysctl.NAME", "a sysctl for every host of G"},
        {"host.Gn.sysctl.NAME", "a sysctl for host Gn only"},
        {"port_selector",
         "every host's ephemeral port algorithm: linux (Linux 6.18's, the default), random "
         "(RFC 6056 alg. 1), hash (alg. 3, Linux < 4.6), random-increments (alg. 5), "
         "sequential (ns-3's own, BSD's); naming one adds the hosts' port_guess metric"},
        {"group.G.port_selector", "the ephemeral port algorithm of every host of G"},
        {"host.Gn.port_selector", "the ephemeral port algorithm of host Gn only"},
        {"expect.SUBJECT.METRIC",
         "Linux's outcome for an app or host metric (verdicts): 'ok' or errno names, a number "
         "with an optional comparison ('>= 400'), 'V +- TOL[%]', 'linux-tw-capacity +- TOL%', "
         "or 'recorded RECORDING CASE KEY' (a value recorded on Linux, from "
         "share/portlab/recordings/RECORDING.jsonl)"},
    };
    for (const auto& k : StructuralAppKeys())
    {
        std::string types;
        for (AppType t : k.types)
        {
            types += (types.empty() ? "" : ", ") + AppTypeName(t);
        }
        out.emplace_back(std::string("app.A.") + k.name, std::string(k.help) + " [" + types + "]");
    }
    for (const auto& o : AppOptions())
    {
        out.emplace_back(std::string("app.A.") + o.key, AppOptionHelp(o));
    }
    for (const auto& limit : ResourceLimitsHelp())
    {
        out.push_back(limit);
    }
    return out;
}

std::string
ScenarioKeyAxisLabel(const std::string& key, std::string& unit)
{
    unit.clear();

    // Patterns as ScenarioKeyHelp writes them: G, Gn and A stand for one name; a sysctl key
    // (sysctl.NAME, group.G.sysctl.NAME, host.Gn.sysctl.NAME) is labelled by NAME alone.
    struct Label
    {
        const char* pattern;
        const char* label; // "G" or "A" in it is replaced by the key's name there
        const char* unit;
    };

    static const std::vector<Label> table = {
        {"app.A.rate", "offered rate", "connections/s"},
        {"app.A.concurrency", "connections in flight (concurrency)", ""},
        {"app.A.connections", "connections per client host", ""},
        {"app.A.requests_per_connection", "requests per connection (keep-alive)", ""},
        {"group.G.count", "hosts in group G", ""},
        {"link.rate", "link rate", ""},
        {"link.delay", "one-way link delay", ""},
        {"link.loss", "link loss probability", ""},
        {"duration", "simulated time", ""},
        {"port_selector", "ephemeral port algorithm (port_selector)", ""},
        {"group.G.port_selector", "ephemeral port algorithm of G (port_selector)", ""},
        {"host.Gn.port_selector", "ephemeral port algorithm of Gn (port_selector)", ""},
        {"net.ipv4.ip_local_port_range", "ephemeral ports (ip_local_port_range)", ""},
        {"net.ipv4.tcp_tw_reuse", "TIME_WAIT reuse (tcp_tw_reuse)", ""},
        {"net.ipv4.tcp_fin_timeout", "FIN_WAIT2 timeout (tcp_fin_timeout)", "s"},
        {"net.ipv4.tcp_max_tw_buckets", "TIME_WAIT limit (tcp_max_tw_buckets)", "sockets"},
        {"net.ipv4.tcp_max_syn_backlog", "SYN backlog (tcp_max_syn_backlog)", ""},
        {"net.core.somaxconn", "accept queue limit (somaxconn)", ""},
    };
    auto split = [](const std::string& s) {
        std::vector<std::string> parts;
        std::string::size_type start = 0;
        for (;;)
        {
            auto dot = s.find('.', start);
            parts.push_back(s.substr(start, dot - start));
            if (dot == std::string::npos)
            {
                return parts;
            }
            start = dot + 1;
        }
    };
    std::string name = key;
    auto sys = key.find("sysctl.");
    if (sys != std::string::npos && (sys == 0 || key[sys - 1] == '.'))
    {
        name = key.substr(sys + 7);
    }
    std::vector<std::string> k = split(name);
    for (const auto& row : table)
    {
        std::vector<std::string> p = split(row.pattern);
        if (p.size() != k.size())
        {
            continue;
        }
        std::map<std::string, std::string> bound;
        bool match = true;
        for (size_t i = 0; i < p.size() && match; ++i)
        {
            if (p[i] == "G" || p[i] == "Gn" || p[i] == "A")
            {
                bound[p[i]] = k[i];
            }
            else
            {
                match = p[i] == k[i];
            }
        }
        if (!match)
        {
            continue;
        }
        std::string out;
        const std::string label = row.label;
        for (size_t i = 0; i < label.size(); ++i)
        {
            bool wordStart = i == 0 || label[i - 1] == ' ';
            std::string w = label.substr(i, label.find_first_of(" ()", i) - i);
            if (wordStart && bound.count(w))
            {
                out += bound[w];
                i += w.size() - 1;
            }
            else
            {
                out += label[i];
            }
        }
        unit = row.unit;
        return out;
    }
    return key;
}

} // namespace portlab
