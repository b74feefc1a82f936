// The ERP JSON writer: the documented shape, exact numbers, reported losses, its registration, and
// round trips through the reader on the valid JSON corpus and on every UBL example of ../shared.
#include "formats/json/json_writer.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "formats/calc/calculator.h"
#include "formats/codelists/codelists.h"
#include "formats/json/json_reader.h"
#include "formats/json/json_value.h"
#include "formats/registry/builtin.h"
#include "formats/registry/format_registry.h"
#include "formats/ubl/ubl_reader.h"
#include "formats/ubl/ubl_writer.h"
#include "formats/validation/validator.h"
#include "tests/formats/model_dump.h"
#include "tests/formats/test_invoices.h"

namespace gw::formats::json {
namespace {

namespace fs = std::filesystem;

using gw::testing::InvoiceJson;
using gw::testing::ReadFile;

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size() && i < 25; ++i) out += "\n    " + lines[i];
  if (lines.size() > 25) out += "\n    ... " + std::to_string(lines.size() - 25) + " more";
  return out;
}

std::string Describe(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings)
    out += "\n    " + f.location + ": " + f.message + " [" + f.rule + "]";
  return out;
}

// The JSON reader keeps BG-22 as the ERP sent it (declared_totals; the calculator completes and
// checks it). The model as the document states it, for comparing with a model read from UBL, which
// holds its totals in both places (ubl_reader.cc, ReadMonetaryTotal).
model::Invoice AsDeclared(model::Invoice inv) {
  const model::DeclaredTotals& d = inv.declared_totals;
  model::Totals& t = inv.totals;
  t.line_net_total = d.line_net_total.value_or(Decimal());
  t.allowance_total = d.allowance_total;
  t.charge_total = d.charge_total;
  t.tax_exclusive = d.tax_exclusive.value_or(Decimal());
  t.vat_total = d.vat_total.value_or(Decimal());
  t.tax_inclusive = d.tax_inclusive.value_or(Decimal());
  t.payable = d.payable.value_or(Decimal());
  return inv;
}

// The format has separate arrays for allowances (BG-20, BG-27) and charges (BG-21, BG-28), the
// model one list: their relative order is no business term. Allowances first, as the reader gives.
model::Invoice AllowancesFirst(model::Invoice inv) {
  auto allowances_first = [](std::vector<model::AllowanceCharge>& list) {
    std::stable_partition(list.begin(), list.end(),
                          [](const model::AllowanceCharge& ac) { return !ac.is_charge; });
  };
  allowances_first(inv.allowances_charges);
  for (model::Line& line : inv.lines) allowances_first(line.allowances_charges);
  return inv;
}

std::string UblOf(const model::Invoice& inv) {
  auto xml = ubl::WriteInvoice(inv);
  return xml ? *xml : "error: " + xml.error().ToString();
}

// The lines of the two UBL texts that differ (for readable failures).
std::vector<std::string> LineDiff(const std::string& a, const std::string& b) {
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
      if (i == s.size() || s[i] == '\n' || (s[i] == '>' && i + 1 < s.size() && s[i + 1] == '<')) {
        out.push_back(s.substr(start, i + (i < s.size() && s[i] == '>') - start));
        start = i + 1;
      }
    }
    return out;
  };
  std::vector<std::string> la = split(a), lb = split(b), out;
  size_t i = 0;
  while (i < la.size() && i < lb.size() && la[i] == lb[i]) ++i;
  for (size_t k = i; k < la.size() && k < i + 5; ++k) out.push_back("- " + la[k]);
  for (size_t k = i; k < lb.size() && k < i + 5; ++k) out.push_back("+ " + lb[k]);
  return out;
}

