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
