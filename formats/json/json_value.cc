#include "formats/json/json_value.h"

#include <cctype>
#include <cstring>

namespace gw::formats::json {

const char* KindName(JsonValue::Kind kind) {
  switch (kind) {
    case JsonValue::Kind::kNull: return "null";
    case JsonValue::Kind::kBool: return "a boolean";
    case JsonValue::Kind::kNumber: return "a number";
    case JsonValue::Kind::kString: return "a string";
    case JsonValue::Kind::kArray: return "an array";
    case JsonValue::Kind::kObject: return "an object";
  }
  return "a value";
}

std::string PointerAppend(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  out += '/';
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PointerAppend(std::string_view pointer, size_t index) {
  std::string out(pointer);
  out += '/';
  out += std::to_string(index);
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, const ParseLimits& limits)
      : s_(text), limits_(limits), item_scratch_(ItemScratch()), member_scratch_(MemberScratch()) {
    if (item_scratch_.size() < limits.max_depth + 2) item_scratch_.resize(limits.max_depth + 2);
    if (member_scratch_.size() < limits.max_depth + 2) member_scratch_.resize(limits.max_depth + 2);
  }

  Result<JsonDocument> Run() {
    if (s_.size() > limits_.max_bytes) {
      limit_hit_ = true;
      error_ = "the JSON text has " + std::to_string(s_.size()) + " bytes, more than the limit of " +
               std::to_string(limits_.max_bytes);
      return Fail();
    }
    JsonDocument root;
    // Parse the document's own copy, so that every string can be a view into it.
    root.source_ = std::make_unique_for_overwrite<char[]>(s_.size() + 1);
    std::memcpy(root.source_.get(), s_.data(), s_.size());
    s_ = std::string_view(root.source_.get(), s_.size());
    decoded_ = &root.decoded_;
    if (s_.size() >= 3 && std::memcmp(s_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;  // BOM
    SkipSpace();
    if (!ParseValue(root, 0)) return Fail();
    SkipSpace();
    if (pos_ != s_.size()) {
      SetError("unexpected text after the end of the JSON value");
      return Fail();
    }
    return root;
  }

 private:
  Error Fail() {
    return Error::InvalidInput(
        limit_hit_ ? "the JSON text exceeds a limit" : "the text is not valid JSON",
        {Finding{limit_hit_ ? "json.limit" : "json.syntax", Finding::Severity::kFatal, "", error_}});
  }

  void SetError(std::string what) {
    if (!error_.empty()) return;
    // Line and column of pos_, counted in bytes from 1.
    uint32_t line = 1, col = 1;
    for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
      if (s_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    error_ = "line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + what;
  }

  // Steps over one ASCII character that is not a newline.
  void Advance() {
    ++pos_;
    ++col_;
  }

  void SkipSpace() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\r') {
        Advance();
      } else if (c == '\n') {
        ++pos_;
        ++line_;
        col_ = 1;
      } else {
        break;
      }
    }
  }

  bool Expect(char c, const char* what) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      Advance();
      return true;
    }
    SetError(std::string("expected ") + what + Found());
    return false;
  }

  std::string Found() const {
    if (pos_ >= s_.size()) return ", found the end of the text";
    unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (c >= 0x20 && c < 0x7f) return std::string(", found '") + static_cast<char>(c) + "'";
    char buf[32];
    std::snprintf(buf, sizeof(buf), ", found byte 0x%02X", c);
    return buf;
  }

  bool ParseValue(JsonValue& v, uint32_t depth) {
    v.line = line_;
    v.column = col_;
    if (pos_ >= s_.size()) {
      SetError("expected a value, found the end of the text");
      return false;
    }
    char c = s_[pos_];
    switch (c) {
      case '{': return ParseObject(v, depth + 1);
      case '[': return ParseArray(v, depth + 1);
      case '"':
        v.kind = JsonValue::Kind::kString;
        return ParseString(v.text);
      case 't': return ParseLiteral(v, "true", JsonValue::Kind::kBool, true);
      case 'f': return ParseLiteral(v, "false", JsonValue::Kind::kBool, false);
      case 'n': return ParseLiteral(v, "null", JsonValue::Kind::kNull, false);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(v);
        SetError("expected a value (object, array, string, number, true, false or null)" + Found() +
                 (std::isalpha(static_cast<unsigned char>(c))
                      ? " (strings need double quotes; NaN and Infinity are not JSON)"
                      : ""));
        return false;
    }
  }

  bool ParseLiteral(JsonValue& v, std::string_view word, JsonValue::Kind kind, bool b) {
    if (s_.substr(pos_, word.size()) != word) {
      SetError("expected a value" + Found() + " (strings need double quotes; NaN and Infinity are not JSON)");
      return false;
    }
    pos_ += word.size();
    col_ += static_cast<uint32_t>(word.size());
    v.kind = kind;
    v.boolean = b;
    return true;
  }

  bool ParseNumber(JsonValue& v) {
    size_t start = pos_;
    auto digit = [&] { return pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; };
    if (s_[pos_] == '-') ++pos_;
    if (!digit()) {
      SetError("expected digits after '-'");
      return false;
    }
    if (s_[pos_] == '0') {
      ++pos_;
      if (digit()) {
        SetError("numbers must not have leading zeros (write the value as a string, e.g. \"007\")");
        return false;
      }
    } else {
      while (digit()) ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digit()) {
        SetError("expected digits after the decimal point");
        return false;
      }
      while (digit()) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digit()) {
        SetError("expected digits in the exponent");
        return false;
      }
      while (digit()) ++pos_;
    }
    v.kind = JsonValue::Kind::kNumber;
    v.text = s_.substr(start, pos_ - start);
    col_ += static_cast<uint32_t>(pos_ - start);
    return true;
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool ReadHex4(uint32_t& out) {
    if (pos_ + 4 > s_.size()) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      int h = HexValue(s_[pos_ + i]);
      if (h < 0) return false;
      out = out * 16 + static_cast<uint32_t>(h);
    }
    pos_ += 4;
    return true;
  }

  // Writes the UTF-8 form of `cp` at `out` and returns the end. A \\u escape (6 bytes of text, or
  // 12 for a surrogate pair) never decodes to more bytes than it was written with.
  static char* PutUtf8(char* out, uint32_t cp) {
    if (cp < 0x80) {
      *out++ = static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out++ = static_cast<char>(0xC0 | (cp >> 6));
      *out++ = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out++ = static_cast<char>(0xE0 | (cp >> 12));
      *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out++ = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out++ = static_cast<char>(0xF0 | (cp >> 18));
      *out++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out++ = static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
  }

  // Length of the valid UTF-8 sequence at pos_ (RFC 3629 table), or 0 if invalid.
  size_t Utf8Length() const {
    auto byte = [&](size_t i) -> unsigned {
      return pos_ + i < s_.size() ? static_cast<unsigned char>(s_[pos_ + i]) : 0x100;
    };
    auto cont = [&](size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
      unsigned b = byte(i);
      return b >= lo && b <= hi;
    };
    unsigned b0 = byte(0);
    if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
    if (b0 == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
    if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) return cont(1) && cont(2) ? 3 : 0;
    if (b0 == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // no surrogates
    if (b0 == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    if (b0 >= 0xF1 && b0 <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (b0 == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    return 0;
  }

  // Parses the string at pos_ into `out`: a view into the text when it has no escape sequence,
  // else a view of its decoded form in the document's decode buffer.
  bool ParseString(std::string_view& out) {
    ++pos_;  // opening quote
    ++col_;
    const size_t begin = pos_;
    char* dst = nullptr;        // where decoded bytes go, once an escape has been seen
    char* dst_begin = nullptr;
    auto emit = [&](const char* p, size_t n) {
      if (dst != nullptr) {
        std::memcpy(dst, p, n);
        dst += n;
      }
    };
    while (true) {
      // Step over the run of plain ASCII in one go.
      size_t run = pos_;
      while (run < s_.size()) {
        unsigned char c = static_cast<unsigned char>(s_[run]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++run;
      }
      emit(s_.data() + pos_, run - pos_);
      col_ += static_cast<uint32_t>(run - pos_);
      pos_ = run;
      if (pos_ >= s_.size()) {
        SetError("unterminated string (missing closing '\"')");
        return false;
      }
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        out = dst == nullptr ? s_.substr(begin, pos_ - begin)
                             : std::string_view(dst_begin, static_cast<size_t>(dst - dst_begin));
        if (dst != nullptr) decoded_used_ += static_cast<size_t>(dst - dst_begin);
        Advance();
        return true;
      }
      if (c < 0x20) {
        SetError("control character in a string (escape it, e.g. \\n)");
        return false;
      }
      if (c >= 0x80) {
        size_t n = Utf8Length();
        if (n == 0) {
          SetError("malformed UTF-8 in a string" + Found() + " (the text must be UTF-8)");
          return false;
        }
        emit(s_.data() + pos_, n);
        pos_ += n;
        ++col_;
        continue;
      }
      // Escape sequence: from here on the string is decoded into the buffer.
      if (dst == nullptr) {
        if (!*decoded_) *decoded_ = std::make_unique_for_overwrite<char[]>(s_.size() + 1);
        dst_begin = decoded_->get() + decoded_used_;
        dst = dst_begin;
        emit(s_.data() + begin, pos_ - begin);
      }
      ++pos_;
      if (pos_ >= s_.size()) {
        SetError("unterminated escape sequence");
        return false;
      }
      char e = s_[pos_++];
      col_ += 2;
      switch (e) {
        case '"': *dst++ = '"'; break;
        case '\\': *dst++ = '\\'; break;
        case '/': *dst++ = '/'; break;
        case 'b': *dst++ = '\b'; break;
        case 'f': *dst++ = '\f'; break;
        case 'n': *dst++ = '\n'; break;
        case 'r': *dst++ = '\r'; break;
        case 't': *dst++ = '\t'; break;
        case 'u': {
          uint32_t cp;
          if (!ReadHex4(cp)) {
            SetError("expected 4 hex digits after \\u");
            return false;
          }
          col_ += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (pos_ + 1 < s_.size() && s_[pos_] == '\\' && s_[pos_ + 1] == 'u') {
              pos_ += 2;
              if (!ReadHex4(low) || low < 0xDC00 || low > 0xDFFF) {
                SetError("invalid UTF-16 surrogate pair in \\u escape");
                return false;
              }
              col_ += 6;
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              SetError("lone UTF-16 surrogate in \\u escape");
              return false;
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            SetError("lone UTF-16 surrogate in \\u escape");
            return false;
          }
          if (cp == 0) {
            SetError("\\u0000 is not allowed in text");
            return false;
          }
          dst = PutUtf8(dst, cp);
          break;
        }
        default:
          --pos_;
          SetError("invalid escape sequence \\" + std::string(1, e));
          return false;
      }
    }
  }

  bool CheckDepth(uint32_t depth) {
    if (depth > deepest_) deepest_ = depth;
    if (depth > limits_.max_depth) {
      SetError("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
      limit_hit_ = true;
      return false;
    }
    return true;
  }

  // Arrays and objects collect their children in a scratch vector per depth, reused across the
  // document, and move them into an exactly sized vector at the end: one allocation per container
  // instead of one per doubling.
  bool ParseArray(JsonValue& v, uint32_t depth) {
    if (!CheckDepth(depth)) return false;
    v.kind = JsonValue::Kind::kArray;
    Advance();
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      Advance();
      return true;
    }
    std::vector<JsonValue>& items = item_scratch_[depth];
    items.clear();
    while (true) {
      items.emplace_back();
      if (!ParseValue(items.back(), depth)) return false;
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        Advance();
        SkipSpace();
        continue;
      }
      if (!Expect(']', "',' or ']'")) return false;
      v.items.reserve(items.size());
      for (JsonValue& item : items) v.items.push_back(std::move(item));
      items.clear();
      return true;
    }
  }

  bool ParseObject(JsonValue& v, uint32_t depth) {
    if (!CheckDepth(depth)) return false;
    v.kind = JsonValue::Kind::kObject;
    Advance();
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      Advance();
      return true;
    }
    std::vector<JsonMember>& members = member_scratch_[depth];
    members.clear();
    while (true) {
      if (pos_ >= s_.size() || s_[pos_] != '"') {
        SetError("expected a member name in double quotes" + Found());
        return false;
      }
      std::string_view key;
      size_t key_pos = pos_;
      if (!ParseString(key)) return false;
      for (const JsonMember& existing : members) {
        if (existing.first == key) {
          pos_ = key_pos;
          SetError("duplicate member \"" + std::string(key) + "\" in one object");
          return false;
        }
      }
      SkipSpace();
      if (!Expect(':', "':' after the member name")) return false;
      SkipSpace();
      members.push_back(JsonMember{key, JsonValue{}});
      if (!ParseValue(members.back().second, depth)) return false;
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        Advance();
        SkipSpace();
        continue;
      }
      if (!Expect('}', "',' or '}'")) return false;
      v.members.reserve(members.size());
      for (JsonMember& m : members) v.members.push_back(std::move(m));
      members.clear();
      return true;
    }
  }

  std::string_view s_;
  ParseLimits limits_;
  std::unique_ptr<char[]>* decoded_ = nullptr;  // the document's decode buffer, made on first use
  size_t decoded_used_ = 0;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t col_ = 1;
  std::string error_;
  bool limit_hit_ = false;
  // Scratch vectors by depth, kept per thread so that their capacity is reused across documents.
  // A parse leaves them empty (moved-from values are cleared at the next use).
  // A document with very large arrays or objects leaves no more than kKeptScratch entries of
  // capacity behind.
  static constexpr size_t kKeptScratch = 4096;
  template <typename V>
  void ReleaseLargeScratch(std::vector<V>& scratch) {
    for (size_t d = 0; d <= deepest_ && d < scratch.size(); ++d) {
      if (scratch[d].capacity() > kKeptScratch) std::vector<typename V::value_type>().swap(scratch[d]);
      scratch[d].clear();
    }
  }

 public:
  ~Parser() {
    ReleaseLargeScratch(item_scratch_);
    ReleaseLargeScratch(member_scratch_);
  }

 private:
  uint32_t deepest_ = 0;
  static std::vector<std::vector<JsonValue>>& ItemScratch() {
    thread_local std::vector<std::vector<JsonValue>> scratch;
    return scratch;
  }
  static std::vector<std::vector<JsonMember>>& MemberScratch() {
    thread_local std::vector<std::vector<JsonMember>> scratch;
    return scratch;
  }
  std::vector<std::vector<JsonValue>>& item_scratch_;
  std::vector<std::vector<JsonMember>>& member_scratch_;
};


Result<JsonDocument> Parse(std::string_view text, const ParseLimits& limits) {
  return Parser(text, limits).Run();
}

std::string GetString(const JsonValue& value, std::string_view name) {
  const JsonValue* v = Get(value, name);
  return v && v->is_string() ? std::string(v->text) : std::string();
}

const JsonValue* Get(const JsonValue& value, std::string_view name) {
  if (!value.is_object()) return nullptr;
  for (const auto& m : value.members)
    if (m.first == name) return &m.second;
  return nullptr;
}

}  // namespace gw::formats::json
