// The gateway's storage: tenants and API keys, invoices with their status events, archived
// documents, the outbox, webhooks and their deliveries. One interface (Store), two implementations
// on Poco::Data (SqlStore with the SQLite or the PostgreSQL dialect, sql_store.h).
//
// Time is milliseconds since the Unix epoch (UTC), given by the caller. Writes are durable when a
// call returns (committed with fsync); concurrent writers are batched into one transaction
// ("group commit") so durability does not cost one fsync per request.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "formats/core/result.h"

namespace gw::gateway::storage {

// In place of a tenant id, for GetInvoice, GetDocument, ListInvoices and EventsAfter: every
// tenant (an admin of the web pages). No tenant id is ever "*".
inline constexpr const char* kAllTenants = "*";

struct Tenant {
  std::string id;  // "ten_<hex>"
  std::string name;
  int64_t created_ms = 0;
};

// A user of the web pages (eigw users add). role: "admin" (every tenant), "finance" (tenant_id's
// invoices, directory and KPIs) or "customer" (read only: the invoices of tenant_id to `buyer`).
struct User {
  std::string id;  // "usr_<hex>"
  std::string username;
  std::string password_hash;  // gateway/ui/password.h
  std::string role;
  std::string tenant_id;  // "" for admin
  std::string buyer;      // customer: the buyer's endpoint id ("scheme:value"); else ""
  int64_t created_ms = 0;
  int failed_logins = 0;        // in a row
  int64_t locked_until_ms = 0;  // sign-in refused until then (too many failures)
};

// A signed-in session of the web pages; the cookie's token is kept only as its SHA-256.
struct UiSession {
  std::string token_sha256;
  std::string user_id;
  std::string csrf;  // the token that state-changing requests must send back
  int64_t created_ms = 0, expires_ms = 0;
};

struct ApiKey {
  std::string id;          // "key_<hex>"
  std::string tenant_id;
  std::string prefix;      // first characters of the key, shown in lists
  int64_t created_ms = 0;
  std::optional<int64_t> revoked_ms;
};

// An archived document. Never changed once stored.
struct Document {
  std::string kind;        // original, produced, signed, receipt
  std::string media_type;
  std::string sha256;      // hex
  int64_t size = 0;
  int64_t created_ms = 0;
  std::string content;     // empty in listings
};

struct Event {
  int64_t seq = 0;
  std::string tenant_id;
  std::string invoice_id;
  std::string status;
  std::string detail;
  int64_t at_ms = 0;
};

struct Attempt {
  int number = 0;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
  std::string outcome;  // delivered, failed, refused
  std::string detail;
  std::string worker;
};

struct Invoice {
  std::string id;  // "inv_<hex>"
  std::string tenant_id;
  std::string idempotency_key;
  std::string request_sha256;   // of the submitted body: same key + other body = conflict
  std::string status;
  std::string invoice_number;
  std::string document_type;    // invoice, credit_note
  std::string currency;
  std::string payable_amount;
  std::string seller_name, seller_endpoint, buyer_name, buyer_endpoint;  // endpoint "scheme:value"
  std::string source_format;    // json, ubl, cii
  std::string route_json;       // "" until routed
  std::string failure_code, failure_reason;
  std::string findings_json;    // "[]" or the findings of validation
  std::string accepted_json;    // the 202 answer, replayed for the same idempotency key
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  std::string due_date;         // BT-9, "YYYY-MM-DD", or ""
};

// One row of the outbox: the next step of one invoice.
struct Job {
  std::string invoice_id;
  std::string tenant_id;
  std::string stage;  // process, deliver
  int attempts = 0;   // delivery attempts made so far
  int64_t next_ms = 0;
};

// What a pipeline step changes, applied in one transaction by Store::Advance.
struct Step {
  std::string invoice_id;
  std::string tenant_id;
  std::string lease_owner;             // the worker that holds the job; the step fails if it lost it
  std::vector<std::pair<std::string, std::string>> events;  // (status, detail), in order; the last is the new status
  std::optional<std::string> route_json, failure_code, failure_reason, findings_json;
  std::vector<Document> documents;     // archived with this step
  std::optional<Attempt> attempt;      // recorded delivery attempt
  // The job afterwards: nullopt = done (removed from the outbox); else its stage and due time.
  std::optional<std::string> next_stage;
  int64_t next_ms = 0;
  int job_attempts = 0;
  // Keep holding the lease (a step recorded while the work goes on, e.g. "sending"); next_stage,
  // when set, changes the stage without releasing the row.
  bool keep_lease = false;
};

struct InvoiceFilter {
  std::string status;                 // "" = any
  std::optional<int64_t> updated_since_ms;
  std::string buyer;                  // "" = any; else only invoices to this buyer endpoint
  std::string text;                   // "" = any; else in the number, buyer name or buyer endpoint
  std::optional<int64_t> created_from_ms, created_before_ms;
  std::optional<bool> e_invoice;      // by the route decided at intake
  std::string amount_min, amount_max; // "" = no bound; else a decimal the payable amount is within
  // Cursor: the (updated_ms, id) of the last row of the previous page.
  std::optional<std::pair<int64_t, std::string>> after;
  int limit = 100;
};

// An invoice as the KPIs count it (Store::KpiInvoices).
struct KpiInvoice {
  std::string status, failure_code, route_json, due_date, payable_amount, currency;
  int64_t created_ms = 0;
  std::optional<int64_t> delivered_ms;  // its first `delivered` event
  bool accepted = false, paid = false;  // it had an `accepted` / `paid` event
};

enum class SubmitOutcome { kCreated, kReplayed, kConflict };

struct Webhook {
  std::string id;  // "whk_<hex>"
  std::string tenant_id;
  std::string url;
  std::string secret;
  int64_t created_ms = 0;
};

struct WebhookDelivery {
  std::string id;  // "dlv_<hex>"
  std::string webhook_id;
  std::string tenant_id;
  int64_t event_seq = 0;
  std::string state;  // pending, delivered, failed
  int attempts = 0;
  int last_status = 0;
  std::string last_error;
  int64_t next_ms = 0;
  std::optional<int64_t> delivered_ms;
  int64_t created_ms = 0;
};

struct OutboxStats {
  int64_t depth = 0;
  std::optional<int64_t> oldest_ms;  // creation time of the oldest waiting invoice
  std::vector<std::pair<std::string, int64_t>> invoices_by_status;
};


// A recipient this gateway receives for: a tenant's identifier (channel direct) or one it
// forwards to a roaming partner (channel roaming, tenant_id ""). Changes are numbered by seq so
// partners can ask for the changes since a cursor; a removed one stays as a tombstone.
struct Receiver {
  std::string identifier;  // "scheme:value"
  std::string tenant_id;
  std::string name;
  std::string channel;      // direct, roaming
  std::string operator_id;  // who serves it: this gateway's id (direct) or the partner's
  std::string path_json;    // ["gw-b","gw-c"]
  std::string formats;      // "ubl,cii"
  std::string document_types;  // "invoice,credit_note"
  int64_t seq = 0;
  std::optional<int64_t> removed_ms;
  int64_t updated_ms = 0;
};

// A document an operator delivered to this gateway.
struct InboundMessage {
  std::string id;  // "inb_<hex>"
  std::string message_id;
  std::string from_operator;
  std::string tenant_id;       // "" when it is forwarded
  std::string sender, recipient, document_type, format;
  std::string path_json;       // the envelope's path, as received
  std::string document_sha256;
  std::string state;           // available, acknowledged, rejected, forwarding, forwarded, failed
  std::string disposition;     // received, forwarded, rejected (the answer's)
  std::string invoice_number, currency, payable_amount, seller_name;
  std::string findings_json = "[]";
  std::string answer_json;     // the answer sent to the operator, replayed for a duplicate
  std::string forward_operator;  // where it is forwarded ("" when received)
  std::string failure_reason;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  std::optional<int64_t> acked_ms;
};

// A business status, sent (direction out) or received (direction in).
struct StatusMessage {
  std::string id;  // "sts_<hex>"
  std::string message_id;
  std::string direction;  // out, in
  std::string status;     // delivered, accepted, rejected, paid, ...
  std::string code;       // AB, AP, RE, PD, ...
  std::string reason;
  std::string by;         // recipient, operator
  std::string operator_id;  // out: where it goes; in: who sent it
  std::string path_json = "[]";
  std::string state;      // out: pending, sent, failed; in: recorded
  int attempts = 0;
  std::string last_error;
  int64_t at_ms = 0;
};

// What a step of an inbound or status job changes (Store::AdvanceJob), in one transaction.
struct JobStep {
  std::string job_id;       // the outbox row: an inbound id or a status id
  std::string lease_owner;
  std::optional<std::string> inbound_state, forward_operator, failure_reason;  // for an inbound job
  std::optional<std::string> status_state, status_error;                       // for a status job
  int status_attempts = 0;
  std::vector<StatusMessage> new_statuses;  // statuses to send (each gets its outbox job)
  // The job afterwards: nullopt = done; else due again at next_ms with job_attempts.
  std::optional<std::string> next_stage;
  int64_t next_ms = 0;
  int job_attempts = 0;
};

// One source's view of one recipient identifier in the directory (issue: the recipient-capability
// directory). Several identifiers of one party share its party_key (e.g. the business id).
struct DirectoryEntry {
  std::string identifier;  // "scheme:value"
  std::string source;      // the source that said so ("gw-b", "fi-registry", ...)
  std::string party_key;
  std::string name, country, operator_id;
  std::string channel;         // direct, roaming
  std::string document_types;  // "invoice,credit_note"
  std::string formats;         // "ubl,cii"
  std::string path_json = "[]";
  int64_t first_seen_ms = 0, last_seen_ms = 0, last_verified_ms = 0, changed_ms = 0;
  std::optional<int64_t> removed_ms;
  // Read only: the source's last successful sync, which confirmed its live entries as they are
  // (a delta or an unchanged dump does not rewrite the entries it confirms).
  int64_t confirmed_ms = 0;
};

// A recipient a tenant has invoiced, with the last capability answer the tenant was told of
// (the key of RecipientAnswer; "" = not yet known: the first answer is a baseline, not a change).
struct RecipientWatch {
  std::string tenant_id, identifier, answer;
};

// What a directory write changed.
struct DirectoryCounts {
  int64_t added = 0, changed = 0, removed = 0, unchanged = 0;
};

// A source's sync state.
struct DirectorySource {
  std::string name;
  std::string cursor;
  int64_t last_started_ms = 0, last_finished_ms = 0, last_success_ms = 0, duration_ms = 0;
  int64_t added = 0, changed = 0, removed = 0, errors = 0;
  std::string last_error;
  int failures = 0;  // consecutive
  int64_t next_run_ms = 0;
  // Read only: its live entries, kept by every write to the directory.
  int64_t entries = 0;
  // RecordSourceRun: count the live entries again (after a full run; a delta's writes kept the count).
  bool recount = true;
};

class Store {
 public:
  virtual ~Store() = default;

