#include "operators/routing/static_routes.h"

#include <algorithm>

namespace gw::operators {

const OperatorSettings* StaticRoutes::Find(const std::string& id) const {
  for (const auto& op : operators_)
    if (op.id == id) return &op;
  return nullptr;
}

std::variant<Route, RouteError> StaticRoutes::Through(const OperatorSettings& op, const std::string& key,
                                                      std::string reason, const std::vector<std::string>& accepted,
                                                      const formats::FormatRegistry& registry) const {
  for (const std::string& format : op.formats) {
    if (!accepted.empty() && std::find(accepted.begin(), accepted.end(), format) == accepted.end()) continue;
    auto info = registry.Find(format);
    if (info && (*info)->write) {
      Route route{op.id, op.protocol, format, key,
                  reason + "; " + format + " is its first format this gateway writes" +
                      (accepted.empty() ? "" : " and the recipient accepts")};
      route.e_invoice = op.Get("e_invoice", "true") != "false";
      return route;
    }
  }
  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& f : items) out += (out.empty() ? "" : ", ") + f;
    return out;
  };
  return RouteError{"format_not_accepted", "operator " + op.id + " accepts " + list(op.formats) +
                                               (accepted.empty() ? "" : ", the recipient " + list(accepted)) +
                                               "; no format is in both lists and written by this gateway"};
}

std::variant<Route, RouteError> StaticRoutes::Resolve(const ParticipantId& recipient,
                                                      const formats::FormatRegistry& registry) const {
  if (recipient.empty())
    return RouteError{"recipient_not_found",
                      "the invoice has no buyer electronic address (BT-49); without it no operator can be chosen"};
  const std::string key = recipient.ToString();
  if (auto it = recipients_.find(key); it != recipients_.end()) {
    if (const OperatorSettings* op = Find(it->second))
      return Through(*op, key, "[routing] recipient." + key + " = " + op->id, {}, registry);
  }
  std::string directory_says;
  if (directory_) {
    DirectoryRoute d = directory_(key);
    if (d.registered && !d.deliver_via.empty()) {
      if (const OperatorSettings* op = Find(d.deliver_via)) {
        auto route = Through(*op, key, d.why + "; delivered through " + op->id, d.formats, registry);
        if (auto* r = std::get_if<Route>(&route)) {
          r->channel = op->id == d.operator_id ? d.channel : "roaming";
          r->source = d.source;
        }
        return route;
      }
    }
    directory_says = d.known ? d.why : "the directory does not know it";
  }
  const OperatorSettings* op = default_.empty() ? nullptr : Find(default_);
  if (!op)
    return RouteError{"recipient_not_found",
                      "no operator serves " + key + (directory_says.empty() ? "" : " (" + directory_says + ")") +
                          " (add it to [routing] as recipient." + key +
                          " = OPERATOR, or set routing.default_operator)"};
  return Through(*op, key,
                 (directory_says.empty() ? "" : directory_says + "; ") + "[routing] default_operator = " + op->id, {},
                 registry);
}

}  // namespace gw::operators
