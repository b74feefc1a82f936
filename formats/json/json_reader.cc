// The document level of the ERP JSON format: header terms, parties, payment, documents, totals.
#include "formats/json/json_reader.h"

#include <algorithm>

#include "formats/codelists/codelists.h"
#include "formats/core/identifier_checks.h"
#include "formats/json/sections.h"

namespace gw::formats::json {
namespace internal {

model::Identifier ReadIdentifier(FieldReader& parent, std::string_view key, std::string_view what,
                                 CodeCheck scheme_check, std::string_view scheme_list,
                                 bool scheme_required, Findings& findings) {
  model::Identifier id;
  FieldReader f(parent.Object(key, what), parent, key);
  if (!f.present()) return id;
  id.value = f.String("id", what, true);
  id.scheme = f.Code("scheme", std::string(what) + " scheme", scheme_check, scheme_list,
                     scheme_required);
  f.Finish();
  return id;
}

model::Address ReadAddress(FieldReader& parent, std::string_view key, std::string_view what,
                           bool required) {
  model::Address a;
  FieldReader f(parent.Object(key, what, required), parent, key);
  if (!f.present()) return a;
  a.line1 = f.String("line1", "address line 1");
  a.line2 = f.String("line2", "address line 2");
  a.line3 = f.String("line3", "address line 3");
  a.city = f.String("city", "city");
  a.postal_code = f.String("postal_code", "post code");
  a.subdivision = f.String("subdivision", "country subdivision");
  a.country = f.Code("country", "country code", codelists::IsCountry,
                     "ISO 3166-1 alpha-2 country code (e.g. EE, DE)", true);
  f.Finish();
  return a;
}

}  // namespace internal

namespace {

using internal::ForEach;
using internal::ReadAddress;
using internal::ReadIdentifier;

// PEPPOL-COMMON-R040..R050: check digits of scheme-identified ids wherever they appear;
// `where` builds the location only when there is a problem.
template <typename Where>
void CheckIdFormat(std::string_view scheme, std::string_view value, Where where,
                   Findings& findings) {
  if (value.empty()) return;
  if (auto problem = CheckIdentifierFormat(scheme, value)) {
    findings.Add(problem->rule, where(), problem->message);
  }
}

bool IsBase64(std::string_view s) {
  size_t n = 0, pad = 0;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == ' ') continue;
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c == '=') {
      ++pad;
    } else if ((alnum || c == '+' || c == '/') && pad == 0) {
      // data character
    } else {
      return false;
    }
    ++n;
  }
  return n > 0 && n % 4 == 0 && pad <= 2;
}

model::Contact ReadContact(FieldReader& parent, Findings& findings) {
  model::Contact c;
  FieldReader f(parent.Object("contact", "contact"), parent, "contact");
  c.name = f.String("name", "contact name");
  c.phone = f.String("phone", "contact telephone");
  c.email = f.String("email", "contact e-mail");
  f.Finish();
  return c;
}

