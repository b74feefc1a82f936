// Syncing a partner operator's receiver list into the directory: the full list (paged) with a
// sweep of what is gone, then deltas by cursor; a failing partner changes nothing; a partner
// whose cursor never moves is refused instead of looping.
#include "gateway/directory/operator_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

namespace gw::gateway {
namespace {

using operators::ReceiverInfo;
using operators::ReceiverPage;

// A partner with a numbered change log, answering pages of `page` entries like /operator/v1.
class FakePartner final : public operators::OperatorClient {
 public:
  FakePartner() : OperatorClient(Settings()) {}
  static operators::OperatorSettings Settings() {
    operators::OperatorSettings s;
    s.id = "gw-b";
    s.protocol = "gateway";
    return s;
  }
  Result<operators::Receipt> Deliver(const operators::Delivery&) override {
    return Error::FailedPrecondition("not used");
  }
  void Put(const std::string& id, const std::string& name) { log_.push_back({id, name, false}); }
  void Remove(const std::string& id) { log_.push_back({id, "", true}); }
  bool fail = false;
  bool stuck = false;
  size_t page = 2;
  int calls = 0;

  Result<ReceiverPage> ListReceivers(const std::string& since) override {
    ++calls;
    if (fail) return Error::Unavailable("gw-b: connection refused");
    size_t from = since.empty() ? 0 : std::stoul(since);
    // The full list: the current state (latest change per id, removed left out), in log order.
    std::map<std::string, size_t> latest;
    for (size_t i = 0; i < log_.size(); ++i) latest[log_[i].id] = i;
    ReceiverPage out;
    size_t i = from;
    for (; i < log_.size() && out.receivers.size() < page; ++i) {
      const auto& c = log_[i];
      if (since.empty() && (latest[c.id] != i || c.removed)) continue;
      ReceiverInfo r;
      r.id = c.id;
      r.name = c.name;
      r.accepts = !c.removed;
      r.removed = c.removed;
      r.channel = "direct";
      r.path = {"gw-b"};
      r.formats = {"ubl", "cii"};
      r.document_types = {"invoice"};
      out.receivers.push_back(r);
    }
    out.more = i < log_.size();
    out.next_cursor = stuck ? since : std::to_string(i);
    return out;
  }

 private:
  struct Change {
    std::string id, name;
    bool removed;
  };
  std::vector<Change> log_;
};

class OperatorSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("eigw-src-" + storage::NewId(""));
    std::filesystem::create_directories(dir_);
    store_ = std::move(*storage::OpenStore({"sqlite", (dir_ / "eigw.db").string(), "", 4}));
    ASSERT_TRUE(store_->Migrate());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Records a run of `source` as the scheduler does, and returns DirectorySize (counted then).
  int64_t Recorded(const std::string& source) {
    auto claimed = store_->ClaimSource(source, "test", 1, 1000, true);
    EXPECT_TRUE(claimed && *claimed);
    EXPECT_TRUE(store_->RecordSourceRun(**claimed, "test"));
    return *store_->DirectorySize();
  }
  std::filesystem::path dir_;
  std::unique_ptr<storage::Store> store_;
};

TEST_F(OperatorSourceTest, FullListThenDeltasWithRemovals) {
  FakePartner b;
  for (int i = 1; i <= 5; ++i) b.Put("0088:" + std::to_string(i), "R" + std::to_string(i));
  auto full = SyncOperatorReceivers(*store_, b, "gw-b", "", 1000);
  ASSERT_TRUE(full) << full.error().ToString();
  EXPECT_TRUE(full->full);
  EXPECT_EQ(full->counts.added, 5);
  EXPECT_EQ(b.calls, 3);  // pages of 2
  EXPECT_EQ(Recorded("gw-b"), 5);
  auto e = store_->LookupDirectory("0088:3");
  ASSERT_EQ(e->size(), 1u);
  EXPECT_EQ((*e)[0].operator_id, "gw-b");
  EXPECT_EQ((*e)[0].formats, "ubl,cii");
  EXPECT_EQ((*e)[0].path_json, "[\"gw-b\"]");

  // Changes since the cursor: one renamed, one removed, one new.
  b.Put("0088:2", "R2 renamed");
  b.Remove("0088:4");
  b.Put("0088:6", "R6");
  auto delta = SyncOperatorReceivers(*store_, b, "gw-b", full->cursor, 2000);
  ASSERT_TRUE(delta) << delta.error().ToString();
  EXPECT_FALSE(delta->full);
  EXPECT_EQ(delta->entries, 3);
  EXPECT_EQ(delta->counts.added, 1);
  EXPECT_EQ(delta->counts.changed, 1);
  EXPECT_EQ(delta->counts.removed, 1);
  EXPECT_EQ((*store_->LookupDirectory("0088:2"))[0].name, "R2 renamed");
  EXPECT_EQ((*store_->LookupDirectory("0088:4"))[0].removed_ms, 2000);
  EXPECT_EQ(Recorded("gw-b"), 5);
  // Nothing new: an empty delta, the cursor stays.
  auto idle = SyncOperatorReceivers(*store_, b, "gw-b", delta->cursor, 3000);
  ASSERT_TRUE(idle);
  EXPECT_EQ(idle->entries, 0);
  EXPECT_EQ(idle->cursor, delta->cursor);
}

TEST_F(OperatorSourceTest, AFullSyncSweepsWhatThePartnerNoLongerLists) {
  FakePartner b;
  b.Put("0088:1", "R1");
  b.Put("0088:2", "R2");
  ASSERT_TRUE(SyncOperatorReceivers(*store_, b, "gw-b", "", 1000));
  b.Remove("0088:2");
  auto again = SyncOperatorReceivers(*store_, b, "gw-b", "", 2000);  // full again (e.g. a lost cursor)
  ASSERT_TRUE(again);
  EXPECT_EQ(again->counts.removed, 1);
  EXPECT_TRUE((*store_->LookupDirectory("0088:2"))[0].removed_ms.has_value());
}

TEST_F(OperatorSourceTest, AFailingPartnerChangesNothingAndAStuckCursorIsRefused) {
  FakePartner b;
  b.Put("0088:1", "R1");
  ASSERT_TRUE(SyncOperatorReceivers(*store_, b, "gw-b", "", 1000));
  b.fail = true;
  auto failed = SyncOperatorReceivers(*store_, b, "gw-b", "", 2000);
  ASSERT_FALSE(failed);
  EXPECT_TRUE(failed.error().retryable());
  EXPECT_FALSE((*store_->LookupDirectory("0088:1"))[0].removed_ms.has_value());  // last known data kept
  b.fail = false;
  b.stuck = true;
  for (int i = 2; i <= 6; ++i) b.Put("0088:" + std::to_string(i), "R");
  auto stuck = SyncOperatorReceivers(*store_, b, "gw-b", "0", 3000);
  ASSERT_FALSE(stuck);
  EXPECT_NE(stuck.error().message().find("cursor stays"), std::string::npos);
}

}  // namespace
}  // namespace gw::gateway
