#include "certs/xmldsig/exc_c14n.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "formats/xml/xml_text.h"

namespace gw::certs {
namespace {

using formats::xml::text::npos;
using formats::xml::text::kXmlNamespace;
using formats::xml::text::Same;
using formats::xml::text::IsSpace;
using formats::xml::text::IsNameChar;
using formats::xml::text::Utf8Char;
using formats::xml::text::IsXmlChar;
using formats::xml::text::PlainAbsoluteUri;
using formats::xml::text::RawAttribute;
using formats::xml::text::Tag;
using formats::xml::text::Scanner;
using formats::xml::text::AppendUtf8;
using formats::xml::text::SkipPlainText;

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

// Bytes an attribute value copies as it is: printable ASCII but the markup characters and '"'.
struct AttributeBytes {
  bool plain[256] = {};
  constexpr AttributeBytes() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '&' && c != '<' && c != '"';
  }
};
constexpr AttributeBytes kAttributeBytes;

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
    char* to = buffer_ + used_;
    used_ += size;
    // Most pieces are short (names, prefixes, '="'): copied inline, with two overlapping moves
    // of a fixed size, instead of a call to memcpy.
    if (size >= 8 && size <= 16) {
      std::memcpy(to, data, 8);
      std::memcpy(to + size - 8, data + size - 8, 8);
    } else if (size >= 4 && size < 8) {
      std::memcpy(to, data, 4);
      std::memcpy(to + size - 4, data + size - 4, 4);
    } else if (size < 4) {
      for (size_t i = 0; i < size; ++i) to[i] = data[i];
    } else {
      std::memcpy(to, data, size);
    }
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
    if (name.empty() || s_.size() - pos <= name.size() || !Same(s_.substr(pos, name.size()), name) ||
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
      if (kAttributeBytes.plain[c]) {
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

}  // namespace gw::certs

