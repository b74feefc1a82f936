// The inbound path: a document an operator delivered (over /operator/v1) or that a poller fetched
// from one, accepted into this gateway: de-duplicated by message id, routed to a tenant or a
// roaming partner, verified, validated, stored with its signed receipt, and answered.
#pragma once

#include <string>
#include <vector>

#include "gateway/server/context.h"

namespace gw::gateway {

// A delivered document, after the envelope checks of its transport.
struct InboundRequest {
  std::string message_id, sender, receiver, document_type, format;
  std::vector<std::string> path;  // as received; the last is from_operator
  std::string from_operator;
  std::string document;
};

// The answer to it: 200 with the receipt answer (docs/operator-protocol.md), or a refusal.
struct InboundOutcome {
  int status = 200;
  std::string code, title, detail;  // a refusal (status != 200; 503 = try again)
  std::string answer_json;
  std::string disposition;          // received, forwarded, rejected
  bool duplicate = false;
};

// De-duplicates by message id, chooses the tenant or the roaming partner, verifies signatures,
// reads and validates (the document without its verified signatures), stores the message, its
// documents, the signed receipt and the event or forward job in one transaction.
InboundOutcome AcceptInbound(App& app, const InboundRequest& request);

// An envelope path as JSON (["gw-a","gw-b"]) and back (not an array: empty).
std::string PathJson(const std::vector<std::string>& path);
std::vector<std::string> PathOf(const std::string& path_json);

}  // namespace gw::gateway