  // Creates or upgrades the schema (versioned migrations, each in its own transaction; safe to run
  // from several processes at once). Returns the schema version.
  virtual Result<int> Migrate() = 0;
  virtual Result<int> SchemaVersion() = 0;
  virtual std::string Driver() const = 0;

  // Tenants and keys. AddTenant: kAlreadyExists for a taken name.
  virtual Result<Tenant> AddTenant(const std::string& name, int64_t now_ms) = 0;
  virtual Result<std::optional<Tenant>> FindTenant(const std::string& id_or_name) = 0;
  virtual Result<std::vector<Tenant>> ListTenants() = 0;
  // Users of the web pages. AddUser: kAlreadyExists for a taken username. FindUser by id or
  // username. RemoveUser also ends its sessions; false when there was none.
  virtual Status AddUser(const User& user) = 0;
  virtual Result<std::optional<User>> FindUser(const std::string& id_or_username) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Result<bool> RemoveUser(const std::string& id_or_username) = 0;
  // After a sign-in attempt: a success clears the failures; a failure counts one and locks the
  // user until `locked_until_ms` when given.
  virtual Status RecordSignIn(const std::string& user_id, bool success, int64_t locked_until_ms) = 0;
  // Sessions. FindUiSession: the session and its user when the token is known and not expired.
  virtual Status AddUiSession(const UiSession& session) = 0;
  virtual Result<std::optional<std::pair<UiSession, User>>> FindUiSession(const std::string& token_sha256,
                                                                          int64_t now_ms) = 0;
  virtual Status RemoveUiSession(const std::string& token_sha256) = 0;

