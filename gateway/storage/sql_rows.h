// Rows: typed access to the result of an executed Poco::Data statement, by row and column, with
// NULL-safe readers. Used by SqlStore only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <Poco/Data/LOB.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

namespace gw::gateway::storage {

class Rows {
 public:
  explicit Rows(Poco::Data::Statement& statement) : set_(statement) {}
  size_t size() const { return set_.rowCount(); }
  size_t columns() const { return set_.columnCount(); }
  std::string Text(size_t row, size_t col) const {
    const auto& v = set_.value(col, row);
    return v.isEmpty() ? std::string() : v.convert<std::string>();
  }
  int64_t Int(size_t row, size_t col) const {
    const auto& v = set_.value(col, row);
    return v.isEmpty() ? 0 : v.convert<Poco::Int64>();
  }
  std::optional<int64_t> OptInt(size_t row, size_t col) const {
    const auto& v = set_.value(col, row);
    if (v.isEmpty()) return std::nullopt;
    return v.convert<Poco::Int64>();
  }
  std::string Blob(size_t row, size_t col) const {
    const auto& v = set_.value(col, row);
    if (v.isEmpty()) return {};
    const auto& blob = v.extract<Poco::Data::BLOB>();
    return std::string(reinterpret_cast<const char*>(blob.rawContent()), blob.size());
  }

 private:
  Poco::Data::RecordSet set_;
};

}  // namespace gw::gateway::storage
