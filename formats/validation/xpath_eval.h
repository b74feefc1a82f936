// Evaluates compiled XPath expressions (xpath_ast.h) over an xml::Document.
//
// A dynamic error (a failed cast, comparing a string with a number, a sequence where one item is
// needed) sets error() and makes the current evaluation return an empty sequence; the caller
// (the Schematron engine) reports the rule as not evaluable. No exceptions.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <regex>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "formats/validation/path_classes.h"
#include "formats/validation/xpath_ast.h"
#include "formats/validation/xpath_value.h"

namespace gw::formats::validation {

class Evaluator;

struct Context {
  Item item;              // the context item (usually a node)
  size_t position = 1;
  size_t size = 1;
};

using FunctionImpl = void (*)(Evaluator& ev, std::vector<Sequence>& args, const Context& ctx, Sequence& out);

struct BuiltinFunction {
  const char* name;
  int min_arity;
  int max_arity;  // -1: any
  FunctionImpl impl;
};

// String functions of the library, for the evaluator's fast paths (xpath_functions.cc).
std::string XPathNormalizeSpace(std::string_view s);
std::string XPathUpperCase(const std::string& s);
std::string XPathLowerCase(const std::string& s);

// round(), abs(), floor() or ceiling() (by name) of a numeric item, in place; false for another
// name (xpath_functions.cc).
bool XPathNumericUnary(std::string_view name, Item& n);
// The same on an xs:integer or xs:decimal value.
bool XPathDecimalUnary(std::string_view name, Decimal& d);

// The arithmetic of two xs:integer or xs:decimal values (`integers`: both are xs:integer; on
// return, whether the result is one): null when `r` holds the result, else the error to raise
// ("" when the result is the empty sequence without an error).
const char* DecimalArithmetic(Op op, const Decimal& a, const Decimal& b, bool& integers, Decimal& r);

// True when `e` certainly yields nodes only (xpath_eval_fast.cc).
bool IsNodeExpr(const Expr& e);

// For a comparison "X = 'literal'" (either order): X, and the literal's text.
inline const Expr& ComparedWithLiteral(const Expr& comparison) {
  return *comparison.kids[comparison.kids[0]->op == Op::kLiteralString ? 1 : 0];
}
inline const std::string& LiteralOf(const Expr& comparison) {
  return comparison.kids[comparison.kids[0]->op == Op::kLiteralString ? 0 : 1]->text;
}

// True when `e` is a path of nodes without predicates whose nodes come without repeats
// (Expr::plain_nodes; xpath_eval_scalar.cc).
bool PlainNodesShape(const Expr& e);

// True when `e` certainly yields at most one item (literals, arithmetic, comparisons, calls of
// functions with a single result); paths, variables and filters may yield many.
bool AtMostOne(const Expr& e);

// The built-in function library (xpath_functions.cc).
const std::vector<BuiltinFunction>& Builtins();
int32_t FindBuiltin(std::string_view name, size_t arity);

// A function of the rule set written in XSLT (u:gln, u:mod11, ...), compiled to one expression.
struct UserFunction {
  std::string name;
  std::vector<uint32_t> params;
  std::vector<std::string> param_types;  // "xs:decimal", "xs:string", "" ...
  ExprPtr body;
  bool numeric = false;  // Evaluator::NumericFunction
};

// Compiled regular expressions, shared by all evaluations of a rule set (thread-safe).
class RegexCache {
 public:
  // nullptr when the pattern is not a valid regular expression.
  const std::regex* Get(const std::string& pattern, const std::string& flags);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<std::regex>> cache_;
  std::unordered_map<std::string, bool> invalid_;
};

class Evaluator {
 public:
  Evaluator(const xml::Document& doc, const std::vector<UserFunction>& functions, size_t variable_count,
            RegexCache& regexes)
      : doc_(doc), functions_(functions), vars_(variable_count), var_errors_(variable_count),
        refs_(variable_count, nullptr),
        string_sets_(variable_count, nullptr), regexes_(regexes) {}

