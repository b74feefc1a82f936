// The recipient directory's tables on a real SQLite file: batches add, change, refresh and revive
// entries with exact counts; deltas and full-sync sweeps leave tombstones; several identifiers of
// one party; a source's sync lease is held by one process at a time.
#include <gtest/gtest.h>

#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <thread>

#include "gateway/storage/sql_store.h"

namespace gw::gateway::storage {
namespace {

class DirectoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("eigw-dir-" + NewId(""));
    std::filesystem::create_directories(dir_);
    // EIGW_TEST_POSTGRES_DSN (an empty database, e.g. from scripts/pg-cluster; one test per run)
    // runs the same on PostgreSQL by hand.
    const char* dsn = std::getenv("EIGW_TEST_POSTGRES_DSN");
    auto s = dsn ? OpenStore({"postgresql", "", dsn, 4}) : OpenStore({"sqlite", (dir_ / "eigw.db").string(), "", 4});
    ASSERT_TRUE(s) << s.error().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Records a run of each source as the scheduler does; returns DirectorySize (counted then).
  int64_t Recorded(const std::vector<std::string>& sources) {
    for (const auto& source : sources) {
      auto claimed = store_->ClaimSource(source, "test", 1, 1000, true);
      EXPECT_TRUE(claimed && *claimed);
      EXPECT_TRUE(store_->RecordSourceRun(**claimed, "test"));
    }
    return *store_->DirectorySize();
  }
  static DirectoryEntry Entry(const std::string& id, const std::string& source, const std::string& op,
                              const std::string& party = "") {
    DirectoryEntry e;
    e.identifier = id;
    e.source = source;
    e.party_key = party;
    e.name = "Party " + id;
    e.country = "FI";
    e.operator_id = op;
    e.channel = "direct";
    e.document_types = "invoice,credit_note";
    e.formats = "finvoice";
    return e;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(DirectoryStoreTest, BatchesCountAddedChangedAndUnchanged) {
  std::vector<DirectoryEntry> batch;
  for (int i = 0; i < 1000; ++i) batch.push_back(Entry("0037:" + std::to_string(10000000 + i), "fi", "OP1"));
  auto first = store_->PutDirectory(batch, 100);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->added, 1000);
  EXPECT_EQ(first->changed, 0);
  batch[3].operator_id = "OP2";
  batch[7].name = "Renamed Oy";
  auto second = store_->PutDirectory(batch, 200);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->added, 0);
  EXPECT_EQ(second->changed, 2);
  EXPECT_EQ(second->unchanged, 998);
  auto e = store_->LookupDirectory("0037:10000003");
  ASSERT_EQ(e->size(), 1u);
  EXPECT_EQ((*e)[0].operator_id, "OP2");
  EXPECT_EQ((*e)[0].first_seen_ms, 100);
  EXPECT_EQ((*e)[0].changed_ms, 200);
  EXPECT_EQ((*e)[0].last_verified_ms, 200);
  auto same = store_->LookupDirectory("0037:10000004");
  EXPECT_EQ((*same)[0].changed_ms, 100);  // refreshed, not changed
  EXPECT_EQ((*same)[0].last_seen_ms, 200);
  EXPECT_EQ(*store_->DirectorySize(), 0);  // counted when a run is recorded
  EXPECT_EQ(Recorded({"fi"}), 1000);
}

TEST_F(DirectoryStoreTest, FullSyncSweepAndDeltaRemovalsLeaveTombstonesThatComeBack) {
  ASSERT_TRUE(store_->PutDirectory({Entry("0037:1", "fi", "OP1"), Entry("0037:2", "fi", "OP1"),
                                    Entry("0037:3", "fi", "OP1"), Entry("0037:1", "gw-b", "gw-b")},
                                   100));
  // A full sync that started at 150 sees only 1 and 2: 3 becomes a tombstone; gw-b's view stays.
  ASSERT_TRUE(store_->PutDirectory({Entry("0037:1", "fi", "OP1"), Entry("0037:2", "fi", "OP1")}, 160));
  EXPECT_EQ(*store_->SweepDirectory("fi", 150, 170), 1);
  auto three = store_->LookupDirectory("0037:3");
  ASSERT_EQ(three->size(), 1u);
  EXPECT_EQ((*three)[0].removed_ms, 170);
  EXPECT_EQ(*store_->RemoveDirectory("fi", {"0037:2", "0037:9"}, 180), 1);
  EXPECT_EQ(Recorded({"fi", "gw-b"}), 2);  // fi 0037:1 and gw-b 0037:1
  // Both sources' views of one identifier, the live one first.
  auto one = store_->LookupDirectory("0037:1");
  ASSERT_EQ(one->size(), 2u);
  // A tombstone that is seen again comes back as a change.
  auto back = store_->PutDirectory({Entry("0037:3", "fi", "OP1")}, 190);
  EXPECT_EQ(back->changed, 1);
  EXPECT_FALSE((*store_->LookupDirectory("0037:3"))[0].removed_ms.has_value());
}

// Every write keeps a source's count of live entries in its own transaction, so a delta run is
// recorded without counting a million rows again; a full run's recount finds the same number.
TEST_F(DirectoryStoreTest, WritesKeepTheCountOfLiveEntries) {
  Recorded({"fi", "gw-b"});  // the sources' rows exist from their first claim
  auto live = [&](const std::string& source) -> int64_t {
    auto sources = store_->ListSources();
    for (const auto& s : *sources)
      if (s.name == source) return s.entries;
    return -1;
  };
  std::vector<DirectoryEntry> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(Entry("0037:" + std::to_string(100 + i), "fi", "OP1"));
  batch.push_back(Entry("0037:100", "gw-b", "gw-b"));
  ASSERT_TRUE(store_->PutDirectory(batch, 100));
  EXPECT_EQ(live("fi"), 50);
  EXPECT_EQ(live("gw-b"), 1);
  ASSERT_TRUE(store_->PutDirectory({batch[0], batch[1]}, 110));  // refreshed: no change in count
  EXPECT_EQ(live("fi"), 50);
  EXPECT_EQ(*store_->RemoveDirectory("fi", {"0037:100", "0037:101", "0037:999"}, 120), 2);
  EXPECT_EQ(live("fi"), 48);
  EXPECT_EQ(*store_->RemoveDirectory("fi", {"0037:100"}, 125), 0);  // already a tombstone
  EXPECT_EQ(live("fi"), 48);
  ASSERT_TRUE(store_->PutDirectory({batch[0]}, 130));  // revived
  EXPECT_EQ(live("fi"), 49);
  EXPECT_EQ(*store_->MarkNotRegistered("fi", {"0037:102", "0037:555"}, 140), 1);  // one live, one never known
  EXPECT_EQ(live("fi"), 48);
  ASSERT_TRUE(store_->PutDirectory({batch[3]}, 150));  // a full sync from 145 sees only 0037:103
  EXPECT_EQ(*store_->SweepDirectory("fi", 145, 160), 47);
  EXPECT_EQ(live("fi"), 1);
  EXPECT_EQ(live("gw-b"), 1);
  // A delta run is recorded without a recount; a full one counts again, and agrees.
  auto claimed = store_->ClaimSource("fi", "test", 200, 1000, true);
  ASSERT_TRUE(claimed && *claimed);
  (*claimed)->recount = false;
  ASSERT_TRUE(store_->RecordSourceRun(**claimed, "test"));
  EXPECT_EQ(live("fi"), 1);
  EXPECT_EQ(Recorded({"fi", "gw-b"}), 2);
}

// SQLite: commits do not checkpoint the write-ahead log (wal_autocheckpoint=0 on the writer); the
// store's checkpointer thread copies it into the database file soon after, while the store is open.
TEST_F(DirectoryStoreTest, TheLogIsCheckpointedOffTheWriter) {
  if (std::getenv("EIGW_TEST_POSTGRES_DSN")) GTEST_SKIP() << "SQLite only";
  const auto db = dir_ / "eigw.db";
  const auto before = std::filesystem::file_size(db);
  std::vector<DirectoryEntry> batch;
  for (int i = 0; i < 5000; ++i) batch.push_back(Entry("0037:" + std::to_string(200000 + i), "fi", "OP1"));
  ASSERT_TRUE(store_->PutDirectory(batch, 100));
  // The rows reach the database file itself (not only the log) within a few seconds.
  for (int i = 0; i < 100 && std::filesystem::file_size(db) < before + 256 * 1024; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GE(std::filesystem::file_size(db), before + 256 * 1024);
  EXPECT_EQ((*store_->LookupDirectory("0037:204999")).size(), 1u);
}

TEST_F(DirectoryStoreTest, SeveralIdentifiersOfOneParty) {
  ASSERT_TRUE(store_->PutDirectory({Entry("0037:003712345671", "fi", "OP1", "1234567-1"),
                                    Entry("IBAN:FI2112345600000785", "fi", "NDEAFIHH", "1234567-1"),
                                    Entry("0037:003799999999", "fi", "OP1", "9999999-9")},
                                   100));
  auto ids = store_->PartyIdentifiers("1234567-1");
  ASSERT_TRUE(ids);
  // Identifiers are kept in lower case (they match case-insensitively).
  EXPECT_EQ(*ids, (std::vector<std::string>{"0037:003712345671", "iban:fi2112345600000785"}));
  auto upper = store_->LookupDirectory("IBAN:FI2112345600000785");
  auto lower = store_->LookupDirectory("iban:fi2112345600000785");
  ASSERT_TRUE(upper && lower);
  ASSERT_EQ(upper->size(), 1u);
  EXPECT_EQ(lower->size(), 1u);
}

TEST_F(DirectoryStoreTest, ASourceIsSyncedByOneProcessAtATime) {
  EXPECT_TRUE(*store_->ClaimSource("fi", "p1", 1000, 60000, false));
  EXPECT_FALSE(*store_->ClaimSource("fi", "p2", 2000, 60000, true));  // p1 holds the lease
  EXPECT_TRUE(*store_->ClaimSource("fi", "p1", 2000, 60000, false));  // its own lease
  ASSERT_TRUE(store_->RenewSource("fi", "p1", 2000 + 60000));
  EXPECT_FALSE(store_->RenewSource("fi", "p2", 2000 + 60000));  // not the holder
  DirectorySource run;
  run.name = "fi";
  run.cursor = "c1";
  run.last_finished_ms = run.last_success_ms = 3000;
  run.added = 5;
  run.next_run_ms = 903000;
  EXPECT_FALSE(store_->RecordSourceRun(run, "p2"));  // not the holder
  ASSERT_TRUE(store_->RecordSourceRun(run, "p1"));
  EXPECT_FALSE(*store_->ClaimSource("fi", "p2", 4000, 60000, false));  // released, but not due before 903000
  auto claimed = store_->ClaimSource("fi", "p2", 4000, 60000, true);  // a forced run
  ASSERT_TRUE(claimed && *claimed);
  EXPECT_EQ((*claimed)->cursor, "c1");  // the state it continues from
  EXPECT_EQ((*claimed)->added, 5);
  EXPECT_TRUE(*store_->ClaimSource("gw-b", "p1", 62000, 60000, false));
  EXPECT_TRUE(*store_->ClaimSource("fi", "p1", 70000, 60000, true));  // p2's lease expired at 64000
  auto sources = store_->ListSources();
  ASSERT_EQ(sources->size(), 2u);
  EXPECT_EQ((*sources)[0].name, "fi");
  EXPECT_EQ((*sources)[0].cursor, "c1");
  EXPECT_EQ((*sources)[0].added, 5);
  EXPECT_EQ((*sources)[0].next_run_ms, 903000);
}

}  // namespace
}  // namespace gw::gateway::storage
