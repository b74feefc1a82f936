#include "operators/directory/registry_dump.h"

#include "formats/validation/xpath_value.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gw::operators {
namespace {

constexpr std::size_t kBufferSize = 1 << 18;
constexpr std::size_t kBufferPad = 16;  // FindSpecial loads 16 bytes from any buffered position
constexpr std::size_t kMaxRecord = 1 << 20;  // bounds memory on a file that is not a dump
constexpr int kMaxJsonDepth = 64;
constexpr const char* kExpected =
    "expected a CSV file whose header names address, operator_id, business_id and optionally name, "
    "or a JSON array of objects with those fields (or an object with an \"entries\" array)";

// Buffered bytes of an istream with the current line number. Reading one byte at a time through
// istream::get is several times slower than this on a 100 MB dump.
class ByteSource {
 public:
  explicit ByteSource(std::istream& in) : in_(in), buf_(kBufferSize + kBufferPad) {}

  int Peek() { return pos_ < end_ ? static_cast<unsigned char>(buf_[pos_]) : Refill(); }
  int Get() {
    int c = Peek();
    if (c >= 0) {
      ++pos_;
      if (c == '\n') ++line_;
    }
    return c;
  }
  // Appends the buffered bytes up to (not including) the first of `a`, `b`, `c` to `out` and
  // consumes them; 0 when the next byte is one of them or nothing is buffered. The fast path of
  // the CSV reader: most bytes of a dump are plain field text.
  std::size_t AppendRun(std::string& out, char a, char b, char c) {
    const char* begin = buf_.data() + pos_;
    const char* end = buf_.data() + end_;
    const char* p = begin;
    while (p < end && *p != a && *p != b && *p != c) {
      if (*p == '\n') ++line_;
      ++p;
    }
    out.append(begin, p);
    pos_ += static_cast<std::size_t>(p - begin);
    return static_cast<std::size_t>(p - begin);
  }
  // Appends the buffered bytes up to the first '"', '\\' or control byte (at most `max` of them)
  // to `out` and consumes them: the plain run of a JSON string, which holds no line break.
  void AppendJsonRun(std::string& out, std::size_t max) {
    const char* begin = buf_.data() + pos_;
    const char* end = begin + std::min(end_ - pos_, max);
    const char* p = begin;
    while (p < end) {
      unsigned char c = static_cast<unsigned char>(*p);
      if (c == '"' || c == '\\' || c < 0x20) break;
      ++p;
    }
    out.append(begin, p);
    pos_ += static_cast<std::size_t>(p - begin);
  }
  // The buffered bytes from the current position; at least kBufferPad readable bytes follow them.
  const char* data() const { return buf_.data() + pos_; }
  std::size_t buffered() const { return end_ - pos_; }
  // Consumes `n` buffered bytes holding `newlines` line feeds.
  void Consume(std::size_t n, std::size_t newlines) {
    pos_ += n;
    line_ += newlines;
  }
  std::size_t line() const { return line_; }
  bool failed() const { return failed_; }
  // Up to `max` bytes from the current position, not consumed.
  std::string_view Lookahead(std::size_t max) {
    while (end_ - pos_ < max && Fill()) {
    }
    return std::string_view(buf_.data() + pos_, std::min(max, end_ - pos_));
  }

 private:
  bool Fill() {
    if (eof_) return false;
    if (pos_ > 0) {
      std::copy(buf_.begin() + pos_, buf_.begin() + end_, buf_.begin());
      end_ -= pos_;
      pos_ = 0;
    }
    if (end_ == kBufferSize) return false;
    in_.read(buf_.data() + end_, static_cast<std::streamsize>(kBufferSize - end_));
    std::size_t n = static_cast<std::size_t>(in_.gcount());
    if (in_.bad()) failed_ = true;
    if (n == 0) eof_ = true;
    end_ += n;
    return n > 0;
  }
  int Refill() { return Fill() ? static_cast<unsigned char>(buf_[pos_]) : -1; }

