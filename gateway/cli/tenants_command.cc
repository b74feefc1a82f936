// eigw tenants add|list and eigw keys create|list|revoke: tenants and their API keys in the
// gateway's database (the configuration names it). A key is printed once; only its SHA-256 is stored.
#include <iostream>

#include "gateway/cli/command.h"
#include "formats/core/participant_id.h"
#include "gateway/cli/gateway_setup.h"

namespace gw::cli {
namespace {

constexpr const char* kTenantsUsage =
    "usage: eigw tenants add NAME --config FILE    add a tenant; prints its id\n"
    "       eigw tenants list --config FILE        list tenants\n"
    "       eigw tenants set TENANT --inbox-format original|json|ubl|cii --config FILE\n"
    "                                              the format of documents in the tenant's inbox\n"
    "       eigw tenants identifiers add|remove TENANT SCHEME:VALUE --config FILE\n"
    "                                              an identifier operators deliver to the tenant\n"
    "       eigw tenants identifiers list TENANT --config FILE\n";
constexpr const char* kKeysUsage =
    "usage: eigw keys create TENANT --config FILE  make an API key; prints it (shown only this once)\n"
    "       eigw keys list TENANT --config FILE    list a tenant's keys (id, prefix, created, revoked)\n"
    "       eigw keys revoke KEY_ID --config FILE  revoke a key (requests with it get 401)\n"
    "TENANT is the tenant's name or id.\n";

// Splits "--config FILE" (and "--inbox-format F" into `inbox_format` when given) off; the rest
// are positional. False on an unknown option.
bool SplitArgs(const std::vector<std::string>& args, std::string& config, std::vector<std::string>& positional,
               std::string* inbox_format = nullptr) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config = args[++i];
    } else if (inbox_format && args[i] == "--inbox-format" && i + 1 < args.size()) {
      *inbox_format = args[++i];
    } else if (args[i].starts_with("-")) {
      return false;
    } else {
      positional.push_back(args[i]);
    }
  }
  return true;
}

bool ValidTenantName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name)
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

}  // namespace

int RunTenants(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string config, inbox_format;
  std::vector<std::string> pos;
  if (!SplitArgs(args, config, pos, &inbox_format) || pos.empty() || config.empty()) {
    err << kTenantsUsage;
    return 2;
  }
  gateway::App app;
  if (int rc = OpenGateway(config, app, err, "eigw tenants"); rc != 0) return rc;
  if (pos[0] == "add" && pos.size() == 2) {
    if (!ValidTenantName(pos[1])) {
      err << "eigw tenants add: '" << pos[1] << "': a name is 1 to 64 letters, digits, '-', '_' or '.'\n";
      return 2;
    }
    auto t = app.store->AddTenant(pos[1], gateway::NowMs());
    if (!t) {
      err << "eigw tenants add: " << t.error().message() << "\n";
      return t.error().code() == ErrorCode::kAlreadyExists ? 1 : 3;
    }
    out << t->id << "\n";
    return 0;
  }
  if (pos[0] == "list" && pos.size() == 1) {
    auto list = app.store->ListTenants();
    if (!list) {
      err << "eigw tenants list: " << list.error().message() << "\n";
      return 3;
    }
    for (const auto& t : *list) out << t.id << "\t" << t.name << "\t" << gateway::Rfc3339(t.created_ms) << "\n";
    return 0;
  }
  if ((pos[0] == "set" && pos.size() == 2) || (pos[0] == "identifiers" && pos.size() >= 3)) {
    const std::string& name = pos[0] == "set" ? pos[1] : pos[2];
    auto tenant = app.store->FindTenant(name);
    if (!tenant) {
      err << "eigw tenants: " << tenant.error().message() << "\n";
      return 3;
    }
    if (!*tenant) {
      err << "eigw tenants: no tenant '" << name << "' (eigw tenants list shows them)\n";
      return 1;
    }
    const gateway::storage::Tenant& t = **tenant;
    if (pos[0] == "set") {
      if (inbox_format != "original" && inbox_format != "json" && inbox_format != "ubl" && inbox_format != "cii") {
        err << "eigw tenants set: --inbox-format is original, json, ubl or cii\n";
        return 2;
      }
      if (auto st = app.store->SetInboxFormat(t.id, inbox_format); !st) {
        err << "eigw tenants set: " << st.error().message() << "\n";
        return 3;
      }
      out << t.name << ": inbox format " << inbox_format << "\n";
      return 0;
    }
    if (pos[1] == "list" && pos.size() == 3) {
      auto rows = app.store->ListReceivers(0, 1000000, false, t.id);
      if (!rows) {
        err << "eigw tenants identifiers list: " << rows.error().message() << "\n";
        return 3;
      }
      for (const auto& r : *rows) out << r.identifier << "\t" << gateway::Rfc3339(r.updated_ms) << "\n";
      return 0;
    }
    if ((pos[1] == "add" || pos[1] == "remove") && pos.size() == 4) {
      auto id = ParticipantId::Parse(pos[3]);
      if (!id) {
        err << "eigw tenants identifiers: '" << pos[3] << "': " << id.error().message()
            << " (an identifier is SCHEME:VALUE, for example 0088:5790000435975)\n";
        return 2;
      }
      const std::string key = id->ToString();
      if (pos[1] == "remove") {
        auto removed = app.store->RemoveReceiver(key, gateway::NowMs());
        if (!removed) {
          err << "eigw tenants identifiers remove: " << removed.error().message() << "\n";
          return 3;
        }
        if (!*removed) {
          err << "eigw tenants identifiers remove: " << key << " is not an identifier of " << t.name << "\n";
          return 1;
        }
        out << "removed " << key << "\n";
        return 0;
      }
      auto existing = app.store->FindReceiver(key);
      if (existing && *existing && (*existing)->channel == "direct" && (*existing)->tenant_id != t.id) {
        err << "eigw tenants identifiers add: " << key << " belongs to another tenant\n";
        return 1;
      }
      gateway::storage::Receiver r;
      r.identifier = key;
      r.tenant_id = t.id;
      r.name = t.name;
      r.channel = "direct";
      r.operator_id = app.config.operator_id;
      r.path_json = "[\"" + app.config.operator_id + "\"]";
      r.document_types = "invoice,credit_note";
      if (auto st = app.store->PutReceiver(r, gateway::NowMs()); !st) {
        err << "eigw tenants identifiers add: " << st.error().message() << "\n";
        return 3;
      }
      out << t.name << " receives for " << key << "\n";
      return 0;
    }
  }
  err << kTenantsUsage;
  return 2;
}

