// The gateway's configuration: one INI-style file ([section] then `key = value` lines, `#` or `;`
// comments), every key overridable by the environment variable EIGW_<SECTION>_<KEY> (capitals,
// '.' and '-' as '_'), secrets read from `<key>_file` or the environment. docs/configuration.md
// lists every key. A bad value stops start-up with an error naming the key and the file line.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "formats/core/result.h"
#include "operators/operator_client.h"

namespace gw::gateway {

// The raw key/value view: "server.listen" -> value, with where each value came from.
class ConfigFile {
 public:
  // Parses `text`; `origin` names the file in messages. Duplicate keys and lines that are neither
  // sections, keys nor comments are errors naming the line.
  static Result<ConfigFile> Parse(std::string_view text, std::string origin, std::string base_dir);
  static Result<ConfigFile> Load(const std::string& path);

  // Applies EIGW_* variables from `environment` (name -> value) over the file's values. Only keys
  // of known sections are taken; `known` tells whether a dotted key is one.
  void ApplyEnvironment(const std::map<std::string, std::string>& environment);

  bool Has(std::string_view key) const;
  // The value and a human-readable origin ("config/eigw.conf:12" or "EIGW_SERVER_LISTEN").
  const std::string* Find(std::string_view key) const;
  std::string Origin(std::string_view key) const;
  // Keys under "prefix." (e.g. all "operator.local-drop.*"), and the distinct section names
  // starting with `prefix` ("operator." -> {"operator.local-drop"}).
  std::vector<std::string> Sections(std::string_view prefix) const;
  std::vector<std::string> Keys() const;
  const std::string& base_dir() const { return base_dir_; }

  // The environment variable that overrides `key`: "server.listen" -> "EIGW_SERVER_LISTEN".
  static std::string EnvironmentName(std::string_view key);

 private:
  struct Value {
    std::string text;
    std::string origin;
  };
  std::map<std::string, Value, std::less<>> values_;
  std::vector<std::string> sections_;
  std::string base_dir_;
};

using OperatorConfig = operators::OperatorSettings;

// [tenant.<name>]: a tenant's own signing key (documents to operators with `sign` are signed with
// it instead of [node]'s).
struct TenantKeyConfig {
  std::string tenant;  // name or id
  std::string signing_key, signing_cert, password;
};

struct Config {
  // [server]
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  int threads = 64;
  int64_t max_body_bytes = 10 * 1024 * 1024;
  std::string tls_cert, tls_key;
  std::string tls_client_ca;  // ask for and check client certificates (operators)
  // [storage]
  std::string storage_driver = "sqlite";  // or "postgresql"
  std::string sqlite_path;                // absolute
  std::string postgres_url;               // libpq keywords, password included when configured
  int storage_pool = 8;
  // [outbox]
  int workers = 2;
  int max_attempts = 8;
  int64_t backoff_initial_ms = 1000;
  int64_t backoff_max_ms = 300000;
  int64_t lease_ms = 60000;
  int64_t poll_ms = 200;
  int worker_nice = 10;  // scheduling niceness of the worker threads (intake keeps priority)
  // [webhooks]
  int webhook_max_attempts = 8;
  int64_t webhook_backoff_initial_ms = 1000;
  int64_t webhook_backoff_max_ms = 300000;
  int64_t webhook_timeout_ms = 10000;
  // [node]: this gateway as an operator of the network
  std::string operator_id = "local";
  std::string operator_name;
  std::string signing_key, signing_cert, signing_key_password;
  std::string trust;  // CA file for partners' receipts and inbound signatures
  int max_hops = 3;
  // [directory]
  int64_t directory_interval_ms = 900000;  // every source this often
  int64_t directory_jitter_ms = 60000;
  // An answer older than this is checked again with the operator when a single recipient is asked
  // (sources that can check one: gateway, ee-erp); 0 = always.
  int64_t directory_check_max_age_ms = 86400000;
  // Checked sources (ee-erp company status) verify the recipients the tenants invoiced in this many days.
  int64_t directory_recent_days = 90;
  // [routing]
  std::string default_operator;
  std::map<std::string, std::string> recipient_operators;  // "0088:123" -> operator id
  // [operator.*]
  std::vector<OperatorConfig> operators;
  // [tenant.*]
  std::vector<TenantKeyConfig> tenant_keys;

  const OperatorConfig* FindOperator(std::string_view id) const;
};

// Reads and checks the configuration: the file, then EIGW_* from `environment`. Every problem is
// a finding naming the key (and the file line or variable it came from); all are reported at once.
Result<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& environment);
Result<Config> ConfigFromFile(const ConfigFile& file);

// The process environment as a map (for LoadConfig).
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace gw::gateway
