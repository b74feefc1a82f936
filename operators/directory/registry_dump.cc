// The registry dump reader: the rows, their validation and the entry points of registry_dump.h.
// The two syntaxes are registry_dump_csv.cc and registry_dump_json.cc; what the files share is
// registry_dump_input.h.
#include "operators/directory/registry_dump.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "operators/directory/registry_dump_input.h"

namespace gw::operators {
namespace dump {

std::string NormalizeKey(std::string_view key) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    unsigned char c = key[i];
    if (c == 0xC3 && i + 1 < key.size()) {
      unsigned char d = key[++i];
      if (d == 0xA4 || d == 0x84 || d == 0xA5 || d == 0x85) out += 'a';
      if (d == 0xB6 || d == 0x96) out += 'o';
    } else if (IsAlnum(c)) {
      out += static_cast<char>(IsAlpha(c) ? (c | 0x20) : c);
    }
  }
  return out;
}

Field FieldFor(std::string_view raw_key) {
  static const std::pair<std::string_view, Field> kAliases[] = {
      {"address", kAddress}, {"einvoiceaddress", kAddress}, {"invoiceaddress", kAddress},
      {"receiveraddress", kAddress}, {"ediaddress", kAddress}, {"ovt", kAddress},
      {"edicode", kAddress}, {"verkkolaskuosoite", kAddress},
      {"operatorid", kOperator}, {"operator", kOperator}, {"intermediator", kOperator},
      {"intermediatorid", kOperator}, {"serviceid", kOperator}, {"operatorcode", kOperator},
      {"valittajatunnus", kOperator}, {"valittaja", kOperator},
      {"businessid", kBusiness}, {"ytunnus", kBusiness}, {"companyid", kBusiness},
      {"organisationid", kBusiness}, {"organizationid", kBusiness},
      {"name", kName}, {"companyname", kName}, {"receivername", kName}, {"nimi", kName},
      {"yrityksennimi", kName}};
  std::string key = NormalizeKey(raw_key);
  for (const auto& [alias, field] : kAliases)
    if (key == alias) return field;
  return kNone;
}

bool IsValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c < 0x80) { ++i; continue; }
    std::size_t n = c >= 0xF0 && c <= 0xF4 ? 3 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xC2 && c < 0xE0 ? 1 : 0;
    if (n == 0 || i + n >= s.size()) return false;
    std::uint32_t cp = c & (0x3F >> n);
    for (std::size_t k = 1; k <= n; ++k) {
      unsigned char d = s[i + k];
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += n + 1;
  }
  return true;
}

std::string Quote(std::string_view v) {
  bool utf8 = IsValidUtf8(v);
  std::string out = "'";
  for (std::size_t i = 0; i < v.size() && i < 40; ++i) {
    unsigned char c = v[i];
    out += c < 0x20 || (c >= 0x80 && !utf8) ? '?' : static_cast<char>(c);
  }
  return out + (v.size() > 40 ? "...'" : "'");
}

// True when every byte is ASCII: then the text is valid UTF-8 without decoding it.
bool IsAscii(std::string_view s) {
  const char* p = s.data();
  const char* end = p + s.size();
  std::uint64_t any = 0;
  for (; end - p >= 8; p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    any |= word;
  }
  for (; p < end; ++p) any |= static_cast<unsigned char>(*p);
  return (any & 0x8080808080808080ull) == 0;
}

// The mod-11 check of a business id (see ParseBusinessId): `digits` are its first 7 digits.
bool BusinessIdCheckOk(const char* digits, char check) {
  static constexpr int kWeights[7] = {7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 7; ++i) sum += (digits[i] - '0') * kWeights[i];
  int rem = sum % 11;
  return rem != 1 && check == static_cast<char>('0' + (rem == 0 ? 0 : 11 - rem));
}

// The common case of ParseEinvoiceAddress without allocating: true (with `out` and `scheme` set)
// only for an address that ParseEinvoiceAddress accepts with that same result; false means "ask
// ParseEinvoiceAddress", which also words the problem.
bool ParseAddressFast(std::string_view text, std::string& out, std::string& scheme) {
  std::size_t n = text.size();
  if (n < 12 || n > 34) return false;
  char a[34];
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (!IsAlnum(c)) return false;  // also spaces, which ParseEinvoiceAddress removes
    a[i] = ToUpper(c);
  }
  if (a[0] == '0' && a[1] == '0' && a[2] == '3' && a[3] == '7') {
    if (n > 17) return false;
    for (std::size_t i = 4; i < 12; ++i)
      if (!IsDigit(static_cast<unsigned char>(a[i]))) return false;
    if (!BusinessIdCheckOk(a + 4, a[11])) return false;
    out.assign(a, n);
    scheme.assign("0037");
    return true;
  }
  if (IsAlpha(static_cast<unsigned char>(a[0])) && IsAlpha(static_cast<unsigned char>(a[1])) &&
      IsDigit(static_cast<unsigned char>(a[2])) && IsDigit(static_cast<unsigned char>(a[3]))) {
    if (n < 15) return false;
    int mod = 0;  // ISO 13616, as in ParseEinvoiceAddress
    for (std::size_t k = 0; k < n; ++k) {
      char c = a[(k + 4) % n];
      int v = IsDigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'A' + 10;
      mod = v >= 10 ? (mod * 100 + v) % 97 : (mod * 10 + v) % 97;
    }
    if (mod != 1) return false;
    out.assign(a, n);
    scheme.assign("IBAN");
    return true;
  }
  return false;
}

