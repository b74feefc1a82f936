#include "formats/xml/text_reader.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "formats/xml/xml_text.h"

// What is read here: UTF-8 (a byte-order mark and an XML declaration naming UTF-8 allowed), no
// DOCTYPE, elements and attributes with ASCII names, namespaces, the five predefined entities,
// character references, CDATA sections, comments and processing instructions (skipped: the
// Builder has no callback for them, so text around them merges). Everything else is declined,
// and so is every construct whose treatment by libxml2 (2.9) is in doubt: the rule is that this
// reader never accepts what libxml2 refuses, and builds exactly what the Builder builds.

namespace gw::formats::xml {
namespace {

using text::npos;
using text::RawAttribute;
using text::Same;

// Bounds under libxml2's own (parserInternals.h), so that libxml2 decides near them: the input
// (XML_MAX_LOOKUP_LIMIT, 10^7); one attribute value, CDATA section, comment or processing
// instruction (XML_MAX_TEXT_LENGTH, 10^7); a name (XML_MAX_NAME_LENGTH, 50,000); the dictionary of
// names and namespace URIs (XML_MAX_DICTIONARY_LIMIT, 10^7); nesting (xmlParserMaxDepth, 256).
constexpr size_t kMaxDocument = 9'000'000;
constexpr size_t kMaxPiece = 1'000'000;
constexpr size_t kMaxName = 1'000;
constexpr size_t kMaxNameBytes = 1'000'000;
constexpr size_t kMaxDepth = 250;
// Duplicate attributes are looked for pair by pair.
constexpr size_t kMaxAttributes = 256;
// xmlParseCharDataComplex hands text over in pieces of XML_PARSER_BIG_BUFFER_SIZE bytes.
constexpr size_t kLibxmlTextPiece = 300;

constexpr std::string_view kXmlnsNamespace = "http://www.w3.org/2000/xmlns/";

// Writes into the document's text store, whose room is reserved up front (for AppendUtf8).
struct Cursor {
  char*& at;
  void push_back(char c) { *at++ = c; }
};

// A quick hash of a short name (its length and its first and last eight bytes) and of where its
// namespace was declared, finished as MurmurHash3's fmix64 does.
inline size_t HashName(std::string_view s, const void* where) {
  uint64_t a = 0, b = 0;
  if (s.size() >= 8) {
    std::memcpy(&a, s.data(), 8);
    std::memcpy(&b, s.data() + s.size() - 8, 8);
  } else {
    for (char c : s) a = (a << 8) | static_cast<unsigned char>(c);
  }
  uint64_t h = a * 0x9E3779B97F4A7C15ull + (b ^ s.size()) * 0xC2B2AE3D27D4EB4Full +
               reinterpret_cast<uintptr_t>(where);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  return static_cast<size_t>(h);
}

// Equality of two names, eight bytes at a time (names are too short for a call to memcmp to pay).
inline bool SameName(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n < 8) return text::Same(a, b);
  uint64_t x, y;
  for (size_t i = 0; i + 16 < n; i += 8) {
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) return false;
  }
  uint64_t u, v;
  std::memcpy(&x, a.data() + n - 8, 8);
  std::memcpy(&y, b.data() + n - 8, 8);
  const size_t k = n > 16 ? n - 16 : 0;
  std::memcpy(&u, a.data() + k, 8);
  std::memcpy(&v, b.data() + k, 8);
  return ((x ^ y) | (u ^ v)) == 0;
}

// Copies a short run inline: most text runs are an indentation or a short value.
inline void CopyRun(char* to, const unsigned char* from, size_t n) {
  if (n <= 16 && n >= 8) {
    std::memcpy(to, from, 8);
    std::memcpy(to + n - 8, from + n - 8, 8);
  } else if (n < 8) {
    for (size_t i = 0; i < n; ++i) to[i] = static_cast<char>(from[i]);
  } else {
    std::memcpy(to, from, n);
  }
}

// The bits set in a 16-bit mask, by a table of bytes (POPCNT is not in baseline x86-64, and
// __builtin_popcount without it is a call).
struct ByteBits {
  uint8_t n[256] = {};
  constexpr ByteBits() {
    for (int i = 1; i < 256; ++i) n[i] = static_cast<uint8_t>(n[i >> 1] + (i & 1));
  }
};
constexpr ByteBits kByteBits;
inline uint32_t BitCount16(unsigned x) { return kByteBits.n[x & 0xFF] + kByteBits.n[(x >> 8) & 0xFF]; }