model::Party ReadParty(FieldReader& doc, std::string_view key, bool seller, Findings& findings) {
  model::Party p;
  std::string what = seller ? "seller (BG-4)" : "buyer (BG-7)";
  FieldReader f(doc.Object(key, what, true), doc.PointerTo(key), findings);
  if (!f.present()) return p;
  p.name = f.String("name", seller ? "seller name (BT-27)" : "buyer name (BT-44)", true);
  p.trading_name = f.String("trading_name", "trading name");
  ForEach(f, "identifiers", "party identifiers", false, findings,
          [&](const JsonValue& v, const std::string& pointer) {
            FieldReader idr(&v, pointer, findings);
            model::Identifier id;
            id.value = idr.String("id", "party identifier", true);
            id.scheme = idr.Code("scheme", "party identifier scheme", codelists::IsIdentifierScheme,
                                 "ISO 6523 ICD scheme (e.g. 0088, 0192)");
            idr.Finish();
            CheckIdFormat(id.scheme, id.value, [&] { return pointer + "/id"; }, findings);
            p.identifiers.push_back(std::move(id));
          });
  if (!seller && p.identifiers.size() > 1) {
    findings.Add("json.cardinality", f.PointerTo("identifiers"),
                 "the buyer has at most one identifier (BT-46)");
  }
  p.legal_registration_id =
      ReadIdentifier(f, "legal_registration_id", "legal registration identifier",
                     codelists::IsIdentifierScheme, "ISO 6523 ICD scheme", false, findings);
  CheckIdFormat(p.legal_registration_id.scheme, p.legal_registration_id.value,
                [&] { return f.PointerTo("legal_registration_id") + "/id"; }, findings);
  p.vat_id = f.String("vat_id", "VAT identifier");
  if (seller) {
    p.tax_registration_id = f.String("tax_registration_id", "seller tax registration id (BT-32)");
    p.legal_info = f.String("legal_info", "seller additional legal information (BT-33)");
  }
  std::string what_address =
      seller ? "seller electronic address (BT-34)" : "buyer electronic address (BT-49)";
  model::Identifier address =
      ReadIdentifier(f, "electronic_address", what_address, codelists::IsElectronicAddressScheme,
                     "electronic address scheme (EAS, e.g. 0088, 9930)", true, findings);
  if (!address.value.empty() && !address.scheme.empty()) {
    auto id = ParticipantId::Make(address.scheme, address.value);
    if (id) {
      CheckIdFormat(address.scheme, address.value,
                    [&] { return f.PointerTo("electronic_address") + "/id"; }, findings);
      p.electronic_address = std::move(id).value();
    } else {
      findings.Add("json.identifier", f.PointerTo("electronic_address") + "/id",
                   id.error().message());
    }
  } else if (address.empty() && f.present()) {  // PEPPOL-EN16931-R010 / R020
    findings.Add(seller ? "PEPPOL-EN16931-R020" : "PEPPOL-EN16931-R010",
                 f.PointerTo("electronic_address"),
                 "missing required field 'electronic_address' ({\"id\", \"scheme\"}): Peppol "
                 "needs it to route the document");
  }
  p.address = ReadAddress(f, "address", "address", true);
  p.contact = ReadContact(f, findings);
  f.Finish();
  if (seller && p.vat_id.empty() && p.legal_registration_id.empty() && p.identifiers.empty() &&
      f.present()) {  // BR-CO-26
    findings.Add("BR-CO-26", f.pointer(),
                 "the seller needs a 'vat_id', a 'legal_registration_id' or an 'identifiers' entry");
  }
  return p;
}

model::PaymentInstructions ReadPayment(const JsonValue& v, const std::string& pointer,
                                       Findings& findings) {
  model::PaymentInstructions pay;
  FieldReader f(&v, pointer, findings);
  pay.means_code = f.Code("means_code", "payment means code (BT-81)", codelists::IsPaymentMeansCode,
                          "UNTDID 4461 payment means code (e.g. 30, 58, 48, 59)", true);
  pay.means_text = f.String("means_text", "payment means text (BT-82)");
  pay.remittance_info = f.String("remittance_info", "remittance information (BT-83)");
  ForEach(f, "credit_transfer", "credit transfer (BG-17)", true, findings,
          [&](const JsonValue& ct, const std::string& p) {
            FieldReader c(&ct, p, findings);
            model::CreditTransfer t;
            t.account_id = c.String("account_id", "payment account identifier (BT-84)", true);
            t.account_name = c.String("account_name", "payment account name (BT-85)");
            t.bank_id = c.String("bank_id", "payment service provider identifier (BT-86)");
            c.Finish();
            pay.credit_transfers.push_back(std::move(t));
          });
  if (const JsonValue* card = f.Object("card", "payment card (BG-18)")) {
    FieldReader c(card, f.PointerTo("card"), findings);
    model::CardPayment cp;
    cp.account_number = c.String("account_number", "card account number (BT-87)", true);
    cp.network = c.String("network", "card network (e.g. VISA)");
    cp.holder_name = c.String("holder_name", "card holder name (BT-88)");
    c.Finish();
    if (cp.network.empty()) cp.network = "NA";
    pay.card = std::move(cp);
  }
  if (const JsonValue* dd = f.Object("direct_debit", "direct debit (BG-19)")) {
    FieldReader c(dd, f.PointerTo("direct_debit"), findings);
    model::DirectDebit d;
    d.mandate_reference = c.String("mandate_reference", "mandate reference (BT-89)", true);
    d.creditor_id = c.String("creditor_id", "bank assigned creditor identifier (BT-90)");
    d.debited_account = c.String("debited_account", "debited account identifier (BT-91)");
    c.Finish();
    pay.direct_debit = std::move(d);
  }
  f.Finish();
  if ((pay.means_code == "30" || pay.means_code == "58") && pay.credit_transfers.empty() &&
      f.present()) {  // BR-61
    findings.Add("BR-61", f.PointerTo("credit_transfer"),
                 "payment means " + pay.means_code +
                     " (credit transfer) needs 'credit_transfer' with the 'account_id' (IBAN)");
  }
  return pay;
}

