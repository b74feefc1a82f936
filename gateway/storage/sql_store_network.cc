// SqlStore: the operator network's tables (migration 2): receivers, inbound messages and their
// documents, business statuses, and the outbox jobs that forward messages and send statuses.
#include <set>

#include <Poco/Data/LOB.h>
#include <Poco/Nullable.h>

#include "gateway/storage/sql_rows.h"
#include "gateway/storage/sql_store.h"

namespace gw::gateway::storage {

using namespace Poco::Data::Keywords;
using Poco::Data::Session;
using Poco::Data::Statement;

namespace {

constexpr const char* kReceiverColumns =
    "identifier, tenant_id, name, channel, operator_id, path, formats, document_types, seq, removed_ms, updated_ms";

template <class RowSet>  // Rows or CellRows
Receiver ReceiverAt(const RowSet& rows, size_t r) {
  return Receiver{rows.Text(r, 0), rows.Text(r, 1), rows.Text(r, 2), rows.Text(r, 3), rows.Text(r, 4),
                  rows.Text(r, 5), rows.Text(r, 6), rows.Text(r, 7), rows.Int(r, 8),  rows.OptInt(r, 9),
                  rows.Int(r, 10)};
}

constexpr const char* kInboundColumns =
    "id, message_id, from_operator, tenant_id, sender, recipient, document_type, format, path, document_sha256,"
    " state, disposition, invoice_number, currency, payable_amount, seller_name, findings_json, answer_json,"
    " forward_operator, failure_reason, created_ms, updated_ms, acked_ms";

InboundMessage InboundAt(const Rows& rows, size_t r) {
  InboundMessage m;
  m.id = rows.Text(r, 0);
  m.message_id = rows.Text(r, 1);
  m.from_operator = rows.Text(r, 2);
  m.tenant_id = rows.Text(r, 3);
  m.sender = rows.Text(r, 4);
  m.recipient = rows.Text(r, 5);
  m.document_type = rows.Text(r, 6);
  m.format = rows.Text(r, 7);
  m.path_json = rows.Text(r, 8);
  m.document_sha256 = rows.Text(r, 9);
  m.state = rows.Text(r, 10);
  m.disposition = rows.Text(r, 11);
  m.invoice_number = rows.Text(r, 12);
  m.currency = rows.Text(r, 13);
  m.payable_amount = rows.Text(r, 14);
  m.seller_name = rows.Text(r, 15);
  m.findings_json = rows.Text(r, 16);
  m.answer_json = rows.Text(r, 17);
  m.forward_operator = rows.Text(r, 18);
  m.failure_reason = rows.Text(r, 19);
  m.created_ms = rows.Int(r, 20);
  m.updated_ms = rows.Int(r, 21);
  m.acked_ms = rows.OptInt(r, 22);
  return m;
}

constexpr const char* kStatusColumns =
    "id, message_id, direction, status, code, reason, by_party, operator_id, path, state, attempts, last_error, at_ms";

StatusMessage StatusAt(const Rows& rows, size_t r) {
  StatusMessage m;
  m.id = rows.Text(r, 0);
  m.message_id = rows.Text(r, 1);
  m.direction = rows.Text(r, 2);
  m.status = rows.Text(r, 3);
  m.code = rows.Text(r, 4);
  m.reason = rows.Text(r, 5);
  m.by = rows.Text(r, 6);
  m.operator_id = rows.Text(r, 7);
  m.path_json = rows.Text(r, 8);
  m.state = rows.Text(r, 9);
  m.attempts = static_cast<int>(rows.Int(r, 10));
  m.last_error = rows.Text(r, 11);
  m.at_ms = rows.Int(r, 12);
  return m;
}

}  // namespace

// ---- tenants' inbox format ----

Status SqlStore::SetInboxFormat(const std::string& tenant_id, const std::string& format) {
  return Write([&](Session& s) {
    Statement q(s);
    q << Sql("UPDATE tenants SET inbox_format = ? WHERE id = ?"), useRef(format), useRef(tenant_id);
    if (q.execute() == 0) throw StoreFailure{Error::NotFound("no tenant '" + tenant_id + "'")};
  });
}

Result<std::string> SqlStore::InboxFormat(const std::string& tenant_id) {
  std::string format = "original";
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << Sql("SELECT inbox_format FROM tenants WHERE id = ?"), useRef(tenant_id), now;
    Rows rows(q);
    if (rows.size()) format = rows.Text(0, 0);
  });
  if (!st) return st.error();
  return format;
}

