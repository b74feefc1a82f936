#include "gateway/config/config.h"

#include <gtest/gtest.h>

namespace gw::gateway {
namespace {

Result<Config> FromText(std::string_view text, const std::map<std::string, std::string>& env = {}) {
  auto file = ConfigFile::Parse(text, "test.conf", "/etc/eigw");
  if (!file) return file.error();
  file->ApplyEnvironment(env);
  return ConfigFromFile(*file);
}

std::string Locations(const Error& e) {
  std::string out;
  for (const auto& f : e.findings()) out += f.location + " | " + f.message + "\n";
  return out;
}

constexpr const char* kMinimal =
    "[storage]\ndriver = sqlite\npath = data/eigw.db\n"
    "[operator.drop]\nprotocol = file-drop\nfolder = out\nformats = ubl, cii\n"
    "[routing]\ndefault_operator = drop\nrecipient.0088:123 = drop\n";

TEST(ConfigTest, ReadsKeysAndResolvesPathsAgainstTheFilesFolder) {
  auto c = FromText(std::string("[server]\nlisten = 0.0.0.0:9090\nthreads = 8\n") + kMinimal);
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->listen_host, "0.0.0.0");
  EXPECT_EQ(c->listen_port, 9090);
  EXPECT_EQ(c->threads, 8);
  EXPECT_EQ(c->sqlite_path, "/etc/eigw/data/eigw.db");
  ASSERT_EQ(c->operators.size(), 1u);
  EXPECT_EQ(c->operators[0].settings.at("folder"), "/etc/eigw/out");
  EXPECT_EQ(c->operators[0].formats, (std::vector<std::string>{"ubl", "cii"}));
  EXPECT_EQ(c->recipient_operators.at("0088:123"), "drop");
}

TEST(ConfigTest, EnvironmentOverridesEveryKeyIncludingOperatorSections) {
  auto c = FromText(kMinimal, {{"EIGW_SERVER_LISTEN", "127.0.0.1:0"},
                               {"EIGW_OUTBOX_MAX_ATTEMPTS", "3"},
                               {"EIGW_OPERATOR_DROP_FOLDER", "/srv/drop"},
                               {"EIGW_UNRELATED", "x"}});
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->listen_port, 0);
  EXPECT_EQ(c->max_attempts, 3);
  EXPECT_EQ(c->operators[0].settings.at("folder"), "/srv/drop");
  EXPECT_EQ(ConfigFile::EnvironmentName("operator.local-drop.folder"), "EIGW_OPERATOR_LOCAL_DROP_FOLDER");
}

TEST(ConfigTest, EveryBadKeyIsNamedWithItsLineOrVariable) {
  auto c = FromText(std::string("[server]\nlisten = localhost\nthreads = many\n[outbox]\nworkers = 5\nbogus = 1\n") +
                        kMinimal,
                    {{"EIGW_OUTBOX_WORKERS", "-1"}});
  ASSERT_FALSE(c);
  const std::string all = Locations(c.error());
  EXPECT_NE(all.find("server.listen (test.conf:2)"), std::string::npos) << all;
  EXPECT_NE(all.find("server.threads (test.conf:3)"), std::string::npos) << all;
  EXPECT_NE(all.find("outbox.workers (EIGW_OUTBOX_WORKERS)"), std::string::npos) << all;
  EXPECT_NE(all.find("outbox.bogus (test.conf:6) | unknown key"), std::string::npos) << all;
}

TEST(ConfigTest, SyntaxErrorsNameTheLine) {
  auto c = FromText("[server]\nlisten 127.0.0.1:1\n[nonsense]\n[server]\nlisten = a:1\nlisten = b:2\n");
  ASSERT_FALSE(c);
  const std::string all = Locations(c.error());
  EXPECT_NE(all.find("test.conf:2 | expected 'key = value'"), std::string::npos) << all;
  EXPECT_NE(all.find("test.conf:3 | unknown section [nonsense]"), std::string::npos) << all;
  EXPECT_NE(all.find("test.conf:6 | 'server.listen' is set twice (first at test.conf:5)"), std::string::npos) << all;
}

