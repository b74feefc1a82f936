// Invoice and credit note lines (BG-25) of a UBL 2.1 document, with item, price and line
// allowances/charges: the inverse of ubl_lines.cc.
#include "formats/ubl/ubl_read_parts.h"

namespace gw::formats::ubl::internal {

model::Period ReadPeriod(ReadContext& in, NodeId period) {
  const CbcNames& cbc = in.names().cbc;
  return model::Period{in.DateValue(period, cbc.StartDate), in.DateValue(period, cbc.EndDate)};
}

namespace {

void ReadItem(ReadContext& in, NodeId item_node, model::Line& line) {
  const CbcNames& cbc = in.names().cbc;
  const CacNames& cac = in.names().cac;
  model::Item& item = line.item;
  item.description = in.Text(item_node, cbc.Description);
  item.name = in.Text(item_node, cbc.Name);
  item.buyers_id = in.Text(in.Child(item_node, cac.BuyersItemIdentification), cbc.ID);
  item.sellers_id = in.Text(in.Child(item_node, cac.SellersItemIdentification), cbc.ID);
  item.standard_id = in.Identifier(in.Child(item_node, cac.StandardItemIdentification), cbc.ID);
  item.origin_country = in.Text(in.Child(item_node, cac.OriginCountry), cbc.IdentificationCode);
  in.ForEach(item_node, cac.CommodityClassification, [&](NodeId classification) {
    NodeId code = in.Child(classification, cbc.ItemClassificationCode);
    if (code == kNoNode) return;  // other classification kinds are not BT-158
    const AttributeNames& attr = in.names().attr;
    item.classifications.push_back(model::Classification{
        in.Text(code), in.Attribute(code, attr.listID), in.Attribute(code, attr.listVersionID)});
  });
  // BG-30: the line's VAT category lives in the item.
  line.vat = ReadTaxCategory(in, in.Child(item_node, cac.ClassifiedTaxCategory));
  in.ForEach(item_node, cac.AdditionalItemProperty, [&](NodeId property) {
    item.attributes.push_back(
        model::ItemAttribute{in.Text(property, cbc.Name), in.Text(property, cbc.Value)});
  });
}

void ReadPrice(ReadContext& in, NodeId price_node, model::Line& line) {
  const CbcNames& cbc = in.names().cbc;
  model::Price& price = line.price;
  if (auto net = in.Number(price_node, cbc.PriceAmount)) price.net = *net;
  NodeId base = in.Child(price_node, cbc.BaseQuantity);
  price.base_quantity = in.Number(base);
  price.base_unit = in.Attribute(base, in.names().attr.unitCode);
  // BT-147/BT-148: the price discount is an allowance whose base is the gross price.
  NodeId discount = in.Child(price_node, in.names().cac.AllowanceCharge);
  if (discount != kNoNode) {
    price.discount = in.Number(discount, cbc.Amount);
    price.gross = in.Number(discount, cbc.BaseAmount);
  }
}

}  // namespace

model::Line ReadLine(ReadContext& in, NodeId line_node, bool credit) {
  const CbcNames& cbc = in.names().cbc;
  const CacNames& cac = in.names().cac;
  model::Line line;
  line.id = in.Text(line_node, cbc.ID);
  line.note = in.Text(line_node, cbc.Note);
  NodeId quantity = in.Child(line_node, credit ? cbc.CreditedQuantity : cbc.InvoicedQuantity);
  if (auto q = in.Number(quantity)) line.quantity = *q;
  line.unit = in.Attribute(quantity, in.names().attr.unitCode);
  if (auto net = in.Number(line_node, cbc.LineExtensionAmount)) {
    line.net_amount = *net;
    line.net_amount_given = true;
  }
  line.accounting_reference = in.Text(line_node, cbc.AccountingCost);
  line.period = ReadPeriod(in, in.Child(line_node, cac.InvoicePeriod));
  line.order_line_reference = in.Text(in.Child(line_node, cac.OrderLineReference), cbc.LineID);
  in.ForEach(line_node, cac.DocumentReference, [&](NodeId reference) {
    // BT-128 is the document reference with type code 130; BT-128 is 0..1, the first wins.
    if (line.object_id.empty() && in.Text(reference, cbc.DocumentTypeCode) == "130") {
      line.object_id = in.Identifier(reference, cbc.ID);
    }
  });
  in.ForEach(line_node, cac.AllowanceCharge, [&](NodeId ac) {
    line.allowances_charges.push_back(ReadAllowanceCharge(in, ac, /*document_level=*/false));
  });
  ReadItem(in, in.Child(line_node, cac.Item), line);
  ReadPrice(in, in.Child(line_node, cac.Price), line);
  return line;
}

}  // namespace gw::formats::ubl::internal
