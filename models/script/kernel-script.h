/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_KERNEL_SCRIPT_H
#define PORTLAB_KERNEL_SCRIPT_H

#include "script/script-program.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-script
 * \brief The live kernel cannot run scripts here (not root, no unshare, no veth): the
 * message says why.
 */
class KernelScriptUnavailable : public std::runtime_error
{
  public:
    using std::runtime_error::runtime_error;
};

/**
 * \ingroup portlab-script
 * \brief Can this process run scripts on the live kernel?
 * \param why receives the reason when it cannot
 * \return true when a child may create network namespaces
 */
bool KernelScriptsPermitted(std::string& why);

/**
 * \ingroup portlab-script
 * \brief Run a socket script on the running Linux kernel, with real sockets.
 *
 * The script runs in a child process. Each `host` is a fresh network namespace with its own
 * `lo` up and its own sysctls; each `link` is a veth pair (ethN at each end, numbered per host
 * in link order, addresses /24), so the hosts are as isolated as the simulated ones. Sockets
 * are created in their host's namespace (with the process's effective uid set to `uid=N`
 * for the creation). Calls are the system calls of the same name; `wait` sleeps for real;
 * `connect` on a blocking socket blocks until the kernel decides; `accept` never blocks
 * (EAGAIN when nothing is queued); `recv` reads what is there without blocking; `state` is
 * TCP_INFO's state; `ss` counts the host's TCP sockets per state as `ss -tan` would, and
 * `ss HOST rows` lists them (and UDP's) from sock_diag, as `ss -tuan` does; `counters` reads
 * /proc/net/snmp and /proc/net/netstat in the host's namespace. A link's delay, rate and loss
 * are netem qdiscs on both veth ends; a `rate=` or `loss=` the kernel cannot apply (no
 * sch_netem, no tc) fails the run before any socket call, naming why. A closed socket's
 * calls go to descriptor -1, so Linux answers EBADF itself. Each check's time is the real
 * time since the script started.
 *
 * What cannot be the same: link delays without netem (veth has none), which packets a lossy
 * link loses, `host timewait_hz` (the kernel has its own CONFIG_HZ), a UDP socket's Recv-Q
 * in rows (Linux counts memory, the model payload bytes), and real time passing during calls
 * (microseconds). Results that depend on them may differ.
 *
 * \param program the parsed script
 * \return one check per statement with an expectation, in order
 * \throws KernelScriptUnavailable if namespaces cannot be made; std::runtime_error if the
 *         script's child failed or ran out of time
 */
std::vector<ScriptCheck> RunKernelScript(const ScriptProgram& program);

} // namespace portlab

#endif // PORTLAB_KERNEL_SCRIPT_H
