#include "gateway/cli/gateway_setup.h"

#include <filesystem>
#include <ostream>

namespace gw::cli {

int OpenGateway(const std::string& config_path, gateway::App& app, std::ostream& err, const char* command) {
  auto config = gateway::LoadConfig(config_path, gateway::ProcessEnvironment());
  if (!config) {
    err << command << ": " << config.error().message() << "\n";
    for (const auto& f : config.error().findings()) err << "  " << f.location << ": " << f.message << "\n";
    return 2;
  }
  app.config = std::move(*config);
  if (app.config.storage_driver == "sqlite") {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(app.config.sqlite_path).parent_path(), ec);
  }
  auto store = gateway::storage::OpenStore({app.config.storage_driver, app.config.sqlite_path,
                                            app.config.postgres_url, app.config.storage_pool});
  if (!store) {
    err << command << ": " << store.error().message() << "\n";
    return 3;
  }
  app.store = std::move(*store);
  auto version = app.store->Migrate();
  if (!version) {
    err << command << ": migrating the database failed: " << version.error().message() << "\n";
    return 3;
  }
  return 0;
}

}  // namespace gw::cli
