// The ERP JSON format written from the model: members in the order of docs/formats/json.md (the
// order json_reader.cc and json_line_reader.cc read them), one function per section.
#include "formats/json/json_writer.h"

#include <algorithm>
#include <string_view>

#include "formats/json/json_out.h"

namespace gw::formats::json {
namespace {

class Writer {
 public:
  explicit Writer(std::vector<Finding>* losses) : losses_(losses) {}

  Result<std::string> Write(const model::Invoice& inv);

 private:
  void Lost(std::string path, std::string message) {
    if (losses_ != nullptr) {
      losses_->push_back(
          Finding{"json.lost", Finding::Severity::kWarning, std::move(path), std::move(message)});
    }
  }

  // Leaves: each writes nothing when the term is absent.
  void Text(std::string_view key, std::string_view value) {
    if (!value.empty()) out_.Field(key, value);
  }
  // Decimals as strings with their exact digits (docs: "Amounts ... are JSON strings").
  void Number(std::string_view key, const Decimal& value, const std::string& path) {
    if (value.overflow()) {
      errors_.push_back(Finding{"json.number", Finding::Severity::kFatal, path,
                                "the amount overflowed in computation and has no exact value"});
    }
    std::string text;
    value.AppendTo(text);
    out_.Key(key).String(text);
  }
  void Number(std::string_view key, const std::optional<Decimal>& value, const std::string& path) {
    if (value) Number(key, *value, path);
  }
  void DateValue(std::string_view key, const std::optional<Date>& value) {
    if (value && value->valid()) out_.Field(key, value->ToString());
  }
  void Id(std::string_view key, const model::Identifier& id) {
    if (id.empty()) return;
    out_.Key(key).BeginObject();
    out_.Field("id", id.value);
    Text("scheme", id.scheme);
    out_.EndObject();
  }
  void Address(std::string_view key, const model::Address& a) {
    if (a.empty()) return;
    out_.Key(key).BeginObject();
    Text("line1", a.line1);
    Text("line2", a.line2);
    Text("line3", a.line3);
    Text("city", a.city);
    Text("postal_code", a.postal_code);
    Text("subdivision", a.subdivision);
    Text("country", a.country);
    out_.EndObject();
  }
  void PeriodValue(std::string_view key, const model::Period& p) {
    if (p.empty()) return;
    out_.Key(key).BeginObject();
    DateValue("start_date", p.start);
    DateValue("end_date", p.end);
    out_.EndObject();
  }

  void Header(const model::Invoice& inv);
  void Party(std::string_view key, const model::Party& p, bool seller);
  void Payment(const model::PaymentInstructions& p);
  void AllowancesCharges(const std::vector<model::AllowanceCharge>& list, bool charges,
                         bool document_level, const std::string& path);
  void Documents(const std::vector<model::SupportingDocument>& documents);
  void Line(const model::Line& line, const std::string& path);
  void Price(const model::Line& line, const std::string& path);
  void Item(const model::Item& item);
  void Totals(const model::Invoice& inv);

