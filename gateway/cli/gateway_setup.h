// What the commands that use the gateway's database share: read the configuration (exit 2 with
// every bad key named), open the store and run the migrations (exit 3 when the database cannot
// be reached).
#pragma once

#include <iosfwd>
#include <string>

#include "gateway/server/context.h"

namespace gw::cli {

int OpenGateway(const std::string& config_path, gateway::App& app, std::ostream& err, const char* command);

}  // namespace gw::cli
