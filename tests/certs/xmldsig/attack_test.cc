// Hostile documents: each must fail, with the check that catches it named.
#include <gtest/gtest.h>

#include "certs/keys/certificate.h"
#include "certs/xmldsig/verifier.h"
#include "tests/certs/xmldsig/signing_fixture.h"

namespace gw::certs {
namespace {

using testing::Messages;
using testing::ReadText;
using testing::ReplaceFirst;
using testing::Rules;
using testing::Sign;
using testing::UblInvoicePath;
using testing::Verify;

// The ds:Signature element of `xml` (first one), and `xml` without it.
std::string SignatureElement(const std::string& xml) {
  size_t start = xml.find("<ds:Signature ");
  size_t end = xml.find("</ds:Signature>");
  if (start == std::string::npos || end == std::string::npos) return "";
  return xml.substr(start, end + 15 - start);
}

class AttackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    signed_ = new std::string(Sign(ReadText(UblInvoicePath()), "signer-rsa"));
    xades_ = new std::string(Sign(ReadText(UblInvoicePath()), "signer-rsa", SignProfile::kXadesBes));
  }
  static std::string* signed_;
  static std::string* xades_;
};
std::string* AttackTest::signed_ = nullptr;
std::string* AttackTest::xades_ = nullptr;

TEST_F(AttackTest, ControlSignedDocumentIsValid) {
  EXPECT_TRUE(Verify(*signed_).valid());
  EXPECT_TRUE(Verify(*xades_).valid());
}

TEST_F(AttackTest, SignatureMovedOutOfTheUblExtensionIsRefused) {
  // Enveloped URI="" ignores where the signature is, so the digests still match: the placement
  // check is what catches it.
  const std::string sig = SignatureElement(*signed_);
  std::string moved = ReplaceFirst(*signed_, sig, "");
  moved = ReplaceFirst(moved, "</Invoice>", sig + "</Invoice>");
  ASSERT_FALSE(moved.empty());
  EXPECT_EQ(Rules(Verify(moved)), "signature.placement");
}

TEST_F(AttackTest, ForgedRootWithOriginalWrappedInDsObjectIsRefused) {
  // The attacker keeps the signed original inside ds:Object and puts a forged invoice around it.
  const std::string sig = SignatureElement(*signed_);
  size_t root = signed_->find("<Invoice ");
  std::string original = signed_->substr(root);
  std::string forged = ReplaceFirst(*signed_, "<cbc:PayableAmount currencyID=\"EUR\">",
                                    "<cbc:PayableAmount currencyID=\"EUR\">9");
  std::string wrapped_sig = ReplaceFirst(sig, "</ds:Signature>", "<ds:Object>" + original + "</ds:Object></ds:Signature>");
  forged = ReplaceFirst(forged, sig, wrapped_sig);
  ASSERT_FALSE(forged.empty());
  VerifyReport report = Verify(forged);
  EXPECT_FALSE(report.valid());
  EXPECT_NE(Rules(report).find("signature.unsigned-object"), std::string::npos) << Messages(report);
}

TEST_F(AttackTest, ExternalReferencesAreRefusedAndNeverFetched) {
  for (const char* uri : {"http://127.0.0.1:9/invoice.xml", "file:///etc/passwd", "#xpointer(/)", "invoice.xml"}) {
    std::string hostile = ReplaceFirst(*signed_, "<ds:Reference URI=\"\">", std::string("<ds:Reference URI=\"") + uri + "\">");
    ASSERT_FALSE(hostile.empty());
    VerifyReport report = Verify(hostile);
    EXPECT_FALSE(report.valid());
    EXPECT_EQ(Rules(report), "reference.uri reference.not-root") << uri << "\n" << Messages(report);
  }
}

TEST_F(AttackTest, ReferenceWithoutUriIsRefused) {
  std::string hostile = ReplaceFirst(*signed_, "<ds:Reference URI=\"\">", "<ds:Reference>");
  EXPECT_EQ(Rules(Verify(hostile)), "reference.uri reference.not-root");
}

TEST_F(AttackTest, ReferenceToAnElementOtherThanTheRootIsRefused) {
  std::string hostile = ReplaceFirst(*signed_, "<cac:InvoiceLine>", "<cac:InvoiceLine Id=\"line1\">");
  hostile = ReplaceFirst(hostile, "<ds:Reference URI=\"\">", "<ds:Reference URI=\"#line1\">");
  ASSERT_FALSE(hostile.empty());
  VerifyReport report = Verify(hostile);
  EXPECT_EQ(Rules(report), "reference.not-root reference.not-root") << Messages(report);
}

TEST_F(AttackTest, DuplicateIdsAreRefused) {
  std::string hostile = ReplaceFirst(*signed_, "<cac:InvoiceLine>", "<cac:InvoiceLine Id=\"x\">");
  hostile = ReplaceFirst(hostile, "<cac:TaxTotal>", "<cac:TaxTotal ID=\"x\">");
  hostile = ReplaceFirst(hostile, "<ds:Reference URI=\"\">", "<ds:Reference URI=\"#x\">");
  ASSERT_FALSE(hostile.empty());
  EXPECT_EQ(Rules(Verify(hostile)), "reference.duplicate-id reference.not-root");
}

