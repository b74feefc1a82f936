// The ebXML 2.0 frame of the Finvoice forwarding service (Finvoice implementation guidelines,
// "Message transmission frame"; ebXML Message Service Specification 2.0, section 3.1
// MessageHeader).
#include "formats/finvoice/finvoice_envelope.h"

#include "formats/finvoice/finvoice_encoding.h"
#include "formats/finvoice/finvoice_values.h"
#include "formats/xml/xml_document.h"
#include "formats/xml/xml_writer.h"

namespace gw::formats::finvoice::internal {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

Error EnvelopeError(std::string message) {
  return Error::InvalidInput(
      "the SOAP frame in front of the Finvoice document cannot be read",
      {Finding{"finvoice.envelope", Finding::Severity::kFatal, "/", std::move(message)}});
}

// The offset of the first element's '<' past the prologue, or npos.
size_t FirstElement(std::string_view text) {
  size_t at = text.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
  while (true) {
    at = text.find('<', at);
    if (at == std::string_view::npos || at + 1 >= text.size()) return std::string_view::npos;
    if (text.compare(at, 4, "<!--") == 0) {
      at = text.find("-->", at + 4);
      if (at == std::string_view::npos) return at;
      continue;
    }
    if (text[at + 1] == '?' || text[at + 1] == '!') {
      at = text.find('>', at + 2);
      if (at == std::string_view::npos) return at;
      continue;
    }
    return at;
  }
}

// The qualified name of the element whose start tag begins at `at`.
std::string_view QualifiedName(std::string_view text, size_t at) {
  size_t end = text.find_first_of(" \t\r\n/>", at + 1);
  return text.substr(at + 1, end == std::string_view::npos ? std::string_view::npos : end - at - 1);
}

}  // namespace

bool StartsWithEnvelope(std::string_view text) {
  size_t at = FirstElement(text);
  if (at == std::string_view::npos) return false;
  std::string_view name = QualifiedName(text, at);
  size_t colon = name.find(':');
  return (colon == std::string_view::npos ? name : name.substr(colon + 1)) == "Envelope";
}

Result<Framed> SplitEnvelope(std::string_view text) {
  size_t at = FirstElement(text);
  if (at == std::string_view::npos) return EnvelopeError("the file has no element");
  const std::string end_tag = "</" + std::string(QualifiedName(text, at));
  size_t end = text.find(end_tag, at);
  if (end != std::string_view::npos) end = text.find('>', end + end_tag.size());
  if (end == std::string_view::npos) {
    return EnvelopeError("the file starts with a SOAP envelope (" + end_tag.substr(2) +
                         ") whose end tag is missing; the frame must end with " + end_tag +
                         "> before the Finvoice document");
  }
  Framed framed;
  framed.envelope = text.substr(0, end + 1);
  size_t rest = end + 1;
  while (rest < text.size() &&
         (text[rest] == ' ' || text[rest] == '\t' || text[rest] == '\r' || text[rest] == '\n')) {
    ++rest;
  }
  if (rest == text.size()) {
    return EnvelopeError("the file holds a SOAP frame but no Finvoice document after it");
  }
  framed.document = text.substr(rest);
  for (size_t k = 0; k < rest; ++k) {
    if (text[k] == '\n') ++framed.document_line;
  }
  return framed;
}

