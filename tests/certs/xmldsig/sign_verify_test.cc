#include <gtest/gtest.h>

#include "certs/keys/certificate.h"
#include "certs/xmldsig/signer.h"
#include "certs/xmldsig/verifier.h"
#include "tests/certs/xmldsig/signing_fixture.h"

namespace gw::certs {
namespace {

using testing::Messages;
using testing::ReadText;
using testing::Rules;
using testing::Sign;
using testing::UblInvoicePath;
using testing::Verify;

struct RoundTrip {
  SignProfile profile;
  const char* key;
  const char* algorithm;
};

TEST(SignVerifyTest, RoundTripsEveryProfileAndKeyType) {
  const std::string ubl = ReadText(UblInvoicePath());
  const RoundTrip cases[] = {
      {SignProfile::kXmlDsig, "signer-rsa", "xmldsig-more#rsa-sha256"},
      {SignProfile::kXmlDsig, "signer-ec", "xmldsig-more#ecdsa-sha256"},
      {SignProfile::kXadesBes, "signer-rsa", "xmldsig-more#rsa-sha256"},
      {SignProfile::kXadesBes, "signer-ec", "xmldsig-more#ecdsa-sha256"},
      {SignProfile::kXadesEpes, "signer-rsa", "xmldsig-more#rsa-sha256"},
      {SignProfile::kXadesEpes, "signer-ec", "xmldsig-more#ecdsa-sha256"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(SignProfileName(c.profile)) + " " + c.key);
    std::string signed_xml = Sign(ubl, c.key, c.profile);
    EXPECT_NE(signed_xml.find(c.algorithm), std::string::npos);
    EXPECT_NE(signed_xml.find("<ds:Reference URI=\"\">"), std::string::npos);
    EXPECT_NE(signed_xml.find("http://www.w3.org/2001/10/xml-exc-c14n#"), std::string::npos);
    VerifyReport report = Verify(signed_xml);
    ASSERT_EQ(report.signatures.size(), 1u);
    EXPECT_TRUE(report.valid()) << Messages(report);
    EXPECT_EQ(report.signatures[0].profile, SignProfileName(c.profile));
    EXPECT_NE(report.signatures[0].signer.find("Test Signer"), std::string::npos);
    if (c.profile != SignProfile::kXmlDsig) {
      EXPECT_NE(signed_xml.find("Type=\"http://uri.etsi.org/01903#SignedProperties\""), std::string::npos);
      EXPECT_NE(signed_xml.find("<xades:SigningCertificate>"), std::string::npos);
      EXPECT_FALSE(report.signatures[0].signing_time.empty());
    }
    if (c.profile == SignProfile::kXadesEpes) {
      EXPECT_EQ(report.signatures[0].policy_id, "urn:oid:2.16.724.1.3.1.1.2.1.9");
      EXPECT_NE(signed_xml.find("<xades:SigPolicyHash>"), std::string::npos);
    }
  }
}

TEST(SignVerifyTest, UblSignatureGoesIntoUblExtensions) {
  std::string signed_xml = Sign(ReadText(UblInvoicePath()), "signer-rsa");
  // ext:UBLExtensions is the first child of the root, before cbc:CustomizationID.
  const size_t ext = signed_xml.find("<ext:UBLExtensions");
  ASSERT_NE(ext, std::string::npos);
  EXPECT_LT(ext, signed_xml.find("<cbc:CustomizationID>"));
  const size_t sig = signed_xml.find("<ds:Signature");
  EXPECT_LT(signed_xml.find("<ext:ExtensionContent><sig:UBLDocumentSignatures"), sig);
  EXPECT_LT(signed_xml.find("<sac:SignatureInformation"), sig);
}

TEST(SignVerifyTest, UblWithExistingExtensionsGetsAnotherExtension) {
  std::string ubl = ReadText(UblInvoicePath());
  ubl = testing::ReplaceFirst(
      ubl, "<cbc:CustomizationID>",
      "<ext:UBLExtensions xmlns:ext=\"urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2\">"
      "<ext:UBLExtension><ext:ExtensionContent><Other xmlns=\"urn:x\"/></ext:ExtensionContent></ext:UBLExtension>"
      "</ext:UBLExtensions><cbc:CustomizationID>");
  std::string signed_xml = Sign(ubl, "signer-ec");
  EXPECT_NE(signed_xml.find("</ext:UBLExtension><ext:UBLExtension><ext:ExtensionContent>"), std::string::npos);
  EXPECT_TRUE(Verify(signed_xml).valid());
}

TEST(SignVerifyTest, OtherDocumentsGetTheSignatureAsLastChildOfTheRoot) {
  const std::string doc = "<?xml version=\"1.0\"?>\n<fe:Facturae xmlns:fe=\"http://www.facturae.gob.es/formato/Versiones/Facturaev3_2_2.xml\">"
                          "<FileHeader>1</FileHeader><Invoices><Total>100.00</Total></Invoices></fe:Facturae>\n";
  std::string signed_xml = Sign(doc, "signer-rsa", SignProfile::kXadesEpes);
  EXPECT_NE(signed_xml.find("</ds:Signature></fe:Facturae>"), std::string::npos) << signed_xml;
  VerifyReport report = Verify(signed_xml);
  EXPECT_TRUE(report.valid()) << Messages(report);
}

TEST(SignVerifyTest, ChangedAmountAfterSigningFails) {
  for (SignProfile profile : {SignProfile::kXmlDsig, SignProfile::kXadesBes}) {
    std::string signed_xml = Sign(ReadText(UblInvoicePath()), "signer-rsa", profile);
    std::string forged = testing::ReplaceFirst(signed_xml, "<cbc:PayableAmount currencyID=\"EUR\">",
                                               "<cbc:PayableAmount currencyID=\"EUR\">1");
    ASSERT_FALSE(forged.empty());
    VerifyReport report = Verify(forged);
    EXPECT_FALSE(report.valid());
    EXPECT_EQ(Rules(report), "signature.digest") << Messages(report);
  }
}

TEST(SignVerifyTest, ChangedSigningTimeFails) {
  testing::PkiDir();  // made first: the signing time must not precede the certificates
  const std::time_t t = std::time(nullptr);
  std::string signed_xml = Sign(ReadText(UblInvoicePath()), "signer-rsa", SignProfile::kXadesBes, t);
  std::string forged = testing::ReplaceFirst(signed_xml, FormatUtc(t), FormatUtc(t + 1));
  ASSERT_FALSE(forged.empty());
  EXPECT_EQ(Rules(Verify(forged)), "signature.digest");
}

TEST(SignVerifyTest, EpesWithoutPolicyIsRefused) {
  SignOptions options;
  options.profile = SignProfile::kXadesEpes;
  auto r = SignXml(ReadText(UblInvoicePath()), testing::TestKey("signer-rsa"), options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
}

TEST(SignVerifyTest, UnsignedDocumentIsReported) {
  VerifyReport report = Verify(ReadText(UblInvoicePath()));
  EXPECT_FALSE(report.valid());
  EXPECT_EQ(Rules(report), "signature.missing");
}

TEST(SignVerifyTest, ProfileNamesRoundTrip) {
  for (auto p : {SignProfile::kXmlDsig, SignProfile::kXadesBes, SignProfile::kXadesEpes}) {
    auto parsed = ParseSignProfile(SignProfileName(p));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, p);
  }
  EXPECT_FALSE(ParseSignProfile("xades-t"));
}

}  // namespace
}  // namespace gw::certs

