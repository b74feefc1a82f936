#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway/cli/command.h"

namespace gw::cli {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun Eigw(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = RunEigw(args, out, err);
  return {code, out.str(), err.str()};
}

std::string Example(const char* name) {
  return std::string(EIGW_SOURCE_DIR) + "/docs/examples/" + name;
}

class ConvertCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("eigw-cli-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const char* name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

TEST_F(ConvertCommandTest, ConvertsExampleInvoiceToUblFile) {
  std::string out = (dir_ / "out.xml").string();
  CliRun r = Eigw({"convert", "--to", "ubl", Example("invoice.json"), "-o", out});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream f(out);
  std::string xml((std::istreambuf_iterator<char>(f)), {});
  EXPECT_NE(xml.find("<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\""),
            std::string::npos);
  EXPECT_NE(xml.find("<cbc:PayableAmount currencyID=\"EUR\">"), std::string::npos);
  EXPECT_NE(r.err.find("wrote"), std::string::npos);
  EXPECT_FALSE(fs::exists(out + ".tmp"));
}

TEST_F(ConvertCommandTest, CreditNoteBecomesUblCreditNote) {
  CliRun r = Eigw({"convert", "--to", "ubl", Example("credit-note.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("<CreditNote xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\""),
            std::string::npos);
  EXPECT_NE(r.out.find("<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>"), std::string::npos);
  EXPECT_NE(r.out.find("<cac:CreditNoteLine>"), std::string::npos);
}

TEST_F(ConvertCommandTest, SameInputGivesIdenticalOutput) {
  CliRun a = Eigw({"convert", "--to", "ubl", Example("invoice.json")});
  CliRun b = Eigw({"convert", "--to", "ubl", Example("invoice.json")});
  ASSERT_EQ(a.code, 0);
  EXPECT_EQ(a.out, b.out);
}

TEST_F(ConvertCommandTest, UsageErrorsExitWithTwo) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  } cases[] = {
      {{"convert", "--to", "ubl", "--frobnicate", "x.json"}, "unknown option '--frobnicate'"},
      {{"convert", "x.json"}, "missing --to"},
      {{"convert", "--to", "ubl"}, "missing INPUT"},
      {{"convert", "--to"}, "--to needs a value"},
      {{"convert", "--to", "pdf", "x.json"}, "unknown format 'pdf'"},
      {{"convert", "--to", "ubl", "a.json", "b.json"}, "more than one input"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{}, "usage: eigw"},
  };
  for (const Case& c : cases) {
    CliRun r = Eigw(c.args);
    EXPECT_EQ(r.code, 2) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << "stderr was: " << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST_F(ConvertCommandTest, MissingFileExitsWithThree) {
  CliRun r = Eigw({"convert", "--to", "ubl", (dir_ / "nope.json").string()});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("cannot read"), std::string::npos);
  EXPECT_NE(r.err.find("No such file"), std::string::npos);
}

TEST_F(ConvertCommandTest, InvalidInvoiceListsEveryProblemAndWritesNothing) {
  std::string in = Write("bad.json", R"({"number": "1", "issue_date": "2026-13-01",
    "currency": "EURO", "seller": {}, "lines": []})");
  std::string out = (dir_ / "out.xml").string();
  CliRun r = Eigw({"convert", "--to", "ubl", in, "-o", out});
  EXPECT_EQ(r.code, 1);
  for (const char* expected : {"/issue_date", "/currency", "/seller/name", "/buyer", "/lines",
                               "'EURO' is not a valid ISO 4217"}) {
    EXPECT_NE(r.err.find(expected), std::string::npos) << expected << " not in: " << r.err;
  }
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ConvertCommandTest, HelpExitsWithZero) {
  CliRun r = Eigw({"convert", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("usage: eigw convert"), std::string::npos);
}

}  // namespace
}  // namespace gw::cli
