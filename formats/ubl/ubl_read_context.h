// ReadContext: navigation and typed values over one parsed UBL (or CII) document, collecting a
// Finding for every value that cannot be read instead of stopping at the first. Internal to the
// readers of formats/ubl and formats/cii. Not thread-safe; one per document being read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/core/date.h"
#include "formats/core/decimal.h"
#include "formats/core/result.h"
#include "formats/model/invoice.h"
#include "formats/ubl/ubl_read_names.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::ubl::internal {

using xml::kNoNode;
using xml::NodeId;

// BG-22 as the document states it: `totals` from `declared_totals` (what is absent is 0 or left
// out), so that writing the model back reproduces the document without completing it. Prepaid
// (BT-113), rounding (BT-114) and BT-111 are inputs the readers set themselves.
void TotalsAsDeclared(model::Invoice& invoice);

class ReadContext {
 public:
  // `doc` must outlive the context.
  // `rule_prefix` names the findings: "ubl" gives "ubl.number", "ubl.date", "ubl.boolean".
  explicit ReadContext(const xml::Document& doc, std::string rule_prefix = "ubl")
      : doc_(doc), names_(Names()), prefix_(std::move(rule_prefix)) {}
  ReadContext(const ReadContext&) = delete;
  ReadContext& operator=(const ReadContext&) = delete;

  const UblNames& names() const { return names_; }
  const xml::Document& doc() const { return doc_; }

  // The first child element `name` of `parent`, or kNoNode; kNoNode when `parent` is kNoNode,
  // so that lookups chain: Child(Child(party, cac.PartyName), cbc.Name).
  NodeId Child(NodeId parent, NameId name) const {
    return parent == kNoNode ? kNoNode : doc_.Child(parent, name);
  }
  // Calls fn(child) for every child element `name` of `parent`, in document order.
  template <typename Fn>
  void ForEach(NodeId parent, NameId name, Fn&& fn) const {
    if (parent == kNoNode) return;
    for (NodeId c = doc_.node(parent).first_child; c != kNoNode; c = doc_.node(c).next_sibling) {
      const xml::Node& n = doc_.node(c);
      if (n.kind == xml::NodeKind::kElement && n.name == name) fn(c);
    }
  }

  // The text (XPath string value) of `element`, "" when it is kNoNode. Kept as written: text
  // terms are the document's to judge, not the reader's.
  std::string Text(NodeId element) const;
  // The text of the first child `name` of `parent`.
  std::string Text(NodeId parent, NameId name) const { return Text(Child(parent, name)); }
  // The value of attribute `name` of `element`, "" when either is absent.
  std::string Attribute(NodeId element, NameId name) const;
  // The first child `name` of `parent` as an identifier: its text and its schemeID.
  model::Identifier Identifier(NodeId parent, NameId name) const;

  // The xsd:decimal text of `element` exactly, or nullopt when the element is absent or its text
  // is not a decimal (then a "ubl.number" finding is added).
  std::optional<Decimal> Number(NodeId element);
  std::optional<Decimal> Number(NodeId parent, NameId name) { return Number(Child(parent, name)); }
  // A YYYY-MM-DD date, or nullopt when absent or not a date (then a "ubl.date" finding).
  std::optional<Date> DateValue(NodeId parent, NameId name);
  // An xsd:boolean (true, false, 1, 0), or nullopt when absent or invalid ("ubl.boolean").
  std::optional<bool> Boolean(NodeId element);

  // Adds a finding located at `node` (an element or attribute).
  void Add(std::string rule, NodeId node, std::string message);
  size_t finding_count() const { return findings_.size(); }
  // The findings in document order (sections are not read in document order), moved out.
  std::vector<Finding> TakeFindings();
  // kInvalidArgument "the <document> has N unreadable value(s)" with every finding, moved out.
  Error UnreadableValues(std::string_view document);

  // The XPath of `node`, with the cac/cbc prefixes and a position on every step below the root:
  // /Invoice/cac:LegalMonetaryTotal[1]/cbc:PayableAmount[1], or .../cbc:Amount[1]/@currencyID.
  std::string Path(NodeId node) const;

 private:
  const xml::Document& doc_;
  const UblNames& names_;
  std::string prefix_;
  std::vector<std::pair<NodeId, Finding>> findings_;  // with the node, to sort by position
};

}  // namespace gw::formats::ubl::internal
