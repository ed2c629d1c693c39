/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// A deliberately crashing fuzz target, for the replay driver's own tests: an input that
// starts with "CRASH" aborts the process, as a sanitizer report or a failed assertion would.

#include "fuzz-support.h"

#include <cstdlib>
#include <cstring>

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size >= 5 && std::memcmp(data, "CRASH", 5) == 0)
    {
        std::abort();
    }
    return 0;
}
