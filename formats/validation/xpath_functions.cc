// The XPath 2.0 functions the official rules call, with XPath's semantics (string positions
// in code points, round half up, untyped values promoted to double in sum(), ...).
#include <algorithm>
#include <cmath>

#include "formats/validation/xpath_eval.h"

namespace gw::formats::validation {
namespace {

using Args = std::vector<Sequence>;

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The string of an optional single item ("" for the empty sequence).
std::string Str(Evaluator& ev, const Sequence& s) {
  if (s.empty()) return "";
  if (s.size() > 1) {
    ev.Fail("a sequence of more than one item where one string is expected");
    return "";
  }
  return ev.StringOf(s[0]);
}

std::string ContextString(Evaluator& ev, const Args& a, const Context& ctx) {
  return a.empty() ? ev.StringOf(ctx.item) : Str(ev, a[0]);
}

double NumberOf(Evaluator& ev, const Sequence& s) {
  if (s.empty()) return std::nan("");
  if (s.size() > 1) {  // the parameter is xs:anyAtomicType? (XPTY0004)
    ev.Fail("a sequence of more than one item is not allowed as the argument of number()");
    return std::nan("");
  }
  Item a = ev.Atomize(s[0]);
  switch (a.type) {
    case Type::kDouble: return a.dbl;
    case Type::kInteger:
    case Type::kDecimal: return DecimalToDouble(a.dec);
    case Type::kBoolean: return a.boolean ? 1 : 0;
    default: {
      double d;
      return ParseXsDouble(a.str, d) ? d : std::nan("");
    }
  }
}

std::string NormalizeSpace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : s) {
    if (IsXmlSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// XSD regular expressions in the rules are simple; std::regex ECMAScript reads them the same way
// except for the XSD-only classes \i and \c.
std::string ToEcmaScript(const std::string& xsd) {
  std::string out;
  for (size_t i = 0; i < xsd.size(); ++i) {
    if (xsd[i] == '\\' && i + 1 < xsd.size()) {
      char n = xsd[i + 1];
      if (n == 'i') {
        out += "[A-Za-z_:]";
        ++i;
        continue;
      }
      if (n == 'c') {
        out += "[-A-Za-z0-9._:]";
        ++i;
        continue;
      }
      out += xsd[i];
      out += n;
      ++i;
      continue;
    }
    out += xsd[i];
  }
  return out;
}

const std::regex* Regex(Evaluator& ev, const Args& a, size_t pattern_index, size_t flags_index) {
  std::string pattern = Str(ev, a[pattern_index]);
  std::string flags = a.size() > flags_index ? Str(ev, a[flags_index]) : "";
  const std::regex* re = ev.regexes().Get(pattern, flags);
  if (re == nullptr) ev.Fail("invalid regular expression '" + pattern + "'");
  return re;
}

// The text a regular expression without metacharacters matches ("-", "\\|"), in `literal`;
// false for any other expression (and for the empty one, which matches the empty string).
bool LiteralPattern(std::string_view pattern, std::string& literal) {
  static constexpr std::string_view kMeta = ".[](){}*+?^$|\\-";
  literal.clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size() || kMeta.find(pattern[i + 1]) == std::string_view::npos) return false;  // \s, \d...
      literal += pattern[++i];
    } else if (kMeta.find(c) != std::string_view::npos && c != '-') {
      return false;
    } else {
      literal += c;
    }
  }
  return !literal.empty();
}

Item Numeric(Evaluator& ev, const Sequence& s, bool& ok) {
  Item a, n;
  ok = false;
  if (!ev.SingleAtomic(s, a, "a numeric argument")) return n;
  if (!ev.ToNumber(a, n)) return n;
  ok = true;
  return n;
}

#define FN(name) void name(Evaluator& ev, Args& a, const Context& ctx, Sequence& out)
#define UNUSED (void)ev, (void)a, (void)ctx