  JsonOut out_;
  std::vector<Finding>* losses_;
  std::vector<Finding> errors_;
};

void Writer::Header(const model::Invoice& inv) {
  out_.Field("type", inv.kind == model::DocumentKind::kCreditNote ? "credit_note" : "invoice");
  Text("number", inv.number);
  DateValue("issue_date", inv.issue_date);
  Text("type_code", inv.type_code);
  Text("currency", inv.currency);
  // BT-6 equal to BT-5 states nothing (PEPPOL-EN16931-R005 forbids it; the reader refuses it).
  if (inv.tax_currency != inv.currency) Text("tax_currency", inv.tax_currency);
  DateValue("tax_point_date", inv.tax_point_date);
  Text("vat_point_date_code", inv.vat_point_date_code);
  DateValue("due_date", inv.due_date);
  Text("buyer_reference", inv.buyer_reference);
  Text("project_reference", inv.project_reference);
  Text("contract_reference", inv.contract_reference);
  Text("purchase_order_reference", inv.purchase_order_reference);
  Text("sales_order_reference", inv.sales_order_reference);
  Text("receiving_advice_reference", inv.receiving_advice_reference);
  Text("despatch_advice_reference", inv.despatch_advice_reference);
  Text("tender_reference", inv.tender_reference);
  Id("invoiced_object", inv.invoiced_object);
  Text("buyer_accounting_reference", inv.buyer_accounting_reference);
  Text("payment_terms", inv.payment_terms);
  if (!inv.notes.empty()) {
    out_.Key("notes").BeginArray();
    for (const model::Note& note : inv.notes) {
      if (note.subject_code.empty()) {
        out_.String(note.text);
      } else {
        out_.BeginObject()
            .Field("subject_code", note.subject_code)
            .Field("text", note.text)
            .EndObject();
      }
    }
    out_.EndArray();
  }
  Text("specification_id", inv.specification_id);
  Text("business_process", inv.business_process);
  if (!inv.preceding_invoices.empty()) {
    out_.Key("preceding_invoices").BeginArray();
    for (const model::PrecedingInvoice& p : inv.preceding_invoices) {
      out_.BeginObject();
      Text("number", p.number);
      DateValue("issue_date", p.issue_date);
      out_.EndObject();
    }
    out_.EndArray();
  }
}

void Writer::Party(std::string_view key, const model::Party& p, bool seller) {
  const std::string path = "/" + std::string(key);
  out_.Key(key).BeginObject();
  Text("name", p.name);
  Text("trading_name", p.trading_name);
  // BT-46 is 0..1 (the reader refuses a second buyer identifier): the first is kept.
  size_t n_ids = seller ? p.identifiers.size() : std::min<size_t>(p.identifiers.size(), 1);
  if (n_ids > 0) {
    out_.Key("identifiers").BeginArray();
    for (size_t i = 0; i < n_ids; ++i) {
      out_.BeginObject().Field("id", p.identifiers[i].value);
      Text("scheme", p.identifiers[i].scheme);
      out_.EndObject();
    }
    out_.EndArray();
  }
  for (size_t i = n_ids; i < p.identifiers.size(); ++i) {
    Lost(path + "/identifiers/" + std::to_string(i),
         "buyer identifier (BT-46) '" + p.identifiers[i].value +
             "' not written: the ERP JSON buyer has one identifier, the first is kept");
  }
  Id("legal_registration_id", p.legal_registration_id);
  Text("vat_id", p.vat_id);
  if (seller) {
    Text("tax_registration_id", p.tax_registration_id);
    Text("legal_info", p.legal_info);
  } else {
    if (!p.tax_registration_id.empty()) {
      Lost(path + "/tax_registration_id",
           "buyer tax registration identifier not written: the ERP JSON has it for the seller only "
           "(BT-32)");
    }
    if (!p.legal_info.empty()) {
      Lost(path + "/legal_info",
           "buyer additional legal information not written: the ERP JSON has it for the seller "
           "only (BT-33)");
    }
  }
  if (!p.electronic_address.empty()) {
    out_.Key("electronic_address").BeginObject();
    out_.Field("id", p.electronic_address.value()).Field("scheme", p.electronic_address.scheme());
    out_.EndObject();
  }
  Address("address", p.address);
  if (!p.contact.empty()) {
    out_.Key("contact").BeginObject();
    Text("name", p.contact.name);
    Text("phone", p.contact.phone);
    Text("email", p.contact.email);
    out_.EndObject();
  }
  out_.EndObject();
}

void Writer::Payment(const model::PaymentInstructions& p) {
  out_.Key("payment").BeginObject();
  Text("means_code", p.means_code);
  Text("means_text", p.means_text);
  Text("remittance_info", p.remittance_info);
  // One account as an object (the documented usual case), several as an array.
  if (!p.credit_transfers.empty()) {
    out_.Key("credit_transfer");
    if (p.credit_transfers.size() > 1) out_.BeginArray();
    for (const model::CreditTransfer& t : p.credit_transfers) {
      out_.BeginObject();
      Text("account_id", t.account_id);
      Text("account_name", t.account_name);
      Text("bank_id", t.bank_id);
      out_.EndObject();
    }
    if (p.credit_transfers.size() > 1) out_.EndArray();
  }
  if (p.card) {
    out_.Key("card").BeginObject();
    Text("account_number", p.card->account_number);
    Text("network", p.card->network);
    Text("holder_name", p.card->holder_name);
    out_.EndObject();
  }
  if (p.direct_debit) {
    out_.Key("direct_debit").BeginObject();
    Text("mandate_reference", p.direct_debit->mandate_reference);
    Text("creditor_id", p.direct_debit->creditor_id);
    Text("debited_account", p.direct_debit->debited_account);
    out_.EndObject();
  }
  out_.EndObject();
}

// The allowances (or charges) of `list` as the array "allowances" (or "charges"); the model keeps
// both kinds in one list, the format in two. `path` is the list's path in the model.
void Writer::AllowancesCharges(const std::vector<model::AllowanceCharge>& list, bool charges,
                               bool document_level, const std::string& path) {
  bool any = false;
  for (size_t i = 0; i < list.size(); ++i) {
    const model::AllowanceCharge& ac = list[i];
    if (ac.is_charge != charges) continue;
    if (!any) out_.Key(charges ? "charges" : "allowances").BeginArray();
    any = true;
    const std::string where = path + "/" + std::to_string(i);
    out_.BeginObject();
    Number("amount", ac.amount, where + "/amount");
    Number("base_amount", ac.base_amount, where + "/base_amount");
    Number("percentage", ac.percentage, where + "/percentage");
    if (document_level) {
      Text("vat_category", ac.vat.code);
      Number("vat_rate", ac.vat.rate, where + "/vat/rate");
    } else if (!ac.vat.code.empty() || ac.vat.rate) {
      Lost(where + "/vat",
           "VAT category of a line allowance or charge not written: the ERP JSON line "
           "allowance has none (the line's VAT category, BT-151, applies)");
    }
    Text("reason", ac.reason);
    Text("reason_code", ac.reason_code);
    if (document_level) {
      Text("exemption_reason", ac.exemption_reason);
      Text("exemption_reason_code", ac.exemption_reason_code);
    } else if (!ac.exemption_reason.empty() || !ac.exemption_reason_code.empty()) {
      Lost(where + "/exemption_reason",
           "VAT exemption reason of a line allowance or charge not written: the "
           "ERP JSON has it on the line (BT-120, BT-121)");
    }
    out_.EndObject();
  }
  if (any) out_.EndArray();
}

void Writer::Documents(const std::vector<model::SupportingDocument>& documents) {
  if (documents.empty()) return;
  out_.Key("documents").BeginArray();
  for (const model::SupportingDocument& d : documents) {
    out_.BeginObject();
    Text("id", d.id);
    Text("description", d.description);
    Text("url", d.url);
    if (d.attachment) {
      out_.Key("attachment").BeginObject();
      Text("filename", d.attachment->filename);
      Text("mime_code", d.attachment->mime_code);
      // Whitespace in base64 text is layout, not content (XML Schema base64Binary collapses it; the
      // UBL reader keeps it as written): the format's content is the bare alphabet, as its schema
      // and reader expect.
      std::string content;
      for (char c : d.attachment->content_base64) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') content += c;
      }
      Text("content_base64", content);
      out_.EndObject();
    }
    out_.EndObject();
  }
  out_.EndArray();
}

// BG-29: the net price alone as a decimal, else the price object.
void Writer::Price(const model::Line& line, const std::string& path) {
  const model::Price& price = line.price;
  const std::string where = path + "/price";
  // BT-147 needs BT-148 in the format (the reader computes net = gross - discount); a discount of
  // zero states nothing.
  const bool discount = price.discount && price.gross;
  if (price.discount && !price.gross && !price.discount->is_zero()) {
    Lost(where + "/discount",
         "item price discount (BT-147) " + price.discount->ToString() +
             " not written: the ERP JSON gives a discount only with the gross price (BT-148)");
  }
  // PEPPOL-EN16931-R130: the base unit is the line's unit; the format has no other.
  const bool base_unit = !price.base_unit.empty() && price.base_unit == line.unit;
  if (!price.base_unit.empty() && price.base_unit != line.unit) {
    Lost(where + "/base_unit", "price base quantity unit (BT-150) '" + price.base_unit +
                                   "' not written: the ERP JSON takes only the line's unit '" +
                                   line.unit + "' (PEPPOL-EN16931-R130)");
  }
  if (!discount && !price.gross && !price.base_quantity && !base_unit) {
    Number("price", price.net, where + "/net");
    return;
  }
  out_.Key("price").BeginObject();
  Number("net", price.net, where + "/net");
  Number("gross", price.gross, where + "/gross");
  if (discount) Number("discount", price.discount, where + "/discount");
  Number("base_quantity", price.base_quantity, where + "/base_quantity");
  if (base_unit) Text("base_unit", price.base_unit);
  out_.EndObject();
}

void Writer::Item(const model::Item& item) {
  out_.Key("item").BeginObject();
  Text("name", item.name);
  Text("description", item.description);
  Text("sellers_id", item.sellers_id);
  Text("buyers_id", item.buyers_id);
  Id("standard_id", item.standard_id);
  if (!item.classifications.empty()) {
    out_.Key("classifications").BeginArray();
    for (const model::Classification& c : item.classifications) {
      out_.BeginObject();
      Text("code", c.code);
      Text("list_id", c.list_id);
      Text("list_version", c.list_version);
      out_.EndObject();
    }
    out_.EndArray();
  }
  Text("origin_country", item.origin_country);
  if (!item.attributes.empty()) {
    out_.Key("attributes").BeginArray();
    for (const model::ItemAttribute& a : item.attributes) {
      out_.BeginObject();
      Text("name", a.name);
      Text("value", a.value);
      out_.EndObject();
    }
    out_.EndArray();
  }
  out_.EndObject();
}

void Writer::Line(const model::Line& line, const std::string& path) {
  out_.BeginObject();
  Text("id", line.id);
  Text("note", line.note);
  Id("object_id", line.object_id);
  Number("quantity", line.quantity, path + "/quantity");
  Text("unit", line.unit);
  Number("net_amount", line.net_amount, path + "/net_amount");
  Text("order_line_reference", line.order_line_reference);
  Text("accounting_reference", line.accounting_reference);
  PeriodValue("period", line.period);
  AllowancesCharges(line.allowances_charges, false, false, path + "/allowances_charges");
  AllowancesCharges(line.allowances_charges, true, false, path + "/allowances_charges");
  Price(line, path);
  Text("vat_category", line.vat.code);
  Number("vat_rate", line.vat.rate, path + "/vat/rate");
  Text("exemption_reason", line.exemption_reason);
  Text("exemption_reason_code", line.exemption_reason_code);
  Item(line.item);
  out_.EndObject();
}

void Writer::Totals(const model::Invoice& inv) {
  const model::Totals& t = inv.totals;
  out_.Key("totals").BeginObject();
  Number("line_net_total", t.line_net_total, "/totals/line_net_total");
  Number("allowance_total", t.allowance_total, "/totals/allowance_total");
  Number("charge_total", t.charge_total, "/totals/charge_total");
  Number("tax_exclusive", t.tax_exclusive, "/totals/tax_exclusive");
  Number("vat_total", t.vat_total, "/totals/vat_total");
  Number("vat_total_tax_currency", t.vat_total_accounting, "/totals/vat_total_accounting");
  Number("tax_inclusive", t.tax_inclusive, "/totals/tax_inclusive");
  Number("prepaid", t.prepaid, "/totals/prepaid");
  Number("rounding", t.rounding, "/totals/rounding");
  Number("payable", t.payable, "/totals/payable");
  out_.EndObject();
}

Result<std::string> Writer::Write(const model::Invoice& inv) {
  out_.BeginObject();
  Header(inv);
  Party("seller", inv.seller, true);
  Party("buyer", inv.buyer, false);
  if (inv.payee) {
    out_.Key("payee").BeginObject();
    Text("name", inv.payee->name);
    Id("identifier", inv.payee->identifier);
    Id("legal_registration_id", inv.payee->legal_registration_id);
    out_.EndObject();
  }
  if (inv.tax_representative) {
    out_.Key("tax_representative").BeginObject();
    Text("name", inv.tax_representative->name);
    Text("vat_id", inv.tax_representative->vat_id);
    Address("address", inv.tax_representative->address);
    out_.EndObject();
  }
  if (inv.delivery && !inv.delivery->empty()) {
    out_.Key("delivery").BeginObject();
    Text("party_name", inv.delivery->party_name);
    Id("location_id", inv.delivery->location_id);
    DateValue("date", inv.delivery->date);
    Address("address", inv.delivery->address);
    out_.EndObject();
  }
  PeriodValue("invoice_period", inv.invoice_period);
  if (inv.payment) Payment(*inv.payment);
  AllowancesCharges(inv.allowances_charges, false, true, "/allowances_charges");
  AllowancesCharges(inv.allowances_charges, true, true, "/allowances_charges");
  Documents(inv.documents);
  out_.Key("lines").BeginArray();
  for (size_t i = 0; i < inv.lines.size(); ++i) Line(inv.lines[i], "/lines/" + std::to_string(i));
  out_.EndArray();
  if (!inv.vat_breakdown.empty()) {
    out_.Key("vat_breakdown").BeginArray();
    for (size_t i = 0; i < inv.vat_breakdown.size(); ++i) {
      const model::VatBreakdown& b = inv.vat_breakdown[i];
      const std::string where = "/vat_breakdown/" + std::to_string(i);
      out_.BeginObject();
      Text("category", b.category.code);
      Number("rate", b.category.rate, where + "/category/rate");
      Number("taxable_amount", b.taxable_amount, where + "/taxable_amount");
      Number("tax_amount", b.tax_amount, where + "/tax_amount");
      Text("exemption_reason", b.exemption_reason);
      Text("exemption_reason_code", b.exemption_reason_code);
      out_.EndObject();
    }
    out_.EndArray();
  }
  Totals(inv);
  out_.EndObject();
  if (!errors_.empty()) {
    return Error::InvalidInput("the invoice cannot be written as ERP JSON", std::move(errors_));
  }
  std::string text = out_.Take();
  text += '\n';
  return text;
}

}  // namespace

Result<std::string> WriteInvoice(const model::Invoice& invoice, std::vector<Finding>* losses) {
  return Writer(losses).Write(invoice);
}

}  // namespace gw::formats::json
