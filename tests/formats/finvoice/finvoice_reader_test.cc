// The Finvoice reader and writer on small documents built here: encodings and their mismatches,
// hostile input, unreadable values, credit note signs, refusals and losses of the writer.
#include "formats/finvoice/finvoice_reader.h"
#include "formats/finvoice/finvoice_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "formats/calc/calculator.h"
#include "formats/finvoice/finvoice_writer.h"
#include "formats/json/json_reader.h"
#include "tests/formats/model_dump.h"

namespace gw::formats::finvoice {
namespace {

// A Finnish invoice: 2 x 50.00 at 25.5 %, a Finnish reference, an IBAN.
std::string InvoiceJson(const std::string& extra = "", const std::string& item_name = "Lamppu ä") {
  return R"({
  "number": "FI-2026-1", "issue_date": "2026-11-02", "due_date": "2026-11-16", "currency": "EUR",
  "buyer_reference": "Työmaa 7",)" +
         extra + R"(
  "seller": {"name": "Myyjä Oy", "vat_id": "FI15728600",
             "electronic_address": {"id": "003715728600", "scheme": "0216"},
             "address": {"line1": "Teollisuuskatu 21", "city": "Helsinki", "postal_code": "00510",
                         "country": "FI"}},
  "buyer": {"name": "Ostaja Oy", "vat_id": "FI24681015",
            "electronic_address": {"id": "003724681015", "scheme": "0216"},
            "address": {"line1": "Hämeenkatu 2", "city": "Tampere", "postal_code": "33100",
                        "country": "FI"}},
  "payment": {"means_code": "58", "remittance_info": "1232",
              "credit_transfer": {"account_id": "FI2112345600000785", "bank_id": "NDEAFIHH",
                                  "account_name": "Myyjä Oy"}},
  "lines": [{"quantity": "2", "unit": "C62", "price": "50.00", "vat_category": "S",
             "vat_rate": "25.5",
             "item": {"name": ")" +
         item_name + R"("}}]
})";
}

model::Invoice Invoice(const std::string& json) {
  auto invoice = json::ReadInvoice(json);
  EXPECT_TRUE(invoice.has_value()) << invoice.error().ToString();
  if (!invoice) return {};
  EXPECT_TRUE(calc::Complete(*invoice).has_value());
  return *invoice;
}

Transmission Routing() {
  Transmission t;
  t.sender_address = "003715728600";
  t.sender_address_scheme = "0216";
  t.sender_intermediator = "003701011385";
  t.receiver_address = "003724681015";
  t.receiver_address_scheme = "0216";
  t.receiver_intermediator = "NDEAFIHH";
  t.message_id = "FI-2026-1";
  t.timestamp = "2026-11-02T10:00:00+02:00";
  return t;
}

std::string Write(const model::Invoice& inv, const std::string& encoding = "UTF-8",
                  std::vector<Finding>* losses = nullptr) {
  auto written = WriteInvoice(inv, Routing(), WriteOptions{encoding, false}, losses);
  EXPECT_TRUE(written.has_value()) << written.error().ToString();
  return written ? *written : std::string();
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' not in the document";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

bool HasFinding(const Error& e, const std::string& rule, const std::string& text) {
  return std::any_of(e.findings().begin(), e.findings().end(), [&](const Finding& f) {
    return f.rule == rule && f.message.find(text) != std::string::npos;
  });
}

TEST(FinvoiceReaderTest, ReadsUtf8AndLatin9Alike) {
  model::Invoice inv = Invoice(InvoiceJson());
  std::string utf8 = Write(inv), latin9 = Write(inv, "ISO-8859-15");
  EXPECT_NE(utf8.find("Lamppu \xC3\xA4"), std::string::npos);
  EXPECT_NE(latin9.find("Lamppu \xE4"), std::string::npos);  // one byte in Latin-9
  auto a = ReadInvoice(utf8), b = ReadInvoice(latin9);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->encoding, "UTF-8");
  EXPECT_EQ(b->encoding, "ISO-8859-15");
  EXPECT_EQ(testing::DumpModel(a->invoice), testing::DumpModel(b->invoice));
  EXPECT_EQ(a->invoice.lines[0].item.name, "Lamppu \xC3\xA4");
}

