#include "formats/core/payment_reference.h"

#include <cctype>

namespace gw {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string WithoutSpaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

// The 7-3-1 check of a complete reference: length, digits, check digit.
std::optional<std::string> Check731(std::string_view kind, std::string_view digits, size_t min_len, size_t max_len) {
  if (!AllDigits(digits)) {
    return std::string(kind) + " reference '" + std::string(digits) + "' must consist of digits only";
  }
  if (digits.size() < min_len || digits.size() > max_len) {
    return std::string(kind) + " reference '" + std::string(digits) + "' has " + std::to_string(digits.size()) +
           " digits; it must have " + std::to_string(min_len) + " to " + std::to_string(max_len) +
           " including the check digit";
  }
  const char expected = *CheckDigit731(digits.substr(0, digits.size() - 1));
  if (digits.back() != expected) {
    return std::string(kind) + " reference '" + std::string(digits) + "' has the check digit " + digits.back() +
           "; the 7-3-1 method gives " + expected + " for " + std::string(digits.substr(0, digits.size() - 1));
  }
  return std::nullopt;
}

}  // namespace

std::optional<char> CheckDigit731(std::string_view base) {
  if (!AllDigits(base)) return std::nullopt;
  static constexpr int kWeights[3] = {7, 3, 1};
  int sum = 0;
  size_t w = 0;
  for (size_t i = base.size(); i-- > 0; w = (w + 1) % 3) sum += (base[i] - '0') * kWeights[w];
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::optional<std::string> WithCheckDigit731(std::string_view base) {
  if (base.empty() || base.size() > 19) return std::nullopt;
  auto digit = CheckDigit731(base);
  if (!digit) return std::nullopt;
  return std::string(base) + *digit;
}

std::optional<std::string> CheckEstonianReference(std::string_view reference) {
  return Check731("Estonian", reference, 2, 20);
}

std::optional<std::string> CheckFinnishReference(std::string_view reference) {
  const std::string digits = WithoutSpaces(reference);
  if (!digits.empty() && digits[0] == '0') {
    return "Finnish reference '" + std::string(reference) + "' must not start with 0";
  }
  return Check731("Finnish", digits, 4, 20);
}

std::optional<std::string> CheckRfReference(std::string_view reference) {
  const std::string s = WithoutSpaces(reference);
  const std::string quoted = "RF creditor reference '" + std::string(reference) + "'";
  if (s.size() < 5 || s.size() > 25 || std::toupper(static_cast<unsigned char>(s[0])) != 'R' ||
      std::toupper(static_cast<unsigned char>(s[1])) != 'F' || !AllDigits(s.substr(2, 2))) {
    return quoted + " must be 'RF', two check digits and 1 to 21 letters or digits (ISO 11649)";
  }
  // Move the first four characters to the end, letters to numbers (A = 10 ... Z = 35), mod 97.
  const std::string rearranged = s.substr(4) + s.substr(0, 4);
  int remainder = 0;
  for (char c : rearranged) {
    const unsigned char u = static_cast<unsigned char>(std::toupper(static_cast<unsigned char>(c)));
    if (u >= '0' && u <= '9') {
      remainder = (remainder * 10 + (u - '0')) % 97;
    } else if (u >= 'A' && u <= 'Z') {
      remainder = (remainder * 100 + (u - 'A' + 10)) % 97;
    } else {
      return quoted + " holds '" + std::string(1, c) + "'; only letters and digits are allowed";
    }
  }
  if (remainder != 1) return quoted + " has wrong check digits (the ISO 7064 MOD 97-10 check fails)";
  return std::nullopt;
}

}  // namespace gw
