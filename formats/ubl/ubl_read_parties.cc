// Parties, delivery, payment means and allowances/charges of a UBL 2.1 document (Peppol BIS 3.0
// binding): the inverse of ubl_parties.cc.
#include <algorithm>

#include "formats/ubl/ubl_read_parts.h"

namespace gw::formats::ubl::internal {
namespace {

constexpr std::string_view kSepa = "SEPA";

// Removes the identification that carries BT-90 (the last one with scheme SEPA and this value,
// as the writer appends it after the party's own identifiers).
void DropSepaCreditorId(std::vector<model::Identifier>& ids, std::string_view creditor_id) {
  if (creditor_id.empty()) return;
  auto it = std::find_if(ids.rbegin(), ids.rend(), [&](const model::Identifier& id) {
    return id.scheme == kSepa && id.value == creditor_id;
  });
  if (it != ids.rend()) ids.erase(std::next(it).base());
}

std::vector<model::Identifier> ReadPartyIdentifications(ReadContext& in, NodeId party) {
  const CbcNames& cbc = in.names().cbc;
  std::vector<model::Identifier> ids;
  in.ForEach(party, in.names().cac.PartyIdentification, [&](NodeId n) {
    model::Identifier id = in.Identifier(n, cbc.ID);
    if (!id.empty()) ids.push_back(std::move(id));
  });
  return ids;
}

std::string PartyName(ReadContext& in, NodeId party) {
  return in.Text(in.Child(party, in.names().cac.PartyName), in.names().cbc.Name);
}

}  // namespace

model::Address ReadAddress(ReadContext& in, NodeId address) {
  const CbcNames& cbc = in.names().cbc;
  const CacNames& cac = in.names().cac;
  model::Address a;
  if (address == kNoNode) return a;
  a.line1 = in.Text(address, cbc.StreetName);
  a.line2 = in.Text(address, cbc.AdditionalStreetName);
  a.line3 = in.Text(in.Child(address, cac.AddressLine), cbc.Line);
  a.city = in.Text(address, cbc.CityName);
  a.postal_code = in.Text(address, cbc.PostalZone);
  a.subdivision = in.Text(address, cbc.CountrySubentity);
  a.country = in.Text(in.Child(address, cac.Country), cbc.IdentificationCode);
  return a;
}

std::string SepaCreditorId(ReadContext& in, NodeId party) {
  const CbcNames& cbc = in.names().cbc;
  std::string found;
  in.ForEach(party, in.names().cac.PartyIdentification, [&](NodeId n) {
    NodeId id = in.Child(n, cbc.ID);
    if (in.Attribute(id, in.names().attr.schemeID) == kSepa) found = in.Text(id);
  });
  return found;
}

model::Party ReadParty(ReadContext& in, NodeId party, std::string_view sepa_creditor_id) {
  const CbcNames& cbc = in.names().cbc;
  const CacNames& cac = in.names().cac;
  model::Party p;
  if (party == kNoNode) return p;
  model::Identifier endpoint = in.Identifier(party, cbc.EndpointID);
  if (!endpoint.empty()) {
    // As the document states it (EM, AN, ... included); judging the scheme is the validator's
    // work (BR-CL-25, PEPPOL-EN16931-CL008). Only a malformed scheme or value is left out.
    if (auto id = ParticipantId::FromDocument(endpoint.scheme, endpoint.value)) {
      p.electronic_address = std::move(id).value();
    }
  }
  p.identifiers = ReadPartyIdentifications(in, party);
  DropSepaCreditorId(p.identifiers, sepa_creditor_id);
  p.trading_name = PartyName(in, party);  // BT-28: cac:PartyName; the legal name is BT-27
  p.address = ReadAddress(in, in.Child(party, cac.PostalAddress));
  in.ForEach(party, cac.PartyTaxScheme, [&](NodeId scheme) {
    // BT-31/BT-48 have tax scheme VAT; any other scheme is the tax registration (BT-32), which
    // the writer labels TAX. The first of each wins.
    bool vat = in.Text(in.Child(scheme, cac.TaxScheme), cbc.ID) == "VAT";
    std::string& slot = vat ? p.vat_id : p.tax_registration_id;
    if (slot.empty()) slot = in.Text(scheme, cbc.CompanyID);
  });
  NodeId legal = in.Child(party, cac.PartyLegalEntity);
  p.name = in.Text(legal, cbc.RegistrationName);
  p.legal_registration_id = in.Identifier(legal, cbc.CompanyID);
  p.legal_info = in.Text(legal, cbc.CompanyLegalForm);
  NodeId contact = in.Child(party, cac.Contact);
  p.contact.name = in.Text(contact, cbc.Name);
  p.contact.phone = in.Text(contact, cbc.Telephone);
  p.contact.email = in.Text(contact, cbc.ElectronicMail);
  return p;
}

model::Payee ReadPayee(ReadContext& in, NodeId payee, std::string_view sepa_creditor_id) {
  model::Payee p;
  std::vector<model::Identifier> ids = ReadPartyIdentifications(in, payee);
  DropSepaCreditorId(ids, sepa_creditor_id);
  if (!ids.empty()) p.identifier = std::move(ids.front());  // BT-60 is 0..1
  p.name = PartyName(in, payee);
  p.legal_registration_id =
      in.Identifier(in.Child(payee, in.names().cac.PartyLegalEntity), in.names().cbc.CompanyID);
  return p;
}

model::TaxRepresentative ReadTaxRepresentative(ReadContext& in, NodeId representative) {
  const CbcNames& cbc = in.names().cbc;
  const CacNames& cac = in.names().cac;
  model::TaxRepresentative rep;
  rep.name = PartyName(in, representative);
  rep.address = ReadAddress(in, in.Child(representative, cac.PostalAddress));
  in.ForEach(representative, cac.PartyTaxScheme, [&](NodeId scheme) {  // BT-63: scheme VAT
    if (rep.vat_id.empty() && in.Text(in.Child(scheme, cac.TaxScheme), cbc.ID) == "VAT") {
      rep.vat_id = in.Text(scheme, cbc.CompanyID);
    }
  });
  return rep;
}

model::Delivery ReadDelivery(ReadContext& in, NodeId delivery) {
  const CbcNames& cbc = in.names().cbc;
  const CacNames& cac = in.names().cac;
  model::Delivery d;
  d.date = in.DateValue(delivery, cbc.ActualDeliveryDate);
  NodeId location = in.Child(delivery, cac.DeliveryLocation);
  d.location_id = in.Identifier(location, cbc.ID);
  d.address = ReadAddress(in, in.Child(location, cac.Address));
  d.party_name = PartyName(in, in.Child(delivery, cac.DeliveryParty));
  return d;
}

void ReadPaymentMeans(ReadContext& in, NodeId document, model::Invoice& invoice) {
  const CbcNames& cbc = in.names().cbc;
  const CacNames& cac = in.names().cac;
  const bool credit = invoice.kind == model::DocumentKind::kCreditNote;
  // EN16931 has one BG-16 per invoice; UBL holds one payee account per cac:PaymentMeans, so the
  // writer repeats the element per account. The first element gives the means code and text;
  // every element may add an account; card, mandate and remittance come from the first that
  // has them.
  in.ForEach(document, cac.PaymentMeans, [&](NodeId means) {
    const bool first = !invoice.payment;
    if (first) invoice.payment.emplace();
    model::PaymentInstructions& p = *invoice.payment;
    if (first) {
      NodeId code = in.Child(means, cbc.PaymentMeansCode);
      p.means_code = in.Text(code);
      p.means_text = in.Attribute(code, in.names().attr.name);
    }
    if (p.remittance_info.empty()) p.remittance_info = in.Text(means, cbc.PaymentID);
    // BT-9 of a credit note: UBL 2.1 CreditNote has no cbc:DueDate; Peppol binds it here.
    if (credit && !invoice.due_date) invoice.due_date = in.DateValue(means, cbc.PaymentDueDate);
    NodeId card = in.Child(means, cac.CardAccount);
    if (card != kNoNode && !p.card) {
      p.card = model::CardPayment{in.Text(card, cbc.PrimaryAccountNumberID),
                                  in.Text(card, cbc.NetworkID), in.Text(card, cbc.HolderName)};
    if (p.card->network == "NA") p.card->network.clear();  // written for an unknown network
    }
    NodeId account = in.Child(means, cac.PayeeFinancialAccount);
    if (account != kNoNode) {
      p.credit_transfers.push_back(model::CreditTransfer{
          in.Text(account, cbc.ID), in.Text(account, cbc.Name),
          in.Text(in.Child(account, cac.FinancialInstitutionBranch), cbc.ID)});
    }
    NodeId mandate = in.Child(means, cac.PaymentMandate);
    if (mandate != kNoNode && !p.direct_debit) {
      // BT-90 is on the seller or payee; ubl_reader.cc fills it in once the parties are read.
      p.direct_debit =
          model::DirectDebit{in.Text(mandate, cbc.ID), "",
                             in.Text(in.Child(mandate, cac.PayerFinancialAccount), cbc.ID)};
    }
  });
}

model::VatCategory ReadTaxCategory(ReadContext& in, NodeId category) {
  return model::VatCategory{in.Text(category, in.names().cbc.ID),
                            in.Number(category, in.names().cbc.Percent)};
}

model::AllowanceCharge ReadAllowanceCharge(ReadContext& in, NodeId allowance_charge,
                                           bool document_level) {
  const CbcNames& cbc = in.names().cbc;
  model::AllowanceCharge ac;
  NodeId indicator = in.Child(allowance_charge, cbc.ChargeIndicator);
  if (indicator == kNoNode) {
    // Without it the element is neither an allowance nor a charge: nothing can be read right.
    in.Add("ubl.boolean", allowance_charge,
           "the allowance or charge has no cbc:ChargeIndicator: add true for a charge or false "
           "for an allowance");
  } else {
    ac.is_charge = in.Boolean(indicator).value_or(false);
  }
  ac.reason_code = in.Text(allowance_charge, cbc.AllowanceChargeReasonCode);
  ac.reason = in.Text(allowance_charge, cbc.AllowanceChargeReason);
  ac.percentage = in.Number(allowance_charge, cbc.MultiplierFactorNumeric);
  if (auto amount = in.Number(allowance_charge, cbc.Amount)) {
    ac.amount = *amount;
    ac.amount_given = true;
  }
  ac.base_amount = in.Number(allowance_charge, cbc.BaseAmount);
  if (document_level) {
    // BT-95/BT-96, BT-102/BT-103. Exemption reasons of an allowance's category are not EN16931
    // terms (BT-120/121 belong to the breakdown); the writer leaves them out, so does the reader.
    ac.vat = ReadTaxCategory(in, in.Child(allowance_charge, in.names().cac.TaxCategory));
  }
  return ac;
}

}  // namespace gw::formats::ubl::internal
