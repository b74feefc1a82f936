#include "formats/core/payment_reference.h"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(PaymentReferenceTest, CheckDigit731) {
  // 6*7 + 5*3 + 4*1 + 3*7 + 2*3 + 1*1 = 89: check digit 1.
  EXPECT_EQ(CheckDigit731("123456"), '1');
  EXPECT_EQ(CheckDigit731("123"), '2');    // 21 + 6 + 1 = 28
  EXPECT_EQ(CheckDigit731("1"), '3');      // 7
  EXPECT_EQ(CheckDigit731("0"), '0');
  EXPECT_EQ(CheckDigit731(""), std::nullopt);
  EXPECT_EQ(CheckDigit731("12a"), std::nullopt);
  EXPECT_EQ(WithCheckDigit731("123456"), "1234561");
  EXPECT_EQ(WithCheckDigit731("12345678901234567890"), std::nullopt);  // 20 + 1 digits
}

TEST(PaymentReferenceTest, Estonian) {
  EXPECT_EQ(CheckEstonianReference("1234561"), std::nullopt);
  EXPECT_EQ(CheckEstonianReference("13"), std::nullopt);
  auto wrong = CheckEstonianReference("1234562");
  ASSERT_TRUE(wrong);
  EXPECT_NE(wrong->find("the 7-3-1 method gives 1"), std::string::npos) << *wrong;
  EXPECT_TRUE(CheckEstonianReference("3"));                       // too short
  EXPECT_TRUE(CheckEstonianReference("123456789012345678901"));   // 21 digits
  EXPECT_TRUE(CheckEstonianReference("12 3456 1"));               // no spaces in the Estonian form
}

TEST(PaymentReferenceTest, Finnish) {
  EXPECT_EQ(CheckFinnishReference("1232"), std::nullopt);
  EXPECT_EQ(CheckFinnishReference("12345 61"), std::nullopt);  // spaces between groups
  EXPECT_TRUE(CheckFinnishReference("232"));                     // under 4 digits
  EXPECT_TRUE(CheckFinnishReference("01232"));                   // leading zero
  EXPECT_TRUE(CheckFinnishReference("1233"));
}

TEST(PaymentReferenceTest, Rf) {
  EXPECT_EQ(CheckRfReference("RF18539007547034"), std::nullopt);  // the example of ISO 11649
  EXPECT_EQ(CheckRfReference("RF18 5390 0754 7034"), std::nullopt);
  EXPECT_EQ(CheckRfReference("rf18539007547034"), std::nullopt);
  EXPECT_TRUE(CheckRfReference("RF19539007547034"));
  EXPECT_TRUE(CheckRfReference("RF18"));
  EXPECT_TRUE(CheckRfReference("XX18539007547034"));
  EXPECT_TRUE(CheckRfReference("RF18-539007547034"));
}

}  // namespace
}  // namespace gw
