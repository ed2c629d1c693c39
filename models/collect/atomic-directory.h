/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_ATOMIC_DIRECTORY_H
#define PORTLAB_ATOMIC_DIRECTORY_H

#include "util/json-text.h"
#include "util/signal-cleanup.h"

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-collect
 * \brief A path portlab refuses to write or replace (exit status 2: bad input).
 */
class OutputError : public std::runtime_error
{
  public:
    using std::runtime_error::runtime_error;
};

/**
 * \ingroup portlab-collect
 * \brief The file portlab writes into every directory it creates (runs, the study, sweeps).
 * Only a directory holding it (as a regular file) is ever replaced or added to.
 */
extern const char* const RESULTS_MARKER;

/**
 * \ingroup portlab-collect
 * \brief Refuse a directory that portlab must not replace with a run's or the study's results.
 *
 * Allowed: a path that does not exist yet, an empty directory, or a directory holding
 * RESULTS_MARKER (one portlab wrote). Refused, with a one-line OutputError naming the path and
 * what is allowed: a symbolic link, a file or anything else that is not a directory, any other
 * directory, `/`, the working directory and its ancestors, and paths with control characters.
 * \param dir the directory
 * \throws OutputError
 */
void CheckReplaceableDirectory(const std::string& dir);

/**
 * \ingroup portlab-collect
 * \brief Refuse a directory that portlab must not add a sweep's files to: as
 * CheckReplaceableDirectory(), and a portlab directory must be a sweep (hold sweep.json).
 * \param dir the sweep directory
 * \throws OutputError
 */
void CheckSweepDirectory(const std::string& dir);

/**
 * \ingroup portlab-collect
 * \brief Create a sweep directory (and its parents), or check an existing one, and put the
 * marker in it.
 * \param dir the sweep directory
 * \throws OutputError or std::runtime_error naming the path
 */
void PrepareSweepDirectory(const std::string& dir);

/**
 * \ingroup portlab-collect
 * \brief A results directory that appears whole or not at all, and never replaces anything
 * portlab did not write.
 *
 * The constructor checks DIR with CheckReplaceableDirectory(), then creates a fresh private
 * sibling "DIR.partial-PID-XXXXXX" (mkdtemp) holding RESULTS_MARKER; files are written there
 * without following symbolic links. Commit() checks DIR again and swaps the two atomically
 * (renameat2 RENAME_EXCHANGE; two renames where the file system lacks it), then removes the
 * old results. Destroyed without Commit() (an error, an exception), the partial directory and
 * every parent directory the constructor created are removed; killed by SIGINT, SIGTERM,
 * SIGHUP or SIGQUIT, the partial directory is removed by a SignalCleanupGuard. One left by
 * SIGKILL or a crash is removed by the next run of the same DIR once its process is gone (or a
 * zombie); names that do not have the partial form, or directories without the marker, are
 * never touched.
 */
class AtomicDirectory
{
  public:
    /**
     * \brief Start writing DIR (creates its parents and the partial directory).
     * \param dir the final directory
     * \param kind what it holds, written into the marker ("run", "study")
     * \throws OutputError if DIR must not be replaced; std::runtime_error naming the path if
     *         it cannot be created
     */
    explicit AtomicDirectory(const std::string& dir, const std::string& kind = "run");
    ~AtomicDirectory();
    AtomicDirectory(const AtomicDirectory&) = delete;
    AtomicDirectory& operator=(const AtomicDirectory&) = delete;

    /// \param name a relative file name \return its path inside the partial directory
    std::string Path(const std::string& name) const;

    /**
     * \brief Write a whole file (creating subdirectories), never following a symbolic link.
     * \param name relative name
     * \param content bytes
     * \throws std::runtime_error naming the file on failure
     */
    void Write(const std::string& name, const std::string& content) const;

    /// \brief Move the finished directory into place. \throws OutputError, std::runtime_error
    void Commit();

    /// \return the final directory
    const std::string& Final() const
    {
        return m_final;
    }

  private:
    std::string m_final;                         //!< where it ends up
    std::string m_partial;                       //!< where it is written
    std::vector<std::string> m_createdParents;   //!< parents created here, innermost first
    std::unique_ptr<SignalCleanupGuard> m_guard; //!< removes m_partial on a signal
    bool m_committed{false};                     //!< Commit() done
};

/**
 * \ingroup portlab-collect
 * \brief Write a file atomically: a fresh temporary (O_CREAT | O_EXCL, so never through a
 * planted link) in the same directory, then rename onto the path (which replaces a link
 * rather than following it).
 * \param path the file
 * \param content bytes
 * \throws std::runtime_error naming the file on failure
 */
void WriteFileAtomically(const std::string& path, const std::string& content);

/**
 * \ingroup portlab-collect
 * \brief The directory name of a run or sweep point: its "KEY=VALUE" settings, readable and
 * unique to them.
 *
 * Each key and each value keeps its letters, digits, '.', '-' and '_'; a space becomes '+';
 * every other byte (including '+', '%', '=' and ',') becomes %XX. Then "KEY=VALUE" pairs are joined
 * with ','. Distinct settings give distinct names ("<= 400" and ">= 400" differ). A name longer
 * than 200 bytes keeps its first 180 and adds '~' and a 64-bit hash of the settings.
 * \param keyValues e.g. {"app.load.rate=600/s", "sysctl.x=32768 60999"}
 * \return e.g. "app.load.rate=600%2Fs,sysctl.x=32768+60999"
 */
std::string SafeFileName(const std::vector<std::string>& keyValues);

/**
 * \ingroup portlab-collect
 * \brief Read a whole input file: a regular file (not a directory, device or FIFO) of at most
 * \p maxBytes bytes.
 * \param path the file
 * \param maxBytes the largest size accepted
 * \return its bytes
 * \throws std::runtime_error naming the file and what is wrong
 */
std::string ReadWholeFile(const std::string& path, size_t maxBytes = size_t(256) << 20);

/**
 * \ingroup portlab-collect
 * \brief Read a JSON file written by portlab (summary.json, sweep.json).
 * \param path the file
 * \return its value
 * \throws std::runtime_error naming the file and what is wrong with it
 */
Json ReadJsonFile(const std::string& path);

/**
 * \ingroup portlab-collect
 * \param s text \return whether it holds a control character (bytes below 0x20, or 0x7f)
 */
bool HasControlCharacter(const std::string& s);

} // namespace portlab

#endif // PORTLAB_ATOMIC_DIRECTORY_H
