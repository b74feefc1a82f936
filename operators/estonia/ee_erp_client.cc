#include "operators/estonia/ee_erp_client.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <set>

#include "formats/core/date_time.h"
#include "formats/xml/xml_document.h"
#include "formats/xml/xml_writer.h"

namespace gw::operators {
namespace {

namespace xml = formats::xml;
using xml::kNoNode;
using xml::NodeId;

// The WSDL's namespaces: SOAP 1.1, the service's types, and the e-invoice's (which the standard
// itself does not use: its E_Invoice has no namespace).
constexpr std::string_view kSoapNs = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr std::string_view kEInvoiceNs = "http://www.pangaliit.ee/arveldused/e-arve/";
constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";
constexpr const char* kEnvelopeStart =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:erp=\"http://e-arvetekeskus.eu/erp\"><soapenv:Body>";
constexpr const char* kEnvelopeEnd = "</soapenv:Body></soapenv:Envelope>";
// How much of an operator's message an error or receipt line quotes.
constexpr size_t kQuoteBytes = 300;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Escaped(std::string_view text) {
  std::string out;
  xml::XmlWriter::Escape(out, text, /*attribute=*/true);
  return out;
}

// Children are looked up by local name whatever their namespace: the WSDL qualifies the answers'
// child elements (elementFormDefault="qualified"), but answers and the E_Invoice inside them are
// seen both ways.
NodeId Child(const xml::Document& doc, NodeId parent, std::string_view local) {
  if (parent == kNoNode) return kNoNode;
  for (NodeId c = doc.node(parent).first_child; c != kNoNode; c = doc.node(c).next_sibling) {
    if (doc.node(c).kind == xml::NodeKind::kElement && doc.local_name(c) == local) return c;
  }
  return kNoNode;
}

std::vector<NodeId> Children(const xml::Document& doc, NodeId parent, std::string_view local) {
  std::vector<NodeId> out;
  if (parent == kNoNode) return out;
  for (NodeId c = doc.node(parent).first_child; c != kNoNode; c = doc.node(c).next_sibling) {
    if (doc.node(c).kind == xml::NodeKind::kElement && doc.local_name(c) == local) out.push_back(c);
  }
  return out;
}

std::string Text(const xml::Document& doc, NodeId node) {
  return node == kNoNode ? std::string() : std::string(Trim(doc.StringValue(node)));
}

// An unqualified attribute (the WSDL: attributeFormDefault="unqualified").
std::string Attr(const xml::Document& doc, NodeId element, std::string_view local) {
  if (element == kNoNode) return {};
  for (NodeId a = doc.node(element).first_attribute; a != kNoNode; a = doc.node(a).next_sibling) {
    if (doc.local_name(a) == local && doc.namespace_uri(a).empty())
      return std::string(Trim(doc.node(a).value));
  }
  return {};
}

// Writes the subtree of `id` as XML. Elements of the e-invoice namespace are written without one,
// the form of the standard and of formats/eeinvoice; anything else keeps its namespace.
void Serialize(const xml::Document& doc, NodeId id, std::string_view parent_ns, std::string& out) {
  const xml::Node& n = doc.node(id);
  if (n.kind == xml::NodeKind::kText) {
    xml::XmlWriter::Escape(out, n.value, /*attribute=*/false);
    return;
  }
  std::string_view ns = doc.namespace_uri(id);
  if (ns == kEInvoiceNs) ns = "";
  const std::string_view local = doc.local_name(id);
  out += '<';
  out += local;
  if (ns != parent_ns) out += " xmlns=\"" + Escaped(ns) + "\"";
  int prefixes = 0;
  for (NodeId a = n.first_attribute; a != kNoNode; a = doc.node(a).next_sibling) {
    const std::string_view ans = doc.namespace_uri(a);
    out += ' ';
    if (ans == kXmlNs) {
      out += "xml:";
    } else if (!ans.empty()) {
      const std::string prefix = "a" + std::to_string(prefixes++);
      out += "xmlns:" + prefix + "=\"" + Escaped(ans) + "\" " + prefix + ":";
    }
    out += doc.local_name(a);
    out += "=\"" + Escaped(doc.node(a).value) + "\"";
  }
  if (n.first_child == kNoNode) {
    out += "/>";
    return;
  }
  out += '>';
  for (NodeId c = n.first_child; c != kNoNode; c = doc.node(c).next_sibling)
    Serialize(doc, c, ns, out);
  out += "</";
  out += local;
  out += '>';
}

// One Invoice of an export answer as a file of its own, with the Footer the 1.2 standard requires
// (the WSDL's older E_Invoice has none): one invoice, its TotalSum.
std::string StandaloneFile(const xml::Document& doc, NodeId header, NodeId invoice) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<E_Invoice>\n";
  if (header != kNoNode) Serialize(doc, header, "", out);
  out += '\n';
  Serialize(doc, invoice, "", out);
  std::string total = Text(doc, Child(doc, Child(doc, invoice, "InvoiceSumGroup"), "TotalSum"));
  out += "\n<Footer><TotalNumberInvoices>1</TotalNumberInvoices><TotalAmount>" +
         Escaped(total.empty() ? "0.00" : total) + "</TotalAmount></Footer>\n</E_Invoice>\n";
  return out;
}

// An Estonian registry code from "0191:<code>", "EE:<code>" or "<code>"; "" and `why` otherwise.
std::string RegistryCode(std::string_view id, std::string& why) {
  std::string_view value = id;
  if (size_t colon = id.find(':'); colon != std::string_view::npos) {
    const std::string scheme = Lower(id.substr(0, colon));
    if (scheme != "0191" && scheme != "ee") {
      why = "scheme '" + std::string(id.substr(0, colon)) +
            "' is not the Estonian company registry (0191); the operator answers only for Estonian "
            "registry codes";
      return {};
    }
    value = id.substr(colon + 1);
  }
  bool digits = !value.empty() && value.size() <= 15;
  for (char c : value) digits = digits && c >= '0' && c <= '9';
  if (!digits) {
    why =
        "'" + std::string(value) + "' is not a registry code (1 to 15 digits, e.g. 0191:12345678)";
    return {};
  }
  return std::string(value);
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool ReadableFile(const std::string& path) { return std::ifstream(path, std::ios::binary).good(); }

std::string WithoutPhrase(std::string text, const std::string& phrase) {
  if (phrase.empty()) return text;
  for (size_t at = text.find(phrase); at != std::string::npos; at = text.find(phrase, at)) {
    text.replace(at, phrase.size(), "[auth phrase]");
  }
  return text;
}

// Whether an error answer to EInvoiceRequest says the operator already has the file or invoice.
// The WSDL defines no code for it ("0 indicates successful transmission, any other integer
// indicates an error code"), so the configured codes count, and so do the words operators use.
bool SaysDuplicate(long code, const std::string& message, const std::vector<long>& codes) {
  for (long c : codes) {
    if (c == code) return true;
  }
  const std::string text = Lower(message);
  for (const char* words :
       {"duplicate", "already exist", "already received", "already been received",
        "already been sent", "juba olemas", "juba saadetud", "topelt"}) {
    if (text.find(words) != std::string::npos) return true;
  }
  return false;
}

// The E_Invoice element of a document to send, and what names it in receipts and errors.
struct OutgoingFile {
  std::string_view element;  // from its start tag to its end tag, as the writer wrote it
  std::string file_id;       // Header/FileId
  std::string invoices;      // Invoice/@invoiceId, comma-separated
};

Result<OutgoingFile> PrepareFile(std::string_view text, const std::string& what) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  // The element is copied into a UTF-8 request, so the document must be UTF-8 too.
  if (text.starts_with("<?xml")) {
    const std::string_view declaration = text.substr(0, text.find("?>"));
    if (size_t at = declaration.find("encoding"); at != std::string_view::npos) {
      const size_t open = declaration.find_first_of("\"'", at);
      const size_t close =
          open == std::string_view::npos ? open : declaration.find(declaration[open], open + 1);
      const std::string encoding = close == std::string_view::npos
                                       ? ""
                                       : Lower(declaration.substr(open + 1, close - open - 1));
      if (encoding != "utf-8" && encoding != "utf8") {
        return Error::InvalidArgument(what + ": the document declares encoding '" +
                                      std::string(declaration.substr(open + 1, close - open - 1)) +
                                      "'; the request is UTF-8: write the E_Invoice in UTF-8");
      }
    }
  }
  auto doc = xml::Document::Parse(text);
  if (!doc) {
    const auto& findings = doc.error().findings();
    return Error::InvalidArgument(what + ": the document cannot be sent: " +
                                  (findings.empty() ? doc.error().message() : findings[0].message));
  }
  const NodeId root = doc->document_element();
  if (doc->local_name(root) != "E_Invoice") {
    return Error::InvalidArgument(
        what + ": the document's root element is " + std::string(doc->local_name(root)) +
        ", not E_Invoice; the operator takes Estonian e-invoice 1.2 files");
  }
  const std::string_view tag = xml::RootStartTag(text);
  const size_t start = static_cast<size_t>(tag.data() - text.data()) - 1;  // its '<'
  OutgoingFile file;
  file.element = Trim(text.substr(start));
  file.file_id = Text(*doc, Child(*doc, Child(*doc, root, "Header"), "FileId"));
  for (NodeId invoice : Children(*doc, root, "Invoice")) {
    file.invoices += (file.invoices.empty() ? "" : ", ") + Attr(*doc, invoice, "invoiceId");
  }
  return file;
}

}  // namespace

