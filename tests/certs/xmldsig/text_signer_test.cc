// The streaming signer (certs/xmldsig/text_signer.h) against the xmlsec path it stands in for:
// the same digest of the document, the document's bytes kept, the fallback for what it leaves
// to xmlsec, and signatures made on several threads at once. Verification by our verifier here,
// by the xmlsec1 tool in xmlsec1_interop_test.cc and by xadesjs in XadesInteropTest.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "certs/xmldsig/signer.h"
#include "certs/xmldsig/text_signer.h"
#include "tests/certs/xmldsig/signing_fixture.h"

namespace gw::certs {
namespace {

using testing::Messages;
using testing::ReadText;
using testing::TestKey;
using testing::Verify;

std::string FirstDigest(const std::string& signed_xml) {
  const std::string open = "<ds:DigestValue>";
  size_t a = signed_xml.find(open);
  size_t b = signed_xml.find("</ds:DigestValue>", a);
  return a == std::string::npos || b == std::string::npos ? "" : signed_xml.substr(a + open.size(), b - a - open.size());
}

std::string WithExtensions(std::string ubl) {
  return testing::ReplaceFirst(
      ubl, "<cbc:CustomizationID>",
      "<ext:UBLExtensions xmlns:ext=\"urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2\">"
      "<ext:UBLExtension><ext:ExtensionContent><Other xmlns=\"urn:x\"/></ext:ExtensionContent></ext:UBLExtension>"
      "</ext:UBLExtensions><cbc:CustomizationID>");
}

const char* kFacturae =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a comment -->\n"
    "<fe:Facturae xmlns:fe=\"http://www.facturae.gob.es/formato/Versiones/Facturaev3_2_2.xml\">\r\n"
    "  <FileHeader a='x &amp; \"y\"'>1</FileHeader><Invoices><Total>100.00 &#8364;</Total><![CDATA[<raw>]]></Invoices>"
    "</fe:Facturae>\n";

TEST(TextSignerTest, DigestsTheDocumentAsXmlsecDoesAndKeepsItsBytes) {
  const std::string documents[] = {ReadText(testing::UblInvoicePath()), ReadText(testing::LargeUblInvoicePath()),
                                   WithExtensions(ReadText(testing::UblInvoicePath())), kFacturae};
  for (const std::string& doc : documents) {
    for (SignProfile profile : {SignProfile::kXmlDsig, SignProfile::kXadesBes, SignProfile::kXadesEpes}) {
      SCOPED_TRACE(doc.substr(0, 120) + " " + SignProfileName(profile));
      SignOptions options;
      options.profile = profile;
      if (profile == SignProfile::kXadesEpes) options.policy = testing::TestPolicy();
      std::optional<std::string> text = SignXmlText(doc, TestKey("signer-ec"), options);
      ASSERT_TRUE(text.has_value());
      options.use_xmlsec = true;
      auto tree = SignXml(doc, TestKey("signer-ec"), options);
      ASSERT_TRUE(tree) << tree.error().ToString();
      EXPECT_EQ(FirstDigest(*text), FirstDigest(*tree));
      EXPECT_FALSE(FirstDigest(*text).empty());
      VerifyReport report = Verify(*text);
      ASSERT_EQ(report.signatures.size(), 1u);
      EXPECT_TRUE(report.valid()) << Messages(report);
      // The input, byte for byte, with the signature and its wrapper inserted at one place.
      size_t prefix = 0;
      while (prefix < doc.size() && (*text)[prefix] == doc[prefix]) ++prefix;
      const std::string inserted = text->substr(prefix, text->size() - doc.size());
      EXPECT_TRUE(text->compare(prefix + inserted.size(), std::string::npos, doc, prefix) == 0);
      EXPECT_NE(inserted.find("<ds:Signature"), std::string::npos);
      EXPECT_NE(inserted.find("</ds:Signature>"), std::string::npos);
    }
  }
}

// Every XML sample of ../shared (official examples, national formats) is signed, by the text path
// or, for what it leaves, by xmlsec, and verifies.
TEST(TextSignerTest, EverySharedSampleSignsAndVerifies) {
  namespace fs = std::filesystem;
  size_t by_text = 0, by_tree = 0;
  for (const char* dir : {"/conformance/examples", "/formats"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(EIGW_SHARED_DIR).concat(dir))) {
      if (!entry.is_regular_file() || entry.path().extension() != ".xml") continue;
      const std::string doc = ReadText(entry.path().string());
      SCOPED_TRACE(entry.path().string());
      SignOptions options;
      options.profile = SignProfile::kXadesBes;
      const bool text = SignXmlText(doc, TestKey("signer-ec"), options).has_value();
      auto signed_xml = SignXml(doc, TestKey("signer-ec"), options);
      if (!signed_xml) {
        // Only what the tree path refuses as well, as bad input: not well formed, or a relative
        // namespace URI, which canonical XML cannot sign.
        EXPECT_FALSE(text);
        EXPECT_EQ(signed_xml.error().code(), ErrorCode::kInvalidArgument) << signed_xml.error().ToString();
        continue;
      }
      (text ? by_text : by_tree) += 1;
      // Samples signed already keep their signatures; ours is the last and is valid.
      const size_t before = Verify(doc).signatures.size();
      VerifyReport report = Verify(*signed_xml);
      ASSERT_EQ(report.signatures.size(), before + 1);
      EXPECT_TRUE(report.signatures.back().valid()) << Messages(report);
    }
  }
  EXPECT_GT(by_text, 200u);
  std::printf("signed by the text path: %zu, through xmlsec: %zu\n", by_text, by_tree);
}

TEST(TextSignerTest, WhatTheTextPathLeavesIsSignedThroughXmlsec) {
  // Latin-1: the canonicalizer takes UTF-8 only.
  const std::string latin1 =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<Doc xmlns=\"urn:x\"><Name>K\xE4se</Name></Doc>\n";
  SignOptions options;
  EXPECT_FALSE(SignXmlText(latin1, TestKey("signer-rsa"), options).has_value());
  auto signed_xml = SignXml(latin1, TestKey("signer-rsa"), options);
  ASSERT_TRUE(signed_xml) << signed_xml.error().ToString();
  VerifyReport report = Verify(*signed_xml);
  EXPECT_TRUE(report.valid()) << Messages(report);

  // A DOCTYPE is refused by both, with the tree parser's reason.
  auto doctype = SignXml("<!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>", TestKey("signer-rsa"), options);
  ASSERT_FALSE(doctype);
  EXPECT_EQ(doctype.error().code(), ErrorCode::kInvalidArgument);
  // A relative namespace URI cannot be canonicalized: refused as bad input, naming it.
  auto relative = SignXml("<r xmlns=\"rules\"><a/></r>", TestKey("signer-rsa"), options);
  ASSERT_FALSE(relative);
  EXPECT_EQ(relative.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(relative.error().message().find("xmlns=\"rules\""), std::string::npos) << relative.error().message();
  // So is a document that is not well formed.
  auto broken = SignXml("<r><a></r>", TestKey("signer-rsa"), options);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code(), ErrorCode::kInvalidArgument);
}

TEST(TextSignerTest, PolicyTextIsEscaped) {
  SignOptions options;
  options.profile = SignProfile::kXadesEpes;
  options.policy = testing::TestPolicy();
  options.policy.id = "https://example.com/policy?a=1&b=<2>";
  std::optional<std::string> text = SignXmlText(ReadText(testing::UblInvoicePath()), TestKey("signer-rsa"), options);
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(text->find("policy?a=1&amp;b=&lt;2&gt;"), std::string::npos);
  VerifyReport report = Verify(*text);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(report.valid()) << Messages(report);
  EXPECT_EQ(report.signatures[0].policy_id, options.policy.id);
}

TEST(TextSignerTest, SignsOnSeveralThreadsAtOnce) {
  const std::string ubl = ReadText(testing::LargeUblInvoicePath());
  TestKey("signer-rsa");  // loaded before the threads: the fixture's key map is not locked
  TestKey("signer-ec");
  std::vector<std::string> results(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      SignOptions options;
      options.profile = t % 2 == 0 ? SignProfile::kXmlDsig : SignProfile::kXadesBes;
      for (int i = 0; i < 20; ++i) {
        auto r = SignXml(ubl, TestKey(t % 3 == 0 ? "signer-rsa" : "signer-ec"), options);
        if (r) results[t] = *r;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const std::string& r : results) {
    ASSERT_FALSE(r.empty());
    VerifyReport report = Verify(r);
    EXPECT_TRUE(report.valid()) << Messages(report);
  }
}

}  // namespace
}  // namespace gw::certs
