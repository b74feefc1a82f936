// Exclusive XML Canonicalization 1.0 without comments (http://www.w3.org/2001/10/xml-exc-c14n#)
// of a document given as text, read straight from its bytes with no tree: the streaming signer's
// digest of the whole document (text_signer.h), about ten times faster than building a libxml2
// tree and canonicalizing it.
//
// It takes plain UTF-8 documents: the five predefined entities and character references, CDATA,
// comments and processing instructions, any namespace layout, ASCII names. Anything else (a
// DOCTYPE, another encoding, non-ASCII names, a relative or escaped namespace URI) and anything
// not well-formed is refused with the reason; the caller then takes the libxml2 path, which
// handles the rest and reports malformed documents precisely. What it accepts it canonicalizes
// exactly as libxml2 does (tests/certs/exc_c14n_test.cc compares both on every sample).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gw::certs {

// Appends the canonical form of `xml` to `out`. False, with `why`, when refused (`out` then holds
// a partial result).
bool ExclusiveC14n(std::string_view xml, std::string& out, std::string* why = nullptr);
// The SHA-256 of the canonical form, computed as it is produced (it is never held whole).
bool ExclusiveC14nSha256(std::string_view xml, unsigned char digest[32], std::string* why = nullptr);

// Where a signature can be spliced into a document without a tree (text_signer.cc). Offsets
// are into the text; npos when absent.
struct DocumentOutline {
  std::string_view root_qname;      // "Invoice", "fe:Facturae"
  std::string_view root_ns;         // the namespace URI of the document element ("" for none)
  size_t root_content = std::string_view::npos;  // just past the root start tag's '>'
  size_t root_end_tag = std::string_view::npos;  // the '<' of the root's end tag
  // The root's first child element: the '<' of its start tag, its name and namespace URI, and the
  // '<' of its end tag (npos when it is an empty-element tag).
  size_t first_child = std::string_view::npos;
  std::string_view first_child_qname;
  std::string_view first_child_ns;
  size_t first_child_end_tag = std::string_view::npos;
};

// Finds the outline by reading the prologue, the root's start tag, its first child and the end
// of the document. False when the document is outside what ExclusiveC14n takes or the shape is
// not found (an empty-element root, a DOCTYPE, ...). It does not check the whole document:
// ExclusiveC14n of the result does.
bool OutlineDocument(std::string_view xml, DocumentOutline& out);

// `text` escaped for XML character data (&, <, >) and for attribute values (also ").
void AppendEscapedText(std::string& out, std::string_view text);
void AppendEscapedAttribute(std::string& out, std::string_view value);

}  // namespace gw::certs
