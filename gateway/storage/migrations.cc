#include "gateway/storage/migrations.h"

namespace gw::gateway::storage {
namespace {

// Version 1: the whole first schema. Types are written once with two spellings: {ID} is the
// auto-increment key, {BLOB} the binary type. Times are milliseconds since the epoch (BIGINT).
constexpr const char* kV1[] = {
    "CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_ms BIGINT NOT NULL)",
    "CREATE TABLE api_keys (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id),"
    " key_sha256 TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL, created_ms BIGINT NOT NULL, revoked_ms BIGINT)",
    "CREATE TABLE invoices (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id),"
    " idempotency_key TEXT NOT NULL, request_sha256 TEXT NOT NULL, status TEXT NOT NULL,"
    " invoice_number TEXT NOT NULL, document_type TEXT NOT NULL, currency TEXT NOT NULL,"
    " payable_amount TEXT NOT NULL, seller_name TEXT NOT NULL, seller_endpoint TEXT NOT NULL,"
    " buyer_name TEXT NOT NULL, buyer_endpoint TEXT NOT NULL, source_format TEXT NOT NULL,"
    " route_json TEXT NOT NULL, failure_code TEXT NOT NULL, failure_reason TEXT NOT NULL,"
    " findings_json TEXT NOT NULL, accepted_json TEXT NOT NULL, created_ms BIGINT NOT NULL,"
    " updated_ms BIGINT NOT NULL, UNIQUE (tenant_id, idempotency_key))",
    "CREATE INDEX invoices_by_update ON invoices (tenant_id, updated_ms, id)",
    "CREATE INDEX invoices_by_status ON invoices (tenant_id, status, updated_ms, id)",
    // Archived documents: insert only (triggers below refuse UPDATE and DELETE).
    "CREATE TABLE documents (invoice_id TEXT NOT NULL REFERENCES invoices(id), kind TEXT NOT NULL,"
    " media_type TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL, content {BLOB} NOT NULL,"
    " created_ms BIGINT NOT NULL, PRIMARY KEY (invoice_id, kind))",
    "CREATE TABLE events (seq {ID}, tenant_id TEXT NOT NULL, invoice_id TEXT NOT NULL, status TEXT NOT NULL,"
    " detail TEXT NOT NULL, at_ms BIGINT NOT NULL)",
    "CREATE INDEX events_by_tenant ON events (tenant_id, seq)",
    "CREATE INDEX events_by_invoice ON events (invoice_id, seq)",
    "CREATE TABLE attempts (invoice_id TEXT NOT NULL, number INTEGER NOT NULL, started_ms BIGINT NOT NULL,"
    " finished_ms BIGINT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL, worker TEXT NOT NULL,"
    " PRIMARY KEY (invoice_id, number))",
    // The outbox: one row per invoice that has a next step; removed when the invoice is final.
    "CREATE TABLE outbox (invoice_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, stage TEXT NOT NULL,"
    " attempts INTEGER NOT NULL, next_ms BIGINT NOT NULL, lease_owner TEXT NOT NULL, lease_until_ms BIGINT NOT NULL,"
    " created_ms BIGINT NOT NULL)",
    "CREATE INDEX outbox_due ON outbox (next_ms)",
    "CREATE TABLE webhooks (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), url TEXT NOT NULL,"
    " secret TEXT NOT NULL, created_ms BIGINT NOT NULL, deleted_ms BIGINT)",
    "CREATE INDEX webhooks_by_tenant ON webhooks (tenant_id)",
    "CREATE TABLE webhook_deliveries (id {ID}, webhook_id TEXT NOT NULL REFERENCES webhooks(id),"
    " tenant_id TEXT NOT NULL, event_seq BIGINT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,"
    " last_status INTEGER NOT NULL, last_error TEXT NOT NULL, next_ms BIGINT NOT NULL, delivered_ms BIGINT,"
    " lease_owner TEXT NOT NULL, lease_until_ms BIGINT NOT NULL, created_ms BIGINT NOT NULL)",
    "CREATE INDEX deliveries_due ON webhook_deliveries (state, next_ms)",
    "CREATE INDEX deliveries_by_webhook ON webhook_deliveries (webhook_id, id)",
};

constexpr const char* kSqliteV1Triggers[] = {
    "CREATE TRIGGER documents_never_change BEFORE UPDATE ON documents"
    " BEGIN SELECT RAISE(ABORT, 'archived documents are never changed'); END",
    "CREATE TRIGGER documents_never_deleted BEFORE DELETE ON documents"
    " BEGIN SELECT RAISE(ABORT, 'archived documents are never deleted'); END",
};

constexpr const char* kPostgresV1Triggers[] = {
    "CREATE FUNCTION eigw_documents_immutable() RETURNS trigger LANGUAGE plpgsql AS"
    " $$ BEGIN RAISE EXCEPTION 'archived documents are never changed or deleted'; END $$",
    "CREATE TRIGGER documents_immutable BEFORE UPDATE OR DELETE ON documents"
    " FOR EACH ROW EXECUTE FUNCTION eigw_documents_immutable()",
};


// Version 2: the operator network: tenants' inbox format, receivers (numbered changes), inbound
// messages with their archived documents, business statuses.
constexpr const char* kV2[] = {
    "ALTER TABLE tenants ADD COLUMN inbox_format TEXT NOT NULL DEFAULT 'original'",
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
    "INSERT INTO counters (name, value) VALUES ('receivers', 0)",
    "CREATE TABLE receivers (identifier TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL,"
    " channel TEXT NOT NULL, operator_id TEXT NOT NULL, path TEXT NOT NULL, formats TEXT NOT NULL,"
    " document_types TEXT NOT NULL, seq BIGINT NOT NULL, removed_ms BIGINT, updated_ms BIGINT NOT NULL)",
    "CREATE INDEX receivers_by_seq ON receivers (seq)",
    "CREATE TABLE inbound (id TEXT PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, from_operator TEXT NOT NULL,"
    " tenant_id TEXT NOT NULL, sender TEXT NOT NULL, recipient TEXT NOT NULL, document_type TEXT NOT NULL,"
    " format TEXT NOT NULL, path TEXT NOT NULL, document_sha256 TEXT NOT NULL, state TEXT NOT NULL,"
    " disposition TEXT NOT NULL, invoice_number TEXT NOT NULL, currency TEXT NOT NULL,"
    " payable_amount TEXT NOT NULL, seller_name TEXT NOT NULL, findings_json TEXT NOT NULL,"
    " answer_json TEXT NOT NULL, forward_operator TEXT NOT NULL, failure_reason TEXT NOT NULL,"
    " created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, acked_ms BIGINT)",
    "CREATE INDEX inbound_by_tenant ON inbound (tenant_id, created_ms, id)",
    "CREATE TABLE inbound_documents (inbound_id TEXT NOT NULL REFERENCES inbound(id), kind TEXT NOT NULL,"
    " media_type TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL, content {BLOB} NOT NULL,"
    " created_ms BIGINT NOT NULL, PRIMARY KEY (inbound_id, kind))",
    "CREATE TABLE statuses (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, direction TEXT NOT NULL,"
    " status TEXT NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL, by_party TEXT NOT NULL,"
    " operator_id TEXT NOT NULL, path TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,"
    " last_error TEXT NOT NULL, at_ms BIGINT NOT NULL, UNIQUE (message_id, direction, status))",
    // Where a poller left off at an operator that keeps documents for collection.
    "CREATE TABLE cursors (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_ms BIGINT NOT NULL)",
};

// Version 3: the recipient-capability directory (each source's view of each identifier, kept as a
// tombstone when the source drops it) and the sync state of each source.
constexpr const char* kV3[] = {
    "CREATE TABLE directory (identifier TEXT NOT NULL, source TEXT NOT NULL, party_key TEXT NOT NULL,"
    " name TEXT NOT NULL, country TEXT NOT NULL, operator_id TEXT NOT NULL, channel TEXT NOT NULL,"
    " document_types TEXT NOT NULL, formats TEXT NOT NULL, path TEXT NOT NULL, first_seen_ms BIGINT NOT NULL,"
    " last_seen_ms BIGINT NOT NULL, last_verified_ms BIGINT NOT NULL, removed_ms BIGINT,"
    " changed_ms BIGINT NOT NULL, PRIMARY KEY (identifier, source))",
    "CREATE INDEX directory_by_party ON directory (party_key)",
    "CREATE INDEX directory_by_source ON directory (source, last_seen_ms)",
    "CREATE TABLE directory_sources (name TEXT PRIMARY KEY, lease_owner TEXT NOT NULL, lease_until_ms BIGINT NOT NULL,"
    " cursor TEXT NOT NULL, last_started_ms BIGINT NOT NULL, last_finished_ms BIGINT NOT NULL,"
    " last_success_ms BIGINT NOT NULL, duration_ms BIGINT NOT NULL, added BIGINT NOT NULL, changed BIGINT NOT NULL,"
    " removed BIGINT NOT NULL, errors BIGINT NOT NULL, last_error TEXT NOT NULL, failures INTEGER NOT NULL,"
    " next_run_ms BIGINT NOT NULL)",
};

constexpr const char* kV4[] = {
    // Lookups of what changed since the last capability watch, and of who invoiced a recipient.
    "CREATE INDEX directory_by_change ON directory (changed_ms)",
    "CREATE INDEX invoices_by_created ON invoices (created_ms)",
    "CREATE TABLE recipient_watch (tenant_id TEXT NOT NULL, identifier TEXT NOT NULL, answer TEXT NOT NULL,"
    " notified_ms BIGINT NOT NULL, PRIMARY KEY (tenant_id, identifier))",
    "CREATE INDEX recipient_watch_by_identifier ON recipient_watch (identifier)",
    // Live entries per source, kept by the directory's writes and counted again by a full run (a
    // COUNT of 1M rows is too slow for every status call and metrics scrape).
    "ALTER TABLE directory_sources ADD COLUMN entries BIGINT NOT NULL DEFAULT 0",
};

// Version 5: the web pages' users (role admin, finance or customer; a password hash of a
// memory-hard function) and their sign-in sessions (kept as SHA-256 of the cookie's token).
constexpr const char* kV5[] = {
    "CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,"
    " role TEXT NOT NULL, tenant_id TEXT NOT NULL, buyer TEXT NOT NULL, created_ms BIGINT NOT NULL,"
    " failed_logins INTEGER NOT NULL, locked_until_ms BIGINT NOT NULL)",
    "CREATE TABLE ui_sessions (token_sha256 TEXT PRIMARY KEY, user_id TEXT NOT NULL, csrf TEXT NOT NULL,"
    " created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL)",
    "CREATE INDEX ui_sessions_by_user ON ui_sessions (user_id)",
    // The payment due date (BT-9) of an invoice, for the overdue figures of the KPIs.
    "ALTER TABLE invoices ADD COLUMN due_date TEXT NOT NULL DEFAULT ''",
};

constexpr const char* kSqliteV2Triggers[] = {
    "CREATE TRIGGER inbound_documents_never_change BEFORE UPDATE ON inbound_documents"
    " BEGIN SELECT RAISE(ABORT, 'archived documents are never changed'); END",
    "CREATE TRIGGER inbound_documents_never_deleted BEFORE DELETE ON inbound_documents"
    " BEGIN SELECT RAISE(ABORT, 'archived documents are never deleted'); END",
};

constexpr const char* kPostgresV2Triggers[] = {
    "CREATE TRIGGER inbound_documents_immutable BEFORE UPDATE OR DELETE ON inbound_documents"
    " FOR EACH ROW EXECUTE FUNCTION eigw_documents_immutable()",
};

std::string Spell(std::string sql, Dialect dialect) {
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t p = sql.find(from); p != std::string::npos; p = sql.find(from, p + to.size()))
      sql.replace(p, from.size(), to);
  };
  replace("{ID}", dialect == Dialect::kPostgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT");
  replace("{BLOB}", dialect == Dialect::kPostgres ? "BYTEA" : "BLOB");
  return sql;
}

}  // namespace

