// Rule contexts matched the way XSLT matches template patterns: a node is tested against the
// pattern from its last step up through its ancestors, instead of the whole matching node set
// being selected from the root for every rule. The rule set then goes through the path classes of
// the document once per pattern, offers each class only the rules whose last step can match its
// name, and visits the nodes of the classes some rule can match.
//
// The shapes matched this way are those of the official rules: paths from the root (the form
// Absolute() in schematron.cc gives every context) of child, attribute, descendant and
// descendant-or-self::node() steps with name, wildcard and kind tests and boolean predicates,
// unions of such paths, and a union filtered by boolean predicates ((/a | /b)[$x]). Any other
// context is selected by evaluation as before (From() returns nothing).
//
// Predicates match as in an XSLT pattern: one that raises a dynamic error for a node makes the
// node not match (XSLT 3.0 5.5.4).
//
// Whether a node matches with its predicates set aside depends only on the kinds and names of the
// node and of its ancestors, and so do the predicates that test names only (ends-with(name(),
// 'Amount')): MatchClass() decides those once for all the nodes of a path class (path_classes.h).
#pragma once

#include <optional>
#include <unordered_set>
#include <vector>

#include "formats/validation/xpath_ast.h"
#include "formats/validation/xpath_eval.h"

namespace gw::formats::validation {

class ContextPattern {
 public:
  // The pattern of an absolute context expression, or nothing when its shape is not one of the
  // above. `boolean_vars`: variables known to hold a boolean (usable as predicates).
  static std::optional<ContextPattern> From(const Expr& context, const std::unordered_set<uint32_t>& boolean_vars);

  // Whether `node` matches. Errors inside predicates are cleared (they mean "no match").
  // `names_match`: the caller knows that the names and kinds of `node` and its ancestors match
  // some branch (MatchClass() said kPerNode for its class), so only predicates are left to test
  // where the pattern has one branch.
  bool Matches(Evaluator& ev, xml::NodeId node, bool names_match = false) const;

  // How the nodes of a path class match, decided on `representative`, one of them: none of them,
  // all of them (a branch matches on names and kinds alone and the predicates that could still
  // reject a node are all tests of names), or each as Matches() says.
  enum class ClassMatch : uint8_t { kNever, kAlways, kPerNode };
  ClassMatch MatchClass(Evaluator& ev, xml::NodeId representative) const;

  // For a class MatchClass() left kPerNode: how its nodes match in the document being validated,
  // as far as the document's path classes tell (Evaluator::ClassBoolean of the predicates): a
  // predicate false for every node of the class at its step makes it kNever; all of them true for
  // every node, kAlways. Patterns of one branch without a filter only; kPerNode otherwise.
  ClassMatch MatchInDocument(Evaluator& ev, PathClasses::ClassId c) const;

  // The names the last steps test, when every branch tests one name known to the shared name
  // table; empty when some branch can match nodes of any name (a wildcard or kind test).
  const std::vector<xml::NameId>& names() const { return names_; }
  // When the last step of every branch has "K = 'literal'" as its first predicate, with the same
  // K and literal in all: that predicate, else null. K is a string function of the node
  // (Expr::partition_key; the VAT category contexts cac:ClassifiedTaxCategory[normalize-space(
  // cbc:ID) = 'S'][...]) or one of its attributes (the Peppol identifier scheme contexts
  // cbc:EndpointID[@schemeID = '0088'] | ...). A node whose K has another value (or raises an
  // error, or has no such attribute) matches no branch.
  const Expr* key_predicate() const { return key_predicate_; }
  // K and the literal of key_predicate(); for an attribute, K is its step.
  const Expr& key() const;
  const std::string& key_literal() const;
  // The same number for predicates with the same K (Expr::partition_key, or kAttributeKey and
  // the attribute's name).
  uint32_t key_slot() const;
  bool key_is_attribute() const { return key().op == Op::kStep; }
  static constexpr uint32_t kAttributeKey = 1u << 31;
  bool any_name() const { return any_name_; }

 private:
  struct Step {
    Axis axis = Axis::kChild;
    const NodeTest* test = nullptr;
    std::vector<const Expr*> predicates;
    // The conjuncts of the predicates that test names only (the same for a whole path class),
    // and whether they are all there is to the predicates.
    std::vector<const Expr*> name_predicates;
    bool names_only = true;
  };
  struct Branch {
    std::vector<Step> steps;  // after the root, in path order
    bool names_only = true;   // every step's predicates test names only
    // Every step after the first is a child or attribute step: a node that matches on names
    // matches in one way only, step i at its (last - i)-th ancestor.
    bool aligned = true;
    // Only the last step has predicates.
    bool last_only = true;
  };

  enum class Predicates { kNone, kNames, kAll };
  // Step `i` of `branch` matches `node` (on names and axes only, with the name tests among the
  // predicates too, or with all the predicates), and the steps before it match the nodes its axis
  // came from.
  bool MatchStep(Evaluator& ev, const Branch& branch, int i, xml::NodeId node, Predicates predicates) const;
  static bool Holds(Evaluator& ev, const std::vector<const Expr*>& predicates, xml::NodeId node);
  static bool AddBranch(const Expr& e, const std::unordered_set<uint32_t>& boolean_vars, ContextPattern& out);

  std::vector<Branch> branches_;
  std::vector<const Expr*> filter_;  // predicates applied to the union of the branches
  std::vector<xml::NameId> names_;
  bool any_name_ = false;
  const Expr* key_predicate_ = nullptr;
  void FindKeyPredicate();
};

}  // namespace gw::formats::validation
