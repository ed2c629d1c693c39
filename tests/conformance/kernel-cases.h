/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_KERNEL_CASES_H
#define PORTLAB_KERNEL_CASES_H

#include "json-text.h"

#include <string>
#include <vector>

namespace portlab
{

/**
 * \brief The cases of the Linux probe (linux-goldens/linux_probe.py), in the probe's order:
 * tcp_and_udp_same_port, bind_matrix, server_restart_old0_servercloses_new0, ...,
 * ephemeral_parity. The names and their order are those of the script's CASES dictionary.
 * \return case names
 */
std::vector<std::string> KernelCaseNames();

/**
 * \brief Whether this process may record cases on the running kernel: the effective user is
 * root and a forked child can enter a private network namespace (unshare(CLONE_NEWNET)) and
 * bring its "lo" up.
 * \param why set to a one-line reason when recording is not permitted
 * \return true if RecordKernelCase() can run
 */
bool KernelRecordingPermitted(std::string& why);

/**
 * \brief Run one probe case on the real kernel, in a fresh network namespace.
 *
 * A forked child enters a private network namespace, brings "lo" up (ioctl, no external
 * binary), runs the case with real sockets exactly as the Python probe does (same calls,
 * same sleeps, same sysctl writes, same socket lifetimes) and sends the result's JSON text
 * back through a pipe. The parent waits at most 120 s for it.
 * \param name a name from KernelCaseNames()
 * \return the case's result, in the probe's JSON shape (the "result" of its output line)
 * \throws std::runtime_error for an unknown name, a failing child (the message carries the
 * child's error), a child killed by a signal, a timeout or unparsable output
 */
Json RecordKernelCase(const std::string& name);

} // namespace portlab

#endif // PORTLAB_KERNEL_CASES_H
