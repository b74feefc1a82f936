// The evaluator's shortcuts (EvalScalar: arithmetic, sums, casts, string functions, the rule
// set's functions, computed without sequences; steps read from groups of nodes; remembered sums)
// against the general evaluation: every document must get the very same findings both ways,
// locations and messages included, also where a rule raises a dynamic error (a value that is not
// a number, two nodes where one is expected).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "formats/validation/validator.h"

namespace gw::formats::validation {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), {});
}

std::string Describe(const Report& r) {
  std::string out;
  for (const Finding& f : r.findings) {
    out += f.rule + " " + (f.severity == Finding::Severity::kFatal ? "fatal" : "warning") + " " + f.location + " " +
           f.message + "\n";
  }
  return out;
}

// Validates `xml` with both rule sets, shortcuts on and off; the findings must be equal.
// Returns how many findings there were.
size_t ExpectSameFindings(const std::string& xml, const std::string& name) {
  ValidateOptions on;
  on.rules = {"en16931-ubl", "peppol-bis3"};
  ValidateOptions off = on;
  off.shortcuts = false;
  auto a = Validate(xml, on);
  auto b = Validate(xml, off);
  EXPECT_EQ(a.has_value(), b.has_value()) << name;
  if (!a || !b) return 0;
  EXPECT_EQ(Describe(*a), Describe(*b)) << name;
  return a->findings.size();
}

// The UBL documents of the official examples and of the country formats' samples.
std::vector<fs::path> UblSamples() {
  std::vector<fs::path> out;
  for (const char* dir : {"conformance/examples", "formats"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(EIGW_SHARED_DIR) / dir)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".xml") continue;
      std::string head = Read(entry.path()).substr(0, 2000);
      if (head.find("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2") == std::string::npos &&
          head.find("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2") == std::string::npos) {
        continue;
      }
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(EvaluationShortcutsTest, SameFindingsOnEveryUblSample) {
  size_t documents = 0, findings = 0;
  for (const fs::path& path : UblSamples()) {
    findings += ExpectSameFindings(Read(path), path.string());
    ++documents;
  }
  EXPECT_GT(documents, 60u);
  EXPECT_GT(findings, 0u);  // some samples break rules: the failing side is compared too
}

// Every document of the official rule unit tests (each breaks or meets one rule on purpose).
TEST(EvaluationShortcutsTest, SameFindingsOnTheOfficialRuleUnitTests) {
  size_t documents = 0;
  for (const char* dir : {"conformance/tests/en16931", "conformance/tests/peppol"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(EIGW_SHARED_DIR) / dir)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".xml") continue;
      const std::string text = Read(entry.path());
      for (const char* root : {"Invoice", "CreditNote"}) {
        const std::string open = std::string("<") + root + " ", close = std::string("</") + root + ">";
        for (size_t at = text.find(open); at != std::string::npos; at = text.find(open, at + 1)) {
          size_t end = text.find(close, at);
          if (end == std::string::npos) break;
          ExpectSameFindings(text.substr(at, end + close.size() - at), entry.path().string());
          ++documents;
        }
      }
    }
  }
  EXPECT_GT(documents, 500u);
}

// Mutants of the official examples made to reach the shortcuts' edges: values that are not
// numbers, numbers with many digits, empty values, codes that are not in the code lists,
// repeated elements (two nodes where the rules expect one), removed elements.
TEST(EvaluationShortcutsTest, SameFindingsOnMutatedValues) {
  const std::vector<std::string> values = {"abc", "", " 12.5 ", "1e3", "-0.5", "99999999999999999999999999999999999.99",
                                           "0", "INF", "12.345678", "-1", "NaN", "1.", ".5"};
  std::mt19937 random(20261128);
  size_t mutants = 0, with_findings = 0;
  for (const fs::path& path : UblSamples()) {
    if (path.string().find("conformance/examples") == std::string::npos) continue;
    const std::string text = Read(path);
    // The simple elements with a value: <cbc:Name ...>value</cbc:Name>.
    std::vector<std::pair<size_t, size_t>> leaves;  // start of the start tag, end of the end tag
    for (size_t at = text.find("<cbc:"); at != std::string::npos; at = text.find("<cbc:", at + 1)) {
      size_t gt = text.find('>', at), name_end = text.find_first_of(" >/", at + 1);
      if (gt == std::string::npos || text[gt - 1] == '/') continue;
      std::string close = "</" + text.substr(at + 1, name_end - at - 1) + ">";
      size_t end = text.find(close, gt);
      if (end == std::string::npos || text.find('<', gt + 1) != end) continue;
      leaves.emplace_back(at, end + close.size());
    }
    ASSERT_FALSE(leaves.empty()) << path;
    for (int i = 0; i < 16; ++i) {
      auto [start, end] = leaves[random() % leaves.size()];
      const std::string element = text.substr(start, end - start);
      std::string mutant = text;
      switch (random() % 4) {
        case 3: {  // another attribute value (currencyID, unitCode, schemeID: the code lists)
          size_t quote = element.find("=\"");
          if (quote == std::string::npos || quote > element.find('>')) continue;
          size_t close = element.find('"', quote + 2);
          static const char* kCodes[] = {"eur", "EUR EUR", "", " EUR ", "XXX", "C62", "0088", "EUR"};
          std::string changed = element.substr(0, quote + 2) + kCodes[random() % 8] + element.substr(close);
          mutant.replace(start, end - start, changed);
          break;
        }
        case 0: {  // another value
          size_t gt = element.find('>'), lt = element.rfind('<');
          std::string changed = element.substr(0, gt + 1) + values[random() % values.size()] + element.substr(lt);
          mutant.replace(start, end - start, changed);
          break;
        }
        case 1: mutant.insert(end, element); break;  // twice
        default: mutant.erase(start, end - start);     // gone
      }
      if (ExpectSameFindings(mutant, path.string() + " mutant " + std::to_string(i)) > 0) ++with_findings;
      ++mutants;
    }
  }
  EXPECT_GT(mutants, 300u);
  EXPECT_GT(with_findings, mutants / 4);
}

}  // namespace
}  // namespace gw::formats::validation
