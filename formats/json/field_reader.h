// FieldReader: reads the members of one JSON object by name, checks their types and codes, and
// collects a Finding for every problem (with its JSON pointer) instead of stopping at the first.
// At Finish() every member that was never asked for is reported as an unknown field.
// Not thread-safe; one per object being read.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/core/date.h"
#include "formats/core/decimal.h"
#include "formats/core/result.h"
#include "formats/json/json_value.h"

namespace gw::formats::json {

// The findings of one document read; shared by every FieldReader of that document.
class Findings {
 public:
  void Add(std::string rule, std::string location, std::string message);
  bool empty() const { return list_.empty(); }
  std::vector<Finding>& list() { return list_; }

 private:
  std::vector<Finding> list_;
};

using CodeCheck = bool (*)(std::string_view);

class FieldReader {
 public:
  // `value` may be null (the object is absent) or of any kind; a non-object is reported once.
  FieldReader(const JsonValue* value, std::string pointer, Findings& findings);
  // The member `key` of `parent`, already fetched as `value`; its pointer is built only when the
  // member is present (absent members need no location).
  FieldReader(const JsonValue* value, const FieldReader& parent, std::string_view key);

  bool present() const { return object_ != nullptr; }
  const std::string& pointer() const { return pointer_; }
  Findings& findings() const { return findings_; }
  std::string PointerTo(std::string_view key) const { return PointerAppend(pointer_, key); }

  // The raw member, marked as known; null when absent or JSON null.
  const JsonValue* Member(std::string_view key);

  // A string member. Absent, null or blank gives "". `what` names the term for messages
  // (e.g. "seller name (BT-27)"); when `required`, a missing value is a finding.
  // The view is valid while the document lives.
  std::string_view String(std::string_view key, std::string_view what, bool required = false);
  // A string member that must be in a code list; `list` names it for messages.
  std::string_view Code(std::string_view key, std::string_view what, CodeCheck check,
                   std::string_view list, bool required = false);
  // A decimal given as a JSON number or a string.
  std::optional<Decimal> Number(std::string_view key, std::string_view what, bool required = false);
  std::optional<Date> DateField(std::string_view key, std::string_view what, bool required = false);
  // An object or array member; null when absent (and a finding when of the wrong kind).
  const JsonValue* Object(std::string_view key, std::string_view what, bool required = false);
  const JsonValue* Array(std::string_view key, std::string_view what, bool required = false);

  // Reports members that were never read as unknown fields, with a suggestion when a known
  // name is close ("did you mean 'postal_code'?").
  void Finish();

 private:
  void Missing(std::string_view key, std::string_view what);
  void WrongKind(std::string_view key, std::string_view expected, const JsonValue& found);

  void Init(const JsonValue* value);

  const JsonValue* object_ = nullptr;
  std::string pointer_;
  Findings& findings_;
  // Which members were read: a bit mask for the usual small objects, a vector beyond 64 members.
  uint64_t used_mask_ = 0;
  std::vector<bool> used_;
  // The names asked for, for "did you mean" suggestions; inline, as objects have few names. Left
  // uninitialised (std::string_view would zero 1 KiB per reader): only [0, known_count_) is read.
  struct KnownName {
    const char* data;
    size_t size;
  };
  static constexpr size_t kMaxKnown = 64;
  KnownName known_[kMaxKnown];
  size_t known_count_ = 0;
};

// Reads a decimal from a JSON number or string value; reports at `pointer`.
std::optional<Decimal> ReadDecimal(const JsonValue& v, const std::string& pointer,
                                   std::string_view what, Findings& findings);

}  // namespace gw::formats::json
