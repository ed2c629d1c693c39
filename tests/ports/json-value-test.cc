/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "json-value.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

TEST(JsonValue, DumpsLikePythonJsonDumps)
{
    JsonValue v = JsonValue::Object();
    v.Set("case", "x");
    JsonValue arr = JsonValue::Array();
    arr.Push(10);
    arr.Push("EADDRNOTAVAIL");
    v.Set("first_fail", arr);
    v.Set("n", JsonValue());
    EXPECT_EQ(v.Dump(), R"({"case": "x", "first_fail": [10, "EADDRNOTAVAIL"], "n": null})");
}

TEST(JsonValue, SettingAnExistingKeyReplacesItInPlaceLikeADict)
{
    JsonValue v = JsonValue::Object();
    v.Set("a", 1);
    v.Set("b", 2);
    v.Set("a", 3);
    EXPECT_EQ(v.Dump(), R"({"a": 3, "b": 2})");
}

TEST(JsonValue, ParsesWhatItDumps)
{
    std::string text = R"({"s": "t\u00e9\n", "a": [1, -2, 3.5, true, false, null], "o": {}})";
    JsonValue v = JsonValue::Parse(text);
    EXPECT_EQ(v.Dump(), text);
    EXPECT_EQ(v.At("a").Items()[2].AsDouble(), 3.5);
}

TEST(JsonValue, ObjectsCompareRegardlessOfKeyOrder)
{
    EXPECT_EQ(JsonValue::Parse(R"({"a": 1, "b": [2]})"), JsonValue::Parse(R"({"b": [2], "a": 1})"));
    EXPECT_NE(JsonValue::Parse(R"({"a": 1})"), JsonValue::Parse(R"({"a": 2})"));
}

TEST(JsonValue, MalformedTextIsAnErrorNamingTheOffset)
{
    try
    {
        JsonValue::Parse(R"({"a": [1, 2)");
        FAIL() << "expected a JsonError for an unterminated array";
    }
    catch (const JsonError& e)
    {
        EXPECT_NE(std::string(e.what()).find("offset"), std::string::npos) << e.what();
    }
    EXPECT_THROW(JsonValue::Parse("{} x"), JsonError);
    EXPECT_THROW(JsonValue::Parse(""), JsonError);
}

} // namespace
} // namespace portlab
