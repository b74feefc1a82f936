// The directory's newer sources and consumers: a registry dump file (full sync, an unchanged dump
// skipped, changes and removals, a broken dump keeps the data), the per-recipient check
// (accepting and not registered answers), routing through the directory (after the [routing]
// table, before the default operator), and the capability watch (one event per change, only for
// tenants that invoiced the recipient).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "certs/keys/certificate.h"
#include "formats/registry/builtin.h"
#include "gateway/directory/directory_scheduler.h"
#include "gateway/directory/dump_source.h"
#include "gateway/directory/operator_source.h"
#include "gateway/directory/recipient_cache.h"
#include "gateway/directory/recipient_lookup.h"

namespace gw::gateway {
namespace {

// A Finnish business id with its check digit (weights 7 9 10 5 8 4 2, mod 11), or "" when the
// number has none (remainder 1).
std::string BusinessId(int n) {
  std::string digits = std::to_string(1000000 + n).substr(0, 7);
  static const int kWeights[] = {7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 7; ++i) sum += (digits[i] - '0') * kWeights[i];
  int r = sum % 11;
  if (r == 1) return "";
  return digits + "-" + std::to_string(r == 0 ? 0 : 11 - r);
}

std::string Ovt(const std::string& business_id) {
  return "0037" + business_id.substr(0, 7) + business_id.substr(8, 1);
}

class DirectorySourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("eigw-dirsrc-" + storage::NewId(""));
    std::filesystem::create_directories(dir_);
    app_.store = std::move(*storage::OpenStore({"sqlite", (dir_ / "eigw.db").string(), "", 4}));
    ASSERT_TRUE(app_.store->Migrate());
    for (int n = 1; ids_.size() < 6; ++n)
      if (std::string b = BusinessId(n); !b.empty()) ids_.push_back(b);
    // Our operators: "fi-op" is known in the registry as 003723327487 (codes).
    operators::OperatorSettings fi;
    fi.id = "fi-op";
    fi.protocol = "file-drop";
    fi.formats = {"ubl", "finvoice"};
    fi.settings["codes"] = "003723327487, E204503";
    fi.settings["folder"] = (dir_ / "fi").string();
    operators::OperatorSettings print;
    print.id = "print";
    print.protocol = "file-drop";
    print.formats = {"ubl"};
    print.settings["e_invoice"] = "false";
    print.settings["folder"] = (dir_ / "print").string();
    registry_.id = "fi-registry";
    registry_.protocol = "registry-dump";
    registry_.url = (dir_ / "registry.csv").string();
    registry_.formats = {"finvoice", "ubl"};
    registry_.settings["via"] = "fi-op";
    app_.config.operators = {fi, print, registry_};
    app_.config.operator_id = "gw-a";
  }
  void TearDown() override {
    app_.store.reset();
    std::filesystem::remove_all(dir_);
  }
  void WriteDump(const std::vector<std::string>& rows) {
    std::ofstream out(registry_.url);
    out << "address,operator_id,business_id,name\n";
    for (const auto& r : rows) out << r << "\n";
  }
  std::string Row(int i, const std::string& op, const std::string& name) {
    std::string quoted;
    for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return Ovt(ids_[i]) + "," + op + "," + ids_[i] + ",\"" + quoted + "\"";
  }
  Result<SyncOutcome> Sync(const std::string& cursor, int64_t now) {
    return SyncRegistryDump(*app_.store, registry_, app_.config.operators, (dir_ / "spool").string(), cursor, now);
  }
  RecipientAnswer Look(const std::string& id) { return *LookupRecipient(app_, id, ""); }
  // Records a successful run of the registry source at `at`, as the scheduler does.
  void RecordSuccess(int64_t at) {
    auto claimed = app_.store->ClaimSource("fi-registry", "test", at, 60000, /*force=*/true);
    ASSERT_TRUE(claimed && *claimed);
    storage::DirectorySource run = **claimed;
    run.last_finished_ms = run.last_success_ms = at;
    ASSERT_TRUE(app_.store->RecordSourceRun(run, "test"));
  }

