// SchemaSet::Validate on hostile input: entity bombs, XXE, DTDs from the network, instances
// that name their own schemas (xsi:schemaLocation, xs:import, xsi:type, XInclude). Each is
// refused or ignored; the witnesses are a libxml2 entity loader that records every load it is
// asked for and a loopback listener that records every connection.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "formats/xsd/schema_set.h"
#include "tests/formats/xsd/xsd_test_util.h"

namespace gw::formats::xsd {
namespace {

using namespace gw::formats::xsd::testing;  // NOLINT

constexpr const char* kInvoiceOpen =
    "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" "
    "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\"";

std::string BaseInvoice() {
  return ReadFile(SharedDir() / "conformance" / "examples" / "peppol" / "examples" /
                  "base-example.xml");
}

class SchemaSetHostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_ = SharedSchemas();  // loaded before the recorder is installed
    ASSERT_NE(set_, nullptr);
    recorder_ = std::make_unique<RecordingLoader>();
  }
  void TearDown() override {
    const std::vector<std::string> urls = recorder_->urls();
    recorder_.reset();
    EXPECT_TRUE(urls.empty()) << "libxml2 was asked to load " << urls.front();
    EXPECT_EQ(listener_.TakeConnections(), 0) << "validation connected to the network";
  }

  // Expects `xml` to be refused with one finding of `rule`.
  void ExpectRefused(const std::string& xml, const std::string& rule) {
    const auto start = std::chrono::steady_clock::now();
    auto result = set_->Validate(xml);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(elapsed, std::chrono::seconds(1));
    ASSERT_FALSE(result.has_value()) << "accepted: " << xml.substr(0, 200);
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
    ASSERT_EQ(result.error().findings().size(), 1u) << result.error().ToString();
    EXPECT_EQ(result.error().findings()[0].rule, rule) << result.error().ToString();
    EXPECT_EQ(result.error().ToString().find("root:"), std::string::npos)
        << "the error shows /etc/passwd";
  }

  const SchemaSet* set_ = nullptr;
  std::unique_ptr<RecordingLoader> recorder_;
  LoopbackListener listener_;
};

TEST_F(SchemaSetHostileTest, EntityExpansionBombIsRefusedAtTheDoctype) {
  std::string bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE Invoice [\n<!ENTITY a0 \"ha\">\n";
  for (int i = 1; i <= 10; ++i) {
    bomb += "<!ENTITY a" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) bomb += "&a" + std::to_string(i - 1) + ";";
    bomb += "\">\n";
  }
  bomb += "]>\n" + std::string(kInvoiceOpen) + "><cbc:ID>&a10;</cbc:ID></Invoice>";
  ExpectRefused(bomb, "xml.doctype");
}

TEST_F(SchemaSetHostileTest, ExternalEntitiesAndDtdsAreRefusedAtTheDoctype) {
  const std::string body = std::string(kInvoiceOpen) + "><cbc:ID>&xxe;</cbc:ID></Invoice>";
  ExpectRefused("<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" + body,
                "xml.doctype");
  ExpectRefused(
      "<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM \"" + listener_.Url("/xxe") + "\">]>" + body,
      "xml.doctype");
  ExpectRefused(
      "<!DOCTYPE Invoice [<!ENTITY % p SYSTEM \"" + listener_.Url("/p.dtd") + "\"> %p;]>" + body,
      "xml.doctype");
  ExpectRefused("<!DOCTYPE Invoice SYSTEM \"" + listener_.Url("/invoice.dtd") + "\">" + body,
                "xml.doctype");
  ExpectRefused("<!DOCTYPE Invoice PUBLIC \"-//x//y\" \"file:///etc/passwd\">" + body,
                "xml.doctype");
  // Without a DOCTYPE an entity cannot be declared; referring to one is not well-formed.
  ExpectRefused(body, "xml.syntax");
}

