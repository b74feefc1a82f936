#include "gateway/common/json_out.h"

#include <gtest/gtest.h>

#include "formats/json/json_value.h"
#include "gateway/server/context.h"
#include "gateway/webhooks/webhook_dispatcher.h"

namespace gw::gateway {
namespace {

TEST(JsonOutTest, WritesBalancedJsonWithEscapesThatOurParserReadsBack) {
  static constexpr char kText[] = "quote \" backslash \\ newline \n tab \t ctl \x01 \xC3\xA9";
  const std::string_view text(kText, sizeof kText - 1);
  JsonOut j;
  j.BeginObject()
      .Field("text", text)
      .Field("n", int64_t{-42})
      .Field("yes", true)
      .Key("none").Null()
      .Key("list").BeginArray().Int(1).String("two").BeginObject().EndObject().EndArray()
      .Key("raw").Raw(R"({"a":[1]})")
      .Key("empty_raw").Raw("")
      .EndObject();
  auto doc = formats::json::Parse(j.str());
  ASSERT_TRUE(doc) << j.str();
  ASSERT_TRUE(doc->is_object());
  EXPECT_EQ(doc->members.size(), 7u);
  EXPECT_EQ(doc->members[0].second.text, text);
  EXPECT_EQ(doc->members[4].second.items.size(), 3u);
  EXPECT_NE(j.str().find("\\u0001"), std::string::npos);
}

TEST(TimeTest, Rfc3339RoundTripsAndAcceptsOffsets) {
  EXPECT_EQ(Rfc3339(1764266462345), "2025-11-27T18:01:02.345Z");
  int64_t ms = 0;
  ASSERT_TRUE(ParseRfc3339("2025-11-27T18:01:02.345Z", ms));
  EXPECT_EQ(ms, 1764266462345);
  ASSERT_TRUE(ParseRfc3339("2025-11-27T20:01:02+02:00", ms));
  EXPECT_EQ(ms, 1764266462000);
  for (const char* bad : {"2025-11-27", "2025-11-27T18:01:02", "2025-13-01T00:00:00Z", "2025-11-27T18:01:02.Z",
                          "2025-11-27T18:01:02Zjunk", "yesterday"})
    EXPECT_FALSE(ParseRfc3339(bad, ms)) << bad;
}

TEST(WebhookSignatureTest, IsHmacSha256OverIdTimestampAndBody) {
  // Computed independently: python3 hmac.new(secret, b"dlv_7.1764266462.{\"seq\":1}", sha256).
  EXPECT_EQ(WebhookSignature("whsec_test_secret_123", "dlv_7", 1764266462, R"({"seq":1})"),
            "v1=1825ecb1d1d0c291d959a70019fb22772af2b5ce635c1d62d59009409af5f12f");
}

}  // namespace
}  // namespace gw::gateway