TEST(FinvoiceReaderTest, EncodingDeclarationMustMatchTheBytes) {
  model::Invoice inv = Invoice(InvoiceJson());
  const std::string latin9 = Write(inv, "ISO-8859-15"), utf8 = Write(inv);
  struct Case {
    const char* name;
    std::string text;
    const char* expected;  // in the finding's message
  };
  const Case cases[] = {
      {"Latin-9 bytes declared UTF-8",
       Replace(latin9, "encoding=\"ISO-8859-15\"", "encoding=\"UTF-8\""),
       "is UTF-8 (declared 'UTF-8'), but the byte 0xE4"},
      {"Latin-9 bytes without a declaration (UTF-8)", latin9.substr(latin9.find('\n') + 1),
       "no encoding declared"},
      {"UTF-8 bytes declared ISO-8859-15",
       Replace(utf8, "encoding=\"UTF-8\"", "encoding=\"ISO-8859-15\""),
       "declares ISO-8859-15, but its text is UTF-8: the bytes 0xC3 0xA4"},
      {"a C1 control byte under ISO-8859-15", Replace(latin9, "Lamppu \xE4", "Lamppu \x80\xE4"),
       "C1 control code"},
      {"an encoding Finvoice does not use",
       Replace(utf8, "encoding=\"UTF-8\"", "encoding=\"windows-1252\""),
       "Finvoice documents are UTF-8 or ISO-8859-15"},
  };
  for (const Case& c : cases) {
    auto read = ReadInvoice(c.text);
    ASSERT_FALSE(read.has_value()) << c.name;
    ASSERT_EQ(read.error().findings().size(), 1u) << c.name;
    const Finding& f = read.error().findings()[0];
    EXPECT_EQ(f.rule, "finvoice.encoding") << c.name;
    EXPECT_NE(f.message.find(c.expected), std::string::npos) << c.name << ": " << f.message;
    if (std::string(c.name).find("Finvoice does not") == std::string::npos) {
      EXPECT_NE(f.message.find("offset"), std::string::npos) << c.name << ": " << f.message;
      EXPECT_NE(f.message.find("(line "), std::string::npos) << c.name << ": " << f.message;
    }
  }
}

