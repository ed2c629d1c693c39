/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

/**
 * \file
 * \brief portlab-kernel-recorder: runs the golden scripts (tests/data/golden-scripts, one per
 * case of the Linux probe) on the running kernel with RunKernelScript, each in fresh network
 * namespaces, and prints one JSON line per case, {"case": NAME, "result": RESULT}, as
 * linux-goldens/linux_probe.py does: the scripts' `#=` annotations fold their results into
 * the probe's shape.
 */

#include "golden-script.h"
#include "script/kernel-script.h"

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
    out << "usage: portlab-kernel-recorder [--scripts DIR] [--list] [--help] [CASE...]\n"
           "Runs the golden scripts on the running kernel (needs root and network namespaces)\n"
           "and prints one JSON line per case: {\"case\": NAME, \"result\": ...}.\n"
           "  --scripts DIR  the golden scripts (default: the source tree's\n"
           "                 tests/data/golden-scripts)\n"
           "  --list         print the case names, one per line, and exit\n"
           "  --help         print this text and exit\n"
           "With no CASE, every case is recorded, by name. A check of a script that fails\n"
           "(a setup call the probe expects to succeed) is reported on stderr.\n"
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
    std::string dir = PORTLAB_GOLDEN_SCRIPTS_DIR;
    std::vector<std::string> args;
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
        else if (arg == "--scripts" && i + 1 < argc)
        {
            dir = argv[++i];
        }
        else if (arg.size() > 1 && arg[0] == '-')
        {
            std::cerr << "portlab-kernel-recorder: unknown option '" << arg << "'\n";
            PrintUsage(std::cerr);
            return EXIT_USAGE;
        }
        else
        {
            args.push_back(arg);
        }
    }
    std::vector<portlab::GoldenScript> scripts;
    try
    {
        scripts = portlab::LoadGoldenScripts(dir);
    }
    catch (const std::exception& e)
    {
        std::cerr << "portlab-kernel-recorder: " << e.what() << "\n";
        return EXIT_USAGE;
    }
    std::vector<std::string> allCases;
    for (const auto& g : scripts)
    {
        allCases.push_back(g.name);
    }
    for (const auto& arg : args)
    {
        if (std::find(allCases.begin(), allCases.end(), arg) == allCases.end())
        {
            std::cerr << "portlab-kernel-recorder: unknown case '" << arg
                      << "'; valid cases: " << JoinNames(allCases) << "\n";
            return EXIT_USAGE;
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

    std::string why;
    if (!portlab::KernelScriptsPermitted(why))
    {
        std::cerr << "portlab-kernel-recorder: cannot record: " << why << "\n";
        return EXIT_SKIPPED;
    }

    int status = 0;
    for (const auto& g : scripts)
    {
        if (!args.empty() && std::find(args.begin(), args.end(), g.name) == args.end())
        {
            continue;
        }
        try
        {
            portlab::GoldenRun run = portlab::RunGoldenScript(g, portlab::GoldenBackend::KERNEL, 1);
            for (const auto& p : run.problems)
            {
                std::cerr << "portlab-kernel-recorder: " << p << "\n";
                status = EXIT_CASE_FAILED;
            }
            portlab::Json line = portlab::Json::object();
            line["case"] = g.name;
            line["result"] = run.result;
            std::cout << portlab::DumpJson(line)
                      << std::endl; // flushed: one line per case as it ends
        }
        catch (const std::exception& e)
        {
            std::cerr << "portlab-kernel-recorder: " << g.name << ": " << e.what() << "\n";
            status = EXIT_CASE_FAILED;
        }
    }
    return status;
}
