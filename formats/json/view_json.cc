#include "formats/json/view_json.h"

#include <cctype>
#include <optional>
#include <utility>
#include <vector>

#include "formats/json/json_out.h"

namespace gw::formats::json {
namespace {

// ---- The view -------------------------------------------------------------------------------
// Not in the view (a readable document leaves them to the archived original): BT-6/BT-7/BT-8/
// BT-111 (tax currency and VAT point), BT-11/12/14/15/16/17/18/19 (other references), BT-21 (note
// subject codes), BT-23/BT-24 (process and specification), BT-32/BT-33 (seller tax registration and
// legal information), BG-11 (tax representative), BG-24 (supporting documents and attachments),
// BT-97/104 reason codes, base amounts and percentages of allowances and charges, and on lines
// BT-127/128/132/133 (note, object id, order line, accounting reference), BG-27/28 (line
// allowances and charges), BT-147/148 (price discount and gross price), BT-150 (price base unit)
// and BT-155..161 (item identifiers, classifications, origin, attributes).

void Text(JsonOut& out, std::string_view key, std::string_view value) {
  out.OptionalField(key, value);
}

void Amount(JsonOut& out, std::string_view key, const Decimal& value) {
  // An overflowed Decimal has no exact text (json_writer.h refuses it; the view shows nothing).
  if (value.overflow()) {
    out.Key(key).Null();
  } else {
    out.Field(key, value.ToString());
  }
}

void Amount(JsonOut& out, std::string_view key, const std::optional<Decimal>& value) {
  if (value) {
    Amount(out, key, *value);
  } else {
    out.Key(key).Null();
  }
}

void DateField(JsonOut& out, std::string_view key, const std::optional<Date>& value) {
  if (value && value->valid()) {
    out.Field(key, value->ToString());
  } else {
    out.Key(key).Null();
  }
}

void PeriodField(JsonOut& out, std::string_view key, const model::Period& period) {
  if (period.empty()) {
    out.Key(key).Null();
    return;
  }
  out.Key(key).BeginObject();
  DateField(out, "start", period.start);  // BT-73, BT-134
  DateField(out, "end", period.end);      // BT-74, BT-135
  out.EndObject();
}

void AddressField(JsonOut& out, const model::Address& a) {  // BG-5, BG-8, BG-15
  out.Key("address").BeginObject();
  out.Key("lines").BeginArray();
  for (const std::string* line : {&a.line1, &a.line2, &a.line3}) {  // BT-35, BT-36, BT-162
    if (!line->empty()) out.String(*line);
  }
  out.EndArray();
  Text(out, "city", a.city);                // BT-37
  Text(out, "postcode", a.postal_code);     // BT-38
  Text(out, "subdivision", a.subdivision);  // BT-39
  Text(out, "country", a.country);          // BT-40
  out.EndObject();
}

void PartyObject(JsonOut& out, const model::Party& p) {  // BG-4, BG-7
  out.BeginObject();
  Text(out, "name", p.name);                  // BT-27, BT-44
  Text(out, "trading_name", p.trading_name);  // BT-28, BT-45
  if (p.electronic_address.empty()) {         // BT-34, BT-49
    out.Key("endpoint").Null();
  } else {
    out.Field("endpoint", p.electronic_address.ToString());
  }
  Text(out, "vat_id", p.vat_id);                         // BT-31, BT-48
  Text(out, "legal_id", p.legal_registration_id.value);  // BT-30, BT-47
  out.Key("identifiers").BeginArray();                   // BT-29, BT-46
  for (const model::Identifier& id : p.identifiers) {
    out.BeginObject();
    Text(out, "scheme", id.scheme);
    Text(out, "value", id.value);
    out.EndObject();
  }
  out.EndArray();
  AddressField(out, p.address);
  out.Key("contact").BeginObject();     // BG-6, BG-9
  Text(out, "name", p.contact.name);    // BT-41, BT-56
  Text(out, "email", p.contact.email);  // BT-43, BT-58
  Text(out, "phone", p.contact.phone);  // BT-42, BT-57
  out.EndObject();
  out.EndObject();
}

void LineObject(JsonOut& out, const model::Line& l) {  // BG-25
  out.BeginObject();
  Text(out, "id", l.id);                         // BT-126
  Text(out, "name", l.item.name);                // BT-153
  Text(out, "description", l.item.description);  // BT-154
  Amount(out, "quantity", l.quantity);           // BT-129
  Text(out, "unit", l.unit);                     // BT-130
  Amount(out, "price", l.price.net);             // BT-146
  // BT-149: the price is per this many units; without it, the price of one unit.
  Amount(out, "price_base_quantity", l.price.base_quantity);
  Amount(out, "net_amount", l.net_amount);  // BT-131
  Text(out, "vat_category", l.vat.code);    // BT-151
  Amount(out, "vat_rate", l.vat.rate);      // BT-152
  PeriodField(out, "period", l.period);     // BG-26
  out.EndObject();
}

void PaymentObject(JsonOut& out, const model::Invoice& inv) {  // BG-16
  const model::PaymentInstructions none;
  const model::PaymentInstructions& p = inv.payment ? *inv.payment : none;
  const model::CreditTransfer* first =
      p.credit_transfers.empty() ? nullptr : &p.credit_transfers.front();
  out.Key("payment").BeginObject();
  Text(out, "means", p.means_text);                   // BT-82
  Text(out, "means_code", p.means_code);              // BT-81
  Text(out, "iban", first ? first->account_id : "");  // BT-84 (an IBAN or another account)
  Text(out, "bic", first ? first->bank_id : "");      // BT-86
  Text(out, "account_name", first ? first->account_name : "");  // BT-85
  Text(out, "reference", p.remittance_info);                    // BT-83
  DateField(out, "due_date", inv.due_date);                     // BT-9
  Text(out, "terms", inv.payment_terms);                        // BT-20
  out.Key("accounts").BeginArray();                             // BG-17, each payee account
  for (const model::CreditTransfer& t : p.credit_transfers) {
    out.BeginObject();
    Text(out, "iban", t.account_id);
    Text(out, "bic", t.bank_id);
    Text(out, "name", t.account_name);
    out.EndObject();
  }
  out.EndArray();
  if (p.card) {  // BG-18
    out.Key("card").BeginObject();
    Text(out, "account_number", p.card->account_number);  // BT-87
    Text(out, "network", p.card->network);
    Text(out, "holder_name", p.card->holder_name);  // BT-88
    out.EndObject();
  } else {
    out.Key("card").Null();
  }
  if (p.direct_debit) {  // BG-19
    out.Key("direct_debit").BeginObject();
    Text(out, "mandate_reference", p.direct_debit->mandate_reference);  // BT-89
    Text(out, "creditor_id", p.direct_debit->creditor_id);              // BT-90
    Text(out, "debited_account", p.direct_debit->debited_account);      // BT-91
    out.EndObject();
  } else {
    out.Key("direct_debit").Null();
  }
  out.EndObject();
}

}  // namespace

std::string InvoiceViewJson(const model::Invoice& inv) {
  JsonOut out;
  out.BeginObject();
  out.Field("document_type",
            inv.kind == model::DocumentKind::kCreditNote ? "credit_note" : "invoice");
  Text(out, "type_code", inv.type_code);                       // BT-3
  Text(out, "number", inv.number);                             // BT-1
  DateField(out, "issue_date", inv.issue_date);                // BT-2
  DateField(out, "due_date", inv.due_date);                    // BT-9
  Text(out, "currency", inv.currency);                         // BT-5
  Text(out, "buyer_reference", inv.buyer_reference);           // BT-10
  Text(out, "order_reference", inv.purchase_order_reference);  // BT-13
  out.Key("notes").BeginArray();                               // BG-1: BT-22
  for (const model::Note& n : inv.notes) out.String(n.text);
  out.EndArray();
  PeriodField(out, "invoice_period", inv.invoice_period);  // BG-14
  out.Key("preceding_invoices").BeginArray();              // BG-3
  for (const model::PrecedingInvoice& p : inv.preceding_invoices) {
    out.BeginObject();
    Text(out, "number", p.number);               // BT-25
    DateField(out, "issue_date", p.issue_date);  // BT-26
    out.EndObject();
  }
  out.EndArray();
  PartyObject(out.Key("seller"), inv.seller);
  PartyObject(out.Key("buyer"), inv.buyer);
  if (inv.payee) {  // BG-10, as a party with what it has: BT-59, BT-60, BT-61
    model::Party payee;
    payee.name = inv.payee->name;
    if (!inv.payee->identifier.empty()) payee.identifiers.push_back(inv.payee->identifier);
    payee.legal_registration_id = inv.payee->legal_registration_id;
    PartyObject(out.Key("payee"), payee);
  } else {
    out.Key("payee").Null();
  }
  if (inv.delivery && !inv.delivery->empty()) {  // BG-13
    out.Key("delivery").BeginObject();
    Text(out, "name", inv.delivery->party_name);                // BT-70
    Text(out, "location_id", inv.delivery->location_id.value);  // BT-71
    DateField(out, "date", inv.delivery->date);                 // BT-72
    AddressField(out, inv.delivery->address);                   // BG-15
    out.EndObject();
  } else {
    out.Key("delivery").Null();
  }
  out.Key("lines").BeginArray();
  for (const model::Line& l : inv.lines) LineObject(out, l);
  out.EndArray();
  out.Key("allowances_charges").BeginArray();  // BG-20, BG-21
  for (const model::AllowanceCharge& a : inv.allowances_charges) {
    out.BeginObject();
    out.Field("charge", a.is_charge);
    Text(out, "reason", a.reason);          // BT-97, BT-104
    Amount(out, "amount", a.amount);        // BT-92, BT-99
    Text(out, "vat_category", a.vat.code);  // BT-95, BT-102
    Amount(out, "vat_rate", a.vat.rate);    // BT-96, BT-103
    out.EndObject();
  }
  out.EndArray();
  out.Key("vat_breakdown").BeginArray();  // BG-23
  for (const model::VatBreakdown& v : inv.vat_breakdown) {
    out.BeginObject();
    Text(out, "category", v.category.code);                       // BT-118
    Amount(out, "rate", v.category.rate);                         // BT-119
    Amount(out, "taxable_amount", v.taxable_amount);              // BT-116
    Amount(out, "tax_amount", v.tax_amount);                      // BT-117
    Text(out, "exemption_reason", v.exemption_reason);            // BT-120
    Text(out, "exemption_reason_code", v.exemption_reason_code);  // BT-121
    out.EndObject();
  }
  out.EndArray();
  const model::Totals& t = inv.totals;  // BG-22
  out.Key("totals").BeginObject();
  Amount(out, "line_extension", t.line_net_total);  // BT-106
  Amount(out, "allowances", t.allowance_total);     // BT-107
  Amount(out, "charges", t.charge_total);           // BT-108
  Amount(out, "tax_exclusive", t.tax_exclusive);    // BT-109
  Amount(out, "tax", t.vat_total);                  // BT-110
  Amount(out, "tax_inclusive", t.tax_inclusive);    // BT-112
  Amount(out, "prepaid", t.prepaid);                // BT-113
  Amount(out, "rounding", t.rounding);              // BT-114
  Amount(out, "payable", t.payable);                // BT-115
  out.EndObject();
  PaymentObject(out, inv);
  out.EndObject();
  return out.Take();
}

}  // namespace gw::formats::json