  std::filesystem::path dir_;
  App app_;
  operators::OperatorSettings registry_;
  std::vector<std::string> ids_;
};

TEST_F(DirectorySourcesTest, ARegistryDumpIsSyncedInFullAndAnUnchangedDumpIsSkipped) {
  WriteDump({Row(0, "003723327487", "Mäki Oy"), Row(1, "003721291126", "Järvi, \"Ky\""), Row(2, "E204503", "Puu Oy")});
  auto first = Sync("", 1000);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->counts.added, 3);
  EXPECT_EQ(first->entries, 3);
  EXPECT_NE(first->cursor.find("sha256="), std::string::npos);

  RecipientAnswer direct = Look("0037:" + Ovt(ids_[0]));
  EXPECT_TRUE(direct.can_receive);
  EXPECT_EQ(direct.operator_id, "fi-op");  // 003723327487 is one of fi-op's codes
  EXPECT_EQ(direct.channel, "direct");
  EXPECT_EQ(direct.name, "Mäki Oy");
  EXPECT_EQ(direct.formats, (std::vector<std::string>{"finvoice", "ubl"}));
  RecipientAnswer roaming = Look("0037:" + Ovt(ids_[1]));
  EXPECT_EQ(roaming.operator_id, "003721291126");
  EXPECT_EQ(roaming.channel, "roaming");
  EXPECT_EQ(roaming.path_json, "[\"fi-op\",\"003721291126\"]");
  EXPECT_EQ(roaming.name, "Järvi, \"Ky\"");
  EXPECT_EQ(Look("0037:" + Ovt(ids_[2])).operator_id, "fi-op");  // the second code

  RecordSuccess(1000);
  EXPECT_EQ(*app_.store->DirectorySize(), 3);  // counted when the run was recorded
  // The same bytes again: nothing read or written; the run's success confirms the entries.
  auto again = Sync(first->cursor, 5000);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->counts.added + again->counts.changed + again->counts.removed, 0);
  EXPECT_EQ(again->entries, 0);
  EXPECT_EQ(again->cursor, first->cursor);
  EXPECT_EQ(*Look("0037:" + Ovt(ids_[0])).verified_ms, 1000);
  RecordSuccess(5000);
  EXPECT_EQ(*Look("0037:" + Ovt(ids_[0])).verified_ms, 5000);
}

TEST_F(DirectorySourcesTest, ChangesAndRemovalsOfTheDumpAndABrokenDumpKeepsTheData) {
  WriteDump({Row(0, "003723327487", "Mäki Oy"), Row(1, "003721291126", "Järvi Ky"), Row(2, "003721291126", "Puu Oy")});
  auto first = Sync("", 1000);
  ASSERT_TRUE(first);
  // Row 1 moves to fi-op, row 2 leaves, row 3 arrives; a repeated address keeps its last row.
  WriteDump({Row(0, "003723327487", "Mäki Oy"), Row(1, "003721291126", "Järvi Ky"), Row(1, "E204503", "Järvi Ky"),
             Row(3, "003721291126", "Uusi Oy")});
  auto second = Sync(first->cursor, 2000);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(second->counts.added, 1);
  EXPECT_EQ(second->counts.changed, 1);
  EXPECT_EQ(second->counts.removed, 1);
  EXPECT_EQ(Look("0037:" + Ovt(ids_[1])).operator_id, "fi-op");
  RecipientAnswer gone = Look("0037:" + Ovt(ids_[2]));
  EXPECT_FALSE(gone.can_receive);
  EXPECT_EQ(gone.reason, "not_registered");
  EXPECT_TRUE(Look("0037:" + Ovt(ids_[3])).can_receive);

  // Not a dump at all: an error, the cursor stays with the caller, nothing is swept.
  { std::ofstream(registry_.url) << "<?xml version=\"1.0\"?><registry/>"; }
  auto broken = Sync(second->cursor, 3000);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message().find("registry dump"), std::string::npos);
  EXPECT_TRUE(Look("0037:" + Ovt(ids_[0])).can_receive);
  // Every row bad: refused rather than emptying the directory.
  WriteDump({"12345,003723327487,0000000-9,Bad Oy", "FI00,003723327487,1234567-0,Bad Ky"});
  auto bad_rows = Sync(second->cursor, 4000);
  ASSERT_FALSE(bad_rows);
  EXPECT_NE(bad_rows.error().message().find("none of its 2 rows"), std::string::npos) << bad_rows.error().message();
  EXPECT_TRUE(Look("0037:" + Ovt(ids_[3])).can_receive);
  // A dump that is missing: unavailable (retried), data kept.
  std::filesystem::remove(registry_.url);
  auto missing = Sync(second->cursor, 5000);
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().retryable());
  EXPECT_TRUE(Look("0037:" + Ovt(ids_[3])).can_receive);
}