struct EeErpClient::Answer {
  std::string body;  // the SOAP answer as received
  xml::Document doc;
  NodeId element;  // the Body's child the operation answers with
};

EeErpClient::EeErpClient(OperatorSettings settings, std::string url, std::string auth_phrase,
                         std::vector<long> duplicate_codes, HttpOptions http)
    : OperatorClient(std::move(settings)),
      url_(std::move(url)),
      auth_phrase_(std::move(auth_phrase)),
      duplicate_codes_(std::move(duplicate_codes)),
      http_(std::make_unique<HttpClient>(std::move(http))) {}

Result<std::unique_ptr<OperatorClient>> EeErpClient::Make(const OperatorSettings& settings,
                                                          const ClientContext&) {
  auto client = Create(settings);
  if (!client) return std::move(client).error();
  return std::unique_ptr<OperatorClient>(std::move(*client));
}

Result<std::unique_ptr<EeErpClient>> EeErpClient::Create(const OperatorSettings& s) {
  std::vector<Finding> findings;
  auto bad = [&](const std::string& key, const std::string& message) {
    const std::string where = "operator." + s.id + "." + key;
    findings.push_back(Finding{"config", Finding::Severity::kFatal, where, where + ": " + message});
  };
  const std::string url = s.url.empty() ? s.Get("url") : s.url;
  if (url.empty()) {
    bad("url", "missing; give the operator's ErpDataExchange SOAP endpoint (https://...)");
  } else if (!url.starts_with("https://") && !url.starts_with("http://")) {
    bad("url", "'" + url + "' is not an http:// or https:// URL");
  }
  const std::string phrase = s.Get("auth_phrase");
  if (phrase.empty()) {
    bad("auth_phrase",
        "missing; put the auth phrase generated in the operator's web application (Settings -> "
        "ERP data exchange) into a file and name it with auth_phrase_file");
  } else if (size_t length = Utf8Length(phrase); length > 100) {  // AuthPhraseType: maxLength 100
    bad("auth_phrase", "has " + std::to_string(length) +
                           " characters, the operator's limit is 100; check "
                           "that auth_phrase_file holds only the phrase");
  } else {
    for (unsigned char c : phrase) {
      if (c < 0x20) {
        bad("auth_phrase",
            "contains a control character (a line break inside the file?); it cannot be sent");
        break;
      }
    }
  }
  HttpOptions http = HttpOptionsFor(s);
  if (s.timeout_ms <= 0) bad("timeout_ms", "must be a positive number of milliseconds");
  if (s.connect_timeout_ms <= 0)
    bad("connect_timeout_ms", "must be a positive number of milliseconds");
  if (!http.ca_file.empty() && !ReadableFile(http.ca_file))
    bad("ca_file", "cannot read " + http.ca_file);
  if (http.client_cert.empty() != http.client_key.empty()) {
    bad(http.client_cert.empty() ? "client_cert" : "client_key",
        "client_cert and client_key go together");
  }
  for (const char* key : {"client_cert", "client_key"}) {
    const std::string path = s.Get(key);
    if (!path.empty() && !ReadableFile(path)) bad(key, "cannot read " + path);
  }
  std::vector<long> duplicate_codes;
  const std::string codes = s.Get("duplicate_codes");
  for (size_t at = 0; at < codes.size();) {
    size_t comma = codes.find(',', at);
    if (comma == std::string::npos) comma = codes.size();
    const std::string_view item = Trim(std::string_view(codes).substr(at, comma - at));
    long code = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), code);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size()) {
      bad("duplicate_codes", "'" + std::string(item) +
                                 "' is not an integer; list the operator's ErrorCodes that "
                                 "mean \"already received\", separated by commas");
    } else {
      duplicate_codes.push_back(code);
    }
    at = comma + 1;
  }
  for (const std::string& f : s.formats) {
    if (f != "ee-einvoice")
      bad("formats", "'" + f + "': the ee-erp protocol sends only ee-einvoice (E_Invoice) files");
  }
  if (!findings.empty()) {
    std::string message;
    for (const Finding& f : findings) message += (message.empty() ? "" : "; ") + f.message;
    return Error::InvalidInput(message, std::move(findings));
  }
  // The phrase lives only in auth_phrase_, not in the settings() everyone can read.
  OperatorSettings kept = s;
  kept.settings.erase("auth_phrase");
  return std::unique_ptr<EeErpClient>(
      new EeErpClient(std::move(kept), url, phrase, std::move(duplicate_codes), std::move(http)));
}

