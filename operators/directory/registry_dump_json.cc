// The registry dump reader's JSON syntax (RFC 8259), streamed: one entry object in memory at a time.
#include <set>

#include "formats/validation/xpath_value.h"
#include "operators/directory/registry_dump_input.h"

namespace gw::operators::dump {
namespace {

// ---- JSON (RFC 8259), streamed: one entry object in memory at a time ----

class JsonReader {
 public:
  JsonReader(ByteSource& src, Sink& sink) : src_(src), sink_(sink) {}

  Status Read() {
    SkipWs();
    int c = src_.Peek();
    if (c == '[') {
      GW_RETURN_IF_ERROR(ReadEntries());
    } else {  // '{': the entries are one member; the others (a date, a count) are skipped
      src_.Get();
      SkipWs();
      bool found = false;
      if (src_.Peek() == '}') src_.Get();
      else
        for (;;) {
          GW_RETURN_IF_ERROR(ReadKeyColon(key_));
          std::string k = NormalizeKey(key_);
          if (!found && src_.Peek() == '[' &&
              (k == "entries" || k == "data" || k == "items" || k == "records")) {
            found = true;
            GW_RETURN_IF_ERROR(ReadEntries());
          } else {
            GW_RETURN_IF_ERROR(SkipValue(0));
          }
          SkipWs();
          c = src_.Get();
          if (c == '}') break;
          if (c != ',') return Syntax("expected ',' or '}' in the top-level object");
          SkipWs();
        }
      if (!found) return NotADump("the JSON object has no \"entries\" array");
    }
    SkipWs();
    if (src_.Peek() >= 0) return Syntax("unexpected content after the JSON document");
    return OkStatus();
  }

 private:
  Error Syntax(const std::string& what) {
    return Error::InvalidArgument("registry dump: JSON syntax error at line " + std::to_string(src_.line()) +
                                  ": " + what);
  }
  void SkipWs() {
    for (int c = src_.Peek(); c == ' ' || c == '\n' || c == '\r' || c == '\t'; c = src_.Peek()) src_.Get();
  }

  Status ReadEntries() {
    src_.Get();  // '['
    SkipWs();
    if (src_.Peek() == ']') {
      src_.Get();
      return OkStatus();
    }
    for (;;) {
      sink_.BeginRow(src_.line());
      if (src_.Peek() == '{') {
        GW_RETURN_IF_ERROR(ReadEntry());
      } else {
        if (sink_.index() == 0) return NotADump("the first element of the JSON array is not an object");
        sink_.RowProblem(RegistryProblemKind::kMalformedRow, "", "the entry is not a JSON object");
        GW_RETURN_IF_ERROR(SkipValue(1));
        GW_RETURN_IF_ERROR(sink_.EndRow(nullptr));
      }
      SkipWs();
      int c = src_.Get();
      if (c == ']') return OkStatus();
      if (c != ',') return Syntax("expected ',' or ']' after entry " + std::to_string(sink_.index()));
      SkipWs();
    }
  }

  Status ReadEntry() {
    src_.Get();  // '{'
    for (auto& v : row_.values) v.clear();
    row_.invalid = {};
    bool has_address = false;
    SkipWs();
    if (src_.Peek() == '}') {
      src_.Get();
    } else {
      for (;;) {
        GW_RETURN_IF_ERROR(ReadKeyColon(key_));
        Field f = CachedField(key_);
        int c = src_.Peek();
        if (f == kNone) {
          if (unknown_keys_.size() < 100 && unknown_keys_.insert(key_).second)
            sink_.RowProblem(RegistryProblemKind::kUnknownField, key_, "unknown key, ignored");
          GW_RETURN_IF_ERROR(SkipValue(1));
        } else if (c == '"') {
          has_address |= f == kAddress;
          GW_RETURN_IF_ERROR(ReadString(row_.values[f]));
        } else if (c == 'n') {
          has_address |= f == kAddress;
          GW_RETURN_IF_ERROR(SkipValue(1));  // null: absent
        } else {
          sink_.RowProblem(RegistryProblemKind::kMalformedRow, kFieldNames[f], "must be a string");
          row_.invalid[f] = true;
          GW_RETURN_IF_ERROR(SkipValue(1));
        }
        SkipWs();
        c = src_.Get();
        if (c == '}') break;
        if (c != ',') return Syntax("expected ',' or '}' in entry " + std::to_string(sink_.index()));
        SkipWs();
      }
    }
    if (sink_.index() == 0 && !has_address) return NotADump("the first JSON entry has no address field");
    RowView view = row_.View();
    return sink_.EndRow(&view);
  }

