#include "gateway/outbox/outbox_worker.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <chrono>
#include <iostream>

#include "certs/xmldsig/signer.h"
#include "formats/json/json_value.h"
#include "gateway/common/backoff.h"
#include "gateway/inbound/inbound.h"

namespace gw::gateway {
namespace {

std::string RouteField(const std::string& route_json, std::string_view field) {
  auto doc = formats::json::Parse(route_json);
  return doc ? formats::json::GetString(*doc, field) : std::string();
}



}  // namespace

OutboxWorkers::OutboxWorkers(App& app) : app_(app) {
  char host[128] = {};
  gethostname(host, sizeof host - 1);
  owner_prefix_ = std::string(host) + ":" + std::to_string(getpid()) + ":" + storage::NewId("").substr(0, 6);
}

OutboxWorkers::~OutboxWorkers() { Stop(); }

Status OutboxWorkers::Start() {
  operators::ClientContext context{app_.config.operator_id, &app_.trust};
  for (const auto& op : app_.config.operators) {
    auto client = operators::MakeOperatorClient(op, context);
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
  uint64_t seen = 0;
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
    // Until rung by this process's intake, the poll interval passes (other processes' jobs,
    // retries coming due) or the gateway stops (checked at least every 100 ms).
    for (int64_t waited = 0; waited < app_.config.poll_ms && !app_.stopping; waited += 100) {
      uint64_t before = seen;
      app_.outbox_bell.Wait(seen, std::min<int64_t>(100, app_.config.poll_ms - waited));
      if (seen != before) break;
    }
  }
}

void OutboxWorkers::RunJob(const storage::Job& job, const std::string& owner) {
  if (job.stage == "process") {
    Process(job, owner);
  } else if (job.stage == "forward") {
    Forward(job, owner);
  } else if (job.stage == "status") {
    SendStatus(job, owner);
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
  auto produced = Produce(app_.registry, *app_.routes, (*invoice)->source_format, (*original)->content,
                          MessageContext{job.invoice_id, Rfc3339((*invoice)->created_ms)});
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
  const OperatorConfig* op = app_.config.FindOperator(p.route.operator_id);
  if (op && !op->sign.empty()) {
    // The operator wants signed documents: signed with the tenant's own key or [node]'s, archived
    // beside the unsigned one.
    auto profile = certs::ParseSignProfile(op->sign);
    Result<std::string> signed_doc = Error::FailedPrecondition(
        "operator " + op->id + " requires signed documents (sign = " + op->sign +
        ") but neither [tenant.<name>] nor [node] has a signing_key");
    if (const certs::SigningKey* key = SigningKeyFor(app_, job.tenant_id); key && profile) {
      certs::SignOptions options;
      options.profile = *profile;
      signed_doc = certs::SignXml(step.documents.back().content, *key, options);
    }
    if (!signed_doc) {
      // A configuration problem: retried, so fixing the key and restarting sends it.
      std::cerr << "eigw: outbox: " << job.invoice_id << ": cannot sign: " << signed_doc.error().message() << std::endl;
      step.events.emplace_back("failed_retrying", "cannot sign: " + signed_doc.error().message());
      step.next_stage = "process";
      step.job_attempts = job.attempts + 1;
      step.next_ms = now + BackoffMs(job.attempts + 1, app_.config.backoff_initial_ms, app_.config.backoff_max_ms);
      step.documents.clear();
      return Apply(step);
    }
    step.documents.push_back(storage::Document{"signed", p.media_type, storage::Sha256Hex(*signed_doc),
                                               static_cast<int64_t>(signed_doc->size()), now, std::move(*signed_doc)});
  }
  step.events.emplace_back("validated", "");
  step.events.emplace_back("queued", "for " + p.route.operator_id + " as " + p.route.format + " (" + p.route.reason + ")");
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
  auto produced = app_.store->GetDocument(job.tenant_id, job.invoice_id, "signed");
  if (produced && !*produced) produced = app_.store->GetDocument(job.tenant_id, job.invoice_id, "produced");
  if (!invoice || !produced || !*invoice || !*produced) {
    std::cerr << "eigw: outbox: cannot read " << job.invoice_id << "; retried later" << std::endl;
    return;
  }
  const storage::Invoice& inv = **invoice;
  storage::Step step;
  step.invoice_id = job.invoice_id;
  step.tenant_id = job.tenant_id;
  step.lease_owner = owner;

  const std::string op_id = RouteField(inv.route_json, "operator");
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
  d.format = RouteField(inv.route_json, "format");
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

void OutboxWorkers::ApplyJob(const storage::JobStep& step) {
  if (auto st = app_.store->AdvanceJob(step, NowMs()); !st)
    std::cerr << "eigw: outbox: " << step.job_id << ": " << st.error().message() << std::endl;
}

void OutboxWorkers::Forward(const storage::Job& job, const std::string& owner) {
  auto message = app_.store->InboundByMessage(job.invoice_id);
  auto original = app_.store->InboundDocument(job.invoice_id, "original");
  if (!message || !original || !*message || !*original) {
    std::cerr << "eigw: outbox: cannot read " << job.invoice_id << "; retried later" << std::endl;
    return;
  }
  const storage::InboundMessage& m = **message;
  storage::JobStep step;
  step.job_id = job.invoice_id;
  step.lease_owner = owner;
  // Gives up: the document goes no further, and the operator it came from hears why.
  auto give_up = [&](const std::string& reason) {
    app_.metrics.RecordForward("failed");
    step.inbound_state = "failed";
    step.failure_reason = reason;
    storage::StatusMessage back;
    back.message_id = m.message_id;
    back.direction = "out";
    back.status = "rejected";
    back.code = "RE";
    back.by = "operator";
    back.reason = reason;
    back.operator_id = m.from_operator;
    step.new_statuses.push_back(back);
    ApplyJob(step);
  };
  auto client = clients_.find(m.forward_operator);
  if (client == clients_.end())
    return give_up(app_.config.operator_id + " cannot forward to " + m.forward_operator + ": not configured any more");
  const OperatorConfig& op = client->second->settings();
  std::string document = (*original)->content, format = m.format, media = (*original)->media_type;
  if (std::find(op.formats.begin(), op.formats.end(), m.format) == op.formats.end()) {
    // The partner takes another format: converted through the model.
    auto source = app_.registry.Find(m.format);
    std::vector<Finding> losses;
    auto invoice = source ? (*source)->read(document, losses) : Result<model::Invoice>(source.error());
    bool done = false;
    for (const auto& f : op.formats) {
      auto target = app_.registry.Find(f);
      if (!invoice || !target || !(*target)->write) continue;
      if (auto written = (*target)->write(*invoice, formats::WriteOptions{}, losses)) {
        document = std::move(*written);
        format = f;
        media = (*target)->media_type.empty() ? "application/xml" : (*target)->media_type;
        done = true;
        break;
      }
    }
    if (!done) return give_up(op.id + " accepts none of the formats " + m.format + " converts to");
  }
  operators::Delivery d;
  d.message_id = m.message_id;
  d.sender = m.sender;
  d.recipient = m.recipient;
  d.document_type = m.document_type;
  d.format = format;
  d.media_type = media;
  d.document = document;
  d.path = PathOf(m.path_json);
  auto receipt = client->second->Deliver(d);
  const int number = job.attempts + 1;
  if (receipt) {
    app_.metrics.RecordForward("sent");
    step.inbound_state = "forwarded";
    return ApplyJob(step);
  }
  if (receipt.error().retryable() && number < app_.config.max_attempts) {
    app_.metrics.RecordForward("retrying");
    step.next_stage = "forward";
    step.job_attempts = number;
    step.next_ms = NowMs() + BackoffMs(number, app_.config.backoff_initial_ms, app_.config.backoff_max_ms);
    step.failure_reason = receipt.error().message();
    return ApplyJob(step);
  }
  give_up(receipt.error().retryable()
              ? app_.config.operator_id + " gave up forwarding to " + op.id + " after " + std::to_string(number) +
                    " attempts: " + receipt.error().message()
              : app_.config.operator_id + " could not forward to " + op.id + ": " + receipt.error().message());
}

void OutboxWorkers::SendStatus(const storage::Job& job, const std::string& owner) {
  auto status = app_.store->GetStatus(job.invoice_id);
  if (!status || !*status) {
    std::cerr << "eigw: outbox: cannot read " << job.invoice_id << "; retried later" << std::endl;
    return;
  }
  const storage::StatusMessage& s = **status;
  storage::JobStep step;
  step.job_id = job.invoice_id;
  step.lease_owner = owner;
  const int number = job.attempts + 1;
  step.status_attempts = number;
  auto client = clients_.find(s.operator_id);
  Status sent = client == clients_.end()
                    ? Status(Error::FailedPrecondition("operator " + s.operator_id + " is not configured"))
                    : client->second->SendStatus(operators::StatusUpdate{s.message_id, s.status, s.code, s.reason,
                                                                         Rfc3339(s.at_ms), PathOf(s.path_json), s.by});
  if (sent) {
    app_.metrics.RecordStatusSent("sent");
    step.status_state = "sent";
  } else if (sent.error().retryable() && number < app_.config.max_attempts) {
    app_.metrics.RecordStatusSent("retrying");
    step.status_state = "pending";
    step.status_error = sent.error().message();
    step.next_stage = "status";
    step.job_attempts = number;
    step.next_ms = NowMs() + BackoffMs(number, app_.config.backoff_initial_ms, app_.config.backoff_max_ms);
  } else {
    app_.metrics.RecordStatusSent("failed");
    std::cerr << "eigw: outbox: status " << s.status << " of " << s.message_id << " to " << s.operator_id
              << " failed: " << sent.error().message() << std::endl;
    step.status_state = "failed";
    step.status_error = sent.error().message();
  }
  ApplyJob(step);
}

}  // namespace gw::gateway
