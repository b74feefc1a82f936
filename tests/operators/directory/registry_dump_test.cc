#include "operators/directory/registry_dump.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

namespace gw::operators {
namespace {

using K = RegistryProblemKind;

struct ReadOutcome {
  Status status;
  std::vector<RegistryEntry> entries;
  RegistryDumpStats stats;
};

ReadOutcome ReadStream(std::istream& in) {
  ReadOutcome out;
  out.status = ReadRegistryDump(
      in,
      [&](RegistryEntry&& e) {
        out.entries.push_back(std::move(e));
        return OkStatus();
      },
      &out.stats);
  return out;
}

ReadOutcome ReadText(const std::string& text) {
  std::istringstream in(text);
  return ReadStream(in);
}

ReadOutcome ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return ReadStream(in);
}

// 0037 + 1234567-1 is a valid business id (7*1+9*2+10*3+5*4+8*5+4*6+2*7 = 153, 153 % 11 = 10).
const char kCsv[] =
    "address,operator_id,business_id,name\n"
    "003712345671,003723327487,1234567-1,Mäkinen Oy\n"
    "FI2112345600000785,NDEAFIHH,0112345-9,\"Virtanen, Matti Tmi\"\n";

const char kJson[] =
    "[{\"address\": \"003712345671\", \"operator_id\": \"003723327487\", \"business_id\": \"1234567-1\","
    " \"name\": \"M\\u00e4kinen Oy\"},\n"
    " {\"address\": \"FI21 1234 5600 0007 85\", \"operator_id\": \"NDEAFIHH\", \"business_id\": \"0112345-9\","
    " \"name\": \"Virtanen, Matti Tmi\"}]";

TEST(RegistryDumpTest, CsvAndJsonOfTheSameEntriesReadEqual) {
  ReadOutcome csv = ReadText(kCsv);
  ReadOutcome json = ReadText(kJson);
  ASSERT_TRUE(csv.status) << csv.status.error().ToString();
  ASSERT_TRUE(json.status) << json.status.error().ToString();
  ASSERT_EQ(csv.entries.size(), 2u);
  EXPECT_EQ(csv.entries, json.entries);
  EXPECT_EQ(csv.stats.format, RegistryDumpFormat::kCsv);
  EXPECT_EQ(json.stats.format, RegistryDumpFormat::kJson);
  EXPECT_EQ(csv.entries[0], (RegistryEntry{"003712345671", "0037", "003723327487", "1234567-1", "Mäkinen Oy"}));
  EXPECT_EQ(csv.entries[1], (RegistryEntry{"FI2112345600000785", "IBAN", "NDEAFIHH", "0112345-9",
                                           "Virtanen, Matti Tmi"}));
  EXPECT_EQ(json.stats.problem_count, 0u);
}

TEST(RegistryDumpTest, JsonObjectWithEntriesArraySkipsOtherMembers) {
  ReadOutcome r = ReadText(
      "{\"generated\": {\"at\": [1, 2.5e3, true, null]}, \"entries\": [{\"EInvoiceAddress\": \"003712345671\","
      " \"OperatorId\": \"003723327487\", \"BusinessId\": \"1234567-1\", \"Name\": \"A\"}], \"count\": 1}");
  ASSERT_TRUE(r.status) << r.status.error().ToString();
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_EQ(r.entries[0].address, "003712345671");
  EXPECT_EQ(r.entries[0].name, "A");
}

TEST(RegistryDumpTest, CsvQuotingCrlfBomAndSemicolonsAreRead) {
  ReadOutcome r = ReadText(
      "\xEF\xBB\xBF" "Verkkolaskuosoite;Välittäjätunnus;Y-tunnus;Nimi\r\n"
      "003712345671;003723327487;1234567-1;\"Kauppa \"\"Tähti\"\" Oy\"\r\n"
      "\r\n"
      "\"00370112345912\";DABAFIHH;0112345-9;\"Two\r\nlines; one name\"\r\n"
      "003701123459;003723327487;0112345-9;Last\r\n");
  ASSERT_TRUE(r.status) << r.status.error().ToString();
  ASSERT_EQ(r.entries.size(), 3u);
  EXPECT_EQ(r.entries[0].name, "Kauppa \"Tähti\" Oy");
  EXPECT_EQ(r.entries[1].address, "00370112345912");
  EXPECT_EQ(r.entries[1].name, "Two\r\nlines; one name");
  EXPECT_EQ(r.entries[2].name, "Last");
  EXPECT_EQ(r.stats.rows, 3u);
  EXPECT_EQ(r.stats.problem_count, 0u);
}

TEST(RegistryDumpTest, CsvBadRowsAreReportedWithLineAndFieldAndSkipped) {
  ReadOutcome r = ReadText(
      "address,operator_id,business_id,name,phone\n"             // 1: phone unknown
      "003712345671,003723327487,1234567-1,Good,123\n"           // 2
      ",003723327487,1234567-1,No address,\n"                    // 3: missing address
      "003712345671,003723327487,1234567-2,Bad check,\n"         // 4: bad business id
      "12345,003723327487,1234567-1,Bad address,\n"               // 5: bad address
      "003712345671,0037-2332,1234567-1,Bad operator,\n"         // 6: bad operator id
      "003712345671,003723327487,1234567-1\n"                    // 7: 3 fields
      "003712345671,003723327487,1234567-1,\"x\"y,\n"            // 8: text after quote
      "003712345671,003723327487,1234567-1,\xC4ij\xE4,\n"        // 9: Latin-1 name
      "0037123456719,003723327487,1234567-1,Dup,\n");            // 10: good, duplicate of row 2? no
  ASSERT_TRUE(r.status) << r.status.error().ToString();
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].name, "Good");
  EXPECT_EQ(r.entries[1].address, "0037123456719");
  EXPECT_EQ(r.stats.rows, 9u);
  EXPECT_EQ(r.stats.skipped, 7u);
  EXPECT_EQ(r.stats.problem_count, 8u);
  ASSERT_EQ(r.stats.problems.size(), 8u);
  struct Want { K kind; std::size_t line; std::size_t index; const char* field; const char* text; };
  const Want want[] = {
      {K::kUnknownField, 1, 0, "phone", "unknown column"},
      {K::kMissingField, 3, 1, "address", "missing"},
      {K::kBadBusinessId, 4, 2, "business_id", "expected 1234567-1"},
      {K::kBadAddress, 5, 3, "address", "neither an OVT code"},
      {K::kBadOperatorId, 6, 4, "operator_id", "'0037-2332'"},
      {K::kMalformedRow, 7, 5, "", "3 fields, the header 5"},
      {K::kMalformedRow, 8, 6, "", "after the closing quote"},
      {K::kBadEncoding, 9, 7, "name", "not valid UTF-8"},
  };
  for (std::size_t i = 0; i < std::size(want); ++i) {
    const RegistryDumpProblem& p = r.stats.problems[i];
    SCOPED_TRACE(DescribeProblem(p));
    EXPECT_EQ(p.kind, want[i].kind);
    EXPECT_EQ(p.line, want[i].line);
    EXPECT_EQ(p.index, want[i].index);
    EXPECT_EQ(p.field, want[i].field);
    EXPECT_NE(p.message.find(want[i].text), std::string::npos) << p.message;
  }
  EXPECT_EQ(r.stats.count(K::kMalformedRow), 2u);
  EXPECT_EQ(r.stats.count(K::kUnknownField), 1u);
}