// ---- receivers ----

int64_t SqlStore::NextCounter(Session& s, const std::string& name) {
  int64_t value = 0;
  s << Sql("UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value"), useRef(name), into(value), now;
  return value;
}

void SqlStore::UpsertReceiver(Session& s, const Receiver& r, int64_t now_ms) {
  Statement q(s);
  q << Sql(std::string("SELECT ") + kReceiverColumns + " FROM receivers WHERE identifier = ?"), useRef(r.identifier),
      now;
  Rows rows(q);
  if (rows.size()) {
    Receiver old = ReceiverAt(rows, 0);
    if (!old.removed_ms && old.tenant_id == r.tenant_id && old.name == r.name && old.channel == r.channel &&
        old.operator_id == r.operator_id && old.path_json == r.path_json && old.formats == r.formats &&
        old.document_types == r.document_types)
      return;  // unchanged: no new seq, partners' deltas stay empty
    int64_t seq = NextCounter(s, "receivers");
    s << Sql("UPDATE receivers SET tenant_id = ?, name = ?, channel = ?, operator_id = ?, path = ?, formats = ?,"
             " document_types = ?, seq = ?, removed_ms = NULL, updated_ms = ? WHERE identifier = ?"),
        useRef(r.tenant_id), useRef(r.name), useRef(r.channel), useRef(r.operator_id), useRef(r.path_json),
        useRef(r.formats), useRef(r.document_types), useRef(seq), useRef(now_ms), useRef(r.identifier), now;
    return;
  }
  int64_t seq = NextCounter(s, "receivers");
  s << Sql("INSERT INTO receivers (identifier, tenant_id, name, channel, operator_id, path, formats, document_types,"
           " seq, removed_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)"),
      useRef(r.identifier), useRef(r.tenant_id), useRef(r.name), useRef(r.channel), useRef(r.operator_id),
      useRef(r.path_json), useRef(r.formats), useRef(r.document_types), useRef(seq), useRef(now_ms), now;
}

Status SqlStore::PutReceiver(const Receiver& receiver, int64_t now_ms) {
  return Write([&](Session& s) { UpsertReceiver(s, receiver, now_ms); });
}

Result<bool> SqlStore::RemoveReceiver(const std::string& identifier, int64_t now_ms) {
  bool removed = false;
  Status st = Write([&](Session& s) {
    int live = 0;
    s << Sql("SELECT COUNT(*) FROM receivers WHERE identifier = ? AND removed_ms IS NULL"), useRef(identifier),
        into(live), now;
    if (!live) return;
    int64_t seq = NextCounter(s, "receivers");
    s << Sql("UPDATE receivers SET removed_ms = ?, updated_ms = ?, seq = ? WHERE identifier = ?"), useRef(now_ms),
        useRef(now_ms), useRef(seq), useRef(identifier), now;
    removed = true;
  });
  if (!st) return st.error();
  return removed;
}

