// Parses XPath 2.0 text (the subset in xpath_ast.h) into an Expr tree, resolving namespace
// prefixes, variable names and function names at compile time.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "formats/core/result.h"
#include "formats/validation/xpath_ast.h"

namespace gw::formats::validation {

struct CompileScope {
  // Namespace prefix -> URI, as declared by the rule set's <ns> elements.
  std::unordered_map<std::string, std::string> namespaces;
  // Variable name (without '$') -> id; new names get the next id.
  std::unordered_map<std::string, uint32_t>* variables = nullptr;
  // Function name as written (e.g. "normalize-space", "xs:decimal", "u:gln") and arity -> index
  // into the evaluator's function table, or -1 when there is no such function.
  std::function<int32_t(std::string_view name, size_t arity)> resolve_function;

  uint32_t Variable(const std::string& name) {
    auto [it, added] = variables->try_emplace(name, static_cast<uint32_t>(variables->size()));
    return it->second;
  }
};

// True when a predicate's value is certainly not a number, so it filters by its boolean value
// and never by position (then //x[p] equals /descendant::x[p]).
bool IsBooleanPredicate(const Expr& predicate);

// Errors are kInvalidArgument naming the position in `text`.
Result<ExprPtr> ParseXPath(std::string_view text, CompileScope& scope);

}  // namespace gw::formats::validation
