// Fast paths of the evaluator for the expression shapes that dominate the official rules:
// boolean combinations of path tests (not(cac:X/cbc:Y), exists(...)) and comparisons of a path
// with a literal (cbc:ID = 'S'). They walk the document without building sequences, and stop at
// the first node that decides the answer; anything else goes through Eval().
#include "formats/validation/xpath_eval.h"
#include "formats/validation/xpath_parser.h"
#include "formats/xml/xml_text.h"

#include <algorithm>

namespace gw::formats::validation {

using xml::kNoNode;
using xml::NodeId;
using xml::NodeKind;

bool IsNodeExpr(const Expr& e) {
  if (e.node_expr != Expr::kShapeUnknown) return e.node_expr != 0;
  switch (e.op) {
    case Op::kRoot:
    case Op::kStep: return true;
    case Op::kPath:
    case Op::kUnion: return IsNodeExpr(*e.kids[0]) && IsNodeExpr(*e.kids[1]);
    default: return false;
  }
}

namespace {

bool AllBooleanPredicates(const Expr& step) {
  for (const auto& p : step.kids) {
    if (!IsBooleanPredicate(*p)) return false;
  }
  return true;
}

int32_t Builtin(const char* name, size_t arity) { return FindBuiltin(name, arity); }

// The functions the fast paths test for, looked up once when the program starts (Builtins() is a
// function-local table, so it exists by then); as locals with static storage, each call of
// EvalBoolean paid a guard check per name.
const int32_t kNot = Builtin("not", 1), kExists = Builtin("exists", 1), kEmpty = Builtin("empty", 1),
              kBoolean = Builtin("boolean", 1), kTrue = Builtin("true", 0), kFalse = Builtin("false", 0),
              kCount = Builtin("count", 1), kNormalize = Builtin("normalize-space", 1),
              kUpper = Builtin("upper-case", 1), kLower = Builtin("lower-case", 1), kString = Builtin("string", 1);

// A set of path classes small enough to live on the stack; a path that reaches more is left to
// the other ways.
struct ClassSet {
  static constexpr size_t kMax = 16;
  PathClasses::ClassId ids[kMax];
  size_t size = 0;
  bool Add(PathClasses::ClassId c) {
    for (size_t i = 0; i < size; ++i) {
      if (ids[i] == c) return true;
    }
    if (size == kMax) return false;
    ids[size++] = c;
    return true;
  }
};

// Replaces `set` by the classes `e` reaches from its classes; false when `e` is not made of child
// and attribute name steps without predicates and unions of such paths (or reaches too many).
bool ReachClasses(const PathClasses& classes, const Expr& e, ClassSet& set) {
  switch (e.op) {
    case Op::kPath: return ReachClasses(classes, *e.kids[0], set) && ReachClasses(classes, *e.kids[1], set);
    case Op::kUnion: {
      ClassSet right = set;
      if (!ReachClasses(classes, *e.kids[0], set) || !ReachClasses(classes, *e.kids[1], right)) return false;
      for (size_t i = 0; i < right.size; ++i) {
        if (!set.Add(right.ids[i])) return false;
      }
      return true;
    }
    case Op::kStep: {
      if (e.axis == Axis::kChild && e.kids.empty() && e.test.kind == NodeTest::Kind::kAnyName) {
        // "*": nothing when no node of the classes has a child element (leaves, as most are).
        for (size_t i = 0; i < set.size; ++i) {
          if (classes.HasChildElements(set.ids[i])) return false;
        }
        set.size = 0;
        return true;
      }
      if ((e.axis != Axis::kChild && e.axis != Axis::kAttribute) || !e.kids.empty() ||
          e.test.kind != NodeTest::Kind::kName || e.test.name == xml::kNoName) {
        return false;
      }
      NodeKind kind = e.axis == Axis::kChild ? NodeKind::kElement : NodeKind::kAttribute;
      ClassSet next;
      for (size_t i = 0; i < set.size; ++i) {
        PathClasses::ClassId c = classes.Child(set.ids[i], kind, e.test.name);
        if (c != PathClasses::kNoClass && !next.Add(c)) return false;
      }
      set = next;
      return true;
    }
    default: return false;
  }
}

}  // namespace

PathClasses::ClassId Evaluator::ChildPathClass(const Expr& e, PathClasses::ClassId from, uint64_t& least,
                                               uint64_t& most) const {
  // One class per step, from the names kept in `e`: its subtree is not read.
  constexpr uint64_t kCap = UINT32_MAX;  // beyond any document; keeps the products in range
  least = most = 1;
  PathClasses::ClassId c = from;
  for (uint8_t i = 0; i < e.child_path_length; ++i) {
    NodeKind kind = (e.child_path_attributes >> i) & 1 ? NodeKind::kAttribute : NodeKind::kElement;
    c = classes_->Child(c, kind, e.child_path[i]);
    if (c == PathClasses::kNoClass) return c;
    least = std::min(least * classes_->FanMin(c), kCap);
    most = std::min(most * classes_->FanMax(c), kCap);
  }
  return c;
}

int64_t Evaluator::CountByClasses(const Expr& e, NodeId context) const {
  if (classes_ == nullptr || e.child_path_length == 0 || !shortcuts_) return -1;
  const PathClasses::ClassId from = classes_->of(context);
  uint64_t least = 0, most = 0;
  const PathClasses::ClassId c = ChildPathClass(e, from, least, most);
  if (c == PathClasses::kNoClass) return 0;
  // The only node of its class has every node of the class reached below it.
  if (classes_->nodes(from).size() == 1) return static_cast<int64_t>(classes_->nodes(c).size());
  return least == most ? static_cast<int64_t>(least) : -1;
}

int Evaluator::AnyByClasses(const Expr& e, NodeId context) {
  if (classes_ == nullptr) return -1;
  const PathClasses::ClassId from = classes_->of(context);
  if (e.child_path_length > 0) {
    uint64_t least = 0, most = 0;
    if (ChildPathClass(e, from, least, most) == PathClasses::kNoClass) return 0;
    // Every node of the class has the path (every line has its cac:Price/cbc:PriceAmount).
    if (least > 0 && shortcuts_) return 1;
  } else if (e.op == Op::kStep && e.axis == Axis::kChild && e.kids.empty() && e.test.kind == NodeTest::Kind::kAnyName) {
    // "*" (the Peppol rule against empty elements asks it of every element): the nodes of a
    // class without child elements have none; others are looked at, up to their first element.
    if (!classes_->HasChildElements(from)) return 0;
    for (NodeId k = doc_.node(context).first_child; k != kNoNode; k = doc_.node(k).next_sibling) {
      if (doc_.node(k).kind == NodeKind::kElement) return 1;
    }
    return 0;
  } else {
    if (e.op != Op::kStep && e.op != Op::kPath && e.op != Op::kUnion) return -1;
    ClassSet set;
    set.Add(from);
    if (!ReachClasses(*classes_, e, set)) return -1;
    if (set.size == 0) return 0;
  }
  // A class reached is a path some node has below some node of the context's class.
  return classes_->nodes(from).size() == 1 ? 1 : -1;
}

int Evaluator::ClassBoolean(const Expr& e, PathClasses::ClassId c) const {
  if (classes_ == nullptr || !shortcuts_) return -1;
  switch (e.op) {
    case Op::kAnd: {
      const int a = ClassBoolean(*e.kids[0], c);
      if (a == 0) return 0;
      const int b = ClassBoolean(*e.kids[1], c);
      if (b == 0) return 0;
      return a == 1 && b == 1 ? 1 : -1;
    }
    case Op::kOr: {
      const int a = ClassBoolean(*e.kids[0], c);
      if (a < 0) return -1;  // an error on the left must still be raised when the right is true
      const int b = ClassBoolean(*e.kids[1], c);
      return b < 0 ? -1 : (a | b);
    }
    case Op::kFunctionCall: {
      if (e.kids.size() != 1) return -1;
      if (e.function == kNot) {
        const int a = ClassBoolean(*e.kids[0], c);
        return a < 0 ? -1 : 1 - a;
      }
      if (e.function != kExists && e.function != kBoolean) return -1;
      if (e.function == kBoolean && !IsNodeExpr(*e.kids[0])) return -1;
      return ClassBoolean(*e.kids[0], c);
    }
    case Op::kStep:
    case Op::kPath: {
      if (e.child_path_length > 0) {
        uint64_t least = 0, most = 0;
        if (ChildPathClass(e, c, least, most) == PathClasses::kNoClass) return 0;
        return least > 0 ? 1 : -1;
      }
      if (e.op != Op::kStep || e.axis != Axis::kChild || !e.kids.empty() || e.test.kind != NodeTest::Kind::kAnyName) {
        return -1;
      }
      // "*": no node of the class has a child element, or every node has one of some class.
      if (!classes_->HasChildElements(c)) return 0;
      for (PathClasses::ClassId k : classes_->children(c)) {
        if (doc_.node(classes_->first(k)).kind == NodeKind::kElement && classes_->FanMin(k) > 0) return 1;
      }
      return -1;
    }
    default: return -1;
  }
}

bool Evaluator::VisitNodes(const Expr& e, NodeId context, NodeVisitor& visit) {
  if (failed()) return false;
  switch (e.op) {
    case Op::kRoot: return visit(doc_.root());
    case Op::kUnion: return VisitNodes(*e.kids[0], context, visit) && VisitNodes(*e.kids[1], context, visit);
    case Op::kPath: {
      if (e.cacheable && !e.kids[0]->cacheable) {
        // The same nodes wherever it is used in this document (often in several rules): computed
        // once, then walked. Where computing it in full raises an error it is streamed (lazily,
        // like Saxon) instead. Only the shortest such paths (//cac:X[...]) are kept: a longer one
        // streams from its kept start.
        if (const Sequence* cached = CachedPath(e)) {
          for (const Item& i : *cached) {
            if (!i.is_node()) {
              Fail("a path step needs nodes");
              return false;
            }
            if (!visit(i.node)) return false;
          }
          return true;
        }
      }
      struct Right : NodeVisitor {
        Evaluator* ev;
        const Expr* right;
        NodeVisitor* visit;
        bool operator()(NodeId n) override { return ev->VisitNodes(*right, n, *visit); }
      } right;
      right.ev = this;
      right.right = e.kids[1].get();
      right.visit = &visit;
      return VisitNodes(*e.kids[0], context, right);
    }
    case Op::kStep: {
      const xml::Node& n = doc_.node(context);
      bool simple = AllBooleanPredicates(e);
      Context each;  // of the predicates, one node after the other
      auto pass = [&](NodeId id) {
        Spend(1);
        if (!Matches(e.test, id, e.axis)) return true;
        if (simple) {
          each.item.SetNode(id);
          for (const auto& p : e.kids) {
            if (!EvalBoolean(*p, each)) return !failed();
          }
        }
        return visit(id);
      };
      if (simple && !e.kids.empty() && e.kids[0]->partition_key != Expr::kNoPartition) {
        std::vector<NodeId> nodes;  // those that pass the first predicate, from its group
        if (PartitionedStep(e, context, nodes)) {
          for (NodeId id : nodes) {
            each.item.SetNode(id);
            bool keep = true;
            for (size_t p = 1; p < e.kids.size() && keep; ++p) {
              keep = EvalBoolean(*e.kids[p], each);
              if (failed()) return false;
            }
            if (keep && !visit(id)) return false;
          }
          return !failed();
        }
      }
      if (simple && e.axis == Axis::kChild) {
        if (e.test.kind == NodeTest::Kind::kName && e.test.name != xml::kNoName) {
          if (std::span<const NodeId> named; ChildrenNamed(context, e.test.name, named)) {
            for (NodeId c : named) {
              if (!pass(c)) return false;
            }
            return !failed();
          }
        }
        for (NodeId c = n.first_child; c != kNoNode; c = doc_.node(c).next_sibling) {
          if (!pass(c)) return false;
        }
        return !failed();
      }
      if (simple && e.axis == Axis::kAttribute) {
        for (NodeId a = n.first_attribute; a != kNoNode; a = doc_.node(a).next_sibling) {
          if (!pass(a)) return false;
        }
        return !failed();
      }
      if (simple && (e.axis == Axis::kSelf || e.axis == Axis::kParent)) {
        NodeId target = e.axis == Axis::kSelf ? context : n.parent;
        return target == kNoNode || pass(target);
      }
      if (simple) {
        // Axis order, one node at a time: a later node's predicate is not evaluated once an
        // earlier node answered (as Saxon, so an error there is not raised either).
        std::vector<NodeId> nodes;
        AxisNodes(e.axis, e.test, context, nodes);
        for (NodeId id : nodes) {
          each.item.SetNode(id);
          bool keep = true;
          for (const auto& p : e.kids) {
            keep = EvalBoolean(*p, each);
            if (failed()) return false;
            if (!keep) break;
          }
          if (keep && !visit(id)) return false;
        }
        return !failed();
      }
      Sequence out;
      EvalStep(e, context, out);
      for (const Item& i : out) {
        if (!visit(i.node)) return false;
      }
      return !failed();
    }
    default: {
      Context c;
      c.item = Item::Node(context);
      for (const Item& i : Eval(e, c)) {
        if (!i.is_node()) {
          Fail("a path step needs nodes");
          return false;
        }
        if (!visit(i.node)) return false;
      }
      return !failed();
    }
  }
}

int Evaluator::AnyByChildNames(const Expr& e, NodeId context) {
  // The names of a relative path of child steps with name tests and no predicates.
  constexpr size_t kMaxSteps = 8;
  xml::NameId names[kMaxSteps];
  size_t count = 0;
  const Expr* x = &e;
  while (true) {
    const Expr* step = x->op == Op::kPath ? x->kids[1].get() : x;
    if (step->op != Op::kStep || step->axis != Axis::kChild || !step->kids.empty() ||
        step->test.kind != NodeTest::Kind::kName || step->test.name == xml::kNoName || count == kMaxSteps) {
      return -1;
    }
    names[count++] = step->test.name;
    if (x->op != Op::kPath) break;
    x = x->kids[0].get();
  }
  if (count < 2) return -1;  // one step: its children are scanned as fast
  // names[0] is the last step. Its elements within the subtree, if there are few, each checked
  // upwards; where there are many, walking down is at least as fast.
  constexpr ptrdiff_t kFew = 16;
  const std::span<const NodeId> all = ElementsNamed(names[0]);
  auto begin = std::upper_bound(all.begin(), all.end(), context);
  auto end = std::upper_bound(begin, all.end(), doc_.LastDescendant(context));
  if (end - begin > kFew) return -1;
  Spend(static_cast<uint64_t>(end - begin) + 1);
  for (auto it = begin; it != end; ++it) {
    NodeId n = *it;
    size_t k = 1;
    for (; k < count; ++k) {
      n = doc_.node(n).parent;
      if (n == kNoNode || doc_.node(n).name != names[k]) break;
    }
    if (k == count && doc_.node(n).parent == context) return 1;
  }
  return 0;
}

bool Evaluator::AnyNode(const Expr& e, const Context& ctx) {
  if (!ctx.item.is_node() && e.op != Op::kRoot && !(e.op == Op::kPath && e.cacheable)) {
    Fail("a path needs a node as its context");
    return false;
  }
  if (ctx.item.is_node()) {
    int found = AnyByClasses(e, ctx.item.node);
    if (found < 0) found = AnyByChildNames(e, ctx.item.node);
    if (found >= 0) return found == 1;
  }
  if (e.cacheable) {
    // The same answer wherever it is asked in this document: remember it.
    if (e.cache_slot >= any_cache_.size()) any_cache_.resize(e.cache_slot + 1, -1);
    if (any_cache_[e.cache_slot] >= 0) return any_cache_[e.cache_slot] != 0;
  }
  struct Found : NodeVisitor {
    bool found = false;
    bool operator()(NodeId) override {
      found = true;
      return false;
    }
  } found;
  VisitNodes(e, ctx.item.is_node() ? ctx.item.node : doc_.root(), found);
  if (e.cacheable && !failed()) any_cache_[e.cache_slot] = found.found ? 1 : 0;
  return found.found;
}

void Evaluator::AnnotateShape(Expr& e) {
  if (e.op == Op::kStep && (e.axis == Axis::kChild || e.axis == Axis::kAttribute) && e.kids.empty() &&
      e.test.kind == NodeTest::Kind::kName && e.test.name != xml::kNoName) {
    e.child_path_length = 1;
    e.child_path[0] = e.test.name;
    e.child_path_attributes = e.axis == Axis::kAttribute ? 1 : 0;
  } else if (e.op == Op::kPath && e.kids[0]->child_path_length > 0 && e.kids[1]->child_path_length > 0 &&
             e.kids[0]->child_path_length + e.kids[1]->child_path_length <= Expr::kMaxChildPath) {
    const Expr& left = *e.kids[0];
    const Expr& right = *e.kids[1];
    std::copy_n(left.child_path, left.child_path_length, e.child_path);
    std::copy_n(right.child_path, right.child_path_length, e.child_path + left.child_path_length);
    e.child_path_length = static_cast<uint8_t>(left.child_path_length + right.child_path_length);
    e.child_path_attributes =
        static_cast<uint8_t>(left.child_path_attributes | (right.child_path_attributes << left.child_path_length));
  }
  e.node_expr = IsNodeExpr(e) ? 1 : 0;
  e.string_fast = StringFastShape(e) ? 1 : 0;
  bool comparison = (e.op == Op::kGeneralCompare || e.op == Op::kValueCompare) && e.kids.size() == 2;
  e.count_existence = static_cast<int8_t>(comparison ? CountExistenceShape(e) : -1);
  e.scalar = ScalarShapeOf(e);
  e.at_most_one = AtMostOne(e) ? 1 : 0;
  e.plain_nodes = PlainNodesShape(e) ? 1 : 0;
  e.boolean_predicate = IsBooleanPredicate(e) ? 1 : 0;
  e.numeric = NumericShapeOf(e) ? 1 : 0;
  // not(*) and not(normalize-space()): the Peppol rule against empty elements asks both of every
  // element of the document.
  if (e.op == Op::kFunctionCall && e.function == kNot && e.kids.size() == 1) {
    const Expr& a = *e.kids[0];
    if (a.op == Op::kStep && a.axis == Axis::kChild && a.kids.empty() && a.test.kind == NodeTest::Kind::kAnyName) {
      e.node_test = Expr::kNoChildElement;
    } else if (a.op == Op::kFunctionCall && a.function == kNormalize &&
               (a.kids.empty() || a.kids[0]->op == Op::kContextItem)) {
      e.node_test = Expr::kBlankText;
    }
  }
}

bool Evaluator::NodeTestBoolean(const Expr& e, NodeId node) {
  Spend(1);
  if (e.node_test == Expr::kNoChildElement) {
    if (classes_ != nullptr && !classes_->HasChildElements(classes_->of(node))) return true;
    for (NodeId k = doc_.node(node).first_child; k != kNoNode; k = doc_.node(k).next_sibling) {
      if (doc_.node(k).kind == NodeKind::kElement) return false;
    }
    return true;
  }
  // kBlankText: normalize-space() of the string value is empty when it is all whitespace.
  std::string scratch;
  for (char c : doc_.StringValue(node, scratch)) {
    if (!xml::text::IsSpace(c)) return false;
  }
  return true;
}

int Evaluator::CountExistence(const Expr& e) {
  return e.count_existence != Expr::kShapeUnknown ? e.count_existence : CountExistenceShape(e);
}

int Evaluator::CountExistenceShape(const Expr& e) {
  const Expr* count = nullptr;
  const Expr* number = nullptr;
  bool count_on_left = true;
  for (int side = 0; side < 2; ++side) {
    const Expr& c = *e.kids[side];
    const Expr& n = *e.kids[1 - side];
    if (c.op == Op::kFunctionCall && c.function == kCount && n.op == Op::kLiteralInteger) {
      count = &c;
      number = &n;
      count_on_left = side == 0;
    }
  }
  if (count == nullptr || (number->text != "0" && number->text != "1")) return -1;
  // Written as count(E) op N.
  Comparison op = e.compare;
  if (!count_on_left) {
    switch (op) {
      case Comparison::kLt: op = Comparison::kGt; break;
      case Comparison::kLe: op = Comparison::kGe; break;
      case Comparison::kGt: op = Comparison::kLt; break;
      case Comparison::kGe: op = Comparison::kLe; break;
      default: break;
    }
  }
  if (number->text == "0") {
    switch (op) {
      case Comparison::kEq:
      case Comparison::kLe: return 0;
      case Comparison::kNe:
      case Comparison::kGt: return 1;
      default: return -1;
    }
  }
  switch (op) {
    case Comparison::kGe: return 1;
    case Comparison::kLt: return 0;
    default: return -1;
  }
}

bool Evaluator::IsStringFastShape(const Expr& e) {
  return e.string_fast != Expr::kShapeUnknown ? e.string_fast != 0 : StringFastShape(e);
}

bool Evaluator::StringFastShape(const Expr& e) {
  if (e.op != Op::kFunctionCall) return false;
  if (e.function != kNormalize && e.function != kUpper && e.function != kLower && e.function != kString) return false;
  if (e.kids.empty()) return e.function == kNormalize || e.function == kString;
  if (e.kids.size() != 1) return false;
  const Expr& a = *e.kids[0];
  return a.op == Op::kContextItem || IsNodeExpr(a) || IsStringFastShape(a);
}

bool Evaluator::StringFast(const Expr& e, NodeId context, std::string& out) {
  if (!IsStringFastShape(e)) return false;
  std::string arg;
  StringFastArgument(e, context, arg);
  if (failed()) return true;
  if (e.function == kNormalize) {
    out = XPathNormalizeSpace(arg);
  } else if (e.function == kUpper) {
    out = XPathUpperCase(arg);
  } else if (e.function == kLower) {
    out = XPathLowerCase(arg);
  } else {
    out = std::move(arg);
  }
  return true;
}

void Evaluator::StringFastArgument(const Expr& e, NodeId context, std::string& arg) {
  Spend(1);
  std::string scratch;
  if (e.kids.empty() || e.kids[0]->op == Op::kContextItem) {
    arg = doc_.StringValue(context, scratch);
  } else if (IsNodeExpr(*e.kids[0])) {
    // The argument is one optional item: more than one node is an error, as in the function.
    struct Two : NodeVisitor {
      NodeId first = kNoNode;
      size_t count = 0;
      bool operator()(NodeId n) override {
        if (count++ == 0) first = n;
        return count < 2;
      }
    } nodes;
    VisitNodes(*e.kids[0], context, nodes);
    if (failed()) return;
    if (nodes.count > 1) {
      Fail("a sequence of more than one item where one string is expected");
      return;
    }
    if (nodes.count == 1) arg = doc_.StringValue(nodes.first, scratch);
  } else {
    StringFast(*e.kids[0], context, arg);
  }
}

namespace {

// Whether normalize-space() leaves `s` as it is: no space at either end, no other whitespace than
// single spaces.
bool Normalized(std::string_view s) {
  if (s.empty()) return true;
  if (s.front() == ' ' || s.back() == ' ') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ' ' ? s[i + 1] == ' ' : xml::text::IsSpace(s[i])) return false;
  }
  return true;
}