FN(Not) { UNUSED; out.push_back(Item::Bool(!ev.EffectiveBoolean(a[0]))); }
FN(True) { UNUSED; out.push_back(Item::Bool(true)); }
FN(False) { UNUSED; out.push_back(Item::Bool(false)); }
FN(Boolean) { UNUSED; out.push_back(Item::Bool(ev.EffectiveBoolean(a[0]))); }
FN(Exists) { UNUSED; out.push_back(Item::Bool(!a[0].empty())); }
FN(Empty) { UNUSED; out.push_back(Item::Bool(a[0].empty())); }
FN(Count) { UNUSED; out.push_back(Item::Integer(Decimal::FromInt(static_cast<int64_t>(a[0].size())))); }
FN(Data) { UNUSED; out = ev.Atomize(a[0]); }
FN(Reverse) { UNUSED; out.assign(a[0].rbegin(), a[0].rend()); }
FN(Last) { UNUSED; out.push_back(Item::Integer(Decimal::FromInt(static_cast<int64_t>(ctx.size)))); }
FN(Position) { UNUSED; out.push_back(Item::Integer(Decimal::FromInt(static_cast<int64_t>(ctx.position)))); }

FN(Sum) {
  UNUSED;
  Sequence values = ev.Atomize(a[0]);
  if (values.empty()) {
    out = a.size() > 1 ? a[1] : Sequence{Item::Integer(Decimal())};
    return;
  }
  Item total;
  bool first = true;
  for (const Item& v : values) {
    Item n;
    if (!ev.ToNumber(v, n)) return;
    if (first) {
      total = n;
      first = false;
      continue;
    }
    Item sum;
    if (!ev.ArithmeticItems(Op::kAdd, total, n, sum)) return;
    total = std::move(sum);
  }
  out.push_back(total);
}

FN(String) { out.push_back(Item::String(ContextString(ev, a, ctx))); }
FN(Number) {
  UNUSED;
  out.push_back(Item::Double(a.empty() ? NumberOf(ev, {ctx.item}) : NumberOf(ev, a[0])));
}
FN(NormalizeSpaceFn) { out.push_back(Item::String(NormalizeSpace(ContextString(ev, a, ctx)))); }
// Case mapping of the scripts of European invoices (ASCII, Latin-1, Latin Extended-A, Greek,
// Cyrillic), without depending on the process locale: "Godkänd" -> "GODKÄND" as in the rules.
uint32_t ToUpper(uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0x80) return c;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 0x20;
  if (c == 0xFF) return 0x178;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c & 1 ? c - 1 : c;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return c & 1 ? c : c - 1;
  if (c == 0x3C2) return 0x3A3;
  if (c >= 0x3B1 && c <= 0x3C9) return c - 0x20;
  if (c >= 0x430 && c <= 0x44F) return c - 0x20;
  if (c >= 0x450 && c <= 0x45F) return c - 0x50;
  return c;
}
uint32_t ToLower(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 0x20;
  if (c == 0x178) return 0xFF;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c & 1 ? c : c + 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return c & 1 ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}
