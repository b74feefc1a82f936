// Reader of the ERP JSON invoice format (docs/formats/json.md) into the EN16931 model.
// Stateless functions; safe to call from many threads at once.
#pragma once

#include <string_view>

#include "formats/core/result.h"
#include "formats/model/invoice.h"

namespace gw::formats::json {

// Parses `text` (UTF-8 JSON) into an Invoice. Totals and VAT breakdown are copied as given
// (flags `totals_given`/`vat_breakdown_given`); the calculator completes or checks them.
// On failure returns kInvalidArgument with one Finding per problem, each located by JSON pointer:
// syntax errors (with line and column), unknown fields, wrong types, missing mandatory fields,
// bad codes, dates and numbers. All problems are reported, not only the first.
Result<model::Invoice> ReadInvoice(std::string_view text);

}  // namespace gw::formats::json
