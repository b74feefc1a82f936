// JsonOut: writes JSON text directly into a string (the API's answers, events, stored findings).
// Strings are escaped per RFC 8259 (control characters as \u00XX, '/' kept); the caller keeps the
// nesting balanced (Begin/End), commas are placed by the writer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gw::formats::json {

class JsonOut {
 public:
  JsonOut& BeginObject() { return Open('{'); }
  JsonOut& EndObject() { return Close('}'); }
  JsonOut& BeginArray() { return Open('['); }
  JsonOut& EndArray() { return Close(']'); }
  JsonOut& Key(std::string_view key);
  JsonOut& String(std::string_view value);
  JsonOut& Int(int64_t value);
  JsonOut& Bool(bool value);
  JsonOut& Null();
  // Already-serialised JSON (a stored findings array, a route object); "" writes null.
  JsonOut& Raw(std::string_view json);
  // Key + value shorthands.
  JsonOut& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonOut& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonOut& Field(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonOut& Field(std::string_view key, int value) { return Key(key).Int(value); }
  JsonOut& Field(std::string_view key, bool value) { return Key(key).Bool(value); }
  // A string field that is null when empty.
  JsonOut& OptionalField(std::string_view key, std::string_view value) {
    return value.empty() ? Key(key).Null() : Field(key, value);
  }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

  static void Escape(std::string_view text, std::string& out);

 private:
  JsonOut& Open(char c);
  JsonOut& Close(char c);
  void Separate();

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace gw::formats::json
