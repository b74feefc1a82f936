#include "gateway/webhooks/webhook_dispatcher.h"

#include <openssl/hmac.h>

#include <chrono>
#include <iostream>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include "gateway/common/backoff.h"

namespace gw::gateway {

std::string WebhookSignature(const std::string& secret, const std::string& id, int64_t timestamp,
                             const std::string& body) {
  const std::string message = id + "." + std::to_string(timestamp) + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  std::string out = "v1=";
  char hex[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", mac[i]);
    out += hex;
  }
  return out;
}

void WebhookDispatcher::Start() {
  for (int i = 0; i < thread_count_; ++i) threads_.emplace_back([this, i] { Loop(i); });
}

void WebhookDispatcher::Stop() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

std::pair<int, std::string> WebhookDispatcher::Send(const storage::Store::DueDelivery& due) {
  try {
    Poco::URI uri(due.webhook.url);
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https") {
      session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort());
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    }
    session->setTimeout(Poco::Timespan(app_.config.webhook_timeout_ms * 1000));
    const std::string body = EventJson(due.event);
    const int64_t timestamp = NowMs() / 1000;
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    request.set("User-Agent", "eigw-webhooks/0.1");
    request.set("Webhook-Id", due.delivery.id);
    request.set("Webhook-Timestamp", std::to_string(timestamp));
    request.set("Webhook-Signature", WebhookSignature(due.webhook.secret, due.delivery.id, timestamp, body));
    session->sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    std::string ignored;
    Poco::StreamCopier::copyToString(in, ignored);
    int status = response.getStatus();
    if (status >= 200 && status < 300) return {status, ""};
    return {status, "the receiver answered " + std::to_string(status) + " " + response.getReason()};
  } catch (const Poco::Exception& e) {
    return {0, e.displayText()};
  }
}

void WebhookDispatcher::Loop(int index) {
  const std::string owner = "webhooks:" + std::to_string(index) + ":" + storage::NewId("").substr(0, 8);
  const Config& c = app_.config;
  while (!app_.stopping) {
    // One at a time, leased for longer than one call can take (connect, send and receive each
    // have the timeout), so a lease never runs out while its call is under way.
    auto due = app_.store->ClaimDeliveries(owner, NowMs(), 3 * c.webhook_timeout_ms + 5000, 1);
    if (!due || due->empty()) {
      if (!due) std::cerr << "eigw: webhooks: " << due.error().message() << std::endl;
      for (int slept = 0; slept < 200 && !app_.stopping; slept += 10)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    for (const auto& d : *due) {
      auto [status, error] = Send(d);
      storage::WebhookDelivery rec = d.delivery;
      rec.attempts += 1;
      rec.last_status = status;
      rec.last_error = error;
      const int64_t now = NowMs();
      if (error.empty()) {
        rec.state = "delivered";
        rec.delivered_ms = now;
        app_.metrics.RecordWebhookDelivery("delivered");
      } else {
        app_.metrics.RecordWebhookDelivery("failed");
        if (rec.attempts >= c.webhook_max_attempts) {
          rec.state = "failed";
        } else {
          rec.state = "pending";
          rec.next_ms = now + BackoffMs(rec.attempts, c.webhook_backoff_initial_ms, c.webhook_backoff_max_ms);
        }
      }
      if (auto st = app_.store->RecordDelivery(rec, owner); !st)
        std::cerr << "eigw: webhooks: " << rec.id << ": " << st.error().message() << std::endl;
    }
  }
}

}  // namespace gw::gateway
