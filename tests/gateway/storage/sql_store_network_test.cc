// The operator network's tables on a real SQLite file: receivers with numbered changes and
// tombstones, inbound messages de-duplicated by message id, acknowledgements, statuses queued
// once, invoice statuses recorded once, and job steps that need the lease.
#include <gtest/gtest.h>

#include <filesystem>

#include "gateway/storage/sql_store.h"

namespace gw::gateway::storage {
namespace {

StatusMessage Status(const std::string& message_id, const std::string& direction, const std::string& status,
                     const std::string& code, const std::string& reason, const std::string& by,
                     const std::string& operator_id) {
  StatusMessage m;
  m.message_id = message_id;
  m.direction = direction;
  m.status = status;
  m.code = code;
  m.reason = reason;
  m.by = by;
  m.operator_id = operator_id;
  return m;
}

class NetworkStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("eigw-net-" + NewId(""));
    std::filesystem::create_directories(dir_);
    auto s = OpenStore({"sqlite", (dir_ / "eigw.db").string(), "", 4});
    ASSERT_TRUE(s) << s.error().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate());
    tenant_ = *store_->AddTenant("buyer", 1000);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Receiver Direct(const std::string& id) {
    return Receiver{id, tenant_.id, "Buyer", "direct", "gw-b", "[\"gw-b\"]", "", "invoice,credit_note", 0, std::nullopt, 0};
  }
  Receiver Roaming(const std::string& id, const std::string& op) {
    return Receiver{id, "", "", "roaming", op, "[\"gw-b\",\"" + op + "\"]", "ubl", "invoice,credit_note", 0, std::nullopt, 0};
  }
  Store::Arrival Arrival(const std::string& message_id, const std::string& sha, bool forward = false) {
    Store::Arrival a;
    a.message.id = NewId("inb_");
    a.message.message_id = message_id;
    a.message.from_operator = "gw-a";
    a.message.tenant_id = forward ? "" : tenant_.id;
    a.message.sender = "0088:1";
    a.message.recipient = "0088:2";
    a.message.document_type = "invoice";
    a.message.format = "ubl";
    a.message.path_json = "[\"gw-a\"]";
    a.message.document_sha256 = sha;
    a.message.state = forward ? "forwarding" : "available";
    a.message.disposition = forward ? "forwarded" : "received";
    a.message.answer_json = "{\"duplicate\":false}";
    a.message.forward_operator = forward ? "gw-c" : "";
    a.message.created_ms = a.message.updated_ms = 5000;
    a.documents.push_back({"original", "application/xml", sha, 3, 5000, "<a/>"});
    a.event_status = forward ? "" : "received";
    a.forward = forward;
    return a;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  Tenant tenant_;
};

TEST_F(NetworkStoreTest, ReceiverChangesAreNumberedAndRemovalsKeptAsTombstones) {
  ASSERT_TRUE(store_->PutReceiver(Direct("0088:1"), 10));
  ASSERT_TRUE(store_->PutReceiver(Direct("0088:2"), 10));
  auto all = store_->ListReceivers(0, 100, false);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  const int64_t cursor = all->back().seq;
  // Putting the same again is no change: the delta stays empty.
  ASSERT_TRUE(store_->PutReceiver(Direct("0088:1"), 20));
  EXPECT_TRUE(store_->ListReceivers(cursor, 100, true)->empty());
  // A change and a removal are the delta, in order; the removed one is a tombstone.
  Receiver renamed = Direct("0088:2");
  renamed.name = "Buyer Two";
  ASSERT_TRUE(store_->PutReceiver(renamed, 30));
  ASSERT_TRUE(*store_->RemoveReceiver("0088:1", 40));
  EXPECT_FALSE(*store_->RemoveReceiver("0088:1", 41));  // already gone
  auto delta = store_->ListReceivers(cursor, 100, true);
  ASSERT_EQ(delta->size(), 2u);
  EXPECT_EQ((*delta)[0].identifier, "0088:2");
  EXPECT_EQ((*delta)[0].name, "Buyer Two");
  EXPECT_EQ((*delta)[1].identifier, "0088:1");
  EXPECT_EQ((*delta)[1].removed_ms, 40);
  EXPECT_FALSE(store_->FindReceiver("0088:1")->has_value());
  EXPECT_EQ(store_->ListReceivers(0, 100, false)->size(), 1u);
}

TEST_F(NetworkStoreTest, RoamingSyncKeepsDirectIdentifiersAndTombstonesDroppedRoutes) {
  ASSERT_TRUE(store_->PutReceiver(Direct("0088:1"), 10));
  ASSERT_TRUE(store_->SyncRoamingReceivers({Roaming("0088:1", "gw-c"), Roaming("0088:7", "gw-c")}, 20));
  EXPECT_EQ((*store_->FindReceiver("0088:1"))->channel, "direct");  // the tenant's own wins
  EXPECT_EQ((*store_->FindReceiver("0088:7"))->operator_id, "gw-c");
  ASSERT_TRUE(store_->SyncRoamingReceivers({Roaming("0088:8", "gw-d")}, 30));
  EXPECT_FALSE(store_->FindReceiver("0088:7")->has_value());
  EXPECT_EQ((*store_->FindReceiver("0088:8"))->path_json, "[\"gw-b\",\"gw-d\"]");
  EXPECT_TRUE(store_->FindReceiver("0088:1")->has_value());
}

TEST_F(NetworkStoreTest, ReceiveStoresOnceByMessageIdWithEventAndDocuments) {
  auto first = store_->Receive(Arrival("msg-1", "aa"));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_TRUE(first->second);
  auto again = store_->Receive(Arrival("msg-1", "bb"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->second);
  EXPECT_EQ(again->first.id, first->first.id);
  EXPECT_EQ(again->first.document_sha256, "aa");  // the stored one, for the conflict check
  auto listed = store_->ListInbound(tenant_.id, "", std::nullopt, 10);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(store_->InboundDocument(first->first.id, "original")->value().content, "<a/>");
  auto events = store_->EventsAfter(tenant_.id, 0, 10);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].invoice_id, first->first.id);
  EXPECT_EQ((*events)[0].status, "received");
  // Another tenant sees nothing.
  auto other = store_->AddTenant("other", 1);
  EXPECT_FALSE(store_->GetInbound(other->id, first->first.id)->has_value());
}

