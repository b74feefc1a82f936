// Internal to formats/eeinvoice: the routing checks the writer and BatchFromRouting share, the
// character count and set of the text types, and the navigation the reader and the rules share.
#pragma once

#include <string_view>
#include <vector>

#include "formats/core/result.h"
#include "formats/eeinvoice/ee_invoice.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::ee::internal {

// The header's problems: a missing date or FileId, a FileId or other id over 20 characters.
// Findings: rule "ee.routing", location the routing key ("file_id").
std::vector<Finding> CheckHeader(const FileHeader& header);
// The invoice's routing problems: a missing invoiceId, regNumber or sellerRegnumber, values over
// their lengths, YES/NO attributes with other values, a bank channel (AppId EARVE) without
// channelId and channelAddress.
std::vector<Finding> CheckInvoiceRouting(const InvoiceRouting& routing, const FileHeader& header);

// The number of characters of the UTF-8 `text` (XSD lengths count characters).
size_t Utf8Length(std::string_view text);

// True when every character of the UTF-8 `text` is in [U+0020, U+00FF] or is Š š Ž ž, the
// characters PaymentDescriptionType allows.
bool PaymentDescriptionCharacters(std::string_view text);

// Navigation over the un-namespaced elements of an E_Invoice by local name. Texts and attribute
// values are trimmed of surrounding whitespace (pretty-printed files).
class Nav {
 public:
  explicit Nav(const xml::Document& doc) : doc_(doc) {}

  const xml::Document& doc() const { return doc_; }
  // The first child element `local` of `parent`; kNoNode when there is none or parent is kNoNode.
  xml::NodeId Child(xml::NodeId parent, std::string_view local) const;
  template <typename Fn>
  void ForEach(xml::NodeId parent, std::string_view local, Fn&& fn) const {
    if (parent == xml::kNoNode) return;
    for (xml::NodeId c = doc_.node(parent).first_child; c != xml::kNoNode; c = doc_.node(c).next_sibling) {
      if (doc_.node(c).kind == xml::NodeKind::kElement && doc_.local_name(c) == local) fn(c);
    }
  }
  std::string Text(xml::NodeId element) const;
  std::string Text(xml::NodeId parent, std::string_view local) const { return Text(Child(parent, local)); }
  std::string Attr(xml::NodeId element, std::string_view local) const;
  // The decimal text of `element`, nullopt when absent or not a decimal.
  std::optional<Decimal> NumberOrNothing(xml::NodeId element) const;
  // /E_Invoice/Invoice[2]/InvoiceParties[1]/SellerParty[1]/Name[1], or .../@attr.
  std::string Path(xml::NodeId node) const;

 private:
  const xml::Document& doc_;
};

}  // namespace gw::formats::ee::internal
