#include "gateway/server/metrics.h"

#include <cstdio>
#include <sstream>

namespace gw::gateway {

void Metrics::RecordRequest(const std::string& route, const std::string& method, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, method, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::RecordDeliveryAttempt(const std::string& outcome) {
  std::lock_guard lock(mutex_);
  ++attempts_[outcome];
}

void Metrics::RecordWebhookDelivery(const std::string& outcome) {
  std::lock_guard lock(mutex_);
  ++webhooks_[outcome];
}

void Metrics::RecordInbound(const std::string& disposition) {
  std::lock_guard lock(mutex_);
  ++inbound_[disposition];
}

void Metrics::RecordForward(const std::string& outcome) {
  std::lock_guard lock(mutex_);
  ++forwards_[outcome];
}

void Metrics::RecordStatusSent(const std::string& outcome) {
  std::lock_guard lock(mutex_);
  ++statuses_[outcome];
}

std::string Metrics::Render(const storage::OutboxStats* stats, int64_t now_ms,
                            const std::vector<storage::DirectorySource>* sources,
                            const int64_t* directory_entries) const {
  std::ostringstream o;
  std::lock_guard lock(mutex_);
  o << "# HELP eigw_http_requests_total HTTP requests by route, method and status.\n"
       "# TYPE eigw_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    o << "eigw_http_requests_total{route=\"" << route << "\",method=\"" << method << "\",status=\"" << status
      << "\"} " << n << "\n";
  }
  o << "# HELP eigw_http_request_duration_seconds Time from request to answer, by route.\n"
       "# TYPE eigw_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBuckets[i]);
      o << "eigw_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"" << le << "\"} " << h.counts[i]
        << "\n";
    }
    o << "eigw_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.count << "\n"
      << "eigw_http_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n"
      << "eigw_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count << "\n";
  }
  o << "# HELP eigw_delivery_attempts_total Delivery attempts to operators by outcome.\n"
       "# TYPE eigw_delivery_attempts_total counter\n";
  for (const char* outcome : {"delivered", "failed", "refused"}) {
    auto it = attempts_.find(outcome);
    o << "eigw_delivery_attempts_total{outcome=\"" << outcome << "\"} " << (it == attempts_.end() ? 0 : it->second)
      << "\n";
  }
  auto counter = [&](const char* name, const char* help, const char* label, const std::map<std::string, uint64_t>& m,
                     std::initializer_list<const char*> values) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
    for (const char* v : values) {
      auto it = m.find(v);
      o << name << "{" << label << "=\"" << v << "\"} " << (it == m.end() ? 0 : it->second) << "\n";
    }
  };
  counter("eigw_inbound_documents_total", "Documents operators delivered to this gateway, by disposition.",
          "disposition", inbound_, {"received", "forwarded", "rejected", "duplicate"});
  counter("eigw_forwards_total", "Documents forwarded to roaming partners, by outcome.", "outcome", forwards_,
          {"sent", "retrying", "failed"});
  counter("eigw_status_callbacks_total", "Business statuses sent back to operators, by outcome.", "outcome",
          statuses_, {"sent", "retrying", "failed"});
  o << "# HELP eigw_webhook_deliveries_total Webhook calls by outcome.\n"
       "# TYPE eigw_webhook_deliveries_total counter\n";
  for (const char* outcome : {"delivered", "failed"}) {
    auto it = webhooks_.find(outcome);
    o << "eigw_webhook_deliveries_total{outcome=\"" << outcome << "\"} " << (it == webhooks_.end() ? 0 : it->second)
      << "\n";
  }
  if (stats) {
    o << "# HELP eigw_invoices Invoices by status (all tenants).\n# TYPE eigw_invoices gauge\n";
    for (const auto& [status, n] : stats->invoices_by_status) o << "eigw_invoices{status=\"" << status << "\"} " << n << "\n";
    o << "# HELP eigw_outbox_depth Invoices waiting in the outbox.\n# TYPE eigw_outbox_depth gauge\n"
      << "eigw_outbox_depth " << stats->depth << "\n"
      << "# HELP eigw_outbox_oldest_age_seconds Age of the oldest invoice in the outbox.\n"
         "# TYPE eigw_outbox_oldest_age_seconds gauge\n"
      << "eigw_outbox_oldest_age_seconds " << (stats->oldest_ms ? (now_ms - *stats->oldest_ms) / 1000.0 : 0.0) << "\n";
  }
  if (directory_entries) {
    o << "# HELP eigw_directory_entries Live recipient entries of the directory (identifier and source).\n"
         "# TYPE eigw_directory_entries gauge\n"
      << "eigw_directory_entries " << *directory_entries << "\n";
  }
  if (sources) {
    auto gauge = [&](const char* name, const char* type, const char* help, auto value) {
      o << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
      for (const auto& s : *sources) o << name << "{source=\"" << s.name << "\"} " << value(s) << "\n";
    };
    gauge("eigw_directory_sync_duration_seconds", "gauge", "How long the last sync of each directory source took.",
          [](const storage::DirectorySource& s) { return s.duration_ms / 1000.0; });
    gauge("eigw_directory_last_success_age_seconds", "gauge",
          "Seconds since each directory source last synced successfully (-1: never).",
          [&](const storage::DirectorySource& s) {
            return s.last_success_ms > 0 ? (now_ms - s.last_success_ms) / 1000.0 : -1.0;
          });
    gauge("eigw_directory_sync_errors_total", "counter", "Failed syncs of each directory source.",
          [](const storage::DirectorySource& s) { return s.errors; });
    gauge("eigw_directory_consecutive_failures", "gauge", "Failed syncs of each directory source since its last success.",
          [](const storage::DirectorySource& s) { return s.failures; });
  }
  return o.str();
}

}  // namespace gw::gateway
