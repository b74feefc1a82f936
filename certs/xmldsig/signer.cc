#include "certs/xmldsig/signer.h"

#include <openssl/err.h>
#include <libxml/uri.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <cstring>

#include "certs/keys/certificate.h"
#include "certs/xmldsig/text_signer.h"
#include "certs/xmldsig/xades.h"
#include "certs/xmldsig/xmlsec_library.h"

namespace gw::certs {
namespace {

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
const xmlChar* X(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};
using DSigCtxPtr = std::unique_ptr<xmlSecDSigCtx, DSigCtxFree>;

xmlNs* EnsureNs(xmlNode* node, const char* href, const char* prefix) {
  if (xmlNs* ns = xmlSearchNsByHref(node->doc, node, X(href))) return ns;
  return xmlNewNs(node, X(href), X(prefix));
}

// Where the signature goes: see SignXml in signer.h.
xmlNode* SignatureParent(xmlDoc* doc) {
  xmlNode* root = xmlDocGetRootElement(doc);
  const bool ubl = root->ns != nullptr &&
                   std::strncmp(reinterpret_cast<const char*>(root->ns->href), kUblNsPrefix, std::strlen(kUblNsPrefix)) == 0;
  if (!ubl) return root;
  xmlNode* extensions = FirstChildElement(root, kUblExtNs, "UBLExtensions");
  if (extensions == nullptr) {
    // UBL 2.1: ext:UBLExtensions is the first child of the document element.
    extensions = xmlNewNode(nullptr, X("UBLExtensions"));
    xmlNode* first = root->children;
    while (first != nullptr && first->type != XML_ELEMENT_NODE) first = first->next;
    if (first != nullptr) {
      xmlAddPrevSibling(first, extensions);
    } else {
      xmlAddChild(root, extensions);
    }
    xmlSetNs(extensions, EnsureNs(extensions, kUblExtNs, "ext"));
  }
  xmlNs* ext = EnsureNs(extensions, kUblExtNs, "ext");
  xmlNode* extension = xmlNewChild(extensions, ext, X("UBLExtension"), nullptr);
  xmlNode* content = xmlNewChild(extension, ext, X("ExtensionContent"), nullptr);
  xmlNode* signatures = xmlNewChild(content, nullptr, X("UBLDocumentSignatures"), nullptr);
  xmlSetNs(signatures, EnsureNs(signatures, kUblSigNs, "sig"));
  xmlNode* info = xmlNewChild(signatures, nullptr, X("SignatureInformation"), nullptr);
  xmlSetNs(info, EnsureNs(info, kUblSacNs, "sac"));
  return info;
}

// Canonical XML cannot render a relative namespace URI (C14N 1.0 section 2.3): refused up front
// with the prefix and URI, rather than as a failure inside xmlsec.
Status CheckNamespaceUris(xmlNode* node) {
  for (; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    for (xmlNs* ns = node->nsDef; ns != nullptr; ns = ns->next) {
      const char* href = reinterpret_cast<const char*>(ns->href);
      if (href == nullptr || *href == '\0') continue;
      xmlURIPtr uri = xmlParseURI(href);
      const bool absolute = uri != nullptr && uri->scheme != nullptr;
      xmlFreeURI(uri);
      if (!absolute) {
        const std::string prefix = ns->prefix != nullptr ? "xmlns:" + std::string(reinterpret_cast<const char*>(ns->prefix)) : "xmlns";
        return Error::InvalidArgument("the document declares " + prefix + "=\"" + href + "\" (line " +
                                      std::to_string(xmlGetLineNo(node)) +
                                      "), a relative namespace URI, which canonical XML cannot sign");
      }
    }
    GW_RETURN_IF_ERROR(CheckNamespaceUris(node->children));
  }
  return OkStatus();
}

}  // namespace

const char* SignProfileName(SignProfile profile) {
  switch (profile) {
    case SignProfile::kXmlDsig: return "xmldsig";
    case SignProfile::kXadesBes: return "xades-bes";
    case SignProfile::kXadesEpes: return "xades-epes";
  }
  return "xmldsig";
}

Result<SignProfile> ParseSignProfile(std::string_view name) {
  if (name == "xmldsig") return SignProfile::kXmlDsig;
  if (name == "xades-bes") return SignProfile::kXadesBes;
  if (name == "xades-epes") return SignProfile::kXadesEpes;
  return Error::InvalidArgument("unknown signature profile '" + std::string(name) +
                                "' (xmldsig, xades-bes, xades-epes)");
}

Result<std::string> SignXml(std::string_view xml, const SigningKey& key, const SignOptions& options) {
  GW_RETURN_IF_ERROR(CheckSignOptions(options));
  if (!options.use_xmlsec) {
    if (auto signed_xml = SignXmlText(xml, key, options)) return std::move(*signed_xml);
  }
  InitializeXmlsec();
  auto parsed = ParseUntrustedXml(xml);
  if (!parsed) return std::move(parsed).error();
  xmlDoc* doc = parsed->get();
  GW_RETURN_IF_ERROR(CheckNamespaceUris(xmlDocGetRootElement(doc)));
  const bool xades = options.profile != SignProfile::kXmlDsig;
  const std::string signature_id = xades ? NewSignatureId() : "";

  xmlNode* sig = xmlSecTmplSignatureCreateNsPref(
      doc, xmlSecTransformExclC14NId, key.is_rsa() ? xmlSecTransformRsaSha256Id : xmlSecTransformEcdsaSha256Id,
      xades ? X(signature_id) : nullptr, X("ds"));
  if (sig == nullptr) return Error::Internal("cannot create the signature template: " + TakeXmlsecErrors());
  xmlAddChild(SignatureParent(doc), sig);

  // The whole document, without this signature (XMLDSig 6.6.4 enveloped-signature transform).
  xmlNode* ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, nullptr, X(""), nullptr);
  if (ref == nullptr || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) == nullptr ||
      xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == nullptr) {
    return Error::Internal("cannot create the document reference: " + TakeXmlsecErrors());
  }

  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, nullptr);
  xmlNode* x509 = key_info != nullptr ? xmlSecTmplKeyInfoAddX509Data(key_info) : nullptr;
  if (x509 == nullptr) return Error::Internal("cannot create ds:X509Data: " + TakeXmlsecErrors());
  xmlNs* ds = xmlSearchNsByHref(doc, sig, X(kDsigNs));
  xmlNewTextChild(x509, ds, X("X509Certificate"), X(CertificateBase64(key.certificate())));
  for (const auto& c : key.chain()) xmlNewTextChild(x509, ds, X("X509Certificate"), X(CertificateBase64(c.get())));

  if (xades) {
    const std::string sp_id = signature_id + "-SignedProperties";
    xmlNode* sp_ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, nullptr, X("#" + sp_id),
                                                      X(kXadesSignedPropertiesType));
    if (sp_ref == nullptr || xmlSecTmplReferenceAddTransform(sp_ref, xmlSecTransformExclC14NId) == nullptr) {
      return Error::Internal("cannot create the SignedProperties reference: " + TakeXmlsecErrors());
    }
    xmlNode* object = xmlSecTmplSignatureAddObject(sig, nullptr, nullptr, nullptr);
    if (object == nullptr) return Error::Internal("cannot create ds:Object: " + TakeXmlsecErrors());
    const std::time_t now = options.signing_time != 0 ? options.signing_time : std::time(nullptr);
    GW_RETURN_IF_ERROR(AddQualifyingProperties(object, signature_id, sp_id, key.certificate(), options, now));
  }

  DSigCtxPtr ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return Error::Internal("cannot create the xmlsec context: " + TakeXmlsecErrors());
  ctx->enabledReferenceUris = static_cast<xmlSecTransformUriType>(xmlSecTransformUriTypeEmpty |
                                                                  xmlSecTransformUriTypeSameDocument);
  ctx->signKey = xmlSecKeyCreate();
  EVP_PKEY_up_ref(key.key());
  xmlSecKeyDataPtr value = xmlSecOpenSSLEvpKeyAdopt(key.key());
  if (ctx->signKey == nullptr || value == nullptr || xmlSecKeySetValue(ctx->signKey, value) < 0) {
    if (value != nullptr) xmlSecKeyDataDestroy(value);
    return Error::Internal("cannot hand the key to xmlsec: " + TakeXmlsecErrors());
  }
  if (xmlSecDSigCtxSign(ctx.get(), sig) < 0) {
    return Error::Internal("xmlsec could not sign: " + TakeXmlsecErrors());
  }
  return SerializeXml(doc);
}

}  // namespace gw::certs