inline bool IsDeclaration(const RawAttribute& a) {
  const size_t n = a.colon == npos ? a.name.size() : a.colon;
  return n == 5 && Same(a.name.substr(0, 5), "xmlns");
}

// A quick hash of a qualified name as written and of `key`, for the Reader's cache of names: the
// length and the first and last eight (or four) bytes, mixed into the high bits by a
// multiplication.
inline uint64_t HashQName(std::string_view s, uint32_t key) {
  const size_t n = s.size();
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    std::memcpy(&a, s.data(), 8);
    std::memcpy(&b, s.data() + n - 8, 8);
  } else if (n >= 4) {
    uint32_t x, y;
    std::memcpy(&x, s.data(), 4);
    std::memcpy(&y, s.data() + n - 4, 4);
    a = x;
    b = y;
  } else {
    for (char c : s) a = (a << 8) | static_cast<unsigned char>(c);
  }
  return ((a * 0x9E3779B97F4A7C15ull) ^ b ^ n ^ (uint64_t{key} << 32)) * 0xFF51AFD7ED558CCDull;
}

}  // namespace

class TextReader::Reader {
 public:
  Reader(std::string_view s, const ParseLimits& limits, const NameTable& names)
      : s_(s),
        p_(reinterpret_cast<const unsigned char*>(s.data())),
        n_(s.size()),
        scan_(s, nullptr),
        limits_(limits),
        max_depth_(std::min<size_t>(limits.max_depth, kMaxDepth)) {
    doc_.names_ = &names;
  }

  std::optional<Document> Run() {
    if (n_ == 0 || n_ > limits_.max_bytes || n_ > kMaxDocument) return std::nullopt;
    // Every value is at most as long as the text it is read from, so one block holds them all;
    // and the store never runs ahead of the text, so a 16-byte store (CopyPlain) at the end of
    // what is written stays within n_ + 16 bytes.
    doc_.text_chunks_.push_back(std::make_unique_for_overwrite<char[]>(n_ + 16));
    out_ = doc_.text_chunks_.back().get();
    // An invoice has a node for every 15 bytes or so.
    doc_.nodes_.reserve(n_ / 12 + 16);
    Node document;
    document.kind = NodeKind::kDocument;
    doc_.nodes_.push_back(document);
    open_.push_back(Open{0, kNoNode, 0, {}});
    qnames_.resize(kQNames);
    size_t pos = 0;
    if (!scan_.SkipDeclaration(pos) || !SkipMisc(pos)) return std::nullopt;
    // The root element: what else starts with '<' here (a DOCTYPE, an end tag) is libxml2's.
    if (pos + 1 >= n_ || s_[pos] != '<' || s_[pos + 1] == '!' || s_[pos + 1] == '/')
      return std::nullopt;
    if (!Elements(pos) || !SkipMisc(pos) || pos != n_) return std::nullopt;
    doc_.nodes_[0].last_descendant = size_ - 1;
    return std::move(doc_);
  }

 private:
  struct Open {
    NodeId id;
    NodeId last_child;
    size_t namespaces;  // ns_.size() before the element's declarations
    std::string_view qname;
  };
  struct Namespace {
    std::string_view prefix;  // "" for the default namespace
    std::string_view uri;     // "" when undeclared (xmlns="")
  };
  struct CachedName {
    const char* uri = nullptr;
    size_t uri_size = 0;
    std::string_view local;
    NameId id = kNoName;
  };
  struct QName {
    const char* qname = nullptr;
    size_t size = 0;
    uint32_t key = 0;  // 2 * scope_, plus 1 for an element; 0: never cached
    NameId id = kNoName;
  };
  static constexpr int kQNameBits = 9;
  static constexpr size_t kQNames = size_t{1} << kQNameBits;
  enum class Mode { kCData, kAttribute };

