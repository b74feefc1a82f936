#include "formats/ubl/ubl_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "formats/calc/calculator.h"
#include "formats/json/json_reader.h"
#include "formats/ubl/ubl_writer.h"
#include "tests/formats/test_invoices.h"

namespace gw::formats::ubl {
namespace {

namespace fs = std::filesystem;

using testing::ReadFile;

// "" when equal, else the first line that differs in both texts, numbered from 1.
std::string FirstDifference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  for (int n = 1;; ++n) {
    bool ga = static_cast<bool>(std::getline(sa, la));
    bool gb = static_cast<bool>(std::getline(sb, lb));
    if (!ga && !gb) return a == b ? "" : "the texts differ in their last byte";
    if (ga != gb || la != lb) {
      return "line " + std::to_string(n) + ":\n  written: " + (ga ? la : "(end of text)") +
             "\n  re-written: " + (gb ? lb : "(end of text)");
    }
  }
}

// The UBL that JSON -> model -> calc::Complete -> WriteInvoice gives for `json`, or "" (with a
// test failure) when any step fails.
std::string UblFromJson(const std::string& json, const std::string& name) {
  auto invoice = json::ReadInvoice(json);
  if (!invoice) {
    ADD_FAILURE() << name << ": " << invoice.error().ToString();
    return "";
  }
  Status completed = calc::Complete(*invoice);
  if (!completed) {
    ADD_FAILURE() << name << ": " << completed.error().ToString();
    return "";
  }
  auto xml = WriteInvoice(*invoice);
  if (!xml) {
    ADD_FAILURE() << name << ": " << xml.error().ToString();
    return "";
  }
  return *xml;
}

std::vector<fs::path> JsonCorpus() {
  std::vector<fs::path> files;
  for (const auto& e :
       fs::directory_iterator(fs::path(EIGW_SOURCE_DIR) / "tests/data/json/valid")) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Every UBL Invoice or CreditNote under ../shared/conformance/examples (the CII files and the
// README are left out by their namespace).
std::vector<fs::path> OfficialUblExamples() {
  std::vector<fs::path> files;
  const fs::path root = fs::path(EIGW_SHARED_DIR) / "conformance/examples";
  if (!fs::exists(root)) return files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::string text = ReadFile(e.path());
    if (text.find("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2") != std::string::npos ||
        text.find("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2") !=
            std::string::npos) {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<model::Invoice> ReadExample(const std::string& relative) {
  return ReadInvoice(ReadFile(fs::path(EIGW_SHARED_DIR) / "conformance/examples" / relative));
}

// A small valid UBL invoice written by the writer, for tests that change one value in it.
std::string SmallUbl(const std::string& extra = "") {
  return UblFromJson(
      gw::testing::InvoiceJson("[" + gw::testing::Line("2", "\"5.25\"") + "]", extra),
      "small invoice");
}

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' is not in the document";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

const Finding* FindingWithRule(const Error& error, const std::string& rule) {
  for (const Finding& f : error.findings()) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

TEST(UblReaderTest, JsonCorpusRoundTripsByteForByte) {
  std::vector<fs::path> corpus = JsonCorpus();
  ASSERT_GE(corpus.size(), 61u);
  int compared = 0;
  for (const fs::path& path : corpus) {
    const std::string name = path.filename().string();
    std::string written = UblFromJson(ReadFile(path), name);
    if (written.empty()) continue;
    auto read = ReadInvoice(written);
    if (!read) {
      ADD_FAILURE() << name << ": the writer's own UBL does not read back:\n"
                    << read.error().ToString();
      continue;
    }
    auto rewritten = WriteInvoice(*read);
    ASSERT_TRUE(rewritten.has_value()) << name;
    std::string difference = FirstDifference(written, *rewritten);
    EXPECT_TRUE(difference.empty()) << name << " differs at " << difference;
    ++compared;
  }
  EXPECT_EQ(compared, static_cast<int>(corpus.size()));
}

// UBL -> UBL through the calculator (what `eigw convert --from ubl --to ubl` does): the declared
// totals, line amounts and VAT breakdown the reader keeps are exactly what the calculator checks.
TEST(UblReaderTest, CompletingAReadDocumentReproducesIt) {
  for (const fs::path& path : JsonCorpus()) {
    const std::string name = path.filename().string();
    std::string written = UblFromJson(ReadFile(path), name);
    if (written.empty()) continue;
    auto read = ReadInvoice(written);
    ASSERT_TRUE(read.has_value()) << name;
    Status completed = calc::Complete(*read);
    if (!completed) {
      ADD_FAILURE() << name << ": " << completed.error().ToString();
      continue;
    }
    auto rewritten = WriteInvoice(*read);
    ASSERT_TRUE(rewritten.has_value()) << name;
    std::string difference = FirstDifference(written, *rewritten);
    EXPECT_TRUE(difference.empty()) << name << " differs at " << difference;
  }
}

TEST(UblReaderTest, ReadsEveryOfficialUblExample) {
  std::vector<fs::path> examples = OfficialUblExamples();
  if (examples.empty()) GTEST_SKIP() << "no examples under " << EIGW_SHARED_DIR;
  EXPECT_GE(examples.size(), 70u);
  for (const fs::path& path : examples) {
    auto invoice = ReadInvoice(ReadFile(path));
    if (!invoice) {
      ADD_FAILURE() << path << ":\n" << invoice.error().ToString();
      continue;
    }
    EXPECT_FALSE(invoice->lines.empty()) << path;
    EXPECT_TRUE(WriteInvoice(*invoice).has_value()) << path;
  }
}

TEST(UblReaderTest, ReadsPeppolBaseExample) {
  if (!fs::exists(EIGW_SHARED_DIR)) GTEST_SKIP();
  auto inv = ReadExample("peppol/examples/base-example.xml");
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  EXPECT_EQ(inv->kind, model::DocumentKind::kInvoice);
  EXPECT_EQ(inv->number, "Snippet1");
  EXPECT_EQ(inv->issue_date, (Date{2017, 11, 13}));
  EXPECT_EQ(inv->seller.name, "SupplierOfficialName Ltd");
  EXPECT_EQ(inv->seller.trading_name, "SupplierTradingName Ltd.");
  EXPECT_EQ(inv->seller.electronic_address.ToString(), "0088:9482348239847239874");
  EXPECT_EQ(inv->seller.vat_id, "GB1232434");
  EXPECT_EQ(inv->buyer.name, "Buyer Official Name");
  ASSERT_TRUE(inv->declared_totals.payable.has_value());
  EXPECT_EQ(inv->declared_totals.payable->ToString(), "1656.25");
  EXPECT_EQ(inv->totals.payable.ToString(), "1656.25");
  EXPECT_EQ(inv->totals.vat_total.ToString(), "331.25");
  ASSERT_EQ(inv->lines.size(), 2u);
  EXPECT_EQ(inv->lines[0].net_amount.ToString(), "2800");
  EXPECT_EQ(inv->lines[1].net_amount.ToString(), "-1500");
  EXPECT_TRUE(inv->lines[1].net_amount_given);
  EXPECT_TRUE(inv->vat_breakdown_given);
}

TEST(UblReaderTest, ReadsPeppolCreditNoteExample) {
  if (!fs::exists(EIGW_SHARED_DIR)) GTEST_SKIP();
  auto inv = ReadExample("peppol/examples/base-creditnote-correction.xml");
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  EXPECT_EQ(inv->kind, model::DocumentKind::kCreditNote);
  EXPECT_EQ(inv->type_code, "381");
  EXPECT_EQ(inv->seller.name, "SupplierOfficialName Ltd");
  EXPECT_EQ(inv->totals.payable.ToString(), "1656.25");
  ASSERT_EQ(inv->lines.size(), 2u);
  EXPECT_EQ(inv->lines[0].net_amount.ToString(), "2800");
}

TEST(UblReaderTest, ReadsTwentyLineExampleExactly) {
  if (!fs::exists(EIGW_SHARED_DIR)) GTEST_SKIP();
  auto inv = ReadExample("en16931/ubl/ubl-tc434-example1.xml");
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  ASSERT_EQ(inv->lines.size(), 20u);
  EXPECT_EQ(inv->lines[0].quantity.ToString(), "2");
  EXPECT_EQ(inv->lines[0].unit, "EA");
  EXPECT_EQ(inv->lines[0].net_amount.ToString(), "19.90");  // the written scale is kept
  EXPECT_EQ(inv->lines[0].price.net.ToString(), "9.95");
  EXPECT_EQ(inv->lines[0].item.sellers_id, "166022");
  EXPECT_EQ(inv->lines[0].vat.code, "S");
  EXPECT_EQ(inv->lines[0].vat.rate->ToString(), "6");
}

TEST(UblReaderTest, SeparatesDocumentAndAccountingCurrencyVatTotals) {
  if (!fs::exists(EIGW_SHARED_DIR)) GTEST_SKIP();
  auto inv = ReadExample("en16931/testfiles/BIS_Billing_30-Valutor i faktura.xml");
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  EXPECT_EQ(inv->currency, "USD");
  EXPECT_EQ(inv->tax_currency, "SEK");
  EXPECT_EQ(inv->totals.vat_total.ToString(), "23000");  // BT-110
  ASSERT_TRUE(inv->totals.vat_total_accounting.has_value());
  EXPECT_EQ(inv->totals.vat_total_accounting->ToString(), "205845.40");  // BT-111
  EXPECT_EQ(inv->totals.payable.ToString(), "115000");
  EXPECT_EQ(inv->vat_breakdown.size(), 1u);
}

TEST(UblReaderTest, KeepsEmbeddedAttachmentAsWritten) {
  if (!fs::exists(EIGW_SHARED_DIR)) GTEST_SKIP();
  auto inv = ReadExample("en16931/ubl/FT G2G_TD01 con Allegato, Bonifico e Split Payment.xml");
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  ASSERT_FALSE(inv->documents.empty());
  ASSERT_TRUE(inv->documents[0].attachment.has_value());
  const model::Attachment& a = *inv->documents[0].attachment;
  EXPECT_EQ(a.mime_code, "application/pdf");
  EXPECT_EQ(a.filename, "mappatura_ubl_sdi.pdf");
  EXPECT_EQ(a.content_base64.rfind("JVBERi0xLjQK", 0), 0u);
}

TEST(UblReaderTest, SepaCreditorIdBecomesDirectDebitTerm) {
  if (!fs::exists(EIGW_SHARED_DIR)) GTEST_SKIP();
  auto inv = ReadExample("peppol/snippets/direct-debit.xml");
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  ASSERT_TRUE(inv->payment.has_value());
  EXPECT_EQ(inv->payment->means_code, "59");
  EXPECT_EQ(inv->payment->remittance_info, "payref2");
  ASSERT_TRUE(inv->payment->direct_debit.has_value());
  EXPECT_EQ(inv->payment->direct_debit->mandate_reference, "123456");
  EXPECT_EQ(inv->payment->direct_debit->creditor_id, "23123687");  // BT-90
  EXPECT_EQ(inv->payment->direct_debit->debited_account, "DK12328462834823");
  ASSERT_EQ(inv->seller.identifiers.size(), 1u);  // BT-29 only; the SEPA one is BT-90
  EXPECT_EQ(inv->seller.identifiers[0].value, "99887766");
}

TEST(UblReaderTest, KeepsElectronicAddressesOfEveryScheme) {
  if (!fs::exists(EIGW_SHARED_DIR)) GTEST_SKIP();
  // EndpointID schemeID="EM" (e-mail) is in the EN16931 EAS list but not in Peppol's: read as
  // stated; the validator judges it (PEPPOL-EN16931-CL008 where the Peppol rules apply).
  auto inv = ReadExample("en16931/ubl/ubl-tc434-example5.xml");
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  EXPECT_EQ(inv->buyer.electronic_address.scheme(), "EM");
  EXPECT_FALSE(inv->buyer.electronic_address.value().empty());
  // A malformed scheme is left out.
  auto bad = ParticipantId::FromDocument("E M", "x@example.com");
  EXPECT_FALSE(bad.has_value());
}

TEST(UblReaderTest, ReadsCreditNoteWithCreditedQuantityAndPaymentDueDate) {
  std::string xml =
      UblFromJson(gw::testing::InvoiceJson("[" + gw::testing::Line("-3", "\"2.50\"") + "]",
                                           R"("type": "credit_note", "due_date": "2026-12-01",
                                  "payment": {"means_code": "30",
                                              "credit_transfer": {"account_id": "EE382200221020145685"}},)"),
                  "credit note");
  ASSERT_NE(xml.find("<cbc:CreditedQuantity unitCode=\"C62\">-3</cbc:CreditedQuantity>"),
            std::string::npos);
  auto inv = ReadInvoice(xml);
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  EXPECT_EQ(inv->kind, model::DocumentKind::kCreditNote);
  ASSERT_EQ(inv->lines.size(), 1u);
  EXPECT_EQ(inv->lines[0].quantity.ToString(), "-3");
  EXPECT_EQ(inv->lines[0].net_amount.ToString(), "-7.50");
  EXPECT_EQ(inv->due_date, (Date{2026, 12, 1}));  // from cac:PaymentMeans/cbc:PaymentDueDate
}

TEST(UblReaderTest, CreditNoteFindingsHaveCreditNotePaths) {
  std::string xml =
      UblFromJson(gw::testing::InvoiceJson("[" + gw::testing::Line("3", "\"2.50\"") + "]",
                                           R"("type": "credit_note",)"),
                  "credit note");
  xml = Replaced(xml, ">3</cbc:CreditedQuantity>", ">3 pieces</cbc:CreditedQuantity>");
  auto r = ReadInvoice(xml);
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().findings().size(), 1u) << r.error().ToString();
  EXPECT_EQ(r.error().findings()[0].location,
            "/CreditNote/cac:CreditNoteLine[1]/cbc:CreditedQuantity[1]");
}

TEST(UblReaderTest, ReadsSubjectCodeOfNotes) {
  std::string xml = Replaced(SmallUbl(), "<cbc:DocumentCurrencyCode>",
                             "<cbc:Note>#AAI#General</cbc:Note><cbc:Note>#no code# here</cbc:Note>"
                             "<cbc:DocumentCurrencyCode>");
  auto inv = ReadInvoice(xml);
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  ASSERT_EQ(inv->notes.size(), 2u);
  EXPECT_EQ(inv->notes[0].subject_code, "AAI");
  EXPECT_EQ(inv->notes[0].text, "General");
  EXPECT_EQ(inv->notes[1].subject_code, "");
  EXPECT_EQ(inv->notes[1].text, "#no code# here");
}

TEST(UblReaderTest, DecodesEntitiesAndCharacterReferences) {
  std::string xml = Replaced(SmallUbl(), "<cbc:DocumentCurrencyCode>",
                             "<cbc:Note>&lt;b&gt; &amp; &#233;&#x20AC; <![CDATA[<&>]]></cbc:Note>"
                             "<cbc:DocumentCurrencyCode>");
  xml = Replaced(xml, "<cbc:ID>T-1</cbc:ID>", "<cbc:ID>R&amp;D &#38; &quot;Co&quot;</cbc:ID>");
  xml = Replaced(xml, "</cac:AccountingCustomerParty>",
                 "</cac:AccountingCustomerParty><cac:PaymentMeans><cbc:PaymentMeansCode "
                 "name=\"Bank &amp; Co &lt;&#38;&gt; &#233; &amp;#38;\">30</cbc:PaymentMeansCode>"
                 "</cac:PaymentMeans>");
  auto inv = ReadInvoice(xml);
  ASSERT_TRUE(inv.has_value()) << inv.error().ToString();
  ASSERT_EQ(inv->notes.size(), 1u);
  EXPECT_EQ(inv->notes[0].text, "<b> & \xC3\xA9\xE2\x82\xAC <&>");
  EXPECT_EQ(inv->number, "R&D & \"Co\"");
  ASSERT_TRUE(inv->payment.has_value());
  EXPECT_EQ(inv->payment->means_text, "Bank & Co <&> \xC3\xA9 &#38;");
}

TEST(UblReaderTest, AcceptsEveryXsdDecimalForm) {
  struct Case {
    const char* text;
    const char* read;
  } cases[] = {
      {"12.20", "12.20"}, {" 12.20\n", "12.20"}, {"+12.2", "12.2"},    {"12.", "12"},
      {".5", "0.5"},      {"-.5", "-0.5"},       {"0012.20", "12.20"},
  };
  for (const Case& c : cases) {
    std::string xml = Replaced(SmallUbl(), ">12.81</cbc:PayableAmount>",
                               std::string(">") + c.text + "</cbc:PayableAmount>");
    auto inv = ReadInvoice(xml);
    ASSERT_TRUE(inv.has_value()) << c.text << ": " << inv.error().ToString();
    EXPECT_EQ(inv->declared_totals.payable->ToString(), c.read) << c.text;
  }
}

TEST(UblReaderTest, RejectsWrongRoot) {
  struct Case {
    const char* xml;
    const char* message;
  } cases[] = {
      {"<rsm:CrossIndustryInvoice xmlns:rsm=\"urn:un:unece:uncefact:data:standard:"
       "CrossIndustryInvoice:100\"/>",
       "the root element is CrossIndustryInvoice in namespace"},
      {"<Invoice><cbc:ID xmlns:cbc=\"x\">1</cbc:ID></Invoice>",
       "the root element Invoice is without a namespace"},
      {"<CreditNote xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>",
       "the root element CreditNote is in namespace "
       "'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'"},
  };
  for (const Case& c : cases) {
    auto r = ReadInvoice(c.xml);
    ASSERT_FALSE(r.has_value()) << c.xml;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    ASSERT_EQ(r.error().findings().size(), 1u) << c.xml;
    const Finding& f = r.error().findings()[0];
    EXPECT_EQ(f.rule, "ubl.root");
    EXPECT_NE(f.message.find(c.message), std::string::npos) << f.message;
  }
}

TEST(UblReaderTest, BadDecimalIsLocatedByXPath) {
  std::string xml =
      Replaced(SmallUbl(), ">12.81</cbc:PayableAmount>", ">12,81</cbc:PayableAmount>");
  auto r = ReadInvoice(xml);
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().findings().size(), 1u) << r.error().ToString();
  const Finding& f = r.error().findings()[0];
  EXPECT_EQ(f.rule, "ubl.number");
  EXPECT_EQ(f.location, "/Invoice/cac:LegalMonetaryTotal[1]/cbc:PayableAmount[1]");
  EXPECT_NE(f.message.find("'12,81' is not a decimal number"), std::string::npos) << f.message;
}

TEST(UblReaderTest, RejectsExponentAndOverlongNumbers) {
  for (const char* text : {"1.2e3", "1234567890123456789012345678901234567890", "NaN", "", "-"}) {
    std::string xml = Replaced(SmallUbl(), ">2</cbc:InvoicedQuantity>",
                               std::string(">") + text + "</cbc:InvoicedQuantity>");
    auto r = ReadInvoice(xml);
    ASSERT_FALSE(r.has_value()) << text;
    const Finding* f = FindingWithRule(r.error(), "ubl.number");
    ASSERT_NE(f, nullptr) << text << ": " << r.error().ToString();
    EXPECT_EQ(f->location, "/Invoice/cac:InvoiceLine[1]/cbc:InvoicedQuantity[1]");
  }
}

TEST(UblReaderTest, BadDateSaysHowToWriteIt) {
  struct Case {
    const char* date;
    const char* message;
  } cases[] = {
      {"2026-02-30", "is not a calendar date"},
      {"02.11.2026", "write the date as YYYY-MM-DD"},
      {"2026-11-02+02:00", "has a time zone"},
  };
  for (const Case& c : cases) {
    std::string xml = Replaced(SmallUbl(), "<cbc:IssueDate>2026-11-02</cbc:IssueDate>",
                               std::string("<cbc:IssueDate>") + c.date + "</cbc:IssueDate>");
    auto r = ReadInvoice(xml);
    ASSERT_FALSE(r.has_value()) << c.date;
    ASSERT_EQ(r.error().findings().size(), 1u) << r.error().ToString();
    const Finding& f = r.error().findings()[0];
    EXPECT_EQ(f.rule, "ubl.date");
    EXPECT_EQ(f.location, "/Invoice/cbc:IssueDate[1]");
    EXPECT_NE(f.message.find(c.message), std::string::npos) << f.message;
  }
}

TEST(UblReaderTest, MissingIssueDateIsReported) {
  auto r = ReadInvoice(Replaced(SmallUbl(), "<cbc:IssueDate>2026-11-02</cbc:IssueDate>", ""));
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().findings().size(), 1u) << r.error().ToString();
  EXPECT_EQ(r.error().findings()[0].rule, "ubl.required");
  EXPECT_EQ(r.error().findings()[0].location, "/Invoice");
}

TEST(UblReaderTest, CollectsEveryFindingInDocumentOrder) {
  std::string xml = SmallUbl();
  xml = Replaced(xml, "<cbc:IssueDate>2026-11-02</cbc:IssueDate>",
                 "<cbc:IssueDate>soon</cbc:IssueDate>");
  xml = Replaced(xml, ">12.81</cbc:PayableAmount>", ">lots</cbc:PayableAmount>");
  xml = Replaced(xml, ">2</cbc:InvoicedQuantity>", ">two</cbc:InvoicedQuantity>");
  xml = Replaced(xml, "<cac:TaxTotal>",
                 "<cac:AllowanceCharge><cbc:ChargeIndicator>maybe</cbc:ChargeIndicator>"
                 "</cac:AllowanceCharge><cac:TaxTotal>");
  auto r = ReadInvoice(xml);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "the UBL document has 4 unreadable values");
  std::vector<std::string> locations;
  for (const Finding& f : r.error().findings()) locations.push_back(f.rule + " " + f.location);
  EXPECT_EQ(locations, (std::vector<std::string>{
                           "ubl.date /Invoice/cbc:IssueDate[1]",
                           "ubl.boolean /Invoice/cac:AllowanceCharge[1]/cbc:ChargeIndicator[1]",
                           "ubl.number /Invoice/cac:LegalMonetaryTotal[1]/cbc:PayableAmount[1]",
                           "ubl.number /Invoice/cac:InvoiceLine[1]/cbc:InvoicedQuantity[1]",
                       }));
}

TEST(UblReaderTest, DoctypeIsRefusedByTheParser) {
  std::string xml =
      Replaced(SmallUbl(), "<Invoice ",
               "<!DOCTYPE Invoice [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<Invoice ");
  auto r = ReadInvoice(xml);
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().findings().size(), 1u);
  EXPECT_EQ(r.error().findings()[0].rule, "xml.doctype");
}

TEST(UblReaderTest, MalformedXmlIsASyntaxError) {
  auto r =
      ReadInvoice("<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">");
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().findings().size(), 1u);
  EXPECT_EQ(r.error().findings()[0].rule, "xml.syntax");
}

TEST(UblReaderTest, IgnoresElementsTheModelHasNoPlaceFor) {
  std::string xml =
      Replaced(SmallUbl(), "<cbc:DocumentCurrencyCode>",
               "<cbc:UUID>not-a-term</cbc:UUID><cbc:LineCountNumeric>x</cbc:LineCountNumeric>"
               "<foo:Bar xmlns:foo=\"urn:example\">?</foo:Bar><cbc:DocumentCurrencyCode>");
  auto r = ReadInvoice(xml);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  auto rewritten = WriteInvoice(*r);
  ASSERT_TRUE(rewritten.has_value());
  std::string difference = FirstDifference(SmallUbl(), *rewritten);
  EXPECT_TRUE(difference.empty()) << difference;
}

}  // namespace
}  // namespace gw::formats::ubl
