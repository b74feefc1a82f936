// Parties, delivery, payment means and allowances/charges in UBL 2.1 (Peppol BIS 3.0 binding).
#include "formats/ubl/ubl_parts.h"

namespace gw::formats::ubl::internal {

void WriteAddress(XmlWriter& w, const char* element, const model::Address& a) {
  if (a.empty()) return;
  w.Start(element);
  w.Leaf("cbc:StreetName", a.line1);
  w.Leaf("cbc:AdditionalStreetName", a.line2);
  w.Leaf("cbc:CityName", a.city);
  w.Leaf("cbc:PostalZone", a.postal_code);
  w.Leaf("cbc:CountrySubentity", a.subdivision);
  if (!a.line3.empty()) {
    w.Start("cac:AddressLine");
    w.Leaf("cbc:Line", a.line3);
    w.End();
  }
  if (!a.country.empty()) {
    w.Start("cac:Country");
    w.Leaf("cbc:IdentificationCode", a.country);
    w.End();
  }
  w.End();
}

namespace {

void WritePartyTaxScheme(XmlWriter& w, std::string_view company_id, const char* scheme) {
  if (company_id.empty()) return;
  w.Start("cac:PartyTaxScheme");
  w.Leaf("cbc:CompanyID", company_id);
  w.Start("cac:TaxScheme");
  w.Leaf("cbc:ID", scheme);
  w.End();
  w.End();
}

void WritePartyName(XmlWriter& w, std::string_view name) {
  if (name.empty()) return;
  w.Start("cac:PartyName");
  w.Leaf("cbc:Name", name);
  w.End();
}

void WritePartyIdentification(XmlWriter& w, const model::Identifier& id) {
  if (id.empty()) return;
  w.Start("cac:PartyIdentification");
  w.Leaf("cbc:ID", id.value, "schemeID", id.scheme);
  w.End();
}

}  // namespace

void WriteParty(XmlWriter& w, const model::Party& p, const std::string& sepa_creditor_id) {
  w.Start("cac:Party");
  w.Leaf("cbc:EndpointID", p.electronic_address.value(), "schemeID", p.electronic_address.scheme());
  for (const auto& id : p.identifiers) WritePartyIdentification(w, id);
  // BT-90 lives in the seller's (or payee's) party identification with scheme SEPA.
  if (!sepa_creditor_id.empty()) WritePartyIdentification(w, {sepa_creditor_id, "SEPA"});
  WritePartyName(w, p.trading_name);
  WriteAddress(w, "cac:PostalAddress", p.address);
  WritePartyTaxScheme(w, p.vat_id, "VAT");
  WritePartyTaxScheme(w, p.tax_registration_id, "TAX");  // BT-32: any scheme other than VAT
  w.Start("cac:PartyLegalEntity");
  w.Leaf("cbc:RegistrationName", p.name);
  w.Leaf("cbc:CompanyID", p.legal_registration_id.value, "schemeID", p.legal_registration_id.scheme);
  w.Leaf("cbc:CompanyLegalForm", p.legal_info);
  w.End();
  if (!p.contact.empty()) {
    w.Start("cac:Contact");
    w.Leaf("cbc:Name", p.contact.name);
    w.Leaf("cbc:Telephone", p.contact.phone);
    w.Leaf("cbc:ElectronicMail", p.contact.email);
    w.End();
  }
  w.End();
}

void WritePayee(XmlWriter& w, const model::Payee& payee, const std::string& sepa_creditor_id) {
  w.Start("cac:PayeeParty");
  WritePartyIdentification(w, payee.identifier);
  if (!sepa_creditor_id.empty()) WritePartyIdentification(w, {sepa_creditor_id, "SEPA"});
  WritePartyName(w, payee.name);
  if (!payee.legal_registration_id.empty()) {
    w.Start("cac:PartyLegalEntity");
    w.Leaf("cbc:CompanyID", payee.legal_registration_id.value, "schemeID",
           payee.legal_registration_id.scheme);
    w.End();
  }
  w.End();
}

void WriteTaxRepresentative(XmlWriter& w, const model::TaxRepresentative& rep) {
  w.Start("cac:TaxRepresentativeParty");
  WritePartyName(w, rep.name);
  WriteAddress(w, "cac:PostalAddress", rep.address);
  WritePartyTaxScheme(w, rep.vat_id, "VAT");
  w.End();
}

void WriteDelivery(XmlWriter& w, const model::Delivery& d) {
  w.Start("cac:Delivery");
  if (d.date) w.Leaf("cbc:ActualDeliveryDate", d.date->ToString());
  if (!d.location_id.empty() || !d.address.empty()) {
    w.Start("cac:DeliveryLocation");
    w.Leaf("cbc:ID", d.location_id.value, "schemeID", d.location_id.scheme);
    WriteAddress(w, "cac:Address", d.address);
    w.End();
  }
  if (!d.party_name.empty()) {
    w.Start("cac:DeliveryParty");
    WritePartyName(w, d.party_name);
    w.End();
  }
  w.End();
}

namespace {

// One cac:PaymentMeans. Only the first carries the terms that UBL-SR-45/46/54/55 allow once
// (means text, due date, card, mandate); the others repeat code and PaymentID for one more account.
void WriteOnePaymentMeans(XmlWriter& w, const model::PaymentInstructions& p,
                          const model::CreditTransfer* transfer, const model::Invoice& inv,
                          bool first) {
  w.Start("cac:PaymentMeans");
  w.Leaf("cbc:PaymentMeansCode", p.means_code, "name", first ? p.means_text : "");
  // BT-9 of a credit note: UBL CreditNote has no DueDate, Peppol binds it here.
  if (first && inv.kind == model::DocumentKind::kCreditNote && inv.due_date) {
    w.Leaf("cbc:PaymentDueDate", inv.due_date->ToString());
  }
  w.Leaf("cbc:PaymentID", p.remittance_info);
  if (first && p.card) {
    w.Start("cac:CardAccount");
    w.Leaf("cbc:PrimaryAccountNumberID", p.card->account_number);
    // cbc:NetworkID is mandatory in UBL and has no EN16931 term: "NA" when it is not known.
    w.Leaf("cbc:NetworkID", p.card->network.empty() ? "NA" : p.card->network);
    w.Leaf("cbc:HolderName", p.card->holder_name);
    w.End();
  }
  if (transfer != nullptr) {
    w.Start("cac:PayeeFinancialAccount");
    w.Leaf("cbc:ID", transfer->account_id);
    w.Leaf("cbc:Name", transfer->account_name);
    if (!transfer->bank_id.empty()) {
      w.Start("cac:FinancialInstitutionBranch");
      w.Leaf("cbc:ID", transfer->bank_id);
      w.End();
    }
    w.End();
  }
  if (first && p.direct_debit) {
    w.Start("cac:PaymentMandate");
    w.Leaf("cbc:ID", p.direct_debit->mandate_reference);
    if (!p.direct_debit->debited_account.empty()) {
      w.Start("cac:PayerFinancialAccount");
      w.Leaf("cbc:ID", p.direct_debit->debited_account);
      w.End();
    }
    w.End();
  }
  w.End();
}

}  // namespace

void WritePaymentMeans(XmlWriter& w, const model::Invoice& inv) {
  if (!inv.payment) return;
  const model::PaymentInstructions& p = *inv.payment;
  // UBL holds one payee account per PaymentMeans: one element per credit transfer account.
  if (p.credit_transfers.empty()) {
    WriteOnePaymentMeans(w, p, nullptr, inv, true);
  } else {
    for (size_t i = 0; i < p.credit_transfers.size(); ++i) {
      WriteOnePaymentMeans(w, p, &p.credit_transfers[i], inv, i == 0);
    }
  }
}

void WriteTaxCategory(XmlWriter& w, const char* element, const model::VatCategory& vat,
                      const std::string& exemption_code, const std::string& exemption_reason) {
  w.Start(element);
  w.Leaf("cbc:ID", vat.code);
  if (vat.rate) w.Number("cbc:Percent", vat.rate->Normalized());
  w.Leaf("cbc:TaxExemptionReasonCode", exemption_code);
  w.Leaf("cbc:TaxExemptionReason", exemption_reason);
  w.Start("cac:TaxScheme");
  w.Leaf("cbc:ID", "VAT");
  w.End();
  w.End();
}

void WriteAllowanceCharge(XmlWriter& w, const model::AllowanceCharge& ac,
                          const std::string& currency, bool document_level) {
  w.Start("cac:AllowanceCharge");
  w.Leaf("cbc:ChargeIndicator", ac.is_charge ? "true" : "false");
  w.Leaf("cbc:AllowanceChargeReasonCode", ac.reason_code);
  w.Leaf("cbc:AllowanceChargeReason", ac.reason);
  if (ac.percentage) w.Number("cbc:MultiplierFactorNumeric", ac.percentage->Normalized());
  w.Number("cbc:Amount", ac.amount.WithScale(2), "currencyID", currency);
  if (ac.base_amount) w.Number("cbc:BaseAmount", ac.base_amount->WithScale(2), "currencyID", currency);
  if (document_level) WriteTaxCategory(w, "cac:TaxCategory", ac.vat, "", "");
  w.End();
}

}  // namespace gw::formats::ubl::internal
