// SqlStore on a real SQLite file (the PostgreSQL dialect runs in the server tests,
// tests/gateway/server, against a throw-away cluster).
#include "gateway/storage/sql_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

namespace gw::gateway::storage {
namespace {

class SqlStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("eigw-store-" + NewId(""));
    std::filesystem::create_directories(dir_);
    auto s = OpenStore({"sqlite", (dir_ / "eigw.db").string(), "", 4});
    ASSERT_TRUE(s) << s.error().ToString();
    store_ = std::move(*s);
    auto v = store_->Migrate();
    ASSERT_TRUE(v) << v.error().ToString();
    auto t = store_->AddTenant("acme", 1000);
    ASSERT_TRUE(t);
    tenant_ = *t;
    auto other = store_->AddTenant("other", 1000);
    ASSERT_TRUE(other);
    other_ = *other;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Invoice NewInvoice(const std::string& key, const std::string& body_hash) {
    Invoice i;
    i.id = NewId("inv_");
    i.tenant_id = tenant_.id;
    i.idempotency_key = key;
    i.request_sha256 = body_hash;
    i.status = "received";
    i.invoice_number = "INV-" + key;
    i.findings_json = "[]";
    i.accepted_json = "{\"id\":\"" + i.id + "\"}";
    i.created_ms = i.updated_ms = 2000;
    return i;
  }
  Document Original(const std::string& content) {
    return Document{"original", "application/json", Sha256Hex(content), static_cast<int64_t>(content.size()), 2000,
                    content};
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  Tenant tenant_, other_;
};

TEST_F(SqlStoreTest, MigrationsAreVersionedAndRunOnce) {
  auto again = store_->Migrate();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 5);
  EXPECT_EQ(*store_->SchemaVersion(), 5);
  EXPECT_EQ(store_->AddTenant("acme", 1).error().code(), ErrorCode::kAlreadyExists);
}

TEST_F(SqlStoreTest, IdempotencyKeyReplaysTheSameBodyAndRefusesAnother) {
  Invoice first = NewInvoice("k1", "hash-a");
  auto created = store_->Submit(first, Original("{}"));
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(created->first, SubmitOutcome::kCreated);

  Invoice again = NewInvoice("k1", "hash-a");
  auto replayed = store_->Submit(again, Original("{}"));
  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed->first, SubmitOutcome::kReplayed);
  EXPECT_EQ(replayed->second.id, first.id);
  EXPECT_EQ(replayed->second.accepted_json, first.accepted_json);

  auto conflict = store_->Submit(NewInvoice("k1", "hash-b"), Original("{\"x\":1}"));
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->first, SubmitOutcome::kConflict);

  // Keys are per tenant.
  Invoice theirs = NewInvoice("k1", "hash-b");
  theirs.tenant_id = other_.id;
  EXPECT_EQ(store_->Submit(theirs, Original("{}"))->first, SubmitOutcome::kCreated);

  auto list = store_->ListInvoices(tenant_.id, {});
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 1u);  // neither the replay nor the conflict stored anything
  EXPECT_EQ((*store_->InvoiceEvents(first.id)).size(), 1u);
}

TEST_F(SqlStoreTest, ATenantNeverReadsAnotherTenantsInvoiceOrDocuments) {
  Invoice mine = NewInvoice("k", "h");
  ASSERT_TRUE(store_->Submit(mine, Original("{\"secret\":true}")));
  EXPECT_TRUE(*store_->GetInvoice(tenant_.id, mine.id));
  EXPECT_FALSE(*store_->GetInvoice(other_.id, mine.id));
  EXPECT_TRUE(*store_->GetDocument(tenant_.id, mine.id, "original"));
  EXPECT_FALSE(*store_->GetDocument(other_.id, mine.id, "original"));
  EXPECT_TRUE(store_->ListInvoices(other_.id, {})->empty());
  EXPECT_TRUE(store_->EventsAfter(other_.id, 0, 100)->empty());
}

