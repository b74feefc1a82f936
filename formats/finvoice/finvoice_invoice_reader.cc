// Finvoice 3.0 to EN16931: MessageTransmissionDetails, InvoiceDetails, the totals, the VAT
// specification and the payment (EpiDetails and the seller's accounts). The inverse of
// finvoice_document_writer.cc; docs/formats/finvoice.md has the mapping.
#include "formats/finvoice/finvoice_invoice_reader.h"

#include "formats/core/type_codes.h"
#include "formats/finvoice/finvoice_credit_note.h"
#include "formats/finvoice/finvoice_values.h"
#include "formats/ubl/ubl_read_context.h"

namespace gw::formats::finvoice::internal {
namespace {

// Texts of repeated elements as one term (the writer splits long texts at spaces).
std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += ' ';
    out += p;
  }
  return out;
}

}  // namespace

InvoiceReader::InvoiceReader(const xml::Document& doc, std::vector<Finding>* losses)
    : in_(doc, losses), n_(N()) {}

Result<model::Invoice> InvoiceReader::Read(const std::optional<Transmission>& frame,
                                           Transmission* transmission) {
  const NodeId root = in_.doc().document_element();
  model::Invoice inv;
  NodeId details = in_.Child(root, n_.InvoiceDetails);
  // BT-5: the currency of the invoice total, the one amount every Finvoice document has.
  NodeId total = in_.Child(details, n_.InvoiceTotalVatIncludedAmount);
  inv.currency = in_.Attribute(total, n_.AmountCurrencyIdentifier);
  if (inv.currency.empty()) {
    NodeId epi =
        in_.Child(in_.Child(in_.Child(root, n_.EpiDetails), n_.EpiPaymentInstructionDetails),
                  n_.EpiInstructedAmount);
    inv.currency = in_.Attribute(epi, n_.AmountCurrencyIdentifier);
  }
  in_.SetCurrency(inv.currency);
  ReadTransmission(root, frame, transmission, inv);
  Seller(root, *transmission, inv);
  Buyer(root, *transmission, inv);
  Delivery(root, inv);
  AnyParties(root, inv);
  if (details == kNoNode) {
    in_.Add("finvoice.required", root,
            "the document has no InvoiceDetails (InvoiceNumber, InvoiceDate, totals)");
  }
  Details(details, inv);
  Totals(root, details, inv);
  VatSpecification(details, inv);
  Payment(root, inv);
  in_.ForEach(root, n_.InvoiceRow, [&](NodeId row) {
    if (IsLine(row)) inv.lines.push_back(Row(row));
  });
  if (in_.finding_count() > 0) return in_.UnreadableValues();
  // Finvoice credit notes carry negative amounts; EN16931's are positive.
  if (inv.kind == model::DocumentKind::kCreditNote && !(inv.totals.tax_inclusive > Decimal())) {
    NegateAmounts(inv);
  }
  in_.ReportUnread(root);
  return inv;
}

void InvoiceReader::ReadTransmission(NodeId root, const std::optional<Transmission>& frame,
                                     Transmission* t, model::Invoice& inv) {
  NodeId mtd = in_.Child(root, n_.MessageTransmissionDetails);
  NodeId sender = in_.Child(mtd, n_.MessageSenderDetails);
  NodeId receiver = in_.Child(mtd, n_.MessageReceiverDetails);
  NodeId message = in_.Child(mtd, n_.MessageDetails);
  NodeId from = in_.Child(sender, n_.FromIdentifier);
  NodeId to = in_.Child(receiver, n_.ToIdentifier);
  t->sender_address = in_.Text(from);
  t->sender_address_scheme = in_.Attribute(from, n_.SchemeID);
  t->sender_intermediator = in_.Text(sender, n_.FromIntermediator);
  t->receiver_address = in_.Text(to);
  t->receiver_address_scheme = in_.Attribute(to, n_.SchemeID);
  t->receiver_intermediator = in_.Text(receiver, n_.ToIntermediator);
  t->message_id = in_.Text(message, n_.MessageIdentifier);
  t->timestamp = in_.Text(message, n_.MessageTimeStamp);
  t->ref_to_message_id = in_.Text(message, n_.RefToMessageIdentifier);
  inv.specification_id = in_.Text(message, n_.SpecificationIdentifier);  // BT-24
  if (!frame) return;
  // The frame is what the forwarding service routed by: its parties win; a scheme of the details
  // stays only with the address it belongs to.
  auto merge = [](std::string& value, std::string* scheme, const std::string& framed) {
    if (framed.empty() || framed == value) return;
    value = framed;
    if (scheme != nullptr) scheme->clear();
  };
  merge(t->sender_address, &t->sender_address_scheme, frame->sender_address);
  merge(t->sender_intermediator, nullptr, frame->sender_intermediator);
  merge(t->receiver_address, &t->receiver_address_scheme, frame->receiver_address);
  merge(t->receiver_intermediator, nullptr, frame->receiver_intermediator);
  merge(t->message_id, nullptr, frame->message_id);
  merge(t->timestamp, nullptr, frame->timestamp);
  merge(t->ref_to_message_id, nullptr, frame->ref_to_message_id);
}

