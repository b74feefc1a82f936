// Scalar evaluation: the value of an expression that yields at most one atomic item, computed
// into an Item on the stack instead of through Sequence (each Eval() returns a sequence, and each
// function call gathers its arguments in a vector of them). The rules' arithmetic and comparisons
// are made of such expressions: xs:decimal(cbc:LineExtensionAmount), sums over the lines,
// round(... * 10 * 10) div 100, string-length(substring-after(cbc:Amount, '.')) <= 2, the rule
// variables of the Peppol line rules and u:slack(). The values, types and errors are those of
// Eval(), because the same conversions (Cast, ToNumber, ArithmeticItems, CompareAtomic) do the work
// and the operands are evaluated in Eval()'s order; whatever needs more (several items, a value
// that does not convert) bails out before raising anything, and Eval() starts again.
#include <algorithm>

#include "formats/validation/xpath_eval.h"

namespace gw::formats::validation {

using xml::kNoNode;
using xml::NodeId;

namespace {

int32_t Builtin(const char* name, size_t arity) { return FindBuiltin(name, arity); }

// The built-in functions the scalar evaluation knows, by their index in Builtins().
struct Functions {
  int32_t decimal = Builtin("xs:decimal", 1), integer = Builtin("xs:integer", 1), dbl = Builtin("xs:double", 1),
          string_cast = Builtin("xs:string", 1);
  int32_t round = Builtin("round", 1), abs = Builtin("abs", 1), floor = Builtin("floor", 1),
          ceiling = Builtin("ceiling", 1);
  int32_t string_length = Builtin("string-length", 1), normalize = Builtin("normalize-space", 1),
          string = Builtin("string", 1), upper = Builtin("upper-case", 1), lower = Builtin("lower-case", 1),
          after = Builtin("substring-after", 2), before = Builtin("substring-before", 2);
  int32_t sum = Builtin("sum", 1), count = Builtin("count", 1);
  int32_t contains = Builtin("contains", 2), starts_with = Builtin("starts-with", 2), ends_with = Builtin("ends-with", 2);
  // Functions that always return one boolean: EvalBoolean() computes them.
  int32_t booleans[10] = {Builtin("not", 1),      Builtin("exists", 1),      Builtin("empty", 1),
                          Builtin("true", 0),     Builtin("false", 0),       Builtin("boolean", 1),
                          Builtin("contains", 2), Builtin("starts-with", 2), Builtin("ends-with", 2),
                          Builtin("matches", 2)};
  bool IsBoolean(int32_t f) const { return std::find(std::begin(booleans), std::end(booleans), f) != std::end(booleans); }
  bool IsCast(int32_t f) const { return f == decimal || f == integer || f == dbl || f == string_cast; }
  bool IsNumericUnary(int32_t f) const { return f == round || f == abs || f == floor || f == ceiling; }
  bool IsString(int32_t f) const {
    return f == string_length || f == normalize || f == string || f == upper || f == lower || f == after || f == before;
  }
};

const Functions& Fns() {
  static const Functions kFunctions;
  return kFunctions;
}

// The name test of the last step of path `e`, when it tests a name of the shared table.
const NodeTest* LastNameTest(const Expr& e) {
  const Expr* last = &e;
  while (last->op == Op::kPath) last = last->kids[1].get();
  if (last->op != Op::kStep || last->test.kind != NodeTest::Kind::kName || last->test.name == xml::kNoName) {
    return nullptr;
  }
  return &last->test;
}

// Whether the nodes of node expression `e` come from one context node without repeats, as
// sum() and count() need (VisitNodes may visit a node twice otherwise): an optional root, steps
// up (parent, self), steps down (child, attribute), then at most one descendant step followed by
// steps down; predicates allowed. Nodes below one node at one depth have disjoint subtrees.
// `phase`: 0 while steps up are allowed, 1 after a step down, 2 after the descendant step.
bool DistinctSteps(const Expr& e, int& phase) {
  switch (e.op) {
    case Op::kRoot: return phase == 0;
    case Op::kPath: return DistinctSteps(*e.kids[0], phase) && DistinctSteps(*e.kids[1], phase);
    case Op::kUnion: {
      // //(cac:InvoiceLine | cac:CreditNoteLine) (BR-CO-10): branches whose last steps test
      // different names select different nodes. Steps down from them stay distinct; a descendant
      // step could reach a node from both (one branch's node may hold the other's).
      const NodeTest* a = LastNameTest(*e.kids[0]);
      const NodeTest* b = LastNameTest(*e.kids[1]);
      if (a == nullptr || b == nullptr || a->name == b->name) return false;
      int left = phase, right = phase;
      if (!DistinctSteps(*e.kids[0], left) || !DistinctSteps(*e.kids[1], right)) return false;
      phase = 2;
      return true;
    }
    case Op::kStep:
      switch (e.axis) {
        case Axis::kParent:
        case Axis::kSelf: return phase == 0;
        case Axis::kChild:
        case Axis::kAttribute: phase = std::max(phase, 1); return true;
        case Axis::kDescendant:
        case Axis::kDescendantOrSelf:
        case Axis::kDescendantAttribute:
          if (phase == 2) return false;
          phase = 2;
          return true;
        default: return false;
      }
    default: return false;
  }
}

// Whether `e` is made of steps without predicates, paths and unions.
bool WithoutPredicates(const Expr& e) {
  switch (e.op) {
    case Op::kRoot: return true;
    case Op::kStep: return e.kids.empty();
    case Op::kPath:
    case Op::kUnion: return WithoutPredicates(*e.kids[0]) && WithoutPredicates(*e.kids[1]);
    default: return false;
  }
}

bool DistinctNodes(const Expr& e) {
  int phase = 0;
  return IsNodeExpr(e) && DistinctSteps(e, phase);
}

// The number of characters (code points) of UTF-8 text: its bytes that start one.
size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// contains(), starts-with() or ends-with() (by function id) of two strings.
bool ContainsLike(int32_t function, std::string_view a, std::string_view b) {
  const Functions& f = Fns();
  if (function == f.contains) return a.find(b) != std::string_view::npos;
  if (function == f.starts_with) return a.substr(0, b.size()) == b;
  return a.size() >= b.size() && a.substr(a.size() - b.size()) == b;
}

}  // namespace

bool PlainNodesShape(const Expr& e) { return e.op == Op::kPath && WithoutPredicates(e) && DistinctNodes(e); }

int8_t Evaluator::ScalarShape(const Expr& e) {
  return e.scalar != Expr::kShapeUnknown ? e.scalar : ScalarShapeOf(e);
}

int8_t Evaluator::ScalarShapeOf(const Expr& e) {
  auto all = [&](size_t from) {
    for (size_t i = from; i < e.kids.size(); ++i) {
      if (ScalarShape(*e.kids[i]) == kNoScalar) return false;
    }
    return true;
  };
  switch (e.op) {
    case Op::kLiteralString:
    case Op::kLiteralInteger:
    case Op::kLiteralDecimal:
    case Op::kOr:
    case Op::kAnd:
    case Op::kGeneralCompare: return kAtomic;
    case Op::kVariable:
    case Op::kContextItem:
    case Op::kRoot:
    case Op::kStep:
    case Op::kUnion: return kMixed;
    case Op::kIf: {
      int8_t a = ScalarShape(*e.kids[1]), b = ScalarShape(*e.kids[2]);
      if (a == kNoScalar || b == kNoScalar) return kNoScalar;
      return a == kAtomic && b == kAtomic ? kAtomic : kMixed;
    }
    case Op::kPath:
      if (IsNodeExpr(e)) return kMixed;
      return IsNodeExpr(*e.kids[0]) && ScalarShape(*e.kids[1]) == kAtomic ? kAtomic : kNoScalar;
    case Op::kFunctionCall: {
      const Functions& f = Fns();
      if (static_cast<size_t>(e.function) >= Builtins().size()) return all(0) ? kMixed : kNoScalar;
      if (f.IsBoolean(e.function)) return kAtomic;
      if (f.IsCast(e.function) || f.IsNumericUnary(e.function) || f.IsString(e.function)) {
        return all(0) ? kAtomic : kNoScalar;
      }
      if (e.kids.size() != 1) return kNoScalar;
      const Expr& arg = *e.kids[0];
      if (e.function == f.count) return DistinctNodes(arg) ? kAtomic : kNoScalar;
      if (e.function == f.sum) {
        if (DistinctNodes(arg)) return kAtomic;
        return arg.op == Op::kPath && DistinctNodes(*arg.kids[0]) && ScalarShape(*arg.kids[1]) == kAtomic
                   ? kAtomic
                   : kNoScalar;
      }
      return kNoScalar;
    }
    default: return IsArithmetic(e.op) && all(0) ? kAtomic : kNoScalar;
  }
}

Evaluator::Scalar Evaluator::OneNode(const Expr& e, NodeId context, NodeId& node) {
  struct Two : NodeVisitor {
    NodeId first = kNoNode;
    size_t count = 0;
    bool operator()(NodeId n) override {
      if (count == 1 && n == first) return true;  // the same node again
      if (count++ == 0) first = n;
      return count < 2;
    }
  } nodes;
  VisitNodes(e, context, nodes);
  if (failed()) return Scalar::kEmpty;
  if (nodes.count > 1) return Scalar::kBail;
  node = nodes.first;
  return nodes.count == 0 ? Scalar::kEmpty : Scalar::kOne;
}

Evaluator::Scalar Evaluator::EvalScalar(const Expr& e, const Context& ctx, Item& out) {
  if (failed()) return Scalar::kEmpty;
  if (!shortcuts_ || ScalarShape(e) == kNoScalar) return Scalar::kBail;
  Spend(1);
  switch (e.op) {
    case Op::kLiteralString: out = Item::String(e.text); return Scalar::kOne;
    case Op::kLiteralInteger:
    case Op::kLiteralDecimal:
      if (!e.number_parsed) return Scalar::kBail;
      out = e.op == Op::kLiteralInteger ? Item::Integer(e.number) : Item::Dec(e.number);
      return Scalar::kOne;
    case Op::kVariable: {
      if (!var_errors_[e.var].empty()) return Scalar::kBail;
      const Sequence& value = Variable(e.var);
      if (value.size() > 1) return Scalar::kBail;
      if (value.empty()) return Scalar::kEmpty;
      out = Atomize(value[0]);
      return Scalar::kOne;
    }
    case Op::kContextItem: out = Atomize(ctx.item); return Scalar::kOne;
    case Op::kOr:
    case Op::kAnd:
    case Op::kGeneralCompare: {
      bool r = EvalBoolean(e, ctx);
      if (failed()) return Scalar::kEmpty;
      out = Item::Bool(r);
      return Scalar::kOne;
    }
    case Op::kIf: {
      bool condition = EvalBoolean(*e.kids[0], ctx);
      if (failed()) return Scalar::kEmpty;
      return EvalScalar(*e.kids[condition ? 1 : 2], ctx, out);
    }
    case Op::kAdd:
    case Op::kSubtract:
    case Op::kMultiply:
    case Op::kDivide:
    case Op::kIntegerDivide:
    case Op::kModulo:
    case Op::kNegate: {
      if (NumericShape(e)) {
        Num n;
        const Scalar s = Numeric(e, ctx, nullptr, n);
        if (s != Scalar::kBail) {
          if (s == Scalar::kOne && !failed()) out = n.integer ? Item::Integer(n.d) : Item::Dec(n.d);
          return failed() ? Scalar::kEmpty : s;
        }
        if (failed()) return Scalar::kEmpty;
      }
      // As Eval(): an empty left side makes the result empty without evaluating the right one;
      // an empty right side makes it empty too.
      Item a, b;
      const bool negate = e.op == Op::kNegate;
      Scalar sa = EvalScalar(*e.kids[0], ctx, negate ? b : a);
      if (sa != Scalar::kOne || failed()) return sa;
      if (negate) {
        a = Item::Integer(Decimal());
      } else {
        Scalar sb = EvalScalar(*e.kids[1], ctx, b);
        if (sb != Scalar::kOne || failed()) return sb;
      }
      if (!ArithmeticItems(negate ? Op::kSubtract : e.op, a, b, out)) return Scalar::kEmpty;
      return Scalar::kOne;
    }
    case Op::kFunctionCall:
      return static_cast<size_t>(e.function) < Builtins().size() ? ScalarFunction(e, ctx, out)
                                                                   : ScalarUserFunction(e, ctx, out);
    default: break;
  }
  // Paths: one node, atomized, or the atomic value of the right side for the one node on the left.
  const bool nodes = IsNodeExpr(e);
  const Expr& selector = nodes ? e : *e.kids[0];
  NodeId context = doc_.root();
  if (ctx.item.is_node()) {
    context = ctx.item.node;
  } else if (!selector.cacheable) {
    return Scalar::kBail;  // Eval() raises the error
  }
  NodeId node = kNoNode;
  Scalar found = OneNode(selector, context, node);
  if (found != Scalar::kOne || failed()) return found;
  if (nodes) {
    std::string scratch;
    out = Item::String(std::string(doc_.StringValue(node, scratch)), Type::kUntyped);
    return Scalar::kOne;
  }
  Context inner;
  inner.item.SetNode(node);
  return EvalScalar(*e.kids[1], inner, out);
}

Evaluator::Scalar Evaluator::ScalarFunction(const Expr& e, const Context& ctx, Item& out) {
  const Functions& f = Fns();
  if (f.IsBoolean(e.function)) {
    bool r = EvalBoolean(e, ctx);
    if (failed()) return Scalar::kEmpty;
    out = Item::Bool(r);
    return Scalar::kOne;
  }
  if (e.function == f.sum || e.function == f.count) {
    // Over the nodes of the argument (without repeats, in document order), or over the atomic
    // value of the right side for each node on the left: xs:decimal(cbc:X) per line.
    const Expr& arg = *e.kids[0];
    const bool nodes = IsNodeExpr(arg);
    const Expr& selector = nodes ? arg : *arg.kids[0];
    if (!ctx.item.is_node() && !selector.cacheable) return Scalar::kBail;
    // Not while a pattern is matched, whose lenient predicates may give another value.
    const bool memo = e.memo_slot != UINT32_MAX && ctx.item.is_node() && !pattern_mode_;
    if (memo) {
      for (const Memo& m : memo_) {
        if (m.slot == e.memo_slot && m.node == ctx.item.node && m.epoch == bind_epoch_) {
          out = m.value;
          return Scalar::kOne;
        }
      }
    }
    if (e.function == f.count && nodes && ctx.item.is_node()) {
      if (int64_t known = CountByClasses(arg, ctx.item.node); known >= 0) {
        out = Item::Integer(Decimal::FromInt(known));
        return Scalar::kOne;
      }
    }
    struct Sum : NodeVisitor {
      Evaluator* ev;
      const Expr* right;  // null: the nodes themselves
      bool count_only;
      size_t count = 0;
      Item total;
      bool bail = false;
      bool operator()(NodeId n) override {
        Item value;
        if (right == nullptr) {
          ++count;
          if (count_only) return true;
          std::string scratch;
          value = Item::String(std::string(ev->doc().StringValue(n, scratch)), Type::kUntyped);
        } else {
          Context c;
          c.item.SetNode(n);
          Scalar s = ev->EvalScalar(*right, c, value);
          if (s == Scalar::kBail) bail = true;
          if (s != Scalar::kOne || ev->failed()) return !bail && !ev->failed();
          ++count;
        }
        Item number;
        if (!ev->ToNumber(value, number)) return false;
        if (count == 1) {
          total = std::move(number);
          return true;
        }
        Item sum;
        if (!ev->ArithmeticItems(Op::kAdd, total, number, sum)) {
          bail = !ev->failed();  // an empty sum (a double beyond decimals): Eval() decides
          return false;
        }
        total = std::move(sum);
        return true;
      }
    } sum;
    sum.ev = this;
    sum.right = nodes ? nullptr : arg.kids[1].get();
    sum.count_only = e.function == f.count;
    if (selector.op == Op::kUnion) {
      // The nodes are visited branch after branch, not in document order, and a sum of doubles
      // (or the first error) depends on the order: with nodes in both branches, Eval() decides.
      if (AnyNode(*selector.kids[0], ctx) && AnyNode(*selector.kids[1], ctx)) return Scalar::kBail;
      if (failed()) return Scalar::kEmpty;
    }
    const NodeId from = ctx.item.is_node() ? ctx.item.node : doc_.root();
    // Exact values (xs:decimal(cbc:LineExtensionAmount) per line) are added without items.
    Scalar exact = Scalar::kBail;
    if (e.function == f.sum && !nodes && NumericShape(*sum.right)) exact = NumericSum(selector, *sum.right, from, out);
    if (failed()) return Scalar::kEmpty;
    if (exact == Scalar::kBail) {
      VisitNodes(selector, from, sum);
      if (sum.bail) return Scalar::kBail;
      if (failed()) return Scalar::kEmpty;
      if (e.function == f.count) {
        out = Item::Integer(Decimal::FromInt(static_cast<int64_t>(sum.count)));
      } else {
        out = sum.count == 0 ? Item::Integer(Decimal()) : std::move(sum.total);
      }
    }
    if (memo) {
      Memo& m = memo_[memo_next_++ % kMemoSize];
      m.slot = e.memo_slot;
      m.node = ctx.item.node;
      m.epoch = bind_epoch_;
      m.value = out;
    }
    return Scalar::kOne;
  }
  if (e.function == f.string_length) {
    if (Scalar s = LengthAround(e, ctx, out); s != Scalar::kBail) return s;
  }
  if (e.function == f.decimal && e.kids.size() == 1 && shortcuts_) {
    // xs:decimal(cbc:X): parsed from the node's text, without an item for the text.
    std::string scratch;
    std::string_view text;
    bool empty = false;
    if (TextView(*e.kids[0], ctx, text, empty, scratch)) {
      if (empty) return Scalar::kEmpty;
      Decimal d;
      if (!ParseXsDecimal(text, d)) return Scalar::kBail;  // Eval() gives the message
      out = Item::Dec(d);
      return Scalar::kOne;
    }
    if (failed()) return Scalar::kEmpty;
  }
  // One argument at most matters below (the second of substring-after/before is read after it).
  Item arg;
  Scalar s = Scalar::kOne;
  if (e.kids.empty()) {
    arg = Atomize(ctx.item);
  } else {
    s = EvalScalar(*e.kids[0], ctx, arg);
    if (s == Scalar::kBail || failed()) return s;
  }
  if (f.IsCast(e.function)) {
    if (s == Scalar::kEmpty) return s;
    const char* type = e.function == f.decimal   ? "xs:decimal"
                       : e.function == f.integer ? "xs:integer"
                       : e.function == f.dbl     ? "xs:double"
                                                 : "xs:string";
    return Cast(arg, type, out) ? Scalar::kOne : Scalar::kBail;  // Eval() gives the message
  }
  if (f.IsNumericUnary(e.function)) {
    if (s == Scalar::kEmpty) return s;
    if (!ToNumber(arg, out)) return Scalar::kEmpty;
    XPathNumericUnary(Builtins()[e.function].name, out);
    return Scalar::kOne;
  }
  // String functions: the empty sequence is the empty string.
  std::string text = s == Scalar::kEmpty ? std::string() : AtomicToString(arg);
  if (e.function == f.after || e.function == f.before) {
    Item pattern;
    Scalar p = EvalScalar(*e.kids[1], ctx, pattern);
    if (p == Scalar::kBail || failed()) return p;
    std::string t = p == Scalar::kEmpty ? std::string() : AtomicToString(pattern);
    size_t at = text.find(t);
    if (at == std::string::npos) {
      text.clear();
    } else if (e.function == f.after) {
      text.erase(0, at + t.size());
    } else {
      text.resize(at);
    }
    out = Item::String(std::move(text));
    return Scalar::kOne;
  }
  if (e.function == f.string_length) {
    out = Item::Integer(Decimal::FromInt(static_cast<int64_t>(CodePointCount(text))));
    return Scalar::kOne;
  }
  if (e.function == f.normalize) {
    out = Item::String(XPathNormalizeSpace(text));
  } else if (e.function == f.upper) {
    out = Item::String(XPathUpperCase(text));
  } else if (e.function == f.lower) {
    out = Item::String(XPathLowerCase(text));
  } else {
    out = Item::String(std::move(text));
  }
  return Scalar::kOne;
}

Evaluator::Scalar Evaluator::LengthAround(const Expr& e, const Context& ctx, Item& out) {
  const Functions& f = Fns();
  if (!shortcuts_ || !ctx.item.is_node() || e.kids.size() != 1) return Scalar::kBail;
  const Expr& inner = *e.kids[0];
  if (inner.op != Op::kFunctionCall || (inner.function != f.after && inner.function != f.before) ||
      inner.kids.size() != 2 || inner.kids[1]->op != Op::kLiteralString) {
    return Scalar::kBail;
  }
  std::string scratch;
  std::string_view text;
  bool empty = false;
  // The text of the context node or of one node (Eval() raises what it must otherwise).
  if (!TextView(*inner.kids[0], ctx, text, empty, scratch)) return Scalar::kBail;
  if (empty) text = {};
  Spend(1);
  const std::string& literal = inner.kids[1]->text;
  const size_t at = text.find(literal);
  std::string_view part;
  if (at != std::string_view::npos) {
    part = inner.function == f.after ? text.substr(at + literal.size()) : text.substr(0, at);
  }
  out = Item::Integer(Decimal::FromInt(static_cast<int64_t>(CodePointCount(part))));
  return Scalar::kOne;
}

Evaluator::Scalar Evaluator::ScalarUserFunction(const Expr& e, const Context& ctx, Item& out) {
  const UserFunction& f = functions_[e.function - Builtins().size()];
  constexpr size_t kMaxParams = 4;
  constexpr int kMaxNesting = 32;  // deeper recursion is left to Eval(), which bounds it
  if (f.params.size() > kMaxParams || depth_ > kMaxNesting) return Scalar::kBail;
  if (Scalar result; NumericUserFunction(e, ctx, out, result)) return result;
  // As EvalFunction(): every argument is evaluated, then each is converted to its parameter's type.
  Item args[kMaxParams];
  Scalar states[kMaxParams];
  for (size_t i = 0; i < f.params.size(); ++i) {
    // An untyped parameter takes a node as it is: only atomic arguments are bound here.
    if (!TypedParameter(f, i) && ScalarShape(*e.kids[i]) != kAtomic) return Scalar::kBail;
    states[i] = EvalScalar(*e.kids[i], ctx, args[i]);
    if (states[i] == Scalar::kBail || failed()) return states[i];
  }
  for (size_t i = 0; i < f.params.size(); ++i) {
    if (states[i] == Scalar::kOne && TypedParameter(f, i) && !ConvertArgument(f, i, args[i])) return Scalar::kEmpty;
  }
  Saved saved[kMaxParams];
  for (size_t i = 0; i < f.params.size(); ++i) {
    Sequence value;
    if (states[i] == Scalar::kOne) value.push_back(std::move(args[i]));
    Bind(f.params[i], std::move(value), saved[i]);
  }
  ++depth_;
  Context inner = ctx;
  Scalar result = EvalScalar(*f.body, inner, out);
  --depth_;
  for (size_t i = f.params.size(); i-- > 0;) Unbind(f.params[i], saved[i]);
  return result;
}

bool Evaluator::CompareScalars(const Expr& e, const Context& ctx, bool& result) {
  result = false;
  if (shortcuts_ && NumericShape(*e.kids[0]) && NumericShape(*e.kids[1])) {
    if (const int holds = NumericBoolean(e, ctx, nullptr); holds >= 0) {
      result = holds == 1;
      return true;
    }
    if (failed()) return false;
  }
  if (ScalarShape(*e.kids[0]) == kNoScalar || ScalarShape(*e.kids[1]) == kNoScalar) return false;
  // Eval() reads the left side first, unless (general comparison) only the right one is
  // statically a single value; an empty side first read makes the comparison false (empty for a
  // value comparison) without reading the other.
  const bool general = e.op == Op::kGeneralCompare;
  const bool right_first = general && !AtMostOne(*e.kids[0]) && AtMostOne(*e.kids[1]);
  Item values[2];
  for (int i = 0; i < 2; ++i) {
    const int side = right_first ? 1 - i : i;
    Scalar s = EvalScalar(*e.kids[side], ctx, values[side]);
    if (s == Scalar::kBail || failed()) return false;
    if (s == Scalar::kEmpty) return true;
  }
  bool r = false;
  if (!CompareAtomic(values[0], values[1], e.compare, general, r)) return false;
  result = r;
  return true;
}

bool Evaluator::BooleanShortcut(const Expr& e, const Context& ctx, bool& result) {
  if (!shortcuts_) return false;
  const Functions& f = Fns();
  if (e.op == Op::kFunctionCall && e.kids.size() == 2 &&
      (e.function == f.contains || e.function == f.starts_with || e.function == f.ends_with)) {
    std::string scratch[2];
    std::string_view views[2];
    if (e.tokens != nullptr) {
      // contains(' A B C ', concat(' ', x, ' ')): is x (one word) an entry of the code list?
      if (StringArgumentView(*e.kids[1]->kids[1], ctx, views[0], scratch[0])) {
        if (views[0].empty() || views[0].find(' ') != std::string_view::npos) return false;  // the general way
        result = e.tokens->count(std::string(views[0])) != 0;
        return true;
      }
      if (failed()) return false;
      Item word;
      Scalar s = EvalScalar(*e.kids[1]->kids[1], ctx, word);
      if (s == Scalar::kBail || failed()) return false;
      std::string text = s == Scalar::kEmpty ? std::string() : AtomicToString(word);
      if (text.empty() || text.find(' ') != std::string::npos) return false;  // the general way
      result = e.tokens->count(text) != 0;
      return true;
    }
    if (StringArgumentView(*e.kids[0], ctx, views[0], scratch[0]) &&
        StringArgumentView(*e.kids[1], ctx, views[1], scratch[1])) {
      result = ContainsLike(e.function, views[0], views[1]);
      return true;
    }
    if (failed()) return false;
    // As the functions: each argument one string at most (the empty sequence is "").
    Item args[2];
    Scalar states[2];
    for (int i = 0; i < 2; ++i) {
      states[i] = EvalScalar(*e.kids[i], ctx, args[i]);
      if (states[i] == Scalar::kBail || failed()) return false;
    }
    const std::string a = states[0] == Scalar::kEmpty ? std::string() : AtomicToString(args[0]);
    const std::string b = states[1] == Scalar::kEmpty ? std::string() : AtomicToString(args[1]);
    result = ContainsLike(e.function, a, b);
    return true;
  }
  return false;
}

bool Evaluator::StringArgumentView(const Expr& a, const Context& ctx, std::string_view& out, std::string& scratch) {
  if (a.op == Op::kLiteralString) {
    out = a.text;
    return true;
  }
  return ctx.item.is_node() && IsStringFastShape(a) && StringFastView(a, ctx.item.node, out, scratch);
}

bool Evaluator::AtomicResult(const Expr& e) const {
  switch (e.op) {
    case Op::kOr:
    case Op::kAnd:
    case Op::kGeneralCompare:
    case Op::kValueCompare: return false;  // EvalBoolean's own (EvalScalar asks it for them)
    case Op::kFunctionCall:
      if (static_cast<size_t>(e.function) >= Builtins().size()) {
        return ScalarShape(*functions_[e.function - Builtins().size()].body) == kAtomic;
      }
      if (Fns().IsBoolean(e.function)) return false;
      break;
    default: break;
  }
  return ScalarShape(e) == kAtomic;
}

bool Evaluator::EvalAtomicLet(const Expr& e, const Context& ctx, Sequence& out) {
  if (ScalarShape(e) != kAtomic) return false;
  Item value;
  Scalar s = EvalScalar(e, ctx, value);
  if (s == Scalar::kBail) return false;
  out.clear();
  if (s == Scalar::kOne && !failed()) out.push_back(std::move(value));
  return true;
}

}  // namespace gw::formats::validation
