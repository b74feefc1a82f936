// Readers of the parts of a UBL document, shared by ubl_reader.cc (document level) and
// ubl_read_parties.cc / ubl_read_lines.cc. Each is the inverse of its writer in ubl_parts.h.
// Internal to formats/ubl.
#pragma once

#include <string_view>

#include "formats/model/invoice.h"
#include "formats/ubl/ubl_read_context.h"

namespace gw::formats::ubl::internal {

// cac:Party of cac:AccountingSupplierParty or cac:AccountingCustomerParty. `sepa_creditor_id` is
// BT-90 when this party carries it (see SepaCreditorId): that PartyIdentification is then not
// one of the party's identifiers.
model::Party ReadParty(ReadContext& in, NodeId party, std::string_view sepa_creditor_id);
// The last PartyIdentification/ID with schemeID SEPA of `party` (cac:Party or cac:PayeeParty),
// where the writer puts the bank assigned creditor identifier (BT-90); "" when there is none.
std::string SepaCreditorId(ReadContext& in, NodeId party);
model::Address ReadAddress(ReadContext& in, NodeId address);
model::Payee ReadPayee(ReadContext& in, NodeId payee, std::string_view sepa_creditor_id);
model::TaxRepresentative ReadTaxRepresentative(ReadContext& in, NodeId representative);
model::Delivery ReadDelivery(ReadContext& in, NodeId delivery);
// Every cac:PaymentMeans of `document` into invoice.payment (BG-16 with one BG-17 per account),
// and for a credit note BT-9 from cbc:PaymentDueDate.
void ReadPaymentMeans(ReadContext& in, NodeId document, model::Invoice& invoice);
// cac:AllowanceCharge, document level (with its cac:TaxCategory) or line level.
model::AllowanceCharge ReadAllowanceCharge(ReadContext& in, NodeId allowance_charge,
                                           bool document_level);
// cbc:ID and cbc:Percent of a cac:TaxCategory or cac:ClassifiedTaxCategory.
model::VatCategory ReadTaxCategory(ReadContext& in, NodeId category);
// A cac:InvoiceLine or cac:CreditNoteLine (`credit` selects cbc:CreditedQuantity).
model::Line ReadLine(ReadContext& in, NodeId line, bool credit);
model::Period ReadPeriod(ReadContext& in, NodeId period);

}  // namespace gw::formats::ubl::internal
