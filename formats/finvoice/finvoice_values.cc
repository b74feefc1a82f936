#include "formats/finvoice/finvoice_values.h"

#include <algorithm>
#include <cstdio>

#include "formats/core/payment_reference.h"

namespace gw::formats::finvoice::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpperAlnum(char c) { return IsDigit(c) || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsUpperAlnum(c) || (c >= 'a' && c <= 'z'); }
bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Decimal::ToString() with a decimal comma: "-1234,50".
std::string WithComma(const Decimal& value) {
  std::string s = value.ToString();
  std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

size_t IntegerDigits(const Decimal& value) {
  std::string s = value.Abs().ToString();
  size_t point = s.find('.');
  return point == std::string::npos ? s.size() : point;
}

}  // namespace

std::optional<std::string> FormatAmount(const Decimal& value) {
  Decimal v = value;
  if (v.scale() > 5) v = v.Normalized();
  if (v.scale() > 5 || IntegerDigits(v) > 15) return std::nullopt;
  if (v.scale() < 2) v = v.WithScale(2);
  return WithComma(v);
}

std::optional<std::string> FormatEpiAmount(const Decimal& value) {
  if (value.SignificantScale() > 2 || IntegerDigits(value) > 15) return std::nullopt;
  return WithComma(value.WithScale(2));
}

std::optional<std::string> FormatPercent(const Decimal& value) {
  Decimal v = value;
  if (v.scale() > 3) v = v.Normalized();
  if (v.is_negative() || v.scale() > 3 || v >= Decimal::FromInt(1000)) return std::nullopt;
  return WithComma(v);
}

std::optional<std::string> FormatQuantity(const Decimal& value) {
  std::string s = WithComma(value);
  if (s.size() > 14) s = WithComma(value.Normalized());
  if (s.size() > 14) return std::nullopt;
  return s;
}

std::string FormatDate(const Date& date) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d%02d%02d", date.year, date.month, date.day);
  return buf;
}

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && IsXmlSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsXmlSpace(text.back())) text.remove_suffix(1);
  return text;
}

Result<Decimal> ParseNumber(std::string_view raw) {
  std::string_view text = Trimmed(raw);
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  size_t int_digits = 0, frac_digits = 0, separators = 0;
  bool lexical = true;
  for (; i < text.size(); ++i) {
    if (IsDigit(text[i])) {
      (separators == 0 ? int_digits : frac_digits) += 1;
    } else if (text[i] == ',' || text[i] == '.') {
      ++separators;
    } else {
      lexical = false;
    }
  }
  if (!lexical || int_digits == 0 || separators > 1 || (separators == 1 && frac_digits == 0)) {
    std::string shown(text.substr(0, 40));
    return Error::InvalidArgument(
        "'" + shown +
        "' is not a Finvoice number: write digits with an optional minus sign and a decimal comma, "
        "such as 1234,50 (no thousands separators or spaces)");
  }
  std::string plain(text);
  std::replace(plain.begin(), plain.end(), ',', '.');
  if (!plain.empty() && plain[0] == '+') plain.erase(0, 1);
  auto value = Decimal::Parse(plain);
  if (!value) {
    return Error::InvalidArgument(
        value.error().message() +
        "; the gateway reads at most 38 significant digits and 30 decimal places");
  }
  return *value;
}

Result<Date> ParseDate(std::string_view raw) {
  std::string_view text = Trimmed(raw);
  if (text.size() != 8 || !std::all_of(text.begin(), text.end(), IsDigit)) {
    return Error::InvalidArgument(
        "'" + std::string(text.substr(0, 40)) +
        "' is not a Finvoice date: write CCYYMMDD with Format=\"CCYYMMDD\", e.g. 20260331");
  }
  std::string iso = std::string(text.substr(0, 4)) + "-" + std::string(text.substr(4, 2)) + "-" +
                    std::string(text.substr(6, 2));
  auto date = Date::Parse(iso);
  if (!date) return Error::InvalidArgument("'" + std::string(text) + "' is not a calendar date");
  return *date;
}

size_t CharCount(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) {
    if (!IsContinuation(static_cast<unsigned char>(c))) ++n;
  }
  return n;
}

