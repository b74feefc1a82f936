#include "formats/xml/xml_document.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <cstring>
#include <mutex>
#include <optional>

#include "formats/xml/text_reader.h"
#include "formats/xml/ubl_names.h"

namespace gw::formats::xml {

// ---- NameTable ----

namespace {
size_t Hash(std::string_view ns_uri, std::string_view local) {
  return std::hash<std::string_view>()(ns_uri) * 31 + std::hash<std::string_view>()(local);
}
}  // namespace

// Open addressing, at most half full: a lookup hashes the two strings where they are, without
// building a key (each parse looks up every distinct name it meets).
NameId NameTable::Add(std::string_view ns_uri, std::string_view local) {
  NameId id = Find(ns_uri, local);
  if (id != kNoName) return id;
  id = static_cast<NameId>(names_.size());
  names_.push_back(Name{std::string(ns_uri), std::string(local)});
  if (2 * names_.size() > slots_.size()) {
    slots_.assign(slots_.empty() ? 64 : 2 * slots_.size(), kNoName);
    for (NameId n = 0; n < names_.size(); ++n) Place(n);
  } else {
    Place(id);
  }
  return id;
}

void NameTable::Place(NameId id) {
  const size_t mask = slots_.size() - 1;
  size_t i = Hash(names_[id].ns_uri, names_[id].local) & mask;
  while (slots_[i] != kNoName) i = (i + 1) & mask;
  slots_[i] = id;
}

NameId NameTable::Find(std::string_view ns_uri, std::string_view local) const {
  if (slots_.empty()) return kNoName;
  const size_t mask = slots_.size() - 1;
  for (size_t i = Hash(ns_uri, local) & mask;; i = (i + 1) & mask) {
    const NameId id = slots_[i];
    if (id == kNoName) return kNoName;
    if (names_[id].local == local && names_[id].ns_uri == ns_uri) return id;
  }
}

NameTable& NameTable::Shared() {
  static NameTable* table = [] {
    auto* t = new NameTable;
    for (size_t i = 0; i < kUblNameCount; ++i) t->Add(kUblNames[i].ns_uri, kUblNames[i].local);
    t->Freeze();
    return t;
  }();
  return *table;
}

// ---- Builder: SAX2 events into a Document ----

class Builder {
 public:
  Builder(const ParseLimits& limits, const NameTable& names) : limits_(limits) {
    doc_.names_ = &names;
    Node document;
    document.kind = NodeKind::kDocument;
    doc_.nodes_.push_back(document);
    open_.push_back(Open{0, kNoNode});
  }

  Result<Document> Run(std::string_view text) {
    if (text.size() > limits_.max_bytes) {
      return Fail("xml.limit", "the document has " + std::to_string(text.size()) +
                                   " bytes, more than the limit of " +
                                   std::to_string(limits_.max_bytes));
    }
    if (text.size() > static_cast<size_t>(INT32_MAX)) return Fail("xml.limit", "the document is too large");
    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(text.data(), static_cast<int>(text.size()));
    if (ctxt == nullptr) return Fail("xml.syntax", "the document is empty or cannot be read");
    ctxt_ = ctxt;
    // No network, no entity substitution, no DTD loading or validation, no XInclude; libxml2's
    // own size and depth limits stay on (no XML_PARSE_HUGE).
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
    ctxt->replaceEntities = 0;
    ctxt->loadsubset = 0;
    ctxt->validate = 0;
    xmlSAXHandler* sax = ctxt->sax;
    std::memset(sax, 0, sizeof(*sax));
    sax->initialized = XML_SAX2_MAGIC;
    sax->startElementNs = &StartElement;
    sax->endElementNs = &EndElement;
    sax->characters = &Characters;
    sax->cdataBlock = &Characters;
    sax->ignorableWhitespace = &Characters;
    sax->internalSubset = &InternalSubset;
    sax->externalSubset = &ExternalSubset;
    sax->getEntity = &GetEntity;
    sax->getParameterEntity = &GetEntity;
    sax->resolveEntity = &ResolveEntity;
    sax->serror = &StructuredError;
    ctxt->_private = this;
    xmlParseDocument(ctxt);
    bool well_formed = ctxt->wellFormed != 0;
    xmlFreeParserCtxt(ctxt);
    ctxt_ = nullptr;
    if (!error_rule_.empty()) return Fail(error_rule_, error_);
    if (!well_formed) return Fail("xml.syntax", error_.empty() ? "the document is not well-formed XML" : error_);
    if (doc_.document_element() == kNoNode) return Fail("xml.syntax", "the document has no root element");
    doc_.nodes_[0].last_descendant = static_cast<NodeId>(doc_.nodes_.size() - 1);
    return std::move(doc_);
  }