void Sink::Validate(const RowView& row) {
  using K = RegistryProblemKind;
  RegistryEntry& e = entry_;
  e.address.clear();
  e.address_scheme.clear();
  e.operator_id.clear();
  e.business_id.clear();
  e.name.clear();
  std::array<std::string_view, kFieldCount> trimmed;
  for (std::size_t f = 0; f < kFieldCount; ++f) trimmed[f] = Trim(row.values[f]);
  for (int f : {kAddress, kOperator, kBusiness})
    if (!row.invalid[f] && trimmed[f].empty()) RowProblem(K::kMissingField, kFieldNames[f], "missing");
  if (std::string_view a = trimmed[kAddress]; !a.empty() && !ParseAddressFast(a, e.address, e.address_scheme)) {
    auto parsed = ParseEinvoiceAddress(a);
    if (!parsed) {
      RowProblem(K::kBadAddress, "address", parsed.error().message());
    } else {
      e.address = std::move(parsed->address);
      e.address_scheme = std::move(parsed->scheme);
    }
  }
  if (std::string_view o = trimmed[kOperator]; !o.empty()) {
    // Spaces removed, upper-cased; 2..35 letters or digits.
    char id[35];
    std::size_t n = 0;
    bool ok = true;
    for (char c : o) {
      if (c == ' ') continue;
      if (n == sizeof id || !IsAlnum(static_cast<unsigned char>(c))) {
        ok = false;
        break;
      }
      id[n++] = ToUpper(static_cast<unsigned char>(c));
    }
    if (ok && n >= 2) {
      e.operator_id.assign(id, n);
    } else {
      RowProblem(K::kBadOperatorId, "operator_id",
                 "operator id " + Quote(o) +
                     " must be 2 to 35 letters or digits (an OVT-style code like 003723327487 or a BIC)");
    }
  }
  if (std::string_view b = trimmed[kBusiness]; !b.empty()) {
    bool fast = b.size() == 9 && b[7] == '-' && IsDigit(static_cast<unsigned char>(b[8])) &&
                std::all_of(b.begin(), b.begin() + 7, [](char c) { return IsDigit(static_cast<unsigned char>(c)); }) &&
                BusinessIdCheckOk(b.data(), b[8]);
    if (fast) {
      e.business_id.assign(b);
    } else {
      auto parsed = ParseBusinessId(b);
      if (!parsed) RowProblem(K::kBadBusinessId, "business_id", parsed.error().message());
      else e.business_id = std::move(*parsed);
    }
  }
  std::string_view n = trimmed[kName];
  if (!IsAscii(n) && !IsValidUtf8(n)) RowProblem(K::kBadEncoding, "name", "name " + Quote(n) + " is not valid UTF-8");
  else e.name.assign(n);
}

Error NotADump(std::string what) {
  return Error::InvalidArgument("not a registry dump: " + what + "; " + kExpected);
}

Status StreamStatus(const ByteSource& src) {
  if (src.failed()) return Error::Unavailable("registry dump: reading the input failed at line " +
                                              std::to_string(src.line()));
  return OkStatus();
}

}  // namespace dump

using namespace dump;

const char* RegistryProblemKindName(RegistryProblemKind kind) {
  switch (kind) {
    case RegistryProblemKind::kMissingField: return "missing_field";
    case RegistryProblemKind::kBadAddress: return "bad_address";
    case RegistryProblemKind::kBadOperatorId: return "bad_operator_id";
    case RegistryProblemKind::kBadBusinessId: return "bad_business_id";
    case RegistryProblemKind::kBadEncoding: return "bad_encoding";
    case RegistryProblemKind::kMalformedRow: return "malformed_row";
    case RegistryProblemKind::kUnknownField: return "unknown_field";
    case RegistryProblemKind::kCount: break;
  }
  return "unknown";
}

