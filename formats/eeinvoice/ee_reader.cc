// Estonian e-invoice 1.2 / 1.2.EN: the inverse of ee_writer.cc. Elements are found by name, so
// files of other writers read the same way. Where the core and an EN block hold the same term
// (an allowance's reason and amount, the type code), the EN block wins; a 1.2 file without EN
// blocks is read from the core alone (category from @vatId, type code from Type/@type).
#include <unordered_map>

#include "formats/core/participant_id.h"
#include "formats/core/type_codes.h"
#include "formats/core/payment_reference.h"
#include "formats/eeinvoice/ee_internal.h"
#include "formats/eeinvoice/ee_invoice.h"
#include "formats/ubl/ubl_read_context.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::ee {
namespace {

using model::Invoice;
using xml::kNoNode;
using xml::NodeId;

// Navigation over un-namespaced elements by local name, collecting unreadable values.
class Reader : public internal::Nav {
 public:
  Reader(const xml::Document& doc, std::vector<Finding>* losses) : Nav(doc), losses_(losses) {}

  std::vector<Finding>& findings() { return findings_; }

  std::optional<Decimal> Number(NodeId element) {
    if (element == kNoNode) return std::nullopt;
    const std::string text = Text(element);
    auto d = Decimal::Parse(text);
    if (!d) {
      Add("ee.number", element, "'" + text + "' is not a decimal number (digits with an optional '.' and sign)");
      return std::nullopt;
    }
    return *d;
  }
  std::optional<Decimal> Number(NodeId parent, std::string_view local) { return Number(Child(parent, local)); }
  std::optional<Date> DateValue(NodeId element) {
    if (element == kNoNode) return std::nullopt;
    const std::string text = Text(element);
    auto d = Date::Parse(text);
    if (!d) {
      Add("ee.date", element, "'" + text + "' is not a date YYYY-MM-DD");
      return std::nullopt;
    }
    return *d;
  }
  std::optional<Date> DateValue(NodeId parent, std::string_view local) { return DateValue(Child(parent, local)); }
  model::Identifier Identifier(NodeId element) const { return {Text(element), Attr(element, "schemeId")}; }

  void Add(std::string rule, NodeId node, std::string message) {
    findings_.push_back(Finding{std::move(rule), Finding::Severity::kFatal, Path(node), std::move(message)});
  }
  void Lost(NodeId node, const std::string& what) {
    if (losses_ != nullptr) {
      losses_->push_back(Finding{"ee.lost", Finding::Severity::kWarning, Path(node),
                                 what + " has no place in the EN16931 model; it is not carried over"});
    }
  }
  // Reports every child element of `parent` whose name is not in `known` as lost.
  // Reports the elements `locals` of `parent` that have text as lost ("the <what> <name>").
  void LoseAll(NodeId parent, std::initializer_list<std::string_view> locals, std::string_view what) {
    for (std::string_view local : locals) {
      NodeId n = Child(parent, local);
      if (n != kNoNode && !Text(n).empty()) Lost(n, std::string(what) + " " + std::string(local));
    }
  }

  // The EN block inside an ExtensionRecord-typed element (Extension, ItemReserve, Reference,
  // AdditionalInformation): CustomContent's child named `block`, or kNoNode.
  NodeId Block(NodeId extension, std::string_view block) const {
    return Child(Child(extension, "CustomContent"), block);
  }
  // Calls fn(block) for every EN block `block` in the extensions `element` of `parent`,
  // whatever their extensionId says (the Annex A example names them inconsistently).
  template <typename Fn>
  void ForEachBlock(NodeId parent, std::string_view element, std::string_view block, Fn&& fn) const {
    ForEach(parent, element, [&](NodeId ext) {
      ForEach(Child(ext, "CustomContent"), block, fn);
    });
  }
  NodeId FirstBlock(NodeId parent, std::string_view element, std::string_view block) const {
    NodeId found = kNoNode;
    ForEachBlock(parent, element, block, [&](NodeId b) {
      if (found == kNoNode) found = b;
    });
    return found;
  }

  std::vector<Finding>* losses_;
  std::vector<Finding> findings_;
};

class InvoiceReader {
 public:
  InvoiceReader(Reader& in) : in_(in) {}

