// The existence tests of one rule's child paths, answered together. The rule on the document
// element in the EN16931 set has some 700 assertions "not(cac:X/cbc:Y)" (the UBL-CR rules); asked
// one by one of the path classes, each costs its steps' lookups and an evaluation, and they were
// a seventh of the validation of a small invoice. As a trie of their steps, they are answered by
// one walk over the classes below the context's class: the document's few hundred classes are
// read, not the rule's few thousand steps.
#pragma once

#include <cstdint>
#include <vector>

#include "formats/validation/path_classes.h"
#include "formats/validation/xpath_ast.h"

namespace gw::formats::validation {

class ChildPathTrie {
 public:
  // Adds the paths of `e` as those of item `item`, when `e` is made of child and attribute name
  // steps without predicates and unions of such paths (cac:X/cbc:Y, (cac:A | cac:B)/cbc:C): the
  // item's path exists when one of them does. False (and nothing added) for other expressions.
  bool Add(const Expr& e, uint32_t item);
  bool empty() const { return unknown_.empty(); }

  // For a context node that is the only node of its class `from`: out[item] is 1 when the
  // document has the item's path below it, 0 when not, and -1 for the items never added. This is
  // what Evaluator::ExistsByClasses answers for such a node, path by path.
  void Answer(const PathClasses& classes, PathClasses::ClassId from, std::vector<int8_t>& out) const;

 private:
  struct Edge {
    uint64_t step;  // PathClasses::Step(kind, name)
    uint32_t to;
  };
  struct Node {
    std::vector<Edge> edges;     // sorted by step
    std::vector<uint32_t> ends;  // the items whose path ends here
  };
  using Path = std::vector<uint64_t>;  // steps
  // Appends to `paths` each of its paths followed by each path of `e`; false when `e` is not of
  // the shape Add() takes or gives too many paths.
  static bool Expand(const Expr& e, std::vector<Path>& paths);

  std::vector<Node> nodes_{1};  // nodes_[0] is the root: the context's class
  std::vector<int8_t> unknown_;  // what Answer() starts from: 0 for the items added, -1 otherwise
};

}  // namespace gw::formats::validation
