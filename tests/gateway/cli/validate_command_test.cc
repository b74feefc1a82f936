#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway/cli/command.h"
#include "tests/gateway/cli/cli_test_util.h"

namespace gw::cli {
namespace {

namespace fs = std::filesystem;

using testing::CliRun;
using testing::Eigw;
using testing::ReadFile;

std::string Shared(const std::string& path) { return std::string(EIGW_SHARED_DIR) + "/" + path; }

const std::string kPeppolBase = "conformance/examples/peppol/examples/base-example.xml";

std::string WriteTemp(const std::string& name, const std::string& text) {
  fs::path p = fs::temp_directory_path() / ("eigw-validate-test-" + name);
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}


TEST(ValidateCommandTest, PassingInvoiceExitsZeroWithRuleSetsChosenByCustomizationId) {
  CliRun r = Eigw({"validate", Shared(kPeppolBase)});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS  "), std::string::npos);
  EXPECT_NE(r.out.find("en16931-ubl@1.3.16+peppol-bis3@3.0.19"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Result: 1 file(s), 1 PASS, 0 FAIL"), std::string::npos);
}

TEST(ValidateCommandTest, JsonLinesListEveryFindingAndExitOneOnFatal) {
  std::string xml = ReadFile(Shared(kPeppolBase));
  // Remove the seller name (BR-06) and the buyer reference (PEPPOL-EN16931-R003).
  auto cut = [&](const std::string& from, const std::string& to) {
    size_t a = xml.find(from);
    ASSERT_NE(a, std::string::npos) << from;
    size_t b = xml.find(to, a);
    xml.erase(a, b + to.size() - a);
  };
  cut("<cbc:BuyerReference>", "</cbc:BuyerReference>");
  cut("<cbc:RegistrationName>", "</cbc:RegistrationName>");
  std::string path = WriteTemp("broken.xml", xml);
  CliRun r = Eigw({"validate", "--format", "json", path, Shared(kPeppolBase)});
  EXPECT_EQ(r.code, 1) << r.err;
  std::istringstream lines(r.out);
  std::string first, second, extra;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_FALSE(std::getline(lines, extra)) << "one line per file";
  EXPECT_EQ(first.rfind("{\"file\":\"" + path + "\",\"syntax\":\"ubl-invoice\",\"rules\":[", 0), 0u) << first;
  EXPECT_NE(first.find("\"valid\":false"), std::string::npos);
  EXPECT_NE(first.find("{\"rule\":\"BR-06\",\"severity\":\"fatal\",\"location\":\"/Invoice\""), std::string::npos) << first;
  EXPECT_NE(first.find("\"rule\":\"PEPPOL-EN16931-R003\""), std::string::npos) << first;
  EXPECT_NE(second.find("\"valid\":true,\"findings\":[]"), std::string::npos) << second;
}

TEST(ValidateCommandTest, ExplicitRuleSetsAndUnknownNames) {
  CliRun only_en = Eigw({"validate", "--rules", "en16931-ubl", Shared(kPeppolBase)});
  EXPECT_EQ(only_en.code, 0);
  EXPECT_EQ(only_en.out.find("peppol-bis3"), std::string::npos) << only_en.out;
  // The EN16931 example does not declare Peppol; forcing the Peppol rules fails it.
  CliRun forced = Eigw({"validate", "--rules", "peppol-bis3@3.0.19",
                        Shared("conformance/examples/en16931/ubl/ubl-tc434-example1.xml")});
  EXPECT_EQ(forced.code, 1);
  EXPECT_NE(forced.out.find("PEPPOL-EN16931-R001"), std::string::npos);
  CliRun unknown = Eigw({"validate", "--rules", "xrechnung", Shared(kPeppolBase)});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("unknown rule set 'xrechnung' (available: en16931-ubl@1.3.16, peppol-bis3@3.0.19, "
                             "en16931-cii@1.3.16, xrechnung-ubl@3.0, peppol-bis3-xrechnung@3.0.19, xrechnung-cii@3.0)"),
            std::string::npos)
      << unknown.err;
}

TEST(ValidateCommandTest, SchemasAddTheStructuralCheck) {
  // The Greek example has an element out of order: only the schema sees it.
  std::string greek = Shared("conformance/examples/peppol/national-examples/GR/GR-base-example-correct.xml");
  CliRun rules_only = Eigw({"validate", "--format", "json", greek});
  EXPECT_EQ(rules_only.out.find("\"rule\":\"XSD\""), std::string::npos);
  CliRun with_xsd = Eigw({"validate", "--format", "json", "--schemas", Shared("conformance/xsd"), greek});
  EXPECT_EQ(with_xsd.code, 1);
  EXPECT_NE(with_xsd.out.find("\"rules\":[\"xsd\",\"en16931-ubl@1.3.16\",\"peppol-bis3@3.0.19\"]"), std::string::npos)
      << with_xsd.out;
  EXPECT_NE(with_xsd.out.find("{\"rule\":\"XSD\",\"severity\":\"fatal\",\"location\":\"/Invoice/cac:AdditionalDocumentReference[1]\""),
            std::string::npos)
      << with_xsd.out;
  CliRun missing = Eigw({"validate", "--schemas", "/nonexistent-folder", greek});
  EXPECT_EQ(missing.code, 3);
  EXPECT_NE(missing.err.find("cannot load the schemas"), std::string::npos);
}

TEST(ValidateCommandTest, CiiInvoicesPassTheCiiRulesAndSchema) {
  std::string cii = Shared("conformance/examples/en16931/cii/CII_example1.xml");
  CliRun r = Eigw({"validate", "--schemas", Shared("conformance/xsd"), cii});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("[cii; xsd+en16931-cii@1.3.16]"), std::string::npos) << r.out;
  CliRun wrong = Eigw({"validate", "--rules", "peppol-bis3", cii});
  EXPECT_EQ(wrong.code, 1) << wrong.out << wrong.err;
  EXPECT_NE(wrong.out.find("rules.syntax"), std::string::npos) << wrong.out;
}

// Every instance of the XRechnung test suite passes with the XRechnung rules, chosen from its
// specification identifier (CIUS, extension and CVD; UBL and CII).
TEST(ValidateCommandTest, XRechnungTestSuitePassesTheXRechnungRules) {
  std::vector<std::string> args = {"validate", "--format", "json"};
  for (const auto& entry : fs::recursive_directory_iterator(Shared("formats/xrechnung/testsuite"))) {
    if (entry.path().extension() == ".xml") args.push_back(entry.path().string());
  }
  ASSERT_GE(args.size(), 3u + 60u);
  CliRun r = Eigw(args);
  EXPECT_EQ(r.code, 0) << r.out.substr(0, 3000);
  size_t ubl = 0, cii = 0;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("xrechnung-ubl@3.0\",\"peppol-bis3-xrechnung@3.0.19") != std::string::npos) ++ubl;
    if (line.find("\"en16931-cii@1.3.16\",\"xrechnung-cii@3.0\"") != std::string::npos) ++cii;
  }
  EXPECT_EQ(ubl + cii, args.size() - 3) << r.out.substr(0, 3000);
  EXPECT_GT(ubl, 20u);
  EXPECT_GT(cii, 20u);
}