  Sequence Eval(const Expr& e, const Context& ctx);
  bool EffectiveBoolean(const Sequence& s);
  // The effective boolean value of `e`, with fast paths (no sequences built) for the shapes the
  // rules use most: and/or/not/exists over paths, and paths compared with literals.
  bool EvalBoolean(const Expr& e, const Context& ctx);

  void SetVariable(uint32_t id, Sequence value) {
    vars_[id] = std::move(value);
    var_errors_[id].clear();
    ++bind_epoch_;
  }
  // A rule or rule-set variable whose value raised a dynamic error: reading it raises that error
  // (XSLT raises a variable's error where the variable is used, not where it is declared).
  void SetVariableError(uint32_t id, std::string message) {
    vars_[id].clear();
    var_errors_[id] = std::move(message);
    ++bind_epoch_;
  }
  const Sequence& Variable(uint32_t id) const { return refs_[id] != nullptr ? *refs_[id] : vars_[id]; }
  // While on, a predicate that raises an error for an item drops that item (XSLT 3.0 5.5.4: an
  // error while matching a pattern against a node means the node does not match).
  void set_pattern_mode(bool on) { pattern_mode_ = on; }
  // Binds a variable to a value that outlives the evaluator (a rule-set constant), without
  // copying it; `strings` (may be null) is the set of its values when they are all strings, for
  // "x = $CODES" in one lookup.
  void SetConstant(uint32_t id, const Sequence* value, const std::unordered_set<std::string_view>* strings) {
    refs_[id] = value;
    string_sets_[id] = strings;
  }

  // A budget of work (expression evaluations and nodes visited on axes) for one document, so that
  // a hostile document cannot make quadratic rules (preceding::, //x[... //y ...]) run for hours.
  // Once spent, every evaluation fails and exhausted() is true.
  void set_work_limit(uint64_t limit) { work_limit_ = limit; }
  bool exhausted() const { return work_ > work_limit_; }
  uint64_t work_used() const { return work_; }
  void Spend(uint64_t units) {
    work_ += units;
    if (work_ > work_limit_) Fail("the validation exceeded its work limit");
  }

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  void ClearError() { error_.clear(); }
  void Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }

  const xml::Document& doc() const { return doc_; }
  // The path classes of the document (they must outlive the evaluator), when the caller has
  // them: existence tests of child paths are then decided per class where that is enough.
  void set_classes(const PathClasses* classes) { classes_ = classes; }
  // The values of name-only expressions (Expr::name_only) by slot and element name, -1 where not
  // known. Names of the shared table have the same expanded name, and so the same values, in
  // every document: a rule set keeps those it learnt and gives them to its next evaluators.
  using NameOnlyMemo = std::vector<std::vector<int8_t>>;
  void set_shared_name_only(const NameOnlyMemo* memo) { shared_name_only_ = memo; }
  const NameOnlyMemo& name_only_memo() const { return name_only_memo_; }
  const PathClasses* classes() const { return classes_; }
  // Whether `node` passes `test` on `axis` (its principal node kind: attributes on the attribute
  // axis, elements elsewhere).
  bool Matches(const NodeTest& test, xml::NodeId node, Axis axis) const {
    if (test.kind == NodeTest::Kind::kName && test.name != xml::kNoName) {
      const xml::Node& n = doc_.node(node);
      return n.name == test.name &&
             n.kind == (axis == Axis::kAttribute ? xml::NodeKind::kAttribute : xml::NodeKind::kElement);
    }
    return MatchesOther(test, node, axis);
  }
  RegexCache& regexes() { return regexes_; }
  // Whether child path `path` (Expr::child_path) selects a node from `context`, as far as the
  // path classes tell without reading nodes: 1 or 0; -1 when they cannot tell, without classes,
  // or with the shortcuts off.
  int ExistsByClasses(const Expr& path, xml::NodeId context) {
    return shortcuts_ && path.child_path_length > 0 ? AnyByClasses(path, context) : -1;
  }
  // A node test (Expr::node_test: not(*), not(normalize-space())) or an "and" of node tests,
  // at `node`: 1 or 0; -1 for other expressions, or with the shortcuts off.
  int NodeTests(const Expr& e, xml::NodeId node) {
    if (!shortcuts_) return -1;
    if (e.node_test != Expr::kNoNodeTest) return NodeTestBoolean(e, node) ? 1 : 0;
    if (e.op != Op::kAnd) return -1;
    const int a = NodeTests(*e.kids[0], node);
    return a == 1 ? NodeTests(*e.kids[1], node) : a;
  }
  // Whether boolean `e` holds for every node of class `c` (1), for none (0), or the path classes
  // cannot tell (-1; also without classes or with the shortcuts off). Decided: paths of child and
  // attribute steps (Expr::child_path) and "*" as booleans or in exists(), boolean(), not(), and
  // "and" and "or" of those. An "and" with a side false for every node is 0 whatever the other
  // side (as a rule context's predicate, an error there means no match too).
  int ClassBoolean(const Expr& e, PathClasses::ClassId c) const;
  // Records in `e` the shapes of it the fast paths test (Expr::node_expr, ...), from those of its
  // kids, which must be recorded already.
  static void AnnotateShape(Expr& e);

