// Reader of Finvoice 3.0 (Finland) documents into the EN16931 model: the inverse of
// finvoice_writer.h, for documents of other writers too. Stateless functions; safe to call from
// many threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "formats/core/result.h"
#include "formats/finvoice/finvoice_transmission.h"
#include "formats/model/invoice.h"

namespace gw::formats::finvoice {

struct ReadResult {
  model::Invoice invoice;
  Transmission transmission;  // MessageTransmissionDetails and/or the SOAP frame
  bool had_soap_envelope =
      false;             // a SOAP/ebXML frame preceded the document (it is not in `invoice`)
  std::string encoding;  // "UTF-8", "ISO-8859-15" or "ISO-8859-1", as declared
};

// Reads one Finvoice document, UTF-8 or ISO-8859-15 as its XML declaration says, with or without
// the forwarding service's SOAP frame in front (its routing is read into `transmission`; where
// the document also has MessageTransmissionDetails, the frame's parties win and the details add
// what the frame lacks, such as address schemes). The invoice holds every business term the
// document states (amounts exactly, totals both as `totals` and `declared_totals`); nothing is
// recomputed, except that an INV02 credit note with a total of zero or less is turned into
// EN16931's positive credit note (all amounts and quantities negated back). The mapping, term by
// term, is docs/formats/finvoice.md.
//
// What the model cannot hold is appended to `losses` (when given) as warning findings, rule
// "finvoice.lost", located by XPath (/Finvoice/InvoiceDetails[1]/...): every element with text
// that is not read (Finvoice-only content such as SubInvoiceRow, DefinitionDetails,
// VirtualBankBarcode, further organisation names), amounts in another currency than the invoice's,
// text rows without amounts.
//
// Errors, all kInvalidArgument: "finvoice.encoding" when the bytes do not match the declared
// encoding (naming the encoding, byte offset and line) or the encoding is not a Finvoice one;
// "finvoice.envelope" for a SOAP frame that cannot be read; the parser's error unchanged for text
// that is not well-formed XML, has a DOCTYPE (refused: no entities) or exceeds a limit;
// "finvoice.root" when the root is not Finvoice; otherwise one finding per unreadable value, all
// of them: "finvoice.number", "finvoice.date", "finvoice.required" (no InvoiceNumber or
// InvoiceDate). `text` is only read during the call.
Result<ReadResult> ReadInvoice(std::string_view text, std::vector<Finding>* losses = nullptr);

// The Finvoice document of `text` and the line of `text` it starts on: `text` itself (line 1), or
// the part after the SOAP frame when one precedes it, for checks that need a single XML document
// (the schema). kInvalidArgument, rule "finvoice.envelope", when the frame cannot be cut off.
struct DocumentPart {
  std::string_view document;
  size_t line = 1;
  bool after_envelope = false;
};
Result<DocumentPart> WithoutEnvelope(std::string_view text);

// True when the first element of `text` (past a byte order mark, comments and processing
// instructions) is Finvoice without a namespace, or a SOAP Envelope whose end is followed by such a
// document. Cheap: looks at start tags only, parses nothing.
bool LooksLikeFinvoice(std::string_view text);

}  // namespace gw::formats::finvoice
