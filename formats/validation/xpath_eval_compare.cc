// EvalBoolean of comparisons, without building sequences where the shape allows: count(E)
// against 0 or 1, string functions and node texts against literals, code lists, one node's text
// against another's, paths against numbers; the rest through CompareScalars or Eval().
#include "formats/validation/xpath_eval.h"

namespace gw::formats::validation {

using xml::kNoNode;
using xml::NodeId;

bool Evaluator::CompareNodesWithLiteral(const Expr& nodes, const Expr& literal, Comparison op, bool literal_on_left,
                                        const Context& ctx, bool& result) {
  Item rhs;
  if (EvalScalar(literal, ctx, rhs) != Scalar::kOne || failed()) {
    if (failed()) return false;
    Sequence lit = Eval(literal, ctx);
    if (failed() || lit.size() != 1) return false;
    rhs = lit[0];
  }
  struct Compare : NodeVisitor {
    Evaluator* ev;
    const Item* rhs;
    Comparison op;
    bool left;
    bool result = false;
    std::string scratch;
    bool operator()(NodeId n) override {
      std::string_view text = ev->doc().StringValue(n, scratch);
      if (rhs->type == Type::kString && (op == Comparison::kEq || op == Comparison::kNe)) {
        // Untyped against a string: a string comparison, without copying the node's text.
        if ((text == rhs->str) == (op == Comparison::kEq)) {
          result = true;
          return false;
        }
        return true;
      }
      bool r = false;
      bool ok;
      if (rhs->is_numeric()) {
        // (cac:Price/cbc:PriceAmount) >= 0: the text against the number, as CompareAtomic does.
        ok = ev->CompareUntypedWithNumber(text, *rhs, op, !left, r);
      } else {
        Item value = Item::String(std::string(text), Type::kUntyped);
        ok = left ? ev->CompareAtomic(*rhs, value, op, true, r) : ev->CompareAtomic(value, *rhs, op, true, r);
      }
      if (!ok) return false;
      if (r) {
        result = true;
        return false;
      }
      return true;
    }
  } cmp;
  cmp.ev = this;
  cmp.rhs = &rhs;
  cmp.op = op;
  cmp.left = literal_on_left;
  if (!ctx.item.is_node()) return false;
  VisitNodes(nodes, ctx.item.node, cmp);
  if (failed()) return false;
  result = cmp.result;
  return true;
}

bool Evaluator::TextView(const Expr& x, const Context& ctx, std::string_view& out, bool& empty, std::string& scratch) {
  empty = false;
  if (x.op == Op::kLiteralString) {
    out = x.text;
    return true;
  }
  NodeId node = kNoNode;
  if (x.op == Op::kContextItem) {
    if (!ctx.item.is_node()) return false;
    node = ctx.item.node;
  } else if (x.op == Op::kVariable) {
    if (!var_errors_[x.var].empty()) return false;  // Eval() raises it
    const Sequence& value = Variable(x.var);
    if (value.size() > 1 || (value.size() == 1 && !value[0].is_node())) return false;
    if (value.empty()) {
      empty = true;
      return true;
    }
    node = value[0].node;
  } else {
    if (!ctx.item.is_node() || !IsNodeExpr(x)) return false;
    Scalar found = OneNode(x, ctx.item.node, node);
    if (found == Scalar::kBail || failed()) return false;
    if (found == Scalar::kEmpty) {
      empty = true;
      return true;
    }
  }
  out = doc_.StringValue(node, scratch);
  return true;
}

bool Evaluator::CompareTexts(const Expr& e, const Context& ctx, bool& result) {
  if (!shortcuts_ || e.op != Op::kGeneralCompare || (e.compare != Comparison::kEq && e.compare != Comparison::kNe)) {
    return false;
  }
  // Untyped text against untyped text or a string is compared as strings. The sides are read in
  // Eval()'s order (CompareScalars), and an empty side read first makes the comparison false
  // without reading the other.
  const bool right_first = !AtMostOne(*e.kids[0]) && AtMostOne(*e.kids[1]);
  std::string scratch[2];
  std::string_view text[2];
  for (int i = 0; i < 2; ++i) {
    const int side = right_first ? 1 - i : i;
    bool empty = false;
    if (!TextView(*e.kids[side], ctx, text[side], empty, scratch[side])) return false;
    if (empty) {
      result = false;
      return true;
    }
  }
  result = (text[0] == text[1]) == (e.compare == Comparison::kEq);
  return true;
}

int Evaluator::CompareBoolean(const Expr& e, const Context& ctx) {
  // count(E) compared with 0 or 1 is exists(E) or empty(E), as Saxon rewrites it: E is read
  // only up to its first item (so an error further on in E is not raised).
  int existence = CountExistence(e);
  if (existence >= 0) {
    const Expr& arg = e.kids[0]->op == Op::kFunctionCall ? *e.kids[0]->kids[0] : *e.kids[1]->kids[0];
    bool any = IsNodeExpr(arg) && ctx.item.is_node() ? AnyNode(arg, ctx) : !Eval(arg, ctx).empty();
    if (failed()) return 0;
    return (existence == 1 ? any : !any) ? 1 : 0;
  }
  bool result = false;
  if (e.op == Op::kValueCompare) {
    if (CompareScalars(e, ctx, result) || failed()) return (result && !failed()) ? 1 : 0;
    return -1;
  }
  const Expr& a = *e.kids[0];
  const Expr& b = *e.kids[1];
  auto literal = [](const Expr& x) {
    return x.op == Op::kLiteralString || x.op == Op::kLiteralInteger || x.op == Op::kLiteralDecimal ||
           x.op == Op::kLiteralDouble;
  };
  if ((e.compare == Comparison::kEq || e.compare == Comparison::kNe) && ctx.item.is_node() &&
      (a.op == Op::kLiteralString) != (b.op == Op::kLiteralString)) {
    const Expr& lit = a.op == Op::kLiteralString ? a : b;
    const Expr& other = a.op == Op::kLiteralString ? b : a;
    if (CompareStringFast(other, lit.text, e.compare == Comparison::kEq, ctx.item.node, result)) return result ? 1 : 0;
  }
  if (IsNodeExpr(a) && literal(b) && ctx.item.is_node()) {
    if (CompareNodesWithLiteral(a, b, e.compare, false, ctx, result)) return result ? 1 : 0;
    return 0;
  }
  if (IsNodeExpr(b) && literal(a) && ctx.item.is_node()) {
    if (CompareNodesWithLiteral(b, a, e.compare, true, ctx, result)) return result ? 1 : 0;
    return 0;
  }
  // A code list: "x = $CODES" (the rewritten "some $code in $CODES satisfies x = $code").
  if (CompareWithCodeList(e, ctx, result)) return result ? 1 : 0;
  if (failed()) return 0;
  if (CompareTexts(e, ctx, result)) return result ? 1 : 0;
  if (CompareScalars(e, ctx, result) || failed()) return (result && !failed()) ? 1 : 0;
  if (literal(a) != literal(b)) {
    // A computed value (normalize-space(cbc:ID), ...) against a literal: compare item by item
    // without building the atomized sequences.
    const Expr& lit = literal(a) ? a : b;
    const Expr& other = literal(a) ? b : a;
    Sequence lit_value = Eval(lit, ctx);
    Sequence values = Eval(other, ctx);
    if (failed() || lit_value.size() != 1) return 0;
    for (const Item& v : values) {
      Item atom = Atomize(v);
      bool r = false;
      bool ok = &lit == &a ? CompareAtomic(lit_value[0], atom, e.compare, true, r)
                           : CompareAtomic(atom, lit_value[0], e.compare, true, r);
      if (!ok) return 0;
      if (r) return 1;
    }
    return 0;
  }
  return -1;
}

}  // namespace gw::formats::validation