TEST(RegistryDumpTest, JsonBadEntriesAreReportedWithIndexAndSkipped) {
  ReadOutcome r = ReadText(
      "[\n"
      "{\"address\": \"003712345671\", \"operator_id\": \"003723327487\", \"business_id\": \"1234567-1\"},\n"
      "{\"address\": null, \"operator_id\": \"003723327487\", \"business_id\": \"1234567-1\"},\n"
      "{\"address\": \"003712345671\", \"operator_id\": 3723327487, \"business_id\": \"1234567-2\","
      " \"extra\": {\"a\": [1]}},\n"
      "\"not an object\",\n"
      "{\"address\": \"00371234567101\", \"operator_id\": \"DABAFIHH\", \"business_id\": \"1234567-1\"}\n"
      "]\n");
  ASSERT_TRUE(r.status) << r.status.error().ToString();
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[1].address, "00371234567101");
  EXPECT_EQ(r.stats.rows, 5u);
  EXPECT_EQ(r.stats.skipped, 3u);
  ASSERT_EQ(r.stats.problems.size(), 5u);
  struct Want { K kind; std::size_t line; std::size_t index; const char* field; };
  const Want want[] = {
      {K::kMissingField, 3, 1, "address"},
      {K::kMalformedRow, 4, 2, "operator_id"},
      {K::kUnknownField, 4, 2, "extra"},
      {K::kBadBusinessId, 4, 2, "business_id"},
      {K::kMalformedRow, 5, 3, ""},
  };
  for (std::size_t i = 0; i < std::size(want); ++i) {
    const RegistryDumpProblem& p = r.stats.problems[i];
    SCOPED_TRACE(DescribeProblem(p));
    EXPECT_EQ(p.kind, want[i].kind);
    EXPECT_EQ(p.line, want[i].line);
    EXPECT_EQ(p.index, want[i].index);
    EXPECT_EQ(p.field, want[i].field);
  }
}

