// CheckRules: the Finvoice 3.0 business rules that Finvoice3.0.xsd cannot express (sums, payment
// reference check digits, dates, routing); Finvoice has no official Schematron, so the FINVOICE-*
// rule ids are the gateway's (docs/formats/finvoice.md). Stateless; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "formats/core/result.h"

namespace gw::formats::finvoice {

// Checks one Finvoice document (UTF-8 or ISO-8859-15, with or without the SOAP frame in front)
// and returns every finding, in document order; none when it passes. Each finding has a rule id
// "FINVOICE-<name>", a severity (fatal: the document is wrong; warning: it is doubtful), the
// XPath of the offending element and a message saying what is wrong and what was expected:
//   FINVOICE-VERSION       the root is <Finvoice Version="3.0">
//   FINVOICE-TRANSMISSION  MessageTransmissionDetails (or a SOAP frame) with the sender and
//                          receiver addresses, both intermediators, the message id and time stamp
//   FINVOICE-DATE          every date is Format="CCYYMMDD" and a calendar day
//   FINVOICE-AMOUNT        every amount is a Finvoice amount (decimal comma, 2 to 5 decimals;
//                          exactly 2 for EpiInstructedAmount)
//   FINVOICE-CURRENCY      every amount is in the invoice currency (but the VAT accounting total)
//   FINVOICE-ROWS-TOTAL    RowsTotalVatExcludedAmount = sum of the rows' RowVatExcludedAmount
//   FINVOICE-DISCOUNTS-TOTAL, FINVOICE-CHARGES-TOTAL  the totals of DiscountDetails/ChargeDetails
//   FINVOICE-VAT-EXCLUDED  InvoiceTotalVatExcludedAmount = rows - discounts + charges
//   FINVOICE-VAT-BASE      the VatBaseAmounts add up to InvoiceTotalVatExcludedAmount
//   FINVOICE-VAT-TOTAL     the VatRateAmounts add up to InvoiceTotalVatAmount
//   FINVOICE-VAT-RATE      (warning) VatRateAmount = VatBaseAmount x VatRatePercent, rounded
//   FINVOICE-VAT-INCLUDED  InvoiceTotalVatIncludedAmount = excluded + VAT
//   FINVOICE-INSTRUCTED    EpiInstructedAmount = included - InvoicePaidAmount +
//   InvoiceTotalRoundoffAmount FINVOICE-REFERENCE     EpiRemittanceInfoIdentifier's check digits:
//   SPY a Finnish reference
//                          (7-3-1), ISO an RF creditor reference (ISO 11649)
//   FINVOICE-DUE-DATE      (warning) EpiDateOptionDate is the due date of PaymentTermsDetails
// A document that cannot be read at all gives the reader's findings instead (finvoice.encoding,
// xml.syntax, xml.doctype, finvoice.envelope, finvoice.root). `text` is only read during the call.
std::vector<Finding> CheckRules(std::string_view text);

}  // namespace gw::formats::finvoice
