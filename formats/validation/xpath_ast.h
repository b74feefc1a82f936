// The compiled form of an XPath 2.0 expression: the subset the official EN16931 and Peppol
// Schematron rules use (paths on all axes, predicates, general and value comparisons, arithmetic
// on integer/decimal/double, for/some/every/if, castable, the string, numeric, regex and sequence
// functions), plus `let ... return` (XPath 3.0) so that the XSLT helper functions of the rules can
// be written as one expression.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "formats/core/decimal.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::validation {

enum class Axis : uint8_t {
  kChild,
  kAttribute,
  kSelf,
  kParent,
  kDescendant,
  kDescendantOrSelf,
  kAncestor,
  kAncestorOrSelf,
  kFollowingSibling,
  kPrecedingSibling,
  kFollowing,
  kPreceding,
  // Not an XPath axis: the attributes of the node and of its descendants. "//@x" compiles to it
  // (descendant-or-self::node()/attribute::x) so that it is one index lookup.
  kDescendantAttribute,
};

// What a step matches.
struct NodeTest {
  enum class Kind : uint8_t { kName, kAnyName, kAnyInNamespace, kAnyWithLocal, kText, kNode, kElement };
  Kind kind = Kind::kName;
  std::string ns_uri;
  std::string local;
  xml::NameId name = xml::kNoName;  // in the shared table, when the name is there
};

enum class Op : uint8_t {
  // Primaries
  kLiteralString,
  kLiteralInteger,
  kLiteralDecimal,
  kLiteralDouble,
  kVariable,
  kContextItem,
  kEmptySequence,
  kSequence,        // (a, b, ...)
  kFunctionCall,
  // Paths
  kRoot,            // "/" alone, or the start of an absolute path
  kStep,            // axis + node test + predicates (kids = predicates)
  kPath,            // kids[0] / kids[1] (the right side evaluated for each node of the left)
  kFilter,          // kids[0] = primary, kids[1..] = predicates
  // Operators
  kOr,
  kAnd,
  kGeneralCompare,  // compare = op_name
  kValueCompare,
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kIntegerDivide,
  kModulo,
  kNegate,
  kUnion,
  kIntersect,
  kExcept,
  kRange,
  kIf,              // kids: condition, then, else
  kFor,             // variables bound in order: kids = in-exprs..., return
  kLet,
  kSome,
  kEvery,
  kCastable,        // kids[0], type in text
  kCast,
  kInstanceOf,
};

enum class Comparison : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

// The arithmetic operators (the binary ones and unary minus), kAdd to kNegate in Op.
inline bool IsArithmetic(Op op) { return op >= Op::kAdd && op <= Op::kNegate; }

struct Expr {
  Op op = Op::kEmptySequence;
  Comparison compare = Comparison::kEq;
  Axis axis = Axis::kChild;
  // A relative path of child and attribute steps without predicates whose names are in the shared
  // table (cac:X/cbc:Y, cbc:Z/@a), of up to kMaxChildPath steps: its names, in order, and which
  // steps are attribute steps (bit i: step i), set by AnnotateForEvaluation(). Existence tests of
  // it (the hundreds of not(cac:X/cbc:Y) of the UBL-CR rules) are answered from the path classes
  // with these, kept beside `op` at the start of the node, instead of walking the subtree, whose
  // nodes each cost a cache miss when they are read once per document.
  static constexpr uint8_t kMaxChildPath = 6;
  uint8_t child_path_length = 0;
  uint8_t child_path_attributes = 0;
  xml::NameId child_path[kMaxChildPath] = {};
  NodeTest test;
  std::string text;            // literal text, function name, cast type
  std::vector<uint32_t> vars;  // variable ids bound by for/let/some/every (one per binding)
  uint32_t var = 0;            // kVariable: its id
  int32_t function = -1;       // kFunctionCall: index in the function table
  bool optional_type = false;  // cast/castable "xs:date?"
  // An absolute path that uses no variable: its value is the same wherever it is evaluated in a
  // document, so the evaluator computes it once per document (set by AnnotateForEvaluation()).
  bool cacheable = false;
  // cacheable: the same number for every textually identical path of the rule sets, so that one
  // value serves them all (the evaluator's cache is indexed by it).
  uint32_t cache_slot = 0;
  // Depends on the context node only through its name (name(), local-name()): the evaluator
  // remembers the boolean value per element name (set by AnnotateForEvaluation()).
  bool name_only = false;
  uint32_t name_only_slot = 0;  // name_only: its index in the evaluator's per-name memo
  // contains(' A B C ', concat(' ', x, ' ')): the code list's entries, so that the test is one
  // lookup of x (set by AnnotateForEvaluation()).
  std::shared_ptr<const std::unordered_set<std::string>> tokens;
  // The shapes the evaluator's fast paths look for, worked out once by AnnotateForEvaluation()
  // (kShapeUnknown in an expression built after it: then worked out each time).
  static constexpr int8_t kShapeUnknown = -2;
  int8_t node_expr = kShapeUnknown;        // yields nodes only (0 or 1)
  int8_t string_fast = kShapeUnknown;      // Evaluator::IsStringFastShape (0 or 1)
  int8_t count_existence = kShapeUnknown;  // Evaluator::CountExistence (-1, 0 or 1)
  int8_t scalar = kShapeUnknown;           // Evaluator::ScalarShape
  int8_t at_most_one = kShapeUnknown;      // AtMostOne (0 or 1)
  int8_t boolean_predicate = kShapeUnknown;  // IsBooleanPredicate (0 or 1)
  int8_t numeric = kShapeUnknown;            // Evaluator::NumericShape (0 or 1)
  // "S = 'literal'" (either order) with S a string function of the context node
  // (normalize-space(cbc:ID)): the number of S among such functions of the rule sets (the same
  // for textually equal ones), so that a step's nodes can be grouped by S once per document and
  // [S = 'Z'], [S = 'E'], ... each read one group (set by AnnotateForEvaluation()).
  static constexpr uint32_t kNoPartition = UINT32_MAX;
  uint32_t partition_key = kNoPartition;
  // sum() or count() of a relative path: the same number for textually equal ones, under which
  // the evaluator remembers its last values (set by AnnotateForEvaluation()).
  uint32_t memo_slot = UINT32_MAX;
  // Boolean tests of the context node that the evaluator answers directly (set by
  // AnnotateForEvaluation()): not(*) (no child element), not(normalize-space()) (the text is
  // all whitespace).
  static constexpr int8_t kNoNodeTest = 0, kNoChildElement = 1, kBlankText = 2;
  int8_t node_test = kNoNodeTest;
  // A path of nodes without predicates whose nodes come without repeats (child, attribute and
  // at most one descendant step, unions of disjoint branches): its value is walked in one pass
  // (Evaluator::PlainNodes). Set by AnnotateForEvaluation().
  int8_t plain_nodes = 0;
  // kLiteralInteger, kLiteralDecimal: the value, parsed once (set by AnnotateForEvaluation()).
  bool number_parsed = false;
  Decimal number;
  std::vector<std::unique_ptr<Expr>> kids;
};

using ExprPtr = std::unique_ptr<Expr>;

// Sets the evaluation hints of every node of the tree: cacheable (absolute, variable-free
// paths), name_only (tests of name() only) and tokens (code-list contains()).
void AnnotateForEvaluation(Expr& e);

}  // namespace gw::formats::validation
