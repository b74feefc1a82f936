// The receipt of the gateway operator protocol (docs/operator-protocol.md): what the receiving
// operator signs when it takes a document, and what the sender checks before it records the
// delivery.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "formats/core/result.h"

namespace gw::certs {
class TrustStore;
class SigningKey;
}  // namespace gw::certs

namespace gw::operators {

inline constexpr std::string_view kReceiptNs = "urn:eigw:operator-protocol:1";

struct ReceiptData {
  std::string message_id;
  std::string receiver_operator;
  std::string sender_operator;
  std::string recipient;
  std::string document_sha256;  // hex
  std::string disposition;      // received, forwarded, rejected
  std::string received_at;      // RFC 3339
  std::vector<Finding> findings;
};

// The receipt as XML, signed with `key` (enveloped XMLDSig) when given.
Result<std::string> WriteReceipt(const ReceiptData& data, const certs::SigningKey* key);

// Reads a receipt (hardened parse) and checks it against the delivery: the message id and the
// SHA-256 of the bytes sent must be the receipt's, and when `trust` is given and not empty, the
// receipt must carry a valid signature by a certificate that chains to it. Errors name the check
// that failed (kInvalidArgument).
Result<ReceiptData> CheckReceipt(std::string_view xml, const std::string& message_id,
                                 const std::string& document_sha256, const certs::TrustStore* trust);

}  // namespace gw::operators
