// Reading XML straight from its text: names, start tags and the constructs a reader skips
// (comments, processing instructions, the XML declaration), character references, UTF-8. Used by
// the text reader (text_reader.h) and the streaming signer (certs/xmldsig/exc_c14n.h,
// document_outline.h). Stateless helpers; a Scanner is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace gw::formats::xml::text {

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

inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
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
inline size_t Utf8Char(const unsigned char* p, const unsigned char* end) {
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

inline bool IsXmlChar(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}


// Appends the UTF-8 form of `cp` (a Unicode scalar value) to `out` (anything with push_back).
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

// Bytes a run of text copies as they are: printable ASCII but the markup characters '&', '<'
// and '>' ('>' because "]]>" must not occur in text), and tab and line feed.
struct TextBytes {
  bool plain[256] = {};
  constexpr TextBytes() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '&' && c != '<' && c != '>';
    plain[static_cast<int>('\t')] = plain[static_cast<int>('\n')] = true;
  }
};
constexpr TextBytes kTextBytes;

#ifdef __SSE2__
// The bytes of `v` that text cannot copy as it is (see TextBytes), as a bit mask; `feeds`: its
// line feeds.
inline unsigned PlainTextStops(__m128i v, unsigned& feeds) {
  const __m128i lf = _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'));
  // Signed: bytes 0x80 and above count as below 0x20, so they stop the run too (UTF-8 is
  // checked on the slow path).
  const __m128i control = _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), lf),
                                           _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
  // '<' (0x3C) and '>' (0x3E) are the bytes that setting bit 0x02 makes '>'.
  const __m128i angle = _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(0x02)), _mm_set1_epi8('>'));
  const __m128i amp = _mm_cmpeq_epi8(v, _mm_set1_epi8('&'));
  feeds = static_cast<unsigned>(_mm_movemask_epi8(lf));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(angle, amp))));
}

// The bytes of the sixteen at `p` that are not ASCII name characters (IsNameChar), as a bit
// mask; `colons`: the ':' among them. Signed comparisons again leave bytes 0x80 and above out.
inline unsigned NameStops(const unsigned char* p, unsigned& colons) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // Setting bit 0x20 folds the upper-case letters onto the lower-case ones and nothing else onto them.
  const __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
  const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                       _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
  // '-', '.', '/', the digits and ':' are 0x2D to 0x3A; of them only '/' is not a name character.
  const __m128i range = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('-' - 1)),
                                      _mm_cmplt_epi8(v, _mm_set1_epi8(':' + 1)));
  const __m128i punct = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')), range);
  const __m128i name =
      _mm_or_si128(_mm_or_si128(letter, punct), _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
  colons = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(':'))));
  return ~static_cast<unsigned>(_mm_movemask_epi8(name)) & 0xFFFFu;
}
#endif

// The first byte at or after `i` that text cannot copy as it is (see TextBytes), or `size`.
// Sixteen bytes at a time where SSE2 is there (every x86-64), since most of a document's text is
// indentation and short ASCII values.
inline size_t SkipPlainText(const unsigned char* p, size_t i, size_t size) {
#ifdef __SSE2__
  while (i + 16 <= size) {
    unsigned feeds = 0;
    const unsigned mask =
        PlainTextStops(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), feeds);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
    i += 16;
  }
#endif
  while (i < size && kTextBytes.plain[p[i]]) ++i;
  return i;
}


// An absolute URI of RFC 3986 in plain ASCII: a scheme, then unreserved and reserved characters
// (no brackets, no '&', no quotes), '%' with two hex digits, at most one '#'. Namespace names of
// any other shape are left to libxml2, whose URI checks they might fail; these need no escaping.
bool PlainAbsoluteUri(std::string_view uri);

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

  // An ASCII XML name at `pos` with at most one ':', neither first nor last nor before what may
  // not start a name (a QName), or "" (non-ASCII names are left to the libxml2 path). `colon`:
  // where the prefix ends, or npos.
  std::string_view Name(size_t& pos, size_t* colon = nullptr) const {
    const auto* p = reinterpret_cast<const unsigned char*>(s_.data());
    const size_t size = s_.size();
    const size_t start = pos;
    if (pos >= size || !IsNameStart(p[pos]) || p[pos] == ':') return {};
    size_t c = npos;
    size_t i = pos + 1;
#ifdef __SSE2__
    // Sixteen bytes at a time: element names are a third of an invoice's bytes.
    for (; i + 16 <= size; i += 16) {
      unsigned colons = 0;
      const unsigned stops = NameStops(p + i, colons);
      colons &= (stops & (0u - stops)) - 1;  // those before the first stop
      if (colons != 0) {
        if (c != npos || (colons & (colons - 1)) != 0) return {};
        c = i + static_cast<size_t>(__builtin_ctz(colons)) - start;
      }
      if (stops != 0) {
        i += static_cast<size_t>(__builtin_ctz(stops));
        break;  // at a byte the loop below stops at too
      }
    }
#endif
    for (; i < size && IsNameChar(p[i]); ++i) {
      if (p[i] == ':') {
        if (c != npos) return {};
        c = i - start;
      }
    }
    // The local part must start as a name does: libxml2 reads "p:-x" as the unprefixed name
    // "p:-x" (a namespace error only).
    if ((i < size && p[i] >= 0x80) || (c != npos && (c + 1 == i - start || !IsNameStart(p[start + c + 1])))) {
      return {};
    }
    pos = i;
    if (colon != nullptr) *colon = c;
    return s_.substr(start, i - start);
  }
  // The first `quote` at or after `i`, or the size of the text.
  size_t ClosingQuote(size_t i, char quote) const {
    const size_t size = s_.size();
#ifdef __SSE2__
    const __m128i q = _mm_set1_epi8(quote);
    for (; i + 16 <= size; i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s_.data() + i));
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)));
      if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
    }
#endif
    while (i < size && s_[i] != quote) ++i;
    return i;
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
    return ReadAttributes(pos, tag);
  }
  // The rest of a start tag whose name `tag` holds, from `pos` just past the name.
  bool ReadAttributes(size_t pos, Tag& tag) {
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
      size_t close = ClosingQuote(pos + 1, quote);
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

}  // namespace gw::formats::xml::text
