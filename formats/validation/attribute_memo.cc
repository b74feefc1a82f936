#include "formats/validation/attribute_memo.h"

#include <algorithm>
#include <cstring>

#include "formats/validation/xpath_eval.h"

namespace gw::formats::validation {

namespace {

// Functions that read nothing but their arguments. Those that read the context node when called
// without one (string(), normalize-space(), string-length(), name(), ...) are listed by the arity
// they are accepted with.
bool PureFunction(const char* name, size_t arity) {
  static const char* const kAnyArity[] = {"not",        "exists",      "empty",     "boolean",   "true",
                                          "false",      "concat",      "contains",  "starts-with", "ends-with",
                                          "substring",  "substring-before", "substring-after", "upper-case",
                                          "lower-case", "translate",   "matches",   "tokenize",  "replace",
                                          "count",      "sum",         "abs",       "round",     "floor",
                                          "ceiling",    "xs:decimal",  "xs:integer", "xs:string", "xs:double",
                                          "xs:date",    "string-join", "distinct-values", "index-of"};
  static const char* const kWithArgument[] = {"string", "normalize-space", "string-length", "number"};
  for (const char* f : kAnyArity) {
    if (std::strcmp(f, name) == 0) return true;
  }
  for (const char* f : kWithArgument) {
    if (std::strcmp(f, name) == 0) return arity == 1;
  }
  return false;
}

bool Reads(const Expr& e, const std::function<bool(uint32_t)>& fixed, std::vector<uint32_t>& bound,
           std::vector<xml::NameId>& attributes) {
  switch (e.op) {
    case Op::kLiteralString:
    case Op::kLiteralInteger:
    case Op::kLiteralDecimal:
    case Op::kLiteralDouble:
    case Op::kEmptySequence: return true;
    case Op::kVariable:
      return std::find(bound.begin(), bound.end(), e.var) != bound.end() || fixed(e.var);
    case Op::kStep:
      if (e.axis != Axis::kAttribute || !e.kids.empty() || e.test.kind != NodeTest::Kind::kName ||
          e.test.name == xml::kNoName) {
        return false;
      }
      if (std::find(attributes.begin(), attributes.end(), e.test.name) == attributes.end()) {
        attributes.push_back(e.test.name);
      }
      return true;
    case Op::kFunctionCall: {
      if (e.function < 0 || static_cast<size_t>(e.function) >= Builtins().size() ||
          !PureFunction(Builtins()[e.function].name, e.kids.size())) {
        return false;
      }
      break;
    }
    case Op::kFor:
    case Op::kLet:
    case Op::kSome:
    case Op::kEvery: {
      // Each binding's expression sees the variables bound before it.
      const size_t outer = bound.size();
      for (size_t i = 0; i < e.kids.size(); ++i) {
        if (!Reads(*e.kids[i], fixed, bound, attributes)) return false;
        if (i < e.vars.size()) bound.push_back(e.vars[i]);
      }
      bound.resize(outer);
      return true;
    }
    case Op::kSequence:
    case Op::kOr:
    case Op::kAnd:
    case Op::kGeneralCompare:
    case Op::kValueCompare:
    case Op::kIf: break;
    default:
      if (!IsArithmetic(e.op)) return false;  // paths, ".", filters, unions, casts, ...
      break;
  }
  for (const auto& k : e.kids) {
    if (!Reads(*k, fixed, bound, attributes)) return false;
  }
  return true;
}

}  // namespace

bool ReadsAttributesOnly(const Expr& e, const std::function<bool(uint32_t var)>& fixed,
                         std::vector<xml::NameId>& attributes) {
  std::vector<uint32_t> bound;
  attributes.clear();
  const bool only = Reads(e, fixed, bound, attributes);
  if (!only) attributes.clear();
  return only;
}

void AttributeMemo::Key(const xml::Document& doc, xml::NodeId node, const std::vector<xml::NameId>& attributes,
                        std::string& out) {
  out.clear();
  std::string scratch;
  for (xml::NameId name : attributes) {
    const xml::NodeId a = doc.Attribute(node, name);
    if (a == xml::kNoNode) {
      out += '0';
      continue;
    }
    const std::string_view value = doc.StringValue(a, scratch);
    out += '1';
    out += std::to_string(value.size());  // values may hold any byte: lengths keep keys apart
    out += ':';
    out += value;
  }
}

}  // namespace gw::formats::validation