  // White space, comments and processing instructions (XML 1.0 [27] Misc).
  bool SkipMisc(size_t& pos) {
    for (;;) {
      scan_.SkipSpace(pos);
      if (scan_.StartsWith(pos, "<!--")) {
        if (!Comment(pos)) return false;
      } else if (scan_.StartsWith(pos, "<?")) {
        if (!Pi(pos)) return false;
      } else {
        return true;
      }
    }
  }
  bool Comment(size_t& pos) {
    const size_t end = scan_.SkipComment(pos);
    if (end == npos || end - pos > kMaxPiece) return false;
    pos = end;
    return true;
  }
  bool Pi(size_t& pos) {
    std::string_view target, data;
    const size_t end = scan_.ReadPi(pos, target, data);
    if (end == npos || end - pos > kMaxPiece) return false;
    pos = end;
    return true;
  }

  // The root element from its '<' to past its end tag.
  bool Elements(size_t& pos) {
    for (;;) {
      if (pos + 1 >= n_) return false;
      const char c = s_[pos + 1];
      const bool ok = c == '/'   ? EndTag(pos)
                      : c == '!' ? Markup(pos)
                      : c == '?' ? Pi(pos)
                                 : StartTag(pos);
      if (!ok) return false;
      if (open_.size() == 1) return true;
      if (!CharData(pos)) return false;
    }
  }

  bool StartTag(size_t& pos) {
    text::Tag& tag = tag_;
    size_t at = pos + 1;
    tag.qname = scan_.Name(at, &tag.colon);
    if (tag.qname.empty()) return false;
    // Most tags are their name alone: what ReadAttributes would find, found at once.
    if (at < n_ && p_[at] == '>') {
      tag.attributes.clear();
      tag.empty = false;
      tag.end = at + 1;
    } else if (!scan_.ReadAttributes(at, tag)) {
      return false;
    }
    if (!FlushText()) return false;
    // The Builder's depth limit counts the document node, as open_ does.
    if (open_.size() > max_depth_ || tag.qname.size() > kMaxName ||
        tag.attributes.size() > kMaxAttributes) {
      return false;
    }
    // libxml2 reports the line it has reached when it has read the start tag: that of its '>'.
    // A tag that is only its name holds no line feed.
    if (seen_ == pos && tag.end == pos + tag.qname.size() + (tag.empty ? 3 : 2)) seen_ = tag.end;
    const uint32_t line = LineAt(tag.end);
    const size_t namespaces = ns_.size();
    for (const RawAttribute& a : tag.attributes) {
      if (a.name.size() > kMaxName || (IsDeclaration(a) && !Declare(a, namespaces))) return false;
    }
    const NameId name = QNameId(tag.qname, tag.colon, true);
    const NodeId id = size_;
    if (name == kNoName || !AddNode(NodeKind::kElement, name, line, {})) return false;
    Link(id);
    NodeId last_attribute = kNoNode;
    for (const RawAttribute& a : tag.attributes) {
      if (IsDeclaration(a)) continue;
      const NameId attribute = QNameId(a.name, a.colon, false);
      if (attribute == kNoName) return false;
      // Unique Att Spec (XML 1.0, 3.1), by expanded name too (Namespaces in XML 1.0, 6.3):
      // libxml2 takes the second for a namespace error only, which the Builder ignores.
      for (NodeId k = id + 1; k < size_; ++k) {
        if (doc_.nodes_[k].name == attribute) return false;
      }
      std::string_view value;
      const NodeId attribute_id = size_;
      if (!AttributeValue(a.value, value) ||
          !AddNode(NodeKind::kAttribute, attribute, line, value, id)) {
        return false;
      }
      if (last_attribute == kNoNode) {
        doc_.nodes_[id].first_attribute = attribute_id;
      } else {
        doc_.nodes_[last_attribute].next_sibling = attribute_id;
      }
      last_attribute = attribute_id;
    }
    if (name_bytes_ > kMaxNameBytes) return false;
    pos = tag.end;
    if (tag.empty) {
      Close(id, namespaces);
    } else {
      open_.push_back(Open{id, kNoNode, namespaces, tag.qname});
    }
    return true;
  }

  bool EndTag(size_t& pos) {
    const std::string_view qname = open_.back().qname;
    size_t at = pos + 2;
    if (!SameName(s_.substr(at, qname.size()), qname)) return false;
    at += qname.size();
    // An end tag without white space holds no line feed.
    if (!scan_.SkipSpace(at) && seen_ == pos) seen_ = at + 1;
    if (at >= n_ || s_[at] != '>' || !FlushText()) return false;
    Close(open_.back().id, open_.back().namespaces);
    open_.pop_back();
    pos = at + 1;
    return true;
  }

