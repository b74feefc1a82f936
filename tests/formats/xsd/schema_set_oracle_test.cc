// SchemaSet against the oracle: every UBL and CII sample under ../shared (the conformance
// examples, XRechnung, Factur-X, RO_CIUS, ...) gets the same verdict from SchemaSet::Validate
// (streaming validation) as from `xmllint --schema` (tree validation): the same number of
// errors, on the same lines, with the same messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "formats/xsd/schema_set.h"
#include "tests/formats/xsd/xsd_test_util.h"

namespace gw::formats::xsd {
namespace {

using namespace gw::formats::xsd::testing;  // NOLINT

std::vector<fs::path> XmlFiles(const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string extension = entry.path().extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (extension == ".xml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::optional<DocumentSchema> SchemaOf(const fs::path& file) {
  const auto [ns, local] = RootName(file);
  if (ns == "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" && local == "Invoice") {
    return DocumentSchema::kUblInvoice;
  }
  if (ns == "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2" && local == "CreditNote") {
    return DocumentSchema::kUblCreditNote;
  }
  if (ns == "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" &&
      local == "CrossIndustryInvoice") {
    return DocumentSchema::kCii;
  }
  return std::nullopt;
}

// Strips our "line N: " prefix.
std::string LibxmlMessage(const std::string& message) {
  const size_t at = message.find(": ");
  return at == std::string::npos ? message : message.substr(at + 2);
}

TEST(SchemaSetOracleTest, EveryUblAndCiiSampleGetsXmllintsVerdict) {
  if (!HaveXmllint()) GTEST_SKIP() << "xmllint not found (apt-get install libxml2-utils)";
  const SchemaSet* set = SharedSchemas();
  ASSERT_NE(set, nullptr);

  const fs::path examples = SharedDir() / "conformance" / "examples";
  std::map<DocumentSchema, std::vector<fs::path>> by_schema;
  std::vector<fs::path> other_samples;  // country formats: not UBL or CII
  for (const fs::path& root : {examples, SharedDir() / "formats"}) {
    for (const fs::path& file : XmlFiles(root)) {
      if (std::optional<DocumentSchema> schema = SchemaOf(file)) {
        by_schema[*schema].push_back(file);
      } else if (file.string().find("/samples/") != std::string::npos) {
        other_samples.push_back(file);
      }
    }
  }

  size_t checked = 0;
  std::vector<std::string> invalid_examples;
  for (const auto& [schema, files] : by_schema) {
    const auto oracle = RunXmllint(fs::path(set->folder()) / DocumentSchemaPath(schema), files);
    ASSERT_EQ(oracle.size(), files.size())
        << "xmllint did not report on every " << DocumentSchemaName(schema) << " file";
    for (const fs::path& file : files) {
      SCOPED_TRACE(file.string());
      const std::vector<OracleError>& expected = oracle.at(file);
      auto ours = set->Validate(ReadFile(file));
      ASSERT_TRUE(ours.has_value()) << ours.error().ToString();
      ++checked;
      ASSERT_EQ(ours->size(), expected.size()) << "xmllint and SchemaSet disagree";
      for (size_t i = 0; i < expected.size(); ++i) {
        const Finding& f = (*ours)[i];
        EXPECT_EQ(f.rule, "XSD");
        EXPECT_EQ(f.severity, Finding::Severity::kFatal);
        EXPECT_EQ(f.message.rfind("line " + std::to_string(expected[i].line) + ": ", 0), 0u)
            << f.message;
        EXPECT_EQ(LibxmlMessage(f.message), expected[i].message);
        EXPECT_FALSE(f.location.empty());
      }
      if (!expected.empty() && file.string().rfind(examples.string(), 0) == 0) {
        invalid_examples.push_back(file.filename().string());
      }
    }
  }
  std::cout << "checked " << checked << " UBL/CII samples against xmllint ("
            << by_schema[DocumentSchema::kUblInvoice].size() << " Invoice, "
            << by_schema[DocumentSchema::kUblCreditNote].size() << " CreditNote, "
            << by_schema[DocumentSchema::kCii].size() << " CII)\n";
  EXPECT_GE(checked, 220u);
  EXPECT_GE(by_schema[DocumentSchema::kCii].size(), 100u);
  EXPECT_GE(by_schema[DocumentSchema::kUblCreditNote].size(), 3u);

  // ../shared/conformance/README.md: of the official examples only the two Greek Peppol
  // examples are invalid (cac:AdditionalDocumentReference after cac:AccountingCustomerParty).
  std::sort(invalid_examples.begin(), invalid_examples.end());
  EXPECT_EQ(invalid_examples, (std::vector<std::string>{"GR-base-example-TaxRepresentative.xml",
                                                        "GR-base-example-correct.xml"}));

  // Samples of other formats (FatturaPA, KSeF, ...): one finding about the root, or refused as
  // XML (the Finvoice transmission file holds two documents); the Estonian and Finnish ones are
  // refused because this folder has not their schemas (the national formats' folder has them).
  ASSERT_GE(other_samples.size(), 50u);
  for (const fs::path& file : other_samples) {
    SCOPED_TRACE(file.string());
    auto result = set->Validate(ReadFile(file));
    if (!result.has_value() && result.error().code() == ErrorCode::kFailedPrecondition) {
      EXPECT_NE(result.error().message().find("schema is not installed"), std::string::npos) << result.error().ToString();
      EXPECT_TRUE(file.string().find("estonia-einvoice") != std::string::npos ||
                  file.string().find("finvoice") != std::string::npos) << result.error().ToString();
      continue;
    }
    if (!result.has_value()) {
      ASSERT_EQ(result.error().findings().size(), 1u) << result.error().ToString();
      EXPECT_EQ(result.error().findings()[0].rule, "xml.syntax") << result.error().ToString();
      continue;
    }
    ASSERT_EQ(result->size(), 1u);
    EXPECT_NE((*result)[0].message.find("the root element"), std::string::npos);
  }
}

// The national formats' folder: the Finvoice samples get xmllint's verdict; the Estonian ones
// are checked with the EN blocks inside CustomContent (which xmllint skips), see ee_invoice_test.
TEST(SchemaSetOracleTest, FinvoiceSamplesGetXmllintsVerdict) {
  if (!HaveXmllint()) GTEST_SKIP() << "xmllint not found (apt-get install libxml2-utils)";
  auto set = SchemaSet::Load((SharedDir() / "formats").string());
  ASSERT_TRUE(set.has_value()) << set.error().ToString();
  EXPECT_TRUE((*set)->Has(DocumentSchema::kFinvoice));
  EXPECT_TRUE((*set)->Has(DocumentSchema::kEeInvoice));
  EXPECT_FALSE((*set)->Has(DocumentSchema::kCii));
  std::vector<fs::path> files;
  for (const fs::path& file : XmlFiles(SharedDir() / "formats" / "finvoice" / "samples")) {
    if (ReadFile(file).find("SOAP-ENV:Envelope") == std::string::npos) files.push_back(file);  // two documents
  }
  ASSERT_GE(files.size(), 9u);
  const auto oracle = RunXmllint(fs::path((*set)->folder()) / DocumentSchemaPath(DocumentSchema::kFinvoice), files);
  ASSERT_EQ(oracle.size(), files.size());
  for (const fs::path& file : files) {
    auto ours = (*set)->Validate(ReadFile(file));
    ASSERT_TRUE(ours.has_value()) << file << ": " << ours.error().ToString();
    EXPECT_EQ(ours->size(), oracle.at(file).size()) << file;
  }
}

}  // namespace
}  // namespace gw::formats::xsd
