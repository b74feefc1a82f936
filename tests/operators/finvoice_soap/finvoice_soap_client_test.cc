// The finvoice-soap client against the stand-in Finnish operator (finvoice_standin.py) over HTTPS
// on loopback, with a throw-away test PKI: frame, bytes, duplicates, TLS trust, answers.
#include "operators/finvoice_soap/finvoice_soap_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "formats/finvoice/finvoice_reader.h"
#include "formats/registry/builtin.h"
#include "tests/operators/finvoice_soap/finvoice_standin.h"

namespace gw::operators {
namespace {

namespace fsys = std::filesystem;
using standin::ReadFile;
using standin::StandIn;
using standin::TempDir;

constexpr int64_t kNow = 1764266462345;  // 2025-11-27T18:01:02.345Z
const fsys::path kSamples = fsys::path(EIGW_SHARED_DIR) / "formats" / "finvoice" / "samples";

class FinvoiceSoapClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    if (dir_->path().empty()) {
      error_ = "cannot make a temporary folder";
      return;
    }
    error_ = standin::MakeTestPki(pki());
    if (!error_.empty()) return;
    standin_ =
        StandIn::Start(pki(), dir_->path() / "record", {"--require-client-cert"}, error_).release();
    if (standin_ == nullptr) return;
    control_ = new HttpClient(TlsOptions());
  }
  static void TearDownTestSuite() {
    delete control_;
    delete standin_;
    delete dir_;
    control_ = nullptr, standin_ = nullptr, dir_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(error_.empty()) << error_;
    ASSERT_EQ(standin_->Control(*control_, "reset"), "200 ok\n");
  }

  static fsys::path pki() { return dir_->path() / "pki"; }
  static HttpOptions TlsOptions() {
    HttpOptions o;
    o.ca_file = (pki() / "ca.pem").string();
    o.client_cert = (pki() / "signer-rsa.pem").string();
    o.client_key = (pki() / "signer-rsa.key").string();
    return o;
  }
  static OperatorSettings Settings() {
    OperatorSettings s;
    s.id = "fi-bank";
    s.protocol = "finvoice-soap";
    s.url = standin_ != nullptr ? standin_->url() : "https://127.0.0.1:1/finvoice";
    s.formats = {"finvoice"};
    s.timeout_ms = 10000;
    s.connect_timeout_ms = 5000;
    s.settings = {{"ca_file", (pki() / "ca.pem").string()},
                  {"client_cert", (pki() / "signer-rsa.pem").string()},
                  {"client_key", (pki() / "signer-rsa.key").string()},
                  {"sender_intermediator", "HELSFIHH"},
                  {"receiver_intermediator", "NDEAFIHH"}};
    return s;
  }
  static std::unique_ptr<FinvoiceSoapClient> Client(const OperatorSettings& s = Settings()) {
    auto c = FinvoiceSoapClient::Create(s, [] { return kNow; });
    EXPECT_TRUE(c) << (c ? "" : c.error().ToString());
    return c ? std::move(c).value() : nullptr;
  }
  // A Finvoice document our writer makes from the JSON corpus, in ISO-8859-15, without frame.
  static std::string WrittenFinvoice(const std::string& message_id) {
    formats::FormatRegistry registry;
    EXPECT_TRUE(formats::RegisterBuiltinFormats(registry));
    formats::WriteOptions options;
    options.routing = {{"sender_intermediator", "HELSFIHH"},
                       {"receiver_intermediator", "NDEAFIHH"},
                       {"message_id", message_id},
                       {"timestamp", "2026-11-27T10:00:00+02:00"}};
    options.encoding = "ISO-8859-15";
    const std::string json = ReadFile(fsys::path(EIGW_SOURCE_DIR) / "tests" / "data" / "json" /
                                      "valid" / "complete-all-fields.json");
    auto written = formats::Convert(registry, "json", "finvoice", json, nullptr, true, options);
    EXPECT_TRUE(written) << (written ? "" : written.error().ToString());
    return written ? std::move(written).value() : "";
  }
  static Delivery MakeDelivery(const std::string& message_id, std::string_view document) {
    Delivery d;
    d.message_id = message_id;
    d.tenant_id = "t1";
    d.sender = "0037:003712345678";
    d.recipient = "0037:003787654321";
    d.document_type = "invoice";
    d.format = "finvoice";
    d.media_type = "application/xml";
    d.document = document;
    return d;
  }
  static long Invoices() { return standin_->Stats(*control_)["invoices"]; }
  static long Requests() { return standin_->Stats(*control_)["requests"]; }

