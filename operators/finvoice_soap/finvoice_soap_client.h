// finvoice-soap: the client of a Finnish e-invoice operator or bank that takes Finvoice 3.0 behind
// its SOAP/ebXML 2.0 frame over HTTPS and answers with an ebXML acknowledgement
// (docs/operators/finland.md). Thread-safe: several outbox workers may Deliver at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "operators/http/http_client.h"
#include "operators/operator_client.h"

namespace gw::operators {

class FinvoiceSoapClient final : public OperatorClient {
 public:
  // Milliseconds since the Unix epoch (UTC): the frame's Timestamp.
  using Clock = std::function<int64_t()>;

  // The client of `settings` (protocol "finvoice-soap"). Reads settings.url (https://; http://
  // only with the key allow_http = "true", for tests), timeout_ms, connect_timeout_ms and the
  // protocol keys ca_file, client_cert and client_key (files, checked readable now),
  // sender_intermediator and receiver_intermediator (required), and cpa_id (optional).
  // kInvalidArgument naming "operator.<id>.<key>" and saying how to fix it, for the first bad key.
  static Result<std::unique_ptr<OperatorClient>> Make(const OperatorSettings& settings,
                                                      const ClientContext& context);
  // As Make, with the clock that stamps the frames (tests); `clock` must be callable from any
  // thread.
  static Result<std::unique_ptr<FinvoiceSoapClient>> Create(const OperatorSettings& settings,
                                                            Clock clock);

  // Frames delivery.document (a Finvoice document without frame, format "finvoice") with
  // From delivery.sender's value (Sender) and sender_intermediator, To delivery.recipient's value
  // (Receiver) and receiver_intermediator, MessageId delivery.message_id (a retried delivery
  // carries the same one, so the operator can drop the duplicate), and POSTs frame and document,
  // the document's bytes unchanged, as text/xml in the charset its XML declaration names. Success:
  // the operator's acknowledgement refers to the MessageId; the Receipt names the operator and the
  // MessageId and holds the acknowledgement (text/xml). Errors, permanent unless said:
  // kInvalidArgument for a delivery that cannot be framed (another format, a framed or non-Finvoice
  // document, a sender or recipient without "scheme:value"), for a SOAP fault of the client kind or
  // an eb:ErrorList with severity Error (with the operator's text); kFailedPrecondition for another
  // 4xx status; kUnavailable, retryable, for a connection, TLS or timeout failure, HTTP 408, 429
  // and 5xx without a client fault, a server fault, and an answer that is not an acknowledgement of
  // this message (saying what it is instead).
  Result<Receipt> Deliver(const Delivery& delivery) override;

 private:
  FinvoiceSoapClient(OperatorSettings settings, HttpOptions options, Clock clock);

  HttpClient http_;
  Clock clock_;
};

}  // namespace gw::operators
