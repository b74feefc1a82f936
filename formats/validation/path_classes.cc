#include "formats/validation/path_classes.h"

#include <algorithm>

namespace gw::formats::validation {

using xml::NodeId;

size_t PathClasses::Probe(uint64_t key) const {
  // Fibonacci hashing (the top bits of the product depend on every bit of the key); linear probing.
  size_t i = static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  while (table_[i].key != key && table_[i].key != kEmpty) i = (i + 1) & mask_;
  return i;
}

void PathClasses::Grow() {
  std::vector<Slot> old = std::move(table_);
  table_.assign(old.size() * 2, Slot{});
  mask_ = table_.size() - 1;
  --shift_;
  for (const Slot& s : old) {
    if (s.key != kEmpty) table_[Probe(s.key)] = s;
  }
}

PathClasses::PathClasses(const xml::Document& doc) : class_of_(doc.size(), kNoClass) {
  // Room for as many classes as a document of this size may have, up to a size that most
  // documents do not outgrow (a 1,000-line invoice has some 300 classes): growing rehashes.
  int bits = 8;
  while (bits < 12 && (size_t{1} << bits) < 2 * doc.size()) ++bits;
  table_.assign(size_t{1} << bits, Slot{});
  mask_ = table_.size() - 1;
  shift_ = 64 - bits;
  if (doc.size() == 0) {
    offset_.push_back(0);
    child_offset_.push_back(0);
    return;
  }
  // Parents come before their children (document order, attributes right after their element).
  class_of_[doc.root()] = 0;
  first_.push_back(doc.root());
  for (NodeId n = 1; n < doc.size(); ++n) {
    const xml::Node& node = doc.node(n);
    uint64_t key = Key(class_of_[node.parent], node.kind, node.name);
    size_t i = Probe(key);
    if (table_[i].key == kEmpty) {
      table_[i] = Slot{key, static_cast<ClassId>(first_.size())};
      first_.push_back(n);
      if ((first_.size() + named_heads_) * 2 > table_.size()) Grow();
      i = Probe(key);
    }
    class_of_[n] = table_[i].value;
  }
  // Classes by name: a list through next_named_, its head in the table under kNamedHead.
  next_named_.assign(first_.size(), kNoClass);
  for (ClassId c = static_cast<ClassId>(first_.size()); c-- > 1;) {
    const xml::Node& node = doc.node(first_[c]);
    if (node.kind != xml::NodeKind::kElement && node.kind != xml::NodeKind::kAttribute) continue;
    const uint64_t key = Key(kNamedHead, node.kind, node.name);
    size_t i = Probe(key);
    if (table_[i].key == kEmpty) {
      table_[i] = Slot{key, c};
      if ((++named_heads_ + first_.size()) * 2 > table_.size()) Grow();
    } else {
      next_named_[c] = table_[i].value;
      table_[i].value = c;
    }
  }
  has_child_elements_.assign(first_.size(), 0);
  for (ClassId c = 1; c < first_.size(); ++c) {
    const xml::Node& node = doc.node(first_[c]);
    if (node.kind == xml::NodeKind::kElement) has_child_elements_[class_of_[node.parent]] = 1;
  }
  // The child classes of each class, and each class's step (counting sorts by parent class).
  step_.resize(first_.size());
  parent_.assign(first_.size(), kNoClass);
  child_offset_.assign(first_.size() + 1, 0);
  for (ClassId c = 0; c < first_.size(); ++c) {
    const xml::Node& node = doc.node(first_[c]);
    step_[c] = Step(node.kind, node.name);
    if (c > 0) {
      parent_[c] = class_of_[node.parent];
      ++child_offset_[parent_[c] + 1];
    }
  }
  for (size_t c = 1; c < child_offset_.size(); ++c) child_offset_[c] += child_offset_[c - 1];
  children_.resize(first_.size() > 0 ? first_.size() - 1 : 0);
  {
    std::vector<uint32_t> at(child_offset_.begin(), child_offset_.end() - 1);
    for (ClassId c = 1; c < first_.size(); ++c) children_[at[parent_[c]]++] = c;
  }
  // The nodes grouped by class, each group in document order (a counting sort).
  offset_.assign(first_.size() + 1, 0);
  for (ClassId c : class_of_) ++offset_[c + 1];
  for (size_t c = 1; c < offset_.size(); ++c) offset_[c] += offset_[c - 1];
  by_class_.resize(doc.size());
  std::vector<uint32_t> next(offset_.begin(), offset_.end() - 1);
  for (NodeId n = 0; n < doc.size(); ++n) by_class_[next[class_of_[n]]++] = n;
  // The nodes of a class below one parent are consecutive in its list (document order), so each
  // parent's share is a run.
  fan_min_.assign(first_.size(), 1);
  fan_max_.assign(first_.size(), 1);
  for (ClassId c = 1; c < first_.size(); ++c) {
    const ClassId parent_class = class_of_[doc.node(first_[c]).parent];
    uint32_t parents = 0, run = 0, least = UINT32_MAX, most = 0;
    auto end_run = [&] {
      least = std::min(least, run);
      most = std::max(most, run);
    };
    NodeId last_parent = xml::kNoNode;
    for (NodeId n : nodes(c)) {
      const NodeId parent = doc.node(n).parent;
      if (parent != last_parent) {
        if (run > 0) end_run();
        ++parents;
        run = 0;
        last_parent = parent;
      }
      ++run;
    }
    end_run();
    fan_min_[c] = parents == nodes(parent_class).size() ? least : 0;
    fan_max_[c] = most;
  }
}

PathClasses::ClassId PathClasses::Child(ClassId parent, xml::NodeKind kind, xml::NameId name) const {
  const Slot& s = table_[Probe(Key(parent, kind, name))];
  return s.key == kEmpty ? kNoClass : s.value;
}

}  // namespace gw::formats::validation
