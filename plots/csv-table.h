/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_CSV_TABLE_H
#define PORTLAB_CSV_TABLE_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace portlab
{

/// \addtogroup portlab-plots
/// @{

/**
 * \brief A CSV file read into memory: the header's names and, per name, the column of
 * (unparsed) fields.
 *
 * Fields follow RFC 4180: separated by commas, optionally in double quotes (a quoted field may
 * hold commas, newlines and "" for a quote). Errors name the file, and the column and row
 * where it helps; rows are numbered from 1 after the header.
 */
class CsvTable
{
  public:
    /// \param path the file name used in messages
    /// \param header the column names, in file order, all distinct
    /// \param rows the data rows, each as long as header
    /// \throws std::invalid_argument if a name repeats or a row has the wrong length
    CsvTable(std::string path,
             std::vector<std::string> header,
             const std::vector<std::vector<std::string>>& rows);

    /// \return the file the table was read from
    const std::string& Path() const;

    /// \return the column names, in file order
    const std::vector<std::string>& Header() const;

    /// \return the number of data rows
    std::size_t Rows() const;

    /// \param column a column name
    /// \return whether a column of that name exists
    bool Has(const std::string& column) const;

    /// \param column a column name
    /// \return the fields of a column, top to bottom
    /// \throws std::out_of_range naming the file and column if there is no such column
    const std::vector<std::string>& Column(const std::string& column) const;

    /**
     * \param column a column name
     * \return the fields of a column as numbers (strtod syntax: "1e-3", "nan", "inf" are
     *         numbers; an empty field is not)
     * \throws std::out_of_range if there is no such column
     * \throws std::runtime_error naming the file, column, row and field if a field is not a
     *         number
     */
    std::vector<double> Numbers(const std::string& column) const;

  private:
    std::string m_path;
    std::vector<std::string> m_header;
    std::map<std::string, std::vector<std::string>> m_columns;
    std::size_t m_rows = 0;
};

/// The largest CSV file ReadCsv() reads (a 10^7-row time series is well below it).
constexpr std::uint64_t MAX_CSV_BYTES = std::uint64_t(1) << 30;

/**
 * \brief Reads a CSV file whose first line is the header.
 *
 * A trailing newline, CRLF line ends and blank lines are accepted. Only a regular file of at
 * most MAX_CSV_BYTES is read (not a FIFO or a device).
 * \param path the file
 * \return the table
 * \throws std::runtime_error naming the file (and line) if it cannot be read, is empty, has an
 *         unterminated quote, repeats a column name or has a row with the wrong number of fields
 */
CsvTable ReadCsv(const std::string& path);

/// @}

} // namespace portlab

#endif // PORTLAB_CSV_TABLE_H
