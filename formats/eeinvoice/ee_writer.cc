// Estonian e-invoice 1.2 with the 1.2.EN extension blocks. Element order: the sequences of
// e-invoice_ver1.2.xsd (core) and e-invoice_ver1.2.EN.xsd (the EN block types); the placement of
// each business term follows the syntax binding "E-invoicing - syntax binding for EE and EN"
// (2018), see docs/formats/ee-einvoice.md.
#include <string_view>

#include "formats/core/payment_reference.h"
#include "formats/eeinvoice/ee_invoice.h"
#include "formats/eeinvoice/ee_internal.h"
#include "formats/xml/xml_writer.h"

namespace gw::formats::ee {
namespace {

using model::Invoice;
using xml::XmlWriter;

// Maximum lengths of the core's text types, in characters.
constexpr size_t kShort = 20;    // ShortTextType
constexpr size_t kNormal = 100;  // NormalTextType
constexpr size_t kLong = 500;    // LongTextType
constexpr size_t kReg = 15;      // RegType
constexpr size_t kNoLimit = 0;   // xs:normalizedString of the EN blocks

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The VAT code of the core (VATRecord/@vatId) for an EN16931 category (BT-118/BT-151):
// taxed (S, Z, AE reverse charge is taxed by the buyer: TAXEX), exempt, not subject.
const char* VatId(const std::string& category) {
  if (category == "S" || category == "Z" || category == "L" || category == "M") return "TAX";
  if (category == "O") return "NOTTAX";
  return "TAXEX";  // E, AE, K, G
}

class Writer {
 public:
  Writer(XmlWriter& w, std::vector<Finding>* losses) : w_(w), losses_(losses) {}

  // Problems that make the invoice unconvertible, for every invoice of the batch.
  std::vector<Finding>& errors() { return errors_; }

  void WriteInvoice(const Invoice& inv, const InvoiceRouting& routing, size_t index) {
    prefix_ = index == 0 ? "" : "/invoices/" + std::to_string(index);
    inv_ = &inv;
    w_.Start("Invoice");
    w_.Attribute("invoiceId", Checked(routing.invoice_id, kNormal, "@invoiceId (BT-1)", "/number"));
    if (!routing.service_id.empty()) w_.Attribute("serviceId", Checked(routing.service_id, kShort, "@serviceId", ""));
    w_.Attribute("regNumber", Checked(routing.reg_number, kReg, "@regNumber", "/buyer/legal_registration_id"));
    if (!routing.channel_id.empty()) w_.Attribute("channelId", Checked(routing.channel_id, 10, "@channelId", ""));
    if (!routing.channel_address.empty()) {
      w_.Attribute("channelAddress", Checked(routing.channel_address, kNormal, "@channelAddress", ""));
    }
    if (!routing.factoring.empty()) w_.Attribute("factoring", routing.factoring);
    if (!routing.template_id.empty()) w_.Attribute("templateId", Checked(routing.template_id, kNormal, "@templateId", ""));
    if (!routing.language_id.empty()) w_.Attribute("languageId", routing.language_id);
    if (!routing.presentment.empty()) w_.Attribute("presentment", routing.presentment);
    if (!routing.invoice_glob_uniq_id.empty()) {
      w_.Attribute("invoiceGlobUniqId", Checked(routing.invoice_glob_uniq_id, kNormal, "@invoiceGlobUniqId", ""));
    }
    if (!routing.seller_contract_id.empty()) {
      w_.Attribute("sellerContractId", Checked(routing.seller_contract_id, kNormal, "@sellerContractId", ""));
    }
    w_.Attribute("sellerRegnumber", Checked(routing.seller_reg_number, kReg, "@sellerRegnumber", "/seller/legal_registration_id"));

    WriteParties(routing);
    WriteInformation();
    WriteSumGroup();
    WriteItems();
    WriteAdditionalInformation();
    WritePaymentInfo();
    w_.End();
  }

 private:
  // ---- values ----