TEST_F(DirectorySourcesTest, WithItsMemoryASyncWritesOnlyWhatChanged) {
  DumpMemory memory;
  auto sync = [&](const std::string& cursor, int64_t now) {
    return SyncRegistryDump(*app_.store, registry_, app_.config.operators, (dir_ / "spool").string(), cursor, now,
                            nullptr, &memory);
  };
  WriteDump({Row(0, "003723327487", "Mäki Oy"), Row(1, "003721291126", "Järvi Ky"), Row(2, "003721291126", "Puu Oy")});
  auto first = sync("", 1000);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->full);
  EXPECT_EQ(first->counts.added, 3);
  EXPECT_EQ(memory.size(), 3u);
  // Row 1 changes, row 2 leaves, row 3 arrives: a delta; the unchanged row is not written.
  WriteDump({Row(0, "003723327487", "Mäki Oy"), Row(1, "E204503", "Järvi Ky"), Row(3, "003721291126", "Uusi Oy")});
  auto second = sync(first->cursor, 2000);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_FALSE(second->full);
  EXPECT_EQ(second->counts.added, 1);
  EXPECT_EQ(second->counts.changed, 1);
  EXPECT_EQ(second->counts.removed, 1);
  EXPECT_EQ(second->counts.unchanged, 1);
  EXPECT_EQ((*app_.store->LookupDirectory("0037:" + Ovt(ids_[0])))[0].last_seen_ms, 1000);  // not rewritten
  EXPECT_EQ(Look("0037:" + Ovt(ids_[1])).operator_id, "fi-op");
  EXPECT_EQ(Look("0037:" + Ovt(ids_[2])).reason, "not_registered");
  EXPECT_TRUE(Look("0037:" + Ovt(ids_[3])).can_receive);
  EXPECT_EQ(memory.size(), 3u);
  // Another process synced last (the cursor is not the memory's): a full sync with a sweep.
  WriteDump({Row(0, "003723327487", "Mäki Oy")});
  auto other = sync("sha256=someone-else", 3000);
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->full);
  EXPECT_EQ(other->counts.removed, 2);
  EXPECT_EQ((*app_.store->LookupDirectory("0037:" + Ovt(ids_[0])))[0].last_seen_ms, 3000);
  // A failed sync forgets: the next one is full again.
  { std::ofstream(registry_.url) << "<registry/>"; }
  ASSERT_FALSE(sync(other->cursor, 4000));
  WriteDump({Row(0, "003723327487", "Mäki Oy"), Row(4, "003723327487", "Neljä Oy")});
  auto after = sync(other->cursor, 5000);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->full);
  EXPECT_EQ(after->counts.added, 1);
}

