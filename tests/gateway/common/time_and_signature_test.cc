#include <gtest/gtest.h>

#include "gateway/server/context.h"
#include "gateway/webhooks/webhook_dispatcher.h"

namespace gw::gateway {
namespace {

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
