#include <unistd.h>

#include <gtest/gtest.h>

#include "operators/operator_client.h"

namespace gw::operators {
namespace {

TEST(ProtocolsTest, StatusCodesAreThePeppolInvoiceResponseCodes) {
  EXPECT_EQ(StatusCode("delivered"), "AB");
  EXPECT_EQ(StatusCode("in_process"), "IP");
  EXPECT_EQ(StatusCode("under_query"), "UQ");
  EXPECT_EQ(StatusCode("conditionally_accepted"), "CA");
  EXPECT_EQ(StatusCode("rejected"), "RE");
  EXPECT_EQ(StatusCode("accepted"), "AP");
  EXPECT_EQ(StatusCode("paid"), "PD");
  EXPECT_EQ(StatusCode("lost"), "");
  for (const char* code : {"AB", "IP", "UQ", "CA", "RE", "AP", "PD"}) EXPECT_EQ(StatusCode(StatusName(code)), code);
  EXPECT_EQ(StatusName("XX"), "");
}

TEST(ProtocolsTest, UnknownProtocolNamesTheKnownOnes) {
  OperatorSettings s;
  s.id = "x";
  s.protocol = "carrier-pigeon";
  auto client = MakeOperatorClient(s);
  ASSERT_FALSE(client);
  EXPECT_NE(client.error().message().find("operator.x.protocol"), std::string::npos);
  EXPECT_NE(client.error().message().find("file-drop"), std::string::npos);
}

}  // namespace
}  // namespace gw::operators

#include <chrono>
#include <filesystem>

namespace gw::operators {
namespace {

TEST(ProtocolsTest, RateLimitSpacesCallsToTheOperator) {
  // A lower bound only: 10 deliveries at 20 per second cannot take less than 9 intervals.
  const auto dir = std::filesystem::temp_directory_path() / ("eigw-pace-" + std::to_string(::getpid()));
  OperatorSettings s;
  s.id = "drop";
  s.protocol = "file-drop";
  s.formats = {"ubl"};
  s.rate_limit = 20;
  s.settings["folder"] = dir.string();
  auto client = MakeOperatorClient(s);
  ASSERT_TRUE(client) << client.error().ToString();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) {
    Delivery d;
    d.message_id = "m" + std::to_string(i);
    d.recipient = "0088:1";
    d.format = "ubl";
    d.document = "<Invoice/>";
    ASSERT_TRUE((*client)->Deliver(d));
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(450));
  EXPECT_EQ((*client)->settings().id, "drop");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gw::operators
