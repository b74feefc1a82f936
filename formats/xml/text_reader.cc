#include "formats/xml/text_reader.h"

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
  for (size_t i = 0; i + 8 < n; i += 8) {
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) return false;
  }
  std::memcpy(&x, a.data() + n - 8, 8);
  std::memcpy(&y, b.data() + n - 8, 8);
  return x == y;
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

// The bits set in a 16-bit mask (without a call: POPCNT is not in baseline x86-64).
inline uint32_t BitCount16(unsigned x) {
  x = x - ((x >> 1) & 0x5555);
  x = (x & 0x3333) + ((x >> 2) & 0x3333);
  x = (x + (x >> 4)) & 0x0F0F;
  return (x + (x >> 8)) & 0x1F;
}

bool IsDeclaration(const RawAttribute& a) {
  return a.colon == npos ? Same(a.name, "xmlns")
                         : a.colon == 5 && Same(a.name.substr(0, 5), "xmlns");
}

}  // namespace

class TextReader::Reader {
 public:
  Reader(std::string_view s, const ParseLimits& limits, const NameTable& names)
      : s_(s),
        p_(reinterpret_cast<const unsigned char*>(s.data())),
        n_(s.size()),
        scan_(s, nullptr),
        limits_(limits) {
    doc_.names_ = &names;
  }