std::string EeErpClient::Who() const { return "operator " + settings().id + " (ee-erp)"; }

// The operator's text for a message or receipt: the auth phrase replaced (an operator that echoes
// the request must not leak it into logs), on one line, at most kQuoteBytes.
std::string EeErpClient::Scrub(std::string_view operator_text) const {
  std::string text = WithoutPhrase(std::string(Trim(operator_text)), auth_phrase_);
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (text.size() > kQuoteBytes) {
    size_t cut = kQuoteBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
      --cut;  // not inside a character
    text = text.substr(0, cut) + "...";
  }
  return text;
}

Result<EeErpClient::Answer> EeErpClient::Call(const char* operation, const char* expected,
                                              const std::string& envelope) {
  const std::string where = Who() + " " + operation;
  // SOAP 1.1 over HTTP: text/xml and a SOAPAction header; the WSDL's soapAction is "" (the
  // service dispatches on the Body's element).
  auto sent = http_->Post(
      url_, {{"Content-Type", "text/xml; charset=utf-8"}, {"SOAPAction", "\"\""}}, envelope);
  if (!sent) return Error::Unavailable(where + ": " + sent.error().message() + " (retried)");
  const HttpResponse& r = *sent;
  const std::string status = "HTTP " + std::to_string(r.status);
  auto doc = xml::Document::Parse(r.body);
  NodeId body = kNoNode;
  if (doc) {
    const NodeId root = doc->document_element();
    if (doc->local_name(root) == "Envelope" && doc->namespace_uri(root) == kSoapNs)
      body = Child(*doc, root, "Body");
  }
  // A fault comes with HTTP 500 (SOAP 1.1 section 6.2); faultcode Client means the request is
  // wrong and will be refused again, Server that the operator failed and may succeed later
  // (section 4.4.1). Other codes (VersionMismatch, MustUnderstand) will not mend themselves.
  const NodeId fault = body == kNoNode ? kNoNode : Child(*doc, body, "Fault");
  if (fault != kNoNode) {
    const std::string code = Text(*doc, Child(*doc, fault, "faultcode"));
    const std::string text = Scrub(Text(*doc, Child(*doc, fault, "faultstring")));
    const std::string kind =
        code.substr(code.find(':') == std::string::npos ? 0 : code.find(':') + 1);
    if (kind.starts_with("Server")) {
      return Error::Unavailable(where + ": the operator failed (" + status + ", SOAP fault " +
                                code + "): " + text + " (retried)");
    }
    const std::string hint = Lower(text).find("auth") != std::string::npos
                                 ? "check the auth phrase in operator." + settings().id +
                                       ".auth_phrase_file against the operator's ERP settings"
                                 : "the operator will refuse this request again as it stands";
    return Error::FailedPrecondition(where + ": the operator refused the request (" + status +
                                     ", SOAP fault " + code + "): " + text + "; " + hint);
  }
  if (r.status == 401 || r.status == 403) {
    return Error::FailedPrecondition(where + ": the operator refused access (" + status +
                                     "); check operator." + settings().id + ".url and operator." +
                                     settings().id + ".auth_phrase_file");
  }
  if (r.status >= 500 || r.status == 408 || r.status == 429) {
    return Error::Unavailable(where + ": the operator answered " + status + ": " + Scrub(r.body) +
                              " (retried)");
  }
  if (r.status < 200 || r.status >= 300) {
    return Error::FailedPrecondition(where + ": the operator answered " + status +
                                     "; check operator." + settings().id +
                                     ".url (the ErpDataExchange SOAP endpoint)");
  }
  // A 2xx we cannot read: the operator misbehaved; retrying is safe (duplicates are detected).
  if (!doc) {
    const auto& findings = doc.error().findings();
    return Error::Unavailable(where + ": the answer (" + status + ") is not XML: " +
                              (findings.empty() ? doc.error().message() : findings[0].message) +
                              " (retried)");
  }
  if (body == kNoNode) {
    return Error::Unavailable(
        where + ": the answer (" + status + ") is not a SOAP 1.1 envelope (root element " +
        std::string(doc->local_name(doc->document_element())) + ") (retried)");
  }
  const NodeId element = Child(*doc, body, expected);
  if (element == kNoNode) {
    return Error::Unavailable(where + ": the answer (" + status + ") has no " + expected +
                              " in its Body (retried)");
  }
  return Answer{r.body, std::move(*doc), element};
}

