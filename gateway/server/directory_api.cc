// /v1/recipients and /v1/directory: what the directory knows about recipients, and its sync
// health (docs/api.md, "Recipients and the directory").
#include <Poco/URI.h>

#include "formats/core/participant_id.h"
#include "formats/json/json_value.h"
#include "gateway/common/json_out.h"
#include "gateway/directory/recipient_lookup.h"
#include "gateway/server/handlers.h"

namespace gw::gateway::handlers {
namespace {

bool ValidDocumentType(const std::string& t) { return t.empty() || t == "invoice" || t == "credit_note"; }

}  // namespace

void GetRecipient(Ctx& ctx) {
  std::string text;
  Poco::URI::decode(ctx.params[0], text);  // 0088%3A123 as well as 0088:123
  ctx.params[0] = text;
  auto id = ParticipantId::Parse(ctx.params[0]);
  if (!id)
    return ctx.Problem(400, "invalid_parameter", "Invalid recipient",
                       "'" + ctx.params[0] + "' is not SCHEME:VALUE (for example 0088:5790000435975): " +
                           id.error().message());
  const std::string type = ctx.Query("document_type");
  if (!ValidDocumentType(type))
    return ctx.Problem(400, "invalid_parameter", "Invalid parameter", "document_type: invoice or credit_note");
  auto answer = LookupRecipient(ctx.app, id->ToString(), type);
  if (!answer) return ctx.Unavailable(answer.error());
  ctx.SendJson(200, RecipientJson(*answer, NowMs()));
}

void CheckRecipients(Ctx& ctx) {
  std::string body;
  if (!ctx.ReadBody(body)) return;
  auto doc = formats::json::Parse(body);
  const formats::json::JsonValue* ids = doc ? formats::json::Get(*doc, "ids") : nullptr;
  if (!ids || !ids->is_array())
    return ctx.Problem(400, "invalid_parameter", "Invalid request",
                       "send {\"ids\": [\"SCHEME:VALUE\", ...], \"document_type\": \"invoice\"}");
  if (ids->items.size() > 100)
    return ctx.Problem(400, "invalid_parameter", "Too many recipients",
                       std::to_string(ids->items.size()) + " identifiers; at most 100 per check");
  const std::string type = formats::json::GetString(*doc, "document_type");
  if (!ValidDocumentType(type))
    return ctx.Problem(400, "invalid_parameter", "Invalid parameter", "document_type: invoice or credit_note");
  const int64_t now = NowMs();
  JsonOut j;
  j.BeginObject().Key("results").BeginArray();
  for (size_t i = 0; i < ids->items.size(); ++i) {
    const auto& item = ids->items[i];
    auto id = item.is_string() ? ParticipantId::Parse(item.text) : Result<ParticipantId>(Error::InvalidArgument("not a string"));
    if (!id)
      return ctx.Problem(400, "invalid_parameter", "Invalid recipient",
                         "ids[" + std::to_string(i) + "] is not SCHEME:VALUE: " + id.error().message());
    auto answer = LookupRecipient(ctx.app, id->ToString(), type);
    if (!answer) return ctx.Unavailable(answer.error());
    j.Raw(RecipientJson(*answer, now));
  }
  j.EndArray().EndObject();
  ctx.SendJson(200, j.Take());
}

void DirectoryStatus(Ctx& ctx) {
  auto sources = ctx.app.store->ListSources();
  if (!sources) return ctx.Unavailable(sources.error());
  auto size = ctx.app.store->DirectorySize();
  if (!size) return ctx.Unavailable(size.error());
  JsonOut j;
  j.BeginObject().Field("entries", *size).Key("sources").BeginArray();
  auto time = [&](const char* key, int64_t ms) {
    if (ms > 0) {
      j.Field(key, Rfc3339(ms));
    } else {
      j.Key(key).Null();
    }
  };
  for (const auto& s : *sources) {
    j.BeginObject().Field("name", s.name);
    time("last_run_at", s.last_started_ms);
    time("last_success_at", s.last_success_ms);
    j.Field("duration_ms", s.duration_ms)
        .Field("added", s.added)
        .Field("changed", s.changed)
        .Field("removed", s.removed)
        .Field("errors", s.errors)
        .Field("consecutive_failures", static_cast<int64_t>(s.failures))
        .OptionalField("last_error", s.last_error);
    time("next_run_at", s.next_run_ms);
    j.EndObject();
  }
  j.EndArray().EndObject();
  ctx.SendJson(200, j.Take());
}

}  // namespace gw::gateway::handlers
