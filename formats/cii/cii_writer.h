// Writer of UN/CEFACT Cross Industry Invoice (CII D16B) documents, EN16931 syntax binding, from the
// EN16931 model: rsm:CrossIndustryInvoice for invoices and credit notes alike (the type code,
// BT-3, tells them apart). Stateless; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "formats/core/result.h"
#include "formats/model/invoice.h"

namespace gw::formats::cii {

// BT-24 when the invoice names none: the EN16931 core specification.
inline constexpr const char* kEn16931SpecificationId = "urn:cen.eu:en16931:2017";

// Serializes a completed invoice (see calc::Complete) as UTF-8 CII XML, elements in the order of
// the CII D16B schema, empty terms omitted; equal input gives byte-identical output.
//
// A business term that CII cannot hold is not dropped in silence: it is appended to `losses` (when
// given) as a warning finding, rule "cii.lost", located at the term's path in the model and
// naming the BT (D16B has one preceding invoice reference, BG-3, where the model has several; the
// card network of BG-18 is a Peppol UBL element without a CII place).
// Returns kInternal if the writer is misused (a bug).
Result<std::string> WriteInvoice(const model::Invoice& invoice, std::vector<Finding>* losses = nullptr);

// BT-24 of the Factur-X 1.0 BASIC profile.
inline constexpr const char* kFacturXBasicSpecificationId = "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic";

// The invoice in the Factur-X 1.0 / ZUGFeRD 2.x BASIC profile: the CII of WriteInvoice with BT-24
// set to the BASIC identifier and without the elements the BASIC schema does not have (seller
// contact, item seller identifier, account name, ...; the list is generated from the schema by
// scripts/gen_facturx_paths.py), each of which is appended to `losses` as a "cii.lost" warning.
// An invoice with a rounding amount (BT-114, not in BASIC, and needed for the amount due to add
// up) is refused: kInvalidArgument with rule "cii.profile".
Result<std::string> WriteFacturXBasic(const model::Invoice& invoice, std::vector<Finding>* losses = nullptr);

}  // namespace gw::formats::cii
