#include "formats/validation/validator.h"

#include "formats/validation/schematron.h"
#include "formats/xml/xml_document.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace gw::formats::validation {
namespace {

std::string ReadShared(const std::string& path) {
  std::ifstream f(std::string(EIGW_SHARED_DIR) + "/" + path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), {});
}

bool Has(const Report& r, const std::string& rule) {
  for (const Finding& f : r.findings) {
    if (f.rule == rule) return true;
  }
  return false;
}

// A document built so that a rule with preceding:: is quadratic in its size stops with one
// clear finding instead of running for minutes; a normal invoice stays within the same budget.
TEST(ValidatorTest, QuadraticDocumentsStopAtTheWorkBudget) {
  std::string base = ReadShared("conformance/examples/peppol/examples/base-example.xml");
  ASSERT_FALSE(base.empty());
  ValidateOptions options;
  options.work_per_node = 300;
  auto normal = Validate(base, options);
  ASSERT_TRUE(normal.has_value());
  EXPECT_TRUE(normal->valid());
  EXPECT_FALSE(Has(*normal, "validation.limit"));

  std::string hostile = base;
  size_t at = hostile.find("<cac:PaymentMeans>");
  ASSERT_NE(at, std::string::npos);
  std::string block;
  for (int i = 0; i < 3000; ++i) {
    block += "<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentID>P" +
             std::to_string(i) + "</cbc:PaymentID></cac:PaymentMeans>";
  }
  hostile.insert(at, block);
  auto r = Validate(hostile, options);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->valid());
  EXPECT_TRUE(Has(*r, "validation.limit"));
}

TEST(ValidatorTest, RuleSetsFollowCustomizationIdOrTheCaller) {
  std::string en = ReadShared("conformance/examples/en16931/ubl/ubl-tc434-example1.xml");
  auto by_id = Validate(en);
  ASSERT_TRUE(by_id.has_value());
  ASSERT_EQ(by_id->rules.size(), 1u);
  EXPECT_EQ(by_id->rules[0], "en16931-ubl@1.3.16");
  EXPECT_TRUE(by_id->valid());
  ValidateOptions both;
  both.rules = {"en16931-ubl", "peppol-bis3@3.0.19"};
  auto forced = Validate(en, both);
  ASSERT_TRUE(forced.has_value());
  EXPECT_EQ(forced->rules.size(), 2u);
  EXPECT_TRUE(Has(*forced, "PEPPOL-EN16931-R001"));
  ValidateOptions unknown;
  unknown.rules = {"peppol-bis3@2.0"};
  EXPECT_FALSE(Validate(en, unknown).has_value());
}

// CII documents get the EN16931 CII rules; a rule set of the other syntax is refused per document
// (it would match nothing and pass everything).
TEST(ValidatorTest, CiiDocumentsGetTheCiiRules) {
  std::string cii = ReadShared("conformance/examples/en16931/cii/CII_example1.xml");
  ASSERT_FALSE(cii.empty());
  auto r = Validate(cii);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->syntax, "cii");
  ASSERT_EQ(r->rules.size(), 1u);
  EXPECT_EQ(r->rules[0], "en16931-cii@1.3.16");
  EXPECT_TRUE(r->valid());

  // A CII invoice without its seller's name breaks BR-06 (its context is the root element).
  std::string broken = cii;
  size_t name = broken.find("<ram:Name>", broken.find("<ram:SellerTradeParty>"));
  ASSERT_NE(name, std::string::npos);
  broken.erase(name, broken.find("</ram:Name>", name) + 11 - name);
  auto b = Validate(broken);
  ASSERT_TRUE(b.has_value());
  EXPECT_FALSE(b->valid());
  bool located = false;
  for (const Finding& f : b->findings) {
    if (f.rule == "BR-06") located = f.location == "/rsm:CrossIndustryInvoice";
  }
  EXPECT_TRUE(located);

  ValidateOptions ubl_rules;
  ubl_rules.rules = {"en16931-ubl"};
  auto mismatch = Validate(cii, ubl_rules);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_TRUE(Has(*mismatch, "rules.syntax"));
  EXPECT_FALSE(mismatch->valid());
  EXPECT_TRUE(mismatch->rules.empty());
}

TEST(ValidatorTest, OtherAndBrokenInputGiveOneFinding) {
  auto other = Validate("<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->syntax, "");
  EXPECT_TRUE(Has(*other, "syntax.unknown"));
  auto broken = Validate("<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">");
  ASSERT_TRUE(broken.has_value());
  EXPECT_TRUE(Has(*broken, "xml.syntax"));
  EXPECT_FALSE(broken->valid());
}

// A rule set keeps what it learns about element names across documents (the values of tests of
// name() such as ends-with(name(), 'Amount'), Evaluator::NameOnlyMemo): each document must still
// get what a rule set that has seen no other document gives it.
TEST(ValidatorTest, WhatARuleSetLearnsOfNamesServesEveryDocument) {
  auto warm = RuleSet::Compile(kEn16931UblRules);
  ASSERT_TRUE(warm);
  const char* documents[] = {"conformance/examples/en16931/ubl/ubl-tc434-creditnote1.xml",
                             "conformance/examples/peppol/examples/Allowance-example.xml",
                             "conformance/examples/en16931/ubl/ubl-tc434-example1.xml",
                             "conformance/examples/peppol/examples/base-example.xml"};
  size_t findings = 0;
  for (const char* path : documents) {
    std::string text = ReadShared(path);
    // Amounts with three decimals: UBL-DT-01, whose context is chosen by ends-with(name(), 'Amount').
    const size_t at = text.find("<cbc:PayableAmount currencyID=\"EUR\">");
    ASSERT_NE(at, std::string::npos) << path;
    text.insert(text.find('<', text.find('>', at)), "1");
    auto doc = xml::Document::Parse(text);
    ASSERT_TRUE(doc) << path;
    auto fresh = RuleSet::Compile(kEn16931UblRules);
    ASSERT_TRUE(fresh);
    std::vector<Finding> want, got;
    (*fresh)->Run(*doc, want);
    (*warm)->Run(*doc, got);
    auto describe = [](const std::vector<Finding>& list) {
      std::string out;
      for (const Finding& f : list) out += f.rule + " " + f.location + "\n";
      return out;
    };
    EXPECT_EQ(describe(got), describe(want)) << path;
    findings += want.size();
  }
  EXPECT_GE(findings, 5u);  // UBL-DT-01 at least, in each
}

}  // namespace
}  // namespace gw::formats::validation
