// Exact arithmetic without items. The rules' money checks are chains of xs:decimal arithmetic:
// the Peppol line variables (round(sum(...) * 10 * 10) div 100), and u:slack($a, $b * ($c div
// $d) + $e - $f, 0.02) for every line (PEPPOL-EN16931-R120). Through EvalScalar each operand
// is an Item (a string, a Decimal and more, built, copied and destroyed), and each call of
// u:slack binds its parameters as sequences. Here the values are Decimals on the stack, and the
// parameters of a function whose body is arithmetic and comparisons only are read from a frame.
//
// The values, and the order in which operands are read, are those of EvalScalar: the same
// conversions (ParseXsDecimal, DecimalArithmetic, XPathDecimalUnary, Compare) do the work.
// Whatever is not an exact number (untyped text, doubles, strings, several items) or would raise
// an error bails out before raising anything, and the general way starts again.
#include "formats/validation/xpath_eval.h"

namespace gw::formats::validation {

namespace {

int32_t Builtin(const char* name, size_t arity) { return FindBuiltin(name, arity); }

const int32_t kDecimalCast = Builtin("xs:decimal", 1), kRound = Builtin("round", 1), kAbs = Builtin("abs", 1),
              kFloor = Builtin("floor", 1), kCeiling = Builtin("ceiling", 1), kSum = Builtin("sum", 1),
              kCount = Builtin("count", 1), kNot = Builtin("not", 1);

bool IsNumericUnary(int32_t f) { return f == kRound || f == kAbs || f == kFloor || f == kCeiling; }

bool IsComparison(const Expr& e) {
  return (e.op == Op::kGeneralCompare || e.op == Op::kValueCompare) && e.kids.size() == 2;
}

bool Holds(Comparison op, int c) {
  switch (op) {
    case Comparison::kEq: return c == 0;
    case Comparison::kNe: return c != 0;
    case Comparison::kLt: return c < 0;
    case Comparison::kLe: return c <= 0;
    case Comparison::kGt: return c > 0;
    case Comparison::kGe: return c >= 0;
  }
  return false;
}

// Whether `e` is made of numbers, variables and operations on them only (no path): what a
// function body evaluated with a frame may contain. `boolean`: as a boolean.
bool Closed(const Expr& e, bool boolean) {
  if (boolean) {
    if (e.op == Op::kAnd || e.op == Op::kOr) return Closed(*e.kids[0], true) && Closed(*e.kids[1], true);
    if (e.op == Op::kFunctionCall && e.function == kNot && e.kids.size() == 1) return Closed(*e.kids[0], true);
    return IsComparison(e) && Closed(*e.kids[0], false) && Closed(*e.kids[1], false);
  }
  switch (e.op) {
    case Op::kLiteralInteger:
    case Op::kLiteralDecimal:
    case Op::kVariable: return true;
    case Op::kIf: return Closed(*e.kids[0], true) && Closed(*e.kids[1], false) && Closed(*e.kids[2], false);
    case Op::kFunctionCall:
      return e.kids.size() == 1 && (e.function == kDecimalCast || IsNumericUnary(e.function)) &&
             Closed(*e.kids[0], false);
    default:
      if (!IsArithmetic(e.op)) return false;
      for (const auto& k : e.kids) {
        if (!Closed(*k, false)) return false;
      }
      return true;
  }
}

}  // namespace

bool Evaluator::NumericShapeOf(const Expr& e) {
  switch (e.op) {
    case Op::kLiteralInteger:
    case Op::kLiteralDecimal:
    case Op::kVariable: return true;
    case Op::kIf: return NumericShape(*e.kids[1]) && NumericShape(*e.kids[2]);
    case Op::kPath: return !IsNodeExpr(e) && IsNodeExpr(*e.kids[0]) && NumericShape(*e.kids[1]);
    case Op::kFunctionCall:
      if (e.kids.size() != 1) return false;
      if (e.function == kDecimalCast) return true;  // of a node's text, or of a number
      if (IsNumericUnary(e.function)) return NumericShape(*e.kids[0]);
      return (e.function == kSum || e.function == kCount) && ScalarShape(e) == kAtomic;
    default:
      if (!IsArithmetic(e.op)) return false;
      for (const auto& k : e.kids) {
        if (!NumericShape(*k)) return false;
      }
      return true;
  }
}

bool Evaluator::NumericFunction(const UserFunction& f) {
  if (f.params.size() > kMaxNumericParams || f.body == nullptr) return false;
  for (const std::string& type : f.param_types) {
    if (type != "xs:decimal") return false;
  }
  return Closed(*f.body, true) || Closed(*f.body, false);
}

Evaluator::Scalar Evaluator::Numeric(const Expr& e, const Context& ctx, const NumFrame* frame, Num& out) {
  if (failed()) return Scalar::kEmpty;
  Spend(1);
  switch (e.op) {
    case Op::kLiteralInteger:
    case Op::kLiteralDecimal:
      if (!e.number_parsed) return Scalar::kBail;
      out.d = e.number;
      out.integer = e.op == Op::kLiteralInteger;
      return Scalar::kOne;
    case Op::kVariable: {
      if (frame != nullptr) {
        for (size_t i = 0; i < frame->vars->size(); ++i) {
          if ((*frame->vars)[i] != e.var) continue;
          if (frame->states[i] != Scalar::kOne) return frame->states[i];
          out = frame->values[i];
          return Scalar::kOne;
        }
      }
      if (!var_errors_[e.var].empty()) return Scalar::kBail;
      const Sequence& value = Variable(e.var);
      if (value.size() > 1) return Scalar::kBail;
      if (value.empty()) return Scalar::kEmpty;
      const Item& item = value[0];
      if (item.type != Type::kInteger && item.type != Type::kDecimal) return Scalar::kBail;
      out.d = item.dec;
      out.integer = item.type == Type::kInteger;
      return Scalar::kOne;
    }
    case Op::kIf: {
      bool condition = false;
      if (frame != nullptr) {
        const int holds = NumericBoolean(*e.kids[0], ctx, frame);
        if (holds < 0) return Scalar::kBail;
        condition = holds == 1;
      } else {
        condition = EvalBoolean(*e.kids[0], ctx);
        if (failed()) return Scalar::kEmpty;
      }
      return Numeric(*e.kids[condition ? 1 : 2], ctx, frame, out);
    }
    case Op::kFunctionCall: {
      if (e.kids.size() != 1) return Scalar::kBail;
      const Expr& arg = *e.kids[0];
      if (e.function == kDecimalCast) {
        if (!NumericShape(arg)) {
          // xs:decimal(cbc:X): the node's text, as ScalarFunction reads it.
          if (frame != nullptr) return Scalar::kBail;
          std::string scratch;
          std::string_view text;
          bool empty = false;
          if (!TextView(arg, ctx, text, empty, scratch)) return failed() ? Scalar::kEmpty : Scalar::kBail;
          if (empty) return Scalar::kEmpty;
          if (!ParseXsDecimal(text, out.d)) return Scalar::kBail;
          out.integer = false;
          return Scalar::kOne;
        }
        Scalar s = Numeric(arg, ctx, frame, out);
        out.integer = false;
        return s;
      }
      if (IsNumericUnary(e.function)) {
        Scalar s = Numeric(arg, ctx, frame, out);
        if (s != Scalar::kOne || failed()) return s;
        XPathDecimalUnary(Builtins()[e.function].name, out.d);
        return Scalar::kOne;
      }
      if ((e.function == kSum || e.function == kCount) && frame == nullptr) {
        Item value;
        Scalar s = ScalarFunction(e, ctx, value);
        if (s != Scalar::kOne || failed()) return s;
        if (value.type != Type::kInteger && value.type != Type::kDecimal) return Scalar::kBail;
        out.d = value.dec;
        out.integer = value.type == Type::kInteger;
        return Scalar::kOne;
      }
      return Scalar::kBail;
    }
    default: break;
  }
  if (e.op == Op::kPath) {
    // The exact value of the right side for the one node on the left (cac:Item/
    // cac:ClassifiedTaxCategory/xs:decimal(cbc:Percent)), as EvalScalar reads it.
    if (frame != nullptr) return Scalar::kBail;
    xml::NodeId context = doc_.root();
    if (ctx.item.is_node()) {
      context = ctx.item.node;
    } else if (!e.kids[0]->cacheable) {
      return Scalar::kBail;
    }
    xml::NodeId node = xml::kNoNode;
    const Scalar found = OneNode(*e.kids[0], context, node);
    if (found != Scalar::kOne || failed()) return found;
    Context inner;
    inner.item.SetNode(node);
    return Numeric(*e.kids[1], inner, nullptr, out);
  }
  if (!IsArithmetic(e.op)) return Scalar::kBail;
  // As EvalScalar: an empty left side makes the result empty without reading the right one; an
  // empty right side makes it empty too. Negation is 0 - x.
  Num a, b;
  const bool negate = e.op == Op::kNegate;
  Scalar s = Numeric(*e.kids[0], ctx, frame, negate ? b : a);
  if (s != Scalar::kOne || failed()) return s;
  if (negate) {
    a.integer = true;
  } else {
    s = Numeric(*e.kids[1], ctx, frame, b);
    if (s != Scalar::kOne || failed()) return s;
  }
  bool integers = a.integer && b.integer;
  if (DecimalArithmetic(negate ? Op::kSubtract : e.op, a.d, b.d, integers, out.d) != nullptr) return Scalar::kBail;
  out.integer = integers;
  return Scalar::kOne;
}

int Evaluator::NumericBoolean(const Expr& e, const Context& ctx, const NumFrame* frame) {
  if (failed()) return -1;
  if (e.op == Op::kAnd || e.op == Op::kOr) {
    const int a = NumericBoolean(*e.kids[0], ctx, frame);
    if (a < 0 || (e.op == Op::kAnd) != (a == 1)) return a;
    return NumericBoolean(*e.kids[1], ctx, frame);
  }
  if (e.op == Op::kFunctionCall && e.function == kNot && e.kids.size() == 1) {
    const int a = NumericBoolean(*e.kids[0], ctx, frame);
    return a < 0 ? a : 1 - a;
  }
  if (!IsComparison(e) || !NumericShape(*e.kids[0]) || !NumericShape(*e.kids[1])) return -1;
  // CompareScalars' order: the left side first, unless (general comparison) only the right one
  // is statically a single value; an empty side read first decides (false) without the other.
  const bool right_first = e.op == Op::kGeneralCompare && !AtMostOne(*e.kids[0]) && AtMostOne(*e.kids[1]);
  Num values[2];
  for (int i = 0; i < 2; ++i) {
    const int side = right_first ? 1 - i : i;
    const Scalar s = Numeric(*e.kids[side], ctx, frame, values[side]);
    if (s == Scalar::kBail || failed()) return -1;
    if (s == Scalar::kEmpty) return 0;
  }
  return Holds(e.compare, Compare(values[0].d, values[1].d)) ? 1 : 0;
}

Evaluator::Scalar Evaluator::NumericSum(const Expr& selector, const Expr& right, xml::NodeId context, Item& out) {
  // The Sum visitor of ScalarFunction on numbers: nodes whose value is empty are skipped, the
  // first value starts the total; anything inexact bails out at that node, and the general
  // visitor starts again.
  struct Exact : NodeVisitor {
    Evaluator* ev;
    const Expr* right;
    size_t count = 0;
    Num total;
    bool bail = false;
    bool operator()(xml::NodeId n) override {
      Context c;
      c.item.SetNode(n);
      Num value;
      const Scalar s = ev->Numeric(*right, c, nullptr, value);
      if (s == Scalar::kBail) bail = true;
      if (s != Scalar::kOne || ev->failed()) return !bail && !ev->failed();
      if (count++ == 0) {
        total = value;
        return true;
      }
      bool integers = total.integer && value.integer;
      if (DecimalArithmetic(Op::kAdd, total.d, value.d, integers, total.d) != nullptr) {
        bail = true;  // beyond 38 digits: the general way raises it
        return false;
      }
      total.integer = integers;
      return true;
    }
  } sum;
  sum.ev = this;
  sum.right = &right;
  VisitNodes(selector, context, sum);
  if (sum.bail) return Scalar::kBail;
  if (failed()) return Scalar::kEmpty;
  if (sum.count == 0) {
    out = Item::Integer(Decimal());
  } else {
    out = sum.total.integer ? Item::Integer(sum.total.d) : Item::Dec(sum.total.d);
  }
  return Scalar::kOne;
}

bool Evaluator::NumericUserFunction(const Expr& e, const Context& ctx, Item& out, Scalar& result) {
  const UserFunction& f = functions_[e.function - Builtins().size()];
  if (!f.numeric || !shortcuts_) return false;
  // Every argument is evaluated first, as EvalFunction() does, then converted: an integer given
  // to an xs:decimal parameter becomes a decimal.
  Num values[kMaxNumericParams];
  Scalar states[kMaxNumericParams];
  for (size_t i = 0; i < f.params.size(); ++i) {
    if (!NumericShape(*e.kids[i])) return false;
    states[i] = Numeric(*e.kids[i], ctx, nullptr, values[i]);
    if (failed()) {
      result = Scalar::kEmpty;
      return true;
    }
    if (states[i] == Scalar::kBail) return false;
    values[i].integer = false;
  }
  const NumFrame frame{&f.params, values, states};
  const int holds = NumericBoolean(*f.body, ctx, &frame);
  if (holds >= 0) {
    out = Item::Bool(holds == 1);
    result = Scalar::kOne;
    return true;
  }
  if (failed() || !NumericShape(*f.body)) return false;
  Num n;
  result = Numeric(*f.body, ctx, &frame, n);
  if (result == Scalar::kBail) return false;
  if (result == Scalar::kOne) out = n.integer ? Item::Integer(n.d) : Item::Dec(n.d);
  return true;
}

}  // namespace gw::formats::validation
