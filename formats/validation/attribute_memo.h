// Assertions that depend on their context node only through some of its attributes: the
// currency and unit code lists of every amount and quantity (BR-CL-03, BR-CL-23,
// PEPPOL-EN16931-CL007, @currencyID = $documentCurrencyCode of PEPPOL-EN16931-R051) are asked
// of thousands of nodes of a large invoice, and their attributes take a handful of values. The
// outcome of such an assertion is remembered per document by the values of those attributes.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "formats/validation/xpath_ast.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::validation {

// Whether `e` reads its context node through attribute steps (@name, names of the shared table)
// only, and otherwise only literals, the variables `fixed` accepts (the same for a whole document:
// rule set variables and constants), variables it binds itself, operators and functions that do
// not read the context (no paths, no ".", no position(), no name(), no argument-less string
// functions, no user functions). The attribute names go to `attributes` (without repeats).
bool ReadsAttributesOnly(const Expr& e, const std::function<bool(uint32_t var)>& fixed,
                         std::vector<xml::NameId>& attributes);

// The outcomes remembered for one assertion in one document, by attribute values.
class AttributeMemo {
 public:
  struct Outcome {
    bool ok = false;
    bool failed = false;  // the test could not be evaluated
    std::string error;    // then the evaluator's message
  };
  // The key of `node` for `attributes`: each attribute's presence and value.
  static void Key(const xml::Document& doc, xml::NodeId node, const std::vector<xml::NameId>& attributes,
                  std::string& out);
  const Outcome* Find(const std::string& key) const {
    auto it = outcomes_.find(key);
    return it == outcomes_.end() ? nullptr : &it->second;
  }
  void Remember(const std::string& key, Outcome outcome) {
    // A document whose attributes all differ would only fill the table: bounded.
    if (outcomes_.size() < kMaxOutcomes) outcomes_.emplace(key, std::move(outcome));
  }
  static constexpr size_t kMaxOutcomes = 256;

 private:
  std::unordered_map<std::string, Outcome> outcomes_;
};

}  // namespace gw::formats::validation
