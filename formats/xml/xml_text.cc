#include "formats/xml/xml_text.h"

#include <cctype>

namespace gw::formats::xml::text {

// An absolute URI of RFC 3986 in plain ASCII: a scheme, then unreserved and reserved characters
// (no brackets, no '&', no quotes), '%' with two hex digits, at most one '#'. Namespace names of
// any other shape are left to libxml2, whose URI checks they might fail; these need no escaping.
bool PlainAbsoluteUri(std::string_view uri) {
  size_t i = 0;
  if (uri.empty() || !((uri[0] | 32) >= 'a' && (uri[0] | 32) <= 'z')) return false;
  while (i < uri.size() && uri[i] != ':') {
    const char c = uri[i];
    if (!(((c | 32) >= 'a' && (c | 32) <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return false;
    ++i;
  }
  if (i == uri.size()) return false;
  bool fragment = false;
  for (++i; i < uri.size(); ++i) {
    const char c = uri[i];
    if (((c | 32) >= 'a' && (c | 32) <= 'z') || (c >= '0' && c <= '9')) continue;
    if (c == '%') {
      if (i + 2 >= uri.size() || !std::isxdigit(static_cast<unsigned char>(uri[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(uri[i + 2]))) {
        return false;
      }
      i += 2;
      continue;
    }
    if (c == '#') {
      if (fragment) return false;
      fragment = true;
      continue;
    }
    if (std::string_view("-._~:/?@!$'()*+,;=").find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace gw::formats::xml::text
