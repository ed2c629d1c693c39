/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Runs every golden script on the running Linux kernel (fresh network namespaces, through
 * RunKernelScript) and compares: the live kernel with the recording, and the port tables
 * (RunTableScript) and the transport (RunSocketScript) with the live kernel, with the same
 * rules as the golden tests. Needs root and unshare(CLONE_NEWNET); elsewhere it exits 77,
 * which CTest reports as skipped.
 */

#include "golden-compare.h"
#include "golden-over-link.h"
#include "golden-script.h"
#include "script/kernel-script.h"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/utsname.h>

int
main()
{
    using namespace portlab;
    constexpr int SKIPPED = 77;
    constexpr uint64_t SEED = 1;
    std::string why;
    if (!KernelScriptsPermitted(why))
    {
        std::cout << "SKIPPED: cannot run scripts on the live kernel here: " << why << "\n";
        return SKIPPED;
    }
    utsname u{};
    uname(&u);
    std::cout << "live kernel: " << u.sysname << " " << u.release << "\n";
    std::ifstream in(PORTLAB_GOLDEN_FILE);
    std::stringstream buf;
    buf << in.rdbuf();
    std::map<std::string, Json> recorded;
    for (const auto& [name, result] : ParseGoldenLines(buf.str()))
    {
        recorded[name] = result;
    }
    GoldenReport kernelVsRecording;
    GoldenReport tablesVsKernel;
    GoldenReport transportVsKernel;
    // The same cases with a client and a server namespace joined by veth pairs
    // (RunGoldenScriptOverLink): Linux's own answer between two hosts is the loopback one, but
    // for tcp_tw_reuse=2, which reuses loopback TIME_WAITs only and so answers as 0 there.
    GoldenReport kernelOverLinkVsRecording;
    for (const GoldenScript& g : LoadGoldenScripts(PORTLAB_GOLDEN_SCRIPTS_DIR))
    {
        try
        {
            GoldenRun kernel = RunGoldenScript(g, GoldenBackend::KERNEL, SEED);
            CompareGoldenRun(g.name, recorded.at(g.name), kernel, kernelVsRecording);
            if (GoldenRunsOn(g, GoldenBackend::TABLE))
            {
                CompareGoldenRun(g.name,
                                 kernel.result,
                                 RunGoldenScript(g, GoldenBackend::TABLE, SEED),
                                 tablesVsKernel);
            }
            CompareGoldenRun(g.name,
                             kernel.result,
                             RunGoldenScript(g, GoldenBackend::TRANSPORT, SEED),
                             transportVsKernel);
            const std::string overLinkAs = g.name == "tw_exhaust_one_dest_reuse2_loopback"
                                               ? "tw_exhaust_one_dest_reuse0"
                                               : g.name;
            CompareGoldenRun(overLinkAs,
                             recorded.at(overLinkAs),
                             RunGoldenScriptOverLink(g, GoldenBackend::KERNEL, SEED),
                             kernelOverLinkVsRecording);
        }
        catch (const std::exception& e)
        {
            std::cout << "FAIL: case '" << g.name << "': " << e.what() << "\n";
            return 1;
        }
    }
    std::cout << "live kernel vs the Linux 6.18 recording: " << kernelVsRecording.Summary()
              << "port tables vs the live kernel: " << tablesVsKernel.Summary()
              << "transport vs the live kernel: " << transportVsKernel.Summary()
              << "live kernel over two namespaces vs the recording: "
              << kernelOverLinkVsRecording.Summary();
    for (const GoldenReport* r :
         {&kernelVsRecording, &tablesVsKernel, &transportVsKernel, &kernelOverLinkVsRecording})
    {
        if (r->agree != r->total || r->total == 0)
        {
            std::cout << "FAIL: every case must agree\n";
            return 1;
        }
    }
    return 0;
}
