// SqlStore: the Store on Poco::Data, for SQLite (WAL, one file, one process) and PostgreSQL
// (several processes; the outbox is claimed with FOR UPDATE SKIP LOCKED). The SQL is written once
// with '?' placeholders; the PostgreSQL dialect renumbers them ($1, $2, ...).
//
// Writes go through writer threads (one for SQLite, four for PostgreSQL) that batch what arrives
// together into one transaction and commit once: durable (SQLite synchronous=FULL, PostgreSQL
// synchronous_commit on) at one fsync per batch. When a call fails, the batch is rolled back and
// each call runs again alone, so one failing call never undoes another.
// Reads use a pool of sessions.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include <Poco/Data/Session.h>

#include "gateway/storage/migrations.h"
#include "gateway/storage/sqlite_checkpointer.h"
#include "gateway/storage/sqlite_reads.h"
#include "gateway/storage/store.h"

namespace gw::gateway::storage {

// Thrown inside a write function to end it with this error (its savepoint is rolled back).
struct StoreFailure {
  Error error;
};

class SqlStore final : public Store {
 public:
  static Result<std::unique_ptr<SqlStore>> Open(const StoreOptions& options);
  ~SqlStore() override;

  Result<int> Migrate() override;
  Result<int> SchemaVersion() override;
  std::string Driver() const override { return dialect_ == Dialect::kPostgres ? "postgresql" : "sqlite"; }

  Result<Tenant> AddTenant(const std::string& name, int64_t now_ms) override;
  Result<std::optional<Tenant>> FindTenant(const std::string& id_or_name) override;
  Result<std::vector<Tenant>> ListTenants() override;
  Result<ApiKey> AddApiKey(const std::string& tenant_id, const std::string& key_sha256, const std::string& prefix,
                           int64_t now_ms) override;
  Result<std::vector<ApiKey>> ListApiKeys(const std::string& tenant_id) override;
  Status RevokeApiKey(const std::string& key_id, int64_t now_ms) override;
  Result<std::optional<Tenant>> TenantForKey(const std::string& key_sha256) override;

  Result<std::pair<SubmitOutcome, Invoice>> Submit(const Invoice& invoice, const Document& original) override;
  Result<std::optional<Invoice>> GetInvoice(const std::string& tenant_id, const std::string& id) override;
  Result<std::vector<Invoice>> ListInvoices(const std::string& tenant_id, const InvoiceFilter& filter) override;
  Result<std::vector<Event>> InvoiceEvents(const std::string& invoice_id) override;
  Result<std::vector<Attempt>> InvoiceAttempts(const std::string& invoice_id) override;
  Result<std::vector<Document>> InvoiceDocuments(const std::string& invoice_id) override;
  Result<std::optional<Document>> GetDocument(const std::string& tenant_id, const std::string& invoice_id,
                                              const std::string& kind) override;
  Result<std::vector<Event>> EventsAfter(const std::string& tenant_id, int64_t after_seq, int limit) override;
  Result<int64_t> LastEventSeq() override;

  Result<std::vector<Job>> ClaimJobs(const std::string& owner, int64_t now_ms, int64_t lease_ms, int max) override;
  Status Advance(const Step& step, int64_t now_ms) override;
  Result<OutboxStats> Stats() override;

  Result<Webhook> AddWebhook(const std::string& tenant_id, const std::string& url, const std::string& secret,
                             int64_t now_ms) override;
  Result<std::vector<Webhook>> ListWebhooks(const std::string& tenant_id) override;
  Result<bool> DeleteWebhook(const std::string& tenant_id, const std::string& id, int64_t now_ms) override;
  Result<std::vector<WebhookDelivery>> ListDeliveries(const std::string& tenant_id, const std::string& webhook_id,
                                                      int limit) override;
  Result<bool> ReplayDelivery(const std::string& tenant_id, const std::string& webhook_id,
                              const std::string& delivery_id, int64_t now_ms) override;
  Result<std::vector<DueDelivery>> ClaimDeliveries(const std::string& owner, int64_t now_ms, int64_t lease_ms,
                                                   int max) override;
  Status RecordDelivery(const WebhookDelivery& delivery, const std::string& owner) override;

