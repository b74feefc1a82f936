// The path classes of a document (a DataGuide): two nodes are in the same class when the kinds
// and names along their paths from the root are the same (every cac:InvoiceLine/cbc:ID of an
// invoice is in one class, whatever the position of its line). A 1,000-line invoice has some
// 40,000 nodes but only a few hundred classes.
//
// Whatever depends only on the kinds and names of a node and of its ancestors is the same for
// every node of its class: whether a rule context matches it when its predicates are set aside,
// and the value of tests of its name (name_only expressions). The rule set decides those once per
// class instead of once per node, and visits for each pattern only the nodes of the classes some
// rule of the pattern can match.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "formats/xml/xml_document.h"

namespace gw::formats::validation {

class PathClasses {
 public:
  using ClassId = uint32_t;
  static constexpr ClassId kNoClass = UINT32_MAX;

  explicit PathClasses(const xml::Document& doc);

  size_t size() const { return first_.size(); }
  ClassId of(xml::NodeId node) const { return class_of_[node]; }
  // The nodes of `c`, in document order; the first one stands for the class.
  std::span<const xml::NodeId> nodes(ClassId c) const {
    return {by_class_.data() + offset_[c], by_class_.data() + offset_[c + 1]};
  }
  xml::NodeId first(ClassId c) const { return first_[c]; }
  // The class of the children (elements, text) or attributes of kind `kind` named `name` of the
  // nodes of `parent`; kNoClass when no node of the document has that path.
  ClassId Child(ClassId parent, xml::NodeKind kind, xml::NameId name) const;
  // The classes of the elements (or attributes, by `kind`) named `name`, as a list: the first,
  // then NextNamed() of each until kNoClass.
  ClassId FirstNamed(xml::NodeKind kind, xml::NameId name) const {
    const Slot& s = table_[Probe(Key(kNamedHead, kind, name))];
    return s.key == kEmpty ? kNoClass : s.value;
  }
  ClassId NextNamed(ClassId c) const { return next_named_[c]; }
  // The classes whose parent class is `c` (children and attributes of its nodes), ascending.
  std::span<const ClassId> children(ClassId c) const {
    return {children_.data() + child_offset_[c], children_.data() + child_offset_[c + 1]};
  }
  // The class of the parents of the nodes of `c` (kNoClass for the document's class, 0).
  ClassId parent(ClassId c) const { return parent_[c]; }
  // The kind and name of the nodes of `c`, as one key: Step(kind, name).
  uint64_t step(ClassId c) const { return step_[c]; }
  static uint64_t Step(xml::NodeKind kind, xml::NameId name) {
    return (static_cast<uint64_t>(kind) << 32) | name;
  }
  // Whether some node of `c` has a child element.
  bool HasChildElements(ClassId c) const { return has_child_elements_[c] != 0; }
  // How many nodes of class `c` a node of its parent class has below it (as children or
  // attributes): at least FanMin(c) (0 when some node of the parent class has none), at most
  // FanMax(c). Every cac:InvoiceLine has one cac:Price: 1 and 1.
  uint32_t FanMin(ClassId c) const { return fan_min_[c]; }
  uint32_t FanMax(ClassId c) const { return fan_max_[c]; }

 private:
  // (parent class, kind, name) -> class, by open addressing: one probe for most nodes.
  struct Slot {
    uint64_t key = kEmpty;
    ClassId value = kNoClass;
  };
  static constexpr uint64_t kEmpty = UINT64_MAX;
  // A parent no class has: the key (kNamedHead, kind, name) holds the first class of that name.
  static constexpr ClassId kNamedHead = (1u << 30) - 1;
  static uint64_t Key(ClassId parent, xml::NodeKind kind, xml::NameId name) {
    return (static_cast<uint64_t>(parent) << 34) | (static_cast<uint64_t>(kind) << 32) | name;
  }
  size_t Probe(uint64_t key) const;
  void Grow();

  std::vector<ClassId> class_of_;  // per node
  std::vector<xml::NodeId> first_;  // per class
  std::vector<uint8_t> has_child_elements_;  // per class
  std::vector<uint32_t> fan_min_, fan_max_;  // per class
  std::vector<ClassId> next_named_;           // per class
  std::vector<uint64_t> step_;                // per class
  std::vector<ClassId> parent_;               // per class
  std::vector<uint32_t> child_offset_;        // per class (plus one at the end), into children_
  std::vector<ClassId> children_;
  size_t named_heads_ = 0;                    // kNamedHead entries in table_
  std::vector<uint32_t> offset_;    // per class, into by_class_ (plus one at the end)
  std::vector<xml::NodeId> by_class_;
  std::vector<Slot> table_;
  size_t mask_ = 0;
  int shift_ = 0;  // 64 - log2(table size)
};

}  // namespace gw::formats::validation
