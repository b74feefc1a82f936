// CII D16B, EN16931 binding: the inverse of cii_writer.cc. Elements are found by name, so
// documents of other writers read the same way; where CII repeats what EN16931 holds once, the
// first wins and a differing repetition is reported as a loss.
#include "formats/cii/cii_reader.h"
#include "formats/core/type_codes.h"

#include <algorithm>

#include "formats/ubl/ubl_read_context.h"

namespace gw::formats::cii {
namespace {

using formats::ubl::internal::ReadContext;
using formats::ubl::internal::SharedName;
using model::Invoice;
using xml::kNoNode;
using xml::NameId;
using xml::NodeId;

NameId Ram(std::string_view local) { return SharedName(xml::kRamNs, local); }
NameId Rsm(std::string_view local) { return SharedName(xml::kCiiNs, local); }
NameId Udt(std::string_view local) { return SharedName(xml::kUdtNs, local); }
NameId Qdt(std::string_view local) { return SharedName(xml::kQdtNs, local); }
NameId Attr(std::string_view local) { return SharedName("", local); }

// The CII names the reader asks for, as ids of the shared name table (built once).
struct Names {
  NameId CrossIndustryInvoice = Rsm("CrossIndustryInvoice");
  NameId ExchangedDocumentContext = Rsm("ExchangedDocumentContext");
  NameId ExchangedDocument = Rsm("ExchangedDocument");
  NameId SupplyChainTradeTransaction = Rsm("SupplyChainTradeTransaction");
#define GW_RAM(n) NameId n = Ram(#n);
  GW_RAM(AccountName) GW_RAM(ActualAmount) GW_RAM(ActualDeliverySupplyChainEvent)
  GW_RAM(AdditionalReferencedDocument) GW_RAM(AllowanceTotalAmount) GW_RAM(ApplicableHeaderTradeAgreement)
  GW_RAM(ApplicableHeaderTradeDelivery) GW_RAM(ApplicableHeaderTradeSettlement)
  GW_RAM(ApplicableProductCharacteristic) GW_RAM(ApplicableTradeSettlementFinancialCard)
  GW_RAM(ApplicableTradeTax) GW_RAM(AppliedTradeAllowanceCharge) GW_RAM(AssociatedDocumentLineDocument)
  GW_RAM(AttachmentBinaryObject) GW_RAM(BasisAmount) GW_RAM(BasisQuantity) GW_RAM(BICID)
  GW_RAM(BilledQuantity) GW_RAM(BillingSpecifiedPeriod) GW_RAM(BusinessProcessSpecifiedDocumentContextParameter)
  GW_RAM(BuyerAssignedID) GW_RAM(BuyerOrderReferencedDocument) GW_RAM(BuyerReference) GW_RAM(BuyerTradeParty)
  GW_RAM(CalculatedAmount) GW_RAM(CalculationPercent) GW_RAM(CardholderName) GW_RAM(CategoryCode)
  GW_RAM(CategoryTradeTax) GW_RAM(ChargeAmount) GW_RAM(ChargeIndicator) GW_RAM(ChargeTotalAmount)
  GW_RAM(CityName) GW_RAM(ClassCode) GW_RAM(CompleteNumber) GW_RAM(Content) GW_RAM(ContractReferencedDocument)
  GW_RAM(CountryID) GW_RAM(CountrySubDivisionName) GW_RAM(CreditorReferenceID) GW_RAM(DefinedTradeContact) GW_RAM(DepartmentName)
  GW_RAM(Description) GW_RAM(DesignatedProductClassification) GW_RAM(DespatchAdviceReferencedDocument)
  GW_RAM(DirectDebitMandateID) GW_RAM(DueDateDateTime) GW_RAM(DueDateTypeCode) GW_RAM(DuePayableAmount)
  GW_RAM(EmailURIUniversalCommunication) GW_RAM(EndDateTime) GW_RAM(ExemptionReason) GW_RAM(ExemptionReasonCode)
  GW_RAM(FormattedIssueDateTime) GW_RAM(GlobalID) GW_RAM(GrandTotalAmount) GW_RAM(GrossPriceProductTradePrice)
  GW_RAM(GuidelineSpecifiedDocumentContextParameter) GW_RAM(IBANID) GW_RAM(ID) GW_RAM(IncludedNote)
  GW_RAM(IncludedSupplyChainTradeLineItem) GW_RAM(Information) GW_RAM(InvoiceCurrencyCode)
  GW_RAM(InvoiceReferencedDocument) GW_RAM(IssueDateTime) GW_RAM(IssuerAssignedID) GW_RAM(LineID)
  GW_RAM(LineOne) GW_RAM(LineThree) GW_RAM(LineTotalAmount) GW_RAM(LineTwo) GW_RAM(Name)
  GW_RAM(NetPriceProductTradePrice) GW_RAM(OccurrenceDateTime) GW_RAM(OriginTradeCountry)
  GW_RAM(PayeePartyCreditorFinancialAccount) GW_RAM(PayeeSpecifiedCreditorFinancialInstitution)
  GW_RAM(PayeeTradeParty) GW_RAM(PayerPartyDebtorFinancialAccount) GW_RAM(PaymentReference) GW_RAM(PersonName)
  GW_RAM(PostalTradeAddress) GW_RAM(PostcodeCode) GW_RAM(ProprietaryID) GW_RAM(RateApplicablePercent)
  GW_RAM(Reason) GW_RAM(ReasonCode) GW_RAM(ReceivableSpecifiedTradeAccountingAccount)
  GW_RAM(ReceivingAdviceReferencedDocument) GW_RAM(ReferenceTypeCode) GW_RAM(RoundingAmount)
  GW_RAM(SellerAssignedID) GW_RAM(SellerOrderReferencedDocument) GW_RAM(SellerTaxRepresentativeTradeParty)
  GW_RAM(SellerTradeParty) GW_RAM(ShipToTradeParty) GW_RAM(SpecifiedLegalOrganization)
  GW_RAM(SpecifiedLineTradeAgreement) GW_RAM(SpecifiedLineTradeDelivery) GW_RAM(SpecifiedLineTradeSettlement)
  GW_RAM(SpecifiedProcuringProject) GW_RAM(SpecifiedTaxRegistration) GW_RAM(SpecifiedTradeAllowanceCharge)
  GW_RAM(SpecifiedTradePaymentTerms) GW_RAM(SpecifiedTradeProduct)
  GW_RAM(SpecifiedTradeSettlementHeaderMonetarySummation) GW_RAM(SpecifiedTradeSettlementLineMonetarySummation)
  GW_RAM(SpecifiedTradeSettlementPaymentMeans) GW_RAM(StartDateTime) GW_RAM(SubjectCode)
  GW_RAM(TaxBasisTotalAmount) GW_RAM(TaxCurrencyCode) GW_RAM(TaxPointDate) GW_RAM(TaxTotalAmount)
  GW_RAM(TelephoneUniversalCommunication) GW_RAM(TotalPrepaidAmount) GW_RAM(TradingBusinessName)
  GW_RAM(TypeCode) GW_RAM(URIID) GW_RAM(URIUniversalCommunication) GW_RAM(Value)
#undef GW_RAM
  NameId DateTimeString = Udt("DateTimeString");
  NameId DateString = Udt("DateString");
  NameId Indicator = Udt("Indicator");
  NameId QdtDateTimeString = Qdt("DateTimeString");
  NameId currencyID = Attr("currencyID");
  NameId filename = Attr("filename");
  NameId format = Attr("format");
  NameId listID = Attr("listID");
  NameId listVersionID = Attr("listVersionID");
  NameId mimeCode = Attr("mimeCode");
  NameId schemeID = Attr("schemeID");
  NameId unitCode = Attr("unitCode");
};

const Names& N() {
  static const Names names;
  return names;
}

// BT-8 from UNTDID 2475 (CII) to the model's UNTDID 2005 (UBL): 5 invoice date, 29 delivery
// date, 72 paid to date; see VatPointDateCodeToCii in cii_writer.cc.
std::string VatPointDateCodeFromCii(const std::string& code) {
  if (code == "5") return "3";
  if (code == "29") return "35";
  if (code == "72") return "432";
  return code;
}

class Reader {
 public:
  Reader(const xml::Document& doc, std::vector<Finding>* losses) : in_(doc, "cii"), n_(N()), losses_(losses) {}

