#include "gateway/server/server.h"

#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <openssl/x509.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/Context.h>
#include <Poco/ThreadPool.h>

#include "gateway/server/handlers.h"

namespace gw::gateway {
namespace {

using Handler = void (*)(Ctx&);

// kTenant: a tenant's API key, or a signed-in web page user whose role is in `roles`;
// kSession: only a signed-in user (roles as for kTenant); kOperator: a partner operator.
enum class Auth { kNone, kTenant, kSession, kOperator };

// The roles of the web pages' users (gateway/server/ui_api.cc).
constexpr const char* kStaff = "admin,finance";
constexpr const char* kAnyRole = "admin,finance,customer";
constexpr const char* kKeyOnly = "";

struct Route {
  const char* method;
  const char* pattern;  // segments; "{}" matches one segment
  Handler handler;
  Auth auth;
  const char* roles = kKeyOnly;  // which signed-in users may call it (API keys always may)
};

constexpr Route kRoutes[] = {
    {"POST", "/v1/invoices", handlers::PostInvoice, Auth::kTenant},
    {"GET", "/v1/invoices", handlers::ListInvoices, Auth::kTenant, kAnyRole},
    {"POST", "/v1/invoices/preflight", handlers::PreflightInvoice, Auth::kTenant},
    {"GET", "/v1/invoices/{}", handlers::GetInvoice, Auth::kTenant, kAnyRole},
    {"GET", "/v1/invoices/{}/documents/{}", handlers::GetDocument, Auth::kTenant, kAnyRole},
    {"GET", "/v1/invoices/{}/view", handlers::GetInvoiceView, Auth::kTenant, kAnyRole},
    {"GET", "/v1/events", handlers::StreamEvents, Auth::kTenant, kAnyRole},
    {"POST", "/v1/webhooks", handlers::PostWebhook, Auth::kTenant},
    {"GET", "/v1/webhooks", handlers::ListWebhooks, Auth::kTenant},
    {"DELETE", "/v1/webhooks/{}", handlers::DeleteWebhook, Auth::kTenant},
    {"GET", "/v1/webhooks/{}/deliveries", handlers::ListDeliveries, Auth::kTenant},
    {"POST", "/v1/webhooks/{}/deliveries/{}/replay", handlers::ReplayDelivery, Auth::kTenant},
    {"GET", "/v1/inbox", handlers::ListInbox, Auth::kTenant, kStaff},
    {"GET", "/v1/inbox/{}", handlers::GetInboxItem, Auth::kTenant, kStaff},
    {"GET", "/v1/inbox/{}/document", handlers::GetInboxDocument, Auth::kTenant, kStaff},
    {"POST", "/v1/inbox/{}/ack", handlers::AckInboxItem, Auth::kTenant},
    {"POST", "/v1/inbox/{}/response", handlers::RespondToInboxItem, Auth::kTenant},
    {"GET", "/v1/recipients/{}", handlers::GetRecipient, Auth::kTenant, kStaff},
    {"POST", "/v1/recipients/check", handlers::CheckRecipients, Auth::kTenant, kStaff},
    {"GET", "/v1/directory/status", handlers::DirectoryStatus, Auth::kTenant, kStaff},
    {"POST", "/v1/directory/sync", handlers::SyncDirectory, Auth::kTenant, kStaff},
    {"GET", "/v1/kpis", handlers::Kpis, Auth::kTenant, kStaff},
    {"POST", "/operator/v1/messages", handlers::PostOperatorMessage, Auth::kOperator},
    {"GET", "/operator/v1/receivers", handlers::ListOperatorReceivers, Auth::kOperator},
    {"POST", "/operator/v1/receivers/check", handlers::CheckOperatorReceivers, Auth::kOperator},
    {"POST", "/operator/v1/statuses", handlers::PostOperatorStatus, Auth::kOperator},
    {"GET", "/v1/openapi.yaml", handlers::OpenApi, Auth::kNone},
    {"GET", "/healthz", handlers::Healthz, Auth::kNone},
    {"GET", "/readyz", handlers::Readyz, Auth::kNone},
    {"GET", "/metrics", handlers::MetricsText, Auth::kNone},
    // The web pages.
    {"GET", "/ui", handlers::UiAsset, Auth::kNone},
    {"GET", "/ui/{}", handlers::UiAsset, Auth::kNone},
    {"POST", "/ui/api/login", handlers::UiLogin, Auth::kNone},
    {"POST", "/ui/api/logout", handlers::UiLogout, Auth::kNone},
    {"GET", "/ui/api/me", handlers::UiMe, Auth::kNone},
    {"GET", "/ui/api/operators", handlers::UiOperators, Auth::kSession, kStaff},
    {"GET", "/ui/api/certificates", handlers::UiCertificates, Auth::kSession, kStaff},
};

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    size_t end = path.find('/');
    out.push_back(path.substr(0, end));
    path.remove_prefix(end == std::string_view::npos ? path.size() : end);
  }
  return out;
}

