// The FINVOICE-* rules: a written document passes them all; each mutation breaks the rule it
// should, at the element it should; the official samples give exactly their known findings.
#include "formats/finvoice/finvoice_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "formats/calc/calculator.h"
#include "formats/finvoice/finvoice_writer.h"
#include "formats/json/json_reader.h"
#include "tests/formats/test_invoices.h"

namespace gw::formats::finvoice {
namespace {

namespace fs = std::filesystem;

// 2 x 50.00 at 25.5 % (VAT 25.50, total 125.50), due 16.11., Finnish reference 1232.
std::string Baseline() {
  auto invoice = json::ReadInvoice(R"({
  "number": "FI-2026-1", "issue_date": "2026-11-02", "due_date": "2026-11-16", "currency": "EUR",
  "buyer_reference": "R1",
  "seller": {"name": "Myyjä Oy", "vat_id": "FI15728600",
             "electronic_address": {"id": "003715728600", "scheme": "0216"},
             "address": {"line1": "Teollisuuskatu 21", "city": "Helsinki", "postal_code": "00510",
                         "country": "FI"}},
  "buyer": {"name": "Ostaja Oy", "vat_id": "FI24681015",
            "electronic_address": {"id": "003724681015", "scheme": "0216"},
            "address": {"line1": "Hämeenkatu 2", "city": "Tampere", "postal_code": "33100",
                        "country": "FI"}},
  "payment": {"means_code": "58", "remittance_info": "1232",
              "credit_transfer": {"account_id": "FI2112345600000785", "bank_id": "NDEAFIHH"}},
  "lines": [{"quantity": "2", "unit": "C62", "price": "50.00", "vat_category": "S",
             "vat_rate": "25.5",
             "item": {"name": "Lamppu"}}]})");
  EXPECT_TRUE(invoice.has_value()) << invoice.error().ToString();
  if (!invoice || !calc::Complete(*invoice)) return {};
  auto t = TransmissionFromRouting({{"sender_intermediator", "003701011385"},
                                    {"receiver_intermediator", "NDEAFIHH"},
                                    {"timestamp", "2026-11-02T10:00:00+02:00"}},
                                   *invoice);
  if (!t) return {};
  auto written = WriteInvoice(*invoice, *t, WriteOptions{});
  EXPECT_TRUE(written.has_value());
  return written.value_or(std::string());
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' not in the document";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(FinvoiceRulesTest, WrittenDocumentPassesEveryRule) {
  std::vector<Finding> findings = CheckRules(Baseline());
  for (const Finding& f : findings)
    ADD_FAILURE() << f.rule << " at " << f.location << ": " << f.message;
}

TEST(FinvoiceRulesTest, EachMistakeBreaksItsRuleWhereItIs) {
  struct Case {
    std::string from, to;
    const char* rule;
    const char* location;
    const char* text;  // in the message
    Finding::Severity severity = Finding::Severity::kFatal;
  };
  const Case cases[] = {
      {">125,50</InvoiceTotalVatIncludedAmount>", ">126,50</InvoiceTotalVatIncludedAmount>",
       "FINVOICE-VAT-INCLUDED", "/Finvoice/InvoiceDetails[1]/InvoiceTotalVatIncludedAmount[1]",
       "is 126,50, but InvoiceTotalVatExcludedAmount 100,00 + InvoiceTotalVatAmount 25,50 is "
       "125,50"},
      {">100,00</RowsTotalVatExcludedAmount>", ">90,00</RowsTotalVatExcludedAmount>",
       "FINVOICE-ROWS-TOTAL", "/Finvoice/InvoiceDetails[1]/RowsTotalVatExcludedAmount[1]",
       "the sum of the rows' RowVatExcludedAmount is 100,00"},
      {">100,00</InvoiceTotalVatExcludedAmount>", ">101,00</InvoiceTotalVatExcludedAmount>",
       "FINVOICE-VAT-EXCLUDED", "/Finvoice/InvoiceDetails[1]/InvoiceTotalVatExcludedAmount[1]",
       "rows' total 100,00 - discounts 0 + charges 0"},
      {">100,00</VatBaseAmount>", ">99,00</VatBaseAmount>", "FINVOICE-VAT-BASE",
       "/Finvoice/InvoiceDetails[1]/InvoiceTotalVatExcludedAmount[1]",
       "sum of VatSpecificationDetails/VatBaseAmount is 99,00"},
      {">25,50</VatRateAmount>", ">25,00</VatRateAmount>", "FINVOICE-VAT-TOTAL",
       "/Finvoice/InvoiceDetails[1]/InvoiceTotalVatAmount[1]",
       "sum of VatSpecificationDetails/VatRateAmount is 25,00"},
      {">25,50</VatRateAmount>", ">25,00</VatRateAmount>", "FINVOICE-VAT-RATE",
       "/Finvoice/InvoiceDetails[1]/VatSpecificationDetails[1]/VatRateAmount[1]",
       "VatBaseAmount 100,00 x 25,5 % is 25,50", Finding::Severity::kWarning},
      {">125,50</EpiInstructedAmount>", ">120,00</EpiInstructedAmount>", "FINVOICE-INSTRUCTED",
       "/Finvoice/EpiDetails[1]/EpiPaymentInstructionDetails[1]/EpiInstructedAmount[1]",
       "InvoiceTotalVatIncludedAmount 125,50 - InvoicePaidAmount 0 + InvoiceTotalRoundoffAmount 0 "
       "is 125,50"},
      {">125,50</EpiInstructedAmount>", ">125,5</EpiInstructedAmount>", "FINVOICE-AMOUNT",
       "/Finvoice/EpiDetails[1]/EpiPaymentInstructionDetails[1]/EpiInstructedAmount[1]",
       "exactly 2 decimals"},
      {">100,00</RowVatExcludedAmount>", ">100.00</RowVatExcludedAmount>", "FINVOICE-AMOUNT",
       "/Finvoice/InvoiceRow[1]/RowVatExcludedAmount[1]", "decimal comma"},
      {"\"EUR\">25,50</InvoiceTotalVatAmount>", "\"SEK\">25,50</InvoiceTotalVatAmount>",
       "FINVOICE-CURRENCY", "/Finvoice/InvoiceDetails[1]/InvoiceTotalVatAmount[1]",
       "is in SEK, the invoice (InvoiceTotalVatIncludedAmount) in EUR"},
      {"\"SPY\">1232<", "\"SPY\">1233<", "FINVOICE-REFERENCE",
       "/Finvoice/EpiDetails[1]/EpiPaymentInstructionDetails[1]/EpiRemittanceInfoIdentifier[1]",
       "has the check digit 3; the 7-3-1 method gives 2 for 123"},
      {"IdentificationSchemeName=\"SPY\">1232<",
       "IdentificationSchemeName=\"ISO\">RF19539007547034<", "FINVOICE-REFERENCE",
       "/Finvoice/EpiDetails[1]/EpiPaymentInstructionDetails[1]/EpiRemittanceInfoIdentifier[1]",
       "MOD 97-10"},
      {">20261102</InvoiceDate>", ">20261302</InvoiceDate>", "FINVOICE-DATE",
       "/Finvoice/InvoiceDetails[1]/InvoiceDate[1]", "not a calendar date"},
      {"<InvoiceDueDate Format=\"CCYYMMDD\">", "<InvoiceDueDate Format=\"DDMMCCYY\">",
       "FINVOICE-DATE", "/Finvoice/InvoiceDetails[1]/PaymentTermsDetails[1]/InvoiceDueDate[1]",
       "Format='DDMMCCYY'"},
      {">20261116</EpiDateOptionDate>", ">20261117</EpiDateOptionDate>", "FINVOICE-DUE-DATE",
       "/Finvoice/EpiDetails[1]/EpiPaymentInstructionDetails[1]/EpiDateOptionDate[1]",
       "is not the due date (InvoiceDueDate) 20261116", Finding::Severity::kWarning},
      {"<ToIntermediator>NDEAFIHH</ToIntermediator>", "", "FINVOICE-TRANSMISSION",
       "/Finvoice/MessageTransmissionDetails[1]/MessageReceiverDetails[1]",
       "MessageReceiverDetails/ToIntermediator"},
      {"<MessageTimeStamp>2026-11-02T10:00:00+02:00<", "<MessageTimeStamp>2.11.2026 10:00<",
       "FINVOICE-TRANSMISSION",
       "/Finvoice/MessageTransmissionDetails[1]/MessageDetails[1]/MessageTimeStamp[1]",
       "not an xs:dateTime"},
      {"Version=\"3.0\"", "Version=\"2.01\"", "FINVOICE-VERSION", "/Finvoice",
       "Finvoice version '2.01'"},
  };
  const std::string baseline = Baseline();
  for (const Case& c : cases) {
    std::vector<Finding> findings = CheckRules(Replace(baseline, c.from, c.to));
    bool found = std::any_of(findings.begin(), findings.end(), [&](const Finding& f) {
      return f.rule == c.rule && f.location == c.location && f.severity == c.severity &&
             f.message.find(c.text) != std::string::npos;
    });
    std::string all;
    for (const Finding& f : findings) all += "\n  " + f.rule + " " + f.location + ": " + f.message;
    EXPECT_TRUE(found) << c.rule << " for " << c.to << ":" << all;
  }
}

TEST(FinvoiceRulesTest, MissingTransmissionDetailsAreReported) {
  std::string text = Baseline();
  size_t from = text.find("<MessageTransmissionDetails>");
  size_t to = text.find("</MessageTransmissionDetails>") +
              std::string("</MessageTransmissionDetails>").size();
  text.erase(from, to - from);
  std::vector<Finding> findings = CheckRules(text);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "FINVOICE-TRANSMISSION");
  EXPECT_EQ(findings[0].location, "/Finvoice");
  // Behind a complete SOAP frame the same document is routable.
  const std::string frame =
      "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:eb=\"http://www.oasis-open.org/committees/ebxml-msg/schema/"
      "msg-header-2_0.xsd\"><SOAP-ENV:Header><eb:MessageHeader><eb:From><eb:PartyId>003715728600</"
      "eb:PartyId><eb:Role>Sender</eb:Role></eb:From><eb:From><eb:PartyId>OKOYFIHH</"
      "eb:PartyId><eb:Role>Intermediator</eb:Role></eb:From><eb:To><eb:PartyId>003724681015</"
      "eb:PartyId><eb:Role>Receiver</eb:Role></eb:To><eb:To><eb:PartyId>NDEAFIHH</"
      "eb:PartyId><eb:Role>Intermediator</eb:Role></eb:To><eb:MessageData><eb:MessageId>M1</"
      "eb:MessageId><eb:Timestamp>2026-11-02T10:00:00</eb:Timestamp></eb:MessageData></"
      "eb:MessageHeader></SOAP-ENV:Header><SOAP-ENV:Body/></SOAP-ENV:Envelope>\n";
  for (const Finding& f : CheckRules(frame + text))
    ADD_FAILURE() << f.rule << " at " << f.location << ": " << f.message;
  // A frame without the receiver's operator is not.
  std::vector<Finding> incomplete = CheckRules(
      Replace(frame, "<eb:PartyId>NDEAFIHH</eb:PartyId>", "<eb:PartyId></eb:PartyId>") + text);
  ASSERT_EQ(incomplete.size(), 1u);
  EXPECT_NE(incomplete[0].message.find("eb:To with eb:Role Intermediator"), std::string::npos)
      << incomplete[0].message;
}

