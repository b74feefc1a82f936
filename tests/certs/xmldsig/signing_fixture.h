// Helpers for the signing and verification tests: keys of the test PKI, signing a document,
// verifying with the test CA trusted.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <map>
#include <string>

#include "certs/keys/key_store.h"
#include "certs/keys/trust_store.h"
#include "certs/xmldsig/signer.h"
#include "certs/xmldsig/verifier.h"
#include "tests/certs/test_pki.h"

namespace gw::certs::testing {

// "signer-rsa", "signer-ec", "intruder", "expired": the key and certificate of that name.
inline const SigningKey& TestKey(const std::string& name) {
  static std::map<std::string, SigningKey>* keys = new std::map<std::string, SigningKey>;
  auto it = keys->find(name);
  if (it == keys->end()) {
    auto key = SigningKey::Load({Pki((name + ".key").c_str()), Pki((name + ".pem").c_str()), "", std::nullopt});
    if (!key) {
      ADD_FAILURE() << key.error().ToString();
      std::abort();
    }
    it = keys->emplace(name, std::move(*key)).first;
  }
  return it->second;
}

inline const TrustStore& TestTrust() {
  static TrustStore* trust = new TrustStore(std::move(*TrustStore::Load({Pki("ca.pem")})));
  return *trust;
}

inline SignaturePolicy TestPolicy() {
  return {"urn:oid:2.16.724.1.3.1.1.2.1.9", "xWIJr/z1CecayRwHaQbTdIdmuqbamJ52t78uvZsW6Mo=", "sha256"};
}

inline std::string Sign(const std::string& xml, const std::string& key, SignProfile profile = SignProfile::kXmlDsig,
                        std::time_t signing_time = 0) {
  SignOptions options;
  options.profile = profile;
  options.signing_time = signing_time;
  if (profile == SignProfile::kXadesEpes) options.policy = TestPolicy();
  auto signed_xml = SignXml(xml, TestKey(key), options);
  EXPECT_TRUE(signed_xml) << signed_xml.error().ToString();
  return signed_xml ? *signed_xml : "";
}

inline VerifyReport Verify(const std::string& xml) {
  VerifyOptions options;
  options.trust = &TestTrust();
  auto report = VerifyXml(xml, options);
  EXPECT_TRUE(report) << report.error().ToString();
  return report ? *report : VerifyReport{};
}

// The failure rules of every signature, "rule rule | rule" (signatures separated by " | ").
inline std::string Rules(const VerifyReport& report) {
  std::string s;
  for (const auto& f : report.document_failures) s += (s.empty() ? "" : " ") + f.rule;
  for (size_t i = 0; i < report.signatures.size(); ++i) {
    if (i > 0) s += " |";
    for (const auto& f : report.signatures[i].failures) s += (s.empty() ? "" : " ") + f.rule;
  }
  return s;
}

inline std::string Messages(const VerifyReport& report) {
  std::string s;
  for (const auto& sig : report.signatures) {
    for (const auto& f : sig.failures) s += f.rule + ": " + f.message + "\n";
  }
  return s;
}

}  // namespace gw::certs::testing
