#include "gateway/storage/sql_store.h"

#include <sys/random.h>

#include <array>
#include <chrono>
#include <cstdio>

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Exception.h>

#include "certs/keys/certificate.h"
#include "gateway/storage/sql_rows.h"

namespace gw::gateway::storage {

using namespace Poco::Data::Keywords;
using Poco::Data::Session;

std::string NewId(const char* prefix) {
  std::array<unsigned char, 16> bytes{};
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  std::string id(prefix);
  char hex[3];
  for (unsigned char b : bytes) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    id += hex;
  }
  return id;
}

std::string Sha256Hex(std::string_view data) { return certs::Sha256Hex(data); }

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  auto store = SqlStore::Open(options);
  if (!store) return store.error();
  return std::unique_ptr<Store>(std::move(*store));
}

SqlStore::SqlStore(Dialect dialect, std::string connector, std::string connection, int pool)
    : dialect_(dialect), connector_(std::move(connector)), connection_(std::move(connection)), pool_size_(pool) {}

Result<std::unique_ptr<SqlStore>> SqlStore::Open(const StoreOptions& options) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
  std::unique_ptr<SqlStore> store;
  try {
    if (options.driver == "sqlite") {
      store.reset(new SqlStore(Dialect::kSqlite, "SQLite", options.sqlite_path, options.pool));
      store->fast_reads_ = std::make_unique<SqliteReads>(options.sqlite_path, std::max(1, options.pool));
      store->checkpointer_ = std::make_unique<SqliteCheckpointer>(options.sqlite_path);
    } else if (options.driver == "postgresql") {
      store.reset(new SqlStore(Dialect::kPostgres, "PostgreSQL", options.postgres_url, options.pool));
    } else {
      return Error::InvalidArgument("unknown storage driver '" + options.driver + "'");
    }
    // Open the writer's session now, so a wrong path or unreachable server fails here.
    Session probe = store->NewSession();
  } catch (const Poco::Exception& e) {
    std::string where = options.driver == "sqlite" ? options.sqlite_path : "the PostgreSQL server";
    return Error::Unavailable("cannot open the " + options.driver + " database (" + where + "): " + e.displayText());
  }
  // SQLite has one writer at a time anyway; PostgreSQL commits several transactions at once.
  const int writers = options.driver == "postgresql" ? std::max(1, std::min(4, options.pool)) : 1;
  for (int i = 0; i < writers; ++i) store->writers_.emplace_back([s = store.get()] { s->WriterLoop(); });
  return store;
}

SqlStore::~SqlStore() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  for (auto& w : writers_)
    if (w.joinable()) w.join();
}

std::string SqlStore::Sql(std::string_view sql) const {
  if (dialect_ == Dialect::kSqlite) return std::string(sql);
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

Session SqlStore::NewSession() {
  Session s(connector_, connection_);
  if (dialect_ == Dialect::kSqlite) {
    s << "PRAGMA journal_mode=WAL", now;
    s << "PRAGMA synchronous=FULL", now;
    s << "PRAGMA busy_timeout=10000", now;
    s << "PRAGMA foreign_keys=ON", now;
    // The directory's staging table (a TEMP table) in memory rather than in a temporary file.
    s << "PRAGMA temp_store=MEMORY", now;
  } else {
    s << "SET synchronous_commit = on", now;
    s << "SET client_min_messages = warning", now;
  }
  return s;
}

namespace {

Error ToError(const Poco::Exception& e) {
  return Error::Unavailable("database: " + e.displayText());
}

}  // namespace

Status SqlStore::Read(const std::function<void(Session&)>& fn) {
  std::optional<Session> session;
  {
    std::unique_lock lock(pool_mutex_);
    if (!pool_cv_.wait_for(lock, std::chrono::seconds(30), [&] { return !idle_.empty() || open_sessions_ < pool_size_; }))
      return Error::Unavailable("database: every read session stayed busy for 30 s");
    if (!idle_.empty()) {
      session.emplace(std::move(idle_.back()));
      idle_.pop_back();
    } else {
      ++open_sessions_;
    }
  }
  // Gives the session back, or closes it when it failed (a broken connection is not reused).
  auto release = [&](bool healthy) {
    std::lock_guard lock(pool_mutex_);
    if (healthy && session) {
      idle_.push_back(std::move(*session));
    } else {
      --open_sessions_;
    }
    pool_cv_.notify_one();
  };
  try {
    if (!session) session.emplace(NewSession());
    fn(*session);
    release(true);
    return OkStatus();
  } catch (const StoreFailure& f) {
    release(true);
    return f.error;
  } catch (const Poco::Exception& e) {
    release(false);
    return ToError(e);
  }
}

Status SqlStore::Write(std::function<void(Session&)> fn) {
  Pending pending{std::move(fn), {}};
  std::future<Status> done = pending.done.get_future();
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) return Error::Unavailable("the store is closing");
    queue_.push_back(&pending);
  }
  queue_cv_.notify_one();
  return done.get();
}