  std::istream& in_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0, line_ = 1;
  bool eof_ = false, failed_ = false;
};

// ASCII classes, independent of the C locale (and inlined: they run for every byte of a field).
constexpr bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
constexpr bool IsAlpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr bool IsAlnum(unsigned char c) { return IsDigit(c) || IsAlpha(c); }
constexpr char ToUpper(unsigned char c) { return static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c); }

enum Field { kAddress, kOperator, kBusiness, kName, kFieldCount, kNone = kFieldCount };
constexpr const char* kFieldNames[] = {"address", "operator_id", "business_id", "name"};

// Lower-case ASCII letters and digits only; ä, å -> a and ö -> o, so "Välittäjätunnus" and
// "valittaja_tunnus" are one name.
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

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
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

// The value for a message: at most 40 bytes, control bytes and (in invalid UTF-8) high bytes as '?'.
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

// The 64-bit hashes of the delivered addresses, to count repeats once at the end: sorting them
// costs a fraction of what a hash table probe per entry costs when the table of a million
// addresses does not fit the caches. Fixed chunks: no copying as it grows; 8 bytes per entry,
// and as much again while counting.
class HashLog {
 public:
  void Add(std::uint64_t h) {
    if (size_ % kChunk == 0) chunks_.emplace_back(new std::uint64_t[kChunk]);
    chunks_.back()[size_ % kChunk] = h;
    ++size_;
  }

  // How many hashes an earlier one equals.
  std::uint64_t CountRepeats() {
    if (size_ <= kChunk) return RepeatsIn(chunks_.empty() ? nullptr : chunks_[0].get(), size_);
    // Bucket by the top 16 bits (equal hashes share a bucket), then sort each small bucket.
    std::vector<std::size_t> next((1u << 16) + 1, 0);
    ForEach([&](std::uint64_t h) { ++next[(h >> 48) + 1]; });
    for (std::size_t b = 1; b < next.size(); ++b) next[b] += next[b - 1];
    std::vector<std::size_t> start(next);
    std::unique_ptr<std::uint64_t[]> sorted(new std::uint64_t[size_]);
    ForEach([&](std::uint64_t h) { sorted[next[h >> 48]++] = h; });
    std::uint64_t n = 0;
    for (std::size_t b = 0; b + 1 < start.size(); ++b)
      n += RepeatsIn(sorted.get() + start[b], start[b + 1] - start[b]);
    return n;
  }

 private:
  static constexpr std::size_t kChunk = 1 << 16;

  static std::uint64_t RepeatsIn(std::uint64_t* begin, std::size_t count) {
    std::sort(begin, begin + count);
    std::uint64_t n = 0;
    for (std::size_t i = 1; i < count; ++i) n += begin[i - 1] == begin[i];
    return n;
  }
  template <typename F>
  void ForEach(F&& f) const {
    for (std::size_t i = 0; i < size_; ++i) f(chunks_[i / kChunk][i % kChunk]);
  }

  std::vector<std::unique_ptr<std::uint64_t[]>> chunks_;
  std::size_t size_ = 0;
};

// One row's values, as read (not trimmed); views into the reader's buffer or strings.
struct RowView {
  std::array<std::string_view, kFieldCount> values{};
  std::array<bool, kFieldCount> invalid{};  // already reported (a JSON value that is no string)
};

struct RawRow {
  std::array<std::string, kFieldCount> values;
  std::array<bool, kFieldCount> invalid{};  // already reported (a JSON value that is no string)

  RowView View() const {
    RowView v;
    for (std::size_t f = 0; f < kFieldCount; ++f) v.values[f] = values[f];
    v.invalid = invalid;
    return v;
  }
};

// Validates rows, records problems and counts, and hands valid entries to the callback.
class Sink {
 public:
  Sink(const std::function<Status(RegistryEntry&&)>& each, RegistryDumpStats& stats, bool count_duplicates)
      : each_(each), stats_(stats), count_duplicates_(count_duplicates) {}

