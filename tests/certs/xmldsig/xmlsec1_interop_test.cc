// Interoperability with an independent implementation: the xmlsec1 command-line tool (its own
// parser set-up, key loading and certificate checks). Skipped when the tool is not installed
// (scripts/setup installs it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "certs/xmldsig/verifier.h"
#include "tests/certs/xmldsig/signing_fixture.h"

namespace gw::certs {
namespace {

namespace fs = std::filesystem;
using testing::Messages;
using testing::Pki;
using testing::ReadText;
using testing::ReplaceFirst;
using testing::Rules;
using testing::Sign;
using testing::UblInvoicePath;
using testing::Verify;

constexpr const char* kInvoiceNs = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";

class Xmlsec1InteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v xmlsec1 >/dev/null 2>&1") != 0) GTEST_SKIP() << "xmlsec1 is not installed";
    dir_ = fs::temp_directory_path() /
           ("eigw-xmlsec1-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return (dir_ / name).string();
  }
  // Runs xmlsec1 with `args`; returns its exit code.
  int Xmlsec1(const std::string& args) {
    std::string cmd = "xmlsec1 " + args + " >" + (dir_ / "xmlsec1.log").string() + " 2>&1";
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  std::string Log() { return ReadText((dir_ / "xmlsec1.log").string()); }

  // A UBL invoice with an XMLDSig template in ext:UBLExtensions, for xmlsec1 --sign.
  std::string Template(const std::string& signature_method, const std::string& digest_method,
                       const std::string& uri = "") {
    const std::string tmpl =
        "<ext:UBLExtensions xmlns:ext=\"urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2\">"
        "<ext:UBLExtension><ext:ExtensionContent>"
        "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>"
        "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"
        "<ds:SignatureMethod Algorithm=\"" + signature_method + "\"/>"
        "<ds:Reference URI=\"" + uri + "\"><ds:Transforms>"
        "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>"
        "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms>"
        "<ds:DigestMethod Algorithm=\"" + digest_method + "\"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>"
        "<ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>"
        "</ds:Signature></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions><cbc:CustomizationID>";
    return ReplaceFirst(ReadText(UblInvoicePath()), "<cbc:CustomizationID>", tmpl);
  }
  std::string SignWithXmlsec1(const std::string& tmpl, const char* key, const std::string& extra = "") {
    std::string in = Write("tmpl.xml", tmpl);
    std::string out = (dir_ / "signed.xml").string();
    int rc = Xmlsec1("--sign " + extra + " --privkey-pem " + Pki((std::string(key) + ".key").c_str()) + "," +
                     Pki((std::string(key) + ".pem").c_str()) + " --output " + out + " " + in);
    EXPECT_EQ(rc, 0) << Log();
    return ReadText(out);
  }
  fs::path dir_;
};

TEST_F(Xmlsec1InteropTest, OurSignaturesVerifyWithXmlsec1) {
  const std::string ubl = ReadText(UblInvoicePath());
  for (const char* key : {"signer-rsa", "signer-ec"}) {
    for (SignProfile profile : {SignProfile::kXmlDsig, SignProfile::kXadesBes, SignProfile::kXadesEpes}) {
      SCOPED_TRACE(std::string(key) + " " + SignProfileName(profile));
      std::string file = Write("ours.xml", Sign(ubl, key, profile));
      EXPECT_EQ(Xmlsec1("--verify --trusted-pem " + Pki("ca.pem") + " --enabled-reference-uris empty,same-doc " + file),
                0)
          << Log();
    }
  }
  // And xmlsec1 notices a change after signing.
  std::string forged = ReplaceFirst(Sign(ubl, "signer-rsa"), "<cbc:PayableAmount currencyID=\"EUR\">",
                                    "<cbc:PayableAmount currencyID=\"EUR\">1");
  EXPECT_NE(Xmlsec1("--verify --trusted-pem " + Pki("ca.pem") + " " + Write("forged.xml", forged)), 0);
}

TEST_F(Xmlsec1InteropTest, Xmlsec1SignaturesVerifyWithOurs) {
  struct Case {
    const char* key;
    const char* method;
  } cases[] = {{"signer-rsa", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"},
               {"signer-ec", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"},
               {"signer-rsa", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"}};
  for (const auto& c : cases) {
    std::string signed_xml = SignWithXmlsec1(Template(c.method, "http://www.w3.org/2001/04/xmlenc#sha256"), c.key);
    VerifyReport report = Verify(signed_xml);
    EXPECT_TRUE(report.valid()) << c.method << "\n" << Messages(report);
  }
}

TEST_F(Xmlsec1InteropTest, SoundSha1SignatureIsRefusedByPolicy) {
  std::string signed_xml = SignWithXmlsec1(
      Template("http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#sha1"), "signer-rsa");
  EXPECT_EQ(Xmlsec1("--verify --trusted-pem " + Pki("ca.pem") + " " + Write("sha1.xml", signed_xml)), 0) << Log();
  EXPECT_EQ(Rules(Verify(signed_xml)), "algorithm.weak algorithm.weak");
}

TEST_F(Xmlsec1InteropTest, IdReferencedRootAcceptedAndEveryWrappingOfItRefused) {
  const std::string id_attr = std::string("--id-attr:Id ") + kInvoiceNs + ":Invoice";
  std::string tmpl = ReplaceFirst(Template("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                                           "http://www.w3.org/2001/04/xmlenc#sha256", "#invoice"),
                                  "<Invoice ", "<Invoice Id=\"invoice\" ");
  std::string signed_xml = SignWithXmlsec1(tmpl, "signer-rsa", id_attr);
  VerifyReport control = Verify(signed_xml);
  ASSERT_TRUE(control.valid()) << Messages(control);

  // The signed invoice moved into the extension, a forged invoice around it without the Id.
  const size_t root_start = signed_xml.find("<Invoice ");
  const std::string original = signed_xml.substr(root_start);
  std::string forged = ReplaceFirst(signed_xml, " Id=\"invoice\"", "");
  forged = ReplaceFirst(forged, "<cbc:PayableAmount currencyID=\"EUR\">", "<cbc:PayableAmount currencyID=\"EUR\">9");
  forged = ReplaceFirst(forged, "</ds:Signature></ext:ExtensionContent>",
                        "</ds:Signature></ext:ExtensionContent><ext:ExtensionContent>" +
                            original + "</ext:ExtensionContent>");
  ASSERT_FALSE(forged.empty());
  VerifyReport report = Verify(forged);
  EXPECT_FALSE(report.valid());
  EXPECT_NE(Rules(report).find("reference.not-root"), std::string::npos) << Messages(report);

  // The same with the forged root keeping the Id: now two elements carry it.
  std::string duplicate = ReplaceFirst(forged, "<Invoice ", "<Invoice Id=\"invoice\" ");
  ASSERT_FALSE(duplicate.empty());
  report = Verify(duplicate);
  EXPECT_NE(Rules(report).find("reference.duplicate-id"), std::string::npos) << Messages(report);
}

}  // namespace
}  // namespace gw::certs