namespace {
// The highest event seq the current writer thread inserted in its open transaction.
thread_local int64_t tl_batch_seq = 0;
// Whether the open transaction holds the PostgreSQL event lock (see InsertEvent).
thread_local bool tl_event_lock = false;
}  // namespace

void SqlStore::WriterLoop() {
  std::optional<Session> session;
  std::vector<Pending*> batch;
  std::vector<Status> results;
  for (;;) {
    batch.clear();
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      while (!queue_.empty() && batch.size() < 512) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    results.assign(batch.size(), OkStatus());
    int64_t committed_seq = 0;
    // Runs calls [first, last) in one transaction; true when all succeeded and it committed.
    // A call that fails undoes the whole transaction and its error is kept in results.
    auto run = [&](size_t first, size_t last) -> bool {
      tl_batch_seq = 0;
      tl_event_lock = false;
      if (!session || !session->isConnected()) {
        session.emplace(NewSession());
        // The one writer keeps 64 MB of pages: directory syncs update a table of a million
        // rows and three indexes at random places (the default 2 MB re-reads them page by page).
        if (dialect_ == Dialect::kSqlite) *session << "PRAGMA cache_size=-65536", now;
        // The checkpointer's thread copies the log into the database, not the commits; only when
        // it falls behind a long stream of writes (a full directory sync) and the log passes
        // 32 MB does a commit checkpoint itself, which keeps the log from growing without bound.
        // After a checkpoint the log file is cut back to 64 MB.
        if (checkpointer_) {
          *session << "PRAGMA wal_autocheckpoint=8192", now;
          *session << "PRAGMA journal_size_limit=67108864", now;
        }
      }
      *session << (dialect_ == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN"), now;
      for (size_t i = first; i < last; ++i) {
        Status outcome = OkStatus();
        try {
          batch[i]->fn(*session);
        } catch (const StoreFailure& f) {
          outcome = f.error;
        } catch (const Poco::Exception& e) {
          outcome = ToError(e);
        }
        if (!outcome) {
          results[i] = outcome;
          *session << "ROLLBACK", now;
          return false;
        }
      }
      *session << "COMMIT", now;
      if (checkpointer_) checkpointer_->Nudge();
      committed_seq = std::max(committed_seq, tl_batch_seq);
      return true;
    };
    try {
      // Optimistic: the whole batch in one transaction. When a call fails (rare: a lost lease, a
      // constraint), the batch is rolled back and every call runs again in its own transaction, so
      // one failing call never undoes another and no savepoint is paid for in the common case.
      if (!run(0, batch.size()) && batch.size() > 1) {
        for (size_t i = 0; i < batch.size(); ++i) {
          results[i] = OkStatus();
          run(i, i + 1);
        }
      }
    } catch (const Poco::Exception& e) {
      // BEGIN, COMMIT or the connection failed: nothing of the open transaction is committed.
      Status broken = ToError(e);
      for (size_t i = 0; i < batch.size(); ++i)
        if (results[i]) results[i] = broken;
      try {
        if (session) *session << "ROLLBACK", now;
      } catch (const Poco::Exception&) {
      }
      session.reset();  // reconnect for the next batch
    }
    if (committed_seq > 0) {
      std::lock_guard lock(event_mutex_);
      if (committed_seq > last_seq_) last_seq_ = committed_seq;
      event_cv_.notify_all();
    }
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->done.set_value(results[i]);
  }
}

Result<int> SqlStore::Migrate() {
  int version = 0;
  Status st = Write([&](Session& s) {
    if (dialect_ == Dialect::kPostgres) {
      // Serialises concurrent start-ups of several processes (released at commit).
      s << "SELECT pg_advisory_xact_lock(7403114)", now;
    }
    s << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
         " description TEXT NOT NULL, applied_ms BIGINT NOT NULL)",
        now;
    int current = 0;
    s << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(current), now;
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    for (const Migration& m : Migrations(dialect_)) {
      if (m.version <= current) continue;
      for (const std::string& sql : m.statements) s << sql, now;
      s << Sql("INSERT INTO schema_migrations (version, description, applied_ms) VALUES (?, ?, ?)"),
          bind(m.version), bind(m.description), bind(now_ms), now;
      current = m.version;
    }
    version = current;
  });
  if (!st) return st.error();
  return version;
}

Result<int> SqlStore::SchemaVersion() {
  int version = 0;
  Status st = Read([&](Session& s) {
    s << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(version), now;
  });
  if (!st) return st.error();
  return version;
}

Status SqlStore::Ping() {
  return Read([&](Session& s) {
    int one = 0;
    s << "SELECT 1", into(one), now;
  });
}

int64_t SqlStore::WaitForEvents(int64_t known_seq, int timeout_ms) {
  std::unique_lock lock(event_mutex_);
  event_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return last_seq_ > known_seq; });
  return last_seq_;
}