  // `value`, recording an "ee.unconvertible" error when it is longer than `limit` characters.
  std::string_view Checked(std::string_view value, size_t limit, std::string_view what, std::string_view path) {
    if (limit != kNoLimit && internal::Utf8Length(value) > limit) {
      errors_.push_back(Finding{"ee.unconvertible", Finding::Severity::kFatal, prefix_ + std::string(path),
                                std::string(what) + " has " + std::to_string(internal::Utf8Length(value)) +
                                    " characters; the Estonian e-invoice allows at most " + std::to_string(limit) +
                                    " there, and shortening it would change the invoice"});
    }
    return value;
  }
  void Leaf(const char* name, std::string_view value, size_t limit, std::string_view what, std::string_view path) {
    if (!value.empty()) w_.Leaf(name, Checked(value, limit, what, path));
  }
  // An amount with at most `max_scale` significant decimals (2 or 4 in the core's types), written
  // with at least two.
  void Amount(const char* name, const Decimal& value, int max_scale, std::string_view what, std::string_view path) {
    if (value.SignificantScale() > max_scale) {
      errors_.push_back(Finding{"ee.unconvertible", Finding::Severity::kFatal, prefix_ + std::string(path),
                                std::string(what) + " " + value.ToString() + " has more than " +
                                    std::to_string(max_scale) +
                                    " decimals, which the Estonian e-invoice does not allow there; rounding "
                                    "would change the amount"});
    }
    w_.Number(name, value.WithScale(std::max(std::min(2, max_scale), std::min(value.SignificantScale(), max_scale))));
  }
  void Amount(const char* name, const std::optional<Decimal>& value, int max_scale, std::string_view what,
              std::string_view path) {
    if (value) Amount(name, *value, max_scale, what, path);
  }
  void Lost(const std::string& path, const std::string& message) {
    if (losses_ != nullptr) {
      losses_->push_back(Finding{"ee.lost", Finding::Severity::kWarning, prefix_ + path, message});
    }
  }
  // A value the format requires that the invoice does not have, filled in from elsewhere: it
  // reads back as a business term the invoice did not state. Reported beside the losses.
  void Added(const std::string& path, const std::string& message) {
    if (losses_ != nullptr) {
      losses_->push_back(Finding{"ee.added", Finding::Severity::kWarning, prefix_ + path, message});
    }
  }
  void Date(const char* name, const std::optional<gw::Date>& d) {
    if (d) w_.Leaf(name, d->ToString());
  }
  // Extension/AdditionalInformation/ItemReserve of type ExtensionRecord holding one EN block.
  void StartExtension(const char* element, const char* block) {
    w_.Start(element);
    w_.Attribute("extensionId", block);
    w_.Leaf("InformationContent", block);
    w_.Start("CustomContent");
    w_.Start(block);
  }
  void EndExtension() {
    w_.End();
    w_.End();
    w_.End();
  }
  // A required element of xs:normalizedString that may be empty.
  void Required(const char* name, std::string_view value) {
    w_.Start(name);
    w_.Text(value);
    w_.End();
  }

  // ---- parties ----

  // AddressRecord (PostalAddress1 and City are required there) with MailAddressEN for BT-162,
  // BT-39 and the country code BT-40 (the core's Country is a name: left out).
  void WriteAddress(const model::Address& a, const std::string& path) {
    if (a.empty()) return;
    if (a.line1.empty() || a.city.empty()) {
      Lost(path, "the address (" + Describe(a) +
                     ") has no " + (a.line1.empty() ? "first line" : "city") +
                     ", which the Estonian MailAddress requires; it is not written");
      return;
    }
    w_.Start("MailAddress");
    Leaf("PostalAddress1", a.line1, kNormal, "address line 1", path + "/line1");
    Leaf("PostalAddress2", a.line2, kNormal, "address line 2", path + "/line2");
    Leaf("City", a.city, kNormal, "city", path + "/city");
    Leaf("PostalCode", a.postal_code, 10, "post code", path + "/postal_code");
    if (!a.line3.empty() || !a.subdivision.empty() || !a.country.empty()) {
      StartExtension("Extension", "MailAddressEN");
      w_.Leaf("PostalAddress3", Checked(a.line3, kLong, "address line 3", path + "/line3"));
      w_.Leaf("CountrySubDivision", Checked(a.subdivision, kLong, "country subdivision", path + "/subdivision"));
      Required("CountryCode", a.country);
      EndExtension();
    }
    w_.End();
  }
  static std::string Describe(const model::Address& a) {
    std::string s;
    for (const std::string* part : {&a.line1, &a.line2, &a.line3, &a.postal_code, &a.city, &a.subdivision, &a.country}) {
      if (!part->empty()) s += (s.empty() ? "" : ", ") + *part;
    }
    return s;
  }

  void WriteContact(const model::Contact& c, const model::Address& a, const std::string& path) {
    if (c.empty() && a.empty()) return;
    w_.Start("ContactData");
    Leaf("ContactName", c.name, kNormal, "contact point", path + "/contact/name");
    Leaf("PhoneNumber", c.phone, kNormal, "contact telephone", path + "/contact/phone");
    Leaf("E-mailAddress", c.email, kNoLimit, "", "");
    WriteAddress(a, path + "/address");
    w_.End();
  }

  // GLN (scheme 0088, 13 digits) in the core; the other identifiers in PartyEN.
  static bool IsGln(const model::Identifier& id) {
    return id.scheme == "0088" && id.value.size() == 13 && AllDigits(id.value);
  }

