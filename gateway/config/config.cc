#include "gateway/config/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

extern char** environ;

namespace gw::gateway {
namespace {
// The keys an [operator.<id>] section may have (docs/configuration.md); protocol-specific keys
// of the Estonian and Finnish clients included.
const std::vector<const char*> kOperatorKeys = {
    "protocol", "name", "formats", "folder", "url", "token", "token_file", "inbound_token", "inbound_token_file",
    "inbound_cert_sha256", "ca_file", "client_cert", "client_key", "sign", "roaming", "roaming_partners",
    "rate_limit", "timeout_ms", "connect_timeout_ms", "auth_phrase", "auth_phrase_file", "sender_intermediator",
    "receiver_intermediator", "cpa_id", "allow_http", "duplicate_codes", "poll_seconds", "directory",
    "directory_interval_seconds", "via", "codes", "e_invoice"};
}  // namespace

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool ValidName(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '_' || c == '-' || c == '.' || c == ':';
  });
}

// The sections a configuration may have; "operator." and "tenant." are prefixes (one section per
// operator, per tenant).
bool KnownSection(std::string_view section) {
  static const std::set<std::string, std::less<>> kSections = {"server", "storage", "outbox", "webhooks",
                                                               "routing", "node", "directory"};
  return kSections.count(section) > 0 || (section.starts_with("operator.") && section.size() > 9) ||
         (section.starts_with("tenant.") && section.size() > 7);
}

}  // namespace

Result<ConfigFile> ConfigFile::Parse(std::string_view text, std::string origin, std::string base_dir) {
  ConfigFile file;
  file.base_dir_ = std::move(base_dir);
  std::vector<Finding> findings;
  std::string section;
  int line_no = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_no;
    std::string where = origin + ":" + std::to_string(line_no);
    line = Trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        findings.push_back({"config.syntax", Finding::Severity::kFatal, where, "a section header ends with ']'"});
        continue;
      }
      section = std::string(Trim(line.substr(1, line.size() - 2)));
      if (!KnownSection(section)) {
        findings.push_back({"config.section", Finding::Severity::kFatal, where,
                            "unknown section [" + section +
                                "]; sections are server, storage, outbox, webhooks, node, directory, routing, tenant.<name> and operator.<id>"});
      }
      if (std::find(file.sections_.begin(), file.sections_.end(), section) == file.sections_.end())
        file.sections_.push_back(section);
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      findings.push_back({"config.syntax", Finding::Severity::kFatal, where,
                          "expected 'key = value', a [section] or a comment, got '" + std::string(line) + "'"});
      continue;
    }
    if (section.empty()) {
      findings.push_back({"config.syntax", Finding::Severity::kFatal, where, "a key before the first [section]"});
      continue;
    }
    std::string name(Trim(line.substr(0, eq)));
    std::string value(Trim(line.substr(eq + 1)));
    if (!ValidName(name)) {
      findings.push_back({"config.syntax", Finding::Severity::kFatal, where,
                          "key '" + name + "': use lower-case letters, digits, '_', '-', '.' and ':'"});
      continue;
    }
    std::string key = section + "." + name;
    if (file.values_.count(key)) {
      findings.push_back({"config.duplicate", Finding::Severity::kFatal, where,
                          "'" + key + "' is set twice (first at " + file.values_[key].origin + ")"});
      continue;
    }
    file.values_[key] = Value{value, where};
  }
  if (!findings.empty()) return Error::InvalidInput("the configuration " + origin + " is not valid", findings);
  return file;
}

Result<ConfigFile> ConfigFile::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound("cannot read the configuration file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string base = std::filesystem::absolute(path).parent_path().string();
  return Parse(text.str(), path, base);
}

