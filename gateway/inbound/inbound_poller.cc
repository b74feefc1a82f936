#include "gateway/inbound/inbound_poller.h"

#include <chrono>
#include <iostream>

#include "gateway/inbound/inbound.h"

namespace gw::gateway {

Status InboundPoller::Start() {
  operators::ClientContext context{app_.config.operator_id, &app_.trust};
  for (const auto& op : app_.config.operators) {
    if (op.poll_seconds <= 0) continue;
    auto client = operators::MakeOperatorClient(op, context);
    if (!client) return client.error();
    clients_[op.id] = std::move(*client);
  }
  if (!clients_.empty()) thread_ = std::thread([this] { Loop(); });
  return OkStatus();
}

void InboundPoller::Stop() {
  if (thread_.joinable()) thread_.join();
}

Result<int> InboundPoller::PollOnce(const std::string& operator_id) {
  auto it = clients_.find(operator_id);
  if (it == clients_.end()) return Error::NotFound("operator " + operator_id + " is not polled");
  const std::string cursor_name = "fetch:" + operator_id;
  auto since = app_.store->GetCursor(cursor_name);
  if (!since) return since.error();
  auto batch = it->second->FetchInbound(*since);
  if (!batch) return batch.error();
  int fresh = 0;
  for (auto& d : batch->documents) {
    InboundRequest request{d.message_id, d.sender, d.recipient, d.document_type, d.format, {operator_id}, operator_id,
                           std::move(d.document)};
    InboundOutcome outcome = AcceptInbound(app_, request);
    if (outcome.status == 503) return Error::Unavailable(outcome.detail);  // the cursor stays: fetched again
    if (outcome.status != 200) {
      // Nobody here to give it to (or a document we cannot read): logged, and the cursor moves on;
      // the operator keeps it.
      std::cerr << "eigw: inbound: " << operator_id << ": " << d.message_id << " refused: " << outcome.code << ": "
                << outcome.detail << std::endl;
      continue;
    }
    if (!outcome.duplicate) ++fresh;
  }
  if (batch->next_since != *since)
    if (auto st = app_.store->SetCursor(cursor_name, batch->next_since, NowMs()); !st) return st.error();
  return fresh;
}

void InboundPoller::Loop() {
  std::map<std::string, std::chrono::steady_clock::time_point> due;
  for (const auto& [id, client] : clients_) due[id] = std::chrono::steady_clock::now();
  while (!app_.stopping) {
    auto now = std::chrono::steady_clock::now();
    for (auto& [id, when] : due) {
      if (app_.stopping || now < when) continue;
      auto got = PollOnce(id);
      if (!got) {
        std::cerr << "eigw: inbound: fetching from " << id << " failed: " << got.error().message()
                  << "; tried again in " << clients_[id]->settings().poll_seconds << " s" << std::endl;
      } else if (*got > 0) {
        std::cerr << "eigw: inbound: " << *got << " new documents from " << id << std::endl;
      }
      when = std::chrono::steady_clock::now() + std::chrono::seconds(clients_[id]->settings().poll_seconds);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace gw::gateway