TEST(ConfigTest, RoutingMustNameConfiguredOperatorsAndDriversMustBeKnown) {
  auto c = FromText("[storage]\ndriver = mysql\n[routing]\ndefault_operator = nowhere\n");
  ASSERT_FALSE(c);
  const std::string all = Locations(c.error());
  EXPECT_NE(all.find("storage.driver"), std::string::npos) << all;
  EXPECT_NE(all.find("routing.default_operator"), std::string::npos) << all;
}

TEST(ConfigTest, PostgresPasswordComesFromTheEnvironmentQuoted) {
  auto c = FromText("[storage]\ndriver = postgresql\nurl = host=db dbname=eigw user=eigw\n",
                    {{"EIGW_STORAGE_PASSWORD", "it's\\secret"}});
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->postgres_url, "host=db dbname=eigw user=eigw password='it\\'s\\\\secret'");
}

TEST(ConfigTest, TheExampleConfigurationLoads) {
  auto c = LoadConfig(std::string(EIGW_SOURCE_DIR) + "/config/eigw.conf", {});
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->listen_port, 8080);
  EXPECT_EQ(c->storage_driver, "sqlite");
  EXPECT_EQ(c->default_operator, "local-drop");
}

}  // namespace
}  // namespace gw::gateway

namespace gw::gateway {
namespace {

TEST(ConfigTest, NodeAndTheOperatorRegistryKeys) {
  auto c = FromText(std::string("[node]\noperator_id = gw-a\nname = Gateway A\nsigning_key = keys/a.key\n"
                                "trust = keys/ca.pem\nmax_hops = 2\n") +
                        kMinimal +
                        "[operator.gw-b]\nprotocol = gateway\nname = Gateway B\nurl = https://gw-b.example:8443\n"
                        "formats = ubl\ntoken = t0123456789abcdef\nsign = xades-bes\nroaming = true\n"
                        "roaming_partners = gw-c, gw-d\nrate_limit = 12.5\ntimeout_ms = 9000\n"
                        "connect_timeout_ms = 700\nca_file = keys/ca.pem\n",
                    {{"EIGW_OPERATOR_GW_B_INBOUND_TOKEN", "from-b-0123456789"}});
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->operator_id, "gw-a");
  EXPECT_EQ(c->operator_name, "Gateway A");
  EXPECT_EQ(c->signing_key, "/etc/eigw/keys/a.key");
  EXPECT_EQ(c->trust, "/etc/eigw/keys/ca.pem");
  EXPECT_EQ(c->max_hops, 2);
  const OperatorConfig* b = c->FindOperator("gw-b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->name, "Gateway B");
  EXPECT_EQ(b->url, "https://gw-b.example:8443");
  EXPECT_EQ(b->sign, "xades-bes");
  EXPECT_TRUE(b->roaming);
  EXPECT_EQ(b->roaming_partners, (std::vector<std::string>{"gw-c", "gw-d"}));
  EXPECT_DOUBLE_EQ(b->rate_limit, 12.5);
  EXPECT_EQ(b->timeout_ms, 9000);
  EXPECT_EQ(b->connect_timeout_ms, 700);
  EXPECT_EQ(b->Get("ca_file"), "/etc/eigw/keys/ca.pem");
  EXPECT_EQ(b->Get("inbound_token"), "from-b-0123456789");
  // Defaults: the node is "local", operators do not roam and are not signed for.
  auto d = FromText(kMinimal);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->operator_id, "local");
  EXPECT_FALSE(d->operators[0].roaming);
  EXPECT_EQ(d->operators[0].sign, "");
}

TEST(ConfigTest, BadRegistryValuesAreNamed) {
  auto c = FromText(std::string("[node]\noperator_id = gw a\nmax_hops = 0\n") + kMinimal +
                    "[operator.gw-b]\nprotocol = gateway\nurl = ftp://x\nformats = ubl\nsign = pgp\nroaming = yes\n"
                    "rate_limit = fast\nwhatever = 1\n");
  ASSERT_FALSE(c);
  const std::string all = Locations(c.error());
  for (const char* key : {"node.operator_id", "node.max_hops", "operator.gw-b.url", "operator.gw-b.sign",
                          "operator.gw-b.roaming", "operator.gw-b.rate_limit", "operator.gw-b.whatever"})
    EXPECT_NE(all.find(key), std::string::npos) << key << "\n" << all;
}

}  // namespace
}  // namespace gw::gateway

