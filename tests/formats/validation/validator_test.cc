#include "formats/validation/validator.h"

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

TEST(ValidatorTest, NonUblAndBrokenInputGiveOneFinding) {
  auto cii = Validate(ReadShared("conformance/examples/en16931/cii/CII_example1.xml"));
  ASSERT_TRUE(cii.has_value());
  EXPECT_EQ(cii->syntax, "");
  EXPECT_TRUE(Has(*cii, "syntax.unknown"));
  auto broken = Validate("<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">");
  ASSERT_TRUE(broken.has_value());
  EXPECT_TRUE(Has(*broken, "xml.syntax"));
  EXPECT_FALSE(broken->valid());
}

}  // namespace
}  // namespace gw::formats::validation
