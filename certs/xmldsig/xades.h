// XAdES (ETSI EN 319 132-1, namespace v1.3.2) qualifying properties: built for signing, read and
// checked for verification. Free functions over libxml2 trees; thread-safe for distinct trees.
#pragma once

#include <libxml/tree.h>
#include <openssl/x509.h>

#include <ctime>
#include <string>
#include <vector>

#include "certs/xmldsig/signer.h"
#include "formats/core/result.h"

namespace gw::certs {

// "Signature-" and 16 random hex digits: the Id of a XAdES ds:Signature.
std::string NewSignatureId();

// kInvalidArgument when EPES lacks its policy or the policy hash is not base64 with a known
// algorithm; OK for the other profiles.
Status CheckSignOptions(const SignOptions& options);
// The DigestMethod URI of "sha256", "sha384", "sha512"; nullptr for anything else.
const char* PolicyDigestUri(const std::string& alg);

// Appends xades:QualifyingProperties (Target="#signature_id") to `object` with SignedProperties
// Id=`signed_properties_id`: SigningTime, SigningCertificate (SHA-256 CertDigest, IssuerSerial)
// and, for EPES, SignaturePolicyIdentifier. kInvalidArgument when EPES lacks its policy.
Status AddQualifyingProperties(xmlNode* object, const std::string& signature_id,
                               const std::string& signed_properties_id, X509* cert,
                               const SignOptions& options, std::time_t signing_time);

// What a signature's qualifying properties say, and what is wrong with them.
struct XadesProperties {
  bool present = false;        // a ds:Object/xades:QualifyingProperties exists
  bool epes = false;           // SignaturePolicyIdentifier present
  xmlNode* signed_properties = nullptr;
  std::string signing_time_text;
  std::time_t signing_time = 0;  // 0 when absent or unreadable
  std::string policy_id;
  std::vector<Finding> failures;  // rules xades.*, algorithm.weak
};

// Reads the qualifying properties of `signature` and checks them against the signer
// certificate `cert` (may be null when none was found) and `now` (SigningTime must not be later
// than now plus five minutes).
XadesProperties ReadXadesProperties(xmlNode* signature, X509* cert, std::time_t now);

// RFC 3339 / xsd:dateTime with a time zone ("2026-11-27T10:00:00Z", "...+02:00", fractions
// allowed) to seconds since the epoch; false when malformed or without a zone.
bool ParseDateTime(const std::string& text, std::time_t& out);

// The OpenSSL digest for an XMLDSig DigestMethod URI, and whether it is allowed by policy
// (SHA-256/384/512) or weak (SHA-1, MD5). Unknown: nullptr.
const EVP_MD* DigestForUri(const std::string& uri, bool& weak);

}  // namespace gw::certs
