/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "plots/csv-table.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <utility>

namespace portlab
{

CsvTable::CsvTable(std::string path,
                   std::vector<std::string> header,
                   const std::vector<std::vector<std::string>>& rows)
    : m_path(std::move(path)),
      m_header(std::move(header)),
      m_rows(rows.size())
{
    for (const auto& name : m_header)
    {
        if (!m_columns.emplace(name, std::vector<std::string>{}).second)
        {
            throw std::invalid_argument(m_path + ": column '" + name + "' appears twice");
        }
        m_columns[name].reserve(rows.size());
    }
    for (std::size_t r = 0; r < rows.size(); ++r)
    {
        if (rows[r].size() != m_header.size())
        {
            throw std::invalid_argument(m_path + ": row " + std::to_string(r + 1) + " has " +
                                        std::to_string(rows[r].size()) + " fields, the header " +
                                        std::to_string(m_header.size()));
        }
        for (std::size_t c = 0; c < m_header.size(); ++c)
        {
            m_columns[m_header[c]].push_back(rows[r][c]);
        }
    }
}

const std::string&
CsvTable::Path() const
{
    return m_path;
}

const std::vector<std::string>&
CsvTable::Header() const
{
    return m_header;
}

std::size_t
CsvTable::Rows() const
{
    return m_rows;
}

bool
CsvTable::Has(const std::string& column) const
{
    return m_columns.count(column) != 0;
}

const std::vector<std::string>&
CsvTable::Column(const std::string& column) const
{
    auto it = m_columns.find(column);
    if (it == m_columns.end())
    {
        std::string names;
        for (const auto& name : m_header)
        {
            names += (names.empty() ? "" : ", ") + name;
        }
        throw std::out_of_range(m_path + ": no column '" + column + "' (columns: " + names + ")");
    }
    return it->second;
}

std::vector<double>
CsvTable::Numbers(const std::string& column) const
{
    const auto& fields = Column(column);
    std::vector<double> numbers;
    numbers.reserve(fields.size());
    for (std::size_t r = 0; r < fields.size(); ++r)
    {
        const std::string& field = fields[r];
        const char* begin = field.c_str();
        char* end = nullptr;
        errno = 0;
        double v = std::strtod(begin, &end);
        // Leading blanks are skipped by strtod; trailing ones are allowed here too.
        while (end != nullptr && (*end == ' ' || *end == '\t'))
        {
            ++end;
        }
        if (field.empty() || end == begin || *end != '\0' || errno == ERANGE)
        {
            throw std::runtime_error(m_path + ": column '" + column + "', row " +
                                     std::to_string(r + 1) + ": '" + field + "' is not a number");
        }
        numbers.push_back(v);
    }
    return numbers;
}

CsvTable
ReadCsv(const std::string& path)
{
    // A regular file of bounded size: a FIFO, a device or /dev/zero is not a table.
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
    {
        throw std::runtime_error(path + ": cannot open for reading");
    }
    if (!S_ISREG(st.st_mode))
    {
        throw std::runtime_error(path + ": not a regular file; allowed: a CSV file");
    }
    if (static_cast<uint64_t>(st.st_size) > MAX_CSV_BYTES)
    {
        throw std::runtime_error(path + ": " + std::to_string(st.st_size) +
                                 " bytes; allowed: at most " + std::to_string(MAX_CSV_BYTES));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        throw std::runtime_error(path + ": cannot open for reading");
    }
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad())
    {
        throw std::runtime_error(path + ": read error");
    }
    if (text.size() > MAX_CSV_BYTES)
    {
        throw std::runtime_error(path + ": more than " + std::to_string(MAX_CSV_BYTES) +
                                 " bytes; allowed: at most " + std::to_string(MAX_CSV_BYTES));
    }

    // Records with the line each starts on.
    std::vector<std::pair<std::size_t, std::vector<std::string>>> records;
    std::vector<std::string> record;
    std::string field;
    std::size_t line = 1;
    std::size_t recordLine = 1;
    bool inQuotes = false;
    bool fieldQuoted = false;
    auto endRecord = [&]() {
        record.push_back(std::move(field));
        field.clear();
        fieldQuoted = false;
        // A blank line is no record (but a line with one quoted empty field would be).
        if (!(record.size() == 1 && record[0].empty()))
        {
            records.emplace_back(recordLine, std::move(record));
        }
        record.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        char c = text[i];
        if (inQuotes)
        {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
            {
                field += '"';
                ++i;
            }
            else if (c == '"')
            {
                inQuotes = false;
            }
            else
            {
                line += c == '\n';
                field += c;
            }
        }
        else if (c == '"' && field.empty() && !fieldQuoted)
        {
            inQuotes = true;
            fieldQuoted = true;
        }
        else if (c == ',')
        {
            record.push_back(std::move(field));
            field.clear();
            fieldQuoted = false;
        }
        else if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n'))
        {
            i += c == '\r';
            if (fieldQuoted || !field.empty() || !record.empty())
            {
                endRecord();
            }
            ++line;
            recordLine = line;
        }
        else if (fieldQuoted)
        {
            throw std::runtime_error(path + ":" + std::to_string(line) +
                                     ": text after a closing quote");
        }
        else
        {
            field += c;
        }
    }
    if (inQuotes)
    {
        throw std::runtime_error(path + ":" + std::to_string(recordLine) +
                                 ": quote not closed before the end of the file");
    }
    if (fieldQuoted || !field.empty() || !record.empty())
    {
        endRecord();
    }
    if (records.empty())
    {
        throw std::runtime_error(path + ": empty file, expected a header line");
    }

    std::vector<std::string> header = std::move(records.front().second);
    std::set<std::string> seen;
    for (const auto& name : header)
    {
        if (!seen.insert(name).second)
        {
            throw std::runtime_error(path + ":1: column '" + name + "' appears twice");
        }
    }
    std::vector<std::vector<std::string>> rows;
    rows.reserve(records.size() - 1);
    for (std::size_t r = 1; r < records.size(); ++r)
    {
        if (records[r].second.size() != header.size())
        {
            throw std::runtime_error(path + ":" + std::to_string(records[r].first) + ": row " +
                                     std::to_string(r) + " has " +
                                     std::to_string(records[r].second.size()) +
                                     " fields, the header " + std::to_string(header.size()));
        }
        rows.push_back(std::move(records[r].second));
    }
    return CsvTable(path, std::move(header), rows);
}

} // namespace portlab