Status SqlStore::SyncRoamingReceivers(const std::vector<Receiver>& receivers, int64_t now_ms) {
  return Write([&](Session& s) {
    std::set<std::string> keep;
    for (const Receiver& r : receivers) {
      keep.insert(r.identifier);
      // A tenant's own identifier wins over a roaming route to the same identifier.
      int direct = 0;
      s << Sql("SELECT COUNT(*) FROM receivers WHERE identifier = ? AND channel = 'direct' AND removed_ms IS NULL"),
          useRef(r.identifier), into(direct), now;
      if (!direct) UpsertReceiver(s, r, now_ms);
    }
    Statement q(s);
    q << "SELECT identifier FROM receivers WHERE channel = 'roaming' AND removed_ms IS NULL", now;
    Rows rows(q);
    for (size_t i = 0; i < rows.size(); ++i) {
      std::string id = rows.Text(i, 0);
      if (keep.count(id)) continue;
      int64_t seq = NextCounter(s, "receivers");
      s << Sql("UPDATE receivers SET removed_ms = ?, updated_ms = ?, seq = ? WHERE identifier = ?"), useRef(now_ms),
          useRef(now_ms), useRef(seq), useRef(id), now;
    }
  });
}

std::optional<Receiver> SqlStore::FindReceiverIn(Session& s, const std::string& identifier) {
  Statement q(s);
  q << Sql(std::string("SELECT ") + kReceiverColumns + " FROM receivers WHERE identifier = ? AND removed_ms IS NULL"),
      useRef(identifier), now;
  Rows rows(q);
  if (rows.size()) return ReceiverAt(rows, 0);
  return std::nullopt;
}

std::optional<Receiver> SqlStore::FindReceiverIn(SqliteReads::Connection& c, const std::string& identifier) {
  static const std::string sql =
      std::string("SELECT ") + kReceiverColumns + " FROM receivers WHERE identifier = ? AND removed_ms IS NULL";
  CellRows rows = c.Query(sql.c_str(), {identifier});
  if (rows.size()) return ReceiverAt(rows, 0);
  return std::nullopt;
}

Result<std::optional<Receiver>> SqlStore::FindReceiver(const std::string& identifier) {
  std::optional<Receiver> out;
  Status st = Read([&](Session& s) { out = FindReceiverIn(s, identifier); });
  if (!st) return st.error();
  return out;
}

Result<std::vector<Receiver>> SqlStore::ListReceivers(int64_t after_seq, int limit, bool with_removed,
                                                      const std::string& tenant_id) {
  std::vector<Receiver> out;
  Status st = Read([&](Session& s) {
    std::string sql = std::string("SELECT ") + kReceiverColumns + " FROM receivers WHERE seq > ?";
    if (!with_removed) sql += " AND removed_ms IS NULL";
    if (!tenant_id.empty()) sql += " AND tenant_id = ?";
    sql += " ORDER BY seq LIMIT ?";
    Statement q(s);
    q << Sql(sql), useRef(after_seq);
    if (!tenant_id.empty()) q, useRef(tenant_id);
    q, useRef(limit), now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size(); ++r) out.push_back(ReceiverAt(rows, r));
  });
  if (!st) return st.error();
  return out;
}

// ---- inbound messages ----