TEST(RegistryDumpTest, DuplicateAddressesAreAllDeliveredAndCounted) {
  ReadOutcome r = ReadText(
      "address,operator_id,business_id,name\n"
      "003712345671,003723327487,1234567-1,First\n"
      "00371234567101,003723327487,1234567-1,Other\n"
      "0037 1234 5671,DABAFIHH,1234567-1,Last\n");
  ASSERT_TRUE(r.status);
  EXPECT_EQ(r.stats.duplicate_addresses, 1u);
  std::map<std::string, RegistryEntry> by_address;
  for (auto& e : r.entries) by_address[e.address] = e;  // the consumer's upsert: the last wins
  ASSERT_EQ(by_address.size(), 2u);
  EXPECT_EQ(by_address["003712345671"].name, "Last");
  EXPECT_EQ(by_address["003712345671"].operator_id, "DABAFIHH");
}

TEST(RegistryDumpTest, NotADumpIsRefusedNamingWhatWasExpected) {
  const char* inputs[] = {
      "", "   \n", "<?xml version=\"1.0\"?><Registry/>", "id,value\n1,2\n", "\x89PNG\r\n\x1a\n",
      "{\"foo\": 1}", "[1, 2]", "[{\"name\": \"no address\"}]", "address,name\n003712345671,x\n",
      "[{\"address\": \"003712345671\"", "address,address,operator_id,business_id\n",
  };
  for (const char* text : inputs) {
    ReadOutcome r = ReadText(text);
    ASSERT_FALSE(r.status) << "accepted: " << text;
    EXPECT_EQ(r.status.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(r.entries.empty());
  }
  ReadOutcome xml = ReadText("<Registry/>");
  EXPECT_NE(xml.status.error().message().find("address, operator_id, business_id"), std::string::npos)
      << xml.status.error().message();
  EXPECT_NE(xml.status.error().message().find("XML"), std::string::npos);
}

TEST(RegistryDumpTest, CallbackErrorStopsReading) {
  std::istringstream in(kCsv);
  int calls = 0;
  Status s = ReadRegistryDump(
      in,
      [&](RegistryEntry&&) -> Status {
        ++calls;
        return Error::Unavailable("database down");
      },
      nullptr);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "database down");
  EXPECT_EQ(calls, 1);
}

TEST(RegistryDumpTest, BusinessIdCheckDigitIsMod11) {
  struct Case { const char* in; const char* want; };  // want "" = refused
  const Case cases[] = {
      {"1234567-1", "1234567-1"}, {"0112345-9", "0112345-9"}, {"12345671", "1234567-1"},
      {"112345-9", "0112345-9"},  {" 1234567-1 ", "1234567-1"}, {"1234567-2", ""},
      {"1234567", ""}, {"123456a-1", ""}, {"1234567-", ""}, {"0000010-1", ""}, {"0000006-X", ""},
  };
  for (const Case& c : cases) {
    auto r = ParseBusinessId(c.in);
    if (*c.want) {
      ASSERT_TRUE(r) << c.in << ": " << r.error().message();
      EXPECT_EQ(*r, c.want);
    } else {
      EXPECT_FALSE(r) << c.in;
    }
  }
  EXPECT_TRUE(ParseBusinessId("0000001-9"));
  EXPECT_TRUE(ParseBusinessId("0000010-7"));
  EXPECT_FALSE(ParseBusinessId("1234567-2"));
  EXPECT_NE(ParseBusinessId("1234567-2").error().message().find("expected 1234567-1"), std::string::npos);
  EXPECT_FALSE(ParseBusinessId("1234567"));
  EXPECT_FALSE(ParseBusinessId("123456a-1"));
  // 0000004: 4*2 = 8 -> 3; 0000005: 5*2 = 10 -> 1; 0000050: 5*4 = 20, 20 % 11 = 9 -> 2.
  EXPECT_TRUE(ParseBusinessId("0000004-3"));
  EXPECT_TRUE(ParseBusinessId("0000005-1"));
  EXPECT_TRUE(ParseBusinessId("0000050-2"));
  // Remainder 1 (0000006: 12 % 11 = 1) gives no check digit: no id with these digits is valid.
  for (char d = '0'; d <= '9'; ++d) EXPECT_FALSE(ParseBusinessId(std::string("0000006-") + d));
}

