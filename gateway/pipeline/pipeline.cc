#include "gateway/pipeline/pipeline.h"

#include <algorithm>
#include <cctype>

#include "formats/calc/calculator.h"
#include "formats/cii/cii_reader.h"
#include "formats/eeinvoice/ee_invoice.h"
#include "formats/finvoice/finvoice_rules.h"
#include "formats/validation/validator.h"
#include "formats/xml/xml_document.h"
#include "gateway/common/json_out.h"

namespace gw::gateway {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "application/json; charset=utf-8" -> "application/json".
std::string MediaType(std::string_view content_type) {
  std::string t = Lower(content_type.substr(0, content_type.find(';')));
  t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == ' ' || c == '\t'; }), t.end());
  return t;
}

bool IsJson(const std::string& media) { return media == "application/json" || media.ends_with("+json"); }
bool IsXml(const std::string& media) {
  return media == "application/xml" || media == "text/xml" || media.ends_with("+xml");
}

bool HasRulePrefix(const std::vector<Finding>& findings, std::string_view prefix) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return f.rule.starts_with(prefix); });
}

Rejection Invalid(std::string detail, std::vector<Finding> findings) {
  return Rejection{422, "validation_failed", "The invoice is not valid", std::move(detail), std::move(findings)};
}

size_t CountFatal(const std::vector<Finding>& findings) {
  return static_cast<size_t>(std::count_if(findings.begin(), findings.end(), [](const Finding& f) {
    return f.severity == Finding::Severity::kFatal;
  }));
}

}  // namespace

const char* SeverityName(Finding::Severity severity) {
  switch (severity) {
    case Finding::Severity::kFatal: return "fatal";
    case Finding::Severity::kWarning: return "warning";
    case Finding::Severity::kInformation: return "information";
  }
  return "fatal";
}

std::variant<Submission, Rejection> ReadSubmission(const formats::FormatRegistry& registry,
                                                  std::string_view content_type, std::string_view body) {
  const std::string media = MediaType(content_type);
  Submission sub;
  if (IsJson(media)) {
    sub.format = "json";
    sub.media_type = "application/json";
  } else if (IsXml(media)) {
    sub.media_type = "application/xml";
    std::string_view root = formats::xml::RootLocalName(body);
    if (root == "Invoice" || root == "CreditNote") {
      sub.format = "ubl";
    } else if (formats::cii::LooksLikeCii(body)) {
      sub.format = "cii";
    } else if (root.empty()) {
      // Not even a root element: let the XML parser say what is wrong.
      sub.format = "ubl";
    } else {
      return Rejection{400, "unknown_document", "The document is not an invoice this gateway reads",
                       "the root element is '" + std::string(root) +
                           "'; send a UBL 2.1 Invoice or CreditNote, or a CII D16B CrossIndustryInvoice",
                       {}};
    }
  } else {
    return Rejection{415, "unsupported_media_type", "Unsupported Content-Type",
                     "Content-Type '" + std::string(content_type) +
                         "' is not accepted; send the ERP JSON as application/json or UBL/CII as application/xml",
                     {}};
  }
  auto info = registry.Find(sub.format);
  if (!info || !(*info)->read) return Rejection{500, "internal_error", "Internal error", "no reader for " + sub.format, {}};
  auto invoice = (*info)->read(body, sub.warnings);
  if (!invoice) {
    const auto& findings = invoice.error().findings();
    if (sub.format == "json" && (HasRulePrefix(findings, "json.syntax") || HasRulePrefix(findings, "json.limit"))) {
      std::string detail = findings.empty() ? invoice.error().message() : findings.front().message;
      return Rejection{400, "malformed_json", "The body is not JSON", detail, findings};
    }
    if (sub.format != "json" && HasRulePrefix(findings, "xml.")) {
      std::string detail = findings.empty() ? invoice.error().message() : findings.front().message;
      return Rejection{400, "malformed_xml", "The body is not acceptable XML", detail, findings};
    }
    if (findings.empty()) {
      return Rejection{400, sub.format == "json" ? "malformed_json" : "malformed_xml", "The body cannot be read",
                       invoice.error().message(), {}};
    }
    return Invalid(std::to_string(CountFatal(findings)) + " problems in the invoice; fix them and submit again",
                   findings);
  }
  sub.invoice = std::move(*invoice);
  if (auto st = formats::calc::Complete(sub.invoice); !st) {
    const auto& findings = st.error().findings();
    std::vector<Finding> list = findings;
    if (list.empty()) list.push_back(Finding{"calc", Finding::Severity::kFatal, "", st.error().message()});
    return Invalid(std::to_string(CountFatal(list)) + " problems with the amounts; fix them and submit again", list);
  }
  return sub;
}