TEST(FinvoiceRulesTest, SamplesGiveTheirKnownFindings) {
  // What the published samples break (placeholder values in Maventa's template, zero padding of
  // 20 zeros instead of a reference, the rounding of a consumer invoice's VAT).
  const std::map<std::string, std::vector<std::string>> expected = {
      {"Verkkoyhtion_lapilaskutuksen_erillislaskuesimerkki_20190405.xml", {"FINVOICE-REFERENCE"}},
      {"Verkkoyhtion_kulutuslaskuesimerkki_20190405.xml", {"FINVOICE-VAT-RATE"}},
      {"anon_finvoice_30_invoice_with_MessageTransmissionDetails.xml",
       {"FINVOICE-CURRENCY", "FINVOICE-CURRENCY", "FINVOICE-CURRENCY", "FINVOICE-CURRENCY",
        "FINVOICE-CURRENCY"}},
      {"anon_finvoice_30_invoice_with_SOAP.xml",
       {"FINVOICE-CURRENCY", "FINVOICE-CURRENCY", "FINVOICE-CURRENCY", "FINVOICE-CURRENCY",
        "FINVOICE-CURRENCY"}},
  };
  const fs::path root = fs::path(EIGW_SHARED_DIR) / "formats" / "finvoice" / "samples";
  size_t checked = 0;
  for (const char* dir : {"energia-fi", "maventa"}) {
    for (const auto& e : fs::directory_iterator(root / dir)) {
      if (e.path().extension() != ".xml") continue;
      std::vector<std::string> rules;
      for (const Finding& f : CheckRules(testing::ReadFile(e.path()))) rules.push_back(f.rule);
      auto known = expected.find(e.path().filename().string());
      EXPECT_EQ(rules, known == expected.end() ? std::vector<std::string>{} : known->second)
          << e.path().filename();
      ++checked;
    }
  }
  EXPECT_EQ(checked, 10u);
}

}  // namespace
}  // namespace gw::formats::finvoice
