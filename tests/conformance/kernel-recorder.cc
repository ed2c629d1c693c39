/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

/**
 * \file
 * \brief portlab-kernel-recorder: replays the Linux probe's cases on the running kernel, each
 * in a fresh network namespace, and prints one JSON line per case,
 * {"case": NAME, "result": RESULT}, as linux-goldens/linux_probe.py does.
 */

#include "kernel-cases.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace
{

/// Exit status for a skipped run (no root or no network namespaces), as in automake tests.
constexpr int EXIT_SKIPPED = 77;
/// Exit status for bad usage.
constexpr int EXIT_USAGE = 2;
/// Exit status when a case could not be recorded.
constexpr int EXIT_CASE_FAILED = 1;

/// \param out where to write the usage text
void
PrintUsage(std::ostream& out)
{
    out << "usage: portlab-kernel-recorder [--list] [--help] [CASE...]\n"
           "Records the Linux probe's cases on the running kernel (needs root and network\n"
           "namespaces) and prints one JSON line per case: {\"case\": NAME, \"result\": ...}.\n"
           "  --list   print the case names, one per line, and exit\n"
           "  --help   print this text and exit\n"
           "With no CASE, every case is recorded in the probe's order.\n"
           "Exit status: 0 all recorded, 1 a case failed, 2 bad usage, 77 not permitted.\n";
}

/// \param names valid names \return them, comma-separated
std::string
JoinNames(const std::vector<std::string>& names)
{
    std::string text;
    for (const auto& name : names)
    {
        text += (text.empty() ? "" : ", ") + name;
    }
    return text;
}

} // namespace

int
main(int argc, char** argv)
{
    const std::vector<std::string> allCases = portlab::KernelCaseNames();
    std::vector<std::string> selected;
    bool list = false;
    for (int i = 1; i < argc; ++i)
    {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h")
        {
            PrintUsage(std::cout);
            return 0;
        }
        if (arg == "--list")
        {
            list = true;
        }
        else if (arg.size() > 1 && arg[0] == '-')
        {
            std::cerr << "portlab-kernel-recorder: unknown option '" << arg << "'\n";
            PrintUsage(std::cerr);
            return EXIT_USAGE;
        }
        else if (std::find(allCases.begin(), allCases.end(), arg) == allCases.end())
        {
            std::cerr << "portlab-kernel-recorder: unknown case '" << arg
                      << "'; valid cases: " << JoinNames(allCases) << "\n";
            return EXIT_USAGE;
        }
        else
        {
            selected.push_back(arg);
        }
    }
    if (list)
    {
        for (const auto& name : allCases)
        {
            std::cout << name << "\n";
        }
        return 0;
    }
    if (selected.empty())
    {
        selected = allCases;
    }

    std::string why;
    if (!portlab::KernelRecordingPermitted(why))
    {
        std::cerr << "portlab-kernel-recorder: cannot record: " << why << "\n";
        return EXIT_SKIPPED;
    }

    int status = 0;
    for (const auto& name : selected)
    {
        try
        {
            portlab::Json result = portlab::RecordKernelCase(name);
            portlab::Json line = portlab::Json::object();
            line["case"] = name;
            line["result"] = result;
            std::cout << portlab::DumpJson(line)
                      << std::endl; // flushed: one line per case as it ends
        }
        catch (const std::exception& e)
        {
            std::cerr << "portlab-kernel-recorder: " << e.what() << "\n";
            status = EXIT_CASE_FAILED;
        }
    }
    return status;
}