 private:
  struct Open {
    NodeId id;
    NodeId last_child;
  };

  static Builder& Of(void* ctx) {
    auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
    return *static_cast<Builder*>(ctxt->_private);
  }

  Error Fail(std::string rule, std::string message) {
    return Error::InvalidInput(rule == "xml.limit" ? "the XML document exceeds a limit"
                               : rule == "xml.doctype" ? "the XML document has a DOCTYPE"
                                                       : "the document is not well-formed XML",
                               {Finding{std::move(rule), Finding::Severity::kFatal, "", std::move(message)}});
  }

  // Stops the parse with our own error (the first one wins).
  void Stop(std::string rule, std::string message) {
    if (error_rule_.empty()) {
      error_rule_ = std::move(rule);
      error_ = "line " + std::to_string(Line()) + ": " + message;
    }
    if (ctxt_ != nullptr) xmlStopParser(ctxt_);
  }

  uint32_t Line() const { return ctxt_ != nullptr ? static_cast<uint32_t>(xmlSAX2GetLineNumber(ctxt_)) : 0; }

  std::string_view Store(const char* data, size_t n) {
    if (n == 0) return {};
    if (chunk_left_ < n) {
      size_t size = n > kChunk / 4 ? n : kChunk;
      doc_.text_chunks_.push_back(std::make_unique_for_overwrite<char[]>(size));
      chunk_pos_ = doc_.text_chunks_.back().get();
      chunk_left_ = size;
      if (size != kChunk) {  // a large value gets a chunk of its own; the rest of the current
                             // chunk is left unused (large values are rare)
        std::memcpy(chunk_pos_, data, n);
        std::string_view out(chunk_pos_, n);
        chunk_left_ = 0;
        return out;
      }
    }
    std::memcpy(chunk_pos_, data, n);
    std::string_view out(chunk_pos_, n);
    chunk_pos_ += n;
    chunk_left_ -= n;
    return out;
  }

  // libxml2 interns names in its dictionary, so the same name arrives as the same pointers:
  // remember (URI pointer, name pointer) -> id and look the string up once per distinct name.
  struct PointerPairHash {
    size_t operator()(const std::pair<const void*, const void*>& p) const {
      return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
    }
  };
  std::unordered_map<std::pair<const void*, const void*>, NameId, PointerPairHash> seen_names_;

  NameId Intern(const xmlChar* uri, const xmlChar* local) {
    auto key = std::make_pair(static_cast<const void*>(uri), static_cast<const void*>(local));
    auto it = seen_names_.find(key);
    if (it != seen_names_.end()) {
      // Checked, not trusted: should a pointer ever be reused for another name, look it up anew.
      NameId id = it->second;
      std::string_view u = uri != nullptr ? reinterpret_cast<const char*>(uri) : "";
      if (LocalOf(id) == reinterpret_cast<const char*>(local) && UriOf(id) == u) return id;
      id = InternSlow(uri, local);
      it->second = id;
      return id;
    }
    NameId id = InternSlow(uri, local);
    seen_names_.emplace(key, id);
    return id;
  }

  std::string_view LocalOf(NameId id) const {
    size_t base = doc_.names_->size();
    return id < base ? doc_.names_->local(id) : doc_.extra_names_->local(id - static_cast<NameId>(base));
  }
  std::string_view UriOf(NameId id) const {
    size_t base = doc_.names_->size();
    return id < base ? doc_.names_->ns_uri(id) : doc_.extra_names_->ns_uri(id - static_cast<NameId>(base));
  }

  NameId InternSlow(const xmlChar* uri, const xmlChar* local) {
    std::string_view u = uri != nullptr ? reinterpret_cast<const char*>(uri) : "";
    return doc_.InternName(u, reinterpret_cast<const char*>(local));
  }