std::pair<StatusMessage, bool> SqlStore::InsertStatus(Session& s, const StatusMessage& in, int64_t now_ms) {
  Statement q(s);
  q << Sql(std::string("SELECT ") + kStatusColumns + " FROM statuses WHERE message_id = ? AND direction = ? AND status = ?"),
      useRef(in.message_id), useRef(in.direction), useRef(in.status), now;
  Rows rows(q);
  if (rows.size()) return {StatusAt(rows, 0), false};
  StatusMessage m = in;
  if (m.id.empty()) m.id = NewId("sts_");
  if (m.at_ms == 0) m.at_ms = now_ms;
  if (m.state.empty()) m.state = m.direction == "out" ? "pending" : "recorded";
  s << Sql(std::string("INSERT INTO statuses (") + kStatusColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      useRef(m.id), useRef(m.message_id), useRef(m.direction), useRef(m.status), useRef(m.code), useRef(m.reason),
      useRef(m.by), useRef(m.operator_id), useRef(m.path_json), useRef(m.state), useRef(m.attempts),
      useRef(m.last_error), useRef(m.at_ms), now;
  if (m.direction == "out") {
    std::string stage = "status", empty;
    int zero = 0;
    s << Sql("INSERT INTO outbox (invoice_id, tenant_id, stage, attempts, next_ms, lease_owner, lease_until_ms,"
             " created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
        useRef(m.id), useRef(empty), useRef(stage), useRef(zero), useRef(now_ms), useRef(empty), useRef(zero),
        useRef(now_ms), now;
  }
  return {m, true};
}

Result<std::pair<InboundMessage, bool>> SqlStore::Receive(const Arrival& a) {
  std::pair<InboundMessage, bool> out;
  Status st = Write([&](Session& s) {
    Statement q(s);
    q << Sql(std::string("SELECT ") + kInboundColumns + " FROM inbound WHERE message_id = ?"),
        useRef(a.message.message_id), now;
    Rows rows(q);
    if (rows.size()) {
      out = {InboundAt(rows, 0), false};
      return;
    }
    const InboundMessage& m = a.message;
    s << Sql(std::string("INSERT INTO inbound (") + kInboundColumns +
             ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"),
        useRef(m.id), useRef(m.message_id), useRef(m.from_operator), useRef(m.tenant_id), useRef(m.sender),
        useRef(m.recipient), useRef(m.document_type), useRef(m.format), useRef(m.path_json),
        useRef(m.document_sha256), useRef(m.state), useRef(m.disposition), useRef(m.invoice_number),
        useRef(m.currency), useRef(m.payable_amount), useRef(m.seller_name), useRef(m.findings_json),
        useRef(m.answer_json), useRef(m.forward_operator), useRef(m.failure_reason), useRef(m.created_ms),
        useRef(m.updated_ms), now;
    for (const Document& d : a.documents) InsertDocument(s, m.id, d, "inbound_documents", "inbound_id");
    if (!a.event_status.empty() && !m.tenant_id.empty())
      InsertEvent(s, m.tenant_id, m.id, a.event_status, "from " + m.from_operator, m.created_ms);
    if (a.forward) {
      std::string stage = "forward", empty;
      int zero = 0;
      s << Sql("INSERT INTO outbox (invoice_id, tenant_id, stage, attempts, next_ms, lease_owner, lease_until_ms,"
               " created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
          useRef(m.id), useRef(empty), useRef(stage), useRef(zero), useRef(m.created_ms), useRef(empty),
          useRef(zero), useRef(m.created_ms), now;
    }
    for (const StatusMessage& sm : a.statuses) InsertStatus(s, sm, m.created_ms);
    out = {m, true};
  });
  if (!st) return st.error();
  return out;
}

Result<std::optional<InboundMessage>> SqlStore::GetInbound(const std::string& tenant_id, const std::string& id) {
  std::optional<InboundMessage> out;
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << Sql(std::string("SELECT ") + kInboundColumns + " FROM inbound WHERE id = ? AND tenant_id = ?"), useRef(id),
        useRef(tenant_id), now;
    Rows rows(q);
    if (rows.size()) out = InboundAt(rows, 0);
  });
  if (!st) return st.error();
  return out;
}

Result<std::optional<InboundMessage>> SqlStore::InboundByMessage(const std::string& message_id) {
  std::optional<InboundMessage> out;
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << Sql(std::string("SELECT ") + kInboundColumns + " FROM inbound WHERE message_id = ? OR id = ?"),
        useRef(message_id), useRef(message_id), now;
    Rows rows(q);
    if (rows.size()) out = InboundAt(rows, 0);
  });
  if (!st) return st.error();
  return out;
}

