// Finvoice 3.0 parties to EN16931: seller, buyer, delivery, and the AnyPartyDetails with the
// party function codes PE (payee, BG-10) and LC (seller's tax representative, BG-11).
#include "formats/finvoice/finvoice_invoice_reader.h"
#include "formats/finvoice/finvoice_values.h"

namespace gw::formats::finvoice::internal {

model::Address InvoiceReader::Address(NodeId parent, const AddressIds& ids) {
  model::Address a;
  NodeId node = in_.Child(parent, ids.container);
  if (node == kNoNode) return a;
  std::string* lines[] = {&a.line1, &a.line2, &a.line3};
  size_t i = 0;
  in_.ForEach(node, ids.street, [&](NodeId street) {
    if (i < 3) *lines[i++] = in_.Text(street);
  });
  a.city = in_.Text(node, ids.town);
  a.postal_code = in_.Text(node, ids.postcode);
  a.subdivision = in_.Text(node, ids.subdivision);
  NodeId country = in_.Child(node, n_.CountryCode);
  a.country = in_.Text(country);
  if (country != kNoNode) in_.Consume(in_.Child(node, n_.CountryName));  // the name of BT-40's code
  return a;
}

model::Identifier InvoiceReader::IdentifierOf(NodeId element) {
  return model::Identifier{in_.Text(element), in_.Attribute(element, n_.SchemeID)};
}

ParticipantId InvoiceReader::ElectronicAddress(NodeId unit, const std::string& routed,
                                               const std::string& routed_scheme,
                                               bool routed_is_party, const char* term) {
  // The party's e-invoice address is its OrganisationUnitNumber; the message's sender (receiver)
  // address stands in for it when the party is the sender (receiver) and the element is absent.
  // The scheme travels only as the routing's @SchemeID, and an OVT code is recognisable by its
  // form.
  std::string value = in_.Text(unit);
  std::string scheme;
  if (value.empty() && routed_is_party) value = routed;
  if (value.empty()) return {};
  if (value == routed) scheme = routed_scheme;
  if (scheme.empty() && LooksLikeOvt(value)) scheme = "0216";  // EAS 0216: OVTcode
  NodeId at = unit != kNoNode ? unit : in_.doc().document_element();
  if (scheme.empty()) {
    in_.Lost(at, std::string("the ") + term + " '" + value +
                     "' comes without a scheme (no routing @SchemeID for it) and is not an OVT "
                     "code: the electronic address is not read");
    return {};
  }
  auto id = ParticipantId::FromDocument(scheme, value);
  if (!id) {
    in_.Lost(at, std::string("the ") + term + " '" + value + "' with scheme '" + scheme +
                     "' is not one the gateway can hold (" + id.error().message() + ")");
    return {};
  }
  return std::move(id).value();
}

void InvoiceReader::Seller(NodeId root, const Transmission& t, model::Invoice& inv) {
  model::Party& p = inv.seller;
  NodeId s = in_.Child(root, n_.SellerPartyDetails);
  p.legal_registration_id = IdentifierOf(in_.Child(s, n_.SellerPartyIdentifier));
  p.name = in_.Text(s, n_.SellerOrganisationName);  // BT-27: the first name; others are unread
  p.trading_name = in_.Text(s, n_.SellerOrganisationTradingName);
  p.vat_id = in_.Text(s, n_.SellerOrganisationTaxCode);
  in_.ForEach(s, n_.SellerCode, [&](NodeId c) { p.identifiers.push_back(IdentifierOf(c)); });
  // The buyer's identifier for the seller (its supplier number) is a seller identifier too.
  NodeId supplier_number = in_.Child(in_.Child(root, n_.InvoiceDetails), n_.BuyersSellerIdentifier);
  if (supplier_number != kNoNode) p.identifiers.push_back(IdentifierOf(supplier_number));
  p.address = Address(s, {n_.SellerPostalAddressDetails, n_.SellerStreetName, n_.SellerTownName,
                          n_.SellerPostCodeIdentifier, n_.SellerCountrySubdivision});
  const bool sender_is_seller = in_.Child(root, n_.InvoiceSenderPartyDetails) == kNoNode;
  p.electronic_address = ElectronicAddress(in_.Child(root, n_.SellerOrganisationUnitNumber),
                                           t.sender_address, t.sender_address_scheme,
                                           sender_is_seller, "seller e-invoice address (BT-34)");
  p.contact.name = in_.Text(root, n_.SellerContactPersonName);
  NodeId communication = in_.Child(root, n_.SellerCommunicationDetails);
  p.contact.phone = in_.Text(communication, n_.SellerPhoneNumberIdentifier);
  p.contact.email = in_.Text(communication, n_.SellerEmailaddressIdentifier);
  p.legal_info =
      in_.Text(in_.Child(root, n_.SellerInformationDetails), n_.SellerAdditionalLegalInfo);
}

void InvoiceReader::Buyer(NodeId root, const Transmission& t, model::Invoice& inv) {
  model::Party& p = inv.buyer;
  NodeId b = in_.Child(root, n_.BuyerPartyDetails);
  p.legal_registration_id = IdentifierOf(in_.Child(b, n_.BuyerPartyIdentifier));
  p.name = in_.Text(b, n_.BuyerOrganisationName);
  p.trading_name = in_.Text(b, n_.BuyerOrganisationTradingName);
  p.vat_id = in_.Text(b, n_.BuyerOrganisationTaxCode);
  NodeId code = in_.Child(b, n_.BuyerCode);
  // BT-46 is 0..1: the buyer code, or else the seller's identifier for the buyer (its customer
  // number), which is then a further, unread one when both are there.
  NodeId customer_number = in_.Child(in_.Child(root, n_.InvoiceDetails), n_.SellersBuyerIdentifier);
  if (code != kNoNode) {
    p.identifiers.push_back(IdentifierOf(code));
  } else if (customer_number != kNoNode) {
    p.identifiers.push_back(IdentifierOf(customer_number));
  }
  p.address = Address(b, {n_.BuyerPostalAddressDetails, n_.BuyerStreetName, n_.BuyerTownName,
                          n_.BuyerPostCodeIdentifier, n_.BuyerCountrySubdivision});
  const bool receiver_is_buyer = in_.Child(root, n_.InvoiceRecipientPartyDetails) == kNoNode;
  p.electronic_address = ElectronicAddress(in_.Child(root, n_.BuyerOrganisationUnitNumber),
                                           t.receiver_address, t.receiver_address_scheme,
                                           receiver_is_buyer, "buyer e-invoice address (BT-49)");
  p.contact.name = in_.Text(root, n_.BuyerContactPersonName);
  NodeId communication = in_.Child(root, n_.BuyerCommunicationDetails);
  p.contact.phone = in_.Text(communication, n_.BuyerPhoneNumberIdentifier);
  p.contact.email = in_.Text(communication, n_.BuyerEmailaddressIdentifier);
}

void InvoiceReader::Delivery(NodeId root, model::Invoice& inv) {
  NodeId party = in_.Child(root, n_.DeliveryPartyDetails);
  NodeId details = in_.Child(root, n_.DeliveryDetails);
  inv.despatch_advice_reference = in_.Text(details, n_.DeliveryNoteIdentifier);  // BT-16
  NodeId date = in_.Child(details, n_.DeliveryDate);
  NodeId location = in_.Child(details, n_.LocationIdentifier);
  if (party == kNoNode && date == kNoNode && location == kNoNode) return;
  model::Delivery d;
  d.party_name = in_.Text(party, n_.DeliveryOrganisationName);
  d.location_id = IdentifierOf(in_.Child(party, n_.DeliveryCode));
  if (d.location_id.empty()) d.location_id = IdentifierOf(location);
  d.address =
      Address(party, {n_.DeliveryPostalAddressDetails, n_.DeliveryStreetName, n_.DeliveryTownName,
                      n_.DeliveryPostCodeIdentifier, n_.DeliveryCountrySubdivision});
  d.date = in_.DateOf(date);
  inv.delivery = std::move(d);
}

void InvoiceReader::AnyParties(NodeId root, model::Invoice& inv) {
  in_.ForEach(root, n_.AnyPartyDetails, [&](NodeId a) {
    NodeId text = in_.Child(a, n_.AnyPartyText);
    std::string code = in_.Attribute(text, n_.AnyPartyCode);
    if (code == "PE" && !inv.payee) {
      in_.Consume(text);
      model::Payee p;
      p.name = in_.Text(a, n_.AnyPartyOrganisationName);
      p.identifier = IdentifierOf(in_.Child(a, n_.AnyPartyCode));
      p.legal_registration_id = IdentifierOf(in_.Child(a, n_.AnyPartyIdentifier));
      inv.payee = std::move(p);
    } else if (code == "LC" && !inv.tax_representative) {
      in_.Consume(text);
      model::TaxRepresentative r;
      r.name = in_.Text(a, n_.AnyPartyOrganisationName);
      r.vat_id = in_.Text(a, n_.AnyPartyOrganisationTaxCode);
      r.address =
          Address(a, {n_.AnyPartyPostalAddressDetails, n_.AnyPartyStreetName, n_.AnyPartyTownName,
                      n_.AnyPartyPostCodeIdentifier, n_.AnyPartyCountrySubdivision});
      inv.tax_representative = std::move(r);
    }
  });
}

}  // namespace gw::formats::finvoice::internal
