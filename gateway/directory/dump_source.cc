#include "gateway/directory/dump_source.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "gateway/common/json_out.h"
#include "gateway/common/strings.h"
#include "operators/directory/registry_dump.h"
#include "operators/directory/registry_source.h"

namespace gw::gateway {
namespace {

// Rows written per transaction: a full sync writes big batches; a delta small ones, so that its
// few changed rows are written while the rest of the dump is still being read.
constexpr size_t kBatch = 10000, kDeltaBatch = 1000;

// Writes batches of entries on a thread of its own while the dump is read on, so that reading and
// writing share the two cores instead of taking turns. At most two batches wait; a failed batch
// stops the writing, and Push tells the reader to stop.
class BatchWriter {
 public:
  BatchWriter(storage::Store& store, int64_t now_ms) : store_(store), now_ms_(now_ms) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~BatchWriter() { Stop(); }
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Queues a batch; false (nothing queued) once a batch has failed.
  bool Push(std::vector<storage::DirectoryEntry>&& batch) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return queue_.size() < 2 || !error_; });
    if (!error_) return false;
    queue_.push_back(std::move(batch));
    cv_.notify_all();
    return true;
  }
  // Waits until every queued batch is written; the first error, if any. The counts are then final.
  Status Close() {
    Stop();
    return error_;
  }
  // The same, when the outcome no longer matters (the read failed).
  void Stop() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  const storage::DirectoryCounts& counts() const { return counts_; }

 private:
  void Loop() {
    for (;;) {
      std::vector<storage::DirectoryEntry> batch;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
        if (queue_.empty()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
      }
      cv_.notify_all();
      auto put = store_.PutDirectory(batch, now_ms_);
      std::lock_guard lock(mu_);
      if (!put) {
        error_ = put.error();
        queue_.clear();
        cv_.notify_all();
        return;
      }
      counts_.added += put->added;
      counts_.changed += put->changed;
      counts_.unchanged += put->unchanged;
    }
  }

  storage::Store& store_;
  const int64_t now_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<storage::DirectoryEntry>> queue_;
  bool closing_ = false;
  Status error_ = OkStatus();
  storage::DirectoryCounts counts_;
  std::thread thread_;
};

// The cursor of a dump source: "sha256=<hex>\netag=<..>\nmodified=<..>".
struct DumpCursor {
  std::string sha256, etag, modified;

  static DumpCursor Parse(const std::string& text) {
    DumpCursor c;
    for (const auto& line : SplitList(text, '\n')) {
      const size_t eq = line.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
      if (key == "sha256") c.sha256 = value;
      if (key == "etag") c.etag = value;
      if (key == "modified") c.modified = value;
    }
    return c;
  }
  std::string ToString() const { return "sha256=" + sha256 + "\netag=" + etag + "\nmodified=" + modified; }
};

// The registry's operator ids -> our operators that deliver to them.
std::map<std::string, std::string> OperatorCodes(const std::vector<operators::OperatorSettings>& operators) {
  std::map<std::string, std::string> codes;
  for (const auto& op : operators) {
    if (op.protocol == "registry-dump") continue;
    codes[op.id] = op.id;
    for (const auto& code : SplitList(op.Get("codes"))) codes[code] = op.id;
  }
  return codes;
}

}  // namespace

