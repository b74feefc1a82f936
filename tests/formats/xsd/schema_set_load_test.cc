// SchemaSet::Load: partial and missing folders, and schemas that try to read anything outside
// their folder (another file, a symbolic link out, the network).
#include <gtest/gtest.h>

#include <string>

#include "formats/xsd/schema_set.h"
#include "tests/formats/xsd/xsd_test_util.h"

namespace gw::formats::xsd {
namespace {

using namespace gw::formats::xsd::testing;  // NOLINT

// A copy of the official UBL 2.1 schemas (without CII) in `folder`.
void CopyUbl(const fs::path& folder) {
  fs::create_directories(folder);
  fs::copy(SchemaFolder() / "ubl-2.1", folder / "ubl-2.1", fs::copy_options::recursive);
}

std::string Example(const std::string& relative) {
  return ReadFile(SharedDir() / "conformance" / "examples" / relative);
}

TEST(SchemaSetLoadTest, MissingFolderIsNotFound) {
  auto set = SchemaSet::Load("/nonexistent/eigw-xsd");
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(set.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(set.error().message().find("'/nonexistent/eigw-xsd' does not exist"), std::string::npos)
      << set.error().message();
}

TEST(SchemaSetLoadTest, FolderWithoutAnySchemaIsNotFound) {
  TempDir temp;
  auto set = SchemaSet::Load(temp.path().string());
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(set.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(set.error().message().find("no schema found"), std::string::npos);
  EXPECT_NE(set.error().message().find("ubl-2.1/maindoc/UBL-Invoice-2.1.xsd"), std::string::npos);
}

TEST(SchemaSetLoadTest, FolderWithoutCiiChecksUblAndSaysCiiIsMissing) {
  TempDir temp;
  CopyUbl(temp.path());
  auto set = SchemaSet::Load(temp.path().string());
  ASSERT_TRUE(set.has_value()) << set.error().ToString();
  EXPECT_TRUE((*set)->Has(DocumentSchema::kUblInvoice));
  EXPECT_TRUE((*set)->Has(DocumentSchema::kUblCreditNote));
  EXPECT_FALSE((*set)->Has(DocumentSchema::kCii));
  ASSERT_EQ((*set)->missing().size(), 3u);  // CII and the two national formats
  EXPECT_NE((*set)->missing()[0].find("UN/CEFACT CII D16B CrossIndustryInvoice: "),
            std::string::npos);
  EXPECT_NE((*set)->missing()[0].find("cii-d16b/uncefact/data/standard/"
                                      "CrossIndustryInvoice_100pD16B.xsd not found"),
            std::string::npos);

  auto invoice = (*set)->Validate(Example("peppol/examples/base-example.xml"));
  ASSERT_TRUE(invoice.has_value()) << invoice.error().ToString();
  EXPECT_TRUE(invoice->empty());

  auto cii = (*set)->Validate(Example("en16931/cii/CII_example1.xml"));
  ASSERT_FALSE(cii.has_value());
  EXPECT_EQ(cii.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(cii.error().message().find("CII D16B CrossIndustryInvoice but that schema is not "
                                       "installed"),
            std::string::npos)
      << cii.error().message();
}

TEST(SchemaSetLoadTest, FolderPathWithSpacesAndSymlinkedFolderLoad) {
  TempDir temp;
  CopyUbl(temp.path() / "schemas with spaces");
  auto set = SchemaSet::Load((temp.path() / "schemas with spaces").string());
  ASSERT_TRUE(set.has_value()) << set.error().ToString();
  // The configured path may itself be a link; what counts is where it leads.
  fs::create_directory_symlink(temp.path() / "schemas with spaces", temp.path() / "link");
  auto linked = SchemaSet::Load((temp.path() / "link").string());
  ASSERT_TRUE(linked.has_value()) << linked.error().ToString();
  EXPECT_EQ((*linked)->folder(), (temp.path() / "schemas with spaces").string());
}

// A UBL copy whose Invoice schema imports the aggregate components from `location`.
void RedirectImport(const fs::path& folder, const std::string& location) {
  const fs::path main = folder / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd";
  WriteFile(main, Replaced(ReadFile(main),
                           "schemaLocation=\"../common/UBL-CommonAggregateComponents-2.1.xsd\"",
                           "schemaLocation=\"" + location + "\""));
}

TEST(SchemaSetLoadTest, SchemaThatReachesOutsideTheFolderIsRefused) {
  LoopbackListener listener;
  const std::string outside =
      (SchemaFolder() / "ubl-2.1" / "common" / "UBL-CommonAggregateComponents-2.1.xsd").string();
  struct Case {
    std::string location;
    std::string reason;
  };
  const Case cases[] = {
      {listener.Url("/UBL-CommonAggregateComponents-2.1.xsd"), "not a local file"},
      {"ftp://127.0.0.1/UBL-CommonAggregateComponents-2.1.xsd", "not a local file"},
      {outside, "outside the schema folder"},
      {"file://" + outside, "outside the schema folder"},
      {"../../../../../../../../.." + outside, "outside the schema folder"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.location);
    TempDir temp;
    CopyUbl(temp.path());
    RedirectImport(temp.path(), c.location);
    auto set = SchemaSet::Load(temp.path().string());
    ASSERT_FALSE(set.has_value());
    EXPECT_EQ(set.error().code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(set.error().message().find("UBL 2.1 Invoice schema"), std::string::npos);
    EXPECT_NE(set.error().message().find("refused"), std::string::npos) << set.error().message();
    EXPECT_NE(set.error().message().find(c.reason), std::string::npos) << set.error().message();
  }
  EXPECT_EQ(listener.TakeConnections(), 0) << "a schema load connected to the network";

  // A symbolic link inside the folder that leads out of it is outside too.
  TempDir temp;
  CopyUbl(temp.path());
  fs::remove_all(temp.path() / "ubl-2.1" / "common");
  fs::create_directory_symlink(SchemaFolder() / "ubl-2.1" / "common",
                               temp.path() / "ubl-2.1" / "common");
  auto linked = SchemaSet::Load(temp.path().string());
  ASSERT_FALSE(linked.has_value());
  EXPECT_NE(linked.error().message().find("outside the schema folder"), std::string::npos)
      << linked.error().message();
}

TEST(SchemaSetLoadTest, SchemaThatDoesNotCompileIsAClearError) {
  TempDir temp;
  CopyUbl(temp.path());
  WriteFile(temp.path() / "ubl-2.1" / "maindoc" / "UBL-CreditNote-2.1.xsd", "<xsd:schema");
  auto set = SchemaSet::Load(temp.path().string());
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(set.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(set.error().message().find("UBL 2.1 CreditNote schema"), std::string::npos);
  EXPECT_NE(set.error().message().find("does not compile"), std::string::npos)
      << set.error().message();
}

}  // namespace
}  // namespace gw::formats::xsd
