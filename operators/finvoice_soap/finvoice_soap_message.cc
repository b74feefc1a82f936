// The frame follows the Finvoice forwarding service's transmission files
// (../shared/formats/finvoice/samples/maventa/anon_finvoice_30_invoice_with_SOAP.xml) and the ebXML
// Message Service 2.0 specification (OASIS, 2002): section 3.1 MessageHeader, 3.2 Manifest, 6.3.2
// Acknowledgment, 4.2.3 ErrorList. formats/finvoice writes the same frame from the model (inside
// WriteInvoice, not callable on its own, and with a fixed CPAId), so the operator writes its own.
#include "operators/finvoice_soap/finvoice_soap_message.h"

#include "formats/finvoice/finvoice_transmission.h"

#include <cctype>
#include <vector>

#include "formats/xml/xml_document.h"
#include "formats/xml/xml_writer.h"

namespace gw::operators::finvoice_soap {
namespace {

namespace xml = formats::xml;

constexpr size_t kMaxText = 1000;

Status CheckAscii(const char* field, const std::string& value) {
  if (value.empty())
    return Error::InvalidArgument("the frame's " + std::string(field) + " is empty");
  for (unsigned char c : value) {
    if (c < 0x20 || c > 0x7E) {
      return Error::InvalidArgument("the frame's " + std::string(field) + " '" + value +
                                    "' has a character that is not printable ASCII; the frame "
                                    "precedes the document in its charset, so only ASCII is safe");
    }
  }
  return OkStatus();
}

// Control characters and runs of blanks as one space, cut at kMaxText: fault texts go into logs
// and the attempt record.
std::string Clean(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    bool blank = c < 0x20 || c == 0x7F || c == ' ';
    if (blank) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(c);
    }
    if (out.size() >= kMaxText) {
      out += "...";
      break;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Navigation by expanded name over a parsed answer.
class Reader {
 public:
  explicit Reader(const xml::Document& doc) : doc_(doc) {}

  xml::NodeId Child(xml::NodeId parent, std::string_view ns, std::string_view local) const {
    if (parent == xml::kNoNode) return xml::kNoNode;
    xml::NameId name = doc_.FindName(ns, local);
    return name == xml::kNoName ? xml::kNoNode : doc_.Child(parent, name);
  }
  std::vector<xml::NodeId> Children(xml::NodeId parent, std::string_view ns,
                                    std::string_view local) const {
    std::vector<xml::NodeId> out;
    if (parent == xml::kNoNode) return out;
    for (xml::NodeId c = doc_.node(parent).first_child; c != xml::kNoNode;
         c = doc_.node(c).next_sibling) {
      if (doc_.node(c).kind == xml::NodeKind::kElement && doc_.namespace_uri(c) == ns &&
          doc_.local_name(c) == local)
        out.push_back(c);
    }
    return out;
  }
  std::string Text(xml::NodeId node) const {
    if (node == xml::kNoNode) return "";
    std::string value = doc_.StringValue(node);
    size_t first = value.find_first_not_of(" \t\r\n");
    size_t last = value.find_last_not_of(" \t\r\n");
    return first == std::string::npos ? "" : value.substr(first, last - first + 1);
  }
  std::string Attribute(xml::NodeId element, std::string_view ns, std::string_view local) const {
    if (element == xml::kNoNode) return "";
    xml::NameId name = doc_.FindName(ns, local);
    xml::NodeId a = name == xml::kNoName ? xml::kNoNode : doc_.Attribute(element, name);
    return a == xml::kNoNode ? "" : std::string(doc_.node(a).value);
  }

 private:
  const xml::Document& doc_;
};

// A SOAP 1.1 Fault (faultcode, faultstring, detail: unqualified children) or a SOAP 1.2 one
// (Code/Value, Reason/Text), SOAP 1.1 section 4.4 and SOAP 1.2 part 1 section 5.4.
bool ReadFault(const Reader& r, xml::NodeId body, std::string_view ns, Answer& answer) {
  xml::NodeId fault = r.Child(body, ns, "Fault");
  if (fault == xml::kNoNode) return false;
  answer.kind = Answer::Kind::kFault;
  std::string code, text, detail;
  if (ns == kSoap11Ns) {
    code = r.Text(r.Child(fault, "", "faultcode"));
    text = r.Text(r.Child(fault, "", "faultstring"));
    detail = r.Text(r.Child(fault, "", "detail"));
  } else {
    code = r.Text(r.Child(r.Child(fault, ns, "Code"), ns, "Value"));
    text = r.Text(r.Child(r.Child(fault, ns, "Reason"), ns, "Text"));
    detail = r.Text(r.Child(fault, ns, "Detail"));
  }
  std::string_view local = code;
  if (size_t colon = local.find(':'); colon != std::string_view::npos)
    local.remove_prefix(colon + 1);
  // "Server" (1.1) / "Receiver" (1.2): the message was fine, its processing failed; it "may
  // succeed at a later point in time" (SOAP 1.1 section 4.4.1).
  answer.server_fault = local.starts_with("Server") || local.starts_with("Receiver");
  answer.text =
      Clean((code.empty() ? "" : code + ": ") + (text.empty() ? "(no faultstring)" : text) +
            (detail.empty() ? "" : " (" + detail + ")"));
  return true;
}

// eb:ErrorList (ebMS 2.0 section 4.2.3): each eb:Error has eb:errorCode, eb:severity (Warning or
// Error, default Error) and an optional eb:Description. Only errors make the answer a refusal.
bool ReadErrorList(const Reader& r, xml::NodeId header, Answer& answer) {
  xml::NodeId list = r.Child(header, kEbXmlNs, "ErrorList");
  if (list == xml::kNoNode) return false;
  std::string errors;
  for (xml::NodeId e : r.Children(list, kEbXmlNs, "Error")) {
    std::string severity = r.Attribute(e, kEbXmlNs, "severity");
    if (!severity.empty() && severity != "Error") continue;
    std::string code = r.Attribute(e, kEbXmlNs, "errorCode");
    std::string description = r.Text(r.Child(e, kEbXmlNs, "Description"));
    std::string location = r.Attribute(e, kEbXmlNs, "location");
    errors += (errors.empty() ? "" : "; ") + (code.empty() ? "error" : code) +
              (description.empty() ? "" : ": " + description) +
              (location.empty() ? "" : " at " + location);
  }
  if (errors.empty()) return false;
  answer.kind = Answer::Kind::kErrorList;
  answer.text = Clean(errors);
  return true;
}

}  // namespace

Result<std::string> WriteFrame(const Frame& f) {
  const std::pair<const char*, const std::string*> fields[] = {
      {"sender (eb:From Role Sender)", &f.sender},
      {"sender intermediator (eb:From Role Intermediator)", &f.sender_intermediator},
      {"receiver (eb:To Role Receiver)", &f.receiver},
      {"receiver intermediator (eb:To Role Intermediator)", &f.receiver_intermediator},
      {"CPAId", &f.cpa_id},
      {"MessageId", &f.message_id},
      {"Timestamp", &f.timestamp}};
  for (const auto& [name, value] : fields) GW_RETURN_IF_ERROR(CheckAscii(name, *value));

  // The frame of formats/finvoice (the one its reader reads back), with our CPAId.
  formats::finvoice::Transmission t;
  t.sender_address = f.sender;
  t.sender_intermediator = f.sender_intermediator;
  t.receiver_address = f.receiver;
  t.receiver_intermediator = f.receiver_intermediator;
  t.cpa_id = f.cpa_id;
  t.message_id = f.message_id;
  t.timestamp = f.timestamp;
  return formats::finvoice::WriteTransmissionFrame(t);
}

Result<std::string> DeclaredCharset(std::string_view document) {
  if (document.starts_with("\xEF\xBB\xBF")) document.remove_prefix(3);
  if (!document.starts_with("<?xml") || document.size() < 6 ||
      std::isspace(static_cast<unsigned char>(document[5])) == 0) {
    return std::string("UTF-8");  // XML 1.0 section 4.3.3: without a declaration, UTF-8
  }
  size_t end = document.find("?>");
  if (end == std::string_view::npos) {
    return Error::InvalidArgument("the Finvoice document's XML declaration has no end ('?>')");
  }
  std::string_view decl = document.substr(0, end);
  size_t at = decl.find("encoding");
  if (at == std::string_view::npos) return std::string("UTF-8");
  at = decl.find_first_not_of(" \t\r\n", at + 8);
  if (at != std::string_view::npos && decl[at] == '=')
    at = decl.find_first_not_of(" \t\r\n", at + 1);
  if (at == std::string_view::npos || (decl[at] != '"' && decl[at] != '\'')) {
    return Error::InvalidArgument(
        "the Finvoice document's XML declaration has an encoding without a quoted value");
  }
  size_t close = decl.find(decl[at], at + 1);
  std::string name(decl.substr(at + 1, close == std::string_view::npos ? 0 : close - at - 1));
  // EncName, XML 1.0 production [81]: [A-Za-z] ([A-Za-z0-9._] | '-')*
  bool valid = !name.empty() && std::isalpha(static_cast<unsigned char>(name[0]));
  for (char c : name)
    valid =
        valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  if (!valid) {
    return Error::InvalidArgument("the Finvoice document's XML declaration names the encoding '" +
                                  name + "', which is not an encoding name (XML 1.0 EncName)");
  }
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.starts_with("UTF-16") || upper.starts_with("UTF-32") || upper.starts_with("UCS") ||
      upper.starts_with("EBCDIC") || upper.starts_with("IBM0")) {
    return Error::InvalidArgument("the Finvoice document is in " + name +
                                  ", which the ASCII SOAP frame cannot precede in one body; write "
                                  "it in ISO-8859-15 or UTF-8");
  }
  return name;
}

Answer ReadAnswer(std::string_view body) {
  Answer answer;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    answer.text = "the answer is empty";
    return answer;
  }
  xml::ParseLimits limits;
  limits.max_bytes = 1024 * 1024;
  limits.max_depth = 64;
  auto parsed = xml::Document::Parse(body, limits);
  if (!parsed) {
    const Error& e = parsed.error();
    answer.text = Clean("the answer is not well-formed XML: " +
                        (e.findings().empty() ? e.message() : e.findings().front().message));
    return answer;
  }
  const xml::Document& doc = *parsed;
  Reader r(doc);
  xml::NodeId root = doc.document_element();
  std::string_view ns = doc.namespace_uri(root);
  if (doc.local_name(root) != "Envelope" || (ns != kSoap11Ns && ns != kSoap12Ns)) {
    answer.text = Clean("the answer is " + std::string(doc.local_name(root)) + " in namespace '" +
                        std::string(ns) + "', not a SOAP envelope");
    return answer;
  }
  xml::NodeId header = r.Child(root, ns, "Header");
  if (ReadFault(r, r.Child(root, ns, "Body"), ns, answer)) return answer;
  if (ReadErrorList(r, header, answer)) return answer;