Status SqlStore::ReleaseAllLeases() {
  return Write([&](Session& s) {
    s << "UPDATE outbox SET lease_owner = '', lease_until_ms = 0", now;
    s << "UPDATE webhook_deliveries SET lease_owner = '', lease_until_ms = 0 WHERE state = 'pending'", now;
    // Directory syncs of the server that crashed (owners "dir_..."), not those of a CLI sync.
    s << "UPDATE directory_sources SET lease_owner = '', lease_until_ms = 0 WHERE lease_owner LIKE 'dir\\_%' ESCAPE '\\'",
        now;
  });
}

// ---- tenants and keys ----

Result<Tenant> SqlStore::AddTenant(const std::string& name, int64_t now_ms) {
  Tenant t{NewId("ten_"), name, now_ms};
  Status st = Write([&](Session& s) {
    int taken = 0;
    s << Sql("SELECT COUNT(*) FROM tenants WHERE name = ?"), useRef(t.name), into(taken), now;
    if (taken) throw StoreFailure{Error::AlreadyExists("a tenant named '" + name + "' exists")};
    s << Sql("INSERT INTO tenants (id, name, created_ms) VALUES (?, ?, ?)"), useRef(t.id), useRef(t.name),
        useRef(t.created_ms), now;
  });
  if (!st) return st.error();
  return t;
}

Result<std::optional<Tenant>> SqlStore::FindTenant(const std::string& id_or_name) {
  std::optional<Tenant> out;
  Status st = Read([&](Session& s) {
    Poco::Data::Statement q(s);
    q << Sql("SELECT id, name, created_ms FROM tenants WHERE id = ? OR name = ?"), useRef(id_or_name),
        useRef(id_or_name), now;
    Rows rows(q);
    if (rows.size()) out = Tenant{rows.Text(0, 0), rows.Text(0, 1), rows.Int(0, 2)};
  });
  if (!st) return st.error();
  return out;
}

Result<std::vector<Tenant>> SqlStore::ListTenants() {
  std::vector<Tenant> out;
  Status st = Read([&](Session& s) {
    Poco::Data::Statement q(s);
    q << "SELECT id, name, created_ms FROM tenants ORDER BY name", now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size(); ++r) out.push_back({rows.Text(r, 0), rows.Text(r, 1), rows.Int(r, 2)});
  });
  if (!st) return st.error();
  return out;
}

Result<ApiKey> SqlStore::AddApiKey(const std::string& tenant_id, const std::string& key_sha256,
                                   const std::string& prefix, int64_t now_ms) {
  ApiKey k{NewId("key_"), tenant_id, prefix, now_ms, std::nullopt};
  Status st = Write([&](Session& s) {
    s << Sql("INSERT INTO api_keys (id, tenant_id, key_sha256, prefix, created_ms) VALUES (?, ?, ?, ?, ?)"),
        useRef(k.id), useRef(k.tenant_id), useRef(key_sha256), useRef(k.prefix), useRef(k.created_ms), now;
  });
  if (!st) return st.error();
  return k;
}

Result<std::vector<ApiKey>> SqlStore::ListApiKeys(const std::string& tenant_id) {
  std::vector<ApiKey> out;
  Status st = Read([&](Session& s) {
    Poco::Data::Statement q(s);
    q << Sql("SELECT id, tenant_id, prefix, created_ms, revoked_ms FROM api_keys WHERE tenant_id = ? ORDER BY created_ms"),
        useRef(tenant_id), now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size(); ++r)
      out.push_back({rows.Text(r, 0), rows.Text(r, 1), rows.Text(r, 2), rows.Int(r, 3), rows.OptInt(r, 4)});
  });
  if (!st) return st.error();
  return out;
}