// An operator that answers per recipient: 0191:1xxx accept, the rest do not.
class CheckingOperator final : public operators::OperatorClient {
 public:
  CheckingOperator() : OperatorClient(Settings()) {}
  static operators::OperatorSettings Settings() {
    operators::OperatorSettings s;
    s.id = "ee-op";
    s.protocol = "ee-erp";
    return s;
  }
  Result<operators::Receipt> Deliver(const operators::Delivery&) override { return Error::Internal("unused"); }
  Result<std::vector<operators::ReceiverInfo>> CheckRecipients(const std::vector<std::string>& ids) override {
    batches.push_back(ids.size());
    if (down) return Error::Unavailable("ee-op down");
    std::vector<operators::ReceiverInfo> out;
    for (const auto& id : ids) {
      operators::ReceiverInfo r;
      r.id = id;
      r.accepts = id.starts_with("0191:1");
      r.channel = "direct";
      r.name = r.accepts ? "Registered OÜ" : "";
      out.push_back(r);
    }
    return out;
  }
  std::vector<size_t> batches;
  bool down = false;
};

TEST_F(DirectorySourcesTest, PerRecipientChecksInBatchesOf100RecordBothAnswers) {
  CheckingOperator ee;
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i) ids.push_back("0191:" + std::to_string(i % 2 ? 10000000 + i : 20000000 + i));
  auto out = SyncCheckedRecipients(*app_.store, ee, "ee-op", ids, 1000);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(ee.batches, (std::vector<size_t>{100, 50}));
  EXPECT_EQ(out->entries, 150);
  EXPECT_EQ(out->counts.added, 75);
  EXPECT_EQ(out->counts.removed, 0);  // not registered, but never listed: not a removal
  EXPECT_TRUE(Look("0191:10000001").can_receive);
  RecipientAnswer no = Look("0191:20000000");
  EXPECT_FALSE(no.can_receive);
  EXPECT_EQ(no.reason, "not_registered");  // a checked "no", not "unknown"
  EXPECT_EQ(*no.verified_ms, 1000);
  // Asked again later: the answer is verified again; a recipient that left is a removal.
  ASSERT_TRUE(app_.store->MarkNotRegistered("ee-op", {"0191:10000001"}, 2000));
  EXPECT_EQ(Look("0191:10000001").reason, "not_registered");
  auto again = SyncCheckedRecipients(*app_.store, ee, "ee-op", {"0191:20000000", "0191:10000003"}, 3000);
  ASSERT_TRUE(again);
  EXPECT_EQ(*Look("0191:20000000").verified_ms, 3000);
  EXPECT_EQ(again->counts.unchanged, 1);
  // The operator down: an error, nothing changes.
  ee.down = true;
  EXPECT_FALSE(SyncCheckedRecipients(*app_.store, ee, "ee-op", {"0191:10000003"}, 4000));
  EXPECT_TRUE(Look("0191:10000003").can_receive);
}