  bool AddNode(const Node& node) {
    if (doc_.nodes_.size() >= limits_.max_nodes) {
      Stop("xml.limit", "more than " + std::to_string(limits_.max_nodes) + " nodes");
      return false;
    }
    doc_.nodes_.push_back(node);
    return true;
  }

  // Appends node `id` as the last child of the innermost open element.
  void Link(NodeId id) { doc_.LinkChild(open_.back().id, open_.back().last_child, id); }

  void FlushText() {
    if (pending_.empty()) return;
    Node text;
    text.kind = NodeKind::kText;
    text.line = pending_line_;
    text.value = Store(pending_.data(), pending_.size());
    pending_.clear();
    if (!AddNode(text)) return;
    Link(static_cast<NodeId>(doc_.nodes_.size() - 1));
  }

  static void StartElement(void* ctx, const xmlChar* localname, const xmlChar* /*prefix*/,
                           const xmlChar* uri, int /*nb_namespaces*/, const xmlChar** /*namespaces*/,
                           int nb_attributes, int /*nb_defaulted*/, const xmlChar** attributes) {
    Builder& b = Of(ctx);
    b.FlushText();
    if (!b.error_rule_.empty()) return;
    if (b.open_.size() > b.limits_.max_depth) {
      b.Stop("xml.limit", "elements nested deeper than " + std::to_string(b.limits_.max_depth) + " levels");
      return;
    }
    Node element;
    element.kind = NodeKind::kElement;
    element.name = b.Intern(uri, localname);
    element.line = b.Line();
    if (!b.AddNode(element)) return;
    NodeId id = static_cast<NodeId>(b.doc_.nodes_.size() - 1);
    b.Link(id);
    NodeId last_attribute = kNoNode;
    for (int i = 0; i < nb_attributes; ++i) {
      const xmlChar** a = attributes + 5 * i;  // localname, prefix, URI, value, end
      size_t n = static_cast<size_t>(a[4] - a[3]);
      if (n > b.limits_.max_text_bytes) {
        b.Stop("xml.limit", "an attribute value longer than " + std::to_string(b.limits_.max_text_bytes) + " bytes");
        return;
      }
      Node attribute;
      attribute.kind = NodeKind::kAttribute;
      attribute.name = b.Intern(a[2], a[0]);
      attribute.parent = id;
      attribute.line = element.line;
      const char* value = reinterpret_cast<const char*>(a[3]);
      if (std::memchr(value, '&', n) != nullptr) {
        // Without entity substitution libxml2's SAX2 hands '&' in attribute values over as the
        // text "&#38;" (for its tree builder to decode); decode it here.
        std::string decoded;
        decoded.reserve(n);
        for (size_t k = 0; k < n; ++k) {
          if (value[k] == '&' && k + 5 <= n && std::memcmp(value + k, "&#38;", 5) == 0) {
            decoded += '&';
            k += 4;
          } else {
            decoded += value[k];
          }
        }
        attribute.value = b.Store(decoded.data(), decoded.size());
      } else {
        attribute.value = b.Store(value, n);
      }
      if (!b.AddNode(attribute)) return;
      NodeId attribute_id = static_cast<NodeId>(b.doc_.nodes_.size() - 1);
      if (last_attribute == kNoNode) {
        b.doc_.nodes_[id].first_attribute = attribute_id;
      } else {
        b.doc_.nodes_[last_attribute].next_sibling = attribute_id;
      }
      last_attribute = attribute_id;
    }
    b.open_.push_back(Open{id, kNoNode});
  }

  static void EndElement(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
    Builder& b = Of(ctx);
    b.FlushText();
    if (b.open_.size() <= 1) return;
    // Nodes are appended in document order: the last one so far closes this subtree.
    b.doc_.nodes_[b.open_.back().id].last_descendant = static_cast<NodeId>(b.doc_.nodes_.size() - 1);
    b.open_.pop_back();
  }

  static void Characters(void* ctx, const xmlChar* ch, int len) {
    Builder& b = Of(ctx);
    if (b.open_.size() <= 1 || len <= 0) return;  // text outside the root element is not kept
    if (b.pending_.empty()) b.pending_line_ = b.Line();
    if (b.pending_.size() + static_cast<size_t>(len) > b.limits_.max_text_bytes) {
      b.Stop("xml.limit", "a text node longer than " + std::to_string(b.limits_.max_text_bytes) + " bytes");
      return;
    }
    b.pending_.append(reinterpret_cast<const char*>(ch), static_cast<size_t>(len));
  }

