// The parts of the registry dump reader that its files share (registry_dump.cc: rows, their
// validation and the entry points; registry_dump_csv.cc; registry_dump_json.cc). Not for other
// code: operators/directory/registry_dump.h is the reader's interface.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "operators/directory/registry_dump.h"

namespace gw::operators::dump {

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
std::string NormalizeKey(std::string_view key);
// The field a column or key names (its aliases, any case, Finnish letters folded), or kNone.
Field FieldFor(std::string_view raw_key);

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value for a message: at most 40 bytes, control bytes and (in invalid UTF-8) high bytes as '?'.
std::string Quote(std::string_view v);

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
  // Checks `row` and fills entry_ (registry_dump.cc).
  void Validate(const RowView& row);

  const std::function<Status(RegistryEntry&&)>& each_;
  RegistryDumpStats& stats_;
  bool count_duplicates_;
  RegistryEntry entry_;
  HashLog hashes_;  // of the delivered addresses
  std::size_t line_ = 0, index_ = 0;
  bool bad_ = false;
};

Error NotADump(std::string what);
// An error when reading the input failed.
Status StreamStatus(const ByteSource& src);

// The two syntaxes: every row of the input to `sink`.
Status ReadCsv(ByteSource& src, Sink& sink);
Status ReadJson(ByteSource& src, Sink& sink);

}  // namespace gw::operators::dump
