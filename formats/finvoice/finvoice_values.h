// The lexical forms of Finvoice 3.0 values, both ways: amounts and percentages with a decimal
// comma, CCYYMMDD dates, text lengths counted in characters, xs:dateTime time stamps. Internal to
// formats/finvoice. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/core/date.h"
#include "formats/core/decimal.h"
#include "formats/core/result.h"

namespace gw::formats::finvoice::internal {

// An amount as the schema's monetaryAmount and unitAmountType write it,
// -?[0-9]{1,15}(,[0-9]{2,5})?: the value's own decimals when they are 2 to 5, padded to 2, and
// trailing zeros dropped beyond 5. nullopt when the value needs more than 5 decimals or 15 integer
// digits (the value is never rounded).
std::optional<std::string> FormatAmount(const Decimal& value);
// EpiInstructedAmount (epiMonetaryAmount): exactly 2 decimals; nullopt when more are needed.
std::optional<std::string> FormatEpiAmount(const Decimal& value);
// A percentage, [1-9]?[0-9]{1,2}(,[0-9]{1,3})?: 0 to 999 with at most 3 decimals, no sign;
// nullopt otherwise.
std::optional<std::string> FormatPercent(const Decimal& value);
// A quantity (QuantityType0_14): decimal comma, at most 14 characters; nullopt when longer.
std::optional<std::string> FormatQuantity(const Decimal& value);
// CCYYMMDD.
std::string FormatDate(const Date& date);

// A Finvoice number: optional sign, digits, optionally a decimal comma (or point) and digits;
// surrounding white space is ignored. kInvalidArgument naming the expected form otherwise.
Result<Decimal> ParseNumber(std::string_view text);
// A CCYYMMDD date that is a calendar day.
Result<Date> ParseDate(std::string_view text);

// XML white space trimmed from both ends.
std::string_view Trimmed(std::string_view text);

// The number of characters (code points) of UTF-8 text, as XML Schema counts lengths.
size_t CharCount(std::string_view utf8);
// The first `max_chars` characters of UTF-8 text (cut on a character boundary).
std::string FirstChars(std::string_view utf8, size_t max_chars);
// `text` in pieces of at most `max_chars` characters, cut at the last space before the limit
// where there is one (the space is dropped, so joining the pieces with one space restores
// `text`); `exact` tells whether that holds (false when a piece had to be cut inside a word).
std::vector<std::string> SplitText(std::string_view text, size_t max_chars, bool* exact);

// True for an xs:dateTime: YYYY-MM-DDThh:mm:ss, optional fraction, optional Z or +hh:mm / -hh:mm.
bool IsDateTime(std::string_view text);

// True when every character is an XML name character (the \c of the schema's NMTOKEN-like
// patterns: letters, digits, '.', '-', '_', ':'; non-ASCII letters included).
bool IsNameChars(std::string_view text);

// An IBAN: two letters, two digits, then 11 to 30 letters or digits.
bool LooksLikeIban(std::string_view text);
// A Finnish OVT e-invoice address: 0037, the 8-digit business ID, and up to 5 more letters or
// digits (an organisation unit).
bool LooksLikeOvt(std::string_view text);
// A 4-digit ISO/IEC 6523 ICD (the schema's iso6523cid).
bool IsIcd(std::string_view text);
// A code of UN/CEFACT lists as the schema restricts them ([A-Z0-9]{1,3}).
bool IsUntdidCode(std::string_view text);

// Why `reference` is not a Finnish creditor reference (CheckFinnishReference), or nullopt when it
// is one. Leading zeros are taken as padding to 20 digits, as the virtual bank barcode writes the
// reference (the 7-3-1 weights count from the right, so they change nothing); all zeros is no
// reference.
std::optional<std::string> CheckPaddedFinnishReference(std::string_view reference);

// `text` with the spaces removed.
std::string WithoutSpaces(std::string_view text);

}  // namespace gw::formats::finvoice::internal
