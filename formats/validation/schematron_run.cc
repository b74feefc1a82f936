// Running a compiled rule set over a document (schematron.h): each pattern's nodes given to the
// first rule whose context matches them (decided per path class where names decide it, ContextPattern
// where predicates do), the rule variables, and every assertion of the rule at each node.
#include "formats/validation/schematron.h"

#include <algorithm>
#include <span>

#ifdef GW_RULE_PROFILE  // development aid: -DGW_RULE_PROFILE prints the slowest rules at exit
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
namespace {
std::map<std::string, double> g_rule_micros;
std::map<std::string, long> g_rule_calls;
struct RuleProfileDump {
  ~RuleProfileDump() {
    std::vector<std::pair<double, std::string>> v;
    for (auto& [k, t] : g_rule_micros) v.emplace_back(t, k);
    std::sort(v.rbegin(), v.rend());
    const char* rows = std::getenv("GW_RULE_PROFILE_ROWS");  // how many rows (default 40)
    const size_t limit = rows != nullptr ? std::strtoul(rows, nullptr, 10) : 40;
    for (size_t i = 0; i < v.size() && i < limit; ++i) std::fprintf(stderr, "%10.1f us %8ld  %s\n", v[i].first, g_rule_calls[v[i].second], v[i].second.c_str());
  }
} g_rule_profile_dump;
double NowMicros() {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace
#define GW_PROFILE_BEGIN(name) double gw_profile_start_##name = NowMicros()
// The key is built after the time is taken, so that only the clock read is in the measurement.
#define GW_PROFILE_END(name, key) do { double t_ = NowMicros() - gw_profile_start_##name; std::string k_ = key; g_rule_micros[k_] += t_; g_rule_calls[k_]++; } while (0)
#else
#define GW_PROFILE_BEGIN(name)
#define GW_PROFILE_END(name, key)
#endif

namespace gw::formats::validation {

void RuleSet::BuildDispatch() {
  for (Pattern& p : patterns_) {
    p.dispatch = std::all_of(p.rules.begin(), p.rules.end(), [](const Rule& r) { return r.match.has_value(); });
    if (!p.dispatch) continue;
    for (uint32_t r = 0; r < p.rules.size(); ++r) {
      const ContextPattern& m = *p.rules[r].match;
      if (m.any_name()) p.rules_any_name.push_back(r);
      for (xml::NameId name : m.names()) {
        if (name >= p.rules_by_name.size()) p.rules_by_name.resize(name + 1);
        p.rules_by_name[name].push_back(r);
      }
    }
  }
}

bool RuleSet::MakeClassPlan(Evaluator& ev, xml::NodeId first, ClassPlanCache::Plan& plan) const {
  // Per pattern, the rules that can match the class's name, in rule order, are sorted out on its
  // first node: those that cannot match the class are dropped, and the first that matches all of
  // it ends the list.
  static const std::vector<uint32_t> kNone;
  const xml::NameId name = ev.doc().node(first).name;
  plan.assign(patterns_.size(), 0);
  for (size_t p = 0; p < patterns_.size(); ++p) {
    const Pattern& pattern = patterns_[p];
    if (!pattern.dispatch) continue;
    const std::vector<uint32_t>& named = name < pattern.rules_by_name.size() ? pattern.rules_by_name[name] : kNone;
    const std::vector<uint32_t>& any = pattern.rules_any_name;
    if (named.empty() && any.empty()) continue;
    const size_t at = plan.size();
    plan.push_back(kNoRule);
    plan.push_back(0);
    size_t i = 0, j = 0;
    while (plan[at] == kNoRule && (i < named.size() || j < any.size())) {
      uint32_t r = j == any.size() || (i < named.size() && named[i] < any[j]) ? named[i++] : any[j++];
      ev.ClearError();
      switch (pattern.rules[r].match->MatchClass(ev, first)) {
        case ContextPattern::ClassMatch::kNever: break;
        case ContextPattern::ClassMatch::kAlways: plan[at] = r; break;
        case ContextPattern::ClassMatch::kPerNode:
          plan.push_back(r);
          ++plan[at + 1];
          break;
      }
      if (ev.exhausted()) return false;
    }
    if (plan[at] == kNoRule && plan[at + 1] == 0) {
      plan.resize(at);
    } else {
      plan[p] = static_cast<uint32_t>(at);
    }
  }
  // Then the patterns with a block, and last where that list starts (ClassesByPattern).
  const size_t listed = plan.size();
  for (size_t p = 0; p < patterns_.size(); ++p) {
    if (plan[p] != 0) plan.push_back(static_cast<uint32_t>(p));
  }
  plan.push_back(static_cast<uint32_t>(listed));
  return true;
}

void RuleSet::ClassesByPattern(const std::vector<const ClassPlanCache::Plan*>& plans, std::vector<uint32_t>& offsets,
                               std::vector<PathClasses::ClassId>& out) const {
  // A counting sort of (pattern, class) from each class's list of patterns: a class is offered
  // to the few patterns with a rule for it, not checked against every pattern.
  offsets.assign(patterns_.size() + 1, 0);
  for (const ClassPlanCache::Plan* plan : plans) {
    for (size_t i = plan->back(); i + 1 < plan->size(); ++i) ++offsets[(*plan)[i] + 1];
  }
  for (size_t p = 1; p < offsets.size(); ++p) offsets[p] += offsets[p - 1];
  out.resize(offsets.back());
  std::vector<uint32_t> next(offsets.begin(), offsets.end() - 1);
  for (PathClasses::ClassId c = 0; c < plans.size(); ++c) {
    const ClassPlanCache::Plan& plan = *plans[c];
    for (size_t i = plan.back(); i + 1 < plan.size(); ++i) out[next[plan[i]]++] = c;
  }
}

namespace {

// The VAT category contexts (cac:ClassifiedTaxCategory[normalize-space(cbc:ID) = 'AE'][...], then
// 'E', 'G', ... 'Z') and the identifier scheme contexts (cbc:EndpointID[@schemeID = '0088'], then
// '0192', ...) are offered the same node one after the other: the key is worked out once, and a
// context whose key predicate (ContextPattern::key_predicate) wants another value is not tried.
class KeyTest {
 public:
  // False when `match` certainly does not match `node`.
  bool MayMatch(Evaluator& ev, const ContextPattern& match, xml::NodeId node) {
    if (match.key_predicate() == nullptr || !ev.shortcuts()) return true;
    if (const uint32_t slot = match.key_slot(); slot_ != slot) {
      slot_ = slot;
      present_ = true;
      if (match.key_is_attribute()) {
        // "@schemeID = '0088'": the attribute's text; without the attribute no literal matches.
        const xml::NodeId attribute = ev.doc().Attribute(node, match.key().child_path[0]);
        present_ = attribute != xml::kNoNode;
        known_ = true;
        if (present_) value_ = ev.doc().StringValue(attribute, scratch_);
      } else {
        known_ = ev.KeyValue(match.key(), node, value_, scratch_);
        if (!known_ && !ev.exhausted()) ev.ClearError();  // Matches() meets the error itself
      }
    }
    return !known_ || (present_ && value_ == match.key_literal());
  }

 private:
  uint32_t slot_ = Expr::kNoPartition;
  bool known_ = false;
  bool present_ = true;
  std::string_view value_;
  std::string scratch_;

 public:
  // For the next node (the scratch string is kept).
  void Reset() { slot_ = Expr::kNoPartition; }
};

}  // namespace

bool RuleSet::AssignNodes(const Pattern& pattern, Evaluator& ev, const xml::Document& doc, const PathClasses& classes,
                          const std::vector<const ClassPlanCache::Plan*>& plans,
                          std::span<const PathClasses::ClassId> pattern_classes,
                          std::vector<std::pair<xml::NodeId, uint32_t>>& out, std::vector<uint32_t>& scratch_rules) const {
  out.clear();
  if (pattern.dispatch) {
    GW_PROFILE_BEGIN(dispatch);
    // Only the nodes of the classes some rule can match are visited, each offered the class's
    // rules in order (the first match wins) and, failing those, the one that matches all.
    const size_t p = static_cast<size_t>(&pattern - patterns_.data());
    std::vector<uint32_t>& rules = scratch_rules;
    KeyTest key;
    for (PathClasses::ClassId c : pattern_classes) {
      const ClassPlanCache::Plan& plan = *plans[c];
      const uint32_t at = plan[p];
      uint32_t always = plan[at];
      // What the plan (the same for every document) left to each node, narrowed by what this
      // document's classes tell for a class of several nodes: a rule none of the class's nodes
      // matches is dropped, and one all of them match ends the list.
      std::span<const uint32_t> per_node(plan.data() + at + 2, plan[at + 1]);
      if (classes.nodes(c).size() > 1) {
        rules.clear();
        for (uint32_t r : per_node) {
          const auto in_document = pattern.rules[r].match->MatchInDocument(ev, c);
          if (in_document == ContextPattern::ClassMatch::kNever) continue;
          if (in_document == ContextPattern::ClassMatch::kAlways) {
            always = r;
            break;
          }
          rules.push_back(r);
        }
        per_node = rules;
      }
      if (per_node.empty()) {  // every node goes to `always`, or to no rule of the pattern
        if (always != kNoRule) {
          for (xml::NodeId node : classes.nodes(c)) out.emplace_back(node, always);
        }
        continue;
      }
      for (xml::NodeId node : classes.nodes(c)) {
        uint32_t chosen = always;
        key.Reset();
        for (uint32_t r : per_node) {
          ev.ClearError();
          const ContextPattern& match = *pattern.rules[r].match;
          if (!key.MayMatch(ev, match, node)) continue;
          bool matched = match.Matches(ev, node, /*names_match=*/true);
          if (ev.exhausted()) return false;
          if (matched) {
            chosen = r;
            break;
          }
        }
        if (chosen != kNoRule) out.emplace_back(node, chosen);
      }
    }
    // Left in class order: Run() puts the pattern's findings in document order, and a valid
    // document has none to order (sorting a 1,000-line invoice's 40,000 pairs was 2 % of it).
    GW_PROFILE_END(dispatch, name_ + " context " + std::to_string(p) + " (dispatch)");
    return !ev.exhausted();
  }
  // Otherwise every rule's context selects its nodes from the root; a node goes to the first.
  std::vector<int32_t> assigned(doc.size(), -1);
  std::vector<xml::NodeId> nodes;
  for (size_t r = 0; r < pattern.rules.size(); ++r) {
    ev.ClearError();
    GW_PROFILE_BEGIN(context);
    ev.set_pattern_mode(true);
    Sequence selected = ev.Eval(*pattern.rules[r].context, Context{Item::Node(doc.root())});
    ev.set_pattern_mode(false);
    if (ev.exhausted()) return false;
    GW_PROFILE_END(context, name_ + " context " + std::to_string(&pattern - patterns_.data()) + "#" + std::to_string(r));
    if (ev.failed()) continue;
    for (const Item& n : selected) {
      if (!n.is_node() || assigned[n.node] != -1) continue;
      assigned[n.node] = static_cast<int32_t>(r);
      nodes.push_back(n.node);
    }
  }
  std::sort(nodes.begin(), nodes.end());
  for (xml::NodeId node : nodes) out.emplace_back(node, static_cast<uint32_t>(assigned[node]));
  return true;
}

void RuleSet::Run(const xml::Document& doc, const PathClasses& classes, std::vector<Finding>& findings,
                  uint64_t work_per_node, bool shortcuts) const {
  Evaluator ev(doc, functions_, variable_count_, regexes_);
  ev.set_shortcuts(shortcuts);
  ev.set_classes(&classes);
  std::shared_ptr<const Evaluator::NameOnlyMemo> name_only;
  {
    std::lock_guard<std::mutex> lock(name_only_mutex_);
    name_only = name_only_;
  }
  ev.set_shared_name_only(name_only.get());
  // Whatever way the run ends, the names it learnt are kept for the next documents.
  struct KeepNames {
    const RuleSet* set;
    const Evaluator& ev;
    const Evaluator::NameOnlyMemo* known;
    ~KeepNames() { set->KeepNameOnly(ev, known); }
  } keep_names{this, ev, name_only.get()};
  ev.set_work_limit(5'000'000 + work_per_node * doc.size());
  auto out_of_work = [&] {
    findings.push_back(Finding{"validation.limit", Finding::Severity::kFatal, "",
                               "the " + id() + " rules were stopped: the document needs more than " +
                                   std::to_string(work_per_node) +
                                   " evaluation steps per node (a hostile or pathological document); it is "
                                   "not accepted"});
  };
  for (const Constant& c : constants_) ev.SetConstant(c.var, &c.value, c.all_strings ? &c.strings : nullptr);
  Context root;
  root.item = Item::Node(doc.root());
  for (const Let& g : globals_) {
    ev.ClearError();
    GW_PROFILE_BEGIN(global);
    Sequence value;
    if (!ev.EvalAtomicLet(*g.value, root, value)) value = ev.Eval(*g.value, root);
    GW_PROFILE_END(global, "variable " + std::to_string(g.var));
    if (ev.failed()) {
      ev.SetVariableError(g.var, ev.error());
    } else {
      ev.SetVariable(g.var, std::move(value));
    }
  }
  std::vector<const ClassPlanCache::Plan*> plans;
  std::vector<std::unique_ptr<ClassPlanCache::Plan>> own_plans;
  auto make_plan = [&](PathClasses::ClassId c, ClassPlanCache::Plan& plan) {
    return MakeClassPlan(ev, classes.first(c), plan);
  };
  if (!class_plans_.Plans(doc, classes, make_plan, plans, own_plans)) return out_of_work();
  std::vector<uint32_t> offsets;
  std::vector<PathClasses::ClassId> by_pattern;
  ClassesByPattern(plans, offsets, by_pattern);
  std::vector<std::pair<xml::NodeId, uint32_t>> order;
  std::vector<std::pair<xml::NodeId, size_t>> found;  // (node, index in findings) of this pattern
  std::vector<int8_t> path_answers;  // ChildPathTrie::Answer
  std::vector<uint32_t> scratch_rules;  // AssignNodes
  std::vector<AttributeMemo> memos(memo_count_);
  std::string memo_key;
  for (size_t p = 0; p < patterns_.size(); ++p) {
    const Pattern& pattern = patterns_[p];
    const std::span<const PathClasses::ClassId> pattern_classes(by_pattern.data() + offsets[p],
                                                                by_pattern.data() + offsets[p + 1]);
    if (!AssignNodes(pattern, ev, doc, classes, plans, pattern_classes, order, scratch_rules)) return out_of_work();
    // Within a pattern, findings go in document order (the official SVRL's order), whatever
    // order AssignNodes gave the nodes in.
    const size_t pattern_start = findings.size();
    found.clear();
    for (auto [node, rule_index] : order) {
      const Rule& rule = pattern.rules[rule_index];
      Context ctx;
      ctx.item = Item::Node(node);
      for (const Let& let : rule.lets) {
        ev.ClearError();
        Sequence value;
        if (!ev.EvalAtomicLet(*let.value, ctx, value)) value = ev.Eval(*let.value, ctx);
        if (ev.failed()) {
          ev.SetVariableError(let.var, ev.error());
        } else {
          ev.SetVariable(let.var, std::move(value));
        }
      }
      // The child path tests of the only node of a class are answered together (ChildPathTrie).
      const bool by_trie = !rule.paths.empty() && ev.shortcuts() && classes.nodes(classes.of(node)).size() == 1;
      if (by_trie) rule.paths.Answer(classes, classes.of(node), path_answers);
      for (size_t i = 0; i < rule.assertions.size(); ++i) {
        const Assertion& a = rule.assertions[i];
        if (by_trie && a.in_trie && (path_answers[i] == 1) != a.negated) continue;
        ev.ClearError();
        GW_PROFILE_BEGIN(assertion);
        // Remembered for the values of the attributes the test reads (AttributeMemo), or evaluated.
        const bool memo = a.memo != Assertion::kNoMemo && ev.shortcuts();
        const AttributeMemo::Outcome* known = nullptr;
        if (memo) {
          AttributeMemo::Key(doc, node, a.memo_attributes, memo_key);
          known = memos[a.memo].Find(memo_key);
        }
        AttributeMemo::Outcome outcome;
        if (known == nullptr) {
          const int exists = by_trie && a.in_trie ? path_answers[i]
                             : a.path != nullptr  ? ev.ExistsByClasses(*a.path, node)
                                                  : -1;
          outcome.ok = exists >= 0 ? (exists == 1) != a.negated : ev.EvalBoolean(*a.test, ctx);
          if (ev.exhausted()) {
            OrderByNode(findings, pattern_start, found);
            return out_of_work();
          }
          outcome.failed = ev.failed();
          if (outcome.failed) outcome.error = ev.error();
          if (memo) memos[a.memo].Remember(memo_key, outcome);
          known = &outcome;
        }
        GW_PROFILE_END(assertion, a.id);
        if (known->ok && !known->failed) continue;
        std::string message = a.message;
        if (known->failed) message += " [the test could not be evaluated: " + known->error + "]";
        found.emplace_back(node, findings.size());
        findings.push_back(Finding{a.id, a.severity, NodePath(doc, node), std::move(message)});
      }
    }
    OrderByNode(findings, pattern_start, found);
  }
}

void RuleSet::KeepNameOnly(const Evaluator& ev, const Evaluator::NameOnlyMemo* known) const {
  const size_t shared = xml::NameTable::Shared().size();
  const Evaluator::NameOnlyMemo& learnt = ev.name_only_memo();
  auto is_new = [&](size_t slot, size_t name) {
    return known == nullptr || slot >= known->size() || name >= (*known)[slot].size() || (*known)[slot][name] < 0;
  };
  bool any = false;
  for (size_t slot = 0; slot < learnt.size() && !any; ++slot) {
    for (size_t name = 0; name < std::min(learnt[slot].size(), shared) && !any; ++name) {
      any = learnt[slot][name] >= 0 && is_new(slot, name);
    }
  }
  if (!any) return;
  std::lock_guard<std::mutex> lock(name_only_mutex_);
  auto merged = std::make_shared<Evaluator::NameOnlyMemo>(name_only_ != nullptr ? *name_only_ : Evaluator::NameOnlyMemo{});
  if (merged->size() < learnt.size()) merged->resize(learnt.size());
  for (size_t slot = 0; slot < learnt.size(); ++slot) {
    std::vector<int8_t>& row = (*merged)[slot];
    for (size_t name = 0; name < std::min(learnt[slot].size(), shared); ++name) {
      if (learnt[slot][name] < 0) continue;
      if (row.size() <= name) row.resize(name + 1, -1);
      row[name] = learnt[slot][name];
    }
  }
  name_only_ = std::move(merged);
}

void RuleSet::OrderByNode(std::vector<Finding>& findings, size_t start,
                          std::vector<std::pair<xml::NodeId, size_t>>& found) {
  // Stable by node: a node's findings keep their rule and assertion order.
  if (std::is_sorted(found.begin(), found.end())) return;
  std::sort(found.begin(), found.end());
  std::vector<Finding> ordered;
  ordered.reserve(found.size());
  for (auto [node, index] : found) ordered.push_back(std::move(findings[index]));
  std::move(ordered.begin(), ordered.end(), findings.begin() + static_cast<std::ptrdiff_t>(start));
}

std::string NodePath(const xml::Document& doc, xml::NodeId node) {
  std::vector<std::string> parts;
  for (xml::NodeId n = node; n != xml::kNoNode && n != doc.root(); n = doc.node(n).parent) {
    const xml::Node& x = doc.node(n);
    if (x.kind == xml::NodeKind::kAttribute) {
      parts.push_back("@" + std::string(doc.local_name(n)));
      continue;
    }
    if (x.kind == xml::NodeKind::kText) {
      parts.push_back("text()");
      continue;
    }
    std::string_view ns = doc.namespace_uri(n);
    std::string name = ns == xml::kCbcNs   ? "cbc:"
                       : ns == xml::kCacNs ? "cac:"
                       : ns == xml::kRamNs ? "ram:"
                       : ns == xml::kCiiNs ? "rsm:"
                       : ns == xml::kUdtNs ? "udt:"
                       : ns == xml::kQdtNs ? "qdt:"
                                           : "";
    name += doc.local_name(n);
    if (x.parent != doc.root()) {
      size_t index = 1;
      for (xml::NodeId s = doc.node(x.parent).first_child; s != n; s = doc.node(s).next_sibling) {
        if (doc.node(s).kind == xml::NodeKind::kElement && doc.node(s).name == x.name) ++index;
      }
      name += "[" + std::to_string(index) + "]";
    }
    parts.push_back(std::move(name));
  }
  std::string out;
  for (size_t i = parts.size(); i-- > 0;) out += "/" + parts[i];
  return out.empty() ? "/" : out;
}

}  // namespace gw::formats::validation
