// Finvoice 3.0 parties: seller (BG-4), buyer (BG-7), delivery (BG-13), and the payee (BG-10) and
// the seller's tax representative (BG-11) as AnyPartyDetails with the UNTDID 3035 party function
// codes PE (payee) and LC (party declaring the VAT).
#include "formats/finvoice/finvoice_document_writer.h"
#include "formats/finvoice/finvoice_values.h"

namespace gw::formats::finvoice::internal {
namespace {

constexpr AddressNames kSellerAddress{"SellerPostalAddressDetails", "SellerStreetName",
                                      "SellerTownName", "SellerPostCodeIdentifier",
                                      "SellerCountrySubdivision"};
constexpr AddressNames kBuyerAddress{"BuyerPostalAddressDetails", "BuyerStreetName",
                                     "BuyerTownName", "BuyerPostCodeIdentifier",
                                     "BuyerCountrySubdivision"};
constexpr AddressNames kDeliveryAddress{"DeliveryPostalAddressDetails", "DeliveryStreetName",
                                        "DeliveryTownName", "DeliveryPostCodeIdentifier",
                                        "DeliveryCountrySubdivision"};
constexpr AddressNames kAnyPartyAddress{"AnyPartyPostalAddressDetails", "AnyPartyStreetName",
                                        "AnyPartyTownName", "AnyPartyPostCodeIdentifier",
                                        "AnyPartyCountrySubdivision"};

bool Fits(std::string_view s, size_t min_chars, size_t max_chars) {
  size_t n = CharCount(s);
  return n >= min_chars && n <= max_chars;
}

}  // namespace

bool DocumentWriter::AddressWritable(const model::Address& a) const {
  // Street (1..3), town and post code are mandatory in every Finvoice postal address, 2 characters
  // at least; an address without them cannot be written at all.
  bool street = Fits(a.line1, 2, 10000) || Fits(a.line2, 2, 10000) || Fits(a.line3, 2, 10000);
  return street && Fits(a.city, 2, 10000) && Fits(a.postal_code, 2, 35);
}

void DocumentWriter::Address(const AddressNames& names, const model::Address& a,
                             const std::string& path) {
  if (a.empty()) return;
  if (!AddressWritable(a)) {
    std::string missing;
    if (!Fits(a.line1, 2, 10000) && !Fits(a.line2, 2, 10000) && !Fits(a.line3, 2, 10000))
      missing += " street";
    if (!Fits(a.city, 2, 10000)) missing += " town";
    if (!Fits(a.postal_code, 2, 35)) missing += " post code (of at most 35 characters)";
    Lost(path, "the address has no" + missing +
                   " (2 characters at least), which every Finvoice postal address requires: the "
                   "address (" +
                   FirstChars(a.line1 + " " + a.city + " " + a.postal_code + " " + a.country, 80) +
                   ") is not in the Finvoice document");
    return;
  }
  w_.Start(names.container);
  const std::string* lines[] = {&a.line1, &a.line2, &a.line3};
  const char* terms[] = {"address line 1 (BT-35/50/64/75)", "address line 2 (BT-36/51/65/76)",
                         "address line 3 (BT-162/163/164/165)"};
  const char* fields[] = {"/line1", "/line2", "/line3"};
  size_t written = 0;
  for (size_t i = 0; i < 3; ++i) {
    std::string line = Fit(*lines[i], 2, 35, path + fields[i], terms[i], Overflow::kCut);
    if (line.empty()) continue;
    if (written != i) {
      Lost(path + fields[i],
           "an address line follows an empty one; Finvoice lists street lines without gaps, so it "
           "reads back as an earlier line");
    }
    w_.Leaf(names.street, line);
    ++written;
  }
  Text(names.town, a.city, 2, 35, path + "/city", "city (BT-37/52/66/77)");
  Text(names.postcode, a.postal_code, 2, 35, path + "/postal_code", "post code (BT-38/53/67/78)",
       Overflow::kDrop);
  Text(names.subdivision, a.subdivision, 2, 35, path + "/subdivision",
       "country subdivision (BT-39/54/68/79)");
  if (a.country.size() == 2) {
    w_.Leaf("CountryCode", a.country);
  } else if (!a.country.empty()) {
    Lost(path + "/country",
         "the country code '" + a.country + "' is not 2 letters (ISO 3166-1): not written");
  }
  w_.End();
}

void DocumentWriter::Seller() {
  const model::Party& s = inv_.seller;
  w_.Start("SellerPartyDetails");
  Identifier("SellerPartyIdentifier", s.legal_registration_id, 35, "/seller/legal_registration_id",
             "seller legal registration identifier (BT-30)");
  if (s.name.empty())
    Refuse("finvoice.required", "/seller/name", "the seller name (BT-27) is missing");
  Text("SellerOrganisationName", s.name, 2, 70, "/seller/name", "seller name (BT-27)",
       Overflow::kCut);
  if (CharCount(s.name) == 1)
    Refuse("finvoice.length", "/seller/name",
           "the seller name (BT-27) '" + s.name + "' has 1 character; Finvoice needs 2");
  Text("SellerOrganisationTradingName", s.trading_name, 2, 70, "/seller/trading_name",
       "seller trading name (BT-28)");
  Text("SellerOrganisationTaxCode", s.vat_id, 0, 35, "/seller/vat_id",
       "seller VAT identifier (BT-31)", Overflow::kDrop);
  if (!s.tax_registration_id.empty()) {
    Lost("/seller/tax_registration_id", "the seller tax registration identifier (BT-32) '" +
                                            s.tax_registration_id +
                                            "' has no place in Finvoice: not written");
  }
  for (const model::Identifier& id : s.identifiers) {
    Identifier("SellerCode", id, 70, "/seller/identifiers", "seller identifier (BT-29)");
  }
  Address(kSellerAddress, s.address, "/seller/address");
  w_.End();

  // BT-34: the seller's e-invoice address; its scheme travels only as FromIdentifier/@SchemeID.
  const ParticipantId& address = s.electronic_address;
  std::string unit = Fit(address.value(), 0, 35, "/seller/electronic_address/value",
                         "seller electronic address (BT-34)", Overflow::kDrop);
  w_.Leaf("SellerOrganisationUnitNumber", unit);
  bool scheme_carried = transmission_.sender_address == address.value() &&
                        transmission_.sender_address_scheme == address.scheme();
  if (!unit.empty() && !scheme_carried &&
      !(address.scheme() == "0216" && LooksLikeOvt(address.value()))) {
    Lost("/seller/electronic_address",
         "the scheme '" + address.scheme() +
             "' of the seller electronic address (BT-34) is written only as "
             "FromIdentifier/@SchemeID, and the message's sender address is another: the address "
             "reads back without its scheme, which the model cannot hold");
  }
  Text("SellerContactPersonName", s.contact.name, 0, 70, "/seller/contact/name",
       "seller contact point (BT-41)");
  if (!s.contact.phone.empty() || !s.contact.email.empty()) {
    w_.Start("SellerCommunicationDetails");
    Text("SellerPhoneNumberIdentifier", s.contact.phone, 0, 35, "/seller/contact/phone",
         "seller contact telephone number (BT-42)", Overflow::kDrop);
    Text("SellerEmailaddressIdentifier", s.contact.email, 0, 70, "/seller/contact/email",
         "seller contact email address (BT-43)", Overflow::kDrop);
    w_.End();
  }
  SellerAccounts();
}

void DocumentWriter::Buyer() {
  const model::Party& b = inv_.buyer;
  w_.Start("BuyerPartyDetails");
  Identifier("BuyerPartyIdentifier", b.legal_registration_id, 35, "/buyer/legal_registration_id",
             "buyer legal registration identifier (BT-47)");
  if (b.name.empty())
    Refuse("finvoice.required", "/buyer/name", "the buyer name (BT-44) is missing");
  Text("BuyerOrganisationName", b.name, 2, 70, "/buyer/name", "buyer name (BT-44)", Overflow::kCut);
  if (CharCount(b.name) == 1)
    Refuse("finvoice.length", "/buyer/name",
           "the buyer name (BT-44) '" + b.name + "' has 1 character; Finvoice needs 2");
  Text("BuyerOrganisationTradingName", b.trading_name, 2, 70, "/buyer/trading_name",
       "buyer trading name (BT-45)");
  Text("BuyerOrganisationTaxCode", b.vat_id, 0, 35, "/buyer/vat_id", "buyer VAT identifier (BT-48)",
       Overflow::kDrop);
  for (size_t i = 0; i < b.identifiers.size(); ++i) {
    if (i == 0) {
      Identifier("BuyerCode", b.identifiers[0], 70, "/buyer/identifiers",
                 "buyer identifier (BT-46)");
    } else {
      Lost("/buyer/identifiers", "a further buyer identifier '" + b.identifiers[i].value +
                                     "' (BT-46 is 0..1; Finvoice has one BuyerCode): not written");
    }
  }
  Address(kBuyerAddress, b.address, "/buyer/address");
  w_.End();
  const ParticipantId& address = b.electronic_address;
  std::string unit = Fit(address.value(), 0, 35, "/buyer/electronic_address/value",
                         "buyer electronic address (BT-49)", Overflow::kDrop);
  w_.Leaf("BuyerOrganisationUnitNumber", unit);
  bool scheme_carried = transmission_.receiver_address == address.value() &&
                        transmission_.receiver_address_scheme == address.scheme();
  if (!unit.empty() && !scheme_carried &&
      !(address.scheme() == "0216" && LooksLikeOvt(address.value()))) {
    Lost("/buyer/electronic_address",
         "the scheme '" + address.scheme() +
             "' of the buyer electronic address (BT-49) is written only as ToIdentifier/@SchemeID, "
             "and the message's receiver address is another: the address reads back without its "
             "scheme, which the model cannot hold");
  }
  Text("BuyerContactPersonName", b.contact.name, 0, 70, "/buyer/contact/name",
       "buyer contact point (BT-56)");
  if (!b.contact.phone.empty() || !b.contact.email.empty()) {
    w_.Start("BuyerCommunicationDetails");
    Text("BuyerPhoneNumberIdentifier", b.contact.phone, 0, 35, "/buyer/contact/phone",
         "buyer contact telephone number (BT-57)", Overflow::kDrop);
    Text("BuyerEmailaddressIdentifier", b.contact.email, 0, 70, "/buyer/contact/email",
         "buyer contact email address (BT-58)", Overflow::kDrop);
    w_.End();
  }
}

void DocumentWriter::Delivery() {
  const std::string& despatch = inv_.despatch_advice_reference;
  if (!inv_.delivery && despatch.empty()) return;
  model::Delivery d = inv_.delivery.value_or(model::Delivery{});
  // DeliveryPartyDetails needs a name (2 to 35) and a complete postal address; without them the
  // location identifier (BT-71) goes to DeliveryDetails/LocationIdentifier.
  const bool party = CharCount(d.party_name) >= 2 && AddressWritable(d.address);
  if (party) {
    w_.Start("DeliveryPartyDetails");
    Text("DeliveryOrganisationName", d.party_name, 2, 35, "/delivery/party_name",
         "deliver to party name (BT-70)");
    Identifier("DeliveryCode", d.location_id, 70, "/delivery/location_id",
               "deliver to location identifier (BT-71)");
    Address(kDeliveryAddress, d.address, "/delivery/address");
    w_.End();
  } else {
    if (!d.party_name.empty()) {
      Lost("/delivery/party_name", "the deliver to party name (BT-70) '" +
                                       FirstChars(d.party_name, 60) +
                                       "' needs a complete delivery address (street, town, post "
                                       "code) in Finvoice (DeliveryPartyDetails): not written");
    }
    if (!d.address.empty()) {
      Lost("/delivery/address",
           "the deliver to address (BG-15) can only be written with a deliver to party name "
           "(BT-70) and a street, town and post code: not in the Finvoice document");
    }
  }
  std::string location;
  if (!party && !d.location_id.empty()) {
    location = Fit(d.location_id.value, 1, 70, "/delivery/location_id/value",
                   "deliver to location identifier (BT-71)", Overflow::kDrop);
    if (!location.empty() && !d.location_id.scheme.empty()) {
      Lost("/delivery/location_id/scheme",
           "the scheme '" + d.location_id.scheme +
               "' of the deliver to location identifier (BT-71) has no place in "
               "DeliveryDetails/LocationIdentifier: not written");
    }
  }
  if (!d.date && despatch.empty() && location.empty()) return;
  w_.Start("DeliveryDetails");
  DateLeaf("DeliveryDate", d.date);
  Text("DeliveryNoteIdentifier", despatch, 0, 70, "/despatch_advice_reference",
       "despatch advice reference (BT-16)", Overflow::kDrop);
  w_.Leaf("LocationIdentifier", location);
  w_.End();
}

void DocumentWriter::AnyParties() {
  if (inv_.payee) {
    const model::Payee& p = *inv_.payee;
    std::string name = Fit(p.name, 2, 35, "/payee/name", "payee name (BT-59)", Overflow::kCut);
    if (name.empty()) {
      if (!p.identifier.empty() || !p.legal_registration_id.empty()) {
        Lost("/payee",
             "the payee (BG-10) has no name of 2 characters at least, which AnyPartyDetails "
             "requires: not in the Finvoice document");
      }
    } else {
      w_.Start("AnyPartyDetails");
      w_.Leaf("AnyPartyText", "Payee", "AnyPartyCode", "PE");
      Identifier("AnyPartyIdentifier", p.legal_registration_id, 35, "/payee/legal_registration_id",
                 "payee legal registration identifier (BT-61)");
      w_.Leaf("AnyPartyOrganisationName", name);
      Identifier("AnyPartyCode", p.identifier, 70, "/payee/identifier", "payee identifier (BT-60)");
      w_.End();
    }
  }
  if (inv_.tax_representative) {
    const model::TaxRepresentative& r = *inv_.tax_representative;
    std::string name = Fit(r.name, 2, 35, "/tax_representative/name",
                           "seller tax representative name (BT-62)", Overflow::kCut);
    if (name.empty()) {
      Lost("/tax_representative",
           "the seller tax representative (BG-11) has no name of 2 characters at least, which "
           "AnyPartyDetails requires: not in the Finvoice document");
    } else {
      w_.Start("AnyPartyDetails");
      w_.Leaf("AnyPartyText", "Tax representative", "AnyPartyCode", "LC");
      w_.Leaf("AnyPartyOrganisationName", name);
      Text("AnyPartyOrganisationTaxCode", r.vat_id, 0, 35, "/tax_representative/vat_id",
           "seller tax representative VAT identifier (BT-63)", Overflow::kDrop);
      Address(kAnyPartyAddress, r.address, "/tax_representative/address");
      w_.End();
    }
  }
}

}  // namespace gw::formats::finvoice::internal
