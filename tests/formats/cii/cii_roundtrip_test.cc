// Round trips through the model on every real UBL and CII sample of ../shared: UBL -> model -> UBL,
// CII -> model -> CII, UBL -> CII -> UBL and CII -> UBL -> CII keep every business term value
// (the models are compared, not the bytes), except the terms the CII writer reports as lost.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "formats/cii/cii_reader.h"
#include "formats/cii/cii_writer.h"
#include "formats/ubl/ubl_reader.h"
#include "formats/ubl/ubl_writer.h"
#include "tests/formats/model_dump.h"
#include "tests/formats/test_invoices.h"

namespace gw::formats {
namespace {

namespace fs = std::filesystem;

enum class Syntax { kUbl, kCii };

struct Sample {
  std::string path;
  Syntax syntax;
};

// UBL Invoice/CreditNote and CII documents under the sample folders (envelopes and test sets
// excluded); Factur-X only in its EN16931 and BASIC profiles.
std::vector<Sample> Samples() {
  const std::string shared = EIGW_SHARED_DIR;
  std::vector<Sample> out;
  for (const char* dir : {"conformance/examples", "formats/xrechnung/testsuite", "formats/facturx-zugferd/samples/en16931",
                          "formats/facturx-zugferd/samples/basic", "formats/ro-cius/samples"}) {
    fs::path root = fs::path(shared) / dir;
    if (!fs::is_directory(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".xml") continue;
      std::string text = testing::ReadFile(entry.path());
      std::string head = text.substr(0, 4096);
      if (head.find("StandardBusinessDocument") != std::string::npos) continue;
      if (cii::LooksLikeCii(text)) {
        out.push_back({entry.path().string(), Syntax::kCii});
      } else if (head.find("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2") != std::string::npos ||
                 head.find("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2") != std::string::npos) {
        out.push_back({entry.path().string(), Syntax::kUbl});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Sample& a, const Sample& b) { return a.path < b.path; });
  return out;
}

Result<model::Invoice> Read(Syntax s, const std::string& text, std::vector<Finding>* losses) {
  return s == Syntax::kCii ? cii::ReadInvoice(text, losses) : ubl::ReadInvoice(text);
}

Result<std::string> Write(Syntax s, const model::Invoice& inv, std::vector<Finding>* losses) {
  return s == Syntax::kCii ? cii::WriteInvoice(inv, losses) : ubl::WriteInvoice(inv);
}

std::vector<std::string> PathsOf(const std::vector<Finding>& losses) {
  std::vector<std::string> out;
  for (const Finding& f : losses) out.push_back(f.location);
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size() && i < 20; ++i) out += "\n    " + lines[i];
  if (lines.size() > 20) out += "\n    ... " + std::to_string(lines.size() - 20) + " more";
  return out;
}

// `via` and back to the sample's syntax; every step must succeed and the models must agree.
void CheckRoundTrip(const Sample& sample, const model::Invoice& original, Syntax via, size_t& checked) {
  std::vector<Finding> losses;
  // The writers name the specification and process (BT-24, BT-23) when the invoice has none.
  if (original.specification_id.empty()) losses.push_back(Finding{"default", {}, "/specification_id", ""});
  if (original.business_process.empty()) losses.push_back(Finding{"default", {}, "/business_process", ""});
  auto written = Write(via, original, &losses);
  ASSERT_TRUE(written.has_value()) << sample.path << ": " << written.error().ToString();
  auto reread = Read(via, *written, nullptr);
  ASSERT_TRUE(reread.has_value()) << sample.path << ": " << reread.error().ToString();
  std::vector<std::string> diff = testing::DiffModels(original, *reread, PathsOf(losses));
  EXPECT_TRUE(diff.empty()) << sample.path << " via " << (via == Syntax::kCii ? "CII" : "UBL") << ":" << Join(diff);
  auto back = Write(sample.syntax, *reread, &losses);
  ASSERT_TRUE(back.has_value()) << sample.path << ": " << back.error().ToString();
  auto again = Read(sample.syntax, *back, nullptr);
  ASSERT_TRUE(again.has_value()) << sample.path << ": " << again.error().ToString();
  diff = testing::DiffModels(original, *again, PathsOf(losses));
  EXPECT_TRUE(diff.empty()) << sample.path << " via " << (via == Syntax::kCii ? "CII" : "UBL") << " and back:" << Join(diff);
  ++checked;
}

TEST(CiiRoundTripTest, EverySampleKeepsEveryBusinessTerm) {
  std::vector<Sample> samples = Samples();
  size_t ubl = 0, cii = 0, checked = 0;
  for (const Sample& s : samples) (s.syntax == Syntax::kCii ? cii : ubl) += 1;
  ASSERT_GT(ubl, 100u);
  ASSERT_GT(cii, 50u);
  for (const Sample& sample : samples) {
    std::vector<Finding> read_losses;
    auto original = Read(sample.syntax, testing::ReadFile(sample.path), &read_losses);
    if (!original) {
      ADD_FAILURE() << sample.path << " does not read: " << original.error().ToString();
      continue;
    }
    CheckRoundTrip(sample, *original, sample.syntax, checked);
    CheckRoundTrip(sample, *original, sample.syntax == Syntax::kCii ? Syntax::kUbl : Syntax::kCii, checked);
  }
  EXPECT_EQ(checked, 2 * samples.size());
  std::printf("round trips: %zu UBL and %zu CII samples, each through both syntaxes\n", ubl, cii);
}

}  // namespace
}  // namespace gw::formats
