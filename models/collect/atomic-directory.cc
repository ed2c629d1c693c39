/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "collect/atomic-directory.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace portlab
{

const char* const RESULTS_MARKER = ".portlab-results";

namespace
{

const char* const ALLOWED =
    "allowed: a new path, an empty directory, or a directory portlab wrote (it holds "
    ".portlab-results)";

/// The first line of the marker names what the directory holds.
std::string
MarkerText(const std::string& kind)
{
    return "portlab " + kind +
           "\nportlab replaces this directory, or adds to it, only while this file is in it.\n";
}

/// The path as shown in an error: control characters as '?', so the message stays one line.
std::string
Shown(const std::string& path)
{
    std::string s;
    for (char c : path)
    {
        s += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    }
    return s;
}

mode_t
CurrentUmask()
{
    mode_t m = umask(022);
    umask(m);
    return m;
}

/// What an output path holds.
enum class Existing
{
    NONE,   //!< nothing: it will be created
    EMPTY,  //!< an empty directory
    MARKED, //!< a directory portlab wrote
    OTHER   //!< any other directory
};

/// The kind in a directory's marker ("" when it has none, or it is not a regular file).
std::string
MarkerKind(const std::string& dir)
{
    std::string marker = dir + "/" + RESULTS_MARKER;
    struct stat st;
    if (lstat(marker.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    {
        return "";
    }
    std::string text;
    try
    {
        text = ReadWholeFile(marker, 4096);
    }
    catch (const std::runtime_error&)
    {
        return "";
    }
    if (text.rfind("portlab ", 0) != 0)
    {
        return "";
    }
    size_t end = text.find('\n');
    return text.substr(8, end == std::string::npos ? std::string::npos : end - 8);
}

/// The checks every output directory gets; \return what is there.
Existing
InspectOutputDirectory(const std::string& dir)
{
    if (dir.empty())
    {
        throw OutputError(std::string("an empty output path; ") + ALLOWED);
    }
    if (HasControlCharacter(dir))
    {
        throw OutputError("output path '" + Shown(dir) + "' holds control characters; " + ALLOWED +
                          ", without control characters");
    }
    struct stat st;
    if (lstat(dir.c_str(), &st) != 0)
    {
        if (errno == ENOENT)
        {
            return Existing::NONE;
        }
        throw OutputError("cannot use '" + dir + "' for output: " + std::strerror(errno) + "; " +
                          ALLOWED);
    }
    if (S_ISLNK(st.st_mode))
    {
        throw OutputError("'" + dir +
                          "' is a symbolic link, and portlab writes results only "
                          "into real directories; " +
                          ALLOWED);
    }
    if (!S_ISDIR(st.st_mode))
    {
        throw OutputError("'" + dir +
                          "' exists and is not a directory, and portlab never "
                          "replaces it; " +
                          ALLOWED);
    }
    std::error_code ec;
    fs::path canon = fs::canonical(dir, ec);
    if (ec)
    {
        throw OutputError("cannot use '" + dir + "' for output: " + ec.message());
    }
    fs::path cwd = fs::canonical(fs::current_path(ec), ec);
    std::string c = canon.string();
    std::string w = ec ? std::string() : cwd.string();
    if (c == "/")
    {
        throw OutputError("'" + dir + "' is the root directory, which portlab never replaces; " +
                          ALLOWED);
    }
    if (!w.empty() && w == c)
    {
        throw OutputError("'" + dir +
                          "' is the working directory, which portlab never "
                          "replaces; " +
                          ALLOWED);
    }
    if (!w.empty() && w.rfind(c + "/", 0) == 0)
    {
        throw OutputError("'" + dir +
                          "' holds the working directory, and portlab never "
                          "replaces it; " +
                          ALLOWED);
    }
    if (!MarkerKind(dir).empty())
    {
        return Existing::MARKED;
    }
    fs::directory_iterator it(dir, ec);
    if (ec)
    {
        throw OutputError("cannot read '" + dir + "': " + ec.message());
    }
    return it == fs::directory_iterator() ? Existing::EMPTY : Existing::OTHER;
}

/// Is process PID still running (neither gone nor a zombie)?
bool
ProcessAlive(pid_t pid)
{
    if (kill(pid, 0) != 0 && errno == ESRCH)
    {
        return false;
    }
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(stat, text))
    {
        return true; // no /proc: trust kill()
    }
    size_t close = text.rfind(')');
    if (close == std::string::npos || close + 2 >= text.size())
    {
        return true;
    }
    char state = text[close + 2];
    return state != 'Z' && state != 'X';
}

/// The PID in a partial directory's name suffix ("1234" or "1234-Ab3xYz"), 0 if not that form.
pid_t
PartialPid(const std::string& suffix)
{
    size_t digits = 0;
    while (digits < suffix.size() && std::isdigit(static_cast<unsigned char>(suffix[digits])))
    {
        ++digits;
    }
    if (digits == 0 || digits > 9)
    {
        return 0;
    }
    std::string rest = suffix.substr(digits);
    if (!rest.empty())
    {
        if (rest.size() != 7 || rest[0] != '-')
        {
            return 0;
        }
        for (size_t i = 1; i < rest.size(); ++i)
        {
            if (!std::isalnum(static_cast<unsigned char>(rest[i])))
            {
                return 0;
            }
        }
    }
    return static_cast<pid_t>(std::stol(suffix.substr(0, digits)));
}

/// Remove partial directories of DIR left by processes that died without cleaning up.
void
RemoveStalePartials(const fs::path& parent, const std::string& name)
{
    std::string stem = name + ".partial-";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(parent, ec))
    {
        std::string entry = e.path().filename().string();
        if (entry.rfind(stem, 0) != 0)
        {
            continue;
        }
        pid_t pid = PartialPid(entry.substr(stem.size()));
        if (pid <= 0 || pid == getpid() || ProcessAlive(pid))
        {
            continue;
        }
        struct stat st;
        if (lstat(e.path().c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
            !MarkerKind(e.path().string()).empty())
        {
            std::error_code rm;
            fs::remove_all(e.path(), rm);
        }
    }
}

/// Create DIR and its missing parents; \return the ones created, innermost first.
std::vector<std::string>
CreateDirectories(const fs::path& dir)
{
    std::vector<fs::path> missing;
    for (fs::path p = dir; !p.empty(); p = p.parent_path())
    {
        struct stat st;
        if (lstat(p.c_str(), &st) == 0)
        {
            break;
        }
        missing.push_back(p);
        if (p == p.parent_path())
        {
            break;
        }
    }
    std::vector<std::string> created;
    for (auto it = missing.rbegin(); it != missing.rend(); ++it)
    {
        if (mkdir(it->c_str(), 0777) == 0)
        {
            created.insert(created.begin(), it->string());
        }
        else if (errno != EEXIST)
        {
            throw std::runtime_error("cannot create directory '" + it->string() +
                                     "': " + std::strerror(errno));
        }
    }
    struct stat st;
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    {
        throw std::runtime_error("cannot create directory '" + dir.string() +
                                 "': a file of that name is in the way");
    }
    return created;
}

/// Write all of content to fd.
bool
WriteAll(int fd, const std::string& content)
{
    size_t done = 0;
    while (done < content.size())
    {
        ssize_t n = write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n <= 0)
        {
            return false;
        }
        done += static_cast<size_t>(n);
    }
    return true;
}

} // namespace

bool
HasControlCharacter(const std::string& s)
{
    for (char c : s)
    {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        {
            return true;
        }
    }
    return false;
}

void
CheckReplaceableDirectory(const std::string& dir)
{
    if (InspectOutputDirectory(dir) == Existing::OTHER)
    {
        throw OutputError("'" + dir + "' is not a portlab results directory (no " + RESULTS_MARKER +
                          " in it), and portlab never replaces other "
                          "directories; " +
                          ALLOWED);
    }
}

void
CheckSweepDirectory(const std::string& dir)
{
    Existing e = InspectOutputDirectory(dir);
    if (e == Existing::OTHER || (e == Existing::MARKED && MarkerKind(dir) != "sweep"))
    {
        throw OutputError("'" + dir + "' is not a portlab sweep directory (no " + RESULTS_MARKER +
                          " naming a sweep in it), and portlab adds sweep "
                          "files to no other directory; allowed: a new path, an empty "
                          "directory, or a sweep directory portlab wrote");
    }
}

void
PrepareSweepDirectory(const std::string& dir)
{
    CheckSweepDirectory(dir);
    CreateDirectories(dir);
    if (MarkerKind(dir).empty())
    {
        WriteFileAtomically(dir + "/" + RESULTS_MARKER, MarkerText("sweep"));
    }
}

AtomicDirectory::AtomicDirectory(const std::string& dir, const std::string& kind)
    : m_final(fs::path(dir).lexically_normal().string())
{
    while (m_final.size() > 1 && m_final.back() == '/')
    {
        m_final.pop_back();
    }
    CheckReplaceableDirectory(m_final);
    fs::path parent = fs::path(m_final).parent_path();
    if (parent.empty())
    {
        parent = ".";
    }
    // A concurrent run of a sibling may remove an empty parent it created just as this one
    // starts: try again a few times.
    for (int attempt = 0;; ++attempt)
    {
        try
        {
            m_createdParents = CreateDirectories(parent);
            RemoveStalePartials(parent, fs::path(m_final).filename().string());
            std::string tmpl = m_final + ".partial-" + std::to_string(getpid()) + "-XXXXXX";
            std::vector<char> buf(tmpl.begin(), tmpl.end());
            buf.push_back('\0');
            if (mkdtemp(buf.data()) == nullptr)
            {
                if (errno == ENOENT && attempt < 3)
                {
                    continue;
                }
                throw std::runtime_error("cannot create directory '" + tmpl +
                                         "': " + std::strerror(errno));
            }
            m_partial = buf.data();
            break;
        }
        catch (const std::runtime_error&)
        {
            if (attempt >= 3)
            {
                throw;
            }
        }
    }
    m_guard = std::make_unique<SignalCleanupGuard>(m_partial);
    // mkdtemp makes it 0700; results get the mode any new directory gets.
    chmod(m_partial.c_str(), 0777 & ~CurrentUmask());
    Write(RESULTS_MARKER, MarkerText(kind));
}

AtomicDirectory::~AtomicDirectory()
{
    if (!m_committed)
    {
        std::error_code ec;
        fs::remove_all(m_partial, ec);
        for (const auto& p : m_createdParents)
        {
            rmdir(p.c_str()); // only when empty: a sibling's results stay
        }
    }
}

std::string
AtomicDirectory::Path(const std::string& name) const
{
    return m_partial + "/" + name;
}

void
AtomicDirectory::Write(const std::string& name, const std::string& content) const
{
    fs::path p = Path(name);
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
    {
        throw std::runtime_error("cannot write '" + p.string() + "': " + std::strerror(errno));
    }
    bool ok = WriteAll(fd, content);
    ok = close(fd) == 0 && ok;
    if (!ok)
    {
        throw std::runtime_error("cannot write '" + p.string() + "': " + std::strerror(errno));
    }
}

void
AtomicDirectory::Commit()
{
    // Check again: the path may have changed while the run went on.
    CheckReplaceableDirectory(m_final);
    if (renameat2(AT_FDCWD, m_partial.c_str(), AT_FDCWD, m_final.c_str(), RENAME_NOREPLACE) == 0)
    {
        m_committed = true;
        m_guard.reset();
        return;
    }
    if (errno == EEXIST &&
        renameat2(AT_FDCWD, m_partial.c_str(), AT_FDCWD, m_final.c_str(), RENAME_EXCHANGE) == 0)
    {
        // The partial name now holds the old results.
        m_committed = true;
        std::error_code ec;
        fs::remove_all(m_partial, ec);
        m_guard.reset();
        return;
    }
    if (errno != EINVAL && errno != ENOSYS)
    {
        throw std::runtime_error("cannot move results into '" + m_final +
                                 "': " + std::strerror(errno));
    }
    // A file system without renameat2's flags: move the old results aside, then rename.
    std::string old;
    std::error_code ec;
    if (fs::exists(fs::symlink_status(m_final)))
    {
        std::string tmpl = m_final + ".old-" + std::to_string(getpid()) + "-XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (mkdtemp(buf.data()) == nullptr || rename(m_final.c_str(), buf.data()) != 0)
        {
            std::string why = std::strerror(errno);
            rmdir(buf.data());
            throw std::runtime_error("cannot replace '" + m_final + "': " + why);
        }
        old = buf.data();
    }
    if (rename(m_partial.c_str(), m_final.c_str()) != 0)
    {
        std::string why = std::strerror(errno);
        if (!old.empty())
        {
            rename(old.c_str(), m_final.c_str());
        }
        throw std::runtime_error("cannot move results into '" + m_final + "': " + why);
    }
    m_committed = true;
    m_guard.reset();
    if (!old.empty())
    {
        fs::remove_all(old, ec);
    }
}

void
WriteFileAtomically(const std::string& path, const std::string& content)
{
    fs::path p(path);
    if (!p.parent_path().empty())
    {
        CreateDirectories(p.parent_path());
    }
    std::string tmpl = path + ".tmp-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    int fd = mkostemp(buf.data(), O_CLOEXEC); // O_CREAT | O_EXCL: never through a link
    if (fd < 0)
    {
        throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
    }
    std::string tmp = buf.data();
    SignalCleanupGuard guard(tmp);
    fchmod(fd, 0666 & ~CurrentUmask());
    bool ok = WriteAll(fd, content);
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp.c_str(), path.c_str()) != 0)
    {
        std::string why = std::strerror(errno);
        unlink(tmp.c_str());
        throw std::runtime_error("cannot write '" + path + "': " + why);
    }
}

