#include "formats/core/identifier_checks.h"

#include <algorithm>

namespace gw {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int Digit(char c) { return c - '0'; }

// GS1 mod-10: weights 3, 1, 3, ... from the right, check digit excluded.
bool GlnValid(std::string_view s) {
  int sum = 0;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    size_t from_right = s.size() - 2 - i;
    sum += Digit(s[i]) * (from_right % 2 == 0 ? 3 : 1);
  }
  return (10 - sum % 10) % 10 == Digit(s.back());
}

// Norwegian mod-11: weights 2..7 repeating from the right.
bool Mod11Valid(std::string_view s) {
  int sum = 0;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    size_t from_right = s.size() - 2 - i;
    sum += Digit(s[i]) * static_cast<int>(from_right % 6 + 2);
  }
  bool positive = std::any_of(s.begin(), s.end(), [](char c) { return c != '0'; });
  return positive && (11 - sum % 11) % 11 == Digit(s.back());
}

bool LuhnValid(std::string_view s) {
  int sum = 0;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    size_t pos_from_right = s.size() - 1 - i;  // 1 for the digit before the check digit
    int d = Digit(s[i]);
    if (pos_from_right % 2 == 1) {
      d *= 2;
      d = d % 10 + d / 10;
    }
    sum += d;
  }
  return (10 - sum % 10) % 10 == Digit(s.back());
}

bool BelgianValid(std::string_view s) {
  long body = std::stol(std::string(s.substr(0, 8)));
  return 97 - body % 97 == std::stol(std::string(s.substr(8, 2)));
}

bool AbnValid(std::string_view s) {
  static constexpr int kWeights[] = {10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19};
  int sum = (Digit(s[0]) - 1) * kWeights[0];
  for (size_t i = 1; i < 11; ++i) sum += Digit(s[i]) * kWeights[i];
  return sum % 89 == 0;
}

}  // namespace

std::optional<IdentifierProblem> CheckIdentifierFormat(std::string_view scheme,
                                                       std::string_view value) {
  if (scheme == "0088" && !(AllDigits(value) && value.size() >= 2 && GlnValid(value))) {
    return IdentifierProblem{"PEPPOL-COMMON-R040",
                             "'" + std::string(value) + "' is not a GLN: digits with a valid GS1 check digit"};
  }
  if (scheme == "0192" && !(AllDigits(value) && value.size() == 9 && Mod11Valid(value))) {
    return IdentifierProblem{"PEPPOL-COMMON-R041",
                             "'" + std::string(value) +
                                 "' is not a Norwegian organisation number: 9 digits with a valid mod-11 check digit"};
  }
  if (scheme == "0184") {
    bool ok = (value.size() == 8 && AllDigits(value)) ||
              (value.size() == 10 && value.substr(0, 2) == "DK" && AllDigits(value.substr(2)));
    if (!ok) {
      return IdentifierProblem{"PEPPOL-COMMON-R042",
                               "'" + std::string(value) + "' is not a Danish CVR number: 8 digits, optionally after 'DK'"};
    }
  }
  if (scheme == "0208" && !(AllDigits(value) && value.size() == 10 && BelgianValid(value))) {
    return IdentifierProblem{"PEPPOL-COMMON-R043",
                             "'" + std::string(value) +
                                 "' is not a Belgian enterprise number: 10 digits with a valid mod-97 check"};
  }
  if (scheme == "0007" && !(AllDigits(value) && value.size() == 10 && LuhnValid(value))) {
    return IdentifierProblem{"PEPPOL-COMMON-R049",
                             "'" + std::string(value) +
                                 "' is not a Swedish organisation number: 10 digits with a valid Luhn check digit"};
  }
  if (scheme == "0151" && !(AllDigits(value) && value.size() == 11 && AbnValid(value))) {
    return IdentifierProblem{"PEPPOL-COMMON-R050",
                             "'" + std::string(value) + "' is not an Australian Business Number: 11 digits, mod 89"};
  }
  return std::nullopt;
}

}  // namespace gw
