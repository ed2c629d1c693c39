/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "util/signal-cleanup.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <sys/syscall.h>
#include <unistd.h>

namespace portlab
{

namespace
{

constexpr int SLOTS = 64;
constexpr int FREE = 0;
constexpr int READY = 1;

/// One registered path. The handler reads only slots whose state is READY.
struct Slot
{
    std::atomic<int> state{FREE};
    pid_t owner{0};
    char path[PATH_MAX]{};
};

std::array<Slot, SLOTS> g_slots;
std::atomic<int> g_registered{0};
std::once_flag g_installed;
const int SIGNALS[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

/// Remove NAME under the directory PARENT: a file or link at once, a directory's entries first.
/// Only async-signal-safe calls. Depth is bounded; what is deeper is left.
void
RemoveTree(int parent, const char* name, int depth)
{
    if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
    {
        return;
    }
    if (depth > 32)
    {
        return;
    }
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
    {
        return;
    }
    alignas(8) char buf[4096];
    // Entries removed while reading may shift the rest: read from the start until a pass
    // removes nothing.
    for (int pass = 0; pass < 1000; ++pass)
    {
        bool any = false;
        lseek(fd, 0, SEEK_SET);
        while (true)
        {
            long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
            if (n <= 0)
            {
                break;
            }
            for (long off = 0; off < n;)
            {
                // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
                unsigned short reclen;
                std::memcpy(&reclen, buf + off + 16, sizeof(reclen));
                const char* entry = buf + off + 19;
                off += reclen;
                if (std::strcmp(entry, ".") == 0 || std::strcmp(entry, "..") == 0)
                {
                    continue;
                }
                RemoveTree(fd, entry, depth + 1);
                any = true;
            }
        }
        if (!any)
        {
            break;
        }
    }
    close(fd);
    unlinkat(parent, name, AT_REMOVEDIR);
}

extern "C" void
RemoveRegisteredAndReraise(int sig)
{
    int savedErrno = errno;
    pid_t self = getpid();
    for (auto& s : g_slots)
    {
        if (s.state.load() == READY && s.owner == self)
        {
            RemoveTree(AT_FDCWD, s.path, 0);
        }
    }
    errno = savedErrno;
    signal(sig, SIG_DFL);
    raise(sig);
}

void
InstallHandlers()
{
    for (int sig : SIGNALS)
    {
        struct sigaction old;
        if (sigaction(sig, nullptr, &old) != 0)
        {
            continue;
        }
        // Keep a signal ignored (nohup) or handled by the embedding program.
        if (old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO) != 0)
        {
            continue;
        }
        struct sigaction sa;
        std::memset(&sa, 0, sizeof(sa));
        sa.sa_handler = RemoveRegisteredAndReraise;
        sigfillset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        sigaction(sig, &sa, nullptr);
    }
}

} // namespace

SignalCleanupGuard::SignalCleanupGuard(const std::string& path)
{
    std::call_once(g_installed, InstallHandlers);
    if (path.empty() || path.size() >= PATH_MAX)
    {
        return;
    }
    static std::mutex writers;
    std::lock_guard<std::mutex> lock(writers);
    for (int i = 0; i < SLOTS; ++i)
    {
        Slot& s = g_slots[i];
        if (s.state.load() == FREE)
        {
            std::memcpy(s.path, path.c_str(), path.size() + 1);
            s.owner = getpid();
            s.state.store(READY);
            m_slot = i;
            ++g_registered;
            return;
        }
    }
}

SignalCleanupGuard::~SignalCleanupGuard()
{
    if (m_slot >= 0)
    {
        g_slots[m_slot].state.store(FREE);
        --g_registered;
    }
}

int
SignalCleanupGuard::Registered()
{
    return g_registered.load();
}

} // namespace portlab