  BatchInvoice Read(NodeId node) {
    BatchInvoice out;
    InvoiceRouting& r = out.routing;
    r.invoice_id = in_.Attr(node, "invoiceId");
    r.reg_number = in_.Attr(node, "regNumber");
    r.seller_reg_number = in_.Attr(node, "sellerRegnumber");
    r.service_id = in_.Attr(node, "serviceId");
    r.channel_id = in_.Attr(node, "channelId");
    r.channel_address = in_.Attr(node, "channelAddress");
    r.presentment = in_.Attr(node, "presentment");
    r.factoring = in_.Attr(node, "factoring");
    r.template_id = in_.Attr(node, "templateId");
    r.language_id = in_.Attr(node, "languageId");
    r.invoice_glob_uniq_id = in_.Attr(node, "invoiceGlobUniqId");
    r.seller_contract_id = in_.Attr(node, "sellerContractId");

    Invoice& inv = out.invoice;
    inv_ = &inv;
    ReadInformation(in_.Child(node, "InvoiceInformation"));
    ReadParties(in_.Child(node, "InvoiceParties"));
    ReadSumGroup(node);
    ReadItems(in_.Child(node, "InvoiceItem"));
    ReadAdditionalInformation(node);
    ReadAttachment(in_.Child(node, "AttachmentFile"));
    ReadPaymentInfo(in_.Child(node, "PaymentInfo"));
    return out;
  }

 private:
  // ---- parties ----

  model::Address ReadAddress(NodeId contact) {
    model::Address a;
    NodeId addr = in_.Child(contact, "MailAddress");
    if (addr == kNoNode) addr = in_.Child(contact, "LegalAddress");
    if (addr == kNoNode) return a;
    a.line1 = in_.Text(addr, "PostalAddress1");
    a.line2 = in_.Text(addr, "PostalAddress2");
    a.city = in_.Text(addr, "City");
    a.postal_code = in_.Text(addr, "PostalCode");
    NodeId en = in_.FirstBlock(addr, "Extension", "MailAddressEN");
    if (en != kNoNode) {
      a.line3 = in_.Text(en, "PostalAddress3");
      a.subdivision = in_.Text(en, "CountrySubDivision");
      a.country = in_.Text(en, "CountryCode");
    } else if (NodeId country = in_.Child(addr, "Country"); country != kNoNode && !in_.Text(country).empty()) {
      // The core's Country is a name ("Eesti"); EN16931 wants the ISO code.
      in_.Lost(country, "the country name '" + in_.Text(country) + "' (without MailAddressEN/CountryCode)");
    }
    return a;
  }

  void ReadParty(NodeId node, model::Party& p, bool seller) {
    if (node == kNoNode) return;
    std::string gln = in_.Text(node, "GLN");
    if (!gln.empty()) p.identifiers.push_back({gln, "0088"});
    if (NodeId unique = in_.Child(node, "UniqueCode"); unique != kNoNode && !in_.Text(unique).empty()) {
      p.identifiers.push_back({in_.Text(unique), ""});
    }
    p.name = in_.Text(node, "Name");
    p.legal_registration_id.value = in_.Text(node, "RegNumber");
    p.vat_id = in_.Text(node, "VATRegNumber");
    NodeId contact = in_.Child(node, "ContactData");
    p.contact.name = in_.Text(contact, "ContactName");
    p.contact.phone = in_.Text(contact, "PhoneNumber");
    p.contact.email = in_.Text(contact, "E-mailAddress");
    p.address = ReadAddress(contact);
    NodeId account = in_.Child(node, "AccountInfo");
    if (!seller && account != kNoNode) {
      debited_account_ = in_.Text(account, "AccountNumber");
    } else if (account != kNoNode) {
      // The seller's accounts: EN16931 has the payment account (BT-84) from PaymentInfo only.
      in_.ForEach(node, "AccountInfo", [&](NodeId a) { in_.Lost(a, "the seller's account " + in_.Text(a, "AccountNumber")); });
    }
    in_.LoseAll(node, {"DepId", "TransactionPartnerCode"}, "the party's");
    NodeId en = in_.FirstBlock(node, "Extension", "PartyEN");
    if (en != kNoNode) {
      p.trading_name = in_.Text(en, "TradingName");
      p.legal_info = in_.Text(en, "AdditionalLegalInfo");
      in_.ForEach(en, "PartyId", [&](NodeId id) {
        model::Identifier ident = in_.Identifier(id);
        // The Annex A example repeats the GLN as a PartyId: kept once.
        for (const model::Identifier& known : p.identifiers) {
          if (known.value == ident.value && known.scheme == ident.scheme) return;
        }
        p.identifiers.push_back(std::move(ident));
      });
      NodeId address = in_.Child(en, "PartyElectronicAddress");
      if (address != kNoNode) {
        auto id = ParticipantId::FromDocument(in_.Attr(address, "schemeId"), in_.Text(address));
        if (id) {
          p.electronic_address = *id;
        } else {
          in_.Lost(address, "the electronic address '" + in_.Text(address) + "' (" + id.error().message() + ")");
        }
      }
      p.tax_registration_id = in_.Text(en, "TaxRegId");
    }
  }

