#include "certs/xmldsig/xmlsec_library.h"

#include <libxml/parser.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>
#include <xmlsec/xmlsec.h>

#include <cstring>
#include <mutex>

#include "formats/xml/xml_document.h"

namespace gw::certs {
namespace {

thread_local std::string t_xmlsec_errors;

void CollectXmlsecError(const char* file, int line, const char* func, const char* errorObject,
                        const char* errorSubject, int reason, const char* msg) {
  if (t_xmlsec_errors.size() > 4096) return;
  if (!t_xmlsec_errors.empty()) t_xmlsec_errors += "; ";
  const char* reason_text = nullptr;
  for (xmlSecSize i = 0; i < XMLSEC_ERRORS_MAX_NUMBER && xmlSecErrorsGetMsg(i) != nullptr; ++i) {
    if (xmlSecErrorsGetCode(i) == reason) reason_text = xmlSecErrorsGetMsg(i);
  }
  t_xmlsec_errors += (reason_text != nullptr ? reason_text : "error");
  if (errorSubject != nullptr) (t_xmlsec_errors += " in ") += errorSubject;
  if (msg != nullptr && *msg != '\0') (t_xmlsec_errors += ": ") += msg;
}

struct ParseState {
  bool doctype = false;
};

void RefuseDoctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  static_cast<ParseState*>(ctxt->_private)->doctype = true;
  xmlStopParser(ctxt);
}

struct ParserCtxtFree {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

Error ParseError(const char* rule, std::string message) {
  return Error::InvalidInput(message, {Finding{rule, Finding::Severity::kFatal, "", message}});
}

}  // namespace

void InitializeXmlsec() {
  static std::once_flag once;
  std::call_once(once, [] {
    formats::xml::InitializeXmlLibrary();
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(nullptr) < 0 ||
        xmlSecCryptoInit() < 0) {
      return;  // every later xmlsec call fails and says so
    }
    // xmlSecInit registered file, HTTP and FTP readers for Reference URIs; a verifier of
    // untrusted documents must not have any (no SSRF, no local file disclosure).
    xmlSecIOCleanupCallbacks();
    xmlSecErrorsDefaultCallbackEnableOutput(0);
    xmlSecErrorsSetCallback(CollectXmlsecError);
  });
}

std::string TakeXmlsecErrors() {
  std::string e = std::move(t_xmlsec_errors);
  t_xmlsec_errors.clear();
  return e;
}

Result<XmlDocPtr> ParseUntrustedXml(std::string_view text) {
  InitializeXmlsec();
  constexpr size_t kMaxBytes = 64 * 1024 * 1024;
  if (text.size() > kMaxBytes) return ParseError("xml.limit", "the document is larger than 64 MiB");
  std::unique_ptr<xmlParserCtxt, ParserCtxtFree> ctxt(xmlNewParserCtxt());
  if (!ctxt) return Error::Internal("cannot create an XML parser");
  ParseState state;
  ctxt->_private = &state;
  ctxt->sax->internalSubset = RefuseDoctype;
  // No XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR, no XINCLUDE, no HUGE;
  // blanks are kept because they are signed content.
  XmlDocPtr doc(xmlCtxtReadMemory(ctxt.get(), text.data(), static_cast<int>(text.size()), nullptr, nullptr,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (state.doctype) {
    return ParseError("xml.doctype",
                      "the document has a DOCTYPE; signed documents must not declare one (entities and "
                      "external DTDs are refused)");
  }
  if (!doc || !ctxt->wellFormed) {
    const xmlError* e = xmlCtxtGetLastError(ctxt.get());
    std::string why = e != nullptr && e->message != nullptr ? e->message : "not well-formed";
    while (!why.empty() && why.back() == '\n') why.pop_back();
    int line = e != nullptr ? e->line : 0;
    return ParseError("xml.syntax", "line " + std::to_string(line) + ": " + why);
  }
  if (xmlDocGetRootElement(doc.get()) == nullptr) return ParseError("xml.syntax", "the document has no root element");
  return doc;
}

std::string SerializeXml(xmlDoc* doc) {
  xmlChar* mem = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
  std::string out(reinterpret_cast<char*>(mem), static_cast<size_t>(size));
  xmlFree(mem);
  return out;
}

bool IsElement(const xmlNode* node, const char* ns, const char* name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr && node->ns->href != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0 &&
         std::strcmp(reinterpret_cast<const char*>(node->ns->href), ns) == 0;
}

xmlNode* FirstChildElement(xmlNode* parent, const char* ns, const char* name) {
  for (xmlNode* c = parent != nullptr ? parent->children : nullptr; c != nullptr; c = c->next) {
    if (IsElement(c, ns, name)) return c;
  }
  return nullptr;
}

std::string NodeText(xmlNode* node) {
  if (node == nullptr) return "";
  xmlChar* t = xmlNodeGetContent(node);
  std::string s = t != nullptr ? reinterpret_cast<char*>(t) : "";
  xmlFree(t);
  return s;
}

std::string AttributeValue(xmlNode* node, const char* name) {
  xmlChar* v = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name));
  std::string s = v != nullptr ? reinterpret_cast<char*>(v) : "";
  xmlFree(v);
  return s;
}

bool HasAttribute(xmlNode* node, const char* name) {
  return xmlHasNsProp(node, reinterpret_cast<const xmlChar*>(name), nullptr) != nullptr;
}

std::string NodePath(xmlNode* node) {
  xmlChar* p = xmlGetNodePath(node);
  std::string s = p != nullptr ? reinterpret_cast<char*>(p) : "";
  xmlFree(p);
  return s;
}

}  // namespace gw::certs
