// Reader of UBL 2.1 Invoice and CreditNote documents (Peppol BIS Billing 3.0 binding) into the
// EN16931 model: the inverse of ubl_writer.h. Stateless functions; safe to call from many threads.
#pragma once

#include <string_view>

#include "formats/core/result.h"
#include "formats/model/invoice.h"

namespace gw::formats::ubl {

// Parses `xml` (a UBL 2.1 Invoice or CreditNote, UTF-8 or with a declared encoding) into an
// Invoice whose kind follows the root element. Every business term the model has is read as the
// document states it: amounts and quantities exactly (gw::Decimal), the totals both as `totals`
// and as `declared_totals`, line net amounts and allowance/charge amounts as given (the `_given`
// flags set), and the VAT breakdown as given (`vat_breakdown_given`). Nothing is recomputed, so
// WriteInvoice of the result reproduces a document that WriteInvoice wrote, byte for byte; pass
// the result to calc::Complete to check the amounts.
//
// The reader does not judge the document (missing terms, code lists and business rules are the
// validator's): elements the model has no place for are ignored; an electronic address (BT-34,
// BT-49) is kept with whatever scheme it states (EM included), only a malformed one is left out.
//
// Errors, all kInvalidArgument:
// - the parser's error unchanged when the text is not well-formed XML, has a DOCTYPE or exceeds
//   a limit (one finding, rule "xml.syntax", "xml.doctype" or "xml.limit");
// - rule "ubl.root" when the root element is not a UBL 2.1 Invoice or CreditNote;
// - otherwise one finding per unreadable value, all of them: "ubl.number" (not an xsd:decimal, or
//   beyond Decimal's 38 digits / 30 places), "ubl.date" (not YYYY-MM-DD), "ubl.boolean" (a
//   ChargeIndicator that is missing or not true/false), "ubl.required" (no cbc:IssueDate, the one
//   term the model cannot leave absent), each located by an XPath such as
//   /Invoice/cac:LegalMonetaryTotal[1]/cbc:PayableAmount[1].
Result<model::Invoice> ReadInvoice(std::string_view xml);

}  // namespace gw::formats::ubl
