#include "formats/validation/schematron.h"

#include <algorithm>
#include <span>

#include "formats/validation/xpath_parser.h"

namespace gw::formats::validation {
namespace {

// True when `e` selects the same nodes whatever the context node: a path from the root, a
// union of such, or such a thing filtered by predicates.
bool StartsAtRootExpr(const Expr& e) {
  if (e.op == Op::kRoot) return true;
  if (e.op == Op::kPath || e.op == Op::kFilter) return StartsAtRootExpr(*e.kids[0]);
  if (e.op == Op::kUnion) return StartsAtRootExpr(*e.kids[0]) && StartsAtRootExpr(*e.kids[1]);
  return false;
}

ExprPtr MakeExpr(Op op) {
  auto e = std::make_unique<Expr>();
  e->op = op;
  return e;
}

ExprPtr Join(ExprPtr a, ExprPtr b) {
  ExprPtr e = MakeExpr(Op::kPath);
  e->kids.push_back(std::move(a));
  e->kids.push_back(std::move(b));
  return e;
}

// Rewrites a relative pattern branch P into an expression that selects, from the document, every
// node P matches (XSLT: N matches P if N is in root(N)//P).
ExprPtr Absolute(ExprPtr branch, const std::unordered_set<uint32_t>& boolean_vars) {
  if (StartsAtRootExpr(*branch)) return branch;
  // Find the leftmost step.
  ExprPtr* leftmost = &branch;
  while ((*leftmost)->op == Op::kPath) leftmost = &(*leftmost)->kids[0];
  Expr& first = **leftmost;
  bool foldable = first.op == Op::kStep && first.axis == Axis::kChild &&
                  std::all_of(first.kids.begin(), first.kids.end(), [&](const ExprPtr& p) {
                    return IsBooleanPredicate(*p) || (p->op == Op::kVariable && boolean_vars.count(p->var) != 0);
                  });
  if (foldable) {
    // The child paths recorded along the way down to the step (Expr::child_path) no longer hold.
    for (Expr* x = branch.get(); x != &first; x = x->kids[0].get()) x->child_path_length = 0;
    first.child_path_length = 0;
    first.axis = Axis::kDescendant;
    *leftmost = Join(MakeExpr(Op::kRoot), std::move(*leftmost));
    return branch;
  }
  ExprPtr dos = MakeExpr(Op::kStep);
  dos->axis = Axis::kDescendantOrSelf;
  dos->test.kind = NodeTest::Kind::kNode;
  return Join(Join(MakeExpr(Op::kRoot), std::move(dos)), std::move(branch));
}

bool References(const Expr& e, uint32_t var) {
  if (e.op == Op::kVariable && e.var == var) return true;
  for (const auto& k : e.kids) {
    if (References(*k, var)) return true;
  }
  return false;
}

// "some $x in D satisfies A = $x" (A not using $x) is "A = D": a general comparison is already
// existential, and then a code list lookup can use the constant's set.
void RewriteQuantified(ExprPtr& e) {
  for (auto& k : e->kids) RewriteQuantified(k);
  if (e->op != Op::kSome || e->vars.size() != 1) return;
  Expr& body = *e->kids[1];
  if (body.op != Op::kGeneralCompare || body.compare != Comparison::kEq) return;
  uint32_t var = e->vars[0];
  for (int side = 0; side < 2; ++side) {
    const Expr& v = *body.kids[side];
    const Expr& other = *body.kids[1 - side];
    if (v.op == Op::kVariable && v.var == var && !References(other, var)) {
      ExprPtr cmp = MakeExpr(Op::kGeneralCompare);
      cmp->compare = Comparison::kEq;
      cmp->kids.push_back(std::move(body.kids[1 - side]));
      cmp->kids.push_back(std::move(e->kids[0]));
      e = std::move(cmp);
      return;
    }
  }
}

void CollectBindings(const Expr& e, std::unordered_map<uint32_t, int>& bound) {
  if (e.op == Op::kFor || e.op == Op::kLet || e.op == Op::kSome || e.op == Op::kEvery) {
    for (uint32_t v : e.vars) bound[v] += 1;
  }
  for (const auto& k : e.kids) CollectBindings(*k, bound);
}

// True when `e` has the same value in every document.
bool IsConstant(const Expr& e, const std::unordered_set<uint32_t>& constants) {
  switch (e.op) {
    case Op::kRoot:
    case Op::kStep:
    case Op::kPath:
    case Op::kContextItem: return false;
    case Op::kVariable: return constants.count(e.var) != 0;
    case Op::kFunctionCall:
      if (e.kids.empty() && e.text != "true" && e.text != "false") return false;  // context functions
      if (e.text == "name" || e.text == "local-name" || e.text.rfind("u:", 0) == 0) return false;
      break;
    default: break;
  }
  for (const auto& k : e.kids) {
    if (!IsConstant(*k, constants)) return false;
  }
  return true;
}

void Branches(ExprPtr e, std::vector<ExprPtr>& out) {
  if (e->op == Op::kUnion) {
    Branches(std::move(e->kids[0]), out);
    Branches(std::move(e->kids[1]), out);
    return;
  }
  out.push_back(std::move(e));
}

}  // namespace

Result<std::unique_ptr<RuleSet>> RuleSet::Compile(const RuleSource& source) {
  return Compile(source, source.name, {});
}

Result<std::unique_ptr<RuleSet>> RuleSet::Compile(const RuleSource& source, std::string name,
                                                  const std::unordered_set<std::string>& only) {
  auto set = std::unique_ptr<RuleSet>(new RuleSet);
  set->name_ = std::move(name);
  set->version_ = source.version;
  std::unordered_map<std::string, uint32_t> variables;
  CompileScope scope;
  scope.variables = &variables;
  scope.namespaces["xs"] = "http://www.w3.org/2001/XMLSchema";
  // Functions are resolved by name; the rule set's own come after the built-ins.
  std::vector<std::pair<std::string, size_t>> user_names;
  for (size_t i = 0; i < source.count; ++i) {
    const RuleRecord& r = source.records[i];
    if (r.kind == 'N') scope.namespaces[r.a] = r.b;
    if (r.kind == 'F') {
      std::string params = r.b;
      size_t arity = params.empty() ? 0 : static_cast<size_t>(std::count(params.begin(), params.end(), ',') + 1);
      user_names.emplace_back(r.a, arity);
    }
  }
  scope.resolve_function = [&](std::string_view name, size_t arity) -> int32_t {
    int32_t b = FindBuiltin(name, arity);
    if (b >= 0) return b;
    for (size_t i = 0; i < user_names.size(); ++i) {
      if (user_names[i].first == name && user_names[i].second == arity) {
        return static_cast<int32_t>(Builtins().size() + i);
      }
    }
    return -1;
  };
  auto compile = [&](const char* text, const char* what) -> Result<ExprPtr> {
    auto e = ParseXPath(text, scope);
    if (!e) return Error::Internal(std::string(source.name) + ": " + what + ": " + e.error().message());
    RewriteQuantified(*e);
    AnnotateForEvaluation(**e);
    return e;
  };

  Pattern* pattern = nullptr;
  Rule* rule = nullptr;
  std::unordered_set<uint32_t> boolean_vars;
  std::unordered_map<uint32_t, int> global_definitions;
  for (size_t i = 0; i < source.count; ++i) {
    const RuleRecord& r = source.records[i];
    switch (r.kind) {
      case 'N': break;
      case 'F': {
        UserFunction f;
        f.name = r.a;
        std::string params = r.b;
        size_t start = 0;
        while (start < params.size()) {
          size_t comma = params.find(',', start);
          std::string p = params.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          size_t colon = p.find(':');
          f.params.push_back(scope.Variable(p.substr(0, colon)));
          f.param_types.push_back(colon == std::string::npos ? "" : p.substr(colon + 1));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        auto body = compile(r.c, r.a);
        if (!body) return body.error();
        f.body = std::move(*body);
        f.numeric = Evaluator::NumericFunction(f);
        set->functions_.push_back(std::move(f));
        break;
      }
      case 'L':
      case 'Q': {
        auto value = compile(r.b, r.a);
        if (!value) return value.error();
        uint32_t var = scope.Variable(r.a);
        // A variable defined once by a boolean expression can serve as a filter, never as a
        // position ([$isGreekSender]).
        if (IsBooleanPredicate(**value) && ++global_definitions[var] == 1) {
          boolean_vars.insert(var);
        } else {
          boolean_vars.erase(var);
          ++global_definitions[var];
        }
        set->globals_.push_back(Let{var, std::move(*value)});
        break;
      }
      case 'P':
        set->patterns_.emplace_back();
        pattern = &set->patterns_.back();
        pattern->id = r.a;
        rule = nullptr;
        break;
      case 'R': {
        if (pattern == nullptr) return Error::Internal("rule outside a pattern");
        auto context = compile(r.a, "rule context");
        if (!context) return context.error();
        std::vector<ExprPtr> branches;
        Branches(std::move(*context), branches);
        ExprPtr all;
        for (auto& b : branches) {
          ExprPtr abs = Absolute(std::move(b), boolean_vars);
          if (!all) {
            all = std::move(abs);
          } else {
            ExprPtr u = MakeExpr(Op::kUnion);
            u->kids.push_back(std::move(all));
            u->kids.push_back(std::move(abs));
            all = std::move(u);
          }
        }
        pattern->rules.emplace_back();
        rule = &pattern->rules.back();
        rule->context = std::move(all);
        rule->match = ContextPattern::From(*rule->context, boolean_vars);
        break;
      }
      case 'V': {
        if (rule == nullptr) return Error::Internal("variable outside a rule");
        auto value = compile(r.b, r.a);
        if (!value) return value.error();
        rule->lets.push_back(Let{scope.Variable(r.a), std::move(*value)});
        break;
      }
      case 'A': {
        if (rule == nullptr) return Error::Internal("assertion outside a rule");
        if (!only.empty() && only.count(r.a) == 0) break;
        auto test = compile(r.c, r.a);
        if (!test) return test.error();
        std::string flag = r.b;
        Finding::Severity severity = flag == "warning"       ? Finding::Severity::kWarning
                                     : flag == "information" ? Finding::Severity::kInformation
                                                             : Finding::Severity::kFatal;
        Assertion assertion{r.a, severity, std::move(*test), r.d != nullptr ? r.d : ""};
        static const int32_t kNot = FindBuiltin("not", 1);
        const Expr& t = *assertion.test;
        assertion.negated = t.op == Op::kFunctionCall && t.function == kNot;
        const Expr& path = assertion.negated ? *t.kids[0] : t;
        if (path.child_path_length > 0) assertion.path = &path;
        assertion.in_trie = rule->paths.Add(path, static_cast<uint32_t>(rule->assertions.size()));
        rule->assertions.push_back(std::move(assertion));
        ++set->assertion_count_;
        break;
      }
      default: return Error::Internal(std::string("unknown rule record kind ") + r.kind);
    }
  }
  set->variable_count_ = variables.size();
  set->FoldConstants();
  set->FindAttributeMemos();
  set->BuildDispatch();
  return set;
}

void RuleSet::FindAttributeMemos() {
  // A variable is the same for a whole document when the rule set or a constant binds it and no
  // rule variable or function parameter shares its id (the value of those changes from node to
  // node).
  std::unordered_set<uint32_t> fixed, changing;
  for (const Let& g : globals_) fixed.insert(g.var);
  for (const Constant& c : constants_) fixed.insert(c.var);
  for (const Pattern& pattern : patterns_) {
    for (const Rule& rule : pattern.rules) {
      for (const Let& let : rule.lets) changing.insert(let.var);
    }
  }
  for (const UserFunction& f : functions_) changing.insert(f.params.begin(), f.params.end());
  auto is_fixed = [&](uint32_t var) { return fixed.count(var) != 0 && changing.count(var) == 0; };
  for (Pattern& pattern : patterns_) {
    for (Rule& rule : pattern.rules) {
      for (Assertion& a : rule.assertions) {
        if (a.in_trie || a.path != nullptr) continue;  // answered from the path classes
        if (ReadsAttributesOnly(*a.test, is_fixed, a.memo_attributes) && !a.memo_attributes.empty()) {
          a.memo = memo_count_++;
        }
      }
    }
  }
}

void RuleSet::FoldConstants() {
  // A variable is folded only when its own declaration is its only binding.
  std::unordered_map<uint32_t, int> bound;
  for (const Let& g : globals_) bound[g.var] += 1;
  for (const UserFunction& f : functions_) {
    for (uint32_t p : f.params) bound[p] += 1;
    CollectBindings(*f.body, bound);
  }
  for (const Let& g : globals_) CollectBindings(*g.value, bound);
  for (const Pattern& p : patterns_) {
    for (const Rule& r : p.rules) {
      CollectBindings(*r.context, bound);
      for (const Let& l : r.lets) {
        bound[l.var] += 1;
        CollectBindings(*l.value, bound);
      }
      for (const Assertion& a : r.assertions) CollectBindings(*a.test, bound);
    }
  }
  auto dummy = xml::Document::Parse("<constant/>");
  if (!dummy) return;
  Evaluator ev(*dummy, functions_, variable_count_, regexes_);
  Context ctx;
  ctx.item = Item::Node(dummy->root());
  std::unordered_set<uint32_t> constant_vars;
  std::vector<Let> remaining;
  std::vector<Constant> constants;
  for (Let& g : globals_) {
    if (bound[g.var] == 1 && IsConstant(*g.value, constant_vars)) {
      ev.ClearError();
      Sequence value = ev.Eval(*g.value, ctx);
      if (!ev.failed()) {
        ev.SetVariable(g.var, value);
        constant_vars.insert(g.var);
        Constant c;
        c.var = g.var;
        c.value = std::move(value);
        constants.push_back(std::move(c));
        continue;
      }
    }
    remaining.push_back(std::move(g));
  }
  globals_ = std::move(remaining);
  constants_ = std::move(constants);
  // The sets view the strings in constants_, which no longer move.
  for (Constant& c : constants_) {
    c.all_strings = !c.value.empty();
    for (const Item& i : c.value) c.all_strings = c.all_strings && i.type == Type::kString;
    if (c.all_strings) {
      for (const Item& i : c.value) c.strings.insert(i.str);
    }
  }
}

}  // namespace gw::formats::validation
