// Writer of UBL 2.1 Invoice and CreditNote documents, Peppol BIS Billing 3.0 binding, from the
// EN16931 model. Stateless; thread-safe (libxml2's writer is used per call).
#pragma once

#include <string>

#include "formats/core/result.h"
#include "formats/model/invoice.h"

namespace gw::formats::ubl {

inline constexpr const char* kPeppolBis3CustomizationId =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
inline constexpr const char* kPeppolBis3ProfileId = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

// Serializes a completed invoice (see calc::Complete) as UTF-8 UBL XML: an Invoice, or a CreditNote
// when `invoice.kind` is kCreditNote. Elements follow the UBL 2.1 schema order, empty terms are
// omitted, and equal input gives byte-identical output. Returns kInternal if libxml2 fails.
Result<std::string> WriteInvoice(const model::Invoice& invoice);

}  // namespace gw::formats::ubl
