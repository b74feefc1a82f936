// Expression evaluation: operators, paths and axes, predicates, bindings, function calls.
#include <algorithm>

#include "formats/validation/xpath_eval.h"
#include "formats/validation/xpath_parser.h"

namespace gw::formats::validation {

using xml::kNoNode;
using xml::NodeId;
using xml::NodeKind;

namespace {
constexpr int kMaxDepth = 400;  // nested evaluations (recursive rule functions)
}  // namespace

bool AtMostOne(const Expr& e) {
  if (e.at_most_one != Expr::kShapeUnknown) return e.at_most_one != 0;
  switch (e.op) {
    case Op::kLiteralString:
    case Op::kLiteralInteger:
    case Op::kLiteralDecimal:
    case Op::kLiteralDouble:
    case Op::kContextItem:
    case Op::kOr:
    case Op::kAnd:
    case Op::kGeneralCompare:
    case Op::kValueCompare:
    case Op::kAdd:
    case Op::kSubtract:
    case Op::kMultiply:
    case Op::kDivide:
    case Op::kIntegerDivide:
    case Op::kModulo:
    case Op::kNegate:
    case Op::kCastable:
    case Op::kCast:
    case Op::kInstanceOf:
    case Op::kSome:
    case Op::kEvery:
      return true;
    case Op::kFunctionCall: {
      static const char* kMany[] = {"tokenize", "reverse", "distinct-values", "data", "string-to-codepoints"};
      for (const char* f : kMany) {
        if (e.text == f) return false;
      }
      return e.text.rfind("u:", 0) != 0;
    }
    default: return false;
  }
}

Sequence Evaluator::Eval(const Expr& e, const Context& ctx) {
  if (failed()) return {};
  if (++work_ > work_limit_) {
    Fail("the validation exceeded its work limit");
    return {};
  }
  if (++depth_ > kMaxDepth) {
    --depth_;
    Fail("expression nesting too deep");
    return {};
  }
  struct Leave {
    int& d;
    ~Leave() { --d; }
  } leave{depth_};

  switch (e.op) {
    case Op::kLiteralString: return {Item::String(e.text)};
    case Op::kLiteralInteger:
    case Op::kLiteralDecimal: {
      if (e.number_parsed) return {e.op == Op::kLiteralInteger ? Item::Integer(e.number) : Item::Dec(e.number)};
      Decimal d;
      if (!ParseXsDecimal(e.text, d)) {
        Fail("bad numeric literal " + e.text);
        return {};
      }
      return {e.op == Op::kLiteralInteger ? Item::Integer(d) : Item::Dec(d)};
    }
    case Op::kLiteralDouble: {
      double d = 0;
      ParseXsDouble(e.text, d);
      return {Item::Double(d)};
    }
    case Op::kVariable:
      if (!var_errors_[e.var].empty()) {
        Fail(var_errors_[e.var]);
        return {};
      }
      return Variable(e.var);
    case Op::kContextItem: return {ctx.item};
    case Op::kEmptySequence: return {};
    case Op::kSequence: {
      Sequence out;
      for (const auto& k : e.kids) {
        Sequence part = Eval(*k, ctx);
        out.insert(out.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
      }
      return out;
    }
    case Op::kFunctionCall: return EvalFunction(e, ctx);
    case Op::kRoot: return {Item::Node(doc_.root())};
    case Op::kStep: {
      if (!ctx.item.is_node()) {
        Fail("a path step needs a node as its context");
        return {};
      }
      Sequence out;
      EvalStep(e, ctx.item.node, out);
      if (e.axis != Axis::kChild && e.axis != Axis::kAttribute) SortUnique(out);
      return out;
    }
    case Op::kPath: {
      if (e.cacheable) {
        if (const Sequence* cached = CachedPath(e)) return *cached;
      }
      if (e.plain_nodes == 1 && shortcuts_ && ctx.item.is_node()) return PlainNodes(e, ctx.item.node);
      return EvalPath(e, ctx);
    }
    case Op::kFilter: return ApplyPredicates(Eval(*e.kids[0], ctx), e, 1);
    case Op::kOr: return {Item::Bool(EvalBoolean(*e.kids[0], ctx) || EvalBoolean(*e.kids[1], ctx))};
    case Op::kAnd: return {Item::Bool(EvalBoolean(*e.kids[0], ctx) && EvalBoolean(*e.kids[1], ctx))};
    case Op::kGeneralCompare: {
      if (CountExistence(e) >= 0) {
        bool r = EvalBoolean(e, ctx);
        if (failed()) return {};
        return {Item::Bool(r)};
      }
      if (bool r = false; CompareWithCodeList(e, ctx, r)) return {Item::Bool(r)};
      if (failed()) return {};
      // An empty side makes the comparison false, and the other side is then not evaluated, so
      // an error it would raise is not raised. Which side goes first follows Saxon: the left,
      // unless only the right is statically a single value.
      bool right_first = !AtMostOne(*e.kids[0]) && AtMostOne(*e.kids[1]);
      Sequence first = Atomize(Eval(*e.kids[right_first ? 1 : 0], ctx));
      if (first.empty() || failed()) return failed() ? Sequence{} : Sequence{Item::Bool(false)};
      Sequence second = Atomize(Eval(*e.kids[right_first ? 0 : 1], ctx));
      Sequence a = right_first ? std::move(second) : std::move(first);
      Sequence b = right_first ? std::move(first) : std::move(second);
      for (const Item& x : a) {
        for (const Item& y : b) {
          bool r = false;
          if (!CompareAtomic(x, y, e.compare, true, r)) return {};
          if (r) return {Item::Bool(true)};
        }
      }
      return {Item::Bool(false)};
    }
    case Op::kValueCompare: {
      if (CountExistence(e) >= 0) {
        bool r = EvalBoolean(e, ctx);
        if (failed()) return {};
        return {Item::Bool(r)};
      }
      Item a, b;
      Sequence sa = Eval(*e.kids[0], ctx);
      if (sa.empty()) return {};
      Sequence sb = Eval(*e.kids[1], ctx);
      if (!SingleAtomic(sa, a, "a comparison operand") || !SingleAtomic(sb, b, "a comparison operand")) return {};
      bool r = false;
      if (!CompareAtomic(a, b, e.compare, false, r)) return {};
      return {Item::Bool(r)};
    }
    case Op::kAdd:
    case Op::kSubtract:
    case Op::kMultiply:
    case Op::kDivide:
    case Op::kIntegerDivide:
    case Op::kModulo: {
      Sequence a = Eval(*e.kids[0], ctx);
      if (a.empty()) return {};  // the result is empty whatever the right side is
      return Arithmetic(e.op, a, Eval(*e.kids[1], ctx));
    }
    case Op::kNegate: return Arithmetic(Op::kSubtract, {Item::Integer(Decimal())}, Eval(*e.kids[0], ctx));
    case Op::kUnion:
    case Op::kIntersect:
    case Op::kExcept: {
      Sequence a = Eval(*e.kids[0], ctx), b = Eval(*e.kids[1], ctx);
      for (const Sequence* s : {&a, &b}) {
        for (const Item& i : *s) {
          if (!i.is_node()) {
            Fail("union, intersect and except need nodes");
            return {};
          }
        }
      }
      SortUnique(a);
      SortUnique(b);
      Sequence out;
      if (e.op == Op::kUnion) {
        out = std::move(a);
        out.insert(out.end(), b.begin(), b.end());
        SortUnique(out);
        return out;
      }
      for (const Item& i : a) {
        bool in_b = std::binary_search(b.begin(), b.end(), i, [](const Item& x, const Item& y) { return x.node < y.node; });
        if (in_b == (e.op == Op::kIntersect)) out.push_back(i);
      }
      return out;
    }
    case Op::kRange: {
      Item a, b;
      Sequence sa = Eval(*e.kids[0], ctx), sb = Eval(*e.kids[1], ctx);
      if (!SingleAtomic(sa, a, "a range bound") || !SingleAtomic(sb, b, "a range bound")) return {};
      Item ia, ib;
      if (!Cast(a, "xs:integer", ia) || !Cast(b, "xs:integer", ib)) {
        Fail("range bounds must be integers");
        return {};
      }
      Sequence out;
      for (Decimal i = ia.dec; Compare(i, ib.dec) <= 0 && out.size() < 100000; i = i + Decimal::FromInt(1)) {
        out.push_back(Item::Integer(i));
      }
      return out;
    }
    case Op::kIf:
      return EvalBoolean(*e.kids[0], ctx) ? Eval(*e.kids[1], ctx) : Eval(*e.kids[2], ctx);
    case Op::kFor: {
      Sequence out;
      EvalFor(e, ctx, 0, out);
      return out;
    }
    case Op::kLet: {
      std::vector<Saved> saved(e.vars.size());
      for (size_t i = 0; i < e.vars.size(); ++i) {
        Sequence value = Eval(*e.kids[i], ctx);
        Bind(e.vars[i], std::move(value), saved[i]);
      }
      Sequence out = Eval(*e.kids.back(), ctx);
      for (size_t i = e.vars.size(); i-- > 0;) Unbind(e.vars[i], saved[i]);
      return out;
    }
    case Op::kSome: return EvalQuantified(e, ctx, 0, true);
    case Op::kEvery: return EvalQuantified(e, ctx, 0, false);
    case Op::kCastable:
    case Op::kCast: {
      Sequence s = Atomize(Eval(*e.kids[0], ctx));
      if (failed()) return {};
      bool castable = false;
      Item out;
      if (s.empty()) {
        castable = e.optional_type;
      } else if (s.size() == 1) {
        Evaluator* self = this;
        std::string saved = error_;
        castable = self->Cast(s[0], e.text, out);
        error_ = saved;  // castable never fails
      }
      if (e.op == Op::kCastable) return {Item::Bool(castable)};
      if (!castable) {
        if (s.empty() && e.optional_type) return {};
        Fail("cannot cast to " + e.text);
        return {};
      }
      return {out};
    }
    case Op::kInstanceOf: {
      Sequence s = Eval(*e.kids[0], ctx);
      if (s.size() != 1) return {Item::Bool(s.empty() && e.optional_type)};
      static const std::pair<const char*, Type> kTypes[] = {
          {"xs:string", Type::kString}, {"xs:boolean", Type::kBoolean}, {"xs:integer", Type::kInteger},
          {"xs:decimal", Type::kDecimal}, {"xs:double", Type::kDouble}, {"xs:date", Type::kDate},
          {"xs:untypedAtomic", Type::kUntyped}};
      for (const auto& [name, type] : kTypes) {
        if (e.text == name) {
          bool is = s[0].type == type || (type == Type::kDecimal && s[0].type == Type::kInteger);
          return {Item::Bool(is)};
        }
      }
      return {Item::Bool(false)};
    }
  }
  return {};
}

bool Evaluator::CompareWithCodeList(const Expr& e, const Context& ctx, bool& result) {
  if (e.compare != Comparison::kEq) return false;
  if (e.kids[1]->op == Op::kVariable && CompareWithStringSet(*e.kids[0], e.kids[1]->var, ctx, result)) return true;
  return e.kids[0]->op == Op::kVariable && CompareWithStringSet(*e.kids[1], e.kids[0]->var, ctx, result);
}

bool Evaluator::CompareWithStringSet(const Expr& other, uint32_t var, const Context& ctx, bool& result) {
  const std::unordered_set<std::string_view>* set = string_sets_[var];
  if (set == nullptr) return false;
  if (shortcuts_ && ctx.item.is_node() && IsNodeExpr(other)) {
    // @currencyID = $ISO4217 on every amount: the nodes' text looked up as they come.
    struct InSet : NodeVisitor {
      const xml::Document* doc;
      const std::unordered_set<std::string_view>* set;
      std::string scratch;
      bool found = false;
      bool operator()(xml::NodeId n) override {
        found = set->count(doc->StringValue(n, scratch)) != 0;
        return !found;
      }
    } in_set;
    in_set.doc = &doc_;
    in_set.set = set;
    VisitNodes(other, ctx.item.node, in_set);
    if (failed()) return false;
    result = in_set.found;
    return true;
  }
  Sequence values = Eval(other, ctx);
  if (failed()) return false;
  std::string scratch;
  result = false;
  for (const Item& v : values) {
    std::string_view text;
    if (v.is_node()) {
      text = doc_.StringValue(v.node, scratch);  // untyped: compared as a string with strings
    } else if (v.type == Type::kString || v.type == Type::kUntyped) {
      text = v.str;
    } else {
      return false;  // numbers, booleans: the general rules apply
    }
    if (set->count(text) != 0) {
      result = true;
      return true;
    }
  }
  return true;
}

void Evaluator::EvalFor(const Expr& e, const Context& ctx, size_t binding, Sequence& out) {
  if (failed()) return;
  if (binding == e.vars.size()) {
    Sequence part = Eval(*e.kids.back(), ctx);
    out.insert(out.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    return;
  }
  Sequence domain = Eval(*e.kids[binding], ctx);
  uint32_t var = e.vars[binding];
  Saved saved;
  Bind(var, {}, saved);
  for (Item& item : domain) {
    vars_[var] = Sequence{item};
    ++bind_epoch_;
    EvalFor(e, ctx, binding + 1, out);
    if (failed()) break;
  }
  Unbind(var, saved);
}

Sequence Evaluator::EvalQuantified(const Expr& e, const Context& ctx, size_t binding, bool some) {
  if (binding == e.vars.size()) return {Item::Bool(EvalBoolean(*e.kids.back(), ctx))};
  Sequence domain = Eval(*e.kids[binding], ctx);
  uint32_t var = e.vars[binding];
  Saved saved;
  Bind(var, {}, saved);
  bool result = !some;
  for (Item& item : domain) {
    vars_[var] = Sequence{item};
    ++bind_epoch_;
    Sequence r = EvalQuantified(e, ctx, binding + 1, some);
    if (failed()) break;
    bool b = !r.empty() && r[0].boolean;
    if (b == some) {
      result = some;
      break;
    }
  }
  Unbind(var, saved);
  return {Item::Bool(result)};
}

const Sequence* Evaluator::CachedPath(const Expr& e) {
  size_t slot = e.cache_slot;
  if (slot >= path_state_.size()) {
    path_state_.resize(slot + 1, kNotCached);
    path_index_.resize(slot + 1);
  }
  if (path_state_[slot] == kCached) return &path_values_[path_index_[slot]];
  // While a pattern is matched its predicates are lenient (an error drops the node): such a
  // value is not the path's value elsewhere.
  if (path_state_[slot] == kNotCacheable || failed() || pattern_mode_) return nullptr;
  Context root;
  root.item = Item::Node(doc_.root());
  Sequence value = EvalPath(e, root);
  if (failed()) {
    // Evaluated in full it raises an error that a lazy evaluation may never reach (exists()
    // stops at the first node): the caller evaluates it its own way, each time.
    if (!exhausted()) ClearError();
    path_state_[slot] = kNotCacheable;
    return nullptr;
  }
  path_state_[slot] = kCached;
  path_index_[slot] = static_cast<uint32_t>(path_values_.size());
  path_values_.push_back(std::move(value));
  return &path_values_.back();
}

Sequence Evaluator::PlainNodes(const Expr& e, NodeId context) {
  // Walked in one pass instead of a sequence per step; the walk gives document order except
  // across the branches of a union.
  struct Collect : NodeVisitor {
    Sequence out;
    bool operator()(NodeId n) override {
      out.push_back(Item::Node(n));
      return true;
    }
  } collect;
  VisitNodes(e, context, collect);
  auto before = [](const Item& a, const Item& b) { return a.node < b.node; };
  if (!std::is_sorted(collect.out.begin(), collect.out.end(), before)) {
    std::sort(collect.out.begin(), collect.out.end(), before);
  }
  return std::move(collect.out);
}

Sequence Evaluator::EvalPath(const Expr& e, const Context& ctx) {
  // The left side, without copying it when it is a cached path.
  Sequence left_value;
  const Sequence* cached = e.kids[0]->cacheable ? CachedPath(*e.kids[0]) : nullptr;
  if (cached == nullptr) left_value = Eval(*e.kids[0], ctx);
  const Sequence& left = cached != nullptr ? *cached : left_value;
  if (failed()) return {};
  const Expr& right = *e.kids[1];
  Sequence out;
  if (right.op == Op::kStep) {
    for (const Item& item : left) {
      if (!item.is_node()) {
        Fail("a path step needs nodes on its left");
        return {};
      }
      EvalStep(right, item.node, out);
    }
    if (left.size() > 1 || right.axis != Axis::kChild) SortUnique(out);
    return out;
  }
  bool nodes = false, atomics = false;
  Context inner;
  inner.size = left.size();
  for (size_t i = 0; i < left.size(); ++i) {
    if (!left[i].is_node()) {
      Fail("a path step needs nodes on its left");
      return {};
    }
    inner.item = left[i];
    inner.position = i + 1;
    Sequence part = Eval(right, inner);
    if (failed()) return {};
    for (Item& p : part) {
      (p.is_node() ? nodes : atomics) = true;
      out.push_back(std::move(p));
    }
  }
  if (nodes && atomics) {
    Fail("a path returned both nodes and atomic values");
    return {};
  }
  if (nodes) SortUnique(out);
  return out;
}

bool Evaluator::MatchesOther(const NodeTest& test, NodeId id, Axis axis) const {
  const xml::Node& n = doc_.node(id);
  bool principal = axis == Axis::kAttribute ? n.kind == NodeKind::kAttribute : n.kind == NodeKind::kElement;
  switch (test.kind) {
    case NodeTest::Kind::kNode: return true;
    case NodeTest::Kind::kText: return n.kind == NodeKind::kText;
    case NodeTest::Kind::kAnyName: return principal;
    case NodeTest::Kind::kElement: return false;
    case NodeTest::Kind::kAnyInNamespace: return principal && doc_.namespace_uri(id) == test.ns_uri;
    case NodeTest::Kind::kAnyWithLocal: return principal && doc_.local_name(id) == test.local;
    case NodeTest::Kind::kName:
      if (!principal) return false;
      if (test.name != xml::kNoName) return n.name == test.name;
      return doc_.local_name(id) == test.local && doc_.namespace_uri(id) == test.ns_uri;
  }
  return false;
}

// The nodes of `axis` from `node` that pass `test`, in axis order (reverse axes nearest first).
void Evaluator::AxisNodes(Axis axis, const NodeTest& test, NodeId node, std::vector<NodeId>& out) {
  const xml::Node& n = doc_.node(node);
  size_t visited = 0;
  auto add = [&](NodeId id) {
    ++visited;
    if (Matches(test, id, axis)) out.push_back(id);
  };
  struct Charge {
    Evaluator* ev;
    size_t& n;
    ~Charge() { ev->Spend(n); }
  } charge{this, visited};
  switch (axis) {
    case Axis::kChild:
      if (test.kind == NodeTest::Kind::kName && test.name != xml::kNoName) {
        if (std::span<const NodeId> named; ChildrenNamed(node, test.name, named)) {
          out.insert(out.end(), named.begin(), named.end());
          break;
        }
      }
      for (NodeId c = n.first_child; c != kNoNode; c = doc_.node(c).next_sibling) add(c);
      break;
    case Axis::kAttribute:
      for (NodeId a = n.first_attribute; a != kNoNode; a = doc_.node(a).next_sibling) add(a);
      break;
    case Axis::kSelf: add(node); break;
    case Axis::kParent:
      if (n.parent != kNoNode) add(n.parent);
      break;
    case Axis::kDescendantOrSelf:
      if (n.kind != NodeKind::kAttribute) add(node);
      [[fallthrough]];
    case Axis::kDescendant: {
      if (n.kind == NodeKind::kAttribute) break;
      if (test.kind == NodeTest::Kind::kName) {
        const xml::NameId name = NameOf(test);
        if (name == xml::kNoName) break;  // no element of the document has that name
        // The elements of that name within the subtree: a slice of the by-name index.
        const std::span<const NodeId> all = ElementsNamed(name);
        NodeId last = doc_.LastDescendant(node);
        auto begin = std::upper_bound(all.begin(), all.end(), node);
        auto end = std::upper_bound(begin, all.end(), last);
        out.insert(out.end(), begin, end);
        break;
      }
      NodeId last = doc_.LastDescendant(node);
      for (NodeId i = node + 1; i <= last && i != kNoNode; ++i) {
        if (doc_.node(i).kind != NodeKind::kAttribute) add(i);
      }
      break;
    }
    case Axis::kDescendantAttribute: {
      if (n.kind == NodeKind::kAttribute) break;
      NodeId last = doc_.LastDescendant(node);
      if (test.kind == NodeTest::Kind::kName) {
        const xml::NameId name = NameOf(test);
        if (name == xml::kNoName) break;  // no attribute of the document has that name
        const std::span<const NodeId> all = AttributesNamed(name);
        auto begin = std::upper_bound(all.begin(), all.end(), node);
        auto end = std::upper_bound(begin, all.end(), last);
        out.insert(out.end(), begin, end);
        break;
      }
      for (NodeId i = node + 1; i <= last && i != kNoNode; ++i) {
        if (doc_.node(i).kind == NodeKind::kAttribute && Matches(test, i, Axis::kAttribute)) out.push_back(i);
      }
      break;
    }
    case Axis::kAncestorOrSelf: add(node); [[fallthrough]];
    case Axis::kAncestor:
      for (NodeId p = n.parent; p != kNoNode; p = doc_.node(p).parent) add(p);
      break;
    case Axis::kFollowingSibling:
      if (n.kind == NodeKind::kAttribute) break;
      for (NodeId s = n.next_sibling; s != kNoNode; s = doc_.node(s).next_sibling) add(s);
      break;
    case Axis::kPrecedingSibling: {
      if (n.kind == NodeKind::kAttribute || n.parent == kNoNode) break;
      std::vector<NodeId> before;
      for (NodeId s = doc_.node(n.parent).first_child; s != kNoNode && s != node; s = doc_.node(s).next_sibling) {
        before.push_back(s);
      }
      for (size_t i = before.size(); i-- > 0;) add(before[i]);
      break;
    }
    case Axis::kFollowing: {
      NodeId start = (n.kind == NodeKind::kAttribute ? doc_.LastDescendant(n.parent) : doc_.LastDescendant(node)) + 1;
      for (NodeId i = start; i < doc_.size(); ++i) {
        if (doc_.node(i).kind != NodeKind::kAttribute) add(i);
      }
      break;
    }
    case Axis::kPreceding: {
      NodeId self = n.kind == NodeKind::kAttribute ? n.parent : node;
      if (test.kind == NodeTest::Kind::kName) {
        // preceding::cbc:PaymentID (UBL-SR-44, once per such element): the elements of that name
        // before `self`, from the by-name index, less its ancestors (whose subtrees hold it).
        const xml::NameId name = NameOf(test);
        if (name == xml::kNoName) break;
        const std::span<const NodeId> all = ElementsNamed(name);
        for (auto it = std::lower_bound(all.begin(), all.end(), self); it != all.begin();) {
          --it;
          ++visited;
          if (doc_.LastDescendant(*it) < self) out.push_back(*it);
        }
        break;
      }
      // Nodes before `self` that are not its ancestors, nearest first.
      std::vector<NodeId> ancestors;
      for (NodeId p = doc_.node(self).parent; p != kNoNode; p = doc_.node(p).parent) ancestors.push_back(p);
      for (NodeId i = self; i-- > 1;) {
        if (doc_.node(i).kind == NodeKind::kAttribute) continue;
        if (std::find(ancestors.begin(), ancestors.end(), i) != ancestors.end()) continue;
        add(i);
      }
      break;
    }
  }
}

void Evaluator::EvalStep(const Expr& step, NodeId node, Sequence& out) {
  std::vector<NodeId> nodes;
  const size_t first_predicate = PartitionedStep(step, node, nodes) ? 1 : 0;
  if (first_predicate == 0) AxisNodes(step.axis, step.test, node, nodes);
  if (step.kids.size() == first_predicate) {
    for (NodeId id : nodes) out.push_back(Item::Node(id));
    return;
  }
  bool boolean = !pattern_mode_;
  for (size_t p = first_predicate; p < step.kids.size() && boolean; ++p) boolean = IsBooleanPredicate(*step.kids[p]);
  if (boolean) {
    // As ApplyPredicates() does for boolean predicates, on the node ids: no item per node until
    // the nodes that are kept (//cac:ClassifiedTaxCategory[...] keeps a category per line).
    Context c;
    for (size_t p = first_predicate; p < step.kids.size(); ++p) {
      c.size = nodes.size();
      size_t kept = 0;
      for (size_t i = 0; i < nodes.size(); ++i) {
        c.item.SetNode(nodes[i]);
        c.position = i + 1;
        const bool keep = EvalBoolean(*step.kids[p], c);
        if (failed()) return;
        if (keep) nodes[kept++] = nodes[i];
      }
      nodes.resize(kept);
    }
    for (NodeId id : nodes) out.push_back(Item::Node(id));
    return;
  }
  Sequence items;
  items.reserve(nodes.size());
  for (NodeId id : nodes) items.push_back(Item::Node(id));
  Sequence kept = ApplyPredicates(std::move(items), step, first_predicate);
  out.insert(out.end(), std::make_move_iterator(kept.begin()), std::make_move_iterator(kept.end()));
}

Sequence Evaluator::ApplyPredicates(Sequence items, const Expr& e, size_t first_predicate) {
  for (size_t p = first_predicate; p < e.kids.size() && !failed(); ++p) {
    const Expr& pred = *e.kids[p];
    // [1], [2]: positional, without evaluating per item.
    if (pred.op == Op::kLiteralInteger) {
      Decimal d;
      ParseXsDecimal(pred.text, d);
      Sequence one;
      for (size_t i = 0; i < items.size(); ++i) {
        if (Compare(Decimal::FromInt(static_cast<int64_t>(i + 1)), d) == 0) one.push_back(std::move(items[i]));
      }
      items = std::move(one);
      continue;
    }
    Sequence kept;
    Context c;
    c.size = items.size();
    // Only the predicates of the pattern itself match leniently, not those nested in them.
    const bool pattern = pattern_mode_;
    const bool boolean = IsBooleanPredicate(pred);
    for (size_t i = 0; i < items.size(); ++i) {
      c.item = items[i];
      c.position = i + 1;
      pattern_mode_ = false;
      if (boolean) {
        // Cannot be a position: its boolean value, through the fast paths.
        bool keep = EvalBoolean(pred, c);
        pattern_mode_ = pattern;
        if (failed() && pattern_mode_) {
          ClearError();
          continue;
        }
        if (failed()) return {};
        if (keep) kept.push_back(std::move(items[i]));
        continue;
      }
      Sequence r = Eval(pred, c);
      pattern_mode_ = pattern;
      if (failed() && pattern_mode_) {
        ClearError();  // XSLT 3.0 5.5.4: this node does not match the pattern
        continue;
      }
      if (failed()) return {};
      bool keep;
      if (r.size() == 1 && r[0].is_numeric()) {
        const Item& n = r[0];
        keep = n.type == Type::kDouble ? n.dbl == static_cast<double>(i + 1)
                                       : Compare(n.dec, Decimal::FromInt(static_cast<int64_t>(i + 1))) == 0;
      } else {
        keep = EffectiveBoolean(r);
      }
      if (keep) kept.push_back(std::move(items[i]));
    }
    items = std::move(kept);
  }
  return items;
}

Sequence Evaluator::EvalFunction(const Expr& e, const Context& ctx) {
  const auto& builtins = Builtins();
  if (e.tokens != nullptr) {
    // contains(' A B ', concat(' ', x, ' ')) with x a non-empty word: is x one of the entries?
    Sequence x = Eval(*e.kids[1]->kids[1], ctx);
    if (failed()) return {};
    if (x.size() <= 1) {
      std::string word = x.empty() ? std::string() : StringOf(x[0]);
      if (!word.empty() && word.find(' ') == std::string::npos) return {Item::Bool(e.tokens->count(word) != 0)};
    }
  }
  std::vector<Sequence> args;
  args.reserve(e.kids.size());
  for (const auto& k : e.kids) {
    args.push_back(Eval(*k, ctx));
    if (failed()) return {};
  }
  if (static_cast<size_t>(e.function) < builtins.size()) {
    Sequence out;
    builtins[e.function].impl(*this, args, ctx, out);
    return out;
  }
  const UserFunction& f = functions_[e.function - builtins.size()];
  std::vector<Saved> saved(f.params.size());
  for (size_t i = 0; i < f.params.size(); ++i) {
    Sequence value = std::move(args[i]);
    if (TypedParameter(f, i)) {
      Sequence converted;
      for (const Item& it : Atomize(value)) {
        Item c = it;
        if (!ConvertArgument(f, i, c)) return {};
        converted.push_back(std::move(c));
      }
      value = std::move(converted);
    }
    Bind(f.params[i], std::move(value), saved[i]);
  }
  Context inner = ctx;
  Sequence out = Eval(*f.body, inner);
  for (size_t i = f.params.size(); i-- > 0;) Unbind(f.params[i], saved[i]);
  return out;
}


bool Evaluator::TypedParameter(const UserFunction& f, size_t i) {
  const std::string& type = f.param_types[i];
  return !type.empty() && type != "item()*";
}

bool Evaluator::ConvertArgument(const UserFunction& f, size_t i, Item& item) {
  // Function conversion rules: atomized values; untyped ones are cast to the declared type.
  std::string_view base = f.param_types[i];
  if (base.back() == '?' || base.back() == '*') base.remove_suffix(1);
  if (item.is_numeric() && item.type != Type::kDouble && base == "xs:decimal") {
    item.type = Type::kDecimal;  // what the cast gives, without the copies
    return true;
  }
  if (item.type == Type::kUntyped || (base == "xs:decimal" && item.is_numeric()) || base == "xs:string") {
    Item c;
    if (!Cast(item, base, c)) {
      Fail("argument of " + f.name + " is not a valid " + std::string(base));
      return false;
    }
    item = std::move(c);
  }
  return true;
}

}  // namespace gw::formats::validation