  void WriteParty(const char* element, const model::Party& p, const std::string& path, bool seller,
                  const std::string& reg_number) {
    w_.Start(element);
    const model::Identifier* gln = nullptr;
    for (const model::Identifier& id : p.identifiers) {
      if (IsGln(id)) {
        gln = &id;
        break;
      }
    }
    if (gln != nullptr) w_.Leaf("GLN", gln->value);
    Required("Name", Checked(p.name, kNormal, seller ? "the seller name (BT-27)" : "the buyer name (BT-44)", path + "/name"));
    if (seller && !p.legal_registration_id.value.empty()) {
      Required("RegNumber", Checked(p.legal_registration_id.value, kReg, "the seller legal registration identifier (BT-30)",
                                    path + "/legal_registration_id"));
    } else if (seller) {
      // Required by the format: the routing's registry code, which reads back as BT-30.
      Required("RegNumber", reg_number);
      Added(path + "/legal_registration_id", "the seller has no legal registration identifier (BT-30); "
                                             "SellerParty/RegNumber, which the format requires, holds the routing's "
                                             "seller registry code " + reg_number + ", which reads back as BT-30");
    } else {
      Leaf("RegNumber", p.legal_registration_id.value, kReg, "the buyer legal registration identifier (BT-47)",
           path + "/legal_registration_id");
    }
    if (!p.legal_registration_id.scheme.empty()) {
      Lost(path + "/legal_registration_id/scheme",
           "the scheme '" + p.legal_registration_id.scheme + "' of the legal registration identifier (BT-" +
               (seller ? "30" : "47") + "-1) has no place in the Estonian e-invoice (RegNumber has no scheme)");
    }
    Leaf("VATRegNumber", p.vat_id, kReg, seller ? "the seller VAT identifier (BT-31)" : "the buyer VAT identifier (BT-48)",
         path + "/vat_id");
    WriteContact(p.contact, p.address, path);
    if (!seller && inv_->payment && inv_->payment->direct_debit && !inv_->payment->direct_debit->debited_account.empty()) {
      w_.Start("AccountInfo");  // BT-91
      Leaf("AccountNumber", inv_->payment->direct_debit->debited_account, 35, "the debited account (BT-91)",
           "/payment/direct_debit/debited_account");
      w_.End();
    }
    std::vector<const model::Identifier*> others;
    for (const model::Identifier& id : p.identifiers) {
      if (&id != gln) others.push_back(&id);
    }
    const bool en = !p.trading_name.empty() || !p.legal_info.empty() || !others.empty() ||
                    !p.electronic_address.empty() || !p.tax_registration_id.empty();
    if (en) {
      StartExtension("Extension", "PartyEN");
      w_.Leaf("TradingName", Checked(p.trading_name, kLong, "the trading name", path + "/trading_name"));
      w_.Leaf("AdditionalLegalInfo", Checked(p.legal_info, kLong, "the additional legal information (BT-33)", path + "/legal_info"));
      for (const model::Identifier* id : others) w_.Leaf("PartyId", id->value, "schemeId", id->scheme);
      if (!p.electronic_address.empty()) {
        w_.Leaf("PartyElectronicAddress", p.electronic_address.value(), "schemeId", p.electronic_address.scheme());
      }
      w_.Leaf("TaxRegId", p.tax_registration_id);
      EndExtension();
    }
    w_.End();
  }

  void WriteParties(const InvoiceRouting& routing) {
    const Invoice& inv = *inv_;
    w_.Start("InvoiceParties");
    WriteParty("SellerParty", inv.seller, "/seller", true, routing.seller_reg_number);
    WriteParty("BuyerParty", inv.buyer, "/buyer", false, "");
    if (inv.delivery && !inv.delivery->empty()) {
      const model::Delivery& d = *inv.delivery;
      if (d.party_name.empty() && (d.location_id.empty() && d.address.empty())) {
        // Only the date: InvoiceInformationEN/ActualDeliveryDate.
      } else if (d.party_name.empty()) {
        Lost("/delivery", "the deliver-to location or address (BG-13) without a party name (BT-70) has no place: the "
                          "Estonian DeliveryParty requires a name");
      } else {
        w_.Start("DeliveryParty");
        if (IsGln(d.location_id)) w_.Leaf("GLN", d.location_id.value);
        Required("Name", Checked(d.party_name, kNormal, "the deliver-to party name (BT-70)", "/delivery/party_name"));
        if (!d.address.empty()) {
          w_.Start("ContactData");
          WriteAddress(d.address, "/delivery/address");
          w_.End();
        }
        if (!d.location_id.empty() && !IsGln(d.location_id)) {
          StartExtension("Extension", "PartyEN");
          w_.Leaf("PartyId", d.location_id.value, "schemeId", d.location_id.scheme);
          EndExtension();
        }
        w_.End();
      }
    }
    if (inv.payee) {  // BG-10: FactorParty, as the binding places it
      const model::Payee& p = *inv.payee;
      w_.Start("FactorParty");
      if (IsGln(p.identifier)) w_.Leaf("GLN", p.identifier.value);
      Required("Name", Checked(p.name, kNormal, "the payee name (BT-59)", "/payee/name"));
      Leaf("RegNumber", p.legal_registration_id.value, kReg, "the payee legal registration identifier (BT-61)",
           "/payee/legal_registration_id");
      if (!p.legal_registration_id.scheme.empty()) {
        Lost("/payee/legal_registration_id/scheme", "the scheme '" + p.legal_registration_id.scheme +
                                                        "' of the payee legal registration identifier (BT-61-1) has no place");
      }
      if (!p.identifier.empty() && !IsGln(p.identifier)) {
        StartExtension("Extension", "PartyEN");
        w_.Leaf("PartyId", p.identifier.value, "schemeId", p.identifier.scheme);
        EndExtension();
      }
      w_.End();
    }
    w_.End();
  }

  // ---- InvoiceInformation ----

