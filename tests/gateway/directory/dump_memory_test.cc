// DumpMemory against a plain map as the reference: random syncs of a changing set of identifiers
// (additions, changes, removals, repeats) must give the same new/changed/same verdicts and the
// same unseen identifiers, through growth, deletions that shift probe chains, and compaction.
#include "gateway/directory/dump_memory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace gw::gateway {
namespace {

TEST(DumpMemoryTest, TellsNewChangedAndSameAndWhatIsGone) {
  DumpMemory m;
  m.Begin(false);
  EXPECT_EQ(m.See("0037:1", 10), DumpMemory::Seen::kNew);
  EXPECT_EQ(m.See("0037:2", 20), DumpMemory::Seen::kNew);
  EXPECT_EQ(m.See("0037:2", 20), DumpMemory::Seen::kSame);  // repeated in one dump
  EXPECT_TRUE(m.TakeUnseen().empty());
  m.Begin(true);
  EXPECT_EQ(m.See("0037:1", 11), DumpMemory::Seen::kChanged);
  EXPECT_EQ(m.See("0037:3", 30), DumpMemory::Seen::kNew);
  EXPECT_EQ(m.TakeUnseen(), std::vector<std::string>{"0037:2"});
  EXPECT_EQ(m.size(), 2u);
  m.Begin(true);
  EXPECT_EQ(m.See("0037:2", 20), DumpMemory::Seen::kNew);  // forgotten, so new again
  m.Begin(false);                                          // a full sync forgets everything
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.See("0037:1", 11), DumpMemory::Seen::kNew);
}

TEST(DumpMemoryTest, AgreesWithAMapOverManyRandomSyncs) {
  std::mt19937_64 rng(7);
  DumpMemory m;
  std::map<std::string, uint64_t> ref;  // what the memory should hold after each sync
  for (int sync = 0; sync < 30; ++sync) {
    const bool keep = sync % 10 != 0;
    m.Begin(keep);
    if (!keep) ref.clear();
    std::map<std::string, uint64_t> dump;
    // About 20,000 identifiers drawn from 30,000, so that each sync adds, changes and drops some.
    for (int i = 0; i < 20000; ++i) dump["0037:" + std::to_string(rng() % 30000)] = rng() % 3;
    for (const auto& [id, hash] : dump) {
      auto it = ref.find(id);
      const auto want = it == ref.end() ? DumpMemory::Seen::kNew
                        : it->second == hash ? DumpMemory::Seen::kSame
                                             : DumpMemory::Seen::kChanged;
      ASSERT_EQ(m.See(id, hash), want) << "sync " << sync << " id " << id;
    }
    std::vector<std::string> want_gone;
    for (const auto& [id, hash] : ref)
      if (!dump.count(id)) want_gone.push_back(id);
    auto gone = m.TakeUnseen();
    std::sort(gone.begin(), gone.end());
    ASSERT_EQ(gone, want_gone) << "sync " << sync;
    ref = dump;
    ASSERT_EQ(m.size(), ref.size());
  }
}

}  // namespace
}  // namespace gw::gateway