// `inv` without the terms that `losses` name (the writer's documented losses), so that what
// remains must come back exactly. An unknown loss location fails the test.
model::Invoice WithoutLosses(model::Invoice inv, const std::vector<Finding>& losses) {
  for (const Finding& f : losses) {
    EXPECT_EQ(f.rule, "json.lost") << f.location;
    EXPECT_EQ(f.severity, Finding::Severity::kWarning) << f.location;
    const std::string& p = f.location;
    size_t line = 0, index = 0;
    char tail[64] = {};
    if (std::sscanf(p.c_str(), "/buyer/identifiers/%zu", &index) == 1) {
      inv.buyer.identifiers.resize(std::min(inv.buyer.identifiers.size(), size_t{1}));
    } else if (p == "/buyer/tax_registration_id") {
      inv.buyer.tax_registration_id.clear();
    } else if (p == "/buyer/legal_info") {
      inv.buyer.legal_info.clear();
    } else if (std::sscanf(p.c_str(), "/lines/%zu/price/%63s", &line, tail) == 2 &&
               line < inv.lines.size()) {
      if (std::string(tail) == "discount") {
        inv.lines[line].price.discount.reset();
      } else if (std::string(tail) == "base_unit") {
        inv.lines[line].price.base_unit.clear();
      } else {
        ADD_FAILURE() << "unexpected loss location " << p;
      }
    } else if (std::sscanf(p.c_str(), "/lines/%zu/allowances_charges/%zu/%63s", &line, &index,
                           tail) == 3 &&
               line < inv.lines.size() && index < inv.lines[line].allowances_charges.size()) {
      model::AllowanceCharge& ac = inv.lines[line].allowances_charges[index];
      if (std::string(tail) == "vat") {
        ac.vat = {};
      } else if (std::string(tail) == "exemption_reason") {
        ac.exemption_reason.clear();
        ac.exemption_reason_code.clear();
      } else {
        ADD_FAILURE() << "unexpected loss location " << p;
      }
    } else {
      ADD_FAILURE() << "unexpected loss location " << p;
    }
  }
  return inv;
}

