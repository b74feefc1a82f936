// Decimal: an exact base-10 number (128-bit mantissa, scale 0..30) for amounts, prices, quantities
// and percentages. No binary floating point anywhere. Immutable value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "formats/core/result.h"

namespace gw {

// 128-bit integers are a GCC/Clang extension; __extension__ keeps -Wpedantic quiet.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

class Decimal {
 public:
  static constexpr int kMaxScale = 30;        // at most 30 digits after the point
  static constexpr int kMaxDigits = 38;       // at most 38 significant digits

  // Zero with scale 0.
  constexpr Decimal() = default;

  // Parses plain decimal text: optional sign, digits, optional '.' and digits, and optionally an
  // exponent (`1.5e3`) as JSON allows. Leading/trailing spaces, "NaN", "Infinity", hex, empty
  // parts ("1.", ".5") and commas are rejected with kInvalidArgument; numbers beyond 38
  // significant digits or 30 decimal places (after dropping trailing zeros) with kOutOfRange.
  static Result<Decimal> Parse(std::string_view text);

  static Decimal FromInt(int64_t value) { return Decimal(value, 0); }
  // mantissa * 10^-scale; scale must be in [0, kMaxScale].
  static Decimal FromParts(Int128 mantissa, int scale);

  int scale() const { return scale_; }
  Int128 mantissa() const { return mantissa_; }
  bool is_zero() const { return mantissa_ == 0; }
  bool is_negative() const { return mantissa_ < 0; }
  // True when an operation overflowed 128 bits; sticky through further arithmetic.
  bool overflow() const { return overflow_; }

  // Rounds half away from zero to `scale` places (EN16931 commercial rounding); never raises scale.
  Decimal Rounded(int scale) const;
  // Same value with exactly `scale` places: rounds when fewer, pads zeros when more.
  Decimal WithScale(int scale) const;
  // Removes trailing fractional zeros ("1.500" -> "1.5", "2.00" -> "2").
  Decimal Normalized() const;
  // Number of fractional digits after removing trailing zeros.
  int SignificantScale() const { return Normalized().scale_; }

  Decimal operator-() const;
  Decimal Abs() const { return is_negative() ? -*this : *this; }
  friend Decimal operator+(const Decimal& a, const Decimal& b);
  friend Decimal operator-(const Decimal& a, const Decimal& b);
  // Exact product; the scale is the sum of scales, rounded back to kMaxScale if larger.
  friend Decimal operator*(const Decimal& a, const Decimal& b);
  Decimal& operator+=(const Decimal& b) { return *this = *this + b; }
  Decimal& operator-=(const Decimal& b) { return *this = *this - b; }

  // this / divisor rounded half away from zero to `scale` places. Division by zero gives an
  // overflow-flagged zero (callers validate divisors first).
  Decimal DividedBy(const Decimal& divisor, int scale) const;

  // Numeric comparison: 1.50 == 1.5.
  friend int Compare(const Decimal& a, const Decimal& b);
  friend bool operator==(const Decimal& a, const Decimal& b) { return Compare(a, b) == 0; }
  friend bool operator!=(const Decimal& a, const Decimal& b) { return Compare(a, b) != 0; }
  friend bool operator<(const Decimal& a, const Decimal& b) { return Compare(a, b) < 0; }
  friend bool operator<=(const Decimal& a, const Decimal& b) { return Compare(a, b) <= 0; }
  friend bool operator>(const Decimal& a, const Decimal& b) { return Compare(a, b) > 0; }
  friend bool operator>=(const Decimal& a, const Decimal& b) { return Compare(a, b) >= 0; }

  // Plain notation with exactly scale() fractional digits: "-1234.50". Never exponent notation.
  std::string ToString() const;
  // Appends ToString() to `out` without a temporary string.
  void AppendTo(std::string& out) const;

 private:
  constexpr Decimal(Int128 mantissa, int scale) : mantissa_(mantissa), scale_(scale) {}
  static Decimal Overflowed();

  Int128 mantissa_ = 0;
  int16_t scale_ = 0;
  bool overflow_ = false;
};

}  // namespace gw