std::string MapCase(const std::string& s, uint32_t (*map)(uint32_t)) {
  bool ascii = true;
  for (char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  std::string r;
  if (ascii) {
    r = s;
    for (char& c : r) c = static_cast<char>(map(static_cast<unsigned char>(c)));
    return r;
  }
  for (uint32_t cp : CodePoints(s)) AppendCodePoint(r, map(cp));
  return r;
}
FN(UpperCase) { UNUSED; out.push_back(Item::String(MapCase(Str(ev, a[0]), ToUpper))); }
FN(LowerCase) { UNUSED; out.push_back(Item::String(MapCase(Str(ev, a[0]), ToLower))); }
FN(Contains) { UNUSED; out.push_back(Item::Bool(Str(ev, a[0]).find(Str(ev, a[1])) != std::string::npos)); }
FN(StartsWith) { UNUSED; out.push_back(Item::Bool(Str(ev, a[0]).rfind(Str(ev, a[1]), 0) == 0)); }
FN(EndsWith) {
  UNUSED;
  std::string s = Str(ev, a[0]), t = Str(ev, a[1]);
  out.push_back(Item::Bool(s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0));
}
FN(SubstringBefore) {
  UNUSED;
  std::string s = Str(ev, a[0]), t = Str(ev, a[1]);
  size_t p = s.find(t);
  out.push_back(Item::String(p == std::string::npos ? "" : s.substr(0, p)));
}
FN(SubstringAfter) {
  UNUSED;
  std::string s = Str(ev, a[0]), t = Str(ev, a[1]);
  size_t p = s.find(t);
  out.push_back(Item::String(p == std::string::npos ? "" : s.substr(p + t.size())));
}
FN(Substring) {
  UNUSED;
  std::vector<uint32_t> cps = CodePoints(Str(ev, a[0]));
  double start = std::floor(NumberOf(ev, a[1]) + 0.5);
  double end = a.size() > 2 ? start + std::floor(NumberOf(ev, a[2]) + 0.5) : HUGE_VAL;
  std::string r;
  for (size_t i = 0; i < cps.size(); ++i) {
    double p = static_cast<double>(i + 1);
    if (p >= start && p < end) AppendCodePoint(r, cps[i]);
  }
  out.push_back(Item::String(std::move(r)));
}
FN(StringLength) {
  std::string s = ContextString(ev, a, ctx);
  out.push_back(Item::Integer(Decimal::FromInt(static_cast<int64_t>(CodePoints(s).size()))));
}
FN(Concat) {
  UNUSED;
  std::string r;
  for (const Sequence& s : a) r += Str(ev, s);
  out.push_back(Item::String(std::move(r)));
}
FN(StringJoin) {
  UNUSED;
  std::string sep = a.size() > 1 ? Str(ev, a[1]) : "";
  std::string r;
  for (size_t i = 0; i < a[0].size(); ++i) {
    if (i > 0) r += sep;
    r += ev.StringOf(a[0][i]);
  }
  out.push_back(Item::String(std::move(r)));
}
FN(Translate) {
  UNUSED;
  std::vector<uint32_t> s = CodePoints(Str(ev, a[0])), from = CodePoints(Str(ev, a[1])), to = CodePoints(Str(ev, a[2]));
  std::string r;
  for (uint32_t c : s) {
    auto it = std::find(from.begin(), from.end(), c);
    if (it == from.end()) {
      AppendCodePoint(r, c);
    } else if (static_cast<size_t>(it - from.begin()) < to.size()) {
      AppendCodePoint(r, to[it - from.begin()]);
    }
  }
  out.push_back(Item::String(std::move(r)));
}
FN(StringToCodepoints) {
  UNUSED;
  for (uint32_t c : CodePoints(Str(ev, a[0]))) out.push_back(Item::Integer(Decimal::FromInt(c)));
}
FN(CodepointsToString) {
  UNUSED;
  std::string r;
  for (const Item& i : ev.Atomize(a[0])) {
    Item n;
    if (!ev.Cast(i, "xs:integer", n)) return ev.Fail("codepoints-to-string needs integers");
    AppendCodePoint(r, static_cast<uint32_t>(DecimalToDouble(n.dec)));
  }
  out.push_back(Item::String(std::move(r)));
}

// round(), abs(), floor(), ceiling(): the empty sequence stays empty; untyped becomes double;
// integers and decimals stay exact.
void NumericUnary(Evaluator& ev, const Sequence& arg, Sequence& out, std::string_view name) {
  if (arg.empty()) return;
  bool ok;
  Item n = Numeric(ev, arg, ok);
  if (!ok) return;
  XPathNumericUnary(name, n);
  out.push_back(n);
}

FN(Round) { UNUSED; NumericUnary(ev, a[0], out, "round"); }
FN(Abs) { UNUSED; NumericUnary(ev, a[0], out, "abs"); }
FN(Floor) { UNUSED; NumericUnary(ev, a[0], out, "floor"); }
FN(Ceiling) { UNUSED; NumericUnary(ev, a[0], out, "ceiling"); }

FN(Matches) {
  UNUSED;
  std::string s = Str(ev, a[0]);
  const std::regex* re = Regex(ev, a, 1, 2);
  if (re != nullptr) out.push_back(Item::Bool(std::regex_search(s, *re)));
}
FN(Replace) {
  UNUSED;
  std::string s = Str(ev, a[0]);
  const std::regex* re = Regex(ev, a, 1, 3);
  if (re != nullptr) out.push_back(Item::String(std::regex_replace(s, *re, Str(ev, a[2]))));
}
FN(Tokenize) {
  UNUSED;
  std::string s = Str(ev, a[0]);
  if (s.empty()) return;
  std::string pattern = Str(ev, a[1]);
  if (pattern == "\\s" || pattern == "\\s+") {  // the code lists: split without a regex
    // Each whitespace character (\s) or run of them (\s+) separates two tokens; a separator at
    // either end gives a zero-length token there, as the regular expression does.
    const bool runs = pattern == "\\s+";
    size_t start = 0;
    for (size_t i = 0; i < s.size();) {
      if (!IsXmlSpace(s[i])) {
        ++i;
        continue;
      }
      out.push_back(Item::String(s.substr(start, i - start)));
      ++i;
      while (runs && i < s.size() && IsXmlSpace(s[i])) ++i;
      start = i;
    }
    out.push_back(Item::String(s.substr(start)));
    return;
  }
  std::string separator;
  if (LiteralPattern(pattern, separator) && (a.size() < 3 || Str(ev, a[2]).empty())) {
    // ':', '-', '/', '\|': split without a regular expression.
    size_t start = 0;
    for (size_t at = s.find(separator); at != std::string::npos; at = s.find(separator, start)) {
      out.push_back(Item::String(s.substr(start, at - start)));
      start = at + separator.size();
    }
    out.push_back(Item::String(s.substr(start)));
    return;
  }
  const std::regex* re = Regex(ev, a, 1, 2);
  if (re == nullptr) return;
  auto it = std::sregex_iterator(s.begin(), s.end(), *re);
  size_t last = 0;
  for (; it != std::sregex_iterator(); ++it) {
    out.push_back(Item::String(s.substr(last, static_cast<size_t>(it->position()) - last)));
    last = static_cast<size_t>(it->position() + it->length());
  }
  out.push_back(Item::String(s.substr(last)));
}

std::string_view PrefixFor(std::string_view ns) {
  if (ns == xml::kCbcNs) return "cbc:";
  if (ns == xml::kCacNs) return "cac:";
  if (ns == "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2") return "ext:";
  return "";
}
FN(Name) {
  UNUSED;
  if (!a.empty() && a[0].size() > 1) return ev.Fail("name() of more than one node");
  const Item& n = a.empty() ? ctx.item : (a[0].empty() ? Item() : a[0][0]);
  if (!n.is_node()) return out.push_back(Item::String(""));
  const xml::Document& d = ev.doc();
  out.push_back(Item::String(std::string(PrefixFor(d.namespace_uri(n.node))) + std::string(d.local_name(n.node))));
}
FN(LocalName) {
  UNUSED;
  if (!a.empty() && a[0].size() > 1) return ev.Fail("local-name() of more than one node");
  const Item& n = a.empty() ? ctx.item : (a[0].empty() ? Item() : a[0][0]);
  out.push_back(Item::String(n.is_node() ? std::string(ev.doc().local_name(n.node)) : ""));
}
FN(DistinctValues) {
  UNUSED;
  for (const Item& v : ev.Atomize(a[0])) {
    bool seen = false;
    for (const Item& o : out) {
      bool eq = false;
      std::string saved = ev.error();
      if (ev.CompareAtomic(v, o, Comparison::kEq, false, eq) && eq) seen = true;
      if (saved.empty()) ev.ClearError();
      if (seen) break;
    }
    if (!seen) out.push_back(v.type == Type::kUntyped ? Item::String(v.str) : v);
  }
}

template <const char* kType>
FN(CastTo) {
  UNUSED;
  Item v;
  if (!ev.SingleAtomic(a[0], v, "a cast argument")) return;
  Item r;
  if (!ev.Cast(v, kType, r)) {
    std::string text = ev.StringOf(v);
    if ((v.type == Type::kString || v.type == Type::kUntyped) && std::string_view(kType) != "xs:date" &&
        IsXsDecimalLexical(text)) {
      return ev.Fail("decimal value beyond 38 digits (" + text.substr(0, 60) + ")");
    }
    return ev.Fail(std::string("'") + text.substr(0, 40) + "' is not a valid " + kType);
  }
  out.push_back(std::move(r));
}
constexpr char kXsDecimal[] = "xs:decimal";
constexpr char kXsInteger[] = "xs:integer";
constexpr char kXsDate[] = "xs:date";
constexpr char kXsString[] = "xs:string";
constexpr char kXsDouble[] = "xs:double";
constexpr char kXsBoolean[] = "xs:boolean";

}  // namespace

