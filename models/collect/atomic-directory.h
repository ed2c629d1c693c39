/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_ATOMIC_DIRECTORY_H
#define PORTLAB_ATOMIC_DIRECTORY_H

#include <string>

namespace portlab
{

/**
 * \defgroup portlab-collect Collectors
 * Collectors turn what a run measured into files: results directories, sweeps, the study
 * report. They are the only part of portlab (with plots/) that writes files.
 */

/**
 * \ingroup portlab-collect
 * \brief A results directory that appears whole or not at all.
 *
 * Files are written into a hidden sibling ("DIR.partial-PID"); Commit() renames it onto DIR
 * (replacing an older DIR). If the object is destroyed without Commit() — an error, an
 * exception, a kill that runs destructors — the partial directory is removed. A partial
 * directory left by a hard kill is never mistaken for results (its name says so) and is
 * cleaned the next time the same DIR is written.
 */
class AtomicDirectory
{
  public:
    /**
     * \brief Start writing DIR (creates its parents and the partial directory).
     * \param dir the final directory
     * \throws std::runtime_error naming the path if it cannot be created
     */
    explicit AtomicDirectory(const std::string& dir);
    ~AtomicDirectory();
    AtomicDirectory(const AtomicDirectory&) = delete;
    AtomicDirectory& operator=(const AtomicDirectory&) = delete;

    /// \param name a relative file name \return its path inside the partial directory
    std::string Path(const std::string& name) const;

    /**
     * \brief Write a whole file (creating subdirectories).
     * \param name relative name
     * \param content bytes
     * \throws std::runtime_error naming the file on failure
     */
    void Write(const std::string& name, const std::string& content) const;

    /// \brief Move the finished directory into place. \throws std::runtime_error on failure
    void Commit();

    /// \return the final directory
    const std::string& Final() const
    {
        return m_final;
    }

  private:
    std::string m_final;     //!< where it ends up
    std::string m_partial;   //!< where it is written
    bool m_committed{false}; //!< Commit() done
};

/**
 * \ingroup portlab-collect
 * \brief Write a file atomically (temporary name in the same directory, then rename).
 * \param path the file
 * \param content bytes
 * \throws std::runtime_error naming the file on failure
 */
void WriteFileAtomically(const std::string& path, const std::string& content);

/**
 * \ingroup portlab-collect
 * \brief A string made safe as one path component of a results directory.
 * \param s e.g. "app.load.rate=600/s,sysctl.x=32768 60999"
 * \return \p s with every character other than letters, digits, '.', '_', '-', '=' and ','
 *         replaced by '_'
 */
std::string SafeFileName(const std::string& s);

/**
 * \ingroup portlab-collect
 * \brief Read a whole file.
 * \param path the file
 * \return its bytes
 * \throws std::runtime_error naming the file if unreadable
 */
std::string ReadWholeFile(const std::string& path);

} // namespace portlab

#endif // PORTLAB_ATOMIC_DIRECTORY_H
