// The web pages (/ui/): their static files, sign-in sessions, and the few reads only they need.
//
// Sessions: POST /ui/api/login checks the password (gateway/ui/password.h) and sets the cookie
// `eigw_session` (HttpOnly, SameSite=Strict, Secure behind TLS, 8 hours) holding a new random
// token: a token presented before the sign-in is never kept (no session fixation). The database
// keeps only the token's SHA-256. Each session has a CSRF token, given to the page by login and
// /ui/api/me; every request that changes something must send it back as X-CSRF-Token, and a
// request whose Origin is another site is refused. Five wrong passwords in a row lock the user
// for a minute; an unknown user costs the same scrypt work as a known one (no user enumeration
// by timing).
#include <openssl/crypto.h>

#include <ctime>
#include <iostream>

#include <Poco/Net/NameValueCollection.h>

#include "certs/keys/certificate.h"
#include "formats/json/json_value.h"
#include "gateway/common/json_out.h"
#include "gateway/common/strings.h"
#include "gateway/server/handlers.h"
#include "gateway/ui/password.h"

extern const char kUiAsset_index_html[];
extern const char kUiAsset_app_js[];
extern const char kUiAsset_app_css[];

namespace gw::gateway {
namespace {

constexpr const char* kCookie = "eigw_session";
constexpr int64_t kSessionMs = 8LL * 3600 * 1000;
constexpr int kMaxFailures = 5;
constexpr int64_t kLockMs = 60 * 1000;

// What every page and answer of /ui carries: no framing by other sites, no sniffing, no referrer
// to other sites, and a policy that lets the page load and call only this gateway.
void SecurityHeaders(Ctx& ctx) {
  ctx.response.set("Content-Security-Policy",
                   "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                   "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  ctx.response.set("X-Content-Type-Options", "nosniff");
  ctx.response.set("X-Frame-Options", "DENY");
  ctx.response.set("Referrer-Policy", "same-origin");
  ctx.response.set("Cache-Control", "no-store");
}

std::string CookieToken(const Ctx& ctx) {
  Poco::Net::NameValueCollection cookies;
  ctx.request.getCookies(cookies);
  return cookies.get(kCookie, "");
}

void SetCookie(Ctx& ctx, const std::string& token, int64_t max_age_s) {
  std::string cookie = std::string(kCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                       std::to_string(max_age_s);
  if (!ctx.app.config.tls_cert.empty()) cookie += "; Secure";
  ctx.response.set("Set-Cookie", cookie);
}

std::string UserJson(const storage::User& user, const std::string& tenant_name, const std::string& csrf) {
  JsonOut j;
  j.BeginObject().Key("user").BeginObject().Field("name", user.username).Field("role", user.role);
  if (user.tenant_id.empty()) {
    j.Key("tenant").Null();
  } else {
    j.Field("tenant", tenant_name);
  }
  if (user.buyer.empty()) {
    j.Key("buyer").Null();
  } else {
    j.Field("buyer", user.buyer);
  }
  j.EndObject().Field("csrf", csrf).EndObject();
  return j.Take();
}

std::string TenantName(Ctx& ctx, const std::string& tenant_id) {
  if (tenant_id.empty()) return "";
  auto t = ctx.app.store->FindTenant(tenant_id);
  return t && *t ? (*t)->name : tenant_id;
}

// The session of this request's cookie, with its user; nullopt (after answering 401) when none.
std::optional<std::pair<storage::UiSession, storage::User>> CurrentSession(Ctx& ctx) {
  const std::string token = CookieToken(ctx);
  if (!token.empty()) {
    auto found = ctx.app.store->FindUiSession(storage::Sha256Hex(token), NowMs());
    if (!found) {
      ctx.Unavailable(found.error());
      return std::nullopt;
    }
    if (*found) return std::move(**found);
  }
  ctx.Problem(401, "unauthorized", "Not signed in", "sign in at /ui/ (or send an API key to /v1)");
  return std::nullopt;
}

bool SameOrigin(const Ctx& ctx) {
  const std::string origin = ctx.request.get("Origin", "");
  if (origin.empty()) return true;  // not a cross-site browser request (SameSite=Strict covers the rest)
  const std::string host = ctx.request.get("Host", "");
  return origin == "http://" + host || origin == "https://" + host;
}

}  // namespace

bool AuthenticateSession(Ctx& ctx, std::string_view roles) {
  auto session = CurrentSession(ctx);
  if (!session) return false;
  const storage::User& user = session->second;
  const std::string method = ctx.request.getMethod();
  if (method != "GET" && method != "HEAD") {
    // A state change: the page's CSRF token and this site as origin.
    const std::string sent = ctx.request.get("X-CSRF-Token", "");
    const std::string& want = session->first.csrf;
    if (!SameOrigin(ctx) || sent.size() != want.size() || CRYPTO_memcmp(sent.data(), want.data(), want.size()) != 0) {
      ctx.Problem(403, "forbidden", "Forbidden",
                  "a signed-in request that changes something must come from this gateway's own pages with "
                  "their X-CSRF-Token");
      return false;
    }
  }
  bool allowed = false;
  for (const auto& r : SplitList(std::string(roles))) allowed = allowed || r == user.role;
  if (!allowed) {
    ctx.Problem(403, "forbidden", "Forbidden",
                "the role " + user.role + " does not allow " + method + " " + ctx.route);
    return false;
  }
  ctx.role = user.role;
  ctx.username = user.username;
  if (user.role == "admin") {
    // Every tenant, or the one named by ?tenant= (id or name).
    bool named = false;
    const std::string tenant = ctx.Query("tenant", &named);
    if (!named) {
      ctx.tenant = storage::Tenant{storage::kAllTenants, "all tenants", 0};
      return true;
    }
    auto t = ctx.app.store->FindTenant(tenant);
    if (!t) {
      ctx.Unavailable(t.error());
      return false;
    }
    if (!*t) {
      ctx.Problem(404, "not_found", "Not found", "there is no tenant '" + tenant + "'");
      return false;
    }
    ctx.tenant = **t;
    return true;
  }
  auto t = ctx.app.store->FindTenant(user.tenant_id);
  if (!t) {
    ctx.Unavailable(t.error());
    return false;
  }
  if (!*t) {
    ctx.Problem(403, "forbidden", "Forbidden", "the user's tenant no longer exists");
    return false;
  }
  ctx.tenant = **t;
  if (user.role == "customer") ctx.buyer = user.buyer;
  return true;
}

namespace handlers {

void UiAsset(Ctx& ctx) {
  const std::string name = ctx.params.empty() ? "index.html" : ctx.params[0];
  SecurityHeaders(ctx);
  if (name == "index.html") return ctx.Send(200, "text/html; charset=utf-8", kUiAsset_index_html);
  if (name == "app.js") return ctx.Send(200, "text/javascript; charset=utf-8", kUiAsset_app_js);
  if (name == "app.css") return ctx.Send(200, "text/css; charset=utf-8", kUiAsset_app_css);
  ctx.NotFound();
}

void UiLogin(Ctx& ctx) {
  SecurityHeaders(ctx);
  if (!SameOrigin(ctx))
    return ctx.Problem(403, "forbidden", "Forbidden", "sign in from this gateway's own page");
  std::string body;
  if (!ctx.ReadBody(body)) return;
  auto parsed = formats::json::Parse(body);
  if (!parsed || parsed->kind != formats::json::JsonValue::Kind::kObject)
    return ctx.Problem(400, "malformed_json", "Malformed JSON", "send {\"username\": \"...\", \"password\": \"...\"}");
  const std::string username = formats::json::GetString(*parsed, "username");
  const std::string password = formats::json::GetString(*parsed, "password");
  if (username.empty() || password.empty() || username.size() > 200 || password.size() > 1024)
    return ctx.Problem(400, "invalid_parameter", "Invalid request", "username and password are both needed");
  auto user = ctx.app.store->FindUser(username);
  if (!user) return ctx.Unavailable(user.error());
  const int64_t now = NowMs();
  // The same work whether or not the user exists.
  static const std::string kDummy = *ui::HashPassword("an unused password to spend the same time");
  const bool exists = user->has_value();
  const bool locked = exists && (*user)->locked_until_ms > now;
  const bool ok = ui::CheckPassword(password, exists ? (*user)->password_hash : kDummy) && exists && !locked;
  if (!ok) {
    if (exists && !locked) {
      // The failure must be counted (else guessing is unlimited): no answer but 503 without it.
      const int failures = (*user)->failed_logins + 1;
      if (auto st = ctx.app.store->RecordSignIn((*user)->id, false, failures >= kMaxFailures ? now + kLockMs : 0);
          !st)
        return ctx.Unavailable(st.error());
    }
    return ctx.Problem(401, "unauthorized", "Sign-in failed",
                       locked ? "too many wrong passwords: the account is locked for a minute"
                              : "the username or the password is wrong");
  }
  if (auto st = ctx.app.store->RecordSignIn((*user)->id, true, 0); !st) return ctx.Unavailable(st.error());
  // Whatever session the browser had ends; the new one has a new token (no fixation).
  if (const std::string old = CookieToken(ctx); !old.empty()) {
    if (auto st = ctx.app.store->RemoveUiSession(storage::Sha256Hex(old)); !st) return ctx.Unavailable(st.error());
  }
  const std::string token = storage::NewId("") + storage::NewId("");
  storage::UiSession session{storage::Sha256Hex(token), (*user)->id, storage::NewId(""), now, now + kSessionMs};
  if (auto st = ctx.app.store->AddUiSession(session); !st) return ctx.Unavailable(st.error());
  SetCookie(ctx, token, kSessionMs / 1000);
  std::cerr << "eigw: ui: " << username << " signed in (" << (*user)->role << ")" << std::endl;
  ctx.SendJson(200, UserJson(**user, TenantName(ctx, (*user)->tenant_id), session.csrf));
}

void UiLogout(Ctx& ctx) {
  SecurityHeaders(ctx);
  auto session = CurrentSession(ctx);
  if (!session) return;
  const std::string sent = ctx.request.get("X-CSRF-Token", "");
  if (!SameOrigin(ctx) || sent != session->first.csrf)
    return ctx.Problem(403, "forbidden", "Forbidden", "sign out from this gateway's own pages");
  if (auto st = ctx.app.store->RemoveUiSession(session->first.token_sha256); !st) return ctx.Unavailable(st.error());
  SetCookie(ctx, "", 0);
  ctx.Send(204, "application/json", "");
}

void UiMe(Ctx& ctx) {
  SecurityHeaders(ctx);
  auto session = CurrentSession(ctx);
  if (!session) return;
  ctx.SendJson(200, UserJson(session->second, TenantName(ctx, session->second.tenant_id), session->first.csrf));
}

void UiOperators(Ctx& ctx) {
  SecurityHeaders(ctx);
  JsonOut j;
  j.BeginObject().Key("items").BeginArray();
  for (const auto& op : ctx.app.config.operators) {
    j.BeginObject().Field("id", op.id).Field("name", op.name).Field("protocol", op.protocol).Field("url", op.url);
    j.Key("formats").BeginArray();
    for (const auto& f : op.formats) j.String(f);
    j.EndArray().Field("e_invoice", op.Get("e_invoice", "true") != "false").EndObject();
  }
  j.EndArray().EndObject();
  ctx.SendJson(200, j.Take());
}

void UiCertificates(Ctx& ctx) {
  SecurityHeaders(ctx);
  const std::time_t now = std::time(nullptr);
  JsonOut j;
  j.BeginObject().Key("items").BeginArray();
  auto add = [&](const std::string& tenant, const certs::SigningKey* key) {
    if (!key || !key->certificate()) return;
    const auto info = certs::DescribeCertificate(key->certificate());
    j.BeginObject();
    if (tenant.empty()) {
      j.Key("tenant").Null();
    } else {
      j.Field("tenant", tenant);
    }
    j.Field("subject", info.subject)
        .Field("issuer", info.issuer)
        .Field("key_type", info.key)
        .Field("not_after", Rfc3339(static_cast<int64_t>(info.not_after) * 1000))
        .Field("days_left", static_cast<int64_t>(info.DaysLeft(now)))
        .EndObject();
  };
  add("", ctx.app.signing_key.get());
  for (const auto& [tenant_id, key] : ctx.app.tenant_keys) {
    // A finance user sees its own tenant's key only.
    if (ctx.role == "admin" || tenant_id == ctx.tenant.id) add(TenantName(ctx, tenant_id), key.get());
  }
  j.EndArray().EndObject();
  ctx.SendJson(200, j.Take());
}

}  // namespace handlers
}  // namespace gw::gateway