  xml::NodeId message_header = r.Child(header, kEbXmlNs, "MessageHeader");
  xml::NodeId data = r.Child(message_header, kEbXmlNs, "MessageData");
  answer.message_id = Clean(r.Text(r.Child(data, kEbXmlNs, "MessageId")));
  std::vector<std::string> refs;
  if (r.Text(r.Child(message_header, kEbXmlNs, "Action")) == "Acknowledgment") {
    refs.push_back(r.Text(r.Child(data, kEbXmlNs, "RefToMessageId")));
  }
  if (xml::NodeId ack = r.Child(header, kEbXmlNs, "Acknowledgment"); ack != xml::kNoNode) {
    refs.push_back(r.Text(r.Child(ack, kEbXmlNs, "RefToMessageId")));
  }
  if (refs.empty()) {
    answer.text = message_header == xml::kNoNode
                      ? "the SOAP envelope has neither an eb:MessageHeader nor an eb:Acknowledgment"
                      : Clean("the eb:MessageHeader's Action is '" +
                              r.Text(r.Child(message_header, kEbXmlNs, "Action")) +
                              "', not Acknowledgment, and there is no eb:Acknowledgment");
    return answer;
  }
  for (const std::string& ref : refs) {
    if (ref.empty()) {
      answer.text =
          "the acknowledgement has no RefToMessageId: it does not say which message it "
          "acknowledges";
      return answer;
    }
    if (ref != refs.front()) {
      answer.text = Clean("the acknowledgement refers to two messages: '" + refs.front() +
                          "' in MessageData/RefToMessageId and '" + ref + "' in eb:Acknowledgment");
      return answer;
    }
  }
  answer.kind = Answer::Kind::kAcknowledgment;
  answer.ref_to_message_id = refs.front();
  return answer;
}

}  // namespace gw::operators::finvoice_soap
