#include "formats/ubl/ubl_writer.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>

#include "formats/calc/calculator.h"
#include "formats/json/json_reader.h"
#include "tests/formats/test_invoices.h"

namespace gw::formats::ubl {
namespace {

using gw::testing::InvoiceJson;
using gw::testing::Line;

std::string Ubl(const std::string& json) {
  auto inv = json::ReadInvoice(json);
  EXPECT_TRUE(inv.has_value()) << inv.error().ToString();
  if (!inv) return "";
  Status st = calc::Complete(*inv);
  EXPECT_TRUE(st.has_value()) << st.error().ToString();
  auto xml = WriteInvoice(*inv);
  EXPECT_TRUE(xml.has_value());
  return xml.has_value() ? *xml : "";
}

bool WellFormed(const std::string& xml) {
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "x.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) return false;
  xmlFreeDoc(doc);
  return true;
}

size_t Pos(const std::string& xml, const std::string& what) {
  size_t p = xml.find(what);
  EXPECT_NE(p, std::string::npos) << what;
  return p;
}

TEST(UblWriterTest, WritesPeppolIdentifiersAndNamespaces) {
  std::string xml = Ubl(InvoiceJson("[" + Line("1", "\"10\"") + "]"));
  EXPECT_NE(xml.find("<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>"),
            std::string::npos);
  EXPECT_NE(xml.find("<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>"),
            std::string::npos);
  EXPECT_NE(xml.find("xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\""),
            std::string::npos);
  EXPECT_TRUE(WellFormed(xml));
}

TEST(UblWriterTest, EscapesTextAndKeepsUtf8) {
  std::string xml = Ubl(InvoiceJson(
      "[" + Line("1", "\"10\"", R"("vat_category": "S", "vat_rate": "22", "note": "<b>&amp;\" ' ]]>")") + "]",
      R"("payment_terms": "Põhja & Lõuna <net 30>",)"));
  EXPECT_NE(xml.find("P\xC3\xB5hja &amp; L\xC3\xB5una &lt;net 30&gt;"), std::string::npos);
  EXPECT_NE(xml.find("&lt;b&gt;&amp;amp;\" ' ]]&gt;"), std::string::npos);
  EXPECT_TRUE(WellFormed(xml));
}

TEST(UblWriterTest, OmitsAbsentTermsInsteadOfWritingEmptyElements) {
  std::string xml = Ubl(InvoiceJson("[" + Line("1", "\"10\"") + "]", R"("payment_terms": "  ",)"));
  EXPECT_EQ(xml.find("PaymentTerms"), std::string::npos);
  EXPECT_EQ(xml.find("></cbc:"), std::string::npos);
  EXPECT_EQ(xml.find("/>"), std::string::npos);
}

TEST(UblWriterTest, FollowsSchemaOrderForInvoiceAndCreditNote) {
  std::string extra = R"("due_date": "2026-12-01", "tax_point_date": "2026-11-01",
      "notes": [{"subject_code": "AAI", "text": "General"}],
      "project_reference": "PRJ", "contract_reference": "CON", "tender_reference": "TEN",
      "payment": {"means_code": "30", "credit_transfer": {"account_id": "EE382200221020145685"}},)";
  std::string inv = Ubl(InvoiceJson("[" + Line("1", "\"10\"") + "]", extra));
  EXPECT_LT(Pos(inv, "<cbc:DueDate>"), Pos(inv, "<cbc:InvoiceTypeCode>"));
  EXPECT_LT(Pos(inv, "<cbc:Note>#AAI#General"), Pos(inv, "<cbc:TaxPointDate>"));
  EXPECT_LT(Pos(inv, "<cac:OriginatorDocumentReference>"), Pos(inv, "<cac:ContractDocumentReference>"));
  EXPECT_LT(Pos(inv, "<cac:ContractDocumentReference>"), Pos(inv, "<cac:ProjectReference>"));

  std::string cn = Ubl(InvoiceJson("[" + Line("1", "\"10\"") + "]", R"("type": "credit_note", )" + extra));
  EXPECT_LT(Pos(cn, "<cbc:TaxPointDate>"), Pos(cn, "<cbc:CreditNoteTypeCode>"));
  EXPECT_EQ(cn.find("<cbc:DueDate>"), std::string::npos);
  EXPECT_NE(cn.find("<cbc:PaymentDueDate>2026-12-01</cbc:PaymentDueDate>"), std::string::npos);
  EXPECT_EQ(cn.find("<cac:ProjectReference>"), std::string::npos);
  EXPECT_NE(cn.find("<cbc:DocumentTypeCode>50</cbc:DocumentTypeCode>"), std::string::npos);
  EXPECT_LT(Pos(cn, "<cac:ContractDocumentReference>"), Pos(cn, "<cac:OriginatorDocumentReference>"));
  EXPECT_NE(cn.find("<cbc:CreditedQuantity unitCode=\"C62\">1</cbc:CreditedQuantity>"), std::string::npos);
}

TEST(UblWriterTest, OneUblPaymentMeansPerCreditTransferAccount) {
  std::string xml = Ubl(InvoiceJson("[" + Line("1", "\"10\"") + "]",
      R"("payment": {"means_code": "58", "means_text": "SEPA",
                     "credit_transfer": [{"account_id": "A1"}, {"account_id": "A2"}]},)"));
  size_t first = Pos(xml, "<cac:PaymentMeans>");
  size_t second = xml.find("<cac:PaymentMeans>", first + 1);
  ASSERT_NE(second, std::string::npos);
  // The means text may occur once (UBL-SR-46); the code repeats.
  EXPECT_NE(xml.find("<cbc:PaymentMeansCode name=\"SEPA\">58</cbc:PaymentMeansCode>"), std::string::npos);
  EXPECT_NE(xml.find("<cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>", second), std::string::npos);
  EXPECT_LT(Pos(xml, "<cbc:ID>A1</cbc:ID>"), Pos(xml, "<cbc:ID>A2</cbc:ID>"));
}

TEST(UblWriterTest, AmountsHaveTwoDecimalsAndPricesKeepTheirs) {
  std::string xml = Ubl(InvoiceJson("[" + Line("\"2.5\"", "\"3.333\"") + "]"));
  EXPECT_NE(xml.find("<cbc:LineExtensionAmount currencyID=\"EUR\">8.33</cbc:LineExtensionAmount>"), std::string::npos);
  EXPECT_NE(xml.find("<cbc:PriceAmount currencyID=\"EUR\">3.333</cbc:PriceAmount>"), std::string::npos);
  EXPECT_NE(xml.find("<cbc:InvoicedQuantity unitCode=\"C62\">2.5</cbc:InvoicedQuantity>"), std::string::npos);
  EXPECT_NE(xml.find("<cbc:Percent>22</cbc:Percent>"), std::string::npos);
}

}  // namespace
}  // namespace gw::formats::ubl