  // Helpers for functions and operators.
  Item Atomize(const Item& item) const;
  Sequence Atomize(const Sequence& s) const;
  std::string StringOf(const Item& item) const;
  // The single atomic value of `s` (empty -> false), with an error for more than one.
  bool SingleAtomic(const Sequence& s, Item& out, const char* what);
  // Casts an atomic item to a number for arithmetic (untyped -> double).
  bool ToNumber(const Item& a, Item& out);
  bool CompareAtomic(const Item& a, const Item& b, Comparison op, bool general, bool& result);
  bool CompareUntypedWithNumber(std::string_view untyped, const Item& number, Comparison op, bool untyped_on_left,
                                bool& result);
  Sequence Arithmetic(Op op, const Sequence& a, const Sequence& b);
  // The same on two atomic items; false when the result is empty or an error was raised.
  bool ArithmeticItems(Op op, const Item& a, const Item& b, Item& out);

  // The value of `e`, atomized, when it is at most one item, computed without building sequences
  // for the scalar shapes that dominate the rules' arithmetic and comparisons: xs:decimal(cbc:X),
  // sums over lines, round(), abs(), string-length(substring-after(...)), literals, variables,
  // if/then/else, arithmetic, calls of the rule set's functions (xpath_eval_scalar.cc).
  // kBail: `e` has another shape, or its value needs the general evaluation here (several items,
  // a value that does not convert); nothing was raised, and Eval() gives the answer, errors
  // included. Otherwise the evaluation followed Eval()'s order, so an error raised is the one
  // Eval() would raise (failed() is then true and `out` is meaningless).
  enum class Scalar : int8_t { kBail, kEmpty, kOne };
  void set_shortcuts(bool on) { shortcuts_ = on; }  // off: EvalScalar bails, no partitions
  bool shortcuts() const { return shortcuts_; }
  // The value of `key`, the string function of a partition predicate (Expr::partition_key:
  // normalize-space(cbc:ID) in "normalize-space(cbc:ID) = 'S'"), for `node`, as a view of the
  // document or of `scratch`; false when computing it raised an error (failed() is then true).
  bool KeyValue(const Expr& key, xml::NodeId node, std::string_view& out, std::string& scratch);
  Scalar EvalScalar(const Expr& e, const Context& ctx, Item& out);
  // What EvalScalar can do with `e`: kNoScalar (always bails), kAtomic (yields an atomic value),
  // kMixed (may yield a node, which it atomizes: fine for operands, not for a variable's value).
  static constexpr int8_t kNoScalar = 0, kAtomic = 1, kMixed = 2;
  static int8_t ScalarShape(const Expr& e);
  // For the rule set's variables: the value of `e` when EvalScalar yields it as an atomic value
  // (the sequence it is), false when `e` needs Eval().
  bool EvalAtomicLet(const Expr& e, const Context& ctx, Sequence& out);
  bool Cast(const Item& atomic, std::string_view type, Item& out);

