#include "formats/json/json_reader.h"

#include <gtest/gtest.h>

#include "tests/formats/test_invoices.h"

namespace gw::formats::json {
namespace {

using gw::testing::InvoiceJson;
using gw::testing::Line;

// The findings of a rejected document as "location: message" lines, for readable assertions.
std::string FindingsOf(const std::string& text) {
  auto inv = ReadInvoice(text);
  if (inv.has_value()) return "";
  std::string out;
  for (const Finding& f : inv.error().findings()) out += f.location + ": " + f.message + "\n";
  return out;
}

bool HasFinding(const std::string& text, const std::string& location, const std::string& part) {
  auto inv = ReadInvoice(text);
  if (inv.has_value()) return false;
  for (const Finding& f : inv.error().findings()) {
    if (f.location == location && f.message.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(JsonReaderTest, ReadsMinimalInvoice) {
  auto inv = ReadInvoice(InvoiceJson("[" + Line("\"2\"", "10.5") + "]"));
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  EXPECT_EQ(inv->number, "T-1");
  EXPECT_EQ(inv->type_code, "380");
  EXPECT_EQ(inv->kind, model::DocumentKind::kInvoice);
  ASSERT_EQ(inv->lines.size(), 1u);
  EXPECT_EQ(inv->lines[0].id, "1");
  EXPECT_EQ(inv->lines[0].quantity.ToString(), "2");
  EXPECT_EQ(inv->lines[0].price.net.ToString(), "10.5");
  EXPECT_FALSE(inv->lines[0].net_amount_given);
  EXPECT_EQ(inv->seller.electronic_address.ToString(), "0191:12345678");
}

TEST(JsonReaderTest, NumbersAndStringsReadExactly) {
  auto inv = ReadInvoice(InvoiceJson("[" + Line("0.1", "\"1234567890123.123456\"") + "]"));
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  EXPECT_EQ(inv->lines[0].quantity.ToString(), "0.1");
  EXPECT_EQ(inv->lines[0].price.net.ToString(), "1234567890123.123456");
}

TEST(JsonReaderTest, CreditNoteDefaultsTo381) {
  auto inv = ReadInvoice(InvoiceJson("[" + Line("1", "5") + "]", R"("type": "credit_note",)"));
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  EXPECT_EQ(inv->kind, model::DocumentKind::kCreditNote);
  EXPECT_EQ(inv->type_code, "381");
}

TEST(JsonReaderTest, ReportsEveryProblemAtOnce) {
  std::string text = R"({"number": 17, "issue_date": "2026-02-30", "currency": "eur",
    "seller": {"name": "S", "address": {"country": "XX"}, "electronic_address": {"id": "1", "scheme": "0000"}},
    "lines": [{"quantity": "x", "unit": "PCS", "price": "-1", "vat_category": "Q", "item": {}}],
    "colour": "blue"})";
  std::string all = FindingsOf(text);
  for (const auto& [where, what] : std::vector<std::pair<std::string, std::string>>{
           {"/number", "expected a string, found a number '17'"},
           {"/issue_date", "not a calendar date"},
           {"/currency", "'eur' is not a valid ISO 4217"},
           {"/seller/address/country", "'XX' is not a valid ISO 3166-1"},
           {"/seller/electronic_address/scheme", "'0000' is not a valid electronic address scheme"},
           {"/buyer", "missing required field 'buyer'"},
           {"/buyer_reference", "'buyer_reference' (BT-10) or 'purchase_order_reference'"},
           {"/lines/0/quantity", "invalid decimal"},
           {"/lines/0/unit", "'PCS' is not a valid UN/ECE"},
           {"/lines/0/price", "must not be negative"},
           {"/lines/0/vat_category", "'Q' is not a valid VAT category"},
           {"/lines/0/item/name", "missing required field 'name'"},
           {"/colour", "unknown field 'colour'"},
       }) {
    EXPECT_TRUE(HasFinding(text, where, what)) << where << " / " << what << "\nall:\n" << all;
  }
}

TEST(JsonReaderTest, UnknownFieldSuggestsTheCloseName) {
  std::string text = InvoiceJson("[" + Line("1", "5") + "]", R"("du_date": "2026-12-01",)");
  EXPECT_TRUE(HasFinding(text, "/du_date", "did you mean 'due_date'?")) << FindingsOf(text);
}

TEST(JsonReaderTest, RejectsEmptyLinesAndNonObjectRoot) {
  EXPECT_TRUE(HasFinding(InvoiceJson("[]"), "/lines", "at least one line"));
  auto arr = ReadInvoice("[1, 2]");
  ASSERT_FALSE(arr.has_value());
  EXPECT_EQ(arr.error().findings()[0].message, "expected an object, found an array");
}

TEST(JsonReaderTest, RejectsControlCharactersThatXmlCannotCarry) {
  std::string text = InvoiceJson("[" + Line("1", "5") + "]", R"("payment_terms": "net\u0007 30",)");
  EXPECT_TRUE(HasFinding(text, "/payment_terms", "control character")) << FindingsOf(text);
}

TEST(JsonReaderTest, ChecksPaymentGroup) {
  struct Case {
    std::string payment, where, part;
  } cases[] = {
      {R"({"means_code": "58"})", "/payment/credit_transfer", "needs 'credit_transfer'"},
      {R"({"means_code": "59", "direct_debit": {"creditor_id": "X"}})",
       "/payment/direct_debit/mandate_reference", "missing required"},
      {R"({"means_code": "999"})", "/payment/means_code", "'999' is not a valid"},
      {R"([{"means_code": "30"}, {"means_code": "48"}])", "/payment",
       "an invoice has one payment means (BG-16)"},
  };
  for (const auto& c : cases) {
    std::string text = InvoiceJson("[" + Line("1", "5") + "]", "\"payment\": " + c.payment + ",");
    EXPECT_TRUE(HasFinding(text, c.where, c.part)) << c.payment << "\n" << FindingsOf(text);
  }
}

TEST(JsonReaderTest, PriceObjectComputesNetFromGross) {
  auto inv = ReadInvoice(InvoiceJson(
      "[" + Line("1", R"({"gross": "100", "discount": "15.5", "base_quantity": "10"})") + "]"));
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  EXPECT_EQ(inv->lines[0].price.net.ToString(), "84.5");
  EXPECT_TRUE(HasFinding(InvoiceJson("[" + Line("1", R"({"net": "10", "gross": "12", "discount": "1"})") + "]"),
                         "/lines/0/price/net", "expected 11"));
  EXPECT_TRUE(HasFinding(InvoiceJson("[" + Line("1", R"({"net": "10", "base_quantity": "0"})") + "]"),
                         "/lines/0/price/base_quantity", "greater than zero"));
}

TEST(JsonReaderTest, RejectsBadAttachment) {
  std::string text = InvoiceJson("[" + Line("1", "5") + "]",
                                 R"("documents": [{"id": "D1", "attachment": {"filename": "a.pdf",
                                    "mime_code": "application/x-evil", "content_base64": "###"}}],)");
  EXPECT_TRUE(HasFinding(text, "/documents/0/attachment/mime_code", "is not a valid MIME code"));
  EXPECT_TRUE(HasFinding(text, "/documents/0/attachment/content_base64", "not valid base64"));
}