void ReadDocuments(FieldReader& doc, model::Invoice& inv, Findings& findings) {
  ForEach(doc, "documents", "supporting documents (BG-24)", false, findings,
          [&](const JsonValue& v, const std::string& pointer) {
            FieldReader f(&v, pointer, findings);
            model::SupportingDocument d;
            d.id = f.String("id", "supporting document reference (BT-122)", true);
            d.description = f.String("description", "supporting document description (BT-123)");
            d.url = f.String("url", "external document location (BT-124)");
            if (const JsonValue* a = f.Object("attachment", "attached document (BT-125)")) {
              FieldReader af(a, f.PointerTo("attachment"), findings);
              model::Attachment att;
              att.filename = af.String("filename", "attachment filename", true);
              att.mime_code = af.Code("mime_code", "attachment MIME code", codelists::IsMimeCode,
                                      "MIME code (application/pdf, image/png, image/jpeg, text/csv, ...)", true);
              att.content_base64 = af.String("content_base64", "attachment content (base64)", true);
              if (!att.content_base64.empty() && !IsBase64(att.content_base64)) {
                findings.Add("json.base64", af.PointerTo("content_base64"),
                             "the attachment content is not valid base64");
              }
              af.Finish();
              d.attachment = std::move(att);
            }
            f.Finish();
            inv.documents.push_back(std::move(d));
          });
}

void ReadTotals(FieldReader& doc, model::Invoice& inv, Findings& findings) {
  FieldReader f(doc.Object("totals", "document totals (BG-22)"), doc, "totals");
  auto& d = inv.declared_totals;
  d.line_net_total = f.Number("line_net_total", "sum of line net amounts (BT-106)");
  d.allowance_total = f.Number("allowance_total", "sum of allowances (BT-107)");
  d.charge_total = f.Number("charge_total", "sum of charges (BT-108)");
  d.tax_exclusive = f.Number("tax_exclusive", "total without VAT (BT-109)");
  d.vat_total = f.Number("vat_total", "total VAT amount (BT-110)");
  inv.totals.vat_total_accounting =
      f.Number("vat_total_tax_currency", "total VAT in the VAT accounting currency (BT-111)");
  d.tax_inclusive = f.Number("tax_inclusive", "total with VAT (BT-112)");
  inv.totals.prepaid = f.Number("prepaid", "paid amount (BT-113)");
  inv.totals.rounding = f.Number("rounding", "rounding amount (BT-114)");
  d.payable = f.Number("payable", "amount due for payment (BT-115)");
  f.Finish();
  if (!inv.tax_currency.empty() && !inv.totals.vat_total_accounting) {  // BR-53
    findings.Add("BR-53", doc.PointerTo("totals") + "/vat_total_tax_currency",
                 "with 'tax_currency' " + inv.tax_currency +
                     ", give the VAT total in that currency as 'totals.vat_total_tax_currency'");
  }
}

void ReadVatBreakdown(FieldReader& doc, model::Invoice& inv, Findings& findings) {
  ForEach(doc, "vat_breakdown", "VAT breakdown (BG-23)", false, findings,
          [&](const JsonValue& v, const std::string& pointer) {
            FieldReader f(&v, pointer, findings);
            model::VatBreakdown b;
            b.category.code = f.Code("category", "VAT category (BT-118)", codelists::IsVatCategory,
                                     "VAT category code", true);
            b.category.rate = f.Number("rate", "VAT rate (BT-119)");
            if (auto t = f.Number("taxable_amount", "VAT taxable amount (BT-116)", true)) b.taxable_amount = *t;
            if (auto t = f.Number("tax_amount", "VAT amount (BT-117)", true)) b.tax_amount = *t;
            b.exemption_reason = f.String("exemption_reason", "VAT exemption reason (BT-120)");
            b.exemption_reason_code = f.Code("exemption_reason_code", "VAT exemption reason code (BT-121)",
                                             codelists::IsVatExemptionCode, "VATEX code");
            f.Finish();
            inv.vat_breakdown.push_back(std::move(b));
          });
  inv.vat_breakdown_given = doc.Member("vat_breakdown") != nullptr;
}