 private:
  bool MatchesOther(const NodeTest& test, xml::NodeId node, Axis axis) const;  // all but known names
  Sequence EvalPath(const Expr& e, const Context& ctx);
  // The value of a path with Expr::plain_nodes from `context`, in document order.
  Sequence PlainNodes(const Expr& e, xml::NodeId context);
  void EvalStep(const Expr& step, xml::NodeId node, Sequence& out);
  void AxisNodes(Axis axis, const NodeTest& test, xml::NodeId node, std::vector<xml::NodeId>& out);
  Sequence ApplyPredicates(Sequence items, const Expr& e, size_t first_predicate);
  Sequence EvalFunction(const Expr& e, const Context& ctx);
  Sequence EvalQuantified(const Expr& e, const Context& ctx, size_t binding, bool some);
  void EvalFor(const Expr& e, const Context& ctx, size_t binding, Sequence& out);
  static void SortUnique(Sequence& nodes);
  // Calls visit(node) for the nodes of a node expression (IsNodeExpr), in no set order and
  // possibly repeated; stops and returns false as soon as visit returns false.
  struct NodeVisitor {
    virtual bool operator()(xml::NodeId node) = 0;
  };
  bool VisitNodes(const Expr& e, xml::NodeId context, NodeVisitor& visit);
  bool AnyNode(const Expr& e, const Context& ctx);
  // Whether a relative path of child name steps without predicates (cac:A/cac:B/cbc:C) selects a
  // node from `context`, found from the elements with the last name upwards: 1 or 0; -1 when
  // `e` has another shape or that way would not be faster.
  int AnyByChildNames(const Expr& e, xml::NodeId context);
  // Whether a relative path of child and attribute name steps without predicates, unions allowed
  // ((cac:InvoiceLine|cac:CreditNoteLine)/cbc:UUID), selects a node from `context`, as far as the
  // path classes tell: 0 when no node of the document has such a path below a node of the
  // context's class, 1 when one has and the context is the only node of its class; -1 when they
  // cannot tell, when `e` has another shape, or without classes. A step "*" is decided too when
  // no node of the classes it starts from has a child element.
  int AnyByClasses(const Expr& e, xml::NodeId context);
  // The class a child path kept in `e` (Expr::child_path) reaches from class `from`, with bounds
  // on how many nodes it selects from each node of `from` (PathClasses::FanMin, FanMax);
  // kNoClass when no node of `from` has the path.
  PathClasses::ClassId ChildPathClass(const Expr& e, PathClasses::ClassId from, uint64_t& least,
                                      uint64_t& most) const;
  // count() of such a path from `context` when the path classes tell it (no node has the path;
  // the context is the only node of its class; each node of its class has the same number);
  // -1 otherwise, or without classes or shortcuts.
  int64_t CountByClasses(const Expr& e, xml::NodeId context) const;
  // normalize-space(), upper-case(), lower-case() and string() of a path, of "." or of one of
  // these, with `context` as the context node, computed into `out` without building sequences.
  // False when `e` has another shape (nothing evaluated); true otherwise, with the error set if
  // the evaluation raised one.
  bool StringFast(const Expr& e, xml::NodeId context, std::string& out);
  static bool IsStringFastShape(const Expr& e);
  // The same value as StringFast, as a view of the document's text (or of `scratch`), when the
  // functions leave the text as it is (normalize-space() of normalized text, upper-case() of
  // upper-case ASCII): no copy. False when it takes more; StringFast then computes it.
  bool StringFastView(const Expr& e, xml::NodeId context, std::string_view& out, std::string& scratch);
  static bool StringFastShape(const Expr& e);  // IsStringFastShape, worked out
  // The argument of such a function as a string (of the context node when it has none), with
  // the error set if its evaluation raised one.
  void StringFastArgument(const Expr& e, xml::NodeId context, std::string& arg);
  // For "count(E) op N" with N 0 or 1 (either order): 1 when it means exists(E), 0 when it means
  // empty(E), -1 otherwise.
  static int CountExistence(const Expr& e);
  static int CountExistenceShape(const Expr& e);  // CountExistence, worked out
  // "S = 'lit'" or "S != 'lit'" where S is such a string function or a path ending in one
  // (cac:TaxScheme/normalize-space(upper-case(cbc:ID)) = 'VAT'); false when it does not apply.
  bool CompareStringFast(const Expr& other, const std::string& literal, bool equal, xml::NodeId context,
                         bool& result);
  // Function conversion of the argument for parameter i of `f` (declared type), in place.
  static bool TypedParameter(const UserFunction& f, size_t i);
  bool ConvertArgument(const UserFunction& f, size_t i, Item& item);
  static int8_t ScalarShapeOf(const Expr& e);  // ScalarShape, worked out
  Scalar ScalarFunction(const Expr& e, const Context& ctx, Item& out);
  // A general or value comparison of two scalar operands, evaluated as Eval() orders them: true
  // with `result` set when done, false when it bailed out (nothing raised) or raised an error.
  bool CompareScalars(const Expr& e, const Context& ctx, bool& result);
  // Whether `e` yields one atomic item at most, as EvalScalar computes it (its effective boolean
  // value is then that of the item): kAtomic shapes, and calls of the rule set's functions whose
  // body is one; not the boolean operators and functions, which EvalBoolean computes itself.
  bool AtomicResult(const Expr& e) const;
  // contains(), starts-with(), ends-with() of scalar arguments, and code-list lookups: true with
  // `result` set when done, false when `e` has another shape or needs Eval() (nothing raised
  // then, unless failed()).
  bool BooleanShortcut(const Expr& e, const Context& ctx, bool& result);
  // The string an argument of such a function gives, as a view: a literal's text, or a string
  // function of the context node that leaves the document's text as it is (StringFastView,
  // normalize-space(@currencyID)). False when it takes more (failed() tells whether it raised).
  bool StringArgumentView(const Expr& a, const Context& ctx, std::string_view& out, std::string& scratch);
  Scalar ScalarUserFunction(const Expr& e, const Context& ctx, Item& out);

