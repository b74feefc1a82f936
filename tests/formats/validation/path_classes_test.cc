// Path classes (formats/validation/path_classes.h) and the answers the evaluator takes from them:
// how many nodes of a class each node of the parent class has (FanMin, FanMax), and count() and
// existence of child paths, which must equal what walking the nodes gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <unordered_map>

#include "formats/validation/child_path_trie.h"
#include "formats/validation/path_classes.h"
#include "formats/validation/xpath_eval.h"
#include "formats/validation/xpath_parser.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::validation {
namespace {

// Lines with one price each; some lines have one note, one has two; one line has a period.
constexpr const char* kDocument =
    "<r>"
    "<line><price a='1'/><note/></line>"
    "<line><price a='2'/><note/><note/></line>"
    "<line><price/><period><start/></period></line>"
    "<line><price a='3'/></line>"
    "<total/>"
    "</r>";

// The same with UBL names (the path classes answer for names of the shared name table only):
// lines with and without an item, a price, a note; one line has two notes.
constexpr const char* kUblDocument =
    "<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'"
    " xmlns:cac='urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2'"
    " xmlns:cbc='urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'>"
    "<cbc:ID schemeID='1'>1</cbc:ID>"
    "<cac:InvoiceLine><cbc:ID>2</cbc:ID><cac:Item><cbc:Name>n</cbc:Name></cac:Item><cbc:Note/></cac:InvoiceLine>"
    "<cac:InvoiceLine><cbc:ID>4</cbc:ID><cac:Price><cbc:PriceAmount currencyID='EUR'>1</cbc:PriceAmount></cac:Price>"
    "<cbc:Note>a</cbc:Note><cbc:Note>b</cbc:Note></cac:InvoiceLine>"
    "<cac:InvoiceLine><cbc:ID>5</cbc:ID><cac:Price><cbc:PriceAmount>2</cbc:PriceAmount></cac:Price></cac:InvoiceLine>"
    "<cac:Delivery><cac:DeliveryLocation><cbc:ID schemeID='5'/></cac:DeliveryLocation></cac:Delivery>"
    "</Invoice>";

// `xpath` compiled and annotated as the rule sets' expressions are (the prefixes cac and cbc
// declared); null when it does not parse.
ExprPtr Compile(const std::string& xpath, std::unordered_map<std::string, uint32_t>& variables) {
  CompileScope scope;
  scope.namespaces = {{"cac", "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"},
                      {"cbc", "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"},
                      {"ext", "urn:example:ext"}};
  scope.variables = &variables;
  scope.resolve_function = [](std::string_view name, size_t arity) { return FindBuiltin(name, arity); };
  auto e = ParseXPath(xpath, scope);
  if (!e) return nullptr;
  AnnotateForEvaluation(**e);
  return std::move(*e);
}

PathClasses::ClassId ClassOf(const xml::Document& doc, const PathClasses& classes, std::string_view name) {
  for (xml::NodeId n = 0; n < doc.size(); ++n) {
    if (doc.node(n).kind != xml::NodeKind::kText && doc.local_name(n) == name) return classes.of(n);
  }
  return PathClasses::kNoClass;
}

TEST(PathClassesTest, FanBoundsCountTheNodesOfAClassBelowEachParent) {
  auto doc = xml::Document::Parse(kDocument);
  ASSERT_TRUE(doc);
  PathClasses classes(*doc);
  struct Want {
    const char* name;
    uint32_t least, most;
  } wants[] = {
      {"line", 4, 4},    // the one r has four
      {"price", 1, 1},   // every line has one
      {"note", 0, 2},    // none, one or two
      {"period", 0, 1},  // one line only
      {"start", 1, 1},   // every period has one
      {"a", 0, 1},       // attribute: one price has none
      {"total", 1, 1},
  };
  for (const Want& w : wants) {
    PathClasses::ClassId c = ClassOf(*doc, classes, w.name);
    ASSERT_NE(c, PathClasses::kNoClass) << w.name;
    EXPECT_EQ(classes.FanMin(c), w.least) << w.name;
    EXPECT_EQ(classes.FanMax(c), w.most) << w.name;
  }
}

// count(path) and exists(path) at every element, with the shortcuts (answers from the path
// classes) and without them (walking the nodes): the same values.
TEST(PathClassesTest, CountsAndExistenceFromClassesEqualWalkingTheNodes) {
  auto doc = xml::Document::Parse(kDocument);
  ASSERT_TRUE(doc);
  PathClasses classes(*doc);
  const char* paths[] = {"price",      "note",       "period",      "period/start", "price/@a",
                         "line/price", "line/note",  "line/period/start", "total", "line/price/@a",
                         "missing",    "line/missing"};
  for (const char* path : paths) {
    for (const std::string& form : {"count(" + std::string(path) + ")", "exists(" + std::string(path) + ")"}) {
      std::unordered_map<std::string, uint32_t> variables;
      ExprPtr e = Compile(form, variables);
      ASSERT_TRUE(e) << form;
      RegexCache regexes;
      std::vector<UserFunction> functions;
      for (xml::NodeId n = 0; n < doc->size(); ++n) {
        if (doc->node(n).kind != xml::NodeKind::kElement && n != doc->root()) continue;
        std::string values[2];
        for (int shortcuts = 0; shortcuts < 2; ++shortcuts) {
          Evaluator ev(*doc, functions, variables.size(), regexes);
          ev.set_classes(&classes);
          ev.set_shortcuts(shortcuts == 1);
          Context ctx;
          ctx.item = Item::Node(n);
          Sequence value = ev.Eval(*e, ctx);
          ASSERT_FALSE(ev.failed()) << form;
          ASSERT_EQ(value.size(), 1u) << form;
          values[shortcuts] = AtomicToString(value[0]);
          // The boolean way (EvalBoolean's existence and count shortcuts) agrees too.
          bool b = ev.EvalBoolean(*e, ctx);
          values[shortcuts] += b ? "/true" : "/false";
        }
        EXPECT_EQ(values[1], values[0]) << form << " at node " << n << " (" << doc->local_name(n) << ")";
      }
    }
  }
}

// The classes of each name, through FirstNamed and NextNamed, hold exactly the nodes of that name;
// and steps that read nodes by name (//x, children of the only node of a class) give the same
// nodes with the classes as without them.
TEST(PathClassesTest, ClassesByNameHoldEveryNodeOfTheName) {
  // UBL names: they are in the shared name table, which the by-name reading needs.
  auto doc = xml::Document::Parse(
      "<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'"
      " xmlns:cac='urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2'"
      " xmlns:cbc='urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'>"
      "<cbc:ID schemeID='1'>1</cbc:ID>"
      "<cac:InvoiceLine><cbc:ID>2</cbc:ID><cac:Item><cbc:ID schemeID='x'>3</cbc:ID></cac:Item></cac:InvoiceLine>"
      "<cac:InvoiceLine><cbc:ID>4</cbc:ID></cac:InvoiceLine>"
      "<cac:Delivery><cac:DeliveryLocation><cbc:ID schemeID='5'/></cac:DeliveryLocation></cac:Delivery>"
      "<ext:Thing xmlns:ext='urn:example:ext' ext:flag='y'><ext:Thing/></ext:Thing>"
      "</Invoice>");
  ASSERT_TRUE(doc);
  PathClasses classes(*doc);
  for (xml::NodeId n = 0; n < doc->size(); ++n) {
    const xml::Node& node = doc->node(n);
    if (node.kind != xml::NodeKind::kElement && node.kind != xml::NodeKind::kAttribute) continue;
    std::vector<xml::NodeId> want, got;
    for (xml::NodeId m = 0; m < doc->size(); ++m) {
      if (doc->node(m).kind == node.kind && doc->node(m).name == node.name) want.push_back(m);
    }
    for (PathClasses::ClassId c = classes.FirstNamed(node.kind, node.name); c != PathClasses::kNoClass;
         c = classes.NextNamed(c)) {
      for (xml::NodeId m : classes.nodes(c)) got.push_back(m);
    }
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want) << doc->local_name(n);
  }
  for (const char* xpath : {"//cbc:ID", "//@schemeID", "//cac:Item/cbc:ID", "cac:InvoiceLine/cbc:ID", "cbc:ID",
                            "count(//cbc:ID)", "cac:InvoiceLine[2]/cbc:ID", "//cac:InvoiceLine/cac:Item/cbc:ID/@schemeID",
                            "cac:Delivery//cbc:ID", "(cac:Delivery/cac:DeliveryLocation | cac:InvoiceLine)/cbc:ID",
                            "(cac:Delivery | cac:InvoiceLine)/cac:Item/cbc:ID/@schemeID", "cac:InvoiceLine/cac:Item",
                            // Children of parents that are not alone in their class, asked out of
                            // document order too (the second line, then the first).
                            "cac:InvoiceLine[2]/cbc:ID | cac:InvoiceLine[1]/cbc:ID",
                            "for $l in reverse(cac:InvoiceLine) return string($l/cbc:ID)",
                            "for $l in (cac:InvoiceLine[2], cac:InvoiceLine[1], cac:InvoiceLine[2]) return count($l/cac:Item)",
                            // Names of the document's own (not in the shared table), and names no
                            // node has: counted, since an empty answer would pass for both.
                            "count(//ext:Thing)", "count(//@ext:flag)", "count(//ext:Missing)",
                            "count(//@ext:missing)", "count(//cbc:Missing)"}) {
    std::unordered_map<std::string, uint32_t> variables;
    ExprPtr e = Compile(xpath, variables);
    ASSERT_TRUE(e) << xpath;
    RegexCache regexes;
    std::vector<UserFunction> functions;
    // 0: neither the classes nor the shortcuts (walking the nodes step by step), 1: both,
    // 2: the classes without the shortcuts.
    std::string values[3];
    for (int with_classes = 0; with_classes < 3; ++with_classes) {
      Evaluator ev(*doc, functions, variables.size(), regexes);
      if (with_classes > 0) ev.set_classes(&classes);
      ev.set_shortcuts(with_classes == 1);
      Context ctx;
      ctx.item = Item::Node(doc->node(doc->root()).first_child);  // Invoice
      for (const Item& i : ev.Eval(*e, ctx)) values[with_classes] += (i.is_node() ? std::to_string(i.node) : AtomicToString(i)) + " ";
      ASSERT_FALSE(ev.failed()) << xpath;
    }
    EXPECT_EQ(values[1], values[0]) << xpath;
    EXPECT_EQ(values[2], values[0]) << xpath;
    EXPECT_FALSE(values[0].empty()) << xpath;
  }
  const std::pair<const char*, const char*> counts[] = {{"count(//ext:Thing)", "2 "}, {"count(//@ext:flag)", "1 "},
                                                         {"count(//ext:Missing)", "0 "}, {"count(//@ext:missing)", "0 "}};
  for (const auto& [xpath, want] : counts) {
    std::unordered_map<std::string, uint32_t> variables;
    ExprPtr e = Compile(xpath, variables);
    ASSERT_TRUE(e) << xpath;
    RegexCache regexes;
    std::vector<UserFunction> functions;
    Evaluator ev(*doc, functions, variables.size(), regexes);
    ev.set_classes(&classes);
    Context ctx;
    ctx.item = Item::Node(doc->root());
    std::string got;
    for (const Item& i : ev.Eval(*e, ctx)) got += AtomicToString(i) + " ";
    EXPECT_EQ(got, want) << xpath;
  }
}