Result<Transmission> ReadEnvelope(std::string_view envelope) {
  auto doc = xml::Document::Parse(envelope);
  if (!doc) return std::move(doc).error();
  auto child = [&](xml::NodeId parent, std::string_view ns, std::string_view local) {
    if (parent == xml::kNoNode) return xml::kNoNode;
    xml::NameId name = doc->FindName(ns, local);
    return name == xml::kNoName ? xml::kNoNode : doc->Child(parent, name);
  };
  auto text = [&](xml::NodeId parent, std::string_view local) {
    xml::NodeId n = child(parent, kEbXmlNs, local);
    return n == xml::kNoNode ? std::string() : std::string(Trimmed(doc->StringValue(n)));
  };
  xml::NodeId root = doc->document_element();
  if (doc->local_name(root) != "Envelope" || doc->namespace_uri(root) != kSoapNs) {
    return EnvelopeError("the frame's root is " + std::string(doc->local_name(root)) + " in '" +
                         std::string(doc->namespace_uri(root)) + "', not a SOAP 1.1 Envelope");
  }
  xml::NodeId header = child(child(root, kSoapNs, "Header"), kEbXmlNs, "MessageHeader");
  if (header == xml::kNoNode) {
    return EnvelopeError(
        "the SOAP envelope has no SOAP-ENV:Header/eb:MessageHeader with the routing");
  }
  Transmission t;
  for (xml::NodeId c = doc->node(header).first_child; c != xml::kNoNode;
       c = doc->node(c).next_sibling) {
    if (doc->node(c).kind != xml::NodeKind::kElement || doc->namespace_uri(c) != kEbXmlNs) continue;
    std::string_view local = doc->local_name(c);
    if (local != "From" && local != "To") continue;
    std::string role = text(c, "Role");
    std::string party = text(c, "PartyId");
    bool from = local == "From";
    if (role == "Intermediator") {
      (from ? t.sender_intermediator : t.receiver_intermediator) = party;
    } else {  // Sender or Receiver (the party itself when no role is given)
      (from ? t.sender_address : t.receiver_address) = party;
    }
  }
  xml::NodeId data = child(header, kEbXmlNs, "MessageData");
  t.message_id = text(data, "MessageId");
  t.timestamp = text(data, "Timestamp");
  t.ref_to_message_id = text(data, "RefToMessageId");
  return t;
}

Result<std::string> WriteEnvelope(const Transmission& t) {
  const std::string ns_soap(kSoapNs), ns_eb(kEbXmlNs);
  xml::XmlWriter w;
  w.Start("SOAP-ENV:Envelope");
  w.Attribute("xmlns:SOAP-ENV", ns_soap);
  w.Attribute("xmlns:eb", ns_eb);
  w.Attribute("xmlns:xlink", "http://www.w3.org/1999/xlink");
  w.Attribute("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
  w.Attribute("xsi:schemaLocation", "http://schemas.xmlsoap.org/soap/envelope/ envelope.xsd");
  w.Start("SOAP-ENV:Header");
  w.Start("eb:MessageHeader");
  w.Attribute("SOAP-ENV:mustUnderstand", "1");
  w.Attribute("eb:version", "2.0");
  w.Attribute("xsi:schemaLocation", ns_eb + " msg-header-2_0.xsd");
  auto party = [&](const char* element, const std::string& id, const char* role) {
    w.Start(element);
    w.Leaf("eb:PartyId", id);
    w.Leaf("eb:Role", role);
    w.End();
  };
  party("eb:From", t.sender_address, "Sender");
  party("eb:From", t.sender_intermediator, "Intermediator");
  party("eb:To", t.receiver_address, "Receiver");
  party("eb:To", t.receiver_intermediator, "Intermediator");
  w.Leaf("eb:CPAId", t.cpa_id);  // the agreement id (the forwarding service uses one for all)
  w.Leaf("eb:Service", "Routing");
  w.Leaf("eb:Action", "ProcessInvoice");
  w.Start("eb:MessageData");
  w.Leaf("eb:MessageId", t.message_id);
  w.Leaf("eb:Timestamp", t.timestamp);
  w.Leaf("eb:RefToMessageId", t.ref_to_message_id);
  w.End();
  w.End();  // eb:MessageHeader
  w.End();  // SOAP-ENV:Header
  w.Start("SOAP-ENV:Body");
  w.Start("eb:Manifest");
  w.Attribute("eb:id", "Manifest");
  w.Attribute("eb:version", "2.0");
  w.Start("eb:Reference");
  w.Attribute("eb:id", "Finvoice");
  w.Attribute("xlink:href", t.message_id);
  w.Start("eb:Schema");
  w.Attribute("eb:location", "http://www.pankkiyhdistys.fi/verkkolasku/finvoice/finvoice.xsd");
  w.Attribute("eb:version", "3.0");
  w.End();
  w.End();
  w.End();
  w.End();  // SOAP-ENV:Body
  w.End();
  auto written = w.Finish();
  if (!written) return std::move(written).error();
  // The frame has no XML declaration (the file's only declaration is the Finvoice document's).
  std::string_view markup = *written;
  size_t first_line_end = markup.find('\n');
  markup.remove_prefix(first_line_end == std::string_view::npos ? 0 : first_line_end + 1);
  return ToAsciiMarkup(markup);
}

}  // namespace gw::formats::finvoice::internal

namespace gw::formats::finvoice {

Result<std::string> WriteTransmissionFrame(const Transmission& t) { return internal::WriteEnvelope(t); }

}  // namespace gw::formats::finvoice
