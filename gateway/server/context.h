// What every request handler gets: the gateway's shared parts (App), and per request the
// authenticated tenant, the path parameters, and helpers to answer in the API's conventions
// (JSON, problem+json, RFC 3339 times).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "formats/registry/format_registry.h"
#include "gateway/config/config.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/server/metrics.h"
#include "gateway/storage/store.h"
#include "certs/keys/key_store.h"
#include "certs/keys/trust_store.h"
#include "operators/routing/static_routes.h"

namespace gw::gateway {

// Wakes the outbox workers when this process queued work due now (a submission, a forward, a
// status), so they need not wait for their next poll; jobs of other processes are found by polling.
class Doorbell {
 public:
  void Ring() {
    {
      std::lock_guard lock(mu_);
      ++rings_;
    }
    cv_.notify_all();
  }
  // Waits until rung after `seen` (updated) or `ms` pass.
  void Wait(uint64_t& seen, int64_t ms) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return rings_ != seen; });
    seen = rings_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t rings_ = 0;
};

// The parts of a running gateway that handlers and workers share. Read-only after start-up
// except `stopping` and what is internally synchronized (store, metrics).
class DirectoryScheduler;
class RecipientCache;

struct App {
  Config config;
  std::unique_ptr<storage::Store> store;
  formats::FormatRegistry registry;
  std::unique_ptr<operators::StaticRoutes> routes;
  Metrics metrics;
  std::atomic<bool> stopping{false};
  Doorbell outbox_bell;
  std::string openapi_yaml;  // served at /v1/openapi.yaml
  // This gateway as an operator ([node]): the key that signs receipts and documents, the CAs
  // trusted for partners' receipts and inbound signatures, and who may call /operator/v1.
  std::unique_ptr<certs::SigningKey> signing_key;
  std::map<std::string, std::unique_ptr<certs::SigningKey>> tenant_keys;  // tenant id -> its own key
  certs::TrustStore trust;
  std::map<std::string, std::string> operator_tokens;  // SHA-256 hex of a token -> operator id
  std::map<std::string, std::string> operator_certs;   // SHA-256 hex of a DER certificate -> operator id
  // The directory's scheduler when the server runs one (manual refresh, on-demand checks).
  DirectoryScheduler* directory = nullptr;
  // The cache of recipient answers for the API (gateway/directory/recipient_cache.h), when set.
  std::shared_ptr<RecipientCache> recipients;
};

// The key that signs `tenant_id`'s documents: its own ([tenant.<name>]) or [node]'s; null if none.
const certs::SigningKey* SigningKeyFor(const App& app, const std::string& tenant_id);

// Loads [node]'s key and trust store and the operators' inbound credentials into `app`.
Status LoadNode(App& app);
// Announces the recipients of [routing] recipient.* as roaming receivers (receiver lists).
Status AnnounceRoutes(App& app);

int64_t NowMs();
// 1764266462345 -> "2026-11-27T18:01:02.345Z".
std::string Rfc3339(int64_t ms);
// Parses RFC 3339 ("2026-11-27T18:01:02Z", fraction and offset allowed) into ms; false if not.
bool ParseRfc3339(std::string_view text, int64_t& ms);
// Parses a day "YYYY-MM-DD" (a real calendar day) into the ms of its start (UTC); false if not.
bool ParseDay(std::string_view text, int64_t& ms);

// An event as the API shows it (SSE data, webhook body).
std::string EventJson(const storage::Event& event);
// invoice.status, inbox.status or recipient.capability.
std::string EventType(const storage::Event& event);

struct Ctx {
  App& app;
  Poco::Net::HTTPServerRequest& request;
  Poco::Net::HTTPServerResponse& response;
  std::string request_id;
  std::string route;                  // metrics label, e.g. "/v1/invoices/{id}"
  std::vector<std::string> params;    // path parameters in order
  storage::Tenant tenant;             // set after authentication (ERP routes)
  std::string operator_id;            // set after authentication (/operator/v1 routes)
  int status = 0;                     // the answer's status, for metrics and logs
  bool body_read = false;             // ReadBody ran (else Send discards the body first)
  // A web page's signed-in user (else empty: an API key, which may do all its tenant may): the
  // role, and for a customer the buyer endpoint whose invoices it may see.
  std::string role{}, username{}, buyer{};

  // Sends `body` with `status` and content type.
  void Send(int status, std::string_view content_type, std::string_view body);
  void SendJson(int status, std::string_view json) { Send(status, "application/json", json); }
  // Sends an archived document (200) with its media type, Digest (sha-256, base64) and ETag.
  void SendDocument(const storage::Document& document);
  // Sends an RFC 9457 problem with the stable `code` and, when given, the findings.
  void Problem(int status, std::string_view code, std::string_view title, std::string_view detail,
               const std::vector<Finding>& findings = {});
  void NotFound() { Problem(404, "not_found", "Not found", "there is no such resource"); }
  void Unavailable(const Error& e);
  // Reads the whole body; false (after answering 413) when it is over the configured limit.
  bool ReadBody(std::string& body);
  // Whether this caller may see `invoice` of its tenant (a customer: only those to its buyer).
  bool MaySee(const storage::Invoice& invoice) const;
  // A query parameter ("" when absent) and whether it was given.
  std::string Query(const std::string& name, bool* present = nullptr) const;
};

}  // namespace gw::gateway
