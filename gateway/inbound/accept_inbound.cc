#include "gateway/inbound/inbound.h"

#include <algorithm>

#include "certs/xmldsig/verifier.h"
#include "formats/core/participant_id.h"
#include "formats/json/json_value.h"
#include "gateway/common/json_out.h"
#include "operators/gateway_protocol/receipt.h"

namespace gw::gateway {
namespace {

std::string Answer(const std::string& message_id, const std::string& disposition, const std::vector<Finding>& findings,
                   const std::string& receipt) {
  JsonOut j;
  j.BeginObject()
      .Field("message_id", message_id)
      .Field("disposition", disposition)
      .Field("duplicate", false)
      .Key("findings")
      .Raw(FindingsJson(findings))
      .Field("receipt", receipt)
      .EndObject();
  return j.Take();
}

// The first answer again, marked as a duplicate.
std::string Replay(std::string answer) {
  const std::string from = "\"duplicate\":false", to = "\"duplicate\":true";
  if (size_t p = answer.find(from); p != std::string::npos) answer.replace(p, from.size(), to);
  return answer;
}

bool HasSignature(std::string_view doc) {
  return doc.find("http://www.w3.org/2000/09/xmldsig#") != std::string_view::npos &&
         doc.find("Signature") != std::string_view::npos;
}

}  // namespace

std::string PathJson(const std::vector<std::string>& path) {
  JsonOut j;
  j.BeginArray();
  for (const auto& p : path) j.String(p);
  j.EndArray();
  return j.Take();
}

std::vector<std::string> PathOf(const std::string& path_json) {
  std::vector<std::string> out;
  auto doc = formats::json::Parse(path_json);
  if (doc && doc->is_array())
    for (const auto& item : doc->items)
      if (item.is_string()) out.emplace_back(item.text);
  return out;
}

InboundOutcome AcceptInbound(App& app, const InboundRequest& request) {
  const std::string& message_id = request.message_id;
  const std::string& sender = request.sender;
  const std::string& receiver = request.receiver;
  const std::string& document_type = request.document_type;
  const std::string& format = request.format;
  const std::vector<std::string>& path = request.path;
  const std::string& from_operator = request.from_operator;
  const std::string& document = request.document;
  const std::string sha = storage::Sha256Hex(document);
  auto Refuse = [](int status, std::string code, std::string title, std::string detail) {
    InboundOutcome o;
    o.status = status;
    o.code = std::move(code);
    o.title = std::move(title);
    o.detail = std::move(detail);
    return o;
  };
  auto Unavailable = [&](const Error& e) { return Refuse(503, "unavailable", "Unavailable", e.message()); };
  auto Answered = [](std::string answer, std::string disposition, bool duplicate) {
    InboundOutcome o;
    o.answer_json = std::move(answer);
    o.disposition = std::move(disposition);
    o.duplicate = duplicate;
    return o;
  };

  // A message id seen before: the first answer, or a conflict when the document differs.
  auto known = app.store->InboundByMessage(message_id);
  if (!known) return Unavailable(known.error());
  if (*known) {
    if ((*known)->document_sha256 != sha)
      return Refuse(409, "message_id_conflict", "Message id used for another document",
                    "message " + message_id + " was delivered before with another document (SHA-256 " +
                        (*known)->document_sha256 + ")");
    app.metrics.RecordInbound("duplicate");
    return Answered(Replay((*known)->answer_json), (*known)->disposition, true);
  }

  // Who receives it: a tenant here, or a roaming partner along our routing.
  storage::InboundMessage m;
  auto receiver_row = app.store->FindReceiver(receiver);
  if (!receiver_row) return Unavailable(receiver_row.error());
  std::optional<operators::Route> forward;
  if (*receiver_row && (*receiver_row)->channel == "direct") {
    m.tenant_id = (*receiver_row)->tenant_id;
  } else {
    const OperatorConfig* caller = app.config.FindOperator(from_operator);
    auto pid = ParticipantId::Parse(receiver);
    std::variant<operators::Route, operators::RouteError> resolved =
        pid ? app.routes->Resolve(*pid, app.registry)
            : std::variant<operators::Route, operators::RouteError>(operators::RouteError{"recipient_not_found", ""});
    auto* route = std::get_if<operators::Route>(&resolved);
    if (!route || !caller || !caller->roaming)
      return Refuse(422, "recipient_not_found", "Recipient not served",
                    app.config.operator_id + " does not serve " + receiver +
                        (route && caller && !caller->roaming
                             ? " and does not forward for " + from_operator + " (not a roaming partner)"
                             : ""));
    if (static_cast<int>(path.size()) + 1 > app.config.max_hops)
      return Refuse(422, "too_many_hops", "Too many hops",
                         "forwarding to " + route->operator_id + " would make " + std::to_string(path.size() + 1) +
                             " hops; at most " + std::to_string(app.config.max_hops) + " are allowed");
    forward = *route;
  }
  auto info = app.registry.Find(format);
  if (!info || !(*info)->read)
    return Refuse(415, "format_not_accepted", "Format not accepted",
                       "envelope.format '" + format + "' is not a format " + app.config.operator_id + " reads");

  // Verify, read, validate.
  std::vector<Finding> findings;
  if (HasSignature(document)) {
    certs::VerifyOptions options;
    options.trust = &app.trust;
    auto report = certs::VerifyXml(document, options);
    if (!report) {
      findings = report.error().findings();
      if (findings.empty()) findings.push_back({"signature.invalid", Finding::Severity::kFatal, "", report.error().message()});
    } else {
      for (const auto& s : report->signatures) findings.insert(findings.end(), s.failures.begin(), s.failures.end());
    }
  }
  // The rules judge the business document the signature covers: the document without it (an
  // enveloped signature's empty ds:* elements would otherwise break e.g. PEPPOL-EN16931-R008).
  std::string unsigned_copy;
  if (HasSignature(document)) {
    if (auto stripped = certs::WithoutSignatures(document)) unsigned_copy = std::move(*stripped);
  }
  const std::string& business = unsigned_copy.empty() ? document : unsigned_copy;
  std::vector<Finding> losses;
  auto invoice = (*info)->read(business, losses);
  if (!invoice) {
    auto f = invoice.error().findings();
    if (f.empty()) f.push_back({"document.read", Finding::Severity::kFatal, "", invoice.error().message()});
    findings.insert(findings.end(), f.begin(), f.end());
  } else {
    auto checked = CheckDocument(format, (*info)->media_type.empty() ? "application/xml" : (*info)->media_type, business);
    if (!checked) return Unavailable(checked.error());
    findings.insert(findings.end(), checked->begin(), checked->end());
    Summary s = Summarize(*invoice);
    m.invoice_number = s.invoice_number;
    m.currency = s.currency;
    m.payable_amount = s.payable_amount;
    m.seller_name = s.seller_name;
  }
  const bool valid = std::none_of(findings.begin(), findings.end(),
                                   [](const Finding& f) { return f.severity == Finding::Severity::kFatal; });

  const int64_t now = NowMs();
  m.id = storage::NewId("inb_");
  m.message_id = message_id;
  m.from_operator = from_operator;
  m.sender = sender;
  m.recipient = receiver;
  m.document_type = document_type;
  m.format = format;
  m.path_json = PathJson(path);
  m.document_sha256 = sha;
  m.disposition = !valid ? "rejected" : forward ? "forwarded" : "received";
  m.state = !valid ? "rejected" : forward ? "forwarding" : "available";
  if (forward && valid) m.forward_operator = forward->operator_id;
  m.findings_json = FindingsJson(findings);
  m.created_ms = m.updated_ms = now;

  operators::ReceiptData receipt{message_id, app.config.operator_id, from_operator, receiver, sha,
                                 m.disposition, Rfc3339(now), {}};
  for (const auto& f : findings)
    if (f.severity == Finding::Severity::kFatal) receipt.findings.push_back(f);
  auto receipt_xml = operators::WriteReceipt(receipt, app.signing_key.get());
  if (!receipt_xml) return Unavailable(receipt_xml.error());
  m.answer_json = Answer(message_id, m.disposition, findings, *receipt_xml);

  storage::Store::Arrival arrival;
  const std::string media = (*info)->media_type.empty() ? "application/xml" : (*info)->media_type;
  arrival.documents.push_back({"original", media, sha, static_cast<int64_t>(document.size()), now, document});
  arrival.documents.push_back({"receipt", "application/xml", storage::Sha256Hex(*receipt_xml),
                               static_cast<int64_t>(receipt_xml->size()), now, *receipt_xml});
  if (valid && !forward) {
    // Converted once, as the tenant asked; served from the archive.
    auto wanted = app.store->InboxFormat(m.tenant_id);
    if (!wanted) return Unavailable(wanted.error());
    if (*wanted != "original" && *wanted != format) {
      auto target = app.registry.Find(*wanted);
      std::vector<Finding> ignored;
      if (target && (*target)->write && invoice) {
        if (auto converted = (*target)->write(*invoice, formats::WriteOptions{}, ignored)) {
          std::string type = (*target)->media_type.empty() ? "application/xml" : (*target)->media_type;
          arrival.documents.push_back({"converted", type, storage::Sha256Hex(*converted),
                                       static_cast<int64_t>(converted->size()), now, *converted});
        }
      }
    }
  }
  arrival.message = m;
  arrival.event_status = m.tenant_id.empty() ? "" : (valid ? "received" : "rejected");
  arrival.forward = valid && forward.has_value();
  auto stored = app.store->Receive(arrival);
  if (!stored) return Unavailable(stored.error());
  if (!stored->second) {
    // Another request with this message id won the race: answer as for any duplicate.
    if (stored->first.document_sha256 != sha)
      return Refuse(409, "message_id_conflict", "Message id used for another document",
                    "message " + message_id + " was delivered before with another document");
    app.metrics.RecordInbound("duplicate");
    return Answered(Replay(stored->first.answer_json), stored->first.disposition, true);
  }
  app.metrics.RecordInbound(m.disposition);
  if (arrival.forward) app.outbox_bell.Ring();
  return Answered(m.answer_json, m.disposition, false);
}

}  // namespace gw::gateway
