#include "formats/core/identifier_checks.h"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(IdentifierChecksTest, AcceptsValidIdentifiers) {
  const std::pair<const char*, const char*> valid[] = {
      {"0088", "5790000435975"}, {"0088", "7300010000001"}, {"0192", "987654325"},
      {"0184", "12345678"},      {"0184", "DK12345678"},    {"0208", "0403019261"},
      {"0007", "5560360793"},    {"0151", "51824753556"},   {"0191", "anything"},
  };
  for (const auto& [scheme, value] : valid) {
    EXPECT_FALSE(CheckIdentifierFormat(scheme, value).has_value()) << scheme << ":" << value;
  }
}

TEST(IdentifierChecksTest, RejectsBadCheckDigitsAndFormats) {
  const std::tuple<const char*, const char*, const char*> bad[] = {
      {"0088", "5790000435976", "PEPPOL-COMMON-R040"}, {"0088", "57900A0435975", "PEPPOL-COMMON-R040"},
      {"0192", "987654321", "PEPPOL-COMMON-R041"},     {"0192", "000000000", "PEPPOL-COMMON-R041"},
      {"0184", "1234567", "PEPPOL-COMMON-R042"},       {"0184", "SE12345678", "PEPPOL-COMMON-R042"},
      {"0208", "0403019262", "PEPPOL-COMMON-R043"},    {"0007", "5560360794", "PEPPOL-COMMON-R049"},
      {"0007", "556036-0793", "PEPPOL-COMMON-R049"},   {"0151", "51824753557", "PEPPOL-COMMON-R050"},
  };
  for (const auto& [scheme, value, rule] : bad) {
    auto problem = CheckIdentifierFormat(scheme, value);
    ASSERT_TRUE(problem.has_value()) << scheme << ":" << value;
    EXPECT_STREQ(problem->rule, rule);
  }
}

}  // namespace
}  // namespace gw