// A rule's child path tests answered together (ChildPathTrie) give, for the only node of a class,
// what exists() gives walking the nodes; shapes it does not take are refused, not answered.
TEST(PathClassesTest, ChildPathTrieAnswersAsWalkingTheNodes) {
  auto doc = xml::Document::Parse(kUblDocument);
  ASSERT_TRUE(doc);
  PathClasses classes(*doc);
  const char* taken[] = {
      "cbc:ID", "cbc:ID/@schemeID", "cbc:Note", "cac:InvoiceLine/cbc:ID", "cac:InvoiceLine/cac:Item/cbc:Name",
      "cac:InvoiceLine/cac:Item/cbc:Description", "cac:InvoiceLine/cac:Price/cbc:PriceAmount/@currencyID",
      "cac:InvoiceLine/cac:Price/cbc:PriceAmount/@unitCode", "cac:Delivery/cac:DeliveryLocation/cbc:ID/@schemeID",
      // Unions: the path exists when one branch does.
      "(cac:InvoiceLine | cac:CreditNoteLine)/cac:Item/cbc:Name", "(cac:InvoiceLine | cac:CreditNoteLine)/cbc:UUID",
      "(cac:CreditNoteLine | cac:Delivery)/cac:DeliveryLocation", "cac:CreditNoteLine | cbc:Note",
      "(cac:InvoiceLine | cac:Delivery)/(cac:Item | cac:DeliveryLocation)/cbc:ID"};
  const char* refused[] = {"//cbc:ID", "cac:InvoiceLine[1]/cbc:ID", "cac:InvoiceLine/*", "../cbc:ID", ".",
                           "cbc:ID = '1'", "cac:InvoiceLine/cbc:ID/text()"};
  ChildPathTrie trie;
  std::vector<ExprPtr> kept;
  std::unordered_map<std::string, uint32_t> variables;
  for (const char* xpath : taken) {
    kept.push_back(Compile(xpath, variables));
    ASSERT_TRUE(kept.back()) << xpath;
    EXPECT_TRUE(trie.Add(*kept.back(), static_cast<uint32_t>(kept.size() - 1))) << xpath;
  }
  for (const char* xpath : refused) {
    ExprPtr e = Compile(xpath, variables);
    ASSERT_TRUE(e) << xpath;
    EXPECT_FALSE(trie.Add(*e, static_cast<uint32_t>(kept.size()))) << xpath;
  }
  const xml::NodeId invoice = doc->node(doc->root()).first_child;
  ASSERT_EQ(classes.nodes(classes.of(invoice)).size(), 1u);
  std::vector<int8_t> answers;
  trie.Answer(classes, classes.of(invoice), answers);
  ASSERT_EQ(answers.size(), kept.size());  // a refused item has no answer
  RegexCache regexes;
  std::vector<UserFunction> functions;
  int found = 0;
  for (size_t i = 0; i < kept.size(); ++i) {
    Evaluator ev(*doc, functions, variables.size(), regexes);
    ev.set_shortcuts(false);  // walking the nodes
    Context ctx;
    ctx.item = Item::Node(invoice);
    const bool want = !ev.Eval(*kept[i], ctx).empty();
    ASSERT_FALSE(ev.failed()) << taken[i];
    EXPECT_EQ(answers[i], want ? 1 : 0) << taken[i];
    found += want;
  }
  EXPECT_GT(found, 3);                                 // some paths are there
  EXPECT_LT(found, static_cast<int>(kept.size()) - 3);  // and some are not
}

