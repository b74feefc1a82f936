#include "operators/finvoice_soap/finvoice_soap_client.h"

#include <chrono>
#include <fstream>

#include "formats/core/date_time.h"
#include "formats/core/participant_id.h"
#include "formats/xml/xml_document.h"
#include "operators/finvoice_soap/finvoice_soap_message.h"

namespace gw::operators {
namespace {

namespace soap = finvoice_soap;

// Acknowledgements are small; a larger answer is not one (HttpClient then fails retryably).
constexpr size_t kMaxAnswerBytes = 1024 * 1024;

Error BadKey(const OperatorSettings& s, const std::string& key, const std::string& what) {
  return Error::InvalidArgument("operator." + s.id + "." + key + ": " + what);
}

// An intermediator id or CPAId goes into the ASCII frame.
bool PrintableAscii(const std::string& value) {
  for (unsigned char c : value)
    if (c < 0x20 || c > 0x7E) return false;
  return true;
}

Status CheckReadable(const OperatorSettings& s, const std::string& key) {
  const std::string path = s.Get(key);
  if (path.empty()) return OkStatus();
  if (!std::ifstream(path, std::ios::binary)) {
    return BadKey(s, key,
                  "cannot read the file '" + path + "'; give the path of a readable PEM file");
  }
  return OkStatus();
}

Status CheckPartyId(const OperatorSettings& s, const std::string& key, const char* example) {
  const std::string value = s.Get(key);
  if (value.empty()) {
    return BadKey(s, key,
                  std::string("missing: the finvoice-soap protocol needs it for the frame's ") +
                      (key == "sender_intermediator" ? "eb:From" : "eb:To") +
                      " Role Intermediator (an operator id or bank BIC, e.g. " + example + ")");
  }
  // Finvoice's FromIntermediator/ToIntermediator: 2 to 35 characters.
  if (value.size() < 2 || value.size() > 35 || !PrintableAscii(value) ||
      value.find(' ') != std::string::npos) {
    return BadKey(s, key,
                  "'" + value +
                      "' is not an intermediator id: 2 to 35 printable ASCII characters without "
                      "spaces (an operator id or bank BIC, e.g. " +
                      example + ")");
  }
  return OkStatus();
}

// The value of a "scheme:value" address: the frame's PartyId carries the e-invoice address alone
// (OVT code or IBAN), as Finvoice's FromIdentifier/ToIdentifier do.
Result<std::string> AddressValue(const char* role, const std::string& id) {
  size_t colon = id.find(':');
  auto parsed = colon == std::string::npos
                    ? Result<ParticipantId>(Error::InvalidArgument("no ':'"))
                    : ParticipantId::FromDocument(id.substr(0, colon), id.substr(colon + 1));
  if (!parsed) {
    return Error::InvalidArgument(
        std::string("the delivery's ") + role + " '" + id +
        "' is not a scheme:value address (e.g. 0037:003712345678): " + parsed.error().message());
  }
  return parsed->value();
}

std::string Excerpt(std::string_view body) {
  std::string out;
  for (unsigned char c : body.substr(0, 300))
    out += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
  return body.size() > 300 ? out + "..." : out;
}

// A failure of HttpClient (connection, TLS, timeout), with what configuration can mend: HttpClient
// passes on curl's text only, not its error code.
Error TransportError(const OperatorSettings& s, const std::string& message_id,
                     const std::string& where, Error error) {
  std::string message = error.message();
  const std::string prefix = "POST " + s.url + ": ";  // HttpClient's; `where` names the URL already
  if (message.starts_with(prefix)) message.erase(0, prefix.size());
  const bool has_cert = !s.Get("client_cert").empty();
  if (message.find("SSL") != std::string::npos ||
      message.find("certificate") != std::string::npos ||
      message.find("TLS") != std::string::npos) {
    message += " (TLS: check that operator." + s.id +
               ".ca_file holds the CA that issued the operator's server "
               "certificate" +
               (has_cert ? ", and that the operator accepts our client_cert)"
                         : "; an operator that requires a TLS client certificate needs client_cert "
                           "and client_key)");
  } else if (!has_cert && (message.find("data from the peer") != std::string::npos ||
                           message.find("data to the peer") != std::string::npos)) {
    // A TLS 1.3 server refuses a missing client certificate after the handshake, by closing: curl
    // then fails sending the request or receiving the answer, depending on timing.
    message += " (if the operator requires a TLS client certificate, configure operator." + s.id +
               ".client_cert and client_key)";
  }
  return Error(error.code(), "message " + message_id + " to " + where + ": " + message,
               error.retryable());
}

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

FinvoiceSoapClient::FinvoiceSoapClient(OperatorSettings settings, HttpOptions options, Clock clock)
    : OperatorClient(std::move(settings)), http_(std::move(options)), clock_(std::move(clock)) {}

Result<std::unique_ptr<OperatorClient>> FinvoiceSoapClient::Make(const OperatorSettings& settings,
                                                                 const ClientContext&) {
  auto client = Create(settings, SystemNow);
  if (!client) return std::move(client).error();
  return std::unique_ptr<OperatorClient>(std::move(client).value());
}

Result<std::unique_ptr<FinvoiceSoapClient>> FinvoiceSoapClient::Create(const OperatorSettings& s,
                                                                       Clock clock) {
  const std::string& url = s.url;
  const bool https = url.starts_with("https://") && url.size() > 8;
  const bool allow_http = s.Get("allow_http") == "true";
  if (url.empty())
    return BadKey(s, "url", "missing: give the operator's HTTPS endpoint (https://host/path)");
  if (!https) {
    if (!(allow_http && url.starts_with("http://") && url.size() > 7)) {
      return BadKey(s, "url",
                    "'" + url +
                        "' is not an https:// URL; invoices and the client certificate must "
                        "travel over TLS (plain http:// only with allow_http = true, for tests)");
    }
  }
  if (s.settings.contains("allow_http") && s.Get("allow_http") != "true" &&
      s.Get("allow_http") != "false")
    return BadKey(s, "allow_http", "'" + s.Get("allow_http") + "' is not true or false");
  if (s.timeout_ms <= 0)
    return BadKey(s, "timeout_ms", "must be a positive number of milliseconds");
  if (s.connect_timeout_ms <= 0)
    return BadKey(s, "connect_timeout_ms", "must be a positive number of milliseconds");
  GW_RETURN_IF_ERROR(CheckReadable(s, "ca_file"));
  GW_RETURN_IF_ERROR(CheckReadable(s, "client_cert"));
  GW_RETURN_IF_ERROR(CheckReadable(s, "client_key"));
  if (s.Get("client_cert").empty() != s.Get("client_key").empty()) {
    const std::string missing = s.Get("client_cert").empty() ? "client_cert" : "client_key";
    return BadKey(s, missing,
                  "missing: a TLS client certificate needs both client_cert and client_key (PEM)");
  }
  GW_RETURN_IF_ERROR(CheckPartyId(s, "sender_intermediator", "003723327487 or HELSFIHH"));
  GW_RETURN_IF_ERROR(CheckPartyId(s, "receiver_intermediator", "NDEAFIHH"));
  const std::string cpa = s.Get("cpa_id", std::string(soap::kDefaultCpaId));
  if (cpa.empty() || !PrintableAscii(cpa))
    return BadKey(
        s, "cpa_id",
        "must be printable ASCII and not empty (default " + std::string(soap::kDefaultCpaId) + ")");
  HttpOptions options = HttpOptionsFor(s);
  return std::unique_ptr<FinvoiceSoapClient>(
      new FinvoiceSoapClient(s, std::move(options), std::move(clock)));
}

Result<Receipt> FinvoiceSoapClient::Deliver(const Delivery& d) {
  const OperatorSettings& s = settings();
  const std::string where = "operator " + s.id + " (finvoice-soap, " + s.url + ")";
  auto refuse = [&](const std::string& what) {
    return Error::InvalidArgument("message " + d.message_id + " cannot go to " + where + ": " +
                                  what);
  };
  if (d.message_id.empty()) return refuse("the delivery has no message id");
  if (d.format != "finvoice") {
    return refuse("the document is in format '" + d.format +
                  "'; this protocol carries Finvoice only (format "
                  "finvoice): list only finvoice in operator." +
                  s.id + ".formats");
  }
  std::string_view root = formats::xml::RootLocalName(d.document);
  if (root == "Envelope") {
    return refuse(
        "the document already starts with a SOAP envelope; give the Finvoice document without its "
        "frame (the client writes the frame)");
  }
  if (root != "Finvoice") {
    return refuse("the document's root element is '" + std::string(root) + "', not Finvoice");
  }
  auto sender = AddressValue("sender", d.sender);
  if (!sender) return refuse(sender.error().message());
  auto receiver = AddressValue("recipient", d.recipient);
  if (!receiver) return refuse(receiver.error().message());
  auto charset = soap::DeclaredCharset(d.document);
  if (!charset) return refuse(charset.error().message());

  soap::Frame frame;
  frame.sender = *sender;
  frame.sender_intermediator = s.Get("sender_intermediator");
  frame.receiver = *receiver;
  frame.receiver_intermediator = s.Get("receiver_intermediator");
  frame.cpa_id = s.Get("cpa_id", std::string(soap::kDefaultCpaId));
  frame.message_id = d.message_id;
  frame.timestamp = FormatDateTime(clock_());
  auto written = soap::WriteFrame(frame);
  if (!written) return refuse(written.error().message());

  // The Finvoice transmission file as the bank channel has it: the frame, then the document's
  // bytes as they are (re-encoding could change what the sender signed or archived).
  std::string body = std::move(written).value();
  body.append(d.document);
  // SOAPAction: ebMS 2.0 appendix B.2.2 requires the value "ebXML" (quoted, SOAP 1.1 section
  // 6.1.1); no Finnish bank publishes another one for this frame.
  auto response = http_.Send("POST", s.url,
                             {{"Content-Type", "text/xml; charset=" + *charset},
                              {"SOAPAction", "\"ebXML\""},
                              {"Accept", "text/xml"}},
                             body, kMaxAnswerBytes);
  if (!response) return TransportError(s, d.message_id, where, std::move(response).error());

  const long status = response->status;
  soap::Answer answer = soap::ReadAnswer(response->body);
  const std::string got = "HTTP " + std::to_string(status) + ": ";
  switch (answer.kind) {
    case soap::Answer::Kind::kFault:
      if (answer.server_fault) {
        return Error::Unavailable(where + " could not process message " + d.message_id +
                                  " now (SOAP server fault, retried): " + got + answer.text);
      }
      return Error::InvalidArgument(where + " refused message " + d.message_id +
                                    " with a SOAP fault: " + got + answer.text);
    case soap::Answer::Kind::kErrorList:
      return Error::InvalidArgument(where + " refused message " + d.message_id +
                                    " with an ebXML error list: " + got + answer.text);
    case soap::Answer::Kind::kAcknowledgment:
    case soap::Answer::Kind::kOther:
      break;
  }
  if (status == 408 || status == 429 || status >= 500) {
    return Error::Unavailable(where + " answered message " + d.message_id + " with " + got +
                              Excerpt(response->body));
  }
  if (status < 200 || status >= 300) {
    return Error::FailedPrecondition(
        where + " refused message " + d.message_id + " with " + got + Excerpt(response->body) +
        (status == 401 || status == 403 ? " (check client_cert and client_key)" : ""));
  }
  if (answer.kind != soap::Answer::Kind::kAcknowledgment) {
    return Error::Unavailable(
        where + " did not acknowledge message " + d.message_id +
        " (retried; the operator drops a duplicate by its MessageId): " + answer.text);
  }
  if (answer.ref_to_message_id != d.message_id) {
    return Error::Unavailable(where + " answered with an acknowledgement of message '" +
                              Excerpt(answer.ref_to_message_id) + "', not of " + d.message_id +
                              " (retried; the operator drops a duplicate by its "
                              "MessageId)");
  }
  Receipt receipt;
  receipt.detail =
      "finvoice-soap " + s.id + " acknowledged MessageId " + d.message_id +
      (answer.message_id.empty() ? "" : " (acknowledgement " + answer.message_id + ")");
  receipt.document = std::move(response->body);
  receipt.media_type = "text/xml";
  return receipt;
}

}  // namespace gw::operators