  virtual Result<ApiKey> AddApiKey(const std::string& tenant_id, const std::string& key_sha256,
                                   const std::string& prefix, int64_t now_ms) = 0;
  virtual Result<std::vector<ApiKey>> ListApiKeys(const std::string& tenant_id) = 0;
  virtual Status RevokeApiKey(const std::string& key_id, int64_t now_ms) = 0;
  // The tenant of an unrevoked key with this hash.
  virtual Result<std::optional<Tenant>> TenantForKey(const std::string& key_sha256) = 0;

  // Stores a new submission (invoice, original document, "received" event, outbox job "process")
  // unless the tenant used its idempotency key before: then kReplayed with the stored invoice when
  // the request hash matches, kConflict when not.
  virtual Result<std::pair<SubmitOutcome, Invoice>> Submit(const Invoice& invoice, const Document& original) = 0;

  virtual Result<std::optional<Invoice>> GetInvoice(const std::string& tenant_id, const std::string& id) = 0;
  virtual Result<std::vector<Invoice>> ListInvoices(const std::string& tenant_id, const InvoiceFilter& filter) = 0;
  virtual Result<std::vector<Event>> InvoiceEvents(const std::string& invoice_id) = 0;
  virtual Result<std::vector<Attempt>> InvoiceAttempts(const std::string& invoice_id) = 0;
  virtual Result<std::vector<Document>> InvoiceDocuments(const std::string& invoice_id) = 0;  // without content
  virtual Result<std::optional<Document>> GetDocument(const std::string& tenant_id, const std::string& invoice_id,
                                                      const std::string& kind) = 0;
  // The tenant's events with seq > after_seq, oldest first, at most `limit`.
  virtual Result<std::vector<Event>> EventsAfter(const std::string& tenant_id, int64_t after_seq, int limit) = 0;
  virtual Result<int64_t> LastEventSeq() = 0;

