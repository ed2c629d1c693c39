/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_JSON_VALUE_H
#define PORTLAB_JSON_VALUE_H

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace portlab
{

/**
 * \brief A parse error: the message names the position and what was expected.
 */
class JsonError : public std::runtime_error
{
  public:
    /// \param what the message
    explicit JsonError(const std::string& what)
        : std::runtime_error(what)
    {
    }
};

/**
 * \brief A JSON value: null, bool, integer, real, string, array or object.
 *
 * Objects keep insertion order and, like Python's dict, setting an existing key replaces its
 * value in place. Serialization matches Python's json.dumps defaults (", " and ": "
 * separators, non-ASCII escaped), so files written here and by the probe script compare
 * byte for byte.
 */
class JsonValue
{
  public:
    /// Value kinds.
    enum class Type
    {
        NUL,
        BOOL,
        INT,
        REAL,
        STRING,
        ARRAY,
        OBJECT
    };

    JsonValue() = default;
    /// \param b a boolean
    JsonValue(bool b);
    /// \param i an integer
    JsonValue(int i);
    /// \param i an integer
    JsonValue(int64_t i);
    /// \param i an integer
    JsonValue(uint64_t i);
    /// \param d a real
    JsonValue(double d);
    /// \param s a string
    JsonValue(const char* s);
    /// \param s a string
    JsonValue(std::string s);

    /// \return an empty array
    static JsonValue Array();
    /// \return an empty object
    static JsonValue Object();

    /// \return the kind
    Type GetType() const
    {
        return m_type;
    }

    /// \return true for an object
    bool IsObject() const
    {
        return m_type == Type::OBJECT;
    }

    /// \return true for an array
    bool IsArray() const
    {
        return m_type == Type::ARRAY;
    }

    /// \return true for a string
    bool IsString() const
    {
        return m_type == Type::STRING;
    }

    /// \return true for an integer or a real
    bool IsNumber() const
    {
        return m_type == Type::INT || m_type == Type::REAL;
    }

    /// \return the string \throws JsonError if not a string
    const std::string& AsString() const;
    /// \return the integer \throws JsonError if not an integer
    int64_t AsInt() const;
    /// \return the number as double \throws JsonError if not a number
    double AsDouble() const;
    /// \return the boolean \throws JsonError if not a bool
    bool AsBool() const;

    /// \param v appended to an array
    void Push(JsonValue v);
    /// \return array elements \throws JsonError if not an array
    const std::vector<JsonValue>& Items() const;

    /**
     * \brief Set a member (replacing an existing one in place).
     * \param key the key
     * \param v the value
     * \return *this
     */
    JsonValue& Set(const std::string& key, JsonValue v);

    /// \param key the key \return the member or nullptr
    const JsonValue* Find(const std::string& key) const;

    /// \param key the key \return the member \throws JsonError if absent
    const JsonValue& At(const std::string& key) const;

    /// \return object members in insertion order \throws JsonError if not an object
    const std::vector<std::pair<std::string, JsonValue>>& Members() const;

    /// \return compact text in Python's json.dumps style
    std::string Dump() const;

    /// \param indent spaces per level \return indented text (keys in insertion order)
    std::string DumpPretty(int indent = 2) const;

    /**
     * \param text JSON text
     * \return the value
     * \throws JsonError naming the offset and the problem
     */
    static JsonValue Parse(const std::string& text);

    /// \param o another value \return true if equal (objects compared regardless of order)
    bool operator==(const JsonValue& o) const;

    /// \param o another value \return true if different
    bool operator!=(const JsonValue& o) const
    {
        return !(*this == o);
    }

  private:
    void DumpTo(std::string& out, int indent, int depth) const;

    Type m_type{Type::NUL};                                   //!< kind
    bool m_bool{false};                                       //!< BOOL
    int64_t m_int{0};                                         //!< INT
    double m_real{0};                                         //!< REAL
    std::string m_string;                                     //!< STRING
    std::vector<JsonValue> m_items;                           //!< ARRAY
    std::vector<std::pair<std::string, JsonValue>> m_members; //!< OBJECT
};

} // namespace portlab

#endif // PORTLAB_JSON_VALUE_H
