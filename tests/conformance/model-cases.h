/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_MODEL_CASES_H
#define PORTLAB_MODEL_CASES_H

#include "json-text.h"

#include <cstdint>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \brief The recorded Linux cases that the port tables alone can replay, in the probe's
 * order. Connections are driven through the tables as the transport drives them (connect,
 * listener lookup, child creation, FIN exchange, TIME_WAIT for the active closer), with
 * simulated time advanced where the probe sleeps.
 * \return case names
 */
std::vector<std::string> ModelCaseNames();

/**
 * \brief Recorded cases that need packets (RST to a reader, ICMP): replayed by the
 * transport's tests, not by the tables.
 * \return case names
 */
std::vector<std::string> TransportOnlyCaseNames();

/**
 * \brief Replay one case on a fresh simulated host.
 * \param name a name from ModelCaseNames()
 * \param seed the host's random seed
 * \return the result, in the probe's JSON shape
 * \throws std::invalid_argument for an unknown name
 */
Json RunModelCase(const std::string& name, uint64_t seed);

} // namespace portlab

#endif // PORTLAB_MODEL_CASES_H
