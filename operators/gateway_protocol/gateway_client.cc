#include "operators/gateway_protocol/gateway_client.h"

#include <thread>


#include "certs/keys/certificate.h"
#include "formats/core/date_time.h"
#include "formats/json/json_out.h"
#include "formats/json/json_value.h"
#include "operators/gateway_protocol/receipt.h"

namespace gw::operators {
namespace {

using formats::json::Get;
using formats::json::JsonOut;
using formats::json::JsonValue;


std::string Text(const JsonValue& object, std::string_view name) { return formats::json::GetString(object, name); }

std::vector<std::string> Strings(const JsonValue& object, std::string_view name) {
  std::vector<std::string> out;
  if (const JsonValue* v = Get(object, name); v && v->is_array())
    for (const auto& item : v->items)
      if (item.is_string()) out.emplace_back(item.text);
  return out;
}

ReceiverInfo ReadReceiver(const JsonValue& r) {
  ReceiverInfo info;
  info.id = Text(r, "id");
  info.name = Text(r, "name");
  info.channel = Text(r, "channel");
  info.path = Strings(r, "path");
  info.document_types = Strings(r, "document_types");
  info.formats = Strings(r, "formats");
  const JsonValue* accepts = Get(r, "accepts");
  const JsonValue* removed = Get(r, "removed");
  info.removed = removed && removed->boolean;
  info.accepts = accepts ? accepts->boolean : !info.removed;
  return info;
}

void Strings(JsonOut& j, std::string_view key, const std::vector<std::string>& items) {
  j.Key(key).BeginArray();
  for (const auto& s : items) j.String(s);
  j.EndArray();
}

}  // namespace

GatewayClient::GatewayClient(OperatorSettings settings, ClientContext context, HttpOptions http)
    : OperatorClient(std::move(settings)), context_(std::move(context)), http_(std::move(http)) {
  base_ = this->settings().url;
  while (!base_.empty() && base_.back() == '/') base_.pop_back();
}

Result<std::unique_ptr<OperatorClient>> GatewayClient::Make(const OperatorSettings& s, const ClientContext& context) {
  const std::string where = "operator." + s.id + ".";
  if (s.url.empty()) return Error::InvalidArgument(where + "url: the gateway protocol needs the operator's base URL");
  if (s.Get("token").empty() && s.Get("client_cert").empty())
    return Error::InvalidArgument(where + "token: set token_file to the bearer token " + s.id +
                                  " gave us, or client_cert and client_key to the certificate it knows");
  HttpOptions http = HttpOptionsFor(s);
  if (http.client_cert.empty() != http.client_key.empty())
    return Error::InvalidArgument(where + "client_cert: a client certificate needs client_key too");
  return std::unique_ptr<OperatorClient>(new GatewayClient(s, context, std::move(http)));
}

Result<HttpResponse> GatewayClient::Call(const std::string& method, const std::string& path, std::string_view body) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Accept", "application/json"}};
  if (std::string token = settings().Get("token"); !token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  if (method == "POST") headers.emplace_back("Content-Type", "application/json");
  return http_.Send(method, base_ + path, headers, body);
}

Error GatewayClient::AnswerError(const HttpResponse& r, const std::string& what) const {
  std::string detail = "HTTP " + std::to_string(r.status);
  if (auto doc = formats::json::Parse(r.body); doc && doc->is_object()) {
    std::string code = Text(*doc, "code"), text = Text(*doc, "detail");
    if (!code.empty()) detail = code + (text.empty() ? "" : ": " + text);
  }
  std::string message = settings().id + " " + what + ": " + detail;
  if (r.status == 401 || r.status == 408 || r.status == 429 || r.status >= 500) return Error::Unavailable(message);
  return Error::FailedPrecondition(message);
}

Result<Receipt> GatewayClient::Deliver(const Delivery& d) {
  std::vector<std::string> path = d.path;
  path.push_back(context_.self_id);
  const std::string sha = certs::Sha256Hex(d.document);
  JsonOut j;
  j.BeginObject().Key("envelope").BeginObject();
  j.Field("message_id", d.message_id)
      .Field("sender", d.sender)
      .Field("receiver", d.recipient)
      .Field("document_type", d.document_type)
      .Field("format", d.format)
      .Field("hops", static_cast<int64_t>(path.size()));
  Strings(j, "path", path);
  j.EndObject();
  j.Field("document", certs::EncodeBase64(d.document)).EndObject();
  auto answer = Call("POST", "/operator/v1/messages", j.Take());
  if (!answer) return answer.error();
  if (answer->status != 200) return AnswerError(*answer, "refused the document");
  auto doc = formats::json::Parse(answer->body);
  if (!doc || !doc->is_object())
    return Error::Unavailable(settings().id + " answered 200 without a JSON receipt; retried");
  const std::string disposition = Text(*doc, "disposition");
  const std::string receipt_xml = Text(*doc, "receipt");
  auto receipt = CheckReceipt(receipt_xml, d.message_id, sha, context_.trust);
  if (!receipt) return Error::Unavailable(settings().id + "'s receipt is not acceptable: " + receipt.error().message() + "; retried");
  if (receipt->disposition != disposition)
    return Error::Unavailable(settings().id + "'s answer says " + disposition + " but its receipt " +
                              receipt->disposition + "; retried");
  if (disposition == "rejected") {
    std::string rules;
    for (const auto& f : receipt->findings)
      if (f.severity == Finding::Severity::kFatal) rules += (rules.empty() ? "" : ", ") + f.rule;
    return Error::FailedPrecondition(settings().id + " rejected the document as invalid (" +
                                     (rules.empty() ? std::string("no rule named") : rules) + ")");
  }
  if (disposition != "received" && disposition != "forwarded")
    return Error::Unavailable(settings().id + " answered the unknown disposition '" + disposition + "'; retried");
  const JsonValue* dup = Get(*doc, "duplicate");
  Receipt out;
  out.detail = settings().id + ": " + disposition + (dup && dup->boolean ? " (already delivered before)" : "") +
               " at " + receipt->received_at;
  out.document = receipt_xml;
  out.media_type = "application/xml";
  return out;
}

Result<ReceiverPage> GatewayClient::ListReceivers(const std::string& since) {
  std::string path = "/operator/v1/receivers?limit=10000";
  if (!since.empty()) path += "&since=" + UrlEncode(since);
  auto answer = Call("GET", path, {});
  if (!answer) return answer.error();
  if (answer->status != 200) return AnswerError(*answer, "did not list its receivers");
  formats::json::ParseLimits limits;
  limits.max_bytes = 512 * 1024 * 1024;
  auto doc = formats::json::Parse(answer->body, limits);
  if (!doc || !doc->is_object()) return Error::Unavailable(settings().id + "'s receiver list is not JSON");
  ReceiverPage page;
  if (const JsonValue* list = Get(*doc, "receivers"); list && list->is_array())
    for (const auto& r : list->items) page.receivers.push_back(ReadReceiver(r));
  page.next_cursor = Text(*doc, "next_cursor");
  const JsonValue* more = Get(*doc, "more");
  page.more = more && more->boolean;
  return page;
}

Result<std::vector<ReceiverInfo>> GatewayClient::CheckRecipients(const std::vector<std::string>& ids) {
  if (ids.size() > 100) return Error::InvalidArgument("at most 100 recipients per check, not " + std::to_string(ids.size()));
  JsonOut j;
  j.BeginObject();
  Strings(j, "ids", ids);
  j.EndObject();
  auto answer = Call("POST", "/operator/v1/receivers/check", j.Take());
  if (!answer) return answer.error();
  if (answer->status != 200) return AnswerError(*answer, "did not check the recipients");
  auto doc = formats::json::Parse(answer->body);
  if (!doc || !doc->is_object()) return Error::Unavailable(settings().id + "'s check answer is not JSON");
  std::vector<ReceiverInfo> out;
  if (const JsonValue* list = Get(*doc, "results"); list && list->is_array())
    for (const auto& r : list->items) out.push_back(ReadReceiver(r));
  if (out.size() != ids.size())
    return Error::Unavailable(settings().id + " answered " + std::to_string(out.size()) + " results for " +
                              std::to_string(ids.size()) + " recipients");
  return out;
}

Status GatewayClient::SendStatus(const StatusUpdate& u) {
  std::vector<std::string> path = u.path;
  path.push_back(context_.self_id);
  JsonOut j;
  j.BeginObject()
      .Field("message_id", u.message_id)
      .Field("status", u.status)
      .Field("code", u.code)
      .Field("reason", u.reason)
      .Field("by", u.by.empty() ? "recipient" : u.by)
      .Field("at", u.at);
  Strings(j, "path", path);
  j.EndObject();
  auto answer = Call("POST", "/operator/v1/statuses", j.Take());
  if (!answer) return answer.error();
  if (answer->status != 200) return AnswerError(*answer, "did not take the status");
  return OkStatus();
}

}  // namespace gw::operators
