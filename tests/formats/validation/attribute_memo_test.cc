// Which assertion tests read their context node through its attributes only
// (ReadsAttributesOnly), so that their outcome can be remembered by the attributes' values; and
// the keys AttributeMemo gives nodes.
#include <gtest/gtest.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "formats/validation/attribute_memo.h"
#include "formats/validation/xpath_eval.h"
#include "formats/validation/xpath_parser.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::validation {
namespace {

class AttributeMemoTest : public ::testing::Test {
 protected:
  // Whether `xpath` reads attributes only, with $fixed a document-wide variable and $changing not;
  // the names of the attributes read, in `names`.
  bool ReadsOnly(const std::string& xpath, std::vector<std::string>* names = nullptr) {
    CompileScope scope;
    scope.namespaces = {{"cbc", "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}};
    scope.variables = &variables_;
    scope.resolve_function = [](std::string_view name, size_t arity) -> int32_t {
      if (name == "u:f") return static_cast<int32_t>(Builtins().size());
      return FindBuiltin(name, arity);
    };
    variables_.emplace("fixed", static_cast<uint32_t>(variables_.size()));
    variables_.emplace("changing", static_cast<uint32_t>(variables_.size()));
    auto e = ParseXPath(xpath, scope);
    EXPECT_TRUE(e) << xpath;
    if (!e) return false;
    AnnotateForEvaluation(**e);
    const uint32_t fixed = variables_["fixed"];
    std::vector<xml::NameId> attributes;
    const bool only = ReadsAttributesOnly(**e, [&](uint32_t var) { return var == fixed; }, attributes);
    if (names != nullptr) {
      names->clear();
      for (xml::NameId n : attributes) names->push_back(std::string(xml::NameTable::Shared().local(n)));
    }
    return only;
  }
  std::unordered_map<std::string, uint32_t> variables_;
};

TEST_F(AttributeMemoTest, TestsThatReadAttributesOnly) {
  std::vector<std::string> names;
  EXPECT_TRUE(ReadsOnly("@currencyID = $fixed", &names));
  EXPECT_EQ(names, std::vector<std::string>{"currencyID"});
  EXPECT_TRUE(ReadsOnly("not(contains(normalize-space(@currencyID), ' ')) and "
                        "contains(' EUR USD ', concat(' ', normalize-space(@currencyID), ' '))",
                        &names));
  EXPECT_EQ(names, std::vector<std::string>{"currencyID"});
  EXPECT_TRUE(ReadsOnly("some $c in tokenize('A B', ' ') satisfies (@unitCode = $c or @schemeID = $c)", &names));
  EXPECT_EQ(names, (std::vector<std::string>{"unitCode", "schemeID"}));
  EXPECT_TRUE(ReadsOnly("string-length(@mimeCode) > 0 and matches(@mimeCode, '^[a-z]+/')"));
}

TEST_F(AttributeMemoTest, TestsThatReadMoreAreNotRemembered) {
  for (const char* xpath : {".", "normalize-space() != ''", "string-length() > 2", "@currencyID = $changing",
                            "cbc:ID", "exists(cbc:ID/@schemeID)", "../@currencyID = 'EUR'", "name() = 'x'",
                            "position() = 1", "u:f(@currencyID)", "(@a, @b)[1] = 'x'", "@*", "@currencyID | @a",
                            "true()"}) {
    std::vector<std::string> names;
    const bool only = ReadsOnly(xpath, &names);
    // true() reads nothing at all: accepted, but with no attribute it is not worth a memo.
    EXPECT_TRUE(!only || names.empty()) << xpath;
  }
}

TEST_F(AttributeMemoTest, KeysTellPresenceAndValuesApart) {
  auto doc = xml::Document::Parse(
      "<r xmlns:cbc='urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'>"
      "<cbc:Amount currencyID='EUR'>1</cbc:Amount><cbc:Amount currencyID='EUR'>2</cbc:Amount>"
      "<cbc:Amount currencyID='USD'>3</cbc:Amount><cbc:Amount currencyID=''>4</cbc:Amount>"
      "<cbc:Amount>5</cbc:Amount></r>");
  ASSERT_TRUE(doc);
  const xml::NameId currency = xml::NameTable::Shared().Find("", "currencyID");
  ASSERT_NE(currency, xml::kNoName);
  std::vector<std::string> keys;
  for (xml::NodeId n = 0; n < doc->size(); ++n) {
    if (doc->node(n).kind != xml::NodeKind::kElement || doc->local_name(n) != "Amount") continue;
    std::string key;
    AttributeMemo::Key(*doc, n, {currency}, key);
    keys.push_back(key);
  }
  ASSERT_EQ(keys.size(), 5u);
  EXPECT_EQ(keys[0], keys[1]);  // EUR, EUR
  EXPECT_NE(keys[0], keys[2]);  // EUR, USD
  EXPECT_NE(keys[3], keys[4]);  // empty, absent
  EXPECT_NE(keys[0], keys[3]);
}

}  // namespace
}  // namespace gw::formats::validation
