// Finvoice 3.0 InvoiceRow: one per invoice line (BG-25), elements in the order of the schema's
// InvoiceRowGroup.
#include "formats/finvoice/finvoice_document_writer.h"
#include "formats/finvoice/finvoice_values.h"

namespace gw::formats::finvoice::internal {

void DocumentWriter::Row(const model::Line& line, size_t index) {
  const std::string path = "/lines/" + std::to_string(index);
  w_.Start("InvoiceRow");
  if (!line.object_id.empty()) {
    std::string value = Fit(line.object_id.value, 1, 70, path + "/object_id/value",
                            "invoice line object identifier (BT-128)", Overflow::kDrop);
    std::string scheme = line.object_id.scheme;
    if (!scheme.empty() && !IsUntdidCode(scheme)) {
      Lost(path + "/object_id/scheme",
           "the scheme '" + scheme + "' of BT-128 is not a UNTDID 1153 code: not written");
      scheme.clear();
    }
    w_.Leaf("InvoicedObjectID", value, "SchemeID", scheme);
  }
  RowItem(line, path);
  const std::string& unit = line.unit;
  std::optional<std::string> quantity = FormatQuantity(line.quantity);
  if (!quantity) {
    Refuse("finvoice.amount", path + "/quantity",
           "the invoiced quantity (BT-129) " + line.quantity.ToString() +
               " does not fit the 14 characters of InvoicedQuantity");
  } else {
    // BT-130 is a UN/ECE Recommendation 20/21 code, QuantityUnitCodeUN's pattern ([A-Z0-9]{2,3}); a
    // code of another shape is kept in the free-text QuantityUnitCode.
    bool un = unit.size() >= 2 && unit.size() <= 3 && IsUntdidCode(unit);
    std::string free_unit = !un && CharCount(unit) <= 14 ? unit : std::string();
    if (!un && free_unit.empty() && !unit.empty()) {
      Lost(path + "/unit",
           "the unit of measure (BT-130) '" + unit +
               "' fits neither QuantityUnitCodeUN nor the 14 characters of QuantityUnitCode");
    }
    w_.Start("InvoicedQuantity");
    if (!free_unit.empty()) w_.Attribute("QuantityUnitCode", free_unit);
    if (un) w_.Attribute("QuantityUnitCodeUN", unit);
    w_.Text(*quantity);
    w_.End();
  }
  DateLeaf("StartDate", line.period.start);
  DateLeaf("EndDate", line.period.end);
  RowPrice(line, path);
  Text("RowOrderPositionIdentifier", line.order_line_reference, 0, 35,
       path + "/order_line_reference", "referenced purchase order line reference (BT-132)",
       Overflow::kDrop);
  Text("RowPositionIdentifier", line.id, 0, 35, path + "/id", "invoice line identifier (BT-126)",
       Overflow::kDrop);
  if (!line.item.origin_country.empty()) {
    w_.Start("RowDeliveryDetails");
    Text("RowCountryOfOrigin", line.item.origin_country, 0, 35, path + "/item/origin_country",
         "item country of origin (BT-159)", Overflow::kDrop);
    w_.End();
  }
  Text("RowAccountDimensionText", line.accounting_reference, 0, 35, path + "/accounting_reference",
       "invoice line buyer accounting reference (BT-133)", Overflow::kDrop);
  SplitText("RowFreeText", line.note, 512, 1000, path + "/note", "invoice line note (BT-127)");
  RowAllowancesCharges(line, path);
  Percent("RowVatRatePercent", line.vat.rate, path + "/vat/rate", "invoiced item VAT rate (BT-152)",
          true);
  Code("RowVatCode", line.vat.code, path + "/vat/code", "invoiced item VAT category code (BT-151)");
  Amount("RowVatExcludedAmount", line.net_amount, path + "/net_amount",
         "invoice line net amount (BT-131)");
  w_.End();
}

void DocumentWriter::RowItem(const model::Line& line, const std::string& path) {
  const model::Item& item = line.item;
  Text("ArticleIdentifier", item.sellers_id, 0, 70, path + "/item/sellers_id",
       "item seller's identifier (BT-155)", Overflow::kDrop);
  for (size_t i = 0; i < item.classifications.size(); ++i) {
    const model::Classification& c = item.classifications[i];
    const std::string cpath = path + "/item/classifications/" + std::to_string(i);
    std::string code = Fit(c.code, 0, 70, cpath + "/code",
                           "item classification identifier (BT-158)", Overflow::kDrop);
    if (code.empty()) continue;
    std::string list = c.list_id;
    if (!list.empty() && !IsUntdidCode(list)) {
      Lost(cpath + "/list_id",
           "the classification scheme '" + list + "' is not a UNTDID 7143 code: not written");
      list.clear();
    }
    std::string version = Fit(c.list_version, 1, 35, cpath + "/list_version",
                              "item classification scheme version", Overflow::kDrop);
    w_.Leaf("ArticleGroupIdentifier", code, "SchemeID", list, "SchemeVersion", version);
  }
  Text("ArticleName", item.name, 0, 100, path + "/item/name", "item name (BT-153)");
  Text("ArticleDescription", item.description, 0, 512, path + "/item/description",
       "item description (BT-154)");
  Text("BuyerArticleIdentifier", item.buyers_id, 0, 70, path + "/item/buyers_id",
       "item buyer's identifier (BT-156)", Overflow::kDrop);
  Identifier("EanCode", item.standard_id, 35, path + "/item/standard_id",
             "item standard identifier (BT-157)");
  for (size_t i = 0; i < item.attributes.size(); ++i) {
    const model::ItemAttribute& a = item.attributes[i];
    const std::string apath = path + "/item/attributes/" + std::to_string(i);
    w_.Start("RowDefinitionDetails");
    w_.Start("RowDefinitionHeaderText");
    w_.Text(Fit(a.name, 0, 70, apath + "/name", "item attribute name (BT-160)", Overflow::kCut));
    w_.End();
    Text("RowDefinitionValue", a.value, 0, 70, apath + "/value", "item attribute value (BT-161)");
    w_.End();
  }
}

void DocumentWriter::RowPrice(const model::Line& line, const std::string& path) {
  // UnitPriceAmount is the gross price (BT-148) and UnitPriceNetAmount the net price (BT-146)
  // (UnitPriceNetAmount = UnitPriceAmount - UnitPriceDiscountAmount). A price without gross price
  // or discount is written as UnitPriceAmount alone, which readers of every Finvoice version take
  // as the price of the row.
  const model::Price& p = line.price;
  const std::string& unit = p.base_unit.empty() ? line.unit : p.base_unit;
  const bool detailed = p.gross.has_value() || p.discount.has_value();
  if (p.gross)
    UnitPrice("UnitPriceAmount", *p.gross, unit, path + "/price/gross",
              "item gross price (BT-148)");
  if (p.discount) {
    UnitPrice("UnitPriceDiscountAmount", *p.discount, unit, path + "/price/discount",
              "item price discount (BT-147)");
  }
  UnitPrice(detailed ? "UnitPriceNetAmount" : "UnitPriceAmount", p.net, unit, path + "/price/net",
            "item net price (BT-146)");
  if (p.base_quantity) {
    std::optional<std::string> text = FormatQuantity(*p.base_quantity);
    if (!text) {
      Refuse("finvoice.amount", path + "/price/base_quantity",
             "the item price base quantity (BT-149) " + p.base_quantity->ToString() +
                 " does not fit the 14 characters of UnitPriceBaseQuantity");
      return;
    }
    bool un = unit.size() >= 2 && unit.size() <= 3 && IsUntdidCode(unit);
    w_.Leaf("UnitPriceBaseQuantity", *text, "QuantityUnitCodeUN", un ? unit : std::string_view());
  } else if (!p.base_unit.empty() && p.base_unit != line.unit) {
    Lost(path + "/price/base_unit",
         "the base quantity unit (BT-150) '" + p.base_unit +
             "' without a base quantity (BT-149) has no place in Finvoice: not written");
  }
}

void DocumentWriter::RowAllowancesCharges(const model::Line& line, const std::string& path) {
  bool charge_seen = false, reordered = false;
  for (const model::AllowanceCharge& ac : line.allowances_charges) {
    reordered = reordered || (charge_seen && !ac.is_charge);
    charge_seen = charge_seen || ac.is_charge;
  }
  if (reordered) {
    Lost(path + "/allowances_charges",
         "a line allowance (BG-27) follows a line charge (BG-28); Finvoice lists the row's "
         "discounts first, so they read back in that order");
  }
  // The first allowance in the row's own RowDiscount... elements, the others as
  // RowProgressiveDiscountDetails; then every charge as RowChargeDetails.
  bool first = true;
  for (size_t i = 0; i < line.allowances_charges.size(); ++i) {
    const model::AllowanceCharge& ac = line.allowances_charges[i];
    if (ac.is_charge) continue;
    const std::string apath = path + "/allowances_charges/" + std::to_string(i);
    if (!first) w_.Start("RowProgressiveDiscountDetails");
    Percent("RowDiscountPercent", ac.percentage, apath + "/percentage",
            "invoice line allowance percentage (BT-138)", false);
    Amount("RowDiscountAmount", ac.amount, apath + "/amount",
           "invoice line allowance amount (BT-136)");
    Amount("RowDiscountBaseAmount", ac.base_amount, apath + "/base_amount",
           "invoice line allowance base amount (BT-137)");
    Code("RowDiscountTypeCode", ac.reason_code, apath + "/reason_code",
         "invoice line allowance reason code (BT-140)");
    Text("RowDiscountTypeText", ac.reason, 0, 35, apath + "/reason",
         "invoice line allowance reason (BT-139)");
    if (!first) w_.End();
    first = false;
  }
  for (size_t i = 0; i < line.allowances_charges.size(); ++i) {
    const model::AllowanceCharge& ac = line.allowances_charges[i];
    if (!ac.is_charge) continue;
    const std::string apath = path + "/allowances_charges/" + std::to_string(i);
    w_.Start("RowChargeDetails");
    Text("ReasonText", ac.reason, 1, 70, apath + "/reason", "invoice line charge reason (BT-144)");
    Code("ReasonCode", ac.reason_code, apath + "/reason_code",
         "invoice line charge reason code (BT-145)");
    Percent("Percent", ac.percentage, apath + "/percentage",
            "invoice line charge percentage (BT-143)", false);
    Amount("Amount", ac.amount, apath + "/amount", "invoice line charge amount (BT-141)");
    Amount("BaseAmount", ac.base_amount, apath + "/base_amount",
           "invoice line charge base amount (BT-142)");
    w_.End();
  }
}

}  // namespace gw::formats::finvoice::internal