  ReadContext& in() { return in_; }

  void Lost(NodeId node, std::string message) {
    if (losses_ != nullptr) {
      losses_->push_back(Finding{"cii.lost", Finding::Severity::kWarning, in_.Path(node), std::move(message)});
    }
  }

  // A date element holding udt:DateTimeString / udt:DateString / qdt:DateTimeString in format 102.
  std::optional<Date> DateIn(NodeId holder) {
    if (holder == kNoNode) return std::nullopt;
    NodeId s = in_.Child(holder, n_.DateTimeString);
    if (s == kNoNode) s = in_.Child(holder, n_.DateString);
    if (s == kNoNode) s = in_.Child(holder, n_.QdtDateTimeString);
    if (s == kNoNode) {
      in_.Add("cii.date", holder, "the date has no udt:DateTimeString: write <udt:DateTimeString format=\"102\">YYYYMMDD</...>");
      return std::nullopt;
    }
    std::string text = in_.Text(s);
    std::string format = in_.Attribute(s, n_.format);
    bool digits = text.size() == 8 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (format != "102" || !digits) {
      in_.Add("cii.date", s,
              "'" + text.substr(0, 40) + "' with format '" + format +
                  "' is not a CII date: EN16931 dates are format 102, YYYYMMDD (e.g. 20250331)");
      return std::nullopt;
    }
    auto date = Date::Parse(text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2));
    if (!date) {
      in_.Add("cii.date", s, "'" + text + "' is not a calendar date: " + date.error().message());
      return std::nullopt;
    }
    return *date;
  }
  std::optional<Date> DateIn(NodeId parent, NameId name) { return DateIn(in_.Child(parent, name)); }