  static void InternalSubset(void* ctx, const xmlChar* name, const xmlChar*, const xmlChar*) {
    Of(ctx).Stop("xml.doctype",
                 std::string("the document has a DOCTYPE (<!DOCTYPE ") +
                     reinterpret_cast<const char*>(name) +
                     " ...>); e-invoices must not have one: DTDs and entity declarations are refused "
                     "(they are the vehicle of XXE and entity-expansion attacks). Remove the DOCTYPE.");
  }

  static void ExternalSubset(void* ctx, const xmlChar* name, const xmlChar* a, const xmlChar* b) {
    InternalSubset(ctx, name, a, b);
  }

  static xmlEntityPtr GetEntity(void*, const xmlChar*) { return nullptr; }

  static xmlParserInputPtr ResolveEntity(void* ctx, const xmlChar*, const xmlChar*) {
    Of(ctx).Stop("xml.doctype", "the document refers to an external entity; nothing is loaded");
    return nullptr;
  }

  static void StructuredError(void* user, xmlErrorPtr error) {
    if (error == nullptr || error->level < XML_ERR_ERROR) return;
    auto* ctxt = static_cast<xmlParserCtxtPtr>(user);
    Builder* b = ctxt != nullptr ? static_cast<Builder*>(ctxt->_private) : nullptr;
    if (b == nullptr || !b->error_.empty()) return;
    std::string message = error->message != nullptr ? error->message : "malformed XML";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    std::string where = "line " + std::to_string(error->line);
    if (error->int2 > 0) where += ", column " + std::to_string(error->int2);
    if (error->code == XML_ERR_INVALID_CHAR || error->code == XML_ERR_INVALID_ENCODING) {
      message += " (the document must be well-formed UTF-8 or declare its encoding)";
    } else if (error->code == XML_ERR_UNDECLARED_ENTITY) {
      message += " (only the five predefined entities and character references are allowed)";
    }
    b->error_ = where + ": " + message;
  }

