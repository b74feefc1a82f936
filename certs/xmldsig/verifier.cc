#include "certs/xmldsig/verifier.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

#include "certs/keys/certificate.h"
#include "certs/xmldsig/xades.h"
#include "certs/xmldsig/xmlsec_library.h"

namespace gw::certs {
namespace {

struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};
using DSigCtxPtr = std::unique_ptr<xmlSecDSigCtx, DSigCtxFree>;

const std::set<std::string> kC14nMethods = {
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
    "http://www.w3.org/2006/12/xml-c14n11",
    "http://www.w3.org/2006/12/xml-c14n11#WithComments",
};
constexpr const char* kEnveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const std::set<std::string> kSignatureMethods = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",   "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",   "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
};
const std::set<std::string> kWeakSignatureMethods = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",         "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
    "http://www.w3.org/2000/09/xmldsig#dsa-sha1",         "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#hmac-sha1",        "http://www.w3.org/2001/04/xmldsig-more#hmac-md5",
};

// Every element carrying an ID-like attribute (Id, ID, id in any namespace, xml:id), by value:
// a reference "#v" is accepted only when exactly one element has the value v.
using IdIndex = std::unordered_map<std::string, std::vector<xmlNode*>>;

void IndexIds(xmlNode* node, IdIndex& index) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
      const char* name = reinterpret_cast<const char*>(a->name);
      if (std::strcmp(name, "Id") == 0 || std::strcmp(name, "ID") == 0 || std::strcmp(name, "id") == 0) {
        xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
        if (v != nullptr) index[reinterpret_cast<char*>(v)].push_back(n);
        xmlFree(v);
      }
    }
    IndexIds(n->children, index);
  }
}

bool IsAncestorOrSelf(const xmlNode* ancestor, const xmlNode* node) {
  for (; node != nullptr; node = node->parent) {
    if (node == ancestor) return true;
  }
  return false;
}

// The places a signature may be: the UBL signature extension of a UBL document (with or without
// the sig:UBLDocumentSignatures/sac:SignatureInformation wrapper), else a child of the root.
bool PlacementAllowed(xmlNode* sig, xmlNode* root) {
  const bool ubl = root->ns != nullptr &&
                   std::strncmp(reinterpret_cast<const char*>(root->ns->href), kUblNsPrefix, std::strlen(kUblNsPrefix)) == 0;
  if (!ubl) return sig->parent == root;
  xmlNode* p = sig->parent;
  if (IsElement(p, kUblSacNs, "SignatureInformation") && IsElement(p->parent, kUblSigNs, "UBLDocumentSignatures")) {
    p = p->parent->parent;
  }
  return IsElement(p, kUblExtNs, "ExtensionContent") && IsElement(p->parent, kUblExtNs, "UBLExtension") &&
         IsElement(p->parent->parent, kUblExtNs, "UBLExtensions") && p->parent->parent->parent == root;
}

bool IsShortName(const std::string& id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (c == '(' || c == ')' || c == '/' || c == ' ' || c == '#') return false;
  }
  return true;
}

// Returns false when xmlsec refuses to enable one.
bool EnableTransforms(xmlSecDSigCtx* ctx, bool reference, std::initializer_list<xmlSecTransformId> ids) {
  for (xmlSecTransformId id : ids) {
    int rc = reference ? xmlSecDSigCtxEnableReferenceTransform(ctx, id) : xmlSecDSigCtxEnableSignatureTransform(ctx, id);
    if (rc < 0) return false;
  }
  return true;
}

class SignatureChecker {
 public:
  SignatureChecker(xmlDoc* doc, xmlNode* sig, const IdIndex& ids, const VerifyOptions& options, std::time_t now)
      : doc_(doc), sig_(sig), ids_(ids), options_(options), now_(now) {
    report_.location = NodePath(sig);
    report_.profile = "xmldsig";
  }