TEST_F(AttackTest, DuplicateSignedPropertiesIdIsRefused) {
  // A second element with the SignedProperties Id outside the signature: which one is signed
  // would depend on the resolver.
  size_t at = xades_->find("Id=\"Signature-");
  std::string id = xades_->substr(at + 4, xades_->find('"', at + 4) - at - 4) + "-SignedProperties";
  std::string hostile = ReplaceFirst(*xades_, "<cac:InvoiceLine>", "<cac:InvoiceLine Id=\"" + id + "\">");
  ASSERT_FALSE(hostile.empty());
  VerifyReport report = Verify(hostile);
  EXPECT_NE(Rules(report).find("reference.duplicate-id"), std::string::npos) << Messages(report);
}

TEST_F(AttackTest, Sha1AndMd5AreRefusedByPolicy) {
  struct Case {
    const char* from;
    const char* to;
  } cases[] = {
      {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2000/09/xmldsig#rsa-sha1"},
      {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2001/04/xmldsig-more#rsa-md5"},
      {"http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2000/09/xmldsig#sha1"},
      {"http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2001/04/xmldsig-more#md5"},
  };
  for (const auto& c : cases) {
    std::string weak = ReplaceFirst(*signed_, c.from, c.to);
    ASSERT_FALSE(weak.empty());
    EXPECT_EQ(Rules(Verify(weak)), "algorithm.weak") << c.to;
  }
}

TEST_F(AttackTest, XsltAndXPathTransformsAreRefused) {
  std::string hostile = ReplaceFirst(*signed_, "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
                                     "http://www.w3.org/TR/1999/REC-xslt-19991116");
  EXPECT_EQ(Rules(Verify(hostile)), "reference.transform reference.not-root");
}

TEST(AttackKeysTest, SelfSignedIntruderIsUntrusted) {
  std::string signed_xml = Sign(ReadText(UblInvoicePath()), "intruder");
  VerifyReport report = Verify(signed_xml);
  // The signature itself is sound; only the certificate is not trusted.
  EXPECT_EQ(Rules(report), "cert.untrusted") << Messages(report);
}

TEST(AttackKeysTest, IntruderCertificateSwappedIntoAValidSignatureFails) {
  std::string signed_xml = Sign(ReadText(UblInvoicePath()), "signer-rsa");
  std::string ours = CertificateBase64(testing::TestKey("signer-rsa").certificate());
  std::string theirs = CertificateBase64(testing::TestKey("intruder").certificate());
  std::string hostile = ReplaceFirst(signed_xml, ours, theirs);
  ASSERT_FALSE(hostile.empty());
  EXPECT_EQ(Rules(Verify(hostile)), "cert.untrusted signature.value");
}

TEST(AttackKeysTest, ExpiredCertificateIsRefused) {
  const std::string ubl = ReadText(UblInvoicePath());
  EXPECT_EQ(Rules(Verify(Sign(ubl, "expired"))), "cert.expired");
  EXPECT_EQ(Rules(Verify(Sign(ubl, "expired", SignProfile::kXadesBes))), "cert.expired");
}

TEST(AttackKeysTest, XadesSignatureMadeWhileTheCertificateWasValidIsAccepted) {
  // xades:SigningTime 2020-06-01, inside the expired certificate's validity (2020-2021).
  VerifyReport report = Verify(Sign(ReadText(UblInvoicePath()), "expired", SignProfile::kXadesBes, 1590969600));
  EXPECT_TRUE(report.valid()) << Messages(report);
  EXPECT_EQ(report.signatures[0].signing_time, "2020-06-01T00:00:00Z");
}

TEST(AttackKeysTest, SigningTimeInTheFutureIsRefused) {
  VerifyReport report =
      Verify(Sign(ReadText(UblInvoicePath()), "signer-rsa", SignProfile::kXadesBes, std::time(nullptr) + 86400));
  EXPECT_NE(Rules(report).find("xades.signing-time"), std::string::npos) << Messages(report);
}

TEST(AttackKeysTest, TwoSignaturesAreEachReported) {
  const std::string ubl = ReadText(UblInvoicePath());
  // With the enveloped-signature transform each signature covers everything but itself, so a
  // second signature is a change to the document the first one signed (docs/signing.md).
  std::string both = Sign(Sign(ubl, "signer-rsa"), "signer-ec", SignProfile::kXadesBes);
  VerifyReport report = Verify(both);
  ASSERT_EQ(report.signatures.size(), 2u);
  EXPECT_FALSE(report.valid());
  EXPECT_EQ(report.signatures[0].profile, "xmldsig");
  EXPECT_EQ(report.signatures[1].profile, "xades-bes");
  EXPECT_EQ(Rules(report), "signature.digest |") << Messages(report);
  EXPECT_NE(report.signatures[0].location, report.signatures[1].location);

  // A trusted signature does not vouch for an intruder's one, nor the other way round.
  report = Verify(Sign(Sign(ubl, "signer-rsa"), "intruder"));
  ASSERT_EQ(report.signatures.size(), 2u);
  EXPECT_EQ(Rules(report), "signature.digest | cert.untrusted");
  report = Verify(Sign(Sign(ubl, "intruder"), "signer-rsa"));
  EXPECT_EQ(Rules(report), "cert.untrusted signature.digest |");
}

TEST(AttackKeysTest, DoctypeIsRefusedBeforeAnyEntityIsRead) {
  std::string signed_xml = Sign(ReadText(UblInvoicePath()), "signer-rsa");
  std::string hostile = ReplaceFirst(signed_xml, "<Invoice ",
                                     "<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<Invoice ");
  VerifyOptions options;
  auto report = VerifyXml(hostile, options);
  ASSERT_FALSE(report);
  ASSERT_EQ(report.error().findings().size(), 1u);
  EXPECT_EQ(report.error().findings()[0].rule, "xml.doctype");
}

}  // namespace
}  // namespace gw::certs
