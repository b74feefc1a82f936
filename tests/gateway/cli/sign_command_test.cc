// eigw sign, eigw verify and eigw certs list, run in process on the test PKI.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/certs/test_pki.h"
#include "tests/gateway/cli/cli_test_util.h"

namespace gw::cli {
namespace {

namespace fs = std::filesystem;
using certs::testing::Pki;
using testing::CliRun;
using testing::Eigw;
using testing::ReadFile;

class SignCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("eigw-sign-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const char* name) { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(SignCommandTest, SignsAndVerifiesEachProfile) {
  const std::string in = certs::testing::UblInvoicePath();
  const std::vector<std::vector<std::string>> profiles = {
      {"--profile", "xmldsig"},
      {"--profile", "xades-bes"},
      {"--profile", "xades-epes", "--policy-id", "urn:oid:1.2.3", "--policy-hash",
       "xWIJr/z1CecayRwHaQbTdIdmuqbamJ52t78uvZsW6Mo="}};
  for (const auto& profile : profiles) {
    std::vector<std::string> args = {"sign", "--key", Pki("signer-ec.key"), "--cert", Pki("signer-ec.pem")};
    args.insert(args.end(), profile.begin(), profile.end());
    args.insert(args.end(), {in, "-o", Path("signed.xml")});
    CliRun sign = Eigw(args);
    ASSERT_EQ(sign.code, 0) << sign.err;
    EXPECT_NE(sign.err.find("wrote"), std::string::npos);
    CliRun verify = Eigw({"verify", "--trust", Pki("ca.pem"), Path("signed.xml")});
    EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
    EXPECT_NE(verify.out.find("PASS"), std::string::npos);
    EXPECT_NE(verify.out.find("valid  " + profile[1]), std::string::npos) << verify.out;
  }
}

TEST_F(SignCommandTest, Pkcs12WithPasswordFromEnvironment) {
  ::setenv("EIGW_TEST_P12_PASSWORD", "test-password", 1);
  CliRun sign = Eigw({"sign", "--profile", "xades-bes", "--key", Pki("signer-rsa.p12"), "--key-password-env",
                      "EIGW_TEST_P12_PASSWORD", certs::testing::UblInvoicePath(), "-o", Path("signed.xml")});
  ASSERT_EQ(sign.code, 0) << sign.err;
  EXPECT_EQ(sign.err.find("test-password"), std::string::npos);
  EXPECT_EQ(Eigw({"verify", "--trust", Pki("ca.pem"), Path("signed.xml")}).code, 0);
}

TEST_F(SignCommandTest, VerifyReportsTheFailedCheck) {
  ASSERT_EQ(Eigw({"sign", "--profile", "xmldsig", "--key", Pki("intruder.key"), "--cert", Pki("intruder.pem"),
                  certs::testing::UblInvoicePath(), "-o", Path("intruder.xml")})
                .code,
            0);
  CliRun verify = Eigw({"verify", "--trust", Pki("ca.pem"), Path("intruder.xml")});
  EXPECT_EQ(verify.code, 1);
  EXPECT_NE(verify.out.find("FAIL"), std::string::npos);
  EXPECT_NE(verify.out.find("cert.untrusted"), std::string::npos) << verify.out;
  // Without a trust store nothing is trusted.
  CliRun untrusted = Eigw({"verify", Path("intruder.xml")});
  EXPECT_EQ(untrusted.code, 1);
}

TEST_F(SignCommandTest, UsageAndKeyErrors) {
  EXPECT_EQ(Eigw({"sign", "--profile", "xmldsig", certs::testing::UblInvoicePath()}).code, 2);  // no key
  EXPECT_EQ(Eigw({"sign", "--profile", "xades-t", "--key", Pki("signer-rsa.key"), "x.xml"}).code, 2);
  EXPECT_EQ(Eigw({"sign", "--profile", "xades-epes", "--key", Pki("signer-rsa.key"), "--cert", Pki("signer-rsa.pem"),
                  certs::testing::UblInvoicePath()})
                .code,
            2);  // no policy
  CliRun weak = Eigw({"sign", "--profile", "xmldsig", "--key", Pki("weak-rsa.key"), "--cert", Pki("weak-rsa.pem"),
                      certs::testing::UblInvoicePath()});
  EXPECT_EQ(weak.code, 1);
  EXPECT_NE(weak.err.find("RSA-1024"), std::string::npos);
  EXPECT_EQ(Eigw({"verify", "/nonexistent.xml"}).code, 3);
  EXPECT_EQ(Eigw({"verify"}).code, 2);
}

TEST_F(SignCommandTest, CertsListShowsExpiryAndWarns) {
  CliRun list = Eigw({"certs", "list", Pki("signer-rsa.pem"), Pki("soon.pem")});
  EXPECT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("subject:   C=EE,O=eigw test,CN=Test Signer RSA"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("issuer:    O=eigw test,CN=eigw Test Root CA"), std::string::npos);
  EXPECT_NE(list.out.find("key:       RSA-2048"), std::string::npos);
  // Issued for 730 days: 730 left when listed within the second it was issued, else 729.
  EXPECT_TRUE(list.out.find("ok: 729 days left") != std::string::npos ||
              list.out.find("ok: 730 days left") != std::string::npos)
      << list.out;
  EXPECT_NE(list.out.find("WARN: "), std::string::npos);
  CliRun expired = Eigw({"certs", "list", "--trust", Pki("ca.pem"), Pki("expired.pem"), Pki("intruder.pem")});
  EXPECT_EQ(expired.code, 1);
  EXPECT_NE(expired.out.find("EXPIRED"), std::string::npos);
  EXPECT_NE(expired.out.find("(self-signed)"), std::string::npos);
  EXPECT_NE(expired.out.find("does not chain to a trusted CA"), std::string::npos) << expired.out;
}

}  // namespace
}  // namespace gw::cli