Result<std::vector<InboundMessage>> SqlStore::ListInbound(const std::string& tenant_id, const std::string& state,
                                                          std::optional<std::pair<int64_t, std::string>> after,
                                                          int limit) {
  std::vector<InboundMessage> out;
  Status st = Read([&](Session& s) {
    std::string sql = std::string("SELECT ") + kInboundColumns + " FROM inbound WHERE tenant_id = ?";
    int64_t after_ms = after ? after->first : 0;
    std::string after_id = after ? after->second : "";
    if (!state.empty()) sql += " AND state = ?";
    if (after) sql += " AND (created_ms > ? OR (created_ms = ? AND id > ?))";
    sql += " ORDER BY created_ms, id LIMIT ?";
    Statement q(s);
    q << Sql(sql), useRef(tenant_id);
    if (!state.empty()) q, useRef(state);
    if (after) q, useRef(after_ms), useRef(after_ms), useRef(after_id);
    q, useRef(limit), now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size(); ++r) out.push_back(InboundAt(rows, r));
  });
  if (!st) return st.error();
  return out;
}

Result<std::optional<Document>> SqlStore::InboundDocument(const std::string& inbound_id, const std::string& kind) {
  std::optional<Document> out;
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << Sql("SELECT kind, media_type, sha256, size, created_ms, content FROM inbound_documents"
             " WHERE inbound_id = ? AND kind = ?"),
        useRef(inbound_id), useRef(kind), now;
    Rows rows(q);
    if (rows.size())
      out = Document{rows.Text(0, 0), rows.Text(0, 1), rows.Text(0, 2), rows.Int(0, 3), rows.Int(0, 4), rows.Blob(0, 5)};
  });
  if (!st) return st.error();
  return out;
}

Result<std::vector<Document>> SqlStore::InboundDocuments(const std::string& inbound_id) {
  std::vector<Document> out;
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << Sql("SELECT kind, media_type, sha256, size, created_ms FROM inbound_documents WHERE inbound_id = ?"
             " ORDER BY created_ms, kind"),
        useRef(inbound_id), now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size(); ++r)
      out.push_back({rows.Text(r, 0), rows.Text(r, 1), rows.Text(r, 2), rows.Int(r, 3), rows.Int(r, 4), {}});
  });
  if (!st) return st.error();
  return out;
}

Result<bool> SqlStore::AckInbound(const std::string& tenant_id, const std::string& id, const StatusMessage& status,
                                  int64_t now_ms) {
  bool changed = false;
  Status st = Write([&](Session& s) {
    Statement q(s);
    q << Sql("UPDATE inbound SET state = 'acknowledged', acked_ms = ?, updated_ms = ?"
             " WHERE id = ? AND tenant_id = ? AND state = 'available'"),
        useRef(now_ms), useRef(now_ms), useRef(id), useRef(tenant_id);
    if (q.execute() == 0) return;
    changed = true;
    InsertEvent(s, tenant_id, id, "acknowledged", "", now_ms);
    InsertStatus(s, status, now_ms);
  });
  if (!st) return st.error();
  return changed;
}

Result<std::pair<StatusMessage, bool>> SqlStore::QueueStatus(const StatusMessage& status, int64_t now_ms) {
  std::pair<StatusMessage, bool> out;
  Status st = Write([&](Session& s) { out = InsertStatus(s, status, now_ms); });
  if (!st) return st.error();
  return out;
}

Result<std::vector<StatusMessage>> SqlStore::Statuses(const std::string& message_id, const std::string& direction) {
  std::vector<StatusMessage> out;
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << Sql(std::string("SELECT ") + kStatusColumns +
             " FROM statuses WHERE message_id = ? AND direction = ? ORDER BY at_ms, id"),
        useRef(message_id), useRef(direction), now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size(); ++r) out.push_back(StatusAt(rows, r));
  });
  if (!st) return st.error();
  return out;
}

Result<std::optional<StatusMessage>> SqlStore::GetStatus(const std::string& id) {
  std::optional<StatusMessage> out;
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << Sql(std::string("SELECT ") + kStatusColumns + " FROM statuses WHERE id = ?"), useRef(id), now;
    Rows rows(q);
    if (rows.size()) out = StatusAt(rows, 0);
  });
  if (!st) return st.error();
  return out;
}