  SignatureReport Run() {
    xmlNode* root = xmlDocGetRootElement(doc_);
    if (!PlacementAllowed(sig_, root)) {
      Fail("signature.placement",
           std::string("the signature is not where the format puts it (") +
               (root->ns != nullptr && std::strncmp(reinterpret_cast<const char*>(root->ns->href), kUblNsPrefix,
                                                    std::strlen(kUblNsPrefix)) == 0
                    ? "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent of the root"
                    : "a child of the root") +
               "); a moved or nested signature is refused");
    }
    bool crypto_possible = CheckSignedInfo(root);
    CheckObjects();
    X509* leaf = CheckCertificate();
    std::time_t check_time = now_;
    XadesProperties xades = ReadXadesProperties(sig_, leaf, now_);
    if (xades.present) {
      report_.profile = xades.epes ? "xades-epes" : "xades-bes";
      report_.signing_time = xades.signing_time_text;
      report_.policy_id = xades.policy_id;
      for (auto& f : xades.failures) Fail(f.rule.c_str(), f.message);
      if (xades.signed_properties == nullptr) {
        Fail("xades.signed-properties", "xades:QualifyingProperties has no SignedProperties");
      } else if (!signed_properties_refs_.count(xades.signed_properties)) {
        Fail("xades.signed-properties", std::string("xades:SignedProperties is not covered by a Reference of Type ") +
                                            kXadesSignedPropertiesType);
      }
      if (xades.signing_time != 0) check_time = std::min(xades.signing_time, now_);
    }
    if (leaf != nullptr) {
      std::vector<X509*> others;
      for (auto& c : certs_) {
        if (c.get() != leaf) others.push_back(c.get());
      }
      static const TrustStore kEmpty;
      ChainVerdict v = (options_.trust != nullptr ? options_.trust : &kEmpty)->CheckChain(leaf, others, check_time);
      if (!v.ok) Fail(v.rule.c_str(), v.message);
      if (crypto_possible) CheckCrypto(leaf);
    }
    return std::move(report_);
  }

 private:
  void Fail(const char* rule, std::string message) {
    report_.failures.push_back(Finding{rule, Finding::Severity::kFatal, report_.location, std::move(message)});
  }

  // Returns whether the structure allows a cryptographic check (no reference or algorithm
  // failure).
  bool CheckSignedInfo(xmlNode* root) {
    xmlNode* signed_info = FirstChildElement(sig_, kDsigNs, "SignedInfo");
    if (signed_info == nullptr || FirstChildElement(sig_, kDsigNs, "SignatureValue") == nullptr) {
      Fail("signature.structure", "ds:SignedInfo or ds:SignatureValue is missing");
      return false;
    }
    bool ok = true;
    const std::string c14n = AttributeValue(FirstChildElement(signed_info, kDsigNs, "CanonicalizationMethod"), "Algorithm");
    if (!kC14nMethods.count(c14n)) {
      Fail("algorithm.unsupported", "canonicalization method '" + c14n + "' is not accepted");
      ok = false;
    }
    const std::string method = AttributeValue(FirstChildElement(signed_info, kDsigNs, "SignatureMethod"), "Algorithm");
    if (kWeakSignatureMethods.count(method)) {
      Fail("algorithm.weak", "signature method " + method + " is weak; the policy accepts RSA or ECDSA with SHA-256 or better");
      ok = false;
    } else if (!kSignatureMethods.count(method)) {
      Fail("algorithm.unsupported", "signature method '" + method + "' is not accepted");
      ok = false;
    }
    bool covers_root = false;
    int count = 0;
    for (xmlNode* ref = signed_info->children; ref != nullptr; ref = ref->next) {
      if (!IsElement(ref, kDsigNs, "Reference")) continue;
      ++count;
      ok = CheckReference(ref, root, covers_root) && ok;
    }
    if (count == 0) {
      Fail("signature.structure", "ds:SignedInfo has no ds:Reference");
      return false;
    }
    if (!covers_root) {
      Fail("reference.not-root",
           "no Reference covers the whole document (URI=\"\" or the root's Id, with the enveloped-signature "
           "transform): content outside the signed part could be forged");
      ok = false;
    }
    return ok;
  }

