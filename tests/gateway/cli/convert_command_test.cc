#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway/cli/command.h"
#include "tests/gateway/cli/cli_test_util.h"

namespace gw::cli {
namespace {

namespace fs = std::filesystem;

using testing::CliRun;
using testing::Eigw;
using testing::ReadFile;

std::string Example(const char* name) {
  return std::string(EIGW_SOURCE_DIR) + "/docs/examples/" + name;
}


// `xml` with the text of the first element whose start tag is `open_tag` replaced by `text`.
std::string WithElementText(std::string xml, const std::string& open_tag, const std::string& text) {
  size_t start = xml.find(open_tag);
  EXPECT_NE(start, std::string::npos) << open_tag;
  if (start == std::string::npos) return xml;
  start += open_tag.size();
  xml.replace(start, xml.find('<', start) - start, text);
  return xml;
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
      {{"convert", "--from", "xrechnung", "--to", "ubl", "x.xml"}, "unknown format 'xrechnung'"},
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

// UBL -> model -> calculator -> UBL: a document the gateway wrote comes back byte for byte, whether
// the input format is detected (from the content) or given.
TEST_F(ConvertCommandTest, UblConvertsBackToIdenticalUbl) {
  for (const char* example : {"invoice.json", "credit-note.json"}) {
    std::string ubl = (dir_ / (std::string(example) + ".xml")).string();
    CliRun first = Eigw({"convert", "--to", "ubl", Example(example), "-o", ubl});
    ASSERT_EQ(first.code, 0) << first.err;
    CliRun detected = Eigw({"convert", "--to", "ubl", ubl});
    ASSERT_EQ(detected.code, 0) << example << ": " << detected.err;
    EXPECT_EQ(detected.out, ReadFile(ubl)) << example;
    CliRun given = Eigw({"convert", "--from", "ubl", "--to", "ubl", ubl});
    ASSERT_EQ(given.code, 0) << example << ": " << given.err;
    EXPECT_EQ(given.out, detected.out) << example;
  }
}

TEST_F(ConvertCommandTest, InputFormatFollowsContentThenExtension) {
  std::string ubl = (dir_ / "invoice.xml").string();
  ASSERT_EQ(Eigw({"convert", "--to", "ubl", Example("invoice.json"), "-o", ubl}).code, 0);
  std::string json = ReadFile(Example("invoice.json"));
  struct Case {
    const char* file;
    std::string content;
    int code;
    const char* in_err;  // expected in stderr ("" for none)
  } cases[] = {
      {"ubl.txt", ReadFile(ubl), 0, ""},                   // '<': UBL, whatever the name
      {"json-named.xml", json, 0, ""},                     // '{': JSON, whatever the name
      {"bom.xml", "\xEF\xBB\xBF" + ReadFile(ubl), 0, ""},  // a byte order mark is skipped
      {"empty.xml", "", 1, "not well-formed XML"},         // no content: .xml is UBL
      {"garbage.dat", "%PDF-1.4", 1, "JSON"},              // neither: the JSON reader says why
  };
  for (const Case& c : cases) {
    CliRun r = Eigw({"convert", "--to", "ubl", Write(c.file, c.content)});
    EXPECT_EQ(r.code, c.code) << c.file << ": " << r.err;
    EXPECT_NE(r.err.find(c.in_err), std::string::npos) << c.file << ": " << r.err;
  }
}

TEST_F(ConvertCommandTest, FromOverridesDetection) {
  std::string ubl = (dir_ / "invoice.xml").string();
  ASSERT_EQ(Eigw({"convert", "--to", "ubl", Example("invoice.json"), "-o", ubl}).code, 0);
  CliRun r = Eigw({"convert", "--from", "json", "--to", "ubl", ubl});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("json."), std::string::npos) << r.err;  // the JSON reader's finding
}

TEST_F(ConvertCommandTest, UnreadableUblValuesAreListedWithTheirXPath) {
  std::string ubl = (dir_ / "invoice.xml").string();
  ASSERT_EQ(Eigw({"convert", "--to", "ubl", Example("invoice.json"), "-o", ubl}).code, 0);
  std::string bad =
      WithElementText(ReadFile(ubl), "<cbc:PayableAmount currencyID=\"EUR\">", "1.234,50");
  bad = WithElementText(bad, "<cbc:IssueDate>", "31.12.2026");
  std::string out = (dir_ / "out.xml").string();
  CliRun r = Eigw({"convert", "--to", "ubl", Write("bad.xml", bad), "-o", out});
  EXPECT_EQ(r.code, 1);
  for (const char* expected :
       {"the UBL document has 2 unreadable values", "/Invoice/cbc:IssueDate[1]: '31.12.2026'",
        "[ubl.date]", "/Invoice/cac:LegalMonetaryTotal[1]/cbc:PayableAmount[1]: '1.234,50'",
        "[ubl.number]"}) {
    EXPECT_NE(r.err.find(expected), std::string::npos) << expected << " not in: " << r.err;
  }
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ConvertCommandTest, UblAmountsAreCheckedByTheCalculator) {
  std::string ubl = (dir_ / "invoice.xml").string();
  ASSERT_EQ(Eigw({"convert", "--to", "ubl", Example("invoice.json"), "-o", ubl}).code, 0);
  std::string wrong =
      WithElementText(ReadFile(ubl), "<cbc:PayableAmount currencyID=\"EUR\">", "1.00");
  CliRun r = Eigw({"convert", "--to", "ubl", Write("wrong.xml", wrong)});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("the amount due (BT-115) is 1.00 but the gateway computes"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("[calc.mismatch]"), std::string::npos) << r.err;
}

// JSON -> CII -> UBL: the CII input is recognised by its root element; the amounts survive.
TEST_F(ConvertCommandTest, CiiIsWrittenAndReadAndDetected) {
  std::string cii = (dir_ / "invoice-cii.xml").string();
  CliRun to_cii = Eigw({"convert", "--to", "cii", Example("invoice.json"), "-o", cii});
  ASSERT_EQ(to_cii.code, 0) << to_cii.err;
  std::string xml = ReadFile(cii);
  EXPECT_NE(xml.find("<rsm:CrossIndustryInvoice xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\""),
            std::string::npos);
  EXPECT_NE(xml.find("<ram:DuePayableAmount>"), std::string::npos);
  CliRun to_ubl = Eigw({"convert", "--to", "ubl", cii});
  ASSERT_EQ(to_ubl.code, 0) << to_ubl.err;
  CliRun direct = Eigw({"convert", "--to", "ubl", Example("invoice.json")});
  ASSERT_EQ(direct.code, 0);
  // The same document, except that the CII names the EN16931 core specification (BT-24) where the
  // UBL writer names Peppol BIS Billing 3.0 for an invoice without one.
  std::string via_cii = to_ubl.out;
  const std::string core = "<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>";
  size_t at = via_cii.find(core);
  ASSERT_NE(at, std::string::npos) << via_cii;
  via_cii.replace(at, core.size(),
                  "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
                  "</cbc:CustomizationID>");
  EXPECT_EQ(via_cii, direct.out) << "JSON -> CII -> UBL must carry what JSON -> UBL carries";

  // --as-is writes what the document states; it needs a complete document, not ERP JSON.
  std::string changed = WithElementText(xml, "<ram:DuePayableAmount>", "1.00");
  CliRun checked = Eigw({"convert", "--to", "ubl", Write("changed.xml", changed)});
  EXPECT_EQ(checked.code, 1) << checked.err;
  EXPECT_NE(checked.err.find("calc.mismatch"), std::string::npos) << checked.err;
  CliRun as_is = Eigw({"convert", "--as-is", "--to", "ubl", Write("changed2.xml", changed)});
  EXPECT_EQ(as_is.code, 0) << as_is.err;
  EXPECT_NE(as_is.out.find("<cbc:PayableAmount currencyID=\"EUR\">1.00</cbc:PayableAmount>"), std::string::npos);
  EXPECT_EQ(Eigw({"convert", "--as-is", "--to", "cii", Example("invoice.json")}).code, 2);
}

// A term CII cannot hold is a warning on standard error, never dropped in silence.
TEST_F(ConvertCommandTest, TermsCiiCannotHoldAreWarnings) {
  std::string json = ReadFile(std::string(EIGW_SOURCE_DIR) + "/tests/data/json/valid/payment-card.json");
  ASSERT_FALSE(json.empty());
  CliRun r = Eigw({"convert", "--to", "cii", Write("card.json", json)});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: /payment/card/network"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[cii.lost]"), std::string::npos) << r.err;
}

