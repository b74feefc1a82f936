#include "formats/json/view_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "formats/json/json_value.h"
#include "formats/registry/builtin.h"
#include "formats/registry/stored_invoice.h"
#include "formats/xml/xml_document.h"
#include "tests/formats/test_invoices.h"

namespace gw::formats::json {
namespace {

namespace fs = std::filesystem;

using testing::ReadFile;

const fs::path kExamples = fs::path(EIGW_SHARED_DIR) / "conformance" / "examples";
const fs::path kUblExample1 = kExamples / "en16931" / "ubl" / "ubl-tc434-example1.xml";
const fs::path kCiiExample1 = kExamples / "en16931" / "cii" / "CII_example1.xml";
const fs::path kUblCreditNote = kExamples / "en16931" / "ubl" / "ubl-tc434-creditnote1.xml";
const fs::path kFinvoiceSamples = fs::path(EIGW_SHARED_DIR) / "formats" / "finvoice" / "samples";
const fs::path kEeSamples = fs::path(EIGW_SHARED_DIR) / "formats" / "estonia-einvoice" / "samples";
const fs::path kJsonCorpus = fs::path(EIGW_SOURCE_DIR) / "tests" / "data" / "json" / "valid";

const FormatRegistry& Registry() {
  static const FormatRegistry* registry = [] {
    auto* r = new FormatRegistry;
    Status st = RegisterBuiltinFormats(*r);
    EXPECT_TRUE(st.has_value());
    return r;
  }();
  return *registry;
}

// A stored document read and shown: the format detected and the view parsed back.
struct Shown {
  bool ok = false;
  std::string format;
  std::string json;
  JsonDocument view;
};

Shown Show(const std::string& text, std::string_view media_type = "") {
  Shown s;
  auto invoice = ReadStoredInvoice(Registry(), text, media_type, &s.format);
  if (!invoice) {
    ADD_FAILURE() << "format '" << s.format << "': " << invoice.error().ToString();
    return s;
  }
  s.json = InvoiceViewJson(*invoice);
  auto doc = Parse(s.json);
  if (!doc) {
    ADD_FAILURE() << doc.error().ToString() << "\n" << s.json;
    return s;
  }
  s.view = std::move(doc).value();
  s.ok = s.view.is_object();
  return s;
}

// The member `key` of `v` as text for comparisons: a string's value, "null", "(missing)" or the
// kind ("(an array)").
std::string S(const JsonValue& v, std::string_view key) {
  const JsonValue* m = Get(v, key);
  if (m == nullptr) return "(missing)";
  if (m->kind == JsonValue::Kind::kNull) return "null";
  if (m->is_string()) return std::string(m->text);
  return std::string("(") + KindName(m->kind) + ")";
}

const JsonValue& M(const JsonValue& v, std::string_view key) {
  static const JsonValue kNull;
  const JsonValue* m = Get(v, key);
  return m == nullptr ? kNull : *m;
}

size_t Count(const JsonValue& v, std::string_view key) { return M(v, key).items.size(); }

// ---- The shape ---------------------------------------------------------------------------------

using Keys = std::vector<std::string>;
const Keys kTopKeys = {"document_type",
                       "type_code",
                       "number",
                       "issue_date",
                       "due_date",
                       "currency",
                       "buyer_reference",
                       "order_reference",
                       "notes",
                       "invoice_period",
                       "preceding_invoices",
                       "seller",
                       "buyer",
                       "payee",
                       "delivery",
                       "lines",
                       "allowances_charges",
                       "vat_breakdown",
                       "totals",
                       "payment"};
const Keys kPartyKeys = {"name",     "trading_name", "endpoint", "vat_id",
                         "legal_id", "identifiers",  "address",  "contact"};
const Keys kAddressKeys = {"lines", "city", "postcode", "subdivision", "country"};
const Keys kContactKeys = {"name", "email", "phone"};
const Keys kIdentifierKeys = {"scheme", "value"};
const Keys kPeriodKeys = {"start", "end"};
const Keys kPrecedingKeys = {"number", "issue_date"};
const Keys kDeliveryKeys = {"name", "location_id", "date", "address"};
const Keys kLineKeys = {
    "id",         "name",         "description", "quantity", "unit", "price", "price_base_quantity",
    "net_amount", "vat_category", "vat_rate",    "period"};
const Keys kAllowanceChargeKeys = {"charge", "reason", "amount", "vat_category", "vat_rate"};
const Keys kVatKeys = {"category",         "rate",
                       "taxable_amount",   "tax_amount",
                       "exemption_reason", "exemption_reason_code"};
const Keys kTotalsKeys = {"line_extension", "allowances", "charges",  "tax_exclusive", "tax",
                          "tax_inclusive",  "prepaid",    "rounding", "payable"};
const Keys kPaymentKeys = {"means",        "means_code", "iban",        "bic",
                           "account_name", "reference",  "due_date",    "terms",
                           "accounts",     "card",       "direct_debit"};
const Keys kAccountKeys = {"iban", "bic", "name"};
const Keys kCardKeys = {"account_number", "network", "holder_name"};
const Keys kDirectDebitKeys = {"mandate_reference", "creditor_id", "debited_account"};

Keys KeysOf(const JsonValue& v) {
  Keys keys;
  for (const JsonMember& m : v.members) keys.emplace_back(m.first);
  return keys;
}

// Checks that `v` is an object with exactly `keys`, in order; `where` names it in failures.
void ExpectObject(const JsonValue& v, const Keys& keys, const std::string& where) {
  ASSERT_TRUE(v.is_object()) << where << " is " << KindName(v.kind);
  EXPECT_EQ(KeysOf(v), keys) << where;
}

// The same for a member that may be null; returns whether it was an object.
bool ExpectObjectOrNull(const JsonValue& v, const Keys& keys, const std::string& where) {
  if (v.kind == JsonValue::Kind::kNull) return false;
  ExpectObject(v, keys, where);
  return true;
}

void ExpectArrayOf(const JsonValue& v, const Keys& keys, const std::string& where) {
  ASSERT_TRUE(v.is_array()) << where << " is " << KindName(v.kind);
  for (size_t i = 0; i < v.items.size(); ++i)
    ExpectObject(v.items[i], keys, where + "/" + std::to_string(i));
}

void ExpectParty(const JsonValue& v, const std::string& where) {
  ExpectObject(v, kPartyKeys, where);
  ExpectArrayOf(M(v, "identifiers"), kIdentifierKeys, where + "/identifiers");
  ExpectObject(M(v, "address"), kAddressKeys, where + "/address");
  EXPECT_TRUE(M(M(v, "address"), "lines").is_array()) << where;
  ExpectObject(M(v, "contact"), kContactKeys, where + "/contact");
}

// Checks the whole shape of a view; every member of every object, null where allowed.
void ExpectShape(const JsonValue& view, const std::string& name) {
  ExpectObject(view, kTopKeys, name);
  EXPECT_TRUE(M(view, "notes").is_array()) << name;
  ExpectObjectOrNull(M(view, "invoice_period"), kPeriodKeys, name + " /invoice_period");
  ExpectArrayOf(M(view, "preceding_invoices"), kPrecedingKeys, name + " /preceding_invoices");
  ExpectParty(M(view, "seller"), name + " /seller");
  ExpectParty(M(view, "buyer"), name + " /buyer");
  if (M(view, "payee").kind != JsonValue::Kind::kNull)
    ExpectParty(M(view, "payee"), name + " /payee");
  if (ExpectObjectOrNull(M(view, "delivery"), kDeliveryKeys, name + " /delivery")) {
    ExpectObject(M(M(view, "delivery"), "address"), kAddressKeys, name + " /delivery/address");
  }
  ExpectArrayOf(M(view, "lines"), kLineKeys, name + " /lines");
  for (const JsonValue& line : M(view, "lines").items)
    ExpectObjectOrNull(M(line, "period"), kPeriodKeys, name + " line period");
  ExpectArrayOf(M(view, "allowances_charges"), kAllowanceChargeKeys, name + " /allowances_charges");
  ExpectArrayOf(M(view, "vat_breakdown"), kVatKeys, name + " /vat_breakdown");
  ExpectObject(M(view, "totals"), kTotalsKeys, name + " /totals");
  const JsonValue& payment = M(view, "payment");
  ExpectObject(payment, kPaymentKeys, name + " /payment");
  ExpectArrayOf(M(payment, "accounts"), kAccountKeys, name + " /payment/accounts");
  ExpectObjectOrNull(M(payment, "card"), kCardKeys, name + " /payment/card");
  ExpectObjectOrNull(M(payment, "direct_debit"), kDirectDebitKeys, name + " /payment/direct_debit");
}

// ---- Official examples and national samples
// ------------------------------------------------------

TEST(ViewJsonTest, OfficialUblExampleShowsItsTerms) {
  Shown s = Show(ReadFile(kUblExample1));
  ASSERT_TRUE(s.ok);
  const JsonValue& v = s.view;
  EXPECT_EQ(s.format, "ubl");
  EXPECT_EQ(S(v, "document_type"), "invoice");
  EXPECT_EQ(S(v, "type_code"), "380");
  EXPECT_EQ(S(v, "number"), "12115118");  // cbc:ID
  EXPECT_EQ(S(v, "issue_date"), "2015-01-09");
  EXPECT_EQ(S(v, "due_date"), "2015-01-09");
  EXPECT_EQ(S(v, "currency"), "EUR");
  EXPECT_EQ(S(v, "buyer_reference"), "null");
  EXPECT_EQ(S(M(v, "seller"), "name"), "De Koksmaat");  // PartyLegalEntity/RegistrationName
  EXPECT_EQ(S(M(v, "seller"), "vat_id"), "NL8200.98.395.B.01");
  EXPECT_EQ(S(M(v, "seller"), "legal_id"), "57151520");
  EXPECT_EQ(S(M(M(v, "seller"), "address"), "city"), "Velsen-Noord");
  EXPECT_EQ(S(M(M(v, "seller"), "address"), "postcode"), "1950 AB");
  ASSERT_EQ(Count(M(M(v, "seller"), "address"), "lines"), 1u);
  EXPECT_EQ(M(M(M(v, "seller"), "address"), "lines").items[0].text, "Postbus 7l");
  EXPECT_EQ(S(M(v, "buyer"), "name"), "ODIN 59");
  EXPECT_EQ(S(M(M(v, "buyer"), "contact"), "name"), "Dhr. J BLOKKER");
  ASSERT_EQ(Count(M(v, "buyer"), "identifiers"), 1u);
  EXPECT_EQ(S(M(M(v, "buyer"), "identifiers").items[0], "value"), "10202");
  EXPECT_EQ(S(M(v, "totals"), "payable"), "250.33");  // cbc:PayableAmount
  EXPECT_EQ(S(M(v, "totals"), "tax"), "20.73");
  EXPECT_EQ(S(M(v, "totals"), "allowances"), "null");
  EXPECT_EQ(Count(v, "lines"), 20u);  // 20 cac:InvoiceLine
  const JsonValue& line1 = M(v, "lines").items.at(0);
  EXPECT_EQ(S(line1, "id"), "1");
  EXPECT_EQ(S(line1, "name"), "PATAT FRITES 10MM 10KG");
  EXPECT_EQ(S(line1, "quantity"), "2");
  EXPECT_EQ(S(line1, "unit"), "EA");
  EXPECT_EQ(S(line1, "net_amount"), "19.90");
  EXPECT_EQ(S(line1, "vat_category"), "S");
  EXPECT_EQ(S(line1, "vat_rate"), "6");
  ASSERT_EQ(Count(v, "vat_breakdown"), 2u);
  const JsonValue& vat21 = M(v, "vat_breakdown").items[1];  // the second cac:TaxSubtotal
  EXPECT_EQ(S(vat21, "category"), "S");
  EXPECT_EQ(S(vat21, "rate"), "21");
  EXPECT_EQ(S(vat21, "taxable_amount"), "46.37");
  EXPECT_EQ(S(vat21, "tax_amount"), "9.74");
  EXPECT_EQ(S(vat21, "exemption_reason"), "null");
  // Two cac:PaymentMeans, one account each: the first is shown, both are listed.
  const JsonValue& pay = M(v, "payment");
  EXPECT_EQ(S(pay, "means_code"), "30");
  EXPECT_EQ(S(pay, "iban"), "NL57 RABO 0107307510");
  EXPECT_EQ(S(pay, "reference"), "Deb. 10202 / Fact. 12115118");  // cbc:PaymentID
  ASSERT_EQ(Count(pay, "accounts"), 2u);
  EXPECT_EQ(S(M(pay, "accounts").items[1], "iban"), "NL03 INGB 0004489902");
  EXPECT_EQ(S(pay, "card"), "null");
  EXPECT_EQ(S(v, "payee"), "null");
  ExpectShape(v, "ubl-tc434-example1.xml");
}

TEST(ViewJsonTest, OfficialCiiExampleShowsItsTerms) {
  Shown s = Show(ReadFile(kCiiExample1));
  ASSERT_TRUE(s.ok);
  const JsonValue& v = s.view;
  EXPECT_EQ(s.format, "cii");
  EXPECT_EQ(S(v, "document_type"), "invoice");
  EXPECT_EQ(S(v, "number"), "12115118");                    // rsm:ExchangedDocument/ram:ID
  EXPECT_EQ(S(M(v, "seller"), "name"), "De Koksmaat");      // ram:SellerTradeParty/ram:Name
  EXPECT_EQ(S(M(v, "totals"), "payable"), "250.33");        // ram:DuePayableAmount
  EXPECT_EQ(S(M(v, "totals"), "line_extension"), "229.6");  // as written: scale kept
  EXPECT_EQ(Count(v, "lines"), 20u);  // 20 ram:IncludedSupplyChainTradeLineItem
  ASSERT_EQ(Count(v, "vat_breakdown"), 2u);
  const JsonValue& vat6 = M(v, "vat_breakdown").items[0];  // the first ram:ApplicableTradeTax
  EXPECT_EQ(S(vat6, "category"), "S");
  EXPECT_EQ(S(vat6, "rate"), "6");
  EXPECT_EQ(S(vat6, "taxable_amount"), "183.23");
  EXPECT_EQ(S(vat6, "tax_amount"), "10.99");
  EXPECT_EQ(S(M(v, "payment"), "iban"), "NL57 RABO 0107307510");  // ram:IBANID
  EXPECT_EQ(S(M(v, "payment"), "due_date"), "2015-01-09");        // ram:DueDateDateTime
  ExpectShape(v, "CII_example1.xml");
}

TEST(ViewJsonTest, FinvoiceSampleShowsItsTerms) {
  Shown s = Show(ReadFile(kFinvoiceSamples / "energia-fi" / "finvoice_30_example.xml"));
  ASSERT_TRUE(s.ok);
  const JsonValue& v = s.view;
  EXPECT_EQ(s.format, "finvoice");
  EXPECT_EQ(S(v, "number"), "123456");                         // InvoiceNumber
  EXPECT_EQ(S(M(v, "seller"), "name"), "Pullin Musiikki oy");  // the first SellerOrganisationName
  EXPECT_EQ(S(M(v, "totals"), "payable"), "124.00");           // "124,00"
  EXPECT_EQ(Count(v, "lines"), 1u);                            // one InvoiceRow
  ASSERT_EQ(Count(v, "vat_breakdown"), 1u);
  EXPECT_EQ(S(M(v, "vat_breakdown").items[0], "taxable_amount"), "100.00");  // VatBaseAmount
  EXPECT_EQ(S(M(v, "vat_breakdown").items[0], "tax_amount"), "24.00");       // VatRateAmount
  EXPECT_EQ(S(M(v, "payment"), "iban"), "FI7429501800000014");               // EpiAccountID
  EXPECT_EQ(S(M(v, "payment"), "bic"), "NDEAFIHH");                          // EpiBfiIdentifier
  ExpectShape(v, "finvoice_30_example.xml");
}

TEST(ViewJsonTest, FinvoiceBehindItsSoapFrameIsRecognised) {
  Shown s = Show(ReadFile(kFinvoiceSamples / "maventa" / "anon_finvoice_30_invoice_with_SOAP.xml"));
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.format, "finvoice");
  ExpectShape(s.view, "anon_finvoice_30_invoice_with_SOAP.xml");
}

TEST(ViewJsonTest, EstonianSampleShowsItsTerms) {
  Shown s = Show(ReadFile(kEeSamples / "ee-1.2.EN_syntax-binding-annexA_example_xsdfix.xml"));
  ASSERT_TRUE(s.ok);
  const JsonValue& v = s.view;
  EXPECT_EQ(s.format, "ee-einvoice");
  EXPECT_EQ(S(v, "number"), "129592-2");
  EXPECT_EQ(S(M(v, "seller"), "name"), "Karula Tankla AS");
  EXPECT_EQ(S(M(v, "totals"), "payable"), "801.78");              // TotalToPay
  EXPECT_EQ(S(M(v, "payment"), "iban"), "EE064204278609138509");  // PayToAccount
  EXPECT_EQ(S(M(v, "payment"), "bic"), "EKRDEE22");               // PayToBIC
  EXPECT_GT(Count(v, "lines"), 0u);
  EXPECT_GT(Count(v, "vat_breakdown"), 0u);
  ExpectShape(v, "ee-1.2.EN_syntax-binding-annexA_example_xsdfix.xml");
}

TEST(ViewJsonTest, EveryOfficialExampleIsShownInTheFullShape) {
  size_t shown = 0;
  for (const char* dir : {"en16931/ubl", "en16931/cii", "peppol/examples"}) {
    for (const auto& entry : fs::directory_iterator(kExamples / dir)) {
      std::string ext = entry.path().extension().string();
      if (ext != ".xml" && ext != ".XML") continue;
      const std::string name = fs::relative(entry.path(), kExamples).string();
      Shown s = Show(ReadFile(entry.path()));
      ASSERT_TRUE(s.ok) << name;
      EXPECT_TRUE(s.format == "ubl" || s.format == "cii") << name << ": " << s.format;
      ExpectShape(s.view, name);
      EXPECT_NE(S(M(s.view, "totals"), "payable"), "null") << name;
      ++shown;
    }
  }
  EXPECT_GE(shown, 40u) << "examples not found under " << kExamples;
}

// ---- Kinds, text and shape -------------------------------------------------------------------

TEST(ViewJsonTest, CreditNotesSayCreditNote) {
  Shown ubl = Show(ReadFile(kUblCreditNote));
  ASSERT_TRUE(ubl.ok);
  EXPECT_EQ(S(ubl.view, "document_type"), "credit_note");
  EXPECT_EQ(S(ubl.view, "number"), "018304 / 28865");
  EXPECT_EQ(S(M(ubl.view, "seller"), "name"), "My Supplier Company");
  Shown json = Show(ReadFile(kJsonCorpus / "credit-note-minimal.json"));
  ASSERT_TRUE(json.ok);
  EXPECT_EQ(json.format, "json");
  EXPECT_EQ(S(json.view, "document_type"), "credit_note");
  Shown invoice = Show(ReadFile(kCiiExample1));
  ASSERT_TRUE(invoice.ok);
  EXPECT_EQ(S(invoice.view, "document_type"), "invoice");
}

TEST(ViewJsonTest, MarkupQuotesAndNewlinesRoundTripAsExactText) {
  static constexpr char kHostile[] =
      "<script>alert(1)</script> \"quoted\" 'single' back\\slash\nsecond line\r\ttab \x01 "
      "\xC3\xA4\xE2\x82\xAC";
  const std::string hostile(kHostile, sizeof kHostile - 1);
  auto invoice = ReadStoredInvoice(Registry(), ReadFile(kUblExample1), "application/xml", nullptr);
  ASSERT_TRUE(invoice.has_value()) << invoice.error().ToString();
  invoice->seller.name = hostile;
  invoice->notes.push_back({"", "</script><img src=x onerror=alert(2)>"});
  invoice->lines.at(0).item.name = "a\"}, {\"injected\": true";
  const std::string json = InvoiceViewJson(*invoice);
  auto view = Parse(json);
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  EXPECT_EQ(S(M(*view, "seller"), "name"), hostile);
  EXPECT_EQ(M(*view, "notes").items.back().text, "</script><img src=x onerror=alert(2)>");
  EXPECT_EQ(S(M(*view, "lines").items.at(0), "name"), "a\"}, {\"injected\": true");
  EXPECT_EQ(Get(*view, "injected"), nullptr);
  ExpectShape(*view, "hostile names");
}

TEST(ViewJsonTest, EscapedMarkupInTheXmlComesOutAsText) {
  std::string xml = ReadFile(kUblExample1);
  const std::string name = "<cbc:RegistrationName>De Koksmaat</cbc:RegistrationName>";
  const size_t at = xml.find(name);
  ASSERT_NE(at, std::string::npos);
  xml.replace(at, name.size(),
              "<cbc:RegistrationName>&lt;script&gt;alert(1)&lt;/script&gt; &quot;Q&quot; &amp; "
              "Co&#10;line 2</cbc:RegistrationName>");
  Shown s = Show(xml);
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(S(M(s.view, "seller"), "name"), "<script>alert(1)</script> \"Q\" & Co\nline 2");
}

TEST(ViewJsonTest, AbsentTermsAreNullAndAbsentListsEmpty) {
  auto view = Parse(InvoiceViewJson(model::Invoice{}));
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  ExpectShape(*view, "empty invoice");
  for (const char* key :
       {"type_code", "number", "issue_date", "due_date", "currency", "buyer_reference",
        "order_reference", "invoice_period", "payee", "delivery"}) {
    EXPECT_EQ(S(*view, key), "null") << key;
  }
  for (const char* key :
       {"notes", "preceding_invoices", "lines", "allowances_charges", "vat_breakdown"}) {
    EXPECT_TRUE(M(*view, key).is_array() && M(*view, key).items.empty()) << key;
  }
  for (const std::string& key : kPartyKeys) {
    if (key == "identifiers" || key == "address" || key == "contact") continue;
    EXPECT_EQ(S(M(*view, "seller"), key), "null") << key;
  }
  for (const std::string& key : kPaymentKeys) {
    if (key != "accounts") {
      EXPECT_EQ(S(M(*view, "payment"), key), "null") << key;
    }
  }
  EXPECT_EQ(S(M(*view, "totals"), "payable"), "0");  // BT-115 is mandatory: the model's zero
  EXPECT_EQ(S(M(*view, "totals"), "prepaid"), "null");
}

TEST(ViewJsonTest, EveryOptionalGroupIsShownWhenPresent) {
  auto invoice = ReadStoredInvoice(Registry(), ReadFile(kUblExample1), "", nullptr);
  ASSERT_TRUE(invoice.has_value()) << invoice.error().ToString();
  model::Invoice& inv = *invoice;
  inv.invoice_period.start = Date{2015, 1, 1};
  inv.preceding_invoices.push_back({"12115117", Date{2014, 12, 1}});
  inv.payee = model::Payee{"Factor NV", {"F-1", "0088"}, {"123", "0106"}};
  inv.delivery = model::Delivery{"Kitchen", {"5790000435975", "0088"}, Date{2015, 1, 8}, {}};
  inv.delivery->address.city = "Heemskerk";
  inv.lines.at(0).period.end = Date{2015, 1, 31};
  inv.lines.at(0).price.base_quantity = Decimal::FromInt(10);
  model::AllowanceCharge charge;
  charge.is_charge = true;
  charge.amount = Decimal::FromParts(500, 2);
  charge.reason = "Freight";
  charge.vat = {"S", Decimal::FromInt(21)};
  inv.allowances_charges.push_back(charge);
  inv.totals.charge_total = Decimal::FromParts(500, 2);
  inv.payment->card = model::CardPayment{"1234", "VISA", "J Blokker"};
  inv.payment->direct_debit = model::DirectDebit{"MANDATE-1", "NL00ZZZ123", "NL91ABNA0417164300"};
  inv.vat_breakdown.at(0).exemption_reason_code = "VATEX-EU-O";

  auto view = Parse(InvoiceViewJson(inv));
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  const JsonValue& v = *view;
  ExpectShape(v, "every group");
  EXPECT_EQ(S(M(v, "invoice_period"), "start"), "2015-01-01");
  EXPECT_EQ(S(M(v, "invoice_period"), "end"), "null");
  EXPECT_EQ(S(M(v, "preceding_invoices").items.at(0), "issue_date"), "2014-12-01");
  EXPECT_EQ(S(M(v, "payee"), "name"), "Factor NV");
  EXPECT_EQ(S(M(v, "payee"), "legal_id"), "123");
  EXPECT_EQ(S(M(M(v, "payee"), "identifiers").items.at(0), "scheme"), "0088");
  EXPECT_EQ(S(M(v, "payee"), "endpoint"), "null");
  EXPECT_EQ(S(M(v, "delivery"), "location_id"), "5790000435975");
  EXPECT_EQ(S(M(M(v, "delivery"), "address"), "city"), "Heemskerk");
  EXPECT_EQ(S(M(M(v, "lines").items.at(0), "period"), "end"), "2015-01-31");
  EXPECT_EQ(S(M(v, "lines").items.at(0), "price_base_quantity"), "10");
  EXPECT_EQ(S(M(v, "lines").items.at(1), "period"), "null");
  const JsonValue& ac = M(v, "allowances_charges").items.at(0);
  EXPECT_TRUE(M(ac, "charge").boolean);
  EXPECT_EQ(S(ac, "amount"), "5.00");
  EXPECT_EQ(S(ac, "vat_rate"), "21");
  EXPECT_EQ(S(M(v, "totals"), "charges"), "5.00");
  EXPECT_EQ(S(M(M(v, "payment"), "card"), "network"), "VISA");
  EXPECT_EQ(S(M(M(v, "payment"), "direct_debit"), "mandate_reference"), "MANDATE-1");
  EXPECT_EQ(S(M(v, "vat_breakdown").items.at(0), "exemption_reason_code"), "VATEX-EU-O");
  EXPECT_EQ(S(M(M(v, "seller"), "address"), "subdivision"), "null");
}

TEST(ViewJsonTest, SeveralAccountsShowTheFirstAndListAll) {
  Shown s = Show(ReadFile(kJsonCorpus / "payment-credit-transfer-multi.json"), "application/json");
  ASSERT_TRUE(s.ok);
  const JsonValue& pay = M(s.view, "payment");
  EXPECT_EQ(S(pay, "means"), "Bank transfer");  // BT-82
  EXPECT_EQ(S(pay, "means_code"), "30");        // BT-81
  EXPECT_EQ(S(pay, "iban"), "LV62HABA0551020826741");
  EXPECT_EQ(S(pay, "bic"), "HABALV22");
  EXPECT_EQ(S(pay, "account_name"), "Daugavas Tekstils SIA");
  ASSERT_EQ(Count(pay, "accounts"), 3u);
  EXPECT_EQ(S(M(pay, "accounts").items[2], "iban"), "FI2112345600000785");
  EXPECT_EQ(S(M(pay, "accounts").items[2], "name"), "Daugavas Tekstils SIA (FI account)");
}

// ---- Reading what is stored
// ----------------------------------------------------------------------

TEST(ViewJsonTest, ErpJsonIsCompletedAsOnIntake) {
  // No totals and no VAT breakdown in the JSON: the gateway computes them.
  Shown s = Show(testing::InvoiceJson("[" + testing::Line("2", "\"10.00\"") + "]"));
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.format, "json");
  EXPECT_EQ(S(M(s.view, "totals"), "payable"), "24.40");
  ASSERT_EQ(Count(s.view, "vat_breakdown"), 1u);
  EXPECT_EQ(S(M(s.view, "vat_breakdown").items[0], "tax_amount"), "4.40");
  EXPECT_EQ(S(M(s.view, "seller"), "endpoint"), "0191:12345678");
}