Result<SyncOutcome> SyncRegistryDump(storage::Store& store, const operators::OperatorSettings& registry,
                                     const std::vector<operators::OperatorSettings>& operators,
                                     const std::string& spool, const std::string& cursor, int64_t now_ms,
                                     const std::atomic<bool>* stop, DumpMemory* memory) {
  const DumpCursor last = DumpCursor::Parse(cursor);
  auto fetched = operators::FetchRegistryDump(registry, spool, last.etag, last.modified);
  if (!fetched) return fetched.error();
  SyncOutcome out;
  out.full = true;
  if (fetched->not_modified || (!last.sha256.empty() && fetched->sha256 == last.sha256)) {
    // The same dump as last time: nothing is written; the run's success confirms its entries
    // (their verification time is the source's last success).
    out.cursor = cursor;
    return out;
  }
  DumpCursor next{fetched->sha256, fetched->etag, fetched->last_modified};
  // A delta against what this process wrote last, when it wrote the state the cursor names.
  const bool diff = memory && !memory->cursor.empty() && memory->cursor == cursor;
  if (memory) {
    memory->Begin(diff);
    memory->cursor.clear();  // valid again only when this sync succeeds
  }

  const auto codes = OperatorCodes(operators);
  const std::string via = registry.Get("via");
  const std::string formats = [&] {
    std::string f;
    for (const auto& name : registry.formats) f += (f.empty() ? "" : ",") + name;
    return f;
  }();
  const size_t batch_size = diff ? kDeltaBatch : kBatch;
  std::vector<storage::DirectoryEntry> batch;
  std::unordered_map<std::string, size_t> in_batch;  // identifier -> index: a repeated address keeps the last
  batch.reserve(batch_size);
  const auto started = std::chrono::steady_clock::now();
  BatchWriter writer(store, now_ms);
  auto flush = [&]() -> Status {
    if (stop && *stop) return SyncStopped(registry.id);
    if (batch.empty()) return OkStatus();
    if (!writer.Push(std::move(batch))) return writer.Close();
    batch = {};
    batch.reserve(batch_size);
    in_batch.clear();
    return OkStatus();
  };
  // The rows the writer has written, added to the rows the reader skipped as unchanged.
  auto finish_writes = [&]() -> Status {
    GW_RETURN_IF_ERROR(writer.Close());
    out.counts.added += writer.counts().added;
    out.counts.changed += writer.counts().changed;
    out.counts.unchanged += writer.counts().unchanged;
    return OkStatus();
  };
  std::ifstream in(fetched->path, std::ios::binary);
  if (!in) return Error::Unavailable("registry dump " + fetched->path + " cannot be read");
  operators::RegistryDumpStats stats;
  Status read = operators::ReadRegistryDump(
      in,
      [&](operators::RegistryEntry&& r) -> Status {
        std::string identifier = (r.address_scheme == "IBAN" ? "9918:" : "0037:") + r.address;
        if (memory) {
          // The row's hash (the configuration that maps it is fixed for the process's life).
          const std::hash<std::string> h;
          const uint64_t hash = h(r.operator_id) * 31 + h(r.business_id) * 17 + h(r.name) * 7 + h(r.address_scheme);
          if (memory->See(identifier, hash) == DumpMemory::Seen::kSame && diff) {
            // Unchanged since the last sync (or repeated in this dump): nothing to write.
            ++out.entries;
            ++out.counts.unchanged;
            return OkStatus();
          }
        }
        storage::DirectoryEntry e;
        e.identifier = std::move(identifier);
        e.source = registry.id;
        e.party_key = "0212:" + r.business_id;
        e.name = std::move(r.name);
        e.country = "FI";
        e.document_types = "invoice,credit_note";
        e.formats = formats;
        if (auto it = codes.find(r.operator_id); it != codes.end()) {
          e.operator_id = it->second;
          e.channel = "direct";
          e.path_json = "[]";
        } else {
          e.operator_id = r.operator_id;
          e.channel = "roaming";
          JsonOut path;
          path.BeginArray();
          if (!via.empty()) path.String(via);
          path.String(r.operator_id).EndArray();
          e.path_json = path.Take();
        }
        e.first_seen_ms = e.last_seen_ms = e.last_verified_ms = e.changed_ms = now_ms;
        ++out.entries;
        if (auto it = in_batch.find(e.identifier); it != in_batch.end()) {
          batch[it->second] = std::move(e);
        } else {
          in_batch.emplace(e.identifier, batch.size());
          batch.push_back(std::move(e));
        }
        if (batch.size() >= batch_size) {
          GW_RETURN_IF_ERROR(flush());
          if (static_cast<size_t>(out.entries % 200000) < batch_size) {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                  started).count();
            std::cerr << "eigw: directory: " << registry.id << ": " << out.entries << " entries read in " << ms
                      << " ms" << std::endl;
          }
        }
        return OkStatus();
      },
      &stats);
  if (!read) {
    // A dump that cannot be read (or a store that fails) changes nothing more: no sweep, so the
    // entries it did not reach are kept; the cursor stays, so the next run reads it again.
    writer.Stop();
    return Error(read.error().code(), "registry dump " + registry.url + ": " + read.error().message(),
                 read.error().retryable());
  }
  GW_RETURN_IF_ERROR(flush());
  GW_RETURN_IF_ERROR(finish_writes());
  if (stats.skipped > 0) {
    std::cerr << "eigw: directory: " << registry.id << ": " << stats.skipped << " of " << stats.rows
              << " rows skipped; the first: "
              << (stats.problems.empty() ? std::string("-") : operators::DescribeProblem(stats.problems.front()))
              << std::endl;
  }
  if (out.entries == 0 && stats.rows > 0) {
    // Every row bad: more likely a broken dump than an empty registry; keep what we have.
    return Error::InvalidArgument("registry dump " + registry.url + ": none of its " + std::to_string(stats.rows) +
                                  " rows is usable; the first problem: " +
                                  (stats.problems.empty() ? std::string("-")
                                                          : operators::DescribeProblem(stats.problems.front())));
  }
  if (diff) {
    // Identifiers of the last sync that this dump no longer has.
    std::vector<std::string> gone = memory->TakeUnseen();
    auto removed = store.RemoveDirectory(registry.id, gone, now_ms);
    if (!removed) return removed.error();
    out.counts.removed += *removed;
    out.full = false;
    out.cursor = next.ToString();
    memory->cursor = out.cursor;
    return out;
  }
  auto swept = store.SweepDirectory(registry.id, now_ms, now_ms);
  if (!swept) return swept.error();
  out.counts.removed += *swept;
  out.cursor = next.ToString();
  if (memory) memory->cursor = out.cursor;
  return out;
}

}  // namespace gw::gateway