Summary Summarize(const model::Invoice& inv) {
  Summary s;
  s.invoice_number = inv.number;
  s.document_type = inv.kind == model::DocumentKind::kCreditNote ? "credit_note" : "invoice";
  s.currency = inv.currency;
  s.payable_amount = inv.totals.payable.ToString();
  s.seller_name = inv.seller.name;
  s.seller_endpoint = inv.seller.electronic_address.empty() ? "" : inv.seller.electronic_address.ToString();
  s.buyer_name = inv.buyer.name;
  s.buyer_endpoint = inv.buyer.electronic_address.empty() ? "" : inv.buyer.electronic_address.ToString();
  s.line_extension_amount = inv.totals.line_net_total.ToString();
  s.tax_exclusive_amount = inv.totals.tax_exclusive.ToString();
  s.tax_amount = inv.totals.vat_total.ToString();
  s.tax_inclusive_amount = inv.totals.tax_inclusive.ToString();
  if (inv.due_date) s.due_date = inv.due_date->ToString();
  return s;
}

std::variant<Produced, ProduceFailure> Produce(const formats::FormatRegistry& registry,
                                               const operators::StaticRoutes& routes, std::string_view format,
                                               std::string_view original, const MessageContext& message) {
  auto info = registry.Find(format);
  if (!info || !(*info)->read)
    return ProduceFailure{"validation_failed", "the archived original's format '" + std::string(format) + "' is unknown", {}};
  std::vector<Finding> warnings;
  auto invoice = (*info)->read(original, warnings);
  if (!invoice) return ProduceFailure{"validation_failed", invoice.error().message(), invoice.error().findings()};
  if (auto st = formats::calc::Complete(*invoice); !st)
    return ProduceFailure{"validation_failed", st.error().message(), st.error().findings()};

  auto resolved = routes.Resolve(invoice->buyer.electronic_address, registry);
  if (auto* err = std::get_if<operators::RouteError>(&resolved)) return ProduceFailure{err->code, err->detail, {}};
  Produced out;
  out.route = std::get<operators::Route>(resolved);
  const formats::FormatInfo* target = *registry.Find(out.route.format);
  formats::WriteOptions options;
  if (target->takes_routing) options.routing = RoutingFor(out.route.format, routes.Find(out.route.operator_id), message);
  auto written = target->write(*invoice, options, warnings);
  if (!written) {
    return ProduceFailure{"validation_failed",
                          "the invoice cannot be written as " + out.route.format + ": " + written.error().message(),
                          written.error().findings()};
  }
  out.document = std::move(*written);
  out.media_type = target->media_type.empty() ? "application/xml" : target->media_type;

  auto checked = CheckDocument(out.route.format, out.media_type, out.document);
  if (!checked) return ProduceFailure{"validation_failed", checked.error().message(), {}};
  std::vector<Finding> findings = std::move(*checked);
  out.valid = CountFatal(findings) == 0;
  findings.insert(findings.end(), warnings.begin(), warnings.end());
  out.findings = std::move(findings);
  return out;
}

formats::Routing RoutingFor(std::string_view format, const operators::OperatorSettings* op,
                            const MessageContext& message) {
  formats::Routing routing;
  std::string hex;
  for (char c : message.message_id)
    if (std::isxdigit(static_cast<unsigned char>(c))) hex += c;
  if (format == "ee-einvoice") {
    // Header/FileId (at most 20): the operator detects a resent file by it, so it is derived from
    // the message id and the same on every attempt.
    routing["file_id"] = hex.empty() ? message.message_id.substr(0, 20) : hex.substr(0, 20);
  } else if (format == "finvoice") {
    routing["message_id"] = message.message_id;
    routing["timestamp"] = message.timestamp;
    if (op) {
      for (const char* key : {"sender_intermediator", "receiver_intermediator"})
        if (std::string v = op->Get(key); !v.empty()) routing[key] = v;
    }
  }
  if (op) {
    for (const auto& [key, value] : op->settings)
      if (key.starts_with("routing.")) routing[key.substr(8)] = value;
  }
  return routing;
}

Result<std::vector<Finding>> CheckDocument(std::string_view format, std::string_view media_type,
                                           std::string_view document) {
  if (format == "ee-einvoice") return formats::ee::CheckRules(document);
  if (format == "finvoice") return formats::finvoice::CheckRules(document);
  if (media_type.find("xml") == std::string_view::npos) return std::vector<Finding>{};
  auto report = formats::validation::Validate(document);
  if (!report) return report.error();
  return std::move(report->findings);
}

std::string FindingsJson(const std::vector<Finding>& findings) {
  JsonOut j;
  j.BeginArray();
  for (const Finding& f : findings) {
    j.BeginObject()
        .Field("rule", f.rule)
        .Field("severity", SeverityName(f.severity))
        .Field("location", f.location)
        .Field("message", f.message)
        .EndObject();
  }
  j.EndArray();
  return j.Take();
}

std::string RouteJson(const operators::Route& route) {
  JsonOut j;
  j.BeginObject()
      .Field("operator", route.operator_id)
      .Field("protocol", route.protocol)
      .Field("format", route.format)
      .Field("recipient", route.recipient)
      .Field("reason", route.reason)
      .Field("e_invoice", route.e_invoice)
      .OptionalField("channel", route.channel)
      .OptionalField("directory_source", route.source)
      .EndObject();
  return j.Take();
}

}  // namespace gw::gateway
