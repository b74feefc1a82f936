#include "formats/validation/xpath_value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace gw::formats::validation {
namespace {

std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

bool ParseXsDecimal(std::string_view text, Decimal& out) {
  std::string_view s = Trim(text);
  {
    // Amounts and quantities (up to 18 digits, no exponent) straight into the mantissa, with
    // the scale the text declares, as Decimal::Parse keeps it: no strings built.
    size_t i = 0;
    const bool negative = i < s.size() && s[i] == '-';
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    uint64_t mantissa = 0;
    int digits = 0, scale = 0;
    bool point = false, fits = true;
    for (; i < s.size() && fits; ++i) {
      const char c = s[i];
      if (c >= '0' && c <= '9') {
        fits = ++digits <= 18;
        mantissa = mantissa * 10 + static_cast<uint64_t>(c - '0');
        scale += point ? 1 : 0;
      } else if (c == '.' && !point) {
        point = true;
      } else {
        return false;  // not an xs:decimal (the general way says the same)
      }
    }
    if (fits) {
      if (digits == 0) return false;
      const Int128 m = static_cast<Int128>(mantissa);
      out = Decimal::FromParts(negative ? -m : m, scale);
      return true;
    }
  }
  return ParseXsDecimalText(s, out);
}

bool ParseXsDecimalText(std::string_view text, Decimal& out) {
  std::string_view s = Trim(text);
  // xs:decimal: optional sign, digits with an optional point; "1." and ".5" are allowed, exponents
  // are not. Normalized, then parsed with Decimal's limits.
  std::string norm;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) norm += s[i++];
  size_t digits = 0;
  bool point = false;
  std::string body;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      body += c;
      ++digits;
    } else if (c == '.' && !point) {
      point = true;
      if (body.empty()) body += '0';
      body += '.';
    } else {
      return false;
    }
  }
  if (digits == 0) return false;
  if (!body.empty() && body.back() == '.') body.pop_back();
  norm += body;
  auto d = Decimal::Parse(norm);
  if (!d) return false;
  out = *d;
  return true;
}

bool IsXsDecimalLexical(std::string_view text) {
  std::string_view s = Trim(text);
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  size_t digits = 0;
  bool point = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      ++digits;
    } else if (s[i] == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  return digits > 0;
}

bool ParseXsInteger(std::string_view text, Decimal& out) {
  std::string_view s = Trim(text);
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) return false;
  for (size_t j = i; j < s.size(); ++j) {
    if (s[j] < '0' || s[j] > '9') return false;
  }
  return ParseXsDecimal(s, out);
}

bool ParseXsDouble(std::string_view text, double& out) {
  std::string_view s = Trim(text);
  if (s == "INF" || s == "+INF") {
    out = HUGE_VAL;
    return true;
  }
  if (s == "-INF") {
    out = -HUGE_VAL;
    return true;
  }
  if (s == "NaN") {
    out = std::nan("");
    return true;
  }
  if (s.empty()) return false;
  // Only digits, sign, point and exponent (strtod would also take "inf", hex and "nan").
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) return false;
  }
  std::string z(s);
  char* end = nullptr;
  out = std::strtod(z.c_str(), &end);
  return end == z.c_str() + z.size();
}

bool IsXsDate(std::string_view text) {
  std::string_view s = Trim(text);
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  size_t year_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i - year_start < 4 || i >= s.size() || s[i] != '-') return false;
  auto two = [&](size_t at, int lo, int hi) {
    if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return -1;
    int v = (s[at] - '0') * 10 + (s[at + 1] - '0');
    return v >= lo && v <= hi ? v : -1;
  };
  int month = two(i + 1, 1, 12);
  if (month < 0 || i + 3 >= s.size() || s[i + 3] != '-') return false;
  int day = two(i + 4, 1, 31);
  if (day < 0) return false;
  // Saxon holds the year in a Java int: a year of magnitude above 2^31 - 1 does not cast (the
  // official validators then report a dynamic error), and our date arithmetic stays in range.
  if (i - year_start > 10) return false;
  long long year = std::strtoll(std::string(s.substr(year_start, i - year_start)).c_str(), nullptr, 10);
  if (year > 2147483647LL) return false;
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[month - 1] || (month == 2 && day == 29 && !leap)) return false;
  // XSD 1.1 (Saxon 9.9, as the official validators run it): year 0000 is allowed (1 BCE, a
  // leap year); more than four digits only without a leading zero.
  if (i - year_start > 4 && s[year_start] == '0') return false;
  std::string_view zone = s.substr(i + 6);
  if (zone.empty() || zone == "Z") return true;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return false;
  int hh = two(i + 7, 0, 14), mm = two(i + 10, 0, 59);
  return hh >= 0 && mm >= 0 && (hh < 14 || mm == 0);
}