void ReadHeader(FieldReader& f, model::Invoice& inv, Findings& findings) {
  std::string_view type = f.String("type", "document type");
  if (type == "credit_note") {
    inv.kind = model::DocumentKind::kCreditNote;
  } else if (!type.empty() && type != "invoice") {
    findings.Add("json.code", f.PointerTo("type"),
                 "'" + std::string(type) + "' is not a document type; use \"invoice\" or \"credit_note\"");
  }
  bool credit = inv.kind == model::DocumentKind::kCreditNote;
  inv.number = f.String("number", "invoice number (BT-1)", true);
  if (auto d = f.DateField("issue_date", "issue date (BT-2)", true)) inv.issue_date = *d;
  inv.type_code = f.Code("type_code", "type code (BT-3)",
                         credit ? codelists::IsCreditNoteTypeCode : codelists::IsInvoiceTypeCode,
                         credit ? "credit note type code (UNTDID 1001, e.g. 381)"
                                : "invoice type code (UNTDID 1001, e.g. 380)");
  if (inv.type_code.empty()) inv.type_code = credit ? "381" : "380";
  inv.currency = f.Code("currency", "invoice currency (BT-5)", codelists::IsCurrency,
                        "ISO 4217 currency code (e.g. EUR)", true);
  inv.tax_currency = f.Code("tax_currency", "VAT accounting currency (BT-6)", codelists::IsCurrency,
                            "ISO 4217 currency code");
  if (!inv.tax_currency.empty() && inv.tax_currency == inv.currency) {  // PEPPOL-EN16931-R005
    findings.Add("PEPPOL-EN16931-R005", f.PointerTo("tax_currency"),
                 "'tax_currency' equals 'currency'; give it only when VAT is accounted in another "
                 "currency");
  }
  inv.tax_point_date = f.DateField("tax_point_date", "VAT point date (BT-7)");
  inv.vat_point_date_code = f.Code("vat_point_date_code", "VAT point date code (BT-8)",
                                   codelists::IsVatDateCode, "UNTDID 2005 code (3, 35, 432)");
  if (inv.tax_point_date && !inv.vat_point_date_code.empty()) {  // BR-CO-03
    findings.Add("BR-CO-03", f.PointerTo("vat_point_date_code"),
                 "give either 'tax_point_date' or 'vat_point_date_code', not both");
  }
  inv.due_date = f.DateField("due_date", "payment due date (BT-9)");
  inv.buyer_reference = f.String("buyer_reference", "buyer reference (BT-10)");
  inv.project_reference = f.String("project_reference", "project reference (BT-11)");
  inv.contract_reference = f.String("contract_reference", "contract reference (BT-12)");
  inv.purchase_order_reference = f.String("purchase_order_reference", "purchase order reference (BT-13)");
  inv.sales_order_reference = f.String("sales_order_reference", "sales order reference (BT-14)");
  inv.receiving_advice_reference = f.String("receiving_advice_reference", "receiving advice reference (BT-15)");
  inv.despatch_advice_reference = f.String("despatch_advice_reference", "despatch advice reference (BT-16)");
  inv.tender_reference = f.String("tender_reference", "tender or lot reference (BT-17)");
  inv.invoiced_object = ReadIdentifier(f, "invoiced_object", "invoiced object identifier (BT-18)",
                                       codelists::IsObjectIdentifierScheme, "UNTDID 1153 scheme",
                                       false, findings);
  inv.buyer_accounting_reference = f.String("buyer_accounting_reference", "buyer accounting reference (BT-19)");
  inv.payment_terms = f.String("payment_terms", "payment terms (BT-20)");
  inv.specification_id = f.String("specification_id", "specification identifier (BT-24)");
  inv.business_process = f.String("business_process", "business process (BT-23)");
  if (inv.buyer_reference.empty() && inv.purchase_order_reference.empty() && f.present()) {
    findings.Add("PEPPOL-EN16931-R003", f.PointerTo("buyer_reference"),
                 "give 'buyer_reference' (BT-10) or 'purchase_order_reference' (BT-13)");
  }
  if (!inv.sales_order_reference.empty() && inv.purchase_order_reference.empty()) {
    findings.Add("json.required", f.PointerTo("purchase_order_reference"),
                 "UBL carries a sales order reference (BT-14) only with a purchase order reference "
                 "(BT-13)");
  }
}

