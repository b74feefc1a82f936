#include "gateway/storage/sqlite_checkpointer.h"

#include <sqlite3.h>

#include <chrono>
#include <iostream>

namespace gw::gateway::storage {

SqliteCheckpointer::SqliteCheckpointer(std::string path) : path_(std::move(path)) {
  thread_ = std::thread([this] { Loop(); });
}

SqliteCheckpointer::~SqliteCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SqliteCheckpointer::Nudge() {
  {
    std::lock_guard lock(mutex_);
    if (pending_) return;
    pending_ = true;
  }
  cv_.notify_one();
}

int64_t SqliteCheckpointer::runs() const {
  std::lock_guard lock(mutex_);
  return runs_;
}

void SqliteCheckpointer::Loop() {
  sqlite3* db = nullptr;
  bool warned = false;
  for (;;) {
    bool last = false;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return pending_ || stopping_; });
      last = stopping_;
      if (!pending_ && last) break;
      pending_ = false;
    }
    if (!db && sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 1000);
      // A connection learns that the database is in WAL mode when it first reads it; before that
      // a checkpoint does nothing.
      sqlite3_exec(db, "SELECT COUNT(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    }
    int logged = 0, copied = 0;
    const int rc = db ? sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &logged, &copied)
                      : SQLITE_CANTOPEN;
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && !warned) {
      // The log is still replayed and read correctly; it only grows until a checkpoint works.
      std::cerr << "eigw: storage: checkpoint of " << path_ << " failed: "
                << (db ? sqlite3_errmsg(db) : "cannot open the database") << std::endl;
      warned = true;
    }
    {
      std::lock_guard lock(mutex_);
      ++runs_;
    }
    if (last) break;
    // At most every 200 ms: commits that come meanwhile are taken by the next run.
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping_; });
  }
  if (db) sqlite3_close_v2(db);
}

}  // namespace gw::gateway::storage