std::vector<fs::path> JsonCorpus() {
  std::vector<fs::path> out;
  const fs::path dir = fs::path(EIGW_SOURCE_DIR) / "tests" / "data" / "json" / "valid";
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The UBL Invoice and CreditNote samples of ../shared (not envelopes): the official examples and
// the XRechnung and RO_CIUS samples, as the CII round trip finds them.
std::vector<fs::path> UblExamples() {
  std::vector<fs::path> out;
  for (const char* dir :
       {"conformance/examples", "formats/xrechnung/testsuite", "formats/ro-cius/samples"}) {
    const fs::path root = fs::path(EIGW_SHARED_DIR) / dir;
    if (!fs::is_directory(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".xml") continue;
      std::string head = ReadFile(entry.path()).substr(0, 4096);
      if (head.find("StandardBusinessDocument") != std::string::npos) continue;
      if (head.find("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2") !=
              std::string::npos ||
          head.find("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2") !=
              std::string::npos) {
        out.push_back(entry.path());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Base64 without its layout whitespace, as the writer gives it (the same attachment bytes).
model::Invoice BareBase64(model::Invoice inv) {
  for (model::SupportingDocument& d : inv.documents) {
    if (!d.attachment) continue;
    std::string& content = d.attachment->content_base64;
    content.erase(
        std::remove_if(content.begin(), content.end(),
                       [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }),
        content.end());
  }
  return inv;
}

// The value at a JSON pointer of our own paths (no "~" escapes), or "".
std::string ValueAt(const JsonValue& root, const std::string& pointer) {
  const JsonValue* v = &root;
  size_t at = 1;
  while (v != nullptr && at <= pointer.size()) {
    size_t end = pointer.find('/', at);
    const std::string part =
        pointer.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (v->is_array()) {
      size_t i = std::strtoul(part.c_str(), nullptr, 10);
      v = i < v->items.size() ? &v->items[i] : nullptr;
    } else {
      v = Get(*v, part);
    }
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return v != nullptr && (v->is_string() || v->is_number()) ? std::string(v->text) : "";
}

bool EndsWith(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Why the JSON reader may refuse a written value of received document `a`: the official rule the
// document breaks (to be confirmed by the validator), or, prefixed "input:", a stricter check the
// reader makes on ERP input that received documents need not meet (the predicate on the value
// confirms it). "" for a finding about the JSON's shape, which the writer must never cause.
std::string WhyRefused(const Finding& f, const model::Invoice& a, const std::string& value) {
  if (f.rule.rfind("json.", 0) != 0) return f.rule;  // PEPPOL-COMMON-R049, BR-..., UBL-SR-...
  if (f.rule == "json.code" && EndsWith(f.location, "/electronic_address/scheme"))
    return "PEPPOL-EN16931-CL008";
  if (f.rule == "json.required" && f.location == "/seller/name") return "BR-06";
  if (f.rule == "json.required" && f.location == "/buyer/name") return "BR-07";
  // BT-14 without BT-13: UBL writes BT-13 "NA" then; the reader wants BT-13 stated.
  if (f.rule == "json.required" && f.location == "/purchase_order_reference" &&
      !a.sales_order_reference.empty() && a.purchase_order_reference.empty()) {
    return "input: sales order reference without purchase order reference";
  }
  // BR-CL-22 compares VATEX codes upper-cased; the reader takes them in upper case only.
  if (f.rule == "json.code" && EndsWith(f.location, "/exemption_reason_code")) {
    std::string upper = value;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper != value && codelists::IsVatExemptionCode(upper))
      return "input: VATEX code in lower case";
  }
  // The reader takes the type codes of the Peppol billing profile (PEPPOL-EN16931-P0100/P0101),
  // which bind only documents of that profile.
  if (f.rule == "json.code" && f.location == "/type_code") {
    if (a.business_process == ubl::kPeppolBis3ProfileId) {
      return a.kind == model::DocumentKind::kCreditNote ? "PEPPOL-EN16931-P0101"
                                                        : "PEPPOL-EN16931-P0100";
    }
    return "input: type code outside the Peppol billing profile";
  }
  // XRechnung's extension for the Clean Vehicles Directive classifies items with list "CVD".
  if (f.rule == "json.code" && EndsWith(f.location, "/list_id") && value == "CVD" &&
      a.specification_id.find("xrechnung") != std::string::npos) {
    return "input: XRechnung CVD item classification";
  }
  return "";
}

// A complete invoice read from ERP JSON.
model::Invoice Completed(const std::string& text) {
  auto inv = ReadInvoice(text);
  EXPECT_TRUE(inv.has_value()) << inv.error().ToString();
  if (!inv) return {};
  Status st = calc::Complete(*inv);
  EXPECT_TRUE(st.has_value()) << st.error().ToString();
  return std::move(*inv);
}

TEST(JsonWriterTest, WritesTheDocumentedShapeInOrder) {
  model::Invoice inv = Completed(InvoiceJson(
      R"([{"quantity": "2", "unit": "HUR", "price": "60.00", "vat_category": "S", "vat_rate": "22",
           "item": {"name": "Consulting"}}])",
      R"("due_date": "2026-12-02", "notes": ["Thanks"],)"));
  auto text = WriteInvoice(inv);
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  EXPECT_EQ(
      *text,
      R"({"type":"invoice","number":"T-1","issue_date":"2026-11-02","type_code":"380","currency":"EUR",)"
      R"("due_date":"2026-12-02","buyer_reference":"R1","notes":["Thanks"],)"
      R"("seller":{"name":"Seller OÜ","vat_id":"EE102345678",)"
      R"("electronic_address":{"id":"12345678","scheme":"0191"},"address":{"city":"Tallinn","country":"EE"}},)"
      R"("buyer":{"name":"Buyer SIA","vat_id":"LV40003000001",)"
      R"("electronic_address":{"id":"LV40003000001","scheme":"9939"},"address":{"city":"Riga","country":"LV"}},)"
      R"("lines":[{"id":"1","quantity":"2","unit":"HUR","net_amount":"120.00","price":"60.00",)"
      R"("vat_category":"S","vat_rate":"22","item":{"name":"Consulting"}}],)"
      R"("vat_breakdown":[{"category":"S","rate":"22","taxable_amount":"120.00","tax_amount":"26.40"}],)"
      R"("totals":{"line_net_total":"120.00","tax_exclusive":"120.00","vat_total":"26.40",)"
      R"("tax_inclusive":"146.40","payable":"146.40"}})"
      "\n");
}

TEST(JsonWriterTest, NumbersAreExactDecimalStrings) {
  model::Invoice inv = Completed(InvoiceJson(
      R"([{"quantity": 0.0001, "unit": "KGM", "price": {"gross": "1234567890123.123456", "discount": "0.000006",
           "base_quantity": "1000", "base_unit": "KGM"}, "vat_category": "S", "vat_rate": 21.5,
           "item": {"name": "Dust"}}])"));
  auto text = WriteInvoice(inv);
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  EXPECT_NE(text->find(R"("quantity":"0.0001")"), std::string::npos) << *text;
  EXPECT_NE(text->find(R"("price":{"net":"1234567890123.123450","gross":"1234567890123.123456",)"
                       R"("discount":"0.000006","base_quantity":"1000","base_unit":"KGM"})"),
            std::string::npos)
      << *text;
  EXPECT_NE(text->find(R"("vat_rate":"21.5")"), std::string::npos) << *text;
  auto back = ReadInvoice(*text);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(back->lines[0].price.net.ToString(), "1234567890123.123450");
  EXPECT_EQ(back->lines[0].quantity.ToString(), "0.0001");
}

TEST(JsonWriterTest, OmitsAbsentTermsAndEscapesText) {
  model::Invoice inv = Completed(InvoiceJson(R"([{"quantity": "1", "unit": "C62", "price": "5",
      "vat_category": "S", "vat_rate": "22", "item": {"name": "Quote \" back\\slash\ttab"}}])"));
  inv.payee = model::Payee{"Factor \"A\"\nLine 2", {}, {}};
  inv.delivery = model::Delivery{};  // present but empty: nothing to state
  auto text = WriteInvoice(inv);
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  for (const char* absent : {"\"delivery\"", "\"tax_currency\"", "\"payment\"", "\"allowances\"",
                             "\"charges\"", "\"documents\"", "\"identifier\"", "\"contact\"",
                             "\"line1\"", "\"prepaid\"", "\"allowance_total\"", "null", "\"\""}) {
    EXPECT_EQ(text->find(absent), std::string::npos) << absent << " in " << *text;
  }
  EXPECT_NE(text->find(R"("name":"Quote \" back\\slash\ttab")"), std::string::npos) << *text;
  EXPECT_NE(text->find(R"("payee":{"name":"Factor \"A\"\nLine 2"})"), std::string::npos) << *text;
  auto back = ReadInvoice(*text);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(back->lines[0].item.name, "Quote \" back\\slash\ttab");
  EXPECT_EQ(back->payee->name, "Factor \"A\"\nLine 2");
}

TEST(JsonWriterTest, CreditNoteSeveralAccountsAndCodedNotes) {
  model::Invoice inv = Completed(InvoiceJson(
      R"([{"quantity": "1", "unit": "C62", "price": "5", "vat_category": "S", "vat_rate": "22",
           "item": {"name": "Thing"}}])",
      R"("type": "credit_note", "notes": [{"subject_code": "AAI", "text": "Returned"}],
         "payment": {"means_code": "58", "credit_transfer": [{"account_id": "EE382200221020145685"},
                     {"account_id": "LV80BANK0000435195001", "bank_id": "HABALV22"}]},)"));
  auto text = WriteInvoice(inv);
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  EXPECT_EQ(
      text->rfind(
          R"({"type":"credit_note","number":"T-1","issue_date":"2026-11-02","type_code":"381",)",
          0),
      0u)
      << *text;
  EXPECT_NE(text->find(R"("notes":[{"subject_code":"AAI","text":"Returned"}])"), std::string::npos)
      << *text;
  EXPECT_NE(text->find(R"("credit_transfer":[{"account_id":"EE382200221020145685"},)"
                       R"({"account_id":"LV80BANK0000435195001","bank_id":"HABALV22"}])"),
            std::string::npos)
      << *text;
}