  bool CheckReference(xmlNode* ref, xmlNode* root, bool& covers_root) {
    bool ok = true;
    if (!HasAttribute(ref, "URI")) {
      Fail("reference.uri", "a ds:Reference has no URI; only same-document references (\"\" or #id) are accepted");
      return false;
    }
    const std::string uri = AttributeValue(ref, "URI");
    xmlNode* target = nullptr;
    if (uri.empty()) {
      target = root;
    } else if (uri[0] == '#' && IsShortName(uri.substr(1))) {
      auto it = ids_.find(uri.substr(1));
      if (it == ids_.end()) {
        Fail("reference.not-found", "Reference URI=\"" + uri + "\" points to no element");
        return false;
      }
      if (it->second.size() > 1) {
        Fail("reference.duplicate-id", "Reference URI=\"" + uri + "\" is ambiguous: " +
                                           std::to_string(it->second.size()) +
                                           " elements carry that Id (signature wrapping)");
        return false;
      }
      target = it->second[0];
    } else {
      Fail("reference.uri", "Reference URI=\"" + uri +
                                "\" is not a same-document reference; external and XPointer URIs are refused");
      return false;
    }
    bool enveloped = false;
    for (xmlNode* t = FirstChildElement(FirstChildElement(ref, kDsigNs, "Transforms"), kDsigNs, "Transform"); t != nullptr;
         t = t->next) {
      if (t->type != XML_ELEMENT_NODE) continue;
      const std::string alg = AttributeValue(t, "Algorithm");
      if (alg == kEnveloped) {
        enveloped = true;
      } else if (!kC14nMethods.count(alg)) {
        Fail("reference.transform", "Reference URI=\"" + uri + "\" uses the transform '" + alg +
                                        "'; only enveloped-signature and canonicalization are accepted");
        ok = false;
      }
    }
    bool weak = false;
    const std::string digest = AttributeValue(FirstChildElement(ref, kDsigNs, "DigestMethod"), "Algorithm");
    if (DigestForUri(digest, weak) == nullptr) {
      Fail("algorithm.unsupported", "Reference URI=\"" + uri + "\" uses the digest method '" + digest + "'");
      ok = false;
    } else if (weak) {
      Fail("algorithm.weak", "Reference URI=\"" + uri + "\" uses the weak digest " + digest +
                                 "; the policy accepts SHA-256 or better");
      ok = false;
    }
    if (target == root) {
      if (enveloped) covers_root = true;
    } else if (IsAncestorOrSelf(sig_, target)) {
      // Metadata of this signature (SignedProperties, KeyInfo): cannot carry document content.
      if (AttributeValue(ref, "Type") == kXadesSignedPropertiesType) signed_properties_refs_.insert(target);
    } else {
      Fail("reference.not-root", "Reference URI=\"" + uri + "\" points to " + NodePath(target) +
                                     ", which is neither the document root nor part of this signature "
                                     "(signature wrapping)");
      ok = false;
    }
    if (ok) reference_targets_.push_back(target);
    return ok;
  }

  // A ds:Object is accepted when it holds XAdES properties or is covered by a reference;
  // anything else is unsigned content a reader could mistake for the document.
  void CheckObjects() {
    for (xmlNode* obj = sig_->children; obj != nullptr; obj = obj->next) {
      if (!IsElement(obj, kDsigNs, "Object")) continue;
      if (FirstChildElement(obj, kXadesNs, "QualifyingProperties") != nullptr) continue;
      // URI="" covers the document minus this signature (enveloped), so not its objects.
      bool covered = std::any_of(reference_targets_.begin(), reference_targets_.end(), [&](xmlNode* t) {
        return IsAncestorOrSelf(obj, t) || (IsAncestorOrSelf(t, obj) && !IsAncestorOrSelf(t, sig_));
      });
      if (!covered) {
        Fail("signature.unsigned-object",
             "ds:Object at " + NodePath(obj) + " holds content no Reference signs (it could carry a forged document)");
      }
    }
  }

  X509* CheckCertificate() {
    xmlNode* x509 = FirstChildElement(FirstChildElement(sig_, kDsigNs, "KeyInfo"), kDsigNs, "X509Data");
    for (xmlNode* c = x509 != nullptr ? x509->children : nullptr; c != nullptr; c = c->next) {
      if (!IsElement(c, kDsigNs, "X509Certificate")) continue;
      auto der = DecodeBase64(NodeText(c));
      auto certs = der ? ParseCertificates(*der) : Result<std::vector<X509Ptr>>(der.error());
      if (!certs) {
        Fail("cert.missing", "a ds:X509Certificate cannot be read: " + certs.error().message());
        continue;
      }
      for (auto& cert : *certs) certs_.push_back(std::move(cert));
    }
    if (certs_.empty()) {
      Fail("cert.missing", "no ds:KeyInfo/ds:X509Data/ds:X509Certificate: the signer cannot be identified");
      return nullptr;
    }
    // The signer is the certificate that issued none of the others (the first one by default).
    X509* leaf = certs_[0].get();
    for (auto& c : certs_) {
      bool issues_other = false;
      for (auto& o : certs_) {
        if (o.get() != c.get() && X509_check_issued(c.get(), o.get()) == X509_V_OK) issues_other = true;
      }
      if (!issues_other) {
        leaf = c.get();
        break;
      }
    }
    ERR_clear_error();
    report_.signer = DescribeCertificate(leaf).subject;
    auto policy = CheckKeyPolicy(X509_get0_pubkey(leaf));
    if (!policy) Fail("cert.key", policy.error().message());
    return leaf;
  }

