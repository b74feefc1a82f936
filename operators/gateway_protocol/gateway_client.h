// protocol = gateway: the client side of the gateway operator protocol (docs/operator-protocol.md),
// for delivering to another gateway or any operator that implements the protocol: documents with
// their envelope (the receipt is checked before a delivery counts), receiver lists and checks,
// and status callbacks.
#pragma once

#include <chrono>
#include <mutex>

#include "operators/http/http_client.h"
#include "operators/operator_client.h"

namespace gw::operators {

class GatewayClient final : public OperatorClient {
 public:
  // Needs url and token (the bearer we send) or client_cert/client_key; ca_file for https; the
  // timeouts from the settings (rate_limit is applied by MakeOperatorClient for every protocol).
  static Result<std::unique_ptr<OperatorClient>> Make(const OperatorSettings& settings, const ClientContext& context);

  // Sends the document with the envelope path = delivery.path + [self].
  Result<Receipt> Deliver(const Delivery& delivery) override;
  Result<ReceiverPage> ListReceivers(const std::string& since) override;
  Result<std::vector<ReceiverInfo>> CheckRecipients(const std::vector<std::string>& ids) override;
  Status SendStatus(const StatusUpdate& update) override;

 private:
  GatewayClient(OperatorSettings settings, ClientContext context, HttpOptions http);
  Result<HttpResponse> Call(const std::string& method, const std::string& path, std::string_view body);
  // The error for a non-2xx answer: retryable for 401, 408, 429 and 5xx, else permanent.
  Error AnswerError(const HttpResponse& response, const std::string& what) const;

  ClientContext context_;
  HttpClient http_;
  std::string base_;
};

}  // namespace gw::operators
