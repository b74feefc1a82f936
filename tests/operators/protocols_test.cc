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
