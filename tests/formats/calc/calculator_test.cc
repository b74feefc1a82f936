#include "formats/calc/calculator.h"

#include <gtest/gtest.h>

#include "formats/json/json_reader.h"
#include "tests/formats/test_invoices.h"

namespace gw::formats::calc {
namespace {

using gw::testing::InvoiceJson;
using gw::testing::Line;

model::Invoice Read(const std::string& text) {
  auto inv = json::ReadInvoice(text);
  EXPECT_TRUE(inv.has_value()) << inv.error().ToString();
  return inv.has_value() ? std::move(inv).value() : model::Invoice{};
}

model::Invoice Completed(const std::string& text) {
  model::Invoice inv = Read(text);
  Status st = Complete(inv);
  EXPECT_TRUE(st.has_value()) << st.error().ToString();
  return inv;
}

std::vector<Finding> FindingsOf(const std::string& text) {
  model::Invoice inv = Read(text);
  Status st = Complete(inv);
  return st.has_value() ? std::vector<Finding>{} : st.error().findings();
}

bool Has(const std::vector<Finding>& findings, const std::string& rule, const std::string& where,
         const std::string& part = "") {
  for (const Finding& f : findings) {
    if (f.rule == rule && f.location == where && f.message.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string Dump(const std::vector<Finding>& findings) {
  std::string s;
  for (const auto& f : findings) s += f.rule + " " + f.location + ": " + f.message + "\n";
  return s;
}

TEST(CalculatorTest, ComputesLineAndDocumentTotals) {
  model::Invoice inv = Completed(InvoiceJson(
      "[" + Line("\"12.5\"", "\"4.199\"") + "," + Line("3", "\"120\"") + "," +
      Line("1", "\"19.90\"", R"("vat_category": "S", "vat_rate": "9")") + "]"));
  EXPECT_EQ(inv.lines[0].net_amount.ToString(), "52.49");  // 52.4875 rounded half up
  EXPECT_EQ(inv.lines[1].net_amount.ToString(), "360.00");
  EXPECT_EQ(inv.totals.line_net_total.ToString(), "432.39");
  ASSERT_EQ(inv.vat_breakdown.size(), 2u);
  EXPECT_EQ(inv.vat_breakdown[0].taxable_amount.ToString(), "412.49");
  EXPECT_EQ(inv.vat_breakdown[0].tax_amount.ToString(), "90.75");  // 90.7478
  EXPECT_EQ(inv.vat_breakdown[1].tax_amount.ToString(), "1.79");   // 1.791
  EXPECT_EQ(inv.totals.vat_total.ToString(), "92.54");
  EXPECT_EQ(inv.totals.tax_inclusive.ToString(), "524.93");
  EXPECT_EQ(inv.totals.payable.ToString(), "524.93");
  EXPECT_FALSE(inv.totals.allowance_total.has_value());
}

TEST(CalculatorTest, RoundsEachLineOnceAfterAllowancesAndBaseQuantity) {
  // 7 × 10.00 / 3 = 23.333.. ; + charge 1.005 is not allowed (2 decimals), so use 1.01 - 0.50.
  model::Invoice inv = Completed(InvoiceJson("[" + Line("7", R"({"net": "10.00", "base_quantity": "3"})",
      R"("vat_category": "S", "vat_rate": "20", "charges": [{"amount": "1.01", "reason": "Fee"}],
         "allowances": [{"percentage": "5", "base_amount": "10.00", "reason": "Promo"}])") + "]"));
  EXPECT_EQ(inv.lines[0].allowances_charges[0].amount.ToString(), "0.50");
  EXPECT_EQ(inv.lines[0].net_amount.ToString(), "23.84");  // 23.3333 + 1.01 - 0.50 = 23.8433
}

TEST(CalculatorTest, ManyThreeDecimalLinesSumWithoutDrift) {
  std::string lines = "[";
  for (int i = 0; i < 300; ++i) lines += (i ? "," : "") + Line("3", "\"0.335\"");  // 1.005 each
  lines += "]";
  model::Invoice inv = Completed(InvoiceJson(lines));
  EXPECT_EQ(inv.lines[0].net_amount.ToString(), "1.01");
  EXPECT_EQ(inv.totals.line_net_total.ToString(), "303.00");
  EXPECT_EQ(inv.vat_breakdown[0].tax_amount.ToString(), "66.66");
}

TEST(CalculatorTest, NegativeLinesAndCreditTotals) {
  model::Invoice inv = Completed(InvoiceJson("[" + Line("-2", "\"10.555\"") + "," + Line("1", "\"5\"") + "]"));
  EXPECT_EQ(inv.lines[0].net_amount.ToString(), "-21.11");  // -21.110
  EXPECT_EQ(inv.totals.line_net_total.ToString(), "-16.11");
  EXPECT_EQ(inv.vat_breakdown[0].tax_amount.ToString(), "-3.54");  // -3.5442
  EXPECT_EQ(inv.totals.payable.ToString(), "-19.65");
}

TEST(CalculatorTest, DocumentAllowancesChargesPrepaidAndRounding) {
  model::Invoice inv = Completed(InvoiceJson("[" + Line("1", "\"100\"") + "]",
      R"("allowances": [{"percentage": "10", "base_amount": "100", "vat_category": "S", "vat_rate": "22", "reason": "Loyalty"}],
         "charges": [{"amount": "5", "vat_category": "S", "vat_rate": "22", "reason_code": "FC"}],
         "totals": {"prepaid": "20", "rounding": "0.01"},)"));
  EXPECT_EQ(inv.totals.allowance_total->ToString(), "10.00");
  EXPECT_EQ(inv.totals.charge_total->ToString(), "5.00");
  EXPECT_EQ(inv.totals.tax_exclusive.ToString(), "95.00");
  EXPECT_EQ(inv.totals.vat_total.ToString(), "20.90");
  EXPECT_EQ(inv.totals.payable.ToString(), "95.91");  // 115.90 - 20 + 0.01
}

TEST(CalculatorTest, MismatchShowsExpectedAndReceived) {
  auto f = FindingsOf(InvoiceJson("[" + Line("3", "\"1.335\"", R"("vat_category": "S", "vat_rate": "22", "net_amount": "4.00")") + "]",
                                  R"("totals": {"line_net_total": "4.00", "vat_total": "0.88", "payable": "5.00"},)"));
  EXPECT_TRUE(Has(f, "calc.mismatch", "/lines/0/net_amount", "expected 4.01, received 4.00")) << Dump(f);
  EXPECT_TRUE(Has(f, "calc.mismatch", "/totals/line_net_total", "expected 4.01")) << Dump(f);
  EXPECT_TRUE(Has(f, "calc.mismatch", "/totals/payable", "expected 4.89, received 5.00")) << Dump(f);
}

TEST(CalculatorTest, ErpVatWithinPerLineRoundingIsKept) {
  // Two lines of 0.05 at 10 %: per-line VAT 0.01 + 0.01 = 0.02, document-level VAT 0.01.
  std::string lines = "[" + Line("1", "\"0.05\"", R"("vat_category": "S", "vat_rate": "10")") + "," +
                      Line("1", "\"0.05\"", R"("vat_category": "S", "vat_rate": "10")") + "]";
  model::Invoice inv = Completed(InvoiceJson(lines,
      R"("vat_breakdown": [{"category": "S", "rate": "10", "taxable_amount": "0.10", "tax_amount": "0.02"}],)"));
  EXPECT_EQ(inv.vat_breakdown[0].tax_amount.ToString(), "0.02");
  auto f = FindingsOf(InvoiceJson(lines,
      R"("vat_breakdown": [{"category": "S", "rate": "10", "taxable_amount": "0.10", "tax_amount": "0.05"},
                           {"category": "Z", "taxable_amount": "0", "tax_amount": "0"}],)"));
  EXPECT_TRUE(Has(f, "calc.mismatch", "/vat_breakdown/0/tax_amount", "expected 0.01, received 0.05")) << Dump(f);
  EXPECT_TRUE(Has(f, "calc.mismatch", "/vat_breakdown/1", "no line")) << Dump(f);
}

TEST(CalculatorTest, MissingBreakdownEntryIsReported) {
  auto f = FindingsOf(InvoiceJson("[" + Line("1", "\"10\"") + "," + Line("1", "\"10\"", R"("vat_category": "Z")") + "]",
      R"("vat_breakdown": [{"category": "S", "rate": "22", "taxable_amount": "10.00", "tax_amount": "2.20"}],)"));
  EXPECT_TRUE(Has(f, "calc.mismatch", "/vat_breakdown", "no entry for category Z")) << Dump(f);
}

TEST(CalculatorTest, VatCategoryRules) {
  struct Case {
    std::string line_rest;
    std::string rule, where, part;
  } cases[] = {
      {R"("vat_category": "S")", "BR-S-05", "/lines/0/vat_rate", "missing required field 'vat_rate'"},
      {R"("vat_category": "S", "vat_rate": "0")", "BR-S-05", "/lines/0/vat_rate", "above 0"},
      {R"("vat_category": "Z", "vat_rate": "5")", "BR-Z-05", "/lines/0/vat_rate", "must have rate 0"},
      {R"("vat_category": "O", "vat_rate": "0")", "BR-O-05", "/lines/0/vat_rate", "must not have a VAT rate"},
      {R"("vat_category": "E")", "BR-E-10", "/lines/0/exemption_reason", "needs an 'exemption_reason'"},
      {R"("vat_category": "S", "vat_rate": "22", "exemption_reason": "x")", "BR-S-10", "/lines/0/exemption_reason", "must not"},
      {R"("vat_category": "O")", "BR-O-02", "/lines/0/vat_category", "excludes the seller"},
      {R"("vat_category": "K")", "BR-IC-12", "/delivery/address/country", "delivery address"},
      {R"("vat_category": "K")", "BR-IC-11", "/delivery/date", "delivery 'date'"},
  };
  for (const auto& c : cases) {
    auto f = FindingsOf(InvoiceJson("[" + Line("1", "\"10\"", c.line_rest) + "]"));
    EXPECT_TRUE(Has(f, c.rule, c.where, c.part)) << c.line_rest << "\n" << Dump(f);
  }
}

TEST(CalculatorTest, DefaultsExemptionCodesOfSingleMeaningCategories) {
  model::Invoice inv = Completed(InvoiceJson("[" + Line("1", "\"10\"", R"("vat_category": "AE")") + "," +
                                             Line("1", "\"10\"", R"("vat_category": "E", "exemption_reason": "Medical")") + "]"));
  ASSERT_EQ(inv.vat_breakdown.size(), 2u);
  EXPECT_EQ(inv.vat_breakdown[0].exemption_reason_code, "VATEX-EU-AE");
  EXPECT_EQ(inv.vat_breakdown[0].category.rate->ToString(), "0");
  EXPECT_EQ(inv.vat_breakdown[1].exemption_reason, "Medical");
}

TEST(CalculatorTest, AmountsWithMoreThanTwoDecimalsAreRejected) {
  auto f = FindingsOf(InvoiceJson("[" + Line("1", "\"10\"", R"("vat_category": "S", "vat_rate": "22", "net_amount": "10.001")") + "]",
                                  R"("totals": {"prepaid": "1.005"},)"));
  EXPECT_TRUE(Has(f, "BR-DEC-23", "/lines/0/net_amount")) << Dump(f);
  EXPECT_TRUE(Has(f, "BR-DEC-18", "/totals/prepaid")) << Dump(f);
}

TEST(CalculatorTest, OverflowIsReportedNotWrapped) {
  auto f = FindingsOf(InvoiceJson("[" + Line("\"99999999999999999999\"", "\"99999999999999999999\"") + "]"));
  EXPECT_TRUE(Has(f, "calc.overflow", "/lines/0/net_amount")) << Dump(f);
}

}  // namespace
}  // namespace gw::formats::calc