TEST_F(SqlStoreTest, OutboxLeasesAreExclusiveAndALostLeaseChangesNothing) {
  Invoice inv = NewInvoice("k", "h");
  ASSERT_TRUE(store_->Submit(inv, Original("{}")));
  auto a = store_->ClaimJobs("worker-a", 3000, 60000, 10);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ((*a)[0].stage, "process");
  EXPECT_TRUE(store_->ClaimJobs("worker-b", 3000, 60000, 10)->empty());  // leased
  // After the lease expires another worker takes it; the first one's step is refused.
  auto b = store_->ClaimJobs("worker-b", 70000, 60000, 10);
  ASSERT_EQ(b->size(), 1u);
  Step late;
  late.invoice_id = inv.id;
  late.tenant_id = tenant_.id;
  late.lease_owner = "worker-a";
  late.events = {{"validated", ""}};
  Status st = store_->Advance(late, 70001);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ((*store_->GetInvoice(tenant_.id, inv.id))->status, "received");

  Step done;
  done.invoice_id = inv.id;
  done.tenant_id = tenant_.id;
  done.lease_owner = "worker-b";
  done.events = {{"validated", ""}, {"queued", "for drop"}};
  done.route_json = R"({"operator":"drop"})";
  done.documents.push_back(Document{"produced", "application/xml", Sha256Hex("<x/>"), 4, 70002, "<x/>"});
  done.next_stage = "deliver";
  done.next_ms = 80000;
  ASSERT_TRUE(store_->Advance(done, 70002));
  auto got = *store_->GetInvoice(tenant_.id, inv.id);
  EXPECT_EQ(got->status, "queued");
  EXPECT_EQ(got->route_json, R"({"operator":"drop"})");
  EXPECT_EQ(got->updated_ms, 70002);
  EXPECT_TRUE(store_->ClaimJobs("worker-c", 79999, 60000, 10)->empty());  // not due yet
  auto due = store_->ClaimJobs("worker-c", 80000, 60000, 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].stage, "deliver");
  EXPECT_EQ((*store_->InvoiceDocuments(inv.id)).size(), 2u);
  EXPECT_EQ((*store_->Stats()).depth, 1);
}

TEST_F(SqlStoreTest, ArchivedDocumentsCannotBeChangedOrDeleted) {
  Invoice inv = NewInvoice("k", "h");
  ASSERT_TRUE(store_->Submit(inv, Original("{\"a\":1}")));
  Poco::Data::Session s("SQLite", (dir_ / "eigw.db").string());
  using namespace Poco::Data::Keywords;
  EXPECT_THROW((s << "UPDATE documents SET media_type = 'text/plain'", now), Poco::Exception);
  EXPECT_THROW((s << "DELETE FROM documents", now), Poco::Exception);
  auto doc = *store_->GetDocument(tenant_.id, inv.id, "original");
  EXPECT_EQ(doc->content, "{\"a\":1}");
  EXPECT_EQ(doc->sha256, Sha256Hex("{\"a\":1}"));
}

TEST_F(SqlStoreTest, EventsFanOutToTheTenantsWebhooksOnly) {
  auto hook = store_->AddWebhook(tenant_.id, "http://127.0.0.1:9/hook", "0123456789abcdef", 1500);
  ASSERT_TRUE(hook);
  ASSERT_TRUE(store_->AddWebhook(other_.id, "http://127.0.0.1:9/other", "0123456789abcdef", 1500));
  Invoice inv = NewInvoice("k", "h");
  ASSERT_TRUE(store_->Submit(inv, Original("{}")));
  auto due = store_->ClaimDeliveries("d", 3000, 10000, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].webhook.id, hook->id);
  EXPECT_EQ((*due)[0].event.invoice_id, inv.id);
  EXPECT_EQ((*due)[0].event.status, "received");
  WebhookDelivery d = (*due)[0].delivery;
  d.state = "delivered";
  d.attempts = 1;
  d.last_status = 200;
  d.delivered_ms = 3001;
  ASSERT_TRUE(store_->RecordDelivery(d, "d"));
  EXPECT_EQ((*store_->ListDeliveries(tenant_.id, hook->id, 10))[0].state, "delivered");
  EXPECT_TRUE(store_->ListDeliveries(other_.id, hook->id, 10)->empty());
  EXPECT_FALSE(*store_->ReplayDelivery(other_.id, hook->id, d.id, 4000));
  ASSERT_TRUE(*store_->ReplayDelivery(tenant_.id, hook->id, d.id, 4000));
  EXPECT_EQ(store_->ClaimDeliveries("d", 4000, 10000, 10)->size(), 1u);
  EXPECT_FALSE(*store_->DeleteWebhook(other_.id, hook->id, 5000));
  EXPECT_TRUE(*store_->DeleteWebhook(tenant_.id, hook->id, 5000));
  EXPECT_TRUE(store_->ListWebhooks(tenant_.id)->empty());
}

TEST_F(SqlStoreTest, ConcurrentWritersAreBatchedAndAllDurable) {
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = store_->Submit(NewInvoice(std::to_string(t) + "-" + std::to_string(i), "h"), Original("{}"));
        EXPECT_TRUE(r && r->first == SubmitOutcome::kCreated);
      }
    });
  }
  for (auto& th : threads) th.join();
  InvoiceFilter all;
  all.limit = 1000;
  EXPECT_EQ(store_->ListInvoices(tenant_.id, all)->size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(*store_->LastEventSeq(), kThreads * kEach);
}

}  // namespace
}  // namespace gw::gateway::storage
