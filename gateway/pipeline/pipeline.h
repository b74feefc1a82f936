// The outbound pipeline of docs/architecture.md, as two pure steps the server and the workers
// share (no storage, no network):
//   ReadSubmission: body + Content-Type -> completed model (at intake, before the 202)
//   Produce:        archived original -> route -> target format -> native validation
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "formats/core/result.h"
#include "formats/model/invoice.h"
#include "formats/registry/format_registry.h"
#include "operators/routing/static_routes.h"

namespace gw::gateway {

// Why a request is refused, in the API's terms (docs/api.md).
struct Rejection {
  int status = 400;
  std::string code;    // malformed_json, validation_failed, ...
  std::string title;
  std::string detail;
  std::vector<Finding> findings;
};

struct Submission {
  std::string format;      // json, ubl, cii
  std::string media_type;  // of the original as archived
  model::Invoice invoice;  // completed (totals, VAT breakdown)
  std::vector<Finding> warnings;    // terms the model cannot carry, calculator warnings
};

// Reads the body by its Content-Type (application/json: the ERP JSON; application/xml, text/xml
// or +xml: UBL Invoice/CreditNote or CII by the root element) and completes it.
std::variant<Submission, Rejection> ReadSubmission(const formats::FormatRegistry& registry,
                                                  std::string_view content_type, std::string_view body);

// What the invoice's summary columns and the preflight answer show.
struct Summary {
  std::string invoice_number, document_type, currency, payable_amount;
  std::string seller_name, seller_endpoint, buyer_name, buyer_endpoint;
  std::string line_extension_amount, tax_exclusive_amount, tax_amount, tax_inclusive_amount;
  std::string due_date;  // BT-9 or ""
};
Summary Summarize(const model::Invoice& invoice);

struct Produced {
  operators::Route route;
  std::string document;
  std::string media_type;
  std::vector<Finding> findings;  // validation findings and conversion warnings
  bool valid = false;             // no fatal finding
};

struct ProduceFailure {
  std::string code;    // recipient_not_found, format_not_accepted, validation_failed
  std::string reason;
  std::vector<Finding> findings;
};

// What a produced document knows of its message beyond the invoice (the routing data of formats
// that carry it: the Estonian file header, the Finvoice transmission details).
struct MessageContext {
  std::string message_id;  // the invoice id
  std::string timestamp;   // RFC 3339, the time of the submission
};

// The routing keys of `format` for a message to `op`: the operator's `routing.<key>` settings,
// and the keys the gateway knows (ee-einvoice: file_id from the message id; finvoice: the
// intermediators of the operator, message_id, timestamp).
formats::Routing RoutingFor(std::string_view format, const operators::OperatorSettings* op, const MessageContext& message);

// Routes the submission, writes the route's format and validates it natively (EN16931 and Peppol
// rules for UBL and CII, the format's own rules for the national formats). A document with fatal
// findings is returned with valid = false.
std::variant<Produced, ProduceFailure> Produce(const formats::FormatRegistry& registry,
                                               const operators::StaticRoutes& routes, std::string_view format,
                                               std::string_view original, const MessageContext& message);

// The native rules of a document in `format`: EN16931 and Peppol (by its CustomizationID) for UBL
// and CII, the format's own rules for the national formats.
Result<std::vector<Finding>> CheckDocument(std::string_view format, std::string_view media_type,
                                           std::string_view document);

// Findings as a JSON array [{"rule","severity","location","message"}].
std::string FindingsJson(const std::vector<Finding>& findings);
std::string RouteJson(const operators::Route& route);
const char* SeverityName(Finding::Severity severity);

}  // namespace gw::gateway
