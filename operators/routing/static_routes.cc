#include "operators/routing/static_routes.h"

namespace gw::operators {

const OperatorSettings* StaticRoutes::Find(const std::string& id) const {
  for (const auto& op : operators_)
    if (op.id == id) return &op;
  return nullptr;
}

std::variant<Route, RouteError> StaticRoutes::Resolve(const ParticipantId& recipient,
                                                      const formats::FormatRegistry& registry) const {
  if (recipient.empty())
    return RouteError{"recipient_not_found",
                      "the invoice has no buyer electronic address (BT-49); without it no operator can be chosen"};
  const std::string key = recipient.ToString();
  auto it = recipients_.find(key);
  const std::string& id = it != recipients_.end() ? it->second : default_;
  const OperatorSettings* op = id.empty() ? nullptr : Find(id);
  if (!op)
    return RouteError{"recipient_not_found", "no operator serves " + key +
                                                 " (add it to [routing] as recipient." + key +
                                                 " = OPERATOR, or set routing.default_operator)"};
  for (const std::string& format : op->formats) {
    auto info = registry.Find(format);
    if (info && (*info)->write) {
      std::string reason = it != recipients_.end() ? "[routing] recipient." + key + " = " + op->id
                                                   : "[routing] default_operator = " + op->id;
      return Route{op->id, op->protocol, format, key, reason + "; " + format + " is its first format this gateway writes"};
    }
  }
  std::string list;
  for (const auto& f : op->formats) list += (list.empty() ? "" : ", ") + f;
  return RouteError{"format_not_accepted",
                    "operator " + op->id + " accepts " + list + ", none of which this gateway writes"};
}

}  // namespace gw::operators
