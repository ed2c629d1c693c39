/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_CLI_H
#define PORTLAB_CLI_H

#include <ostream>

namespace portlab
{

/// \addtogroup portlab-cli
/// @{

/// Exit status: success.
constexpr int EXIT_OK = 0;
/// Exit status: a run, script or study disagreed with Linux (or sweep points failed).
constexpr int EXIT_MISMATCH = 1;
/// Exit status: bad command line, scenario file, override or script.
constexpr int EXIT_USAGE = 2;

/**
 * \ingroup portlab-cli
 * \brief The `portlab` command: the default study, run, list, sweep, collect, plot, script.
 * scratch/portlab.cc only calls this, so that tests reach every path.
 * \param argc as main's
 * \param argv as main's (argv[0] is the program)
 * \param out normal output
 * \param err errors and progress
 * \return the exit status (EXIT_OK, EXIT_MISMATCH, EXIT_USAGE)
 */
int PortlabMain(int argc, char** argv, std::ostream& out, std::ostream& err);

/// @}

} // namespace portlab

#endif // PORTLAB_CLI_H