  std::optional<Document> Run() {
    if (n_ == 0 || n_ > limits_.max_bytes || n_ > kMaxDocument) return std::nullopt;
    // Every value is at most as long as the text it is read from, so one block holds them all.
    doc_.text_chunks_.push_back(std::make_unique_for_overwrite<char[]>(n_));
    out_ = doc_.text_chunks_.back().get();
    doc_.nodes_.reserve(n_ / 16 + 16);
    Node document;
    document.kind = NodeKind::kDocument;
    doc_.nodes_.push_back(document);
    open_.push_back(Open{0, kNoNode, 0, {}});
    feeds_ = LineFeeds(0);
    size_t pos = 0;
    if (!scan_.SkipDeclaration(pos) || !SkipMisc(pos)) return std::nullopt;
    // The root element: what else starts with '<' here (a DOCTYPE, an end tag) is libxml2's.
    if (pos + 1 >= n_ || s_[pos] != '<' || s_[pos + 1] == '!' || s_[pos + 1] == '/')
      return std::nullopt;
    if (!Elements(pos) || !SkipMisc(pos) || pos != n_) return std::nullopt;
    doc_.nodes_[0].last_descendant = static_cast<NodeId>(doc_.nodes_.size() - 1);
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
    if (!scan_.ReadTag(pos, tag) || !FlushText()) return false;
    // The Builder's depth limit counts the document node, as open_ does.
    if (open_.size() > limits_.max_depth || open_.size() > kMaxDepth ||
        tag.qname.size() > kMaxName || tag.attributes.size() > kMaxAttributes) {
      return false;
    }
    // libxml2 reports the line it has reached when it has read the start tag: that of its '>'.
    const uint32_t line = LineAt(tag.end);
    const size_t namespaces = ns_.size();
    for (const RawAttribute& a : tag.attributes) {
      if (a.name.size() > kMaxName || (IsDeclaration(a) && !Declare(a, namespaces))) return false;
    }
    std::string_view uri;
    const std::string_view prefix =
        tag.colon == npos ? std::string_view() : tag.qname.substr(0, tag.colon);
    if (!Resolve(prefix, true, uri)) return false;
    Node element;
    element.kind = NodeKind::kElement;
    element.name = Intern(uri, tag.colon == npos ? tag.qname : tag.qname.substr(tag.colon + 1));
    element.line = line;
    const NodeId id = static_cast<NodeId>(doc_.nodes_.size());
    if (!AddNode(element)) return false;
    Link(id);
    NodeId last_attribute = kNoNode;
    for (const RawAttribute& a : tag.attributes) {
      if (IsDeclaration(a)) continue;
      // The default namespace does not apply to attributes (Namespaces in XML 1.0, 6.2).
      if (a.colon != npos && !Resolve(a.name.substr(0, a.colon), false, uri)) return false;
      Node attribute;
      attribute.kind = NodeKind::kAttribute;
      attribute.name = Intern(a.colon == npos ? std::string_view() : uri,
                              a.colon == npos ? a.name : a.name.substr(a.colon + 1));
      // Unique Att Spec (XML 1.0, 3.1), by expanded name too (Namespaces in XML 1.0, 6.3):
      // libxml2 takes the second for a namespace error only, which the Builder ignores.
      for (NodeId k = id + 1; k < doc_.nodes_.size(); ++k) {
        if (doc_.nodes_[k].name == attribute.name) return false;
      }
      attribute.parent = id;
      attribute.line = line;
      if (!AttributeValue(a.value, attribute.value)) return false;
      const NodeId attribute_id = static_cast<NodeId>(doc_.nodes_.size());
      if (!AddNode(attribute)) return false;
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
    const Open open = open_.back();
    size_t at = pos + 2;
    if (!SameName(s_.substr(at, open.qname.size()), open.qname)) return false;
    at += open.qname.size();
    scan_.SkipSpace(at);
    if (at >= n_ || s_[at] != '>' || !FlushText()) return false;
    open_.pop_back();
    Close(open.id, open.namespaces);
    pos = at + 1;
    return true;
  }

  void Close(NodeId id, size_t namespaces) {
    // Nodes are appended in document order: the last one so far closes this subtree.
    doc_.nodes_[id].last_descendant = static_cast<NodeId>(doc_.nodes_.size() - 1);
    ns_.resize(namespaces);
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
  // counted). Asked in document order, so counting goes on from the last answer, sixteen bytes
  // at a time.
  uint32_t LineAt(size_t pos) {
    if (pos < block_) {  // not in document order after all: count again from the start
      line_ = 1;
      block_ = 0;
      feeds_ = LineFeeds(0);
    }
    while (block_ + 16 <= pos) {
      line_ += BitCount16(feeds_);
      block_ += 16;
      feeds_ = LineFeeds(block_);
    }
    return line_ + BitCount16(feeds_ & ((1u << (pos - block_)) - 1));
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
    Node text;
    text.kind = NodeKind::kText;
    text.line = pending_line_;
    text.value = std::string_view(out_ - pending_, pending_);
    pending_ = 0;
    const NodeId id = static_cast<NodeId>(doc_.nodes_.size());
    if (!AddNode(text)) return false;
    Link(id);
    return true;
  }

  bool AddNode(const Node& node) {
    if (doc_.nodes_.size() >= limits_.max_nodes) return false;
    doc_.nodes_.push_back(node);
    return true;
  }

  // Appends node `id` as the last child of the innermost open element.
  void Link(NodeId id) { doc_.LinkChild(open_.back().id, open_.back().last_child, id); }

  const std::string_view s_;
  const unsigned char* const p_;
  const size_t n_;
  text::Scanner scan_;
  const ParseLimits& limits_;
  Document doc_;
  char* out_ = nullptr;  // the end of the text store
  size_t pending_ = 0;   // text not yet in a node: the last bytes of the store
  uint32_t pending_line_ = 0;
  uint32_t line_ = 1;   // the line at block_
  size_t block_ = 0;    // the sixteen bytes LineAt was last asked about
  unsigned feeds_ = 0;  // their line feeds (LineFeeds(block_))
  std::vector<Open> open_;
  std::vector<Namespace> ns_;
  text::Tag tag_;
  std::vector<CachedName> cache_;
  size_t cached_ = 0;
  size_t name_bytes_ = 0;
};

std::optional<Document> TextReader::Read(std::string_view text, const ParseLimits& limits,
                                         const NameTable& names) {
  return Reader(text, limits, names).Run();
}

}  // namespace gw::formats::xml
