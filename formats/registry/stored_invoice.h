// Reading a stored document back into the EN16931 model, whatever format it was stored in (the
// web pages' view of an invoice, formats/json/view_json.h, is drawn from it).
#pragma once

#include <string>
#include <string_view>

#include "formats/core/result.h"
#include "formats/model/invoice.h"
#include "formats/registry/format_registry.h"

namespace gw::formats {

// Reads a stored document of any format `registry` has a reader for, recognised by its content:
// a JSON object is the ERP JSON format ("json"), completed by calc::Complete as on intake (ERP
// JSON may leave totals and the VAT breakdown to the gateway); an XML document by the namespace
// and local name of its root element: UBL 2.1 Invoice or CreditNote ("ubl"), CII D16B
// CrossIndustryInvoice ("cii"), Finvoice, bare or behind its SOAP frame ("finvoice"), E_Invoice
// ("ee-einvoice"). The profile formats (xrechnung-*, facturx*) are read by the reader of their
// syntax. An XML document is read as it states its amounts; nothing is recomputed.
//
// The content decides; `media_type_hint` (the stored media type; may be empty) is used only for
// content that starts like neither JSON nor XML: a JSON or XML media type hands it to that parser,
// which says what is wrong with it. `format_used`, when not null, is set to the name of the format
// chosen as soon as it is chosen (so also when its reader then fails), and to "" before.
//
// Errors, all kInvalidArgument: empty content; content that is neither JSON nor XML (naming what
// it looks like, e.g. a PDF); a JSON array (the ERP format is one object); XML that is not
// well-formed, has a DOCTYPE (refused before any entity is declared) or exceeds a limit, with the
// hardened parser's finding (rules "xml.syntax", "xml.doctype", "xml.limit"); an XML root no reader
// reads ("an XML document with root element {ns}Foo, which no reader of this gateway reads"); a
// format detected that `registry` has no reader for; and the reader's or the calculator's own
// errors, unchanged. `registry` and `text` are only read during the call.
Result<model::Invoice> ReadStoredInvoice(const FormatRegistry& registry, std::string_view text,
                                         std::string_view media_type_hint,
                                         std::string* format_used);

}  // namespace gw::formats