// Whether upper-case() (lower-case()) leaves `s` as it is: ASCII without lower (upper) case letters.
bool SameCase(std::string_view s, bool upper) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
    if (upper ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z')) return false;
  }
  return true;
}

}  // namespace

bool Evaluator::StringFastView(const Expr& e, NodeId context, std::string_view& out, std::string& scratch) {
  if (!IsStringFastShape(e)) return false;
  std::string_view arg;
  if (e.kids.empty() || e.kids[0]->op == Op::kContextItem) {
    Spend(1);
    arg = doc_.StringValue(context, scratch);
  } else if (IsNodeExpr(*e.kids[0])) {
    Spend(1);
    NodeId node = kNoNode;
    Scalar found = OneNode(*e.kids[0], context, node);
    if (failed() || found == Scalar::kBail) return false;  // StringFast raises what it must
    if (found == Scalar::kOne) arg = doc_.StringValue(node, scratch);
  } else if (!StringFastView(*e.kids[0], context, arg, scratch)) {
    return false;
  }
  if ((e.function == kNormalize && !Normalized(arg)) || (e.function == kUpper && !SameCase(arg, true)) ||
      (e.function == kLower && !SameCase(arg, false))) {
    return false;
  }
  out = arg;
  return true;
}

bool Evaluator::CompareStringFast(const Expr& other, const std::string& literal, bool equal, NodeId context,
                                  bool& result) {
  if (IsStringFastShape(other)) {
    std::string scratch;
    std::string_view view;
    if (StringFastView(other, context, view, scratch)) {
      result = (view == literal) == equal;
      return true;
    }
    if (failed()) return true;
    std::string value;
    StringFast(other, context, value);
    result = !failed() && (value == literal) == equal;
    return true;
  }
  if (other.op != Op::kPath || !IsNodeExpr(*other.kids[0]) || !IsStringFastShape(*other.kids[1])) return false;
  // One string per node of the path, compared as they come (a general comparison is true at the
  // first item that compares).
  struct Each : NodeVisitor {
    Evaluator* ev;
    const Expr* function;
    const std::string* literal;
    bool equal;
    bool found = false;
    bool operator()(NodeId n) override {
      std::string scratch;
      std::string_view view;
      if (ev->StringFastView(*function, n, view, scratch)) {
        found = (view == *literal) == equal;
        return !found;
      }
      if (ev->failed()) return false;
      std::string value;
      ev->StringFast(*function, n, value);
      if (ev->failed()) return false;
      found = (value == *literal) == equal;
      return !found;
    }
  } each;
  each.ev = this;
  each.function = other.kids[1].get();
  each.literal = &literal;
  each.equal = equal;
  VisitNodes(*other.kids[0], context, each);
  result = !failed() && each.found;
  return true;
}

