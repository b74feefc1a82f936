#include "gateway/directory/directory_scheduler.h"

#include <chrono>
#include <iostream>
#include <random>

#include "gateway/common/backoff.h"

namespace gw::gateway {

DirectoryScheduler::DirectoryScheduler(App& app, DirectorySchedule schedule, std::string owner)
    : app_(app), schedule_(schedule), owner_(std::move(owner)) {}

DirectoryScheduler::~DirectoryScheduler() { Stop(); }

Status DirectoryScheduler::AddOperatorSources() {
  operators::ClientContext context{app_.config.operator_id, &app_.trust};
  for (const auto& op : app_.config.operators) {
    if (op.protocol != "gateway" || op.Get("directory", "true") == "false") continue;
    auto client = operators::MakeOperatorClient(op, context);
    if (!client) return client.error();
    operators::OperatorClient* c = client->get();
    clients_[op.id] = std::move(*client);
    std::string name = op.id;
    AddSource({name, [this, c, name](const std::string& cursor, int64_t now_ms) {
                 return SyncOperatorReceivers(*app_.store, *c, name, cursor, now_ms);
               }});
  }
  return OkStatus();
}

int DirectoryScheduler::RunDue(int64_t now_ms, const std::string& only, bool force) {
  auto known = app_.store->ListSources();
  if (!known) {
    std::cerr << "eigw: directory: " << known.error().message() << std::endl;
    return 0;
  }
  std::map<std::string, storage::DirectorySource> state;
  for (auto& s : *known) state[s.name] = s;
  static thread_local std::mt19937_64 random(std::random_device{}());
  int ran = 0;
  for (const Source& source : sources_) {
    if (!only.empty() && source.name != only) continue;
    storage::DirectorySource run = state.count(source.name) ? state[source.name] : storage::DirectorySource{};
    run.name = source.name;
    if (!force && run.next_run_ms > now_ms) continue;
    auto claimed = app_.store->ClaimSource(source.name, owner_, now_ms, schedule_.lease_ms);
    if (!claimed || !*claimed) continue;  // another process is syncing it
    const auto started = std::chrono::steady_clock::now();
    auto outcome = source.sync(run.cursor, now_ms);
    const int64_t finished_ms = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - started)
                                             .count();
    run.last_finished_ms = finished_ms;
    run.duration_ms = finished_ms - now_ms;
    const int64_t jitter = schedule_.jitter_ms > 0 ? static_cast<int64_t>(random() % schedule_.jitter_ms) : 0;
    if (outcome) {
      run.cursor = outcome->cursor;
      run.last_success_ms = finished_ms;
      run.added = outcome->counts.added;
      run.changed = outcome->counts.changed;
      run.removed = outcome->counts.removed;
      run.failures = 0;
      run.last_error.clear();
      run.next_run_ms = now_ms + schedule_.interval_ms + jitter;
      std::cerr << "eigw: directory: " << source.name << ": " << (outcome->full ? "full" : "delta") << " sync, "
                << outcome->entries << " entries read, " << run.added << " added, " << run.changed << " changed, "
                << run.removed << " removed in " << run.duration_ms << " ms" << std::endl;
    } else {
      // The last known data stays; tried again sooner, backing off up to the interval.
      ++run.failures;
      ++run.errors;
      run.last_error = outcome.error().message();
      run.next_run_ms =
          now_ms + BackoffMs(run.failures, schedule_.backoff_initial_ms, schedule_.interval_ms) + jitter / 10;
      std::cerr << "eigw: directory: " << source.name << ": sync failed (" << run.failures
                << " in a row): " << run.last_error << std::endl;
    }
    if (auto st = app_.store->RecordSourceRun(run, owner_); !st)
      std::cerr << "eigw: directory: " << source.name << ": " << st.error().message() << std::endl;
    ++ran;
  }
  return ran;
}

void DirectoryScheduler::Start() {
  if (sources_.empty()) return;
  thread_ = std::thread([this] {
    while (!app_.stopping) {
      RunDue(NowMs());
      for (int i = 0; i < 10 && !app_.stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
}

void DirectoryScheduler::Stop() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace gw::gateway