  void Problem(RegistryProblemKind kind, std::size_t line, std::size_t index, std::string field,
               std::string message) {
    ++stats_.problem_count;
    ++stats_.by_kind[static_cast<std::size_t>(kind)];
    if (stats_.problems.size() < RegistryDumpStats::kMaxKeptProblems)
      stats_.problems.push_back({kind, line, index, std::move(field), std::move(message)});
  }

  void BeginRow(std::size_t line) {
    line_ = line;
    index_ = stats_.rows++;
    bad_ = false;
  }
  std::size_t index() const { return index_; }
  void RowProblem(RegistryProblemKind kind, std::string field, std::string message) {
    if (kind != RegistryProblemKind::kUnknownField) bad_ = true;
    Problem(kind, line_, index_, std::move(field), std::move(message));
  }

  // Validates `row` (null: the row is malformed, skip it) and delivers it when it has no problem.
  Status EndRow(const RowView* row) {
    if (row != nullptr) Validate(*row);
    if (row == nullptr || bad_) {
      ++stats_.skipped;
      return OkStatus();
    }
    if (count_duplicates_) {
      std::uint64_t h = std::hash<std::string_view>{}(entry_.address);
      hashes_.Add(h == 0 ? 1 : h);  // 0 and 1 were one value in the former hash table
    }
    ++stats_.entries;
    // One entry object for all rows: the callback may move its strings away, Validate refills them.
    return each_(std::move(entry_));
  }

  // Sets stats.duplicate_addresses from the entries delivered so far.
  void Finish() {
    if (count_duplicates_) stats_.duplicate_addresses = hashes_.CountRepeats();
  }

 private:
  void Validate(const RowView& row) {
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

  const std::function<Status(RegistryEntry&&)>& each_;
  RegistryDumpStats& stats_;
  bool count_duplicates_;
  RegistryEntry entry_;
  HashLog hashes_;  // of the delivered addresses
  std::size_t line_ = 0, index_ = 0;
  bool bad_ = false;
};

Error NotADump(std::string what) {
  return Error::InvalidArgument("not a registry dump: " + what + "; " + kExpected);
}

Status StreamStatus(const ByteSource& src) {
  if (src.failed()) return Error::Unavailable("registry dump: reading the input failed at line " +
                                              std::to_string(src.line()));
  return OkStatus();
}

// ---- CSV (RFC 4180) ----

char DetectDelimiter(std::string_view head) {
  std::size_t counts[3] = {0, 0, 0};
  bool quoted = false;
  for (char c : head) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    counts[0] += c == ',';
    counts[1] += c == ';';
    counts[2] += c == '\t';
  }
  if (counts[1] > counts[0] && counts[1] >= counts[2]) return ';';
  if (counts[2] > counts[0] && counts[2] > counts[1]) return '\t';
  return ',';
}

