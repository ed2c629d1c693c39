/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The portlab command. Thin: options are parsed here, everything else is in models/.
 * Today it answers the five port questions with table-level experiments on the Linux port
 * model; the packet-level scenarios and sweeps arrive with the transport and scenario work.
 */

#include "port-questions.h"
#include "port-sysctls.h"
#include "socket-script.h"

#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

namespace po = boost::program_options;

namespace
{

constexpr int EXIT_MISMATCH = 1;
constexpr int EXIT_USAGE = 2;

/// `portlab script FILE [--seed N]`: run a socket script, print every check.
int
RunScript(int argc, char** argv)
{
    po::options_description opts("Usage: portlab script FILE [--seed N]\n\n"
                                 "Runs a socket script (the grammar is in "
                                 "models/scenario/socket-script.h) and prints each check; exits 1 "
                                 "on a mismatch, 2 on a malformed script.\n\nOptions");
    uint64_t seed = 1;
    std::string file;
    opts.add_options()("help,h", "print this help and exit")(
        "seed",
        po::value<uint64_t>(&seed)->default_value(1),
        "random seed")("file", po::value<std::string>(&file), "the script");
    po::positional_options_description pos;
    pos.add("file", 1);
    po::variables_map vm;
    try
    {
        po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
        po::notify(vm);
    }
    catch (const po::error& e)
    {
        std::cerr << "portlab script: " << e.what() << "\n" << opts << "\n";
        return EXIT_USAGE;
    }
    if (vm.count("help"))
    {
        std::cout << opts << "\n";
        return 0;
    }
    if (file.empty())
    {
        std::cerr << "portlab script: no FILE given\n" << opts << "\n";
        return EXIT_USAGE;
    }
    std::ifstream in(file);
    if (!in)
    {
        std::cerr << "portlab script: cannot read '" << file << "'\n";
        return EXIT_USAGE;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::vector<portlab::ScriptCheck> checks;
    try
    {
        checks = portlab::RunSocketScript(text.str(), file, seed);
    }
    catch (const portlab::ConfigError& e)
    {
        std::cerr << "portlab script: " << e.what() << "\n";
        return EXIT_USAGE;
    }
    int failed = 0;
    for (const auto& c : checks)
    {
        if (c.ok)
        {
            std::cout << file << ":" << c.line << ": " << c.text << " -> " << c.got << "\n";
        }
        else
        {
            ++failed;
            std::cout << file << ":" << c.line << ": " << c.text << " -> MISMATCH: expected "
                      << c.expected << ", got " << c.got << "\n";
        }
    }
    std::cout << "script: " << (checks.size() - failed) << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : EXIT_MISMATCH;
}

} // namespace

int
main(int argc, char** argv)
{
    if (argc > 1 && std::string(argv[1]) == "script")
    {
        return RunScript(argc - 1, argv + 1);
    }
    uint64_t seed = 1;
    std::vector<std::string> sets;
    po::options_description opts("Usage: portlab [--seed N] [--set SYSCTL=VALUE ...]\n\n"
                                 "Answers the five port questions by experiment on simulated "
                                 "hosts with Linux 6.18's port rules.\n\nOptions");
    opts.add_options()("help,h",
                       "print this help and exit")("seed",
                                                   po::value<uint64_t>(&seed)->default_value(1),
                                                   "random seed of every simulated host")(
        "set",
        po::value<std::vector<std::string>>(&sets)->composing(),
        "a host setting under its Linux name, e.g. --set net.ipv4.tcp_tw_reuse=1 "
        "(repeatable; --help-sysctls lists them)")("help-sysctls",
                                                   "list the settings with defaults and exit");
    po::variables_map vm;
    try
    {
        po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
        po::notify(vm);
    }
    catch (const po::error& e)
    {
        std::cerr << "portlab: " << e.what() << "\n" << opts << "\n";
        return EXIT_USAGE;
    }
    if (vm.count("help"))
    {
        std::cout << opts << "\n";
        return 0;
    }
    if (vm.count("help-sysctls"))
    {
        portlab::PortSysctls defaults;
        for (const auto& name : portlab::PortSysctls::Names())
        {
            std::cout << name << " = " << defaults.Get(name) << "\n    "
                      << portlab::PortSysctls::Help(name) << "\n";
        }
        return 0;
    }
    std::vector<std::pair<std::string, std::string>> sysctls;
    for (const auto& s : sets)
    {
        auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0)
        {
            std::cerr << "portlab: --set '" << s << "' is not of the form NAME=VALUE\n";
            return EXIT_USAGE;
        }
        sysctls.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    }
    std::vector<portlab::PortQuestionAnswer> answers;
    try
    {
        answers = portlab::AnswerPortQuestions(seed, sysctls);
    }
    catch (const portlab::SysctlError& e)
    {
        std::cerr << "portlab: --set: " << e.what() << "\n";
        return EXIT_USAGE;
    }
    bool allMatch = true;
    int n = 0;
    for (const auto& a : answers)
    {
        std::cout << "## " << ++n << ". " << a.question << "\n\n";
        for (const auto& line : a.evidence)
        {
            std::cout << "    " << line << "\n";
        }
        std::cout << "\n  Linux: " << a.linuxAnswer
                  << "\n  Model: " << (a.matchesLinux ? "agrees" : "DISAGREES")
                  << "\n\n  Sockets at the end:\n";
        std::cout << a.ssTable << "\n";
        allMatch = allMatch && a.matchesLinux;
    }
    std::cout << (allMatch ? "All five answers match Linux.\n"
                           : "Some answers do not match Linux: see above.\n");
    return allMatch ? 0 : 1;
}
