// Exact arithmetic without items (Evaluator::Numeric, xpath_eval_numeric.cc) against the general
// evaluation: the same values, of the same types, and the same errors, for the shapes of the
// rules' money checks (xs:decimal of amounts, round(... * 10 * 10) div 100, sums, if/then/else,
// variables) and for functions whose parameters it binds itself (u:slack of the Peppol rules).
#include <gtest/gtest.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "formats/validation/xpath_eval.h"
#include "formats/validation/xpath_parser.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::validation {
namespace {

constexpr const char* kDocument =
    "<r><a>6.87</a><b>2</b><z>0</z><t>x</t><w>1.5</w><w>2.25</w><n> 4 </n><big>99999999999999999999999999999999999999</big>"
    "<v>99999999999999999999999999999999999999</v><v>99999999999999999999999999999999999999</v><e/></r>";

class NumericTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto doc = xml::Document::Parse(kDocument);
    ASSERT_TRUE(doc);
    doc_ = std::make_unique<xml::Document>(std::move(*doc));
    scope_.variables = &variables_;
    scope_.resolve_function = [](std::string_view name, size_t arity) -> int32_t {
      if (name == "u:slack" && arity == 3) return static_cast<int32_t>(Builtins().size());
      if (name == "u:twice" && arity == 1) return static_cast<int32_t>(Builtins().size() + 1);
      if (name == "u:text" && arity == 1) return static_cast<int32_t>(Builtins().size() + 2);
      return FindBuiltin(name, arity);
    };
    // The Peppol rules' u:slack, a numeric body, and one whose parameter is a string.
    AddFunction("u:slack", {"exp", "val", "slack"}, "xs:decimal",
                "xs:decimal($exp + $slack) >= $val and xs:decimal($exp - $slack) <= $val");
    AddFunction("u:twice", {"x"}, "xs:decimal", "$x * 2");
    AddFunction("u:text", {"x"}, "xs:string", "$x");
    ASSERT_TRUE(functions_[0].numeric);
    ASSERT_TRUE(functions_[1].numeric);
    ASSERT_FALSE(functions_[2].numeric);
    for (const char* name : {"d", "i", "zero", "s", "node", "empty", "many"}) Variable(name);
  }

  uint32_t Variable(const std::string& name) {
    auto [it, added] = variables_.emplace(name, static_cast<uint32_t>(variables_.size()));
    return it->second;
  }

  void AddFunction(const std::string& name, const std::vector<std::string>& params, const std::string& type,
                   const std::string& body) {
    UserFunction f;
    f.name = name;
    for (const std::string& p : params) {
      f.params.push_back(Variable(p));
      f.param_types.push_back(type);
    }
    auto e = ParseXPath(body, scope_);
    ASSERT_TRUE(e) << body;
    AnnotateForEvaluation(**e);
    f.body = std::move(*e);
    f.numeric = Evaluator::NumericFunction(f);
    functions_.push_back(std::move(f));
  }

  // `xpath` at the document element: its value with `types` (EvalAtomicLet, then Eval() where
  // that declines), or its effective boolean value (EvalBoolean); or the error.
  std::string Evaluate(const std::string& xpath, bool shortcuts, bool as_boolean) {
    auto e = ParseXPath(xpath, scope_);
    if (!e) return "parse error";
    AnnotateForEvaluation(**e);
    Evaluator ev(*doc_, functions_, variables_.size(), regexes_);
    ev.set_shortcuts(shortcuts);
    const xml::NodeId r = doc_->node(doc_->root()).first_child;
    ev.SetVariable(variables_["d"], Sequence{Item::Dec(*Decimal::Parse("6.87"))});
    ev.SetVariable(variables_["i"], Sequence{Item::Integer(Decimal::FromInt(3))});
    ev.SetVariable(variables_["zero"], Sequence{Item::Integer(Decimal::FromInt(0))});
    ev.SetVariable(variables_["s"], Sequence{Item::String("5")});
    ev.SetVariable(variables_["node"], Sequence{Item::Node(doc_->node(r).first_child)});  // <a>6.87</a>
    ev.SetVariable(variables_["empty"], Sequence{});
    ev.SetVariable(variables_["many"], Sequence{Item::Dec(*Decimal::Parse("1.5")), Item::Dec(*Decimal::Parse("2"))});
    Context ctx;
    ctx.item = Item::Node(r);
    if (as_boolean) {
      const bool b = ev.EvalBoolean(**e, ctx);
      if (ev.failed()) return "error: " + ev.error();
      return b ? "true" : "false";
    }
    Sequence value;
    if (!ev.EvalAtomicLet(**e, ctx, value)) value = ev.Eval(**e, ctx);
    if (ev.failed()) return "error: " + ev.error();
    std::string out;
    for (const Item& i : value) out += AtomicToString(i) + "/" + std::to_string(static_cast<int>(i.type)) + " ";
    return out;
  }

  std::unique_ptr<xml::Document> doc_;
  std::unordered_map<std::string, uint32_t> variables_;
  CompileScope scope_;
  std::vector<UserFunction> functions_;
  RegexCache regexes_;
};

