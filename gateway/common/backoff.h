// Exponential backoff with jitter, shared by the outbox and the webhook dispatcher: the delay
// before attempt `failed_attempts + 1` is initial * 2^(failed_attempts - 1), capped at max_ms, then
// a random point in its upper half, so retries of many items do not fire in lockstep.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

namespace gw::gateway {

inline int64_t BackoffMs(int failed_attempts, int64_t initial_ms, int64_t max_ms) {
  int64_t delay = initial_ms;
  for (int i = 1; i < failed_attempts && delay < max_ms; ++i) delay *= 2;
  delay = std::min(delay, max_ms);
  thread_local std::mt19937_64 rng(std::random_device{}());
  return delay / 2 + static_cast<int64_t>(rng() % static_cast<uint64_t>(delay / 2 + 1));
}

}  // namespace gw::gateway