  // Exact arithmetic on xs:integer and xs:decimal values without items (xpath_eval_numeric.cc).
  struct Num {
    Decimal d;
    bool integer = false;  // xs:integer, else xs:decimal
  };
  // The parameters of a rule set function, bound to numbers while Numeric() evaluates its body.
  struct NumFrame {
    const std::vector<uint32_t>* vars;
    const Num* values;
    const Scalar* states;  // kOne (the value) or kEmpty, per parameter
  };
  static constexpr size_t kMaxNumericParams = 4;
  // The value of `e` as EvalScalar computes it, when it is an exact number: kBail (nothing
  // raised) for anything else, or where the general way must decide.
  Scalar Numeric(const Expr& e, const Context& ctx, const NumFrame* frame, Num& out);
  // A comparison of two such values, or "and", "or" and not() of those: 1 or 0; -1 when it bailed
  // out (or raised an error: failed() tells).
  int NumericBoolean(const Expr& e, const Context& ctx, const NumFrame* frame);
  // sum() of the exact values of `right` for the nodes of `selector` from `context`: kOne with
  // `out`, kBail (nothing raised) where the general visitor must decide, kEmpty on an error.
  Scalar NumericSum(const Expr& selector, const Expr& right, xml::NodeId context, Item& out);
  // A call of a function with NumericFunction: true with `result` (and `out`) set when done.
  bool NumericUserFunction(const Expr& e, const Context& ctx, Item& out, Scalar& result);