TEST(JsonReaderTest, HostileNumbersAreFindingsNotCrashes) {
  for (const char* bad : {"1e309", "\"NaN\"", "\"1234567890123456789012345678901234567890\"",
                          "\"1,5\"", "true"}) {
    std::string text = InvoiceJson("[" + Line(bad, "5") + "]");
    auto inv = ReadInvoice(text);
    ASSERT_FALSE(inv.has_value()) << bad;
    EXPECT_EQ(inv.error().findings().at(0).location, "/lines/0/quantity") << bad;
  }
}

}  // namespace
}  // namespace gw::formats::json

namespace gw::formats::json {
namespace {

TEST(JsonReaderTest, PeppolCrossSectionRules) {
  struct Case {
    std::string extra, line_rest, where, rule_text;
  } cases[] = {
      {R"("notes": [{"subject_code": "AAI", "text": "a"}, "b"],)", "", "/notes", "one invoice note"},
      {R"("type": "credit_note", "due_date": "2026-12-01",)", "", "/payment", "carries its 'due_date'"},
      {R"("invoice_period": {"start_date": "2026-10-01", "end_date": "2026-10-31"},)",
       R"("period": {"start_date": "2026-09-30", "end_date": "2026-11-01"},)", "/lines/0/period/start_date",
       "before the invoice period"},
      {R"("invoice_period": {"start_date": "2026-10-01", "end_date": "2026-10-31"},)",
       R"("period": {"start_date": "2026-10-02", "end_date": "2026-11-01"},)", "/lines/0/period/end_date",
       "after the invoice period"},
      {"", R"("allowances": [{"amount": "1", "base_amount": "10", "reason": "x"}],)",
       "/lines/0/allowances/0/percentage", "needs its 'percentage'"},
      {R"("tax_currency": "EUR", "totals": {"vat_total_tax_currency": "1"},)", "", "/tax_currency",
       "equals 'currency'"},
  };
  for (const auto& c : cases) {
    std::string text = gw::testing::InvoiceJson(
        "[" + gw::testing::Line("1", "5", c.line_rest + R"("vat_category": "S", "vat_rate": "22")") + "]",
        c.extra);
    EXPECT_TRUE(HasFinding(text, c.where, c.rule_text)) << c.extra << c.line_rest << "\n" << FindingsOf(text);
  }
}

TEST(JsonReaderTest, PlainNotesAreJoinedIntoOne) {
  auto inv = ReadInvoice(gw::testing::InvoiceJson("[" + gw::testing::Line("1", "5") + "]",
                                                  R"("notes": ["first", "second"],)"));
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  ASSERT_EQ(inv->notes.size(), 1u);
  EXPECT_EQ(inv->notes[0].text, "first\nsecond");
}

TEST(JsonReaderTest, PriceBaseUnitMustBeLineUnit) {
  std::string text = gw::testing::InvoiceJson(
      "[" + gw::testing::Line("1", R"({"net": "5", "base_quantity": "10", "base_unit": "KGM"})") + "]");
  EXPECT_TRUE(HasFinding(text, "/lines/0/price/base_unit", "must be the line's unit 'C62'"))
      << FindingsOf(text);
}

TEST(JsonReaderTest, IdentifierCheckDigitsAreChecked) {
  std::string text = gw::testing::InvoiceJson("[" + gw::testing::Line("1", "5") + "]",
      R"("payee": {"name": "Factor AB", "identifier": {"id": "5560360794", "scheme": "0007"}},)");
  EXPECT_TRUE(HasFinding(text, "/payee/identifier/id", "Luhn")) << FindingsOf(text);
}

}  // namespace
}  // namespace gw::formats::json
