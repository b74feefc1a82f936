#include "gateway/outbox/outbox_worker.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <chrono>
#include <iostream>

#include "formats/json/json_value.h"
#include "gateway/common/backoff.h"

namespace gw::gateway {
namespace {

std::string RouteOperator(const std::string& route_json) {
  auto doc = formats::json::Parse(route_json);
  if (!doc || !doc->is_object()) return "";
  for (const auto& [name, value] : doc->members)
    if (name == "operator" && value.is_string()) return std::string(value.text);
  return "";
}

}  // namespace

OutboxWorkers::OutboxWorkers(App& app) : app_(app) {
  char host[128] = {};
  gethostname(host, sizeof host - 1);
  owner_prefix_ = std::string(host) + ":" + std::to_string(getpid()) + ":" + storage::NewId("").substr(0, 6);
}

OutboxWorkers::~OutboxWorkers() { Stop(); }

Status OutboxWorkers::Start() {
  for (const auto& op : app_.config.operators) {
    auto client = operators::MakeOperatorClient(op);
    if (!client) return client.error();
    clients_[op.id] = std::move(*client);
  }
  for (int i = 0; i < app_.config.workers; ++i) threads_.emplace_back([this, i] { Loop(i); });
  return OkStatus();
}

void OutboxWorkers::Stop() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void OutboxWorkers::Loop(int index) {
  const std::string owner = owner_prefix_ + ":w" + std::to_string(index);
  // Background work yields the CPU to intake: an ERP waits for its 202, nobody waits for the
  // outbox to the millisecond (Linux applies the niceness to this thread only).
  if (app_.config.worker_nice > 0 && setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), app_.config.worker_nice) != 0)
    std::cerr << "eigw: outbox: cannot lower the workers' priority: " << std::strerror(errno) << std::endl;
  while (!app_.stopping) {
    auto jobs = app_.store->ClaimJobs(owner, NowMs(), app_.config.lease_ms, 4);
    if (!jobs) {
      std::cerr << "eigw: outbox: " << jobs.error().message() << std::endl;
    } else {
      for (const auto& job : *jobs) {
        if (app_.stopping) break;  // the lease expires and another worker takes it
        RunJob(job, owner);
      }
      if (!jobs->empty()) continue;
    }
    for (int64_t slept = 0; slept < app_.config.poll_ms && !app_.stopping; slept += 10)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void OutboxWorkers::RunJob(const storage::Job& job, const std::string& owner) {
  if (job.stage == "process") {
    Process(job, owner);
  } else {
    Deliver(job, owner, /*sending_recorded=*/false);
  }
}

void OutboxWorkers::Apply(const storage::Step& step) {
  if (auto st = app_.store->Advance(step, NowMs()); !st)
    std::cerr << "eigw: outbox: " << step.invoice_id << ": " << st.error().message() << std::endl;
}

void OutboxWorkers::Process(const storage::Job& job, const std::string& owner) {
  storage::Step step;
  step.invoice_id = job.invoice_id;
  step.tenant_id = job.tenant_id;
  step.lease_owner = owner;
  auto invoice = app_.store->GetInvoice(job.tenant_id, job.invoice_id);
  auto original = app_.store->GetDocument(job.tenant_id, job.invoice_id, "original");
  if (!invoice || !original || !*invoice || !*original) {
    std::cerr << "eigw: outbox: cannot read " << job.invoice_id << "; retried later" << std::endl;
    return;  // the lease expires and the step runs again
  }
  auto produced = Produce(app_.registry, *app_.routes, (*invoice)->source_format, (*original)->content);
  if (auto* failure = std::get_if<ProduceFailure>(&produced)) {
    bool invalid = failure->code == "validation_failed";
    step.events.emplace_back(invalid ? "rejected" : "failed", failure->reason);
    step.failure_code = failure->code;
    step.failure_reason = failure->reason;
    step.findings_json = FindingsJson(failure->findings);
    return Apply(step);
  }
  auto& p = std::get<Produced>(produced);
  const int64_t now = NowMs();
  step.documents.push_back(storage::Document{"produced", p.media_type, storage::Sha256Hex(p.document),
                                             static_cast<int64_t>(p.document.size()), now, std::move(p.document)});
  step.route_json = RouteJson(p.route);
  step.findings_json = FindingsJson(p.findings);
  if (!p.valid) {
    size_t fatal = 0;
    for (const auto& f : p.findings) fatal += f.severity == Finding::Severity::kFatal;
    std::string reason = "the " + p.route.format + " document has " + std::to_string(fatal) +
                         " fatal findings (see findings)";
    step.events.emplace_back("rejected", reason);
    step.failure_code = "validation_failed";
    step.failure_reason = reason;
    return Apply(step);
  }
  step.events.emplace_back("validated", "");
  step.events.emplace_back("queued", "for " + p.route.operator_id + " as " + p.route.format);
  // Straight on to the first delivery attempt under the same lease: one commit for the three
  // events instead of a commit, a new claim and another commit.
  step.events.emplace_back("sending", "attempt 1 to " + p.route.operator_id);
  step.next_stage = "deliver";
  step.keep_lease = true;
  if (auto st = app_.store->Advance(step, now); !st) {
    std::cerr << "eigw: outbox: " << step.invoice_id << ": " << st.error().message() << std::endl;
    return;
  }
  storage::Job next = job;
  next.stage = "deliver";
  Deliver(next, owner, /*sending_recorded=*/true);
}

void OutboxWorkers::Deliver(const storage::Job& job, const std::string& owner, bool sending_recorded) {
  auto invoice = app_.store->GetInvoice(job.tenant_id, job.invoice_id);
  auto produced = app_.store->GetDocument(job.tenant_id, job.invoice_id, "produced");
  if (!invoice || !produced || !*invoice || !*produced) {
    std::cerr << "eigw: outbox: cannot read " << job.invoice_id << "; retried later" << std::endl;
    return;
  }
  const storage::Invoice& inv = **invoice;
  storage::Step step;
  step.invoice_id = job.invoice_id;
  step.tenant_id = job.tenant_id;
  step.lease_owner = owner;

  const std::string op_id = RouteOperator(inv.route_json);
  auto client = clients_.find(op_id);
  if (client == clients_.end()) {
    std::string reason = "operator '" + op_id + "' of the route is no longer configured";
    step.events.emplace_back("failed", reason);
    step.failure_code = "recipient_not_found";
    step.failure_reason = reason;
    return Apply(step);
  }
  const int number = job.attempts + 1;
  if (!sending_recorded) {
    storage::Step sending = step;
    sending.keep_lease = true;
    sending.events.emplace_back("sending", "attempt " + std::to_string(number) + " to " + op_id);
    if (auto st = app_.store->Advance(sending, NowMs()); !st) {
      std::cerr << "eigw: outbox: " << job.invoice_id << ": " << st.error().message() << std::endl;
      return;
    }
  }
  operators::Delivery d;
  d.message_id = inv.id;
  d.tenant_id = inv.tenant_id;
  d.sender = inv.seller_endpoint;
  d.recipient = inv.buyer_endpoint;
  d.document_type = inv.document_type;
  d.media_type = (*produced)->media_type;
  d.document = (*produced)->content;
  const int64_t started = NowMs();
  auto receipt = client->second->Deliver(d);
  const int64_t finished = NowMs();
  storage::Attempt attempt{number, started, finished, "", "", owner};
  if (receipt) {
    attempt.outcome = "delivered";
    attempt.detail = receipt->detail;
    step.events.emplace_back("delivered", receipt->detail);
    if (!receipt->document.empty()) {
      step.documents.push_back(storage::Document{"receipt", receipt->media_type, storage::Sha256Hex(receipt->document),
                                                 static_cast<int64_t>(receipt->document.size()), finished,
                                                 receipt->document});
    }
  } else if (receipt.error().retryable() && number < app_.config.max_attempts) {
    attempt.outcome = "failed";
    attempt.detail = receipt.error().message();
    step.next_stage = "deliver";
    step.job_attempts = number;
    step.next_ms = finished + BackoffMs(number, app_.config.backoff_initial_ms, app_.config.backoff_max_ms);
    step.events.emplace_back("failed_retrying", receipt.error().message() + "; attempt " + std::to_string(number + 1) +
                                                    " at " + Rfc3339(step.next_ms));
  } else {
    bool refused = !receipt.error().retryable();
    attempt.outcome = refused ? "refused" : "failed";
    attempt.detail = receipt.error().message();
    std::string reason = refused ? "the operator refused the document: " + receipt.error().message()
                                 : "gave up after " + std::to_string(number) + " attempts; the last: " +
                                       receipt.error().message();
    step.events.emplace_back("failed", reason);
    step.failure_code = refused ? "delivery_refused" : "delivery_failed";
    step.failure_reason = reason;
  }
  app_.metrics.RecordDeliveryAttempt(attempt.outcome);
  step.attempt = attempt;
  Apply(step);
}

}  // namespace gw::gateway
