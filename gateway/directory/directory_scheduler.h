// The directory's scheduler: every source every `interval` (900 s by default, per source
// configurable, with jitter), one sync of a source at a time across all gateway processes (a lease
// in the database), a failed sync retried with backoff while the last known data stays, manual
// refresh of one source or all, on-demand checks of single recipients, and the capability watch
// (an event for each tenant whose invoiced recipient's answer changed).
// The clock is injected (RunDue takes the time), so the schedule is testable without waiting.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway/directory/operator_source.h"
#include "gateway/server/context.h"
#include "operators/operator_client.h"

namespace gw::gateway {

struct DirectorySchedule {
  int64_t interval_ms = 900000;
  int64_t jitter_ms = 60000;       // added at random, 0..jitter, so gateways do not sync in step
  int64_t lease_ms = 600000;       // a sync longer than this may be taken over
  int64_t backoff_initial_ms = 30000;
};

class DirectoryScheduler {
 public:
  // One source: its name and how to run one sync from a cursor; optionally how to ask it about
  // single recipients now (sources whose operator answers per recipient).
  struct Source {
    std::string name;
    std::function<Result<SyncOutcome>(const std::string& cursor, int64_t now_ms)> sync;
    int64_t interval_ms = 0;  // 0: the schedule's
    std::function<Result<SyncOutcome>(const std::vector<std::string>& ids, int64_t now_ms)> check = {};
    std::function<bool(const std::string& id)> answers_for = {};  // which identifiers `check` can answer
  };

  DirectoryScheduler(App& app, DirectorySchedule schedule, std::string owner);
  ~DirectoryScheduler();

  // The sources of the operator registry, unless an operator's `directory` is false:
  //  - protocol gateway: its receiver list (full, then changes), and receivers checks on demand;
  //  - protocol ee-erp: the company status check of the recipients the tenants invoiced in the
  //    last directory.recent_days and of those it answered before (batches of 100), and on demand;
  //  - protocol registry-dump: its dump file (path or URL).
  Status AddOperatorSources();
  void AddSource(Source source) { sources_.push_back(std::move(source)); }
  const std::vector<Source>& sources() const { return sources_; }

  // Runs the syncs that are due at `now_ms` (or all of `only` when forced); returns how many ran.
  // After any run, the capability watch.
  int RunDue(int64_t now_ms, const std::string& only = "", bool force = false);
  // Of the last RunDue: syncs that failed (or lost their lease, or could not be claimed for a
  // database error), and forced ones another process was running.
  int last_failed() const { return last_failed_; }
  int last_busy() const { return last_busy_; }
  // Asks the running thread to sync `source` ("" = every source) now, whatever its schedule.
  // kNotFound for an unknown source. Returns the names asked for.
  Result<std::vector<std::string>> RequestSync(const std::string& source);
  // Asks the sources that check single recipients about `id` now (those that listed it before,
  // else every source that can answer for it), records their answers and runs the watch.
  // Returns how many sources answered; an error only when every source asked failed.
  Result<int> CheckNow(const std::string& id, int64_t now_ms);
  // Compares each invoiced recipient's answer with the one its tenant was last told of, and
  // appends a `recipient.capability` event where it changed. Returns the events appended.
  Result<int> WatchCapabilities(int64_t now_ms);

  // Starts a thread that calls RunDue every second (at once when asked) until App::stopping.
  void Start();
  void Stop();

 private:
  App& app_;
  DirectorySchedule schedule_;
  std::string owner_;
  std::vector<Source> sources_;
  std::map<std::string, std::unique_ptr<operators::OperatorClient>> clients_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::set<std::string> requested_;  // sources asked for by RequestSync ("" = all)
  std::mutex watch_mu_;
  int64_t watched_until_ms_ = 0;     // the capability watch has seen changes up to here
  int last_failed_ = 0, last_busy_ = 0;
};

}  // namespace gw::gateway
