// The operator side of delivery: the operator registry's entry (OperatorSettings), what the
// outbox hands to an e-invoice operator (Delivery), and the client interface every operator
// protocol implements (operators/<protocol>/), registered by name in operators/protocols.cc.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/core/result.h"

namespace gw::certs {
class TrustStore;
}

namespace gw::operators {

// One operator of the registry, from the configuration ([operator.<id>], docs/configuration.md).
struct OperatorSettings {
  std::string id;        // "local-drop"
  std::string name;      // shown to people; the id when not configured
  std::string protocol;  // "file-drop", "gateway", "ee-erp", "finvoice-soap"
  std::string url;       // endpoint (protocols that talk HTTP)
  std::vector<std::string> formats;             // registry names it accepts, in order of preference
  std::string sign;      // "" (documents go unsigned), "xmldsig", "xades-bes", "xades-epes"
  std::vector<std::string> roaming_partners;    // operators it hands documents on to
  bool roaming = false;  // it may send us documents for recipients we forward (a roaming partner)
  double rate_limit = 0;     // requests per second to it; 0 = no limit
  long timeout_ms = 30000;   // whole request
  long connect_timeout_ms = 5000;
  int poll_seconds = 0;      // fetch received documents this often (operators that keep them); 0 = never
  std::map<std::string, std::string> settings;  // protocol keys (folder, token, ca_file, ...)

  // A protocol key, or `fallback` when not configured.
  std::string Get(const std::string& key, const std::string& fallback = "") const {
    auto it = settings.find(key);
    return it == settings.end() ? fallback : it->second;
  }
};

// What every client may need from the gateway it runs in.
struct ClientContext {
  std::string self_id;                      // this gateway's operator id ([node] operator_id)
  const certs::TrustStore* trust = nullptr;  // CAs for receipts and partner signatures
};

// One document for one recipient, with its envelope.
struct Delivery {
  std::string message_id;     // unique per document end to end; operators detect duplicates by it
  std::string tenant_id;
  std::string sender;         // "scheme:value"
  std::string recipient;      // "scheme:value"
  std::string document_type;  // invoice, credit_note
  std::string format;         // registry name of the document's format
  std::string media_type;
  std::string_view document;
  // Roaming: the operators the document passed before this gateway, in order, the first being
  // where it entered the network. Empty for a document of our own tenant. The client sends
  // path + [self]; hops = that path's size.
  std::vector<std::string> path;
};

struct Receipt {
  std::string detail;      // one line for the attempt log (where it went, the operator's id)
  std::string document;    // the operator's receipt, if it sent one (archived as kind "receipt")
  std::string media_type;
};

// A recipient as an operator knows it (receiver lists, checks).
struct ReceiverInfo {
  std::string id;                             // "scheme:value"
  std::string name;
  bool accepts = false;                       // registered to receive e-invoices
  std::string channel;                        // direct, roaming
  std::vector<std::string> path;              // operators from the answering one to the serving one
  std::vector<std::string> document_types;    // invoice, credit_note
  std::vector<std::string> formats;
  bool removed = false;                       // in a delta: the recipient left
};

struct ReceiverPage {
  std::vector<ReceiverInfo> receivers;
  std::string next_cursor;  // pass as `since` for the changes after this page
  bool more = false;        // another page follows at once
};

// A business status of a delivered document, sent back along its route.
struct StatusUpdate {
  std::string message_id;
  std::string status;  // delivered, in_process, under_query, conditionally_accepted, accepted, rejected, paid
  std::string code;    // AB, IP, UQ, CA, AP, RE, PD
  std::string reason;
  std::string at;      // RFC 3339
  std::vector<std::string> path;  // the operators it passed so far, from the recipient's side
  std::string by;                 // recipient (its ERP) or operator (a hop could not go on)
};

// A document fetched from an operator that keeps received documents for collection (the Estonian
// export); handed to the inbound path like a delivery over /operator/v1.
struct FetchedDocument {
  std::string message_id;  // unique and stable: the same document fetched again has the same id
  std::string sender, recipient, document_type, format;
  std::string document;
};

struct FetchedBatch {
  std::vector<FetchedDocument> documents;
  std::string next_since;  // pass to the next FetchInbound
};

class OperatorClient {
 public:
  virtual ~OperatorClient() = default;
  const OperatorSettings& settings() const { return settings_; }
  // Delivers the document. Must be idempotent by message_id: delivering the same message again
  // (after a crash between delivery and its record) must not make a second document at the
  // recipient. An error with retryable() is retried with backoff; any other error is permanent.
  virtual Result<Receipt> Deliver(const Delivery& delivery) = 0;
  // The operator's receivers: all of them (since = "") or the changes since a cursor.
  virtual Result<ReceiverPage> ListReceivers(const std::string& since);
  // Up to 100 recipients at once, answered in the order asked.
  virtual Result<std::vector<ReceiverInfo>> CheckRecipients(const std::vector<std::string>& ids);
  // Sends a business status back to the operator the document came from.
  virtual Status SendStatus(const StatusUpdate& update);
  // Documents received for us since `since` ("" = from the beginning), for operators that keep
  // them for collection.
  virtual Result<FetchedBatch> FetchInbound(const std::string& since);

 protected:
  explicit OperatorClient(OperatorSettings settings) : settings_(std::move(settings)) {}

 private:
  OperatorSettings settings_;
};

// Makes the client of `settings.protocol`; kInvalidArgument naming the key for a bad setting,
// kNotFound for an unknown protocol.
Result<std::unique_ptr<OperatorClient>> MakeOperatorClient(const OperatorSettings& settings,
                                                           const ClientContext& context = {});
// The protocol names this build knows.
std::vector<std::string> OperatorProtocols();

// Peppol Invoice Response code of a status name and back ("accepted" <-> "AP"); "" when unknown.
std::string StatusCode(std::string_view status);
std::string StatusName(std::string_view code);

}  // namespace gw::operators