  void ReadParties(NodeId parties) {
    Invoice& inv = *inv_;
    ReadParty(in_.Child(parties, "SellerParty"), inv.seller, true);
    ReadParty(in_.Child(parties, "BuyerParty"), inv.buyer, false);
    if (NodeId d = in_.Child(parties, "DeliveryParty"); d != kNoNode) {
      model::Party party;
      ReadParty(d, party, false);
      in_.LoseAll(d, {"UniqueCode", "RegNumber", "VATRegNumber", "DepId"}, "the deliver-to party's");
      in_.LoseAll(in_.Child(d, "ContactData"), {"ContactName", "PhoneNumber", "E-mailAddress"}, "the deliver-to party's");
      model::Delivery& delivery = Delivery();
      delivery.party_name = party.name;
      delivery.address = party.address;
      if (!party.identifiers.empty()) delivery.location_id = party.identifiers[0];
    }
    if (NodeId f = in_.Child(parties, "FactorParty"); f != kNoNode) {
      model::Party party;
      ReadParty(f, party, false);
      in_.LoseAll(f, {"VATRegNumber", "DepId"}, "the payee's (FactorParty)");
      in_.LoseAll(in_.Child(f, "ContactData"), {"ContactName", "PhoneNumber", "E-mailAddress"}, "the payee's (FactorParty)");
      model::Payee payee;
      payee.name = party.name;
      if (!party.identifiers.empty()) payee.identifier = party.identifiers.back();
      payee.legal_registration_id = party.legal_registration_id;
      inv.payee = payee;
    }
    for (const char* other : {"RecipientParty", "PayerParty"}) {
      if (NodeId n = in_.Child(parties, other); n != kNoNode) in_.Lost(n, std::string("the ") + other);
    }
  }

  model::Delivery& Delivery() {
    if (!inv_->delivery) inv_->delivery.emplace();
    return *inv_->delivery;
  }

  // ---- InvoiceInformation ----

