// The readable view of an invoice: the EN16931 model as one JSON object shaped for display
// (parties, lines, VAT breakdown, totals, payment), and the reading of a stored document of any
// format the gateway reads into that model. Stateless functions; safe to call from many threads at
// once.
#pragma once

#include <string>
#include <string_view>

#include "formats/core/result.h"
#include "formats/model/invoice.h"
#include "formats/registry/format_registry.h"

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

// Reads a stored document of any format `registry` has a reader for, recognised by its content:
// a JSON object is the ERP JSON format ("json"), completed by calc::Complete as on intake (ERP
// JSON may leave totals and the VAT breakdown to the gateway); an XML document by the namespace
// and local name of its root element: UBL 2.1 Invoice or CreditNote ("ubl"), CII D16B
// CrossIndustryInvoice ("cii"), Finvoice, bare or behind its SOAP frame ("finvoice"), E_Invoice
// ("ee-einvoice"). The profile formats (xrechnung-*, facturx*) are read by the reader of their
// syntax. An XML document is read as it states its amounts; nothing is recomputed.
//
// The content decides; `media_type_hint` (the stored media type; may be empty) is used only for
// content that starts like neither JSON nor XML: a JSON or XML media type hands it to that parser,
// which says what is wrong with it. `format_used`, when not null, is set to the name of the format
// chosen as soon as it is chosen (so also when its reader then fails), and to "" before.
//
// Errors, all kInvalidArgument: empty content; content that is neither JSON nor XML (naming what
// it looks like, e.g. a PDF); a JSON array (the ERP format is one object); XML that is not
// well-formed, has a DOCTYPE (refused before any entity is declared) or exceeds a limit, with the
// hardened parser's finding (rules "xml.syntax", "xml.doctype", "xml.limit"); an XML root no reader
// reads ("an XML document with root element {ns}Foo, which no reader of this gateway reads"); a
// format detected that `registry` has no reader for; and the reader's or the calculator's own
// errors, unchanged. `registry` and `text` are only read during the call.
Result<model::Invoice> ReadStoredInvoice(const FormatRegistry& registry, std::string_view text,
                                         std::string_view media_type_hint,
                                         std::string* format_used);

}  // namespace gw::formats::json
