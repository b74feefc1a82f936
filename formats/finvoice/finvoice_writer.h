// Writer of Finvoice 3.0 (Finland) documents from the EN16931 model, optionally behind the SOAP
// 1.1 / ebXML 2.0 frame of the Finvoice forwarding service. Stateless; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "formats/core/result.h"
#include "formats/finvoice/finvoice_transmission.h"
#include "formats/model/invoice.h"

namespace gw::formats::finvoice {

struct WriteOptions {
  std::string encoding =
      "UTF-8";  // "UTF-8" or "ISO-8859-15" (Latin-9, what most Finnish receivers expect)
  bool soap_envelope = false;  // put the forwarding service's SOAP/ebXML frame in front
};

// Serializes a completed invoice (see calc::Complete) as one Finvoice 3.0 document: root
// <Finvoice Version="3.0">, elements in the order of Finvoice3.0.xsd, MessageTransmissionDetails
// from `transmission` (BT-24 in its SpecificationIdentifier when it has at most 35 characters),
// dates CCYYMMDD with Format="CCYYMMDD", amounts with a decimal comma and AmountCurrencyIdentifier.
// A credit note (kind kCreditNote) is InvoiceTypeCode INV02 with its amounts and quantities
// negated, as Finvoice writes credit notes (prices stay positive). Equal input gives identical
// output. The mapping, term by term, is docs/formats/finvoice.md.
//
// In ISO-8859-15 the declaration says so and characters outside Latin-9 are numeric character
// references. With `soap_envelope` the frame (From Sender/Intermediator, To Receiver/Intermediator,
// CPAId, Service Routing, Action ProcessInvoice, MessageData, Manifest) precedes the document in
// the same output, ASCII, without an XML declaration of its own.
//
// Business terms Finvoice cannot hold are appended to `losses` (when given) as warning findings,
// rule "finvoice.lost", located at the term's path in the model (e.g. "/notes/0/subject_code"),
// naming the BT; so is a term written in another form (an IBAN without its spaces).
//
// Errors, kInvalidArgument with one finding per problem, all of them: "finvoice.routing" (the
// transmission lacks a mandatory field or has a value the schema refuses), "finvoice.required"
// (no payment account BT-84: Finvoice's payment order EpiDetails is mandatory; no lines, number,
// seller or buyer name, currency), "finvoice.amount" (an amount needing more decimals than Finvoice
// has: 5, or 2 for the amount due BT-115; never rounded), "finvoice.percent" (a VAT rate outside
// 0..999 with 3 decimals), "finvoice.length" (BT-1 longer than 20 characters); "finvoice.encoding"
// for an unknown encoding option. `invoice` and `transmission` are only read during the call.
Result<std::string> WriteInvoice(const model::Invoice& invoice, const Transmission& transmission,
                                 const WriteOptions& options,
                                 std::vector<Finding>* losses = nullptr);

}  // namespace gw::formats::finvoice
