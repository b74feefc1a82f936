// The VAT breakdown (BG-23) and the per-category rules of EN16931 (BR-S/Z/E/AE/IC/G/O/AF/AG),
// used by the calculator. Internal to formats/calc; stateless.
#pragma once

#include <vector>

#include "formats/core/result.h"
#include "formats/model/invoice.h"

namespace gw::formats::calc {

// Groups line and document allowance/charge amounts by VAT category and rate, computes taxable
// and tax amounts (BR-CO-17) and exemption reasons, and checks them against a breakdown the ERP
// sent. Replaces invoice.vat_breakdown with the result. Appends findings.
void BuildVatBreakdown(model::Invoice& invoice, std::vector<Finding>& findings);

// Rate and identifier rules per category (BR-x-02..05, BR-IC-11/12, BR-O-11..14, BR-x-10).
void CheckVatCategoryRules(const model::Invoice& invoice, std::vector<Finding>& findings);

// Default VATEX code for categories that have exactly one meaning (AE, K, G, O); "" otherwise.
const char* DefaultExemptionCode(std::string_view category);

}  // namespace gw::formats::calc
