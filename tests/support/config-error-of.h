/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Test helpers shared by the suites that check error messages.
 */

#ifndef PORTLAB_TEST_CONFIG_ERROR_OF_H
#define PORTLAB_TEST_CONFIG_ERROR_OF_H

#include "scenario/scenario-config.h"

#include <string>

namespace portlab
{
namespace test
{

/// The message of the ConfigError that \p fn throws ("" if none).
template <class Fn>
std::string
ErrorOf(Fn fn)
{
    try
    {
        fn();
    }
    catch (const ConfigError& e)
    {
        return e.what();
    }
    return "";
}

/// \return whether \p text contains \p part
inline bool
Has(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace test
} // namespace portlab

#endif // PORTLAB_TEST_CONFIG_ERROR_OF_H