namespace
{

/// One key or value as it stands in a directory name (see SafeFileName).
std::string
EscapeForFileName(const std::string& s)
{
    std::string out;
    for (char c : s)
    {
        unsigned char u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '.' || c == '-' || c == '_')
        {
            out += c;
        }
        else if (c == ' ')
        {
            out += '+';
        }
        else
        {
            char hex[4];
            std::snprintf(hex, sizeof(hex), "%%%02X", u);
            out += hex;
        }
    }
    return out;
}

} // namespace

std::string
SafeFileName(const std::vector<std::string>& keyValues)
{
    std::string out;
    uint64_t h = 1469598103934665603ULL; // FNV-1a 64 of the settings
    for (const auto& kv : keyValues)
    {
        size_t eq = kv.find('=');
        out += (out.empty() ? "" : ",") + EscapeForFileName(kv.substr(0, eq));
        if (eq != std::string::npos)
        {
            out += "=" + EscapeForFileName(kv.substr(eq + 1));
        }
        for (char c : kv)
        {
            h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        }
        h = (h ^ 0) * 1099511628211ULL;
    }
    if (out.size() > 200)
    {
        char hex[20];
        std::snprintf(hex, sizeof(hex), "~%016llx", static_cast<unsigned long long>(h));
        out = out.substr(0, 180) + hex;
    }
    if (out == "." || out == "..")
    {
        out = out == "." ? "%2E" : "%2E%2E";
    }
    return out;
}

