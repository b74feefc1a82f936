#include "certs/xmldsig/text_signer.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "certs/keys/certificate.h"
#include "certs/xmldsig/document_outline.h"
#include "certs/xmldsig/exc_c14n.h"
#include "certs/xmldsig/xades.h"
#include "certs/xmldsig/xmlsec_library.h"
#include "formats/xml/xml_writer.h"

namespace gw::certs {
namespace {

constexpr size_t npos = std::string_view::npos;
constexpr const char* kExcC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
constexpr const char* kSha256 = "http://www.w3.org/2001/04/xmlenc#sha256";

// The SHA-256 of the exclusive canonical form of `xml`, in base64; false when the canonicalizer
// refuses the text.
bool CanonicalDigest(std::string_view xml, std::string& digest_base64) {
  unsigned char md[32];
  if (!ExclusiveC14nSha256(xml, md)) return false;
  digest_base64 = EncodeBase64(std::string_view(reinterpret_cast<char*>(md), sizeof(md)));
  return true;
}

// The XMLDSig SignatureValue bytes of `data`: PKCS#1 v1.5 for RSA; for ECDSA the two integers
// r and s, each padded to the curve's size (XMLDSig 1.1 section 6.4.3), not OpenSSL's DER.
bool SignatureValue(const SigningKey& key, std::string_view data, std::string& value) {
  std::string sig;
  if (!key.SignSha256(data, sig)) return false;
  if (key.is_rsa()) {
    value = std::move(sig);
    return true;
  }
  const auto* der = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(sig.size()));
  if (ecdsa == nullptr) {
    ERR_clear_error();
    return false;
  }
  const int half = (EVP_PKEY_get_bits(key.key()) + 7) / 8;
  value.assign(static_cast<size_t>(2 * half), '\0');
  auto* out = reinterpret_cast<unsigned char*>(value.data());
  const bool ok = BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), out, half) == half &&
                  BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), out + half, half) == half;
  ECDSA_SIG_free(ecdsa);
  return ok;
}

// xades:SignedSignatureProperties, as signer.cc's AddQualifyingProperties builds it.
std::string SignedSignatureProperties(const SigningKey& key, const SignOptions& options, std::time_t now) {
  const SigningKey::CertificateText& cert = key.certificate_text();
  std::string s;
  s.reserve(1024);
  s += "<xades:SignedSignatureProperties><xades:SigningTime>";
  s += FormatUtc(now);
  s += "</xades:SigningTime><xades:SigningCertificate><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm=\"";
  s += kSha256;
  s += "\"></ds:DigestMethod><ds:DigestValue>";
  s += cert.sha256_base64;
  s += "</ds:DigestValue></xades:CertDigest><xades:IssuerSerial><ds:X509IssuerName>";
  formats::xml::XmlWriter::Escape(s, cert.issuer, false);
  s += "</ds:X509IssuerName><ds:X509SerialNumber>";
  s += cert.serial_decimal;
  s += "</ds:X509SerialNumber></xades:IssuerSerial></xades:Cert></xades:SigningCertificate>";
  if (options.profile == SignProfile::kXadesEpes) {
    s += "<xades:SignaturePolicyIdentifier><xades:SignaturePolicyId><xades:SigPolicyId><xades:Identifier>";
    formats::xml::XmlWriter::Escape(s, options.policy.id, false);
    s += "</xades:Identifier></xades:SigPolicyId><xades:SigPolicyHash><ds:DigestMethod Algorithm=\"";
    s += PolicyDigestUri(options.policy.hash_algorithm);
    s += "\"></ds:DigestMethod><ds:DigestValue>";
    formats::xml::XmlWriter::Escape(s, options.policy.hash_base64, false);
    s += "</ds:DigestValue></xades:SigPolicyHash></xades:SignaturePolicyId></xades:SignaturePolicyIdentifier>";
  }
  s += "</xades:SignedSignatureProperties>";
  return s;
}

void AppendReference(std::string& s, std::string_view uri, const char* type, bool enveloped, std::string_view digest) {
  s += "<ds:Reference ";
  if (type != nullptr) {
    s += "Type=\"";
    s += type;
    s += "\" ";
  }
  s += "URI=\"";
  s += uri;
  s += "\">\n<ds:Transforms>\n";
  if (enveloped) {
    s += "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>\n";
  }
  s += "<ds:Transform Algorithm=\"";
  s += kExcC14n;
  s += "\"></ds:Transform>\n</ds:Transforms>\n<ds:DigestMethod Algorithm=\"";
  s += kSha256;
  s += "\"></ds:DigestMethod>\n<ds:DigestValue>";
  s += digest;
  s += "</ds:DigestValue>\n</ds:Reference>\n";
}

