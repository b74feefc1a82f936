// Readers of the sections of the ERP JSON format, shared by json_reader.cc and
// json_line_reader.cc. Internal to formats/json.
#pragma once

#include <string>

#include "formats/json/field_reader.h"
#include "formats/model/invoice.h"

namespace gw::formats::json::internal {

// Calls `fn(value, pointer)` for each element of an array member, or once for a single object
// when `allow_single` (e.g. "payment": {...} or [...]).
template <typename Fn>
void ForEach(FieldReader& parent, std::string_view key, std::string_view what, bool allow_single,
             Findings& findings, Fn fn) {
  const JsonValue* v = parent.Member(key);
  if (v == nullptr) return;
  std::string pointer = parent.PointerTo(key);
  if (v->is_array()) {
    for (size_t i = 0; i < v->items.size(); ++i) fn(v->items[i], PointerAppend(pointer, i));
  } else if (allow_single && v->is_object()) {
    fn(*v, pointer);
  } else {
    findings.Add("json.type", pointer,
                 std::string("expected ") + (allow_single ? "an object or an array" : "an array") +
                     " for " + std::string(what) + ", found " + KindName(v->kind));
  }
}

model::Identifier ReadIdentifier(FieldReader& parent, std::string_view key, std::string_view what,
                                 CodeCheck scheme_check, std::string_view scheme_list,
                                 bool scheme_required, Findings& findings);
// The address member `key` of `parent`; a missing one is reported when `required`.
model::Address ReadAddress(FieldReader& parent, std::string_view key, std::string_view what,
                           bool required);
model::AllowanceCharge ReadAllowanceCharge(const JsonValue& v, const std::string& pointer,
                                           bool is_charge, bool document_level, Findings& findings);
model::Line ReadLine(const JsonValue& v, const std::string& pointer, size_t index,
                     Findings& findings);
model::Period ReadPeriod(FieldReader& parent, std::string_view key, std::string_view what,
                         Findings& findings);

}  // namespace gw::formats::json::internal