  void Close(NodeId id, size_t namespaces) {
    // Nodes are appended in document order: the last one so far closes this subtree.
    doc_.nodes_[id].last_descendant = size_ - 1;
    if (ns_.size() != namespaces) {
      ns_.resize(namespaces);
      ++scope_;
    }
  }

  // A namespace declaration. Declined: declaring the prefixes xml and xmlns or their namespaces,
  // undeclaring a prefix (only XML 1.1 may), a namespace name that is not a plain absolute URI
  // (libxml2 checks it and may have decoded references in it), a prefix declared twice in a tag.
  bool Declare(const RawAttribute& a, size_t namespaces) {
    const std::string_view prefix =
        a.colon == npos ? std::string_view() : a.name.substr(a.colon + 1);
    const std::string_view uri = a.value;
    if (Same(prefix, "xml") || Same(prefix, "xmlns")) return false;
    if (uri.empty()) {
      if (!prefix.empty()) return false;
    } else if (uri.size() > kMaxName || !text::PlainAbsoluteUri(uri) ||
               uri == text::kXmlNamespace || uri == kXmlnsNamespace) {
      return false;
    }
    for (size_t k = namespaces; k < ns_.size(); ++k) {
      if (Same(ns_[k].prefix, prefix)) return false;
    }
    ns_.push_back(Namespace{prefix, uri.empty() ? std::string_view() : uri});
    ++scope_;
    name_bytes_ += uri.size();
    return true;
  }

  // The namespace URI of `prefix`; false when it is not declared.
  bool Resolve(std::string_view prefix, bool element, std::string_view& uri) const {
    uri = {};
    if (prefix.empty() && !element) return true;
    if (Same(prefix, "xml")) {
      uri = text::kXmlNamespace;
      return true;
    }
    for (size_t k = ns_.size(); k-- > 0;) {
      if (Same(ns_[k].prefix, prefix)) {
        uri = ns_[k].uri;
        return true;
      }
    }
    return prefix.empty();
  }

  // The name id of an element or attribute named `qname` (`colon`: where its prefix ends, or
  // npos), or kNoName when its prefix is not declared. The qualified name as written stands for
  // the expanded name as long as the namespaces in scope stay the same (scope_), which in an
  // invoice they do from the root on: a repeated name costs a hash and a comparison.
  [[gnu::always_inline]] NameId QNameId(std::string_view qname, size_t colon, bool element) {
    const uint32_t key = 2 * scope_ + (element ? 1 : 0);
    QName& q = qnames_[HashQName(qname, key) >> (64 - kQNameBits)];
    if (q.key == key && SameName(std::string_view(q.qname, q.size), qname)) return q.id;
    return NewQName(q, qname, colon, element);
  }
  [[gnu::noinline]] NameId NewQName(QName& q, std::string_view qname, size_t colon, bool element) {
    const uint32_t key = 2 * scope_ + (element ? 1 : 0);
    std::string_view uri;
    const std::string_view prefix = colon == npos ? std::string_view() : qname.substr(0, colon);
    if (!Resolve(prefix, element, uri)) return kNoName;
    const NameId id = Intern(uri, colon == npos ? qname : qname.substr(colon + 1));
    q = QName{qname.data(), qname.size(), key, id};
    return id;
  }

  // The name id, as the Builder interns it. Names are cached by the declaration their URI comes
  // from (its address in the text) and their local part, so a repeated name costs one hash.
  NameId Intern(std::string_view uri, std::string_view local) {
    if (cache_.empty()) cache_.resize(256);
    const size_t h = HashName(local, uri.data());
    size_t mask = cache_.size() - 1;
    size_t i = h & mask;
    for (;; i = (i + 1) & mask) {
      const CachedName& c = cache_[i];
      if (c.id == kNoName) break;
      if (c.uri == uri.data() && c.uri_size == uri.size() && SameName(c.local, local)) return c.id;
    }
    const NameId id = doc_.InternName(uri, local);
    // libxml2 keeps the local name, the prefix and the qualified name in its dictionary.
    name_bytes_ += 3 * local.size();
    if (2 * (cached_ + 1) > cache_.size()) {
      std::vector<CachedName> old(cache_.size() * 2);
      old.swap(cache_);
      mask = cache_.size() - 1;
      for (const CachedName& c : old) {
        if (c.id == kNoName) continue;
        size_t k = HashName(c.local, c.uri) & mask;
        while (cache_[k].id != kNoName) k = (k + 1) & mask;
        cache_[k] = c;
      }
      i = h & mask;
      while (cache_[i].id != kNoName) i = (i + 1) & mask;
    }
    cache_[i] = CachedName{uri.data(), uri.size(), local, id};
    ++cached_;
    return id;
  }

