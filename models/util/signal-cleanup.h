/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_SIGNAL_CLEANUP_H
#define PORTLAB_SIGNAL_CLEANUP_H

#include <string>

namespace portlab
{

/**
 * \ingroup portlab-util
 * \brief Temporary output (a file, or a directory tree) that is removed if the process is
 * interrupted by SIGINT, SIGTERM, SIGHUP or SIGQUIT before it is renamed into place.
 *
 * Destructors do not run when a signal ends a process, so a results directory still being
 * written ("DIR.partial-...") or a figure's temporary file would be left behind. A guard
 * registers the path; the first guard installs handlers that remove every registered path
 * with async-signal-safe system calls only (openat, getdents64, unlinkat) and then end the
 * process with the same signal, as if the handler had not been there. A signal that was
 * ignored when the first guard was made (nohup's SIGHUP) stays ignored. Only the process that
 * registered a path removes it: a forked child that is signalled before exec() leaves it.
 *
 * At most 64 paths are registered at once; a guard beyond that still works, but its path is
 * left to the next run's stale-partial cleanup if a signal arrives.
 */
class SignalCleanupGuard
{
  public:
    /**
     * \brief Register a path.
     * \param path the temporary file or directory (absolute or relative to the working
     *        directory at the time of the signal; portlab never changes it)
     */
    explicit SignalCleanupGuard(const std::string& path);
    /// Unregister (the path itself is left as it is: its owner renames or removes it).
    ~SignalCleanupGuard();
    SignalCleanupGuard(const SignalCleanupGuard&) = delete;
    SignalCleanupGuard& operator=(const SignalCleanupGuard&) = delete;

    /// \return the number of paths registered now (for tests)
    static int Registered();

  private:
    int m_slot{-1}; //!< registry slot, -1 when the registry was full
};

} // namespace portlab

#endif // PORTLAB_SIGNAL_CLEANUP_H