  void ReadInformation(NodeId info) {
    Invoice& inv = *inv_;
    NodeId type = in_.Child(info, "Type");
    const std::string ee_type = in_.Attr(type, "type");
    inv.contract_reference = in_.Text(info, "ContractNumber");
    inv.number = in_.Text(info, "InvoiceNumber");
    if (inv.number.empty()) in_.Add("ee.required", info, "InvoiceInformation has no InvoiceNumber (BT-1)");
    inv.buyer_reference = in_.Text(info, "InvoiceContentCode");
    payment_reference_ = in_.Text(info, "PaymentReferenceNumber");
    means_text_ = in_.Text(info, "PaymentMethod");
    NodeId date = in_.Child(info, "InvoiceDate");
    if (date == kNoNode) {
      in_.Add("ee.required", info, "InvoiceInformation has no InvoiceDate (BT-2)");
    } else if (auto d = in_.DateValue(date)) {
      inv.issue_date = *d;
    }
    inv.due_date = in_.DateValue(info, "DueDate");
    inv.payment_terms = in_.Text(info, "PaymentTerm");
    NodeId period = in_.Child(info, "Period");
    inv.invoice_period.start = in_.DateValue(period, "StartDate");
    inv.invoice_period.end = in_.DateValue(period, "EndDate");
    for (const char* lost : {"FactorContractNumber", "FineRatePerDay", "InvoiceContentText"}) {
      if (NodeId n = in_.Child(info, lost); n != kNoNode && !in_.Text(n).empty()) in_.Lost(n, std::string("the ") + lost);
    }

    NodeId en = in_.FirstBlock(info, "Extension", "InvoiceInformationEN");
    inv.type_code = in_.Text(en, "InvoiceTypeCode");
    if (inv.type_code.empty()) inv.type_code = ee_type == "CRE" ? "381" : "380";
    inv.kind = IsCreditNoteKindCode(inv.type_code) ? model::DocumentKind::kCreditNote : model::DocumentKind::kInvoice;
    NodeId vat_point = in_.Child(en, "VATPointDate");
    inv.tax_point_date = in_.DateValue(vat_point, "VATPointDate");
    inv.vat_point_date_code = in_.Text(vat_point, "VATPointDateCode");
    inv.project_reference = in_.Text(en, "ProjectRef");
    inv.invoiced_object = in_.Identifier(in_.Child(en, "ObjectId"));
    inv.purchase_order_reference = in_.Text(en, "PurchaseOrderRef");
    inv.sales_order_reference = in_.Text(en, "SalesOrderRef");
    inv.receiving_advice_reference = in_.Text(en, "ReceivingAdviceRef");
    inv.despatch_advice_reference = in_.Text(en, "DespatchAdviceRef");
    inv.tender_reference = in_.Text(en, "TenderRef");
    if (auto d = in_.DateValue(en, "ActualDeliveryDate")) Delivery().date = d;
    in_.ForEach(en, "PrecedingInvoice", [&](NodeId p) {
      inv.preceding_invoices.push_back({in_.Text(p, "Number"), in_.DateValue(p, "Date")});
    });
    if (inv.preceding_invoices.empty()) {
      const std::string source = in_.Text(type, "SourceInvoice");
      if (!source.empty()) inv.preceding_invoices.push_back({source, std::nullopt});
    }
    in_.ForEach(en, "AdditionalDocument", [&](NodeId d) {
      model::SupportingDocument doc;
      doc.id = in_.Text(d, "Number");
      doc.description = in_.Text(d, "Name");
      doc.url = in_.Text(d, "URL");
      NodeId file = in_.Child(d, "File");
      if (file != kNoNode) {
        model::Attachment a;
        a.filename = in_.Text(file, "Filename");
        a.mime_code = in_.Text(file, "FileMimeCode");
        a.content_base64 = in_.Text(file, "BinaryObject");
        doc.attachment = std::move(a);
      }
      inv.documents.push_back(std::move(doc));
    });
    NodeId process = in_.Child(en, "ProcessControl");
    inv.business_process = in_.Text(process, "BusinessProcessType");
    inv.specification_id = in_.Text(process, "SpecificationId");
    in_.ForEach(en, "InvoiceNote", [&](NodeId n) {
      inv.notes.push_back({in_.Text(n, "SubjectCode"), in_.Text(n, "Note")});
    });
    ReadPaymentInfoEn(in_.FirstBlock(info, "Extension", "PaymentInfoEN"));
  }

  // PaymentInfoEN: in InvoiceInformation/Extension (our place) or AdditionalInformation (the
  // Annex A example has both); the terms found first win.
  void ReadPaymentInfoEn(NodeId en) {
    if (en == kNoNode) return;
    if (means_code_.empty()) means_code_ = in_.Text(en, "PaymentMethodCode");
    NodeId card = in_.Child(en, "PaymentCardInfo");
    if (card != kNoNode && !card_) {
      card_ = model::CardPayment{in_.Text(card, "PrimaryAccountNumber"), "", in_.Text(card, "PaymentCardHolderName")};
    }
    if (account_name_.empty()) account_name_ = in_.Text(en, "PaymentAccountName");
  }

  // ---- InvoiceSumGroup ----

