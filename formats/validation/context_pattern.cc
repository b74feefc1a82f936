#include "formats/validation/context_pattern.h"

#include <algorithm>

#include "formats/validation/xpath_parser.h"

namespace gw::formats::validation {

using xml::kNoNode;
using xml::NodeId;

namespace {

bool BooleanPredicate(const Expr& p, const std::unordered_set<uint32_t>& boolean_vars) {
  return IsBooleanPredicate(p) || (p.op == Op::kVariable && boolean_vars.count(p.var) != 0);
}

// The steps of a path from the root, in order; false when `e` is not such a path.
bool Flatten(const Expr& e, std::vector<const Expr*>& steps) {
  if (e.op == Op::kRoot) return true;
  if (e.op == Op::kStep) return false;  // a relative path: Absolute() never leaves one
  if (e.op != Op::kPath) return false;
  if (!Flatten(*e.kids[0], steps)) return false;
  if (e.kids[1]->op != Op::kStep) return false;
  steps.push_back(e.kids[1].get());
  return true;
}

// The conjuncts of `p` (a and b and ...) that test the name of the context node only, appended to
// `out`; false when some conjunct tests something else.
bool NameConjuncts(const Expr& p, std::vector<const Expr*>& out) {
  if (p.name_only) {
    out.push_back(&p);
    return true;
  }
  if (p.op != Op::kAnd) return false;
  bool left = NameConjuncts(*p.kids[0], out);
  return NameConjuncts(*p.kids[1], out) && left;
}

// Whether `p` is a key predicate: "S = 'literal'" with a string function S (partition_key), or
// "@name = 'literal'".
bool IsKeyPredicate(const Expr& p) {
  if (p.partition_key != Expr::kNoPartition) return true;
  if (p.op != Op::kGeneralCompare || p.compare != Comparison::kEq || p.kids.size() != 2) return false;
  if ((p.kids[0]->op == Op::kLiteralString) == (p.kids[1]->op == Op::kLiteralString)) return false;
  const Expr& k = ComparedWithLiteral(p);
  return k.op == Op::kStep && k.child_path_length == 1 && k.child_path_attributes == 1;
}

}  // namespace

bool ContextPattern::AddBranch(const Expr& e, const std::unordered_set<uint32_t>& boolean_vars, ContextPattern& out) {
  if (e.op == Op::kUnion) {
    return AddBranch(*e.kids[0], boolean_vars, out) && AddBranch(*e.kids[1], boolean_vars, out);
  }
  std::vector<const Expr*> steps;
  if (!Flatten(e, steps)) return false;
  Branch branch;
  for (const Expr* s : steps) {
    switch (s->axis) {
      case Axis::kChild:
      case Axis::kAttribute:
      case Axis::kDescendant:
      case Axis::kDescendantAttribute: break;
      case Axis::kDescendantOrSelf:
        if (s->test.kind != NodeTest::Kind::kNode) return false;
        break;
      default: return false;
    }
    Step step;
    step.axis = s->axis;
    step.test = &s->test;
    for (const auto& p : s->kids) {
      if (!BooleanPredicate(*p, boolean_vars)) return false;
      step.predicates.push_back(p.get());
      step.names_only = NameConjuncts(*p, step.name_predicates) && step.names_only;
    }
    if (!branch.steps.empty() && !branch.steps.back().predicates.empty()) branch.last_only = false;
    branch.names_only = branch.names_only && step.names_only;
    if (!branch.steps.empty() && step.axis != Axis::kChild && step.axis != Axis::kAttribute) branch.aligned = false;
    branch.steps.push_back(std::move(step));
  }
  if (branch.steps.empty()) {
    out.any_name_ = true;  // "/": the document node
  } else {
    const Step& last = branch.steps.back();
    if (last.test->kind == NodeTest::Kind::kName && last.test->name != xml::kNoName &&
        last.axis != Axis::kDescendantOrSelf) {
      out.names_.push_back(last.test->name);
    } else {
      out.any_name_ = true;
    }
  }
  out.branches_.push_back(std::move(branch));
  return true;
}

std::optional<ContextPattern> ContextPattern::From(const Expr& context,
                                                  const std::unordered_set<uint32_t>& boolean_vars) {
  ContextPattern pattern;
  const Expr* body = &context;
  if (context.op == Op::kFilter) {
    for (size_t i = 1; i < context.kids.size(); ++i) {
      if (!BooleanPredicate(*context.kids[i], boolean_vars)) return std::nullopt;
      pattern.filter_.push_back(context.kids[i].get());
    }
    body = context.kids[0].get();
  }
  if (!AddBranch(*body, boolean_vars, pattern)) return std::nullopt;
  std::sort(pattern.names_.begin(), pattern.names_.end());
  pattern.names_.erase(std::unique(pattern.names_.begin(), pattern.names_.end()), pattern.names_.end());
  pattern.FindKeyPredicate();
  return pattern;
}

void ContextPattern::FindKeyPredicate() {
  for (const Branch& b : branches_) {
    if (b.steps.empty() || b.steps.back().predicates.empty()) return;
    const Expr* p = b.steps.back().predicates.front();
    if (!IsKeyPredicate(*p)) return;
    if (key_predicate_ == nullptr) {
      key_predicate_ = p;
      continue;
    }
    const Expr& k = ComparedWithLiteral(*p);
    const bool same_key = k.op == Op::kStep ? key_is_attribute() && k.child_path[0] == key().child_path[0]
                                            : p->partition_key == key_predicate_->partition_key;
    if (!same_key || key_literal() != LiteralOf(*p)) {
      key_predicate_ = nullptr;
      return;
    }
  }
}

const Expr& ContextPattern::key() const { return ComparedWithLiteral(*key_predicate_); }

const std::string& ContextPattern::key_literal() const { return LiteralOf(*key_predicate_); }

uint32_t ContextPattern::key_slot() const {
  return key_is_attribute() ? kAttributeKey | key().child_path[0] : key_predicate_->partition_key;
}

bool ContextPattern::Holds(Evaluator& ev, const std::vector<const Expr*>& predicates, NodeId node) {
  // Node tests first, without a context item (//*[not(*) and not(normalize-space())] asks them
  // of every element); the first other predicate and those after it the general way.
  size_t first = 0;
  for (; first < predicates.size(); ++first) {
    const int holds = ev.NodeTests(*predicates[first], node);
    if (holds == 0) return false;
    if (holds < 0) break;
  }
  if (first == predicates.size()) return true;
  Context c;
  c.item.SetNode(node);
  for (size_t i = first; i < predicates.size(); ++i) {
    const Expr* p = predicates[i];
    bool keep = ev.EvalBoolean(*p, c);
    if (ev.failed()) {
      ev.ClearError();  // an error while matching: the node does not match
      return false;
    }
    if (!keep) return false;
  }
  return true;
}

// i == -1: the root of the path, the document node.
bool ContextPattern::MatchStep(Evaluator& ev, const Branch& branch, int i, NodeId node, Predicates predicates) const {
  const xml::Document& doc = ev.doc();
  if (i < 0) return node == doc.root();
  const Step& step = branch.steps[static_cast<size_t>(i)];
  ev.Spend(1);
  bool attribute = step.axis == Axis::kAttribute || step.axis == Axis::kDescendantAttribute;
  if (!ev.Matches(*step.test, node, attribute ? Axis::kAttribute : step.axis)) return false;
  const xml::Node& n = doc.node(node);
  if (attribute != (n.kind == xml::NodeKind::kAttribute) && step.axis != Axis::kDescendantOrSelf) return false;
  if (predicates == Predicates::kNames && !Holds(ev, step.name_predicates, node)) return false;
  if (predicates == Predicates::kAll && !Holds(ev, step.predicates, node)) return false;
  switch (step.axis) {
    case Axis::kChild:
    case Axis::kAttribute: return n.parent != kNoNode && MatchStep(ev, branch, i - 1, n.parent, predicates);
    case Axis::kDescendant:
      for (NodeId a = n.parent; a != kNoNode; a = doc.node(a).parent) {
        if (MatchStep(ev, branch, i - 1, a, predicates)) return true;
      }
      return false;
    case Axis::kDescendantOrSelf:
      if (n.kind == xml::NodeKind::kAttribute) return false;  // not on the descendant-or-self axis
      for (NodeId a = node; a != kNoNode; a = doc.node(a).parent) {
        if (MatchStep(ev, branch, i - 1, a, predicates)) return true;
      }
      return false;
    case Axis::kDescendantAttribute:
      // The attributes of the owner and of its descendants: the owner and its ancestors.
      for (NodeId a = n.parent; a != kNoNode; a = doc.node(a).parent) {
        if (MatchStep(ev, branch, i - 1, a, predicates)) return true;
      }
      return false;
    default: return false;
  }
}

bool ContextPattern::Matches(Evaluator& ev, NodeId node, bool names_match) const {
  for (const Branch& b : branches_) {
    // The names and axes first (cheap, and they reject most nodes), then with the predicates: an
    // error in any predicate means no match, so the order in which they are tried does not matter.
    int last = static_cast<int>(b.steps.size()) - 1;
    const bool names_known = names_match && branches_.size() == 1;
    if (!names_known && !MatchStep(ev, b, last, node, Predicates::kNone)) continue;
    bool holds = true;
    if (names_known && b.last_only && last >= 0) {
      // The names matched, and the node's own predicates are all there is left (//*[...]).
      holds = Holds(ev, b.steps.back().predicates, node);
    } else if (b.aligned) {
      // The names matched the one way the steps align: the predicates are left, each at its node.
      NodeId at = node;
      for (int i = last; i >= 0 && holds; --i) {
        holds = Holds(ev, b.steps[static_cast<size_t>(i)].predicates, at);
        at = ev.doc().node(at).parent;
      }
    } else {
      holds = MatchStep(ev, b, last, node, Predicates::kAll);
    }
    if (holds) return Holds(ev, filter_, node);
  }
  return false;
}

ContextPattern::ClassMatch ContextPattern::MatchClass(Evaluator& ev, NodeId representative) const {
  // The nodes of a class have the same kinds and names up to the root, so every name-only step
  // of a branch answers the same for each of them; name tests evaluate the same too (an error
  // in one, like false, means no match for them all).
  ClassMatch result = ClassMatch::kNever;
  for (const Branch& b : branches_) {
    int last = static_cast<int>(b.steps.size()) - 1;
    if (!MatchStep(ev, b, last, representative, Predicates::kNames)) continue;
    if (b.names_only && filter_.empty()) return ClassMatch::kAlways;
    result = ClassMatch::kPerNode;
  }
  return result;
}

ContextPattern::ClassMatch ContextPattern::MatchInDocument(Evaluator& ev, PathClasses::ClassId c) const {
  if (branches_.size() != 1 || !filter_.empty() || ev.classes() == nullptr) return ClassMatch::kPerNode;
  const Branch& b = branches_[0];
  if (b.steps.empty()) return ClassMatch::kPerNode;
  // Step i of an aligned branch is at the (last - i)-th ancestor, of the (last - i)-th parent
  // class; otherwise only the last step's node is known: the node itself.
  bool all = b.aligned || b.last_only;
  PathClasses::ClassId at = c;
  for (size_t i = b.steps.size(); i-- > 0 && at != PathClasses::kNoClass;) {
    for (const Expr* p : b.steps[i].predicates) {
      const int holds = ev.ClassBoolean(*p, at);
      if (holds == 0) return ClassMatch::kNever;
      if (holds < 0) all = false;
    }
    if (!b.aligned) break;
    at = ev.classes()->parent(at);
  }
  return all ? ClassMatch::kAlways : ClassMatch::kPerNode;
}

}  // namespace gw::formats::validation
