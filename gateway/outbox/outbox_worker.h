// The outbox workers: each claims due outbox rows (leased, so no two workers or processes take the
// same one), runs the invoice's next step and records it in one transaction:
//   process: archived original -> route -> target format -> native validation -> archive the
//            produced document -> validated, queued (or rejected / failed with the reason)
//   deliver: sending (for the first attempt in the same commit as queued, same lease) -> operator client -> delivered, or failed_retrying with exponential backoff
//            and jitter, or failed when the attempts are used up or the operator refuses.
//   forward: an inbound document for a recipient of a roaming partner -> that operator (the
//            envelope's path extended); a permanent failure sends a rejection back.
//   status:  a business status -> the operator the document came from.
// Every attempt is recorded. A crash between delivery and its record delivers again after the
// lease expires; operator clients are idempotent by message id, so the recipient gets it once.
#pragma once

#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "gateway/server/context.h"
#include "operators/operator_client.h"

namespace gw::gateway {

class OutboxWorkers {
 public:
  explicit OutboxWorkers(App& app);
  ~OutboxWorkers();
  // Makes the operator clients (errors name the operator's key) and starts config.workers threads.
  Status Start();
  // Asks the workers to stop after their current step and joins them.
  void Stop();

  // Runs one step of one claimed job (public for tests).
  void RunJob(const storage::Job& job, const std::string& owner);

 private:
  void Loop(int index);
  void Process(const storage::Job& job, const std::string& owner);
  // `sending_recorded`: the "sending" event of this attempt is already committed.
  void Deliver(const storage::Job& job, const std::string& owner, bool sending_recorded);
  void Apply(const storage::Step& step);
  void Forward(const storage::Job& job, const std::string& owner);
  void SendStatus(const storage::Job& job, const std::string& owner);
  void ApplyJob(const storage::JobStep& step);

  App& app_;
  std::map<std::string, std::unique_ptr<operators::OperatorClient>> clients_;
  std::vector<std::thread> threads_;
  std::string owner_prefix_;
};

}  // namespace gw::gateway
