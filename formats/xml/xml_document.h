// A read-only XML document in a compact array form, parsed from untrusted input.
//
// Ordinary documents (UTF-8, no DOCTYPE) are read straight from their text (text_reader.h);
// anything else, and any document that reader is unsure of, goes through libxml2's SAX2
// interface straight into this structure (no libxml2 tree). Both build the same Document. Parsing
// is hardened for hostile input: any DOCTYPE is refused before its internal subset is read (so
// no entity can be declared: no XXE, no entity expansion bomb, no external DTD), the network and
// local files are never touched, XInclude is never processed, and size, depth, node count and
// text length are bounded. Malformed UTF-8 is a syntax error.
//
// Nodes are numbered in document order (node 0 is the document node), so comparing ids compares
// document order. Element and attribute names are interned in a NameTable: names known when the
// table was frozen (the rule engine's, the readers') have the same id in every document, so a
// name test is one integer comparison.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "formats/core/result.h"

namespace gw::formats::xml {

using NodeId = uint32_t;
using NameId = uint32_t;
inline constexpr NodeId kNoNode = UINT32_MAX;
inline constexpr NameId kNoName = UINT32_MAX;

// Initialises libxml2 once for the process (xmlInitParser is not safe to call from several
// threads at once the first time). The program calls it at start-up, before threads start;
// everything in the product that uses libxml2 calls it too, so tests and tools need not.
void InitializeXmlLibrary();

// Common namespace URIs.
inline constexpr std::string_view kUblInvoiceNs = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
inline constexpr std::string_view kUblCreditNoteNs =
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
inline constexpr std::string_view kCiiNs = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
inline constexpr std::string_view kRamNs =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
inline constexpr std::string_view kUdtNs = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";
inline constexpr std::string_view kQdtNs = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";
inline constexpr std::string_view kCacNs =
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
inline constexpr std::string_view kCbcNs =
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

// Expanded names (namespace URI + local name) to small integers. A table is filled, then frozen
// and shared read-only between threads; a document adds the names it meets that the table lacks
// in a private extension.
class NameTable {
 public:
  // Returns the id of the name, adding it. Only before Freeze().
  NameId Add(std::string_view ns_uri, std::string_view local);
  // The id, or kNoName.
  NameId Find(std::string_view ns_uri, std::string_view local) const;
  void Freeze() { frozen_ = true; }
  bool frozen() const { return frozen_; }
  size_t size() const { return names_.size(); }
  std::string_view ns_uri(NameId id) const { return names_[id].ns_uri; }
  std::string_view local(NameId id) const { return names_[id].local; }

  // The process-wide table, with the UBL names the readers and rules use. Frozen on first use by
  // a parse; register names (rule compilation) before parsing starts.
  static NameTable& Shared();

 private:
  struct Name {
    std::string ns_uri;
    std::string local;
  };
  void Place(NameId id);
  std::vector<Name> names_;
  std::vector<NameId> slots_;  // a hash table of ids; kNoName where free
  bool frozen_ = false;
};

enum class NodeKind : uint8_t { kDocument, kElement, kAttribute, kText };

struct Node {
  NodeKind kind = NodeKind::kElement;
  NameId name = kNoName;           // elements and attributes
  NodeId parent = kNoNode;
  NodeId first_child = kNoNode;    // elements and the document: elements and text, in order
  NodeId next_sibling = kNoNode;   // among children, or among attributes
  NodeId first_attribute = kNoNode;
  uint32_t line = 0;               // where the node starts (elements) or its parent starts
  NodeId last_descendant = kNoNode;  // elements and the document: the last node of the subtree
  std::string_view value;          // text content (text nodes) or value (attributes)
};

struct ParseLimits {
  size_t max_bytes = 64 * 1024 * 1024;
  uint32_t max_depth = 256;
  size_t max_nodes = 8 * 1024 * 1024;
  size_t max_text_bytes = 8 * 1024 * 1024;  // one text node or attribute value
};

class Document {
 public:
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;
  Document(Document&&) = default;
  Document& operator=(Document&&) = default;

