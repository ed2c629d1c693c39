/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_FUZZ_SUPPORT_H
#define PORTLAB_FUZZ_SUPPORT_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

/// The libFuzzer entry point each target defines.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace portlab
{
namespace fuzz
{

/**
 * \ingroup portlab-fuzz
 * \brief An input made of a text part and, after a line that is exactly "%%", extra lines
 * (e.g. --set overrides).
 */
struct SplitInput
{
    std::string head;               //!< the text before the separator line (all of it if none)
    std::vector<std::string> lines; //!< the lines after it, without their line ends
};

/// The line that separates an input's text from its extra lines.
inline const char* const SEPARATOR = "%%";

/**
 * \ingroup portlab-fuzz
 * \param data the input \param size its length \return it as a string (bytes kept as they are)
 */
std::string InputText(const uint8_t* data, size_t size);

/**
 * \ingroup portlab-fuzz
 * \brief Split an input at its first line that is exactly SEPARATOR (a trailing '\\r' allowed).
 * \param text the input
 * \return the text before it and the lines after it
 */
SplitInput SplitAtSeparator(const std::string& text);

/**
 * \ingroup portlab-fuzz
 * \brief A directory of this process's own (mkdtemp under $TMPDIR or /tmp), created on first
 * use and removed with its content when the process exits normally. Targets that must go
 * through a file write only here.
 * \return its path
 */
const std::string& PrivateTempDir();

/**
 * \ingroup portlab-fuzz
 * \brief Write a file in PrivateTempDir().
 * \param name a plain file name
 * \param text the content
 * \return its path
 */
std::string WritePrivateFile(const std::string& name, const std::string& text);

} // namespace fuzz
} // namespace portlab

#endif // PORTLAB_FUZZ_SUPPORT_H
