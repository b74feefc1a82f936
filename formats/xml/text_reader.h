// The fast path of Document::Parse: reads ordinary documents straight from their UTF-8 text into
// the same Document libxml2's path builds, and declines everything else. Internal to formats/xml;
// stateless, so safe to use from several threads at once.
#pragma once

#include <optional>
#include <string_view>

#include "formats/core/result.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::xml {

class TextReader {
 public:
  // The Document that ParseWithLibxml2 would build from `text`, node for node and name id for
  // name id; nullopt when `text` is outside the subset read here (another encoding, a DOCTYPE,
  // non-ASCII names, ...), is not well-formed, or reaches a limit of `limits` or of libxml2. The
  // caller then parses it with libxml2, which gives the result or the precise error. Never
  // returns a Document for a text libxml2 refuses. `names` must outlive the Document.
  static std::optional<Document> Read(std::string_view text, const ParseLimits& limits,
                                      const NameTable& names);

 private:
  class Reader;
};

// Document::Parse without the text reader: libxml2's SAX2 parser only. For the tests that compare
// the two paths.
Result<Document> ParseWithLibxml2(std::string_view text, const ParseLimits& limits,
                                  const NameTable& names);

}  // namespace gw::formats::xml
