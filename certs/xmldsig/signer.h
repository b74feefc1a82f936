// Signs XML documents: enveloped XMLDSig, XAdES-BES and XAdES-EPES. Stateless;
// SignXml may run on several threads at once with the same SigningKey.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "certs/keys/key_store.h"
#include "formats/core/result.h"

namespace gw::certs {

enum class SignProfile { kXmlDsig, kXadesBes, kXadesEpes };

// "xmldsig", "xades-bes", "xades-epes".
const char* SignProfileName(SignProfile profile);
// kInvalidArgument naming the known profiles.
Result<SignProfile> ParseSignProfile(std::string_view name);

// The signature policy of XAdES-EPES (xades:SignaturePolicyId).
struct SignaturePolicy {
  std::string id;              // xades:SigPolicyId/xades:Identifier, a URI or OID URN
  std::string hash_base64;     // the digest of the policy document
  std::string hash_algorithm = "sha256";  // sha256, sha384 or sha512
};

struct SignOptions {
  SignProfile profile = SignProfile::kXmlDsig;
  SignaturePolicy policy;       // EPES only; required there
  std::time_t signing_time = 0;  // xades:SigningTime; 0 means now
  // Sign through xmlsec's tree even when the streaming signer (text_signer.h) could: the
  // reference the tests and the benchmark compare it with.
  bool use_xmlsec = false;
};

// Returns `xml` with an enveloped signature, made by the streaming signer (text_signer.h) for
// plain UTF-8 documents, which keeps the document's bytes, else by xmlsec1 on a libxml2 tree,
// which writes the document out again. Both give the same structure: ds:Reference URI="" with the enveloped-signature
// and exclusive c14n transforms, SHA-256 digests, RSA-SHA256 or ECDSA-SHA256 by key type,
// ds:KeyInfo/ds:X509Data with the signer certificate and chain. XAdES adds ds:Object/
// xades:QualifyingProperties with SignedProperties (SigningTime, SigningCertificate with a
// SHA-256 CertDigest and IssuerSerial, for EPES the SignaturePolicyIdentifier), covered by a
// second Reference of Type http://uri.etsi.org/01903#SignedProperties.
// Placement: in a UBL document, ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/
// sig:UBLDocumentSignatures/sac:SignatureInformation/ds:Signature (the UBL 2.1 signature
// extension; ext:UBLExtensions is created as the root's first child when missing); in any
// other document, the last child of the root (Facturae, FatturaPA).
// Errors: kInvalidArgument (input not well-formed or with a DOCTYPE, EPES without policy, bad
// policy hash), kInternal (xmlsec failure, with its message).
Result<std::string> SignXml(std::string_view xml, const SigningKey& key, const SignOptions& options);

}  // namespace gw::certs