TEST_F(NetworkStoreTest, AckQueuesTheDeliveredStatusOnceAndResponsesAreNotDuplicated) {
  auto m = store_->Receive(Arrival("msg-2", "cc"));
  StatusMessage ab = Status("msg-2", "out", "delivered", "AB", "", "recipient", "gw-a");
  EXPECT_TRUE(*store_->AckInbound(tenant_.id, m->first.id, ab, 6000));
  EXPECT_FALSE(*store_->AckInbound(tenant_.id, m->first.id, ab, 6001));
  EXPECT_EQ(store_->GetInbound(tenant_.id, m->first.id)->value().state, "acknowledged");
  StatusMessage ap = Status("msg-2", "out", "accepted", "AP", "", "recipient", "gw-a");
  auto q1 = store_->QueueStatus(ap, 7000);
  auto q2 = store_->QueueStatus(ap, 7001);
  ASSERT_TRUE(q1 && q2);
  EXPECT_TRUE(q1->second);
  EXPECT_FALSE(q2->second);
  EXPECT_EQ(q1->first.id, q2->first.id);
  auto out = store_->Statuses("msg-2", "out");
  ASSERT_EQ(out->size(), 2u);
  // Each queued status is an outbox job of stage "status".
  auto jobs = store_->ClaimJobs("w", 8000, 1000, 10);
  ASSERT_EQ(jobs->size(), 2u);
  for (const auto& j : *jobs) EXPECT_EQ(j.stage, "status");
}

TEST_F(NetworkStoreTest, InvoiceStatusesAreRecordedOnceWithFailure) {
  Invoice i;
  i.id = NewId("inv_");
  i.tenant_id = tenant_.id;
  i.idempotency_key = "k";
  i.request_sha256 = "x";
  i.status = "delivered";
  i.findings_json = "[]";
  i.created_ms = i.updated_ms = 1;
  ASSERT_TRUE(store_->Submit(i, Document{"original", "application/json", "x", 1, 1, "{"}));
  StatusMessage re = Status(i.id, "in", "rejected", "RE", "wrong order", "recipient", "gw-b");
  EXPECT_TRUE(*store_->RecordInvoiceStatus(re, "rejected", "the recipient rejected it", "rejected_by_recipient", 9));
  EXPECT_FALSE(*store_->RecordInvoiceStatus(re, "rejected", "again", "rejected_by_recipient", 10));
  auto after = store_->FindInvoice(i.id);
  ASSERT_TRUE(after && *after);
  EXPECT_EQ((*after)->status, "rejected");
  EXPECT_EQ((*after)->failure_code, "rejected_by_recipient");
  auto events = store_->InvoiceEvents(i.id);
  EXPECT_EQ(events->back().detail, "the recipient rejected it");
}

TEST_F(NetworkStoreTest, ForwardJobStepsNeedTheLease) {
  auto m = store_->Receive(Arrival("msg-3", "dd", /*forward=*/true));
  ASSERT_TRUE(m);
  auto jobs = store_->ClaimJobs("w1", 6000, 1000, 10);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].stage, "forward");
  JobStep step;
  step.job_id = m->first.id;
  step.lease_owner = "someone-else";
  step.inbound_state = "forwarded";
  EXPECT_EQ(store_->AdvanceJob(step, 6100).error().code(), ErrorCode::kFailedPrecondition);
  step.lease_owner = "w1";
  step.inbound_state = "failed";
  step.failure_reason = "loop";
  step.new_statuses.push_back(Status("msg-3", "out", "rejected", "RE", "loop", "operator", "gw-a"));
  ASSERT_TRUE(store_->AdvanceJob(step, 6200));
  auto after = store_->InboundByMessage("msg-3");
  EXPECT_EQ((*after)->state, "failed");
  EXPECT_EQ((*after)->failure_reason, "loop");
  auto next = store_->ClaimJobs("w2", 7000, 1000, 10);
  ASSERT_EQ(next->size(), 1u);  // the rejection going back
  EXPECT_EQ((*next)[0].stage, "status");
}

}  // namespace
}  // namespace gw::gateway::storage