TEST_F(DirectorySourcesTest, RoutingAsksTheDirectoryBetweenTheTableAndTheDefaultOperator) {
  WriteDump({Row(0, "003723327487", "Mäki Oy"), Row(1, "003721291126", "Järvi Ky")});
  ASSERT_TRUE(Sync("", 1000));
  formats::FormatRegistry registry;
  ASSERT_TRUE(formats::RegisterBuiltinFormats(registry));
  operators::StaticRoutes routes(app_.config.operators, {{"0037:" + Ovt(ids_[1]), "print"}}, "print");
  routes.SetDirectory([this](const std::string& r) { return DirectoryRouteFor(app_, r); });
  auto resolve = [&](const std::string& id) { return routes.Resolve(*ParticipantId::Parse(id), registry); };

  // In the directory, registered at fi-op: delivered by fi-op, in a format both take (finvoice
  // is the registry's first; fi-op lists ubl first and takes both).
  auto direct = resolve("0037:" + Ovt(ids_[0]));
  ASSERT_TRUE(std::holds_alternative<operators::Route>(direct));
  const auto& r = std::get<operators::Route>(direct);
  EXPECT_EQ(r.operator_id, "fi-op");
  EXPECT_EQ(r.format, "ubl");
  EXPECT_EQ(r.channel, "direct");
  EXPECT_EQ(r.source, "fi-registry");
  EXPECT_TRUE(r.e_invoice);
  EXPECT_NE(r.reason.find("source fi-registry lists it at fi-op"), std::string::npos) << r.reason;
  // The table wins over the directory.
  auto table = resolve("0037:" + Ovt(ids_[1]));
  EXPECT_EQ(std::get<operators::Route>(table).operator_id, "print");
  // Unknown to the directory: the default operator, which is not an e-invoice channel.
  auto fallback = resolve("0037:" + Ovt(ids_[4]));
  const auto& f = std::get<operators::Route>(fallback);
  EXPECT_EQ(f.operator_id, "print");
  EXPECT_FALSE(f.e_invoice);
  EXPECT_NE(f.reason.find("the directory does not know it"), std::string::npos) << f.reason;
  // A registry entry at an operator we have no connection to and no via: not routable by the
  // directory, so the default operator, and the reason says why.
  registry_.settings.erase("via");
  app_.config.operators[2] = registry_;
  WriteDump({Row(0, "003723327487", "Mäki Oy"), Row(5, "003799999999", "Kaukana Oy")});
  ASSERT_TRUE(Sync("", 2000));
  auto far = resolve("0037:" + Ovt(ids_[5]));
  EXPECT_EQ(std::get<operators::Route>(far).operator_id, "print");
  EXPECT_NE(std::get<operators::Route>(far).reason.find("no connection"), std::string::npos);
}

TEST_F(DirectorySourcesTest, ACapabilityChangeIsToldOnceToTheTenantsThatInvoicedTheRecipient) {
  auto tenant = app_.store->AddTenant("acme", 1);
  auto other = app_.store->AddTenant("other", 1);
  ASSERT_TRUE(tenant && other);
  ASSERT_TRUE(app_.store->AddWebhook(tenant->id, "http://127.0.0.1:9/hook", "0123456789abcdef", 1));
  ASSERT_TRUE(app_.store->AddWebhook(other->id, "http://127.0.0.1:9/other", "0123456789abcdef", 1));
  WriteDump({Row(0, "003723327487", "Mäki Oy"), Row(1, "003721291126", "Järvi Ky")});
  ASSERT_TRUE(Sync("", 1000));
  // acme invoiced recipient 0; other invoiced recipient 1.
  auto submit = [&](const storage::Tenant& t, const std::string& buyer, const std::string& key) {
    storage::Invoice i;
    i.id = storage::NewId("inv_");
    i.tenant_id = t.id;
    i.idempotency_key = key;
    i.request_sha256 = key;
    i.status = "received";
    i.buyer_endpoint = buyer;
    i.findings_json = "[]";
    i.accepted_json = "{}";
    i.created_ms = i.updated_ms = 1500;
    ASSERT_TRUE(app_.store->Submit(i, storage::Document{"original", "application/json", certs::Sha256Hex(key), 2, 1500, "{}"}));
  };
  submit(*tenant, "0037:" + Ovt(ids_[0]), "a");
  submit(*other, "0037:" + Ovt(ids_[1]), "b");
  submit(*tenant, "0037:" + Ovt(ids_[4]), "c");  // unknown to the directory for now
  DirectoryScheduler scheduler(app_, {}, "p1");
  auto baseline = scheduler.WatchCapabilities(2000);
  ASSERT_TRUE(baseline) << baseline.error().message();
  EXPECT_EQ(*baseline, 0);  // first answers are the baseline
  const int64_t seq_before = *app_.store->LastEventSeq();

  // Recipient 0 leaves the registry.
  WriteDump({Row(1, "003721291126", "Järvi Ky")});
  ASSERT_TRUE(Sync("x", 3000));
  auto told = scheduler.WatchCapabilities(3000);
  ASSERT_TRUE(told);
  EXPECT_EQ(*told, 1);
  auto events = app_.store->EventsAfter(tenant->id, seq_before, 10);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].invoice_id, "rcp:0037:" + Ovt(ids_[0]));
  EXPECT_EQ((*events)[0].status, "not_registered");
  EXPECT_EQ(EventType((*events)[0]), "recipient.capability");
  EXPECT_NE(EventJson((*events)[0]).find("\"recipient\":{\"id\":\"0037:" + Ovt(ids_[0])), std::string::npos)
      << EventJson((*events)[0]);
  EXPECT_TRUE(app_.store->EventsAfter(other->id, seq_before, 10)->empty());
  auto due = app_.store->ClaimDeliveries("d", 3500, 10000, 10);
  ASSERT_TRUE(due);
  size_t capability_calls = 0;
  for (const auto& d : *due) capability_calls += d.event.invoice_id.starts_with("rcp:");
  EXPECT_EQ(capability_calls, 1u);  // acme's webhook only
  // Nothing new: no second event.
  EXPECT_EQ(*scheduler.WatchCapabilities(4000), 0);
  // It comes back: told again. Recipient 4 appears: learning about a recipient nothing knew is not
  // a change of what it can receive, so no event for it.
  WriteDump({Row(0, "003723327487", "Mäki Oy"), Row(1, "003721291126", "Järvi Ky"), Row(4, "003723327487", "Uusi Oy")});
  ASSERT_TRUE(Sync("y", 5000));
  EXPECT_EQ(*scheduler.WatchCapabilities(5000), 1);
  events = app_.store->EventsAfter(tenant->id, seq_before, 10);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].status, "can_receive");
}