// Unreadable CII values are all listed, with their XPath.
TEST_F(ConvertCommandTest, UnreadableCiiValuesAreListedWithTheirXPath) {
  std::string cii = (dir_ / "invoice-cii.xml").string();
  ASSERT_EQ(Eigw({"convert", "--to", "cii", Example("invoice.json"), "-o", cii}).code, 0);
  std::string xml = WithElementText(ReadFile(cii), "<ram:DuePayableAmount>", "12,50");
  xml = WithElementText(xml, "<udt:DateTimeString format=\"102\">", "2026-11-02");
  CliRun r = Eigw({"convert", "--to", "ubl", Write("bad.xml", xml)});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("[cii.number]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ram:DuePayableAmount[1]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[cii.date]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("format 102"), std::string::npos) << r.err;
}

// The Estonian e-invoice: routing data from --routing and --routing-file, each missing key named,
// the output detected and converted back, and routing refused for a format without it.
TEST_F(ConvertCommandTest, EstonianEInvoiceTakesRoutingData) {
  CliRun missing = Eigw({"convert", "--to", "ee-einvoice", Example("invoice.json")});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("file_id: routing key 'file_id' (Header/FileId) is missing"), std::string::npos)
      << missing.err;
  CliRun contradicting = Eigw({"convert", "--to", "ee-einvoice", "--routing", "file_id=F", "--routing",
                               "reg_number=12345678", "--routing", "seller_reg_number=10137025",
                               Example("invoice.json")});
  EXPECT_EQ(contradicting.code, 1);
  EXPECT_NE(contradicting.err.find("differs from the seller's legal registration identifier (BT-30)"), std::string::npos)
      << contradicting.err;
  const std::string routing = Write("routing.txt", "# file header\nfile_id=F-2026-1\n\nreg_number=12345678\n");
  std::string ee = (dir_ / "invoice-ee.xml").string();
  CliRun to_ee = Eigw({"convert", "--to", "ee-einvoice", "--routing-file", routing, "--routing", "presentment=YES",
                       Example("invoice.json"), "-o", ee});
  ASSERT_EQ(to_ee.code, 0) << to_ee.err;
  const std::string xml = ReadFile(ee);
  EXPECT_NE(xml.find("<FileId>F-2026-1</FileId>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("regNumber=\"12345678\""), std::string::npos);
  EXPECT_NE(xml.find("presentment=\"YES\""), std::string::npos);
  EXPECT_NE(xml.find("<TotalNumberInvoices>1</TotalNumberInvoices>"), std::string::npos);
  CliRun back = Eigw({"convert", "--as-is", "--to", "ubl", ee});  // detected as ee-einvoice
  ASSERT_EQ(back.code, 0) << back.err;
  EXPECT_NE(back.out.find("<cbc:PayableAmount"), std::string::npos);
  CliRun validated = Eigw({"validate", "--schemas", std::string(EIGW_SHARED_DIR) + "/formats", ee});
  EXPECT_EQ(validated.code, 0) << validated.out;
  EXPECT_NE(validated.out.find("[ee-einvoice; xsd+ee-einvoice@1.2]"), std::string::npos) << validated.out;

  // Several invoices of one seller in one file: the Footer counts them; each keeps its attributes.
  const std::string second = Write("second.json", [&] {
    std::string json = ReadFile(Example("invoice.json"));
    const std::string number = "\"number\": \"";
    const size_t at = json.find(number);
    EXPECT_NE(at, std::string::npos) << json.substr(0, 300);
    if (at != std::string::npos) json.insert(at + number.size(), "B-");
    return json;
  }());
  std::string batch = (dir_ / "batch-ee.xml").string();
  CliRun two = Eigw({"convert", "--to", "ee-einvoice", "--routing", "file_id=F-2", Example("invoice.json"), second,
                     "-o", batch});
  EXPECT_EQ(two.code, 1) << two.err;  // the example buyer has no registry code: reg_number is asked per invoice
  EXPECT_NE(two.err.find("invoices/1/reg_number"), std::string::npos) << two.err;
  CliRun one_buyer = Eigw({"convert", "--to", "ee-einvoice", "--routing", "file_id=F-2", "--routing",
                           "reg_number=12345678", Example("invoice.json"), second, "-o", batch});
  EXPECT_EQ(one_buyer.code, 1);
  EXPECT_NE(one_buyer.err.find("routing key 'reg_number' names one invoice or buyer"), std::string::npos) << one_buyer.err;
  // With the buyer's registry code in the invoices themselves, the file is written and valid.
  auto with_buyer_reg = [&](const char* name, const std::string& json) {
    std::string text = json;
    const std::string buyer = "\"name\": \"Baltic Retail SIA\",";
    const size_t at = text.find(buyer);
    EXPECT_NE(at, std::string::npos);
    if (at != std::string::npos) text.insert(at + buyer.size(), " \"legal_registration_id\": {\"id\": \"40003000001\"},");
    return Write(name, text);
  };
  CliRun written = Eigw({"convert", "--to", "ee-einvoice", "--routing", "file_id=F-2",
                         with_buyer_reg("a.json", ReadFile(Example("invoice.json"))),
                         with_buyer_reg("b.json", ReadFile(second)), "-o", batch});
  ASSERT_EQ(written.code, 0) << written.err;
  EXPECT_NE(written.err.find("(2 invoices,"), std::string::npos) << written.err;
  const std::string file = ReadFile(batch);
  EXPECT_NE(file.find("<TotalNumberInvoices>2</TotalNumberInvoices>"), std::string::npos);
  EXPECT_NE(file.find("invoiceId=\"B-INV-2026-1001\""), std::string::npos);
  CliRun batch_valid = Eigw({"validate", "--schemas", std::string(EIGW_SHARED_DIR) + "/formats", batch});
  EXPECT_EQ(batch_valid.code, 0) << batch_valid.out;
  CliRun to_ubl_two = Eigw({"convert", "--to", "ubl", Example("invoice.json"), second});
  EXPECT_EQ(to_ubl_two.code, 2);
  EXPECT_NE(to_ubl_two.err.find("only --to ee-einvoice writes several invoices"), std::string::npos) << to_ubl_two.err;

  CliRun not_pair = Eigw({"convert", "--to", "ee-einvoice", "--routing", "file_id", Example("invoice.json")});
  EXPECT_EQ(not_pair.code, 2);
  EXPECT_NE(not_pair.err.find("'file_id' is not KEY=VALUE"), std::string::npos) << not_pair.err;
  CliRun twice = Eigw({"convert", "--to", "ee-einvoice", "--routing", "file_id=a", "--routing", "file_id=b",
                       Example("invoice.json")});
  EXPECT_EQ(twice.code, 2);
  CliRun to_ubl = Eigw({"convert", "--to", "ubl", "--routing", "file_id=a", Example("invoice.json")});
  EXPECT_EQ(to_ubl.code, 1);
  EXPECT_NE(to_ubl.err.find("format 'ubl' takes no routing data"), std::string::npos) << to_ubl.err;
  CliRun encoding = Eigw({"convert", "--to", "ubl", "--encoding", "ISO-8859-15", Example("invoice.json")});
  EXPECT_EQ(encoding.code, 1);
  EXPECT_NE(encoding.err.find("is written in UTF-8, not ISO-8859-15"), std::string::npos) << encoding.err;
}

