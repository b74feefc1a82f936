// /v1/recipients and /v1/directory: what the directory knows about recipients, and its sync
// health (docs/api.md, "Recipients and the directory").
#include <algorithm>

#include <Poco/URI.h>

#include "formats/core/participant_id.h"
#include "formats/json/json_value.h"
#include "gateway/common/json_out.h"
#include "gateway/directory/directory_scheduler.h"
#include "gateway/directory/recipient_cache.h"
#include "gateway/directory/recipient_lookup.h"
#include "gateway/server/handlers.h"

namespace gw::gateway::handlers {
namespace {

bool ValidDocumentType(const std::string& t) { return t.empty() || t == "invoice" || t == "credit_note"; }

Result<RecipientAnswer> Answer(App& app, const std::string& id, const std::string& type, int64_t now_ms) {
  return app.recipients ? app.recipients->Lookup(app, id, type, now_ms) : LookupRecipient(app, id, type);
}

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
  // Freshness limit: an answer older than this (or none) is checked with the operators now.
  int64_t max_age_ms = ctx.app.config.directory_check_max_age_ms;
  bool given = false;
  const std::string max_age = ctx.Query("max_age", &given);
  if (given) {
    const bool digits = !max_age.empty() && max_age.size() <= 9 &&
                        std::all_of(max_age.begin(), max_age.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits)
      return ctx.Problem(400, "invalid_parameter", "Invalid parameter",
                         "max_age is the oldest answer you accept, in seconds (0: ask the operator now)");
    max_age_ms = std::stoll(max_age) * 1000;
  }
  const std::string key = id->ToString();
  const int64_t now = NowMs();
  auto answer = Answer(ctx.app, key, type, now);
  if (!answer) return ctx.Unavailable(answer.error());
  const bool own = answer->channel == "direct" && answer->operator_id == ctx.app.config.operator_id &&
                   answer->source == ctx.app.config.operator_id;
  if (!own && ctx.app.directory && (!answer->verified_ms || now - *answer->verified_ms > max_age_ms)) {
    auto checked = ctx.app.directory->CheckNow(key, now);
    if (!checked) {
      answer->check_error = checked.error().message();
    } else if (*checked > 0) {
      auto fresh = LookupRecipient(ctx.app, key, type);
      if (!fresh) return ctx.Unavailable(fresh.error());
      *answer = std::move(*fresh);
      answer->checked_now = true;
    }
  }
  ctx.SendJson(200, RecipientJson(*answer, NowMs()));
}

void SyncDirectory(Ctx& ctx) {
  std::string body;
  if (!ctx.ReadBody(body)) return;
  std::string source;
  if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
    auto doc = formats::json::Parse(body);
    const formats::json::JsonValue* s = doc ? formats::json::Get(*doc, "source") : nullptr;
    if (!doc || !doc->is_object() || (s && !s->is_string()))
      return ctx.Problem(400, "invalid_parameter", "Invalid request",
                         "send {\"source\": \"NAME\"} to sync one source, or no body (or {}) for every source");
    if (s) source = std::string(s->text);
  }
  if (!ctx.app.directory)
    return ctx.Problem(503, "unavailable", "The directory does not run here", "this process runs no directory sources");
  auto asked = ctx.app.directory->RequestSync(source);
  if (!asked) return ctx.Problem(404, "not_found", "No such directory source", asked.error().message());
  JsonOut j;
  j.BeginObject().Key("requested").BeginArray();
  for (const auto& name : *asked) j.String(name);
  j.EndArray().Field("status", "/v1/directory/status").EndObject();
  ctx.SendJson(202, j.Take());
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
    auto answer = Answer(ctx.app, id->ToString(), type, now);
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
    j.BeginObject().Field("name", s.name).Field("entries", s.entries);
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
