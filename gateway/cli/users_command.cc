// eigw users add|list|remove: the users of the web pages (/ui/) in the gateway's database. The
// password is read from --password-file, else from the environment variable EIGW_USER_PASSWORD,
// else as the first line of standard input; it is never printed or logged, and only its scrypt
// hash is stored (gateway/ui/password.h).
#include <fstream>
#include <iostream>

#include "formats/core/participant_id.h"
#include "gateway/cli/command.h"
#include "gateway/cli/gateway_setup.h"
#include "gateway/ui/password.h"

namespace gw::cli {
namespace {

constexpr const char* kUsersUsage =
    "usage: eigw users add NAME --role admin|finance|customer [--tenant TENANT] [--buyer SCHEME:VALUE]\n"
    "                  [--password-file FILE] --config FILE\n"
    "           a user of the web pages; the password comes from --password-file, EIGW_USER_PASSWORD\n"
    "           or the first line of standard input (at least 12 characters)\n"
    "           admin: every tenant; finance: one tenant (--tenant); customer: read only, the invoices\n"
    "           of one tenant (--tenant) to one buyer (--buyer)\n"
    "       eigw users list --config FILE\n"
    "       eigw users remove NAME --config FILE   (also ends the user's sessions)\n";

bool ValidUserName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name)
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '@')) return false;
  return true;
}

// The password, from the file, the environment or standard input; "" with `why` when none.
std::string ReadPassword(const std::string& file, std::string& why) {
  std::string password;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in || !std::getline(in, password)) {
      why = "cannot read the password from " + file;
      return "";
    }
  } else if (const char* env = std::getenv("EIGW_USER_PASSWORD"); env && *env) {
    password = env;
  } else if (!std::getline(std::cin, password)) {
    why = "no password: give --password-file, set EIGW_USER_PASSWORD or write it to standard input";
    return "";
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

}  // namespace

int RunUsers(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string config, role, tenant, buyer, password_file;
  std::vector<std::string> pos;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--config" && has_value) {
      config = args[++i];
    } else if (args[i] == "--role" && has_value) {
      role = args[++i];
    } else if (args[i] == "--tenant" && has_value) {
      tenant = args[++i];
    } else if (args[i] == "--buyer" && has_value) {
      buyer = args[++i];
    } else if (args[i] == "--password-file" && has_value) {
      password_file = args[++i];
    } else if (args[i].starts_with("-")) {
      err << "eigw users: unknown option " << args[i] << "\n" << kUsersUsage;
      return 2;
    } else {
      pos.push_back(args[i]);
    }
  }
  if (pos.empty() || config.empty()) {
    err << kUsersUsage;
    return 2;
  }
  if (pos[0] == "add" && pos.size() == 2) {
    // Everything that can be checked without the database first.
    if (!ValidUserName(pos[1])) {
      err << "eigw users add: '" << pos[1] << "': a name is 1 to 64 letters, digits, '-', '_', '.' or '@'\n";
      return 2;
    }
    if (role != "admin" && role != "finance" && role != "customer") {
      err << "eigw users add: --role is admin, finance or customer\n";
      return 2;
    }
    if (role == "admin" && (!tenant.empty() || !buyer.empty())) {
      err << "eigw users add: an admin sees every tenant: no --tenant or --buyer\n";
      return 2;
    }
    if (role != "admin" && tenant.empty()) {
      err << "eigw users add: a " << role << " user belongs to one tenant: give --tenant\n";
      return 2;
    }
    if ((role == "customer") != !buyer.empty()) {
      err << "eigw users add: " << (role == "customer" ? "a customer needs --buyer SCHEME:VALUE (whose invoices it sees)"
                                                      : "--buyer is for customers only")
          << "\n";
      return 2;
    }
    if (!buyer.empty()) {
      auto id = ParticipantId::Parse(buyer);
      if (!id) {
        err << "eigw users add: --buyer " << buyer << ": " << id.error().message() << "\n";
        return 2;
      }
    }
    std::string why;
    const std::string password = ReadPassword(password_file, why);
    if (password.empty()) {
      err << "eigw users add: " << (why.empty() ? "the password is empty" : why) << "\n";
      return 2;
    }
    if (std::string problem = gateway::ui::PasswordProblem(password); !problem.empty()) {
      err << "eigw users add: " << problem << "\n";
      return 2;
    }
    gateway::App app;
    if (int rc = OpenGateway(config, app, err, "eigw users"); rc != 0) return rc;
    gateway::storage::User user;
    user.id = gateway::storage::NewId("usr_");
    user.username = pos[1];
    user.role = role;
    user.buyer = buyer;
    user.created_ms = gateway::NowMs();
    if (!tenant.empty()) {
      auto t = app.store->FindTenant(tenant);
      if (!t) {
        err << "eigw users add: " << t.error().message() << "\n";
        return 3;
      }
      if (!*t) {
        err << "eigw users add: there is no tenant '" << tenant << "' (eigw tenants list)\n";
        return 1;
      }
      user.tenant_id = (*t)->id;
    }
    auto hash = gateway::ui::HashPassword(password);
    if (!hash) {
      err << "eigw users add: " << hash.error().message() << "\n";
      return 4;
    }
    user.password_hash = *hash;
    if (auto st = app.store->AddUser(user); !st) {
      err << "eigw users add: " << st.error().message() << "\n";
      return st.error().code() == ErrorCode::kAlreadyExists ? 1 : 3;
    }
    out << user.id << "\n";
    return 0;
  }
  if (pos[0] == "list" && pos.size() == 1) {
    gateway::App app;
    if (int rc = OpenGateway(config, app, err, "eigw users"); rc != 0) return rc;
    auto users = app.store->ListUsers();
    if (!users) {
      err << "eigw users list: " << users.error().message() << "\n";
      return 3;
    }
    for (const auto& u : *users)
      out << u.id << "\t" << u.username << "\t" << u.role << "\t" << (u.tenant_id.empty() ? "-" : u.tenant_id) << "\t"
          << (u.buyer.empty() ? "-" : u.buyer) << "\n";
    return 0;
  }
  if (pos[0] == "remove" && pos.size() == 2) {
    gateway::App app;
    if (int rc = OpenGateway(config, app, err, "eigw users"); rc != 0) return rc;
    auto removed = app.store->RemoveUser(pos[1]);
    if (!removed) {
      err << "eigw users remove: " << removed.error().message() << "\n";
      return 3;
    }
    if (!*removed) {
      err << "eigw users remove: there is no user '" << pos[1] << "'\n";
      return 1;
    }
    return 0;
  }
  err << kUsersUsage;
  return 2;
}

}  // namespace gw::cli
