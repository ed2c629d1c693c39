/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_TRANSPORT_CASES_H
#define PORTLAB_TRANSPORT_CASES_H

#include "util/json-text.h"

#include <cstdint>
#include <string>
#include <vector>

namespace portlab
{

/// Where a replay runs.
enum class Topology
{
    LOOPBACK, //!< one node, everything over 127.0.0.0/8 as the probe did
    P2P,      //!< client node and server node over a 1 ms point-to-point link
};

/**
 * \brief Recorded cases replayed end to end over real ns-3 packets on LinuxStackHelper
 * nodes, with simulated time advanced where the probe sleeps.
 * \param topology where
 * \return case names (over P2P, only those whose Linux answer does not depend on every
 *         address being loopback)
 */
std::vector<std::string> TransportCaseNames(Topology topology);

/**
 * \brief Run one case in a fresh simulation (Simulator::Destroy() is called at the end).
 * \param name a name from TransportCaseNames()
 * \param topology where
 * \param seed RNG run number
 * \return the result in the probe's JSON shape
 */
Json RunTransportCase(const std::string& name, Topology topology, uint64_t seed);

} // namespace portlab

#endif // PORTLAB_TRANSPORT_CASES_H