  std::string IdOf(NodeId parent, NameId name) { return in_.Text(in_.Child(parent, name), n_.IssuerAssignedID); }

  model::Address Address(NodeId a) {
    model::Address out;
    out.postal_code = in_.Text(a, n_.PostcodeCode);
    out.line1 = in_.Text(a, n_.LineOne);
    out.line2 = in_.Text(a, n_.LineTwo);
    out.line3 = in_.Text(a, n_.LineThree);
    out.city = in_.Text(a, n_.CityName);
    out.country = in_.Text(a, n_.CountryID);
    out.subdivision = in_.Text(a, n_.CountrySubDivisionName);
    return out;
  }

  // ram:ID (no scheme) and ram:GlobalID (with its schemeID) of a party, in document order.
  std::vector<model::Identifier> PartyIds(NodeId party) {
    std::vector<model::Identifier> ids;
    const xml::Document& doc = in_.doc();
    for (NodeId c = party == kNoNode ? kNoNode : doc.node(party).first_child; c != kNoNode; c = doc.node(c).next_sibling) {
      NameId name = doc.node(c).name;
      if (name == n_.ID) ids.push_back(model::Identifier{in_.Text(c), in_.Attribute(c, n_.schemeID)});
      if (name == n_.GlobalID) ids.push_back(model::Identifier{in_.Text(c), in_.Attribute(c, n_.schemeID)});
    }
    return ids;
  }

  // The first of `ids` for a term that EN16931 holds once (the buyer's BT-46, the payee's BT-60,
  // the delivery location BT-71); the others are reported lost.
  model::Identifier First(NodeId party, std::vector<model::Identifier> ids, const char* term) {
    if (ids.empty()) return {};
    for (size_t i = 1; i < ids.size(); ++i) {
      Lost(party, std::string("a further identifier '") + ids[i].value + "' (" + term + " is 0..1 in EN16931)");
    }
    return ids.front();
  }

