// The directory's scheduler: every source every `interval` (900 s by default, with jitter), one
// sync of a source at a time across all gateway processes (a lease in the database), a failed
// sync retried with backoff while the last known data stays, manual refresh of one source or all.
// The clock is injected (RunDue takes the time), so the schedule is testable without waiting.
#pragma once

#include <functional>
#include <map>
#include <memory>
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
  // One source: its name and how to run one sync from a cursor.
  struct Source {
    std::string name;
    std::function<Result<SyncOutcome>(const std::string& cursor, int64_t now_ms)> sync;
  };

  DirectoryScheduler(App& app, DirectorySchedule schedule, std::string owner);
  ~DirectoryScheduler();

  // The sources of the operator registry: every operator that lists its receivers (protocol
  // gateway), unless its `directory` key says false.
  Status AddOperatorSources();
  void AddSource(Source source) { sources_.push_back(std::move(source)); }
  const std::vector<Source>& sources() const { return sources_; }

  // Runs the syncs that are due at `now_ms` (or all of `only` when forced); returns how many ran.
  int RunDue(int64_t now_ms, const std::string& only = "", bool force = false);
  // Starts a thread that calls RunDue every second until App::stopping.
  void Start();
  void Stop();

 private:
  App& app_;
  DirectorySchedule schedule_;
  std::string owner_;
  std::vector<Source> sources_;
  std::map<std::string, std::unique_ptr<operators::OperatorClient>> clients_;
  std::thread thread_;
};

}  // namespace gw::gateway
