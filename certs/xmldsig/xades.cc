#include "certs/xmldsig/xades.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "certs/keys/certificate.h"
#include "formats/core/date_time.h"
#include "certs/xmldsig/xmlsec_library.h"

namespace gw::certs {
namespace {

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
const xmlChar* X(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

Finding Fail(const char* rule, std::string message) {
  return Finding{rule, Finding::Severity::kFatal, "", std::move(message)};
}

}  // namespace

const char* PolicyDigestUri(const std::string& alg) {
  if (alg == "sha256") return "http://www.w3.org/2001/04/xmlenc#sha256";
  if (alg == "sha384") return "http://www.w3.org/2001/04/xmldsig-more#sha384";
  if (alg == "sha512") return "http://www.w3.org/2001/04/xmlenc#sha512";
  return nullptr;
}

std::string NewSignatureId() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) ERR_clear_error();
  static const char* kHex = "0123456789abcdef";
  std::string id = "Signature-";
  for (unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 15]);
  }
  return id;
}

Status CheckSignOptions(const SignOptions& options) {
  if (options.profile != SignProfile::kXadesEpes) return OkStatus();
  if (options.policy.id.empty() || options.policy.hash_base64.empty()) {
    return Error::InvalidArgument("XAdES-EPES needs the signature policy: --policy-id URI and --policy-hash B64");
  }
  if (PolicyDigestUri(options.policy.hash_algorithm) == nullptr) {
    return Error::InvalidArgument("the policy hash algorithm '" + options.policy.hash_algorithm +
                                  "' is not one of sha256, sha384, sha512");
  }
  auto raw = DecodeBase64(options.policy.hash_base64);
  if (!raw || raw->empty()) return Error::InvalidArgument("the policy hash is not base64");
  return OkStatus();
}

const EVP_MD* DigestForUri(const std::string& uri, bool& weak) {
  weak = false;
  if (uri == "http://www.w3.org/2001/04/xmlenc#sha256") return EVP_sha256();
  if (uri == "http://www.w3.org/2001/04/xmldsig-more#sha384") return EVP_sha384();
  if (uri == "http://www.w3.org/2001/04/xmlenc#sha512") return EVP_sha512();
  if (uri == "http://www.w3.org/2000/09/xmldsig#sha1") {
    weak = true;
    return EVP_sha1();
  }
  if (uri == "http://www.w3.org/2001/04/xmldsig-more#md5") {
    weak = true;
    return EVP_md5();
  }
  return nullptr;
}

Status AddQualifyingProperties(xmlNode* object, const std::string& signature_id,
                               const std::string& signed_properties_id, X509* cert,
                               const SignOptions& options, std::time_t signing_time) {
  GW_RETURN_IF_ERROR(CheckSignOptions(options));
  const bool epes = options.profile == SignProfile::kXadesEpes;
  xmlNs* ds = xmlSearchNsByHref(object->doc, object, X(kDsigNs));
  xmlNode* qp = xmlNewChild(object, nullptr, X("QualifyingProperties"), nullptr);
  xmlNs* xades = xmlNewNs(qp, X(kXadesNs), X("xades"));
  xmlSetNs(qp, xades);
  xmlNewProp(qp, X("Target"), X("#" + signature_id));
  xmlNode* sp = xmlNewChild(qp, xades, X("SignedProperties"), nullptr);
  xmlNewProp(sp, X("Id"), X(signed_properties_id));
  xmlNode* ssp = xmlNewChild(sp, xades, X("SignedSignatureProperties"), nullptr);
  xmlNewTextChild(ssp, xades, X("SigningTime"), X(FormatUtc(signing_time)));

  // SigningCertificate (XAdES 1.3.2) rather than V2: it is what Facturae and FatturaPA expect,
  // and the verifier accepts either.
  xmlNode* sc = xmlNewChild(ssp, xades, X("SigningCertificate"), nullptr);
  xmlNode* c = xmlNewChild(sc, xades, X("Cert"), nullptr);
  xmlNode* digest = xmlNewChild(c, xades, X("CertDigest"), nullptr);
  xmlNode* dm = xmlNewChild(digest, ds, X("DigestMethod"), nullptr);
  xmlNewProp(dm, X("Algorithm"), X("http://www.w3.org/2001/04/xmlenc#sha256"));
  xmlNewTextChild(digest, ds, X("DigestValue"), X(CertificateDigestBase64(cert, EVP_sha256())));
  xmlNode* is = xmlNewChild(c, xades, X("IssuerSerial"), nullptr);
  CertificateInfo info = DescribeCertificate(cert);
  xmlNewTextChild(is, ds, X("X509IssuerName"), X(info.issuer));
  xmlNewTextChild(is, ds, X("X509SerialNumber"), X(SerialDecimal(cert)));

  if (epes) {
    xmlNode* spi = xmlNewChild(ssp, xades, X("SignaturePolicyIdentifier"), nullptr);
    xmlNode* spid = xmlNewChild(spi, xades, X("SignaturePolicyId"), nullptr);
    xmlNode* id = xmlNewChild(spid, xades, X("SigPolicyId"), nullptr);
    xmlNewTextChild(id, xades, X("Identifier"), X(options.policy.id));
    xmlNode* hash = xmlNewChild(spid, xades, X("SigPolicyHash"), nullptr);
    xmlNode* hm = xmlNewChild(hash, ds, X("DigestMethod"), nullptr);
    xmlNewProp(hm, X("Algorithm"), X(PolicyDigestUri(options.policy.hash_algorithm)));
    xmlNewTextChild(hash, ds, X("DigestValue"), X(options.policy.hash_base64));
  }
  return OkStatus();
}

