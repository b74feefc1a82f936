// Tests of the EN16931 / Peppol code lists and of the generator that writes codelists_data.cc.
#include "formats/codelists/codelists.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

namespace gw::codelists {
namespace {

using Lookup = bool (*)(std::string_view);

struct NamedLookup {
  const char* name;
  Lookup lookup;
};

constexpr NamedLookup kAllLookups[] = {
    {"IsCurrency", IsCurrency},
    {"IsCountry", IsCountry},
    {"IsElectronicAddressScheme", IsElectronicAddressScheme},
    {"IsIdentifierScheme", IsIdentifierScheme},
    {"IsUnitCode", IsUnitCode},
    {"IsVatCategory", IsVatCategory},
    {"IsInvoiceTypeCode", IsInvoiceTypeCode},
    {"IsCreditNoteTypeCode", IsCreditNoteTypeCode},
    {"IsPaymentMeansCode", IsPaymentMeansCode},
    {"IsAllowanceReasonCode", IsAllowanceReasonCode},
    {"IsChargeReasonCode", IsChargeReasonCode},
    {"IsItemClassificationScheme", IsItemClassificationScheme},
    {"IsMimeCode", IsMimeCode},
    {"IsVatExemptionCode", IsVatExemptionCode},
    {"IsTextSubjectCode", IsTextSubjectCode},
    {"IsVatDateCode", IsVatDateCode},
    {"IsObjectIdentifierScheme", IsObjectIdentifierScheme},
};

struct Case {
  const char* name;
  Lookup lookup;
  std::string_view code;
};

TEST(CodelistsTest, AcceptsKnownMembers) {
  const Case kCases[] = {
      {"IsCurrency", IsCurrency, "EUR"},
      {"IsCurrency", IsCurrency, "SEK"},
      {"IsCurrency", IsCurrency, "NOK"},
      {"IsCurrency", IsCurrency, "USD"},
      {"IsCurrency", IsCurrency, "XXX"},  // ISO 4217 "no currency involved"
      {"IsCountry", IsCountry, "DE"},
      {"IsCountry", IsCountry, "EE"},
      {"IsCountry", IsCountry, "XI"},  // Northern Ireland
      {"IsCountry", IsCountry, "1A"},  // Kosovo
      {"IsElectronicAddressScheme", IsElectronicAddressScheme, "0088"},
      {"IsElectronicAddressScheme", IsElectronicAddressScheme, "0192"},
      {"IsElectronicAddressScheme", IsElectronicAddressScheme, "9930"},
      {"IsElectronicAddressScheme", IsElectronicAddressScheme, "0007"},
      {"IsIdentifierScheme", IsIdentifierScheme, "0088"},
      {"IsIdentifierScheme", IsIdentifierScheme, "0192"},
      {"IsIdentifierScheme", IsIdentifierScheme, "0002"},
      {"IsUnitCode", IsUnitCode, "C62"},
      {"IsUnitCode", IsUnitCode, "HUR"},
      {"IsUnitCode", IsUnitCode, "EA"},
      {"IsUnitCode", IsUnitCode, "KGM"},
      {"IsVatCategory", IsVatCategory, "S"},
      {"IsVatCategory", IsVatCategory, "AE"},
      {"IsVatCategory", IsVatCategory, "Z"},
      {"IsVatCategory", IsVatCategory, "O"},
      {"IsInvoiceTypeCode", IsInvoiceTypeCode, "380"},
      {"IsInvoiceTypeCode", IsInvoiceTypeCode, "383"},
      {"IsInvoiceTypeCode", IsInvoiceTypeCode, "386"},
      {"IsCreditNoteTypeCode", IsCreditNoteTypeCode, "381"},
      {"IsCreditNoteTypeCode", IsCreditNoteTypeCode, "396"},
      {"IsPaymentMeansCode", IsPaymentMeansCode, "30"},
      {"IsPaymentMeansCode", IsPaymentMeansCode, "58"},
      {"IsPaymentMeansCode", IsPaymentMeansCode, "ZZZ"},
      {"IsAllowanceReasonCode", IsAllowanceReasonCode, "95"},
      {"IsAllowanceReasonCode", IsAllowanceReasonCode, "100"},
      {"IsChargeReasonCode", IsChargeReasonCode, "FC"},
      {"IsChargeReasonCode", IsChargeReasonCode, "ABL"},
      {"IsItemClassificationScheme", IsItemClassificationScheme, "STI"},
      {"IsItemClassificationScheme", IsItemClassificationScheme, "HS"},
      {"IsMimeCode", IsMimeCode, "application/pdf"},
      {"IsMimeCode", IsMimeCode, "text/csv"},
      {"IsMimeCode", IsMimeCode,
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"IsVatExemptionCode", IsVatExemptionCode, "VATEX-EU-AE"},
      {"IsVatExemptionCode", IsVatExemptionCode, "VATEX-EU-IC"},
      {"IsVatExemptionCode", IsVatExemptionCode, "VATEX-EU-O"},
      {"IsTextSubjectCode", IsTextSubjectCode, "AAI"},
      {"IsTextSubjectCode", IsTextSubjectCode, "REG"},
      {"IsVatDateCode", IsVatDateCode, "3"},
      {"IsVatDateCode", IsVatDateCode, "35"},
      {"IsVatDateCode", IsVatDateCode, "432"},
      {"IsObjectIdentifierScheme", IsObjectIdentifierScheme, "AAA"},
      {"IsObjectIdentifierScheme", IsObjectIdentifierScheme, "ZZZ"},
  };
  for (const Case& c : kCases) {
    EXPECT_TRUE(c.lookup(c.code)) << c.name << "(\"" << c.code << "\")";
  }
}

TEST(CodelistsTest, EveryListRejectsMalformedCodes) {
  using namespace std::string_view_literals;
  const std::string_view kCodes[] = {
      "", " ", "eur", "ZZZZ", " EUR", "EUR ", "99999", "EUR\0"sv, "\xff", "application/PDF",
  };
  for (const NamedLookup& l : kAllLookups) {
    for (std::string_view code : kCodes) {
      EXPECT_FALSE(l.lookup(code)) << l.name << "(\"" << code << "\")";
    }
  }
}

TEST(CodelistsTest, ComparisonIsCaseSensitive) {
  const Case kCases[] = {
      {"IsCurrency", IsCurrency, "eur"},
      {"IsCountry", IsCountry, "de"},
      {"IsUnitCode", IsUnitCode, "c62"},
      {"IsVatCategory", IsVatCategory, "s"},
      {"IsVatExemptionCode", IsVatExemptionCode, "vatex-eu-ae"},
      {"IsMimeCode", IsMimeCode, "Application/pdf"},
  };
  for (const Case& c : kCases) {
    EXPECT_FALSE(c.lookup(c.code)) << c.name << "(\"" << c.code << "\")";
  }
}

// Codes that only one of EN16931 1.3.16 and Peppol BIS 3.0.19 accepts: a document using them
// fails the other rule set, so the intersection leaves them out.
TEST(CodelistsTest, RejectsCodesOnlyOneRuleSetAccepts) {
  const Case kCases[] = {
      {"IsCurrency", IsCurrency, "BGN"},                                 // Peppol only
      {"IsCurrency", IsCurrency, "STN"},                                 // Peppol only
      {"IsCurrency", IsCurrency, "XCG"},                                 // EN16931 only
      {"IsElectronicAddressScheme", IsElectronicAddressScheme, "0244"},  // EN16931 only
      {"IsElectronicAddressScheme", IsElectronicAddressScheme, "EM"},    // EN16931 only
      {"IsInvoiceTypeCode", IsInvoiceTypeCode, "389"},                   // EN16931 only
      {"IsCreditNoteTypeCode", IsCreditNoteTypeCode, "261"},             // EN16931 only
  };
  for (const Case& c : kCases) {
    EXPECT_FALSE(c.lookup(c.code)) << c.name << "(\"" << c.code << "\")";
  }
}

TEST(CodelistsTest, KeepsInvoiceAndCreditNoteTypesApart) {
  EXPECT_FALSE(IsInvoiceTypeCode("381"));
  EXPECT_FALSE(IsCreditNoteTypeCode("380"));
}

TEST(CodelistsTest, IdentifierSchemeExcludesConditionalSepa) {
  // BR-CL-10 allows SEPA only for seller and payee identifiers; the caller handles that case.
  EXPECT_FALSE(IsIdentifierScheme("SEPA"));
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// 1-based number of the first line where `a` and `b` differ.
int FirstDifferingLine(const std::string& a, const std::string& b) {
  int line = 1;
  for (std::size_t i = 0; i < a.size() && i < b.size() && a[i] == b[i]; ++i) {
    if (a[i] == '\n') ++line;
  }
  return line;
}

TEST(CodelistsTest, CommittedTablesMatchGeneratorOutput) {
#if !defined(EIGW_SOURCE_DIR) || !defined(EIGW_SHARED_DIR)
  GTEST_SKIP() << "EIGW_SOURCE_DIR or EIGW_SHARED_DIR is not defined";
#else
  const std::filesystem::path source_dir = EIGW_SOURCE_DIR;
  const std::filesystem::path shared_dir = EIGW_SHARED_DIR;
  if (!std::filesystem::is_directory(shared_dir / "conformance" / "schematron")) {
    GTEST_SKIP() << "no Schematron under " << shared_dir;
  }
  if (std::system("python3 --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 not found";
  }
  const std::string stem = testing::TempDir() + "codelists_data_" + std::to_string(::getpid());
  const std::filesystem::path generated = stem + ".cc";
  const std::filesystem::path log = stem + ".log";
  const std::string command = "python3 '" + (source_dir / "scripts" / "gen_codelists.py").string() +
                              "' --shared '" + shared_dir.string() + "' --output '" +
                              generated.string() + "' >'" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  const std::string log_text = ReadFile(log);
  ASSERT_EQ(status, 0) << command << "\n" << log_text;

  const std::string expected = ReadFile(generated);
  const std::string committed =
      ReadFile(source_dir / "formats" / "codelists" / "codelists_data.cc");
  std::error_code ignored;
  std::filesystem::remove(generated, ignored);
  std::filesystem::remove(log, ignored);
  EXPECT_FALSE(expected.empty());
  EXPECT_TRUE(committed == expected)
      << "formats/codelists/codelists_data.cc is out of date (first difference at line "
      << FirstDifferingLine(committed, expected)
      << "); run: python3 scripts/gen_codelists.py --shared ../shared\n"
      << log_text;
#endif
}

}  // namespace
}  // namespace gw::codelists