  void WriteInformation() {
    const Invoice& inv = *inv_;
    const bool credit = inv.kind == model::DocumentKind::kCreditNote;
    w_.Start("InvoiceInformation");
    w_.Start("Type");
    w_.Attribute("type", credit ? "CRE" : "DEB");
    w_.End();
    Leaf("ContractNumber", inv.contract_reference, kNormal, "the contract reference (BT-12)", "/contract_reference");
    w_.Leaf("DocumentName", credit ? "KREEDITARVE" : "ARVE");
    Required("InvoiceNumber", Checked(inv.number, kNormal, "the invoice number (BT-1)", "/number"));
    Leaf("InvoiceContentCode", inv.buyer_reference, kShort, "the buyer reference (BT-10)", "/buyer_reference");
    const std::string& remittance = inv.payment ? inv.payment->remittance_info : std::string();
    if (IsReference(remittance)) w_.Leaf("PaymentReferenceNumber", remittance);
    if (inv.payment) {
      Leaf("PaymentMethod", inv.payment->means_text, kNormal, "the payment means text (BT-82)", "/payment/means_text");
    }
    w_.Leaf("InvoiceDate", inv.issue_date.ToString());
    Date("DueDate", inv.due_date);
    Leaf("PaymentTerm", inv.payment_terms, kNormal, "the payment terms (BT-20)", "/payment_terms");
    if (!inv.invoice_period.empty()) {
      w_.Start("Period");
      Date("StartDate", inv.invoice_period.start);
      Date("EndDate", inv.invoice_period.end);
      w_.End();
    }
    WriteInformationEn();
    WritePaymentInfoEn();
    w_.End();
  }

  static bool IsReference(const std::string& s) { return s.size() <= 20 && !CheckEstonianReference(s); }

  void WriteInformationEn() {
    const Invoice& inv = *inv_;
    StartExtension("Extension", "InvoiceInformationEN");
    w_.Leaf("InvoiceTypeCode", Checked(inv.type_code, kShort, "the invoice type code (BT-3)", "/type_code"));
    if (inv.tax_point_date || !inv.vat_point_date_code.empty()) {
      w_.Start("VATPointDate");  // a choice: the date wins (BR-CO-3 forbids both)
      if (inv.tax_point_date) {
        Date("VATPointDate", inv.tax_point_date);
        if (!inv.vat_point_date_code.empty()) {
          Lost("/vat_point_date_code", "the VAT point date code (BT-8) '" + inv.vat_point_date_code +
                                           "' beside a VAT point date (BT-7): the Estonian VATPointDate holds one of them");
        }
      } else {
        w_.Leaf("VATPointDateCode", Checked(inv.vat_point_date_code, kShort, "BT-8", "/vat_point_date_code"));
      }
      w_.End();
    }
    w_.Leaf("ProjectRef", inv.project_reference);
    w_.Leaf("ObjectId", inv.invoiced_object.value, "schemeId", inv.invoiced_object.scheme);
    w_.Leaf("PurchaseOrderRef", inv.purchase_order_reference);
    w_.Leaf("SalesOrderRef", inv.sales_order_reference);
    w_.Leaf("ReceivingAdviceRef", inv.receiving_advice_reference);
    w_.Leaf("DespatchAdviceRef", inv.despatch_advice_reference);
    w_.Leaf("TenderRef", inv.tender_reference);
    if (inv.delivery) Date("ActualDeliveryDate", inv.delivery->date);
    for (const model::PrecedingInvoice& p : inv.preceding_invoices) {
      w_.Start("PrecedingInvoice");
      Required("Number", p.number);
      Date("Date", p.issue_date);
      w_.End();
    }
    for (size_t i = 0; i < inv.documents.size(); ++i) {
      const model::SupportingDocument& d = inv.documents[i];
      const std::string path = "/documents/" + std::to_string(i);
      w_.Start("AdditionalDocument");
      Required("Number", d.id);
      Leaf("Name", d.description, kNormal, "the supporting document description (BT-123)", path + "/description");
      w_.Leaf("URL", d.url);
      if (d.attachment) {
        w_.Start("File");
        Required("Filename", Checked(d.attachment->filename, kNormal, "the attachment file name", path + "/attachment/filename"));
        Required("FileMimeCode", Checked(d.attachment->mime_code, kShort, "the attachment MIME code", path + "/attachment/mime_code"));
        w_.Leaf("BinaryObject", d.attachment->content_base64);
        w_.End();
      }
      w_.End();
    }
    w_.Start("ProcessControl");
    Required("BusinessProcessType", inv.business_process);
    Required("SpecificationId", inv.specification_id);
    w_.End();
    for (size_t i = 0; i < inv.notes.size(); ++i) {
      w_.Start("InvoiceNote");
      w_.Leaf("SubjectCode", inv.notes[i].subject_code);
      Required("Note", Checked(inv.notes[i].text, kLong, "the invoice note (BT-22)", "/notes/" + std::to_string(i) + "/text"));
      w_.End();
    }
    EndExtension();
  }

  void WritePaymentInfoEn() {
    if (!inv_->payment) return;
    const model::PaymentInstructions& p = *inv_->payment;
    const std::string account_name = p.credit_transfers.empty() ? "" : p.credit_transfers[0].account_name;
    if (p.means_code.empty() && !p.card && account_name.empty()) return;
    StartExtension("Extension", "PaymentInfoEN");
    Required("PaymentMethodCode", p.means_code);
    if (p.card) {
      w_.Start("PaymentCardInfo");
      Required("PrimaryAccountNumber", Checked(p.card->account_number, kLong, "BT-87", "/payment/card/account_number"));
      Required("PaymentCardHolderName", Checked(p.card->holder_name, kLong, "BT-88", "/payment/card/holder_name"));
      w_.End();
      if (!p.card->network.empty()) {
        Lost("/payment/card/network", "the card network '" + p.card->network + "' has no place in the Estonian e-invoice");
      }
    }
    w_.Leaf("PaymentAccountName", Checked(account_name, kLong, "the payment account name (BT-85)", "/payment/credit_transfers/0/account_name"));
    EndExtension();
  }

