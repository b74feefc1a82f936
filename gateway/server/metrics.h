// Process metrics in the Prometheus text format: HTTP requests by route, method and status,
// request latency histograms by route, delivery attempts and webhook deliveries by outcome.
// Gauges that live in the database (invoices by status, outbox depth and age) are read when
// scraped. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "gateway/storage/store.h"

namespace gw::gateway {

class Metrics {
 public:
  void RecordRequest(const std::string& route, const std::string& method, int status, double seconds);
  void RecordDeliveryAttempt(const std::string& outcome);
  void RecordWebhookDelivery(const std::string& outcome);
  // Documents operators delivered, by disposition (received, forwarded, rejected, duplicate);
  // forwards and status callbacks this gateway sent, by outcome (sent, retrying, failed).
  void RecordInbound(const std::string& disposition);
  void RecordForward(const std::string& outcome);
  void RecordStatusSent(const std::string& outcome);
  // The exposition text; `stats` from Store::Stats, `sources` and `directory_entries` from the
  // directory's tables (each omitted when the database did not answer).
  std::string Render(const storage::OutboxStats* stats, int64_t now_ms,
                     const std::vector<storage::DirectorySource>* sources = nullptr,
                     const int64_t* directory_entries = nullptr) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, uint64_t> attempts_;
  std::map<std::string, uint64_t> webhooks_;
  std::map<std::string, uint64_t> inbound_, forwards_, statuses_;
};

}  // namespace gw::gateway