 public:
  // Whether Numeric() may compute `e`: numeric literals, variables, xs:decimal(), round(), abs(),
  // floor(), ceiling(), sums and counts, arithmetic and if/then/else of those.
  static bool NumericShape(const Expr& e) { return e.numeric != Expr::kShapeUnknown ? e.numeric == 1 : NumericShapeOf(e); }
  static bool NumericShapeOf(const Expr& e);
  // Whether calls of `f` can be evaluated with their arguments as numbers: parameters of type
  // xs:decimal (four at most), a body of numbers, variables, arithmetic and comparisons only.
  static bool NumericFunction(const UserFunction& f);

 private:
  // string-length(substring-after(X, 'literal')) and substring-before, X the context node or a
  // path to one node (the decimals of an amount: UBL-DT-01, BR-DEC-*), counted on a view of the
  // node's text; kBail for another shape, or where Eval() must decide.
  Scalar LengthAround(const Expr& e, const Context& ctx, Item& out);
  // The one node `e` selects from `context`: kEmpty, kOne (in `node`) or kBail for several.
  Scalar OneNode(const Expr& e, xml::NodeId context, xml::NodeId& node);
  // EvalBoolean of an expression with a node_test (Expr::kNoChildElement, kBlankText) at `node`.
  bool NodeTestBoolean(const Expr& e, xml::NodeId node);
  // EvalBoolean of a name_only expression, remembered per element name.
  bool NameOnlyBoolean(const Expr& e, const Context& ctx);
  // The text of `x` when it is one node at most (a path, the context node, or a variable holding
  // a node) or a string literal, as a view (`empty` for no node); false for anything else or where Eval()
  // must decide (nothing raised then, unless failed()).
  bool TextView(const Expr& x, const Context& ctx, std::string_view& out, bool& empty, std::string& scratch);
  // "a = b" and "a != b" of two such texts (@currencyID = $documentCurrencyCode) as strings,
  // without items; false when it does not apply.
  bool CompareTexts(const Expr& e, const Context& ctx, bool& result);
  // EvalBoolean of a general or value comparison: 1 or 0, or -1 when it needs the general way.
  int CompareBoolean(const Expr& e, const Context& ctx);
  bool CompareNodesWithLiteral(const Expr& nodes, const Expr& literal, Comparison op, bool literal_on_left,
                               const Context& ctx, bool& result);

