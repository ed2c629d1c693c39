/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/four-tuple-index.h"

#include <gtest/gtest.h>
#include <random>
#include <unordered_map>

namespace portlab
{
namespace
{

TEST(FourTupleIndex, AgreesWithAReferenceMapThroughRandomInsertsAndErases)
{
    std::vector<FourTuple> keys;
    FourTupleIndex index(42);
    std::unordered_map<uint64_t, uint32_t> reference;
    auto code = [](const FourTuple& t) {
        return (uint64_t{t.localPort} << 48) ^ (uint64_t{t.remoteAddr} << 16) ^ t.remotePort;
    };
    std::mt19937 rng(7);
    for (int step = 0; step < 200000; ++step)
    {
        // A small key space so that inserts, hits, misses and erases all happen often.
        FourTuple t{0x0a000001,
                    static_cast<Ipv4>(0x0a000000u + rng() % 64),
                    static_cast<uint16_t>(rng() % 64),
                    static_cast<uint16_t>(rng() % 16)};
        uint32_t found = index.Find(t);
        auto it = reference.find(code(t));
        ASSERT_EQ(found != FourTupleIndex::NONE, it != reference.end())
            << "presence must match the reference at step " << step;
        if (it == reference.end())
        {
            keys.push_back(t);
            index.Insert(t, static_cast<uint32_t>(keys.size() - 1));
            reference[code(t)] = static_cast<uint32_t>(keys.size() - 1);
        }
        else
        {
            ASSERT_EQ(found, it->second);
            if (rng() % 2)
            {
                ASSERT_TRUE(index.Erase(t));
                reference.erase(it);
            }
        }
        ASSERT_EQ(index.Size(), reference.size());
    }
}

TEST(FourTupleIndex, ReplacePointsAKeyAtANewReference)
{
    std::vector<FourTuple> keys{{1, 2, 3, 4}, {1, 2, 3, 4}};
    FourTupleIndex index(1);
    index.Insert(keys[0], 0);
    EXPECT_TRUE(index.Replace(keys[0], 1));
    EXPECT_EQ(index.Find(keys[0]), 1u);
    EXPECT_FALSE(index.Replace(FourTuple{9, 9, 9, 9}, 0));
}

} // namespace
} // namespace portlab
