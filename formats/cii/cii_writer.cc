// CII D16B, EN16931 binding. Element order: the sequences of the D16B schemas
// (CrossIndustryInvoice_100pD16B.xsd and its ReusableAggregateBusinessInformationEntity module).
#include "formats/cii/cii_writer.h"

#include <cctype>
#include <deque>
#include <string_view>
#include <unordered_set>

#include "formats/xml/xml_document.h"
#include "formats/xml/xml_writer.h"

namespace gw::formats::cii {
namespace {

using model::Invoice;
using xml::XmlWriter;

const char* kRsmNs = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
const char* kRamNs = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
const char* kUdtNs = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";
const char* kQdtNs = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";

// YYYYMMDD, the CII date format 102.
std::string Format102(const Date& d) {
  std::string s = d.ToString();
  std::string out;
  for (char c : s) {
    if (c != '-') out += c;
  }
  return out;
}

// <element><udt:DateTimeString format="102">YYYYMMDD</udt:DateTimeString></element>
void DateTime(XmlWriter& w, const char* element, const std::optional<Date>& d, const char* inner = "udt:DateTimeString") {
  if (!d) return;
  w.Start(element);
  w.Leaf(inner, Format102(*d), "format", "102");
  w.End();
}

void IdLeaf(XmlWriter& w, const char* element, const char* child, std::string_view value) {
  if (value.empty()) return;
  w.Start(element);
  w.Leaf(child, value);
  w.End();
}

// BT-8: the model keeps the UBL code (UNTDID 2005: 3 invoice date, 35 delivery date, 432 paid
// to date); CII codes the same dates with UNTDID 2475 (5, 29, 72). Other codes pass unchanged
// (and the rules say what is wrong with them).
std::string VatPointDateCodeToCii(const std::string& code) {
  if (code == "3") return "5";
  if (code == "35") return "29";
  if (code == "432") return "72";
  return code;
}

// An IBAN: two letters, two digits, then 11 to 30 letters or digits.
bool LooksLikeIban(std::string_view s) {
  if (s.size() < 15 || s.size() > 34) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool ok = i < 2 ? std::isupper(c) != 0 : i < 4 ? std::isdigit(c) != 0 : std::isalnum(c) != 0;
    if (!ok) return false;
  }
  return true;
}

void WriteAddress(XmlWriter& w, const model::Address& a) {
  if (a.empty()) return;
  w.Start("ram:PostalTradeAddress");
  w.Leaf("ram:PostcodeCode", a.postal_code);
  w.Leaf("ram:LineOne", a.line1);
  w.Leaf("ram:LineTwo", a.line2);
  w.Leaf("ram:LineThree", a.line3);
  w.Leaf("ram:CityName", a.city);
  w.Leaf("ram:CountryID", a.country);
  w.Leaf("ram:CountrySubDivisionName", a.subdivision);
  w.End();
}

// A party identifier: ram:GlobalID with its scheme (an ICD), or ram:ID without one.
void WritePartyId(XmlWriter& w, const model::Identifier& id) {
  if (id.empty()) return;
  if (id.scheme.empty()) {
    w.Leaf("ram:ID", id.value);
  } else {
    w.Leaf("ram:GlobalID", id.value, "schemeID", id.scheme);
  }
}

void WriteTaxRegistration(XmlWriter& w, std::string_view id, const char* scheme) {
  if (id.empty()) return;
  w.Start("ram:SpecifiedTaxRegistration");
  w.Leaf("ram:ID", id, "schemeID", scheme);
  w.End();
}

void WriteContact(XmlWriter& w, const model::Contact& c) {
  if (c.empty()) return;
  w.Start("ram:DefinedTradeContact");
  w.Leaf("ram:PersonName", c.name);
  IdLeaf(w, "ram:TelephoneUniversalCommunication", "ram:CompleteNumber", c.phone);
  IdLeaf(w, "ram:EmailURIUniversalCommunication", "ram:URIID", c.email);
  w.End();
}

// Seller (BG-4) or buyer (BG-7).
void WriteParty(XmlWriter& w, const char* element, const model::Party& p) {
  w.Start(element);
  for (const auto& id : p.identifiers) {
    if (id.scheme.empty()) WritePartyId(w, id);
  }
  for (const auto& id : p.identifiers) {
    if (!id.scheme.empty()) WritePartyId(w, id);
  }
  w.Leaf("ram:Name", p.name);
  w.Leaf("ram:Description", p.legal_info);
  if (!p.legal_registration_id.empty() || !p.trading_name.empty()) {
    w.Start("ram:SpecifiedLegalOrganization");
    w.Leaf("ram:ID", p.legal_registration_id.value, "schemeID", p.legal_registration_id.scheme);
    w.Leaf("ram:TradingBusinessName", p.trading_name);
    w.End();
  }
  WriteContact(w, p.contact);
  WriteAddress(w, p.address);
  if (!p.electronic_address.value().empty()) {
    w.Start("ram:URIUniversalCommunication");
    w.Leaf("ram:URIID", p.electronic_address.value(), "schemeID", p.electronic_address.scheme());
    w.End();
  }
  WriteTaxRegistration(w, p.vat_id, "VA");
  WriteTaxRegistration(w, p.tax_registration_id, "FC");
  w.End();
}

void WriteVatTax(XmlWriter& w, const char* element, const model::VatCategory& vat) {
  w.Start(element);
  w.Leaf("ram:TypeCode", "VAT");
  w.Leaf("ram:CategoryCode", vat.code);
  if (vat.rate) w.Number("ram:RateApplicablePercent", *vat.rate);
  w.End();
}

void WriteAllowanceCharge(XmlWriter& w, const model::AllowanceCharge& ac, bool document_level) {
  w.Start("ram:SpecifiedTradeAllowanceCharge");
  w.Start("ram:ChargeIndicator");
  w.Leaf("udt:Indicator", ac.is_charge ? "true" : "false");
  w.End();
  if (ac.percentage) w.Number("ram:CalculationPercent", *ac.percentage);
  if (ac.base_amount) w.Number("ram:BasisAmount", *ac.base_amount);
  w.Number("ram:ActualAmount", ac.amount);
  w.Leaf("ram:ReasonCode", ac.reason_code);
  w.Leaf("ram:Reason", ac.reason);
  if (document_level) WriteVatTax(w, "ram:CategoryTradeTax", ac.vat);
  w.End();
}

void WritePeriod(XmlWriter& w, const model::Period& p) {
  if (p.empty()) return;
  w.Start("ram:BillingSpecifiedPeriod");
  DateTime(w, "ram:StartDateTime", p.start);
  DateTime(w, "ram:EndDateTime", p.end);
  w.End();
}

void WriteLine(XmlWriter& w, const model::Line& line, size_t index, std::vector<Finding>* losses) {
  w.Start("ram:IncludedSupplyChainTradeLineItem");
  w.Start("ram:AssociatedDocumentLineDocument");
  w.Leaf("ram:LineID", line.id);
  IdLeaf(w, "ram:IncludedNote", "ram:Content", line.note);
  w.End();

  const model::Item& item = line.item;
  w.Start("ram:SpecifiedTradeProduct");
  w.Leaf("ram:GlobalID", item.standard_id.value, "schemeID", item.standard_id.scheme);
  w.Leaf("ram:SellerAssignedID", item.sellers_id);
  w.Leaf("ram:BuyerAssignedID", item.buyers_id);
  w.Leaf("ram:Name", item.name);
  w.Leaf("ram:Description", item.description);
  for (const auto& a : item.attributes) {
    w.Start("ram:ApplicableProductCharacteristic");
    w.Leaf("ram:Description", a.name);
    w.Leaf("ram:Value", a.value);
    w.End();
  }
  for (const auto& c : item.classifications) {
    w.Start("ram:DesignatedProductClassification");
    w.Leaf("ram:ClassCode", c.code, "listID", c.list_id, "listVersionID", c.list_version);
    w.End();
  }
  IdLeaf(w, "ram:OriginTradeCountry", "ram:ID", item.origin_country);
  w.End();

  const model::Price& price = line.price;
  w.Start("ram:SpecifiedLineTradeAgreement");
  IdLeaf(w, "ram:BuyerOrderReferencedDocument", "ram:LineID", line.order_line_reference);
  if (price.discount && !price.gross && !price.discount->is_zero() && losses != nullptr) {
    losses->push_back(Finding{"cii.lost", Finding::Severity::kWarning, "/lines/" + std::to_string(index) + "/price/discount",
                              "the item price discount " + price.discount->ToString() +
                                  " (BT-147) without a gross price (BT-148): CII carries the discount only with "
                                  "the gross price; give the gross price to keep it"});
  }
  if (price.gross) {
    w.Start("ram:GrossPriceProductTradePrice");
    w.Number("ram:ChargeAmount", *price.gross);
    if (price.base_quantity) w.Number("ram:BasisQuantity", *price.base_quantity, "unitCode", price.base_unit);
    if (price.discount) {
      w.Start("ram:AppliedTradeAllowanceCharge");
      w.Start("ram:ChargeIndicator");
      w.Leaf("udt:Indicator", "false");
      w.End();
      w.Number("ram:ActualAmount", *price.discount);
      w.End();
    }
    w.End();
  }
  w.Start("ram:NetPriceProductTradePrice");
  w.Number("ram:ChargeAmount", price.net);
  if (price.base_quantity) w.Number("ram:BasisQuantity", *price.base_quantity, "unitCode", price.base_unit);
  w.End();
  w.End();

  w.Start("ram:SpecifiedLineTradeDelivery");
  w.Number("ram:BilledQuantity", line.quantity, "unitCode", line.unit);
  w.End();

  w.Start("ram:SpecifiedLineTradeSettlement");
  WriteVatTax(w, "ram:ApplicableTradeTax", line.vat);
  WritePeriod(w, line.period);
  for (const auto& ac : line.allowances_charges) WriteAllowanceCharge(w, ac, false);
  w.Start("ram:SpecifiedTradeSettlementLineMonetarySummation");
  w.Number("ram:LineTotalAmount", line.net_amount);
  w.End();
  if (!line.object_id.empty()) {  // BT-128: type code 130, its scheme as the reference type
    w.Start("ram:AdditionalReferencedDocument");
    w.Leaf("ram:IssuerAssignedID", line.object_id.value);
    w.Leaf("ram:TypeCode", "130");
    w.Leaf("ram:ReferenceTypeCode", line.object_id.scheme);
    w.End();
  }
  IdLeaf(w, "ram:ReceivableSpecifiedTradeAccountingAccount", "ram:ID", line.accounting_reference);
  w.End();
  w.End();
}

void WriteAgreement(XmlWriter& w, const Invoice& inv) {
  w.Start("ram:ApplicableHeaderTradeAgreement");
  w.Leaf("ram:BuyerReference", inv.buyer_reference);
  WriteParty(w, "ram:SellerTradeParty", inv.seller);
  WriteParty(w, "ram:BuyerTradeParty", inv.buyer);
  if (inv.tax_representative) {
    const model::TaxRepresentative& rep = *inv.tax_representative;
    w.Start("ram:SellerTaxRepresentativeTradeParty");
    w.Leaf("ram:Name", rep.name);
    WriteAddress(w, rep.address);
    WriteTaxRegistration(w, rep.vat_id, "VA");
    w.End();
  }
  IdLeaf(w, "ram:SellerOrderReferencedDocument", "ram:IssuerAssignedID", inv.sales_order_reference);
  IdLeaf(w, "ram:BuyerOrderReferencedDocument", "ram:IssuerAssignedID", inv.purchase_order_reference);
  IdLeaf(w, "ram:ContractReferencedDocument", "ram:IssuerAssignedID", inv.contract_reference);
  for (const auto& d : inv.documents) {  // BG-24: type code 916
    w.Start("ram:AdditionalReferencedDocument");
    w.Leaf("ram:IssuerAssignedID", d.id);
    w.Leaf("ram:URIID", d.url);
    w.Leaf("ram:TypeCode", "916");
    w.Leaf("ram:Name", d.description);
    if (d.attachment) {
      w.Leaf("ram:AttachmentBinaryObject", d.attachment->content_base64, "mimeCode", d.attachment->mime_code,
             "filename", d.attachment->filename);
    }
    w.End();
  }
  if (!inv.tender_reference.empty()) {  // BT-17: type code 50
    w.Start("ram:AdditionalReferencedDocument");
    w.Leaf("ram:IssuerAssignedID", inv.tender_reference);
    w.Leaf("ram:TypeCode", "50");
    w.End();
  }
  if (!inv.invoiced_object.empty()) {  // BT-18: type code 130
    w.Start("ram:AdditionalReferencedDocument");
    w.Leaf("ram:IssuerAssignedID", inv.invoiced_object.value);
    w.Leaf("ram:TypeCode", "130");
    w.Leaf("ram:ReferenceTypeCode", inv.invoiced_object.scheme);
    w.End();
  }
  if (!inv.project_reference.empty()) {
    w.Start("ram:SpecifiedProcuringProject");
    w.Leaf("ram:ID", inv.project_reference);
    w.Leaf("ram:Name", "Project reference");  // required by the schema; EN16931 has no term for it
    w.End();
  }
  w.End();
}

void WriteDelivery(XmlWriter& w, const Invoice& inv) {
  w.Start("ram:ApplicableHeaderTradeDelivery");
  if (inv.delivery) {
    const model::Delivery& d = *inv.delivery;
    if (!d.party_name.empty() || !d.location_id.empty() || !d.address.empty()) {
      w.Start("ram:ShipToTradeParty");
      WritePartyId(w, d.location_id);
      w.Leaf("ram:Name", d.party_name);
      WriteAddress(w, d.address);
      w.End();
    }
    if (d.date) {
      w.Start("ram:ActualDeliverySupplyChainEvent");
      DateTime(w, "ram:OccurrenceDateTime", d.date);
      w.End();
    }
  }
  IdLeaf(w, "ram:DespatchAdviceReferencedDocument", "ram:IssuerAssignedID", inv.despatch_advice_reference);
  IdLeaf(w, "ram:ReceivingAdviceReferencedDocument", "ram:IssuerAssignedID", inv.receiving_advice_reference);
  w.End();
}

void WritePaymentMeans(XmlWriter& w, const Invoice& inv, std::vector<Finding>* losses) {
  if (!inv.payment) return;
  const model::PaymentInstructions& p = *inv.payment;
  // One ram:SpecifiedTradeSettlementPaymentMeans per account (BG-17 repeats, the account is 0..1
  // per payment means); the card and the direct debit go with the first.
  size_t count = p.credit_transfers.empty() ? 1 : p.credit_transfers.size();
  for (size_t i = 0; i < count; ++i) {
    w.Start("ram:SpecifiedTradeSettlementPaymentMeans");
    w.Leaf("ram:TypeCode", p.means_code);
    w.Leaf("ram:Information", p.means_text);
    if (i == 0 && p.card) {
      w.Start("ram:ApplicableTradeSettlementFinancialCard");
      w.Leaf("ram:ID", p.card->account_number);
      w.Leaf("ram:CardholderName", p.card->holder_name);
      w.End();
      if (!p.card->network.empty() && losses != nullptr) {
        losses->push_back(Finding{"cii.lost", Finding::Severity::kWarning, "/payment/card/network",
                                  "the card network '" + p.card->network +
                                      "' (a Peppol UBL element, cac:CardAccount/cbc:NetworkID) has no place in CII; "
                                      "it is not in the CII document"});
      }
    }
    if (i == 0 && p.direct_debit && !p.direct_debit->debited_account.empty()) {
      w.Start("ram:PayerPartyDebtorFinancialAccount");
      w.Leaf("ram:IBANID", p.direct_debit->debited_account);
      w.End();
    }
    if (!p.credit_transfers.empty()) {
      const model::CreditTransfer& t = p.credit_transfers[i];
      if (!t.account_id.empty() || !t.account_name.empty()) {
        w.Start("ram:PayeePartyCreditorFinancialAccount");
        bool iban = LooksLikeIban(t.account_id);
        if (iban) w.Leaf("ram:IBANID", t.account_id);
        w.Leaf("ram:AccountName", t.account_name);
        if (!iban) w.Leaf("ram:ProprietaryID", t.account_id);
        w.End();
      }
      IdLeaf(w, "ram:PayeeSpecifiedCreditorFinancialInstitution", "ram:BICID", t.bank_id);
    }
    w.End();
  }
}

void WriteSettlement(XmlWriter& w, const Invoice& inv, std::vector<Finding>* losses) {
  const std::string& c = inv.currency;
  w.Start("ram:ApplicableHeaderTradeSettlement");
  if (inv.payment && inv.payment->direct_debit) w.Leaf("ram:CreditorReferenceID", inv.payment->direct_debit->creditor_id);
  if (inv.payment) w.Leaf("ram:PaymentReference", inv.payment->remittance_info);
  if (inv.tax_currency != inv.currency) w.Leaf("ram:TaxCurrencyCode", inv.tax_currency);
  w.Leaf("ram:InvoiceCurrencyCode", c);
  if (inv.payee) {
    const model::Payee& payee = *inv.payee;
    w.Start("ram:PayeeTradeParty");
    WritePartyId(w, payee.identifier);
    w.Leaf("ram:Name", payee.name);
    if (!payee.legal_registration_id.empty()) {
      w.Start("ram:SpecifiedLegalOrganization");
      w.Leaf("ram:ID", payee.legal_registration_id.value, "schemeID", payee.legal_registration_id.scheme);
      w.End();
    }
    w.End();
  }
  WritePaymentMeans(w, inv, losses);
  bool first = true;
  for (const auto& b : inv.vat_breakdown) {
    w.Start("ram:ApplicableTradeTax");
    w.Number("ram:CalculatedAmount", b.tax_amount.WithScale(2));
    w.Leaf("ram:TypeCode", "VAT");
    w.Leaf("ram:ExemptionReason", b.exemption_reason);
    w.Number("ram:BasisAmount", b.taxable_amount.WithScale(2));
    w.Leaf("ram:CategoryCode", b.category.code);
    w.Leaf("ram:ExemptionReasonCode", b.exemption_reason_code);
    // BT-7 and BT-8 are document level: written once, in the first breakdown (CII-SR-461).
    if (first) {
      DateTime(w, "ram:TaxPointDate", inv.tax_point_date, "udt:DateString");
      w.Leaf("ram:DueDateTypeCode", VatPointDateCodeToCii(inv.vat_point_date_code));
    }
    first = false;
    if (b.category.rate) w.Number("ram:RateApplicablePercent", *b.category.rate);
    w.End();
  }
  WritePeriod(w, inv.invoice_period);
  for (const auto& ac : inv.allowances_charges) WriteAllowanceCharge(w, ac, true);
  bool mandate = inv.payment && inv.payment->direct_debit && !inv.payment->direct_debit->mandate_reference.empty();
  if (!inv.payment_terms.empty() || inv.due_date || mandate) {
    w.Start("ram:SpecifiedTradePaymentTerms");
    w.Leaf("ram:Description", inv.payment_terms);
    DateTime(w, "ram:DueDateDateTime", inv.due_date);
    if (mandate) w.Leaf("ram:DirectDebitMandateID", inv.payment->direct_debit->mandate_reference);
    w.End();
  }
  const model::Totals& t = inv.totals;
  w.Start("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
  w.Number("ram:LineTotalAmount", t.line_net_total.WithScale(2));
  if (t.charge_total) w.Number("ram:ChargeTotalAmount", t.charge_total->WithScale(2));
  if (t.allowance_total) w.Number("ram:AllowanceTotalAmount", t.allowance_total->WithScale(2));
  w.Number("ram:TaxBasisTotalAmount", t.tax_exclusive.WithScale(2));
  w.Number("ram:TaxTotalAmount", t.vat_total.WithScale(2), "currencyID", c);
  if (!inv.tax_currency.empty() && inv.tax_currency != c && t.vat_total_accounting) {
    w.Number("ram:TaxTotalAmount", t.vat_total_accounting->WithScale(2), "currencyID", inv.tax_currency);
  }
  if (t.rounding) w.Number("ram:RoundingAmount", t.rounding->WithScale(2));
  w.Number("ram:GrandTotalAmount", t.tax_inclusive.WithScale(2));
  if (t.prepaid) w.Number("ram:TotalPrepaidAmount", t.prepaid->WithScale(2));
  w.Number("ram:DuePayableAmount", t.payable.WithScale(2));
  w.End();
  // BG-3: D16B holds one preceding invoice reference.
  for (size_t i = 0; i < inv.preceding_invoices.size(); ++i) {
    const model::PrecedingInvoice& p = inv.preceding_invoices[i];
    if (i > 0) {
      if (losses != nullptr) {
        losses->push_back(Finding{"cii.lost", Finding::Severity::kWarning,
                                  "/preceding_invoices/" + std::to_string(i),
                                  "CII D16B holds one preceding invoice reference (BG-3); '" + p.number +
                                      "' is not in the CII document"});
      }
      continue;
    }
    w.Start("ram:InvoiceReferencedDocument");
    w.Leaf("ram:IssuerAssignedID", p.number);
    DateTime(w, "ram:FormattedIssueDateTime", p.issue_date, "qdt:DateTimeString");
    w.End();
  }
  IdLeaf(w, "ram:ReceivableSpecifiedTradeAccountingAccount", "ram:ID", inv.buyer_accounting_reference);
  w.End();
}

}  // namespace

Result<std::string> WriteInvoice(const model::Invoice& inv, std::vector<Finding>* losses) {
  XmlWriter w;
  w.Start("rsm:CrossIndustryInvoice");
  w.Attribute("xmlns:rsm", kRsmNs);
  w.Attribute("xmlns:ram", kRamNs);
  w.Attribute("xmlns:qdt", kQdtNs);
  w.Attribute("xmlns:udt", kUdtNs);

  w.Start("rsm:ExchangedDocumentContext");
  IdLeaf(w, "ram:BusinessProcessSpecifiedDocumentContextParameter", "ram:ID", inv.business_process);
  IdLeaf(w, "ram:GuidelineSpecifiedDocumentContextParameter", "ram:ID",
         inv.specification_id.empty() ? kEn16931SpecificationId : inv.specification_id);
  w.End();

  w.Start("rsm:ExchangedDocument");
  w.Leaf("ram:ID", inv.number);
  w.Leaf("ram:TypeCode", inv.type_code);
  DateTime(w, "ram:IssueDateTime", inv.issue_date);
  for (const auto& note : inv.notes) {
    w.Start("ram:IncludedNote");
    w.Leaf("ram:Content", note.text);
    w.Leaf("ram:SubjectCode", note.subject_code);
    w.End();
  }
  w.End();

  w.Start("rsm:SupplyChainTradeTransaction");
  for (size_t i = 0; i < inv.lines.size(); ++i) WriteLine(w, inv.lines[i], i, losses);
  WriteAgreement(w, inv);
  WriteDelivery(w, inv);
  WriteSettlement(w, inv, losses);
  w.End();
  w.End();
  return w.Finish();
}

extern const char* const kFacturXBasicPaths[];
extern const size_t kFacturXBasicPathCount;

namespace {

std::string_view PrefixOf(std::string_view ns) {
  if (ns == xml::kCiiNs) return "rsm:";
  if (ns == xml::kRamNs) return "ram:";
  if (ns == xml::kUdtNs) return "udt:";
  if (ns == xml::kQdtNs) return "qdt:";
  return "";
}

// Copies the subtree of `node` into `w` when its path is allowed, else reports it lost.
void CopyAllowed(const xml::Document& doc, xml::NodeId node, const std::string& parent_path,
                 const std::unordered_set<std::string_view>& allowed, std::deque<std::string>& names, XmlWriter& w,
                 std::vector<Finding>* losses) {
  const xml::Node& n = doc.node(node);
  if (n.kind == xml::NodeKind::kText) {
    w.Text(n.value);
    return;
  }
  if (n.kind != xml::NodeKind::kElement) return;
  std::string name = std::string(PrefixOf(doc.namespace_uri(node))) + std::string(doc.local_name(node));
  std::string path = parent_path.empty() ? name : parent_path + "/" + name;
  if (!parent_path.empty() && allowed.count(path) == 0) {
    if (losses != nullptr) {
      std::string scratch;
      std::string shown;  // the text of the dropped subtree, whitespace collapsed, shortened
      for (char c : doc.StringValue(node, scratch)) {
        bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (space && (shown.empty() || shown.back() == ' ')) continue;
        shown += space ? ' ' : c;
        if (shown.size() >= 60) break;
      }
      while (!shown.empty() && shown.back() == ' ') shown.pop_back();
      losses->push_back(Finding{"cii.lost", Finding::Severity::kWarning, "/" + path,
                                "the Factur-X BASIC profile has no " + name +
                                    (shown.empty() ? std::string() : " ('" + shown + "')") +
                                    "; it is not in the BASIC document (the EN16931 profile, facturx, keeps it)"});
    }
    return;
  }
  names.push_back(std::move(name));
  w.Start(names.back().c_str());
  if (parent_path.empty()) {
    w.Attribute("xmlns:rsm", kRsmNs);
    w.Attribute("xmlns:ram", kRamNs);
    w.Attribute("xmlns:qdt", kQdtNs);
    w.Attribute("xmlns:udt", kUdtNs);
  }
  for (xml::NodeId a = n.first_attribute; a != xml::kNoNode; a = doc.node(a).next_sibling) {
    names.emplace_back(doc.local_name(a));
    w.Attribute(names.back().c_str(), doc.node(a).value);
  }
  for (xml::NodeId c = n.first_child; c != xml::kNoNode; c = doc.node(c).next_sibling) {
    // Whitespace between elements is the writer's indentation: left to the new writer.
    if (doc.node(c).kind == xml::NodeKind::kText && n.first_child != c) continue;
    if (doc.node(c).kind == xml::NodeKind::kText && doc.node(c).next_sibling != xml::kNoNode) continue;
    CopyAllowed(doc, c, path, allowed, names, w, losses);
  }
  w.End();
}

}  // namespace

Result<std::string> WriteFacturXBasic(const model::Invoice& invoice, std::vector<Finding>* losses) {
  // A term that the amounts depend on cannot be left out: the document would not add up.
  if (invoice.totals.rounding && !invoice.totals.rounding->is_zero()) {
    return Error::InvalidInput(
        "the invoice cannot be written in the Factur-X BASIC profile",
        {Finding{"cii.profile", Finding::Severity::kFatal, "/totals/rounding",
                 "the rounding amount (BT-114) " + invoice.totals.rounding->ToString() +
                     " has no place in the Factur-X BASIC profile, and without it the amount due would not "
                     "add up: write the EN16931 profile (facturx) instead"}});
  }
  model::Invoice basic = invoice;
  basic.specification_id = kFacturXBasicSpecificationId;
  auto full = WriteInvoice(basic, losses);
  if (!full) return full.error();
  auto doc = xml::Document::Parse(*full);
  if (!doc) return Error::Internal("the CII writer's own document does not parse: " + doc.error().message());
  static const std::unordered_set<std::string_view> allowed(kFacturXBasicPaths,
                                                            kFacturXBasicPaths + kFacturXBasicPathCount);
  std::deque<std::string> names;  // element names, alive as long as the writer
  XmlWriter w;
  CopyAllowed(*doc, doc->document_element(), "", allowed, names, w, losses);
  return w.Finish();
}

}  // namespace gw::formats::cii