// Where the signature goes and the elements around it (signer.h, SignXml): the offset in `xml`,
// and the text before and after the ds:Signature.
bool Placement(std::string_view xml, size_t& at, std::string& open, std::string& close) {
  DocumentOutline o;
  if (!OutlineDocument(xml, o)) return false;
  open.clear();
  close.clear();
  if (o.root_ns.substr(0, std::char_traits<char>::length(kUblNsPrefix)) != kUblNsPrefix) {
    at = o.root_end_tag;
    return true;
  }
  std::string_view first_local = o.first_child_qname.substr(o.first_child_qname.find(':') + 1);
  if (o.first_child != npos && o.first_child_ns == kUblExtNs && first_local == "UBLExtensions") {
    if (o.first_child_end_tag == npos) return false;  // <ext:UBLExtensions/>: leave it to the tree
    // A new ext:UBLExtension last in the existing ext:UBLExtensions, with its prefix.
    std::string_view prefix = o.first_child_qname.substr(0, o.first_child_qname.size() - first_local.size());
    at = o.first_child_end_tag;
    for (const char* name : {"UBLExtension", "ExtensionContent"}) {
      open += '<';
      open += prefix;
      open += name;
      open += '>';
    }
    close = "</" + std::string(prefix) + "ExtensionContent></" + std::string(prefix) + "UBLExtension>";
  } else {
    // ext:UBLExtensions is the first child of the document element in UBL 2.1. One elsewhere is
    // left to the tree path, which adds to it rather than making a second.
    if (xml.find("UBLExtensions", o.root_content) != npos) return false;
    at = o.first_child != npos ? o.first_child : o.root_end_tag;
    open = std::string("<ext:UBLExtensions xmlns:ext=\"") + kUblExtNs + "\"><ext:UBLExtension><ext:ExtensionContent>";
    close = "</ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>";
  }
  open += std::string("<sig:UBLDocumentSignatures xmlns:sig=\"") + kUblSigNs + "\"><sac:SignatureInformation xmlns:sac=\"" +
          kUblSacNs + "\">";
  close = "</sac:SignatureInformation></sig:UBLDocumentSignatures>" + close;
  return true;
}

}  // namespace

std::optional<std::string> SignXmlText(std::string_view xml, const SigningKey& key, const SignOptions& options) {
  size_t at = 0;
  std::string open, close;
  if (!Placement(xml, at, open, close)) return std::nullopt;

  // The document as the enveloped-signature transform sees it: with the wrapper, without the
  // signature.
  std::string unsigned_doc;
  unsigned_doc.reserve(xml.size() + open.size() + close.size());
  unsigned_doc.append(xml.substr(0, at)).append(open).append(close).append(xml.substr(at));
  std::string document_digest;
  if (!CanonicalDigest(unsigned_doc, document_digest)) return std::nullopt;

  const bool xades = options.profile != SignProfile::kXmlDsig;
  const std::string signature_id = xades ? NewSignatureId() : "";
  const std::string sp_id = signature_id + "-SignedProperties";
  std::string properties, properties_digest;
  if (xades) {
    const std::time_t now = options.signing_time != 0 ? options.signing_time : std::time(nullptr);
    properties = SignedSignatureProperties(key, options, now);
    // Exclusive c14n renders the namespaces where they are used, so declaring both on the
    // SignedProperties element gives the canonical form it has inside the signature.
    std::string standalone = std::string("<xades:SignedProperties xmlns:ds=\"") + kDsigNs + "\" xmlns:xades=\"" +
                             kXadesNs + "\" Id=\"" + sp_id + "\">" + properties + "</xades:SignedProperties>";
    if (!CanonicalDigest(standalone, properties_digest)) return std::nullopt;
  }

  std::string info;
  info.reserve(1600);
  info += "\n<ds:CanonicalizationMethod Algorithm=\"";
  info += kExcC14n;
  info += "\"></ds:CanonicalizationMethod>\n<ds:SignatureMethod Algorithm=\"";
  info += key.is_rsa() ? "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
                       : "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
  info += "\"></ds:SignatureMethod>\n";
  AppendReference(info, "", nullptr, true, document_digest);
  if (xades) AppendReference(info, "#" + sp_id, kXadesSignedPropertiesType, false, properties_digest);

  thread_local std::string canonical_info;
  canonical_info.clear();
  const std::string standalone_info = std::string("<ds:SignedInfo xmlns:ds=\"") + kDsigNs + "\">" + info + "</ds:SignedInfo>";
  if (!ExclusiveC14n(standalone_info, canonical_info)) return std::nullopt;
  std::string value;
  if (!SignatureValue(key, canonical_info, value)) return std::nullopt;

  std::string sig;
  sig.reserve(info.size() + properties.size() + 4096);
  sig += "<ds:Signature xmlns:ds=\"";
  sig += kDsigNs;
  sig += '"';
  if (xades) {
    sig += " Id=\"";
    sig += signature_id;
    sig += '"';
  }
  sig += ">\n<ds:SignedInfo>";
  sig += info;
  sig += "</ds:SignedInfo>\n<ds:SignatureValue>";
  sig += EncodeBase64(value);
  sig += "</ds:SignatureValue>\n<ds:KeyInfo>\n<ds:X509Data>";
  for (const std::string& c : key.certificate_text().base64) {
    sig += "<ds:X509Certificate>";
    sig += c;
    sig += "</ds:X509Certificate>";
  }
  sig += "</ds:X509Data>\n</ds:KeyInfo>\n";
  if (xades) {
    sig += "<ds:Object><xades:QualifyingProperties xmlns:xades=\"";
    sig += kXadesNs;
    sig += "\" Target=\"#";
    sig += signature_id;
    sig += "\"><xades:SignedProperties Id=\"";
    sig += sp_id;
    sig += "\">";
    sig += properties;
    sig += "</xades:SignedProperties></xades:QualifyingProperties></ds:Object>\n";
  }
  sig += "</ds:Signature>";

  std::string out;
  out.reserve(xml.size() + open.size() + sig.size() + close.size());
  out.append(xml.substr(0, at)).append(open).append(sig).append(close).append(xml.substr(at));
  return out;
}

}  // namespace gw::certs