std::string
ReadWholeFile(const std::string& path, size_t maxBytes)
{
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
    {
        throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    {
        bool dir = S_ISDIR(st.st_mode);
        close(fd);
        throw std::runtime_error("'" + path + "' is " +
                                 (dir ? "a directory" : "not a regular file") +
                                 "; allowed: a regular file");
    }
    auto tooLarge = [&](uint64_t size) {
        close(fd);
        return std::runtime_error("'" + path + "' is " + std::to_string(size) +
                                  " bytes; allowed: at most " + std::to_string(maxBytes));
    };
    if (static_cast<uint64_t>(st.st_size) > maxBytes)
    {
        throw tooLarge(st.st_size);
    }
    std::string text;
    text.reserve(static_cast<size_t>(st.st_size));
    char buf[65536];
    while (true)
    {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n < 0)
        {
            std::string why = std::strerror(errno);
            close(fd);
            throw std::runtime_error("cannot read '" + path + "': " + why);
        }
        if (n == 0)
        {
            break;
        }
        text.append(buf, static_cast<size_t>(n));
        if (text.size() > maxBytes)
        {
            throw tooLarge(text.size());
        }
    }
    close(fd);
    return text;
}

Json
ReadJsonFile(const std::string& path)
{
    std::string text = ReadWholeFile(path, size_t(64) << 20);
    try
    {
        return ParseJson(text);
    }
    catch (const JsonError& e)
    {
        throw std::runtime_error("'" + path + "' is not valid JSON: " + e.what());
    }
}

} // namespace portlab