TEST(FinvoiceReaderTest, HostileInputIsRefusedByTheParser) {
  const std::string doctype =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE Finvoice [<!ENTITY x SYSTEM "
      "\"file:///etc/passwd\">]>\n<Finvoice "
      "Version=\"3.0\"><InvoiceDetails><InvoiceNumber>&x;</InvoiceNumber></InvoiceDetails></"
      "Finvoice>";
  const std::string bomb =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE Finvoice [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
      "\"&a;&a;&a;&a;&a;&a;\">]>\n<Finvoice Version=\"3.0\">&b;</Finvoice>";
  for (const std::string& text : {doctype, bomb}) {
    auto read = ReadInvoice(text);
    ASSERT_FALSE(read.has_value());
    ASSERT_FALSE(read.error().findings().empty());
    EXPECT_EQ(read.error().findings()[0].rule, "xml.doctype") << read.error().ToString();
    std::vector<Finding> rules = CheckRules(text);
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_EQ(rules[0].rule, "xml.doctype");
  }
}

TEST(FinvoiceReaderTest, EveryUnreadableValueIsReported) {
  std::string text = Write(Invoice(InvoiceJson()));
  text = Replace(text, "<InvoiceDate Format=\"CCYYMMDD\">20261102</InvoiceDate>",
                 "<InvoiceDate Format=\"CCYYMMDD\">2026-11-02</InvoiceDate>");
  text = Replace(text, ">125,50</InvoiceTotalVatIncludedAmount>",
                 ">1.255,0</InvoiceTotalVatIncludedAmount>");
  text = Replace(text, "<InvoiceNumber>FI-2026-1</InvoiceNumber>", "");
  auto read = ReadInvoice(text);
  ASSERT_FALSE(read.has_value());
  std::vector<std::string> rules;
  for (const Finding& f : read.error().findings()) rules.push_back(f.rule + " " + f.location);
  EXPECT_EQ(rules,
            (std::vector<std::string>{
                "finvoice.required /Finvoice/InvoiceDetails[1]",
                "finvoice.date /Finvoice/InvoiceDetails[1]/InvoiceDate[1]",
                "finvoice.number /Finvoice/InvoiceDetails[1]/InvoiceTotalVatIncludedAmount[1]"}))
      << read.error().ToString();
  EXPECT_TRUE(HasFinding(read.error(), "finvoice.date", "CCYYMMDD"));
  EXPECT_TRUE(HasFinding(read.error(), "finvoice.number", "decimal comma"));
}

TEST(FinvoiceReaderTest, CreditNoteIsWrittenNegativeAndReadBackPositive) {
  model::Invoice inv = Invoice(InvoiceJson(R"( "type": "credit_note",)"));
  ASSERT_EQ(inv.kind, model::DocumentKind::kCreditNote);
  std::string text = Write(inv);
  EXPECT_NE(text.find(">INV02</InvoiceTypeCode>"), std::string::npos);
  EXPECT_NE(text.find(">-125,50</InvoiceTotalVatIncludedAmount>"), std::string::npos);
  EXPECT_NE(text.find(">-2</InvoicedQuantity>"), std::string::npos);
  EXPECT_NE(text.find(">50,00</UnitPriceAmount>"), std::string::npos);  // prices stay positive
  auto read = ReadInvoice(text);
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  EXPECT_EQ(read->invoice.kind, model::DocumentKind::kCreditNote);
  EXPECT_EQ(testing::DiffModels(inv, read->invoice, {}), std::vector<std::string>{});
}

TEST(FinvoiceReaderTest, LooksLikeFinvoiceSeesTheRootOnly) {
  const std::string finvoice = Write(Invoice(InvoiceJson()));
  auto framed = WriteInvoice(Invoice(InvoiceJson()), Routing(), WriteOptions{"UTF-8", true});
  ASSERT_TRUE(framed.has_value());
  struct Case {
    std::string text;
    bool expected;
  };
  const Case cases[] = {
      {finvoice, true},
      {*framed, true},
      {"<?xml version=\"1.0\"?>\n<!-- a comment -->\n<?xml-stylesheet "
       "href=\"Finvoice.xsl\"?>\n<Finvoice Version=\"3.0\"/>",
       true},
      {"<Finvoice xmlns=\"urn:example\" Version=\"3.0\"/>", false},
      {"<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>", false},
      {"<SOAP-ENV:Envelope "
       "xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"></SOAP-ENV:Envelope>\n<Order/"
       ">",
       false},
      {"", false},
  };
  for (const Case& c : cases)
    EXPECT_EQ(LooksLikeFinvoice(c.text), c.expected) << c.text.substr(0, 80);
}

TEST(FinvoiceReaderTest, FinvoiceOnlyContentIsReportedLost) {
  std::string text = Write(Invoice(InvoiceJson()));
  text = Replace(
      text, "<EpiDetails>",
      "<InvoiceRow>\n    "
      "<SubInvoiceRow><SubArticleName>YHTEENSÄ</SubArticleName></SubInvoiceRow>\n  </InvoiceRow>\n "
      " <InvoiceRow><RowFreeText>Tekstirivi</RowFreeText></InvoiceRow>\n  <EpiDetails>");
  text = Replace(text, "</InvoiceDetails>",
                 "</InvoiceDetails>\n  <VirtualBankBarcode>412345</VirtualBankBarcode>");
  std::vector<Finding> losses;
  auto read = ReadInvoice(text, &losses);
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  EXPECT_EQ(read->invoice.lines.size(), 1u);
  std::vector<std::string> where;
  for (const Finding& f : losses) where.push_back(f.location);
  EXPECT_EQ(where,
            (std::vector<std::string>{"/Finvoice/VirtualBankBarcode[1]", "/Finvoice/InvoiceRow[2]",
                                      "/Finvoice/InvoiceRow[3]"}));
  for (const Finding& f : losses) EXPECT_EQ(f.severity, Finding::Severity::kWarning);
}

TEST(FinvoiceWriterTest, RefusesWhatFinvoiceCannotCarry) {
  struct Case {
    const char* name;
    std::string json;
    const char* rule;
    const char* location;
    const char* text;
  };
  const std::string no_payment = R"({
  "number": "FI-2026-2", "issue_date": "2026-11-02", "currency": "EUR", "buyer_reference": "R",
  "seller": {"name": "Myyjä Oy", "vat_id": "FI15728600",
             "address": {"city": "Helsinki", "country": "FI"},
             "electronic_address": {"id": "003715728600", "scheme": "0216"}},
  "buyer": {"name": "Ostaja Oy", "vat_id": "FI24681015",
            "address": {"city": "Tampere", "country": "FI"},
            "electronic_address": {"id": "003724681015", "scheme": "0216"}},
  "payment": {"means_code": "48", "card": {"account_number": "1234", "holder_name": "M"}},
  "lines": [{"quantity": "1", "unit": "C62", "price": "10", "vat_category": "S", "vat_rate": "25.5",
             "item": {"name": "X"}}]})";
  const Case cases[] = {
      {"no credit transfer", no_payment, "finvoice.required", "/payment/credit_transfers", "BT-84"},
      {"a price with 6 decimals", InvoiceJson(), "finvoice.amount", "/lines/0/price/net", "BT-146"},
      {"an invoice number of 24 characters", InvoiceJson(), "finvoice.length", "/number", "BT-1"},
  };
  for (const Case& c : cases) {
    model::Invoice inv = Invoice(c.json);
    if (std::string(c.name).find("6 decimals") != std::string::npos)
      inv.lines[0].price.net = *Decimal::Parse("0.123456");
    if (std::string(c.name).find("24 char") != std::string::npos)
      inv.number = "FI-2026-0000000000000001";
    auto written = WriteInvoice(inv, Routing(), WriteOptions{});
    ASSERT_FALSE(written.has_value()) << c.name;
    const auto& findings = written.error().findings();
    EXPECT_TRUE(std::any_of(findings.begin(), findings.end(),
                            [&](const Finding& f) {
                              return f.rule == c.rule && f.location == c.location &&
                                     f.message.find(c.text) != std::string::npos;
                            }))
        << c.name << ": " << written.error().ToString();
  }
}