TEST(JsonWriterTest, ReportsTermsTheFormatCannotHold) {
  model::Invoice inv = Completed(InvoiceJson(R"([{"quantity": "1", "unit": "C62", "price": "5",
      "vat_category": "S", "vat_rate": "22", "item": {"name": "Thing"}}])"));
  inv.buyer.identifiers = {{"4000001000005", "0088"}, {"LV-77", ""}};
  inv.buyer.tax_registration_id = "LV-TAX-1";
  inv.buyer.legal_info = "SIA";
  inv.lines[0].price.discount = D("0.50");  // without a gross price
  inv.lines[0].price.base_unit = "KGM";     // not the line's unit
  model::AllowanceCharge line_allowance;
  line_allowance.amount = D("1.00");
  line_allowance.reason = "Promo";
  line_allowance.vat = {"S", D("22")};
  inv.lines[0].allowances_charges.push_back(line_allowance);
  std::vector<Finding> losses;
  auto text = WriteInvoice(inv, &losses);
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  std::vector<std::string> where;
  for (const Finding& f : losses) {
    EXPECT_EQ(f.rule, "json.lost");
    EXPECT_EQ(f.severity, Finding::Severity::kWarning);
    EXPECT_NE(f.message.find("BT-"), std::string::npos) << f.message;
    where.push_back(f.location);
  }
  EXPECT_EQ(where,
            (std::vector<std::string>{"/buyer/identifiers/1", "/buyer/tax_registration_id",
                                      "/buyer/legal_info", "/lines/0/allowances_charges/0/vat",
                                      "/lines/0/price/discount", "/lines/0/price/base_unit"}));
  // What was written is readable and the rest is kept.
  auto back = ReadInvoice(*text);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  ASSERT_EQ(back->buyer.identifiers.size(), 1u);
  EXPECT_EQ(back->buyer.identifiers[0].value, "4000001000005");
  EXPECT_FALSE(back->lines[0].price.discount.has_value());
  EXPECT_EQ(back->lines[0].allowances_charges.size(), 1u);
  // Nothing to report: nothing reported.
  losses.clear();
  ASSERT_TRUE(WriteInvoice(Completed(InvoiceJson(R"([{"quantity": "1", "unit": "C62", "price": "5",
      "vat_category": "S", "vat_rate": "22", "item": {"name": "Thing"}}])")),
                           &losses)
                  .has_value());
  EXPECT_TRUE(losses.empty()) << Describe(losses);
}

