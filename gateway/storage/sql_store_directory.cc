// SqlStore: the recipient directory (migration 3). Entries are written in batches through a
// staging table: one bulk insert of the batch (one prepared statement for all rows), the counts
// of new and changed entries by one join each, then one INSERT ... SELECT ... ON CONFLICT that
// adds, refreshes and revives them. Tombstones are never deleted.
#include <algorithm>
#include <vector>

#include "gateway/common/strings.h"
#include "gateway/storage/sql_rows.h"
#include "gateway/storage/sql_store.h"

namespace gw::gateway::storage {

using namespace Poco::Data::Keywords;
using Poco::Data::Session;
using Poco::Data::Statement;

namespace {

constexpr const char* kColumns =
    "identifier, source, party_key, name, country, operator_id, channel, document_types, formats, path,"
    " first_seen_ms, last_seen_ms, last_verified_ms, removed_ms, changed_ms";

template <class RowSet>  // Rows or CellRows
DirectoryEntry EntryAt(const RowSet& rows, size_t r) {
  DirectoryEntry e;
  e.identifier = rows.Text(r, 0);
  e.source = rows.Text(r, 1);
  e.party_key = rows.Text(r, 2);
  e.name = rows.Text(r, 3);
  e.country = rows.Text(r, 4);
  e.operator_id = rows.Text(r, 5);
  e.channel = rows.Text(r, 6);
  e.document_types = rows.Text(r, 7);
  e.formats = rows.Text(r, 8);
  e.path_json = rows.Text(r, 9);
  e.first_seen_ms = rows.Int(r, 10);
  e.last_seen_ms = rows.Int(r, 11);
  e.last_verified_ms = rows.Int(r, 12);
  e.removed_ms = rows.OptInt(r, 13);
  e.changed_ms = rows.Int(r, 14);
  if (rows.columns() > 15) e.confirmed_ms = rows.Int(r, 15);
  return e;
}

// Identifiers are case-insensitive (a participant id's value is): the directory keeps and looks
// them up in ASCII lower case.
std::string Key(std::string_view id) { return AsciiLower(std::string(id)); }

std::vector<std::string> Keys(const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const auto& id : ids) out.push_back(Key(id));
  return out;
}

// The terms whose difference makes an entry "changed" (the rest is bookkeeping).
constexpr const char* kDiffers =
    "(d.party_key <> s.party_key OR d.name <> s.name OR d.country <> s.country OR d.operator_id <> s.operator_id"
    " OR d.channel <> s.channel OR d.document_types <> s.document_types OR d.formats <> s.formats"
    " OR d.path <> s.path OR d.removed_ms IS NOT NULL)";

}  // namespace

