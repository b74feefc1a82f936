#include "formats/json/json_out.h"

#include <cstdio>

namespace gw::formats::json {

void JsonOut::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
}

JsonOut& JsonOut::Open(char c) {
  Separate();
  out_ += c;
  first_.push_back(true);
  return *this;
}

JsonOut& JsonOut::Close(char c) {
  out_ += c;
  first_.pop_back();
  return *this;
}

JsonOut& JsonOut::Key(std::string_view key) {
  Separate();
  Escape(key, out_);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonOut& JsonOut::String(std::string_view value) {
  Separate();
  Escape(value, out_);
  return *this;
}

JsonOut& JsonOut::Int(int64_t value) {
  Separate();
  out_ += std::to_string(value);
  return *this;
}

JsonOut& JsonOut::Bool(bool value) {
  Separate();
  out_ += value ? "true" : "false";
  return *this;
}

JsonOut& JsonOut::Null() {
  Separate();
  out_ += "null";
  return *this;
}

JsonOut& JsonOut::Raw(std::string_view json) {
  Separate();
  if (json.empty()) {
    out_ += "null";
  } else {
    out_ += json;
  }
  return *this;
}

void JsonOut::Escape(std::string_view text, std::string& out) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

}  // namespace gw::formats::json
