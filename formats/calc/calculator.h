// The EN16931 calculator: completes an invoice's line amounts, allowances/charges, VAT breakdown
// and document totals, or checks the ones the ERP sent. Stateless; thread-safe.
#pragma once

#include "formats/core/result.h"
#include "formats/model/invoice.h"

namespace gw::formats::calc {

// Computes every derived amount of `invoice` (rules in docs/formats/json.md, "How the gateway
// computes") and fills the ones that are absent. Where the ERP sent a value, it is compared with
// the computed one; a mismatch is a Finding (rule "calc.mismatch") that states the expected and the
// received value at the term's location. Also reports VAT category inconsistencies (BR-S/Z/E/AE/
// K/G/O/L/M rate rules) and decimal overflow. Returns kInvalidArgument with all findings, or OK.
// `invoice` is modified even when an error is returned.
Status Complete(model::Invoice& invoice);

}  // namespace gw::formats::calc
