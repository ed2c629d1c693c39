/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/app-options.h"

#include "apps/tcp-client-process.h"
#include "apps/tcp-proxy-process.h"
#include "apps/tcp-server-process.h"
#include "apps/udp-client-process.h"
#include "apps/udp-server-process.h"
#include "scenario/scenario-config.h"

#include "ns3/log.h"
#include "ns3/nstime.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <stdexcept>

NS_LOG_COMPONENT_DEFINE("PortlabAppOptions");

namespace portlab
{

namespace
{

/// A number as people write it: no exponent, no trailing zeros ("0.000001", "10000000").
std::string
Plain(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9f", v);
    std::string s = buf;
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.')
    {
        s.pop_back();
    }
    return s;
}

/// The (min, max) of a numeric checker, read from its underlying type information
/// ("uint32_t 1:100000", "double 1e-06:1e+07", "Time +0ns:+1e+14ns"); false if it has none.
bool
CheckerRange(const ns3::AttributeChecker& checker, std::string& min, std::string& max)
{
    std::string info = checker.GetUnderlyingTypeInformation();
    size_t space = info.rfind(' ');
    size_t colon = info.rfind(':');
    if (space == std::string::npos || colon == std::string::npos || colon < space)
    {
        return false;
    }
    min = info.substr(space + 1, colon - space - 1);
    max = info.substr(colon + 1);
    return true;
}

/// \return nanoseconds of a Time checker's bound, clamped to [0, the longest run]
int64_t
TimeBoundNs(const std::string& text)
{
    int64_t ns = ns3::Time(text).GetNanoSeconds();
    if (ns <= 0)
    {
        return 0;
    }
    return std::min(ns, MAX_DURATION_NS);
}

/// A duration in nanoseconds as a scenario writes it ("0.001s", "3600s").
std::string
Seconds(int64_t ns)
{
    return Plain(ns / 1e9) + "s";
}

/// \return the allowed values of an option on a type, as its checker says, in the option's
/// units
std::string
Allowed(const AppOption& o, const ns3::AttributeChecker& checker)
{
    std::string min;
    std::string max;
    switch (o.kind)
    {
    case AppOptionKind::BOOL:
        return "true, false";
    case AppOptionKind::WORD: {
        std::string s;
        if (!o.words.empty())
        {
            for (const auto& [word, text] : o.words)
            {
                s += (s.empty() ? "" : ", ") + std::string(word);
            }
            return s;
        }
        std::string names = checker.GetUnderlyingTypeInformation(); // "a|b|c"
        for (char& c : names)
        {
            c = c == '|' ? ',' : c;
        }
        size_t at = 0;
        while ((at = names.find(',', at)) != std::string::npos)
        {
            names.insert(at + 1, " ");
            at += 2;
        }
        return names;
    }
    case AppOptionKind::DURATION:
        if (!CheckerRange(checker, min, max))
        {
            return "";
        }
        // An unbounded checker's minimum prints as a large positive time: no bound below.
        return Seconds(TimeBoundNs(min) < TimeBoundNs(max) ? TimeBoundNs(min) : 0) + " to " +
               Seconds(TimeBoundNs(max));
    case AppOptionKind::RATE:
        if (!CheckerRange(checker, min, max))
        {
            return "";
        }
        return Plain(std::stod(min)) + "/s to " + Plain(std::stod(max)) + "/s";
    case AppOptionKind::BYTES:
        if (!CheckerRange(checker, min, max))
        {
            return "";
        }
        return min + "B to " + max + "B";
    case AppOptionKind::INTEGER:
        if (!CheckerRange(checker, min, max))
        {
            return "";
        }
        return min + " to " + max;
    }
    return "";
}

/// \return the attribute's text for a scenario value, in the option's units (checked against
/// the checker's range only for integers, whose parse names it)
std::string
AttributeText(const AppOption& o, const ns3::AttributeChecker& checker, const std::string& text)
{
    char buf[64];
    std::string min;
    std::string max;
    switch (o.kind)
    {
    case AppOptionKind::BOOL:
        return units::ParseBool(text) ? "true" : "false";
    case AppOptionKind::INTEGER: {
        const bool ranged = CheckerRange(checker, min, max);
        auto bound = [](const std::string& b, int64_t otherwise) {
            try
            {
                return static_cast<int64_t>(std::stoll(b));
            }
            catch (const std::out_of_range&)
            {
                return otherwise; // uint64_t's maximum: int64_t's
            }
        };
        return std::to_string(
            units::ParseInteger(text,
                                ranged ? bound(min, std::numeric_limits<int64_t>::min())
                                       : std::numeric_limits<int64_t>::min(),
                                ranged ? bound(max, std::numeric_limits<int64_t>::max())
                                       : std::numeric_limits<int64_t>::max()));
    }
    case AppOptionKind::BYTES:
        return std::to_string(units::ParseBytes(text));
    case AppOptionKind::RATE:
        std::snprintf(buf, sizeof buf, "%.17g", units::ParseRate(text));
        return buf;
    case AppOptionKind::DURATION: {
        int64_t ns = units::ParseDurationNs(text);
        if (ns > MAX_DURATION_NS)
        {
            throw ConfigError("out of range; allowed: at most " + Seconds(MAX_DURATION_NS) +
                              " (the longest run)");
        }
        return std::to_string(ns) + "ns";
    }
    case AppOptionKind::WORD:
        for (const auto& [word, attr] : o.words)
        {
            if (text == word)
            {
                return attr;
            }
        }
        return o.words.empty() ? text : "";
    }
    return text;
}

} // namespace

const std::vector<AppType>&
AppTypes()
{
    static const std::vector<AppType> all = {AppType::TCP_SERVER,
                                             AppType::TCP_CLIENT,
                                             AppType::UDP_SERVER,
                                             AppType::UDP_CLIENT,
                                             AppType::TCP_PROXY};
    return all;
}

std::string
AppTypeName(AppType t)
{
    switch (t)
    {
    case AppType::TCP_SERVER:
        return "tcp-server";
    case AppType::TCP_CLIENT:
        return "tcp-client";
    case AppType::UDP_SERVER:
        return "udp-server";
    case AppType::UDP_CLIENT:
        return "udp-client";
    case AppType::TCP_PROXY:
        return "tcp-proxy";
    }
    return "?";
}

ns3::TypeId
AppTypeId(AppType t)
{
    switch (t)
    {
    case AppType::TCP_SERVER:
        return ns3::TcpServerProcess::GetTypeId();
    case AppType::TCP_CLIENT:
        return ns3::TcpClientProcess::GetTypeId();
    case AppType::UDP_SERVER:
        return ns3::UdpServerProcess::GetTypeId();
    case AppType::UDP_CLIENT:
        return ns3::UdpClientProcess::GetTypeId();
    case AppType::TCP_PROXY:
        return ns3::TcpProxyProcess::GetTypeId();
    }
    return ns3::TcpServerProcess::GetTypeId();
}

const std::vector<AppOption>&
AppOptions()
{
    using K = AppOptionKind;
    using T = AppType;
    static const std::vector<AppOption> options = {
        {"reuseaddr",
         K::BOOL,
         {{T::TCP_SERVER, "ReuseAddr"}, {T::UDP_SERVER, "ReuseAddr"}, {T::TCP_PROXY, "ReuseAddr"}},
         {},
         ""},
        {"reuseport",
         K::BOOL,
         {{T::TCP_SERVER, "ReusePort"}, {T::UDP_SERVER, "ReusePort"}},
         {},
         "with processes > 1: a reuseport group"},
        {"backlog", K::INTEGER, {{T::TCP_SERVER, "Backlog"}, {T::TCP_PROXY, "Backlog"}}, {}, ""},
        {"request",
         K::BYTES,
         {{T::TCP_SERVER, "RequestSize"},
          {T::TCP_CLIENT, "RequestSize"},
          {T::UDP_SERVER, "RequestSize"},
          {T::UDP_CLIENT, "RequestSize"},
          {T::TCP_PROXY, "RequestSize"}},
         {},
         ""},
        {"response",
         K::BYTES,
         {{T::TCP_SERVER, "ResponseSize"},
          {T::TCP_CLIENT, "ResponseSize"},
          {T::UDP_SERVER, "ResponseSize"},
          {T::TCP_PROXY, "ResponseSize"}},
         {},
         ""},
        {"close",
         K::WORD,
         {{T::TCP_SERVER, "ClosePolicy"},
          {T::TCP_CLIENT, "ClosePolicy"},
          {T::TCP_PROXY, "ClosePolicy"}},
         {},
         ""},
        {"requests_per_connection",
         K::INTEGER,
         {{T::TCP_SERVER, "RequestsPerConnection"},
          {T::TCP_CLIENT, "RequestsPerConnection"},
          {T::TCP_PROXY, "RequestsPerConnection"}},
         {},
         "keep-alive"},
        {"rate",
         K::RATE,
         {{T::TCP_CLIENT, "Rate"}, {T::UDP_CLIENT, "Rate"}},
         {},
         "on EACH host of the app: a group of N hosts offers N x rate"},
        {"arrivals",
         K::WORD,
         {{T::TCP_CLIENT, "Poisson"}, {T::UDP_CLIENT, "Poisson"}},
         {{"constant", "false"}, {"poisson", "true"}},
         ""},
        {"concurrency", K::INTEGER, {{T::TCP_CLIENT, "Concurrency"}}, {}, "replaces rate"},
        {"connections",
         K::INTEGER,
         {{T::TCP_CLIENT, "MaxConnections"}, {T::UDP_CLIENT, "MaxDatagrams"}},
         {},
         ""},
        {"bind_before_connect",
         K::BOOL,
         {{T::TCP_CLIENT, "BindBeforeConnect"},
          {T::UDP_CLIENT, "BindBeforeSend"},
          {T::TCP_PROXY, "UpstreamBindBeforeConnect"}},
         {},
         ""},
        {"bind_address_no_port",
         K::BOOL,
         {{T::TCP_CLIENT, "BindAddressNoPort"}, {T::TCP_PROXY, "UpstreamBindAddressNoPort"}},
         {},
         "needs bind_before_connect"},
        {"connected", K::BOOL, {{T::UDP_CLIENT, "Connected"}}, {}, ""},
        {"restart_at", K::DURATION, {{T::TCP_SERVER, "RestartAt"}}, {}, "after start"},
        {"restart_delay", K::DURATION, {{T::TCP_SERVER, "RestartDelay"}}, {}, ""},
        {"restart_retry", K::DURATION, {{T::TCP_SERVER, "RestartRetryInterval"}}, {}, ""},
        {"restart_reuseaddr", K::BOOL, {{T::TCP_SERVER, "RestartReuseAddr"}}, {}, ""},
        {"restart_attempts", K::INTEGER, {{T::TCP_SERVER, "RestartMaxAttempts"}}, {}, ""},
        {"accept_stop", K::DURATION, {{T::TCP_SERVER, "AcceptStop"}}, {}, ""},
    };
    return options;
}

const AppOption*
FindAppOption(const std::string& key)
{
    for (const auto& o : AppOptions())
    {
        if (key == o.key)
        {
            return &o;
        }
    }
    return nullptr;
}

const char*
AppOptionAttribute(const AppOption& option, AppType type)
{
    for (const auto& [t, attribute] : option.attributes)
    {
        if (t == type)
        {
            return attribute;
        }
    }
    return nullptr;
}

ns3::TypeId::AttributeInformation
AppOptionInfo(const AppOption& option, AppType type)
{
    const char* attribute = AppOptionAttribute(option, type);
    if (attribute == nullptr)
    {
        type = option.attributes.front().first;
        attribute = option.attributes.front().second;
    }
    ns3::TypeId::AttributeInformation info;
    bool found = AppTypeId(type).LookupAttributeByName(attribute, &info);
    NS_ABORT_MSG_UNLESS(found,
                        "app option " << option.key << ": " << AppTypeId(type).GetName()
                                      << " has no attribute " << attribute);
    return info;
}

std::string
ParseAppOption(const AppOption& option, AppType type, const std::string& text)
{
    const ns3::TypeId::AttributeInformation info = AppOptionInfo(option, type);
    const std::string allowed = Allowed(option, *info.checker);
    std::string attr = AttributeText(option, *info.checker, text);
    if (attr.empty())
    {
        throw ConfigError("'" + text + "' is not allowed; allowed: " + allowed);
    }
    ns3::Ptr<ns3::AttributeValue> v = info.checker->Create();
    if (!v->DeserializeFromString(attr, info.checker) || !info.checker->Check(*v))
    {
        const bool word = option.kind == AppOptionKind::WORD;
        throw ConfigError(word ? "'" + text + "' is not allowed; allowed: " + allowed
                               : "out of range; allowed: " + allowed);
    }
    return v->SerializeToString(info.checker);
}

ns3::Ptr<ns3::AttributeValue>
AppOptionValue(const AppOption& option, AppType type, const std::string& text)
{
    const ns3::TypeId::AttributeInformation info = AppOptionInfo(option, type);
    if (text.empty())
    {
        return info.initialValue->Copy();
    }
    ns3::Ptr<ns3::AttributeValue> v = info.checker->Create();
    bool ok = v->DeserializeFromString(text, info.checker);
    NS_ABORT_MSG_UNLESS(ok, "app option " << option.key << ": '" << text << "' unreadable");
    return v;
}

std::string
AppOptionHelp(const AppOption& option)
{
    const ns3::TypeId::AttributeInformation info =
        AppOptionInfo(option, option.attributes.front().first);
    std::string help = info.help;
    const std::string allowed = Allowed(option, *info.checker);
    if (!allowed.empty())
    {
        help += "; allowed: " + allowed;
    }
    if (*option.note != '\0')
    {
        help += std::string("; ") + option.note;
    }
    std::string types;
    for (const auto& [t, attribute] : option.attributes)
    {
        types += (types.empty() ? "" : ", ") + AppTypeName(t) + ": " + attribute;
        const std::string here = Allowed(option, *AppOptionInfo(option, t).checker);
        if (here != allowed)
        {
            types += " (" + here + ")";
        }
    }
    return help + " [" + types + "]";
}

} // namespace portlab