bool Evaluator::NameOnlyBoolean(const Expr& e, const Context& ctx) {
  xml::NameId name = doc_.node(ctx.item.node).name;
  int8_t* memo = nullptr;
  if (shared_name_only_ != nullptr && e.name_only_slot < shared_name_only_->size()) {
    const std::vector<int8_t>& known = (*shared_name_only_)[e.name_only_slot];
    if (name < known.size() && known[name] >= 0) return known[name] != 0;
  }
  if (name != xml::kNoName) {
    if (e.name_only_slot >= name_only_memo_.size()) name_only_memo_.resize(e.name_only_slot + 1);
    std::vector<int8_t>& per_name = name_only_memo_[e.name_only_slot];
    if (name >= per_name.size()) per_name.resize(name + 1, -1);
    memo = &per_name[name];
    if (*memo >= 0) return *memo != 0;
  }
  Context c = ctx;
  bool value = EffectiveBoolean(Eval(e, c));
  if (!failed() && memo != nullptr) *memo = value ? 1 : 0;
  return value;
}

bool Evaluator::EvalBoolean(const Expr& e, const Context& ctx) {
  if (failed()) return false;
  if (e.node_test != Expr::kNoNodeTest && ctx.item.is_node() && shortcuts_) return NodeTestBoolean(e, ctx.item.node);
  if (e.name_only && ctx.item.is_node()) return NameOnlyBoolean(e, ctx);
  switch (e.op) {
    case Op::kAnd: return EvalBoolean(*e.kids[0], ctx) && EvalBoolean(*e.kids[1], ctx);
    case Op::kOr: return EvalBoolean(*e.kids[0], ctx) || EvalBoolean(*e.kids[1], ctx);
    case Op::kFunctionCall:
      if (e.function == kNot) return !EvalBoolean(*e.kids[0], ctx) && !failed();
      if (e.function == kBoolean) return EvalBoolean(*e.kids[0], ctx);
      if (e.function == kTrue) return true;
      if (e.function == kFalse) return false;
      if (e.function == kExists || e.function == kEmpty) {
        const Expr& arg = *e.kids[0];
        bool any = IsNodeExpr(arg) && ctx.item.is_node() ? AnyNode(arg, ctx) : !Eval(arg, ctx).empty();
        return e.function == kExists ? any : !any && !failed();
      }
      if (bool result = false; BooleanShortcut(e, ctx, result) || failed()) return result && !failed();
      break;
    case Op::kValueCompare:
    case Op::kGeneralCompare:
      // Out of line: its locals made the prologue of every EvalBoolean call heavier.
      if (int result = CompareBoolean(e, ctx); result >= 0) return result == 1;
      break;
    default:
      if (IsNodeExpr(e) && ctx.item.is_node()) return AnyNode(e, ctx);
      break;
  }
  if (ctx.item.is_node() && IsStringFastShape(e)) {
    // A string is true when it is not empty; normalize-space(s) is, when s is not all spaces.
    std::string value;
    if (e.function == kNormalize) {
      StringFastArgument(e, ctx.item.node, value);
      return !failed() && value.find_first_not_of(" \t\r\n") != std::string::npos;
    }
    StringFast(e, ctx.item.node, value);
    return !failed() && !value.empty();
  }
  if (AtomicResult(e)) {
    // Arithmetic, a number or a call of the rule set's functions (u:slack(...)): the effective
    // boolean value of the one atomic item, if it is one.
    Item value;
    Scalar s = EvalScalar(e, ctx, value);
    if (failed() || s == Scalar::kEmpty) return false;
    if (s == Scalar::kOne) return EffectiveBoolean(Sequence{std::move(value)});
  }
  return EffectiveBoolean(Eval(e, ctx));
}

}  // namespace gw::formats::validation
