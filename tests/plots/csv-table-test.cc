/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "plots/csv-table.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace portlab
{
namespace
{

/// A temporary file with the given contents, removed afterwards.
class TempCsv
{
  public:
    explicit TempCsv(const std::string& contents)
    {
        const char* base = std::getenv("TMPDIR");
        m_path = std::string(base && *base ? base : "/tmp") + "/portlab-csv-XXXXXX";
        int fd = mkstemp(m_path.data());
        if (fd < 0)
        {
            throw std::runtime_error("mkstemp failed");
        }
        close(fd);
        std::ofstream(m_path, std::ios::binary) << contents;
    }

    ~TempCsv()
    {
        std::remove(m_path.c_str());
    }

    const std::string& Path() const
    {
        return m_path;
    }

  private:
    std::string m_path;
};

std::string
ErrorOf(const std::string& contents)
{
    TempCsv file(contents);
    try
    {
        ReadCsv(file.Path());
    }
    catch (const std::runtime_error& e)
    {
        return e.what();
    }
    return "";
}

TEST(CsvTable, ReadsHeaderColumnsQuotesAndNumbers)
{
    TempCsv file("time_s,ports_in_use,label\r\n"
                 "0,12,plain\r\n"
                 "0.5,1e3,\"with, comma and \"\"quotes\"\"\"\n"
                 "\n"
                 "1.5, 7 ,\"two\nlines\"");
    CsvTable t = ReadCsv(file.Path());
    EXPECT_EQ(t.Path(), file.Path());
    EXPECT_EQ(t.Header(), (std::vector<std::string>{"time_s", "ports_in_use", "label"}));
    EXPECT_EQ(t.Rows(), 3u);
    EXPECT_TRUE(t.Has("label"));
    EXPECT_FALSE(t.Has("Label"));
    EXPECT_EQ(t.Column("label"),
              (std::vector<std::string>{"plain", "with, comma and \"quotes\"", "two\nlines"}));
    EXPECT_EQ(t.Numbers("time_s"), (std::vector<double>{0, 0.5, 1.5}));
    EXPECT_EQ(t.Numbers("ports_in_use"), (std::vector<double>{12, 1000, 7}));
}

TEST(CsvTable, HeaderOnlyHasNoRows)
{
    TempCsv file("a,b\n");
    CsvTable t = ReadCsv(file.Path());
    EXPECT_EQ(t.Rows(), 0u);
    EXPECT_TRUE(t.Numbers("b").empty());
}

TEST(CsvTable, NotANumberNamesFileColumnRowAndField)
{
    TempCsv file("t,ci_low\n0,1\n1,\n");
    CsvTable t = ReadCsv(file.Path());
    try
    {
        t.Numbers("ci_low");
        FAIL() << "no exception";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_EQ(std::string(e.what()),
                  file.Path() + ": column 'ci_low', row 2: '' is not a number");
    }
    TempCsv words("t\n1\n2x\n");
    try
    {
        ReadCsv(words.Path()).Numbers("t");
        FAIL() << "no exception";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_EQ(std::string(e.what()),
                  words.Path() + ": column 't', row 2: '2x' is not a number");
    }
}

TEST(CsvTable, UnknownColumnListsTheColumns)
{
    TempCsv file("a,b\n1,2\n");
    CsvTable t = ReadCsv(file.Path());
    try
    {
        t.Column("c");
        FAIL() << "no exception";
    }
    catch (const std::out_of_range& e)
    {
        EXPECT_EQ(std::string(e.what()), file.Path() + ": no column 'c' (columns: a, b)");
    }
}

TEST(CsvTable, MalformedFilesThrowNamingFileAndLine)
{
    EXPECT_NE(ErrorOf("a,b\n1,2\n3\n").find(":3: row 2 has 1 fields, the header 2"),
              std::string::npos);
    EXPECT_NE(ErrorOf("a,a\n").find(":1: column 'a' appears twice"), std::string::npos);
    EXPECT_NE(ErrorOf("a\n\"open\n").find(":2: quote not closed"), std::string::npos);
    EXPECT_NE(ErrorOf("a\n\"x\"y\n").find("text after a closing quote"), std::string::npos);
    EXPECT_NE(ErrorOf("").find("empty file"), std::string::npos);
    EXPECT_THROW(ReadCsv("/nonexistent/portlab.csv"), std::runtime_error);
}

} // namespace
} // namespace portlab