Status SqlStore::RevokeApiKey(const std::string& key_id, int64_t now_ms) {
  return Write([&](Session& s) {
    Poco::Data::Statement q(s);
    q << Sql("UPDATE api_keys SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL"), useRef(now_ms), useRef(key_id);
    if (q.execute() == 0) throw StoreFailure{Error::NotFound("no active API key '" + key_id + "'")};
  });
}

Result<std::optional<Tenant>> SqlStore::TenantForKey(const std::string& key_sha256) {
  std::optional<Tenant> out;
  Status st = Read([&](Session& s) {
    Poco::Data::Statement q(s);
    q << Sql("SELECT t.id, t.name, t.created_ms FROM api_keys k JOIN tenants t ON t.id = k.tenant_id"
             " WHERE k.key_sha256 = ? AND k.revoked_ms IS NULL"),
        useRef(key_sha256), now;
    Rows rows(q);
    if (rows.size()) out = Tenant{rows.Text(0, 0), rows.Text(0, 1), rows.Int(0, 2)};
  });
  if (!st) return st.error();
  return out;
}

// ---- events and documents (inside write transactions) ----

int64_t SqlStore::InsertEvent(Session& s, const std::string& tenant_id, const std::string& invoice_id,
                              const std::string& status, const std::string& detail, int64_t now_ms) {
  // Readers follow events by seq (SSE, Last-Event-ID), so a seq must never become visible before
  // a lower one. With several PostgreSQL writers and processes, transactions could commit out of
  // seq order; a transaction-scoped advisory lock taken before the first seq is drawn makes the
  // event-writing transactions commit one after another, in seq order. (SQLite has one writer.)
  LockEventOrder(s);
  int64_t seq = 0;
  s << Sql("INSERT INTO events (tenant_id, invoice_id, status, detail, at_ms) VALUES (?, ?, ?, ?, ?) RETURNING seq"),
      useRef(tenant_id), useRef(invoice_id), useRef(status), useRef(detail), useRef(now_ms), into(seq), now;
  s << Sql("INSERT INTO webhook_deliveries (webhook_id, tenant_id, event_seq, state, attempts, last_status,"
           " last_error, next_ms, lease_owner, lease_until_ms, created_ms)"
           " SELECT id, tenant_id, ?, 'pending', 0, 0, '', ?, '', 0, ? FROM webhooks"
           " WHERE tenant_id = ? AND deleted_ms IS NULL"),
      useRef(seq), useRef(now_ms), useRef(now_ms), useRef(tenant_id), now;
  NoteEventSeq(seq);
  return seq;
}

void SqlStore::LockEventOrder(Session& s) {
  if (dialect_ == Dialect::kPostgres && !tl_event_lock) {
    s << "SELECT pg_advisory_xact_lock(7403115)", now;
    tl_event_lock = true;
  }
}

void SqlStore::NoteEventSeq(int64_t seq) {
  if (seq > tl_batch_seq) tl_batch_seq = seq;  // published to waiters after the commit
}

void SqlStore::InsertDocument(Session& s, const std::string& invoice_id, const Document& d, const char* table,
                              const char* key) {
  Poco::Data::BLOB content(reinterpret_cast<const unsigned char*>(d.content.data()), d.content.size());
  s << Sql(std::string("INSERT INTO ") + table + " (" + key +
           ", kind, media_type, sha256, size, content, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      useRef(invoice_id), useRef(d.kind), useRef(d.media_type), useRef(d.sha256), useRef(d.size), useRef(content), useRef(d.created_ms),
      now;
}

Result<int64_t> SqlStore::LastEventSeq() {
  int64_t seq = 0;
  Status st = Read([&](Session& s) { s << "SELECT COALESCE(MAX(seq), 0) FROM events", into(seq), now; });
  if (!st) return st.error();
  return seq;
}

Result<std::vector<Event>> SqlStore::EventsAfter(const std::string& tenant_id, int64_t after_seq, int limit) {
  std::vector<Event> out;
  Status st = Read([&](Session& s) {
    Poco::Data::Statement q(s);
    q << Sql(std::string("SELECT seq, tenant_id, invoice_id, status, detail, at_ms FROM events WHERE tenant_id ") +
             (tenant_id == kAllTenants ? "<> ?" : "= ?") + " AND seq > ? ORDER BY seq LIMIT ?"),
        useRef(tenant_id), useRef(after_seq), useRef(limit), now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size(); ++r)
      out.push_back({rows.Int(r, 0), rows.Text(r, 1), rows.Text(r, 2), rows.Text(r, 3), rows.Text(r, 4), rows.Int(r, 5)});
  });
  if (!st) return st.error();
  return out;
}

}  // namespace gw::gateway::storage