  static constexpr size_t kChunk = 64 * 1024;
  ParseLimits limits_;
  Document doc_;
  xmlParserCtxtPtr ctxt_ = nullptr;
  std::vector<Open> open_;
  std::string pending_;
  uint32_t pending_line_ = 0;
  char* chunk_pos_ = nullptr;
  size_t chunk_left_ = 0;
  std::string error_rule_;
  std::string error_;
};

void InitializeXmlLibrary() {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
}

Result<Document> ParseWithLibxml2(std::string_view text, const ParseLimits& limits, const NameTable& names) {
  InitializeXmlLibrary();
  return Builder(limits, names).Run(text);
}

Result<Document> Document::Parse(std::string_view text, const ParseLimits& limits, const NameTable& names) {
  // The text reader declines whatever it is unsure of; libxml2 then gives the result or the
  // precise error.
  if (std::optional<Document> doc = TextReader::Read(text, limits, names)) return std::move(*doc);
  return ParseWithLibxml2(text, limits, names);
}

// ---- Document ----

NameId Document::InternName(std::string_view ns_uri, std::string_view local) {
  NameId id = names_->Find(ns_uri, local);
  if (id != kNoName) return id;
  if (!extra_names_) extra_names_ = std::make_unique<NameTable>();
  return static_cast<NameId>(names_->size()) + extra_names_->Add(ns_uri, local);
}

std::string_view Document::local_name(NodeId id) const {
  NameId n = nodes_[id].name;
  if (n == kNoName) return {};
  return n < names_->size() ? names_->local(n) : extra_names_->local(n - static_cast<NameId>(names_->size()));
}

std::string_view Document::namespace_uri(NodeId id) const {
  NameId n = nodes_[id].name;
  if (n == kNoName) return {};
  return n < names_->size() ? names_->ns_uri(n) : extra_names_->ns_uri(n - static_cast<NameId>(names_->size()));
}

NameId Document::FindName(std::string_view ns_uri, std::string_view local) const {
  NameId id = names_->Find(ns_uri, local);
  if (id != kNoName || !extra_names_) return id;
  id = extra_names_->Find(ns_uri, local);
  return id == kNoName ? kNoName : id + static_cast<NameId>(names_->size());
}

NodeId Document::Child(NodeId parent, NameId name) const {
  for (NodeId c = nodes_[parent].first_child; c != kNoNode; c = nodes_[c].next_sibling) {
    if (nodes_[c].kind == NodeKind::kElement && nodes_[c].name == name) return c;
  }
  return kNoNode;
}

NodeId Document::Attribute(NodeId element, NameId name) const {
  for (NodeId a = nodes_[element].first_attribute; a != kNoNode; a = nodes_[a].next_sibling) {
    if (nodes_[a].name == name) return a;
  }
  return kNoNode;
}

std::string_view Document::StringValue(NodeId id, std::string& scratch) const {
  const Node& n = nodes_[id];
  if (n.kind == NodeKind::kText || n.kind == NodeKind::kAttribute) return n.value;
  // An element (or the document): the text nodes of its subtree, in order.
  NodeId first = n.first_child;
  if (first == kNoNode) return {};
  if (nodes_[first].kind == NodeKind::kText && nodes_[first].next_sibling == kNoNode) {
    return nodes_[first].value;
  }
  scratch.clear();
  NodeId end = LastDescendant(id);
  for (NodeId i = id + 1; i <= end; ++i) {
    if (nodes_[i].kind == NodeKind::kText) scratch.append(nodes_[i].value);
  }
  return scratch;
}

std::string SpecificationIdentifier(const Document& doc) {
  NodeId root = doc.document_element();
  if (root == kNoNode) return {};
  auto child = [&](NodeId parent, std::string_view ns, std::string_view local) {
    if (parent == kNoNode) return kNoNode;
    NameId name = doc.FindName(ns, local);
    return name == kNoName ? kNoNode : doc.Child(parent, name);
  };
  NodeId id = kNoNode;
  if (doc.namespace_uri(root) == kCiiNs) {
    id = child(child(child(root, kCiiNs, "ExchangedDocumentContext"), kRamNs, "GuidelineSpecifiedDocumentContextParameter"),
               kRamNs, "ID");
  } else {
    id = child(root, kCbcNs, "CustomizationID");
  }
  return id == kNoNode ? std::string() : doc.StringValue(id);
}

std::string_view RootStartTag(std::string_view xml) {
  size_t at = 0;
  while (true) {
    at = xml.find('<', at);
    if (at == std::string_view::npos || at + 1 >= xml.size()) return {};
    if (xml.compare(at, 4, "<!--") == 0) {
      at = xml.find("-->", at + 4);
      if (at == std::string_view::npos) return {};
      continue;
    }
    if (xml[at + 1] == '?' || xml[at + 1] == '!') {
      at = xml.find('>', at + 2);
      if (at == std::string_view::npos) return {};
      continue;
    }
    break;
  }
  const size_t end = xml.find('>', at);
  return xml.substr(at + 1, end == std::string_view::npos ? std::string_view::npos : end - at - 1);
}

std::string_view RootLocalName(std::string_view xml) {
  std::string_view tag = RootStartTag(xml);
  std::string_view name = tag.substr(0, tag.find_first_of(" \t\r\n/"));
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string ElementPath(const Document& doc, NodeId node, std::string_view (*prefix)(std::string_view ns)) {
  std::vector<NodeId> steps;
  for (NodeId n = node; n != kNoNode && doc.node(n).kind != NodeKind::kDocument; n = doc.node(n).parent) {
    steps.push_back(n);
  }
  const NodeId root = doc.document_element();
  std::string path;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    const NodeId n = *it;
    const Node& step = doc.node(n);
    if (step.kind == NodeKind::kText) continue;  // its element is the place
    path += '/';
    if (step.kind == NodeKind::kAttribute) {
      path += '@';
      path += doc.local_name(n);
      continue;
    }
    if (prefix != nullptr) path += prefix(doc.namespace_uri(n));
    path += doc.local_name(n);
    if (n == root) continue;
    size_t position = 1;
    for (NodeId s = doc.node(step.parent).first_child; s != n; s = doc.node(s).next_sibling) {
      const Node& sibling = doc.node(s);
      if (sibling.kind == NodeKind::kElement && sibling.name == step.name) ++position;
    }
    path += '[' + std::to_string(position) + ']';
  }
  return path;
}

}  // namespace gw::formats::xml