  model::Party Party(NodeId node, bool seller) {
    model::Party p;
    if (node == kNoNode) return p;
    p.identifiers = PartyIds(node);
    if (!seller && p.identifiers.size() > 1) p.identifiers = {First(node, p.identifiers, "the buyer identifier, BT-46")};
    p.name = in_.Text(node, n_.Name);
    p.legal_info = in_.Text(node, n_.Description);
    NodeId legal = in_.Child(node, n_.SpecifiedLegalOrganization);
    p.legal_registration_id = in_.Identifier(legal, n_.ID);
    p.trading_name = in_.Text(legal, n_.TradingBusinessName);
    NodeId contact = in_.Child(node, n_.DefinedTradeContact);
    // BT-41, the contact point: a person, or else a department.
    p.contact.name = in_.Text(contact, n_.PersonName);
    if (p.contact.name.empty()) p.contact.name = in_.Text(contact, n_.DepartmentName);
    p.contact.phone = in_.Text(in_.Child(contact, n_.TelephoneUniversalCommunication), n_.CompleteNumber);
    p.contact.email = in_.Text(in_.Child(contact, n_.EmailURIUniversalCommunication), n_.URIID);
    p.address = Address(in_.Child(node, n_.PostalTradeAddress));
    NodeId uri = in_.Child(in_.Child(node, n_.URIUniversalCommunication), n_.URIID);
    if (uri != kNoNode) {
      std::string scheme = in_.Attribute(uri, n_.schemeID);
      if (auto id = ParticipantId::FromDocument(scheme, in_.Text(uri))) {
        p.electronic_address = std::move(id).value();
      } else {
        Lost(uri, "the electronic address '" + in_.Text(uri) + "' with scheme '" + scheme +
                      "' is not one the gateway can hold (" + id.error().message() + ")");
      }
    }
    in_.ForEach(node, n_.SpecifiedTaxRegistration, [&](NodeId reg) {
      NodeId id = in_.Child(reg, n_.ID);
      std::string scheme = in_.Attribute(id, n_.schemeID);
      std::string& slot = scheme == "VA" ? p.vat_id : p.tax_registration_id;
      if (slot.empty()) {
        slot = in_.Text(id);
      } else {
        Lost(id, "a second tax registration with scheme '" + scheme + "' (EN16931 has one): '" + in_.Text(id) + "'");
      }
    });
    return p;
  }

  model::VatCategory Vat(NodeId tax) {
    model::VatCategory v;
    v.code = in_.Text(tax, n_.CategoryCode);
    v.rate = in_.Number(tax, n_.RateApplicablePercent);
    return v;
  }

  model::AllowanceCharge AllowanceCharge(NodeId node, bool document_level) {
    model::AllowanceCharge ac;
    NodeId indicator = in_.Child(in_.Child(node, n_.ChargeIndicator), n_.Indicator);
    if (indicator == kNoNode) {
      in_.Add("cii.boolean", node, "the allowance or charge has no ram:ChargeIndicator/udt:Indicator: write true (charge) or false (allowance)");
    } else if (auto b = in_.Boolean(indicator)) {
      ac.is_charge = *b;
    }
    ac.percentage = in_.Number(node, n_.CalculationPercent);
    ac.base_amount = in_.Number(node, n_.BasisAmount);
    if (auto a = in_.Number(node, n_.ActualAmount)) {
      ac.amount = *a;
      ac.amount_given = true;
    }
    ac.reason_code = in_.Text(node, n_.ReasonCode);
    ac.reason = in_.Text(node, n_.Reason);
    if (document_level) ac.vat = Vat(in_.Child(node, n_.CategoryTradeTax));
    return ac;
  }

  model::Period Period(NodeId node) {
    model::Period p;
    p.start = DateIn(node, n_.StartDateTime);
    p.end = DateIn(node, n_.EndDateTime);
    return p;
  }

