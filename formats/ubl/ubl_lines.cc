// Invoice and credit note lines (BG-25) in UBL 2.1, with item, price and line allowances.
#include "formats/ubl/ubl_parts.h"

namespace gw::formats::ubl::internal {

void WritePeriod(XmlWriter& w, const model::Period& p, const std::string& description_code) {
  if (p.empty() && description_code.empty()) return;
  w.Start("cac:InvoicePeriod");
  if (p.start) w.Leaf("cbc:StartDate", p.start->ToString());
  if (p.end) w.Leaf("cbc:EndDate", p.end->ToString());
  w.Leaf("cbc:DescriptionCode", description_code);
  w.End();
}

namespace {

void WriteItem(XmlWriter& w, const model::Line& line) {
  const model::Item& item = line.item;
  w.Start("cac:Item");
  w.Leaf("cbc:Description", item.description);
  w.Leaf("cbc:Name", item.name);
  auto simple_id = [&](const char* element, const std::string& id) {
    if (id.empty()) return;
    w.Start(element);
    w.Leaf("cbc:ID", id);
    w.End();
  };
  simple_id("cac:BuyersItemIdentification", item.buyers_id);
  simple_id("cac:SellersItemIdentification", item.sellers_id);
  if (!item.standard_id.empty()) {
    w.Start("cac:StandardItemIdentification");
    w.Leaf("cbc:ID", item.standard_id.value, "schemeID", item.standard_id.scheme);
    w.End();
  }
  if (!item.origin_country.empty()) {
    w.Start("cac:OriginCountry");
    w.Leaf("cbc:IdentificationCode", item.origin_country);
    w.End();
  }
  for (const auto& c : item.classifications) {
    w.Start("cac:CommodityClassification");
    w.Leaf("cbc:ItemClassificationCode", c.code, "listID", c.list_id, "listVersionID",
           c.list_version);
    w.End();
  }
  WriteTaxCategory(w, "cac:ClassifiedTaxCategory", line.vat, "", "");
  for (const auto& a : item.attributes) {
    w.Start("cac:AdditionalItemProperty");
    w.Leaf("cbc:Name", a.name);
    w.Leaf("cbc:Value", a.value);
    w.End();
  }
  w.End();
}

void WritePrice(XmlWriter& w, const model::Price& price, const std::string& currency,
                const std::string& unit) {
  w.Start("cac:Price");
  w.Number("cbc:PriceAmount", price.net, "currencyID", currency);
  if (price.base_quantity) {
    w.Number("cbc:BaseQuantity", *price.base_quantity, "unitCode",
             price.base_unit.empty() ? unit : price.base_unit);
  }
  if (price.gross || price.discount) {  // BT-147/BT-148: the price discount is an allowance on the gross price
    w.Start("cac:AllowanceCharge");
    w.Leaf("cbc:ChargeIndicator", "false");
    w.Number("cbc:Amount", price.discount.value_or(Decimal()), "currencyID", currency);
    if (price.gross) w.Number("cbc:BaseAmount", *price.gross, "currencyID", currency);
    w.End();
  }
  w.End();
}

}  // namespace

void WriteLine(XmlWriter& w, const model::Line& line, const std::string& currency, bool credit) {
  w.Start(credit ? "cac:CreditNoteLine" : "cac:InvoiceLine");
  w.Leaf("cbc:ID", line.id);
  w.Leaf("cbc:Note", line.note);
  w.Number(credit ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity", line.quantity, "unitCode",
           line.unit);
  w.Number("cbc:LineExtensionAmount", line.net_amount.WithScale(2), "currencyID", currency);
  w.Leaf("cbc:AccountingCost", line.accounting_reference);
  WritePeriod(w, line.period, "");
  if (!line.order_line_reference.empty()) {
    w.Start("cac:OrderLineReference");
    w.Leaf("cbc:LineID", line.order_line_reference);
    w.End();
  }
  if (!line.object_id.empty()) {  // BT-128: DocumentTypeCode 130
    w.Start("cac:DocumentReference");
    w.Leaf("cbc:ID", line.object_id.value, "schemeID", line.object_id.scheme);
    w.Leaf("cbc:DocumentTypeCode", "130");
    w.End();
  }
  for (const auto& ac : line.allowances_charges) {
    WriteAllowanceCharge(w, ac, currency, false);
  }
  WriteItem(w, line);
  WritePrice(w, line.price, currency, line.unit);
  w.End();
}

}  // namespace gw::formats::ubl::internal
