// The ee-erp client against its local stand-in operator (tests/operators/estonia/ee_standin.py,
// started once for the suite on a free loopback port): delivery byte for byte, duplicates, error
// mapping (permanent / retryable), CompanyStatus in batches of 100, and the export of received
// invoices. The stand-in's data: tests/operators/estonia/data/standin.json.
#include "operators/estonia/ee_erp_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "formats/eeinvoice/ee_invoice.h"
#include "formats/registry/builtin.h"

namespace gw::operators {
namespace {

const std::string kPhrase = "eak-7f3a9c-test-phrase";  // data/standin.json auth_phrase
const std::string kBuyer = "14000001";                 // a receiver (YES) in the stand-in's data

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// An E_Invoice written by our own writer: a JSON corpus invoice through the format registry.
std::string WrittenEInvoice(const std::string& file_id, const std::string& buyer = kBuyer) {
  formats::FormatRegistry registry;
  EXPECT_TRUE(formats::RegisterBuiltinFormats(registry).has_value());
  formats::WriteOptions options;
  options.routing = {
      {"file_id", file_id}, {"reg_number", buyer}, {"seller_reg_number", "12345678"}};
  const std::string json =
      ReadFile(EIGW_SOURCE_DIR "/tests/data/json/valid/minimal-lines-only.json");
  auto written = formats::Convert(registry, "json", "ee-einvoice", json, nullptr, true, options);
  EXPECT_TRUE(written.has_value()) << written.error().ToString();
  return written.has_value() ? *written : std::string();
}

Delivery MakeDelivery(std::string_view document, const std::string& message_id,
                      const std::string& buyer = kBuyer) {
  Delivery d;
  d.message_id = message_id;
  d.tenant_id = "tenant-1";
  d.sender = "0191:12345678";
  d.recipient = "0191:" + buyer;
  d.document_type = "invoice";
  d.format = "ee-einvoice";
  d.media_type = "application/xml";
  d.document = document;
  return d;
}

class EeErpClientTest : public ::testing::Test {
 protected:
  // Starts the stand-in and reads the port it prints.
  static void SetUpTestSuite() {
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      ::execlp("python3", "python3", EIGW_SOURCE_DIR "/tests/operators/estonia/ee_standin.py",
               "--shared", EIGW_SHARED_DIR, static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    pollfd p{out[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos && ::poll(&p, 1, 30000) > 0) {
      char buffer[64];
      ssize_t n = ::read(out[0], buffer, sizeof buffer);
      if (n <= 0) break;
      line.append(buffer, static_cast<size_t>(n));
    }
    ::close(out[0]);
    port_ = std::atoi(line.c_str());
  }

  static void TearDownTestSuite() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
    port_ = 0;
  }

  void SetUp() override {
    ASSERT_GT(port_, 0) << "the stand-in did not start (python3 " EIGW_SOURCE_DIR
                           "/tests/operators/estonia/ee_standin.py)";
    Control("POST", "/control/reset");
  }

  static std::string Base() { return "http://127.0.0.1:" + std::to_string(port_); }

  static OperatorSettings Settings(const std::string& phrase = kPhrase) {
    OperatorSettings s;
    s.id = "finbite";
    s.protocol = "ee-erp";
    s.url = Base() + "/erp/services/ErpDataExchange";
    s.formats = {"ee-einvoice"};
    s.settings["auth_phrase"] = phrase;
    s.timeout_ms = 10000;
    s.connect_timeout_ms = 2000;
    return s;
  }

  static std::unique_ptr<EeErpClient> Client(const OperatorSettings& settings = Settings()) {
    auto client = EeErpClient::Create(settings);
    EXPECT_TRUE(client.has_value()) << client.error().ToString();
    return client.has_value() ? std::move(*client) : nullptr;
  }

  // A control request to the stand-in (not part of the operator's interface).
  static std::string Control(const std::string& method, const std::string& path) {
    HttpClient http(HttpOptions{});
    auto answer = http.Send(method, Base() + path, {}, "");
    EXPECT_TRUE(answer.has_value() && answer->status == 200) << method << " " << path;
    return answer.has_value() ? answer->body : std::string();
  }

  // The stand-in's counters: requests.<operation>, invoices, last.CompanyStatus.RegNumber.
  static std::map<std::string, long> Stats() {
    std::map<std::string, long> stats;
    std::istringstream lines(Control("GET", "/control/stats"));
    std::string name;
    long value;
    while (lines >> name >> value) stats[name] = value;
    return stats;
  }

  static pid_t pid_;
  static int port_;
};

pid_t EeErpClientTest::pid_ = -1;
int EeErpClientTest::port_ = 0;

TEST_F(EeErpClientTest, RegisteredUnderItsProtocolName) {
  auto names = OperatorProtocols();
  EXPECT_NE(std::find(names.begin(), names.end(), "ee-erp"), names.end());
  auto client = MakeOperatorClient(Settings());
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  EXPECT_NE(dynamic_cast<EeErpClient*>(client->get()), nullptr);
}

TEST_F(EeErpClientTest, MakeNamesEachBadSettingWithoutQuotingThePhrase) {
  const std::string long_phrase = kPhrase + std::string(100, 'x');
  struct Case {
    std::function<void(OperatorSettings&)> change;
    std::string key;
  };
  const std::vector<Case> cases = {
      {[](OperatorSettings& s) { s.url.clear(); }, "operator.finbite.url"},
      {[](OperatorSettings& s) { s.url = "ftp://operator.example/erp"; }, "operator.finbite.url"},
      {[](OperatorSettings& s) { s.settings.erase("auth_phrase"); },
       "operator.finbite.auth_phrase"},
      {[&](OperatorSettings& s) { s.settings["auth_phrase"] = long_phrase; },
       "operator.finbite.auth_phrase"},
      {[](OperatorSettings& s) { s.settings["auth_phrase"] = kPhrase + "\n"; },
       "operator.finbite.auth_phrase"},
      {[](OperatorSettings& s) { s.settings["ca_file"] = "/nonexistent/ca.pem"; },
       "operator.finbite.ca_file"},
      {[](OperatorSettings& s) { s.settings["client_cert"] = "/nonexistent/c.pem"; },
       "operator.finbite.client_key"},
      {[](OperatorSettings& s) { s.timeout_ms = 0; }, "operator.finbite.timeout_ms"},
      {[](OperatorSettings& s) { s.connect_timeout_ms = -1; },
       "operator.finbite.connect_timeout_ms"},
      {[](OperatorSettings& s) { s.settings["duplicate_codes"] = "4, x"; },
       "operator.finbite.duplicate_codes"},
      {[](OperatorSettings& s) {
         s.formats = {"ee-einvoice", "ubl"};
       },
       "operator.finbite.formats"},
  };
  for (const Case& c : cases) {
    OperatorSettings s = Settings();
    c.change(s);
    auto client = EeErpClient::Make(s, ClientContext{});
    ASSERT_FALSE(client.has_value()) << c.key;
    EXPECT_EQ(client.error().code(), ErrorCode::kInvalidArgument) << c.key;
    EXPECT_TRUE(Contains(client.error().message(), c.key)) << client.error().message();
    EXPECT_FALSE(Contains(client.error().message(), kPhrase)) << client.error().message();
  }
  OperatorSettings good = Settings();
  good.settings["duplicate_codes"] = "4, 17";
  EXPECT_TRUE(EeErpClient::Make(good, ClientContext{}).has_value());
}

TEST_F(EeErpClientTest, DeliversTheWrittenFileByteIdentical) {
  const std::string document = WrittenEInvoice("MSG-0001");
  ASSERT_TRUE(Contains(document, "Nordwind OÜ"));  // non-ASCII text must survive unchanged
  auto client = Client();
  auto receipt = client->Deliver(MakeDelivery(document, "msg-0001"));
  ASSERT_TRUE(receipt.has_value()) << receipt.error().ToString();
  EXPECT_EQ(receipt->media_type, "text/xml");
  EXPECT_TRUE(Contains(receipt->document, "EInvoiceResponse"));
  EXPECT_TRUE(Contains(receipt->detail, "operator finbite (ee-erp) took file MSG-0001"))
      << receipt->detail;
  EXPECT_TRUE(Contains(receipt->detail, "ErrorCode 0")) << receipt->detail;
  EXPECT_FALSE(Contains(receipt->detail, "\n"));
  auto stats = Stats();
  EXPECT_EQ(stats["requests.EInvoice"], 1);
  EXPECT_EQ(stats["invoices"], 1);
  // The E_Invoice element arrives as written: everything after the XML declaration.
  std::string expected = document.substr(document.find("<E_Invoice"));
  while (!expected.empty() && std::isspace(static_cast<unsigned char>(expected.back())))
    expected.pop_back();
  EXPECT_EQ(Control("GET", "/control/invoice?i=0"), expected);
}

TEST_F(EeErpClientTest, SecondDeliveryOfTheSameMessageMakesNoSecondInvoice) {
  const std::string document = WrittenEInvoice("MSG-0002");
  auto client = Client();
  auto first = client->Deliver(MakeDelivery(document, "msg-0002"));
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto second = client->Deliver(MakeDelivery(document, "msg-0002"));
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  EXPECT_TRUE(Contains(second->detail, "already had file MSG-0002")) << second->detail;
  EXPECT_TRUE(Contains(second->detail, "ErrorCode 4")) << second->detail;
  auto stats = Stats();
  EXPECT_EQ(stats["requests.EInvoice"], 2);
  EXPECT_EQ(stats["invoices"], 1);
}

TEST_F(EeErpClientTest, TimeoutIsRetryableAndTheRetryMakesNoSecondInvoice) {
  OperatorSettings s = Settings();
  s.timeout_ms = 400;
  auto client = Client(s);
  const std::string document = WrittenEInvoice("MSG-0003");
  Control("POST", "/control/fault?mode=hang&count=1&seconds=1.5");
  auto timed_out = client->Deliver(MakeDelivery(document, "msg-0003"));
  ASSERT_FALSE(timed_out.has_value());
  EXPECT_EQ(timed_out.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(timed_out.error().retryable());
  // The operator still takes the file after the client gave up: the retry meets a duplicate.
  for (int i = 0; i < 50 && Stats()["invoices"] == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(Stats()["invoices"], 1);
  auto retried = client->Deliver(MakeDelivery(document, "msg-0003"));
  ASSERT_TRUE(retried.has_value()) << retried.error().ToString();
  EXPECT_TRUE(Contains(retried->detail, "already had")) << retried->detail;
  EXPECT_EQ(Stats()["invoices"], 1);
}

TEST_F(EeErpClientTest, ServerFailuresAreRetryable) {
  struct Case {
    std::string mode;
    std::string says;
  };
  for (const Case& c :
       std::vector<Case>{{"http500", "HTTP 500"}, {"server-fault", "SOAP fault SOAP-ENV:Server"}}) {
    Control("POST", "/control/reset");
    Control("POST", "/control/fault?mode=" + c.mode + "&count=1");
    auto client = Client();
    const std::string document = WrittenEInvoice("MSG-0004");
    auto failed = client->Deliver(MakeDelivery(document, "msg-0004"));
    ASSERT_FALSE(failed.has_value()) << c.mode;
    EXPECT_EQ(failed.error().code(), ErrorCode::kUnavailable) << c.mode;
    EXPECT_TRUE(failed.error().retryable()) << c.mode;
    EXPECT_TRUE(Contains(failed.error().message(), c.says)) << failed.error().message();
    EXPECT_EQ(Stats()["invoices"], 0) << c.mode;
    auto retried = client->Deliver(MakeDelivery(document, "msg-0004"));
    ASSERT_TRUE(retried.has_value()) << c.mode << ": " << retried.error().ToString();
    EXPECT_EQ(Stats()["invoices"], 1) << c.mode;
  }
}

TEST_F(EeErpClientTest, ConnectionRefusedIsRetryable) {
  // A port that was free a moment ago: nothing listens there.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  OperatorSettings s = Settings();
  s.url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/erp";
  auto failed = Client(s)->CheckRecipients({"0191:" + kBuyer});
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(failed.error().retryable());
}

TEST_F(EeErpClientTest, WrongAuthPhraseIsPermanentAndNeverQuoted) {
  const std::string wrong = "wrong-phrase-0xSECRET";
  auto client = Client(Settings(wrong));
  const std::string document = WrittenEInvoice("MSG-0005");
  auto delivered = client->Deliver(MakeDelivery(document, "msg-0005"));
  auto checked = client->CheckRecipients({"0191:" + kBuyer});
  auto exported = client->ExportReceived("2025-01-01T00:00:00Z");
  ASSERT_FALSE(delivered.has_value());
  ASSERT_FALSE(checked.has_value());
  ASSERT_FALSE(exported.has_value());
  for (const Error* e : {&delivered.error(), &checked.error(), &exported.error()}) {
    EXPECT_EQ(e->code(), ErrorCode::kFailedPrecondition) << e->message();
    EXPECT_FALSE(e->retryable());
    EXPECT_TRUE(Contains(e->message(), "Authentication failed"))
        << e->message();  // the operator's words
    EXPECT_TRUE(Contains(e->message(), "operator.finbite.auth_phrase_file")) << e->message();
    EXPECT_FALSE(Contains(e->message(), wrong))
        << e->message();  // the stand-in echoes it; we must not
  }
  EXPECT_EQ(Stats()["invoices"], 0);
}

TEST_F(EeErpClientTest, RefusedDocumentIsPermanentWithTheOperatorsMessage) {
  struct Case {
    std::string buyer;
    std::string says;
  };
  for (const Case& c :
       std::vector<Case>{{"14000002", "Buyer 14000002 does not receive e-invoices"},
                         {"19999999", "Buyer 19999999 is not an e-invoice receiver"}}) {
    const std::string document = WrittenEInvoice("MSG-" + c.buyer, c.buyer);
    auto refused = Client()->Deliver(MakeDelivery(document, "msg-" + c.buyer, c.buyer));
    ASSERT_FALSE(refused.has_value()) << c.buyer;
    EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE(refused.error().retryable());
    EXPECT_TRUE(Contains(refused.error().message(), "ErrorCode 3")) << refused.error().message();
    EXPECT_TRUE(Contains(refused.error().message(), c.says)) << refused.error().message();
  }
  EXPECT_EQ(Stats()["invoices"], 0);
}

TEST_F(EeErpClientTest, RefusesWhatItCannotSendBeforeSending) {
  const std::string document = WrittenEInvoice("MSG-0006");
  struct Case {
    std::string format;
    std::string document;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"ubl", document, "format 'ubl'"},
      {"ee-einvoice", "<?xml version=\"1.0\"?><Invoice/>", "root element is Invoice"},
      {"ee-einvoice", "<!DOCTYPE E_Invoice [<!ENTITY x \"y\">]><E_Invoice/>", "DOCTYPE"},
      {"ee-einvoice", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><E_Invoice/>", "ISO-8859-1"},
      {"ee-einvoice", document.substr(0, document.size() / 2), "cannot be sent"},
  };
  auto client = Client();
  for (const Case& c : cases) {
    Delivery d = MakeDelivery(c.document, "msg-0006");
    d.format = c.format;
    auto refused = client->Deliver(d);
    ASSERT_FALSE(refused.has_value()) << c.says;
    EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument) << c.says;
    EXPECT_TRUE(Contains(refused.error().message(), c.says)) << refused.error().message();
  }
  EXPECT_EQ(Stats()["requests.EInvoice"], 0);
}

TEST_F(EeErpClientTest, ChecksHundredCompaniesInOneCall) {
  // Codes 10000000..10000099; the stand-in's data says YES exactly for every third.
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    const std::string code = std::to_string(10000000 + i);
    ids.push_back(i % 10 == 1 ? "EE:" + code : i % 10 == 2 ? code : "0191:" + code);
  }
  auto answers = Client()->CheckRecipients(ids);
  ASSERT_TRUE(answers.has_value()) << answers.error().ToString();
  ASSERT_EQ(answers->size(), 100u);
  int receivers = 0;
  for (int i = 0; i < 100; ++i) {
    const ReceiverInfo& r = (*answers)[i];
    EXPECT_EQ(r.id, "0191:" + std::to_string(10000000 + i));
    EXPECT_EQ(r.accepts, i % 3 == 0) << r.id;
    EXPECT_EQ(r.channel, "direct");
    EXPECT_EQ(r.formats,
              r.accepts ? std::vector<std::string>{"ee-einvoice"} : std::vector<std::string>{})
        << r.id;
    receivers += r.accepts;
  }
  EXPECT_EQ(receivers, 34);
  auto stats = Stats();
  EXPECT_EQ(stats["requests.CompanyStatus"], 1);
  EXPECT_EQ(stats["last.CompanyStatus.RegNumber"], 100);
}

TEST_F(EeErpClientTest, RefusesMoreThanHundredCompaniesAndOtherSchemes) {
  std::vector<std::string> ids;
  for (int i = 0; i < 101; ++i) ids.push_back("0191:" + std::to_string(10000000 + i));
  auto client = Client();
  auto too_many = client->CheckRecipients(ids);
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(too_many.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Contains(too_many.error().message(), "101 recipients")) << too_many.error().message();

  auto foreign = client->CheckRecipients({"0191:" + kBuyer, "9930:DE123456789", "0191:12AB"});
  ASSERT_FALSE(foreign.has_value());
  EXPECT_EQ(foreign.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(foreign.error().findings().size(), 2u);
  EXPECT_EQ(foreign.error().findings()[0].location, "ids[1]");
  EXPECT_EQ(foreign.error().findings()[1].location, "ids[2]");
  EXPECT_EQ(Stats()["requests.CompanyStatus"], 0);
}

TEST_F(EeErpClientTest, ExportReturnsExactlyTheInvoicesAfterSince) {
  auto client = Client();
  // The stand-in's received invoices were sent to the ERP at 2025-01-10T09:00Z (EAK-7001),
  // 2025-02-14T12:30Z (EAK-7002), 2025-03-01T08:15Z (EAK-7003), 2025-03-02T14:45Z (EAK-7004);
  // it answers two per page.
  auto exported = client->ExportReceived("2025-02-01T00:00:00Z");
  ASSERT_TRUE(exported.has_value()) << exported.error().ToString();
  ASSERT_EQ(exported->size(), 3u);
  const std::vector<std::array<std::string, 3>> expected = {
      {"EAK-7002", "129592-2", "2009-12-01"},
      {"EAK-7003", "EE-2025-0101", "2025-02-28"},
      {"EAK-7004", "EE-2025-0102", "2025-03-01"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    const ExportedInvoice& e = (*exported)[i];
    EXPECT_EQ(e.operator_invoice_id, expected[i][0]);
    EXPECT_EQ(e.invoice_number, expected[i][1]);
    EXPECT_EQ(e.invoice_date, expected[i][2]);
    auto batch = formats::ee::ReadBatch(e.document);
    ASSERT_TRUE(batch.has_value()) << e.operator_invoice_id << ": " << batch.error().ToString();
    ASSERT_EQ(batch->invoices.size(), 1u);
    EXPECT_EQ(batch->invoices[0].invoice.number, expected[i][1]);
    EXPECT_EQ(batch->invoices[0].routing.invoice_id, expected[i][0]);
  }
  EXPECT_EQ((*exported)[1].seller_reg_number, "12345678");
  EXPECT_EQ((*exported)[1].buyer_reg_number, kBuyer);
  EXPECT_EQ((*exported)[2].latest_change, "2025-03-02T14:45:00Z");
  EXPECT_EQ(Stats()["requests.BuyInvoiceExport"], 2);

  // "After" is strict: since = EAK-7003's time returns only EAK-7004; a later since, nothing.
  auto after = client->ExportReceived("2025-03-01T10:15:00+02:00");
  ASSERT_TRUE(after.has_value()) << after.error().ToString();
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].operator_invoice_id, "EAK-7004");
  auto none = client->ExportReceived("2026-01-01T00:00:00Z");
  ASSERT_TRUE(none.has_value()) << none.error().ToString();
  EXPECT_TRUE(none->empty());

  auto bad = client->ExportReceived("yesterday");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(EeErpClientTest, ExportReadsAnswersWithTheE_InvoiceWithoutNamespace) {
  Control("POST", "/control/export?qualified=no");
  auto exported = Client()->ExportReceived("2025-01-01T00:00:00Z");
  ASSERT_TRUE(exported.has_value()) << exported.error().ToString();
  ASSERT_EQ(exported->size(), 4u);
  EXPECT_EQ((*exported)[0].operator_invoice_id, "EAK-7001");
  EXPECT_EQ((*exported)[0].invoice_number, "1234");
  auto batch = formats::ee::ReadBatch((*exported)[0].document);
  ASSERT_TRUE(batch.has_value()) << batch.error().ToString();
  EXPECT_EQ(batch->invoices[0].routing.reg_number, "30101011234");
  EXPECT_EQ(Stats()["requests.BuyInvoiceExport"], 2);
}

}  // namespace
}  // namespace gw::operators
