// GET /v1/kpis?from=&to=: the order-to-cash figures of a period for the web pages' charts (and
// any ERP): invoices sent and received, the share sent as e-invoices, the time from submission to
// delivery, rejections by reason, accepted and paid counts, overdue amounts, and the same per day.
#include <algorithm>
#include <map>

#include "formats/core/decimal.h"
#include "formats/json/json_value.h"
#include "gateway/common/json_out.h"
#include "gateway/server/handlers.h"

namespace gw::gateway::handlers {
namespace {

constexpr int64_t kDayMs = 86400000;
constexpr int64_t kMaxDays = 366;

// The nearest-rank percentile of sorted values.
int64_t Percentile(const std::vector<int64_t>& sorted, int percent) {
  const size_t rank = (sorted.size() * static_cast<size_t>(percent) + 99) / 100;
  return sorted[std::max<size_t>(rank, 1) - 1];
}

}  // namespace

void Kpis(Ctx& ctx) {
  const int64_t now = NowMs();
  std::string to = ctx.Query("to"), from = ctx.Query("from");
  if (to.empty()) to = Rfc3339(now).substr(0, 10);
  int64_t to_ms = 0, from_ms = 0;
  if (!ParseDay(to, to_ms))
    return ctx.Problem(400, "invalid_parameter", "Invalid query parameter",
                       "to '" + to + "' is not a day (YYYY-MM-DD, for example 2026-11-30)");
  if (from.empty()) from = Rfc3339(to_ms - 29 * kDayMs).substr(0, 10);  // 30 days up to `to`
  if (!ParseDay(from, from_ms))
    return ctx.Problem(400, "invalid_parameter", "Invalid query parameter",
                       "from '" + from + "' is not a day (YYYY-MM-DD, for example 2026-11-01)");
  const int64_t days = (to_ms - from_ms) / kDayMs + 1;
  if (days < 1 || days > kMaxDays)
    return ctx.Problem(400, "invalid_parameter", "Invalid query parameter",
                       "from must not be after to, and a period is at most 366 days");
  const int64_t end_ms = to_ms + kDayMs;  // `to` is included
  auto invoices = ctx.app.store->KpiInvoices(ctx.tenant.id, from_ms, end_ms);
  if (!invoices) return ctx.Unavailable(invoices.error());
  auto received = ctx.app.store->ReceivedTimes(ctx.tenant.id, from_ms, end_ms);
  if (!received) return ctx.Unavailable(received.error());

  struct Day {
    int64_t sent = 0, received = 0, delivered = 0;
  };
  std::vector<Day> daily(static_cast<size_t>(days));
  auto day_of = [&](int64_t ms) -> Day* {
    if (ms < from_ms || ms >= end_ms) return nullptr;
    return &daily[static_cast<size_t>((ms - from_ms) / kDayMs)];
  };
  const std::string today = Rfc3339(now).substr(0, 10);
  int64_t routed = 0, e_invoices = 0, rejected = 0, accepted = 0, paid = 0;
  std::vector<int64_t> delivery_ms;
  std::map<std::string, int64_t> reasons;
  std::map<std::string, std::pair<Decimal, int64_t>> overdue;  // currency -> (amount, count)
  for (const auto& k : *invoices) {
    if (Day* d = day_of(k.created_ms)) ++d->sent;
    if (k.delivered_ms) {
      delivery_ms.push_back(*k.delivered_ms - k.created_ms);
      if (Day* d = day_of(*k.delivered_ms)) ++d->delivered;
    }
    if (auto route = formats::json::Parse(k.route_json.empty() ? std::string_view("{}") : k.route_json);
        route && formats::json::Get(*route, "operator")) {
      ++routed;
      const auto* flag = formats::json::Get(*route, "e_invoice");
      if (!flag || flag->kind != formats::json::JsonValue::Kind::kBool || flag->boolean) ++e_invoices;
    }
    const bool refused = k.status == "rejected" || k.status == "failed";
    if (refused) {
      ++rejected;
      ++reasons[k.failure_code.empty() ? "unknown" : k.failure_code];
    }
    accepted += k.accepted ? 1 : 0;
    paid += k.paid ? 1 : 0;
    if (!refused && !k.paid && !k.due_date.empty() && k.due_date < today) {
      auto& [amount, count] = overdue[k.currency];
      if (auto a = Decimal::Parse(k.payable_amount)) amount += *a;
      ++count;
    }
  }
  for (int64_t ms : *received)
    if (Day* d = day_of(ms)) ++d->received;
  std::sort(delivery_ms.begin(), delivery_ms.end());

  const auto sent = static_cast<int64_t>(invoices->size());
  JsonOut j;
  j.BeginObject().Field("from", from).Field("to", to);
  if (ctx.tenant.id == storage::kAllTenants) {
    j.Key("tenant").Null();
  } else {
    j.Field("tenant", ctx.tenant.name);
  }
  j.Field("sent", sent).Field("received", static_cast<int64_t>(received->size()));
  auto share = [&](const char* key, int64_t part, int64_t whole) {
    if (whole == 0) {
      j.Key(key).Null();
    } else {
      j.Key(key).Raw(std::to_string(static_cast<double>(part) / static_cast<double>(whole)));
    }
  };
  share("e_invoice_share", e_invoices, routed);
  j.Key("submit_to_delivered_ms").BeginObject();
  if (delivery_ms.empty()) {
    j.Key("median").Null().Key("p95").Null();
  } else {
    j.Field("median", Percentile(delivery_ms, 50)).Field("p95", Percentile(delivery_ms, 95));
  }
  j.EndObject();
  share("rejection_rate", rejected, sent);
  j.Key("rejections").BeginArray();
  std::vector<std::pair<std::string, int64_t>> by_count(reasons.begin(), reasons.end());
  std::stable_sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [reason, count] : by_count) j.BeginObject().Field("reason", reason).Field("count", count).EndObject();
  j.EndArray().Field("accepted", accepted).Field("paid", paid).Key("overdue").BeginArray();
  for (const auto& [currency, total] : overdue)
    j.BeginObject()
        .Field("currency", currency)
        .Field("amount", total.first.ToString())
        .Field("count", total.second)
        .EndObject();
  j.EndArray().Key("daily").BeginArray();
  for (int64_t i = 0; i < days; ++i) {
    const Day& d = daily[static_cast<size_t>(i)];
    j.BeginObject()
        .Field("date", Rfc3339(from_ms + i * kDayMs).substr(0, 10))
        .Field("sent", d.sent)
        .Field("received", d.received)
        .Field("delivered", d.delivered)
        .EndObject();
  }
  j.EndArray().EndObject();
  ctx.SendJson(200, j.Take());
}

}  // namespace gw::gateway::handlers
