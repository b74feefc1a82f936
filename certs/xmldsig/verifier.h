// Verifies the XML signatures of an untrusted document (XMLDSig, XAdES-BES/EPES) under a strict
// policy: only same-document references, the document root covered, no wrapping, no weak
// algorithms, a trusted and valid signer certificate. Stateless; VerifyXml may run on several
// threads at once (a TrustStore is read-only).
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "certs/keys/trust_store.h"
#include "formats/core/result.h"

namespace gw::certs {

struct VerifyOptions {
  const TrustStore* trust = nullptr;  // null or empty: every certificate is untrusted
  std::time_t now = 0;                // 0: the current time
};

// The verdict on one ds:Signature.
struct SignatureReport {
  std::string location;      // XPath of the ds:Signature
  std::string profile;       // "xmldsig", "xades-bes" or "xades-epes"
  std::string signer;        // subject of the signer certificate, "" when none was found
  std::string signing_time;  // xades:SigningTime as written, "" when absent
  std::string policy_id;     // XAdES-EPES policy identifier
  // Every failed check (rule, location, message); empty when the signature is valid. Rules:
  // signature.placement, signature.unsigned-object, signature.structure, reference.uri,
  // reference.duplicate-id, reference.not-found, reference.not-root, reference.transform,
  // algorithm.weak, algorithm.unsupported, cert.missing, cert.key, cert.untrusted,
  // cert.expired, xades.signed-properties, xades.signing-certificate, xades.signing-time,
  // xades.policy, signature.digest (signed content changed), signature.value, signature.invalid.
  std::vector<Finding> failures;
  bool valid() const { return failures.empty(); }
};

struct VerifyReport {
  std::vector<SignatureReport> signatures;  // in document order
  std::vector<Finding> document_failures;   // signature.missing
  // True when the document has at least one signature and every signature is valid.
  bool valid() const {
    if (!document_failures.empty() || signatures.empty()) return false;
    for (const auto& s : signatures) {
      if (!s.valid()) return false;
    }
    return true;
  }
};

// Parses `xml` hardened (ParseUntrustedXml) and checks every ds:Signature in it; each is
// reported, with every check it fails. Errors: kInvalidArgument when the document cannot be
// parsed (findings xml.syntax / xml.doctype / xml.limit), kInternal when xmlsec cannot be used.
// A document that parses always yields a report, valid or not.
Result<VerifyReport> VerifyXml(std::string_view xml, const VerifyOptions& options);

// The document without its signatures, for checking the business content a verified signature
// covers: every ds:Signature element removed, and in UBL the ext:UBLExtension that held it
// (ext:UBLExtensions too when nothing else is left), so the rules see the document as it was
// before it was signed. Parsed hardened (ParseUntrustedXml); errors as VerifyXml's parse errors.
Result<std::string> WithoutSignatures(std::string_view xml);

}  // namespace gw::certs
