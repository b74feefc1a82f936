// Values of the XPath 2.0 data model as the Schematron rules see them: nodes of an xml::Document,
// and atomic values (untypedAtomic from nodes, string, boolean, integer, decimal, double, date).
//
// The types and promotion rules follow XPath 2.0 so that our verdicts are those of the official
// XSLT: text from a node is untypedAtomic, which arithmetic and comparison with a number turn into
// xs:double; xs:decimal() gives exact decimals (our Decimal); numeric literals are integer,
// decimal or double by their form. (double here is XPath's type, used only to reproduce the
// rules' own arithmetic; amounts in the product are Decimal.)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "formats/core/decimal.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::validation {

enum class Type : uint8_t { kNode, kUntyped, kString, kBoolean, kInteger, kDecimal, kDouble, kDate };

struct Item {
  Type type = Type::kString;
  bool boolean = false;
  xml::NodeId node = xml::kNoNode;
  double dbl = 0;
  Decimal dec;        // kInteger (scale 0) and kDecimal
  std::string str;    // kUntyped, kString, kDate (lexical form)

  static Item Node(xml::NodeId id) {
    Item i;
    i.type = Type::kNode;
    i.node = id;
    return i;
  }
  static Item Bool(bool b) {
    Item i;
    i.type = Type::kBoolean;
    i.boolean = b;
    return i;
  }
  static Item String(std::string s, Type type = Type::kString) {
    Item i;
    i.type = type;
    i.str = std::move(s);
    return i;
  }
  static Item Integer(Decimal d) {
    Item i;
    i.type = Type::kInteger;
    i.dec = d;
    return i;
  }
  static Item Dec(Decimal d) {
    Item i;
    i.type = Type::kDecimal;
    i.dec = d;
    return i;
  }
  static Item Double(double d) {
    Item i;
    i.type = Type::kDouble;
    i.dbl = d;
    return i;
  }
  bool is_node() const { return type == Type::kNode; }
  bool is_numeric() const { return type == Type::kInteger || type == Type::kDecimal || type == Type::kDouble; }
};

using Sequence = std::vector<Item>;

// Conversions. Each returns false when the value cannot be converted (a dynamic error in XPath).
bool ParseXsDecimal(std::string_view text, Decimal& out);
// True when `text` is an xs:decimal lexically (whatever its number of digits).
bool IsXsDecimalLexical(std::string_view text);
bool ParseXsInteger(std::string_view text, Decimal& out);
bool ParseXsDouble(std::string_view text, double& out);  // INF, -INF, NaN and exponents allowed
bool IsXsDate(std::string_view text);                      // YYYY-MM-DD with optional zone
double DecimalToDouble(const Decimal& d);
bool DoubleToDecimal(double d, Decimal& out);
std::string DoubleToString(double d);  // XPath 2.0 canonical form (1, 0.5, 1.0E7, NaN, INF)
std::string DecimalToString(const Decimal& d);

// The string value of an atomic item.
std::string AtomicToString(const Item& item);

// UTF-8 helpers: code points of a string and back.
std::vector<uint32_t> CodePoints(std::string_view s);
void AppendCodePoint(std::string& out, uint32_t cp);

// XPath rounding (half towards positive infinity), floor, ceiling on decimals.
Decimal DecimalFloor(const Decimal& d);
Decimal DecimalRoundHalfUp(const Decimal& d);

}  // namespace gw::formats::validation
