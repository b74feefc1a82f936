#include "formats/validation/xpath_parser.h"

#include <cctype>

namespace gw::formats::validation {
namespace {

enum class Tok : uint8_t { kEnd, kName, kPrefixWildcard, kNumber, kString, kVariable, kSymbol };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  size_t pos = 0;
};

bool NameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool NameChar(char c) {
  return NameStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

class Parser {
 public:
  Parser(std::string_view text, CompileScope& scope) : s_(text), scope_(scope) {}

  Result<ExprPtr> Run() {
    Lex();
    if (!error_.empty()) return Fail();
    pos_ = 0;
    ExprPtr e = ParseExpr();
    if (error_.empty() && Peek().kind != Tok::kEnd) SetError("unexpected '" + Peek().text + "'");
    if (!error_.empty()) return Fail();
    return e;
  }

 private:
  Error Fail() {
    return Error::InvalidArgument("XPath: " + error_ + " in: " + std::string(s_.substr(0, 300)));
  }
  void SetError(std::string what) {
    if (error_.empty()) error_ = "at " + std::to_string(Peek().pos) + ": " + what;
  }

  // ---- lexer ----
  void Lex() {
    size_t i = 0;
    while (i < s_.size()) {
      char c = s_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      if (c == '(' && i + 1 < s_.size() && s_[i + 1] == ':') {  // (: comment :)
        size_t end = s_.find(":)", i + 2);
        i = end == std::string_view::npos ? s_.size() : end + 2;
        continue;
      }
      Token t;
      t.pos = i;
      if (c == '"' || c == '\'') {
        t.kind = Tok::kString;
        ++i;
        while (true) {
          if (i >= s_.size()) {
            error_ = "unterminated string literal";
            return;
          }
          if (s_[i] == c) {
            if (i + 1 < s_.size() && s_[i + 1] == c) {  // doubled quote
              t.text += c;
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          t.text += s_[i++];
        }
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && i + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i + 1])))) {
        t.kind = Tok::kNumber;
        while (i < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i])) || s_[i] == '.')) t.text += s_[i++];
        if (i < s_.size() && (s_[i] == 'e' || s_[i] == 'E')) {
          t.text += s_[i++];
          if (i < s_.size() && (s_[i] == '+' || s_[i] == '-')) t.text += s_[i++];
          while (i < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i]))) t.text += s_[i++];
        }
      } else if (c == '$') {
        t.kind = Tok::kVariable;
        ++i;
        while (i < s_.size() && (NameChar(s_[i]) || (s_[i] == ':' && i + 1 < s_.size() && NameStart(s_[i + 1])))) {
          t.text += s_[i++];
        }
      } else if (NameStart(c)) {
        t.kind = Tok::kName;
        while (i < s_.size() && NameChar(s_[i])) t.text += s_[i++];
        if (i + 1 < s_.size() && s_[i] == ':' && NameStart(s_[i + 1])) {
          t.text += s_[i++];
          while (i < s_.size() && NameChar(s_[i])) t.text += s_[i++];
        } else if (i + 1 < s_.size() && s_[i] == ':' && s_[i + 1] == '*') {
          t.kind = Tok::kPrefixWildcard;
          i += 2;
        }
      } else {
        t.kind = Tok::kSymbol;
        static const char* kTwo[] = {"//", "::", "..", "!=", "<=", ">=", ":=", "<<", ">>"};
        for (const char* two : kTwo) {
          if (s_.substr(i, 2) == two) t.text = two;
        }
        if (t.text.empty()) {
          if (c == '*' && i + 2 < s_.size() && s_[i + 1] == ':' && NameStart(s_[i + 2])) {
            // *:local
            t.kind = Tok::kName;
            t.text = "*:";
            i += 2;
            while (i < s_.size() && NameChar(s_[i])) t.text += s_[i++];
            tokens_.push_back(std::move(t));
            continue;
          }
          if (std::string_view("/()[],@.|=<>+-*?").find(c) == std::string_view::npos) {
            error_ = "at " + std::to_string(i) + ": unexpected character '" + std::string(1, c) + "'";
            return;
          }
          t.text = std::string(1, c);
        }
        i += t.text.size();
      }
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.pos = s_.size();
    tokens_.push_back(end);
  }

  const Token& Peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  bool IsSymbol(std::string_view sym, size_t ahead = 0) const {
    return Peek(ahead).kind == Tok::kSymbol && Peek(ahead).text == sym;
  }
  bool IsKeyword(std::string_view word, size_t ahead = 0) const {
    return Peek(ahead).kind == Tok::kName && Peek(ahead).text == word;
  }
  bool Accept(std::string_view sym) {
    if (!IsSymbol(sym)) return false;
    ++pos_;
    return true;
  }
  void Expect(std::string_view sym) {
    if (!Accept(sym)) SetError("expected '" + std::string(sym) + "', found '" + Peek().text + "'");
  }
  void ExpectKeyword(std::string_view word) {
    if (IsKeyword(word)) {
      ++pos_;
    } else {
      SetError("expected '" + std::string(word) + "'");
    }
  }

  static ExprPtr Make(Op op) {
    auto e = std::make_unique<Expr>();
    e->op = op;
    return e;
  }
  static ExprPtr Binary(Op op, ExprPtr a, ExprPtr b) {
    ExprPtr e = Make(op);
    e->kids.push_back(std::move(a));
    e->kids.push_back(std::move(b));
    return e;
  }

  // ---- grammar ----
  ExprPtr ParseExpr() {
    ExprPtr first = ParseSingle();
    if (!IsSymbol(",")) return first;
    ExprPtr seq = Make(Op::kSequence);
    seq->kids.push_back(std::move(first));
    while (error_.empty() && Accept(",")) seq->kids.push_back(ParseSingle());
    return seq;
  }

  ExprPtr ParseSingle() {
    if (!error_.empty()) return Make(Op::kEmptySequence);
    if (Peek(1).kind == Tok::kVariable) {
      if (IsKeyword("for")) return ParseBinding(Op::kFor, "in", "return");
      if (IsKeyword("let")) return ParseBinding(Op::kLet, ":=", "return");
      if (IsKeyword("some")) return ParseBinding(Op::kSome, "in", "satisfies");
      if (IsKeyword("every")) return ParseBinding(Op::kEvery, "in", "satisfies");
    }
    if (IsKeyword("if") && IsSymbol("(", 1)) {
      pos_ += 2;
      ExprPtr e = Make(Op::kIf);
      e->kids.push_back(ParseExpr());
      Expect(")");
      ExpectKeyword("then");
      e->kids.push_back(ParseSingle());
      ExpectKeyword("else");
      e->kids.push_back(ParseSingle());
      return e;
    }
    return ParseOr();
  }

  // for/let/some/every $a in X, $b in Y return|satisfies Z
  ExprPtr ParseBinding(Op op, std::string_view binder, std::string_view body) {
    ++pos_;
    ExprPtr e = Make(op);
    while (error_.empty()) {
      if (Peek().kind != Tok::kVariable) {
        SetError("expected a variable");
        break;
      }
      e->vars.push_back(scope_.Variable(Peek().text));
      ++pos_;
      if (binder == ":=") {
        Expect(":=");
      } else {
        ExpectKeyword(binder);
      }
      e->kids.push_back(ParseSingle());
      if (!Accept(",")) break;
    }
    ExpectKeyword(body);
    e->kids.push_back(ParseSingle());
    return e;
  }

  ExprPtr ParseOr() {
    ExprPtr e = ParseAnd();
    while (error_.empty() && IsKeyword("or")) {
      ++pos_;
      e = Binary(Op::kOr, std::move(e), ParseAnd());
    }
    return e;
  }
  ExprPtr ParseAnd() {
    ExprPtr e = ParseComparison();
    while (error_.empty() && IsKeyword("and")) {
      ++pos_;
      e = Binary(Op::kAnd, std::move(e), ParseComparison());
    }
    return e;
  }

  ExprPtr ParseComparison() {
    ExprPtr e = ParseRange();
    struct C {
      const char* text;
      bool symbol;
      Op op;
      Comparison cmp;
    };
    static const C kOps[] = {
        {"=", true, Op::kGeneralCompare, Comparison::kEq},  {"!=", true, Op::kGeneralCompare, Comparison::kNe},
        {"<", true, Op::kGeneralCompare, Comparison::kLt},  {"<=", true, Op::kGeneralCompare, Comparison::kLe},
        {">", true, Op::kGeneralCompare, Comparison::kGt},  {">=", true, Op::kGeneralCompare, Comparison::kGe},
        {"eq", false, Op::kValueCompare, Comparison::kEq},  {"ne", false, Op::kValueCompare, Comparison::kNe},
        {"lt", false, Op::kValueCompare, Comparison::kLt},  {"le", false, Op::kValueCompare, Comparison::kLe},
        {"gt", false, Op::kValueCompare, Comparison::kGt},  {"ge", false, Op::kValueCompare, Comparison::kGe},
    };
    for (const C& c : kOps) {
      if (c.symbol ? IsSymbol(c.text) : IsKeyword(c.text)) {
        ++pos_;
        ExprPtr r = Binary(c.op, std::move(e), ParseRange());
        r->compare = c.cmp;
        return r;
      }
    }
    return e;
  }

  ExprPtr ParseRange() {
    ExprPtr e = ParseAdditive();
    if (IsKeyword("to")) {
      ++pos_;
      e = Binary(Op::kRange, std::move(e), ParseAdditive());
    }
    return e;
  }
  ExprPtr ParseAdditive() {
    ExprPtr e = ParseMultiplicative();
    while (error_.empty()) {
      if (Accept("+")) {
        e = Binary(Op::kAdd, std::move(e), ParseMultiplicative());
      } else if (Accept("-")) {
        e = Binary(Op::kSubtract, std::move(e), ParseMultiplicative());
      } else {
        break;
      }
    }
    return e;
  }
  ExprPtr ParseMultiplicative() {
    ExprPtr e = ParseUnion();
    while (error_.empty()) {
      Op op;
      if (IsSymbol("*")) {
        op = Op::kMultiply;
      } else if (IsKeyword("div")) {
        op = Op::kDivide;
      } else if (IsKeyword("idiv")) {
        op = Op::kIntegerDivide;
      } else if (IsKeyword("mod")) {
        op = Op::kModulo;
      } else {
        break;
      }
      ++pos_;
      e = Binary(op, std::move(e), ParseUnion());
    }
    return e;
  }
  ExprPtr ParseUnion() {
    ExprPtr e = ParseIntersect();
    while (error_.empty() && (IsSymbol("|") || IsKeyword("union"))) {
      ++pos_;
      e = Binary(Op::kUnion, std::move(e), ParseIntersect());
    }
    return e;
  }
  ExprPtr ParseIntersect() {
    ExprPtr e = ParseCast();
    while (error_.empty() && (IsKeyword("intersect") || IsKeyword("except"))) {
      Op op = IsKeyword("intersect") ? Op::kIntersect : Op::kExcept;
      ++pos_;
      e = Binary(op, std::move(e), ParseCast());
    }
    return e;
  }
  ExprPtr ParseCast() {
    ExprPtr e = ParseUnary();
    Op op;
    if (IsKeyword("castable") && IsKeyword("as", 1)) {
      op = Op::kCastable;
    } else if (IsKeyword("cast") && IsKeyword("as", 1)) {
      op = Op::kCast;
    } else if (IsKeyword("instance") && IsKeyword("of", 1)) {
      op = Op::kInstanceOf;
    } else {
      return e;
    }
    pos_ += 2;
    ExprPtr c = Make(op);
    if (Peek().kind != Tok::kName) {
      SetError("expected a type name");
      return c;
    }
    c->text = Peek().text;
    ++pos_;
    if (Accept("?")) c->optional_type = true;
    c->kids.push_back(std::move(e));
    return c;
  }
  ExprPtr ParseUnary() {
    if (Accept("-")) {
      ExprPtr e = Make(Op::kNegate);
      e->kids.push_back(ParseUnary());
      return e;
    }
    if (Accept("+")) return ParseUnary();
    return ParsePath();
  }

  bool StartsStep() const {
    const Token& t = Peek();
    if (t.kind == Tok::kName || t.kind == Tok::kPrefixWildcard || t.kind == Tok::kVariable ||
        t.kind == Tok::kString || t.kind == Tok::kNumber) {
      // Operator keywords after '/' are names; but a lone "/" followed by an operator is rare.
      return true;
    }
    return IsSymbol("@") || IsSymbol(".") || IsSymbol("..") || IsSymbol("*") || IsSymbol("(");
  }

  ExprPtr DescendantOrSelfStep() {
    ExprPtr step = Make(Op::kStep);
    step->axis = Axis::kDescendantOrSelf;
    step->test.kind = NodeTest::Kind::kNode;
    return step;
  }

  // Joins left / right; "//" inserts descendant-or-self::node(), folded into a descendant step
  // when the right side is a child step whose predicates cannot be positional (the same nodes,
  // in one pass instead of one child step per node of the document).
  ExprPtr JoinPath(ExprPtr left, ExprPtr right, bool double_slash) {
    // "//(a | b)" from the root: the union of "//a" and "//b", each one index lookup instead of
    // a union evaluated at every node of the document.
    if (double_slash && left->op == Op::kRoot && right->op == Op::kUnion) {
      ExprPtr a = JoinPath(Make(Op::kRoot), std::move(right->kids[0]), true);
      ExprPtr b = JoinPath(Make(Op::kRoot), std::move(right->kids[1]), true);
      return Binary(Op::kUnion, std::move(a), std::move(b));
    }
    if (double_slash) {
      bool foldable = right->op == Op::kStep && (right->axis == Axis::kChild || right->axis == Axis::kAttribute);
      for (const auto& p : right->kids) foldable = foldable && IsBooleanPredicate(*p);
      if (foldable) {
        right->axis = right->axis == Axis::kChild ? Axis::kDescendant : Axis::kDescendantAttribute;
      } else {
        left = Binary(Op::kPath, std::move(left), DescendantOrSelfStep());
      }
    }
    return Binary(Op::kPath, std::move(left), std::move(right));
  }

  ExprPtr ParsePath() {
    ExprPtr e;
    if (IsSymbol("/")) {
      ++pos_;
      e = Make(Op::kRoot);
      if (!StartsStep()) return e;
      e = JoinPath(std::move(e), ParseStep(), false);
    } else if (IsSymbol("//")) {
      ++pos_;
      e = JoinPath(Make(Op::kRoot), ParseStep(), true);
    } else {
      e = ParseStep();
    }
    while (error_.empty()) {
      if (Accept("/")) {
        e = JoinPath(std::move(e), ParseStep(), false);
      } else if (Accept("//")) {
        e = JoinPath(std::move(e), ParseStep(), true);
      } else {
        break;
      }
    }
    return e;
  }

  void ParsePredicates(Expr& e) {
    while (error_.empty() && Accept("[")) {
      e.kids.push_back(ParseExpr());
      Expect("]");
    }
  }

  bool IsKindTest(const std::string& name) const {
    return name == "text" || name == "node" || name == "element" || name == "attribute" ||
           name == "comment" || name == "processing-instruction" || name == "document-node";
  }

  // A node test at the current token; false if there is none.
  bool ParseNodeTest(NodeTest& test, Axis axis) {
    const Token& t = Peek();
    if (t.kind == Tok::kSymbol && t.text == "*") {
      test.kind = NodeTest::Kind::kAnyName;
      ++pos_;
      return true;
    }
    if (t.kind == Tok::kPrefixWildcard) {
      test.kind = NodeTest::Kind::kAnyInNamespace;
      test.ns_uri = Namespace(t.text);
      ++pos_;
      return true;
    }
    if (t.kind != Tok::kName) return false;
    if (IsSymbol("(", 1) && IsKindTest(t.text)) {
      std::string kind = t.text;
      pos_ += 2;
      Expect(")");
      if (kind == "text") {
        test.kind = NodeTest::Kind::kText;
      } else if (kind == "node") {
        test.kind = NodeTest::Kind::kNode;
      } else if (kind == "element" || kind == "attribute") {
        test.kind = NodeTest::Kind::kAnyName;
      } else {
        test.kind = NodeTest::Kind::kElement;  // comment(), pi(): never present in our documents
        test.local = "\x01";
      }
      return true;
    }
    if (t.text.rfind("*:", 0) == 0) {
      test.kind = NodeTest::Kind::kAnyWithLocal;
      test.local = t.text.substr(2);
      ++pos_;
      return true;
    }
    test.kind = NodeTest::Kind::kName;
    size_t colon = t.text.find(':');
    if (colon == std::string::npos) {
      // Unprefixed element names are in no namespace (no default element namespace in the rules);
      // attributes likewise.
      test.local = t.text;
    } else {
      test.ns_uri = Namespace(t.text.substr(0, colon));
      test.local = t.text.substr(colon + 1);
    }
    (void)axis;
    test.name = xml::NameTable::Shared().Find(test.ns_uri, test.local);
    ++pos_;
    return true;
  }

  std::string Namespace(const std::string& prefix) {
    auto it = scope_.namespaces.find(prefix);
    if (it == scope_.namespaces.end()) {
      SetError("undeclared namespace prefix '" + prefix + "'");
      return "";
    }
    return it->second;
  }

  ExprPtr ParseStep() {
    if (!error_.empty()) return Make(Op::kEmptySequence);
    ExprPtr step = Make(Op::kStep);
    if (Accept("..")) {
      step->axis = Axis::kParent;
      step->test.kind = NodeTest::Kind::kNode;
      ParsePredicates(*step);
      return step;
    }
    if (Accept("@")) {
      step->axis = Axis::kAttribute;
      if (!ParseNodeTest(step->test, step->axis)) SetError("expected an attribute name after '@'");
      ParsePredicates(*step);
      return step;
    }
    if (Peek().kind == Tok::kName && IsSymbol("::", 1)) {
      static const std::pair<const char*, Axis> kAxes[] = {
          {"child", Axis::kChild},
          {"attribute", Axis::kAttribute},
          {"self", Axis::kSelf},
          {"parent", Axis::kParent},
          {"descendant", Axis::kDescendant},
          {"descendant-or-self", Axis::kDescendantOrSelf},
          {"ancestor", Axis::kAncestor},
          {"ancestor-or-self", Axis::kAncestorOrSelf},
          {"following-sibling", Axis::kFollowingSibling},
          {"preceding-sibling", Axis::kPrecedingSibling},
          {"following", Axis::kFollowing},
          {"preceding", Axis::kPreceding},
      };
      bool found = false;
      for (const auto& [name, axis] : kAxes) {
        if (Peek().text == name) {
          step->axis = axis;
          found = true;
        }
      }
      if (!found) SetError("unknown axis '" + Peek().text + "'");
      pos_ += 2;
      if (!ParseNodeTest(step->test, step->axis)) SetError("expected a node test after the axis");
      ParsePredicates(*step);
      return step;
    }
    // A name not followed by '(' (or a kind test) is a child step.
    const Token& t = Peek();
    bool name_step = (t.kind == Tok::kName && (!IsSymbol("(", 1) || IsKindTest(t.text))) ||
                     t.kind == Tok::kPrefixWildcard || IsSymbol("*");
    if (name_step) {
      ParseNodeTest(step->test, step->axis);
      ParsePredicates(*step);
      return step;
    }
    ExprPtr primary = ParsePrimary();
    if (!IsSymbol("[")) return primary;
    ExprPtr filter = Make(Op::kFilter);
    filter->kids.push_back(std::move(primary));
    ParsePredicates(*filter);
    return filter;
  }

  ExprPtr ParsePrimary() {
    const Token& t = Peek();
    if (t.kind == Tok::kString) {
      ExprPtr e = Make(Op::kLiteralString);
      e->text = t.text;
      ++pos_;
      return e;
    }
    if (t.kind == Tok::kNumber) {
      ExprPtr e = Make(t.text.find_first_of("eE") != std::string::npos ? Op::kLiteralDouble
                       : t.text.find('.') != std::string::npos        ? Op::kLiteralDecimal
                                                                      : Op::kLiteralInteger);
      e->text = t.text;
      ++pos_;
      return e;
    }
    if (t.kind == Tok::kVariable) {
      ExprPtr e = Make(Op::kVariable);
      e->text = t.text;
      e->var = scope_.Variable(t.text);
      ++pos_;
      return e;
    }
    if (Accept(".")) return Make(Op::kContextItem);
    if (Accept("(")) {
      if (Accept(")")) return Make(Op::kEmptySequence);
      ExprPtr e = ParseExpr();
      Expect(")");
      return e;
    }
    if (t.kind == Tok::kName && IsSymbol("(", 1)) {
      ExprPtr e = Make(Op::kFunctionCall);
      e->text = t.text;
      pos_ += 2;
      if (!Accept(")")) {
        do {
          e->kids.push_back(ParseSingle());
        } while (error_.empty() && Accept(","));
        Expect(")");
      }
      std::string name = e->text.rfind("fn:", 0) == 0 ? e->text.substr(3) : e->text;
      e->function = scope_.resolve_function ? scope_.resolve_function(name, e->kids.size()) : -1;
      if (e->function < 0) SetError("unknown function " + e->text + "#" + std::to_string(e->kids.size()));
      return e;
    }
    SetError(t.kind == Tok::kEnd ? "unexpected end of the expression" : "unexpected '" + t.text + "'");
    ++pos_;
    return Make(Op::kEmptySequence);
  }

  std::string_view s_;
  CompileScope& scope_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

// True when the predicate's value is certainly not a number (so it filters by its boolean
// value and never by position): comparisons, and/or, boolean functions, paths.
bool IsBooleanPredicate(const Expr& p) {
  // Worked out once by AnnotateForEvaluation(): the evaluator asks at every step it visits.
  if (p.boolean_predicate != Expr::kShapeUnknown) return p.boolean_predicate == 1;
  switch (p.op) {
    case Op::kOr:
    case Op::kAnd:
    case Op::kGeneralCompare:
    case Op::kValueCompare:
    case Op::kCastable:
    case Op::kSome:
    case Op::kEvery:
    case Op::kStep:
    case Op::kPath:
    case Op::kUnion:
      return true;
    case Op::kFunctionCall: {
      static const char* kBoolean[] = {"not", "exists", "empty", "boolean", "true", "false", "contains",
                                       "starts-with", "ends-with", "matches"};
      for (const char* f : kBoolean) {
        if (p.text == f) return true;
      }
      return false;
    }
    default:
      return false;
  }
}

Result<ExprPtr> ParseXPath(std::string_view text, CompileScope& scope) {
  return Parser(text, scope).Run();
}

}  // namespace gw::formats::validation