  model::VatCategory ReadVatCategory(NodeId vat, std::string* reason, std::string* reason_code) {
    model::VatCategory c;
    NodeId en = in_.Block(in_.Child(vat, "Reference"), "VATEN");
    auto rate = in_.Number(vat, "VATRate");
    c.code = in_.Text(en, "CategoryCode");
    if (c.code.empty()) {  // a 1.2 file: from the core's code and rate
      const std::string id = in_.Attr(vat, "vatId");
      c.code = id == "NOTTAX" ? "O" : id == "TAXEX" ? "E" : rate && rate->is_zero() ? "Z" : "S";
    }
    if (c.code != "O") c.rate = rate;
    if (reason != nullptr) *reason = in_.Text(en, "ExemptionReasonText");
    if (reason_code != nullptr) *reason_code = in_.Text(en, "ExemptionReasonCode");
    return c;
  }

  model::AllowanceCharge ReadAdditionCore(NodeId a) {
    model::AllowanceCharge ac;
    ac.is_charge = in_.Attr(a, "addCode") == "CHR";
    ac.reason = in_.Text(a, "AddContent");
    ac.percentage = in_.Number(a, "AddRate");
    ac.amount = in_.Number(a, "AddSum").value_or(Decimal());
    ac.amount_given = true;
    return ac;
  }
  // AdditionEN over the core's Addition: every term of the block replaces the core's.
  void ApplyAdditionEn(NodeId en, model::AllowanceCharge& ac, bool document_level) {
    ac.is_charge = in_.Attr(en, "addCode") == "CHR";
    ac.reason = in_.Text(en, "AddContent");
    ac.reason_code = in_.Text(en, "AddContentCode");
    // The core's AddContent is required, so a code-only reason is written there too.
    ac.base_amount = in_.Number(en, "AddBaseSum");
    ac.percentage = in_.Number(en, "AddRate");
    if (auto sum = in_.Number(en, "AddSum")) ac.amount = *sum;
    ac.amount_given = true;
    NodeId vat = in_.Child(en, "VAT");
    if (document_level && vat != kNoNode) {
      ac.vat = ReadVatCategory(vat, &ac.exemption_reason, &ac.exemption_reason_code);
    }
  }

  void ReadSumGroup(NodeId invoice) {
    Invoice& inv = *inv_;
    NodeId sum = in_.Child(invoice, "InvoiceSumGroup");
    bool first = true;
    in_.ForEach(invoice, "InvoiceSumGroup", [&](NodeId g) {
      if (!first) in_.Lost(g, "a second InvoiceSumGroup (totals in another currency)");
      first = false;
    });
    model::DeclaredTotals& d = inv.declared_totals;
    d.line_net_total = in_.Number(sum, "InvoiceSum");
    std::vector<NodeId> core;
    in_.ForEach(sum, "Addition", [&](NodeId a) { core.push_back(a); });
    std::vector<NodeId> en;
    in_.ForEachBlock(sum, "Extension", "AdditionEN", [&](NodeId a) { en.push_back(a); });
    for (size_t i = 0; i < std::max(core.size(), en.size()); ++i) {
      model::AllowanceCharge ac = i < core.size() ? ReadAdditionCore(core[i]) : model::AllowanceCharge{};
      if (i < en.size()) ApplyAdditionEn(en[i], ac, true);
      inv.allowances_charges.push_back(std::move(ac));
    }
    inv.totals.rounding = in_.Number(sum, "Rounding");
    in_.ForEach(sum, "VAT", [&](NodeId v) {
      model::VatBreakdown b;
      b.category = ReadVatCategory(v, &b.exemption_reason, &b.exemption_reason_code);
      b.taxable_amount = in_.Number(v, "SumBeforeVAT").value_or(Decimal());
      b.tax_amount = in_.Number(v, "VATSum").value_or(Decimal());
      inv.vat_breakdown.push_back(std::move(b));
    });
    inv.vat_breakdown_given = !inv.vat_breakdown.empty();
    d.vat_total = in_.Number(sum, "TotalVATSum");
    d.tax_inclusive = in_.Number(sum, "TotalSum");
    d.payable = in_.Number(sum, "TotalToPay");
    inv.currency = in_.Text(sum, "Currency");
    NodeId accounting = in_.Child(sum, "Accounting");
    inv.buyer_accounting_reference = in_.Text(in_.Child(accounting, "JournalEntry"), "GeneralLedger");
    for (const char* lost : {"Balance", "PenaltySum"}) {
      if (NodeId n = in_.Child(sum, lost); n != kNoNode) in_.Lost(n, std::string("the ") + lost);
    }
    NodeId en_sum = in_.FirstBlock(sum, "Extension", "InvoiceSumGroupEN");
    inv.totals.prepaid = in_.Number(en_sum, "PrepaidAmount");
    d.allowance_total = in_.Number(en_sum, "AllowanceSum");
    d.charge_total = in_.Number(en_sum, "ChargeSum");
    NodeId accounting_vat = in_.Child(en_sum, "InvoiceTotalVATSumInAccountingCurrency");
    if (accounting_vat != kNoNode) {
      inv.totals.vat_total_accounting = in_.Number(accounting_vat);
      inv.tax_currency = in_.Attr(accounting_vat, "currency");
    }
    d.tax_exclusive = in_.Number(en_sum, "InvoiceTotalSumWithoutVAT");
    // BG-22 as stated (what is absent stays absent or 0), as the UBL and CII readers do; the
    // amount due may still come from PaymentInfo/PaymentTotalSum.
    ubl::internal::TotalsAsDeclared(inv);
  }

