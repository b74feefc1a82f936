// Every business term of a model::Invoice as "path = value" lines, for comparing models in tests:
// two invoices carry the same terms exactly when their dumps are equal. Paths follow the model's
// field names and the JSON-pointer style of the writers' loss findings ("/preceding_invoices/1",
// "/payment/card/network"), so that a reported loss names the lines it excuses.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "formats/model/invoice.h"

namespace gw::testing {

namespace model_dump_internal {

class Dumper {
 public:
  std::vector<std::string> lines;

  void Put(const std::string& path, const std::string& value) {
    if (!value.empty()) lines.push_back(path + " = " + value);
  }
  // Values, not their writing: 19, 19.0 and 19.00 are the same percentage.
  void Put(const std::string& path, const Decimal& value) {
    lines.push_back(path + " = " + value.Normalized().ToString());
  }
  void Put(const std::string& path, const std::optional<Decimal>& value) {
    if (value) Put(path, *value);
  }
  void Put(const std::string& path, const std::optional<Date>& value) {
    if (value) Put(path, value->ToString());
  }
  void Put(const std::string& path, const model::Identifier& id) {
    Put(path + "/value", id.value);
    Put(path + "/scheme", id.scheme);
  }
  void Put(const std::string& path, const model::Address& a) {
    Put(path + "/line1", a.line1);
    Put(path + "/line2", a.line2);
    Put(path + "/line3", a.line3);
    Put(path + "/city", a.city);
    Put(path + "/postal_code", a.postal_code);
    Put(path + "/subdivision", a.subdivision);
    Put(path + "/country", a.country);
  }
  void Put(const std::string& path, const model::Party& p) {
    Put(path + "/name", p.name);
    Put(path + "/trading_name", p.trading_name);
    // BT-29 is a set: CII writes the identifiers without a scheme first (the schema's order).
    std::vector<model::Identifier> ids = p.identifiers;
    std::stable_sort(ids.begin(), ids.end(), [](const model::Identifier& a, const model::Identifier& b) {
      return a.scheme.empty() && !b.scheme.empty();
    });
    for (size_t i = 0; i < ids.size(); ++i) Put(path + "/identifiers/" + std::to_string(i), ids[i]);
    Put(path + "/legal_registration_id", p.legal_registration_id);
    Put(path + "/vat_id", p.vat_id);
    Put(path + "/tax_registration_id", p.tax_registration_id);
    Put(path + "/legal_info", p.legal_info);
    Put(path + "/electronic_address/scheme", p.electronic_address.scheme());
    Put(path + "/electronic_address/value", p.electronic_address.value());
    Put(path + "/address", p.address);
    Put(path + "/contact/name", p.contact.name);
    Put(path + "/contact/phone", p.contact.phone);
    Put(path + "/contact/email", p.contact.email);
  }
  void Put(const std::string& path, const model::Period& p) {
    Put(path + "/start", p.start);
    Put(path + "/end", p.end);
  }
  void Put(const std::string& path, const model::VatCategory& v) {
    Put(path + "/code", v.code);
    Put(path + "/rate", v.rate);
  }
  void Put(const std::string& path, const model::AllowanceCharge& ac, bool document_level) {
    Put(path + "/is_charge", std::string(ac.is_charge ? "true" : "false"));
    Put(path + "/amount", ac.amount);
    Put(path + "/base_amount", ac.base_amount);
    Put(path + "/percentage", ac.percentage);
    if (document_level) Put(path + "/vat", ac.vat);
    Put(path + "/reason", ac.reason);
    Put(path + "/reason_code", ac.reason_code);
  }
  void Put(const std::string& path, const model::Line& l) {
    Put(path + "/id", l.id);
    Put(path + "/note", l.note);
    Put(path + "/object_id", l.object_id);
    Put(path + "/quantity", l.quantity);
    Put(path + "/unit", l.unit);
    Put(path + "/net_amount", l.net_amount);
    Put(path + "/order_line_reference", l.order_line_reference);
    Put(path + "/accounting_reference", l.accounting_reference);
    Put(path + "/period", l.period);
    for (size_t i = 0; i < l.allowances_charges.size(); ++i) {
      Put(path + "/allowances_charges/" + std::to_string(i), l.allowances_charges[i], false);
    }
    Put(path + "/price/net", l.price.net);
    // UBL writes a price allowance of 0 with a gross price (cbc:Amount is mandatory there): no
    // discount and a discount of 0 are the same term value.
    if (l.price.discount && !l.price.discount->is_zero()) Put(path + "/price/discount", l.price.discount);
    Put(path + "/price/gross", l.price.gross);
    Put(path + "/price/base_quantity", l.price.base_quantity);
    // BT-150 must be the line's unit (BT-130) when given; absent means the same.
    if (l.price.base_unit != l.unit) Put(path + "/price/base_unit", l.price.base_unit);
    Put(path + "/vat", l.vat);
    const model::Item& item = l.item;
    Put(path + "/item/name", item.name);
    Put(path + "/item/description", item.description);
    Put(path + "/item/sellers_id", item.sellers_id);
    Put(path + "/item/buyers_id", item.buyers_id);
    Put(path + "/item/standard_id", item.standard_id);
    for (size_t i = 0; i < item.classifications.size(); ++i) {
      const std::string p = path + "/item/classifications/" + std::to_string(i);
      Put(p + "/code", item.classifications[i].code);
      Put(p + "/list_id", item.classifications[i].list_id);
      Put(p + "/list_version", item.classifications[i].list_version);
    }
    Put(path + "/item/origin_country", item.origin_country);
    for (size_t i = 0; i < item.attributes.size(); ++i) {
      const std::string p = path + "/item/attributes/" + std::to_string(i);
      Put(p + "/name", item.attributes[i].name);
      Put(p + "/value", item.attributes[i].value);
    }
  }
};

}  // namespace model_dump_internal

// One line per non-empty term, in model order.
inline std::vector<std::string> DumpModel(const model::Invoice& inv) {
  model_dump_internal::Dumper d;
  d.Put("/kind", std::string(inv.kind == model::DocumentKind::kCreditNote ? "credit_note" : "invoice"));
  d.Put("/number", inv.number);
  d.Put("/issue_date", inv.issue_date.ToString());
  d.Put("/type_code", inv.type_code);
  d.Put("/currency", inv.currency);
  d.Put("/tax_currency", inv.tax_currency == inv.currency ? std::string() : inv.tax_currency);
  d.Put("/tax_point_date", inv.tax_point_date);
  d.Put("/due_date", inv.due_date);
  d.Put("/buyer_reference", inv.buyer_reference);
  d.Put("/project_reference", inv.project_reference);
  d.Put("/contract_reference", inv.contract_reference);
  d.Put("/purchase_order_reference", inv.purchase_order_reference);
  d.Put("/sales_order_reference", inv.sales_order_reference);
  d.Put("/receiving_advice_reference", inv.receiving_advice_reference);
  d.Put("/despatch_advice_reference", inv.despatch_advice_reference);
  d.Put("/tender_reference", inv.tender_reference);
  d.Put("/invoiced_object", inv.invoiced_object);
  d.Put("/buyer_accounting_reference", inv.buyer_accounting_reference);
  d.Put("/payment_terms", inv.payment_terms);
  d.Put("/vat_point_date_code", inv.vat_point_date_code);
  for (size_t i = 0; i < inv.notes.size(); ++i) {
    d.Put("/notes/" + std::to_string(i) + "/subject_code", inv.notes[i].subject_code);
    d.Put("/notes/" + std::to_string(i) + "/text", inv.notes[i].text);
  }
  d.Put("/specification_id", inv.specification_id);
  d.Put("/business_process", inv.business_process);
  for (size_t i = 0; i < inv.preceding_invoices.size(); ++i) {
    d.Put("/preceding_invoices/" + std::to_string(i) + "/number", inv.preceding_invoices[i].number);
    d.Put("/preceding_invoices/" + std::to_string(i) + "/issue_date", inv.preceding_invoices[i].issue_date);
  }
  d.Put("/seller", inv.seller);
  d.Put("/buyer", inv.buyer);
  if (inv.payee) {
    d.Put("/payee/name", inv.payee->name);
    d.Put("/payee/identifier", inv.payee->identifier);
    d.Put("/payee/legal_registration_id", inv.payee->legal_registration_id);
  }
  if (inv.tax_representative) {
    d.Put("/tax_representative/name", inv.tax_representative->name);
    d.Put("/tax_representative/vat_id", inv.tax_representative->vat_id);
    d.Put("/tax_representative/address", inv.tax_representative->address);
  }
  if (inv.delivery) {
    d.Put("/delivery/party_name", inv.delivery->party_name);
    d.Put("/delivery/location_id", inv.delivery->location_id);
    d.Put("/delivery/date", inv.delivery->date);
    d.Put("/delivery/address", inv.delivery->address);
  }
  d.Put("/invoice_period", inv.invoice_period);
  if (inv.payment) {
    const model::PaymentInstructions& p = *inv.payment;
    d.Put("/payment/means_code", p.means_code);
    d.Put("/payment/means_text", p.means_text);
    d.Put("/payment/remittance_info", p.remittance_info);
    for (size_t i = 0; i < p.credit_transfers.size(); ++i) {
      const std::string path = "/payment/credit_transfers/" + std::to_string(i);
      d.Put(path + "/account_id", p.credit_transfers[i].account_id);
      d.Put(path + "/account_name", p.credit_transfers[i].account_name);
      d.Put(path + "/bank_id", p.credit_transfers[i].bank_id);
    }
    if (p.card) {
      d.Put("/payment/card/account_number", p.card->account_number);
      d.Put("/payment/card/network", p.card->network);
      d.Put("/payment/card/holder_name", p.card->holder_name);
    }
    if (p.direct_debit) {
      d.Put("/payment/direct_debit/mandate_reference", p.direct_debit->mandate_reference);
      d.Put("/payment/direct_debit/creditor_id", p.direct_debit->creditor_id);
      d.Put("/payment/direct_debit/debited_account", p.direct_debit->debited_account);
    }
  }
  for (size_t i = 0; i < inv.allowances_charges.size(); ++i) {
    d.Put("/allowances_charges/" + std::to_string(i), inv.allowances_charges[i], true);
  }
  for (size_t i = 0; i < inv.documents.size(); ++i) {
    const std::string path = "/documents/" + std::to_string(i);
    const model::SupportingDocument& doc = inv.documents[i];
    d.Put(path + "/id", doc.id);
    d.Put(path + "/description", doc.description);
    d.Put(path + "/url", doc.url);
    if (doc.attachment) {
      d.Put(path + "/attachment/content_base64", doc.attachment->content_base64);
      d.Put(path + "/attachment/mime_code", doc.attachment->mime_code);
      d.Put(path + "/attachment/filename", doc.attachment->filename);
    }
  }
  for (size_t i = 0; i < inv.lines.size(); ++i) d.Put("/lines/" + std::to_string(i), inv.lines[i]);
  const model::Totals& t = inv.totals;
  d.Put("/totals/line_net_total", t.line_net_total);
  d.Put("/totals/allowance_total", t.allowance_total);
  d.Put("/totals/charge_total", t.charge_total);
  d.Put("/totals/tax_exclusive", t.tax_exclusive);
  d.Put("/totals/vat_total", t.vat_total);
  d.Put("/totals/vat_total_accounting", t.vat_total_accounting);
  d.Put("/totals/tax_inclusive", t.tax_inclusive);
  d.Put("/totals/prepaid", t.prepaid);
  d.Put("/totals/rounding", t.rounding);
  d.Put("/totals/payable", t.payable);
  for (size_t i = 0; i < inv.vat_breakdown.size(); ++i) {
    const std::string path = "/vat_breakdown/" + std::to_string(i);
    const model::VatBreakdown& b = inv.vat_breakdown[i];
    d.Put(path + "/category", b.category);
    d.Put(path + "/taxable_amount", b.taxable_amount);
    d.Put(path + "/tax_amount", b.tax_amount);
    d.Put(path + "/exemption_reason", b.exemption_reason);
    d.Put(path + "/exemption_reason_code", b.exemption_reason_code);
  }
  return d.lines;
}

// The lines of `a` missing from `b` ("- line") and of `b` missing from `a` ("+ line"), except
// those whose path starts with one of `excused` (paths of reported losses).
inline std::vector<std::string> DiffModels(const model::Invoice& a, const model::Invoice& b,
                                    const std::vector<std::string>& excused) {
  std::vector<std::string> da = DumpModel(a), db = DumpModel(b);
  std::multiset<std::string> sa(da.begin(), da.end()), sb(db.begin(), db.end());
  auto is_excused = [&](const std::string& line) {
    return std::any_of(excused.begin(), excused.end(), [&](const std::string& p) { return line.rfind(p, 0) == 0; });
  };
  std::vector<std::string> out;
  for (const std::string& line : da) {
    auto it = sb.find(line);
    if (it != sb.end()) {
      sb.erase(it);
    } else if (!is_excused(line)) {
      out.push_back("- " + line);
    }
  }
  for (const std::string& line : db) {
    auto it = sa.find(line);
    if (it != sa.end()) {
      sa.erase(it);
    } else if (!is_excused(line)) {
      out.push_back("+ " + line);
    }
  }
  return out;
}

}  // namespace gw::testing
