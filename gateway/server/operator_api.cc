// /operator/v1: the server side of the gateway operator protocol (docs/operator-protocol.md).
// The router has authenticated the calling operator (Ctx::operator_id).
#include <algorithm>

#include "certs/keys/certificate.h"
#include "formats/core/participant_id.h"
#include "formats/json/json_value.h"
#include "gateway/common/json_out.h"
#include "gateway/common/strings.h"
#include "gateway/inbound/inbound.h"
#include "gateway/server/handlers.h"

namespace gw::gateway {
namespace {

using formats::json::Get;
using formats::json::JsonValue;

std::string Text(const JsonValue& object, std::string_view name) { return formats::json::GetString(object, name); }

bool ValidMessageId(const std::string& id) {
  if (id.empty() || id.size() > 200) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_.:@").find(c) != std::string_view::npos;
  });
}

bool ValidParticipant(const std::string& id) {
  size_t colon = id.find(':');
  return colon != std::string::npos && colon > 0 && colon + 1 < id.size() && id.size() <= 200 &&
         std::none_of(id.begin(), id.end(), [](char c) { return c == ' ' || static_cast<unsigned char>(c) < 0x20; });
}



// The formats this gateway reads (what a directly served recipient accepts).
std::vector<std::string> ReadableFormats(const App& app) {
  std::vector<std::string> out;
  for (const auto& name : app.registry.Names()) {
    auto info = app.registry.Find(name);
    if (info && (*info)->read && name != "json") out.push_back(name);
  }
  return out;
}

void ReceiverJson(JsonOut& j, const App& app, const storage::Receiver& r, bool with_accepts) {
  j.BeginObject().Field("id", r.identifier);
  if (with_accepts) j.Field("accepts", !r.removed_ms.has_value());
  j.Field("name", r.name).Field("channel", r.channel);
  j.Key("path").Raw(r.path_json.empty() ? PathJson({app.config.operator_id}) : r.path_json);
  j.Key("document_types").BeginArray();
  for (const auto& t : SplitList(r.document_types.empty() ? "invoice,credit_note" : r.document_types)) j.String(t);
  j.EndArray();
  j.Key("formats").BeginArray();
  for (const auto& f : r.formats.empty() ? ReadableFormats(app) : SplitList(r.formats)) j.String(f);
  j.EndArray();
  if (!with_accepts) j.Field("removed", r.removed_ms.has_value());
  j.EndObject();
}

void BadEnvelope(Ctx& ctx, const std::string& detail) {
  ctx.Problem(400, "envelope_invalid", "The envelope is not valid", detail);
}




}  // namespace


