// Versioned schema migrations. Each has a number and its statements; applied in order, each in
// its own transaction, recorded in schema_migrations. A migration is never edited once released:
// a change is a new migration.
#pragma once

#include <string>
#include <vector>

namespace gw::gateway::storage {

enum class Dialect { kSqlite, kPostgres };

struct Migration {
  int version;
  std::string description;
  std::vector<std::string> statements;
};

std::vector<Migration> Migrations(Dialect dialect);

}  // namespace gw::gateway::storage
