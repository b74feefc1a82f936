#include "operators/finvoice_soap/finvoice_soap_message.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "formats/finvoice/finvoice_reader.h"

namespace gw::operators::finvoice_soap {
namespace {

const std::filesystem::path kSamples =
    std::filesystem::path(EIGW_SHARED_DIR) / "formats" / "finvoice" / "samples";

std::string Sample(const std::string& name) {
  std::ifstream in(kSamples / name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Frame TestFrame() {
  Frame f;
  f.sender = "003712345678";
  f.sender_intermediator = "HELSFIHH";
  f.receiver = "FI4819503000000010";
  f.receiver_intermediator = "NDEAFIHH";
  f.cpa_id = "yoursandmycpa";
  f.message_id = "msg-1 <&>";
  f.timestamp = "2025-11-27T18:01:02.345Z";
  return f;
}

TEST(FinvoiceSoapMessageTest, FrameIsAsciiWithoutDeclarationAndReadByTheFinvoiceReader) {
  auto frame = WriteFrame(TestFrame());
  ASSERT_TRUE(frame) << frame.error().ToString();
  EXPECT_TRUE(frame->starts_with(
      "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\""));
  EXPECT_TRUE(frame->ends_with("</SOAP-ENV:Envelope>\n"));
  EXPECT_EQ(frame->find("<?xml"), std::string::npos);
  EXPECT_NE(frame->find("<eb:MessageHeader SOAP-ENV:mustUnderstand=\"1\" eb:version=\"2.0\""),
            std::string::npos);
  EXPECT_NE(frame->find("<eb:Service>Routing</eb:Service>"), std::string::npos);
  EXPECT_NE(frame->find("<eb:Action>ProcessInvoice</eb:Action>"), std::string::npos);
  EXPECT_NE(frame->find("<eb:CPAId>yoursandmycpa</eb:CPAId>"), std::string::npos);
  EXPECT_NE(frame->find("xlink:href=\"msg-1 &lt;&amp;&gt;\""), std::string::npos);

  // Frame + a real Latin-9 sample = a transmission file the project's reader takes.
  const std::string document = Sample("energia-fi/Verkkoyhtion_kulutuslaskuesimerkki_20190405.xml");
  ASSERT_FALSE(document.empty());
  auto read = formats::finvoice::ReadInvoice(*frame + document);
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_TRUE(read->had_soap_envelope);
  EXPECT_EQ(read->transmission.sender_address, "003712345678");
  EXPECT_EQ(read->transmission.sender_intermediator, "HELSFIHH");
  EXPECT_EQ(read->transmission.receiver_address, "FI4819503000000010");
  EXPECT_EQ(read->transmission.receiver_intermediator, "NDEAFIHH");
  EXPECT_EQ(read->transmission.message_id, "msg-1 <&>");
  EXPECT_EQ(read->transmission.timestamp, "2025-11-27T18:01:02.345Z");
}

TEST(FinvoiceSoapMessageTest, FrameRefusesEmptyOrNonAsciiValues) {
  Frame empty = TestFrame();
  empty.receiver_intermediator = "";
  auto a = WriteFrame(empty);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message(),
            "the frame's receiver intermediator (eb:To Role Intermediator) is empty");
  Frame latin = TestFrame();
  latin.message_id = "lasku-\xC3\xA4";
  auto b = WriteFrame(latin);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message().rfind("the frame's MessageId 'lasku-", 0), 0u)
      << b.error().message();
}

TEST(FinvoiceSoapMessageTest, DeclaredCharsetIsTheDeclarationsEncoding) {
  struct Case {
    std::string document;
    std::string charset;  // "!" = refused
  };
  const Case cases[] = {
      {"<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?><Finvoice/>", "ISO-8859-15"},
      {"<?xml version='1.0' encoding = 'utf-8' standalone='yes'?><Finvoice/>", "utf-8"},
      {"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?><Finvoice/>", "UTF-8"},
      {"<?xml version=\"1.0\"?><Finvoice/>", "UTF-8"},
      {"<Finvoice/>", "UTF-8"},
      {"<?xml-stylesheet href=\"a.xsl\"?><Finvoice/>", "UTF-8"},
      {"<?xml version=\"1.0\" encoding=\"UTF-16\"?><Finvoice/>", "!"},
      {"<?xml version=\"1.0\" encoding=\"ISO 8859\"?><Finvoice/>", "!"},
      {"<?xml version=\"1.0\" encoding=ISO-8859-15?><Finvoice/>", "!"},
  };
  for (const Case& c : cases) {
    auto charset = DeclaredCharset(c.document);
    if (c.charset == "!") {
      EXPECT_FALSE(charset) << c.document;
    } else {
      ASSERT_TRUE(charset) << c.document << ": " << charset.error().message();
      EXPECT_EQ(*charset, c.charset) << c.document;
    }
  }
}

constexpr const char* kEnv =
    "xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:eb=\"http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd\"";

std::string Envelope(const std::string& header, const std::string& body = "") {
  return std::string("<S:Envelope ") + kEnv + "><S:Header>" + header + "</S:Header><S:Body>" +
         body + "</S:Body></S:Envelope>";
}
std::string Header(const std::string& action, const std::string& ref) {
  return "<eb:MessageHeader><eb:Action>" + action +
         "</eb:Action><eb:MessageData><eb:MessageId>a1</eb:MessageId>" +
         (ref.empty() ? "" : "<eb:RefToMessageId>" + ref + "</eb:RefToMessageId>") +
         "</eb:MessageData></eb:MessageHeader>";
}
std::string AckBlock(const std::string& ref) {
  return "<eb:Acknowledgment><eb:RefToMessageId>" + ref +
         "</eb:RefToMessageId></eb:Acknowledgment>";
}

TEST(FinvoiceSoapMessageTest, ReadAnswerTellsAcknowledgementsFaultsAndErrors) {
  using K = Answer::Kind;
  struct Case {
    std::string what;
    std::string body;
    K kind;
    std::string ref_or_text;  // the acknowledged id, or a part of the text
    bool server_fault = false;
  };
  const Case cases[] = {
      {"header action", Envelope(Header("Acknowledgment", "m1")), K::kAcknowledgment, "m1"},
      {"ack block only", Envelope(AckBlock("m2")), K::kAcknowledgment, "m2"},
      {"both agree", Envelope(Header("Acknowledgment", "m3") + AckBlock(" m3 ")),
       K::kAcknowledgment, "m3"},
      {"both disagree", Envelope(Header("Acknowledgment", "m4") + AckBlock("m5")), K::kOther,
       "refers to two messages: 'm4' in MessageData/RefToMessageId and 'm5' in eb:Acknowledgment"},
      {"no ref", Envelope(Header("Acknowledgment", "")), K::kOther, "has no RefToMessageId"},
      {"other action", Envelope(Header("ProcessInvoice", "m6")), K::kOther,
       "Action is 'ProcessInvoice', not Acknowledgment"},
      {"fault 1.1 client",
       Envelope("",
                "<S:Fault><faultcode>S:Client</faultcode><faultstring>bad\n frame</faultstring>"
                "<detail>CPAId</detail></S:Fault>"),
       K::kFault, "S:Client: bad frame (CPAId)"},
      {"fault 1.1 server",
       Envelope(
           "", "<S:Fault><faultcode>S:Server</faultcode><faultstring>busy</faultstring></S:Fault>"),
       K::kFault, "S:Server: busy", true},
      {"fault 1.2 receiver",
       "<e:Envelope "
       "xmlns:e=\"http://www.w3.org/2003/05/"
       "soap-envelope\"><e:Body><e:Fault><e:Code><e:Value>e:Receiver"
       "</e:Value></e:Code><e:Reason><e:Text "
       "xml:lang=\"en\">down</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>",
       K::kFault, "e:Receiver: down", true},
      {"error list",
       Envelope(
           "<eb:ErrorList eb:highestSeverity=\"Error\"><eb:Error eb:errorCode=\"Inconsistent\" "
           "eb:severity=\"Warning\"/><eb:Error eb:errorCode=\"SecurityFailure\" eb:location=\"m7\">"
           "<eb:Description>unknown sender</eb:Description></eb:Error></eb:ErrorList>" +
           Header("Acknowledgment", "m7")),
       K::kErrorList, "SecurityFailure: unknown sender at m7"},
      {"warnings only",
       Envelope("<eb:ErrorList><eb:Error eb:errorCode=\"Inconsistent\" "
                "eb:severity=\"Warning\"/></eb:ErrorList>" +
                Header("Acknowledgment", "m8")),
       K::kAcknowledgment, "m8"},
      {"not xml", "Service Unavailable", K::kOther, "not well-formed XML"},
      {"empty", "", K::kOther, "the answer is empty"},
      {"not soap", "<html><body>ok</body></html>", K::kOther,
       "the answer is html in namespace '', not a SOAP envelope"},
      {"doctype", "<!DOCTYPE x [<!ENTITY e 'm9'>]>" + Envelope(AckBlock("&e;")), K::kOther,
       "not well-formed XML"},
  };
  for (const Case& c : cases) {
    Answer a = ReadAnswer(c.body);
    EXPECT_EQ(a.kind, c.kind) << c.what << ": " << a.text;
    if (c.kind == K::kAcknowledgment) {
      EXPECT_EQ(a.ref_to_message_id, c.ref_or_text) << c.what;
    } else {
      EXPECT_NE(a.text.find(c.ref_or_text), std::string::npos) << c.what << ": " << a.text;
    }
    EXPECT_EQ(a.server_fault, c.server_fault) << c.what;
  }
}

}  // namespace
}  // namespace gw::operators::finvoice_soap