TEST_F(NumericTest, ValuesAndErrorsAreThoseOfTheGeneralWay) {
  const char* values[] = {
      "xs:decimal(a) * 2", "xs:decimal(a) div xs:decimal(b)", "xs:decimal(a) div xs:decimal(z)",
      "round(xs:decimal(a) * 10 * 10) div 100", "-xs:decimal(a)", "-$i", "1 + 2", "7 idiv 2", "-7 idiv 2", "7 mod 3",
      "7.5 mod 2", "$i div 2", "$i * $d", "$d - $i", "$s + 1", "$node * 2", "$empty + 1", "$many + 1", "1 + $empty",
      "if (a) then xs:decimal(a) else 0", "if (missing) then xs:decimal(missing) else 1",
      "sum(w/xs:decimal(.)) * 2", "sum(w) * 2", "count(w) + 1", "abs(-$d) + floor(2.5) + ceiling(2.1)",
      "round(-2.5) + round(2.5)", "xs:decimal(t) + 1", "xs:decimal(missing) + 1", "xs:decimal(n) + 1",
      "xs:decimal(big) * 10", "xs:decimal(big) + xs:decimal(big)", "10 div 3", "1 div $zero", "$i idiv $zero",
      "u:twice($i) + 1", "u:twice(xs:decimal(a))", "u:twice($empty)", "u:twice($node) + 1", "u:twice($s)",
      "u:text($i)", "xs:decimal($node) + 1", "xs:decimal($i) + 1",
      // Sums of exact values, and the exact value of one node along a path.
      "sum(w/xs:decimal(.))", "sum(w/(xs:decimal(.) * 2))", "sum((a | w)/xs:decimal(.))", "sum(*/xs:decimal(.))",
      "sum(v/xs:decimal(.))", "sum(missing/xs:decimal(.))", "sum(e/xs:decimal(.))", "sum(w/xs:decimal(.)) div 0",
      "sum(w/count(.))", "a/xs:decimal(.) + 1", "w/xs:decimal(.) + 1", "missing/xs:decimal(.) + 1",
      "e/xs:decimal(.) + 1", "t/xs:decimal(.) + 1", "/r/a/xs:decimal(.) * 2", "a/xs:decimal(../b) + 1"};
  for (const char* xpath : values) {
    EXPECT_EQ(Evaluate(xpath, true, false), Evaluate(xpath, false, false)) << xpath;
  }
  EXPECT_EQ(Evaluate("round(xs:decimal(a) * 10 * 10) div 100", true, false), "6.87/5 ");  // kDecimal
  EXPECT_EQ(Evaluate("7 idiv 2", true, false), "3/4 ");                                  // kInteger
  EXPECT_EQ(Evaluate("sum(w/xs:decimal(.))", true, false), "3.75/5 ");
  EXPECT_EQ(Evaluate("sum(v/xs:decimal(.))", true, false).substr(0, 6), "error:");  // beyond 38 digits
}

TEST_F(NumericTest, ComparisonsAndSlackAreThoseOfTheGeneralWay) {
  const char* booleans[] = {"xs:decimal(a) >= 0", "(xs:decimal(a) + 1) = 7.87", "$i = 3.0", "$empty = 1", "1 = $empty",
                            "$i eq 3", "$empty eq 3", "$many = 2", "$node = 6.87", "$s = 5",
                            "u:slack(xs:decimal(a), 6.86, 0.02)", "u:slack(xs:decimal(a), 7, 0.02)",
                            "u:slack($empty, 1, 0.02)", "u:slack($i, 3, 0)", "u:slack($i, 3, $empty)",
                            "u:slack(xs:decimal(a), xs:decimal(a) div xs:decimal(z), 0.02)",
                            "u:slack(xs:decimal(t), 1, 0.02)", "u:slack($node, 6.87, 0)", "u:slack($s, 5, 0)",
                            "not(xs:decimal(a) > 7) and $i < 4", "$d != $i or $zero = 0",
                            "xs:decimal(big) * 10 > 0 or true()", "u:twice(xs:decimal(a)) = 13.74",
                            "a/xs:decimal(.) = 6.87", "w/xs:decimal(.) = 2.25", "missing/xs:decimal(.) = 0",
                            "sum(w/xs:decimal(.)) = 3.75", "sum(v/xs:decimal(.)) > 0", "a/xs:decimal(../b) = 2"};
  EXPECT_EQ(Evaluate("a/xs:decimal(../b) = 2", true, true), "true");
  for (const char* xpath : booleans) {
    EXPECT_EQ(Evaluate(xpath, true, true), Evaluate(xpath, false, true)) << xpath;
  }
  EXPECT_EQ(Evaluate("u:slack(xs:decimal(a), 6.86, 0.02)", true, true), "true");
  EXPECT_EQ(Evaluate("u:slack(xs:decimal(a), 7, 0.02)", true, true), "false");
  EXPECT_EQ(Evaluate("u:slack(xs:decimal(a), xs:decimal(a) div xs:decimal(z), 0.02)", true, true).substr(0, 6), "error:");
}

}  // namespace
}  // namespace gw::formats::validation
