#include "formats/core/participant_id.h"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(ParticipantIdTest, MakeAcceptsEasSchemes) {
  auto id = ParticipantId::Make("0088", "5790000435975");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->scheme(), "0088");
  EXPECT_EQ(id->ToString(), "0088:5790000435975");
}

TEST(ParticipantIdTest, ParseRejectsMissingSchemeOrUnknownScheme) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"5790000435975", "scheme:value"},
      {"1234:abc", "not an electronic address scheme"},
      {"0088:", "1 to 256 characters"},
      {"0088: 57900", "start or end with a space"},
      {"0088:57\n900", "control characters"},
  };
  for (const auto& c : cases) {
    auto id = ParticipantId::Parse(c.text);
    ASSERT_FALSE(id.has_value()) << c.text;
    EXPECT_NE(id.error().message().find(c.message), std::string::npos) << id.error().message();
  }
}

TEST(ParticipantIdTest, ValuesCompareCaseInsensitivelySchemesExactly) {
  EXPECT_EQ(*ParticipantId::Parse("9930:de123456789"), *ParticipantId::Parse("9930:DE123456789"));
  EXPECT_NE(*ParticipantId::Parse("9930:DE1"), *ParticipantId::Parse("9930:DE2"));
  EXPECT_NE(*ParticipantId::Parse("0088:1"), *ParticipantId::Parse("0060:1"));
  EXPECT_EQ(*ParticipantId::Parse("0088:a:b"), *ParticipantId::Make("0088", "a:b"));
}

}  // namespace
}  // namespace gw