Result<Receipt> EeErpClient::Deliver(const Delivery& d) {
  const std::string what = Who() + ": message " + d.message_id;
  if (d.format != "ee-einvoice") {
    return Error::InvalidArgument(
        what + " is in format '" + d.format +
        "'; the operator takes only ee-einvoice (E_Invoice) files: write it as ee-einvoice "
        "or route the recipient to another operator");
  }
  auto file = PrepareFile(d.document, what);
  if (!file) return std::move(file).error();
  std::string envelope = kEnvelopeStart;
  envelope += "<erp:EInvoiceRequest authPhrase=\"" + Escaped(auth_phrase_) + "\">";
  envelope += file->element;
  envelope += "</erp:EInvoiceRequest>";
  envelope += kEnvelopeEnd;
  auto answer = Call("EInvoice", "EInvoiceResponse", envelope);
  if (!answer) return std::move(answer).error();
  const xml::Document& doc = answer->doc;
  const std::string code_text = Text(doc, Child(doc, answer->element, "ErrorCode"));
  const std::string message = Scrub(Text(doc, Child(doc, answer->element, "Message")));
  long code = 0;
  auto [end, ec] = std::from_chars(code_text.data(), code_text.data() + code_text.size(), code);
  if (code_text.empty() || ec != std::errc() || end != code_text.data() + code_text.size()) {
    return Error::Unavailable(Who() + " EInvoice: the answer's ErrorCode '" + Scrub(code_text) +
                              "' is not an integer (retried)");
  }
  const std::string sent =
      "file " + file->file_id + " (invoice " + file->invoices + ") for " + d.recipient;
  const std::string said = "ErrorCode " + std::to_string(code) + " \"" + message + "\"";
  Receipt receipt{"", WithoutPhrase(answer->body, auth_phrase_), "text/xml"};
  if (code == 0) {
    receipt.detail = Who() + " took " + sent + ": " + said;
    return receipt;
  }
  if (SaysDuplicate(code, message, duplicate_codes_)) {
    receipt.detail =
        Who() + " already had " + sent + " (" + said + "): counted as delivered, not sent twice";
    return receipt;
  }
  return Error::InvalidArgument(Who() + " refused " + sent + ": " + said +
                                "; it will refuse it again: correct the document or the recipient");
}

