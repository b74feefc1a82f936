// Writers of the parts of a UBL document, shared by ubl_writer.cc (document level) and
// ubl_lines.cc / ubl_parties.cc. Internal to formats/ubl.
#pragma once

#include "formats/model/invoice.h"
#include "formats/xml/xml_writer.h"

namespace gw::formats::ubl::internal {

using xml::XmlWriter;

// cac:AccountingSupplierParty / cac:AccountingCustomerParty content (cac:Party).
void WriteParty(XmlWriter& w, const model::Party& party, const std::string& sepa_creditor_id);
void WriteAddress(XmlWriter& w, const char* element, const model::Address& a);
// BT-90 goes to the payee when there is one, else to the seller (scheme SEPA, UBL-SR-29).
void WritePayee(XmlWriter& w, const model::Payee& payee, const std::string& sepa_creditor_id);
void WriteTaxRepresentative(XmlWriter& w, const model::TaxRepresentative& rep);
void WriteDelivery(XmlWriter& w, const model::Delivery& d);
void WritePaymentMeans(XmlWriter& w, const model::Invoice& inv);
// cac:AllowanceCharge, document (with TaxCategory) or line level.
void WriteAllowanceCharge(XmlWriter& w, const model::AllowanceCharge& ac,
                          const std::string& currency, bool document_level);
void WriteTaxCategory(XmlWriter& w, const char* element, const model::VatCategory& vat,
                      const std::string& exemption_code, const std::string& exemption_reason);
void WriteLine(XmlWriter& w, const model::Line& line, const std::string& currency, bool credit);
void WritePeriod(XmlWriter& w, const model::Period& p, const std::string& description_code);

}  // namespace gw::formats::ubl::internal