// Rules that relate terms of different sections.
void CheckAcrossSections(model::Invoice& inv, Findings& findings) {
  // PEPPOL-EN16931-R002: one document note, unless seller and buyer are both German. Plain notes
  // are joined (nothing is lost); notes with subject codes cannot be joined.
  bool german = inv.seller.address.country == "DE" && inv.buyer.address.country == "DE";
  if (inv.notes.size() > 1 && !german) {
    bool coded = std::any_of(inv.notes.begin(), inv.notes.end(),
                             [](const model::Note& n) { return !n.subject_code.empty(); });
    if (coded) {
      findings.Add("PEPPOL-EN16931-R002", "/notes",
                   "Peppol allows one invoice note unless seller and buyer are German; notes with "
                   "a 'subject_code' cannot be joined: send one note");
    } else {
      for (size_t i = 1; i < inv.notes.size(); ++i) inv.notes[0].text += "\n" + inv.notes[i].text;
      inv.notes.resize(1);
    }
  }
  // BT-9 of a credit note travels in the payment means (cac:PaymentMeans/cbc:PaymentDueDate).
  if (inv.kind == model::DocumentKind::kCreditNote && inv.due_date && !inv.payment) {
    findings.Add("json.required", "/payment",
                 "a credit note carries its 'due_date' in the payment means: add 'payment' "
                 "(e.g. {\"means_code\": \"30\", ...}) or leave 'due_date' out");
  }
  // PEPPOL-EN16931-R110/R111: line periods lie within the invoice period.
  const model::Period& doc = inv.invoice_period;
  for (size_t i = 0; i < inv.lines.size(); ++i) {
    const model::Period& p = inv.lines[i].period;
    std::string where = PointerAppend("/lines", i) + "/period";
    if (doc.start && p.start && *p.start < *doc.start) {
      findings.Add("PEPPOL-EN16931-R110", where + "/start_date",
                   "the line period starts " + p.start->ToString() +
                       ", before the invoice period (" + doc.start->ToString() + ")");
    }
    if (doc.end && p.end && *doc.end < *p.end) {
      findings.Add("PEPPOL-EN16931-R111", where + "/end_date",
                   "the line period ends " + p.end->ToString() + ", after the invoice period (" +
                       doc.end->ToString() + ")");
    }
  }
}

}  // namespace

