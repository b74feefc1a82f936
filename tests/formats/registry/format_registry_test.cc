#include "formats/registry/format_registry.h"

#include <gtest/gtest.h>

#include "formats/registry/builtin.h"

namespace gw::formats {
namespace {

TEST(FormatRegistryTest, BuiltinFormatsAreRegistered) {
  FormatRegistry registry;
  ASSERT_TRUE(RegisterBuiltinFormats(registry).has_value());
  auto json = registry.Find("json");
  ASSERT_TRUE(json.has_value());
  EXPECT_TRUE(static_cast<bool>((*json)->read));
  auto ubl = registry.Find("ubl");
  ASSERT_TRUE(ubl.has_value());
  EXPECT_TRUE(static_cast<bool>((*ubl)->read));
  EXPECT_TRUE(static_cast<bool>((*ubl)->write));
}

TEST(FormatRegistryTest, DuplicateNameIsAnError) {
  FormatRegistry registry;
  ASSERT_TRUE(RegisterBuiltinFormats(registry).has_value());
  Status again = RegisterBuiltinFormats(registry);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
}

TEST(FormatRegistryTest, UnknownFormatListsKnownNames) {
  FormatRegistry registry;
  ASSERT_TRUE(RegisterBuiltinFormats(registry).has_value());
  auto missing = registry.Find("pdf");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message().find("json, ubl"), std::string::npos);
}

TEST(FormatRegistryTest, ConvertRefusesWrongDirection) {
  // Every built-in format reads and writes now; a read-only one of the test's own.
  FormatRegistry registry;
  ReadFn read = [](std::string_view, std::vector<Finding>&) -> Result<model::Invoice> { return model::Invoice{}; };
  ASSERT_TRUE(registry.Register({"ro", "read only", "application/xml", ".xml", read, {}}).has_value());
  auto r = Convert(registry, "ro", "ro", "<x/>");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("'ro' cannot be written"), std::string::npos);
}

TEST(FormatRegistryTest, FormatWithoutReaderOrWriterIsRejected) {
  FormatRegistry registry;
  Status st = registry.Register({"empty", "nothing", "", "", {}, {}});
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace gw::formats
