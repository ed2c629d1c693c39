/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "util/json-text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace portlab
{

namespace
{

/// How much of the text nlohmann quotes in a parse error ("last read: '...'") is kept.
constexpr size_t MAX_QUOTED = 32;
/// Longest error message.
constexpr size_t MAX_MESSAGE = 240;

/**
 * nlohmann's message for malformed text, made one short line: without its
 * "[json.exception.parse_error.101] parse error at " tag, the input it quotes cut to its last
 * MAX_QUOTED bytes (the quote is the whole token so far, which for a string can be the rest of
 * the file), and every byte that is not printable ASCII shown as '?'.
 */
std::string
ParseErrorMessage(const std::string& what)
{
    std::string m = what;
    size_t tag = m.find("] ");
    if (tag != std::string::npos)
    {
        m.erase(0, tag + 2);
    }
    const std::string at = "parse error at ";
    if (m.compare(0, at.size(), at) == 0)
    {
        m.erase(0, at.size());
    }
    const std::string lastRead = "; last read: '";
    size_t from = m.find(lastRead);
    if (from != std::string::npos)
    {
        from += lastRead.size();
        size_t expected = m.rfind("'; expected ");
        size_t to = expected != std::string::npos && expected >= from ? expected : m.size() - 1;
        if (to > from + MAX_QUOTED)
        {
            m.replace(from, to - from - MAX_QUOTED, "...");
        }
    }
    for (char& c : m)
    {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
        {
            c = '?';
        }
    }
    if (m.size() > MAX_MESSAGE)
    {
        m = m.substr(0, MAX_MESSAGE - 3) + "...";
    }
    return m;
}

/**
 * A string as JSON text: nlohmann's escaping with ensure_ascii (\\uXXXX for controls and
 * non-ASCII, surrogate pairs above U+FFFF, U+FFFD for a byte that is not UTF-8), except DEL
 * (0x7f), which portlab's files have always held as the raw byte.
 */
void
AppendString(std::string& out, const std::string& s)
{
    std::string text = Json(s).dump(-1, ' ', true, Json::error_handler_t::replace);
    if (s.find('\x7f') == std::string::npos)
    {
        out += text;
        return;
    }
    const std::string del = "\\u007f";
    for (size_t i = 0; i < text.size(); ++i)
    {
        if (text.compare(i, del.size(), del) == 0)
        {
            out += '\x7f';
            i += del.size() - 1;
        }
        else if (text[i] == '\\')
        {
            out.append(text, i++, 2); // another escape, whole: "\\" then "u007f" is no DEL
        }
        else
        {
            out += text[i];
        }
    }
}

/// Python's json.dumps layout around nlohmann's scalars: indent 0 is one line.
void
DumpTo(std::string& out, const Json& v, int indent, int depth)
{
    auto newline = [&](int d) {
        if (indent > 0)
        {
            out += '\n';
            out.append(static_cast<size_t>(indent * d), ' ');
        }
    };
    const char* comma = indent > 0 ? "," : ", ";
    if (v.is_object())
    {
        out += '{';
        bool first = true;
        for (const auto& [key, member] : v.items())
        {
            out += first ? "" : comma;
            first = false;
            newline(depth + 1);
            AppendString(out, key);
            out += ": ";
            DumpTo(out, member, indent, depth + 1);
        }
        if (!v.empty())
        {
            newline(depth);
        }
        out += '}';
    }
    else if (v.is_array())
    {
        out += '[';
        for (size_t i = 0; i < v.size(); ++i)
        {
            out += i == 0 ? "" : comma;
            newline(depth + 1);
            DumpTo(out, v[i], indent, depth + 1);
        }
        if (!v.empty())
        {
            newline(depth);
        }
        out += ']';
    }
    else if (v.is_string())
    {
        AppendString(out, v.get_ref<const std::string&>());
    }
    else if (v.is_number_float())
    {
        out += FormatJsonReal(v.get<double>());
    }
    else
    {
        out += v.dump(); // null, true, false, an integer
    }
}

} // namespace

Json
ParseJson(const std::string& text)
{
    // nlohmann's parser keeps its own stack, but copying, comparing and dumping the value
    // recurse: refuse deep nesting while parsing. depth counts the containers around a value
    // (a container's own events carry the depth it sits at).
    auto bounded = [](int depth, Json::parse_event_t, Json&) {
        if (depth > JSON_MAX_DEPTH)
        {
            throw JsonError("nesting deeper than " + std::to_string(JSON_MAX_DEPTH) + " levels");
        }
        return true;
    };
    try
    {
        return Json::parse(text, bounded);
    }
    catch (const Json::exception& e)
    {
        throw JsonError(ParseErrorMessage(e.what()));
    }
}

std::string
DumpJson(const Json& v)
{
    std::string out;
    DumpTo(out, v, 0, 0);
    return out;
}

std::string
DumpJsonPretty(const Json& v, int indent)
{
    std::string out;
    DumpTo(out, v, indent, 0);
    return out;
}

std::string
FormatJsonReal(double d)
{
    if (std::isnan(d))
    {
        return "NaN";
    }
    if (std::isinf(d))
    {
        return d > 0 ? "Infinity" : "-Infinity";
    }
    char buf[32];
    for (int prec = 1; prec <= 17; ++prec)
    {
        std::snprintf(buf, sizeof(buf), "%.*g", prec, d);
        if (std::strtod(buf, nullptr) == d)
        {
            break;
        }
    }
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos)
    {
        s += ".0";
    }
    return s;
}

const Json*
JsonMember(const Json& object, const std::string& key)
{
    if (!object.is_object())
    {
        return nullptr;
    }
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

} // namespace portlab