  void CheckCrypto(X509* leaf) {
    DSigCtxPtr ctx(xmlSecDSigCtxCreate(nullptr));
    if (!ctx) {
      Fail("signature.invalid", "cannot create the xmlsec context: " + TakeXmlsecErrors());
      return;
    }
    // Belt and braces behind the checks above: xmlsec itself refuses anything else.
    ctx->enabledReferenceUris = static_cast<xmlSecTransformUriType>(xmlSecTransformUriTypeEmpty |
                                                                    xmlSecTransformUriTypeSameDocument);
    const bool enabled =
        EnableTransforms(ctx.get(), /*reference=*/true,
                    {xmlSecTransformEnvelopedId, xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
                     xmlSecTransformInclC14NId, xmlSecTransformInclC14NWithCommentsId, xmlSecTransformInclC14N11Id,
                     xmlSecTransformInclC14N11WithCommentsId, xmlSecTransformSha256Id, xmlSecTransformSha384Id,
                     xmlSecTransformSha512Id}) &&
        EnableTransforms(ctx.get(), /*reference=*/false,
                    {xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId, xmlSecTransformInclC14NId,
                     xmlSecTransformInclC14NWithCommentsId, xmlSecTransformInclC14N11Id,
                     xmlSecTransformInclC14N11WithCommentsId, xmlSecTransformRsaSha256Id, xmlSecTransformRsaSha384Id,
                     xmlSecTransformRsaSha512Id, xmlSecTransformEcdsaSha256Id, xmlSecTransformEcdsaSha384Id,
                     xmlSecTransformEcdsaSha512Id});
    if (!enabled) {
      Fail("signature.invalid", "cannot restrict the xmlsec transforms: " + TakeXmlsecErrors());
      return;
    }
    // The key is the certificate's, checked above; xmlsec never reads ds:KeyInfo itself (so no
    // RetrievalMethod, no key name lookup).
    ctx->signKey = xmlSecKeyCreate();
    EVP_PKEY* pub = X509_get0_pubkey(leaf);
    EVP_PKEY_up_ref(pub);
    xmlSecKeyDataPtr value = xmlSecOpenSSLEvpKeyAdopt(pub);
    if (ctx->signKey == nullptr || value == nullptr || xmlSecKeySetValue(ctx->signKey, value) < 0) {
      if (value != nullptr) xmlSecKeyDataDestroy(value);
      Fail("signature.invalid", "cannot hand the certificate key to xmlsec: " + TakeXmlsecErrors());
      return;
    }
    TakeXmlsecErrors();
    if (xmlSecDSigCtxVerify(ctx.get(), sig_) < 0) {
      Fail("signature.invalid", "xmlsec cannot process the signature: " + TakeXmlsecErrors());
      return;
    }
    if (ctx->status == xmlSecDSigStatusSucceeded) return;
    for (xmlSecSize i = 0; i < xmlSecPtrListGetSize(&ctx->signedInfoReferences); ++i) {
      auto* r = static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
      if (r != nullptr && r->status != xmlSecDSigStatusSucceeded) {
        std::string uri = r->uri != nullptr ? reinterpret_cast<const char*>(r->uri) : "";
        Fail("signature.digest", "the content signed by Reference URI=\"" + uri +
                                     "\" was changed after signing (digest mismatch)");
        return;
      }
    }
    Fail("signature.value", "ds:SignatureValue does not verify with the key of " + report_.signer);
    TakeXmlsecErrors();
  }

  xmlDoc* doc_;
  xmlNode* sig_;
  const IdIndex& ids_;
  const VerifyOptions& options_;
  std::time_t now_;
  SignatureReport report_;
  std::vector<X509Ptr> certs_;
  std::set<xmlNode*> signed_properties_refs_;
  std::vector<xmlNode*> reference_targets_;
};

void FindSignatures(xmlNode* node, std::vector<xmlNode*>& out) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (IsElement(n, kDsigNs, "Signature")) out.push_back(n);
    FindSignatures(n->children, out);
  }
}

}  // namespace