std::string ConfigFile::EnvironmentName(std::string_view key) {
  std::string name = "EIGW_";
  for (char c : key) {
    name += (c == '.' || c == '-' || c == ':') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

void ConfigFile::ApplyEnvironment(const std::map<std::string, std::string>& environment) {
  // Keys the file has, keys of the fixed sections, and the keys of each operator section.
  static const char* kFixed[] = {
      "server.listen", "server.threads", "server.max_body_bytes", "server.tls_cert", "server.tls_key",
      "storage.driver", "storage.path", "storage.url", "storage.password", "storage.password_file",
      "storage.pool", "outbox.workers", "outbox.max_attempts", "outbox.backoff_initial_ms",
      "outbox.backoff_max_ms", "outbox.lease_seconds", "outbox.poll_ms", "outbox.nice", "webhooks.max_attempts",
      "webhooks.backoff_initial_ms", "webhooks.backoff_max_ms", "webhooks.timeout_ms",
      "routing.default_operator", "server.tls_client_ca", "node.operator_id", "node.name", "node.signing_key",
      "node.signing_cert", "node.signing_key_password", "node.signing_key_password_file", "node.trust",
      "node.max_hops", "directory.interval_seconds", "directory.jitter_seconds", "directory.check_max_age_seconds",
      "directory.recent_days"};
  std::set<std::string> candidates(std::begin(kFixed), std::end(kFixed));
  for (const auto& [key, value] : values_) candidates.insert(key);
  for (const auto& section : sections_) {
    if (!section.starts_with("operator.")) continue;
    for (const char* k : kOperatorKeys) candidates.insert(section + "." + k);
  }
  for (const auto& section : sections_) {
    if (!section.starts_with("tenant.")) continue;
    for (const char* k : {"signing_key", "signing_cert", "signing_key_password", "signing_key_password_file"})
      candidates.insert(section + "." + k);
  }
  for (const auto& key : candidates) {
    auto it = environment.find(EnvironmentName(key));
    if (it != environment.end()) values_[key] = Value{it->second, it->first};
  }
}

bool ConfigFile::Has(std::string_view key) const { return values_.find(key) != values_.end(); }

const std::string* ConfigFile::Find(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second.text;
}

std::string ConfigFile::Origin(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? "default" : it->second.origin;
}

std::vector<std::string> ConfigFile::Sections(std::string_view prefix) const {
  std::vector<std::string> out;
  for (const auto& s : sections_)
    if (s.starts_with(prefix)) out.push_back(s);
  return out;
}

std::vector<std::string> ConfigFile::Keys() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values_) out.push_back(k);
  return out;
}

const OperatorConfig* Config::FindOperator(std::string_view id) const {
  for (const auto& op : operators)
    if (op.id == id) return &op;
  return nullptr;
}

namespace {

// Reads typed values, collecting one finding per bad key.
class Reader {
 public:
  explicit Reader(const ConfigFile& file) : file_(file) {}

  void Bad(const std::string& key, const std::string& message) {
    findings_.push_back({"config.value", Finding::Severity::kFatal, key + " (" + file_.Origin(key) + ")", message});
  }

  void String(const std::string& key, std::string& out) {
    if (const std::string* v = file_.Find(key)) out = *v;
  }

  template <typename Int>
  void Integer(const std::string& key, Int& out, int64_t min, int64_t max) {
    const std::string* v = file_.Find(key);
    if (!v) return;
    int64_t n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size() || n < min || n > max) {
      Bad(key, "'" + *v + "' is not a whole number from " + std::to_string(min) + " to " + std::to_string(max));
      return;
    }
    out = static_cast<Int>(n);
  }

  // A path relative to the configuration file's folder.
  void Path(const std::string& key, std::string& out) {
    const std::string* v = file_.Find(key);
    if (!v || v->empty()) return;
    std::filesystem::path p(*v);
    if (p.is_relative()) p = std::filesystem::path(file_.base_dir()) / p;
    out = p.lexically_normal().string();
  }

  // A secret: `key` itself, or the content of the file `key_file` (trailing newline removed).
  void Secret(const std::string& key, std::string& out) {
    if (const std::string* v = file_.Find(key)) {
      out = *v;
      return;
    }
    std::string path;
    Path(key + "_file", path);
    if (path.empty()) return;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      Bad(key + "_file", "cannot read the secret file " + path);
      return;
    }
    std::ostringstream text;
    text << in.rdbuf();
    out = text.str();
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  }

  // Every key of the file must be one the configuration knows.
  void RejectUnknown(const std::set<std::string>& known_keys, const std::set<std::string>& operator_keys) {
    for (const auto& key : file_.Keys()) {
      if (known_keys.count(key)) continue;
      if (key.starts_with("routing.recipient.")) continue;
      if (key.starts_with("tenant.")) {
        std::string name = key.substr(key.rfind('.') + 1);
        if (name == "signing_key" || name == "signing_cert" || name == "signing_key_password" ||
            name == "signing_key_password_file")
          continue;
      }
      if (key.starts_with("operator.")) {
        std::string name = key.substr(key.rfind('.') + 1);
        if (operator_keys.count(name)) continue;
        // routing.<key>: routing data of the operator's format (docs/configuration.md).
        if (key.find(".routing.") != std::string::npos) continue;
      }
      Bad(key, "unknown key; docs/configuration.md lists the keys of each section");
    }
  }

  std::vector<Finding>& findings() { return findings_; }

 private:
  const ConfigFile& file_;
  std::vector<Finding> findings_;
};

}  // namespace

