// The routing decision until the recipient directory lands: a configured table of recipients
// ("scheme:value" -> operator) and a default operator. Resolves a recipient to the operator and
// the format to write: the first format of the operator's list that this build can write.
#pragma once

#include <map>
#include <variant>
#include <string>
#include <vector>

#include "formats/core/participant_id.h"
#include "formats/core/result.h"
#include "formats/registry/format_registry.h"
#include "operators/operator_client.h"

namespace gw::operators {

struct Route {
  std::string operator_id;
  std::string protocol;
  std::string format;     // registry name
  std::string recipient;  // "scheme:value"
  std::string reason;     // why this operator: the configuration key that chose it
};

// Why no route: the stable codes of the API (recipient_not_found, format_not_accepted).
struct RouteError {
  std::string code;
  std::string detail;
};

class StaticRoutes {
 public:
  StaticRoutes(std::vector<OperatorSettings> operators, std::map<std::string, std::string> recipients,
               std::string default_operator)
      : operators_(std::move(operators)), recipients_(std::move(recipients)), default_(std::move(default_operator)) {}

  // The route for `recipient` (the buyer's electronic address, BT-49), or why there is none.
  std::variant<Route, RouteError> Resolve(const ParticipantId& recipient,
                                          const formats::FormatRegistry& registry) const;

  // The operator of the registry with this id, or null.
  const OperatorSettings* Find(const std::string& id) const;

 private:

  std::vector<OperatorSettings> operators_;
  std::map<std::string, std::string> recipients_;
  std::string default_;
};

}  // namespace gw::operators
