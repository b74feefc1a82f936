#include "formats/finvoice/finvoice_reader.h"

#include "formats/finvoice/finvoice_encoding.h"
#include "formats/finvoice/finvoice_envelope.h"
#include "formats/finvoice/finvoice_invoice_reader.h"
#include "formats/finvoice/finvoice_names.h"

namespace gw::formats::finvoice {
namespace {

// The local name of the first element of `text`, past the prologue, and whether it has a prefix
// or a default namespace declaration (Finvoice has neither).
bool FirstElementIsFinvoice(std::string_view text) {
  size_t at = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (true) {
    at = text.find('<', at);
    if (at == std::string_view::npos || at + 1 >= text.size()) return false;
    if (text.compare(at, 4, "<!--") == 0) {
      at = text.find("-->", at + 4);
      if (at == std::string_view::npos) return false;
      continue;
    }
    if (text[at + 1] == '?' || text[at + 1] == '!') {
      at = text.find('>', at + 2);
      if (at == std::string_view::npos) return false;
      continue;
    }
    break;
  }
  size_t end = text.find('>', at);
  std::string_view tag =
      text.substr(at + 1, end == std::string_view::npos ? std::string_view::npos : end - at - 1);
  std::string_view name = tag.substr(0, tag.find_first_of(" \t\r\n/"));
  return name == "Finvoice" && tag.find("xmlns=") == std::string_view::npos;
}

}  // namespace

bool LooksLikeFinvoice(std::string_view text) {
  if (FirstElementIsFinvoice(text)) return true;
  if (!internal::StartsWithEnvelope(text)) return false;
  auto framed = internal::SplitEnvelope(text);
  return framed && FirstElementIsFinvoice(framed->document);
}

Result<ReadResult> ReadInvoice(std::string_view text, std::vector<Finding>* losses) {
  ReadResult result;
  std::optional<Transmission> frame;
  std::string_view document = text;
  size_t first_line = 1;
  if (internal::StartsWithEnvelope(text)) {
    auto framed = internal::SplitEnvelope(text);
    if (!framed) return std::move(framed).error();
    auto envelope = internal::ReadEnvelope(framed->envelope);
    if (!envelope) return std::move(envelope).error();
    frame = std::move(envelope).value();
    document = framed->document;
    first_line = framed->document_line;
    result.had_soap_envelope = true;
  }
  // The bytes are checked against the declared encoding first: libxml2 would otherwise read
  // Latin-1 bytes under a UTF-8 declaration as a syntax error, or UTF-8 under a Latin-9 one as
  // mojibake.
  auto encoding = internal::CheckEncoding(document, first_line);
  if (!encoding) return std::move(encoding).error();
  result.encoding = *encoding;
  auto doc = xml::Document::Parse(document, {}, internal::FinvoiceNameTable());
  if (!doc) return std::move(doc).error();
  const xml::NodeId root = doc->document_element();
  if (doc->node(root).name != internal::N().Finvoice) {
    std::string local(doc->local_name(root));
    return Error::InvalidInput("the document is not a Finvoice invoice",
                               {Finding{"finvoice.root", Finding::Severity::kFatal, "/" + local,
                                        "the root element is " + local + " in namespace '" +
                                            std::string(doc->namespace_uri(root)) +
                                            "', not Finvoice without a namespace"}});
  }
  internal::InvoiceReader reader(*doc, losses);
  auto invoice = reader.Read(frame, &result.transmission);
  if (!invoice) return std::move(invoice).error();
  result.invoice = std::move(invoice).value();
  return result;
}

Result<DocumentPart> WithoutEnvelope(std::string_view text) {
  if (!internal::StartsWithEnvelope(text)) return DocumentPart{text, 1, false};
  auto framed = internal::SplitEnvelope(text);
  if (!framed) return framed.error();
  return DocumentPart{framed->document, framed->document_line, true};
}

}  // namespace gw::formats::finvoice