  // Parses `text`. Errors are kInvalidArgument with one finding, rule "xml.syntax" (not
  // well-formed), "xml.doctype" (a DOCTYPE was given) or "xml.limit", whose message names the
  // line and says what to fix.
  static Result<Document> Parse(std::string_view text, const ParseLimits& limits = {},
                                const NameTable& names = NameTable::Shared());

  const Node& node(NodeId id) const { return nodes_[id]; }
  size_t size() const { return nodes_.size(); }
  NodeId root() const { return 0; }  // the document node
  NodeId document_element() const { return nodes_.empty() ? kNoNode : nodes_[0].first_child; }

  std::string_view local_name(NodeId id) const;
  std::string_view namespace_uri(NodeId id) const;
  NameId FindName(std::string_view ns_uri, std::string_view local) const;

  // The first child element with this name, or kNoNode.
  NodeId Child(NodeId parent, NameId name) const;
  // The attribute with this name, or kNoNode.
  NodeId Attribute(NodeId element, NameId name) const;
  // The XPath string value: text of a text node or attribute, or all descendant text of an
  // element. When the value is one piece (the usual leaf element) it is returned without copying;
  // otherwise it is built in `scratch`.
  std::string_view StringValue(NodeId id, std::string& scratch) const;
  std::string StringValue(NodeId id) const {
    std::string scratch;
    return std::string(StringValue(id, scratch));
  }
  // The last node of the subtree of `id` (itself when it has no descendants). Constant time.
  NodeId LastDescendant(NodeId id) const {
    NodeId last = nodes_[id].last_descendant;
    return last == kNoNode ? id : last;
  }

 private:
  friend class Builder;
  friend class TextReader;
  Document() = default;
  // The id of an expanded name: from the shared table, else added to the private extension.
  NameId InternName(std::string_view ns_uri, std::string_view local);
  // Appends node `id` (already in nodes_) as the last child of `parent`, whose last child so far
  // is `last_child` (kNoNode for none; updated). For the two readers.
  void LinkChild(NodeId parent, NodeId& last_child, NodeId id) {
    nodes_[id].parent = parent;
    if (last_child == kNoNode) {
      nodes_[parent].first_child = id;
    } else {
      nodes_[last_child].next_sibling = id;
    }
    last_child = id;
  }
  const NameTable* names_ = nullptr;
  std::vector<Node> nodes_;
  std::vector<std::unique_ptr<char[]>> text_chunks_;
  // Names the shared table did not have, with ids from names_->size() upwards.
  std::unique_ptr<NameTable> extra_names_;
};

// The specification identifier (EN16931 BT-24) of an e-invoice: cbc:CustomizationID of a UBL
// document, rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID of
// a CII one; "" when absent or for another document.
std::string SpecificationIdentifier(const Document& doc);

// The start tag of the root element of `xml` without its '<' and '>' ("rsm:CrossIndustryInvoice
// xmlns:rsm=..."), found past the prologue (declaration, comments, processing instructions,
// DOCTYPE) without parsing; "" when there is none. For cheap format detection: a document that
// looks like one format here is still parsed and checked by its reader.
std::string_view RootStartTag(std::string_view xml);
// The local part of the root element's name from RootStartTag ("CrossIndustryInvoice").
std::string_view RootLocalName(std::string_view xml);

// The XPath of `node` for messages: /Root/Child[2]/Leaf[1], or .../@attribute; a text node is
// placed at its element. Every step below the root carries its position among the siblings of
// its name. `prefix` gives the prefix written before an element of namespace `ns` ("cbc:"; ""
// for none); without it names are written unprefixed.
std::string ElementPath(const Document& doc, NodeId node, std::string_view (*prefix)(std::string_view ns) = nullptr);

}  // namespace gw::formats::xml
