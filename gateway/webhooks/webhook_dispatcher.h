// Sends each status event to the tenant's webhooks: POST with the event as JSON, signed with
// HMAC-SHA256 over "<Webhook-Id>.<Webhook-Timestamp>.<body>" (docs/api.md), retried with
// exponential backoff and jitter until webhooks.max_attempts, every attempt in the delivery log.
#pragma once

#include <string>
#include <thread>
#include <vector>

#include "gateway/server/context.h"

namespace gw::gateway {

// "v1=<lower-case hex HMAC-SHA256(secret, id + "." + timestamp + "." + body)>".
std::string WebhookSignature(const std::string& secret, const std::string& id, int64_t timestamp,
                             const std::string& body);

class WebhookDispatcher {
 public:
  explicit WebhookDispatcher(App& app, int threads = 2) : app_(app), thread_count_(threads) {}
  ~WebhookDispatcher() { Stop(); }
  void Start();
  void Stop();

 private:
  void Loop(int index);
  // Sends one call; the HTTP status (0 when there was no answer) and an error text.
  std::pair<int, std::string> Send(const storage::Store::DueDelivery& due);

  App& app_;
  int thread_count_;
  std::vector<std::thread> threads_;
};

}  // namespace gw::gateway
