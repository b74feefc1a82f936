// The readable view of an invoice: the EN16931 model as one JSON object shaped for display
// (parties, lines, VAT breakdown, totals, payment); formats/registry/stored_invoice.h reads a
// stored document of any format into that model. Stateless functions; safe to call from many threads at
// once.
#pragma once

#include <string>
#include <string_view>

#include "formats/core/result.h"
#include "formats/model/invoice.h"

namespace gw::formats::json {

// Renders `invoice` as one UTF-8 JSON object (JsonOut escaping, so any text, markup included, comes
// back as the exact string). Every member is always present: an absent term is null, an absent
// list []. Amounts, quantities and rates are strings holding the model's exact decimal, scale kept
// ("229.6" stays "229.6"); dates "YYYY-MM-DD". Codes stay codes (the code lists in
// formats/codelists have no names to add). Shape, with PARTY and ADDRESS below:
//   {"document_type": "invoice"|"credit_note", "type_code", "number", "issue_date", "due_date",
//    "currency", "buyer_reference", "order_reference", "notes": [text..],
//    "invoice_period": {"start","end"}|null, "preceding_invoices": [{"number","issue_date"}],
//    "seller": PARTY, "buyer": PARTY, "payee": PARTY|null,
//    "delivery": {"name","location_id","date","address": ADDRESS}|null,
//    "lines": [{"id","name","description","quantity","unit","price","price_base_quantity",
//               "net_amount","vat_category","vat_rate","period": {"start","end"}|null}],
//    "allowances_charges": [{"charge": bool,"reason","amount","vat_category","vat_rate"}],
//    "vat_breakdown": [{"category","rate","taxable_amount","tax_amount","exemption_reason",
//                       "exemption_reason_code"}],
//    "totals": {"line_extension","allowances","charges","tax_exclusive","tax","tax_inclusive",
//               "prepaid","rounding","payable"},
//    "payment": {"means","means_code","iban","bic","account_name","reference","due_date","terms",
//                "accounts": [{"iban","bic","name"}],
//                "card": {"account_number","network","holder_name"}|null,
//                "direct_debit": {"mandate_reference","creditor_id","debited_account"}|null}}
//   PARTY = {"name","trading_name","endpoint" ("scheme:value"),"vat_id","legal_id",
//            "identifiers": [{"scheme","value"}],"address": ADDRESS,
//            "contact": {"name","email","phone"}}
//   ADDRESS = {"lines": [..],"city","postcode","subdivision","country"}
// The payment's iban/bic/account_name are the first account's (BG-17); "accounts" lists them all.
// Line allowances and charges, item identifiers and attributes, attachments and a few references
// are not part of the view (see view_json.cc). An amount that overflowed in computation is null.
// `invoice` is only read during the call.
std::string InvoiceViewJson(const model::Invoice& invoice);



}  // namespace gw::formats::json
