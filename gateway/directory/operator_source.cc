#include "gateway/directory/operator_source.h"

#include "gateway/common/json_out.h"

namespace gw::gateway {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

storage::DirectoryEntry ToEntry(const operators::ReceiverInfo& r, const std::string& source, int64_t now_ms) {
  storage::DirectoryEntry e;
  e.identifier = r.id;
  e.source = source;
  e.name = r.name;
  e.operator_id = r.path.empty() ? source : r.path.back();
  e.channel = r.channel.empty() ? "direct" : r.channel;
  e.document_types = Join(r.document_types);
  e.formats = Join(r.formats);
  JsonOut path;
  path.BeginArray();
  for (const auto& p : r.path) path.String(p);
  path.EndArray();
  e.path_json = path.Take();
  e.first_seen_ms = e.last_seen_ms = e.last_verified_ms = e.changed_ms = now_ms;
  return e;
}

void Add(storage::DirectoryCounts& to, const storage::DirectoryCounts& from) {
  to.added += from.added;
  to.changed += from.changed;
  to.removed += from.removed;
  to.unchanged += from.unchanged;
}

}  // namespace

Error SyncStopped(const std::string& source) {
  return Error::Unavailable("the sync of " + source + " was stopped: the gateway is shutting down");
}

Result<SyncOutcome> SyncOperatorReceivers(storage::Store& store, operators::OperatorClient& client,
                                          const std::string& source, const std::string& cursor, int64_t now_ms,
                                          const std::atomic<bool>* stop) {
  SyncOutcome out;
  out.full = cursor.empty();
  std::string since = cursor;
  // A partner that keeps answering "more" without moving its cursor would loop for ever.
  for (int page = 0; page < 100000; ++page) {
    if (stop && *stop) return SyncStopped(source);
    auto got = client.ListReceivers(since);
    if (!got) return got.error();
    std::vector<storage::DirectoryEntry> live;
    std::vector<std::string> removed;
    for (const auto& r : got->receivers) {
      if (r.id.empty()) continue;
      ++out.entries;
      if (r.removed || !r.accepts) {
        removed.push_back(r.id);
      } else {
        live.push_back(ToEntry(r, source, now_ms));
      }
    }
    auto put = store.PutDirectory(live, now_ms);
    if (!put) return put.error();
    Add(out.counts, *put);
    auto gone = store.RemoveDirectory(source, removed, now_ms);
    if (!gone) return gone.error();
    out.counts.removed += *gone;
    const bool moved = got->next_cursor != since;
    if (!got->next_cursor.empty()) since = got->next_cursor;
    if (!got->more) break;
    if (!moved)
      return Error::Unavailable("operator " + source + " says more receivers follow but its cursor stays at '" +
                                since + "'");
  }
  if (out.full) {
    // Seen in this run: last_seen_ms = now_ms; everything older of this source is gone.
    auto swept = store.SweepDirectory(source, now_ms, now_ms);
    if (!swept) return swept.error();
    out.counts.removed += *swept;
  }
  out.cursor = since;
  return out;
}

Result<SyncOutcome> SyncCheckedRecipients(storage::Store& store, operators::OperatorClient& client,
                                          const std::string& source, const std::vector<std::string>& ids,
                                          int64_t now_ms, const std::atomic<bool>* stop) {
  SyncOutcome out;
  constexpr size_t kBatch = 100;
  for (size_t at = 0; at < ids.size(); at += kBatch) {
    if (stop && *stop) return SyncStopped(source);
    std::vector<std::string> batch(ids.begin() + static_cast<std::ptrdiff_t>(at),
                                   ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), at + kBatch)));
    auto answers = client.CheckRecipients(batch);
    if (!answers) return answers.error();
    std::vector<storage::DirectoryEntry> live;
    std::vector<std::string> not_registered;
    for (size_t i = 0; i < answers->size(); ++i) {
      operators::ReceiverInfo r = (*answers)[i];
      if (r.id.empty() && i < batch.size()) r.id = batch[i];
      if (r.id.empty()) continue;
      ++out.entries;
      if (r.accepts && !r.removed) {
        live.push_back(ToEntry(r, source, now_ms));
      } else {
        not_registered.push_back(r.id);
      }
    }
    auto put = store.PutDirectory(live, now_ms);
    if (!put) return put.error();
    Add(out.counts, *put);
    auto gone = store.MarkNotRegistered(source, not_registered, now_ms);
    if (!gone) return gone.error();
    out.counts.removed += *gone;
  }
  return out;
}

}  // namespace gw::gateway
