// Values of the XPath 2.0 data model as the Schematron rules see them: nodes of an xml::Document,
// and atomic values (untypedAtomic from nodes, string, boolean, integer, decimal, double, date).
//
// The types and promotion rules follow XPath 2.0 so that our verdicts are those of the official
// XSLT: text from a node is untypedAtomic, which arithmetic and comparison with a number turn into
// xs:double; xs:decimal() gives exact decimals (our Decimal); numeric literals are integer,
// decimal or double by their form. (double here is XPath's type, used only to reproduce the
// rules' own arithmetic; amounts in the product are Decimal.)
#pragma once

#include <initializer_list>
#include <iterator>
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
  // Makes a fresh item (a default one, or a node) this node, without building a temporary.
  void SetNode(xml::NodeId id) {
    type = Type::kNode;
    node = id;
  }
  bool is_node() const { return type == Type::kNode; }
  bool is_numeric() const { return type == Type::kInteger || type == Type::kDecimal || type == Type::kDouble; }
};

// A sequence of items. Most sequences the rules build hold no item or one; those live inline,
// without an allocation, and longer ones in a vector (all of their items).
class Sequence {
 public:
  using value_type = Item;
  using iterator = Item*;
  using const_iterator = const Item*;

  Sequence() = default;
  Sequence(std::initializer_list<Item> items) {
    reserve(items.size());
    for (const Item& i : items) push_back(i);
  }
  Sequence(const Sequence& other) : many_(other.many_), size_(other.size_), heap_(other.heap_) {
    if (!heap_ && size_ == 1) one_ = other.one_;
  }
  // Moves touch the inline item only when it holds the value: an empty sequence's inline item
  // is never read (its contents are whatever was last there).
  Sequence(Sequence&& other) noexcept : many_(std::move(other.many_)), size_(other.size_), heap_(other.heap_) {
    if (!heap_ && size_ == 1) one_ = std::move(other.one_);
    other.many_.clear();
    other.size_ = 0;
    other.heap_ = false;
  }
  Sequence& operator=(const Sequence& other) {
    if (this != &other) {
      if (!other.heap_ && other.size_ == 1) one_ = other.one_;
      many_ = other.many_;
      size_ = other.size_;
      heap_ = other.heap_;
    }
    return *this;
  }
  Sequence& operator=(Sequence&& other) noexcept {
    if (this != &other) {
      if (!other.heap_ && other.size_ == 1) one_ = std::move(other.one_);
      many_ = std::move(other.many_);
      size_ = other.size_;
      heap_ = other.heap_;
      other.many_.clear();
      other.size_ = 0;
      other.heap_ = false;
    }
    return *this;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Item* data() { return heap_ ? many_.data() : &one_; }
  const Item* data() const { return heap_ ? many_.data() : &one_; }
  Item* begin() { return data(); }
  Item* end() { return data() + size_; }
  const Item* begin() const { return data(); }
  const Item* end() const { return data() + size_; }
  std::reverse_iterator<const Item*> rbegin() const { return std::reverse_iterator<const Item*>(end()); }
  std::reverse_iterator<const Item*> rend() const { return std::reverse_iterator<const Item*>(begin()); }
  Item& operator[](size_t i) { return data()[i]; }
  const Item& operator[](size_t i) const { return data()[i]; }
  Item& front() { return data()[0]; }
  const Item& front() const { return data()[0]; }
  Item& back() { return data()[size_ - 1]; }
  const Item& back() const { return data()[size_ - 1]; }

  void reserve(size_t n) {
    if (n > 1) ToHeap(n);
  }
  // By value: `item` may be an element of this sequence.
  void push_back(Item item) {
    if (!heap_) {
      if (size_ == 0) {
        one_ = std::move(item);
        size_ = 1;
        return;
      }
      ToHeap(4);
    }
    many_.push_back(std::move(item));
    ++size_;
  }
  template <class... Args>
  void emplace_back(Args&&... args) {
    push_back(Item(std::forward<Args>(args)...));
  }
  void pop_back() {
    if (heap_) many_.pop_back();
    --size_;
  }
  void clear() {
    if (heap_) many_.clear();
    size_ = 0;
  }
  // Appends [first, last) (insertion at the end only).
  template <class It>
  void insert(const Item* position, It first, It last) {
    (void)position;  // always end()
    for (; first != last; ++first) push_back(*first);
  }
  template <class It>
  void assign(It first, It last) {
    clear();
    for (; first != last; ++first) push_back(*first);
  }
  // Removes [first, end()) (erasure of a tail only).
  void erase(Item* first, Item* /*last == end()*/) {
    size_t keep = static_cast<size_t>(first - data());
    if (heap_) many_.resize(keep);
    size_ = keep;
  }

 private:
  void ToHeap(size_t capacity) {
    if (heap_) {
      many_.reserve(capacity);
      return;
    }
    many_.reserve(capacity < 2 ? 2 : capacity);
    if (size_ == 1) many_.push_back(std::move(one_));
    heap_ = true;
  }

  Item one_;
  std::vector<Item> many_;
  uint32_t size_ = 0;
  bool heap_ = false;
};

// Conversions. Each returns false when the value cannot be converted (a dynamic error in XPath).
bool ParseXsDecimal(std::string_view text, Decimal& out);
// The same, the general way (ParseXsDecimal takes it for numbers of more than 18 digits, and the
// tests compare the two).
bool ParseXsDecimalText(std::string_view text, Decimal& out);
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
