/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "atomic-directory.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace fs = std::filesystem;

namespace portlab
{

AtomicDirectory::AtomicDirectory(const std::string& dir)
    : m_final(fs::path(dir).lexically_normal().string())
{
    if (!m_final.empty() && m_final.back() == '/')
    {
        m_final.pop_back();
    }
    m_partial = m_final + ".partial-" + std::to_string(getpid());
    std::error_code ec;
    fs::path parent = fs::path(m_final).parent_path();
    if (!parent.empty())
    {
        fs::create_directories(parent, ec);
        if (ec)
        {
            throw std::runtime_error("cannot create directory '" + parent.string() +
                                     "': " + ec.message());
        }
        // Partial directories of earlier runs of the same DIR that were killed hard.
        std::string stem = fs::path(m_final).filename().string() + ".partial-";
        for (const auto& e : fs::directory_iterator(parent, ec))
        {
            if (e.path().filename().string().rfind(stem, 0) == 0)
            {
                std::string pid = e.path().filename().string().substr(stem.size());
                bool alive =
                    !pid.empty() && kill(std::stoi(pid), 0) == 0 && std::stoi(pid) != getpid();
                if (!alive)
                {
                    fs::remove_all(e.path(), ec);
                }
            }
        }
    }
    fs::remove_all(m_partial, ec);
    fs::create_directories(m_partial, ec);
    if (ec)
    {
        throw std::runtime_error("cannot create directory '" + m_partial + "': " + ec.message());
    }
}

AtomicDirectory::~AtomicDirectory()
{
    if (!m_committed)
    {
        std::error_code ec;
        fs::remove_all(m_partial, ec);
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
    std::ofstream out(p, std::ios::binary);
    out << content;
    out.close();
    if (!out)
    {
        throw std::runtime_error("cannot write '" + p.string() + "'");
    }
}

void
AtomicDirectory::Commit()
{
    std::error_code ec;
    std::string old = m_final + ".old-" + std::to_string(getpid());
    bool hadOld = fs::exists(m_final);
    if (hadOld)
    {
        fs::rename(m_final, old, ec);
        if (ec)
        {
            throw std::runtime_error("cannot replace '" + m_final + "': " + ec.message());
        }
    }
    fs::rename(m_partial, m_final, ec);
    if (ec)
    {
        throw std::runtime_error("cannot move results into '" + m_final + "': " + ec.message());
    }
    m_committed = true;
    if (hadOld)
    {
        fs::remove_all(old, ec);
    }
}

void
WriteFileAtomically(const std::string& path, const std::string& content)
{
    fs::path p(path);
    std::error_code ec;
    if (!p.parent_path().empty())
    {
        fs::create_directories(p.parent_path(), ec);
    }
    std::string tmp = path + ".partial-" + std::to_string(getpid());
    {
        std::ofstream out(tmp, std::ios::binary);
        out << content;
        out.close();
        if (!out)
        {
            fs::remove(tmp, ec);
            throw std::runtime_error("cannot write '" + path + "'");
        }
    }
    fs::rename(tmp, path, ec);
    if (ec)
    {
        fs::remove(tmp, ec);
        throw std::runtime_error("cannot write '" + path + "': " + ec.message());
    }
}

std::string
SafeFileName(const std::string& s)
{
    std::string out;
    for (char c : s)
    {
        out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
                c == '=' || c == ',')
                   ? c
                   : '_';
    }
    return out;
}

std::string
ReadWholeFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        throw std::runtime_error("cannot read '" + path + "'");
    }
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace portlab
