// The outline of a document read from its text: where its root starts and ends and what its
// first child is, which is all the streaming signer (text_signer.h) needs to place a signature.
#pragma once

#include <cstddef>
#include <string_view>

namespace gw::certs {

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

}  // namespace gw::certs