bool ParseDateTime(const std::string& text, std::time_t& out) {
  int64_t ms = 0;
  if (!gw::ParseDateTime(text, ms)) return false;
  out = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  return true;
}

XadesProperties ReadXadesProperties(xmlNode* signature, X509* cert, std::time_t now) {
  XadesProperties p;
  xmlNode* qp = nullptr;
  for (xmlNode* obj = signature->children; obj != nullptr; obj = obj->next) {
    if (!IsElement(obj, kDsigNs, "Object")) continue;
    if (xmlNode* q = FirstChildElement(obj, kXadesNs, "QualifyingProperties")) {
      if (qp != nullptr) {
        p.failures.push_back(Fail("xades.signed-properties", "more than one xades:QualifyingProperties"));
        break;
      }
      qp = q;
    }
  }
  if (qp == nullptr) return p;
  p.present = true;
  const std::string sig_id = AttributeValue(signature, "Id");
  if (sig_id.empty() || AttributeValue(qp, "Target") != "#" + sig_id) {
    p.failures.push_back(Fail("xades.signed-properties",
                              "xades:QualifyingProperties/@Target is '" + AttributeValue(qp, "Target") +
                                  "', not the Id of its ds:Signature ('#" + sig_id + "')"));
  }
  p.signed_properties = FirstChildElement(qp, kXadesNs, "SignedProperties");
  xmlNode* ssp = FirstChildElement(p.signed_properties, kXadesNs, "SignedSignatureProperties");
  if (ssp == nullptr) {
    p.failures.push_back(Fail("xades.signed-properties", "xades:SignedProperties/SignedSignatureProperties is missing"));
    return p;
  }
  if (xmlNode* st = FirstChildElement(ssp, kXadesNs, "SigningTime")) {
    p.signing_time_text = NodeText(st);
    if (!ParseDateTime(p.signing_time_text, p.signing_time)) {
      p.signing_time = 0;
      p.failures.push_back(Fail("xades.signing-time", "xades:SigningTime '" + p.signing_time_text +
                                                          "' is not a date and time with a time zone"));
    } else if (p.signing_time > now + 300) {
      p.failures.push_back(Fail("xades.signing-time", "xades:SigningTime " + p.signing_time_text +
                                                          " is in the future (now " + FormatUtc(now) + ")"));
    }
  }

  // SigningCertificate (1.3.2) or SigningCertificateV2 (EN 319 132-1): one Cert must carry the
  // digest of the certificate that verifies the signature.
  xmlNode* sc = FirstChildElement(ssp, kXadesNs, "SigningCertificateV2");
  if (sc == nullptr) sc = FirstChildElement(ssp, kXadesNs, "SigningCertificate");
  if (sc == nullptr) {
    p.failures.push_back(Fail("xades.signing-certificate", "xades:SigningCertificate(V2) is missing"));
  } else if (cert != nullptr) {
    bool matched = false;
    for (xmlNode* c = sc->children; c != nullptr && !matched; c = c->next) {
      if (!IsElement(c, kXadesNs, "Cert")) continue;
      xmlNode* digest = FirstChildElement(c, kXadesNs, "CertDigest");
      xmlNode* dm = FirstChildElement(digest, kDsigNs, "DigestMethod");
      xmlNode* dv = FirstChildElement(digest, kDsigNs, "DigestValue");
      if (dm == nullptr || dv == nullptr) continue;
      bool weak = false;
      const std::string alg = AttributeValue(dm, "Algorithm");
      const EVP_MD* md = DigestForUri(alg, weak);
      if (md == nullptr || weak) {
        p.failures.push_back(Fail("algorithm.weak", "the signing certificate digest uses " + alg +
                                                        ", which the policy does not accept (SHA-256 or better)"));
        matched = true;  // reported; do not add a second finding
        break;
      }
      std::string given = NodeText(dv);
      given.erase(std::remove_if(given.begin(), given.end(), [](char ch) { return std::isspace(static_cast<unsigned char>(ch)); }),
                  given.end());
      if (given == CertificateDigestBase64(cert, md)) matched = true;
    }
    if (!matched) {
      p.failures.push_back(Fail("xades.signing-certificate",
                                "no xades:Cert digest matches the certificate that verifies the signature (" +
                                    DescribeCertificate(cert).subject + ")"));
    }
  }

  if (xmlNode* spi = FirstChildElement(ssp, kXadesNs, "SignaturePolicyIdentifier")) {
    p.epes = true;
    xmlNode* spid = FirstChildElement(spi, kXadesNs, "SignaturePolicyId");
    xmlNode* id = FirstChildElement(FirstChildElement(spid, kXadesNs, "SigPolicyId"), kXadesNs, "Identifier");
    xmlNode* hash = FirstChildElement(spid, kXadesNs, "SigPolicyHash");
    xmlNode* hm = FirstChildElement(hash, kDsigNs, "DigestMethod");
    p.policy_id = NodeText(id);
    bool weak = false;
    if (spid == nullptr || p.policy_id.empty() || hm == nullptr || FirstChildElement(hash, kDsigNs, "DigestValue") == nullptr) {
      p.failures.push_back(Fail("xades.policy", "the signature policy identifier lacks SigPolicyId/Identifier or SigPolicyHash"));
    } else if (DigestForUri(AttributeValue(hm, "Algorithm"), weak) == nullptr || weak) {
      p.failures.push_back(Fail("algorithm.weak", "the signature policy hash uses " + AttributeValue(hm, "Algorithm") +
                                                      ", which the policy does not accept (SHA-256 or better)"));
    }
  }
  return p;
}

}  // namespace gw::certs