TEST(ViewJsonTest, ByteOrderMarkAndLeadingSpaceAreSkipped) {
  // XML allows no white space before its declaration; JSON allows it anywhere.
  Shown xml = Show("\xEF\xBB\xBF" + ReadFile(kCiiExample1));
  ASSERT_TRUE(xml.ok);
  EXPECT_EQ(xml.format, "cii");
  Shown json = Show("\xEF\xBB\xBF \n" + ReadFile(kJsonCorpus / "credit-note-minimal.json"));
  ASSERT_TRUE(json.ok);
  EXPECT_EQ(json.format, "json");
}

TEST(ViewJsonTest, RootStartTagWithGreaterThanInAnAttributeIsStillRecognised) {
  // The cheap sniff stops at the first '>'; the whole document is then parsed instead.
  std::string xml = ReadFile(kUblExample1);
  const size_t at = xml.find("<Invoice ");
  ASSERT_NE(at, std::string::npos);
  xml.insert(at + 9, "data-note=\"a>b\" ");
  Shown s = Show(xml);
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.format, "ubl");
  EXPECT_EQ(S(s.view, "number"), "12115118");
}

// Every format of the registry that has a reader is recognised: a document written by it is read
// back by the reader of its syntax. A new readable format fails here until the detection knows it.
TEST(ViewJsonTest, EveryRegisteredReadableFormatIsRecognised) {
  const std::map<std::string, std::string> kSyntaxOf = {
      {"json", "json"},         {"ubl", "ubl"},
      {"xrechnung-ubl", "ubl"}, {"cii", "cii"},
      {"xrechnung-cii", "cii"}, {"facturx", "cii"},
      {"facturx-basic", "cii"}, {"ee-einvoice", "ee-einvoice"},
      {"finvoice", "finvoice"},
  };
  const std::string source = ReadFile(kJsonCorpus / "payment-credit-transfer-multi.json");
  const std::map<std::string, Routing> kRouting = {
      {"ee-einvoice", {{"file_id", "F-1"}, {"reg_number", "40003000001"}}},
      {"finvoice",
       {{"sender_intermediator", "HABALV22"},
        {"receiver_intermediator", "HABALV22"},
        {"timestamp", "2026-05-30T10:00:00+03:00"}}},
  };
  size_t recognised = 0;
  for (const std::string& name : Registry().Names()) {
    const FormatInfo* info = *Registry().Find(name);
    if (!info->read) continue;
    auto syntax = kSyntaxOf.find(name);
    if (syntax == kSyntaxOf.end()) {
      ADD_FAILURE() << "format '" << name
                    << "' has a reader that ReadStoredInvoice does not recognise";
      continue;
    }
    std::vector<WriteOptions> variants(1);
    if (kRouting.count(name)) variants[0].routing = kRouting.at(name);
    if (info->has_envelope) {
      variants.push_back(variants[0]);
      variants.back().envelope = true;
    }
    for (const WriteOptions& options : variants) {
      auto written = Convert(Registry(), "json", name, source, nullptr, true, options);
      ASSERT_TRUE(written.has_value()) << name << ": " << written.error().ToString();
      Shown s = Show(*written);
      ASSERT_TRUE(s.ok) << name;
      EXPECT_EQ(s.format, syntax->second) << name << (options.envelope ? " with its envelope" : "");
      EXPECT_EQ(S(s.view, "number"), "DT-2026-0530") << name;
      EXPECT_GT(Count(M(s.view, "payment"), "accounts"), 0u) << name;
      ++recognised;
    }
  }
  EXPECT_EQ(recognised, kSyntaxOf.size() + 1);  // and Finvoice once more behind its SOAP frame
}

