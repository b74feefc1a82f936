// eigw serve --config FILE: the gateway server (API, outbox workers, webhook dispatcher) until
// SIGTERM or SIGINT, then a graceful stop: no new connections, in-flight requests finish, workers
// end their current step.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "formats/registry/builtin.h"
#include "gateway/directory/directory_scheduler.h"
#include "gateway/directory/recipient_cache.h"
#include "gateway/directory/recipient_lookup.h"
#include "gateway/inbound/inbound_poller.h"
#include "gateway/cli/command.h"
#include "gateway/cli/gateway_setup.h"
#include "gateway/outbox/outbox_worker.h"
#include "gateway/server/server.h"
#include "gateway/webhooks/webhook_dispatcher.h"

extern const char kEmbeddedOpenApiYaml[];

namespace gw::cli {
namespace {

constexpr const char* kServeUsage =
    "usage: eigw serve --config FILE\n"
    "\n"
    "Runs the gateway: the HTTP API (docs/api.md), the outbox workers and the webhook dispatcher.\n"
    "Every configuration key can be overridden by an EIGW_<SECTION>_<KEY> environment variable\n"
    "(docs/configuration.md). Prints 'eigw: listening on http://HOST:PORT' when ready; SIGTERM or\n"
    "SIGINT stop it gracefully.\n";

// The SQLite database belongs to one server process: a second one would run a second set of
// workers on the same outbox without SKIP LOCKED. An advisory lock beside the file says so.
bool LockSqlite(const std::string& path, std::ostream& err) {
  const std::string lock_path = path + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    err << "eigw serve: cannot create " << lock_path << ": " << std::strerror(errno) << "\n";
    return false;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    err << "eigw serve: another eigw serve uses " << path
        << "; an SQLite database serves one process (use PostgreSQL for several)\n";
    ::close(fd);
    return false;
  }
  return true;  // held until the process ends
}

}  // namespace

int RunServe(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string config_path;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      out << kServeUsage;
      return 0;
    }
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else {
      err << "eigw serve: unknown argument '" << args[i] << "'\n\n" << kServeUsage;
      return 2;
    }
  }
  if (config_path.empty()) {
    err << "eigw serve: --config FILE is required (example: config/eigw.conf)\n\n" << kServeUsage;
    return 2;
  }
  gateway::App app;
  if (int rc = OpenGateway(config_path, app, err, "eigw serve"); rc != 0) return rc;
  if (app.config.storage_driver == "sqlite") {
    if (!LockSqlite(app.config.sqlite_path, err)) return 3;
    if (auto st = app.store->ReleaseAllLeases(); !st) {
      err << "eigw serve: " << st.error().message() << "\n";
      return 3;
    }
  }
  if (auto st = formats::RegisterBuiltinFormats(app.registry); !st) {
    err << "eigw serve: " << st.error().message() << "\n";
    return 4;
  }
  app.routes = std::make_unique<operators::StaticRoutes>(app.config.operators, app.config.recipient_operators,
                                                         app.config.default_operator);
  app.routes->SetDirectory([&app](const std::string& recipient) { return gateway::DirectoryRouteFor(app, recipient); });
  app.openapi_yaml = kEmbeddedOpenApiYaml;
  if (auto st = gateway::LoadNode(app); !st) {
    err << "eigw serve: " << st.error().message() << "\n";
    return 2;
  }
  if (auto st = gateway::AnnounceRoutes(app); !st) {
    err << "eigw serve: " << st.error().message() << "\n";
    return 3;
  }

  // SIGTERM and SIGINT are taken by sigwait below; every thread started from here inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  gateway::OutboxWorkers workers(app);
  if (auto st = workers.Start(); !st) {
    err << "eigw serve: " << st.error().message() << "\n";
    app.stopping = true;
    return 2;
  }
  gateway::WebhookDispatcher webhooks(app);
  webhooks.Start();
  gateway::DirectoryScheduler directory(
      app, {app.config.directory_interval_ms, app.config.directory_jitter_ms, 600000, 30000},
      gateway::storage::NewId("dir_").substr(0, 16));
  if (auto st = directory.AddOperatorSources(); !st) {
    err << "eigw serve: " << st.error().message() << "\n";
    app.stopping = true;
    return 2;
  }
  app.directory = &directory;
  app.recipients = std::make_shared<gateway::RecipientCache>();
  gateway::InboundPoller poller(app);
  gateway::Server server(app);
  auto port = server.Start();
  if (!port) {
    err << "eigw serve: " << port.error().message() << "\n";
    app.stopping = true;
    return 3;
  }
  const char* scheme = app.config.tls_cert.empty() ? "http" : "https";
  // One write, before the threads that log on their own start (the ready line must not be split).
  err << ("eigw: listening on " + std::string(scheme) + "://" + app.config.listen_host + ":" +
          std::to_string(*port) + "\n")
      << std::flush;
  directory.Start();
  if (auto st = poller.Start(); !st) {
    err << "eigw serve: " << st.error().message() << "\n";
    app.stopping = true;
    server.Stop(1000);
    return 2;
  }

  int received = 0;
  sigwait(&signals, &received);
  err << "eigw: " << (received == SIGTERM ? "SIGTERM" : "SIGINT") << ", stopping" << std::endl;
  app.stopping = true;
  server.Stop(10000);
  workers.Stop();
  webhooks.Stop();
  poller.Stop();
  directory.Stop();
  err << "eigw: stopped" << std::endl;
  return 0;
}

}  // namespace gw::cli
