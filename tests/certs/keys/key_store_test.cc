#include "certs/keys/key_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "certs/keys/certificate.h"
#include "certs/keys/trust_store.h"
#include "tests/certs/test_pki.h"

namespace gw::certs {
namespace {

using testing::Pki;

TEST(KeyStoreTest, LoadsPemRsaKeyWithCertificate) {
  auto key = SigningKey::Load({Pki("signer-rsa.key"), Pki("signer-rsa.pem"), "", std::nullopt});
  ASSERT_TRUE(key) << key.error().ToString();
  EXPECT_TRUE(key->is_rsa());
  EXPECT_EQ(DescribeKey(key->key()), "RSA-2048");
  EXPECT_TRUE(key->chain().empty());
}

TEST(KeyStoreTest, LoadsPemEcdsaP256Key) {
  auto key = SigningKey::Load({Pki("signer-ec.key"), Pki("signer-ec.pem"), Pki("ca.pem"), std::nullopt});
  ASSERT_TRUE(key) << key.error().ToString();
  EXPECT_FALSE(key->is_rsa());
  EXPECT_EQ(DescribeKey(key->key()), "ECDSA P-256");
  EXPECT_EQ(key->chain().size(), 1u);
}

TEST(KeyStoreTest, LoadsPkcs12WithPasswordFromFile) {
  auto password = ReadPassword({Pki("p12.password"), ""});
  ASSERT_TRUE(password);
  ASSERT_TRUE(password->has_value());
  EXPECT_EQ((*password)->reveal(), "test-password");  // the trailing newline is not part of it
  auto key = SigningKey::Load({Pki("signer-rsa.p12"), "", "", std::move(*password)});
  ASSERT_TRUE(key) << key.error().ToString();
  EXPECT_EQ(DescribeCertificate(key->certificate()).subject, "C=EE,O=eigw test,CN=Test Signer RSA");
  EXPECT_EQ(key->chain().size(), 1u);  // the CA from the PKCS#12 bag
}

TEST(KeyStoreTest, LoadsEncryptedPemWithPasswordFromEnvironment) {
  ::setenv("EIGW_TEST_KEY_PASSWORD", "test-password", 1);
  auto password = ReadPassword({"", "EIGW_TEST_KEY_PASSWORD"});
  ASSERT_TRUE(password);
  auto key = SigningKey::Load({Pki("signer-rsa-enc.key"), Pki("signer-rsa.pem"), "", std::move(*password)});
  ASSERT_TRUE(key) << key.error().ToString();
}

TEST(KeyStoreTest, WrongPasswordIsRefusedWithoutRevealingIt) {
  for (const char* file : {"signer-rsa.p12", "signer-rsa-enc.key"}) {
    auto key = SigningKey::Load({Pki(file), Pki("signer-rsa.pem"), "", Secret("hunter2-wrong")});
    ASSERT_FALSE(key) << file;
    EXPECT_EQ(key.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(key.error().ToString().find("hunter2"), std::string::npos) << key.error().ToString();
  }
}

TEST(KeyStoreTest, EncryptedKeyWithoutPasswordIsRefused) {
  auto key = SigningKey::Load({Pki("signer-rsa-enc.key"), Pki("signer-rsa.pem"), "", std::nullopt});
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message().find("no password"), std::string::npos) << key.error().message();
}

TEST(KeyStoreTest, MissingPasswordSourcesAreNamed) {
  auto env = ReadPassword({"", "EIGW_TEST_UNSET_VARIABLE_42"});
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(ReadPassword({"/nonexistent/password", ""}));
  EXPECT_FALSE(ReadPassword({"a", "B"}));
}

TEST(KeyStoreTest, RefusesRsa1024Key) {
  auto key = SigningKey::Load({Pki("weak-rsa.key"), Pki("weak-rsa.pem"), "", std::nullopt});
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message().find("RSA-1024"), std::string::npos) << key.error().message();
}

TEST(KeyStoreTest, RefusesCertificateOfAnotherKey) {
  auto key = SigningKey::Load({Pki("signer-rsa.key"), Pki("intruder.pem"), "", std::nullopt});
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message().find("does not belong"), std::string::npos);
}

TEST(KeyStoreTest, MissingFileIsNotFound) {
  auto key = SigningKey::Load({"/nonexistent.key", "", "", std::nullopt});
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code(), ErrorCode::kNotFound);
}

TEST(CertificateTest, DescribesSubjectIssuerKeyAndExpiry) {
  auto certs = LoadCertificates(Pki("soon.pem"));
  ASSERT_TRUE(certs);
  CertificateInfo info = DescribeCertificate((*certs)[0].get());
  EXPECT_EQ(info.subject, "C=EE,O=eigw test,CN=Test Signer Expiring Soon");
  EXPECT_EQ(info.issuer, "O=eigw test,CN=eigw Test Root CA");
  EXPECT_EQ(info.key, "RSA-2048");
  EXPECT_FALSE(info.self_signed);
  const long days = info.DaysLeft(std::time(nullptr));
  EXPECT_GE(days, 9);
  EXPECT_LE(days, 10);
}

TEST(CertificateTest, ParsesDerAndRejectsGarbage) {
  auto certs = LoadCertificates(Pki("ca.pem"));
  ASSERT_TRUE(certs);
  auto der = DecodeBase64(CertificateBase64((*certs)[0].get()));
  ASSERT_TRUE(der);
  auto again = ParseCertificates(*der);
  ASSERT_TRUE(again);
  EXPECT_EQ(X509_cmp((*again)[0].get(), (*certs)[0].get()), 0);
  EXPECT_FALSE(ParseCertificates("not a certificate"));
  EXPECT_FALSE(DecodeBase64("a?=="));
}

TEST(TrustStoreTest, VerdictsForSignerIntruderAndExpired) {
  auto trust = TrustStore::Load({Pki("ca.pem")});
  ASSERT_TRUE(trust);
  const std::time_t now = std::time(nullptr);
  struct Case {
    const char* cert;
    std::time_t at;
    const char* rule;
  } cases[] = {
      {"signer-rsa.pem", now, ""},
      {"signer-ec.pem", now, ""},
      {"intruder.pem", now, "cert.untrusted"},
      {"expired.pem", now, "cert.expired"},
      {"expired.pem", 1590969600 /* 2020-06-01 */, ""},
  };
  for (const auto& c : cases) {
    auto cert = LoadCertificates(Pki(c.cert));
    ASSERT_TRUE(cert);
    ChainVerdict v = trust->CheckChain((*cert)[0].get(), {}, c.at);
    EXPECT_EQ(v.rule, c.rule) << c.cert << ": " << v.message;
    EXPECT_EQ(v.ok, std::string(c.rule).empty());
  }
  ChainVerdict none = TrustStore().CheckChain((*LoadCertificates(Pki("signer-rsa.pem")))[0].get(), {}, now);
  EXPECT_EQ(none.rule, "cert.untrusted");
}

}  // namespace
}  // namespace gw::certs