Result<DirectoryCounts> SqlStore::PutDirectory(const std::vector<DirectoryEntry>& entries, int64_t now_ms) {
  DirectoryCounts counts;
  if (entries.empty()) return counts;
  const size_t n = entries.size();
  std::vector<std::string> identifier(n), source(n), party(n), name(n), country(n), op(n), channel(n), types(n),
      formats(n), path(n);
  for (size_t i = 0; i < n; ++i) {
    const DirectoryEntry& e = entries[i];
    identifier[i] = Key(e.identifier);
    source[i] = e.source;
    party[i] = e.party_key;
    name[i] = e.name;
    country[i] = e.country;
    op[i] = e.operator_id;
    channel[i] = e.channel;
    types[i] = e.document_types;
    formats[i] = e.formats;
    path[i] = e.path_json.empty() ? "[]" : e.path_json;
  }
  Status st = Write([&](Session& s) {
    s << std::string("CREATE TEMP TABLE IF NOT EXISTS directory_stage (identifier TEXT NOT NULL, source TEXT NOT NULL,"
                     " party_key TEXT NOT NULL, name TEXT NOT NULL, country TEXT NOT NULL, operator_id TEXT NOT NULL,"
                     " channel TEXT NOT NULL, document_types TEXT NOT NULL, formats TEXT NOT NULL, path TEXT NOT NULL)"),
        now;
    s << "DELETE FROM directory_stage", now;
    s << Sql("INSERT INTO directory_stage (identifier, source, party_key, name, country, operator_id, channel,"
             " document_types, formats, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        use(identifier), use(source), use(party), use(name), use(country), use(op), use(channel), use(types),
        use(formats), use(path), now;
    // Per source: the new entries, and those that come back to life (tombstones revived). Both
    // add to the source's count of live entries, kept in this transaction.
    std::vector<std::string> grown_sources;
    std::vector<int64_t> grown_added, grown_live;
    s << "SELECT s.source, SUM(CASE WHEN d.identifier IS NULL THEN 1 ELSE 0 END), COUNT(*)"
         " FROM (SELECT DISTINCT identifier, source FROM directory_stage) s LEFT JOIN directory d"
         " ON d.identifier = s.identifier AND d.source = s.source"
         " WHERE d.identifier IS NULL OR d.removed_ms IS NOT NULL GROUP BY s.source",
        into(grown_sources), into(grown_added), into(grown_live), now;
    for (int64_t a : grown_added) counts.added += a;
    if (!grown_sources.empty()) {
      s << Sql("UPDATE directory_sources SET entries = entries + ? WHERE name = ?"), use(grown_live),
          use(grown_sources), now;
    }
    s << std::string("SELECT COUNT(*) FROM directory_stage s JOIN directory d"
                     " ON d.identifier = s.identifier AND d.source = s.source WHERE ") +
             kDiffers,
        into(counts.changed), now;
    counts.unchanged = static_cast<int64_t>(n) - counts.added - counts.changed;
    // A batch holds each (identifier, source) once (the sources de-duplicate); should one repeat,
    // it is stored once, with the greatest value of each term (the staging rows have no order).
    s << Sql(std::string("INSERT INTO directory (") + kColumns +
             ") SELECT identifier, source, MAX(party_key), MAX(name), MAX(country), MAX(operator_id), MAX(channel),"
             " MAX(document_types), MAX(formats), MAX(path), ?, ?, ?, NULL, ? FROM directory_stage"
             " GROUP BY identifier, source"
             " ON CONFLICT (identifier, source) DO UPDATE SET"
             " changed_ms = CASE WHEN directory.party_key <> excluded.party_key OR directory.name <> excluded.name"
             " OR directory.country <> excluded.country OR directory.operator_id <> excluded.operator_id"
             " OR directory.channel <> excluded.channel OR directory.document_types <> excluded.document_types"
             " OR directory.formats <> excluded.formats OR directory.path <> excluded.path"
             " OR directory.removed_ms IS NOT NULL THEN excluded.changed_ms ELSE directory.changed_ms END,"
             " party_key = excluded.party_key, name = excluded.name, country = excluded.country,"
             " operator_id = excluded.operator_id, channel = excluded.channel,"
             " document_types = excluded.document_types, formats = excluded.formats, path = excluded.path,"
             " last_seen_ms = excluded.last_seen_ms, last_verified_ms = excluded.last_verified_ms, removed_ms = NULL"),
        useRef(now_ms), useRef(now_ms), useRef(now_ms), useRef(now_ms), now;
    s << "DELETE FROM directory_stage", now;
  });
  if (!st) return st.error();
  return counts;
}

void SqlStore::CountLive(Session& s, const std::string& source, int64_t change) {
  if (change == 0) return;
  Statement q(s);
  q << Sql("UPDATE directory_sources SET entries = entries + ? WHERE name = ?"), useRef(change), useRef(source), now;
}

Result<int64_t> SqlStore::RemoveDirectory(const std::string& source, const std::vector<std::string>& identifiers,
                                          int64_t now_ms) {
  int64_t removed = 0;
  if (identifiers.empty()) return removed;
  std::vector<std::string> keys = Keys(identifiers);
  std::vector<std::string> sources(keys.size(), source);
  std::vector<int64_t> times(keys.size(), now_ms);
  Status st = Write([&](Session& s) {
    // One statement prepared once and run for every identifier (by its primary key).
    Statement q(s);
    q << Sql("UPDATE directory SET removed_ms = ?, changed_ms = ? WHERE identifier = ? AND source = ?"
             " AND removed_ms IS NULL"),
        use(times), use(times), use(keys), use(sources);
    removed = static_cast<int64_t>(q.execute());
    CountLive(s, source, -removed);
  });
  if (!st) return st.error();
  return removed;
}

Result<int64_t> SqlStore::SweepDirectory(const std::string& source, int64_t started_ms, int64_t now_ms) {
  int64_t removed = 0;
  Status st = Write([&](Session& s) {
    Statement q(s);
    q << Sql("UPDATE directory SET removed_ms = ?, changed_ms = ? WHERE source = ? AND last_seen_ms < ?"
             " AND removed_ms IS NULL"),
        useRef(now_ms), useRef(now_ms), useRef(source), useRef(started_ms);
    removed = static_cast<int64_t>(q.execute());
    CountLive(s, source, -removed);
  });
  if (!st) return st.error();
  return removed;
}

namespace {

// A recipient's entries, with their source's last success. The few rows are ordered here rather
// than by SQL (SQLite would set up a sorter for each lookup).
const std::string& LookupSql() {
  static const std::string sql = [] {
    std::string columns;
    for (const auto& c : SplitList(kColumns)) columns += (columns.empty() ? "d." : ", d.") + c;
    return "SELECT " + columns + ", COALESCE(s.last_success_ms, 0) FROM directory d"
           " LEFT JOIN directory_sources s ON s.name = d.source WHERE d.identifier = ?";
  }();
  return sql;
}

// Live before removed, freshest first, then by source.
void OrderEntries(std::vector<DirectoryEntry>& entries) {
  std::sort(entries.begin(), entries.end(), [](const DirectoryEntry& a, const DirectoryEntry& b) {
    const bool a_live = !a.removed_ms, b_live = !b.removed_ms;
    if (a_live != b_live) return a_live;
    if (a.last_verified_ms != b.last_verified_ms) return a.last_verified_ms > b.last_verified_ms;
    return a.source < b.source;
  });
}

// The live identifiers of a party (each once, in order; several sources may list one).
constexpr const char* kPartySql = "SELECT identifier FROM directory WHERE party_key = ? AND removed_ms IS NULL";

void OrderUnique(std::vector<std::string>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

}  // namespace

std::vector<DirectoryEntry> SqlStore::LookupDirectoryIn(Session& s, const std::string& id) {
  std::vector<DirectoryEntry> out;
  const std::string identifier = Key(id);
  Statement q(s);
  q << Sql(LookupSql()), useRef(identifier), now;
  Rows rows(q);
  for (size_t r = 0; r < rows.size(); ++r) out.push_back(EntryAt(rows, r));
  OrderEntries(out);
  return out;
}

std::vector<DirectoryEntry> SqlStore::LookupDirectoryIn(SqliteReads::Connection& c, const std::string& id) {
  std::vector<DirectoryEntry> out;
  CellRows rows = c.Query(LookupSql().c_str(), {Key(id)});
  for (size_t r = 0; r < rows.size(); ++r) out.push_back(EntryAt(rows, r));
  OrderEntries(out);
  return out;
}

Result<std::vector<DirectoryEntry>> SqlStore::LookupDirectory(const std::string& id) {
  std::vector<DirectoryEntry> out;
  Status st = Read([&](Session& s) { out = LookupDirectoryIn(s, id); });
  if (!st) return st.error();
  return out;
}

std::vector<std::string> SqlStore::PartyIdentifiersIn(Session& s, const std::string& party_key) {
  std::vector<std::string> out;
  if (party_key.empty()) return out;
  Statement q(s);
  q << Sql(kPartySql), useRef(party_key), now;
  Rows rows(q);
  for (size_t r = 0; r < rows.size(); ++r) out.push_back(rows.Text(r, 0));
  OrderUnique(out);
  return out;
}

std::vector<std::string> SqlStore::PartyIdentifiersIn(SqliteReads::Connection& c, const std::string& party_key) {
  std::vector<std::string> out;
  if (party_key.empty()) return out;
  CellRows rows = c.Query(kPartySql, {party_key});
  for (size_t r = 0; r < rows.size(); ++r) out.push_back(rows.Text(r, 0));
  OrderUnique(out);
  return out;
}

Result<std::vector<std::string>> SqlStore::PartyIdentifiers(const std::string& party_key) {
  std::vector<std::string> out;
  Status st = Read([&](Session& s) { out = PartyIdentifiersIn(s, party_key); });
  if (!st) return st.error();
  return out;
}

Result<Store::RecipientRecord> SqlStore::LookupRecipientRecord(const std::string& identifier) {
  RecipientRecord out;
  // The three reads, on either kind of connection.
  auto read = [&](auto& conn) {
    out.own = FindReceiverIn(conn, identifier);
    if (out.own && out.own->channel == "direct") return;  // ours: nothing else is asked
    out.entries = LookupDirectoryIn(conn, identifier);
    const DirectoryEntry* first = nullptr;
    for (const auto& e : out.entries) {
      if (!e.removed_ms) {
        first = &e;
        break;
      }
    }
    if (!first && !out.entries.empty()) first = &out.entries.front();
    if (first) out.party_identifiers = PartyIdentifiersIn(conn, first->party_key);
  };
  Status st = fast_reads_ ? fast_reads_->Run([&](SqliteReads::Connection& c) { read(c); })
                          : Read([&](Session& s) { read(s); });
  if (!st) return st.error();
  return out;
}

Result<int64_t> SqlStore::DirectorySize() {
  int64_t n = 0;
  Status st = Read([&](Session& s) { s << "SELECT COALESCE(SUM(entries), 0) FROM directory_sources", into(n), now; });
  if (!st) return st.error();
  return n;
}

Result<std::optional<DirectorySource>> SqlStore::ClaimSource(const std::string& name, const std::string& owner,
                                                             int64_t now_ms, int64_t lease_ms, bool force) {
  bool claimed = false;
  Status st = Write([&](Session& s) {
    std::string empty;
    int64_t zero = 0;
    s << Sql("INSERT INTO directory_sources (name, lease_owner, lease_until_ms, cursor, last_started_ms,"
             " last_finished_ms, last_success_ms, duration_ms, added, changed, removed, errors, last_error, failures,"
             " next_run_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT (name) DO NOTHING"),
        useRef(name), useRef(empty), useRef(zero), useRef(empty), useRef(zero), useRef(zero), useRef(zero),
        useRef(zero), useRef(zero), useRef(zero), useRef(zero), useRef(zero), useRef(empty), useRef(zero), now;
    int64_t until = now_ms + lease_ms;
    // Due is checked in the same statement: a process that read the state before another one
    // recorded its run does not sync the source again right after it.
    int64_t forced = force ? 1 : 0;
    Statement q(s);
    q << Sql("UPDATE directory_sources SET lease_owner = ?, lease_until_ms = ?, last_started_ms = ?"
             " WHERE name = ? AND (lease_until_ms < ? OR lease_owner = ?) AND (? = 1 OR next_run_ms <= ?)"),
        useRef(owner), useRef(until), useRef(now_ms), useRef(name), useRef(now_ms), useRef(owner), useRef(forced),
        useRef(now_ms);
    claimed = q.execute() > 0;
  });
  if (!st) return st.error();
  if (!claimed) return std::optional<DirectorySource>();
  auto all = ListSources();
  if (!all) return all.error();
  for (auto& source : *all)
    if (source.name == name) return std::optional<DirectorySource>(std::move(source));
  return Error::Internal("directory source " + name + " vanished after its claim");
}

Status SqlStore::RenewSource(const std::string& name, const std::string& owner, int64_t until_ms) {
  return Write([&](Session& s) {
    Statement q(s);
    q << Sql("UPDATE directory_sources SET lease_until_ms = ? WHERE name = ? AND lease_owner = ?"), useRef(until_ms),
        useRef(name), useRef(owner);
    if (q.execute() == 0)
      throw StoreFailure{Error::FailedPrecondition("the sync lease of source " + name + " was lost")};
  });
}

Status SqlStore::RecordSourceRun(const DirectorySource& r, const std::string& owner) {
  const int64_t recount = r.recount ? 1 : 0;
  return Write([&](Session& s) {
    Statement q(s);
    q << Sql("UPDATE directory_sources SET lease_owner = '', lease_until_ms = 0, cursor = ?, last_finished_ms = ?,"
             " last_success_ms = ?, duration_ms = ?, added = ?, changed = ?, removed = ?, errors = ?, last_error = ?,"
             " failures = ?, next_run_ms = ?,"
             " entries = CASE WHEN ? = 1 THEN (SELECT COUNT(*) FROM directory WHERE source = ? AND removed_ms IS NULL)"
             " ELSE entries END"
             " WHERE name = ? AND lease_owner = ?"),
        useRef(r.cursor), useRef(r.last_finished_ms), useRef(r.last_success_ms), useRef(r.duration_ms),
        useRef(r.added), useRef(r.changed), useRef(r.removed), useRef(r.errors), useRef(r.last_error),
        useRef(r.failures), useRef(r.next_run_ms), useRef(recount), useRef(r.name), useRef(r.name), useRef(owner);
    if (q.execute() == 0)
      throw StoreFailure{Error::FailedPrecondition("the sync lease of source " + r.name + " was lost")};
  });
}

Result<std::vector<DirectorySource>> SqlStore::ListSources() {
  std::vector<DirectorySource> out;
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << "SELECT name, cursor, last_started_ms, last_finished_ms, last_success_ms, duration_ms, added, changed,"
         " removed, errors, last_error, failures, next_run_ms, entries FROM directory_sources ORDER BY name",
        now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size(); ++r) {
      DirectorySource d;
      d.name = rows.Text(r, 0);
      d.cursor = rows.Text(r, 1);
      d.last_started_ms = rows.Int(r, 2);
      d.last_finished_ms = rows.Int(r, 3);
      d.last_success_ms = rows.Int(r, 4);
      d.duration_ms = rows.Int(r, 5);
      d.added = rows.Int(r, 6);
      d.changed = rows.Int(r, 7);
      d.removed = rows.Int(r, 8);
      d.errors = rows.Int(r, 9);
      d.last_error = rows.Text(r, 10);
      d.failures = static_cast<int>(rows.Int(r, 11));
      d.next_run_ms = rows.Int(r, 12);
      d.entries = rows.Int(r, 13);
      out.push_back(std::move(d));
    }
  });
  if (!st) return st.error();
  return out;
}

