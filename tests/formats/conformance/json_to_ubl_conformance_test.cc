// Conformance of the json -> ubl conversion against the official validation artefacts.
//
// Converts every ERP JSON invoice of tests/data/json/valid/ with gw::formats::Convert into a
// fresh temporary folder and checks the whole batch with ONE call of the conformance oracle
// (../shared/conformance/validate: UBL 2.1 XSD + EN16931 Schematron + Peppol BIS 3.0 Schematron,
// Peppol rules forced with --peppol always). One call, because every call pays ~2 s of JVM start
// and Schematron compilation.
//
// Skipped when java or Saxon-HE is not installed (the test script installs default-jre-headless,
// libsaxonhe-java and libxml2-utils, so in CI they exist).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "formats/json/json_reader.h"
#include "formats/registry/builtin.h"
#include "formats/registry/format_registry.h"
#include "tests/formats/test_invoices.h"

namespace gw::formats {
namespace {

namespace fs = std::filesystem;

using testing::ReadFile;

bool WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

std::vector<std::string> Split(const std::string& line, char sep) {
  std::vector<std::string> fields;
  std::string::size_type start = 0;
  while (true) {
    std::string::size_type end = line.find(sep, start);
    fields.push_back(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return fields;
}

std::string Quoted(const fs::path& path) { return "'" + path.string() + "'"; }

// "/*:Invoice[namespace-uri()='urn:...'][1]/*:AccountingSupplierParty[namespace-uri()=...][1]"
// -> "/Invoice[1]/AccountingSupplierParty[1]": the oracle's XPath without namespace tests.
std::string ShortXPath(std::string xpath) {
  for (std::string::size_type at; (at = xpath.find("[namespace-uri()='")) != std::string::npos;) {
    std::string::size_type end = xpath.find("']", at);
    if (end == std::string::npos) break;
    xpath.erase(at, end + 2 - at);
  }
  for (std::string::size_type at; (at = xpath.find("*:")) != std::string::npos;) xpath.erase(at, 2);
  return xpath;
}

// Runs `command` through the shell; returns its exit status (-1 if it could not run) and stdout.
int RunCommand(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// The oracle's prerequisites, or a reason to skip.
std::string MissingPrerequisite(const fs::path& validate) {
  if (!fs::exists(validate)) return "no conformance oracle at " + validate.string();
  if (std::system("command -v java >/dev/null 2>&1") != 0) {
    return "java not found (apt-get install default-jre-headless)";
  }
  const char* saxon_env = std::getenv("SAXON_JAR");
  fs::path saxon = saxon_env != nullptr && *saxon_env != '\0' ? fs::path(saxon_env)
                                                              : fs::path("/usr/share/java/Saxon-HE.jar");
  if (!fs::exists(saxon)) return "Saxon-HE not found at " + saxon.string() + " (apt-get install libsaxonhe-java)";
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) {
    return "xmllint not found (apt-get install libxml2-utils)";
  }
  return "";
}

struct ValidatedFile {
  std::string status;  // PASS or FAIL
  std::string type;    // ubl-invoice, ubl-creditnote, ...
  std::vector<std::string> fatal;  // "rule [location]: message" of every fatal finding
};

TEST(JsonToUblConformanceTest, EveryValidJsonInvoiceConvertsToConformantPeppolUbl) {
  const fs::path source_dir = EIGW_SOURCE_DIR;
  const fs::path shared_dir = EIGW_SHARED_DIR;
  const fs::path corpus = source_dir / "tests" / "data" / "json" / "valid";
  const fs::path validate = shared_dir / "conformance" / "validate";
  if (std::string why = MissingPrerequisite(validate); !why.empty()) GTEST_SKIP() << why;

  std::vector<fs::path> inputs;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  ASSERT_GE(inputs.size(), 40u) << "too few valid invoices in " << corpus;

  std::string dir_template = (fs::temp_directory_path() / "eigw-conformance-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir_template.data()), nullptr) << "cannot create a temporary folder";
  const fs::path out_dir = dir_template;

  FormatRegistry registry;
  ASSERT_TRUE(RegisterBuiltinFormats(registry).has_value());

  // Convert everything first; a file that does not convert is a failure of its own.
  std::map<std::string, bool> credit_note;  // output file name -> the JSON is a credit note
  int converted = 0;
  for (const fs::path& input : inputs) {
    const std::string name = input.filename().string();
    const std::string text = ReadFile(input);
    auto xml = Convert(registry, "json", "ubl", text);
    if (!xml.has_value()) {
      ADD_FAILURE() << name << " does not convert:\n" << xml.error().ToString();
      continue;
    }
    auto invoice = json::ReadInvoice(text);
    ASSERT_TRUE(invoice.has_value()) << name;
    const bool is_credit_note = invoice->kind == model::DocumentKind::kCreditNote;
    const std::string root = is_credit_note ? "<CreditNote" : "<Invoice";
    EXPECT_NE(xml->find(root), std::string::npos)
        << name << ": expected the UBL root element " << root << ">";
    const std::string out_name = input.stem().string() + ".xml";
    ASSERT_TRUE(WriteFile(out_dir / out_name, *xml)) << "cannot write " << (out_dir / out_name);
    credit_note[out_name] = is_credit_note;
    ++converted;
  }
  ASSERT_GT(converted, 0);

  // One oracle run over the whole batch.
  const fs::path stderr_log = out_dir / "validate.stderr";
  std::string tsv;
  const std::string command = Quoted(validate) + " --peppol always -q --format tsv " +
                              Quoted(out_dir) + " 2>" + Quoted(stderr_log);
  const int status = RunCommand(command, tsv);
  ASSERT_TRUE(status == 0 || status == 1)
      << "the oracle failed (exit " << status << "): " << command << "\n"
      << tsv << ReadFile(stderr_log);

  std::map<std::string, ValidatedFile> results;  // by file name
  std::istringstream lines(tsv);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> f = Split(line, '\t');
    if (f.size() >= 4 && f[0] == "FILE") {
      ValidatedFile& v = results[fs::path(f[1]).filename().string()];
      v.status = f[2];
      v.type = f[3];
    } else if (f.size() >= 7 && f[0] == "FINDING" && f[3] == "fatal") {
      std::string message = f[6].substr(0, 300);
      results[fs::path(f[1]).filename().string()].fatal.push_back(f[4] + " at " + ShortXPath(f[5]) +
                                                                   ": " + message);
    }
  }

  EXPECT_EQ(results.size(), static_cast<std::size_t>(converted))
      << "the oracle checked a different number of files than were converted\n"
      << tsv << ReadFile(stderr_log);
  EXPECT_GE(results.size(), 40u);

  std::ostringstream failures;
  int failed = 0;
  for (const auto& [name, v] : results) {
    auto cn = credit_note.find(name);
    if (cn != credit_note.end()) {
      EXPECT_EQ(v.type, cn->second ? "ubl-creditnote" : "ubl-invoice") << name;
    }
    if (v.status == "PASS") continue;
    ++failed;
    failures << "FAIL " << name << " [" << v.type << "]\n";
    for (const std::string& finding : v.fatal) failures << "    " << finding << "\n";
    if (v.fatal.empty()) failures << "    (no fatal Schematron finding: XSD or parse error, see the TSV)\n";
  }
  EXPECT_EQ(failed, 0) << failed << " of " << results.size()
                       << " converted invoices are not Peppol BIS 3.0 conformant (outputs kept in "
                       << out_dir << "):\n"
                       << failures.str();
  for (const auto& [name, v] : results) {
    if (v.status != "PASS" && v.fatal.empty()) {
      ADD_FAILURE() << "oracle output for the failing files:\n" << tsv;
      break;
    }
  }

  if (!HasFailure()) {
    std::error_code ignored;
    fs::remove_all(out_dir, ignored);
  }
}

}  // namespace
}  // namespace gw::formats
