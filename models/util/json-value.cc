/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "json-value.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace portlab
{

JsonValue::JsonValue(bool b)
    : m_type(Type::BOOL),
      m_bool(b)
{
}

JsonValue::JsonValue(int i)
    : m_type(Type::INT),
      m_int(i)
{
}

JsonValue::JsonValue(int64_t i)
    : m_type(Type::INT),
      m_int(i)
{
}

JsonValue::JsonValue(uint64_t i)
    : m_type(Type::INT),
      m_int(static_cast<int64_t>(i))
{
}

JsonValue::JsonValue(double d)
    : m_type(Type::REAL),
      m_real(d)
{
}

JsonValue::JsonValue(const char* s)
    : m_type(Type::STRING),
      m_string(s)
{
}

JsonValue::JsonValue(std::string s)
    : m_type(Type::STRING),
      m_string(std::move(s))
{
}

JsonValue
JsonValue::Array()
{
    JsonValue v;
    v.m_type = Type::ARRAY;
    return v;
}

JsonValue
JsonValue::Object()
{
    JsonValue v;
    v.m_type = Type::OBJECT;
    return v;
}

const std::string&
JsonValue::AsString() const
{
    if (m_type != Type::STRING)
    {
        throw JsonError("JSON value is not a string: " + Dump());
    }
    return m_string;
}

int64_t
JsonValue::AsInt() const
{
    if (m_type != Type::INT)
    {
        throw JsonError("JSON value is not an integer: " + Dump());
    }
    return m_int;
}

double
JsonValue::AsDouble() const
{
    if (m_type == Type::INT)
    {
        return static_cast<double>(m_int);
    }
    if (m_type != Type::REAL)
    {
        throw JsonError("JSON value is not a number: " + Dump());
    }
    return m_real;
}

bool
JsonValue::AsBool() const
{
    if (m_type != Type::BOOL)
    {
        throw JsonError("JSON value is not a boolean: " + Dump());
    }
    return m_bool;
}

void
JsonValue::Push(JsonValue v)
{
    if (m_type != Type::ARRAY)
    {
        throw JsonError("JSON Push on a non-array");
    }
    m_items.push_back(std::move(v));
}

const std::vector<JsonValue>&
JsonValue::Items() const
{
    if (m_type != Type::ARRAY)
    {
        throw JsonError("JSON value is not an array: " + Dump());
    }
    return m_items;
}

JsonValue&
JsonValue::Set(const std::string& key, JsonValue v)
{
    if (m_type != Type::OBJECT)
    {
        throw JsonError("JSON Set on a non-object");
    }
    for (auto& m : m_members)
    {
        if (m.first == key)
        {
            m.second = std::move(v);
            return *this;
        }
    }
    m_members.emplace_back(key, std::move(v));
    return *this;
}

const JsonValue*
JsonValue::Find(const std::string& key) const
{
    if (m_type != Type::OBJECT)
    {
        return nullptr;
    }
    for (const auto& m : m_members)
    {
        if (m.first == key)
        {
            return &m.second;
        }
    }
    return nullptr;
}

const JsonValue&
JsonValue::At(const std::string& key) const
{
    const JsonValue* v = Find(key);
    if (v == nullptr)
    {
        throw JsonError("JSON object has no member '" + key + "'");
    }
    return *v;
}

const std::vector<std::pair<std::string, JsonValue>>&
JsonValue::Members() const
{
    if (m_type != Type::OBJECT)
    {
        throw JsonError("JSON value is not an object: " + Dump());
    }
    return m_members;
}

namespace
{

void
DumpString(std::string& out, const std::string& s)
{
    out += '"';
    for (size_t i = 0; i < s.size(); ++i)
    {
        auto c = static_cast<unsigned char>(s[i]);
        switch (c)
        {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (c < 0x20 || c >= 0x80)
            {
                // Decode UTF-8 to a code point and escape it as Python's ensure_ascii does.
                uint32_t cp = c;
                int extra = 0;
                if (c >= 0xf0)
                {
                    cp = c & 0x07;
                    extra = 3;
                }
                else if (c >= 0xe0)
                {
                    cp = c & 0x0f;
                    extra = 2;
                }
                else if (c >= 0xc0)
                {
                    cp = c & 0x1f;
                    extra = 1;
                }
                for (int k = 0; k < extra && i + 1 < s.size(); ++k)
                {
                    cp = (cp << 6) | (static_cast<unsigned char>(s[++i]) & 0x3f);
                }
                char buf[16];
                if (cp >= 0x10000)
                {
                    cp -= 0x10000;
                    std::snprintf(buf,
                                  sizeof(buf),
                                  "\\u%04x\\u%04x",
                                  0xd800 + (cp >> 10),
                                  0xdc00 + (cp & 0x3ff));
                }
                else
                {
                    std::snprintf(buf, sizeof(buf), "\\u%04x", cp);
                }
                out += buf;
            }
            else
            {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

void
DumpReal(std::string& out, double d)
{
    if (std::isnan(d))
    {
        out += "NaN";
        return;
    }
    if (std::isinf(d))
    {
        out += d > 0 ? "Infinity" : "-Infinity";
        return;
    }
    // Shortest representation that round-trips (Python's repr).
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
    out += s;
}

class Parser
{
  public:
    explicit Parser(const std::string& text)
        : m_text(text)
    {
    }

    JsonValue ParseDocument()
    {
        JsonValue v = ParseValue(0);
        SkipSpace();
        if (m_pos != m_text.size())
        {
            Fail("unexpected text after the value");
        }
        return v;
    }

  private:
    [[noreturn]] void Fail(const std::string& what) const
    {
        throw JsonError("JSON error at offset " + std::to_string(m_pos) + ": " + what);
    }

    void SkipSpace()
    {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' ||
                                         m_text[m_pos] == '\n' || m_text[m_pos] == '\r'))
        {
            ++m_pos;
        }
    }

    bool Consume(const char* word)
    {
        size_t n = std::char_traits<char>::length(word);
        if (m_text.compare(m_pos, n, word) == 0)
        {
            m_pos += n;
            return true;
        }
        return false;
    }

    JsonValue ParseValue(int depth)
    {
        if (depth > 200)
        {
            Fail("nesting deeper than 200 levels");
        }
        SkipSpace();
        if (m_pos >= m_text.size())
        {
            Fail("expected a value, found the end of the text");
        }
        char c = m_text[m_pos];
        if (c == '{')
        {
            ++m_pos;
            JsonValue obj = JsonValue::Object();
            SkipSpace();
            if (m_pos < m_text.size() && m_text[m_pos] == '}')
            {
                ++m_pos;
                return obj;
            }
            for (;;)
            {
                SkipSpace();
                if (m_pos >= m_text.size() || m_text[m_pos] != '"')
                {
                    Fail("expected a string key");
                }
                std::string key = ParseString();
                SkipSpace();
                if (m_pos >= m_text.size() || m_text[m_pos] != ':')
                {
                    Fail("expected ':' after a key");
                }
                ++m_pos;
                obj.Set(key, ParseValue(depth + 1));
                SkipSpace();
                if (m_pos < m_text.size() && m_text[m_pos] == ',')
                {
                    ++m_pos;
                    continue;
                }
                if (m_pos < m_text.size() && m_text[m_pos] == '}')
                {
                    ++m_pos;
                    return obj;
                }
                Fail("expected ',' or '}' in an object");
            }
        }
        if (c == '[')
        {
            ++m_pos;
            JsonValue arr = JsonValue::Array();
            SkipSpace();
            if (m_pos < m_text.size() && m_text[m_pos] == ']')
            {
                ++m_pos;
                return arr;
            }
            for (;;)
            {
                arr.Push(ParseValue(depth + 1));
                SkipSpace();
                if (m_pos < m_text.size() && m_text[m_pos] == ',')
                {
                    ++m_pos;
                    continue;
                }
                if (m_pos < m_text.size() && m_text[m_pos] == ']')
                {
                    ++m_pos;
                    return arr;
                }
                Fail("expected ',' or ']' in an array");
            }
        }
        if (c == '"')
        {
            return JsonValue(ParseString());
        }
        if (Consume("true"))
        {
            return JsonValue(true);
        }
        if (Consume("false"))
        {
            return JsonValue(false);
        }
        if (Consume("null"))
        {
            return JsonValue();
        }
        return ParseNumber();
    }

    std::string ParseString()
    {
        ++m_pos; // opening quote
        std::string out;
        while (m_pos < m_text.size())
        {
            char c = m_text[m_pos++];
            if (c == '"')
            {
                return out;
            }
            if (c != '\\')
            {
                out += c;
                continue;
            }
            if (m_pos >= m_text.size())
            {
                break;
            }
            char e = m_text[m_pos++];
            switch (e)
            {
            case '"':
            case '\\':
            case '/':
                out += e;
                break;
            case 'n':
                out += '\n';
                break;
            case 't':
                out += '\t';
                break;
            case 'r':
                out += '\r';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'u': {
                uint32_t cp = ParseHex4();
                if (cp >= 0xd800 && cp < 0xdc00 && Consume("\\u"))
                {
                    uint32_t lo = ParseHex4();
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                }
                AppendUtf8(out, cp);
                break;
            }
            default:
                Fail(std::string("unknown escape '\\") + e + "'");
            }
        }
        Fail("unterminated string");
    }

    uint32_t ParseHex4()
    {
        if (m_pos + 4 > m_text.size())
        {
            Fail("short \\u escape");
        }
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
        {
            char h = m_text[m_pos++];
            v <<= 4;
            if (h >= '0' && h <= '9')
            {
                v |= static_cast<uint32_t>(h - '0');
            }
            else if (h >= 'a' && h <= 'f')
            {
                v |= static_cast<uint32_t>(h - 'a' + 10);
            }
            else if (h >= 'A' && h <= 'F')
            {
                v |= static_cast<uint32_t>(h - 'A' + 10);
            }
            else
            {
                Fail("bad hex digit in \\u escape");
            }
        }
        return v;
    }

    static void AppendUtf8(std::string& out, uint32_t cp)
    {
        if (cp < 0x80)
        {
            out += static_cast<char>(cp);
        }
        else if (cp < 0x800)
        {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
        else if (cp < 0x10000)
        {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
        else
        {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    JsonValue ParseNumber()
    {
        size_t start = m_pos;
        if (m_pos < m_text.size() && m_text[m_pos] == '-')
        {
            ++m_pos;
        }
        bool real = false;
        bool digits = false;
        while (m_pos < m_text.size())
        {
            char c = m_text[m_pos];
            if (c >= '0' && c <= '9')
            {
                digits = true;
            }
            else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')
            {
                real = true;
            }
            else
            {
                break;
            }
            ++m_pos;
        }
        if (!digits)
        {
            m_pos = start;
            Fail("expected a value");
        }
        std::string num = m_text.substr(start, m_pos - start);
        char* end = nullptr;
        if (!real)
        {
            long long v = std::strtoll(num.c_str(), &end, 10);
            if (*end == '\0')
            {
                return JsonValue(static_cast<int64_t>(v));
            }
        }
        double d = std::strtod(num.c_str(), &end);
        if (*end != '\0')
        {
            m_pos = start;
            Fail("malformed number '" + num + "'");
        }
        return JsonValue(d);
    }

    const std::string& m_text;
    size_t m_pos{0};
};

} // namespace

void
JsonValue::DumpTo(std::string& out, int indent, int depth) const
{
    auto newline = [&](int d) {
        if (indent > 0)
        {
            out += '\n';
            out.append(static_cast<size_t>(indent * d), ' ');
        }
    };
    switch (m_type)
    {
    case Type::NUL:
        out += "null";
        break;
    case Type::BOOL:
        out += m_bool ? "true" : "false";
        break;
    case Type::INT:
        out += std::to_string(m_int);
        break;
    case Type::REAL:
        DumpReal(out, m_real);
        break;
    case Type::STRING:
        DumpString(out, m_string);
        break;
    case Type::ARRAY:
        out += '[';
        for (size_t i = 0; i < m_items.size(); ++i)
        {
            out += i == 0 ? "" : (indent > 0 ? "," : ", ");
            newline(depth + 1);
            m_items[i].DumpTo(out, indent, depth + 1);
        }
        if (!m_items.empty())
        {
            newline(depth);
        }
        out += ']';
        break;
    case Type::OBJECT:
        out += '{';
        for (size_t i = 0; i < m_members.size(); ++i)
        {
            out += i == 0 ? "" : (indent > 0 ? "," : ", ");
            newline(depth + 1);
            DumpString(out, m_members[i].first);
            out += ": ";
            m_members[i].second.DumpTo(out, indent, depth + 1);
        }
        if (!m_members.empty())
        {
            newline(depth);
        }
        out += '}';
        break;
    }
}

std::string
JsonValue::Dump() const
{
    std::string out;
    DumpTo(out, 0, 0);
    return out;
}

std::string
JsonValue::DumpPretty(int indent) const
{
    std::string out;
    DumpTo(out, indent, 0);
    return out;
}

JsonValue
JsonValue::Parse(const std::string& text)
{
    return Parser(text).ParseDocument();
}

bool
JsonValue::operator==(const JsonValue& o) const
{
    if (IsNumber() && o.IsNumber())
    {
        if (m_type == Type::INT && o.m_type == Type::INT)
        {
            return m_int == o.m_int;
        }
        return AsDouble() == o.AsDouble();
    }
    if (m_type != o.m_type)
    {
        return false;
    }
    switch (m_type)
    {
    case Type::NUL:
        return true;
    case Type::BOOL:
        return m_bool == o.m_bool;
    case Type::STRING:
        return m_string == o.m_string;
    case Type::ARRAY:
        return m_items == o.m_items;
    case Type::OBJECT:
        if (m_members.size() != o.m_members.size())
        {
            return false;
        }
        for (const auto& m : m_members)
        {
            const JsonValue* other = o.Find(m.first);
            if (other == nullptr || *other != m.second)
            {
                return false;
            }
        }
        return true;
    default:
        return false;
    }
}

} // namespace portlab