Result<model::Invoice> ReadInvoice(std::string_view text) {
  auto root = Parse(text);
  if (!root) return root.error();
  Findings findings;
  model::Invoice inv;
  FieldReader f(&*root, "", findings);
  if (!f.present()) {
    return Error::InvalidInput("the invoice is not a JSON object", std::move(findings.list()));
  }
  ReadHeader(f, inv, findings);
  ForEach(f, "notes", "invoice notes (BG-1)", false, findings,
          [&](const JsonValue& v, const std::string& pointer) {
            model::Note note;
            if (v.is_string()) {
              note.text = v.text;
            } else {
              FieldReader n(&v, pointer, findings);
              note.subject_code = n.Code("subject_code", "note subject code (BT-21)",
                                         codelists::IsTextSubjectCode, "UNTDID 4451 code");
              note.text = n.String("text", "invoice note (BT-22)", true);
              n.Finish();
            }
            if (!note.text.empty()) inv.notes.push_back(std::move(note));
          });
  ForEach(f, "preceding_invoices", "preceding invoice references (BG-3)", false, findings,
          [&](const JsonValue& v, const std::string& pointer) {
            FieldReader p(&v, pointer, findings);
            model::PrecedingInvoice pi;
            pi.number = p.String("number", "preceding invoice number (BT-25)", true);
            pi.issue_date = p.DateField("issue_date", "preceding invoice issue date (BT-26)");
            p.Finish();
            inv.preceding_invoices.push_back(std::move(pi));
          });
  inv.seller = ReadParty(f, "seller", true, findings);
  inv.buyer = ReadParty(f, "buyer", false, findings);
  if (const JsonValue* v = f.Object("payee", "payee (BG-10)")) {
    FieldReader p(v, f.PointerTo("payee"), findings);
    model::Payee payee;
    payee.name = p.String("name", "payee name (BT-59)", true);
    payee.identifier = ReadIdentifier(p, "identifier", "payee identifier (BT-60)",
                                      codelists::IsIdentifierScheme, "ISO 6523 ICD scheme", false, findings);
    payee.legal_registration_id =
        ReadIdentifier(p, "legal_registration_id", "payee legal registration identifier (BT-61)",
                       codelists::IsIdentifierScheme, "ISO 6523 ICD scheme", false, findings);
    p.Finish();
    CheckIdFormat(payee.identifier.scheme, payee.identifier.value,
                  [&] { return p.PointerTo("identifier") + "/id"; }, findings);
    CheckIdFormat(payee.legal_registration_id.scheme, payee.legal_registration_id.value,
                  [&] { return p.PointerTo("legal_registration_id") + "/id"; }, findings);
    if (!payee.name.empty() && payee.name == inv.seller.name) {  // UBL-SR-20
      findings.Add("UBL-SR-20", p.PointerTo("name"),
                   "the payee is the seller; leave 'payee' out when the seller is paid");
    }
    inv.payee = std::move(payee);
  }
  if (const JsonValue* v = f.Object("tax_representative", "seller tax representative (BG-11)")) {
    FieldReader t(v, f.PointerTo("tax_representative"), findings);
    model::TaxRepresentative rep;
    rep.name = t.String("name", "tax representative name (BT-62)", true);
    rep.vat_id = t.String("vat_id", "tax representative VAT identifier (BT-63)", true);
    rep.address = ReadAddress(t, "address", "tax representative address (BG-12)", true);
    t.Finish();
    inv.tax_representative = std::move(rep);
  }
  if (const JsonValue* v = f.Object("delivery", "delivery (BG-13)")) {
    FieldReader d(v, f.PointerTo("delivery"), findings);
    model::Delivery del;
    del.party_name = d.String("party_name", "deliver to party name (BT-70)");
    del.location_id = ReadIdentifier(d, "location_id", "deliver to location identifier (BT-71)",
                                     codelists::IsIdentifierScheme, "ISO 6523 ICD scheme", false, findings);
    del.date = d.DateField("date", "actual delivery date (BT-72)");
    del.address = ReadAddress(d, "address", "deliver to address (BG-15)", false);
    d.Finish();
    if (!del.empty()) inv.delivery = std::move(del);
  }
  inv.invoice_period = internal::ReadPeriod(f, "invoice_period", "invoicing period (BG-14)", findings);
  if (const JsonValue* v = f.Member("payment")) {
    if (v->is_object()) {
      inv.payment = ReadPayment(*v, f.PointerTo("payment"), findings);
    } else {
      // EN16931 allows one payment instructions group (UBL-SR-44..47): several means are not
      // expressible, several accounts are.
      findings.Add("json.type", f.PointerTo("payment"),
                   std::string("expected one payment object, found ") + KindName(v->kind) +
                       "; an invoice has one payment means (BG-16): list several accounts under "
                       "'credit_transfer'");
    }
  }
  ForEach(f, "allowances", "document allowances (BG-20)", false, findings,
          [&](const JsonValue& v, const std::string& pointer) {
            inv.allowances_charges.push_back(
                internal::ReadAllowanceCharge(v, pointer, false, true, findings));
          });
  ForEach(f, "charges", "document charges (BG-21)", false, findings,
          [&](const JsonValue& v, const std::string& pointer) {
            inv.allowances_charges.push_back(
                internal::ReadAllowanceCharge(v, pointer, true, true, findings));
          });
  ReadDocuments(f, inv, findings);
  if (const JsonValue* lines = f.Array("lines", "invoice lines (BG-25)", true)) {
    if (lines->items.empty()) {  // BR-16
      findings.Add("BR-16", "/lines", "an invoice needs at least one line");
    }
    inv.lines.reserve(lines->items.size());
    for (size_t i = 0; i < lines->items.size(); ++i) {
      inv.lines.push_back(
          internal::ReadLine(lines->items[i], PointerAppend("/lines", i), i, findings));
    }
  }
  ReadVatBreakdown(f, inv, findings);
  ReadTotals(f, inv, findings);
  f.Finish();
  CheckAcrossSections(inv, findings);
  if (!findings.empty()) {
    size_t n = findings.list().size();
    return Error::InvalidInput(
        "the invoice has " + std::to_string(n) + (n == 1 ? " error" : " errors"),
        std::move(findings.list()));
  }
  return inv;
}

}  // namespace gw::formats::json