Result<VerifyReport> VerifyXml(std::string_view xml, const VerifyOptions& options) {
  InitializeXmlsec();
  auto parsed = ParseUntrustedXml(xml);
  if (!parsed) return std::move(parsed).error();
  xmlDoc* doc = parsed->get();
  xmlNode* root = xmlDocGetRootElement(doc);
  const std::time_t now = options.now != 0 ? options.now : std::time(nullptr);

  IdIndex ids;
  IndexIds(root, ids);
  // xmlsec resolves "#v" through libxml2's ID table; register the attributes we counted (the
  // checker has made sure every referenced value is unique).
  static const xmlChar* kIdNames[] = {reinterpret_cast<const xmlChar*>("Id"), reinterpret_cast<const xmlChar*>("ID"),
                                      reinterpret_cast<const xmlChar*>("id"), nullptr};
  xmlSecAddIDs(doc, root, kIdNames);

  std::vector<xmlNode*> signatures;
  FindSignatures(root, signatures);
  VerifyReport report;
  if (signatures.empty()) {
    report.document_failures.push_back(
        Finding{"signature.missing", Finding::Severity::kFatal, "", "the document has no ds:Signature"});
  }
  for (xmlNode* sig : signatures) {
    report.signatures.push_back(SignatureChecker(doc, sig, ids, options, now).Run());
  }
  TakeXmlsecErrors();
  return report;
}

Result<std::string> WithoutSignatures(std::string_view xml) {
  InitializeXmlsec();
  auto parsed = ParseUntrustedXml(xml);
  if (!parsed) return parsed.error();
  xmlNode* root = xmlDocGetRootElement(parsed->get());
  std::vector<xmlNode*> signatures;
  // Depth-first, collecting first (the tree is not changed while it is walked).
  std::vector<xmlNode*> stack;
  if (root) stack.push_back(root);
  while (!stack.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    if (IsElement(n, kDsigNs, "Signature")) {
      signatures.push_back(n);
      continue;
    }
    for (xmlNode* c = n->children; c; c = c->next)
      if (c->type == XML_ELEMENT_NODE) stack.push_back(c);
  }
  std::vector<xmlNode*> removals;
  for (xmlNode* sig : signatures) {
    // The UBL signature extension around it goes too: ext:UBLExtension (and ext:UBLExtensions when
    // it was the only one).
    xmlNode* remove = sig;
    for (xmlNode* p = sig->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent) {
      if (IsElement(p, kUblExtNs, "UBLExtension")) {
        remove = p;
        xmlNode* exts = p->parent;
        bool only = true;
        for (xmlNode* c = exts ? exts->children : nullptr; c; c = c->next)
          if (c->type == XML_ELEMENT_NODE && c != p) only = false;
        if (exts && IsElement(exts, kUblExtNs, "UBLExtensions") && only) remove = exts;
        break;
      }
    }
    removals.push_back(remove);
  }
  // Each subtree once: not a node inside (or equal to) another one that goes.
  auto inside = [&](xmlNode* n, size_t self) {
    for (size_t j = 0; j < removals.size(); ++j) {
      if (j == self) continue;
      for (xmlNode* a = n; a; a = a->parent)
        if (a == removals[j] && (a != n || j < self)) return true;
    }
    return false;
  };
  std::vector<xmlNode*> unique;
  for (size_t i = 0; i < removals.size(); ++i)
    if (!inside(removals[i], i)) unique.push_back(removals[i]);
  std::vector<xmlNode*> containers;  // ext:UBLExtensions that lost extensions
  for (xmlNode* n : unique) {
    if (IsElement(n, kUblExtNs, "UBLExtension") && n->parent) containers.push_back(n->parent);
    xmlUnlinkNode(n);
    xmlFreeNode(n);
  }
  std::sort(containers.begin(), containers.end());
  containers.erase(std::unique(containers.begin(), containers.end()), containers.end());
  for (xmlNode* exts : containers) {
    bool empty = true;
    for (xmlNode* c = exts->children; c; c = c->next)
      if (c->type == XML_ELEMENT_NODE) empty = false;
    if (empty && IsElement(exts, kUblExtNs, "UBLExtensions")) {
      xmlUnlinkNode(exts);
      xmlFreeNode(exts);
    }
  }
  return SerializeXml(parsed->get());
}

}  // namespace gw::certs