  // ---- InvoiceItem ----

  void ReadLine(NodeId e) {
    model::Line line;
    model::Item& item = line.item;
    line.id = in_.Text(e, "RowNo");
    item.sellers_id = in_.Text(e, "SellerProductId");
    item.buyers_id = in_.Text(e, "BuyerProductId");
    line.accounting_reference = in_.Text(in_.Child(in_.Child(e, "Accounting"), "JournalEntry"), "GeneralLedger");
    item.name = in_.Text(e, "Description");
    if (NodeId ean = in_.Child(e, "EAN"); ean != kNoNode) item.standard_id = {in_.Text(ean), "0160"};
    for (const char* lost : {"SerialNumber", "TaricCode", "CustomerRef", "InitialReading", "FinalReading"}) {
      if (NodeId n = in_.Child(e, lost); n != kNoNode && !in_.Text(n).empty()) in_.Lost(n, std::string("the ") + lost);
    }
    NodeId detail = in_.Child(e, "ItemDetailInfo");
    line.unit = in_.Text(detail, "ItemUnit");
    line.quantity = in_.Number(detail, "ItemAmount").value_or(Decimal());
    line.price.net = in_.Number(detail, "ItemPrice").value_or(Decimal());
    std::vector<NodeId> core;
    in_.ForEach(e, "Addition", [&](NodeId a) { core.push_back(a); });
    NodeId en = in_.FirstBlock(e, "ItemReserve", "ItemEntryEN");
    std::vector<NodeId> en_additions;
    in_.ForEach(en, "Addition", [&](NodeId a) { en_additions.push_back(a); });
    in_.ForEachBlock(e, "ItemReserve", "AdditionEN", [&](NodeId a) { en_additions.push_back(a); });
    for (size_t i = 0; i < std::max(core.size(), en_additions.size()); ++i) {
      model::AllowanceCharge ac = i < core.size() ? ReadAdditionCore(core[i]) : model::AllowanceCharge{};
      if (i < en_additions.size()) ApplyAdditionEn(en_additions[i], ac, false);
      line.allowances_charges.push_back(std::move(ac));
    }
    NodeId vat = in_.Child(e, "VAT");
    if (vat != kNoNode) line.vat = ReadVatCategory(vat, nullptr, nullptr);
    // BT-131: the binding's VAT/SumBeforeVAT, else ItemSum.
    auto net = in_.Number(vat, "SumBeforeVAT");
    if (!net) net = in_.Number(e, "ItemSum");
    line.net_amount = net.value_or(Decimal());
    line.net_amount_given = net.has_value();
    if (en != kNoNode) {
      line.note = in_.Text(en, "InfoText");
      item.description = in_.Text(en, "ItemDetailedDescription");
      if (NodeId id = in_.Child(en, "ItemAdditionalId"); id != kNoNode) item.standard_id = in_.Identifier(id);
      line.object_id = in_.Identifier(in_.Child(en, "ObjectId"));
      in_.ForEach(en, "ItemClassification", [&](NodeId c) {
        item.classifications.push_back({in_.Text(c), in_.Attr(c, "schemeId"), in_.Attr(c, "schemeVersionId")});
      });
      item.origin_country = in_.Text(en, "ItemCountryOfOrigin");
      NodeId period = in_.Child(en, "Period");
      line.period.start = in_.DateValue(period, "StartDate");
      line.period.end = in_.DateValue(period, "EndDate");
      NodeId price = in_.Child(en, "ItemPriceInfo");
      line.price.discount = in_.Number(price, "ItemDiscountSum");
      line.price.base_quantity = in_.Number(price, "ItemPriceBaseQuantity");
      line.price.base_unit = in_.Text(price, "ItemPriceBaseQuantityUnit");
      line.price.gross = in_.Number(price, "ItemGrossPrice");
      line.order_line_reference = in_.Text(en, "PurchaseOrderLineRef");
    }
    in_.ForEach(e, "ItemReserve", [&](NodeId r) {
      if (in_.Attr(r, "extensionId") == "AttributeEN") {
        item.attributes.push_back({in_.Text(r, "InformationName"), in_.Text(r, "InformationContent")});
      }
    });
    inv_->lines.push_back(std::move(line));
  }

