/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The differential corpus: random socket scripts (tests/data/differential/corpus.txt) whose
 * expectations are what Linux 6.18 answered, three runs each, recorded by
 * `portlab-differential-fuzz record` (see tests/data/differential/README.md). Every sequence
 * must agree on the model, in every result Linux gives deterministically. No root needed.
 */

#include "collect/atomic-directory.h"
#include "script/script-generator.h"

#include <gtest/gtest.h>
#include <iostream>
#include <string>

namespace
{

using namespace portlab;

/// A recording: its file in tests/data/differential and what its generator covers.
struct Corpus
{
    const char* file; //!< the recording
    const char* name; //!< the test's name
};

/// How gtest names a recording in its messages.
void
PrintTo(const Corpus& c, std::ostream* os)
{
    *os << c.file;
}

class DifferentialCorpus : public ::testing::TestWithParam<Corpus>
{
};

TEST_P(DifferentialCorpus, EveryRecordedKernelSequenceAgreesOnTheModel)
{
    auto corpus = ParseRecording(
        ReadWholeFile(std::string(PORTLAB_DIFFERENTIAL_DIR) + "/" + GetParam().file));
    ASSERT_GE(corpus.size(), 1000u) << "the corpus should hold at least 1000 sequences";
    size_t agree = 0;
    size_t checks = 0;
    for (const auto& s : corpus)
    {
        for (char c : s.text)
        {
            checks += c == '>' ? 1 : 0;
        }
        auto d = ModelDisagreements(s);
        agree += d.empty() ? 1 : 0;
        for (const auto& line : d)
        {
            ADD_FAILURE() << line << " (the model should give Linux's result)";
        }
    }
    std::cout << GetParam().file << ": " << agree << " of " << corpus.size()
              << " fuzz sequences agree (" << checks << " checks)\n";
    EXPECT_EQ(agree, corpus.size());
}

// corpus.txt: the base generator (bind, listen, connect, accept, send, recv, close, resets,
// waits, sysctls); corpus-extended.txt: `--extended`, also non-blocking connect, backlogs,
// shutdown, socket options, names, sendto/recvfrom.
INSTANTIATE_TEST_SUITE_P(Recordings,
                         DifferentialCorpus,
                         ::testing::Values(Corpus{"corpus.txt", "base"},
                                           Corpus{"corpus-extended.txt", "extended"}),
                         [](const ::testing::TestParamInfo<Corpus>& i) {
                             return std::string(i.param.name);
                         });

TEST(DifferentialComparison, ADisagreementIsReported)
{
    // The comparison itself can fail: a recorded result the model does not give.
    RecordedScript s{7,
                     "host h\ntcp h a\nbind a 127.0.0.1:80 -> ok\ntcp h b\n"
                     "bind b 127.0.0.1:80 -> ok\n"};
    auto d = ModelDisagreements(s);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0], "seed-7:5: bind b 127.0.0.1:80: Linux ok, portlab EADDRINUSE");
}

} // namespace
