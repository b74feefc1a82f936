#include "gateway/directory/directory_scheduler.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>

#include "gateway/common/backoff.h"
#include "gateway/directory/dump_source.h"
#include "gateway/directory/recipient_cache.h"
#include "gateway/directory/recipient_lookup.h"

namespace gw::gateway {
namespace {

// Where a downloaded registry dump is kept: beside the SQLite database, else the temporary folder.
std::string SpoolPath(const Config& config, const std::string& source) {
  std::filesystem::path dir = config.sqlite_path.empty() ? std::filesystem::temp_directory_path()
                                                         : std::filesystem::path(config.sqlite_path).parent_path();
  return (dir / ("directory-" + source + ".dump")).string();
}

bool EstonianRegistryCode(const std::string& id) {
  return id.size() > 5 && (id.starts_with("0191:") || id.starts_with("EE:") || id.starts_with("ee:"));
}

}  // namespace

DirectoryScheduler::DirectoryScheduler(App& app, DirectorySchedule schedule, std::string owner)
    : app_(app), schedule_(schedule), owner_(std::move(owner)) {}

DirectoryScheduler::~DirectoryScheduler() { Stop(); }

Status DirectoryScheduler::AddOperatorSources() {
  operators::ClientContext context{app_.config.operator_id, &app_.trust};
  for (const auto& op : app_.config.operators) {
    if (op.Get("directory", "true") == "false") continue;
    if (op.protocol != "gateway" && op.protocol != "ee-erp" && op.protocol != "registry-dump") continue;
    auto client = operators::MakeOperatorClient(op, context);
    if (!client) return client.error();
    operators::OperatorClient* c = client->get();
    clients_[op.id] = std::move(*client);
    Source source;
    source.name = op.id;
    source.interval_ms = std::stoll(op.Get("directory_interval_seconds", "0")) * 1000;
    const std::string name = op.id;
    if (op.protocol == "gateway") {
      source.sync = [this, c, name](const std::string& cursor, int64_t now_ms) {
        return SyncOperatorReceivers(*app_.store, *c, name, cursor, now_ms, &app_.stopping);
      };
      source.answers_for = [](const std::string&) { return true; };
    } else if (op.protocol == "ee-erp") {
      // The operator answers per company: the recipients the tenants invoiced lately, and those
      // it answered for before (so a recipient that leaves is noticed).
      source.sync = [this, c, name](const std::string&, int64_t now_ms) -> Result<SyncOutcome> {
        auto recent = app_.store->RecentRecipients(now_ms - app_.config.directory_recent_days * 86400000);
        if (!recent) return recent.error();
        auto known = app_.store->SourceIdentifiers(name);
        if (!known) return known.error();
        std::set<std::string> ids(known->begin(), known->end());
        for (const auto& id : *recent)
          if (EstonianRegistryCode(id)) ids.insert(id);
        auto out = SyncCheckedRecipients(*app_.store, *c, name, {ids.begin(), ids.end()}, now_ms, &app_.stopping);
        if (out) out->full = true;
        return out;
      };
      source.answers_for = EstonianRegistryCode;
    } else {
      const std::string spool = SpoolPath(app_.config, op.id);
      const operators::OperatorSettings registry = op;
      auto memory = std::make_shared<DumpMemory>();
      source.sync = [this, registry, spool, memory](const std::string& cursor, int64_t now_ms) {
        return SyncRegistryDump(*app_.store, registry, app_.config.operators, spool, cursor, now_ms, &app_.stopping,
                                memory.get());
      };
    }
    if (source.answers_for) {
      source.check = [this, c, name](const std::vector<std::string>& ids, int64_t now_ms) {
        return SyncCheckedRecipients(*app_.store, *c, name, ids, now_ms);
      };
    }
    AddSource(std::move(source));
  }
  return OkStatus();
}

int DirectoryScheduler::RunDue(int64_t now_ms, const std::string& only, bool force) {
  static thread_local std::mt19937_64 random(std::random_device{}());
  int ran = 0;
  last_failed_ = 0;
  last_busy_ = 0;
  bool watched = false;
  for (const Source& source : sources_) {
    if (!only.empty() && source.name != only) continue;
    if (app_.stopping) break;
    // Claimed only when due (or forced) and free, in one statement; the run continues from the
    // state as claimed, so a process that looked before another one recorded its run does not
    // repeat it from an old cursor.
    auto claimed = app_.store->ClaimSource(source.name, owner_, now_ms, schedule_.lease_ms, force);
    if (!claimed) {
      std::cerr << "eigw: directory: " << source.name << ": cannot claim the source: " << claimed.error().message()
                << std::endl;
      ++last_failed_;
      continue;
    }
    if (!*claimed) {
      if (force) ++last_busy_;  // another process holds it
      continue;
    }
    storage::DirectorySource run = std::move(**claimed);
    if (!watched) {
      // Recipients invoiced since the last watch get their answer from before this sync, so a
      // change this sync makes is told to them.
      if (auto w = WatchCapabilities(now_ms); !w)
        std::cerr << "eigw: directory: capability watch: " << w.error().message() << std::endl;
      watched = true;
    }
    // The lease is renewed while the sync runs, so a long sync is never taken over.
    std::mutex renew_mu;
    std::condition_variable renew_cv;
    bool done = false;
    std::string lease_lost;
    std::thread renewer([&] {
      std::unique_lock lock(renew_mu);
      const auto period = std::chrono::milliseconds(std::max<int64_t>(schedule_.lease_ms / 3, 10));
      while (!renew_cv.wait_for(lock, period, [&] { return done; })) {
        if (auto st = app_.store->RenewSource(source.name, owner_, NowMs() + schedule_.lease_ms); !st) {
          lease_lost = st.error().message();
          return;
        }
      }
    });
    const auto started = std::chrono::steady_clock::now();
    auto outcome = source.sync(run.cursor, now_ms);
    {
      std::lock_guard lock(renew_mu);
      done = true;
    }
    renew_cv.notify_all();
    renewer.join();
    if (outcome && !lease_lost.empty()) outcome = Error::FailedPrecondition(lease_lost);
    if (!outcome && app_.stopping && lease_lost.empty()) {
      // Stopped for a shutdown: not a failure of the source. The lease is freed with the state
      // as it was (what was written stays; a full sync did not sweep), due again at once.
      run.next_run_ms = now_ms;
      if (auto st = app_.store->RecordSourceRun(run, owner_); !st)
        std::cerr << "eigw: directory: " << source.name << ": " << st.error().message() << std::endl;
      std::cerr << "eigw: directory: " << source.name << ": sync stopped for the shutdown; it runs again at the next start"
                << std::endl;
      break;
    }
    const int64_t finished_ms = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - started)
                                             .count();
    run.last_finished_ms = finished_ms;
    run.duration_ms = finished_ms - now_ms;
    const int64_t interval = source.interval_ms > 0 ? source.interval_ms : schedule_.interval_ms;
    const int64_t jitter = schedule_.jitter_ms > 0 ? static_cast<int64_t>(random() % schedule_.jitter_ms) : 0;
    if (outcome) {
      run.cursor = outcome->cursor;
      run.last_success_ms = finished_ms;
      run.added = outcome->counts.added;
      run.changed = outcome->counts.changed;
      run.removed = outcome->counts.removed;
      run.failures = 0;
      run.last_error.clear();
      run.recount = outcome->full;  // a delta's writes kept the count of live entries
      run.next_run_ms = now_ms + interval + jitter;
    } else {
      // The last known data stays; tried again sooner, backing off up to the interval.
      ++run.failures;
      ++run.errors;
      ++last_failed_;
      run.last_error = outcome.error().message();
      run.next_run_ms = now_ms + BackoffMs(run.failures, schedule_.backoff_initial_ms, interval) + jitter / 10;
      std::cerr << "eigw: directory: " << source.name << ": sync failed (" << run.failures
                << " in a row): " << run.last_error << std::endl;
    }
    if (auto st = app_.store->RecordSourceRun(run, owner_); !st) {
      std::cerr << "eigw: directory: " << source.name << ": " << st.error().message() << std::endl;
      if (outcome) ++last_failed_;
    } else if (outcome) {
      // Written once the run is recorded, so its status is there when the line is.
      std::cerr << "eigw: directory: " << source.name << ": " << (outcome->full ? "full" : "delta") << " sync, "
                << outcome->entries << " entries read, " << run.added << " added, " << run.changed << " changed, "
                << run.removed << " removed in " << run.duration_ms << " ms" << std::endl;
    }
    ++ran;
  }
  if (ran > 0) {
    if (app_.recipients) app_.recipients->Invalidate();
    if (auto w = WatchCapabilities(now_ms); !w)
      std::cerr << "eigw: directory: capability watch: " << w.error().message() << std::endl;
  }
  return ran;
}