// Reads one record. Returns false at the end of the input. `malformed` says what is wrong with
// the quoting, if anything; `fatal` is set when the record is longer than kMaxRecord.
bool ReadRecord(ByteSource& src, char delim, std::vector<std::string>& fields, std::size_t& count,
                std::string& malformed, std::optional<Error>& fatal) {
  count = 0;
  malformed.clear();
  if (src.Peek() < 0) return false;
  std::size_t total = 0;
  auto next_field = [&]() -> std::string& {
    if (fields.size() <= count) fields.emplace_back();
    std::string& f = fields[count++];
    f.clear();
    return f;
  };
  std::string* field = &next_field();
  for (;;) {
    int c = src.Peek();
    if (c == '"' && field->empty()) {  // a quoted field (RFC 4180 section 2, rules 5-7)
      std::size_t start = src.line();
      src.Get();
      for (;;) {
        total += src.AppendRun(*field, '"', '"', '"');
        if (total > kMaxRecord) {
          fatal = NotADump("a record at line " + std::to_string(start) + " is longer than 1 MiB");
          return true;
        }
        c = src.Get();
        if (c < 0) {
          malformed = "a quoted field opened at line " + std::to_string(start) + " is not closed";
          return true;
        }
        if (c == '"') {
          if (src.Peek() != '"') break;
          src.Get();
        }
        field->push_back(static_cast<char>(c));
        if (++total > kMaxRecord) {
          fatal = NotADump("a record at line " + std::to_string(start) + " is longer than 1 MiB");
          return true;
        }
      }
      c = src.Peek();
      if (c >= 0 && c != delim && c != '\n' && c != '\r' && malformed.empty())
        malformed = "text after the closing quote of field " + std::to_string(count);
    }
    // Unquoted text (or text after a closing quote): up to a delimiter or the end of the line.
    for (;;) {
      total += src.AppendRun(*field, delim, '\n', '\r');
      c = src.Peek();
      if (c < 0) return true;
      src.Get();
      if (c == delim) {
        field = &next_field();
        break;
      }
      if (c == '\n') return true;
      if (c == '\r') {
        if (src.Peek() == '\n') src.Get();
        return true;
      }
      field->push_back(static_cast<char>(c));
      if (++total > kMaxRecord) {
        fatal = NotADump("a record at line " + std::to_string(src.line()) + " is longer than 1 MiB");
        return true;
      }
    }
  }
}

// The first of `delim`, '\n', '\r' and '"' in [p, end), or `end`. May read up to 15 bytes past
// `end` (the buffer is padded).
const char* FindSpecial(const char* p, const char* end, char delim) {
#if defined(__SSE2__)
  const __m128i d = _mm_set1_epi8(delim), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
                quote = _mm_set1_epi8('"');
  for (; p < end; p += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, lf)),
                               _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, quote)));
    if (unsigned bits = static_cast<unsigned>(_mm_movemask_epi8(hit)); bits != 0)
      return std::min(p + __builtin_ctz(bits), end);
  }
  return end;
#else
  while (p < end && *p != delim && *p != '\n' && *p != '\r' && *p != '"') ++p;
  return p;
#endif
}

enum class Split { kRecord, kNeedMore, kSlow };

// The fast path of ReadRecord: splits the record at the start of [begin, end) into `fields` when
// it is plain: fields unquoted, or quoted without "" escapes and line breaks, no quote inside an
// unquoted field. kNeedMore when the record may go on past `end`, kSlow when ReadRecord must read
// it (it words what is wrong, if anything). On kRecord, `size` and `newlines` say what it spans.
Split SplitRecord(const char* begin, const char* end, char delim, std::vector<std::string_view>& fields,
                  std::size_t& size, std::size_t& newlines) {
  fields.clear();
  const char* p = begin;
  for (;;) {
    if (p == end) return Split::kNeedMore;
    const char* s;  // the delimiter or line break after the field
    if (*p == '"') {
      auto* q = static_cast<const char*>(std::memchr(p + 1, '"', static_cast<std::size_t>(end - p - 1)));
      if (q == nullptr || q + 1 == end) return Split::kNeedMore;
      if (std::memchr(p + 1, '\n', static_cast<std::size_t>(q - p - 1)) != nullptr) return Split::kSlow;
      s = q + 1;
      if (*s != delim && *s != '\n' && *s != '\r') return Split::kSlow;  // "" or text after the quote
      fields.emplace_back(p + 1, static_cast<std::size_t>(q - p - 1));
    } else {
      s = FindSpecial(p, end, delim);
      if (s == end) return Split::kNeedMore;
      if (*s == '"') return Split::kSlow;
      fields.emplace_back(p, static_cast<std::size_t>(s - p));
    }
    if (*s == delim) {
      p = s + 1;
      continue;
    }
    if (*s == '\r') {  // CRLF, or a lone CR, ends the record as in ReadRecord
      if (s + 1 == end) return Split::kNeedMore;
      newlines = s[1] == '\n' ? 1 : 0;
      size = static_cast<std::size_t>(s + 1 + newlines - begin);
      return Split::kRecord;
    }
    newlines = 1;
    size = static_cast<std::size_t>(s + 1 - begin);
    return Split::kRecord;
  }
}

