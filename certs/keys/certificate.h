// X.509 certificates and public keys as the key store and the verifier see them: loading from
// PEM or DER, the key policy (RSA 2048+, ECDSA P-256), and a printable description with expiry.
// Free functions; thread-safe for distinct arguments.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "certs/keys/openssl_ptr.h"
#include "formats/core/result.h"

namespace gw::certs {

// Every certificate in `bytes`: one or more PEM "CERTIFICATE" blocks, or one DER certificate.
// kInvalidArgument when there is none or one is malformed.
Result<std::vector<X509Ptr>> ParseCertificates(std::string_view bytes);
// The same from a file; kNotFound when it cannot be read.
Result<std::vector<X509Ptr>> LoadCertificates(const std::string& path);

// Reads a whole file (at most 16 MiB); kNotFound when it cannot be read.
Result<std::string> ReadSmallFile(const std::string& path);

// "RSA-2048", "ECDSA P-256", "ECDSA secp384r1", "Ed25519", ...
std::string DescribeKey(const EVP_PKEY* key);

// OK for RSA with at least 2048 bits and ECDSA on P-256 (the signing profiles' key types);
// kInvalidArgument naming the key type otherwise.
Status CheckKeyPolicy(const EVP_PKEY* key);

// A certificate as `eigw certs list` prints it.
struct CertificateInfo {
  std::string subject;       // RFC 2253 ("CN=Test Signer RSA,O=eigw test,C=EE")
  std::string issuer;
  std::string serial;        // hexadecimal
  std::string key;           // DescribeKey
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  bool self_signed = false;
  bool is_ca = false;
  // Whole days from `now` to not_after, rounded down; negative once expired.
  long DaysLeft(std::time_t now) const { return static_cast<long>((not_after - now) / 86400); }
};
CertificateInfo DescribeCertificate(X509* cert);

// "2026-12-07T16:13:57Z"
std::string FormatUtc(std::time_t t);

// The base64 of the DER encoding (the content of ds:X509Certificate).
std::string CertificateBase64(X509* cert);
// The digest of the DER encoding in base64 (xades:CertDigest); "" on failure.
std::string CertificateDigestBase64(X509* cert, const EVP_MD* md);
// The serial number in decimal (xades:X509SerialNumber).
std::string SerialDecimal(X509* cert);
// base64 (whitespace ignored) to bytes; kInvalidArgument when malformed.
Result<std::string> DecodeBase64(std::string_view text);
std::string EncodeBase64(std::string_view bytes);
// The SHA-256 of `data` as 64 lower-case hex digits.
std::string Sha256Hex(std::string_view data);

// SHA-256 over data given in pieces (a file read in chunks, a download).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view data);
  std::string HexDigest();  // once, at the end

 private:
  void* ctx_;  // EVP_MD_CTX
};

}  // namespace gw::certs