TEST(JsonWriterTest, RefusesAnOverflowedAmount) {
  model::Invoice inv = Completed(InvoiceJson(R"([{"quantity": "1", "unit": "C62", "price": "5",
      "vat_category": "S", "vat_rate": "22", "item": {"name": "Thing"}}])"));
  inv.totals.payable = Decimal::FromInt(1).DividedBy(Decimal(), 2);  // flagged overflow
  ASSERT_TRUE(inv.totals.payable.overflow());
  auto text = WriteInvoice(inv);
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(text.error().findings().size(), 1u);
  EXPECT_EQ(text.error().findings()[0].rule, "json.number");
  EXPECT_EQ(text.error().findings()[0].location, "/totals/payable");
}

TEST(JsonWriterTest, IsTheWriteOfTheJsonFormat) {
  FormatRegistry registry;
  ASSERT_TRUE(RegisterBuiltinFormats(registry).has_value());
  auto json = registry.Find("json");
  ASSERT_TRUE(json.has_value());
  ASSERT_TRUE(static_cast<bool>((*json)->read));
  ASSERT_TRUE(static_cast<bool>((*json)->write));
  EXPECT_EQ((*json)->media_type, "application/json");
  const std::string text = InvoiceJson(R"([{"quantity": "3", "unit": "HUR", "price": "120.00",
      "vat_category": "S", "vat_rate": "22", "item": {"name": "Consulting"}}])");
  auto ubl = Convert(registry, "json", "ubl", text);
  ASSERT_TRUE(ubl.has_value()) << ubl.error().ToString();
  std::vector<Finding> losses;
  auto written = Convert(registry, "ubl", "json", *ubl, &losses);
  ASSERT_TRUE(written.has_value()) << written.error().ToString();
  EXPECT_TRUE(losses.empty()) << Describe(losses);
  EXPECT_NE(written->find(R"("payable":"439.20")"), std::string::npos) << *written;
  // json -> json through the registry is a fixed point of the writer.
  auto again = Convert(registry, "json", "json", *written);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(*again, *written);
}