// Finvoice: the transmission details from --routing, ISO-8859-15 and the SOAP frame on request;
// the framed file is detected, converted back, and validated (the frame cut off for the schema).
TEST_F(ConvertCommandTest, FinvoiceTakesRoutingEncodingAndEnvelope) {
  CliRun missing = Eigw({"convert", "--to", "finvoice", Example("invoice.json")});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("routing key 'receiver_intermediator' (MessageReceiverDetails/ToIntermediator) is missing"),
            std::string::npos)
      << missing.err;
  std::string fi = (dir_ / "invoice-fi.xml").string();
  CliRun to_fi = Eigw({"convert", "--to", "finvoice", "--routing", "sender_intermediator=HELSFIHH", "--routing",
                       "receiver_intermediator=NDEAFIHH", "--routing", "timestamp=2026-11-27T10:00:00+02:00",
                       "--encoding", "ISO-8859-15", "--envelope", Example("invoice.json"), "-o", fi});
  ASSERT_EQ(to_fi.code, 0) << to_fi.err;
  const std::string xml = ReadFile(fi);
  EXPECT_EQ(xml.rfind("<SOAP-ENV:Envelope", 0), 0u) << xml.substr(0, 200);
  EXPECT_NE(xml.find("<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>"), std::string::npos);
  EXPECT_NE(xml.find("<eb:PartyId>NDEAFIHH</eb:PartyId>"), std::string::npos);
  CliRun back = Eigw({"convert", "--as-is", "--to", "ubl", fi});  // detected as finvoice
  ASSERT_EQ(back.code, 0) << back.err;
  EXPECT_NE(back.out.find("<cbc:PayableAmount"), std::string::npos);
  CliRun validated = Eigw({"validate", "--schemas", std::string(EIGW_SHARED_DIR) + "/formats", fi});
  EXPECT_EQ(validated.code, 0) << validated.out;
  EXPECT_NE(validated.out.find("[finvoice; xsd+finvoice@3.0]"), std::string::npos) << validated.out;
  CliRun encoding = Eigw({"convert", "--to", "finvoice", "--encoding", "UTF-16", Example("invoice.json")});
  EXPECT_EQ(encoding.code, 1);
  EXPECT_NE(encoding.err.find("is written in UTF-8, ISO-8859-15, not UTF-16"), std::string::npos) << encoding.err;
}

TEST_F(ConvertCommandTest, HelpExitsWithZero) {
  CliRun r = Eigw({"convert", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("usage: eigw convert"), std::string::npos);
  EXPECT_NE(r.out.find("--from FORMAT   input format: json (ERP JSON), ubl, cii, ee-einvoice or finvoice"),
            std::string::npos);
  EXPECT_NE(r.out.find("--as-is"), std::string::npos);
  EXPECT_NE(r.out.find("--routing K=V"), std::string::npos);
}

}  // namespace
}  // namespace gw::cli
