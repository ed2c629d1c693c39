/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Every socket script in tests/data/scripts states what Linux does; this runs each on the live
 * kernel, with real sockets in fresh network namespaces, and requires every check to hold
 * there too (the same scripts run on the model in SocketScript.*). Without root or unshare
 * the tests are skipped, not passed.
 */

#include "atomic-directory.h"
#include "kernel-script.h"

#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>

namespace fs = std::filesystem;

namespace
{

using namespace portlab;

std::vector<std::string>
Scripts()
{
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(PORTLAB_SCRIPTS_DIR))
    {
        if (e.path().extension() == ".pcs")
        {
            out.push_back(e.path().filename().string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

class KernelScript : public ::testing::TestWithParam<std::string>
{
};

TEST_P(KernelScript, EveryCheckHoldsOnTheLiveKernel)
{
    std::string why;
    if (!KernelScriptsPermitted(why))
    {
        GTEST_SKIP() << why;
    }
    std::string path = std::string(PORTLAB_SCRIPTS_DIR) + "/" + GetParam();
    ScriptProgram program = ParseScript(ReadWholeFile(path), GetParam());
    std::vector<ScriptCheck> checks = RunKernelScript(program);
    EXPECT_FALSE(checks.empty()) << GetParam() << " should check something";
    for (const auto& c : checks)
    {
        EXPECT_TRUE(c.ok) << GetParam() << ":" << c.line << ": '" << c.text << "' should give "
                          << c.expected << " on Linux as on the model, "
                          << "got " << c.got;
    }
}

std::string
TestName(const ::testing::TestParamInfo<std::string>& info)
{
    std::string n = info.param.substr(0, info.param.find('.'));
    std::replace(n.begin(), n.end(), '-', '_');
    return n;
}

INSTANTIATE_TEST_SUITE_P(Scripts, KernelScript, ::testing::ValuesIn(Scripts()), TestName);

} // namespace
