#include "formats/json/field_reader.h"

#include <algorithm>

namespace gw::formats::json {
namespace {

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

std::string Quote(std::string_view s) {
  std::string out = "'";
  out.append(s.substr(0, 60));
  if (s.size() > 60) out += "...";
  out += "'";
  return out;
}

// Levenshtein distance, for "did you mean" suggestions on short field names.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

}  // namespace

void Findings::Add(std::string rule, std::string location, std::string message) {
  list_.push_back(Finding{std::move(rule), Finding::Severity::kFatal, std::move(location),
                          std::move(message)});
}

FieldReader::FieldReader(const JsonValue* value, std::string pointer, Findings& findings)
    : pointer_(std::move(pointer)), findings_(findings) {
  Init(value);
}

FieldReader::FieldReader(const JsonValue* value, const FieldReader& parent, std::string_view key)
    : findings_(parent.findings_) {
  if (value != nullptr && value->kind != JsonValue::Kind::kNull) pointer_ = parent.PointerTo(key);
  Init(value);
}

void FieldReader::Init(const JsonValue* value) {
  if (value == nullptr || value->kind == JsonValue::Kind::kNull) return;
  if (!value->is_object()) {
    findings_.Add("json.type", pointer_,
                  std::string("expected an object, found ") + KindName(value->kind));
    return;
  }
  object_ = value;
  if (value->members.size() > 64) used_.assign(value->members.size(), false);
}

const JsonValue* FieldReader::Member(std::string_view key) {
  if (known_count_ < kMaxKnown) known_[known_count_++] = KnownName{key.data(), key.size()};
  if (object_ == nullptr) return nullptr;
  const auto& members = object_->members;
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].first == key) {
      if (used_.empty()) {
        used_mask_ |= uint64_t{1} << i;
      } else {
        used_[i] = true;
      }
      return members[i].second.kind == JsonValue::Kind::kNull ? nullptr : &members[i].second;
    }
  }
  return nullptr;
}

void FieldReader::Missing(std::string_view key, std::string_view what) {
  findings_.Add("json.required", PointerTo(key),
                "missing required field '" + std::string(key) + "' (" + std::string(what) + ")");
}

void FieldReader::WrongKind(std::string_view key, std::string_view expected, const JsonValue& found) {
  std::string message = "expected " + std::string(expected) + ", found " + KindName(found.kind);
  if (found.is_number() || found.is_string()) message += " " + Quote(found.text);
  findings_.Add("json.type", PointerTo(key), std::move(message));
}

std::string_view FieldReader::String(std::string_view key, std::string_view what, bool required) {
  const JsonValue* v = Member(key);
  if (v == nullptr) {
    if (required && object_ != nullptr) Missing(key, what);
    return {};
  }
  if (!v->is_string()) {
    WrongKind(key, "a string", *v);
    return {};
  }
  if (IsBlank(v->text)) {
    if (required) Missing(key, what);
    return {};
  }
  // XML 1.0 cannot carry C0 control characters other than tab, newline and carriage return.
  for (char c : v->text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      findings_.Add("json.text", PointerTo(key),
                    "the text contains a control character (U+" +
                        std::to_string(static_cast<int>(c)) + ") that XML cannot carry");
      return {};
    }
  }
  return v->text;
}

std::string_view FieldReader::Code(std::string_view key, std::string_view what, CodeCheck check,
                              std::string_view list, bool required) {
  std::string_view value = String(key, what, required);
  if (!value.empty() && !check(value)) {
    findings_.Add("json.code", PointerTo(key),
                  Quote(value) + " is not a valid " + std::string(list) + " for " +
                      std::string(what));
    return {};
  }
  return value;
}

std::optional<Decimal> ReadDecimal(const JsonValue& v, const std::string& pointer,
                                   std::string_view what, Findings& findings) {
  if (!v.is_number() && !v.is_string()) {
    findings.Add("json.type", pointer,
                 std::string("expected a decimal number (JSON number or string such as \"12.50\") for ") +
                     std::string(what) + ", found " + KindName(v.kind));
    return std::nullopt;
  }
  auto d = Decimal::Parse(v.text);
  if (!d) {
    findings.Add("json.number", pointer,
                 "invalid decimal for " + std::string(what) + ": " + d.error().message());
    return std::nullopt;
  }
  return *d;
}

std::optional<Decimal> FieldReader::Number(std::string_view key, std::string_view what, bool required) {
  const JsonValue* v = Member(key);
  if (v == nullptr || (v->is_string() && IsBlank(v->text))) {
    if (required && object_ != nullptr) Missing(key, what);
    return std::nullopt;
  }
  if (v->is_number() || v->is_string()) {
    auto d = Decimal::Parse(v->text);  // the common case needs no pointer
    if (d) return *d;
  }
  return ReadDecimal(*v, PointerTo(key), what, findings_);
}

std::optional<Date> FieldReader::DateField(std::string_view key, std::string_view what, bool required) {
  std::string_view text = String(key, what, required);
  if (text.empty()) return std::nullopt;
  auto d = Date::Parse(text);
  if (!d) {
    findings_.Add("json.date", PointerTo(key),
                  "invalid date for " + std::string(what) + ": " + d.error().message());
    return std::nullopt;
  }
  return *d;
}

const JsonValue* FieldReader::Object(std::string_view key, std::string_view what, bool required) {
  const JsonValue* v = Member(key);
  if (v == nullptr) {
    if (required && object_ != nullptr) Missing(key, what);
    return nullptr;
  }
  if (!v->is_object()) {
    WrongKind(key, "an object", *v);
    return nullptr;
  }
  return v;
}

const JsonValue* FieldReader::Array(std::string_view key, std::string_view what, bool required) {
  const JsonValue* v = Member(key);
  if (v == nullptr) {
    if (required && object_ != nullptr) Missing(key, what);
    return nullptr;
  }
  if (!v->is_array()) {
    WrongKind(key, "an array", *v);
    return nullptr;
  }
  return v;
}

void FieldReader::Finish() {
  if (object_ == nullptr) return;
  for (size_t i = 0; i < object_->members.size(); ++i) {
    if (used_.empty() ? (used_mask_ >> i) & 1 : used_[i]) continue;
    std::string_view name = object_->members[i].first;
    std::string message = "unknown field " + Quote(name);
    std::string_view best;
    size_t best_distance = 3;
    for (size_t k_index = 0; k_index < known_count_; ++k_index) {
      std::string_view k(known_[k_index].data, known_[k_index].size);
      size_t d = EditDistance(name, k);
      if (d < best_distance) {
        best_distance = d;
        best = k;
      }
    }
    if (!best.empty()) message += "; did you mean '" + std::string(best) + "'?";
    findings_.Add("json.unknown", PointerTo(name), std::move(message));
  }
}

}  // namespace gw::formats::json
