/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_TESTS_TEMP_DIR_H
#define PORTLAB_TESTS_TEMP_DIR_H

#include <cstdlib>
#include <filesystem>
#include <string>

namespace portlab
{

/// A fresh temporary directory (/tmp/portlab-TAG-XXXXXX), removed with all it holds at the end,
/// even if a test made it read-only.
class TempDir
{
  public:
    /// \param tag a word naming the test suite in the directory's name
    explicit TempDir(const std::string& tag = "test")
    {
        std::string pattern = "/tmp/portlab-" + tag + "-XXXXXX";
        m_path = mkdtemp(pattern.data());
    }

    ~TempDir()
    {
        namespace fs = std::filesystem;
        std::error_code ec;
        fs::permissions(m_path, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(m_path, ec);
    }

    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    /// \return the directory
    const std::string& Path() const
    {
        return m_path;
    }

  private:
    std::string m_path; //!< the directory
};

} // namespace portlab

#endif // PORTLAB_TESTS_TEMP_DIR_H
