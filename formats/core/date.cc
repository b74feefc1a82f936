#include "formats/core/date.h"

#include <cstdio>

namespace gw {
namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

Result<Date> Date::Parse(std::string_view t) {
  auto digits = [&](size_t from, size_t n, int& out) {
    out = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  Date d;
  if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !digits(0, 4, d.year) ||
      !digits(5, 2, d.month) || !digits(8, 2, d.day)) {
    return Error::InvalidArgument("'" + std::string(t.substr(0, 40)) +
                                  "' is not a date in the form YYYY-MM-DD");
  }
  if (d.year < 1000 || d.month < 1 || d.month > 12 || d.day < 1 ||
      d.day > DaysInMonth(d.year, d.month)) {
    return Error::InvalidArgument("'" + std::string(t) + "' is not a calendar date");
  }
  return d;
}

std::string Date::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", year, month, day);
  return buf;
}

}  // namespace gw