  model::Line Line(NodeId node) {
    model::Line line;
    NodeId doc_line = in_.Child(node, n_.AssociatedDocumentLineDocument);
    line.id = in_.Text(doc_line, n_.LineID);
    line.note = in_.Text(in_.Child(doc_line, n_.IncludedNote), n_.Content);

    NodeId product = in_.Child(node, n_.SpecifiedTradeProduct);
    model::Item& item = line.item;
    item.standard_id = in_.Identifier(product, n_.GlobalID);
    item.sellers_id = in_.Text(product, n_.SellerAssignedID);
    item.buyers_id = in_.Text(product, n_.BuyerAssignedID);
    item.name = in_.Text(product, n_.Name);
    item.description = in_.Text(product, n_.Description);
    in_.ForEach(product, n_.ApplicableProductCharacteristic, [&](NodeId c) {
      item.attributes.push_back(model::ItemAttribute{in_.Text(c, n_.Description), in_.Text(c, n_.Value)});
    });
    in_.ForEach(product, n_.DesignatedProductClassification, [&](NodeId c) {
      NodeId code = in_.Child(c, n_.ClassCode);
      item.classifications.push_back(model::Classification{in_.Text(code), in_.Attribute(code, n_.listID),
                                                           in_.Attribute(code, n_.listVersionID)});
    });
    item.origin_country = in_.Text(in_.Child(product, n_.OriginTradeCountry), n_.ID);

    NodeId agreement = in_.Child(node, n_.SpecifiedLineTradeAgreement);
    line.order_line_reference = in_.Text(in_.Child(agreement, n_.BuyerOrderReferencedDocument), n_.LineID);
    NodeId gross = in_.Child(agreement, n_.GrossPriceProductTradePrice);
    NodeId net = in_.Child(agreement, n_.NetPriceProductTradePrice);
    model::Price& price = line.price;
    if (auto v = in_.Number(net, n_.ChargeAmount)) price.net = *v;
    price.gross = in_.Number(gross, n_.ChargeAmount);
    NodeId discount = in_.Child(gross, n_.AppliedTradeAllowanceCharge);
    price.discount = in_.Number(discount, n_.ActualAmount);
    NodeId base = in_.Child(net, n_.BasisQuantity);
    if (base == kNoNode) base = in_.Child(gross, n_.BasisQuantity);
    price.base_quantity = in_.Number(base);
    price.base_unit = in_.Attribute(base, n_.unitCode);

    NodeId billed = in_.Child(in_.Child(node, n_.SpecifiedLineTradeDelivery), n_.BilledQuantity);
    if (auto q = in_.Number(billed)) line.quantity = *q;
    line.unit = in_.Attribute(billed, n_.unitCode);

    NodeId settlement = in_.Child(node, n_.SpecifiedLineTradeSettlement);
    line.vat = Vat(in_.Child(settlement, n_.ApplicableTradeTax));
    line.period = Period(in_.Child(settlement, n_.BillingSpecifiedPeriod));
    in_.ForEach(settlement, n_.SpecifiedTradeAllowanceCharge,
                [&](NodeId ac) { line.allowances_charges.push_back(AllowanceCharge(ac, false)); });
    NodeId total = in_.Child(in_.Child(settlement, n_.SpecifiedTradeSettlementLineMonetarySummation), n_.LineTotalAmount);
    if (auto v = in_.Number(total)) {
      line.net_amount = *v;
      line.net_amount_given = true;
    }
    in_.ForEach(settlement, n_.AdditionalReferencedDocument, [&](NodeId d) {
      if (in_.Text(d, n_.TypeCode) != "130" || !line.object_id.empty()) return;
      line.object_id = model::Identifier{in_.Text(d, n_.IssuerAssignedID), in_.Text(d, n_.ReferenceTypeCode)};
    });
    line.accounting_reference = in_.Text(in_.Child(settlement, n_.ReceivableSpecifiedTradeAccountingAccount), n_.ID);
    return line;
  }