  // An attribute value: references replaced, line ends and white space normalized as for CDATA
  // attributes (XML 1.0, 2.11 and 3.3.3), which all are without a DTD.
  bool AttributeValue(std::string_view raw, std::string_view& value) {
    if (raw.size() > kMaxPiece) return false;
    size_t i = static_cast<size_t>(raw.data() - s_.data());
    const size_t end = i + raw.size();
    char* const start = out_;
    size_t ampersands = 0;
    for (;;) {
      i = CopyChars(i, end, Mode::kAttribute);
      if (i == npos) return false;
      if (i == end) break;
      uint32_t cp = 0;
      if (!scan_.Reference(i, cp) || i > end) return false;
      if (cp == '&') ++ampersands;
      Cursor cursor{out_};
      text::AppendUtf8(cursor, cp);
    }
    const size_t size = static_cast<size_t>(out_ - start);
    // libxml2 hands each '&' over as "&#38;" (see Builder) and checks the limit on that length.
    if (size + 4 * ampersands > limits_.max_text_bytes) return false;
    value = size == 0 ? std::string_view() : std::string_view(start, size);
    return true;
  }

  // Comments and CDATA sections in content.
  bool Markup(size_t& pos) {
    if (scan_.StartsWith(pos, "<!--")) return Comment(pos);
    if (!scan_.StartsWith(pos, "<![CDATA[")) return false;
    const size_t from = pos + 9;
    const size_t end = s_.find("]]>", from);
    if (end == npos || end - from > kMaxPiece) return false;
    char* const start = out_;
    if (CopyChars(from, end, Mode::kCData) != end) return false;
    pos = end + 3;
    // libxml2 hands the section over whole, once past its end.
    if (out_ != start) AddText(static_cast<size_t>(out_ - start), pos);
    return true;
  }

  // Character data and references up to the next '<'.
  bool CharData(size_t& pos) {
    for (;;) {
      if (pos >= n_) return false;
      if (p_[pos] == '<') return true;
      char* const start = out_;
      if (p_[pos] == '&') {
        uint32_t cp = 0;
        if (!scan_.Reference(pos, cp)) return false;
        Cursor cursor{out_};
        text::AppendUtf8(cursor, cp);
        AddText(static_cast<size_t>(out_ - start), pos);
        continue;
      }
      // Most runs (indentation, short values) are plain ASCII up to the next tag: copied sixteen
      // bytes at a time. Any other run is read again from its start by CopyText.
      uint32_t feeds = 0;
      const size_t plain = CopyPlain(pos, feeds);
      if (plain < n_ && p_[plain] == '<') {
        if (seen_ == pos) {
          line_ += feeds;
          seen_ = plain;
        }
        if (pending_ == 0) pending_line_ = LineAt(plain);
        pending_ += plain - pos;
        pos = plain;
        return true;
      }
      out_ = start;
      bool ascii = true;
      const size_t stop = CopyText(pos, ascii);
      if (stop == npos) return false;
      // libxml2's ASCII path takes all of a run without CR or non-ASCII bytes in one piece.
      if (pending_ == 0) pending_line_ = LineAt(ascii ? stop : FirstPieceEnd(pos, stop));
      pending_ += static_cast<size_t>(out_ - start);
      pos = stop;
    }
  }

  void AddText(size_t size, size_t line_at) {
    if (pending_ == 0) pending_line_ = LineAt(line_at);
    pending_ += size;
  }