  static inline TempDir* dir_ = nullptr;
  static inline StandIn* standin_ = nullptr;
  static inline HttpClient* control_ = nullptr;
  static inline std::string error_;
};

TEST_F(FinvoiceSoapClientTest, DeliversWrittenFinvoiceOverHttpsWithItsBytesUnchanged) {
  const std::string document = WrittenFinvoice("FI-MSG-0001");
  ASSERT_TRUE(document.starts_with("<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>"))
      << document.substr(0, 80);
  auto client = Client();
  ASSERT_TRUE(client);
  auto receipt = client->Deliver(MakeDelivery("FI-MSG-0001", document));
  ASSERT_TRUE(receipt) << receipt.error().ToString();
  EXPECT_EQ(
      receipt->detail.rfind(
          "finvoice-soap fi-bank acknowledged MessageId FI-MSG-0001 (acknowledgement ack-", 0),
      0u)
      << receipt->detail;
  EXPECT_EQ(receipt->media_type, "text/xml");
  EXPECT_NE(receipt->document.find("<eb:RefToMessageId>FI-MSG-0001</eb:RefToMessageId>"),
            std::string::npos);

  EXPECT_EQ(standin_->Invoice("FI-MSG-0001"), document);
  auto requests = standin_->Requests("FI-MSG-0001");
  ASSERT_EQ(requests.size(), 1u);
  auto& r = requests[0];
  EXPECT_EQ(r["outcome"], "stored");
  EXPECT_EQ(r["content_type"], "text/xml; charset=ISO-8859-15");
  EXPECT_EQ(r["soap_action"], "\"ebXML\"");
  EXPECT_EQ(r["client_subject"],
            "commonName=Test Signer RSA,organizationName=eigw test,countryName=EE");
  const std::string& body = r["body"];
  ASSERT_GT(body.size(), document.size());
  EXPECT_EQ(body.substr(body.size() - document.size()), document);
  EXPECT_TRUE(body.starts_with("<SOAP-ENV:Envelope ")) << body.substr(0, 80);
  EXPECT_TRUE(body.substr(0, body.size() - document.size()).ends_with("</SOAP-ENV:Envelope>\n"));
}

TEST_F(FinvoiceSoapClientTest, FrameCarriesPartiesIntermediatorsAndMessageId) {
  const std::string document = WrittenFinvoice("FI-MSG-0002");
  auto client = Client();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Deliver(MakeDelivery("FI-MSG-0002", document)));
  auto requests = standin_->Requests("FI-MSG-0002");
  ASSERT_EQ(requests.size(), 1u);
  auto& r = requests[0];
  // As the stand-in read it.
  EXPECT_EQ(r["sender"], "003712345678");
  EXPECT_EQ(r["sender_intermediator"], "HELSFIHH");
  EXPECT_EQ(r["receiver"], "003787654321");
  EXPECT_EQ(r["receiver_intermediator"], "NDEAFIHH");
  EXPECT_EQ(r["cpa_id"], "yoursandmycpa");
  EXPECT_EQ(r["timestamp"], "2025-11-27T18:01:02.345Z");
  // As the project's Finvoice reader reads the whole transmission file.
  auto read = formats::finvoice::ReadInvoice(r["body"]);
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_TRUE(read->had_soap_envelope);
  EXPECT_EQ(read->encoding, "ISO-8859-15");
  EXPECT_EQ(read->transmission.sender_address, "003712345678");
  EXPECT_EQ(read->transmission.sender_intermediator, "HELSFIHH");
  EXPECT_EQ(read->transmission.receiver_address, "003787654321");
  EXPECT_EQ(read->transmission.receiver_intermediator, "NDEAFIHH");
  EXPECT_EQ(read->transmission.message_id, "FI-MSG-0002");
  EXPECT_EQ(read->transmission.timestamp, "2025-11-27T18:01:02.345Z");
  EXPECT_EQ(read->invoice.number, "PL-2026-3500");
}

