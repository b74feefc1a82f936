// The operator protocol's receipt: signed by the receiver, checked by the sender against what it
// sent and against its trust store; every tampering is refused with the check that failed.
#include "operators/gateway_protocol/receipt.h"

#include <gtest/gtest.h>

#include "certs/keys/key_store.h"
#include "certs/keys/trust_store.h"
#include "tests/certs/test_pki.h"

namespace gw::operators {
namespace {

using certs::testing::Pki;

class ReceiptTest : public ::testing::Test {
 protected:
  static certs::SigningKey Key(const char* name) {
    certs::KeySource source;
    source.key_path = Pki((std::string(name) + ".key").c_str());
    source.cert_path = Pki((std::string(name) + ".pem").c_str());
    auto key = certs::SigningKey::Load(source);
    EXPECT_TRUE(key) << key.error().ToString();
    return std::move(*key);
  }
  static certs::TrustStore Trust() { return *certs::TrustStore::Load({Pki("ca.pem")}); }

  ReceiptData Data() {
    ReceiptData d{"inv_1", "gw-b", "gw-a", "0088:7300010000001", std::string(64, 'a'), "rejected",
                  "2026-11-27T22:01:02.345Z", {}};
    d.findings.push_back({"BR-CO-15", Finding::Severity::kFatal, "/Invoice", "Total with VAT <is> wrong & bad"});
    return d;
  }
};

TEST_F(ReceiptTest, SignedReceiptChecksAndCarriesItsFindings) {
  auto key = Key("signer-ec");
  auto trust = Trust();
  auto xml = WriteReceipt(Data(), &key);
  ASSERT_TRUE(xml) << xml.error().ToString();
  auto read = CheckReceipt(*xml, "inv_1", std::string(64, 'a'), &trust);
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(read->receiver_operator, "gw-b");
  EXPECT_EQ(read->disposition, "rejected");
  ASSERT_EQ(read->findings.size(), 1u);
  EXPECT_EQ(read->findings[0].rule, "BR-CO-15");
  EXPECT_EQ(read->findings[0].location, "/Invoice");
  EXPECT_EQ(read->findings[0].message, "Total with VAT <is> wrong & bad");
}

TEST_F(ReceiptTest, RefusesAnotherMessageAnotherDocumentAndTampering) {
  auto key = Key("signer-rsa");
  auto trust = Trust();
  auto xml = WriteReceipt(Data(), &key);
  ASSERT_TRUE(xml);
  auto other_message = CheckReceipt(*xml, "inv_2", std::string(64, 'a'), &trust);
  ASSERT_FALSE(other_message);
  EXPECT_NE(other_message.error().message().find("inv_1"), std::string::npos);
  auto other_document = CheckReceipt(*xml, "inv_1", std::string(64, 'b'), &trust);
  ASSERT_FALSE(other_document);
  EXPECT_NE(other_document.error().message().find("DocumentSha256"), std::string::npos);
  // A changed disposition breaks the signature.
  std::string tampered = *xml;
  tampered.replace(tampered.find("<Disposition>rejected"), 21, "<Disposition>received");
  auto changed = CheckReceipt(tampered, "inv_1", std::string(64, 'a'), &trust);
  ASSERT_FALSE(changed);
  EXPECT_NE(changed.error().message().find("signature"), std::string::npos) << changed.error().message();
}

TEST_F(ReceiptTest, UnsignedOrIntruderSignedReceiptsFailWhenTrustIsConfigured) {
  auto trust = Trust();
  auto unsigned_xml = WriteReceipt(Data(), nullptr);
  ASSERT_TRUE(unsigned_xml);
  EXPECT_FALSE(CheckReceipt(*unsigned_xml, "inv_1", std::string(64, 'a'), &trust));
  // Without a trust store an unsigned receipt is taken (a gateway without [node] trust).
  EXPECT_TRUE(CheckReceipt(*unsigned_xml, "inv_1", std::string(64, 'a'), nullptr));
  auto intruder = Key("intruder");
  auto forged = WriteReceipt(Data(), &intruder);
  ASSERT_TRUE(forged);
  auto checked = CheckReceipt(*forged, "inv_1", std::string(64, 'a'), &trust);
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message().find("cert.untrusted"), std::string::npos) << checked.error().message();
}

TEST_F(ReceiptTest, NotAReceipt) {
  EXPECT_FALSE(CheckReceipt("<Receipt/>", "inv_1", "x", nullptr));
  EXPECT_FALSE(CheckReceipt("not xml", "inv_1", "x", nullptr));
  EXPECT_FALSE(CheckReceipt("<!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><r>&e;</r>", "inv_1", "x", nullptr));
}

}  // namespace
}  // namespace gw::operators
