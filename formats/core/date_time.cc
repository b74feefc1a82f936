#include "formats/core/date_time.h"

#include <cstdio>
#include <ctime>

namespace gw {
namespace {

// Reads exactly `n` digits at `p`.
bool Digits(std::string_view t, size_t p, size_t n, int& out) {
  if (p + n > t.size()) return false;
  out = 0;
  for (size_t i = p; i < p + n; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    out = out * 10 + (t[i] - '0');
  }
  return true;
}

}  // namespace

bool ParseDateTime(std::string_view t, int64_t& epoch_ms) {
  int y, mo, d, h, mi, s;
  if (!Digits(t, 0, 4, y) || !Digits(t, 5, 2, mo) || !Digits(t, 8, 2, d) || !Digits(t, 11, 2, h) ||
      !Digits(t, 14, 2, mi) || !Digits(t, 17, 2, s))
    return false;
  if (t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' || t[16] != ':') return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  size_t p = 19;
  int frac_ms = 0;
  if (p < t.size() && t[p] == '.') {
    int digits = 0;
    ++p;
    while (p < t.size() && t[p] >= '0' && t[p] <= '9') {
      if (digits < 3) frac_ms = frac_ms * 10 + (t[p] - '0');
      ++digits;
      ++p;
    }
    if (digits == 0) return false;
    for (; digits < 3; ++digits) frac_ms *= 10;
  }
  int offset_min = 0;
  if (p < t.size() && (t[p] == 'Z' || t[p] == 'z')) {
    ++p;
  } else if (p + 6 == t.size() && (t[p] == '+' || t[p] == '-') && t[p + 3] == ':') {
    int oh = 0, om = 0;
    if (!Digits(t, p + 1, 2, oh) || !Digits(t, p + 4, 2, om) || oh > 23 || om > 59) return false;
    offset_min = (oh * 60 + om) * (t[p] == '+' ? 1 : -1);
    p += 6;
  } else {
    return false;
  }
  if (p != t.size()) return false;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  epoch_ms = (static_cast<int64_t>(timegm(&tm)) - offset_min * 60) * 1000 + frac_ms;
  return true;
}

std::string FormatDateTime(int64_t ms) {
  int64_t seconds = ms / 1000, millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return buf;
}

}  // namespace gw