  Status SetInboxFormat(const std::string& tenant_id, const std::string& format) override;
  Result<std::string> InboxFormat(const std::string& tenant_id) override;
  Status PutReceiver(const Receiver& receiver, int64_t now_ms) override;
  Result<bool> RemoveReceiver(const std::string& identifier, int64_t now_ms) override;
  Status SyncRoamingReceivers(const std::vector<Receiver>& receivers, int64_t now_ms) override;
  Result<std::optional<Receiver>> FindReceiver(const std::string& identifier) override;
  Result<std::vector<Receiver>> ListReceivers(int64_t after_seq, int limit, bool with_removed,
                                              const std::string& tenant_id) override;
  Result<std::pair<InboundMessage, bool>> Receive(const Arrival& arrival) override;
  Result<std::optional<InboundMessage>> GetInbound(const std::string& tenant_id, const std::string& id) override;
  Result<std::optional<InboundMessage>> InboundByMessage(const std::string& message_id) override;
  Result<std::vector<InboundMessage>> ListInbound(const std::string& tenant_id, const std::string& state,
                                                  std::optional<std::pair<int64_t, std::string>> after,
                                                  int limit) override;
  Result<std::optional<Document>> InboundDocument(const std::string& inbound_id, const std::string& kind) override;
  Result<std::vector<Document>> InboundDocuments(const std::string& inbound_id) override;
  Result<bool> AckInbound(const std::string& tenant_id, const std::string& id, const StatusMessage& status,
                          int64_t now_ms) override;
  Result<std::pair<StatusMessage, bool>> QueueStatus(const StatusMessage& status, int64_t now_ms) override;
  Result<std::vector<StatusMessage>> Statuses(const std::string& message_id, const std::string& direction) override;
  Result<std::optional<StatusMessage>> GetStatus(const std::string& id) override;
  Result<bool> RecordInvoiceStatus(const StatusMessage& status, const std::string& invoice_status,
                                   const std::string& detail, const std::string& failure_code, int64_t now_ms) override;
  Result<std::optional<Invoice>> FindInvoice(const std::string& id) override;
  Result<std::vector<KpiInvoice>> KpiInvoices(const std::string& tenant_id, int64_t from_ms, int64_t to_ms) override;
  Result<std::vector<int64_t>> ReceivedTimes(const std::string& tenant_id, int64_t from_ms, int64_t to_ms) override;
  Status AdvanceJob(const JobStep& step, int64_t now_ms) override;
  Result<std::string> GetCursor(const std::string& name) override;
  Result<DirectoryCounts> PutDirectory(const std::vector<DirectoryEntry>& entries, int64_t now_ms) override;
  Result<int64_t> RemoveDirectory(const std::string& source, const std::vector<std::string>& identifiers,
                                  int64_t now_ms) override;
  Result<int64_t> SweepDirectory(const std::string& source, int64_t started_ms, int64_t now_ms) override;
  Result<std::vector<DirectoryEntry>> LookupDirectory(const std::string& identifier) override;
  Result<std::vector<std::string>> PartyIdentifiers(const std::string& party_key) override;
  Result<int64_t> DirectorySize() override;
  Result<std::optional<DirectorySource>> ClaimSource(const std::string& name, const std::string& owner, int64_t now_ms,
                                                     int64_t lease_ms, bool force) override;
  Status RenewSource(const std::string& name, const std::string& owner, int64_t until_ms) override;
  Status RecordSourceRun(const DirectorySource& run, const std::string& owner) override;
  Result<std::vector<DirectorySource>> ListSources() override;
  Result<RecipientRecord> LookupRecipientRecord(const std::string& identifier) override;
  Result<DirectoryChanges> DirectoryChangesSince(int64_t changed_ms, int limit) override;
  Result<int64_t> MarkNotRegistered(const std::string& source, const std::vector<std::string>& identifiers,
                                    int64_t now_ms) override;
  Result<std::vector<std::string>> SourceIdentifiers(const std::string& source) override;
  Result<std::vector<std::string>> RecentRecipients(int64_t since_ms) override;
  Result<std::vector<RecipientWatch>> WatchCandidates(int64_t invoices_since_ms, int64_t changed_since_ms) override;
  Result<int64_t> SetWatchAnswer(const RecipientWatch& watch, const std::string& answer, const std::string& status,
                                 const std::string& detail, int64_t now_ms) override;
  Status SetCursor(const std::string& name, const std::string& value, int64_t now_ms) override;

