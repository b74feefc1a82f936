// GET /v1/events (Server-Sent Events) and the webhook subscriptions.
#include <cctype>
#include <ostream>
#include <unordered_map>

#include "formats/json/json_value.h"
#include "gateway/common/json_out.h"
#include "gateway/server/handlers.h"

namespace gw::gateway {

std::string EventType(const storage::Event& e) {
  if (e.invoice_id.starts_with("inb_")) return "inbox.status";
  if (e.invoice_id.starts_with("rcp:")) return "recipient.capability";
  return "invoice.status";
}

std::string EventJson(const storage::Event& e) {
  JsonOut j;
  const std::string type = EventType(e);
  j.BeginObject().Field("seq", e.seq).Field("type", type);
  if (type == "recipient.capability") {
    // status: can_receive, or why not (not_registered, document_type_not_accepted, unknown);
    // recipient: the directory's whole answer (as GET /v1/recipients/{recipient}).
    j.Field("recipient_id", e.invoice_id.substr(4)).Field("status", e.status).Field("at", Rfc3339(e.at_ms));
    j.Key("recipient").Raw(e.detail.empty() ? "null" : e.detail);
  } else {
    j.Field(type == "inbox.status" ? "inbox_id" : "invoice_id", e.invoice_id)
        .Field("status", e.status)
        .Field("at", Rfc3339(e.at_ms))
        .Field("detail", e.detail);
  }
  j.EndObject();
  return j.Take();
}

namespace handlers {
namespace {

bool ParseSeq(const std::string& text, int64_t& seq) {
  if (text.empty() || text.size() > 18) return false;
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  seq = std::stoll(text);
  return true;
}

}  // namespace

void StreamEvents(Ctx& ctx) {
  storage::Store& store = *ctx.app.store;
  int64_t cursor = 0;
  bool given = false;
  std::string last = ctx.request.get("Last-Event-ID", "");
  if (last.empty()) last = ctx.Query("last_event_id", &given);
  if (!last.empty() || given) {
    if (!ParseSeq(last, cursor))
      return ctx.Problem(400, "invalid_parameter", "Invalid Last-Event-ID",
                         "Last-Event-ID '" + last + "' is not an event id this stream sent");
  } else {
    auto seq = store.LastEventSeq();
    if (!seq) return ctx.Unavailable(seq.error());
    cursor = *seq;  // only new events
  }
  ctx.status = 200;
  ctx.response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
  ctx.response.setContentType("text/event-stream");
  ctx.response.set("Cache-Control", "no-store");
  ctx.response.set("X-Accel-Buffering", "no");
  ctx.response.set("X-Request-Id", ctx.request_id);
  ctx.response.setChunkedTransferEncoding(true);
  std::ostream& out = ctx.response.send();
  out << ": stream of " << ctx.tenant.name << "\n\n" << std::flush;
  int64_t known = cursor;
  int64_t last_write = NowMs();
  // A customer (a web page's user) sees only the statuses of the invoices to its buyer.
  std::unordered_map<std::string, bool> visible;
  auto may_see = [&](const storage::Event& e) {
    if (ctx.buyer.empty()) return true;
    if (EventType(e) != "invoice.status") return false;
    auto [it, added] = visible.try_emplace(e.invoice_id, false);
    if (added) {
      auto inv = store.GetInvoice(ctx.tenant.id, e.invoice_id);
      it->second = inv && *inv && ctx.MaySee(**inv);
    }
    return it->second;
  };
  while (out && !ctx.app.stopping) {
    auto events = store.EventsAfter(ctx.tenant.id, cursor, 500);
    if (!events) break;  // the client reconnects with Last-Event-ID
    for (const auto& e : *events) {
      cursor = e.seq;
      if (!may_see(e)) continue;
      out << "id: " << e.seq << "\nevent: " << EventType(e) << "\ndata: " << EventJson(e) << "\n\n";
    }
    if (!events->empty()) {
      out.flush();
      last_write = NowMs();
      if (events->size() == 500) continue;
    }
    if (NowMs() - last_write >= 15000) {
      out << ": keep-alive\n\n" << std::flush;
      last_write = NowMs();
    }
    // Wake on this process's commits; poll for other processes' (PostgreSQL) once a second.
    known = store.WaitForEvents(std::max(known, cursor), 1000);
  }
}

namespace {

std::string WebhookJson(const storage::Webhook& w, bool with_secret) {
  JsonOut j;
  j.BeginObject().Field("id", w.id).Field("url", w.url);
  if (with_secret) j.Field("secret", w.secret);
  j.Field("created_at", Rfc3339(w.created_ms)).EndObject();
  return j.Take();
}

bool ValidUrl(const std::string& url) {
  if (!(url.starts_with("https://") || url.starts_with("http://"))) return false;
  if (url.size() > 2048) return false;
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f) return false;
  return url.find("://") + 3 < url.size();
}

}  // namespace

void PostWebhook(Ctx& ctx) {
  std::string body;
  if (!ctx.ReadBody(body)) return;
  if (ctx.request.getContentType().find("json") == std::string::npos)
    return ctx.Problem(415, "unsupported_media_type", "Unsupported Content-Type", "send the webhook as application/json");
  auto doc = formats::json::Parse(body);
  if (!doc) return ctx.Problem(400, "malformed_json", "The body is not JSON", doc.error().findings().empty()
                                                                                ? doc.error().message()
                                                                                : doc.error().findings()[0].message);
  if (!doc->is_object())
    return ctx.Problem(400, "invalid_parameter", "Invalid webhook", "send an object {\"url\": ..., \"secret\": ...}");
  std::string url, secret;
  for (const auto& [name, value] : doc->members) {
    if ((name == "url" || name == "secret") && !value.is_string())
      return ctx.Problem(400, "invalid_parameter", "Invalid webhook", std::string(name) + " must be a string");
    if (name == "url") {
      url = std::string(value.text);
    } else if (name == "secret") {
      secret = std::string(value.text);
    } else {
      return ctx.Problem(400, "invalid_parameter", "Invalid webhook",
                         "unknown member '" + std::string(name) + "' (a webhook has url and secret)");
    }
  }
  if (!ValidUrl(url))
    return ctx.Problem(400, "invalid_parameter", "Invalid webhook", "url must be an http:// or https:// URL");
  if (!secret.empty() && secret.size() < 16)
    return ctx.Problem(400, "invalid_parameter", "Invalid webhook", "secret must have at least 16 characters");
  if (secret.empty()) secret = storage::NewId("whsec_");
  auto hook = ctx.app.store->AddWebhook(ctx.tenant.id, url, secret, NowMs());
  if (!hook) return ctx.Unavailable(hook.error());
  ctx.response.set("Location", "/v1/webhooks/" + hook->id);
  ctx.SendJson(201, WebhookJson(*hook, true));
}

void ListWebhooks(Ctx& ctx) {
  auto hooks = ctx.app.store->ListWebhooks(ctx.tenant.id);
  if (!hooks) return ctx.Unavailable(hooks.error());
  JsonOut j;
  j.BeginObject().Key("items").BeginArray();
  for (const auto& w : *hooks) j.Raw(WebhookJson(w, false));
  j.EndArray().EndObject();
  ctx.SendJson(200, j.str());
}

void DeleteWebhook(Ctx& ctx) {
  auto deleted = ctx.app.store->DeleteWebhook(ctx.tenant.id, ctx.params[0], NowMs());
  if (!deleted) return ctx.Unavailable(deleted.error());
  if (!*deleted) return ctx.NotFound();
  ctx.status = 204;
  ctx.response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  ctx.response.set("X-Request-Id", ctx.request_id);
  ctx.response.setContentLength(0);
  ctx.response.send();
}

void ListDeliveries(Ctx& ctx) {
  int limit = 100;
  bool given = false;
  std::string l = ctx.Query("limit", &given);
  if (given) {
    int64_t n = 0;
    if (!ParseSeq(l, n) || n < 1 || n > 500)
      return ctx.Problem(400, "invalid_parameter", "Invalid query parameter", "limit must be a number from 1 to 500");
    limit = static_cast<int>(n);
  }
  auto hooks = ctx.app.store->ListWebhooks(ctx.tenant.id);
  if (!hooks) return ctx.Unavailable(hooks.error());
  bool mine = std::any_of(hooks->begin(), hooks->end(), [&](const auto& w) { return w.id == ctx.params[0]; });
  if (!mine) return ctx.NotFound();
  auto rows = ctx.app.store->ListDeliveries(ctx.tenant.id, ctx.params[0], limit);
  if (!rows) return ctx.Unavailable(rows.error());
  JsonOut j;
  j.BeginObject().Key("items").BeginArray();
  for (const auto& d : *rows) {
    j.BeginObject()
        .Field("id", d.id)
        .Field("event_seq", d.event_seq)
        .Field("state", d.state)
        .Field("attempts", d.attempts);
    if (d.last_status) {
      j.Field("last_status", d.last_status);
    } else {
      j.Key("last_status").Null();
    }
    j.OptionalField("last_error", d.last_error);
    if (d.state == "pending") {
      j.Field("next_attempt_at", Rfc3339(d.next_ms));
    } else {
      j.Key("next_attempt_at").Null();
    }
    if (d.delivered_ms) {
      j.Field("delivered_at", Rfc3339(*d.delivered_ms));
    } else {
      j.Key("delivered_at").Null();
    }
    j.EndObject();
  }
  j.EndArray().EndObject();
  ctx.SendJson(200, j.str());
}

void ReplayDelivery(Ctx& ctx) {
  auto found = ctx.app.store->ReplayDelivery(ctx.tenant.id, ctx.params[0], ctx.params[1], NowMs());
  if (!found) return ctx.Unavailable(found.error());
  if (!*found) return ctx.NotFound();
  JsonOut j;
  j.BeginObject().Field("id", ctx.params[1]).Field("state", "pending").EndObject();
  ctx.SendJson(202, j.str());
}

}  // namespace handlers
}  // namespace gw::gateway