void InvoiceReader::Details(NodeId d, model::Invoice& inv) {
  // BT-3: the UNTDID 1001 code; without it, the national code's invoice (INV01) or credit note
  // (INV02). The national code's other values (reminders, orders, ...) have no EN16931 code.
  NodeId national = in_.Child(d, n_.InvoiceTypeCode);
  std::string code = in_.Text(national);
  inv.type_code = in_.Text(d, n_.InvoiceTypeCodeUN);
  if (inv.type_code.empty() && code == "INV01") inv.type_code = "380";
  if (inv.type_code.empty() && code == "INV02") inv.type_code = "381";
  if (inv.type_code.empty() && !code.empty()) {
    in_.Lost(national, "the Finvoice type code '" + code +
                           "' has no UNTDID 1001 equivalent and the document has no "
                           "InvoiceTypeCodeUN: the invoice type code (BT-3) is left empty");
  }
  if (IsCreditNoteKindCode(inv.type_code)) inv.kind = model::DocumentKind::kCreditNote;
  in_.Consume(in_.Child(d, n_.InvoiceTypeText));  // the label of the type code
  NodeId origin = in_.Child(d, n_.OriginCode);
  if (in_.Text(origin) != "Original" && origin != kNoNode) {
    in_.Lost(origin, "the document is a '" + in_.Text(origin) +
                         "', not an original; EN16931 has no term for a copy or a cancellation");
  }
  NodeId object = in_.Child(d, n_.InvoicedObjectID);
  inv.invoiced_object = model::Identifier{in_.Text(object), in_.Attribute(object, n_.SchemeID)};
  NodeId number = in_.Child(d, n_.InvoiceNumber);
  inv.number = in_.Text(number);
  NodeId date = in_.Child(d, n_.InvoiceDate);
  if (d != kNoNode && (number == kNoNode || inv.number.empty())) {
    in_.Add("finvoice.required", d, "the document has no InvoiceNumber (BT-1)");
  }
  if (d != kNoNode && date == kNoNode) {
    in_.Add("finvoice.required", d,
            "the document has no InvoiceDate (BT-2): add <InvoiceDate "
            "Format=\"CCYYMMDD\">CCYYMMDD</InvoiceDate>");
  }
  if (auto issue = in_.DateOf(date)) inv.issue_date = *issue;
  in_.ForEach(d, n_.OriginalInvoiceReference, [&](NodeId r) {
    inv.preceding_invoices.push_back(
        {in_.Text(r, n_.InvoiceNumber), in_.DateOf(r, n_.InvoiceDate)});
  });
  // The single reference of Finvoice before 3.0, when it is not one of the list.
  NodeId original = in_.Child(d, n_.OriginalInvoiceNumber);
  if (original != kNoNode) {
    model::PrecedingInvoice p{in_.Text(original), in_.DateOf(d, n_.OriginalInvoiceDate)};
    bool listed = false;
    for (const auto& q : inv.preceding_invoices) listed = listed || q.number == p.number;
    if (!listed && !p.number.empty()) inv.preceding_invoices.push_back(std::move(p));
  }
  inv.invoice_period.start = in_.DateOf(d, n_.InvoicingPeriodStartDate);
  inv.invoice_period.end = in_.DateOf(d, n_.InvoicingPeriodEndDate);
  inv.purchase_order_reference = in_.Text(d, n_.OrderIdentifier);
  inv.sales_order_reference = in_.Text(d, n_.OrderConfirmationIdentifier);
  inv.contract_reference = in_.Text(d, n_.AgreementIdentifier);
  inv.buyer_reference = in_.Text(d, n_.BuyerReferenceIdentifier);
  inv.project_reference = in_.Text(d, n_.ProjectReferenceIdentifier);
  inv.buyer_accounting_reference = in_.Text(d, n_.AccountDimensionText);
  NodeId vat_point = in_.Child(d, n_.VatPoint);
  inv.tax_point_date = in_.DateOf(vat_point, n_.VatPointDate);
  inv.vat_point_date_code = in_.Text(vat_point, n_.VatPointDateCode);
  in_.ForEach(d, n_.InvoiceFreeText, [&](NodeId t) {
    std::string text = in_.Text(t);
    if (!text.empty()) inv.notes.push_back(model::Note{"", std::move(text)});
  });
  // BT-20 and BT-9 from the first payment terms; further ones (instalments) are reported unread.
  NodeId terms = in_.Child(d, n_.PaymentTermsDetails);
  std::vector<std::string> texts;
  in_.ForEach(terms, n_.PaymentTermsFreeText, [&](NodeId t) { texts.push_back(in_.Text(t)); });
  inv.payment_terms = Joined(texts);
  inv.due_date = in_.DateOf(terms, n_.InvoiceDueDate);
  in_.ForEach(d, n_.DiscountDetails,
              [&](NodeId a) { inv.allowances_charges.push_back(AllowanceCharge(a, false)); });
  in_.ForEach(d, n_.ChargeDetails,
              [&](NodeId c) { inv.allowances_charges.push_back(AllowanceCharge(c, true)); });
  inv.tender_reference = in_.Text(d, n_.TenderReference);
}

