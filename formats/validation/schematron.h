// A compiled Schematron rule set (ISO Schematron, query binding xslt2) and its evaluation over a
// document, with the semantics of the official XSLT: within each pattern, every node (elements,
// attributes, the document) is given to the first rule whose context matches it; every assertion
// of that rule whose test is false gives a finding with the assertion's id, flag and message.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <unordered_set>
#include <string>
#include <vector>

#include "formats/core/result.h"
#include "formats/validation/attribute_memo.h"
#include "formats/validation/child_path_trie.h"
#include "formats/validation/class_plans.h"
#include "formats/validation/context_pattern.h"
#include "formats/validation/path_classes.h"
#include "formats/validation/rule_source.h"
#include "formats/validation/xpath_eval.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::validation {

class RuleSet {
 public:
  // Compiles every expression of `source`; an expression we cannot compile is an error (the
  // generated tables are tested, so this does not happen at run time).
  static Result<std::unique_ptr<RuleSet>> Compile(const RuleSource& source);
  // A named subset: only the assertions whose id is in `only` (the rule contexts stay, so each
  // node still goes to the same rule of its pattern as in the whole set).
  static Result<std::unique_ptr<RuleSet>> Compile(const RuleSource& source, std::string name,
                                                  const std::unordered_set<std::string>& only);

  const std::string& name() const { return name_; }        // "en16931-ubl"
  const std::string& version() const { return version_; }  // "1.3.16"
  std::string id() const { return name_ + "@" + version_; }
  size_t assertion_count() const { return assertion_count_; }

  // Appends the findings for `doc`. Thread-safe (a RuleSet is read-only after Compile).
  // `work_per_node` bounds the work (evaluations and axis steps) to that many units per node of
  // the document (plus a fixed allowance); when it is spent the run stops with one fatal finding
  // "validation.limit" instead of running for hours on a hostile document.
  // Real invoices need under 100 units per node (the official examples, a 1,000-line invoice); the
  // default allows ten times that.
  void Run(const xml::Document& doc, std::vector<Finding>& findings, uint64_t work_per_node = 1000) const {
    Run(doc, PathClasses(doc), findings, work_per_node);
  }
  // The same with the path classes of `doc` given: several rule sets run on one document share them.
  // `shortcuts`: see ValidateOptions.
  void Run(const xml::Document& doc, const PathClasses& classes, std::vector<Finding>& findings,
           uint64_t work_per_node = 1000, bool shortcuts = true) const;

 private:
  struct Let {
    uint32_t var;
    ExprPtr value;
  };
  struct Assertion {
    std::string id;
    Finding::Severity severity;
    ExprPtr test;
    std::string message;
    // When the test is "P" or "not(P)" for a child path P (Expr::child_path; the hundreds of
    // UBL-CR rules): P and whether it is negated, so that Run() asks the path classes directly
    // (Evaluator::ExistsByClasses) before evaluating the test.
    const Expr* path = nullptr;
    bool negated = false;
    // The test is "P" or "not(P)" for a path P that Rule::paths holds (child paths and unions of
    // them): answered by the trie for the only node of a class.
    bool in_trie = false;
    // The test reads the context node's attributes `memo_attributes` only (ReadsAttributesOnly):
    // its outcome is remembered per document under `memo`, by their values.
    static constexpr uint32_t kNoMemo = UINT32_MAX;
    uint32_t memo = kNoMemo;
    std::vector<xml::NameId> memo_attributes = {};
  };
  struct Rule {
    ExprPtr context;  // rewritten to an absolute expression that selects every matching node
    std::optional<ContextPattern> match;  // the same context as a pattern, when it has such a shape
    std::vector<Let> lets;
    std::vector<Assertion> assertions;
    // The paths of the assertions with Assertion::in_trie, by index in `assertions`.
    ChildPathTrie paths;
  };
  struct Pattern {
    std::string id;
    std::vector<Rule> rules;
    // When every rule has a ContextPattern: the rules (indexes, ascending) a node of each name
    // may match, and those that may match a node of any name.
    bool dispatch = false;
    std::vector<std::vector<uint32_t>> rules_by_name;
    std::vector<uint32_t> rules_any_name;
  };
  void BuildDispatch();
  // The plan of a path class (see class_plans.h), decided on `first`, one of its nodes: for each
  // pattern p, plan[p] is 0 when no rule of p can match the class, else the offset of
  // {always, n, n rules}: each node of the class goes to the first of the n rules that matches it,
  // failing those to `always` (a rule that matches every node of the class, or kNoRule). After
  // the blocks, the patterns that have one, and last the offset of that list.
  // False when the work budget ran out.
  bool MakeClassPlan(Evaluator& ev, xml::NodeId first, ClassPlanCache::Plan& plan) const;
  static constexpr uint32_t kNoRule = UINT32_MAX;
  // The nodes of `doc` each rule of `pattern` applies to (the first matching rule of the
  // pattern), in document order, as (node, rule index). `plans`: per path class. False when the
  // work budget ran out.
  // `pattern_classes`: the classes whose plans have a block for the pattern (ClassesByPattern).
  // `scratch_rules`: room for a class's rules, kept across calls.
  bool AssignNodes(const Pattern& pattern, Evaluator& ev, const xml::Document& doc, const PathClasses& classes,
                   const std::vector<const ClassPlanCache::Plan*>& plans,
                   std::span<const PathClasses::ClassId> pattern_classes,
                   std::vector<std::pair<xml::NodeId, uint32_t>>& out, std::vector<uint32_t>& scratch_rules) const;
  // For each pattern p, the classes (ascending) whose plan has a block for p:
  // out[offsets[p] .. offsets[p + 1]).
  void ClassesByPattern(const std::vector<const ClassPlanCache::Plan*>& plans, std::vector<uint32_t>& offsets,
                        std::vector<PathClasses::ClassId>& out) const;

  // Puts findings[start...] in the order of their nodes (`found`: (node, index in findings) of
  // each), keeping the order of findings of one node.
  static void OrderByNode(std::vector<Finding>& findings, size_t start,
                          std::vector<std::pair<xml::NodeId, size_t>>& found);

  // A variable whose value does not depend on the document (the code lists): computed once at
  // compile time, with the set of its values when they are all strings.
  struct Constant {
    uint32_t var;
    Sequence value;
    std::unordered_set<std::string_view> strings;
    bool all_strings = false;
  };

  void FoldConstants();
  // Finds the assertions whose outcome AttributeMemo can remember (after FoldConstants).
  void FindAttributeMemos();

  std::string name_;
  std::string version_;
  std::vector<Constant> constants_;
  std::vector<Let> globals_;  // rule-set and pattern variables, evaluated once per document
  std::vector<Pattern> patterns_;
  std::vector<UserFunction> functions_;
  size_t variable_count_ = 0;
  size_t assertion_count_ = 0;
  uint32_t memo_count_ = 0;  // assertions with Assertion::memo
  mutable RegexCache regexes_;
  mutable ClassPlanCache class_plans_;
  // The values of name-only expressions learnt for names of the shared name table
  // (Evaluator::NameOnlyMemo), replaced by a larger copy when a run learns more.
  mutable std::mutex name_only_mutex_;
  mutable std::shared_ptr<const Evaluator::NameOnlyMemo> name_only_;
  void KeepNameOnly(const Evaluator& ev, const Evaluator::NameOnlyMemo* known) const;
};

// An XPath to `node` for finding locations: /Invoice/cac:AccountingSupplierParty[1]/...
std::string NodePath(const xml::Document& doc, xml::NodeId node);

}  // namespace gw::formats::validation