  // ---- InvoiceSumGroup ----

  void WriteVat(const model::VatCategory& category, const Decimal& base, const Decimal& tax, const std::string& reason,
                const std::string& reason_code, const std::string& path, bool with_base) {
    w_.Start("VAT");
    w_.Attribute("vatId", VatId(category.code));
    if (with_base) Amount("SumBeforeVAT", base, 4, "the VAT category taxable amount", path);
    Amount("VATRate", category.rate.value_or(Decimal()), 2, "the VAT rate", path);
    Amount("VATSum", tax, 4, "the VAT amount", path);
    StartExtension("Reference", "VATEN");
    Required("CategoryCode", category.code);
    w_.Leaf("ExemptionReasonCode", reason_code);
    w_.Leaf("ExemptionReasonText", Checked(reason, kLong, "the VAT exemption reason (BT-120)", path));
    EndExtension();
    w_.End();
  }

  // The tax an allowance or charge carries at its rate, for the VATRecord's required VATSum.
  static Decimal TaxOf(const Decimal& amount, const model::VatCategory& vat) {
    if (!vat.rate) return Decimal();
    return (amount * *vat.rate).DividedBy(Decimal::FromInt(100), 2);
  }

  void WriteAdditionCore(const model::AllowanceCharge& ac, const std::string& path) {
    w_.Start("Addition");
    w_.Attribute("addCode", ac.is_charge ? "CHR" : "DSC");
    // AddContent is required: the reason, else the reason code (which AdditionEN keeps as such).
    Required("AddContent", Checked(ac.reason.empty() ? ac.reason_code : ac.reason, kNormal,
                                   "the allowance or charge reason", path + "/reason"));
    Amount("AddRate", ac.percentage, 2, "the allowance or charge percentage", path + "/percentage");
    Amount("AddSum", ac.amount, 4, "the allowance or charge amount", path + "/amount");
    w_.End();
  }

  void WriteAdditionEn(const model::AllowanceCharge& ac, const std::string& path, bool document_level) {
    w_.Leaf("AddContent", Checked(ac.reason, kLong, "the allowance or charge reason", path + "/reason"));
    w_.Leaf("AddContentCode", ac.reason_code);
    Amount("AddBaseSum", ac.base_amount, 2, "the allowance or charge base amount", path + "/base_amount");
    Amount("AddRate", ac.percentage, 2, "the allowance or charge percentage", path + "/percentage");
    Amount("AddSum", ac.amount, 2, "the allowance or charge amount", path + "/amount");
    if (document_level && !ac.vat.code.empty()) {
      WriteVat(ac.vat, ac.amount, TaxOf(ac.amount, ac.vat), ac.exemption_reason, ac.exemption_reason_code,
               path + "/vat", false);
    }
  }

  void WriteSumGroup() {
    const Invoice& inv = *inv_;
    const model::Totals& t = inv.totals;
    w_.Start("InvoiceSumGroup");
    Amount("InvoiceSum", t.line_net_total, 4, "the sum of line net amounts (BT-106)", "/totals/line_net_total");
    for (size_t i = 0; i < inv.allowances_charges.size(); ++i) {
      WriteAdditionCore(inv.allowances_charges[i], "/allowances_charges/" + std::to_string(i));
    }
    Amount("Rounding", t.rounding, 4, "the rounding amount (BT-114)", "/totals/rounding");
    for (size_t i = 0; i < inv.vat_breakdown.size(); ++i) {
      const model::VatBreakdown& b = inv.vat_breakdown[i];
      WriteVat(b.category, b.taxable_amount, b.tax_amount, b.exemption_reason, b.exemption_reason_code,
               "/vat_breakdown/" + std::to_string(i), true);
    }
    Amount("TotalVATSum", t.vat_total, 2, "the total VAT amount (BT-110)", "/totals/vat_total");
    Amount("TotalSum", t.tax_inclusive, 2, "the total with VAT (BT-112)", "/totals/tax_inclusive");
    Amount("TotalToPay", t.payable, 2, "the amount due (BT-115)", "/totals/payable");
    w_.Leaf("Currency", inv.currency);
    if (!inv.buyer_accounting_reference.empty()) {
      w_.Start("Accounting");
      w_.Start("JournalEntry");
      Leaf("GeneralLedger", inv.buyer_accounting_reference, kShort, "the buyer accounting reference (BT-19)",
           "/buyer_accounting_reference");
      w_.End();
      w_.End();
    }
    for (size_t i = 0; i < inv.allowances_charges.size(); ++i) {
      StartExtension("Extension", "AdditionEN");
      // The block is the AdditionEN element itself: its attribute goes on the element opened last.
      w_.Attribute("addCode", inv.allowances_charges[i].is_charge ? "CHR" : "DSC");
      WriteAdditionEn(inv.allowances_charges[i], "/allowances_charges/" + std::to_string(i), true);
      EndExtension();
    }
    StartExtension("Extension", "InvoiceSumGroupEN");
    Amount("PrepaidAmount", t.prepaid, 2, "the paid amount (BT-113)", "/totals/prepaid");
    Amount("AllowanceSum", t.allowance_total, 2, "the sum of allowances (BT-107)", "/totals/allowance_total");
    Amount("ChargeSum", t.charge_total, 2, "the sum of charges (BT-108)", "/totals/charge_total");
    if (t.vat_total_accounting) {
      if (t.vat_total_accounting->SignificantScale() > 2) {
        Amount("InvoiceTotalVATSumInAccountingCurrency", *t.vat_total_accounting, 2, "BT-111", "/totals/vat_total_accounting");
      } else {
        w_.Number("InvoiceTotalVATSumInAccountingCurrency", t.vat_total_accounting->WithScale(2), "currency", inv.tax_currency);
      }
    } else if (!inv.tax_currency.empty()) {
      Lost("/tax_currency", "the VAT accounting currency (BT-6) '" + inv.tax_currency +
                                "' without the VAT total in it (BT-111): the Estonian e-invoice holds the currency "
                                "only as the attribute of that amount");
    }
    Amount("InvoiceTotalSumWithoutVAT", t.tax_exclusive, 2, "the total without VAT (BT-109)", "/totals/tax_exclusive");
    EndExtension();
    w_.End();
  }