std::string DescribeProblem(const RegistryDumpProblem& p) {
  std::string out = "line " + std::to_string(p.line) + ", entry " + std::to_string(p.index);
  if (!p.field.empty()) out += ", " + p.field;
  return out + ": " + p.message + " (" + RegistryProblemKindName(p.kind) + ")";
}

Status ReadRegistryDump(std::istream& in, const std::function<Status(RegistryEntry&&)>& each,
                        RegistryDumpStats* stats) {
  RegistryDumpStats local;
  RegistryDumpStats& st = stats != nullptr ? *stats : local;
  st = RegistryDumpStats();
  ByteSource src(in);
  if (src.Lookahead(3) == "\xEF\xBB\xBF") {
    for (int i = 0; i < 3; ++i) src.Get();
  }
  while (src.Peek() == ' ' || src.Peek() == '\t' || src.Peek() == '\r' || src.Peek() == '\n') src.Get();
  GW_RETURN_IF_ERROR(StreamStatus(src));
  Sink sink(each, st, stats != nullptr);
  int c = src.Peek();
  if (c < 0) return NotADump("the input is empty");
  if (c == '<') return NotADump("the input looks like XML, which this reader does not read");
  Status status = OkStatus();
  if (c == '[' || c == '{') {
    st.format = RegistryDumpFormat::kJson;
    status = ReadJson(src, sink);
  } else {
    st.format = RegistryDumpFormat::kCsv;
    status = ReadCsv(src, sink);
  }
  sink.Finish();  // duplicate_addresses, also when reading stopped early
  return status;
}

Result<std::string> ParseBusinessId(std::string_view text) {
  std::string id(Trim(text));
  if (id.size() == 8 && id.find('-') == std::string::npos) id.insert(7, "-");  // 12345678
  if (id.size() == 8 && id[6] == '-') id.insert(0, "0");                      // 123456-7 (old)
  bool shape = id.size() == 9 && id[7] == '-' && IsDigit(id[8]);
  for (int i = 0; shape && i < 7; ++i) shape = IsDigit(id[i]);
  if (!shape)
    return Error::InvalidArgument("business id " + Quote(text) + " is not 7 digits, '-' and a check digit");
  static constexpr int kWeights[7] = {7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 7; ++i) sum += (id[i] - '0') * kWeights[i];
  int rem = sum % 11;
  if (rem == 1)
    return Error::InvalidArgument("business id " + id + " is not valid: its digits give no check digit");
  char check = static_cast<char>('0' + (rem == 0 ? 0 : 11 - rem));
  if (id[8] != check)
    return Error::InvalidArgument("business id " + id + " has a wrong check digit: expected " +
                                  id.substr(0, 8) + check);
  return id;
}

Result<EinvoiceAddress> ParseEinvoiceAddress(std::string_view text) {
  std::string a;
  for (char c : text)
    if (c != ' ' && c != '\t') a += ToUpper(static_cast<unsigned char>(c));
  auto alnum = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(static_cast<unsigned char>(c)); });
  };
  if (a.rfind("0037", 0) == 0) {
    std::string_view digits = std::string_view(a).substr(4, 8);
    bool ok = a.size() >= 12 && a.size() <= 17 && alnum(a) &&
              std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!ok)
      return Error::InvalidArgument("OVT code " + Quote(text) +
                                    " must be 0037, the 8 digits of a business id and at most 5 letters or digits");
    auto id = ParseBusinessId(std::string(digits.substr(0, 7)) + "-" + digits[7]);
    if (!id) return Error::InvalidArgument("OVT code " + a + " holds no valid business id: " + id.error().message());
    return EinvoiceAddress{std::move(a), "0037"};
  }
  if (a.size() >= 4 && IsAlpha(a[0]) && IsAlpha(a[1]) && IsDigit(a[2]) && IsDigit(a[3])) {
    bool ok = a.size() >= 15 && a.size() <= 34 && alnum(a);
    if (!ok) return Error::InvalidArgument("IBAN " + Quote(text) + " must be 2 letters, 2 digits and 11 to 30 letters or digits");
    int mod = 0;  // ISO 13616: the first four characters moved to the end, letters as 10..35
    std::string moved = a.substr(4) + a.substr(0, 4);
    for (char c : moved) {
      int v = IsDigit(c) ? c - '0' : c - 'A' + 10;
      mod = v >= 10 ? (mod * 100 + v) % 97 : (mod * 10 + v) % 97;
    }
    if (mod != 1) return Error::InvalidArgument("IBAN " + a + " has a wrong check (ISO 13616 mod 97)");
    return EinvoiceAddress{std::move(a), "IBAN"};
  }
  return Error::InvalidArgument("address " + Quote(text) +
                                " is neither an OVT code (0037 + business id + optional suffix) nor an IBAN");
}

}  // namespace gw::operators