  const xml::Document& doc_;
  const PathClasses* classes_ = nullptr;
  const std::vector<UserFunction>& functions_;
  std::vector<Sequence> vars_;
  std::vector<std::string> var_errors_;
  std::vector<const Sequence*> refs_;
  bool pattern_mode_ = false;
  // Binding of for/let/some/every variables and function parameters, saving the outer binding
  // (value and error: variable ids are shared by name across the rule set).
  struct Saved {
    Sequence value;
    std::string error;
  };
  void Bind(uint32_t var, Sequence value, Saved& saved) {
    saved.value = std::move(vars_[var]);
    saved.error = std::move(var_errors_[var]);
    vars_[var] = std::move(value);
    var_errors_[var].clear();
    ++bind_epoch_;
  }
  void Unbind(uint32_t var, Saved& saved) {
    vars_[var] = std::move(saved.value);
    var_errors_[var] = std::move(saved.error);
    ++bind_epoch_;
  }
  std::vector<const std::unordered_set<std::string_view>*> string_sets_;
  RegexCache& regexes_;
  // "x = $CODES" (either order) by set lookup; false when the fast path does not apply.
  bool CompareWithCodeList(const Expr& e, const Context& ctx, bool& result);
  // "nodes = $CODES" by set lookup; false when the fast path does not apply.
  bool CompareWithStringSet(const Expr& other, uint32_t var, const Context& ctx, bool& result);
  std::string error_;
  bool shortcuts_ = true;
  // Changes whenever a variable changes value: a value computed under the same epoch, at the same
  // context node, is computed under the same bindings.
  uint64_t bind_epoch_ = 0;
  // The last sums and counts over relative paths (BR-S-08 computes each of its three sums twice):
  // by Expr::memo_slot, context node and epoch.
  struct Memo {
    uint32_t slot = UINT32_MAX;
    xml::NodeId node = xml::kNoNode;
    uint64_t epoch = 0;
    Item value;
  };
  static constexpr size_t kMemoSize = 8;
  Memo memo_[kMemoSize];
  size_t memo_next_ = 0;
  int depth_ = 0;
  uint64_t work_ = 0;
  uint64_t work_limit_ = UINT64_MAX;
  // Values of cacheable paths, by cache_slot: kNotCached, kCached (in path_values_), or
  // kNotCacheable (its full value raised an error: it is evaluated lazily, each time).
  enum CacheState : uint8_t { kNotCached, kCached, kNotCacheable };
  std::vector<uint8_t> path_state_;
  // The values, in the order they were computed (a deque: a value stays where it is while a
  // caller walks it and further paths are cached), and where each slot's is.
  std::vector<uint32_t> path_index_;
  std::deque<Sequence> path_values_;
  std::vector<int8_t> any_cache_;  // whether they select a node (-1: not known yet)
  // The cached value of cacheable `e`, computed now if needed; null when it cannot be.
  const Sequence* CachedPath(const Expr& e);
  // [name_only_slot][element name] -> value of name-only expressions (-1: not known yet).
  NameOnlyMemo name_only_memo_;
  std::vector<uint32_t> child_cursor_;  // ChildrenNamed: per child class, where the last run ended
  const NameOnlyMemo* shared_name_only_ = nullptr;
  // Elements by name, in document order, built on the first descendant step with a name test.
  // The elements named `name`, grouped by the value of the string function `key` of each (see
  // Expr::partition_key), each group in document order; null when the value of some element raised
  // an error (the step is then evaluated node by node, which raises it only if it gets there).
  using Groups = std::unordered_map<std::string, std::vector<xml::NodeId>>;
  const Groups* Partition(xml::NameId name, const Expr& key, uint32_t key_slot);
  // A child or descendant step with a name test whose first predicate is "S = 'literal'"
  // partitioned as above: its nodes that pass that predicate, from the group (true), or false when
  // it does not apply.
  bool PartitionedStep(const Expr& step, xml::NodeId node, std::vector<xml::NodeId>& out);
  struct PartitionEntry {
    xml::NameId name;
    uint32_t key_slot;
    bool available = true;
    Groups groups;
  };
  std::vector<std::unique_ptr<PartitionEntry>> partitions_;
  std::vector<std::vector<xml::NodeId>> by_name_;
  std::vector<std::vector<xml::NodeId>> attributes_by_name_;
  bool by_name_built_ = false;
  void BuildNameIndex();
  // The elements (attributes) named `name`, in document order: from the path classes when the
  // evaluator has them, else from an index built on first use.
  // The id of the name `test` tests (kName): from the shared table, else the document's own;
  // kNoName when no node of the document has that name.
  xml::NameId NameOf(const NodeTest& test) const;
  std::span<const xml::NodeId> ElementsNamed(xml::NameId name);
  std::span<const xml::NodeId> AttributesNamed(xml::NameId name);
  std::span<const xml::NodeId> NamedFromClasses(xml::NodeKind kind, xml::NameId name);
  std::unordered_map<uint64_t, std::vector<xml::NodeId>> merged_named_;  // names with several classes
  // The element children of `parent` named `name`, in order, into `out`: with the path classes,
  // from them when `parent` is the only node of its class (false otherwise: its children are
  // scanned); without them, from an index built for parents with many children. False for a
  // parent with few children, which are scanned instead.
  bool ChildrenNamed(xml::NodeId parent, xml::NameId name, std::span<const xml::NodeId>& out);
  // Per node: kUnknownWidth, kNarrow, or its index in wide_children_ (built on first use).
  static constexpr int32_t kUnknownWidth = -2;
  static constexpr int32_t kNarrow = -1;
  std::vector<int32_t> wide_slot_;
  std::vector<std::unordered_map<xml::NameId, std::vector<xml::NodeId>>> wide_children_;
};

}  // namespace gw::formats::validation