  void Agreement(NodeId a, Invoice& inv) {
    inv.buyer_reference = in_.Text(a, n_.BuyerReference);
    inv.seller = Party(in_.Child(a, n_.SellerTradeParty), true);
    inv.buyer = Party(in_.Child(a, n_.BuyerTradeParty), false);
    NodeId rep = in_.Child(a, n_.SellerTaxRepresentativeTradeParty);
    if (rep != kNoNode) {
      model::TaxRepresentative r;
      r.name = in_.Text(rep, n_.Name);
      r.address = Address(in_.Child(rep, n_.PostalTradeAddress));
      r.vat_id = in_.Text(in_.Child(rep, n_.SpecifiedTaxRegistration), n_.ID);
      inv.tax_representative = std::move(r);
    }
    inv.sales_order_reference = IdOf(a, n_.SellerOrderReferencedDocument);
    inv.purchase_order_reference = IdOf(a, n_.BuyerOrderReferencedDocument);
    inv.contract_reference = IdOf(a, n_.ContractReferencedDocument);
    in_.ForEach(a, n_.AdditionalReferencedDocument, [&](NodeId d) {
      std::string type = in_.Text(d, n_.TypeCode);
      if (type == "50") {  // BT-17
        if (inv.tender_reference.empty()) inv.tender_reference = in_.Text(d, n_.IssuerAssignedID);
        return;
      }
      if (type == "130") {  // BT-18
        if (inv.invoiced_object.empty()) {
          inv.invoiced_object = model::Identifier{in_.Text(d, n_.IssuerAssignedID), in_.Text(d, n_.ReferenceTypeCode)};
        }
        return;
      }
      model::SupportingDocument doc;  // BG-24 (type code 916)
      doc.id = in_.Text(d, n_.IssuerAssignedID);
      doc.url = in_.Text(d, n_.URIID);
      doc.description = in_.Text(d, n_.Name);
      NodeId binary = in_.Child(d, n_.AttachmentBinaryObject);
      if (binary != kNoNode) {
        doc.attachment = model::Attachment{in_.Text(binary), in_.Attribute(binary, n_.mimeCode),
                                           in_.Attribute(binary, n_.filename)};
      }
      inv.documents.push_back(std::move(doc));
    });
    inv.project_reference = in_.Text(in_.Child(a, n_.SpecifiedProcuringProject), n_.ID);
  }

  void Delivery(NodeId d, Invoice& inv) {
    inv.despatch_advice_reference = IdOf(d, n_.DespatchAdviceReferencedDocument);
    inv.receiving_advice_reference = IdOf(d, n_.ReceivingAdviceReferencedDocument);
    NodeId ship_to = in_.Child(d, n_.ShipToTradeParty);
    NodeId event = in_.Child(d, n_.ActualDeliverySupplyChainEvent);
    if (ship_to == kNoNode && event == kNoNode) return;
    model::Delivery delivery;
    delivery.location_id = First(ship_to, PartyIds(ship_to), "the delivery location, BT-71");
    delivery.party_name = in_.Text(ship_to, n_.Name);
    delivery.address = Address(in_.Child(ship_to, n_.PostalTradeAddress));
    delivery.date = DateIn(event, n_.OccurrenceDateTime);
    inv.delivery = std::move(delivery);
  }

  void PaymentMeans(NodeId s, Invoice& inv) {
    std::string creditor = in_.Text(s, n_.CreditorReferenceID);
    std::string remittance = in_.Text(s, n_.PaymentReference);
    NodeId terms = in_.Child(s, n_.SpecifiedTradePaymentTerms);
    std::string mandate = in_.Text(terms, n_.DirectDebitMandateID);
    bool any = false;
    model::PaymentInstructions p;
    in_.ForEach(s, n_.SpecifiedTradeSettlementPaymentMeans, [&](NodeId m) {
      std::string code = in_.Text(m, n_.TypeCode);
      if (!any) {
        p.means_code = code;
        p.means_text = in_.Text(m, n_.Information);
      } else if (code != p.means_code) {
        Lost(m, "payment means with type code '" + code + "' besides '" + p.means_code +
                    "' (EN16931 has one payment means code, BT-81); its accounts are kept under the first");
      }
      any = true;
      NodeId card = in_.Child(m, n_.ApplicableTradeSettlementFinancialCard);
      if (card != kNoNode && !p.card) {
        p.card = model::CardPayment{in_.Text(card, n_.ID), "", in_.Text(card, n_.CardholderName)};
      }
      NodeId debtor = in_.Child(m, n_.PayerPartyDebtorFinancialAccount);
      if (debtor != kNoNode && !p.direct_debit) p.direct_debit = model::DirectDebit{"", "", in_.Text(debtor, n_.IBANID)};
      NodeId account = in_.Child(m, n_.PayeePartyCreditorFinancialAccount);
      NodeId bank = in_.Child(m, n_.PayeeSpecifiedCreditorFinancialInstitution);
      if (account != kNoNode || bank != kNoNode) {
        model::CreditTransfer t;
        t.account_id = in_.Text(account, n_.IBANID);
        if (t.account_id.empty()) t.account_id = in_.Text(account, n_.ProprietaryID);
        t.account_name = in_.Text(account, n_.AccountName);
        t.bank_id = in_.Text(bank, n_.BICID);
        // An account element with nothing in it is no account (and writes nothing).
        if (!t.account_id.empty() || !t.account_name.empty() || !t.bank_id.empty()) {
          p.credit_transfers.push_back(std::move(t));
        }
      }
    });
    if (!mandate.empty() || !creditor.empty()) {
      if (!p.direct_debit) p.direct_debit = model::DirectDebit{};
      p.direct_debit->mandate_reference = mandate;
      p.direct_debit->creditor_id = creditor;
    }
    p.remittance_info = remittance;
    if (any || p.direct_debit || !remittance.empty()) inv.payment = std::move(p);
  }