Result<bool> SqlStore::RecordInvoiceStatus(const StatusMessage& status, const std::string& invoice_status,
                                           const std::string& detail, const std::string& failure_code,
                                           int64_t now_ms) {
  bool applied = false;
  Status st = Write([&](Session& s) {
    auto [stored, fresh] = InsertStatus(s, status, now_ms);
    if (!fresh) return;
    std::string tenant_id;
    Statement q(s);
    q << Sql("SELECT tenant_id FROM invoices WHERE id = ?"), useRef(status.message_id), now;
    Rows rows(q);
    if (!rows.size()) throw StoreFailure{Error::NotFound("no invoice " + status.message_id)};
    tenant_id = rows.Text(0, 0);
    InsertEvent(s, tenant_id, status.message_id, invoice_status, detail, now_ms);
    if (failure_code.empty()) {
      s << Sql("UPDATE invoices SET status = ?, updated_ms = ? WHERE id = ?"), useRef(invoice_status), useRef(now_ms),
          useRef(status.message_id), now;
    } else {
      std::string reason = detail;
      s << Sql("UPDATE invoices SET status = ?, updated_ms = ?, failure_code = ?, failure_reason = ? WHERE id = ?"),
          useRef(invoice_status), useRef(now_ms), useRef(failure_code), useRef(reason), useRef(status.message_id), now;
    }
    applied = true;
  });
  if (!st) return st.error();
  return applied;
}

Status SqlStore::AdvanceJob(const JobStep& step, int64_t now_ms) {
  return Write([&](Session& s) {
    Statement job(s);
    if (step.next_stage) {
      job << Sql("UPDATE outbox SET stage = ?, attempts = ?, next_ms = ?, lease_owner = '', lease_until_ms = 0"
                 " WHERE invoice_id = ? AND lease_owner = ?"),
          useRef(*step.next_stage), useRef(step.job_attempts), useRef(step.next_ms), useRef(step.job_id),
          useRef(step.lease_owner);
    } else {
      job << Sql("DELETE FROM outbox WHERE invoice_id = ? AND lease_owner = ?"), useRef(step.job_id),
          useRef(step.lease_owner);
    }
    if (job.execute() == 0)
      throw StoreFailure{Error::FailedPrecondition("the outbox lease of " + step.job_id + " was lost")};
    if (step.inbound_state || step.forward_operator || step.failure_reason) {
      Poco::Nullable<std::string> state, fwd, reason;
      if (step.inbound_state) state = *step.inbound_state;
      if (step.forward_operator) fwd = *step.forward_operator;
      if (step.failure_reason) reason = *step.failure_reason;
      s << Sql("UPDATE inbound SET state = COALESCE(?, state), forward_operator = COALESCE(?, forward_operator),"
               " failure_reason = COALESCE(?, failure_reason), updated_ms = ? WHERE id = ?"),
          bind(state), bind(fwd), bind(reason), useRef(now_ms), useRef(step.job_id), now;
    }
    if (step.status_state) {
      std::string error = step.status_error.value_or("");
      s << Sql("UPDATE statuses SET state = ?, attempts = ?, last_error = ? WHERE id = ?"), useRef(*step.status_state),
          useRef(step.status_attempts), useRef(error), useRef(step.job_id), now;
    }
    for (const StatusMessage& m : step.new_statuses) InsertStatus(s, m, now_ms);
  });
}

Result<std::string> SqlStore::GetCursor(const std::string& name) {
  std::string value;
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << Sql("SELECT value FROM cursors WHERE name = ?"), useRef(name), now;
    Rows rows(q);
    if (rows.size()) value = rows.Text(0, 0);
  });
  if (!st) return st.error();
  return value;
}

Status SqlStore::SetCursor(const std::string& name, const std::string& value, int64_t now_ms) {
  return Write([&](Session& s) {
    s << Sql("INSERT INTO cursors (name, value, updated_ms) VALUES (?, ?, ?)"
             " ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms"),
        useRef(name), useRef(value), useRef(now_ms), now;
  });
}

}  // namespace gw::gateway::storage
