#include "formats/cii/cii_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "formats/cii/cii_writer.h"
#include "formats/calc/calculator.h"
#include "formats/json/json_reader.h"
#include "tests/formats/test_invoices.h"

namespace gw::formats::cii {
namespace {

std::string Shared(const std::string& rel) { return testing::ReadFile(std::string(EIGW_SHARED_DIR) + "/" + rel); }

bool HasRule(const std::vector<Finding>& findings, const std::string& rule) {
  for (const Finding& f : findings) {
    if (f.rule == rule) return true;
  }
  return false;
}

TEST(CiiReaderTest, DetectsTheRootPastCommentsAndRefusesOtherRoots) {
  std::string facturx = Shared("formats/facturx-zugferd/samples/en16931/factur-x-1.xml");
  ASSERT_GT(facturx.find("CrossIndustryInvoice"), 4096u) << "the sample opens with a long comment";
  EXPECT_TRUE(LooksLikeCii(facturx));
  EXPECT_FALSE(LooksLikeCii("<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>"));
  EXPECT_FALSE(LooksLikeCii("<!-- CrossIndustryInvoice urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100 --><a/>"));

  auto ubl = ReadInvoice("<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>");
  ASSERT_FALSE(ubl.has_value());
  EXPECT_TRUE(HasRule(ubl.error().findings(), "cii.root"));
  auto doctype = ReadInvoice("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>");
  ASSERT_FALSE(doctype.has_value());
  EXPECT_TRUE(HasRule(doctype.error().findings(), "xml.doctype"));
}

TEST(CiiReaderTest, ReadsTheOfficialExampleTermByTerm) {
  std::vector<Finding> losses;
  auto inv = ReadInvoice(Shared("conformance/examples/en16931/cii/CII_example1.xml"), &losses);
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  EXPECT_EQ(inv->number, "12115118");
  EXPECT_EQ(inv->issue_date.ToString(), "2015-01-09");
  EXPECT_EQ(inv->kind, model::DocumentKind::kInvoice);
  EXPECT_EQ(inv->currency, "EUR");
  EXPECT_EQ(inv->seller.name, "De Koksmaat");
  ASSERT_FALSE(inv->lines.empty());
  EXPECT_EQ(inv->lines[0].item.name, "PATAT FRITES 10MM 10KG");
  EXPECT_EQ(inv->lines[0].quantity.ToString(), "2");
  EXPECT_EQ(inv->lines[0].unit, "H87");
  EXPECT_EQ(inv->lines[0].net_amount.ToString(), "19.9");
  EXPECT_TRUE(inv->lines[0].net_amount_given);
  EXPECT_TRUE(inv->vat_breakdown_given);
  ASSERT_TRUE(inv->declared_totals.payable.has_value());
  EXPECT_EQ(inv->notes[0].subject_code, "AAR");
}

// A credit note type code makes a credit note; BT-8 is mapped between UNTDID 2475 (CII) and 2005
// (the model's UBL codes); unreadable values are all listed.
TEST(CiiReaderTest, CreditNotesDateCodesAndUnreadableValues) {
  auto json = json::ReadInvoice(testing::InvoiceJson("[" + testing::Line("2", "10") + "]",
                                                     R"("type": "credit_note", "vat_point_date_code": "35",)"));
  ASSERT_TRUE(json.has_value()) << json.error().ToString();
  ASSERT_TRUE(calc::Complete(*json).has_value());
  auto xml = WriteInvoice(*json);
  ASSERT_TRUE(xml.has_value());
  EXPECT_NE(xml->find("<ram:DueDateTypeCode>29</ram:DueDateTypeCode>"), std::string::npos) << *xml;
  auto back = ReadInvoice(*xml);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(back->kind, model::DocumentKind::kCreditNote);
  EXPECT_EQ(back->vat_point_date_code, "35");

  std::string bad = *xml;
  bad.replace(bad.find("<ram:BilledQuantity unitCode=\"C62\">2</"), 38, "<ram:BilledQuantity unitCode=\"C62\">two</");
  size_t date = bad.find("format=\"102\">") + 13;
  bad.replace(date, 8, "20260230");
  auto refused = ReadInvoice(bad);
  ASSERT_FALSE(refused.has_value());
  EXPECT_TRUE(HasRule(refused.error().findings(), "cii.number")) << refused.error().ToString();
  EXPECT_TRUE(HasRule(refused.error().findings(), "cii.date")) << refused.error().ToString();
}

// Found by cii_reader_fuzz: a payment means whose account element is empty is no account; the
// document must read, write, read back and write again to the same bytes.
TEST(CiiReaderTest, EmptyAccountIsNoAccount) {
  auto json = json::ReadInvoice(testing::ReadFile(std::string(EIGW_SOURCE_DIR) + "/docs/examples/invoice.json"));
  ASSERT_TRUE(json.has_value());
  ASSERT_TRUE(calc::Complete(*json).has_value());
  auto xml = WriteInvoice(*json);
  ASSERT_TRUE(xml.has_value());
  std::string doc = *xml;
  size_t at = doc.find("<ram:SpecifiedTradeSettlementPaymentMeans>");
  ASSERT_NE(at, std::string::npos);
  doc.insert(at, "<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>30</ram:TypeCode>"
                 "<ram:PayeePartyCreditorFinancialAccount/></ram:SpecifiedTradeSettlementPaymentMeans>");
  auto first = ReadInvoice(doc);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  ASSERT_TRUE(first->payment.has_value());
  EXPECT_EQ(first->payment->credit_transfers.size(), 1u);
  auto written = WriteInvoice(*first);
  ASSERT_TRUE(written.has_value());
  auto again = ReadInvoice(*written);
  ASSERT_TRUE(again.has_value());
  auto rewritten = WriteInvoice(*again);
  ASSERT_TRUE(rewritten.has_value());
  EXPECT_EQ(*rewritten, *written);
}

// The BASIC profile leaves out what its schema has no place for, says so for each, and refuses an
// invoice whose amounts would not add up without a left-out term.
TEST(CiiWriterTest, FacturXBasicLeavesOutAndReportsWhatBasicLacks) {
  auto json = json::ReadInvoice(testing::ReadFile(std::string(EIGW_SOURCE_DIR) + "/tests/data/json/valid/payment-card.json"));
  ASSERT_TRUE(json.has_value()) << json.error().ToString();
  ASSERT_TRUE(calc::Complete(*json).has_value());
  std::vector<Finding> losses;
  auto basic = WriteFacturXBasic(*json, &losses);
  ASSERT_TRUE(basic.has_value()) << basic.error().ToString();
  EXPECT_NE(basic->find(kFacturXBasicSpecificationId), std::string::npos);
  EXPECT_EQ(basic->find("<ram:DefinedTradeContact>"), std::string::npos) << *basic;
  bool contact_reported = false;
  for (const Finding& f : losses) {
    EXPECT_EQ(f.severity, Finding::Severity::kWarning);
    if (f.location.find("ram:DefinedTradeContact") != std::string::npos) contact_reported = true;
  }
  EXPECT_TRUE(contact_reported);
  auto back = ReadInvoice(*basic);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(back->totals.payable, json->totals.payable);

  model::Invoice rounded = *json;
  rounded.totals.rounding = Decimal::FromInt(1);
  auto refused = WriteFacturXBasic(rounded);
  ASSERT_FALSE(refused.has_value());
  EXPECT_TRUE(HasRule(refused.error().findings(), "cii.profile"));
}

}  // namespace
}  // namespace gw::formats::cii