// Splits the next record when it lies in the buffer, and consumes it; false when ReadRecord must
// read it. A record that goes on past the buffer is left to ReadRecord, which refills only when
// the buffer is used up: the refills fall where they always did, and with them the points where
// ReadRecord checks the record size limit.
bool SplitBuffered(ByteSource& src, char delim, std::vector<std::string_view>& fields) {
  std::size_t size = 0, newlines = 0;
  if (SplitRecord(src.data(), src.data() + src.buffered(), delim, fields, size, newlines) != Split::kRecord)
    return false;
  src.Consume(size, newlines);
  return true;
}

Status ReadCsv(ByteSource& src, Sink& sink) {
  char delim = DetectDelimiter(src.Lookahead(1 << 16));
  std::vector<std::string> fields;
  std::size_t count = 0;
  std::string malformed;
  std::optional<Error> fatal;
  std::string first_line(src.Lookahead(60));
  first_line = Quote(first_line.substr(0, first_line.find_first_of("\r\n")));
  if (!ReadRecord(src, delim, fields, count, malformed, fatal)) return NotADump("the input is empty");
  if (fatal) return std::move(*fatal);
  std::vector<Field> columns;
  std::array<bool, kFieldCount> have{};
  for (std::size_t i = 0; i < count; ++i) {
    Field f = FieldFor(fields[i]);
    columns.push_back(f);
    if (f == kNone) {
      sink.Problem(RegistryProblemKind::kUnknownField, 1, 0, fields[i], "unknown column, ignored");
    } else if (have[f]) {
      return NotADump("the header names " + std::string(kFieldNames[f]) + " twice");
    }
    if (f != kNone) have[f] = true;
  }
  if (!have[kAddress]) return NotADump("the first line " + first_line + " names no address column");
  for (int f : {kOperator, kBusiness})
    if (!have[f]) return NotADump("the CSV header lacks the " + std::string(kFieldNames[f]) + " column");

  std::vector<std::string_view> values;
  for (;;) {
    std::size_t line = src.line();
    if (SplitBuffered(src, delim, values)) {
      count = values.size();
      malformed.clear();
    } else {
      if (!ReadRecord(src, delim, fields, count, malformed, fatal)) break;
      if (fatal) return std::move(*fatal);
      values.assign(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(count));
    }
    if (count == 1 && values[0].empty() && malformed.empty()) continue;  // an empty line
    sink.BeginRow(line);
    if (!malformed.empty() || count != columns.size()) {
      sink.RowProblem(RegistryProblemKind::kMalformedRow, "",
                      !malformed.empty() ? malformed
                                         : "the row has " + std::to_string(count) +
                                               " fields, the header " + std::to_string(columns.size()));
      GW_RETURN_IF_ERROR(sink.EndRow(nullptr));
      continue;
    }
    RowView row;
    for (std::size_t i = 0; i < count; ++i)
      if (columns[i] != kNone) row.values[columns[i]] = values[i];
    GW_RETURN_IF_ERROR(sink.EndRow(&row));
  }
  return StreamStatus(src);
}

// ---- JSON (RFC 8259), streamed: one entry object in memory at a time ----

class JsonReader {
 public:
  JsonReader(ByteSource& src, Sink& sink) : src_(src), sink_(sink) {}

