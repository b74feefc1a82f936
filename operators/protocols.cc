// The operator protocols this build has, by name (the `protocol` key of [operator.<id>]), and the
// defaults of the optional client calls.
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include "operators/directory/registry_source.h"
#include "operators/estonia/ee_erp_client.h"
#include "operators/file_drop/file_drop_client.h"
#include "operators/gateway_protocol/gateway_client.h"
#include "operators/finvoice_soap/finvoice_soap_client.h"
#include "operators/operator_client.h"

namespace gw::operators {
namespace {

using Factory = std::function<Result<std::unique_ptr<OperatorClient>>(const OperatorSettings&, const ClientContext&)>;

struct Protocol {
  const char* name;
  Factory make;
};

// One line per protocol.
const std::vector<Protocol>& Protocols() {
  static const std::vector<Protocol> kProtocols = {
      {"ee-erp", EeErpClient::Make},
      {"file-drop", FileDropClient::Make},
      {"gateway", GatewayClient::Make},
      {"finvoice-soap", FinvoiceSoapClient::Make},
      {"registry-dump", RegistryDumpClient::Make},
  };
  return kProtocols;
}

// rate_limit for every protocol: each call to the operator waits for its slot (calls spread evenly,
// 1/rate apart, across all threads of the process).
class PacedClient final : public OperatorClient {
 public:
  explicit PacedClient(std::unique_ptr<OperatorClient> inner)
      : OperatorClient(inner->settings()), inner_(std::move(inner)),
        interval_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(1.0 / settings().rate_limit))) {}
  Result<Receipt> Deliver(const Delivery& d) override { return Pace(), inner_->Deliver(d); }
  Result<ReceiverPage> ListReceivers(const std::string& since) override { return Pace(), inner_->ListReceivers(since); }
  Result<std::vector<ReceiverInfo>> CheckRecipients(const std::vector<std::string>& ids) override {
    return Pace(), inner_->CheckRecipients(ids);
  }
  Status SendStatus(const StatusUpdate& u) override { return Pace(), inner_->SendStatus(u); }
  Result<FetchedBatch> FetchInbound(const std::string& since) override { return Pace(), inner_->FetchInbound(since); }

 private:
  void Pace() {
    std::chrono::steady_clock::time_point slot;
    {
      std::lock_guard lock(mu_);
      slot = std::max(std::chrono::steady_clock::now(), next_);
      next_ = slot + interval_;
    }
    std::this_thread::sleep_until(slot);
  }

  std::unique_ptr<OperatorClient> inner_;
  std::chrono::steady_clock::duration interval_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point next_{};
};

Error NotSupported(const OperatorSettings& s, const char* what) {
  return Error::FailedPrecondition("operator " + s.id + " (protocol " + s.protocol + ") cannot " + what);
}

constexpr std::pair<const char*, const char*> kCodes[] = {
    {"delivered", "AB"}, {"in_process", "IP"}, {"under_query", "UQ"}, {"conditionally_accepted", "CA"},
    {"rejected", "RE"},  {"accepted", "AP"},   {"paid", "PD"},
};

}  // namespace

Result<ReceiverPage> OperatorClient::ListReceivers(const std::string&) {
  return NotSupported(settings_, "list its receivers");
}
Result<std::vector<ReceiverInfo>> OperatorClient::CheckRecipients(const std::vector<std::string>&) {
  return NotSupported(settings_, "check recipients");
}
Status OperatorClient::SendStatus(const StatusUpdate&) { return NotSupported(settings_, "take status updates"); }
Result<FetchedBatch> OperatorClient::FetchInbound(const std::string&) {
  return NotSupported(settings_, "keep received documents for collection");
}

Result<std::unique_ptr<OperatorClient>> MakeOperatorClient(const OperatorSettings& settings,
                                                           const ClientContext& context) {
  for (const Protocol& p : Protocols()) {
    if (settings.protocol != p.name) continue;
    auto client = p.make(settings, context);
    if (!client || settings.rate_limit <= 0) return client;
    return std::unique_ptr<OperatorClient>(new PacedClient(std::move(*client)));
  }
  std::string names;
  for (const auto& n : OperatorProtocols()) names += (names.empty() ? "" : ", ") + n;
  return Error::NotFound("operator." + settings.id + ".protocol: unknown protocol '" + settings.protocol +
                         "' (this build has: " + names + ")");
}

std::vector<std::string> OperatorProtocols() {
  std::vector<std::string> out;
  for (const Protocol& p : Protocols()) out.push_back(p.name);
  return out;
}

std::string StatusCode(std::string_view status) {
  for (auto [name, code] : kCodes)
    if (status == name) return code;
  return "";
}

std::string StatusName(std::string_view code) {
  for (auto [name, c] : kCodes)
    if (code == c) return name;
  return "";
}

}  // namespace gw::operators