Result<std::vector<std::string>> DirectoryScheduler::RequestSync(const std::string& source) {
  std::vector<std::string> names;
  for (const auto& s : sources_)
    if (source.empty() || s.name == source) names.push_back(s.name);
  if (!source.empty() && names.empty()) {
    std::string all;
    for (const auto& s : sources_) all += (all.empty() ? "" : ", ") + s.name;
    return Error::NotFound("no directory source '" + source + "' (sources: " + (all.empty() ? "none" : all) + ")");
  }
  {
    std::lock_guard lock(mu_);
    requested_.insert(source);
  }
  wake_.notify_all();
  return names;
}

Result<int> DirectoryScheduler::CheckNow(const std::string& id, int64_t now_ms) {
  if (std::none_of(sources_.begin(), sources_.end(), [&](const Source& s) { return s.check && s.answers_for(id); }))
    return 0;  // no source can be asked about it (registry dumps only): nothing to read
  auto entries = app_.store->LookupDirectory(id);
  if (!entries) return entries.error();
  // The sources that listed it answer for it; when none of them can be asked (a registry dump),
  // the stored answer stands. Only a recipient nobody knows is asked of every source that can.
  std::set<std::string> listed;
  for (const auto& e : *entries) listed.insert(e.source);
  std::vector<const Source*> ask;
  for (const auto& s : sources_)
    if (s.check && (listed.empty() ? s.answers_for(id) : listed.count(s.name) > 0)) ask.push_back(&s);
  if (ask.empty()) return 0;
  // The tenants' current answers first, so a change this check finds is told to them.
  if (auto w = WatchCapabilities(now_ms); !w)
    std::cerr << "eigw: directory: capability watch: " << w.error().message() << std::endl;
  int answered = 0;
  std::string errors;
  for (const Source* s : ask) {
    auto got = s->check({id}, now_ms);
    if (got) {
      ++answered;
    } else {
      errors += (errors.empty() ? "" : "; ") + s->name + ": " + got.error().message();
    }
  }
  if (answered == 0 && !errors.empty()) return Error::Unavailable(errors);
  if (app_.recipients) app_.recipients->Forget(id);
  if (auto w = WatchCapabilities(now_ms); !w)
    std::cerr << "eigw: directory: capability watch: " << w.error().message() << std::endl;
  return answered;
}