  // The bytes text copies as they are (text::TextBytes) from `i`, appended to the text store;
  // where the first other byte is, or n_. `feeds`: the line feeds among them, counted on the way
  // for LineAt.
  size_t CopyPlain(size_t i, uint32_t& feeds) {
    char* out = out_;
#ifdef __SSE2__
    for (; i + 16 <= n_; i += 16, out += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_ + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
      unsigned lfs = 0;
      const unsigned stops = text::PlainTextStops(v, lfs);
      feeds += BitCount16(lfs & ((stops & (0u - stops)) - 1));
      if (stops != 0) {
        const size_t k = static_cast<size_t>(__builtin_ctz(stops));
        out_ = out + k;
        return i + k;
      }
    }
#endif
    for (; i < n_ && text::kTextBytes.plain[p_[i]]; ++i) {
      feeds += p_[i] == '\n' ? 1 : 0;
      *out++ = static_cast<char>(p_[i]);
    }
    out_ = out;
    return i;
  }

  // Character data from `i` to the next '<' or '&', appended to the pending text with line ends
  // normalized (XML 1.0, 2.11); where it stopped, or npos when it is not well-formed. `ascii`
  // is cleared when the run holds a CR or a non-ASCII character.
  size_t CopyText(size_t i, bool& ascii) {
    const size_t start = i;
    size_t run = i;
    for (;;) {
      i = text::SkipPlainText(p_, i, n_);
      if (i >= n_) return npos;  // the root element is not closed
      const unsigned char c = p_[i];
      if (c == '<' || c == '&') break;
      if (c == '>') {
        if (i >= start + 2 && p_[i - 1] == ']' && p_[i - 2] == ']') return npos;  // XML 1.0 [14]
        ++i;
      } else if (c >= 0x80) {
        const size_t len = text::Utf8Char(p_ + i, p_ + n_);
        if (len == 0) return npos;
        i += len;
        ascii = false;
      } else if (c == '\r') {
        ascii = false;
        CopyRun(out_, p_ + run, i - run);
        out_ += i - run;
        *out_++ = '\n';
        i += (i + 1 < n_ && p_[i + 1] == '\n') ? 2 : 1;
        run = i;
      } else {
        return npos;  // a control character
      }
    }
    CopyRun(out_, p_ + run, i - run);
    out_ += i - run;
    return i;
  }

  // [i, limit) of a CDATA section or an attribute value, appended to the text store: every
  // character an XML Char in well-formed UTF-8, line ends normalized (2.11), and in an attribute
  // value white space as well (3.3.3) and stopping at a reference ('&'). Where it stopped, or
  // npos when it is not well-formed ('<' in an attribute value, a control character).
  size_t CopyChars(size_t i, size_t limit, Mode mode) {
    const bool attribute = mode == Mode::kAttribute;
    char* out = out_;
    while (i < limit) {
      const unsigned char c = p_[i];
      if (c >= 0x20 && c < 0x80) {
        if (attribute && (c == '&' || c == '<')) {
          if (c == '<') return npos;
          break;
        }
        *out++ = static_cast<char>(c);
        ++i;
      } else if (c >= 0x80) {
        const size_t len = text::Utf8Char(p_ + i, p_ + limit);
        if (len == 0) return npos;
        std::memcpy(out, p_ + i, len);
        out += len;
        i += len;
      } else if (c == '\r') {
        *out++ = attribute ? ' ' : '\n';
        i += (i + 1 < limit && p_[i + 1] == '\n') ? 2 : 1;
      } else if (c == '\t' || c == '\n') {
        *out++ = attribute ? ' ' : static_cast<char>(c);
        ++i;
      } else {
        return npos;
      }
    }
    out_ = out;
    return i;
  }

