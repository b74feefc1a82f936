// Small string helpers of the gateway.
#pragma once

#include <string>
#include <vector>

namespace gw::gateway {

// "ubl,cii" -> {"ubl", "cii"}; empty items are dropped.
inline std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace gw::gateway
