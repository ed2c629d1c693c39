/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Replays the recorded cases on the running Linux kernel (each in a fresh network namespace)
 * and on the model, and compares them with the same rules as the golden test. Needs root and
 * unshare(CLONE_NEWNET); elsewhere it exits 77, which CTest reports as skipped.
 */

#include "golden-compare.h"
#include "kernel-cases.h"
#include "model-cases.h"

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sys/utsname.h>

int
main()
{
    using namespace portlab;
    constexpr int SKIPPED = 77;
    constexpr uint64_t SEED = 1;
    std::string why;
    if (!KernelRecordingPermitted(why))
    {
        std::cout << "SKIPPED: cannot record on the live kernel here: " << why << "\n";
        return SKIPPED;
    }
    utsname u{};
    uname(&u);
    std::cout << "live kernel: " << u.sysname << " " << u.release << "\n";
    GoldenReport report;
    auto kernelCases = KernelCaseNames();
    for (const std::string& name : ModelCaseNames())
    {
        if (std::find(kernelCases.begin(), kernelCases.end(), name) == kernelCases.end())
        {
            std::cout << "FAIL: the recorder has no case '" << name << "'\n";
            return 1;
        }
        try
        {
            CompareGoldenCase(name, RecordKernelCase(name), RunModelCase(name, SEED), report);
        }
        catch (const std::exception& e)
        {
            std::cout << "FAIL: recording '" << name << "' on the kernel failed: " << e.what()
                      << "\n";
            return 1;
        }
    }
    std::cout << report.Summary();
    if (report.agree != report.total)
    {
        std::cout << "FAIL: the model must agree with the live kernel on every case\n";
        return 1;
    }
    return 0;
}
