// eigw directory status|sync and eigw recipients lookup: the recipient directory from the command
// line, on the database the configuration names (a running server may use it at the same time).
#include <unistd.h>

#include <iostream>

#include "formats/core/participant_id.h"
#include "gateway/cli/command.h"
#include "gateway/cli/gateway_setup.h"
#include "gateway/directory/directory_scheduler.h"
#include "gateway/directory/recipient_lookup.h"

namespace gw::cli {
namespace {

constexpr const char* kDirectoryUsage =
    "usage: eigw directory status --config FILE             per source: last run, changes, errors, next run\n"
    "       eigw directory sync [--source S] --config FILE  sync one source (or all) now\n";
constexpr const char* kRecipientsUsage =
    "usage: eigw recipients lookup SCHEME:VALUE [--document-type invoice|credit_note] --config FILE\n"
    "       prints the directory's answer as JSON (docs/api.md, GET /v1/recipients/{recipient});\n"
    "       exit 0 when the recipient can receive, 1 when not\n";

struct Args {
  std::string config, source, document_type;
  std::vector<std::string> positional;
};

bool Parse(const std::vector<std::string>& args, Args& out) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool has_value = i + 1 < args.size();
    if (a == "--config" && has_value) {
      out.config = args[++i];
    } else if (a == "--source" && has_value) {
      out.source = args[++i];
    } else if (a == "--document-type" && has_value) {
      out.document_type = args[++i];
    } else if (a.starts_with("-")) {
      return false;
    } else {
      out.positional.push_back(a);
    }
  }
  return !out.config.empty();
}

std::string Time(int64_t ms) { return ms > 0 ? gateway::Rfc3339(ms) : "-"; }

}  // namespace

int RunDirectory(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Args a;
  if (!Parse(args, a) || a.positional.size() != 1 || (a.positional[0] != "status" && a.positional[0] != "sync")) {
    err << kDirectoryUsage;
    return 2;
  }
  gateway::App app;
  if (int rc = OpenGateway(a.config, app, err, "eigw directory"); rc != 0) return rc;
  if (a.positional[0] == "sync") {
    if (auto st = gateway::LoadNode(app); !st) {
      err << "eigw directory sync: " << st.error().message() << "\n";
      return 2;
    }
    gateway::DirectoryScheduler scheduler(app, {app.config.directory_interval_ms, app.config.directory_jitter_ms,
                                               600000, 30000},
                                          "cli-" + std::to_string(getpid()));
    if (auto st = scheduler.AddOperatorSources(); !st) {
      err << "eigw directory sync: " << st.error().message() << "\n";
      return 2;
    }
    std::string names;
    bool known = a.source.empty();
    for (const auto& s : scheduler.sources()) {
      names += (names.empty() ? "" : ", ") + s.name;
      known = known || s.name == a.source;
    }
    if (!known) {
      err << "eigw directory sync: no source '" << a.source << "' (sources: " << (names.empty() ? "none" : names)
          << ")\n";
      return 2;
    }
    scheduler.RunDue(gateway::NowMs(), a.source, /*force=*/true);
    if (scheduler.last_busy() > 0)
      err << "eigw directory sync: " << scheduler.last_busy() << " source(s) are being synced by another process now\n";
    if (scheduler.last_failed() > 0) err << "eigw directory sync: " << scheduler.last_failed() << " sync(s) failed\n";
    return scheduler.last_failed() > 0 || scheduler.last_busy() > 0 ? 1 : 0;
  }
  auto sources = app.store->ListSources();
  auto size = app.store->DirectorySize();
  if (!sources || !size) {
    err << "eigw directory status: " << (!sources ? sources.error() : size.error()).message() << "\n";
    return 3;
  }
  out << "entries\t" << *size << "\n";
  out << "source\tlast success\tduration ms\tadded\tchanged\tremoved\terrors\tnext run\tlast error\n";
  for (const auto& s : *sources) {
    out << s.name << "\t" << Time(s.last_success_ms) << "\t" << s.duration_ms << "\t" << s.added << "\t" << s.changed
        << "\t" << s.removed << "\t" << s.errors << "\t" << Time(s.next_run_ms) << "\t"
        << (s.last_error.empty() ? "-" : s.last_error) << "\n";
  }
  return 0;
}

int RunRecipients(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Args a;
  if (!Parse(args, a) || a.positional.size() != 2 || a.positional[0] != "lookup" ||
      (!a.document_type.empty() && a.document_type != "invoice" && a.document_type != "credit_note")) {
    err << kRecipientsUsage;
    return 2;
  }
  auto id = ParticipantId::Parse(a.positional[1]);
  if (!id) {
    err << "eigw recipients lookup: '" << a.positional[1] << "': " << id.error().message()
        << " (SCHEME:VALUE, for example 0088:5790000435975)\n";
    return 2;
  }
  gateway::App app;
  if (int rc = OpenGateway(a.config, app, err, "eigw recipients"); rc != 0) return rc;
  auto answer = gateway::LookupRecipient(app, id->ToString(), a.document_type);
  if (!answer) {
    err << "eigw recipients lookup: " << answer.error().message() << "\n";
    return 3;
  }
  out << gateway::RecipientJson(*answer, gateway::NowMs()) << "\n";
  return answer->can_receive ? 0 : 1;
}

}  // namespace gw::cli