struct Refusal {
  const char* what;
  std::string text;
  const char* media_type;
  const char* message_part;  // in the message or in a finding's message
  const char* rule;          // a finding's rule, or "" for none expected
};

std::string Explain(const Error& e) {
  std::string all = e.message();
  for (const Finding& f : e.findings()) all += " | " + f.rule + ": " + f.message;
  return all;
}

bool HasRule(const Error& e, std::string_view rule) {
  for (const Finding& f : e.findings()) {
    if (f.rule == rule) return true;
  }
  return false;
}

TEST(ViewJsonTest, HostileOrUnreadableDocumentsAreRefusedClearly) {
  const std::string ubl_root =
      R"(<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">)";
  const std::vector<Refusal> kCases = {
      {"an entity declared before a UBL root",
       "<?xml version=\"1.0\"?>\n<!DOCTYPE Invoice [<!ENTITY x \"boom\">]>\n" + ubl_root +
           "&x;</Invoice>",
       "", "DOCTYPE", "xml.doctype"},
      {"an external entity",
       "<!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>" + ubl_root +
           "<ID>&e;</ID></Invoice>",
       "", "DOCTYPE", "xml.doctype"},
      {"entity expansion before an unknown root",
       "<!DOCTYPE lolz [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><lolz>&b;</lolz>", "",
       "DOCTYPE", "xml.doctype"},
      {"an unknown root in a namespace",
       R"(<o:Order xmlns:o="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>)",
       "application/xml",
       "an XML document with root element "
       "{urn:oasis:names:specification:ubl:schema:xsd:Order-2}Order, which no "
       "reader of this gateway reads",
       ""},
      {"a UBL name in another namespace",
       R"(<Invoice xmlns="urn:example:not-ubl"><ID>1</ID></Invoice>)", "",
       "root element {urn:example:not-ubl}Invoice, which no reader", ""},
      {"a root without a namespace", "<Invoice><ID>1</ID></Invoice>", "",
       "root element Invoice (in no namespace), which no reader", ""},
      {"Finvoice in a namespace", R"(<Finvoice xmlns="urn:example"/>)", "", "{urn:example}Finvoice",
       ""},
      {"a SOAP envelope without Finvoice",
       R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>)",
       "", "{http://schemas.xmlsoap.org/soap/envelope/}Envelope", ""},
      {"truncated UBL", ubl_root + "<cbc:ID>", "", "", "xml.syntax"},
      {"empty", "", "application/json", "empty", ""},
      {"white space", " \r\n\t", "", "empty", ""},
      {"a PDF", "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", "application/pdf", "a PDF document", ""},
      {"a JSON array", R"([{"number": "1"}])", "application/json", "JSON array", ""},
      {"plain text", "hello", "text/plain", "neither JSON nor XML, stored as text/plain", ""},
      {"plain text said to be JSON", "hello", "application/json; charset=utf-8", "", "json.syntax"},
      {"plain text said to be XML", "hello", "application/xml", "", "xml.syntax"},
  };
  for (const Refusal& c : kCases) {
    std::string format = "unchanged";
    auto read = ReadStoredInvoice(Registry(), c.text, c.media_type, &format);
    ASSERT_FALSE(read.has_value()) << c.what;
    const Error& e = read.error();
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << c.what;
    EXPECT_NE(Explain(e).find(c.message_part), std::string::npos) << c.what << ": " << Explain(e);
    if (*c.rule != '\0') {
      EXPECT_TRUE(HasRule(e, c.rule)) << c.what << ": " << Explain(e);
    }
    EXPECT_EQ(Explain(e).find("root:"), std::string::npos) << c.what << ": an entity was expanded";
    EXPECT_EQ(Explain(e).find("boom"), std::string::npos) << c.what << ": an entity was expanded";
    EXPECT_NE(format, "unchanged") << c.what;
  }
}

