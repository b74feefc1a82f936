#include "certs/xmldsig/exc_c14n.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include <openssl/err.h>
#include <openssl/evp.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace gw::certs {
namespace {

constexpr size_t npos = std::string_view::npos;
constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";

// Equality of two short names (prefixes, element names) without a call to memcmp.
inline bool Same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
// ASCII name characters: 1 may start a name, 2 may only follow.
struct NameClasses {
  uint8_t c[256] = {};
  constexpr NameClasses() {
    for (int i = 'a'; i <= 'z'; ++i) c[i] = c[i - 32] = 1;
    c[static_cast<int>('_')] = c[static_cast<int>(':')] = 1;
    for (int i = '0'; i <= '9'; ++i) c[i] = 2;
    c[static_cast<int>('-')] = c[static_cast<int>('.')] = 2;
  }
};
constexpr NameClasses kName;
inline bool IsNameStart(unsigned char c) { return kName.c[c] == 1; }
inline bool IsNameChar(unsigned char c) { return kName.c[c] != 0; }

// The length of the UTF-8 sequence at p (*p >= 0x80) when it is well formed and an XML Char
// (XML 1.0 section 2.2), else 0.
size_t Utf8Char(const unsigned char* p, const unsigned char* end) {
  const unsigned c = p[0];
  uint32_t cp = 0;
  size_t n = 0;
  if (c < 0xC2) return 0;
  if (c < 0xE0) {
    n = 2;
    cp = c & 0x1F;
  } else if (c < 0xF0) {
    n = 3;
    cp = c & 0x0F;
  } else if (c < 0xF5) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (static_cast<size_t>(end - p) < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
  return n;
}

bool IsXmlChar(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

template <typename Out>
void AppendUtf8(Out& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A character of text or of an attribute value, written as C14N 1.0 section 2.3 wants.
template <typename Out>
void AppendTextChar(Out& out, uint32_t cp) {
  switch (cp) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '\r': out += "&#xD;"; break;
    default: AppendUtf8(out, cp);
  }
}
template <typename Out>
void AppendAttributeChar(Out& out, uint32_t cp) {
  switch (cp) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '"': out += "&quot;"; break;
    case '\t': out += "&#x9;"; break;
    case '\n': out += "&#xA;"; break;
    case '\r': out += "&#xD;"; break;
    default: AppendUtf8(out, cp);
  }
}

// Bytes a run of text or attribute value copies as they are: printable ASCII but the markup
// characters, and tab and line feed in text.
struct ByteClasses {
  bool text[256] = {};
  bool attribute[256] = {};
  constexpr ByteClasses() {
    for (int c = 0x20; c < 0x80; ++c) {
      text[c] = c != '&' && c != '<' && c != '>';
      attribute[c] = c != '&' && c != '<' && c != '"';
    }
    text[static_cast<int>('\t')] = text[static_cast<int>('\n')] = true;
  }
};
constexpr ByteClasses kPlain;

// The first byte at or after `i` that text cannot copy as it is (see ByteClasses), or `size`.
// Sixteen bytes at a time where SSE2 is there (every x86-64), since most of a document's text is
// indentation and short ASCII values.
inline size_t SkipPlainText(const unsigned char* p, size_t i, size_t size) {
#ifdef __SSE2__
  const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&'), gt = _mm_set1_epi8('>');
  const __m128i space = _mm_set1_epi8(0x20), tab = _mm_set1_epi8('\t'), lf = _mm_set1_epi8('\n');
  while (i + 16 <= size) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // Signed: bytes 0x80 and above count as below 0x20, so they stop the run too (UTF-8 is
    // checked on the slow path).
    __m128i stop = _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, lf)),
                                    _mm_cmplt_epi8(v, space));
    stop = _mm_or_si128(stop, _mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, gt))));
    const int mask = _mm_movemask_epi8(stop);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
#endif
  while (i < size && kPlain.text[p[i]]) ++i;
  return i;
}

