// XPath functions evaluated on their own: tokenize() with a separator without metacharacters
// (':', '-', '\|') splits without a regular expression, and must split exactly as the regular
// expression does ('[:]', '[\-]' and '[|]' take the regular expression way).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>
#include <unordered_map>

#include "formats/core/decimal.h"
#include "formats/validation/xpath_eval.h"
#include "formats/validation/xpath_parser.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::validation {
namespace {

// The items of `xpath` evaluated on a small document, as 'a'|'b'|... (or "error: ..."), with
// the element `at` (by name, the first) as the context node, or the document node; `shortcuts`
// as in ValidateOptions; `as_boolean`: its effective boolean value, "true" or "false".
std::string Evaluate(const std::string& xpath, const char* document = "<r/>", std::string_view at = {},
                     bool shortcuts = true, bool as_boolean = false) {
  auto doc = xml::Document::Parse(document);
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
  ev.set_shortcuts(shortcuts);
  Context ctx;
  ctx.item = Item::Node(doc->root());
  for (xml::NodeId n = 0; n < doc->size() && !at.empty(); ++n) {
    if (doc->node(n).kind == xml::NodeKind::kElement && doc->local_name(n) == at) {
      ctx.item = Item::Node(n);
      break;
    }
  }
  if (as_boolean) {
    // EvalBoolean, which takes the evaluator's shortcuts (Eval() does not).
    bool b = ev.EvalBoolean(**e, ctx);
    if (ev.failed()) return "error: " + ev.error();
    return b ? "true" : "false";
  }
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
  // Whitespace separators (the code lists' '\s'): one character, or a run of them for '\s+',
  // with a zero-length token for a separator at either end, as the regular expressions give.
  for (const char* input : {"AD AE  AF", " AD AE", "AD AE ", "  ", "AD", "A  B   C  "}) {
    const std::string in = std::string("tokenize('") + input + "', ";
    EXPECT_EQ(Evaluate(in + "'\\s')"), Evaluate(in + "'[ ]')")) << input;
    EXPECT_EQ(Evaluate(in + "'\\s+')"), Evaluate(in + "'[ ]+')")) << input;
  }
  EXPECT_EQ(Evaluate("tokenize(' a  b ', '\\s+')"), "''|'a'|'b'|''");
  EXPECT_EQ(Evaluate("tokenize('a:b::c', ':')"), "'a'|'b'|''|'c'");
  EXPECT_EQ(Evaluate("tokenize('2026-11-28', '-')[2]"), "'11'");
  EXPECT_EQ(Evaluate("tokenize('', ':')"), "");
  // Metacharacters keep the regular expression: '.' is any character.
  EXPECT_EQ(Evaluate("tokenize('ab', '.')"), "''|''|''");
}

// string-length(substring-after(X, '.')) and substring-before (the decimals of amounts) are
// counted on the node's text without building strings: the same values as the functions.
TEST(XPathFunctionsTest, LengthAroundALiteralCountsAsTheFunctions) {
  const char* doc = "<r><a>12.345</a><a>7</a><b> x.\xc3\xa9\xc3\xa9.y </b><c/></r>";
  struct Case {
    const char* xpath;
    const char* at;  // the context element
    const char* want;
  } cases[] = {
      {"string-length(substring-after(a[1], '.'))", "r", "'3'"},
      {"string-length(substring-before(a[1], '.'))", "r", "'2'"},
      {"string-length(substring-after(a[2], '.'))", "r", "'0'"},
      {"string-length(substring-after(b, '.'))", "r", "'5'"},  // two characters of two bytes each
      {"string-length(substring-before(b, '.'))", "r", "'2'"},
      {"string-length(substring-after(b, ''))", "r", "'8'"},  // all of it
      {"string-length(substring-after(c, '.'))", "r", "'0'"},
      {"string-length(substring-after(missing, '.'))", "r", "'0'"},
      {"string-length(substring-after(., '.'))", "a", "'3'"},
      {"string-length(substring-before(., '.'))", "c", "'0'"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Evaluate(c.xpath, doc, c.at, false), c.want) << c.xpath;
    // As the rules use it, compared with a number (EvalBoolean, where the shortcut is).
    const std::string number = std::string(c.want).substr(1, std::strlen(c.want) - 2);
    for (bool shortcuts : {true, false}) {
      EXPECT_EQ(Evaluate(std::string(c.xpath) + " = " + number, doc, c.at, shortcuts, true), "true") << c.xpath;
      EXPECT_EQ(Evaluate(std::string(c.xpath) + " <= " + number + " - 1", doc, c.at, shortcuts, true), "false")
          << c.xpath;
    }
  }
  // More than one node is an error either way.
  for (bool shortcuts : {true, false}) {
    EXPECT_EQ(Evaluate("string-length(substring-after(a, '.')) <= 2", doc, "r", shortcuts, true).rfind("error", 0), 0u);
  }
}

// Comparisons of one node's text with another's or with a string, and xs:decimal() of a node,
// take the text without items: the same answers as the general way, empty sides included.
TEST(XPathFunctionsTest, TextComparisonsAndDecimalCastsAgreeWithTheGeneralWay) {
  const char* doc = "<r><a c='EUR'>EUR</a><b> EUR</b><d>12.50</d><e>1,5</e><f/></r>";
  struct Case {
    const char* xpath;
    const char* at;
    const char* want;
  } cases[] = {
      {"a = a/@c", "r", "true"},        {"a != a/@c", "r", "false"},   {"a = b", "r", "false"},
      {"a != b", "r", "true"},          {"a = 'EUR'", "r", "true"},    {"'EUR' = a/@c", "r", "true"},
      {"missing = 'EUR'", "r", "false"}, {"missing != 'EUR'", "r", "false"}, {"f = ''", "r", "true"},
      {". = 'EUR'", "a", "true"},       {"@c = .", "a", "true"},
      {"xs:decimal(d) = 12.5", "r", "true"},  {"xs:decimal(missing) = 0", "r", "false"},
      {"xs:decimal(.) > 12", "d", "true"},     {"xs:decimal('7') = 7", "r", "true"},
  };
  for (const Case& c : cases) {
    for (bool shortcuts : {true, false}) {
      EXPECT_EQ(Evaluate(c.xpath, doc, c.at, shortcuts, true), c.want) << c.xpath << " shortcuts " << shortcuts;
    }
  }
  // An empty side read first makes the comparison false without reading the other side, whose
  // predicate would raise an error (e is not a number).
  for (bool shortcuts : {true, false}) {
    EXPECT_EQ(Evaluate("missing = e[xs:decimal(.) > 0]", doc, "r", shortcuts, true), "false") << shortcuts;
    EXPECT_EQ(Evaluate("a = e[xs:decimal(.) > 0]", doc, "r", shortcuts, true).rfind("error", 0), 0u) << shortcuts;
  }
  // A text that is not a decimal, and more than one node, are errors either way.
  for (const char* xpath : {"xs:decimal(e) = 1", "xs:decimal(*) = 1"}) {
    for (bool shortcuts : {true, false}) {
      EXPECT_EQ(Evaluate(xpath, doc, "r", shortcuts, true).rfind("error", 0), 0u) << xpath << " shortcuts " << shortcuts;
    }
  }
}

// not(*) and not(normalize-space()), answered directly at the node (the Peppol rule against empty
// elements): the same as the functions, for elements with and without children and text.
TEST(XPathFunctionsTest, EmptyElementTestsAgreeWithTheGeneralWay) {
  const char* doc = "<r><full><k/></full><empty/><blank> \t\n\r </blank><text> x </text><mixed> <k/> </mixed></r>";
  struct Case {
    const char* at;
    const char* no_child;
    const char* blank;
  } cases[] = {
      {"full", "false", "true"},  {"empty", "true", "true"},  {"blank", "true", "true"},
      {"text", "true", "false"},  {"mixed", "false", "true"}, {"k", "true", "true"},
      {"r", "false", "false"},
  };
  for (const Case& c : cases) {
    for (bool shortcuts : {true, false}) {
      EXPECT_EQ(Evaluate("not(*)", doc, c.at, shortcuts, true), c.no_child) << c.at << " shortcuts " << shortcuts;
      EXPECT_EQ(Evaluate("not(normalize-space())", doc, c.at, shortcuts, true), c.blank) << c.at;
      EXPECT_EQ(Evaluate("not(normalize-space(.))", doc, c.at, shortcuts, true), c.blank) << c.at;
      const std::string both = std::string(c.no_child) == "true" && std::string(c.blank) == "true" ? "true" : "false";
      EXPECT_EQ(Evaluate("not(*) and not(normalize-space())", doc, c.at, shortcuts, true), both) << c.at;
    }
  }
}

// A path compared with a number, EvalBoolean's way (each node's text against the number) and
// Eval()'s way (the general comparison of the atomized sequence): the same answers and errors.
TEST(XPathFunctionsTest, PathsComparedWithNumbersAgreeWithTheGeneralWay) {
  const char* doc = "<r><p>-1</p><q> 5 </q><s>1E2</s><t>x</t><u>007</u><w>0.5</w><w>3</w></r>";
  for (const char* path : {"p", "q", "s", "t", "u", "w", "missing"}) {
    for (const char* test : {"(%) >= 0", "(%) < 0", "% = 5", "0 < %", "% != 7", "% = 100", "% > 0.25", "% = 2.5E0"}) {
      std::string xpath = test;
      xpath.replace(xpath.find('%'), 1, path);
      const std::string general = Evaluate(xpath, doc, "r", true, false);
      std::string want = general;  // 'true' / 'false' / error: ...
      if (want == "'true'") want = "true";
      if (want == "'false'") want = "false";
      EXPECT_EQ(Evaluate(xpath, doc, "r", true, true).substr(0, 5), want.substr(0, 5)) << xpath;
    }
  }
}

// xs:decimal casts of short numbers (ParseXsDecimal's direct path, up to 18 digits) give what the
// general way (ParseXsDecimalText: normalized, then Decimal::Parse) gives, value and scale:
// "12.50" keeps two places, "1." is 1, ".5" is 0.5, with a sign, leading zeros and surrounding
// whitespace; anything else is refused. Near the boundary of 18 digits too.
TEST(XPathFunctionsTest, XsDecimalDirectPathAgreesWithTheGeneralWay) {
  std::vector<std::string> inputs = {"0", "-0", "+0", "-0.00", "12.50", "0012.50", "1.", ".5", "-.5", "+7", " 3.25\n",
                                     "1.2.3", "", "-", "+", ".", "1e3", "12,5", "123456789012345678",
                                     "1234567890123456789", "-12345678901234567.8", "0.000000000000000001",
                                     "99999999999999999999999999999999999999", "1.0000000000000000000000000000001"};
  uint64_t x = 88172645463325252ull;
  for (int n = 0; n < 2000; ++n) {  // random digit strings with points and signs
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    std::string s = (x & 3) == 0 ? "-" : "";
    const int length = 1 + static_cast<int>((x >> 8) % 24);
    const int point = static_cast<int>((x >> 16) % (length + 2));
    for (int i = 0; i < length; ++i) {
      if (i == point) s += '.';
      s += static_cast<char>('0' + (x >> (20 + i % 40)) % 10);
    }
    inputs.push_back(s);
  }
  EXPECT_EQ(Evaluate("xs:decimal(' 0012.50 ')"), "'12.5'");  // the canonical string of the value
  for (const std::string& input : inputs) {
    Decimal want, got;
    const bool ok = ParseXsDecimalText(input, want);
    ASSERT_EQ(ParseXsDecimal(input, got), ok) << "'" << input << "'";
    if (ok) {
      EXPECT_EQ(got.ToString(), want.ToString()) << "'" << input << "'";
    }
  }
}

// preceding::name reads the elements of that name from the by-name index: the same nodes, in the
// same order (nearest first for a positional predicate), as testing every preceding node, with
// ancestors of that name left out.
TEST(XPathFunctionsTest, PrecedingByNameAgreesWithTestingEveryNode) {
  const char* doc = "<r><n>1<n>2</n></n><m><n>3</n><k/></m><n>4<p><n>5</n><q/></p></n><z/></r>";
  int compared = 0;
  for (const char* at : {"r", "k", "q", "z", "p", "m"}) {
    for (const char* form : {"string-join(%, ',')", "string(%[1])", "string(%[2])", "count(%)"}) {
      std::string by_name = form, by_test = form;
      by_name.replace(by_name.find('%'), 1, "preceding::n");
      by_test.replace(by_test.find('%'), 1, "preceding::*[self::n]");
      EXPECT_EQ(Evaluate(by_name, doc, at), Evaluate(by_test, doc, at)) << by_name << " at " << at;
      ++compared;
    }
  }
  EXPECT_EQ(Evaluate("string-join(preceding::n, ',')", doc, "q"), "'12,2,3,5'");  // not 4 (an ancestor)
  EXPECT_EQ(Evaluate("string(preceding::n[1])", doc, "q"), "'5'");
  EXPECT_EQ(compared, 24);
}

}  // namespace
}  // namespace gw::formats::validation
