// Reader of UN/CEFACT Cross Industry Invoice (CII D16B) documents, EN16931 syntax binding, into
// the EN16931 model: the inverse of cii_writer.h. Stateless functions; safe to call from many
// threads.
#pragma once

#include <string_view>
#include <vector>

#include "formats/core/result.h"
#include "formats/model/invoice.h"

namespace gw::formats::cii {

// Parses `xml` (an rsm:CrossIndustryInvoice) into an Invoice. The kind follows the type code
// (BT-3): the credit note codes of UNTDID 1001 the EN16931 rules list (81, 83, 261, 262, 296,
// 308, 381, 396, 420, 458, 532) give kCreditNote, everything else kInvoice. As the UBL reader,
// it reads every business term the model has as the document states it (amounts exactly, totals
// both as `totals` and `declared_totals`, the VAT breakdown as given) and recomputes nothing;
// WriteInvoice of the result reproduces a document that WriteInvoice wrote.
//
// What the model cannot hold is appended to `losses` (when given) as warning findings, rule
// "cii.lost", located by XPath: a second seller VAT registration, a tax point date (BT-7) or due
// date type code (BT-8) that differs between breakdown entries, payment means that differ in
// type code, and so on. An electronic address whose scheme ParticipantId refuses is such a loss.
//
// Errors, all kInvalidArgument: the parser's error unchanged for text that is not well-formed
// XML, has a DOCTYPE or exceeds a limit; rule "cii.root" when the root is not
// rsm:CrossIndustryInvoice; otherwise one finding per unreadable value, all of them: "cii.number"
// (not an xsd:decimal), "cii.date" (not a format 102 date YYYYMMDD), "cii.boolean",
// "cii.required" (no issue date).
Result<model::Invoice> ReadInvoice(std::string_view xml, std::vector<Finding>* losses = nullptr);

// True when the root element of `xml` is rsm:CrossIndustryInvoice: a cheap look at the root's
// start tag, past comments and processing instructions (the namespace must be declared there).
bool LooksLikeCii(std::string_view xml);

}  // namespace gw::formats::cii
