// The sign convention of Finvoice credit notes: InvoiceTypeCode INV02 with negative amounts and
// quantities (prices stay positive), where EN16931 writes a credit note (BT-3 381 and the like)
// with positive ones. Internal to formats/finvoice. Pure functions; thread-safe.
#pragma once

#include "formats/model/invoice.h"

namespace gw::formats::finvoice::internal {

// Negates every amount and quantity of `invoice` that changes sign between an EN16931 credit note
// and a Finvoice one: line quantities (BT-129) and net amounts (BT-131), allowance and charge
// amounts and base amounts (document and line level), the VAT breakdown's taxable and tax amounts
// (BT-116, BT-117), and every total of BG-22 (computed and declared). Prices (BG-29) and
// percentages keep their sign. Applying it twice restores the invoice.
void NegateAmounts(model::Invoice& invoice);

}  // namespace gw::formats::finvoice::internal
