// POST /v1/invoices, preflight, GET one, list, documents.
#include <cctype>

#include <Poco/Base64Encoder.h>

#include "formats/core/date.h"
#include "formats/core/decimal.h"
#include "formats/json/json_value.h"
#include "formats/json/view_json.h"
#include "formats/registry/stored_invoice.h"
#include "gateway/common/json_out.h"
#include "gateway/server/handlers.h"

namespace gw::gateway::handlers {
namespace {

void Reject(Ctx& ctx, const Rejection& r) { ctx.Problem(r.status, r.code, r.title, r.detail, r.findings); }

// The Idempotency-Key header: 1..255 printable ASCII characters.
bool ValidIdempotencyKey(const std::string& key) {
  if (key.empty() || key.size() > 255) return false;
  for (unsigned char c : key)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

std::string Links(const std::string& id) {
  JsonOut j;
  j.BeginObject()
      .Field("self", "/v1/invoices/" + id)
      .Field("original", "/v1/invoices/" + id + "/documents/original")
      .Field("events", "/v1/events")
      .EndObject();
  return j.Take();
}

std::string AcceptedJson(const storage::Invoice& inv) {
  JsonOut j;
  j.BeginObject()
      .Field("id", inv.id)
      .Field("status", inv.status)
      .Field("invoice_number", inv.invoice_number)
      .Field("idempotency_key", inv.idempotency_key)
      .Field("created_at", Rfc3339(inv.created_ms))
      .Key("links")
      .Raw(Links(inv.id))
      .EndObject();
  return j.Take();
}

void Party(JsonOut& j, const char* key, const std::string& name, const std::string& endpoint) {
  j.Key(key).BeginObject().Field("name", name).OptionalField("endpoint", endpoint).EndObject();
}

}  // namespace

void PostInvoice(Ctx& ctx) {
  const std::string key = ctx.request.get("Idempotency-Key", "");
  if (!ctx.request.has("Idempotency-Key")) {
    return ctx.Problem(400, "idempotency_key_missing", "Idempotency-Key is required",
                       "send a unique Idempotency-Key header per invoice (for example the ERP's document id); "
                       "sending the same request again with it never makes a second invoice");
  }
  if (!ValidIdempotencyKey(key)) {
    return ctx.Problem(400, "idempotency_key_invalid", "Idempotency-Key is not valid",
                       "the key must be 1 to 255 printable ASCII characters");
  }
  std::string body;
  if (!ctx.ReadBody(body)) return;
  const std::string content_type = ctx.request.getContentType();
  auto read = ReadSubmission(ctx.app.registry, content_type, body);
  if (auto* r = std::get_if<Rejection>(&read)) return Reject(ctx, *r);
  const Submission& sub = std::get<Submission>(read);
  const Summary sum = Summarize(sub.invoice);
  // A recipient no operator serves is refused now, while the ERP is listening, not after a 202.
  auto route = ctx.app.routes->Resolve(sub.invoice.buyer.electronic_address, ctx.app.registry);
  if (auto* no_route = std::get_if<operators::RouteError>(&route)) {
    return ctx.Problem(422, no_route->code,
                       no_route->code == "recipient_not_found" ? "No operator serves the recipient"
                                                               : "The recipient's operator takes no format we write",
                       no_route->detail);
  }

  const int64_t now_ms = NowMs();
  storage::Invoice inv;
  inv.id = storage::NewId("inv_");
  inv.tenant_id = ctx.tenant.id;
  inv.idempotency_key = key;
  inv.request_sha256 = storage::Sha256Hex(sub.media_type + "\n" + body);
  inv.status = "received";
  inv.invoice_number = sum.invoice_number;
  inv.document_type = sum.document_type;
  inv.currency = sum.currency;
  inv.payable_amount = sum.payable_amount;
  inv.seller_name = sum.seller_name;
  inv.seller_endpoint = sum.seller_endpoint;
  inv.buyer_name = sum.buyer_name;
  inv.buyer_endpoint = sum.buyer_endpoint;
  inv.source_format = sub.format;
  inv.due_date = sum.due_date;
  inv.findings_json = "[]";
  // The route as decided now (the worker decides again when it writes the document), so the list
  // tells at once whether the invoice goes out as an e-invoice and why.
  inv.route_json = RouteJson(std::get<operators::Route>(route));
  inv.created_ms = inv.updated_ms = now_ms;
  inv.accepted_json = AcceptedJson(inv);

  storage::Document original{"original", sub.media_type, storage::Sha256Hex(body),
                             static_cast<int64_t>(body.size()), now_ms, std::move(body)};
  auto stored = ctx.app.store->Submit(inv, original);
  if (!stored) return ctx.Unavailable(stored.error());
  const auto& [outcome, existing] = *stored;
  if (outcome == storage::SubmitOutcome::kConflict) {
    return ctx.Problem(409, "idempotency_conflict", "The Idempotency-Key was used for another body",
                       "invoice " + existing.id + " was submitted with this key and a different body; use a new "
                       "key for a new invoice");
  }
  if (outcome == storage::SubmitOutcome::kReplayed) ctx.response.set("Idempotent-Replayed", "true");
  if (outcome == storage::SubmitOutcome::kCreated) ctx.app.outbox_bell.Ring();
  ctx.response.set("Location", "/v1/invoices/" + existing.id);
  ctx.SendJson(202, existing.accepted_json);
}

void PreflightInvoice(Ctx& ctx) {
  std::string body;
  if (!ctx.ReadBody(body)) return;
  auto read = ReadSubmission(ctx.app.registry, ctx.request.getContentType(), body);
  if (auto* r = std::get_if<Rejection>(&read)) return Reject(ctx, *r);
  const Submission& sub = std::get<Submission>(read);
  const Summary sum = Summarize(sub.invoice);
  auto produced = Produce(ctx.app.registry, *ctx.app.routes, sub.format, body,
                          MessageContext{"preflight-" + ctx.request_id, Rfc3339(NowMs())});

  JsonOut j;
  j.BeginObject();
  const auto* ok = std::get_if<Produced>(&produced);
  const auto* failure = std::get_if<ProduceFailure>(&produced);
  bool routed = ok || (failure && failure->code == "validation_failed");
  j.Field("valid", ok && ok->valid)
      .Field("invoice_number", sum.invoice_number)
      .Field("document_type", sum.document_type)
      .Key("totals")
      .BeginObject()
      .Field("currency", sum.currency)
      .Field("line_extension_amount", sum.line_extension_amount)
      .Field("tax_exclusive_amount", sum.tax_exclusive_amount)
      .Field("tax_amount", sum.tax_amount)
      .Field("tax_inclusive_amount", sum.tax_inclusive_amount)
      .Field("payable_amount", sum.payable_amount)
      .EndObject();
  j.Key("route").Raw(ok ? RouteJson(ok->route) : "");
  if (failure && !routed) {
    j.Key("route_error").BeginObject().Field("code", failure->code).Field("detail", failure->reason).EndObject();
  } else {
    j.Key("route_error").Null();
  }
  std::vector<Finding> findings = sub.warnings;
  if (ok) findings.insert(findings.end(), ok->findings.begin(), ok->findings.end());
  if (failure) {
    findings.insert(findings.end(), failure->findings.begin(), failure->findings.end());
    if (routed && failure->findings.empty())
      findings.push_back(Finding{"conversion", Finding::Severity::kFatal, "", failure->reason});
  }
  j.Key("findings").Raw(FindingsJson(findings));
  j.EndObject();
  ctx.SendJson(200, j.str());
}

void GetInvoice(Ctx& ctx) {
  auto inv = ctx.app.store->GetInvoice(ctx.tenant.id, ctx.params[0]);
  if (!inv) return ctx.Unavailable(inv.error());
  if (!*inv || !ctx.MaySee(**inv)) return ctx.NotFound();
  const storage::Invoice& i = **inv;
  auto events = ctx.app.store->InvoiceEvents(i.id);
  auto attempts = ctx.app.store->InvoiceAttempts(i.id);
  auto documents = ctx.app.store->InvoiceDocuments(i.id);
  if (!events) return ctx.Unavailable(events.error());
  if (!attempts) return ctx.Unavailable(attempts.error());
  if (!documents) return ctx.Unavailable(documents.error());

  JsonOut j;
  j.BeginObject()
      .Field("id", i.id)
      .Field("status", i.status)
      .Field("invoice_number", i.invoice_number)
      .Field("document_type", i.document_type)
      .Field("idempotency_key", i.idempotency_key)
      .Field("currency", i.currency)
      .Field("payable_amount", i.payable_amount);
  Party(j, "seller", i.seller_name, i.seller_endpoint);
  Party(j, "buyer", i.buyer_name, i.buyer_endpoint);
  j.Field("source_format", i.source_format)
      .Field("created_at", Rfc3339(i.created_ms))
      .Field("updated_at", Rfc3339(i.updated_ms))
      .Key("route")
      .Raw(i.route_json);
  if (i.failure_code.empty()) {
    j.Key("failure").Null();
  } else {
    j.Key("failure").BeginObject().Field("code", i.failure_code).Field("reason", i.failure_reason).EndObject();
  }
  j.Key("findings").Raw(i.findings_json.empty() ? "[]" : i.findings_json);
  j.Key("events").BeginArray();
  for (const auto& e : *events)
    j.BeginObject().Field("seq", e.seq).Field("status", e.status).Field("at", Rfc3339(e.at_ms)).Field("detail", e.detail).EndObject();
  j.EndArray().Key("attempts").BeginArray();
  for (const auto& a : *attempts) {
    j.BeginObject()
        .Field("number", a.number)
        .Field("started_at", Rfc3339(a.started_ms))
        .Field("finished_at", Rfc3339(a.finished_ms))
        .Field("outcome", a.outcome)
        .Field("detail", a.detail)
        .EndObject();
  }
  j.EndArray().Key("documents").BeginArray();
  for (const auto& d : *documents) {
    j.BeginObject()
        .Field("kind", d.kind)
        .Field("media_type", d.media_type)
        .Field("sha256", d.sha256)
        .Field("size", d.size)
        .Field("created_at", Rfc3339(d.created_ms))
        .Field("href", "/v1/invoices/" + i.id + "/documents/" + d.kind)
        .EndObject();
  }
  j.EndArray().EndObject();
  ctx.SendJson(200, j.str());
}

// "e_invoice": whether the invoice goes out as an e-invoice; "e_invoice_reason": through which
// operator and why (the route's reason). Both null before a route was decided.
static void EInvoiceFields(JsonOut& j, const std::string& route_json) {
  auto route = formats::json::Parse(route_json.empty() ? std::string_view("{}") : std::string_view(route_json));
  const formats::json::JsonValue* flag = route ? formats::json::Get(*route, "e_invoice") : nullptr;
  if (!route || !formats::json::Get(*route, "operator")) {
    j.Key("e_invoice").Null().Key("e_invoice_reason").Null();
    return;
  }
  const bool yes = !flag || !(flag->kind == formats::json::JsonValue::Kind::kBool && !flag->boolean);
  const std::string channel = formats::json::GetString(*route, "channel");
  j.Field("e_invoice", yes)
      .Field("e_invoice_reason", std::string(yes ? "" : "not an e-invoice channel: ") + "operator " +
                                     formats::json::GetString(*route, "operator") +
                                     (channel.empty() ? "" : " (" + channel + ")") + "; " +
                                     formats::json::GetString(*route, "reason"));
}

void ListInvoices(Ctx& ctx) {
  storage::InvoiceFilter filter;
  bool given = false;
  filter.status = ctx.Query("status");
  static const char* kStatuses[] = {"received",  "validated",  "rejected",    "queued",
                                    "sending",   "delivered",  "failed_retrying", "failed",
                                    "in_process", "under_query", "conditionally_accepted", "accepted",
                                    "paid"};
  if (!filter.status.empty() &&
      std::find(std::begin(kStatuses), std::end(kStatuses), filter.status) == std::end(kStatuses)) {
    return ctx.Problem(400, "invalid_parameter", "Invalid query parameter",
                       "status '" + filter.status + "' is not a status (received, validated, rejected, queued, "
                       "sending, delivered, failed_retrying, failed, in_process, under_query, "
                       "conditionally_accepted, accepted, paid)");
  }
  std::string since = ctx.Query("updated_since", &given);
  if (given) {
    int64_t ms = 0;
    if (!ParseRfc3339(since, ms))
      return ctx.Problem(400, "invalid_parameter", "Invalid query parameter",
                         "updated_since '" + since + "' is not an RFC 3339 time (for example 2026-11-27T18:00:00Z)");
    filter.updated_since_ms = ms;
  }
  // The web pages' filters: a text in the number or the buyer, a creation day range, e-invoice or not.
  filter.text = ctx.Query("q");
  if (filter.text.size() > 200)
    return ctx.Problem(400, "invalid_parameter", "Invalid query parameter", "q is at most 200 characters");
  for (const char* name : {"created_from", "created_to"}) {
    std::string day = ctx.Query(name, &given);
    if (!given) continue;
    int64_t ms = 0;
    if (!ParseDay(day, ms))
      return ctx.Problem(400, "invalid_parameter", "Invalid query parameter",
                         std::string(name) + " '" + day + "' is not a day (YYYY-MM-DD, for example 2026-11-01)");
    if (std::string_view(name) == "created_from") {
      filter.created_from_ms = ms;
    } else {
      filter.created_before_ms = ms + 86400000;  // the whole day
    }
  }
  std::string e_invoice = ctx.Query("e_invoice", &given);
  if (given) {
    if (e_invoice != "true" && e_invoice != "false")
      return ctx.Problem(400, "invalid_parameter", "Invalid query parameter", "e_invoice is true or false");
    filter.e_invoice = e_invoice == "true";
  }
  for (auto [name, bound] : {std::pair{"amount_min", &filter.amount_min}, std::pair{"amount_max", &filter.amount_max}}) {
    *bound = ctx.Query(name, &given);
    if (given && (bound->empty() || bound->size() > 40 || !Decimal::Parse(*bound)))
      return ctx.Problem(400, "invalid_parameter", "Invalid query parameter",
                         std::string(name) + " '" + *bound + "' is not a decimal amount (for example 100.00)");
  }
  filter.buyer = ctx.buyer;  // a customer sees only the invoices to its buyer
  std::string limit = ctx.Query("limit", &given);
  if (given) {
    int n = 0;
    bool digits = !limit.empty() && limit.size() <= 4 &&
                  std::all_of(limit.begin(), limit.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (digits) n = std::stoi(limit);
    if (!digits || n < 1 || n > 500)
      return ctx.Problem(400, "invalid_parameter", "Invalid query parameter", "limit must be a number from 1 to 500");
    filter.limit = n;
  }
  std::string cursor = ctx.Query("cursor", &given);
  if (given) {
    // "<updated_ms>.<id>"
    size_t dot = cursor.find('.');
    bool ok = dot != std::string::npos && dot > 0 && dot < 20 &&
              std::all_of(cursor.begin(), cursor.begin() + dot, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (!ok)
      return ctx.Problem(400, "invalid_parameter", "Invalid query parameter",
                         "cursor is not one this API gave out; pass next_cursor of the previous page unchanged");
    filter.after = std::make_pair(std::stoll(cursor.substr(0, dot)), cursor.substr(dot + 1));
  }
  const int limit_n = filter.limit;
  filter.limit = limit_n + 1;  // one more tells whether there is a next page
  auto rows = ctx.app.store->ListInvoices(ctx.tenant.id, filter);
  if (!rows) return ctx.Unavailable(rows.error());
  JsonOut j;
  j.BeginObject().Key("items").BeginArray();
  const size_t shown = std::min(rows->size(), static_cast<size_t>(limit_n));
  for (size_t n = 0; n < shown; ++n) {
    const auto& i = (*rows)[n];
    j.BeginObject()
        .Field("id", i.id)
        .Field("status", i.status)
        .Field("invoice_number", i.invoice_number)
        .OptionalField("buyer_endpoint", i.buyer_endpoint)
        .Field("buyer_name", i.buyer_name)
        .Field("seller_name", i.seller_name)
        .Field("currency", i.currency)
        .Field("payable_amount", i.payable_amount);
    EInvoiceFields(j, i.route_json);
    j.Field("created_at", Rfc3339(i.created_ms))
        .Field("updated_at", Rfc3339(i.updated_ms))
        .EndObject();
  }
  j.EndArray();
  if (rows->size() > shown) {
    const auto& last = (*rows)[shown - 1];
    j.Field("next_cursor", std::to_string(last.updated_ms) + "." + last.id);
  } else {
    j.Key("next_cursor").Null();
  }
  j.EndObject();
  ctx.SendJson(200, j.str());
}

// The invoice as a readable document for the web pages: its original, read by the format's reader
// (formats/json/view_json.h), as parties, lines, VAT breakdown, totals and payment.
void GetInvoiceView(Ctx& ctx) {
  auto inv = ctx.app.store->GetInvoice(ctx.tenant.id, ctx.params[0]);
  if (!inv) return ctx.Unavailable(inv.error());
  if (!*inv || !ctx.MaySee(**inv)) return ctx.NotFound();
  auto doc = ctx.app.store->GetDocument(ctx.tenant.id, ctx.params[0], "original");
  if (!doc) return ctx.Unavailable(doc.error());
  if (!*doc) return ctx.NotFound();
  std::string format;
  auto model = formats::ReadStoredInvoice(ctx.app.registry, (*doc)->content, (*doc)->media_type, &format);
  if (!model)
    return ctx.Problem(409, "conflict", "The stored document cannot be shown",
                       "the original (" + (format.empty() ? (*doc)->media_type : format) +
                           ") cannot be read: " + model.error().message());
  ctx.SendJson(200, formats::json::InvoiceViewJson(*model));
}

void GetDocument(Ctx& ctx) {
  if (!ctx.buyer.empty()) {  // a customer: only documents of the invoices to its buyer
    auto inv = ctx.app.store->GetInvoice(ctx.tenant.id, ctx.params[0]);
    if (!inv) return ctx.Unavailable(inv.error());
    if (!*inv || !ctx.MaySee(**inv)) return ctx.NotFound();
  }
  auto doc = ctx.app.store->GetDocument(ctx.tenant.id, ctx.params[0], ctx.params[1]);
  if (!doc) return ctx.Unavailable(doc.error());
  if (!*doc) return ctx.NotFound();
  ctx.SendDocument(**doc);
}

}  // namespace gw::gateway::handlers
