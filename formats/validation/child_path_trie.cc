#include "formats/validation/child_path_trie.h"

#include <algorithm>

namespace gw::formats::validation {

bool ChildPathTrie::Expand(const Expr& e, std::vector<Path>& paths) {
  constexpr size_t kMaxPaths = 16;
  switch (e.op) {
    case Op::kPath: return Expand(*e.kids[0], paths) && Expand(*e.kids[1], paths);
    case Op::kUnion: {
      std::vector<Path> right = paths;
      if (!Expand(*e.kids[0], paths) || !Expand(*e.kids[1], right)) return false;
      paths.insert(paths.end(), right.begin(), right.end());
      return paths.size() <= kMaxPaths;
    }
    case Op::kStep: {
      if ((e.axis != Axis::kChild && e.axis != Axis::kAttribute) || !e.kids.empty() ||
          e.test.kind != NodeTest::Kind::kName || e.test.name == xml::kNoName) {
        return false;
      }
      const auto kind = e.axis == Axis::kChild ? xml::NodeKind::kElement : xml::NodeKind::kAttribute;
      for (Path& p : paths) p.push_back(PathClasses::Step(kind, e.test.name));
      return true;
    }
    default: return false;
  }
}

bool ChildPathTrie::Add(const Expr& e, uint32_t item) {
  std::vector<Path> paths(1);
  if (!Expand(e, paths)) return false;
  for (const Path& path : paths) {
    uint32_t at = 0;
    for (uint64_t step : path) {
      std::vector<Edge>& edges = nodes_[at].edges;
      auto it = std::lower_bound(edges.begin(), edges.end(), step,
                                 [](const Edge& edge, uint64_t s) { return edge.step < s; });
      if (it == edges.end() || it->step != step) {
        const auto to = static_cast<uint32_t>(nodes_.size());
        edges.insert(it, Edge{step, to});
        nodes_.emplace_back();  // `edges` may move: not used after this
        at = to;
      } else {
        at = it->to;
      }
    }
    nodes_[at].ends.push_back(item);
  }
  if (unknown_.size() <= item) unknown_.resize(item + 1, -1);
  unknown_[item] = 0;
  return true;
}

void ChildPathTrie::Answer(const PathClasses& classes, PathClasses::ClassId from, std::vector<int8_t>& out) const {
  out = unknown_;
  // Depth first over (trie node, class) pairs: each child class of the class looks its step up
  // among the node's edges.
  std::vector<std::pair<uint32_t, PathClasses::ClassId>> stack{{0, from}};
  while (!stack.empty()) {
    const auto [t, c] = stack.back();
    stack.pop_back();
    const std::vector<Edge>& edges = nodes_[t].edges;
    if (edges.empty()) continue;
    for (PathClasses::ClassId k : classes.children(c)) {
      const uint64_t step = classes.step(k);
      auto it = std::lower_bound(edges.begin(), edges.end(), step,
                                 [](const Edge& edge, uint64_t s) { return edge.step < s; });
      if (it == edges.end() || it->step != step) continue;
      for (uint32_t item : nodes_[it->to].ends) out[item] = 1;
      stack.emplace_back(it->to, k);
    }
  }
}

}  // namespace gw::formats::validation