  // The outbox. Claim leases up to `max` due jobs to `owner` until now + lease (PostgreSQL:
  // FOR UPDATE SKIP LOCKED, so several processes never take the same job).
  virtual Result<std::vector<Job>> ClaimJobs(const std::string& owner, int64_t now_ms, int64_t lease_ms, int max) = 0;
  // Applies a step; kFailedPrecondition when `owner` no longer holds the job's lease.
  virtual Status Advance(const Step& step, int64_t now_ms) = 0;
  virtual Result<OutboxStats> Stats() = 0;

  // Webhooks: creating one subscribes it to every later event of its tenant.
  virtual Result<Webhook> AddWebhook(const std::string& tenant_id, const std::string& url, const std::string& secret,
                                     int64_t now_ms) = 0;
  virtual Result<std::vector<Webhook>> ListWebhooks(const std::string& tenant_id) = 0;
  virtual Result<bool> DeleteWebhook(const std::string& tenant_id, const std::string& id, int64_t now_ms) = 0;
  virtual Result<std::vector<WebhookDelivery>> ListDeliveries(const std::string& tenant_id,
                                                              const std::string& webhook_id, int limit) = 0;
  // Marks a delivery pending again (due now); false when the tenant has no such delivery.
  virtual Result<bool> ReplayDelivery(const std::string& tenant_id, const std::string& webhook_id,
                                      const std::string& delivery_id, int64_t now_ms) = 0;
  // Due pending deliveries, leased to `owner`, with their webhook and event.
  struct DueDelivery {
    WebhookDelivery delivery;
    Webhook webhook;
    Event event;
  };
  virtual Result<std::vector<DueDelivery>> ClaimDeliveries(const std::string& owner, int64_t now_ms,
                                                           int64_t lease_ms, int max) = 0;
  virtual Status RecordDelivery(const WebhookDelivery& delivery, const std::string& owner) = 0;


  // ---- the operator network (docs/operator-protocol.md) ----
  // The format a tenant's inbox converts to (original, json, ubl, cii).
  virtual Status SetInboxFormat(const std::string& tenant_id, const std::string& format) = 0;
  virtual Result<std::string> InboxFormat(const std::string& tenant_id) = 0;
  // Adds or changes a receiver (a new seq when anything changed); Remove makes a tombstone.
  virtual Status PutReceiver(const Receiver& receiver, int64_t now_ms) = 0;
  virtual Result<bool> RemoveReceiver(const std::string& identifier, int64_t now_ms) = 0;
  // Replaces the roaming receivers (channel roaming) by `receivers`: new and changed ones get a
  // seq, missing ones become tombstones.
  virtual Status SyncRoamingReceivers(const std::vector<Receiver>& receivers, int64_t now_ms) = 0;
  virtual Result<std::optional<Receiver>> FindReceiver(const std::string& identifier) = 0;
  // Receivers with seq > after_seq, by seq; tombstones only when with_removed.
  virtual Result<std::vector<Receiver>> ListReceivers(int64_t after_seq, int limit, bool with_removed,
                                                      const std::string& tenant_id = "") = 0;

