// Format and check-digit rules of identifier schemes that Peppol enforces wherever an identifier
// with that scheme appears as an electronic address, party identifier or legal registration id
// (PEPPOL-COMMON-R040..R050). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gw {

struct IdentifierProblem {
  const char* rule;     // e.g. "PEPPOL-COMMON-R040"
  std::string message;  // what is wrong and what the format is
};

// Checks `value` against the rules of `scheme` (0088 GLN, 0192 Norwegian organisation number,
// 0184 Danish CVR, 0208 Belgian enterprise number, 0007 Swedish organisation number, 0151
// Australian ABN). Returns the problem, or nullopt when the value is valid or the scheme has no
// such rule.
std::optional<IdentifierProblem> CheckIdentifierFormat(std::string_view scheme,
                                                       std::string_view value);

}  // namespace gw