// An absolute URI of RFC 3986 in plain ASCII: a scheme, then unreserved and reserved characters
// (no brackets, no '&', no quotes), '%' with two hex digits, at most one '#'. Namespace names of
// any other shape are left to libxml2, whose URI checks they might fail; these need no escaping.
bool PlainAbsoluteUri(std::string_view uri) {
  size_t i = 0;
  if (uri.empty() || !((uri[0] | 32) >= 'a' && (uri[0] | 32) <= 'z')) return false;
  while (i < uri.size() && uri[i] != ':') {
    const char c = uri[i];
    if (!(((c | 32) >= 'a' && (c | 32) <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return false;
    ++i;
  }
  if (i == uri.size()) return false;
  bool fragment = false;
  for (++i; i < uri.size(); ++i) {
    const char c = uri[i];
    if (((c | 32) >= 'a' && (c | 32) <= 'z') || (c >= '0' && c <= '9')) continue;
    if (c == '%') {
      if (i + 2 >= uri.size() || !std::isxdigit(static_cast<unsigned char>(uri[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(uri[i + 2]))) {
        return false;
      }
      i += 2;
      continue;
    }
    if (c == '#') {
      if (fragment) return false;
      fragment = true;
      continue;
    }
    if (std::string_view("-._~:/?@!$'()*+,;=").find(c) == std::string_view::npos) return false;
  }
  return true;
}

struct RawAttribute {
  std::string_view name;
  size_t colon = npos;     // where the prefix ends in `name`
  std::string_view value;  // between the quotes, as written
};

// A start tag read from the text: its name, attributes as written and whether it is an
// empty-element tag. `end` is just past its '>'.
struct Tag {
  std::string_view qname;
  size_t colon = npos;
  std::vector<RawAttribute> attributes;
  bool empty = false;
  size_t end = 0;
};

// The XML reading both the canonicalizer and the outline use: names, start tags, and the
// constructs skipped over (comments, processing instructions, the XML declaration).
class Scanner {
 public:
  Scanner(std::string_view s, std::string* why) : s_(s), why_(why) {}

  bool Fail(const char* reason, size_t at) {
    if (why_ != nullptr) *why_ = std::string(reason) + " (byte " + std::to_string(at) + ")";
    return false;
  }
  bool StartsWith(size_t at, std::string_view prefix) const { return s_.compare(at, prefix.size(), prefix) == 0; }

  // An ASCII XML name at `pos` with at most one ':', neither first nor last (a QName), or ""
  // (non-ASCII names are left to the libxml2 path). `colon`: where the prefix ends, or npos.
  std::string_view Name(size_t& pos, size_t* colon = nullptr) const {
    const auto* p = reinterpret_cast<const unsigned char*>(s_.data());
    const size_t size = s_.size();
    const size_t start = pos;
    if (pos >= size || !IsNameStart(p[pos]) || p[pos] == ':') return {};
    size_t c = npos;
    size_t i = pos + 1;
    for (; i < size && IsNameChar(p[i]); ++i) {
      if (p[i] == ':') {
        if (c != npos) return {};
        c = i - start;
      }
    }
    if ((i < size && p[i] >= 0x80) || (c != npos && c + 1 == i - start)) return {};
    pos = i;
    if (colon != nullptr) *colon = c;
    return s_.substr(start, i - start);
  }
  bool SkipSpace(size_t& pos) const {
    size_t start = pos;
    while (pos < s_.size() && IsSpace(s_[pos])) ++pos;
    return pos != start;
  }

  // The start tag at `pos` (its '<').
  bool ReadTag(size_t pos, Tag& tag) {
    ++pos;
    tag.qname = Name(pos, &tag.colon);
    if (tag.qname.empty()) return Fail("an element name that is not an ASCII XML name with at most one ':'", pos);
    tag.attributes.clear();
    for (;;) {
      bool spaced = SkipSpace(pos);
      if (pos >= s_.size()) return Fail("a start tag without its end", pos);
      if (s_[pos] == '>') {
        tag.empty = false;
        tag.end = pos + 1;
        return true;
      }
      if (s_[pos] == '/') {
        if (!StartsWith(pos, "/>")) return Fail("'/' inside a start tag", pos);
        tag.empty = true;
        tag.end = pos + 2;
        return true;
      }
      if (!spaced) return Fail("no space before an attribute", pos);
      size_t colon = npos;
      std::string_view name = Name(pos, &colon);
      if (name.empty()) return Fail("an attribute name that is not an ASCII XML name with at most one ':'", pos);
      SkipSpace(pos);
      if (pos >= s_.size() || s_[pos] != '=') return Fail("an attribute without '='", pos);
      ++pos;
      SkipSpace(pos);
      if (pos >= s_.size() || (s_[pos] != '"' && s_[pos] != '\'')) return Fail("an attribute value without quotes", pos);
      const char quote = s_[pos];
      size_t close = pos + 1;
      while (close < s_.size() && s_[close] != quote) ++close;
      if (close >= s_.size()) return Fail("an attribute value without its closing quote", pos);
      tag.attributes.push_back(RawAttribute{name, colon, s_.substr(pos + 1, close - pos - 1)});
      pos = close + 1;
    }
  }

  // The byte offset past a comment ("<!--" at pos), checking its characters; npos when not
  // well formed.
  size_t SkipComment(size_t pos) {
    size_t end = s_.find("--", pos + 4);
    if (end == npos || end + 2 >= s_.size() || s_[end + 2] != '>') {
      Fail("a comment that is not closed by '-->' or holds '--'", pos);
      return npos;
    }
    if (!CheckChars(pos + 4, end)) return npos;
    return end + 3;
  }
  // A processing instruction at `pos` ("<?"): its target and data; the offset past it, or npos.
  size_t ReadPi(size_t pos, std::string_view& target, std::string_view& data) {
    size_t p = pos + 2;
    target = Name(p);
    if (target.empty()) return Fail("a processing instruction without a target", pos), npos;
    if (target.size() == 3 && (target[0] | 32) == 'x' && (target[1] | 32) == 'm' && (target[2] | 32) == 'l') {
      return Fail("an XML declaration that is not at the start of the document", pos), npos;
    }
    size_t end = s_.find("?>", p);
    if (end == npos) return Fail("a processing instruction without '?>'", pos), npos;
    if (end != p && !SkipSpace(p)) return Fail("a processing instruction target followed by no space", p), npos;
    data = s_.substr(std::min(p, end), end - std::min(p, end));
    if (data.find('\r') != npos) return Fail("a carriage return in a processing instruction", pos), npos;
    if (!CheckChars(p, end)) return npos;
    return end + 2;
  }
  // Past a byte-order mark and the XML declaration (XML 1.0 production 23: version, then an
  // optional encoding, which must be UTF-8, and standalone, in that order).
  bool SkipDeclaration(size_t& pos) {
    pos = StartsWith(0, "\xEF\xBB\xBF") ? 3 : 0;
    if (!StartsWith(pos, "<?xml") || pos + 5 >= s_.size() || !IsSpace(s_[pos + 5])) return true;
    const size_t at = pos;
    size_t p = pos + 5;
    // One pseudo-attribute: white space, the name, '=', a quoted value.
    auto pseudo = [&](std::string_view name, std::string_view& value) {
      size_t q = p;
      if (!SkipSpace(q) || !StartsWith(q, name)) return false;
      q += name.size();
      SkipSpace(q);
      if (q >= s_.size() || s_[q] != '=') return false;
      ++q;
      SkipSpace(q);
      if (q >= s_.size() || (s_[q] != '"' && s_[q] != '\'')) return false;
      size_t close = s_.find(s_[q], q + 1);
      if (close == npos) return false;
      value = s_.substr(q + 1, close - q - 1);
      p = close + 1;
      return true;
    };
    std::string_view version, encoding, standalone;
    if (!pseudo("version", version) || version.size() < 3 || version.substr(0, 2) != "1." ||
        version.find_first_not_of("0123456789", 2) != npos) {
      return Fail("an XML declaration without a version 1.x", at);
    }
    if (pseudo("encoding", encoding)) {
      std::string lower(encoding);
      for (char& c : lower) c = static_cast<char>(c | 32);
      if (lower != "utf-8" && lower != "utf8") return Fail("an encoding other than UTF-8", at);
    }
    if (pseudo("standalone", standalone) && standalone != "yes" && standalone != "no") {
      return Fail("an XML declaration with a standalone other than yes or no", at);
    }
    SkipSpace(p);
    if (!StartsWith(p, "?>")) return Fail("a malformed XML declaration", at);
    pos = p + 2;
    return true;
  }
  // Every character of [from, to) is an XML Char in well-formed UTF-8.
  bool CheckChars(size_t from, size_t to) {
    const auto* p = reinterpret_cast<const unsigned char*>(s_.data());
    for (size_t i = from; i < to;) {
      unsigned char c = p[i];
      if (c >= 0x80) {
        size_t n = Utf8Char(p + i, p + to);
        if (n == 0) return Fail("malformed UTF-8 or a character XML does not allow", i);
        i += n;
      } else {
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return Fail("a control character", i);
        ++i;
      }
    }
    return true;
  }

  // A character reference or predefined entity at `pos` ('&'): its code point and the offset
  // past ';'. False for anything else (an undeclared entity).
  bool Reference(size_t& pos, uint32_t& cp) {
    size_t semi = s_.find(';', pos + 1);
    if (semi == npos || semi - pos > 12) return Fail("an '&' that starts no reference", pos);
    std::string_view ref = s_.substr(pos + 1, semi - pos - 1);
    if (ref == "lt") cp = '<';
    else if (ref == "gt") cp = '>';
    else if (ref == "amp") cp = '&';
    else if (ref == "quot") cp = '"';
    else if (ref == "apos") cp = '\'';
    else if (ref.size() >= 2 && ref[0] == '#') {
      bool hex = ref[1] == 'x';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      if (digits.empty()) return Fail("an empty character reference", pos);
      cp = 0;
      for (char d : digits) {
        int v = d >= '0' && d <= '9' ? d - '0' : hex && (d | 32) >= 'a' && (d | 32) <= 'f' ? (d | 32) - 'a' + 10 : -1;
        if (v < 0) return Fail("a malformed character reference", pos);
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
        if (cp > 0x10FFFF) return Fail("a character reference out of range", pos);
      }
      if (!IsXmlChar(cp)) return Fail("a character reference to a character XML does not allow", pos);
    } else {
      return Fail("a reference to an entity that is not predefined", pos);
    }
    pos = semi + 1;
    return true;
  }

 protected:
  std::string_view s_;
  std::string* why_;
};

// The canonical form on its way out: a fixed buffer handed to a sink whenever it fills (a string,
// or a digest that then never holds the whole canonical form), so that each write is a bounds
// check and a copy.
class Output {
 public:
  using Sink = void (*)(void* context, const char* data, size_t size);
  Output(Sink sink, void* context) : sink_(sink), context_(context) {}
  ~Output() { Flush(); }

  Output& append(const char* data, size_t size) {
    if (size > kSize - used_) {
      Flush();
      if (size > kSize) {
        sink_(context_, data, size);
        return *this;
      }
    }
    std::memcpy(buffer_ + used_, data, size);
    used_ += size;
    return *this;
  }
  Output& append(std::string_view text) { return append(text.data(), text.size()); }
  void push_back(char c) {
    if (used_ == kSize) Flush();
    buffer_[used_++] = c;
  }
  Output& operator+=(char c) {
    push_back(c);
    return *this;
  }
  Output& operator+=(std::string_view text) { return append(text); }
  void Flush() {
    if (used_ != 0) sink_(context_, buffer_, used_);
    used_ = 0;
  }

 private:
  static constexpr size_t kSize = 16384;
  Sink sink_;
  void* context_;
  size_t used_ = 0;
  char buffer_[kSize];
};

class Canonicalizer : public Scanner {
 public:
  Canonicalizer(std::string_view s, Output& out, std::string* why) : Scanner(s, why), out_(out) {}

  bool Run() {
    size_t pos = 0;
    if (!SkipDeclaration(pos)) return false;
    bool root_done = false;
    for (;;) {
      SkipSpace(pos);
      if (pos >= s_.size()) break;
      if (s_[pos] != '<') return Fail("text outside the document element", pos);
      if (StartsWith(pos, "<!--")) {
        if ((pos = SkipComment(pos)) == npos) return false;
      } else if (StartsWith(pos, "<?")) {
        std::string_view target, data;
        size_t next = ReadPi(pos, target, data);
        if (next == npos) return false;
        if (root_done) out_ += '\n';
        AppendPi(target, data);
        if (!root_done) out_ += '\n';
        pos = next;
      } else if (StartsWith(pos, "<!")) {
        return Fail("a DOCTYPE or other declaration (not taken by the text canonicalizer)", pos);
      } else {
        if (root_done) return Fail("a second document element", pos);
        if (!Element(pos)) return false;
        root_done = true;
      }
    }
    if (!root_done) return Fail("no document element", pos);
    return true;
  }

 private:
  struct Binding {
    std::string_view prefix;
    std::string_view uri;
  };
  // A stack of bindings in a fixed array: pushes and pops are the hot path of every element.
  // A document with more namespace declarations in scope at once is left to the libxml2 path.
  class Bindings {
   public:
    size_t size() const { return size_; }
    Binding operator[](size_t i) const {
      const Item& item = items_[i];
      return Binding{std::string_view(item.prefix, item.prefix_size), std::string_view(item.uri, item.uri_size)};
    }
    bool push_back(Binding b) {
      if (size_ == kCapacity) return false;
      items_[size_++] = Item{b.prefix.data(), b.prefix.size(), b.uri.data(), b.uri.size()};
      return true;
    }
    void resize(size_t n) { size_ = n; }

   private:
    static constexpr size_t kCapacity = 512;
    // Trivial, so that the array is not initialised on every call.
    struct Item {
      const char* prefix;
      size_t prefix_size;
      const char* uri;
      size_t uri_size;
    };
    size_t size_ = 0;
    Item items_[kCapacity];
  };
  struct Attribute {
    std::string_view qname;
    std::string_view local;
    std::string_view uri;
    std::string_view raw;
    size_t colon;
  };

  // The document element and everything in it, from its start tag at `pos`; `pos` ends past its
  // end tag.
  bool Element(size_t& pos) {
    std::vector<std::string_view>& open = open_;
    open.clear();
    if (!StartTag(pos)) return false;
    if (open.empty()) return true;
    while (pos < s_.size()) {
      if (s_[pos] != '<') {
        if (!Text(pos)) return false;
        continue;
      }
      const char next = pos + 1 < s_.size() ? s_[pos + 1] : '\0';
      if (next == '/') {
        if (!EndTag(pos)) return false;
        if (open.empty()) return true;
      } else if (next == '!') {
        if (StartsWith(pos, "<!--")) {
          if ((pos = SkipComment(pos)) == npos) return false;
        } else if (StartsWith(pos, "<![CDATA[")) {
          if (!CData(pos)) return false;
        } else {
          return Fail("a declaration inside the document element", pos);
        }
      } else if (next == '?') {
        std::string_view target, data;
        size_t next_pos = ReadPi(pos, target, data);
        if (next_pos == npos) return false;
        AppendPi(target, data);
        pos = next_pos;
      } else if (!StartTag(pos)) {
        return false;
      }
    }
    return Fail("the document ends inside an element", pos);
  }

  void AppendPi(std::string_view target, std::string_view data) {
    out_ += "<?";
    out_ += target;
    if (!data.empty()) {
      out_ += ' ';
      out_ += data;
    }
    out_ += "?>";
  }

  std::string_view Lookup(std::string_view prefix, bool& found) const {
    for (size_t i = scope_.size(); i-- > 0;) {
      if (Same(scope_[i].prefix, prefix)) {
        found = true;
        return scope_[i].uri;
      }
    }
    found = prefix.empty() || prefix == "xml";
    return prefix == "xml" ? kXmlNamespace : std::string_view();
  }
  std::string_view Rendered(std::string_view prefix, bool& found) const {
    for (size_t i = rendered_.size(); i-- > 0;) {
      if (Same(rendered_[i].prefix, prefix)) {
        found = true;
        return rendered_[i].uri;
      }
    }
    found = false;
    return {};
  }

  bool Declare(std::string_view prefix, std::string_view uri, size_t at, size_t mark) {
    if (!uri.empty() && !PlainAbsoluteUri(uri)) {
      return Fail("a namespace URI that is not a plain absolute URI (left to libxml2)", at);
    }
    if (prefix == "xmlns") return Fail("the prefix xmlns declared", at);
    if (prefix == "xml") {
      if (uri != kXmlNamespace) return Fail("the prefix xml bound to another namespace", at);
      return true;  // predeclared
    }
    if (uri == kXmlNamespace) return Fail("the XML namespace bound to another prefix", at);
    if (!prefix.empty() && uri.empty()) return Fail("a prefix undeclared (xmlns:p=\"\")", at);
    for (size_t i = mark; i < scope_.size(); ++i) {
      if (scope_[i].prefix == prefix) return Fail("a namespace declared twice on one element", at);
    }
    if (!scope_.push_back(Binding{prefix, uri})) return Fail("more than 512 namespace declarations in scope", at);
    return true;
  }

  static void SplitQName(std::string_view qname, size_t colon, std::string_view& prefix, std::string_view& local) {
    if (colon == npos) {
      prefix = {};
      local = qname;
    } else {
      prefix = qname.substr(0, colon);
      local = qname.substr(colon + 1);
    }
  }

  bool StartTag(size_t& pos) {
    const size_t at = pos;
    if (!ReadTag(pos, tag_)) return false;
    const size_t scope_mark = scope_.size();
    const size_t rendered_mark = rendered_.size();
    attributes_.clear();
    for (const RawAttribute& a : tag_.attributes) {
      if (a.name == "xmlns") {
        if (!Declare({}, a.value, at, scope_mark)) return false;
      } else if (a.colon == 5 && a.name.substr(0, 6) == "xmlns:") {
        if (!Declare(a.name.substr(6), a.value, at, scope_mark)) return false;
      } else {
        attributes_.push_back(Attribute{a.name, {}, {}, a.value, a.colon});
      }
    }
    std::string_view prefix, local;
    SplitQName(tag_.qname, tag_.colon, prefix, local);
    bool found = false;
    const std::string_view element_uri = Lookup(prefix, found);
    if (!found) return Fail("an element prefix that is not declared", at);
    // The prefixes the element visibly uses (its own, its attributes'), each once.
    visible_.clear();
    visible_.push_back(prefix);
    for (Attribute& a : attributes_) {
      std::string_view aprefix;
      SplitQName(a.qname, a.colon, aprefix, a.local);
      if (aprefix.empty()) continue;
      a.uri = Lookup(aprefix, found);
      if (!found) return Fail("an attribute prefix that is not declared", at);
      if (aprefix != "xml" && std::find(visible_.begin(), visible_.end(), aprefix) == visible_.end()) {
        visible_.push_back(aprefix);
      }
    }
    for (size_t i = 0; i < attributes_.size(); ++i) {
      for (size_t j = i + 1; j < attributes_.size(); ++j) {
        if (attributes_[i].uri == attributes_[j].uri && attributes_[i].local == attributes_[j].local) {
          return Fail("an attribute given twice", at);
        }
      }
    }
    // Namespace nodes: rendered where visibly used unless the nearest output ancestor rendered
    // the same binding (exc-c14n section 3); the default namespace as xmlns="" when it is empty
    // here but an ancestor rendered one.
    if (visible_.size() > 1) std::sort(visible_.begin(), visible_.end());
    out_.push_back('<');
    out_.append(tag_.qname);
    for (std::string_view p : visible_) {
      if (p == "xml") continue;
      std::string_view uri = p.data() == prefix.data() ? element_uri : Lookup(p, found);
      bool was = false;
      std::string_view before = Rendered(p, was);
      if (was ? (before.data() == uri.data() && before.size() == uri.size()) || before == uri : uri.empty()) continue;
      if (!rendered_.push_back(Binding{p, uri})) return Fail("more than 512 namespaces rendered in scope", at);
      // Declare() refused URIs that would need escaping.
      if (p.empty()) {
        out_.append(" xmlns=\"", 8).append(uri).push_back('"');
      } else {
        out_.append(" xmlns:", 7).append(p).append("=\"", 2).append(uri).push_back('"');
      }
    }
    if (attributes_.size() > 1) std::sort(attributes_.begin(), attributes_.end(), [](const Attribute& a, const Attribute& b) {
      return a.uri != b.uri ? a.uri < b.uri : a.local < b.local;
    });
    for (const Attribute& a : attributes_) {
      out_.push_back(' ');
      out_.append(a.qname).append("=\"", 2);
      if (!AttributeValue(a.raw, at)) return false;
      out_ += '"';
    }
    out_ += '>';
    pos = tag_.end;
    if (tag_.empty) {
      out_.append("</", 2).append(tag_.qname).push_back('>');
      scope_.resize(scope_mark);
      rendered_.resize(rendered_mark);
      return true;
    }
    open_.push_back(tag_.qname);
    marks_.push_back({scope_mark, rendered_mark});
    return true;
  }

  bool EndTag(size_t& pos) {
    const size_t at = pos;
    // The name must be the open element's: compared in place rather than read as a name.
    const std::string_view name = open_.empty() ? std::string_view() : open_.back();
    pos += 2;
    if (name.empty() || s_.size() - pos <= name.size() || std::memcmp(s_.data() + pos, name.data(), name.size()) != 0 ||
        IsNameChar(static_cast<unsigned char>(s_[pos + name.size()])) ||
        static_cast<unsigned char>(s_[pos + name.size()]) >= 0x80) {
      return Fail("an end tag that does not match its start tag", at);
    }
    pos += name.size();
    SkipSpace(pos);
    if (pos >= s_.size() || s_[pos] != '>') return Fail("an end tag that does not match its start tag", at);
    ++pos;
    out_.append("</", 2);
    out_.append(name);
    out_.push_back('>');
    open_.pop_back();
    scope_.resize(marks_.back().first);
    rendered_.resize(marks_.back().second);
    marks_.pop_back();
    return true;
  }

  // An attribute value as written: references resolved, white space normalized (XML 1.0 3.3.3),
  // then written as C14N wants.
  bool AttributeValue(std::string_view raw, size_t at) {
    const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
    const size_t n = raw.size();
    size_t run = 0;
    for (size_t i = 0; i < n;) {
      const unsigned char c = p[i];
      if (kPlain.attribute[c]) {
        ++i;
        continue;
      }
      if (c >= 0x80) {
        size_t len = Utf8Char(p + i, p + n);
        if (len == 0) return Fail("malformed UTF-8 or a character XML does not allow, in an attribute", at);
        i += len;
        continue;
      }
      out_.append(raw.data() + run, i - run);
      if (c == '&') {
        size_t ref = static_cast<size_t>(raw.data() - s_.data()) + i;
        uint32_t cp = 0;
        if (!Reference(ref, cp)) return false;
        AppendAttributeChar(out_, cp);
        i = ref - static_cast<size_t>(raw.data() - s_.data());
      } else if (c == '"') {
        out_ += "&quot;";
        ++i;
      } else if (c == '\t' || c == '\n') {
        out_ += ' ';
        ++i;
      } else if (c == '\r') {
        out_ += ' ';
        i += (i + 1 < n && p[i + 1] == '\n') ? 2 : 1;
      } else if (c == '<') {
        return Fail("'<' in an attribute value", at);
      } else {
        return Fail("a control character in an attribute value", at);
      }
      run = i;
    }
    out_.append(raw.data() + run, n - run);
    return true;
  }

  // Character data up to the next '<'.
  bool Text(size_t& pos) {
    const auto* p = reinterpret_cast<const unsigned char*>(s_.data());
    const size_t size = s_.size();
    size_t run = pos;
    size_t i = pos;  // kept in a register: nothing takes its address
    for (;;) {
      i = SkipPlainText(p, i, size);
      if (i >= size || p[i] == '<') break;
      const unsigned char c = p[i];
      if (c >= 0x80) {
        size_t len = Utf8Char(p + i, p + size);
        if (len == 0) return Fail("malformed UTF-8 or a character XML does not allow", i);
        i += len;
        continue;
      }
      out_.append(s_.data() + run, i - run);
      if (c == '&') {
        size_t ref = i;
        uint32_t cp = 0;
        if (!Reference(ref, cp)) return false;
        AppendTextChar(out_, cp);
        i = ref;
      } else if (c == '>') {
        if (i >= pos + 2 && p[i - 1] == ']' && p[i - 2] == ']') return Fail("']]>' in text", i);
        out_ += "&gt;";
        ++i;
      } else if (c == '\r') {
        out_ += '\n';
        i += (i + 1 < size && p[i + 1] == '\n') ? 2 : 1;
      } else {
        return Fail("a control character in text", i);
      }
      run = i;
    }
    out_.append(s_.data() + run, i - run);
    pos = i;
    return true;
  }

  bool CData(size_t& pos) {
    const size_t begin = pos + 9;
    size_t end = s_.find("]]>", begin);
    if (end == npos) return Fail("a CDATA section without ']]>'", pos);
    if (!CheckChars(begin, end)) return false;
    for (size_t i = begin; i < end; ++i) {
      char c = s_[i];
      if (c == '\r') {
        out_ += '\n';
        if (i + 1 < end && s_[i + 1] == '\n') ++i;
      } else if (c == '&') {
        out_ += "&amp;";
      } else if (c == '<') {
        out_ += "&lt;";
      } else if (c == '>') {
        out_ += "&gt;";
      } else {
        out_ += c;
      }
    }
    pos = end + 3;
    return true;
  }

  Output& out_;
  Tag tag_;
  std::vector<Attribute> attributes_;
  std::vector<std::string_view> visible_;
  std::vector<std::string_view> open_;
  std::vector<std::pair<size_t, size_t>> marks_;  // per open element: scope_ and rendered_ sizes before it
  Bindings scope_;
  Bindings rendered_;
};

// The namespace URI `prefix` has from the declarations of `tags` (innermost last).
bool ResolvePrefix(std::string_view prefix, const std::vector<const Tag*>& tags, std::string_view& uri) {
  for (size_t t = tags.size(); t-- > 0;) {
    for (const RawAttribute& a : tags[t]->attributes) {
      if (prefix.empty() ? a.name == "xmlns" : (a.name.size() == prefix.size() + 6 && a.name.substr(0, 6) == "xmlns:" &&
                                                 a.name.substr(6) == prefix)) {
        uri = a.value;
        return true;
      }
    }
  }
  uri = {};
  return prefix.empty();
}

std::string_view PrefixOf(std::string_view qname) {
  size_t colon = qname.find(':');
  return colon == npos ? std::string_view() : qname.substr(0, colon);
}

}  // namespace

bool ExclusiveC14n(std::string_view xml, std::string& out, std::string* why) {
  out.reserve(out.size() + xml.size() * 2);
  Output output(
      [](void* context, const char* data, size_t size) { static_cast<std::string*>(context)->append(data, size); },
      &out);
  Canonicalizer c(xml, output, why);
  return c.Run();
}

bool ExclusiveC14nSha256(std::string_view xml, unsigned char digest[32], std::string* why) {
  // Fetched once: OpenSSL 3 would look SHA-256 up again on every EVP_DigestInit_ex(EVP_sha256()).
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || sha256 == nullptr || EVP_DigestInit_ex(ctx.get(), sha256, nullptr) != 1) {
    ERR_clear_error();
    if (why != nullptr) *why = "SHA-256 is not available";
    return false;
  }
  {
    Output output([](void* context, const char* data, size_t size) {
                    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context), data, size);
                  },
                  ctx.get());
    Canonicalizer c(xml, output, why);
    if (!c.Run()) return false;
  }
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1 || len != 32) {
    ERR_clear_error();
    if (why != nullptr) *why = "SHA-256 failed";
    return false;
  }
  return true;
}