  // The line the Builder gives a text node is the one libxml2 has reached when it hands over the
  // text's first piece; xmlParseCharData's ASCII path hands over what precedes the first byte it
  // does not handle (a CR, a non-ASCII byte), its general path every kLibxmlTextPiece bytes.
  // Where in the character data [from, stop) that first piece ends.
  size_t FirstPieceEnd(size_t from, size_t stop) const {
    auto ascii = [&](size_t i) {
      const unsigned char c = p_[i];
      return c == '\t' || c == '\n' || (c >= 0x20 && c < 0x80 && c != '<' && c != '&');
    };
    size_t i = from;
    if (p_[i] == '\r' && i + 1 < stop && p_[i + 1] == '\n') {
      // The ASCII path steps over CR LF and goes on from the LF if the byte after it is ASCII.
      ++i;
      if (i + 1 != stop && !ascii(i + 1)) return GeneralPieceEnd(i, stop);
    } else if (!ascii(i)) {
      return GeneralPieceEnd(i, stop);
    }
    while (i < stop && ascii(i)) ++i;
    return i;
  }
  size_t GeneralPieceEnd(size_t i, size_t stop) const {
    size_t bytes = 0;
    while (i < stop) {
      size_t len = 1;
      if (p_[i] == '\r') {
        len = i + 1 < stop && p_[i + 1] == '\n' ? 2 : 1;
        bytes += 1;
      } else {
        if (p_[i] >= 0x80) len = text::Utf8Char(p_ + i, p_ + stop);
        bytes += len;
      }
      if (bytes >= kLibxmlTextPiece) return i;
      i += len;
    }
    return stop;
  }

  // libxml2's line at byte `pos`: one more than the line feeds before it (a lone CR is not
  // counted). Asked in document order, so counting goes on from the last answer (seen_), sixteen
  // bytes at a time.
  uint32_t LineAt(size_t pos) {
    if (pos < seen_) {  // not in document order after all: count again from the start
      line_ = 1;
      seen_ = 0;
    }
    while (seen_ + 16 <= pos) {
      line_ += BitCount16(LineFeeds(seen_));
      seen_ += 16;
    }
    if (seen_ < pos) {
      line_ += BitCount16(LineFeeds(seen_) & ((1u << (pos - seen_)) - 1));
      seen_ = pos;
    }
    return line_;
  }
  // The line feeds among the sixteen bytes from `at`, as a bit mask.
  unsigned LineFeeds(size_t at) const {
#ifdef __SSE2__
    if (at + 16 <= n_) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_ + at));
      return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
    }
#endif
    unsigned mask = 0;
    for (size_t i = at; i < n_ && i < at + 16; ++i) mask |= (p_[i] == '\n' ? 1u : 0u) << (i - at);
    return mask;
  }

  bool FlushText() {
    if (pending_ == 0) return true;
    if (pending_ > limits_.max_text_bytes) return false;
    const NodeId id = size_;
    if (!AddNode(NodeKind::kText, kNoName, pending_line_,
                 std::string_view(out_ - pending_, pending_))) {
      return false;
    }
    pending_ = 0;
    Link(id);
    return true;
  }

  // Appends a node (an aggregate built in the push: a document has tens of thousands; clang
  // does not take emplace_back's parenthesized aggregate initialization); false past the node
  // limit. Elements and text get their parent from Link.
  bool AddNode(NodeKind kind, NameId name, uint32_t line, std::string_view value,
               NodeId parent = kNoNode) {
    if (size_ >= limits_.max_nodes) return false;
    doc_.nodes_.push_back(Node{kind, name, parent, kNoNode, kNoNode, kNoNode, line, kNoNode, value});
    ++size_;
    return true;
  }

  // Appends node `id` as the last child of the innermost open element.
  void Link(NodeId id) { doc_.LinkChild(open_.back().id, open_.back().last_child, id); }

  const std::string_view s_;
  const unsigned char* const p_;
  const size_t n_;
  text::Scanner scan_;
  const ParseLimits& limits_;
  const size_t max_depth_;
  Document doc_;
  char* out_ = nullptr;  // the end of the text store
  size_t pending_ = 0;   // text not yet in a node: the last bytes of the store
  uint32_t pending_line_ = 0;
  uint32_t line_ = 1;  // the line at seen_
  size_t seen_ = 0;    // where LineAt was last asked about
  NodeId size_ = 1;  // doc_.nodes_.size(), kept apart since Node's size is not a power of 2
  std::vector<Open> open_;
  std::vector<Namespace> ns_;
  text::Tag tag_;
  std::vector<CachedName> cache_;
  std::vector<QName> qnames_;  // by HashQName, one name a slot
  uint32_t scope_ = 1;         // changes whenever ns_ does
  size_t cached_ = 0;
  size_t name_bytes_ = 0;
};

std::optional<Document> TextReader::Read(std::string_view text, const ParseLimits& limits,
                                         const NameTable& names) {
  return Reader(text, limits, names).Run();
}

}  // namespace gw::formats::xml
