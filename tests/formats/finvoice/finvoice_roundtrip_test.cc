// Round trips through Finvoice 3.0 on real documents: every Finvoice sample of ../shared (the SOAP
// framed one too) and every invoice of the JSON corpus is written as Finvoice in UTF-8 and in
// ISO-8859-15, validated against Finvoice3.0.xsd (libxml2), and read back; the models must agree
// term by term (tests/formats/model_dump.h) except for the terms the writer reports lost, and each
// reported loss must show in the comparison. The SOAP frame is written, read back and stripped.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "formats/calc/calculator.h"
#include "formats/finvoice/finvoice_reader.h"
#include "formats/finvoice/finvoice_writer.h"
#include "formats/json/json_reader.h"
#include "formats/xml/xml_document.h"
#include "tests/formats/model_dump.h"
#include "tests/formats/test_invoices.h"

namespace gw::formats::finvoice {
namespace {

namespace fs = std::filesystem;

const fs::path kFinvoiceDir = fs::path(EIGW_SHARED_DIR) / "formats" / "finvoice";

// Finvoice3.0.xsd, compiled once, with a validation that returns the schema errors ("" = valid).
class Schema {
 public:
  static Schema& Get() {
    static Schema* schema = new Schema;
    return *schema;
  }
  bool loaded() const { return schema_ != nullptr; }

  std::string Validate(std::string_view document) {
    std::string errors;
    std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
        xmlReadMemory(document.data(), static_cast<int>(document.size()), "finvoice.xml", nullptr,
                      XML_PARSE_NONET),
        &xmlFreeDoc);
    if (!doc) return "not well-formed";
    std::unique_ptr<xmlSchemaValidCtxt, decltype(&xmlSchemaFreeValidCtxt)> ctxt(
        xmlSchemaNewValidCtxt(schema_), &xmlSchemaFreeValidCtxt);
    xmlSchemaSetValidStructuredErrors(ctxt.get(), &Collect, &errors);
    if (xmlSchemaValidateDoc(ctxt.get(), doc.get()) != 0 && errors.empty()) errors = "invalid";
    return errors;
  }

