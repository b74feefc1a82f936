// SqliteReads: a pool of SQLite connections for the hottest reads (a recipient lookup), on the
// sqlite3 C API with each statement prepared once per connection and kept. Poco::Data prepares a
// statement on every execution and copies each cell into a Dynamic::Var; on a directory of a
// million recipients that was most of a lookup's 300-400 us. The connections only read
// (query_only), with 8 MB of page cache each, and each Run is one read transaction. Used by
// SqlStore on SQLite only.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "formats/core/result.h"

namespace gw::gateway::storage {

// The rows of one query, copied out of SQLite; the same readers as Rows (sql_rows.h).
class CellRows {
 public:
  size_t size() const { return columns_ ? cells_.size() / columns_ : 0; }
  size_t columns() const { return columns_; }
  std::string Text(size_t row, size_t col) const;
  int64_t Int(size_t row, size_t col) const;
  std::optional<int64_t> OptInt(size_t row, size_t col) const;

 private:
  friend class SqliteReads;
  struct Cell {
    bool null = true;
    bool integer = false;
    int64_t i = 0;
    std::string text;
  };
  const Cell& At(size_t row, size_t col) const { return cells_[row * columns_ + col]; }
  size_t columns_ = 0;
  std::vector<Cell> cells_;
};

class SqliteReads {
 public:
  // A connection: runs the statements of one reader; obtained through Run.
  class Connection {
   public:
    // Runs `sql` (a string with static storage: it keys the prepared statement) with text
    // parameters bound in order; throws std::runtime_error with SQLite's message on failure.
    CellRows Query(const char* sql, std::initializer_list<std::string_view> params);
    ~Connection();

   private:
    friend class SqliteReads;
    sqlite3* db_ = nullptr;
    std::unordered_map<const char*, sqlite3_stmt*> statements_;
  };

  SqliteReads(std::string path, int connections) : path_(std::move(path)), max_(connections) {}
  // Runs `fn` with a free connection (opened when needed; at most `connections` at once).
  Status Run(const std::function<void(Connection&)>& fn);

 private:
  std::string path_;
  int max_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
};

}  // namespace gw::gateway::storage
