// The xmlsec1 (OpenSSL back end) and libxml2 tree plumbing that signing and verification share:
// one-time initialisation with every external URI handler removed, a hardened parser for
// untrusted documents, RAII handles. The functions are thread-safe once InitializeXmlsec has run.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <string_view>

#include "formats/core/result.h"

namespace gw::certs {

// Initialises libxml2, xmlsec1 and its OpenSSL back end once per process, and removes xmlsec's
// input callbacks (file, HTTP, FTP) so that no URI in a signature can ever be fetched. xmlsec's
// error output to stderr is switched off; errors are collected per thread (XmlsecErrors).
// Called by SignXml and VerifyXml; call it at start-up before threads start.
void InitializeXmlsec();

// The xmlsec errors reported on this thread since the last call, and clears them.
std::string TakeXmlsecErrors();

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

// Parses an untrusted document into a libxml2 tree for xmlsec: any DOCTYPE is refused before
// its internal subset is read (so no entity can be declared), no network, no entity
// substitution, no DTD loading, no XInclude; at most 64 MiB. Errors: kInvalidArgument with one
// finding, rule "xml.doctype" or "xml.syntax".
Result<XmlDocPtr> ParseUntrustedXml(std::string_view text);

// The document as UTF-8 bytes, with the XML declaration, not reformatted.
std::string SerializeXml(xmlDoc* doc);

// Namespace and algorithm URIs.
inline constexpr const char* kDsigNs = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr const char* kXadesNs = "http://uri.etsi.org/01903/v1.3.2#";
inline constexpr const char* kXadesSignedPropertiesType = "http://uri.etsi.org/01903#SignedProperties";
inline constexpr const char* kUblExtNs = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2";
inline constexpr const char* kUblSigNs = "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2";
inline constexpr const char* kUblSacNs =
    "urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2";
inline constexpr const char* kUblNsPrefix = "urn:oasis:names:specification:ubl:schema:xsd:";

// Tree helpers: element tests by namespace URI and local name.
bool IsElement(const xmlNode* node, const char* ns, const char* name);
xmlNode* FirstChildElement(xmlNode* parent, const char* ns, const char* name);
std::string NodeText(xmlNode* node);
std::string AttributeValue(xmlNode* node, const char* name);  // no namespace; "" when absent
bool HasAttribute(xmlNode* node, const char* name);
// "/Invoice/ext:UBLExtensions[1]/..." with the prefixes of the document, for messages.
std::string NodePath(xmlNode* node);

}  // namespace gw::certs
