// Small string helpers of the gateway.
#pragma once

#include <string>
#include <vector>

namespace gw::gateway {

// "ubl, cii" -> {"ubl", "cii"}; items are trimmed of spaces, empty ones dropped.
inline std::vector<std::string> SplitList(const std::string& list, char separator = ',') {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(separator, start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// ASCII letters in lower case, other bytes as they are (identifiers compare case-insensitively).
inline std::string AsciiLower(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

}  // namespace gw::gateway
