#include "gateway/directory/recipient_cache.h"

#include <functional>

#include "gateway/common/strings.h"

namespace gw::gateway {

void RecipientCache::Forget(const std::string& id) {
  // Keys are "<id>|<document type>"; ids are case-insensitive, as the directory's.
  for (const std::string& base : {id, AsciiLower(id)}) {
    for (const char* type : {"", "invoice", "credit_note"}) {
      const std::string key = base + "|" + type;
      Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
      std::lock_guard lock(shard.mu);
      shard.map.erase(key);
    }
  }
}

void RecipientCache::PollVersion(App& app, int64_t now_ms) {
  if (now_ms - version_checked_ms_.load(std::memory_order_relaxed) < version_poll_ms_) return;
  std::unique_lock lock(version_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // another thread is looking
  version_checked_ms_ = now_ms;
  constexpr int kMaxForgotten = 1000;
  auto changes = app.store->DirectoryChangesSince(changed_ms_, kMaxForgotten);
  if (!changes) {
    Invalidate();  // cannot tell: do not trust what is cached
    return;
  }
  if (!polled_ || changes->truncated || changes->receivers_seq != receivers_seq_) {
    if (polled_) Invalidate();
  } else {
    for (const auto& id : changes->identifiers) Forget(id);
  }
  polled_ = true;
  changed_ms_ = changes->max_changed_ms;
  receivers_seq_ = changes->receivers_seq;
}

Result<RecipientAnswer> RecipientCache::Lookup(App& app, const std::string& id, const std::string& document_type,
                                               int64_t now_ms) {
  PollVersion(app, now_ms);
  const std::string key = id + "|" + document_type;
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  const uint64_t generation = generation_.load();
  {
    std::lock_guard lock(shard.mu);
    auto it = shard.map.find(key);
    if (it != shard.map.end() && it->second.generation == generation && now_ms - it->second.cached_ms < ttl_ms_)
      return it->second.answer;
  }
  auto answer = LookupRecipient(app, id, document_type);
  if (!answer) return answer;
  decltype(shard.map) full;  // a full shard starts again; its entries are freed after the lock
  std::lock_guard lock(shard.mu);
  if (shard.map.size() >= capacity_per_shard_) full.swap(shard.map);
  shard.map[key] = Entry{*answer, generation, now_ms};
  return answer;
}

}  // namespace gw::gateway
