// Decisions about path classes kept across documents. What a rule set decides for a path class
// from the kinds and names along its path alone (which rules of each pattern can take its nodes:
// ContextPattern::MatchClass) is the same in every document where that path occurs, and the
// documents a gateway sees share most of their paths. Decided once per path for all documents, a
// small invoice is left with only the predicates that need its nodes: matching its ~300 classes
// against every rule context of every pattern was a third of its validation.
//
// A path is only remembered when it is made of names of the shared, frozen name table (those have
// the same id in every document; the others are numbered per document), and only up to a fixed
// number of paths, so that a stream of documents with made-up names cannot grow it without bound.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "formats/validation/path_classes.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::validation {

class ClassPlanCache {
 public:
  // What the rule set decided for one class (its layout is the rule set's business).
  using Plan = std::vector<uint32_t>;
  // Decides for class `c` of the document being validated; false when it could not (the work
  // budget ran out).
  using MakePlan = std::function<bool(PathClasses::ClassId c, Plan& out)>;

  ClassPlanCache();

  // The plan of every class of `classes` (of `doc`), in `out`: remembered ones, and the others
  // made by `make`, remembered where their path allows. `made` owns the plans that were not
  // remembered (another thread made the same one first, or the path cannot be). False when `make`
  // failed; `out` is then incomplete.
  bool Plans(const xml::Document& doc, const PathClasses& classes, const MakePlan& make,
             std::vector<const Plan*>& out, std::vector<std::unique_ptr<Plan>>& made);

  // A document kind has a few hundred paths (a 1,000-line UBL invoice some 300); this many leaves room
  // for every kind a gateway sees, at a few megabytes at most.
  static constexpr size_t kMaxPaths = 1 << 15;

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  static uint64_t Key(uint32_t parent, xml::NodeKind kind, xml::NameId name) {
    return (static_cast<uint64_t>(parent) << 34) | (static_cast<uint64_t>(kind) << 32) | name;
  }

  std::mutex mutex_;
  // (parent path, kind, name) -> path; path 0 is the document node.
  std::unordered_map<uint64_t, uint32_t> paths_;
  std::vector<std::unique_ptr<Plan>> plans_;  // per path; null until made
};

}  // namespace gw::formats::validation