double DecimalToDouble(const Decimal& d) {
  std::string s = d.ToString();
  return std::strtod(s.c_str(), nullptr);
}

bool DoubleToDecimal(double d, Decimal& out) {
  if (!std::isfinite(d)) return false;
  // Saxon casts a double to xs:decimal as Java's new BigDecimal(double): the exact value of the
  // binary double (2.675e0 is 2.67499999999999982236431605997495353221893310546875, which rounds
  // to 2.67, not 2.68). Our decimals hold 38 significant digits, 30 after the point: the exact
  // value (glibc's printf is exact) rounded to that.
  double magnitude = std::fabs(d);
  int whole_digits = magnitude < 1 ? 1 : static_cast<int>(std::floor(std::log10(magnitude))) + 1;
  int places = std::max(0, std::min(30, Decimal::kMaxDigits - whole_digits));
  char buf[512];
  int n = std::snprintf(buf, sizeof(buf), "%.*f", places, d);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return false;
  if (!ParseXsDecimal(std::string_view(buf, static_cast<size_t>(n)), out)) return false;
  out = out.Normalized();  // 10781250, not 10781250 with 30 zero places (room for arithmetic)
  return true;
}

std::string DoubleToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "INF" : "-INF";
  if (d == 0) return std::signbit(d) ? "-0" : "0";
  double a = std::fabs(d);
  char buf[64];
  if (a >= 1e-6 && a < 1e6) {
    auto r = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::fixed);
    std::string s(buf, r.ptr);
    if (s.find('.') != std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
    return s;
  }
  // Scientific: mantissa with at least one fractional digit, "E", exponent without '+'.
  auto r = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string s(buf, r.ptr);
  size_t e = s.find('e');
  std::string mantissa = s.substr(0, e);
  int exponent = std::atoi(s.c_str() + e + 1);
  if (mantissa.find('.') == std::string::npos) mantissa += ".0";
  return mantissa + "E" + std::to_string(exponent);
}

std::string DecimalToString(const Decimal& d) { return d.Normalized().ToString(); }

std::string AtomicToString(const Item& item) {
  switch (item.type) {
    case Type::kBoolean: return item.boolean ? "true" : "false";
    case Type::kInteger:
    case Type::kDecimal: return DecimalToString(item.dec);
    case Type::kDouble: return DoubleToString(item.dbl);
    default: return item.str;
  }
}

std::vector<uint32_t> CodePoints(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t n;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if (c < 0xE0) {
      cp = c & 0x1F;
      n = 2;
    } else if (c < 0xF0) {
      cp = c & 0x0F;
      n = 3;
    } else {
      cp = c & 0x07;
      n = 4;
    }
    for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

void AppendCodePoint(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

Decimal DecimalFloor(const Decimal& d) {
  if (d.scale() == 0) return d;
  __extension__ typedef __int128 I128;
  I128 m = d.mantissa();
  I128 p = 1;
  for (int i = 0; i < d.scale(); ++i) p *= 10;
  I128 q = m / p;
  if (m < 0 && q * p != m) q -= 1;
  return Decimal::FromParts(q, 0);
}

Decimal DecimalRoundHalfUp(const Decimal& d) {
  if (d.scale() == 0) return d;
  return DecimalFloor(d + Decimal::FromParts(5, 1));
}

}  // namespace gw::formats::validation