TEST(RegistryDumpTest, AddressSchemesAreOvtOrIban) {
  EXPECT_EQ(ParseEinvoiceAddress("003712345671")->scheme, "0037");
  EXPECT_EQ(ParseEinvoiceAddress("0037123456711234x")->address, "0037123456711234X");
  EXPECT_EQ(ParseEinvoiceAddress("fi21 1234 5600 0007 85")->address, "FI2112345600000785");
  EXPECT_EQ(ParseEinvoiceAddress("FI2112345600000785")->scheme, "IBAN");
  EXPECT_FALSE(ParseEinvoiceAddress("FI2212345600000785"));      // mod 97
  EXPECT_FALSE(ParseEinvoiceAddress("003712345672"));            // embedded business id check digit
  EXPECT_FALSE(ParseEinvoiceAddress("00371234567112345X"));      // suffix longer than 5
  EXPECT_FALSE(ParseEinvoiceAddress("0037123456"));              // too short
  EXPECT_FALSE(ParseEinvoiceAddress("TE003712345671"));          // neither
}

// Rows that fill several internal buffers (256 KiB) so that plain and quoted records, CRLF line
// ends and multi-line quoted fields fall across a refill; the problem lines count every line break.
TEST(RegistryDumpTest, CsvRecordsAcrossBufferRefillsReadWithTheirLines) {
  std::string text = "address;operator_id;business_id;name\r\n";
  std::size_t line = 1;
  for (int i = 0; i < 12000; ++i) {
    switch (i % 4) {
      case 0: text += "003712345671;003723327487;1234567-1;Plain " + std::to_string(i) + "\r\n"; break;
      case 1: text += "\"FI21 1234 5600 0007 85\";NDEAFIHH;0112345-9;\"Quoted; " + std::to_string(i) + "\"\r\n"; break;
      case 2: text += "00370112345912;DABAFIHH;0112345-9;\"Two\r\nlines \"\"" + std::to_string(i) + "\"\"\"\r\n"; ++line; break;
      case 3: text += "003712345671;003723327487;1234567-1\n"; break;  // 3 fields: malformed
    }
    ++line;
  }
  text += "003712345671;003723327487;1234567-2;Last";  // no line end; wrong check digit
  ASSERT_GT(text.size(), 2u * (1u << 18));
  ReadOutcome r = ReadText(text);
  ASSERT_TRUE(r.status) << r.status.error().ToString();
  EXPECT_EQ(r.stats.rows, 12001u);
  EXPECT_EQ(r.stats.entries, 9000u);
  EXPECT_EQ(r.stats.skipped, 3001u);
  EXPECT_EQ(r.stats.duplicate_addresses, 9000u - 3u);
  EXPECT_EQ(r.stats.problem_count, 3001u);
  ASSERT_EQ(r.entries.size(), 9000u);
  for (std::size_t k = 0; k < r.entries.size(); k += 3) {
    int i = static_cast<int>(k / 3 * 4);
    ASSERT_EQ(r.entries[k].name, "Plain " + std::to_string(i));
    ASSERT_EQ(r.entries[k + 1].address, "FI2112345600000785");
    ASSERT_EQ(r.entries[k + 1].name, "Quoted; " + std::to_string(i + 1));
    ASSERT_EQ(r.entries[k + 2].name, "Two\r\nlines \"" + std::to_string(i + 2) + "\"");
  }
  // Row 3 (0-based) starts on line 6: the header, rows 0 and 1, row 2 on two lines.
  ASSERT_EQ(r.stats.problems.size(), RegistryDumpStats::kMaxKeptProblems);
  EXPECT_EQ(r.stats.problems[0].line, 6u);
  EXPECT_EQ(r.stats.problems[0].index, 3u);
  EXPECT_EQ(r.stats.problems[0].message, "the row has 3 fields, the header 4");
  EXPECT_EQ(r.stats.problems[99].line, 6u + 99u * 5u);
  EXPECT_EQ(r.stats.problems[99].index, 3u + 99u * 4u);
  EXPECT_EQ(r.stats.count(K::kBadBusinessId), 1u);
  EXPECT_EQ(line, 15001u);
}

