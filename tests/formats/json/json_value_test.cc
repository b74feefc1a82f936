#include "formats/json/json_value.h"

#include <gtest/gtest.h>

namespace gw::formats::json {
namespace {

std::string ErrorOf(std::string_view text) {
  auto v = Parse(text);
  if (v.has_value()) return "";
  EXPECT_EQ(v.error().findings().size(), 1u);
  return v.error().findings().empty() ? "" : v.error().findings()[0].message;
}

TEST(JsonValueTest, KeepsNumberTextExactly) {
  auto v = Parse(R"({"a": 0.1, "b": 12345678901234567890.123456789, "c": -1.50e3})");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->members[0].second.text, "0.1");
  EXPECT_EQ(v->members[1].second.text, "12345678901234567890.123456789");
  EXPECT_EQ(v->members[2].second.text, "-1.50e3");
}

TEST(JsonValueTest, DecodesEscapesAndUtf8) {
  auto v = Parse(R"(["a\"b\\c\/\n", "\u00f5\u00FC", "\ud83d\ude00", "Põhja"])");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->items[0].text, "a\"b\\c/\n");
  EXPECT_EQ(v->items[1].text, "\xC3\xB5\xC3\xBC");
  EXPECT_EQ(v->items[2].text, "\xF0\x9F\x98\x80");
  EXPECT_EQ(v->items[3].text, "P\xC3\xB5hja");
}

// Strings are views into the document's own storage: they must outlive the parsed text, and
// several decoded strings (and escaped member names) must not overwrite each other.
TEST(JsonValueTest, StringsOutliveTheTextAndDecodedStringsStayApart) {
  std::string text =
      R"({"k\u00e9y": "x\ty", "plain": "abc", "e2": "\u20ac1", "list": ["\"q\"", "n", "\\"]})";
  JsonDocument doc;
  {
    auto parsed = Parse(std::string(text));  // the text is gone after this statement
    ASSERT_TRUE(parsed.has_value());
    doc = std::move(*parsed);
  }
  text.assign(text.size(), '#');
  ASSERT_EQ(doc.members.size(), 4u);
  EXPECT_EQ(doc.members[0].first, "k\xC3\xA9y");
  EXPECT_EQ(doc.members[0].second.text, "x\ty");
  EXPECT_EQ(doc.members[1].second.text, "abc");
  EXPECT_EQ(doc.members[2].second.text, "\xE2\x82\xAC" "1");
  const JsonValue& list = doc.members[3].second;
  ASSERT_EQ(list.items.size(), 3u);
  EXPECT_EQ(list.items[0].text, "\"q\"");
  EXPECT_EQ(list.items[1].text, "n");
  EXPECT_EQ(list.items[2].text, "\\");
}

TEST(JsonValueTest, ReportsLineAndColumnOfSyntaxErrors) {
  EXPECT_EQ(ErrorOf("{\n  \"a\": 1,\n  \"b\" 2\n}"), "line 3, column 7: expected ':' after the member name, found '2'");
  EXPECT_NE(ErrorOf("{\"a\": [1, 2}").find("expected ',' or ']'"), std::string::npos);
  EXPECT_NE(ErrorOf("").find("found the end of the text"), std::string::npos);
  EXPECT_NE(ErrorOf("{\"a\": 1} x").find("unexpected text after"), std::string::npos);
}

TEST(JsonValueTest, RejectsHostileInput) {
  struct Case {
    std::string text;
    const char* message;
  } cases[] = {
      {R"({"a": NaN})", "NaN and Infinity are not JSON"},
      {R"({"a": Infinity})", "NaN and Infinity are not JSON"},
      {R"({"a": 01})", "leading zeros"},
      {R"({"a": 1.})", "digits after the decimal point"},
      {"{\"a\": \"\xC3\x28\"}", "malformed UTF-8"},
      {"{\"a\": \"\xC0\xAF\"}", "malformed UTF-8"},          // overlong '/'
      {"{\"a\": \"\xED\xA0\x80\"}", "malformed UTF-8"},      // encoded surrogate
      {"{\"a\": \"\xF4\x90\x80\x80\"}", "malformed UTF-8"},  // above U+10FFFF
      {R"({"a": "\ud800"})", "lone UTF-16 surrogate"},
      {R"({"a": "\u0000"})", "\\u0000 is not allowed"},
      {"{\"a\": \"x\ny\"}", "control character"},
      {R"({"a": "\x41"})", "invalid escape"},
      {R"({"a": 1, "a": 2})", "duplicate member \"a\""},
      {R"({'a': 1})", "member name in double quotes"},
      {R"({"a": "unterminated)", "unterminated string"},
  };
  for (const auto& c : cases) {
    EXPECT_NE(ErrorOf(c.text).find(c.message), std::string::npos)
        << c.text << " gave: " << ErrorOf(c.text);
  }
}

TEST(JsonValueTest, RejectsDeepNestingWithoutCrashing) {
  std::string deep(100000, '[');
  auto v = Parse(deep);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().findings()[0].rule, "json.limit");
  EXPECT_NE(v.error().findings()[0].message.find("nesting deeper than 64"), std::string::npos);
  std::string ok = std::string(60, '[') + std::string(60, ']');
  EXPECT_TRUE(Parse(ok).has_value());
}

TEST(JsonValueTest, RejectsTextOverSizeLimit) {
  ParseLimits limits;
  limits.max_bytes = 10;
  auto v = Parse(R"({"a": "0123456789"})", limits);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().findings()[0].rule, "json.limit");
}

TEST(JsonValueTest, AcceptsByteOrderMark) {
  EXPECT_TRUE(Parse("\xEF\xBB\xBF{\"a\": true}").has_value());
}

TEST(JsonValueTest, PointerEscapesTildeAndSlash) {
  EXPECT_EQ(PointerAppend("/a", "b/c~d"), "/a/b~1c~0d");
  EXPECT_EQ(PointerAppend("/lines", size_t{3}), "/lines/3");
}

}  // namespace
}  // namespace gw::formats::json
