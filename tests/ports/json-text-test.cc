/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "util/json-text.h"

#include <gtest/gtest.h>
#include <limits>
#include <nlohmann/json.hpp>

namespace portlab
{
namespace
{

TEST(JsonText, DumpsLikePythonJsonDumps)
{
    Json v = Json::object();
    v["case"] = "x";
    v["first_fail"] = Json::array({10, "EADDRNOTAVAIL"});
    v["n"] = nullptr;
    v["o"] = Json::object();
    v["a"] = Json::array();
    EXPECT_EQ(DumpJson(v),
              R"({"case": "x", "first_fail": [10, "EADDRNOTAVAIL"], "n": null, "o": {}, "a": []})");
    EXPECT_EQ(DumpJsonPretty(v),
              "{\n  \"case\": \"x\",\n  \"first_fail\": [\n    10,\n    \"EADDRNOTAVAIL\"\n  ],\n"
              "  \"n\": null,\n  \"o\": {},\n  \"a\": []\n}");
}

TEST(JsonText, SettingAnExistingKeyReplacesItInPlaceLikeADict)
{
    Json v = Json::object();
    v["a"] = 1;
    v["b"] = 2;
    v["a"] = 3;
    EXPECT_EQ(DumpJson(v), R"({"a": 3, "b": 2})");
    // So does a repeated key in parsed text.
    EXPECT_EQ(DumpJson(ParseJson(R"({"a": 1, "b": 2, "a": 3})")), R"({"a": 3, "b": 2})");
}

TEST(JsonText, RealsKeepTheDigitsPortlabsFilesHaveAlwaysHeld)
{
    // The fewest %g digits that read back as the same double, ".0" when it looks integral;
    // summary.json's metrics hold such reals (the scenario digests cover them).
    EXPECT_EQ(FormatJsonReal(0.0), "0.0");
    EXPECT_EQ(FormatJsonReal(-0.0), "-0.0");
    EXPECT_EQ(FormatJsonReal(5.0), "5.0");
    EXPECT_EQ(FormatJsonReal(10.0), "1e+01");
    EXPECT_EQ(FormatJsonReal(30.0), "3e+01");
    EXPECT_EQ(FormatJsonReal(15.0), "15.0");
    EXPECT_EQ(FormatJsonReal(470.5), "470.5");
    EXPECT_EQ(FormatJsonReal(1.0 / 3), "0.3333333333333333");
    EXPECT_EQ(FormatJsonReal(0.1), "0.1");
    EXPECT_EQ(FormatJsonReal(1e-7), "1e-07");
    EXPECT_EQ(FormatJsonReal(std::numeric_limits<double>::quiet_NaN()), "NaN");
    EXPECT_EQ(FormatJsonReal(-std::numeric_limits<double>::infinity()), "-Infinity");
    Json v = Json::array({1.0, 2.5, 100.0, 7, -3});
    EXPECT_EQ(DumpJson(v), "[1.0, 2.5, 1e+02, 7, -3]");
}

TEST(JsonText, StringsAreAsciiWithEscapes)
{
    // Controls and non-ASCII as \uXXXX (surrogate pairs above U+FFFF), DEL as the raw byte, a
    // byte that is not UTF-8 as U+FFFD.
    Json s = std::string("t\xc3\xa9\n\x01\t\"\\/\x7f\xf0\x9f\x98\x80 \xe9!");
    EXPECT_EQ(DumpJson(s), "\"t\\u00e9\\n\\u0001\\t\\\"\\\\/\x7f\\ud83d\\ude00 \\ufffd!\"");
    // A backslash before "u007f" in the text is not a DEL.
    EXPECT_EQ(DumpJson(Json("\\u007f\x7f")), "\"\\\\u007f\x7f\"");
}

TEST(JsonText, ParsesWhatItDumps)
{
    std::string text = R"({"s": "t\u00e9\n", "a": [1, -2, 3.5, true, false, null], "o": {}})";
    Json v = ParseJson(text);
    EXPECT_EQ(DumpJson(v), text);
    EXPECT_EQ(v.at("a")[2].get<double>(), 3.5);
    EXPECT_EQ(JsonMember(v, "o"), &v.at("o"));
    EXPECT_EQ(JsonMember(v, "missing"), nullptr);
    EXPECT_EQ(JsonMember(v.at("a"), "s"), nullptr) << "an array has no members";
}

TEST(JsonText, MalformedTextIsAOneLineErrorNamingTheLineAndColumn)
{
    try
    {
        (void)ParseJson("{\"a\": [1,\n 2");
        FAIL() << "expected a JsonError for an unterminated array";
    }
    catch (const JsonError& e)
    {
        EXPECT_EQ(std::string(e.what()),
                  "line 2, column 3: syntax error while parsing array - unexpected end of input; "
                  "expected ']'");
    }
    EXPECT_THROW((void)ParseJson("{} x"), JsonError);
    EXPECT_THROW((void)ParseJson(""), JsonError);
    EXPECT_THROW((void)ParseJson("[NaN]"), JsonError);
    EXPECT_THROW((void)ParseJson("[1e999]"), JsonError) << "a number out of range";
    EXPECT_THROW((void)ParseJson("{\"a\": 1} // comment"), JsonError);
    // A long unterminated string with a control character and non-ASCII bytes: the message
    // quotes only its end, as printable ASCII, on one line.
    try
    {
        (void)ParseJson("\"" + std::string(10000, 'x') + "\x01\xe9");
        FAIL() << "expected a JsonError";
    }
    catch (const JsonError& e)
    {
        std::string what = e.what();
        EXPECT_LT(what.size(), 200u) << what;
        EXPECT_EQ(what.find_first_of("\n\x01\xe9"), std::string::npos) << what;
        EXPECT_NE(what.find("line 1, column"), std::string::npos) << what;
    }
}

TEST(JsonText, NestingIsBounded)
{
    auto nested = [](int levels, const std::string& inner) {
        return std::string(levels, '[') + inner + std::string(levels, ']');
    };
    // JSON_MAX_DEPTH + 1 levels of containers, as before nlohmann: the innermost may be empty
    // but holds no value.
    EXPECT_NO_THROW((void)ParseJson(nested(JSON_MAX_DEPTH + 1, "")));
    EXPECT_NO_THROW((void)ParseJson(nested(JSON_MAX_DEPTH, "1")));
    EXPECT_THROW((void)ParseJson(nested(JSON_MAX_DEPTH + 1, "1")), JsonError);
    EXPECT_THROW((void)ParseJson(nested(JSON_MAX_DEPTH + 2, "")), JsonError);
    try
    {
        (void)ParseJson(nested(100000, ""));
        FAIL() << "expected a JsonError";
    }
    catch (const JsonError& e)
    {
        EXPECT_EQ(std::string(e.what()), "nesting deeper than 200 levels");
    }
    std::string objects;
    for (int i = 0; i < 100000; ++i)
    {
        objects += "{\"k\":";
    }
    EXPECT_THROW((void)ParseJson(objects), JsonError);
}

} // namespace
} // namespace portlab
