#include "gateway/directory/recipient_lookup.h"

#include <algorithm>

#include "gateway/common/json_out.h"
#include "gateway/common/strings.h"

namespace gw::gateway {
namespace {


bool Accepts(const std::vector<std::string>& types, const std::string& wanted) {
  return wanted.empty() || types.empty() || std::find(types.begin(), types.end(), wanted) != types.end();
}

}  // namespace

Result<RecipientAnswer> LookupRecipient(App& app, const std::string& id, const std::string& document_type) {
  RecipientAnswer a;
  a.id = id;
  auto record = app.store->LookupRecipientRecord(id);  // one session for all the reads
  if (!record) return record.error();
  // One of our own tenants: known for certain.
  if (record->own && record->own->channel == "direct") {
    const auto& r = *record->own;
    a.name = r.name;
    a.channel = "direct";
    a.operator_id = app.config.operator_id;
    a.source = app.config.operator_id;
    a.path_json = r.path_json.empty() ? "[]" : r.path_json;
    a.document_types = SplitList(r.document_types.empty() ? "invoice,credit_note" : r.document_types);
    a.verified_ms = r.updated_ms;
    a.can_receive = Accepts(a.document_types, document_type);
    if (!a.can_receive) a.reason = "document_type_not_accepted";
    return a;
  }
  const auto& entries = record->entries;
  const storage::DirectoryEntry* best = nullptr;  // live, freshest (the store orders them so)
  const storage::DirectoryEntry* gone = nullptr;
  for (const auto& e : entries) {
    if (!e.removed_ms && !best) best = &e;
    if (e.removed_ms && !gone) gone = &e;
  }
  const storage::DirectoryEntry* e = best ? best : gone;
  if (!e) {
    a.reason = "unknown";
    return a;
  }
  a.name = e->name;
  a.channel = e->channel;
  a.operator_id = e->operator_id;
  a.source = e->source;
  a.path_json = e->path_json;
  a.formats = SplitList(e->formats);
  a.document_types = SplitList(e->document_types);
  a.verified_ms = best ? std::max(e->last_verified_ms, e->confirmed_ms)
                       : std::max(*e->removed_ms, e->last_verified_ms);
  if (!best) {
    a.reason = "not_registered";
  } else if (!Accepts(a.document_types, document_type)) {
    a.reason = "document_type_not_accepted";
  } else {
    a.can_receive = true;
  }
  const auto& others = record->party_identifiers;  // of `e`'s party
  const std::string asked = AsciiLower(id);
  for (const auto& other : others)
    if (other != asked) a.identifiers.push_back(other);
  return a;
}

std::string RecipientJson(const RecipientAnswer& a, int64_t now_ms) {
  JsonOut j;
  j.BeginObject().Field("id", a.id).Field("can_receive", a.can_receive);
  if (a.can_receive) {
    j.Key("reason").Null();
  } else {
    j.Field("reason", a.reason);
  }
  j.Field("name", a.name).Field("channel", a.channel).Field("operator", a.operator_id).Field("source", a.source);
  j.Key("path").Raw(a.path_json.empty() ? "[]" : a.path_json);
  j.Key("document_types").BeginArray();
  for (const auto& t : a.document_types) j.String(t);
  j.EndArray().Key("formats").BeginArray();
  for (const auto& f : a.formats) j.String(f);
  j.EndArray().Key("identifiers").BeginArray();
  for (const auto& i : a.identifiers) j.String(i);
  j.EndArray();
  if (a.verified_ms) {
    j.Field("verified_at", Rfc3339(*a.verified_ms)).Field("age_seconds", (now_ms - *a.verified_ms) / 1000);
  } else {
    j.Key("verified_at").Null().Key("age_seconds").Null();
  }
  j.Field("checked_now", a.checked_now);
  if (!a.check_error.empty()) j.Field("check_error", a.check_error);
  j.EndObject();
  return j.Take();
}

std::string AnswerKey(const RecipientAnswer& a) {
  std::string key = a.can_receive ? "yes" : "no:" + a.reason;
  key += "|" + a.operator_id + "|" + a.channel + "|";
  for (const auto& t : a.document_types) key += t + ",";
  key += "|";
  for (const auto& f : a.formats) key += f + ",";
  return key;
}

operators::DirectoryRoute DirectoryRouteFor(App& app, const std::string& recipient) {
  operators::DirectoryRoute route;
  auto entries = app.store->LookupDirectory(recipient);
  if (!entries) {
    route.why = "the directory could not be read: " + entries.error().message();
    return route;
  }
  // An entry whose path passes through this gateway would send the invoice back to us (a loop).
  const std::string self = "\"" + app.config.operator_id + "\"";
  const storage::DirectoryEntry* best = nullptr;
  for (const auto& e : *entries) {
    if (e.removed_ms || e.path_json.find(self) != std::string::npos) continue;
    best = &e;
    break;
  }
  if (entries->empty()) return route;  // unknown to every source
  route.known = true;
  if (!best) {
    const bool live = std::any_of(entries->begin(), entries->end(), [](const auto& e) { return !e.removed_ms; });
    route.why = live ? "the directory reaches it only through this gateway itself (source " +
                           entries->front().source + ")"
                     : "the directory says not_registered (source " + entries->front().source + ")";
    return route;
  }
  route.registered = true;
  route.source = best->source;
  route.channel = best->channel;
  route.operator_id = best->operator_id;
  route.formats = SplitList(best->formats);
  const auto* source = app.config.FindOperator(best->source);
  if (source && source->protocol != "registry-dump") {
    // The partner that listed the recipient delivers to it (itself or by roaming).
    route.deliver_via = source->id;
  } else if (source) {
    if (best->channel == "direct") {
      route.deliver_via = best->operator_id;
    } else {
      route.deliver_via = source->Get("via");
    }
  }
  route.why = "the directory: source " + best->source + " lists it at " + best->operator_id + " (" + best->channel + ")";
  if (route.deliver_via.empty())
    route.why += ", an operator this gateway has no connection to (set via on [operator." + best->source + "])";
  return route;
}

}  // namespace gw::gateway
