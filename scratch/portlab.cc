/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The portlab command. Thin on purpose: everything is in models/cli/portlab-cli.cc, where
 * the tests reach it.
 */

#include "cli/portlab-cli.h"

#include <iostream>

int
main(int argc, char** argv)
{
    return portlab::PortlabMain(argc, argv, std::cout, std::cerr);
}