TEST_F(FinvoiceSoapClientTest, CpaIdComesFromTheSettings) {
  OperatorSettings s = Settings();
  s.settings["cpa_id"] = "helsfihh-ndeafihh-2026";
  auto client = Client(s);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Deliver(MakeDelivery("FI-MSG-CPA", WrittenFinvoice("FI-MSG-CPA"))));
  auto requests = standin_->Requests("FI-MSG-CPA");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["cpa_id"], "helsfihh-ndeafihh-2026");
}

TEST_F(FinvoiceSoapClientTest, SameMessageTwiceMakesOneInvoice) {
  const std::string document = WrittenFinvoice("FI-MSG-0003");
  auto client = Client();
  ASSERT_TRUE(client);
  const long before = Invoices();
  auto first = client->Deliver(MakeDelivery("FI-MSG-0003", document));
  auto second = client->Deliver(MakeDelivery("FI-MSG-0003", document));
  ASSERT_TRUE(first) << first.error().ToString();
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(Invoices(), before + 1);
  auto requests = standin_->Requests("FI-MSG-0003");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["outcome"], "stored");
  EXPECT_EQ(requests[1]["outcome"], "duplicate");
  EXPECT_NE(second->document.find("<eb:RefToMessageId>FI-MSG-0003</eb:RefToMessageId>"),
            std::string::npos);
}

// Round trip on real samples of ../shared: their ISO-8859-15 bytes (ä, ö, €) arrive as they are.
TEST_F(FinvoiceSoapClientTest, SharedSamplesArriveByteForByte) {
  auto client = Client();
  ASSERT_TRUE(client);
  const fsys::path samples[] = {
      kSamples / "energia-fi" / "Verkkoyhtion_kulutuslaskuesimerkki_20190405.xml",
      kSamples / "maventa" / "anon_finvoice_30_invoice_with_MessageTransmissionDetails.xml"};
  int n = 0;
  for (const fsys::path& sample : samples) {
    const std::string document = ReadFile(sample);
    ASSERT_FALSE(document.empty()) << sample;
    const std::string id = "FI-SAMPLE-" + std::to_string(++n);
    auto receipt = client->Deliver(MakeDelivery(id, document));
    ASSERT_TRUE(receipt) << sample << ": " << receipt.error().ToString();
    EXPECT_EQ(standin_->Invoice(id), document) << sample;
    auto requests = standin_->Requests(id);
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0]["content_type"], "text/xml; charset=ISO-8859-15");
  }
  EXPECT_NE(ReadFile(samples[0]).find('\xE4'), std::string::npos)
      << "the sample should hold Latin-9 bytes";
}