// Every valid ERP JSON invoice: read and completed, written, read back and completed, gives the
// same model (every term of the dump, and byte-identical UBL), and writing it again the same JSON.
TEST(JsonWriterTest, ValidCorpusRoundTrips) {
  std::vector<fs::path> files = JsonCorpus();
  ASSERT_GE(files.size(), 40u);
  for (const fs::path& path : files) {
    SCOPED_TRACE(path.filename().string());
    auto a = ReadInvoice(ReadFile(path));
    ASSERT_TRUE(a.has_value()) << a.error().ToString();
    ASSERT_TRUE(calc::Complete(*a).has_value());
    std::vector<Finding> losses;
    auto text = WriteInvoice(*a, &losses);
    ASSERT_TRUE(text.has_value()) << text.error().ToString();
    EXPECT_TRUE(losses.empty()) << Describe(losses);
    auto b = ReadInvoice(*text);
    ASSERT_TRUE(b.has_value()) << b.error().ToString() << "\n" << *text;
    // As written (no computation): the totals and breakdown the reader takes as declared.
    EXPECT_TRUE(b->vat_breakdown_given);
    std::vector<std::string> diff = testing::DiffModels(*a, AsDeclared(*b), {});
    EXPECT_TRUE(diff.empty()) << "as read back:" << Join(diff);
    ASSERT_TRUE(calc::Complete(*b).has_value()) << "the written totals do not check";
    diff = testing::DiffModels(*a, *b, {});
    EXPECT_TRUE(diff.empty()) << "completed:" << Join(diff);
    const std::string ubl_a = UblOf(*a), ubl_b = UblOf(*b);
    EXPECT_EQ(ubl_a, ubl_b) << Join(LineDiff(ubl_a, ubl_b));
    auto again = WriteInvoice(*b);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, *text);
  }
}

