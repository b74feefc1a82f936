#include "formats/json/json_out.h"

#include <gtest/gtest.h>

#include "formats/json/json_value.h"

namespace gw::formats::json {
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

}  // namespace
}  // namespace gw::formats::json