  void Settlement(NodeId s, Invoice& inv) {
    inv.tax_currency = in_.Text(s, n_.TaxCurrencyCode);
    inv.currency = in_.Text(s, n_.InvoiceCurrencyCode);
    NodeId payee = in_.Child(s, n_.PayeeTradeParty);
    if (payee != kNoNode) {
      model::Payee p;
      p.identifier = First(payee, PartyIds(payee), "the payee identifier, BT-60");
      p.name = in_.Text(payee, n_.Name);
      p.legal_registration_id = in_.Identifier(in_.Child(payee, n_.SpecifiedLegalOrganization), n_.ID);
      inv.payee = std::move(p);
    }
    PaymentMeans(s, inv);
    bool first = true;
    in_.ForEach(s, n_.ApplicableTradeTax, [&](NodeId tax) {  // BG-23
      model::VatBreakdown b;
      if (auto v = in_.Number(tax, n_.CalculatedAmount)) b.tax_amount = *v;
      if (auto v = in_.Number(tax, n_.BasisAmount)) b.taxable_amount = *v;
      b.category = Vat(tax);
      b.exemption_reason = in_.Text(tax, n_.ExemptionReason);
      b.exemption_reason_code = in_.Text(tax, n_.ExemptionReasonCode);
      // BT-7 and BT-8 are document level in EN16931 and per tax in CII: the first one counts.
      std::optional<Date> point = DateIn(tax, n_.TaxPointDate);
      std::string code = VatPointDateCodeFromCii(in_.Text(tax, n_.DueDateTypeCode));
      if (first) {
        inv.tax_point_date = point;
        inv.vat_point_date_code = code;
      } else if ((point && point != inv.tax_point_date) || (!code.empty() && code != inv.vat_point_date_code)) {
        Lost(tax, "a tax point date (BT-7) or date code (BT-8) that differs from the first VAT breakdown's "
                  "(EN16931 has one per invoice)");
      }
      first = false;
      inv.vat_breakdown.push_back(std::move(b));
    });
    inv.vat_breakdown_given = !inv.vat_breakdown.empty();
    inv.invoice_period = Period(in_.Child(s, n_.BillingSpecifiedPeriod));
    in_.ForEach(s, n_.SpecifiedTradeAllowanceCharge,
                [&](NodeId ac) { inv.allowances_charges.push_back(AllowanceCharge(ac, true)); });
    NodeId terms = in_.Child(s, n_.SpecifiedTradePaymentTerms);
    inv.payment_terms = in_.Text(terms, n_.Description);
    inv.due_date = DateIn(terms, n_.DueDateDateTime);

    NodeId m = in_.Child(s, n_.SpecifiedTradeSettlementHeaderMonetarySummation);
    model::DeclaredTotals& d = inv.declared_totals;
    model::Totals& t = inv.totals;
    d.line_net_total = in_.Number(m, n_.LineTotalAmount);
    d.charge_total = in_.Number(m, n_.ChargeTotalAmount);
    d.allowance_total = in_.Number(m, n_.AllowanceTotalAmount);
    d.tax_exclusive = in_.Number(m, n_.TaxBasisTotalAmount);
    // BT-110 is the TaxTotalAmount in the invoice currency, BT-111 the one in the VAT currency.
    in_.ForEach(m, n_.TaxTotalAmount, [&](NodeId amount) {
      std::string currency = in_.Attribute(amount, n_.currencyID);
      if (!inv.tax_currency.empty() && inv.tax_currency != inv.currency && currency == inv.tax_currency) {
        if (!t.vat_total_accounting) t.vat_total_accounting = in_.Number(amount);
      } else if (!d.vat_total) {
        d.vat_total = in_.Number(amount);
      }
    });
    t.rounding = in_.Number(m, n_.RoundingAmount);
    d.tax_inclusive = in_.Number(m, n_.GrandTotalAmount);
    t.prepaid = in_.Number(m, n_.TotalPrepaidAmount);
    d.payable = in_.Number(m, n_.DuePayableAmount);
    formats::ubl::internal::TotalsAsDeclared(inv);

    in_.ForEach(s, n_.InvoiceReferencedDocument, [&](NodeId r) {
      inv.preceding_invoices.push_back(
          model::PrecedingInvoice{in_.Text(r, n_.IssuerAssignedID), DateIn(r, n_.FormattedIssueDateTime)});
    });
    inv.buyer_accounting_reference = in_.Text(in_.Child(s, n_.ReceivableSpecifiedTradeAccountingAccount), n_.ID);
  }