TEST_F(FinvoiceSoapClientTest, UntrustedServerCertificateIsRetryableTlsError) {
  std::string error;
  auto intruder =
      StandIn::Start(pki(), dir_->path() / "record-intruder", {"--cert", "intruder"}, error);
  ASSERT_TRUE(intruder) << error;
  OperatorSettings s = Settings();
  s.url = intruder->url();
  auto client = Client(s);
  ASSERT_TRUE(client);
  auto receipt = client->Deliver(MakeDelivery("FI-MSG-TLS", WrittenFinvoice("FI-MSG-TLS")));
  ASSERT_FALSE(receipt);
  EXPECT_EQ(receipt.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(receipt.error().retryable());
  EXPECT_NE(receipt.error().message().find("certificate"), std::string::npos)
      << receipt.error().message();
  EXPECT_NE(receipt.error().message().find("check that operator.fi-bank.ca_file holds the CA"),
            std::string::npos)
      << receipt.error().message();
  EXPECT_TRUE(intruder->Requests("FI-MSG-TLS").empty());
}

TEST_F(FinvoiceSoapClientTest, MissingClientCertificateIsARetryableTlsError) {
  OperatorSettings s = Settings();
  s.settings.erase("client_cert");
  s.settings.erase("client_key");
  auto client = Client(s);
  ASSERT_TRUE(client);
  const long before = Requests();
  auto receipt = client->Deliver(MakeDelivery("FI-MSG-NOCERT", WrittenFinvoice("FI-MSG-NOCERT")));
  ASSERT_FALSE(receipt);
  EXPECT_EQ(receipt.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(receipt.error().retryable());
  EXPECT_NE(receipt.error().message().find("client_cert and client_key"), std::string::npos)
      << receipt.error().message();
  EXPECT_EQ(Requests(), before);
}

TEST_F(FinvoiceSoapClientTest, SoapFaultIsPermanentAndCarriesTheFaultText) {
  OperatorSettings s = Settings();
  s.settings["receiver_intermediator"] =
      "OKOYFIHH";  // the stand-in is NDEAFIHH: it refuses the frame
  auto client = Client(s);
  ASSERT_TRUE(client);
  const long before = Invoices();
  auto receipt = client->Deliver(MakeDelivery("FI-MSG-FAULT", WrittenFinvoice("FI-MSG-FAULT")));
  ASSERT_FALSE(receipt);
  EXPECT_EQ(receipt.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(receipt.error().retryable());
  EXPECT_NE(receipt.error().message().find(
                "refused message FI-MSG-FAULT with a SOAP fault: HTTP 500: "
                "SOAP-ENV:Client: the message frame is not valid: the message is "
                "for intermediator OKOYFIHH, not for this one (NDEAFIHH)"),
            std::string::npos)
      << receipt.error().message();
  EXPECT_EQ(Invoices(), before);
}

TEST_F(FinvoiceSoapClientTest, ErrorListIsPermanentAndServerFaultRetryable) {
  auto client = Client();
  ASSERT_TRUE(client);
  const std::string document = WrittenFinvoice("FI-MSG-ERRORS");
  ASSERT_EQ(standin_->Control(*control_, "error-list?count=1"), "200 ok\n");
  auto listed = client->Deliver(MakeDelivery("FI-MSG-ERRORS", document));
  ASSERT_FALSE(listed);
  EXPECT_FALSE(listed.error().retryable());
  EXPECT_NE(listed.error().message().find("ebXML error list: HTTP 200: DeliveryFailure: Recipient "
                                          "address is not registered with this operator"),
            std::string::npos)
      << listed.error().message();

  ASSERT_EQ(standin_->Control(*control_, "server-fault?count=1"), "200 ok\n");
  auto fault = client->Deliver(MakeDelivery("FI-MSG-ERRORS", document));
  ASSERT_FALSE(fault);
  EXPECT_EQ(fault.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(fault.error().retryable());
  EXPECT_NE(fault.error().message().find("SOAP-ENV:Server: the invoice store is being maintained"),
            std::string::npos)
      << fault.error().message();
  EXPECT_TRUE(standin_->Invoice("FI-MSG-ERRORS").empty());
}

TEST_F(FinvoiceSoapClientTest, HttpStatusesMapToRetryableOrPermanent) {
  struct Case {
    int status;
    ErrorCode code;
    bool retryable;
  };
  const Case cases[] = {{500, ErrorCode::kUnavailable, true},
                        {503, ErrorCode::kUnavailable, true},
                        {429, ErrorCode::kUnavailable, true},
                        {400, ErrorCode::kFailedPrecondition, false},
                        {403, ErrorCode::kFailedPrecondition, false}};
  auto client = Client();
  ASSERT_TRUE(client);
  const std::string document = WrittenFinvoice("FI-MSG-STATUS");
  for (const Case& c : cases) {
    ASSERT_EQ(standin_->Control(*control_, "fail?count=1&status=" + std::to_string(c.status)),
              "200 ok\n");
    auto receipt = client->Deliver(MakeDelivery("FI-MSG-STATUS", document));
    ASSERT_FALSE(receipt) << c.status;
    EXPECT_EQ(receipt.error().code(), c.code) << c.status;
    EXPECT_EQ(receipt.error().retryable(), c.retryable) << c.status;
    EXPECT_NE(
        receipt.error().message().find("HTTP " + std::to_string(c.status) + ": steered failure"),
        std::string::npos)
        << receipt.error().message();
  }
  // The retry after the failures goes through, once.
  auto receipt = client->Deliver(MakeDelivery("FI-MSG-STATUS", document));
  ASSERT_TRUE(receipt) << receipt.error().ToString();
  EXPECT_EQ(standin_->Invoice("FI-MSG-STATUS"), document);
}

TEST_F(FinvoiceSoapClientTest, TimeoutIsRetryableAndTheRetryIsNoSecondInvoice) {
  OperatorSettings s = Settings();
  s.timeout_ms = 2000;  // under a loaded machine the request must still reach the stand-in first
  auto client = Client(s);
  ASSERT_TRUE(client);
  const std::string document = WrittenFinvoice("FI-MSG-SLOW");
  const long before = Invoices();
  ASSERT_EQ(standin_->Control(*control_, "slow?count=1&seconds=8"), "200 ok\n");
  auto slow = client->Deliver(MakeDelivery("FI-MSG-SLOW", document));
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(slow.error().retryable());
  EXPECT_NE(slow.error().message().find("Timeout"), std::string::npos) << slow.error().message();
  // The operator stored it before the answer was lost: the retry is acknowledged as a duplicate.
  auto retry = client->Deliver(MakeDelivery("FI-MSG-SLOW", document));
  ASSERT_TRUE(retry) << retry.error().ToString();
  EXPECT_EQ(Invoices(), before + 1);
  auto requests = standin_->Requests("FI-MSG-SLOW");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1]["outcome"], "duplicate");
}

TEST_F(FinvoiceSoapClientTest, AcknowledgementOfAnotherMessageIsARetryableError) {
  auto client = Client();
  ASSERT_TRUE(client);
  ASSERT_EQ(standin_->Control(*control_, "ack-other?count=1"), "200 ok\n");
  auto receipt = client->Deliver(MakeDelivery("FI-MSG-OTHER", WrittenFinvoice("FI-MSG-OTHER")));
  ASSERT_FALSE(receipt);
  EXPECT_TRUE(receipt.error().retryable());
  EXPECT_NE(receipt.error().message().find(
                "acknowledgement of message 'other-FI-MSG-OTHER', not of FI-MSG-OTHER"),
            std::string::npos)
      << receipt.error().message();
}

TEST_F(FinvoiceSoapClientTest, RefusesDeliveriesItCannotFrameWithoutSending) {
  const std::string document = WrittenFinvoice("FI-MSG-BAD");
  const std::string framed =
      ReadFile(kSamples / "maventa" / "anon_finvoice_30_invoice_with_SOAP.xml");
  const std::string ubl =
      "<?xml version=\"1.0\"?><Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:"
      "Invoice-2\"/>";
  struct Case {
    std::string what;
    Delivery delivery;
    std::string message;
  };
  std::vector<Case> cases;
  cases.push_back({"format", MakeDelivery("FI-MSG-BAD", document),
                   "format 'ubl'; this protocol carries Finvoice"});
  cases.back().delivery.format = "ubl";
  cases.push_back(
      {"framed", MakeDelivery("FI-MSG-BAD", framed), "already starts with a SOAP envelope"});
  cases.push_back(
      {"root", MakeDelivery("FI-MSG-BAD", ubl), "root element is 'Invoice', not Finvoice"});
  cases.push_back({"sender", MakeDelivery("FI-MSG-BAD", document),
                   "sender '003712345678' is not a scheme:value"});
  cases.back().delivery.sender = "003712345678";
  cases.push_back({"message id", MakeDelivery("", document), "the delivery has no message id"});
  auto client = Client();
  ASSERT_TRUE(client);
  const long before = Requests();
  for (const Case& c : cases) {
    auto receipt = client->Deliver(c.delivery);
    ASSERT_FALSE(receipt) << c.what;
    EXPECT_EQ(receipt.error().code(), ErrorCode::kInvalidArgument) << c.what;
    EXPECT_FALSE(receipt.error().retryable()) << c.what;
    EXPECT_NE(receipt.error().message().find(c.message), std::string::npos)
        << c.what << ": " << receipt.error().message();
  }
  EXPECT_EQ(Requests(), before);
}

TEST_F(FinvoiceSoapClientTest, PlainHttpIsRefusedUnlessAllowedForTests) {
  OperatorSettings s = Settings();
  s.url = "http://127.0.0.1:8080/finvoice";
  auto refused = FinvoiceSoapClient::Make(s, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().message().rfind(
                "operator.fi-bank.url: 'http://127.0.0.1:8080/finvoice' is not an "
                "https:// URL",
                0),
            0u)
      << refused.error().message();
  s.settings["allow_http"] = "true";
  EXPECT_TRUE(FinvoiceSoapClient::Make(s, {}));
}

TEST_F(FinvoiceSoapClientTest, MakeNamesTheBadSetting) {
  struct Case {
    std::string key;
    std::string value;  // "-" removes the key
    std::string message;
  };
  const Case cases[] = {
      {"sender_intermediator", "-", "operator.fi-bank.sender_intermediator: missing"},
      {"receiver_intermediator", "-", "operator.fi-bank.receiver_intermediator: missing"},
      {"receiver_intermediator", "NDEA FIHH",
       "operator.fi-bank.receiver_intermediator: 'NDEA FIHH' is not"},
      {"client_key", "-",
       "operator.fi-bank.client_key: missing: a TLS client certificate needs both"},
      {"ca_file", "/nonexistent/ca.pem",
       "operator.fi-bank.ca_file: cannot read the file '/nonexistent/ca.pem'"},
      {"cpa_id", "", "operator.fi-bank.cpa_id: must be printable ASCII and not empty"},
      {"allow_http", "yes", "operator.fi-bank.allow_http: 'yes' is not true or false"},
      {"url", "", "operator.fi-bank.url: missing"},
      {"timeout_ms", "0", "operator.fi-bank.timeout_ms: must be a positive number"},
  };
  for (const Case& c : cases) {
    OperatorSettings s = Settings();
    if (c.key == "url") {
      s.url = c.value;
    } else if (c.key == "timeout_ms") {
      s.timeout_ms = 0;
    } else if (c.value == "-") {
      s.settings.erase(c.key);
    } else {
      s.settings[c.key] = c.value;
    }
    auto client = FinvoiceSoapClient::Make(s, {});
    ASSERT_FALSE(client) << c.key;
    EXPECT_EQ(client.error().code(), ErrorCode::kInvalidArgument) << c.key;
    EXPECT_EQ(client.error().message().rfind(c.message, 0), 0u)
        << c.key << ": " << client.error().message();
  }
}

TEST_F(FinvoiceSoapClientTest, IsRegisteredAsFinvoiceSoap) {
  auto names = OperatorProtocols();
  EXPECT_NE(std::find(names.begin(), names.end(), "finvoice-soap"), names.end());
  auto client = MakeOperatorClient(Settings());
  ASSERT_TRUE(client) << client.error().ToString();
  EXPECT_EQ((*client)->settings().protocol, "finvoice-soap");
  EXPECT_NE(dynamic_cast<FinvoiceSoapClient*>(client->get()), nullptr);
}

}  // namespace
}  // namespace gw::operators
