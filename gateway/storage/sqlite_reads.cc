#include "gateway/storage/sqlite_reads.h"

#include <chrono>
#include <stdexcept>

namespace gw::gateway::storage {

std::string CellRows::Text(size_t row, size_t col) const {
  const Cell& c = At(row, col);
  if (c.null) return {};
  return c.integer ? std::to_string(c.i) : c.text;
}

int64_t CellRows::Int(size_t row, size_t col) const {
  const Cell& c = At(row, col);
  if (c.null) return 0;
  return c.integer ? c.i : std::stoll(c.text);
}

std::optional<int64_t> CellRows::OptInt(size_t row, size_t col) const {
  if (At(row, col).null) return std::nullopt;
  return Int(row, col);
}

SqliteReads::Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  if (db_) sqlite3_close_v2(db_);
}

CellRows SqliteReads::Connection::Query(const char* sql, std::initializer_list<std::string_view> params) {
  sqlite3_stmt*& stmt = statements_[sql];
  if (!stmt && sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    statements_.erase(sql);
    throw std::runtime_error(sqlite3_errmsg(db_));
  }
  // Reset on every way out, so the statement holds no read transaction between lookups.
  struct Reset {
    sqlite3_stmt* s;
    ~Reset() {
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
    }
  } reset{stmt};
  int index = 1;
  for (std::string_view p : params)
    sqlite3_bind_text(stmt, index++, p.data(), static_cast<int>(p.size()), SQLITE_STATIC);
  CellRows rows;
  rows.columns_ = static_cast<size_t>(sqlite3_column_count(stmt));
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) throw std::runtime_error(sqlite3_errmsg(db_));
    for (size_t c = 0; c < rows.columns_; ++c) {
      CellRows::Cell cell;
      const int col = static_cast<int>(c);
      switch (sqlite3_column_type(stmt, col)) {
        case SQLITE_NULL:
          break;
        case SQLITE_INTEGER:
          cell.null = false;
          cell.integer = true;
          cell.i = sqlite3_column_int64(stmt, col);
          break;
        default: {
          cell.null = false;
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
          cell.text.assign(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(stmt, col)));
        }
      }
      rows.cells_.push_back(std::move(cell));
    }
  }
  return rows;
}

Status SqliteReads::Run(const std::function<void(Connection&)>& fn) {
  std::unique_ptr<Connection> conn;
  {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, std::chrono::seconds(30), [&] { return !idle_.empty() || open_ < max_; }))
      return Error::Unavailable("database: every read connection stayed busy for 30 s");
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_;
    }
  }
  auto release = [&](bool healthy) {
    std::lock_guard lock(mutex_);
    if (healthy && conn) {
      idle_.push_back(std::move(conn));
    } else {
      conn.reset();
      --open_;
    }
    cv_.notify_one();
  };
  try {
    if (!conn) {
      conn = std::make_unique<Connection>();
      // One thread uses a connection at a time (the pool sees to it): no per-connection mutex.
      int rc = sqlite3_open_v2(path_.c_str(), &conn->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
      if (rc != SQLITE_OK)
        throw std::runtime_error(conn->db_ ? sqlite3_errmsg(conn->db_) : "cannot open the database");
      sqlite3_busy_timeout(conn->db_, 10000);
      // query_only: this connection can never write. No mmap: each connection's mapping would
      // count the whole file again in the process's resident memory.
      for (const char* pragma : {"PRAGMA query_only=1", "PRAGMA cache_size=-8192"})
        if (sqlite3_exec(conn->db_, pragma, nullptr, nullptr, nullptr) != SQLITE_OK)
          throw std::runtime_error(sqlite3_errmsg(conn->db_));
    }
    // One read transaction for all of fn's queries: one snapshot, and the WAL read lock is
    // taken once rather than per query.
    conn->Query("BEGIN", {});
    try {
      fn(*conn);
    } catch (...) {
      sqlite3_exec(conn->db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    conn->Query("COMMIT", {});
    release(true);
    return OkStatus();
  } catch (const std::exception& e) {
    release(false);
    return Error::Unavailable(std::string("database (" + path_ + "): ") + e.what());
  }
}

}  // namespace gw::gateway::storage