// What the classes tell of a boolean for a whole class (Evaluator::ClassBoolean, which narrows the
// rules a rule context offers each class): "true for every node" and "false for every node" are
// what evaluating it at each node gives; some answers are decided both ways.
TEST(PathClassesTest, ClassBooleanIsWhatEveryNodeOfTheClassGives) {
  auto doc = xml::Document::Parse(kUblDocument);
  ASSERT_TRUE(doc);
  PathClasses classes(*doc);
  const char* booleans[] = {"cbc:ID",
                            "exists(cbc:ID)",
                            "not(cbc:Note)",
                            "cbc:ID and not(cac:Item)",
                            "*",
                            "not(*)",
                            "cbc:Note or cac:Price",
                            "cac:Price/cbc:PriceAmount",
                            "boolean(cac:Price/cbc:PriceAmount/@currencyID)",
                            "exists(@schemeID)",
                            "not(*) and not(normalize-space())",
                            "not(cbc:UUID) or cbc:Note",
                            "cbc:Note and cbc:UUID",
                            "cac:InvoiceLine/cbc:ID",
                            "cac:InvoiceLine/cac:Price"};
  int decided[2] = {0, 0};
  for (const char* xpath : booleans) {
    std::unordered_map<std::string, uint32_t> variables;
    ExprPtr e = Compile(xpath, variables);
    ASSERT_TRUE(e) << xpath;
    RegexCache regexes;
    std::vector<UserFunction> functions;
    for (PathClasses::ClassId c = 0; c < classes.size(); ++c) {
      if (doc->node(classes.first(c)).kind != xml::NodeKind::kElement) continue;
      Evaluator by_class(*doc, functions, variables.size(), regexes);
      by_class.set_classes(&classes);
      const int holds = by_class.ClassBoolean(*e, c);
      if (holds < 0) continue;
      ++decided[holds];
      for (xml::NodeId n : classes.nodes(c)) {
        Evaluator ev(*doc, functions, variables.size(), regexes);
        ev.set_shortcuts(false);
        Context ctx;
        ctx.item = Item::Node(n);
        EXPECT_EQ(ev.EvalBoolean(*e, ctx), holds == 1) << xpath << " at node " << n << " (" << doc->local_name(n) << ")";
        EXPECT_FALSE(ev.failed()) << xpath;
      }
    }
  }
  EXPECT_GT(decided[0], 5);
  EXPECT_GT(decided[1], 5);
}

}  // namespace
}  // namespace gw::formats::validation