TEST(ViewJsonTest, FormatUsedNamesTheReaderThatFailed) {
  std::string format;
  auto read = ReadStoredInvoice(Registry(), R"({"number": 1})", "", &format);
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(format, "json");
  auto doctype =
      ReadStoredInvoice(Registry(),
                        "<!DOCTYPE x [<!ENTITY e \"e\">]><rsm:CrossIndustryInvoice xmlns:rsm=\"" +
                            std::string(xml::kCiiNs) + "\"/>",
                        "", &format);
  ASSERT_FALSE(doctype.has_value());
  EXPECT_EQ(format, "cii");
  EXPECT_TRUE(HasRule(doctype.error(), "xml.doctype")) << Explain(doctype.error());
  auto unknown = ReadStoredInvoice(Registry(), "<Order/>", "", &format);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(format, "");
}

TEST(ViewJsonTest, FormatMissingFromTheRegistryIsNamed) {
  FormatRegistry only_json;
  ReadFn read = [](std::string_view, std::vector<Finding>&) -> Result<model::Invoice> {
    return model::Invoice{};
  };
  ASSERT_TRUE(
      only_json.Register({"json", "test", "application/json", ".json", read, {}}).has_value());
  auto r = ReadStoredInvoice(only_json, ReadFile(kUblExample1), "", nullptr);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("'ubl'"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace gw::formats::json