  Status Read() {
    SkipWs();
    int c = src_.Peek();
    if (c == '[') {
      GW_RETURN_IF_ERROR(ReadEntries());
    } else {  // '{': the entries are one member; the others (a date, a count) are skipped
      src_.Get();
      SkipWs();
      bool found = false;
      if (src_.Peek() == '}') src_.Get();
      else
        for (;;) {
          GW_RETURN_IF_ERROR(ReadKeyColon(key_));
          std::string k = NormalizeKey(key_);
          if (!found && src_.Peek() == '[' &&
              (k == "entries" || k == "data" || k == "items" || k == "records")) {
            found = true;
            GW_RETURN_IF_ERROR(ReadEntries());
          } else {
            GW_RETURN_IF_ERROR(SkipValue(0));
          }
          SkipWs();
          c = src_.Get();
          if (c == '}') break;
          if (c != ',') return Syntax("expected ',' or '}' in the top-level object");
          SkipWs();
        }
      if (!found) return NotADump("the JSON object has no \"entries\" array");
    }
    SkipWs();
    if (src_.Peek() >= 0) return Syntax("unexpected content after the JSON document");
    return OkStatus();
  }

 private:
  Error Syntax(const std::string& what) {
    return Error::InvalidArgument("registry dump: JSON syntax error at line " + std::to_string(src_.line()) +
                                  ": " + what);
  }
  void SkipWs() {
    for (int c = src_.Peek(); c == ' ' || c == '\n' || c == '\r' || c == '\t'; c = src_.Peek()) src_.Get();
  }

  Status ReadEntries() {
    src_.Get();  // '['
    SkipWs();
    if (src_.Peek() == ']') {
      src_.Get();
      return OkStatus();
    }
    for (;;) {
      sink_.BeginRow(src_.line());
      if (src_.Peek() == '{') {
        GW_RETURN_IF_ERROR(ReadEntry());
      } else {
        if (sink_.index() == 0) return NotADump("the first element of the JSON array is not an object");
        sink_.RowProblem(RegistryProblemKind::kMalformedRow, "", "the entry is not a JSON object");
        GW_RETURN_IF_ERROR(SkipValue(1));
        GW_RETURN_IF_ERROR(sink_.EndRow(nullptr));
      }
      SkipWs();
      int c = src_.Get();
      if (c == ']') return OkStatus();
      if (c != ',') return Syntax("expected ',' or ']' after entry " + std::to_string(sink_.index()));
      SkipWs();
    }
  }

  Status ReadEntry() {
    src_.Get();  // '{'
    for (auto& v : row_.values) v.clear();
    row_.invalid = {};
    bool has_address = false;
    SkipWs();
    if (src_.Peek() == '}') {
      src_.Get();
    } else {
      for (;;) {
        GW_RETURN_IF_ERROR(ReadKeyColon(key_));
        Field f = CachedField(key_);
        int c = src_.Peek();
        if (f == kNone) {
          if (unknown_keys_.size() < 100 && unknown_keys_.insert(key_).second)
            sink_.RowProblem(RegistryProblemKind::kUnknownField, key_, "unknown key, ignored");
          GW_RETURN_IF_ERROR(SkipValue(1));
        } else if (c == '"') {
          has_address |= f == kAddress;
          GW_RETURN_IF_ERROR(ReadString(row_.values[f]));
        } else if (c == 'n') {
          has_address |= f == kAddress;
          GW_RETURN_IF_ERROR(SkipValue(1));  // null: absent
        } else {
          sink_.RowProblem(RegistryProblemKind::kMalformedRow, kFieldNames[f], "must be a string");
          row_.invalid[f] = true;
          GW_RETURN_IF_ERROR(SkipValue(1));
        }
        SkipWs();
        c = src_.Get();
        if (c == '}') break;
        if (c != ',') return Syntax("expected ',' or '}' in entry " + std::to_string(sink_.index()));
        SkipWs();
      }
    }
    if (sink_.index() == 0 && !has_address) return NotADump("the first JSON entry has no address field");
    RowView view = row_.View();
    return sink_.EndRow(&view);
  }

  // Most dumps use the same few keys in every entry: remember their fields.
  Field CachedField(const std::string& key) {
    for (const auto& [k, f] : key_cache_)
      if (k == key) return f;
    Field f = FieldFor(key);
    if (key_cache_.size() < 16) key_cache_.emplace_back(key, f);
    return f;
  }

