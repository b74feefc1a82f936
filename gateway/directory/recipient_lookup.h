// "Can recipient R receive document type D?" from what the gateway knows: its own tenants'
// identifiers (direct), and every source's entry in the directory (the freshest live one wins);
// a source that dropped the recipient says not_registered; nothing known says unknown.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/server/context.h"

namespace gw::gateway {

struct RecipientAnswer {
  std::string id;                 // "scheme:value" as asked (normalised)
  bool can_receive = false;
  std::string reason;             // when not: not_registered, document_type_not_accepted, unknown
  std::string name, channel, operator_id, source;
  std::string path_json = "[]";
  std::vector<std::string> formats, document_types, identifiers;  // identifiers: the party's others
  std::optional<int64_t> verified_ms;  // how fresh the answer is
  bool checked_now = false;            // the operator was asked during this request
  std::string check_error;             // why asking it failed (the answer is then the stored one)
};

// `document_type` "" = any. Errors only when the store fails.
Result<RecipientAnswer> LookupRecipient(App& app, const std::string& id, const std::string& document_type);

// The answer as the API shows it (docs/api.md, "Recipients").
std::string RecipientJson(const RecipientAnswer& answer, int64_t now_ms);

// What a tenant is told about when it changes: can receive or why not, operator, channel,
// document types and formats (not the freshness).
std::string AnswerKey(const RecipientAnswer& answer);

// The directory's word for routing `recipient` (StaticRoutes::SetDirectory): the operator this
// gateway delivers to for it, from the freshest live entry of any source.
operators::DirectoryRoute DirectoryRouteFor(App& app, const std::string& recipient);

}  // namespace gw::gateway
