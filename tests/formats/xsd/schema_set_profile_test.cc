// The optional Factur-X profile schemas of a SchemaSet: a valid CII document that names a Factur-X
// profile in BT-24 is also checked against that profile's schema.
#include <gtest/gtest.h>

#include <string>

#include "formats/cii/cii_writer.h"
#include "formats/calc/calculator.h"
#include "formats/json/json_reader.h"
#include "formats/xsd/schema_set.h"
#include "tests/formats/xsd/xsd_test_util.h"

namespace gw::formats::xsd {
namespace {

using namespace gw::formats::xsd::testing;  // NOLINT

// The official schemas with the Factur-X EN16931 and BASIC profile schemas, laid out as Load
// expects, in `folder` (copied there at test time).
std::shared_ptr<const SchemaSet> LoadWithProfiles(const fs::path& folder) {
  fs::create_directories(folder / "facturx");
  fs::copy(SchemaFolder(), folder, fs::copy_options::recursive);
  fs::path facturx = SharedDir() / "formats" / "facturx-zugferd" / "xsd";
  fs::copy(facturx / "en16931", folder / "facturx" / "en16931", fs::copy_options::recursive);
  fs::copy(facturx / "basic", folder / "facturx" / "basic", fs::copy_options::recursive);
  auto set = SchemaSet::Load(folder.string());
  EXPECT_TRUE(set.has_value()) << set.error().ToString();
  return set.has_value() ? *set : nullptr;
}

std::string CiiOf(const std::string& json_file, bool basic) {
  auto invoice = json::ReadInvoice(ReadFile(fs::path(EIGW_SOURCE_DIR) / "tests" / "data" / "json" / "valid" / json_file));
  EXPECT_TRUE(invoice.has_value());
  if (!invoice) return "";
  EXPECT_TRUE(calc::Complete(*invoice).has_value());
  auto xml = basic ? cii::WriteFacturXBasic(*invoice) : cii::WriteInvoice(*invoice);
  EXPECT_TRUE(xml.has_value());
  return xml.has_value() ? *xml : "";
}

TEST(SchemaSetProfileTest, FacturXProfilesAreCheckedByTheirSchema) {
  TempDir dir;
  auto set = LoadWithProfiles(dir.path());
  ASSERT_NE(set, nullptr);
  EXPECT_TRUE(set->Has(ProfileSchema::kFacturXEn16931));
  EXPECT_TRUE(set->Has(ProfileSchema::kFacturXBasic));

  // BASIC as the facturx-basic writer makes it, and the EN16931 profile: valid.
  std::string basic = CiiOf("payment-card.json", true);
  auto ok = set->Validate(basic);
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  EXPECT_TRUE(ok->empty()) << (*ok)[0].message;
  std::string en = CiiOf("payment-card.json", false);
  auto en_ok = set->Validate(en);
  ASSERT_TRUE(en_ok.has_value());
  EXPECT_TRUE(en_ok->empty()) << (*en_ok)[0].message;

  // The EN16931 document (seller contact, account name, ...) claiming BASIC: valid D16B, not BASIC.
  std::string claims_basic = en;
  size_t at = claims_basic.find("urn:cen.eu:en16931:2017");
  ASSERT_NE(at, std::string::npos);
  claims_basic.replace(at, 23, cii::kFacturXBasicSpecificationId);
  auto refused = set->Validate(claims_basic);
  ASSERT_TRUE(refused.has_value());
  ASSERT_FALSE(refused->empty());
  EXPECT_EQ((*refused)[0].rule, "XSD");
  EXPECT_NE((*refused)[0].message.find("Factur-X 1.0 BASIC profile schema"), std::string::npos) << (*refused)[0].message;

  // Without the profile schemas in the folder the same document passes (D16B only).
  auto plain = SharedSchemas()->Validate(claims_basic);
  ASSERT_TRUE(plain.has_value());
  EXPECT_TRUE(plain->empty());
}

}  // namespace
}  // namespace gw::formats::xsd