Result<std::vector<ReceiverInfo>> EeErpClient::CheckRecipients(
    const std::vector<std::string>& ids) {
  if (ids.size() > kMaxCompanies) {
    return Error::InvalidArgument(Who() + ": " + std::to_string(ids.size()) +
                                  " recipients asked at once; CompanyStatusRequest takes at most " +
                                  std::to_string(kMaxCompanies) + ": ask in batches");
  }
  std::vector<std::string> codes;
  std::vector<Finding> findings;
  for (size_t i = 0; i < ids.size(); ++i) {
    std::string why;
    codes.push_back(RegistryCode(ids[i], why));
    if (codes.back().empty()) {
      findings.push_back(Finding{"ee-erp.recipient", Finding::Severity::kFatal,
                                 "ids[" + std::to_string(i) + "]",
                                 "recipient '" + ids[i] + "': " + why});
    }
  }
  if (!findings.empty()) {
    const std::string message =
        Who() + ": " + std::to_string(findings.size()) +
        " of the recipients asked are not Estonian registry codes; the first: " +
        findings[0].message;
    return Error::InvalidInput(message, std::move(findings));
  }
  if (ids.empty()) return std::vector<ReceiverInfo>{};
  std::string envelope = kEnvelopeStart;
  envelope += "<erp:CompanyStatusRequest authPhrase=\"" + Escaped(auth_phrase_) + "\">";
  std::set<std::string> asked;
  for (const std::string& code : codes) {
    if (asked.insert(code).second) envelope += "<erp:RegNumber>" + code + "</erp:RegNumber>";
  }
  envelope += "</erp:CompanyStatusRequest>";
  envelope += kEnvelopeEnd;
  auto answer = Call("CompanyStatus", "CompanyStatusResponse", envelope);
  if (!answer) return std::move(answer).error();
  std::set<std::string> active;
  for (NodeId company : Children(answer->doc, answer->element, "CompanyActive")) {
    if (Text(answer->doc, company) == "YES") active.insert(Attr(answer->doc, company, "regNumber"));
  }
  std::vector<ReceiverInfo> out;
  for (const std::string& code : codes) {
    ReceiverInfo info;
    info.id = "0191:" + code;
    info.accepts = active.count(code) > 0;
    info.channel = "direct";
    if (info.accepts) {
      info.document_types = {"invoice", "credit_note"};  // E_Invoice carries both (Type DEB / CRE)
      info.formats =
          settings().formats.empty() ? std::vector<std::string>{"ee-einvoice"} : settings().formats;
    }
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<ExportedInvoice>> EeErpClient::ExportReceived(const std::string& since_rfc3339) {
  int64_t since_ms = 0;
  if (!ParseDateTime(since_rfc3339, since_ms)) {
    return Error::InvalidArgument(
        Who() + ": since '" + since_rfc3339 +
        "' is not an RFC 3339 date-time with a zone, e.g. 2026-11-27T18:01:02Z");
  }
  std::string since = FormatDateTime(since_ms);
  if (since.ends_with(".000Z")) since = since.substr(0, since.size() - 5) + "Z";
  std::vector<ExportedInvoice> out;
  std::set<std::string> seen;
  for (int page = 0; page < kMaxExportPages; ++page) {
    // No state elements: then the operator returns the invoices sent to the ERP after `since`
    // (BuyInvoiceReqType/@since), i.e. those received since.
    std::string envelope = kEnvelopeStart;
    envelope += "<erp:BuyInvoiceExportRequest since=\"" + Escaped(since) + "\" authPhrase=\"" +
                Escaped(auth_phrase_) + "\"/>";
    envelope += kEnvelopeEnd;
    auto answer = Call("BuyInvoiceExport", "BuyInvoiceExportResponse", envelope);
    if (!answer) return std::move(answer).error();
    const xml::Document& doc = answer->doc;
    const std::string latest = Attr(doc, answer->element, "latestChange");
    const NodeId file = Child(doc, answer->element, "E_Invoice");
    const NodeId header = Child(doc, file, "Header");
    for (NodeId invoice : Children(doc, file, "Invoice")) {
      ExportedInvoice e;
      e.operator_invoice_id = Attr(doc, invoice, "invoiceId");
      if (!e.operator_invoice_id.empty() && !seen.insert(e.operator_invoice_id).second) continue;
      const NodeId information = Child(doc, invoice, "InvoiceInformation");
      e.invoice_number = Text(doc, Child(doc, information, "InvoiceNumber"));
      e.invoice_date = Text(doc, Child(doc, information, "InvoiceDate"));
      e.seller_reg_number = Attr(doc, invoice, "sellerRegnumber");
      e.buyer_reg_number = Attr(doc, invoice, "regNumber");
      e.file_id = Text(doc, Child(doc, header, "FileId"));
      e.latest_change = latest;
      e.document = StandaloneFile(doc, header, invoice);
      out.push_back(std::move(e));
    }
    if (Attr(doc, answer->element, "includesLatest") != "NO") return out;
    // More follow from latestChange on; an answer that does not move it forward would loop.
    int64_t latest_ms = 0;
    const bool later = ParseDateTime(latest, latest_ms) ? latest_ms > since_ms
                                                        : !latest.empty() && latest != since;
    if (!later) {
      return Error::FailedPrecondition(Who() +
                                       " BuyInvoiceExport: the answer says more invoices follow "
                                       "(includesLatest=\"NO\") but its latestChange '" +
                                       Scrub(latest) + "' is not after since '" + since +
                                       "'; ask the operator");
    }
    since = latest;
    if (ParseDateTime(latest, latest_ms)) since_ms = latest_ms;
  }
  // Bounded work per call: the caller continues from the last invoice's latest_change.
  return out;
}

Result<FetchedBatch> EeErpClient::FetchInbound(const std::string& since) {
  auto invoices = ExportReceived(since.empty() ? "2000-01-01T00:00:00Z" : since);
  if (!invoices) return invoices.error();
  FetchedBatch batch;
  batch.next_since = since;
  for (auto& inv : *invoices) {
    FetchedDocument d;
    d.message_id = settings().id + ":" + inv.operator_invoice_id;
    d.sender = "0191:" + inv.seller_reg_number;
    d.recipient = "0191:" + inv.buyer_reg_number;
    d.document_type = "invoice";
    d.format = "ee-einvoice";
    d.document = std::move(inv.document);
    if (!inv.latest_change.empty()) batch.next_since = inv.latest_change;
    batch.documents.push_back(std::move(d));
  }
  return batch;
}

}  // namespace gw::operators
