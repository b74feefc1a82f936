// This gateway as an operator of the network: [node]'s signing key and trust store, the inbound
// credentials of the configured operators, and the receivers it announces for its routes.

#include <iostream>

#include "gateway/inbound/inbound.h"
#include "gateway/server/context.h"

namespace gw::gateway {

namespace {

Result<std::unique_ptr<certs::SigningKey>> LoadKey(const std::string& key_path, const std::string& cert_path,
                                                   const std::string& password, const std::string& where) {
  certs::KeySource source;
  source.key_path = key_path;
  source.cert_path = cert_path;
  if (!password.empty()) source.password = certs::Secret(password);
  auto key = certs::SigningKey::Load(source);
  if (!key) return Error::InvalidArgument(where + ": " + key.error().message());
  return std::make_unique<certs::SigningKey>(std::move(*key));
}

}  // namespace

const certs::SigningKey* SigningKeyFor(const App& app, const std::string& tenant_id) {
  auto it = app.tenant_keys.find(tenant_id);
  return it != app.tenant_keys.end() ? it->second.get() : app.signing_key.get();
}

Status LoadNode(App& app) {
  const Config& c = app.config;
  if (!c.signing_key.empty()) {
    auto key = LoadKey(c.signing_key, c.signing_cert, c.signing_key_password, "node.signing_key");
    if (!key) return key.error();
    app.signing_key = std::move(*key);
  }
  for (const auto& t : c.tenant_keys) {
    auto tenant = app.store->FindTenant(t.tenant);
    if (!tenant) return tenant.error();
    if (!*tenant)
      return Error::InvalidArgument("tenant." + t.tenant + ": there is no such tenant (eigw tenants add " + t.tenant +
                                    ")");
    auto key = LoadKey(t.signing_key, t.signing_cert, t.password, "tenant." + t.tenant + ".signing_key");
    if (!key) return key.error();
    app.tenant_keys[(*tenant)->id] = std::move(*key);
  }
  if (!c.trust.empty()) {
    auto trust = certs::TrustStore::Load({c.trust});
    if (!trust) return Error::InvalidArgument("node.trust: " + trust.error().message());
    app.trust = std::move(*trust);
  }
  for (const auto& op : c.operators) {
    if (op.id == c.operator_id)
      return Error::InvalidArgument("operator." + op.id + ": the id is this gateway's own node.operator_id");
    if (std::string token = op.Get("inbound_token"); !token.empty()) {
      if (token.size() < 16)
        return Error::InvalidArgument("operator." + op.id + ".inbound_token: use at least 16 characters");
      app.operator_tokens[storage::Sha256Hex(token)] = op.id;
    }
    if (std::string sha = op.Get("inbound_cert_sha256"); !sha.empty()) {
      std::string hex;
      for (char ch : sha)
        if (ch != ':') hex += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
        return Error::InvalidArgument("operator." + op.id + ".inbound_cert_sha256: '" + sha +
                                      "' is not a SHA-256 fingerprint (64 hex digits)");
      if (c.tls_client_ca.empty())
        return Error::InvalidArgument("operator." + op.id +
                                      ".inbound_cert_sha256: client certificates need server.tls_client_ca");
      app.operator_certs[hex] = op.id;
    }
  }
  if (!app.signing_key && (!app.operator_tokens.empty() || !app.operator_certs.empty()))
    std::cerr << "eigw: warning: [node] signing_key is not set: receipts to operators go unsigned" << std::endl;
  return OkStatus();
}

Status AnnounceRoutes(App& app) {
  std::vector<storage::Receiver> roaming;
  for (const auto& [recipient, op_id] : app.config.recipient_operators) {
    const OperatorConfig* op = app.config.FindOperator(op_id);
    if (!op) continue;
    storage::Receiver r;
    r.identifier = recipient;
    r.channel = "roaming";
    r.operator_id = op->id;
    r.path_json = PathJson({app.config.operator_id, op->id});
    for (const auto& f : op->formats) r.formats += (r.formats.empty() ? "" : ",") + f;
    r.document_types = "invoice,credit_note";
    roaming.push_back(std::move(r));
  }
  return app.store->SyncRoamingReceivers(roaming, NowMs());
}

}  // namespace gw::gateway
