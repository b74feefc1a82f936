#include "formats/validation/schematron.h"

#include <algorithm>

#include "formats/validation/xpath_parser.h"

namespace gw::formats::validation {
namespace {

bool HasPositional(const Expr& e) {
  if (e.op == Op::kLiteralInteger || e.op == Op::kLiteralDecimal || e.op == Op::kLiteralDouble) return true;
  if (e.op == Op::kFunctionCall && (e.text == "position" || e.text == "last")) return true;
  for (const auto& k : e.kids) {
    if (k->op == Op::kFunctionCall && (k->text == "position" || k->text == "last")) return true;
  }
  return false;
}

bool StartsAtRootExpr(const Expr& e) {
  if (e.op == Op::kRoot) return true;
  if (e.op == Op::kPath) return StartsAtRootExpr(*e.kids[0]);
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
ExprPtr Absolute(ExprPtr branch) {
  if (StartsAtRootExpr(*branch)) return branch;
  // Find the leftmost step.
  ExprPtr* leftmost = &branch;
  while ((*leftmost)->op == Op::kPath) leftmost = &(*leftmost)->kids[0];
  Expr& first = **leftmost;
  bool foldable = first.op == Op::kStep && first.axis == Axis::kChild &&
                  std::none_of(first.kids.begin(), first.kids.end(), [](const ExprPtr& p) { return HasPositional(*p); });
  if (foldable) {
    first.axis = Axis::kDescendant;
    *leftmost = Join(MakeExpr(Op::kRoot), std::move(*leftmost));
    return branch;
  }
  ExprPtr dos = MakeExpr(Op::kStep);
  dos->axis = Axis::kDescendantOrSelf;
  dos->test.kind = NodeTest::Kind::kNode;
  return Join(Join(MakeExpr(Op::kRoot), std::move(dos)), std::move(branch));
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
  auto set = std::unique_ptr<RuleSet>(new RuleSet);
  set->name_ = source.name;
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
    MarkCacheable(**e);
    return e;
  };

  Pattern* pattern = nullptr;
  Rule* rule = nullptr;
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
        set->functions_.push_back(std::move(f));
        break;
      }
      case 'L':
      case 'Q': {
        auto value = compile(r.b, r.a);
        if (!value) return value.error();
        set->globals_.push_back(Let{scope.Variable(r.a), std::move(*value)});
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
          ExprPtr abs = Absolute(std::move(b));
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
        auto test = compile(r.c, r.a);
        if (!test) return test.error();
        std::string flag = r.b;
        rule->assertions.push_back(Assertion{r.a, flag == "warning" ? Finding::Severity::kWarning : Finding::Severity::kFatal,
                                             std::move(*test), r.d != nullptr ? r.d : ""});
        ++set->assertion_count_;
        break;
      }
      default: return Error::Internal(std::string("unknown rule record kind ") + r.kind);
    }
  }
  set->variable_count_ = variables.size();
  return set;
}

void RuleSet::Run(const xml::Document& doc, std::vector<Finding>& findings) const {
  Evaluator ev(doc, functions_, variable_count_, regexes_);
  Context root;
  root.item = Item::Node(doc.root());
  for (const Let& g : globals_) {
    ev.ClearError();
    Sequence value = ev.Eval(*g.value, root);
    ev.SetVariable(g.var, ev.failed() ? Sequence{} : std::move(value));
  }
  std::vector<int32_t> assigned(doc.size(), -1);
  std::vector<xml::NodeId> order;
  for (const Pattern& pattern : patterns_) {
    order.clear();
    for (size_t r = 0; r < pattern.rules.size(); ++r) {
      ev.ClearError();
      Sequence nodes = ev.Eval(*pattern.rules[r].context, root);
      if (ev.failed()) continue;
      for (const Item& n : nodes) {
        if (!n.is_node() || assigned[n.node] != -1) continue;
        assigned[n.node] = static_cast<int32_t>(r);
        order.push_back(n.node);
      }
    }
    std::sort(order.begin(), order.end());
    for (xml::NodeId node : order) {
      const Rule& rule = pattern.rules[assigned[node]];
      assigned[node] = -1;
      Context ctx;
      ctx.item = Item::Node(node);
      for (const Let& let : rule.lets) {
        ev.ClearError();
        Sequence value = ev.Eval(*let.value, ctx);
        ev.SetVariable(let.var, ev.failed() ? Sequence{} : std::move(value));
      }
      for (const Assertion& a : rule.assertions) {
        ev.ClearError();
        bool ok = ev.EvalBoolean(*a.test, ctx);
        if (ok && !ev.failed()) continue;
        std::string message = a.message;
        if (ev.failed()) message += " [the test could not be evaluated: " + ev.error() + "]";
        findings.push_back(Finding{a.id, a.severity, NodePath(doc, node), std::move(message)});
      }
    }
  }
}

std::string NodePath(const xml::Document& doc, xml::NodeId node) {
  std::vector<std::string> parts;
  for (xml::NodeId n = node; n != xml::kNoNode && n != doc.root(); n = doc.node(n).parent) {
    const xml::Node& x = doc.node(n);
    if (x.kind == xml::NodeKind::kAttribute) {
      parts.push_back("@" + std::string(doc.local_name(n)));
      continue;
    }
    if (x.kind == xml::NodeKind::kText) {
      parts.push_back("text()");
      continue;
    }
    std::string_view ns = doc.namespace_uri(n);
    std::string name = ns == xml::kCbcNs ? "cbc:" : ns == xml::kCacNs ? "cac:" : "";
    name += doc.local_name(n);
    if (x.parent != doc.root()) {
      size_t index = 1;
      for (xml::NodeId s = doc.node(x.parent).first_child; s != n; s = doc.node(s).next_sibling) {
        if (doc.node(s).kind == xml::NodeKind::kElement && doc.node(s).name == x.name) ++index;
      }
      name += "[" + std::to_string(index) + "]";
    }
    parts.push_back(std::move(name));
  }
  std::string out;
  for (size_t i = parts.size(); i-- > 0;) out += "/" + parts[i];
  return out.empty() ? "/" : out;
}

}  // namespace gw::formats::validation
