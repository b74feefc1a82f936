#include "formats/registry/format_registry.h"

namespace gw::formats {

Status FormatRegistry::Register(FormatInfo info) {
  if (!info.read && !info.write) {
    return Error::InvalidArgument("format '" + info.name + "' has neither a reader nor a writer");
  }
  if (formats_.count(info.name) != 0) {
    return Error::AlreadyExists("format '" + info.name + "' is registered twice");
  }
  std::string name = info.name;
  formats_.emplace(std::move(name), std::move(info));
  return OkStatus();
}

Result<const FormatInfo*> FormatRegistry::Find(std::string_view name) const {
  auto it = formats_.find(name);
  if (it == formats_.end()) {
    std::string known;
    for (const auto& [n, _] : formats_) known += (known.empty() ? "" : ", ") + n;
    return Error::NotFound("unknown format '" + std::string(name) + "' (known: " + known + ")");
  }
  return &it->second;
}

std::vector<std::string> FormatRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [n, _] : formats_) names.push_back(n);
  return names;
}

}  // namespace gw::formats
