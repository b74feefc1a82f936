#include "formats/validation/class_plans.h"

namespace gw::formats::validation {

ClassPlanCache::ClassPlanCache() { plans_.emplace_back(); }

bool ClassPlanCache::Plans(const xml::Document& doc, const PathClasses& classes, const MakePlan& make,
                           std::vector<const Plan*>& out, std::vector<std::unique_ptr<Plan>>& made) {
  const size_t shared_names = xml::NameTable::Shared().size();
  std::vector<uint32_t> path(classes.size(), kNone);
  out.assign(classes.size(), nullptr);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // A class's parent class comes before it (classes are numbered in document order).
    for (PathClasses::ClassId c = 0; c < classes.size(); ++c) {
      const xml::Node& node = doc.node(classes.first(c));
      if (c == 0) {
        path[c] = 0;
      } else {
        uint32_t parent = path[classes.of(node.parent)];
        if (parent == kNone || (node.name != xml::kNoName && node.name >= shared_names)) continue;
        auto [it, added] = paths_.try_emplace(Key(parent, node.kind, node.name), static_cast<uint32_t>(plans_.size()));
        if (added) {
          if (plans_.size() >= kMaxPaths) {
            paths_.erase(it);
            continue;
          }
          plans_.emplace_back();
        }
        path[c] = it->second;
      }
      out[c] = plans_[path[c]].get();
    }
  }
  // Made outside the lock: matching runs the rules' predicates on this document.
  std::vector<std::pair<uint32_t, size_t>> to_remember;  // (path, index in made)
  for (PathClasses::ClassId c = 0; c < classes.size(); ++c) {
    if (out[c] != nullptr) continue;
    auto plan = std::make_unique<Plan>();
    if (!make(c, *plan)) return false;
    out[c] = plan.get();
    if (path[c] != kNone) to_remember.emplace_back(path[c], made.size());
    made.push_back(std::move(plan));
  }
  if (to_remember.empty()) return true;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto [p, i] : to_remember) {
    if (plans_[p] == nullptr) plans_[p] = std::move(made[i]);  // the object, and `out`, stay put
  }
  return true;
}

}  // namespace gw::formats::validation
