#include "formats/core/decimal.h"

#include <gtest/gtest.h>

namespace gw {
namespace {

Decimal D(const char* text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.has_value() ? *d : Decimal();
}

TEST(DecimalTest, ParseKeepsDeclaredScale) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"0", "0"},         {"1.50", "1.50"},    {"-12.345", "-12.345"},
      {"007.10", "7.10"}, {"+3", "3"},         {"1e2", "100"},
      {"1.5E-3", "0.0015"}, {"-0.000", "0.000"}, {"12345678901234567890.12", "12345678901234567890.12"},
  };
  for (const auto& c : cases) EXPECT_EQ(D(c.in).ToString(), c.out) << c.in;
}

TEST(DecimalTest, ParseRejectsHostileText) {
  const char* bad[] = {"", " 1", "1 ", "NaN", "nan", "Infinity", "-Infinity", "0x10", "1,5",
                       "1.", ".5", "--1", "1e", "1e+", "12a", "1.2.3", "\xE2\x80\x8B" "1"};
  for (const char* t : bad) {
    auto d = Decimal::Parse(t);
    ASSERT_FALSE(d.has_value()) << t;
    EXPECT_EQ(d.error().code(), ErrorCode::kInvalidArgument) << t;
  }
}

TEST(DecimalTest, ParseRejectsOutOfRangeWithOutOfRange) {
  const char* big[] = {"1e309", "1e39", "1234567890123456789012345678901234567890",  // 40 digits
                       "0.1234567890123456789012345678901", "1e-31"};
  for (const char* t : big) {
    auto d = Decimal::Parse(t);
    ASSERT_FALSE(d.has_value()) << t;
    EXPECT_EQ(d.error().code(), ErrorCode::kOutOfRange) << t;
  }
}

TEST(DecimalTest, ParseAcceptsTrailingZerosBeyondLimits) {
  // 42 characters of which the excess is trailing zeros of the fraction: no value is lost.
  EXPECT_EQ(D("1.50000000000000000000000000000000000000000").Normalized().ToString(), "1.5");
  EXPECT_EQ(D("0e400").ToString(), "0");
}

TEST(DecimalTest, RoundsHalfAwayFromZero) {
  struct Case {
    const char* in;
    int scale;
    const char* out;
  } cases[] = {
      {"2.345", 2, "2.35"},   {"-2.345", 2, "-2.35"}, {"2.344", 2, "2.34"}, {"2.3449", 2, "2.34"},
      {"0.005", 2, "0.01"},   {"-0.005", 2, "-0.01"}, {"0.0049", 2, "0.00"}, {"9.995", 2, "10.00"},
      {"1.5", 0, "2"},        {"2.5", 0, "3"},        {"1.2", 5, "1.2"},
  };
  for (const auto& c : cases) EXPECT_EQ(D(c.in).Rounded(c.scale).ToString(), c.out) << c.in;
}

TEST(DecimalTest, WithScalePadsOrRounds) {
  EXPECT_EQ(D("3").WithScale(2).ToString(), "3.00");
  EXPECT_EQ(D("3.14159").WithScale(2).ToString(), "3.14");
  EXPECT_EQ(D("-0.5").WithScale(3).ToString(), "-0.500");
}

TEST(DecimalTest, ArithmeticIsExact) {
  // 0.1 + 0.2 is exactly 0.3, unlike binary floating point.
  EXPECT_EQ(D("0.1") + D("0.2"), D("0.3"));
  EXPECT_EQ((D("0.1") + D("0.2")).ToString(), "0.3");
  EXPECT_EQ((D("12.5") * D("4.199")).ToString(), "52.4875");
  EXPECT_EQ((D("10") - D("10.01")).ToString(), "-0.01");
  EXPECT_EQ((-D("1.20")).ToString(), "-1.20");
}

TEST(DecimalTest, DivisionRoundsOnce) {
  EXPECT_EQ(D("10").DividedBy(D("3"), 2).ToString(), "3.33");
  EXPECT_EQ(D("20").DividedBy(D("3"), 2).ToString(), "6.67");
  EXPECT_EQ(D("-20").DividedBy(D("3"), 2).ToString(), "-6.67");
  EXPECT_EQ(D("1").DividedBy(D("8"), 2).ToString(), "0.13");   // 0.125 -> 0.13
  EXPECT_EQ(D("1234.5").DividedBy(D("100"), 2).ToString(), "12.35");  // 12.345 -> 12.35
  EXPECT_EQ(D("5").DividedBy(D("0.25"), 0).ToString(), "20");
  EXPECT_TRUE(D("1").DividedBy(D("0"), 2).overflow());
  // Many digits: divisors below and above 2^64 / 10 (where the digits are computed in 64 bits
  // and in 128 bits).
  EXPECT_EQ(D("2").DividedBy(D("3"), 18).ToString(), "0.666666666666666667");
  EXPECT_EQ(D("-1234567.89").DividedBy(D("7"), 18).ToString(), "-176366.841428571428571429");
  EXPECT_EQ(D("1").DividedBy(D("1844674407370955161"), 30).ToString(), "0.000000000000000000542101086243");
  EXPECT_EQ(D("1").DividedBy(D("3000000000000000000000"), 30).ToString(), "0.000000000000000000000333333333");
  EXPECT_EQ(D("-5").DividedBy(D("30000000000000000000.5"), 30).ToString(), "-0.000000000000000000166666666667");
}

TEST(DecimalTest, ComparesNumerically) {
  EXPECT_EQ(D("1.50"), D("1.5"));
  EXPECT_LT(D("-2"), D("-1.99"));
  EXPECT_GT(D("0.001"), D("0"));
  EXPECT_LT(D("99999999999999999999.1"), D("99999999999999999999.10001"));
  EXPECT_EQ(Compare(D("-0.00"), D("0")), 0);
}

TEST(DecimalTest, OverflowIsStickyAndDetected) {
  Decimal big = D("99999999999999999999999999999999999999");  // 38 digits
  Decimal sum = big + big;
  EXPECT_TRUE(sum.overflow());
  EXPECT_TRUE((sum * D("1")).overflow());
  EXPECT_TRUE((sum - D("5")).overflow());
  EXPECT_TRUE((big * big).overflow());
  EXPECT_FALSE((big - big).overflow());
  EXPECT_TRUE(big.WithScale(5).overflow());
}

TEST(DecimalTest, NormalizedDropsTrailingZeros) {
  EXPECT_EQ(D("25.00").Normalized().ToString(), "25");
  EXPECT_EQ(D("0.500").Normalized().ToString(), "0.5");
  EXPECT_EQ(D("0.000").Normalized().ToString(), "0");
  // Mantissas beyond 64 bits, positive and negative.
  EXPECT_EQ(D("-2.50000000000000000000000000000").Normalized().ToString(), "-2.5");
  EXPECT_EQ(D("123456789012345678901234.5670000").Normalized().ToString(), "123456789012345678901234.567");
  EXPECT_EQ(D("-123456789012345678901234.0000").Normalized().ToString(), "-123456789012345678901234");
  EXPECT_EQ(D("12.340").SignificantScale(), 2);
}

}  // namespace
}  // namespace gw