// Every UBL sample: UBL -> model -> JSON -> model gives the same UBL, but for the terms reported as
// lost (and only those differ). A sample whose JSON the reader refuses must break, in the source
// document, the official rule the refusal names (the reader checks ERP input by the Peppol rules;
// the written values are the document's): such samples are counted, their JSON checked by rule.
TEST(JsonWriterTest, UblExamplesRoundTrip) {
  std::vector<fs::path> files = UblExamples();
  ASSERT_GE(files.size(), 100u) << "UBL samples not found under " << EIGW_SHARED_DIR;
  size_t with_losses = 0, refused = 0, round_tripped = 0;
  std::map<std::string, size_t> refusals;  // why -> how many findings
  validation::ValidateOptions all_rules;
  all_rules.rules = {"en16931-ubl", "peppol-bis3"};
  for (const fs::path& path : files) {
    const std::string name = fs::relative(path, EIGW_SHARED_DIR).string();
    const std::string xml = ReadFile(path);
    auto a = ubl::ReadInvoice(xml);
    if (!a) {
      ADD_FAILURE() << name << " does not read: " << a.error().ToString();
      continue;
    }
    std::vector<Finding> losses;
    auto text = WriteInvoice(*a, &losses);
    if (!text) {
      ADD_FAILURE() << name << " does not write: " << text.error().ToString();
      continue;
    }
    with_losses += losses.empty() ? 0 : 1;
    auto b = ReadInvoice(*text);
    if (!b) {
      ++refused;
      auto report = validation::Validate(xml, all_rules);
      ASSERT_TRUE(report.has_value()) << report.error().ToString();
      std::vector<std::string> broken;
      for (const Finding& f : report->findings) broken.push_back(f.rule);
      auto written = Parse(*text);
      ASSERT_TRUE(written.has_value()) << name;
      for (const Finding& f : b.error().findings()) {
        const std::string why = WhyRefused(f, *a, ValueAt(*written, f.location));
        const bool official = !why.empty() && why.rfind("input:", 0) != 0;
        EXPECT_TRUE(!why.empty() &&
                    (!official || std::find(broken.begin(), broken.end(), why) != broken.end()))
            << name << ": the reader refuses the written JSON at " << f.location << " [" << f.rule
            << "], which the source document does not break: " << f.message << "\n"
            << *text;
        ++refusals[why.empty() ? f.rule : why];
      }
      continue;
    }
    ++round_tripped;
    const model::Invoice expected = AllowancesFirst(BareBase64(WithoutLosses(*a, losses)));
    const model::Invoice got = AllowancesFirst(AsDeclared(*b));
    std::vector<std::string> diff = testing::DiffModels(expected, got, {});
    EXPECT_TRUE(diff.empty()) << name << ":" << Join(diff) << Describe(losses);
    const std::string ubl_a = UblOf(expected), ubl_b = UblOf(got);
    EXPECT_EQ(ubl_a, ubl_b) << name << ":" << Join(LineDiff(ubl_a, ubl_b)) << Describe(losses);
    // A reported loss is a real one: without it the models differ.
    if (!losses.empty()) {
      EXPECT_FALSE(testing::DiffModels(AllowancesFirst(BareBase64(*a)), got, {}).empty() &&
                   UblOf(AllowancesFirst(BareBase64(*a))) == ubl_b)
          << name << ": losses reported but nothing differs" << Describe(losses);
    }
  }
  EXPECT_GE(round_tripped, 25u) << "too few samples read back";
  std::printf(
      "UBL -> JSON -> UBL: %zu samples, %zu read back and compared, %zu refused by the reader for "
      "a rule the source breaks; %zu with reported losses\n",
      files.size(), round_tripped, refused, with_losses);
  for (const auto& [why, n] : refusals) std::printf("  refused: %zu x %s\n", n, why.c_str());
}

// The written documents validate against docs/formats/invoice.schema.json (tests/formats/json/
// schema_check.py --documents); skipped without python3-jsonschema. The schema states the ERP
// input contract, Peppol's requirements included (an electronic address, BT-10 or BT-13, ...): a
// received document that breaks them (the reader refuses its JSON, see UblExamplesRoundTrip) cannot
// be described by it without invented terms, and is left out.
TEST(JsonWriterTest, WrittenDocumentsMatchTheSchema) {
  if (std::system("python3 -c 'import jsonschema' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 with jsonschema not found (apt-get install python3-jsonschema)";
  }
  std::string dir_template = (fs::temp_directory_path() / "eigw-json-writer-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir_template.data()), nullptr);
  const fs::path dir = dir_template;
  size_t n = 0;
  auto put = [&](const std::string& stem, const model::Invoice& inv) {
    auto text = WriteInvoice(inv);
    ASSERT_TRUE(text.has_value()) << stem << ": " << text.error().ToString();
    if (!ReadInvoice(*text)) return;
    std::ofstream(dir / (stem + "-" + std::to_string(n) + ".json"), std::ios::binary) << *text;
    ++n;
  };
  for (const fs::path& path : JsonCorpus())
    put("json-" + path.stem().string(), Completed(ReadFile(path)));
  const size_t corpus = n;
  for (const fs::path& path : UblExamples()) {
    auto inv = ubl::ReadInvoice(ReadFile(path));
    if (inv) put("ubl-" + path.stem().string(), *inv);
  }
  ASSERT_GE(corpus, 40u);
  ASSERT_GE(n - corpus, 25u);
  const std::string command = "python3 '" + std::string(EIGW_SOURCE_DIR) +
                              "/tests/formats/json/schema_check.py' --documents '" + dir.string() +
                              "' 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, got);
  int status = ::pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
  EXPECT_NE(output.find(std::to_string(n) + " passed, 0 failed"), std::string::npos) << output;
  std::printf("schema: %zu written documents checked\n", n);
  if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace gw::formats::json