namespace gw::gateway {
namespace {

TEST(ConfigTest, TenantSigningKeys) {
  auto c = FromText(std::string(kMinimal) + "[tenant.acme]\nsigning_key = keys/acme.p12\n",
                    {{"EIGW_TENANT_ACME_SIGNING_KEY_PASSWORD", "pw"}});
  ASSERT_TRUE(c) << c.error().ToString();
  ASSERT_EQ(c->tenant_keys.size(), 1u);
  EXPECT_EQ(c->tenant_keys[0].tenant, "acme");
  EXPECT_EQ(c->tenant_keys[0].signing_key, "/etc/eigw/keys/acme.p12");
  EXPECT_EQ(c->tenant_keys[0].password, "pw");
  auto bad = FromText(std::string(kMinimal) + "[tenant.acme]\nsigning_cert = a.pem\nkey = x\n");
  ASSERT_FALSE(bad);
  const std::string all = Locations(bad.error());
  EXPECT_NE(all.find("tenant.acme.signing_key"), std::string::npos) << all;
  EXPECT_NE(all.find("tenant.acme.key (test.conf"), std::string::npos) << all;
}

}  // namespace
}  // namespace gw::gateway

namespace gw::gateway {
namespace {

TEST(ConfigTest, DirectorySourcesAndTheirKeys) {
  auto c = FromText(std::string(kMinimal) +
                    "[directory]\ncheck_max_age_seconds = 600\nrecent_days = 30\n"
                    "[operator.fi-op]\nprotocol = file-drop\nformats = finvoice\nfolder = out\ncodes = 003723327487, E204503\n"
                    "[operator.fi-registry]\nprotocol = registry-dump\nurl = registry/dump.csv\nvia = fi-op\n"
                    "directory_interval_seconds = 3600\n"
                    "[operator.fi-http]\nprotocol = registry-dump\nurl = https://registry.example/dump.csv\n"
                    "[operator.fi-file]\nprotocol = registry-dump\nurl = file:///srv/registry/dump.json\n"
                    "[operator.print]\nprotocol = file-drop\nformats = ubl\nfolder = print\ne_invoice = false\n");
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->directory_check_max_age_ms, 600000);
  EXPECT_EQ(c->directory_recent_days, 30);
  const auto* dump = c->FindOperator("fi-registry");
  ASSERT_NE(dump, nullptr);
  EXPECT_EQ(dump->url, "/etc/eigw/registry/dump.csv");  // a path, against the file's folder
  EXPECT_TRUE(dump->formats.empty());                   // a registry needs none
  EXPECT_EQ(dump->Get("via"), "fi-op");
  EXPECT_EQ(dump->Get("directory_interval_seconds"), "3600");
  EXPECT_EQ(c->FindOperator("fi-http")->url, "https://registry.example/dump.csv");
  EXPECT_EQ(c->FindOperator("fi-file")->url, "/srv/registry/dump.json");
  EXPECT_EQ(c->FindOperator("print")->Get("e_invoice"), "false");

  auto bad = FromText(std::string(kMinimal) +
                      "[operator.reg]\nprotocol = registry-dump\nvia = nowhere\ndirectory_interval_seconds = 5\n"
                      "[operator.reg2]\nprotocol = registry-dump\nurl = d.csv\nvia = reg\n"
                      "[operator.x]\nprotocol = file-drop\nformats = ubl\nfolder = x\ne_invoice = maybe\ndirectory = no\n",
                      {{"EIGW_ROUTING_DEFAULT_OPERATOR", "reg"}});
  ASSERT_FALSE(bad);
  const std::string all = Locations(bad.error());
  for (const char* key : {"operator.reg.url", "operator.reg.via", "operator.reg.directory_interval_seconds",
                          "operator.reg2.via", "operator.x.e_invoice", "operator.x.directory", "routing.default_operator"})
    EXPECT_NE(all.find(key), std::string::npos) << key << "\n" << all;
}

}  // namespace
}  // namespace gw::gateway
