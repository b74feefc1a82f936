// UBL 2.1 Invoice / CreditNote, document level: the inverse of ubl_writer.cc. Elements are found
// by name, not by position, so documents from other writers (whose optional elements differ) read
// the same way; where UBL allows repetitions that EN16931 does not, the first one wins.
#include "formats/ubl/ubl_reader.h"

#include "formats/ubl/ubl_read_parts.h"

namespace gw::formats::ubl {
namespace {

using internal::CacNames;
using internal::CbcNames;
using internal::kNoNode;
using internal::NodeId;
using internal::ReadContext;
using model::Invoice;

bool IsAlphanumeric(std::string_view s) {
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// BT-21/BT-22: the EN16931 UBL binding carries the subject code as a "#CODE#" prefix. Only a
// non-empty code of letters and digits counts, so a note that merely starts with '#' stays text.
model::Note ParseNote(const std::string& text) {
  model::Note note;
  size_t end = text.size() > 2 && text[0] == '#' ? text.find('#', 1) : std::string::npos;
  if (end != std::string::npos && end > 1 &&
      IsAlphanumeric(std::string_view(text).substr(1, end - 1))) {
    note.subject_code = text.substr(1, end - 1);
    note.text = text.substr(end + 1);
  } else {
    note.text = text;
  }
  return note;
}

void ReadHeader(ReadContext& in, NodeId root, Invoice& inv) {
  const CbcNames& cbc = in.names().cbc;
  const bool credit = inv.kind == model::DocumentKind::kCreditNote;
  inv.specification_id = in.Text(root, cbc.CustomizationID);
  inv.business_process = in.Text(root, cbc.ProfileID);
  inv.number = in.Text(root, cbc.ID);
  if (in.Child(root, cbc.IssueDate) == kNoNode) {
    // The one term the model cannot leave absent (Invoice::issue_date is not optional): without
    // it a written document would carry an invalid placeholder date.
    in.Add("ubl.required", root,
           "the document has no cbc:IssueDate (BT-2): add the issue date as YYYY-MM-DD");
  } else if (auto date = in.DateValue(root, cbc.IssueDate)) {
    inv.issue_date = *date;
  }
  if (!credit) {
    inv.due_date = in.DateValue(root, cbc.DueDate);  // a credit note's is in cac:PaymentMeans
  }
  inv.type_code = in.Text(root, credit ? cbc.CreditNoteTypeCode : cbc.InvoiceTypeCode);
  in.ForEach(root, cbc.Note, [&](NodeId note) {
    std::string text = in.Text(note);
    if (!text.empty()) inv.notes.push_back(ParseNote(text));
  });
  inv.tax_point_date = in.DateValue(root, cbc.TaxPointDate);
  inv.currency = in.Text(root, cbc.DocumentCurrencyCode);
  inv.tax_currency = in.Text(root, cbc.TaxCurrencyCode);
  inv.buyer_accounting_reference = in.Text(root, cbc.AccountingCost);
  inv.buyer_reference = in.Text(root, cbc.BuyerReference);
  NodeId period = in.Child(root, in.names().cac.InvoicePeriod);
  inv.invoice_period = internal::ReadPeriod(in, period);
  inv.vat_point_date_code = in.Text(period, cbc.DescriptionCode);  // BT-8
}

void ReadReferences(ReadContext& in, NodeId root, Invoice& inv) {
  const CbcNames& cbc = in.names().cbc;
  const CacNames& cac = in.names().cac;
  const bool credit = inv.kind == model::DocumentKind::kCreditNote;
  NodeId order = in.Child(root, cac.OrderReference);
  inv.purchase_order_reference = in.Text(order, cbc.ID);
  inv.sales_order_reference = in.Text(order, cbc.SalesOrderID);
  // "NA" stands for a missing BT-13 when only the sales order reference (BT-14) is known.
  if (inv.purchase_order_reference == "NA" && !inv.sales_order_reference.empty()) inv.purchase_order_reference.clear();
  in.ForEach(root, cac.BillingReference, [&](NodeId billing) {
    NodeId preceding = in.Child(billing, cac.InvoiceDocumentReference);
    if (preceding == kNoNode) return;  // other billing references are not BG-3
    inv.preceding_invoices.push_back(model::PrecedingInvoice{
        in.Text(preceding, cbc.ID), in.DateValue(preceding, cbc.IssueDate)});
  });
  inv.despatch_advice_reference = in.Text(in.Child(root, cac.DespatchDocumentReference), cbc.ID);
  inv.receiving_advice_reference = in.Text(in.Child(root, cac.ReceiptDocumentReference), cbc.ID);
  inv.tender_reference = in.Text(in.Child(root, cac.OriginatorDocumentReference), cbc.ID);
  inv.contract_reference = in.Text(in.Child(root, cac.ContractDocumentReference), cbc.ID);
  in.ForEach(root, cac.AdditionalDocumentReference, [&](NodeId reference) {
    std::string type = in.Text(reference, cbc.DocumentTypeCode);
    if (type == "130") {  // BT-18, 0..1: the first wins
      if (inv.invoiced_object.empty()) inv.invoiced_object = in.Identifier(reference, cbc.ID);
      return;
    }
    if (credit && type == "50") {  // BT-11 of a credit note (an invoice has cac:ProjectReference)
      if (inv.project_reference.empty()) inv.project_reference = in.Text(reference, cbc.ID);
      return;
    }
    model::SupportingDocument document;  // BG-24
    document.id = in.Text(reference, cbc.ID);
    document.description = in.Text(reference, cbc.DocumentDescription);
    NodeId attachment = in.Child(reference, cac.Attachment);
    NodeId binary = in.Child(attachment, cbc.EmbeddedDocumentBinaryObject);
    if (binary != kNoNode) {
      // BT-125: the base64 text as written; decoding it is not the reader's business.
      const internal::AttributeNames& attr = in.names().attr;
      document.attachment = model::Attachment{in.Text(binary), in.Attribute(binary, attr.mimeCode),
                                              in.Attribute(binary, attr.filename)};
    }
    document.url = in.Text(in.Child(attachment, cac.ExternalReference), cbc.URI);
    inv.documents.push_back(std::move(document));
  });
  if (!credit) inv.project_reference = in.Text(in.Child(root, cac.ProjectReference), cbc.ID);
}

void ReadParties(ReadContext& in, NodeId root, Invoice& inv) {
  const CacNames& cac = in.names().cac;
  NodeId seller = in.Child(in.Child(root, cac.AccountingSupplierParty), cac.Party);
  NodeId buyer = in.Child(in.Child(root, cac.AccountingCustomerParty), cac.Party);
  NodeId payee = in.Child(root, cac.PayeeParty);
  // BT-90 (direct debit only) is a PartyIdentification with scheme SEPA: the writer puts it on
  // the payee when there is one, else on the seller; other documents may have it on either.
  std::string creditor_id;
  NodeId holder = kNoNode;
  if (inv.payment && inv.payment->direct_debit) {
    for (NodeId candidate : {payee, seller}) {
      if (candidate == kNoNode) continue;
      creditor_id = internal::SepaCreditorId(in, candidate);
      if (!creditor_id.empty()) {
        holder = candidate;
        break;
      }
    }
    inv.payment->direct_debit->creditor_id = creditor_id;
  }
  inv.seller = internal::ReadParty(in, seller, holder == seller ? creditor_id : "");
  inv.buyer = internal::ReadParty(in, buyer, "");
  if (payee != kNoNode) {
    inv.payee = internal::ReadPayee(in, payee, holder == payee ? creditor_id : "");
  }
  NodeId representative = in.Child(root, cac.TaxRepresentativeParty);
  if (representative != kNoNode) {
    inv.tax_representative = internal::ReadTaxRepresentative(in, representative);
  }
  NodeId delivery = in.Child(root, cac.Delivery);
  if (delivery != kNoNode) inv.delivery = internal::ReadDelivery(in, delivery);
}

void ReadTaxTotals(ReadContext& in, NodeId root, Invoice& inv) {
  const CbcNames& cbc = in.names().cbc;
  const CacNames& cac = in.names().cac;
  bool have_vat_total = false;
  in.ForEach(root, cac.TaxTotal, [&](NodeId total) {
    NodeId amount = in.Child(total, cbc.TaxAmount);
    // BT-111, the VAT total in the VAT accounting currency (BT-6), is the TaxTotal whose amount
    // is in that currency; it has no subtotals (PEPPOL-EN16931-R053). The other is BT-110.
    if (!inv.tax_currency.empty() && inv.tax_currency != inv.currency &&
        in.Attribute(amount, in.names().attr.currencyID) == inv.tax_currency) {
      if (!inv.totals.vat_total_accounting) inv.totals.vat_total_accounting = in.Number(amount);
      return;
    }
    if (have_vat_total) return;
    have_vat_total = true;
    inv.declared_totals.vat_total = in.Number(amount);
    in.ForEach(total, cac.TaxSubtotal, [&](NodeId subtotal) {  // BG-23
      model::VatBreakdown b;
      if (auto v = in.Number(subtotal, cbc.TaxableAmount)) b.taxable_amount = *v;
      if (auto v = in.Number(subtotal, cbc.TaxAmount)) b.tax_amount = *v;
      NodeId category = in.Child(subtotal, cac.TaxCategory);
      b.category = internal::ReadTaxCategory(in, category);
      b.exemption_reason_code = in.Text(category, cbc.TaxExemptionReasonCode);
      b.exemption_reason = in.Text(category, cbc.TaxExemptionReason);
      inv.vat_breakdown.push_back(std::move(b));
    });
  });
  inv.vat_breakdown_given = !inv.vat_breakdown.empty();
}

// BG-22 as the document states it: into declared_totals (for calc::Complete to check) and into
// totals (so that writing the model back reproduces the document without completing it).
void ReadMonetaryTotal(ReadContext& in, NodeId root, Invoice& inv) {
  const CbcNames& cbc = in.names().cbc;
  NodeId m = in.Child(root, in.names().cac.LegalMonetaryTotal);
  model::DeclaredTotals& d = inv.declared_totals;
  model::Totals& t = inv.totals;
  d.line_net_total = in.Number(m, cbc.LineExtensionAmount);
  d.tax_exclusive = in.Number(m, cbc.TaxExclusiveAmount);
  d.tax_inclusive = in.Number(m, cbc.TaxInclusiveAmount);
  d.allowance_total = in.Number(m, cbc.AllowanceTotalAmount);
  d.charge_total = in.Number(m, cbc.ChargeTotalAmount);
  t.prepaid = in.Number(m, cbc.PrepaidAmount);           // BT-113: an input, not a sum
  t.rounding = in.Number(m, cbc.PayableRoundingAmount);  // BT-114: an input, not a sum
  d.payable = in.Number(m, cbc.PayableAmount);
  internal::TotalsAsDeclared(inv);
}

Error NotUbl(const xml::Document& doc, NodeId root) {
  std::string local(doc.local_name(root));
  std::string ns(doc.namespace_uri(root));
  std::string where = ns.empty() ? " without a namespace" : " in namespace '" + ns + "'";
  std::string message;
  if (local == "Invoice" || local == "CreditNote") {
    message = "the root element " + local + " is" + where + "; a UBL 2.1 " + local +
              " is in namespace '" +
              std::string(local == "Invoice" ? xml::kUblInvoiceNs : xml::kUblCreditNoteNs) +
              "': declare it as the default namespace (xmlns=\"...\")";
  } else {
    message = "the root element is " + local + where + ", not a UBL 2.1 Invoice (" +
              std::string(xml::kUblInvoiceNs) + ") or CreditNote (" +
              std::string(xml::kUblCreditNoteNs) + "); convert from the document's own format";
  }
  return Error::InvalidInput(
      "the document is not a UBL 2.1 invoice or credit note",
      {Finding{"ubl.root", Finding::Severity::kFatal, "/" + local, std::move(message)}});
}

}  // namespace

Result<model::Invoice> ReadInvoice(std::string_view xml) {
  auto doc = xml::Document::Parse(xml);
  if (!doc) return std::move(doc).error();
  ReadContext in(*doc);
  const NodeId root = doc->document_element();
  model::Invoice inv;
  const xml::NameId root_name = doc->node(root).name;
  if (root_name == in.names().CreditNote) {
    inv.kind = model::DocumentKind::kCreditNote;
  } else if (root_name != in.names().Invoice) {
    return NotUbl(*doc, root);
  }
  const bool credit = inv.kind == model::DocumentKind::kCreditNote;
  ReadHeader(in, root, inv);
  ReadReferences(in, root, inv);
  // Payment means before the parties: whether BT-90 is among the party identifiers depends on
  // whether there is a direct debit mandate.
  internal::ReadPaymentMeans(in, root, inv);
  ReadParties(in, root, inv);
  inv.payment_terms = in.Text(in.Child(root, in.names().cac.PaymentTerms), in.names().cbc.Note);
  in.ForEach(root, in.names().cac.AllowanceCharge, [&](NodeId ac) {
    inv.allowances_charges.push_back(
        internal::ReadAllowanceCharge(in, ac, /*document_level=*/true));
  });
  ReadTaxTotals(in, root, inv);
  ReadMonetaryTotal(in, root, inv);
  const xml::NameId line_name = credit ? in.names().cac.CreditNoteLine : in.names().cac.InvoiceLine;
  in.ForEach(root, line_name,
             [&](NodeId line) { inv.lines.push_back(internal::ReadLine(in, line, credit)); });
  if (in.finding_count() > 0) return in.UnreadableValues("UBL document");
  return inv;
}

}  // namespace gw::formats::ubl
