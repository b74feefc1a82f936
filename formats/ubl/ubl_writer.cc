// UBL 2.1 Invoice / CreditNote, document level, in the element order of the UBL 2.1 schemas
// (maindoc/UBL-Invoice-2.1.xsd and UBL-CreditNote-2.1.xsd, which differ in several places).
#include "formats/ubl/ubl_writer.h"

#include "formats/ubl/ubl_parts.h"

namespace gw::formats::ubl {
namespace {

using internal::XmlWriter;
using model::Invoice;

const char* kInvoiceNs = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const char* kCreditNoteNs = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const char* kCacNs = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const char* kCbcNs = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

void WriteDocumentReference(XmlWriter& w, const char* element, std::string_view id) {
  if (id.empty()) return;
  w.Start(element);
  w.Leaf("cbc:ID", id);
  w.End();
}

// BT-21/BT-22: the EN16931 UBL binding carries the subject code as a "#CODE#" prefix.
void WriteNotes(XmlWriter& w, const Invoice& inv) {
  for (const auto& note : inv.notes) {
    if (note.subject_code.empty()) {
      w.Leaf("cbc:Note", note.text);
    } else {
      w.Leaf("cbc:Note", "#" + note.subject_code + "#" + note.text);
    }
  }
}

void WriteReferences(XmlWriter& w, const Invoice& inv, bool credit) {
  if (!inv.purchase_order_reference.empty() || !inv.sales_order_reference.empty()) {
    // cbc:ID is mandatory: a sales order reference (BT-14) without a purchase order reference
    // (BT-13) writes "NA" there, as the EN16931 UBL binding says.
    w.Start("cac:OrderReference");
    w.Leaf("cbc:ID", inv.purchase_order_reference.empty() ? "NA" : inv.purchase_order_reference);
    w.Leaf("cbc:SalesOrderID", inv.sales_order_reference);
    w.End();
  }
  for (const auto& p : inv.preceding_invoices) {
    w.Start("cac:BillingReference");
    w.Start("cac:InvoiceDocumentReference");
    w.Leaf("cbc:ID", p.number);
    if (p.issue_date) w.Leaf("cbc:IssueDate", p.issue_date->ToString());
    w.End();
    w.End();
  }
  WriteDocumentReference(w, "cac:DespatchDocumentReference", inv.despatch_advice_reference);
  WriteDocumentReference(w, "cac:ReceiptDocumentReference", inv.receiving_advice_reference);
  if (!credit) WriteDocumentReference(w, "cac:OriginatorDocumentReference", inv.tender_reference);
  WriteDocumentReference(w, "cac:ContractDocumentReference", inv.contract_reference);
  if (!inv.invoiced_object.empty()) {  // BT-18: DocumentTypeCode 130
    w.Start("cac:AdditionalDocumentReference");
    w.Leaf("cbc:ID", inv.invoiced_object.value, "schemeID", inv.invoiced_object.scheme);
    w.Leaf("cbc:DocumentTypeCode", "130");
    w.End();
  }
  if (credit && !inv.project_reference.empty()) {  // BT-11 in a credit note: code 50
    w.Start("cac:AdditionalDocumentReference");
    w.Leaf("cbc:ID", inv.project_reference);
    w.Leaf("cbc:DocumentTypeCode", "50");
    w.End();
  }
  for (const auto& d : inv.documents) {
    w.Start("cac:AdditionalDocumentReference");
    w.Leaf("cbc:ID", d.id);
    w.Leaf("cbc:DocumentDescription", d.description);
    if (d.attachment || !d.url.empty()) {
      w.Start("cac:Attachment");
      if (d.attachment) {
        w.Leaf("cbc:EmbeddedDocumentBinaryObject", d.attachment->content_base64, "mimeCode",
               d.attachment->mime_code, "filename", d.attachment->filename);
      }
      if (!d.url.empty()) {
        w.Start("cac:ExternalReference");
        w.Leaf("cbc:URI", d.url);
        w.End();
      }
      w.End();
    }
    w.End();
  }
  if (credit) {
    WriteDocumentReference(w, "cac:OriginatorDocumentReference", inv.tender_reference);
  } else {
    WriteDocumentReference(w, "cac:ProjectReference", inv.project_reference);
  }
}

void WriteTaxTotals(XmlWriter& w, const Invoice& inv) {
  w.Start("cac:TaxTotal");
  w.Number("cbc:TaxAmount", inv.totals.vat_total.WithScale(2), "currencyID", inv.currency);
  for (const auto& b : inv.vat_breakdown) {
    w.Start("cac:TaxSubtotal");
    w.Number("cbc:TaxableAmount", b.taxable_amount.WithScale(2), "currencyID", inv.currency);
    w.Number("cbc:TaxAmount", b.tax_amount.WithScale(2), "currencyID", inv.currency);
    internal::WriteTaxCategory(w, "cac:TaxCategory", b.category, b.exemption_reason_code,
                               b.exemption_reason);
    w.End();
  }
  w.End();
  // BT-111: VAT total in the accounting currency, without subtotals (PEPPOL-EN16931-R053).
  if (!inv.tax_currency.empty() && inv.tax_currency != inv.currency &&
      inv.totals.vat_total_accounting) {
    w.Start("cac:TaxTotal");
    w.Number("cbc:TaxAmount", inv.totals.vat_total_accounting->WithScale(2), "currencyID",
             inv.tax_currency);
    w.End();
  }
}

void WriteMonetaryTotal(XmlWriter& w, const Invoice& inv) {
  const model::Totals& t = inv.totals;
  const std::string& c = inv.currency;
  w.Start("cac:LegalMonetaryTotal");
  w.Number("cbc:LineExtensionAmount", t.line_net_total.WithScale(2), "currencyID", c);
  w.Number("cbc:TaxExclusiveAmount", t.tax_exclusive.WithScale(2), "currencyID", c);
  w.Number("cbc:TaxInclusiveAmount", t.tax_inclusive.WithScale(2), "currencyID", c);
  if (t.allowance_total) w.Number("cbc:AllowanceTotalAmount", t.allowance_total->WithScale(2), "currencyID", c);
  if (t.charge_total) w.Number("cbc:ChargeTotalAmount", t.charge_total->WithScale(2), "currencyID", c);
  if (t.prepaid) w.Number("cbc:PrepaidAmount", t.prepaid->WithScale(2), "currencyID", c);
  if (t.rounding) w.Number("cbc:PayableRoundingAmount", t.rounding->WithScale(2), "currencyID", c);
  w.Number("cbc:PayableAmount", t.payable.WithScale(2), "currencyID", c);
  w.End();
}

}  // namespace

Result<std::string> WriteInvoice(const model::Invoice& inv) {
  const bool credit = inv.kind == model::DocumentKind::kCreditNote;
  XmlWriter w;
  w.Start(credit ? "CreditNote" : "Invoice");
  w.Attribute("xmlns", credit ? kCreditNoteNs : kInvoiceNs);
  w.Attribute("xmlns:cac", kCacNs);
  w.Attribute("xmlns:cbc", kCbcNs);
  w.Leaf("cbc:CustomizationID",
         inv.specification_id.empty() ? kPeppolBis3CustomizationId : inv.specification_id);
  w.Leaf("cbc:ProfileID", inv.business_process.empty() ? kPeppolBis3ProfileId : inv.business_process);
  w.Leaf("cbc:ID", inv.number);
  w.Leaf("cbc:IssueDate", inv.issue_date.ToString());
  if (credit) {
    if (inv.tax_point_date) w.Leaf("cbc:TaxPointDate", inv.tax_point_date->ToString());
    w.Leaf("cbc:CreditNoteTypeCode", inv.type_code);
    WriteNotes(w, inv);
  } else {
    if (inv.due_date) w.Leaf("cbc:DueDate", inv.due_date->ToString());
    w.Leaf("cbc:InvoiceTypeCode", inv.type_code);
    WriteNotes(w, inv);
    if (inv.tax_point_date) w.Leaf("cbc:TaxPointDate", inv.tax_point_date->ToString());
  }
  w.Leaf("cbc:DocumentCurrencyCode", inv.currency);
  if (inv.tax_currency != inv.currency) w.Leaf("cbc:TaxCurrencyCode", inv.tax_currency);
  w.Leaf("cbc:AccountingCost", inv.buyer_accounting_reference);
  w.Leaf("cbc:BuyerReference", inv.buyer_reference);
  internal::WritePeriod(w, inv.invoice_period, inv.vat_point_date_code);
  WriteReferences(w, inv, credit);

  std::string sepa_creditor;
  if (inv.payment && inv.payment->direct_debit) sepa_creditor = inv.payment->direct_debit->creditor_id;
  w.Start("cac:AccountingSupplierParty");
  internal::WriteParty(w, inv.seller, inv.payee ? "" : sepa_creditor);
  w.End();
  w.Start("cac:AccountingCustomerParty");
  internal::WriteParty(w, inv.buyer, "");
  w.End();
  if (inv.payee) internal::WritePayee(w, *inv.payee, sepa_creditor);
  if (inv.tax_representative) internal::WriteTaxRepresentative(w, *inv.tax_representative);
  if (inv.delivery) internal::WriteDelivery(w, *inv.delivery);
  internal::WritePaymentMeans(w, inv);
  if (!inv.payment_terms.empty()) {
    w.Start("cac:PaymentTerms");
    w.Leaf("cbc:Note", inv.payment_terms);
    w.End();
  }
  for (const auto& ac : inv.allowances_charges) {
    internal::WriteAllowanceCharge(w, ac, inv.currency, true);
  }
  WriteTaxTotals(w, inv);
  WriteMonetaryTotal(w, inv);
  for (const auto& line : inv.lines) internal::WriteLine(w, line, inv.currency, credit);
  w.End();
  return w.Finish();
}

}  // namespace gw::formats::ubl