TEST_F(DirectorySourcesTest, TheLookupCacheFollowsWritesOfThisAndOtherProcesses) {
  WriteDump({Row(0, "003723327487", "Mäki Oy"), Row(1, "003721291126", "Järvi Ky")});
  ASSERT_TRUE(Sync("", 1000));
  RecipientCache cache(1000, /*ttl_ms=*/10000, /*version_poll_ms=*/1000);
  const std::string r0 = "0037:" + Ovt(ids_[0]), r1 = "0037:" + Ovt(ids_[1]);
  EXPECT_TRUE(cache.Lookup(app_, r0, "", 2000)->can_receive);
  // Another process removes it: seen at the next version poll, not before.
  ASSERT_TRUE(app_.store->RemoveDirectory("fi-registry", {r0}, 2100));
  EXPECT_TRUE(cache.Lookup(app_, r0, "", 2500)->can_receive);
  EXPECT_EQ(cache.Lookup(app_, r0, "", 3100)->reason, "not_registered");
  // This process's own writes: dropped at once.
  EXPECT_TRUE(cache.Lookup(app_, r1, "", 3200)->can_receive);
  ASSERT_TRUE(app_.store->RemoveDirectory("fi-registry", {r1}, 3300));
  cache.Invalidate();
  EXPECT_EQ(cache.Lookup(app_, r1, "", 3300)->reason, "not_registered");
  // The document type is part of the key; a verification without a change is seen after the TTL.
  EXPECT_EQ(cache.Lookup(app_, r1, "credit_note", 3400)->reason, "not_registered");
  ASSERT_TRUE(app_.store->PutDirectory({}, 3500));
  WriteDump({Row(0, "003723327487", "Mäki Oy"), Row(1, "003721291126", "Järvi Ky")});
  ASSERT_TRUE(Sync("", 4000));
  EXPECT_TRUE(cache.Lookup(app_, r1, "", 5100)->can_receive);  // revived: a version change
  EXPECT_EQ(*cache.Lookup(app_, r1, "", 6100)->verified_ms, 4000);
  RecordSuccess(6500);  // a run that confirmed the entries, nothing changed
  EXPECT_EQ(*cache.Lookup(app_, r1, "", 7200)->verified_ms, 4000);   // cached
  EXPECT_EQ(*cache.Lookup(app_, r1, "", 16200)->verified_ms, 6500);  // older than the TTL: read again
}

}  // namespace
}  // namespace gw::gateway
