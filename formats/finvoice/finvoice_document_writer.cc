// Finvoice 3.0: the root, MessageTransmissionDetails, InvoiceDetails and EpiDetails, in the order
// of Finvoice3.0.xsd. Lengths and patterns are the schema's types (genericStringType2_35 is 2 to 35
// characters, and so on); the mapping is docs/formats/finvoice.md.
#include "formats/finvoice/finvoice_document_writer.h"

#include "formats/finvoice/finvoice_values.h"

namespace gw::formats::finvoice::internal {

DocumentWriter::DocumentWriter(const model::Invoice& invoice, const Transmission& transmission,
                               std::vector<Finding>* losses)
    : inv_(invoice), transmission_(transmission), losses_(losses) {}

void DocumentWriter::Lost(std::string path, std::string message) {
  if (losses_ != nullptr) {
    losses_->push_back(
        Finding{"finvoice.lost", Finding::Severity::kWarning, std::move(path), std::move(message)});
  }
}

void DocumentWriter::Refuse(std::string rule, std::string path, std::string message) {
  errors_.push_back(
      Finding{std::move(rule), Finding::Severity::kFatal, std::move(path), std::move(message)});
}

std::string DocumentWriter::Fit(std::string_view value, size_t min_chars, size_t max_chars,
                                const std::string& path, std::string_view term, Overflow overflow) {
  if (value.empty()) return {};
  const size_t n = CharCount(value);
  const std::string shown = "'" + FirstChars(value, 60) + (n > 60 ? "...'" : "'");
  if (n < min_chars) {
    std::string message = "the " + std::string(term) + " " + shown + " is shorter than the " +
                          std::to_string(min_chars) + " characters Finvoice requires";
    if (overflow == Overflow::kRefuse) {
      Refuse("finvoice.length", path, message);
    } else {
      Lost(path, message + "; it is not in the Finvoice document");
    }
    return {};
  }
  if (n <= max_chars) return std::string(value);
  std::string message = "the " + std::string(term) + " " + shown + " has " + std::to_string(n) +
                        " characters; its Finvoice element holds " + std::to_string(max_chars);
  switch (overflow) {
    case Overflow::kCut:
      Lost(path, message + ": only the first " + std::to_string(max_chars) + " are written");
      return FirstChars(value, max_chars);
    case Overflow::kDrop:
      Lost(path,
           message + ", and a shortened one would be wrong: it is not in the Finvoice document");
      return {};
    case Overflow::kRefuse:
      Refuse("finvoice.length", path,
             message + ": shorten it in the source (Finvoice cannot carry it)");
      return {};
  }
  return {};
}

void DocumentWriter::Text(const char* element, std::string_view value, size_t min_chars,
                          size_t max_chars, const std::string& path, std::string_view term,
                          Overflow overflow) {
  w_.Leaf(element, Fit(value, min_chars, max_chars, path, term, overflow));
}

void DocumentWriter::SplitText(const char* element, std::string_view value, size_t max_chars,
                               size_t max_parts, const std::string& path, std::string_view term) {
  if (value.empty()) return;
  bool exact = true;
  std::vector<std::string> parts = internal::SplitText(value, max_chars, &exact);
  if (parts.size() > max_parts) {
    Lost(path, "the " + std::string(term) + " has " + std::to_string(CharCount(value)) +
                   " characters; Finvoice holds " + std::to_string(max_parts) + " x " +
                   std::to_string(max_chars) + ": the rest is not written");
    parts.resize(max_parts);
  } else if (parts.size() > 1 && !exact) {
    Lost(path, "the " + std::string(term) + " is longer than the " + std::to_string(max_chars) +
                   " characters of " + element + " and has a word that long: it is written in " +
                   std::to_string(parts.size()) + " pieces, which read back joined by spaces");
  }
  for (const std::string& part : parts) w_.Leaf(element, part);
}

void DocumentWriter::Identifier(const char* element, const model::Identifier& id, size_t max_chars,
                                const std::string& path, std::string_view term) {
  std::string value = Fit(id.value, 1, max_chars, path + "/value", term, Overflow::kDrop);
  if (value.empty()) return;
  std::string scheme = id.scheme;
  if (!scheme.empty() && !IsIcd(scheme)) {
    Lost(path + "/scheme", "the scheme '" + scheme + "' of the " + std::string(term) +
                               " is not an ISO 6523 ICD (4 digits), the only schemes Finvoice "
                               "identifiers take: the identifier is written without it");
    scheme.clear();
  }
  w_.Leaf(element, value, "SchemeID", scheme);
}

void DocumentWriter::Amount(const char* element, const Decimal& value, const std::string& path,
                            std::string_view term) {
  std::optional<std::string> text = FormatAmount(value);
  if (!text) {
    Refuse("finvoice.amount", path,
           "the " + std::string(term) + " " + value.ToString() +
               " does not fit a Finvoice amount (at most 15 digits before the decimal comma and 5 "
               "after); the gateway does not round amounts: round it in the source");
    return;
  }
  w_.Leaf(element, *text, "AmountCurrencyIdentifier", inv_.currency);
}

void DocumentWriter::UnitPrice(const char* element, const Decimal& value, std::string_view unit,
                               const std::string& path, std::string_view term) {
  std::optional<std::string> text = FormatAmount(value);
  if (!text) {
    Refuse("finvoice.amount", path,
           "the " + std::string(term) + " " + value.ToString() +
               " needs more than the 5 decimals of a Finvoice unit price; give the price per a "
               "base quantity (BT-149) of 10, 100, ... in the source so that it has at most 5");
    return;
  }
  bool unit_ok = unit.size() >= 2 && unit.size() <= 3 && IsUntdidCode(unit);
  w_.Leaf(element, *text, "AmountCurrencyIdentifier", inv_.currency, "QuantityUnitCodeUN",
          unit_ok ? unit : "");
}

void DocumentWriter::Percent(const char* element, const std::optional<Decimal>& value,
                             const std::string& path, std::string_view term, bool required) {
  if (!value) return;
  std::optional<std::string> text = FormatPercent(*value);
  if (text) {
    w_.Leaf(element, *text);
    return;
  }
  std::string message =
      "the " + std::string(term) + " " + value->ToString() +
      " does not fit a Finvoice percentage (0 to 999 with at most 3 decimals, no sign)";
  if (required) {
    Refuse("finvoice.percent", path, message);
  } else {
    Lost(path, message + "; it is not written (the amount is)");
  }
}

void DocumentWriter::DateLeaf(const char* element, const std::optional<Date>& date) {
  if (!date || !date->valid()) return;
  w_.Leaf(element, FormatDate(*date), "Format", "CCYYMMDD");
}

void DocumentWriter::Code(const char* element, std::string_view code, const std::string& path,
                          std::string_view term) {
  if (code.empty()) return;
  if (!IsUntdidCode(code)) {
    Lost(path, "the " + std::string(term) + " '" + std::string(code) +
                   "' is not a code of the form Finvoice takes (1 to 3 capital letters or digits): "
                   "it is not written");
    return;
  }
  w_.Leaf(element, code);
}

Result<std::string> DocumentWriter::Write() {
  if (inv_.lines.empty()) {
    Refuse("finvoice.required", "/lines",
           "the invoice has no lines (BG-25); a Finvoice document needs at least one InvoiceRow");
  }
  if (inv_.currency.size() != 3) {
    Refuse("finvoice.required", "/currency",
           "the invoice currency (BT-5) '" + inv_.currency +
               "' is not a 3-letter ISO 4217 code; every Finvoice amount states it in "
               "AmountCurrencyIdentifier");
  }
  w_.Start("Finvoice");
  w_.Attribute("Version", "3.0");
  w_.Attribute("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
  w_.Attribute("xsi:noNamespaceSchemaLocation", "Finvoice3.0.xsd");
  TransmissionDetails();
  Seller();
  Buyer();
  Delivery();
  AnyParties();
  InvoiceDetails();
  PaymentCardAndDirectDebit();
  for (size_t i = 0; i < inv_.lines.size(); ++i) Row(inv_.lines[i], i);
  Epi();
  w_.End();
  if (!errors_.empty()) {
    size_t n = errors_.size();
    return Error::InvalidInput("the invoice cannot be written as Finvoice 3.0 (" +
                                   std::to_string(n) + (n == 1 ? " problem)" : " problems)"),
                               std::move(errors_));
  }
  return w_.Finish();
}

void DocumentWriter::TransmissionDetails() {
  const Transmission& t = transmission_;
  w_.Start("MessageTransmissionDetails");
  w_.Start("MessageSenderDetails");
  w_.Leaf("FromIdentifier", t.sender_address, "SchemeID", t.sender_address_scheme);
  w_.Leaf("FromIntermediator", t.sender_intermediator);
  w_.End();
  w_.Start("MessageReceiverDetails");
  w_.Leaf("ToIdentifier", t.receiver_address, "SchemeID", t.receiver_address_scheme);
  w_.Leaf("ToIntermediator", t.receiver_intermediator);
  w_.End();
  w_.Start("MessageDetails");
  w_.Leaf("MessageIdentifier", t.message_id);
  w_.Leaf("MessageTimeStamp", t.timestamp);
  w_.Leaf("RefToMessageIdentifier", t.ref_to_message_id);
  // BT-24 has 35 characters here (genericStringType1_35): the EN16931 core identifier fits, a
  // CIUS's (Peppol BIS: 75 characters) does not.
  Text("SpecificationIdentifier", inv_.specification_id, 1, 35, "/specification_id",
       "specification identifier (BT-24)", Overflow::kDrop);
  w_.End();
  w_.End();
}

void DocumentWriter::InvoiceDetails() {
  const model::Invoice& inv = inv_;
  const bool credit_note = inv.kind == model::DocumentKind::kCreditNote;
  // Terms without a Finvoice element.
  if (!inv.business_process.empty()) {
    Lost("/business_process", "the business process type (BT-23) '" + inv.business_process +
                                  "' has no place in Finvoice: not written");
  }
  if (!inv.receiving_advice_reference.empty()) {
    Lost("/receiving_advice_reference", "the receiving advice reference (BT-15) '" +
                                            inv.receiving_advice_reference +
                                            "' has no place in Finvoice: not written");
  }
  for (size_t i = 0; i < inv.documents.size(); ++i) {
    Lost("/documents/" + std::to_string(i),
         "the additional supporting document '" + inv.documents[i].id +
             "' (BG-24): Finvoice carries attachments as separate attachment messages, which this "
             "writer does not produce; not written");
  }
  w_.Start("InvoiceDetails");
  w_.Leaf("InvoiceTypeCode", credit_note ? "INV02" : "INV01", "CodeListAgencyIdentifier", "SPY");
  Code("InvoiceTypeCodeUN", inv.type_code, "/type_code", "invoice type code (BT-3)");
  w_.Leaf("InvoiceTypeText", credit_note ? "HYVITYSLASKU" : "LASKU");
  w_.Leaf("OriginCode", "Original");
  if (!inv.invoiced_object.empty()) {
    std::string value = Fit(inv.invoiced_object.value, 1, 70, "/invoiced_object/value",
                            "invoiced object identifier (BT-18)", Overflow::kDrop);
    std::string scheme = inv.invoiced_object.scheme;
    if (!scheme.empty() && !IsUntdidCode(scheme)) {
      Lost("/invoiced_object/scheme",
           "the scheme '" + scheme + "' of BT-18 is not a UNTDID 1153 code: not written");
      scheme.clear();
    }
    w_.Leaf("InvoicedObjectID", value, "SchemeID", scheme);
  }
  if (inv.number.empty()) {
    Refuse("finvoice.required", "/number",
           "the invoice has no number (BT-1); InvoiceNumber is mandatory");
  }
  Text("InvoiceNumber", inv.number, 1, 20, "/number", "invoice number (BT-1)", Overflow::kRefuse);
  DateLeaf("InvoiceDate", inv.issue_date);
  for (size_t i = 0; i < inv.preceding_invoices.size(); ++i) {
    const model::PrecedingInvoice& p = inv.preceding_invoices[i];
    const std::string path = "/preceding_invoices/" + std::to_string(i);
    std::string number =
        Fit(p.number, 1, 20, path, "preceding invoice number (BT-25)", Overflow::kDrop);
    if (number.empty()) continue;
    w_.Start("OriginalInvoiceReference");
    w_.Leaf("InvoiceNumber", number);
    DateLeaf("InvoiceDate", p.issue_date);
    w_.End();
  }
  DateLeaf("InvoicingPeriodStartDate", inv.invoice_period.start);
  DateLeaf("InvoicingPeriodEndDate", inv.invoice_period.end);
  Text("OrderIdentifier", inv.purchase_order_reference, 0, 70, "/purchase_order_reference",
       "purchase order reference (BT-13)", Overflow::kDrop);
  Text("OrderConfirmationIdentifier", inv.sales_order_reference, 0, 70, "/sales_order_reference",
       "sales order reference (BT-14)", Overflow::kDrop);
  Text("AgreementIdentifier", inv.contract_reference, 0, 70, "/contract_reference",
       "contract reference (BT-12)", Overflow::kDrop);
  Text("BuyerReferenceIdentifier", inv.buyer_reference, 0, 70, "/buyer_reference",
       "buyer reference (BT-10)", Overflow::kDrop);
  Text("ProjectReferenceIdentifier", inv.project_reference, 0, 70, "/project_reference",
       "project reference (BT-11)", Overflow::kDrop);
  const model::Totals& t = inv.totals;
  Amount("RowsTotalVatExcludedAmount", t.line_net_total, "/totals/line_net_total",
         "sum of line net amounts (BT-106)");
  Amount("DiscountsTotalVatExcludedAmount", t.allowance_total, "/totals/allowance_total",
         "sum of allowances (BT-107)");
  Amount("ChargesTotalVatExcludedAmount", t.charge_total, "/totals/charge_total",
         "sum of charges (BT-108)");
  Amount("InvoiceTotalVatExcludedAmount", t.tax_exclusive, "/totals/tax_exclusive",
         "total without VAT (BT-109)");
  Amount("InvoiceTotalVatAmount", t.vat_total, "/totals/vat_total", "total VAT (BT-110)");
  const bool other_vat_currency = !inv.tax_currency.empty() && inv.tax_currency != inv.currency;
  if (other_vat_currency && t.vat_total_accounting) {
    // BT-111 in BT-6: the one amount whose currency is not the invoice's.
    std::optional<std::string> text = FormatAmount(*t.vat_total_accounting);
    if (text && inv.tax_currency.size() == 3) {
      w_.Leaf("InvoiceTotalVatAccountingAmount", *text, "AmountCurrencyIdentifier",
              inv.tax_currency);
    } else {
      Refuse("finvoice.amount", "/totals/vat_total_accounting",
             "the VAT total in accounting currency (BT-111) " + t.vat_total_accounting->ToString() +
                 " " + inv.tax_currency +
                 " does not fit a Finvoice amount with a 3-letter currency");
    }
  } else if (other_vat_currency) {
    Lost("/tax_currency", "the VAT accounting currency (BT-6) '" + inv.tax_currency +
                              "' is carried by the VAT total in that currency (BT-111), which the "
                              "invoice lacks: it is not in the Finvoice document");
  }
  Amount("InvoiceTotalVatIncludedAmount", t.tax_inclusive, "/totals/tax_inclusive",
         "total with VAT (BT-112)");
  Amount("InvoiceTotalRoundoffAmount", t.rounding, "/totals/rounding", "rounding amount (BT-114)");
  Amount("InvoicePaidAmount", t.prepaid, "/totals/prepaid", "paid amount (BT-113)");
  Text("AccountDimensionText", inv.buyer_accounting_reference, 0, 35, "/buyer_accounting_reference",
       "buyer accounting reference (BT-19)", Overflow::kDrop);
  // VatPoint is a choice: the date (BT-7) or the code (BT-8); EN16931 allows only one (BR-CO-3).
  if (inv.tax_point_date) {
    w_.Start("VatPoint");
    DateLeaf("VatPointDate", inv.tax_point_date);
    w_.End();
    if (!inv.vat_point_date_code.empty()) {
      Lost("/vat_point_date_code",
           "the VAT point date code (BT-8) '" + inv.vat_point_date_code +
               "' beside a VAT point date (BT-7): Finvoice takes one of them, the date");
    }
  } else if (IsUntdidCode(inv.vat_point_date_code)) {
    w_.Start("VatPoint");
    w_.Leaf("VatPointDateCode", inv.vat_point_date_code);
    w_.End();
  } else if (!inv.vat_point_date_code.empty()) {
    Lost("/vat_point_date_code", "the VAT point date code (BT-8) '" + inv.vat_point_date_code +
                                     "' is not a UNTDID 2005 code: not written");
  }
  VatSpecification();
  for (size_t i = 0; i < inv.notes.size(); ++i) {
    const model::Note& note = inv.notes[i];
    const std::string path = "/notes/" + std::to_string(i);
    if (!note.subject_code.empty()) {
      Lost(path + "/subject_code",
           "the note subject code (BT-21) '" + note.subject_code +
               "' has no place in Finvoice; the note's text is written without it");
    }
    if (CharCount(note.text) > 512) {
      Lost(path + "/text",
           "the note (BT-22) is longer than the 512 characters of InvoiceFreeText: it is written "
           "in several InvoiceFreeText elements, which read back as several notes");
    }
    bool exact;
    for (const std::string& part : internal::SplitText(note.text, 512, &exact))
      w_.Leaf("InvoiceFreeText", part);
  }
  if (!inv.payment_terms.empty() || inv.due_date) {
    w_.Start("PaymentTermsDetails");
    SplitText("PaymentTermsFreeText", inv.payment_terms, 70, 2, "/payment_terms",
              "payment terms (BT-20)");
    DateLeaf("InvoiceDueDate", inv.due_date);
    w_.End();
  }
  AllowancesCharges();
  Text("TenderReference", inv.tender_reference, 1, 70, "/tender_reference",
       "tender or lot reference (BT-17)", Overflow::kDrop);
  w_.End();
}

void DocumentWriter::VatSpecification() {
  for (size_t i = 0; i < inv_.vat_breakdown.size(); ++i) {
    const model::VatBreakdown& b = inv_.vat_breakdown[i];
    const std::string path = "/vat_breakdown/" + std::to_string(i);
    w_.Start("VatSpecificationDetails");
    Amount("VatBaseAmount", b.taxable_amount, path + "/taxable_amount",
           "VAT category taxable amount (BT-116)");
    Percent("VatRatePercent", b.category.rate, path + "/category/rate",
            "VAT category rate (BT-119)", true);
    Code("VatCode", b.category.code, path + "/category/code", "VAT category code (BT-118)");
    Amount("VatRateAmount", b.tax_amount, path + "/tax_amount", "VAT category tax amount (BT-117)");
    SplitText("VatFreeText", b.exemption_reason, 70, 3, path + "/exemption_reason",
              "VAT exemption reason (BT-120)");
    const std::string& code = b.exemption_reason_code;
    bool code_ok = !code.empty() && code.size() <= 20;
    for (char c : code) {
      code_ok = code_ok && (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-');
    }
    if (code_ok) {
      w_.Leaf("VatExemptionReasonCode", code);
    } else if (!code.empty()) {
      Lost(path + "/exemption_reason_code",
           "the VAT exemption reason code (BT-121) '" + code +
               "' is not 1 to 20 letters, digits or '-': not written");
    }
    w_.End();
  }
}

void DocumentWriter::AllowancesCharges() {
  // Finvoice lists the allowances (DiscountDetails) before the charges (ChargeDetails).
  bool charge_seen = false, reordered = false;
  for (const model::AllowanceCharge& ac : inv_.allowances_charges) {
    reordered = reordered || (charge_seen && !ac.is_charge);
    charge_seen = charge_seen || ac.is_charge;
  }
  if (reordered) {
    Lost("/allowances_charges",
         "an allowance (BG-20) follows a charge (BG-21); Finvoice lists all allowances first, so "
         "they read back in that order");
  }
  for (bool charges : {false, true}) {
    for (size_t i = 0; i < inv_.allowances_charges.size(); ++i) {
      const model::AllowanceCharge& ac = inv_.allowances_charges[i];
      if (ac.is_charge != charges) continue;
      const std::string path = "/allowances_charges/" + std::to_string(i);
      const char* what = charges ? "document level charge" : "document level allowance";
      w_.Start(charges ? "ChargeDetails" : "DiscountDetails");
      Text(charges ? "ReasonText" : "FreeText", ac.reason, 1, 70, path + "/reason",
           std::string(what) + " reason (" + (charges ? "BT-104" : "BT-97") + ")");
      Code("ReasonCode", ac.reason_code, path + "/reason_code",
           std::string(what) + " reason code (" + (charges ? "BT-105" : "BT-98") + ")");
      Percent("Percent", ac.percentage, path + "/percentage",
              std::string(what) + " percentage (" + (charges ? "BT-101" : "BT-94") + ")", false);
      Amount("Amount", ac.amount, path + "/amount",
             std::string(what) + " amount (" + (charges ? "BT-99" : "BT-92") + ")");
      Amount("BaseAmount", ac.base_amount, path + "/base_amount",
             std::string(what) + " base amount (" + (charges ? "BT-100" : "BT-93") + ")");
      Code("VatCategoryCode", ac.vat.code, path + "/vat/code",
           std::string(what) + " VAT category code (" + (charges ? "BT-102" : "BT-95") + ")");
      Percent("VatRatePercent", ac.vat.rate, path + "/vat/rate",
              std::string(what) + " VAT rate (" + (charges ? "BT-103" : "BT-96") + ")", true);
      w_.End();
    }
  }
}

}  // namespace gw::formats::finvoice::internal