  void ReadItems(NodeId items) {
    in_.ForEach(items, "InvoiceItemGroup", [&](NodeId group) {
      in_.ForEach(group, "ItemEntry", [&](NodeId e) { ReadLine(e); });
      if (NodeId g = in_.Child(group, "GroupEntry"); g != kNoNode) in_.Lost(g, "the group summary GroupEntry");
    });
    for (const char* lost : {"InvoiceTotalGroup", "InvoiceItemTotalGroup"}) {
      if (NodeId n = in_.Child(items, lost); n != kNoNode) in_.Lost(n, std::string("the summary ") + lost);
    }
    // Lines without RowNo get their position, as EN16931 requires an identifier (BT-126).
    for (size_t i = 0; i < inv_->lines.size(); ++i) {
      if (inv_->lines[i].id.empty()) inv_->lines[i].id = std::to_string(i + 1);
    }
  }

  // ---- AdditionalInformation, AttachmentFile ----

  void ReadAdditionalInformation(NodeId invoice) {
    in_.ForEach(invoice, "AdditionalInformation", [&](NodeId a) {
      NodeId rep = in_.Block(a, "SellerTaxRepPartyEN");
      if (rep != kNoNode) {
        model::Party party;
        ReadParty(rep, party, false);
        inv_->tax_representative = model::TaxRepresentative{party.name, party.vat_id, party.address};
        return;
      }
      NodeId payment = in_.Block(a, "PaymentInfoEN");
      if (payment != kNoNode) {
        ReadPaymentInfoEn(payment);
        return;
      }
      in_.Lost(a, "the additional information '" + in_.Text(a, "InformationContent") + "'");
    });
  }

