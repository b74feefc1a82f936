// ReadContext: navigation and typed values over one parsed Finvoice document, a finding for every
// unreadable value, and a loss for every element with text that is not read. Internal to
// formats/finvoice. Not thread-safe; one per document.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/core/date.h"
#include "formats/core/decimal.h"
#include "formats/core/result.h"
#include "formats/finvoice/finvoice_names.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::finvoice::internal {

using xml::kNoNode;
using xml::NameId;
using xml::NodeId;

class ReadContext {
 public:
  // `doc` must outlive the context. Losses go to `losses` when it is not null.
  ReadContext(const xml::Document& doc, std::vector<Finding>* losses);
  ReadContext(const ReadContext&) = delete;
  ReadContext& operator=(const ReadContext&) = delete;

  const xml::Document& doc() const { return doc_; }

  // The first child element `name` of `parent` (kNoNode when either is absent); does not count
  // as reading it.
  NodeId Child(NodeId parent, NameId name) const {
    return parent == kNoNode ? kNoNode : doc_.Child(parent, name);
  }
  // fn(child) for every child element `name` of `parent`, in document order.
  template <typename Fn>
  void ForEach(NodeId parent, NameId name, Fn&& fn) const {
    if (parent == kNoNode) return;
    for (NodeId c = doc_.node(parent).first_child; c != kNoNode; c = doc_.node(c).next_sibling) {
      const xml::Node& n = doc_.node(c);
      if (n.kind == xml::NodeKind::kElement && n.name == name) fn(c);
    }
  }

  // Marks `element` (and its subtree) as read.
  void Consume(NodeId element);
  // The text of `element` with surrounding white space removed, "" when absent; marks it read.
  std::string Text(NodeId element);
  std::string Text(NodeId parent, NameId name) { return Text(Child(parent, name)); }
  // The text as Text() gives it, without marking the element read.
  std::string Peek(NodeId element) const;
  // The value of attribute `name`, "" when absent.
  std::string Attribute(NodeId element, NameId name) const;

  // The invoice currency (BT-5); amounts in another currency are reported lost (read as amounts
  // of the invoice currency, the model having one).
  void SetCurrency(std::string currency) { currency_ = std::move(currency); }
  // A number written with a decimal comma (or point); nullopt when absent, or unreadable (then a
  // "finvoice.number" finding). Marks it read.
  std::optional<Decimal> Number(NodeId element);
  std::optional<Decimal> Number(NodeId parent, NameId name) { return Number(Child(parent, name)); }
  // An amount: Number plus the check of its AmountCurrencyIdentifier against the invoice currency.
  std::optional<Decimal> Amount(NodeId element);
  std::optional<Decimal> Amount(NodeId parent, NameId name) { return Amount(Child(parent, name)); }
  // A CCYYMMDD date (Format="CCYYMMDD"); nullopt when absent or unreadable ("finvoice.date").
  std::optional<Date> DateOf(NodeId element);
  std::optional<Date> DateOf(NodeId parent, NameId name) { return DateOf(Child(parent, name)); }

  // A fatal finding about an unreadable value at `node`.
  void Add(std::string rule, NodeId node, std::string message);
  size_t finding_count() const { return findings_.size(); }
  // kInvalidArgument "the Finvoice document has N unreadable value(s)" with every finding in
  // document order.
  Error UnreadableValues();
  // A "finvoice.lost" warning at `node`.
  void Lost(NodeId node, std::string message);

  // Reports, as "finvoice.lost" warnings, every element under `root` with text that was not read
  // (a subtree of which nothing was read is reported once, with its text).
  void ReportUnread(NodeId root);

  // The XPath of `node`: /Finvoice/InvoiceDetails[1]/InvoiceTotalVatIncludedAmount[1].
  std::string Path(NodeId node) const;

 private:
  void ReportUnreadChildren(NodeId element, const std::vector<bool>& touched);

  const xml::Document& doc_;
  std::vector<Finding>* losses_;
  std::vector<bool> read_;
  std::vector<std::pair<NodeId, Finding>> findings_;
  std::string currency_;
};

}  // namespace gw::formats::finvoice::internal