// Whether `path` matches `pattern`; fills the "{}" segments into params.
bool Match(std::string_view pattern, const std::vector<std::string_view>& path, std::vector<std::string>& params) {
  auto want = Segments(pattern);
  if (want.size() != path.size()) return false;
  params.clear();
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] == "{}") {
      params.emplace_back(path[i]);
    } else if (want[i] != path[i]) {
      return false;
    }
  }
  return true;
}

// API key -> tenant, remembered for a few seconds so a busy client costs no query per request.
class KeyCache {
 public:
  std::optional<storage::Tenant> Find(const std::string& hash, int64_t now_ms) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(hash);
    if (it == entries_.end() || now_ms - it->second.second > 5000) return std::nullopt;
    return it->second.first;
  }
  void Put(const std::string& hash, const storage::Tenant& tenant, int64_t now_ms) {
    std::lock_guard lock(mutex_);
    if (entries_.size() > 10000) entries_.clear();
    entries_[hash] = {tenant, now_ms};
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::pair<storage::Tenant, int64_t>> entries_;
};

class ApiHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  ApiHandler(App& app, KeyCache& keys) : app_(app), keys_(keys) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    auto started = std::chrono::steady_clock::now();
    Ctx ctx{app_, request, response, storage::NewId("req_").substr(0, 20), "unmatched", {}, {}, {}, 0};
    try {
      Dispatch(ctx);
    } catch (const std::exception& e) {
      std::cerr << "eigw: request " << ctx.request_id << " " << request.getMethod() << " " << ctx.route
                << " failed: " << e.what() << std::endl;
      if (!response.sent()) {
        ctx.Problem(500, "internal_error", "Internal error", "the gateway failed; the log has request " + ctx.request_id);
      }
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    app_.metrics.RecordRequest(ctx.route, request.getMethod(), ctx.status, seconds);
  }

 private:
  void Dispatch(Ctx& ctx) {
    const std::string& uri = ctx.request.getURI();
    auto path = Segments(std::string_view(uri).substr(0, uri.find('?')));
    std::vector<std::string> params;
    std::string allowed;
    const Route* found = nullptr;
    for (const Route& r : kRoutes) {
      if (!Match(r.pattern, path, params)) continue;
      if (ctx.request.getMethod() == r.method) {
        found = &r;
        break;
      }
      allowed += (allowed.empty() ? "" : ", ") + std::string(r.method);
    }
    if (!found) {
      if (!allowed.empty()) {
        ctx.route = "method_not_allowed";
        ctx.response.set("Allow", allowed);
        return ctx.Problem(405, "method_not_allowed", "Method not allowed",
                           ctx.request.getMethod() + " is not allowed here; allowed: " + allowed);
      }
      return ctx.NotFound();
    }
    Match(found->pattern, path, ctx.params);
    ctx.route = found->pattern;
    for (size_t p = ctx.route.find("{}"); p != std::string::npos; p = ctx.route.find("{}")) ctx.route.replace(p, 2, "{id}");
    if (found->auth == Auth::kTenant && !Authenticate(ctx, found->roles)) return;
    if (found->auth == Auth::kSession && !AuthenticateSession(ctx, found->roles)) return;
    if (found->auth == Auth::kOperator && !AuthenticateOperator(ctx)) return;
    if (app_.stopping && found->handler == handlers::StreamEvents)
      return ctx.Problem(503, "unavailable", "Shutting down", "the gateway is stopping; reconnect with Last-Event-ID");
    found->handler(ctx);
  }

  bool Authenticate(Ctx& ctx, std::string_view roles) {
    const std::string auth = ctx.request.get("Authorization", "");
    // No API key but a web page's session cookie: the signed-in user, within its role.
    if (auth.empty() && ctx.request.get("Cookie", "").find("eigw_session=") != std::string::npos)
      return AuthenticateSession(ctx, roles);
    auto unauthorized = [&](const std::string& detail) {
      ctx.response.set("WWW-Authenticate", "Bearer");
      ctx.Problem(401, "unauthorized", "Unauthorized", detail);
      return false;
    };
    if (!auth.starts_with("Bearer ") || auth.size() <= 7)
      return unauthorized("send the tenant's API key as 'Authorization: Bearer <key>' (eigw keys create TENANT)");
    const std::string hash = storage::Sha256Hex(std::string_view(auth).substr(7));
    const int64_t now = NowMs();
    if (auto t = keys_.Find(hash, now)) {
      ctx.tenant = *t;
      return true;
    }
    auto tenant = app_.store->TenantForKey(hash);
    if (!tenant) {
      ctx.Unavailable(tenant.error());
      return false;
    }
    if (!*tenant) return unauthorized("the API key is unknown or revoked");
    keys_.Put(hash, **tenant, now);
    ctx.tenant = **tenant;
    return true;
  }

  // An operator by its bearer token or its TLS client certificate (docs/operator-protocol.md).
  bool AuthenticateOperator(Ctx& ctx) {
    const std::string auth = ctx.request.get("Authorization", "");
    if (auth.starts_with("Bearer ") && auth.size() > 7) {
      auto it = app_.operator_tokens.find(storage::Sha256Hex(std::string_view(auth).substr(7)));
      if (it != app_.operator_tokens.end()) {
        ctx.operator_id = it->second;
        return true;
      }
    } else if (!app_.operator_certs.empty() && !app_.config.tls_cert.empty()) {
      try {
        Poco::Net::SecureStreamSocket socket(static_cast<Poco::Net::HTTPServerRequestImpl&>(ctx.request).socket());
        if (socket.havePeerCertificate()) {
          Poco::Net::X509Certificate peer = socket.peerCertificate();
          const X509* cert = peer.certificate();
          unsigned char* der = nullptr;
          int len = i2d_X509(cert, &der);
          if (len > 0) {
            std::string fingerprint = storage::Sha256Hex(std::string_view(reinterpret_cast<char*>(der), len));
            OPENSSL_free(der);
            auto it = app_.operator_certs.find(fingerprint);
            if (it != app_.operator_certs.end()) {
              ctx.operator_id = it->second;
              return true;
            }
          }
        }
      } catch (const Poco::Exception&) {
        // not a TLS connection: no certificate
      }
    }
    ctx.response.set("WWW-Authenticate", "Bearer");
    ctx.Problem(401, "unauthorized", "Unauthorized",
                "send the token this gateway gave your operator as 'Authorization: Bearer <token>', or connect "
                "with the client certificate it knows");
    return false;
  }

  App& app_;
  KeyCache& keys_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(App& app) : app_(app) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new ApiHandler(app_, keys_);
  }

 private:
  App& app_;
  KeyCache keys_;
};

}  // namespace