bool OutlineDocument(std::string_view xml, DocumentOutline& out) {
  out = DocumentOutline{};
  Scanner scan(xml, nullptr);
  size_t pos = 0;
  if (!scan.SkipDeclaration(pos)) return false;
  // The prologue: white space, comments and processing instructions.
  for (;;) {
    scan.SkipSpace(pos);
    if (pos >= xml.size() || xml[pos] != '<') return false;
    if (scan.StartsWith(pos, "<!--")) {
      pos = scan.SkipComment(pos);
    } else if (scan.StartsWith(pos, "<?")) {
      std::string_view target, data;
      pos = scan.ReadPi(pos, target, data);
    } else if (scan.StartsWith(pos, "<!")) {
      return false;
    } else {
      break;
    }
    if (pos == npos) return false;
  }
  Tag root;
  if (!scan.ReadTag(pos, root) || root.empty) return false;
  out.root_qname = root.qname;
  if (!ResolvePrefix(PrefixOf(root.qname), {&root}, out.root_ns)) return false;
  out.root_content = root.end;

  // The end of the document: the last end tag, after which only white space, comments and
  // processing instructions follow.
  size_t end = xml.size();
  for (;;) {
    while (end > 0 && IsSpace(xml[end - 1])) --end;
    std::string_view head = xml.substr(0, end);
    size_t open = npos;
    if (head.size() >= 3 && head.substr(head.size() - 3) == "-->") open = head.rfind("<!--");
    else if (head.size() >= 2 && head.substr(head.size() - 2) == "?>") open = head.rfind("<?");
    if (open == npos) break;
    end = open;
  }
  if (end == 0 || xml[end - 1] != '>') return false;
  size_t last = xml.rfind("</", end - 1);
  if (last == npos || last < out.root_content) return false;
  size_t p = last + 2;
  if (scan.Name(p) != root.qname) return false;
  out.root_end_tag = last;

  // The first child element of the root, and the end of its subtree.
  for (pos = root.end; pos < last;) {
    pos = xml.find('<', pos);
    if (pos == npos || pos >= last) break;
    if (scan.StartsWith(pos, "<!--")) {
      pos = scan.SkipComment(pos);
    } else if (scan.StartsWith(pos, "<![CDATA[")) {
      size_t e = xml.find("]]>", pos);
      pos = e == npos ? npos : e + 3;
    } else if (scan.StartsWith(pos, "<?")) {
      std::string_view target, data;
      pos = scan.ReadPi(pos, target, data);
    } else if (scan.StartsWith(pos, "<!") || scan.StartsWith(pos, "</")) {
      return false;  // a stray declaration or end tag before the first child: leave it to the parser
    } else {
      Tag child;
      if (!scan.ReadTag(pos, child)) return false;
      out.first_child = pos;
      out.first_child_qname = child.qname;
      if (!ResolvePrefix(PrefixOf(child.qname), {&root, &child}, out.first_child_ns)) return false;
      if (child.empty) return true;
      // Its end tag: count depth over the tags that follow.
      int depth = 1;
      size_t q = child.end;
      while (depth > 0) {
        q = xml.find('<', q);
        if (q == npos || q >= last) return false;
        if (scan.StartsWith(q, "<!--")) {
          q = scan.SkipComment(q);
        } else if (scan.StartsWith(q, "<![CDATA[")) {
          size_t e = xml.find("]]>", q);
          q = e == npos ? npos : e + 3;
        } else if (scan.StartsWith(q, "<?")) {
          std::string_view target, data;
          q = scan.ReadPi(q, target, data);
        } else if (scan.StartsWith(q, "</")) {
          if (--depth == 0) {
            out.first_child_end_tag = q;
            return true;
          }
          q = xml.find('>', q);
        } else {
          Tag t;
          if (!scan.ReadTag(q, t)) return false;
          if (!t.empty) ++depth;
          q = t.end;
        }
        if (q == npos) return false;
      }
      return false;
    }
    if (pos == npos) return false;
  }
  return true;  // no child element
}

void AppendEscapedText(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
}

void AppendEscapedAttribute(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
}

}  // namespace gw::certs