  // ---- InvoiceItem ----

  void WriteLine(const model::Line& line, size_t index) {
    const std::string path = "/lines/" + std::to_string(index);
    const model::Item& item = line.item;
    w_.Start("ItemEntry");
    Leaf("RowNo", line.id, kNormal, "the line identifier (BT-126)", path + "/id");
    Leaf("SellerProductId", item.sellers_id, kShort, "the item seller's identifier (BT-155)", path + "/item/sellers_id");
    Leaf("BuyerProductId", item.buyers_id, kShort, "the item buyer's identifier (BT-156)", path + "/item/buyers_id");
    if (!line.accounting_reference.empty()) {
      w_.Start("Accounting");
      w_.Start("JournalEntry");
      Leaf("GeneralLedger", line.accounting_reference, kShort, "the line accounting reference (BT-133)",
           path + "/accounting_reference");
      w_.End();
      w_.End();
    }
    Required("Description", Checked(item.name, kLong, "the item name (BT-153)", path + "/item/name"));
    const bool ean = item.standard_id.scheme == "0160" && internal::Utf8Length(item.standard_id.value) <= kNormal;
    if (ean) w_.Leaf("EAN", item.standard_id.value);
    WriteLineEn(line, path, !ean);
    for (size_t i = 0; i < item.attributes.size(); ++i) {
      w_.Start("ItemReserve");
      w_.Attribute("extensionId", "AttributeEN");
      Leaf("InformationName", item.attributes[i].name, kNormal, "the item attribute name (BT-160)",
           path + "/item/attributes/" + std::to_string(i) + "/name");
      Required("InformationContent", Checked(item.attributes[i].value, kLong, "the item attribute value (BT-161)",
                                             path + "/item/attributes/" + std::to_string(i) + "/value"));
      w_.End();
    }
    w_.Start("ItemDetailInfo");
    Leaf("ItemUnit", line.unit, kShort, "the unit of measure (BT-130)", path + "/unit");
    Amount("ItemAmount", line.quantity, 4, "the invoiced quantity (BT-129)", path + "/quantity");
    Amount("ItemPrice", line.price.net, 4, "the item net price (BT-146)", path + "/price/net");
    w_.End();
    Amount("ItemSum", line.net_amount, 4, "the line net amount (BT-131)", path + "/net_amount");
    for (size_t i = 0; i < line.allowances_charges.size(); ++i) {
      WriteAdditionCore(line.allowances_charges[i], path + "/allowances_charges/" + std::to_string(i));
    }
    if (!line.vat.code.empty()) {
      const Decimal tax = TaxOf(line.net_amount, line.vat);
      WriteVat(line.vat, line.net_amount, tax, "", "", path + "/vat", true);
      Amount("ItemTotal", (line.net_amount + tax).Rounded(4), 4, "the line total with VAT", path);
    }
    w_.End();
  }

