// The inbound poller: for operators that keep received documents for collection (the Estonian
// ERP interface's export) and have `poll_seconds`, fetches what arrived since the stored cursor
// and hands each document to the inbound path (AcceptInbound: de-duplicated by message id,
// verified, validated, stored, to the tenant's inbox), then moves the cursor. One thread; a
// failed fetch keeps the cursor and is tried again at the next round.
#pragma once

#include <map>
#include <memory>
#include <thread>

#include "gateway/server/context.h"
#include "operators/operator_client.h"

namespace gw::gateway {

class InboundPoller {
 public:
  explicit InboundPoller(App& app) : app_(app) {}
  ~InboundPoller() { Stop(); }
  // Makes the clients of the operators with poll_seconds > 0 and starts the thread (none when
  // there is no such operator).
  Status Start();
  void Stop();
  // One round for one operator: fetch, accept each, move the cursor. Returns how many documents
  // were new (public for tests and `eigw` tooling).
  Result<int> PollOnce(const std::string& operator_id);

 private:
  void Loop();

  App& app_;
  std::map<std::string, std::unique_ptr<operators::OperatorClient>> clients_;
  std::thread thread_;
};

}  // namespace gw::gateway
