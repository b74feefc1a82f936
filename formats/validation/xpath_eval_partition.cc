// Steps read from groups: //cac:ClassifiedTaxCategory[normalize-space(cbc:ID) = 'Z'] and its
// siblings for 'S', 'E', 'AE', 'K', ... (the BR-x-01, -02, -03 rules of every VAT category)
// each scan all the categories of the document, one per invoice line, and
// //cac:ClassifiedTaxCategory[...]/cbc:ID[normalize-space(.) = 'AE'] reads every category's
// children. The elements of a name are grouped once by the value, and each of those steps reads
// its group: nothing at all for the categories the invoice does not use.
#include <algorithm>

#include "formats/validation/xpath_eval.h"

namespace gw::formats::validation {

using xml::NodeId;

const Evaluator::Groups* Evaluator::Partition(xml::NameId name, const Expr& key, uint32_t key_slot) {
  for (const auto& p : partitions_) {
    if (p->name == name && p->key_slot == key_slot) return p->available ? &p->groups : nullptr;
  }
  auto entry = std::make_unique<PartitionEntry>();
  entry->name = name;
  entry->key_slot = key_slot;
  std::string scratch;
  for (NodeId n : ElementsNamed(name)) {
    std::string_view view;
    if (!KeyValue(key, n, view, scratch)) {
      // Node by node, the step may stop before this element (exists() stops at the first
      // match), so the error is not raised here.
      if (!exhausted()) ClearError();
      entry->available = false;
      entry->groups.clear();
      break;
    }
    entry->groups[std::string(view)].push_back(n);
  }
  partitions_.push_back(std::move(entry));
  return partitions_.back()->available ? &partitions_.back()->groups : nullptr;
}

bool Evaluator::KeyValue(const Expr& key, NodeId node, std::string_view& out, std::string& scratch) {
  if (StringFastView(key, node, out, scratch)) return true;
  scratch.clear();
  if (!failed()) StringFast(key, node, scratch);
  if (failed()) return false;
  out = scratch;
  return true;
}

bool Evaluator::PartitionedStep(const Expr& step, NodeId node, std::vector<NodeId>& out) {
  // Not while a pattern is matched: its predicates drop the nodes whose value raises an error.
  if ((step.axis != Axis::kDescendant && step.axis != Axis::kChild) || step.kids.empty() || pattern_mode_ ||
      failed() || !shortcuts_) {
    return false;
  }
  const Expr& predicate = *step.kids[0];
  if (predicate.partition_key == Expr::kNoPartition || step.test.kind != NodeTest::Kind::kName ||
      step.test.name == xml::kNoName || doc_.node(node).kind == xml::NodeKind::kAttribute) {
    return false;
  }
  const Expr& key = ComparedWithLiteral(predicate);
  const std::string& literal = LiteralOf(predicate);
  const Groups* groups = Partition(step.test.name, key, predicate.partition_key);
  if (groups == nullptr) return false;
  auto group = groups->find(literal);
  if (group == groups->end()) return true;
  // The group's elements within the subtree of `node` (its children among them for a child step).
  const std::vector<NodeId>& all = group->second;
  auto begin = std::upper_bound(all.begin(), all.end(), node);
  auto end = std::upper_bound(begin, all.end(), doc_.LastDescendant(node));
  Spend(static_cast<uint64_t>(end - begin) + 1);
  if (step.axis == Axis::kDescendant) {
    out.insert(out.end(), begin, end);
  } else {
    for (auto it = begin; it != end; ++it) {
      if (doc_.node(*it).parent == node) out.push_back(*it);
    }
  }
  return true;
}

}  // namespace gw::formats::validation