TEST(FinvoiceWriterTest, ReportsEveryLossAtItsTerm) {
  model::Invoice inv = Invoice(InvoiceJson());
  inv.seller.name = std::string(80, 'N');
  inv.specification_id =
      "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
  inv.business_process = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";
  inv.notes.push_back(model::Note{"AAI", "Huom"});
  inv.payment->remittance_info = "RF18 5390 0754 7034";
  std::vector<Finding> losses;
  std::string text = Write(inv, "UTF-8", &losses);
  std::vector<std::string> where;
  for (const Finding& f : losses) {
    EXPECT_EQ(f.rule, "finvoice.lost");
    EXPECT_EQ(f.severity, Finding::Severity::kWarning);
    where.push_back(f.location);
  }
  std::sort(where.begin(), where.end());
  EXPECT_EQ(where, (std::vector<std::string>{"/business_process", "/notes/0/subject_code",
                                             "/payment/remittance_info", "/seller/name",
                                             "/specification_id"}));
  EXPECT_NE(text.find("<SellerOrganisationName>" + std::string(70, 'N') + "<"), std::string::npos);
  EXPECT_NE(text.find("IdentificationSchemeName=\"ISO\">RF18539007547034<"), std::string::npos);
}

TEST(FinvoiceWriterTest, Latin9OutputUsesCharacterReferencesOutsideLatin9) {
  model::Invoice inv =
      Invoice(InvoiceJson("", "\xC5\x81\xC3\xB3\x64\xC5\xBA \xE2\x82\xAC"));  // Łódź €
  std::string text = Write(inv, "ISO-8859-15");
  EXPECT_EQ(text.rfind("<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>", 0), 0u);
  EXPECT_NE(text.find("<ArticleName>&#321;\xF3\x64&#378; \xA4</ArticleName>"), std::string::npos);
  auto read = ReadInvoice(text);
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  EXPECT_EQ(read->invoice.lines[0].item.name, inv.lines[0].item.name);
  // Equal input, identical output.
  EXPECT_EQ(Write(inv, "ISO-8859-15"), text);
}

}  // namespace
}  // namespace gw::formats::finvoice
