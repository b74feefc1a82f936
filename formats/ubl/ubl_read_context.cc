#include "formats/ubl/ubl_read_context.h"

#include <algorithm>
#include <cassert>

namespace gw::formats::ubl::internal {

NameId SharedName(std::string_view ns_uri, std::string_view local) {
  NameId id = xml::NameTable::Shared().Find(ns_uri, local);
  assert(id != xml::kNoName && "a UBL 2.1 name is missing from the shared name table");
  return id;
}

const UblNames& Names() {
  static const UblNames names;
  return names;
}

namespace {

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// xsd:decimal, xsd:date and xsd:boolean collapse surrounding whitespace (XML Schema Part 2,
// whiteSpace facet), so a pretty-printed "<cbc:Amount> 12.50 </cbc:Amount>" is 12.50.
std::string_view Collapse(std::string_view s) {
  while (!s.empty() && IsXmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsXmlSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The text as quoted in a message: at most 40 bytes, so a hostile megabyte is not echoed.
std::string Shown(std::string_view text) {
  constexpr size_t kMax = 40;
  if (text.size() <= kMax) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, kMax)) + "...'";
}

}  // namespace

void TotalsAsDeclared(model::Invoice& invoice) {
  const model::DeclaredTotals& d = invoice.declared_totals;
  model::Totals& t = invoice.totals;
  t.line_net_total = d.line_net_total.value_or(Decimal());
  t.allowance_total = d.allowance_total;
  t.charge_total = d.charge_total;
  t.tax_exclusive = d.tax_exclusive.value_or(Decimal());
  t.vat_total = d.vat_total.value_or(Decimal());
  t.tax_inclusive = d.tax_inclusive.value_or(Decimal());
  t.payable = d.payable.value_or(Decimal());
}

std::string ReadContext::Text(NodeId element) const {
  if (element == kNoNode) return {};
  std::string scratch;
  std::string_view value = doc_.StringValue(element, scratch);
  if (value.data() == scratch.data()) return scratch;  // already built in scratch: no copy
  return std::string(value);
}

std::string ReadContext::Attribute(NodeId element, NameId name) const {
  if (element == kNoNode) return {};
  NodeId a = doc_.Attribute(element, name);
  if (a == kNoNode) return {};
  return std::string(doc_.node(a).value);
}

model::Identifier ReadContext::Identifier(NodeId parent, NameId name) const {
  NodeId e = Child(parent, name);
  return model::Identifier{Text(e), Attribute(e, names_.attr.schemeID)};
}

std::optional<Decimal> ReadContext::Number(NodeId element) {
  if (element == kNoNode) return std::nullopt;
  std::string scratch;
  std::string_view raw = doc_.StringValue(element, scratch);
  std::string_view text = Collapse(raw);
  // xsd:decimal (XML Schema Part 2, 3.2.3.1): an optional sign, then digits with at most one '.'
  // and at least one digit; "5." and ".5" are valid, exponents are not. Decimal::Parse follows
  // the JSON grammar instead (exponents allowed, "5." and ".5" refused), so the grammar is
  // checked here and those two forms are rewritten before parsing.
  size_t digits = 0, points = 0, point_at = 0;
  size_t start = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
  bool lexical = text.size() > start;
  for (size_t i = start; i < text.size() && lexical; ++i) {
    if (text[i] >= '0' && text[i] <= '9') {
      ++digits;
    } else if (text[i] == '.') {
      ++points;
      point_at = i;
    } else {
      lexical = false;
    }
  }
  if (!lexical || digits == 0 || points > 1) {
    Add(prefix_ + ".number", element,
        Shown(raw) +
            " is not a decimal number: write digits with an optional sign and one '.', "
            "such as 1234.50 (no thousands separators, spaces inside or exponent)");
    return std::nullopt;
  }
  std::string rewritten;
  if (points == 1 && point_at == text.size() - 1) {  // "5." is 5
    rewritten.assign(text.substr(0, point_at));
  } else if (points == 1 && point_at == start) {  // ".5" is 0.5
    rewritten.assign(text.substr(0, start)).append("0").append(text.substr(start));
  }
  auto value = Decimal::Parse(rewritten.empty() ? text : std::string_view(rewritten));
  if (!value) {
    Add(prefix_ + ".number", element,
        value.error().message() +
            "; the gateway reads at most 38 significant digits and 30 "
            "decimal places exactly (amounts have at most 2 decimals)");
    return std::nullopt;
  }
  return *value;
}

std::optional<Date> ReadContext::DateValue(NodeId parent, NameId name) {
  NodeId element = Child(parent, name);
  if (element == kNoNode) return std::nullopt;
  std::string scratch;
  std::string_view text = Collapse(doc_.StringValue(element, scratch));
  auto date = Date::Parse(text);
  if (date) return *date;
  if (text.size() > 10 && Date::Parse(text.substr(0, 10))) {
    // xsd:date allows a time zone; EN16931 dates have none (PEPPOL-EN16931-F001).
    Add(prefix_ + ".date", element,
        Shown(text) +
            " has a time zone or time; an EN16931 date is YYYY-MM-DD only "
            "(PEPPOL-EN16931-F001): write " +
            std::string(text.substr(0, 10)));
  } else {
    Add(prefix_ + ".date", element,
        date.error().message() + "; write the date as YYYY-MM-DD, e.g. 2025-03-31");
  }
  return std::nullopt;
}

std::optional<bool> ReadContext::Boolean(NodeId element) {
  if (element == kNoNode) return std::nullopt;
  std::string scratch;
  std::string_view text = Collapse(doc_.StringValue(element, scratch));
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  Add(prefix_ + ".boolean", element, Shown(text) + " is not a boolean: write true or false");
  return std::nullopt;
}

void ReadContext::Add(std::string rule, NodeId node, std::string message) {
  findings_.emplace_back(
      node, Finding{std::move(rule), Finding::Severity::kFatal, Path(node), std::move(message)});
}

std::vector<Finding> ReadContext::TakeFindings() {
  // Node ids follow document order, so sorting by them lists the findings as the document reads.
  std::stable_sort(findings_.begin(), findings_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Finding> out;
  out.reserve(findings_.size());
  for (auto& [node, finding] : findings_) out.push_back(std::move(finding));
  findings_.clear();
  return out;
}

Error ReadContext::UnreadableValues(std::string_view document) {
  size_t n = findings_.size();
  return Error::InvalidInput("the " + std::string(document) + " has " + std::to_string(n) +
                                 (n == 1 ? " unreadable value" : " unreadable values"),
                             TakeFindings());
}

std::string ReadContext::Path(NodeId node) const {
  // The UBL root keeps its default namespace unprefixed, as UBL documents write it; the other
  // namespaces of the elements the readers report get their usual prefixes.
  return xml::ElementPath(doc_, node, [](std::string_view ns) -> std::string_view {
    if (ns == xml::kCacNs) return "cac:";
    if (ns == xml::kCbcNs) return "cbc:";
    if (ns == xml::kCiiNs) return "rsm:";
    if (ns == xml::kRamNs) return "ram:";
    if (ns == xml::kUdtNs) return "udt:";
    if (ns == xml::kQdtNs) return "qdt:";
    return "";
  });
}

}  // namespace gw::formats::ubl::internal