Result<Store::DirectoryChanges> SqlStore::DirectoryChangesSince(int64_t changed_ms, int limit) {
  DirectoryChanges out;
  Status st = Read([&](Session& s) {
    s << "SELECT COALESCE(MAX(changed_ms), 0) FROM directory", into(out.max_changed_ms), now;
    s << "SELECT COALESCE(MAX(seq), 0) FROM receivers", into(out.receivers_seq), now;
    int more = limit + 1;
    Statement q(s);
    q << Sql("SELECT identifier FROM directory WHERE changed_ms > ? ORDER BY changed_ms LIMIT ?"), useRef(changed_ms),
        useRef(more), now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size() && static_cast<int>(r) < limit; ++r) out.identifiers.push_back(rows.Text(r, 0));
    out.truncated = static_cast<int>(rows.size()) > limit;
  });
  if (!st) return st.error();
  return out;
}

Result<int64_t> SqlStore::MarkNotRegistered(const std::string& source, const std::vector<std::string>& identifiers,
                                            int64_t now_ms) {
  int64_t was_live = 0;
  if (identifiers.empty()) return was_live;
  Status st = Write([&](Session& s) {
    for (const std::string& id : Keys(identifiers)) {
      int64_t live = 0;
      Statement count(s);
      count << Sql("SELECT COUNT(*) FROM directory WHERE identifier = ? AND source = ? AND removed_ms IS NULL"),
          useRef(id), useRef(source), into(live), now;
      was_live += live;
      Statement q(s);
      q << Sql("INSERT INTO directory (identifier, source, party_key, name, country, operator_id, channel,"
               " document_types, formats, path, first_seen_ms, last_seen_ms, last_verified_ms, removed_ms, changed_ms)"
               " VALUES (?, ?, '', '', '', '', '', '', '', '[]', ?, ?, ?, ?, ?)"
               " ON CONFLICT (identifier, source) DO UPDATE SET last_seen_ms = excluded.last_seen_ms,"
               " last_verified_ms = excluded.last_verified_ms,"
               " changed_ms = CASE WHEN directory.removed_ms IS NULL THEN excluded.changed_ms ELSE directory.changed_ms END,"
               " removed_ms = COALESCE(directory.removed_ms, excluded.removed_ms)"),
          useRef(id), useRef(source), useRef(now_ms), useRef(now_ms), useRef(now_ms), useRef(now_ms), useRef(now_ms);
      q.execute();
    }
    CountLive(s, source, -was_live);
  });
  if (!st) return st.error();
  return was_live;
}

