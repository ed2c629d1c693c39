/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The shipped scenarios as tests/data/scenario-digests.txt lists them (one line each: name,
// digest, shortening overrides), for the suites parameterised over them: the digest check
// (scenario-run-test.cc) and the flow/packet equivalence (flow-equivalence-test.cc). The
// including target defines PORTLAB_DIGEST_FILE.

#ifndef PORTLAB_TESTS_SCENARIO_DIGEST_CASES_H
#define PORTLAB_TESTS_SCENARIO_DIGEST_CASES_H

#include <cctype>
#include <fstream>
#include <gtest/gtest.h>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace portlab
{

/// One line of tests/data/scenario-digests.txt: name, digest, overrides.
struct DigestCase
{
    std::string scenario;               //!< its name
    std::string digest;                 //!< the pinned digest of its short run
    std::vector<std::string> overrides; //!< KEY=VALUE
};

/// \return every line of PORTLAB_DIGEST_FILE but comments and blank lines, in order
inline std::vector<DigestCase>
ReadDigests()
{
    std::vector<DigestCase> out;
    std::ifstream in(PORTLAB_DIGEST_FILE);
    std::string line;
    while (std::getline(in, line))
    {
        if (line.empty() || line[0] == '#')
        {
            continue;
        }
        std::istringstream words(line);
        DigestCase c;
        words >> c.scenario >> c.digest;
        std::string o;
        while (words >> o)
        {
            c.overrides.push_back(o);
        }
        out.push_back(c);
    }
    return out;
}

/// Readable test parameters in failure messages.
inline void
PrintTo(const DigestCase& c, std::ostream* os)
{
    *os << c.scenario;
}

/// \return the scenario's name as a test name (every non-alphanumeric character as '_')
inline std::string
DigestName(const ::testing::TestParamInfo<DigestCase>& info)
{
    std::string n = info.param.scenario;
    for (char& ch : n)
    {
        ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    }
    return n;
}

} // namespace portlab

#endif // PORTLAB_TESTS_SCENARIO_DIGEST_CASES_H