model::AllowanceCharge InvoiceReader::AllowanceCharge(NodeId node, bool charge) {
  model::AllowanceCharge ac;
  ac.is_charge = charge;
  ac.reason = in_.Text(node, charge ? n_.ReasonText : n_.FreeText);
  ac.reason_code = in_.Text(node, n_.ReasonCode);
  ac.percentage = in_.Number(node, n_.Percent);
  if (auto amount = in_.Amount(node, n_.Amount)) {
    ac.amount = *amount;
    ac.amount_given = true;
  }
  ac.base_amount = in_.Amount(node, n_.BaseAmount);
  ac.vat.code = in_.Text(node, n_.VatCategoryCode);
  ac.vat.rate = in_.Number(node, n_.VatRatePercent);
  return ac;
}

void InvoiceReader::Totals(NodeId root, NodeId d, model::Invoice& inv) {
  model::DeclaredTotals& declared = inv.declared_totals;
  model::Totals& t = inv.totals;
  declared.line_net_total = in_.Amount(d, n_.RowsTotalVatExcludedAmount);
  declared.allowance_total = in_.Amount(d, n_.DiscountsTotalVatExcludedAmount);
  declared.charge_total = in_.Amount(d, n_.ChargesTotalVatExcludedAmount);
  declared.tax_exclusive = in_.Amount(d, n_.InvoiceTotalVatExcludedAmount);
  declared.vat_total = in_.Amount(d, n_.InvoiceTotalVatAmount);
  declared.tax_inclusive = in_.Amount(d, n_.InvoiceTotalVatIncludedAmount);
  t.rounding = in_.Amount(d, n_.InvoiceTotalRoundoffAmount);
  t.prepaid = in_.Amount(d, n_.InvoicePaidAmount);
  // BT-111 and BT-6: the VAT total in the accounting currency, when that is another currency.
  NodeId accounting = in_.Child(d, n_.InvoiceTotalVatAccountingAmount);
  std::string accounting_currency = in_.Attribute(accounting, n_.AmountCurrencyIdentifier);
  if (accounting != kNoNode && accounting_currency != inv.currency &&
      !accounting_currency.empty()) {
    inv.tax_currency = accounting_currency;
    t.vat_total_accounting = in_.Number(accounting);
  }
  NodeId instruction = in_.Child(in_.Child(root, n_.EpiDetails), n_.EpiPaymentInstructionDetails);
  declared.payable = in_.Amount(instruction, n_.EpiInstructedAmount);  // BT-115
  formats::ubl::internal::TotalsAsDeclared(inv);
}

void InvoiceReader::VatSpecification(NodeId d, model::Invoice& inv) {
  in_.ForEach(d, n_.VatSpecificationDetails, [&](NodeId v) {  // BG-23
    model::VatBreakdown b;
    if (auto amount = in_.Amount(v, n_.VatBaseAmount)) b.taxable_amount = *amount;
    if (auto amount = in_.Amount(v, n_.VatRateAmount)) b.tax_amount = *amount;
    b.category.code = in_.Text(v, n_.VatCode);
    b.category.rate = in_.Number(v, n_.VatRatePercent);
    std::vector<std::string> texts;
    in_.ForEach(v, n_.VatFreeText, [&](NodeId t) { texts.push_back(in_.Text(t)); });
    b.exemption_reason = Joined(texts);
    b.exemption_reason_code = in_.Text(v, n_.VatExemptionReasonCode);
    inv.vat_breakdown.push_back(std::move(b));
  });
  inv.vat_breakdown_given = !inv.vat_breakdown.empty();
}