  // Most dumps use the same few keys in every entry: remember their fields.
  Field CachedField(const std::string& key) {
    for (const auto& [k, f] : key_cache_)
      if (k == key) return f;
    Field f = FieldFor(key);
    if (key_cache_.size() < 16) key_cache_.emplace_back(key, f);
    return f;
  }

  Status ReadKeyColon(std::string& key) {
    if (src_.Peek() != '"') return Syntax("expected a member name in double quotes");
    GW_RETURN_IF_ERROR(ReadString(key));
    SkipWs();
    if (src_.Get() != ':') return Syntax("expected ':' after \"" + key + "\"");
    SkipWs();
    return OkStatus();
  }


  Result<std::uint32_t> Hex4() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int c = src_.Get();
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return Syntax("bad \\u escape");
      v = v * 16 + static_cast<std::uint32_t>(d);
    }
    return v;
  }

  Status ReadString(std::string& out) {
    out.clear();
    src_.Get();  // '"'
    for (;;) {
      // The plain run at once, stopping where the checks below could fail (at most 1 MiB + 1).
      if (out.size() <= kMaxRecord) src_.AppendJsonRun(out, kMaxRecord + 1 - out.size());
      int c = src_.Get();
      if (c == '"') return OkStatus();
      if (c < 0) return Syntax("a string is not closed");
      if (c < 0x20) return Syntax("a control character in a string");
      if (out.size() > kMaxRecord) return NotADump("a JSON string is longer than 1 MiB");
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      c = src_.Get();
      switch (c) {
        case '"': case '\\': case '/': out += static_cast<char>(c); break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          auto cp = Hex4();
          if (!cp) return std::move(cp).error();
          std::uint32_t v = *cp;
          if (v >= 0xD800 && v <= 0xDBFF && src_.Peek() == '\\') {  // a surrogate pair
            src_.Get();
            if (src_.Get() != 'u') return Syntax("bad escape after a high surrogate");
            auto lo = Hex4();
            if (!lo) return std::move(lo).error();
            v = *lo >= 0xDC00 && *lo <= 0xDFFF ? 0x10000 + ((v - 0xD800) << 10) + (*lo - 0xDC00) : 0xFFFD;
          } else if (v >= 0xD800 && v <= 0xDFFF) {
            v = 0xFFFD;  // a lone surrogate has no UTF-8 form
          }
          formats::validation::AppendCodePoint(out, v);
          break;
        }
        default: return Syntax("bad escape in a string");
      }
    }
  }

  Status SkipValue(int depth) {
    if (depth > kMaxJsonDepth) return NotADump("JSON nested deeper than 64 levels");
    int c = src_.Peek();
    if (c == '"') return ReadString(scratch_);
    if (c == '{' || c == '[') {
      int close = c == '{' ? '}' : ']';
      src_.Get();
      SkipWs();
      if (src_.Peek() == close) {
        src_.Get();
        return OkStatus();
      }
      for (;;) {
        if (close == '}') GW_RETURN_IF_ERROR(ReadKeyColon(scratch_));
        GW_RETURN_IF_ERROR(SkipValue(depth + 1));
        SkipWs();
        c = src_.Get();
        if (c == close) return OkStatus();
        if (c != ',') return Syntax(std::string("expected ',' or '") + static_cast<char>(close) + "'");
        SkipWs();
      }
    }
    for (const char* word : {"true", "false", "null"}) {
      if (c != word[0]) continue;
      for (const char* p = word; *p; ++p)
        if (src_.Get() != *p) return Syntax(std::string("expected ") + word);
      return OkStatus();
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      while ((c = src_.Peek()) >= 0 && std::strchr("+-0123456789.eE", c) != nullptr) src_.Get();
      return OkStatus();
    }
    return Syntax(c < 0 ? "unexpected end of the input" : "unexpected character");
  }

  ByteSource& src_;
  Sink& sink_;
  RawRow row_;
  std::string key_, scratch_;
  std::vector<std::pair<std::string, Field>> key_cache_;
  std::set<std::string> unknown_keys_;
};

}  // namespace

Status ReadJson(ByteSource& src, Sink& sink) {
  JsonReader json(src, sink);
  GW_RETURN_IF_ERROR(json.Read());
  return StreamStatus(src);
}

}  // namespace gw::operators::dump
