/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The recorded NAT cases (tests/data/linux-6.18-nat.jsonl, made by tests/data/nat_probe.py on
// Linux 6.18), read once by case name: shared by the table-level replay
// (nat-golden-test.cc) and the replay over ns-3 packets (nat-gateway-test.cc). The including
// target defines PORTLAB_NAT_GOLDEN_FILE.

#ifndef PORTLAB_TESTS_NAT_RECORDING_H
#define PORTLAB_TESTS_NAT_RECORDING_H

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace portlab
{
namespace nattest
{

/// \return every recorded case, by its "case" name
inline const std::map<std::string, nlohmann::json>&
Recording()
{
    static const std::map<std::string, nlohmann::json> cases = [] {
        std::map<std::string, nlohmann::json> m;
        std::ifstream in(PORTLAB_NAT_GOLDEN_FILE);
        std::string line;
        while (std::getline(in, line))
        {
            if (!line.empty())
            {
                nlohmann::json j = nlohmann::json::parse(line);
                m[j.at("case").get<std::string>()] = j;
            }
        }
        return m;
    }();
    return cases;
}

} // namespace nattest
} // namespace portlab

#endif // PORTLAB_TESTS_NAT_RECORDING_H
