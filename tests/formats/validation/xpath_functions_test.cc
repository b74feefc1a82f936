// XPath functions evaluated on their own: tokenize() with a separator without metacharacters
// (':', '-', '\|') splits without a regular expression, and must split exactly as the regular
// expression does ('[:]', '[\-]' and '[|]' take the regular expression way).
#include <gtest/gtest.h>

#include <string>
#include <unordered_map>

#include "formats/validation/xpath_eval.h"
#include "formats/validation/xpath_parser.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::validation {
namespace {

// The items of `xpath` evaluated on a small document, as 'a'|'b'|... (or "error: ...").
std::string Evaluate(const std::string& xpath) {
  auto doc = xml::Document::Parse("<r/>");
  if (!doc) return "no document";
  std::unordered_map<std::string, uint32_t> variables;
  CompileScope scope;
  scope.variables = &variables;
  scope.resolve_function = [](std::string_view name, size_t arity) { return FindBuiltin(name, arity); };
  auto e = ParseXPath(xpath, scope);
  if (!e) return "parse error";
  AnnotateForEvaluation(**e);
  RegexCache regexes;
  std::vector<UserFunction> functions;
  Evaluator ev(*doc, functions, variables.size(), regexes);
  Context ctx;
  ctx.item = Item::Node(doc->root());
  Sequence value = ev.Eval(**e, ctx);
  if (ev.failed()) return "error: " + ev.error();
  std::string out;
  for (const Item& i : value) out += (out.empty() ? "'" : "|'") + AtomicToString(i) + "'";
  return out;
}

TEST(XPathFunctionsTest, TokenizeWithALiteralSeparatorSplitsAsTheRegularExpression) {
  const char* inputs[] = {"urn:fdc:peppol.eu:2017:poacc:billing:01:1.0", "a::b", ":a:", "a", ":", "2026-11-28",
                          "a|b||c", "no separator here"};
  const std::pair<const char*, const char*> separators[] = {{":", "[:]"}, {"-", "[\\-]"}, {"\\|", "[|]"}};
  for (const char* input : inputs) {
    for (const auto& [literal, regex] : separators) {
      std::string fast = Evaluate(std::string("tokenize('") + input + "', '" + literal + "')");
      std::string slow = Evaluate(std::string("tokenize('") + input + "', '" + regex + "')");
      EXPECT_EQ(fast, slow) << input << " split by " << literal;
      EXPECT_EQ(fast.rfind("error", 0), std::string::npos) << fast;
    }
  }
  EXPECT_EQ(Evaluate("tokenize('a:b::c', ':')"), "'a'|'b'|''|'c'");
  EXPECT_EQ(Evaluate("tokenize('2026-11-28', '-')[2]"), "'11'");
  EXPECT_EQ(Evaluate("tokenize('', ':')"), "");
  // Metacharacters keep the regular expression: '.' is any character.
  EXPECT_EQ(Evaluate("tokenize('ab', '.')"), "''|''|''");
}

}  // namespace
}  // namespace gw::formats::validation
