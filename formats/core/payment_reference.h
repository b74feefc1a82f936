// Creditor payment references and their check digits: the Estonian and Finnish national
// reference numbers (weights 7-3-1) and the international RF creditor reference (ISO 11649,
// ISO 7064 MOD 97-10). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gw {

// The check digit of the 7-3-1 method for the digits `base`: weights 7, 3, 1, 7, 3, 1, ... from
// the rightmost digit; the check digit takes the sum up to the next multiple of ten. Used by the
// Estonian reference number (viitenumber) and the Finnish national reference (viitenumero).
// nullopt when `base` is empty or holds a non-digit.
std::optional<char> CheckDigit731(std::string_view base);

// Why `reference` is not a valid reference of its kind, or nullopt when it is. Each message names
// the rule broken and the expected form, so that it can be shown to the user as it is.
//  - Estonian: 2 to 20 digits, the last the 7-3-1 check digit of the others.
//  - Finnish national: 4 to 20 digits (spaces between digit groups allowed), the first not zero,
//    the last the 7-3-1 check digit of the others.
//  - RF (ISO 11649): "RF", two check digits, then 1 to 21 letters or digits (spaces between
//    groups of four allowed); valid when the MOD 97-10 check of the rearranged string gives 1.
std::optional<std::string> CheckEstonianReference(std::string_view reference);
std::optional<std::string> CheckFinnishReference(std::string_view reference);
std::optional<std::string> CheckRfReference(std::string_view reference);

// `base` (digits) with its 7-3-1 check digit appended; nullopt when `base` is not 1 to 19 digits.
std::optional<std::string> WithCheckDigit731(std::string_view base);

}  // namespace gw
