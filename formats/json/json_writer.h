// Writer of the ERP JSON invoice format (docs/formats/json.md) from the EN16931 model: the reverse
// of json_reader.h, for handing received invoices to ERPs. Stateless; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "formats/core/result.h"
#include "formats/model/invoice.h"

namespace gw::formats::json {

// Serializes a completed invoice (see calc::Complete; an invoice read from UBL or CII is complete
// as its document states it) as one UTF-8 JSON object in the shape of docs/formats/json.md and
// invoice.schema.json: members in the order of the documentation, absent terms (empty strings,
// empty optionals and groups) left out, amounts, prices, quantities and percentages as JSON strings
// holding the exact decimal ("12.50", scale kept), dates "YYYY-MM-DD". The line net amounts, the
// VAT breakdown and the totals are written as the model holds them, so that ReadInvoice of the
// output gives the same business terms back. Two forms change, not the terms: BT-6 equal to BT-5 is
// left out, and attachment base64 loses its layout white space. Equal input gives byte-identical
// output. The values are not checked: a received invoice that breaks a rule ReadInvoice enforces on
// ERP input (an identifier check digit, a missing electronic address) is written as it is.
//
// A business term the format has no place for is not dropped in silence: it is appended to
// `losses` (when given) as a warning finding, rule "json.lost", located at the term's path in the
// model (e.g. "/buyer/identifiers/1"), naming the BT. Those are: a second and further buyer
// identifier (BT-46 is 0..1), a buyer tax registration identifier or legal information (BT-32 and
// BT-33 are the seller's only), VAT terms on a line-level allowance or charge, a price discount
// (BT-147) without a gross price (BT-148), and a price base unit (BT-150) that is not the line's
// unit (PEPPOL-EN16931-R130).
//
// Errors: kInvalidArgument with rule "json.number" for an amount that overflowed in computation
// (Decimal::overflow), which has no exact text. `invoice` is only read during the call.
Result<std::string> WriteInvoice(const model::Invoice& invoice,
                                 std::vector<Finding>* losses = nullptr);

}  // namespace gw::formats::json