TEST(ValidateCommandTest, BadInputIsReportedPerFile) {
  std::string not_xml = WriteTemp("not.xml", "this is not XML");
  std::string doctype = WriteTemp("doctype.xml", "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>");
  std::string order = WriteTemp("order.xml", "<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>");
  CliRun r = Eigw({"validate", "--format", "json", not_xml, doctype, order});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("\"rule\":\"xml.syntax\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"rule\":\"xml.doctype\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("root:"), std::string::npos) << "nothing from /etc/passwd may appear";
  EXPECT_NE(r.out.find("\"rule\":\"syntax.unknown\""), std::string::npos) << r.out;
  CliRun missing = Eigw({"validate", "/no/such/file.xml"});
  EXPECT_EQ(missing.code, 3);
  EXPECT_NE(missing.out.find("file.unreadable"), std::string::npos);
}

TEST(ValidateCommandTest, UsageErrors) {
  EXPECT_EQ(Eigw({"validate"}).code, 2);
  EXPECT_EQ(Eigw({"validate", "--frobnicate", "x.xml"}).code, 2);
  EXPECT_EQ(Eigw({"validate", "--format", "yaml", "x.xml"}).code, 2);
  EXPECT_EQ(Eigw({"validate", "--rules"}).code, 2);
  CliRun help = Eigw({"validate", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("usage: eigw validate"), std::string::npos);
}

}  // namespace
}  // namespace gw::cli