TEST(RegistryDumpTest, CsvQuotingEdgeCasesKeepLinesAndMessages) {
  ReadOutcome r = ReadText(
      "address,operator_id,business_id,name\n"                         // 1
      "003712345671,003723327487,1234567-1,\"Multi\n\nline\"\n"        // 2-4
      "003712345671,003723327487,1234567-1,\"\"\"Quoted\"\" start\"\n"  // 5
      "003712345671,003723327487,1234567-1,a\"b\r"                      // 6: a lone CR ends it
      "12345,003723327487,1234567-1,\"x\"\n"                            // 6: bad address
      "\"\"\n"                                                          // 7: an empty line
      "003712345671,003723327487,1234567-1,\"x\" ,\n"                   // 8: text after the quote
      "003712345671,003723327487,\"1234567-1\",\"open\n"                // 9: never closed
      "and on\n");
  ASSERT_TRUE(r.status) << r.status.error().ToString();
  ASSERT_EQ(r.entries.size(), 3u);
  EXPECT_EQ(r.entries[0].name, "Multi\n\nline");
  EXPECT_EQ(r.entries[1].name, "\"Quoted\" start");
  EXPECT_EQ(r.entries[2].name, "a\"b");
  EXPECT_EQ(r.stats.rows, 6u);
  ASSERT_EQ(r.stats.problems.size(), 3u);
  EXPECT_EQ(r.stats.problems[0].line, 6u);
  EXPECT_EQ(r.stats.problems[0].kind, K::kBadAddress);
  EXPECT_EQ(r.stats.problems[1].line, 8u);
  EXPECT_EQ(r.stats.problems[1].message, "text after the closing quote of field 4");
  EXPECT_EQ(r.stats.problems[2].line, 9u);
  EXPECT_EQ(r.stats.problems[2].message, "a quoted field opened at line 9 is not closed");
}

TEST(RegistryDumpTest, RecordsLongerThanOneMebibyteAreRefused) {
  const std::string header = "address,operator_id,business_id,name\n";
  const std::string row = "003712345671,003723327487,1234567-1,Ok\n";
  // Unquoted text is measured when the reader refills its buffer, so a little over 1 MiB may pass.
  for (const std::string& name : {std::string(2 << 20, 'n'), "\"" + std::string(1 << 20, 'q') + "\""}) {
    ReadOutcome r = ReadText(header + row + row + "003712345671,003723327487,1234567-1," + name + "\n" + row);
    ASSERT_FALSE(r.status);
    EXPECT_EQ(r.status.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.status.error().message().find("a record at line 4 is longer than 1 MiB"), std::string::npos)
        << r.status.error().message();
    EXPECT_EQ(r.entries.size(), 2u);
    EXPECT_EQ(r.stats.duplicate_addresses, 1u);
  }
  ReadOutcome fits = ReadText(header + "003712345671,003723327487,1234567-1," + std::string((1 << 20) - 100, 'n') + "\n");
  ASSERT_TRUE(fits.status) << fits.status.error().ToString();
  EXPECT_EQ(fits.entries.size(), 1u);
  ReadOutcome json = ReadText("[{\"address\": \"003712345671\", \"operator_id\": \"003723327487\", \"business_id\": "
                              "\"1234567-1\", \"name\": \"" + std::string((1 << 20) + 1, 'n') + "x\"}]");
  ASSERT_FALSE(json.status);
  EXPECT_NE(json.status.error().message().find("a JSON string is longer than 1 MiB"), std::string::npos);
  ReadOutcome json_fits = ReadText("[{\"address\": \"003712345671\", \"operator_id\": \"003723327487\", \"business_id\": "
                                   "\"1234567-1\", \"name\": \"" + std::string((1 << 20) + 1, 'n') + "\"}]");
  ASSERT_TRUE(json_fits.status) << json_fits.status.error().ToString();
}