std::vector<Migration> Migrations(Dialect dialect) {
  std::vector<Migration> out;
  Migration v1{1, "tenants, keys, invoices, documents, events, attempts, outbox, webhooks", {}};
  for (const char* sql : kV1) v1.statements.push_back(Spell(sql, dialect));
  if (dialect == Dialect::kPostgres) {
    for (const char* sql : kPostgresV1Triggers) v1.statements.push_back(sql);
  } else {
    for (const char* sql : kSqliteV1Triggers) v1.statements.push_back(sql);
  }
  out.push_back(std::move(v1));
  Migration v2{2, "operator network: inbox format, receivers, inbound messages, statuses, fetch cursors", {}};
  for (const char* sql : kV2) v2.statements.push_back(Spell(sql, dialect));
  if (dialect == Dialect::kPostgres) {
    for (const char* sql : kPostgresV2Triggers) v2.statements.push_back(sql);
  } else {
    for (const char* sql : kSqliteV2Triggers) v2.statements.push_back(sql);
  }
  out.push_back(std::move(v2));
  Migration v3{3, "recipient directory and its sources", {}};
  for (const char* sql : kV3) v3.statements.push_back(Spell(sql, dialect));
  out.push_back(std::move(v3));
  Migration v4{4, "directory: change index, capability watch of invoiced recipients", {}};
  for (const char* sql : kV4) v4.statements.push_back(Spell(sql, dialect));
  out.push_back(std::move(v4));
  Migration v5{5, "web pages: users and sign-in sessions", {}};
  for (const char* sql : kV5) v5.statements.push_back(Spell(sql, dialect));
  out.push_back(std::move(v5));
  return out;
}

}  // namespace gw::gateway::storage
