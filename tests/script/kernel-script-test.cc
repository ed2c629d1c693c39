/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Every socket script in tests/data/scripts states what Linux does; this runs each on the live
 * kernel, with real sockets in fresh network namespaces, and requires every check to hold
 * there too (the same scripts run on the model in SocketScript.*). Without root or unshare
 * the tests are skipped, not passed.
 */

#include "collect/atomic-directory.h"
#include "script/kernel-script.h"
#include "script/socket-script.h"

#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>
#include <regex>
#include <sstream>

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

/// A result with ephemeral ports (the range 40000-40009) masked and its rows sorted.
std::string
Masked(const std::string& got)
{
    std::string m = std::regex_replace(got, std::regex(":4000[0-9]\\b"), ":EPH");
    std::vector<std::string> rows;
    std::istringstream in(m);
    std::string l;
    while (std::getline(in, l))
    {
        rows.push_back(l);
    }
    std::sort(rows.begin(), rows.end());
    std::string out;
    for (const auto& r : rows)
    {
        out += r + "\n";
    }
    return out;
}

TEST(KernelScriptObserve, SsRowsAndCountersOnTheKernelAreTheModels)
{
    std::string why;
    if (!KernelScriptsPermitted(why))
    {
        GTEST_SKIP() << why;
    }
    // An accept-queue overflow and its SYN retransmission at 1 s, an orphan's FIN_WAIT2
    // timewait sock armed for 3 s (TWKilled), CLOSE-WAIT with its FIN unread and read, a
    // SYN-SENT with its SYN unacknowledged, a refused connect, UDP out and no port.
    const std::string script = "host h\nsysctl h ip_local_port_range=40000 40009\n"
                               "sysctl h tcp_fin_timeout=3\n"
                               "tcp h l\nbind l 127.0.0.1:8000\nlisten l 0\n"
                               "tcp h c1\nconnect c1 127.0.0.1:8000\n"
                               "tcp h c2 nonblock\nconnect c2 127.0.0.1:8000\nwait 100ms\n"
                               "ss h rows -> *\ncounters h -> *\nwait 1500ms\n"
                               "counters h -> *\naccept l a1\nclose a1\nwait 100ms\n"
                               "ss h rows -> *\ncounters h -> *\nclose c1\nwait 100ms\n"
                               "ss h rows -> *\ntcp h m\nbind m 127.0.0.1:9000\nlisten m\n"
                               "tcp h x\nconnect x 127.0.0.1:9000\naccept m y\nclose x\n"
                               "wait 100ms\nss h rows -> *\nrecv y -> eof\nss h rows -> *\n"
                               "tcp h r\nconnect r 127.0.0.1:7 -> *\nudp h u\n"
                               "sendto u 127.0.0.1:7 10\nwait 10ms\nss h rows udp -> *\n"
                               "udp h v\nbind v 127.0.0.1:5353\nsendto u 127.0.0.1:5353 100\n"
                               "sendto u 127.0.0.1:5353 100\nwait 10ms\nrecvfrom v -> *\n"
                               "counters h -> *\n";
    // tcp_tw_reuse takes a TIME_WAIT over after 1 s (TWRecycled); tcp_max_tw_buckets 0
    // closes without one (TCPTimeWaitOverflow).
    const std::string twScript = "host h\nhost g\nlink h g 10.1.1.1 10.1.1.2\n"
                                 "sysctl h ip_local_port_range=40000 40000\n"
                                 "sysctl h tcp_tw_reuse=1\ntcp g l\nbind l 10.1.1.2:80\n"
                                 "listen l\ntcp h c\nconnect c 10.1.1.2:80\nwait 10ms\n"
                                 "accept l a\nclose c\nwait 50ms\nclose a\nwait 50ms\n"
                                 "counters h -> *\nwait 1100ms\ntcp h d\n"
                                 "connect d 10.1.1.2:80 -> *\nwait 10ms\ncounters h -> *\n"
                                 "sysctl g tcp_max_tw_buckets=0\naccept l b\nclose b\n"
                                 "wait 50ms\nclose d\nwait 50ms\ncounters g -> *\n"
                                 "ss g rows -> *\nss h rows -> *\n";
    for (const std::string& text : {script, twScript})
    {
        ScriptProgram program = ParseScript(text, "observe.pcs");
        std::vector<ScriptCheck> kernel = RunKernelScript(program);
        std::vector<ScriptCheck> model = RunSocketScript(program);
        ASSERT_EQ(kernel.size(), model.size());
        for (size_t i = 0; i < kernel.size(); ++i)
        {
            EXPECT_EQ(Masked(kernel[i].got), Masked(model[i].got))
                << "line " << kernel[i].line << " '" << kernel[i].text
                << "': Linux and the model should show the same (ephemeral ports aside)";
        }
    }
}

TEST(KernelScriptObserve, LinkRateOrLossRunsWithNetemOrIsRefusedNamingIt)
{
    std::string why;
    if (!KernelScriptsPermitted(why))
    {
        GTEST_SKIP() << why;
    }
    ScriptProgram program = ParseScript("host a\nhost b\nlink a b 10.1.1.1 10.1.1.2 loss=1%\n"
                                        "tcp b l\nbind l 10.1.1.2:80 -> ok\n",
                                        "lossy.pcs");
    try
    {
        auto checks = RunKernelScript(program);
        ASSERT_EQ(checks.size(), 1u);
        EXPECT_TRUE(checks[0].ok) << "with netem the script runs";
    }
    catch (const std::runtime_error& e)
    {
        const std::string m = e.what();
        EXPECT_NE(m.find("line 3: 'link a b 10.1.1.1 10.1.1.2 loss=1%': rate= and loss= need tc "
                         "netem (the sch_netem qdisc)"),
                  std::string::npos)
            << m;
        EXPECT_EQ(m.find('\n'), std::string::npos) << "one line: " << m;
    }
}

} // namespace