  Status AddUser(const User& user) override;
  Result<std::optional<User>> FindUser(const std::string& id_or_username) override;
  Result<std::vector<User>> ListUsers() override;
  Result<bool> RemoveUser(const std::string& id_or_username) override;
  Status RecordSignIn(const std::string& user_id, bool success, int64_t locked_until_ms) override;
  Status AddUiSession(const UiSession& session) override;
  Result<std::optional<std::pair<UiSession, User>>> FindUiSession(const std::string& token_sha256,
                                                                  int64_t now_ms) override;
  Status RemoveUiSession(const std::string& token_sha256) override;

  Status Ping() override;
  int64_t WaitForEvents(int64_t known_seq, int timeout_ms) override;
  Status ReleaseAllLeases() override;

 private:
  SqlStore(Dialect dialect, std::string connector, std::string connection, int pool);

  // The SQL in this dialect ('?' renumbered for PostgreSQL).
  std::string Sql(std::string_view sql) const;
  Poco::Data::Session NewSession();
  // Runs `fn` in the writer's batch transaction; returns after the commit.
  Status Write(std::function<void(Poco::Data::Session&)> fn);
  // Runs `fn` with a pooled read session, mapping exceptions to errors.
  Status Read(const std::function<void(Poco::Data::Session&)>& fn);
  void WriterLoop();
  // Inserts an event (and the webhook deliveries of its tenant's webhooks); returns its seq.
  // The reads of a recipient lookup, inside a session (FindReceiver, LookupDirectory,
  // PartyIdentifiers and LookupRecipientRecord share them).
  std::optional<Receiver> FindReceiverIn(Poco::Data::Session& s, const std::string& identifier);
  std::vector<DirectoryEntry> LookupDirectoryIn(Poco::Data::Session& s, const std::string& identifier);
  std::vector<std::string> PartyIdentifiersIn(Poco::Data::Session& s, const std::string& party_key);
  // Adds `change` to the count of live entries of directory source `source` (the write paths keep
  // it in their transaction; a full run counts again).
  void CountLive(Poco::Data::Session& s, const std::string& source, int64_t change);
  // The same reads on SQLite, through the kept statements of fast_reads_.
  std::optional<Receiver> FindReceiverIn(SqliteReads::Connection& c, const std::string& identifier);
  std::vector<DirectoryEntry> LookupDirectoryIn(SqliteReads::Connection& c, const std::string& identifier);
  std::vector<std::string> PartyIdentifiersIn(SqliteReads::Connection& c, const std::string& party_key);
  int64_t InsertEvent(Poco::Data::Session& s, const std::string& tenant_id, const std::string& invoice_id,
                      const std::string& status, const std::string& detail, int64_t now_ms);
  void InsertDocument(Poco::Data::Session& s, const std::string& invoice_id, const Document& d,
                      const char* table = "documents", const char* key = "invoice_id");
  // The operator network's pieces inside write transactions (sql_store_network.cc).
  int64_t NextCounter(Poco::Data::Session& s, const std::string& name);
  void UpsertReceiver(Poco::Data::Session& s, const Receiver& r, int64_t now_ms);
  // Inserts an outgoing status and its outbox job unless it exists; the stored one and whether new.
  std::pair<StatusMessage, bool> InsertStatus(Poco::Data::Session& s, const StatusMessage& status, int64_t now_ms);
  // PostgreSQL: the whole submission in one statement; the event's seq, or 0 when the key existed.
  int64_t SubmitPostgres(Poco::Data::Session& s, const Invoice& invoice, const Document& original);
  // Before a transaction draws its first event seq (PostgreSQL): see InsertEvent.
  void LockEventOrder(Poco::Data::Session& s);
  // Remembers the highest seq of the open transaction, for WaitForEvents after the commit.
  void NoteEventSeq(int64_t seq);

  struct Pending {
    std::function<void(Poco::Data::Session&)> fn;
    std::promise<Status> done;
  };

  Dialect dialect_;
  std::string connector_, connection_;
  // Read sessions: at most pool_size_ open; a reader waits for a free one instead of failing.
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<Poco::Data::Session> idle_;
  int open_sessions_ = 0;
  int pool_size_ = 8;
  // SQLite: the connections that serve recipient lookups (see sqlite_reads.h).
  std::unique_ptr<SqliteReads> fast_reads_;
  // SQLite: checkpoints the write-ahead log off the writer's thread (see sqlite_checkpointer.h).
  std::unique_ptr<SqliteCheckpointer> checkpointer_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::vector<std::thread> writers_;

  std::mutex event_mutex_;
  std::condition_variable event_cv_;
  int64_t last_seq_ = 0;
};

}  // namespace gw::gateway::storage
