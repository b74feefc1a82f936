// The registry dump reader's CSV syntax (RFC 4180): the header names the columns, each record is
// a row; a record that lies wholly in the buffer is split in one vectorised scan.
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "operators/directory/registry_dump_input.h"

namespace gw::operators::dump {
namespace {

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

}  // namespace

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

}  // namespace gw::operators::dump