namespace handlers {

void PostOperatorMessage(Ctx& ctx) {
  App& app = ctx.app;
  std::string body;
  if (!ctx.ReadBody(body)) return;
  formats::json::ParseLimits limits;
  limits.max_bytes = static_cast<size_t>(app.config.max_body_bytes);
  auto doc = formats::json::Parse(body, limits);
  if (!doc) return BadEnvelope(ctx, "the body is not JSON: " + doc.error().message());
  const JsonValue* env = Get(*doc, "envelope");
  if (!env || !env->is_object()) return BadEnvelope(ctx, "envelope: an object is required");
  const std::string message_id = Text(*env, "message_id"), sender = Text(*env, "sender"),
                    receiver = Text(*env, "receiver"), document_type = Text(*env, "document_type"),
                    format = Text(*env, "format");
  if (!ValidMessageId(message_id))
    return BadEnvelope(ctx, "envelope.message_id: 1 to 200 letters, digits and -_.:@ are required");
  if (!ValidParticipant(sender)) return BadEnvelope(ctx, "envelope.sender: a SCHEME:VALUE identifier is required");
  if (!ValidParticipant(receiver)) return BadEnvelope(ctx, "envelope.receiver: a SCHEME:VALUE identifier is required");
  if (document_type != "invoice" && document_type != "credit_note")
    return BadEnvelope(ctx, "envelope.document_type: invoice or credit_note");
  std::vector<std::string> path;
  const JsonValue* path_value = Get(*env, "path");
  if (!path_value || !path_value->is_array() || path_value->items.empty())
    return BadEnvelope(ctx, "envelope.path: a non-empty array of operator ids is required");
  for (const auto& p : path_value->items) {
    if (!p.is_string() || p.text.empty()) return BadEnvelope(ctx, "envelope.path: every element is an operator id");
    path.emplace_back(p.text);
  }
  const JsonValue* hops = Get(*env, "hops");
  if (!hops || !hops->is_number() || hops->text != std::to_string(path.size()))
    return BadEnvelope(ctx, "envelope.hops: must be the length of envelope.path (" + std::to_string(path.size()) + ")");
  if (path.back() != ctx.operator_id)
    return BadEnvelope(ctx, "envelope.path: the last operator must be the caller (" + ctx.operator_id + "), not " +
                                path.back());
  if (std::find(path.begin(), path.end(), app.config.operator_id) != path.end())
    return ctx.Problem(409, "loop_detected", "Routing loop",
                       "the document already passed " + app.config.operator_id + " (path " + PathJson(path) + ")");
  const JsonValue* encoded = Get(*doc, "document");
  if (!encoded || !encoded->is_string()) return BadEnvelope(ctx, "document: the base64 of the document is required");
  auto document = certs::DecodeBase64(encoded->text);
  if (!document || document->empty()) return BadEnvelope(ctx, "document: not base64, or empty");
  const std::string sha = storage::Sha256Hex(*document);

  InboundRequest request{message_id, sender, receiver, document_type, format, path, ctx.operator_id,
                         std::move(*document)};
  InboundOutcome outcome = AcceptInbound(app, request);
  if (outcome.status != 200) {
    if (outcome.status == 503) return ctx.Unavailable(Error::Unavailable(outcome.detail));
    return ctx.Problem(outcome.status, outcome.code, outcome.title, outcome.detail);
  }
  ctx.SendJson(200, outcome.answer_json);
}

void ListOperatorReceivers(Ctx& ctx) {
  bool given = false;
  std::string since = ctx.Query("since", &given);
  int64_t after = 0;
  if (given) {
    if (since.empty() || since.size() > 18 || !std::all_of(since.begin(), since.end(), ::isdigit))
      return ctx.Problem(400, "cursor_invalid", "Unknown cursor", "since: pass next_cursor of an earlier answer unchanged");
    after = std::stoll(since);
  }
  int limit = 1000;
  bool has_limit = false;
  std::string limit_text = ctx.Query("limit", &has_limit);
  if (has_limit) {
    if (limit_text.empty() || limit_text.size() > 5 || !std::all_of(limit_text.begin(), limit_text.end(), ::isdigit) ||
        std::stoi(limit_text) < 1 || std::stoi(limit_text) > 10000)
      return ctx.Problem(400, "invalid_parameter", "Invalid parameter", "limit: a whole number from 1 to 10000");
    limit = std::stoi(limit_text);
  }
  auto rows = ctx.app.store->ListReceivers(after, limit + 1, /*with_removed=*/given);
  if (!rows) return ctx.Unavailable(rows.error());
  bool more = static_cast<int>(rows->size()) > limit;
  if (more) rows->resize(limit);
  int64_t cursor = rows->empty() ? after : rows->back().seq;
  if (!given && !more) {
    // A full list's cursor is the newest change, tombstones included, so the next delta starts there.
    auto newest = ctx.app.store->ListReceivers(cursor, 1000000, true);
    if (newest && !newest->empty()) cursor = newest->back().seq;
  }
  JsonOut j;
  j.BeginObject().Key("receivers").BeginArray();
  for (const auto& r : *rows) ReceiverJson(j, ctx.app, r, false);
  j.EndArray().Field("next_cursor", std::to_string(cursor)).Field("more", more).EndObject();
  ctx.SendJson(200, j.Take());
}

void CheckOperatorReceivers(Ctx& ctx) {
  std::string body;
  if (!ctx.ReadBody(body)) return;
  auto doc = formats::json::Parse(body);
  const JsonValue* ids = doc ? Get(*doc, "ids") : nullptr;
  if (!ids || !ids->is_array())
    return ctx.Problem(400, "invalid_parameter", "Invalid request", "send {\"ids\": [\"SCHEME:VALUE\", ...]}");
  if (ids->items.size() > 100)
    return ctx.Problem(400, "too_many_ids", "Too many identifiers",
                       std::to_string(ids->items.size()) + " identifiers; at most 100 per check");
  JsonOut j;
  j.BeginObject().Key("results").BeginArray();
  for (const auto& item : ids->items) {
    std::string id = item.is_string() ? std::string(item.text) : "";
    auto row = ValidParticipant(id) ? ctx.app.store->FindReceiver(id) : Result<std::optional<storage::Receiver>>(std::nullopt);
    if (!row) return ctx.Unavailable(row.error());
    if (*row) {
      ReceiverJson(j, ctx.app, **row, true);
    } else {
      j.BeginObject().Field("id", id).Field("accepts", false).EndObject();
    }
  }
  j.EndArray().EndObject();
  ctx.SendJson(200, j.Take());
}

void PostOperatorStatus(Ctx& ctx) {
  App& app = ctx.app;
  std::string body;
  if (!ctx.ReadBody(body)) return;
  auto doc = formats::json::Parse(body);
  if (!doc || !doc->is_object())
    return ctx.Problem(400, "invalid_parameter", "Invalid status", "the body is not a JSON object");
  storage::StatusMessage s;
  s.message_id = Text(*doc, "message_id");
  s.status = Text(*doc, "status");
  s.code = Text(*doc, "code");
  s.reason = Text(*doc, "reason");
  s.by = Text(*doc, "by");
  if (s.by.empty()) s.by = "recipient";
  if (s.status.empty()) s.status = operators::StatusName(s.code);
  if (s.code.empty()) s.code = operators::StatusCode(s.status);
  if (operators::StatusCode(s.status).empty() || operators::StatusCode(s.status) != s.code)
    return ctx.Problem(400, "invalid_parameter", "Invalid status",
                       "status '" + s.status + "' and code '" + s.code +
                           "' must name one of delivered/AB, in_process/IP, under_query/UQ, "
                           "conditionally_accepted/CA, accepted/AP, rejected/RE, paid/PD");
  if (s.by != "recipient" && s.by != "operator")
    return ctx.Problem(400, "invalid_parameter", "Invalid status", "by: recipient or operator");
  if (s.status == "rejected" && s.reason.empty())
    return ctx.Problem(400, "invalid_parameter", "Invalid status", "reason: a rejection needs a reason");
  std::vector<std::string> path;
  if (const JsonValue* p = Get(*doc, "path"); p && p->is_array())
    for (const auto& item : p->items)
      if (item.is_string()) path.emplace_back(item.text);
  if (static_cast<int>(path.size()) > app.config.max_hops)
    return ctx.Problem(422, "too_many_hops", "Too many hops", "the status passed more than " +
                                                                 std::to_string(app.config.max_hops) + " operators");
  s.path_json = PathJson(path);
  s.operator_id = ctx.operator_id;
  s.direction = "in";
  const int64_t now = NowMs();
  if (int64_t at = 0; ParseRfc3339(Text(*doc, "at"), at)) s.at_ms = at;

  bool applied = false;
  auto invoice = app.store->FindInvoice(s.message_id);
  if (!invoice) return ctx.Unavailable(invoice.error());
  auto route_operator = [](const std::string& route_json) {
    auto r = formats::json::Parse(route_json);
    return r ? Text(*r, "operator") : std::string();
  };
  if (*invoice && route_operator((*invoice)->route_json) == ctx.operator_id) {
    std::string status = s.status, detail, failure;
    const std::string from = " (" + s.code + ", from " + ctx.operator_id + ")";
    if (s.status == "delivered") {
      detail = "received by the recipient's ERP" + from;
    } else if (s.status == "rejected") {
      failure = s.by == "operator" ? "forwarding_failed" : "rejected_by_recipient";
      detail = (s.by == "operator" ? "an operator on the route could not deliver it: " : "the recipient rejected it: ") +
               s.reason + from;
    } else {
      detail = s.reason.empty() ? from.substr(1) : s.reason + from;
    }
    auto recorded = app.store->RecordInvoiceStatus(s, status, detail, failure, now);
    if (!recorded) return ctx.Unavailable(recorded.error());
    applied = *recorded;
  } else {
    auto inbound = app.store->InboundByMessage(s.message_id);
    if (!inbound) return ctx.Unavailable(inbound.error());
    if (!*inbound || (*inbound)->forward_operator != ctx.operator_id) return ctx.NotFound();
    // Relayed back to where the document came from; the client adds this hop to the path.
    storage::StatusMessage out = s;
    out.id.clear();
    out.direction = "out";
    out.operator_id = (*inbound)->from_operator;
    out.state.clear();
    auto queued = app.store->QueueStatus(out, now);
    if (!queued) return ctx.Unavailable(queued.error());
    applied = queued->second;
    if (applied) app.outbox_bell.Ring();
  }
  JsonOut j;
  j.BeginObject().Field("message_id", s.message_id).Field("applied", applied).EndObject();
  ctx.SendJson(200, j.Take());
}

}  // namespace handlers
}  // namespace gw::gateway