  // Stores a delivered document (message, its documents, the tenant's event, the forward job or
  // a status to send) unless its message id is known: then the stored message (second = false).
  struct Arrival {
    InboundMessage message;
    std::vector<Document> documents;
    std::string event_status;               // "" = no event for the tenant
    bool forward = false;                   // queue the forward job
    std::vector<StatusMessage> statuses;    // to send back (e.g. a rejection)
  };
  virtual Result<std::pair<InboundMessage, bool>> Receive(const Arrival& arrival) = 0;
  virtual Result<std::optional<InboundMessage>> GetInbound(const std::string& tenant_id, const std::string& id) = 0;
  virtual Result<std::optional<InboundMessage>> InboundByMessage(const std::string& message_id) = 0;
  virtual Result<std::vector<InboundMessage>> ListInbound(const std::string& tenant_id, const std::string& state,
                                                          std::optional<std::pair<int64_t, std::string>> after,
                                                          int limit) = 0;
  virtual Result<std::optional<Document>> InboundDocument(const std::string& inbound_id, const std::string& kind) = 0;
  virtual Result<std::vector<Document>> InboundDocuments(const std::string& inbound_id) = 0;  // without content
  // Marks an available message acknowledged and queues `status` (delivered) back; false when it
  // was acknowledged before (nothing changes).
  virtual Result<bool> AckInbound(const std::string& tenant_id, const std::string& id, const StatusMessage& status,
                                  int64_t now_ms) = 0;
  // Queues an outgoing status unless (message, out, status) exists; returns the stored one and
  // whether it is new.
  virtual Result<std::pair<StatusMessage, bool>> QueueStatus(const StatusMessage& status, int64_t now_ms) = 0;
  virtual Result<std::vector<StatusMessage>> Statuses(const std::string& message_id, const std::string& direction) = 0;
  virtual Result<std::optional<StatusMessage>> GetStatus(const std::string& id) = 0;
  // Records a received status of our invoice `invoice_id` (an event; the invoice's status becomes
  // `invoice_status`, with the failure when given) unless (message, in, status) exists: false.
  virtual Result<bool> RecordInvoiceStatus(const StatusMessage& status, const std::string& invoice_status,
                                           const std::string& detail, const std::string& failure_code,
                                           int64_t now_ms) = 0;
  // An invoice by id in any tenant (message ids of our invoices are their ids).
  virtual Result<std::optional<Invoice>> FindInvoice(const std::string& id) = 0;
  // The KPIs of a period: the invoices created in [from_ms, to_ms) and the creation times of the
  // documents received for the tenant (kAllTenants: every tenant) in it.
  virtual Result<std::vector<KpiInvoice>> KpiInvoices(const std::string& tenant_id, int64_t from_ms,
                                                      int64_t to_ms) = 0;
  virtual Result<std::vector<int64_t>> ReceivedTimes(const std::string& tenant_id, int64_t from_ms,
                                                     int64_t to_ms) = 0;
  virtual Status AdvanceJob(const JobStep& step, int64_t now_ms) = 0;
  // ---- the recipient directory ----
  // Adds or refreshes a source's entries (seen and verified now); an entry whose terms differ is
  // changed (changed_ms = now), a tombstone comes back. In batches of any size, one transaction.
  virtual Result<DirectoryCounts> PutDirectory(const std::vector<DirectoryEntry>& entries, int64_t now_ms) = 0;
  // Tombstones the source's entries for these identifiers (a delta's removals).
  virtual Result<int64_t> RemoveDirectory(const std::string& source, const std::vector<std::string>& identifiers,
                                          int64_t now_ms) = 0;
  // After a full sync that started at `started_ms`: tombstones the source's live entries not seen
  // since then.
  virtual Result<int64_t> SweepDirectory(const std::string& source, int64_t started_ms, int64_t now_ms) = 0;
  // Every source's entry for an identifier (tombstones included), newest verification first.
  virtual Result<std::vector<DirectoryEntry>> LookupDirectory(const std::string& identifier) = 0;
  // The live identifiers of a party (any source).
  virtual Result<std::vector<std::string>> PartyIdentifiers(const std::string& party_key) = 0;
  // Live (identifier, source) entries, as counted when each source's last run was recorded.
  virtual Result<int64_t> DirectorySize() = 0;
  // Everything a recipient lookup reads, with one session: this gateway's own live receiver for
  // the identifier, every source's entry for it (as LookupDirectory), and the live identifiers of
  // the party of its first entry (as PartyIdentifiers).
  struct RecipientRecord {
    std::optional<Receiver> own;
    std::vector<DirectoryEntry> entries;
    std::vector<std::string> party_identifiers;
  };
  virtual Result<RecipientRecord> LookupRecipientRecord(const std::string& identifier) = 0;
  // What changed in the directory after `changed_ms` (entries with a later changed_ms, by any
  // process): for caches of answers. At most `limit` identifiers (`truncated` when there were
  // more); the highest changed_ms and the receivers' last seq (a change of this gateway's own
  // recipients). Indexed lookups only.
  struct DirectoryChanges {
    int64_t max_changed_ms = 0;
    int64_t receivers_seq = 0;
    std::vector<std::string> identifiers;
    bool truncated = false;
  };
  virtual Result<DirectoryChanges> DirectoryChangesSince(int64_t changed_ms, int limit) = 0;
  // Sources: claim one for a sync, when its lease is free (or ours) and it is due (next_run_ms <=
  // now) or `force`; returns its state as claimed (cursor, counters), or nullopt when another
  // process holds it or it is not due. RenewSource extends a held lease (kFailedPrecondition when
  // it was lost); RecordSourceRun records a run and frees the lease.
  virtual Result<std::optional<DirectorySource>> ClaimSource(const std::string& name, const std::string& owner,
                                                             int64_t now_ms, int64_t lease_ms, bool force) = 0;
  virtual Status RenewSource(const std::string& name, const std::string& owner, int64_t until_ms) = 0;
  virtual Status RecordSourceRun(const DirectorySource& run, const std::string& owner) = 0;
  virtual Result<std::vector<DirectorySource>> ListSources() = 0;
  // A source that answers per recipient said these are not registered: tombstones, made for
  // identifiers it never listed too, verified now. Returns how many were live before.
  virtual Result<int64_t> MarkNotRegistered(const std::string& source, const std::vector<std::string>& identifiers,
                                            int64_t now_ms) = 0;
  // Every identifier a source has an entry for (tombstones included).
  virtual Result<std::vector<std::string>> SourceIdentifiers(const std::string& source) = 0;
  // The distinct recipients (buyer electronic addresses) of invoices created since `since_ms`.
  virtual Result<std::vector<std::string>> RecentRecipients(int64_t since_ms) = 0;
  // Capability watch: first registers (tenant, recipient) of invoices created since
  // `invoices_since_ms`, then returns the watched pairs whose answer is not yet known or whose
  // recipient's directory entries changed since `changed_since_ms`.
  virtual Result<std::vector<RecipientWatch>> WatchCandidates(int64_t invoices_since_ms, int64_t changed_since_ms) = 0;
  // Records the pair's new answer; with `status` non-empty also appends the tenant's event
  // (invoice_id "rcp:<identifier>", status, detail) and its webhook deliveries, in one transaction.
  // Returns the event's seq (0 without one).
  virtual Result<int64_t> SetWatchAnswer(const RecipientWatch& watch, const std::string& answer,
                                         const std::string& status, const std::string& detail, int64_t now_ms) = 0;

  // A named cursor ("" when never set).
  virtual Result<std::string> GetCursor(const std::string& name) = 0;
  virtual Status SetCursor(const std::string& name, const std::string& value, int64_t now_ms) = 0;

  // Readiness: a trivial query.
  virtual Status Ping() = 0;

  // Blocks until this process has committed an event with seq > known_seq, or timeout_ms passes;
  // returns the highest seq it committed (pass it as known_seq next time). Events committed by
  // other processes are seen by polling EventsAfter.
  virtual int64_t WaitForEvents(int64_t known_seq, int timeout_ms) = 0;
  // Frees every outbox and webhook lease (start-up of the only process of an SQLite database).
  virtual Status ReleaseAllLeases() = 0;
};

struct StoreOptions {
  std::string driver;       // sqlite, postgresql
  std::string sqlite_path;
  std::string postgres_url;
  int pool = 8;
};

// Opens the store the options name. Does not migrate.
Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

// Random ids: prefix + 32 hex characters (128 bits from the OS's CSPRNG).
std::string NewId(const char* prefix);
std::string Sha256Hex(std::string_view data);

}  // namespace gw::gateway::storage