// More entries than one chunk of the duplicate count (65,536), and a callback that stops reading.
TEST(RegistryDumpTest, DuplicatesAreCountedAcrossManyEntriesAndWhenStopped) {
  std::string text = "address,operator_id,business_id,name\n";
  for (int i = 0; i < 70000; ++i)
    text += i % 2 == 0 ? "003712345671,003723327487,1234567-1,A\n" : "00370112345912,DABAFIHH,0112345-9,B\n";
  ReadOutcome r = ReadText(text);
  ASSERT_TRUE(r.status);
  EXPECT_EQ(r.stats.entries, 70000u);
  EXPECT_EQ(r.stats.duplicate_addresses, 69998u);
  std::istringstream in(text);
  RegistryDumpStats stats;
  int calls = 0;
  Status s = ReadRegistryDump(
      in, [&](RegistryEntry&&) -> Status { return ++calls == 5 ? Error::Unavailable("stop") : OkStatus(); }, &stats);
  ASSERT_FALSE(s);
  EXPECT_EQ(stats.entries, 5u);
  EXPECT_EQ(stats.duplicate_addresses, 3u);
}

// The callback may take the strings of an entry; the next entry is whole all the same.
TEST(RegistryDumpTest, EntriesAreWholeWhenTheCallbackMovesTheirStrings) {
  std::istringstream in(kCsv);
  std::vector<RegistryEntry> got;
  Status s = ReadRegistryDump(
      in,
      [&](RegistryEntry&& e) {
        got.push_back(std::move(e));
        return OkStatus();
      },
      nullptr);
  ASSERT_TRUE(s);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], (RegistryEntry{"FI2112345600000785", "IBAN", "NDEAFIHH", "0112345-9", "Virtanen, Matti Tmi"}));
}

std::string Generate(const std::string& args, const std::string& out) {
  std::string cmd = std::string("python3 ") + EIGW_SOURCE_DIR + "/scripts/gen_registry_dump.py " + args +
                    " -o " + out + " 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return out;
}

TEST(RegistryDumpTest, GeneratedTenThousandEntryDumpsReadCompletely) {
  std::string dir = ::testing::TempDir();
  ReadOutcome csv = ReadFile(Generate("--format csv --entries 10000 --seed 11", dir + "/rd_test.csv"));
  ReadOutcome json = ReadFile(Generate("--format json --wrap --entries 10000 --seed 11", dir + "/rd_test.json"));
  ASSERT_TRUE(csv.status) << csv.status.error().ToString();
  ASSERT_TRUE(json.status) << json.status.error().ToString();
  EXPECT_EQ(csv.stats.entries, 10000u);
  EXPECT_EQ(csv.entries.size(), 10000u);
  EXPECT_EQ(csv.stats.problem_count, 0u);
  EXPECT_EQ(csv.stats.duplicate_addresses, 0u);
  EXPECT_EQ(json.stats.problem_count, 0u);
  EXPECT_EQ(csv.entries, json.entries);
  std::size_t ibans = 0;
  for (const auto& e : csv.entries) ibans += e.address_scheme == "IBAN";
  EXPECT_GT(ibans, 800u);
  EXPECT_LT(ibans, 1600u);

  // The changed dump differs by exactly 300 additions, changes and removals.
  ReadOutcome changed = ReadFile(Generate("--format csv --base " + dir + "/rd_test.csv --changes 300 --seed 12",
                                          dir + "/rd_test_changed.csv"));
  ASSERT_TRUE(changed.status);
  std::map<std::string, RegistryEntry> before, after;
  for (auto& e : csv.entries) before[e.address] = e;
  for (auto& e : changed.entries) after[e.address] = e;
  int added = 0, modified = 0, removed = 0;
  for (auto& [a, e] : after) {
    auto it = before.find(a);
    if (it == before.end()) ++added;
    else if (!(it->second == e)) ++modified;
  }
  for (auto& [a, e] : before) removed += after.count(a) == 0;
  EXPECT_EQ(added, 100);
  EXPECT_EQ(modified, 100);
  EXPECT_EQ(removed, 100);
}

}  // namespace
}  // namespace gw::operators
