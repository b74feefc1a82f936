// The invalid ERP JSON corpus: every file of tests/data/json/invalid/ breaks one documented rule of
// docs/formats/json.md and must be rejected, by the reader (json::ReadInvoice) or, when the
// reader accepts it, by the calculator (calc::Complete). EXPECTED.tsv lists, one row per
// finding, what the rejection must contain:
//
//   file <TAB> JSON pointer (empty for the whole document) <TAB> message substring
//
// A row matches a finding whose location equals the pointer and whose message contains the
// substring, compared case-insensitively. Lines starting with '#' are comments.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "formats/calc/calculator.h"
#include "formats/json/json_reader.h"
#include "tests/formats/test_invoices.h"

namespace gw::formats::json {
namespace {

namespace fs = std::filesystem;

struct ExpectedFinding {
  int row = 0;  // line number in EXPECTED.tsv
  std::string location;
  std::string substring;
};

fs::path CorpusDir() { return fs::path(EIGW_SOURCE_DIR) / "tests" / "data" / "json" / "invalid"; }

using testing::ReadFile;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<fs::path> InvalidFiles() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(CorpusDir())) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// EXPECTED.tsv by file name; malformed rows are reported through `errors`.
std::map<std::string, std::vector<ExpectedFinding>> ReadExpected(std::vector<std::string>& errors) {
  std::map<std::string, std::vector<ExpectedFinding>> expected;
  std::ifstream in(CorpusDir() / "EXPECTED.tsv");
  if (!in) {
    errors.push_back("cannot read " + (CorpusDir() / "EXPECTED.tsv").string());
    return expected;
  }
  std::string line;
  int row = 0;
  while (std::getline(in, line)) {
    ++row;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::string::size_type start = 0;
    while (true) {
      std::string::size_type tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (fields.size() != 3 || fields[0].empty() || fields[2].empty()) {
      errors.push_back("EXPECTED.tsv line " + std::to_string(row) +
                       ": expected 'file<TAB>pointer<TAB>substring', found '" + line + "'");
      continue;
    }
    expected[fields[0]].push_back(ExpectedFinding{row, fields[1], fields[2]});
  }
  return expected;
}

// Reads and, if the reader accepts the text, completes the invoice; returns the first error.
std::optional<Error> Reject(const std::string& text) {
  auto invoice = ReadInvoice(text);
  if (!invoice.has_value()) return invoice.error();
  Status completed = calc::Complete(*invoice);
  if (!completed.has_value()) return completed.error();
  return std::nullopt;
}

std::string Describe(const Error& error) {
  std::string out;
  for (const Finding& f : error.findings()) {
    out += "    [" + f.rule + "] '" + f.location + "': " + f.message + "\n";
  }
  return out.empty() ? "    (no findings) " + error.ToString() + "\n" : out;
}

TEST(JsonInvalidCorpusTest, EveryFileIsRejectedWithItsExpectedFindings) {
  std::vector<std::string> errors;
  const auto expected = ReadExpected(errors);
  for (const std::string& e : errors) ADD_FAILURE() << e;

  const std::vector<fs::path> files = InvalidFiles();
  ASSERT_GE(files.size(), 25u) << "too few invalid inputs in " << CorpusDir();
  for (const fs::path& path : files) {
    const std::string name = path.filename().string();
    SCOPED_TRACE(name);
    std::optional<Error> error = Reject(ReadFile(path));
    if (!error) {
      ADD_FAILURE() << name << " was accepted by the reader and the calculator";
      continue;
    }
    EXPECT_EQ(error->code(), ErrorCode::kInvalidArgument) << error->ToString();
    auto rows = expected.find(name);
    if (rows == expected.end()) continue;  // reported by EveryInvalidFileHasExpectations
    for (const ExpectedFinding& want : rows->second) {
      const std::string needle = Lower(want.substring);
      bool found = std::any_of(error->findings().begin(), error->findings().end(),
                               [&](const Finding& f) {
                                 return f.location == want.location &&
                                        Lower(f.message).find(needle) != std::string::npos;
                               });
      EXPECT_TRUE(found) << name << " (EXPECTED.tsv line " << want.row << "): no finding at '"
                         << want.location << "' whose message contains '" << want.substring
                         << "'; the findings are:\n"
                         << Describe(*error);
    }
  }
}

TEST(JsonInvalidCorpusTest, EveryInvalidFileHasExpectations) {
  std::vector<std::string> errors;
  const auto expected = ReadExpected(errors);
  for (const std::string& e : errors) ADD_FAILURE() << e;

  std::set<std::string> names;
  for (const fs::path& path : InvalidFiles()) {
    const std::string name = path.filename().string();
    names.insert(name);
    EXPECT_TRUE(expected.count(name) == 1 && !expected.at(name).empty())
        << name << " has no row in EXPECTED.tsv";
  }
  for (const auto& [name, rows] : expected) {
    EXPECT_EQ(names.count(name), 1u)
        << "EXPECTED.tsv line " << rows.front().row << " names " << name
        << ", which is not a .json file of " << CorpusDir();
  }
}

}  // namespace
}  // namespace gw::formats::json