  void WriteLineEn(const model::Line& line, const std::string& path, bool standard_id_here) {
    const model::Item& item = line.item;
    const model::Price& price = line.price;
    const bool any = !line.note.empty() || !item.description.empty() || (standard_id_here && !item.standard_id.empty()) ||
                     !line.object_id.empty() || !item.classifications.empty() || !item.origin_country.empty() ||
                     !line.period.empty() || !line.allowances_charges.empty() || price.discount || price.gross ||
                     price.base_quantity || !price.base_unit.empty() || !line.order_line_reference.empty();
    if (!any) return;
    StartExtension("ItemReserve", "ItemEntryEN");
    w_.Leaf("InfoText", Checked(line.note, kLong, "the line note (BT-127)", path + "/note"));
    w_.Leaf("ItemDetailedDescription", Checked(item.description, kLong, "the item description (BT-154)", path + "/item/description"));
    if (standard_id_here && !item.standard_id.empty()) {
      w_.Start("ItemAdditionalId");
      w_.Attribute("schemeId", item.standard_id.scheme);
      w_.Text(item.standard_id.value);
      w_.End();
    }
    w_.Leaf("ObjectId", line.object_id.value, "schemeId", line.object_id.scheme);
    for (const model::Classification& c : item.classifications) {
      w_.Start("ItemClassification");
      w_.Attribute("schemeId", c.list_id);
      if (!c.list_version.empty()) w_.Attribute("schemeVersionId", c.list_version);
      w_.Text(c.code);
      w_.End();
    }
    w_.Leaf("ItemCountryOfOrigin", item.origin_country);
    if (!line.period.empty()) {
      w_.Start("Period");
      Date("StartDate", line.period.start);
      Date("EndDate", line.period.end);
      w_.End();
    }
    for (size_t i = 0; i < line.allowances_charges.size(); ++i) {
      w_.Start("Addition");
      w_.Attribute("addCode", line.allowances_charges[i].is_charge ? "CHR" : "DSC");
      WriteAdditionEn(line.allowances_charges[i], path + "/allowances_charges/" + std::to_string(i), false);
      w_.End();
    }
    w_.Start("ItemPriceInfo");
    Amount("ItemDiscountSum", price.discount, 4, "the item price discount (BT-147)", path + "/price/discount");
    Amount("ItemPriceBaseQuantity", price.base_quantity, 2, "the item price base quantity (BT-149)", path + "/price/base_quantity");
    w_.Leaf("ItemPriceBaseQuantityUnit", price.base_unit);
    Amount("ItemGrossPrice", price.gross, 4, "the item gross price (BT-148)", path + "/price/gross");
    w_.End();
    w_.Leaf("PurchaseOrderLineRef", Checked(line.order_line_reference, kLong, "BT-132", path + "/order_line_reference"));
    EndExtension();
  }

  void WriteItems() {
    w_.Start("InvoiceItem");
    w_.Start("InvoiceItemGroup");
    for (size_t i = 0; i < inv_->lines.size(); ++i) WriteLine(inv_->lines[i], i);
    w_.End();
    w_.End();
  }

  // ---- AdditionalInformation: the seller's tax representative (BG-11) ----

  void WriteAdditionalInformation() {
    if (!inv_->tax_representative) return;
    const model::TaxRepresentative& r = *inv_->tax_representative;
    w_.Start("AdditionalInformation");
    w_.Attribute("extensionId", "SellerTaxRepPartyEN");
    w_.Leaf("InformationContent", "SellerTaxRepPartyEN");
    w_.Start("CustomContent");
    w_.Start("SellerTaxRepPartyEN");
    Required("Name", Checked(r.name, kNormal, "the tax representative name (BT-62)", "/tax_representative/name"));
    Leaf("VATRegNumber", r.vat_id, kReg, "the tax representative VAT identifier (BT-63)", "/tax_representative/vat_id");
    if (!r.address.empty()) {
      w_.Start("ContactData");
      WriteAddress(r.address, "/tax_representative/address");
      w_.End();
    }
    w_.End();
    w_.End();
    w_.End();
  }

  // ---- PaymentInfo (required) ----

  void WritePaymentInfo() {
    const Invoice& inv = *inv_;
    const model::PaymentInstructions* p = inv.payment ? &*inv.payment : nullptr;
    w_.Start("PaymentInfo");
    w_.Leaf("Currency", inv.currency);
    const std::string remittance = p != nullptr ? p->remittance_info : "";
    if (IsReference(remittance)) {
      w_.Leaf("PaymentRefId", remittance);
    } else {
      // Required when there is no reference: the remittance information, else the invoice number
      // (as Estonian invoices do), which reads back as BT-83.
      const std::string& text = remittance.empty() ? inv.number : remittance;
      if (remittance.empty()) {
        Added("/payment/remittance_info", "the invoice has no remittance information (BT-83); PaymentDescription, "
                                          "which the format requires, holds the invoice number, which reads back as BT-83");
      }
      if (internal::Utf8Length(text) > 210 || !internal::PaymentDescriptionCharacters(text)) {
        errors_.push_back(Finding{"ee.unconvertible", Finding::Severity::kFatal,
                                  prefix_ + (remittance.empty() ? "/number" : "/payment/remittance_info"),
                                  "the payment description '" + text +
                                      "' must have at most 210 characters of Latin-1 (and Šš Žž) for the Estonian "
                                      "PaymentDescription"});
      }
      w_.Leaf("PaymentDescription", text);
    }
    w_.Leaf("Payable", inv.totals.payable > Decimal() ? "YES" : "NO");
    Date("PayDueDate", inv.due_date);
    Amount("PaymentTotalSum", inv.totals.payable, 2, "the amount due (BT-115)", "/totals/payable");
    Required("PayerName", Checked(inv.buyer.name, kNormal, "the buyer name (BT-44)", "/buyer/name"));
    Required("PaymentId", Checked(inv.number, kNormal, "the invoice number (BT-1)", "/number"));
    const model::CreditTransfer* account = p != nullptr && !p->credit_transfers.empty() ? &p->credit_transfers[0] : nullptr;
    if (account == nullptr || !ValidAccount(account->account_id)) {
      errors_.push_back(Finding{
          "ee.unconvertible", Finding::Severity::kFatal, prefix_ + "/payment/credit_transfers/0/account_id",
          account == nullptr
              ? "the Estonian e-invoice requires the seller's payment account (BT-84, PaymentInfo/PayToAccount); the "
                "invoice has none"
              : "the payment account (BT-84) '" + account->account_id +
                    "' must be at most 35 capital letters and digits for PaymentInfo/PayToAccount"});
    }
    w_.Leaf("PayToAccount", account != nullptr ? account->account_id : "");
    const std::string& payee = inv.payee ? inv.payee->name : inv.seller.name;
    Required("PayToName", Checked(payee, kNormal, "the payee name", inv.payee ? "/payee/name" : "/seller/name"));
    if (account != nullptr) Leaf("PayToBIC", account->bank_id, 11, "the payment service provider (BT-86)", "/payment/credit_transfers/0/bank_id");
    if (p != nullptr) {
      for (size_t i = 1; i < p->credit_transfers.size(); ++i) {
        Lost("/payment/credit_transfers/" + std::to_string(i),
             "the payment account '" + p->credit_transfers[i].account_id +
                 "' (a second BG-17) has no place: PaymentInfo holds one account");
      }
      if (p->direct_debit) {
        Leaf("DirectDebitPayeeContractNumber", p->direct_debit->creditor_id, kShort, "the creditor identifier (BT-90)",
             "/payment/direct_debit/creditor_id");
        const std::string& mandate = p->direct_debit->mandate_reference;
        if (AllDigits(mandate) && mandate.size() <= 20) {
          w_.Leaf("DirectDebitPayerNumber", mandate);
        } else if (!mandate.empty()) {
          Lost("/payment/direct_debit/mandate_reference",
               "the mandate reference (BT-89) '" + mandate + "' is not up to 20 digits, as DirectDebitPayerNumber requires");
        }
      }
    }
    w_.End();
  }

