// The signing key store: a private key with its certificate and chain, loaded from PEM or
// PKCS#12 files, with the password read from a file or an environment variable. A loaded
// SigningKey is immutable and may be used by several threads at once for signing.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certs/keys/openssl_ptr.h"
#include "formats/core/result.h"

namespace gw::certs {

// A password. Never printed: no operator<<, no ToString, wiped on destruction; error messages
// about it name where it came from, never its value.
class Secret {
 public:
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }
  Secret& operator=(Secret&& other) noexcept;
  ~Secret() { Wipe(); }
  const std::string& reveal() const { return value_; }

 private:
  void Wipe();
  std::string value_;
};

// Where a password comes from: a file (its first line) or an environment variable. Both empty:
// no password.
struct PasswordSource {
  std::string file;
  std::string env_var;
};

// The password, std::nullopt when the source names none. kNotFound when the file cannot be read
// or the variable is not set; kInvalidArgument when both are given.
Result<std::optional<Secret>> ReadPassword(const PasswordSource& source);

// What to load. `key_path` is a PEM private key (plain or encrypted PKCS#8 / traditional) or a
// PKCS#12 file (.p12/.pfx, or any file that is not PEM). `cert_path` is the signer certificate
// (PEM or DER), optional for PKCS#12, which carries its own. `chain_path` adds intermediate or
// CA certificates to send in ds:X509Data.
struct KeySource {
  std::string key_path;
  std::string cert_path;
  std::string chain_path;
  std::optional<Secret> password;
};

class SigningKey {
 public:
  // Loads and checks: the key type passes CheckKeyPolicy (RSA 2048+ or ECDSA P-256) and the
  // certificate's public key is the key's. Errors: kNotFound (unreadable file),
  // kInvalidArgument (malformed, wrong password, key and certificate do not match, weak key).
  static Result<SigningKey> Load(const KeySource& source);

  EVP_PKEY* key() const { return key_.get(); }
  X509* certificate() const { return cert_.get(); }
  // Further certificates for ds:X509Data (issuer first), without the signer certificate.
  const std::vector<X509Ptr>& chain() const { return chain_; }
  bool is_rsa() const;

  // The certificate as signatures carry it, computed once at load.
  struct CertificateText {
    std::vector<std::string> base64;  // ds:X509Certificate: the signer's, then the chain
    std::string sha256_base64;        // xades:CertDigest with SHA-256
    std::string issuer;               // xades:X509IssuerName (DescribeCertificate's issuer)
    std::string serial_decimal;       // xades:X509SerialNumber
  };
  const CertificateText& certificate_text() const { return *text_; }

  // The SHA-256 signature of `data` with this key: PKCS#1 v1.5 for RSA, DER for ECDSA. Signing
  // contexts are set up once and kept in a pool of the key, one signature at a time per context
  // (OpenSSL 3 looks the algorithms up again on every EVP_DigestSignInit). Thread-safe. False when OpenSSL fails.
  bool SignSha256(std::string_view data, std::string& signature) const;

 private:
  SigningKey() = default;
  EvpPkeyPtr key_;
  X509Ptr cert_;
  std::vector<X509Ptr> chain_;
  std::shared_ptr<const CertificateText> text_;
  class ContextPool;
  std::shared_ptr<ContextPool> contexts_;
};

}  // namespace gw::certs
