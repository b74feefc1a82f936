// The routing decision: the configured table of recipients ("scheme:value" -> operator) first,
// then the recipient directory (when set), then the default operator. Resolves a recipient to the
// operator and the format to write: the first format of the operator's list that this build can
// write (and, when the directory lists the recipient's formats, that the recipient accepts).
#pragma once

#include <functional>
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
  std::string reason;     // why this operator: the configuration key or directory entry that chose it
  bool e_invoice = true;  // the operator delivers e-invoices (false: its `e_invoice = false`, e.g. print)
  std::string channel;    // direct, roaming (from the directory), or "" (configured)
  std::string source;     // the directory source that listed the recipient, or ""
};

// What the directory says about a recipient, for routing.
struct DirectoryRoute {
  bool known = false;       // some source has an entry (live or tombstone)
  bool registered = false;  // some source lists it as receiving
  std::string deliver_via;  // our operator to hand it to ("" = none of ours reaches it)
  std::string source, channel, operator_id;
  std::vector<std::string> formats;  // accepted formats ("" = not said)
  std::string why;
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

  // Consults `lookup` for recipients the table does not name (before the default operator).
  void SetDirectory(std::function<DirectoryRoute(const std::string& recipient)> lookup) {
    directory_ = std::move(lookup);
  }

 private:
  std::variant<Route, RouteError> Through(const OperatorSettings& op, const std::string& key, std::string reason,
                                          const std::vector<std::string>& accepted,
                                          const formats::FormatRegistry& registry) const;

  std::vector<OperatorSettings> operators_;
  std::map<std::string, std::string> recipients_;
  std::string default_;
  std::function<DirectoryRoute(const std::string& recipient)> directory_;
};

}  // namespace gw::operators
