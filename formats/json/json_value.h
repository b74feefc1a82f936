// A JSON document tree that keeps number text exactly as written (no binary floating point)
// and the line/column of every value, for error messages. Immutable after parsing.
//
// Strings and member names are views: into the document's own copy of the text when the string
// has no escape sequence (the usual case), or into the document's buffer of decoded strings. No
// string is allocated on its own; a value is valid as long as its JsonDocument lives.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/core/result.h"

namespace gw::formats::json {

struct JsonMember;

struct JsonValue {
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string_view text;  // decoded string, or the number's text as written
  std::vector<JsonValue> items;                            // kArray
  std::vector<JsonMember> members;  // kObject, in document order (vector allows the incomplete type)
  uint32_t line = 0;
  uint32_t column = 0;

  bool is_object() const { return kind == Kind::kObject; }
  bool is_array() const { return kind == Kind::kArray; }
  bool is_string() const { return kind == Kind::kString; }
  bool is_number() const { return kind == Kind::kNumber; }
};

// One member of an object: name and value (named like std::pair's parts).
struct JsonMember {
  std::string_view first;
  JsonValue second;
};

// The root value together with the storage its strings view. Move-only.
class JsonDocument : public JsonValue {
 public:
  JsonDocument() = default;
  JsonDocument(JsonDocument&&) = default;
  JsonDocument& operator=(JsonDocument&&) = default;
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;

 private:
  friend class Parser;
  std::unique_ptr<char[]> source_;   // copy of the parsed text
  std::unique_ptr<char[]> decoded_;  // strings with escapes, decoded (never longer than the text)
};

// "an object", "a string", ... for messages.
const char* KindName(JsonValue::Kind kind);

struct ParseLimits {
  uint32_t max_depth = 64;            // nesting of arrays and objects
  size_t max_bytes = 64 * 1024 * 1024;  // the whole text
};

// Parses one JSON value (RFC 8259) that fills `text` up to white space. Strings must be valid
// UTF-8 (overlong forms, surrogates and bytes above U+10FFFF are rejected) and escapes well-formed;
// duplicate keys in one object are rejected. Errors are kInvalidArgument with one Finding (rule
// "json.syntax", or "json.limit" for depth and size, empty location) whose message names line and
// column.
Result<JsonDocument> Parse(std::string_view text, const ParseLimits& limits = {});

// The member `name` of an object, or null (also when `value` is not an object).
const JsonValue* Get(const JsonValue& value, std::string_view name);
// The string member `name` of an object; "" when absent or not a string.
std::string GetString(const JsonValue& value, std::string_view name);

// Appends `key` to a JSON pointer with RFC 6901 escaping ("~" -> "~0", "/" -> "~1").
std::string PointerAppend(std::string_view pointer, std::string_view key);
std::string PointerAppend(std::string_view pointer, size_t index);

}  // namespace gw::formats::json
