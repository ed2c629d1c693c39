/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "fuzz-support.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace portlab
{
namespace fuzz
{

std::string
InputText(const uint8_t* data, size_t size)
{
    return size == 0 ? std::string() : std::string(reinterpret_cast<const char*>(data), size);
}

SplitInput
SplitAtSeparator(const std::string& text)
{
    SplitInput out;
    std::istringstream in(text);
    std::string line;
    bool afterSeparator = false;
    size_t headEnd = text.size();
    size_t offset = 0;
    while (std::getline(in, line))
    {
        size_t next = offset + line.size() + 1;
        if (!line.empty() && line.back() == '\r')
        {
            line.pop_back();
        }
        if (afterSeparator)
        {
            out.lines.push_back(line);
        }
        else if (line == SEPARATOR)
        {
            afterSeparator = true;
            headEnd = offset;
        }
        offset = next;
    }
    out.head = text.substr(0, headEnd);
    return out;
}

namespace
{

/// Owns the directory and removes it at exit.
class TempDir
{
  public:
    TempDir()
    {
        const char* base = std::getenv("TMPDIR");
        std::string pattern =
            std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/portlab-fuzz-XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr)
        {
            throw std::runtime_error("cannot create a temporary directory from " + pattern);
        }
        m_path = pattern;
    }

    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }

    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& Path() const
    {
        return m_path;
    }

  private:
    std::string m_path;
};

} // namespace

const std::string&
PrivateTempDir()
{
    static TempDir dir;
    return dir.Path();
}

std::string
WritePrivateFile(const std::string& name, const std::string& text)
{
    std::string path = PrivateTempDir() + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
    {
        throw std::runtime_error("cannot write " + path);
    }
    return path;
}

} // namespace fuzz
} // namespace portlab