 private:
  Schema() {
    xml::InitializeXmlLibrary();
    const std::string path = (kFinvoiceDir / "xsd" / "Finvoice3.0.xsd").string();
    xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(path.c_str());
    if (parser != nullptr) {
      schema_ = xmlSchemaParse(parser);
      xmlSchemaFreeParserCtxt(parser);
    }
  }
  static void Collect(void* out, xmlErrorPtr error) {
    auto* errors = static_cast<std::string*>(out);
    if (errors->size() > 2000 || error == nullptr || error->message == nullptr) return;
    *errors += "line " + std::to_string(error->line) + ": " + error->message;
  }
  xmlSchemaPtr schema_ = nullptr;
};

// The Finvoice document of a written file: after the SOAP frame when there is one.
std::string_view FinvoicePart(std::string_view text) {
  size_t at = text.find("<?xml");
  return at == std::string_view::npos ? text : text.substr(at);
}

std::vector<fs::path> Samples() {
  std::vector<fs::path> out;
  for (const char* dir : {"energia-fi", "maventa"}) {
    for (const auto& e : fs::directory_iterator(kFinvoiceDir / "samples" / dir)) {
      if (e.path().extension() == ".xml") out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> PathsOf(const std::vector<Finding>& losses) {
  std::vector<std::string> out;
  for (const Finding& f : losses) out.push_back(f.location);
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size() && i < 25; ++i) out += "\n    " + lines[i];
  if (lines.size() > 25) out += "\n    ... " + std::to_string(lines.size() - 25) + " more";
  return out;
}

// A transmission for writing `t` back: what the document had, test values where it had none
// (the energia samples have no MessageTransmissionDetails).
Transmission Completed(Transmission t, const model::Invoice& inv) {
  if (t.sender_address.empty()) t.sender_address = "003712345678";
  if (t.sender_intermediator.empty()) t.sender_intermediator = "003701011385";
  if (t.receiver_address.empty()) t.receiver_address = "003787654321";
  if (t.receiver_intermediator.empty()) t.receiver_intermediator = "NDEAFIHH";
  if (t.message_id.empty()) t.message_id = inv.number;
  if (t.timestamp.empty()) t.timestamp = "2026-11-27T10:00:00+02:00";
  return t;
}

// Writes `original` in `encoding`, validates, reads back and compares. Returns false (with
// failures added) when a step fails.
bool RoundTrip(const std::string& name, const model::Invoice& original, const Transmission& t,
               const std::string& encoding, bool soap) {
  std::vector<Finding> losses;
  auto written = WriteInvoice(original, t, WriteOptions{encoding, soap}, &losses);
  if (!written) {
    ADD_FAILURE() << name << " (" << encoding << "): " << written.error().ToString();
    return false;
  }
  std::string errors = Schema::Get().Validate(FinvoicePart(*written));
  EXPECT_EQ(errors, "") << name << " (" << encoding << ") is not valid against Finvoice3.0.xsd";
  if (encoding == "ISO-8859-15") {
    // The declaration names the encoding: <?xml version="1.0" encoding="ISO-8859-15"?>
    EXPECT_EQ(written->find("encoding=\"ISO-8859-15\""),
              static_cast<size_t>(FinvoicePart(*written).data() - written->data()) + 20)
        << name;
  }
  auto reread = ReadInvoice(*written);
  if (!reread) {
    ADD_FAILURE() << name << " (" << encoding
                  << ") does not read back: " << reread.error().ToString();
    return false;
  }
  EXPECT_EQ(reread->encoding, encoding) << name;
  EXPECT_EQ(reread->had_soap_envelope, soap) << name;
  // A party without an electronic address (BT-34, BT-49) reads back with the message's sender
  // (receiver) address, which is then the party's own: that is a term gained, not lost.
  std::vector<std::string> excused = PathsOf(losses);
  if (original.seller.electronic_address.empty()) {
    excused.push_back("/seller/electronic_address");
    EXPECT_EQ(reread->invoice.seller.electronic_address.value(), t.sender_address) << name;
  }
  if (original.buyer.electronic_address.empty()) {
    excused.push_back("/buyer/electronic_address");
    EXPECT_EQ(reread->invoice.buyer.electronic_address.value(), t.receiver_address) << name;
  }
  std::vector<std::string> diff = testing::DiffModels(original, reread->invoice, excused);
  EXPECT_TRUE(diff.empty()) << name << " (" << encoding
                            << ") does not read back the same:" << Join(diff);
  // Every loss the writer reports shows in the comparison (it explains a difference).
  std::vector<std::string> all = testing::DiffModels(original, reread->invoice, {});
  for (const Finding& f : losses) {
    bool shows = std::any_of(all.begin(), all.end(), [&](const std::string& line) {
      return line.compare(2, f.location.size(), f.location) == 0;
    });
    EXPECT_TRUE(shows) << name << ": the loss at " << f.location << " (" << f.message
                       << ") changes nothing in the model read back";
  }
  return diff.empty() && errors.empty();
}

TEST(FinvoiceRoundTripTest, EverySampleReadsWritesValidatesAndReadsBackTheSame) {
  ASSERT_TRUE(Schema::Get().loaded())
      << "cannot load " << (kFinvoiceDir / "xsd" / "Finvoice3.0.xsd");
  std::vector<fs::path> samples = Samples();
  ASSERT_EQ(samples.size(), 10u);
  size_t round_trips = 0, framed = 0;
  for (const fs::path& path : samples) {
    const std::string name = path.filename().string();
    std::string text = testing::ReadFile(path);
    EXPECT_TRUE(LooksLikeFinvoice(text)) << name;
    // Every sample is valid as published (the SOAP one after its frame).
    EXPECT_EQ(Schema::Get().Validate(FinvoicePart(text)), "") << name;
    std::vector<Finding> read_losses;
    auto read = ReadInvoice(text, &read_losses);
    ASSERT_TRUE(read.has_value()) << name << ": " << read.error().ToString();
    EXPECT_EQ(read->encoding, "ISO-8859-15") << name;
    for (const Finding& f : read_losses) {
      EXPECT_EQ(f.rule, "finvoice.lost") << name;
      EXPECT_EQ(f.location.rfind("/Finvoice", 0), 0u) << name << ": " << f.location;
    }
    if (read->had_soap_envelope) {
      ++framed;
      // The frame's routing is read into the transmission (anon_finvoice_30_invoice_with_SOAP.xml).
      EXPECT_EQ(read->transmission.sender_address, "003721291126");
      EXPECT_EQ(read->transmission.receiver_intermediator, "003721291126");
      EXPECT_EQ(read->transmission.message_id, "20130134/1");
      EXPECT_EQ(read->transmission.timestamp, "2019-03-29T12:00:00");
    }
    Transmission t = Completed(read->transmission, read->invoice);
    bool ok = true;
    for (const char* encoding : {"UTF-8", "ISO-8859-15"}) {
      ok = RoundTrip(name, read->invoice, t, encoding, read->had_soap_envelope) && ok;
    }
    if (ok) ++round_trips;
  }
  EXPECT_EQ(framed, 1u);
  EXPECT_EQ(round_trips, samples.size());
  std::printf("Finvoice samples: %zu of %zu round-trip in UTF-8 and ISO-8859-15, XSD-valid\n",
              round_trips, samples.size());
}

// The invoices of the JSON corpus that have no credit transfer account (BT-84), which Finvoice's
// mandatory payment order needs: they are refused, naming BT-84.
const std::set<std::string> kWithoutCreditTransfer = {
    "credit-note-minimal.json", "minimal-one-line-no-optional.json", "payee-direct-debit-de.json",
    "payment-card.json",        "payment-direct-debit-dk-49.json",   "payment-direct-debit.json"};

TEST(FinvoiceRoundTripTest, JsonCorpusWritesValidFinvoiceAndReadsBackTheSame) {
  ASSERT_TRUE(Schema::Get().loaded());
  const fs::path corpus = fs::path(EIGW_SOURCE_DIR) / "tests" / "data" / "json" / "valid";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(corpus)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 50u);
  size_t written = 0, refused = 0;
  for (const fs::path& path : files) {
    const std::string name = path.filename().string();
    auto invoice = json::ReadInvoice(testing::ReadFile(path));
    ASSERT_TRUE(invoice.has_value()) << name << ": " << invoice.error().ToString();
    ASSERT_TRUE(calc::Complete(*invoice).has_value()) << name;
    std::map<std::string, std::string, std::less<>> routing = {
        {"sender_intermediator", "003701011385"},
        {"receiver_intermediator", "NDEAFIHH"},
        {"timestamp", "2026-11-27T10:00:00+02:00"}};
    if (invoice->seller.electronic_address.empty()) routing["sender_address"] = "003712345678";
    if (invoice->buyer.electronic_address.empty()) routing["receiver_address"] = "003787654321";
    auto t = TransmissionFromRouting(routing, *invoice);
    ASSERT_TRUE(t.has_value()) << name << ": " << t.error().ToString();
    if (kWithoutCreditTransfer.count(name) > 0) {
      auto refusal = WriteInvoice(*invoice, *t, WriteOptions{});
      ASSERT_FALSE(refusal.has_value()) << name << " has no credit transfer and must be refused";
      const auto& findings = refusal.error().findings();
      EXPECT_TRUE(std::any_of(findings.begin(), findings.end(),
                              [](const Finding& f) {
                                return f.rule == "finvoice.required" &&
                                       f.message.find("BT-84") != std::string::npos;
                              }))
          << name << ": " << refusal.error().ToString();
      ++refused;
      continue;
    }
    bool ok = true;
    for (const char* encoding : {"UTF-8", "ISO-8859-15"})
      ok = RoundTrip(name, *invoice, *t, encoding, false) && ok;
    if (ok) ++written;
  }
  EXPECT_EQ(refused, kWithoutCreditTransfer.size());
  EXPECT_EQ(written + refused, files.size());
  std::printf(
      "JSON corpus: %zu invoices round-trip through Finvoice (XSD-valid, UTF-8 and ISO-8859-15), "
      "%zu refused for want of a credit transfer account (BT-84)\n",
      written, refused);
}

TEST(FinvoiceRoundTripTest, SoapFrameIsWrittenReadBackAndStripped) {
  const fs::path path =
      fs::path(EIGW_SOURCE_DIR) / "tests" / "data" / "json" / "valid" / "vat-s-basic.json";
  auto invoice = json::ReadInvoice(testing::ReadFile(path));
  ASSERT_TRUE(invoice.has_value());
  ASSERT_TRUE(calc::Complete(*invoice).has_value());
  Transmission t;
  t.sender_address = "003712345678";
  t.sender_address_scheme = "0037";
  t.sender_intermediator = "OKOYFIHH";
  t.receiver_address = "FI7429501800000014";
  t.receiver_intermediator = "NDEAFIHH";
  t.message_id = "MSG-2026-0001";
  t.timestamp = "2026-11-27T10:00:00+02:00";
  t.ref_to_message_id = "MSG-2026-0000";
  for (const char* encoding : {"UTF-8", "ISO-8859-15"}) {
    auto written = WriteInvoice(*invoice, t, WriteOptions{encoding, true});
    ASSERT_TRUE(written.has_value()) << written.error().ToString();
    // The frame comes first, without a declaration of its own, as in the forwarding service's
    // files.
    ASSERT_EQ(written->rfind("<SOAP-ENV:Envelope", 0), 0u);
    EXPECT_NE(written->find("<eb:CPAId>yoursandmycpa</eb:CPAId>"), std::string::npos);
    EXPECT_NE(written->find("<eb:Action>ProcessInvoice</eb:Action>"), std::string::npos);
    EXPECT_NE(written->find("xlink:href=\"MSG-2026-0001\""), std::string::npos);
    EXPECT_LT(written->find("</SOAP-ENV:Envelope>"), written->find("<?xml"));
    EXPECT_TRUE(LooksLikeFinvoice(*written));
    EXPECT_EQ(Schema::Get().Validate(FinvoicePart(*written)), "");
    auto read = ReadInvoice(*written);
    ASSERT_TRUE(read.has_value()) << read.error().ToString();
    EXPECT_TRUE(read->had_soap_envelope);
    EXPECT_EQ(read->encoding, encoding);
    const Transmission& r = read->transmission;
    EXPECT_EQ(r.sender_address, t.sender_address);
    EXPECT_EQ(r.sender_address_scheme, t.sender_address_scheme);
    EXPECT_EQ(r.sender_intermediator, t.sender_intermediator);
    EXPECT_EQ(r.receiver_address, t.receiver_address);
    EXPECT_EQ(r.receiver_intermediator, t.receiver_intermediator);
    EXPECT_EQ(r.message_id, t.message_id);
    EXPECT_EQ(r.timestamp, t.timestamp);
    EXPECT_EQ(r.ref_to_message_id, t.ref_to_message_id);
    // The frame is stripped: what is read is the invoice, nothing of the envelope.
    std::vector<Finding> losses;
    auto again = WriteInvoice(*invoice, t, WriteOptions{encoding, true}, &losses);
    ASSERT_TRUE(again.has_value());
    std::vector<std::string> diff = testing::DiffModels(*invoice, read->invoice, PathsOf(losses));
    EXPECT_TRUE(diff.empty()) << Join(diff);
  }
}

}  // namespace
}  // namespace gw::formats::finvoice
