// A cache of the directory's answers for the recipient lookups of the API (GET /v1/recipients,
// POST /v1/recipients/check), which ERPs call often for the same customers. An answer is reused
// while its recipient is unchanged: this process forgets what it writes (a recipient it checked,
// everything after a sync), and learns what any process changed by asking the store for the
// identifiers changed since its last look, at most once a second (many changes, or a change of
// this gateway's own recipients, drop everything); an answer is never older than `ttl_ms` (its
// verification time may move without a change; a write committed late in the same millisecond as
// the last look is also seen by then). Thread-safe; 16 shards.
#pragma once

#include <array>
#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>

#include "gateway/directory/recipient_lookup.h"

namespace gw::gateway {

class RecipientCache {
 public:
  explicit RecipientCache(size_t capacity = 200000, int64_t ttl_ms = 10000, int64_t version_poll_ms = 1000)
      : capacity_per_shard_(capacity / kShards + 1), ttl_ms_(ttl_ms), version_poll_ms_(version_poll_ms) {}

  // LookupRecipient, answered from the cache when it can be.
  Result<RecipientAnswer> Lookup(App& app, const std::string& id, const std::string& document_type, int64_t now_ms);
  // Forgets every answer (this process changed the directory).
  void Invalidate() { generation_.fetch_add(1); }
  // Forgets the answers for one recipient.
  void Forget(const std::string& id);

 private:
  static constexpr size_t kShards = 16;
  struct Entry {
    RecipientAnswer answer;
    uint64_t generation = 0;
    int64_t cached_ms = 0;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Entry> map;
  };
  void PollVersion(App& app, int64_t now_ms);

  std::array<Shard, kShards> shards_;
  size_t capacity_per_shard_;
  int64_t ttl_ms_, version_poll_ms_;
  std::atomic<uint64_t> generation_{1};
  std::mutex version_mu_;
  bool polled_ = false;
  int64_t changed_ms_ = 0, receivers_seq_ = 0;  // of the last look at the store
  std::atomic<int64_t> version_checked_ms_{0};
};

}  // namespace gw::gateway