TEST_F(SchemaSetHostileTest, SchemaLocationsInTheInstanceAreIgnored) {
  // A permissive schema the attacker would like to be used instead of UBL's.
  TempDir temp;
  const fs::path lax = temp.path() / "lax.xsd";
  WriteFile(lax,
            "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' "
            "targetNamespace='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'>"
            "<xs:element name='Invoice'><xs:complexType><xs:sequence>"
            "<xs:any processContents='skip' minOccurs='0' maxOccurs='unbounded'/>"
            "</xs:sequence></xs:complexType></xs:element></xs:schema>");
  const std::string xsi =
      " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\""
      "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2 ";
  // An invalid invoice (no cbc:ID) stays invalid whatever schema it names.
  const std::string invalid = Replaced(BaseInvoice(), "<cbc:ID>Snippet1</cbc:ID>", "");
  for (const std::string& location : {listener_.Url("/UBL-Invoice-2.1.xsd"), lax.string(),
                                      "file://" + lax.string(), std::string("/etc/passwd")}) {
    SCOPED_TRACE(location);
    for (const std::string& attributes :
         {xsi + location + "\"",
          std::string(" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                      "xsi:noNamespaceSchemaLocation=\"") +
              location + "\""}) {
      auto valid =
          set_->Validate(Replaced(BaseInvoice(), "<Invoice ", "<Invoice" + attributes + " "));
      ASSERT_TRUE(valid.has_value()) << valid.error().ToString();
      EXPECT_TRUE(valid->empty());
      auto findings = set_->Validate(Replaced(invalid, "<Invoice ", "<Invoice" + attributes + " "));
      ASSERT_TRUE(findings.has_value()) << findings.error().ToString();
      ASSERT_EQ(findings->size(), 1u);
      EXPECT_EQ((*findings)[0].location, "/Invoice/cbc:IssueDate[1]");
    }
  }
}

TEST_F(SchemaSetHostileTest, SchemaDirectivesAndXIncludeInTheContentAreNotFollowed) {
  // UBL extension content is an xs:any with processContents="lax": foreign elements pass, and
  // none of them makes libxml2 load anything.
  const std::string extensions =
      "<ext:UBLExtensions xmlns:ext=\"urn:oasis:names:specification:ubl:schema:xsd:"
      "CommonExtensionComponents-2\"><ext:UBLExtension><ext:ExtensionContent>"
      "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">"
      "<xs:import namespace=\"urn:evil\" schemaLocation=\"" +
      listener_.Url("/evil.xsd") +
      "\"/>"
      "<xs:include schemaLocation=\"/etc/passwd\"/></xs:schema>"
      "</ext:ExtensionContent></ext:UBLExtension><ext:UBLExtension><ext:ExtensionContent>"
      "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"file:///etc/passwd\" "
      "parse=\"text\"/></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>\n    ";
  auto findings = set_->Validate(
      Replaced(BaseInvoice(), "<cbc:CustomizationID>", extensions + "<cbc:CustomizationID>"));
  ASSERT_TRUE(findings.has_value()) << findings.error().ToString();
  EXPECT_TRUE(findings->empty()) << findings->front().message;

  // xsi:type naming a type in a namespace the schema does not know: a finding, nothing fetched.
  auto typed = set_->Validate(Replaced(
      BaseInvoice(), "<cbc:ID>Snippet1</cbc:ID>",
      "<cbc:ID xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:evil=\"" +
          listener_.Url("/types.xsd") + "\" xsi:type=\"evil:Anything\">Snippet1</cbc:ID>"));
  ASSERT_TRUE(typed.has_value()) << typed.error().ToString();
  ASSERT_EQ(typed->size(), 1u);
  EXPECT_EQ((*typed)[0].location, "/Invoice/cbc:ID[1]");
  EXPECT_NE((*typed)[0].message.find("xsi:type"), std::string::npos) << (*typed)[0].message;
}

TEST_F(SchemaSetHostileTest, BytesThatDoNotDecodeInTheDeclaredEncodingAreASyntaxError) {
  // Found by fuzzing: libxml2 reports the conversion error in the middle of switching the
  // input's encoding; halting the parser from that error callback freed the input under it.
  ExpectRefused("<?xml version='1.0' encoding='UTF-7'?>\n<a b=\"\xCEurn\"/>\n", "xml.syntax");
}

TEST_F(SchemaSetHostileTest, DeepNestingHitsLibxml2sOwnLimit) {
  std::string deep = std::string(kInvoiceOpen) + ">";
  for (int i = 0; i < 300; ++i) deep += "<cbc:Note>";
  ExpectRefused(deep, "xml.syntax");
}

}  // namespace
}  // namespace gw::formats::xsd