  Status ReadKeyColon(std::string& key) {
    if (src_.Peek() != '"') return Syntax("expected a member name in double quotes");
    GW_RETURN_IF_ERROR(ReadString(key));
    SkipWs();
    if (src_.Get() != ':') return Syntax("expected ':' after \"" + key + "\"");
    SkipWs();
    return OkStatus();
  }


  Result<std::uint32_t> Hex4() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int c = src_.Get();
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return Syntax("bad \\u escape");
      v = v * 16 + static_cast<std::uint32_t>(d);
    }
    return v;
  }

  Status ReadString(std::string& out) {
    out.clear();
    src_.Get();  // '"'
    for (;;) {
      // The plain run at once, stopping where the checks below could fail (at most 1 MiB + 1).
      if (out.size() <= kMaxRecord) src_.AppendJsonRun(out, kMaxRecord + 1 - out.size());
      int c = src_.Get();
      if (c == '"') return OkStatus();
      if (c < 0) return Syntax("a string is not closed");
      if (c < 0x20) return Syntax("a control character in a string");
      if (out.size() > kMaxRecord) return NotADump("a JSON string is longer than 1 MiB");
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      c = src_.Get();
      switch (c) {
        case '"': case '\\': case '/': out += static_cast<char>(c); break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          auto cp = Hex4();
          if (!cp) return std::move(cp).error();
          std::uint32_t v = *cp;
          if (v >= 0xD800 && v <= 0xDBFF && src_.Peek() == '\\') {  // a surrogate pair
            src_.Get();
            if (src_.Get() != 'u') return Syntax("bad escape after a high surrogate");
            auto lo = Hex4();
            if (!lo) return std::move(lo).error();
            v = *lo >= 0xDC00 && *lo <= 0xDFFF ? 0x10000 + ((v - 0xD800) << 10) + (*lo - 0xDC00) : 0xFFFD;
          } else if (v >= 0xD800 && v <= 0xDFFF) {
            v = 0xFFFD;  // a lone surrogate has no UTF-8 form
          }
          formats::validation::AppendCodePoint(out, v);
          break;
        }
        default: return Syntax("bad escape in a string");
      }
    }
  }

  Status SkipValue(int depth) {
    if (depth > kMaxJsonDepth) return NotADump("JSON nested deeper than 64 levels");
    int c = src_.Peek();
    if (c == '"') return ReadString(scratch_);
    if (c == '{' || c == '[') {
      int close = c == '{' ? '}' : ']';
      src_.Get();
      SkipWs();
      if (src_.Peek() == close) {
        src_.Get();
        return OkStatus();
      }
      for (;;) {
        if (close == '}') GW_RETURN_IF_ERROR(ReadKeyColon(scratch_));
        GW_RETURN_IF_ERROR(SkipValue(depth + 1));
        SkipWs();
        c = src_.Get();
        if (c == close) return OkStatus();
        if (c != ',') return Syntax(std::string("expected ',' or '") + static_cast<char>(close) + "'");
        SkipWs();
      }
    }
    for (const char* word : {"true", "false", "null"}) {
      if (c != word[0]) continue;
      for (const char* p = word; *p; ++p)
        if (src_.Get() != *p) return Syntax(std::string("expected ") + word);
      return OkStatus();
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      while ((c = src_.Peek()) >= 0 && std::strchr("+-0123456789.eE", c) != nullptr) src_.Get();
      return OkStatus();
    }
    return Syntax(c < 0 ? "unexpected end of the input" : "unexpected character");
  }

  ByteSource& src_;
  Sink& sink_;
  RawRow row_;
  std::string key_, scratch_;
  std::vector<std::pair<std::string, Field>> key_cache_;
  std::set<std::string> unknown_keys_;
};

}  // namespace

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
    JsonReader json(src, sink);
    status = json.Read();
    if (status) status = StreamStatus(src);
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
