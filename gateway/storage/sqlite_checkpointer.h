// SqliteCheckpointer: copies the SQLite write-ahead log back into the database file on its own
// thread and connection, so that a commit seldom pays for it. SQLite's default is for the commit
// that fills the log past 1,000 pages to run the checkpoint itself; on a million-row directory a
// sync's commits spent a sixth of their time there. The writer's session raises that threshold to
// 8,192 pages (a backstop for when this thread falls behind a long stream of writes) and calls
// Nudge() after each commit; the checkpointer runs a PASSIVE checkpoint (it waits for no reader
// and no writer) at most every 200 ms while commits come, and once more when it stops with a
// commit not yet checkpointed. Commits are durable in the log (synchronous=FULL) before any
// checkpoint; a crash between them loses nothing, the next open replays the log.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace gw::gateway::storage {

class SqliteCheckpointer {
 public:
  explicit SqliteCheckpointer(std::string path);
  ~SqliteCheckpointer();
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // A commit happened: the log has grown.
  void Nudge();
  // Checkpoints run so far (for tests).
  int64_t runs() const;

 private:
  void Loop();

  std::string path_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool pending_ = false, stopping_ = false;
  int64_t runs_ = 0;
  std::thread thread_;
};

}  // namespace gw::gateway::storage
