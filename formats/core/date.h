// Date: a calendar date (ISO 8601 YYYY-MM-DD, proleptic Gregorian). Immutable value type.
#pragma once

#include <string>
#include <string_view>

#include "formats/core/result.h"

namespace gw {

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;

  // Parses exactly "YYYY-MM-DD" with a real calendar day (2024-02-30 is rejected).
  static Result<Date> Parse(std::string_view text);
  bool valid() const { return year != 0; }
  std::string ToString() const;  // "YYYY-MM-DD"
  friend bool operator==(const Date&, const Date&) = default;
  friend auto operator<=>(const Date&, const Date&) = default;
};

}  // namespace gw
