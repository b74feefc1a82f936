#include "formats/core/decimal.h"

#include <algorithm>

namespace gw {
namespace {

using u128 = UInt128;

// 10^n for n in [0, 38].
u128 Pow10(int n) {
  static const auto kTable = [] {
    struct T { u128 v[39]; } t{};
    t.v[0] = 1;
    for (int i = 1; i < 39; ++i) t.v[i] = t.v[i - 1] * 10;
    return t;
  }();
  return kTable.v[n];
}

constexpr u128 kMaxMagnitude = (~u128{0}) >> 1;  // |mantissa| fits a signed 128-bit value

u128 Magnitude(Int128 v) { return v < 0 ? u128(0) - u128(v) : u128(v); }

// Multiplies by 10^n; false on overflow.
bool ScaleUp(u128& v, int n) {
  if (n > 38) return v == 0;
  u128 p = Pow10(n);
  if (v != 0 && v > kMaxMagnitude / p) return false;
  v *= p;
  return true;
}

// Divides by 10^n, rounding half away from zero (on the magnitude).
u128 ScaleDownRounded(u128 v, int n) {
  if (n == 0) return v;
  if (n > 38) return 0;
  u128 p = Pow10(n);
  u128 q = v / p, r = v % p;
  if (r >= p / 2 + (p % 2)) ++q;  // p is a power of ten >= 10, so p/2 is exact
  return q;
}

Int128 Signed(u128 magnitude, bool negative) {
  return negative ? -static_cast<Int128>(magnitude) : static_cast<Int128>(magnitude);
}

}  // namespace

Decimal Decimal::Overflowed() {
  Decimal d;
  d.overflow_ = true;
  return d;
}

Decimal Decimal::FromParts(Int128 mantissa, int scale) {
  assert(scale >= 0 && scale <= kMaxScale);
  return Decimal(mantissa, scale);
}

Result<Decimal> Decimal::Parse(std::string_view text) {
  size_t i = 0, n = text.size();
  bool negative = false;
  if (i < n && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  size_t int_begin = i;
  while (i < n && text[i] >= '0' && text[i] <= '9') ++i;
  std::string_view int_digits = text.substr(int_begin, i - int_begin);
  std::string_view frac_digits;
  if (i < n && text[i] == '.') {
    size_t frac_begin = ++i;
    while (i < n && text[i] >= '0' && text[i] <= '9') ++i;
    frac_digits = text.substr(frac_begin, i - frac_begin);
    if (frac_digits.empty()) {
      return Error::InvalidArgument("'" + std::string(text) + "' is not a decimal number: digits must follow the '.'");
    }
  }
  if (int_digits.empty()) {
    return Error::InvalidArgument("'" + std::string(text.substr(0, 40)) +
                                  "' is not a decimal number (expected digits such as 12.50)");
  }
  long exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '-' || text[i] == '+')) exp_negative = text[i++] == '-';
    size_t exp_begin = i;
    while (i < n && text[i] >= '0' && text[i] <= '9') {
      if (exponent < 100000) exponent = exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (i == exp_begin) {
      return Error::InvalidArgument("'" + std::string(text.substr(0, 40)) + "' has an empty exponent");
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != n) {
    return Error::InvalidArgument("'" + std::string(text.substr(0, 40)) +
                                  "' is not a decimal number (unexpected character at position " +
                                  std::to_string(i + 1) + ")");
  }
  // Drop leading zeros of the integer part and trailing zeros of the fraction; they carry no
  // value and must not count against the digit limits.
  while (int_digits.size() > 1 && int_digits.front() == '0') int_digits.remove_prefix(1);
  size_t declared_scale = frac_digits.size();
  while (!frac_digits.empty() && frac_digits.back() == '0') frac_digits.remove_suffix(1);

  long scale = static_cast<long>(frac_digits.size()) - exponent;
  u128 mag = 0;
  int digits = 0;
  auto push = [&](char c) {
    if (mag == 0 && c == '0') return true;
    if (++digits > kMaxDigits) return false;
    mag = mag * 10 + static_cast<unsigned>(c - '0');
    return true;
  };
  bool ok = true;
  for (char c : int_digits) ok = ok && push(c);
  for (char c : frac_digits) ok = ok && push(c);
  if (!ok) {
    return Error::OutOfRange("'" + std::string(text.substr(0, 50)) + "' has more than " +
                             std::to_string(kMaxDigits) + " significant digits");
  }
  if (scale < 0) {
    if (mag != 0 && (-scale > kMaxDigits || !ScaleUp(mag, static_cast<int>(-scale)) ||
                     digits - scale > kMaxDigits)) {
      return Error::OutOfRange("'" + std::string(text.substr(0, 50)) + "' is too large");
    }
    scale = 0;
  }
  if (scale > kMaxScale) {
    if (mag == 0) {
      scale = 0;
    } else {
      return Error::OutOfRange("'" + std::string(text.substr(0, 50)) + "' has more than " +
                               std::to_string(kMaxScale) + " decimal places");
    }
  }
  // Keep the declared scale ("1.50" stays 1.50) when it fits, so output echoes the input.
  if (exponent == 0 && static_cast<long>(declared_scale) > scale &&
      declared_scale <= static_cast<size_t>(kMaxScale)) {
    u128 padded = mag;
    if (ScaleUp(padded, static_cast<int>(declared_scale - scale))) {
      mag = padded;
      scale = static_cast<long>(declared_scale);
    }
  }
  return Decimal(Signed(mag, negative), static_cast<int>(scale));
}

Decimal Decimal::Rounded(int scale) const {
  if (overflow_) return *this;
  if (scale >= scale_) return *this;
  u128 mag = ScaleDownRounded(Magnitude(mantissa_), scale_ - scale);
  return Decimal(Signed(mag, mantissa_ < 0), scale);
}

Decimal Decimal::WithScale(int scale) const {
  if (overflow_) return *this;
  if (scale <= scale_) return Rounded(scale);
  u128 mag = Magnitude(mantissa_);
  if (!ScaleUp(mag, scale - scale_)) return Overflowed();
  return Decimal(Signed(mag, mantissa_ < 0), scale);
}

Decimal Decimal::Normalized() const {
  if (overflow_) return *this;
  Int128 m = mantissa_;
  int s = scale_;
  // Beyond 64 bits each step is a library call; most mantissas fit, and a 64-bit division by a
  // constant is a multiplication.
  while (s > 0 && (m > INT64_MAX || m < -INT64_MAX) && m % 10 == 0) {
    m /= 10;
    --s;
  }
  if (m >= -INT64_MAX && m <= INT64_MAX) {
    int64_t m64 = static_cast<int64_t>(m);
    while (s > 0 && m64 != 0 && m64 % 10 == 0) {
      m64 /= 10;
      --s;
    }
    m = m64;
  }
  if (m == 0) s = 0;
  return Decimal(m, s);
}

Decimal Decimal::operator-() const {
  Decimal d(-mantissa_, scale_);
  d.overflow_ = overflow_;
  return d;
}

Decimal operator+(const Decimal& a, const Decimal& b) {
  if (a.overflow_ || b.overflow_) return Decimal::Overflowed();
  int scale = std::max(a.scale_, b.scale_);
  u128 ma = Magnitude(a.mantissa_), mb = Magnitude(b.mantissa_);
  if (!ScaleUp(ma, scale - a.scale_) || !ScaleUp(mb, scale - b.scale_)) {
    return Decimal::Overflowed();
  }
  Int128 sa = Signed(ma, a.mantissa_ < 0), sb = Signed(mb, b.mantissa_ < 0), sum;
  if (__builtin_add_overflow(sa, sb, &sum)) return Decimal::Overflowed();
  return Decimal(sum, scale);
}

Decimal operator-(const Decimal& a, const Decimal& b) { return a + (-b); }

Decimal operator*(const Decimal& a, const Decimal& b) {
  if (a.overflow_ || b.overflow_) return Decimal::Overflowed();
  Int128 product;
  if (__builtin_mul_overflow(a.mantissa_, b.mantissa_, &product)) return Decimal::Overflowed();
  int scale = a.scale_ + b.scale_;
  if (scale > Decimal::kMaxScale) {
    u128 mag = ScaleDownRounded(Magnitude(product), scale - Decimal::kMaxScale);
    return Decimal(Signed(mag, product < 0), Decimal::kMaxScale);
  }
  return Decimal(product, scale);
}

Decimal Decimal::DividedBy(const Decimal& divisor, int scale) const {
  if (overflow_ || divisor.overflow_ || divisor.mantissa_ == 0) return Overflowed();
  // value = (a / b) * 10^(b.scale - a.scale); we want round(value * 10^scale).
  int k = scale + divisor.scale_ - scale_;
  u128 a = Magnitude(mantissa_), b = Magnitude(divisor.mantissa_);
  u128 q = a / b, r = a % b;
  // Long division, one decimal digit at a time, so no intermediate exceeds 10 * b.
  int extra = std::max(k, 0);
  if (b <= UINT64_MAX / 10) {
    // r < b, so r * 10 fits in 64 bits: one hardware division per digit instead of two library
    // calls on 128 bits.
    const uint64_t b64 = static_cast<uint64_t>(b);
    uint64_t r64 = static_cast<uint64_t>(r);
    for (int i = 0; i < extra; ++i) {
      if (q > kMaxMagnitude / 10) return Overflowed();
      uint64_t r10 = r64 * 10;
      q = q * 10 + r10 / b64;
      r64 = r10 % b64;
    }
    r = r64;
  } else {
    for (int i = 0; i < extra; ++i) {
      u128 r10 = r * 10;
      if (q > kMaxMagnitude / 10) return Overflowed();
      q = q * 10 + r10 / b;
      r = r10 % b;
    }
  }
  if (k >= 0) {
    if (r * 2 >= b) ++q;  // half away from zero
  } else {
    q = ScaleDownRounded(q, -k);
  }
  if (q > kMaxMagnitude) return Overflowed();
  bool negative = (mantissa_ < 0) != (divisor.mantissa_ < 0);
  return Decimal(Signed(q, negative), scale);
}

int Compare(const Decimal& a, const Decimal& b) {
  bool na = a.mantissa_ < 0, nb = b.mantissa_ < 0;
  if (na != nb) return na ? -1 : 1;
  // Same sign: compare magnitudes by integer part, then fraction aligned to the larger scale
  // (both fractions are < 10^30, so aligning cannot overflow).
  u128 ma = Magnitude(a.mantissa_), mb = Magnitude(b.mantissa_);
  u128 ia = ma / Pow10(a.scale_), ib = mb / Pow10(b.scale_);
  int c = 0;
  if (ia != ib) {
    c = ia < ib ? -1 : 1;
  } else {
    int scale = std::max(a.scale_, b.scale_);
    u128 fa = (ma % Pow10(a.scale_)) * Pow10(scale - a.scale_);
    u128 fb = (mb % Pow10(b.scale_)) * Pow10(scale - b.scale_);
    c = fa == fb ? 0 : (fa < fb ? -1 : 1);
  }
  return na ? -c : c;
}

void Decimal::AppendTo(std::string& out) const {
  if (overflow_) {
    out += "overflow";
    return;
  }
  char buf[48];
  int pos = sizeof(buf);
  u128 mag = Magnitude(mantissa_);
  int written = 0;
  do {
    buf[--pos] = static_cast<char>('0' + static_cast<int>(mag % 10));
    mag /= 10;
    ++written;
    if (written == scale_) buf[--pos] = '.';
  } while (mag != 0 || written <= scale_);
  if (buf[pos] == '.') buf[--pos] = '0';
  if (mantissa_ < 0) buf[--pos] = '-';
  out.append(buf + pos, sizeof(buf) - pos);
}

std::string Decimal::ToString() const {
  std::string s;
  AppendTo(s);
  return s;
}

}  // namespace gw
