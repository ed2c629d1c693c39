/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_JSON_TEXT_H
#define PORTLAB_JSON_TEXT_H

#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>

namespace portlab
{

/// \addtogroup portlab-util
/// @{

/**
 * \brief A JSON value (nlohmann::json with objects in insertion order, as portlab writes them).
 *
 * Setting an existing key (`j[key] = v`) replaces its value in place, like Python's dict.
 * Files that build or read values include <nlohmann/json.hpp>; this header only declares.
 */
using Json = nlohmann::ordered_json;

/**
 * \brief Malformed JSON text: the message is one line naming the line and column (or the
 * nesting depth) and what is wrong.
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

/// Deepest nesting ParseJson accepts: containers inside containers, JSON_MAX_DEPTH + 1 levels.
constexpr int JSON_MAX_DEPTH = 200;

/**
 * \brief Parse JSON text (RFC 8259: no comments, no NaN, strings in UTF-8; a repeated key
 * keeps its first position and its last value).
 * \param text the text
 * \return the value
 * \throws JsonError (never anything else for any input): malformed text, a number out of
 * range, or nesting deeper than JSON_MAX_DEPTH, which also bounds the recursion of whatever
 * walks the value afterwards
 */
Json ParseJson(const std::string& text);

/**
 * \param v a value
 * \return one line in Python's json.dumps style: ", " and ": " separators, non-ASCII as
 * \\uXXXX, reals as FormatJsonReal writes them
 */
std::string DumpJson(const Json& v);

/**
 * \param v a value
 * \param indent spaces per level
 * \return the value indented like Python's json.dumps(indent=N) (keys in insertion order, no
 * trailing newline), reals as FormatJsonReal writes them
 */
std::string DumpJsonPretty(const Json& v, int indent = 2);

/**
 * \brief A real as portlab's JSON files have always held it: the fewest significant digits
 * (1 to 17) that read back as the same double, printed with %g, then ".0" when that looks
 * like an integer; NaN, Infinity, -Infinity for the non-finite. So 0.5 is 0.5, 5 is 5.0, but
 * 10 is 1e+01 and 30 is 3e+01 (%g with one digit), which nlohmann's dump (10.0) would change.
 * \param d the real
 * \return its text
 */
std::string FormatJsonReal(double d);

/**
 * \param object a value
 * \param key a key
 * \return the member \p key of \p object, or nullptr when \p object is not an object or
 * has no such member
 */
const Json* JsonMember(const Json& object, const std::string& key);

/// @}

} // namespace portlab

#endif // PORTLAB_JSON_TEXT_H
