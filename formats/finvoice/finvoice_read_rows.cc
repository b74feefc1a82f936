// Finvoice 3.0 InvoiceRow to EN16931 invoice lines (BG-25). A row of SubInvoiceRows (subtotals
// and texts for display) and a text row without quantity, price or amount are not invoice lines:
// they are reported unread.
#include "formats/finvoice/finvoice_invoice_reader.h"

namespace gw::formats::finvoice::internal {

bool InvoiceReader::IsLine(NodeId row) const {
  return in_.Child(row, n_.InvoicedQuantity) != kNoNode ||
         in_.Child(row, n_.UnitPriceAmount) != kNoNode ||
         in_.Child(row, n_.UnitPriceNetAmount) != kNoNode ||
         in_.Child(row, n_.RowVatExcludedAmount) != kNoNode;
}

model::Line InvoiceReader::Row(NodeId row) {
  model::Line line;
  line.id = in_.Text(row, n_.RowPositionIdentifier);
  std::vector<std::string> notes;
  in_.ForEach(row, n_.RowFreeText, [&](NodeId t) {
    std::string text = in_.Text(t);
    if (!text.empty()) notes.push_back(std::move(text));
  });
  for (const std::string& n : notes) line.note += (line.note.empty() ? "" : " ") + n;
  NodeId object = in_.Child(row, n_.InvoicedObjectID);
  line.object_id = model::Identifier{in_.Text(object), in_.Attribute(object, n_.SchemeID)};
  NodeId quantity = in_.Child(row, n_.InvoicedQuantity);
  if (auto q = in_.Number(quantity)) line.quantity = *q;
  line.unit = in_.Attribute(quantity, n_.QuantityUnitCodeUN);
  if (line.unit.empty()) line.unit = in_.Attribute(quantity, n_.QuantityUnitCode);
  NodeId net_amount = in_.Child(row, n_.RowVatExcludedAmount);
  if (auto amount = in_.Amount(net_amount)) {
    line.net_amount = *amount;
    line.net_amount_given = true;
  }
  if (net_amount == kNoNode) {
    in_.Lost(row,
             "the row has no RowVatExcludedAmount, so the invoice line net amount (BT-131) is not "
             "stated (EN16931 lines are net of VAT; a row priced with VAT, "
             "UnitPriceVatIncludedAmount and RowAmount, is not converted): it reads as 0");
  } else {
    // The row's VAT amount and total with VAT follow from BT-131 and the rate; EN16931 has no term
    // for them. Without BT-131 (a consumer invoice priced with VAT) they are not derived from, and
    // stay unread: the line's net amount is then not stated.
    in_.Consume(in_.Child(row, n_.RowVatAmount));
    in_.Consume(in_.Child(row, n_.RowAmount));
  }
  line.order_line_reference = in_.Text(row, n_.RowOrderPositionIdentifier);
  line.accounting_reference = in_.Text(row, n_.RowAccountDimensionText);
  line.period.start = in_.DateOf(row, n_.StartDate);
  line.period.end = in_.DateOf(row, n_.EndDate);

  // BG-29: UnitPriceNetAmount is the net price and UnitPriceAmount the gross one; a price given
  // as UnitPriceAmount alone is the row's (net) price, as in Finvoice before 3.0.
  model::Price& price = line.price;
  NodeId gross = in_.Child(row, n_.UnitPriceAmount);
  NodeId discount = in_.Child(row, n_.UnitPriceDiscountAmount);
  NodeId net = in_.Child(row, n_.UnitPriceNetAmount);
  price.discount = in_.Amount(discount);
  if (net != kNoNode) {
    if (auto v = in_.Amount(net)) price.net = *v;
    price.gross = in_.Amount(gross);
  } else if (price.discount) {
    // Gross price and discount without the net price: the net price is their difference.
    price.gross = in_.Amount(gross);
    if (price.gross) price.net = *price.gross - *price.discount;
  } else if (auto v = in_.Amount(gross)) {
    price.net = *v;
  }
  NodeId base = in_.Child(row, n_.UnitPriceBaseQuantity);
  price.base_quantity = in_.Number(base);
  price.base_unit = in_.Attribute(base, n_.QuantityUnitCodeUN);

  // BG-27: the row's own discount elements, then the progressive discounts; BG-28: the charges.
  auto discount_of = [&](NodeId holder) {
    model::AllowanceCharge ac;
    ac.percentage = in_.Number(holder, n_.RowDiscountPercent);
    if (auto a = in_.Amount(holder, n_.RowDiscountAmount)) {
      ac.amount = *a;
      ac.amount_given = true;
    }
    ac.base_amount = in_.Amount(holder, n_.RowDiscountBaseAmount);
    ac.reason_code = in_.Text(holder, n_.RowDiscountTypeCode);
    ac.reason = in_.Text(holder, n_.RowDiscountTypeText);
    return ac;
  };
  if (in_.Child(row, n_.RowDiscountPercent) != kNoNode ||
      in_.Child(row, n_.RowDiscountAmount) != kNoNode ||
      in_.Child(row, n_.RowDiscountBaseAmount) != kNoNode) {
    line.allowances_charges.push_back(discount_of(row));
  }
  in_.ForEach(row, n_.RowProgressiveDiscountDetails,
              [&](NodeId d) { line.allowances_charges.push_back(discount_of(d)); });
  in_.ForEach(row, n_.RowChargeDetails, [&](NodeId c) {
    model::AllowanceCharge ac;
    ac.is_charge = true;
    ac.reason = in_.Text(c, n_.ReasonText);
    ac.reason_code = in_.Text(c, n_.ReasonCode);
    ac.percentage = in_.Number(c, n_.Percent);
    if (auto a = in_.Amount(c, n_.Amount)) {
      ac.amount = *a;
      ac.amount_given = true;
    }
    ac.base_amount = in_.Amount(c, n_.BaseAmount);
    line.allowances_charges.push_back(std::move(ac));
  });
  line.vat.code = in_.Text(row, n_.RowVatCode);
  line.vat.rate = in_.Number(row, n_.RowVatRatePercent);

  model::Item& item = line.item;  // BG-31
  item.name = in_.Text(row, n_.ArticleName);
  item.description = in_.Text(row, n_.ArticleDescription);
  item.sellers_id = in_.Text(row, n_.ArticleIdentifier);
  item.buyers_id = in_.Text(row, n_.BuyerArticleIdentifier);
  item.standard_id = IdentifierOf(in_.Child(row, n_.EanCode));
  in_.ForEach(row, n_.ArticleGroupIdentifier, [&](NodeId g) {
    item.classifications.push_back(model::Classification{in_.Text(g), in_.Attribute(g, n_.SchemeID),
                                                         in_.Attribute(g, n_.SchemeVersion)});
  });
  item.origin_country = in_.Text(in_.Child(row, n_.RowDeliveryDetails), n_.RowCountryOfOrigin);
  in_.ForEach(row, n_.RowDefinitionDetails, [&](NodeId d) {
    item.attributes.push_back(model::ItemAttribute{in_.Text(d, n_.RowDefinitionHeaderText),
                                                   in_.Text(d, n_.RowDefinitionValue)});
  });
  return line;
}

}  // namespace gw::formats::finvoice::internal
