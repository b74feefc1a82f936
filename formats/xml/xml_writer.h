// XmlWriter: an RAII wrapper of libxml2's xmlTextWriter that builds one UTF-8 document in memory.
// Text and attribute values are escaped by libxml2, never concatenated by hand. The first libxml2
// failure is remembered and reported by Finish(). Not thread-safe; one per document.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "formats/core/decimal.h"
#include "formats/core/result.h"

typedef struct _xmlTextWriter xmlTextWriter;
typedef struct _xmlBuffer xmlBuffer;

namespace gw::formats::xml {

class XmlWriter {
 public:
  // Starts a document with the XML declaration; `indent` pretty-prints with two spaces.
  explicit XmlWriter(bool indent = true);
  ~XmlWriter();
  XmlWriter(const XmlWriter&) = delete;
  XmlWriter& operator=(const XmlWriter&) = delete;

  // `name` is the qualified name as written ("cbc:ID"); namespaces are declared as attributes.
  void Start(const char* name);
  void End();
  void Attribute(const char* name, std::string_view value);
  void Text(std::string_view text);

  // <name>text</name>, skipped when `text` is empty (no empty elements, PEPPOL-EN16931-R008).
  void Leaf(const char* name, std::string_view text);
  // <name attr="value">text</name>; the attribute is left out when `value` is empty.
  void Leaf(const char* name, std::string_view text, const char* attr, std::string_view value);
  void Leaf(const char* name, std::string_view text, const char* attr1, std::string_view value1,
            const char* attr2, std::string_view value2);
  // A decimal as written by Decimal::ToString(), with an optional attribute.
  void Number(const char* name, const Decimal& value, const char* attr = nullptr,
              std::string_view attr_value = {});

  // Ends the document and returns it; kInternal if any libxml2 call failed.
  Result<std::string> Finish();

 private:
  void Check(int rc);

  xmlBuffer* buffer_ = nullptr;
  xmlTextWriter* writer_ = nullptr;
  bool failed_ = false;
  std::string scratch_;
};

}  // namespace gw::formats::xml