Result<int> DirectoryScheduler::WatchCapabilities(int64_t now_ms) {
  std::lock_guard lock(watch_mu_);
  // A margin for writes of other processes that committed a little late.
  const int64_t since = watched_until_ms_ > 0 ? watched_until_ms_ - 60000 : 0;
  auto candidates = app_.store->WatchCandidates(since, since);
  if (!candidates) return candidates.error();
  int events = 0;
  for (const auto& w : *candidates) {
    auto answer = LookupRecipient(app_, w.identifier, "");
    if (!answer) return answer.error();
    const std::string key = AnswerKey(*answer);
    if (key == w.answer) continue;
    // The first answer is the baseline the tenant is measured against, not a change; nor is
    // learning about a recipient nothing knew (unknown -> known): only what was known and changed.
    const bool baseline = w.answer.empty() || w.answer.starts_with("no:unknown|");
    const std::string status = baseline ? "" : (answer->can_receive ? "can_receive" : answer->reason);
    auto seq = app_.store->SetWatchAnswer(w, key, status, RecipientJson(*answer, now_ms), now_ms);
    if (!seq) return seq.error();
    if (*seq > 0) ++events;
  }
  watched_until_ms_ = now_ms;
  if (events > 0) std::cerr << "eigw: directory: " << events << " capability change(s) told to tenants" << std::endl;
  return events;
}

void DirectoryScheduler::Start() {
  if (sources_.empty()) return;
  thread_ = std::thread([this] {
    while (!app_.stopping) {
      std::set<std::string> asked;
      {
        std::lock_guard lock(mu_);
        asked.swap(requested_);
      }
      if (asked.count("")) {
        RunDue(NowMs(), "", /*force=*/true);
      } else {
        for (const auto& name : asked) RunDue(NowMs(), name, /*force=*/true);
      }
      RunDue(NowMs());
      std::unique_lock lock(mu_);
      // Wakes at once for a request, and often enough to notice App::stopping.
      for (int i = 0; i < 10 && !app_.stopping && requested_.empty(); ++i)
        wake_.wait_for(lock, std::chrono::milliseconds(100));
    }
  });
}

void DirectoryScheduler::Stop() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace gw::gateway