int RunKeys(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string config;
  std::vector<std::string> pos;
  if (!SplitArgs(args, config, pos) || pos.size() != 2 || config.empty()) {
    err << kKeysUsage;
    return 2;
  }
  gateway::App app;
  if (int rc = OpenGateway(config, app, err, "eigw keys"); rc != 0) return rc;
  if (pos[0] == "revoke") {
    if (auto st = app.store->RevokeApiKey(pos[1], gateway::NowMs()); !st) {
      err << "eigw keys revoke: " << st.error().message() << "\n";
      return st.error().code() == ErrorCode::kNotFound ? 1 : 3;
    }
    out << "revoked " << pos[1] << "\n";
    return 0;
  }
  auto tenant = app.store->FindTenant(pos[1]);
  if (!tenant) {
    err << "eigw keys: " << tenant.error().message() << "\n";
    return 3;
  }
  if (!*tenant) {
    err << "eigw keys: no tenant '" << pos[1] << "' (eigw tenants list shows them)\n";
    return 1;
  }
  if (pos[0] == "create") {
    // 256 random bits; the prefix names the tenant's key in lists without revealing it.
    const std::string key = "eigw_" + gateway::storage::NewId("") + gateway::storage::NewId("");
    auto k = app.store->AddApiKey((*tenant)->id, gateway::storage::Sha256Hex(key), key.substr(0, 13), gateway::NowMs());
    if (!k) {
      err << "eigw keys create: " << k.error().message() << "\n";
      return 3;
    }
    out << key << "\n";
    err << "eigw keys create: key " << k->id << " for tenant " << (*tenant)->name
        << "; it is shown only now, store it safely\n";
    return 0;
  }
  if (pos[0] == "list") {
    auto keys = app.store->ListApiKeys((*tenant)->id);
    if (!keys) {
      err << "eigw keys list: " << keys.error().message() << "\n";
      return 3;
    }
    for (const auto& k : *keys) {
      out << k.id << "\t" << k.prefix << "...\t" << gateway::Rfc3339(k.created_ms) << "\t"
          << (k.revoked_ms ? "revoked " + gateway::Rfc3339(*k.revoked_ms) : "active") << "\n";
    }
    return 0;
  }
  err << kKeysUsage;
  return 2;
}

}  // namespace gw::cli
