// ConfinedLoadScope::Resolve: which locations a schema load may read.
#include "formats/xsd/confined_loader.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/formats/xsd/xsd_test_util.h"

namespace gw::formats::xsd {
namespace {

using namespace gw::formats::xsd::testing;  // NOLINT

TEST(ConfinedLoadScopeTest, ResolvesOnlyRegularFilesUnderTheFolder) {
  TempDir temp;
  const fs::path folder = fs::canonical(temp.path());
  fs::create_directories(folder / "a b" / "sub");
  WriteFile(folder / "a b" / "sub" / "x.xsd", "<x/>");
  WriteFile(temp.path().parent_path() / "eigw-outside-probe.xsd", "<x/>");
  fs::create_symlink(folder / "a b" / "sub" / "x.xsd", folder / "inside-link.xsd");
  fs::create_symlink("/etc/passwd", folder / "outside-link.xsd");

  const std::string inside = (folder / "a b" / "sub" / "x.xsd").string();
  struct Case {
    std::string url;
    std::string resolved;  // empty: refused
    std::string reason;
  };
  const Case cases[] = {
      {inside, inside, ""},
      {"file://" + (folder / "a%20b" / "sub" / "x.xsd").string(), inside, ""},
      {"file://localhost" + (folder / "a%20b" / "sub" / "x.xsd").string(), inside, ""},
      {(folder / "a b" / "sub" / ".." / "sub" / "x.xsd").string(), inside, ""},
      {(folder / "inside-link.xsd").string(), inside, ""},
      {(folder / "a b" / ".." / ".." / "eigw-outside-probe.xsd").string(), "",
       "outside the schema folder"},
      {(folder / "outside-link.xsd").string(), "", "outside the schema folder"},
      {"/etc/passwd", "", "outside the schema folder"},
      {"file:///etc/passwd", "", "outside the schema folder"},
      {"file://evil.example/etc/passwd", "", "a file on another host"},
      {"http://127.0.0.1/x.xsd", "", "not a local file"},
      {"HTTPS://example.org/x.xsd", "", "not a local file"},
      {"ftp://example.org/x.xsd", "", "not a local file"},
      {"jar:file:///x.jar!/x.xsd", "", "not a local file"},
      {"a b/sub/x.xsd", "", "a relative path"},
      {(folder / "a b").string(), "", "not a regular file"},
      {(folder / "missing.xsd").string(), "", "no such file"},
      {"", "", "an empty location"},
  };
  ConfinedLoadScope scope(folder);
  size_t refused = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    EXPECT_EQ(scope.Resolve(c.url.c_str()).string(), c.resolved);
    if (c.resolved.empty()) {
      ++refused;
      ASSERT_EQ(scope.refused().size(), refused);
      EXPECT_NE(scope.refused().back().find(c.reason), std::string::npos) << scope.refused().back();
    }
  }
  fs::remove(temp.path().parent_path() / "eigw-outside-probe.xsd");
}

}  // namespace
}  // namespace gw::formats::xsd