  void ReadAttachment(NodeId file) {
    if (file == kNoNode) return;
    // The invoice's own image (usually a PDF): an attached supporting document (BG-24).
    model::SupportingDocument doc;
    model::Attachment a;
    a.filename = in_.Text(file, "FileName");
    a.content_base64 = in_.Text(file, "FileBase64");
    const std::string lower = [&] {
      std::string s = a.filename;
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    }();
    auto ends = [&](std::string_view suffix) {
      return lower.size() >= suffix.size() && lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    a.mime_code = ends(".pdf") ? "application/pdf" : ends(".png") ? "image/png"
                : ends(".jpg") || ends(".jpeg") ? "image/jpeg" : ends(".csv") ? "text/csv" : "";
    if (a.mime_code.empty()) {
      in_.Lost(file, "the attached file '" + a.filename + "' (its type, which EN16931 requires, is unknown)");
      return;
    }
    doc.id = a.filename;
    doc.attachment = std::move(a);
    inv_->documents.push_back(std::move(doc));
  }

  // ---- PaymentInfo ----

  void ReadPaymentInfo(NodeId p) {
    Invoice& inv = *inv_;
    if (p == kNoNode) {
      in_.Add("ee.required", kNoNode, "an Invoice has no PaymentInfo, which the format requires");
      return;
    }
    if (inv.currency.empty()) inv.currency = in_.Text(p, "Currency");
    model::PaymentInstructions pay;
    pay.means_code = means_code_;
    pay.means_text = means_text_;
    const std::string ref = in_.Text(p, "PaymentRefId");
    const std::string description = in_.Text(p, "PaymentDescription");
    // BT-83: the reference, else the description (which is required without a reference).
    pay.remittance_info = !ref.empty() ? ref : !payment_reference_.empty() ? payment_reference_ : description;
    if (!inv.due_date) inv.due_date = in_.DateValue(p, "PayDueDate");
    model::CreditTransfer ct;
    ct.account_id = in_.Text(p, "PayToAccount");
    ct.bank_id = in_.Text(p, "PayToBIC");
    ct.account_name = account_name_;
    if (!ct.account_id.empty()) pay.credit_transfers.push_back(ct);
    pay.card = card_;
    const std::string creditor = in_.Text(p, "DirectDebitPayeeContractNumber");
    const std::string mandate = in_.Text(p, "DirectDebitPayerNumber");
    if (!creditor.empty() || !mandate.empty() || !debited_account_.empty()) {
      pay.direct_debit = model::DirectDebit{mandate, creditor, debited_account_};
    }
    inv.payment = std::move(pay);
    NodeId payment_total = in_.Child(p, "PaymentTotalSum");
    if (auto total = in_.Number(payment_total)) {
      if (!inv.declared_totals.payable) {
        inv.declared_totals.payable = total;
        inv.totals.payable = *total;
      } else if (*total != *inv.declared_totals.payable) {
        in_.Lost(payment_total, "PaymentTotalSum " + total->ToString() + ", which differs from InvoiceSumGroup/TotalToPay " +
                                    inv.declared_totals.payable->ToString() + " (read as the amount due, BT-115),");
      }
    }
    // The payee name: PayToName names the seller, unless a FactorParty (the payee) is given.
    const std::string pay_to = in_.Text(p, "PayToName");
    if (!inv.payee && !pay_to.empty() && pay_to != inv.seller.name) {
      inv.payee = model::Payee{pay_to, {}, {}};
    }
  }

  Reader& in_;
  Invoice* inv_ = nullptr;
  std::string payment_reference_;
  std::string means_text_;
  std::string means_code_;
  std::string account_name_;
  std::string debited_account_;
  std::optional<model::CardPayment> card_;
};

}  // namespace

bool LooksLikeEeInvoice(std::string_view xml) {
  const std::string_view tag = xml::RootStartTag(xml);
  return xml::RootLocalName(xml) == "E_Invoice" && tag.substr(0, 9) == "E_Invoice";  // no prefix: no namespace
}

Result<Batch> ReadBatch(std::string_view xml, std::vector<Finding>* losses) {
  auto doc = xml::Document::Parse(xml);
  if (!doc) return doc.error();
  const NodeId root = doc->document_element();
  if (root == kNoNode || doc->local_name(root) != "E_Invoice" || !doc->namespace_uri(root).empty()) {
    return Error::InvalidInput(
        "not an Estonian e-invoice",
        {Finding{"ee.root", Finding::Severity::kFatal, "/" + std::string(root == kNoNode ? "" : doc->local_name(root)),
                 "the root element must be E_Invoice without a namespace (Estonian e-invoice 1.2)"}});
  }
  Reader in(*doc, losses);
  Batch batch;
  NodeId header = in.Child(root, "Header");
  FileHeader& h = batch.header;
  if (header == kNoNode) {
    in.Add("ee.required", root, "the file has no Header");
  } else {
    h.test = in.Text(header, "Test") == "YES";
    h.date = in.DateValue(header, "Date");
    h.file_id = in.Text(header, "FileId");
    h.app_id = in.Text(header, "AppId");
    h.version = in.Text(header, "Version");
    h.sender_id = in.Text(header, "SenderId");
    h.receiver_id = in.Text(header, "ReceiverId");
    h.contract_id = in.Text(header, "ContractId");
    h.payee_account_number = in.Text(header, "PayeeAccountNumber");
  }
  in.ForEach(root, "Invoice", [&](NodeId node) { batch.invoices.push_back(InvoiceReader(in).Read(node)); });
  if (batch.invoices.empty()) in.Add("ee.required", root, "the file has no Invoice");
  if (!in.findings().empty()) {
    const size_t n = in.findings().size();
    return Error::InvalidInput("the Estonian e-invoice has " + std::to_string(n) + " unreadable value(s)",
                               std::move(in.findings()));
  }
  return batch;
}

}  // namespace gw::formats::ee
