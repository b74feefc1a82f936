#include "formats/validation/xpath_eval.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>
#include <cmath>

namespace gw::formats::validation {

using xml::kNoNode;
using xml::NodeId;
using xml::NodeKind;

namespace {

bool UsesVariableOrContext(const Expr& e, bool top) {
  if (e.op == Op::kVariable) return true;
  // A relative path or "." at the top level depends on the context; inside predicates it is
  // relative to the predicate's own context, which is fine.
  if (top && (e.op == Op::kContextItem)) return true;
  for (const auto& k : e.kids) {
    if (UsesVariableOrContext(*k, false)) return true;
  }
  return false;
}

bool StartsAtRoot(const Expr& e) {
  if (e.op == Op::kRoot) return true;
  if (e.op == Op::kPath) return StartsAtRoot(*e.kids[0]);
  return false;
}

}  // namespace

namespace {

// Literals, operators and string functions over name()/local-name() of the context node.
bool NameOnly(const Expr& e, bool& uses_name) {
  switch (e.op) {
    case Op::kLiteralString:
    case Op::kLiteralInteger:
    case Op::kLiteralDecimal:
    case Op::kLiteralDouble: return true;
    case Op::kFunctionCall:
      if ((e.text == "name" || e.text == "local-name") && e.kids.empty()) {
        uses_name = true;
        return true;
      }
      if (e.kids.empty()) return e.text == "true" || e.text == "false";
      if (e.text.rfind("u:", 0) == 0) return false;
      break;
    case Op::kAnd:
    case Op::kOr:
    case Op::kGeneralCompare:
    case Op::kValueCompare: break;
    default: return false;
  }
  for (const auto& k : e.kids) {
    if (!NameOnly(*k, uses_name)) return false;
  }
  return true;
}

}  // namespace

namespace {

// A text that identifies the expression: equal for expressions that compute the same thing.
void AppendKey(const Expr& e, std::string& out) {
  out += std::to_string(static_cast<int>(e.op));
  out += ',';
  out += std::to_string(static_cast<int>(e.compare));
  out += ',';
  out += std::to_string(static_cast<int>(e.axis));
  out += ',';
  out += std::to_string(static_cast<int>(e.test.kind));
  out += '{';
  out += e.test.ns_uri;
  out += '}';
  out += e.test.local;
  out += '|';
  out += e.text;
  out += '|';
  out += std::to_string(e.var);
  out += ',';
  out += std::to_string(e.function);
  out += e.optional_type ? "?" : "";
  out += '(';
  for (const auto& k : e.kids) {
    AppendKey(*k, out);
    out += ';';
  }
  out += ')';
}

uint32_t CacheSlot(const Expr& e) {
  static std::mutex mu;
  static std::unordered_map<std::string, uint32_t> slots;
  std::string key;
  AppendKey(e, key);
  std::lock_guard<std::mutex> lock(mu);
  return slots.emplace(std::move(key), static_cast<uint32_t>(slots.size())).first->second;
}

}  // namespace

void AnnotateForEvaluation(Expr& e) {
  if (e.op == Op::kPath && StartsAtRoot(e) && !UsesVariableOrContext(e, false)) {
    e.cacheable = true;
    e.cache_slot = CacheSlot(e);
  }
  bool uses_name = false;
  if (NameOnly(e, uses_name) && uses_name) {
    static std::atomic<uint32_t> next_slot{0};
    e.name_only = true;
    e.name_only_slot = next_slot++;
  }
  if (e.op == Op::kFunctionCall && e.text == "contains" && e.kids.size() == 2 &&
      e.kids[0]->op == Op::kLiteralString && e.kids[1]->op == Op::kFunctionCall && e.kids[1]->text == "concat" &&
      e.kids[1]->kids.size() == 3 && e.kids[1]->kids[0]->op == Op::kLiteralString &&
      e.kids[1]->kids[0]->text == " " && e.kids[1]->kids[2]->op == Op::kLiteralString &&
      e.kids[1]->kids[2]->text == " ") {
    auto tokens = std::make_shared<std::unordered_set<std::string>>();
    const std::string& list = e.kids[0]->text;
    size_t start = 0;
    while (start < list.size()) {
      size_t end = list.find(' ', start);
      if (end == std::string::npos) end = list.size();
      if (end > start) tokens->insert(list.substr(start, end - start));
      start = end + 1;
    }
    e.tokens = std::move(tokens);
  }
  if (e.op == Op::kLiteralInteger || e.op == Op::kLiteralDecimal) e.number_parsed = ParseXsDecimal(e.text, e.number);
  for (auto& k : e.kids) AnnotateForEvaluation(*k);
  Evaluator::AnnotateShape(e);  // after the kids, whose shapes it reads
  if (e.op == Op::kFunctionCall && (e.text == "sum" || e.text == "count") && e.kids.size() == 1 && !e.kids[0]->cacheable &&
      e.scalar == Evaluator::kAtomic) {
    e.memo_slot = CacheSlot(e);
  }
  if (e.op == Op::kGeneralCompare && e.compare == Comparison::kEq) {
    for (int side = 0; side < 2; ++side) {
      const Expr& s = *e.kids[1 - side];
      if (e.kids[side]->op == Op::kLiteralString && s.op == Op::kFunctionCall && s.string_fast == 1) {
        e.partition_key = CacheSlot(s);
      }
    }
  }
}

// ---- atomization and casts ----

Item Evaluator::Atomize(const Item& item) const {
  if (!item.is_node()) return item;
  std::string scratch;
  return Item::String(std::string(doc_.StringValue(item.node, scratch)), Type::kUntyped);
}

Sequence Evaluator::Atomize(const Sequence& s) const {
  Sequence out;
  out.reserve(s.size());
  for (const Item& i : s) out.push_back(Atomize(i));
  return out;
}

std::string Evaluator::StringOf(const Item& item) const {
  if (item.is_node()) {
    std::string scratch;
    return std::string(doc_.StringValue(item.node, scratch));
  }
  return AtomicToString(item);
}

bool Evaluator::SingleAtomic(const Sequence& s, Item& out, const char* what) {
  if (s.empty()) return false;
  if (s.size() > 1) {
    Fail(std::string("a sequence of more than one item is not allowed as ") + what);
    return false;
  }
  out = Atomize(s[0]);
  return true;
}

bool Evaluator::Cast(const Item& a, std::string_view type, Item& out) {
  if (type == "xs:string") {
    out = Item::String(AtomicToString(a));
    return true;
  }
  if (type == "xs:untypedAtomic") {
    out = Item::String(AtomicToString(a), Type::kUntyped);
    return true;
  }
  if (type == "xs:decimal" || type == "xs:integer") {
    bool integer = type == "xs:integer";
    Decimal d;
    switch (a.type) {
      case Type::kInteger:
      case Type::kDecimal: d = a.dec; break;
      case Type::kDouble:
        if (!DoubleToDecimal(a.dbl, d)) return false;
        break;
      case Type::kBoolean: d = Decimal::FromInt(a.boolean ? 1 : 0); break;
      case Type::kString:
      case Type::kUntyped:
        if (!(integer ? ParseXsInteger(a.str, d) : ParseXsDecimal(a.str, d))) return false;
        break;
      default: return false;
    }
    if (integer) {
      // Casting a decimal to integer truncates toward zero.
      Decimal floor = DecimalFloor(d);
      if (d.is_negative() && Compare(floor, d) != 0) floor = floor + Decimal::FromInt(1);
      out = Item::Integer(floor);
    } else {
      out = Item::Dec(d);
    }
    return true;
  }
  if (type == "xs:double" || type == "xs:float") {
    switch (a.type) {
      case Type::kInteger:
      case Type::kDecimal: out = Item::Double(DecimalToDouble(a.dec)); return true;
      case Type::kDouble: out = a; return true;
      case Type::kBoolean: out = Item::Double(a.boolean ? 1 : 0); return true;
      case Type::kString:
      case Type::kUntyped: {
        double d;
        if (!ParseXsDouble(a.str, d)) return false;
        out = Item::Double(d);
        return true;
      }
      default: return false;
    }
  }
  if (type == "xs:date") {
    if (a.type == Type::kDate) {
      out = a;
      return true;
    }
    if (a.type != Type::kString && a.type != Type::kUntyped) return false;
    if (!IsXsDate(a.str)) return false;
    std::string s = a.str;
    // Whitespace is collapsed for the cast.
    s.erase(0, s.find_first_not_of(" \t\r\n"));
    s.erase(s.find_last_not_of(" \t\r\n") + 1);
    out = Item::String(std::move(s), Type::kDate);
    return true;
  }
  if (type == "xs:boolean") {
    if (a.type == Type::kBoolean) {
      out = a;
      return true;
    }
    if (a.is_numeric()) {
      out = Item::Bool(a.type == Type::kDouble ? (a.dbl != 0 && !std::isnan(a.dbl)) : !a.dec.is_zero());
      return true;
    }
    std::string s = a.str;
    s.erase(0, s.find_first_not_of(" \t\r\n"));
    s.erase(s.find_last_not_of(" \t\r\n") + 1);
    if (s == "true" || s == "1") {
      out = Item::Bool(true);
    } else if (s == "false" || s == "0") {
      out = Item::Bool(false);
    } else {
      return false;
    }
    return true;
  }
  Fail("unsupported cast to " + std::string(type));
  return false;
}

bool Evaluator::ToNumber(const Item& a, Item& out) {
  if (a.is_numeric()) {
    out = a;
    return true;
  }
  if (a.type == Type::kUntyped) {
    double d;
    if (!ParseXsDouble(a.str, d)) {
      Fail("'" + a.str.substr(0, 40) + "' is not a number");
      return false;
    }
    out = Item::Double(d);
    return true;
  }
  Fail("arithmetic on a non-numeric value");
  return false;
}

namespace {

// Minutes from 1970-01-01T00:00Z to the start of a valid xs:date lexical form (proleptic
// Gregorian; a date without a timezone takes the implicit one, UTC, as the official validators'
// JVM does).
long long DateInstantMinutes(const std::string& s) {
  size_t i = 0;
  bool negative = !s.empty() && s[0] == '-';
  if (negative) ++i;
  size_t dash = s.find('-', i);
  long long y = std::stoll(s.substr(i, dash - i));
  if (negative) y = -y;
  long long m = std::stoll(s.substr(dash + 1, 2)), d = std::stoll(s.substr(dash + 4, 2));
  // Days from the civil date (the well-known era-based algorithm).
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  long long yoe = y - era * 400;
  long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  long long days = era * 146097 + doe - 719468;
  std::string zone = s.substr(dash + 6);
  long long offset = 0;
  if (zone.size() == 6) {
    offset = (zone[0] == '-' ? -1 : 1) * (std::stoll(zone.substr(1, 2)) * 60 + std::stoll(zone.substr(4, 2)));
  }
  return days * 1440 - offset;
}

template <typename T>
bool Apply(Comparison op, const T& a, const T& b) {
  switch (op) {
    case Comparison::kEq: return a == b;
    case Comparison::kNe: return a != b;
    case Comparison::kLt: return a < b;
    case Comparison::kLe: return a <= b;
    case Comparison::kGt: return a > b;
    case Comparison::kGe: return a >= b;
  }
  return false;
}

}  // namespace

namespace {

// Java's Double.compare: a total order in which -0.0 < 0.0 and NaN equals NaN and is above every
// other value.
int JavaDoubleCompare(double x, double y) {
  if (x < y) return -1;
  if (x > y) return 1;
  bool nx = std::isnan(x), ny = std::isnan(y);
  if (nx || ny) return nx == ny ? 0 : nx ? 1 : -1;
  bool sx = std::signbit(x), sy = std::signbit(y);
  return sx == sy ? 0 : sx ? -1 : 1;
}

// An optional '-' and 1 to 10 digits: what Saxon compares with an xs:integer as an integer.
bool IsPlainInteger(std::string_view s) {
  size_t start = !s.empty() && s[0] == '-' ? 1 : 0;
  if (s.size() <= start || s.size() - start > 10) return false;
  for (size_t i = start; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

}  // namespace

// An untyped value against a number in a general comparison, as Saxon-HE 9.9 (the engine of the
// official validators) does it: a plain integer against an xs:integer compares as integers;
// anything else as doubles with Java's Double.compare, so '-0.00' is below 0 and an untyped NaN
// equals NaN and is above every number (XPath and IEEE would say -0 = 0 and NaN is unordered).
bool Evaluator::CompareUntypedWithNumber(std::string_view untyped, const Item& number, Comparison op,
                                         bool untyped_on_left, bool& result) {
  std::string_view text = untyped;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' || text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  int cmp;
  Decimal integer;
  if (number.type == Type::kInteger && IsPlainInteger(text) && ParseXsInteger(text, integer)) {
    cmp = Compare(integer, number.dec);
  } else {
    double d;
    if (!ParseXsDouble(untyped, d)) {
      Fail("cannot compare '" + std::string(untyped.substr(0, 40)) + "' with a number");
      return false;
    }
    double n = number.type == Type::kDouble ? number.dbl : DecimalToDouble(number.dec);
    cmp = JavaDoubleCompare(d, n);
  }
  if (!untyped_on_left) cmp = -cmp;
  result = Apply(op, cmp, 0);
  return true;
}

bool Evaluator::CompareAtomic(const Item& a0, const Item& b0, Comparison op, bool general, bool& result) {
  // The common cases without copying the items: strings and untyped values compare as strings
  // (in both kinds of comparison), integers and decimals exactly.
  const bool a_text = a0.type == Type::kString || a0.type == Type::kUntyped;
  const bool b_text = b0.type == Type::kString || b0.type == Type::kUntyped;
  if (a_text && b_text) {
    result = Apply(op, a0.str, b0.str);
    return true;
  }
  const bool a_exact = a0.type == Type::kInteger || a0.type == Type::kDecimal;
  const bool b_exact = b0.type == Type::kInteger || b0.type == Type::kDecimal;
  if (a_exact && b_exact) {
    result = Apply(op, Compare(a0.dec, b0.dec), 0);
    return true;
  }
  const bool a_untyped = a0.type == Type::kUntyped, b_untyped = b0.type == Type::kUntyped;
  if (general && a_untyped != b_untyped && (a_untyped ? b0 : a0).is_numeric()) {
    return CompareUntypedWithNumber(a_untyped ? a0.str : b0.str, a_untyped ? b0 : a0, op, a_untyped, result);
  }
  Item a = a0, b = b0;
  // Untyped operands take the other side's type (general comparison) or are strings (value
  // comparison); two untyped operands compare as strings.
  auto settle = [&](Item& x, const Item& other) -> bool {
    if (x.type != Type::kUntyped) return true;
    if (!general || other.type == Type::kUntyped || other.type == Type::kString) {
      x.type = Type::kString;
      return true;
    }
    if (other.is_numeric()) {
      double d;
      if (!ParseXsDouble(x.str, d)) {
        Fail("cannot compare '" + x.str.substr(0, 40) + "' with a number");
        return false;
      }
      x = Item::Double(d);
      return true;
    }
    Item cast;
    if (!Cast(x, other.type == Type::kBoolean ? "xs:boolean" : "xs:date", cast)) {
      Fail("cannot convert '" + x.str.substr(0, 40) + "' for comparison");
      return false;
    }
    x = cast;
    return true;
  };
  if (!settle(a, b) || !settle(b, a)) return false;
  if (a.is_numeric() && b.is_numeric()) {
    if (a.type == Type::kDouble || b.type == Type::kDouble) {
      double x = a.type == Type::kDouble ? a.dbl : DecimalToDouble(a.dec);
      double y = b.type == Type::kDouble ? b.dbl : DecimalToDouble(b.dec);
      result = Apply(op, x, y);
    } else {
      result = Apply(op, Compare(a.dec, b.dec), 0);
    }
    return true;
  }
  if (a.type == Type::kDate && b.type == Type::kDate) {
    result = Apply(op, DateInstantMinutes(a.str), DateInstantMinutes(b.str));  // F&O 10.4
    return true;
  }
  if (a.type == Type::kString && b.type == Type::kString) {
    result = Apply(op, a.str, b.str);
    return true;
  }
  if (a.type == Type::kBoolean && b.type == Type::kBoolean) {
    result = Apply(op, a.boolean, b.boolean);
    return true;
  }
  Fail("cannot compare values of different types");
  return false;
}

Sequence Evaluator::Arithmetic(Op op, const Sequence& sa, const Sequence& sb) {
  Item a0, b0;
  if (!SingleAtomic(sa, a0, "an operand") || !SingleAtomic(sb, b0, "an operand")) return {};
  Item r;
  if (!ArithmeticItems(op, a0, b0, r)) return {};
  return {std::move(r)};
}

const char* DecimalArithmetic(Op op, const Decimal& a, const Decimal& b, bool& integers, Decimal& r) {
  switch (op) {
    case Op::kAdd: r = a + b; break;
    case Op::kSubtract: r = a - b; break;
    case Op::kMultiply: r = a * b; break;
    case Op::kDivide:
    case Op::kIntegerDivide:
    case Op::kModulo: {
      if (b.is_zero()) return "division by zero";
      if (op == Op::kDivide) {
        // max(18, scales) places, as Saxon divides decimals; fewer when the quotient would not
        // fit our 38 digits.
        int scale = std::min(std::max({18, a.scale(), b.scale()}), Decimal::kMaxScale);
        r = a.DividedBy(b, scale);
        while (r.overflow() && scale > 0) r = a.DividedBy(b, --scale);
        r = r.Normalized();
        integers = false;
        break;
      }
      // Truncating quotient.
      Decimal q = a.DividedBy(b, 6);
      Decimal t = DecimalFloor(q.Abs());
      if (q.is_negative()) t = -t;
      // DividedBy rounds at 6 places; correct a quotient that rounded up to the next integer.
      while (Compare((t * b).Abs(), a.Abs()) > 0) t = t.is_negative() ? t + Decimal::FromInt(1) : t - Decimal::FromInt(1);
      if (op == Op::kIntegerDivide) {
        if (t.overflow() || q.overflow()) return "decimal value beyond 38 digits (FOAR0002)";
        r = t;
        integers = true;
        return nullptr;
      }
      r = a - t * b;
      break;
    }
    default: return "";
  }
  // Saxon's decimals are unbounded; ours hold 38 digits. Beyond that the rule cannot be
  // evaluated (reported, never taken as zero).
  if (r.overflow()) return "decimal value beyond 38 digits (FOAR0002)";
  return nullptr;
}

bool Evaluator::ArithmeticItems(Op op, const Item& a0, const Item& b0, Item& out) {
  // Numbers as they are (most operands), others converted into a copy.
  Item converted_a, converted_b;
  if (!a0.is_numeric() && !ToNumber(a0, converted_a)) return false;
  if (!b0.is_numeric() && !ToNumber(b0, converted_b)) return false;
  const Item& a = a0.is_numeric() ? a0 : converted_a;
  const Item& b = b0.is_numeric() ? b0 : converted_b;
  bool use_double = a.type == Type::kDouble || b.type == Type::kDouble;
  if (use_double) {
    double x = a.type == Type::kDouble ? a.dbl : DecimalToDouble(a.dec);
    double y = b.type == Type::kDouble ? b.dbl : DecimalToDouble(b.dec);
    switch (op) {
      case Op::kAdd: out = Item::Double(x + y); return true;
      case Op::kSubtract: out = Item::Double(x - y); return true;
      case Op::kMultiply: out = Item::Double(x * y); return true;
      case Op::kDivide: out = Item::Double(x / y); return true;
      case Op::kModulo: out = Item::Double(std::fmod(x, y)); return true;
      case Op::kIntegerDivide: {
        if (y == 0 || std::isnan(x) || std::isnan(y) || std::isinf(x)) {
          Fail("integer division by zero or of a non-finite value");
          return false;
        }
        Decimal q;
        if (!DoubleToDecimal(std::trunc(x / y), q)) return false;
        out = Item::Integer(q);
        return true;
      }
      default: return false;
    }
  }
  bool integers = a.type == Type::kInteger && b.type == Type::kInteger;
  Decimal r;
  if (const char* error = DecimalArithmetic(op, a.dec, b.dec, integers, r)) {
    if (*error != '\0') Fail(error);
    return false;
  }
  out = integers ? Item::Integer(r) : Item::Dec(r);
  return true;
}

bool Evaluator::EffectiveBoolean(const Sequence& s) {
  if (s.empty()) return false;
  const Item& first = s[0];
  if (first.is_node()) return true;
  if (s.size() > 1) {
    Fail("the effective boolean value of a sequence of several atomic values is not defined");
    return false;
  }
  switch (first.type) {
    case Type::kBoolean: return first.boolean;
    case Type::kString:
    case Type::kUntyped: return !first.str.empty();
    case Type::kInteger:
    case Type::kDecimal: return !first.dec.is_zero();
    case Type::kDouble: return first.dbl != 0 && !std::isnan(first.dbl);
    default: Fail("no effective boolean value for a date"); return false;
  }
}

void Evaluator::SortUnique(Sequence& nodes) {
  std::sort(nodes.begin(), nodes.end(), [](const Item& a, const Item& b) { return a.node < b.node; });
  nodes.erase(std::unique(nodes.begin(), nodes.end(), [](const Item& a, const Item& b) { return a.node == b.node; }),
              nodes.end());
}

}  // namespace gw::formats::validation
