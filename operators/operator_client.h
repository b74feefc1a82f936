// The operator side of delivery: what the outbox hands to an e-invoice operator, and the client
// interface every operator protocol implements (file-drop here; the gateway protocol, the Estonian
// and Finnish operators in operators/<name>/).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/core/result.h"

namespace gw::operators {

// One operator from the configuration ([operator.<id>]).
struct OperatorSettings {
  std::string id;        // "local-drop"
  std::string protocol;  // "file-drop"
  std::vector<std::string> formats;             // registry names it accepts, in order of preference
  std::map<std::string, std::string> settings;  // protocol keys (folder, url, token, ...)
};

// One document for one recipient.
struct Delivery {
  std::string message_id;     // unique per document; operators detect duplicates by it
  std::string tenant_id;
  std::string sender;         // "scheme:value"
  std::string recipient;      // "scheme:value"
  std::string document_type;  // invoice, credit_note
  std::string format;         // registry name of the document's format
  std::string media_type;
  std::string_view document;
};

struct Receipt {
  std::string detail;      // one line for the attempt log (where it went, the operator's id)
  std::string document;    // the operator's receipt, if it sent one (archived as kind "receipt")
  std::string media_type;
};

class OperatorClient {
 public:
  virtual ~OperatorClient() = default;
  const OperatorSettings& settings() const { return settings_; }
  // Delivers the document. Must be idempotent by message_id: delivering the same message again
  // (after a crash between delivery and its record) must not make a second document at the
  // recipient. An error with retryable() is retried with backoff; any other error is permanent.
  virtual Result<Receipt> Deliver(const Delivery& delivery) = 0;

 protected:
  explicit OperatorClient(OperatorSettings settings) : settings_(std::move(settings)) {}

 private:
  OperatorSettings settings_;
};

// Makes the client of `settings.protocol`; kInvalidArgument naming the key for a bad setting,
// kNotFound for an unknown protocol.
Result<std::unique_ptr<OperatorClient>> MakeOperatorClient(const OperatorSettings& settings);

}  // namespace gw::operators