Result<Config> ConfigFromFile(const ConfigFile& file) {
  Config c;
  Reader r(file);
  r.RejectUnknown(
      {"server.listen", "server.threads", "server.max_body_bytes", "server.tls_cert", "server.tls_key",
       "storage.driver", "storage.path", "storage.url", "storage.password", "storage.password_file", "storage.pool",
       "outbox.workers", "outbox.max_attempts", "outbox.backoff_initial_ms", "outbox.backoff_max_ms",
       "outbox.lease_seconds", "outbox.poll_ms", "outbox.nice", "webhooks.max_attempts", "webhooks.backoff_initial_ms",
       "webhooks.backoff_max_ms", "webhooks.timeout_ms", "routing.default_operator", "server.tls_client_ca",
       "node.operator_id", "node.name", "node.signing_key", "node.signing_cert", "node.signing_key_password",
       "node.signing_key_password_file", "node.trust", "node.max_hops", "directory.interval_seconds",
       "directory.jitter_seconds", "directory.check_max_age_seconds", "directory.recent_days"},
      std::set<std::string>(kOperatorKeys.begin(), kOperatorKeys.end()));

  if (const std::string* listen = file.Find("server.listen")) {
    size_t colon = listen->rfind(':');
    int port = -1;
    if (colon != std::string::npos) {
      auto [p, ec] = std::from_chars(listen->data() + colon + 1, listen->data() + listen->size(), port);
      if (ec != std::errc() || p != listen->data() + listen->size()) port = -1;
    }
    if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535) {
      r.Bad("server.listen", "'" + *listen + "' is not HOST:PORT (for example 127.0.0.1:8080; port 0 picks a free one)");
    } else {
      c.listen_host = listen->substr(0, colon);
      c.listen_port = static_cast<uint16_t>(port);
    }
  }
  r.Integer("server.threads", c.threads, 4, 1024);  // the HTTP thread pool needs at least 4
  r.Integer("server.max_body_bytes", c.max_body_bytes, 1024, int64_t{1} << 32);
  r.Path("server.tls_cert", c.tls_cert);
  r.Path("server.tls_key", c.tls_key);
  r.Path("server.tls_client_ca", c.tls_client_ca);
  if (!c.tls_client_ca.empty() && c.tls_cert.empty())
    r.Bad("server.tls_client_ca", "client certificates need TLS: set server.tls_cert and server.tls_key too");

  r.String("node.operator_id", c.operator_id);
  if (c.operator_id.empty() || c.operator_id.size() > 64 ||
      c.operator_id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
          std::string::npos)
    r.Bad("node.operator_id", "'" + c.operator_id + "': an operator id is 1 to 64 letters, digits, '-', '_' or '.'");
  c.operator_name = c.operator_id;
  r.String("node.name", c.operator_name);
  r.Path("node.signing_key", c.signing_key);
  r.Path("node.signing_cert", c.signing_cert);
  r.Secret("node.signing_key_password", c.signing_key_password);
  r.Path("node.trust", c.trust);
  r.Integer("node.max_hops", c.max_hops, 1, 16);
  int64_t interval = c.directory_interval_ms / 1000, jitter = c.directory_jitter_ms / 1000;
  r.Integer("directory.interval_seconds", interval, 10, 7 * 86400);
  r.Integer("directory.jitter_seconds", jitter, 0, 86400);
  c.directory_interval_ms = interval * 1000;
  c.directory_jitter_ms = jitter * 1000;
  int64_t max_age = c.directory_check_max_age_ms / 1000, recent = c.directory_recent_days;
  r.Integer("directory.check_max_age_seconds", max_age, 0, 365 * 86400);
  r.Integer("directory.recent_days", recent, 1, 3650);
  c.directory_check_max_age_ms = max_age * 1000;
  c.directory_recent_days = recent;
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    const std::string given = c.tls_cert.empty() ? "server.tls_key" : "server.tls_cert";
    r.Bad(c.tls_cert.empty() ? "server.tls_cert" : "server.tls_key",
          "TLS needs both server.tls_cert and server.tls_key; only " + given + " is set (" + file.Origin(given) + ")");
  }

  r.String("storage.driver", c.storage_driver);
  r.Integer("storage.pool", c.storage_pool, 1, 256);
  if (c.storage_driver == "sqlite") {
    r.Path("storage.path", c.sqlite_path);
    if (c.sqlite_path.empty()) r.Bad("storage.path", "the SQLite driver needs storage.path (the database file)");
  } else if (c.storage_driver == "postgresql") {
    r.String("storage.url", c.postgres_url);
    if (c.postgres_url.empty())
      r.Bad("storage.url", "the PostgreSQL driver needs storage.url (libpq keywords: host=... port=... dbname=... user=...)");
    std::string password;
    r.Secret("storage.password", password);
    if (!password.empty()) {
      std::string quoted;
      for (char ch : password) {
        if (ch == '\\' || ch == '\'') quoted += '\\';
        quoted += ch;
      }
      c.postgres_url += " password='" + quoted + "'";
    }
  } else {
    r.Bad("storage.driver", "'" + c.storage_driver + "' is not a storage driver: use sqlite or postgresql");
  }

  r.Integer("outbox.workers", c.workers, 0, 64);
  r.Integer("outbox.max_attempts", c.max_attempts, 1, 1000);
  r.Integer("outbox.backoff_initial_ms", c.backoff_initial_ms, 1, 86400000);
  r.Integer("outbox.backoff_max_ms", c.backoff_max_ms, 1, 7 * 86400000LL);
  int64_t lease_seconds = c.lease_ms / 1000;
  r.Integer("outbox.lease_seconds", lease_seconds, 1, 86400);
  c.lease_ms = lease_seconds * 1000;
  r.Integer("outbox.poll_ms", c.poll_ms, 1, 60000);
  r.Integer("outbox.nice", c.worker_nice, 0, 19);
  r.Integer("webhooks.max_attempts", c.webhook_max_attempts, 1, 1000);
  r.Integer("webhooks.backoff_initial_ms", c.webhook_backoff_initial_ms, 1, 86400000);
  r.Integer("webhooks.backoff_max_ms", c.webhook_backoff_max_ms, 1, 7 * 86400000LL);
  r.Integer("webhooks.timeout_ms", c.webhook_timeout_ms, 1, 600000);

  for (const auto& section : file.Sections("tenant.")) {
    TenantKeyConfig t;
    t.tenant = section.substr(7);
    r.Path(section + ".signing_key", t.signing_key);
    r.Path(section + ".signing_cert", t.signing_cert);
    r.Secret(section + ".signing_key_password", t.password);
    if (t.signing_key.empty())
      r.Bad(section + ".signing_key", "a [tenant.<name>] section gives the tenant's signing key (PEM or PKCS#12)");
    c.tenant_keys.push_back(std::move(t));
  }
  for (const auto& section : file.Sections("operator.")) {
    OperatorConfig op;
    op.id = section.substr(9);
    r.String(section + ".protocol", op.protocol);
    if (op.protocol.empty()) r.Bad(section + ".protocol", "every operator needs a protocol (for example file-drop)");
    std::string formats;
    r.String(section + ".formats", formats);
    std::stringstream list(formats);
    for (std::string f; std::getline(list, f, ',');) {
      std::string t(Trim(f));
      if (!t.empty()) op.formats.push_back(t);
    }
    // A registry dump is a directory source only: nothing is delivered to it, so it needs no formats
    // (when given, they are the formats its recipients accept).
    if (op.formats.empty() && op.protocol != "registry-dump")
      r.Bad(section + ".formats", "list the formats the operator accepts (for example ubl)");
    op.name = op.id;
    for (const auto& key : file.Keys()) {
      if (!key.starts_with(section + ".")) continue;
      std::string name = key.substr(section.size() + 1);
      if (name == "protocol" || name == "formats") continue;
      if (name == "name") {
        r.String(key, op.name);
      } else if (name == "url") {
        r.String(key, op.url);
        if (op.protocol == "registry-dump" && !op.url.starts_with("http://") && !op.url.starts_with("https://")) {
          // A dump file: a path (relative to the configuration's folder) or a file:// URL (absolute).
          if (op.url.starts_with("file://")) {
            op.url = op.url.substr(7);
            if (!op.url.starts_with("/")) r.Bad(key, "a file:// URL names an absolute path: file:///var/lib/...");
          } else {
            r.Path(key, op.url);
          }
        } else if (!op.url.starts_with("http://") && !op.url.starts_with("https://")) {
          r.Bad(key, "'" + op.url + "' is not an http:// or https:// URL");
        }
      } else if (name == "sign") {
        r.String(key, op.sign);
        if (op.sign == "none") op.sign.clear();
        if (!op.sign.empty() && op.sign != "xmldsig" && op.sign != "xades-bes" && op.sign != "xades-epes")
          r.Bad(key, "'" + op.sign + "' is not a signing profile: use none, xmldsig, xades-bes or xades-epes");
      } else if (name == "roaming") {
        std::string v;
        r.String(key, v);
        if (v != "true" && v != "false") r.Bad(key, "'" + v + "': use true or false");
        op.roaming = v == "true";
      } else if (name == "roaming_partners") {
        std::string v;
        r.String(key, v);
        std::stringstream partners(v);
        for (std::string p; std::getline(partners, p, ',');)
          if (std::string t(Trim(p)); !t.empty()) op.roaming_partners.push_back(t);
      } else if (name == "rate_limit") {
        std::string v;
        r.String(key, v);
        char* end = nullptr;
        op.rate_limit = std::strtod(v.c_str(), &end);
        if (v.empty() || *end != '\0' || op.rate_limit < 0 || op.rate_limit > 1e6)
          r.Bad(key, "'" + v + "' is not a rate (requests per second, 0 for none)");
      } else if (name == "timeout_ms") {
        r.Integer(key, op.timeout_ms, 1, 3600000);
      } else if (name == "connect_timeout_ms") {
        r.Integer(key, op.connect_timeout_ms, 1, 600000);
      } else if (name == "poll_seconds") {
        r.Integer(key, op.poll_seconds, 0, 86400);
      } else if (name == "directory_interval_seconds") {
        int seconds = 0;
        r.Integer(key, seconds, 10, 7 * 86400);
        op.settings[name] = std::to_string(seconds);
      } else if (name == "directory" || name == "e_invoice") {
        std::string v;
        r.String(key, v);
        if (v != "true" && v != "false") r.Bad(key, "'" + v + "': use true or false");
        op.settings[name] = v;
      } else if (name == "folder" || name == "ca_file" || name == "client_cert" || name == "client_key") {
        r.Path(key, op.settings[name]);
      } else if (name.ends_with("_file")) {
        std::string base = name.substr(0, name.size() - 5);
        r.Secret(section + "." + base, op.settings[base]);
      } else {
        r.String(key, op.settings[name]);
      }
    }
    if (op.protocol == "registry-dump" && op.url.empty())
      r.Bad(section + ".url", "a registry-dump source reads its dump from url: a path, file://, http:// or https:// URL");
    c.operators.push_back(std::move(op));
  }
  for (const auto& op : c.operators) {
    const std::string via = op.Get("via");
    if (via.empty()) continue;
    const auto* target = c.FindOperator(via);
    if (!target) {
      r.Bad("operator." + op.id + ".via", "no [operator." + via + "] section");
    } else if (target->protocol == "registry-dump") {
      r.Bad("operator." + op.id + ".via", "operator " + via + " is a registry; name the operator that delivers");
    }
  }
  r.String("routing.default_operator", c.default_operator);
  if (!c.default_operator.empty() && !c.FindOperator(c.default_operator))
    r.Bad("routing.default_operator", "no [operator." + c.default_operator + "] section");
  else if (!c.default_operator.empty() && c.FindOperator(c.default_operator)->protocol == "registry-dump")
    r.Bad("routing.default_operator", "operator " + c.default_operator + " is a registry, nothing is delivered to it");
  for (const auto& key : file.Keys()) {
    if (!key.starts_with("routing.recipient.")) continue;
    std::string recipient = key.substr(18);
    const std::string& op = *file.Find(key);
    if (!c.FindOperator(op)) r.Bad(key, "no [operator." + op + "] section");
    if (recipient.find(':') == std::string::npos)
      r.Bad(key, "the recipient is SCHEME:VALUE, for example recipient.0088:5790000435975");
    c.recipient_operators[recipient] = op;
  }
  if (!r.findings().empty()) return Error::InvalidInput("the configuration is not valid", std::move(r.findings()));
  return c;
}

Result<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& environment) {
  auto file = ConfigFile::Load(path);
  if (!file) return file.error();
  file->ApplyEnvironment(environment);
  return ConfigFromFile(*file);
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos || !entry.starts_with("EIGW_")) continue;
    env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

}  // namespace gw::gateway