bool XPathDecimalUnary(std::string_view name, Decimal& d) {
  if (name == "round") {
    d = DecimalRoundHalfUp(d);
  } else if (name == "abs") {
    d = d.Abs();
  } else if (name == "floor") {
    d = DecimalFloor(d);
  } else if (name == "ceiling") {
    d = -DecimalFloor(-d);
  } else {
    return false;
  }
  return true;
}

bool XPathNumericUnary(std::string_view name, Item& n) {
  if (n.type != Type::kDouble) return XPathDecimalUnary(name, n.dec);
  if (name == "round") {
    // F&O: a negative argument that rounds to zero (-0.5 <= x <= -0.0) gives -0.0, which compares
    // below 0.0 where Saxon compares untyped values as Java doubles.
    if (std::isfinite(n.dbl)) {
      double r = std::floor(n.dbl + 0.5);
      n.dbl = r == 0 && std::signbit(n.dbl) ? -0.0 : r;
    }
  } else if (name == "abs") {
    n.dbl = std::fabs(n.dbl);
  } else if (name == "floor") {
    n.dbl = std::floor(n.dbl);
  } else if (name == "ceiling") {
    n.dbl = std::ceil(n.dbl);
  } else {
    return false;
  }
  return true;
}

const std::vector<BuiltinFunction>& Builtins() {
  static const std::vector<BuiltinFunction> kFunctions = {
      {"not", 1, 1, Not},
      {"true", 0, 0, True},
      {"false", 0, 0, False},
      {"boolean", 1, 1, Boolean},
      {"exists", 1, 1, Exists},
      {"empty", 1, 1, Empty},
      {"count", 1, 1, Count},
      {"data", 1, 1, Data},
      {"reverse", 1, 1, Reverse},
      {"last", 0, 0, Last},
      {"position", 0, 0, Position},
      {"sum", 1, 2, Sum},
      {"string", 0, 1, String},
      {"number", 0, 1, Number},
      {"normalize-space", 0, 1, NormalizeSpaceFn},
      {"upper-case", 1, 1, UpperCase},
      {"lower-case", 1, 1, LowerCase},
      {"contains", 2, 2, Contains},
      {"starts-with", 2, 2, StartsWith},
      {"ends-with", 2, 2, EndsWith},
      {"substring-before", 2, 2, SubstringBefore},
      {"substring-after", 2, 2, SubstringAfter},
      {"substring", 2, 3, Substring},
      {"string-length", 0, 1, StringLength},
      {"concat", 2, -1, Concat},
      {"string-join", 1, 2, StringJoin},
      {"translate", 3, 3, Translate},
      {"string-to-codepoints", 1, 1, StringToCodepoints},
      {"codepoints-to-string", 1, 1, CodepointsToString},
      {"round", 1, 1, Round},
      {"abs", 1, 1, Abs},
      {"floor", 1, 1, Floor},
      {"ceiling", 1, 1, Ceiling},
      {"matches", 2, 3, Matches},
      {"replace", 3, 4, Replace},
      {"tokenize", 2, 3, Tokenize},
      {"name", 0, 1, Name},
      {"local-name", 0, 1, LocalName},
      {"distinct-values", 1, 1, DistinctValues},
      {"xs:decimal", 1, 1, CastTo<kXsDecimal>},
      {"xs:integer", 1, 1, CastTo<kXsInteger>},
      {"xs:date", 1, 1, CastTo<kXsDate>},
      {"xs:string", 1, 1, CastTo<kXsString>},
      {"xs:double", 1, 1, CastTo<kXsDouble>},
      {"xs:boolean", 1, 1, CastTo<kXsBoolean>},
  };
  return kFunctions;
}