std::string FirstChars(std::string_view utf8, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < utf8.size(); ++i) {
    if (!IsContinuation(static_cast<unsigned char>(utf8[i]))) {
      if (chars == max_chars) return std::string(utf8.substr(0, i));
      ++chars;
    }
  }
  return std::string(utf8);
}

std::vector<std::string> SplitText(std::string_view text, size_t max_chars, bool* exact) {
  std::vector<std::string> parts;
  bool all_exact = true;
  while (CharCount(text) > max_chars) {
    std::string head = FirstChars(text, max_chars);
    // A space right after the head, or the last one inside it, is where the piece ends.
    size_t cut =
        head.size() < text.size() && text[head.size()] == ' ' ? head.size() : head.rfind(' ');
    if (cut == std::string::npos || cut == 0) {
      all_exact = false;
      parts.push_back(head);
      text.remove_prefix(head.size());
    } else {
      parts.emplace_back(text.substr(0, cut));
      text.remove_prefix(cut + 1);
    }
  }
  if (!text.empty() || parts.empty()) parts.emplace_back(text);
  if (exact != nullptr) *exact = all_exact;
  return parts;
}

bool IsDateTime(std::string_view t) {
  auto digits = [&](size_t from, size_t n) {
    if (from + n > t.size()) return false;
    for (size_t i = from; i < from + n; ++i) {
      if (!IsDigit(t[i])) return false;
    }
    return true;
  };
  if (t.size() < 19 || !digits(0, 4) || t[4] != '-' || !digits(5, 2) || t[7] != '-' ||
      !digits(8, 2) || t[10] != 'T' || !digits(11, 2) || t[13] != ':' || !digits(14, 2) ||
      t[16] != ':' || !digits(17, 2)) {
    return false;
  }
  auto date = Date::Parse(t.substr(0, 10));
  int hour = (t[11] - '0') * 10 + (t[12] - '0');
  int minute = (t[14] - '0') * 10 + (t[15] - '0');
  int second = (t[17] - '0') * 10 + (t[18] - '0');
  if (!date || hour > 23 || minute > 59 || second > 59) return false;
  size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    size_t start = ++i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i == start) return false;
  }
  if (i == t.size()) return true;
  if (t[i] == 'Z') return i + 1 == t.size();
  if ((t[i] == '+' || t[i] == '-') && t.size() == i + 6 && digits(i + 1, 2) && t[i + 3] == ':' &&
      digits(i + 4, 2)) {
    int tz_hour = (t[i + 1] - '0') * 10 + (t[i + 2] - '0');
    int tz_minute = (t[i + 4] - '0') * 10 + (t[i + 5] - '0');
    return tz_hour <= 14 && tz_minute <= 59;
  }
  return false;
}

bool IsNameChars(std::string_view text) {
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80) continue;  // letters of other scripts are name characters
    if (!IsAlnum(c) && c != '.' && c != '-' && c != '_' && c != ':') return false;
  }
  return true;
}

bool LooksLikeIban(std::string_view s) {
  if (s.size() < 15 || s.size() > 34) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool ok = i < 2 ? (s[i] >= 'A' && s[i] <= 'Z') : i < 4 ? IsDigit(s[i]) : IsAlnum(s[i]);
    if (!ok) return false;
  }
  return true;
}

bool LooksLikeOvt(std::string_view s) {
  if (s.size() < 12 || s.size() > 17 || s.substr(0, 4) != "0037") return false;
  if (!std::all_of(s.begin() + 4, s.begin() + 12, IsDigit)) return false;
  return std::all_of(s.begin() + 12, s.end(), IsAlnum);
}

bool IsIcd(std::string_view s) { return s.size() == 4 && std::all_of(s.begin(), s.end(), IsDigit); }

bool IsUntdidCode(std::string_view s) {
  return !s.empty() && s.size() <= 3 && std::all_of(s.begin(), s.end(), IsUpperAlnum);
}

std::optional<std::string> CheckPaddedFinnishReference(std::string_view reference) {
  size_t zeros = 0;
  while (zeros < reference.size() && reference[zeros] == '0') ++zeros;
  if (zeros > 0 && zeros < reference.size()) return CheckFinnishReference(reference.substr(zeros));
  return CheckFinnishReference(reference);
}

std::string WithoutSpaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

}  // namespace gw::formats::finvoice::internal