void InvoiceReader::Payment(NodeId root, model::Invoice& inv) {
  NodeId epi = in_.Child(root, n_.EpiDetails);
  NodeId identification = in_.Child(epi, n_.EpiIdentificationDetails);
  NodeId parties = in_.Child(epi, n_.EpiPartyDetails);
  NodeId bank = in_.Child(in_.Child(parties, n_.EpiBfiPartyDetails), n_.EpiBfiIdentifier);
  NodeId beneficiary = in_.Child(parties, n_.EpiBeneficiaryPartyDetails);
  NodeId instruction = in_.Child(epi, n_.EpiPaymentInstructionDetails);
  NodeId card = in_.Child(root, n_.PaymentCardInfo);
  NodeId debit = in_.Child(root, n_.DirectDebitInfo);
  in_.Consume(in_.Child(identification, n_.EpiDate));  // the invoice date again
  in_.Consume(in_.Child(instruction, n_.EpiCharge));   // the SEPA charge bearer
  // BT-9 is the due date of the payment terms; a payment order date on another day than the
  // invoice date (which the writer uses when there is no due date) stands for it otherwise.
  NodeId option = in_.Child(instruction, n_.EpiDateOptionDate);
  std::optional<Date> option_date = in_.DateOf(option);
  if (!inv.due_date && option_date && *option_date != inv.issue_date) {
    inv.due_date = option_date;
  } else if (inv.due_date && option_date && *option_date != *inv.due_date) {
    in_.Lost(option, "the payment order's date " + option_date->ToString() +
                         " differs from the due date (BT-9) " + inv.due_date->ToString() +
                         "; EN16931 has one due date, the payment terms' one is read");
  }
  if (epi == kNoNode && card == kNoNode && debit == kNoNode) return;
  model::PaymentInstructions p;
  p.means_code = in_.Text(instruction, n_.EpiPaymentMeansCode);
  p.means_text = in_.Text(instruction, n_.EpiPaymentMeansText);
  p.remittance_info = in_.Text(instruction, n_.EpiRemittanceInfoIdentifier);
  NodeId reference = in_.Child(identification, n_.EpiReference);
  if (p.remittance_info.empty()) {
    p.remittance_info = in_.Text(reference);
  } else if (reference != kNoNode && in_.Peek(reference).empty()) {
    in_.Consume(reference);
  }
  NodeId account = in_.Child(beneficiary, n_.EpiAccountID);
  if (account != kNoNode) {
    model::CreditTransfer first;
    first.account_id = in_.Text(account);
    first.bank_id = in_.Text(bank);
    first.account_name = in_.Text(beneficiary, n_.EpiNameAddressDetails);
    p.credit_transfers.push_back(std::move(first));
  }
  // The seller's accounts: the payment order's one again (its BIC and name fill what the payment
  // order lacks), then the further accounts of BG-17.
  NodeId info = in_.Child(root, n_.SellerInformationDetails);
  in_.ForEach(info, n_.SellerAccountDetails, [&](NodeId a) {
    model::CreditTransfer t;
    NodeId id = in_.Child(a, n_.SellerAccountID);
    NodeId bic = in_.Child(a, n_.SellerBic);
    NodeId name = in_.Child(a, n_.SellerAccountName);
    t.account_id = in_.Text(id);
    if (!p.credit_transfers.empty() && t.account_id == p.credit_transfers[0].account_id) {
      model::CreditTransfer& first = p.credit_transfers[0];
      std::string listed_bic = in_.Peek(bic), listed_name = in_.Peek(name);
      // A BIC or name that differs from the payment order's is not this account's term: left
      // unread, and so reported.
      if (first.bank_id.empty() || listed_bic == first.bank_id) {
        first.bank_id = in_.Text(bic);
      }
      if (first.account_name.empty() || listed_name == first.account_name) {
        first.account_name = in_.Text(name);
      }
      return;
    }
    t.bank_id = in_.Text(bic);
    t.account_name = in_.Text(name);
    p.credit_transfers.push_back(std::move(t));
  });
  if (card != kNoNode) {
    p.card = model::CardPayment{in_.Text(card, n_.PrimaryAccountNumber), "",
                                in_.Text(card, n_.CardHolderName)};
  }
  if (debit != kNoNode) {
    p.direct_debit = model::DirectDebit{in_.Text(debit, n_.MandateReference),
                                        in_.Text(debit, n_.CreditorIdentifier),
                                        in_.Text(debit, n_.DebitedAccountID)};
  }
  inv.payment = std::move(p);
}

}  // namespace gw::formats::finvoice::internal
