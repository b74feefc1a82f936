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
  // One of our own tenants: known for certain.
  auto own = app.store->FindReceiver(id);
  if (!own) return own.error();
  if (*own && (*own)->channel == "direct") {
    const auto& r = **own;
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
  auto entries = app.store->LookupDirectory(id);
  if (!entries) return entries.error();
  const storage::DirectoryEntry* best = nullptr;  // live, freshest (the store orders them so)
  const storage::DirectoryEntry* gone = nullptr;
  for (const auto& e : *entries) {
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
  a.verified_ms = best ? e->last_verified_ms : *e->removed_ms;
  if (!best) {
    a.reason = "not_registered";
  } else if (!Accepts(a.document_types, document_type)) {
    a.reason = "document_type_not_accepted";
  } else {
    a.can_receive = true;
  }
  auto others = app.store->PartyIdentifiers(e->party_key);
  if (!others) return others.error();
  for (auto& other : *others)
    if (other != id) a.identifiers.push_back(other);
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
  j.EndObject();
  return j.Take();
}

}  // namespace gw::gateway
