// Exclusive XML Canonicalization 1.0 without comments (http://www.w3.org/2001/10/xml-exc-c14n#)
// of a document given as text, read straight from its bytes with no tree: the streaming signer's
// digest of the whole document (text_signer.h), about ten times faster than building a libxml2
// tree and canonicalizing it.
//
// It takes plain UTF-8 documents: the five predefined entities and character references, CDATA,
// comments and processing instructions, any namespace layout, ASCII names, namespace names that
// are plain absolute URIs. Anything else (a DOCTYPE, another encoding, non-ASCII names, other
// namespace names, more than 512 namespace bindings in scope) and anything not well formed is
// refused with the reason; the caller then takes the libxml2 path, which handles the rest and
// reports malformed documents precisely. What it accepts it canonicalizes exactly as libxml2 does
// (tests/certs/xmldsig/exc_c14n_test.cc compares both on every sample and on mutants).
#pragma once

#include <string>
#include <string_view>

namespace gw::certs {

// Appends the canonical form of `xml` to `out`. False, with `why`, when refused (`out` then holds
// a partial result).
bool ExclusiveC14n(std::string_view xml, std::string& out, std::string* why = nullptr);
// The SHA-256 of the canonical form, computed as it is produced (it is never held whole).
bool ExclusiveC14nSha256(std::string_view xml, unsigned char digest[32], std::string* why = nullptr);

}  // namespace gw::certs