  const Names& names() const { return n_; }

 private:
  ReadContext in_;
  const Names& n_;
  std::vector<Finding>* losses_;
};

}  // namespace

bool LooksLikeCii(std::string_view xml) {
  // Factur-X samples open with kilobytes of licence comments: RootStartTag skips them.
  return xml::RootLocalName(xml) == "CrossIndustryInvoice" && xml::RootStartTag(xml).find(xml::kCiiNs) != std::string_view::npos;
}

Result<model::Invoice> ReadInvoice(std::string_view xml, std::vector<Finding>* losses) {
  auto doc = xml::Document::Parse(xml);
  if (!doc) return std::move(doc).error();
  Reader r(*doc, losses);
  ReadContext& in = r.in();
  const Names& n = r.names();
  const NodeId root = doc->document_element();
  if (doc->node(root).name != n.CrossIndustryInvoice) {
    std::string local(doc->local_name(root));
    return Error::InvalidInput(
        "the document is not a CII invoice",
        {Finding{"cii.root", Finding::Severity::kFatal, "/" + local,
                 "the root element is " + local + " in namespace '" + std::string(doc->namespace_uri(root)) +
                     "', not rsm:CrossIndustryInvoice in '" + std::string(xml::kCiiNs) + "'"}});
  }
  Invoice inv;
  NodeId context = in.Child(root, n.ExchangedDocumentContext);
  inv.business_process = in.Text(in.Child(context, n.BusinessProcessSpecifiedDocumentContextParameter), n.ID);
  inv.specification_id = in.Text(in.Child(context, n.GuidelineSpecifiedDocumentContextParameter), n.ID);
  NodeId header = in.Child(root, n.ExchangedDocument);
  inv.number = in.Text(header, n.ID);
  inv.type_code = in.Text(header, n.TypeCode);
  if (IsCreditNoteKindCode(inv.type_code)) inv.kind = model::DocumentKind::kCreditNote;
  NodeId issue = in.Child(header, n.IssueDateTime);
  if (issue == kNoNode) {
    in.Add("cii.required", header == kNoNode ? root : header,
           "the document has no rsm:ExchangedDocument/ram:IssueDateTime (BT-2): add the issue date as "
           "<udt:DateTimeString format=\"102\">YYYYMMDD</udt:DateTimeString>");
  } else if (auto date = r.DateIn(issue)) {
    inv.issue_date = *date;
  }
  in.ForEach(header, n.IncludedNote, [&](NodeId note) {
    model::Note out{in.Text(note, n.SubjectCode), in.Text(note, n.Content)};
    if (!out.text.empty() || !out.subject_code.empty()) inv.notes.push_back(std::move(out));
  });
  NodeId transaction = in.Child(root, n.SupplyChainTradeTransaction);
  r.Agreement(in.Child(transaction, n.ApplicableHeaderTradeAgreement), inv);
  r.Delivery(in.Child(transaction, n.ApplicableHeaderTradeDelivery), inv);
  r.Settlement(in.Child(transaction, n.ApplicableHeaderTradeSettlement), inv);
  in.ForEach(transaction, n.IncludedSupplyChainTradeLineItem, [&](NodeId line) { inv.lines.push_back(r.Line(line)); });
  if (in.finding_count() > 0) return in.UnreadableValues("CII document");
  return inv;
}

}  // namespace gw::formats::cii
