// /v1/inbox: documents operators delivered for the tenant, their acknowledgement and the tenant's
// business responses (docs/api.md, "Inbox").
#include <algorithm>

#include "formats/json/json_value.h"
#include "gateway/common/json_out.h"
#include "gateway/server/handlers.h"

namespace gw::gateway::handlers {
namespace {

using formats::json::Get;
using formats::json::JsonValue;

void StatusJson(JsonOut& j, const storage::StatusMessage& s) {
  j.BeginObject()
      .Field("status", s.status)
      .Field("code", s.code)
      .Field("reason", s.reason)
      .Field("at", Rfc3339(s.at_ms))
      .EndObject();
}

// The inbox item as docs/api.md shows it; false when the store failed (answered).
bool ItemJson(Ctx& ctx, JsonOut& j, const storage::InboundMessage& m) {
  auto responses = ctx.app.store->Statuses(m.message_id, "out");
  if (!responses) {
    ctx.Unavailable(responses.error());
    return false;
  }
  j.BeginObject()
      .Field("id", m.id)
      .Field("message_id", m.message_id)
      .Field("state", m.state)
      .Field("from_operator", m.from_operator)
      .Field("sender", m.sender)
      .Field("recipient", m.recipient)
      .Field("document_type", m.document_type)
      .Field("format", m.format)
      .Field("invoice_number", m.invoice_number)
      .Field("currency", m.currency)
      .Field("payable_amount", m.payable_amount)
      .Field("seller_name", m.seller_name)
      .Field("received_at", Rfc3339(m.created_ms));
  if (m.acked_ms) {
    j.Field("acknowledged_at", Rfc3339(*m.acked_ms));
  } else {
    j.Key("acknowledged_at").Null();
  }
  j.Key("path").Raw(m.path_json).Key("findings").Raw(m.findings_json).Key("responses").BeginArray();
  for (const auto& s : *responses)
    if (s.status != "delivered") StatusJson(j, s);
  j.EndArray().Field("document_href", "/v1/inbox/" + m.id + "/document").EndObject();
  return true;
}

std::optional<storage::InboundMessage> Load(Ctx& ctx) {
  auto m = ctx.app.store->GetInbound(ctx.tenant.id, ctx.params[0]);
  if (!m) {
    ctx.Unavailable(m.error());
    return std::nullopt;
  }
  if (!*m) ctx.NotFound();
  return *m;
}

}  // namespace

void ListInbox(Ctx& ctx) {
  std::string state = ctx.Query("state");
  if (!state.empty() && state != "available" && state != "acknowledged" && state != "rejected")
    return ctx.Problem(400, "invalid_parameter", "Invalid parameter", "state: available, acknowledged or rejected");
  std::optional<std::pair<int64_t, std::string>> after;
  bool given = false;
  std::string cursor = ctx.Query("cursor", &given);
  if (given) {
    size_t dot = cursor.find('.');
    if (dot == std::string::npos || dot == 0 || dot > 18 ||
        !std::all_of(cursor.begin(), cursor.begin() + dot, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return ctx.Problem(400, "invalid_parameter", "Invalid parameter",
                         "cursor is not one this API gave out; pass next_cursor of the previous page unchanged");
    after = std::make_pair(std::stoll(cursor.substr(0, dot)), cursor.substr(dot + 1));
  }
  int limit = 100;
  bool has_limit = false;
  std::string limit_text = ctx.Query("limit", &has_limit);
  if (has_limit) {
    if (limit_text.empty() || limit_text.size() > 3 ||
        !std::all_of(limit_text.begin(), limit_text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
        std::stoi(limit_text) < 1 || std::stoi(limit_text) > 500)
      return ctx.Problem(400, "invalid_parameter", "Invalid parameter", "limit: a whole number from 1 to 500");
    limit = std::stoi(limit_text);
  }
  auto items = ctx.app.store->ListInbound(ctx.tenant.id, state, after, limit + 1);
  if (!items) return ctx.Unavailable(items.error());
  bool more = static_cast<int>(items->size()) > limit;
  if (more) items->resize(limit);
  JsonOut j;
  j.BeginObject().Key("items").BeginArray();
  for (const auto& m : *items)
    if (!ItemJson(ctx, j, m)) return;
  j.EndArray();
  if (more) {
    j.Field("next_cursor", std::to_string(items->back().created_ms) + "." + items->back().id);
  } else {
    j.Key("next_cursor").Null();
  }
  j.EndObject();
  ctx.SendJson(200, j.Take());
}

void GetInboxItem(Ctx& ctx) {
  auto m = Load(ctx);
  if (!m) return;
  JsonOut j;
  if (!ItemJson(ctx, j, *m)) return;
  ctx.SendJson(200, j.Take());
}

void GetInboxDocument(Ctx& ctx) {
  auto m = Load(ctx);
  if (!m) return;
  App& app = ctx.app;
  bool given = false;
  std::string format = ctx.Query("format", &given);
  if (!given) {
    auto wanted = app.store->InboxFormat(ctx.tenant.id);
    if (!wanted) return ctx.Unavailable(wanted.error());
    format = *wanted;
  }
  if (format != "original" && format != "json" && format != "ubl" && format != "cii")
    return ctx.Problem(400, "invalid_parameter", "Invalid parameter", "format: original, json, ubl or cii");
  if (m->state == "rejected" || format == m->format) format = "original";
  auto original = app.store->InboundDocument(m->id, "original");
  if (!original) return ctx.Unavailable(original.error());
  if (!*original) return ctx.NotFound();
  storage::Document out = **original;
  if (format != "original") {
    auto converted = app.store->InboundDocument(m->id, "converted");
    if (!converted) return ctx.Unavailable(converted.error());
    auto target = app.registry.Find(format);
    if (!target || !(*target)->write)
      return ctx.Problem(409, "conflict", "Cannot convert", "this gateway cannot write " + format + " documents");
    if (*converted && (*converted)->media_type == ((*target)->media_type.empty() ? "application/xml" : (*target)->media_type) &&
        format == app.store->InboxFormat(ctx.tenant.id).value_or("")) {
      out = **converted;
    } else {
      auto source = app.registry.Find(m->format);
      std::vector<Finding> losses;
      auto invoice = (*source)->read(out.content, losses);
      if (!invoice) return ctx.Problem(409, "conflict", "Cannot convert", invoice.error().message());
      auto written = (*target)->write(*invoice, formats::WriteOptions{}, losses);
      if (!written)
        return ctx.Problem(409, "conflict", "Cannot convert", "as " + format + ": " + written.error().message());
      out.content = std::move(*written);
      out.media_type = (*target)->media_type.empty() ? "application/xml" : (*target)->media_type;
      out.sha256 = storage::Sha256Hex(out.content);
    }
  }
  ctx.SendDocument(out);
}

void AckInboxItem(Ctx& ctx) {
  auto m = Load(ctx);
  if (!m) return;
  if (m->state == "rejected")
    return ctx.Problem(409, "conflict", "The document was rejected", "a rejected (invalid) document cannot be acknowledged");
  storage::StatusMessage s;
  s.message_id = m->message_id;
  s.direction = "out";
  s.status = "delivered";
  s.code = "AB";
  s.by = "recipient";
  s.operator_id = m->from_operator;
  auto changed = ctx.app.store->AckInbound(ctx.tenant.id, m->id, s, NowMs());
  if (!changed) return ctx.Unavailable(changed.error());
  if (*changed) ctx.app.outbox_bell.Ring();
  auto again = ctx.app.store->GetInbound(ctx.tenant.id, m->id);
  if (!again || !*again) return ctx.Unavailable(again ? Error::Internal("the item vanished") : again.error());
  JsonOut j;
  if (!ItemJson(ctx, j, **again)) return;
  ctx.SendJson(200, j.Take());
}

void RespondToInboxItem(Ctx& ctx) {
  std::string body;
  if (!ctx.ReadBody(body)) return;
  auto m = Load(ctx);
  if (!m) return;
  auto doc = formats::json::Parse(body);
  if (!doc || !doc->is_object())
    return ctx.Problem(400, "malformed_json", "The body is not JSON", doc ? "an object is required" : doc.error().message());
  auto text = [&](std::string_view name) { return formats::json::GetString(*doc, name); };
  storage::StatusMessage s;
  s.status = text("status");
  s.code = text("code");
  s.reason = text("reason");
  if (s.status.empty()) s.status = operators::StatusName(s.code);
  if (s.code.empty()) s.code = operators::StatusCode(s.status);
  if (s.status == "delivered" || operators::StatusCode(s.status).empty() || operators::StatusCode(s.status) != s.code)
    return ctx.Problem(400, "invalid_parameter", "Invalid response",
                       "status: in_process, under_query, conditionally_accepted, accepted, rejected or paid "
                       "(or code IP, UQ, CA, AP, RE, PD), and both must agree when both are given");
  if (s.reason.empty() && (s.status == "rejected" || s.status == "under_query" || s.status == "conditionally_accepted"))
    return ctx.Problem(400, "invalid_parameter", "Invalid response", "reason: required for " + s.status);
  if (s.reason.size() > 2000) return ctx.Problem(400, "invalid_parameter", "Invalid response", "reason: at most 2000 characters");
  if (m->state == "rejected")
    return ctx.Problem(409, "conflict", "The document was rejected",
                       "the document was invalid and rejected to the sender; it cannot be responded to");
  s.message_id = m->message_id;
  s.direction = "out";
  s.by = "recipient";
  s.operator_id = m->from_operator;
  auto queued = ctx.app.store->QueueStatus(s, NowMs());
  if (!queued) return ctx.Unavailable(queued.error());
  if (queued->second) ctx.app.outbox_bell.Ring();
  const auto& stored = queued->first;
  JsonOut j;
  j.BeginObject()
      .Field("inbox_id", m->id)
      .Field("status", stored.status)
      .Field("code", stored.code)
      .Field("reason", stored.reason)
      .Field("at", Rfc3339(stored.at_ms))
      .EndObject();
  ctx.SendJson(202, j.Take());
}

}  // namespace gw::gateway::handlers