Server::Server(App& app) : app_(app) {}
Server::~Server() = default;

Result<uint16_t> Server::Start() {
  const Config& c = app_.config;
  try {
    Poco::Net::SocketAddress address(c.listen_host, c.listen_port);
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    if (!c.tls_cert.empty()) {
      // With tls_client_ca, a client certificate is asked for and checked when sent (operators
      // authenticate with it); clients without one still connect and use tokens.
      Poco::Net::Context::Ptr context = new Poco::Net::Context(
          Poco::Net::Context::TLS_SERVER_USE, c.tls_key, c.tls_cert, c.tls_client_ca,
          c.tls_client_ca.empty() ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_RELAXED);
      context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                                Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
      socket = std::make_unique<Poco::Net::SecureServerSocket>(address, 256, context);
    } else {
      socket = std::make_unique<Poco::Net::ServerSocket>(address, 256);
    }
    uint16_t port = socket->address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(c.threads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);
    params->setKeepAliveTimeout(Poco::Timespan(30, 0));
    params->setTimeout(Poco::Timespan(60, 0));
    pool_ = std::make_unique<Poco::ThreadPool>(4, c.threads, 60);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(app_), *pool_, *socket, params);
    server_->start();
    return port;
  } catch (const Poco::Exception& e) {
    return Error::Unavailable("server.listen: cannot listen on " + c.listen_host + ":" +
                              std::to_string(c.listen_port) + ": " + e.displayText());
  }
}

void Server::Stop(int grace_ms) {
  if (!server_) return;
  // No new connections; each connection is shut down once its current request is answered (idle
  // keep-alive connections at once). Event streams end within a second (they watch App::stopping).
  std::atomic<bool> done{false};
  std::thread graceful([&] {
    server_->stopAll(false);
    done = true;
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  while (!done && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  while (server_->currentConnections() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!done) server_->stopAll(true);  // past the grace: cut the connections still busy
  graceful.join();
  pool_->joinAll();
}

}  // namespace gw::gateway
