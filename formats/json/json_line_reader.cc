// Lines (BG-25), their prices and items, and allowances/charges of both levels.
#include "formats/codelists/codelists.h"
#include "formats/json/sections.h"

namespace gw::formats::json::internal {

model::Period ReadPeriod(FieldReader& parent, std::string_view key, std::string_view what,
                         Findings& findings) {
  model::Period period;
  FieldReader f(parent.Object(key, what), parent, key);
  period.start = f.DateField("start_date", "period start date");
  period.end = f.DateField("end_date", "period end date");
  f.Finish();
  if (period.start && period.end && *period.end < *period.start) {  // BR-29, BR-30
    findings.Add("BR-29", f.PointerTo("end_date"), "the period ends before it starts");
  }
  return period;
}

model::AllowanceCharge ReadAllowanceCharge(const JsonValue& v, const std::string& pointer,
                                           bool is_charge, bool document_level,
                                           Findings& findings) {
  model::AllowanceCharge ac;
  ac.is_charge = is_charge;
  const char* kind = is_charge ? "charge" : "allowance";
  FieldReader f(&v, pointer, findings);
  auto amount = f.Number("amount", std::string(kind) + " amount");
  ac.base_amount = f.Number("base_amount", std::string(kind) + " base amount");
  ac.percentage = f.Number("percentage", std::string(kind) + " percentage");
  if (amount) {
    ac.amount = *amount;
    ac.amount_given = true;
  } else if (f.present() && !(ac.percentage && ac.base_amount)) {
    findings.Add("json.required", f.PointerTo("amount"),
                 std::string("give the ") + kind + " 'amount', or 'percentage' with 'base_amount'");
  }
  if (ac.base_amount && !ac.percentage && f.present()) {  // PEPPOL-EN16931-R042
    findings.Add("PEPPOL-EN16931-R042", f.PointerTo("percentage"),
                 std::string("a ") + kind + " with a 'base_amount' needs its 'percentage'");
  }
  if (ac.percentage && !ac.base_amount && f.present()) {  // PEPPOL-EN16931-R041
    findings.Add("PEPPOL-EN16931-R041", f.PointerTo("base_amount"),
                 std::string("a ") + kind + " given as a percentage needs its 'base_amount'");
  }
  ac.reason = f.String("reason", std::string(kind) + " reason");
  ac.reason_code = is_charge
                       ? f.Code("reason_code", "charge reason code", codelists::IsChargeReasonCode,
                                "UNTDID 7161 charge reason code")
                       : f.Code("reason_code", "allowance reason code",
                                codelists::IsAllowanceReasonCode, "UNTDID 5189 allowance reason code");
  if (f.present() && ac.reason.empty() && ac.reason_code.empty()) {  // BR-33, BR-38, BR-42, BR-44
    findings.Add(is_charge ? "BR-38" : "BR-33", f.PointerTo("reason"),
                 std::string("a ") + kind + " needs a 'reason' or a 'reason_code'");
  }
  if (document_level) {
    ac.vat.code = f.Code("vat_category", std::string("document ") + kind + " VAT category",
                         codelists::IsVatCategory, "VAT category code (S, Z, E, AE, K, G, O, L, M)",
                         true);
    ac.vat.rate = f.Number("vat_rate", std::string("document ") + kind + " VAT rate");
    ac.exemption_reason = f.String("exemption_reason", "VAT exemption reason");
    ac.exemption_reason_code = f.Code("exemption_reason_code", "VAT exemption reason code",
                                      codelists::IsVatExemptionCode, "VATEX code");
  }
  f.Finish();
  return ac;
}

namespace {

void ReadPrice(FieldReader& line, model::Line& out, Findings& findings) {
  const JsonValue* v = line.Member("price");
  if (v == nullptr) {
    findings.Add("json.required", line.PointerTo("price"),
                 "missing required field 'price' (item net price, BT-146)");
    return;
  }
  if (v->is_number() || v->is_string()) {
    auto d = Decimal::Parse(v->text);
    if (d) {
      out.price.net = *d;
    } else if (auto r = ReadDecimal(*v, line.PointerTo("price"), "item net price (BT-146)", findings)) {
      out.price.net = *r;
    }
  } else {
    FieldReader f(v, line, "price");
    auto net = f.Number("net", "item net price (BT-146)");
    out.price.gross = f.Number("gross", "item gross price (BT-148)");
    out.price.discount = f.Number("discount", "item price discount (BT-147)");
    out.price.base_quantity = f.Number("base_quantity", "item price base quantity (BT-149)");
    out.price.base_unit = f.Code("base_unit", "price base quantity unit (BT-150)",
                                 codelists::IsUnitCode, "UN/ECE Rec 20/21 unit code");
    if (net) {
      out.price.net = *net;
      if (out.price.gross && out.price.discount &&
          *out.price.gross - *out.price.discount != *net) {  // PEPPOL-EN16931-R046
        findings.Add("PEPPOL-EN16931-R046", f.PointerTo("net"),
                     "net price " + net->ToString() + " is not gross " +
                         out.price.gross->ToString() + " minus discount " +
                         out.price.discount->ToString() + " (expected " +
                         (*out.price.gross - *out.price.discount).ToString() + ")");
      }
    } else if (out.price.gross) {
      out.price.net = *out.price.gross - out.price.discount.value_or(Decimal());
    } else if (f.present()) {
      findings.Add("json.required", f.PointerTo("net"),
                   "give the item net price 'net' (BT-146) or the gross price 'gross' (BT-148)");
    }
    if (out.price.discount && !out.price.gross) {
      findings.Add("json.required", f.PointerTo("gross"),
                   "a price 'discount' (BT-147) needs the gross price 'gross' (BT-148)");
    }
    if (!out.price.base_unit.empty() && !out.unit.empty() && out.price.base_unit != out.unit) {
      findings.Add("PEPPOL-EN16931-R130", f.PointerTo("base_unit"),
                   "the price base quantity unit '" + out.price.base_unit +
                       "' must be the line's unit '" + out.unit + "'");
    }
    if (out.price.base_quantity && out.price.base_quantity->is_zero()) {
      findings.Add("PEPPOL-EN16931-R121", f.PointerTo("base_quantity"),
                   "the price base quantity must be greater than zero");
    } else if (out.price.base_quantity && out.price.base_quantity->is_negative()) {
      findings.Add("PEPPOL-EN16931-R121", f.PointerTo("base_quantity"),
                   "the price base quantity must be greater than zero, found " +
                       out.price.base_quantity->ToString());
    }
    if (out.price.gross && out.price.gross->is_negative()) {  // BR-28
      findings.Add("BR-28", f.PointerTo("gross"), "the item gross price must not be negative");
    }
    f.Finish();
  }
  if (out.price.net.is_negative()) {  // BR-27
    findings.Add("BR-27", line.PointerTo("price") + (v->is_object() ? "/net" : ""),
                 "the item net price must not be negative, found " + out.price.net.ToString() +
                     " (use a negative quantity for returns)");
  }
}

void ReadItem(FieldReader& line, model::Item& item, Findings& findings) {
  FieldReader f(line.Object("item", "item (BG-31)", true), line, "item");
  item.name = f.String("name", "item name (BT-153)", f.present());
  item.description = f.String("description", "item description (BT-154)");
  item.sellers_id = f.String("sellers_id", "seller's item identifier (BT-155)");
  item.buyers_id = f.String("buyers_id", "buyer's item identifier (BT-156)");
  item.standard_id = ReadIdentifier(f, "standard_id", "item standard identifier (BT-157)",
                                    codelists::IsIdentifierScheme, "ISO 6523 ICD scheme", true,
                                    findings);
  ForEach(f, "classifications", "item classifications (BT-158)", false, findings,
          [&](const JsonValue& v, const std::string& pointer) {
            FieldReader c(&v, pointer, findings);
            model::Classification cl;
            cl.code = c.String("code", "item classification code (BT-158)", true);
            cl.list_id = c.Code("list_id", "classification scheme (BT-158-1)",
                                codelists::IsItemClassificationScheme,
                                "UNTDID 7143 item classification scheme", true);
            cl.list_version = c.String("list_version", "classification scheme version (BT-158-2)");
            c.Finish();
            item.classifications.push_back(std::move(cl));
          });
  item.origin_country = f.Code("origin_country", "item country of origin (BT-159)",
                               codelists::IsCountry, "ISO 3166-1 alpha-2 country code");
  ForEach(f, "attributes", "item attributes (BG-32)", false, findings,
          [&](const JsonValue& v, const std::string& pointer) {
            FieldReader a(&v, pointer, findings);
            model::ItemAttribute attr;
            attr.name = a.String("name", "item attribute name (BT-160)", true);
            attr.value = a.String("value", "item attribute value (BT-161)", true);
            a.Finish();
            item.attributes.push_back(std::move(attr));
          });
  f.Finish();
}

}  // namespace

model::Line ReadLine(const JsonValue& v, const std::string& pointer, size_t index,
                     Findings& findings) {
  model::Line line;
  FieldReader f(&v, pointer, findings);
  line.id = f.String("id", "invoice line identifier (BT-126)");
  if (line.id.empty()) line.id = std::to_string(index + 1);
  line.note = f.String("note", "invoice line note (BT-127)");
  line.object_id = ReadIdentifier(f, "object_id", "invoice line object identifier (BT-128)",
                                  codelists::IsObjectIdentifierScheme, "UNTDID 1153 scheme", false,
                                  findings);
  if (auto q = f.Number("quantity", "invoiced quantity (BT-129)", true)) line.quantity = *q;
  line.unit = f.Code("unit", "unit of measure (BT-130)", codelists::IsUnitCode,
                     "UN/ECE Rec 20/21 unit code (e.g. C62, HUR, KGM)", true);
  if (auto n = f.Number("net_amount", "invoice line net amount (BT-131)")) {
    line.net_amount = *n;
    line.net_amount_given = true;
  }
  line.order_line_reference = f.String("order_line_reference", "order line reference (BT-132)");
  line.accounting_reference = f.String("accounting_reference", "buyer accounting reference (BT-133)");
  line.period = ReadPeriod(f, "period", "invoice line period (BG-26)", findings);
  ForEach(f, "allowances", "line allowances (BG-27)", false, findings,
          [&](const JsonValue& a, const std::string& p) {
            line.allowances_charges.push_back(ReadAllowanceCharge(a, p, false, false, findings));
          });
  ForEach(f, "charges", "line charges (BG-28)", false, findings,
          [&](const JsonValue& a, const std::string& p) {
            line.allowances_charges.push_back(ReadAllowanceCharge(a, p, true, false, findings));
          });
  ReadPrice(f, line, findings);
  line.vat.code = f.Code("vat_category", "line VAT category (BT-151)", codelists::IsVatCategory,
                         "VAT category code (S, Z, E, AE, K, G, O, L, M)", true);
  line.vat.rate = f.Number("vat_rate", "line VAT rate (BT-152)");
  line.exemption_reason = f.String("exemption_reason", "VAT exemption reason (BT-120)");
  line.exemption_reason_code = f.Code("exemption_reason_code", "VAT exemption reason code (BT-121)",
                                      codelists::IsVatExemptionCode, "VATEX code");
  ReadItem(f, line.item, findings);
  f.Finish();
  return line;
}

}  // namespace gw::formats::json::internal
