// Nodes by name: the elements and attributes of a name, from the path classes (or an index built
// on first use without them), and the children of a parent by name.
#include <algorithm>

#include "formats/validation/xpath_eval.h"

namespace gw::formats::validation {

using xml::kNoNode;
using xml::NodeId;
using xml::NodeKind;

void Evaluator::BuildNameIndex() {
  by_name_built_ = true;
  for (NodeId i = 0; i < doc_.size(); ++i) {
    const xml::Node& n = doc_.node(i);
    if (n.name == xml::kNoName) continue;
    auto& index = n.kind == NodeKind::kElement ? by_name_ : n.kind == NodeKind::kAttribute ? attributes_by_name_ : by_name_;
    if (n.kind != NodeKind::kElement && n.kind != NodeKind::kAttribute) continue;
    if (n.name >= index.size()) index.resize(n.name + 1);
    index[n.name].push_back(i);
  }
}

xml::NameId Evaluator::NameOf(const NodeTest& test) const {
  return test.name != xml::kNoName ? test.name : doc_.FindName(test.ns_uri, test.local);
}

std::span<const NodeId> Evaluator::ElementsNamed(xml::NameId name) {
  if (classes_ != nullptr) return NamedFromClasses(NodeKind::kElement, name);
  if (!by_name_built_) BuildNameIndex();
  if (name >= by_name_.size()) return {};
  return by_name_[name];
}

std::span<const NodeId> Evaluator::AttributesNamed(xml::NameId name) {
  if (classes_ != nullptr) return NamedFromClasses(NodeKind::kAttribute, name);
  if (!by_name_built_) BuildNameIndex();
  if (name >= attributes_by_name_.size()) return {};
  return attributes_by_name_[name];
}

std::span<const NodeId> Evaluator::NamedFromClasses(NodeKind kind, xml::NameId name) {
  // Most names have one class (its nodes, in document order, are the answer); the others'
  // classes are merged once.
  const PathClasses::ClassId first = classes_->FirstNamed(kind, name);
  if (first == PathClasses::kNoClass) return {};
  if (classes_->NextNamed(first) == PathClasses::kNoClass) return classes_->nodes(first);
  const uint64_t key = (static_cast<uint64_t>(kind) << 32) | name;
  auto [it, added] = merged_named_.try_emplace(key);
  std::vector<NodeId>& all = it->second;
  if (added) {
    for (PathClasses::ClassId c = first; c != PathClasses::kNoClass; c = classes_->NextNamed(c)) {
      const std::span<const NodeId> nodes = classes_->nodes(c);
      const size_t middle = all.size();
      all.insert(all.end(), nodes.begin(), nodes.end());
      std::inplace_merge(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(middle), all.end());
    }
  }
  return all;
}

bool Evaluator::ChildrenNamed(NodeId parent, xml::NameId name, std::span<const NodeId>& out) {
  if (classes_ != nullptr) {
    // The only node of its class has all the nodes of its child classes as children. Another
    // parent has a run of them: the nodes of the child class between it and its last
    // descendant (nodes of one class do not nest, so all of those are its children).
    const PathClasses::ClassId from = classes_->of(parent);
    const PathClasses::ClassId c = classes_->Child(from, NodeKind::kElement, name);
    if (c == PathClasses::kNoClass) {
      out = {};
      return true;
    }
    const std::span<const NodeId> all = classes_->nodes(c);
    if (classes_->nodes(from).size() == 1) {
      out = all;
      return true;
    }
    // Parents are mostly asked in document order (a step over the lines, line after line): the
    // search starts where the last one of this class ended, and binary searches otherwise.
    if (child_cursor_.size() != classes_->size()) child_cursor_.assign(classes_->size(), 0);
    uint32_t& cursor = child_cursor_[c];
    size_t lo = std::min<size_t>(cursor, all.size());
    if (lo > 0 && all[lo - 1] > parent) {
      lo = static_cast<size_t>(std::lower_bound(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(lo), parent) - all.begin());
    } else {
      for (int steps = 0; lo < all.size() && all[lo] < parent && steps < 4; ++steps) ++lo;
      if (lo < all.size() && all[lo] < parent) {
        lo = static_cast<size_t>(std::lower_bound(all.begin() + static_cast<std::ptrdiff_t>(lo), all.end(), parent) - all.begin());
      }
    }
    const NodeId last = doc_.LastDescendant(parent);
    size_t hi = lo;
    while (hi < all.size() && all[hi] <= last) ++hi;
    cursor = static_cast<uint32_t>(hi);
    out = all.subspan(lo, hi - lo);
    return true;
  }
  constexpr size_t kWide = 24;
  if (wide_slot_.empty()) wide_slot_.assign(doc_.size(), kUnknownWidth);
  int32_t& slot = wide_slot_[parent];
  if (slot == kUnknownWidth) {
    size_t count = 0;
    for (NodeId c = doc_.node(parent).first_child; c != kNoNode && count <= kWide; c = doc_.node(c).next_sibling) ++count;
    slot = kNarrow;
    if (count > kWide) {
      slot = static_cast<int32_t>(wide_children_.size());
      auto& index = wide_children_.emplace_back();
      for (NodeId c = doc_.node(parent).first_child; c != kNoNode; c = doc_.node(c).next_sibling) {
        const xml::Node& child = doc_.node(c);
        if (child.kind == NodeKind::kElement && child.name != xml::kNoName) index[child.name].push_back(c);
      }
    }
  }
  if (slot == kNarrow) return false;
  const auto& index = wide_children_[static_cast<size_t>(slot)];
  auto it = index.find(name);
  out = it == index.end() ? std::span<const NodeId>() : std::span<const NodeId>(it->second);
  return true;
}

}  // namespace gw::formats::validation