int32_t FindBuiltin(std::string_view name, size_t arity) {
  const auto& fns = Builtins();
  for (size_t i = 0; i < fns.size(); ++i) {
    if (name == fns[i].name && static_cast<int>(arity) >= fns[i].min_arity &&
        (fns[i].max_arity < 0 || static_cast<int>(arity) <= fns[i].max_arity)) {
      return static_cast<int32_t>(i);
    }
  }
  return -1;
}

const std::regex* RegexCache::Get(const std::string& pattern, const std::string& flags) {
  std::string key = flags + '\x01' + pattern;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second.get();
  if (invalid_.count(key)) return nullptr;
  auto options = std::regex::ECMAScript;
  if (flags.find('i') != std::string::npos) options |= std::regex::icase;
  try {  // std::regex reports bad patterns only by exception; it stays inside this function
    auto re = std::make_unique<std::regex>(ToEcmaScript(pattern), options);
    const std::regex* p = re.get();
    cache_.emplace(std::move(key), std::move(re));
    return p;
  } catch (const std::regex_error&) {
    invalid_[key] = true;
    return nullptr;
  }
}

std::string XPathNormalizeSpace(std::string_view s) { return NormalizeSpace(s); }
std::string XPathUpperCase(const std::string& s) { return MapCase(s, ToUpper); }
std::string XPathLowerCase(const std::string& s) { return MapCase(s, ToLower); }

}  // namespace gw::formats::validation