  static bool ValidAccount(std::string_view s) {
    if (s.empty() || s.size() > 35) return false;
    for (char c : s) {
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
    }
    return true;
  }

  XmlWriter& w_;
  std::vector<Finding>* losses_;
  std::vector<Finding> errors_;
  std::string prefix_;
  const Invoice* inv_ = nullptr;
};

}  // namespace

Result<std::string> WriteBatch(const Batch& batch, std::vector<Finding>* losses) {
  if (batch.invoices.empty()) return Error::InvalidArgument("an Estonian e-invoice file needs at least one invoice");
  std::vector<Finding> problems = internal::CheckHeader(batch.header);
  for (size_t i = 0; i < batch.invoices.size(); ++i) {
    std::vector<Finding> found = internal::CheckInvoiceRouting(batch.invoices[i].routing, batch.header);
    const std::string& given = batch.invoices[i].routing.seller_reg_number;
    const std::string& bt30 = batch.invoices[i].invoice.seller.legal_registration_id.value;
    if (!given.empty() && !bt30.empty() && given != bt30) {
      found.push_back(Finding{"ee.routing", Finding::Severity::kFatal, "seller_reg_number",
                              "routing key 'seller_reg_number' (Invoice/@sellerRegnumber) '" + given +
                                  "' differs from the seller's legal registration identifier (BT-30) '" + bt30 +
                                  "', which SellerParty/RegNumber holds; leave the key out to use BT-30"});
    }
    for (Finding& f : found) {
      if (batch.invoices.size() > 1) f.location = "invoices/" + std::to_string(i) + "/" + f.location;
      problems.push_back(std::move(f));
    }
  }
  if (!problems.empty()) {
    return Error::InvalidInput("the routing data of the Estonian e-invoice file is incomplete or invalid",
                               std::move(problems));
  }
  XmlWriter w;
  w.Start("E_Invoice");
  w.Attribute("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
  w.Attribute("xsi:noNamespaceSchemaLocation", "e-invoice_ver1.2.xsd");
  const FileHeader& h = batch.header;
  w.Start("Header");
  if (h.test) w.Leaf("Test", "YES");
  w.Leaf("Date", h.date->ToString());
  w.Leaf("FileId", h.file_id);
  w.Leaf("AppId", h.app_id);
  w.Leaf("Version", h.version);
  w.Leaf("SenderId", h.sender_id);
  w.Leaf("ReceiverId", h.receiver_id);
  w.Leaf("ContractId", h.contract_id);
  w.Leaf("PayeeAccountNumber", h.payee_account_number);
  w.End();
  Writer writer(w, losses);
  Decimal total;
  for (size_t i = 0; i < batch.invoices.size(); ++i) {
    writer.WriteInvoice(batch.invoices[i].invoice, batch.invoices[i].routing, i);
    total += batch.invoices[i].invoice.totals.tax_inclusive;
  }
  if (!writer.errors().empty()) {
    return Error::InvalidInput("the invoice cannot be written as an Estonian e-invoice without changing it",
                               std::move(writer.errors()));
  }
  w.Start("Footer");
  w.Leaf("TotalNumberInvoices", std::to_string(batch.invoices.size()));
  w.Number("TotalAmount", total.WithScale(2));
  w.End();
  w.End();
  return w.Finish();
}

}  // namespace gw::formats::ee
