/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_TESTS_CLIENT_SERVER_KEYS_H
#define PORTLAB_TESTS_CLIENT_SERVER_KEYS_H

#include <map>
#include <string>

namespace portlab
{

/**
 * The keys of a scenario with one client host linked to one server host (groups "client" and
 * "server", the texts a scenario must have, its duration), plus the tests' own keys.
 * \param duration the run's length, e.g. "10s"
 * \param keys the test's keys (apps, sysctls, ...); they win over the common ones
 * \return the scenario's keys, for ParseScenario
 */
inline std::map<std::string, std::string>
ClientServerKeys(const std::string& duration, std::map<std::string, std::string> keys)
{
    keys.insert({{"description", "d"},
                 {"question", "q"},
                 {"linux_answer", "a"},
                 {"duration", duration},
                 {"group.client.count", "1"},
                 {"group.server.count", "1"},
                 {"links", "client-server"}});
    return keys;
}

} // namespace portlab

#endif // PORTLAB_TESTS_CLIENT_SERVER_KEYS_H
