#include "formats/registry/stored_invoice.h"

#include <cctype>
#include <vector>

#include "formats/calc/calculator.h"
#include "formats/finvoice/finvoice_reader.h"
#include "formats/xml/xml_document.h"

namespace gw::formats {
namespace {

// The XML roots the readers read, by expanded name (Finvoice's SOAP frame is checked apart).
struct XmlRoot {
  std::string_view ns;
  std::string_view local;
  std::string_view format;
};
constexpr XmlRoot kXmlRoots[] = {
    {xml::kUblInvoiceNs, "Invoice", "ubl"},
    {xml::kUblCreditNoteNs, "CreditNote", "ubl"},
    {xml::kCiiNs, "CrossIndustryInvoice", "cii"},
    {"", "Finvoice", "finvoice"},      // Finvoice 3.0 has no namespace
    {"", "E_Invoice", "ee-einvoice"},  // nor has the Estonian e-invoice 1.2
};

struct ExpandedName {
  std::string ns;
  std::string local;
  std::string Clark() const {
    return ns.empty() ? local + " (in no namespace)" : "{" + ns + "}" + local;
  }
};

ExpandedName RootName(const xml::Document& doc) {
  const xml::NodeId root = doc.document_element();
  return {std::string(doc.namespace_uri(root)), std::string(doc.local_name(root))};
}

// The expanded name of the root element. The cheap way first: only the root's start tag, parsed as
// an empty element by the hardened parser, which resolves its prefix exactly as a parse of the
// whole document would (the root's namespace can only be declared on the root itself). Where that
// fails (no start tag, a '>' inside an attribute value, an entity reference), the whole document
// is parsed, and its parser error (not well-formed, DOCTYPE, limit) is the answer. A DOCTYPE before
// a root that a reader reads is refused by that reader's parse, as on intake.
Result<ExpandedName> SniffRoot(std::string_view text) {
  std::string_view tag = xml::RootStartTag(text);
  if (!tag.empty() && tag.back() == '/') tag.remove_suffix(1);
  if (!tag.empty()) {
    const std::string probe = "<" + std::string(tag) + "/>";
    auto doc = xml::Document::Parse(probe);
    if (doc && doc->document_element() != xml::kNoNode) return RootName(*doc);
  }
  auto doc = xml::Document::Parse(text);
  if (!doc) return std::move(doc).error();
  if (doc->document_element() == xml::kNoNode) {
    return Error::InvalidArgument("the XML document has no root element");
  }
  return RootName(*doc);
}

// The XML format of a document whose root is `root`, or "".
std::string_view XmlFormat(const ExpandedName& root, std::string_view text) {
  for (const XmlRoot& r : kXmlRoots) {
    if (root.ns == r.ns && root.local == r.local) return r.format;
  }
  // The Finvoice forwarding service's SOAP/ebXML frame, followed by the Finvoice document (the
  // Finvoice reader decides which frames it reads).
  if (root.local == "Envelope" && finvoice::LooksLikeFinvoice(text)) return "finvoice";
  return {};
}

enum class Syntax { kNone, kJson, kXml };

// application/json, application/xml, text/xml and the +json/+xml suffixes (RFC 6839).
Syntax SyntaxOfMediaType(std::string_view media_type) {
  std::string type(media_type.substr(0, media_type.find(';')));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type == "application/json" || type.ends_with("+json")) return Syntax::kJson;
  if (type == "application/xml" || type == "text/xml" || type.ends_with("+xml"))
    return Syntax::kXml;
  return Syntax::kNone;
}

// What content that is neither JSON nor XML looks like, for the error.
std::string Describe(std::string_view content, std::string_view media_type_hint) {
  std::string what =
      content.starts_with("%PDF-")
          ? "a PDF document (of a Factur-X invoice the gateway reads the XML, not the PDF)"
      : content.starts_with("PK\x03\x04") ? "a ZIP archive"
                                          : "neither JSON nor XML";
  if (!media_type_hint.empty()) what += ", stored as " + std::string(media_type_hint);
  return what;
}

}  // namespace

Result<model::Invoice> ReadStoredInvoice(const FormatRegistry& registry, std::string_view text,
                                         std::string_view media_type_hint,
                                         std::string* format_used) {
  if (format_used != nullptr) format_used->clear();
  std::string_view content = text;
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);  // UTF-8 byte order mark
  const size_t first = content.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return Error::InvalidArgument("the stored document is empty");
  }
  content.remove_prefix(first);

  if (content.front() == '[') {
    return Error::InvalidArgument(
        "the stored document is a JSON array; the ERP JSON format is one object");
  }
  const Syntax syntax = content.front() == '{'   ? Syntax::kJson
                        : content.front() == '<' ? Syntax::kXml
                                                 : SyntaxOfMediaType(media_type_hint);
  std::string format;
  if (syntax == Syntax::kJson) {
    format = "json";
  } else if (syntax == Syntax::kXml) {
    auto root = SniffRoot(text);
    if (!root) return std::move(root).error();
    format = XmlFormat(*root, text);
    if (format.empty()) {
      // Before naming the root: a document that the hardened parser refuses (a DOCTYPE, which may
      // declare entities) is refused for that, as the readers would.
      auto whole = xml::Document::Parse(text);
      if (!whole) return std::move(whole).error();
      return Error::InvalidArgument(
          "an XML document with root element " + root->Clark() +
          ", which no reader of this gateway reads (it reads UBL 2.1 Invoice and "
          "CreditNote, CII CrossIndustryInvoice, Finvoice and the Estonian E_Invoice)");
    }
  } else {
    return Error::InvalidArgument("the stored document is " + Describe(content, media_type_hint));
  }

  if (format_used != nullptr) *format_used = format;
  auto info = registry.Find(format);
  if (!info || !(*info)->read) {
    return Error::InvalidArgument("the stored document is in format '" + format +
                                  "', which this gateway has no reader for");
  }
  std::vector<Finding> losses;  // what the model has no place for; the view has none either
  auto invoice = (*info)->read(text, losses);
  if (!invoice) return invoice;
  if (format == "json") GW_RETURN_IF_ERROR(calc::Complete(*invoice));
  return invoice;
}

}  // namespace gw::formats