namespace gw::certs {
namespace {

TEST(WithoutSignaturesTest, GivesBackTheDocumentAsItWasBeforeSigning) {
  const std::string ubl = ReadText(UblInvoicePath());
  // Two signatures (the second in its own extension), then stripped: no signature, no extension.
  std::string twice = testing::Sign(testing::Sign(ubl, "signer-rsa"), "signer-ec", SignProfile::kXadesBes);
  ASSERT_EQ(testing::Verify(twice).signatures.size(), 2u);
  auto stripped = WithoutSignatures(twice);
  ASSERT_TRUE(stripped) << stripped.error().ToString();
  EXPECT_EQ(stripped->find("Signature"), std::string::npos);
  EXPECT_EQ(stripped->find("UBLExtensions"), std::string::npos);
  EXPECT_NE(stripped->find("<cbc:CustomizationID>"), std::string::npos);
  EXPECT_NE(stripped->find("</Invoice>"), std::string::npos);
  // An extension that was there before signing stays.
  std::string with_other = testing::ReplaceFirst(
      ubl, "<cbc:CustomizationID>",
      "<ext:UBLExtensions xmlns:ext=\"urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2\">"
      "<ext:UBLExtension><ext:ExtensionContent><Other xmlns=\"urn:x\">kept</Other></ext:ExtensionContent>"
      "</ext:UBLExtension></ext:UBLExtensions><cbc:CustomizationID>");
  auto kept = WithoutSignatures(testing::Sign(with_other, "signer-rsa"));
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->find("Signature"), std::string::npos);
  EXPECT_NE(kept->find(">kept</Other>"), std::string::npos);
  // Hostile input is refused as by VerifyXml.
  EXPECT_FALSE(WithoutSignatures("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"));
}

}  // namespace
}  // namespace gw::certs