Result<std::vector<std::string>> SqlStore::SourceIdentifiers(const std::string& source) {
  std::vector<std::string> out;
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << Sql("SELECT identifier FROM directory WHERE source = ? ORDER BY identifier"), useRef(source), now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size(); ++r) out.push_back(rows.Text(r, 0));
  });
  if (!st) return st.error();
  return out;
}

Result<std::vector<std::string>> SqlStore::RecentRecipients(int64_t since_ms) {
  std::vector<std::string> out;
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << Sql("SELECT DISTINCT buyer_endpoint FROM invoices WHERE created_ms >= ? AND buyer_endpoint <> ''"
             " ORDER BY buyer_endpoint"),
        useRef(since_ms), now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size(); ++r) out.push_back(rows.Text(r, 0));
  });
  if (!st) return st.error();
  return out;
}

Result<std::vector<RecipientWatch>> SqlStore::WatchCandidates(int64_t invoices_since_ms, int64_t changed_since_ms) {
  std::vector<RecipientWatch> out;
  Status st = Write([&](Session& s) {
    s << Sql("INSERT INTO recipient_watch (tenant_id, identifier, answer, notified_ms)"
             " SELECT DISTINCT tenant_id, buyer_endpoint, '', 0 FROM invoices"
             " WHERE created_ms >= ? AND buyer_endpoint <> '' ON CONFLICT (tenant_id, identifier) DO NOTHING"),
        useRef(invoices_since_ms), now;
    Statement q(s);
    q << Sql("SELECT tenant_id, identifier, answer FROM recipient_watch WHERE answer = ''"
             " OR LOWER(identifier) IN (SELECT identifier FROM directory WHERE changed_ms >= ?)"
             " ORDER BY tenant_id, identifier"),
        useRef(changed_since_ms), now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size(); ++r) out.push_back({rows.Text(r, 0), rows.Text(r, 1), rows.Text(r, 2)});
  });
  if (!st) return st.error();
  return out;
}

Result<int64_t> SqlStore::SetWatchAnswer(const RecipientWatch& w, const std::string& answer, const std::string& status,
                                         const std::string& detail, int64_t now_ms) {
  int64_t seq = 0;
  Status st = Write([&](Session& s) {
    Statement q(s);
    q << Sql("UPDATE recipient_watch SET answer = ?, notified_ms = ? WHERE tenant_id = ? AND identifier = ?"
             " AND answer = ?"),
        useRef(answer), useRef(now_ms), useRef(w.tenant_id), useRef(w.identifier), useRef(w.answer);
    // Another process told the tenant already: no second event.
    if (q.execute() == 0 || status.empty()) return;
    seq = InsertEvent(s, w.tenant_id, "rcp:" + w.identifier, status, detail, now_ms);
  });
  if (!st) return st.error();
  return seq;
}

}  // namespace gw::gateway::storage
